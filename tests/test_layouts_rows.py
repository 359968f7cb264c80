"""Rows of real calendars that are not posts, and channel cells naming several channels.

A calendar holds "Week 3" labels, legends ("Pilier 1 : Annonce / hype" alone in the Notes
column) and the header repeated further down: they are left out of every rule and listed in
one info finding (``rows-not-posts``). A channel cell such as "IG Reels + YouTube Shorts +
TikTok; repurpose to X + LinkedIn" is one post on each channel it names, for cadence, calendar
gaps, posts per day and the caption and hashtag limits; the sheet row is still named once.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import HEADER, at, audit, calendar_config, keys, only, row

from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.findings import to_findings
from sheets_sync.model import Finding
from sheets_sync.outputs.plan import cadence
from sheets_sync.parse import ChannelCell, parse
from sheets_sync.rules.base import Context
from sheets_sync.run import run_once
from sheets_sync.state import StateStore
from sheets_sync.validate import validate

NOW = at("2026-03-10 09:00")
LAYOUT = ["Publish date", "Channel", "Status", "Caption", "Notes"]
WIDTH = len(LAYOUT)


def post(date: str = "2026-03-20 10:00", channel: str = "Instagram", status: str = "Draft",
         caption: str = "Hello", notes: str = "") -> list[Any]:
    return [date, channel, status, caption, notes]


def alone(column: str, value: Any) -> list[Any]:
    """A row whose only filled cell is ``value`` in ``column``."""
    cells: list[Any] = [None] * WIDTH
    cells[LAYOUT.index(column)] = value
    return cells


def found_in(rows: list[list[Any]], *codes: str, **calendar: Any) -> list[Finding]:
    if codes:
        calendar.setdefault("rules", {})["levels"] = only(*codes)
    return audit(rows, NOW, header=LAYOUT, **calendar)


def one(found: list[Finding], code: str) -> Finding:
    hits = [f for f in found if f.code == code]
    assert len(hits) == 1, hits
    return hits[0]


# --------------------------------------------------------------------------------------------
# rows that are not posts


def test_week_labels_and_a_legend_are_left_out_and_listed_once() -> None:
    rows = [post(), alone("Publish date", "Week 3"), alone("Publish date", "WEEK 2 — launch"),
            post("2026-03-21 10:00"), alone("Notes", "Pilier 1 : Annonce / hype"),
            alone("Notes", "Pilier 2 : Lieux (les 3 fanzones)"), alone("Status", "JULY"),
            [None] * WIDTH]
    config = calendar_config()
    calendar = parse([LAYOUT, *rows], config)
    assert calendar.frame["row"].tolist() == [2, 5]
    found = found_in(rows, "missing-required", "invalid-date", "unknown-status",
                     "rows-not-posts")
    note = one(found, "rows-not-posts")
    assert (note.row, note.severity.label) == (None, "info")
    assert note.message == ("Not read as posts, so no rule looks at them: rows 3-4, 6-8 (a "
                            "label or legend: only one cell is filled).")
    assert [f for f in found if f.code != "rows-not-posts"] == []


def test_the_header_repeated_is_left_out_and_a_title_above_the_header_is_never_read() -> None:
    title: list[Any] = ["Content calendar — March 2026", None, None, None, None]
    repeated = ["publish date", "Channel", "STATUS", "Caption", "Notes"]
    rows = [post(), repeated, post("2026-03-21 10:00"), alone("Notes", "Legend")]
    calendar = parse([title, LAYOUT, *rows], calendar_config())
    assert calendar.header_row == 2
    assert calendar.frame["row"].tolist() == [3, 5]
    config = calendar_config(rules={"levels": only(
        "rows-not-posts", "missing-required", "invalid-date", "unknown-status",
        "unknown-channel")})
    found = to_findings(validate(parse([title, LAYOUT, *rows], config), config, NOW))
    assert [(f.code, f.message) for f in found] == [
        ("rows-not-posts", "Not read as posts, so no rule looks at them: row 4 (the header "
                           "repeated); row 6 (a label or legend: only one cell is filled).")]


@pytest.mark.parametrize(("cells", "expected"), [
    pytest.param(post(channel="", status="", notes=""), {(2, "status", "missing-required")},
                 id="date-and-caption"),
    pytest.param(alone("Publish date", "2026-03-20"), {(2, "status", "missing-required")},
                 id="a-date-alone"),
    pytest.param(alone("Publish date", "TBC"), {
        (2, "publish_at", "date-not-set"), (2, "status", "missing-required")},
        id="a-date-not-set-alone"),
    pytest.param(alone("Publish date", "2026-13-45"), {
        (2, "publish_at", "invalid-date"), (2, "status", "missing-required")},
        id="an-unreadable-date-alone"),
    pytest.param(alone("Caption", "Teaser for the launch"), {
        (2, "publish_at", "missing-required"), (2, "status", "missing-required")},
        id="a-caption-alone"),
    pytest.param(alone("Status", "Draft"), {(2, "publish_at", "missing-required")},
                 id="a-known-status-alone"),
    pytest.param(alone("Channel", "IG + TikTok"), {
        (2, "publish_at", "missing-required"), (2, "status", "missing-required")},
        id="known-channels-alone"),
    pytest.param(alone("Channel", "IG Reels"), {
        (2, "publish_at", "missing-required"), (2, "status", "missing-required")},
        id="a-channel-and-format-alone"),
])
def test_a_post_with_most_cells_blank_is_still_a_post(cells: list[Any],
                                                      expected: set[Any]) -> None:
    found = found_in([cells], "missing-required", "invalid-date", "date-not-set",
                     "rows-not-posts")
    assert keys(found) == expected


def test_rows_that_are_not_posts_get_no_id_and_are_never_written() -> None:
    """assign_ids writes an ID into posts without one; a label row gets none."""
    label: list[Any] = [None] * len(HEADER)
    label[HEADER.index("Publish date")] = "Week 12"
    tab = [list(HEADER), row(""), label, row("", caption="Second")]
    backend = MemoryBackend({"Calendar": [list(r) for r in tab]})
    config = calendar_config(tab="Calendar", assign_ids=True,
                             rules={"levels": only("rows-not-posts", "missing-required",
                                                   "missing-id")})
    result = run_once(config, backend, StateStore(":memory:"), NOW)
    assert result.guarded == ["row 2: ID SS-00001 assigned", "row 4: ID SS-00002 assigned"]
    assert backend.tabs["Calendar"][2] == label
    assert result.calendar.frame["row"].tolist() == [2, 4]
    assert set(result.findings["code"]) == {"rows-not-posts", "missing-id"}
    assert sorted(result.findings.loc[result.findings["code"] == "missing-id", "row"]) == [2, 4]


def test_rows_filled_only_in_columns_no_field_reads_are_listed_not_dropped_unsaid() -> None:
    header = ["Week", *LAYOUT, "Ideas"]
    rows = [[None, *post(), None],
            ["Week 12", *[None] * WIDTH, None],  # a label in an unread column
            [12, *[None] * WIDTH, None],  # a number alone: no label, still no post
            ["W13", *[None] * WIDTH, "Team photo reel"],  # two unread cells
            [None, *post(date="2026-03-21 10:00"), "Behind the scenes"]]
    found = audit(rows, NOW, header=header, rules={"levels": only("rows-not-posts")})
    assert one(found, "rows-not-posts").message == (
        "Not read as posts, so no rule looks at them: row 3 (a label or legend: only one "
        "cell is filled); rows 4-5 (only columns no field reads are filled).")
    calendar = parse([header, *rows], calendar_config())
    assert calendar.frame["row"].tolist() == [2, 6]


def test_an_unread_column_label_joins_the_labels_of_read_columns() -> None:
    header = [*LAYOUT, "Week"]
    rows = [[*post(), None], [*alone("Publish date", "Week 3"), None],
            [*[None] * WIDTH, "Week 4"]]
    found = audit(rows, NOW, header=header, rules={"levels": only("rows-not-posts")})
    assert one(found, "rows-not-posts").message == (
        "Not read as posts, so no rule looks at them: rows 3-4 (a label or legend: only one "
        "cell is filled).")


def test_an_id_less_calendar_derives_keys_for_posts_only() -> None:
    calendar = parse([LAYOUT, post(), alone("Publish date", "Week 12")], calendar_config())
    assert calendar.frame["post_id"].tolist() == ["Acme/Instagram/2026-03-20/Hello"]


def test_the_notice_speaks_turkish() -> None:
    found = audit([post(), alone("Notes", "Açıklama")], NOW, header=LAYOUT, language="tr",
                  rules={"levels": only("rows-not-posts")})
    assert one(found, "rows-not-posts").message == (
        "Gönderi olarak okunmadı, hiçbir kurala girmiyor: 3. satır (bir başlık ya da "
        "açıklama: yalnızca bir hücre dolu).")


# --------------------------------------------------------------------------------------------
# a channel cell naming several channels

LAUNCH = "IG Reels + YouTube Shorts + TikTok; repurpose to X + LinkedIn"


@pytest.mark.parametrize(("cell", "channels"), [
    pytest.param(LAUNCH, ("instagram", "youtube", "tiktok", "x", "linkedin"), id="launch"),
    pytest.param("Instagram + LinkedIn", ("instagram", "linkedin"), id="plus"),
    pytest.param("Instagram & Facebook", ("instagram", "facebook"), id="ampersand"),
    pytest.param("LinkedIn, X", ("linkedin", "x"), id="comma"),
    pytest.param("IG/FB", ("instagram", "facebook"), id="slash"),
    pytest.param("Instagram and TikTok", ("instagram", "tiktok"), id="and"),
    pytest.param("TikTok; cross-post to Instagram Stories", ("tiktok", "instagram"),
                 id="cross-post"),
    pytest.param("IG Reels + Instagram feed", ("instagram",), id="the-same-channel-twice"),
    pytest.param("X/Twitter", ("x",), id="one-name-with-a-slash"),
    pytest.param("YouTube Shorts", ("youtube",), id="a-channel-and-its-format"),
])
def test_a_cell_is_split_into_the_channels_it_names(cell: str, channels: tuple[str, ...]
                                                    ) -> None:
    calendar = parse([LAYOUT, post(channel=cell)], calendar_config())
    positions, names = calendar.channel_posts()
    assert positions.tolist() == [0] * len(channels)
    assert tuple(names.tolist()) == channels
    assert calendar.frame["channel"].tolist() == [channels[0]]
    assert calendar.frame["channel_raw"].tolist() == [cell]
    several = len(channels) > 1
    assert (cell in calendar.channel_cells) is several
    found = found_in([post(channel=cell)], "unknown-channel", "several-channels")
    assert [f.code for f in found] == ["several-channels"] * several


def test_rows_naming_several_channels_are_said_once() -> None:
    rows = [post(channel=LAUNCH), post(channel="Instagram"), post(channel="LinkedIn + X"),
            post(channel="LinkedIn + X")]
    note = one(found_in(rows, "several-channels"), "several-channels")
    assert (note.row, note.column, note.severity.label) == (None, "channel", "info")
    assert note.message == (
        "On rows 2, 4-5 the channel cell names several channels (such as “" + LAUNCH + "”: "
        "instagram, youtube, tiktok, x, linkedin): such a post counts once on every channel it "
        "names, for cadence, calendar gaps, posts per day and the caption and hashtag limits.")


def test_an_unknown_part_is_named_alone_and_the_known_parts_still_count() -> None:
    cell = "Instagram + Reddit (r/SideProject, r/ClaudeAI)"
    calendar = parse([LAYOUT, post(channel=cell)], calendar_config())
    assert calendar.channel_cells == {cell: ChannelCell(("instagram",), ("Reddit",))}
    found = found_in([post(channel=cell), post(channel="Reddit (r/ChatGPT)")],
                     "unknown-channel")
    assert keys(found) == {(2, "channel", "unknown-channel"), (3, "channel", "unknown-channel")}
    part = next(f for f in found if f.row == 2)
    assert part.message.startswith(f"Channel “Reddit” in “{cell}” is not known: the post "
                                   "counts only on instagram. Use one of: instagram, ")
    whole = next(f for f in found if f.row == 3)
    assert whole.message.startswith("Channel “Reddit (r/ChatGPT)” is not known.")


def test_two_unknown_parts_give_one_finding_naming_both() -> None:
    found = found_in([post(channel="TikTok + Reddit + Product Hunt")], "unknown-channel")
    assert keys(found) == {(2, "channel", "unknown-channel")}
    assert found[0].message.startswith("Channel “Reddit”, “Product Hunt” in “TikTok + Reddit + "
                                       "Product Hunt” is not known: the post counts only on "
                                       "tiktok.")


def test_a_channel_named_in_a_multi_channel_cell_has_no_false_gap() -> None:
    """X is posted alone once, then every five days inside "IG + X": no gap on X."""
    rows = [post("2026-03-10 10:00", "X")] + [
        post(f"2026-03-{day} 10:00", "IG + X") for day in (15, 20, 25, 30)] + [
        post("2026-04-04 10:00", "IG + X")]
    assert found_in(rows, "calendar-gap") == []
    # Only the multi-channel rows name X after 10 March: without them X has a gap.
    gaps = found_in(rows[:1] + [post(f"2026-03-{d} 10:00", "Instagram") for d in (15, 20)],
                    "calendar-gap")
    assert [f.message for f in gaps if " X post " in f.message] == [
        "Acme: no X post from 2026-03-11 to 2026-04-06 (27 days). Plan a post in that gap."]


def test_posts_per_day_count_each_channel_and_name_a_row_once() -> None:
    rows = [post("2026-03-20 10:00", "TikTok"), post("2026-03-20 11:00", "TikTok"),
            post("2026-03-20 12:00", "IG Reels + TikTok"),
            post("2026-03-21 10:00", "X"), post("2026-03-21 10:00", "LinkedIn"),
            post("2026-03-21 11:00", "X"), post("2026-03-21 11:00", "LinkedIn"),
            post("2026-03-21 12:00", "LinkedIn + X")]
    found = found_in(rows, "too-many-per-day", rules={"cadence": {"max_per_day": 2}})
    assert [(f.row, f.column) for f in found] == [(4, "publish_at"), (9, "publish_at")]
    assert found[0].message == ("3 TikTok posts for Acme on 2026-03-20; at most 2 a day. Move "
                                "this one to another day.")
    assert found[1].message.startswith("3 LinkedIn posts for Acme on 2026-03-21")


def test_cadence_counts_a_post_on_each_channel_it_names() -> None:
    rows = [post("2026-03-11 10:00", "IG Reels + TikTok"),
            post("2026-03-12 10:00", "IG Reels + TikTok"), post("2026-03-13 10:00", "IG")]
    rules = {"cadence": {"posts_per_week": {"tiktok": 2, "instagram": 3, "youtube": 1},
                         "horizon_days": 6}}
    found = found_in(rows, "cadence-below-contract", rules=rules)
    assert [f.message for f in found] == [
        "Acme: 0 YouTube posts planned in week 11 (2026-03-09); the contract says 1. Plan "
        "1 more."]
    config = calendar_config(rules=rules)
    context = Context(parse([LAYOUT, *rows], config), config, NOW)
    planned = {(r[1], r[3]) for r in cadence(context)}
    assert planned == {("Instagram", 3), ("TikTok", 2), ("YouTube", 0)}


def test_the_strictest_limit_of_the_channels_applies_and_is_named() -> None:
    tags = " ".join(f"#t{i}" for i in range(31))
    rows = [post(channel="Instagram + X", caption="c" * 300),
            post(channel="Instagram + LinkedIn", caption=f"Hello {tags}"),
            post(channel="LinkedIn + YouTube", caption="c" * 3100),
            post(channel="Facebook + LinkedIn", caption="c" * 2500)]
    found = found_in(rows, "caption-too-long", "too-many-hashtags")
    assert sorted((f.row, f.code, f.message) for f in found) == [
        (2, "caption-too-long", "The caption has 300 characters; X (the strictest of "
                                "“Instagram + X”) allows 280. Shorten it by 20."),
        (3, "too-many-hashtags", "The post has 31 hashtags; Instagram (the strictest of "
                                 "“Instagram + LinkedIn”) allows 30. Remove at least 1."),
        (4, "caption-too-long", "The caption has 3100 characters; LinkedIn (the strictest of "
                                "“LinkedIn + YouTube”) allows 3000. Shorten it by 100."),
    ]


def test_all_platforms_is_every_channel_the_calendar_uses() -> None:
    rows = [post("2026-03-11 10:00", "Instagram"), post("2026-03-12 10:00", "X"),
            post("2026-03-13 10:00", "All platforms"), post("2026-03-14 10:00", "All platforms")]
    calendar = parse([LAYOUT, *rows], calendar_config())
    positions, names = calendar.channel_posts()
    assert list(zip(positions.tolist(), names.tolist())) == [
        (0, "instagram"), (1, "x"), (2, "instagram"), (2, "x"), (3, "instagram"), (3, "x")]
    found = found_in(rows, "several-channels", "unknown-channel")
    assert [f.message for f in found] == [
        "“All platforms” (rows 4-5) is read as every channel this calendar uses: instagram, x."]


def test_all_platforms_alone_names_no_channel_and_stays_unknown() -> None:
    found = found_in([post(channel="All platforms")], "several-channels", "unknown-channel")
    assert keys(found) == {(2, "channel", "unknown-channel")}


def test_a_multi_channel_row_keeps_its_key_and_gets_each_finding_once() -> None:
    """Keys of single-channel rows are what they were; every finding names its row once."""
    rows = [post("2026-03-01 10:00", "Instagram"),
            post("2026-03-02 10:00", LAUNCH, caption="Launch day")]
    calendar = parse([LAYOUT, *rows], calendar_config())
    assert calendar.frame["post_id"].tolist() == [
        "Acme/Instagram/2026-03-01/Hello", f"Acme/{LAUNCH}/2026-03-02/Launch day"]
    found = audit(rows, NOW, header=LAYOUT)
    on_row = [(f.code, f.column) for f in found if f.row == 3]
    assert on_row == [("stale-unpublished", "status")]
