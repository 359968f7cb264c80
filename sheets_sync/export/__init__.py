"""Hand approved posts to a scheduler: the calendar's cleared posts in the scheduler's own
import format (Hootsuite, Buffer, Later, Meta Business Suite, Postiz, or this tool's CSV).

Terminology: an *export* reads one calendar as an audit does (the sheet, compared with the
last sync when there is one), keeps the posts of a *window* of publish times that are
approved on evidence and unchanged since (see :mod:`.select`), checks them against the
scheduler's own rules and writes its *files* (see :mod:`.formats`: one per social profile
where the importer wants that). Every other post of the window is *left out*, with its
reasons. Nothing in the calendar changes, unless ``mark_exported`` is configured (see
:mod:`.mark`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheets_sync.audit import SKIPPED, SyncHistory, as_of, read_calendar
from sheets_sync.cells import Cell
from sheets_sync.config import CalendarConfig
from sheets_sync.errors import UsageError
from sheets_sync.export.formats import FORMATS, ExportFile, Format, Options
from sheets_sync.export.select import FROM_NOW, ExportPost, LeftOut, Window, select
from sheets_sync.history import Observed
from sheets_sync.parse import Calendar
from sheets_sync.wording import plural

NOT_READ = SyncHistory("skipped", reason="the sync state was not read (--no-history)")

__all__ = ["FORMATS", "ExportFile", "ExportPost", "ExportResult", "LeftOut", "Window",
           "export", "parse_window", "plan", "write_files"]


@dataclass
class ExportResult:
    """What an export produced: the files, the posts in them, the posts of the window left
    out (with reasons), what it assumed (``notices``) and the sync history it compared with.

    ``rows`` and ``tab`` are the calendar's cells as read, for the guarded status write.
    """

    config: CalendarConfig
    format: Format
    now: dt.datetime
    window: Window
    calendar: Calendar
    files: list[ExportFile]
    posts: list[ExportPost]
    left_out: list[LeftOut]
    notices: list[str]
    history: SyncHistory = SKIPPED
    source: str = ""
    tab: str = ""
    rows: Sequence[Sequence[Cell]] = ()
    paths: list[str | None] = field(default_factory=list)  # where each file went (None: stdout)
    marked: list[str] = field(default_factory=list)
    not_marked: list[str] = field(default_factory=list)


def parse_window(start: str | None, end: str | None) -> Window:
    """Return the window of ``--from`` and ``--until`` (YYYY-MM-DD, or YYYY-MM-DDTHH:MM;
    ``--until`` a date alone takes that whole day). Raises UsageError naming the option."""
    first = _moment("--from", start) if start else None
    last = _moment("--until", end) if end else None
    if last is not None and end is not None and len(end.strip()) == 10:
        last += dt.timedelta(days=1, microseconds=-1)
    if first is not None and last is not None and last < first:
        raise UsageError(f"--until {end} is before --from {start}; give an end after the start")
    return Window(first, last)


def _moment(option: str, text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a date; write it as YYYY-MM-DD "
                         "(optionally THH:MM)") from None
    if moment.tzinfo is not None:
        raise UsageError(f"{option}: {text!r} carries a time zone; give the date as the "
                         "calendar's clients read it (their own time zone applies)")
    return moment


def export(config: CalendarConfig, to: str, now: dt.datetime | None = None,
           window: Window = FROM_NOW, *, history: bool = True, state_path: str = "",
           accounts: Mapping[str, str] | None = None) -> ExportResult:
    """Export the calendar of ``config`` in format ``to`` (a key of :data:`FORMATS`) as of
    ``now`` (aware; default: the current time in the calendar's zone).

    With ``history`` the calendar is compared with the last sync saved at ``state_path``
    (default: where a sync keeps it), read only, as :func:`sheets_sync.audit.audit` does;
    without it changed-after-approval cannot be checked and a notice says so. ``accounts``
    maps channels to the scheduler's account IDs (Postiz integrations). Nothing is written:
    see :func:`write_files` and :func:`sheets_sync.export.mark.mark_exported`.

    Raises UsageError (unknown format, missing file, the memory backend), CalendarError or
    SourceError as an audit does.
    """
    if to not in FORMATS:
        raise UsageError(f"unknown export format {to!r} (formats: {', '.join(FORMATS)})")
    now = now or as_of(None, config.timezone)
    sheet, calendar, observed, found = read_calendar(config, now, "export", history, state_path,
                                                     NOT_READ)
    result = plan(calendar, config, to, now, window, observed, found, accounts,
                  sheet.timezone)
    result.source, result.tab, result.rows = sheet.source, sheet.tab, sheet.rows
    return result


def plan(calendar: Calendar, config: CalendarConfig, to: str, now: dt.datetime,
         window: Window = FROM_NOW, observed: Observed | None = None,
         history: SyncHistory = SKIPPED, accounts: Mapping[str, str] | None = None,
         sheet_zone: str = "") -> ExportResult:
    """Return the export of a parsed ``calendar`` (pure: reads and writes nothing).

    ``observed`` is what earlier syncs saw (from :func:`sheets_sync.audit.read_history`),
    ``history`` what was read of them; the rest as :func:`export`.
    """
    fmt = FORMATS[to]
    selection = select(calendar, config, now, observed, window, fmt.supports, sheet_zone)
    clients = {p.client for p in selection.left_out} | {p.client for p in selection.posts}
    languages = {c: config.for_client(c).language for c in clients if c}
    for language in sorted(set(languages.values()) - {config.language}):
        # A client of its own language has its reasons in it, as its findings are.
        again = select(calendar, dataclasses.replace(config, language=language), now,
                       observed, window, fmt.supports, sheet_zone)
        selection.left_out = _worded_in(selection.left_out, again.left_out, {
            c for c, spoken in languages.items() if spoken == language})
    options = Options(now, config.date_order, dict(accounts or {}),
                      tuple(f for f in ("approved_at", "approved") if f in calendar.columns),
                      config.language, languages)
    posts, refused = fmt.check(selection.posts, options)
    files = fmt.write(posts, options) if posts or not fmt.per_profile else []
    left_out = sorted([*selection.left_out, *refused], key=lambda p: (p.row, p.channel))
    notices = [*_history_notice(history), *selection.notices,
               *_format_notices(fmt, files, config)]
    return ExportResult(config, fmt, now, window, calendar, files, posts, left_out, notices,
                        history)


def _worded_in(left_out: list[LeftOut], again: list[LeftOut], clients: set[str]
               ) -> list[LeftOut]:
    """``left_out`` with the reasons of ``clients``' posts taken from ``again``: the same
    posts left out for the same codes, worded in another language."""
    def codes(post: LeftOut) -> tuple[object, ...]:
        return post.row, post.channel, tuple(code for code, _ in post.reasons)

    if [codes(p) for p in again] != [codes(p) for p in left_out]:
        raise RuntimeError("the posts an export leaves out differ between two languages")
    return [dataclasses.replace(post, reasons=other.reasons) if post.client in clients else post
            for post, other in zip(left_out, again)]


def _history_notice(history: SyncHistory) -> list[str]:
    if history.available:
        return []
    return [f"changed-after-approval was not checked: {history.reason}; posts edited after "
            "their approval cannot be told apart until a sync has seen them"]


def _format_notices(fmt: Format, files: list[ExportFile], config: CalendarConfig) -> list[str]:
    notices = []
    touched = sorted({row for f in files for row in f.neutralised})
    if touched:
        notices.append(f"rows {', '.join(map(str, touched))}: a cell starting with = + - or @ "
                       "was written with a leading ' so that a spreadsheet does not run it; "
                       f"{fmt.title} keeps the ', so remove it there")
    posts = [p for f in files for p in f.posts]
    if fmt.caveat and posts:
        notices.append(fmt.caveat)
    zones = sorted({f"{p.zone} ({p.client})" for p in posts})
    if fmt.name == "hootsuite" and posts:
        shown = "MM/DD/YYYY" if config.date_order == "mdy" else "DD/MM/YYYY"
        notices.append(f"Hootsuite: upload each file to its social profile with the date "
                       f"format {shown} HH:MM; the times are wall-clock times of "
                       f"{', '.join(zones)}, which Hootsuite reads in your account's time "
                       "zone")
    if fmt.name == "later" and posts:
        notices.append(f"Later: the times are wall-clock times of {', '.join(zones)}")
    if fmt.name == "postiz" and any(p.asset for p in posts):
        notices.append("Postiz: upload each asset link to Postiz first (upload-from-url) and "
                       "put the id and path it returns into the post's image before sending "
                       "each body to POST /public/v1/posts")
    return notices


def output_paths(result: ExportResult, output: str | Path | None, several: bool = False
                 ) -> list[str | None]:
    """Where each file of ``result`` goes: ``output`` for the only file of a one-file format,
    else ``OUTPUT-STEM-<client>-<channel>[-N].csv`` beside it; None (standard output) when
    no ``output`` is given and there is one file, or ``several`` files may go there (JSON
    carries them). Raises UsageError when several files need an ``output``."""
    files = result.files
    if output is None:
        if len(files) > 1 and not several:
            raise UsageError(f"{result.format.title} takes one file per social profile, and "
                             f"this export makes {len(files)}: give -o FILE (they are written "
                             f"as FILE-<client>-<channel>{result.format.suffix})")
        return [None] * len(files)
    path = Path(output)
    if not result.format.per_profile:
        return [str(path)] * len(files)
    suffix = path.suffix or result.format.suffix
    return [str(path.with_name(f"{path.stem}-{f.part}{suffix}")) for f in files]


def write_files(result: ExportResult, output: str | Path | None, several: bool = False
                ) -> list[str | None]:
    """Write the files of ``result`` (UTF-8, no byte-order mark) where :func:`output_paths`
    says; return those places (None for standard output, which the caller writes)."""
    paths = output_paths(result, output, several)
    for place, file in zip(paths, result.files):
        if place is not None:
            try:
                Path(place).write_text(file.text, encoding="utf-8", newline="")
            except OSError as exc:
                raise UsageError(f"-o: cannot write {place} ({exc.strerror or exc})") from None
    result.paths = paths
    return paths


def as_dict(result: ExportResult) -> dict[str, Any]:
    """The export as plain data (``--format json``): files, exported and left-out posts with
    their reasons, notices, the sync history read and the statuses marked."""
    def when(local: dt.datetime | None) -> str | None:
        return local.strftime("%Y-%m-%d %H:%M") if local else None

    paths = result.paths or [None] * len(result.files)
    return {
        "calendar": result.config.name,
        "format": result.format.name,
        "as_of": result.now.isoformat(timespec="minutes"),
        "window": {"from": result.window.start.isoformat() if result.window.start else None,
                   "until": result.window.end.isoformat() if result.window.end else None},
        "history": {"available": result.history.available,
                    "database": result.history.database or None,
                    "reason": result.history.reason or None},
        "files": [{"path": place, "profile": f.profile or None, "posts": len(f.posts),
                   **({} if place is not None else {"content": f.text})}
                  for place, f in zip(paths, result.files)],
        "exported": [{"row": p.row, "post_id": p.post_id, "client": p.client,
                      "channel": p.channel, "publish_at": when(p.local), "time_zone": p.zone,
                      "utc": p.when.astimezone(dt.timezone.utc).isoformat()}
                     for p in sorted(result.posts, key=lambda p: (p.row, p.channel))],
        "left_out": [{"row": p.row, "post_id": p.post_id, "client": p.client,
                      "channel": p.channel or None, "publish_at": when(p.local),
                      "time_zone": p.zone,
                      "reasons": [{"code": c, "message": m} for c, m in p.reasons]}
                     for p in result.left_out],
        "notices": result.notices,
        "marked": result.marked,
        "not_marked": result.not_marked,
    }


def to_json(result: ExportResult) -> str:
    """:func:`as_dict` as a JSON document."""
    return json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n"


def summary(result: ExportResult) -> list[str]:
    """Lines for a person: what went where, each post left out with its reasons, notices."""
    lines = []
    paths = result.paths or [None] * len(result.files)
    for place, file in zip(paths, result.files):
        where = place or "standard output"
        profile = f" ({file.profile})" if file.profile else ""
        count = len(file.posts)
        lines.append(f"exported {count} {plural(count, 'post|posts')}{profile} to {where}")
    if not result.files:
        lines.append("exported nothing: no post of the window is cleared for "
                     f"{result.format.title}")
    if result.left_out:
        count = len(result.left_out)
        lines.append(f"left out {count} {plural(count, 'post|posts')} of the window:")
        lines += [f"  {p.describe()}" for p in result.left_out]
    lines += [f"note: {n}" for n in result.notices]
    lines += result.marked
    lines += result.not_marked
    return lines
