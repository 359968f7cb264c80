"""The files each scheduler imports, written from the posts :mod:`.select` cleared.

Sources, and how far they reach (the importers' own help pages were searched for; where one
was not found, that is said, and the shape written is our best reading of the closest
documented one, never presented as the importer's own):

``hootsuite`` — Hootsuite's bulk composer. Its help page was not found. Third-party
    accounts of it agree: a CSV of at most 350 messages, each three values in this order
    (date and time, message, link), no header row, one file per social profile, the date
    format chosen at upload; times in the future by at least 10 minutes and ending in 0 or
    5, one message per time slot, no message twice
    (https://kim-iverson-headlee.blogspot.com/2016/08/the-business-of-writing-using-hootsuite.html,
    http://jycalcano.blogspot.com/2015/07/post-8-hootsuite-bulk-messaging.html,
    http://gussetbeard.com/bulk-update-algo/). Dates are written day first or month first
    as the calendar's ``date_order`` says, as wall-clock times of the client's zone.
``buffer`` — Buffer's CSV bulk upload page was not found. Buffer documents its API's posts
    (https://developers.buffer.com/guides/posts-and-scheduling.html,
    https://developers.buffer.com/examples/create-image-post.html): ``text``, ``dueAt`` in
    ISO 8601 UTC and an image URL, per channel. The CSV here (one file per channel, header
    ``text,dueAt,imageUrl``) uses those names: our best reading, not Buffer's template.
``later`` — no page describing a Later CSV import was found (its help pages describe
    scheduling in its calendar,
    https://help.later.com/hc/en-us/articles/360042773934-Schedule-a-Multi-Photo-Carousel-Post).
    One file per social profile with the header ``Date,Time,Caption,Media URL`` (the
    client's wall-clock time): our best reading only.
``meta`` — Meta Business Suite's bulk upload page was not found. Meta documents scheduled
    Page posts (https://developers.facebook.com/docs/pages-api/posts): ``message``,
    ``link`` and ``scheduled_publish_time`` (ISO 8601 with the UTC offset is one of the
    forms it takes). One file per Facebook or Instagram profile with those three columns:
    our best reading; other channels are left out.
``postiz`` — Postiz has no file import; its public API is documented
    (https://docs.postiz.com/public-api; creating a post, as the Postiz repository's
    documentation publishes it: https://www.mintlify.com/gitroomhq/postiz-app/api/posts/create-post;
    media: https://docs.postiz.com/public-api/uploads/upload-file; settings per provider:
    https://docs.postiz.com/public-api/providers/instagram). The file is a JSON array of
    request bodies for ``POST /public/v1/posts``, one per post: ``type`` schedule, ``date``
    in ISO 8601 UTC, ``shortLink`` false, ``tags`` [], and per channel the integration
    (``--account CHANNEL=ID``), the text and the provider settings Postiz requires
    (``__type``; Instagram's ``post_type``, X's ``who_can_reply_post``). Postiz takes
    media it stores: each asset link is written as an ``image`` ``path`` with an empty
    ``id``, to be uploaded (upload-from-url) before sending. Postiz refuses a text shorter
    than 6 characters (its request validation), and channels whose required settings the
    calendar does not hold (TikTok, YouTube, Pinterest) are left out.
``csv`` — this tool's own format, documented in the README: every field of each exported
    post, re-readable by ``sheets-sync audit``.

Text goes out exactly as in the sheet (line breaks, emoji, Turkish letters), UTF-8 without a
byte-order mark. A CSV cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return
gets a leading ``'`` (what spreadsheets read as "text follows"), so opening a file in a
spreadsheet cannot run it as a formula; the importers keep that ``'``, so the export names
the posts concerned. JSON is never run as a formula and is left as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from sheets_sync.export.select import ExportPost, LeftOut
from sheets_sync.export.words import Words
from sheets_sync.render import neutralise

HOOTSUITE_MAX_ROWS = 350  # messages per bulk composer file
HOOTSUITE_LEAD = dt.timedelta(minutes=10)  # a message must be at least this far ahead
POSTIZ_MIN_TEXT = 6  # characters: Postiz refuses a shorter post text
META_CHANNELS = frozenset({"facebook", "instagram"})
# Channels whose Postiz settings the export can fill: the provider's __type and the
# settings Postiz requires of it.
POSTIZ_SETTINGS: dict[str, Callable[[ExportPost], dict[str, object]]] = {
    "x": lambda post: {"__type": "x", "who_can_reply_post": "everyone"},
    "instagram": lambda post: {"__type": "instagram", "collaborators": [],
                               "post_type": "story" if post.format == "story" else "post"},
    "facebook": lambda post: {"__type": "facebook"},
    "linkedin": lambda post: {"__type": "linkedin"},
    "threads": lambda post: {"__type": "threads"},
}


@dataclass(frozen=True)
class Options:
    """What a format needs besides the posts: ``now`` (aware), the calendar's
    ``date_order``, the scheduler's account IDs by channel (``--account``) and the
    calendar's approval columns (fields, for ``csv``)."""

    now: dt.datetime
    date_order: str = "dmy"
    accounts: Mapping[str, str] = field(default_factory=dict)
    approval_columns: tuple[str, ...] = ("approved_at", "approved")
    language: str = "en"  # the words of the reasons a post is left out for
    languages: Mapping[str, str] = field(default_factory=dict)  # a client's own language

    def words(self, client: str) -> Words:
        """The words of the reasons a post of ``client`` is left out for."""
        return Words(self.languages.get(client, self.language))


