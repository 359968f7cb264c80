"""The Status, Report and History grids: exact cells for small inline calendars."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from conftest import HEADER, at, calendar_config, only, row

from sheets_sync import findings as findings_mod
from sheets_sync.cells import Grid
from sheets_sync.config import CalendarConfig
from sheets_sync.history import Observed
from sheets_sync.model import HistoryEntry
from sheets_sync.outputs import (
    UPDATED_CELL,
    approvals_due,
    build_outputs,
    history_grid,
    report_grid,
    report_table,
    status_grid,
)
from sheets_sync.parse import Calendar, parse
from sheets_sync.rules.base import Context
from sheets_sync.validate import validate

NOW = at("2026-03-10 09:00")  # a Tuesday
UTC = dt.timezone.utc
STATUS_HEADER = ["Severity", "What", "Post", "What to do", "Who", "Due", "Code", "Row"]
NO_TRANSITIONS = pd.DataFrame({"post_id": pd.Series([], dtype=object),
                               "at": pd.Series([], dtype="datetime64[ns]"),
                               "from_status": pd.Series([], dtype=object),
                               "to_status": pd.Series([], dtype=object)})


def checked(rows: list[list[Any]], *codes: str, header: list[str] | None = None,
            first_seen: str = "2026-03-09 06:00", **calendar: Any
            ) -> tuple[Calendar, pd.DataFrame, CalendarConfig]:
    """Parse and validate ``rows`` with only ``codes`` on; every finding first seen (UTC)."""
    rules = {**calendar.pop("rules", {})}
    rules["levels"] = {**only(*codes), **rules.get("levels", {})}
    config = calendar_config(rules=rules, **calendar)
    cal = parse([header or HEADER, *rows], config)
    found = validate(cal, config, NOW)
    return cal, found.assign(first_seen=pd.Timestamp(first_seen)), config


def transitions(*moves: tuple[str, str, str, str]) -> pd.DataFrame:
    """Build transitions from (post_id, UTC time, from, to)."""
    return pd.DataFrame({"post_id": [m[0] for m in moves],
                         "at": pd.to_datetime([m[1] for m in moves]).as_unit("ns"),
                         "from_status": [m[2] for m in moves],
                         "to_status": [m[3] for m in moves]})


def section(grid: Grid, title: str) -> list[list[Any]]:
    """Return the header and data rows of the Report table called ``title``."""
    return report_table(grid, title)


# --------------------------------------------------------------------------------------------
# Status


def test_status_row_for_a_finding() -> None:
    cal, found, config = checked([row("P1", status="Draft", date="2026-03-11 10:00")],
                                 "approval-missing")
    grid = status_grid(cal, found, config, NOW)
    assert grid[0] == STATUS_HEADER
    assert grid[1:] == [["This week"], [
        "error", "Publishes 2026-03-11 10:00 and is not approved yet (status “Draft”).",
        "P1 · Instagram\n“Hello”", "Get the client's approval before then.", "Ayşe",
        dt.datetime(2026, 3, 11, 10, 0), "approval-missing", 2]]


def test_status_date_only_publish_date_is_a_date() -> None:
    cal, found, config = checked([row("P1", status="Draft", date="11.03.2026")],
                                 "approval-missing")
    cell = status_grid(cal, found, config, NOW)[2][5]
    assert type(cell) is dt.date
    assert cell == dt.date(2026, 3, 11)


def test_status_keeps_the_sheets_own_text() -> None:
    cal, found, config = checked(
        [row("P1", channel="insta", status="onay bekliyor", date="2026-03-11 10:00")],
        "approval-missing")
    cells = status_grid(cal, found, config, NOW)[2]
    assert cells[2] == "P1 · insta\n“Hello”"
    assert "(status “onay bekliyor”)" in cells[1]


def test_status_calendar_level_finding_has_blank_row_and_post() -> None:
    rows = [row("P1", status="Approved", date="2026-03-11 10:00")]
    cal, found, config = checked(rows, "cadence-below-contract",
                                 rules={"cadence": {"posts_per_week": {"instagram": 2},
                                                    "horizon_days": 6}})
    grid = status_grid(cal, found, config, NOW)
    assert grid[1:] == [["Plan"], [
        "warning", "Acme: 1 Instagram post planned in week 11 (2026-03-09); the contract "
        "says 2.", None, "Plan 1 more.", None, dt.date(2026, 3, 9), "cadence-below-contract",
        None]]


def test_status_no_id_column_notice() -> None:
    header = [h for h in HEADER if h != "ID"]
    cal, found, config = checked([row()[1:]], "no-id-column", header=header)
    grid = status_grid(cal, found, config, NOW)
    assert grid[1] == ["Data to fix"]
    assert [grid[2][i] for i in (0, 2, 4, 5, 6, 7)] == ["info", None, None, None,
                                                        "no-id-column", None]


def test_status_when_clean() -> None:
    cal, found, config = checked([row("P1")], "approval-missing")
    assert status_grid(cal, found, config) == [STATUS_HEADER, ["No open issues"]]
    tr = calendar_config(language="tr")
    assert status_grid(cal, findings_mod.empty(), tr)[1] == ["Açık sorun yok"]


def test_status_text_that_looks_like_a_formula_stays_literal() -> None:
    post_id = '=HYPERLINK("http://x","y")'
    cal, found, config = checked(
        [row(post_id, owner="+90 555 000", status="Draft", date="2026-03-11 10:00")],
        "approval-missing")
    cells = status_grid(cal, found, config, NOW)[2]
    assert cells[2].startswith(post_id + " · ")
    assert cells[4] == "+90 555 000"


def test_status_in_turkish() -> None:
    cal, found, config = checked([row("P1", status="Taslak", date="2026-03-11 10:00")],
                                 "approval-missing", language="tr")
    grid = status_grid(cal, found, config, NOW)
    assert grid[0] == ["Önem", "Ne oldu", "Gönderi", "Yapılacak", "Kim", "Son tarih", "Kod",
                       "Satır"]
    assert grid[1:] == [["Bu hafta"], [
        "hata", "11.03.2026 10:00 tarihinde yayınlanacak ve henüz onaylanmadı (durum "
        "“Taslak”).", "P1 · Instagram\n“Hello”", "O zamana kadar müşteri onayını alın.", "Ayşe",
        dt.datetime(2026, 3, 11, 10, 0), "approval-missing", 2]]


def test_status_builds_for_many_findings() -> None:
    n = 20_000
    config = calendar_config()
    cal = parse([HEADER, *(row(f"P{i}", date="2026-03-11 10:00") for i in range(n))], config)
    frame = cal.frame
    found = pd.DataFrame({
        "code": np.array(["approval-missing"] * n, dtype=object),
        "severity": np.full(n, 3, dtype="int64"),
        "row": frame["row"].to_numpy()[::-1].copy(),
        "post_id": frame["post_id"].to_numpy(dtype=object)[::-1].copy(),
        "column": "status", "client": frame["client"].to_numpy(dtype=object),
        "message": np.array(["m"] * n, dtype=object),
        "publish_at": frame["publish_at"].to_numpy(),
        "first_seen": np.full(n, np.datetime64("2026-03-01T00:00", "ns")),
    })
    grid = status_grid(cal, found, config, NOW)
    assert len(grid) == n + 2  # the header, "This week", the findings
    # One deadline for all: the sheet's order, whatever order the findings came in.
    assert [line[7] for line in grid[2:5]] == [2, 3, 4]
    assert grid[2][2] == "P0 · Instagram\n“Hello”"


# --------------------------------------------------------------------------------------------
# Report

REPORT_HEADER = [*HEADER, "Revision round", "Extra rounds", "Sent for review", "Approved on"]
TITLES = ["Pipeline", "Revision usage per client per month",
          "Approvals needed in the next 7 days", "Pillar mix this month and next",
          "Approval turnaround per client", "Posts per week against the contract", "Cadence",
          "Findings by code", "Overdue feedback", "Calendar gaps"]


def report_row(post_id: str, status: str, date: str, rounds: Any = "", extra: Any = "",
               sent: str = "", approved: str = "") -> list[Any]:
    return [*row(post_id, status=status, date=date), rounds, extra, sent, approved]


REPORT_ROWS = [
    report_row("P1", "Draft", "2026-03-12 10:00", rounds=3),
    report_row("P2", "Approved", "2026-03-13 10:00", rounds=1, sent="2026-03-02 10:00",
               approved="2026-03-03 14:00"),  # 28 h, on time
    report_row("P3", "Client review", "2026-03-17 09:00", rounds=5, extra=1),  # 7 days out
    report_row("P4", "Client review", "2026-03-18 10:00", rounds=2,
               sent="2026-03-02 10:00"),  # 8 days out; feedback overdue
    report_row("P5", "Published", "2026-03-05 10:00", sent="2026-03-02 09:00",
               approved="2026-03-06 09:00"),  # 96 h; due Wed 09:00, so late
    report_row("P6", "Scheduled", "2026-04-02 10:00", sent="2026-03-04 10:00",
               approved="2026-03-05 12:00"),  # 26 h, on time
    report_row("P7", "Cancelled", "2026-03-15 10:00", rounds=4),
    report_row("P8", "Idea", ""),
    report_row("P9", "Weird", "2026-03-25 10:00"),
    report_row("P10", "Approved", "2026-03-24 10:00"),
]
# P10's approval is only known from the observed transitions (UTC; Istanbul is UTC+3):
# back in review Fri 15:00, approved Mon 16:00 = 73 h, due Tue 15:00, so on time.
REPORT_MOVES = transitions(
    ("P10", "2026-03-05 07:00", "draft", "client_review"),
    ("P10", "2026-03-06 07:00", "client_review", "changes_requested"),
    ("P10", "2026-03-06 12:00", "changes_requested", "client_review"),
    ("P10", "2026-03-09 13:00", "client_review", "approved"),
    ("P10", "2026-03-09 14:00", "approved", "scheduled"),
    ("P10", "2026-03-09 15:00", "scheduled", "approved"),  # not a new approval
    ("P2", "2026-03-02 07:00", "draft", "client_review"),  # the sheet's dates win for P2
    ("P2", "2026-03-02 08:00", "client_review", "approved"),
    ("GONE", "2026-03-02 07:00", "draft", "client_review"),  # no longer in the calendar
    ("GONE", "2026-03-02 08:00", "client_review", "approved"),
)


def report(rows: list[list[Any]] = REPORT_ROWS, moves: pd.DataFrame = REPORT_MOVES,
           header: list[str] = REPORT_HEADER, codes: tuple[str, ...] = ("feedback-overdue",),
           observed: Any = None, **calendar: Any) -> Grid:
    cal, found, config = checked(rows, *codes, header=header, **calendar)
    seen = None if observed is None else Observed(
        rounds=np.asarray(observed, dtype=float), review_started=np.array([], "datetime64[ns]"),
        changed_after_approval=np.zeros(0, bool), approved_seen_at=np.array([], "datetime64[ns]"))
    return report_grid(cal, found, moves, NOW, config, {"rows": len(cal.frame),
                                                      "source": "calendar.xlsx"}, seen)


def test_report_tables_left_band_then_right_band_then_across() -> None:
    grid = report()
    titles = [section(grid, t)[0][0] for t in TITLES]
    assert all(titles)  # every table is there, with a header
    left = [r[0] for r in grid[32:] if r and r[0] in TITLES]
    right = [r[8] for r in grid[32:] if len(r) > 8 and r[8] in TITLES]
    assert left + right == TITLES[:4] + TITLES[8:] + TITLES[4:8]
    assert grid[-1] != []


def test_report_header_block() -> None:
    grid = report()
    assert grid[UPDATED_CELL[0]][UPDATED_CELL[1]] == dt.datetime(2026, 3, 10, 9, 0)
    assert grid[:4] == [
        ["Report", "test", None, "Times", "Europe/Istanbul"],
        ["Updated", dt.datetime(2026, 3, 10, 9, 0), None, "Source", "calendar.xlsx"],
        ["Posts", "Findings", "critical", "error", "warning", "info"],
        [10, 1, 0, 1, 0, 0]]


def test_report_approvals_needed_in_the_next_seven_days() -> None:
    rows = section(report(), "Approvals needed in the next 7 days")
    assert rows == [
        ["Post ID", "Client", "Channel", "Publish date", "Status", "Owner"],
        ["P1", "Acme", "Instagram", dt.datetime(2026, 3, 12, 10, 0), "Draft", "Ayşe"],
        ["P3", "Acme", "Instagram", dt.datetime(2026, 3, 17, 9, 0), "Client review", "Ayşe"],
    ]


def test_report_approvals_due_end_seven_times_24_hours_after_now() -> None:
    rows = [row("P1", status="Client review", date="2026-03-17 23:00"),  # the 7th day, late
            row("P2", status="Client review", date="2026-03-17 09:01"),  # 7 days + 1 minute
            row("P3", status="Client review", date="2026-03-17 09:00"),  # exactly 7 days
            row("P4", status="Internal review", date="2026-03-10 09:00"),  # now
            row("P5", status="Draft", date="2026-03-10 08:59"),  # a minute ago
            row("P6", status="Idea", date="2026-03-11 08:00"),
            row("P7", status="Scheduled", date="2026-03-11 09:00")]  # approved already
    rows = section(report(rows, NO_TRANSITIONS, header=HEADER, codes=()),
                   "Approvals needed in the next 7 days")
    assert rows == [
        ["Post ID", "Client", "Channel", "Publish date", "Status", "Owner"],
        ["P4", "Acme", "Instagram", dt.datetime(2026, 3, 10, 9, 0), "Internal review", "Ayşe"],
        ["P6", "Acme", "Instagram", dt.datetime(2026, 3, 11, 8, 0), "Idea", "Ayşe"],
        ["P3", "Acme", "Instagram", dt.datetime(2026, 3, 17, 9, 0), "Client review", "Ayşe"],
    ]


def test_report_approvals_due_leave_out_posts_with_an_approval_recorded() -> None:
    rows = [report_row("P1", "Client review", "2026-03-12 10:00", approved="2026-03-09"),
            report_row("P2", "Changes requested", "2026-03-12 11:00"),
            [*row("P3", status="Draft", date="2026-03-12 12:00"), "", "", "", "", "Yes"],
            [*row("P4", status="Draft", date="2026-03-12 13:00"), "", "", "", "", "No"]]
    header = [*REPORT_HEADER, "Approved"]
    rows = section(report(rows, NO_TRANSITIONS, header=header, codes=()),
                   "Approvals needed in the next 7 days")
    assert [r[0] for r in rows[1:]] == ["P2", "P4"]


def test_approvals_due_window_is_elapsed_time_across_a_clock_change() -> None:
    # New York moves its clocks forward on 8 March 2026: from 01:00 EST on the 5th (06:00
    # UTC), 7 x 24 hours end at 02:00 EDT on the 12th, not at 01:00.
    config = calendar_config(clients={"Nova": {"timezone": "America/New_York",
                                               "country": "US"}})
    rows = [row("N1", client="Nova", status="Client review", date="2026-03-05 01:00"),
            row("N2", client="Nova", status="Client review", date="2026-03-12 01:30"),
            row("N3", client="Nova", status="Client review", date="2026-03-12 02:00"),
            row("N4", client="Nova", status="Client review", date="2026-03-12 02:01"),
            row("A1", status="Client review", date="2026-03-12 09:00"),
            row("A2", status="Client review", date="2026-03-12 09:01")]
    cal = parse([HEADER, *rows], config)
    due = approvals_due(Context(cal, config, at("2026-03-05 09:00")))
    assert due.tolist() == [True, True, True, False, True, False]


def test_report_overdue_feedback() -> None:
    # P4: sent Monday 2 March 10:00, due two business days later; four business days late.
    assert section(report(), "Overdue feedback") == [
        ["Post ID", "Client", "Message"],
        ["P4", "Acme", "Waiting for the client's feedback since 2026-03-02 10:00; it was due "
         "2026-03-04 10:00, 4 business days ago. Escalate to the account manager."]]


def test_report_revision_usage_and_billable_rounds() -> None:
    rows = section(report(), "Revision usage per client per month")
    assert rows == [
        ["Client · month", "Posts", "Rounds used", "Included rounds per post",
         "Extra rounds approved", "Billable extra rounds"],
        # P1-P5, P9, P10 (P7 cancelled, P8 undated): 3+1+5+2 used, 2 included per post,
        # billable 1 (P1) + 3 (P3, extra rounds do not make them free).
        ["Acme · 2026-03", 7, 11, 2, 1, 4],
        ["Acme · 2026-04", 1, 0, 2, 0, 0],
    ]


def test_report_revision_usage_counts_observed_rounds() -> None:
    rows = [report_row("P1", "Draft", "2026-03-12 10:00", rounds=1),
            report_row("P2", "Draft", "2026-03-13 10:00", rounds=3)]
    grid = report(rows, observed=[4, 0], rules={"revisions": {"included_rounds": 1}})
    assert section(grid, "Revision usage per client per month")[1] == [
        "Acme · 2026-03", 2, 7, 1, 0, 5]


def test_report_approval_turnaround() -> None:
    rows = section(report(), "Approval turnaround per client")
    # Hours 26, 28, 73, 96: median 50.5; 90th percentile 73 + 0.7 x 23 = 89.1; 3 of 4 on time.
    assert rows == [["Client", "Approvals", "Median hours", "90th percentile hours",
                     "SLA hours", "On time %"], ["Acme", 4, 50.5, 89.1, 48, 75.0]]


def test_report_turnaround_without_approvals() -> None:
    rows = section(report([report_row("P1", "Draft", "2026-03-12 10:00")], NO_TRANSITIONS),
                   "Approval turnaround per client")
    assert rows == [["Client", "Approvals", "Median hours", "90th percentile hours",
                     "SLA hours", "On time %"], ["Acme", 0, None, None, 48, None]]


def test_report_turnaround_counts_date_only_approval_by_its_day() -> None:
    rows = [report_row("P1", "Approved", "2026-03-20 10:00", sent="2026-03-02",
                       approved="2026-03-04"),  # due end of Wed 4th: on time
            report_row("P2", "Approved", "2026-03-20 10:00", sent="2026-03-02",
                       approved="2026-03-05")]  # a day late
    assert section(report(rows, NO_TRANSITIONS), "Approval turnaround per client")[1] == [
        "Acme", 2, 60.0, 69.6, 48, 50.0]


def test_report_pipeline() -> None:
    rows = section(report(), "Pipeline")
    assert rows == [["Status", "Posts"], ["Idea", 1], ["Draft", 1], ["Internal review", 0],
                    ["Client review", 2], ["Changes requested", 0], ["Approved", 2],
                    ["Scheduled", 1], ["Published", 1], ["On hold", 0], ["Cancelled", 1],
                    ["Unknown", 1]]


def test_report_pillar_mix() -> None:
    header = [*HEADER, "Pillar"]
    rows = [[*row("P1", date="2026-03-12 10:00"), "value"],
            [*row("P2", date="2026-03-13 10:00"), "Value "],
            [*row("P3", date="2026-03-14 10:00"), "Fun"],
            [*row("P4", date="2026-03-15 10:00"), ""],
            [*row("P5", date="2026-04-01 10:00"), "Promo"],
            [*row("P6", date="2026-05-01 10:00"), "Value"]]
    grid = report(rows, NO_TRANSITIONS, header=header,
                  rules={"pillars": {"targets": {"Value": 70, "Promo": 30}}})
    assert section(grid, "Pillar mix this month and next") == [
        ["Client", "Month", "Pillar", "Posts", "Share %", "Target %"],
        ["Acme", "2026-03", "Value", 2, 50.0, 70.0],
        ["Acme", "2026-03", "Promo", 0, 0.0, 30.0],
        ["Acme", "2026-03", "Fun", 1, 25.0, None],
        ["Acme", "2026-03", "(no pillar)", 1, 25.0, None],
        ["Acme", "2026-04", "Value", 0, 0.0, 70.0],
        ["Acme", "2026-04", "Promo", 1, 100.0, 30.0],
    ]


def test_report_pillar_mix_is_empty_without_pillars() -> None:
    assert section(report(), "Pillar mix this month and next")[1:] == [["(none)"]]


def test_report_cadence_and_gaps() -> None:
    rows = [row("P1", date="2026-03-10 10:00"), row("P2", date="2026-03-12 10:00"),
            row("P3", date="2026-03-24 10:00", channel="LinkedIn")]
    grid = report(rows, NO_TRANSITIONS, header=HEADER, codes=("calendar-gap",),
                  rules={"cadence": {"posts_per_week": {"instagram": 2}, "horizon_days": 14}})
    assert section(grid, "Cadence") == [
        ["Client", "Channel", "Week", "Posts planned", "Contract per week"],
        ["Acme", "Instagram", dt.date(2026, 3, 9), 2, 2],
        ["Acme", "Instagram", dt.date(2026, 3, 16), 0, 2],
        ["Acme", "Instagram", dt.date(2026, 3, 23), 0, 2],
    ]
    # 14 days from Tuesday 10 March run to the 23rd: LinkedIn's only post (the 24th) is
    # beyond; Instagram has nothing after the 12th.
    assert section(grid, "Calendar gaps") == [
        ["Client", "Message"],
        ["Acme", "Acme: no LinkedIn post from 2026-03-10 to 2026-03-23 (14 days). Plan a post "
                 "in that gap."],
        ["Acme", "Acme: no Instagram post from 2026-03-13 to 2026-03-23 (11 days). Plan a post "
                 "in that gap."]]


def test_report_findings_by_code() -> None:
    rows = [row("P1", status="Draft", date="2026-03-11 10:00"),
            row("P2", status="Draft", date="2026-03-11 11:00"), row("P3", channel="Fax")]
    grid = report(rows, NO_TRANSITIONS, header=HEADER,
                  codes=("approval-missing", "unknown-channel"))
    assert section(grid, "Findings by code") == [
        ["Code", "Severity", "Count"], ["approval-missing", "error", 2],
        ["unknown-channel", "error", 1]]


def test_report_in_turkish() -> None:
    grid = report(language="tr")
    assert [line[:2] for line in grid[:2]] == [["Rapor", "test"],
                                              ["Güncellendi", dt.datetime(2026, 3, 10, 9, 0)]]
    assert section(grid, "İş akışı")[1] == ["Fikir", 1]


# --------------------------------------------------------------------------------------------
# History and all tabs


def test_history_rows_in_local_time_and_literal() -> None:
    entries = [HistoryEntry(dt.datetime(2026, 3, 9, 7, 0, tzinfo=UTC), "P1", "status",
                            "Draft", "Client review"),
               HistoryEntry(at("2026-03-09 11:30"), "P1", "caption", "Hello",
                            '=HYPERLINK("http://x","y")')]
    assert history_grid(entries, calendar_config()) == [  # newest first
        ["Time", "Post ID", "Field", "Old value", "New value"],
        [dt.datetime(2026, 3, 9, 11, 30), "P1", "Caption", "Hello", '=HYPERLINK("http://x","y")'],
        [dt.datetime(2026, 3, 9, 10, 0), "P1", "Status", "Draft", "Client review"],
    ]
    assert history_grid([], calendar_config(language="tr")) == [
        ["Zaman", "Gönderi No", "Alan", "Eski değer", "Yeni değer"]]


def test_build_outputs_uses_the_configured_tab_names() -> None:
    cal, found, _ = checked([row("P1")], "approval-missing")
    config = calendar_config(status_tab="Durum", report_tab="Rapor", history_tab="Geçmiş")
    tabs = build_outputs(cal, found, NO_TRANSITIONS, [], NOW, config, {})
    assert list(tabs) == ["Durum", "Rapor", "Geçmiş"]
    assert tabs["Durum"][1] == ["No open issues"]
    assert tabs["Geçmiş"] == [["Time", "Post ID", "Field", "Old value", "New value"],
                              ["No changes yet: History lists changes between syncs; the first "
                               "sync on 2026-03-10 recorded the calendar as it was."]]
