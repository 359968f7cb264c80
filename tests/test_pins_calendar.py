"""Calendar-level rules on the inputs that the boundary tables leave out: cancelled, undated
and channel-less posts, several channels and clients side by side, posts before or after the
planning horizon, and months of other years.

The expected values come from the documented meaning of each rule (the docstrings of
sheets_sync/rules/calendar.py, config/example.toml): cancelled posts never count; a gap is
looked for on every channel a client posts on, inside the horizon (today .. today +
horizon_days - 1); at most max_per_day posts per channel and day; a pillar's share of a
client's month; next month's posts in draft or later against the contracted count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import HEADER, at, audit, calendar_config, only, row

from sheets_sync.model import Finding
from sheets_sync.outputs.status import status_grid
from sheets_sync.parse import parse
from sheets_sync.validate import validate

Key = tuple[Any, ...]
TUESDAY = at("2026-03-10 09:00")  # horizon_days 28: Tuesday 10 March .. Monday 6 April


def run(rows: list[list[Any]], now: dt.datetime, code: str, rules: dict[str, Any],
        header: list[str] | None = None, **calendar: Any) -> list[Finding]:
    """Audit ``rows`` with every code but ``code`` switched off."""
    return audit(rows, now, header=header, rules={**rules, "levels": only(code)}, **calendar)


def table(findings: list[Finding]) -> list[Key]:
    return sorted((f.row, f.column, f.code, f.client, f.message) for f in findings)


def posts(client: str, days: list[str], channel: str = "Instagram", status: str = "Draft",
          prefix: str = "") -> list[list[Any]]:
    """One post at 10:00 on each of ``days`` for ``client`` on ``channel``."""
    tag = prefix or f"{client[0]}{channel[:1] or 'N'}"
    return [row(f"{tag}{i}", client=client, channel=channel, date=f"{day} 10:00",
                status=status) for i, day in enumerate(days)]


# --------------------------------------------------------------------------------------------
# too-many-per-day: posts are counted per client, channel and day; a post with no publish date
# or no channel is on no day or no channel.

def too_many(rows: list[list[Any]], limit: int = 1) -> set[tuple[int | None, str, str]]:
    found = run(rows, TUESDAY, "too-many-per-day", {"cadence": {"max_per_day": limit}})
    return {f.key() for f in found}


@pytest.mark.parametrize(("rows", "expected"), [
    pytest.param([row("P1", date=""), row("P2", date="")], set(),
                 id="two-undated-posts-on-one-channel"),
    pytest.param([row("P1", date=""), row("P2", date=""), row("P3", date="2026-03-12 09:00"),
                  row("P4", date="2026-03-12 10:00")],
                 {(5, "publish_at", "too-many-per-day")},
                 id="undated-posts-beside-a-day-one-over"),
    pytest.param([row("P1", channel=""), row("P2", channel=""), row("P3", channel="")], set(),
                 id="three-posts-without-a-channel"),
    pytest.param([row("P1", channel="", date="2026-03-12 09:00"),
                  row("P2", date="2026-03-12 10:00"), row("P3", date="2026-03-12 11:00")],
                 {(4, "publish_at", "too-many-per-day")},
                 id="a-channel-less-post-does-not-use-up-the-limit"),
])
def test_too_many_per_day_undated_and_channel_less_posts_are_not_counted(
        rows: list[list[Any]], expected: set[Key]) -> None:
    assert too_many(rows) == expected


@pytest.mark.parametrize("rows", [
    # One post per channel and day; the two channels on neighbouring days, either way round.
    pytest.param(posts("Acme", ["2026-03-13"]) + posts("Acme", ["2026-03-12"], "LinkedIn"),
                 id="instagram-the-day-after-linkedin"),
    pytest.param(posts("Acme", ["2026-03-12"]) + posts("Acme", ["2026-03-13"], "LinkedIn"),
                 id="linkedin-the-day-after-instagram"),
    # Both channels on the same day, and one more post the day after.
    pytest.param(posts("Acme", ["2026-03-12", "2026-03-13"])
                 + posts("Acme", ["2026-03-12"], "LinkedIn"),
                 id="two-channels-on-one-day-and-one-the-next"),
    # A year typed far in the past (1969) on both channels, beside this March.
    pytest.param(posts("Acme", ["1969-12-31", "2026-03-12", "2026-03-13"])
                 + posts("Acme", ["1969-12-31", "2026-03-12"], "LinkedIn"),
                 id="a-day-in-1969-beside-2026"),
])
def test_too_many_per_day_one_post_per_channel_and_day_is_within_a_limit_of_one(
        rows: list[list[Any]]) -> None:
    assert too_many(rows) == set()
    # One more Instagram post at 23:00 on the first post's day: that one is over.
    extra = row("PX", date=f"{rows[0][4][:10]} 23:00")
    assert too_many([*rows, extra]) == {(len(rows) + 2, "publish_at", "too-many-per-day")}


# --------------------------------------------------------------------------------------------
# calendar-gap: more than gap_days days without a post on a channel a client posts on (or is
# contracted for), within the horizon.

WEEKLY = ["2026-03-10", "2026-03-17", "2026-03-24", "2026-03-31"]  # days 0, 7, 14, 21
SHOWN = {"instagram": "Instagram", "linkedin": "LinkedIn", "tiktok": "TikTok"}  # as messages say


def gap(client: str, channel: str, first: str, last: str, days: int) -> Key:
    return (None, "channel", "calendar-gap", client,
            f"{client}: no {SHOWN[channel]} post from {first} to {last} ({days} days). Plan a "
            "post in that gap.")


def gaps(rows: list[list[Any]], gap_days: int = 7) -> list[Key]:
    rules = {"cadence": {"gap_days": gap_days, "horizon_days": 28}}
    return table(run(rows, TUESDAY, "calendar-gap", rules))


@pytest.mark.parametrize(("rows", "expected"), [
    pytest.param(posts("Acme", WEEKLY), [], id="weekly-no-gap"),
    # Without the post of 24 March: 13 empty days from 18 to 30 March.
    pytest.param(posts("Acme", ["2026-03-10", "2026-03-17", "2026-03-31"]),
                 [gap("Acme", "instagram", "2026-03-18", "2026-03-30", 13)], id="one-missing"),
    pytest.param(posts("Acme", ["2026-03-10", "2026-03-17", "2026-03-31"])
                 + posts("Acme", ["2026-03-24"], status="Cancelled", prefix="C"),
                 [gap("Acme", "instagram", "2026-03-18", "2026-03-30", 13)],
                 id="a-cancelled-post-does-not-fill-it"),
    pytest.param(posts("Acme", ["2026-03-10", "2026-03-17", "2026-03-31"])
                 + posts("Acme", ["2026-03-24"], status="Cancelled", prefix="C")
                 + posts("Acme", ["2026-03-24"], "", status="Cancelled", prefix="D"),
                 [gap("Acme", "instagram", "2026-03-18", "2026-03-30", 13)],
                 id="nor-a-cancelled-one-without-a-channel"),
    # A post without a channel is on no channel: no gap is looked for on "".
    pytest.param(posts("Acme", WEEKLY) + posts("Acme", ["2026-03-12"], ""), [],
                 id="a-post-without-a-channel"),
    # A channel whose only post has no publish date is not one the client plans on.
    pytest.param([*posts("Acme", WEEKLY), row("L1", channel="LinkedIn", date="")], [],
                 id="a-channel-with-only-an-undated-post"),
])
def test_calendar_gap_only_dated_live_posts_on_a_channel_count(
        rows: list[list[Any]], expected: list[Key]) -> None:
    assert gaps(rows) == expected


@pytest.mark.parametrize(("extra", "expected"), [
    # No post in the first 8 days (10 .. 17 March): one over gap_days 7.
    pytest.param([], [gap("Acme", "instagram", "2026-03-10", "2026-03-17", 8)], id="none"),
    # Posts before today do not shorten the gap at the horizon's start.
    pytest.param(["2026-03-08"], [gap("Acme", "instagram", "2026-03-10", "2026-03-17", 8)],
                 id="two-days-ago"),
    pytest.param(["2026-03-09"], [gap("Acme", "instagram", "2026-03-10", "2026-03-17", 8)],
                 id="yesterday"),
    pytest.param(["2026-03-10"], [], id="today"),
])
def test_calendar_gap_posts_before_today_are_outside_the_horizon(
        extra: list[str], expected: list[Key]) -> None:
    rows = posts("Acme", [*extra, "2026-03-18", "2026-03-25", "2026-04-01"])
    assert gaps(rows) == expected


@pytest.mark.parametrize(("channel", "client"), [
    ("LinkedIn", "Acme"), ("TikTok", "Acme"), ("Instagram", "Beta"), ("LinkedIn", "Beta"),
])
def test_calendar_gap_a_past_post_on_another_channel_or_client_changes_nothing(
        channel: str, client: str) -> None:
    # Two clients, three channels, each planned weekly through the horizon: no gap; posts
    # before today on any one of them, even years ago, leave every channel as it was.
    rows = [*posts("Acme", WEEKLY), *posts("Acme", WEEKLY, "LinkedIn"),
            *posts("Acme", WEEKLY, "TikTok"), *posts("Beta", WEEKLY),
            *posts("Beta", WEEKLY, "LinkedIn")]
    assert gaps(rows) == []
    past = posts(client, ["2026-03-08", "2026-03-09", "2025-12-01"], channel, prefix="X")
    assert gaps(rows + past) == []


@pytest.mark.parametrize(("extra", "expected"), [
    # The last post on 24 March (day 14): 13 empty days to the horizon's end (6 April).
    pytest.param([], [gap("Acme", "instagram", "2026-03-25", "2026-04-06", 13)], id="none"),
    # Posts after the horizon do not shorten the gap at its end.
    pytest.param(["2026-04-07"], [gap("Acme", "instagram", "2026-03-25", "2026-04-06", 13)],
                 id="the-day-after-the-horizon"),
    pytest.param(["2026-04-14"], [gap("Acme", "instagram", "2026-03-25", "2026-04-06", 13)],
                 id="a-week-after-the-horizon"),
    pytest.param(["2026-03-31"], [], id="inside-the-horizon"),
])
def test_calendar_gap_posts_after_the_horizon_do_not_count(
        extra: list[str], expected: list[Key]) -> None:
    rows = posts("Acme", ["2026-03-10", "2026-03-17", "2026-03-24", *extra])
    assert gaps(rows) == expected


SHORT = ["2026-03-10", "2026-03-17"]  # the last post on day 7: 20 empty days after it
SHORT_GAP = ("2026-03-18", "2026-04-06", 20)


@pytest.mark.parametrize(("rows", "expected"), [
    # Each channel of a client on its own.
    pytest.param(posts("Acme", WEEKLY) + posts("Acme", WEEKLY, "LinkedIn"), [],
                 id="two-channels-weekly"),
    pytest.param(posts("Acme", WEEKLY) + posts("Acme", SHORT, "LinkedIn"),
                 [gap("Acme", "linkedin", *SHORT_GAP)], id="the-second-channel-short"),
    pytest.param(posts("Acme", SHORT) + posts("Acme", WEEKLY, "LinkedIn"),
                 [gap("Acme", "instagram", *SHORT_GAP)], id="the-first-channel-short"),
    pytest.param(posts("Acme", WEEKLY) + posts("Acme", WEEKLY, "LinkedIn")
                 + posts("Acme", SHORT, "TikTok"),
                 [gap("Acme", "tiktok", *SHORT_GAP)], id="the-third-channel-short"),
    # Each client on its own: the third client (by name) with a short plan.
    pytest.param(posts("Acme", WEEKLY) + posts("Beta", WEEKLY) + posts("Cora", SHORT),
                 [gap("Cora", "instagram", *SHORT_GAP)], id="the-third-client-short"),
    pytest.param(posts("Acme", SHORT) + posts("Beta", WEEKLY) + posts("Cora", WEEKLY),
                 [gap("Acme", "instagram", *SHORT_GAP)], id="the-first-client-short"),
    # A second client on one of three channels the calendar uses.
    pytest.param(posts("Acme", WEEKLY) + posts("Acme", WEEKLY, "LinkedIn")
                 + posts("Acme", WEEKLY, "TikTok") + posts("Beta", WEEKLY), [],
                 id="second-client-on-one-of-three-channels"),
    pytest.param(posts("Acme", WEEKLY) + posts("Acme", WEEKLY, "LinkedIn")
                 + posts("Acme", WEEKLY, "TikTok") + posts("Beta", SHORT, "LinkedIn"),
                 [gap("Beta", "linkedin", *SHORT_GAP)],
                 id="second-client-short-on-the-second-of-three-channels"),
])
def test_calendar_gap_per_client_and_channel(rows: list[list[Any]], expected: list[Key]
                                             ) -> None:
    assert gaps(rows) == expected


# --------------------------------------------------------------------------------------------
# pillar-mix-off-target: a pillar's share of a client's posts in a month; cancelled posts never
# count, and only clients with pillar targets are judged.

PILLAR_HEADER = [*HEADER, "Pillar"]
TARGETS = {"targets": {"Value": 70, "Promo": 30}, "tolerance_pct": 10}


def mix(value: int, promo: int, client: str = "Acme", status: str = "Draft", first: int = 1
        ) -> list[list[Any]]:
    """``value`` Value and ``promo`` promo posts in April 2026, one a day from ``first``."""
    pillars = ["Value"] * value + ["promo"] * promo
    return [[*row(f"{client[0]}{status[0]}{i}", client=client, status=status,
                  date=f"2026-04-{first + i:02d}"), p] for i, p in enumerate(pillars)]


def pillar(client: str, name: str, actual: int, target: int) -> Key:
    return (None, "pillar", "pillar-mix-off-target", client,
            f"{client}, 2026-04: “{name}” is {actual}% of the posts; the target is {target}%. "
            "Rebalance the plan.")


def pillar_mix(rows: list[list[Any]], **pillars: Any) -> list[Key]:
    rules = {"pillars": {**TARGETS, **pillars}}
    return table(run(rows, TUESDAY, "pillar-mix-off-target", rules, header=PILLAR_HEADER))


@pytest.mark.parametrize(("rows", "expected"), [
    pytest.param(mix(7, 3), [], id="on-target"),
    pytest.param(mix(7, 3) + mix(0, 2, status="Cancelled", first=20), [],
                 id="cancelled-promo-posts"),
    pytest.param(mix(7, 3) + mix(4, 0, status="Cancelled", first=20), [],
                 id="cancelled-value-posts"),
    # 7 posts are below min_posts (8), cancelled ones do not make up the difference.
    pytest.param(mix(4, 3) + mix(0, 3, status="Cancelled", first=20), [],
                 id="cancelled-posts-do-not-reach-min-posts"),
    pytest.param(mix(5, 5) + mix(4, 0, status="Cancelled", first=20),
                 [pillar("Acme", "Promo", 50, 30), pillar("Acme", "Value", 50, 70)],
                 id="cancelled-posts-do-not-even-out-the-mix"),
])
def test_pillar_mix_cancelled_posts_never_count(rows: list[list[Any]], expected: list[Key]
                                                ) -> None:
    assert pillar_mix(rows) == expected


@pytest.mark.parametrize(("value", "promo", "expected"), [
    # A target pillar with no post in the month has a 0% share.
    (10, 0, [pillar("Acme", "Promo", 0, 30), pillar("Acme", "Value", 100, 70)]),
    (0, 10, [pillar("Acme", "Promo", 100, 30), pillar("Acme", "Value", 0, 70)]),
    (8, 0, [pillar("Acme", "Promo", 0, 30), pillar("Acme", "Value", 100, 70)]),
])
def test_pillar_mix_a_target_pillar_without_posts_is_at_zero_percent(
        value: int, promo: int, expected: list[Key]) -> None:
    assert pillar_mix(mix(value, promo)) == expected


@pytest.mark.parametrize(("min_posts", "value", "promo", "expected"), [
    # min_posts 0 and 1: a month with a single post is judged.
    (0, 1, 0, [pillar("Acme", "Promo", 0, 30), pillar("Acme", "Value", 100, 70)]),
    (1, 1, 0, [pillar("Acme", "Promo", 0, 30), pillar("Acme", "Value", 100, 70)]),
    (1, 0, 1, [pillar("Acme", "Promo", 100, 30), pillar("Acme", "Value", 0, 70)]),
    (2, 1, 0, []),
    (2, 1, 1, [pillar("Acme", "Promo", 50, 30), pillar("Acme", "Value", 50, 70)]),
])
def test_pillar_mix_small_min_posts(min_posts: int, value: int, promo: int,
                                    expected: list[Key]) -> None:
    assert pillar_mix(mix(value, promo), min_posts=min_posts) == expected


@pytest.mark.parametrize(("beta", "expected"), [
    pytest.param([], [pillar("Acme", "Promo", 50, 30), pillar("Acme", "Value", 50, 70)],
                 id="acme-alone"),
    # Beta has no pillar targets: its posts, even off any mix, are not judged.
    pytest.param(mix(0, 10, client="Beta"),
                 [pillar("Acme", "Promo", 50, 30), pillar("Acme", "Value", 50, 70)],
                 id="beside-a-client-without-targets"),
    pytest.param(mix(0, 1, client="Beta"),
                 [pillar("Acme", "Promo", 50, 30), pillar("Acme", "Value", 50, 70)],
                 id="beside-a-client-without-targets-with-one-post"),
])
def test_pillar_mix_only_clients_with_targets_are_judged(
        beta: list[list[Any]], expected: list[Key]) -> None:
    clients = {"Acme": {"rules": {"pillars": {"targets": {"Value": 70, "Promo": 30},
                                              "tolerance_pct": 10}}}}
    found = run(mix(5, 5) + beta, TUESDAY, "pillar-mix-off-target", {},
                header=PILLAR_HEADER, clients=clients)
    assert table(found) == expected


# --------------------------------------------------------------------------------------------
# next-month-not-ready: next month is the month after the client's today, in the same or the
# next year; posts of that month in other years, or of other months, do not count. February
# 2026 has 28 days: 5 posts a week contract 20 posts; 1 a week, 4 posts.

JAN_20 = at("2026-01-20 09:00")


def not_ready(ready: int, needed: int, pct: int, month: str = "2026-02") -> Key:
    return (None, "status", "next-month-not-ready", "Acme",
            f"Acme, {month}: only {ready} of the {needed} contracted posts are in draft or later "
            f"({pct}%). Start preparing next month.")


def next_month(rows: list[list[Any]], now: dt.datetime = JAN_20, **contract: int
               ) -> list[Key]:
    rules = {"cadence": {"posts_per_week": contract or {"instagram": 3, "linkedin": 2}}}
    return table(run(rows, now, "next-month-not-ready", rules))


FEB_15 = posts("Acme", [f"2026-02-{d:02d}" for d in range(1, 16)])  # 15 of 20: 75%


@pytest.mark.parametrize(("extra", "expected"), [
    pytest.param([], [not_ready(15, 20, 75)], id="fifteen"),
    pytest.param(["2026-02-28"], [], id="sixteen-in-february"),
    pytest.param(["2027-02-16"], [not_ready(15, 20, 75)], id="february-next-year"),
    pytest.param(["2025-02-16"], [not_ready(15, 20, 75)], id="february-last-year"),
    pytest.param(["2026-03-16"], [not_ready(15, 20, 75)], id="march"),
    pytest.param(["2026-01-21"], [not_ready(15, 20, 75)], id="this-month"),
])
def test_next_month_counts_only_next_months_posts_of_its_own_year(
        extra: list[str], expected: list[Key]) -> None:
    assert next_month(FEB_15 + posts("Acme", extra, prefix="X")) == expected


def test_next_month_across_the_new_year() -> None:
    # On 20 December next month is January of the next year; January of this year is past.
    rows = posts("Acme", [f"2027-01-{d:02d}" for d in range(1, 17)])  # 31 days: 22 needed
    assert next_month(rows, at("2026-12-20 09:00")) == [not_ready(16, 22, 73, "2027-01")]
    rows += posts("Acme", [f"2026-01-{d:02d}" for d in range(1, 10)], prefix="X")
    assert next_month(rows, at("2026-12-20 09:00")) == [not_ready(16, 22, 73, "2027-01")]


@pytest.mark.parametrize(("contract", "ready", "expected"), [
    # One post a week on a channel is part of the contract: 4 in February.
    pytest.param({"instagram": 1}, 3, [not_ready(3, 4, 75)], id="one-a-week-three-ready"),
    pytest.param({"instagram": 1}, 4, [], id="one-a-week-four-ready"),
    pytest.param({"instagram": 3, "linkedin": 1}, 12, [not_ready(12, 16, 75)],
                 id="three-and-one-a-week"),
    pytest.param({"instagram": 3, "linkedin": 1, "x": 0}, 13, [],
                 id="three-and-one-and-zero-a-week"),
])
def test_next_month_one_post_a_week_is_contracted(
        contract: dict[str, int], ready: int, expected: list[Key]) -> None:
    rows = posts("Acme", [f"2026-02-{d:02d}" for d in range(1, ready + 1)])
    assert next_month(rows, **contract) == expected


def test_next_month_finding_is_dated_on_the_first_of_next_month() -> None:
    # The Status tab shows a calendar-level finding's date: next month's first day.
    config = calendar_config(rules={"cadence": {"posts_per_week": {"instagram": 5}},
                                    "levels": only("next-month-not-ready")})
    calendar = parse([HEADER, *FEB_15], config)
    grid = status_grid(calendar, validate(calendar, config, JAN_20), config)
    header, *lines = grid
    assert [dict(zip(header, line))["Due"] for line in lines if len(line) > 1] == [
        dt.date(2026, 2, 1)]