@dataclass(frozen=True)
class ExportFile:
    """One file to hand to the scheduler.

    ``part`` names it among the files of one export ('' for the only file; else the
    client and channel, and the part number when a profile needs several files);
    ``profile`` says which social profile it is for ('' for every post).
    """

    part: str
    profile: str
    suffix: str
    text: str
    posts: tuple[ExportPost, ...]
    neutralised: tuple[int, ...] = ()  # sheet rows with a cell given a leading '


@dataclass(frozen=True)
class Format:
    """A scheduler's import: which channels it takes, its own rules, and its files."""

    name: str
    title: str
    suffix: str
    per_profile: bool
    # The key (in sheets_sync.export.words) of why the scheduler cannot take a channel, ''
    # when it can.
    supports: Callable[[str], str]
    check: Callable[[list[ExportPost], Options], tuple[list[ExportPost], list[LeftOut]]]
    write: Callable[[list[ExportPost], Options], list[ExportFile]]
    max_rows: int = 0  # posts per file (0: no limit)
    # Said with every export in this format whose layout no published description of the
    # importer backs: the user checks it against the importer's own template first.
    caveat: str = ""


def _every_channel(channel: str) -> str:
    return ""


def _no_check(posts: list[ExportPost], options: Options
              ) -> tuple[list[ExportPost], list[LeftOut]]:
    return posts, []


def _left(post: ExportPost, code: str, message: str) -> LeftOut:
    return LeftOut(post.row, post.post_id, post.client, post.channel, post.local, post.zone,
                   ((code, message),))


def slug(text: str) -> str:
    """``Kahve Durağı`` -> ``kahve-duragi``: a file-name part in plain letters."""
    folded = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("İ", "I"))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "calendar"


def _profiles(posts: list[ExportPost]) -> list[tuple[tuple[str, str], list[ExportPost]]]:
    """The posts per (client, channel), each profile's posts by publish time."""
    ordered = sorted(posts, key=lambda p: (p.client, p.channel, p.when, p.row))
    return [(key, list(group)) for key, group in
            groupby(ordered, key=lambda p: (p.client, p.channel))]


