"""X threads: a caption that holds several tweets is held to X's limit tweet by tweet.

A caption on the x channel is a thread when it is written as one:

- numbered tweets: lines that begin with 1/, 2/, 3/ … or 1/5, 2/5 … in order (a 🧵 before the
  number is allowed); each numbered line begins a tweet, and text before "1/" belongs to the
  first tweet. A number out of order ("24/7 support") is text, not a new tweet;
- otherwise, when the post says it is a thread (its format is thread, or the caption holds
  🧵 or the word "thread"), tweets separated by blank lines.

Any other caption is one tweet and is measured whole, as on any other channel: a single tweet
written in paragraphs is still one tweet. Only the x channel is measured this way: the other
channels post a caption as one text.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from sheets_sync.rules.base import Context

THREAD_CHANNELS = ("x",)
_NUMBERED = re.compile(r"^\s*(?:🧵\s*)?\(?(\d{1,3})\s*/\s*(?:\d{1,3})?\)?(?!\d)")
_BLANK_LINES = re.compile(r"\n[ \t\r\u00a0]*\n\s*")
_SAYS_THREAD = re.compile(r"🧵|\b(?:thread|flood)\b", re.IGNORECASE)


def tweets(caption: str, marked: bool = False) -> list[str]:
    """Return the tweets of a caption (one item when it is not written as a thread).

    Numbered tweets always split it; blank lines only when the post is ``marked`` as a
    thread (or the caption says so: 🧵, "thread"). Tweets are stripped of the white space
    around them; empty ones are dropped.
    """
    lines = caption.split("\n")
    starts: list[int] = []
    for index, line in enumerate(lines):
        found = _NUMBERED.match(line)
        if found and int(found.group(1)) == len(starts) + 1:
            starts.append(index)
    if len(starts) >= 2:
        bounds = [0, *starts[1:], len(lines)]
        parts = ["\n".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]
    elif marked or _SAYS_THREAD.search(caption):
        parts = _BLANK_LINES.split(caption)
    else:
        parts = [caption]
    found_tweets = [part.strip() for part in parts if part.strip()]
    return found_tweets or [caption]


def report_threads(ctx: Context, rows: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Report ``caption-too-long`` for each thread among ``rows`` with a tweet over its limit.

    ``rows`` are x posts whose whole caption is over ``limits`` (per row). Returns the rows
    that are threads (reported here or within the limit tweet by tweet); the others are
    single tweets, measured whole by the caller.
    """
    threads = np.zeros(len(rows), dtype=bool)
    over: list[int] = []
    texts: list[str] = []
    captions = ctx.frame["caption"].to_numpy(dtype=object)
    marked = ctx.texts.text_in("format", "thread")
    for index in np.flatnonzero(rows).tolist():  # few rows: x captions over the limit
        found = tweets(captions[index], bool(marked[index]))
        if len(found) < 2:
            continue
        threads[index] = True
        limit = int(limits[index])
        long = [(n, len(t)) for n, t in enumerate(found, 1) if len(t) > limit]
        if long:
            over.append(index)
            texts.append(", ".join(ctx.messages.text(
                "caption-too-long:tweet", number=n, count=len(found), length=length,
                over=length - limit) for n, length in long))
    if over:
        chosen = np.array(over)
        ctx.findings.add("caption-too-long", np.isin(np.arange(len(rows)), chosen), "caption",
                         ctx.messages.render(
                             "caption-too-long:thread", tweets=texts,
                             limit=limits[chosen].astype(int),
                             channel=[str(c).strip() for c in ctx.frame["channel_raw"]
                                      .to_numpy(dtype=object)[chosen]]))
    return threads
