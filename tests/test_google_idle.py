"""Idle calendars on the Sheets fake: Drive's version decides whether a cycle reads at all.

A calendar nobody changed since the last cycle costs one Drive ``files.get`` and no Sheets
read; the cycle still runs on the kept copy, so a deadline passing still updates Status. An
edit by anyone else (before, during or after the tool's own write) is read in the next cycle,
the tool's own write is not taken for an edit, and a Drive that refuses or fails costs only
the read it would have saved.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import gspread
import pytest
from conftest import HEADER, at, only, row

from sheets_sync.backends import google
from sheets_sync.backends.google import GoogleBackend, load_credentials
from sheets_sync.backends.http import RetryPolicy, TokenBucket
from sheets_sync.config import from_dict
from sheets_sync.run import CycleResult, run_once
from sheets_sync.state import StateStore
from sheets_sync.testing.fake_sheets import FakeSheetsAPI

NOW = at("2026-03-11 09:00")
HEADERS = [*HEADER, "Sent for review", "Feedback due"]
CAPTION = HEADERS.index("Caption")


def review(post_id: str, due: str, caption: str = "Hello") -> list[Any]:
    return [*row(post_id, status="Client review", caption=caption, date="2026-03-30 10:00"),
            "2026-03-09 10:00", due]


def calendar() -> list[list[Any]]:
    return [HEADERS, review("P1", "2026-03-12"), review("P2", "2026-03-10"), row("P3")]


def config() -> Any:
    return from_dict({"calendars": [{
        "name": "cal", "backend": "memory", "tab": "Calendar", "client": "Acme",
        "rules": {"levels": only("feedback-overdue", "missing-approval")}}]}).calendars[0]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Setup:
    """A fake holding one calendar, a state store and a way to run cycles on them."""

    def __init__(self, rows: list[list[Any]] | None = None) -> None:
        self.api = FakeSheetsAPI()
        self.sheet = self.api.create_spreadsheet("Plan", sheets={"Calendar": rows or calendar()},
                                                 time_zone="Europe/Istanbul")
        self.store = StateStore(":memory:")
        self.clock = Clock()

    def backend(self, **kwargs: Any) -> GoogleBackend:
        backend = GoogleBackend(self.sheet, session=kwargs.pop("session", self.api.session()),
                                cache=self.store.cache("cal"),
                                policy=RetryPolicy(sleep=lambda s: None),
                                bucket=TokenBucket(10_000), clock=self.clock, **kwargs)
        backend.account = "idle-test@agency.iam.gserviceaccount.com"
        return backend

    def cycle(self, now: dt.datetime, backend: GoogleBackend | None = None) -> CycleResult:
        self.api.reset_log()
        return run_once(config(), backend or self.backend(), self.store, now)

    def kinds(self) -> list[str]:
        return self.api.requests.kinds()

    def codes(self) -> list[tuple[str, str]]:
        """(code, post ID) of each finding row of Status, as the spreadsheet holds them (the
        Post column starts with the post's ID; a section's title row has no code)."""
        status = self.api.values(self.sheet, "Status")
        code, post = status[0].index("Code"), status[0].index("Post")
        return sorted((r[code], str(r[post]).split(" · ")[0]) for r in status[1:]
                      if len(r) > code and r[code])


def drive_file(api: FakeSheetsAPI, sheet: str, authorization: str) -> dict[str, Any]:
    session = api.session()
    session.headers["Authorization"] = authorization
    answer = session.get(f"https://www.googleapis.com/drive/v3/files/{sheet}",
                         params={"fields": "version,modifiedTime,lastModifyingUser(me)"})
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()
    return result


# --- the fake's Drive ---------------------------------------------------------------------

def test_the_fakes_drive_version_grows_with_every_change_and_names_the_last_modifier() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": [["a"]]})
    first = drive_file(api, sheet, "Bearer tool")
    assert set(first) == {"version", "modifiedTime", "lastModifyingUser"}
    assert isinstance(first["version"], str) and first["version"].isdigit()
    assert first["modifiedTime"].endswith("Z")

    session = api.session()
    session.headers["Authorization"] = "Bearer tool"
    client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
    client.open_by_key(sheet).worksheet("Calendar").get_all_values()  # reads change nothing
    assert drive_file(api, sheet, "Bearer tool")["version"] == first["version"]

    client.open_by_key(sheet).worksheet("Calendar").update([["b"]], "A1")
    mine = drive_file(api, sheet, "Bearer tool")
    assert int(mine["version"]) > int(first["version"])
    assert mine["lastModifyingUser"]["me"] is True
    assert drive_file(api, sheet, "Bearer someone else")["lastModifyingUser"]["me"] is False

    api.set_values(sheet, "Calendar", [["c"]])  # a person in the Sheets editor
    person = drive_file(api, sheet, "Bearer tool")
    assert int(person["version"]) > int(mine["version"])
    assert person["lastModifyingUser"]["me"] is False
    api.insert_rows(sheet, "Calendar", 1)
    assert int(drive_file(api, sheet, "Bearer tool")["version"]) > int(person["version"])


# --- the idle path ------------------------------------------------------------------------

def test_an_unchanged_spreadsheet_is_not_read_and_the_cycle_still_runs() -> None:
    s = Setup()
    first = s.cycle(NOW)
    assert first.changed_tabs == ["Status", "Report", "History"]

    second = s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.kinds() == ["drive.files.get"]  # no values read, no metadata, no write
    assert s.api.requests.count("values") == 0 and s.api.requests.count("spreadsheets") == 0
    assert second.changed_tabs == []
    assert second.rows == 3
    assert sorted(second.findings["code"]) == sorted(first.findings["code"])
    assert len(s.store.runs("cal")) == 2  # the cycle was recorded like any other

    s.cycle(NOW + dt.timedelta(minutes=10))  # and so on while nothing changes
    assert s.kinds() == ["drive.files.get"]


def test_a_deadline_passing_updates_status_with_one_write_and_no_read() -> None:
    s = Setup()
    s.cycle(NOW)
    assert s.codes() == [("feedback-overdue", "P2")]
    s.cycle(at("2026-03-12 23:55"))  # P1's feedback is due by the end of 12 March
    assert s.kinds() == ["drive.files.get"]

    result = s.cycle(at("2026-03-13 00:05"))
    assert result.changed_tabs == ["Status", "Report"]  # the Report counts findings
    assert s.kinds() == ["drive.files.get", "drive.files.get", "values.batchUpdate",
                         "drive.files.get"]  # the version before and after the one write
    assert s.codes() == [("feedback-overdue", "P1"), ("feedback-overdue", "P2")]

    # The tool's own write is not an edit: the next cycle reads nothing again.
    again = s.cycle(at("2026-03-13 09:05"))
    assert s.kinds() == ["drive.files.get"]
    assert again.changed_tabs == []


def test_the_tools_own_write_is_not_taken_for_an_edit() -> None:
    s = Setup()
    first = s.cycle(NOW)  # creates and writes the three tabs: the version moves
    assert s.api.requests.count("values.batchUpdate") == 1
    versions = [r for r in s.api.requests if r.kind == "drive.files.get"]
    assert [r.query["fields"] for r in versions] == [
        ["version"], ["version"], ["version,lastModifyingUser(me)"]]
    second = s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.kinds() == ["drive.files.get"]
    assert second.outputs["Status"] == first.outputs["Status"]
    assert second.previous["Status"] is not None  # the tabs as the tool wrote them


def test_an_edit_by_a_person_is_read_in_the_next_cycle() -> None:
    s = Setup()
    s.cycle(NOW)
    s.api.set_values(s.sheet, "Calendar", [["Changed by the client"]],
                     start=f"{chr(65 + CAPTION)}2")
    result = s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.api.requests.count("values.batchGet") == 1
    assert [(h.post_id, h.field, h.new) for h in s.store.history("cal")] == [
        ("P1", "caption", "Changed by the client")]
    assert "History" in result.changed_tabs
    s.cycle(NOW + dt.timedelta(minutes=10))  # read once; then idle again
    assert s.kinds() == ["drive.files.get"]


def test_an_edit_through_another_program_is_read_in_the_next_cycle() -> None:
    s = Setup()
    s.cycle(NOW)
    session = s.api.session()
    session.headers["Authorization"] = "Bearer another-program"
    other = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
    other.open_by_key(s.sheet).worksheet("Calendar").update([["Client review"]], "F4")
    s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.api.requests.count("values.batchGet") == 1
    assert ("P3", "status") in [(h.post_id, h.field) for h in s.store.history("cal")]


def test_an_edit_between_the_read_and_the_write_is_not_missed() -> None:
    s = Setup()
    backend = s.backend()
    read = backend._read_sheets

    def read_then_a_person_edits(*args: Any) -> Any:
        sheet = read(*args)
        s.api.set_values(s.sheet, "Calendar", [["Edited while syncing"]],
                         start=f"{chr(65 + CAPTION)}3")
        return sheet

    backend._read_sheets = read_then_a_person_edits  # type: ignore[method-assign]
    s.cycle(NOW, backend)  # reads, then writes the three tabs after the edit
    s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.api.requests.count("values.batchGet") == 1
    assert [(h.post_id, h.new) for h in s.store.history("cal")] == [
        ("P2", "Edited while syncing")]


def test_an_edit_right_after_the_tools_write_is_not_missed() -> None:
    s = Setup()
    backend = s.backend()
    write = backend._write_tabs

    def write_then_a_person_edits(tabs: Any) -> bool:
        healed = write(tabs)  # every request of the write sent, Drive not asked again yet
        s.api.set_values(s.sheet, "Calendar", [["Edited just after"]],
                         start=f"{chr(65 + CAPTION)}2")
        return healed

    backend._write_tabs = write_then_a_person_edits  # type: ignore[method-assign]
    s.cycle(NOW, backend)
    assert s.kinds()[-2:] == ["values.batchUpdate", "drive.files.get"]  # the edit between
    s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.api.requests.count("values.batchGet") == 1
    assert [(h.post_id, h.new) for h in s.store.history("cal")] == [("P1", "Edited just after")]


def test_a_guarded_write_into_the_calendar_is_read_back_in_the_next_cycle() -> None:
    s = Setup()
    s.cycle(NOW)
    backend = s.backend()
    backend.write_cells("Calendar", {(4, CAPTION + 1): "Written into the calendar"})
    s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.api.requests.count("values.batchGet") == 1
    assert [(h.post_id, h.new) for h in s.store.history("cal")] == [
        ("P3", "Written into the calendar")]


def test_a_kept_read_serves_for_two_hours_at_most() -> None:
    s = Setup()
    s.cycle(NOW)
    s.clock.now += google.FULL_READ_AFTER - 1
    s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.kinds() == ["drive.files.get"]
    s.clock.now += google.FULL_READ_AFTER + 1  # past any calendar's spread
    s.cycle(NOW + dt.timedelta(minutes=10))
    assert s.kinds() == ["drive.files.get", "values.batchGet"]
    s.cycle(NOW + dt.timedelta(minutes=15))
    assert s.kinds() == ["drive.files.get"]


def test_a_changed_configuration_reads_again() -> None:
    s = Setup()
    s.cycle(NOW)
    renamed = from_dict({"calendars": [{"name": "cal", "backend": "memory", "tab": "Calendar",
                                        "client": "Acme", "status_tab": "Durum"}]}).calendars[0]
    s.api.reset_log()
    run_once(renamed, s.backend(), s.store, NOW + dt.timedelta(minutes=5))
    assert s.api.requests.count("values.batchGet") == 1
    assert "Durum" in s.api.sheet_titles(s.sheet)


# --- when Drive does not help ---------------------------------------------------------------

def test_drive_refusing_falls_back_to_full_reads_and_says_so_once(
        caplog: pytest.LogCaptureFixture) -> None:
    s = Setup()
    google._REFUSALS_LOGGED.discard("idle-test@agency.iam.gserviceaccount.com")
    s.api.faults.fail_fraction(1.0, status=403, kinds=("drive",))
    caplog.set_level(logging.INFO, logger="sheets_sync.google")
    first = s.cycle(NOW)
    assert first.changed_tabs == ["Status", "Report", "History"]
    assert s.kinds()[:2] == ["drive.files.get", "spreadsheets.get"]
    assert s.api.requests.count("drive") == 1  # a refusal is not asked again around the write

    s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.kinds() == ["values.batchGet"]  # read in full, Drive not asked for an hour
    refusals = [r.getMessage() for r in caplog.records if "Drive refused" in r.getMessage()]
    assert len(refusals) == 1
    assert "HTTP 403" in refusals[0] and "drive.metadata.readonly" in refusals[0]
    assert "idle-test@agency.iam.gserviceaccount.com" in refusals[0]

    s.api.faults.fail_fraction(0)  # the scope is granted: an hour later Drive is asked again
    s.clock.now += google.DRIVE_RETRY_AFTER
    s.cycle(NOW + dt.timedelta(minutes=10))
    assert s.kinds() == ["drive.files.get", "values.batchGet"]
    s.cycle(NOW + dt.timedelta(minutes=15))
    assert s.kinds() == ["drive.files.get"]
    assert len([r for r in caplog.records if "Drive refused" in r.getMessage()]) == 1


def test_drive_failing_costs_one_full_read() -> None:
    s = Setup()
    s.cycle(NOW)
    s.api.faults.fail_next(3, status=503, kinds=("drive",))  # every attempt of one question
    result = s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.kinds() == ["drive.files.get"] * 3 + ["values.batchGet"]
    assert result.changed_tabs == []
    s.cycle(NOW + dt.timedelta(minutes=10))  # the read kept before still holds
    assert s.kinds() == ["drive.files.get"]

    s.api.set_values(s.sheet, "Calendar", [["Edited"]], start=f"{chr(65 + CAPTION)}2")
    s.api.faults.fail_next(3, status=503, kinds=("drive",))
    s.cycle(NOW + dt.timedelta(minutes=15))  # read in full: the edit is seen
    assert [(h.post_id, h.new) for h in s.store.history("cal")] == [("P1", "Edited")]
    s.cycle(NOW + dt.timedelta(minutes=20))  # the kept read is older than the edit: read
    assert s.kinds() == ["drive.files.get", "values.batchGet"]
    s.cycle(NOW + dt.timedelta(minutes=25))
    assert s.kinds() == ["drive.files.get"]


def test_a_large_answer_is_not_kept_and_drive_is_not_asked(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(google, "KEEP_AT_MOST", 500)  # bytes: this calendar is "large"
    s = Setup()
    s.cycle(NOW)
    s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.kinds() == ["values.batchGet"]
    assert sorted(s.store.cache("cal")) == [f"drive:{s.sheet}", f"google:{s.sheet}"]
    monkeypatch.setattr(google, "KEEP_AT_MOST", 10**9)  # small enough again: asked, kept
    s.cycle(NOW + dt.timedelta(minutes=10))
    assert s.kinds() == ["drive.files.get", "values.batchGet"]
    s.cycle(NOW + dt.timedelta(minutes=15))
    assert s.kinds() == ["drive.files.get"]


def test_without_a_lasting_cache_drive_is_never_asked() -> None:
    s = Setup()
    backend = GoogleBackend(s.sheet, session=s.api.session(), policy=RetryPolicy(),
                            bucket=TokenBucket(10_000))
    s.api.reset_log()
    backend.read("Calendar", ["Status", "Report", "History"])
    assert s.api.requests.count("drive") == 0


def test_the_kept_read_lives_in_the_state_database(tmp_path: Any) -> None:
    s = Setup()
    s.store = StateStore(str(tmp_path / "state.db"))
    s.cycle(NOW)
    s.store.close()
    s.store = StateStore(str(tmp_path / "state.db"))  # a new process: the daemon restarted
    result = s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.kinds() == ["drive.files.get"]
    assert result.rows == 3 and result.changed_tabs == []


def test_a_drive_rate_limit_is_not_taken_for_a_refusal() -> None:
    s = Setup()
    s.cycle(NOW)
    limited = {"error": {"code": 403, "message": "User rate limit exceeded.", "errors": [
        {"domain": "usageLimits", "reason": "userRateLimitExceeded",
         "message": "User rate limit exceeded."}]}}
    session = s.api.session()
    send = session.request

    def busy_once(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        response = send(method, url, *args, **kwargs)
        if "/drive/" in url and not busy_once.done:  # type: ignore[attr-defined]
            busy_once.done = True  # type: ignore[attr-defined]
            response.status_code, response._content = 403, json.dumps(limited).encode()
        return response

    busy_once.done = False  # type: ignore[attr-defined]
    session.request = busy_once  # type: ignore[method-assign]
    s.cycle(NOW + dt.timedelta(minutes=5), s.backend(session=session))
    assert s.kinds() == ["drive.files.get", "values.batchGet"]  # read in full this once
    s.cycle(NOW + dt.timedelta(minutes=10))  # and Drive is asked again at once
    assert s.kinds() == ["drive.files.get"]


# --- credentials ------------------------------------------------------------------------------

def user_token(tmp_path: Path, **extra: Any) -> str:
    path = tmp_path / "token.json"
    path.write_text(json.dumps({"type": "authorized_user", "client_id": "1-a.apps.example",
                                "client_secret": "not-a-secret", "refresh_token": "1//x",
                                **extra}), encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def test_a_service_account_asks_for_drive_metadata_and_a_user_token_only_if_granted(
        tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"type": "service_account", "client_email": "s@p.iam.example",
                               "private_key": pem, "private_key_id": "1",
                               "token_uri": "https://oauth2.googleapis.com/token"}))
    key.chmod(0o600)
    sheets = "https://www.googleapis.com/auth/spreadsheets"
    drive = "https://www.googleapis.com/auth/drive.metadata.readonly"
    assert load_credentials(str(key))[0].scopes == [sheets, drive]

    # A user's token is refreshed with the scopes it was granted, never more.
    assert load_credentials(user_token(tmp_path))[0].scopes == [sheets]
    assert load_credentials(user_token(tmp_path, scopes=[sheets]))[0].scopes == [sheets]
    full = "https://www.googleapis.com/auth/drive"
    assert load_credentials(user_token(tmp_path, scopes=[sheets, full]))[0].scopes == [
        sheets, full]
    assert load_credentials(user_token(tmp_path, scopes=[sheets, drive]))[0].scopes == [
        sheets, drive]


def test_a_damaged_kept_read_costs_a_read_not_a_failure() -> None:
    s = Setup()
    s.cycle(NOW)
    cache = s.store.cache("cal")
    cache.set_blob(f"drive-read:{s.sheet}", b'{"valueRanges": "not a list"}')
    result = s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.kinds() == ["drive.files.get", "values.batchGet"]
    assert result.rows == 3 and result.changed_tabs == []
    s.cycle(NOW + dt.timedelta(minutes=10))
    assert s.kinds() == ["drive.files.get"]


# --- with the backend's healing and limits ----------------------------------------------------

def test_a_grid_a_person_shrank_is_sized_on_a_cycle_that_reads_nothing() -> None:
    s = Setup()
    s.cycle(NOW)  # Status: the header, the section's title and P2's overdue feedback,
    assert len(s.api.values(s.sheet, "Status")) == 3  # in a grid of 53 rows
    rows = int(s.api.sheet_properties(s.sheet, "Status")["gridProperties"]["rowCount"])
    s.api.delete_rows(s.sheet, "Status", 4, rows - 3)  # a person leaves it just three rows
    owner = chr(65 + HEADERS.index("Owner"))
    s.api.set_values(s.sheet, "Calendar", [["Deniz"]], start=f"{owner}3")  # P2's, in Status
    result = s.cycle(NOW + dt.timedelta(minutes=5))  # read in full: Status rewritten in place
    assert s.api.requests.count("values.batchGet") == 1
    assert s.api.requests.count("spreadsheets") == 0 and "Status" in result.changed_tabs
    # A deadline passes on a cycle that reads nothing: Status grows to four rows, and its
    # grid is sized from the three rows last seen, not from the 53 the tab was created with.
    s.cycle(at("2026-03-13 00:05"))
    assert s.kinds() == ["drive.files.get", "drive.files.get", "spreadsheets.batchUpdate",
                         "values.batchUpdate", "drive.files.get"]
    assert s.api.stats.get(400, 0) == 0
    assert s.codes() == [("feedback-overdue", "P1"), ("feedback-overdue", "P2")]
    s.cycle(at("2026-03-13 09:05"))  # the tool's own write again: nothing to read
    assert s.kinds() == ["drive.files.get"]


def test_a_healed_write_keeps_no_read_for_the_next_cycle() -> None:
    s = Setup()
    s.cycle(NOW)
    backend = s.backend()
    confirm = backend._drive.before_change
    edited: list[bool] = []

    def confirmed_then_a_person_edits() -> None:
        confirm()  # Drive: still the kept version; then, before the write's first request:
        if edited:
            return
        edited.append(True)
        rows = int(s.api.sheet_properties(s.sheet, "Status")["gridProperties"]["rowCount"])
        s.api.delete_rows(s.sheet, "Status", 2, rows - 1)
        s.api.set_values(s.sheet, "Calendar", [["Edited meanwhile"]],
                         start=f"{chr(65 + CAPTION)}3")

    backend._drive.before_change = confirmed_then_a_person_edits  # type: ignore[method-assign]
    s.cycle(at("2026-03-13 00:05"), backend)
    assert s.api.stats[400] == 1  # "exceeds grid limits": the layout and tabs read, retried
    assert s.codes() == [("feedback-overdue", "P1"), ("feedback-overdue", "P2")]
    # The tool wrote last, but the retry showed that the spreadsheet was not as kept: the
    # next cycle reads it, and the person's edit of the calendar is not missed.
    s.cycle(at("2026-03-13 00:10"))
    assert s.kinds()[:2] == ["drive.files.get", "values.batchGet"]
    assert [(h.post_id, h.new) for h in s.store.history("cal")] == [("P2", "Edited meanwhile")]


def test_a_write_that_sends_nothing_asks_drive_nothing() -> None:
    s = Setup()
    s.cycle(NOW)
    backend = s.backend()
    sheet = backend.read("Calendar", ["Status", "Report", "History"])
    assert sheet.owned["Status"] is not None
    s.api.reset_log()
    backend.write({"Status": sheet.owned["Status"]})  # what the tab already holds
    assert s.kinds() == []
    s.cycle(NOW + dt.timedelta(minutes=5))
    assert s.kinds() == ["drive.files.get"]
