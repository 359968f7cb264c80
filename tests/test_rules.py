"""Behaviour of every rule: exact (row, column, code) findings on small inline calendars."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pandas as pd
import pytest
from conftest import HEADER, at, audit, calendar_config, keys, only, row
from conftest import audit_only as run
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.codes import CODES
from sheets_sync.model import Finding, Severity
from sheets_sync.parse import parse

NOW = at("2026-03-10 09:00")  # a Tuesday
UTC = dt.timezone.utc




def one(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------------------------
# missing-required


def test_missing_required_publish_date_and_status() -> None:
    found = run([row("P1", date=None), row("P2", status=""), row("P3")], NOW,
                "missing-required")
    assert keys(found) == {(2, "publish_at", "missing-required"),
                           (3, "status", "missing-required")}
    assert all(f.severity is Severity.ERROR for f in found)
    assert {f.message for f in found} == {"Publish date is empty: every post needs it. Fill it in.",
                                          "Status is empty: every post needs it. Fill it in."}


def test_missing_required_caption_and_asset_only_from_client_review_on() -> None:
    found = run([row("P1", status="Draft", caption="", asset=""),
                 row("P2", status="Client review", caption=""),
                 row("P3", status="Approved", asset=" "),
                 row("P4", status="Published")], NOW, "missing-required")
    assert keys(found) == {(3, "caption", "missing-required"), (4, "asset", "missing-required")}
    caption = next(f for f in found if f.column == "caption")
    assert "“Client review”" in caption.message


def test_missing_caption_and_asset_among_many_links_and_captions() -> None:
    # Links that share their start are known not to be blank without looking at each; the
    # blank ones among them, and captions of white space alone, are still reported.
    rows = [row(f"P{i}", status="Approved", caption=f"Post {i}",
                asset=f"https://cdn.example.com/{i}.jpg") for i in range(3000)]
    rows[10] = row("P10", status="Approved", asset="\t")
    rows[2500] = row("P2500", status="Approved", caption="\u00a0\n ")
    rows[2600] = row("P2600", status="Approved", asset="https://cdn.example.com/ ")
    found = run(rows, NOW, "missing-required")
    assert keys(found) == {(12, "asset", "missing-required"), (2502, "caption", "missing-required")}


def test_invalid_date_is_not_also_reported_missing() -> None:
    found = run([row("P1", date="31.02.2026")], NOW, "missing-required", "invalid-date")
    assert keys(found) == {(2, "publish_at", "invalid-date")}


# --------------------------------------------------------------------------------------------
# parse-level codes seen through audit


def test_invalid_date_29_february() -> None:
    found = run([row("P1", date="2028-02-29"), row("P2", date="29.02.2026"),
                 row("P3", date="29.02.2028 10:00"), row("P4", date=60)], NOW, "invalid-date")
    assert keys(found) == {(3, "publish_at", "invalid-date"), (5, "publish_at", "invalid-date")}
    bad = next(f for f in found if f.row == 3)
    assert bad.severity is Severity.ERROR
    assert "“29.02.2026”" in bad.message and "Publish date" in bad.message


def test_invalid_time_number_and_boolean() -> None:
    header = [*HEADER, "Publish time", "Revision round", "Approved"]
    found = run([[*row("P1"), "25:00", "two", "maybe"], [*row("P2"), "10:00 AM", "2", "Evet"],
                 [*row("P3"), "", 1.5, "✓"]], NOW,
                "invalid-time", "invalid-number", "invalid-boolean", header=header)
    assert keys(found) == {(2, "publish_time", "invalid-time"),
                           (2, "revision_round", "invalid-number"),
                           (2, "approved", "invalid-boolean"),
                           (4, "revision_round", "invalid-number")}
    assert one(found, "invalid-boolean").severity is Severity.WARNING
    assert one(found, "invalid-time").severity is Severity.ERROR


def test_no_id_column_is_one_calendar_level_notice() -> None:
    header = [h for h in HEADER if h != "ID"]
    rows = [row(f"P{i}")[1:] for i in range(3)]
    found = run(rows, NOW, "no-id-column", "missing-id", "duplicate-id", header=header)
    assert [f.key() for f in found] == [(None, "post_id", "no-id-column")]
    assert found[0].severity is Severity.INFO
    assert "ID column" in found[0].message
    assert run([row("P1")], NOW, "no-id-column") == []


def test_duplicate_column_is_reported_on_the_header_row() -> None:
    header = ["ID", "Channel", "Date", "Status", "Publish date"]
    found = run([["P1", "Instagram", "2026-03-20", "Draft", "2026-03-25"]], NOW,
                "duplicate-column", header=header)
    assert keys(found) == {(1, "publish_at", "duplicate-column")}
    assert "“Date” (column C) is used" in found[0].message
    assert "“Publish date” (column E) is ignored" in found[0].message
    assert run([row("P1")], NOW, "duplicate-column") == []


# --------------------------------------------------------------------------------------------
# vocabularies


def test_unknown_status_suggests_the_closest_value() -> None:
    found = run([row("P1", status="Aproved"), row("P2", status="Approved")], NOW,
                "unknown-status")
    assert keys(found) == {(2, "status", "unknown-status")}
    assert "Did you mean “approved”?" in found[0].message
    assert "“Aproved”" in found[0].message


@pytest.mark.parametrize(("text", "state"), [
    ("Onaylandı", "approved"), ("ONAYLANDI", "approved"), ("onaylandi", "approved"),
    ("Müşteri onayında", "client_review"), ("MÜŞTERİ ONAYINDA", "client_review"),
    ("müşteri onayinda", "client_review"), ("İptal", "cancelled"), ("IPTAL", "cancelled"),
    ("iptal", "cancelled"), ("İPTAL", "cancelled"), ("Yayınlandı", "published"),
    ("Taslak", "draft"), ("Revize", "changes_requested"), ("  In progress ", "draft"),
])
def test_turkish_and_english_statuses_map(text: str, state: str) -> None:
    config = calendar_config()
    cal = parse([HEADER, row("P1", status=text)], config)
    assert cal.frame["status"].tolist() == [state]
    assert run([row("P1", status=text)], NOW, "unknown-status") == []


def test_configured_status_values_map_and_are_listed() -> None:
    found = run([row("P1", status="Ready for client"), row("P2", status="Bogus")], NOW,
                "unknown-status", statuses={"client_review": ["Ready for client"]})
    assert keys(found) == {(3, "status", "unknown-status")}
    assert "Ready for client" in found[0].message


def test_unknown_channel_and_format() -> None:
    found = run([row("P1", channel="Instagarm"), row("P2", channel="Twitter"),
                 row("P3", fmt="Carousell"), row("P4", fmt="Reels"), row("P5", fmt="Hikaye")],
                NOW, "unknown-channel", "unknown-format")
    assert keys(found) == {(2, "channel", "unknown-channel"), (4, "format", "unknown-format")}
    channel, fmt = one(found, "unknown-channel"), one(found, "unknown-format")
    assert channel.severity is Severity.ERROR and fmt.severity is Severity.WARNING
    assert "“instagram”" in channel.message
    assert "“carousel”" in fmt.message


def test_unknown_pillar_only_when_pillars_are_configured() -> None:
    header = [*HEADER, "Pillar"]
    rows = [[*row("P1"), "Valeu"], [*row("P2"), "value"], [*row("P3"), ""],
            [*row("P4"), "PROMO"]]
    found = run(rows, NOW, "unknown-pillar", header=header,
                rules={"pillars": {"names": ["Value", "Promo"]}})
    assert keys(found) == {(2, "pillar", "unknown-pillar")}
    assert "“Value”" in found[0].message and found[0].severity is Severity.WARNING
    assert run(rows, NOW, "unknown-pillar", header=header) == []


# --------------------------------------------------------------------------------------------
# IDs


def test_posts_without_an_id_do_not_share_one() -> None:
    codes = ("missing-id", "duplicate-id")
    found = run([row("P1"), row(""), row(""), row("P2")], NOW, *codes)
    assert keys(found) == {(3, "post_id", "missing-id"), (4, "post_id", "missing-id")}
    found = run([row("P1"), row(""), row("P1"), row("")], NOW, *codes)
    assert keys(found) == {(3, "post_id", "missing-id"), (5, "post_id", "missing-id"),
                           (2, "post_id", "duplicate-id"), (4, "post_id", "duplicate-id")}
    found = run([row("P1"), row(""), row("P1")], NOW, *codes)
    assert keys(found) == {(3, "post_id", "missing-id"), (2, "post_id", "duplicate-id"),
                           (4, "post_id", "duplicate-id")}


def test_duplicate_id_names_the_other_rows() -> None:
    found = run([row("P1"), row("P2"), row("P1"), row("P3"), row("P3"), row("P3")], NOW,
                "duplicate-id")
    assert keys(found) == {(2, "post_id", "duplicate-id"), (4, "post_id", "duplicate-id"),
                           (5, "post_id", "duplicate-id"), (6, "post_id", "duplicate-id"),
                           (7, "post_id", "duplicate-id")}
    by_row = {f.row: f.message for f in found}
    assert "ID P1 is also used on row 4." in by_row[2]
    assert "ID P1 is also used on row 2." in by_row[4]
    assert "row 6, 7." in by_row[5]
    assert all(f.severity is Severity.ERROR for f in found)


def test_missing_id_when_the_id_column_exists() -> None:
    found = run([row("P1"), row(""), row("  ")], NOW, "missing-id", "duplicate-id")
    assert keys(found) == {(3, "post_id", "missing-id"), (4, "post_id", "missing-id")}
    assert all(f.severity is Severity.WARNING for f in found)


# --------------------------------------------------------------------------------------------
# captions, hashtags, links


@pytest.mark.parametrize(("channel", "limit"), [("Instagram", 2200), ("X", 280),
                                                ("Threads", 500), ("LinkedIn", 3000)])
def test_caption_length_limit_per_channel(channel: str, limit: int) -> None:
    rows = [row("P1", channel=channel, caption="a" * limit),
            row("P2", channel=channel, caption="ğ" * (limit + 1))]
    found = run(rows, NOW, "caption-too-long")
    assert keys(found) == {(3, "caption", "caption-too-long")}
    assert f"{limit + 1} characters; {channel} allows {limit}. Shorten it by 1." in (
        found[0].message)


def test_caption_limits_are_configurable() -> None:
    rows = [row("P1", caption="a" * 101), row("P2", channel="X", caption="b" * 281)]
    found = run(rows, NOW, "caption-too-long",
                rules={"content": {"caption_limits": {"instagram": 100, "x": 300}}})
    assert keys(found) == {(2, "caption", "caption-too-long")}


def _tags(count: int) -> str:
    return "Caption " + " ".join(f"#tag{i}" for i in range(count))


def test_thirty_instagram_hashtags_ok_thirty_one_too_many() -> None:
    rows = [row("P1", caption=_tags(30)), row("P2", caption=_tags(31)),
            row("P3", channel="Facebook", caption=_tags(40))]
    found = run(rows, NOW, "too-many-hashtags")
    assert keys(found) == {(3, "caption", "too-many-hashtags")}
    assert "31 hashtags; Instagram allows 30" in found[0].message
    assert found[0].severity is Severity.WARNING


def test_hashtags_column_counts_with_the_caption() -> None:
    header = [*HEADER, "Hashtags"]
    rows = [[*row("P1", caption=_tags(20)), _tags(10)],
            [*row("P2", caption=_tags(20)), "#a#b #c " * 4]]
    found = run(rows, NOW, "too-many-hashtags", header=header)
    assert keys(found) == {(3, "hashtags", "too-many-hashtags")}
    assert "32 hashtags" in found[0].message


def test_invalid_link() -> None:
    assets = ["https://cdn.example.com/a.jpg", "http://drive.google.com/file/d/x?usp=share",
              "brief.pdf", "", "https://cdn", "www.example.com/a.jpg", "https://exa mple.com/x",
              "ftp://files.example.com/a.jpg"]
    found = run([row(f"P{i}", asset=a) for i, a in enumerate(assets)], NOW, "invalid-link")
    assert keys(found) == {(6, "asset", "invalid-link"), (7, "asset", "invalid-link"),
                           (8, "asset", "invalid-link"), (9, "asset", "invalid-link")}
    assert all(f.severity is Severity.WARNING for f in found)


# Cells that begin as most cells of the column do and are looked at closely all the same:
# white space (a trailing newline is allowed by the link pattern), a start cut short, other
# letter case, other characters, a host written in other letters.
_ODD_LINKS = ["https://cdn.example.com/a b.jpg", "https://cdn.example.com/x.jpg\n",
              "https://cdn.example.com/x.jpg \n", "https://cdn.example.com/\x1fx",
              "https://cdn.example.com", "https://cdn.example.co", "HTTPS://CDN.EXAMPLE.COM/x",
              "https://cdn.example.com/é.jpg", "https://café.example.com/a.jpg",
              "https://cdn.example.com./x", " https://cdn.example.com/x", ""]


def test_invalid_links_among_many_that_share_their_start() -> None:
    from sheets_sync.rules.rows import _bad_link

    assets = [f"https://cdn.example.com/{i}.jpg" for i in range(70)] + _ODD_LINKS
    found = run([row(f"P{i}", asset=a) for i, a in enumerate(assets)], NOW, "invalid-link")
    bad = {i + 2 for i, asset in enumerate(assets) if _bad_link(asset)}
    assert bad == {72, 75, 81}  # a space inside, a control character, an empty label
    assert keys(found) == {(r, "asset", "invalid-link") for r in bad}


def test_cells_surely_links_are_links() -> None:
    import numpy as np

    from sheets_sync.rules.columns import surely_links
    from sheets_sync.rules.rows import _VALID_URL

    cells = np.array([f"https://cdn.example.com/{i}" for i in range(70)] + _ODD_LINKS,
                     dtype=object)
    surely = surely_links(cells)
    assert surely is not None
    assert surely.tolist() == [True] * 70 + [False] * len(_ODD_LINKS)
    assert all(_VALID_URL.match(cell) for cell in cells[surely])
    # No start to go by (file names), or a cell holding NUL: every cell is looked at.
    assert surely_links(np.array(["brief.pdf", "https://cdn.example.com/1"], dtype=object)
                         ) is not None
    assert surely_links(np.array(["brief.pdf"] * 3, dtype=object)) is None
    assert surely_links(np.array(["https://cdn.example.com/1", "a\0b"], dtype=object)) is None


def test_links_holding_any_ascii_character_are_sure_only_when_valid() -> None:
    # Every ASCII character, in the middle and at the end of a link that shares the column's
    # start: white space (tab, line breaks, the separators 0x1c-0x1f, space) makes it invalid.
    import numpy as np

    from sheets_sync.rules.columns import surely_links
    from sheets_sync.rules.rows import _VALID_URL

    chars = [chr(c) for c in range(1, 128)]
    odd = [f"https://cdn.example.com/a{c}b" for c in chars]
    odd += [f"https://cdn.example.com/a{c}" for c in chars]
    column = np.array(["https://cdn.example.com/x.jpg"] * 64 + odd, dtype=object)
    surely = surely_links(column)
    assert surely is not None
    assert surely.tolist()[64:] == [not c.isspace() for c in chars] * 2
    assert all(_VALID_URL.match(cell) for cell in column[surely].tolist())
    # A column whose links mostly start with a host of other letters has no start to go by.
    hosts = np.array(["https://café.example.com/a.jpg"] * 70, dtype=object)
    assert surely_links(hosts) is None


_LINK_PIECES = ["https://cdn.example.com/", "https://cdn.example.com", "http://cdn.example.com/",
                "HTTPS://cdn.example.com/", "https://cdn.example.co/", "a", "/", ".", ":80",
                "?q=1", "#x", " ", "\t", "\n", "\x1c", "\x85", "\u00a0", "\u2028", "é", "😀",
                "\x00", ""]


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.lists(st.sampled_from(_LINK_PIECES), max_size=5).map("".join),
                      min_size=1, max_size=80))
def test_a_cell_surely_a_link_is_one_to_the_regular_expression(cells: list[str]) -> None:
    # Soundness: a cell said to be surely a link must pass the full check; False says nothing.
    import numpy as np

    from sheets_sync.rules.columns import surely_links
    from sheets_sync.rules.rows import _VALID_URL

    column = np.array(["https://cdn.example.com/a.jpg"] * 20 + cells, dtype=object)
    surely = surely_links(column)
    if surely is not None:
        assert len(surely) == len(column)
        assert all(_VALID_URL.match(cell) for cell in column[surely].tolist())


_CAPTION_PIECES = ["Sale", "SALE", "sale", "ß", "SS", "İ", "i", "K", "\u212a", "k", "1", "2",
                   "!", "#", " ", "  ", "\n", "\u00a0", "\u3000", "☕", "ı", "\x00", ""]


@settings(max_examples=300, deadline=None)
@given(captions=st.lists(st.lists(st.sampled_from(_CAPTION_PIECES), max_size=6).map("".join),
                         min_size=1, max_size=40))
def test_captions_that_fold_alike_are_both_kept_as_may_repeat(captions: list[str]) -> None:
    # Soundness: the shortcut may keep too many captions, never drop one of a pair.
    import numpy as np

    from sheets_sync.rules.columns import may_repeat

    kept = may_repeat(np.array(captions, dtype=object)).tolist()
    folded = [" ".join(caption.casefold().split()) for caption in captions]
    for i, one in enumerate(folded):
        if folded.count(one) > 1:
            assert kept[i], captions[i]


def test_duplicate_caption_within_the_window_on_the_same_channel() -> None:
    rows = [row("P1", caption="Spring sale!", date="2026-03-12"),
            row("P2", caption="  spring   SALE! ", date="2026-04-11"),   # 30 days later
            row("P3", caption="Spring sale!", channel="Facebook", date="2026-03-13"),
            row("P4", caption="Summer", date="2026-03-12"),
            row("P5", caption="Summer", date="2026-04-12"),               # 31 days later
            row("P6", caption="Autumn", date="2026-03-12"),
            row("P7", caption="Autumn", date="2026-03-14", status="Cancelled")]
    found = run(rows, NOW, "duplicate-caption")
    assert keys(found) == {(3, "caption", "duplicate-caption")}
    assert "Same caption as row 2 on Instagram, 30 days apart" in found[0].message


def test_duplicate_captions_are_told_apart_even_when_their_hashes_collide(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Captions are sorted by the hash of their folded text. With every hash equal, neighbours
    # with other texts (Spring sale / Summer / spring sale / Autumn) must not be reported.
    from sheets_sync.rules import rows as row_rules

    monkeypatch.setattr(row_rules, "hash", lambda text: 7, raising=False)
    rows = [row("P1", caption="Spring sale!", date="2026-03-12"),
            row("P2", caption="Summer", date="2026-03-13"),
            row("P3", caption="spring  SALE!", date="2026-03-14"),
            row("P4", caption="Autumn", date="2026-03-15")]
    found = run(rows, NOW, "duplicate-caption")
    assert keys(found) == set()
    rows[1] = row("P2", caption="Spring Sale!", date="2026-03-13")
    found = run(rows, NOW, "duplicate-caption")
    assert keys(found) == {(3, "caption", "duplicate-caption"), (4, "caption", "duplicate-caption")}


def test_duplicate_captions_fold_letters_of_every_script_and_any_white_space() -> None:
    # Only captions holding the same ASCII digits and signs are folded and compared: letters
    # that fold to other letters (ß to ss, the kelvin sign to k, İ to i and a dot) and white
    # space of any kind must still make a pair.
    rows = [row("P1", caption="Straße 5!", date="2026-03-12"),
            row("P2", caption="STRASSE\u00a05!\n", date="2026-03-13"),
            row("P3", caption="300\u212a İzmir?", date="2026-03-12", channel="Facebook"),
            row("P4", caption="300k i\u0307zmir?", date="2026-03-14", channel="Facebook"),
            row("P5", caption="Strasse 6!", date="2026-03-15"),
            row("P6", caption="caf\0é 5!", date="2026-03-16"),
            row("P7", caption="CAF\0É 5!", date="2026-03-17")]
    found = run(rows, NOW, "duplicate-caption")
    assert keys(found) == {(3, "caption", "duplicate-caption"),
                           (5, "caption", "duplicate-caption"),
                           (8, "caption", "duplicate-caption")}


def test_folding_keeps_every_ascii_digit_and_sign_of_a_caption() -> None:
    # What lets the duplicate-caption rule fold only the captions that may have a twin: no
    # character's casefold holds an ASCII digit or sign unless it is that character.
    from sheets_sync.rules.columns import FOLD_KEPT

    kept = {chr(c) for c in FOLD_KEPT}
    assert kept >= set("0123456789#!?.,:;-_/()@&%+\"'") and not kept & set("aZ \t")
    changed = [hex(code) for code in range(0x110000)
               if [c for c in chr(code).casefold() if c in kept] != [c for c in chr(code)
                                                                    if c in kept]]
    assert changed == []


def test_captions_that_may_repeat_once_folded() -> None:
    import numpy as np

    from sheets_sync.rules.columns import may_repeat

    captions = np.array(["Straße 5!", "STRASSE  5!", "Strasse 6!", "x\0y 6", "X\0Y 6", "7"],
                        dtype=object)
    assert may_repeat(captions).tolist() == [True, True, False, True, True, False]


def test_stale_unpublished() -> None:
    rows = [row("P1", date="2026-03-09 10:00", status="Draft"),
            row("P2", date="2026-03-09 10:00", status="Published"),
            row("P3", date="2026-03-09 10:00", status="Cancelled"),
            row("P4", date="2026-03-10 09:00", status="Scheduled"),  # exactly now
            row("P5", date="2026-03-10 09:01", status="Draft")]
    found = run(rows, NOW, "stale-unpublished")
    assert keys(found) == {(2, "status", "stale-unpublished")}
    assert "2026-03-09 10:00 has passed" in found[0].message
    assert run(rows, NOW, "stale-unpublished",
               rules={"content": {"stale_grace_hours": 24}}) == []


# --------------------------------------------------------------------------------------------
# approval-missing


def test_approval_missing_lead_days_count_business_days() -> None:
    rows = [row("P1", date="2026-03-16 10:00", status="Client review")]  # a Monday
    # Thursday: Thursday and Friday are left, the weekend does not count -> within 2 days.
    found = run(rows, at("2026-03-12 09:00"), "approval-missing")
    assert keys(found) == {(2, "status", "approval-missing")}
    assert found[0].severity is Severity.ERROR
    assert "Publishes 2026-03-16 10:00 and is not approved yet" in found[0].message
    # Wednesday: three business days are left.
    assert run(rows, at("2026-03-11 09:00"), "approval-missing") == []


def test_approval_missing_lead_days_skip_public_holidays() -> None:
    rows = [row("P1", date="2026-03-24 10:00", status="Draft")]  # Tuesday after the Bayram
    # Thursday 19 March: Thursday and Monday are left (20 March is Ramazan Bayramı).
    found = run(rows, at("2026-03-19 09:00"), "approval-missing")
    assert keys(found) == {(2, "status", "approval-missing")}
    assert run(rows, at("2026-03-19 09:00"), "approval-missing",
               clients={"Acme": {"country": "DE"}}) == []


def test_approval_missing_urgent_hours_boundary_is_critical() -> None:
    rows = [row("P1", date="2026-03-11 09:00", status="Draft")]
    found = run(rows, at("2026-03-10 09:00"), "approval-missing")
    assert keys(found) == {(2, "status", "approval-missing")}
    assert found[0].severity is Severity.CRITICAL
    assert "24 hours from now" in found[0].message
    later = run(rows, at("2026-03-10 08:59"), "approval-missing")
    assert keys(later) == {(2, "status", "approval-missing")}
    assert later[0].severity is Severity.ERROR


def test_a_past_unapproved_post_gets_one_finding_that_says_both() -> None:
    """Left behind and never approved is one root cause: stale-unpublished says both; the
    critical "has passed" approval-missing is only for a calendar that switched stale off."""
    rows = [row("P1", date="2026-03-10 08:00", status="Internal review"),
            row("P2", date="2026-03-10 08:00", status="Published"),
            row("P3", date="2026-03-09 08:00", status="On hold")]
    found = run(rows, NOW, "approval-missing", "stale-unpublished")
    assert [(f.row, f.code, f.severity.label) for f in found] == [
        (4, "stale-unpublished", "warning"), (2, "stale-unpublished", "warning")]
    assert found[1].message == (
        "The publish time 2026-03-10 08:00 has passed and the post is still “Internal review”, "
        "never approved. Get the approval and reschedule it, or mark it cancelled.")
    assert found[0].message.startswith("The publish time 2026-03-09 08:00 has passed and the "
                                       "post is still “On hold”. Publish or reschedule it")
    graced = run(rows, NOW, "approval-missing", "stale-unpublished",
                 rules={"content": {"stale_grace_hours": 2}})  # not stale yet: approval's
    assert [(f.row, f.code, f.severity.label) for f in graced] == [
        (2, "approval-missing", "critical"), (4, "stale-unpublished", "warning")]


def test_approval_missing_publish_time_passed_is_critical() -> None:
    found = run([row("P1", date="2026-03-10 08:00", status="Internal review")], NOW,
                "approval-missing")
    assert keys(found) == {(2, "status", "approval-missing")}
    assert found[0].severity is Severity.CRITICAL
    assert "has passed and the post was never approved" in found[0].message


def test_approval_missing_not_reported_once_approved_or_stopped() -> None:
    rows = [row("P1", date="2026-03-10 20:00", status=s)
            for s in ("Approved", "Scheduled", "Published", "On hold", "Cancelled")]
    assert run(rows, NOW, "approval-missing") == []


def test_approval_recorded_in_columns_clears_approval_missing() -> None:
    """A yes clears it; an approver's name beside a blank flag records no approval."""
    header = [*HEADER, "Approved by", "Approved"]
    rows = [[*row("P1", date="2026-03-10 20:00"), "Zeynep", ""],
            [*row("P2", date="2026-03-10 20:00"), "", "Yes"],
            [*row("P3", date="2026-03-10 20:00"), "", ""]]
    found = run(rows, NOW, "approval-missing", header=header)
    assert keys(found) == {(2, "status", "approval-missing"), (4, "status", "approval-missing")}


