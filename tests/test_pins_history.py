"""What sync takes from the saved state of a post, cycle after cycle (``sheets_sync/history.py``).

A post is followed from cycle to cycle by its ID. A row with no ID, or one of several rows
holding the same ID (``duplicate-id``), is no identity: such rows get no History entries,
observed revision rounds, changes after approval or observed review start, and what was saved
of the post is kept as it was until the ID is unique again (README). A blank ID never
identifies a post, whatever the state holds.

A post's content fingerprint (what an approval is pinned to) is the saved one while its
caption and asset stay the same, and is made afresh when they change or when the state has
none. The feedback clock of a post in client review runs from when the tool saw it enter review:
a post in review always has a start, and a post entering review starts a new one.

Some stories below edit the state database between cycles to reach saved states that are
otherwise rare (a state written by another version, a fingerprint made differently).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import zoneinfo
from pathlib import Path

import pytest
from conftest import HEADER, calendar_config, only, row

from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.cells import Cell
from sheets_sync.config import CalendarConfig
from sheets_sync.run import run_once
from sheets_sync.state import StateStore

IST = zoneinfo.ZoneInfo("Europe/Istanbul")
Found = list[tuple[int, str, str, str]]


def moment(text: str) -> dt.datetime:
    """An Istanbul wall-clock time (the calendar's and Acme's zone) as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=IST)


class Sheet:
    """One calendar tab in memory and its state database on disk, synced cycle after cycle."""

    def __init__(self, cfg: CalendarConfig, header: list[str], path: Path) -> None:
        self.cfg, self.header, self.path = cfg, header, path
        self.backend = MemoryBackend({"Calendar": [list(header)]})
        self.store = StateStore(path)

    def found(self, now: dt.datetime, *rows: list[Cell]) -> Found:
        """Sync the tab holding ``rows`` as of ``now``: its sorted (row, column, code, message)."""
        self.backend.tabs["Calendar"] = [list(self.header), *map(list, rows)]
        f = run_once(self.cfg, self.backend, self.store, now).findings
        return sorted(zip(f["row"].astype(int).tolist(), f["column"], f["code"], f["message"]))

    def edit_saved(self, saved_id: str, /, **values: str) -> None:
        """Change what the state database holds of ``saved_id`` (another program's write)."""
        sets = ", ".join(f"{name} = ?" for name in values)
        with sqlite3.connect(self.path) as db:
            db.execute(f"UPDATE posts SET {sets} WHERE post_id = ?", (*values.values(), saved_id))


def config(*codes: str, **rules: object) -> CalendarConfig:
    return calendar_config(tab="Calendar", rules={"levels": only(*codes), **rules})


# --------------------------------------------------------------------------------------------
# Rows without an identity are not followed

ROUNDS_HEADER = [*HEADER, "Revision round", "Extra rounds"]
EXCEEDED = ("1 revision round used, 0 allowed: 1 billable extra round. Ask the account "
            "manager to approve or bill them.")


def rounds_row(post_id: str, status: str) -> list[Cell]:
    return [*row(post_id, status=status, date="2026-04-20 10:00"), None, None]


# (the second row's post ID, whether the state holds P2 under a blank ID, the revision
# findings once that row is seen in changes_requested with no round included)
NEW_ROW: list[tuple[str, bool, Found]] = [
    # A post seen in changes_requested: one observed round.
    ("P2", False, [(3, "revision_round", "revision-limit-exceeded", EXCEEDED)]),
    # No ID, beside a post already saved: not followed, so no round is observed ...
    ("", False, []),
    # ... even when the state holds a post under a blank ID.
    ("", True, []),
    # The saved post's ID on a second row: neither row is followed.
    ("P1", False, []),
]


@pytest.mark.parametrize(("post_id", "blank_saved", "expected"), NEW_ROW,
                         ids=["new-id", "no-id", "no-id-blank-id-saved", "same-id"])
def test_only_a_row_with_its_own_id_counts_an_observed_revision_round(
        tmp_path: Path, post_id: str, blank_saved: bool, expected: Found) -> None:
    sheet = Sheet(config("revision-last-round", "revision-limit-exceeded",
                         revisions={"included_rounds": 0}), ROUNDS_HEADER, tmp_path / "s.db")
    first = [rounds_row("P1", "Draft"), rounds_row("P2", "Draft")] if blank_saved else [
        rounds_row("P1", "Draft")]
    assert sheet.found(moment("2026-03-09 09:00"), *first) == []
    if blank_saved:
        sheet.edit_saved("P2", post_id="")
    assert sheet.found(moment("2026-03-09 10:00"), rounds_row("P1", "Draft"),
                       rounds_row(post_id, "Changes requested")) == expected


OVERDUE_FROM_FRIDAY = ("Waiting for the client's feedback since 2026-03-06 16:00; it was due "
                       "2026-03-10 16:00. Remind the client.")


