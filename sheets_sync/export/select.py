"""Which posts of a calendar may go to a scheduler, and why every other post in the window
may not. Pure: takes the parsed calendar, the configuration, ``now`` and what earlier syncs
saw; reads nothing.

A post goes out only when, on each of its channels:

* its status is approved (not yet scheduled, published, cancelled, on hold or in review);
* the sheet records the approval: an ``Approved`` yes or an approval date, by an approver on
  the client's list when the client has one (a calendar with no approval column has only
  its statuses to go by, and the export says so);
* the caption and asset did not change after the approval was first seen by a sync;
* its ID is on no other row, its channel is known, its caption is not empty and fits the
  channel's caption limit (the ``caption-too-long`` rule, checked again per channel);
* its publish time is a real, single moment of the client's time zone and still ahead.

Every post of the window that fails one of these is left out with all its reasons.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig
from sheets_sync.export.words import Words
from sheets_sync.findings import empty
from sheets_sync.history import Observed
from sheets_sync.parse import Calendar
from sheets_sync.rules.approvals import approver_authorized, changed_after_approval
from sheets_sync.rules.base import Context, blank
from sheets_sync.rules.evidence import (
    approval_recorded,
    approval_unreadable,
    has_approval_column,
)
from sheets_sync.rules.rows import caption_length, post_ids
from sheets_sync.zones import WALL_AMBIGUOUS, WALL_NONEXISTENT

# What a status other than "approved" means for an export, by canonical state: the reason's
# code (also the key of its text in sheets_sync.export.words).
_STATUS_REASONS = {"published": "published", "scheduled": "scheduled", "cancelled": "cancelled",
                   "on_hold": "on-hold"}


@dataclass(frozen=True)
class Window:
    """Which publish times an export covers, as wall-clock times of each post's client.

    ``start`` None means from now on; ``end`` None means no end. ``end`` is inclusive.
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None


FROM_NOW = Window()  # every publish time from now on


@dataclass(frozen=True)
class ExportPost:
    """One post on one channel, cleared for a scheduler.

    ``local`` is the publish time as a wall-clock time of the client's ``zone`` and ``when``
    the same moment, aware; ``sheet_local`` is how the sheet writes it (in the sheet's own
    zone, ``sheet_zone``). ``text`` is the caption, with the Hashtags cell after a blank line
    when the calendar keeps hashtags apart; ``default_time`` says the sheet gave a date only
    and ``default_publish_time`` was used.
    """

    row: int
    post_id: str
    client: str
    channel: str
    channel_raw: str
    format: str
    pillar: str
    caption: str
    hashtags: str
    text: str
    asset: str
    status_raw: str
    approved: str
    approved_by: str
    approved_at: str
    local: dt.datetime
    zone: str
    when: dt.datetime
    sheet_local: dt.datetime
    sheet_zone: str
    default_time: bool = False
    cell_channels: int = 1  # how many channels the row's channel cell names


@dataclass(frozen=True)
class LeftOut:
    """A post (on one channel) of the window that is not exported, and every reason why.

    ``reasons`` holds ``(code, message)`` pairs; codes are stable (``no-approval``,
    ``changed-after-approval``, ``caption-too-long``, …), messages say what to do.
    """

    row: int
    post_id: str
    client: str
    channel: str
    local: dt.datetime | None
    zone: str
    reasons: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        """One line for a person: the row, post, channel, time and reasons."""
        when = self.local.strftime("%Y-%m-%d %H:%M") if self.local else "no date"
        who = f"{self.post_id} " if self.post_id else ""
        reasons = "; ".join(message for _, message in self.reasons)
        return f"row {self.row} {who}{self.channel or '?'} {when}: {reasons}"