def test_explicit_no_in_the_approved_column_wins_over_a_reviewer_name() -> None:
    # Agency sheets name the reviewer ("Review by") next to an "Approved (Yes/No)" flag.
    header = [*HEADER, "Review By", "Approved (Yes/No)"]
    rows = [[*row("P1", date="2026-03-10 20:00"), "Zeynep", "No"],
            [*row("P2", date="2026-03-10 20:00"), "Zeynep", "Yes"]]
    found = run(rows, NOW, "approval-missing", header=header)
    assert keys(found) == {(2, "status", "approval-missing")}


def test_approval_missing_uses_the_clients_local_date_tokyo() -> None:
    # 2026-03-09 16:00 UTC is Tuesday 01:00 in Tokyo but still Monday in Istanbul.
    now = dt.datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    rows = [row("P1", client="Tokyo Co", date="2026-03-12 00:30", status="Draft"),
            row("P2", client="Tokyo Co", date="2026-03-11 00:30", status="Draft")]
    clients = {"Tokyo Co": {"timezone": "Asia/Tokyo", "country": "JP"}}
    found = run(rows, now, "approval-missing", clients=clients)
    assert keys(found) == {(2, "status", "approval-missing"), (3, "status", "approval-missing")}
    severities = {f.row: f.severity for f in found}
    assert severities == {2: Severity.ERROR, 3: Severity.CRITICAL}  # 23.5 hours away
    assert "23 hours from now" in next(f.message for f in found if f.row == 3)
    # Read in Istanbul (Monday 19:00), Thursday is three business days away.
    istanbul = run(rows, now, "approval-missing")
    assert keys(istanbul) == {(3, "status", "approval-missing")}
    assert istanbul[0].severity is Severity.ERROR


