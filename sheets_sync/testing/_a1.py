"""A1 notation as the Sheets API reads it from clients and writes it back in responses."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CELL_LIKE = re.compile(r"([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*)\Z")
_TOKEN = re.compile(r"\$?(?P<col>[A-Za-z]{1,3})?\$?(?P<row>[0-9]+)?\Z")
_R1C1 = re.compile(r"[Rr](?P<row>[0-9]+)[Cc](?P<col>[0-9]+)\Z")
MAX_COLUMNS = 18278  # ZZZ


class RangeError(ValueError):
    """The text is not a range the API can parse."""


def col_letters(index: int) -> str:
    """Return the letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Return the 0-based index of column letters (A -> 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_name(row: int, col: int) -> str:
    """Return the A1 name of a 0-based cell."""
    return f"{col_letters(col)}{row + 1}"


def quote_title(title: str) -> str:
    """Quote a sheet title the way Google does in the ranges it echoes.

    Plain ASCII identifiers ("Sheet1", "Calendar") stay bare; anything with spaces, punctuation,
    non-ASCII letters or emoji, or that reads like a cell reference ("Q1", "R1C1"), is quoted.
    """
    if _PLAIN_TITLE.match(title) and not _CELL_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(title: str, r0: int, c0: int, r1: int, c1: int) -> str:
    """Return ``'Title'!A1:B2`` for the 0-based half-open box; one cell is ``Title!A1``."""
    start = cell_name(r0, c0)
    if r1 - r0 <= 1 and c1 - c0 <= 1:
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{cell_name(r1 - 1, c1 - 1)}"


@dataclass(frozen=True)
class Box:
    """0-based, half-open bounds; ``None`` means open (the edge of the grid)."""

    r0: int | None
    c0: int | None
    r1: int | None
    c1: int | None


@dataclass(frozen=True)
class ParsedRange:
    text: str
    title: str | None  # None: the first visible sheet
    box: Box | None  # None: the whole sheet
    cell_text: str  # the cell part as sent, for messages


def _token(text: str) -> tuple[int | None, int | None]:
    """Return (row, col), 0-based, of one side of a range; either may be None."""
    m = _R1C1.match(text)
    if m:
        return int(m["row"]) - 1, int(m["col"]) - 1
    m = _TOKEN.match(text)
    if not m or not (m["col"] or m["row"]):
        raise RangeError(text)
    row = int(m["row"]) - 1 if m["row"] else None
    col = col_index(m["col"]) if m["col"] else None
    if (row is not None and row < 0) or (col is not None and col >= MAX_COLUMNS):
        raise RangeError(text)
    return row, col


def parse_cells(text: str) -> Box:
    """Parse ``A1``, ``A1:B2``, ``A:B``, ``1:2``, ``A2:B``, ``R1C1:R2C2`` into a box."""
    text = text.strip()
    if not text:
        raise RangeError(text)
    if ":" in text:
        left, _, right = text.partition(":")
        r0, c0 = _token(left.strip())
        r1, c1 = _token(right.strip())
        if r0 is not None and r1 is not None and r1 < r0:
            r0, r1 = r1, r0
        if c0 is not None and c1 is not None and c1 < c0:
            c0, c1 = c1, c0
        return Box(r0, c0, None if r1 is None else r1 + 1, None if c1 is None else c1 + 1)
    row, col = _token(text)
    if row is None or col is None:
        raise RangeError(text)
    return Box(row, col, row + 1, col + 1)


def parse_range(text: str, titles: list[str]) -> ParsedRange:
    """Parse a range as the API does; ``titles`` resolves bare sheet names without ``!``."""
    raw = text.strip()
    if not raw:
        raise RangeError(text)
    if raw.startswith("'"):
        i, title = 1, ""
        while True:
            j = raw.find("'", i)
            if j < 0:
                raise RangeError(text)
            title += raw[i:j]
            if raw[j + 1 : j + 2] == "'":
                title += "'"
                i = j + 2
                continue
            rest = raw[j + 1 :]
            break
        if not rest:
            return ParsedRange(text, title, None, "")
        if not rest.startswith("!"):
            raise RangeError(text)
        cells = rest[1:]
        return ParsedRange(text, title, parse_cells(cells), cells)
    if "!" in raw:
        title, _, cells = raw.rpartition("!")
        return ParsedRange(text, title, parse_cells(cells), cells)
    lowered = {t.casefold() for t in titles}
    if raw.casefold() in lowered:
        return ParsedRange(text, raw, None, "")
    return ParsedRange(text, None, parse_cells(raw), raw)
