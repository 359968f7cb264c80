"""Findings as one DataFrame: how rules add them, and how they become Finding values.

Columns: ``code``, ``severity`` (int, see :class:`Severity`), ``row`` (sheet row, 0 for
calendar-level findings), ``post_id``, ``column`` (a canonical field), ``client``,
``message``, ``publish_at`` (for ordering; NaT when none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sheets_sync.codes import CODES
from sheets_sync.model import Finding, Severity

COLUMNS = ("code", "severity", "row", "post_id", "column", "client", "message", "publish_at")


def empty() -> pd.DataFrame:
    """Return a findings frame with no rows and the right column types."""
    return pd.DataFrame(
        {
            "code": pd.Series([], dtype=object),
            "severity": pd.Series([], dtype="int64"),
            "row": pd.Series([], dtype="int64"),
            "post_id": pd.Series([], dtype=object),
            "column": pd.Series([], dtype=object),
            "client": pd.Series([], dtype=object),
            "message": pd.Series([], dtype=object),
            "publish_at": pd.Series([], dtype="datetime64[ns]"),
        }
    )


# The columns of the calendar frame a finding about a row takes, as the types it keeps.
_FROM_ROWS: tuple[tuple[str, Any], ...] = (("row", "int64"), ("post_id", object),
                                           ("client", object), ("publish_at", "datetime64[ns]"))


class FindingsBuilder:
    """Collects findings about rows of one calendar frame."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        # Per add: the values of each of COLUMNS (a text for all where the finding's code and
        # column are one), made one frame only at the end.
        self._parts: list[tuple[Any, ...]] = []
        self._singles: list[tuple[Any, ...]] = []

    def add(self, code: str, mask: Any, column: str, messages: Sequence[str] | str,
            severity: Any = None) -> None:
        """Add a finding ``code`` on every row selected by ``mask`` (bool array or index).

        ``messages`` is one text or one per selected row; ``severity`` defaults to the code's
        and may be one value per selected row.
        """
        # Only the four columns a finding takes, not every column of the selected rows; the
        # rows found once for the four.
        frame = self._frame
        if isinstance(mask, np.ndarray) and mask.dtype == bool and len(mask) == len(frame):
            at = np.flatnonzero(mask)
            values = [frame[name].to_numpy(dtype=dtype).take(at) for name, dtype in _FROM_ROWS]
        elif isinstance(mask, np.ndarray):
            values = [frame[name].to_numpy(dtype=dtype)[mask] for name, dtype in _FROM_ROWS]
        else:
            rows = frame.loc[mask, [name for name, _ in _FROM_ROWS]]
            values = [rows[name].to_numpy(dtype=dtype) for name, dtype in _FROM_ROWS]
        count = len(values[0])
        if count == 0:
            return
        if severity is None:
            severity = int(CODES[code].severity)
        row, post_id, client, publish_at = values
        self._parts.append((code, np.broadcast_to(np.asarray(severity, dtype="int64"), count),
                            row, post_id, column, client, _as_list(messages, count), publish_at))

    def calendar_level(self, code: str, column: str, row: int | None, message: str,
                       client: str = "", when: Any = None, severity: Severity | None = None
                       ) -> None:
        """Add one finding about the calendar as a whole (``row`` None or the header row)."""
        level = int(severity if severity is not None else CODES[code].severity)
        self._singles.append((code, level, row or 0, "", column, client, message, when))

    def frame(self) -> pd.DataFrame:
        """Return every finding added so far as one frame."""
        parts = [_part_columns(part) for part in self._parts]
        if self._singles:
            columns = list(zip(*self._singles))
            parts.append({name: np.array(values, dtype=dtype)
                          for name, values, dtype in zip(COLUMNS, columns, _DTYPES)})
        if not parts:
            return empty()
        if len(parts) > 1 and any(_all_missing(part[name]) for part in parts
                                  for name in ("post_id", "client")):
            # Text columns take their type from their values: a part without any text there
            # is not text, and the whole is then objects, as frames joined one by one are.
            return concat([pd.DataFrame({name: _column(part[name], len(part["row"]))
                                         for name in COLUMNS}) for part in parts])
        counts = [len(part["row"]) for part in parts]
        return pd.DataFrame({name: _joined([part[name] for part in parts], counts)
                             for name in COLUMNS})


