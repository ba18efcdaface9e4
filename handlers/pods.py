"""pods: not built yet; every action answers that it is not available."""

from chatops.fulfillment import HandlerCall, HandlerTable, Reply

table = HandlerTable("pods")


@table.action("pods.list", access="pods:list")
async def pods_list(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, pods.list is not available yet.")


@table.action("pods.more", access="pods:list")
async def pods_more(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, pods.more is not available yet.")
