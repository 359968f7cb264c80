"""`sheets-sync export`: files, the left-out list on stderr and in JSON, exit codes, the
round trip of the csv format through `audit`, and the guarded, opt-in `mark_exported`."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import zoneinfo
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync.audit import audit
from sheets_sync.cli import main
from sheets_sync.config import from_dict, load
from sheets_sync.errors import ConfigError
from sheets_sync.export import export
from sheets_sync.export.mark import mark_exported

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "example.toml"
IST = zoneinfo.ZoneInfo("Europe/Istanbul")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=IST)
HEADER = ["ID", "Client", "Channel", "Format", "Publish date", "Status", "Caption", "Asset",
          "Approved by", "Approved"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def post(post_id: str, date: str, status: str = "Approved", approved: str = "Yes",
         caption: str = "Yeni sezon başladı ☕", channel: str = "Instagram") -> list[Any]:
    return [post_id, "Acme", channel, "Post", date, status, caption,
            "https://cdn.example.com/a.jpg", "Elif", approved]


def write_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    for values in [HEADER, *rows]:
        sheet.append(values)
    book.save(path)
    return path


def statuses(path: Path) -> list[Any]:
    sheet = openpyxl.load_workbook(path)["Calendar"]
    return [sheet.cell(row=r, column=6).value for r in range(2, sheet.max_row + 1)]


def test_everything_exported_exits_0_with_the_file_on_stdout(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [post("P1", "2026-03-20 10:00")])
    result = CliRunner().invoke(main, ["export", str(path), "--to", "buffer", "--today",
                                       "2026-03-10"])
    code, err = result.exit_code, result.stderr
    assert code == 0
    assert result.stdout_bytes.decode("utf-8") == (
        "text,dueAt,imageUrl\r\n"
        "Yeni sezon başladı ☕,2026-03-20T07:00:00.000Z,https://cdn.example.com/a.jpg\r\n")
    assert err.splitlines()[0] == "exported 1 post (Acme / instagram) to standard output"
    assert "left out" not in err


def test_a_file_on_stdout_keeps_a_captions_terminal_codes(tmp_path: Path) -> None:
    # The exported file is data for the importer: written exactly, colour codes too.
    caption = "Yeni \x1b[1msezon\x1b[0m başladı"
    path = write_csv(tmp_path / "plan.csv", [post("P1", "2026-03-20 10:00", caption=caption)])
    result = CliRunner().invoke(main, ["export", str(path), "--to", "buffer", "--today",
                                       "2026-03-10"])
    assert result.exit_code == 0
    assert result.stdout_bytes.decode("utf-8").splitlines()[1].startswith(caption + ",")


def test_a_left_out_post_is_listed_on_stderr_and_exits_1(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [post("P1", "2026-03-20 10:00"),
                                             post("P2", "2026-03-21 10:00", approved="No"),
                                             post("P3", "2026-03-22 10:00", status="Draft",
                                                  approved="")])
    output = tmp_path / "out.csv"
    code, out, err = run("export", str(path), "--to", "hootsuite", "--today", "2026-03-10",
                         "-o", str(output))
    assert code == 1
    assert out == ""
    written = tmp_path / "out-acme-instagram.csv"
    assert written.read_bytes().decode("utf-8") == (
        "20/03/2026 10:00,Yeni sezon başladı ☕,https://cdn.example.com/a.jpg\r\n")
    lines = err.splitlines()
    assert lines[0] == f"exported 1 post (Acme / instagram) to {written}"
    assert lines[1:4] == [
        "left out 2 posts of the window:",
        "  row 3 P2 instagram 2026-03-21 10:00: no approval recorded in the sheet (“Approved”)",
        "  row 4 P3 instagram 2026-03-22 10:00: status “Draft” (draft): not approved yet; no "
        "approval recorded in the sheet (“Approved”)"]


def test_json_gives_the_left_out_posts_and_their_reasons_as_data(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [post("P1", "2026-03-20 10:00"),
                                             post("P2", "2026-03-21 10:00", approved="No")])
    code, out, err = run("export", str(path), "--to", "csv", "--today", "2026-03-10",
                         "--format", "json")
    assert code == 1 and err == ""
    document = json.loads(out)
    assert document["left_out"] == [{
        "row": 3, "post_id": "P2", "client": "Acme", "channel": "instagram",
        "publish_at": "2026-03-21 10:00", "time_zone": "Europe/Istanbul",
        "reasons": [{"code": "no-approval",
                     "message": "no approval recorded in the sheet (“Approved”)"}]}]
    assert [e["post_id"] for e in document["exported"]] == ["P1"]
    assert document["exported"][0]["utc"] == "2026-03-20T07:00:00+00:00"
    assert document["files"][0]["path"] is None
    assert document["files"][0]["content"].startswith("ID,Client,Channel,")
    assert document["history"]["available"] is False


def test_several_profiles_need_an_output_file_in_text_mode(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [post("P1", "2026-03-20 10:00"),
                                             post("P2", "2026-03-21 10:00", channel="X")])
    code, out, err = run("export", str(path), "--to", "later", "--today", "2026-03-10")
    assert code == 2 and out == ""
    assert err == ("sheets-sync: Later takes one file per social profile, and this export "
                   "makes 2: give -o FILE (they are written as FILE-<client>-<channel>.csv)\n")
    code, out, _ = run("export", str(path), "--to", "later", "--today", "2026-03-10",
                       "-o", str(tmp_path / "later.csv"))
    assert code == 0
    assert sorted(p.name for p in tmp_path.glob("later-*.csv")) == [
        "later-acme-instagram.csv", "later-acme-x.csv"]


@pytest.mark.parametrize(("args", "text"), [
    (["--from", "soon"], "--from: 'soon' is not a date"),
    (["--account", "instagram"], "--account 'instagram': write it as CHANNEL=ID"),
    (["--until", "2026-03-01", "--from", "2026-03-05"], "--until 2026-03-01 is before --from"),
])
def test_usage_errors_exit_2_naming_the_option(tmp_path: Path, args: list[str],
                                                 text: str) -> None:
    path = write_csv(tmp_path / "plan.csv", [post("P1", "2026-03-20 10:00")])
    code, _, err = run("export", str(path), "--to", "csv", *args)
    assert code == 2
    assert text in err


def test_an_unreadable_calendar_exits_3(tmp_path: Path) -> None:
    broken = tmp_path / "plan.xlsx"
    broken.write_bytes(b"not a workbook")
    code, _, err = run("export", str(broken), "--to", "csv")
    assert code == 3
    assert err.startswith("sheets-sync: ")


# --- the csv format read back by audit ---------------------------------------------------------

def test_the_exported_csv_audited_again_holds_the_same_posts(tmp_path: Path) -> None:
    config = load(EXAMPLE).calendar("sample")
    output = tmp_path / "posts.csv"
    code, _, _ = run("export", "--config", str(EXAMPLE), "--to", "csv", "--today", "2026-03-10",
                     "--until", "2026-03-31", "--no-history", "-o", str(output))
    assert code == 1  # the sample's unapproved posts are left out
    original = audit(config, NOW, history=False).calendar.frame
    again = audit(dataclasses.replace(config, backend="csv", path=str(output), tab=""), NOW,
                  history=False)
    fields = ["post_id", "client", "channel", "format", "publish_at", "caption", "asset",
              "status", "approved", "approved_by", "approved_at"]
    exported = original[original["post_id"].isin(["NT-008", "KD-009", "NT-010", "KD-011"])]
    assert again.calendar.frame[fields].reset_index(drop=True).equals(
        exported[fields].reset_index(drop=True))
    # Read back, each post is still approved on evidence: no approval finding at all.
    codes = set(again.findings["code"])
    assert not codes & {"approval-missing", "published-without-approval",
                        "scheduled-without-approval", "approver-not-authorized"}


# --- mark_exported -----------------------------------------------------------------------------

def plan_config(path: Path, **keys: Any) -> Any:
    return from_dict({"calendars": [{"name": "plan", "path": str(path), "client": "Acme",
                                     "tab": "Calendar", **keys}]}).calendars[0]


def test_the_calendar_is_left_alone_unless_mark_exported_is_configured(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "plan.xlsx", [post("P1", "2026-03-20 10:00")])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = export(plan_config(path), "buffer", NOW, state_path=str(tmp_path / "s.db"))
    assert mark_exported(result, str(tmp_path / "s.db")) == ([], [])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_mark_exported_sets_the_status_so_the_next_export_takes_nothing_twice(
        tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "plan.xlsx", [post("P1", "2026-03-20 10:00"),
                                               post("P2", "2026-03-21 10:00", approved="No")])
    toml = tmp_path / "agency.toml"
    toml.write_text(f'[[calendars]]\nname = "plan"\npath = "{path.name}"\nclient = "Acme"\n'
                    'tab = "Calendar"\nmark_exported = "Scheduled"\n', encoding="utf-8")
    args = ["export", "--config", str(toml), "--to", "buffer", "--today", "2026-03-10",
            "-o", str(tmp_path / "b.csv")]
    code, _, err = run(*args)
    assert code == 1  # P2 is left out
    assert "row 2: status set to “Scheduled”" in err.splitlines()
    assert statuses(path) == ["Scheduled", "Approved"]
    code, _, err = run(*args)
    assert code == 1
    assert "  row 2 P1 instagram 2026-03-20 10:00: already scheduled" in err


def test_mark_exported_refuses_a_row_changed_since_the_export_read_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "plan.xlsx", [post("P1", "2026-03-20 10:00"),
                                               post("P2", "2026-03-21 10:00")])
    config = plan_config(path, mark_exported="Zamanlandı")
    result = export(config, "buffer", NOW, state_path=str(tmp_path / "s.db"))
    book = openpyxl.load_workbook(path)  # a person edits P2's caption meanwhile
    book["Calendar"].cell(row=3, column=7, value="Edited while exporting")
    book.save(path)
    marked, refused = mark_exported(result, str(tmp_path / "s.db"))
    assert marked == ["row 2: status set to “Zamanlandı”"]
    assert refused == ["row 3: status not set to “Zamanlandı”: the row changed since the "
                       "export read it; check it and set it by hand"]
    assert statuses(path) == ["Zamanlandı", "Approved"]


def test_mark_exported_leaves_a_row_whose_other_channel_was_left_out(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "plan.xlsx", [post("P1", "2026-03-20 10:00", caption="x" * 300,
                                                    channel="Facebook + X")])
    config = plan_config(path, mark_exported="Scheduled")
    result = export(config, "buffer", NOW, state_path=str(tmp_path / "s.db"))
    assert [p.channel for p in result.posts] == ["facebook"]
    marked, refused = mark_exported(result, str(tmp_path / "s.db"))
    assert marked == [] and refused[0].startswith("row 2: status not set to “Scheduled”: "
                                                  "another channel of its post was left out")
    assert statuses(path) == ["Approved"]


def test_mark_exported_must_be_a_word_the_calendar_reads_as_scheduled(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"calendars\[0\]\.mark_exported: 'Ready' is not a "
                                          r"status this calendar reads as scheduled"):
        plan_config(tmp_path / "plan.xlsx", mark_exported="Ready")
    assert plan_config(tmp_path / "plan.xlsx", mark_exported="In Buffer",
                       statuses={"scheduled": ["In Buffer"]}).mark_exported == "In Buffer"


def test_the_example_configuration_documents_mark_exported() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert '# mark_exported = "Scheduled"' in text
    assert load(EXAMPLE).calendar("sample").mark_exported == ""


def test_the_readme_shows_one_export_command_per_format() -> None:
    from sheets_sync.export import FORMATS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = [line for line in readme.splitlines() if line.startswith("sheets-sync export ")]
    assert sorted(line.split("--to ")[1].split()[0] for line in examples) == sorted(FORMATS)


def test_every_reason_code_the_readme_lists_is_one_the_export_gives() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = readme.split("The codes: ", 1)[1].split("(Postiz).", 1)[0]
    codes = listed.replace("\n", " ").split("`")[1::2]
    source = "".join(p.read_text(encoding="utf-8")
                     for p in (ROOT / "sheets_sync" / "export").glob("*.py"))
    assert len(codes) == 25
    assert [c for c in codes if f'"{c}"' not in source] == []


def test_the_formats_export_offers_are_the_ones_it_writes() -> None:
    """`--to` lists the formats without importing them (so that `--help` starts fast)."""
    from sheets_sync.cli import EXPORT_FORMATS
    from sheets_sync.export.formats import FORMATS

    assert tuple(FORMATS) == EXPORT_FORMATS
