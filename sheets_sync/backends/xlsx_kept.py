"""A workbook's last read, kept in the state database: an unchanged workbook is not read again.

A large workbook costs most of a cycle to read (unzipping, parsing the XML, one Python object
per cell, the size checks of :mod:`sheets_sync.backends.bounds`). When the file holds exactly
the bytes the last cycle read or wrote (the same SHA-256 of its content, never only the same
time stamp or size), what that read gave, or what the tool itself wrote, is what reading it
again would give, and the kept copy serves instead.

The copy is kept in the calendar's cache in the state database (:class:`KeptRead`): one
record naming the file's digest and what was asked for (the calendar tab, the owned tabs, the
size limits, this format), and one blob per tab. Each blob's own digest is in the record, so a
damaged or half-written copy is found and costs a read, never a wrong cycle.

A tab is encoded column by column as JSON (:func:`encode_grid`), never with pickle or marshal
(the database is a file anyone with access may change): text, numbers, yes/no and blanks are
JSON's own, and come back as the same Python types (``3.0`` stays a float, ``3`` an int);
dates, date-times, times of day, durations and non-finite numbers are written as text, with
a letter per cell naming each cell's type, and turned back into the same types. A column of
repeated texts (clients, channels, states) keeps each text once.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import importlib.util
import itertools
import json
import math
import numbers
import operator
import os
import re
import sys
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from sheets_sync.backends.bounds import Limits
from sheets_sync.cells import Cell, ColumnGrid, Grid

FORMAT = 1  # of the record and the blobs: anything else is not used
RECORD = "xlsx-read"  # the cache key of the record; the blobs are RECORD + ":" + a number

_NONE = type(None)
_JSON = frozenset({str, bool, int, _NONE})  # JSON gives back exactly these types


def _duration(text: str) -> dt.timedelta:
    days, seconds, microseconds = map(int, text.split(","))
    return dt.timedelta(days, seconds, microseconds)


_DECODE: dict[str, Callable[[str], Any]] = {
    "d": dt.date.fromisoformat,
    "D": dt.datetime.fromisoformat,
    "t": dt.time.fromisoformat,
    "T": _duration,
    "F": float,
}


class Unkept(Exception):
    """A value this format does not keep (the tab is then not kept)."""


# --- one tab ---------------------------------------------------------------------------------

def encode_grid(rows: Sequence[Sequence[Cell]], written: bool = False) -> bytes:
    """Return ``rows`` as UTF-8 JSON, column by column; :func:`decode_grid` gives them back.

    ``written``: the rows are what the tool wrote into a tab; they are kept as a read of that
    tab gives them back (:func:`_as_read_back`). Raises Unkept for a value other than text, a
    number, yes/no, None, a date, a naive date-time or time of day, or a duration.
    """
    from sheets_sync.fastpaths import object_columns

    lengths = [len(row) for row in rows]
    width = max(lengths, default=0)
    columns = object_columns(rows, width) if rows else []
    short = [[index, length] for index, length in enumerate(lengths) if length < width]
    document = {"format": FORMAT, "height": len(rows), "width": width, "short": short,
                "columns": [_encode_column(column.tolist(), written) for column in columns]}
    return _dumps(document)


def decode_grid(blob: bytes) -> Grid:
    """The rows :func:`encode_grid` encoded; ValueError (or another plain error: KeyError,
    TypeError, IndexError) for a blob that is not one."""
    grid = decode_columns(blob)
    if not grid.columns:
        return [[] for _ in range(len(grid))]
    rows: Grid = [list(row) for row in zip(*grid.columns)]  # in C, then the short rows cut
    for index, width in enumerate(grid.widths):
        if width < len(grid.columns):
            del rows[index][width:]
    return rows


def decode_columns(blob: bytes) -> KeptGrid:
    """The rows :func:`encode_grid` encoded, held column by column (:class:`KeptGrid`);
    raises as :func:`decode_grid`."""
    document = _loads(blob)
    if document.get("format") != FORMAT:
        raise ValueError("not a kept tab of this format")
    height, width = int(document["height"]), int(document["width"])
    columns = [_decode_column(column, height) for column in document["columns"]]
    if len(columns) != width:
        raise ValueError("the kept tab's width does not match its columns")
    widths = [width] * height
    for index, length in document["short"]:
        if not 0 <= int(length) < width:
            raise ValueError("a kept row's length is damaged")
        widths[index] = int(length)
    return KeptGrid(columns, widths)


class KeptGrid(ColumnGrid):
    """A kept tab as it was decoded, column by column, read as rows exactly as the workbook
    gave them (each with as many cells as it had, blank ones too).

    The parser takes the columns directly (:func:`sheets_sync.parse.parse`), so a large
    calendar is never turned into one list per row.
    """

    def __init__(self, columns: list[list[Any]], widths: list[int]) -> None:
        super().__init__(columns)
        self.height = len(widths)
        self.widths = widths  # cells per row

    def _row(self, index: int) -> list[Any]:
        return [column[index] for column in self.columns[:self.widths[index]]]


# One letter per type a cell may have. JSON gives text, yes/no, whole numbers, other numbers
# and blanks back as they were; dates, date-times and times of day are written as ISO text,
# durations as "days,seconds,microseconds" and numbers JSON has none for (NaN, infinities)
# as their repr, and a column holding any of these keeps each cell's letter beside it.
_LETTER: dict[type, str] = {str: "s", bool: "b", int: "i", float: "f", _NONE: "n",
                            dt.date: "d", dt.datetime: "D", dt.time: "t", dt.timedelta: "T"}
_PLAIN_LETTERS = frozenset("sbifn")
_SIMPLE = frozenset({str, bool, int, float, _NONE, dt.date, dt.datetime})  # kept as written
_SAMPLE = 1000  # cells looked at to tell whether a column's texts repeat


def _encode_column(values: list[Any], written: bool) -> dict[str, Any]:
    if written:
        values = _as_read_back(values)
    if len(values) > 1 and len(set(values[:_SAMPLE])) * 2 < min(len(values), _SAMPLE):
        texts = list(dict.fromkeys(values))  # equal numbers and yes/no share one key
        # Only text equals text, only None None: so every cell is text or None.
        if len(texts) * 2 < len(values) and {type(t) for t in texts} <= {str, _NONE}:
            where = {text: index for index, text in enumerate(texts)}
            kind = np.uint8 if len(texts) <= 0xFF else np.uint16 if len(texts) <= 0xFFFF \
                else np.uint32
            index = np.fromiter(map(where.__getitem__, values), dtype=kind, count=len(values))
            return {"texts": texts, "index": base64.b64encode(index.tobytes()).decode("ascii"),
                    "size": index.itemsize}
    kinds = set(map(type, values))
    if kinds <= {str, _NONE}:
        return {"values": values}
    if not kinds <= _LETTER.keys():
        raise Unkept(f"a {next(k for k in kinds if k not in _LETTER).__name__} value")
    finite = float not in kinds or _finite(values)
    if kinds <= _JSON or (kinds <= _JSON | {float} and finite):
        return {"values": values}
    letters = list(map(_LETTER.__getitem__, map(type, values)))
    if (dt.datetime in kinds or dt.time in kinds) and _zoned(values):
        raise Unkept("a date-time with a time zone")
    values = list(values)
    if dt.timedelta in kinds or not finite:
        for at, letter in enumerate(letters):
            value = values[at]
            if letter == "T":
                values[at] = f"{value.days},{value.seconds},{value.microseconds}"
            elif letter == "f" and not math.isfinite(value):
                letters[at], values[at] = "F", repr(value)
    return {"values": values, "letters": "".join(letters)}


def _decode_column(column: Mapping[str, Any], height: int) -> list[Any]:
    if "texts" in column:
        texts = np.empty(len(column["texts"]), dtype=object)
        texts[:] = column["texts"]
        kind = {1: np.uint8, 2: np.uint16, 4: np.uint32}[column["size"]]
        index = np.frombuffer(base64.b64decode(column["index"], validate=True), dtype=kind)
        if len(index) != height or not all(type(t) in (str, _NONE) for t in column["texts"]):
            raise ValueError("a kept column of texts is damaged")
        if len(index) and int(index.max()) >= len(texts):
            raise ValueError("a kept column of texts is damaged")
        return cast("list[Any]", texts[index].tolist())
    values = column["values"]
    if type(values) is not list or len(values) != height:
        raise ValueError("a kept column is damaged")
    letters = column.get("letters")
    if letters is None:
        return values
    if type(letters) is not str or len(letters) != height:
        raise ValueError("a kept column's types are damaged")
    for letter in set(letters) - _PLAIN_LETTERS:
        parse = _DECODE[letter]
        memo: dict[str, Any] = {}
        for found in re.finditer(re.escape(letter), letters):
            at = found.start()
            text = values[at]
            value = memo.get(text)
            if value is None:
                value = memo[text] = parse(text)
            values[at] = value
    return values


def _as_read_back(values: list[Any]) -> list[Any]:
    """Written cells as the next cycle's comparisons must see them: NaN (written as a blank)
    None, an infinity (written as text) its text, a date-time with a time zone (written as
    its wall time) naive, numbers and dates of other types (numpy's, pandas') Python's. Whole
    numbers and date-times at midnight stay as they are: a read gives them back as floats and
    dates, which compare the same (:func:`sheets_sync.cells.same_grid`)."""
    kinds = set(map(type, values))
    if kinds <= _SIMPLE and (float not in kinds or _finite(values)) and (
            dt.datetime not in kinds or not _zoned(values)):
        return values
    out = list(values)
    for at, kind in enumerate(map(type, values)):
        value = out[at]
        if kind not in _SIMPLE or (kind is float and not math.isfinite(value)) or (
                kind is dt.datetime and value.tzinfo is not None):
            out[at] = _read_back(value)
    return out


def _zoned(values: list[Any]) -> bool:
    """Whether a date-time or time of day among ``values`` has a time zone."""
    moments = itertools.compress(values, map(operator.contains, itertools.repeat(
        (dt.datetime, dt.time)), map(type, values)))
    return bool(set(map(operator.attrgetter("tzinfo"), moments)) - {None})


def _finite(values: list[Any]) -> bool:
    """Whether every float among ``values`` is finite (JSON has no NaN nor infinities)."""
    floats = itertools.compress(values, map(operator.is_, map(type, values),
                                            itertools.repeat(float)))
    return bool(np.isfinite(np.fromiter(floats, dtype=float)).all())


def _dumps(document: Any) -> bytes:
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency
        return json.dumps(document, ensure_ascii=False, allow_nan=False).encode("utf-8")
    return orjson.dumps(document)


def _loads(blob: bytes) -> dict[str, Any]:
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency
        document = json.loads(blob)
    else:
        document = orjson.loads(blob)
    if not isinstance(document, dict):
        raise ValueError("not a kept tab")
    return document


def _read_back(value: Any) -> Cell:
    """One written cell as :func:`_as_read_back` keeps it."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if number != number:
            return None
        return number if math.isfinite(number) else ("inf" if number > 0 else "-inf")
    if isinstance(value, dt.datetime):
        if value != value:  # NaT
            return None
        return dt.datetime(value.year, value.month, value.day, value.hour, value.minute,
                           value.second, value.microsecond)
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, str):
        return str(value)
    raise Unkept(f"a {type(value).__name__} value")


