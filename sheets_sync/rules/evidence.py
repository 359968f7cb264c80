"""What in a row is evidence of the client's approval (shared by the approval, row and output
rules): an explicit approval column, else the status alone."""

from __future__ import annotations

import numpy as np

from sheets_sync.model import APPROVED_STATES
from sheets_sync.rules.base import Context

# The columns that record an approval. An approver's name alone does not: a "Review by" or
# "Reviewer" column names who should look, and is no evidence that anyone did.
EVIDENCE_FIELDS = ("approved", "approved_at")


def has_approval_column(ctx: Context) -> bool:
    """Whether the calendar records approvals in a column (else only its statuses can)."""
    return any(ctx.has(name) for name in EVIDENCE_FIELDS)


def approval_recorded(ctx: Context) -> np.ndarray:
    """Per row: whether the sheet records an approval (a yes flag, or an approval date).

    A filled yes/no flag decides on its own: "No" means not approved even when a date is
    written next to it. An approver's name counts only beside a yes or a date. Calendars
    without an approval column only have the status to go by (and the audit says so once:
    ``no-approval-column``).
    """
    return ctx.memo("approval_recorded", lambda: _approval_recorded(ctx))


def _approval_recorded(ctx: Context) -> np.ndarray:
    frame = ctx.frame
    if not has_approval_column(ctx):
        return ctx.texts.status_in(APPROVED_STATES)
    flag = frame["approved"].to_numpy(dtype=float)
    dated = frame["approved_at"].notna().to_numpy()
    return np.where(np.isnan(flag), dated, flag == 1.0)


def approval_unreadable(ctx: Context) -> np.ndarray:
    """Per row: the approval evidence cannot be read (an ``invalid-*`` finding says where).

    Such a row is neither approved nor unapproved: the approval rules leave it alone rather
    than call a post approved, or unapproved, on a cell nobody can read. A readable yes/no
    flag still decides.
    """
    frame = ctx.frame
    if not has_approval_column(ctx):
        return np.zeros(len(frame), dtype=bool)
    flag = frame["approved"].to_numpy(dtype=float)
    bad = frame["approved_invalid"].to_numpy(dtype=bool) | \
        frame["approved_at_invalid"].to_numpy(dtype=bool)
    return np.isnan(flag) & bad