def test_approval_missing_uses_the_clients_local_date_new_york() -> None:
    # 2026-03-10 03:00 UTC is Monday 23:00 in New York (daylight saving time since 8 March).
    now = dt.datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    rows = [row("P1", client="NY", date="2026-03-12 00:15", status="Draft"),   # Thursday
            row("P2", client="NY", date="2026-03-10 00:15", status="Draft")]   # in 75 minutes
    clients = {"NY": {"timezone": "America/New_York", "country": "US"}}
    found = run(rows, now, "approval-missing", clients=clients)
    assert keys(found) == {(3, "status", "approval-missing")}
    assert found[0].severity is Severity.CRITICAL
    assert "1 hour from now" in found[0].message


# --------------------------------------------------------------------------------------------
# went out without approval, approvers, approval dates

APPROVAL_HEADER = [*HEADER, "Approved by", "Approved on"]


def test_published_and_scheduled_without_approval() -> None:
    rows = [[*row("P1", status="Published", date="2026-03-01"), "", ""],
            [*row("P2", status="Scheduled"), "", ""],
            [*row("P3", status="Published", date="2026-03-01"), "Zeynep", "2026-02-27"],
            [*row("P4", status="Scheduled"), "", "2026-03-05"],
            [*row("P5", status="Draft"), "", ""]]
    codes = ("published-without-approval", "scheduled-without-approval")
    found = run(rows, NOW, *codes, header=APPROVAL_HEADER)
    assert keys(found) == {(2, "status", "published-without-approval"),
                           (3, "status", "scheduled-without-approval")}
    assert all(f.severity is Severity.CRITICAL for f in found)


