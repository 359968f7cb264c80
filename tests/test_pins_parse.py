"""Reading a calendar tab, case by case: where the header row is looked for and which row wins,
configured headers, which rows count as posts, invisible characters in IDs, the categories of
repeated texts, the default publish time, and moving timed dates to each client's time zone.

Every expectation is a literal value as the module docstring of sheets_sync/parse.py, the
error messages and the README describe it; the first post is on sheet row 2 unless said.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest
from conftest import HEADER, at, audit, calendar_config, only, row

from sheets_sync.errors import CalendarError
from sheets_sync.findings import to_findings
from sheets_sync.parse import Calendar, parse
from sheets_sync.parse_times import to_client_time

BERLIN = {"Berlin GmbH": {"timezone": "Europe/Berlin", "country": "DE"}}
Key = tuple[int | None, str, str]


def read(grid: list[list[Any]], **calendar: Any) -> Calendar:
    return parse(grid, calendar_config(**calendar))


def keys(cal: Calendar) -> list[Key]:
    return [f.key() for f in to_findings(cal.findings)]


def stamps(cal: Calendar, name: str = "publish_at") -> list[str | None]:
    return [None if pd.isna(s) else str(s)[:16] for s in cal.frame[name]]


def error_of(grid: list[list[Any]], **calendar: Any) -> str:
    with pytest.raises(CalendarError) as caught:
        read(grid, **calendar)
    return caught.value.message


# --------------------------------------------------------------------------------------------
# where the header row is: "looked for in the first 10 rows", the row with the required
# columns, and among those the one that maps the most columns


def titles(count: int) -> list[list[Any]]:
    return [[f"Acme plan, note {i + 1}"] for i in range(count)]


@pytest.mark.parametrize(("title_rows", "header_row"), [
    pytest.param(0, 1, id="header-on-row-1"),
    pytest.param(8, 9, id="header-on-row-9"),
    pytest.param(9, 10, id="header-on-row-10-the-last-looked-at"),
])
def test_the_header_row_is_found_within_the_first_ten_rows(title_rows: int,
                                                           header_row: int) -> None:
    cal = read([*titles(title_rows), HEADER, row("P1")])
    assert cal.header_row == header_row
    assert cal.frame["row"].tolist() == [header_row + 1]
    assert cal.frame["post_id"].tolist() == ["P1"]


def test_a_header_on_row_eleven_is_not_looked_for() -> None:
    message = error_of([*titles(10), HEADER, row("P1")])
    assert message.startswith("Calendar: no column for publish date (field publish_at")
    assert message.endswith("The header row is looked for in the first 10 rows; if it is "
                            "further down, set header_row = N in [[calendars]].")


@pytest.mark.parametrize(("grid", "header_row"), [
    # A legend row naming many optional columns loses to the row with the required ones.
    pytest.param([["Caption", "Asset", "Owner", "Notes", "Pillar", "Hashtags", "Approved by"],
                  ["ID", "Channel", "Date", "Status"],
                  ["P1", "Instagram", "2026-03-20", "Draft"]], 2,
                 id="required-columns-beat-more-optional-ones"),
    pytest.param([["ID", "Channel", "Date", "Status"],
                  ["Caption", "Asset", "Owner", "Notes", "Pillar", "Hashtags", "Approved by"],
                  ["P1", "Instagram", "2026-03-20", "Draft"]], 1,
                 id="required-columns-first-then-a-legend"),
    # Both rows have the required columns: the one that maps more of the sheet is the header.
    pytest.param([["Channel", "Date", "Status"],
                  ["ID", "Channel", "Date", "Status", "Caption"],
                  ["P1", "Instagram", "2026-03-20", "Draft", "Hi"]], 2,
                 id="more-mapped-columns-win-below"),
    pytest.param([["ID", "Channel", "Date", "Status", "Caption"],
                  ["Channel", "Date", "Status"],
                  ["P1", "Instagram", "2026-03-20", "Draft", "Hi"]], 1,
                 id="more-mapped-columns-win-above"),
])
def test_the_header_row_is_the_best_matching_row(grid: list[list[Any]], header_row: int) -> None:
    assert read(grid).header_row == header_row


@pytest.mark.parametrize("header_row", [3, 7])
def test_a_configured_header_row_below_the_last_row_is_an_error(header_row: int) -> None:
    message = error_of([HEADER, row("P1")], header_row=header_row)
    assert message.startswith("Calendar: no column for publish date (field publish_at")
    assert f"Headers found in row {header_row}: (none)." in message
    assert "first 10 rows" not in message  # the header row was configured, not looked for


# --------------------------------------------------------------------------------------------
# configured headers


@pytest.mark.parametrize(("columns", "expected"), [
    # An optional field whose configured header is missing stops the parse as well.
    pytest.param({"caption": ["Copy text"]},
                 "Calendar: configured columns not found: caption = 'Copy text'. Headers found",
                 id="optional-field"),
    # Several headers configured for one field: the message names the first one.
    pytest.param({"caption": ["Copy text", "Post text"]},
                 "Calendar: configured columns not found: caption = 'Copy text'. Headers found",
                 id="first-of-two-headers"),
    pytest.param({"caption": ["Copy text"], "owner": ["Who", "Person"]},
                 "Calendar: configured columns not found: caption = 'Copy text', owner = 'Who'. "
                 "Headers found", id="two-fields"),
])
def test_configured_headers_that_are_missing(columns: dict[str, list[str]],
                                             expected: str) -> None:
    message = error_of([HEADER, row("P1")], columns=columns)
    assert message.startswith(expected)
    assert "no column for" not in message
    assert "Post text" not in message and "Person" not in message


def test_a_column_configured_for_one_field_is_not_taken_by_an_alias_of_another() -> None:
    # "Date" is a built-in alias of the publish date; configured as the feedback deadline, it
    # is that column only, and "Publish date" is the publish date (no duplicate-column).
    header = ["ID", "Channel", "Date", "Publish date", "Status"]
    cal = read([header, ["P1", "Instagram", "2026-03-18", "2026-03-20 10:00", "Draft"]],
               columns={"feedback_due": ["Date"]})
    assert cal.columns == {"post_id": 0, "channel": 1, "feedback_due": 2, "publish_at": 3,
                           "status": 4}
    assert keys(cal) == []
    assert stamps(cal) == ["2026-03-20 10:00"]
    assert stamps(cal, "feedback_due") == ["2026-03-18 00:00"]


# --------------------------------------------------------------------------------------------
# rows: "one row per non-empty sheet row", whatever column holds the content

WIDE_HEADER = [*HEADER, "Publish time", "Revision round", "Approved"]


def only_in(column: str, value: Any) -> list[Any]:
    cells: list[Any] = [None] * len(WIDE_HEADER)
    cells[WIDE_HEADER.index(column)] = value
    return cells


@pytest.mark.parametrize(("column", "value"), [
    pytest.param("Publish date", "2026-03-21", id="date-text"),
    pytest.param("Publish date", 46102, id="date-serial"),
    pytest.param("Publish time", "10:00", id="time"),
    pytest.param("Revision round", "2", id="revision-text"),
    pytest.param("Revision round", 2, id="revision-number"),
    pytest.param("Approved", "Yes", id="approved"),
])
def test_a_row_with_one_filled_cell_is_a_post(column: str, value: Any) -> None:
    grid = [WIDE_HEADER, [*row("P1"), "", "", ""], [None] * 12, only_in(column, value),
            ["", "  ", None, "\t", "", "", "", "", "", " ", "", ""]]
    cal = read(grid)
    assert cal.frame["row"].tolist() == [2, 4]
    assert cal.frame["post_id"].tolist() == ["P1", ""]


# --------------------------------------------------------------------------------------------
# post IDs: "P1" with a zero-width space or a direction mark still reads as P1


@pytest.mark.parametrize("mark", [
    pytest.param("\u200b", id="zero-width-space"),
    pytest.param("\u200e", id="left-to-right-mark"),
    pytest.param("\u200f", id="right-to-left-mark"),
    pytest.param("\u2060", id="word-joiner"),
    pytest.param("\ufeff", id="byte-order-mark"),
])
def test_invisible_characters_in_ids_are_dropped(mark: str) -> None:
    cal = read([HEADER, row(f"P1{mark}"), row(f"{mark}P2 "), row("P3")])
    assert cal.frame["post_id"].tolist() == ["P1", "P2", "P3"]


def test_an_id_with_an_invisible_character_is_a_duplicate_of_the_plain_one() -> None:
    found = audit([row("P1"), row("P1\u200b", caption="Other")], at("2026-03-10 09:00"),
                  rules={"levels": only("duplicate-id")})
    assert {f.key() for f in found} == {(2, "post_id", "duplicate-id"),
                                        (3, "post_id", "duplicate-id")}


# --------------------------------------------------------------------------------------------
# categories: "uniques[keys] is the column" and "each distinct text is in uniques once"


@pytest.mark.parametrize(("name", "column"), [
    pytest.param("status", ["", "Draft", "", "Draft"], id="status"),
    pytest.param("status_raw", ["", "Draft", "", "Draft"], id="status-raw"),
    pytest.param("channel_raw", ["Instagram", "", "Instagram", ""], id="channel-raw"),
    pytest.param("format_raw", ["", "", "Post", "Post"], id="format-raw"),
    pytest.param("client", ["Acme", "Acme", "Acme", "Beta"], id="client"),
])
def test_categories_hold_each_text_once_with_blank_cells(name: str, column: list[str]) -> None:
    cal = read([HEADER, row("P1", status="", fmt=""), row("P2", channel=None, fmt=None),
                row("P3", status=None), row("P4", channel="", client="Beta")])
    codes, uniques = cal.categorized(name)
    texts = uniques.tolist()
    assert sorted(texts) == sorted(set(texts))
    assert uniques[codes].tolist() == cal.frame[name].tolist()
    if name.endswith("_raw"):
        assert cal.frame[name].tolist() == column


def test_categories_follow_a_frame_narrowed_to_some_rows() -> None:
    cal = read([HEADER, row("P1", status="Draft"), row("P2", status="Approved"),
                row("P3", status="Published")])
    narrowed = dataclasses.replace(cal, frame=cal.frame.iloc[1:].reset_index(drop=True))
    codes, uniques = narrowed.categorized("status")
    assert uniques[codes].tolist() == ["approved", "published"]


# --------------------------------------------------------------------------------------------
# the default publish time: "09:00" unless configured; a setting that cannot be read as a
# time of day (a configuration built in code, past the file's checks) falls back to 09:00


@pytest.mark.parametrize(("clock", "expected"), [
    pytest.param("09:00", "2026-03-20 09:00", id="default"),
    pytest.param("00:00", "2026-03-20 00:00", id="midnight"),
    pytest.param("17:45", "2026-03-20 17:45", id="configured"),
    pytest.param("", "2026-03-20 09:00", id="empty-falls-back"),
    pytest.param("25:00", "2026-03-20 09:00", id="no-such-hour-falls-back"),
    pytest.param("soon", "2026-03-20 09:00", id="text-falls-back"),
])
def test_default_publish_time(clock: str, expected: str) -> None:
    config = dataclasses.replace(calendar_config(), default_publish_time=clock)
    cal = parse([HEADER, row("P1", date="20.03.2026"), row("P2", date="20.03.2026 11:15")],
                config)
    assert stamps(cal) == [expected, "2026-03-20 11:15"]
    assert cal.frame["publish_has_time"].tolist() == [False, True]


# --------------------------------------------------------------------------------------------
# time zones: "times in a spreadsheet are wall-clock times of the spreadsheet (Google's own
# time zone, else the calendar's timezone)"; each client's rules work in its own time


def moved(grid: list[list[Any]], sheet_timezone: str, name: str = "publish_at",
          **calendar: Any) -> list[str | None]:
    config = calendar_config(**calendar)
    cal = parse(grid, config)
    to_client_time(cal, config, sheet_timezone=sheet_timezone)
    return stamps(cal, name)


@pytest.mark.parametrize(("sheet_timezone", "calendar_zone", "expected"), [
    # The spreadsheet's own zone wins over the calendar's: 10:00 in New York (EDT) is 17:00
    # in Istanbul, where Acme is.
    pytest.param("America/New_York", "Europe/Istanbul", ["2026-03-20 17:00", "2026-03-20 09:00"],
                 id="sheet-in-new-york"),
    pytest.param("Europe/Berlin", "Europe/Istanbul", ["2026-03-20 12:00", "2026-03-20 09:00"],
                 id="sheet-in-berlin"),
    # The sheet is in Acme's zone: nothing moves, whatever the calendar's zone.
    pytest.param("Europe/Istanbul", "America/New_York", ["2026-03-20 10:00", "2026-03-20 09:00"],
                 id="sheet-in-istanbul-calendar-in-new-york"),
    # A file has no zone of its own: its times are the calendar's.
    pytest.param("", "Europe/Istanbul", ["2026-03-20 10:00", "2026-03-20 09:00"],
                 id="file-in-calendar-zone"),
])
def test_the_sheets_own_time_zone(sheet_timezone: str, calendar_zone: str,
                                  expected: list[str]) -> None:
    grid = [HEADER, row("P1", date="2026-03-20 10:00"), row("P2", date="2026-03-20")]
    clients = {"Acme": {"timezone": "Europe/Istanbul", "country": "TR"}}
    assert moved(grid, sheet_timezone, timezone=calendar_zone, clients=clients) == expected


def test_a_file_without_a_zone_moves_clients_from_the_calendars_zone() -> None:
    grid = [HEADER, row("P1", client="Berlin GmbH", date="2026-03-20 10:00"),
            row("P2", client="Acme", date="2026-03-20 10:00")]
    assert moved(grid, "", clients=BERLIN) == ["2026-03-20 08:00", "2026-03-20 10:00"]


SPLIT_HEADER = ["ID", "Client", "Channel", "Publish date", "Publish time", "Status",
                "Sent for review"]


@pytest.mark.parametrize(("cells", "publish", "sent"), [
    # The time from the separate column is a time like any other: it moves.
    pytest.param(["20.03.2026", "10:00", ""], "2026-03-20 08:00", None, id="time-column"),
    pytest.param(["20.03.2026 10:00", "", ""], "2026-03-20 08:00", None, id="time-in-date"),
    # A date alone stays on its day (09:00); the review date has its own time, which moves.
    pytest.param(["20.03.2026", "", "18.03.2026 12:00"], "2026-03-20 09:00",
                 "2026-03-18 10:00", id="date-only-publish-timed-review"),
    pytest.param(["20.03.2026", "10:00", "18.03.2026"], "2026-03-20 08:00",
                 "2026-03-18 00:00", id="timed-publish-date-only-review"),
    pytest.param(["", "10:00", "18.03.2026 12:00"], None, "2026-03-18 10:00",
                 id="time-without-date"),
])
def test_which_dates_move_to_the_clients_zone(cells: list[str], publish: str | None,
                                              sent: str | None) -> None:
    date, time, review = cells
    grid = [SPLIT_HEADER, ["P1", "Berlin GmbH", "IG", date, time, "Draft", review]]
    assert moved(grid, "Europe/Istanbul", clients=BERLIN) == [publish]
    assert moved(grid, "Europe/Istanbul", "sent_for_review_at", clients=BERLIN) == [sent]


# --------------------------------------------------------------------------------------------
# cells that cannot come from a sheet (a list, a dict: a grid built in code) still decide only
# their own row: such a cell is content, and a blank row beside it is no post


def grid_with(cells: list[Any]) -> list[list[Any]]:
    """Posts on rows 2 and 3, then one row per cell of ``cells`` in the Revision round column."""
    rows: list[list[Any]] = [[*row("P1"), 1], [*row("P2"), [1, 2]]]
    rows += [[None] * 9 + [cell] for cell in cells]
    return [[*HEADER, "Revision round"], *rows]


@pytest.mark.parametrize(("cells", "kept"), [
    pytest.param([[1, 2], None], [2, 3, 4], id="list-then-blank-row"),
    pytest.param([None, {"a": 1}], [2, 3, 5], id="blank-row-then-dict"),
    pytest.param([[1], "  ", float("nan"), "", "\t"], [2, 3, 4], id="list-and-blank-cells"),
    pytest.param([[1], 3, None, "4"], [2, 3, 4, 5, 7], id="list-number-blank-text"),
    pytest.param([[1], None, 0], [2, 3, 4, 6], id="list-blank-and-zero"),
    pytest.param([None, None], [2, 3], id="no-unhashable-cell-undecided"),
])
def test_an_unhashable_cell_counts_for_its_own_row_only(cells: list[Any], kept: list[int]) -> None:
    cal = read(grid_with(cells))
    assert cal.frame["row"].tolist() == kept


# --------------------------------------------------------------------------------------------
# configured sheet values made of signs only ("✓", "—"): they read as configured, and a blank
# cell stays '' ("the canonical value, '' when empty or unknown")


@pytest.mark.parametrize(("cells", "canonical"), [
    pytest.param(["✓", " ✓ ", "—", "", "  ", None, "?", "Draft"],
                 ["approved", "approved", "idea", "", "", "", "", "draft"], id="statuses"),
])
def test_configured_statuses_of_signs_only(cells: list[Any], canonical: list[str]) -> None:
    rows = [row(f"P{i}", status=cell) for i, cell in enumerate(cells, 1)]
    cal = read([HEADER, *rows], statuses={"approved": ["✓"], "idea": [" — "]})
    assert cal.frame["status"].tolist() == canonical
    assert cal.frame["status_raw"].tolist() == [c or "" for c in cells]


@pytest.mark.parametrize(("table", "configured", "column", "cell", "expected"), [
    pytest.param("channels", {"youtube": ["▶"]}, "channel", "▶", "youtube", id="channel-sign"),
    pytest.param("channels", {"youtube": ["▶"]}, "channel", "", "", id="channel-blank"),
    pytest.param("formats", {"carousel": ["⧉"]}, "format", "⧉", "carousel", id="format-sign"),
    pytest.param("formats", {"carousel": ["⧉"]}, "format", " ", "", id="format-blank"),
    pytest.param("formats", {"carousel": ["⧉"]}, "format", "Carousel", "carousel",
                 id="format-word"),
    pytest.param("statuses", {"approved": ["✓"]}, "status", "✔", "", id="other-sign-unknown"),
    pytest.param("statuses", {"draft": [""]}, "status", "", "", id="blank-configured"),
    pytest.param("statuses", {"draft": ["  "]}, "status", "  ", "", id="spaces-configured"),
])
def test_configured_vocabulary_of_signs(table: str, configured: dict[str, list[str]], column: str,
                                       cell: str, expected: str) -> None:
    fields = {"channel": "channel", "format": "fmt", "status": "status"}
    cal = read([HEADER, row("P1", **{fields[column]: cell})], **{table: configured})
    assert cal.frame[column].tolist() == [expected]


def test_a_configured_sign_status_is_neither_unknown_nor_given_to_blank_cells() -> None:
    found = audit([row("P1", status="✓"), row("P2", status="", caption="Other")],
                  at("2026-03-10 09:00"), statuses={"approved": ["✓"]},
                  rules={"levels": only("unknown-status", "missing-required")})
    assert {f.key() for f in found} == {(3, "status", "missing-required")}
