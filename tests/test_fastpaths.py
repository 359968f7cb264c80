"""The private pandas fast paths and their plain fallbacks give the same results.

Each fallback is forced two ways: by patching the private routine away (``monkeypatch``) and by
reloading :mod:`sheets_sync.fastpaths` with its private import made to fail, as after a pandas
upgrade that removed it. The public callers (``values.factorize``, ``parse``, ``http.loads``)
must not notice.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import importlib
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import HEADER, calendar_config, row

from sheets_sync import fastpaths
from sheets_sync.backends import http
from sheets_sync.findings import to_findings
from sheets_sync.parse import parse
from sheets_sync.values import categorize_texts, factorize

# entry point -> (module the private routine is imported from, its name there)
PRIVATE = {"factorize": ("pandas._libs.hashtable", "PyObjectHashTable"),
           "object_columns": ("pandas._libs.lib", "to_object_array"),
           "json": ("pandas.io.json", "ujson_loads")}
HOW = ("patched away", "import fails")


@contextlib.contextmanager
def plain(entry: str, how: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make ``entry`` use its plain fallback inside the block; the fast one again after it."""
    module, name = PRIVATE[entry]
    if how == "patched away":
        with monkeypatch.context() as patch:
            patch.setattr(fastpaths, name, None)
            assert fastpaths.active()[entry] == "plain"
            yield
    else:
        real_import = builtins.__import__

        def failing_import(target: str, globals: Any = None, locals: Any = None,
                           fromlist: Any = (), level: int = 0) -> Any:
            if target == module and name in (fromlist or ()):
                raise ImportError(f"cannot import name {name!r} from {module!r}")
            return real_import(target, globals, locals, fromlist, level)

        try:
            with monkeypatch.context() as patch:
                patch.setattr(builtins, "__import__", failing_import)
                importlib.reload(fastpaths)
            assert fastpaths.active()[entry] == "plain"
            assert getattr(fastpaths, name) is None
            yield
        finally:
            importlib.reload(fastpaths)
    assert fastpaths.active()[entry] == "fast"


def test_this_pandas_has_every_fast_path() -> None:
    # Failing here means a pandas upgrade removed a private routine: the plain fallback is in
    # use (correct, but slower). Move to the routine's new home or drop the fast path.
    assert fastpaths.active() == {"factorize": "fast", "object_columns": "fast", "json": "fast"}


# -- factorize --------------------------------------------------------------------------------

FACTORIZE_INPUTS = [
    ["Draft", None, "Onaylandı", "Draft", math.nan, "draft", None, "Yayında ☕️", "Onaylandı"],
    ["Instagram", "TikTok", "Instagram", "LinkedIn", "TikTok"],  # all text: pd.factorize's path
    ["a", 1, 1.0, True, "1", np.nan, float("nan"), 2.5, None, "a", 0, False, 0.0],
    [dt.date(2026, 3, 10), dt.datetime(2026, 3, 10, 9, 30), dt.date(2026, 3, 10), pd.NaT, ""],
    ["\ud800 lone half", "\U0001f600", "\ud800 lone half", " ", "", " "],
    [None, math.nan, None],
    [],
]


def same_coded(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]
               ) -> None:
    (codes, uniques), (want_codes, want_uniques) = got, want
    assert codes.dtype == want_codes.dtype and codes.tolist() == want_codes.tolist()
    assert uniques.dtype == want_uniques.dtype == object
    assert [(type(u), u) for u in uniques] == [(type(u), u) for u in want_uniques]


@pytest.mark.parametrize("cells", FACTORIZE_INPUTS)
def test_factorize_fallback_matches_the_fast_path(cells: list[Any]) -> None:
    column = np.array(cells, dtype=object)
    fast = fastpaths.factorize_fast(column, len(column) or 1)
    same_coded(fastpaths.factorize_plain(column), fast)
    same_coded(fast, pd.factorize(column))
    assert (fast[0] < 0).tolist() == [c is None or c is pd.NaT or c != c for c in cells]