def test_without_approval_columns_the_status_is_the_only_record() -> None:
    rows = [row("P1", status="Published", date="2026-03-01"), row("P2", status="Scheduled")]
    assert run(rows, NOW, "published-without-approval", "scheduled-without-approval") == []


def test_approver_not_authorized_per_client() -> None:
    rows = [[*row("P1"), "zeynep  KAYA", "2026-03-09"], [*row("P2"), "Mehmet", "2026-03-09"],
            [*row("P3", client="Beta"), "Mehmet", "2026-03-09"], [*row("P4"), "", ""],
            [*row("P5"), "Mehmet", ""]]  # a name with no approval date approved nothing
    found = run(rows, NOW, "approver-not-authorized", header=APPROVAL_HEADER,
                rules={"approvals": {"approvers": ["Zeynep Kaya"]}},
                clients={"Beta": {"rules": {"approvals": {"approvers": ["Mehmet"]}}}})
    assert keys(found) == {(3, "approved_by", "approver-not-authorized")}
    assert "“Mehmet”" in found[0].message and "(Zeynep Kaya)" in found[0].message
    assert found[0].severity is Severity.ERROR
    assert run(rows, NOW, "approver-not-authorized", header=APPROVAL_HEADER) == []


def test_approval_after_publish() -> None:
    rows = [[*row("P1", date="2026-03-05 10:00", status="Published"), "Z", "2026-03-05 12:00"],
            [*row("P2", date="2026-03-05 10:00", status="Published"), "Z", "05.03.2026"],
            [*row("P3", date="2026-03-05 10:00", status="Published"), "Z", "06.03.2026"],
            [*row("P4", date="2026-03-05 10:00", status="Published"), "Z", "2026-03-05 09:59"]]
    found = run(rows, NOW, "approval-after-publish", header=APPROVAL_HEADER)
    assert keys(found) == {(2, "approved_at", "approval-after-publish"),
                           (4, "approved_at", "approval-after-publish")}
    assert all(f.severity is Severity.WARNING for f in found)
    by_row = {f.row: f.message for f in found}
    assert "dated 2026-03-06, after the publish time 2026-03-05 10:00" in by_row[4]


