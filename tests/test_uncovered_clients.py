"""Per-client settings mixed in one calendar: one client has an approver list, another a
revision contract that puts posts on hold, a third nothing of its own. A sync through the
command line applies each setting to its client's rows only, in the findings, the Report and
the one guarded write into the calendar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner, Result
from conftest import write_workbook

from sheets_sync.cli import main
from sheets_sync.outputs import report_table

HEADER = ["ID", "Client", "Channel", "Format", "Publish date", "Status", "Caption", "Asset",
          "Owner", "Approved by", "Revision round"]
CONFIG = """\
[[calendars]]
name = "plan"
path = "plan.xlsx"
tab = "Calendar"
[calendars.rules.revisions]          # the calendar's default contract: 2 rounds, reported
included_rounds = 2
[calendars.clients.Acme.rules.approvals]
approvers = ["Jane Doe"]             # Acme: only Jane approves; the default contract
[calendars.clients.Beta.rules.revisions]
included_rounds = 1                  # Beta: one round, then the post is put on hold
on_exceed = "hold"
# Gamma is not configured: the calendar's settings, anyone may approve.
"""
ROUNDS = ("revision-limit-exceeded", "revision-last-round", "approver-not-authorized")


def post(post_id: str, client: str, status: str, approved_by: str = "",
         rounds: int | None = None, day: int = 20) -> list[Any]:
    return [post_id, client, "Instagram", "Post", f"2026-03-{day} 10:00", status,
            f"Caption of {post_id}", f"https://cdn.example.com/{post_id}.jpg", "Ayşe",
            approved_by, rounds]


ROWS = [
    post("A1", "Acme", "Client review", rounds=3),         # row 2: 3 of 2 rounds
    post("A2", "Acme", "Approved", "Bob", day=21),         # row 3: Bob may not approve
    post("A3", "Acme", "Approved", "jane doe", day=22),    # row 4: Jane, however written
    post("B1", "Beta", "Client review", rounds=2),         # row 5: 2 of 1 round: on hold
    post("B2", "Beta", "Approved", "Bob", day=21),         # row 6
    post("G1", "Gamma", "Client review", rounds=2),        # row 7: the last of 2 rounds
    post("G2", "Gamma", "Approved", "Bob", day=21),        # row 8
]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def setup(tmp_path: Path) -> Path:
    write_workbook(tmp_path / "plan.xlsx", [HEADER, *ROWS])
    config = tmp_path / "agency.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def tab(path: Path, name: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))


def test_each_clients_settings_apply_to_its_rows_only(tmp_path: Path) -> None:
    config = setup(tmp_path)
    result = invoke("sync", "--config", str(config), "--today", "2026-03-10")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "row 5: post B1 put on hold (revision limit)"
    assert "put on hold" not in "".join(result.stdout.splitlines()[1:])

    workbook = tmp_path / "plan.xlsx"
    statuses = {line[0]: line[5] for line in tab(workbook, "Calendar")[1:]}
    assert statuses == {"A1": "Client review", "A2": "Approved", "A3": "Approved",
                        "B1": "On hold", "B2": "Approved", "G1": "Client review",
                        "G2": "Approved"}

    status = tab(workbook, "Status")
    header = status[0]
    code, post, what = (header.index(h) for h in ("Code", "Post", "What"))
    found = {(line[code], line[post].split(" · ")[0]): line[what] for line in status[1:]
             if len(line) > code and line[code] in ROUNDS}
    assert set(found) == {("revision-limit-exceeded", "A1"), ("approver-not-authorized", "A2"),
                          ("revision-limit-exceeded", "B1"), ("revision-last-round", "G1")}
    assert found[("revision-limit-exceeded", "A1")].startswith(
        "3 revision rounds used, 2 allowed: 1 billable")
    assert found[("revision-limit-exceeded", "B1")].startswith(
        "2 revision rounds used, 1 allowed: 1 billable")
    assert "(Jane Doe)" in found[("approver-not-authorized", "A2")]
    assert found[("revision-last-round", "G1")].startswith("Back in review after 2 of 2")

    report = tab(workbook, "Report")
    usage = report_table([list(line) for line in report], "Revision usage per client per month")
    assert usage[0] == ["Client · month", "Posts", "Rounds used", "Included rounds per post",
                        "Extra rounds approved", "Billable extra rounds"]
    # Included rounds are each client's per post: Acme 2, Beta 1, Gamma 2.
    assert usage[1:] == [
        ["Acme · 2026-03", 3, 3, 2, 0, 1],
        ["Beta · 2026-03", 2, 2, 1, 0, 1],
        ["Gamma · 2026-03", 2, 2, 2, 0, 0],
    ]


def test_a_post_already_on_hold_is_not_put_on_hold_again(tmp_path: Path) -> None:
    config = setup(tmp_path)
    assert invoke("sync", "--config", str(config), "--today", "2026-03-10").exit_code == 0
    again = invoke("sync", "--config", str(config), "--today", "2026-03-11")
    assert again.exit_code == 0, again.stderr
    assert "put on hold" not in again.stdout
    statuses = {line[0]: line[5] for line in tab(tmp_path / "plan.xlsx", "Calendar")[1:]}
    assert (statuses["B1"], statuses["A1"]) == ("On hold", "Client review")


def test_check_config_lists_the_configured_clients(tmp_path: Path) -> None:
    config = setup(tmp_path)
    result = invoke("check-config", "--config", str(config))
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("calendar 'plan': xlsx ") and first.endswith("; clients: Acme, Beta")
