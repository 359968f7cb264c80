"""Approval only from evidence, and columns read by what they hold, on small calendars shaped
like real agency ones.

Seen on real calendars: a "Review By" column (a review deadline, or the reviewer) was read as
the approver, so a deadline approved a post; calendars with no approval column silently took
their statuses as approval; an approval date the tool could not read became "never
approved" and a critical finding; "Content Type" holding categories was read as the format,
and a "Link" holding a call to action as the asset.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import HEADER, at, audit, calendar_config, keys, only, row

from sheets_sync.parse import parse

NOW = at("2026-03-10 09:00")
APPROVAL_CODES = ("approval-missing", "published-without-approval",
                  "scheduled-without-approval", "approver-not-authorized", "no-approval-column",
                  "invalid-date", "invalid-boolean")


def run(rows: list[list[Any]], header: list[str], **calendar: Any) -> set[tuple[Any, ...]]:
    found = audit(rows, NOW, header=header, rules={
        "levels": only(*APPROVAL_CODES), **calendar.pop("rules", {})}, **calendar)
    return keys(found)


# --- "Review By" is never the approver ------------------------------------------------------

AGENCY = [*HEADER, "Review By", "Approved"]


def test_a_review_deadline_approves_nothing() -> None:
    """Approved is blank and Review By holds the date the client should look by: the post
    publishing tomorrow is not approved."""
    rows = [[*row("P1", date="2026-03-11 10:00"), "2026-03-10", ""]]
    assert run(rows, AGENCY) == {(2, "status", "approval-missing")}
    cal = parse([AGENCY, *rows], calendar_config())
    assert cal.headers["feedback_due"] == "Review By" and "approved_by" not in cal.columns


def test_a_reviewer_beside_no_is_not_an_unauthorised_approval() -> None:
    """With approvers configured, a reviewer's name beside Approved = No approved nothing,
    so it is not "approved by someone not authorised"."""
    rows = [[*row("P1", date="2026-03-20 10:00"), "Mehmet", "No"],
            [*row("P2", date="2026-03-20 10:00"), "Mehmet", "Yes"]]
    found = run(rows, AGENCY, rules={"approvals": {"approvers": ["Zeynep Kaya"]}})
    assert found == set()  # nobody is named as the approver
    cal = parse([AGENCY, *rows], calendar_config())  # names, and an Owner column already
    assert {"approved_by", "feedback_due"}.isdisjoint(cal.columns)
    assert cal.headers["owner"] == "Owner"
    no_owner = [h for h in AGENCY if h != "Owner"]
    cal = parse([no_owner, *([c for h, c in zip(AGENCY, r) if h != "Owner"] for r in rows)],
                calendar_config())
    assert cal.headers["owner"] == "Review By"
    assert cal.frame["owner"].tolist() == ["Mehmet", "Mehmet"]


def test_an_approver_column_is_checked_only_where_an_approval_is_recorded() -> None:
    header = [*HEADER, "Approved by", "Approved"]
    rows = [[*row("P1", date="2026-03-20 10:00"), "Mehmet", "No"],
            [*row("P2", date="2026-03-20 10:00"), "Mehmet", "Yes"]]
    found = run(rows, header, rules={"approvals": {"approvers": ["Zeynep Kaya"]}})
    assert found == {(3, "approved_by", "approver-not-authorized")}


# --- no approval column ---------------------------------------------------------------------


def test_without_an_approval_column_the_audit_says_which_statuses_it_trusts() -> None:
    rows = [row("P1", date="2026-03-01 10:00", status="Published"),
            row("P2", date="2026-03-12 10:00", status="Scheduled"),
            row("P3", date="2026-03-11 10:00", status="Draft")]
    found = audit(rows, NOW, rules={"levels": only(*APPROVAL_CODES)})
    assert keys(found) == {(None, "approved", "no-approval-column"),
                           (4, "status", "approval-missing")}
    notice = next(f for f in found if f.code == "no-approval-column")
    assert notice.severity.label == "info"
    assert notice.message == (
        "This calendar has no approval column, so a post counts as approved only when its "
        "status says so (“Published”, “Scheduled”), and published or scheduled posts cannot "
        "be checked for an approval. Add an “Approved” column (yes/no) or an “Approval date” "
        "column to record the client's approvals.")


def test_an_approver_name_alone_is_no_approval_column() -> None:
    header = [*HEADER, "Approved by"]
    rows = [[*row("P1", date="2026-03-11 10:00", status="Draft"), "Zeynep"],
            [*row("P2", date="2026-03-01 10:00", status="Published"), ""]]
    found = audit(rows, NOW, header=header, rules={"levels": only(*APPROVAL_CODES)})
    assert keys(found) == {(None, "approved", "no-approval-column"),
                           (2, "status", "approval-missing")}
    notice = next(f for f in found if f.code == "no-approval-column")
    assert "(“Published”)" in notice.message
    assert ("The “Approved by” column names a person, but a name alone is not taken as an "
            "approval.") in notice.message


def test_the_notice_is_in_turkish_for_a_turkish_calendar() -> None:
    found = audit([row("P1", status="Yayınlandı")], NOW, language="tr",
                  rules={"levels": only("no-approval-column")})
    assert [f.message[:33] for f in found] == ["Bu takvimde onay sütunu yok: bir "]
    assert "(“Yayınlandı”)" in found[0].message


def test_with_an_approval_column_there_is_no_notice_and_going_out_unapproved_is_caught() -> None:
    header = [*HEADER, "Approved"]
    rows = [[*row("P1", date="2026-03-01 10:00", status="Published"), ""],
            [*row("P2", date="2026-03-12 10:00", status="Scheduled"), "Yes"]]
    assert run(rows, header) == {(2, "status", "published-without-approval")}


# --- evidence that cannot be read -----------------------------------------------------------


def test_an_unreadable_approval_date_is_a_finding_not_a_verdict() -> None:
    """"24th Sept" is not read as a date: that cell is reported, and the post is called
    neither approved nor unapproved."""
    header = [*HEADER, "Date Approved"]
    rows = [[*row("P1", date="2026-03-01 10:00", status="Published"), "24th Sept"],
            [*row("P2", date="2026-03-11 10:00", status="Draft"), "24th Sept"],
            [*row("P3", date="2026-03-01 10:00", status="Published"), ""],
            [*row("P4", date="2026-03-01 10:00", status="Published"), "2026-02-27"]]
    found = run(rows, header, columns={"approved_at": ["Date Approved"]})
    assert found == {(2, "approved_at", "invalid-date"), (3, "approved_at", "invalid-date"),
                     (4, "status", "published-without-approval")}


def test_an_unreadable_flag_is_a_finding_and_a_readable_flag_still_decides() -> None:
    header = [*HEADER, "Approved", "Approved on"]
    rows = [[*row("P1", date="2026-03-11 10:00"), "maybe", ""],
            [*row("P2", date="2026-03-11 10:00"), "No", "someday"],
            [*row("P3", date="2026-03-01 10:00", status="Published"), "Yes", "someday"]]
    assert run(rows, header) == {(2, "approved", "invalid-boolean"),
                                 (3, "approved_at", "invalid-date"),
                                 (4, "approved_at", "invalid-date"),
                                 (3, "status", "approval-missing")}


# --- columns read by what they hold ---------------------------------------------------------


def test_a_content_type_of_categories_is_the_pillar_not_the_format() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Content Type", "Caption"]
    rows: list[list[Any]] = [["P1", "X", "2026-03-20", "Draft", "Educational", "Hi"],
                             ["P2", "X", "2026-03-21", "Draft", "Testimonial", "Hey"],
                             ["P3", "X", "2026-03-22", "Draft", "product_demo", "Yo"]]
    cal = parse([header, *rows], calendar_config())
    assert "format" not in cal.columns and cal.headers["pillar"] == "Content Type"
    assert not keys(audit(rows, NOW, header=header), "unknown-format")
    formats = [["P1", "X", "2026-03-20", "Draft", "Reel 15s", "Hi"],
               ["P2", "X", "2026-03-21", "Draft", "Feed carousel", "Hey"],
               ["P3", "X", "2026-03-22", "Draft", "Quiz", "Yo"]]
    cal = parse([header, *formats], calendar_config())  # mostly formats: read as the format
    assert cal.headers["format"] == "Content Type" and "pillar" not in cal.columns


def test_categories_in_a_type_column_beside_a_pillar_column_are_read_as_nothing() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Type", "Pillar", "Caption"]
    rows: list[list[Any]] = [["P1", "X", "2026-03-20", "Draft", "Educational", "Tips", "Hi"]]
    cal = parse([header, *rows], calendar_config())
    assert "format" not in cal.columns and cal.headers["pillar"] == "Pillar"


def test_a_link_of_calls_to_action_is_not_the_asset() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption", "Link/CTA"]
    rows: list[list[Any]] = [["P1", "X", "2026-03-20", "Draft", "Hi", "Sign up today"],
                             ["P2", "X", "2026-03-21", "Draft", "Hey", "Join the waitlist"]]
    assert "asset" in parse([[*header[:5], "Link"], [*rows[0][:5], "https://x.example/a"]],
                            calendar_config()).columns
    cal = parse([[*header[:5], "Link"], *rows], calendar_config())
    assert set(cal.columns) == {"post_id", "channel", "publish_at", "status", "caption"}
    assert not keys(audit(rows, NOW, header=[*header[:5], "Link"]), "invalid-link")


def test_a_configured_mapping_is_taken_as_written() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Content Type", "Caption"]
    rows: list[list[Any]] = [["P1", "X", "2026-03-20", "Draft", "Educational", "Hi"]]
    cal = parse([header, *rows], calendar_config(columns={"format": ["Content Type"]}))
    assert cal.headers["format"] == "Content Type"


# --- dates not set yet ----------------------------------------------------------------------


def test_tbc_asap_and_never_are_dates_not_set_not_errors() -> None:
    rows = [row("P1", date="TBC"), row("P2", date=" asap "), row("P3", date="NEVER"),
            row("P4", date="next week"), row("P5", date=""), row("P6", date="TBC-site-launch"),
            row("P7", date="Not set")]
    found = audit(rows, NOW, rules={"levels": only("date-not-set", "invalid-date",
                                                   "missing-required", "approval-missing",
                                                   "stale-unpublished")})
    assert keys(found) == {(2, "publish_at", "date-not-set"), (3, "publish_at", "date-not-set"),
                           (4, "publish_at", "date-not-set"), (5, "publish_at", "invalid-date"),
                           (6, "publish_at", "missing-required"),
                           (7, "publish_at", "date-not-set"), (8, "publish_at", "date-not-set")}
    notice = next(f for f in found if f.row == 3)
    assert notice.severity.label == "info"
    assert notice.message == ("Publish date: “asap” says the date is not set yet: the post is "
                              "left out of the rules that need a date until it has one.")


@pytest.mark.parametrize(("cell", "asset"), [
    ("https://cdn.example.com/a b.jpg", True),  # a scheme: a link, spaces or not
    ("www.example.com/summer sale", True),  # www. at the start
    ("posts/day-01.jpg", True), ("mondialeenville.ch", True),  # a path, a domain
    ("Sign up today", False), ("Lien bio", False), ("see a/b folder", False),
    ("Book now.", False), ("Read it at www.example.com", False), ("posts/day-01", True),
    ("Subscribe", False),
], ids=["scheme", "www", "path", "domain", "cta", "french-cta", "slash-in-text",
        "full-stop-in-text", "www-inside-text", "path-without-dot", "one-word"])
def test_what_counts_as_a_link_for_the_asset_column(cell: str, asset: bool) -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption", "Link"]
    cal = parse([header, ["P1", "X", "2026-03-20", "Draft", "Hi", cell]], calendar_config())
    assert ("asset" in cal.columns) is asset


@pytest.mark.parametrize(("cells", "field"), [
    (["2026-03-18", "2026-03-19", "Zeynep"], "feedback_due"),  # mostly dates
    (["2026-03-18", "Zeynep", "Ali"], "owner"),  # mostly names
    (["2026-03-18", "Zeynep"], "feedback_due"),  # half and half: the header's word stands
], ids=["dates", "names", "half"])
def test_a_review_by_column_is_read_by_what_most_cells_hold(cells: list[str], field: str) -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Review By"]
    rows = [[f"P{i}", "X", "2026-03-20", "Draft", c] for i, c in enumerate(cells)]
    cal = parse([header, *rows, ["P9", "X", "2026-03-20", "Draft", ""]], calendar_config())
    assert cal.headers[field] == "Review By"


def test_blank_cells_do_not_count_against_a_columns_values() -> None:
    """One link and three blank cells: the column is still the asset (blanks say nothing)."""
    header = ["ID", "Channel", "Publish date", "Status", "Caption", "Link"]
    rows: list[list[Any]] = [["P1", "X", "2026-03-20", "Draft", "Hi", "https://x.example/a"],
                             *([f"P{i}", "X", "2026-03-20", "Draft", "Hi", ""]
                               for i in range(2, 5))]
    assert parse([header, *rows], calendar_config()).headers["asset"] == "Link"


def test_a_field_switched_off_is_not_given_a_moved_column() -> None:
    """columns.pillar = [] says the calendar has no pillar: categories in Content Type are
    then read as nothing, not as the pillar."""
    header = ["ID", "Channel", "Publish date", "Status", "Content Type", "Caption"]
    rows: list[list[Any]] = [["P1", "X", "2026-03-20", "Draft", "Educational", "Hi"]]
    cal = parse([header, *rows], calendar_config(columns={"pillar": []}))
    assert {"format", "pillar"}.isdisjoint(cal.columns)


def test_a_past_draft_with_an_approval_or_an_unreadable_one_is_stale_without_never_approved(
        ) -> None:
    header = [*HEADER, "Approved"]
    rows = [[*row("P1", date="2026-03-09 10:00"), "Yes"],
            [*row("P2", date="2026-03-09 10:00"), "maybe"],
            [*row("P3", date="2026-03-09 10:00"), "No"]]
    found = audit(rows, NOW, header=header, rules={"levels": only("stale-unpublished")})
    never = {f.row: "never approved" in f.message for f in found}
    assert never == {2: False, 3: False, 4: True}