# --------------------------------------------------------------------------------------------
# client feedback

FEEDBACK_HEADER = [*HEADER, "Sent for review", "Feedback due"]


def review(sent: Any, due: Any = "", post_id: str = "P1", **kwargs: Any) -> list[Any]:
    kwargs.setdefault("status", "Client review")
    kwargs.setdefault("date", "2026-04-30 10:00")
    return [*row(post_id, **kwargs), sent, due]


def feedback(rows: list[list[Any]], now: dt.datetime, **calendar: Any) -> list[Finding]:
    return run(rows, now, "feedback-overdue", "deemed-approved", header=FEEDBACK_HEADER,
               **calendar)


def test_feedback_not_overdue_at_the_deadline_overdue_a_minute_later() -> None:
    rows = [review("2026-03-10 10:00")]  # Tuesday; 2 business days -> Thursday 10:00
    assert feedback(rows, at("2026-03-12 10:00")) == []
    found = feedback(rows, at("2026-03-12 10:01"))
    assert keys(found) == {(2, "feedback_due", "feedback-overdue")}
    assert found[0].severity is Severity.WARNING
    assert "since 2026-03-10 10:00; it was due 2026-03-12 10:00. Remind" in found[0].message


def test_feedback_overdue_only_in_client_review() -> None:
    rows = [review("2026-03-02 10:00", status=s) for s in
            ("Changes requested", "Approved", "Draft", "Cancelled")]
    assert feedback(rows, NOW) == []


def test_feedback_overdue_column_is_status_without_a_feedback_due_column() -> None:
    header = [*HEADER, "Sent for review"]
    found = run([[*row("P1", status="Client review"), "2026-03-02 10:00"]], NOW,
                "feedback-overdue", header=header)
    assert keys(found) == {(2, "status", "feedback-overdue")}


def test_feedback_window_skips_23_april() -> None:
    rows = [review("2026-04-22 10:00")]  # Wednesday; Thursday 23 April is a holiday
    assert feedback(rows, at("2026-04-24 10:01")) == []
    assert feedback(rows, at("2026-04-27 10:00")) == []
    found = feedback(rows, at("2026-04-27 10:01"))
    assert keys(found) == {(2, "feedback_due", "feedback-overdue")}
    assert "due 2026-04-27 10:00" in found[0].message
    # A German client works on 23 April: due Friday 10:00.
    german = feedback(rows, at("2026-04-24 10:01"), clients={"Acme": {"country": "DE"}})
    assert keys(german) == {(2, "feedback_due", "feedback-overdue")}


def test_feedback_window_skips_ramazan_bayrami() -> None:
    rows = [review("2026-03-19 10:00")]  # Thursday; 20-22 March 2026 is Ramazan Bayramı
    assert feedback(rows, at("2026-03-24 10:00")) == []
    found = feedback(rows, at("2026-03-24 10:01"))
    assert keys(found) == {(2, "feedback_due", "feedback-overdue")}


def test_feedback_escalates_to_error_naming_the_contact() -> None:
    rows = [review("2026-03-10 10:00")]  # due Thursday 12 March 10:00
    contact = {"feedback": {"escalation_contact": "Elif (account lead)"}}
    friday = feedback(rows, at("2026-03-13 10:01"), rules=contact)
    assert keys(friday) == {(2, "feedback_due", "feedback-overdue")}
    assert friday[0].severity is Severity.WARNING
    monday = feedback(rows, at("2026-03-16 10:01"), rules=contact)
    assert keys(monday) == {(2, "feedback_due", "feedback-overdue")}
    assert monday[0].severity is Severity.ERROR
    assert "2 business days ago. Escalate to Elif (account lead)." in monday[0].message
    unnamed = feedback(rows, at("2026-03-16 10:01"))
    assert "Escalate to the account manager." in unnamed[0].message
    late = feedback(rows, at("2026-03-16 10:01"),
                    rules={"feedback": {"escalate_after_days": 3}})
    assert late[0].severity is Severity.WARNING


def test_explicit_date_only_feedback_due_lasts_to_the_end_of_the_day() -> None:
    rows = [review("2026-03-02 10:00", due="12.03.2026")]
    assert feedback(rows, at("2026-03-12 23:59")) == []
    found = feedback(rows, at("2026-03-13 00:01"))
    assert keys(found) == {(2, "feedback_due", "feedback-overdue")}
    assert "it was due 2026-03-12." in found[0].message


def test_explicit_feedback_due_without_a_review_start() -> None:
    found = feedback([review("", due="12.03.2026")], at("2026-03-13 10:00"))
    assert keys(found) == {(2, "feedback_due", "feedback-overdue")}
    assert found[0].message == ("Waiting for the client's feedback; it was due 2026-03-12. "
                                "Remind the client.")
    tr = feedback([review("", due="12.03.2026")], at("2026-03-13 10:00"), language="tr")
    assert tr[0].message.startswith("Müşteri geri bildirimi bekleniyor; son tarih 12.03.2026")


def test_explicit_feedback_due_with_a_time() -> None:
    rows = [review("2026-03-02 10:00", due="2026-03-12 15:00")]
    assert feedback(rows, at("2026-03-12 15:00")) == []
    assert keys(feedback(rows, at("2026-03-12 15:01"))) == {
        (2, "feedback_due", "feedback-overdue")}


def test_date_only_sent_for_review_counts_from_the_end_of_that_day() -> None:
    rows = [review("2026-03-10")]  # Tuesday -> due at the end of Thursday
    assert feedback(rows, at("2026-03-12 23:59")) == []
    assert keys(feedback(rows, at("2026-03-13 00:01"))) == {
        (2, "feedback_due", "feedback-overdue")}