@dataclass
class Selection:
    """What :func:`select` found: the posts cleared, those left out, and what it assumed."""

    posts: list[ExportPost] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def select(calendar: Calendar, config: CalendarConfig, now: dt.datetime,
           observed: Observed | None, window: Window = FROM_NOW,
           supports: Callable[[str], str] | None = None, sheet_zone: str = "") -> Selection:
    """Return the posts of ``calendar`` in ``window`` cleared for export as of ``now``
    (aware), and every other post of the window with its reasons.

    ``observed`` is what earlier syncs saw (None: changed-after-approval cannot be checked,
    and the caller says so). ``supports(channel)`` returns the key (in
    :mod:`sheets_sync.export.words`) of why a scheduler cannot take a channel ('' when it
    can). ``sheet_zone`` is the spreadsheet's own time zone (default:
    the calendar's). Raises nothing.
    """
    frame = calendar.frame
    ctx = Context(calendar, config, now, observed)
    say = Words(config.language)
    positions, channels = calendar.channel_posts()
    local = frame["publish_at"].to_numpy(dtype="datetime64[ns]")[positions]
    now_local = ctx.clients.now_local[positions] if len(frame) else local
    start = now_local if window.start is None else np.datetime64(window.start, "ns")
    end = np.datetime64(window.end, "ns") if window.end is not None else None
    dated = ~np.isnat(local)
    inside = dated & (local >= start) & (True if end is None else local <= end)
    status = frame["status"].to_numpy(dtype=object)
    # An approved post with no date a scheduler could take is never silently dropped.
    undated = ~dated & (status[positions] == "approved") & _approved(ctx)[positions]
    wanted = np.flatnonzero(inside | undated)
    selection = Selection()
    if not len(wanted):
        return selection
    take = positions[wanted]
    focus = np.zeros(len(frame), dtype=bool)
    focus[take] = True
    reasons = _row_reasons(ctx, focus)
    too_long = _too_long(calendar, config, now, take, channels[wanted])
    cells = _Cells(frame, take, config)
    # A time the clocks skip or pass twice was read as one instant (and said so); a
    # scheduler needs the person to choose, so it is judged on the time as written.
    written = local
    clock_change = np.zeros(len(take), dtype=np.int8)
    if "publish_at_clock_change" in frame:
        clock_change = frame["publish_at_clock_change"].to_numpy()[take]
        if "publish_at_wall" in frame:
            written = frame["publish_at_wall"].to_numpy(dtype="datetime64[ns]")[positions]
    timing, moments = _moments(np.where(clock_change > 0, written[wanted], local[wanted]),
                               cells.zone, now, undated[wanted], clock_change, say)
    no_caption = blank(frame["caption"].to_numpy(dtype=object)[take])
    source = sheet_zone or config.timezone
    # A loop over the posts of the window only (a scheduler's file holds hundreds); every
    # per-post value was taken from the frame's columns at once above.
    for number, (position, channel) in enumerate(zip(take.tolist(),
                                                     channels[wanted].tolist())):
        found = list(reasons.get(position, ()))
        found += _channel_reasons(str(channel), cells.get("channel_raw", number), supports,
                                  say)
        if channel and no_caption[number]:
            found.append(("no-caption", say("no-caption")))
        found += too_long.get(number, [])
        found += timing.get(number, [])
        if found:
            selection.left_out.append(LeftOut(
                cells.get("row", number), cells.get("post_id", number),
                cells.get("client", number), str(channel), cells.local(number),
                cells.zone[number], tuple(found)))
            continue
        selection.posts.append(_post(calendar, cells, number, str(channel), moments[number],
                                     source))
    selection.notices += _notices(ctx, selection.posts)
    return selection


class _Cells:
    """The frame's columns at the posts of the window, taken once (positions ``take``)."""

    def __init__(self, frame: pd.DataFrame, take: np.ndarray, config: CalendarConfig) -> None:
        self.frame, self.take = frame, take
        self._columns: dict[str, list[Any]] = {}
        zones = {c: config.for_client(c).timezone for c in frame["client"].unique()}
        self.zone: list[str] = [zones[c] for c in self.column("client")]

    def column(self, name: str) -> list[Any]:
        if name not in self._columns:
            values = self.frame[name].to_numpy()[self.take]
            if values.dtype.kind == "M":  # dates: Python datetimes, None for NaT
                values = values.astype("datetime64[us]")
            self._columns[name] = values.tolist()
        return self._columns[name]

    def get(self, name: str, number: int) -> Any:
        return self.column(name)[number]

    def local(self, number: int) -> dt.datetime | None:
        stamp = self.get("publish_at", number)
        return stamp if isinstance(stamp, dt.datetime) else None


def _approved(ctx: Context) -> np.ndarray:
    """Per row: an approval the sheet records and the tool can read."""
    return approval_recorded(ctx) & ~approval_unreadable(ctx)