def test_a_duplicated_post_id_does_not_carry_the_saved_review_start(tmp_path: Path) -> None:
    # Feedback due 2 business days after the post was first seen in client review (Friday
    # 16:00): Tuesday 16:00. While its ID is on two rows, neither row is that post, so neither
    # is reported late from Friday; once the ID is unique again, the saved start counts.
    sheet = Sheet(config("feedback-overdue", feedback={"sla_days": 2}), HEADER,
                  tmp_path / "s.db")
    post = row("P1", status="Client review", date="2026-04-20 10:00")
    twin = row("P1", status="Client review", date="2026-04-21 10:00", caption="Copy")
    assert sheet.found(moment("2026-03-06 16:00"), post) == []
    assert sheet.found(moment("2026-03-09 09:00"), post, twin) == []
    assert sheet.found(moment("2026-03-11 09:00"), post, twin) == []
    assert sheet.found(moment("2026-03-11 10:00"), post) == [
        (2, "status", "feedback-overdue", OVERDUE_FROM_FRIDAY)]


# --------------------------------------------------------------------------------------------
# The feedback clock: a post in client review always has a start

OVERDUE_FROM_MONDAY = ("Waiting for the client's feedback since 2026-03-09 09:00; it was due "
                       "2026-03-11 09:00. Remind the client.")
# (status first synced, the saved review start then found in the state)
SAVED_STARTS = [
    # In review, but the state holds no start: the clock starts at the next cycle.
    ("Client review", ""),
    # Not in review, yet the state holds a start (Monday 2 March 10:00 in Istanbul): entering
    # review starts a new clock all the same.
    ("Draft", "2026-03-02T07:00:00+00:00"),
]


@pytest.mark.parametrize(("status", "saved_start"), SAVED_STARTS,
                         ids=["in-review-no-saved-start", "entering-review-stale-start"])
def test_the_feedback_clock_starts_when_a_cycle_sees_the_post_in_review_without_a_start(
        tmp_path: Path, status: str, saved_start: str) -> None:
    sheet = Sheet(config("feedback-overdue", feedback={"sla_days": 2}), HEADER,
                  tmp_path / "s.db")
    assert sheet.found(moment("2026-03-06 16:00"),
                       row("P1", status=status, date="2026-04-20 10:00")) == []
    sheet.edit_saved("P1", review_started_at=saved_start)
    post = row("P1", status="Client review", date="2026-04-20 10:00")
    assert sheet.found(moment("2026-03-09 09:00"), post) == []
    assert sheet.found(moment("2026-03-11 09:00"), post) == []
    assert sheet.found(moment("2026-03-11 09:01"), post) == [
        (2, "status", "feedback-overdue", OVERDUE_FROM_MONDAY)]


# --------------------------------------------------------------------------------------------
# The content fingerprint an approval is pinned to

APPROVAL_HEADER = [*HEADER, "Approved on"]
CHANGED = ("The caption or asset changed after the client approved the post (approval seen "
           "{since}). Send it back for approval; History shows what changed.")


def approval_row(status: str, approved_on: str | None, caption: str = "Hello") -> list[Cell]:
    return [*row("P1", status=status, date="2026-04-20 10:00", caption=caption), approved_on]


def test_a_saved_fingerprint_is_kept_while_caption_and_asset_stay_the_same(
        tmp_path: Path) -> None:
    # The state was written by a version that made fingerprints differently: the approval
    # pinned to it still holds until the caption or asset is edited.
    sheet = Sheet(config("changed-after-approval"), APPROVAL_HEADER, tmp_path / "s.db")
    approved = approval_row("Approved", "2026-03-06 12:00")
    assert sheet.found(moment("2026-03-06 16:00"), approved) == []
    sheet.edit_saved("P1", fingerprint="2718281828", approved_fingerprint="2718281828")
    assert sheet.found(moment("2026-03-09 09:00"), approved) == []
    assert sheet.found(moment("2026-03-09 10:00"), approval_row(
        "Approved", "2026-03-06 12:00", caption="Hello, edited")) == [
        (2, "caption", "changed-after-approval", CHANGED.format(since="2026-03-06 16:00"))]


def test_a_post_saved_without_a_fingerprint_gets_one_its_approval_is_pinned_to(
        tmp_path: Path) -> None:
    sheet = Sheet(config("changed-after-approval"), APPROVAL_HEADER, tmp_path / "s.db")
    assert sheet.found(moment("2026-03-06 16:00"), approval_row("Draft", None)) == []
    sheet.edit_saved("P1", fingerprint="")
    # Approved with the caption and asset unchanged: the approval is pinned to them.
    assert sheet.found(moment("2026-03-09 09:00"),
                       approval_row("Approved", "2026-03-06 12:00")) == []
    assert sheet.found(moment("2026-03-09 10:00"), approval_row(
        "Approved", "2026-03-06 12:00", caption="Hello, edited")) == [
        (2, "caption", "changed-after-approval", CHANGED.format(since="2026-03-09 09:00"))]
