"""What earlier cycles saw reaching the rules, end to end: ``run_once`` cycle after cycle.

Each test drives a calendar in a :class:`MemoryBackend` through several sync cycles with one
state store, editing cells between cycles as a user would, and checks the exact findings of
every cycle: the feedback clock started by an observed entry into client review, revision
rounds counted from observed status changes, and edits after an observed approval.

Where time matters each story runs for a client in Istanbul (the calendar's zone, no daylight
saving) and one in New York (whose clocks go forward on Sunday 8 March 2026, inside the
story), with the same local wall-clock times and so the same expected messages.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from conftest import HEADER, calendar_config, only, row

from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.cells import Cell
from sheets_sync.config import CalendarConfig
from sheets_sync.outputs import report_table
from sheets_sync.run import CycleResult, run_once
from sheets_sync.state import StateStore

# (client, its time zone): Acme takes the calendar's defaults (Europe/Istanbul, TR).
CLIENTS = [("Acme", "Europe/Istanbul"), ("Nova", "America/New_York")]
ZONE_IDS = ["istanbul", "new-york"]
# A timed cell in the sheet is the sheet's wall-clock time (Istanbul, the calendar's zone);
# the same local moment for each client, as the sheet must say it.
SHEET_TEXT = {
    ("Acme", "2026-03-05 10:00"): "2026-03-05 10:00",
    ("Nova", "2026-03-05 10:00"): "2026-03-05 18:00",  # EST, UTC-5: Istanbul is 8 h ahead
    ("Acme", "2026-03-09 10:00"): "2026-03-09 10:00",
    ("Nova", "2026-03-09 10:00"): "2026-03-09 17:00",  # EDT, UTC-4: 7 h (Istanbul is UTC+3)
}
OVERDUE = "Waiting for the client's feedback since {since}; it was due {due}. Remind the client."
CHANGED = ("The caption or asset changed after the client approved the post (approval seen "
           "{since}). Send it back for approval; History shows what changed.")


def config(*codes: str, **rules: Any) -> CalendarConfig:
    return calendar_config(
        tab="Calendar",
        clients={"Nova": {"timezone": "America/New_York", "country": "US"}},
        rules={"levels": only(*codes), **rules})


def local(zone: str, text: str) -> dt.datetime:
    """The wall-clock time ``text`` in ``zone``, as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))


class Story:
    """One calendar, its state store, and cycles run as of given moments."""

    def __init__(self, cfg: CalendarConfig, header: list[str], *rows: list[Cell]) -> None:
        self.cfg, self.header = cfg, header
        header_row: list[Cell] = list(header)
        self.backend = MemoryBackend({"Calendar": [header_row, *map(list, rows)]})
        self.store = StateStore(":memory:")

    def set(self, header: str, value: Cell, sheet_row: int = 2) -> None:
        self.backend.tabs["Calendar"][sheet_row - 1][self.header.index(header)] = value

    def cycle(self, now: dt.datetime, **cells: Cell) -> CycleResult:
        """Write ``cells`` (header with spaces as underscores) into row 2, then sync."""
        for name, value in cells.items():
            self.set(name.replace("_", " "), value)
        return run_once(self.cfg, self.backend, self.store, now)

    def found(self, now: dt.datetime, **cells: Cell) -> list[tuple[int, str, str, str]]:
        """The cycle's findings as sorted (row, column, code, message)."""
        f = self.cycle(now, **cells).findings
        return sorted(zip(f["row"].astype(int).tolist(), f["column"], f["code"], f["message"]))


# --------------------------------------------------------------------------------------------
# Feedback timed from the observed start of client review


