"""Calendar-level rules: cadence, posts per day, gaps, pillar mix and next-month readiness.

The planning horizon of a client runs from its local today for ``cadence.horizon_days`` days.
Cancelled posts never count. These rules loop over clients, channels and weeks or months
(a handful of groups), never over rows.
"""

from __future__ import annotations

import calendar as cal_module
import itertools

import numpy as np
import pandas as pd

from sheets_sync.cells import week_start
from sheets_sync.messages import channel_name
from sheets_sync.model import DRAFT_OR_LATER
from sheets_sync.rules.base import Context, per_distinct, rule
from sheets_sync.rules.scope import before_since, since_day
from sheets_sync.vocab import normalize


def _live(ctx: Context) -> pd.DataFrame:
    """Posts that are not cancelled and have a publish date (computed once per run)."""
    return ctx.memo("calendar-live", lambda: _live_posts(ctx))


def _live_posts(ctx: Context) -> pd.DataFrame:
    frame = ctx.frame
    keep = ~ctx.texts.status_in("cancelled") & frame["publish_at"].notna().to_numpy()
    part = frame.loc[keep, ["row", "client", "channel", "channel_raw", "format", "pillar",
                            "status", "publish_at"]]
    return part.assign(day=part["publish_at"].dt.normalize())


def channel_posts(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(positions, channel keys, channel names)``, one entry per post on a channel.

    A row whose cell names several channels ("IG + TikTok") is one post on each of them;
    ``names[keys]`` is the canonical channel of each entry ('' when unknown), ``positions``
    its row in the frame (ascending). Computed once per run.
    """
    def compute() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not ctx.calendar.channel_cells:  # one post per row: the column's own codes
            keys, names = ctx.texts.categorized("channel")
            return np.arange(len(keys)), keys, names
        positions, channels = ctx.calendar.channel_posts()
        keys, names = pd.factorize(channels)
        return positions, keys, np.asarray(names, dtype=object)

    return ctx.memo("channel-posts", compute)


def _today(ctx: Context, client: str) -> pd.Timestamp:
    return pd.Timestamp(ctx.clients.local_now(client)).normalize()


def _days_before_since(ctx: Context, today: pd.Timestamp) -> int:
    """Days from ``today`` to ``ignore_before`` (0 when it is not set or not later)."""
    first = since_day(ctx)
    return 0 if first is None else max(0, (pd.Timestamp(first) - today).days)


def _fmt(ctx: Context, day: pd.Timestamp) -> str:
    return day.strftime("%d.%m.%Y" if ctx.config.language == "tr" else "%Y-%m-%d")


@rule("cadence-below-contract")
def cadence(ctx: Context) -> None:
    frame = ctx.frame
    contracted = ctx.clients.per_client(
        lambda s: any(n > 0 for n in s.rules.cadence.posts_per_week.values()), bool)
    if not contracted.any():
        return
    days = frame["publish_at"].to_numpy().astype("datetime64[D]")
    horizon = ctx.clients.per_client(lambda s: s.rules.cadence.horizon_days + 7, "int64")
    local_today = ctx.clients.today_local
    live_rows = (contracted & ~ctx.texts.status_in("cancelled") & ~np.isnat(days)
                 & (days >= local_today - np.timedelta64(7, "D"))
                 & (days < local_today + horizon.astype("timedelta64[D]")))
    # Posts per (client, channel, Monday of the week) as integer keys, counted in one pass.
    positions, channel_keys, channel_names = channel_posts(ctx)
    live = live_rows[positions]
    rows = positions[live]
    mondays_since_epoch = week_start(days[rows].astype("int64"))
    keys, sizes = np.unique(np.stack([ctx.clients.of_row[rows], channel_keys[live],
                                      mondays_since_epoch]), axis=1, return_counts=True)
    counts = {(ctx.clients.names[c], str(channel_names[ch]), np.datetime64(int(m), "D")): int(n)
              for (c, ch, m), n in zip(keys.T.tolist(), sizes.tolist())}
    since = since_day(ctx)
    first_week = pd.Timestamp.min if since is None else pd.Timestamp(since)
    for client, settings in ctx.clients.settings.items():
        contract = {k: v for k, v in settings.rules.cadence.posts_per_week.items() if v > 0}
        if not contract:
            continue
        today = _today(ctx, client)
        day = int(today.to_datetime64().astype("datetime64[D]").astype("int64"))
        first_monday = pd.Timestamp(np.datetime64(week_start(day), "D"))
        end = today + pd.Timedelta(days=settings.rules.cadence.horizon_days)
        mondays = pd.date_range(first_monday, end - pd.Timedelta(days=1), freq="7D")
        # A week that begins before ignore_before is not checked: its first days are history.
        mondays = mondays[mondays >= first_week]
        for channel, target in sorted(contract.items()):
            for monday in mondays:
                count = counts.get((client, channel, monday.to_datetime64().astype(
                    "datetime64[D]")), 0)
                if count < target:
                    ctx.findings.calendar_level(
                        "cadence-below-contract", "channel", None, ctx.messages.text(
                            "cadence-below-contract", client=client,
                            channel=channel_name(channel),
                            week=f"{monday.isocalendar()[1]} ({_fmt(ctx, monday)})",
                            count=count, target=target, missing=target - count),
                        client=client, when=monday.to_datetime64())


def _small(key: np.ndarray) -> bool:
    """Whether integer ``key`` spans few enough numbers (from 0) to count them in a table."""
    return not len(key) or (int(key.min()) >= 0 and int(key.max()) < 8 * len(key) + 4096)


def _shared(key: np.ndarray) -> np.ndarray:
    """Per entry: how many entries have its ``key`` (itself included)."""
    if _small(key):
        return np.bincount(key)[key]
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()]


def _distinct(key: np.ndarray) -> np.ndarray:
    """The distinct values of integer ``key``, in order."""
    return np.flatnonzero(np.bincount(key)) if _small(key) else np.unique(key)


@rule("too-many-per-day")
def too_many_per_day(ctx: Context) -> None:
    frame = ctx.frame
    day = frame["publish_at"].to_numpy(dtype="datetime64[ns]")
    positions, channel_keys, channel_names = channel_posts(ctx)
    live_rows = (~ctx.texts.status_in("cancelled") & ~np.isnat(day)
                 & ~ctx.texts.text_in("format", "story") & ~before_since(ctx))
    live = live_rows[positions] & (channel_names != "")[channel_keys]
    if not live.any():
        return
    # Entries are posts on a channel: a row naming several channels is one on each.
    index = positions[live]
    channel_codes = channel_keys[live]
    days = day[index].astype("datetime64[D]").astype("int64")
    # One integer per (client, channel, day); posts are ranked by publish time within it.
    key = ((ctx.clients.of_row[index].astype("int64") * (len(channel_names) + 1)
            + channel_codes) * (int(days.max() - days.min()) + 1) + days - days.min())
    # Only the days over the limit are ranked by publish time: their posts alone, whole days.
    size = _shared(key)
    limit = ctx.clients.per_client(lambda s: s.rules.cadence.max_per_day)[index]
    over = np.flatnonzero(size > limit)
    if not len(over):
        return
    order = over[np.lexsort((day[index[over]].astype("int64"), key[over]))]
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    group = np.cumsum(np.r_[True, sorted_key[1:] != sorted_key[:-1]]) - 1
    rank = np.full(len(index), -1, dtype="int64")
    rank[order] = np.arange(len(order)) - starts[group]
    hit = np.flatnonzero(rank >= limit)
    if len(hit):
        # One finding per row: a row over the limit on several of its channels names the first.
        rows, first = np.unique(index[hit], return_index=True)
        hit = hit[first]
        raw = frame["channel_raw"].to_numpy(dtype=object)[rows]
        cells = ctx.calendar.channel_cells
        chosen = np.zeros(len(frame), dtype=bool)
        chosen[rows] = True
        ctx.findings.add("too-many-per-day", chosen, "publish_at", ctx.messages.render(
            "too-many-per-day", count=size[hit].tolist(),
            channel=[channel_name(str(channel_names[c])) if text in cells else text.strip()
                     for text, c in zip(raw.tolist(), channel_codes[hit].tolist())],
            client=frame["client"].to_numpy(dtype=object)[rows].tolist(),
            day=ctx.messages.when(day[rows].astype("datetime64[D]"), False),
            limit=limit[hit].astype(int).tolist()))


@rule("calendar-gap")
def calendar_gaps(ctx: Context) -> None:
    frame = ctx.frame
    # Entries are posts on a channel: a row naming several channels is a post on each.
    entries, channel_codes, channel_names = channel_posts(ctx)
    day = frame["publish_at"].to_numpy().astype("datetime64[D]")[entries]
    today = ctx.clients.today_local[entries]
    horizon = ctx.clients.per_client(lambda s: s.rules.cadence.horizon_days, "int64")[entries]
    of_row = ctx.clients.of_row[entries]
    # Posts before ignore_before neither fill a gap nor make a channel one the client uses.
    live = (~ctx.texts.status_in("cancelled")[entries] & (channel_names != "")[channel_codes]
            & ~np.isnat(day) & ~before_since(ctx)[entries])
    in_horizon = live & (day >= today) & (day < today + horizon.astype("timedelta64[D]"))
    # Distinct (client, channel, day) triples, sorted, as one integer key per entry.
    days_since = (day[in_horizon] - today[in_horizon]).astype("int64")
    key = ((of_row[in_horizon].astype("int64") * (len(channel_names) + 1)
            + channel_codes[in_horizon]) * 100_000 + days_since)
    unique_keys = np.unique(key)
    groups, offsets = np.divmod(unique_keys, 100_000)
    # The planned days of each (client, channel): runs of the sorted keys, split at once.
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else groups
    planned = {divmod(group, len(channel_names) + 1): days for group, days in zip(
        groups[starts].tolist(), np.split(offsets, starts[1:]))}
    positions = {str(name): i for i, name in enumerate(channel_names)}
    # The channels each client uses, from one pass over (client, channel) pairs.
    pairs = _distinct(of_row[live].astype("int64") * (len(channel_names) + 1)
                      + channel_codes[live])
    used_by: dict[int, set[str]] = {}
    for pair in pairs.tolist():
        used_by.setdefault(pair // (len(channel_names) + 1), set()).add(
            str(channel_names[pair % (len(channel_names) + 1)]))
    # Each gap: its client, channel, first and last empty day and length; worded at once.
    gaps: list[tuple[str, str, int, int, int]] = []  # first and last as days from 1970
    for client_code, client in enumerate(ctx.clients.names):
        rules = ctx.clients.settings[client].rules.cadence
        used = used_by.get(client_code, set())
        contracted = {c for c, n in rules.posts_per_week.items() if n > 0}
        start = _today(ctx, client)
        skip = _days_before_since(ctx, start)  # gaps are looked for from ignore_before on
        first_day = int(start.to_datetime64().astype("datetime64[D]").astype(np.int64))
        for channel in sorted(used | contracted):
            found = planned.get((client_code, positions.get(channel, -1)), np.array([], "int64"))
            anchors = [skip - 1, *found.tolist(), rules.horizon_days]
            for before, after in itertools.pairwise(anchors):
                empty_days = after - before - 1
                if empty_days > rules.gap_days:
                    gaps.append((client, channel_name(channel), first_day + (before + 1),
                                 first_day + (after - 1), empty_days))
    if not gaps:
        return
    clients, channels, first_days, last_days, lengths = (list(part) for part in zip(*gaps))
    firsts = np.array(first_days, dtype="datetime64[D]")
    texts = ctx.messages.render(
        "calendar-gap", client=clients, channel=channels, days=lengths,
        start=ctx.messages.when(firsts, False),
        end=ctx.messages.when(np.array(last_days, dtype="datetime64[D]"), False))
    for client, text, first in zip(clients, texts, firsts.astype("datetime64[ns]")):
        ctx.findings.calendar_level("calendar-gap", "channel", None, text, client=client,
                                    when=first)


@rule("pillar-mix-off-target")
def pillar_mix(ctx: Context) -> None:
    targeted = {c: s.rules.pillars for c, s in ctx.clients.settings.items()
                if s.rules.pillars.targets}
    if not targeted:
        return
    live = _live(ctx)
    # Months before a client's current month are not reported: they are not counted either.
    first_month = min(_today(ctx, c) for c in targeted).to_datetime64().astype("datetime64[M]")
    live = live[live["client"].isin(list(targeted)).to_numpy()
                & (live["day"].to_numpy() >= first_month.astype("datetime64[ns]"))]
    month = live["day"].to_numpy().astype("datetime64[M]")
    folded = per_distinct(live["pillar"], normalize)
    # Posts per (client, month, pillar), counted once for the whole calendar.
    counts = pd.Series(1, index=pd.MultiIndex.from_arrays(
        [live["client"].to_numpy(dtype=object), month, folded])).groupby(level=[0, 1, 2]).size()
    per_month: dict[tuple[str, np.datetime64], dict[str, int]] = {}
    for (client, when, pillar), posts in counts.items():
        per_month.setdefault((client, np.datetime64(when, "M")), {})[pillar] = int(posts)
    for (client, when), pillars in sorted(per_month.items()):
        rules = targeted[client]
        total = sum(pillars.values())
        this_month = _today(ctx, client).to_datetime64().astype("datetime64[M]")
        if when < this_month or total < max(rules.min_posts, 1):
            continue
        key = str(when)
        for pillar, target in rules.targets.items():
            actual = 100.0 * pillars.get(normalize(pillar), 0) / total
            if abs(actual - target) > rules.tolerance_pct:
                ctx.findings.calendar_level(
                    "pillar-mix-off-target", "pillar", None, ctx.messages.text(
                        "pillar-mix-off-target", client=client, month=key, pillar=pillar,
                        actual=round(actual), target=round(target)),
                    client=client, when=pd.Timestamp(f"{key}-01").to_datetime64())


@rule("next-month-not-ready")
def next_month_ready(ctx: Context) -> None:
    live = None  # the live posts, once a client is to be looked at
    for client, settings in ctx.clients.settings.items():
        rules = settings.rules.cadence
        weekly = sum(n for n in rules.posts_per_week.values() if n > 0)
        today = _today(ctx, client)
        if not weekly or today.day < rules.next_month_from_day:
            continue
        if live is None:
            live = _live(ctx)
        first = (today.replace(day=1) + pd.Timedelta(days=32)).replace(day=1)
        days_in_month = cal_module.monthrange(first.year, first.month)[1]
        needed = round(weekly * days_in_month / 7)
        mine = live[(live["client"] == client) & (live["day"].dt.year == first.year)
                    & (live["day"].dt.month == first.month)]
        ready = int(mine["status"].isin(DRAFT_OR_LATER).sum())
        pct = 100.0 * ready / needed if needed else 100.0
        if pct < rules.next_month_ready_pct:
            ctx.findings.calendar_level(
                "next-month-not-ready", "status", None, ctx.messages.text(
                    "next-month-not-ready", client=client, month=first.strftime("%Y-%m"),
                    ready=ready, needed=needed, pct=round(pct)),
                client=client, when=first.to_datetime64())
