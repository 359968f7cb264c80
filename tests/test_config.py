"""Configuration: the example loads, bad files list every problem with its path."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheets_sync.config import from_dict, load
from sheets_sync.errors import ConfigError
from sheets_sync.model import Severity

ROOT = Path(__file__).resolve().parents[1]


def test_example_config_loads_with_client_overrides() -> None:
    config = load(ROOT / "config" / "example.toml")
    cal = config.calendar(None)
    assert cal.location() == ROOT / "sheets_sync" / "data" / "calendar.xlsx"
    nordic = cal.for_client("Nordic Trails")
    assert (nordic.country, nordic.timezone) == ("DE", "Europe/Berlin")
    assert nordic.rules.revisions.included_rounds == 3
    assert nordic.rules.feedback.sla_days == 3
    kahve = cal.for_client("Kahve Durağı")
    assert kahve.rules.feedback.sla_days == 2  # calendar default kept
    assert kahve.rules.pillars.targets == {"Value": 70.0, "Shareable": 20.0, "Promotion": 10.0}
    # A client the configuration does not list gets the calendar's settings.
    assert cal.for_client("Someone").rules.revisions.included_rounds == 2


def problems_of(data: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        from_dict(data)
    assert caught.value.exit_code == 2
    return caught.value.problems


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    found = problems_of({
        "colour": "blue",
        "calendars": [{
            "name": "a", "backend": "xlsx", "timezone": "Mars/Base", "language": "fr",
            "rules": {"feedback": {"sla_days": 0, "typo": 1},
                      "levels": {"calendar-gap": "loud", "no-such-code": "off"}},
            "clients": {"Acme": {"rules": {"cadence": {"posts_per_week": {"myspace": 2}}}}},
        }],
    })
    expected_prefixes = [
        "colour: unknown key",
        "calendars[0].path: is required for the xlsx backend",
        "calendars[0].timezone: unknown time zone 'Mars/Base'",
        "calendars[0].language: must be one of 'en', 'tr'",
        "calendars[0].rules.feedback.sla_days: must be a positive number",
        "calendars[0].rules.feedback.typo: unknown key",
        "calendars[0].rules.levels.calendar-gap: unknown severity 'loud'",
        "calendars[0].rules.levels.no-such-code: unknown finding code",
        "calendars[0].clients.Acme.rules.cadence.posts_per_week.myspace: unknown channel",
    ]
    for prefix in expected_prefixes:
        assert any(p.startswith(prefix) for p in found), (prefix, found)
    assert len(found) == len(expected_prefixes)


def test_wrong_types_are_named() -> None:
    found = problems_of({"calendars": [{"name": "a", "backend": "memory",
                                        "header_row": "two", "columns": {"caption": 5}}]})
    assert "calendars[0].header_row: must be a whole number, got text 'two'" in found
    assert "calendars[0].columns.caption: must be a list of text, got a whole number" in found


def test_defaults_apply_to_every_calendar_and_calendars_win() -> None:
    config = from_dict({
        "defaults": {"language": "tr", "rules": {"revisions": {"included_rounds": 4}}},
        "calendars": [
            {"name": "a", "backend": "memory"},
            {"name": "b", "backend": "memory", "language": "en",
             "rules": {"revisions": {"included_rounds": 1}}},
        ],
    })
    a, b = config.calendars
    assert (a.language, a.rules.revisions.included_rounds) == ("tr", 4)
    assert (b.language, b.rules.revisions.included_rounds) == ("en", 1)


def test_levels_switch_codes_off_and_regrade_them() -> None:
    cal = from_dict({"calendars": [{"name": "a", "backend": "memory", "rules": {
        "levels": {"calendar-gap": "off", "missing-id": "critical"}}}]}).calendars[0]
    assert cal.rules.level("calendar-gap") is None
    assert cal.rules.level("missing-id") is Severity.CRITICAL
    assert cal.rules.level("duplicate-id") is Severity.ERROR


def test_duplicate_calendar_names_and_pillar_targets_must_add_up() -> None:
    found = problems_of({"calendars": [
        {"name": "a", "backend": "memory",
         "rules": {"pillars": {"targets": {"Value": 70, "Promo": 20}}}},
        {"name": "a", "backend": "memory"},
    ]})
    assert "calendars[0].rules.pillars.targets: must add up to 100 (got 90)" in found
    assert "calendars[1].name: another calendar is already called 'a'" in found


def test_unreadable_and_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration file"):
        load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[calendars]\nname = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load(bad)


def test_example_config_documents_every_option() -> None:
    import dataclasses

    from sheets_sync import config as c

    text = (ROOT / "config" / "example.toml").read_text(encoding="utf-8")
    classes = (c.CalendarConfig, c.Rules, c.ApprovalRules, c.FeedbackRules, c.RevisionRules,
               c.ContentRules, c.CadenceRules, c.PillarRules, c.ClientSettings,
               c.PortfolioConfig)
    missing = [f"{cls.__name__}.{f.name}" for cls in classes for f in dataclasses.fields(cls)
               if not f.metadata.get("internal") and f.name not in text]
    assert missing == []
