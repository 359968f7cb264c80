"""Run every enabled rule over a parsed calendar and return its findings, sorted."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sheets_sync.codes import CODES
from sheets_sync.config import CalendarConfig
from sheets_sync.findings import concat
from sheets_sync.parse import Calendar
from sheets_sync.rules import REGISTRY, Context

if TYPE_CHECKING:  # history and its state database only when an audit or a sync reads one
    from sheets_sync.history import Observed


def validate(calendar: Calendar, config: CalendarConfig, now: dt.datetime,
             observed: Observed | None = None,
             reread: Callable[[CalendarConfig], Calendar] | None = None) -> pd.DataFrame:
    """Return every finding about ``calendar`` as of ``now`` (timezone-aware).

    ``observed`` carries what earlier cycles saw of each post (from
    :func:`sheets_sync.history.observe`); without it the rules that need history use the
    sheet alone.

    Parse findings are included. Per-client severity levels from the configuration are
    applied (``"off"`` drops a code), and findings are sorted most severe first, then by
    publish time, sheet row and code.

    A client whose ``language`` differs from the calendar's gets its findings in its own
    language: the rules run once more in that language, and ``reread(config)`` (the same
    cells parsed again with ``config``) words the findings of reading the cells; without
    it those stay in the calendar's language.
    """
    findings = _validate(calendar, config, now, observed)
    if all(client.language == config.language for client in config.resolved.values()):
        return findings  # a client not listed speaks the calendar's language
    clients = set(findings["client"].unique().tolist())  # not cell by cell: a string array
    languages = {c: config.for_client(c).language for c in clients if c}
    for language in sorted(set(languages.values()) - {config.language}):
        other = dataclasses.replace(config, language=language)
        again = _validate(reread(other) if reread else calendar, other, now, observed)
        findings = _worded_in(findings, again,
                              [c for c, spoken in languages.items() if spoken == language])
    return findings


def _worded_in(findings: pd.DataFrame, again: pd.DataFrame, clients: list[str]
               ) -> pd.DataFrame:
    """``findings`` with the messages of ``clients``' findings taken from ``again``: the same
    findings, in the same order, worded in another language."""
    same = ["code", "row", "column", "client"]
    if len(again) != len(findings) or not again[same].equals(findings[same]):
        raise RuntimeError("the findings of one calendar differ between two languages")
    theirs = findings["client"].isin(clients).to_numpy()
    message = np.where(theirs, again["message"].to_numpy(dtype=object),
                       findings["message"].to_numpy(dtype=object))
    return findings.assign(message=message)


def _validate(calendar: Calendar, config: CalendarConfig, now: dt.datetime,
              observed: Observed | None) -> pd.DataFrame:
    """The findings of :func:`validate`, in the calendar's language."""
    ctx = Context(calendar, config, now, observed)
    enabled = _enabled_codes(ctx)
    for registered in REGISTRY:
        if enabled.intersection(registered.codes):
            registered.func(ctx)
    findings = concat([calendar.findings, ctx.findings.frame()])
    findings = apply_levels(findings, config, ctx.clients.names)
    return sort(findings)


def _enabled_codes(ctx: Context) -> set[str]:
    settings = list(ctx.clients.settings.values()) or [ctx.config.for_client(ctx.config.name)]
    return {code for code in CODES if any(s.rules.level(code) is not None for s in settings)}


def apply_levels(findings: pd.DataFrame, config: CalendarConfig, clients: list[str]
                 ) -> pd.DataFrame:
    """Apply each client's severity overrides; codes switched off are dropped."""
    if findings.empty:
        return findings
    owners_rules = {client: config.for_client(client).rules if client else config.rules
                    for client in {*clients, ""}}
    overridden = {code for rules in owners_rules.values() for code in rules.levels}
    if not overridden:  # the usual case: every finding keeps its code's severity
        return findings
    severity = findings["severity"].to_numpy().copy()
    keep = np.ones(len(findings), dtype=bool)
    codes = findings["code"].to_numpy(dtype=object)
    owners = findings["client"].to_numpy(dtype=object)
    for code in sorted(overridden):
        in_code = codes == code
        if not in_code.any():
            continue
        for client, rules in owners_rules.items():
            if code not in rules.levels:
                continue
            mask = in_code & (owners == client)
            level = rules.level(code)
            if level is None:
                keep &= ~mask
            else:
                severity[mask] = int(level)
    out = findings.assign(severity=severity)
    return out[keep].reset_index(drop=True)


def sort(findings: pd.DataFrame) -> pd.DataFrame:
    """Order findings: most severe, then soonest publish time, then sheet row and code.

    Numbers that order as the keys do (a missing time after every time) are sorted at once,
    keeping the order of ties; only findings tied on all of them (the same severity, time
    and row) are then ordered by their code and column texts.
    """
    publish = findings["publish_at"].to_numpy(dtype="datetime64[ns]")
    # Most severe first, and within a severity a missing time last: one number for both.
    first = -2 * findings["severity"].to_numpy().astype(np.int64) + np.isnat(publish)
    keys = (first, publish.view(np.int64), findings["row"].to_numpy())
    order = _packed_order(*keys)
    if order is None:
        order = np.lexsort(keys[::-1])  # the last key first
    ordered = [key[order] for key in keys]
    same = np.ones(max(len(order) - 1, 0), dtype=bool)
    for key in ordered:
        same &= key[1:] == key[:-1]
    if same.any():
        tied = np.zeros(len(order), dtype=bool)
        tied[1:] |= same
        tied[:-1] |= same
        at = np.flatnonzero(tied)
        group = np.cumsum(np.r_[True, ~same])[at]  # runs of ties, in order
        picked = order[at]
        codes, columns = (findings[name].to_numpy()[picked] for name in ("code", "column"))
        order[at] = picked[np.lexsort((_ranks(columns), _ranks(codes), group))]
    return findings.take(order).reset_index(drop=True)


_MINUTE = 60 * 10**9  # in nanoseconds


def _packed_order(first: np.ndarray, publish: np.ndarray, row: np.ndarray) -> np.ndarray | None:
    """The order of :func:`sort`'s keys (``first``; publish times as
    nanoseconds, NaT the least; sheet rows), ties in the order they come, from one sort of
    one number per finding holding all three and the finding's place; None when they do not
    fit in one.

    Publish times count from the earliest, in minutes when none has seconds; a finding
    with no time takes 0, which orders it nowhere: ``first`` sets those apart already."""
    if not len(row) or int(row.min()) < 0:
        return None
    timed = publish != np.iinfo(np.int64).min
    if not timed.any():
        return None
    earliest, latest = int(publish[timed].min()), int(publish[timed].max())
    if latest - earliest >= 1 << 62:  # more than 146 years apart: not one number
        return None
    since = np.where(timed, publish - earliest, 0)
    if not (since % _MINUTE).any():
        since //= _MINUTE
    level = first - first.min()
    bits = [int(values.max()).bit_length() for values in (level, since, row)]
    place_bits = (len(row) - 1).bit_length()
    if sum(bits) + place_bits > 63:
        return None
    key = (((level << bits[1] | since) << bits[2] | row) << place_bits) | np.arange(len(row))
    return np.sort(key) & ((1 << place_bits) - 1)


def _ranks(column: np.ndarray) -> np.ndarray:
    """Per value of ``column``: its place among the column's distinct values in order, a
    missing value after them all."""
    codes, uniques = pd.factorize(column, sort=True)
    return np.where(codes < 0, len(uniques), codes)
