"""The Report's approval turnaround: which approvals count, their hours, and the on-time share.

Each row of the turnaround table is [client, approvals, median hours, 90th percentile hours,
on time %]. The expected numbers are worked out by hand in the comments (the 90th percentile
interpolates linearly: for two values a <= b it is a + 0.9 x (b - a)).

Approvals come from the sheet's "Sent for review" and "Approved on" where both are filled in
order, else from observed status changes: an entry into approved from a state that is not an
approved one, timed from the latest entry into client review since the previous approval.
Filters are tested one at a time, so that dropping any one of them fails a test here.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pandas as pd
import pytest
from conftest import HEADER, at, calendar_config, only, row

from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.config import CalendarConfig
from sheets_sync.outputs import report_table
from sheets_sync.outputs.turnaround import turnaround
from sheets_sync.parse import parse
from sheets_sync.rules.base import Context
from sheets_sync.run import run_once
from sheets_sync.state import StateStore

NOW = at("2026-03-20 09:00")
SHEET_HEADER = [*HEADER, "Sent for review", "Approved on"]
NONE = pd.DataFrame({"post_id": pd.Series([], dtype=object),
                     "at": pd.Series([], dtype="datetime64[ns]"),
                     "from_status": pd.Series([], dtype=object),
                     "to_status": pd.Series([], dtype=object)})
# (client, its zone, hours its wall clock is ahead of UTC in early March 2026)
CLIENTS = [("Acme", "Europe/Istanbul", 3), ("Nova", "America/New_York", -5)]
ZONE_IDS = ["istanbul", "new-york"]


def config() -> CalendarConfig:
    return calendar_config(clients={"Nova": {"timezone": "America/New_York", "country": "US"}},
                           rules={"feedback": {"sla_days": 2}})


def table(rows: list[list[Any]], moves: pd.DataFrame = NONE,
          header: list[str] = SHEET_HEADER) -> list[list[Any]]:
    cfg = config()
    return turnaround(Context(parse([header, *rows], cfg), cfg, NOW), moves)


def sheet_row(post_id: str, sent: Any, approved: Any, client: str = "Acme") -> list[Any]:
    return [*row(post_id, client=client, status="Approved", date="2026-04-20 10:00"), sent,
            approved]


def plain(post_id: str, client: str = "Acme", status: str = "Approved") -> list[Any]:
    return [*row(post_id, client=client, status=status, date="2026-04-20 10:00"), None, None]


def moves(post_id: str, ahead: int, *steps: tuple[str, str, str]) -> pd.DataFrame:
    """Transitions of ``post_id`` from (local wall-clock time, from, to); ``ahead`` is the
    client's offset from UTC in hours (the store keeps UTC)."""
    shift = dt.timedelta(hours=ahead)
    return pd.DataFrame({
        "post_id": [post_id] * len(steps),
        "at": pd.to_datetime([dt.datetime.fromisoformat(s[0]) - shift for s in steps]
                             ).as_unit("ns"),
        "from_status": [s[1] for s in steps], "to_status": [s[2] for s in steps]})


# --------------------------------------------------------------------------------------------
# The sheet's own dates


def test_an_approval_exactly_at_the_deadline_is_on_time() -> None:
    # Sent Monday 10:00; two business days: due Wednesday 10:00; 48 hours.
    assert table([sheet_row("P1", "2026-03-02 10:00", "2026-03-04 10:00")]) == [
        ["Acme", 1, 48.0, 48.0, 100.0]]


def test_an_approval_a_minute_after_the_deadline_is_late() -> None:
    # 48 h 1 min = 48.0166… hours, shown to one decimal.
    assert table([sheet_row("P1", "2026-03-02 10:00", "2026-03-04 10:01")]) == [
        ["Acme", 1, 48.0, 48.0, 0.0]]


def test_a_zero_hour_turnaround_counts_and_is_on_time() -> None:
    assert table([sheet_row("P1", "2026-03-02 10:00", "2026-03-02 10:00")]) == [
        ["Acme", 1, 0.0, 0.0, 100.0]]


def test_a_date_only_approval_on_the_day_it_was_sent_is_zero_hours() -> None:
    assert table([sheet_row("P1", "2026-03-02", "2026-03-02")]) == [["Acme", 1, 0.0, 0.0, 100.0]]


def test_an_approval_dated_before_the_review_is_not_a_sheet_approval() -> None:
    assert table([sheet_row("P1", "2026-03-04 10:00", "2026-03-02 10:00")]) == [
        ["Acme", 0, None, None, None]]


