"""The saved snapshot of a calendar's posts, and what one cycle changes: plain shared data.

:func:`sheets_sync.history.observe` compares a cycle's calendar with the snapshot and returns
:class:`Changes`; the state store saves them. Both sides use these definitions, so the core
never imports the store.

The snapshot holds one row per post ID, every value as text, in the columns
:data:`SNAPSHOT_COLUMNS`. Time stamps are ISO-8601 UTC text (:func:`iso`). ``status`` is the
canonical state (the sheet's text when it names none), ``status_text`` the status as the
sheet wrote it (History shows that).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from sheets_sync.model import HistoryEntry

SNAPSHOT_COLUMNS = (
    "post_id", "client", "status", "status_text", "publish_at", "caption", "asset", "approved_by",
    "approved_at", "approved", "revision_round", "extra_rounds_approved", "fingerprint",
    "approved_fingerprint", "approved_seen_at", "review_started_at", "rounds_observed",
    "first_seen", "last_changed",
)


def iso(moment: dt.datetime) -> str:
    """Return an aware datetime as ISO-8601 UTC text (seconds precision)."""
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Changes:
    """Everything one cycle adds to the state of a calendar."""

    posts: pd.DataFrame  # snapshot rows to upsert, columns SNAPSHOT_COLUMNS
    transitions: list[tuple[str, str, str, str]] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    findings: dict[str, str] = field(default_factory=dict)  # key -> first seen (ISO)
