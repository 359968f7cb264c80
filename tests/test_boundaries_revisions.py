"""Boundary tables for the revision-round rules, written from their documented meaning.

``sheets_sync/rules/revisions.py``: allowed rounds are ``included_rounds`` plus the sheet's
"Extra rounds" (``extra_rounds_approved``); rounds beyond ``included_rounds`` are billable.
revision-last-round (warning): the post is back in client review having used all allowed rounds;
revision-limit-exceeded (error): more rounds used than allowed (any status but cancelled), with
the billable count. ``on_exceed = "hold"`` additionally puts such a post on hold when syncing
(``config/example.toml``). Nothing here depends on the time of day or the zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from conftest import HEADER, audit, calendar_config, only, row

from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.guarded import guarded_writes
from sheets_sync.model import Finding, Severity
from sheets_sync.parse import parse
from sheets_sync.validate import validate

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Istanbul"))
W, E = Severity.WARNING, Severity.ERROR
LAST = (2, "revision_round", "revision-last-round")
OVER = (2, "revision_round", "revision-limit-exceeded")
REVISION_HEADER = [*HEADER, "Revision round", "Extra rounds"]
CODES = ("revision-last-round", "revision-limit-exceeded")


def rounds(used: Any, extra: Any = "", *, post_id: str = "P1", client: str = "Acme",
           status: str = "Client review") -> list[Any]:
    return [*row(post_id, client=client, status=status), used, extra]


def run(rows: list[list[Any]], revisions: dict[str, Any] | None = None,
        clients: dict[str, Any] | None = None) -> list[Finding]:
    rules = {"revisions": revisions or {}, "levels": only(*CODES)}
    return audit(rows, NOW, header=REVISION_HEADER, rules=rules, clients=clients or {})


def graded(findings: list[Finding]) -> set[tuple[int | None, str, str, Severity]]:
    return {(*f.key(), f.severity) for f in findings}


# (included_rounds, rounds used, extra rounds approved, status, findings, message or None)
TABLE: list[tuple[int, Any, Any, str, set[tuple[Any, ...]], str | None]] = [
    # included_rounds = 2: one round before the last, the last, one over.
    (2, 1, "", "Client review", set(), None),
    (2, 2, "", "Client review", {(*LAST, W)},
     "Back in review after 2 of 2 revision rounds: this is the last included round."),
    (2, 3, "", "Client review", {(*OVER, E)},
     "3 revision rounds used, 2 allowed: 1 billable extra round."),
    # The same rounds under included_rounds one below and one above.
    (1, 2, "", "Client review", {(*OVER, E)},
     "2 revision rounds used, 1 allowed: 1 billable extra round."),
    (3, 2, "", "Client review", set(), None),
    (3, 3, "", "Client review", {(*LAST, W)}, "after 3 of 3 revision rounds"),
    (3, 4, "", "Client review", {(*OVER, E)}, "4 revision rounds used, 3 allowed: 1 billable"),
    # The last round is only news when the post is back in review ...
    (2, 2, "", "Changes requested", set(), None),
    (2, 2, "", "Draft", set(), None),
    (2, 2, "", "Approved", set(), None),
    # ... while rounds beyond the limit count in every status but cancelled.
    (2, 3, "", "Changes requested", {(*OVER, E)}, None),
    (2, 3, "", "Approved", {(*OVER, E)}, None),
    (2, 3, "", "Published", {(*OVER, E)}, None),
    (2, 3, "", "Cancelled", set(), None),
    (2, 4, "", "Cancelled", set(), None),
    # Approved extra rounds move the limit; the rounds beyond included_rounds stay billable.
    (2, 3, 1, "Client review", {(*LAST, W)}, "after 3 of 3 revision rounds"),
    (2, 4, 1, "Client review", {(*OVER, E)},
     "4 revision rounds used, 3 allowed: 2 billable extra rounds."),
    (2, 2, 1, "Client review", set(), None),
    (2, 3, 1, "Approved", set(), None),
    (2, 5, 3, "Client review", {(*LAST, W)}, "after 5 of 5 revision rounds"),
    # included_rounds = 0 (allowed): any revision is beyond the contract.
    (0, 1, "", "Client review", {(*OVER, E)},
     "1 revision round used, 0 allowed: 1 billable extra round."),
    (0, 1, "", "Changes requested", {(*OVER, E)}, None),
    (0, 1, 1, "Client review", {(*LAST, W)}, "after 1 of 1 revision round"),
    (0, 2, 1, "Client review", {(*OVER, E)},
     "2 revision rounds used, 1 allowed: 2 billable extra rounds."),
    # With 0 rounds used and 0 allowed, a post in its first review has had no revision, so it
    # is not "back in review after" one. Whether the last-round warning should already come
    # with the first review under a zero-round contract is not documented; this holds the
    # current behaviour (nothing until a revision is used).
    (0, 0, "", "Client review", set(), None),
    (0, "", "", "Client review", set(), None),
    (2, "", "", "Client review", set(), None),
]


@pytest.mark.parametrize(("included", "used", "extra", "status", "expected", "message"), TABLE)
def test_revision_rounds_boundary(included: int, used: Any, extra: Any, status: str,
                                  expected: set[tuple[Any, ...]], message: str | None) -> None:
    found = run([rounds(used, extra, status=status)], {"included_rounds": included})
    assert graded(found) == expected
    if message is not None:
        assert message in found[0].message


# (client, rounds used, findings). Acme's contract includes 3 rounds; Beta has no settings of
# its own and gets the calendar's default of 2.
CLIENTS = [
    ("Acme", 2, set()),
    ("Acme", 3, {(*LAST, W)}),
    ("Acme", 4, {(*OVER, E)}),
    ("Beta", 1, set()),
    ("Beta", 2, {(*LAST, W)}),
    ("Beta", 3, {(*OVER, E)}),
]


@pytest.mark.parametrize(("client", "used", "expected"), CLIENTS)
def test_included_rounds_with_and_without_a_client_contract(client: str, used: int,
                                                            expected: set[Any]) -> None:
    contract = {"Acme": {"rules": {"revisions": {"included_rounds": 3}}}}
    assert graded(run([rounds(used, client=client)], clients=contract)) == expected


def test_each_client_gets_its_own_limit_in_one_calendar() -> None:
    rows = [rounds(3, post_id="A1"), rounds(3, post_id="B1", client="Beta"),
            rounds(1, post_id="C1", client="Gamma")]
    found = run(rows, {"included_rounds": 1},
                {"Acme": {"rules": {"revisions": {"included_rounds": 3}}},
                 "Gamma": {"rules": {"revisions": {"included_rounds": 0}}}})
    assert graded(found) == {(2, "revision_round", "revision-last-round", W),
                             (3, "revision_round", "revision-limit-exceeded", E),
                             (4, "revision_round", "revision-limit-exceeded", E)}


# --------------------------------------------------------------------------------------------
# on_exceed: "report" only reports; "hold" also puts the post on hold when syncing

# (on_exceed, rounds used, put on hold). included_rounds = 2.
ON_EXCEED = [
    ("report", 2, False),
    ("report", 3, False),
    ("hold", 2, False),    # the last round is not beyond the limit
    ("hold", 3, True),
    ("hold", 4, True),
]


@pytest.mark.parametrize(("on_exceed", "used", "held"), ON_EXCEED)
def test_on_exceed_boundary(on_exceed: str, used: int, held: bool) -> None:
    grid = [REVISION_HEADER, rounds(used), rounds(used, post_id="B1", client="Beta")]
    # Only Acme opts in; Beta keeps the default ("report").
    config = calendar_config(
        rules={"revisions": {"included_rounds": 2}, "levels": only(*CODES)},
        clients={"Acme": {"rules": {"revisions": {"on_exceed": on_exceed}}}})
    calendar = parse(grid, config)
    findings = validate(calendar, config, NOW)
    # The findings do not depend on on_exceed.
    assert set(findings["code"]) == {"revision-last-round" if used == 2 else
                                     "revision-limit-exceeded"}
    assert list(findings["row"]) == [2, 3]
    backend = MemoryBackend({"Calendar": grid})
    done = guarded_writes(calendar, findings, backend, grid, "Calendar", config)
    assert done == (["row 2: post P1 put on hold (revision limit)"] if held else [])
    assert backend.tabs["Calendar"][1][5] == ("On hold" if held else "Client review")
    assert backend.tabs["Calendar"][2][5] == "Client review"
