"""Times as the sheet writes them: the zone a header names ("Time (UTC)", "time_wib"), a
default time in a header ("Publish date (10:00 AM)"), a date cell's time beside a time
column, wall times that daylight saving makes ambiguous or skips, and publish times shown to
people in the sheet's own wall time with the client's beside it where the zones differ.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import at, calendar_config, keys, only

from sheets_sync.audit import audit_path
from sheets_sync.findings import to_findings
from sheets_sync.model import Finding
from sheets_sync.outputs import report_grid, status_grid
from sheets_sync.parse import Calendar, parse
from sheets_sync.parse_times import to_client_time
from sheets_sync.validate import validate

SPLIT = ["ID", "Channel", "Publish date", "Publish time", "Status", "Caption"]


def header_with(time_header: str) -> list[str]:
    return [time_header if h == "Publish time" else h for h in SPLIT]


def post(post_id: str, date: Any, time: Any = "", status: str = "Draft") -> list[Any]:
    return [post_id, "Instagram", date, time, status, "Hello"]


def read(header: list[str], rows: list[list[Any]], sheet_timezone: str = "",
         **calendar: Any) -> Calendar:
    """Parse as a cycle does: read the cells, then move the times to the clients' zones."""
    config = calendar_config(**calendar)
    cal = parse([header, *rows], config)
    to_client_time(cal, config, sheet_timezone)
    return cal


def findings(header: list[str], rows: list[list[Any]], now: dt.datetime,
             sheet_timezone: str = "", **calendar: Any) -> list[Finding]:
    config = calendar_config(**calendar)
    cal = parse([header, *rows], config)
    to_client_time(cal, config, sheet_timezone)
    return to_findings(validate(cal, config, now))


def stamps(cal: Calendar) -> list[str | None]:
    return [None if s != s else str(s)[:16] for s in cal.frame["publish_at"]]


def of(found: list[Finding], code: str) -> list[Finding]:
    return [f for f in found if f.code == code]


NOW = at("2026-07-01 09:00")
QUIET = only("zone-from-header", "time-from-header", "time-conflict", "time-ambiguous",
             "time-nonexistent", "missing-required", "invalid-time", "invalid-date")


# --------------------------------------------------------------------------------------------
# the zone a header names


def test_a_utc_header_reads_the_times_as_utc_and_says_so_once() -> None:
    header = header_with("Time (UTC)")
    rows = [post("P1", "2026-07-16", "07:00"), post("P2", "2026-07-17", "21:30")]
    cal = read(header, rows)  # the calendar's zone is Istanbul (UTC+3)
    assert cal.columns["publish_time"] == 3  # still the time column
    assert stamps(cal) == ["2026-07-16 10:00", "2026-07-18 00:30"]
    found = findings(header, rows, NOW, rules={"levels": QUIET})
    note = of(found, "zone-from-header")
    assert [(f.row, f.column, f.severity.label) for f in note] == [(1, "publish_time", "info")]
    assert note[0].message == (
        "Times in “Time (UTC)” are read as UTC (from the header), not in Europe/Istanbul, the "
        "calendar's time zone (timezone in the configuration).")
    assert keys(found) == {(1, "publish_time", "zone-from-header")}


def test_a_hint_that_agrees_with_the_calendar_says_only_what_it_read() -> None:
    found = findings(header_with("Time (UTC)"), [post("P1", "2026-07-16", "07:00")], NOW,
                     timezone="UTC", rules={"levels": QUIET})
    assert [f.message for f in of(found, "zone-from-header")] == [
        "Times in “Time (UTC)” are read as UTC (from the header)."]


def test_a_header_wins_over_the_spreadsheets_own_zone_and_says_so() -> None:
    header = header_with("Time (UTC)")
    cal = read(header, [post("P1", "2026-07-16", "07:00")], sheet_timezone="America/New_York")
    assert stamps(cal) == ["2026-07-16 10:00"]  # not 14:00, New York's 07:00 in Istanbul
    found = findings(header, [post("P1", "2026-07-16", "07:00")], NOW,
                     sheet_timezone="America/New_York", rules={"levels": QUIET})
    assert of(found, "zone-from-header")[0].message.endswith(
        "not in America/New_York, the spreadsheet's own time zone.")


