"""Audit results as a terminal table, JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import json
import operator
import re
import shutil
import textwrap
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sheets_sync.model import Severity
from sheets_sync.wording import field_name, plural

if TYPE_CHECKING:  # the command line imports this module; pandas only when rendering
    import numpy as np

    from sheets_sync.audit import AuditResult
    from sheets_sync.parse import Calendar

# The fields of a finding in the output, in order (findings.OUTPUT_FIELDS, which imports
# pandas; tests/test_speed_output.py checks that the two agree).
OUTPUT_FIELDS = ("severity", "code", "row", "post_id", "column", "header", "client", "message")

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
    controls = _controls(keep)
    if not controls.search(text):
        return text
    return controls.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


@functools.lru_cache(maxsize=8)
def _controls(keep: str) -> re.Pattern[str]:
    """The control characters but those in ``keep``, as one character class."""
    if not keep:
        return _CONTROLS
    return re.compile("[" + "".join(re.escape(chr(code)) for code in
                                    (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in keep)
                      + "]")


def records(result: AuditResult) -> list[dict[str, Any]]:
    """Return one plain dict per finding, in the audit's order."""
    columns = _columns(result)
    return [dict(zip(OUTPUT_FIELDS, values)) for values in zip(*columns.values())]


def _columns(result: AuditResult) -> dict[str, list[Any]]:
    from sheets_sync.findings import output_columns

    return output_columns(result.findings, result.calendar.headers)


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


JSON_CHUNK = 10_000  # findings encoded at a time (their dicts live only that long)
# DEL and the C1 controls, as UTF-8: JSON allows them raw, a terminal would act on them.
_RAW_C1 = re.compile(b"\x7f|\xc2[\x80-\x9f]")


def to_json(result: AuditResult, indent: bool = True) -> bytes:
    """Return the audit as a UTF-8 JSON document: :func:`json_parts` joined."""
    return b"".join(json_parts(result, indent))


def json_parts(result: AuditResult, indent: bool = True) -> Iterator[bytes]:
    """Yield the audit as a UTF-8 JSON document (findings, a summary, the sync history
    read, and the column map under ``columns``), indented by two spaces or, with ``indent``
    False, compact and in parts: the findings :data:`JSON_CHUNK` at a time, encoded straight
    from the columns.

    Control characters are escaped (C0 as JSON does; DEL and C1 as ``\\u`` escapes too: the
    same data), so the document is safe to show on a terminal.
    """
    import orjson

    used = result.calendar.columns_used
    document: dict[str, Any] = {
        "calendar": result.config.name,
        "source": result.source,
        "as_of": result.now.isoformat(timespec="minutes"),
        "posts": len(result.calendar.frame),
        "history": history_record(result),
        "summary": summary(result),
        "findings": [],  # filled in below
        "columns": used.as_dict() if used is not None else None,
    }
    if indent:
        document["findings"] = records(result)
        yield _escaped(_json(document, orjson.OPT_INDENT_2)) + b"\n"
        return
    # The first '"findings":[]' is the key's: a string value's quotes are escaped.
    head, tail = _json(document, 0).split(b'"findings":[]', 1)
    yield _escaped(head) + b'"findings":['
    columns = list(_columns(result).values())
    for start in range(0, len(result.findings), JSON_CHUNK):
        try:
            objects = _json_objects([c[start:start + JSON_CHUNK] for c in columns])
        except orjson.JSONEncodeError:  # a lone surrogate: the chunk as _json writes it
            chunk = [dict(zip(OUTPUT_FIELDS, values))
                     for values in zip(*(c[start:start + JSON_CHUNK] for c in columns))]
            objects = _json(chunk, 0)[1:-1]
        yield (b"," if start else b"") + _escaped(objects)
    yield b"]" + _escaped(tail) + b"\n"


