"""reddit: not built yet; every action answers that it is not available."""

from chatops.fulfillment import HandlerCall, HandlerTable, Reply

table = HandlerTable("reddit")


@table.action("reddit.tell")
async def reddit_tell(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, reddit.tell is not available yet.")
