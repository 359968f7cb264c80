"""Findings collected as columns and made one frame at the end, sorted by numbers that order
as their keys do, and severity overrides looked at only for the codes they name: the same
frame as one frame per rule, pandas' sort and every code looked at."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import HEADER, at, calendar_config, row

from sheets_sync.codes import CODES
from sheets_sync.findings import FindingsBuilder, concat
from sheets_sync.model import Severity
from sheets_sync.parse import parse
from sheets_sync.validate import apply_levels, sort, validate


def by_pandas(findings: pd.DataFrame) -> pd.DataFrame:
    order = findings.assign(_sev=-findings["severity"]).sort_values(
        ["_sev", "publish_at", "row", "code", "column"], kind="stable", na_position="last")
    return order.drop(columns="_sev").reset_index(drop=True)


def findings_of_rows() -> pd.DataFrame:
    rows = [row(f"P{i}", date=f"2026-03-{10 + i % 5:02d}", status=status, caption=caption)
            for i, (status, caption) in enumerate(
                [("Draft", ""), ("Client review", ""), ("Scheduled", "x" * 3000),
                 ("Nonsense", "Hi"), ("Approved", ""), ("Client review", "#a " * 40)] * 4)]
    rows.append(row("P9", date="", status="Draft"))
    config = calendar_config()
    return validate(parse([HEADER, *rows], config), config, at("2026-03-12 09:00"))


def test_sort_orders_as_pandas_does_with_missing_times_and_ties() -> None:
    findings = findings_of_rows()
    assert len(findings) > 20 and findings["publish_at"].isna().any()
    rng = np.random.default_rng(5)
    for seed in range(10):
        shuffled = findings.sample(frac=1, random_state=seed).reset_index(drop=True)
        shuffled.loc[rng.random(len(shuffled)) < 0.3, "publish_at"] = pd.NaT
        shuffled.loc[rng.random(len(shuffled)) < 0.3, "row"] = 4
        pd.testing.assert_frame_equal(sort(shuffled), by_pandas(shuffled), check_exact=True)
    assert sort(findings.iloc[:0]).empty


def test_sort_orders_as_pandas_does_with_times_of_any_precision_and_span() -> None:
    # Times with seconds, times centuries apart (too many to pack with the rows: the keys are
    # then sorted one after another), no time at all.
    findings = findings_of_rows()
    rng = np.random.default_rng(9)
    seconds = findings["publish_at"] + pd.to_timedelta(rng.integers(0, 90, len(findings)), "s")
    wide = seconds.where(rng.random(len(findings)) < 0.5, pd.Timestamp("1700-01-01 10:00"))
    for publish in (seconds, wide, pd.Series(pd.NaT, index=findings.index,
                                             dtype="datetime64[ns]")):
        shuffled = findings.assign(publish_at=publish).sample(frac=1, random_state=3)
        shuffled = shuffled.reset_index(drop=True)
        pd.testing.assert_frame_equal(sort(shuffled), by_pandas(shuffled), check_exact=True)


def test_packed_order_is_the_order_of_the_keys_one_after_another() -> None:
    from sheets_sync.validate import _packed_order

    rng = np.random.default_rng(2)
    first = -2 * rng.integers(0, 5, 5000) + (rng.random(5000) < 0.2)
    publish = np.datetime64("2026-01-01", "ns").astype(np.int64) + rng.integers(
        0, 40, 5000) * 60 * 10**9
    publish[first % 2 == 1] = np.iinfo(np.int64).min  # NaT: first is odd
    row = rng.integers(0, 30, 5000)
    packed = _packed_order(first, publish, row)
    assert packed is not None
    assert packed.tolist() == np.lexsort((row, publish, first)).tolist()
    assert _packed_order(first, publish, row - 1) is None  # a row below 0: not packed


def test_levels_switch_off_and_raise_only_the_codes_they_name() -> None:
    findings = findings_of_rows()
    config = calendar_config(rules={"levels": {"missing-required": "off",
                                               "unknown-status": "critical"}})
    out = apply_levels(findings, config, ["Acme"])
    assert "missing-required" in set(findings["code"])
    assert "missing-required" not in set(out["code"])
    raised = out.loc[out["code"] == "unknown-status", "severity"]
    assert len(raised) and (raised == int(Severity.CRITICAL)).all()
    rest = findings[~findings["code"].isin(["missing-required", "unknown-status"])]
    pd.testing.assert_frame_equal(
        out[~out["code"].isin(["unknown-status"])].reset_index(drop=True),
        rest.reset_index(drop=True))
    assert apply_levels(findings, calendar_config(), ["Acme"]) is findings  # nothing to change


def test_builder_frame_is_the_frames_of_each_add_joined() -> None:
    frame = pd.DataFrame({
        "row": np.array([2, 3, 4], dtype=np.int64),
        "post_id": np.array(["P1", "P2", "P3"], dtype=object),
        "client": np.array(["Acme", "Acme", "Beta"], dtype=object),
        "publish_at": np.array(["2026-03-10", "NaT", "2026-03-12"], dtype="datetime64[ns]")})
    builder = FindingsBuilder(frame)
    builder.add("missing-id", np.array([True, False, True]), "post_id", "No ID.")
    builder.add("invalid-link", np.array([1, 2]), "asset", ["a", "b"], severity=3)
    builder.calendar_level("no-id-column", "post_id", None, "No ID column.")
    out = builder.frame()
    assert out["row"].tolist() == [2, 4, 3, 4, 0]
    assert out["code"].tolist() == ["missing-id"] * 2 + ["invalid-link"] * 2 + ["no-id-column"]
    assert out["message"].tolist() == ["No ID.", "No ID.", "a", "b", "No ID column."]
    assert out["severity"].tolist()[2:4] == [3, 3]
    assert str(out["code"].dtype) == str(out["message"].dtype) == "str"
    assert out["publish_at"].isna().tolist() == [False, False, True, False, True]


def test_builder_frame_with_an_add_of_no_text_takes_objects_as_joined_frames_do() -> None:
    frame = pd.DataFrame({
        "row": np.array([2, 3], dtype=np.int64),
        "post_id": np.array([None, None], dtype=object),
        "client": np.array(["Acme", "Acme"], dtype=object),
        "publish_at": np.array(["2026-03-10", "2026-03-11"], dtype="datetime64[ns]")})
    builder = FindingsBuilder(frame)
    builder.add("missing-id", np.array([True, True]), "post_id", "No ID.")
    builder.calendar_level("no-id-column", "post_id", None, "No ID column.")
    out = builder.frame()
    one_by_one = concat([
        pd.DataFrame({"code": "missing-id",
                      "severity": np.full(2, int(CODES["missing-id"].severity)),
                      "row": np.array([2, 3]), "post_id": np.array([None, None], dtype=object),
                      "column": "post_id", "client": np.array(["Acme", "Acme"], dtype=object),
                      "message": ["No ID."] * 2, "publish_at": frame["publish_at"].to_numpy()}),
        pd.DataFrame({"code": np.array(["no-id-column"], dtype=object),
                      "severity": np.array([int(out["severity"].iloc[2])]),
                      "row": np.array([0]), "post_id": np.array([""], dtype=object),
                      "column": np.array(["post_id"], dtype=object),
                      "client": np.array([""], dtype=object),
                      "message": np.array(["No ID column."], dtype=object),
                      "publish_at": np.array([None], dtype="datetime64[ns]")})])
    assert out["post_id"].dtype == object and out["post_id"].tolist()[:2] == [None, None]
    pd.testing.assert_frame_equal(out, one_by_one, check_exact=True)
