"""Which rows a check covers: posts published before the calendar's ``ignore_before`` date, and
posts whose status word is not known.

Two lists decide it, and the findings that explain the choice are worded from them:

- :data:`TIME_BASED`: the checks that judge a post by the clock or by the approval workflow of
  its time. Posts published before ``ignore_before`` (or ``--since``) are history kept in the
  sheet: these checks leave them out, and ``rows-before-since`` says once how many. Every other
  check (required cells, vocabularies, caption and hashtag limits, links, revision rounds)
  still covers them.
- :data:`NEEDS_STATUS`: the checks that select posts by their workflow state. A post whose
  status word is not known is left out of them (no status set holds an unknown word) and gets
  every other check; its ``unknown-status`` finding names the ones it missed. An unknown word
  is no evidence of approval, so ``approval-missing`` does cover such a post.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sheets_sync.rules.base import Context, rule
from sheets_sync.rules.evidence import (
    approval_recorded,
    approval_unreadable,
    has_approval_column,
)
from sheets_sync.rules.revisions import rounds_used

TIME_BASED: tuple[str, ...] = (
    "stale-unpublished",           # the publish time has passed
    "approval-missing",            # the publish date is near or past
    "published-without-approval",  # the approvals of that time
    "scheduled-without-approval",
    "feedback-overdue",            # the review deadline has passed
    "deemed-approved",
    "too-many-per-day",            # days before the date are not counted
    "cadence-below-contract",      # weeks that begin before the date are not checked
    "calendar-gap",                # gaps are looked for from the date on
)

# Formats posted as text alone need no asset. A thread is text alone on X and Threads (a
# "thread" elsewhere may carry an image on every post).
TEXT_FORMATS = ("text",)
TEXT_THREAD_CHANNELS = ("x", "threads")


def text_only(ctx: Context) -> np.ndarray:
    """Per row: the post is text alone (a text format, or a thread on X or Threads)."""
    return ctx.texts.text_in("format", TEXT_FORMATS) | (
        ctx.texts.text_in("format", "thread") & ctx.texts.text_in("channel", TEXT_THREAD_CHANNELS))


def lacking(ctx: Context, name: str, at: np.ndarray | None = None) -> np.ndarray:
    """Per row (of positions ``at``, or of the calendar): the caption (or asset) the post
    would need from client review on is blank."""
    if not ctx.has(name):
        return np.zeros(len(ctx.frame) if at is None else len(at), dtype=bool)
    if at is None:
        blank = ctx.texts.blank(name)
        return blank & ~text_only(ctx) if name == "asset" else blank
    blank = ctx.texts.blank_at(name, at)
    return blank & ~text_only(ctx)[at] if name == "asset" else blank


def publish_passed(ctx: Context) -> np.ndarray:
    """Per row: the publish time plus the client's stale grace has passed (False: no date)."""
    def compute() -> np.ndarray:
        grace = ctx.clients.per_client(lambda s: s.rules.content.stale_grace_hours * 3600,
                                       "int64")
        due = ctx.frame["publish_at"].to_numpy() + grace.astype("timedelta64[s]")
        return due < ctx.clients.now_local  # NaT compares False

    return ctx.memo("publish-passed", compute)


def _no_approval(ctx: Context) -> np.ndarray:
    if not has_approval_column(ctx):  # then nothing is compared with the status
        return np.zeros(len(ctx.frame), dtype=bool)
    return ~approval_recorded(ctx) & ~approval_unreadable(ctx)


def _reviews(ctx: Context) -> np.ndarray:
    """Per row: review deadlines can be known (a review start or due date, earlier cycles)."""
    known = ctx.has("sent_for_review_at") or ctx.has("feedback_due") or ctx.observed is not None
    return np.full(len(ctx.frame), known)