def test_sheet_approvals_per_client_median_percentile_and_share() -> None:
    rows = [sheet_row("P1", "2026-03-02 10:00", "2026-03-02 16:00"),  # 6 h, on time
            sheet_row("P2", "2026-03-02 10:00", "2026-03-05 10:00"),  # 72 h, due Wed: late
            sheet_row("P3", "2026-03-03 09:00", "2026-03-04 09:00"),  # 24 h, on time
            sheet_row("N1", "2026-03-06 16:00", "2026-03-09 10:00", client="Nova"),
            plain("P4")]
    # Acme 6, 24, 72: median 24, 90th 24 + 0.8 x 48 = 62.4; 2 of 3 on time.
    # Nova: 66 wall-clock hours, 65 real ones (New York's clocks go forward on Sunday);
    # Friday 16:00 + 2 business days = Tuesday 16:00, approved Monday: on time.
    assert table(rows) == [["Acme", 3, 24.0, 62.4, 66.7], ["Nova", 1, 65.0, 65.0, 100.0]]


# --------------------------------------------------------------------------------------------
# Observed status changes


@pytest.mark.parametrize(("client", "zone", "ahead"), CLIENTS, ids=ZONE_IDS)
def test_an_observed_approval_exactly_at_the_deadline_is_on_time(
        client: str, zone: str, ahead: int) -> None:
    observed = moves("P1", ahead, ("2026-03-02 10:00", "draft", "client_review"),
                     ("2026-03-04 10:00", "client_review", "approved"))
    assert table([plain("P1", client)], observed) == [[client, 1, 48.0, 48.0, 100.0]]


@pytest.mark.parametrize(("client", "zone", "ahead"), CLIENTS, ids=ZONE_IDS)
def test_an_observed_approval_a_minute_late_is_late(client: str, zone: str, ahead: int) -> None:
    observed = moves("P1", ahead, ("2026-03-02 10:00", "draft", "client_review"),
                     ("2026-03-04 10:01", "client_review", "approved"))
    assert table([plain("P1", client)], observed) == [[client, 1, 48.0, 48.0, 0.0]]


@pytest.mark.parametrize(("client", "zone", "ahead"), CLIENTS, ids=ZONE_IDS)
def test_observed_approvals_are_timed_from_the_latest_review(
        client: str, zone: str, ahead: int) -> None:
    observed = moves("P1", ahead, ("2026-03-02 10:00", "draft", "client_review"),
                     ("2026-03-02 12:00", "client_review", "changes_requested"),
                     ("2026-03-03 10:00", "changes_requested", "client_review"),
                     ("2026-03-03 16:00", "client_review", "approved"))  # 6 h, not 30 h
    assert table([plain("P1", client)], observed) == [[client, 1, 6.0, 6.0, 100.0]]


def test_an_entry_into_approved_from_scheduled_is_not_a_new_approval() -> None:
    # Approved once (24 h), scheduled, sent back to the client, scheduled again straight
    # from review, then marked approved: an entry into approved from an approved state.
    # Counted, it would be a second approval of 30 h (Wednesday 10:00 to Thursday 16:00).
    observed = moves("P1", 3, ("2026-03-02 10:00", "draft", "client_review"),
                     ("2026-03-03 10:00", "client_review", "approved"),
                     ("2026-03-03 12:00", "approved", "scheduled"),
                     ("2026-03-04 10:00", "scheduled", "client_review"),
                     ("2026-03-04 12:00", "client_review", "scheduled"),
                     ("2026-03-05 16:00", "scheduled", "approved"))
    assert table([plain("P1")], observed) == [["Acme", 1, 24.0, 24.0, 100.0]]


def test_a_scheduled_post_marked_approved_is_no_approval_at_all() -> None:
    # Review to scheduled directly, then approved: there is no entry into approved from a
    # state not yet approved. Counted, it would be 30 h from Monday 10:00.
    observed = moves("P1", 3, ("2026-03-02 10:00", "draft", "client_review"),
                     ("2026-03-02 12:00", "client_review", "scheduled"),
                     ("2026-03-03 16:00", "scheduled", "approved"))
    assert table([plain("P1")], observed) == [["Acme", 0, None, None, None]]


def test_a_re_approval_without_a_new_review_is_not_a_new_approval() -> None:
    # Approved Tuesday 10:00 (24 h), back to draft for an internal fix, approved again
    # Wednesday 10:00 with no review in between: measured from Monday's review it would be
    # a second approval of 48 h.
    observed = moves("P1", 3, ("2026-03-02 10:00", "draft", "client_review"),
                     ("2026-03-03 10:00", "client_review", "approved"),
                     ("2026-03-03 12:00", "approved", "draft"),
                     ("2026-03-04 10:00", "draft", "approved"))
    assert table([plain("P1")], observed) == [["Acme", 1, 24.0, 24.0, 100.0]]


