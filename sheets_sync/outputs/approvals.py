"""Which posts need the client's approval soon: the one definition that the Report's
"Approvals needed in the next 7 days" and the Portfolio's "Approvals due in 7 days" share.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np

from sheets_sync.model import AWAITING_APPROVAL
from sheets_sync.rules.base import Context
from sheets_sync.rules.evidence import approval_recorded

APPROVAL_WINDOW = dt.timedelta(days=7)  # 7 x 24 hours of elapsed time


def approvals_due(ctx: Context) -> np.ndarray:
    """Per row of ``ctx.frame``: whether the post is due for the client's approval soon.

    A post is due when both hold:

    * it still awaits the client's approval: its status is one of ``AWAITING_APPROVAL``
      (idea, draft, internal review, client review, changes requested) and the sheet records
      no approval otherwise (a yes/no flag, an approver or an approval date, read as
      :func:`~sheets_sync.rules.evidence.approval_recorded` reads them for the
      ``approval-missing`` rule);
    * its publish moment, in its client's time zone, lies in the closed interval
      ``[now, now + 7 x 24 h]``: both ends are included, so a post publishing exactly at
      ``now`` or exactly 168 hours after it is due, and one a minute before ``now`` or a
      minute past the 168 hours is not. The end is elapsed time: across a daylight-saving
      change it falls an hour before or after ``now``'s wall-clock time seven days on.

    Date-only posts count at the time parse gave them (the publish-time column, else the
    calendar's ``default_publish_time``); posts without a readable publish date are never
    due. Pure: ``ctx`` brings the parsed calendar, the configuration (each client's time
    zone) and ``now`` (aware); nothing reads the clock.
    """
    frame = ctx.frame
    publish = frame["publish_at"].to_numpy(dtype="datetime64[ns]")
    end = ctx.now.astimezone(dt.timezone.utc) + APPROVAL_WINDOW
    ends = np.array([end.astimezone(zoneinfo.ZoneInfo(ctx.clients.settings[c].timezone))
                     .replace(tzinfo=None) for c in ctx.clients.names], dtype="datetime64[ns]")
    until = ends[ctx.clients.of_row] if len(ends) else ends
    waiting = ctx.texts.status_in(AWAITING_APPROVAL) & ~approval_recorded(ctx)
    return waiting & (publish >= ctx.clients.now_local) & (publish <= until)