def _json_objects(columns: list[list[Any]]) -> bytes:
    """The findings of ``columns`` (one list per output field) as compact JSON objects joined
    by commas: the bytes orjson writes for a list of dicts (without its brackets), with no
    dict made per finding. Raises orjson.JSONEncodeError on text that is not valid Unicode.

    Each column is encoded in one go where that can be split again safely (see
    :func:`_json_column`), and keys, values and ends are joined at once.
    """
    count = len(columns[0]) if columns else 0
    if not count:
        return b""
    width = 2 * len(columns) + 1  # a key and a value per field, then the object's end
    pieces: list[bytes] = [b""] * (width * count)
    quoted = False  # whether the value before is text whose closing quote is still due
    for i, (name, values) in enumerate(zip(OUTPUT_FIELDS, columns)):
        encoded, text = _json_column(values)
        key = (b'"' if quoted else b"") + (b'{"' if i == 0 else b',"') + name.encode() + b'":'
        pieces[2 * i::width] = [key + (b'"' if text else b"")] * count
        pieces[2 * i + 1::width] = encoded
        quoted = text
    pieces[width - 1::width] = [(b'"' if quoted else b"") + b"},"] * count
    pieces[-1] = pieces[-1][:-1]  # no comma after the last object
    return b"".join(pieces)


def _json_column(values: list[Any]) -> tuple[list[bytes], bool]:
    """Each of ``values`` in JSON as orjson writes it, and whether they are all text given
    without their quotes.

    A column of few texts is encoded once per text; a column of many is encoded as one
    list and split at the '","' between its texts, which is safe when the list holds no
    backslash: every quote, backslash and control character in a text is escaped with one,
    so no text holds a quote, and each '","' is the end of one text and the start of the
    next (as many of them as values less one: every value is text). Numbers, flags and
    nulls are split at their commas. Anything else is encoded value by value (each call
    writes a buffer of its own: slower).
    """
    import orjson

    head = values[:2000]
    try:
        few = len(set(head)) * 2 <= len(head)  # statuses, codes, clients: few texts
    except TypeError:  # a value that cannot be hashed
        few = False
    if few:
        texts = set(values)
        if set(map(type, texts)) == {str}:
            encoded = {text: orjson.dumps(text)[1:-1] for text in texts}
            return list(map(encoded.__getitem__, values)), True
    whole = orjson.dumps(values)
    if whole.startswith(b'["') and whole.endswith(b'"]') and b"\\" not in whole:
        pieces = whole[2:-2].split(b'","')
        if len(pieces) == len(values):
            return pieces, True
    inner = whole[1:-1]
    if not any(mark in inner for mark in (b'"', b"[", b"{")):  # numbers, flags, nulls
        return inner.split(b","), False
    return list(map(orjson.dumps, values)), False


def _escaped(text: bytes) -> bytes:
    # Looking for the two lead bytes is much quicker than the pattern's search; most
    # documents have neither.
    if (b"\x7f" not in text and b"\xc2" not in text) or not _RAW_C1.search(text):
        return text
    return _RAW_C1.sub(lambda found: b"\\u%04x" % ord(found[0].decode()), text)


def _json(value: Any, option: int) -> bytes:
    """``value`` as JSON; text that is not valid Unicode (a lone surrogate a spreadsheet
    answered with) is written as ``\\u`` escapes instead of failing."""
    import orjson

    try:
        return orjson.dumps(value, option=option)
    except orjson.JSONEncodeError:
        return json.dumps(value, indent=2 if option else None,
                          separators=None if option else (",", ":")).encode("ascii")


_FIRST_CHARACTER = operator.itemgetter(slice(0, 1))  # '' for an empty text


