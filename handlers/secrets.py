"""secrets: not built yet; every action answers that it is not available."""

from chatops.fulfillment import HandlerCall, HandlerTable, Reply

table = HandlerTable("secrets")


@table.action("secrets.get", access="ssm:get")
async def secrets_get(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, secrets.get is not available yet.")


@table.action("secrets.list", access="ssm:list")
async def secrets_list(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, secrets.list is not available yet.")


@table.action("secrets.history", access="ssm:history")
async def secrets_history(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, secrets.history is not available yet.")


@table.action("secrets.put", access="ssm:put", confirm=True)
async def secrets_put(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, secrets.put is not available yet.")
