"""Shared helpers: build a calendar config, audit inline grids, write a calendar workbook."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.config import CalendarConfig, from_dict
from sheets_sync.findings import to_findings
from sheets_sync.model import Finding
from sheets_sync.parse import parse
from sheets_sync.validate import validate

IST = zoneinfo.ZoneInfo("Europe/Istanbul")
HEADER = ["ID", "Client", "Channel", "Format", "Publish date", "Status", "Caption", "Asset",
          "Owner"]


def calendar_config(**calendar: Any) -> CalendarConfig:
    data = {"name": "test", "backend": "memory", "client": "Acme", **calendar}
    return from_dict({"calendars": [data]}).calendars[0]


def write_workbook(path: Path, rows: Sequence[Sequence[Any]], title: str = "Calendar") -> Path:
    """Write ``rows`` (the header first) as the one tab ``title`` of a new .xlsx at ``path``."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for values in rows:
        sheet.append(list(values))
    book.save(path)
    return path


def at(text: str) -> dt.datetime:
    """Return an Istanbul-local moment such as '2026-03-10 09:00' as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=IST)


def row(post_id: str = "P1", *, client: str = "Acme", channel: str = "Instagram",
        fmt: str = "Post", date: Any = "2026-03-20 10:00", status: str = "Draft",
        caption: str = "Hello", asset: str = "https://cdn.example.com/a.jpg",
        owner: str = "Ayşe") -> list[Any]:
    return [post_id, client, channel, fmt, date, status, caption, asset, owner]


def audit(rows: list[list[Any]], now: dt.datetime, header: list[str] | None = None,
          **calendar: Any) -> list[Finding]:
    config = calendar_config(**calendar)
    cal = parse([header or HEADER, *rows], config)
    return to_findings(validate(cal, config, now))


def audit_only(rows: list[list[Any]], now: dt.datetime, *codes: str,
               header: list[str] | None = None, rules: dict[str, Any] | None = None,
               **calendar: Any) -> list[Finding]:
    """Audit ``rows`` with every finding code but ``codes`` switched off (levels given in
    ``rules`` still apply on top)."""
    rules = {**(rules or {})}
    rules["levels"] = {**only(*codes), **rules.get("levels", {})}
    return audit(rows, now, header=header, rules=rules, **calendar)


def keys(findings: list[Finding], code: str | None = None) -> set[tuple[int | None, str, str]]:
    """Return the (row, column, code) of every finding, optionally of one code only."""
    return {f.key() for f in findings if code is None or f.code == code}


@pytest.fixture
def cassettes() -> str:
    path = os.environ.get("SHEETS_SYNC_CASSETTES")
    if not path:
        pytest.skip("SHEETS_SYNC_CASSETTES is not set (the recordings live in ../shared)")
    return path


def only(*codes: str) -> dict[str, str]:
    """Return ``rules.levels`` switching off every finding code except ``codes``."""
    from sheets_sync.codes import CODES

    return {code: "off" for code in CODES if code not in codes}


# --- slow tests: skipped unless asked for ---------------------------------------------------
# `python -m pytest --runslow` (or SHEETS_SYNC_SLOW=1) also runs the tests marked
# @pytest.mark.slow, such as the full SIGKILL soak (tests/test_hardening_inputs.py).


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False,
                     help="also run the tests marked slow (several minutes)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes minutes; run with --runslow or "
                            "SHEETS_SYNC_SLOW=1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow") or os.environ.get("SHEETS_SYNC_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow or SHEETS_SYNC_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