@pytest.mark.parametrize(("client", "zone"), CLIENTS, ids=ZONE_IDS)
def test_feedback_is_overdue_sla_business_days_after_the_observed_review_start(
        client: str, zone: str) -> None:
    # No "Sent for review" column: the clock starts when a cycle first sees the post in
    # client review, Friday 16:00. Two business days later (over the weekend, and in New
    # York over the clock change) it is due Tuesday 16:00, the start's time of day kept.
    story = Story(config("feedback-overdue", feedback={"sla_days": 2}), HEADER,
                  row("P1", client=client, status="Draft", date="2026-04-20 10:00"))
    assert story.found(local(zone, "2026-03-06 09:00")) == []
    assert story.found(local(zone, "2026-03-06 16:00"), Status="Client review") == []
    for moment in ("2026-03-09 16:01", "2026-03-10 15:59", "2026-03-10 16:00"):
        assert story.found(local(zone, moment)) == [], moment
    late = [(2, "status", "feedback-overdue",
             OVERDUE.format(since="2026-03-06 16:00", due="2026-03-10 16:00"))]
    assert story.found(local(zone, "2026-03-10 16:01")) == late
    # An edit that is not a status change leaves the clock where it started.
    assert story.found(local(zone, "2026-03-10 17:00"), Caption="Hello again") == late


@pytest.mark.parametrize(("client", "zone"), CLIENTS, ids=ZONE_IDS)
def test_a_post_first_seen_in_client_review_is_timed_from_that_cycle(
        client: str, zone: str) -> None:
    story = Story(config("feedback-overdue", feedback={"sla_days": 1}), HEADER,
                  row("P1", client=client, status="Client review", date="2026-04-20 10:00"))
    assert story.found(local(zone, "2026-03-10 16:00")) == []
    assert story.found(local(zone, "2026-03-11 16:00")) == []
    assert story.found(local(zone, "2026-03-11 16:01")) == [
        (2, "status", "feedback-overdue",
         OVERDUE.format(since="2026-03-10 16:00", due="2026-03-11 16:00"))]


@pytest.mark.parametrize(("client", "zone"), CLIENTS, ids=ZONE_IDS)
def test_back_in_review_after_changes_restarts_the_observed_clock(client: str, zone: str) -> None:
    story = Story(config("feedback-overdue", feedback={"sla_days": 2}), HEADER,
                  row("P1", client=client, status="Client review", date="2026-04-20 10:00"))
    assert story.found(local(zone, "2026-03-06 16:00")) == []
    assert story.found(local(zone, "2026-03-09 09:00"), Status="Changes requested") == []
    assert story.found(local(zone, "2026-03-09 12:00"), Status="Client review") == []
    # Due Tuesday 16:00 from the first start, Wednesday 12:00 from the second.
    assert story.found(local(zone, "2026-03-10 16:01")) == []
    assert story.found(local(zone, "2026-03-11 12:00")) == []
    assert story.found(local(zone, "2026-03-11 12:01")) == [
        (2, "status", "feedback-overdue",
         OVERDUE.format(since="2026-03-09 12:00", due="2026-03-11 12:00"))]


@pytest.mark.parametrize(("client", "zone"), CLIENTS, ids=ZONE_IDS)
def test_the_sheets_later_sent_for_review_wins_over_the_observed_start(
        client: str, zone: str) -> None:
    header = [*HEADER, "Sent for review"]
    story = Story(config("feedback-overdue", feedback={"sla_days": 2}), header,
                  [*row("P1", client=client, status="Client review", date="2026-04-20 10:00"),
                   None])
    assert story.found(local(zone, "2026-03-06 16:00")) == []  # observed start: Friday 16:00
    # The sheet says Monday 10:00 (local): due Wednesday 10:00, not Tuesday 16:00.
    sent = SHEET_TEXT[client, "2026-03-09 10:00"]
    assert story.found(local(zone, "2026-03-09 11:00"), Sent_for_review=sent) == []
    assert story.found(local(zone, "2026-03-10 16:01")) == []
    assert story.found(local(zone, "2026-03-11 10:00")) == []
    assert story.found(local(zone, "2026-03-11 10:01")) == [
        (2, "status", "feedback-overdue",
         OVERDUE.format(since="2026-03-09 10:00", due="2026-03-11 10:00"))]


