"""Pure types shared by every layer: severities, canonical fields, workflow states, findings."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that comparisons mean "at least as bad as"."""

    INFO = 1
    WARNING = 2
    ERROR = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Return the severity named by ``text`` (case-insensitive); raises ValueError."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (use one of: {names})") from None


# Canonical fields of a calendar row, in display order.
FIELDS: tuple[str, ...] = (
    "post_id",
    "client",
    "channel",
    "format",
    "publish_at",
    "publish_time",
    "pillar",
    "caption",
    "hashtags",
    "asset",
    "owner",
    "status",
    "sent_for_review_at",
    "feedback_due",
    "approved_by",
    "approved_at",
    "approved",
    "revision_round",
    "extra_rounds_approved",
    "client_feedback",
    "notes",
)

DATE_FIELDS: tuple[str, ...] = ("publish_at", "sent_for_review_at", "feedback_due", "approved_at")
NUMBER_FIELDS: tuple[str, ...] = ("revision_round", "extra_rounds_approved")

# Columns a calendar tab must have for the tool to make sense of it.
REQUIRED_COLUMNS: tuple[str, ...] = ("publish_at", "channel", "status")

STATES: tuple[str, ...] = ("idea", "draft", "internal_review", "client_review",
                           "changes_requested", "approved", "scheduled", "published", "on_hold",
                           "cancelled")
# States from which a post is in front of the client or past it (caption and asset required).
REVIEW_OR_LATER: frozenset[str] = frozenset(
    {"client_review", "changes_requested", "approved", "scheduled", "published"}
)
# States counted as "in production" for next-month readiness.
DRAFT_OR_LATER: frozenset[str] = REVIEW_OR_LATER | {"draft", "internal_review"}
# States in which a post still needs the client's approval before it can go out.
AWAITING_APPROVAL: frozenset[str] = frozenset(
    {"idea", "draft", "internal_review", "client_review", "changes_requested"}
)
APPROVED_STATES: frozenset[str] = frozenset({"approved", "scheduled", "published"})
CLOSED_STATES: frozenset[str] = frozenset({"published", "cancelled"})

CHANNELS: tuple[str, ...] = (
    "instagram",
    "facebook",
    "x",
    "linkedin",
    "tiktok",
    "youtube",
    "threads",
    "pinterest",
)
FORMATS: tuple[str, ...] = (
    "post",
    "reel",
    "story",
    "carousel",
    "video",
    "short",
    "thread",
    "article",
    "text",
)


@dataclass(frozen=True)
class Finding:
    """One problem found in a calendar, addressable by row, post and column.

    ``row`` is the 1-based sheet row a person sees, or None for calendar-level findings.
    """

    code: str
    severity: Severity
    row: int | None
    post_id: str
    column: str
    message: str
    client: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def key(self) -> tuple[int | None, str, str]:
        """Return ``(row, column, code)``, the identity tests and diffs compare."""
        return (self.row, self.column, self.code)


@dataclass(frozen=True)
class HistoryEntry:
    """One observed change of a post's field, as logged in the History tab.

    ``old`` and ``new`` are the values as the sheet wrote them (a status as "Müşteri
    onayında"); entries saved by earlier versions hold a status as its canonical state
    (``client_review``) instead, and say so with ``as_written`` False.
    """

    at: dt.datetime  # timezone-aware
    post_id: str
    field: str
    old: str
    new: str
    as_written: bool = True
