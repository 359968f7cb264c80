"""Rows of a calendar that are not posts.

A calendar holds rows that are no post: a "Week 3" or "JULY" label, a legend ("Pilier 1 :
Annonce" in the Notes column), a note on an otherwise empty row, the header repeated further
down, cells only in columns no field reads. They are left out of the frame (no rule sees them,
nothing is written into them) and listed in one info finding. Unless it repeats the header, a
row with a readable publish date or a caption is always a post.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig
from sheets_sync.model import DATE_FIELDS, NUMBER_FIELDS
from sheets_sync.parse_channels import channel_words
from sheets_sync.parse_times import date_not_set
from sheets_sync.values import Categories, parse_counts, parse_dates, parse_flags, parse_times
from sheets_sync.vocab import (
    VOCABULARIES,
    channel_parts,
    match_channel,
    normalize,
    vocabulary_table,
)


def not_posts(rows: Sequence[Sequence[Any]], header_index: int, columns: Mapping[str, int],
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
    filled = sum((~per_row(n, blank_text)).astype(np.intp) for n in ("channel", "status")
                 if n in texts)
    maybe = keep & (np.asarray(filled) <= 1)
    maybe[found.get("header", [])] = False
    if "caption" in texts:  # a post's caption is never a label's only cell
        candidates = np.flatnonzero(maybe)  # a few rows: captions are looked at only there
        maybe[candidates] = per_row("caption", blank_text, candidates)
    field_of = {index: name for name, index in columns.items()}
    for position in np.flatnonzero(maybe).tolist():
        index = header_index + 1 + position
        cells = rows[index] if index < len(rows) else []
        present = [j for j, value in enumerate(cells) if present_cell(value)]
        if len(present) == 1 and _label(cells[present[0]], field_of.get(present[0]), config):
            found.setdefault("label", []).append(position)
    return {why: np.array(positions, dtype=np.intp) for why, positions in found.items()}


def unread_only(rows: Sequence[Sequence[Any]], header_index: int, columns: Mapping[str, int],
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
        present = [j for j, value in enumerate(cells) if j not in mapped and present_cell(value)]
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
        return not date_not_set(value) and bool(parse_dates([value], config.date_order)[2][0])
    if name == "publish_time":
        return bool(parse_times([value])[1][0])
    if name in NUMBER_FIELDS:
        return bool(parse_counts([value])[1][0])
    if name == "approved":
        return bool(parse_flags([value])[1][0])
    if name == "channel":
        table, trailing = channel_words(config)
        return not (table.read(value) or any(
            match_channel(part, table, trailing) for part in channel_parts(value)))
    for vocabulary, base, table_name in VOCABULARIES:
        if name == vocabulary:
            return not vocabulary_table(base, getattr(config, table_name)).read(value)
    return True




def blank_text(text: str) -> bool:
    return not text or text.isspace()


def present_cell(value: Any) -> bool:
    """Whether one cell holds something: neither missing (None, NaN) nor only white space."""
    if isinstance(value, str):
        return not blank_text(value)
    return not (pd.api.types.is_scalar(value) and pd.isna(value))
