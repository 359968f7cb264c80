"""Boundaries of the row rules, table by table: one unit before, exactly at and one after every
parameter, as the configuration documents it (config/example.toml, ContentRules, the
docstrings and comments of sheets_sync/rules/rows.py), and in a second time zone where the
client's clock matters. Every expectation is a literal set of (row, column, code); the first
post is on sheet row 2.
"""

from __future__ import annotations

import pytest
from conftest import HEADER, at, keys, row
from conftest import audit_only as run

NEW_YORK = {"Nyc": {"timezone": "America/New_York", "country": "US"}}
NOW = at("2026-03-10 09:00")  # a Tuesday; 02:00 in New York (EDT, UTC-4)
Key = tuple[int | None, str, str]





STALE = (2, "status", "stale-unpublished")

# --------------------------------------------------------------------------------------------
# stale-unpublished: "publish time passed, not published", stale_grace_hours after it.


@pytest.mark.parametrize(("status", "expected"), [
    ("Draft", {STALE}),
    ("Scheduled", {STALE}),
    ("On hold", {STALE}),
    ("Published", set()),
    ("Cancelled", set()),
    # A status the tool does not know says nothing about whether the post went out: it is
    # reported as unknown, never as stale.
    ("Postd", {(2, "status", "unknown-status")}),
    ("Bogus", {(2, "status", "unknown-status")}),
    ("", {(2, "status", "missing-required")}),
])
def test_stale_only_for_known_open_statuses(status: str, expected: set[Key]) -> None:
    rows = [row("P1", date="2026-03-09 10:00", status=status)]
    found = run(rows, NOW, "stale-unpublished", "unknown-status", "missing-required")
    assert keys(found) == expected


@pytest.mark.parametrize(("date", "grace", "expected"), [
    ("2026-03-10 08:59", 0, {STALE}),    # a minute past the publish time
    ("2026-03-10 09:00", 0, set()),      # exactly at the publish time: not passed yet
    ("2026-03-10 09:01", 0, set()),
    ("2026-03-10", 0, set()),            # date only: the default 09:00, exactly now
    ("2026-03-09", 0, {STALE}),
    ("2026-03-10 07:00", 1, {STALE}),    # grace one hour short
    ("2026-03-10 07:00", 2, set()),      # exactly stale_grace_hours after the publish time
    ("2026-03-10 07:00", 3, set()),
    ("2026-03-10 06:59", 2, {STALE}),    # a minute beyond the grace
    ("2026-03-09 09:00", 24, set()),
    ("2026-03-09 08:59", 24, {STALE}),
])
def test_stale_grace_hours_boundary(date: str, grace: int, expected: set[Key]) -> None:
    found = run([row("P1", date=date)], NOW, "stale-unpublished",
                rules={"content": {"stale_grace_hours": grace}})
    assert keys(found) == expected


@pytest.mark.parametrize(("date", "grace", "expected"), [
    # The New York post's times are New York times; now is 02:00 there.
    ("2026-03-10 01:59", 0, {STALE}),
    ("2026-03-10 02:00", 0, set()),
    ("2026-03-10 02:01", 0, set()),
    ("2026-03-10 00:59", 1, {STALE}),
    ("2026-03-10 01:00", 1, set()),
    ("2026-03-10 08:59", 0, set()),   # would be stale in Istanbul
])
def test_stale_grace_hours_boundary_in_new_york(date: str, grace: int,
                                                expected: set[Key]) -> None:
    found = run([row("P1", client="Nyc", date=date)], NOW, "stale-unpublished",
                rules={"content": {"stale_grace_hours": grace}}, clients=NEW_YORK)
    assert keys(found) == expected


# --------------------------------------------------------------------------------------------
# duplicate-caption: the same caption on one channel within duplicate_window_days days; only
# the plan matters: a pair is reported when its later post publishes no earlier than the
# window ago, so its earlier post lies at most two windows back.

DUP = (3, "caption", "duplicate-caption")  # the later post of the pair


