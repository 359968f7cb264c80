"""Row validity rules: required cells, vocabularies, IDs, captions, hashtags, links, staleness."""

from __future__ import annotations

import difflib
import itertools
import re

import numpy as np
import pandas as pd

from sheets_sync.messages import channel_name
from sheets_sync.model import (
    AWAITING_APPROVAL,
    CLOSED_STATES,
    REVIEW_OR_LATER,
    STATES,
)
from sheets_sync.rules.base import Context, blank, per_distinct, rule, stripped
from sheets_sync.rules.calendar import channel_posts
from sheets_sync.rules.columns import (
    caption_blank,
    caption_lengths,
    may_repeat,
    surely_link_assets,
)
from sheets_sync.rules.evidence import approval_recorded, approval_unreadable
from sheets_sync.rules.scope import (
    before_since,
    publish_passed,
    skipped_for_unknown_status,
    text_only,
)
from sheets_sync.rules.threads import THREAD_CHANNELS, report_threads
from sheets_sync.vocab import (
    CHANNEL_VALUES,
    FALSE_VALUES,
    FORMAT_VALUES,
    STATUS_VALUES,
    WordTable,
    is_pattern,
    lookup,
    normalize,
)

_HASHTAG = re.compile(r"#[^\s#]+")
_LINKISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)", re.IGNORECASE)
# Schemes ignore case ("Https://", as a phone's keyboard writes it, is a working link).
_VALID_URL = re.compile(r"^https?://[^\s/?#.]+(?:\.[^\s/?#.]+)+(?::\d+)?(?:[/?#]\S*)?$",
                        re.IGNORECASE)


def _hash_signs(ctx: Context, name: str, at: np.ndarray) -> np.ndarray:
    """Per row at positions ``at``: the '#' signs in column ``name`` (once per distinct text
    when it repeats)."""
    if name in ctx.calendar.categories:
        return ctx.texts.per_text(name, lambda text: text.count("#"), np.intp)[at]
    texts = ctx.frame[name].to_numpy(dtype=object)[at].tolist()
    return np.array(list(map(str.count, texts, itertools.repeat("#", len(texts)))),
                    dtype=np.intp)


def _hashtags(texts: pd.Series) -> np.ndarray:
    return np.array([len(_HASHTAG.findall(t)) for t in texts], dtype=float)


def _bad_link(text: str) -> bool:
    """A value written as a web address (scheme or www.) that is not a valid http(s) link."""
    if text[:1].isspace() or text[-1:].isspace():
        text = text.strip()
    if text[:8].lower().startswith(("https://", "http://")):
        return _VALID_URL.match(text) is None
    if not _LINKISH.match(text):
        return False  # a file name, not a link
    return not _VALID_URL.match(text)


@rule("missing-required")
def missing_required(ctx: Context) -> None:
    frame = ctx.frame
    no_date = np.isnat(frame["publish_at"].to_numpy()) & ~frame["publish_at_invalid"].to_numpy() \
        & ~frame["publish_at_unset"].to_numpy()
    ctx.findings.add("missing-required", no_date, "publish_at",
            ctx.messages.render("missing-required", header=ctx.calendar.header("publish_at")))
    ctx.findings.add("missing-required", ctx.texts.blank("status_raw"), "status",
            ctx.messages.render("missing-required", header=ctx.calendar.header("status")))
    in_review = ctx.texts.status_in(REVIEW_OR_LATER)
    for name in ("caption", "asset"):
        if not ctx.has(name):
            continue
        if name == "caption":
            mask = in_review & caption_blank(ctx)
        else:  # a cell that is surely a link is not blank: only the others are looked at
            mask = in_review & ~surely_link_assets(ctx)
            mask[mask] = blank(frame[name].to_numpy(dtype=object)[mask])
        if name == "asset":
            mask &= ~text_only(ctx)
        ctx.findings.add("missing-required", mask, name, ctx.messages.render(
            "missing-required:review", header=ctx.calendar.header(name),
            status=frame.loc[mask, "status_raw"].tolist()))


# Negations a value may hold that a suggestion must hold too. Compared after normalize, so
# "don't" is "don t", "değil" is "degil" and "yayınlanmadı" is "yayinlanmadi".
_NEGATING_WORDS = frozenset({"not", "no", "non", "never", "nope", "dont", "cannot", "without",
                             "degil", "yok", "hayir"})
