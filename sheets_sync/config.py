"""Configuration: one TOML file -> frozen dataclasses, every problem reported at once with its path.

Layout of the file (``config/example.toml`` documents every key)::

    state_path = "..."            # optional
    [defaults]                    # any calendar key; applies to every calendar
    [[calendars]]                 # one per calendar
    [calendars.rules.<family>]    # rule parameters
    [calendars.clients."Name"]    # per-client overrides of country, timezone and rules
    [calendars.clients."Name".contacts]  # who receives the client's reminders
    [notify]                      # how reminders and digests are sent (sheets-sync remind)
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import os
import re
import sys
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sheets_sync.codes import CODES
from sheets_sync.errors import ConfigError, UsageError
from sheets_sync.model import CHANNELS, FIELDS, FORMATS, STATES, Severity
from sheets_sync.schema import (
    Problems,
    build,
    join,
    non_negative,
    percent,
    positive,
    unknown_key,
)
from sheets_sync.vocab import (
    CHANNEL_VALUES,
    FORMAT_VALUES,
    STATUS_VALUES,
    globs,
    is_pattern,
    lookup,
)

DEFAULT_CAPTION_LIMITS: dict[str, int] = {
    "x": 280,
    "threads": 500,
    "pinterest": 500,
    "instagram": 2200,
    "tiktok": 2200,
    "linkedin": 3000,
    "youtube": 5000,
    "facebook": 63206,
}
DEFAULT_HASHTAG_LIMITS: dict[str, int] = {"instagram": 30}


def _meta(check: Any) -> dict[str, Any]:
    return {"check": check}


@dataclass(frozen=True)
class ApprovalRules:
    """Parameters of the approval rules."""

    lead_days: int = field(default=2, metadata=_meta(non_negative))
    urgent_hours: int = field(default=24, metadata=_meta(non_negative))
    approvers: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedbackRules:
    """Parameters of the client-feedback rules."""

    sla_days: int = field(default=2, metadata=_meta(positive))
    escalate_after_days: int = field(default=2, metadata=_meta(non_negative))
    escalation_contact: str = ""
    deemed_approved_after_days: int = field(default=0, metadata=_meta(non_negative))


@dataclass(frozen=True)
class RevisionRules:
    """Parameters of the revision-round rules."""

    included_rounds: int = field(default=2, metadata=_meta(non_negative))
    on_exceed: Literal["report", "hold"] = "report"


@dataclass(frozen=True)
class ContentRules:
    """Parameters of the per-row content rules."""

    caption_limits: dict[str, int] = field(default_factory=dict, metadata=_meta(positive))
    hashtag_limits: dict[str, int] = field(default_factory=dict, metadata=_meta(non_negative))
    duplicate_window_days: int = field(default=30, metadata=_meta(non_negative))
    stale_grace_hours: int = field(default=0, metadata=_meta(non_negative))


@dataclass(frozen=True)
class CadenceRules:
    """Parameters of the calendar-level cadence rules."""

    posts_per_week: dict[str, int] = field(default_factory=dict, metadata=_meta(non_negative))
    max_per_day: int = field(default=3, metadata=_meta(positive))
    gap_days: int = field(default=7, metadata=_meta(positive))
    horizon_days: int = field(default=28, metadata=_meta(positive))
    next_month_from_day: int = field(default=20, metadata=_meta(positive))
    next_month_ready_pct: float = field(default=80.0, metadata=_meta(percent))


@dataclass(frozen=True)
class PillarRules:
    """Content pillars and the target mix (percent of a client's posts per month)."""

    names: tuple[str, ...] = ()
    targets: dict[str, float] = field(default_factory=dict, metadata=_meta(percent))
    tolerance_pct: float = field(default=10.0, metadata=_meta(percent))
    min_posts: int = field(default=8, metadata=_meta(non_negative))


@dataclass(frozen=True)
class Rules:
    """Every rule parameter, plus per-code severity overrides (``"off"`` disables a code)."""

    levels: dict[str, str] = field(default_factory=dict)
    approvals: ApprovalRules = field(default_factory=ApprovalRules)
    feedback: FeedbackRules = field(default_factory=FeedbackRules)
    revisions: RevisionRules = field(default_factory=RevisionRules)
    content: ContentRules = field(default_factory=ContentRules)
    cadence: CadenceRules = field(default_factory=CadenceRules)
    pillars: PillarRules = field(default_factory=PillarRules)

    def level(self, code: str) -> Severity | None:
        """Return the severity ``code`` is reported at, or None when it is switched off."""
        text = self.levels.get(code)
        if text is None:
            return CODES[code].severity
        return None if text == "off" else Severity.parse(text)

    def caption_limit(self, channel: str) -> int | None:
        return {**DEFAULT_CAPTION_LIMITS, **self.content.caption_limits}.get(channel)

    def hashtag_limit(self, channel: str) -> int | None:
        return {**DEFAULT_HASHTAG_LIMITS, **self.content.hashtag_limits}.get(channel)


@dataclass(frozen=True)
class Contacts:
    """Who hears about a client's posts (e-mail addresses; ``sheets-sync remind``).

    ``approvers`` receive approval and feedback reminders, ``account_manager`` the morning
    digest, ``escalation`` escalated overdue feedback and revision rounds beyond the contract.
    """

    approvers: tuple[str, ...] = ()
    account_manager: str = ""
    escalation: str = ""


@dataclass(frozen=True)
class ClientSettings:
    """Per-client overrides: where the client is, its language, rule parameters that
    differ, contacts."""

    country: str = ""
    timezone: str = ""
    # The language of this client's findings ("en" or "tr"; "" = the calendar's).
    language: str = ""
    rules: dict[str, Any] = field(default_factory=dict)
    contacts: Contacts = field(default_factory=Contacts)


@dataclass(frozen=True)
class ClientConfig:
    """A client's effective settings after merging calendar defaults and overrides."""

    name: str
    country: str
    timezone: str
    rules: Rules
    contacts: Contacts = field(default_factory=Contacts)
    language: Literal["en", "tr"] = "en"  # of the client's findings


@dataclass(frozen=True)
class CalendarConfig:
    """One calendar: where it lives, how to read it, and the rules that apply."""

    name: str
    backend: Literal["xlsx", "csv", "google", "memory"] = "xlsx"
    path: str = ""
    spreadsheet: str = ""
    tab: str = ""
    header_row: int = field(default=0, metadata=_meta(non_negative))
    client: str = ""
    language: Literal["en", "tr"] = "en"
    timezone: str = "Europe/Istanbul"
    country: str = "TR"
    date_order: Literal["dmy", "mdy"] = "dmy"
    default_publish_time: str = "09:00"
    # The Monday of week T0 in a plan of relative dates (T-2_Mon, T0_Wed), as YYYY-MM-DD.
    relative_to: str = ""
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A constant for a field the sheet has no column for, e.g. {"channel": "tiktok"}.
    assume: dict[str, str] = field(default_factory=dict)
    # Headers read as no field at all, e.g. a "Link" column that holds a call to action.
    ignore_headers: tuple[str, ...] = ()
    # "YYYY-MM-DD": posts published before this day are left out of the time-based rules
    # (sheets_sync.rules.scope.TIME_BASED); "" leaves none out. --since overrides it.
    ignore_before: str = ""
    statuses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    channels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    credentials: str = ""
    api_endpoint: str = ""
    quota_per_minute: int = field(default=60, metadata=_meta(positive))
    status_tab: str = "Status"
    report_tab: str = "Report"
    history_tab: str = "History"
    assign_ids: bool = False
    # export: the status word written into the exported posts' rows ('' = leave them alone).
    mark_exported: str = ""
    # Print setup of the Status and Report tabs: "a4" or "letter", landscape.
    paper: Literal["a4", "letter"] = "a4"
    # Colour the calendar's rows that have open findings (by severity), values untouched.
    highlight_calendar: bool = False
    # How large a workbook may be read (see sheets_sync.backends.bounds); 5,000,000 cells
    # and 300 MB are DEFAULT_MAX_CELLS and DEFAULT_MAX_UNPACKED_MB there.
    max_cells: int = field(default=5_000_000, metadata=_meta(positive))
    max_unpacked_mb: int = field(default=300, metadata=_meta(positive))
    rules: Rules = field(default_factory=Rules)
    clients: dict[str, ClientSettings] = field(default_factory=dict)
    # Resolved per-client settings; filled by load, not read from the file.
    resolved: dict[str, ClientConfig] = field(default_factory=dict, metadata={"internal": True})
    base_dir: str = field(default="", metadata={"internal": True})
    # Where ``columns`` was given, as the column map says it (``--column`` on the command line).
    columns_origin: str = field(default="[calendars.columns]", metadata={"internal": True})
    # The configuration's [notify] (how reminders are sent), for the Report's reminder
    # tables; filled by load, not read from the calendar's table.
    notify: NotifyConfig | None = field(default=None, metadata={"internal": True})

    def ignore_before_day(self) -> dt.date | None:
        """Return ``ignore_before`` as a date (None when not set; load has checked it)."""
        return parse_day(self.ignore_before) if self.ignore_before else None

    def for_client(self, name: str) -> ClientConfig:
        """Return the effective settings for client ``name`` (calendar defaults if not listed)."""
        found = self.resolved.get(name)
        if found is None:
            return ClientConfig(name, self.country, self.timezone, self.rules,
                                language=self.language)
        return found

    def channel_names(self) -> tuple[str, ...]:
        """The built-in channels, then those the configuration adds ([calendars.channels])."""
        return CHANNELS + tuple(c for c in self.channels if c not in CHANNELS)

    def format_names(self) -> tuple[str, ...]:
        """The built-in formats, then those the configuration adds ([calendars.formats])."""
        return FORMATS + tuple(f for f in self.formats if f not in FORMATS)

    def owned_tabs(self) -> tuple[str, str, str]:
        """Return the names of the tabs the tool writes: Status, Report, History."""
        return (self.status_tab, self.report_tab, self.history_tab)

    def location(self) -> Path:
        """Return the calendar file's path, relative paths taken from the config's folder."""
        path = Path(self.path).expanduser()
        if not path.is_absolute():
            path = Path(os.path.normpath(Path(self.base_dir or ".") / path))
        return path


@dataclass(frozen=True)
class PortfolioConfig:
    """The agency's internal spreadsheet that receives the agency-wide report."""

    backend: Literal["xlsx", "google"] = "xlsx"
    path: str = ""
    spreadsheet: str = ""
    tab: str = "Portfolio"
    language: Literal["en", "tr"] = "en"  # of the tab's header
    credentials: str = ""
    api_endpoint: str = ""
    quota_per_minute: int = field(default=60, metadata=_meta(positive))
    base_dir: str = field(default="", metadata={"internal": True})

    def location(self) -> Path:
        path = Path(self.path).expanduser()
        return path if path.is_absolute() else Path(os.path.normpath(
            Path(self.base_dir or ".") / path))


@dataclass(frozen=True)
class SmtpConfig:
    """The mail server reminders go through; the password is read from ``password_env``."""

    host: str = ""
    port: int = field(default=587, metadata=_meta(positive))
    starttls: bool = True
    username: str = ""
    password_env: str = ""  # the name of an environment variable, never the password
    timeout_s: float = field(default=30.0, metadata=_meta(positive))
    ca_file: str = ""  # a private certificate authority for STARTTLS (default: the system's)


WEBHOOK_KINDS = ("slack", "teams", "google_chat", "json")


@dataclass(frozen=True)
class WebhookConfig:
    """A chat webhook; its URL (a secret) is read from the environment variable ``url_env``."""

    url_env: str = ""
    kind: Literal["slack", "teams", "google_chat", "json"] = "json"
    timeout_s: float = field(default=10.0, metadata=_meta(positive))


@dataclass(frozen=True)
class NotifyConfig:
    """How reminders and digests are sent (``[notify]``; see ``sheets-sync remind``)."""

    sender: str = ""
    smtp: SmtpConfig | None = None
    digest_time: str = "09:00"  # the account manager's digest, in each client's local time
    quiet_weekends: bool = True  # nothing on the client's weekends and public holidays
    retries: int = field(default=2, metadata=_meta(non_negative))  # after a failed attempt
    # Read by hand (the schema has no lists of tables or of numbers).
    webhooks: tuple[WebhookConfig, ...] = field(default=(), metadata={"internal": True})
    approval_reminders_hours: tuple[int, ...] = field(default=(72, 24),
                                                      metadata={"internal": True})


@dataclass(frozen=True)
class Config:
    """The whole configuration file."""

    calendars: tuple[CalendarConfig, ...]
    state_path: str = ""
    source: str = ""
    portfolio: PortfolioConfig | None = None
    notify: NotifyConfig | None = None

    def calendar(self, name: str | None) -> CalendarConfig:
        """Return the calendar called ``name`` (the only one when None); raises ConfigError."""
        if name is None:
            if len(self.calendars) == 1:
                return self.calendars[0]
            names = ", ".join(c.name for c in self.calendars)
            raise ConfigError([f"several calendars are configured; choose one with --calendar "
                               f"({names})"])
        for cal in self.calendars:
            if cal.name == name:
                return cal
        names = ", ".join(c.name for c in self.calendars)
        raise ConfigError([f"--calendar: no calendar named {name!r} (configured: {names})"])


_INTERNAL_KEYS = ("resolved", "base_dir", "columns_origin")
_NOT_IN_DEFAULTS = ("name", "path", "spreadsheet", *_INTERNAL_KEYS)
_FILE_KEYS = {"calendars", "defaults", "state_path", "portfolio", "notify"}


def load(path: str | Path) -> Config:
    """Read and validate the TOML file at ``path``; raises ConfigError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"cannot read configuration file {path}: {exc.strerror}"]) from exc
    if sys.version_info >= (3, 11):  # imported here: an audit of a file reads no TOML
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path} is not valid TOML: {exc}"]) from exc
    return from_dict(data, base_dir=str(path.resolve().parent), source=str(path))


def from_dict(data: dict[str, Any], base_dir: str = ".", source: str = "") -> Config:
    """Validate parsed TOML data; raises ConfigError listing every problem."""
    problems = Problems()
    for key in data:
        if key not in _FILE_KEYS:
            problems.add(key, unknown_key(key, _FILE_KEYS))
    state_path = data.get("state_path", "")
    if not isinstance(state_path, str):
        problems.add("state_path", "must be text")
        state_path = ""
    defaults = data.get("defaults", {})
    from_defaults: set[str] = set()  # the problems of [defaults], without the "defaults."
    if isinstance(defaults, dict):
        for key in _NOT_IN_DEFAULTS:
            if key in defaults:
                problems.add(join("defaults", key), "belongs to each calendar, not to defaults")
        known = len(problems.items)
        _validate_calendar_data({"name": "defaults", **defaults}, "defaults", problems)
        from_defaults = {item.removeprefix("defaults.") for item in problems.items[known:]}
    else:
        problems.add("defaults", "must be a table")
        defaults = {}
    raw_calendars = data.get("calendars")
    if not isinstance(raw_calendars, list) or not raw_calendars:
        problems.add("calendars", "at least one [[calendars]] table is required")
        raw_calendars = []
    calendars = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_calendars):
        where = join("calendars", i)
        if not isinstance(raw, dict):
            problems.add(where, "must be a table")
            continue
        merged = _merge(defaults, raw)
        own = Problems()
        cal = _validate_calendar_data(merged, where, own)
        problems.items += _not_from_defaults(own.items, where, raw, from_defaults)
        if cal.name in seen:
            problems.add(join(where, "name"), f"another calendar is already called {cal.name!r}")
        seen.add(cal.name)
        calendars.append(dataclasses.replace(cal, base_dir=base_dir))
    portfolio = None
    if "portfolio" in data:
        portfolio = dataclasses.replace(
            build(PortfolioConfig, data["portfolio"], "portfolio", problems), base_dir=base_dir)
        if portfolio.backend == "xlsx" and not portfolio.path:
            problems.add("portfolio.path", "is required for the xlsx backend")
        if portfolio.backend == "google" and not portfolio.spreadsheet:
            problems.add("portfolio.spreadsheet", "is required for the google backend")
    notify = _build_notify(data["notify"], problems) if "notify" in data else None
    _check_shared_tabs(calendars, portfolio, problems)
    _check_state_path(state_path, base_dir, calendars, portfolio, problems)
    if problems:
        raise ConfigError(problems.items)
    if notify is not None:
        calendars = [dataclasses.replace(c, notify=notify) for c in calendars]
    return Config(calendars=tuple(calendars), state_path=state_path, source=source,
                  portfolio=portfolio, notify=notify)


def _not_from_defaults(items: list[str], where: str, raw: dict[str, Any],
                       from_defaults: set[str]) -> list[str]:
    """The problems of calendar ``where`` that are not [defaults]' own, reported there once.

    A problem is [defaults]' when [defaults] has the same one at the same place below it
    and the calendar (``raw``) does not set that place itself.
    """
    prefix = where + "."
    return [item for item in items if not (
        item.startswith(prefix) and item[len(prefix):] in from_defaults
        and not _sets(raw, item[len(prefix):].split(": ", 1)[0]))]


def _sets(table: Any, path: str) -> bool:
    """Whether ``table`` holds the place at ``path`` (``rules.approvals.lead_days``,
    ``clients."Kahve Durağı".timezone``, ``columns.caption[0]``) itself."""
    for quoted, plain, index in re.findall(r'"([^"]*)"|([^."\[\]]+)|\[(\d+)\]', path):
        if index:
            if not isinstance(table, list) or int(index) >= len(table):
                return False
            table = table[int(index)]
            continue
        name = quoted or plain
        if not isinstance(table, dict) or name not in table:
            return False
        table = table[name]
    return True


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Return ``base`` deep-merged with ``over`` (tables merge, everything else replaces)."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _validate_calendar_data(data: dict[str, Any], where: str, problems: Problems) -> CalendarConfig:
    for key in _INTERNAL_KEYS:
        if key in data:
            problems.add(join(where, key), "unknown key")
    clean = _channel_tables({k: v for k, v in data.items() if k not in _INTERNAL_KEYS},
                            where, problems)
    day = clean.get("ignore_before")
    if isinstance(day, dt.date) and not isinstance(day, dt.datetime):
        clean["ignore_before"] = day.isoformat()  # a TOML date written without quotes
    cal = build(CalendarConfig, clean, where, problems)
    _check_calendar(cal, where, problems)
    resolved: dict[str, ClientConfig] = {}
    base_rules = clean.get("rules", {}) if isinstance(clean.get("rules"), dict) else {}
    for name, settings in cal.clients.items():
        at = join(join(where, "clients"), name)
        # The client's own keys are checked where they are written; the merged result only
        # repeats what the calendar-level checks already reported.
        own = build(Rules, settings.rules, join(at, "rules"), problems, partial=True)
        _check_rules(own, join(at, "rules"), problems, cal.channel_names())
        rules = build(Rules, _merge(base_rules, settings.rules), "", Problems())
        _check_place(settings.country, settings.timezone, at, problems)
        _check_contacts(settings.contacts, join(at, "contacts"), problems)
        if settings.language not in ("", "en", "tr"):
            problems.add(join(at, "language"), f"must be one of 'en', 'tr' (got "
                         f"{settings.language!r})")
        language: Literal["en", "tr"] = "tr" if (settings.language or cal.language) == "tr" \
            else "en"
        resolved[name] = ClientConfig(name, settings.country or cal.country,
                                      settings.timezone or cal.timezone, rules,
                                      contacts=settings.contacts, language=language)
    return dataclasses.replace(cal, resolved=resolved)


# [calendars.channels.telegram] as a table: the words that name the channel and its own
# limits, which apply as the built-in channels' limits do (rules.content of a client may
# still differ).
_CHANNEL_TABLE = {"words": "", "limit": "caption_limits", "hashtags": "hashtag_limits"}


def _channel_tables(data: dict[str, Any], where: str, problems: Problems) -> dict[str, Any]:
    """Return calendar ``data`` with each channel written as a table turned into its words,
    and its ``limit`` and ``hashtags`` moved to ``rules.content`` (caption_limits,
    hashtag_limits). The same limit set in both places is reported, never silently chosen."""
    channels = data.get("channels")
    if not isinstance(channels, dict) or not any(isinstance(v, dict) for v in channels.values()):
        return data
    words: dict[str, Any] = {}
    own: dict[str, dict[str, int]] = {"caption_limits": {}, "hashtag_limits": {}}
    for name, table in channels.items():
        if isinstance(table, dict):
            words[name], found = _channel_table(table, join(join(where, "channels"), name),
                                                problems)
            for key, value in found.items():
                own[key][name] = value
        else:
            words[name] = table
    rules = data.get("rules", {})
    content = rules.get("content", {}) if isinstance(rules, dict) else None
    if not isinstance(content, dict):  # reported where the rules are read
        return {**data, "channels": words}
    content = dict(content)
    for limits, values in own.items():
        written = content.get(limits, {})
        if not values or not isinstance(written, dict):
            continue
        for name in values.keys() & written.keys():
            if written[name] != values[name]:
                key = "limit" if limits == "caption_limits" else "hashtags"
                other = join(join(join(join(where, "rules"), "content"), limits), name)
                problems.add(join(join(join(where, "channels"), name), key),
                             f"is {values[name]} but {other} is {written[name]!r}; keep one")
        content[limits] = {**values, **written}
    return {**data, "channels": words, "rules": {**rules, "content": content}}


def _channel_table(table: dict[str, Any], at: str, problems: Problems
                   ) -> tuple[list[str], dict[str, int]]:
    """Return the words of one channel table and its valid limits, each by the rules.content
    table it belongs in (caption_limits, hashtag_limits)."""
    words: list[str] = []
    limits: dict[str, int] = {}
    for key, value in table.items():
        if key not in _CHANNEL_TABLE:
            problems.add(join(at, key), "unknown key (known keys here: "
                         f"{', '.join(sorted(_CHANNEL_TABLE))})")
        elif key == "words":
            value = [value] if isinstance(value, str) else value
            if isinstance(value, list) and all(isinstance(w, str) for w in value):
                words = value
            else:
                problems.add(join(at, key), "must be a list of text (the words that name the "
                             "channel in the sheet)")
        elif isinstance(value, bool) or not isinstance(value, int) or value < (
                1 if key == "limit" else 0):  # a caption of 0 characters is no limit at all
            wanted = "a positive integer" if key == "limit" else "zero or a positive integer"
            problems.add(join(at, key), f"must be {wanted} (got {value!r})")
        else:
            limits[_CHANNEL_TABLE[key]] = value
    return words, limits


def _check_calendar(cal: CalendarConfig, where: str, problems: Problems) -> None:
    if cal.backend in ("xlsx", "csv") and not cal.path and where != "defaults":
        problems.add(join(where, "path"), f"is required for the {cal.backend} backend")
    if cal.backend == "google" and not cal.spreadsheet and where != "defaults":
        problems.add(join(where, "spreadsheet"), "is required for the google backend")
    _check_place(cal.country, cal.timezone, where, problems)
    if _parse_clock(cal.default_publish_time) is None:
        problems.add(join(where, "default_publish_time"), "must be a time such as \"09:00\"")
    _check_mark_exported(cal, where, problems)
    if cal.relative_to:
        try:
            relative_monday(cal.relative_to)
        except ValueError as exc:
            problems.add(join(where, "relative_to"), str(exc))
    if cal.ignore_before and parse_day(cal.ignore_before) is None:
        problems.add(join(where, "ignore_before"), f"{cal.ignore_before!r} is not a date; write "
                     "it as \"2026-01-01\"")
    for key in cal.columns:
        if key not in FIELDS:
            problems.add(join(join(where, "columns"), key), f"unknown field (fields: "
                         f"{', '.join(FIELDS)})")
    _check_assume(cal, where, problems)
    for key in cal.statuses:
        if key not in STATES:
            problems.add(join(join(where, "statuses"), key), f"unknown workflow state (states: "
                         f"{', '.join(STATES)})")
    for table in ("channels", "formats"):  # a new key is a channel or format of its own
        for key in getattr(cal, table):
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", key):
                problems.add(join(join(where, table), key), "a new name must be lower-case "
                             "letters, digits, - or _ (e.g. telegram)")
    _check_patterns(cal, where, problems)
    tabs = [cal.status_tab, cal.report_tab, cal.history_tab]
    folded = [_tab_key(t) for t in tabs]  # spreadsheets ignore case in tab names
    for key, name in zip(_OWNED_KEYS, tabs):
        if not name.strip():
            problems.add(join(where, key), "must not be empty")
        elif folded.count(_tab_key(name)) > 1 or (cal.tab and _tab_key(name) == _tab_key(cal.tab)):
            problems.add(join(where, key), f"tab {name!r} is used twice; the calendar tab and "
                         "the Status, Report and History tabs must all differ (ignoring case)")
    _check_rules(cal.rules, join(where, "rules"), problems, cal.channel_names())


def _check_mark_exported(cal: CalendarConfig, where: str, problems: Problems) -> None:
    """``mark_exported`` must be a word this calendar reads as scheduled: anything else
    would let the next export take the same posts again (or read them as something else)."""
    text = cal.mark_exported.strip()
    if not cal.mark_exported:
        return
    if lookup(STATUS_VALUES, cal.statuses).read(text) != "scheduled":
        problems.add(join(where, "mark_exported"), f"{cal.mark_exported!r} is not a status "
                     "this calendar reads as scheduled; use \"Scheduled\" (or a word listed "
                     "under scheduled in [calendars.statuses])")


def _check_patterns(cal: CalendarConfig, where: str, problems: Problems) -> None:
    """Glob patterns (``*``, ``?``) are status and channel words; one pattern never has two
    meanings."""
    for key, words in cal.formats.items():
        for word in words:
            if is_pattern(word):
                problems.add(join(join(where, "formats"), key), f"{word!r}: patterns (* and ?) "
                             "are read in statuses and channels only; write each format word "
                             "in full")
    for table in ("statuses", "channels"):
        seen: dict[str, str] = {}
        for found in globs(getattr(cal, table)):
            other = seen.setdefault(found.regex.pattern, found.meaning)
            if other != found.meaning:
                problems.add(join(join(where, table), found.meaning), f"pattern "
                             f"{found.word!r} is also written for {other}; a cell it matches "
                             "would mean both")


# Fields a calendar may state one value for (``assume``). Approval is never among them: a
# post is approved only by what its own row says.
ASSUMABLE = ("client", "channel", "format", "status", "pillar", "owner")
_ASSUMED_VOCABULARY = {"channel": ("channels", CHANNEL_VALUES, CHANNELS),
                       "format": ("formats", FORMAT_VALUES, FORMATS),
                       "status": ("statuses", STATUS_VALUES, STATES)}


def _check_assume(cal: CalendarConfig, where: str, problems: Problems) -> None:
    at = join(where, "assume")
    for key, value in cal.assume.items():
        if key not in ASSUMABLE:
            reason = ("approval is read only from the calendar's own rows"
                      if key.startswith("approved") else "it must come from the calendar")
            problems.add(join(at, key), f"cannot be assumed: {reason} (fields that can: "
                         f"{', '.join(ASSUMABLE)})")
        elif not value.strip():
            problems.add(join(at, key), "must not be empty")
        elif key in _ASSUMED_VOCABULARY:
            table, base, known = _ASSUMED_VOCABULARY[key]
            if not lookup(base, getattr(cal, table)).read(value):
                problems.add(join(at, key), f"{value!r} is not a known {key} (known: "
                             f"{', '.join(known)}; add words in [calendars.{table}])")
    if cal.client and "client" in cal.assume and cal.assume["client"] != cal.client:
        problems.add(join(at, "client"), f"differs from client = {cal.client!r}; keep one")


_OWNED_KEYS = ("status_tab", "report_tab", "history_tab")


def _tab_key(name: str) -> str:
    """A tab name as spreadsheets compare them: case ignored (and lookups trim spaces)."""
    return name.strip().casefold()


def spreadsheet_id(text: str) -> str:
    """Return the spreadsheet ID in an ID or a docs.google.com URL."""
    found = re.search(r"/spreadsheets/d/([A-Za-z0-9_-]+)", text)
    return found.group(1) if found else text.strip()


def _real(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def _written_file(backend: str, path: Path, spreadsheet: str) -> tuple[str, str] | None:
    """(identity, how to name it) of the spreadsheet a calendar or the portfolio writes.

    None for what is never written (csv, the memory backend, a missing path or ID).
    """
    if backend == "google" and spreadsheet:
        found = spreadsheet_id(spreadsheet)
        return "google:" + found, f"Google spreadsheet {found}"
    if backend == "xlsx" and str(path) not in ("", "."):
        return "file:" + _real(path), str(path)
    return None


def _check_shared_tabs(calendars: list[CalendarConfig], portfolio: PortfolioConfig | None,
                       problems: Problems) -> None:
    """Two calendars (or a calendar and the portfolio) must never write the same tab of one
    file or spreadsheet, nor write over another calendar's tab: each would take the other's
    rows away on every sync."""
    writers: list[tuple[str, str, dict[str, str], str, tuple[str, str]]] = []
    for i, cal in enumerate(calendars):
        place = _written_file(cal.backend, cal.location() if cal.path else Path(""),
                              cal.spreadsheet)
        if place is not None:
            owned = dict(zip(_OWNED_KEYS, cal.owned_tabs()))
            writers.append((f"calendar {cal.name!r}", join("calendars", i), owned, cal.tab, place))
    if portfolio is not None:
        place = _written_file(portfolio.backend,
                              portfolio.location() if portfolio.path else Path(""),
                              portfolio.spreadsheet)
        if place is not None:
            writers.append(("the portfolio", "portfolio", {"tab": portfolio.tab}, "", place))
    for n, (who, where, owned, _, (ident, shown)) in enumerate(writers):
        for other, other_where, other_owned, other_tab, (other_ident, _) in writers[:n]:
            if ident != other_ident:
                continue
            theirs = {_tab_key(t) for t in other_owned.values() if t.strip()}
            if other_tab.strip():
                theirs.add(_tab_key(other_tab))
            clash = [key for key, tab in owned.items() if _tab_key(tab) in theirs]
            if not clash:
                continue
            names = ", ".join(repr(owned[key]) for key in clash)
            keys = ", ".join(join(where, key) for key in clash)
            noun = "tab" if len(clash) == 1 else "tabs"
            problems.add(join(where, clash[0]), (
                f"{who} and {other} would both write {noun} {names} of {shown}; each sync would "
                f"replace the other's rows. Give other names to the tabs of {who} ({keys}), "
                f"or to those of {other} ({other_where})"))


SQLITE_HEADER = b"SQLite format 3\x00"
_DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db3")
_DOCUMENT_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")  # zip (xlsx, ods...), OLE2, PDF


def state_file_kind(path: str | Path) -> Literal["missing", "empty", "sqlite", "damaged",
                                                 "foreign", "unreadable"]:
    """What is at a state database path, judged by its first 16 bytes and its name.

    ``sqlite``: an SQLite database (header ``SQLite format 3\\0``), damaged or not beyond it.
    ``damaged``: a file named like a database (.db, .sqlite, .sqlite3, .db3) whose header was
    overwritten, but that is not a document (zip-based workbook, OLE2, PDF): a state database
    damaged in its first page, as ``state reset`` must be able to move it aside. ``foreign``:
    anything else, a directory included: never a state database, never moved or opened as
    one. ``empty``: a file of 0 bytes, which holds no state (SQLite opens it as a new, empty
    database). ``unreadable``: it exists but cannot be read.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        return "missing"
    except IsADirectoryError:
        return "foreign"
    except OSError:
        return "unreadable"
    if head == SQLITE_HEADER:
        return "sqlite"
    if not head:
        return "empty"
    if Path(path).suffix.lower() in _DATABASE_SUFFIXES and not head.startswith(_DOCUMENT_MAGIC):
        return "damaged"
    return "foreign"


def _check_state_path(state_path: str, base_dir: str, calendars: list[CalendarConfig],
                      portfolio: PortfolioConfig | None, problems: Problems) -> None:
    """The state database must be a file of its own: never a calendar or portfolio file, and
    never an existing file that is not a state database (a slip such as
    ``state_path = "calendar.xlsx"`` would make `state reset` take the workbook for a damaged
    database)."""
    if not state_path:
        return
    path = Path(state_path).expanduser()
    if not path.is_absolute():
        path = Path(base_dir or ".") / path
    real = _real(path)
    fix = "point it at a file of its own, such as \"sheets-sync.db\" (it is created there)"
    files = [(f"the calendar file of calendar {c.name!r}", c.location()) for c in calendars
             if c.backend in ("xlsx", "csv") and c.path]
    if portfolio is not None and portfolio.backend == "xlsx" and portfolio.path:
        files.append(("the portfolio workbook", portfolio.location()))
    for what, location in files:
        if _real(location) == real:
            problems.add("state_path", f"{state_path!r} is {what}, not a state database; {fix}")
            return
    if state_file_kind(path) == "foreign":
        problems.add("state_path", f"{path} exists and is not an SQLite database (the state "
                     f"sheets-sync keeps); {fix}")


def _check_rules(rules: Rules, where: str, problems: Problems,
                 channels: tuple[str, ...] = CHANNELS) -> None:
    for code, level in rules.levels.items():
        at = join(join(where, "levels"), code)
        if code not in CODES:
            problems.add(at, "unknown finding code (`sheets-sync codes` lists them)")
        elif level != "off":
            try:
                Severity.parse(level)
            except ValueError as exc:
                problems.add(at, f"{exc}, or \"off\"")
    for table in ("caption_limits", "hashtag_limits"):
        for key in getattr(rules.content, table):
            if key not in channels:
                problems.add(join(join(join(where, "content"), table), key),
                             f"unknown channel (channels: {', '.join(channels)}; add one "
                             "in [calendars.channels])")
    for key in rules.cadence.posts_per_week:
        if key not in channels:
            problems.add(join(join(join(where, "cadence"), "posts_per_week"), key),
                         f"unknown channel (channels: {', '.join(channels)}; add one in "
                         "[calendars.channels])")
    total = sum(rules.pillars.targets.values())
    if rules.pillars.targets and abs(total - 100) > 0.5:
        problems.add(join(join(where, "pillars"), "targets"), f"must add up to 100 (got {total:g})")


def _check_place(country: str, timezone: str, where: str, problems: Problems) -> None:
    if country and country.upper() not in _country_codes():
        problems.add(join(where, "country"), f"unknown country code {country!r} "
                     "(use an ISO code such as \"TR\", \"DE\", \"US\")")
    if timezone:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.add(join(where, "timezone"), f"unknown time zone {timezone!r} "
                         "(use a name such as \"Europe/Istanbul\")")


def _country_codes() -> frozenset[str]:
    """The country codes (aliases included) the holidays library knows, read from its
    registry: listing its supported countries would load the module of every country."""
    import holidays

    try:
        from holidays.registry import EntityLoader

        return frozenset(EntityLoader.get_country_codes())
    except (ImportError, AttributeError):  # a release without the registry's listing
        return frozenset(holidays.list_supported_countries())


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HOOK_HOURS_LIMIT = 24 * 31  # a reminder more than a month ahead is a plan, not a reminder


def is_address(text: str) -> bool:
    """Whether ``text`` is one e-mail address, bare or as ``Name <address>``."""
    from email.utils import parseaddr  # only for a configuration naming contacts

    _name, address = parseaddr(text)
    return bool(re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+", address)) and (
        "," not in text or text.strip().endswith(">"))


def _check_contacts(contacts: Contacts, where: str, problems: Problems) -> None:
    """Every contact must be one e-mail address (the value is shown: it is no secret)."""
    for i, address in enumerate(contacts.approvers):
        if not is_address(address):
            problems.add(join(join(where, "approvers"), i),
                         f"{address!r} is not an e-mail address (write \"elif@client.example\")")
    for key in ("account_manager", "escalation"):
        address = getattr(contacts, key)
        if address and not is_address(address):
            problems.add(join(where, key), f"{address!r} is not an e-mail address (write "
                         "\"selin@agency.example\")")


def _env_problem(value: str, example: str) -> str | None:
    """Why ``value`` is no environment variable name (without repeating it: it may be the
    secret itself, written where its variable's name belongs); None when it is one."""
    if _ENV_NAME.fullmatch(value):
        return None
    return (f"must be the name of an environment variable (such as {example}) that holds "
            "the secret; the secret itself never goes into the configuration")


def _build_notify(data: Any, problems: Problems) -> NotifyConfig:
    """``[notify]``: how reminders are sent, every problem reported with its path."""
    if not isinstance(data, dict):
        problems.add("notify", "must be a table")
        return NotifyConfig()
    hand = ("webhooks", "approval_reminders_hours")
    notify = build(NotifyConfig, {k: v for k, v in data.items() if k not in hand}, "notify",
                   problems)
    hooks = _build_webhooks(data.get("webhooks", []), problems)
    hours = _reminder_hours(data.get("approval_reminders_hours", [72, 24]), problems)
    smtp = notify.smtp
    if smtp is not None:
        if not smtp.host.strip():
            problems.add("notify.smtp.host", "is required to send e-mail")
        if smtp.password_env and (message := _env_problem(smtp.password_env,
                                                            "SHEETS_SYNC_SMTP_PASSWORD")):
            problems.add("notify.smtp.password_env", message)
        if smtp.username and not smtp.password_env:
            problems.add("notify.smtp.password_env", "is required with a username: the name "
                         "of the environment variable holding the SMTP password")
        if smtp.password_env and not smtp.username:
            problems.add("notify.smtp.username", "is required with password_env")
        if not is_address(notify.sender):
            problems.add("notify.sender", "is required to send e-mail: one address, such as "
                         "\"Agency Ops <ops@agency.example>\"")
    if smtp is None and not hooks:
        problems.add("notify", "nothing to send with: configure smtp = { host = ... } or "
                     "webhooks = [{ url_env = ..., kind = ... }]")
    if _parse_clock(notify.digest_time) is None:
        problems.add("notify.digest_time", "must be a time such as \"09:00\"")
    return dataclasses.replace(notify, webhooks=hooks, approval_reminders_hours=hours)


def _build_webhooks(raw: Any, problems: Problems) -> tuple[WebhookConfig, ...]:
    where = "notify.webhooks"
    if not isinstance(raw, list):
        problems.add(where, "must be a list of tables, such as [{ url_env = "
                     "\"SLACK_WEBHOOK_URL\", kind = \"slack\" }]")
        return ()
    hooks = []
    for i, item in enumerate(raw):
        at = join(where, i)
        hook = build(WebhookConfig, item, at, problems)
        if not hook.url_env:
            problems.add(join(at, "url_env"), "is required: the name of the environment "
                         "variable holding the webhook URL")
        elif message := _env_problem(hook.url_env, "SLACK_WEBHOOK_URL"):
            problems.add(join(at, "url_env"), message)
        hooks.append(hook)
    names = [h.url_env for h in hooks]
    for i, name in enumerate(names):
        if name and name in names[:i]:
            problems.add(join(join(where, i), "url_env"), f"{name} is listed twice")
    return tuple(hooks)


def _reminder_hours(raw: Any, problems: Problems) -> tuple[int, ...]:
    where = "notify.approval_reminders_hours"
    good = isinstance(raw, list) and all(
        isinstance(h, int) and not isinstance(h, bool) and 0 < h <= _HOOK_HOURS_LIMIT
        for h in raw)
    if not good:
        problems.add(where, f"must be a list of whole hours before publishing, each from 1 "
                     f"to {_HOOK_HOURS_LIMIT}, such as [72, 24] (got {raw!r})")
        return (72, 24)
    return tuple(sorted(set(raw), reverse=True))


_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def relative_monday(text: str) -> dt.date:
    """Return the Monday of week T0 written as ``YYYY-MM-DD`` (``relative_to``).

    Raises ValueError saying what is wrong: not such a date, or not a Monday.
    """
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write the Monday of week T0 as "
                         "YYYY-MM-DD, e.g. \"2026-12-07\"") from None
    if day.weekday():
        monday = day - dt.timedelta(days=day.weekday())
        raise ValueError(f"{day.isoformat()} is a {_WEEKDAY_NAMES[day.weekday()]}, not a "
                         f"Monday; give the Monday of week T0 (that week's is "
                         f"{monday.isoformat()})")
    return day