@pytest.mark.parametrize(("client", "zone"), CLIENTS, ids=ZONE_IDS)
def test_the_sheets_earlier_sent_for_review_wins_over_the_observed_start(
        client: str, zone: str) -> None:
    header = [*HEADER, "Sent for review"]
    sent = SHEET_TEXT[client, "2026-03-05 10:00"]  # Thursday 10:00 local: due Monday 10:00
    story = Story(config("feedback-overdue", feedback={"sla_days": 2}), header,
                  [*row("P1", client=client, status="Client review", date="2026-04-20 10:00"),
                   sent])
    assert story.found(local(zone, "2026-03-06 16:00")) == []  # observed from here: Tuesday
    assert story.found(local(zone, "2026-03-09 10:00")) == []
    assert story.found(local(zone, "2026-03-09 10:01")) == [
        (2, "status", "feedback-overdue",
         OVERDUE.format(since="2026-03-05 10:00", due="2026-03-09 10:00"))]


# --------------------------------------------------------------------------------------------
# Revision rounds observed across cycles

ROUNDS_HEADER = [*HEADER, "Revision round", "Extra rounds"]
LAST_ROUND = ("Back in review after {used} of {allowed} revision {rounds}: this is the last "
              "included round. Tell the client that further changes are billable.")
EXCEEDED = ("{used} revision rounds used, {allowed} allowed: {billable} billable extra "
            "{billed}. Ask the account manager to approve or bill them.")


def rounds_story(sheet_rounds: Cell, included: int) -> Story:
    cfg = config("revision-last-round", "revision-limit-exceeded",
                 revisions={"included_rounds": included})
    return Story(cfg, ROUNDS_HEADER,
                 [*row("P1", status="Draft", date="2026-04-20 10:00"), sheet_rounds, None])


def report_rounds(result: CycleResult) -> list[Any]:
    """The Report's revision usage row for Acme, April 2026."""
    return report_table(result.outputs["Report"], "Revision usage per client per month")[1]


@pytest.mark.parametrize("sheet_rounds", [0, None], ids=["zero", "blank"])
def test_observed_rounds_count_each_entry_into_changes_requested(sheet_rounds: Cell) -> None:
    story = rounds_story(sheet_rounds, included=1)
    day = local("Europe/Istanbul", "2026-03-02 09:00")
    steps = [
        ("Client review", []),
        ("Changes requested", []),  # round 1 of 1: not yet beyond
        ("Changes requested", []),  # the same state seen again is not a new round
        ("Client review", [(2, "revision_round", "revision-last-round",
                            LAST_ROUND.format(used=1, allowed=1, rounds="round"))]),
        ("Changes requested", [(2, "revision_round", "revision-limit-exceeded",
                                EXCEEDED.format(used=2, allowed=1, billable=1, billed="round"))]),
    ]
    for index, (status, expected) in enumerate(steps):
        assert story.found(day + dt.timedelta(days=index), Status=status) == expected, status
    result = story.cycle(day + dt.timedelta(days=len(steps)))
    # Client, month, posts, rounds used, included, extra approved, billable.
    assert report_rounds(result) == ["Acme · 2026-04", 1, 2, 1, 0, 1]


def test_observed_rounds_reach_the_last_round_and_the_limit_with_two_included() -> None:
    story = rounds_story(None, included=2)
    day = local("Europe/Istanbul", "2026-03-02 09:00")
    statuses = ["Client review", "Changes requested", "Client review", "Changes requested",
                "Client review", "Changes requested"]
    found = [story.found(day + dt.timedelta(days=i), Status=s) for i, s in enumerate(statuses)]
    assert found == [[], [], [], [],
                     [(2, "revision_round", "revision-last-round",
                       LAST_ROUND.format(used=2, allowed=2, rounds="rounds"))],
                     [(2, "revision_round", "revision-limit-exceeded",
                       EXCEEDED.format(used=3, allowed=2, billable=1, billed="round"))]]


