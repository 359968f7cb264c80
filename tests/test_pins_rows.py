"""Row rules pinned where the boundary tests leave them open: links with spaces on one side
only, values that merely contain a link, per-client pillars, channels without a limit, the
hashtag message, which posts a duplicate caption pairs up, and a grace of several days.

Every expectation is a literal set of (row, column, code) or a literal message; the first post
is on sheet row 2.
"""

from __future__ import annotations

import pytest
from conftest import HEADER, at, keys, row
from conftest import audit_only as run

NOW = at("2026-03-10 09:00")  # a Tuesday
Key = tuple[int | None, str, str]





# --------------------------------------------------------------------------------------------
# invalid-link: an asset written as a web address (a scheme or www.) that is not a valid
# http(s) link; spaces around the cell do not count, on either side alone.

BAD_LINK = (2, "asset", "invalid-link")


@pytest.mark.parametrize(("asset", "expected"), [
    pytest.param(" www.example.com/a.jpg", {BAD_LINK}, id="www-leading-space-only"),
    pytest.param("\twww.example.com/a.jpg", {BAD_LINK}, id="www-leading-tab-only"),
    pytest.param(" https://cdn", {BAD_LINK}, id="no-domain-leading-space-only"),
    pytest.param("https://cdn.example.com/a.jpg ", set(), id="valid-one-trailing-space"),
    pytest.param("https://cdn.example.com/a.jpg\n", set(), id="valid-one-trailing-newline"),
    pytest.param(" https://cdn.example.com/a.jpg", set(), id="valid-one-leading-space"),
    pytest.param("www.example.com/a.jpg ", {BAD_LINK}, id="www-one-trailing-space"),
])
def test_spaces_on_one_side_only_are_ignored(asset: str, expected: set[Key]) -> None:
    assert keys(run([row("P1", asset=asset)], NOW, "invalid-link")) == expected


@pytest.mark.parametrize(("asset", "expected"), [
    # A custom scheme is a web address, but not an http(s) link.
    pytest.param("x-com-example-designs://cover.png", {BAD_LINK}, id="21-letter-scheme"),
    pytest.param("figma://file/abc", {BAD_LINK}, id="short-custom-scheme"),
    # Text that merely mentions a link is not written as a web address.
    pytest.param("Canva: https://www.canva.com/design/x", set(), id="note-before-a-link"),
    pytest.param("2026 cover://draft.png", set(), id="starts-with-a-digit"),
    pytest.param("cover_final.png", set(), id="file-name"),
])
def test_what_counts_as_written_as_a_web_address(asset: str, expected: set[Key]) -> None:
    assert keys(run([row("P1", asset=asset)], NOW, "invalid-link")) == expected


# --------------------------------------------------------------------------------------------
# unknown-pillar: each client's pillars are checked against that client's own list.

PILLAR_HEADER = [*HEADER, "Pillar"]
TWO_CLIENTS = {"Acme": {"rules": {"pillars": {"names": ["Value", "Shareable"]}}},
               "Beta": {"rules": {"pillars": {"names": ["Promotion"]}}}}


@pytest.mark.parametrize(("client", "pillar", "expected"), [
    pytest.param("Acme", "Value", set(), id="acme-own-pillar"),
    pytest.param("Beta", "Promotion", set(), id="beta-own-pillar"),
    pytest.param("Acme", "Promotion", {(3, "pillar", "unknown-pillar")}, id="acme-uses-betas"),
    pytest.param("Beta", "Value", {(3, "pillar", "unknown-pillar")}, id="beta-uses-acmes"),
])
def test_pillars_are_checked_against_the_rows_own_client(client: str, pillar: str,
                                                         expected: set[Key]) -> None:
    rows = [[*row("P1", client="Acme"), "Shareable"], [*row("P2", client=client), pillar],
            [*row("P3", client="Beta"), "Promotion"]]
    found = run(rows, NOW, "unknown-pillar", header=PILLAR_HEADER, clients=TWO_CLIENTS)
    assert keys(found) == expected


def test_unknown_pillar_message_names_the_rows_client_pillars() -> None:
    rows = [[*row("P1", client="Acme"), "Value"], [*row("P2", client="Beta"), "Valeu"]]
    found = run(rows, NOW, "unknown-pillar", header=PILLAR_HEADER, clients=TWO_CLIENTS)
    assert [f.message for f in found] == [
        "Pillar “Valeu” is not one of this client's pillars (Promotion)."]


# --------------------------------------------------------------------------------------------
# caption-too-long / too-many-hashtags: a channel the tool does not know (or a blank one) has
# no limit, whatever the caption.

def tags(count: int) -> str:
    return "Caption " + " ".join(f"#tag{i}" for i in range(count))


@pytest.mark.parametrize("channel", [
    pytest.param("Myspace", id="unknown-channel"),
    pytest.param("", id="blank-channel"),
])
@pytest.mark.parametrize(("code", "caption"), [
    pytest.param("caption-too-long", "a" * 70000, id="caption-too-long"),
    pytest.param("too-many-hashtags", tags(40), id="too-many-hashtags"),
])
def test_a_channel_without_a_limit_is_never_over_it(channel: str, code: str,
                                                    caption: str) -> None:
    rows = [row("P1", channel=channel, caption=caption), row("P2", caption="Short")]
    assert keys(run(rows, NOW, code)) == set()


