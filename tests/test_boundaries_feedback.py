"""Boundary tables for the client-feedback rules, written from their documented meaning.

``sheets_sync/rules/feedback.py``: the clock of a post in client review starts at "Sent for
review"; the deadline is an explicit "Feedback due", else ``sla_days`` business days after the
start in the client's country and time zone. A date-only start counts from the end of that day;
a start on a weekend or holiday from the start of the next business day; a date-only due date
lasts until the end of that day. Feedback is overdue once that moment has passed (warning).
``config/example.toml``: ``escalate_after_days`` — feedback-overdue becomes an error this many
business days later, naming ``escalation_contact`` (default "the account manager");
``deemed_approved_after_days`` — contractual deemed approval after N business days, counted
like the SLA from the same start (info; 0 = never); ``sla_days`` must be positive.

Time-dependent tables run for client "Acme" in Europe/Istanbul (the calendar's own zone, TR)
and in America/New_York (US), "now" and the sheet's times read in that zone. 10-18 March 2026
hold no public holiday in either country; the holiday tables are per zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pandas as pd
import pytest
from conftest import HEADER, audit, calendar_config, only, row

from sheets_sync.errors import ConfigError
from sheets_sync.model import Finding, Severity
from sheets_sync.outputs.turnaround import turnaround
from sheets_sync.parse import parse
from sheets_sync.rules.base import Context

ISTANBUL = "Europe/Istanbul"
NEW_YORK = "America/New_York"
PLACES: dict[str, dict[str, Any]] = {
    ISTANBUL: {},
    NEW_YORK: {"timezone": NEW_YORK, "country": "US"},
}
ZONES = list(PLACES)

INFO, W, E = Severity.INFO, Severity.WARNING, Severity.ERROR
OVERDUE = (2, "feedback_due", "feedback-overdue")
DEEMED = (2, "status", "deemed-approved")
FEEDBACK_HEADER = [*HEADER, "Sent for review", "Feedback due", "Approved on"]


def local(zone: str, text: str) -> dt.datetime:
    """Return the wall-clock time ``text`` in ``zone`` as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))


def review(sent: str, due: str = "", approved: str = "", *, post_id: str = "P1",
           client: str = "Acme", status: str = "Client review") -> list[Any]:
    return [*row(post_id, client=client, status=status, date="2026-06-30 10:00"), sent, due,
            approved]


def run(rows: list[list[Any]], now: str, zone: str, feedback: dict[str, Any] | None = None,
        clients: dict[str, Any] | None = None) -> list[Finding]:
    """Audit with only the feedback codes on; Acme placed in ``zone``, ``now`` read there."""
    clients = clients or {}
    placed = {**clients, "Acme": {**PLACES[zone], **clients.get("Acme", {})}}
    rules = {"feedback": feedback or {}, "levels": only("feedback-overdue", "deemed-approved")}
    return audit(rows, local(zone, now), header=FEEDBACK_HEADER, rules=rules, clients=placed)


def graded(findings: list[Finding]) -> set[tuple[int | None, str, str, Severity]]:
    return {(*f.key(), f.severity) for f in findings}


def both(table: list[tuple[Any, ...]]) -> list[Any]:
    """Every row of ``table`` once per zone."""
    return [pytest.param(zone, *case, id=f"{zone}-{'-'.join(map(str, case))}")
            for zone in ZONES for case in table]


def per_zone(table: list[tuple[Any, ...]]) -> list[Any]:
    """Rows whose first item is their zone."""
    return [pytest.param(*case, id="-".join(map(str, case))) for case in table]


# --------------------------------------------------------------------------------------------
# sla_days, and when a start or a due date without a time ends