def test_sent_on_a_weekend_counts_from_monday() -> None:
    rows = [review("2026-03-14 10:00")]  # Saturday -> Monday and Tuesday
    assert feedback(rows, at("2026-03-17 23:59")) == []
    assert keys(feedback(rows, at("2026-03-18 00:01"))) == {
        (2, "feedback_due", "feedback-overdue")}


def test_deemed_approval_is_reported_not_silent() -> None:
    rows = [review("2026-03-10 10:00")]  # Tuesday
    window = {"feedback": {"deemed_approved_after_days": 3}}
    before = feedback(rows, at("2026-03-13 10:00"), rules=window)
    assert keys(before) == {(2, "feedback_due", "feedback-overdue")}
    found = feedback(rows, at("2026-03-13 10:01"), rules=window)
    assert keys(found) == {(2, "status", "deemed-approved")}
    assert found[0].severity is Severity.INFO
    assert "after 3 business days the contract counts this post as approved" in (
        found[0].message)
    assert "deemed-approved" not in {f.code for f in feedback(rows, at("2026-03-20 10:00"))}


def test_feedback_sla_per_client() -> None:
    rows = [review("2026-03-10 10:00", post_id="A1"),
            review("2026-03-10 10:00", post_id="B1", client="Beta")]
    found = feedback(rows, at("2026-03-13 10:01"),
                     clients={"Beta": {"rules": {"feedback": {"sla_days": 5}}}})
    assert keys(found) == {(2, "feedback_due", "feedback-overdue")}
    assert found[0].client == "Acme"
    assert keys(feedback(rows, at("2026-03-17 10:01"),
                         clients={"Beta": {"rules": {"feedback": {"sla_days": 5}}}})) == {
        (2, "feedback_due", "feedback-overdue"), (3, "feedback_due", "feedback-overdue")}


def test_feedback_messages_of_posts_that_share_their_dates_and_of_those_that_do_not() -> None:
    # Posts sent and due alike, of one client, share a message worded once; each post still
    # gets the message of its own dates, lateness and client's contact.
    rows = [review("2026-03-02 10:00", post_id=f"A{i}") for i in range(3)]
    rows += [review("2026-03-03", post_id="A3"), review("", due="05.03.2026", post_id="A4"),
             review("2026-03-02 10:00", post_id="B1", client="Beta"),
             review("2026-03-02 10:00", due="2026-03-06 15:00", post_id="A5"),
         review("2026-03-02 10:00", due="2026-03-09 08:00", post_id="A6")]
    contacts = {"Beta": {"rules": {"feedback": {"escalation_contact": "Elif"}}}}
    found = feedback(rows, NOW, clients=contacts)
    assert [(f.row, f.message) for f in sorted(found, key=lambda f: f.row or 0)] == [
        *[(row_, "Waiting for the client's feedback since 2026-03-02 10:00; it was due "
                 "2026-03-04 10:00, 4 business days ago. Escalate to the account manager.")
          for row_ in (2, 3, 4)],
        (5, "Waiting for the client's feedback since 2026-03-03; it was due 2026-03-05, "
            "2 business days ago. Escalate to the account manager."),
        (6, "Waiting for the client's feedback; it was due 2026-03-05, 2 business days ago. "
            "Escalate to the account manager."),
        (7, "Waiting for the client's feedback since 2026-03-02 10:00; it was due "
            "2026-03-04 10:00, 4 business days ago. Escalate to Elif."),
        (8, "Waiting for the client's feedback since 2026-03-02 10:00; it was due "
            "2026-03-06 15:00, 2 business days ago. Escalate to the account manager."),
        (9, "Waiting for the client's feedback since 2026-03-02 10:00; it was due "
            "2026-03-09 08:00. Remind the client.")]


def test_combinations_number_each_distinct_set_of_values_once() -> None:
    import numpy as np

    from sheets_sync.rules.base import combinations

    when = np.array(["2026-03-02", "NaT", "2026-03-02", "NaT", "2026-03-02"],
                    dtype="datetime64[ns]")
    flag = np.array([True, False, True, False, False])
    late = np.array([3, 3, 3, 3, 3])
    codes, first = combinations(when, flag, late)
    assert codes.tolist() == [0, 1, 0, 1, 2]
    assert first.tolist() == [0, 1, 4]
    assert combinations(np.array([1.5, np.nan, np.nan]))[0].tolist() == [0, 1, 1]
    # Columns of many values each: more combinations than one number holds, numbered afresh.
    rng = np.random.default_rng(4)
    many = [rng.integers(0, 1000, 3000) for _ in range(8)]
    for column in many:
        column[1::2] = column[::2]  # each entry twice in a row
    rows = list(zip(*(column.tolist() for column in many)))
    numbered = {row: n for n, row in enumerate(dict.fromkeys(rows))}
    codes, first = combinations(*many)
    assert codes.tolist() == [numbered[row] for row in rows]
    assert first.tolist() == [rows.index(row) for row in numbered]


# --------------------------------------------------------------------------------------------
# revisions

REVISION_HEADER = [*HEADER, "Revision round", "Extra rounds"]
REVISIONS = ("revision-last-round", "revision-limit-exceeded")


def rounds(used: Any, extra: Any = "", post_id: str = "P1", **kwargs: Any) -> list[Any]:
    kwargs.setdefault("status", "Client review")
    return [*row(post_id, **kwargs), used, extra]


def test_revision_last_round_and_limit_exceeded() -> None:
    rows = [rounds(1), rounds(2, post_id="P2"), rounds(2, post_id="P3", status="Draft"),
            rounds(3, post_id="P4"), rounds(3, 1, post_id="P5"), rounds(4, 1, post_id="P6"),
            rounds(5, post_id="P7", status="Cancelled")]
    found = run(rows, NOW, *REVISIONS, header=REVISION_HEADER)
    assert keys(found) == {(3, "revision_round", "revision-last-round"),
                           (5, "revision_round", "revision-limit-exceeded"),
                           (6, "revision_round", "revision-last-round"),
                           (7, "revision_round", "revision-limit-exceeded")}
    by_row = {f.row: f for f in found}
    assert by_row[3].severity is Severity.WARNING
    assert "after 2 of 2 revision rounds" in by_row[3].message
    assert by_row[5].severity is Severity.ERROR
    assert "3 revision rounds used, 2 allowed: 1 billable extra round" in by_row[5].message
    assert "after 3 of 3 revision rounds" in by_row[6].message
    assert "4 revision rounds used, 3 allowed: 2 billable extra rounds" in by_row[7].message


def test_included_rounds_per_client() -> None:
    rows = [rounds(3, post_id="A1"), rounds(3, post_id="B1", client="Beta")]
    found = run(rows, NOW, *REVISIONS, header=REVISION_HEADER,
                clients={"Beta": {"rules": {"revisions": {"included_rounds": 4}}}})
    assert keys(found) == {(2, "revision_round", "revision-limit-exceeded")}


# --------------------------------------------------------------------------------------------
# calendar level


def test_cadence_below_contract_per_iso_week() -> None:
    rows = [row("P1", date="2026-03-09 10:00"), row("P2", date="2026-03-11 10:00"),
            row("P3", date="2026-03-15 10:00", fmt="Story"),  # week 11: three
            row("P4", date="2026-03-16 10:00"), row("P5", date="2026-03-22 10:00"),
            row("P6", date="2026-03-18 10:00", status="Cancelled")]  # week 12: two
    rules = {"cadence": {"posts_per_week": {"instagram": 3}, "horizon_days": 13}}
    found = run(rows, NOW, "cadence-below-contract", rules=rules)
    assert [f.key() for f in found] == [(None, "channel", "cadence-below-contract")]
    assert found[0].severity is Severity.WARNING
    assert found[0].client == "Acme"
    assert "2 Instagram posts planned in week 12 (2026-03-16); the contract says 3. " \
           "Plan 1 more." in found[0].message
    rules["cadence"]["posts_per_week"] = {"instagram": 2}
    assert run(rows, NOW, "cadence-below-contract", rules=rules) == []


