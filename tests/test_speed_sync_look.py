"""The fast writer of tabs with a look (one format string per kind of row, values worked
out once, new parts deflated as they are made) writes exactly what writing every cell with
its own style does.

``reference_sheet`` below is that cell-by-cell writer, as the tool had it: every cell's
style merged and looked up in styles.xml on its own, every wrapped text's lines counted on
their own. The fast one must give the same bytes and add the same styles to styles.xml in
the same order, on any grid and look.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_sync.backends.xlsx_book import MAIN_NS, REL_NS, Book
from sheets_sync.backends.xlsx_look import (
    CHARS_PER_WIDTH,
    LINE_HEIGHT,
    _cols,
    _page,
    _views,
    _wrapped,
    quote_sheet,
    rows_at,
    sheet_with_look,
    text_width,
)
from sheets_sync.backends.xlsx_package import Deflated, Package, crc32_combine
from sheets_sync.backends.xlsx_sheet import CellWriter, _PlainRows
from sheets_sync.backends.xlsx_styles import DATE_FORMAT, DATETIME_FORMAT, Styles
from sheets_sync.cells import Cell, column_letter
from sheets_sync.config import from_dict
from sheets_sync.looks import Box, Look, Page, Rule, Style, merge
from sheets_sync.outputs.labels import Labels
from sheets_sync.outputs.status import status_look

EPOCHS = (dt.datetime(1899, 12, 30), dt.datetime(1904, 1, 1))

# --- the cell-by-cell writer ------------------------------------------------------------------

_LINK = Style(color="0563C1", underline=True)
_TOP, _WRAP = Style(top=True), Style(wrap=True)
_BREAKS = re.compile(r"(?<=[/-])")


def styles_of_rows(look: Look, grid: Sequence[Sequence[Cell]]) -> dict[int, dict[int, Style]]:
    """Each styled cell's style, cell by cell, as the writer worked it out before it did so
    per kind of row: row -> column -> style, later rules and boxes winning key by key."""
    out: dict[int, dict[int, Style]] = {}

    def put(r: int, c: int, style: Style) -> None:
        line = out.setdefault(r, {})
        line[c] = merge(line[c], style) if c in line else style

    for rule in look.rules:
        wanted = set(rule.texts)
        for r in range(rule.first_row, len(grid)):
            line = grid[r]
            if rule.column < len(line) and line[rule.column] in wanted:
                target = r + rule.offset
                if target < len(grid) or rule.offset == 0:
                    for c in range(*rule.columns):
                        put(target, c, rule.style)
    for box in look.boxes:
        for r in range(*box.rows):
            for c in range(*box.columns):
                put(r, c, box.style)
    return out


def reference_sheet(rows: Sequence[Sequence[Cell]], styles: Styles, epoch: dt.datetime,
                    look: Look, where: str, calendar: str = "", drawing: str = "") -> bytes:
    cells = CellWriter(styles, epoch, where)
    styled = styles_of_rows(look, rows)
    body: list[str] = []
    last_row = last_col = 0
    links: list[str] = []
    width = max((len(r) for r in rows), default=0)
    letters = [column_letter(j) for j in range(max(width, len(look.widths)))]
    plain = _PlainRows(cells)
    for r, values in enumerate(rows):
        n = str(r + 1)
        line = _row_styles(look, r, values, styled.get(r, {}))
        height = _height(look, values, line)
        attrs = f' ht="{height:g}" customHeight="1"' if height else ""
        body.append(f'<row r="{n}"{attrs}>')
        mark = len(body)
        last = -1
        if not line:
            last = plain.write(body, values, letters, n)
        span = max(len(values), max(line, default=-1) + 1) if line else 0
        while len(letters) < span:
            letters.append(column_letter(len(letters)))
        for j in range(span):
            value = values[j] if j < len(values) else None
            xml = _cell(cells, styles, letters[j], n, value, line.get(j))
            if xml:
                body.append(xml)
                last = j
        if look.link_column is not None and calendar and r >= 1:
            links += _link(values, look.link_column, letters, n, calendar)
        if len(body) == mark and not height:
            body.pop()
        else:
            body.append("</row>")
            last_row, last_col = r + 1, max(last_col, last + 1)
    data = f"<sheetData>{''.join(body)}</sheetData>" if body else "<sheetData/>"
    ref = f"A1:{column_letter(max(last_col, 1) - 1)}{max(last_row, 1)}"
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
             f'xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">']
    if look.page is not None:
        parts.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    parts.append(f'<dimension ref="{ref}"/>')
    parts.append(_views(look.frozen_rows if last_row > look.frozen_rows else 0))
    parts.append(_cols(look))
    parts.append(data)
    if look.filter and last_row:
        parts.append(f'<autoFilter ref="A1:{column_letter(look.filter - 1)}{last_row}"/>')
    if links:
        parts.append(f"<hyperlinks>{''.join(links)}</hyperlinks>")
    if look.page is not None:
        parts.append(_page(look.page))
    if drawing:
        parts.append(f'<drawing r:id="{drawing}"/>')
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")


def _row_styles(look: Look, r: int, values: Sequence[Cell], styled: dict[int, Style]
                ) -> dict[int, Style]:
    line: dict[int, Style] = {}
    if r == 0 and look.header is not None:
        line = {j: look.header for j in range(len(values))}
    elif r >= max(look.frozen_rows, 1) and look.wrap:
        line = {j: _TOP for j in range(max(len(values), len(look.widths)))}
        for j in look.wrap:
            line[j] = _WRAP
        link = look.link_column
        if link is not None and link < len(values) and _is_number(values[link]):
            line[link] = merge(line.get(link, Style()), _LINK)
    for j, style in styled.items():
        line[j] = merge(line[j], style) if j in line else style
    return line


def _cell(cells: CellWriter, styles: Styles, col: str, n: str, value: Cell,
          style: Style | None) -> str:
    if style is None:
        return cells.cell(col, n, value)
    code = (DATETIME_FORMAT if isinstance(value, dt.datetime)
            else DATE_FORMAT if isinstance(value, dt.date) else None)
    index = styles.xf_style(code, style)
    if value is None or value == "":
        return f'<c r="{col}{n}" s="{index}"/>' if style.fill else ""
    return cells.cell(col, n, value, f' s="{index}"')


def _is_number(value: Cell) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and value == value and float(value).is_integer())


def _link(values: Sequence[Cell], column: int, letters: list[str], n: str, calendar: str
          ) -> list[str]:
    if column >= len(values) or not _is_number(values[column]):
        return []
    target = int(values[column])  # type: ignore[arg-type]
    if target < 1:
        return []
    location = quoteattr(f"{quote_sheet(calendar)}!A{target}")
    return [f'<hyperlink ref="{letters[column]}{n}" location={location} display="{target}"/>']


def reference_wrapped(text: str, capacity: float) -> int:
    if text_width(text) <= capacity:
        return 1
    lines, used = 1, 0.0
    for word in text.split(" "):
        pieces = _BREAKS.split(word) if text_width(word) > capacity else [word]
        for i, piece in enumerate(pieces):
            size = text_width(piece) + (1 if used and i == 0 else 0)
            if used and used + size > capacity:
                lines, used = lines + 1, 0.0
                size = text_width(piece)
            used += size
            while used > capacity:
                lines, used = lines + 1, used - capacity
    return lines


def _height(look: Look, values: Sequence[Cell], line: dict[int, Style]) -> float:
    lines, size = 1, 0.0
    for j, style in line.items():
        size = max(size, style.size)
        if not style.wrap or j >= len(values) or not isinstance(values[j], str):
            continue
        width = look.widths[j] if j < len(look.widths) else 10
        capacity = max(1.0, (width - 1) * CHARS_PER_WIDTH * (0.9 if style.bold else 1.0))
        count = sum(reference_wrapped(part, capacity) for part in str(values[j]).split("\n"))
        lines = max(lines, count)
    if lines == 1 and not size:
        return 0
    per_line = LINE_HEIGHT * max(size, 11) / 11
    return round(lines * per_line + (2 if lines > 1 else 0), 1)


# --- inputs -----------------------------------------------------------------------------------

WORDS = ["", " ", "ok", "Instagram", "IG-00123 · Instagram", "“Spring launch teaser…”",
         "a/very/long/path-with-many-hyphens-and/slashes/that-goes/on-and-on",
         "Supercalifragilisticexpialidociousandthensomemorewithoutabreak",
         "😀😀😀 emoji party 🎉", "中文内容很长很长的一段文字", "שלום עולם, טקסט מימין לשמאל",
         "مرحبا بالعالم", "Gönderi İptal ğüşıöç", "a & b < c > d", "bell\x07 nul\x00",
         "_x0041_ literal", "windows\r\nbreak", "line one\nline two\n\nline four",
         "warning", "critical", "Act today", "\u200fRTL mark"]
TEXT = st.one_of(st.sampled_from(WORDS),
                 st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join),
                 st.text(alphabet=st.sampled_from(list("ab -/\n😀中ש_x0&<\r")), max_size=90))
VALUE = st.one_of(
    TEXT, TEXT, TEXT, st.none(), st.just(""),
    st.integers(min_value=-5, max_value=10**12), st.integers(min_value=1, max_value=40),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1.0, 2.5, 3.0]),
    st.booleans(),
    st.dates(min_value=dt.date(1898, 6, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1899, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1),
                 timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=3))])),
)
STYLE = st.builds(Style, bold=st.booleans(), size=st.sampled_from([0, 12, 14]),
                  color=st.sampled_from(["", "0563C1"]), fill=st.sampled_from(["", "F4A6A6"]),
                  wrap=st.booleans(), underline=st.booleans(), top=st.booleans())
SPAN = st.tuples(st.integers(0, 6), st.integers(0, 6)).map(lambda t: (min(t), max(t)))
RULE = st.builds(Rule, column=st.integers(0, 4),
                 texts=st.lists(st.sampled_from(["warning", "critical", "Act today", "ok", ""]),
                                min_size=1, max_size=3).map(tuple),
                 style=STYLE, columns=SPAN, offset=st.integers(0, 1), first_row=st.integers(0, 2))
BOX = st.builds(Box, rows=SPAN, columns=SPAN, style=STYLE)
LOOK = st.builds(
    Look, widths=st.lists(st.sampled_from([5, 9, 14.5, 17, 34, 40]), max_size=7).map(tuple),
    frozen_rows=st.integers(0, 3), header=st.one_of(st.none(), STYLE),
    wrap=st.lists(st.integers(0, 7), max_size=4, unique=True).map(tuple),
    filter=st.integers(0, 8), rules=st.lists(RULE, max_size=3).map(tuple),
    boxes=st.lists(BOX, max_size=2).map(tuple),
    link_column=st.one_of(st.none(), st.integers(0, 6)),
    page=st.one_of(st.none(), st.just(Page(title_rows=1))))


def row_of(kinds: list[st.SearchStrategy[Cell]]) -> st.SearchStrategy[list[Cell]]:
    return st.tuples(*kinds).map(list)


# Rows of a few fixed shapes (as the tool's tabs have: many rows alike) and rows of anything.
SHAPED = st.lists(VALUE, min_size=0, max_size=9).flatmap(
    lambda first: st.lists(st.one_of(
        st.lists(VALUE, max_size=9),
        row_of([st.just(v) if i % 2 else (TEXT if isinstance(v, str) else st.just(v))
                for i, v in enumerate(first)])), max_size=25))


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("look") / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Calendar"
    book.save(path)
    return path


def both(workbook: Path, rows: Sequence[Sequence[Cell]], look: Look, epoch: dt.datetime,
         calendar: str) -> tuple[tuple[bytes, str], tuple[bytes, str], tuple[bytes, str]]:
    """(XML, styles.xml) from the cell-by-cell writer, the fast one, and the fast one
    deflating (its XML inflated)."""
    out = []
    for how in ("reference", "fast", "deflated"):
        with Package(workbook) as pkg:
            styles = Styles(pkg, Book(pkg))
            if how == "reference":
                xml = reference_sheet(rows, styles, epoch, look, "Tab", calendar, "rId1")
            elif how == "fast":
                xml = sheet_with_look(rows, styles, epoch, look, "Tab", calendar, "rId1")
            else:
                part = Deflated()
                assert sheet_with_look(rows, styles, epoch, look, "Tab", calendar, "rId1",
                                       part) == b""
                xml = zlib.decompress(part.payload, -15)
                assert (part.crc, part.size) == (zlib.crc32(xml), len(xml))
            out.append((xml, styles.text))
    # Compared with the part as written, as a later sync does: the same, nothing deflated.
    with Package(workbook) as pkg:
        styles = Styles(pkg, Book(pkg))
        same = Deflated(out[0][0], rows_at(out[0][0]))
        sheet_with_look(rows, styles, epoch, look, "Tab", calendar, "rId1", same)
        assert same.same and same.payload == b""
    return out[0], out[1], out[2]


# --- the tests --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=SHAPED, look=LOOK, epoch=st.sampled_from(EPOCHS),
       calendar=st.sampled_from(["", "Calendar", "Tom's & \"plan\""]))
def test_any_grid_and_look_is_written_as_cell_by_cell(workbook: Path, rows: list[list[Cell]],
                                                      look: Look, epoch: dt.datetime,
                                                      calendar: str) -> None:
    reference, fast, deflated = both(workbook, rows, look, epoch, calendar)
    assert fast == reference
    assert deflated == reference


def test_a_long_status_like_tab_is_written_as_cell_by_cell(workbook: Path) -> None:
    """Thousands of rows of a few kinds, as the Status tab has them: severities, section
    titles, wrapped texts of every kind, links, dates and blanks, a date before 1900 and an
    empty text among them (those rows are written cell by cell)."""
    config = from_dict({"calendars": [{"name": "plan", "path": "plan.xlsx"}]}).calendars[0]
    look = status_look(config, Labels("en"))
    rnd = random.Random(7)
    header: list[Cell] = ["Severity", "What", "Post", "What to do", "Who", "Due", "Code",
                          "Row"]
    rows: list[list[Cell]] = [header, ["Act today"]]
    due: list[Cell] = [dt.datetime(2027, 5, 3, 10, 0), dt.date(2027, 5, 4), None,
                       "2027-05-05", dt.date(1899, 12, 1), dt.datetime(1904, 1, 1, 0, 30)]
    for i in range(4000):
        if i % 700 == 0:
            rows.append([rnd.choice(["This week", "Later", "Plan"])])
            continue
        rows.append([rnd.choice(["critical", "error", "warning", "info"]),
                     rnd.choice(WORDS) + " " + rnd.choice(WORDS),
                     f"P{i} · Instagram\n“{rnd.choice(WORDS)[:28]}…”",
                     rnd.choice([None, *WORDS]), rnd.choice(["Ayşe", "Ayşe\nClient: Bo, Li", ""]),
                     rnd.choice(due), "caption-too-long",
                     rnd.choice([i + 2, i + 2, None, 0, 3.0, 2.5, True])])
    for epoch in EPOCHS:
        reference, fast, deflated = both(workbook, rows, look, epoch, "Calendar")
        assert fast == reference
        assert deflated == reference
        assert b' ht="' in fast[0] and b"<hyperlink " in fast[0]  # heights and links written


def test_lines_of_wrapped_text_are_counted_as_word_by_word() -> None:
    rnd = random.Random(11)
    alphabet = [*"abcdefghij klmno/-  ", "😀", "中", "ש", "ğ", "“", "\u200f", "  ", "ー"]
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 160)))
        capacity = rnd.choice([1.0, 2.5, 7.935, 10, 36.8, 38.34, 17.25, 44.85, 100])
        assert _wrapped(text, capacity) == reference_wrapped(text, capacity), (text, capacity)


def test_the_crc_of_two_parts_is_combined_as_zlib_computes_the_whole() -> None:
    rnd = random.Random(5)
    for size in (0, 1, 2, 3, 7, 64, 1000, 65537, 300000):
        first, second = rnd.randbytes(rnd.randint(0, 500)), rnd.randbytes(size)
        assert crc32_combine(zlib.crc32(first), zlib.crc32(second), size) == zlib.crc32(
            first + second)


def test_a_deflated_part_inflates_to_its_start_then_its_pieces() -> None:
    part = Deflated()
    pieces = [b"<row>" * 5000, b"", "Gönderi 😀".encode() * 100, b"</sheetData>"]
    for piece in pieces:
        part.write(piece)
    part.finish(b'<?xml version="1.0"?><worksheet><sheetData>')
    whole = b'<?xml version="1.0"?><worksheet><sheetData>' + b"".join(pieces)
    assert zlib.decompress(part.payload, -15) == whole
    assert (part.crc, part.size) == (zlib.crc32(whole), len(whole))


@pytest.mark.parametrize("change", ["none", "start", "first piece", "last piece", "shorter",
                                    "longer", "no start tag"])
def test_a_part_compared_as_it_is_deflated_is_the_same_only_when_every_byte_is(
        change: str) -> None:
    head, pieces = b"<worksheet><sheetData>", [b"<row>a</row>" * 300, b"<row>b</row>", b"</w>"]
    old = head + b"".join(pieces)
    new_head, new_pieces = head, list(pieces)
    if change == "start":
        new_head = b"<worksheet><sheetDatA>"
    elif change == "first piece":
        new_pieces[0] = b"<row>A</row>" + pieces[0][12:]
    elif change == "last piece":
        new_pieces[-1] = b"</W>"
    elif change == "shorter":
        new_pieces.pop()
    elif change == "longer":
        new_pieces.append(b"<x/>")
    elif change == "no start tag":
        old = b"<worksheet>" + b"".join(pieces)  # where the rows begin is not found
    part = Deflated(old, len(head) if change != "no start tag" else 0)
    for piece in new_pieces:
        part.write(piece)
    part.finish(new_head)
    whole = new_head + b"".join(new_pieces)
    assert part.same == (whole == old) == (change == "none")
    if not part.same:
        assert zlib.decompress(part.payload, -15) == whole
        assert (part.crc, part.size) == (zlib.crc32(whole), len(whole))
