"""Reading a calendar tab: header mapping, header detection, row numbers and cell values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from conftest import HEADER, calendar_config, row

from sheets_sync.cells import ColumnGrid
from sheets_sync.errors import CalendarError
from sheets_sync.findings import to_findings
from sheets_sync.parse import Calendar, parse

TR_HEADER = ["Gönderi No", "Müşteri", "Kanal", "İçerik türü", "Yayın Tarihi", "Yayın saati",
             "Durum", "Metin", "Görsel", "Sorumlu", "Onaya gönderildi",
             "Geri bildirim son tarih", "Onaylayan", "Onay tarihi", "Onaylandı", "Revizyon",
             "Ek revizyon", "Geri bildirim", "Notlar", "Kategori", "Etiketler"]
EN_HEADER = ["Post ID", "Brand", "Platform", "Content type", "Publish date", "Publish time",
             "Status", "Copy", "Asset link", "Assignee", "Sent to client", "Feedback deadline",
             "Approver", "Approval date", "Approved", "Revisions", "Extra revisions",
             "Client feedback", "Notes", "Pillar", "Hashtags"]
FIELDS_IN_ORDER = ["post_id", "client", "channel", "format", "publish_at", "publish_time",
                   "status", "caption", "asset", "owner", "sent_for_review_at", "feedback_due",
                   "approved_by", "approved_at", "approved", "revision_round",
                   "extra_rounds_approved", "client_feedback", "notes", "pillar", "hashtags"]


def read(grid: list[list[Any]], **calendar: Any) -> Calendar:
    return parse(grid, calendar_config(**calendar))


def codes(cal: Calendar) -> list[tuple[int | None, str, str]]:
    return [f.key() for f in to_findings(cal.findings)]


def stamps(cal: Calendar, name: str = "publish_at") -> list[str | None]:
    return [None if pd.isna(s) else str(s)[:16] for s in cal.frame[name]]


# --------------------------------------------------------------------------------------------
# header aliases


@pytest.mark.parametrize("header", [TR_HEADER, EN_HEADER,
                                    [h.upper() for h in TR_HEADER], [h.lower() for h in EN_HEADER]])
def test_header_aliases_in_english_and_turkish(header: list[str]) -> None:
    cal = read([header])
    assert cal.columns == {name: i for i, name in enumerate(FIELDS_IN_ORDER)}
    assert cal.header("publish_at") == header[4]
    assert codes(cal) == []
    assert cal.frame.empty


def test_turkish_calendar_values() -> None:
    cells = ["G-1", "Marka A", "Instagram", "Karusel", "20.03.2026", "14:30", "Müşteri onayında",
             "Bahar geldi 🌸\nYeni koleksiyon", "https://cdn.example.com/a.jpg", "Ayşe",
             "18.03.2026 10:00", "", "", "", "Hayır", "1", "0", "", "", "Değer", "#bahar"]
    cal = read([TR_HEADER, cells])
    frame = cal.frame
    assert frame["row"].tolist() == [2]
    assert frame.loc[0, "post_id"] == "G-1" and frame.loc[0, "client"] == "Marka A"
    assert (frame.loc[0, "channel"], frame.loc[0, "format"], frame.loc[0, "status"]) == (
        "instagram", "carousel", "client_review")
    assert frame.loc[0, "status_raw"] == "Müşteri onayında"
    assert stamps(cal) == ["2026-03-20 14:30"]
    assert stamps(cal, "sent_for_review_at") == ["2026-03-18 10:00"]
    assert frame.loc[0, "approved"] == 0.0
    assert frame.loc[0, "revision_round"] == 1.0
    assert frame.loc[0, "caption"] == "Bahar geldi 🌸\nYeni koleksiyon"
    assert codes(cal) == []


def test_headers_with_hints_in_parentheses() -> None:
    header = ["ID", "Channel", "Publish date [dd.mm.yyyy]", "Publish Time (10:00 AM)",
              "Status ▼", "Approved (Yes/No)", "Caption (max 2200)"]
    cal = read([header, ["P1", "IG", "20.03.2026", "10:00 AM", "Draft", "Yes", "Hi"]])
    assert cal.columns == {"post_id": 0, "channel": 1, "publish_at": 2, "publish_time": 3,
                           "status": 4, "approved": 5, "caption": 6}
    assert stamps(cal) == ["2026-03-20 10:00"]
    assert cal.frame["approved"].tolist() == [1.0]


def test_configured_columns_win_over_builtin_aliases() -> None:
    header = ["Ref", "Network", "Go live", "Stage", "Date", "Copy text"]
    cal = read([header, ["A-7", "LinkedIn", "2026-03-20 11:00", "Approved", "2026-01-01", "Hi"]],
               columns={"post_id": ["Ref"], "publish_at": ["Go live"], "status": ["Stage"],
                        "caption": ["Caption", "Copy text"]})
    assert cal.columns == {"post_id": 0, "channel": 1, "publish_at": 2, "status": 3,
                           "caption": 5}
    assert cal.header("publish_at") == "Go live"
    assert stamps(cal) == ["2026-03-20 11:00"]
    assert cal.frame["caption"].tolist() == ["Hi"]
    assert codes(cal) == []  # "Date" is simply not used: no duplicate-column


def test_a_configured_column_that_is_missing_is_an_error() -> None:
    with pytest.raises(CalendarError) as caught:
        read([[*HEADER], row()], columns={"status": ["Stage"]})
    assert "configured columns not found: status = 'Stage'" in caught.value.message


# --------------------------------------------------------------------------------------------
# header problems


def test_missing_required_column_names_tab_field_and_headers() -> None:
    config = calendar_config()
    with pytest.raises(CalendarError) as caught:
        parse([["ID", "Kanal", "Durum", "Notes"], ["P1", "IG", "Draft", ""]], config,
              tab="Mart 2026")
    message = caught.value.message
    assert message.startswith("Mart 2026: no column for publish date (field publish_at; e.g. "
                              "Publish date, Date")
    assert "Headers found in row 1: ID, Kanal, Durum, Notes." in message
    assert "--column publish_at=\"Your header\"" in message and "--assume" not in message
    assert caught.value.exit_code == 2


def test_several_missing_columns_are_all_named() -> None:
    with pytest.raises(CalendarError, match=r"no column for publish date .*; channel .*; status"):
        read([["ID", "Caption"]])


def test_empty_tab_is_an_error() -> None:
    with pytest.raises(CalendarError, match="Calendar is empty"):
        read([])
    with pytest.raises(CalendarError, match=r"Headers found in row 1: \(none\)"):
        read([[], [None, ""]])


def test_duplicate_headers_are_reported_and_the_first_is_used() -> None:
    header = ["ID", "Status", "Channel", "Date", "Durum", "Post date"]
    cal = read([header, ["P1", "Draft", "X", "2026-03-20", "Approved", "2026-04-01"]])
    assert codes(cal) == [(1, "status", "duplicate-column"), (1, "publish_at", "duplicate-column")]
    assert cal.frame["status"].tolist() == ["draft"]
    assert stamps(cal) == ["2026-03-20 09:00"]
    message = to_findings(cal.findings)[0].message
    assert "“Status” (column B) is used and “Durum” (column E) is ignored" in message


def test_blank_and_unknown_headers_are_ignored() -> None:
    header = ["ID", None, "Channel", "", "Date", "   ", "Status", "CTA", "Week"]
    cal = read([header, ["P1", "junk", "Instagram", "junk", "2026-03-20", "junk", "Draft",
                         "Buy now", 12]])
    assert cal.columns == {"post_id": 0, "channel": 2, "publish_at": 4, "status": 6}
    assert codes(cal) == []
    assert cal.frame["row"].tolist() == [2]


def test_header_row_is_found_below_title_rows() -> None:
    grid = [["Acme — March content calendar"], [], ["Prepared by", "Ayşe"],
            ["ID", "Channel", "Publish date", "Status"],
            ["P1", "Instagram", "2026-03-20", "Draft"], ["P2", "X", "2026-03-21", "Draft"]]
    cal = read(grid)
    assert cal.header_row == 4
    assert cal.frame["row"].tolist() == [5, 6]
    assert cal.frame["post_id"].tolist() == ["P1", "P2"]


def test_configured_header_row() -> None:
    grid = [["ID", "Channel", "Date", "Status"]] + [[]] * 10 + [
        ["Post ID", "Platform", "Publish date", "Durum"], ["P1", "IG", "20.03.2026", "Taslak"]]
    cal = read(grid, header_row=12)
    assert cal.header_row == 12
    assert cal.header("status") == "Durum"
    assert cal.frame["row"].tolist() == [13]


# --------------------------------------------------------------------------------------------
# rows and values


def test_empty_rows_are_skipped_and_row_numbers_match_the_sheet() -> None:
    grid = [HEADER, row("P1"), [], [None] * 9, ["", "  ", None, "\t"], row("P2", date="31.02.2026"),
            [None, None], row("P3"), [], [""]]
    cal = read(grid)
    assert cal.frame["row"].tolist() == [2, 6, 8]
    assert cal.frame["post_id"].tolist() == ["P1", "P2", "P3"]
    assert codes(cal) == [(6, "publish_at", "invalid-date")]


def test_rows_shorter_and_longer_than_the_header() -> None:
    grid = [HEADER, ["P1", "Acme", "Instagram"], [*row("P2"), "extra", "cells", 3]]
    cal = read(grid)
    assert cal.frame["row"].tolist() == [2, 3]
    assert stamps(cal) == [None, "2026-03-20 10:00"]
    assert cal.frame["caption"].tolist() == ["", "Hello"]


def test_separate_publish_time_column_is_combined_with_the_date() -> None:
    header = ["ID", "Channel", "Publish date", "Publish time", "Status"]
    grid = [header,
            ["P1", "IG", "20.03.2026", "2:30 PM", "Draft"],
            ["P2", "IG", 46101, 0.4375, "Draft"],                       # serials: 20.03.2026 10:30
            ["P3", "IG", dt.datetime(2026, 3, 20), dt.time(18, 5), "Draft"],
            ["P4", "IG", "2026-03-20 08:00", "14:00", "Draft"],          # the time column wins
            ["P5", "IG", "20.03.2026", "", "Draft"],                     # default time
            ["P6", "IG", "20.03.2026", "25:00", "Draft"],
            ["P7", "IG", "", "10:00", "Draft"]]
    cal = read(grid)
    assert stamps(cal) == ["2026-03-20 14:30", "2026-03-20 10:30", "2026-03-20 18:05",
                           "2026-03-20 14:00", "2026-03-20 09:00", "2026-03-20 09:00", None]
    assert cal.frame["publish_has_time"].tolist()[:6] == [True, True, True, True, False, False]
    assert codes(cal) == [(5, "publish_time", "time-conflict"), (7, "publish_time", "invalid-time")]
    conflict, invalid = to_findings(cal.findings)
    assert conflict.message == ("“Publish date” says 08:00 and “Publish time” says 14:00: the "
                                "time column's 14:00 is taken. Clear the one that is wrong.")
    assert "Publish time: “25:00” is not a time of day" in invalid.message


def test_default_publish_time_is_configurable() -> None:
    cal = read([HEADER, row("P1", date="20.03.2026"), row("P2", date="20.03.2026 07:45")],
               default_publish_time="10:30")
    assert stamps(cal) == ["2026-03-20 10:30", "2026-03-20 07:45"]
    assert cal.frame["publish_has_time"].tolist() == [False, True]


def test_date_order_comes_from_the_configuration() -> None:
    grid = [HEADER, row("P1", date="03/04/2026"), row("P2", date="04/13/2026")]
    assert stamps(read(grid)) == ["2026-04-03 09:00", None]
    mdy = read(grid, date_order="mdy")
    assert stamps(mdy) == ["2026-03-04 09:00", "2026-04-13 09:00"]
    assert codes(mdy) == []
    assert codes(read(grid)) == [(3, "publish_at", "invalid-date")]


def test_text_cells_round_trip_and_ids_lose_their_decimal_point() -> None:
    caption = "Yayın tarihi 😀 İptal şğüöç\nქართული ენა\r\n  second line  "
    cal = read([HEADER, [101.0, " Acme ", "Instagram", "Post", "2026-03-20", "Draft", caption,
                         "", "Ayşe"], [102, "", "IG", "", "2026-03-20", "Draft", "", "", None]])
    assert cal.frame["post_id"].tolist() == ["101", "102"]
    assert cal.frame["caption"].tolist() == [caption, ""]
    assert cal.frame["client"].tolist() == ["Acme", "Acme"]  # blank -> the calendar's client


def test_client_defaults_to_the_calendar_name_without_a_client() -> None:
    cal = read([HEADER, row("P1", client="")], client="")
    assert cal.frame["client"].tolist() == ["test"]


def test_configured_vocabularies() -> None:
    cal = read([HEADER, row("P1", status="OK'd", channel="Insta Reels", fmt="Reel")],
               statuses={"approved": ["OK'd"]}, channels={"instagram": ["Insta Reels"]})
    assert cal.frame[["status", "channel", "format"]].values.tolist() == [
        ["approved", "instagram", "reel"]]


def test_bad_cells_become_findings_with_the_sheet_header() -> None:
    header = ["Gönderi No", "Kanal", "Yayın Tarihi", "Durum", "Revizyon", "Onaylandı"]
    cal = read([header, ["G1", "IG", "31.02.2026", "Taslak", "iki", "belki"]], language="tr")
    assert codes(cal) == [(2, "publish_at", "invalid-date"), (2, "revision_round",
                                                              "invalid-number"),
                          (2, "approved", "invalid-boolean")]
    messages = [f.message for f in to_findings(cal.findings)]
    assert messages[0] == ("Yayın Tarihi: “31.02.2026” bir tarih değil. 2026-03-14 veya "
                           "14.03.2026 gibi yazın.")
    assert messages[1].startswith("Revizyon: “iki” bir tam sayı değil.")


# --------------------------------------------------------------------------------------------
# an agency's own calendar, without an ID column

AGENCY_HEADER = ["Week", "Day", "Date", "Platform", "Content Type", "Status", "Theme",
                 "Hook/Title", "Full Caption", "Hashtags", "Media File",
                 "Publish Time (10:00 AM)", "Review By", "Approved (Yes/No)"]
CAPTION_1 = "New season is here!\nSwipe to see more ✨\n\n— Acme"
CAPTION_2 = "Behind the scenes 🎬\nMeet the team"


def agency_grid() -> list[list[Any]]:
    return [
        AGENCY_HEADER,
        ["Week 12", None, None, None, None, None, None, None, None, None, None, None, None, None],
        [12, "Monday", "16.03.2026", "Instagram", "Carousel", "Client review", "Value",
         "New season", CAPTION_1, "#spring #new", "carousel_01.zip", "10:00 AM", "Zeynep", "No"],
        [None] * 14,
        [12, "Tuesday", 46098, "TikTok", "Reels", "Approved", "Shareable", "BTS", CAPTION_2,
         "#bts", "https://cdn.example.com/bts.mp4", 0.4375, "Zeynep", "Yes"],
        [12, "Wednesday", "18.03.2026", "Instagram", "Story", "Idea", "Promo", "Teaser", "",
         "", "", "", "", ""],
    ]


def test_agency_calendar_maps_its_headers() -> None:
    """"Review By" holding names says who reviews (the owner), never who approved."""
    cal = read(agency_grid())
    assert cal.columns == {"publish_at": 2, "channel": 3, "format": 4, "status": 5, "pillar": 6,
                           "caption": 8, "hashtags": 9, "asset": 10, "publish_time": 11,
                           "owner": 12, "approved": 13}
    assert not cal.has_id_column
    frame = cal.frame
    assert frame["row"].tolist() == [3, 5, 6]
    # "(10:00 AM)" in the time header: the time of a row that gives none.
    assert stamps(cal) == ["2026-03-16 10:00", "2026-03-17 10:30", "2026-03-18 10:00"]
    assert frame["caption"].tolist() == [CAPTION_1, CAPTION_2, ""]
    assert frame["format"].tolist() == ["carousel", "reel", "story"]
    assert frame["approved"].tolist()[:2] == [0.0, 1.0]


def test_agency_calendar_gets_one_no_id_notice_and_derived_keys() -> None:
    cal = read(agency_grid())
    # "Week 12" alone in the Week column (which no field reads) is a label, and said so.
    assert codes(cal) == [(None, "", "rows-not-posts"), (1, "publish_time", "time-from-header"),
                          (None, "post_id", "no-id-column")]
    assert cal.frame["post_id"].tolist() == [
        "Acme/Instagram/2026-03-16/New season is here!",
        "Acme/TikTok/2026-03-17/Behind the scenes 🎬",
        "Acme/Instagram/2026-03-18/",
    ]


def test_agency_calendar_with_a_client_column_mapping() -> None:
    cal = read(agency_grid(), columns={"post_id": ["Hook/Title"]})
    assert cal.has_id_column
    assert cal.frame["post_id"].tolist() == ["New season", "BTS", "Teaser"]
    assert codes(cal) == [(None, "", "rows-not-posts"), (1, "publish_time", "time-from-header")]


def test_timed_dates_move_from_the_sheet_zone_to_the_client_zone() -> None:
    import datetime as dt

    from sheets_sync.parse import parse
    from sheets_sync.parse_times import to_client_time

    config = calendar_config(clients={"Berlin GmbH": {"timezone": "Europe/Berlin",
                                                      "country": "DE"}})
    rows = [HEADER, row("P1", client="Berlin GmbH", date="2026-03-20 10:00"),
            row("P2", client="Berlin GmbH", date="2026-03-20"),
            row("P3", client="Acme", date="2026-03-20 10:00")]
    calendar = parse(rows, config)
    to_client_time(calendar, config, sheet_timezone="Europe/Istanbul")
    stamps = [dt.datetime.fromisoformat(str(v)) for v in calendar.frame["publish_at"]]
    assert stamps == [dt.datetime(2026, 3, 20, 8, 0),  # 10:00 in Istanbul is 08:00 in Berlin
                      dt.datetime(2026, 3, 20, 9, 0),  # a date alone stays on its day
                      dt.datetime(2026, 3, 20, 10, 0)]  # Acme is in the sheet's own zone


def _columns_of(rows: list[list[Any]]) -> list[list[Any]]:
    """The grid as Google answers with majorDimension=COLUMNS (each column trimmed)."""
    width = max((len(r) for r in rows), default=0)
    columns = [[r[j] if j < len(r) else "" for r in rows] for j in range(width)]
    for column in columns:
        while column and column[-1] == "":
            column.pop()
    return columns


@pytest.mark.parametrize("grid", [
    [["Calendar for March"], [], HEADER, row("P1"), [], row("P2", caption=""),
     ["P3", "Acme", "Instagram", "Post", "2026-03-21"], [None, None], row("P4")],
    [HEADER, row("P1", date=46101.5), ["", "", "", "", "", "Approved"], row("P1")],
])
def test_a_column_major_grid_parses_like_the_same_rows(grid: list[list[Any]]) -> None:
    config = calendar_config()
    by_rows = parse(grid, config)
    columns = ColumnGrid(_columns_of(grid))
    assert [list(r) for r in columns] == [
        [c for c in r[:max((i + 1 for i, v in enumerate(r) if v not in ("", None)),
                           default=0)]] for r in grid]
    padded = columns.padded_rows()
    assert [r[:len(t)] for r, t in zip(padded, columns)] == list(columns)
    assert all(c in ("", None) for r, t in zip(padded, columns) for c in r[len(t):])
    assert len(padded) == len(columns) and {len(r) for r in padded} == {len(columns.columns)}
    by_columns = parse(columns, config)
    pd.testing.assert_frame_equal(by_columns.frame, by_rows.frame)
    pd.testing.assert_frame_equal(by_columns.findings, by_rows.findings)
    assert by_columns.header_row == by_rows.header_row


def test_repeated_text_columns_come_with_one_code_per_distinct_value() -> None:
    rows = [row("P1", client=" Acme ", status="Yayınlandı"), [None] * 9,
            row("P2", client="Acme", status="Published"), row("P3", client="", status="Taslak"),
            row("P4", client="Beta", status="Hmm")]
    cal = read([HEADER, *rows])
    frame = cal.frame
    for name in ("client", "status", "status_raw", "channel", "owner", "caption"):
        codes, uniques = cal.categorized(name)
        assert uniques[codes].tolist() == frame[name].tolist(), name
        assert len(set(uniques.tolist())) == len(uniques), name
    # Trimmed names and canonical statuses that read the same share one code.
    client_codes, _ = cal.categories["client"]
    assert client_codes.tolist()[:3] == [client_codes[0]] * 3  # " Acme ", "Acme", "" -> Acme
    status_codes, uniques = cal.categories["status"]
    assert status_codes[0] == status_codes[1] and uniques[status_codes[0]] == "published"
    assert "post_id" not in cal.categories  # IDs are stripped after reading: never coded


def test_id_less_posts_that_cannot_be_told_apart_are_named_in_the_notice() -> None:
    header = ["Client", "Channel", "Publish date", "Status", "Caption"]
    rows = [["Acme", "Instagram", "2026-03-20", "Draft", "Spring sale is here now"],
            ["Acme", "Instagram", "2026-03-21", "Draft", "Other"],
            ["Acme", "Instagram", "2026-03-20", "Draft", "Spring sale is here now!!"]]
    found = parse([header, *rows], calendar_config()).findings
    [message] = found.loc[found["code"] == "no-id-column", "message"].tolist()
    assert message.endswith(" Rows 2, 4 cannot be told apart that way (the same client, "
                            "channel, date and first words), so their revision rounds and "
                            "changes after approval are not followed.")
    distinct = parse([header, *rows[:2]], calendar_config()).findings
    assert "cannot be told apart" not in " ".join(distinct["message"])
