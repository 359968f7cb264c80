"""How an owned tab looks: widths, colours, filters, links, charts and print setup.

The core decides how the tool's tabs look; each backend shows as much of it as its format can
hold. A :class:`Look` is plain data and depends on nothing but the grid it goes with, so the
backends depend on it and never the reverse.

Terminology:

- A **style** is what a cell looks like: bold, size, colours, wrapped text.
- A **rule** styles the cells of rows by what one column of the row says (a severity, a section
  title). Rules are evaluated against the cells on every write of a workbook, and become
  conditional formats on Google, where the look is set once and only values change later.
- A **box** styles a fixed rectangle of cells (the Report's header block).
- The **link column** holds calendar row numbers; each is a link to that row of the calendar
  tab (an internal hyperlink in a workbook, a ``#gid=…&range=A12`` link on Google).
- A **chart** draws fixed rows of the tab's own columns; Google's chart is anchored once and
  refers to those rows for good, so a table a chart reads starts on a fixed row.

A grid that carries its look is a :class:`Tab`: a list of rows like any grid, so whatever
takes a grid takes it, and a backend that cannot show a look writes its cells.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from sheets_sync.cells import Cell

__all__ = ["Box", "Chart", "Highlight", "Look", "Page", "Rule", "Series", "Style", "Tab",
           "look_of"]


@dataclass(frozen=True)
class Style:
    """What a cell looks like; colours are ``RRGGBB`` hex, empty for the default."""

    bold: bool = False
    size: float = 0  # font size in points; 0: the default size
    color: str = ""  # text colour
    fill: str = ""  # background colour
    wrap: bool = False  # text wraps within the column's width, aligned to the top
    underline: bool = False
    top: bool = False  # aligned to the top of the cell


@dataclass(frozen=True)
class Rule:
    """Style cells by what a row says.

    Every row from ``first_row`` (0-based) on whose cell in ``column`` holds exactly one of
    ``texts`` gets ``style`` on its columns ``columns`` (start, end exclusive) of the row
    ``offset`` rows below it (0: the row itself; 1: the header row under a title).
    """

    column: int
    texts: tuple[str, ...]
    style: Style
    columns: tuple[int, int]
    offset: int = 0
    first_row: int = 1


@dataclass(frozen=True)
class Box:
    """A fixed rectangle of cells, rows and columns 0-based, ends exclusive."""

    rows: tuple[int, int]
    columns: tuple[int, int]
    style: Style


@dataclass(frozen=True)
class Series:
    """One series of a chart: the values in ``column``, named by the header cell above them;
    ``line`` draws it as a line over the bars (a target, a contract)."""

    column: int
    line: bool = False


@dataclass(frozen=True)
class Chart:
    """A native chart of the tab's own cells.

    ``header`` is the row of the series names; the data are rows ``header + 1`` up to
    ``header + rows`` (the fixed range a Google chart keeps; a workbook's chart reads the rows
    actually filled, ``filled``). Categories are the labels in ``categories``. The chart covers
    ``anchor`` (row, column) and ``span`` (rows, columns) cells.
    """

    title: str
    kind: Literal["column", "bar"]
    header: int
    rows: int
    categories: int
    series: tuple[Series, ...]
    anchor: tuple[int, int]
    span: tuple[int, int]
    filled: int = 0
    stacked: bool = False


@dataclass(frozen=True)
class Page:
    """Print setup: landscape, one page wide, the first ``title_rows`` repeated on every page,
    a footer. ``paper`` is ``a4`` or ``letter``."""

    paper: Literal["a4", "letter"] = "a4"
    title_rows: int = 0
    footer_left: str = ""
    footer_right: str = ""


@dataclass(frozen=True)
class Look:
    """How one owned tab looks (see the module docstring).

    ``widths`` are column widths in characters; ``wrap`` the columns whose text wraps (from
    row ``frozen_rows`` down; the other cells there are aligned to the top);
    ``frozen_rows`` the rows that stay on screen; ``filter`` the number of columns an
    autofilter spans from row 1 (0: none); ``header`` the style of row 1 (``None``: the tab
    has no header row).
    """

    widths: tuple[float, ...] = ()
    frozen_rows: int = 0
    header: Style | None = None
    wrap: tuple[int, ...] = ()
    filter: int = 0
    rules: tuple[Rule, ...] = ()
    boxes: tuple[Box, ...] = ()
    link_column: int | None = None
    charts: tuple[Chart, ...] = ()
    page: Page | None = None
    # Where a backend that sets the look once puts what it needs (Google's link column).
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def fingerprint(self) -> str:
        """A short text that changes whenever what a look-once backend sets changes: all but
        the footer, which only a workbook holds, and the charts' filled rows."""
        data = asdict(self)
        data.pop("extra")
        data["page"] = data["page"] and {**data["page"], "footer_left": "", "footer_right": ""}
        for chart in data["charts"]:
            chart["filled"] = 0
        text = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def marks_of_rows(self, grid: Sequence[Sequence[Cell]]) -> dict[int, tuple[int, ...]]:
        """Which rules and boxes style each row they style: row -> their indexes into
        ``rules + boxes``, in the order they apply (:meth:`styles_of_marks` turns them into
        the row's styles). Rows styled alike have the same marks."""
        out: dict[int, tuple[int, ...]] = {}
        for index, rule in enumerate(self.rules):
            wanted = set(rule.texts)
            for r in range(rule.first_row, len(grid)):
                line = grid[r]
                if rule.column < len(line) and line[rule.column] in wanted:
                    target = r + rule.offset
                    if target < len(grid) or rule.offset == 0:
                        out[target] = (*out.get(target, ()), index)
        for index, box in enumerate(self.boxes, len(self.rules)):
            for r in range(*box.rows):
                out[r] = (*out.get(r, ()), index)
        return out

    def styles_of_marks(self, marks: Sequence[int]) -> dict[int, Style]:
        """The style of each cell of a row with these marks (:meth:`marks_of_rows`):
        column -> style, later rules and boxes winning over earlier ones, key by key."""
        line: dict[int, Style] = {}
        for index in marks:
            if index < len(self.rules):
                rule = self.rules[index]
                columns, style = rule.columns, rule.style
            else:
                box = self.boxes[index - len(self.rules)]
                columns, style = box.columns, box.style
            for c in range(*columns):
                line[c] = merge(line[c], style) if c in line else style
        return line