def test_cadence_reports_a_contracted_channel_with_no_posts() -> None:
    rules = {"cadence": {"posts_per_week": {"linkedin": 1}, "horizon_days": 6}}
    found = run([row("P1")], NOW, "cadence-below-contract", rules=rules)
    assert len(found) == 1 and "0 LinkedIn posts planned in week 11" in found[0].message


def test_too_many_per_day_ranks_posts_at_the_same_time_in_sheet_order() -> None:
    rows = [row("P1", date="2026-03-12 10:00"), row("P2", date="2026-03-12 09:00"),
            row("P3", date="2026-03-12 10:00"), row("P4", date="2026-03-12 10:00"),
            row("P5", date="2026-03-13 10:00")]
    found = run(rows, NOW, "too-many-per-day")
    assert keys(found) == {(5, "publish_at", "too-many-per-day")}  # P4: last of the 10:00s
    found = run(rows, NOW, "too-many-per-day", rules={"cadence": {"max_per_day": 1}})
    assert keys(found) == {(r, "publish_at", "too-many-per-day") for r in (2, 4, 5)}


def test_too_many_per_day_flags_the_posts_beyond_the_limit_stories_excluded() -> None:
    rows = [row("P1", date="2026-03-12 12:00"), row("P2", date="2026-03-12 09:00"),
            row("P3", date="2026-03-12 10:00"), row("P4", date="2026-03-12 08:00", fmt="Story"),
            row("P5", date="2026-03-12 11:00"), row("P6", date="2026-03-12 13:00",
                                                    channel="Facebook"),
            row("P7", date="2026-03-12 14:00", status="Cancelled")]
    found = run(rows, NOW, "too-many-per-day")
    assert keys(found) == {(2, "publish_at", "too-many-per-day")}  # the latest of four
    assert "4 Instagram posts for Acme on 2026-03-12; at most 3 a day" in found[0].message
    assert run(rows[1:], NOW, "too-many-per-day") == []
    assert run(rows, NOW, "too-many-per-day", rules={"cadence": {"max_per_day": 4}}) == []


def test_too_many_per_day_on_days_years_apart() -> None:
    # Few posts over many days: the posts of each (client, channel, day) are not counted in
    # a table of every day between the first and the last.
    rows = [row(f"P{i}", date="2026-03-12 10:00") for i in range(4)]
    rows += [row(f"Q{i}", date="2046-03-12 10:00") for i in range(4)]
    found = run(rows, NOW, "too-many-per-day")
    assert keys(found) == {(5, "publish_at", "too-many-per-day"),
                           (9, "publish_at", "too-many-per-day")}


def test_entries_sharing_a_key_are_counted_with_or_without_a_table() -> None:
    import numpy as np

    from sheets_sync.rules.calendar import _distinct, _shared

    small = np.array([5, 3, 5, 0, 5])
    large = small * 10**9
    assert _shared(small).tolist() == _shared(large).tolist() == [3, 1, 3, 1, 3]
    assert _distinct(small).tolist() == [0, 3, 5]
    assert _distinct(large).tolist() == [0, 3 * 10**9, 5 * 10**9]
    assert _shared(np.array([-1, 2, -1])).tolist() == [2, 1, 2]
    assert _distinct(np.array([], dtype=np.int64)).tolist() == []


def _gap_rows(second: str) -> list[list[Any]]:
    return [row("P1", date="2026-03-10 10:00"), row("P2", date=second),
            row("P3", date="2026-03-23 10:00")]


def test_calendar_gap_exactly_gap_days_is_not_flagged() -> None:
    rules = {"cadence": {"horizon_days": 14}}  # 10 March .. 23 March
    assert run(_gap_rows("2026-03-18 10:00"), NOW, "calendar-gap", rules=rules) == []
    found = run(_gap_rows("2026-03-19 10:00"), NOW, "calendar-gap", rules=rules)
    assert [f.key() for f in found] == [(None, "channel", "calendar-gap")]
    assert "no Instagram post from 2026-03-11 to 2026-03-18 (8 days)" in found[0].message
    assert found[0].severity is Severity.WARNING


def test_calendar_gap_at_the_start_of_the_horizon() -> None:
    rules = {"cadence": {"horizon_days": 14, "gap_days": 3}}
    found = run([row("P1", date="2026-03-14 10:00"), row("P2", date="2026-03-17 10:00"),
                 row("P3", date="2026-03-21"), row("P4", date="2026-03-23")], NOW,
                "calendar-gap", rules=rules)
    assert len(found) == 1
    assert "from 2026-03-10 to 2026-03-13 (4 days)" in found[0].message


PILLAR_HEADER = [*HEADER, "Pillar"]
PILLARS = {"pillars": {"targets": {"Value": 70, "Promo": 30}, "tolerance_pct": 10}}


def _mix(value: int, promo: int) -> list[list[Any]]:
    pillars = ["Value"] * value + ["promo"] * promo
    return [[*row(f"P{i}", date=f"2026-04-{i + 1:02d}"), p] for i, p in enumerate(pillars)]


def test_pillar_mix_exactly_at_the_tolerance_is_not_flagged() -> None:
    assert run(_mix(6, 4), NOW, "pillar-mix-off-target", header=PILLAR_HEADER,
               rules=PILLARS) == []


def test_pillar_mix_beyond_the_tolerance() -> None:
    found = run(_mix(5, 5), NOW, "pillar-mix-off-target", header=PILLAR_HEADER, rules=PILLARS)
    assert [f.key() for f in found] == [(None, "pillar", "pillar-mix-off-target")] * 2
    messages = sorted(f.message for f in found)
    assert "Acme, 2026-04: “Promo” is 50% of the posts; the target is 30%" in messages[0]
    assert "“Value” is 50% of the posts; the target is 70%" in messages[1]
    tighter = {"pillars": {**PILLARS["pillars"], "tolerance_pct": 5}}
    assert len(run(_mix(6, 4), NOW, "pillar-mix-off-target", header=PILLAR_HEADER,
                   rules=tighter)) == 2


def test_pillar_mix_needs_min_posts() -> None:
    assert run(_mix(7, 0), NOW, "pillar-mix-off-target", header=PILLAR_HEADER,
               rules=PILLARS) == []


def _april(ready: int, ideas: int = 3) -> list[list[Any]]:
    statuses = ["Draft"] * ready + ["Idea"] * ideas
    return [row(f"P{i}", date=f"2026-04-{i + 1:02d}", status=s) for i, s in enumerate(statuses)]


def test_next_month_not_ready_from_the_configured_day() -> None:
    rules = {"cadence": {"posts_per_week": {"instagram": 2}}}  # April: round(2*30/7) = 9
    assert run(_april(7), at("2026-03-19 23:59"), "next-month-not-ready", rules=rules) == []
    found = run(_april(7), at("2026-03-20 00:00"), "next-month-not-ready", rules=rules)
    assert [f.key() for f in found] == [(None, "status", "next-month-not-ready")]
    assert "Acme, 2026-04: only 7 of the 9 contracted posts are in draft or later (78%)" in (
        found[0].message)
    assert run(_april(8), at("2026-03-20 00:00"), "next-month-not-ready", rules=rules) == []
    later = {"cadence": {"posts_per_week": {"instagram": 2}, "next_month_from_day": 25}}
    assert run(_april(7), at("2026-03-24 12:00"), "next-month-not-ready", rules=later) == []


