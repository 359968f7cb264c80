"""Rules that work only on the rows in question (business days of the posts in review, of
the approvals still waited on; the cells of unknown statuses) and once per time zone: the
same answers as over every row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import HEADER, at, calendar_config, row

from sheets_sync.parse import parse
from sheets_sync.rules import Context
from sheets_sync.rules import calendar as calendar_rules
from sheets_sync.rules import rows as rows_rules
from sheets_sync.rules.approvals import _hours_until
from sheets_sync.rules.feedback import after_business_days
from sheets_sync.rules.rows import hashtag_count

CLIENTS = {"Acme": {"country": "TR", "timezone": "Europe/Istanbul"},
           "Beta": {"country": "DE", "timezone": "Europe/Berlin"},
           "Gamma": {"country": "TR", "timezone": "Europe/Istanbul"},
           "Delta": {"country": "US", "timezone": "America/New_York"}}


def context() -> Context:
    days = ["2026-03-06 09:00", "2026-03-07 10:00", "2026-03-29 02:30", "2026-10-25 02:30",
            "2026-04-03", "2026-05-01 17:00", "2026-11-01 01:30", "2026-12-24 23:00", ""]
    rows = [row(f"P{i}", client=client, date=day)
            for i, (client, day) in enumerate((c, d) for c in CLIENTS for d in days)]
    config = calendar_config(clients=CLIENTS)
    return Context(parse([HEADER, *rows], config), config, at("2026-03-10 09:00"))


def test_business_days_of_some_rows_are_those_rows_of_all() -> None:
    ctx = context()
    publish = ctx.frame["publish_at"].to_numpy()
    today = ctx.clients.today_local
    steps = np.arange(len(publish)) % 7
    timed = ctx.frame["publish_has_time"].to_numpy()
    assert len({ctx.clients.settings[c].country for c in ctx.clients.names}) == 3
    full_between = ctx.days.between(today, publish)
    full_add = ctx.days.add(publish, steps)
    full_open = ctx.days.is_business_day(publish)
    full_after = after_business_days(ctx, publish, timed, steps)
    for picked in (np.arange(0, len(publish), 3), np.array([5]), np.array([], dtype=int)):
        some = ctx.days.at_rows(picked)
        assert some.between(today[picked], publish[picked]).tolist() == \
            full_between[picked].tolist()
        assert np.array_equal(some.add(publish[picked], steps[picked]), full_add[picked],
                              equal_nan=True)
        assert some.is_business_day(publish[picked]).tolist() == full_open[picked].tolist()
        assert np.array_equal(after_business_days(ctx, publish[picked], timed[picked],
                                                  steps[picked], picked),
                              full_after[picked], equal_nan=True)
    assert full_between.any() and (full_between != 0).sum() > 10


def test_hours_until_publishing_are_each_clients_own_across_the_clock_changes() -> None:
    ctx = context()
    publish = ctx.frame["publish_at"].to_numpy()
    rows = ~np.isnat(publish)
    hours = _hours_until(ctx, publish, rows)
    assert np.isnan(hours[~rows]).all()
    clients = ctx.frame["client"].to_numpy(dtype=object)
    dates = ctx.frame["publish_at"].dt.strftime("%Y-%m-%d %H:%M").to_numpy(dtype=object)
    for client, zone in (("Acme", "Europe/Istanbul"), ("Beta", "Europe/Berlin"),
                         ("Delta", "America/New_York")):
        for i in np.flatnonzero(rows & (clients == client)).tolist():
            stamp = pd.Timestamp(publish[i]).tz_localize(zone, ambiguous=True,
                                                        nonexistent="shift_forward")
            expected = (stamp - pd.Timestamp(ctx.now)) / pd.Timedelta(1, "h")
            assert hours[i] == expected, (client, dates[i])
    # Berlin skips 02:00-03:00 on 29 March (02:30 counts from 03:00); Istanbul does not.
    berlin = (clients == "Beta") & (dates == "2026-03-29 02:30")
    istanbul = (clients == "Acme") & (dates == "2026-03-29 02:30")
    assert hours[berlin][0] - hours[istanbul][0] == 1.5


def test_hashtags_are_counted_on_the_rows_with_a_limit_among_rows_without() -> None:
    def tags(count: int) -> str:
        return " ".join(f"#t{i}" for i in range(count))

    rows = [[*row("P1", channel="Facebook", caption=tags(40)), ""],
            [*row("P2", channel="Instagram", caption=tags(20)), tags(11)],
            [*row("P3", channel="Facebook", caption="Hi"), tags(50)],
            [*row("P4", channel="Instagram", caption=tags(30)), ""],
            [*row("P5", channel="X", caption=tags(3)), ""],
            [*row("P6", channel="Instagram", caption="C# " + tags(31)), ""]]
    config = calendar_config(rules={"content": {"hashtag_limits": {"x": 2}}})
    calendar = parse([[*HEADER, "Hashtags"], *rows], config)
    ctx = Context(calendar, config, at("2026-03-10 09:00"))
    hashtag_count(ctx)
    found = ctx.findings.frame()
    assert found["post_id"].tolist() == ["P2", "P5", "P6"]
    assert found["message"].tolist()[0].startswith("The post has 31 hashtags; Instagram allows 30")
    assert found["message"].tolist()[1].startswith("The post has 3 hashtags; X allows 2")


def findings_of(rule_name: str, rows: list[list[Any]], now: str, **calendar: Any) -> pd.DataFrame:
    config = calendar_config(**calendar)
    ctx = Context(parse([HEADER, *rows], config), config, at(now))
    getattr(rows_rules if hasattr(rows_rules, rule_name) else calendar_rules, rule_name)(ctx)
    return ctx.findings.frame()


@pytest.mark.parametrize("language", ["en", "tr"])
def test_calendar_gaps_are_worded_together_for_every_client(language: str) -> None:
    rows = [row("P1", client="Acme", date="2026-03-12 10:00"),   # Acme: 3 days in, then none
            row("P2", client="Beta", channel="X", date="2026-03-20 10:00")]
    found = findings_of("calendar_gaps", rows, "2026-03-09 09:00", language=language,
                        rules={"cadence": {"horizon_days": 28}})
    assert found["code"].tolist() == ["calendar-gap"] * 3
    assert found["publish_at"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-03-13", "2026-03-09", "2026-03-21"]
    if language == "en":
        assert found["message"].tolist() == [
            "Acme: no Instagram post from 2026-03-13 to 2026-04-05 (24 days). Plan a post in "
            "that gap.",
            "Beta: no X post from 2026-03-09 to 2026-03-19 (11 days). Plan a post in that gap.",
            "Beta: no X post from 2026-03-21 to 2026-04-05 (16 days). Plan a post in that gap."]
    else:
        assert found["message"].tolist()[0] == (
            "Acme: 13.03.2026 ile 05.04.2026 arasında Instagram gönderisi yok (24 gün). Bu "
            "aralığa bir gönderi planlayın.")


def test_too_many_per_day_ranks_only_the_days_over_the_limit() -> None:
    rows = [row(f"P{i}", channel=channel, date=f"2026-03-{day} {hour}:00")
            for i, (channel, day, hour) in enumerate([
                ("Instagram", 20, 12), ("Instagram", 20, 9), ("Instagram", 20, 15),  # 3: over 2
                ("X", 20, 9), ("X", 20, 10),                                          # 2: not
                ("Instagram", 21, 9), ("Instagram", 21, 8)])]                          # 2: not
    found = findings_of("too_many_per_day", rows, "2026-03-09 09:00",
                        rules={"cadence": {"max_per_day": 2}})
    assert found["post_id"].tolist() == ["P2"]  # the latest of the three that day
    assert found["message"].tolist() == [
        "3 Instagram posts for Acme on 2026-03-20; at most 2 a day. Move this one to another day."]