def parse_day(text: str) -> dt.date | None:
    """Return the date written as ``YYYY-MM-DD`` in ``text``, or None when it is not one."""
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        return None


def ignoring_before(config: CalendarConfig, text: str, option: str = "--since"
                    ) -> CalendarConfig:
    """Return ``config`` with ``ignore_before`` set to the date ``text`` (a command-line
    choice of what to look at, which wins over the configured date).

    Raises UsageError naming ``option`` when ``text`` is not a ``YYYY-MM-DD`` date.
    """
    if parse_day(text) is None:
        raise UsageError(f"{option}: {text.strip()!r} is not a date; write it as YYYY-MM-DD")
    return dataclasses.replace(config, ignore_before=text.strip())


def _parse_clock(text: str) -> tuple[int, int] | None:
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    return (hour, minute) if hour < 24 and minute < 60 else None


def default_calendar(path: str | Path, columns: dict[str, tuple[str, ...]] | None = None,
                     tab: str = "", assume: dict[str, str] | None = None,
                     relative_to: str = "") -> CalendarConfig:
    """Return the configuration used to audit a file given on the command line, with no config.

    ``columns`` are the ``--column`` mappings, ``assume`` the ``--assume`` values and
    ``relative_to`` the ``--relative-to`` Monday. Raises ConfigError for a bad one.
    """
    path = Path(path)
    backend: Literal["xlsx", "csv"] = "csv" if path.suffix.lower() in (".csv", ".txt") else "xlsx"
    assume = dict(assume or {})
    data: dict[str, Any] = {"name": path.stem, "backend": backend, "path": str(path),
                            "client": assume.pop("client", path.stem), "tab": tab}
    if columns:
        data["columns"] = {k: list(v) for k, v in columns.items()}
    if assume:
        data["assume"] = assume
    if relative_to:
        data["relative_to"] = relative_to
    problems = Problems()
    cal = _validate_calendar_data(data, "command line", problems)
    if problems:
        raise ConfigError(problems.items)
    return dataclasses.replace(cal, columns_origin="--column")