def neutralise(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet: text that would start a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _neutralised(values: list[Any]) -> list[Any]:
    """:func:`neutralise` of each of ``values``; the column as it is when no text in it
    starts like a formula (looked at in C when every value is text)."""
    try:
        if set(map(_FIRST_CHARACTER, values)).isdisjoint(FORMULA_PREFIXES):
            return values
    except TypeError:  # None or a number among them
        pass
    return [neutralise(value) for value in values]


def to_csv(result: AuditResult) -> str:
    """Return the findings as CSV: :func:`csv_parts` joined."""
    return "".join(csv_parts(result))


CSV_CHUNK = 10_000  # findings written at a time


def csv_parts(result: AuditResult) -> Iterator[str]:
    """Yield the findings as CSV, a header line and then :data:`CSV_CHUNK` findings at a
    time; cells that a spreadsheet would run as formulas are quoted."""
    columns = _columns(result)
    # (Codes and field names are the tool's own words: none starts like a formula.)
    for name in ("post_id", "header", "client", "message"):
        columns[name] = _neutralised(columns[name])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def written_rows() -> str:  # what the csv module wrote since the last call
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(OUTPUT_FIELDS)
    yield written_rows()
    values = list(columns.values())
    special = _csv_special()
    for start in range(0, len(result.findings), CSV_CHUNK):
        chunk = [c[start:start + CSV_CHUNK] for c in values]
        fields = [_csv_fields(c, special) for c in chunk] if special is not None else [None]
        written = [column for column in fields if column is not None]
        if len(written) == len(fields):
            yield _csv_lines(written)
            continue
        writer.writerows(zip(*chunk))
        yield written_rows()


# A column as written: its cells' texts (a quoted cell's inner quotes doubled) and which cells
# are quoted (None when none is). The quotes around a cell are laid down with the commas.
Written = tuple[list[str], "np.ndarray | None"]


def _csv_lines(fields: list[Written]) -> str:
    """Rows of the written ``fields`` (one per column), each ended by a line break: the cells
    and the commas between them laid side by side in one list, joined once.

    The quotes around a quoted cell go into the separators beside it (the comma or line
    break after the cell before, the one after the cell), so a cell's text is never copied
    only to be quoted; a quoted cell of the first column is quoted in place.
    """
    width, count = len(fields), len(fields[0][0])
    cells = [","] * (2 * width * count)
    quoted: list[np.ndarray | None] = []
    for index, (column, mask) in enumerate(fields):
        if index == 0 and mask is not None:
            column = [f'"{text}"' if quote else text
                      for text, quote in zip(column, mask.tolist())]
            mask = None
        cells[2 * index::2 * width] = column
        quoted.append(mask)
    for index in range(width):
        # The separator after column ``index``: a closing quote of this cell, the comma or
        # the line break, an opening quote of the next cell.
        end = "\n" if index == width - 1 else ","
        closing = quoted[index]
        opening = quoted[index + 1] if index < width - 1 else None
        if closing is None and opening is None:
            if end != ",":
                cells[2 * index + 1::2 * width] = [end] * count
            continue
        import numpy as np  # loaded with the findings already

        kind = np.zeros(count, dtype=np.intp)
        if closing is not None:
            kind += 2 * closing
        if opening is not None:
            kind += opening
        cells[2 * index + 1::2 * width] = np.array(
            [end, end + '"', '"' + end, '"' + end + '"'], dtype=object)[kind].tolist()
    return "".join(cells)


# The csv module writes a text cell as it is unless it holds the delimiter, the quote or a line
# break; then it quotes it, doubling its quotes. Rows of findings are written that way
# straight from the columns, several times faster; :func:`_csv_special` checks on a probe row
# that this Python's csv module writes exactly so (else the csv module writes every row).
_CSV_PROBE = ["", "a,b", 'a"b', "a\nb", " a ", None, 7, "x\x00y", "\u201cq\u201d", "=1", 'q"']


@functools.cache
def _csv_special() -> re.Pattern[str] | None:
    """The characters that make the csv module quote a cell (whether a carriage return does
    depends on the Python version), or None when it writes the probe rows differently."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["a\rb"])
    special = re.compile('[,"\n\r]' if out.getvalue() != "a\rb\n" else '[,"\n]')
    # The probe as one row, and again with each value in the first column in turn.
    rows = [_CSV_PROBE, *([value, "x"] for value in _CSV_PROBE)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    ours = []
    for row in rows:
        fields = [_csv_fields([value], special) for value in row]
        written = [column for column in fields if column is not None]
        if len(written) != len(fields):
            return None
        ours.append(_csv_lines(written))
    return special if out.getvalue() == "".join(ours) else None


def _csv_fields(values: list[Any], special: re.Pattern[str]) -> Written | None:
    """Each of ``values`` as the csv module writes it in a row of several cells (text, None
    as nothing, a whole number), with which are quoted; None for a column holding anything
    else."""
    import numpy as np  # loaded with the findings already

    try:
        joined = "".join(values)
    except TypeError:  # None or numbers among them
        if set(map(type, values)) <= {int, type(None)}:  # sheet rows: written in C
            texts = list(map(str, values))
            return list(map(_NOTHING.get, texts, texts)), None  # "None" is None's alone
        out: list[str] = []
        quote: list[bool] = []
        for value in values:
            if value is None:
                out.append("")
            elif type(value) is int:
                out.append(str(value))
            elif isinstance(value, str):
                special_text = special.search(value) is not None
                out.append(value.replace('"', '""') if special_text else value)
                quote.append(special_text)
                continue
            else:
                return None
            quote.append(False)
        return out, (np.array(quote, dtype=bool) if any(quote) else None)
    if not special.search(joined):
        return values, None
    # The texts to quote are found in C, not one by one in Python: each special character
    # looked for in the texts not yet found to hold one.
    fields = np.empty(len(values), dtype=object)
    fields[:] = values
    quoted = np.zeros(len(values), dtype=bool)
    for char in special.pattern[1:-1]:  # the class's characters: , " and line breaks
        if char not in joined:
            continue
        rest = np.flatnonzero(~quoted)
        if not len(rest):
            break
        quoted[rest] = np.fromiter(map(operator.contains, fields[rest].tolist(),
                                       itertools.repeat(char)), bool, len(rest))
    if '"' in joined:
        picked = fields[quoted].tolist()
        fields[quoted] = list(map(str.replace, picked, itertools.repeat('"'),
                                  itertools.repeat('""')))
        return fields.tolist(), quoted
    return values, quoted


_NOTHING = {"None": ""}  # a missing value's cell is empty


TABLE_LIMIT = 50  # findings of each severity a terminal shows unless --limit says otherwise


def to_table(result: AuditResult, width: int | None = None, limit: int = 0) -> str:
    """Return a readable table for a terminal, with a closing summary line that also says
    whether the last sync's history was compared (:func:`history_note`).

    ``limit`` (0: no limit) shows only the first that many findings of each severity, each
    severity's hidden ones counted in a line after its last shown one.
    """
    width = width or shutil.get_terminal_size((120, 24)).columns
    columns = _columns(result)
    levels = columns["severity"]
    shown = list(range(len(levels)))
    hidden: dict[int, tuple[str, int]] = {}  # after this row index: severity, how many
    if limit:
        shown, seen, last = [], dict.fromkeys(levels, 0), {}
        for index, level in enumerate(levels):
            seen[level] += 1
            if seen[level] <= limit:
                shown.append(index)
                last[level] = index
        hidden = {last[level]: (level, count - limit) for level, count in seen.items()
                  if count > limit}
    # Escaped before measuring, so the columns line up; a message's or header's line breaks
    # and tabs are kept for the wrapping below, which makes them spaces.
    shown_columns = {name: _shown_column(name, columns[name]) for name in OUTPUT_FIELDS}
    if limit:
        shown_columns = {name: [values[index] for index in shown]
                         for name, values in shown_columns.items()}
    lines = []
    if shown:
        cols = ("severity", "code", "row", "post_id")
        cells = {c: _cells(shown_columns[c]) for c in cols}
        sizes = {c: max(len(c), max(map(len, cells[c]))) for c in cols}
        sizes["post_id"] = min(sizes["post_id"], 24)
        head = "  ".join(c.upper().replace("_", " ").ljust(sizes[c]) for c in cols) + "  MESSAGE"
        lines.append(head)
        indent = sum(sizes.values()) + 2 * len(cols)
        room = max(width - indent, 30)
        # The left columns of every row at once; each distinct message (with the header it
        # is about) laid out once, its continuation lines after it in the same text.
        lefts = list(map("  ".join, zip(*(_padded(cells[c], sizes[c]) for c in cols))))
        language = result.config.language
        labels: dict[tuple[Any, Any], tuple[str, bool]] = {}
        laid_out: dict[tuple[Any, Any, Any], str] = {}
        margin = "\n" + " " * indent
        keys = list(zip(shown_columns["header"], shown_columns["column"],
                        shown_columns["message"]))
        for key in dict.fromkeys(keys):
            header, column, message = key
            found = labels.get((header, column))
            if found is None:
                label = header or field_name(column, language)
                found = labels[(header, column)] = (label, _spaced(label))
            label, spaced = found
            where = f"[{label}] " if label and not message.startswith(label) else ""
            words = " ".join(message.split())
            text = where + words
            # Single-spaced when the message alone is, or the label is and words follow.
            spaced = not where or (spaced and bool(words))
            wrapped = (_wrap(text, room, spaced) if len(text) > room else [text]) or [""]
            laid_out[key] = "  " + margin.join(wrapped)
        texts = list(map(operator.add, lefts, map(laid_out.__getitem__, keys)))
        if not hidden:
            lines.extend(texts)
        else:
            for index, text in zip(shown, texts):
                lines.append(text)
                if index in hidden:
                    level, more = hidden[index]
                    lines.append(f"… {more} more {level} {plural(more, 'finding|findings')} "
                                 "not shown (--limit 0 shows all)")
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


def _shown_column(name: str, values: list[Any]) -> list[Any]:
    """:func:`_shown` of each of ``values``; the column as it is when no text in it holds a
    control character (the usual case, found with one search)."""
    try:
        joined = "".join(values)
    except TypeError:  # numbers or None among them
        if set(map(type, values)) <= {int, type(None)}:  # sheet rows: shown as they are
            return values
        return [_shown(name, value) for value in values]
    # No control character is printable: a printable column (the usual) has none, found
    # quicker than by the search.
    if joined.isprintable() or not _controls(
            "\n\t" if name in ("message", "header") else "").search(joined):
        return values
    return [_shown(name, value) for value in values]


# textwrap breaks a word after a hyphen only between letters ("e-mail") and around "--". The
# hyphen is looked for first (a quick scan for one character), then the letters either side.
_HYPHEN_BREAK = re.compile(r"-(?<=[^\d\W]-)(?=[^\d\W])")


def _wrap(text: str, width: int, spaced: bool = False) -> list[str]:
    """``textwrap.wrap(text, width)``, worked out directly for the usual message: words
    single-spaced (``spaced``: known to be), none longer than ``width``, no hyphen textwrap
    would break at. Each line ends at the last space that leaves it no longer than ``width``.
    """
    if not text or "--" in text or (not spaced and " ".join(text.split()) != text) \
            or _HYPHEN_BREAK.search(text):
        return textwrap.wrap(text, width)
    lines = []
    rest = text
    while len(rest) > width:
        cut = rest.rfind(" ", 0, width + 1)
        if cut <= 0:  # a word longer than a line: textwrap breaks it
            return textwrap.wrap(text, width)
        lines.append(rest[:cut])
        rest = rest[cut + 1:]
    lines.append(rest)
    return lines


def _spaced(label: str) -> bool:
    """Whether ``"[label] "`` followed by single-spaced words is single-spaced too."""
    return " ".join(label.split()) == label


def _cells(values: list[Any]) -> list[str]:
    """:func:`_cell` of each of ``values`` (text as it is; whole numbers and None in C)."""
    try:
        "".join(values)
        return [*values]
    except TypeError:
        pass
    if set(map(type, values)) <= {int, type(None)}:
        texts = list(map(str, values))
        return list(map(_NOTHING.get, texts, texts))
    return [_cell(value) for value in values]


def _padded(cells: list[str], size: int) -> list[str]:
    """Each of ``cells`` cut to ``size`` characters and filled out to them with spaces."""
    if len(set(cells)) * 2 <= len(cells):  # severities, codes: once per distinct text
        padded = {cell: cell[:size].ljust(size) for cell in set(cells)}
        return list(map(padded.__getitem__, cells))
    cut: Iterator[str] = map(operator.getitem, cells, itertools.repeat(slice(0, size)))
    return list(map(str.ljust, cut, itertools.repeat(size)))


def _shown(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return terminal_text(value, "\n\t" if name in ("message", "header") else "")


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
    from sheets_sync.cells import column_letter, normalize_grid

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
