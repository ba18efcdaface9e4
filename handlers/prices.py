"""prices: not built yet; every action answers that it is not available."""

from chatops.fulfillment import HandlerCall, HandlerTable, Reply

table = HandlerTable("prices")


@table.action("prices.predict")
async def prices_predict(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, prices.predict is not available yet.")


@table.action("prices.use_dataset")
async def prices_use_dataset(call: HandlerCall) -> Reply:
    return Reply(text="Sorry, prices.use_dataset is not available yet.")
