"""Raw grid -> typed calendar frame plus the findings that reading the cells produced.

The calendar frame has one row per post (every non-empty sheet row below the header, except
labels, legends and the header repeated: see :func:`sheets_sync.parse_rows.not_posts`) and
these columns:

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sheets_sync.cells import ColumnGrid, column_letter
from sheets_sync.column_map import ColumnMap, explain
from sheets_sync.config import CalendarConfig
from sheets_sync.errors import CalendarError
from sheets_sync.fastpaths import object_columns
from sheets_sync.findings import FindingsBuilder
from sheets_sync.messages import Messages, field_name, row_list
from sheets_sync.model import DATE_FIELDS, FIELDS, NUMBER_FIELDS, REQUIRED_COLUMNS
from sheets_sync.parse_channels import ChannelCell, channel_notices, several_channels
from sheets_sync.parse_rows import blank_text, not_posts, present_cell, unread_only
from sheets_sync.parse_times import (
    clock_texts,
    date_not_set,
    header_clock,
    read_publish_time,
    relative_dates,
    say_relative,
)
from sheets_sync.values import (
    Categories,
    as_column,
    canonical,
    categorize_text,
    categorize_texts,
    factorize,
    parse_counts,
    parse_dates,
    parse_flags,
    recode,
)
from sheets_sync.vocab import (
    FORMAT_VALUES,
    HEADER_ALIASES,
    VOCABULARIES,
    normalize,
    strip_invisible,
    vocabulary_table,
)
from sheets_sync.zones import HeaderHint, Zone, header_hint

HEADER_SCAN_ROWS = 10
_TEXT_FIELDS = tuple(f for f in FIELDS if f not in DATE_FIELDS and f not in NUMBER_FIELDS
                     and f not in ("approved", "publish_time"))



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
    skipped = not_posts(rows, header_index, columns, by_field, texts, keep, config)
    skipped.update(unread_only(rows, header_index, columns, keep, config, skipped))
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
                messages.text("rows-not-posts:group", rows=row_list(
                    messages, (positions + header_index + 2).tolist()),
                    why=messages.text(f"rows-not-posts:{why}"))
                for why, positions in skipped.items())))
    channel_cells = several_channels(frame, codes, config)
    if channel_cells:
        channel_notices(frame, codes, channel_cells, builder, messages)
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
    clock = header_clock(hints)
    if clock is not None:
        builder.calendar_level("time-from-header", clock[0], header_index + 1, messages.text(
            "time-from-header", clock=clock[1], header=headers[clock[0]]))
    has_id = "post_id" in columns
    if not has_id:
        _derive_keys(frame)
        notice = messages.text("no-id-column")
        same = frame["post_id"].duplicated(keep=False).to_numpy()
        if same.any():  # never silently unfollowed: named, so a person can tell them apart
            rows_text = messages.text("no-id-column:same", rows=row_list(
                messages, frame["row"].to_numpy()[same].tolist()))
            notice += " " + rows_text[:1].upper() + rows_text[1:]
        builder.calendar_level("no-id-column", "post_id", None, notice)
    used = explain(rows[header_index], proposed, columns, duplicates, config, header_index + 1)
    return Calendar(frame=frame, tab=tab, header_row=header_index + 1, headers=headers,
                    columns=columns, findings=builder.frame(), has_id_column=has_id,
                    categories=codes, columns_used=used, channel_cells=channel_cells,
                    hints=hints)



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
    formats = vocabulary_table(FORMAT_VALUES, config.formats)
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
            blank = np.fromiter(map(blank_text, uniques), bool, len(uniques))
            keep[todo] |= ~blank[codes[todo]]
            continue
        values = raw[name]
        subset = values if len(todo) == count else [values[i] for i in todo.tolist()]
        # Blankness is decided once per distinct value, not once per cell.
        try:
            codes, uniques = factorize(as_column(subset))
        except TypeError:  # unhashable cells cannot come from a sheet: decided cell by cell
            keep[todo] |= np.fromiter(map(present_cell, subset), bool, len(todo))
            continue
        blank = np.array([isinstance(u, str) and not u.strip() for u in uniques] + [True])
        keep[todo] |= ~blank[codes]
    return keep




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
    data["client"], coded["client"] = recode(
        coded.get("client") or categorize_texts(data["client"]),
        lambda name: name.strip() or default_client)
    invalid: dict[str, np.ndarray] = {}
    for name in DATE_FIELDS:
        stamps, has_time, bad = parse_dates(raw.get(name, empty), config.date_order)
        data[name] = stamps
        data[f"{name}_has_time"] = has_time
        data[f"{name}_invalid"] = bad
        invalid[name] = bad
    relative = relative_dates(raw, data, invalid, config.relative_to)
    # "TBC", "ASAP", "NEVER": a date deliberately not set yet, not a mistyped one.
    unset = np.zeros(n, dtype=bool)
    publish_cells = raw.get("publish_at", empty)
    for i in np.flatnonzero(invalid["publish_at"]).tolist():  # only the unreadable cells
        unset[i] = date_not_set(publish_cells[i])
    invalid["publish_at"] = data["publish_at_invalid"] = invalid["publish_at"] & ~unset
    data["publish_at_unset"] = unset
    if "publish_at" in relative:  # relative dates with no relative_to: not set yet either
        data["publish_at_unset"] = unset | relative["publish_at"].unplaced
    invalid["publish_time"], two_times = read_publish_time(data, raw.get("publish_time", empty),
                                                       headers, config)
    for name in NUMBER_FIELDS:
        data[name], invalid[name] = parse_counts(raw.get(name, empty))
    data["approved"], invalid["approved"] = parse_flags(raw.get("approved", empty))
    data["approved_invalid"] = invalid["approved"]
    for name, base, table in VOCABULARIES:
        data[f"{name}_raw"] = data[name]
        found = coded.get(name) or categorize_texts(data[name])
        coded[f"{name}_raw"] = found
        data[name], coded[name] = canonical(found, vocabulary_table(base, getattr(config, table)))
    # Text stays in object columns: pandas' own string dtype is several times slower to
    # compare, and rules compare status, channel and client columns often.
    frame = pd.DataFrame({name: pd.Series(values, dtype=object, copy=False)
                          if isinstance(values, np.ndarray) and values.dtype == object
                          else values for name, values in data.items()}, copy=False)
    builder = FindingsBuilder(frame)
    codes = {"publish_time": "invalid-time", "approved": "invalid-boolean",
             **dict.fromkeys(NUMBER_FIELDS, "invalid-number")}
    if two_times[0].any():
        builder.add("time-conflict", two_times[0], "publish_time", messages.render(
            "time-conflict", date_header=headers.get("publish_at", "publish_at"),
            time_header=headers.get("publish_time", "publish_time"),
            own=clock_texts(two_times[1]), time=clock_texts(two_times[2])))
    if unset.any():
        builder.add("date-not-set", unset, "publish_at", messages.render(
            "date-not-set", header=headers.get("publish_at", "publish_at"),
            value=pd.Series(raw["publish_at"], dtype=object)[unset].map(str).str.strip().tolist()))
    for name, kept in relative.items():
        say_relative(builder, messages, name, headers.get(name, name), kept, sheet_rows)
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


def _derive_keys(frame: pd.DataFrame) -> None:
    """Give rows of an ID-less calendar a key from client, channel, date and caption start."""
    words = frame["caption"].str.split().str[:4].str.join(" ").fillna("")
    day = pd.Series(frame["publish_at"]).dt.strftime("%Y-%m-%d").fillna("?")
    frame["post_id"] = (frame["client"] + "/" + frame["channel_raw"].str.strip() + "/" + day
                        + "/" + words).to_numpy(dtype=object)
