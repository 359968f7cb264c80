"""Channel cells that name several channels ("IG Reels + TikTok; repurpose to X", "All
platforms"): read as the channels they name, and said once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig
from sheets_sync.findings import FindingsBuilder
from sheets_sync.messages import Messages, row_list
from sheets_sync.values import Categories, recode
from sheets_sync.vocab import (
    ALL_CHANNELS,
    CHANNEL_PLACE_WORDS,
    CHANNEL_VALUES,
    FORMAT_VALUES,
    WordTable,
    channel_parts,
    match_channel,
    normalize,
    vocabulary_table,
)


@dataclass(frozen=True)
class ChannelCell:
    """A channel cell naming several channels ("IG Reels + TikTok; repurpose to X")."""

    channels: tuple[str, ...]  # the channels named, in the cell's order, each once
    unknown: tuple[str, ...] = ()  # parts naming no known channel, as written
    everything: bool = False  # "All platforms": every channel the calendar uses




def several_channels(frame: pd.DataFrame, coded: dict[str, Categories],
                      config: CalendarConfig) -> dict[str, ChannelCell]:
    """Read the channel cells the vocabulary does not know as a whole as lists of channels.

    "IG Reels + YouTube Shorts; repurpose to X" names instagram, youtube and x (see
    :func:`sheets_sync.vocab.channel_parts`); "All platforms" names every channel the rest of
    the calendar uses. A cell naming one known channel ("IG Reels") becomes that channel; one
    naming several, or known and unknown ones, is returned (cell -> :class:`ChannelCell`)
    and its rows' ``channel`` is the first channel named. A cell naming no known channel
    stays unknown. ``frame["channel"]`` and ``coded["channel"]`` are updated in place.
    """
    if "channel_raw" not in coded or not len(frame):
        return {}
    table, trailing = channel_words(config)
    keys, uniques = coded["channel_raw"]
    used = np.bincount(keys, minlength=len(uniques)) > 0
    known = {text: table.read(text)  # exact words, then the configured patterns
             for text, in_use in zip(uniques.tolist(), used.tolist()) if in_use}
    unread = [text for text, name in known.items() if not name and text.strip()]
    if not unread:
        return {}
    read: dict[str, tuple[list[str], list[str], bool]] = {}
    for text in unread:
        names: list[str] = []
        unknown: list[str] = []
        everything = False
        for part in channel_parts(text):
            name = match_channel(part, table, trailing)
            if normalize(part) in ALL_CHANNELS:
                everything = True
            elif not name:
                unknown.append(part)
            elif name not in names:
                names.append(name)
        if names or everything:
            read[text] = (names, unknown, everything)
    if not read:
        return {}
    in_use = {name for name in known.values() if name}
    in_use.update(name for names, _, everything in read.values() if not everything
                  for name in names)
    every = [name for name in config.channel_names() if name in in_use]
    cells: dict[str, ChannelCell] = {}
    for text, (names, unknown, everything) in read.items():
        if everything:
            names += [name for name in every if name not in names]
        if not names:  # "All platforms" where no other row names a channel: unknown
            continue
        known[text] = names[0]
        if len(names) > 1 or unknown or everything:
            cells[text] = ChannelCell(tuple(names), tuple(unknown), everything)
    frame["channel"], coded["channel"] = recode(coded["channel_raw"],
                                                 lambda text: known.get(text, ""))
    return cells


def channel_words(config: CalendarConfig) -> tuple[WordTable, set[str]]:
    """The channel vocabulary (normalized text -> channel) and the words that may follow a
    channel's name in a cell (format words, "feed", "page"…)."""
    trailing = {word for text in vocabulary_table(FORMAT_VALUES, config.formats)
                for word in text.split()} | CHANNEL_PLACE_WORDS
    return vocabulary_table(CHANNEL_VALUES, config.channels), trailing


def channel_notices(frame: pd.DataFrame, coded: dict[str, Categories],
                     cells: Mapping[str, ChannelCell], builder: FindingsBuilder,
                     messages: Messages) -> None:
    """Say once how cells naming several channels, and "All platforms", are read."""
    keys, uniques = coded["channel_raw"]
    rows = frame["row"].to_numpy()
    texts = uniques.tolist()
    several = np.array([t in cells and len(cells[t].channels) > 1 and not cells[t].everything
                        for t in texts], dtype=bool)[keys]
    if several.any():
        example = texts[keys[np.flatnonzero(several)[0]]]
        builder.calendar_level("several-channels", "channel", None, messages.text(
            "several-channels", rows=row_list(messages, rows[several].tolist()),
            example=example.strip(), channels=", ".join(cells[example].channels)))
    for code, text in enumerate(texts):
        cell = cells.get(text)
        if cell is not None and cell.everything:
            builder.calendar_level("several-channels", "channel", None, messages.text(
                "several-channels:all", value=text.strip(),
                rows=row_list(messages, rows[keys == code].tolist()),
                channels=", ".join(cell.channels)))
