"""Configuration problems not covered by test_config: a value of the wrong type for every key
of every table (derived from the configuration's dataclasses, so a new key is covered as it is
added), wrong items inside lists and tables, misplaced tables, and the value checks."""

from __future__ import annotations

import copy
import dataclasses
import typing
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import pytest
from click.testing import CliRunner

from sheets_sync import config as c
from sheets_sync.cli import main
from sheets_sync.config import from_dict
from sheets_sync.errors import ConfigError

BASE: dict[str, Any] = {"calendars": [{"name": "a", "backend": "memory"}]}


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        from_dict(data)
    assert caught.value.exit_code == 2
    return caught.value.problems


def wrong_value(tp: Any) -> tuple[Any, str]:
    """A value of the wrong type for a key of type ``tp``, and the message that names it."""
    if get_origin(tp) is typing.Literal:
        listed = ", ".join(repr(choice) for choice in get_args(tp))
        return "nope", f"must be one of {listed} (got 'nope')"
    if dataclasses.is_dataclass(tp) or get_origin(tp) is dict:
        return 7, "must be a table, got a whole number"
    if get_origin(tp) is tuple:
        return 7, "must be a list of text, got a whole number"
    return {bool: ("yes", "must be true or false, got text"),
            int: ("7", "must be a whole number, got text '7'"),
            float: ("7", "must be a number, got text '7'"),
            str: (7, "must be text, got a whole number")}[tp]


def keys_of(cls: type, keys: tuple[str | int, ...], where: str
            ) -> list[tuple[str, tuple[str | int, ...], Any]]:
    """Every key a user may write in table ``cls`` (nested tables too): (path, keys, type)."""
    hints = get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        tp = hints[f.name]
        out.append((f"{where}.{f.name}", (*keys, f.name), tp))
        if dataclasses.is_dataclass(tp):
            out.extend(keys_of(tp, (*keys, f.name), f"{where}.{f.name}"))  # type: ignore[arg-type]
    return out


CALENDAR = ("calendars", 0)
CLIENT = (*CALENDAR, "clients", "Acme")
EVERY_KEY = [
    *keys_of(c.CalendarConfig, CALENDAR, "calendars[0]"),
    *keys_of(c.ClientSettings, CLIENT, "calendars[0].clients.Acme"),
    # A client's rules table holds the same families as the calendar's, checked in place.
    *keys_of(c.Rules, (*CLIENT, "rules"), "calendars[0].clients.Acme.rules"),
    *keys_of(c.PortfolioConfig, ("portfolio",), "portfolio"),
]


