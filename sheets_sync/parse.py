"""Raw grid -> typed calendar frame plus the findings that reading the cells produced.

The calendar frame has one row per post (every non-empty sheet row below the header, except
labels, legends and the header repeated: see :func:`_not_posts`) and these columns:

* ``row`` (sheet row number), ``post_id``, ``client``, ``caption``, ``asset``… (text, '' empty)
* ``channel``/``format``/``status``: the canonical value, '' when empty or unknown; the
  sheet's own text is kept in ``channel_raw``/``format_raw``/``status_raw``. A channel cell
  naming several channels has the first one here and all of them in
  :attr:`Calendar.channel_cells` (see :meth:`Calendar.channel_posts`)
* ``publish_at`` and the other date fields: naive datetime64 in the client's time zone (NaT
  when empty or unreadable); ``publish_has_time`` says whether a time of day was given
* ``revision_round``, ``extra_rounds_approved``: floats (NaN when empty); ``approved``:
  1.0 / 0.0 / NaN
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sheets_sync.cells import ColumnGrid, column_letter
from sheets_sync.column_map import ColumnMap, explain
from sheets_sync.config import CalendarConfig, _parse_clock, relative_monday
from sheets_sync.errors import CalendarError
from sheets_sync.fastpaths import object_columns
from sheets_sync.findings import FindingsBuilder, concat
from sheets_sync.messages import Messages, field_name
from sheets_sync.model import DATE_FIELDS, FIELDS, NUMBER_FIELDS, REQUIRED_COLUMNS
from sheets_sync.values import (
    Categories,
    as_column,
    categorize_text,
    categorize_texts,
    factorize,
    parse_counts,
    parse_dates,
    parse_flags,
    parse_relative_days,
    parse_times,
)
from sheets_sync.vocab import (
    ALL_CHANNELS,
    CHANNEL_PLACE_WORDS,
    CHANNEL_VALUES,
    FORMAT_VALUES,
    HEADER_ALIASES,
    STATUS_VALUES,
    WordTable,
    channel_parts,
    lookup,
    match_channel,
    normalize,
    strip_invisible,
)
from sheets_sync.zones import (
    WALL_AMBIGUOUS,
    WALL_NONEXISTENT,
    HeaderHint,
    Zone,
    header_hint,
    timed_column,
    transition_days,
    utc_to_wall,
    wall_to_utc,
    zone_of_setting,
)

HEADER_SCAN_ROWS = 10
# Publish-date words that mean "not set yet" (compared after normalize), alone or first
# ("TBC-site-launch": to be confirmed, at the site launch).
DATE_NOT_SET = frozenset({"tbc", "tbd", "tba", "asap", "never", "not set", "belli degil",
                          "belirsiz"})


# Time cells that say the post has no set time: "LIVE" beside a published post. Read as no
# time, like an empty cell.
TIME_NOT_SET = DATE_NOT_SET | {"live", "posted", "published", "done", "now"}


def _date_not_set(value: Any, words: frozenset[str] = DATE_NOT_SET) -> bool:
    if not isinstance(value, str):
        return False
    text = normalize(value)
    return text in words or text.split(" ", 1)[0] in words
_TEXT_FIELDS = tuple(f for f in FIELDS if f not in DATE_FIELDS and f not in NUMBER_FIELDS
                     and f not in ("approved", "publish_time"))
_VOCABULARIES = (("status", STATUS_VALUES, "statuses"), ("channel", CHANNEL_VALUES, "channels"),
                 ("format", FORMAT_VALUES, "formats"))


@dataclass(frozen=True)
class ChannelCell:
    """A channel cell naming several channels ("IG Reels + TikTok; repurpose to X")."""

    channels: tuple[str, ...]  # the channels named, in the cell's order, each once
    unknown: tuple[str, ...] = ()  # parts naming no known channel, as written
    everything: bool = False  # "All platforms": every channel the calendar uses


@dataclass
class Calendar:
    """A parsed calendar: the typed frame, where each field came from, and parse findings."""

    frame: pd.DataFrame
    tab: str
    header_row: int
    headers: dict[str, str]  # field -> the header text in the sheet
    columns: dict[str, int]  # field -> 0-based column index in the sheet
    findings: pd.DataFrame
    has_id_column: bool = True
    # Text columns of repeated values as (keys, uniques), filled by parse; see categorized().
    categories: dict[str, Categories] = field(default_factory=dict)
    # Which header was read as which field, and why (None for a calendar not parsed from cells).
    columns_used: ColumnMap | None = None
    # The channel cells (as written) that name several channels; each of their rows counts
    # as one post on every channel named. Every other row's channel is its ``channel``.
    channel_cells: dict[str, ChannelCell] = field(default_factory=dict)
    # What the date and time headers say besides their field (a zone, a default time).
    hints: dict[str, HeaderHint] = field(default_factory=dict)
    # field -> the zone its timed cells are written in; filled by to_client_time.
    written: dict[str, Zone] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """Return the sheet's header for field ``name`` (the field name when not mapped)."""
        return self.headers.get(name, name)

    def categorized(self, name: str) -> Categories:
        """Return text column ``name`` as ``(keys, uniques)``: ``uniques[keys]`` is the column.

        Each distinct text is in ``uniques`` once. Parse fills this for the columns of repeated
        values; any other column is factorized here on first use.
        """
        found = self.categories.get(name)
        if found is None or len(found[0]) != len(self.frame):
            found = self.categories[name] = categorize_texts(
                self.frame[name].to_numpy(dtype=object), expect_distinct=True)
        return found

    def channel_posts(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(positions, channels)``: one entry per post on a channel.

        A row whose cell names several channels appears once per channel, every other row
        once with its ``channel`` ('' when unknown); positions (in the frame) ascend.
        """
        channel = self.frame["channel"].to_numpy(dtype=object)
        if not self.channel_cells:
            return np.arange(len(channel)), channel
        keys, uniques = self.categorized("channel_raw")
        named = [self.channel_cells.get(u) for u in uniques.tolist()]
        per_row = np.array([len(c.channels) if c else 1 for c in named], dtype=np.intp)[keys]
        positions = np.repeat(np.arange(len(channel)), per_row)
        names = channel[positions]
        starts = np.cumsum(per_row) - per_row
        several = np.array([c is not None for c in named], dtype=bool)[keys]
        for row in np.flatnonzero(several).tolist():
            cell = named[keys[row]]
            assert cell is not None
            names[starts[row]:starts[row] + len(cell.channels)] = cell.channels
        return positions, names


def header_map(headers: Sequence[Any], config: CalendarConfig
               ) -> tuple[dict[str, int], list[tuple[str, int, int]], list[str]]:
    """Match a header row to fields.

    Returns ``(field -> column index, duplicates as (field, kept, ignored), configured headers
    that are missing)``. Configured mappings win over built-in aliases.
    """
    ignored = {normalize(h) for h in config.ignore_headers}
    names = [normalize(str(h)) if h is not None else "" for h in headers]
    names = ["" if name in ignored else name for name in names]
    # "time_wib", "Time UTC": the header without the zone word that ends it, tried second.
    bare = [normalize(header_hint(str(h)).bare) if name and len(name) <= 80 else name
            for h, name in zip(headers, names)]
    configured: dict[str, str] = {}
    for name, wanted in config.columns.items():
        for header in wanted:
            configured[normalize(header)] = name
    builtin = {normalize(alias): name for name, aliases in HEADER_ALIASES.items()
               for alias in aliases}
    found: dict[str, int] = {}
    duplicates: list[tuple[str, int, int]] = []
    for source in (configured, builtin):
        for index, name in enumerate(names):
            target = source.get(name) if name else None
            if target is None and bare[index] != name:
                target = source.get(bare[index])
            if target is None or index in found.values():
                continue
            if source is builtin and target in config.columns:
                continue  # the configuration says where this field lives
            if target in found:
                duplicates.append((target, found[target], index))
            else:
                found[target] = index
    missing = [f"{name} = {header!r}" for name, wanted in config.columns.items()
               for header in wanted[:1] if name not in found]
    return found, duplicates, missing


def _find_header(rows: Sequence[Sequence[Any]], config: CalendarConfig, tab: str
                 ) -> tuple[int, dict[str, int], list[tuple[str, int, int]]]:
    candidates = ([config.header_row - 1] if config.header_row
                  else range(min(HEADER_SCAN_ROWS, len(rows))))
    best: tuple[int, int, dict[str, int], list[tuple[str, int, int]], list[str]] | None = None
    for index in candidates:
        row = rows[index] if index < len(rows) else []
        found, dups, missing = header_map(row, config)
        score = sum(1 for f in REQUIRED_COLUMNS if f in found or f in config.assume) * 100 \
            + len(found)
        if best is None or score > best[0]:
            best = (score, index, found, dups, missing)
    if best is None:
        raise CalendarError(f"{tab} is empty: no header row with the columns "
                            f"{', '.join(REQUIRED_COLUMNS)} was found")
    _, index, found, dups, missing_configured = best
    missing = [f for f in REQUIRED_COLUMNS if f not in found and f not in config.assume]
    if missing or missing_configured:
        shown = [str(h) for h in (rows[index] if index < len(rows) else []) if h not in (None, "")]
        hints = "; ".join(_missing_field(f) for f in missing)
        parts = []
        if missing:
            parts.append(f"no column for {hints}")
        if missing_configured:
            parts.append("configured columns not found: " + ", ".join(missing_configured))
        raise CalendarError(
            f"{tab}: {'; '.join(parts)}. Headers found in row {index + 1}: "
            f"{', '.join(shown) or '(none)'}. {_fixes(missing)}"
            + ("" if config.header_row else
               f" The header row is looked for in the first {HEADER_SCAN_ROWS} rows; if it is "
               "further down, set header_row = N in [[calendars]].")
        )
    return index, found, dups


# What a user writes for a calendar that keeps a required field in no column at all.
_ASSUME_EXAMPLES = {"channel": "instagram", "status": "draft"}


def _missing_field(name: str) -> str:
    """A required field no column holds, in people's words, with its key where that differs
    (the key is what --column and [calendars.columns] take) and headers that would do."""
    word = field_name(name).lower()
    key = "" if word == name else f"field {name}; "
    return f"{word} ({key}e.g. {', '.join(HEADER_ALIASES[name][:3])})"


def _fixes(missing: Sequence[str]) -> str:
    """How to tell the tool where the ``missing`` required fields are, or what they are."""
    example = missing[0] if missing else "caption"
    text = (f"Map your headers in the configuration ([calendars.columns]) or with --column "
            f"{example}=\"Your header\"")
    constant = [f for f in missing if f in _ASSUME_EXAMPLES]
    if constant:
        pairs = [f"{f}={_ASSUME_EXAMPLES[f]}" for f in constant]
        toml = ", ".join(f'{f} = "{_ASSUME_EXAMPLES[f]}"' for f in constant)
        text += (f"; if every post has the same {' and '.join(constant)}, say which with "
                 f"--assume {' --assume '.join(pairs)} (assume = {{ {toml} }} in "
                 "[[calendars]])")
    return text + "."


def parse(rows: Sequence[Sequence[Any]], config: CalendarConfig, tab: str = "Calendar"
          ) -> Calendar:
    """Parse a tab's cells into a :class:`Calendar`; bad cells become findings, never errors.

    Raises CalendarError when the tab has no usable header row (required columns missing).
    """
    header_index, columns, duplicates = _find_header(rows, config, tab)
    width = max(columns.values()) + 1
    count = max(len(rows) - header_index - 1, 0)
    if isinstance(rows, ColumnGrid):  # already column by column: nothing to transpose
        transposed: list[Sequence[Any]] = [rows.column(j, header_index + 1, count)
                                           for j in range(width)]
    else:
        transposed = _transpose(rows[header_index + 1:], width)
    proposed, columns = columns, _values_decide(columns, transposed, config)
    by_field = {name: transposed[index] for name, index in columns.items()}
    texts = {name: categorize_text(by_field[name]) for name in _TEXT_FIELDS if name in by_field}
    keep = _non_empty_rows(by_field, count, {n: c for n, (_, c) in texts.items() if c})
    skipped = _not_posts(rows, header_index, columns, by_field, texts, keep, config)
    skipped.update(_unread_only(rows, header_index, columns, keep, config, skipped))
    for positions in skipped.values():
        keep[positions] = False
    sheet_rows = np.flatnonzero(keep) + header_index + 2
    headers = {name: str(rows[header_index][index]) for name, index in columns.items()}
    messages = Messages(config.language)
    frame, codes, builder = _typed_frame(by_field, texts, keep, sheet_rows, config, messages,
                                         headers)
    if skipped:
        builder.calendar_level("rows-not-posts", "", None, messages.text(
            "rows-not-posts", groups="; ".join(
                messages.text("rows-not-posts:group", rows=_row_list(
                    messages, (positions + header_index + 2).tolist()),
                    why=messages.text(f"rows-not-posts:{why}"))
                for why, positions in skipped.items())))
    channel_cells = _several_channels(frame, codes, config)
    if channel_cells:
        _channel_notices(frame, codes, channel_cells, builder, messages)
    for name, kept, ignored in duplicates:
        header_cells = rows[header_index]
        builder.calendar_level(
            "duplicate-column", name, header_index + 1,
            messages.text("duplicate-column", field=messages.field(name),
                          kept=header_cells[kept], ignored=header_cells[ignored],
                          kept_col=column_letter(kept), ignored_col=column_letter(ignored)))
    for name, value in config.assume.items():
        if name in columns:
            builder.calendar_level("column-assumed", name, header_index + 1, messages.text(
                "column-assumed:unused", field=name, value=value, header=headers[name]))
        else:
            builder.calendar_level("column-assumed", name, None, messages.text(
                "column-assumed", field=name, value=value))
    hints = {name: hint for name in (*DATE_FIELDS, "publish_time") if name in headers
             for hint in [header_hint(headers[name])] if hint.zone or hint.clock}
    clock = _header_clock(hints)
    if clock is not None:
        builder.calendar_level("time-from-header", clock[0], header_index + 1, messages.text(
            "time-from-header", clock=clock[1], header=headers[clock[0]]))
    has_id = "post_id" in columns
    if not has_id:
        _derive_keys(frame)
        notice = messages.text("no-id-column")
        same = frame["post_id"].duplicated(keep=False).to_numpy()
        if same.any():  # never silently unfollowed: named, so a person can tell them apart
            rows_text = messages.text("no-id-column:same", rows=_row_list(
                messages, frame["row"].to_numpy()[same].tolist()))
            notice += " " + rows_text[:1].upper() + rows_text[1:]
        builder.calendar_level("no-id-column", "post_id", None, notice)
    used = explain(rows[header_index], proposed, columns, duplicates, config, header_index + 1)
    return Calendar(frame=frame, tab=tab, header_row=header_index + 1, headers=headers,
                    columns=columns, findings=builder.frame(), has_id_column=has_id,
                    categories=codes, columns_used=used, channel_cells=channel_cells,
                    hints=hints)


def _header_clock(hints: Mapping[str, HeaderHint]) -> tuple[str, str] | None:
    """The time of day a publish time or date header gives rows that have none, as
    ``(field, "HH:MM")``."""
    for name in ("publish_time", "publish_at"):
        hint = hints.get(name)
        if hint is not None and hint.clock:
            return name, hint.clock
    return None


# A header alias only proposes a field; for these the values decide. A column that a built-in
# alias maps to the field, but whose values are not what the field holds, is read as the
# second field when the sheet has no column for that, else as nothing. A column the
# configuration maps is taken as it is.
def _looks_like_link(text: str) -> bool:
    text = text.strip()
    return "://" in text or text.startswith("www.") or (" " not in text and (
        "/" in text or "." in text))


def _values_decide(columns: dict[str, int], transposed: Sequence[Sequence[Any]],
                   config: CalendarConfig) -> dict[str, int]:
    """Return ``columns`` with built-in matches the values contradict moved or dropped."""
    columns = dict(columns)
    formats = _vocabulary(FORMAT_VALUES, config.formats)
    format_words = {word for text in formats for word in text.split()}

    def is_format(text: str) -> bool:  # "Reel 15s", "Feed carousel", a configured "⧉"
        return text.strip() in formats or any(word in format_words
                                              for word in normalize(text).split())

    def filled(name: str) -> list[Any]:
        return [v for v in transposed[columns[name]] if v is not None and str(v).strip()]

    def share(name: str, test: Callable[[str], bool], sure: str = "") -> float | None:
        """The share of column ``name``'s filled cells passing ``test``, each distinct text
        tested once (None when no cell is filled). A text holding ``sure`` passes ``test``:
        those are counted in C, without calling it (a column of links holds mostly distinct
        texts)."""
        column = transposed[columns[name]]
        texts = list(map(str, column))
        passing = total = 0
        if sure:
            held = list(map(str.__contains__, texts, itertools.repeat(sure)))
            passing = total = held.count(True)
            if passing:
                texts = list(itertools.compress(texts, map(operator.not_, held)))
        counts = Counter(texts)
        if "None" in counts:  # an empty cell (None) is not filled; a cell reading "None" is
            counts["None"] -= sum(1 for v in column if v is None)
        for text, count in counts.items():
            if count and text.strip():
                total += count
                if test(text):
                    passing += count
        return passing / total if total else None

    def unreadable_dates(name: str) -> float | None:
        values = filled(name)
        return 1 - float(np.mean(parse_dates(values, config.date_order)[2])) if values else None

    def move(name: str, to: str | None) -> None:
        index = columns.pop(name)
        if to is not None and to not in columns and to not in config.columns:
            columns[to] = index

    def contradicted(name: str, test: Callable[[str], float | None]) -> bool:
        if name not in columns or name in config.columns:
            return False
        passing = test(name)
        return passing is not None and passing < 0.5

    if contradicted("format", lambda name: share(name, is_format)):
        move("format", "pillar")  # Educational, Testimonial: categories, not formats
    if contradicted("asset", lambda name: share(name, _looks_like_link, "://")):
        move("asset", None)  # a "Link" holding "Book now!" is a call to action
    if contradicted("feedback_due", unreadable_dates):
        move("feedback_due", "owner")  # a "Reviewer" or "Review by" holding names
    return columns


def _transpose(body: Sequence[Sequence[Any]], width: int) -> list[Any]:
    """Return the first ``width`` columns of ragged rows, missing cells as None."""
    widest = max(map(len, body), default=0)
    # Trim rows only when they are much wider than the mapped columns (slicing costs more
    # than carrying a few unused columns).
    rows = body if widest <= width + 32 else [r[:width] for r in body]
    return object_columns(rows, width)


def _non_empty_rows(raw: Mapping[str, Sequence[Any]], count: int, coded: Mapping[str, Categories]
                    ) -> np.ndarray:
    keep = np.zeros(count, dtype=bool)
    # Required columns first: they are filled on almost every row, so the other columns
    # usually only need looking at for the few rows still undecided. Columns already coded
    # are decided once per distinct value.
    for name in sorted(raw, key=lambda n: (n not in REQUIRED_COLUMNS, n not in coded)):
        todo = np.flatnonzero(~keep)
        if not len(todo):
            break
        if name in coded:
            codes, uniques = coded[name]
            blank = np.fromiter(map(_blank_text, uniques), bool, len(uniques))
            keep[todo] |= ~blank[codes[todo]]
            continue
        values = raw[name]
        subset = values if len(todo) == count else [values[i] for i in todo.tolist()]
        # Blankness is decided once per distinct value, not once per cell.
        try:
            codes, uniques = factorize(as_column(subset))
        except TypeError:  # unhashable cells cannot come from a sheet: decided cell by cell
            keep[todo] |= np.fromiter(map(_present_cell, subset), bool, len(todo))
            continue
        blank = np.array([isinstance(u, str) and not u.strip() for u in uniques] + [True])
        keep[todo] |= ~blank[codes]
    return keep


# --- rows that are not posts --------------------------------------------------------------
# A calendar holds rows that are no post: a "Week 3" or "JULY" label, a legend ("Pilier 1 :
# Annonce" in the Notes column), a note on an otherwise empty row, the header repeated further
# down. They are left out of the frame (no rule sees them, nothing is written into them) and
# listed in one info finding. Unless it repeats the header, a row with a readable publish date
# or a caption is always a post.


def _not_posts(rows: Sequence[Sequence[Any]], header_index: int, columns: Mapping[str, int],
               by_field: Mapping[str, Sequence[Any]],
               texts: Mapping[str, tuple[np.ndarray, Categories | None]], keep: np.ndarray,
               config: CalendarConfig) -> dict[str, np.ndarray]:
    """Return the kept body rows (0-based positions) that are not posts, by reason.

    * ``header``: the row repeats the header: in at least half of the mapped columns (and
      at least two) the cell is that column's header text.
    * ``label``: the whole sheet row has exactly one filled cell, and that cell is text with
      letters that is no value of its column (see :func:`_label`): "Week 3", "JULY",
      "Pilier 1 : Annonce / hype" in the Notes column.
    """
    count = len(keep)
    header_cells = rows[header_index]
    named = {name: normalize(str(header_cells[index])) for name, index in columns.items()}

    def per_row(name: str, test: Callable[[str], bool], at: np.ndarray | None = None
                ) -> np.ndarray:
        """Per row (or per row of positions ``at``): ``test`` of text field ``name``'s cell,
        once per distinct text."""
        column, coded = texts[name]
        if coded is not None:
            keys, uniques = coded
            hits = np.array([test(u) for u in uniques.tolist()], dtype=bool)
            return hits[keys] if at is None else hits[keys[at]]
        cells = column if at is None else column[at]
        return np.fromiter(map(test, cells), bool, len(cells))

    found: dict[str, list[int]] = {}
    # The header repeated: one required column is looked at on every row, the rest only on
    # the rows whose cell there is the header.
    probe = next((n for n in ("status", "channel") if n in texts), None)
    if probe is not None:
        maybe = keep & per_row(probe, lambda text: normalize(text) == named[probe])
    elif "publish_at" in by_field:
        maybe = keep & np.array([isinstance(v, str) and normalize(v) == named["publish_at"]
                                 for v in by_field["publish_at"]], dtype=bool)
    else:
        maybe = np.zeros(count, dtype=bool)
    for position in np.flatnonzero(maybe).tolist():
        same = sum(1 for name, cells in by_field.items() if named[name] and cells[position]
                   is not None and normalize(str(cells[position])) == named[name])
        if same >= 2 and 2 * same >= len(columns):
            found.setdefault("header", []).append(position)
    # Labels: only rows with at most one of the required text columns filled and no caption
    # can have a single cell; those few are looked at cell by cell.
    filled = sum((~per_row(n, _blank_text)).astype(np.intp) for n in ("channel", "status")
                 if n in texts)
    maybe = keep & (np.asarray(filled) <= 1)
    maybe[found.get("header", [])] = False
    if "caption" in texts:  # a post's caption is never a label's only cell
        candidates = np.flatnonzero(maybe)  # a few rows: captions are looked at only there
        maybe[candidates] = per_row("caption", _blank_text, candidates)
    field_of = {index: name for name, index in columns.items()}
    for position in np.flatnonzero(maybe).tolist():
        index = header_index + 1 + position
        cells = rows[index] if index < len(rows) else []
        present = [j for j, value in enumerate(cells) if _present_cell(value)]
        if len(present) == 1 and _label(cells[present[0]], field_of.get(present[0]), config):
            found.setdefault("label", []).append(position)
    return {why: np.array(positions, dtype=np.intp) for why, positions in found.items()}


def _unread_only(rows: Sequence[Sequence[Any]], header_index: int, columns: Mapping[str, int],
                 keep: np.ndarray, config: CalendarConfig, found: Mapping[str, np.ndarray]
                 ) -> dict[str, np.ndarray]:
    """The body rows whose only filled cells lie in columns no field reads ("Week 12" in a
    Week column, an idea in an unread Ideas column): never posts, and never dropped unsaid.
    One such cell that is a label joins ``label``; the rest are ``unread``."""
    mapped = set(columns.values())
    labels = list(found.get("label", np.empty(0, dtype=np.intp)).tolist())
    unread: list[int] = []
    for position in np.flatnonzero(~keep).tolist():
        index = header_index + 1 + position
        cells = rows[index] if index < len(rows) else []
        present = [j for j, value in enumerate(cells) if j not in mapped and _present_cell(value)]
        if not present:
            continue
        if len(present) == 1 and _label(cells[present[0]], None, config):
            labels.append(position)
        else:
            unread.append(position)
    out: dict[str, np.ndarray] = {}
    if len(labels) > len(found.get("label", ())):
        out["label"] = np.array(sorted(labels), dtype=np.intp)
    if unread:
        out["unread"] = np.array(unread, dtype=np.intp)
    return out


def _label(value: Any, name: str | None, config: CalendarConfig) -> bool:
    """Whether a cell alone on its row is a label: text with letters that is no value its
    column holds (not a date, a time, a number, yes or no, a known status, channel or
    format, and never a caption). "Week 3" in the date column is a label; a lone "10:00",
    "2026-13-45", "Yes" or "Draft" is a post with cells missing."""
    if not isinstance(value, str) or not any(ch.isalpha() for ch in value) or name == "caption":
        return False
    if name in DATE_FIELDS:
        return not _date_not_set(value) and bool(parse_dates([value], config.date_order)[2][0])
    if name == "publish_time":
        return bool(parse_times([value])[1][0])
    if name in NUMBER_FIELDS:
        return bool(parse_counts([value])[1][0])
    if name == "approved":
        return bool(parse_flags([value])[1][0])
    if name == "channel":
        table, trailing = _channel_words(config)
        return not (table.read(value) or any(
            match_channel(part, table, trailing) for part in channel_parts(value)))
    for vocabulary, base, table_name in _VOCABULARIES:
        if name == vocabulary:
            return not _vocabulary(base, getattr(config, table_name)).read(value)
    return True


def _row_list(messages: Messages, rows: Sequence[int], most: int = 12) -> str:
    """Sheet rows as "row 5" or "rows 15-19, 22": runs joined, at most ``most`` runs shown."""
    runs: list[list[int]] = []
    for row in sorted(rows):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    shown = [str(a) if a == b else f"{a}-{b}" for a, b in runs[:most]]
    if len(runs) > most:
        shown.append(messages.text("more-rows", count=sum(b - a + 1 for a, b in runs[most:])))
    return messages.text("rows" if len(rows) > 1 else "row", rows=", ".join(shown))


# --- channel cells naming several channels ------------------------------------------------


def _several_channels(frame: pd.DataFrame, coded: dict[str, Categories],
                      config: CalendarConfig) -> dict[str, ChannelCell]:
    """Read the channel cells the vocabulary does not know as a whole as lists of channels.

    "IG Reels + YouTube Shorts; repurpose to X" names instagram, youtube and x (see
    :func:`sheets_sync.vocab.channel_parts`); "All platforms" names every channel the rest of
    the calendar uses. A cell naming one known channel ("IG Reels") becomes that channel; one
    naming several, or known and unknown ones, is returned (cell -> :class:`ChannelCell`)
    and its rows' ``channel`` is the first channel named. A cell naming no known channel
    stays unknown. ``frame["channel"]`` and ``coded["channel"]`` are updated in place.
    """
    if "channel_raw" not in coded or not len(frame):
        return {}
    table, trailing = _channel_words(config)
    keys, uniques = coded["channel_raw"]
    used = np.bincount(keys, minlength=len(uniques)) > 0
    known = {text: table.read(text)  # exact words, then the configured patterns
             for text, in_use in zip(uniques.tolist(), used.tolist()) if in_use}
    unread = [text for text, name in known.items() if not name and text.strip()]
    if not unread:
        return {}
    read: dict[str, tuple[list[str], list[str], bool]] = {}
    for text in unread:
        names: list[str] = []
        unknown: list[str] = []
        everything = False
        for part in channel_parts(text):
            name = match_channel(part, table, trailing)
            if normalize(part) in ALL_CHANNELS:
                everything = True
            elif not name:
                unknown.append(part)
            elif name not in names:
                names.append(name)
        if names or everything:
            read[text] = (names, unknown, everything)
    if not read:
        return {}
    in_use = {name for name in known.values() if name}
    in_use.update(name for names, _, everything in read.values() if not everything
                  for name in names)
    every = [name for name in config.channel_names() if name in in_use]
    cells: dict[str, ChannelCell] = {}
    for text, (names, unknown, everything) in read.items():
        if everything:
            names += [name for name in every if name not in names]
        if not names:  # "All platforms" where no other row names a channel: unknown
            continue
        known[text] = names[0]
        if len(names) > 1 or unknown or everything:
            cells[text] = ChannelCell(tuple(names), tuple(unknown), everything)
    frame["channel"], coded["channel"] = _recode(coded["channel_raw"],
                                                 lambda text: known.get(text, ""))
    return cells


def _channel_words(config: CalendarConfig) -> tuple[WordTable, set[str]]:
    """The channel vocabulary (normalized text -> channel) and the words that may follow a
    channel's name in a cell (format words, "feed", "page"…)."""
    trailing = {word for text in _vocabulary(FORMAT_VALUES, config.formats)
                for word in text.split()} | CHANNEL_PLACE_WORDS
    return _vocabulary(CHANNEL_VALUES, config.channels), trailing


def _channel_notices(frame: pd.DataFrame, coded: dict[str, Categories],
                     cells: Mapping[str, ChannelCell], builder: FindingsBuilder,
                     messages: Messages) -> None:
    """Say once how cells naming several channels, and "All platforms", are read."""
    keys, uniques = coded["channel_raw"]
    rows = frame["row"].to_numpy()
    texts = uniques.tolist()
    several = np.array([t in cells and len(cells[t].channels) > 1 and not cells[t].everything
                        for t in texts], dtype=bool)[keys]
    if several.any():
        example = texts[keys[np.flatnonzero(several)[0]]]
        builder.calendar_level("several-channels", "channel", None, messages.text(
            "several-channels", rows=_row_list(messages, rows[several].tolist()),
            example=example.strip(), channels=", ".join(cells[example].channels)))
    for code, text in enumerate(texts):
        cell = cells.get(text)
        if cell is not None and cell.everything:
            builder.calendar_level("several-channels", "channel", None, messages.text(
                "several-channels:all", value=text.strip(),
                rows=_row_list(messages, rows[keys == code].tolist()),
                channels=", ".join(cell.channels)))


def _blank_text(text: str) -> bool:
    return not text or text.isspace()


def _present_cell(value: Any) -> bool:
    """Whether one cell holds something: neither missing (None, NaN) nor only white space."""
    if isinstance(value, str):
        return not _blank_text(value)
    return not (pd.api.types.is_scalar(value) and pd.isna(value))


def _typed_frame(cells: dict[str, Sequence[Any]],
                 texts: dict[str, tuple[np.ndarray, Categories | None]], keep: np.ndarray,
                 sheet_rows: np.ndarray, config: CalendarConfig, messages: Messages,
                 headers: dict[str, str]
                 ) -> tuple[pd.DataFrame, dict[str, Categories], FindingsBuilder]:
    """Type every column of the kept rows; ``texts`` are the text columns already converted."""
    n = len(sheet_rows)
    everything = bool(keep.all())  # the usual case: no blank rows to drop
    raw = {name: values if everything else list(itertools.compress(values, keep))
           for name, values in cells.items() if name not in texts}
    empty: list[Any] = [None] * n
    data: dict[str, Any] = {"row": sheet_rows.astype("int64")}
    coded: dict[str, Categories] = {}
    for name in _TEXT_FIELDS:
        column, found = texts.get(name, (None, None))
        if column is None:  # no such column: the assumed value, else '', on every row
            found = (np.zeros(n, dtype=np.intp),
                     np.array([config.assume.get(name, "")], dtype=object))
            column = found[1][found[0]]
        elif not everything:
            column = column[keep]
            found = None if found is None else (found[0][keep], found[1])
        data[name] = column
        if found is not None:
            coded[name] = found
    post_ids = data["post_id"]
    # "P1" with a zero-width space or a direction mark still reads as P1. map() over a
    # built-in method runs in C; str.strip returns the same object when there is nothing to strip.
    if not all(map(str.isascii, post_ids)):
        post_ids = np.array(list(map(strip_invisible, post_ids)), dtype=object)
    data["post_id"] = np.array(list(map(str.strip, post_ids)), dtype=object)
    coded.pop("post_id", None)  # stripped: the codes no longer match
    default_client = config.client or config.name
    # Few clients, many rows: trim each distinct name once.
    data["client"], coded["client"] = _recode(
        coded.get("client") or categorize_texts(data["client"]),
        lambda name: name.strip() or default_client)
    invalid: dict[str, np.ndarray] = {}
    for name in DATE_FIELDS:
        stamps, has_time, bad = parse_dates(raw.get(name, empty), config.date_order)
        data[name] = stamps
        data[f"{name}_has_time"] = has_time
        data[f"{name}_invalid"] = bad
        invalid[name] = bad
    relative = _relative_dates(raw, data, invalid, config.relative_to)
    # "TBC", "ASAP", "NEVER": a date deliberately not set yet, not a mistyped one.
    unset = np.zeros(n, dtype=bool)
    publish_cells = raw.get("publish_at", empty)
    for i in np.flatnonzero(invalid["publish_at"]).tolist():  # only the unreadable cells
        unset[i] = _date_not_set(publish_cells[i])
    invalid["publish_at"] = data["publish_at_invalid"] = invalid["publish_at"] & ~unset
    data["publish_at_unset"] = unset
    if "publish_at" in relative:  # relative dates with no relative_to: not set yet either
        data["publish_at_unset"] = unset | relative["publish_at"].unplaced
    invalid["publish_time"], two_times = _publish_time(data, raw.get("publish_time", empty),
                                                       headers, config)
    for name in NUMBER_FIELDS:
        data[name], invalid[name] = parse_counts(raw.get(name, empty))
    data["approved"], invalid["approved"] = parse_flags(raw.get("approved", empty))
    data["approved_invalid"] = invalid["approved"]
    for name, base, table in _VOCABULARIES:
        data[f"{name}_raw"] = data[name]
        found = coded.get(name) or categorize_texts(data[name])
        coded[f"{name}_raw"] = found
        data[name], coded[name] = _canonical(found, _vocabulary(base, getattr(config, table)))
    # Text stays in object columns: pandas' own string dtype is several times slower to
    # compare, and rules compare status, channel and client columns often.
    frame = pd.DataFrame({name: pd.Series(values, dtype=object)
                          if isinstance(values, np.ndarray) and values.dtype == object
                          else values for name, values in data.items()})
    builder = FindingsBuilder(frame)
    codes = {"publish_time": "invalid-time", "approved": "invalid-boolean",
             **dict.fromkeys(NUMBER_FIELDS, "invalid-number")}
    if two_times[0].any():
        builder.add("time-conflict", two_times[0], "publish_time", messages.render(
            "time-conflict", date_header=headers.get("publish_at", "publish_at"),
            time_header=headers.get("publish_time", "publish_time"),
            own=_clocks(two_times[1]), time=_clocks(two_times[2])))
    if unset.any():
        builder.add("date-not-set", unset, "publish_at", messages.render(
            "date-not-set", header=headers.get("publish_at", "publish_at"),
            value=pd.Series(raw["publish_at"], dtype=object)[unset].map(str).str.strip().tolist()))
    for name, kept in relative.items():
        _say_relative(builder, messages, name, headers.get(name, name), kept, sheet_rows)
    # Approval evidence nobody can read holds the post back from every approval and
    # feedback rule (a readable yes/no flag still decides): said on the cell's own finding.
    held = np.isnan(np.asarray(data["approved"], dtype=float))
    for name, bad in invalid.items():
        if bad.any():
            code = codes.get(name, "invalid-date")
            raw_values = pd.Series(raw[name], dtype=object)[bad].map(str).tolist()
            text = messages.render(code, header=headers.get(name, name), value=raw_values)
            if name in ("approved", "approved_at") and held[bad].any():
                worded = np.array(text, dtype=object)
                worded[held[bad]] += " " + messages.text("evidence-unreadable")
                text = worded.tolist()
            builder.add(code, bad, name, text)
    return frame, coded, builder


@dataclass(frozen=True)
class _Relative:
    """The relative date cells (T-2_Mon) of one date column, by row of the frame."""

    cells: np.ndarray  # the text of each such cell, None on the other rows
    unplaced: np.ndarray  # relative dates left without a date: no relative_to
    week_only: np.ndarray  # placed on a week's Monday: the cell gave no weekday


def _relative_dates(raw: Mapping[str, Sequence[Any]], data: dict[str, Any],
                    invalid: dict[str, np.ndarray], relative_to: str) -> dict[str, _Relative]:
    """Read the unreadable date cells that are relative dates (``T-2_Mon``), in place.

    With ``relative_to`` (the Monday of week T0) they become dates; without it they stay
    empty. Either way they are no longer unreadable. Returns the columns that had any.
    """
    monday = np.datetime64(relative_monday(relative_to), "D") if relative_to else None
    found: dict[str, _Relative] = {}
    for name in DATE_FIELDS:
        rows = np.flatnonzero(invalid[name])  # only the cells no date format read
        if not len(rows):
            continue
        cells = raw[name]
        days, has_day = parse_relative_days([cells[i] for i in rows.tolist()])
        hit = ~np.isnan(days)
        if not hit.any():
            continue
        rows, days, has_day = rows[hit], days[hit].astype("int64"), has_day[hit]
        bad = invalid[name] = data[f"{name}_invalid"] = invalid[name].copy()
        bad[rows] = False
        n = len(bad)
        text = np.full(n, None, dtype=object)
        text[rows] = [str(cells[i]).strip() for i in rows.tolist()]
        unplaced, week_only = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        if monday is None:
            unplaced[rows] = True
        else:
            data[name][rows] = (monday + days).astype("datetime64[ns]")
            week_only[rows] = ~has_day
        found[name] = _Relative(text, unplaced, week_only)
    return found


def _say_relative(builder: FindingsBuilder, messages: Messages, name: str, header: str,
                  found: _Relative, sheet_rows: np.ndarray) -> None:
    """One calendar-level finding per kind: relative dates not placed, weeks without a day."""
    for key, mask in (("date-not-set:relative", found.unplaced),
                      ("date-not-set:week", found.week_only)):
        if mask.any():
            builder.calendar_level("date-not-set", name, None, messages.text(
                key, header=header, rows=_row_ranges(sheet_rows[mask].tolist()),
                value=found.cells[mask][0]))


def _row_ranges(rows: Sequence[int], limit: int = 8) -> str:
    """Sheet rows as ranges, e.g. ``2-40, 43``; after ``limit`` ranges, ``… (+N)`` rows."""
    spans: list[list[int]] = []
    for number in rows:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    shown = [f"{a}-{b}" if b > a else str(a) for a, b in spans[:limit]]
    rest = sum(b - a + 1 for a, b in spans[limit:])
    return ", ".join(shown) + (f", … (+{rest})" if rest else "")


def _publish_time(data: dict[str, Any], cells: Sequence[Any], headers: Mapping[str, str],
                  config: CalendarConfig) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Give ``data["publish_at"]`` its time of day from the publish-time ``cells`` (see
    :func:`_combine_time`); sets ``publish_has_time``.

    Returns the time cells that are unreadable, and the rows whose date cell has another
    time than their time cell as ``(rows, the date's times, the time cells' times)``.
    """
    offsets, invalid = parse_times(cells)
    for i in np.flatnonzero(invalid).tolist():  # "LIVE": no time, not a typo
        invalid[i] = not _date_not_set(cells[i], TIME_NOT_SET)
    dates, has_time = data["publish_at"], data["publish_at_has_time"]
    own = dates - dates.astype("datetime64[D]")
    # A date cell's 00:00 is no time of its own (a date-typed cell exported with its clock).
    conflict = has_time & ~np.isnat(offsets) & (own != offsets) & (own != np.timedelta64(0))
    clock = _header_clock({name: header_hint(headers[name])
                           for name in ("publish_time", "publish_at") if name in headers})
    data["publish_at"], data["publish_has_time"] = _combine_time(
        dates, has_time, offsets, clock[1] if clock else config.default_publish_time)
    return invalid, (conflict, own[conflict], offsets[conflict])


def _clocks(offsets: np.ndarray) -> list[str]:
    """Times of day (offsets since midnight) as ``HH:MM``."""
    minutes = (offsets // np.timedelta64(1, "m")).astype("int64").tolist()
    return [f"{m // 60:02d}:{m % 60:02d}" for m in minutes]


def _combine_time(dates: np.ndarray, has_time: np.ndarray, offsets: np.ndarray,
                  default_clock: str) -> tuple[np.ndarray, np.ndarray]:
    """Set the time of day of publish dates: the publish-time column's where it has one, else
    the date cell's own, else ``default_clock``.

    The time column wins over a time in the date cell, midnight or not: it is the cell
    people set the time in, and a date-typed cell often carries a 00:00 it never showed.
    """
    hour, minute = _parse_clock(default_clock) or (9, 0)
    default = np.timedelta64(hour * 60 + minute, "m").astype("timedelta64[ns]")
    use_column = ~np.isnat(offsets)
    combined = dates.copy()
    combined[use_column] = dates[use_column].astype("datetime64[D]") + offsets[use_column]
    use_default = ~has_time & np.isnat(offsets) & ~np.isnat(dates)
    combined[use_default] = dates[use_default].astype("datetime64[D]") + default
    return combined, has_time | use_column


def _recode(coded: Categories, convert: Callable[[str], str]) -> tuple[np.ndarray, Categories]:
    """Apply ``convert`` once per distinct text; returns the new column and its codes."""
    codes, uniques = coded
    converted = np.array([convert(u) for u in uniques], dtype=object)
    merged, distinct = factorize(converted)  # two texts may convert to one
    distinct = np.asarray(distinct, dtype=object)
    new_codes = merged[codes]
    return distinct[new_codes], (new_codes, distinct)


def _vocabulary(base: Mapping[str, Iterable[str]], configured: Mapping[str, Iterable[str]]
                ) -> WordTable:
    """Return the sheet values of a vocabulary -> canonical name, keyed as :func:`_canonical`
    looks them up, with the configured glob patterns tried when no value matches.

    A configured value of signs only ("✓", "—", "?") has no normalized text: it is keyed by
    its own text, and a blank cell stays '' whatever the configuration.
    """
    table = lookup(base, configured)
    table.update({value.strip(): name for name, values in configured.items() for value in values
                  if not normalize(value)})
    table.pop("", None)
    return table


def _canonical(coded: Categories, table: dict[str, str]) -> tuple[np.ndarray, Categories]:
    """Read each distinct text once: a value of ``table``, else the one meaning of the glob
    patterns that match it (none, or several meanings: '', unknown)."""
    if isinstance(table, WordTable) and table.patterns:
        return _recode(coded, table.read)
    return _recode(coded, lambda text: table.get(normalize(text) or text.strip(), ""))


def _derive_keys(frame: pd.DataFrame) -> None:
    """Give rows of an ID-less calendar a key from client, channel, date and caption start."""
    words = frame["caption"].str.split().str[:4].str.join(" ").fillna("")
    day = pd.Series(frame["publish_at"]).dt.strftime("%Y-%m-%d").fillna("?")
    frame["post_id"] = (frame["client"] + "/" + frame["channel_raw"].str.strip() + "/" + day
                        + "/" + words).to_numpy(dtype=object)



def to_client_time(calendar: Calendar, config: CalendarConfig, sheet_timezone: str = "") -> None:
    """Move timed dates from the zone the sheet is written in to each client's, in place.

    A sheet's times are wall-clock times in the zone its header names ("Time (UTC)",
    "time_wib"), else the spreadsheet's own zone (Google's), else the calendar's
    ``timezone``; rules work in each client's local time. Date-only cells stay on their day.
    A time the clocks pass twice is taken as the earlier instant, one they skip is moved on
    by the gap (02:30 -> 03:30); each says so (``time-ambiguous``, ``time-nonexistent``), as
    a zone taken from a header does (``zone-from-header``). Where a field's times change,
    the times as written stay in ``<field>_wall`` (:func:`sheets_sync.zones.written_times`
    shows them).
    """
    frame = calendar.frame
    setting = zone_of_setting(sheet_timezone or config.timezone)
    messages = Messages(config.language)
    builder = FindingsBuilder(frame)
    # Each row's client's zone, as a number into ``zones``: worked once per client.
    keys, clients = calendar.categorized("client")
    theirs = [config.for_client(c).timezone for c in clients.tolist()]
    zones = sorted(set(theirs))
    row_zone = np.array([zones.index(z) for z in theirs], dtype=np.intp)[keys]
    hinted: dict[str, Zone] = {}
    noted = False
    for name in DATE_FIELDS:
        source = next((f for f in ((("publish_time",) if name == "publish_at" else ()) + (name,))
                       if f in calendar.hints and calendar.hints[f].zone), None)
        zone = calendar.hints[source].zone if source else None
        if source and zone:
            hinted[source] = zone
        calendar.written[name] = zone or setting
        noted |= _move_field(calendar, name, zone or setting, (zones, row_zone), builder,
                             messages)
    for name, zone in hinted.items():
        variant = ("" if zone.name == setting.name
                   else ":spreadsheet" if sheet_timezone else ":calendar")
        builder.calendar_level("zone-from-header", name, calendar.header_row, messages.text(
            "zone-from-header" + variant, header=calendar.header(name), zone=zone.describe(),
            setting=setting.name))
    if noted or hinted:
        calendar.findings = concat([calendar.findings, builder.frame()])


def _move_field(calendar: Calendar, name: str, zone: Zone,
                clients: tuple[list[str], np.ndarray], builder: FindingsBuilder,
                messages: Messages) -> bool:
    """Move the timed cells of field ``name`` from ``zone`` to each client's; ``clients``
    are the zones and, per row, the number of its client's. Returns whether it reported
    a time the clocks pass twice or skip."""
    frame = calendar.frame
    wall = frame[name].to_numpy(dtype="datetime64[ns]")
    timed = frame[timed_column(name)].to_numpy(dtype=bool) & ~np.isnat(wall)
    if not timed.any():
        return False
    zones, row_zone = clients
    elsewhere = np.array([there != zone.name for there in zones], dtype=bool)[row_zone]
    # Rows whose wall time may be ambiguous or missing, and rows of clients elsewhere.
    need = timed & (elsewhere | transition_days(zone.tz, wall))
    if not need.any():
        return False
    rows = np.flatnonzero(need)
    utc, kind = wall_to_utc(wall[rows], zone.tz)
    moved = wall.copy()
    theirs = row_zone[rows]
    for number in np.unique(theirs).tolist():
        mine = theirs == number
        moved[rows[mine]] = utc_to_wall(utc[mine], zones[number])
    if not np.array_equal(moved, wall):
        frame[f"{name}_wall"] = wall
        frame[name] = moved
    header = calendar.header(name)
    if kind.any():  # which rows' written time the clocks pass twice or skip (WALL_*)
        clock_change = np.zeros(len(frame), dtype=np.int8)
        clock_change[rows] = kind
        frame[f"{name}_clock_change"] = clock_change
    for code, which in (("time-ambiguous", WALL_AMBIGUOUS), ("time-nonexistent", WALL_NONEXISTENT)):
        odd = kind == which
        if odd.any():
            mask = np.zeros(len(frame), dtype=bool)
            mask[rows[odd]] = True
            builder.add(code, mask, name, messages.render(
                code, header=header, when=messages.when(wall[rows[odd]]), zone=zone.describe(),
                utc=pd.Series(utc[odd]).dt.strftime("%H:%M").tolist(),
                shifted=pd.Series(utc_to_wall(utc[odd], zone.tz)).dt.strftime("%H:%M").tolist()))
    return bool(kind.any())
