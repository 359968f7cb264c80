"""The Status tab: the open findings as a to-do list, in sections a person acts on.

Sections, in this order (a section with nothing in it is left out):

- **Act today**: critical findings, and those of a post due within 24 hours (or already due);
- **This week**: those of a post due within 7 days;
- **Later**: those of posts due after that;
- **Plan**: the calendar as a whole (cadence, gaps, content mix, next month);
- **Data to fix**: cells that cannot be read and words that are not known (a post due within
  24 hours aside: those are for today).

Within a section the soonest deadline comes first (the post's publish time, or the week or
month a calendar-level finding is about), then the most severe, then the sheet's order.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import numpy as np
import pandas as pd

from sheets_sync.cells import Grid
from sheets_sync.codes import CODES
from sheets_sync.config import CalendarConfig
from sheets_sync.looks import Highlight, Look, Page, Rule, Style, Tab
from sheets_sync.model import Severity
from sheets_sync.outputs.convert import blank_unless, moments, publish_cells, texts
from sheets_sync.outputs.labels import Labels, severity_labels
from sheets_sync.parse import Calendar

STATUS_COLUMNS = ("severity", "what", "post", "todo", "who", "due", "code", "row")
SECTIONS = ("act_today", "this_week", "later", "plan", "data_to_fix")
ROW_COLUMN = STATUS_COLUMNS.index("row")  # holds the calendar row: a link to it
WIDTHS = (9, 34, 32, 40, 17, 17, 14, 6)  # characters; 1.2 landscape pages wide
# Fills by severity (info, warning, error, critical), the section rows' and the header's.
SEVERITY_FILLS = {Severity.INFO: "DDEBF7", Severity.WARNING: "FFE699",
                  Severity.ERROR: "F8CBAD", Severity.CRITICAL: "F4A6A6"}
HEADER = Style(bold=True, fill="BDD7EE")
SECTION = Style(bold=True, size=12, fill="E7E6E6")
# Codes about cells that cannot be read or words that are not known.
_DATA_CODES = frozenset({c.code for c in CODES.values() if c.family == "cells"} | {
    "unknown-status", "unknown-channel", "unknown-format", "unknown-pillar", "duplicate-id",
    "missing-id"})
# Codes where the client has to act: their approvers are named beside the owner.
_CLIENT_CODES = frozenset({"approval-missing", "feedback-overdue", "deemed-approved",
                           "revision-last-round"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÇĞİÖŞÜ“\"(])")
CAPTION_WORDS = 30  # characters of the caption shown to recognise the post
_DAY, _WEEK = np.timedelta64(1, "D"), np.timedelta64(7, "D")


def status_grid(calendar: Calendar, findings: pd.DataFrame, config: CalendarConfig,
                now: dt.datetime | None = None) -> Tab:
    """Return the Status tab: a header, then each section's title row and its findings.

    Columns: severity; what happened (the message's first sentence); which post (ID, client
    where the calendar has several, channel, and the caption's first words; a
    calendar-level finding names its client); what to do (the rest of the message); who
    (the post's owner, with the client's approvers where the client has to act); due (the
    publish time as the sheet writes it, or a calendar-level finding's date); the code;
    the calendar row (a link to it). ``now`` (aware) decides what is due today or this
    week; without it every dated finding counts as later. A clean calendar gives the header
    and a "No open issues" line.
    """
    label = Labels(config.language)
    header = label.all(*STATUS_COLUMNS)
    look = status_look(config, label)
    if findings.empty:
        return Tab([header, [label("no_issues")]], look)
    rows = findings["row"].to_numpy(dtype="int64")
    frame = calendar.frame
    at = pd.Index(frame["row"].to_numpy(dtype="int64")).get_indexer(rows)
    found = (at >= 0) & (rows > 0)
    safe = np.where(found, at, 0)
    due = findings["publish_at"].to_numpy(dtype="datetime64[ns]")
    sev = findings["severity"].to_numpy(dtype="int64").clip(0, 4)
    codes = findings["code"].to_numpy(dtype=object)
    section = _sections(codes, sev, rows, due, findings["client"].to_numpy(dtype=object),
                        config, now)
    columns = _columns(calendar, findings, config, label, found, safe, sev)
    order = np.lexsort((np.arange(len(rows)), rows, -sev,
                        np.where(np.isnat(due), 0, due.astype("int64")), np.isnat(due), section))
    grid: Grid = [header]
    table = list(zip(*(c.tolist() for c in columns)))
    for index, key in enumerate(SECTIONS):
        mine = order[section[order] == index]
        if len(mine):
            grid.append([label(key)])
            grid += [list(table[i]) for i in mine.tolist()]
    return Tab(grid, look)


def _sections(codes: np.ndarray, sev: np.ndarray, rows: np.ndarray, due: np.ndarray,
              clients: np.ndarray, config: CalendarConfig, now: dt.datetime | None
              ) -> np.ndarray:
    """Each finding's section: its index in SECTIONS."""
    data = np.isin(codes, list(_DATA_CODES))
    plan = (rows <= 0) & ~data
    dated = ~np.isnat(due)
    soon = np.zeros(len(codes), dtype=bool)
    week = np.zeros(len(codes), dtype=bool)
    ahead = np.zeros(len(codes), dtype=bool)
    if now is not None and dated.any():
        local = _local_now(clients, config, now)
        left = np.where(dated, due - local, np.timedelta64(0, "ns"))
        soon = dated & (left <= _DAY)
        week = dated & (left <= _WEEK)
        ahead = dated & (left >= np.timedelta64(0, "ns"))
    today = (sev >= int(Severity.CRITICAL)) | (soon & ~plan & ~data) | (soon & ahead & data)
    return np.select([today, data, plan, week], [0, 4, 3, 1], default=2)


def _local_now(clients: np.ndarray, config: CalendarConfig, now: dt.datetime) -> np.ndarray:
    """``now`` as a naive wall time in each finding's client's zone."""
    out = np.empty(len(clients), dtype="datetime64[ns]")
    names, keys = np.unique(clients.astype(str), return_inverse=True)
    for i, name in enumerate(names.tolist()):
        zone = zoneinfo.ZoneInfo(config.for_client(name).timezone)
        out[keys == i] = np.datetime64(now.astimezone(zone).replace(tzinfo=None), "ns")
    return out


def _columns(calendar: Calendar, findings: pd.DataFrame, config: CalendarConfig,
             label: Labels, found: np.ndarray, safe: np.ndarray, sev: np.ndarray
             ) -> list[np.ndarray]:
    frame = calendar.frame
    rows = findings["row"].to_numpy(dtype="int64")

    def pick(name: str) -> np.ndarray:
        if not len(frame):
            return np.full(len(rows), None, dtype=object)
        return blank_unless(found, frame[name].to_numpy(dtype=object)[safe])

    has_time = found & (frame["publish_has_time"].to_numpy(dtype=bool)[safe] if len(frame)
                        else False)
    # A finding's own date (a week, a month: calendar level), else its post's time as written.
    due = moments(findings["publish_at"], has_time)
    if found.any():
        due[found] = publish_cells(calendar, config, safe[found], has_time[found])
    what, todo = _split(findings["message"].to_numpy(dtype=object))
    clients = texts(findings["client"])
    several = len(set(frame["client"].tolist()) if len(frame) else set()) > 1
    post = _posts(texts(findings["post_id"]), rows, clients if several else None,
                  texts(pick("channel_raw")), texts(pick("caption")), found)
    who = _who(texts(pick("owner")), clients, findings["code"].to_numpy(dtype=object),
               config, label)
    return [severity_labels(label)[sev], what, post, todo, who, due,
            findings["code"].to_numpy(dtype=object), blank_unless(rows > 0, rows)]


def _split(messages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each message as (what happened, what to do): its first sentence and the rest (None
    when it has one sentence)."""
    # Many findings share their message: each distinct one is split once.
    codes, uniques = pd.factorize(messages, use_na_sentinel=False)
    heads: list[str] = []
    tails: list[str | None] = []
    for message in map(str, uniques.tolist()):
        head, *rest = _SENTENCE_END.split(message, maxsplit=1)
        heads.append(head)
        tails.append(rest[0] if rest and rest[0].strip() else None)
    return _objects(heads)[codes], _objects(tails)[codes]


def _objects(values: list[Any]) -> np.ndarray:
    """``values`` as a 1-D object array (texts, None)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _posts(ids: np.ndarray, rows: np.ndarray, clients: np.ndarray | None,
           channels: np.ndarray, captions: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Which post: "ID · client · channel" (the client where the calendar has several) and
    the caption's first words on a second line; a calendar-level finding names its client."""
    names = clients.tolist() if clients is not None else [None] * len(ids)
    words: dict[str, str | None] = {}  # a post with several findings: its caption once
    out: list[str | None] = []
    for pid, client, channel, caption, is_post in zip(ids.tolist(), names, channels.tolist(),
                                                      captions.tolist(), found.tolist()):
        if not is_post:
            out.append(client)
            continue
        if type(pid) is str and type(channel) is str and pid and channel and (
                client is None or type(client) is str):  # the usual case, written out
            text = f"{pid} · {client} · {channel}" if client else f"{pid} · {channel}"
        else:
            text = " · ".join(str(p) for p in (pid, client, channel) if p)
        if type(caption) is not str:
            first = _first_words(caption)
        elif caption in words:
            first = words[caption]
        else:
            first = words[caption] = _first_words(caption)
        out.append(f"{text}\n{first}" if first and text else (text or first))
    return _objects(out)


def _first_words(caption: Any) -> str | None:
    """The caption's first line, cut at a word to CAPTION_WORDS characters ("…" when cut)."""
    if not caption:
        return None
    line = str(caption).strip().splitlines()[0].strip() if str(caption).strip() else ""
    if len(line) <= CAPTION_WORDS:
        return f"“{line}”" if line else None
    cut = line[:CAPTION_WORDS].rsplit(" ", 1)[0] or line[:CAPTION_WORDS]
    return f"“{cut.rstrip(' ,.;:')}…”"


def _who(owners: np.ndarray, clients: np.ndarray, codes: np.ndarray, config: CalendarConfig,
         label: Labels) -> np.ndarray:
    """The post's owner; where the client has to act, the client's approvers beside them."""
    out = owners.copy()
    lines: dict[str, str] = {}  # each client's approvers line
    acting = np.isin(codes, list(_CLIENT_CODES))
    for i in np.flatnonzero(acting).tolist():
        client = clients[i]
        if not client:
            continue
        if client not in lines:
            approvers = config.for_client(str(client)).rules.approvals.approvers
            lines[client] = (f"{label('client_side')}: {', '.join(approvers)}" if approvers
                             else "")
        line = lines[client]
        if line:
            out[i] = f"{out[i]}\n{line}" if out[i] else line
    return out


def calendar_highlight(calendar: Calendar, config: CalendarConfig) -> Highlight | None:
    """How the calendar's rows are coloured by their open findings when
    ``highlight_calendar`` is on (None when it is off): critical, error and warning rows
    take the Status tab's severity fills, from the row below the calendar's header."""
    if not config.highlight_calendar:
        return None
    names = severity_labels(Labels(config.language))
    fills = tuple((str(names[int(s)]), SEVERITY_FILLS[s]) for s in
                  (Severity.CRITICAL, Severity.ERROR, Severity.WARNING))
    return Highlight(config.status_tab, ROW_COLUMN, 0, fills, calendar.header_row + 1)


def status_look(config: CalendarConfig, label: Labels) -> Look:
    """How the Status tab looks: coloured severities, section rows, a frozen and filtered
    header, wrapped text, the row column linked to the calendar, one page wide in print."""
    names = severity_labels(label)
    rules = tuple(Rule(0, (str(names[int(s)]),), Style(fill=fill), (0, 1))
                  for s, fill in SEVERITY_FILLS.items())
    sections = tuple(label(key) for key in SECTIONS)
    rules += (Rule(0, sections, SECTION, (0, len(STATUS_COLUMNS))),)
    return Look(widths=WIDTHS, frozen_rows=1, header=HEADER, wrap=(1, 2, 3, 4, 5, 6),
                filter=len(STATUS_COLUMNS), rules=rules, link_column=ROW_COLUMN,
                page=Page(paper=config.paper, title_rows=1))

