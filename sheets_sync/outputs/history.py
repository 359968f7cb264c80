"""The History tab: every observed change of a post, newest first, in the sheet's own words.

A field is named by the calendar's header for it, old and new values are shown as the sheet
wrote them, whole (a caption of several lines keeps its lines), and times in the calendar's
zone. An empty History says why it is empty.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from sheets_sync.cells import Cell, Grid
from sheets_sync.config import CalendarConfig
from sheets_sync.messages import field_name
from sheets_sync.model import STATES, HistoryEntry
from sheets_sync.outputs.convert import local
from sheets_sync.outputs.labels import HISTORY_COLUMNS, Labels

_STATES = frozenset(STATES)


def history_grid(entries: Sequence[HistoryEntry], config: CalendarConfig,
                 headers: dict[str, str] | None = None,
                 first_sync: dt.datetime | None = None) -> Grid:
    """Return the History tab: a header, then one row per entry, the newest first.

    ``headers`` maps a field to the calendar's header for it (a field without one is named in
    the calendar's language). A status saved by an earlier version, as its canonical state,
    is shown as that state's label. With no entries, ``first_sync`` (aware: when the first
    sync recorded the calendar) makes the row under the header say why History is empty.
    """
    label = Labels(config.language)
    grid: Grid = [list(HISTORY_COLUMNS.get(config.language, HISTORY_COLUMNS["en"]))]
    if not entries:
        if first_sync is not None:
            day = first_sync.astimezone(zoneinfo.ZoneInfo(config.timezone)).date()
            grid.append([label("history_empty").format(
                date=day.strftime("%d.%m.%Y" if config.language == "tr" else "%Y-%m-%d"))])
        return grid
    # Newest first; the entries of one sync keep their order (sorted is stable).
    for e in sorted(entries, key=lambda entry: entry.at, reverse=True):
        row: list[Cell] = [local(e.at, config.timezone), e.post_id,
                           *in_words(e, config.language, headers)]
        grid.append(row)
    return grid


def in_words(entry: HistoryEntry, language: str, headers: dict[str, str] | None = None
             ) -> tuple[str, str, str]:
    """Return an entry's field, old and new value as History shows them: the field by its
    header in ``headers`` (else in people's words), a status saved as a canonical state as
    that state's label, a yes/no cell as Yes/No, in ``language``."""
    label = Labels(language)
    old, new = entry.old, entry.new
    if entry.field == "status" and not entry.as_written:
        old, new = _state(old, label), _state(new, label)
    elif entry.field == "approved":
        old, new = _flag(old, label), _flag(new, label)
    name = (headers or {}).get(entry.field) or field_name(entry.field, language)
    return name, old, new


def _state(value: str, label: Labels) -> str:
    """A canonical state as its label; any other text as it is."""
    return label(value) if value in _STATES else value


def _flag(value: str, label: Labels) -> str:
    """A yes/no cell as the History log keeps it ('yes', 'no'), in the calendar's language."""
    return label(value) if value in ("yes", "no") else value
