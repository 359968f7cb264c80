"""Private internals of pandas, kept in this one module, each with a plain fallback.

Three routines here are not part of pandas' public interface. They are used because they are
measurably faster on the hot path of reading a large calendar. Each one is imported once, at
the top of this module; a pandas upgrade that removes or renames one breaks here, visibly (see
:func:`active`), and the plain fallback beside it takes over with the same results.

Every entry point has three parts: ``*_fast`` (the private routine, which also falls back for
the inputs it refuses or reads differently), ``*_plain`` (public or standard-library code only)
and the function the rest of the package calls, which picks the fast one when it is available.

Two of them also read an object array's memory as the addresses of the objects it holds
(:func:`_addresses`): equal addresses are the same object, which integers tell far quicker
than a comparison of every object.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

try:
    from pandas._libs.hashtable import (  # type: ignore[import-not-found]
        Int64HashTable,
        PyObjectHashTable,
    )
except ImportError:  # another pandas: the plain fallback
    Int64HashTable = PyObjectHashTable = None
try:
    from pandas._libs.lib import to_object_array  # type: ignore[attr-defined]
except ImportError:  # another pandas: the plain fallback
    to_object_array = None
try:  # pandas 2.2 and 3 both export it here
    from pandas.io.json import ujson_loads  # type: ignore[attr-defined]
except ImportError:  # another pandas: the plain fallback
    ujson_loads = None


def active() -> dict[str, str]:
    """Return which implementation each entry point uses now: ``"fast"`` or ``"plain"``."""
    return {name: "plain" if routine is None else "fast" for name, routine in (
        ("factorize", PyObjectHashTable), ("object_columns", to_object_array),
        ("json", ujson_loads))}


# -- factorize: (codes, uniques) of a 1-D object column; None and NaN get code -1 -------------

# pandas' object hash table skips pd.factorize's first pass, which reads every cell to see
# whether all are text (and then hashes their UTF-8 form): a whole extra pass over objects
# scattered all over memory on a large sheet.
#
# A column read from a file holds each of its repeated texts as a few objects (the CSV parser
# makes one per distinct text and chunk of the file), so a long column of repeats is first
# factorized by the objects' addresses, integers hashed far quicker than text, and only the
# few distinct objects then by their values.
def factorize_fast(cells: np.ndarray, size_hint: int = 64) -> tuple[np.ndarray, np.ndarray]:
    if len(cells) >= _BY_ADDRESS_FROM and size_hint < len(cells):  # not expected distinct
        found = _factorize_by_address(cells)
        if found is not None:
            return found
    table = PyObjectHashTable(size_hint)
    uniques, codes = table.factorize(cells)
    return np.asarray(codes, dtype=np.intp), uniques


_BY_ADDRESS_FROM = 4096  # cells; a shorter column is factorized quickly enough as it is
_SAMPLE = 2000  # cells looked at to tell a column of repeated objects from one of distinct ones


def _addresses(cells: np.ndarray) -> np.ndarray | None:
    """The addresses of the objects a contiguous object array holds, as a read-only view
    of its memory, or None. The view keeps ``cells``, and so the objects, alive."""
    if (cells.ndim != 1 or not cells.flags.c_contiguous
            or cells.itemsize != ctypes.sizeof(ctypes.c_ssize_t)):
        return None
    memory = (ctypes.c_ssize_t * len(cells)).from_address(cells.ctypes.data)
    memory._cells = cells  # type: ignore[attr-defined]  # the view's base holds the memory
    addresses = np.ctypeslib.as_array(memory)
    addresses.flags.writeable = False
    return addresses


def _factorize_by_address(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`factorize_fast` of a long column through its objects' addresses, or None when
    its objects are mostly distinct (nothing to gain)."""
    addresses = _addresses(cells)
    if addresses is None or Int64HashTable is None:
        return None
    head = addresses[:_SAMPLE]
    if len(np.unique(head)) * 2 > len(head):
        return None
    distinct, by_object = Int64HashTable(64).factorize(addresses.astype(np.int64))
    if len(distinct) * 2 > len(cells):
        return None
    # Codes are handed out in order of first appearance, so each object's first cell is
    # where the running highest code goes up.
    highest = np.maximum.accumulate(by_object)
    first = np.flatnonzero(np.diff(highest, prepend=-1) > 0)
    uniques, by_value = PyObjectHashTable(64).factorize(cells[first])
    return np.asarray(by_value, dtype=np.intp)[by_object], uniques


