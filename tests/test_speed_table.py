"""The terminal table laid out column by column, each distinct message wrapped once: the
same lines as finding by finding with textwrap."""

from __future__ import annotations

import random
import textwrap
from typing import Any

import pytest
from conftest import HEADER, at, calendar_config, row

from sheets_sync import render
from sheets_sync.audit import AuditResult
from sheets_sync.parse import parse
from sheets_sync.validate import validate
from sheets_sync.wording import field_name


def one_by_one(result: AuditResult, width: int) -> list[str]:
    """The table's finding lines, one finding at a time, wrapped by textwrap."""
    columns = render._columns(result)
    rows = [dict(zip(render.OUTPUT_FIELDS, values)) for values in zip(*columns.values())]
    cols = ("severity", "code", "row", "post_id")

    def cell(value: Any) -> str:
        return "" if value is None else str(value)

    sizes = {c: max(len(c), *(len(cell(r[c])) for r in rows)) for c in cols}
    sizes["post_id"] = min(sizes["post_id"], 24)
    indent = sum(sizes.values()) + 2 * len(cols)
    room = max(width - indent, 30)
    lines = ["  ".join(c.upper().replace("_", " ").ljust(sizes[c]) for c in cols) + "  MESSAGE"]
    for r in rows:
        left = "  ".join(cell(r[c])[: sizes[c]].ljust(sizes[c]) for c in cols)
        label = r["header"] or field_name(r["column"], "en")
        where = f"[{label}] " if label and not r["message"].startswith(label) else ""
        wrapped = textwrap.wrap(where + " ".join(r["message"].split()), room) or [""]
        lines.append(f"{left}  {wrapped[0]}")
        lines.extend(" " * indent + more for more in wrapped[1:])
    return lines


@pytest.mark.parametrize("width", [60, 100, 160])
def test_table_lines_are_those_of_each_finding_wrapped_by_textwrap(width: int) -> None:
    header = [*HEADER[:5], "Status  of\tthe post", *HEADER[6:]]  # a header spaced oddly
    rows = [row(f"P{i}", date=f"2026-03-{1 + i % 9:02d} 10:00", status=status,
                caption=caption, asset=asset)
            for i, (status, caption, asset) in enumerate(
                [("Draft", "", "https://cdn.example.com/a.jpg"),
                 ("Scheduled", "An e-mail re-send", "www.bad"),
                 ("Nonsense-word", "Hi", "https://cdn.example.com/b.jpg"),
                 ("Client review", "", "")] * 5)]
    config = calendar_config(columns={"status": "Status  of\tthe post"})
    calendar = parse([header, *rows], config)
    now = at("2026-03-12 09:00")
    findings = validate(calendar, config, now)
    result = AuditResult(config=config, calendar=calendar, findings=findings, now=now,
                         source="test.csv")
    assert findings["message"].duplicated().any()  # messages repeat: laid out once
    table = render.to_table(result, width=width).splitlines()
    assert table[:-1] == one_by_one(result, width)
    # The oddly spaced header goes the slow way (textwrap expands its tab), the rest the quick.
    assert any("[Status  of     the post] " in line for line in table)


WORDS = ["a", "bb", "post", "2026-03-10", "e-mail", "x" * 40, "—", "--", "“Draft”", "İptal",
         "a_b", "a-1", "9-z", "é-ü", "[Status]", "-x", "x-", "_-_", "-", "\t", "\n", ""]


def test_wrapping_is_textwraps_for_many_texts() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 25)))
        width = rng.choice([5, 12, 30, 72])
        expected = textwrap.wrap(text, width)
        assert render._wrap(text, width) == expected, (text, width)
        if " ".join(text.split()) == text:
            assert render._wrap(text, width, spaced=True) == expected, (text, width)
