"""Which posts an export clears and why every other post of the window is left out: approval
evidence, approvers, statuses, history (edits after approval), IDs, channels, captions, dates
and the window itself."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import calendar_config

from sheets_sync.config import from_dict, load
from sheets_sync.export import ExportResult, export, parse_window, plan
from sheets_sync.export.select import FROM_NOW, Window
from sheets_sync.parse import parse
from sheets_sync.parse_times import to_client_time
from sheets_sync.run import sync

ROOT = Path(__file__).resolve().parent.parent
IST = zoneinfo.ZoneInfo("Europe/Istanbul")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=IST)
HEADER = ["ID", "Client", "Channel", "Format", "Publish date", "Status", "Caption", "Asset",
          "Approved by", "Approved"]


def post(post_id: str, date: str = "2026-03-20 10:00", status: str = "Approved",
         approved: str = "Yes", caption: str = "Spring menu is here ☕", channel: str = "Instagram",
         by: str = "Elif") -> list[Any]:
    return [post_id, "Acme", channel, "Post", date, status, caption,
            "https://cdn.example.com/a.jpg", by, approved]


def planned(rows: list[list[Any]], to: str = "csv", window: Window = FROM_NOW,
            header: list[str] = HEADER, **calendar: Any) -> ExportResult:
    config = calendar_config(**calendar)
    cal = parse([header, *rows], config)
    to_client_time(cal, config)
    return plan(cal, config, to, NOW, window)


def reasons(result: ExportResult) -> dict[str, list[str]]:
    return {f"{p.post_id}/{p.channel}": [code for code, _ in p.reasons] for p in result.left_out}


def test_only_approved_unscheduled_posts_with_evidence_go_out() -> None:
    result = planned([post("P1"),
                      post("P2", approved="No"),
                      post("P3", approved=""),
                      post("P4", status="Client review", approved=""),
                      post("P5", status="Scheduled"),
                      post("P6", status="Published"),
                      post("P7", status="Cancelled"),
                      post("P8", status="On hold"),
                      post("P9", status="Ready"),
                      post("P10", approved="maybe")])
    assert [p.post_id for p in result.posts] == ["P1"]
    assert reasons(result) == {
        "P2/instagram": ["no-approval"], "P3/instagram": ["no-approval"],
        "P4/instagram": ["not-approved-status", "no-approval"],
        "P5/instagram": ["scheduled"], "P6/instagram": ["published"],
        "P7/instagram": ["cancelled"], "P8/instagram": ["on-hold"],
        "P9/instagram": ["unknown-status"], "P10/instagram": ["approval-unreadable"]}
    messages = {p.post_id: [m for _, m in p.reasons] for p in result.left_out}
    assert messages["P2"] == ["no approval recorded in the sheet (“Approved”)"]
    assert messages["P4"][0] == "status “Client review” (client review): not approved yet"
    assert messages["P5"] == ["already scheduled: a scheduled post is not exported again, so "
                              "that it is not imported twice (status “Scheduled”)"]
    assert messages["P9"] == ["status “Ready” is not a status sheets-sync knows; map it in "
                              "[calendars.statuses]"]


def test_an_approval_date_is_evidence_and_a_name_alone_is_not() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption", "Approved by", "Approved on"]
    result = planned([["P1", "Instagram", "2026-03-20 10:00", "Approved", "Hello there",
                       "Elif", "2026-03-09"],
                      ["P2", "Instagram", "2026-03-21 10:00", "Approved", "Hello again",
                       "Elif", ""]], header=header)
    assert [p.post_id for p in result.posts] == ["P1"]
    assert reasons(result) == {"P2/instagram": ["no-approval"]}
    assert result.posts[0].approved_at == "2026-03-09"


def test_an_approver_off_the_clients_list_is_no_approval_for_export() -> None:
    result = planned([post("P1", by="Elif"), post("P2", by="The intern")],
                     rules={"approvals": {"approvers": ["Elif"]},
                            "levels": {"approver-not-authorized": "off"}})
    assert [p.post_id for p in result.posts] == ["P1"]
    assert [p.reasons for p in result.left_out] == [(("approver-not-authorized", (
        "Approved by “The intern”, who is not on this client's approver list (Elif). Get the "
        "approval from one of them.")),)]


def test_a_calendar_without_approval_column_goes_by_status_and_says_so() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption"]
    result = planned([["P1", "Instagram", "2026-03-20 10:00", "Approved", "Hello there"],
                      ["P2", "Instagram", "2026-03-21 10:00", "Draft", "Hello again"]],
                     header=header)
    assert [p.post_id for p in result.posts] == ["P1"]
    assert reasons(result) == {"P2/instagram": ["not-approved-status"]}
    assert ("the calendar has no approval column (Approved, Approved on): the exported posts' "
            "status is the only record of their approval") in result.notices


def test_ids_channels_captions_and_limits_are_checked_per_channel() -> None:
    result = planned([post("P1", caption="x" * 300, channel="X"),
                      post("P1", date="2026-03-21 10:00"),
                      post("P3", channel="Instagarm"),
                      post("P4", caption="   "),
                      post("P5", caption="y" * 300, channel="LinkedIn + X")],
                     rules={"levels": {"caption-too-long": "off", "duplicate-id": "off"}})
    assert reasons(result) == {
        "P1/x": ["duplicate-id", "caption-too-long"], "P1/instagram": ["duplicate-id"],
        "P3/": ["unknown-channel"], "P4/instagram": ["no-caption"], "P5/x": ["caption-too-long"]}
    assert [(p.post_id, p.channel) for p in result.posts] == [("P5", "linkedin")]
    unknown = next(p for p in result.left_out if p.post_id == "P3")
    assert unknown.reasons == (("unknown-channel", "channel “Instagarm” is not known"),)


def test_the_window_bounds_what_is_listed_and_past_times_are_left_out() -> None:
    rows = [post("P1", date="2026-03-09 10:00"), post("P2", date="2026-03-10 08:00"),
            post("P3", date="2026-03-10 10:00"), post("P4", date="2026-03-20 10:00"),
            post("P5", date="2026-03-21 00:00"), post("P6", date="TBC")]
    # From now on: earlier posts are not in the window at all.
    default = planned(rows)
    assert [p.post_id for p in default.posts] == ["P3", "P4", "P5"]
    assert reasons(default) == {"P6/instagram": ["no-date"]}
    # An explicit start before now lists the passed posts; --until a date takes its whole day.
    window = parse_window("2026-03-10", "2026-03-20")
    bounded = planned(rows, window=window)
    assert [p.post_id for p in bounded.posts] == ["P3", "P4"]
    assert reasons(bounded) == {"P2/instagram": ["time-passed"], "P6/instagram": ["no-date"]}
    assert bounded.left_out[0].reasons[0][1] == (
        "its publish time 2026-03-10 08:00 (Europe/Istanbul) has passed")


def test_a_date_without_time_goes_out_at_the_default_time_and_says_so() -> None:
    result = planned([post("P1", date="2026-03-20")], default_publish_time="11:30")
    assert result.posts[0].local == dt.datetime(2026, 3, 20, 11, 30)
    assert "rows 2 give a date only: exported at default_publish_time 11:30" in result.notices


def test_hashtags_kept_apart_follow_the_caption_and_count_against_the_limit() -> None:
    header = [*HEADER, "Hashtags"]
    result = planned([[*post("P1", caption="Tea time", channel="X"), "#tea #spring"],
                      [*post("P2", caption="z" * 270, channel="X"), "#one #two #three"]],
                     to="buffer", header=header)
    assert result.posts[0].text == "Tea time\n\n#tea #spring"
    assert reasons(result) == {"P2/x": ["caption-too-long"]}
    assert any(n.startswith("the Hashtags column's text follows each caption") for n in
               result.notices)


def test_parse_window_refuses_bad_and_reversed_dates() -> None:
    from sheets_sync.errors import UsageError

    with pytest.raises(UsageError, match=r"--from: '1 March' is not a date"):
        parse_window("1 March", None)
    with pytest.raises(UsageError, match=r"--until 2026-03-01 is before --from 2026-03-10"):
        parse_window("2026-03-10", "2026-03-01")
    with pytest.raises(UsageError, match="carries a time zone"):
        parse_window("2026-03-10T10:00+03:00", None)
    assert parse_window(None, "2026-03-20T18:00").end == dt.datetime(2026, 3, 20, 18, 0)


# --- the sample and the sync history ----------------------------------------------------------

def test_the_samples_left_out_posts_carry_every_reason(tmp_path: Path) -> None:
    config = load(ROOT / "config" / "example.toml").calendar("sample")
    result = export(config, "csv", NOW, parse_window("2026-03-09", "2026-03-13"),
                    state_path=str(tmp_path / "none.db"))
    assert [p.post_id for p in result.posts] == ["NT-008", "KD-009"]
    got = {p.post_id: [c for c, _ in p.reasons] for p in result.left_out}
    assert got == {
        "NT-006": ["published", "time-passed"],
        "KD-006": ["scheduled", "approver-not-authorized", "time-passed"],
        "KD-007": ["scheduled"],
        "KD-008": ["not-approved-status", "no-approval"],
        "NT-007": ["scheduled"],
        "NT-009": ["not-approved-status", "no-approval"],
        "KD-010": ["scheduled", "no-approval"]}
    assert result.notices[0].startswith("changed-after-approval was not checked: no state "
                                        "database at ")


def workbook(path: Path, rows: list[list[Any]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    for values in [HEADER, *rows]:
        sheet.append(values)
    book.save(path)


def set_cell(path: Path, row: int, column: int, value: Any) -> None:
    book = openpyxl.load_workbook(path)
    book["Calendar"].cell(row=row, column=column, value=value)
    book.save(path)


def test_a_post_edited_after_its_approval_stays_out_until_approved_again(tmp_path: Path) -> None:
    path, state = tmp_path / "plan.xlsx", str(tmp_path / "plan.db")
    workbook(path, [post("P1"), post("P2", date="2026-03-21 10:00", caption="Untouched")])
    config = from_dict({"calendars": [{"name": "plan", "path": str(path), "client": "Acme",
                                       "tab": "Calendar"}]}).calendars[0]
    sync(config, state, NOW)  # the approval is seen
    set_cell(path, 2, 7, "Spring menu is here ☕ — now with oat milk")
    later = NOW + dt.timedelta(hours=1)
    result = export(config, "buffer", later, state_path=state)
    assert [p.post_id for p in result.posts] == ["P2"]
    assert [(p.post_id, [c for c, _ in p.reasons]) for p in result.left_out] == [
        ("P1", ["changed-after-approval"])]
    assert result.history.available and not any("not checked" in n for n in result.notices)
    # Without the history the edit cannot be seen: the export goes on and says so.
    blind = export(config, "buffer", later, history=False)
    assert [p.post_id for p in blind.posts] == ["P1", "P2"]
    assert blind.notices[0] == ("changed-after-approval was not checked: the sync state was "
                                "not read (--no-history); posts edited after their approval "
                                "cannot be told apart until a sync has seen them")