def factorize_plain(cells: np.ndarray, size_hint: int = 64) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(cells)
    return codes, np.asarray(uniques, dtype=object)


def factorize_objects(cells: np.ndarray, size_hint: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, uniques)`` of a 1-D object array like ``pd.factorize``.

    ``size_hint`` sizes the hash table (the column's length for mostly distinct values).
    """
    if PyObjectHashTable is not None:
        try:
            return factorize_fast(cells, size_hint)
        except (TypeError, ValueError):  # an input it refuses: the public routine decides
            pass
    return factorize_plain(cells, size_hint)


# -- empty_texts: which cells of an object column are the empty text -------------------------

# CPython keeps one empty text: every text of no characters it makes is that one object (the
# CSV parser's empty fields too), so the empty cells of a long column are where its address
# is. A column whose first cells say otherwise is compared cell by cell.
def empty_texts_fast(cells: np.ndarray) -> np.ndarray:
    addresses = _addresses(cells) if len(cells) >= _BY_ADDRESS_FROM else None
    if addresses is None:
        return empty_texts_plain(cells)
    empty = addresses == id("")
    head = slice(0, _BY_ADDRESS_FROM)
    if not np.array_equal(empty[head], empty_texts_plain(cells[head])):
        return empty_texts_plain(cells)
    return empty


def empty_texts_plain(cells: np.ndarray) -> np.ndarray:
    return np.asarray(cells == "", dtype=bool)


def empty_texts(cells: np.ndarray) -> np.ndarray:
    """Return which cells of a 1-D object array are the empty text ``""``."""
    return empty_texts_fast(cells)


# -- object_columns: the first ``width`` columns of ragged rows, missing cells None -----------

# pandas' C routine fills a 2-D object array from ragged rows several times faster than
# itertools.zip_longest plus one array per column on a large grid.
def object_columns_fast(rows: Sequence[Sequence[Any]], width: int) -> list[np.ndarray]:
    grid = to_object_array(rows if isinstance(rows, list) else list(rows), min_width=width)
    return [grid[:, j] for j in range(width)]


def object_columns_plain(rows: Sequence[Sequence[Any]], width: int) -> list[np.ndarray]:
    count = len(rows)
    columns = [np.fromiter(column, dtype=object, count=count) for column in
               itertools.islice(itertools.zip_longest(*rows, fillvalue=None), width)]
    columns.extend(np.full(count, None, dtype=object) for _ in range(width - len(columns)))
    return columns


def object_columns(rows: Sequence[Sequence[Any]], width: int) -> list[np.ndarray]:
    """Return the first ``width`` columns of ragged ``rows`` as object arrays (None if absent)."""
    if to_object_array is not None:
        try:
            return object_columns_fast(rows, width)
        except (TypeError, ValueError):  # an input it refuses: the plain routine decides
            pass
    return object_columns_plain(rows, width)


# -- loads: decode JSON bytes exactly as json.loads does ---------------------------------------

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


# pandas' bundled C decoder reads a large answer (some 30 MB for a 100,000-row calendar) in
# about 60% of the standard library's time, straight from the UTF-8 bytes. It is used with
# exact float parsing; what it reads differently or refuses goes to json.loads: escaped
# surrogates (it would drop a lone one), numbers beyond 64 bits or a double's range, and
# anything malformed (so errors read the same).
def loads_fast(body: bytes) -> Any:
    if _SURROGATE_ESCAPE.search(body):
        return loads_plain(body)
    try:
        return ujson_loads(body, precise_float=True)
    except (ValueError, OverflowError, TypeError):
        return loads_plain(body)


def loads_plain(body: bytes) -> Any:
    return json.loads(body)


def loads(body: bytes) -> Any:
    """Decode JSON ``body`` exactly as :func:`json.loads` does, faster when it can."""
    return loads_plain(body) if ujson_loads is None else loads_fast(body)
