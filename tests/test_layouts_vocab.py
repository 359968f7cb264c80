"""Open vocabularies, on small calendars shaped like real ones: channels outside the built-in
eight (Telegram, a blog, e-mail), status words agencies use (Pending, drafted, review_pending,
sent for approval, rejected, queued_auto) and French headers (Plateforme, Statut, Pilier)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import at, audit, calendar_config, keys, only

from sheets_sync.errors import ConfigError
from sheets_sync.parse import parse

NOW = at("2026-03-10 09:00")
HEADER = ["ID", "Channel", "Publish date", "Status", "Caption"]


def post(post_id: str, channel: str, caption: str = "Hello", status: str = "Draft",
         date: str = "2026-03-20 10:00") -> list[Any]:
    return [post_id, channel, date, status, caption]


def test_a_configured_channel_is_known_and_has_its_own_limits() -> None:
    rows = [post("P1", "Telegram", "x" * 300), post("P2", "TG", "y" * 5000),
            post("P3", "Mastodon")]
    found = audit(rows, NOW, header=HEADER, channels={"telegram": ["TG"]},
                  rules={"content": {"caption_limits": {"telegram": 4096}},
                         "levels": only("unknown-channel", "caption-too-long")})
    assert keys(found) == {(3, "caption", "caption-too-long"), (4, "channel", "unknown-channel")}
    too_long = next(f for f in found if f.code == "caption-too-long")
    assert "5000" in too_long.message and "4096" in too_long.message
    unknown = next(f for f in found if f.code == "unknown-channel")
    assert unknown.message.endswith("pinterest, telegram, TG.")


def test_a_configured_channel_without_a_limit_has_none() -> None:
    found = audit([post("P1", "Blog", "x" * 70_000)], NOW, header=HEADER,
                  channels={"blog": []}, rules={"levels": only("caption-too-long",
                                                               "unknown-channel")})
    assert found == []


@pytest.mark.parametrize(("data", "problem"), [
    ({"channels": {"Tele gram": ["t"]}}, "calendars[0].channels.\"Tele gram\": a new name must "
                                         "be lower-case letters, digits, - or _"),
    ({"rules": {"content": {"caption_limits": {"telegram": 4096}}}},
     "calendars[0].rules.content.caption_limits.telegram: unknown channel (channels: "
     "instagram, facebook, x, linkedin, tiktok, youtube, threads, pinterest; add one in "
     "[calendars.channels])"),
    ({"statuses": {"ready": ["Ready"]}}, "calendars[0].statuses.ready: unknown workflow state"),
], ids=["bad-name", "limit-of-unknown-channel", "new-status"])
def test_configuration_errors_of_vocabularies(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        calendar_config(**data)
    assert problem in str(raised.value)


def test_a_configured_channel_can_have_a_cadence_contract() -> None:
    config = calendar_config(channels={"telegram": []},
                             rules={"cadence": {"posts_per_week": {"telegram": 2}}})
    assert config.channel_names()[-1] == "telegram"


@pytest.mark.parametrize(("word", "state"), [
    ("Pending", "draft"), ("drafted", "draft"), ("review_pending", "internal_review"),
    ("Ready for review", "internal_review"), ("Sent for approval", "client_review"),
    ("Rejected", "changes_requested"), ("queued_auto", "scheduled"), ("To do", "idea"),
    ("Onaya gönderildi", "client_review"), ("Reddedildi", "changes_requested"),
])
def test_status_words_of_real_calendars(word: str, state: str) -> None:
    cal = parse([HEADER, post("P1", "X", status=word)], calendar_config())
    assert cal.frame["status"].tolist() == [state]


def test_ready_is_not_taken_as_an_approval() -> None:
    """'Ready' can mean ready to review or ready to post: it stays unknown until the
    calendar's configuration says which."""
    found = audit([post("P1", "X", status="Ready")], NOW, header=HEADER,
                  rules={"levels": only("unknown-status")})
    assert keys(found) == {(2, "status", "unknown-status")}


def test_a_french_calendar_is_read_without_mapping() -> None:
    header = ["Date", "Plateforme", "Format", "Pilier", "Caption (FR)", "Statut", "Notes"]
    cal = parse([header, ["2026-05-05", "Instagram", "Story", "Annonce", "Bonjour", "Draft",
                          ""]], calendar_config())
    assert {f: cal.headers[f] for f in ("channel", "status", "pillar", "caption")} == {
        "channel": "Plateforme", "status": "Statut", "pillar": "Pilier",
        "caption": "Caption (FR)"}


def test_a_platforms_column_is_the_channel() -> None:
    cal = parse([["Date", "Platforms", "Status"], ["2026-05-05", "TikTok", "Draft"]],
                calendar_config())
    assert cal.headers["channel"] == "Platforms"


@pytest.mark.parametrize(("link", "flagged"), [
    ("Https://cdn.example.com/a.jpg", False), ("HTTPS://CDN.EXAMPLE.COM/A.JPG", False),
    ("HTTP://example", True), ("abcdefghijklmnopqrstuvwxyz://x.png", True),
    ("2026 cover://draft.png", False), ("posts/day-01.jpg", False),
], ids=["capital-scheme", "all-capitals", "capital-no-host", "long-scheme", "in-text", "path"])
def test_link_schemes_ignore_case(link: str, flagged: bool) -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption", "Asset"]
    found = audit([["P1", "X", "2026-03-20", "Draft", "Hi", link]], NOW, header=header,
                  columns={"asset": ["Asset"]}, rules={"levels": only("invalid-link")})
    assert keys(found) == ({(2, "asset", "invalid-link")} if flagged else set())