_NEGATING_PREFIXES = frozenset({"un", "non", "dis", "de", "not", "no", "never"})
_NEGATING_INFIXES = ("ma", "me", "miyor", "muyor")  # Turkish: yayınlan-ma-dı, gönderil-me-di
_NO_WORDS = frozenset(normalize(word) for word in FALSE_VALUES)
_SHORTEST = 4  # shorter words are abbreviations (IG, TT, ok), not spellings to correct


def _suggest(value: str, choices: dict[str, str]) -> str:
    """Return the spelling to suggest for an unknown ``value``, or '' when none is safe.

    A suggestion is only ever a near spelling of the whole normalized value: at most one edit
    (a letter added, dropped, changed, or two swapped) for words up to 7 characters, two for
    longer ones, or a difflib ratio above 0.8 ("Pubished" -> published, "Schedled" ->
    scheduled). Words under 4 characters are never suggested. Never across meanings:

    * no suggestion lacking a negation the value holds: a word such as not, no, never, don't,
      değil, yok ("DO-NOT-PUBLISH" is not a misspelt "published"), a prefix added to the
      suggested word (un-, non-, dis-, de-: "unpublished"), or the Turkish negative -ma/-me
      inside it ("Yayınlanmadı" is not "yayınlandı");
    * none for a value that is itself a known word for no ("Not approved", "Onaylanmadı");
    * none when two spellings are equally near: the choice would be a guess.
    """
    text = normalize(value)
    if len(text) < _SHORTEST - 1 or text in _NO_WORDS:
        return ""
    ranked = []
    for key, spelling in choices.items():
        if len(key) < _SHORTEST:
            continue
        near = _near(text, key)
        if near is not None and not _negates(text, key):
            ranked.append((near, spelling))
    ranked.sort(key=lambda item: item[0])
    if not ranked or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]
                      and ranked[1][1] != ranked[0][1]):
        return ""
    return ranked[0][1]


def _near(text: str, key: str) -> tuple[int, float] | None:
    """(edits, -ratio) when ``key`` is a near spelling of ``text``, else None."""
    longer, shorter = max(len(text), len(key)), min(len(text), len(key))
    if 2 * shorter / (longer + shorter) < 0.8 and longer - shorter > 2:
        return None  # neither test can pass: lengths alone rule it out
    allowed = 1 if longer <= 7 else 2
    letters = set(key)
    # Cheap bounds first: one edit changes which letters occur by at most two, and a ratio
    # of 0.8 leaves at most a fifth of the letters unmatched.
    if len(set(text) ^ letters) <= 2 * allowed:
        edits = _edits(text, key, allowed)
        if edits <= allowed:
            return edits, -difflib.SequenceMatcher(None, text, key, autojunk=False).ratio()
    if sum(char not in letters for char in text) > len(text) - 0.4 * (len(text) + len(key)):
        return None
    matcher = difflib.SequenceMatcher(None, text, key, autojunk=False)
    if matcher.quick_ratio() <= 0.8 or matcher.ratio() <= 0.8:
        return None
    return allowed + 1, -matcher.ratio()