@pytest.mark.parametrize(("earlier", "later", "expected"), [
    # Today is 10 March; a window is 30 days: 8 February is one window back, 9 January two.
    ("2026-02-08", "2026-03-10", {DUP}),    # earlier one window back, exactly 30 days apart
    ("2026-02-09", "2026-03-10", {DUP}),    # 29 days apart
    ("2026-02-07", "2026-03-10", set()),    # 31 days apart
    ("2026-01-09", "2026-02-08", {DUP}),    # earlier two windows back, later one: 30 apart
    ("2026-01-08", "2026-02-07", set()),    # each a day further back: later is history
    ("2026-01-10", "2026-02-08", {DUP}),    # 29 days apart, later exactly one window back
    ("2026-01-10", "2026-02-07", set()),    # later a day more than a window back
    ("2026-01-20", "2026-01-25", set()),    # both history, 5 days apart
    ("2026-03-20", "2026-04-19", {DUP}),    # both planned, exactly 30 days apart
    ("2026-03-20", "2026-04-20", set()),    # both planned, 31 days apart
    ("2026-03-20", "2026-03-20", {DUP}),    # the same day
])
def test_duplicate_caption_one_and_two_windows_back(earlier: str, later: str,
                                                    expected: set[Key]) -> None:
    rows = [row("P1", caption="Spring sale!", date=earlier, status="Published"),
            row("P2", caption="spring  SALE!", date=later)]
    assert keys(run(rows, NOW, "duplicate-caption")) == expected


@pytest.mark.parametrize(("window", "expected"), [
    (29, set()),   # 30 days apart is outside a 29-day window
    (30, {DUP}),   # exactly duplicate_window_days apart
    (31, {DUP}),
])
def test_duplicate_window_days_parameter(window: int, expected: set[Key]) -> None:
    rows = [row("P1", caption="Spring sale!", date="2026-03-12"),
            row("P2", caption="Spring sale!", date="2026-04-11")]
    found = run(rows, NOW, "duplicate-caption",
                rules={"content": {"duplicate_window_days": window}})
    assert keys(found) == expected


def test_a_row_of_several_channels_is_compared_on_each_of_them() -> None:
    # "IG + TikTok" repeats the TikTok post's caption: a duplicate on TikTok, said once even
    # when it repeats the caption on both of its channels.
    rows = [row("P1", channel="TikTok", caption="Spring sale!", date="2026-03-12"),
            row("P2", channel="IG + TikTok", caption="Spring sale!", date="2026-03-14"),
            row("P3", channel="Instagram", caption="Other", date="2026-03-12"),
            row("P4", channel="LinkedIn", caption="Launch day", date="2026-03-12"),
            row("P5", channel="LinkedIn + X", caption="Launch day", date="2026-03-13"),
            row("P6", channel="X", caption="Launch day", date="2026-03-13")]
    found = [f for f in run(rows, NOW, "duplicate-caption") if f.code == "duplicate-caption"]
    assert sorted((f.row, f.message) for f in found) == [
        (3, "Same caption as row 2 on TikTok, 2 days apart. Write a new caption or drop one of "
            "the posts."),
        (6, "Same caption as row 5 on LinkedIn, 1 day apart. Write a new caption or drop one "
            "of the posts."),
        (7, "Same caption as row 6 on X, 0 days apart. Write a new caption or drop one of the "
            "posts.")]


def test_duplicate_caption_windows_count_from_the_clients_own_today_in_new_york() -> None:
    # 05:00 on 10 March in Istanbul is 22:00 on 9 March in New York: 7 February is exactly
    # one window back there, and a day more than one window back in Istanbul.
    now = at("2026-03-10 05:00")
    rows = [row("A1", caption="Spring sale!", date="2026-01-08", status="Published"),
            row("A2", caption="Spring sale!", date="2026-02-07", status="Published"),
            row("N1", client="Nyc", caption="Spring sale!", date="2026-01-08",
                status="Published"),
            row("N2", client="Nyc", caption="Spring sale!", date="2026-02-07",
                status="Published")]
    found = run(rows, now, "duplicate-caption", clients=NEW_YORK)
    assert keys(found) == {(5, "caption", "duplicate-caption")}


# --------------------------------------------------------------------------------------------
# too-many-hashtags: more hashtags than the channel allows (Instagram 30 built in); a '#'
# that starts no word is not a hashtag.

def tags(count: int) -> str:
    return "Caption " + " ".join(f"#tag{i}" for i in range(count))


TOO_MANY = (2, "caption", "too-many-hashtags")