_DTYPES: tuple[Any, ...] = (object, "int64", "int64", object, object, object, object,
                           "datetime64[ns]")


def _part_columns(part: tuple[Any, ...]) -> dict[str, Any]:
    """One add's findings per column of :data:`COLUMNS`: an array, a list of texts, or one
    text for all."""
    return dict(zip(COLUMNS, part))


def _column(values: Any, count: int) -> np.ndarray:
    """``values`` (see :func:`_part_columns`) as an array of ``count`` values."""
    if isinstance(values, str):
        return np.full(count, values, dtype=object)
    if isinstance(values, list):
        out = np.empty(count, dtype=object)
        out[:] = values
        return out
    return values


def _joined(columns: list[Any], counts: list[int]) -> np.ndarray:
    """The values of one column of several parts, as one array."""
    if any(isinstance(values, (str, list)) for values in columns):  # texts: objects
        out = np.empty(sum(counts), dtype=object)
        start = 0
        for values, count in zip(columns, counts):
            out[start:start + count] = values  # one text for all, or one each
            start += count
        return out
    return np.concatenate(columns)


def _all_missing(values: np.ndarray) -> bool:
    """Whether an object column holds no value at all (its first value is the usual answer)."""
    if not len(values) or isinstance(values[0], str):
        return False
    return values.dtype == object and bool(pd.isna(values).all())


def concat(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate findings frames (an empty frame when there are none)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty()
    return pd.concat(parts, ignore_index=True)


def _as_list(messages: Sequence[str] | str, count: int) -> list[str]:
    if isinstance(messages, str):
        return [messages] * count
    out = list(messages)
    if len(out) != count:
        raise ValueError(f"{len(out)} messages for {count} findings")
    return out


def to_findings(frame: pd.DataFrame) -> list[Finding]:
    """Return the findings of ``frame`` as :class:`Finding` values, in frame order."""
    levels = {int(s): s for s in Severity}
    return [
        Finding(code=code, severity=levels[sev], row=row or None, post_id=pid,
                column=col, message=msg, client=client)
        for code, sev, row, pid, col, msg, client in zip(
            *(frame[name].tolist() for name in ("code", "severity", "row", "post_id", "column",
                                                 "message", "client")))
    ]


# The fields of a finding in an audit's output (JSON, CSV, table), in order.
OUTPUT_FIELDS = ("severity", "code", "row", "post_id", "column", "header", "client", "message")


def output_columns(frame: pd.DataFrame, headers: Mapping[str, str]) -> dict[str, list[Any]]:
    """Return the findings of ``frame`` as the output's fields, one list per field (see
    :data:`OUTPUT_FIELDS`), in frame order: the severity's label, the sheet row (None for a
    finding about the calendar as a whole) and the header of the finding's column in
    ``headers`` ("" when it has none), with the frame's own columns.

    Labels and headers are looked up once per distinct value, not finding by finding."""
    labels = {int(s): s.label for s in Severity}
    column = frame["column"].tolist()
    levels = frame["severity"].to_numpy()
    found = np.unique(levels).tolist()
    label = np.array([labels[level] for level in found], dtype=object)[
        np.searchsorted(found, levels)] if len(levels) else np.zeros(0, dtype=object)
    rows = frame["row"].to_numpy()
    row: np.ndarray = rows.astype(object)
    row[rows == 0] = None
    named = {name: headers.get(name, "") for name in set(column)}
    return {
        "severity": label.tolist(),
        "code": frame["code"].tolist(),
        "row": row.tolist(),
        "post_id": frame["post_id"].tolist(),
        "column": column,
        "header": list(map(named.__getitem__, column)),
        "client": frame["client"].tolist(),
        "message": frame["message"].tolist(),
    }


class _HasFindings(Protocol):
    @property
    def findings(self) -> pd.DataFrame: ...


def findings_of(source: pd.DataFrame | _HasFindings) -> list[Finding]:
    """Return the findings of an audit or sync result (or of a findings frame) as
    :class:`Finding` values, most severe first."""
    return to_findings(source if isinstance(source, pd.DataFrame) else source.findings)