def _edits(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment distance of ``a`` and ``b`` (insertions, deletions,
    substitutions, swaps of neighbours), or ``limit + 1`` once it is certain to exceed it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def _negates(text: str, key: str) -> bool:
    """Whether normalized ``text`` holds a negation that the word ``key`` lacks."""
    words = set(key.split())
    if any(word in _NEGATING_WORDS and word not in words for word in text.split()):
        return True
    if re.search(r"n t\b", text) and not re.search(r"n t\b", key):  # don't, isn't, can't
        return True
    for tag, start, end, _, _ in difflib.SequenceMatcher(None, text, key,
                                                        autojunk=False).get_opcodes():
        if tag not in ("delete", "replace"):
            continue
        extra = text[start:end]
        start += len(extra) - len(extra.lstrip())
        extra = extra.strip()
        at_word_start = start == 0 or text[start - 1] == " "
        if (at_word_start and extra in _NEGATING_PREFIXES) or (
                not at_word_start and extra.startswith(_NEGATING_INFIXES)):
            return True
    return False


def _vocabulary_choices(base: dict[str, tuple[str, ...]], extra: dict[str, tuple[str, ...]]
                        ) -> dict[str, str]:
    """Return normalized spelling -> the spelling to suggest to the user (patterns are not
    spellings: never suggested)."""
    choices: dict[str, str] = {}
    for canonical, values in base.items():
        choices[normalize(canonical)] = canonical.replace("_", " ")
        for value in values:
            choices.setdefault(normalize(value), value)
    for values in extra.values():
        for value in values:
            if not is_pattern(value):
                choices[normalize(value)] = value
    return choices


def _meanings(base: dict[str, tuple[str, ...]], listed: list[str]) -> dict[str, str]:
    """Return normalized word -> its meaning as the list of known values spells it, for the
    words of ``base`` that list does not hold (a Turkish status word next to the canonical
    English list says which listed value it stands for)."""
    shown = {normalize(word) for word in listed}
    return {normalize(value): canonical.replace("_", " ") for canonical, values in base.items()
            for value in values if normalize(value) not in shown}


def _hint(ctx: Context, value: str, choices: dict[str, str], meanings: dict[str, str]) -> str:
    """The "Did you mean" fragment for ``value``: a near spelling and, when the list of known
    values does not hold it, the listed value it means."""
    suggestion = _suggest(value, choices)
    return ctx.messages.hint(suggestion, meanings.get(normalize(suggestion), ""))


def _unknown(ctx: Context, name: str, code: str, mask: np.ndarray, choices: dict[str, str],
             known: str, words: WordTable | None = None,
             meanings: dict[str, str] | None = None, skipped: list[str] | str = "") -> None:
    """Report the values of ``mask``, each with a near spelling to suggest, if any. A value
    that glob patterns of several meanings match names those meanings instead. ``meanings``
    says what a suggested word of another language stands for (see :func:`_hint`);
    ``skipped`` names, per value, the checks its row was left out of (unknown statuses)."""
    keys, uniques = ctx.texts.categorized(f"{name}_raw" if f"{name}_raw" in ctx.frame else name)
    picked = keys[mask]
    texts = uniques.tolist()
    shown, hints, knowns = (np.empty(len(texts), dtype=object) for _ in range(3))
    for key in np.unique(picked).tolist():  # once per distinct value
        value = texts[key]
        matched = words.matching(value) if words is not None else ()
        shown[key] = value.strip()
        if len({g.meaning for g in matched}) > 1:
            hints[key] = ""
            knowns[key] = ", ".join(f"{g.meaning.replace('_', ' ')} ({g.word})"
                                    for g in matched)
        else:
            hints[key] = _hint(ctx, value, choices, meanings or {})
            knowns[key] = known
    ctx.findings.add(code, mask, name, ctx.messages.render(
        code, value=shown[picked].tolist(), hint=hints[picked].tolist(),
        known=knowns[picked].tolist(), skipped=skipped))


def _skipped_checks(ctx: Context, mask: np.ndarray) -> list[str]:
    """Per unknown status in ``mask``: the clause naming the checks it was left out of."""
    named = skipped_for_unknown_status(ctx, mask)
    clauses = {checks: ctx.messages.text("unknown-status:skipped", checks=checks) if checks
               else "" for checks in set(named)}
    return [clauses[checks] for checks in named]


@rule("unknown-status", "unknown-channel", "unknown-format")
def unknown_values(ctx: Context) -> None:
    tables = (("status", "unknown-status", STATUS_VALUES, ctx.config.statuses, STATES),
              ("channel", "unknown-channel", CHANNEL_VALUES, ctx.config.channels,
               ctx.config.channel_names()),
              ("format", "unknown-format", FORMAT_VALUES, ctx.config.formats,
               ctx.config.format_names()))
    for name, code, base, extra, canonical in tables:
        mask = ctx.texts.text_in(name, "") & ~ctx.texts.blank(f"{name}_raw")
        parts = name == "channel" and any(c.unknown for c in ctx.calendar.channel_cells.values())
        if mask.any() or parts:
            listed = [c.replace("_", " ") for c in canonical]
            listed += [v for values in extra.values() for v in values if normalize(v) not in
                       {normalize(c) for c in canonical}]
            known, meanings = ", ".join(listed), _meanings(base, listed)
            if mask.any():
                _unknown(ctx, name, code, mask, _vocabulary_choices(base, extra), known,
                         lookup(base, extra), meanings,
                         _skipped_checks(ctx, mask) if name == "status" else "")
            if parts:
                _unknown_channel_parts(ctx, _vocabulary_choices(base, extra), known, meanings)


def _unknown_channel_parts(ctx: Context, choices: dict[str, str], known: str,
                           meanings: dict[str, str]) -> None:
    """One finding per row whose cell names known channels and unknown ones ("IG + Reddit"):
    it names the unknown parts, and the channels the post still counts on."""
    keys, uniques = ctx.texts.categorized("channel_raw")
    cells = ctx.calendar.channel_cells
    for key, text in enumerate(uniques.tolist()):
        cell = cells.get(text)
        if cell is None or not cell.unknown:
            continue
        ctx.findings.add("unknown-channel", keys == key, "channel", ctx.messages.text(
            "unknown-channel:part", value=", ".join(f"“{part}”" for part in cell.unknown),
            cell=text.strip(), counted=", ".join(cell.channels), known=known,
            hint=_hint(ctx, cell.unknown[0], choices, meanings)))


@rule("unknown-pillar")
def unknown_pillar(ctx: Context) -> None:
    present = ~ctx.texts.blank("pillar")
    codes, uniques = ctx.texts.categorized("pillar")
    folded = [normalize(u) for u in uniques.tolist()]
    for client, settings in ctx.clients.settings.items():
        names = list(settings.rules.pillars.names) + list(settings.rules.pillars.targets)
        if not names:
            continue
        choices = {normalize(n): n for n in names}
        known = np.array([f in choices for f in folded], dtype=bool)
        mask = present & ctx.clients.mask(client) & ~known[codes]
        if mask.any():
            _unknown(ctx, "pillar", "unknown-pillar", mask, choices, ", ".join(names))


@rule("duplicate-id", "missing-id")
def post_ids(ctx: Context) -> None:
    if not ctx.calendar.has_id_column:
        return
    frame = ctx.frame
    ids = frame["post_id"]
    texts = ids.to_numpy(dtype=object)
    missing = texts == ""
    ctx.findings.add("missing-id", missing, "post_id", ctx.messages.render("missing-id"))
    # The usual calendar repeats no ID: a set of them says so at half the cost of marking
    # the repeated ones, which is done only when some ID (other than none) repeats.
    if len(set(texts.tolist())) == len(texts) - max(int(missing.sum()) - 1, 0):
        return
    dup = ~missing & ids.duplicated(keep=False).to_numpy()
    if dup.any():
        rows = frame.loc[dup, ["post_id", "row"]]
        # One entry per duplicated ID, not per row: these groups are few.
        by_id = rows.groupby("post_id")["row"].apply(list).to_dict()
        others = [", ".join(str(r) for r in by_id[pid] if r != row)
                  for pid, row in zip(rows["post_id"], rows["row"])]
        ctx.findings.add("duplicate-id", dup, "post_id", ctx.messages.render(
            "duplicate-id", post_id=rows["post_id"].tolist(), others=others))


def _per_channel_limit(ctx: Context, limit_of: str) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the client's limit for the row's channel (NaN when there is none), and the
    channel to name in a message.

    A row whose cell names several channels gets the strictest of their limits, named as
    that channel of the cell; every other row is named by its channel cell as written.
    """
    # A (client x channel) table of limits, looked up for every row at once.
    channels = ctx.config.channel_names()
    table = np.full((len(ctx.clients.names) + 1, len(channels) + 1), np.nan)
    for index, client in enumerate(ctx.clients.names):
        for position, name in enumerate(channels):
            value = getattr(ctx.clients.settings[client].rules, limit_of)(name)
            if value is not None:
                table[index, position] = value
    positions = {name: i for i, name in enumerate(channels)}
    channel = ctx.texts.per_text("channel", lambda name: positions.get(name, len(channels)),
                                 np.intp)
    limits = table[ctx.clients.of_row, channel]
    named = ctx.frame["channel_raw"].to_numpy(dtype=object)
    cells = ctx.calendar.channel_cells
    if not cells:
        return limits, named
    named = named.copy()
    keys, uniques = ctx.texts.categorized("channel_raw")
    several = np.array([text in cells for text in uniques.tolist()], dtype=bool)[keys]
    # Once per (client, cell) pair: the strictest limit among the cell's channels.
    rows = np.flatnonzero(several)
    pair_keys = ctx.clients.of_row[rows].astype(np.int64) * len(uniques) + keys[rows]
    distinct, inverse = np.unique(pair_keys, return_inverse=True)
    strictest = []
    for pair in distinct.tolist():
        client, text = divmod(pair, len(uniques))
        cell = cells[uniques[text]]
        found = [(table[client, positions.get(name, len(channels))], name)
                 for name in cell.channels]
        found = [(limit, name) for limit, name in found if not np.isnan(limit)]
        limit, name = min(found, key=lambda item: item[0]) if found else (np.nan, "")
        strictest.append((limit, ctx.messages.text("strictest", channel=channel_name(name),
                                                   cell=uniques[text].strip())))
    limits[rows] = [strictest[i][0] for i in inverse.tolist()]
    named[rows] = [strictest[i][1] for i in inverse.tolist()]
    return limits, named


@rule("caption-too-long")
def caption_length(ctx: Context) -> None:
    lengths = caption_lengths(ctx).astype(float)
    limits, named = _per_channel_limit(ctx, "caption_limit")
    mask = lengths > limits
    on_x = mask & ctx.texts.text_in("channel", THREAD_CHANNELS)
    if on_x.any():  # a thread is measured tweet by tweet
        mask &= ~report_threads(ctx, on_x, limits)
    if mask.any():
        ctx.findings.add("caption-too-long", mask, "caption", ctx.messages.render(
            "caption-too-long", length=lengths[mask].astype(int), limit=limits[mask].astype(int),
            over=(lengths[mask] - limits[mask]).astype(int), channel=stripped(named[mask])))


@rule("too-many-hashtags")
def hashtag_count(ctx: Context) -> None:
    frame = ctx.frame
    columns = ["caption", "hashtags"] if ctx.has("hashtags") else ["caption"]
    limits, named = _per_channel_limit(ctx, "hashtag_limit")
    # Hashtags never outnumber '#' signs: the regex only runs where the signs exceed the limit,
    # and the signs are counted only where there is a limit (by default, on Instagram).
    limited = np.flatnonzero(~np.isnan(limits))
    signs = np.zeros(len(frame), dtype=np.intp)
    signs[limited] = sum(_hash_signs(ctx, name, limited) for name in columns)
    counts = np.zeros(len(frame))
    candidates = signs > limits
    if candidates.any():
        counts[candidates] = sum(_hashtags(frame.loc[candidates, name]) for name in columns)
    mask = candidates & (counts > limits)
    if mask.any():
        column = "hashtags" if ctx.has("hashtags") else "caption"
        ctx.findings.add("too-many-hashtags", mask, column, ctx.messages.render(
            "too-many-hashtags", count=counts[mask].astype(int), limit=limits[mask].astype(int),
            over=(counts[mask] - limits[mask]).astype(int), channel=stripped(named[mask])))


@rule("invalid-link")
def asset_links(ctx: Context) -> None:
    assets = ctx.frame["asset"].to_numpy(dtype=object)
    # Most cells are valid links: one pass over all cells at once finds those that surely
    # are, and one C-level pass of the regular expression the rest; what is left is looked
    # at closely.
    unsure = np.flatnonzero(~surely_link_assets(ctx))
    valid = np.ones(len(assets), dtype=bool)
    valid[unsure] = np.fromiter(map(bool, map(_VALID_URL.match, assets[unsure].tolist())), bool,
                                len(unsure))
    mask = np.zeros(len(assets), dtype=bool)
    rest = np.flatnonzero(~valid)
    mask[rest] = per_distinct(pd.Series(assets[rest], dtype=object), _bad_link, bool)
    ctx.findings.add("invalid-link", mask, "asset",
            ctx.messages.render("invalid-link", value=stripped(assets[mask]).tolist()))


@rule("duplicate-caption")
def duplicate_captions(ctx: Context) -> None:
    frame = ctx.frame
    day = frame["publish_at"].to_numpy().astype("datetime64[D]")
    window = ctx.clients.per_client(lambda s: s.rules.content.duplicate_window_days, "int64")
    # Only the plan matters: a pair is reported when its later post publishes no earlier than
    # `window` days ago, so its earlier post lies at most two windows back. Years of history
    # are not compared again on every cycle.
    oldest = ctx.clients.today_local - (2 * window).astype("timedelta64[D]")
    recent = ~np.isnat(day) & (day >= oldest)
    live = recent & ~ctx.texts.status_in("cancelled") & (caption_lengths(ctx) > 0)
    if not live.any():
        return
    # Captions are compared case- and spacing-insensitively, through the hash of the folded
    # text: sorting 64-bit integers is far cheaper than factorizing tens of thousands of
    # distinct strings. Hits are checked on the texts themselves, so a hash collision can
    # never report two different captions. Folding costs: only captions that may have a
    # twin are folded (see may_repeat); the others cannot be in a pair.
    live_rows = np.flatnonzero(live)
    live_rows = live_rows[may_repeat(frame["caption"].to_numpy(dtype=object)[live_rows])]
    if not len(live_rows):
        return
    live = np.zeros(len(frame), dtype=bool)
    live[live_rows] = True
    folded_live = list(map(" ".join, map(str.split, map(
        str.casefold, frame["caption"].to_numpy(dtype=object)[live_rows].tolist()))))
    folded = np.empty(len(frame), dtype=object)
    folded[live_rows] = folded_live
    hashes = np.zeros(len(frame), dtype=np.int64)
    hashes[live_rows] = np.array(list(map(hash, folded_live)), dtype=np.int64)
    filled = np.zeros(len(frame), dtype=bool)
    filled[live_rows] = np.array(list(map(len, folded_live)), dtype=np.intp) > 0
    # One entry per post on a channel: a row naming several channels ("IG + TikTok") is
    # compared on each of them.
    positions, channel_codes, channel_names = channel_posts(ctx)
    entry = np.flatnonzero(live[positions])
    index = positions[entry]
    keys = (frame["row"].to_numpy()[index], day[index].astype("int64"), hashes[index],
            channel_codes[entry], ctx.clients.of_row[index])
    order = np.lexsort(keys)  # by client, channel, caption, day, row
    order = order[filled[index[order]]]
    client, channel, text, days, _ = (k[order] for k in reversed(keys))
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (client[1:] == client[:-1]) & (channel[1:] == channel[:-1]) & (text[1:] == text[:-1])
    gap = np.zeros(len(order), dtype="int64")
    gap[1:] = days[1:] - days[:-1]
    # The later post of a pair (the one reported) must be no more than a window back.
    plan_start = (ctx.clients.today_local - window.astype("timedelta64[D]")).astype("int64")
    hit = same & (gap <= window[index][order]) & (days >= plan_start[index][order])
    for position in np.flatnonzero(hit).tolist():
        hit[position] = folded[index[order[position]]] == folded[index[order[position - 1]]]
    if not hit.any():
        return
    rows = frame["row"].to_numpy()
    at = np.flatnonzero(hit)
    flagged = index[order[at]]
    # A row of several channels may repeat a caption on more than one: reported once.
    flagged, first = np.unique(flagged, return_index=True)
    at = at[first]
    earlier = rows[index[order[at - 1]]]
    raw = frame["channel_raw"].to_numpy(dtype=object)[flagged]
    several = np.array([c in ctx.calendar.channel_cells for c in raw.tolist()], dtype=bool)
    named = [channel_name(channel_names[code]) if many else cell for code, many, cell in zip(
        channel_codes[entry][order[at]].tolist(), several.tolist(), raw.tolist())]
    chosen = np.zeros(len(frame), dtype=bool)  # by position: no look-up of the frame's labels
    chosen[flagged] = True
    ctx.findings.add("duplicate-caption", chosen, "caption", ctx.messages.render(
        "duplicate-caption", other=earlier.tolist(), channel=named, days=gap[at].tolist()))


def overdue_unpublished(ctx: Context) -> np.ndarray:
    """Per row: a known, open status whose publish time (plus the stale grace) has passed."""
    return ctx.memo("overdue_unpublished", lambda: _overdue_unpublished(ctx))


def _overdue_unpublished(ctx: Context) -> np.ndarray:
    known = ~ctx.texts.text_in("status", "")
    return known & ~ctx.texts.status_in(CLOSED_STATES) & publish_passed(ctx)


@rule("stale-unpublished")
def stale_unpublished(ctx: Context) -> None:
    """One finding for a post left behind; when it was never approved either, the same
    finding says so (approval-missing leaves such a post to this rule: one cause, one finding).
    """
    stale = overdue_unpublished(ctx) & ~before_since(ctx)
    unapproved = stale & ctx.texts.status_in(AWAITING_APPROVAL) & ~approval_recorded(ctx) \
        & ~approval_unreadable(ctx)
    for mask, key in ((stale & ~unapproved, "stale-unpublished"),
                      (unapproved, "stale-unpublished:unapproved")):
        if mask.any():
            ctx.findings.add("stale-unpublished", mask, "status", ctx.messages.render(
                key, when=ctx.written_times("publish_at", mask),
                status=ctx.texts.stripped("status_raw", mask)))
