"""Which reminders are due now, and to whom: pure, from one cycle's calendar and findings.

An *item* is one thing one recipient is told about, at one *stage* (the 72-hour approval
reminder of a post, the feedback reminder of a given day, a client's digest of a day). The
ledger remembers each (calendar, item, stage, recipient) sent; :func:`plan_calendar` leaves
those out. Items whose client is in quiet time (weekend, public holiday, before 08:00 or from
19:00 local time) are *held*: the next run in allowed time sends them.

Who receives what (``[calendars.clients."Name".contacts]``):

* approvers: the client-review posts awaiting their approval, at each of
  ``approval_reminders_hours`` before publishing (the smallest threshold reached: a post
  first seen 20 hours before publishing gets the 24-hour reminder only); overdue feedback,
  once per business day; a post the contract now deems approved, once;
* escalation: escalated overdue feedback and revision rounds beyond the contract, once each;
* account manager: a digest per client per day from ``digest_time`` (client's time): what
  to act on today, what is due this week, and what the client was sent yesterday;
* every webhook: the escalations and digests (the agency's own messages), never the
  client's approver reminders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig, ClientConfig, NotifyConfig
from sheets_sync.model import Severity
from sheets_sync.outputs.approvals import approvals_due
from sheets_sync.parse import Calendar
from sheets_sync.rules.base import Context
from sheets_sync.rules.evidence import approval_recorded, approval_unreadable
from sheets_sync.state import Reminder
from sheets_sync.wording import plural

QUIET_BEFORE = dt.time(8, 0)  # nothing is sent before this, client's local time
QUIET_FROM = dt.time(19, 0)  # nor from this time on
CAPTION_WORDS = 60  # characters of a caption quoted in a message
DIGEST_LIMIT = 15  # posts listed per digest section ("and N more" beyond)
# Kinds of item, in the order a message lists them.
KINDS = ("approval", "feedback", "deemed", "escalation", "revision", "digest")
AGENCY_KINDS = frozenset({"escalation", "revision", "digest"})  # also sent to webhooks


@dataclass(frozen=True)
class Post:
    """A post as a message shows it: when, where, the first words, where to find its row."""

    post_id: str
    row: int
    publish_at: dt.datetime | None  # naive, the client's local time
    has_time: bool
    channel: str
    caption: str
    link: str
    note: str = ""  # the finding's message, for escalations and digests


@dataclass(frozen=True)
class Item:
    """One thing due to one recipient: a post at a stage, or a client's digest of a day."""

    kind: str
    calendar: str
    client: str
    recipient: str
    key: str
    stage: str
    language: str
    post: Post | None = None
    today: tuple[Post, ...] = ()  # digest: act today
    week: tuple[Post, ...] = ()  # digest: due this week
    yesterday: tuple[str, ...] = ()  # digest: what the client was sent yesterday
    more: tuple[int, int] = (0, 0)  # digest: posts left out of today / week

    def reminder(self, state: str, at: dt.datetime, subject: str = "", error: str = ""
                 ) -> Reminder:
        """This item as a ledger row."""
        return Reminder(self.calendar, self.key, self.stage, self.recipient, state, at,
                        self.post.post_id if self.post else "", self.client, subject, error)


@dataclass
class Plan:
    """What one calendar has due now: items to send, items held by quiet time, and
    reminders that could not be addressed (a client without that contact)."""

    due: list[Item] = field(default_factory=list)
    held: list[Item] = field(default_factory=list)
    unaddressed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """Where a calendar's rows are found, for the links in messages."""

    kind: str  # "google" or "file"
    where: str  # a spreadsheet ID, or the file's path
    gid: int | None = None  # Google: the calendar tab's sheet ID when known

    def link(self, row: int) -> str:
        if self.kind == "google":
            gid = f"gid={self.gid}&" if self.gid is not None else ""
            return f"https://docs.google.com/spreadsheets/d/{self.where}/edit#{gid}range=A{row}"
        return self.where


def quiet_reason(now: dt.datetime, client: ClientConfig, quiet_weekends: bool,
                 holidays: Iterable[np.datetime64]) -> str:
    """Why nothing may be sent to ``client`` at ``now`` ('' when something may).

    Before 08:00 or from 19:00 in the client's time zone; with ``quiet_weekends`` also on
    the client's weekends and public holidays (``holidays`` of the client's country).
    """
    local = now.astimezone(zoneinfo.ZoneInfo(client.timezone))
    if not QUIET_BEFORE <= local.time() < QUIET_FROM:
        return f"outside 08:00-19:00 in {client.timezone}"
    if quiet_weekends and not np.is_busday(np.datetime64(local.date(), "D"),
                                           holidays=list(holidays)):
        return f"a weekend or public holiday in {client.country}"
    return ""