def _row_reasons(ctx: Context, focus: np.ndarray) -> dict[int, list[tuple[str, str]]]:
    """Per frame position in ``focus`` (the rows of the window): what keeps the row's post
    from any scheduler, channels aside. Messages are written for those rows only."""
    frame = ctx.frame
    out: dict[int, list[tuple[str, str]]] = {}

    def add(mask: np.ndarray, code: str, messages: Callable[[np.ndarray], Sequence[str]] | str
            ) -> None:
        where = np.flatnonzero(mask & focus)
        texts = [messages] * len(where) if isinstance(messages, str) else messages(where)
        for position, message in zip(where.tolist(), texts):
            out.setdefault(position, []).append((code, message))

    status = frame["status"].to_numpy(dtype=object)
    raw = np.array([str(s).strip() for s in frame["status_raw"].to_numpy(dtype=object)[focus]],
                   dtype=object)
    shown = np.full(len(frame), "", dtype=object)
    shown[focus] = raw
    rows = frame["row"].to_numpy()
    say = Words(ctx.config.language)

    def quoting(text: str) -> Callable[[np.ndarray], list[str]]:
        return lambda where: [say("status-said", reason=text, status=r) for r in shown[where]]

    def found_on(by_row: dict[int, str]) -> Callable[[np.ndarray], list[str]]:
        return lambda where: [by_row[r] for r in rows[where].tolist()]

    for state, code in _STATUS_REASONS.items():
        add(status == state, code, quoting(say(code)))
    add(~np.isin(status, ["approved", "", *_STATUS_REASONS]), "not-approved-status",
        lambda where: [say("not-approved-status", status=r, state=s.replace("_", " "))
                       for r, s in zip(shown[where], status[where])])
    add(status == "", "unknown-status",
        lambda where: [say("unknown-status", status=r) if r else say("no-status")
                       for r in shown[where]])
    if has_approval_column(ctx):
        unreadable = approval_unreadable(ctx)
        add(unreadable, "approval-unreadable", say("approval-unreadable"))
        add(~approval_recorded(ctx) & ~unreadable, "no-approval",
            say("no-approval", headers=_evidence_headers(ctx, say)))
    # The rules themselves decide, whatever levels the configuration gives their codes.
    for rule in (approver_authorized, post_ids, changed_after_approval):
        rule(ctx)
    found = ctx.findings.frame()
    for code in ("approver-not-authorized", "duplicate-id", "changed-after-approval"):
        of_code = found[found["code"] == code]
        by_row = dict(zip(of_code["row"].tolist(), of_code["message"].tolist()))
        add(np.isin(rows, list(by_row)), code, found_on(by_row))
    return out


def _evidence_headers(ctx: Context, say: Words) -> str:
    headers = [f"“{ctx.calendar.header(name)}”" for name in ("approved", "approved_at")
               if ctx.has(name)]
    return say("or").join(headers)


def _channel_reasons(channel: str, raw: str, supports: Callable[[str], str] | None,
                     say: Words) -> list[tuple[str, str]]:
    if not channel:
        raw = str(raw).strip()
        return [("unknown-channel",
                 say("unknown-channel", channel=raw) if raw else say("no-channel"))]
    refused = supports(channel) if supports is not None else ""
    return [("channel-not-supported", say(refused, channel=channel))] if refused else []


def _too_long(calendar: Calendar, config: CalendarConfig, now: dt.datetime,
              positions: np.ndarray, channels: np.ndarray) -> dict[int, list[tuple[str, str]]]:
    """Per post on a channel (by its place in ``positions``): the ``caption-too-long``
    finding for that channel alone, measured on the text the scheduler gets.

    The rule itself decides (so the export and the audit measure alike); it runs over one
    row per post and channel, numbered by that index, where the audit takes the strictest
    channel of a cell.
    """
    if not len(positions):
        return {}
    frame = calendar.frame.iloc[positions].reset_index(drop=True)
    frame["row"] = np.arange(len(frame), dtype="int64")
    frame["channel"] = pd.Series(channels, dtype=object).to_numpy(dtype=object)
    single = ~frame["channel_raw"].isin(list(calendar.channel_cells)).to_numpy()
    frame["channel_raw"] = np.where(single, frame["channel_raw"], frame["channel"])
    frame["caption"] = _texts(frame, calendar)
    exploded = replace(calendar, frame=frame, findings=empty(), categories={},
                       channel_cells={})
    ctx = Context(exploded, config, now)
    caption_length(ctx)
    found = ctx.findings.frame()
    return {int(r): [("caption-too-long", m)]
            for r, m in zip(found["row"].tolist(), found["message"].tolist())}


def _texts(frame: pd.DataFrame, calendar: Calendar) -> list[str]:
    """The text a scheduler gets: the caption, then the Hashtags cell after a blank line
    when the calendar keeps hashtags in a column of their own."""
    captions = frame["caption"].tolist()
    if "hashtags" not in calendar.columns:
        return captions
    return [f"{c}\n\n{h.strip()}" if h.strip() else c
            for c, h in zip(captions, frame["hashtags"].tolist())]


