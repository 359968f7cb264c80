"""Rules on calendars as agencies keep them: last year's posts still in the sheet
(ignore_before, --since), status words the tool does not know, X threads written in one
caption, and text-only posts that have no asset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import at, audit, calendar_config, keys, only

from sheets_sync.cli import main
from sheets_sync.config import from_dict, load
from sheets_sync.errors import ConfigError
from sheets_sync.findings import to_findings
from sheets_sync.history import Observed
from sheets_sync.model import Finding
from sheets_sync.parse import parse
from sheets_sync.rules.scope import NEEDS_STATUS, TIME_BASED
from sheets_sync.rules.threads import tweets
from sheets_sync.validate import validate

NOW = at("2026-03-10 09:00")
HEADER = ["ID", "Channel", "Format", "Publish date", "Status", "Caption", "Asset", "Approved",
          "Sent for review", "Revision round"]
UNKNOWN = "Jo has it"  # a status word no vocabulary knows, nor comes close to


def post(post_id: str, date: str = "2026-03-20 10:00", status: str = "Draft", *,
         channel: str = "Instagram", fmt: str = "Post", caption: str = "Hello",
         asset: str = "https://cdn.example.com/a.jpg", approved: str = "",
         sent: str = "", rounds: Any = None) -> list[Any]:
    return [post_id, channel, fmt, date, status, caption, asset, approved, sent, rounds]


def run(rows: list[list[Any]], *codes: str, now: Any = NOW, **calendar: Any) -> list[Finding]:
    rules = {**calendar.pop("rules", {}), "levels": only(*codes)}
    return audit(rows, now, header=HEADER, rules=rules, **calendar)


def messages(found: list[Finding], code: str) -> list[str]:
    return [f.message for f in found if f.code == code]


# --------------------------------------------------------------------------------------------
# 1. ignore_before / --since: last year's posts are history for the time-based checks


HISTORY = [
    post("P1", "2025-12-15 10:00", "Draft"),                          # stale, were it checked
    post("P2", "2025-12-20 10:00", "Published", approved="No"),       # went out unapproved
    post("P3", "2025-12-22 10:00", "Client review", sent="2025-12-01"),  # feedback overdue
    post("P4", "2025-12-23 10:00", "Scheduled", caption="x" * 300, channel="X",
         approved="Yes"),                                             # too long: a data check
    post("P5", "2025-12-24 10:00", ""),                               # no status: a data check
    post("P6", "2026-03-05 10:00", "Draft"),                          # after the date: stale
    post("P7", "2026-03-11 10:00", "Draft"),                          # after it: approval due
    post("P8", "2026-01-01 10:00", "Draft"),                          # on the date: stale
]
TIMED = ("stale-unpublished", "approval-missing", "published-without-approval",
         "feedback-overdue", "caption-too-long", "missing-required", "rows-before-since")


def test_posts_before_ignore_before_get_only_the_checks_that_do_not_follow_the_clock() -> None:
    everything = keys(run(HISTORY, *TIMED))
    assert {(2, "status", "stale-unpublished"), (3, "status", "published-without-approval"),
            (4, "status", "feedback-overdue")} <= everything
    found = run(HISTORY, *TIMED, ignore_before="2026-01-01")
    assert keys(found) == {
        (5, "caption", "caption-too-long"), (6, "status", "missing-required"),
        (7, "status", "stale-unpublished"), (8, "status", "approval-missing"),
        (9, "status", "stale-unpublished"), (None, "publish_at", "rows-before-since")}
    said = messages(found, "rows-before-since")
    assert said == [
        "5 of the 8 posts are published before 2026-01-01 (ignore_before or --since): they "
        "are left out of the checks that follow the clock and the approvals of their time "
        f"({', '.join(TIME_BASED)}). Every other check still covers them."]


def test_one_post_before_ignore_before_is_said_in_the_singular() -> None:
    found = run([HISTORY[0], HISTORY[5]], "rows-before-since", ignore_before="2026-01-01")
    assert messages(found, "rows-before-since") == [
        "1 of the 2 posts is published before 2026-01-01 (ignore_before or --since): it is "
        "left out of the checks that follow the clock and the approvals of their time "
        f"({', '.join(TIME_BASED)}). Every other check still covers it."]


# For each time-based check about a post: a post it reports (published on 20 March at latest).
TIME_CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "stale-unpublished": ({"date": "2026-03-09 10:00"}, {}),
    "approval-missing": ({"date": "2026-03-11 10:00"}, {}),
    "published-without-approval": ({"status": "Published", "approved": "No"}, {}),
    "scheduled-without-approval": ({"status": "Scheduled", "approved": "No"}, {}),
    "feedback-overdue": ({"status": "Client review", "sent": "2026-03-02"}, {}),
    "deemed-approved": ({"status": "Client review", "sent": "2026-02-02"},
                        {"feedback": {"deemed_approved_after_days": 5}}),
}
CALENDAR_CHECKS = ("too-many-per-day", "cadence-below-contract", "calendar-gap")  # below


def test_every_time_based_check_is_listed() -> None:
    assert set(TIME_CASES) | set(CALENDAR_CHECKS) == set(TIME_BASED)


@pytest.mark.parametrize("code", list(TIME_CASES))
def test_a_time_based_check_leaves_out_a_post_before_the_date(code: str) -> None:
    cells, rules = TIME_CASES[code]
    assert code in {f.code for f in run([post("P1", **cells)], code, rules=rules)}
    later = run([post("P1", **cells)], code, rules=rules, ignore_before="2026-03-21")
    assert later == []


def test_a_date_with_no_post_before_it_says_nothing() -> None:
    found = run(HISTORY[5:], *TIMED, ignore_before="2026-01-01")
    assert keys(found) == {(2, "status", "stale-unpublished"), (3, "status", "approval-missing"),
                           (4, "status", "stale-unpublished")}


def test_rows_before_since_in_turkish() -> None:
    found = run(HISTORY, "rows-before-since", ignore_before="2026-01-01", language="tr")
    assert messages(found, "rows-before-since")[0].startswith(
        "8 gönderiden 5 tanesi 01.01.2026 tarihinden önce yayınlanıyor")


def test_days_before_the_date_are_not_counted_per_day() -> None:
    crowded = [post(f"P{i}", f"2026-03-12 {10 + i}:00") for i in range(4)]
    assert keys(run(crowded, "too-many-per-day")) == {(5, "publish_at", "too-many-per-day")}
    assert run(crowded, "too-many-per-day", ignore_before="2026-03-16") == []


def test_weeks_that_begin_before_the_date_are_not_held_to_the_contract() -> None:
    # None in the week of 9 March (today's), two in the week of 16 March, then three a week.
    rows = [post("P1", "2026-03-16 10:00"), post("P2", "2026-03-17 10:00")]
    rows += [post(f"Q{day}", f"2026-03-{day} 10:00") for day in (23, 24, 25)]
    rows += [post(f"R{day}", f"2026-04-0{day} 10:00") for day in (1, 2, 3, 7, 8, 9)]
    contract = {"cadence": {"posts_per_week": {"instagram": 3}}}
    week_12 = ("Acme: 2 Instagram posts planned in week 12 (2026-03-16); the contract says 3. "
               "Plan 1 more.")
    weeks = [f.message for f in run(rows, "cadence-below-contract", rules=contract)]
    assert weeks == ["Acme: 0 Instagram posts planned in week 11 (2026-03-09); the contract "
                     "says 3. Plan 3 more.", week_12]
    # A week that begins on the date is checked.
    later = run(rows, "cadence-below-contract", rules=contract, ignore_before="2026-03-16")
    assert [f.message for f in later] == [week_12]
    assert run(rows, "cadence-below-contract", rules=contract, ignore_before="2026-03-17") == []


def test_gaps_are_looked_for_from_the_date_on() -> None:
    rows = [post("P1", "2026-03-11 10:00"), post("P2", "2026-03-25 10:00")]
    rows += [post(f"P{day}", f"2026-04-{day:02} 10:00") for day in range(1, 8)]
    plain = messages(run(rows, "calendar-gap"), "calendar-gap")
    assert plain == ["Acme: no Instagram post from 2026-03-12 to 2026-03-24 (13 days). Plan a "
                     "post in that gap."]
    later = messages(run(rows, "calendar-gap", ignore_before="2026-03-16"), "calendar-gap")
    assert later == ["Acme: no Instagram post from 2026-03-16 to 2026-03-24 (9 days). Plan a "
                     "post in that gap."]


def test_a_date_already_past_leaves_gaps_from_today_as_they_are() -> None:
    rows = [post(f"P{day}", f"2026-03-{day} 10:00") for day in (18, 25)]
    rows += [post(f"P{day}", f"2026-04-0{day} 10:00") for day in (1, 6)]
    gap = ["Acme: no Instagram post from 2026-03-10 to 2026-03-17 (8 days). Plan a post in "
           "that gap."]
    assert messages(run(rows, "calendar-gap"), "calendar-gap") == gap
    assert messages(run(rows, "calendar-gap", ignore_before="2026-01-01"), "calendar-gap") == gap


def test_a_channel_used_only_before_the_date_has_no_gap() -> None:
    rows = [post("P1", "2025-11-02 10:00", "Published", channel="TikTok", approved="Yes")]
    rows += [post(f"P{day}", f"2026-03-{day} 10:00") for day in range(10, 31, 5)]
    rows += [post(f"Q{day}", f"2026-04-0{day} 10:00") for day in (1, 6)]
    assert "TikTok" in " ".join(messages(run(rows, "calendar-gap"), "calendar-gap"))
    assert run(rows, "calendar-gap", ignore_before="2026-01-01") == []


@pytest.mark.parametrize(("data", "problem"), [
    ({"calendars": [{"name": "a", "backend": "memory", "ignore_before": "01.01.2026"}]},
     "calendars[0].ignore_before: '01.01.2026' is not a date; write it as \"2026-01-01\""),
    ({"calendars": [{"name": "a", "backend": "memory", "ignore_before": "2026-02-30"}]},
     "calendars[0].ignore_before: '2026-02-30' is not a date"),
    ({"defaults": {"ignore_before": "soon"}, "calendars": [{"name": "a", "backend": "memory"}]},
     "defaults.ignore_before: 'soon' is not a date"),
], ids=["day-first", "no-such-day", "in-defaults"])
def test_an_ignore_before_that_is_not_a_date_is_a_configuration_error(
        data: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        from_dict(data)
    assert problem in str(raised.value)


def test_ignore_before_is_inherited_from_defaults_and_may_be_a_toml_date(
        tmp_path: Path) -> None:
    path = tmp_path / "agency.toml"
    path.write_text('[defaults]\nignore_before = 2026-01-01\n\n[[calendars]]\nname = "a"\n'
                    'backend = "memory"\n\n[[calendars]]\nname = "b"\nbackend = "memory"\n'
                    'ignore_before = "2025-07-01"\n', encoding="utf-8")
    first, second = load(path).calendars
    assert (first.ignore_before, second.ignore_before) == ("2026-01-01", "2025-07-01")


def csv_calendar(path: Path) -> Path:
    path.write_text("ID,Channel,Publish date,Status,Caption\n"
                    "P1,Instagram,2025-12-15 10:00,Draft,Old\n"
                    "P2,Instagram,2026-02-20 10:00,Draft,Newer\n", encoding="utf-8")
    return path


def audited_rows(*args: str) -> tuple[int, set[tuple[int | None, str]]]:
    import json

    result = CliRunner().invoke(main, ["audit", *args, "--today", "2026-03-10", "--format",
                                       "json"])
    found = json.loads(result.stdout)["findings"] if result.exit_code in (0, 1) else []
    return result.exit_code, {(f["row"], f["code"]) for f in found}


def test_since_leaves_older_posts_out_and_wins_over_the_configuration(tmp_path: Path) -> None:
    calendar = csv_calendar(tmp_path / "plan.csv")
    _, plain = audited_rows(str(calendar))
    assert {(2, "stale-unpublished"), (3, "stale-unpublished")} <= plain
    _, since = audited_rows(str(calendar), "--since", "2026-01-01")
    assert (2, "stale-unpublished") not in since and (3, "stale-unpublished") in since
    assert (None, "rows-before-since") in since
    config = tmp_path / "agency.toml"
    config.write_text(f'[[calendars]]\nname = "plan"\nbackend = "csv"\npath = "{calendar}"\n'
                      'ignore_before = "2026-03-01"\n', encoding="utf-8")
    _, configured = audited_rows("--config", str(config))
    assert not {(2, "stale-unpublished"), (3, "stale-unpublished")} & configured
    _, overridden = audited_rows("--config", str(config), "--since", "2026-01-01")
    assert (3, "stale-unpublished") in overridden and (2, "stale-unpublished") not in overridden


def test_since_that_is_not_a_date_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["audit", str(csv_calendar(tmp_path / "plan.csv")),
                                       "--since", "1/1/2026"])
    assert result.exit_code == 2
    assert "--since: '1/1/2026' is not a date; write it as YYYY-MM-DD" in result.stderr


def test_sync_since_writes_no_stale_finding_for_older_posts(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Calendar"
    for line in (["ID", "Channel", "Publish date", "Status", "Caption"],
                 ["P1", "Instagram", "2025-12-15 10:00", "Draft", "Old"],
                 ["P2", "Instagram", "2026-02-20 10:00", "Draft", "Newer"]):
        sheet.append(line)
    workbook.save(path)
    result = CliRunner().invoke(main, ["sync", str(path), "--today", "2026-03-10", "--since",
                                       "2026-01-01", "--quiet"])
    assert result.exit_code == 0, result.output
    status = list(openpyxl.load_workbook(path)["Status"].iter_rows(values_only=True))
    code, post = status[0].index("Code"), status[0].index("Post")
    stale = {str(r[post]).split(" · ")[0] for r in status[1:] if r[code] == "stale-unpublished"}
    assert stale == {"P2"}


# --------------------------------------------------------------------------------------------
# 2. An unknown status word switches off only the checks that need the status


# For each check that needs the status: a post the check reports with a known status word.
NEEDING: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "missing-required": ({"status": "Client review", "asset": ""}, {}),
    "stale-unpublished": ({"date": "2026-03-09 10:00", "approved": "Yes"}, {}),
    "published-without-approval": ({"status": "Published", "approved": "No"}, {}),
    "scheduled-without-approval": ({"status": "Scheduled", "approved": "No"}, {}),
    "feedback-overdue": ({"status": "Client review", "sent": "2026-03-02"}, {}),
    "deemed-approved": ({"status": "Client review", "sent": "2026-02-02"},
                        {"feedback": {"deemed_approved_after_days": 5}}),
    "revision-last-round": ({"status": "Client review", "sent": "2026-03-09", "rounds": 2}, {}),
}


def test_every_check_that_needs_the_status_is_listed() -> None:
    assert set(NEEDING) == set(NEEDS_STATUS)


@pytest.mark.parametrize("code", list(NEEDING))
def test_an_unknown_status_skips_a_check_that_needs_the_status_and_says_so(code: str) -> None:
    cells, rules = NEEDING[code]
    known = run([post("P1", **cells)], code, rules=rules)
    assert code in {f.code for f in known}
    unknown = run([post("P1", **{**cells, "status": UNKNOWN})], code, "unknown-status",
                  rules=rules)
    assert {f.code for f in unknown} == {"unknown-status"}
    assert code in unknown[0].message


def unknown_status(found: list[Finding]) -> str:
    (message,) = messages(found, "unknown-status")
    return message


SKIPPED = f"Status “{UNKNOWN}” is not known, so these checks that need the status were not made: "
KNOWN = ("Use one of: idea, draft, internal review, client review, changes requested, approved, "
         "scheduled, published, on hold, cancelled.")


def test_the_unknown_status_message_names_the_checks_the_post_missed() -> None:
    rows = [post("P1", status=UNKNOWN, approved="Yes"),
            post("P2", "2026-03-09 10:00", UNKNOWN, asset=""),
            post("P3", status=UNKNOWN, caption="", fmt="Text", asset="", approved="Yes",
                 rounds=1),
            post("P4", "2026-03-09 10:00", UNKNOWN, approved="maybe")]  # unreadable
    found = run(rows, "unknown-status", *NEEDS_STATUS)
    # Each post names what could have reported it: a blank caption or asset (a text post
    # needs no asset), a publish time passed, no approval recorded (an unreadable one is
    # neither), rounds used; review deadlines could apply to any post of a calendar with
    # review dates.
    assert {f.row: f.message for f in found if f.code == "unknown-status"} == {
        2: f"{SKIPPED}feedback-overdue. {KNOWN}",
        3: f"{SKIPPED}missing-required (Asset), stale-unpublished, published-without-approval, "
           f"scheduled-without-approval, feedback-overdue. {KNOWN}",
        4: f"{SKIPPED}missing-required (Caption), feedback-overdue, revision-last-round. {KNOWN}",
        5: f"{SKIPPED}stale-unpublished, feedback-overdue. {KNOWN}"}


def test_the_message_leaves_out_checks_that_are_off_or_cannot_apply() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption"]
    levels = {**only("unknown-status", *NEEDS_STATUS), "stale-unpublished": "off"}
    passed = [["P1", "X", "2026-03-09 10:00", UNKNOWN, ""]]
    found = audit(passed, NOW, header=header,
                  rules={"levels": levels, "feedback": {"deemed_approved_after_days": 5}})
    # No asset, approval, review or revision column, and stale-unpublished is off: only the
    # caption's requirement needed the status.
    assert unknown_status(found) == f"{SKIPPED}missing-required (Caption). {KNOWN}"
    levels["missing-required"] = "off"
    found = audit(passed, NOW, header=header, rules={"levels": levels})
    assert unknown_status(found) == f"Status “{UNKNOWN}” is not known. {KNOWN}"


def test_deemed_approval_is_named_where_the_client_has_it() -> None:
    found = run([post("P1", status=UNKNOWN, approved="Yes")], "unknown-status", *NEEDS_STATUS,
                rules={"feedback": {"deemed_approved_after_days": 1}})
    assert unknown_status(found) == f"{SKIPPED}feedback-overdue, deemed-approved. {KNOWN}"


def test_a_feedback_due_column_alone_makes_review_deadlines_known() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption", "Feedback due"]
    found = audit([["P1", "X", "2026-03-20 10:00", UNKNOWN, "Hi", "2026-03-12"]], NOW,
                  header=header, rules={"levels": only("unknown-status", *NEEDS_STATUS)})
    assert unknown_status(found) == f"{SKIPPED}feedback-overdue. {KNOWN}"


def test_earlier_cycles_make_review_deadlines_known() -> None:
    """In a sync the tool saw when posts entered review: a sheet with no review column can
    still have review deadlines."""
    header = ["ID", "Channel", "Publish date", "Status", "Caption"]
    config = calendar_config(rules={"levels": only("unknown-status", *NEEDS_STATUS)})
    calendar = parse([header, ["P1", "X", "2026-03-20 10:00", UNKNOWN, "Hi"]], config)
    seen = Observed(rounds=np.zeros(1), review_started=np.array(["NaT"], "datetime64[ns]"),
                    changed_after_approval=np.zeros(1, bool),
                    approved_seen_at=np.array(["NaT"], "datetime64[ns]"))
    found = to_findings(validate(calendar, config, NOW, seen))
    assert unknown_status(found) == f"{SKIPPED}feedback-overdue. {KNOWN}"
    assert unknown_status(to_findings(validate(calendar, config, NOW))) == \
        f"Status “{UNKNOWN}” is not known. {KNOWN}"


def test_a_post_before_ignore_before_misses_the_time_based_checks_for_that_reason() -> None:
    found = run([post("P1", "2025-12-01 10:00", UNKNOWN, asset="", approved="Yes")],
                "unknown-status", *NEEDS_STATUS, ignore_before="2026-01-01")
    assert unknown_status(found) == f"{SKIPPED}missing-required (Asset). {KNOWN}"


def test_the_skipped_checks_in_turkish() -> None:
    found = run([post("P1", "2026-03-09 10:00", UNKNOWN, approved="Yes")], "unknown-status",
                *NEEDS_STATUS, language="tr")
    assert unknown_status(found).startswith(
        f"“{UNKNOWN}” bilinen bir durum değil; bu yüzden duruma bağlı şu kontroller yapılmadı: "
        "stale-unpublished, feedback-overdue. Şunlardan birini kullanın:")


def test_an_unknown_status_is_no_approval() -> None:
    rows = [post("P1", "2026-03-11 10:00", UNKNOWN),                # tomorrow, not approved
            post("P2", "2026-03-11 10:00", UNKNOWN, approved="Yes"),  # approved in its row
            post("P3", "2026-03-09 10:00", UNKNOWN),                # passed, never approved
            post("P4", "2026-03-30 10:00", UNKNOWN),                # far off
            post("P5", "2026-03-11 10:00", "")]                     # no status: not a word
    found = run(rows, "approval-missing")
    assert keys(found) == {(2, "status", "approval-missing"), (4, "status", "approval-missing")}
    assert f"(status “{UNKNOWN}”)" in messages(found, "approval-missing")[0]


def test_an_unknown_status_without_an_approval_column_is_no_approval() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption"]
    found = audit([["P1", "X", "2026-03-11 10:00", "Signed off?", "Hi"]], NOW, header=header,
                  rules={"levels": only("approval-missing", "unknown-status")})
    assert keys(found) == {(2, "status", "approval-missing"), (2, "status", "unknown-status")}


def test_an_unknown_status_keeps_the_checks_that_do_not_need_it() -> None:
    rows = [post("P1", status=UNKNOWN, channel="X", caption="x" * 300),
            post("P2", status=UNKNOWN, asset="www.broken"),
            post("P3", "2026-03-21 10:00", UNKNOWN, caption="Spring is here"),
            post("P4", "2026-03-22 10:00", UNKNOWN, caption="Spring is here"),
            post("P5", "", UNKNOWN),
            post("P6", "2026-03-11 10:00", UNKNOWN, approved="No", caption="Tomorrow")]
    found = run(rows, "caption-too-long", "invalid-link", "duplicate-caption",
                "missing-required", "approval-missing")
    assert keys(found) == {(2, "caption", "caption-too-long"), (3, "asset", "invalid-link"),
                           (5, "caption", "duplicate-caption"),
                           (6, "publish_at", "missing-required"),
                           (7, "status", "approval-missing")}


# --------------------------------------------------------------------------------------------
# 3. X threads are measured tweet by tweet


def tweet(length: int, lead: str = "") -> str:
    return lead + "t" * (length - len(lead))


def test_a_thread_separated_by_blank_lines_names_the_tweet_over_the_limit() -> None:
    thread = "\n\n".join([tweet(200), tweet(250), tweet(301), tweet(100), tweet(280)])
    found = run([post("P1", channel="X", fmt="Thread", caption=thread)], "caption-too-long")
    assert keys(found) == {(2, "caption", "caption-too-long")}
    assert found[0].message == (
        "In this thread, tweet 3 of 5 is 301 characters (21 too many); X allows 280 a tweet. "
        "Shorten or split each tweet that is too long.")


def test_numbered_tweets_on_single_lines_are_a_thread() -> None:
    thread = "\n".join([tweet(120, "🧵 1/4 "), tweet(290, "2/4 "), tweet(281, "3/4 "),
                        tweet(50, "4/4 ")])
    found = run([post("P1", channel="Twitter", caption=thread)], "caption-too-long")
    assert [f.message for f in found] == [
        "In this thread, tweet 2 of 4 is 290 characters (10 too many), tweet 3 of 4 is 281 "
        "characters (1 too many); Twitter allows 280 a tweet. Shorten or split each tweet that "
        "is too long."]


def test_a_thread_whose_every_tweet_fits_is_not_too_long() -> None:
    blank_lines = "\n\n".join([tweet(270), tweet(280), tweet(260)])
    numbered = "\n".join([tweet(200, "1/ "), tweet(280, "2/ "), tweet(280, "3/ ")])
    rows = [post("P1", channel="X", fmt="Thread", caption=blank_lines),
            post("P2", channel="X", caption=numbered)]
    assert len(blank_lines) > 280 and len(numbered) > 280
    assert run(rows, "caption-too-long") == []


def test_a_single_tweet_and_other_channels_are_measured_whole() -> None:
    paragraphs = "\n\n".join([tweet(200), tweet(200), tweet(200)])
    rows = [post("P1", channel="X", caption=tweet(300)),
            post("P2", channel="Threads", caption=paragraphs),
            post("P3", channel="X", fmt="Thread", caption=paragraphs),  # each tweet fits
            post("P4", channel="X", caption="Thread:\n\n" + paragraphs),  # says it is one
            # paragraphs of one tweet, not said to be a thread: measured whole
            post("P5", channel="X", caption=paragraphs)]
    found = run(rows, "caption-too-long")
    assert [f.message for f in found] == [
        "The caption has 300 characters; X allows 280. Shorten it by 20.",
        "The caption has 604 characters; Threads allows 500. Shorten it by 104.",
        "The caption has 604 characters; X allows 280. Shorten it by 324."]


def test_a_configured_x_limit_holds_for_each_tweet() -> None:
    thread = "\n\n".join([tweet(900), tweet(1200)])
    found = run([post("P1", channel="X", fmt="Thread", caption=thread)], "caption-too-long",
                rules={"content": {"caption_limits": {"x": 1000}}})
    assert "tweet 2 of 2 is 1200 characters (200 too many); X allows 1000" in found[0].message


@pytest.mark.parametrize(("caption", "expected"), [
    ("One tweet\nwith two lines", ["One tweet\nwith two lines"]),
    ("Thread:\n\nSecond\n \n\nThird", ["Thread:", "Second", "Third"]),
    ("First\n\nSecond", ["First\n\nSecond"]),
    ("Intro 🧵\n1/ one\n\nstill one\n2/ two", ["Intro 🧵\n1/ one\n\nstill one", "2/ two"]),
    ("1/ open 24/7\n24/7 support\n2/ close", ["1/ open 24/7\n24/7 support", "2/ close"]),
    ("1/ only one numbered line", ["1/ only one numbered line"]),
    ("1/ one number\n\nthen a blank line", ["1/ one number\n\nthen a blank line"]),
    ("  ", ["  "]),
    ("(1/2) a\r\n(2/2) b", ["(1/2) a", "(2/2) b"]),
], ids=["one", "blank-lines", "paragraphs", "numbered-with-blank-line", "out-of-order",
        "single-number", "single-number-and-blank-line", "white-space", "parenthesized"])
def test_how_a_caption_splits_into_tweets(caption: str, expected: list[str]) -> None:
    assert tweets(caption) == expected


def test_a_thread_in_turkish() -> None:
    thread = "\n\n".join([tweet(100), tweet(300)])
    found = run([post("P1", channel="X", fmt="Thread", caption=thread)], "caption-too-long",
                language="tr")
    assert found[0].message.startswith("Bu flood'da 2 tweetin 2. tweeti 300 karakter (20 fazla)")


# --------------------------------------------------------------------------------------------
# 4. Text-only posts need no asset


@pytest.mark.parametrize("fmt", ["Text", "text post", "Text-only", "Status update", "Metin"])
def test_a_text_post_needs_no_asset(fmt: str) -> None:
    rows = [post("P1", status="Client review", fmt=fmt, asset=""),
            post("P2", status="Client review", fmt=fmt, asset="", caption="")]
    found = run(rows, "missing-required", "unknown-format")
    assert keys(found) == {(3, "caption", "missing-required")}


def test_a_text_format_is_known() -> None:
    cal = parse([HEADER, post("P1", fmt="Text only"), post("P2", fmt="metin")], calendar_config())
    assert cal.frame["format"].tolist() == ["text", "text"]


def test_a_thread_needs_an_asset_only_off_x_and_threads() -> None:
    rows = [post("P1", status="Approved", fmt="Thread", channel="X", asset=""),
            post("P2", status="Approved", fmt="Thread", channel="Threads", asset=""),
            post("P3", status="Approved", fmt="Thread", channel="LinkedIn", asset=""),
            post("P4", status="Approved", fmt="Post", channel="X", asset="")]
    found = run(rows, "missing-required")
    assert keys(found) == {(4, "asset", "missing-required"), (5, "asset", "missing-required")}
