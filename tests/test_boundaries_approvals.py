"""Boundary tables for the approval rules, written from what each parameter is documented to mean.

``config/example.toml``: ``lead_days`` — approval-missing when publishing within this many
business days; ``urgent_hours`` — and critical within this many hours; ``approvers`` — who may
approve (empty = anyone). Codes: approval-missing (error; critical when urgent or past),
approval-after-publish (warning: "dated …, after the publish time …"), approver-not-authorized
(error).

Business days left before a publish day are the business days from today (when it is one) up
to the day before the publish day: on Thursday a Monday post has Thursday and Friday left, i.e.
it publishes within 2 business days; from a weekend the count starts on the next business day.

Every time-dependent table runs twice: for a client in Europe/Istanbul (the calendar's own zone
and country, TR) and for a client in America/New_York (country US), with "now" and the sheet's
times read in that client's zone. The dates avoid the US switches to and from summer time
(8 March, 1 November 2026), except in the table that is about them: there "N hours from
now" and urgent_hours are real hours, not the difference of two wall-clock times.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from conftest import HEADER, audit, keys, only, row

from sheets_sync.model import Finding, Severity

ISTANBUL = "Europe/Istanbul"
NEW_YORK = "America/New_York"
# The client "Acme" as the calendar has it (Istanbul, TR), or moved to New York (US).
PLACES: dict[str, dict[str, Any]] = {
    ISTANBUL: {},
    NEW_YORK: {"Acme": {"timezone": NEW_YORK, "country": "US"}},
}
ZONES = list(PLACES)

E, C, W = Severity.ERROR, Severity.CRITICAL, Severity.WARNING
MISSING = (2, "status", "approval-missing")
APPROVAL_HEADER = [*HEADER, "Approved by", "Approved on"]


def local(zone: str, text: str) -> dt.datetime:
    """Return the wall-clock time ``text`` in ``zone`` as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))


def run(rows: list[list[Any]], now: dt.datetime, code: str, *, zone: str = ISTANBUL,
        header: list[str] | None = None, rules: dict[str, Any] | None = None,
        clients: dict[str, Any] | None = None) -> list[Finding]:
    """Audit ``rows`` with only ``code`` switched on, client Acme placed in ``zone``."""
    placed = {**PLACES[zone], **(clients or {})}
    return audit(rows, now, header=header, rules={**(rules or {}), "levels": only(code)},
                 clients=placed)


def graded(findings: list[Finding]) -> set[tuple[int | None, str, str, Severity]]:
    """(row, column, code, severity) of every finding."""
    return {(*f.key(), f.severity) for f in findings}


# --------------------------------------------------------------------------------------------
# approval-missing: urgent_hours (and a post publishing exactly now)

# (urgent_hours, publish, expected severity or None, message fragment); now = Tue 10 March 09:00.
URGENT = [
    # The publish time is one minute past: critical, "has passed".
    (24, "2026-03-10 08:59", C, "has passed and the post was never approved"),
    # Publishing exactly now: the time has not passed yet; 0 hours left is within any window.
    (24, "2026-03-10 09:00", C, "— 0 hours from now —"),
    (24, "2026-03-10 09:01", C, "— 0 hours from now —"),
    # urgent_hours = 24: one minute inside, exactly at, one minute beyond.
    (24, "2026-03-11 08:59", C, "— 23 hours from now —"),
    (24, "2026-03-11 09:00", C, "— 24 hours from now —"),
    (24, "2026-03-11 09:01", E, "Publishes 2026-03-11 09:01 and is not approved yet"),
    # The same moment under urgent_hours one below, at and one above 24.
    (23, "2026-03-11 09:00", E, "Publishes 2026-03-11 09:00 and is not approved yet"),
    (25, "2026-03-11 09:00", C, "— 24 hours from now —"),
    # urgent_hours = 0 (allowed): only a post publishing now is urgent.
    (0, "2026-03-10 08:59", C, "has passed and the post was never approved"),
    (0, "2026-03-10 09:00", C, "— 0 hours from now —"),
    (0, "2026-03-10 09:01", E, "Publishes 2026-03-10 09:01 and is not approved yet"),
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("urgent_hours", "publish", "severity", "fragment"), URGENT)
def test_urgent_hours_boundary(zone: str, urgent_hours: int, publish: str, severity: Severity,
                               fragment: str) -> None:
    found = run([row("P1", date=publish, status="Draft")], local(zone, "2026-03-10 09:00"),
                "approval-missing", zone=zone,
                rules={"approvals": {"urgent_hours": urgent_hours, "lead_days": 2}})
    assert graded(found) == {(*MISSING, severity)}
    assert fragment in found[0].message


