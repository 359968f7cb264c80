"""Built-in vocabularies: header aliases and sheet values, in English and Turkish.

Everything is compared after :func:`normalize`, so case, Turkish dotted/dotless i, accents,
punctuation and hints in parentheses ("Publish Time (10:00 AM)") do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_FOLD = str.maketrans({"ı": "i", "İ": "i", "I": "i", "ß": "ss"})
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_WORD = re.compile(r"[^\w]+")
# Zero-width characters, direction marks/embeddings/isolates, soft hyphen, BOM: invisible.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def strip_invisible(text: str) -> str:
    """Return ``text`` without characters a person cannot see (zero-width, direction marks)."""
    return _INVISIBLE.sub("", text)


def normalize(text: str) -> str:
    """Return ``text`` folded for matching: lower case, no accents, no punctuation or hints."""
    text = _INVISIBLE.sub("", text).translate(_FOLD)
    text = _PARENS.sub(" ", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "post_id": ("ID", "Post ID", "Post No", "Content ID", "Gönderi No", "Gönderi ID", "İçerik No"),
    "client": ("Client", "Brand", "Account", "Müşteri", "Marka"),
    "channel": ("Channel", "Platform", "Network", "Social network", "Kanal", "Sosyal ağ",
                "Platforms", "Plateforme"),
    "format": ("Format", "Content type", "Post type", "Type", "İçerik türü", "Tür"),
    "publish_at": ("Publish date", "Date", "Publish at", "Post date", "Go-live date",
                   "Scheduled date", "Publish on", "Yayın tarihi", "Tarih", "Paylaşım tarihi",
                   "Date ISO", "ISO date", "Publication date", "Posting date"),
    "publish_time": ("Publish time", "Time", "Post time", "Yayın saati", "Saat",
                     "Paylaşım saati"),
    "pillar": ("Pillar", "Content pillar", "Theme", "Category", "Kategori", "Tema",
               "İçerik kategorisi", "Pilier"),
    "caption": ("Caption", "Copy", "Full caption", "Post copy", "Text", "Metin", "Açıklama",
                "Gönderi metni"),
    "hashtags": ("Hashtags", "Hashtag", "Etiketler"),
    "asset": ("Asset", "Media file", "Media", "Link", "Creative", "Visual", "Asset link",
              "Görsel", "Medya", "Dosya"),
    "owner": ("Owner", "Assignee", "Responsible", "Sorumlu", "Hazırlayan"),
    "status": ("Status", "State", "Durum", "Statut"),
    "sent_for_review_at": ("Sent for review", "Sent to client", "Review sent",
                           "Onaya gönderildi", "Onaya gönderim tarihi"),
    # "Review by" / "Reviewer" say who should look, or by when: never who approved. Read as
    # the feedback deadline when they hold dates, as the owner when they hold names.
    "feedback_due": ("Feedback due", "Feedback deadline", "Review by", "Review due",
                     "Review deadline", "Reviewer", "Geri bildirim son tarih",
                     "Son geri bildirim tarihi"),
    "approved_by": ("Approved by", "Approver", "Onaylayan"),
    "approved_at": ("Approved on", "Approved at", "Approval date", "Onay tarihi"),
    "approved": ("Approved", "Approval", "Onaylandı", "Onay"),
    "revision_round": ("Revision round", "Revision rounds", "Revisions", "Rounds", "Revizyon",
                       "Revizyon sayısı"),
    "extra_rounds_approved": ("Extra rounds", "Extra revisions", "Billable rounds",
                              "Ek revizyon"),
    "client_feedback": ("Feedback", "Client feedback", "Comments", "Geri bildirim",
                        "Müşteri yorumu"),
    "notes": ("Notes", "Note", "Notlar", "Not"),
}

# Headers calendars often have that hold no field: read as nothing, and known to be so.
NOT_FIELD_HEADERS: tuple[str, ...] = ("Week", "Week no", "Week number", "Weekday",
                                      "Day of week", "Hafta")

STATUS_VALUES: dict[str, tuple[str, ...]] = {
    "idea": ("idea", "backlog", "fikir", "planned", "to do", "todo", "yapılacak"),
    "draft": ("draft", "in progress", "writing", "design", "drafted", "pending", "taslak",
              "hazırlanıyor", "tasarımda", "hazırlandı"),
    "internal_review": ("internal review", "review", "review pending", "ready for review",
                        "iç onay", "iç inceleme", "kontrolde"),
    "client_review": ("client review", "sent to client", "awaiting approval", "pending approval",
                      "waiting for client", "sent for approval", "müşteri onayında", "onayda",
                      "onay bekliyor", "müşteride", "onaya gönderildi"),
    "changes_requested": ("changes requested", "revision", "needs changes", "rejected",
                          "revize", "revize istendi", "revizyon", "düzeltme", "reddedildi"),
    "approved": ("approved", "ok", "onaylandı", "onaylı"),
    "scheduled": ("scheduled", "queued", "queued auto", "auto queued", "zamanlandı",
                  "planlandı", "kuyrukta"),
    "published": ("published", "posted", "live", "yayınlandı", "yayında", "paylaşıldı"),
    "on_hold": ("on hold", "hold", "paused", "beklemede", "durduruldu"),
    "cancelled": ("cancelled", "canceled", "dropped", "iptal", "iptal edildi"),
}

CHANNEL_VALUES: dict[str, tuple[str, ...]] = {
    "instagram": ("instagram", "ig", "insta"),
    "facebook": ("facebook", "fb"),
    "x": ("x", "twitter", "x twitter", "tw"),
    "linkedin": ("linkedin", "linked in", "li"),
    "tiktok": ("tiktok", "tik tok", "tt"),
    "youtube": ("youtube", "yt"),
    "threads": ("threads",),
    "pinterest": ("pinterest", "pin"),
}

FORMAT_VALUES: dict[str, tuple[str, ...]] = {
    "post": ("post", "static", "image", "photo", "single image", "gönderi", "görsel", "tekli",
             "tweet", "tweets"),
    "reel": ("reel", "reels"),
    "story": ("story", "stories", "hikaye", "hikâye"),
    "carousel": ("carousel", "slider", "album", "karusel", "kaydırmalı"),
    "video": ("video",),
    "short": ("short", "shorts"),
    "thread": ("thread", "flood"),
    "article": ("article", "blog", "makale"),
    # Posted as text alone (no image or video): needs no asset.
    "text": ("text", "text post", "text only", "text-only", "status update", "metin",
             "metin gönderi", "sadece metin"),
}

# DOĞRU / YANLIŞ are how a Turkish Excel or Google Sheets shows TRUE / FALSE (and exports them).
TRUE_VALUES = ("yes", "y", "true", "1", "x", "✓", "✔", "☑", "evet", "e", "onaylandı", "approved",
               "ok", "tamam", "var", "doğru")
FALSE_VALUES = ("no", "n", "false", "0", "✗", "✘", "☐", "hayır", "h", "yok", "not approved",
                "onaylanmadı", "yanlış")


_WILDCARD = re.compile(r"([*?])")


def is_pattern(word: str) -> bool:
    """Whether a configured word is a glob pattern: it holds ``*`` or ``?`` and some letters or
    digits. A word of signs only ("?", "*", "✓") is a sign the sheet writes, read as it is."""
    return ("*" in word or "?" in word) and bool(normalize(_WILDCARD.sub("", word)))


def _pattern_text(word: str) -> str:
    """Return glob ``word`` normalized as a cell is, ``*`` and ``?`` kept.

    Punctuation beside a wildcard stays a separator: "published:*" becomes "published *",
    which matches the normalized cell "published 18024453654" but not "publishedx".
    """
    pieces = []
    for piece in _WILDCARD.split(word):
        # Letters around the piece keep its leading and trailing separators in the result.
        pieces.append(piece if piece in ("*", "?") else normalize(f"a{piece}a")[1:-1])
    return "".join(pieces)


@dataclass(frozen=True)
class Glob:
    """A configured glob pattern: the word as written, what it means, and its matcher."""

    word: str
    meaning: str
    regex: re.Pattern[str]


def globs(extra: Mapping[str, Iterable[str]] | None) -> tuple[Glob, ...]:
    """Return the glob patterns among configured words, in the order they are written.

    ``*`` stands for any run of characters and ``?`` for one, in the normalized text (case,
    accents and punctuation ignored, a run of punctuation read as one space).
    """
    found = []
    for meaning, values in (extra or {}).items():
        for value in values:
            if is_pattern(value):
                text = "".join(".*" if p == "*" else "." if p == "?" else re.escape(p)
                               for p in _WILDCARD.split(_pattern_text(value)))
                found.append(Glob(value, meaning, re.compile(text, re.DOTALL)))
    return tuple(found)


class WordTable(dict[str, str]):
    """Normalized word -> canonical name, plus the configured glob patterns.

    Exact words win; a text no word matches is tried against the patterns.
    """

    patterns: tuple[Glob, ...] = ()

    def matching(self, text: str) -> tuple[Glob, ...]:
        """Return the patterns that match ``text`` (a cell's text, normalized here)."""
        return self._matching(normalize(text))

    def _matching(self, key: str) -> tuple[Glob, ...]:
        return tuple(g for g in self.patterns if key and g.regex.fullmatch(key))

    def read(self, text: str) -> str:
        """Return the canonical name ``text`` stands for, '' when unknown.

        A text that only patterns of two or more meanings match is unknown: never a guess.
        """
        key = normalize(text)
        found = self.get(key or text.strip())
        if found is not None or not key or not self.patterns:
            return found or ""
        meanings = {g.meaning for g in self._matching(key)}
        return meanings.pop() if len(meanings) == 1 else ""


def lookup(base: Mapping[str, Iterable[str]],
           extra: Mapping[str, Iterable[str]] | None = None) -> WordTable:
    """Return normalized value -> canonical name, from ``base`` plus configured ``extra``.

    Configured values win over built-in ones, and every canonical name matches itself.
    Configured glob patterns (see :func:`globs`) are kept apart, tried only when no word
    matches (:meth:`WordTable.read`).
    """
    table = WordTable()
    for canonical, values in base.items():
        table[normalize(canonical)] = canonical
        for value in values:
            table.setdefault(normalize(value), canonical)
    for canonical, values in (extra or {}).items():
        table.setdefault(normalize(canonical), canonical)  # a configured channel's own name
        for value in values:
            if not is_pattern(value):
                table[normalize(value)] = canonical
    table.patterns = globs(extra)
    return table


BOOLEANS: dict[str, bool] = {
    **{normalize(v): True for v in TRUE_VALUES},
    **{normalize(v): False for v in FALSE_VALUES},
    "✓": True, "✔": True, "☑": True, "✗": False, "✘": False, "☐": False,
}


# --- a cell naming several channels ----------------------------------------------------------
# "IG Reels + YouTube Shorts + TikTok; repurpose to X + LinkedIn": the names are split at
# these signs and at the words and / et / ve between spaces.
_CHANNEL_SEPARATORS = re.compile(r"\s*(?:[+;,&/|\n]|\s(?:and|et|ve)\s)\s*", re.IGNORECASE)
# Words that lead into a channel name without being part of it (compared after normalize).
CHANNEL_LEAD_WORDS = frozenset(normalize(w) for w in (
    "repurpose to", "repurposed to", "repurpose on", "repurpose for", "cross-post to",
    "crosspost to", "cross-post on", "crosspost on", "cross-posted to", "repost to",
    "repost on", "reshare to", "reshare on", "share to", "share on", "also on", "also to",
    "then", "plus"))
# A part such as "All platforms": every channel the calendar uses.
ALL_CHANNELS = frozenset(normalize(w) for w in (
    "all", "all platforms", "all channels", "all networks", "all socials", "all social",
    "all social media", "everywhere", "every platform", "every channel", "tüm kanallar",
    "tüm platformlar", "tümü", "hepsi", "toutes les plateformes", "tous les réseaux",
    "tous les canaux"))
# Words that may follow a channel's name and say where on it ("Instagram feed", "LinkedIn
# company page"), besides the format words ("IG Reels", "YouTube Shorts").
CHANNEL_PLACE_WORDS = frozenset({"feed", "page", "account", "profile", "channel", "grid", "live",
                                 "company", "personal", "posts", "videos"})


def channel_parts(text: str) -> list[str]:
    """Return the channel names a cell lists, as written.

    The cell is split at ``+ ; , & / |``, line breaks and the words and / et / ve; details
    in parentheses ("Reddit (r/SideProject, r/ClaudeAI)") and leading words such as
    "repurpose to" or "cross-post to" are left out. Empty parts are dropped.
    """
    parts = []
    for piece in _CHANNEL_SEPARATORS.split(_PARENS.sub(" ", strip_invisible(text))):
        words = piece.split()
        for size in range(min(len(words), 3), 0, -1):
            if normalize(" ".join(words[:size])) in CHANNEL_LEAD_WORDS:
                words = words[size:]
                break
        if normalize(" ".join(words)):
            parts.append(" ".join(words))
    return parts


def match_channel(part: str, table: Mapping[str, str], trailing: Iterable[str]) -> str:
    """Return the channel ``part`` names ('' when none): a name of ``table`` (normalized
    text -> channel), alone or followed only by words of ``trailing`` ("IG Reels" ->
    instagram when "reels" is a format word). A plural "s" of a trailing word is ignored."""
    words = normalize(part).split()
    allowed = set(trailing)
    for size in range(len(words), 0, -1):
        name = table.get(" ".join(words[:size]))
        if name and all(w in allowed or w.removesuffix("s") in allowed for w in words[size:]):
            return name
    return ""


def vocabulary_table(base: Mapping[str, Iterable[str]], configured: Mapping[str, Iterable[str]]
                     ) -> WordTable:
    """Return the sheet values of a vocabulary -> canonical name, keyed as
    :func:`sheets_sync.values.canonical`
    looks them up, with the configured glob patterns tried when no value matches.

    A configured value of signs only ("✓", "—", "?") has no normalized text: it is keyed by
    its own text, and a blank cell stays '' whatever the configuration.
    """
    table = lookup(base, configured)
    table.update({value.strip(): name for name, values in configured.items() for value in values
                  if not normalize(value)})
    table.pop("", None)
    return table


# The vocabularies a configuration extends: (field, built-in values, configuration key).
VOCABULARIES = (("status", STATUS_VALUES, "statuses"), ("channel", CHANNEL_VALUES, "channels"),
                ("format", FORMAT_VALUES, "formats"))