def with_value(keys: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    if keys[0] == "portfolio":
        data["portfolio"] = {"path": "portfolio.xlsx"}
    table: Any = data
    for key in keys[:-1]:
        table = table[key] if isinstance(key, int) else table.setdefault(key, {})
    table[keys[-1]] = value
    return data


def test_every_kind_of_key_is_covered() -> None:
    paths = {path for path, _, _ in EVERY_KEY}
    assert {"calendars[0].header_row", "calendars[0].rules.approvals.approvers",
            "calendars[0].rules.cadence.next_month_ready_pct", "calendars[0].assign_ids",
            "calendars[0].clients.Acme.rules.feedback.sla_days", "portfolio.backend"} <= paths
    kinds = {wrong_value(tp)[1].split(" (got")[0].split(", got")[0] if get_origin(tp)
             is not typing.Literal else "must be one of" for _, _, tp in EVERY_KEY}
    assert kinds == {"must be text", "must be a whole number", "must be a number",
                     "must be true or false", "must be one of", "must be a table",
                     "must be a list of text"}


@pytest.mark.parametrize(("path", "keys", "tp"), EVERY_KEY, ids=[p for p, _, _ in EVERY_KEY])
def test_a_wrong_type_is_reported_with_its_path(path: str, keys: tuple[str | int, ...],
                                                tp: Any) -> None:
    value, message = wrong_value(tp)
    assert f"{path}: {message}" in problems_of(with_value(keys, value))


@pytest.mark.parametrize(("keys", "value", "expected"), [
    # Numbers of the other kind: a bool is not a number, a fraction not a whole number.
    (("header_row",), 2.5, "calendars[0].header_row: must be a whole number, got a number 2.5"),
    (("header_row",), True,
     "calendars[0].header_row: must be a whole number, got true/false True"),
    (("rules", "cadence", "next_month_ready_pct"), False,
     "calendars[0].rules.cadence.next_month_ready_pct: must be a number, got true/false False"),
    # Items inside lists and tables, each with its own path.
    (("columns", "caption"), ["Caption", 1],
     "calendars[0].columns.caption[1]: must be text, got a whole number"),
    (("statuses", "draft"), {"x": 1},
     "calendars[0].statuses.draft: must be a list of text, got a table"),
    (("rules", "approvals", "approvers"), ["Jane", 3.5],
     "calendars[0].rules.approvals.approvers[1]: must be text, got a number"),
    (("rules", "levels", "calendar-gap"), 3,
     "calendars[0].rules.levels.calendar-gap: must be text, got a whole number"),
    (("rules", "content", "caption_limits", "x"), "280",
     "calendars[0].rules.content.caption_limits.x: must be a whole number, got text '280'"),
    (("rules", "content", "hashtag_limits", "instagram"), 2.5,
     "calendars[0].rules.content.hashtag_limits.instagram: must be a whole number, got a "
     "number 2.5"),
    (("rules", "cadence", "posts_per_week", "instagram"), [3],
     "calendars[0].rules.cadence.posts_per_week.instagram: must be a whole number, got a list "
     "[3]"),
    (("rules", "pillars", "targets", "Value"), "70",
     "calendars[0].rules.pillars.targets.Value: must be a number, got text '70'"),
    (("clients", "Acme"), "DE", "calendars[0].clients.Acme: must be a table, got text"),
    # A key that is not a bare word is quoted in the path, as TOML writes it.
    (("clients", "Acme Co", "country"), 49,
     'calendars[0].clients."Acme Co".country: must be text, got a whole number'),
    (("clients", "Acme", "rules", "approvals", "approvers"), [None],
     "calendars[0].clients.Acme.rules.approvals.approvers[0]: must be text, got NoneType"),
])
def test_wrong_items_are_reported_with_their_paths(keys: tuple[str, ...], value: Any,
                                                   expected: str) -> None:
    assert expected in problems_of(with_value((*CALENDAR, *keys), value))


def test_a_single_text_is_a_list_of_one() -> None:
    cal = from_dict(with_value((*CALENDAR, "rules", "pillars", "names"), "Value")).calendars[0]
    assert cal.rules.pillars.names == ("Value",)
    cal = from_dict(with_value((*CALENDAR, "columns", "caption"), "Text")).calendars[0]
    assert cal.columns["caption"] == ("Text",)


@pytest.mark.parametrize(("data", "expected"), [
    ({**BASE, "state_path": 3}, ["state_path: must be text"]),
    ({**BASE, "defaults": ["x"]}, ["defaults: must be a table"]),
    ({"calendars": {"name": "a"}}, ["calendars: at least one [[calendars]] table is required"]),
    ({"calendars": []}, ["calendars: at least one [[calendars]] table is required"]),
    ({}, ["calendars: at least one [[calendars]] table is required"]),
    ({"calendars": [{"name": "a", "backend": "memory"}, "b"]}, ["calendars[1]: must be a table"]),
    ({"calendars": [{"backend": "memory"}]}, ["calendars[0].name: is required"]),
    ({**BASE, "portfolio": 3}, ["portfolio: must be a table, got a whole number",
                                "portfolio.path: is required for the xlsx backend"]),
    ({**BASE, "portfolio": {"backend": "google"}},
     ["portfolio.spreadsheet: is required for the google backend"]),
    ({"calendars": [{"name": "a", "backend": "memory", "resolved": {}, "base_dir": "/"}]},
     ["calendars[0].resolved: unknown key", "calendars[0].base_dir: unknown key"]),
    ({**BASE, "defaults": {"name": "x", "spreadsheet": "y"}},
     ["defaults.name: belongs to each calendar, not to defaults",
      "defaults.spreadsheet: belongs to each calendar, not to defaults"]),
])
def test_the_files_tables_in_the_wrong_shape(data: dict[str, Any], expected: list[str]
                                             ) -> None:
    assert problems_of(data) == expected


def test_a_wrong_type_in_defaults_is_reported_where_it_is_written() -> None:
    found = problems_of({**BASE, "defaults": {"language": 1, "rules": {"approvals": "x"}}})
    assert "defaults.language: must be one of 'en', 'tr' (got 1)" in found
    assert "defaults.rules.approvals: must be a table, got text" in found


@pytest.mark.parametrize(("calendar", "expected"), [
    ({"backend": "google"}, "calendars[0].spreadsheet: is required for the google backend"),
    ({"backend": "csv"}, "calendars[0].path: is required for the csv backend"),
    ({"default_publish_time": "25:00"},
     'calendars[0].default_publish_time: must be a time such as "09:00"'),
    ({"default_publish_time": "9"},
     'calendars[0].default_publish_time: must be a time such as "09:00"'),
    ({"columns": {"colour": "Farbe"}}, "calendars[0].columns.colour: unknown field (fields: "),
    ({"statuses": {"lost": "Kayıp"}}, "calendars[0].statuses.lost: unknown workflow state "
                                      "(states: "),
    # A new channel or format key adds one; its name must be a plain lower-case word.
    ({"channels": {"My Space": "MS"}}, 'calendars[0].channels."My Space": a new name must be '),
    ({"formats": {"3D!": "3D"}}, 'calendars[0].formats."3D!": a new name must be '),
    ({"status_tab": " "}, "calendars[0].status_tab: must not be empty"),
    ({"report_tab": "History"}, "calendars[0].report_tab: tab 'History' is used twice"),
    ({"tab": "Status"}, "calendars[0].status_tab: tab 'Status' is used twice"),
    ({"country": "XX"}, "calendars[0].country: unknown country code 'XX'"),
    ({"clients": {"Acme": {"timezone": "Mars/Base"}}},
     "calendars[0].clients.Acme.timezone: unknown time zone 'Mars/Base'"),
    ({"rules": {"content": {"caption_limits": {"myspace": 100}}}},
     "calendars[0].rules.content.caption_limits.myspace: unknown channel (channels: "),
    ({"rules": {"content": {"hashtag_limits": {"instagram": -1}}}},
     "calendars[0].rules.content.hashtag_limits.instagram: must be zero or more (got -1)"),
    ({"rules": {"cadence": {"next_month_ready_pct": 120}}},
     "calendars[0].rules.cadence.next_month_ready_pct: must be a percentage from 0 to 100 "
     "(got 120.0)"),
    ({"quota_per_minute": 0}, "calendars[0].quota_per_minute: must be a positive number (got 0)"),
])
def test_value_checks_name_the_key(calendar: dict[str, Any], expected: str) -> None:
    data = {"calendars": [{"name": "a", "backend": "memory", **calendar}]}
    assert any(p.startswith(expected) for p in problems_of(data)), problems_of(data)


def test_several_wrong_types_in_a_file_exit_2_each_on_its_line(tmp_path: Path) -> None:
    config = tmp_path / "agency.toml"
    config.write_text('state_path = 5\n[[calendars]]\nname = "a"\npath = "a.xlsx"\n'
                      'assign_ids = "yes"\nheader_row = 1.5\n'
                      '[calendars.rules.approvals]\napprovers = "Jane"\nlead_days = "2"\n'
                      '[calendars.clients."Acme Co".rules.revisions]\non_exceed = "stop"\n',
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["check-config", "--config", str(config)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "sheets-sync: 5 configuration problems:",
        "  - state_path: must be text",
        "  - calendars[0].header_row: must be a whole number, got a number 1.5",
        "  - calendars[0].assign_ids: must be true or false, got text",
        "  - calendars[0].rules.approvals.lead_days: must be a whole number, got text '2'",
        "  - calendars[0].clients.\"Acme Co\".rules.revisions.on_exceed: must be one of "
        "'report', 'hold' (got 'stop')",
    ]


def test_a_wrong_type_is_reported_once() -> None:
    found = problems_of(with_value((*CALENDAR, "rules", "feedback", "sla_days"), "two"))
    assert found == ["calendars[0].rules.feedback.sla_days: must be a whole number, "
                     "got text 'two'"]


# --- the schema's generic cases that no configuration key uses today ------------------------

@dataclasses.dataclass(frozen=True)
class Limits:
    budget: int


@dataclasses.dataclass(frozen=True)
class Plan:
    name: str
    limits: Limits
    ceiling: int | None = None
    tags: frozenset[str] = frozenset()


def test_schema_optional_values_and_required_tables() -> None:
    from sheets_sync.schema import Problems, build

    problems = Problems()
    plan = build(Plan, {"name": "p", "ceiling": "high"}, "plan", problems)
    assert problems.items == ["plan.limits: is required",
                              "plan.ceiling: must be a whole number, got text 'high'"]
    assert plan.limits == Limits(budget=0)  # a placeholder, so the rest can still be checked
    problems = Problems()
    assert build(Plan, {"name": "p", "limits": {"budget": 3}, "ceiling": 9}, "plan",
                 problems).ceiling == 9
    assert not problems


def test_schema_refuses_a_type_it_cannot_convert() -> None:
    from sheets_sync.schema import Problems, build

    with pytest.raises(TypeError, match="schema cannot convert to"):
        build(Plan, {"name": "p", "limits": {"budget": 1}, "tags": ["a"]}, "plan", Problems())
