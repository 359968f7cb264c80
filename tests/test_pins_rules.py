"""Pins for the approval and feedback rules and the helpers every rule shares.

``sheets_sync/rules/approvals.py``: approval-missing for a post awaiting approval that has a
publish date: critical within ``urgent_hours`` real hours of it in the client's own time zone,
an error within ``lead_days`` business days. ``sheets_sync/rules/feedback.py``: only a post in
client review waits for feedback; feedback-overdue escalates ``escalate_after_days`` business
days after the deadline; a start on a weekend or holiday counts from the start of the next
business day, so its deadline is the end of a day. Business days skip the public holidays of
the client's country in every year a count reaches. ``sheets_sync/rules/base.py`` documents the
helpers rules use: ``per_distinct``, ``Texts.per_text``, ``Clients.per_client`` and
``BusinessDays.between`` / ``is_business_day``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import HEADER, audit, calendar_config, only, row

from sheets_sync.history import Observed
from sheets_sync.model import Finding, Severity
from sheets_sync.parse import parse
from sheets_sync.rules.base import Context, per_distinct
from sheets_sync.validate import validate

ISTANBUL = "Europe/Istanbul"
NEW_YORK = "America/New_York"
IN_NEW_YORK = {"timezone": NEW_YORK, "country": "US"}
INFO, W, E, C = Severity.INFO, Severity.WARNING, Severity.ERROR, Severity.CRITICAL
FEEDBACK_HEADER = [*HEADER, "Sent for review", "Feedback due"]


def local(zone: str, text: str) -> dt.datetime:
    """Return the wall-clock time ``text`` in ``zone`` as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))


def graded(findings: list[Finding]) -> set[tuple[int | None, str, str, Severity]]:
    """(row, column, code, severity) of every finding."""
    return {(*f.key(), f.severity) for f in findings}


def approvals(rows: list[list[Any]], now: dt.datetime, rules: dict[str, Any] | None = None,
              clients: dict[str, Any] | None = None) -> list[Finding]:
    """Audit ``rows`` with only approval-missing switched on."""
    return audit(rows, now, rules={"approvals": rules or {}, "levels": only("approval-missing")},
                 clients=clients or {})


def review(post_id: str, sent: str, due: str = "", *, status: str = "Client review",
           publish: str = "2026-06-30 10:00") -> list[Any]:
    return [*row(post_id, status=status, date=publish), sent, due]


def feedback(rows: list[list[Any]], now: dt.datetime, rules: dict[str, Any],
             clients: dict[str, Any] | None = None) -> list[Finding]:
    """Audit ``rows`` with only the feedback codes switched on."""
    levels = only("feedback-overdue", "deemed-approved")
    return audit(rows, now, header=FEEDBACK_HEADER, rules={"feedback": rules, "levels": levels},
                 clients=clients or {})


# --------------------------------------------------------------------------------------------
# approval-missing: a post needs a publish date to miss its approval


@pytest.mark.parametrize("status", ["Draft", "Client review", "Changes requested"])
def test_a_post_without_a_publish_date_is_not_missing_an_approval(status: str) -> None:
    # Row 2 has no publish date (missing-required says so); row 3 publishes in two days.
    rows = [row("P1", date="", status=status), row("P2", date="2026-03-12 10:00", status=status)]
    found = approvals(rows, local(ISTANBUL, "2026-03-10 09:00"))
    assert graded(found) == {(3, "status", "approval-missing", E)}
    assert found[0].message.startswith("Publishes 2026-03-12 10:00 and is not approved yet")


# (where Acme is, where Beta is, hours left for Acme's post, for Beta's). Both posts publish at
# 15:00 on Tuesday 10 March 2026, wall-clock time in their own client's zone; now is 09:00 in
# Istanbul = 02:00 in New York (summer time there since 8 March).
ZONED = [
    pytest.param({}, {"Beta": IN_NEW_YORK}, 6, 13, id="acme-istanbul-beta-new-york"),
    pytest.param({"Acme": IN_NEW_YORK}, {}, 13, 6, id="acme-new-york-beta-istanbul"),
]