def _moments(stamps: np.ndarray, zones: list[str], now: dt.datetime, undated: np.ndarray,
             clock_change: np.ndarray, say: Words) -> tuple[dict[int, list[tuple[str, str]]],
                                                dict[int, dt.datetime]]:
    """Per post (by number): why its wall-clock publish time gives no moment to schedule at,
    or the aware moment it gives. ``clock_change`` is, per post, whether reading the sheet
    found its written time skipped or passed twice by the clocks (``WALL_*`` of
    :mod:`sheets_sync.zones`), in the zone it is written in.

    A time the clock skips (02:30 on the night summer time starts) or shows twice (02:30
    on the night it ends) is no single moment: a scheduler would pick one, so the post is
    left for a person to settle. A moment already passed is left out too.
    """
    reasons: dict[int, list[tuple[str, str]]] = {}
    moments: dict[int, dt.datetime] = {}
    zone_of = np.array(zones, dtype=object)
    instant = pd.Timestamp(now).tz_convert("UTC")
    for zone in sorted(set(zones)):
        numbers = np.flatnonzero(zone_of == zone)
        index = pd.DatetimeIndex(stamps[numbers])
        first = index.tz_localize(zone, ambiguous=np.ones(len(index), dtype=bool),
                                  nonexistent="NaT")
        second = index.tz_localize(zone, ambiguous=np.zeros(len(index), dtype=bool),
                                   nonexistent="NaT")
        tz = zoneinfo.ZoneInfo(zone)
        first_ns, second_ns = first.asi8, second.asi8  # NaT: the smallest int64
        changed = clock_change[numbers]
        missing = first.isna() | (changed == WALL_NONEXISTENT)
        twice = ~missing & ((first_ns != second_ns) | (changed == WALL_AMBIGUOUS))
        passed = ~missing & ~twice & (first_ns < instant.value)
        for number, naive, gone, double, late in zip(
                numbers.tolist(), stamps[numbers].astype("datetime64[us]").tolist(),
                missing.tolist(), twice.tolist(), passed.tolist()):
            if undated[number] or naive is None:
                reasons[number] = [("no-date", say("no-date"))]
            elif gone or double or late:
                code = ("time-does-not-exist" if gone else "time-ambiguous" if double
                        else "time-passed")
                reasons[number] = [(code, say(code, when=f"{naive:%Y-%m-%d %H:%M}",
                                              zone=zone))]
            else:
                moments[number] = naive.replace(tzinfo=tz)
    return reasons, moments


def _post(calendar: Calendar, cells: _Cells, number: int, channel: str, moment: dt.datetime,
          sheet_zone: str) -> ExportPost:
    def text(name: str) -> str:
        return str(cells.get(name, number))

    hashtags = text("hashtags").strip() if "hashtags" in calendar.columns else ""
    caption = text("caption")
    flag = cells.get("approved", number)
    approved_at = cells.get("approved_at", number)
    cell = calendar.channel_cells.get(cells.get("channel_raw", number))
    return ExportPost(
        row=int(cells.get("row", number)), post_id=text("post_id"), client=text("client"),
        channel=channel, channel_raw=text("channel_raw").strip(), format=text("format"),
        pillar=text("pillar").strip(), caption=caption, hashtags=hashtags,
        text=f"{caption}\n\n{hashtags}" if hashtags else caption,
        asset=text("asset").strip(), status_raw=text("status_raw").strip(),
        approved="" if flag != flag else ("yes" if flag == 1.0 else "no"),  # NaN: blank
        approved_by=text("approved_by").strip(),
        approved_at="" if approved_at is None else approved_at.strftime(
            "%Y-%m-%d %H:%M" if cells.get("approved_at_has_time", number) else "%Y-%m-%d"),
        local=moment.replace(tzinfo=None), zone=str(moment.tzinfo), when=moment,
        sheet_local=moment.astimezone(zoneinfo.ZoneInfo(sheet_zone)).replace(tzinfo=None),
        sheet_zone=sheet_zone, default_time=not cells.get("publish_has_time", number),
        cell_channels=len(cell.channels) if cell else 1)


def _notices(ctx: Context, posts: list[ExportPost]) -> list[str]:
    """What the export assumed, once each (in English, as the command line's own words)."""
    notices = []
    if posts and not has_approval_column(ctx):
        notices.append("the calendar has no approval column (Approved, Approved on): the "
                       "exported posts' status is the only record of their approval")
    defaulted = sorted({p.row for p in posts if p.default_time})
    if defaulted:
        notices.append(f"rows {_rows(defaulted)} give a date only: exported at "
                       f"default_publish_time {ctx.config.default_publish_time}")
    if posts and "hashtags" in ctx.calendar.columns and any(p.hashtags for p in posts):
        notices.append(f"the {ctx.calendar.header('hashtags')} column's text follows each "
                       "caption after a blank line")
    return notices


def _rows(rows: Sequence[int], most: int = 12) -> str:
    shown = ", ".join(str(r) for r in rows[:most])
    return shown + (f" and {len(rows) - most} more" if len(rows) > most else "")
