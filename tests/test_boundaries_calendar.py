"""Boundaries of the calendar-level rules, table by table: one unit before, exactly at and one
after every parameter, as the configuration documents it (config/example.toml, the docstrings
of sheets_sync/rules/calendar.py), and in a second time zone where the client's today matters.

Calendar-level findings have no row, so each one is compared as (row, column, code, client,
message): the message names the week, month or days the finding is about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import HEADER, at, audit, only, row

from sheets_sync.model import Finding

NEW_YORK = {"Nyc": {"timezone": "America/New_York", "country": "US"}}
Key = tuple[Any, ...]


def run(rows: list[list[Any]], now: dt.datetime, code: str, rules: dict[str, Any],
        header: list[str] | None = None, **calendar: Any) -> list[Finding]:
    """Audit ``rows`` with every code but ``code`` switched off."""
    return audit(rows, now, header=header, rules={**rules, "levels": only(code)}, **calendar)


def table(findings: list[Finding]) -> list[Key]:
    return sorted((f.row, f.column, f.code, f.client, f.message) for f in findings)


def posts(client: str, days: list[str], status: str = "Draft", **fields: Any
          ) -> list[list[Any]]:
    """One Instagram post at 10:00 on each of ``days`` for ``client``."""
    return [row(f"{client[0]}{i}", client=client, date=f"{day} 10:00", status=status, **fields)
            for i, day in enumerate(days)]


# --------------------------------------------------------------------------------------------
# cadence-below-contract: "fewer posts per week than contracted", ISO weeks (Monday..Sunday)
# that overlap the horizon, which runs from the client's local today for horizon_days days.

def cadence(client: str, count: int, week: str, target: int) -> Key:
    return (None, "channel", "cadence-below-contract", client,
            f"{client}: {count} Instagram {'post' if count == 1 else 'posts'} planned in week "
            f"{week}; the contract says "
            f"{target}. Plan {target - count} more.")


# Week 11 is Monday 2026-03-09 .. Sunday 2026-03-15, week 12 starts 2026-03-16, week 13
# 2026-03-23. Posts of a week lie on its Monday and Tuesday (before a Sunday today).
W11 = ["2026-03-09", "2026-03-10"]
W12 = ["2026-03-16", "2026-03-17"]
W13 = ["2026-03-23", "2026-03-24"]
SUNDAY, MONDAY = at("2026-03-15 09:00"), at("2026-03-16 09:00")


@pytest.mark.parametrize(("now", "horizon", "days", "expected"), [
    # Today a Sunday, horizon 7 (Sunday 15 .. Saturday 21): weeks 11 and 12 count, and week
    # 11's posts from earlier in the week count for it.
    (SUNDAY, 7, W11 + W12, []),
    (SUNDAY, 7, W11[:1] + W12, [cadence("Acme", 1, "11 (2026-03-09)", 2)]),
    (SUNDAY, 7, W11 + W12[:1], [cadence("Acme", 1, "12 (2026-03-16)", 2)]),
    # Horizon 1: only Sunday itself, so only week 11 counts; horizon 2 reaches Monday 16.
    (SUNDAY, 1, W11, []),
    (SUNDAY, 2, W11, [cadence("Acme", 0, "12 (2026-03-16)", 2)]),
    # Week 13 lies beyond a 7-day horizon from Sunday 15 (it starts on day 8).
    (SUNDAY, 7, W11 + W12 + W13[:1], []),
    (SUNDAY, 8, W11 + W12 + W13[:1], []),
    (SUNDAY, 9, W11 + W12 + W13[:1], [cadence("Acme", 1, "13 (2026-03-23)", 2)]),
    # Today a Monday: last week is over and not counted; horizon 7 is exactly week 12.
    (MONDAY, 7, W12, []),
    (MONDAY, 7, W11 + W12[:1], [cadence("Acme", 1, "12 (2026-03-16)", 2)]),
    (MONDAY, 7, W12 + W13[:1], []),
    (MONDAY, 8, W12 + W13[:1], [cadence("Acme", 1, "13 (2026-03-23)", 2)]),
    (MONDAY, 8, W12 + W13, []),
])
def test_cadence_weeks_counted_on_a_sunday_and_a_monday(
        now: dt.datetime, horizon: int, days: list[str], expected: list[Key]) -> None:
    rules = {"cadence": {"posts_per_week": {"instagram": 2}, "horizon_days": horizon}}
    assert table(run(posts("Acme", days), now, "cadence-below-contract", rules)) == expected


@pytest.mark.parametrize(("contract", "expected"), [
    (1, []),                                          # one above
    (2, []),                                          # exactly the contract
    (3, [cadence("Acme", 2, "12 (2026-03-16)", 3)]),  # one below
])
def test_cadence_posts_per_week_at_the_contract_and_one_below(
        contract: int, expected: list[Key]) -> None:
    rules = {"cadence": {"posts_per_week": {"instagram": contract}, "horizon_days": 7}}
    assert table(run(posts("Acme", W12), MONDAY, "cadence-below-contract", rules)) == expected


@pytest.mark.parametrize("contract", [
    {"linkedin": 0},
    {"instagram": 2, "linkedin": 0},
])
def test_cadence_a_channel_contracted_at_zero_is_never_reported(contract: dict[str, int]
                                                                ) -> None:
    rules = {"cadence": {"posts_per_week": contract, "horizon_days": 28}}
    rows = posts("Acme", W12 + W13 + ["2026-03-30", "2026-03-31", "2026-04-06", "2026-04-07"])
    assert run(rows, MONDAY, "cadence-below-contract", rules) == []
    rows.append(row("L1", channel="LinkedIn", date="2026-03-17 10:00"))  # 1 > 0 is no problem
    assert run(rows, MONDAY, "cadence-below-contract", rules) == []


def test_cadence_weeks_follow_the_clients_own_today_in_new_york() -> None:
    # 05:00 Monday in Istanbul is 22:00 Sunday in New York (EDT, UTC-4): for the New York
    # client week 11 is still this week and counts; for the Istanbul client it is over.
    now = at("2026-03-16 05:00")
    rules = {"cadence": {"posts_per_week": {"instagram": 2}, "horizon_days": 7}}
    rows = posts("Acme", W11[:1] + W12) + posts("Nyc", W11[:1] + W12)
    assert table(run(rows, now, "cadence-below-contract", rules, clients=NEW_YORK)) == [
        cadence("Nyc", 1, "11 (2026-03-09)", 2)]
    # One hour later it is Monday in New York too: nothing is left to report.
    assert run(rows, at("2026-03-16 07:00"), "cadence-below-contract", rules,
               clients=NEW_YORK) == []


# --------------------------------------------------------------------------------------------
# too-many-per-day: at most max_per_day posts per channel and day; the posts beyond the limit
# (the latest ones) are reported on their publish date.

DAY = ["2026-03-12 09:00", "2026-03-12 10:00", "2026-03-12 11:00", "2026-03-12 12:00"]


@pytest.mark.parametrize(("limit", "count", "expected"), [
    (3, 2, set()),
    (3, 3, set()),                                          # exactly max_per_day
    (3, 4, {(5, "publish_at", "too-many-per-day")}),        # one over: the 12:00 post
    (2, 3, {(4, "publish_at", "too-many-per-day")}),
    (4, 4, set()),
    (1, 2, {(3, "publish_at", "too-many-per-day")}),
])
def test_too_many_per_day_exactly_at_and_one_over(limit: int, count: int,
                                                  expected: set[Key]) -> None:
    rows = [row(f"P{i}", date=when) for i, when in enumerate(DAY[:count])]
    found = run(rows, at("2026-03-10 09:00"), "too-many-per-day",
                {"cadence": {"max_per_day": limit}})
    assert {f.key() for f in found} == expected


@pytest.mark.parametrize("clients", [{}, NEW_YORK])
def test_too_many_per_day_days_are_the_clients_wall_clock_days(clients: dict[str, Any]
                                                               ) -> None:
    # 23:59 and 00:00 are two days, whatever the client's time zone.
    client = "Nyc" if clients else "Acme"
    rows = [row("P1", client=client, date="2026-03-12 23:59"),
            row("P2", client=client, date="2026-03-13 00:00")]
    rules = {"cadence": {"max_per_day": 1}}
    assert run(rows, at("2026-03-10 09:00"), "too-many-per-day", rules, clients=clients) == []
    rows.append(row("P3", client=client, date="2026-03-13 23:59"))
    found = run(rows, at("2026-03-10 09:00"), "too-many-per-day", rules, clients=clients)
    assert {f.key() for f in found} == {(4, "publish_at", "too-many-per-day")}


# --------------------------------------------------------------------------------------------
# calendar-gap: "more days than gap_days without a post on a channel" within the horizon
# (today .. today + horizon_days - 1).

def gap(client: str, first: str, last: str, days: int) -> Key:
    return (None, "channel", "calendar-gap", client,
            f"{client}: no Instagram post from {first} to {last} ({days} days). Plan a post in "
            "that gap.")


TUESDAY = at("2026-03-10 09:00")  # horizon_days 28: Tuesday 10 March .. Monday 6 April
WEEKLY = ["2026-03-10", "2026-03-17", "2026-03-24"]  # days 0, 7 and 14: six empty days between


@pytest.mark.parametrize(("gap_days", "horizon", "last", "expected"), [
    # The last post near the horizon's end, gap_days 7.
    (7, 28, "2026-03-31", []),                                          # 6 empty days after
    (7, 28, "2026-03-30", []),                                          # exactly 7
    (7, 28, "2026-03-29", [gap("Acme", "2026-03-30", "2026-04-06", 8)]),  # one over
    # The same last post, gap_days one below and one above.
    (6, 28, "2026-03-30", [gap("Acme", "2026-03-31", "2026-04-06", 7)]),
    (8, 28, "2026-03-29", []),
    # The same last post, the horizon one day shorter and longer.
    (7, 27, "2026-03-29", []),
    (7, 29, "2026-03-30", [gap("Acme", "2026-03-31", "2026-04-07", 8)]),
])
def test_calendar_gap_exactly_gap_days_and_one_over_near_the_horizons_end(
        gap_days: int, horizon: int, last: str, expected: list[Key]) -> None:
    rules = {"cadence": {"gap_days": gap_days, "horizon_days": horizon}}
    rows = posts("Acme", [*WEEKLY, last])
    assert table(run(rows, TUESDAY, "calendar-gap", rules)) == expected


@pytest.mark.parametrize(("extra", "expected"), [
    ("2026-04-06", []),                                           # the horizon's last day
    ("2026-04-07", [gap("Acme", "2026-03-30", "2026-04-06", 8)]),  # the day after it
])
def test_calendar_gap_a_post_on_the_horizons_last_day_counts(extra: str,
                                                              expected: list[Key]) -> None:
    rules = {"cadence": {"gap_days": 7, "horizon_days": 28}}
    rows = posts("Acme", [*WEEKLY, "2026-03-29", extra])
    assert table(run(rows, TUESDAY, "calendar-gap", rules)) == expected


def test_calendar_gap_a_channel_contracted_at_zero_and_unused_is_not_checked() -> None:
    rules = {"cadence": {"posts_per_week": {"linkedin": 0}, "horizon_days": 28}}
    rows = posts("Acme", [*WEEKLY, "2026-03-31"])
    assert run(rows, TUESDAY, "calendar-gap", rules) == []
    rules = {"cadence": {"posts_per_week": {"linkedin": 1}, "horizon_days": 28}}
    found = run(rows, TUESDAY, "calendar-gap", rules)
    assert [f.message for f in found] == [
        "Acme: no LinkedIn post from 2026-03-10 to 2026-04-06 (28 days). Plan a post in that gap."]


@pytest.mark.parametrize(("day", "expected"), [
    # Horizon 7 from Tuesday 10 in Istanbul (10 .. 16); from Monday 9 in New York (9 .. 15),
    # where 05:00 in Istanbul is still 22:00 the day before.
    ("2026-03-12", [gap("Acme", "2026-03-13", "2026-03-16", 4)]),
    ("2026-03-13", [gap("Nyc", "2026-03-09", "2026-03-12", 4)]),
])
def test_calendar_gap_horizon_starts_at_the_clients_own_today_in_new_york(
        day: str, expected: list[Key]) -> None:
    rules = {"cadence": {"gap_days": 3, "horizon_days": 7}}
    rows = posts("Acme", [day]) + posts("Nyc", [day])
    found = run(rows, at("2026-03-10 05:00"), "calendar-gap", rules, clients=NEW_YORK)
    assert table(found) == expected


# --------------------------------------------------------------------------------------------
# pillar-mix-off-target: a pillar's share of a client's posts in a month more than
# tolerance_pct percentage points away from its target; months with fewer than min_posts
# posts are not judged.

PILLAR_HEADER = [*HEADER, "Pillar"]


def mix(value: int, promo: int, month: str = "2026-04", client: str = "Acme"
        ) -> list[list[Any]]:
    pillars = ["Value"] * value + ["promo"] * promo
    return [[*row(f"{client[0]}{i}", client=client, date=f"{month}-{i + 1:02d}"), p]
            for i, p in enumerate(pillars)]


def pillar(client: str, month: str, name: str, actual: int, target: int) -> Key:
    return (None, "pillar", "pillar-mix-off-target", client,
            f"{client}, {month}: “{name}” is {actual}% of the posts; the target is {target}%. "
            "Rebalance the plan.")


def pillar_rules(**pillars: Any) -> dict[str, Any]:
    return {"pillars": {"targets": {"Value": 70, "Promo": 30}, "tolerance_pct": 10, **pillars}}


EVEN_8 = [pillar("Acme", "2026-04", "Promo", 50, 30), pillar("Acme", "2026-04", "Value", 50, 70)]


@pytest.mark.parametrize(("value", "promo", "expected"), [
    (4, 3, []),                                                    # 7 posts: not judged
    (4, 4, EVEN_8),                                                # exactly min_posts (8)
    (5, 4, [pillar("Acme", "2026-04", "Promo", 44, 30),            # 9 posts
            pillar("Acme", "2026-04", "Value", 56, 70)]),
])
def test_pillar_mix_a_month_with_exactly_min_posts_is_judged(
        value: int, promo: int, expected: list[Key]) -> None:
    found = run(mix(value, promo), TUESDAY, "pillar-mix-off-target", pillar_rules(),
                header=PILLAR_HEADER)
    assert table(found) == expected


@pytest.mark.parametrize(("min_posts", "judged"), [(9, True), (10, True), (11, False)])
def test_pillar_mix_min_posts_parameter(min_posts: int, judged: bool) -> None:
    found = run(mix(5, 5), TUESDAY, "pillar-mix-off-target", pillar_rules(min_posts=min_posts),
                header=PILLAR_HEADER)
    assert table(found) == ([pillar("Acme", "2026-04", "Promo", 50, 30),
                             pillar("Acme", "2026-04", "Value", 50, 70)] if judged else [])


@pytest.mark.parametrize(("value", "promo", "tolerance", "expected"), [
    # Value 60% / Promo 40%: both exactly 10 points away from 70 / 30.
    (6, 4, 9, [pillar("Acme", "2026-04", "Promo", 40, 30),
               pillar("Acme", "2026-04", "Value", 60, 70)]),
    (6, 4, 10, []),
    (6, 4, 11, []),
    # Value 80% / Promo 20%: exactly 10 points the other way.
    (8, 2, 10, []),
    (8, 2, 9, [pillar("Acme", "2026-04", "Promo", 20, 30),
               pillar("Acme", "2026-04", "Value", 80, 70)]),
    # One post further either way: 20 points away (with 10 posts a post is 10 points).
    (5, 5, 10, [pillar("Acme", "2026-04", "Promo", 50, 30),
                pillar("Acme", "2026-04", "Value", 50, 70)]),
    (9, 1, 10, [pillar("Acme", "2026-04", "Promo", 10, 30),
                pillar("Acme", "2026-04", "Value", 90, 70)]),
    (7, 3, 0, []),  # exactly on target with no tolerance at all
])
def test_pillar_share_exactly_at_target_plus_or_minus_tolerance(
        value: int, promo: int, tolerance: int, expected: list[Key]) -> None:
    found = run(mix(value, promo), TUESDAY, "pillar-mix-off-target",
                pillar_rules(tolerance_pct=tolerance), header=PILLAR_HEADER)
    assert table(found) == expected


def test_pillar_mix_current_month_follows_the_clients_own_today_in_new_york() -> None:
    # 05:00 on 1 April in Istanbul is 22:00 on 31 March in New York. March is still the New
    # York client's current month and is judged; for the Istanbul client it is a past month,
    # which the rule does not report (rules/calendar.py: months before a client's current
    # month are neither counted nor reported).
    rows = mix(5, 5, "2026-03") + mix(5, 5, "2026-03", client="Nyc")
    found = run(rows, at("2026-04-01 05:00"), "pillar-mix-off-target", pillar_rules(),
                header=PILLAR_HEADER, clients=NEW_YORK)
    assert table(found) == [pillar("Nyc", "2026-03", "Promo", 50, 30),
                            pillar("Nyc", "2026-03", "Value", 50, 70)]


# --------------------------------------------------------------------------------------------
# next-month-not-ready: from day next_month_from_day of the month, next month must hold
# next_month_ready_pct % of its contracted posts in draft or later. February 2026 has 28 days:
# 5 posts a week contract round(5 * 28 / 7) = 20 posts.

def february(ready: int, client: str = "Acme") -> list[list[Any]]:
    statuses = ["Draft"] * ready + ["Idea"] * (20 - ready)
    return [row(f"{client[0]}{i}", client=client, date=f"2026-02-{i + 1:02d}", status=s)
            for i, s in enumerate(statuses)]


def not_ready(client: str, ready: int, pct: int) -> Key:
    return (None, "status", "next-month-not-ready", client,
            f"{client}, 2026-02: only {ready} of the 20 contracted posts are in draft or later "
            f"({pct}%). Start preparing next month.")


def ready_rules(**cadence: Any) -> dict[str, Any]:
    return {"cadence": {"posts_per_week": {"instagram": 3, "linkedin": 2}, **cadence}}


JAN_20 = at("2026-01-20 09:00")


@pytest.mark.parametrize(("ready", "expected"), [
    (15, [not_ready("Acme", 15, 75)]),  # one post below 80%
    (16, []),                           # exactly 80%
    (17, []),
])
def test_next_month_exactly_at_the_ready_share(ready: int, expected: list[Key]) -> None:
    found = run(february(ready), JAN_20, "next-month-not-ready", ready_rules())
    assert table(found) == expected


@pytest.mark.parametrize(("pct", "expected"), [
    (79, []),
    (80, []),
    (81, [not_ready("Acme", 16, 80)]),
])
def test_next_month_ready_pct_parameter(pct: int, expected: list[Key]) -> None:
    found = run(february(16), JAN_20, "next-month-not-ready",
                ready_rules(next_month_ready_pct=pct))
    assert table(found) == expected


@pytest.mark.parametrize(("now", "from_day", "checked"), [
    (at("2026-01-19 23:59"), 20, False),   # the day before next_month_from_day
    (at("2026-01-20 00:00"), 20, True),    # exactly that day, from its first minute
    (at("2026-01-21 09:00"), 20, True),
    (JAN_20, 19, True),
    (JAN_20, 21, False),
])
def test_next_month_from_day_and_the_day_before(now: dt.datetime, from_day: int,
                                                checked: bool) -> None:
    found = run(february(15), now, "next-month-not-ready",
                ready_rules(next_month_from_day=from_day))
    assert table(found) == ([not_ready("Acme", 15, 75)] if checked else [])


@pytest.mark.parametrize(("now", "expected"), [
    # 07:59 in Istanbul is 23:59 on the 19th in New York (EST, UTC-5); 08:00 is midnight.
    (at("2026-01-20 07:59"), [not_ready("Acme", 15, 75)]),
    (at("2026-01-20 08:00"), [not_ready("Acme", 15, 75), not_ready("Nyc", 15, 75)]),
])
def test_next_month_from_day_in_new_york(now: dt.datetime, expected: list[Key]) -> None:
    rows = february(15) + february(15, client="Nyc")
    found = run(rows, now, "next-month-not-ready", ready_rules(), clients=NEW_YORK)
    assert table(found) == expected
