"""The Google backend on the in-process Sheets API fake: request counts, faults, quota."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from conftest import HEADER, at, row

from sheets_sync.backends.google import GoogleBackend, spreadsheet_id
from sheets_sync.backends.http import RetryPolicy, TokenBucket, loads
from sheets_sync.config import from_dict
from sheets_sync.errors import SourceError
from sheets_sync.run import run_once
from sheets_sync.state import StateStore
from sheets_sync.testing.fake_sheets import FakeSheetsAPI

NOW = at("2026-03-10 09:30")  # no urgent post crosses a whole hour in the next minutes
OWNED = ("Status", "Report", "History")
SHEETS = ("spreadsheets", "values")  # the Sheets API's requests (Drive's are another quota)


def calendar_rows(count: int) -> list[list[Any]]:
    rows: list[list[Any]] = [list(HEADER)]
    for i in range(count):
        day = dt.date(2026, 3, 1) + dt.timedelta(days=i % 60)
        rows.append(row(f"P{i:05d}", client=f"Client {i % 5}", date=day.isoformat() + " 10:00",
                        status=["Draft", "Client review", "Approved", "Published"][i % 4],
                        caption=f"Caption {i} 🎉"))
    return rows


def no_sleep(seconds: float) -> None:
    return None


def make(api: FakeSheetsAPI, sheet: str, store: StateStore, **kwargs: Any) -> GoogleBackend:
    return GoogleBackend(sheet, session=api.session(), cache=store.cache("cal"),
                         policy=kwargs.pop("policy", RetryPolicy(sleep=no_sleep)),
                         bucket=kwargs.pop("bucket", TokenBucket(10_000)), **kwargs)


def config() -> Any:
    return from_dict({"calendars": [{"name": "cal", "backend": "memory", "tab": "Calendar",
                                     "client": "Acme"}]}).calendars[0]


def test_spreadsheet_id_from_url_or_id() -> None:
    url = "https://docs.google.com/spreadsheets/d/1AbC_d-9/edit#gid=0"
    assert spreadsheet_id(url) == "1AbC_d-9"
    assert spreadsheet_id(" 1AbC_d-9 ") == "1AbC_d-9"


def test_request_counts_first_run_steady_state_and_unchanged() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": calendar_rows(5000)},
                                   time_zone="Europe/Istanbul")
    store = StateStore(":memory:")
    api.reset_log()
    run_once(config(), make(api, sheet, store), store, NOW)
    assert api.requests.count("spreadsheets.get") == 1
    assert api.requests.count("values.batchGet") == 1
    assert api.requests.count("spreadsheets.batchUpdate") == 1
    assert api.requests.count("values.batchUpdate") == 1
    # Drive's version: before the read, and around the write (see test_google_idle.py).
    assert api.requests.count("drive.files.get") == 3
    assert len(api.requests) == 4 + 3
    read = next(r for r in api.requests if r.kind == "values.batchGet")
    assert read.query["majorDimension"] == ["COLUMNS"]  # 20 long lists, not 5,000 short ones
    status = api.values(sheet, "Status")
    assert status[0][:2] == ["Severity", "What"]

    api.reset_log()  # an unchanged calendar: Drive says so, no read, no write
    result = run_once(config(), make(api, sheet, store), store, NOW + dt.timedelta(minutes=5))
    assert result.changed_tabs == []
    assert api.requests.kinds() == ["drive.files.get"]

    backend = make(api, sheet, store)
    caption = HEADER.index("Caption") + 1
    backend.write_cells("Calendar", {(3, caption): "Changed caption"})
    # The first History entry gives its time column a date format once (a layout change).
    run_once(config(), backend, store, NOW + dt.timedelta(minutes=10))
    history = api.values(sheet, "History")
    assert history[1][1:] == ["P00001", "Caption", "Caption 1 🎉", "Changed caption"]

    backend.write_cells("Calendar", {(4, caption): "Changed again"})
    api.reset_log()  # a steady-state change: one read, one write (and Drive's version)
    result = run_once(config(), backend, store, NOW + dt.timedelta(minutes=15))
    assert "History" in result.changed_tabs
    assert [api.requests.count(k) for k in ("values.batchGet", "values.batchUpdate")] == [1, 1]
    assert api.requests.kinds() == ["drive.files.get", "values.batchGet", "drive.files.get",
                                    "values.batchUpdate", "drive.files.get"]
    write = next(r for r in api.requests if r.kind == "values.batchUpdate").body["data"]
    history = next(d for d in write if d["range"].startswith("'History'"))
    # History is newest first: a new entry goes on top and the older ones move down a row,
    # so every entry is sent again (one request all the same).
    assert history["range"] == "'History'!A2"
    assert [r[1:3] for r in history["values"]] == [["P00002", "Caption"], ["P00001", "Caption"]]


def test_text_is_written_literally_and_stale_cells_are_cleared() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": [
        list(HEADER), row("=HYPERLINK(\"http://x\",\"y\")"), row("=HYPERLINK(\"http://x\",\"y\")"),
        row("P3")]})
    store = StateStore(":memory:")
    run_once(config(), make(api, sheet, store), store, NOW)
    cells = [c for line in api.values(sheet, "Status") for c in line]
    # the duplicate ID, as text
    assert any(str(c).startswith("=HYPERLINK(\"http://x\",\"y\") · ") for c in cells)
    backend = make(api, sheet, store)
    backend.write_cells("Calendar", {(3, 1): "P2"})  # the duplicate is fixed
    result = run_once(config(), backend, store, NOW + dt.timedelta(minutes=5))
    status = api.values(sheet, "Status")
    # Old rows were blanked, not left behind: the tab holds exactly this cycle's rows.
    assert len(status) == len(result.outputs["Status"])
    assert [[*line, ""][:2] for line in status[1:]] == [
        [*line, ""][:2] for line in result.outputs["Status"][1:]]
    assert not any("duplicate-id" in line for line in status)


def test_twenty_429s_then_success_is_retried_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": calendar_rows(20)})
    store = StateStore(":memory:")
    api.faults.fail_next(20, status=429, kinds=SHEETS)
    caplog.set_level(logging.WARNING, logger="sheets_sync.google")
    run_once(config(), make(api, sheet, store), store, NOW)
    retries = [r for r in caplog.records if "HTTP 429" in r.getMessage()]
    assert len(retries) == 20
    assert api.values(sheet, "Status")


def test_permanent_5xx_fails_with_exit_3_and_the_next_cycle_recovers() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": calendar_rows(20)})
    store = StateStore(":memory:")
    policy = RetryPolicy(attempts=4, sleep=no_sleep)
    api.faults.fail_next(4, status=503, kinds=SHEETS)
    with pytest.raises(SourceError) as caught:
        run_once(config(), make(api, sheet, store, policy=policy), store, NOW)
    assert caught.value.exit_code == 3
    assert "HTTP 503" in caught.value.message and "4 attempts" in caught.value.message
    assert store.posts("cal").empty and store.runs("cal") == []
    run_once(config(), make(api, sheet, store, policy=policy), store, NOW)
    assert len(store.runs("cal")) == 1


def test_a_connection_dropped_mid_write_saves_no_state() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": calendar_rows(20)})
    store = StateStore(":memory:")
    run_once(config(), make(api, sheet, store), store, NOW)
    backend = make(api, sheet, store, policy=RetryPolicy(attempts=1, sleep=no_sleep))
    backend.write_cells("Calendar", {(2, HEADER.index("Status") + 1): "Approved"})
    write = backend.write

    def write_then_lose_the_answer(tabs: Any) -> None:
        # Google applies the values write; its answer never arrives (Drive's are not lost).
        api.faults.lose_responses(1, kinds=["values.batchUpdate"])
        write(tabs)

    backend.write = write_then_lose_the_answer  # type: ignore[method-assign]
    with pytest.raises(SourceError, match="could not be reached"):
        run_once(config(), backend, store, NOW + dt.timedelta(minutes=5))
    assert store.history("cal") == []
    run_once(config(), make(api, sheet, store), store, NOW + dt.timedelta(minutes=6))
    assert [(h.post_id, h.field) for h in store.history("cal")] == [("P00000", "status")]


def test_thirty_calendars_stay_under_the_quota_with_no_429() -> None:
    clock = [0.0]

    def advance(seconds: float) -> None:
        clock[0] += seconds

    api = FakeSheetsAPI(quota_per_minute=60, clock=lambda: clock[0])
    bucket = TokenBucket(60, clock=lambda: clock[0], sleep=advance)
    sheets = [api.create_spreadsheet(f"Client {i}", sheets={"Calendar": calendar_rows(10)})
              for i in range(30)]
    api.reset_log()
    for sheet in sheets:
        store = StateStore(":memory:")
        run_once(config(), make(api, sheet, store, bucket=bucket), store, NOW)
    assert api.stats.get(429, 0) == 0
    assert len(api.requests) - api.requests.count("drive") == 30 * 4
    assert clock[0] >= 60  # the limiter spread 120 requests over more than a minute


def test_403_404_and_bad_credentials_say_what_to_do_without_secrets(tmp_path: Any) -> None:
    import json

    from sheets_sync.backends.google import load_credentials
    from sheets_sync.errors import ConfigError

    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": calendar_rows(5)})
    api.set_access(sheet, "read")
    store = StateStore(":memory:")
    backend = GoogleBackend(sheet, session=api.session(), cache=store.cache("cal"),
                            policy=RetryPolicy(sleep=no_sleep), bucket=TokenBucket(10_000))
    backend.account = "sync@agency.iam.gserviceaccount.com"
    with pytest.raises(SourceError) as denied:
        run_once(config(), backend, store, NOW)
    assert "share the spreadsheet with sync@agency.iam.gserviceaccount.com as an Editor" in (
        denied.value.message)
    with pytest.raises(SourceError, match="was not found: check the ID or URL"):
        make(api, "no-such-sheet", StateStore(":memory:")).read("Calendar", OWNED)

    secret = "-----BEGIN PRIVATE KEY-----\\nNOTAREALKEY\\n-----END PRIVATE KEY-----\\n"
    broken = tmp_path / "key.json"
    broken.write_text(json.dumps({"type": "service_account", "private_key": secret,
                                  "client_email": "x@y"}), encoding="utf-8")
    with pytest.raises(ConfigError) as bad:
        load_credentials(str(broken))
    assert "is not a usable Google credentials file" in bad.value.message
    assert "NOTAREALKEY" not in bad.value.message
    (tmp_path / "other.json").write_text('{"type": "weird"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="neither a service-account key nor an OAuth"):
        load_credentials(str(tmp_path / "other.json"))


@pytest.mark.parametrize("body", [
    '{"valueRanges": [{"range": "Calendar!A1:T3", "majorDimension": "COLUMNS", "values": '
    '[["ID", "P1", "P2"], ["Caption", "Yeni sezon ☕️\\nYorumlara yaz 👇", "a\\"b\\\\c\\u00e7"], '
    '[46091.4166666667, 0.1, -0.0, 1e-07, 1.7976931348623157e308, 12, true, null]]}]}',
    '["\\ud83d\\ude00 escaped pair", "\\ud800 lone half", "x"]',
    '[123456789012345678901234567890, 1e400, -1e400]',
])
def test_answers_decode_exactly_as_the_standard_library_does(body: str) -> None:
    decoded = loads(body.encode())
    assert decoded == json.loads(body)
    assert repr(decoded) == repr(json.loads(body))  # same types, same floats, same text


def test_a_malformed_answer_fails_as_the_standard_library_does() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads(b'{"values": [1, 2,')


def test_the_c_decoder_reads_answers_and_the_standard_library_the_rest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[bytes] = []
    real = json.loads
    monkeypatch.setattr(json, "loads", lambda body: used.append(body) or real(body))
    answer = b'{"values": [["P1", "Yeni sezon \xe2\x98\x95"], [46091.4166666667, true, null]]}'
    assert loads(answer) == real(answer) and used == []  # pandas' decoder took it
    assert loads(b'["\\ud800"]') == ["\ud800"] and len(used) == 1  # a lone surrogate kept