@pytest.mark.parametrize(("acme", "beta", "acme_hours", "beta_hours"), ZONED)
def test_urgent_hours_count_from_each_clients_own_clock(
        acme: dict[str, Any], beta: dict[str, Any], acme_hours: int, beta_hours: int) -> None:
    rows = [row("A1", date="2026-03-10 15:00"), row("B1", client="Beta", date="2026-03-10 15:00")]
    found = approvals(rows, local(ISTANBUL, "2026-03-10 09:00"), clients={**acme, **beta})
    assert graded(found) == {(2, "status", "approval-missing", C),
                             (3, "status", "approval-missing", C)}
    by_row = {f.row: f.message for f in found}
    assert f"— {acme_hours} hour{'' if acme_hours == 1 else 's'} from now —" in by_row[2]
    assert f"— {beta_hours} hour{'' if beta_hours == 1 else 's'} from now —" in by_row[3]


# --------------------------------------------------------------------------------------------
# approval-missing: business days left, across year ends

# (zone, now, publish, lead_days, fires). urgent_hours is 0, so only lead_days decides.
YEAR_ENDS = [
    # Friday 1 January 2027 is New Year's Day in both countries: from Wednesday 30 December a
    # Monday post has Wednesday and Thursday left.
    (ISTANBUL, "2026-12-30 09:00", "2027-01-04 10:00", 2, True),
    (ISTANBUL, "2026-12-30 09:00", "2027-01-04 10:00", 1, False),
    (NEW_YORK, "2026-12-30 09:00", "2027-01-04 10:00", 2, True),
    (NEW_YORK, "2026-12-30 09:00", "2027-01-04 10:00", 1, False),
    # Two years ahead, every US holiday still counts: from Monday 28 December 2026 to Tuesday
    # 18 January 2028 are 276 weekdays, 13 of them holidays (2027: New Year's Day, MLK Day,
    # Washington's Birthday, Memorial Day, Juneteenth (18 June), Independence Day (5 July),
    # Labor Day, Columbus Day, Veterans Day, Thanksgiving, Christmas (24 December), New Year's
    # Day 2028 (31 December); 2028: MLK Day, 17 January): 263 business days left.
    (NEW_YORK, "2026-12-28 09:00", "2028-01-18 10:00", 263, True),
    (NEW_YORK, "2026-12-28 09:00", "2028-01-18 10:00", 262, False),
]


@pytest.mark.parametrize(("zone", "now", "publish", "lead_days", "fires"), [
    pytest.param(*case, id=f"{case[0]}-{case[1][:10]}-{case[2][:10]}-lead{case[3]}")
    for case in YEAR_ENDS])
def test_lead_days_skip_holidays_in_the_years_after_now(zone: str, now: str, publish: str,
                                                        lead_days: int, fires: bool) -> None:
    clients = {"Acme": IN_NEW_YORK} if zone == NEW_YORK else {}
    # Row 2 went out a month ago; row 3 awaits approval.
    rows = [row("P0", date="2026-11-30 10:00", status="Published"), row("P1", date=publish)]
    found = approvals(rows, local(zone, now), {"lead_days": lead_days, "urgent_hours": 0},
                      clients)
    assert graded(found) == ({(3, "status", "approval-missing", E)} if fires else set())


@pytest.mark.parametrize(("lead_days", "fires"), [(1, True), (0, False)])
def test_lead_days_count_from_the_clients_own_new_years_eve(lead_days: int, fires: bool) -> None:
    # 03:00 on 1 January 2022 in Istanbul is 19:00 on Friday 31 December 2021 in New York, a
    # US holiday there (New Year's Day falls on a Saturday). A Tuesday post has only Monday
    # 3 January left.
    found = approvals([row("P1", date="2022-01-04 10:00")], local(ISTANBUL, "2022-01-01 03:00"),
                      {"lead_days": lead_days, "urgent_hours": 0}, {"Acme": IN_NEW_YORK})
    assert graded(found) == ({(2, "status", "approval-missing", E)} if fires else set())


# --------------------------------------------------------------------------------------------
# feedback: only posts in client review wait for feedback

OTHER_STATES = ["Idea", "Draft", "Internal review", "Changes requested", "Approved",
                "Scheduled", "Published", "Cancelled"]


@pytest.mark.parametrize("status", OTHER_STATES)
def test_feedback_rules_only_concern_posts_in_client_review(status: str) -> None:
    # Both rows were sent on Monday 2 March and were due on Thursday 5 March; on Friday 20 March
    # the 5 business days of deemed approval have long passed. Only row 2 is in client review.
    rows = [review("R1", "2026-03-02 10:00", "2026-03-05"),
            review("O1", "2026-03-02 10:00", "2026-03-05", status=status)]
    found = feedback(rows, local(ISTANBUL, "2026-03-20 10:00"),
                     {"sla_days": 2, "deemed_approved_after_days": 5})
    assert graded(found) == {(2, "status", "deemed-approved", INFO)}
    found = feedback(rows, local(ISTANBUL, "2026-03-20 10:00"), {"sla_days": 2})
    assert graded(found) == {(2, "feedback_due", "feedback-overdue", E)}