def _long_column(seed: int) -> np.ndarray:
    """Five thousand cells or more drawn from FACTORIZE_INPUTS' values: most repeat one of a
    few objects, some are equal texts made as objects of their own (as the CSV parser makes
    one per chunk of the file)."""
    pool = [v for cells in FACTORIZE_INPUTS for v in cells]
    rng = np.random.default_rng(seed)
    cells = [pool[i] for i in rng.integers(0, len(pool), 6000)]
    for i in rng.integers(0, len(cells), 500).tolist():
        if isinstance(cells[i], str):
            cells[i] = "".join(list(cells[i]))  # equal text, another object (if not empty)
    return np.array(cells, dtype=object)


@pytest.mark.parametrize("seed", range(4))
def test_a_long_column_of_repeats_is_factorized_by_address_alike(seed: int) -> None:
    column = _long_column(seed)
    for cells in (column, column[1:], column[::2], column[::-1]):  # views, strided ones too
        fast = fastpaths.factorize_fast(cells)
        same_coded(fast, fastpaths.factorize_plain(cells))
        same_coded(fast, pd.factorize(cells))
    assert fastpaths._factorize_by_address(column) is not None  # the address path ran
    assert fastpaths._factorize_by_address(column[::2]) is None  # not one block of memory
    distinct = np.array([f"caption {i}" for i in range(6000)], dtype=object)
    assert fastpaths._factorize_by_address(distinct) is None  # nothing to gain


def test_addresses_stay_valid_when_their_column_is_dropped() -> None:
    texts = [f"caption {i}" for i in range(5000)]
    addresses = fastpaths._addresses(np.array(texts, dtype=object))  # the array is dropped
    assert addresses is not None
    reuse = [np.full(5000, None, dtype=object) for _ in range(50)]  # memory freed is reused
    assert addresses.tolist() == [id(text) for text in texts]
    assert not addresses.flags.writeable and len(reuse) == 50


class _Text(str):
    """A text type whose empty texts are objects of their own."""


def test_empty_texts_by_address_match_a_comparison_of_every_cell() -> None:
    rng = np.random.default_rng(7)
    pool = np.array(["", "a", None, "", " ", math.nan, "".join([]), "x" * 3, 0], dtype=object)
    column = pool[rng.integers(0, len(pool), 9000)]
    for cells in (column, column[5:], column[::3], column[:100]):
        assert fastpaths.empty_texts(cells).tolist() == [c == "" for c in cells.tolist()]
    # Empty texts that are not Python's one empty string, among the first cells: compared.
    odd = column.copy()
    odd[10] = _Text("")
    assert fastpaths.empty_texts(odd)[10]
    assert fastpaths.empty_texts(odd).tolist() == [c == "" for c in odd.tolist()]


