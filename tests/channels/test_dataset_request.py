"""Reading a data set's name and columns from the message that shares a CSV."""

from __future__ import annotations

import pytest

from chatops.channels.dataset_request import (
    DatasetRequest,
    csv_header,
    mentions_dataset,
    name_from_file,
    read_request,
    resolve,
    suggestion,
)
from chatops.channels.slack_listeners import shares_dataset

PLOTS = 'plot,area,price\na,1000,"$52,000"\nb,1500,"$61,000"\n'


@pytest.mark.parametrize(
    "text, expected",
    [
        ("dataset bangalore-plots x=area y=price", ("bangalore-plots", "area", "price")),
        ("dataset: plots, x: Area, y: Price", ("plots", "Area", "Price")),
        ("name=plots x = area y = price", ("plots", "area", "price")),
        ("use area and price as x and y", ("from-file", "area", "price")),
        ("use price and area as y and x", ("from-file", "area", "price")),
        ("upload this csv as a dataset called bangalore-plots with area as x and price as y", ("bangalore-plots", "area", "price")),
        ("use area as the x and price for y", ("from-file", "area", "price")),
        ("x and y are area and price", ("from-file", "area", "price")),
        ("x-axis = area; y column: price", ("from-file", "area", "price")),
        ("plot price against area", ("from-file", "area", "price")),
        ("price vs. area please", ("from-file", "area", "price")),
        ("save it as my-plots. predict price from area.", ("my-plots", "area", "price")),
        ('dataset plots x="lot size" y=price', ("plots", "lot size", "price")),
        ("dataset plots x=“lot size” y=‘sale price’", ("plots", "lot size", "sale price")),
        ("dataset x=area y=price", ("from-file", "area", "price")),
        ("data set Bangalore_Plots x=area", ("bangalore_plots", "area", None)),
        ("use dataset bangalore-plots", ("bangalore-plots", None, None)),
        ("here you go", ("from-file", None, None)),
        ("", ("from-file", None, None)),
    ],
)
def test_the_name_and_columns_are_read_leniently(text: str, expected: tuple[str, str | None, str | None]) -> None:
    assert read_request(text, default_name="from-file") == DatasetRequest(*expected)


def test_the_first_mention_of_an_axis_wins() -> None:
    assert read_request("x=area y=price, or rather x=plot", default_name="d") == DatasetRequest("d", "area", "price")


@pytest.mark.parametrize(
    "text, meant",
    [
        ("dataset plots", True), ("a data set", True), ("here is the CSV", True), ("the columns are in there", True),
        ("x=area y=price", True), ("use area and price as x and y", True), ("price against area", True),
        ("tell me a joke", False), ("look at this photo", False), ("", False),
    ],
)
def test_a_message_speaking_of_a_data_set_is_recognised(text: str, meant: bool) -> None:
    assert mentions_dataset(text) is meant


def test_a_shared_file_is_an_upload_when_it_is_a_csv_or_the_text_says_so() -> None:
    csv_file = {"name": "plots.csv", "filetype": "csv", "mimetype": "text/csv"}
    photo = {"name": "cat.png", "filetype": "png", "mimetype": "image/png"}
    assert shares_dataset("", [csv_file])
    assert shares_dataset("tell me a joke", [photo, csv_file])
    assert shares_dataset("dataset cats x=a y=b", [photo])
    assert not shares_dataset("tell me a joke", [photo])
    assert not shares_dataset("dataset plots x=area y=price", [])


@pytest.mark.parametrize(
    "file_name, name",
    [
        ("bangalore-plots.csv", "bangalore-plots"),
        ("Bangalore Plots (2024).csv", "bangalore-plots-2024"),
        ("sales.2024.csv", "sales.2024"),
        ("README", "readme"),
        (".csv", "upload"),
        ("☃.csv", "upload"),
        ("x" * 80 + ".csv", "x" * 64),
    ],
)
def test_a_name_is_made_from_the_file_name(file_name: str, name: str) -> None:
    assert name_from_file(file_name) == name


def test_columns_are_matched_to_the_headers_spelling() -> None:
    header = ["plot", "Area", "lot_size", "price", "PRICE"]
    assert resolve("Area", header) == "Area"
    assert resolve("area", header) == "Area"
    assert resolve("lot size", header) == "lot_size"
    assert resolve("Price", header) == "Price"  # two case-insensitive matches: left to the handler to reject
    assert resolve("size", header) == "size"
    assert resolve(None, header) is None


def test_the_header_is_read_from_the_first_row() -> None:
    assert csv_header(PLOTS) == ["plot", "area", "price"]
    assert csv_header(' "lot size" , price\n1,2\n') == ['"lot size"', "price"]
    assert csv_header("") == []


def test_the_suggestion_names_numeric_columns() -> None:
    assert suggestion("plots", PLOTS) == "dataset plots x=area y=price"
    assert suggestion("p", "id,lot size,beds,sale price\n1,5000,3,90000\n") == 'dataset p x="lot size" y="sale price"'
    assert suggestion("p", "a,b\nx,y\n") == "dataset p x=a y=b"
    assert suggestion("p", "only\n") == "dataset p x=only y=price"