def plan_calendar(config: CalendarConfig, notify: NotifyConfig, calendar: Calendar,
                  findings: pd.DataFrame, keys: Sequence[str], now: dt.datetime,
                  ledger: Sequence[Reminder], source: Source) -> Plan:
    """The items of ``config``'s calendar due at ``now`` (aware) and not in ``ledger``.

    ``findings`` are the cycle's findings and ``keys`` their stable keys (see
    :func:`sheets_sync.run.finding_keys`). Ledger rows in state ``sending`` or ``sent`` count
    as sent; ``failed`` ones are due again.
    """
    ctx = Context(calendar, config, now)
    done = {(r.item, r.stage, r.recipient) for r in ledger if r.state != "failed"}
    plan = Plan()
    candidates = [*_approval_items(ctx, notify, source),
                  *_finding_items(ctx, notify, findings, keys, source),
                  *_digest_items(ctx, notify, findings, ledger, source)]
    unaddressed: dict[tuple[str, str], int] = {}
    for item, recipients in candidates:
        if not recipients:
            where = (item.client, _CONTACT[item.kind])
            unaddressed[where] = unaddressed.get(where, 0) + 1
        for recipient in recipients:
            addressed = dataclasses.replace(item, recipient=recipient)
            if (addressed.key, addressed.stage, recipient) in done:
                continue
            client = ctx.clients.settings[item.client]
            held = quiet_reason(now, client, notify.quiet_weekends,
                                ctx.days.holidays_for(item.client))
            (plan.held if held else plan.due).append(addressed)
    plan.unaddressed = [
        f"client {client!r}: {count} {plural(count, 'reminder|reminders')} not sent: no "
        f"contacts.{contact} configured "
        "for it (in [calendars.clients.\"...\".contacts]), or no way in [notify] to reach it"
        for (client, contact), count in sorted(unaddressed.items())]
    return plan


_CONTACT = {"approval": "approvers", "feedback": "approvers", "deemed": "approvers",
            "escalation": "escalation", "revision": "escalation", "digest": "account_manager"}


Candidate = tuple[Item, list[str]]  # an item (no recipient yet) and its recipients


def _recipients(ctx: Context, client: str, kind: str, notify: NotifyConfig) -> list[str]:
    contacts = ctx.clients.settings[client].contacts
    people = (list(contacts.approvers) if kind in ("approval", "feedback", "deemed")
              else [contacts.account_manager] if kind == "digest"
              else [contacts.escalation])
    hooks = [f"webhook:{h.url_env}" for h in notify.webhooks] if kind in AGENCY_KINDS else []
    email = [p for p in people if p] if notify.smtp is not None else []
    return [*email, *hooks]


def _post(ctx: Context, index: int, source: Source, note: str = "") -> Post:
    frame = ctx.frame
    caption = " ".join(str(frame["caption"].to_numpy(dtype=object)[index] or "").split())
    if len(caption) > CAPTION_WORDS:
        caption = caption[:CAPTION_WORDS].rsplit(" ", 1)[0] + "…"
    publish = frame["publish_at"].to_numpy(dtype="datetime64[ns]")[index]
    row = int(frame["row"].to_numpy()[index])
    return Post(str(frame["post_id"].to_numpy(dtype=object)[index]), row,
                None if np.isnat(publish) else pd.Timestamp(publish).to_pydatetime(),
                bool(frame["publish_has_time"].to_numpy()[index]),
                str(frame["channel_raw"].to_numpy(dtype=object)[index] or "").strip(), caption,
                source.link(row), note)


def _approval_items(ctx: Context, notify: NotifyConfig, source: Source
                    ) -> list[Candidate]:
    """Client-review posts awaiting approval, at the smallest threshold they have reached."""
    thresholds = sorted(notify.approval_reminders_hours)
    frame = ctx.frame
    publish = frame["publish_at"].to_numpy(dtype="datetime64[ns]")
    waiting = (ctx.texts.status_in("client_review") & ~approval_recorded(ctx)
               & ~approval_unreadable(ctx) & ~np.isnat(publish))
    out: list[Candidate] = []
    clients = frame["client"].to_numpy(dtype=object)
    for index in np.flatnonzero(waiting).tolist():
        client = str(clients[index])
        zone = zoneinfo.ZoneInfo(ctx.clients.settings[client].timezone)
        moment = pd.Timestamp(publish[index]).to_pydatetime().replace(tzinfo=zone)
        hours = (moment - ctx.now).total_seconds() / 3600
        reached = [t for t in thresholds if 0 < hours <= t]
        if not reached:
            continue
        post = _post(ctx, index, source)
        key = f"approval|{post.post_id or post.row}|{moment.isoformat(timespec='minutes')}"
        item = Item("approval", ctx.config.name, client, "", key, f"approval-{reached[0]}h",
                    ctx.config.language, post)
        out.append((item, _recipients(ctx, client, "approval", notify)))
    return out


