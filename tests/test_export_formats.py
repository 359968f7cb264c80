"""Each scheduler's file, byte for byte: the header row (or none), the cells of chosen posts of
the bundled sample (a multi-line Turkish caption with emoji, clients in Istanbul and Berlin),
daylight-saving time, Hootsuite's 350-message split, and cells a spreadsheet would run."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from conftest import calendar_config

from sheets_sync.config import CalendarConfig, load
from sheets_sync.export import ExportResult, export, parse_window, plan
from sheets_sync.export.formats import Options, csv_header
from sheets_sync.parse import parse
from sheets_sync.parse_times import to_client_time

ROOT = Path(__file__).resolve().parent.parent
IST = zoneinfo.ZoneInfo("Europe/Istanbul")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=IST)

# The sample's four posts cleared as of 2026-03-10 09:00 up to 2026-03-16, as the sheet has them.
NT_008 = "Restock: the Fjord 40 backpack is back in all sizes. \U0001f392\n#NordicTrails"
KD_009 = ("Bir kahve zincirinde çalışmak: baristalarımızın kariyer yolculuğu "
          "\U0001f469\u200d\U0001f373\U0001f468\u200d\U0001f373\n"
          "Akademimizden mezun olan 120 barista bugün ekibimizde.\n#işilanı #kariyer")
NT_010 = ("Boot fitting 101 with our Berlin store team \U0001f45f\U0001f4cf\n"
          "#NordicTrails #BootFitting")
KD_011 = "Sahne arkası: sabah 6'da ilk demleme \u2600\ufe0f\u2615\ufe0f"
KD_009_ASSET = "https://drive.google.com/file/d/1kD009akademiMakale/view"

HEADER = ["ID", "Client", "Channel", "Format", "Publish date", "Status", "Caption", "Asset",
          "Approved by", "Approved"]


@pytest.fixture(scope="module")
def sample() -> CalendarConfig:
    return load(ROOT / "config" / "example.toml").calendar("sample")


def sample_export(config: CalendarConfig, to: str, tmp_path: Path, **options: Any
                  ) -> ExportResult:
    return export(config, to, NOW, parse_window(None, "2026-03-16"),
                  state_path=str(tmp_path / "no-sync-yet.db"), **options)


def files(result: ExportResult) -> dict[str, str]:
    return {f.part: f.text for f in result.files}


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def planned(rows: list[list[Any]], now: dt.datetime, to: str, **calendar: Any) -> ExportResult:
    config = calendar_config(**calendar)
    cal = parse([HEADER, *rows], config)
    to_client_time(cal, config)
    return plan(cal, config, to, now)


def approved(post_id: str, date: str, caption: str, channel: str = "Instagram",
             asset: str = "https://cdn.example.com/a.jpg") -> list[Any]:
    return [post_id, "Acme", channel, "Post", date, "Approved", caption, asset, "Jonas", "Yes"]


# --- Hootsuite ------------------------------------------------------------------------------

def test_hootsuite_writes_one_headerless_file_per_profile_in_local_wall_clock(
        sample: CalendarConfig, tmp_path: Path) -> None:
    result = sample_export(sample, "hootsuite", tmp_path)
    written = files(result)
    assert sorted(written) == ["kahve-duragi-instagram", "kahve-duragi-linkedin",
                               "nordic-trails-instagram", "nordic-trails-x"]
    # No header row: three values per message, the date day first (date_order = "dmy").
    assert written["kahve-duragi-linkedin"] == (
        f'12/03/2026 10:00,"{KD_009}",{KD_009_ASSET}\r\n')
    assert written["kahve-duragi-instagram"] == (
        f"14/03/2026 11:00,{KD_011},KD_0314_sahne_arkasi_story.mp4\r\n")
    # The sheet writes Istanbul times; a Berlin client's post goes out at Berlin's wall clock.
    assert rows_of(written["nordic-trails-instagram"]) == [
        ["14/03/2026 08:00", NT_010, "NT_0314_boot_fitting_reel.mp4"]]
    assert rows_of(written["nordic-trails-x"]) == [
        ["11/03/2026 10:00", NT_008, "https://www.nordictrails.de/fjord-40"]]
    profiles = {f.part: f.profile for f in result.files}
    assert profiles["kahve-duragi-linkedin"] == "Kahve Durağı / linkedin"


def test_hootsuite_dates_are_month_first_when_the_calendar_reads_them_so(
        sample: CalendarConfig, tmp_path: Path) -> None:
    result = sample_export(dataclasses.replace(sample, date_order="mdy"), "hootsuite", tmp_path)
    assert rows_of(files(result)["kahve-duragi-linkedin"])[0][0] == "03/12/2026 10:00"
    assert any("date format MM/DD/YYYY HH:MM" in n for n in result.notices)


def test_hootsuite_splits_a_profile_into_files_of_350_messages() -> None:
    start = dt.datetime(2026, 4, 1, 0, 0)
    posts = [approved(f"P{i}", (start + dt.timedelta(hours=i)).strftime("%Y-%m-%d %H:%M"),
                      f"Post number {i}") for i in range(701)]
    result = planned(posts, dt.datetime(2026, 3, 20, 9, 0, tzinfo=IST), "hootsuite")
    assert [(f.part, len(f.posts)) for f in result.files] == [
        ("acme-instagram-1", 350), ("acme-instagram-2", 350), ("acme-instagram-3", 1)]
    second = rows_of(result.files[1].text)
    assert len(second) == 350
    assert second[0] == ["15/04/2026 14:00", "Post number 350", "https://cdn.example.com/a.jpg"]
    assert rows_of(result.files[2].text) == [
        ["30/04/2026 04:00", "Post number 700", "https://cdn.example.com/a.jpg"]]
    assert result.left_out == []
    # Buffer has no such limit: one file of every post.
    buffer = planned(posts, dt.datetime(2026, 3, 20, 9, 0, tzinfo=IST), "buffer")
    assert [(f.part, len(f.posts)) for f in buffer.files] == [("acme-instagram", 701)]


def test_hootsuite_rules_leave_out_off_grid_soon_same_slot_and_repeated_messages() -> None:
    now = dt.datetime(2026, 3, 20, 9, 0, tzinfo=IST)
    result = planned([approved("P1", "2026-03-21 10:07", "Off the five-minute grid"),
                      approved("P2", "2026-03-20 09:05", "Five minutes from now"),
                      approved("P3", "2026-03-22 10:00", "First at ten"),
                      approved("P4", "2026-03-22 10:00", "Second at ten"),
                      approved("P5", "2026-03-23 10:00", "First at ten"),
                      approved("P6", "2026-03-23 10:00", "Same slot", channel="X")],
                     now, "hootsuite")
    assert {(p.post_id, p.reasons[0][0]) for p in result.left_out} == {
        ("P1", "time-not-on-5-minutes"), ("P2", "too-soon"), ("P4", "same-time"),
        ("P5", "duplicate-message")}
    assert [m for p in result.left_out if p.post_id == "P4" for _, m in p.reasons] == [
        "row 4 goes to the same profile at the same time; Hootsuite takes one message per "
        "time slot"]
    # Another profile's time slot is its own.
    assert {(f.part, len(f.posts)) for f in result.files} == {("acme-instagram", 1),
                                                              ("acme-x", 1)}


# --- Buffer, Later, Meta --------------------------------------------------------------------

def test_buffer_writes_text_due_time_in_utc_and_image_per_channel(
        sample: CalendarConfig, tmp_path: Path) -> None:
    written = files(sample_export(sample, "buffer", tmp_path))
    assert written["kahve-duragi-linkedin"] == (
        f'text,dueAt,imageUrl\r\n"{KD_009}",2026-03-12T07:00:00.000Z,{KD_009_ASSET}\r\n')
    assert rows_of(written["nordic-trails-x"]) == [
        ["text", "dueAt", "imageUrl"],
        [NT_008, "2026-03-11T09:00:00.000Z", "https://www.nordictrails.de/fjord-40"]]


def test_later_writes_the_clients_date_and_time(sample: CalendarConfig, tmp_path: Path) -> None:
    written = files(sample_export(sample, "later", tmp_path))
    assert rows_of(written["nordic-trails-instagram"]) == [
        ["Date", "Time", "Caption", "Media URL"],
        ["2026-03-14", "08:00", NT_010, "NT_0314_boot_fitting_reel.mp4"]]


def test_meta_takes_facebook_and_instagram_only_with_offset_times(
        sample: CalendarConfig, tmp_path: Path) -> None:
    result = sample_export(sample, "meta", tmp_path)
    written = files(result)
    assert sorted(written) == ["kahve-duragi-instagram", "nordic-trails-instagram"]
    assert written["kahve-duragi-instagram"] == (
        "message,link,scheduled_publish_time\r\n"
        f"{KD_011},KD_0314_sahne_arkasi_story.mp4,2026-03-14T11:00:00+03:00\r\n")
    assert rows_of(written["nordic-trails-instagram"])[1][2] == "2026-03-14T08:00:00+01:00"
    refused = {(p.post_id, p.channel): p.reasons for p in result.left_out}
    assert refused[("KD-009", "linkedin")] == (
        ("channel-not-supported",
         "Meta Business Suite publishes to Facebook and Instagram only, not linkedin"),)
    assert refused[("NT-008", "x")][0][0] == "channel-not-supported"


@pytest.mark.parametrize(("fmt", "importer"), [
    ("buffer", "Buffer"), ("later", "Later"), ("meta", "Meta Business Suite")])
def test_a_layout_no_published_description_backs_is_said_to_be_a_best_reading(
        sample: CalendarConfig, tmp_path: Path, fmt: str, importer: str) -> None:
    result = sample_export(sample, fmt, tmp_path)
    said = [n for n in result.notices if "best reading" in n]
    assert len(said) == 1  # once per export, not once per file
    assert said[0].startswith(f"{importer}: no published description of its CSV upload "
                              "could be consulted, so these columns are this tool's best "
                              "reading")
    assert said[0].endswith(f"not {importer}'s template: compare them with the template "
                            f"{importer} offers for download before the first upload")


@pytest.mark.parametrize("fmt", ["hootsuite", "postiz", "csv"])
def test_documented_layouts_carry_no_best_reading_notice(
        sample: CalendarConfig, tmp_path: Path, fmt: str) -> None:
    result = sample_export(sample, fmt, tmp_path, accounts={"linkedin": "li-1"})
    assert result.files and not any("best reading" in n for n in result.notices)


# --- Postiz ---------------------------------------------------------------------------------

def test_postiz_writes_one_api_body_per_post_with_its_integration_and_settings(
        sample: CalendarConfig, tmp_path: Path) -> None:
    result = sample_export(sample, "postiz", tmp_path,
                           accounts={"linkedin": "li-1", "instagram": "ig-1"})
    bodies = json.loads(result.files[0].text)
    assert [b["date"] for b in bodies] == ["2026-03-12T07:00:00.000Z",
                                           "2026-03-14T07:00:00.000Z",
                                           "2026-03-14T08:00:00.000Z"]
    assert bodies[0] == {
        "type": "schedule", "date": "2026-03-12T07:00:00.000Z", "shortLink": False, "tags": [],
        "posts": [{"integration": {"id": "li-1"},
                   "value": [{"content": KD_009,
                              "image": [{"id": "", "path": KD_009_ASSET}]}],
                   "settings": {"__type": "linkedin"}}]}
    assert bodies[2]["posts"][0]["settings"] == {"__type": "instagram", "collaborators": [],
                                                 "post_type": "story"}  # KD-011 is a story
    # X has no --account: the post is left out saying which option gives it.
    refused = {p.post_id: p.reasons for p in result.left_out}
    assert refused["NT-008"] == (("no-account", (
        "no Postiz integration ID for x: give --account x=ID (`postiz integrations:list` "
        "lists them)")),)
    assert any(n.startswith("Postiz: upload each asset link") for n in result.notices)


def test_postiz_refuses_short_texts_and_channels_it_needs_settings_for() -> None:
    result = planned([approved("P1", "2026-03-21 10:00", "Hi!"),
                      approved("P2", "2026-03-21 11:00", "A video for the channel",
                               channel="YouTube")],
                     dt.datetime(2026, 3, 20, 9, 0, tzinfo=IST), "postiz")
    assert {p.post_id: p.reasons[0][0] for p in result.left_out} == {
        "P1": "no-account", "P2": "channel-not-supported"}
    with_account = planned([approved("P1", "2026-03-21 10:00", "Hi!")],
                           dt.datetime(2026, 3, 20, 9, 0, tzinfo=IST), "postiz")
    assert with_account.left_out[0].reasons[0][0] == "no-account"
    config = calendar_config()
    cal = parse([HEADER, approved("P1", "2026-03-21 10:00", "Hi!")], config)
    short = plan(cal, config, "postiz", dt.datetime(2026, 3, 20, 9, 0, tzinfo=IST),
                 accounts={"instagram": "ig"})
    assert short.left_out[0].reasons == (
        ("text-too-short", "Postiz refuses a text shorter than 6 characters"),)
    assert json.loads(short.files[0].text) == []


# --- our own CSV ----------------------------------------------------------------------------

def test_csv_has_every_field_and_the_calendars_approval_columns(
        sample: CalendarConfig, tmp_path: Path) -> None:
    result = sample_export(sample, "csv", tmp_path)
    table = rows_of(result.files[0].text)
    assert table[0] == ["ID", "Client", "Channel", "Format", "Pillar", "Publish date",
                        "Time zone", "UTC", "Client time", "Client time zone", "Caption",
                        "Hashtags", "Asset", "Status", "Approved by", "Approved on",
                        "Approved", "Sheet row"]
    assert table[2] == ["KD-009", "Kahve Durağı", "LinkedIn", "article", "Value",
                        "2026-03-12 10:00", "Europe/Istanbul", "2026-03-12T07:00:00Z",
                        "2026-03-12 10:00", "Europe/Istanbul", KD_009, "", KD_009_ASSET,
                        "Onaylandı", "Elif Yılmaz", "2026-03-09", "yes", "20"]
    # The Berlin client's post: the sheet's Istanbul time, UTC, and Berlin's wall clock.
    assert table[3][5:10] == ["2026-03-14 10:00", "Europe/Istanbul", "2026-03-14T07:00:00Z",
                              "2026-03-14 08:00", "Europe/Berlin"]


def test_csv_of_a_calendar_without_approval_columns_has_none() -> None:
    assert csv_header(Options(NOW, approval_columns=()))[-3:] == [
        "Status", "Approved by", "Sheet row"]
    config = calendar_config()
    cal = parse([["ID", "Channel", "Publish date", "Status", "Caption"],
                 ["P1", "Instagram", "2026-03-21 10:00", "Approved", "Spring is here"]], config)
    result = plan(cal, config, "csv", NOW)
    assert rows_of(result.files[0].text)[0][-3:] == ["Status", "Approved by", "Sheet row"]
    assert any("no approval column" in n for n in result.notices)


def test_a_cell_of_several_channels_stays_one_csv_row_naming_the_channels() -> None:
    result = planned([approved("P1", "2026-03-21 10:00", "Both at once",
                               channel="Instagram + Facebook")], NOW, "csv")
    table = rows_of(result.files[0].text)
    assert [r[2] for r in table[1:]] == ["Instagram + Facebook"]
    assert len(result.posts) == 2
    # One channel left out (Facebook's limit is far above X's): the row names the other.
    long = "x" * 300
    partial = planned([approved("P1", "2026-03-21 10:00", long, channel="Facebook / X")],
                      NOW, "csv")
    assert [r[2] for r in rows_of(partial.files[0].text)[1:]] == ["facebook"]
    assert [(p.channel, p.reasons[0][0]) for p in partial.left_out] == [
        ("x", "caption-too-long")]
    assert partial.left_out[0].reasons[0][1] == (
        "The caption has 300 characters; x allows 280. Shorten it by 20.")


# --- time zones and daylight-saving time ------------------------------------------------------

def test_the_clocks_going_forward_change_the_utc_time_not_the_wall_clock() -> None:
    now = dt.datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN)
    rows = [approved("P1", "2026-03-28 10:00", "Saturday before the change"),
            approved("P2", "2026-03-30 10:00", "Monday after the change"),
            approved("P3", "2026-03-29 02:30", "In the hour that never happens"),
            approved("P4", "2026-10-25 02:30", "In the hour that happens twice")]
    zone = {"timezone": "Europe/Berlin", "country": "DE"}
    buffer = planned(rows, now, "buffer", **zone)
    assert rows_of(buffer.files[0].text)[1:] == [
        ["Saturday before the change", "2026-03-28T09:00:00.000Z", "https://cdn.example.com/a.jpg"],
        ["Monday after the change", "2026-03-30T08:00:00.000Z", "https://cdn.example.com/a.jpg"]]
    meta = planned(rows, now, "meta", **zone)
    assert [r[2] for r in rows_of(meta.files[0].text)[1:]] == [
        "2026-03-28T10:00:00+01:00", "2026-03-30T10:00:00+02:00"]
    hootsuite = planned(rows, now, "hootsuite", **zone)
    assert [r[0] for r in rows_of(hootsuite.files[0].text)] == ["28/03/2026 10:00",
                                                                "30/03/2026 10:00"]
    assert {p.post_id: p.reasons for p in buffer.left_out} == {
        "P3": (("time-does-not-exist", "2026-03-29 02:30 does not exist in Europe/Berlin (the "
                "clocks go forward then); choose another time"),),
        "P4": (("time-ambiguous", "2026-10-25 02:30 happens twice in Europe/Berlin (the clocks "
                "go back then); choose another time"),)}


# --- cells a spreadsheet would run ------------------------------------------------------------

FORMULA_CAPTIONS = ['=HYPERLINK("http://evil.example","Win")', "+90 yeni şube",
                    "-50% bugün", "@kahveduragi ile"]


def test_csv_cells_that_start_a_formula_get_a_quote_and_the_posts_are_named() -> None:
    rows = [approved(f"P{i}", f"2026-03-2{i} 10:00", caption)
            for i, caption in enumerate(FORMULA_CAPTIONS, start=1)]
    rows.append(approved("P5", "2026-03-25 10:00", "Safe text"))
    result = planned(rows, NOW, "buffer")
    texts = [r[0] for r in rows_of(result.files[0].text)[1:]]
    assert texts == ["'" + c for c in FORMULA_CAPTIONS] + ["Safe text"]
    assert result.files[0].neutralised == (2, 3, 4, 5)
    assert ("rows 2, 3, 4, 5: a cell starting with = + - or @ was written with a leading ' so "
            "that a spreadsheet does not run it; Buffer keeps the ', so remove it there"
            ) in result.notices


def test_postiz_json_keeps_formula_like_text_as_it_is() -> None:
    config = calendar_config()
    cal = parse([HEADER, approved("P1", "2026-03-21 10:00", FORMULA_CAPTIONS[0])], config)
    result = plan(cal, config, "postiz", NOW, accounts={"instagram": "ig"})
    body = json.loads(result.files[0].text)[0]
    assert body["posts"][0]["value"][0]["content"] == FORMULA_CAPTIONS[0]
    assert not any("leading '" in n for n in result.notices)
