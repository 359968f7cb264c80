"""The Status and Report tabs, and the cell-size limit, at the places the other output tests
leave open: cells cut to what Excel holds, cancelled posts and month and week edges in the
pillar mix and cadence, clients in other time zones, blank cells, and approvals observed by
cycles that share a time stamp.

Expected cells are worked out by hand from the README, the specification and the docstrings
of sheets_sync/outputs/; the comments say how.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import pandas as pd
import pytest
from conftest import HEADER, at, calendar_config, only, row

from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.cells import Grid
from sheets_sync.config import CalendarConfig
from sheets_sync.outputs import fit_cells, report_grid, report_table, status_grid
from sheets_sync.parse import parse
from sheets_sync.run import run_once
from sheets_sync.state import StateStore
from sheets_sync.validate import validate

NOW = at("2026-03-10 09:00")  # a Tuesday in Istanbul
UTC = dt.timezone.utc
NO_MOVES = pd.DataFrame({"post_id": pd.Series([], dtype=object),
                         "at": pd.Series([], dtype="datetime64[ns]"),
                         "from_status": pd.Series([], dtype=object),
                         "to_status": pd.Series([], dtype=object)})
PILLAR_HEADER = [*HEADER, "Pillar"]
REVIEW_HEADER = [*HEADER, "Sent for review"]
PILLARS_TITLE = "Pillar mix this month and next"
PILLARS_COLUMNS = ["Client", "Month", "Pillar", "Posts", "Share %", "Target %"]
CADENCE_COLUMNS = ["Client", "Channel", "Week", "Posts planned", "Contract per week"]
TURNAROUND_COLUMNS = ["Client", "Approvals", "Median hours", "90th percentile hours",
                      "SLA hours", "On time %"]


def audited(rows: list[list[Any]], *codes: str, header: list[str] = HEADER,
            config: CalendarConfig | None = None, now: dt.datetime = NOW, **calendar: Any
            ) -> tuple[Any, pd.DataFrame, CalendarConfig]:
    """Parse ``rows`` and validate them with only ``codes`` switched on."""
    rules = {**calendar.pop("rules", {}), "levels": only(*codes)}
    config = config or calendar_config(rules=rules, **calendar)
    cal = parse([header, *rows], config)
    return cal, validate(cal, config, now), config


def report(rows: list[list[Any]], *codes: str, header: list[str] = HEADER,
           moves: pd.DataFrame = NO_MOVES, now: dt.datetime = NOW,
           config: CalendarConfig | None = None, **calendar: Any) -> Grid:
    """The Report of ``rows``; a warning fails the test (it would reach stderr on a sync)."""
    cal, found, config = audited(rows, *codes, header=header, config=config, now=now,
                                 **calendar)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return report_grid(cal, found, moves, now, config, {"rows": len(cal.frame)})


def section(grid: Grid, title: str) -> list[list[Any]]:
    """The header and data rows of the Report table called ``title``."""
    return report_table(grid, title)


# --------------------------------------------------------------------------------------------
# Text longer than an Excel cell holds (32,767 UTF-16 code units) is cut to 32,766 of them
# and "…", so that a cut cell is exactly as long as a cell may be.

EMOJI = "🎉"  # one code point, two UTF-16 code units


@pytest.mark.parametrize(("text", "expected"), [
    ("a" * 20_000, "a" * 20_000),
    ("a" * 32_767, "a" * 32_767),
    ("a" * 32_768, "a" * 32_766 + "…"),
    ("a" * 40_000, "a" * 32_766 + "…"),
    # 16,383 emoji and one letter: 32,767 code units, the most a cell holds.
    ("a" + EMOJI * 16_383, "a" + EMOJI * 16_383),
    # Fewer characters than the limit but more code units: 32,768 units.
    (EMOJI * 16_384, EMOJI * 16_383 + "…"),
    # The cut falls inside an emoji: the half is dropped, not kept as a broken character.
    ("a" + EMOJI * 16_384, "a" + EMOJI * 16_382 + "…"),
], ids=["20000-letters", "exactly-the-limit", "one-unit-over", "40000-letters",
        "emoji-at-the-limit", "emoji-one-unit-over", "cut-inside-an-emoji"])
def test_text_is_cut_to_what_an_excel_cell_holds(text: str, expected: str) -> None:
    grid = fit_cells([["Caption", text, 7, None]])
    assert grid == [["Caption", expected, 7, None]]
    assert len(grid[0][1].encode("utf-16-le")) // 2 <= 32_767


# --------------------------------------------------------------------------------------------
# Status


def test_status_shows_a_critical_finding_as_critical() -> None:
    # A draft publishing in 11 hours: approval-missing, critical within urgent_hours (24).
    cal, found, config = audited([row("P1", date="2026-03-10 20:00")], "approval-missing")
    grid = status_grid(cal, found, config, NOW)
    assert grid[1] == ["Act today"]
    assert [[line[i] for i in (0, 2, 4, 5, 6, 7)] for line in grid[2:]] == [
        ["critical", "P1 · Instagram\n“Hello”", "Ayşe", dt.datetime(2026, 3, 10, 20, 0),
         "approval-missing", 2]]


def test_status_finding_on_the_header_row_shows_no_posts_text() -> None:
    # Two headers for the caption: a finding on the header row (row 1). It names no post, so
    # the post and owner stay blank (not some post's text).
    header = [*HEADER, "Copy"]
    rows = [[*row("P1", channel="TikTok", status="Client review", owner="Mert"), "Other"]]
    cal, found, config = audited(rows, "duplicate-column", header=header)
    grid = status_grid(cal, found, config, NOW)
    assert grid[1] == ["Data to fix"]
    assert [[line[i] for i in (0, 2, 4, 5, 6, 7)] for line in grid[2:]] == [
        ["warning", None, None, None, "duplicate-column", 1]]


# --------------------------------------------------------------------------------------------
# Report: overdue feedback, gaps, revision usage, findings by code


OVERDUE = ("Waiting for the client's feedback since 2026-03-02 10:00; it was due 2026-03-04 "
           "10:00, 4 business days ago. Escalate to the account manager.")


def test_overdue_feedback_of_a_post_without_an_id_leaves_the_id_blank() -> None:
    rows = [[*row("", status="Client review", date="2026-03-20 10:00"), "2026-03-02 10:00"]]
    grid = report(rows, "feedback-overdue", header=REVIEW_HEADER)
    assert section(grid, "Overdue feedback")[1:] == [[None, "Acme", OVERDUE]]


def test_a_calendar_without_a_client_name_leaves_the_client_blank() -> None:
    # No client configured, a blank Client cell, and a calendar named "": no client name.
    config = calendar_config(name="", client="", rules={
        "levels": only("feedback-overdue", "calendar-gap"), "cadence": {"horizon_days": 14}})
    rows = [[*row("P1", client="", status="Client review", date="2026-03-23 10:00"),
             "2026-03-02 10:00"]]
    grid = report(rows, header=REVIEW_HEADER, config=config)
    assert section(grid, "Overdue feedback")[1:] == [["P1", None, OVERDUE]]
    assert section(grid, "Calendar gaps")[1:] == [
        [None, ": no Instagram post from 2026-03-10 to 2026-03-22 (13 days). Plan a post in "
               "that gap."]]


def test_revision_usage_of_posts_either_side_of_1970() -> None:
    rows = [row("P1", date="1969-12-20 10:00"), row("P2", date="1970-01-20 10:00"),
            row("P3", date="1970-01-21 10:00")]
    assert section(report(rows), "Revision usage per client per month")[1:] == [
        ["Acme · 1969-12", 1, 0, 2, 0, 0], ["Acme · 1970-01", 2, 0, 2, 0, 0]]


def test_findings_by_code_ties_are_in_code_order() -> None:
    # Two errors, one each: unknown-channel comes first among the findings (its post is
    # sooner), approval-missing first in the table (alphabetical among equal counts).
    rows = [row("P1", status="Approved", channel="Fax", date="2026-03-11 10:00"),
            row("P2", status="Draft", date="2026-03-12 10:00")]
    grid = report(rows, "unknown-channel", "approval-missing")
    assert section(grid, "Findings by code") == [
        ["Code", "Severity", "Count"], ["approval-missing", "error", 1],
        ["unknown-channel", "error", 1]]


# --------------------------------------------------------------------------------------------
# Pillar mix: this month and next in each client's local time, cancelled posts aside. A pillar
# without a configured name is shown as the sheet first spells it in those two months.


def pillar_post(post_id: str, date: str, pillar: str, status: str = "Draft",
                client: str = "Acme") -> list[Any]:
    return [*row(post_id, date=date, status=status, client=client), pillar]


@pytest.mark.parametrize(("rows", "expected"), [
    ([pillar_post("P1", "2026-03-12 10:00", "Fun"),
      pillar_post("P2", "2026-03-13 10:00", "Fun", status="Cancelled"),
      pillar_post("P3", "2026-04-02 10:00", "Promo", status="Cancelled")],
     [["Acme", "2026-03", "Fun", 1, 100.0, None]]),
    ([pillar_post("P1", "2026-03-01 00:00", "Fun"), pillar_post("P2", "2026-03-31 23:59", "Promo"),
      pillar_post("P3", "2026-04-30 23:59", "Promo"), pillar_post("P4", "2026-02-28 23:59", "Fun")],
     [["Acme", "2026-03", "Fun", 1, 50.0, None], ["Acme", "2026-03", "Promo", 1, 50.0, None],
      ["Acme", "2026-04", "Promo", 1, 100.0, None]]),
    ([pillar_post("P0", "2026-02-27 10:00", "FUN"), pillar_post("P1", "2026-03-12 10:00", "Fun")],
     [["Acme", "2026-03", "Fun", 1, 100.0, None]]),
    ([pillar_post("P0", "2026-05-01 00:00", "FUN"), pillar_post("P1", "2026-04-12 10:00", "Fun")],
     [["Acme", "2026-04", "Fun", 1, 100.0, None]]),
    # 2 of 3 and 1 of 3: shares to one decimal.
    ([pillar_post("P1", "2026-03-12 10:00", "Fun"), pillar_post("P2", "2026-03-13 10:00", "Fun"),
      pillar_post("P3", "2026-03-14 10:00", "Promo")],
     [["Acme", "2026-03", "Fun", 2, 66.7, None], ["Acme", "2026-03", "Promo", 1, 33.3, None]]),
], ids=["cancelled-posts-left-out", "first-and-last-minutes-of-the-months",
        "spelling-of-an-earlier-month-not-shown", "spelling-of-a-later-month-not-shown",
        "shares-to-one-decimal"])
def test_pillar_mix_counts_the_two_months_shown(rows: list[list[Any]],
                                                expected: list[list[Any]]) -> None:
    grid = report(rows, header=PILLAR_HEADER)
    assert section(grid, PILLARS_TITLE) == [PILLARS_COLUMNS, *expected]


def test_pillar_mix_months_are_each_clients_own() -> None:
    # 21:30 UTC on 31 March: already 1 April in Istanbul (Acme: April and May), still 31 March
    # in New York (Nova: March and April).
    now = dt.datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
    rows = [pillar_post("A1", "2026-04-10 10:00", "Fun"),
            pillar_post("A2", "2026-05-10 10:00", "Fun"),
            pillar_post("N1", "2026-03-20 10:00", "Fun", client="Nova"),
            pillar_post("N2", "2026-04-20 10:00", "Fun", client="Nova")]
    grid = report(rows, header=PILLAR_HEADER, now=now,
                  clients={"Nova": {"timezone": "America/New_York", "country": "US"}})
    assert section(grid, PILLARS_TITLE) == [
        PILLARS_COLUMNS,
        ["Acme", "2026-04", "Fun", 1, 100.0, None], ["Acme", "2026-05", "Fun", 1, 100.0, None],
        ["Nova", "2026-03", "Fun", 1, 100.0, None], ["Nova", "2026-04", "Fun", 1, 100.0, None]]


def test_pillar_targets_without_a_pillar_column_show_every_post_without_a_pillar() -> None:
    grid = report([row("P1", date="2026-03-12 10:00")],
                  rules={"pillars": {"targets": {"Value": 70, "Promo": 30}}})
    assert section(grid, PILLARS_TITLE) == [
        PILLARS_COLUMNS,
        ["Acme", "2026-03", "Value", 0, 0.0, 70.0], ["Acme", "2026-03", "Promo", 0, 0.0, 30.0],
        ["Acme", "2026-03", "(no pillar)", 1, 100.0, None],
        ["Acme", "2026-04", "Value", 0, None, 70.0], ["Acme", "2026-04", "Promo", 0, None, 30.0]]


# --------------------------------------------------------------------------------------------
# Cadence: per contracted channel and ISO week (Monday..Sunday), from the week of the client's
# local today through its horizon; whole weeks are counted, cancelled posts aside.


def cadence_rows(client: str, channel: str, weeks: list[tuple[str, int]], target: int
                 ) -> list[list[Any]]:
    return [[client, channel, dt.date.fromisoformat(monday), planned, target]
            for monday, planned in weeks]


@pytest.mark.parametrize(("now", "rules", "clients", "rows", "expected"), [
    # Today a Sunday (15 March), horizon 7: weeks 9 and 16 March. The Monday that starts this
    # week counts; the cancelled post does not.
    (at("2026-03-15 09:00"), {"posts_per_week": {"instagram": 2}, "horizon_days": 7}, {},
     [row("P1", date="2026-03-09 10:00"), row("P2", date="2026-03-15 10:00"),
      row("P3", date="2026-03-16 10:00"), row("P4", date="2026-03-16 11:00", status="Cancelled"),
      row("P5", date="2026-03-08 10:00")],
     cadence_rows("Acme", "Instagram", [("2026-03-09", 2), ("2026-03-16", 1)], 2)),
    # One post a week is a contract; zero is none (no TikTok rows).
    (NOW, {"posts_per_week": {"instagram": 1, "tiktok": 0}, "horizon_days": 7}, {},
     [row("P1", date="2026-03-11 10:00"), row("P2", date="2026-03-11 10:00", channel="TikTok")],
     cadence_rows("Acme", "Instagram", [("2026-03-09", 1), ("2026-03-16", 0)], 1)),
    # Horizon 14 from Tuesday 10 March reaches week 23 March, counted to its Sunday.
    (NOW, {"posts_per_week": {"instagram": 2}, "horizon_days": 14}, {},
     [row("P1", date="2026-03-23 10:00"), row("P2", date="2026-03-29 23:00"),
      row("P3", date="2026-03-30 10:00")],
     cadence_rows("Acme", "Instagram", [("2026-03-09", 0), ("2026-03-16", 0), ("2026-03-23", 2)],
                  2)),
    # Each client its own horizon: Beta's 21 days reach week 30 March, Acme's 7 do not.
    (NOW, {"posts_per_week": {"instagram": 1}, "horizon_days": 7},
     {"Beta": {"rules": {"cadence": {"horizon_days": 21}}}},
     [row("A1", date="2026-03-30 10:00"), row("B1", client="Beta", date="2026-03-30 10:00")],
     [*cadence_rows("Acme", "Instagram", [("2026-03-09", 0), ("2026-03-16", 0)], 1),
      *cadence_rows("Beta", "Instagram", [("2026-03-09", 0), ("2026-03-16", 0),
                                          ("2026-03-23", 0), ("2026-03-30", 1)], 1)]),
    # 10:30 UTC on Monday 16 March is Tuesday 17th 00:30 in Kiritimati (UTC+14) and Sunday
    # 15th 23:30 in Pago Pago (UTC-11): two days apart. Kiri's weeks are 16 and 23 March (to
    # Sunday 29th), Samoa's 9 and 16 March (from Monday 9th).
    (dt.datetime(2026, 3, 16, 10, 30, tzinfo=UTC),
     {"posts_per_week": {"instagram": 1}, "horizon_days": 7},
     {"Kiri": {"timezone": "Pacific/Kiritimati"}, "Samoa": {"timezone": "Pacific/Pago_Pago"}},
     [row("K1", client="Kiri", date="2026-03-29 10:00"),
      row("S1", client="Samoa", date="2026-03-09 10:00")],
     [*cadence_rows("Kiri", "Instagram", [("2026-03-16", 0), ("2026-03-23", 1)], 1),
      *cadence_rows("Samoa", "Instagram", [("2026-03-09", 1), ("2026-03-16", 0)], 1)]),
], ids=["today-a-sunday", "contract-of-one-not-zero", "last-week-to-its-sunday",
        "per-client-horizon", "clients-two-days-apart"])
def test_cadence_counts_the_weeks_shown(now: dt.datetime, rules: dict[str, Any],
                                        clients: dict[str, Any], rows: list[list[Any]],
                                        expected: list[list[Any]]) -> None:
    grid = report(rows, now=now, rules={"cadence": rules}, clients=clients)
    assert section(grid, "Cadence") == [CADENCE_COLUMNS, *expected]


# --------------------------------------------------------------------------------------------
# Approval turnaround from observed status changes


def changes(*steps: tuple[str, str, str, str]) -> pd.DataFrame:
    """Transitions from (post_id, UTC time, from, to), in the order they happened."""
    return pd.DataFrame({"post_id": [s[0] for s in steps],
                         "at": pd.to_datetime([s[1] for s in steps]).as_unit("ns"),
                         "from_status": [s[2] for s in steps],
                         "to_status": [s[3] for s in steps]})


def turnaround_of(rows: list[list[Any]], observed: pd.DataFrame, **calendar: Any
                  ) -> list[list[Any]]:
    grid = report(rows, moves=observed, now=at("2026-03-20 09:00"),
                  rules={"feedback": {"sla_days": 2}}, **calendar)
    return section(grid, "Approval turnaround per client")


def test_turnaround_from_the_sheets_dates_issues_no_warnings() -> None:
    # A warning would reach stderr on every sync (and a mail from cron). Sent Monday 10:00,
    # approved Tuesday 16:00: 30 hours, on time; sent and approved at once: 0 hours.
    header = [*HEADER, "Sent for review", "Approved on"]
    rows = [[*row("P1", status="Approved", date="2026-04-20 10:00"), "2026-03-02 10:00",
             "2026-03-03 16:00"],
            [*row("P2", status="Approved", date="2026-04-21 10:00"), "2026-03-04 10:00",
             "2026-03-04 10:00"]]
    table = turnaround_of(rows, NO_MOVES, header=header)  # warnings are errors
    # 0 and 30 hours: median 15, 90th percentile 0.9 x 30 = 27.
    assert table == [TURNAROUND_COLUMNS, ["Acme", 2, 15.0, 27.0, 48, 100.0]]


def test_observed_approvals_are_on_time_by_each_clients_own_clock() -> None:
    # Acme (Istanbul, UTC+3): review Monday 2 March 01:00 local (Sunday 22:00 UTC), due
    # Wednesday 01:00; approved Wednesday 01:30 (48.5 h): late. By the UTC clock it would
    # count from Monday 00:00 and be on time.
    # Nova (New York): review Friday 6 March 19:00 EST (Saturday 00:00 UTC), due Tuesday
    # 19:00; approved Tuesday 10 March 18:00 EDT (22:00 UTC; 94 real hours): on time. By
    # Istanbul's clock it would count from Monday and be due Wednesday 00:00, Istanbul
    # 01:00 Wednesday: late.
    observed = changes(("A1", "2026-03-01 22:00", "draft", "client_review"),
                     ("A1", "2026-03-03 22:30", "client_review", "approved"),
                     ("N1", "2026-03-07 00:00", "draft", "client_review"),
                     ("N1", "2026-03-10 22:00", "client_review", "approved"))
    rows = [row("A1", status="Approved", date="2026-04-20 10:00"),
            row("N1", client="Nova", status="Approved", date="2026-04-20 10:00")]
    assert turnaround_of(rows, observed, clients={
        "Nova": {"timezone": "America/New_York", "country": "US"}}) == [
        TURNAROUND_COLUMNS, ["Acme", 1, 48.5, 48.5, 48, 0.0],
        ["Nova", 1, 94.0, 94.0, 48, 100.0]]


def test_an_approval_is_timed_from_the_review_before_it_not_one_logged_after_it() -> None:
    # Two cycles at one time stamp (Tuesday 10:00 Istanbul, 07:00 UTC): the first sees the
    # post approved, the second back in review. The first approval is timed from Monday's
    # review (24 h), the second from Tuesday's (24 h): both on time.
    observed = changes(("P1", "2026-03-02 07:00", "draft", "client_review"),
                     ("P1", "2026-03-03 07:00", "client_review", "approved"),
                     ("P1", "2026-03-03 07:00", "approved", "client_review"),
                     ("P1", "2026-03-04 07:00", "client_review", "approved"))
    rows = [row("P1", status="Approved", date="2026-04-20 10:00")]
    assert turnaround_of(rows, observed) == [TURNAROUND_COLUMNS,
                                             ["Acme", 2, 24.0, 24.0, 48, 100.0]]


def test_a_review_logged_at_the_time_of_an_approval_starts_the_next_one() -> None:
    # Approved, then back in review at the same time stamp, then approved 30 hours later:
    # the second approval is timed from that review (it came after the first approval).
    observed = changes(("P1", "2026-03-02 07:00", "draft", "client_review"),
                     ("P1", "2026-03-03 07:00", "client_review", "approved"),
                     ("P1", "2026-03-03 07:00", "approved", "client_review"),
                     ("P1", "2026-03-04 13:00", "client_review", "approved"))
    rows = [row("P1", status="Approved", date="2026-04-20 10:00")]
    # 24 and 30 hours: median 27, 90th percentile 24 + 0.9 x 6 = 29.4.
    assert turnaround_of(rows, observed) == [TURNAROUND_COLUMNS,
                                             ["Acme", 2, 27.0, 29.4, 48, 100.0]]


def test_turnaround_of_syncs_run_while_the_clock_is_behind() -> None:
    # The clock is set back after Tuesday's sync: the next cycle runs as of Tuesday 10:00
    # again and sees the post back in review. Approvals: Monday 10:00 -> Tuesday 10:00 and
    # Tuesday 10:00 -> Wednesday 10:00, 24 hours each.
    cfg = calendar_config(tab="Calendar", rules={"levels": only(), "feedback": {"sla_days": 2}})
    backend = MemoryBackend({"Calendar": [
        list(HEADER), row("P1", status="Draft", date="2026-04-20 10:00")]})
    store = StateStore(":memory:")
    grid: Grid = []
    for moment, status in (("2026-03-02 09:00", "Draft"), ("2026-03-02 10:00", "Client review"),
                           ("2026-03-03 10:00", "Approved"),
                           ("2026-03-03 09:30", "Client review"),  # clock behind
                           ("2026-03-04 10:00", "Approved")):
        backend.tabs["Calendar"][1][HEADER.index("Status")] = status
        grid = run_once(cfg, backend, store, at(moment)).outputs["Report"]
    assert section(grid, "Approval turnaround per client") == [
        TURNAROUND_COLUMNS, ["Acme", 2, 24.0, 24.0, 48, 100.0]]


def test_observed_changes_of_a_calendar_without_post_ids() -> None:
    # No post has an ID: no observed change can be matched to a post.
    observed = changes(("P1", "2026-03-02 07:00", "draft", "client_review"),
                     ("P1", "2026-03-03 07:00", "client_review", "approved"))
    rows = [row("", status="Approved", date="2026-04-20 10:00")]
    assert turnaround_of(rows, observed) == [TURNAROUND_COLUMNS,
                                             ["Acme", 0, None, None, 48, None]]

