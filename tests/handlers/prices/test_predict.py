"""prices.predict and prices.use_dataset: the estimate, units, warnings, bad input, data set choice and the cache."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from chatops.errors import InputError, NotFoundError
from chatops.fulfillment import Image, QuickReplies
from chatops.store.base import Store
from handlers.datasets import upload_dataset
from handlers.price_models import PriceModels
from tests.handlers.prices.conftest import PLOTS_CSV, Ask


async def test_a_5000_sq_ft_lot_is_about_67100_dollars(ask: Ask) -> None:
    reply = await ask(area={"amount": 5000, "unit": "sq ft"})

    assert reply.text == (
        "A house on a lot of 5,000 sq ft would cost about $67,100 (likely between $23,000 and $111,000).\n"
        "The fitted line is price = 6.599 x lotsize + 34,136 (RMSE 22,526, R² 0.29). Based on windsor-housing (546 rows)."
    )
    assert reply.data["estimate"] == pytest.approx(67130.0, abs=1)
    assert reply.data["low"] == pytest.approx(67130.0 - 1.96 * 22525.68, abs=1)
    assert reply.data["extrapolated"] is False
    image, quick = reply.parts
    assert isinstance(image, Image) and image.mime == "image/svg+xml" and image.data is not None
    assert ET.fromstring(image.data).tag == "{http://www.w3.org/2000/svg}svg"
    assert "your 5,000 sq ft lot" in image.alt
    assert quick == QuickReplies(("how much for a lot of 10000 sq ft?",))


@pytest.mark.parametrize(
    "area",
    [
        5000,
        5000.0,
        "5,000",
        {"amount": "5000", "unit": "square feet"},
        {"amount": 5000, "unit": "sqft"},
        {"amount": 464.515, "unit": "sq m"},
        {"amount": 464.515, "unit": "square metres"},
        {"amount": 0.114784, "unit": "acres"},
        {"amount": 0.0464515, "unit": "ha"},
        {"amount": 555.5556, "unit": "sq yd"},
        {"amount": 0.000464515, "unit": "sq km"},
    ],
)
async def test_units_are_converted_to_square_feet(ask: Ask, area: object) -> None:
    reply = await ask(area=area)
    assert reply.data["area_sq_ft"] == pytest.approx(5000, rel=1e-5)
    assert "about $67,100" in reply.text


async def test_other_units_are_said_back_with_their_square_feet(ask: Ask) -> None:
    reply = await ask(area={"amount": 500, "unit": "sq m"})
    assert reply.text.startswith("A house on a lot of 500 m² (5,382 sq ft) would cost about $69,700")


async def test_a_lot_outside_the_data_gets_an_extrapolation_warning(ask: Ask) -> None:
    reply = await ask(area={"amount": 2, "unit": "acre"})

    assert reply.data["extrapolated"] is True
    assert reply.text.endswith(
        "Careful: 87,120 sq ft is outside the lots in windsor-housing (1,650 to 16,200 sq ft), "
        "so this is an extrapolation and may be far off."
    )


async def test_a_small_lot_has_no_negative_lower_bound(ask: Ask) -> None:
    reply = await ask(area=1000)
    assert "(likely under $84,900)" in reply.text


@pytest.mark.parametrize(
    ("area", "message"),
    [
        (0, "A lot of 0 sq ft? The area must be more than zero."),
        (-20, "A lot of -20 sq ft? The area must be more than zero."),
        ({"amount": -1, "unit": "acre"}, "A lot of -1 acres? The area must be more than zero."),
        (1e12, "1,000,000,000,000 sq ft is far larger than any house lot; I can't price that."),
        ({"amount": 5, "unit": "parsecs"}, "I don't know the unit 'parsecs'"),
        ("huge", "I need the lot size as a number, not 'huge'"),
        ({"unit": "sq ft"}, "How big is the lot?"),
        (float("nan"), "How big is the lot?"),
        (True, "How big is the lot?"),
        (None, "How big is the lot?"),
    ],
)
async def test_bad_areas_get_a_clear_message(ask: Ask, area: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        await ask(area=area)
    assert caught.value.user_message.startswith(message)


async def test_use_dataset_switches_the_session_to_an_upload(ask: Ask, store: Store) -> None:
    await upload_dataset(store, "bangalore-plots", PLOTS_CSV, x="area", y="price")

    chosen = await ask("prices.use_dataset", dataset="bangalore-plots")
    assert chosen.text.startswith("Now using bangalore-plots: 5 rows, price against area. The fitted line is price = 19.75 x area + 31,585 (RMSE 901, R² 1.00).")
    assert chosen.parts == (QuickReplies(("how much for a lot of 2000 sq ft?",)),)

    estimate = await ask(after=chosen, area=2000)
    assert estimate.data["dataset"] == "bangalore-plots"
    assert "Based on bangalore-plots (5 rows)." in estimate.text
    assert (await ask(area=2000)).data["dataset"] == "windsor-housing"  # another session keeps the default


async def test_a_dataset_parameter_wins_over_the_session_choice(ask: Ask, store: Store) -> None:
    await upload_dataset(store, "bangalore-plots", PLOTS_CSV, x="area", y="price")
    chosen = await ask("prices.use_dataset", dataset="bangalore-plots")

    reply = await ask(after=chosen, area=5000, dataset="windsor-housing")
    assert reply.data["dataset"] == "windsor-housing"


async def test_use_dataset_without_a_name_lists_the_choices(ask: Ask, store: Store) -> None:
    await upload_dataset(store, "bangalore-plots", PLOTS_CSV, x="area", y="price")

    reply = await ask("prices.use_dataset")
    assert reply.text == "Which data set? I have: bangalore-plots, windsor-housing."
    assert reply.parts == (QuickReplies(("use dataset bangalore-plots", "use dataset windsor-housing")),)


async def test_an_unknown_dataset_is_not_found(ask: Ask) -> None:
    with pytest.raises(NotFoundError, match="I don't know a data set called 'nowhere'"):
        await ask("prices.use_dataset", dataset="nowhere")


async def test_a_line_that_goes_below_zero_gives_no_price(ask: Ask, store: Store) -> None:
    csv_text = "area,price\n1000,90000\n2000,60000\n3000,30000\n"
    await upload_dataset(store, "falling", csv_text, x="area", y="price")

    reply = await ask(area=5000, dataset="falling")
    assert reply.text.startswith("For a lot of 5,000 sq ft the fitted line gives no positive price, so I can't estimate one")


async def test_each_data_set_is_fitted_once_until_it_is_uploaded_again(ask: Ask, store: Store, models: PriceModels) -> None:
    await ask(area=5000)
    await ask(area=7000)
    await ask("prices.use_dataset", dataset="windsor-housing")
    assert models.fits == 1

    await upload_dataset(store, "bangalore-plots", PLOTS_CSV, x="area", y="price")
    await ask(area=2000, dataset="bangalore-plots")
    await upload_dataset(store, "bangalore-plots", PLOTS_CSV + "f,3500,99000\n", x="area", y="price")
    reply = await ask(area=2000, dataset="bangalore-plots")
    assert models.fits == 3
    assert reply.data["rows"] == 6


async def test_the_same_question_reuses_its_chart_and_another_draws_its_own(ask: Ask) -> None:
    first = await ask(area={"amount": 5000, "unit": "sq ft"})
    again = await ask(area={"amount": 5000, "unit": "sq ft"})
    other = await ask(area={"amount": 7000, "unit": "sq ft"})
    assert again.parts[0] is first.parts[0]
    assert isinstance(other.parts[0], Image) and isinstance(first.parts[0], Image)
    assert other.parts[0].data != first.parts[0].data and "7,000 sq ft" in other.parts[0].alt
