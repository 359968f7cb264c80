"""Replay recorded gspread <-> Google traffic against the fake and compare the answers.

Every ``*.json`` vcrpy cassette in ``$SHEETS_SYNC_CASSETTES`` is replayed request by request
against a fresh FakeSheetsAPI. IDs Google handed out (spreadsheets, new sheets, protected ranges)
are learned from the answers as they come and mapped both ways, so the fake's own IDs never
matter. Answers must match Google's: status, content type, and the whole JSON body apart from
what the README says to ignore (theme, default format, Drive timestamps, the service account's
e-mail address).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from sheets_sync.testing import FakeSheetsAPI

ENV = "SHEETS_SYNC_CASSETTES"
IGNORED = {"spreadsheetTheme", "defaultFormat"}
# Answers Google gave because of its own state (quota, outages): the fake is told to fail the
# same way, then only the error's code, status and (for 429) message are compared.
INJECTED = {429, 500, 502, 503, 504}
PROJECT = re.compile(r"(project_number:|projects/)[0-9]+")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
SHEET_KEYS = {"sheetId", "sourceSheetId", "newSheetId"}


def _cassettes() -> list[Any]:
    where = os.environ.get(ENV)
    if not where:
        reason = f"{ENV} is not set (the recordings live in ../shared)"
        return [pytest.param(None, id="no-cassettes", marks=pytest.mark.skip(reason=reason))]
    files = sorted(Path(where).glob("*.json"))
    if not files:
        return [pytest.param(Path(where), id="empty-cassette-folder")]
    return [pytest.param(path, id=path.stem) for path in files]


def _text(body: Any) -> str:
    """A vcrpy body: a string, None, or {"string": ...}."""
    if isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return body or ""


def _header(headers: dict[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value[0] if isinstance(value, list) else value)
    return ""


class Replay:
    """IDs seen in the recording <-> IDs the fake handed out, learned as the replay goes."""

    def __init__(self) -> None:
        self.api = FakeSheetsAPI(seed=5)
        self.session = self.api.session()
        self.files: dict[str, str] = {}
        self.files_back: dict[str, str] = {}
        self.fresh()

    def fresh(self) -> None:
        self.sheets: dict[int, int] = {0: 0}
        self.sheets_back: dict[int, int] = {0: 0}
        self.protected: dict[int, int] = {}
        self.protected_back: dict[int, int] = {}

    # -- mapping

    def _map(self, value: Any, files: dict[str, str], sheets: dict[int, int],
             protected: dict[int, int], key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self._map(v, files, sheets, protected, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._map(v, files, sheets, protected, key) for v in value]
        if isinstance(value, str):
            for old, new in files.items():
                value = value.replace(old, new)
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if key in SHEET_KEYS:
                return sheets.get(value, value)
            if key == "protectedRangeId":
                return protected.get(value, value)
        return value

    def to_fake(self, value: Any) -> Any:
        return self._map(value, self.files, self.sheets, self.protected)

    def to_recorded(self, value: Any) -> Any:
        return self._map(value, self.files_back, self.sheets_back, self.protected_back)

    def _pair_sheet(self, recorded: int, fake: int) -> None:
        self.sheets[recorded] = fake
        self.sheets_back[fake] = recorded

    def _pair_protected(self, recorded: int, fake: int) -> None:
        self.protected[recorded] = fake
        self.protected_back[fake] = recorded

    def learn(self, method: str, uri: str, recorded: Any, fake: Any) -> None:
        if not isinstance(recorded, dict) or not isinstance(fake, dict):
            return
        created = re.search(r"/drive/v3/files(\?|$)", uri)
        copied = re.search(r"/drive/v3/files/[^/?]+/copy(\?|$)", uri)
        if method == "POST" and (created or copied) and "id" in recorded:
            if created:  # a new file starts with Sheet1 (ID 0); a copy keeps its sheets' IDs
                self.fresh()
            self.files[recorded["id"]] = fake.get("id", "")
            self.files_back[fake.get("id", "")] = recorded["id"]
        for rec_reply, fake_reply in zip(recorded.get("replies", []), fake.get("replies", [])):
            for kind in ("addSheet", "duplicateSheet"):
                if kind in rec_reply and kind in fake_reply:
                    self._pair_sheet(rec_reply[kind]["properties"]["sheetId"],
                                     fake_reply[kind]["properties"]["sheetId"])
            if "addProtectedRange" in rec_reply and "addProtectedRange" in fake_reply:
                self._pair_protected(
                    rec_reply["addProtectedRange"]["protectedRange"]["protectedRangeId"],
                    fake_reply["addProtectedRange"]["protectedRange"]["protectedRangeId"])
        fake_sheets = {s["properties"].get("title"): s for s in fake.get("sheets", [])
                       if "properties" in s}
        for sheet in recorded.get("sheets", []):
            twin = fake_sheets.get(sheet.get("properties", {}).get("title"))
            if twin is None:
                continue
            if "sheetId" in sheet["properties"] and "sheetId" in twin["properties"]:
                self._pair_sheet(sheet["properties"]["sheetId"], twin["properties"]["sheetId"])
            for rec_pr, fake_pr in zip(sheet.get("protectedRanges", []),
                                       twin.get("protectedRanges", [])):
                self._pair_protected(rec_pr["protectedRangeId"], fake_pr["protectedRangeId"])

    # -- one interaction

    def send(self, request: dict[str, Any]) -> requests.Response:
        method = request["method"].upper()
        uri = self.to_fake(request["uri"])
        text = _text(request.get("body"))
        data: bytes | None = None
        if text:
            try:
                data = json.dumps(self.to_fake(json.loads(text))).encode("utf-8")
            except json.JSONDecodeError:
                data = text.encode("utf-8")
        headers = {}
        content_type = _header(request.get("headers", {}), "Content-Type")
        if content_type:
            headers["Content-Type"] = content_type
        return self.session.request(method, uri, data=data, headers=headers, timeout=10)


def normalized(value: Any, key: str = "") -> Any:
    """Drop what the README says to ignore; Drive timestamps only need to look right."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in IGNORED:
                continue
            if k in ("createdTime", "modifiedTime"):
                assert isinstance(v, str) and TIMESTAMP.match(v), f"{k}: {v!r}"
                v = "<timestamp>"
            if k == "users" and key == "editors":
                v = ["<user>" if "@" in str(u) else u for u in v]
            out[k] = normalized(v, k)
        return out
    if isinstance(value, list):
        return [normalized(v, key) for v in value]
    return value