@pytest.mark.parametrize("how", HOW)
def test_factorize_callers_read_the_same_with_the_fallback(
        how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    columns = [np.array(cells, dtype=object) for cells in FACTORIZE_INPUTS]
    want = [(factorize(c), factorize(pd.Series(c, dtype=object), expect_distinct=True),
             categorize_texts(c)) for c in columns]
    with plain("factorize", how, monkeypatch):
        got = [(factorize(c), factorize(pd.Series(c, dtype=object), expect_distinct=True),
                categorize_texts(c)) for c in columns]
    for got_one, want_one in zip(got, want):
        for got_coded, want_coded in zip(got_one, want_one):
            same_coded(got_coded, want_coded)


# -- object columns -----------------------------------------------------------------------------

RAGGED = [
    ["P1", "Acme", 46091.5, True, None],
    [],
    ["P2", "", math.nan],
    ("P3", "Beta", dt.date(2026, 3, 10), 7, "x", "beyond the mapped columns", "z"),
    [["a", "list"], ("a", "tuple"), {"a": "dict"}],
    [None, None],
]


def same_columns(got: list[np.ndarray], want: list[np.ndarray]) -> None:
    assert len(got) == len(want)
    for column, want_column in zip(got, want):
        assert column.dtype == want_column.dtype == object
        assert column.shape == want_column.shape
        assert [(type(c), repr(c)) for c in column] == [(type(c), repr(c)) for c in want_column]


@pytest.mark.parametrize("width", [0, 1, 3, 7, 10])
@pytest.mark.parametrize("rows", [RAGGED, tuple(RAGGED), RAGGED[1:2], []])
def test_object_columns_fallback_matches_the_fast_path(rows: Any, width: int) -> None:
    fast = fastpaths.object_columns_fast(rows, width)
    same_columns(fastpaths.object_columns_plain(rows, width), fast)
    for j, column in enumerate(fast):
        assert column.tolist() == [r[j] if j < len(r) else None for r in rows]


def parsed(grid: list[list[Any]]) -> tuple[pd.DataFrame, list[Any]]:
    cal = parse(grid, calendar_config())
    return cal.frame, [f.key() for f in to_findings(cal.findings)]


@pytest.mark.parametrize("how", HOW)
def test_parse_reads_the_same_with_the_fallback(how: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    grid: list[list[Any]] = [
        ["Weekly calendar"], list(HEADER),
        row("P1"), row("P2", status="Client review")[:6], [],
        [*row("P3", date=46091.5, caption="Yeni sezon ☕️"), "extra", "cells"],
        row("P1", status="Approvd", date="not a date"), ["", "", ""],
    ]
    want_frame, want_findings = parsed(grid)
    assert want_findings  # the grid does produce findings to compare
    with plain("object_columns", how, monkeypatch):
        got_frame, got_findings = parsed(grid)
    pd.testing.assert_frame_equal(got_frame, want_frame)
    assert got_findings == want_findings


# -- JSON -----------------------------------------------------------------------------------

ANSWER = (
    '{"spreadsheetId": "1AbC_d-9", "valueRanges": [{"range": "Calendar!A1:F4", '
    '"majorDimension": "ROWS", "values": [["ID", "Caption", "Publish date", "Round"], '
    '["P1", "Yeni sezon ☕️\\nYorumlara yaz 👇 \\u00e7\\u011f", 46091.4166666667, 2], '
    '["P2", "a\\"b\\\\c\\/d\\t", 0.1, -0.0, 1e-07, 1.7976931348623157e308, 2.5e-300, 1E5], '
    '["P3", true, false, null, 9223372036854775807, -9223372036854775808, '
    '18446744073709551615, 0.30000000000000004, 1.0000000000000002]]}]}'
)
JSON_BODIES = [
    ANSWER.encode(),  # the C decoder reads this one itself
    ANSWER.replace("46091.4166666667", "123456789012345678901234567890").encode(),  # big int
    ANSWER.replace("1E5", "1e400").encode(),  # beyond a double
    ANSWER.replace("2.5e-300", "5e-324").encode(),  # a subnormal double
    ANSWER.replace("Yeni sezon", "\\ud83d\\ude00 and \\ud800 alone").encode(),  # surrogates
    b"[]", b'{"valueRanges": []}', b'"\xc3\xa7"', b"  12  ",
]


@pytest.mark.parametrize("body", JSON_BODIES)
def test_json_fallback_matches_the_fast_path(body: bytes) -> None:
    fast = fastpaths.loads_fast(body)
    assert repr(fastpaths.loads_plain(body)) == repr(fast) == repr(json.loads(body))


def test_the_c_decoder_itself_reads_a_plain_answer_exactly() -> None:
    # Guards against the fast path quietly deferring everything to the standard library.
    assert repr(fastpaths.ujson_loads(ANSWER.encode(), precise_float=True)) == repr(
        json.loads(ANSWER))


@pytest.mark.parametrize("body", [b'{"values": [1, 2,', b"", b"[1] [2]", b'{"a": nan}'])
def test_malformed_json_fails_the_same_with_either(body: bytes) -> None:
    errors: list[str] = []
    for decode in (fastpaths.loads_fast, fastpaths.loads_plain):
        with pytest.raises(json.JSONDecodeError) as failed:
            decode(body)
        errors.append(str(failed.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("how", HOW)
def test_http_loads_reads_the_same_with_the_fallback(
        how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    want = [repr(http.loads(body)) for body in JSON_BODIES]
    decoded: list[bytes] = []
    real: Callable[..., Any] = json.loads
    with plain("json", how, monkeypatch):
        monkeypatch.setattr(json, "loads", lambda body: decoded.append(body) or real(body))
        got = [repr(http.loads(body)) for body in JSON_BODIES]
        monkeypatch.undo()
    assert got == want
    assert decoded == JSON_BODIES  # every answer went to the standard library