# (sla_days, sent for review, feedback due, now, overdue)
SLA = [
    # Tuesday 10:00 + 2 business days = Thursday 10:00.
    (2, "2026-03-10 10:00", "", "2026-03-12 09:59", False),
    (2, "2026-03-10 10:00", "", "2026-03-12 10:00", False),    # exactly at the deadline
    (2, "2026-03-10 10:00", "", "2026-03-12 10:01", True),
    # The same moment under sla_days one below and one above.
    (1, "2026-03-10 10:00", "", "2026-03-12 10:01", True),
    (3, "2026-03-10 10:00", "", "2026-03-12 10:01", False),
    (1, "2026-03-10 10:00", "", "2026-03-11 10:00", False),
    (1, "2026-03-10 10:00", "", "2026-03-11 10:01", True),
    (3, "2026-03-10 10:00", "", "2026-03-13 10:00", False),
    (3, "2026-03-10 10:00", "", "2026-03-13 10:01", True),
    # A date-only start counts from the end of Tuesday: due at the end of Thursday.
    (2, "2026-03-10", "", "2026-03-12 23:59", False),
    (2, "2026-03-10", "", "2026-03-13 00:00", False),          # the end of Thursday itself
    (2, "2026-03-10", "", "2026-03-13 00:01", True),
    # Friday 17:00 + 2 business days skips the weekend: Tuesday 17:00.
    (2, "2026-03-13 17:00", "", "2026-03-16 17:01", False),
    (2, "2026-03-13 17:00", "", "2026-03-17 17:00", False),
    (2, "2026-03-13 17:00", "", "2026-03-17 17:01", True),
    # Sent on Saturday (with or without a time): from Monday 00:00, due at the end of Tuesday.
    (2, "2026-03-14 10:00", "", "2026-03-17 23:59", False),
    (2, "2026-03-14 10:00", "", "2026-03-18 00:00", False),
    (2, "2026-03-14 10:00", "", "2026-03-18 00:01", True),
    (2, "2026-03-14", "", "2026-03-18 00:00", False),
    (2, "2026-03-14", "", "2026-03-18 00:01", True),
    # An explicit date-only due date lasts until the end of that day, SLA or not.
    (2, "2026-03-02 10:00", "2026-03-12", "2026-03-12 23:59", False),
    (2, "2026-03-02 10:00", "2026-03-12", "2026-03-13 00:00", False),
    (2, "2026-03-02 10:00", "2026-03-12", "2026-03-13 00:01", True),
    (2, "", "2026-03-12", "2026-03-13 00:01", True),             # no start needed
    # An explicit due date wins over the SLA, earlier or later.
    (2, "2026-03-10 10:00", "2026-03-11", "2026-03-12 00:01", True),
    (2, "2026-03-10 10:00", "2026-03-13 15:00", "2026-03-12 10:01", False),
    (2, "2026-03-10 10:00", "2026-03-13 15:00", "2026-03-13 14:59", False),
    (2, "2026-03-10 10:00", "2026-03-13 15:00", "2026-03-13 15:00", False),
    (2, "2026-03-10 10:00", "2026-03-13 15:00", "2026-03-13 15:01", True),
]


@pytest.mark.parametrize(("zone", "sla_days", "sent", "due", "now", "overdue"), both(SLA))
def test_sla_days_boundary(zone: str, sla_days: int, sent: str, due: str, now: str,
                           overdue: bool) -> None:
    found = run([review(sent, due)], now, zone, {"sla_days": sla_days})
    assert graded(found) == ({(*OVERDUE, W)} if overdue else set())