def test_time_wib_is_the_time_column_read_in_jakarta() -> None:
    header = ["id", "date", "time_wib", "status", "channel"]
    rows = [["1", "2026-07-31", "LIVE", "published", "Instagram"],
            ["2", "2026-08-01", "09:00", "scheduled", "Instagram"]]
    cal = read(header, rows)  # clients in Istanbul, 4 hours behind Jakarta
    assert cal.headers["publish_time"] == "time_wib"
    assert stamps(cal) == ["2026-07-31 09:00", "2026-08-01 05:00"]
    # "LIVE" beside a published post is no time, not a mistyped one: the default time.
    assert cal.frame["publish_has_time"].tolist() == [False, True]
    found = findings(header, rows, NOW, timezone="Asia/Jakarta", rules={"levels": QUIET})
    assert [(f.code, f.message) for f in found] == [
        ("zone-from-header", "Times in “time_wib” are read as WIB (Asia/Jakarta) (from the "
                             "header).")]


@pytest.mark.parametrize(("time_header", "istanbul"), [
    pytest.param("Publish time (WIB)", "2026-07-16 05:00", id="wib"),
    pytest.param("Time (EST)", "2026-07-16 16:00", id="est-is-new-york-in-summer"),
    pytest.param("Time (Europe/Berlin)", "2026-07-16 10:00", id="iana"),
    pytest.param("Time (GMT+3)", "2026-07-16 09:00", id="gmt-plus-3"),
    pytest.param("Time (UTC-05:30)", "2026-07-16 17:30", id="half-hour-offset"),
    pytest.param("Time UTC", "2026-07-16 12:00", id="zone-word-ending-the-header"),
    pytest.param("Time (09:00)", "2026-07-16 09:00", id="no-zone"),
])
def test_the_zones_a_header_may_name(time_header: str, istanbul: str) -> None:
    cal = read(header_with(time_header), [post("P1", "2026-07-16", "09:00")])
    assert "publish_time" in cal.columns
    assert stamps(cal) == [istanbul]


def test_a_date_header_names_the_zone_of_the_times_in_its_cells() -> None:
    header = ["ID", "Channel", "Date (GMT+3)", "Status", "Caption"]
    rows = [["P1", "Instagram", "2026-07-16 09:00", "Draft", "Hi"]]
    cal = read(header, rows, timezone="UTC")
    assert stamps(cal) == ["2026-07-16 06:00"]
    found = findings(header, rows, NOW, timezone="UTC", rules={"levels": QUIET})
    assert [f.message for f in of(found, "zone-from-header")] == [
        "Times in “Date (GMT+3)” are read as GMT+3 (UTC+03:00) (from the header), not in UTC, "
        "the calendar's time zone (timezone in the configuration)."]