# The checks that select posts by status, each with the posts it could report were their status
# known: a check that could not report the post is not named as skipped. missing-required
# needs the status only for the caption and the asset, required from client review on.
NEEDS_STATUS: dict[str, Callable[[Context], np.ndarray]] = {
    "missing-required": lambda ctx: lacking(ctx, "caption") | lacking(ctx, "asset"),
    "stale-unpublished": publish_passed,
    "published-without-approval": _no_approval,
    "scheduled-without-approval": _no_approval,
    "feedback-overdue": _reviews,
    "deemed-approved": lambda ctx: _reviews(ctx) & ctx.clients.per_client(
        lambda s: s.rules.feedback.deemed_approved_after_days > 0, bool),
    "revision-last-round": lambda ctx: rounds_used(ctx) >= 1,
}


def status_unknown(ctx: Context) -> np.ndarray:
    """Per row: a status word is written but is not one the calendar knows."""
    return ctx.memo("status-unknown", lambda: ctx.texts.text_in("status", "")
                    & ~ctx.texts.blank("status_raw"))


def _switched_on(ctx: Context, code: str) -> np.ndarray:
    """Per row: ``code`` is not switched off for the row's client."""
    return ctx.clients.per_client(lambda s: s.rules.level(code) is not None, bool)


def skipped_for_unknown_status(ctx: Context, rows: np.ndarray) -> list[str]:
    """For each row selected by ``rows``: the checks of :data:`NEEDS_STATUS` that are on for
    its client and could have reported the post, as text ("missing-required (Asset),
    stale-unpublished"); '' for none. A post before ``ignore_before`` misses the time-based
    ones for that reason, not for its status."""
    index = np.flatnonzero(rows)
    history = before_since(ctx)[index]
    # The cells of these rows alone are looked at (a column of captions is long).
    blanks = [lacking(ctx, name, index) for name in ("caption", "asset")]
    columns = []
    for code, could_report in NEEDS_STATUS.items():
        reported = blanks[0] | blanks[1] if code == "missing-required" else \
            could_report(ctx)[index]
        columns.append(reported & _switched_on(ctx, code)[index]
                       & ~(history & (code in TIME_BASED)))
    # Few distinct combinations: each one is worded once.
    combos, inverse = np.unique(np.stack([*columns, *blanks], axis=1), axis=0,
                                return_inverse=True)
    headers = [ctx.calendar.header(name) for name in ("caption", "asset")]
    texts = []
    for combo in combos.tolist():
        fields = ", ".join(h for h, blank in zip(headers, combo[len(columns):]) if blank)
        texts.append(", ".join(f"{code} ({fields})" if code == "missing-required" else code
                               for code, hit in zip(NEEDS_STATUS, combo) if hit))
    return [texts[i] for i in inverse.ravel().tolist()]


def since_day(ctx: Context) -> np.datetime64 | None:
    """The first day the time-based checks look at (None: every day)."""
    day = ctx.config.ignore_before_day()
    return None if day is None else np.datetime64(day, "D")


def before_since(ctx: Context) -> np.ndarray:
    """Per row: the post is published before ``ignore_before`` (never for a post with no date)."""
    def compute() -> np.ndarray:
        first = since_day(ctx)
        if first is None:
            return np.zeros(len(ctx.frame), dtype=bool)
        day = ctx.frame["publish_at"].to_numpy().astype("datetime64[D]")
        return day < first  # NaT compares False

    return ctx.memo("before-since", compute)


@rule("rows-before-since")
def rows_before_since(ctx: Context) -> None:
    """Say once how many posts ``ignore_before`` left out of the time-based checks."""
    left_out = before_since(ctx)
    if not left_out.any():  # none, or no ignore_before
        return
    ctx.findings.calendar_level("rows-before-since", "publish_at", None, ctx.messages.text(
        "rows-before-since", count=int(left_out.sum()), total=len(left_out),
        day=ctx.messages.when([since_day(ctx)], False)[0], checks=", ".join(TIME_BASED)))
