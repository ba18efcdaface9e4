"""Data sets for price prediction: the bundled one, uploads (CSV text plus x and y columns), lookup by name.

An upload is validated completely before it is stored, so a stored data set
always fits: ``parse_dataset`` is what the REST route and the Slack file share
call (through ``upload_dataset``), and its ``InputError``s say exactly what is
wrong, with the row and column.
"""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import math
import re
import time
from dataclasses import dataclass
from importlib import resources

import numpy as np

from chatops.errors import InputError, NotFoundError
from chatops.store.base import Dataset, Store
from handlers.regression import Array, check_columns

BUNDLED_OWNER = "bundled"
MAX_ROWS = 2_000_000
# No price or area in any data set we mean to fit is this large; such a value is a typo or a unit mix-up.
ABSURD_VALUE = 1e15
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# "$1,234.50" and "1,234" are numbers; a lone comma elsewhere ("1,5") is not guessed at.
_GROUPED = re.compile(r"^[-+]?\$?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


@dataclass(frozen=True)
class _Bundled:
    file: str
    x: str
    y: str


BUNDLED = {"windsor-housing": _Bundled("windsor-housing.csv", x="lotsize", y="price")}


@dataclass(frozen=True)
class Upload:
    """A validated upload: the data set to store, its size, and what to tell the person who uploaded it."""

    dataset: Dataset
    rows: int

    @property
    def message(self) -> str:
        d = self.dataset
        return f"Saved {d.name}: {self.rows:,} rows, {d.y} against {d.x}. Say 'use dataset {d.name}' to price with it."


def parse_dataset(name: str, csv_text: str, *, x: str, y: str, owner: str = "") -> Upload:
    """Validate an upload into a storable ``Dataset``; raise ``InputError`` saying what is wrong."""
    name = name.strip().lower()
    if not _NAME.match(name):
        raise InputError(
            f"{name!r} can't be a data set name: use up to 64 lowercase letters, digits, '.', '_' or '-'."
        )
    if name in BUNDLED:
        raise InputError(f"{name} is the name of a bundled data set; choose another name.")
    dataset = Dataset(name=name, csv=csv_text, x=x.strip(), y=y.strip(), owner=owner, created_at=time.time())
    xs, _ = columns(dataset)
    return Upload(dataset, len(xs))


async def upload_dataset(store: Store, name: str, csv_text: str, *, x: str, y: str, owner: str = "") -> Upload:
    """Validate (in a worker thread: a large CSV takes a while) and store an uploaded data set.

    The REST route (``POST /api/v1/datasets``) and the Slack file share both call this and
    answer with ``Upload.message``; an ``InputError`` carries the message for a bad upload.
    """
    upload = await asyncio.to_thread(parse_dataset, name, csv_text, x=x, y=y, owner=owner)
    await store.put_dataset(upload.dataset)
    return upload


async def find_dataset(store: Store, name: str) -> Dataset:
    """A data set by name: bundled or uploaded."""
    key = name.strip().lower()
    if key in BUNDLED:
        return bundled(key)
    found = await store.get_dataset(key)
    if found is None:
        known = ", ".join(await available(store))
        raise NotFoundError(f"I don't know a data set called {name!r}. I have: {known}.")
    return found


async def available(store: Store) -> list[str]:
    return sorted({*BUNDLED, *await store.list_datasets()})


def bundled(name: str) -> Dataset:
    spec = BUNDLED[name]
    return Dataset(name=name, csv=_bundled_text(spec.file), x=spec.x, y=spec.y, owner=BUNDLED_OWNER)


@functools.cache
def _bundled_text(file: str) -> str:
    """A bundled file's text, read once: the package's files don't change while it runs, and each estimate asks."""
    return resources.files("handlers").joinpath("data", file).read_text(encoding="utf-8")


def columns(dataset: Dataset) -> tuple[Array, Array]:
    """The x and y columns as floats, checked: present, numeric, plausible, at least two rows, x not constant."""
    rows = csv.reader(io.StringIO(dataset.csv))
    header = [h.strip() for h in next(rows, [])]
    if not any(header):
        raise InputError("The CSV is empty: it needs a header row naming its columns, then the data.")
    if dataset.x == dataset.y:
        raise InputError(f"x and y are both {dataset.x!r}; choose two different columns.")
    ix, iy = _index(header, dataset.x), _index(header, dataset.y)
    xs: list[float] = []
    ys: list[float] = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(xs) >= MAX_ROWS:
            raise InputError(f"The data set has more than {MAX_ROWS:,} rows; that is more than I fit in chat.")
        xs.append(_value(row, ix, dataset.x, line))
        ys.append(_value(row, iy, dataset.y, line))
    if not xs:
        raise InputError(f"The columns {dataset.x} and {dataset.y} are empty: the CSV has no data rows.")
    x, y = np.array(xs, dtype=np.float64), np.array(ys, dtype=np.float64)
    check_columns(x, y, x_name=dataset.x, y_name=dataset.y)
    return x, y


def _index(header: list[str], column: str) -> int:
    if column not in header:
        shown = ", ".join(h for h in header if h)
        raise InputError(f"There is no column {column!r}. The columns are: {shown}.")
    if header.count(column) > 1:
        raise InputError(f"The column name {column!r} appears twice in the header.")
    return header.index(column)


def _value(row: list[str], index: int, column: str, line: int) -> float:
    cell = row[index].strip() if index < len(row) else ""
    if not cell:
        raise InputError(f"Row {line} has no value for {column}.")
    text = cell.replace("$", "").replace(",", "") if _GROUPED.match(cell) else cell
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"The column {column} must be numeric, but row {line} has {cell!r}.")
    if abs(value) > ABSURD_VALUE:
        raise InputError(f"Row {line} has an implausible {column}: {cell}.")
    return value
