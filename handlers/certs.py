"""certs: not built yet; every action answers that it is not available."""

from chatops.fulfillment import HandlerCall, HandlerTable, Reply

table = HandlerTable("certs")


@table.action("certs.check", access="certs:check")
async def certs_check(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, certs.check is not available yet.")


@table.action("certs.rotate", access="certs:rotate", confirm=True)
async def certs_rotate(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, certs.rotate is not available yet.")