def _injected(body: Any) -> Any:
    if not isinstance(body, dict) or "error" not in body:
        return body
    error = body["error"]
    out = {"code": error.get("code"), "status": error.get("status")}
    if error.get("code") == 429:
        out["message"] = PROJECT.sub(r"\1<n>", str(error.get("message")))
    return out


def _json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def replay_cassette(cassette: dict[str, Any], name: str) -> None:
    """Replay every interaction of a vcrpy cassette against a fresh fake; fail on the first
    answer that differs from the recorded one."""
    replay = Replay()
    interactions = cassette["interactions"]
    assert interactions, "empty cassette"
    for n, interaction in enumerate(interactions):
        request, expected = interaction["request"], interaction["response"]
        where = f"{name} #{n}: {request['method']} {request['uri']}"
        status = expected["status"]["code"]
        if status in INJECTED:
            replay.api.faults.fail_next(1, status=status)
        answer = replay.send(request)
        assert answer.status_code == status, f"{where}\n{answer.text}"
        if _text(expected.get("body")).strip():
            want_type = _header(expected.get("headers", {}), "Content-Type").split(";")[0]
            got_type = answer.headers.get("Content-Type", "").split(";")[0]
            assert got_type == want_type, where
        recorded = _json(_text(expected.get("body")))
        fake = _json(answer.text)
        if status in INJECTED:
            assert _injected(fake) == _injected(recorded), where
            continue
        replay.learn(request["method"].upper(), request["uri"], recorded, fake)
        got = normalized(replay.to_recorded(fake))
        want = normalized(recorded)
        assert got == want, (
            f"{where}\nGoogle: {json.dumps(want, ensure_ascii=False)}\n"
            f"fake:   {json.dumps(got, ensure_ascii=False)}"
        )


@pytest.mark.parametrize("path", _cassettes())
def test_cassette_replays_identically(path: Path | None) -> None:
    assert path is not None and path.is_file(), f"no *.json cassettes in {path}"
    replay_cassette(json.loads(path.read_text(encoding="utf-8")), path.name)
