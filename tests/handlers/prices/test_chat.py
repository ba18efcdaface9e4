"""Price questions through the whole engine: the area entity's value reaches the handler and the answer delights."""

from __future__ import annotations

from chatops.fulfillment import Image
from chatops.testing import ChatHarness
from handlers.datasets import upload_dataset
from tests.handlers.prices.conftest import PLOTS_CSV


async def test_what_would_a_5000_sq_ft_lot_cost_and_switching_data_sets() -> None:
    async with ChatHarness() as chat:
        reply = await chat.say("what would a 5000 sq ft lot cost?")
        await upload_dataset(chat.runtime.store, "bangalore-plots", PLOTS_CSV, x="area", y="price")
        chosen = await chat.say("use dataset bangalore-plots")
        after = await chat.say("how much for a lot of 2000 sq ft?")

    assert reply.text.startswith("A house on a lot of 5,000 sq ft would cost about $67,100")
    assert "windsor-housing (546 rows)" in reply.text
    assert isinstance(reply.parts[0], Image) and reply.parts[0].data
    assert chosen.text.startswith("Now using bangalore-plots: 5 rows")
    assert after.data["dataset"] == "bangalore-plots"