def test_escalation_concerns_overdue_feedback_only() -> None:
    # escalate_after_days = 0: overdue feedback is an error at once. Row 3 is due later today,
    # row 4 is not in review and has no dates: neither is late.
    rows = [review("R1", "2026-03-02 10:00"), review("R2", "", "2026-03-20 15:00"),
            review("D1", "", status="Draft")]
    found = feedback(rows, local(ISTANBUL, "2026-03-20 10:00"),
                     {"sla_days": 2, "escalate_after_days": 0})
    assert graded(found) == {(2, "feedback_due", "feedback-overdue", E)}
    assert found[0].message == (
        "Waiting for the client's feedback since 2026-03-02 10:00; it was due 2026-03-04 10:00, "
        "12 business days ago. Escalate to the account manager.")


# (sent for review, now, due as the message shows it), sla_days = 2, Istanbul.
ROLLED = [
    # Saturday 14 March: counted from Monday 00:00, due at the end of Tuesday 17 March.
    ("2026-03-14 10:00", "2026-03-18 00:01", "2026-03-17"),
    ("2026-03-14", "2026-03-18 00:01", "2026-03-17"),
    # Friday 20 March is Ramazan Bayramı: due at the end of Tuesday 24 March.
    ("2026-03-20 10:00", "2026-03-25 00:01", "2026-03-24"),
    # A date-only Tuesday counts from the end of that day: due at the end of Thursday.
    ("2026-03-10", "2026-03-13 00:01", "2026-03-12"),
    # A timed weekday keeps its time of day.
    ("2026-03-10 10:00", "2026-03-12 10:01", "2026-03-12 10:00"),
]


@pytest.mark.parametrize(("sent", "now", "due"), ROLLED)
def test_a_deadline_at_the_end_of_a_day_shows_as_that_day(sent: str, now: str, due: str) -> None:
    found = feedback([review("R1", sent)], local(ISTANBUL, now), {"sla_days": 2})
    assert graded(found) == {(2, "feedback_due", "feedback-overdue", W)}
    assert f"; it was due {due}. Remind the client." in found[0].message


# --------------------------------------------------------------------------------------------
# feedback: holidays count in the year the review started, whatever the publish date

@pytest.mark.parametrize("publish", ["2024-12-30 10:00", "2025-01-15 10:00", ""],
                         ids=["published-2024", "published-2025", "no-publish-date"])
def test_sla_days_skip_holidays_of_the_year_the_review_started(publish: str) -> None:
    # Sent on Monday 23 December 2024, two business days: Tuesday 24 and, past Christmas Day,
    # Thursday 26 December 10:00 — on 6 January 2026 the post is still waiting.
    found = feedback([review("R1", "2024-12-23 10:00", publish=publish)],
                     local(NEW_YORK, "2026-01-06 10:00"),
                     {"sla_days": 2, "escalate_after_days": 1000}, {"Acme": IN_NEW_YORK})
    assert graded(found) == {(2, "feedback_due", "feedback-overdue", W)}
    assert "it was due 2024-12-26 10:00." in found[0].message


def test_sla_days_from_an_observed_review_start_skip_that_years_holidays() -> None:
    # The sheet has no "Sent for review"; earlier cycles saw the post enter review on Monday
    # 23 December 2024 at 10:00, New York time.
    config = calendar_config(rules={"feedback": {"sla_days": 2, "escalate_after_days": 1000},
                                    "levels": only("feedback-overdue")},
                             clients={"Acme": IN_NEW_YORK})
    calendar = parse([FEEDBACK_HEADER, review("R1", "", publish="2025-01-15 10:00")], config)
    observed = Observed(rounds=np.zeros(1),
                        review_started=np.array(["2024-12-23T10:00"], dtype="datetime64[ns]"),
                        changed_after_approval=np.zeros(1, dtype=bool),
                        approved_seen_at=np.array(["NaT"], dtype="datetime64[ns]"))
    found = validate(calendar, config, local(NEW_YORK, "2026-01-06 10:00"), observed)
    found = found[found["code"] == "feedback-overdue"]
    assert found["row"].tolist() == [2]
    assert "it was due 2024-12-26 10:00." in found["message"].iloc[0]


