"""Calendar + findings + state -> the Status, Report and History grids the tool writes back.

Pure functions: no I/O and no clock (``now`` is passed in). A grid is a list of rows of
cells; a cell is text (always literal: the writers never let it become a formula), a number,
a bool, a date or a naive datetime in the calendar's time zone, or None for a blank cell.
Labels follow the calendar's language (``en`` or ``tr``). Charts are a later addition: the
Report holds tables only.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sheets_sync import findings as findings_mod
from sheets_sync.cells import Cell, Grid, week_start
from sheets_sync.codes import CODES
from sheets_sync.config import CalendarConfig
from sheets_sync.model import APPROVED_STATES, AWAITING_APPROVAL, STATES, HistoryEntry, Severity
from sheets_sync.parse import Calendar
from sheets_sync.rules.base import Context, blank, per_distinct
from sheets_sync.rules.feedback import after_business_days
from sheets_sync.rules.revisions import rounds_used
from sheets_sync.vocab import normalize

# (row, column) of the "Updated" time in the Report grid: it changes on every run, so callers
# deciding whether the Report needs writing compare the grids without this cell.
UPDATED_CELL = (2, 1)

_LABELS: dict[str, tuple[str, str]] = {  # key -> (English, Turkish)
    "severity": ("Severity", "Önem"), "code": ("Code", "Kod"), "post_id": ("Post ID", "Gönderi No"),
    "row": ("Row", "Satır"), "client": ("Client", "Müşteri"), "channel": ("Channel", "Kanal"),
    "publish_date": ("Publish date", "Yayın tarihi"), "status": ("Status", "Durum"),
    "owner": ("Owner", "Sorumlu"), "message": ("Message", "Mesaj"),
    "first_seen": ("First seen", "İlk görülme"), "no_issues": ("No open issues", "Açık sorun yok"),
    "none": ("(none)", "(yok)"), "item": ("Item", "Bilgi"), "value": ("Value", "Değer"),
    "updated": ("Updated", "Güncellendi"), "rows": ("Rows", "Satır sayısı"),
    "findings": ("Findings", "Bulgular"), "cells_written": ("Cells written", "Yazılan hücreler"),
    "source": ("Source", "Kaynak"), "summary": ("Summary", "Özet"),
    "approvals": ("Approvals needed in the next 7 days", "Önümüzdeki 7 günde onay gerekenler"),
    "overdue": ("Overdue feedback", "Geciken geri bildirimler"),
    "revisions": ("Revision usage per client per month", "Müşteri ve aya göre revizyon kullanımı"),
    "month": ("Month", "Ay"), "posts": ("Posts", "Gönderi"),
    "rounds_used": ("Rounds used", "Kullanılan revizyon"),
    "included_rounds": ("Included rounds", "Dahil revizyon"),
    "extra_rounds": ("Extra rounds approved", "Onaylanan ek revizyon"),
    "billable": ("Billable extra rounds", "Faturalanacak ek revizyon"),
    "turnaround": ("Approval turnaround per client", "Müşteriye göre onay süresi"),
    "approval_count": ("Approvals", "Onay sayısı"), "median": ("Median hours", "Medyan saat"),
    "p90": ("90th percentile hours", "%90 dilim saat"), "on_time": ("On time %", "Zamanında %"),
    "pipeline": ("Pipeline", "İş akışı"),
    "pillars": ("Pillar mix this month and next", "Bu ay ve gelecek ay içerik dağılımı"),
    "pillar": ("Pillar", "Kategori"), "share": ("Share %", "Pay %"),
    "target": ("Target %", "Hedef %"), "no_pillar": ("(no pillar)", "(kategorisiz)"),
    "cadence": ("Cadence", "Yayın sıklığı"), "week": ("Week", "Hafta"),
    "planned": ("Posts planned", "Planlanan gönderi"),
    "contract": ("Contract per week", "Haftalık sözleşme"), "gaps": ("Calendar gaps",
                                                                    "Takvim boşlukları"),
    "by_code": ("Findings by code", "Koda göre bulgular"), "count": ("Count", "Adet"),
    "info": ("info", "bilgi"), "warning": ("warning", "uyarı"), "error": ("error", "hata"),
    "critical": ("critical", "kritik"), "unknown": ("Unknown", "Bilinmiyor"),
    "idea": ("Idea", "Fikir"), "draft": ("Draft", "Taslak"),
    "internal_review": ("Internal review", "İç onay"),
    "client_review": ("Client review", "Müşteri onayında"),
    "changes_requested": ("Changes requested", "Revize istendi"),
    "approved": ("Approved", "Onaylandı"), "scheduled": ("Scheduled", "Zamanlandı"),
    "published": ("Published", "Yayınlandı"), "on_hold": ("On hold", "Beklemede"),
    "cancelled": ("Cancelled", "İptal"),
}
STATUS_COLUMNS = ("severity", "code", "post_id", "row", "client", "channel", "publish_date",
                  "status", "owner", "message", "first_seen")
HISTORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "en": ("Time", "Post ID", "Field", "Old value", "New value"),
    "tr": ("Zaman", "Gönderi No", "Alan", "Eski değer", "Yeni değer"),
}
_ONE_HOUR = np.timedelta64(1, "h")


class _Labels:
    """Looks up labels in one language; unknown keys are shown as they are."""

    def __init__(self, language: str) -> None:
        self._index = 1 if language == "tr" else 0

    def __call__(self, key: str) -> str:
        pair = _LABELS.get(key)
        return pair[self._index] if pair else key

    def all(self, *keys: str) -> list[Cell]:
        return [self(k) for k in keys]


def _severity_labels(label: _Labels) -> np.ndarray:
    """Return an object array indexed by severity int -> its label."""
    return np.array([""] + [label(Severity(i).label) for i in range(1, 5)], dtype=object)


def _texts(values: Any) -> np.ndarray:
    """Return texts as an object array, blank (empty, white space, missing) cells as None."""
    out = pd.Series(values, dtype=object).to_numpy(dtype=object).copy()
    out[blank(out)] = None
    return out


def _moments(stamps: Any, with_time: Any = True) -> np.ndarray:
    """Return naive datetime64 values as datetime (or date where ``with_time`` is False)."""
    stamps = np.asarray(stamps, dtype="datetime64[ns]")
    full = stamps.astype("datetime64[us]").astype(object)
    days = stamps.astype("datetime64[D]").astype(object)
    return np.where(with_time, full, days)


def _utc_to_local(stamps: Any, zone: str) -> np.ndarray:
    """Return naive-UTC datetime64 values as naive datetime64[ns] in time zone ``zone``."""
    index = pd.DatetimeIndex(np.asarray(stamps, dtype="datetime64[ns]"))
    return index.tz_localize("UTC").tz_convert(zone).tz_localize(None).to_numpy("datetime64[ns]")


def _local(moment: dt.datetime, zone: str) -> dt.datetime:
    """Return ``moment`` (aware; naive counts as UTC) as a naive datetime in ``zone``."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


