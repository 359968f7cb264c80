"""Words of a calendar's vocabularies: glob patterns for status and channel words
("published:*" for a published post's platform ID), "did you mean" only for near spellings and
never across a negation, and channels of their own written as tables with their limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import at, audit, calendar_config, keys, only

from sheets_sync.config import load
from sheets_sync.errors import ConfigError
from sheets_sync.model import Finding
from sheets_sync.parse import parse
from sheets_sync.vocab import WordTable

NOW = at("2026-03-10 09:00")
HEADER = ["ID", "Channel", "Publish date", "Status", "Caption"]


def post(post_id: str, channel: str = "Instagram", status: str = "Draft",
         caption: str = "Hello") -> list[Any]:
    return [post_id, channel, "2026-03-20 10:00", status, caption]


def statuses_read(cells: list[str], **calendar: Any) -> list[str]:
    rows = [post(f"P{i}", status=cell) for i, cell in enumerate(cells, 1)]
    return parse([HEADER, *rows], calendar_config(**calendar)).frame["status"].tolist()


def unknown(rows: list[list[Any]], code: str, **calendar: Any) -> list[Finding]:
    return audit(rows, NOW, header=HEADER, rules={"levels": only(code)}, **calendar)


# --------------------------------------------------------------------------------------------
# glob patterns

def test_a_status_pattern_reads_a_published_posts_platform_id() -> None:
    cells = ["published:18024453654", "Published: 17999", "PUBLISHED:abc-1", "published",
             "publishedx"]
    assert statuses_read(cells, statuses={"published": ["published:*"]}) == [
        "published", "published", "published", "published", ""]
    found = unknown([post("P1", status="published:18024453654")], "unknown-status",
                    statuses={"published": ["published:*"]})
    assert found == []


def test_published_with_an_id_is_not_built_in() -> None:
    """Without the pattern in the configuration such a cell stays unknown: a built-in
    "published*" would also read "Published? not yet" as published."""
    assert statuses_read(["published:18024453654"]) == [""]


def test_exact_words_win_over_patterns() -> None:
    cells = ["Approved", "APPROVED-HELD", "APPROVED-PENDING", "do-not-publish-yet",
             "DO-NOT-PUBLISH"]
    assert statuses_read(cells, statuses={"on_hold": ["APPROVED-*"],
                                          "cancelled": ["DO-NOT-*"],
                                          "draft": ["do-not-publish-yet"]}) == [
        "approved", "on_hold", "on_hold", "draft", "cancelled"]


def test_a_question_mark_is_one_character_and_a_sign_alone_stays_a_sign() -> None:
    rows = [post("P1", channel="TG1"), post("P2", channel="tg9"), post("P3", channel="TG12"),
            post("P4", channel="?")]
    config = calendar_config(channels={"telegram": ["tg?"], "x": ["?"]})
    frame = parse([HEADER, *rows], config).frame
    assert frame["channel"].tolist() == ["telegram", "telegram", "", "x"]


def test_channel_patterns_name_a_channel_in_several_spellings() -> None:
    rows = [post("P1", channel="linkedin-company"), post("P2", channel="LinkedIn Director"),
            post("P3", channel="linkedin")]
    found = unknown(rows, "unknown-channel", channels={"linkedin": ["linkedin-*"]})
    assert found == []


def test_a_cell_matching_patterns_of_two_statuses_is_unknown_and_names_both() -> None:
    config = {"statuses": {"published": ["published:*"], "draft": ["*:draft"]}}
    assert statuses_read(["published:draft", "published:1", "v2:draft"], **config) == [
        "", "published", "draft"]
    found = unknown([post("P1", status="published:draft"), post("P2", status="published:1"),
                     post("P3", status="Pubished")], "unknown-status", **config)
    assert keys(found) == {(2, "status", "unknown-status"), (4, "status", "unknown-status")}
    both = next(f for f in found if f.row == 2)
    assert "“published:draft”" in both.message
    assert "published (published:*), draft (*:draft)" in both.message
    assert "Did you mean" not in both.message
    typo = next(f for f in found if f.row == 4)
    assert "Did you mean “published”?" in typo.message
    assert "published (published:*)" not in typo.message


def test_patterns_are_matched_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    read = WordTable.read

    def counting(self: WordTable, text: str) -> str:
        seen.append(text)
        return read(self, text)

    monkeypatch.setattr(WordTable, "read", counting)
    cells = ["published:1", "published:2", "Draft"] * 200
    assert statuses_read(cells, statuses={"published": ["published:*"]}).count(
        "published") == 400
    assert {"Draft", "published:1", "published:2"} <= set(seen)
    # each distinct text once; besides the statuses, at most the blank text and the
    # channel column's one value ("Instagram", read when channel cells are split)
    assert len(seen) == len(set(seen))
    assert set(seen) <= {"Draft", "published:1", "published:2", "", "Instagram"}


@pytest.mark.parametrize(("data", "problem"), [
    ({"formats": {"reel": ["Reel*"]}},
     "calendars[0].formats.reel: 'Reel*': patterns (* and ?) are read in statuses and "
     "channels only"),
    ({"statuses": {"published": ["live:*"], "scheduled": ["LIVE: *"]}},
     "calendars[0].statuses.scheduled: pattern 'LIVE: *' is also written for published"),
], ids=["format-pattern", "one-pattern-two-meanings"])
def test_configuration_errors_of_patterns(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        calendar_config(**data)
    assert problem in str(raised.value)


# --------------------------------------------------------------------------------------------
# "did you mean": near spellings only, never across a negation

@pytest.mark.parametrize(("cell", "language", "suggestion"), [
    ("Pubished", "en", "“published”"),
    ("Schedled", "en", "“scheduled”"),
    # a word the list of known statuses does not hold: the listed status it means follows
    ("sent to clinet", "en", "“sent to client” (client review)"),
    ("DO-NOT-PUBLISH", "en", None),
    ("unpublished", "en", None),
    ("Not approved", "en", None),
    ("not published", "en", None),
    ("Postponed", "en", None),  # far from "posted": no guess
    ("Yayınlnadı", "tr", "“yayınlandı” (published)"),
    ("Yayınlanmadı", "tr", None),  # "not published": the -ma the suggestion lacks
    ("Paylaşılmadı", "tr", None),
    ("Müşteri onayında değil", "tr", None),  # "not with the client"
])
def test_did_you_mean_only_for_a_near_spelling_of_the_same_sense(
        cell: str, language: str, suggestion: str | None) -> None:
    found = unknown([post("P1", status=cell)], "unknown-status", language=language)
    assert keys(found) == {(2, "status", "unknown-status")}
    message = found[0].message
    if suggestion is None:
        assert ("Did you mean" if language == "en" else "demek istediniz") not in message
    elif language == "en":
        assert f"Did you mean {suggestion}?" in message
    else:
        assert f"{suggestion} mı demek istediniz?" in message


def test_a_negated_word_still_gets_a_negated_suggestion() -> None:
    """A configured word that holds the same negation may be suggested."""
    found = unknown([post("P1", status="not redy")], "unknown-status",
                    statuses={"on_hold": ["not ready"]})
    assert "Did you mean “not ready”?" in found[0].message


def test_a_channel_abbreviation_is_not_corrected() -> None:
    found = unknown([post("P1", channel="TG"), post("P2", channel="Instagarm")],
                    "unknown-channel")
    by_row = {f.row: f.message for f in found}
    assert "Did you mean" not in by_row[2]
    assert "Did you mean “instagram”?" in by_row[3]


# --------------------------------------------------------------------------------------------
# channels of their own, written as tables

TELEGRAM = {"telegram": {"limit": 4096, "hashtags": 3, "words": ["TG"]}}


def test_a_channel_table_gives_its_words_and_its_own_limits() -> None:
    rows = [post("P1", channel="TG", caption="x" * 5000),
            post("P2", channel="Telegram", caption="y" * 4000),
            post("P3", channel="telegram", caption="Hi #a #b #c #d"),
            post("P4", channel="TG", caption="Hi #a #b #c")]
    found = audit(rows, NOW, header=HEADER, channels=TELEGRAM, rules={
        "levels": only("unknown-channel", "caption-too-long", "too-many-hashtags")})
    assert keys(found) == {(2, "caption", "caption-too-long"),
                           (4, "caption", "too-many-hashtags")}
    by_code = {f.code: f.message for f in found}
    assert "5000 characters; TG allows 4096" in by_code["caption-too-long"]
    assert "4 hashtags; telegram allows 3" in by_code["too-many-hashtags"]


def test_a_client_may_still_have_its_own_limit_for_the_channel() -> None:
    header = ["ID", "Client", "Channel", "Publish date", "Status", "Caption"]
    rows = [["A1", "Acme", "TG", "2026-03-20", "Draft", "x" * 200],
            ["B1", "Beta", "TG", "2026-03-20", "Draft", "x" * 200]]
    found = audit(rows, NOW, header=header, channels=TELEGRAM, rules={
        "levels": only("caption-too-long")}, clients={"Beta": {"rules": {"content": {
            "caption_limits": {"telegram": 100}}}}})
    assert keys(found) == {(3, "caption", "caption-too-long")}
    assert "allows 100" in found[0].message


def test_a_channel_table_is_read_from_a_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "agency.toml"
    path.write_text('''
[[calendars]]
name = "acme"
backend = "memory"
[calendars.channels]
x = ["X (Twitter)"]
[calendars.channels.telegram]
limit = 4096
hashtags = 5
words = ["TG", "Telegram channel"]
''', encoding="utf-8")
    config = load(path).calendars[0]
    assert config.channels == {"x": ("X (Twitter)",), "telegram": ("TG", "Telegram channel")}
    assert config.channel_names()[-1] == "telegram"
    assert (config.rules.caption_limit("telegram"), config.rules.hashtag_limit("telegram")) == (
        4096, 5)
    assert config.rules.caption_limit("x") == 280


@pytest.mark.parametrize(("table", "problem"), [
    ({"limit": 0}, "calendars[0].channels.telegram.limit: must be a positive integer (got 0)"),
    ({"limit": "4096"},
     "calendars[0].channels.telegram.limit: must be a positive integer (got '4096')"),
    ({"limit": True}, "calendars[0].channels.telegram.limit: must be a positive integer"),
    ({"hashtags": -1},
     "calendars[0].channels.telegram.hashtags: must be zero or a positive integer (got -1)"),
    ({"words": ["TG", 7]}, "calendars[0].channels.telegram.words: must be a list of text"),
    ({"limits": 4096}, "calendars[0].channels.telegram.limits: unknown key (known keys here: "
                       "hashtags, limit, words)"),
], ids=["zero", "text", "boolean", "negative-hashtags", "word-not-text", "misspelt-key"])
def test_channel_table_errors_name_the_key(table: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        calendar_config(channels={"telegram": table})
    assert problem in str(raised.value)


def test_a_limit_written_twice_is_reported_not_chosen() -> None:
    with pytest.raises(ConfigError) as raised:
        calendar_config(channels={"telegram": {"limit": 4096}},
                        rules={"content": {"caption_limits": {"telegram": 1000}}})
    assert ("calendars[0].channels.telegram.limit: is 4096 but "
            "calendars[0].rules.content.caption_limits.telegram is 1000; keep one"
            ) in str(raised.value)
    same = calendar_config(channels={"telegram": {"limit": 4096}},
                           rules={"content": {"caption_limits": {"telegram": 4096}}})
    assert same.rules.caption_limit("telegram") == 4096


def test_a_tweet_is_a_post() -> None:
    """Calendars planned for X call their single posts tweets ("Content Type: Tweet")."""
    header = [*HEADER, "Format"]
    rows = [[*post("P1", channel="X"), "Tweet"], [*post("P2", channel="X"), "tweets"],
            [*post("P3", channel="X"), "Thread"]]
    frame = parse([header, *rows], calendar_config()).frame
    assert frame["format"].tolist() == ["post", "post", "thread"]