# (now in New York, overdue). 20:00 on Thursday 31 December 2026 in New York is already 04:00
# on Friday 1 January 2027, New Year's Day, in Istanbul: a post sent at 03:00 on 31 December
# with one business day is due on Monday 4 January at 03:00.
NEW_YEAR = [
    pytest.param("2026-12-31 20:00", False, id="new-years-day-in-istanbul"),
    pytest.param("2027-01-03 20:00", True, id="monday-in-istanbul"),
]


@pytest.mark.parametrize(("now", "overdue"), NEW_YEAR)
def test_sla_days_skip_new_years_day_when_it_has_begun_only_in_the_clients_zone(
        now: str, overdue: bool) -> None:
    found = feedback([review("R1", "2026-12-31 03:00", publish="2026-12-31 10:00")],
                     local(NEW_YORK, now), {"sla_days": 1})
    assert graded(found) == ({(2, "feedback_due", "feedback-overdue", W)} if overdue else set())
    if overdue:
        assert "it was due 2027-01-04 03:00." in found[0].message


# --------------------------------------------------------------------------------------------
# The helpers rules share (sheets_sync/rules/base.py)

def context(rows: list[list[Any]], header: list[str] | None = None) -> Context:
    config = calendar_config()
    return Context(parse([header or HEADER, *rows], config), config,
                   local(ISTANBUL, "2026-03-10 09:00"))


# 2,100 distinct texts (more than are sampled to tell repeats from distinct texts) and a few
# repeated ones; each ends in an empty cell. "  caption 0001  " is 16 characters, 12 stripped.
DISTINCT = [f"  caption {i:04d}  " for i in range(2100)] + [None]
REPEATED = ["  caption 0001  ", "  caption 0002  ", "  caption 0001  ", None]


@pytest.mark.parametrize("cells", [DISTINCT, REPEATED], ids=["distinct", "repeated"])
@pytest.mark.parametrize(("key", "length"), [(None, 16), (str.strip, 12)],
                         ids=["no-key", "stripped"])
def test_per_distinct_applies_func_to_key_of_every_cell(cells: list[Any], key: Any,
                                                        length: int) -> None:
    lengths = per_distinct(pd.Series(cells, dtype=object), len, int, key=key)
    assert lengths.tolist() == [length] * (len(cells) - 1) + [0]  # an empty cell reads as ""


def test_per_text_works_on_a_column_of_distinct_texts() -> None:
    rows = [row(f"P{i}", caption="x" * (i % 7) + f" {i:05d}") for i in range(2100)]
    ctx = context(rows)
    assert "caption" not in ctx.calendar.categories
    lengths = ctx.texts.per_text("caption", len, int)
    assert lengths[:8].tolist() == [6, 7, 8, 9, 10, 11, 12, 6]
    assert len(lengths) == 2100


def test_per_client_over_a_calendar_without_rows_is_empty() -> None:
    ctx = context([])
    assert ctx.clients.per_client(lambda s: s.rules.feedback.sla_days, "int64").tolist() == []


NAT = "NaT"
# (start, end, business days in [start, end)): Monday 9 March to Friday 13 March 2026.
BETWEEN = [
    ("2026-03-09", "2026-03-13", 4),
    ("2026-03-13", "2026-03-09", -4),
    (NAT, "2026-03-13", 0),
    ("2026-03-09", NAT, 0),
    (NAT, NAT, 0),
]


def test_business_days_between_are_zero_where_a_date_is_missing() -> None:
    ctx = context([row(f"P{i}") for i in range(len(BETWEEN))])
    start = np.array([s for s, _, _ in BETWEEN], dtype="datetime64[ns]")
    end = np.array([e for _, e, _ in BETWEEN], dtype="datetime64[ns]")
    assert ctx.days.between(start, end).tolist() == [n for _, _, n in BETWEEN]


def test_a_missing_date_is_not_a_business_day() -> None:
    ctx = context([row(f"P{i}") for i in range(3)])
    # Monday 9 March, Saturday 14 March, no date.
    dates = np.array(["2026-03-09", "2026-03-14", NAT], dtype="datetime64[ns]")
    assert ctx.days.is_business_day(dates).tolist() == [True, False, False]
