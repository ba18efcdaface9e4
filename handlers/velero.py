"""velero: not built yet; every action answers that it is not available."""

from chatops.fulfillment import HandlerCall, HandlerTable, Reply

table = HandlerTable("velero")


@table.action("velero.migrate", access="velero:migrate", confirm=True)
async def velero_migrate(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, velero.migrate is not available yet.")


@table.action("velero.status", access="velero:status")
async def velero_status(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, velero.status is not available yet.")


@table.action("velero.backups", access="velero:list")
async def velero_backups(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, velero.backups is not available yet.")
