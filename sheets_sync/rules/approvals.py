"""Approval rules: missing approvals before publishing, unapproved posts going out, approvers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sheets_sync.model import APPROVED_STATES, AWAITING_APPROVAL, Severity
from sheets_sync.rules.base import Context, rule, stripped
from sheets_sync.rules.evidence import (
    approval_recorded,
    approval_unreadable,
    has_approval_column,
)
from sheets_sync.rules.rows import overdue_unpublished
from sheets_sync.rules.scope import before_since, status_unknown
from sheets_sync.vocab import normalize


@rule("no-approval-column")
def no_approval_column(ctx: Context) -> None:
    """Say once that only the statuses record approval, naming the sheet's approving words."""
    if has_approval_column(ctx):
        return
    frame = ctx.frame
    approving = ctx.texts.status_in(APPROVED_STATES)
    seen = sorted({str(s).strip() for s in frame.loc[approving, "status_raw"]} - {""},
                  key=str.casefold)
    statuses = ", ".join(f"“{s}”" for s in seen) if seen else "approved, scheduled, published"
    approver = (ctx.messages.text("no-approval-column:approver",
                                  header=ctx.calendar.header("approved_by"))
                if ctx.has("approved_by") else "")
    ctx.findings.calendar_level("no-approval-column", "approved", None, ctx.messages.text(
        "no-approval-column", statuses=statuses, approver=approver))


@rule("approval-missing")
def approval_missing(ctx: Context) -> None:
    frame = ctx.frame
    publish = frame["publish_at"].to_numpy()
    # An unknown status word is no evidence of approval: such a post is waited on too.
    waiting = (ctx.texts.status_in(AWAITING_APPROVAL) | status_unknown(ctx)) \
        & ~approval_recorded(ctx) & ~before_since(ctx)
    # A post left behind unapproved is stale-unpublished's, which says both in one finding
    # (unless that code is switched off for the client).
    stale_on = ctx.clients.per_client(lambda s: s.rules.level("stale-unpublished") is not None,
                                      bool)
    waiting &= ~np.isnat(publish) & ~approval_unreadable(ctx) \
        & ~(overdue_unpublished(ctx) & stale_on)
    if not waiting.any():
        return
    hours_left = _hours_until(ctx, publish, waiting)
    urgent_hours = ctx.clients.per_client(lambda s: s.rules.approvals.urgent_hours)
    lead_days = ctx.clients.per_client(lambda s: s.rules.approvals.lead_days)
    past = waiting & (hours_left < 0)
    urgent = waiting & ~past & (hours_left <= urgent_hours)
    # Business days until the publish date, counted for the posts still in question only.
    later = np.flatnonzero(waiting & ~past & ~urgent)
    days_left = ctx.days.at_rows(later).between(ctx.clients.today_local[later], publish[later])
    soon = np.zeros(len(publish), dtype=bool)
    soon[later] = days_left <= lead_days[later]
    for mask, key, severity in ((past, "approval-missing:past", Severity.CRITICAL),
                                (urgent, "approval-missing:urgent", Severity.CRITICAL),
                                (soon, "approval-missing", Severity.ERROR)):
        if mask.any():
            ctx.findings.add("approval-missing", mask, "status", ctx.messages.render(
                key, when=ctx.written_times("publish_at", mask),
                hours=np.floor(hours_left[mask]).astype(int),
                status=ctx.texts.stripped("status_raw", mask)), severity=severity)


def _hours_until(ctx: Context, publish: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per row in ``rows``: real hours from now until the publish time (NaN elsewhere).

    The sheet's times are wall-clock times in the client's zone; across a daylight-saving
    change the hours between two wall-clock times are not their difference (Saturday 09:00 to
    Sunday 09:00 can be 23 or 25 hours). A time the clock skips counts as the next valid one,
    a time it repeats as the first of the two.
    """
    hours = np.full(len(publish), np.nan)
    now = pd.Timestamp(ctx.now)
    # Once per time zone, for the clients that share it (each row's hours are its own).
    by_zone: dict[str, list[int]] = {}
    for index, client in enumerate(ctx.clients.names):
        by_zone.setdefault(ctx.clients.settings[client].timezone, []).append(index)
    for zone, clients in by_zone.items():
        mask = rows & np.isin(ctx.clients.of_row, clients)
        if mask.any():
            stamps = pd.DatetimeIndex(publish[mask]).tz_localize(
                zone, ambiguous=np.ones(int(mask.sum()), dtype=bool),
                nonexistent="shift_forward")
            hours[mask] = (stamps - now) / pd.Timedelta(1, "h")
    return hours


@rule("published-without-approval", "scheduled-without-approval")
def went_out_unapproved(ctx: Context) -> None:
    if not has_approval_column(ctx):
        return  # the status is the only record of approval; nothing to compare it with
    missing = ~approval_recorded(ctx) & ~approval_unreadable(ctx) & ~before_since(ctx)
    for state in ("published", "scheduled"):
        code = f"{state}-without-approval"
        mask = missing & ctx.texts.status_in(state)
        ctx.findings.add(code, mask, "status", ctx.messages.render(code))


@rule("approver-not-authorized")
def approver_authorized(ctx: Context) -> None:
    if not any(s.rules.approvals.approvers for s in ctx.clients.settings.values()):
        return
    codes, uniques = ctx.texts.categorized("approved_by")
    names = stripped(uniques)
    approved = approval_recorded(ctx) | ctx.texts.status_in("approved")
    folded = [normalize(u) for u in names.tolist()]
    for client, settings in ctx.clients.settings.items():
        allowed = settings.rules.approvals.approvers
        if not allowed:
            continue
        permitted = {normalize(a) for a in allowed}
        refused = np.array([n != "" and f not in permitted for n, f in zip(names, folded)],
                           dtype=bool)
        # Only an approval is checked: a name beside "No" (or a blank) approved nothing.
        mask = ctx.clients.mask(client) & refused[codes] & approved
        ctx.findings.add("approver-not-authorized", mask, "approved_by", ctx.messages.render(
            "approver-not-authorized", approver=names[codes[mask]].tolist(),
            approvers=", ".join(allowed)))


@rule("approval-after-publish")
def approval_after_publish(ctx: Context) -> None:
    frame = ctx.frame
    approved = frame["approved_at"].to_numpy()
    publish = frame["publish_at"].to_numpy()
    dated = frame["approved_at_has_time"].to_numpy()
    # A date-only approval counts as given on that day: compare days, not moments.
    later = np.where(dated, approved > publish,
                     approved.astype("datetime64[D]") > publish.astype("datetime64[D]"))
    mask = later & ~np.isnat(approved) & ~np.isnat(publish)
    ctx.findings.add("approval-after-publish", mask, "approved_at", ctx.messages.render(
        "approval-after-publish",
        approved=ctx.written_times("approved_at", mask, dated[mask]),
        when=ctx.written_times("publish_at", mask)))


@rule("changed-after-approval")
def changed_after_approval(ctx: Context) -> None:
    """Caption or asset differ from what they were when the approval was first seen.

    Needs earlier cycles (``ctx.observed``, from :func:`sheets_sync.history.observe`); an
    audit without state reports nothing here.
    """
    if ctx.observed is None or not ctx.observed.changed_after_approval.any():
        return
    changed = ctx.observed.changed_after_approval
    seen_at = ctx.observed.approved_seen_at
    ctx.findings.add("changed-after-approval", changed, "caption", ctx.messages.render(
        "changed-after-approval", since=ctx.messages.when(seen_at[changed])))
