"""Data set uploads: what is accepted, every way a CSV can be unusable, storage and lookup by name."""

from __future__ import annotations

import pytest

from chatops.errors import InputError, NotFoundError
from chatops.store.base import Store
from handlers.datasets import available, bundled, columns, find_dataset, parse_dataset, upload_dataset
from tests.handlers.prices.conftest import PLOTS_CSV


def test_an_upload_is_parsed_with_grouped_numbers_and_currency() -> None:
    upload = parse_dataset(" Bangalore-Plots ", PLOTS_CSV, x="area", y="price", owner="U123")

    dataset = upload.dataset
    assert upload.rows == 5
    assert upload.message == "Saved bangalore-plots: 5 rows, price against area. Say 'use dataset bangalore-plots' to price with it."
    assert (dataset.name, dataset.x, dataset.y, dataset.owner) == ("bangalore-plots", "area", "price", "U123")
    assert dataset.created_at > 0
    x, y = columns(dataset)
    assert x.tolist() == [1000, 1500, 2000, 2400, 3000]
    assert y.tolist() == [52000, 61000, 69500, 80000, 91000]


def test_the_bundled_data_set_has_every_windsor_sale() -> None:
    x, y = columns(bundled("windsor-housing"))
    assert len(x) == len(y) == 546
    assert (x[0], y[0]) == (5850, 42000)


@pytest.mark.parametrize(
    ("csv_text", "x", "y", "message"),
    [
        ("", "area", "price", "The CSV is empty"),
        ("area,price\n", "area", "price", "The columns area and price are empty: the CSV has no data rows"),
        ("area,price\n1000,5\n", "area", "price", "A line needs at least two rows of data; this data set has 1"),
        ("area,price\n1000,5\n1000,7\n", "area", "price", "Every area is 1000, so no line can be fitted: area must vary"),
        ("area,price\n1000,5\nbig,7\n", "area", "price", "The column area must be numeric, but row 3 has 'big'"),
        ("area,price\n1000,5\n1200,nan\n", "area", "price", "The column price must be numeric, but row 3 has 'nan'"),
        ("area,price\n1000,5\n1200,\n", "area", "price", "Row 3 has no value for price"),
        ("area,price\n1000,5\n1200\n", "area", "price", "Row 3 has no value for price"),
        ("area,price\n1000,5\n1200,1e300\n", "area", "price", "Row 3 has an implausible price: 1e300"),
        ("area,price\n1000,5\n1200,7\n", "size", "price", "There is no column 'size'. The columns are: area, price"),
        ("area,price\n1000,5\n1200,7\n", "area", "area", "x and y are both 'area'"),
        ("area,area,price\n1,2,3\n4,5,6\n", "area", "price", "The column name 'area' appears twice"),
        ("area,price\n1,5\n2,6\n", "area", "price", None),
    ],
)
def test_unusable_csv_gets_a_clear_message(csv_text: str, x: str, y: str, message: str | None) -> None:
    if message is None:
        assert parse_dataset("ok", csv_text, x=x, y=y).dataset.name == "ok"
        return
    with pytest.raises(InputError) as caught:
        parse_dataset("plots", csv_text, x=x, y=y)
    assert caught.value.user_message.startswith(message)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("my plots", "can't be a data set name"),
        ("", "can't be a data set name"),
        ("x" * 65, "can't be a data set name"),
        ("windsor-housing", "is the name of a bundled data set"),
    ],
)
def test_bad_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_dataset(name, PLOTS_CSV, x="area", y="price")


async def test_an_upload_is_stored_and_found_by_name(store: Store) -> None:
    upload = await upload_dataset(store, "bangalore-plots", PLOTS_CSV, x="area", y="price", owner="U1")
    assert upload.rows == 5

    found = await find_dataset(store, "Bangalore-Plots")
    assert (found.name, found.x, found.y, found.csv) == ("bangalore-plots", "area", "price", PLOTS_CSV)
    assert await available(store) == ["bangalore-plots", "windsor-housing"]
    assert (await find_dataset(store, "windsor-housing")).owner == "bundled"


async def test_a_bad_upload_is_not_stored(store: Store) -> None:
    with pytest.raises(InputError):
        await upload_dataset(store, "broken", "area,price\n1,2\n", x="area", y="price")
    assert await store.list_datasets() == []


async def test_an_unknown_name_lists_what_there_is(store: Store) -> None:
    with pytest.raises(NotFoundError) as caught:
        await find_dataset(store, "mars-plots")
    assert caught.value.user_message == "I don't know a data set called 'mars-plots'. I have: windsor-housing."
