"""Configuration: one TOML file -> frozen dataclasses, every problem reported at once with its path.

Layout of the file (``config/example.toml`` documents every key)::

    state_path = "..."            # optional
    [defaults]                    # any calendar key; applies to every calendar
    [[calendars]]                 # one per calendar
    [calendars.rules.<family>]    # rule parameters
    [calendars.clients."Name"]    # per-client overrides of country, timezone and rules
"""

from __future__ import annotations

import copy
import dataclasses
import os
import sys
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sheets_sync.codes import CODES
from sheets_sync.errors import ConfigError
from sheets_sync.model import CHANNELS, FIELDS, FORMATS, STATES, Severity
from sheets_sync.schema import Problems, build, join, non_negative, percent, positive

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

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
class ClientSettings:
    """Per-client overrides: where the client is, and rule parameters that differ."""

    country: str = ""
    timezone: str = ""
    rules: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClientConfig:
    """A client's effective settings after merging calendar defaults and overrides."""

    name: str
    country: str
    timezone: str
    rules: Rules


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
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
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
    # How large a workbook may be read (see sheets_sync.backends.bounds); 5,000,000 cells
    # and 300 MB are DEFAULT_MAX_CELLS and DEFAULT_MAX_UNPACKED_MB there.
    max_cells: int = field(default=5_000_000, metadata=_meta(positive))
    max_unpacked_mb: int = field(default=300, metadata=_meta(positive))
    rules: Rules = field(default_factory=Rules)
    clients: dict[str, ClientSettings] = field(default_factory=dict)
    # Resolved per-client settings; filled by load, not read from the file.
    resolved: dict[str, ClientConfig] = field(default_factory=dict, metadata={"internal": True})
    base_dir: str = field(default="", metadata={"internal": True})

    def for_client(self, name: str) -> ClientConfig:
        """Return the effective settings for client ``name`` (calendar defaults if not listed)."""
        found = self.resolved.get(name)
        if found is None:
            return ClientConfig(name, self.country, self.timezone, self.rules)
        return found

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
    credentials: str = ""
    api_endpoint: str = ""
    quota_per_minute: int = field(default=60, metadata=_meta(positive))
    base_dir: str = field(default="", metadata={"internal": True})

    def location(self) -> Path:
        path = Path(self.path).expanduser()
        return path if path.is_absolute() else Path(os.path.normpath(
            Path(self.base_dir or ".") / path))


@dataclass(frozen=True)
class Config:
    """The whole configuration file."""

    calendars: tuple[CalendarConfig, ...]
    state_path: str = ""
    source: str = ""
    portfolio: PortfolioConfig | None = None

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


_NOT_IN_DEFAULTS = ("name", "path", "spreadsheet", "resolved", "base_dir")
_FILE_KEYS = {"calendars", "defaults", "state_path", "portfolio"}


