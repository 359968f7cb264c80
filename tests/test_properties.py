"""Properties of whole sync cycles over generated calendars (memory backend, in-memory state).

For any calendar: a second sync with no change writes nothing; the Status tab read back
reproduces the findings; every finding's row number points at a row holding that post ID.
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


def cycle(rows: list[list[Any]]) -> tuple[MemoryBackend, StateStore, Any]:
    backend = MemoryBackend({"Calendar": [list(HEADER), *rows]})
    store = StateStore(":memory:")
    config = calendar_config(tab="Calendar", rules={"revisions": {"included_rounds": 1}})
    return backend, store, config


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CALENDARS)
def test_a_second_sync_with_no_change_writes_nothing(rows: list[list[Any]]) -> None:
    backend, store, config = cycle(rows)
    run_once(config, backend, store, NOW)
    writes, cells = backend.writes, backend.cell_writes
    again = run_once(config, backend, store, NOW)
    assert again.changed_tabs == []
    assert (backend.writes, backend.cell_writes) == (writes, cells)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CALENDARS)
def test_the_status_tab_reproduces_the_findings_and_rows_hold_their_posts(
        rows: list[list[Any]]) -> None:
    backend, store, config = cycle(rows)
    result = run_once(config, backend, store, NOW)
    findings = result.findings
    expected = sorted(zip(findings["code"], findings["post_id"], findings["row"].astype(int)))
    status = backend.tabs["Status"][1:]
    if not expected:
        assert status == [["No open issues"]]
    else:
        shown = sorted((r[1], r[2] or "", r[3] or 0) for r in status)
        assert shown == expected
    sheet = backend.tabs["Calendar"]
    for line, post in zip(findings["row"], findings["post_id"]):
        if line and post:
            cell = sheet[int(line) - 1][HEADER.index("ID")]
            assert strip_invisible(str(cell)).strip() == post
