"""Audit results as a terminal table, JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import textwrap
from collections.abc import Sequence
from typing import Any

from sheets_sync.audit import AuditResult
from sheets_sync.cells import column_letter, normalize_grid
from sheets_sync.findings import to_findings
from sheets_sync.messages import field_name, plural
from sheets_sync.model import Severity
from sheets_sync.parse import Calendar

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# C0 controls, DEL and C1 controls: whatever starts, ends or is an escape sequence.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def terminal_text(text: str, keep: str = "") -> str:
    """Return ``text`` safe to show on a terminal: each control character (C0, DEL, C1) is
    shown as ``\\xNN`` instead, except those in ``keep`` (newline and tab where the text's
    layout needs them).

    A cell can hold escape sequences that set the window title, clear the screen or write
    the clipboard (OSC 52); with ESC, BEL and the C1 controls shown as text, what is left of
    a sequence is plain text, and the reader sees what the cell holds.
    """
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda found: found[0] if found[0] in keep
                         else f"\\x{ord(found[0]):02x}", text)


def records(result: AuditResult) -> list[dict[str, Any]]:
    """Return one plain dict per finding, in the audit's order."""
    headers = result.calendar.headers
    return [
        {
            "severity": f.severity.label,
            "code": f.code,
            "row": f.row,
            "post_id": f.post_id,
            "column": f.column,
            "header": headers.get(f.column, ""),
            "client": f.client,
            "message": f.message,
        }
        for f in to_findings(result.findings)
    ]


def summary(result: AuditResult) -> dict[str, int]:
    """Return the number of findings per severity label (every label present)."""
    counts = result.findings["severity"].value_counts().to_dict()
    return {s.label: int(counts.get(int(s), 0)) for s in sorted(Severity, reverse=True)}


HISTORY_FINDINGS = "history findings (changed-after-approval, revision rounds observed)"


def history_record(result: AuditResult) -> dict[str, Any]:
    """Return whether the audit read the last sync's state: ``available``, the ``database``,
    and the ``last_sync`` it ran as of (in the calendar's zone), or the ``reason`` it did not."""
    history = result.history
    record: dict[str, Any] = {"available": history.available, "database": history.database or None}
    if history.last_sync is not None:
        record["last_sync"] = history.last_sync.astimezone(result.now.tzinfo).isoformat(
            timespec="minutes")
    if not history.available:
        record["reason"] = history.reason
    return record


def history_note(result: AuditResult) -> str:
    """Return the sentence on sync history that ends the table's summary line ('' when the
    audit was told to skip it)."""
    history = result.history
    if history.state == "read" and history.last_sync is not None:
        when = history.last_sync.astimezone(result.now.tzinfo).strftime("%Y-%m-%d %H:%M %Z")
        return (f"Sync history: compared with the last sync (as of {when}) saved in "
                f"{history.database}.")
    if history.state == "none":
        return (f"No sync history for this calendar ({history.reason}): {HISTORY_FINDINGS} "
                "need a previous sync.")
    if history.state == "unreadable":
        return f"Sync history not read: {history.reason}. The {HISTORY_FINDINGS} are left out."
    return ""


def to_json(result: AuditResult) -> str:
    """Return the audit as a JSON document (findings, a summary, the sync history read, and
    the column map under ``columns``)."""
    used = result.calendar.columns_used
    document = {
        "calendar": result.config.name,
        "source": result.source,
        "as_of": result.now.isoformat(timespec="minutes"),
        "posts": len(result.calendar.frame),
        "history": history_record(result),
        "summary": summary(result),
        "findings": records(result),
        "columns": used.as_dict() if used is not None else None,
    }
    text = json.dumps(document, ensure_ascii=False, indent=2)
    # json escapes C0 controls itself; DEL and C1 too, as \\u escapes (the same JSON data)
    return re.sub("[\x7f-\x9f]", lambda found: f"\\u{ord(found[0]):04x}", text) + "\n"


