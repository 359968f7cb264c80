"""Questions asked of a whole text column at once, where asking cell by cell costs most: the
captions' lengths and blanks, the asset cells that are surely links, the captions that may be
the same once folded. Each answer is the plain per-cell answer (the rules' tests hold them to
it), found for all cells in one pass over them or over the bytes of their joined text."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from sheets_sync.rules.base import Context


def caption_lengths(ctx: Context) -> np.ndarray:
    """Per row: the caption's length in characters (computed once per run)."""
    return _caption_facts(ctx)[0]


def caption_blank(ctx: Context) -> np.ndarray:
    """Per row: whether the caption is empty or only white space (computed once per run)."""
    return _caption_facts(ctx)[1]


_CHUNK = 2048  # captions looked at in both ways while they are at hand


def _caption_facts(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the caption's length, and whether it is blank.

    Captions are long and far apart in memory: reaching each costs more than what is asked
    of it, so both are asked of a few thousand captions at a time, reached once."""
    def compute() -> tuple[np.ndarray, np.ndarray]:
        captions = ctx.frame["caption"].to_numpy(dtype=object).tolist()
        lengths = np.empty(len(captions), dtype=np.intp)
        spaces = np.empty(len(captions), dtype=bool)
        for start in range(0, len(captions), _CHUNK):
            part = captions[start:start + _CHUNK]
            lengths[start:start + _CHUNK] = list(map(len, part))
            spaces[start:start + _CHUNK] = list(map(str.isspace, part))
        return lengths, (lengths == 0) | spaces

    return ctx.memo("caption-facts", compute)


# The start of a valid link up to the slash after its host: a cell that begins with one and
# holds no white space is a valid link, whatever follows.
_LINK_HEAD = re.compile(r"https?://[^\s/?#.]+(?:\.[^\s/?#.]+)+(?::\d+)?/", re.IGNORECASE)
_ASCII_SPACE = np.zeros(256, dtype=bool)  # every ASCII character str.isspace() says is one
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


def surely_links(cells: np.ndarray) -> np.ndarray | None:
    """Per cell: True where it is certainly a valid link; False says nothing. None when no
    cell among the first begins as a link does (see :data:`_LINK_HEAD`).

    A column of links mostly repeats one start (``https://cdn.example.com/``): the cells
    that begin with it and hold no white space are found for all cells at once, in the
    bytes of their joined text, and are valid links without a regular expression each.
    """
    texts = cells.tolist()
    heads = Counter(found[0] for found in map(_LINK_HEAD.match, texts[:64])
                    if found and found[0].isascii())
    if not heads:
        return None
    head = heads.most_common(1)[0][0].encode("ascii")
    joined = "\0" + "\0".join(texts)
    plain = None
    if not joined.isascii():  # the cells of other characters are looked at closely
        plain = np.fromiter(map(str.isascii, texts), bool, len(texts))
        joined = "\0" + "\0".join(np.where(plain, cells, "").tolist())
    data = joined.encode("ascii")
    codes = np.frombuffer(data + bytes(len(head)), dtype=np.uint8)  # room to read a start
    starts = np.flatnonzero(codes[:len(data)] == 0) + 1  # each cell follows a NUL
    if len(starts) != len(texts):  # a cell holds NUL
        return None
    odd = np.zeros(len(texts), dtype=bool)
    for offset, code in enumerate(head):  # a cell too short differs at its end's NUL
        odd |= codes[starts + offset] != code
    if plain is not None:
        odd |= ~plain
    low = np.flatnonzero(codes - 1 < 32)  # white space and other control characters, NUL not
    spaces = low[_ASCII_SPACE[codes[low]]]
    odd[np.searchsorted(starts, spaces, side="right") - 1] = True
    return ~odd


def surely_link_assets(ctx: Context) -> np.ndarray:
    """Per row: whether the asset cell is surely a valid link (see :func:`surely_links`;
    computed once per run)."""
    def compute() -> np.ndarray:
        surely = surely_links(ctx.frame["asset"].to_numpy(dtype=object))
        return surely if surely is not None else np.zeros(len(ctx.frame), dtype=bool)

    return ctx.memo("surely-links", compute)


# The characters a caption keeps when it is folded (casefold, white space made one space):
# ASCII digits and signs. No character's casefold holds one of them unless it is that very
# character, and none of them is white space. Letters are not among them: "K" (the kelvin
# sign) folds to "k", "İ" to "i" and a combining dot.
FOLD_KEPT = bytes(c for c in range(0x21, 0x7F) if not chr(c).isalpha())
_NOT_KEPT = bytes(c for c in range(1, 0x100) if c not in FOLD_KEPT)  # NUL parts captions


def may_repeat(captions: np.ndarray) -> np.ndarray:
    """Per caption: whether another caption of ``captions`` may be the same once folded.

    Two captions that fold alike hold the same ASCII digits and signs in the same order
    (:data:`FOLD_KEPT`); a caption whose digits and signs no other caption holds has no
    twin. Those are found for all captions at once, in their UTF-8 bytes, which is far
    cheaper than folding each; the few that may repeat are then folded and compared.
    """
    texts = captions.tolist()
    joined = "\0".join(texts).encode("utf-8", "surrogatepass").translate(None, _NOT_KEPT)
    kept = joined.split(b"\0")
    if len(kept) != len(texts):  # a caption holds NUL itself: each is looked at alone
        kept = [text.encode("utf-8", "surrogatepass").translate(None, _NOT_KEPT + b"\0")
                for text in texts]
    return pd.Series(np.fromiter(map(hash, kept), np.int64, len(kept))).duplicated(
        keep=False).to_numpy()