def test_the_larger_of_sheet_and_observed_rounds_wins() -> None:
    story = rounds_story(0, included=1)
    day = local("Europe/Istanbul", "2026-03-02 09:00")
    for i, status in enumerate(["Client review", "Changes requested", "Client review",
                                "Changes requested"]):
        story.cycle(day + dt.timedelta(days=i), Status=status)  # two rounds observed
    later = day + dt.timedelta(days=5)
    # The sheet counts more: the sheet's 3.
    assert story.found(later, Revision_round=3) == [
        (2, "revision_round", "revision-limit-exceeded",
         EXCEEDED.format(used=3, allowed=1, billable=2, billed="rounds"))]
    # The sheet counts fewer: the observed 2.
    assert story.found(later + dt.timedelta(days=1), Revision_round=1) == [
        (2, "revision_round", "revision-limit-exceeded",
         EXCEEDED.format(used=2, allowed=1, billable=1, billed="round"))]
    # An extra round approved in the sheet: 2 of 2 allowed, nothing beyond.
    assert story.found(later + dt.timedelta(days=2), Extra_rounds=1) == []
    assert story.found(later + dt.timedelta(days=3), Status="Client review") == [
        (2, "revision_round", "revision-last-round",
         LAST_ROUND.format(used=2, allowed=2, rounds="rounds"))]


# --------------------------------------------------------------------------------------------
# Changes after an observed approval

APPROVAL_HEADER = [*HEADER, "Approved on"]
NEW_CAPTION, NEW_ASSET = "Hello, edited after approval", "https://cdn.example.com/b.jpg"


def approval_story(client: str) -> Story:
    return Story(config("changed-after-approval"), APPROVAL_HEADER,
                 [*row("P1", client=client, status="Approved", date="2026-04-20 10:00"),
                  "2026-03-06 12:00"])


def changed(since: str) -> list[tuple[int, str, str, str]]:
    return [(2, "caption", "changed-after-approval", CHANGED.format(since=since))]


@pytest.mark.parametrize(("client", "zone"), CLIENTS, ids=ZONE_IDS)
def test_a_caption_edited_after_the_approval_was_seen_is_reported_with_that_time(
        client: str, zone: str) -> None:
    story = approval_story(client)
    assert story.found(local(zone, "2026-03-06 16:00")) == []  # the approval is first seen
    assert story.found(local(zone, "2026-03-09 09:00")) == []  # nothing edited
    assert story.found(local(zone, "2026-03-09 10:00"), Caption=NEW_CAPTION) == changed(
        "2026-03-06 16:00")
    assert story.found(local(zone, "2026-03-09 11:00")) == changed("2026-03-06 16:00")  # kept
    # The edit undone: the post is what was approved again.
    assert story.found(local(zone, "2026-03-09 12:00"), Caption="Hello") == []


@pytest.mark.parametrize(("client", "zone"), CLIENTS, ids=ZONE_IDS)
def test_an_asset_edited_after_the_approval_is_reported_too(client: str, zone: str) -> None:
    story = approval_story(client)
    assert story.found(local(zone, "2026-03-06 16:00")) == []
    assert story.found(local(zone, "2026-03-09 10:00"), Asset=NEW_ASSET) == changed(
        "2026-03-06 16:00")


@pytest.mark.parametrize(("client", "zone"), CLIENTS, ids=ZONE_IDS)
def test_a_new_approval_clears_the_finding_and_times_the_next_one(client: str, zone: str
                                                                  ) -> None:
    story = approval_story(client)
    assert story.found(local(zone, "2026-03-06 16:00")) == []
    assert story.found(local(zone, "2026-03-09 10:00"), Caption=NEW_CAPTION) == changed(
        "2026-03-06 16:00")
    # The client approves the edited post: a new approval date.
    assert story.found(local(zone, "2026-03-09 15:00"), Approved_on="2026-03-09 14:00") == []
    assert story.found(local(zone, "2026-03-10 09:00")) == []
    assert story.found(local(zone, "2026-03-10 10:00"), Asset=NEW_ASSET) == changed(
        "2026-03-09 15:00")


@pytest.mark.parametrize(("client", "zone"), CLIENTS, ids=ZONE_IDS)
def test_an_approval_recorded_with_the_edit_in_one_cycle_is_no_change(client: str, zone: str
                                                                     ) -> None:
    story = approval_story(client)
    assert story.found(local(zone, "2026-03-06 16:00")) == []
    assert story.found(local(zone, "2026-03-09 10:00"), Caption=NEW_CAPTION,
                       Approved_on="2026-03-09 09:30") == []
