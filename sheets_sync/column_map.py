"""Which header of a calendar was read as which field, and why (``--explain-columns``).

Parse proposes a field for each header (the configuration first, then the built-in aliases)
and then lets the values decide for a few aliases; :func:`explain` puts both steps into words,
once per column, after the fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sheets_sync.cells import column_letter
from sheets_sync.config import CalendarConfig
from sheets_sync.model import FIELDS
from sheets_sync.vocab import HEADER_ALIASES, NOT_FIELD_HEADERS, normalize

# The built-in aliases whose values parse checks: the field a column of other values is read
# as instead (None: nothing), and what such a column holds.
VALUES_HELD: dict[str, tuple[str | None, str]] = {
    "format": ("pillar", "categories, not formats"),
    "asset": (None, "text that is not a link (a call to action)"),
    "feedback_due": ("owner", "names, not dates"),
}


# Each built-in alias, folded, and its field; headers of no field, folded.
_ALIAS_FIELD: dict[str, str] = {}
for _field, _aliases in HEADER_ALIASES.items():
    for _alias in _aliases:
        _ALIAS_FIELD.setdefault(normalize(_alias), _field)
_NOT_FIELDS = frozenset(normalize(h) for h in NOT_FIELD_HEADERS)

# What the tool does for a field the calendar has no column for.
_WITHOUT = {
    "post_id": ": each post is known by client, channel, date and caption",
    "client": ": every post is client {client} (the calendar's client)",
    "publish_time": ": a publish date with no time is taken at {time} (default_publish_time)",
}


@dataclass(frozen=True)
class ColumnUse:
    """One line of the column map: a field and its column, or a header read as no field.

    ``field`` is '' for a header read as nothing; ``header`` and ``column`` (the letter) are
    '' for a field the calendar has no column for.
    """

    field: str
    header: str
    column: str
    why: str

    def as_dict(self) -> dict[str, str | None]:
        """The line as JSON data; a missing header or column is None."""
        return {"field": self.field or None, "header": self.header or None,
                "column": self.column or None, "why": self.why}


@dataclass(frozen=True)
class ColumnMap:
    """The columns an audit read: every field (in field order), then the headers it read as
    nothing, split into those ``ignore_headers`` names and the others (unmapped)."""

    header_row: int
    fields: tuple[ColumnUse, ...]
    ignored: tuple[ColumnUse, ...]
    unmapped: tuple[ColumnUse, ...]

    def field(self, name: str) -> ColumnUse:
        """Return the line of field ``name``; raises KeyError for a name that is no field."""
        for use in self.fields:
            if use.field == name:
                return use
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        """The map as JSON data."""
        return {"header_row": self.header_row,
                "fields": [u.as_dict() for u in self.fields],
                "ignored": [u.as_dict() for u in self.ignored],
                "unmapped": [u.as_dict() for u in self.unmapped]}


def explain(header_cells: Sequence[Any], proposed: Mapping[str, int], decided: Mapping[str, int],
            duplicates: Sequence[tuple[str, int, int]], config: CalendarConfig, header_row: int
            ) -> ColumnMap:
    """Return the column map of a header row.

    ``proposed`` is field -> column index as the headers matched, ``decided`` the same after
    the values had their say, ``duplicates`` the (field, kept, ignored) columns of a field
    matched twice.
    """
    def text(index: int) -> str:
        value = header_cells[index] if index < len(header_cells) else None
        return "" if value is None else str(value).strip()

    by_index = {index: name for name, index in decided.items()}
    moved = {index: name for name, index in proposed.items() if decided.get(name) != index}
    fields = tuple(_field_use(name, proposed, decided, moved, config, text) for name in FIELDS)
    ignored_names = {normalize(h) for h in config.ignore_headers}
    dropped = {ignored: (name, kept) for name, kept, ignored in duplicates}
    ignored: list[ColumnUse] = []
    unmapped: list[ColumnUse] = []
    for index in range(len(header_cells)):
        header = text(index)
        if index in by_index or not header:
            continue
        name = normalize(header)
        if name in ignored_names:
            ignored.append(ColumnUse("", header, column_letter(index), "ignore_headers"))
            continue
        if index in moved:
            why = _values_why(moved[index], header, None, decided, text)
        elif index in dropped:
            twin, kept = dropped[index]
            why = (f"a second column for {twin}: '{text(kept)}' ({column_letter(kept)}) "
                   "is read")
        else:
            why = _unmapped_why(name, config)
        unmapped.append(ColumnUse("", header, column_letter(index), why))
    return ColumnMap(header_row, fields, tuple(ignored), tuple(unmapped))


def _field_use(name: str, proposed: Mapping[str, int], decided: Mapping[str, int],
               moved: Mapping[int, str], config: CalendarConfig, text: Any) -> ColumnUse:
    index = decided.get(name)
    if index is None:
        if name in proposed:  # the values took its column away
            became = next((f for f, i in decided.items() if i == proposed[name]), None)
            why = "not found: " + _values_why(name, text(proposed[name]), became, decided, text)
        elif name in config.assume:
            why = f"assumed: {name} = {config.assume[name]} (no column)"
        elif name in config.columns and not config.columns[name]:
            why = f"not found: built-in aliases switched off ({config.columns_origin} " \
                  f"{name} = [])"
        else:
            why = "not found" + _WITHOUT.get(name, "").format(
                client=config.client or config.name, time=config.default_publish_time)
        return ColumnUse(name, "", "", why)
    header = text(index)
    if name in config.columns:  # only configured headers can give a configured field
        why = _configured_why(name, header, config)
    elif index in moved:
        why = _values_why(moved[index], header, name, decided, text)
    else:
        alias = next((a for a in HEADER_ALIASES[name] if normalize(a) == normalize(header)),
                     header)
        why = f"built-in alias '{alias}'"
    if name in config.assume:
        why += f"; assume {name} = {config.assume[name]} is not used, the column is read"
    return ColumnUse(name, header, column_letter(index), why)


def _configured_why(name: str, header: str, config: CalendarConfig) -> str:
    if config.columns_origin == "--column":
        given = next((h for h in config.columns[name] if normalize(h) == normalize(header)),
                     header)
        return f'--column {name}="{given}"'
    return f"configured in {config.columns_origin}"


def _values_why(source: str, header: str, target: str | None, decided: Mapping[str, int],
                text: Any) -> str:
    """Why the values moved column ``header`` from field ``source`` to ``target`` (or None)."""
    instead, held = VALUES_HELD.get(source, (None, f"no {source} values"))
    said = f"values decided: '{header}' holds {held}"
    if target is not None:
        return f"{said}, read as {target} instead of {source}"
    if instead is not None and instead in decided:
        return (f"{said}, read as nothing instead of {source} ({instead} is read from "
                f"'{text(decided[instead])}')")
    return f"{said}, read as nothing instead of {source}"


def _unmapped_why(name: str, config: CalendarConfig) -> str:
    """Why a header no field was read from is read as nothing."""
    if name in _NOT_FIELDS:
        return "known header, no field: read as nothing"
    field = _ALIAS_FIELD.get(name)
    if field is not None and field in config.columns:
        if config.columns[field]:
            return f"built-in alias of {field}, but {config.columns_origin} gives its header"
        return f"built-in alias of {field}, switched off ({config.columns_origin} {field} = [])"
    return "unmapped: no field has this header"
