"""Revision-round rules: the last included round, and rounds beyond what is allowed.

Rounds used are the larger of the sheet's ``revision_round`` and, when earlier cycles were
observed (``ctx.observed.rounds``), the number of times the tool saw the post enter
``changes_requested``. Allowed rounds are ``included_rounds`` plus the sheet's
``extra_rounds_approved``; rounds beyond ``included_rounds`` are billable.
"""

from __future__ import annotations

import numpy as np

from sheets_sync.rules.base import Context, rule


def rounds_used(ctx: Context) -> np.ndarray:
    """Per row: revision rounds used so far."""
    used = np.nan_to_num(ctx.frame["revision_round"].to_numpy(dtype=float))
    if ctx.observed is not None:
        used = np.maximum(used, np.asarray(ctx.observed.rounds, dtype=float))
    return used


@rule("revision-last-round", "revision-limit-exceeded")
def revision_limits(ctx: Context) -> None:
    frame = ctx.frame
    used = rounds_used(ctx)
    included = ctx.clients.per_client(lambda s: s.rules.revisions.included_rounds)
    allowed = included + np.nan_to_num(frame["extra_rounds_approved"].to_numpy(dtype=float))
    live = ~ctx.texts.status_in("cancelled")
    exceeded = live & (used > allowed)
    ctx.findings.add("revision-limit-exceeded", exceeded, "revision_round", ctx.messages.render(
        "revision-limit-exceeded", used=used[exceeded].astype(int),
        allowed=allowed[exceeded].astype(int),
        billable=(used[exceeded] - included[exceeded]).astype(int)))
    last = (ctx.texts.status_in("client_review") & (used >= 1) & (used == allowed))
    ctx.findings.add("revision-last-round", last, "revision_round", ctx.messages.render(
        "revision-last-round", used=used[last].astype(int), allowed=allowed[last].astype(int)))
