"""Properties of whole sync cycles over generated calendars (memory backend, in-memory state).

For any calendar: a second sync with no change writes nothing and finds the same; the Status
tab read back reproduces the findings; every finding's code is a registered one and its row
number is a filled data row of the sheet, holding that post ID.
"""

from __future__ import annotations

from typing import Any

from conftest import HEADER, at, calendar_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.run import run_once
from sheets_sync.state import StateStore
from sheets_sync.vocab import strip_invisible

NOW = at("2026-03-10 09:00")
IDS = ["P1", "P2", "P3", "P4", "", " P1 ", "P1\u200b", "=1+1", "\u200fP2"]
CHANNELS = ["Instagram", "X", "tiktok", "LinkedIn", "", "Instgram", "fb"]
FORMATS = ["Post", "Reel", "Story", "", "Video", "gif"]
STATUSES = ["Idea", "Draft", "Client review", "Changes requested", "Approved", "Scheduled",
            "Published", "On hold", "İptal", "ONAYLANDI", "", "Done?", "Revize"]
DATES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.sampled_from(["2026-03-09 10:00", "2026-03-11", "12.03.2026 14:30", "31.02.2026",
                     "2026-04-01", "13/03/2026", "yarın"]),
    st.floats(min_value=46080, max_value=46130, allow_nan=False),
    st.integers(min_value=-5, max_value=70),
)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
ROW = st.one_of(
    st.tuples(st.sampled_from(IDS), st.sampled_from(["Acme", "Beta", ""]),
              st.sampled_from(CHANNELS), st.sampled_from(FORMATS), DATES,
              st.sampled_from(STATUSES), TEXT, st.sampled_from(["", "https://x.io/a.png",
                                                               "not a link"]), TEXT
              ).map(list),
    st.just([None] * len(HEADER)),  # a blank row between posts
)
CALENDARS = st.lists(ROW, max_size=14)
# Every finding code there is, written out (not imported from the code under test).
REGISTERED = frozenset({
    "invalid-date", "invalid-time", "invalid-number", "invalid-boolean", "no-id-column",
    "duplicate-column", "missing-required", "unknown-status", "unknown-channel",
    "unknown-format", "unknown-pillar", "duplicate-id", "missing-id", "caption-too-long",
    "too-many-hashtags", "invalid-link", "duplicate-caption", "stale-unpublished",
    "approval-missing", "published-without-approval", "scheduled-without-approval",
    "approver-not-authorized", "approval-after-publish", "changed-after-approval",
    "feedback-overdue", "deemed-approved", "revision-last-round", "revision-limit-exceeded",
    "cadence-below-contract", "too-many-per-day", "calendar-gap", "pillar-mix-off-target",
    "next-month-not-ready", "no-approval-column", "column-assumed", "date-not-set",
})


def identities(result: Any) -> list[tuple[str, str, int, str, str]]:
    f = result.findings
    return sorted(zip(f["code"], f["post_id"], f["row"].astype(int), f["column"], f["message"]))


def cycle(rows: list[list[Any]]) -> tuple[MemoryBackend, StateStore, Any]:
    backend = MemoryBackend({"Calendar": [list(HEADER), *rows]})
    store = StateStore(":memory:")
    config = calendar_config(tab="Calendar", rules={"revisions": {"included_rounds": 1}})
    return backend, store, config


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CALENDARS)
def test_a_second_sync_with_no_change_writes_nothing(rows: list[list[Any]]) -> None:
    backend, store, config = cycle(rows)
    first = run_once(config, backend, store, NOW)
    writes, cells = backend.writes, backend.cell_writes
    tabs = {tab: [list(r) for r in backend.tabs[tab]] for tab in ("Status", "Report", "History")}
    again = run_once(config, backend, store, NOW)
    assert again.changed_tabs == []
    assert (backend.writes, backend.cell_writes) == (writes, cells)
    assert identities(again) == identities(first)  # the same findings, word for word
    assert {tab: backend.tabs[tab] for tab in tabs} == tabs
    assert backend.tabs["History"] == [  # nothing changed: it says why it is empty
        ["Time", "Post ID", "Field", "Old value", "New value"],
        ["No changes yet: History lists changes between syncs; the first sync on 2026-03-10 "
         "recorded the calendar as it was."]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CALENDARS)
def test_the_status_tab_reproduces_the_findings_and_rows_hold_their_posts(
        rows: list[list[Any]]) -> None:
    backend, store, config = cycle(rows)
    result = run_once(config, backend, store, NOW)
    findings = result.findings
    expected = sorted(zip(findings["code"], findings["post_id"], findings["row"].astype(int)))
    status = backend.tabs["Status"][1:]
    lines = [r for r in status if len(r) > 1]  # section titles aside
    if not expected:
        assert status == [["No open issues"]]
    else:
        assert sorted((r[6], r[7] or 0) for r in lines) == sorted((c, n) for c, _, n in expected)
        for code, post_id, number in expected:  # the post's ID opens its "which post" text
            assert not post_id or any(r[6] == code and r[7] == number
                                      and str(r[2]).startswith(post_id) for r in lines)
    assert set(findings["code"]) <= REGISTERED
    assert len(lines) == len(expected)
    sheet = backend.tabs["Calendar"]
    for line, post in zip(findings["row"], findings["post_id"]):
        if line:  # a data row of the sheet (not the header, not past the end), not blank
            assert 2 <= int(line) <= len(sheet)
            assert any(cell not in (None, "") for cell in sheet[int(line) - 1])
        if line and post:
            cell = sheet[int(line) - 1][HEADER.index("ID")]
            assert strip_invisible(str(cell)).strip() == post
