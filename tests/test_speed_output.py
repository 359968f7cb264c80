"""Audit output rendered from the findings frame: the same findings and fields as one Finding
per row gives, compact JSON when piped, and --limit for the terminal table."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import HEADER, row
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync import findings as findings_module
from sheets_sync import render
from sheets_sync.audit import AuditResult, as_of, audit, audit_path
from sheets_sync.cli import main
from sheets_sync.config import load
from sheets_sync.findings import findings_of

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "example.toml"


@pytest.fixture(scope="module")
def sample() -> AuditResult:
    config = load(str(EXAMPLE)).calendars[0]
    return audit(config, as_of("2026-03-10", config.timezone))


def by_finding(result: AuditResult) -> list[dict[str, Any]]:
    """The output's findings built one Finding at a time, as the output was built before."""
    headers = result.calendar.headers
    return [{"severity": f.severity.label, "code": f.code, "row": f.row, "post_id": f.post_id,
             "column": f.column, "header": headers.get(f.column, ""), "client": f.client,
             "message": f.message} for f in findings_of(result)]


def test_output_fields_agree_between_render_and_findings() -> None:
    assert render.OUTPUT_FIELDS == findings_module.OUTPUT_FIELDS


def test_json_has_the_same_findings_and_fields_compact_or_indented(sample: AuditResult) -> None:
    expected = by_finding(sample)
    assert len(expected) > 20 and any(f["row"] is None for f in expected)  # calendar-level too
    compact = render.to_json(sample, indent=False)
    indented = render.to_json(sample, indent=True)
    assert compact.count(b"\n") == 1 and compact.endswith(b"}\n")
    assert indented.startswith(b'{\n  "calendar": "')
    for text in (compact, indented):
        document = json.loads(text)
        assert list(document) == ["calendar", "source", "as_of", "posts", "history",
                                  "summary", "findings", "columns"]
        assert document["findings"] == expected
    assert json.loads(compact) == json.loads(indented)