def test_an_audited_file_reads_its_header_zone(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("Date,Platform,Time (UTC),Status,Caption\n"
                    "2026-07-16,Twitter,07:00,Draft,Hello\n", encoding="utf-8")
    result = audit_path(path, now=at("2026-07-15 09:00"))
    assert [f.message for f in to_findings(result.findings) if f.code == "approval-missing"] == [
        "Publishes 2026-07-16 07:00 UTC (10:00 Istanbul) and is not approved yet (status "
        "“Draft”). Get the client's approval before then."]
    assert "zone-from-header" in set(result.findings["code"])


# --------------------------------------------------------------------------------------------
# a default time in a header; a date cell's time beside the time column


def test_a_time_in_the_date_header_is_the_time_of_rows_that_give_none() -> None:
    header = ["ID", "Channel", "Publish date (10:00 AM)", "Status", "Caption"]
    rows = [["P1", "Instagram", "2026-07-16", "Draft", "Hi"],
            ["P2", "Instagram", "2026-07-17 14:00", "Draft", "Hi"]]
    cal = read(header, rows)
    assert stamps(cal) == ["2026-07-16 10:00", "2026-07-17 14:00"]
    assert cal.frame["publish_has_time"].tolist() == [False, True]
    found = findings(header, rows, NOW, rules={"levels": QUIET})
    assert [(f.row, f.column, f.code, f.message) for f in found] == [
        (1, "publish_at", "time-from-header",
         "Posts with no time of day are taken at 10:00, as “Publish date (10:00 AM)” says.")]


@pytest.mark.parametrize("midnight", [
    pytest.param(dt.datetime(2024, 7, 16), id="date-cell"),
    pytest.param("2024-07-16 00:00:00", id="exported-date-cell"),
    pytest.param(45489.0, id="serial"),
])
def test_a_date_cells_midnight_leaves_the_time_to_the_time_column(midnight: Any) -> None:
    rows = [post("P1", midnight, "10:00"), post("P2", midnight, dt.time(18, 5))]
    cal = read(SPLIT, rows)
    assert stamps(cal) == ["2024-07-16 10:00", "2024-07-16 18:05"]
    assert not of(findings(SPLIT, rows, NOW, rules={"levels": QUIET}), "time-conflict")


def test_the_time_column_wins_over_another_time_in_the_date_cell_and_says_so() -> None:
    rows = [post("P1", dt.datetime(2026, 7, 16, 8, 0), "10:00"),
            post("P2", "2026-07-17 11:00", "11:00"),  # the same time twice: nothing to say
            post("P3", "2026-07-18 12:15", "")]       # no time cell: the date's own time
    cal = read(SPLIT, rows)
    assert stamps(cal) == ["2026-07-16 10:00", "2026-07-17 11:00", "2026-07-18 12:15"]
    found = findings(SPLIT, rows, NOW, rules={"levels": QUIET})
    assert [(f.row, f.column, f.code, f.severity.label) for f in found] == [
        (2, "publish_time", "time-conflict", "warning")]
    assert found[0].message == ("“Publish date” says 08:00 and “Publish time” says 10:00: the "
                                "time column's 10:00 is taken. Clear the one that is wrong.")


# --------------------------------------------------------------------------------------------
# publish times shown as written


BERLIN_SHEET = header_with("Time (Europe/Berlin)")
DUE = at("2026-07-15 09:00")  # 25 hours before 10:00 Istanbul on the 16th


def test_status_and_messages_show_the_sheets_time_and_the_clients() -> None:
    config = calendar_config(rules={"levels": only("approval-missing")})
    cal = parse([BERLIN_SHEET, post("P1", "2026-07-16", "09:00")], config)
    to_client_time(cal, config)
    found = validate(cal, config, DUE)
    assert to_findings(found)[0].message == (
        "Publishes 2026-07-16 09:00 Europe/Berlin (10:00 Istanbul) and is not approved yet "
        "(status “Draft”). Get the client's approval before then.")
    grid = status_grid(cal, found, config)
    column = grid[0].index("Due")
    assert grid[2][column] == "2026-07-16 09:00 Europe/Berlin (10:00 Istanbul)"
    report = report_grid(cal, found, found.iloc[:0], DUE, config, {})
    listed = next(r for r in report if r and r[0] == "P1")
    assert "2026-07-16 09:00 Europe/Berlin (10:00 Istanbul)" in listed


def test_the_clients_date_is_shown_when_it_is_another_day() -> None:
    found = findings(header_with("Time (UTC)"), [post("P1", "2026-07-01", "22:30")],
                     at("2026-07-02 09:00"), rules={"levels": only("stale-unpublished")})
    assert found[0].message.startswith(
        "The publish time 2026-07-01 22:30 UTC (2026-07-02 01:30 Istanbul) has passed")


def test_only_clients_in_another_zone_than_the_sheet_see_both_times() -> None:
    header = ["ID", "Client", "Channel", "Publish date", "Time (Europe/Berlin)", "Status",
              "Caption"]
    rows = [["P1", "Acme", "Instagram", "2026-07-16", "09:00", "Draft", "Hello"],
            ["P2", "Beta", "Instagram", "2026-07-16", "09:00", "Draft", "Hello"]]
    found = findings(header, rows, DUE, rules={"levels": only("approval-missing")},
                     clients={"Beta": {"timezone": "Europe/Berlin"}})
    assert sorted(f.message for f in found) == [
        "Publishes 2026-07-16 09:00 Europe/Berlin (10:00 Istanbul) and is not approved yet "
        "(status “Draft”). Get the client's approval before then.",
        "Publishes 2026-07-16 09:00 and is not approved yet (status “Draft”). Get the "
        "client's approval before then."]
    alone = findings(header, rows[1:], DUE, rules={"levels": only("approval-missing")},
                     clients={"Beta": {"timezone": "Europe/Berlin"}})
    assert [f.message for f in alone] == [
        "Publishes 2026-07-16 09:00 and is not approved yet (status “Draft”). Get the "
        "client's approval before then."]


def test_turkish_messages_show_both_times_with_turkish_dates() -> None:
    found = findings(BERLIN_SHEET, [post("P1", "2026-07-16", "09:00")], DUE, language="tr",
                     rules={"levels": only("approval-missing")})
    assert found[0].message.startswith(
        "16.07.2026 09:00 Europe/Berlin (10:00 Istanbul) tarihinde yayınlanacak")


@pytest.mark.parametrize("time_header", ["Publish time", "Time (TRT)"])
def test_in_the_clients_own_zone_the_time_is_shown_as_before(time_header: str) -> None:
    config = calendar_config(rules={"levels": only("approval-missing")})
    cal = parse([header_with(time_header), post("P1", "2026-07-16", "10:00")], config)
    to_client_time(cal, config)
    found = validate(cal, config, DUE)
    assert to_findings(found)[0].message.startswith("Publishes 2026-07-16 10:00 and is not")
    grid = status_grid(cal, found, config)
    assert grid[2][grid[0].index("Due")] == dt.datetime(2026, 7, 16, 10, 0)


def test_a_client_elsewhere_sees_the_sheets_time_and_its_own() -> None:
    """No header hint: the spreadsheet is in Istanbul, one client in Berlin."""
    clients = {"Berlin GmbH": {"timezone": "Europe/Berlin", "country": "DE"}}
    config = calendar_config(clients=clients, rules={"levels": only("approval-missing")})
    header = ["ID", "Client", "Channel", "Publish date", "Status"]
    cal = parse([header, ["P1", "Berlin GmbH", "Instagram", "2026-07-16 10:00", "Draft"]],
                config)
    to_client_time(cal, config, "Europe/Istanbul")
    found = validate(cal, config, DUE)
    assert to_findings(found)[0].message.startswith(
        "Publishes 2026-07-16 10:00 Europe/Istanbul (09:00 Berlin) and")


# --------------------------------------------------------------------------------------------
# wall times that daylight saving makes ambiguous or skips


@pytest.mark.parametrize(("client_zone", "expected"), [
    pytest.param("Europe/Berlin", "2026-10-25 02:30", id="same-zone"),
    pytest.param("Europe/Istanbul", "2026-10-25 03:30", id="moved-to-istanbul"),
])
def test_a_time_that_happens_twice_is_the_earlier_one(client_zone: str, expected: str) -> None:
    clients = {"Acme": {"timezone": client_zone, "country": "TR"}}
    rows = [post("P1", "2026-10-25", "02:30"), post("P2", "2026-10-25", "04:00")]
    cal = read(SPLIT, rows, timezone="Europe/Berlin", clients=clients)
    assert stamps(cal)[0] == expected  # 00:30 UTC: never an empty publish date
    found = findings(SPLIT, rows, at("2026-10-01 09:00"), timezone="Europe/Berlin",
                     clients=clients, rules={"levels": QUIET})
    assert [(f.row, f.column, f.code, f.severity.label) for f in found] == [
        (2, "publish_at", "time-ambiguous", "info")]
    assert found[0].message == (
        "Publish date: 2026-10-25 02:30 happens twice in Europe/Berlin, as the clocks go back: "
        "the earlier one (00:30 UTC) is taken.")


@pytest.mark.parametrize(("client_zone", "expected"), [
    pytest.param("Europe/Berlin", "2026-03-29 03:30", id="same-zone"),
    pytest.param("Europe/Istanbul", "2026-03-29 04:30", id="moved-to-istanbul"),
])
def test_a_time_the_clocks_skip_moves_on_by_the_gap(client_zone: str, expected: str) -> None:
    clients = {"Acme": {"timezone": client_zone, "country": "TR"}}
    rows = [post("P1", "2026-03-29", "02:30")]
    cal = read(SPLIT, rows, timezone="Europe/Berlin", clients=clients)
    assert stamps(cal) == [expected]
    found = findings(SPLIT, rows, at("2026-03-01 09:00"), timezone="Europe/Berlin",
                     clients=clients, rules={"levels": QUIET})
    assert [(f.row, f.column, f.code) for f in found] == [(2, "publish_at", "time-nonexistent")]
    assert found[0].message == (
        "Publish date: 2026-03-29 02:30 does not exist in Europe/Berlin, as the clocks go "
        "forward: it is read as 03:30, the same time after the change.")


def test_a_date_alone_on_the_day_the_clocks_change_is_no_finding() -> None:
    rows = [post("P1", "2026-10-25"), post("P2", "2026-03-29")]
    found = findings(SPLIT, rows, at("2026-03-01 09:00"), timezone="Europe/Berlin",
                     rules={"levels": QUIET})
    assert found == []