def test_a_re_approval_after_a_new_review_is_a_new_approval() -> None:
    observed = moves("P1", 3, ("2026-03-02 10:00", "draft", "client_review"),
                     ("2026-03-03 10:00", "client_review", "approved"),  # 24 h
                     ("2026-03-03 12:00", "approved", "changes_requested"),
                     ("2026-03-04 10:00", "changes_requested", "client_review"),
                     ("2026-03-05 16:00", "client_review", "approved"))  # 30 h, due Fri 10:00
    # 24 and 30: median 27, 90th 24 + 0.9 x 6 = 29.4; both on time.
    assert table([plain("P1")], observed) == [["Acme", 2, 27.0, 29.4, 100.0]]


def test_an_approval_with_no_review_observed_before_it_is_not_counted() -> None:
    observed = moves("P1", 3, ("2026-03-02 10:00", "draft", "approved"),
                     ("2026-03-03 10:00", "approved", "client_review"))
    assert table([plain("P1")], observed) == [["Acme", 0, None, None, None]]


def test_observed_changes_count_only_where_the_sheet_has_no_dated_approval() -> None:
    # P1's sheet dates (6 h) win over its observed changes (24 h); P2 has only a sent date.
    observed = pd.concat([
        moves("P1", 3, ("2026-03-02 10:00", "draft", "client_review"),
              ("2026-03-03 10:00", "client_review", "approved")),
        moves("P2", 3, ("2026-03-02 10:00", "draft", "client_review"),
              ("2026-03-04 12:00", "client_review", "approved")),  # 50 h, late
        moves("GONE", 3, ("2026-03-02 10:00", "draft", "client_review"),
              ("2026-03-02 11:00", "client_review", "approved"))], ignore_index=True)
    rows = [sheet_row("P1", "2026-03-02 10:00", "2026-03-02 16:00"),
            sheet_row("P2", "2026-03-02 10:00", None)]
    # 6 and 50: median 28, 90th 6 + 0.9 x 44 = 45.6; 1 of 2 on time.
    assert table(rows, observed) == [["Acme", 2, 28.0, 45.6, 50.0]]


# --------------------------------------------------------------------------------------------
# End to end: transitions the state store records, cycle after cycle


@pytest.mark.parametrize(("client", "zone", "ahead"), CLIENTS, ids=ZONE_IDS)
def test_the_reports_turnaround_from_synced_status_changes(
        client: str, zone: str, ahead: int) -> None:
    cfg = calendar_config(tab="Calendar",
                          clients={"Nova": {"timezone": "America/New_York", "country": "US"}},
                          rules={"levels": only(), "feedback": {"sla_days": 2}})
    backend = MemoryBackend({"Calendar": [
        list(HEADER), row("P1", client=client, status="Draft", date="2026-04-20 10:00")]})
    store = StateStore(":memory:")
    tz = zoneinfo.ZoneInfo(zone)
    report: list[list[Any]] = []
    for moment, status in (("2026-03-02 09:00", "Draft"), ("2026-03-02 10:00", "Client review"),
                           ("2026-03-03 16:00", "Approved"),  # 30 h, due Wed 10:00
                           ("2026-03-04 09:00", "Scheduled"),
                           ("2026-03-04 10:00", "Approved")):  # from scheduled: not new
        backend.tabs["Calendar"][1][HEADER.index("Status")] = status
        now = dt.datetime.fromisoformat(moment).replace(tzinfo=tz)
        report = run_once(cfg, backend, store, now).outputs["Report"]
    assert report_table(report, "Approval turnaround per client") == [
        ["Client", "Approvals", "Median hours", "90th percentile hours", "SLA hours",
         "On time %"],
        [client, 1, 30.0, 30.0, 48, 100.0]]


# --------------------------------------------------------------------------------------------
# Hours are real hours, across a daylight-saving change too


def test_observed_hours_across_the_clock_change_are_real_hours() -> None:
    # New York moves its clocks forward on Sunday 8 March: Friday 10:00 EST (15:00 UTC) to
    # Monday 10:00 EDT (14:00 UTC) is 71 hours, not the 72 the wall clock suggests. Due
    # Tuesday 10:00: on time.
    observed = moves("N1", 0, ("2026-03-06 15:00", "draft", "client_review"),
                     ("2026-03-09 14:00", "client_review", "approved"))
    assert table([plain("N1", "Nova")], observed) == [["Nova", 1, 71.0, 71.0, 100.0]]


def test_sheet_hours_across_the_clock_change_are_real_hours() -> None:
    # The sheet's times are wall-clock times in the client's zone: 71 real hours, as above.
    rows = [sheet_row("N1", "2026-03-06 10:00", "2026-03-09 10:00", client="Nova")]
    assert table(rows) == [["Nova", 1, 71.0, 71.0, 100.0]]
