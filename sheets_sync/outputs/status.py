"""The Status tab: one row per open finding, with the post's own text beside it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sheets_sync.cells import Grid
from sheets_sync.config import CalendarConfig
from sheets_sync.outputs.convert import (
    blank_unless,
    moments,
    publish_cells,
    texts,
    utc_to_local,
)
from sheets_sync.outputs.labels import Labels, severity_labels
from sheets_sync.parse import Calendar

STATUS_COLUMNS = ("severity", "code", "post_id", "row", "client", "channel", "publish_date",
                  "status", "owner", "message", "first_seen")


def status_grid(calendar: Calendar, findings: pd.DataFrame, config: CalendarConfig) -> Grid:
    """Return the Status tab: a header, then one row per finding in the given order.

    Channel, status and owner are the sheet's own text on the finding's row; calendar-level
    findings (row 0) leave post, row, channel, status and owner blank and show their date
    (a week, a month) as a date. A post's publish time is shown as the sheet writes it, with
    the client's time beside it where the client is in another zone. ``first_seen`` (naive
    UTC, optional) is shown in the calendar's time zone. A clean calendar gives the header
    and a "No open issues" line.
    """
    label = Labels(config.language)
    header = label.all(*STATUS_COLUMNS)
    if findings.empty:
        return [header, [label("no_issues")]]
    frame = calendar.frame
    rows = findings["row"].to_numpy(dtype="int64")
    at = pd.Index(frame["row"].to_numpy(dtype="int64")).get_indexer(rows)
    found = (at >= 0) & (rows > 0)
    safe = np.where(found, at, 0)

    def pick(name: str) -> np.ndarray:
        if not len(frame):
            return np.full(len(rows), None, dtype=object)
        return blank_unless(found, frame[name].to_numpy(dtype=object)[safe])

    has_time = found & (frame["publish_has_time"].to_numpy(dtype=bool)[safe] if len(frame)
                        else False)
    # A finding's own date (a week, a month: calendar level), else its post's time as written.
    publish = moments(findings["publish_at"], has_time)
    if found.any():
        publish[found] = publish_cells(calendar, config, safe[found], has_time[found])
    seen: Any = None
    if "first_seen" in findings:
        seen = moments(utc_to_local(findings["first_seen"], config.timezone))
    sev = findings["severity"].to_numpy(dtype="int64").clip(0, 4)
    columns: list[Any] = [
        severity_labels(label)[sev], findings["code"].to_numpy(dtype=object),
        texts(findings["post_id"]), blank_unless(rows > 0, rows),
        texts(findings["client"]),
        texts(pick("channel_raw")), publish,
        texts(pick("status_raw")), texts(pick("owner")),
        findings["message"].to_numpy(dtype=object),
        seen if seen is not None else np.full(len(rows), None, dtype=object),
    ]
    return [header, *map(list, zip(*(c.tolist() for c in columns)))]
