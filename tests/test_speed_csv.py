"""Delimited text read by pandas' C parser: the same cells as the csv module, or that reader.

Plain CSV (every quote opening or closing a whole field) goes through the C parser and comes
back column by column (a TextGrid); anything else is read by the csv module as before, which
says what is wrong with a broken file. Either way the rows are the csv module's.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zoneinfo
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.audit import audit
from sheets_sync.backends import files
from sheets_sync.backends.files import TextGrid, read_tab
from sheets_sync.config import default_calendar
from sheets_sync.errors import SourceError


def _csv_module(text: str, delimiter: str) -> list[list[str | None]] | None:
    """What the csv module reads (strict), trailing empty rows dropped; None if it refuses."""
    try:
        rows = files._records(text, delimiter, strict=True)
    except files._BadRecord:
        return None
    files._drop_trailing_empty(rows)
    return rows


PIECES = ["a", "b", "ş", "😀", " ", "  ", ",", ";", "\t", '"', '""', "\n", "\r", "\r\n",
          "#", "NaN", "1.0", "\\", "'", "\x0b", "\x1e", "\u2028"]


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=40),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_c_parser_reads_what_the_csv_module_reads_or_leaves_it(pieces: list[str],
                                                             delimiter: str) -> None:
    text = "".join(pieces)
    grid = files._c_records(text.encode("utf-8"), delimiter)
    if grid is not None:
        assert isinstance(grid, TextGrid)
        assert list(grid) == _csv_module(text, delimiter)


@settings(max_examples=200, deadline=None)
@given(body=st.lists(st.lists(st.text(alphabet=st.characters(codec="utf-8",
                                                             exclude_characters="\x00"),
                                      max_size=12), min_size=1, max_size=4), max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_what_a_csv_writer_writes_takes_the_c_parser(body: list[list[str]],
                                                     delimiter: str) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows([["ID", "Caption"], *body])
    text = out.getvalue()
    grid = files._c_records(text.encode("utf-8"), delimiter)
    assert grid is not None  # quotes, delimiters and line breaks inside values included
    assert list(grid) == _csv_module(text, delimiter)


def test_plain_csv_takes_the_c_parser_with_ragged_rows_blank_lines_and_multiline_cells(
        tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_bytes(codecs.BOM_UTF8 + 'ID,Caption,Status\r\n1,"Yeni sezon ☕️\r\nYorumlara '
                     'yaz 👇",Taslak\r\n\r\n2,"a ""quoted"" word, and a comma"\r\n3,,,extra\r\n'
                     '4\r\n,,\r\n'.encode())
    grid = read_tab(path)
    assert isinstance(grid.rows, TextGrid)  # the C parser read it
    assert grid.rows == [
        ["ID", "Caption", "Status"],
        ["1", "Yeni sezon ☕️\r\nYorumlara yaz 👇", "Taslak"],
        [],
        ["2", 'a "quoted" word, and a comma'],
        ["3", None, None, "extra"],
        ["4"],
    ]
    assert grid.rows[3] == ["2", 'a "quoted" word, and a comma']
    assert len(grid.rows) == 6  # the empty last record is dropped, as for every reader


@pytest.mark.parametrize("text", [
    'ID,"Caption\n(EN)",Status\n1,Yeni,Taslak\n2,Eski,Onaylandı\n',  # header spans lines
    'ID\n1,Yeni,Taslak,extra\n2\n',  # a later record wider than the first line
    'ID,"a,b",Status\n1,Yeni\n',  # the first line's quoted delimiter is text
])
def test_the_c_parser_keeps_every_cell_whatever_the_first_line_has(text: str) -> None:
    # The parser is first given as many columns as the first line has fields: a wider
    # record later (or a header whose quoted field spans lines) must not lose cells.
    grid = files._c_records(text.encode("utf-8"), ",")
    assert isinstance(grid, TextGrid)
    assert list(grid) == _csv_module(text, ",")
    assert max(len(row) for row in grid) == len(grid.columns)


def test_utf16_without_bom_and_cp1254_take_the_c_parser(tmp_path: Path) -> None:
    text = 'Yayın tarihi\tDurum\tNot\n01.05.2024\tİptal\t"iki\nsatır"\n'
    no_bom = tmp_path / "utf16.txt"
    no_bom.write_bytes(text.encode("utf-16-le"))
    turkish = tmp_path / "turkce.csv"
    turkish.write_bytes(text.replace("\t", ";").encode("cp1254"))
    for path in (no_bom, turkish):
        grid = read_tab(path)
        assert isinstance(grid.rows, TextGrid)
        assert grid.rows == [["Yayın tarihi", "Durum", "Not"],
                             ["01.05.2024", "İptal", "iki\nsatır"]]


def test_a_quote_inside_a_value_goes_to_the_csv_module(tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    path.write_text('ID,Caption\n1,he said "hi" twice\n2,"quoted"then text\n', encoding="utf-8")
    grid = read_tab(path)
    assert not isinstance(grid.rows, TextGrid)
    assert grid.rows == [["ID", "Caption"], ["1", 'he said "hi" twice'], ["2", "quotedthen text"]]


@pytest.mark.parametrize("body, message", [
    ('ID,Caption\n1,"never closed\n2,x\n', r"quote opened at line 2 is never closed"),
    ('ID,Caption\n1,"never closed\n2,x\n3,he said "hi"\n', r"at line 2 .*line 4"),
    ('ID,Caption\n1,"x"\n2,"' + "y" * (csv.field_size_limit() + 5) + '"\n', r"at line 3"),
])
def test_broken_quotes_are_still_errors_naming_the_line(tmp_path: Path, body: str,
                                                        message: str) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(body, encoding="utf-8")
    assert files._c_records(body.encode(), ",") is None  # never silently parsed
    with pytest.raises(SourceError, match=message):
        read_tab(path)


def test_audit_of_a_csv_finds_the_same_through_either_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["ID", "Client", "Channel", "Publish date", "Status", "Caption", "Approved by",
             "Revision round"]]
    for i in range(300):
        rows.append([f"P{i:03d}" if i % 37 else "", "Acme",
                     ["Instagram", "TikTok", "Instagrm"][i % 3],
                     f"2026-03-{1 + i % 28:02d}" if i % 41 else "31.02.2026",
                     ["Taslak", "Approved", "Published", "Müşteri onayında"][i % 4],
                     f'Kampanya {i}, "yeni" sezon\nikinci satır' if i % 5 else "",
                     "Elif" if i % 4 == 1 else "", str(i % 4) if i % 43 else "two"])
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    path = tmp_path / "cal.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    config = default_calendar(path)
    now = dt.datetime(2026, 3, 20, 9, tzinfo=zoneinfo.ZoneInfo(config.timezone))
    fast = audit(config, now)
    assert isinstance(read_tab(path).rows, TextGrid)
    monkeypatch.setattr(files, "_c_records", lambda *args: None)
    plain = audit(config, now)
    assert len(fast.findings) > 100
    pd.testing.assert_frame_equal(fast.findings, plain.findings)
    pd.testing.assert_frame_equal(fast.calendar.frame, plain.calendar.frame)