def neutralise(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet: text that would start a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(result: AuditResult) -> str:
    """Return the findings as CSV; cells that a spreadsheet would run as formulas are quoted."""
    out = io.StringIO()
    fields = ["severity", "code", "row", "post_id", "column", "header", "client", "message"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records(result):
        writer.writerow({k: neutralise(v) for k, v in record.items()})
    return out.getvalue()


def to_table(result: AuditResult, width: int | None = None) -> str:
    """Return a readable table for a terminal, with a closing summary line that also says
    whether the last sync's history was compared (:func:`history_note`)."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    # Escaped before measuring, so the columns line up; a message's or header's line breaks
    # and tabs are kept for the wrapping below, which makes them spaces.
    rows = [{k: terminal_text(v, "\n\t" if k in ("message", "header") else "")
             if isinstance(v, str) else v for k, v in record.items()}
            for record in records(result)]
    lines = []
    if rows:
        cols = ("severity", "code", "row", "post_id")
        sizes = {c: max(len(c), *(len(_cell(r[c])) for r in rows)) for c in cols}
        sizes["post_id"] = min(sizes["post_id"], 24)
        head = "  ".join(c.upper().replace("_", " ").ljust(sizes[c]) for c in cols) + "  MESSAGE"
        lines.append(head)
        indent = sum(sizes.values()) + 2 * len(cols)
        room = max(width - indent, 30)
        for r in rows:
            left = "  ".join(_cell(r[c])[: sizes[c]].ljust(sizes[c]) for c in cols)
            label = r["header"] or field_name(r["column"], result.config.language)
            where = f"[{label}] " if label and not r["message"].startswith(label) else ""
            wrapped = textwrap.wrap(where + " ".join(r["message"].split()), room) or [""]
            lines.append(f"{left}  {wrapped[0]}")
            lines.extend(" " * indent + more for more in wrapped[1:])
    counts = summary(result)
    total = sum(counts.values())
    parts = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
    posts = len(result.calendar.frame)
    # The closing line also says once whether the last sync's history was compared: a
    # table row is always a finding, and the last line always the summary.
    history = history_note(result)
    lines.append(
        f"{terminal_text(result.source)}: {posts} {plural(posts, 'post|posts')}, "
        + (f"{total} {plural(total, 'finding|findings')} ({parts})" if total else "no findings")
        + f" as of {result.now.strftime('%Y-%m-%d %H:%M %Z')}"
        + (f". {terminal_text(history)}" if history else "")
    )
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


HEADER_WIDTH = 28  # characters of a header shown in the column map; longer ones are cut


def column_table(calendar: Calendar) -> str:
    """Return the column map of ``calendar`` as a table: field, header, column, why.

    Fields come in field order, then the headers read as nothing (ignored, then unmapped).
    """
    used = calendar.columns_used
    if used is None:
        return "(no column map: the calendar was not read from a header row)\n"
    lines = [(u.field, u.header, u.column, u.why) for u in used.fields]
    lines += [("(ignored)", u.header, u.column, u.why) for u in used.ignored]
    lines += [("(none)", u.header, u.column, u.why) for u in used.unmapped]
    shown = [(name, _clip(" ".join(terminal_text(header).split())) or "-", column or "-", why)
             for name, header, column, why in lines]
    heads = ("FIELD", "HEADER", "COLUMN")
    sizes = [max(len(head), *(len(line[i]) for line in shown)) for i, head in enumerate(heads)]
    out = [f"Columns read from header row {used.header_row}:",
           "  ".join(h.ljust(n) for h, n in zip(heads, sizes)) + "  WHY"]
    out += ["  ".join(cell.ljust(n) for cell, n in zip(line[:3], sizes)) + "  " + line[3]
            for line in shown]
    return "\n".join(out) + "\n\n"


def _clip(text: str) -> str:
    return text if len(text) <= HEADER_WIDTH else text[:HEADER_WIDTH - 1] + "…"



def cell_changes(tab: str, old: Sequence[Sequence[Any]] | None, new: Sequence[Sequence[Any]],
                 limit: int = 200) -> list[str]:
    """Return ``Tab!A1: old -> new`` lines for the cells a write would change (at most
    ``limit`` lines, then a count of the rest)."""
    before, after = normalize_grid(old), normalize_grid(new)
    lines: list[str] = []
    hidden = 0
    for r in range(max(len(before), len(after))):
        a = before[r] if r < len(before) else ()
        b = after[r] if r < len(after) else ()
        for c in range(max(len(a), len(b))):
            if (a[c] if c < len(a) else None) == (b[c] if c < len(b) else None):
                continue
            if len(lines) >= limit:
                hidden += 1
                continue
            shown_old = _cell_at(old, r, c)
            shown_new = _cell_at(new, r, c)
            lines.append(f"{tab}!{column_letter(c)}{r + 1}: {_show(shown_old)} -> "
                         f"{_show(shown_new)}")
    if hidden:
        lines.append(f"{tab}: … and {hidden} more cell {plural(hidden, 'change|changes')}")
    return lines


def _cell_at(grid: Sequence[Sequence[Any]] | None, r: int, c: int) -> Any:
    if grid is None or r >= len(grid) or c >= len(grid[r]):
        return None
    value = grid[r][c]
    return None if value == "" else value


def _show(value: Any) -> str:
    if value is None:
        return "(blank)"
    text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)
    text = " ".join(text.split()) if isinstance(value, str) else text
    return repr(text[:80] + ("…" if len(text) > 80 else "")) if isinstance(value, str) else text