# --------------------------------------------------------------------------------------------
# approval-missing: lead_days in business days

# (zone or None for both, lead_days, now, publish, expected severity or None). urgent_hours is
# 0 and every post is in the future, so only lead_days decides; the time of day never matters.
LEAD: list[tuple[str | None, int, str, str, Severity | None]] = [
    # Thursday 12 March: Friday has 1 business day left (Thu), Monday 2 (Thu, Fri), Tuesday 3.
    (None, 2, "2026-03-12 09:00", "2026-03-13 10:00", E),
    (None, 2, "2026-03-12 09:00", "2026-03-16 10:00", E),
    (None, 2, "2026-03-12 09:00", "2026-03-17 10:00", None),
    (None, 2, "2026-03-12 00:01", "2026-03-17 23:59", None),
    # The Monday post under lead_days one below, at and one above its 2 days left.
    (None, 1, "2026-03-12 09:00", "2026-03-16 10:00", None),
    (None, 3, "2026-03-12 09:00", "2026-03-16 10:00", E),
    # Today is Sunday 15 March: counting starts on Monday. Tuesday has 1 day left (Mon),
    # Wednesday 2 (Mon, Tue), Thursday 3.
    (None, 2, "2026-03-15 12:00", "2026-03-17 10:00", E),
    (None, 2, "2026-03-15 12:00", "2026-03-18 10:00", E),
    (None, 2, "2026-03-15 12:00", "2026-03-19 10:00", None),
    # lead_days = 0 (allowed): only a post with no business day left before its day.
    (None, 0, "2026-03-12 09:00", "2026-03-12 20:00", E),
    (None, 0, "2026-03-12 09:00", "2026-03-13 10:00", None),
    (None, 0, "2026-03-15 12:00", "2026-03-16 10:00", E),      # Sunday -> Monday
    (None, 0, "2026-03-15 12:00", "2026-03-17 10:00", None),
    # Across Ramazan Bayramı (Friday 20 March, a Turkish public holiday), from Thursday 19 March:
    # in Turkey Monday has 1 day left (Thu), Tuesday 2 (Thu, Mon), Wednesday 3 ...
    (ISTANBUL, 2, "2026-03-19 09:00", "2026-03-23 10:00", E),
    (ISTANBUL, 2, "2026-03-19 09:00", "2026-03-24 10:00", E),
    (ISTANBUL, 2, "2026-03-19 09:00", "2026-03-25 10:00", None),
    # ... while for the New York client Friday 20 March is a working day.
    (NEW_YORK, 2, "2026-03-19 09:00", "2026-03-20 10:00", E),
    (NEW_YORK, 2, "2026-03-19 09:00", "2026-03-23 10:00", E),
    (NEW_YORK, 2, "2026-03-19 09:00", "2026-03-24 10:00", None),
    # Across Memorial Day (Monday 25 May, a US public holiday), from Thursday 21 May.
    (NEW_YORK, 2, "2026-05-21 09:00", "2026-05-22 10:00", E),
    (NEW_YORK, 2, "2026-05-21 09:00", "2026-05-26 10:00", E),
    (NEW_YORK, 2, "2026-05-21 09:00", "2026-05-27 10:00", None),
    # In Istanbul 25 May is a working day: Tuesday 26 May has 3 days left (Thu, Fri, Mon).
    (ISTANBUL, 2, "2026-05-21 09:00", "2026-05-25 10:00", E),
    (ISTANBUL, 2, "2026-05-21 09:00", "2026-05-26 10:00", None),
]


