"""The Report's view of the plan as a whole: pillar mix this month and next, and cadence.

Both count only the weeks or months they show, in each client's local time: a big calendar
spans years.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sheets_sync.cells import Cell, week_start
from sheets_sync.messages import channel_name
from sheets_sync.outputs.labels import Labels
from sheets_sync.rules.base import Context, per_distinct
from sheets_sync.rules.calendar import channel_posts
from sheets_sync.vocab import normalize


def _live(ctx: Context, columns: Sequence[str], first: np.datetime64, last: np.datetime64
          ) -> pd.DataFrame:
    """``columns`` of the posts that are not cancelled and publish in [first, last) (days)."""
    frame = ctx.frame
    days = frame["publish_at"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    keep = ~ctx.texts.status_in("cancelled") & (days >= first) & (days < last)
    return frame.loc[keep, ["client", "publish_at", *columns]]


def pillars(ctx: Context, label: Labels) -> list[list[Cell]]:
    """Per client, this month and next (client's local time): posts per pillar vs target."""
    if not ctx.clients.names:
        return []
    # Only the two months shown are counted (a big calendar spans years).
    months = [ctx.clients.local_now(c).astype("datetime64[M]") for c in ctx.clients.names]
    live = _live(ctx, ["pillar"], min(months).astype("datetime64[D]"),
                 (max(months) + 2).astype("datetime64[D]"))
    month = live["publish_at"].to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")
    folded = per_distinct(live["pillar"], normalize)
    firsts = pd.Series(live["pillar"].to_numpy(dtype=object)).groupby(folded).first()
    first_text = {k: str(v).strip() for k, v in firsts.items()}
    # One count per (client, month, pillar) for the whole calendar, then small lookups.
    counted = pd.Series(1, index=pd.MultiIndex.from_arrays(
        [live["client"].to_numpy(dtype=object), month, folded])).groupby(level=[0, 1, 2]).size()
    per_group: dict[tuple[str, np.datetime64], dict[str, int]] = {}
    for (client, when, key), posts in counted.items():
        per_group.setdefault((client, np.datetime64(when, "M")), {})[key] = int(posts)
    rows: list[list[Cell]] = []
    for client in ctx.clients.names:
        rules = ctx.clients.settings[client].rules.pillars
        targets = {normalize(p): t for p, t in rules.targets.items()}
        if not targets and "pillar" not in ctx.calendar.columns:
            continue
        names = {normalize(p): p for p in (*rules.names, *rules.targets)}
        this = ctx.clients.local_now(client).astype("datetime64[M]")
        for when in (this, this + 1):
            counts = per_group.get((client, when), {})
            total = sum(counts.values())
            others = sorted((k for k in counts if k not in targets),
                            key=lambda k, c=counts: (-c[k], k == "", k))  # type: ignore[misc]
            for key in [*targets, *others]:
                posts = int(counts.get(key, 0))
                share = round(100.0 * posts / total, 1) if total else None
                name = names.get(key) or first_text.get(key) or label("no_pillar")
                rows.append([client, str(when), name, posts,
                             share, targets.get(key)])
    return rows


def cadence(ctx: Context) -> list[list[Cell]]:
    """Posts planned per contracted channel per week, current week through the horizon."""
    settings = ctx.clients.settings
    contracted = [c for c in ctx.clients.names
                  if any(n > 0 for n in settings[c].rules.cadence.posts_per_week.values())]
    if not contracted:
        return []
    # Only the weeks the table shows are counted (a big calendar spans years).
    first = min(ctx.clients.local_now(c) for c in contracted).astype("datetime64[D]")
    last = first + np.timedelta64(
        max(ctx.clients.settings[c].rules.cadence.horizon_days for c in contracted) + 8, "D")
    # A row whose cell names several channels is a post on each, as the cadence rule counts.
    positions, channel_keys, channel_names = channel_posts(ctx)
    frame = ctx.frame
    days = frame["publish_at"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    keep = (~ctx.texts.status_in("cancelled") & (days >= first - np.timedelta64(7, "D"))
            & (days < last) & frame["client"].isin(contracted).to_numpy())[positions]
    posts = positions[keep]
    weeks = week_start(days[posts].astype("int64"))
    counts = pd.Series(weeks).groupby([frame["client"].to_numpy(dtype=object)[posts],
                                       channel_names[channel_keys[keep]], weeks]).size()
    planned = counts.to_dict()
    rows: list[list[Cell]] = []
    for client in ctx.clients.names:
        rules = ctx.clients.settings[client].rules.cadence
        today = int(ctx.clients.local_now(client).astype("datetime64[D]").astype("int64"))
        mondays = range(week_start(today), today + rules.horizon_days, 7)
        for channel, target in sorted(rules.posts_per_week.items()):
            if target <= 0:
                continue
            for monday in mondays:
                rows.append([client, channel_name(channel),
                             np.datetime64(monday, "D").astype(object),
                             int(planned.get((client, channel, monday), 0)), target])
    return rows