# (zone, sent for review, now, overdue), sla_days = 2.
SLA_HOLIDAYS = [
    # Friday 20 March 2026 is Ramazan Bayramı in Turkey: Thursday 10:00 -> Tuesday 10:00.
    (ISTANBUL, "2026-03-19 10:00", "2026-03-23 10:01", False),
    (ISTANBUL, "2026-03-19 10:00", "2026-03-24 10:00", False),
    (ISTANBUL, "2026-03-19 10:00", "2026-03-24 10:01", True),
    # Sent on the holiday itself: from Monday 00:00, due at the end of Tuesday.
    (ISTANBUL, "2026-03-20 10:00", "2026-03-24 23:59", False),
    (ISTANBUL, "2026-03-20 10:00", "2026-03-25 00:00", False),
    (ISTANBUL, "2026-03-20 10:00", "2026-03-25 00:01", True),
    # In New York 20 March is a working day: Thursday 10:00 -> Monday 10:00.
    (NEW_YORK, "2026-03-19 10:00", "2026-03-23 10:00", False),
    (NEW_YORK, "2026-03-19 10:00", "2026-03-23 10:01", True),
    (NEW_YORK, "2026-03-20 10:00", "2026-03-24 10:00", False),
    (NEW_YORK, "2026-03-20 10:00", "2026-03-24 10:01", True),
    # Memorial Day, Monday 25 May, in the US only: Friday 10:00 -> Wednesday / Tuesday 10:00.
    (NEW_YORK, "2026-05-22 10:00", "2026-05-26 10:01", False),
    (NEW_YORK, "2026-05-22 10:00", "2026-05-27 10:00", False),
    (NEW_YORK, "2026-05-22 10:00", "2026-05-27 10:01", True),
    (ISTANBUL, "2026-05-22 10:00", "2026-05-26 10:00", False),
    (ISTANBUL, "2026-05-22 10:00", "2026-05-26 10:01", True),
]


@pytest.mark.parametrize(("zone", "sent", "now", "overdue"), per_zone(SLA_HOLIDAYS))
def test_sla_days_skip_the_clients_public_holidays(zone: str, sent: str, now: str,
                                                   overdue: bool) -> None:
    found = run([review(sent)], now, zone, {"sla_days": 2})
    assert graded(found) == ({(*OVERDUE, W)} if overdue else set())


@pytest.mark.parametrize(("value", "valid"), [(0, False), (1, True)])
def test_sla_days_must_be_positive(value: int, valid: bool) -> None:
    if valid:
        assert calendar_config(rules={"feedback": {"sla_days": value}}).rules.feedback.sla_days \
            == value
        return
    with pytest.raises(ConfigError, match="sla_days"):
        calendar_config(rules={"feedback": {"sla_days": value}})


def test_sla_days_are_per_client() -> None:
    rows = [review("2026-03-10 10:00"), review("2026-03-10 10:00", post_id="B1", client="Beta")]
    beta = {"Beta": {"rules": {"feedback": {"sla_days": 3}}}}
    # Thursday 10:01: past Acme's 2 days (the calendar's), within Beta's 3.
    assert graded(run(rows, "2026-03-12 10:01", ISTANBUL, clients=beta)) == {(*OVERDUE, W)}
    assert graded(run(rows, "2026-03-13 10:01", ISTANBUL, clients=beta)) == {
        (*OVERDUE, W), (3, "feedback_due", "feedback-overdue", W)}


# --------------------------------------------------------------------------------------------
# escalate_after_days and the escalation contact

CONTACT = "Selin (account manager)"

# (escalate_after_days, feedback due, now, severity, "N business days ago" or None).
# Sent Tuesday 10 March 10:00 with sla_days = 2: due Thursday 12 March 10:00, unless "due"
# says otherwise.
ESCALATION = [
    (2, "", "2026-03-13 10:01", W, None),
    (2, "", "2026-03-16 10:01", E, 2),
    (2, "", "2026-03-17 10:01", E, 3),
    (1, "", "2026-03-13 10:01", E, 1),
    (3, "", "2026-03-16 10:01", W, None),
    (3, "", "2026-03-17 10:01", E, 3),
    # 0 (allowed): an error as soon as it is overdue, not before.
    (0, "", "2026-03-12 10:00", None, None),
    (0, "", "2026-03-12 10:01", E, 0),
    # Business days late are counted by date, from the due date's day to today's: the error
    # starts with the day, not at the due time of day (Monday 09:59 is already an error), and
    # from a weekend the deadline's day counts back like a working day (Saturday: Thursday is
    # "2 business days ago"). The docs say "this many business days later" for the setting
    # and "N business days ago" in the message; which one is meant is not clear, so these
    # rows hold the current behaviour.
    (2, "", "2026-03-16 09:59", E, 2),
    (2, "", "2026-03-14 10:01", E, 2),
    # A date-only due date (Thursday) ends at midnight: 2 business days later is the end of
    # Monday.
    (2, "2026-03-12", "2026-03-16 23:59", W, None),
    (2, "2026-03-12", "2026-03-17 00:01", E, 2),
]


