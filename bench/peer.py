"""The peer the whole-process benchmark compares with: pandera checking a calendar.

Usage: python bench/peer.py CALENDAR.csv|CALENDAR.xlsx

Reads the file with ``pandas.read_csv`` (a .xlsx workbook's first tab with
``pandas.read_excel(engine="calamine")``, the reader sheets-sync uses too), every cell as
text, and checks six columns with a pandera schema, lazily (every failing cell collected, as
an audit collects every finding), then prints the failure cases as JSON, one object per
failing cell (the CSV and the .xlsx of a synthetic calendar give the same failures). This is
what a team would write by hand with a general validation library: the checks are simpler
than sheets-sync's rules (no workflow, no approvals evidence, no per-client settings), so it
is a floor to measure against, not an equal.
"""

from __future__ import annotations

import sys

import pandas as pd
import pandera.pandas as pa

CHANNELS = ["instagram", "facebook", "x", "linkedin", "tiktok", "youtube", "threads",
            "pinterest"]
STATUSES = ["draft", "taslak", "müşteri onayında", "client review", "approved", "onaylandı",
            "scheduled", "published", "yayınlandı", "iptal"]


def schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "ID": pa.Column(str, pa.Check.str_matches(r"^P\d{6}$"), nullable=False),
            "Channel": pa.Column(str, pa.Check(lambda s: s.str.casefold().isin(CHANNELS),
                                               name="known_channel")),
            "Publish date": pa.Column(str, pa.Check(
                lambda s: pd.to_datetime(s, format="ISO8601", errors="coerce").notna(),
                name="iso_date")),
            "Status": pa.Column(str, pa.Check(lambda s: s.str.casefold().isin(STATUSES),
                                              name="known_status")),
            "Caption": pa.Column(str, pa.Check.str_length(max_value=2200), nullable=True),
            "Revision round": pa.Column(str, pa.Check(
                lambda s: pd.to_numeric(s, errors="coerce").ge(0), name="round_number"),
                nullable=True),
        },
        coerce=False,
    )


def read(path: str) -> pd.DataFrame:
    """The calendar's cells as text, an empty cell NaN."""
    if path.lower().endswith((".xlsx", ".xlsm")):
        return pd.read_excel(path, engine="calamine", dtype=str, keep_default_na=False,
                             na_values=[""])
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def main(path: str) -> None:
    frame = read(path)
    try:
        schema().validate(frame, lazy=True)
        failures = pd.DataFrame()
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    sys.stdout.write(failures.to_json(orient="records", force_ascii=False))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