@pytest.mark.parametrize(("channel", "caption", "limits", "expected"), [
    ("Instagram", tags(29), {}, set()),
    ("Instagram", tags(30), {}, set()),              # exactly the limit
    ("Instagram", tags(31), {}, {TOO_MANY}),         # one over
    ("Instagram", tags(30) + " C# tips", {}, set()),  # a lone '#' is not a hashtag
    ("Instagram", tags(30) + " # C#", {}, set()),
    ("Instagram", "C# tips " + tags(31), {}, {TOO_MANY}),
    ("Facebook", tags(40), {}, set()),               # no limit for Facebook
    ("X", tags(2), {"x": 2}, set()),                 # a configured limit, exactly
    ("X", tags(3), {"x": 2}, {TOO_MANY}),
    ("X", "C# tips", {"x": 0}, set()),                # a limit of 0 and no hashtag
    ("X", tags(1), {"x": 0}, {TOO_MANY}),
    ("Instagram", tags(31), {"instagram": 31}, set()),
])
def test_hashtag_limit_exactly_and_one_over(channel: str, caption: str, limits: dict[str, int],
                                            expected: set[Key]) -> None:
    found = run([row("P1", channel=channel, caption=caption)], NOW, "too-many-hashtags",
                rules={"content": {"hashtag_limits": limits}})
    assert keys(found) == expected


@pytest.mark.parametrize(("extra", "expected"), [
    (10, set()),                                   # 20 + 10: exactly 30
    (11, {(2, "hashtags", "too-many-hashtags")}),  # 20 + 11
])
def test_hashtag_limit_counts_the_hashtags_column_with_the_caption(extra: int,
                                                                    expected: set[Key]) -> None:
    found = run([[*row("P1", caption=tags(20) + " C# tips"), tags(extra)]], NOW,
                "too-many-hashtags", header=[*HEADER, "Hashtags"])
    assert keys(found) == expected


# --------------------------------------------------------------------------------------------
# caption-too-long: longer than the channel allows, in characters (X 280, Instagram 2200).

LONG = (2, "caption", "caption-too-long")


@pytest.mark.parametrize(("channel", "length", "expected"), [
    ("X", 279, set()),
    ("X", 280, set()),
    ("X", 281, {LONG}),
    ("Instagram", 2199, set()),
    ("Instagram", 2200, set()),
    ("Instagram", 2201, {LONG}),
])
@pytest.mark.parametrize("letter", ["a", "ğ"])  # characters, not bytes
def test_caption_of_exactly_the_channels_limit_and_one_over(
        channel: str, length: int, expected: set[Key], letter: str) -> None:
    found = run([row("P1", channel=channel, caption=letter * length)], NOW, "caption-too-long")
    assert keys(found) == expected


def test_caption_limit_message_at_one_over() -> None:
    found = run([row("P1", channel="X", caption="a" * 281)], NOW, "caption-too-long")
    assert [f.message for f in found] == [
        "The caption has 281 characters; X allows 280. Shorten it by 1."]


# --------------------------------------------------------------------------------------------
# invalid-link: an asset written as a web address that is not a valid http(s) link.

BAD = (2, "asset", "invalid-link")


@pytest.mark.parametrize(("asset", "expected"), [
    ("https://cdn.example.com/a.jpg", set()),
    (" https://cdn.example.com/a.jpg", set()),        # surrounding spaces: still valid
    ("https://cdn.example.com/a.jpg  ", set()),
    ("\thttps://cdn.example.com/a.jpg\n", set()),
    ("\u00a0https://cdn.example.com/a.jpg\u00a0", set()),
    ("http://drive.google.com/file/d/x?usp=share", set()),
    ("brief.pdf", set()),                              # a file name, not a link
    ("", set()),
    ("https://cdn", {BAD}),                            # no domain
    (" https://cdn ", {BAD}),
    ("https://exa mple.com/x", {BAD}),
    ("htps://cdn.example.com/a.jpg", {BAD}),
    ("ftp://files.example.com/a.jpg", {BAD}),
    (" www.example.com/a.jpg ", {BAD}),
])
def test_asset_links_with_surrounding_spaces_and_bad_links(asset: str,
                                                           expected: set[Key]) -> None:
    assert keys(run([row("P1", asset=asset)], NOW, "invalid-link")) == expected


def test_bad_link_message_quotes_the_link_without_its_spaces() -> None:
    found = run([row("P1", asset=" https://cdn ")], NOW, "invalid-link")
    assert [f.message for f in found] == [
        "“https://cdn” is not a valid web link. Paste the full address (https://…)."]