@pytest.mark.parametrize(("zone", "escalate", "due", "now", "severity", "late"), both(ESCALATION))
def test_escalate_after_days_boundary(zone: str, escalate: int, due: str, now: str,
                                      severity: Severity | None, late: int | None) -> None:
    rows = [review("2026-03-10 10:00", due),
            review("2026-03-10 10:00", due, post_id="B1", client="Beta")]
    # Beta, in the same zone, has no escalation contact.
    clients = {"Acme": {"rules": {"feedback": {"escalation_contact": CONTACT}}},
               "Beta": PLACES[zone]}
    found = run(rows, now, zone, {"sla_days": 2, "escalate_after_days": escalate}, clients)
    if severity is None:
        assert found == []
        return
    assert graded(found) == {(*OVERDUE, severity),
                             (3, "feedback_due", "feedback-overdue", severity)}
    by_client = {f.client: f.message for f in found}
    if late is None:
        assert all("Escalate" not in text and text.endswith("Remind the client.")
                   for text in by_client.values())
    else:
        # Each client's message names its own contact.
        days = "day" if late == 1 else "days"
        assert by_client["Acme"].endswith(f", {late} business {days} ago. Escalate to {CONTACT}.")
        assert by_client["Beta"].endswith(
            f", {late} business {days} ago. Escalate to the account manager.")


# --------------------------------------------------------------------------------------------
# deemed_approved_after_days

# (deemed_approved_after_days, sent for review, now, findings). sla_days = 2.
DEEMED_TABLE: list[tuple[int, str, str, set[tuple[Any, ...]]]] = [
    # Tuesday 10:00 + 3 business days = Friday 10:00: deemed approved only after that moment;
    # until then the feedback is overdue (since Thursday 10:00).
    (3, "2026-03-10 10:00", "2026-03-13 09:59", {(*OVERDUE, W)}),
    (3, "2026-03-10 10:00", "2026-03-13 10:00", {(*OVERDUE, W)}),
    (3, "2026-03-10 10:00", "2026-03-13 10:01", {(*DEEMED, INFO)}),
    # The same moment under a window one shorter and one longer.
    (2, "2026-03-10 10:00", "2026-03-12 10:00", set()),
    (2, "2026-03-10 10:00", "2026-03-12 10:01", {(*DEEMED, INFO)}),
    (4, "2026-03-10 10:00", "2026-03-13 10:01", {(*OVERDUE, W)}),
    (4, "2026-03-10 10:00", "2026-03-16 10:01", {(*DEEMED, INFO)}),
    # A window shorter than the SLA: deemed approved before feedback is even overdue.
    (1, "2026-03-10 10:00", "2026-03-11 10:00", set()),
    (1, "2026-03-10 10:00", "2026-03-11 10:01", {(*DEEMED, INFO)}),
    # A date-only start counts from the end of Tuesday: deemed after the end of Friday.
    (3, "2026-03-10", "2026-03-13 23:59", {(*OVERDUE, W)}),
    (3, "2026-03-10", "2026-03-14 00:00", {(*OVERDUE, W)}),
    (3, "2026-03-10", "2026-03-14 00:01", {(*DEEMED, INFO)}),
    # 0 means never, however long the client has been silent.
    (0, "2026-03-10 10:00", "2026-03-12 10:01", {(*OVERDUE, W)}),
    (0, "2026-03-10 10:00", "2026-06-01 10:00", {(*OVERDUE, E)}),
]


