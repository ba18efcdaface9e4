"""What a message sharing a CSV asks for: a data set name and its x and y columns.

People say it in many ways ("dataset bangalore-plots x=area y=price", "use area
and price as x and y", "price against area"); ``read_request`` understands the
common ones and leaves the rest to a question that shows the CSV's header.
Pure functions, no Slack and no I/O, so the channel stays a translation.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

# A column or a name: quoted (it may hold spaces), or one bare word.
_TOKEN = r"(\"[^\"]+\"|'[^']+'|“[^”]+”|‘[^’]+’|`[^`]+`|[^\s,;:=\"'`“”‘’]+)"
_AXIS = r"(x|y)(?:[\s-]*(?:axis|column|col|value|values))?"
_BOTH = re.compile(
    rf"{_TOKEN}\s+(?:and|&)\s+{_TOKEN}\s+(?:as|for)\s+(?:the\s+)?(x|y)\s*(?:and|&|,)\s*(?:the\s+)?(x|y)\b", re.I
)
_AXIS_IS = re.compile(rf"(?<![\w-]){_AXIS}\s*(?:=|:|\bis\b|\bshould be\b)\s*{_TOKEN}", re.I)
_AS_AXIS = re.compile(rf"{_TOKEN}\s+(?:as|for)\s+(?:the\s+)?{_AXIS}(?![\w-])", re.I)
_AGAINST = re.compile(rf"{_TOKEN}\s+(?:against|vs\.?|versus)\s+{_TOKEN}", re.I)
_FROM = re.compile(rf"\b(?:predict|estimate)\s+{_TOKEN}\s+from\s+{_TOKEN}", re.I)
_AXES_ARE = re.compile(
    rf"\b(x|y)\s*(?:and|&|,)\s*(x|y)\s+(?:are|=|:)\s*{_TOKEN}\s*(?:and|&|,)\s*{_TOKEN}", re.I
)
# The name is looked ahead at, not consumed, so "dataset called plots" finds "called" as the next keyword.
_NAME = re.compile(
    rf"\b(?:data[\s-]?set|name|named|called|save[sd]?(?:\s+it)?\s+as|store[sd]?(?:\s+it)?\s+as)\b"
    rf"\s*(?:=|:|\bis\b)?\s*(?={_TOKEN})",
    re.I,
)
_MENTIONS = re.compile(r"\b(?:data[\s-]?sets?|csv|columns?)\b|(?<![\w-])[xy]\s*[=:]", re.I)
# Words that sit where a name or column would, but are only the sentence around it.
_GLUE = frozenset(
    "a an and as against called column columns csv data dataset file for from is it its my name named "
    "new set the this to use using versus vs with x y".split()
)
# Numeric columns that number the rows: never what a price is fitted on.
_ROW_ID = re.compile(r"^(?:id|.*[_ ]id|index|#|no\.?|row|unnamed.*)$", re.I)
_NAME_CHARS = re.compile(r"[^a-z0-9._-]+")
NAME_MAX = 64


@dataclass(frozen=True)
class DatasetRequest:
    """The name to store the data set under and the columns to fit (None: not said)."""

    name: str
    x: str | None
    y: str | None


def read_request(text: str, *, default_name: str) -> DatasetRequest:
    """The name and columns a message asks for; the name falls back to ``default_name`` (the file's)."""
    x, y = _columns(text)
    return DatasetRequest(name=_name(text) or default_name, x=x, y=y)


def mentions_dataset(text: str) -> bool:
    """Whether a message speaks of a data set or its columns (so a shared file is meant as one)."""
    return bool(_MENTIONS.search(text)) or _columns(text) != (None, None)


def name_from_file(file_name: str) -> str:
    """A data set name from a file name: "Bangalore Plots (2024).csv" -> "bangalore-plots-2024"."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    return _NAME_CHARS.sub("-", stem.lower()).strip("-._")[:NAME_MAX] or "upload"


def csv_header(csv_text: str) -> list[str]:
    """The CSV's column names, stripped; empty for an empty file."""
    return [h.strip() for h in next(csv.reader(io.StringIO(csv_text)), [])]


def resolve(column: str | None, header: list[str]) -> str | None:
    """The header's own spelling of a column named loosely ("Area", "lot_size" for "lot size")."""
    if column is None or column in header:
        return column
    for same in (str.casefold, _squash):
        found = [h for h in header if same(h) == same(column)]
        if len(found) == 1:
            return found[0]
    return column


def suggestion(name: str, csv_text: str) -> str:
    """What to say to upload this CSV, with plausible columns: the first and last numeric ones."""
    rows = csv.reader(io.StringIO(csv_text))
    header = [h.strip() for h in next(rows, [])]
    first = next(rows, [])
    numeric = [h for h, cell in zip(header, first) if h and _numeric(cell) and not _ROW_ID.match(h)]
    if len(numeric) < 2:
        numeric = [h for h in header if h] or ["area", "price"]
    x, y = numeric[0], numeric[-1] if len(numeric) > 1 else "price"
    return f"dataset {name} x={_quoted(x)} y={_quoted(y)}"


def _columns(text: str) -> tuple[str | None, str | None]:
    found: dict[str, str] = {}

    def take(axis: str, raw: str) -> None:
        column = _unquote(raw)
        if column and column.lower() not in _GLUE:
            found.setdefault(axis.lower(), column)

    for m in _BOTH.finditer(text):
        take(m.group(3), m.group(1))
        take(m.group(4), m.group(2))
    for m in _AXES_ARE.finditer(text):
        take(m.group(1), m.group(3))
        take(m.group(2), m.group(4))
    for m in _AXIS_IS.finditer(text):
        take(m.group(1), m.group(2))
    for m in _AS_AXIS.finditer(text):
        take(m.group(2), m.group(1))
    for m in (*_AGAINST.finditer(text), *_FROM.finditer(text)):
        take("y", m.group(1))
        take("x", m.group(2))
    return found.get("x"), found.get("y")


def _name(text: str) -> str | None:
    for m in _NAME.finditer(text):
        word = _unquote(m.group(1))
        after = text[m.end() + len(m.group(1)):]
        # "dataset x=area": the word before '=' is a column's axis, not a name.
        if word.lower() in _GLUE or after.lstrip().startswith(("=", ":")):
            continue
        return _NAME_CHARS.sub("-", word.lower()).strip("-._")[:NAME_MAX] or None
    return None


def _unquote(raw: str) -> str:
    if raw[:1] in "\"'`“‘":
        return raw[1:-1].strip()
    return raw.rstrip(".!?)").strip()


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _numeric(cell: str) -> bool:
    try:
        float(cell.strip().replace("$", "").replace(",", ""))
    except ValueError:
        return False
    return True


def _quoted(column: str) -> str:
    return f'"{column}"' if re.search(r"[\s,;:=]", column) else column