def _finding_items(ctx: Context, notify: NotifyConfig, findings: pd.DataFrame,
                   keys: Sequence[str], source: Source) -> list[Candidate]:
    """Overdue feedback (approvers, each business day; escalation when escalated), deemed
    approval (approvers) and revision rounds beyond the contract (escalation)."""
    # Findings name sheet rows; the frame is found by them.
    index_of = {int(r): i for i, r in enumerate(ctx.frame["row"].to_numpy())}
    out: list[Candidate] = []
    for (code, severity, row, client, message), key in zip(
            findings[["code", "severity", "row", "client", "message"]].itertuples(
                index=False, name=None), keys):
        if code not in ("feedback-overdue", "deemed-approved", "revision-limit-exceeded") \
                or int(row) not in index_of:
            continue
        settings = ctx.clients.settings.get(client)
        if settings is None:
            continue
        today = ctx.now.astimezone(zoneinfo.ZoneInfo(settings.timezone)).date()
        post = _post(ctx, index_of[int(row)], source, str(message))
        stages: list[tuple[str, str]] = []
        if code == "feedback-overdue":
            if np.is_busday(np.datetime64(today, "D"),
                            holidays=list(ctx.days.holidays_for(client))):
                stages.append(("feedback", f"feedback-{today.isoformat()}"))
            if int(severity) >= int(Severity.ERROR):
                stages.append(("escalation", "escalated"))
        elif code == "deemed-approved":
            stages.append(("deemed", "deemed"))
        else:
            stages.append(("revision", "revision-limit"))
        for kind, stage in stages:
            item = Item(kind, ctx.config.name, client, "", key, stage, ctx.config.language,
                        post)
            out.append((item, _recipients(ctx, client, kind, notify)))
    return out


def _digest_items(ctx: Context, notify: NotifyConfig, findings: pd.DataFrame,
                  ledger: Sequence[Reminder], source: Source) -> list[Candidate]:
    """Per client, once a day from ``digest_time`` (client's time): act today (errors and
    worse about posts), this week (approvals due within 7 days, overdue feedback), and what
    the client's approvers were sent yesterday."""
    hour, minute = (int(p) for p in notify.digest_time.split(":"))
    index_of = {int(r): i for i, r in enumerate(ctx.frame["row"].to_numpy())}
    due_soon = np.flatnonzero(approvals_due(ctx)).tolist()
    clients = ctx.frame["client"].to_numpy(dtype=object)
    rows = ctx.frame["row"].to_numpy()
    out: list[Candidate] = []
    for client in ctx.clients.names:
        settings = ctx.clients.settings[client]
        zone = zoneinfo.ZoneInfo(settings.timezone)
        local = ctx.now.astimezone(zone)
        if local.time() < dt.time(hour, minute):
            continue
        mine = findings[(findings["client"] == client).to_numpy()
                        & findings["row"].isin(list(index_of)).to_numpy()]
        mine = mine.sort_values(["severity", "publish_at", "row"],
                                ascending=[False, True, True], kind="stable")
        urgent = mine[mine["severity"].to_numpy() >= int(Severity.ERROR)]
        today = [_post(ctx, index_of[int(r)], source, str(m))
                 for r, m in zip(urgent["row"], urgent["message"])]
        listed = {p.row for p in today}
        week = [_post(ctx, i, source) for i in due_soon
                if str(clients[i]) == client and int(rows[i]) not in listed]
        late = mine[(mine["code"] == "feedback-overdue").to_numpy()
                    & ~mine["row"].isin(list(listed)).to_numpy()]
        week += [_post(ctx, index_of[int(r)], source, str(m))
                 for r, m in zip(late["row"], late["message"])]
        yesterday = local.date() - dt.timedelta(days=1)
        sent = tuple(f"{r.post_id or r.client}: {r.stage} -> {r.recipient}" for r in ledger
                     if r.client == client and r.state != "failed"
                     and r.recipient in settings.contacts.approvers
                     and r.at.astimezone(zone).date() == yesterday)
        if not (today or week or sent):
            continue  # nothing to tell: no digest today
        item = Item("digest", ctx.config.name, client, "", f"digest|{client}",
                    f"digest-{local.date().isoformat()}", ctx.config.language,
                    today=tuple(today[:DIGEST_LIMIT]), week=tuple(week[:DIGEST_LIMIT]),
                    yesterday=sent, more=(max(0, len(today) - DIGEST_LIMIT),
                                          max(0, len(week) - DIGEST_LIMIT)))
        out.append((item, _recipients(ctx, client, "digest", notify)))
    return out