@pytest.mark.parametrize(("zone", "deemed_after", "sent", "now", "expected"), both(DEEMED_TABLE))
def test_deemed_approved_after_days_boundary(zone: str, deemed_after: int, sent: str, now: str,
                                             expected: set[tuple[Any, ...]]) -> None:
    found = run([review(sent)], now, zone,
                {"sla_days": 2, "deemed_approved_after_days": deemed_after})
    assert graded(found) == expected
    deemed = [f for f in found if f.code == "deemed-approved"]
    if deemed:
        assert deemed[0].message.startswith(
            f"No feedback since {sent}: after {deemed_after} business "
            f"{'day' if deemed_after == 1 else 'days'} the contract counts this post as approved.")


# (zone, now, deemed); deemed_approved_after_days = 2 from Thursday 19 March 10:00.
DEEMED_HOLIDAYS = [
    (ISTANBUL, "2026-03-24 10:00", False),   # Friday 20 March is a holiday: Tuesday 10:00
    (ISTANBUL, "2026-03-24 10:01", True),
    (NEW_YORK, "2026-03-23 10:00", False),   # a working day in New York: Monday 10:00
    (NEW_YORK, "2026-03-23 10:01", True),
]


@pytest.mark.parametrize(("zone", "now", "deemed"), per_zone(DEEMED_HOLIDAYS))
def test_deemed_approval_window_skips_the_clients_holidays(zone: str, now: str,
                                                          deemed: bool) -> None:
    found = run([review("2026-03-19 10:00")], now, zone,
                {"sla_days": 5, "deemed_approved_after_days": 2})
    assert graded(found) == ({(*DEEMED, INFO)} if deemed else set())


def test_deemed_approval_is_per_client() -> None:
    rows = [review("2026-03-10 10:00"), review("2026-03-10 10:00", post_id="B1", client="Beta")]
    beta = {"Beta": {"rules": {"feedback": {"deemed_approved_after_days": 3}}}}
    found = run(rows, "2026-03-13 10:01", ISTANBUL, {"sla_days": 2}, beta)
    assert graded(found) == {(*OVERDUE, W), (3, "status", "deemed-approved", INFO)}


# --------------------------------------------------------------------------------------------
# An approval exactly at the feedback deadline

# (sent for review, approved on, on time). sla_days = 2; the Report's turnaround counts an
# approval as on time when it came by the feedback deadline, a date-only one when its day is
# not after the deadline's day.
ON_TIME = [
    ("2026-03-10 10:00", "2026-03-12 09:59", True),
    ("2026-03-10 10:00", "2026-03-12 10:00", True),     # exactly at the deadline
    ("2026-03-10 10:00", "2026-03-12 10:01", False),
    ("2026-03-10 10:00", "2026-03-12", True),           # the deadline's day
    ("2026-03-10 10:00", "2026-03-13", False),
    # A date-only start: the deadline is the end of Thursday.
    ("2026-03-10", "2026-03-12 23:59", True),
    ("2026-03-10", "2026-03-13 00:00", True),
    ("2026-03-10", "2026-03-13 00:01", False),
    ("2026-03-10", "2026-03-12", True),
    ("2026-03-10", "2026-03-13", False),
]


@pytest.mark.parametrize(("zone", "sent", "approved", "on_time"), both(ON_TIME))
def test_approval_at_the_feedback_deadline_is_on_time(zone: str, sent: str, approved: str,
                                                      on_time: bool) -> None:
    config = calendar_config(rules={"feedback": {"sla_days": 2}},
                             clients={"Acme": PLACES[zone]})
    calendar = parse([FEEDBACK_HEADER, review(sent, "", approved, status="Approved")], config)
    ctx = Context(calendar, config, local(zone, "2026-03-20 10:00"))
    [[client, count, _median, _p90, share]] = turnaround(ctx, pd.DataFrame())
    assert (client, count, share) == ("Acme", 1, 100.0 if on_time else 0.0)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("now", ["2026-03-12 10:00", "2026-03-12 10:01", "2026-03-20 10:00"])