@pytest.mark.parametrize(("count", "limits", "message"), [
    pytest.param(32, {}, "The post has 32 hashtags; Instagram allows 30. Remove at least 2.",
                 id="two-over-built-in"),
    pytest.param(31, {}, "The post has 31 hashtags; Instagram allows 30. Remove at least 1.",
                 id="one-over-built-in"),
    pytest.param(5, {"instagram": 2},
                 "The post has 5 hashtags; Instagram allows 2. Remove at least 3.",
                 id="three-over-configured"),
])
def test_too_many_hashtags_message_says_how_many_to_remove(count: int, limits: dict[str, int],
                                                           message: str) -> None:
    found = run([row("P1", caption=tags(count))], NOW, "too-many-hashtags",
                rules={"content": {"hashtag_limits": limits}})
    assert [f.message for f in found] == [message]


# --------------------------------------------------------------------------------------------
# duplicate-caption: the same caption, by the same client, on the same channel, within the
# window (30 days). The later post of the pair is reported.

DUP = (3, "caption", "duplicate-caption")


@pytest.mark.parametrize(("first", "second", "expected"), [
    pytest.param({}, {}, {DUP}, id="same-client-same-channel"),
    pytest.param({"client": "Acme"}, {"client": "Beta"}, set(), id="other-client"),
    pytest.param({"client": "Beta"}, {"client": "Acme"}, set(), id="other-client-reversed"),
    pytest.param({"channel": "Instagram"}, {"channel": "Facebook"}, set(), id="other-channel"),
    pytest.param({"channel": "Facebook"}, {"channel": "Instagram"}, set(),
                 id="other-channel-reversed"),
    pytest.param({"date": ""}, {}, set(), id="earlier-has-no-date"),
    pytest.param({}, {"date": ""}, set(), id="later-has-no-date"),
    pytest.param({"date": "someday"}, {}, set(), id="earlier-date-unreadable"),
])
def test_duplicate_caption_pairs_only_dated_posts_of_one_client_and_channel(
        first: dict[str, str], second: dict[str, str], expected: set[Key]) -> None:
    rows = [row("P1", **{"caption": "Spring sale!", "date": "2026-03-15", **first}),
            row("P2", **{"caption": "Spring sale!", "date": "2026-03-20", **second})]
    assert keys(run(rows, NOW, "duplicate-caption")) == expected


@pytest.mark.parametrize(("earlier", "later", "expected"), [
    pytest.param("🎉", "🎉", {DUP}, id="one-emoji"),
    pytest.param("a", "A", {DUP}, id="one-letter-any-case"),
    pytest.param(" a ", "A", {DUP}, id="one-letter-with-spaces"),
    pytest.param("ok", "OK", {DUP}, id="two-letters"),
    pytest.param(" ", "  ", set(), id="only-spaces"),
    pytest.param("\n", " \t ", set(), id="only-white-space"),
    pytest.param("", "", set(), id="empty"),
])
def test_duplicate_caption_of_short_and_blank_captions(earlier: str, later: str,
                                                       expected: set[Key]) -> None:
    rows = [row("P1", caption=earlier, date="2026-03-15"),
            row("P2", caption=later, date="2026-03-20")]
    assert keys(run(rows, NOW, "duplicate-caption")) == expected


def test_duplicate_caption_across_clients_reports_only_each_clients_own_pair() -> None:
    rows = [row("A1", client="Acme", caption="Spring sale!", date="2026-03-12"),
            row("B1", client="Beta", caption="Spring sale!", date="2026-03-13"),
            row("A2", client="Acme", caption="Spring sale!", date="2026-03-16")]
    found = run(rows, NOW, "duplicate-caption")
    assert [(f.row, f.message) for f in found] == [
        (4, "Same caption as row 2 on Instagram, 4 days apart. Write a new caption or drop "
            "one of the posts.")]


# --------------------------------------------------------------------------------------------
# stale-unpublished: a grace of several days is that many whole hours after the publish time.

STALE = (2, "status", "stale-unpublished")


@pytest.mark.parametrize(("date", "grace", "expected"), [
    pytest.param("2026-03-07 08:59", 72, {STALE}, id="a-minute-past-three-days"),
    pytest.param("2026-03-07 09:00", 72, set(), id="exactly-three-days"),
    pytest.param("2026-02-28 08:59", 240, {STALE}, id="a-minute-past-ten-days"),
    pytest.param("2026-02-28 09:00", 240, set(), id="exactly-ten-days"),
])
def test_stale_after_a_grace_of_days(date: str, grace: int, expected: set[Key]) -> None:
    found = run([row("P1", date=date)], NOW, "stale-unpublished",
                rules={"content": {"stale_grace_hours": grace}})
    assert keys(found) == expected