def merge(under: Style, over: Style) -> Style:
    """``over`` on top of ``under``: each of its settings that is set wins."""
    return Style(bold=under.bold or over.bold, size=over.size or under.size,
                 color=over.color or under.color, fill=over.fill or under.fill,
                 wrap=under.wrap or over.wrap, underline=under.underline or over.underline,
                 top=under.top or over.top)


@dataclass(frozen=True)
class Highlight:
    """Colour the calendar's rows by the Status tab's open findings, values untouched.

    A calendar row gets the fill of the most severe of ``fills`` (severity label, colour;
    most severe first) that the Status tab lists for it: a Status row whose column
    ``row_column`` holds the calendar row's number and whose column ``severity_column`` holds
    that label. The formats read the Status tab, so they follow it without being written
    again. They cover whole rows from row ``first_row`` (1-based) down.
    """

    status_tab: str
    row_column: int
    severity_column: int
    fills: tuple[tuple[str, str], ...]
    first_row: int

    def fingerprint(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Tab(list[list[Cell]]):
    """A grid with the look it should have; equal to any grid with the same rows."""

    look: Look | None

    def __init__(self, rows: Sequence[list[Cell]], look: Look | None = None) -> None:
        super().__init__(rows)
        self.look = look


def look_of(grid: object) -> Look | None:
    """The look a grid carries (a :class:`Tab`), or None."""
    return getattr(grid, "look", None)