def test_a_post_approved_at_the_deadline_is_not_waiting_for_feedback(zone: str,
                                                                     now: str) -> None:
    rows = [review("2026-03-10 10:00", "", "2026-03-12 10:00", status="Approved")]
    assert run(rows, now, zone, {"sla_days": 2, "deemed_approved_after_days": 3}) == []


@pytest.mark.parametrize("zone", ZONES)
def test_an_approval_recorded_while_the_status_says_client_review(zone: str) -> None:
    # The client answered (an approval date in this round of review): not late, not deemed
    # approved, whatever the status still says, before and long after the deadline.
    rows = [review("2026-03-10 10:00", "", "2026-03-12 10:00")]
    for now in ("2026-03-12 10:00", "2026-03-12 10:01", "2026-03-30 10:00"):
        assert run(rows, now, zone, {"sla_days": 2, "deemed_approved_after_days": 5}) == []


@pytest.mark.parametrize("zone", ZONES)
def test_an_approval_from_before_this_round_of_review_answers_nothing(zone: str) -> None:
    # Approved on the 9th, sent for review again on the 10th: the new round waits for the
    # client, and is late one minute after its deadline.
    rows = [review("2026-03-10 10:00", "", "2026-03-09")]
    assert run(rows, "2026-03-12 10:00", zone, {"sla_days": 2}) == []
    assert graded(run(rows, "2026-03-12 10:01", zone, {"sla_days": 2})) == {(*OVERDUE, W)}
    # Approved the day the round started: that is this round's answer.
    same_day = [review("2026-03-10 10:00", "", "2026-03-10")]
    assert run(same_day, "2026-03-20 10:00", zone, {"sla_days": 2}) == []




@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("approved", ["ok'd by phone?", "next week"])
def test_approval_evidence_nobody_can_read_is_neither_late_nor_deemed_approved(
        zone: str, approved: str) -> None:
    # The cell may hold the client's answer: the client is not called late (no reminder goes
    # out), nor deemed to have approved by silence, before or long after both deadlines.
    rows = [review("2026-03-10 10:00", "", approved),
            review("2026-03-10 10:00", "", "", post_id="P2")]
    for now in ("2026-03-12 10:01", "2026-03-30 10:00"):
        found = graded(run(rows, now, zone, {"sla_days": 2, "deemed_approved_after_days": 5}))
        assert {key for key in found if key[0] == 2} == set()
        assert {key[2] for key in found if key[0] == 3} == {
            "feedback-overdue" if now.startswith("2026-03-12") else "deemed-approved"}


@pytest.mark.parametrize("header, cell, code", [
    ("Approved on", "ok'd by phone?", "invalid-date"),
    ("Approved", "maybe", "invalid-boolean"),
])
def test_the_unreadable_approval_cell_says_what_it_holds_back(header: str, cell: str,
                                                               code: str) -> None:
    rows = [[*row("P1", status="Client review"), cell], [*row("P2"), ""]]
    found = audit(rows, local(ISTANBUL, "2026-03-10 09:00"), header=[*HEADER, header],
                  rules={"levels": only(code)})
    [finding] = found
    assert (finding.row, finding.code) == (2, code)
    assert finding.message.endswith(
        "Until it can be read, the post counts as neither approved nor unapproved, and the "
        "client as neither late with feedback nor agreeing by silence.")


def test_a_readable_no_beside_an_unreadable_date_decides_and_says_nothing_more() -> None:
    header = [*HEADER, "Approved on", "Approved"]
    rows = [[*row("P1"), "someday", "No"]]
    [finding] = audit(rows, local(ISTANBUL, "2026-03-10 09:00"), header=header,
                      rules={"levels": only("invalid-date")})
    assert finding.code == "invalid-date"
    assert "Until it can be read" not in finding.message