def _lead_cases() -> list[Any]:
    cases = []
    for zone, lead, now, publish, severity in LEAD:
        for place in ([zone] if zone else ZONES):
            cases.append(pytest.param(place, lead, now, publish, severity,
                                      id=f"{place}-lead{lead}-{now}-{publish}"))
    return cases


@pytest.mark.parametrize(("zone", "lead_days", "now", "publish", "severity"), _lead_cases())
def test_lead_days_boundary_in_business_days(zone: str, lead_days: int, now: str, publish: str,
                                             severity: Severity | None) -> None:
    rules = {"approvals": {"lead_days": lead_days, "urgent_hours": 0}}
    found = run([row("P1", date=publish, status="Client review")], local(zone, now),
                "approval-missing", zone=zone, rules=rules)
    assert graded(found) == ({(*MISSING, severity)} if severity else set())


def test_lead_days_and_urgent_hours_are_per_client() -> None:
    # Friday 13 March -> Monday 10:00: 1 business day (Friday) and 73, then 72, hours away.
    rows = [row("A1", date="2026-03-16 10:00"), row("B1", client="Beta", date="2026-03-16 10:00")]
    beta = {"Beta": {"rules": {"approvals": {"lead_days": 2, "urgent_hours": 72}}}}
    found = run(rows, local(ISTANBUL, "2026-03-13 09:00"), "approval-missing",
                rules={"approvals": {"lead_days": 1, "urgent_hours": 24}}, clients=beta)
    assert graded(found) == {(2, "status", "approval-missing", E),
                             (3, "status", "approval-missing", E)}
    found = run(rows, local(ISTANBUL, "2026-03-13 10:00"), "approval-missing",
                rules={"approvals": {"lead_days": 0, "urgent_hours": 24}}, clients=beta)
    assert graded(found) == {(3, "status", "approval-missing", C)}  # 72 hours: urgent for Beta


# --------------------------------------------------------------------------------------------
# approval-missing around a daylight-saving change: hours are real hours from now

# (now, publish, urgent_hours, expected severity, fragment), New York.
DST = [
    # 8 March 2026, 02:00 -> 03:00: Saturday 09:00 to Sunday 09:00 is 23 hours.
    ("2026-03-07 09:00", "2026-03-08 09:00", 22, E, "Publishes 2026-03-08 09:00 and is not"),
    ("2026-03-07 09:00", "2026-03-08 09:00", 23, C, "— 23 hours from now —"),
    # 1 November 2026, 02:00 -> 01:00: Saturday 09:00 to Sunday 09:00 is 25 hours.
    ("2026-10-31 09:00", "2026-11-01 09:00", 24, E, "Publishes 2026-11-01 09:00 and is not"),
    ("2026-10-31 09:00", "2026-11-01 09:00", 25, C, "— 25 hours from now —"),
]


@pytest.mark.parametrize(("now", "publish", "urgent_hours", "severity", "fragment"), DST)
def test_urgent_hours_count_real_hours_across_daylight_saving(
        now: str, publish: str, urgent_hours: int, severity: Severity, fragment: str) -> None:
    found = run([row("P1", date=publish)], local(NEW_YORK, now), "approval-missing",
                zone=NEW_YORK, rules={"approvals": {"urgent_hours": urgent_hours}})
    assert graded(found) == {(*MISSING, severity)}
    assert fragment in found[0].message


# --------------------------------------------------------------------------------------------
# approval-after-publish: only an approval strictly after the publish time

