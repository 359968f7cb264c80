"""Audits of real content calendars that people published, each with the small configuration
a user would write (configuration only, no code per file).

The calendars live beside the repository in ``../shared/realcal/`` (its README says where each
comes from); the tests skip, saying why, when that folder is absent. Today is 2026-11-30, so
every post in them is in the past. For each file the test states what was checked by reading
the file and why: the column map judged right, the findings by code (verified by hand on the
rows named), and the false positives that must not come back. Where the tool is still wrong,
``STILL_WRONG`` names the findings, so that fixing it shows up here as a failure to update.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sheets_sync.audit import as_of, audit
from sheets_sync.cli import main
from sheets_sync.config import load

REALCAL = Path(os.environ.get("SHEETS_SYNC_REALCAL",
                              Path(__file__).resolve().parents[2] / "shared" / "realcal"))
TODAY = "2026-11-30"


@dataclass(frozen=True)
class Real:
    """One real calendar: its configuration and what a correct audit of it says."""

    file: str
    config: str  # the [[calendars]] table a user writes, without the path
    columns: dict[str, str]  # field -> header, as judged by reading the file
    counts: dict[str, int]  # findings by code
    rows: dict[str, set[int]] = field(default_factory=dict)  # code -> exactly these rows
    exit: int = 1
    still_wrong: dict[str, set[int]] = field(default_factory=dict)  # code -> rows, known false


CASES = [
    # French headers (Plateforme, Statut, Pilier) are read without mapping; "À produire" is
    # the agency's word for an idea and its formats ("Feed post", "Reel 15s") are mapped.
    # Twelve posts of 5-15 May 2026, all still "À produire": each one stale, never approved
    # (one finding each, not a second approval-missing). No approval column: said once.
    # A 28-day gap from today on each of the three channels used. Rows 15-19 are a legend of
    # the pillars in the Notes column ("Pilier 1 : Annonce / hype"): not posts, left out
    # and listed once. Nothing is an error any more, so the audit passes.
    Real("01-mondiale-fr.csv", '''
name = "mondiale"
client = "Mondiale en Ville"
timezone = "Europe/Zurich"
country = "CH"
[calendars.statuses]
idea = ["À produire"]
[calendars.formats]
post = ["Feed post", "Feed"]
carousel = ["Feed carousel"]
reel = ["Reel 15s", "Reel 30s"]
''', columns={"publish_at": "Date", "channel": "Plateforme", "format": "Format",
              "pillar": "Pilier", "caption": "Caption (FR)", "hashtags": "Hashtags",
              "status": "Statut", "notes": "Notes"},
         counts={"stale-unpublished": 12, "calendar-gap": 3, "no-approval-column": 1,
                 "no-id-column": 1, "rows-not-posts": 1},
         rows={"stale-unpublished": set(range(2, 14))}, exit=0),
    # Instagram only: no channel column, so the channel is assumed. Times are WIB, as the
    # header "time_wib" says (once, info) and the calendar's zone agrees (Asia/Jakarta);
    # "LIVE" in the time column of the nine published rows is read as no time. Rows 2-10
    # are published (with the post URL), 11-31 queued_auto (scheduled) from 1 August: all
    # past, so stale; 14 of them have no caption, and a scheduled post needs one. "tote" and
    # "type" are the agency's formats.
    Real("02-lajora-ig.csv", '''
name = "lajora"
client = "Lajora"
timezone = "Asia/Jakarta"
country = "ID"
assume = { channel = "instagram" }
[calendars.formats]
post = ["tote", "type"]
''', columns={"post_id": "id", "publish_at": "date", "publish_time": "time_wib",
              "status": "status", "format": "format", "caption": "caption", "asset": "asset"},
         counts={"stale-unpublished": 21, "missing-required": 14, "calendar-gap": 1,
                 "no-approval-column": 1, "column-assumed": 1, "too-many-per-day": 15,
                 "zone-from-header": 1},
         rows={"stale-unpublished": set(range(11, 32))}),
    # Twitter and Telegram, times in UTC as the header "Time (UTC)" says (once, info).
    # "Content Type" holds categories (Announcement, Educational, AMA): read as the pillar,
    # so no unknown-format. "Ready" means ready to post here: the user maps it to approved.
    # Telegram is a channel of this calendar's own.
    Real("05-ethicoin.csv", '''
name = "ethicoin"
client = "Ethicoin"
timezone = "UTC"
country = "US"
[calendars.columns]
caption = "Post Content"
[calendars.statuses]
approved = ["Ready"]
[calendars.channels]
telegram = []
[calendars.rules.content.caption_limits]
telegram = 4096
''', columns={"publish_at": "Date", "channel": "Platform", "publish_time": "Time (UTC)",
              "pillar": "Content Type", "caption": "Post Content", "status": "Status"},
         counts={"stale-unpublished": 7, "calendar-gap": 2, "no-approval-column": 1,
                 "no-id-column": 1, "zone-from-header": 1},
         rows={"stale-unpublished": set(range(2, 9))}, exit=0),
    # Every status "Pending" (a draft). "Content Type" holds categories, but the calendar has
    # a Theme column (the pillar), so it is read as nothing, not as the format; "Link/CTA" of
    # calls to action is not the asset. 30 past posts, each stale once.
    Real("06-groupfund.csv", '''
name = "groupfund"
client = "GroupFund"
timezone = "Africa/Lagos"
country = "NG"
[calendars.columns]
caption = "Post Title/Description"
''', columns={"publish_at": "Date", "channel": "Platform", "pillar": "Theme",
              "caption": "Post Title/Description", "hashtags": "Hashtags", "status": "Status",
              "notes": "Notes"},
         counts={"stale-unpublished": 30, "calendar-gap": 3, "no-approval-column": 1,
                 "no-id-column": 1},
         rows={"stale-unpublished": set(range(2, 32))}, exit=0),
    # TikTok only: the channel is assumed. Every post "scheduled" and past: stale.
    # content_type holds product_demo / before_after: categories, the pillar.
    Real("09-coaihome-tiktok.csv", '''
name = "coaihome"
client = "CoaiHome"
timezone = "America/New_York"
country = "US"
assume = { channel = "tiktok" }
''', columns={"publish_at": "date", "publish_time": "post_time", "pillar": "content_type",
              "caption": "caption", "hashtags": "hashtags", "status": "status"},
         counts={"stale-unpublished": 70, "calendar-gap": 1, "no-approval-column": 1,
                 "no-id-column": 1, "column-assumed": 1},
         rows={"stale-unpublished": set(range(2, 72))}, exit=0),
    # Agency statuses mapped by the user; linkedin-company and linkedin-director are the
    # LinkedIn channel, blog and internal channels of its own. Publish dates "TBC", "ASAP",
    # "NEVER" and "TBC-site-launch" (rows 2-14) are dates not set yet (info), not errors;
    # rows 15-23 have no date at all: the required date is missing.
    Real("12-6d-agency.csv", '''
name = "6d"
client = "6D"
timezone = "Europe/London"
country = "GB"
[calendars.columns]
owner = "author"
caption = "title_or_hook"
[calendars.statuses]
draft = ["NEEDS-EXAMPLES"]
approved = ["ready", "APPROVED-HELD", "PUBLISH-NOW"]
on_hold = ["held"]
cancelled = ["DO-NOT-PUBLISH"]
[calendars.channels]
linkedin = ["linkedin-company", "linkedin-director"]
blog = []
internal = []
[calendars.formats]
post = ["text"]
article = ["case-study"]
''', columns={"post_id": "id", "channel": "channel", "format": "format",
              "status": "status", "publish_at": "publish_date", "owner": "author",
              "caption": "title_or_hook", "pillar": "pillar"},
         counts={"date-not-set": 13, "missing-required": 9, "no-approval-column": 1},
         rows={"date-not-set": set(range(2, 15)), "missing-required": set(range(15, 24))}),
    # Turkish plus other locales; dates relative to a launch week ("T-2_Mon" in "date_iso"),
    # placed by relative_to: the Monday of week T0 (taken as 2026-06-01 here, so the whole
    # plan is in the past). Its own channels (blog, e-mail, WhatsApp, FAQ) and formats are
    # declared; "working_title" is the text to check and "asset_type" the format. Every post
    # is planned, drafted or review_pending and past: 65 stale, each once (rows 2-66). No
    # channel has anything in the 28 days from today: 7 gaps.
    Real("15-drbak-tr.csv", '''
name = "drbak"
client = "Doktor Bak"
timezone = "Europe/Istanbul"
country = "TR"
relative_to = "2026-06-01"
[calendars.columns]
caption = "working_title"
format = "asset_type"
[calendars.channels]
blog = []
email = []
whatsapp = []
faq = []
[calendars.formats]
reel = ["reel_60s", "reel_45s", "reel_30s"]
article = []
broadcast = []
faq_entry = []
nurture = ["nurture_step1", "nurture_step2"]
''', columns={"channel": "channel", "format": "asset_type", "publish_at": "date_iso",
              "caption": "working_title", "owner": "owner", "status": "status"},
         counts={"stale-unpublished": 65, "calendar-gap": 7, "no-approval-column": 1,
                 "no-id-column": 1},
         rows={"stale-unpublished": set(range(2, 67))}, exit=0),
    # "Platforms" cells name several channels ("IG Reels + YouTube Shorts + TikTok; repurpose
    # to X + LinkedIn", "LinkedIn + X", "All platforms"): each counts as a post on every
    # channel named, said once (several-channels, two infos). Reddit and Product Hunt are
    # declared as channels, and the launch-plan types that are not formats as formats. All
    # 36 posts are "Planned" in June-July 2026: stale, each once. Nothing is planned in the 28
    # days from today on any of the 7 channels: 7 gaps, none before today (no false gap for a
    # channel named only inside a multi-channel cell).
    Real("16-agentshive-launch.csv", '''
name = "agentshive"
client = "AgentsHive"
timezone = "America/Los_Angeles"
country = "US"
[calendars.channels]
reddit = ["Reddit"]
producthunt = ["Product Hunt"]
[calendars.formats]
launch = ["Launch"]
milestone = ["Milestone"]
recap = ["Recap"]
[calendars.statuses]
idea = ["Planned"]
''', columns={"channel": "Platforms", "format": "Type", "publish_at": "Date",
              "status": "Status"},
         counts={"stale-unpublished": 36, "calendar-gap": 7, "several-channels": 2,
                 "no-approval-column": 1, "no-id-column": 1},
         rows={"stale-unpublished": set(range(2, 38))}, exit=0),
]
for case in CASES:  # every case names the code of each still-wrong row among its counts
    assert all(code in case.counts for code in case.still_wrong), case.file


def ids(cases: list[Real]) -> list[str]:
    return [c.file.split(".")[0] for c in cases]


@pytest.fixture
def realcal() -> Path:
    if not REALCAL.is_dir():
        pytest.skip(f"the real calendars are not here ({REALCAL}); they live in ../shared")
    return REALCAL


def configure(case: Real, folder: Path, tmp_path: Path) -> Path:
    path = tmp_path / "agency.toml"
    text = case.config.replace("\nname =", f'\nbackend = "csv"\npath = '
                               f'{json.dumps(str(folder / case.file))}\nname =', 1)
    path.write_text("[[calendars]]" + text, encoding="utf-8")
    return path


def audited(config_file: Path) -> Result:
    return CliRunner().invoke(main, ["audit", "--config", str(config_file), "--today", TODAY,
                                     "--format", "json"])


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_a_real_calendar_is_audited_as_judged(case: Real, realcal: Path,
                                              tmp_path: Path) -> None:
    config_file = configure(case, realcal, tmp_path)
    before = (realcal / case.file).read_bytes()
    result = audited(config_file)
    assert result.exit_code == case.exit, result.output
    assert "Traceback" not in result.output
    assert (realcal / case.file).read_bytes() == before
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    assert dict(Counter(f["code"] for f in findings)) == case.counts
    for code, rows in {**case.rows, **case.still_wrong}.items():
        found = {f["row"] for f in findings if f["code"] == code}
        assert rows <= found if code in case.still_wrong else rows == found, code
    config = load(config_file).calendars[0]
    calendar = audit(config, as_of(TODAY, config.timezone)).calendar
    assert {f: h for f, h in calendar.headers.items() if f in case.columns} == case.columns
    # Nothing else was read as a field the user did not judge right.
    assert set(calendar.headers) == set(case.columns), set(calendar.headers) ^ set(case.columns)


# The false positives seen on these calendars before (each must stay gone).
NEVER = {
    "01-mondiale-fr": {"unknown-channel", "unknown-status", "approval-missing",
                       "missing-required"},  # the legend rows 15-19 were read as posts
    "02-lajora-ig": {"unknown-channel", "unknown-format", "approval-missing",
                     "published-without-approval", "scheduled-without-approval"},
    "05-ethicoin": {"unknown-format", "unknown-channel", "approval-missing"},
    "06-groupfund": {"unknown-format", "unknown-status", "invalid-link", "approval-missing"},
    "09-coaihome-tiktok": {"unknown-format", "approval-missing"},
    "12-6d-agency": {"unknown-channel", "unknown-status", "approval-missing", "invalid-date"},
    "15-drbak-tr": {"invalid-date", "missing-required", "unknown-channel", "approval-missing"},
    "16-agentshive-launch": {"unknown-channel", "approval-missing", "missing-required"},
}


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_false_positives_seen_before_stay_gone(case: Real, realcal: Path,
                                                   tmp_path: Path) -> None:
    result = audited(configure(case, realcal, tmp_path))
    assert result.exit_code == case.exit, result.output
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert not codes & NEVER[case.file.split(".")[0]]


def test_a_single_channel_calendar_says_what_to_assume(realcal: Path) -> None:
    """Without configuration, the TikTok-only plan is refused with the option that fixes it."""
    result = CliRunner().invoke(main, ["audit", str(realcal / "09-coaihome-tiktok.csv")])
    assert result.exit_code == 2
    assert "--assume channel=instagram" in result.stderr
    fixed = CliRunner().invoke(main, ["audit", str(realcal / "09-coaihome-tiktok.csv"),
                                      "--assume", "channel=tiktok", "--today", TODAY])
    assert fixed.exit_code == 0, fixed.output
