"""Every finding code the tool can report, with its default severity and family."""

from __future__ import annotations

from dataclasses import dataclass

from sheets_sync.model import Severity


@dataclass(frozen=True)
class Code:
    """A stable finding code: its default severity and the rule family it belongs to."""

    code: str
    severity: Severity
    family: str
    summary: str


_I, _W, _E, _C = Severity.INFO, Severity.WARNING, Severity.ERROR, Severity.CRITICAL

CODES: dict[str, Code] = {
    c.code: c
    for c in (
        # Reading the sheet
        Code("invalid-date", _E, "cells", "a date cell that cannot be read as a date"),
        Code("date-not-set", _I, "cells", "a date not set yet: TBC, ASAP, NEVER, or a relative "
             "date (T-2_Mon) with no relative_to"),
        Code("invalid-time", _E, "cells", "a time cell that cannot be read as a time"),
        Code("invalid-number", _E, "cells", "a number cell that is not a whole number"),
        Code("invalid-boolean", _W, "cells", "a yes/no cell with another value"),
        Code("no-id-column", _I, "cells", "the calendar has no post ID column"),
        Code("duplicate-column", _W, "cells", "two headers map to the same field"),
        Code("column-assumed", _I, "cells", "a field with no column, taken from the configuration"),
        Code("rows-not-posts", _I, "cells", "rows that are not posts (labels, legends, a "
             "repeated header, cells only in unread columns), left out"),
        Code("several-channels", _I, "cells", "a channel cell naming several channels: one "
             "post on each"),
        Code("zone-from-header", _I, "cells", "times read in the time zone their header names"),
        Code("time-from-header", _I, "cells", "date-only posts taken at the time their header "
             "names"),
        Code("time-conflict", _W, "cells", "a date cell's time differs from its time cell: the "
             "time cell's is taken"),
        Code("time-ambiguous", _I, "cells", "a time the clocks pass twice: the earlier one taken"),
        Code("time-nonexistent", _I, "cells", "a time the clocks skip: moved on by the gap"),
        # Row validity
        Code("missing-required", _E, "rows", "a required cell is empty"),
        Code("unknown-status", _E, "rows", "status not in the status vocabulary"),
        Code("unknown-channel", _E, "rows", "channel not recognised"),
        Code("unknown-format", _W, "rows", "format not recognised"),
        Code("unknown-pillar", _W, "rows", "pillar not among the configured pillars"),
        Code("duplicate-id", _E, "rows", "the same post ID on several rows"),
        Code("missing-id", _W, "rows", "a post without an ID"),
        Code("caption-too-long", _E, "rows", "caption longer than the channel allows"),
        Code("too-many-hashtags", _W, "rows", "more hashtags than the channel allows"),
        Code("invalid-link", _W, "rows", "asset link is not a valid web address"),
        Code("duplicate-caption", _W, "rows", "the same caption again on the same channel"),
        Code("stale-unpublished", _W, "rows", "publish time passed, not published"),
        Code("rows-before-since", _I, "rows", "posts before ignore_before (--since) left out "
             "of the time-based checks"),
        # Approvals
        Code("no-approval-column", _I, "approvals", "no approval column: statuses are the "
             "only record of approval"),
        Code("approval-missing", _E, "approvals", "publish date near, not approved"),
        Code("published-without-approval", _C, "approvals", "published with no approval"),
        Code("scheduled-without-approval", _C, "approvals", "scheduled with no approval"),
        Code("approver-not-authorized", _E, "approvals", "approved by someone not authorised"),
        Code("approval-after-publish", _W, "approvals", "approval recorded after publishing"),
        Code("changed-after-approval", _E, "approvals", "caption or asset edited after approval"),
        # Client feedback
        Code("feedback-overdue", _W, "feedback", "client late with feedback"),
        Code("deemed-approved", _I, "feedback", "deemed approved under the contract"),
        # Revisions
        Code("revision-last-round", _W, "revisions", "last included revision round in use"),
        Code("revision-limit-exceeded", _E, "revisions", "more revision rounds than allowed"),
        # Calendar level
        Code("cadence-below-contract", _W, "calendar", "fewer posts per week than contracted"),
        Code("too-many-per-day", _W, "calendar", "too many posts on one channel in a day"),
        Code("calendar-gap", _W, "calendar", "no post on a channel for too long"),
        Code("pillar-mix-off-target", _W, "calendar", "content mix away from the target"),
        Code("next-month-not-ready", _W, "calendar", "next month not prepared enough"),
    )
}
