"""Client feedback rules: overdue feedback with escalation, and contractual deemed approval.

The feedback clock of a post in client review starts at ``sent_for_review_at`` (or, where the
sheet has none and earlier cycles were observed, ``ctx.observed.review_started``: when the tool
first saw the post enter review). The deadline is an explicit ``feedback_due``, else
``sla_days`` business days after the start, in the client's country and time zone. A date-only
start counts from the end of that day; a date-only due date lasts until the end of that day.
"""

from __future__ import annotations

import numpy as np

from sheets_sync.model import Severity
from sheets_sync.rules.base import Context, combinations, rule
from sheets_sync.rules.evidence import (
    approval_recorded,
    approval_unreadable,
    has_approval_column,
)
from sheets_sync.rules.scope import before_since

ONE_DAY = np.timedelta64(1, "D")


def review_start(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Per row: when the post was sent for review and whether that moment has a time of day."""
    frame = ctx.frame
    start = frame["sent_for_review_at"].to_numpy().copy()
    timed = frame["sent_for_review_at_has_time"].to_numpy().copy()
    if ctx.observed is not None:
        observed = ctx.observed.review_started
        fill = np.isnat(start) & ~np.isnat(observed)
        start[fill] = observed[fill]
        timed[fill] = True
    return start, timed


def after_business_days(ctx: Context, start: np.ndarray, timed: np.ndarray, days: np.ndarray,
                        at: np.ndarray | None = None) -> np.ndarray:
    """Per row: the moment ``days`` business days after ``start`` have passed (NaT if no start).

    A start on a weekend or holiday counts from the start of the next business day; a
    date-only start counts from the end of that day. With ``at`` (positions of rows) the
    arrays hold those rows' values alone.
    """
    business = ctx.days if at is None else ctx.days.at_rows(at)
    start_day = start.astype("datetime64[D]")
    rolled = ~business.is_business_day(start)
    time_of_day = np.where(timed & ~rolled, start - start_day, ONE_DAY.astype("timedelta64[ns]"))
    time_of_day = np.where(rolled, np.timedelta64(0, "ns"), time_of_day)
    return business.add(start, days).astype("datetime64[ns]") + time_of_day


def feedback_deadline(ctx: Context, start: np.ndarray, timed: np.ndarray,
                      at: np.ndarray | None = None) -> np.ndarray:
    """Per row (of positions ``at``, whose values ``start`` and ``timed`` hold, or of the
    calendar): the moment feedback is due (NaT when unknown)."""
    frame = ctx.frame
    sla = ctx.clients.per_client(lambda s: s.rules.feedback.sla_days, "int64")
    due = frame["feedback_due"].to_numpy()
    due_timed = frame["feedback_due_has_time"].to_numpy()
    if at is not None:
        sla, due, due_timed = sla[at], due[at], due_timed[at]
    computed = after_business_days(ctx, start, timed, sla, at)
    explicit = np.where(due_timed, due, due.astype("datetime64[D]") + ONE_DAY)
    return np.where(np.isnat(due), computed, explicit.astype("datetime64[ns]"))


def answered(ctx: Context, start: np.ndarray) -> np.ndarray:
    """Per row: the sheet records the client's approval of this round of review: a yes, or
    an approval date, that is not from before the review started (an approval left from an
    earlier round answers nothing). Such a client is not late, whatever the status still
    says."""
    approved_at = ctx.frame["approved_at"].to_numpy()
    earlier = (~np.isnat(approved_at) & ~np.isnat(start)
               & (approved_at.astype("datetime64[D]") < start.astype("datetime64[D]")))
    return approval_recorded(ctx) & ~earlier


@rule("feedback-overdue", "deemed-approved")
def feedback_overdue(ctx: Context) -> None:
    in_review = ctx.texts.status_in("client_review") & ~before_since(ctx)
    if not in_review.any():
        return
    start, timed = review_start(ctx)
    if has_approval_column(ctx):  # without one, the status is the only evidence there is
        # Evidence nobody can read says neither that the client answered nor that they did
        # not: such a post is not called late, nor deemed approved (its cell's finding says
        # so), and its client gets no reminder about it.
        in_review &= ~answered(ctx, start) & ~approval_unreadable(ctx)
        if not in_review.any():
            return
    # Deadlines are worked out for the posts in review alone: ``at`` are their rows, and
    # every array from here on holds their values.
    at = np.flatnonzero(in_review)
    start, timed = start[at], timed[at]
    deadline = feedback_deadline(ctx, start, timed, at)
    now = ctx.clients.now_local[at]
    deemed_after = ctx.clients.per_client(
        lambda s: s.rules.feedback.deemed_approved_after_days, "int64")[at]
    # The contractual window is counted like the feedback SLA, from the same start.
    deemed_at = after_business_days(ctx, start, timed, deemed_after, at)
    deemed = ~np.isnat(deemed_at) & (deemed_after > 0) & (now > deemed_at)
    if deemed.any():
        ctx.findings.add("deemed-approved", _rows(ctx, at, deemed), "status",
                         ctx.messages.render("deemed-approved",
                                             since=ctx.messages.when(start[deemed], timed[deemed]),
                                             days=deemed_after[deemed]))
    overdue = ~deemed & ~np.isnat(deadline) & (now > deadline)
    if not overdue.any():
        return
    late = ctx.days.at_rows(at).between(deadline, now)
    escalate_after = ctx.clients.per_client(
        lambda s: s.rules.feedback.escalate_after_days, "int64")[at]
    escalated = overdue & (late >= escalate_after)
    contact = ctx.clients.per_client(
        lambda s: s.rules.feedback.escalation_contact or ctx.messages.text("contact"), object)[at]
    column = "feedback_due" if ctx.has("feedback_due") else "status"
    for mask, key, severity in ((overdue & ~escalated, "feedback-overdue", Severity.WARNING),
                                (escalated, "feedback-overdue:escalate", Severity.ERROR)):
        if not mask.any():
            continue
        # Posts sent on the same day and as late share their message: each is worded once.
        picked = np.flatnonzero(mask)
        codes, first = combinations(start[picked], timed[picked], deadline[picked],
                                    late[picked], ctx.clients.of_row[at[picked]])
        once = picked[first]
        worded = ctx.messages.render(
            key, waiting=_waiting_text(ctx, start[once], timed[once]),
            due=_deadline_text(ctx, deadline[once]), late=late[once], contact=contact[once])
        ctx.findings.add("feedback-overdue", _rows(ctx, at, mask), column,
                         np.array(worded, dtype=object)[codes].tolist(), severity=severity)


def _rows(ctx: Context, at: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The calendar's rows (a mask of them) that ``mask`` picks out of the rows at ``at``."""
    rows = np.zeros(len(ctx.frame), dtype=bool)
    rows[at[mask]] = True
    return rows


def _waiting_text(ctx: Context, start: np.ndarray, timed: np.ndarray) -> np.ndarray:
    """Per row: "waiting … since <start>", without the date when the start is unknown."""
    since = np.array(ctx.messages.render("waiting", since=ctx.messages.when(start, timed)),
                     dtype=object)
    return np.where(np.isnat(start), ctx.messages.text("waiting:unknown"), since)


def _deadline_text(ctx: Context, deadline: np.ndarray) -> np.ndarray:
    """Format deadlines; one at midnight is shown as the end of the day before."""
    midnight = (deadline - deadline.astype("datetime64[D]")) == np.timedelta64(0, "ns")
    shown = np.where(midnight, deadline - ONE_DAY, deadline)
    return np.array(ctx.messages.when(shown, ~midnight), dtype=object)