def load(path: str | Path) -> Config:
    """Read and validate the TOML file at ``path``; raises ConfigError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"cannot read configuration file {path}: {exc.strerror}"]) from exc
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
            problems.add(key, f"unknown key (known keys here: {', '.join(sorted(_FILE_KEYS))})")
    state_path = data.get("state_path", "")
    if not isinstance(state_path, str):
        problems.add("state_path", "must be text")
        state_path = ""
    defaults = data.get("defaults", {})
    if isinstance(defaults, dict):
        for key in _NOT_IN_DEFAULTS:
            if key in defaults:
                problems.add(join("defaults", key), "belongs to each calendar, not to defaults")
        _validate_calendar_data({"name": "defaults", **defaults}, "defaults", problems)
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
        cal = _validate_calendar_data(merged, where, problems)
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
    if problems:
        raise ConfigError(problems.items)
    return Config(calendars=tuple(calendars), state_path=state_path, source=source,
                  portfolio=portfolio)


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
    for key in ("resolved", "base_dir"):
        if key in data:
            problems.add(join(where, key), "unknown key")
    clean = {k: v for k, v in data.items() if k not in ("resolved", "base_dir")}
    cal = build(CalendarConfig, clean, where, problems)
    _check_calendar(cal, where, problems)
    resolved: dict[str, ClientConfig] = {}
    base_rules = data.get("rules", {}) if isinstance(data.get("rules"), dict) else {}
    for name, settings in cal.clients.items():
        at = join(join(where, "clients"), name)
        # The client's own keys are checked where they are written; the merged result only
        # repeats what the calendar-level checks already reported.
        own = build(Rules, settings.rules, join(at, "rules"), problems, partial=True)
        _check_rules(own, join(at, "rules"), problems)
        rules = build(Rules, _merge(base_rules, settings.rules), "", Problems())
        _check_place(settings.country, settings.timezone, at, problems)
        resolved[name] = ClientConfig(name, settings.country or cal.country,
                                      settings.timezone or cal.timezone, rules)
    return dataclasses.replace(cal, resolved=resolved)


def _check_calendar(cal: CalendarConfig, where: str, problems: Problems) -> None:
    if cal.backend in ("xlsx", "csv") and not cal.path and where != "defaults":
        problems.add(join(where, "path"), f"is required for the {cal.backend} backend")
    if cal.backend == "google" and not cal.spreadsheet and where != "defaults":
        problems.add(join(where, "spreadsheet"), "is required for the google backend")
    _check_place(cal.country, cal.timezone, where, problems)
    if _parse_clock(cal.default_publish_time) is None:
        problems.add(join(where, "default_publish_time"), "must be a time such as \"09:00\"")
    for key in cal.columns:
        if key not in FIELDS:
            problems.add(join(join(where, "columns"), key), f"unknown field (fields: "
                         f"{', '.join(FIELDS)})")
    for table, known in (("statuses", STATES), ("channels", CHANNELS), ("formats", FORMATS)):
        for key in getattr(cal, table):
            if key not in known:
                problems.add(join(join(where, table), key), f"unknown value (known: "
                             f"{', '.join(known)})")
    tabs = [cal.status_tab, cal.report_tab, cal.history_tab]
    for key, name in zip(("status_tab", "report_tab", "history_tab"), tabs):
        if not name.strip():
            problems.add(join(where, key), "must not be empty")
        elif tabs.count(name) > 1 or (cal.tab and name == cal.tab):
            problems.add(join(where, key), f"tab {name!r} is used twice; the calendar tab and "
                         "the Status, Report and History tabs must all differ")
    _check_rules(cal.rules, join(where, "rules"), problems)


def _check_rules(rules: Rules, where: str, problems: Problems) -> None:
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
            if key not in CHANNELS:
                problems.add(join(join(join(where, "content"), table), key),
                             f"unknown channel (channels: {', '.join(CHANNELS)})")
    for key in rules.cadence.posts_per_week:
        if key not in CHANNELS:
            problems.add(join(join(join(where, "cadence"), "posts_per_week"), key),
                         f"unknown channel (channels: {', '.join(CHANNELS)})")
    total = sum(rules.pillars.targets.values())
    if rules.pillars.targets and abs(total - 100) > 0.5:
        problems.add(join(join(where, "pillars"), "targets"), f"must add up to 100 (got {total:g})")


def _check_place(country: str, timezone: str, where: str, problems: Problems) -> None:
    import holidays

    if country and country.upper() not in holidays.list_supported_countries():
        problems.add(join(where, "country"), f"unknown country code {country!r} "
                     "(use an ISO code such as \"TR\", \"DE\", \"US\")")
    if timezone:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.add(join(where, "timezone"), f"unknown time zone {timezone!r} "
                         "(use a name such as \"Europe/Istanbul\")")


def _parse_clock(text: str) -> tuple[int, int] | None:
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    return (hour, minute) if hour < 24 and minute < 60 else None


def default_calendar(path: str | Path, columns: dict[str, tuple[str, ...]] | None = None,
                     tab: str = "") -> CalendarConfig:
    """Return the configuration used to audit a file given on the command line, with no config."""
    path = Path(path)
    backend: Literal["xlsx", "csv"] = "csv" if path.suffix.lower() in (".csv", ".txt") else "xlsx"
    data: dict[str, Any] = {"name": path.stem, "backend": backend, "path": str(path),
                            "client": path.stem, "tab": tab}
    if columns:
        data["columns"] = {k: list(v) for k, v in columns.items()}
    problems = Problems()
    cal = _validate_calendar_data(data, "--column", problems)
    if problems:
        raise ConfigError(problems.items)
    return cal