def _csv_text(header: Sequence[str] | None, rows: list[list[str]]) -> str:
    """CSV as RFC 4180 writes it (quoted where needed, CRLF between records), every cell
    that would start a formula neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def _per_profile(header: Sequence[str] | None, cells: Callable[[ExportPost, Options], list[str]],
                 limit: int = 0) -> Callable[[list[ExportPost], Options], list[ExportFile]]:
    """A writer of one CSV per social profile (and per ``limit`` posts, when it has one)."""

    def write(posts: list[ExportPost], options: Options) -> list[ExportFile]:
        files = []
        for (client, channel), group in _profiles(posts):
            chunks = [group[i:i + limit] for i in range(0, len(group), limit)] if limit \
                else [group]
            for number, chunk in enumerate(chunks, start=1):
                rows, touched = [], []
                for post in chunk:
                    row = cells(post, options)
                    rows.append(row)
                    if [neutralise(c) for c in row] != row:
                        touched.append(post.row)
                text = _csv_text(header, rows)
                part = f"{slug(client)}-{channel}" + (f"-{number}" if len(chunks) > 1 else "")
                files.append(ExportFile(part, f"{client} / {channel}", ".csv", text,
                                        tuple(chunk), tuple(touched)))
        return files

    return write


# --- Hootsuite -------------------------------------------------------------------------------

def _hootsuite_cells(post: ExportPost, options: Options) -> list[str]:
    pattern = "%m/%d/%Y %H:%M" if options.date_order == "mdy" else "%d/%m/%Y %H:%M"
    return [post.local.strftime(pattern), post.text, post.asset]


def _hootsuite_check(posts: list[ExportPost], options: Options
                     ) -> tuple[list[ExportPost], list[LeftOut]]:
    """The bulk composer's own rules, per social profile: a time ending in 0 or 5, at least
    ten minutes ahead, one message per time slot, no message twice."""
    kept: list[ExportPost] = []
    refused: list[LeftOut] = []
    for _, group in _profiles(posts):
        slots: dict[dt.datetime, ExportPost] = {}
        texts: dict[str, ExportPost] = {}
        for post in group:
            say = options.words(post.client)
            shown = post.local.strftime("%H:%M")
            if post.local.minute % 5:
                refused.append(_left(post, "time-not-on-5-minutes",
                                     say("hootsuite-minutes", time=shown)))
            elif post.when < options.now + HOOTSUITE_LEAD:
                refused.append(_left(post, "too-soon", say("hootsuite-soon", time=shown)))
            elif post.local in slots:
                refused.append(_left(post, "same-time",
                                     say("hootsuite-slot", row=slots[post.local].row)))
            elif post.text in texts:
                refused.append(_left(post, "duplicate-message",
                                     say("hootsuite-twice", row=texts[post.text].row)))
            else:
                slots[post.local] = post
                texts[post.text] = post
                kept.append(post)
    return kept, refused


# --- Buffer, Later, Meta ---------------------------------------------------------------------

def utc_text(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds and Z, as Buffer's and Postiz's examples write it."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _buffer_cells(post: ExportPost, options: Options) -> list[str]:
    return [post.text, utc_text(post.when), post.asset]


def _later_cells(post: ExportPost, options: Options) -> list[str]:
    return [post.local.strftime("%Y-%m-%d"), post.local.strftime("%H:%M"), post.text,
            post.asset]


def _meta_cells(post: ExportPost, options: Options) -> list[str]:
    return [post.text, post.asset, post.when.isoformat(timespec="seconds")]


def _meta_supports(channel: str) -> str:
    return "" if channel in META_CHANNELS else "meta-channel"


# --- Postiz ----------------------------------------------------------------------------------

def _postiz_supports(channel: str) -> str:
    return "" if channel in POSTIZ_SETTINGS else "postiz-channel"


def _postiz_check(posts: list[ExportPost], options: Options
                  ) -> tuple[list[ExportPost], list[LeftOut]]:
    kept: list[ExportPost] = []
    refused: list[LeftOut] = []
    for post in posts:
        say = options.words(post.client)
        if not options.accounts.get(post.channel):
            refused.append(_left(post, "no-account", say("postiz-account",
                                                         channel=post.channel)))
        elif len(post.text) < POSTIZ_MIN_TEXT:
            refused.append(_left(post, "text-too-short",
                                 say("postiz-short", count=POSTIZ_MIN_TEXT)))
        else:
            kept.append(post)
    return kept, refused


def _postiz_write(posts: list[ExportPost], options: Options) -> list[ExportFile]:
    """One request body per post (its channels together): Postiz schedules one date per
    request."""
    bodies = []
    ordered = sorted(posts, key=lambda p: (p.when, p.row, p.channel))
    for _, group in groupby(ordered, key=lambda p: (p.when, p.row)):
        items = list(group)
        bodies.append({
            "type": "schedule", "date": utc_text(items[0].when), "shortLink": False,
            "tags": [],
            "posts": [{
                "integration": {"id": options.accounts[post.channel]},
                "value": [{"content": post.text,
                           "image": [{"id": "", "path": post.asset}] if post.asset else []}],
                "settings": POSTIZ_SETTINGS[post.channel](post),
            } for post in items],
        })
    text = json.dumps(bodies, ensure_ascii=False, indent=2) + "\n"
    return [ExportFile("", "", ".json", text, tuple(ordered))]


# --- our own CSV -----------------------------------------------------------------------------

CSV_HEADER = ("ID", "Client", "Channel", "Format", "Pillar", "Publish date", "Time zone", "UTC",
              "Client time", "Client time zone", "Caption", "Hashtags", "Asset", "Status",
              "Approved by")
CSV_APPROVAL = {"approved_at": "Approved on", "approved": "Approved"}
CSV_LAST = ("Sheet row",)


def csv_header(options: Options) -> list[str]:
    """The header of the ``csv`` format: the approval columns are those the calendar has."""
    return [*CSV_HEADER, *(CSV_APPROVAL[f] for f in CSV_APPROVAL
                           if f in options.approval_columns), *CSV_LAST]


def _csv_write(posts: list[ExportPost], options: Options) -> list[ExportFile]:
    """One row per sheet row (a cell of several channels stays one row): the channel cell as
    the sheet writes it when every channel it names is exported, else the exported ones."""
    rows, touched = [], []
    ordered = sorted(posts, key=lambda p: p.row)  # stable: a cell's channels in its order
    for row_number, group in groupby(ordered, key=lambda p: p.row):
        items = list(group)
        post = items[0]
        channels = (post.channel_raw if len(items) == post.cell_channels
                    else " + ".join(p.channel for p in items))
        approval = {"approved_at": post.approved_at, "approved": post.approved}
        cells = [post.post_id, post.client, channels, post.format, post.pillar,
                 post.sheet_local.strftime("%Y-%m-%d %H:%M"), post.sheet_zone,
                 post.when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 post.local.strftime("%Y-%m-%d %H:%M"), post.zone, post.caption,
                 post.hashtags, post.asset, post.status_raw, post.approved_by,
                 *(approval[f] for f in CSV_APPROVAL if f in options.approval_columns),
                 str(row_number)]
        rows.append(cells)
        if [neutralise(c) for c in cells] != cells:
            touched.append(row_number)
    text = _csv_text(csv_header(options), rows)
    return [ExportFile("", "", ".csv", text, tuple(ordered), tuple(touched))]


_UNPUBLISHED = ("{importer}: no published description of its CSV upload could be consulted, "
                "so these columns are this tool's best reading ({names}), not {importer}'s "
                "template: compare them with the template {importer} offers for download "
                "before the first upload")

FORMATS: dict[str, Format] = {
    "hootsuite": Format("hootsuite", "Hootsuite bulk composer", ".csv", True, _every_channel,
                        _hootsuite_check, _per_profile(None, _hootsuite_cells,
                                                       HOOTSUITE_MAX_ROWS),
                        HOOTSUITE_MAX_ROWS),
    "buffer": Format("buffer", "Buffer", ".csv", True, _every_channel, _no_check,
                     _per_profile(("text", "dueAt", "imageUrl"), _buffer_cells),
                     caveat=_UNPUBLISHED.format(importer="Buffer", names="the names Buffer's "
                                                "API gives a post's fields")),
    "later": Format("later", "Later", ".csv", True, _every_channel, _no_check,
                    _per_profile(("Date", "Time", "Caption", "Media URL"), _later_cells),
                    caveat=_UNPUBLISHED.format(importer="Later", names="no name Later "
                                               "publishes")),
    "meta": Format("meta", "Meta Business Suite", ".csv", True, _meta_supports, _no_check,
                   _per_profile(("message", "link", "scheduled_publish_time"), _meta_cells),
                   caveat=_UNPUBLISHED.format(importer="Meta Business Suite",
                                              names="the names Meta's Pages API gives a "
                                              "scheduled post's fields")),
    "postiz": Format("postiz", "Postiz", ".json", False, _postiz_supports, _postiz_check,
                     _postiz_write),
    "csv": Format("csv", "sheets-sync CSV", ".csv", False, _every_channel, _no_check,
                  _csv_write),
}