def test_json_in_chunks_is_the_same_document(sample: AuditResult,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    whole = render.to_json(sample, indent=False)
    monkeypatch.setattr(render, "JSON_CHUNK", 4)  # several chunks, the last one short
    assert len(sample.findings) % 4
    assert render.to_json(sample, indent=False) == whole


def _as_orjson_writes(columns: list[list[Any]]) -> bytes:
    import orjson

    return orjson.dumps([dict(zip(render.OUTPUT_FIELDS, values)) for values in zip(*columns)]
                        )[1:-1]


def _findings_columns(messages: list[str], rows: list[Any]) -> list[list[Any]]:
    count = len(messages)
    ids = [f"P{i}" for i in range(count)]
    return [["error"] * count, ["unknown-channel"] * count, rows, ids, ["channel"] * count,
            ["Kanal \"A\"\\"] * count, ["Acme"] * count, messages]


@pytest.mark.parametrize("odd", ['say "hi", "there"', 'a","b', 'quote, comma: ",',
                                 "ends in \\", "line\nbreak", "tab\there \x85", "", "kahve ☕ / ş"])
def test_json_objects_are_the_bytes_orjson_writes_for_dicts(odd: str) -> None:
    """Columns are encoded whole and split again; a text holding a quote, a backslash or a
    control character (each escaped with a backslash) must come out as orjson writes it."""
    messages = [f"message {i}" for i in range(3000)]  # many distinct texts: encoded whole
    messages[1234] = odd
    rows = [None if i % 7 == 0 else i + 2 for i in range(3000)]
    columns = _findings_columns(messages, rows)
    assert render._json_objects(columns) == _as_orjson_writes(columns)
    few = _findings_columns([odd, "x", odd, "x"], [2, None, 3, 4])  # few texts: once each
    assert render._json_objects(few) == _as_orjson_writes(few)
    one = _findings_columns([odd], [None])
    assert render._json_objects(one) == _as_orjson_writes(one)


def test_json_with_text_that_is_not_unicode_is_written_by_the_json_module(
        sample: AuditResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lone surrogate (which a spreadsheet may answer with) stops orjson: that chunk of
    findings is written by the json module, as \\u escapes, and the document still reads."""
    count = len(sample.findings)
    messages = [f"message {i}" for i in range(count)]
    messages[3] = "bad \ud800"
    columns = _findings_columns(messages, list(range(2, count + 2)))
    monkeypatch.setattr(render, "_columns", lambda result: dict(zip(render.OUTPUT_FIELDS,
                                                                    columns)))
    text = render.to_json(sample, indent=False)
    chunk = [dict(zip(render.OUTPUT_FIELDS, values)) for values in zip(*columns)]
    assert json.dumps(chunk, separators=(",", ":")).encode("ascii")[1:-1] in text
    assert json.loads(text)["findings"][3]["message"] == "bad \ud800"


def test_csv_has_the_same_findings_and_fields(sample: AuditResult) -> None:
    read = list(csv.DictReader(io.StringIO(render.to_csv(sample))))
    expected = [{k: "" if v is None else str(render.neutralise(v)) for k, v in f.items()}
                for f in by_finding(sample)]
    assert read == expected


def test_json_escapes_del_and_c1_and_keeps_the_text(tmp_path: Path) -> None:
    path = tmp_path / "cal.csv"
    rows = [HEADER, row("P1\x85\x7f", channel="Instagrm")]
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["audit", str(path), "--today", "2026-03-10",
                                     "--format", "json"])
    assert "\x85" not in done.stdout and "\x7f" not in done.stdout
    assert "P1\\u0085\\u007f" in done.stdout
    ids = {f["post_id"] for f in json.loads(done.stdout)["findings"]}
    assert "P1\x85\x7f" in ids


def _many_errors(tmp_path: Path, count: int) -> Path:
    """A CSV calendar with ``count`` rows, each with an unknown channel (an error)."""
    path = tmp_path / "many.csv"
    out = io.StringIO(newline="")
    csv.writer(out).writerows([HEADER, *(row(f"P{i}", channel="Instagrm")
                                         for i in range(count))])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _audit(path: Path, *options: str, terminal: bool,
           monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr("sheets_sync.cli._to_terminal", lambda: terminal)
    done = CliRunner().invoke(main, ["audit", str(path), "--today", "2026-03-10", *options])
    return done.exit_code, done.stdout, done.stderr


def test_piped_csv_keeps_a_cells_terminal_codes_as_json_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CSV on a pipe is data: a cell holding a colour code is written exactly, not stripped.
    path = tmp_path / "codes.csv"
    out = io.StringIO(newline="")
    csv.writer(out).writerows([HEADER, row("P1", status="\x1b[31mBogus\x1b[0m")])
    path.write_text(out.getvalue(), encoding="utf-8")
    _, written, _ = _audit(path, "--format", "csv", terminal=False, monkeypatch=monkeypatch)
    _, document, _ = _audit(path, "--format", "json", terminal=False, monkeypatch=monkeypatch)
    status = [line for line in written.splitlines() if ",unknown-status," in line]
    assert len(status) == 1 and "\u201c\x1b[31mBogus\x1b[0m\u201d" in status[0]
    found = [f for f in json.loads(document)["findings"] if f["code"] == "unknown-status"]
    assert found[0]["message"] in status[0]  # the same message, codes and all


def test_data_text_that_is_not_valid_unicode_is_written_escaped(
        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    from sheets_sync.cli import data_out

    data_out("ş,\udc80,\x1b[0m\n")  # a lone surrogate, as a spreadsheet may answer one
    assert capsysbinary.readouterr().out == "ş,\\udc80,\x1b[0m\n".encode()


def _error_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("error     unknown-channel")]


def test_terminal_table_shows_fifty_per_severity_and_counts_the_rest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _many_errors(tmp_path, 60)
    code, out, _ = _audit(path, terminal=True, monkeypatch=monkeypatch)
    assert code == 1
    assert len(_error_lines(out)) == 50
    assert "… 10 more error findings not shown (--limit 0 shows all)" in out
    assert out.splitlines()[-1].startswith("many.csv: 60 posts, ")
    assert "findings (60 error, " in out.splitlines()[-1]  # the summary counts them all
    code, out, _ = _audit(path, "--limit", "7", terminal=True, monkeypatch=monkeypatch)
    assert len(_error_lines(out)) == 7 and "… 53 more error findings" in out
    code, out, _ = _audit(path, "--limit", "0", terminal=True, monkeypatch=monkeypatch)
    assert len(_error_lines(out)) == 60 and "more error" not in out


def test_piped_table_is_complete_unless_limited(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = _many_errors(tmp_path, 60)
    _, out, _ = _audit(path, terminal=False, monkeypatch=monkeypatch)
    assert len(_error_lines(out)) == 60 and "not shown" not in out
    _, out, _ = _audit(path, "--limit", "59", terminal=False, monkeypatch=monkeypatch)
    assert len(_error_lines(out)) == 59 and "… 1 more error finding not shown" in out


def test_json_is_indented_on_a_terminal_and_compact_when_piped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _many_errors(tmp_path, 3)
    _, piped, _ = _audit(path, "--format", "json", terminal=False, monkeypatch=monkeypatch)
    _, shown, _ = _audit(path, "--format", "json", terminal=True, monkeypatch=monkeypatch)
    assert piped.count("\n") == 1 and shown.count("\n") > 30
    assert json.loads(piped) == json.loads(shown)
    assert [f["post_id"] for f in json.loads(piped)["findings"]
            if f["code"] == "unknown-channel"] == ["P0", "P1", "P2"]


@pytest.mark.parametrize("output", ["json", "csv"])
def test_limit_with_json_or_csv_is_a_usage_error(tmp_path: Path, output: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _audit(_many_errors(tmp_path, 2), "--format", output, "--limit", "5",
                            terminal=False, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert f"--limit applies to the table; --format {output} always holds every finding" in err


# Texts the table's own wrapping must break exactly as textwrap does: plain words, dates (whose
# hyphens textwrap keeps), hyphens between letters and "--" (where it breaks), runs of spaces,
# tabs and no-break spaces, words longer than a line.
WRAPPED = [
    "[Status] The publish time 2026-03-15 17:00 has passed and the post was never approved "
    "(status “Onaylandıı”). Get the approval or move the date.",
    "A stale-unpublished post and an e-mail reminder: both break after the hyphen.",
    "Two -- dashes, a-1 and 1-a, x-y-z and ---",
    "double  spaces\tand a tab\nand a line break",
    "no\xa0break\xa0spaces stay inside one word",
    "https://cdn.example.com/a-very-long-path/that-is-longer-than-the-line.jpg is one word",
    "short",
    "",
]


@pytest.mark.parametrize("text", WRAPPED)
@pytest.mark.parametrize("width", [1, 7, 12, 30, 72])
def test_table_wrapping_is_textwraps(text: str, width: int) -> None:
    import textwrap

    assert render._wrap(text, width) == textwrap.wrap(text, width)


def test_messages_filled_per_finding_keep_braces_plurals_and_the_quote_limit() -> None:
    from sheets_sync.messages import QUOTE_LIMIT, Messages

    messages = Messages("en")
    long_status = "x" * (QUOTE_LIMIT + 5)
    texts = messages.render("stale-unpublished:unapproved", when=["2026-03-01", "2026-03-02"],
                            status=["{not a field}", long_status])
    assert texts[0] == messages.text("stale-unpublished:unapproved", when="2026-03-01",
                                     status="{not a field}")
    assert "“{not a field}”" in texts[0]
    assert "x" * (QUOTE_LIMIT - 1) + "…" in texts[1] and long_status not in texts[1]
    # A plural follows each finding's own number; a scalar is written into every message.
    days = messages.render("deemed-approved", since=["2026-03-01 10:00", "2026-03-02"],
                           days=[1, 3])
    assert days == [messages.text("deemed-approved", since="2026-03-01 10:00", days=1),
                    messages.text("deemed-approved", since="2026-03-02", days=3)]
    assert "after 1 business day the" in days[0] and "after 3 business days the" in days[1]


@pytest.mark.parametrize("failing", [False, True])
def test_an_audit_runs_with_the_cycle_collector_paused_and_restores_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: bool) -> None:
    import gc

    from sheets_sync import cli

    seen: list[bool] = []
    audit_calendar = cli.audit

    def watched(*args: Any, **kwargs: Any) -> AuditResult:
        seen.append(gc.isenabled())
        if failing:
            raise cli.UsageError("stopped")
        return audit_calendar(*args, **kwargs)

    monkeypatch.setattr(cli, "audit", watched)
    assert gc.isenabled()
    code, _, err = _audit(_many_errors(tmp_path, 2), terminal=False, monkeypatch=monkeypatch)
    assert seen == [False]  # paused while the calendar was audited
    assert gc.isenabled()  # and on again afterwards, whether the audit ended well or not
    assert (code, "stopped" in err) == ((2, True) if failing else (1, False))


def test_csv_rows_written_from_the_columns_are_the_csv_modules(tmp_path: Path) -> None:
    """Cells with commas, quotes, line breaks and carriage returns, a formula start, empty
    cells and row numbers: the rows read back as the findings, and are byte for byte what the
    csv module writes."""
    path = tmp_path / "odd.csv"
    out = io.StringIO(newline="")
    csv.writer(out).writerows([HEADER,
                               row('P,1 "a"', client="Acme, Inc.", channel="Instagrm"),
                               row("P2\rx", client='Say "hi"\nthere', channel="Instagrm"),
                               row("=P3", client="", channel="Instagrm")])
    path.write_text(out.getvalue(), encoding="utf-8")
    result = audit_path(path, now=as_of("2026-03-10", "Europe/Istanbul"))
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(render.OUTPUT_FIELDS)
    records = render.records(result)
    writer.writerows([render.neutralise(v) if k not in ("severity", "row") else v
                      for k, v in r.items()] for r in records)
    written = render.to_csv(result)
    assert written == expected.getvalue()
    assert ',"P,1 ""a""",' in written and ",'=P3," in written and ',"Say ""hi""\nthere",' in written


_CELLS = st.one_of(st.none(), st.integers(-5, 10**6),
                   st.text(alphabet=st.sampled_from(list('ab ,"\n\r=;\'\u201c\x00é')),
                           max_size=8))


@settings(max_examples=300, deadline=None)
@given(columns=st.integers(2, 4).flatmap(lambda width: st.lists(
    st.lists(_CELLS, min_size=width, max_size=width), min_size=1, max_size=6)))
def test_rows_laid_out_from_the_columns_are_what_the_csv_module_writes(
        columns: list[list[Any]]) -> None:
    # Quoted cells in any column (the first one too), quotes doubled, empty and numeric
    # cells side by side: the quotes laid down with the commas give the csv module's bytes.
    # (Rows of two cells or more: a findings row has eight, and the csv module writes a row
    # of one empty cell as "".)
    special = render._csv_special()
    assert special is not None
    by_column = [list(column) for column in zip(*columns)]
    written = [render._csv_fields(column, special) for column in by_column]
    assert all(column is not None for column in written)
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerows(columns)
    assert render._csv_lines(written) == expected.getvalue()  # type: ignore[arg-type]


def test_messages_filled_per_finding_keep_format_specs_conversions_and_literal_braces() -> None:
    from sheets_sync.messages import Messages
    from sheets_sync.wording import fill

    messages = Messages("en")
    template = "{{literal}} {count:>3} {name!r} {count:~post|posts} }}{{"
    messages.templates = {"odd": template}
    assert messages.render("odd", count=[1, 12], name="{x}") == [
        fill(template, {"count": 1, "name": "{x}"}), fill(template, {"count": 12, "name": "{x}"})]
    assert messages.render("odd", count=2, name=["a", "b"])[1] == "{literal}   2 'b' posts }{"


@pytest.mark.parametrize("language", ["en", "tr"])
def test_many_moments_are_written_as_one_by_one(language: str) -> None:
    """Past 64 stamps each distinct moment is written once and spread back: the texts are
    those each stamp gets alone, with or without its time, NaT as '?'."""
    import numpy as np

    from sheets_sync.messages import Messages

    messages = Messages(language)
    base = np.datetime64("2026-03-13T12:00", "ns")
    stamps = np.array([base + np.timedelta64(i % 9, "h") + np.timedelta64(i % 5, "D")
                       if i % 11 else np.datetime64("NaT") for i in range(300)],
                      dtype="datetime64[ns]")
    timed = np.arange(300) % 3 > 0
    for flags in (timed, True, False):
        one_by_one = [messages.when(stamps[i:i + 1], flags if isinstance(flags, bool)
                                    else flags[i:i + 1])[0] for i in range(300)]
        assert messages.when(stamps, flags) == one_by_one
        assert "?" in one_by_one and len(set(one_by_one)) > (5 if flags is False else 20)