def test_next_month_not_ready_needs_a_contract() -> None:
    assert run(_april(0), at("2026-03-25 12:00"), "next-month-not-ready") == []


# --------------------------------------------------------------------------------------------
# severity levels, per client


STALE = [row("A1", date="2026-03-09 10:00"), row("B1", client="Beta", date="2026-03-09 10:00")]


def test_calendar_level_severity_override_and_off() -> None:
    found = run(STALE, NOW, "stale-unpublished",
                rules={"levels": {"stale-unpublished": "critical"}})
    assert keys(found) == {(2, "status", "stale-unpublished"), (3, "status", "stale-unpublished")}
    assert {f.severity for f in found} == {Severity.CRITICAL}
    # Switched off, it leaves its past, unapproved drafts to approval-missing's "has passed".
    off = audit(STALE, NOW, rules={"levels": {"stale-unpublished": "off"}})
    assert {f.key() for f in off} - {f.key() for f in audit(STALE, NOW)} == {
        (2, "status", "approval-missing"), (3, "status", "approval-missing")}
    assert not [f for f in off if f.code == "stale-unpublished"]


def test_client_level_severity_override_and_off() -> None:
    found = run(STALE, NOW, "stale-unpublished",
                clients={"Beta": {"rules": {"levels": {"stale-unpublished": "info"}}}})
    assert {(f.row, f.severity) for f in found} == {(2, Severity.WARNING), (3, Severity.INFO)}
    off = run(STALE, NOW, "stale-unpublished",
              clients={"Beta": {"rules": {"levels": {"stale-unpublished": "off"}}}})
    assert keys(off) == {(2, "status", "stale-unpublished")}


def test_client_can_switch_on_a_code_the_calendar_switches_off() -> None:
    found = audit(STALE, NOW, rules={"levels": {**only(), "stale-unpublished": "off"}},
                  clients={"Beta": {"rules": {"levels": {"stale-unpublished": "error"}}}})
    assert [(f.key(), f.severity) for f in found] == [
        ((3, "status", "stale-unpublished"), Severity.ERROR)]


def test_client_level_applies_to_parse_findings_of_its_rows() -> None:
    rows = [row("A1", date="31.02.2026"), row("B1", client="Beta", date="31.02.2026")]
    found = run(rows, NOW, "invalid-date",
                clients={"Beta": {"rules": {"levels": {"invalid-date": "off"}}}})
    assert keys(found) == {(2, "publish_at", "invalid-date")}


# --------------------------------------------------------------------------------------------
# messages, ordering, coverage


def test_turkish_messages() -> None:
    rows = [row("P1", date="2026-03-09 10:00", status="Taslak"), row("P2", status="Onayladi x")]
    found = run(rows, NOW, "stale-unpublished", "unknown-status", language="tr")
    by_code = {f.code: f.message for f in found}
    assert by_code["stale-unpublished"].startswith("Yayın zamanı 09.03.2026 10:00 geçti")
    assert "bilinen bir durum değil" in by_code["unknown-status"]
    assert "mı demek istediniz?" in by_code["unknown-status"]
    english = run(rows, NOW, "stale-unpublished", language="en")
    assert english[0].message.startswith("The publish time 2026-03-09 10:00 has passed")
    assert run(rows, NOW, "stale-unpublished")[0].message == english[0].message


def test_turkish_escalation_names_the_contact() -> None:
    found = feedback([review("2026-03-10 10:00")], at("2026-03-16 10:01"), language="tr",
                     rules={"feedback": {"escalation_contact": "Elif"}})
    assert "son tarih 12.03.2026 10:00, 2 iş günü önceydi. Elif ile görüşün." in (
        found[0].message)


def test_findings_are_sorted_most_severe_then_soonest() -> None:
    rows = [row("P1", date="2026-03-10 08:00", status="Draft"),   # past, unapproved: stale
            row("P2", date="2026-03-11 20:00", status="Draft"),   # approval-missing: error
            row("P3", date="2026-03-09 09:00", status="On hold"),  # stale: warning
            row("P4", date="2026-03-10 08:30", status="Draft")]   # as P1, half an hour on
    found = run(rows, NOW, "approval-missing", "stale-unpublished")
    assert [(f.row, f.code) for f in found] == [
        (3, "approval-missing"), (4, "stale-unpublished"), (2, "stale-unpublished"),
        (5, "stale-unpublished")]


def test_empty_calendar_has_no_row_findings() -> None:
    assert [f for f in audit([], NOW) if f.row is not None] == []


TESTED = {
    "invalid-date", "invalid-time", "invalid-number", "invalid-boolean", "no-id-column",
    "duplicate-column", "missing-required", "unknown-status", "unknown-channel",
    "unknown-format", "unknown-pillar", "duplicate-id", "missing-id", "caption-too-long",
    "too-many-hashtags", "invalid-link", "duplicate-caption", "stale-unpublished",
    "approval-missing", "published-without-approval", "scheduled-without-approval",
    "approver-not-authorized", "approval-after-publish", "feedback-overdue", "deemed-approved",
    "revision-last-round", "revision-limit-exceeded", "cadence-below-contract",
    "too-many-per-day", "calendar-gap", "pillar-mix-off-target", "next-month-not-ready",
    "changed-after-approval",  # needs earlier cycles: tests/test_history_paths.py
    "column-assumed",  # a configuration's assume: tests/test_layouts_assume.py
    "no-approval-column",  # tests/test_layouts_approval.py
    "date-not-set",  # tests/test_layouts_approval.py
    "rows-not-posts", "several-channels",  # tests/test_layouts_rows.py
    # the zone and time a header names, two times for one post, daylight-saving times:
    # tests/test_layouts_times.py
    "zone-from-header", "time-from-header", "time-conflict", "time-ambiguous",
    "time-nonexistent",
    "rows-before-since",  # a configured ignore_before: tests/test_layouts_rules.py
}


def test_every_code_is_covered_by_a_rule_test() -> None:
    assert set(CODES) == TESTED


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        audit([row()], dt.datetime(2026, 3, 10, 9, 0))


def test_now_in_another_zone_means_the_same_moment() -> None:
    rows = [row("P1", date="2026-03-10 08:59")]
    utc_now = NOW.astimezone(zoneinfo.ZoneInfo("UTC"))
    assert keys(run(rows, utc_now, "stale-unpublished")) == keys(
        run(rows, NOW, "stale-unpublished")) == {(2, "status", "stale-unpublished")}


def test_duplicate_captions_long_past_are_not_compared_again() -> None:
    # Both posts lie more than two 30-day windows back: history, not the plan.
    old = [row("P1", caption="Spring sale!", date="2025-11-01"),
           row("P2", caption="Spring sale!", date="2025-11-05", status="Published")]
    recent = [row("P3", caption="Spring sale!", date="2026-02-20", status="Published"),
              row("P4", caption="spring sale!", date="2026-03-15")]
    found = audit(old + recent, at("2026-03-10 09:00"),
                  rules={"levels": only("duplicate-caption")})
    assert keys(found) == {(5, "caption", "duplicate-caption")}


def test_blank_and_stripped_helpers() -> None:
    from sheets_sync.rules.base import blank, stripped

    cells = pd.Series(["", " \u00a0\n", "x", " y "], dtype=object)
    assert blank(cells).tolist() == [True, True, False, False]
    assert blank(pd.Series(["x", 3, None, "  "], dtype=object)).tolist() == [
        False, False, True, True]  # a number is not blank; an empty cell is
    assert stripped(cells).tolist() == ["", "", "x", "y"]