def _blank_unless(keep: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return ``values`` as an object array (Python scalars) with None where not ``keep``."""
    out = values.astype(object)
    out[~keep] = None
    return out


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


# --- Status ---------------------------------------------------------------------------------
def status_grid(calendar: Calendar, findings: pd.DataFrame, config: CalendarConfig) -> Grid:
    """Return the Status tab: a header, then one row per finding in the given order.

    Channel, status and owner are the sheet's own text on the finding's row; calendar-level
    findings (row 0) leave post, row, channel, status and owner blank and show their date
    (a week, a month) as a date. ``first_seen`` (naive UTC, optional) is shown in the
    calendar's time zone. A clean calendar gives the header and a "No open issues" line.
    """
    label = _Labels(config.language)
    header = label.all(*STATUS_COLUMNS)
    if findings.empty:
        return [header, [label("no_issues")]]
    frame = calendar.frame
    rows = findings["row"].to_numpy(dtype="int64")
    at = pd.Index(frame["row"].to_numpy(dtype="int64")).get_indexer(rows)
    found = (at >= 0) & (rows > 0)
    safe = np.where(found, at, 0)

    def pick(name: str) -> np.ndarray:
        if not len(frame):
            return np.full(len(rows), None, dtype=object)
        return _blank_unless(found, frame[name].to_numpy(dtype=object)[safe])

    has_time = found & (frame["publish_has_time"].to_numpy(dtype=bool)[safe] if len(frame)
                        else False)
    seen: Any = None
    if "first_seen" in findings:
        seen = _moments(_utc_to_local(findings["first_seen"], config.timezone))
    sev = findings["severity"].to_numpy(dtype="int64").clip(0, 4)
    columns: list[Any] = [
        _severity_labels(label)[sev], findings["code"].to_numpy(dtype=object),
        _texts(findings["post_id"]), _blank_unless(rows > 0, rows),
        _texts(findings["client"]),
        _texts(pick("channel_raw")), _moments(findings["publish_at"], has_time),
        _texts(pick("status_raw")), _texts(pick("owner")),
        findings["message"].to_numpy(dtype=object),
        seen if seen is not None else np.full(len(rows), None, dtype=object),
    ]
    return [header, *map(list, zip(*(c.tolist() for c in columns)))]


# --- Report ---------------------------------------------------------------------------------
def report_grid(calendar: Calendar, findings: pd.DataFrame, transitions: pd.DataFrame,
                now: dt.datetime, config: CalendarConfig, summary: dict[str, int | str]
                ) -> Grid:
    """Return the Report tab: titled tables stacked vertically, each followed by a blank row.

    Sections: summary, approvals needed in the next 7 days, overdue feedback, revision usage,
    approval turnaround, pipeline, pillar mix, cadence, calendar gaps, findings by code.
    ``now`` must be timezone-aware (ValueError otherwise). An empty table shows "(none)".
    """
    ctx = Context(calendar, config, now)
    label = _Labels(config.language)
    sections: list[tuple[str, tuple[str, ...], list[list[Cell]]]] = [
        ("summary", ("item", "value"), _summary(findings, now, config, summary, label)),
        ("approvals", ("post_id", "client", "channel", "publish_date", "status", "owner"),
         _approvals_due(ctx)),
        ("overdue", ("post_id", "client", "message"), _overdue(findings)),
        ("revisions", ("client", "month", "posts", "rounds_used", "included_rounds",
                       "extra_rounds", "billable"), _revisions(ctx)),
        ("turnaround", ("client", "approval_count", "median", "p90", "on_time"),
         _turnaround(ctx, transitions)),
        ("pipeline", ("status", "posts"), _pipeline(ctx, label)),
        ("pillars", ("client", "month", "pillar", "posts", "share", "target"),
         _pillars(ctx, label)),
        ("cadence", ("client", "channel", "week", "planned", "contract"), _cadence(ctx)),
        ("gaps", ("client", "message"), _gaps(findings)),
        ("by_code", ("code", "severity", "count"), _by_code(findings, label)),
    ]
    grid: Grid = []
    for title, header, rows in sections:
        grid += [[label(title)], label.all(*header), *(rows or [[label("none")]]), []]
    return grid


def _summary(findings: pd.DataFrame, now: dt.datetime, config: CalendarConfig,
             summary: dict[str, int | str], label: _Labels) -> list[list[Cell]]:
    rows: list[list[Cell]] = [[label("updated"), _local(now, config.timezone)]]
    rows += [[label(key), value] for key, value in summary.items()]
    counts = findings["severity"].value_counts()
    rows += [[label(s.label), int(counts.get(int(s), 0))] for s in sorted(Severity, reverse=True)]
    return rows


def _approvals_due(ctx: Context) -> list[list[Cell]]:
    """Posts not approved yet that publish from now until the end of the 7th day from today."""
    frame = ctx.frame
    publish = frame["publish_at"].to_numpy(dtype="datetime64[ns]")
    now = ctx.now_local
    until = now.astype("datetime64[D]") + np.timedelta64(8, "D")
    due = ctx.status_in(AWAITING_APPROVAL) & (publish >= now) & (publish < until)
    part = frame[due].sort_values(["publish_at", "row"], kind="stable")
    columns = [_texts(part["post_id"]), _texts(part["client"]), _texts(part["channel_raw"]),
               _moments(part["publish_at"], part["publish_has_time"].to_numpy(dtype=bool)),
               _texts(part["status_raw"]), _texts(part["owner"])]
    return [list(r) for r in zip(*(c.tolist() for c in columns))]


def _overdue(findings: pd.DataFrame) -> list[list[Cell]]:
    part = findings[findings["code"] == "feedback-overdue"]
    return [[p or None, c or None, m]
            for p, c, m in zip(part["post_id"], part["client"], part["message"])]


def _revisions(ctx: Context) -> list[list[Cell]]:
    """Per client and publish month (cancelled posts aside): rounds used, included, billable.

    Rounds used are the revision rule's (the sheet's count or, when larger, the observed one);
    billable rounds are those beyond the included rounds, post by post.
    """
    frame = ctx.frame
    keep = frame["publish_at"].notna().to_numpy() & ~ctx.status_in("cancelled")
    if not keep.any():
        return []
    used = rounds_used(ctx)[keep]
    included = ctx.per_client(lambda s: s.rules.revisions.included_rounds)[keep]
    extra = np.nan_to_num(frame["extra_rounds_approved"].to_numpy(dtype=float))[keep]
    months = (frame["publish_at"].to_numpy(dtype="datetime64[ns]")[keep]
              .astype("datetime64[M]").astype("int64"))
    # One integer per (client, month): clients are numbered in name order, so sorting the
    # keys sorts the table by client, then month.
    first, span = int(months.min()), int(months.max() - months.min()) + 1
    keys, group, posts = np.unique(ctx.client_codes[keep].astype("int64") * span
                                   + months - first, return_inverse=True, return_counts=True)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=values, minlength=len(keys))

    sums = zip(keys.tolist(), posts.tolist(), total(used), total(included), total(extra),
               total(np.maximum(0.0, used - included)))
    return [[ctx.clients[key // span], str(np.datetime64(key % span + first, "M")), count,
             _number(u), _number(i), _number(e), _number(b)]
            for key, count, u, i, e, b in sums]


def _turnaround(ctx: Context, transitions: pd.DataFrame) -> list[list[Cell]]:
    """Median / 90th percentile hours from sent-for-review to approval, and share on time.

    Posts with both ``sent_for_review_at`` and ``approved_at`` (in that order) use those;
    other posts use the observed transitions: each entry into ``approved`` from a state not
    yet approved, measured from the latest entry into ``client_review`` since the previous
    approval. On time means approved by the feedback deadline the feedback rules compute
    (``sla_days`` business days); a date-only approval counts as on time when its day is
    not after the deadline's day.
    """
    frame = ctx.frame
    start = frame["sent_for_review_at"].to_numpy(dtype="datetime64[ns]")
    end = frame["approved_at"].to_numpy(dtype="datetime64[ns]")
    sheet = ~np.isnat(start) & ~np.isnat(end) & (end >= start)
    observed = _observed_approvals(ctx, transitions, set(frame["post_id"][sheet]))
    approvals = pd.DataFrame({
        "client": np.concatenate([frame["client"].to_numpy(dtype=object)[sheet],
                                  observed["client"].to_numpy(dtype=object)]),
        "start": np.concatenate([start[sheet], observed["start"].to_numpy("datetime64[ns]")]),
        "end": np.concatenate([end[sheet], observed["end"].to_numpy("datetime64[ns]")]),
        "start_timed": np.concatenate([
            frame["sent_for_review_at_has_time"].to_numpy(bool)[sheet], observed["timed"]]),
        "end_timed": np.concatenate([
            frame["approved_at_has_time"].to_numpy(bool)[sheet], observed["timed"]])})
    rows: list[list[Cell]] = []
    on_time = _on_time(ctx, approvals)
    hours = (approvals["end"].to_numpy("datetime64[ns]")
             - approvals["start"].to_numpy("datetime64[ns]")) / _ONE_HOUR
    # One sort by client, then a slice per client (not a comparison of every row per client).
    codes = pd.Categorical(approvals["client"].to_numpy(dtype=object),
                           categories=ctx.clients).codes
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(ctx.clients) + 1))
    for index, client in enumerate(ctx.clients):
        mine = order[bounds[index]:bounds[index + 1]]
        if not len(mine):
            rows.append([client, 0, None, None, None])
            continue
        rows.append([client, len(mine), round(float(np.median(hours[mine])), 1),
                     round(float(np.percentile(hours[mine], 90)), 1),
                     round(100.0 * float(on_time[mine].mean()), 1)])
    return rows


def _observed_approvals(ctx: Context, transitions: pd.DataFrame, skip: set[str]
                        ) -> pd.DataFrame:
    """Approvals seen in ``transitions`` of posts in the calendar not in ``skip``, local time."""
    frame = ctx.frame
    clients = (frame.loc[frame["post_id"] != "", ["post_id", "client"]]
               .drop_duplicates("post_id").set_index("post_id")
               if not transitions.empty else frame.iloc[:0])
    if transitions.empty or clients.empty:
        return pd.DataFrame({"client": pd.Series([], dtype=object),
                             "start": pd.Series([], dtype="datetime64[ns]"),
                             "end": pd.Series([], dtype="datetime64[ns]"),
                             "timed": pd.Series([], dtype=bool)})
    moves = transitions[transitions["post_id"].isin(clients.index)
                        & ~transitions["post_id"].isin(skip)]
    moves = moves.assign(at=moves["at"].to_numpy(dtype="datetime64[ns]"),
                         post_id=moves["post_id"].to_numpy(dtype=object))
    moves = moves.sort_values("at", kind="stable")
    reviews = moves.loc[moves["to_status"] == "client_review", ["post_id", "at"]]
    approved = moves.loc[(moves["to_status"] == "approved")
                         & ~moves["from_status"].isin(APPROVED_STATES), ["post_id", "at"]]
    approved = approved.assign(previous=approved.groupby("post_id")["at"].shift())
    pairs = pd.merge_asof(approved.rename(columns={"at": "end"}),
                          reviews.rename(columns={"at": "start"}), left_on="end",
                          right_on="start", by="post_id", direction="backward")
    pairs = pairs[pairs["start"].notna() & ~(pairs["start"] < pairs["previous"])]
    pairs = pairs.assign(client=clients.loc[pairs["post_id"], "client"].to_numpy(dtype=object))
    for client in pairs["client"].unique():
        mine = pairs["client"] == client
        zone = ctx.config.for_client(client).timezone
        for name in ("start", "end"):
            pairs.loc[mine, name] = _utc_to_local(pairs.loc[mine, name], zone)
    return pairs.assign(timed=True)[["client", "start", "end", "timed"]]


def _on_time(ctx: Context, approvals: pd.DataFrame) -> np.ndarray:
    """Per approval: whether it came by the feedback deadline the feedback rules compute."""
    if approvals.empty:
        return np.zeros(0, dtype=bool)
    start = approvals["start"].to_numpy(dtype="datetime64[ns]")
    # A throwaway context over the approvals reuses the rules' business-day logic as is.
    frame = pd.DataFrame({"client": approvals["client"].to_numpy(dtype=object),
                          "publish_at": start})
    sub = Context(Calendar(frame, "", 0, {}, {}, findings_mod.empty()), ctx.config, ctx.now)
    sla = sub.per_client(lambda s: s.rules.feedback.sla_days, "int64")
    deadline = after_business_days(sub, start, approvals["start_timed"].to_numpy(bool), sla)
    end = approvals["end"].to_numpy(dtype="datetime64[ns]")
    return np.where(approvals["end_timed"].to_numpy(bool), end <= deadline, end < deadline)


def _pipeline(ctx: Context, label: _Labels) -> list[list[Cell]]:
    counts = ctx.frame["status"].value_counts()
    known = [int(counts.get(state, 0)) for state in STATES]
    rows: list[list[Cell]] = [[label(s), n] for s, n in zip(STATES, known)]
    return [*rows, [label("unknown"), len(ctx.frame) - sum(known)]]


def _live(ctx: Context, columns: Sequence[str], first: np.datetime64, last: np.datetime64
          ) -> pd.DataFrame:
    """``columns`` of the posts that are not cancelled and publish in [first, last) (days)."""
    frame = ctx.frame
    days = frame["publish_at"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    keep = ~ctx.status_in("cancelled") & (days >= first) & (days < last)
    return frame.loc[keep, ["client", "publish_at", *columns]]


def _pillars(ctx: Context, label: _Labels) -> list[list[Cell]]:
    """Per client, this month and next (client's local time): posts per pillar vs target."""
    if not ctx.clients:
        return []
    # Only the two months shown are counted (a big calendar spans years).
    months = [ctx.local_now(c).astype("datetime64[M]") for c in ctx.clients]
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
    for client in ctx.clients:
        rules = ctx.settings[client].rules.pillars
        targets = {normalize(p): t for p, t in rules.targets.items()}
        if not targets and "pillar" not in ctx.calendar.columns:
            continue
        names = {normalize(p): p for p in (*rules.names, *rules.targets)}
        this = ctx.local_now(client).astype("datetime64[M]")
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


_CHANNEL_NAMES = {"x": "X", "linkedin": "LinkedIn", "tiktok": "TikTok", "youtube": "YouTube"}


def _cadence(ctx: Context) -> list[list[Cell]]:
    """Posts planned per contracted channel per week, current week through the horizon."""
    contracted = [c for c in ctx.clients
                  if any(n > 0 for n in ctx.settings[c].rules.cadence.posts_per_week.values())]
    if not contracted:
        return []
    # Only the weeks the table shows are counted (a big calendar spans years).
    first = min(ctx.local_now(c) for c in contracted).astype("datetime64[D]")
    last = first + np.timedelta64(
        max(ctx.settings[c].rules.cadence.horizon_days for c in contracted) + 8, "D")
    live = _live(ctx, ["channel"], first - np.timedelta64(7, "D"), last)
    live = live[live["client"].isin(contracted).to_numpy()]
    days = live["publish_at"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    days_n = days.astype("int64")
    weeks = week_start(days_n)
    counts = pd.Series(weeks).groupby([live["client"].to_numpy(dtype=object),
                                       live["channel"].to_numpy(dtype=object), weeks]).size()
    planned = counts.to_dict()
    rows: list[list[Cell]] = []
    for client in ctx.clients:
        rules = ctx.settings[client].rules.cadence
        today = int(ctx.local_now(client).astype("datetime64[D]").astype("int64"))
        mondays = range(week_start(today), today + rules.horizon_days, 7)
        for channel, target in sorted(rules.posts_per_week.items()):
            if target <= 0:
                continue
            for monday in mondays:
                rows.append([client, _CHANNEL_NAMES.get(channel, channel.capitalize()),
                             np.datetime64(monday, "D").astype(object),
                             int(planned.get((client, channel, monday), 0)), target])
    return rows


def _gaps(findings: pd.DataFrame) -> list[list[Cell]]:
    part = findings[findings["code"] == "calendar-gap"]
    return [[c or None, m] for c, m in zip(part["client"], part["message"])]


def _by_code(findings: pd.DataFrame, label: _Labels) -> list[list[Cell]]:
    counts = findings["code"].value_counts()
    ordered = sorted(((str(c), int(n)) for c, n in counts.items()),
                     key=lambda item: (-item[1], item[0]))
    return [[code, label(CODES[code].severity.label) if code in CODES else None, n]
            for code, n in ordered]


# --- History --------------------------------------------------------------------------------
def history_grid(entries: Sequence[HistoryEntry], config: CalendarConfig) -> Grid:
    """Return the History tab: a header, then one row per entry in the given order.

    Times are shown in the calendar's time zone; old and new values stay literal text.
    """
    grid: Grid = [list(HISTORY_COLUMNS.get(config.language, HISTORY_COLUMNS["en"]))]
    grid += [[_local(e.at, config.timezone), e.post_id, e.field, e.old, e.new] for e in entries]
    return grid


def build_outputs(calendar: Calendar, findings: pd.DataFrame, transitions: pd.DataFrame,
                  history: Sequence[HistoryEntry], now: dt.datetime, config: CalendarConfig,
                  summary: dict[str, int | str]) -> dict[str, Grid]:
    """Return every owned tab's grid, keyed by the configured Status, Report and History names.

    Text longer than a spreadsheet cell can hold is cut (see :func:`fit_cells`).
    """
    return {
        config.status_tab: fit_cells(status_grid(calendar, findings, config)),
        config.report_tab: fit_cells(report_grid(calendar, findings, transitions, now, config,
                                                 summary)),
        config.history_tab: fit_cells(history_grid(history, config)),
    }


CELL_TEXT_LIMIT = 32_767  # UTF-16 code units an Excel cell holds (Google Sheets: 50,000)


def fit_cells(grid: Grid) -> Grid:
    """Cut text longer than CELL_TEXT_LIMIT to fit, ending it with "…"; changes ``grid``.

    A calendar cell may hold more than Excel allows (a Google sheet, a generated file); the
    workbook would not open in Excel if it were written whole.
    """
    for line in grid:
        for j, cell in enumerate(line):
            if type(cell) is str and len(cell) > CELL_TEXT_LIMIT // 2:
                units = cell.encode("utf-16-le")
                if len(units) > 2 * CELL_TEXT_LIMIT:
                    cut = units[: 2 * (CELL_TEXT_LIMIT - 1)].decode("utf-16-le", "ignore")
                    line[j] = cut + "…"
    return grid