# --- the record ------------------------------------------------------------------------------

@functools.cache
def reader() -> str:
    """What reads a workbook here: a digest of the reading code and of python-calamine's
    installed module. A copy kept by another version is not used (it may read differently).
    "" when that cannot be told: nothing is then kept or used."""
    from sheets_sync.backends import bounds, files, formulas

    digest = hashlib.sha256(str(FORMAT).encode())
    try:
        for module in (files, bounds, formulas, sys.modules[__name__]):
            digest.update(Path(str(module.__file__)).read_bytes())
        spec = importlib.util.find_spec("python_calamine")  # found, not imported
        installed = Path(str(spec.origin if spec is not None else None)).parent
        for name in sorted(os.listdir(installed)):
            stat = (installed / name).stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    except (OSError, TypeError, ValueError, ImportError):
        return ""
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Kept:
    """A kept read: the calendar tab's name and rows, and each owned tab's rows (None: the
    workbook has no such tab)."""

    calendar: str
    rows: KeptGrid  # the calendar's cells, column by column
    owned: dict[str, Grid | None]
    cells: str = ""  # the SHA-256 of the calendar's kept encoding: equal cells, equal digest


class KeptRead:
    """The kept read of one workbook in a cache (the calendar's, in the state database).

    ``asked`` identifies what a read was asked for: a copy kept for another calendar tab,
    other owned tabs or other size limits is never used.
    """

    def __init__(self, cache: MutableMapping[str, str], tab: str, owned: Sequence[str],
                 limits: Limits) -> None:
        self.cache = cache
        self.owned = list(owned)
        self.asked: dict[str, Any] = {
            "tab": tab, "owned": list(owned), "reader": reader(),
            "limits": [limits.max_cells, limits.max_unpacked_mb]}
        self.cells = ""  # the calendar's digest (Kept.cells) in the copy last kept


    def load(self, digest: str) -> Kept | None:
        """The kept read of the file whose content has this SHA-256 (hex), or None."""
        record = self._record()
        if record is None or record.get("digest") != digest:
            return None
        try:
            tabs = record["tabs"]
            blob = self._blob_of(tabs[0])
            if blob is None:
                return None
            owned: dict[str, Grid | None] = {}
            for name, entry in zip(self.owned, tabs[1:], strict=True):
                found = self._blob_of(entry) if entry is not None else None
                if entry is not None and found is None:
                    return None
                owned[name] = decode_grid(found) if found is not None else None
            return Kept(str(record["calendar"]), decode_columns(blob), owned, str(tabs[0][1]))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None

    def keep(self, digest: str, calendar: str, rows: Sequence[Sequence[Cell]] | None,
             owned: Mapping[str, Sequence[Sequence[Cell]] | None], was: str = "",
             written: bool = False) -> bool:
        """Keep the read of the file whose content has this digest: the calendar tab's rows
        and the owned tabs given. With ``was``, the digest of the file kept until now (the
        tool itself changed it), the calendar's rows (when ``rows`` is None) and the owned
        tabs not given are taken from that copy; ``written``: the owned tabs given are what
        the tool wrote (kept as a read gives them back). Returns False, keeping nothing, when
        a value cannot be kept or there is no such copy to take the rest from."""
        record = self._record()
        previous = record["tabs"] if record is not None and was and (
            record.get("digest") == was) else None
        try:
            entries: list[Any] = []
            tabs = [rows, *(owned.get(name, ...) for name in self.owned)]
            for index, grid in enumerate(tabs):
                if grid is ... or (index == 0 and grid is None):  # as kept until now
                    if previous is None:
                        raise Unkept("nothing kept to take the rest from")
                    entries.append(previous[index])
                elif grid is None:  # no such tab
                    entries.append(None)
                else:
                    blob = encode_grid(grid, written=index > 0 and written)
                    key = f"{RECORD}:{index}"
                    entries.append([key, hashlib.sha256(blob).hexdigest()])
                    self._put(key, blob)
        except (Unkept, TypeError, ValueError, IndexError, OverflowError):
            self.forget()
            return False
        self.cache[RECORD] = json.dumps({"format": FORMAT, **self.asked, "digest": digest,
                                         "calendar": calendar, "tabs": entries},
                                        ensure_ascii=False)
        self.cells = str(entries[0][1])
        return True

    def forget(self) -> None:
        """Drop the kept read (the record first: no record points at a missing blob)."""
        self.cache.pop(RECORD, None)
        for key in [key for key in self.cache if key.startswith(f"{RECORD}:")]:
            self.cache.pop(key, None)

    def rekey(self, digest: str, was: str) -> bool:
        """Say that the file with content ``digest`` holds what is kept for ``was`` (the tool
        changed only the calendar's formats); False, forgetting it, when nothing is kept for
        ``was``."""
        record = self._record()
        if record is None or record.get("digest") != was:
            self.forget()
            return False
        record["digest"] = digest
        self.cache[RECORD] = json.dumps(record, ensure_ascii=False)
        return True

    # --- inside -------------------------------------------------------------------------
    def _record(self) -> dict[str, Any] | None:
        """The record, when it is of this format and for what is asked now."""
        try:
            text = self.cache.get(RECORD)
            record = json.loads(text) if text else None
        except (ValueError, TypeError):
            return None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return None
        if any(record.get(key) != value for key, value in self.asked.items()):
            return None
        tabs = record.get("tabs")
        if not isinstance(tabs, list) or len(tabs) != 1 + len(self.owned):
            return None
        return record

    def _blob_of(self, entry: Any) -> bytes | None:
        """The blob a record's entry names, when it is there and has the digest named."""
        key, digest = entry
        blob = self._blob(str(key))
        if blob is None or hashlib.sha256(blob).hexdigest() != digest:
            return None
        return blob

    def _blob(self, key: str) -> bytes | None:
        getter = getattr(self.cache, "blob", None)
        if getter is not None:
            return cast("bytes | None", getter(key))
        text = self.cache.get(key)
        return None if text is None else text.encode("utf-8")

    def _put(self, key: str, blob: bytes) -> None:
        setter = getattr(self.cache, "set_blob", None)
        if setter is not None:
            setter(key, blob)
        else:
            self.cache[key] = blob.decode("utf-8")