# (publish, approved on, fires); date-only approvals count as given on that day.
AFTER = [
    ("2026-03-05 10:00", "2026-03-05 09:59", False),
    ("2026-03-05 10:00", "2026-03-05 10:00", False),   # at the exact publish moment
    ("2026-03-05 10:00", "2026-03-05 10:01", True),
    ("2026-03-05 10:00", "2026-03-04", False),
    ("2026-03-05 10:00", "2026-03-05", False),         # the publish day itself
    ("2026-03-05 10:00", "2026-03-06", True),
    # A date-only publish date goes out at default_publish_time (09:00).
    ("2026-03-05", "2026-03-05 08:59", False),
    ("2026-03-05", "2026-03-05 09:00", False),
    ("2026-03-05", "2026-03-05 09:01", True),
    ("2026-03-05", "2026-03-05", False),
    ("2026-03-05", "2026-03-06", True),
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("publish", "approved", "fires"), AFTER)
def test_approval_after_publish_boundary(zone: str, publish: str, approved: str,
                                         fires: bool) -> None:
    rows = [[*row("P1", date=publish, status="Published"), "Zeynep Kaya", approved]]
    found = run(rows, local(zone, "2026-03-10 09:00"), "approval-after-publish", zone=zone,
                header=APPROVAL_HEADER)
    expected = {(2, "approved_at", "approval-after-publish", W)} if fires else set()
    assert graded(found) == expected


# --------------------------------------------------------------------------------------------
# approver-not-authorized: a client with an approver list and clients without one

# (client, approved by, fires). Acme lists its approvers; Beta is not configured (the calendar
# has no list: anyone may approve); Gamma's own list is empty, which also means anyone.
APPROVERS = [
    ("Acme", "Zeynep Kaya", False),
    ("Acme", "Murat Öz", False),
    ("Acme", "  zeynep KAYA ", False),     # the same name, differently typed
    ("Acme", "Zeynep", True),              # not the same person as far as the list says
    ("Acme", "Mehmet", True),
    ("Acme", "", False),                   # nobody named: nothing to check
    ("Beta", "Mehmet", False),
    ("Beta", "", False),
    ("Gamma", "Mehmet", False),
]


@pytest.mark.parametrize(("client", "approver", "fires"), APPROVERS)
def test_approver_not_authorized_per_client(client: str, approver: str, fires: bool) -> None:
    clients = {"Acme": {"rules": {"approvals": {"approvers": ["Zeynep Kaya", "Murat Öz"]}}},
               "Gamma": {"rules": {"approvals": {"approvers": []}}}}
    rows = [[*row("P1", client=client, status="Approved"), approver, "2026-03-09"]]
    found = run(rows, local(ISTANBUL, "2026-03-10 09:00"), "approver-not-authorized",
                header=APPROVAL_HEADER, clients=clients)
    expected = {(2, "approved_by", "approver-not-authorized", E)} if fires else set()
    assert graded(found) == expected
    if fires:
        assert found[0].message == (
            f"Approved by “{approver}”, who is not on this client's approver list "
            "(Zeynep Kaya, Murat Öz). Get the approval from one of them.")


def test_calendar_level_approvers_apply_to_clients_without_their_own() -> None:
    rows = [[*row("A1", status="Approved"), "Mehmet", ""],
            [*row("B1", client="Beta", status="Approved"), "Mehmet", ""],
            [*row("G1", client="Gamma", status="Approved"), "Mehmet", ""]]
    found = run(rows, local(ISTANBUL, "2026-03-10 09:00"), "approver-not-authorized",
                header=APPROVAL_HEADER, rules={"approvals": {"approvers": ["Zeynep Kaya"]}},
                clients={"Gamma": {"rules": {"approvals": {"approvers": []}}},
                         "Beta": {"rules": {"approvals": {"approvers": ["Mehmet"]}}}})
    assert keys(found) == {(2, "approved_by", "approver-not-authorized")}
