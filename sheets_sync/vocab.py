"""Built-in vocabularies: header aliases and sheet values, in English and Turkish.

Everything is compared after :func:`normalize`, so case, Turkish dotted/dotless i, accents,
punctuation and hints in parentheses ("Publish Time (10:00 AM)") do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

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
                   "Scheduled date", "Publish on", "Yayın tarihi", "Tarih", "Paylaşım tarihi"),
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
                          "revize", "revizyon", "düzeltme", "reddedildi"),
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
    "post": ("post", "static", "image", "photo", "single image", "gönderi", "görsel", "tekli"),
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


def lookup(base: Mapping[str, Iterable[str]],
           extra: Mapping[str, Iterable[str]] | None = None) -> dict[str, str]:
    """Return normalized value -> canonical name, from ``base`` plus configured ``extra``.

    Configured values win over built-in ones, and every canonical name matches itself.
    """
    table: dict[str, str] = {}
    for canonical, values in base.items():
        table[normalize(canonical)] = canonical
        for value in values:
            table.setdefault(normalize(value), canonical)
    for canonical, values in (extra or {}).items():
        table.setdefault(normalize(canonical), canonical)  # a configured channel's own name
        for value in values:
            table[normalize(value)] = canonical
    return table


BOOLEANS: dict[str, bool] = {
    **{normalize(v): True for v in TRUE_VALUES},
    **{normalize(v): False for v in FALSE_VALUES},
    "✓": True, "✔": True, "☑": True, "✗": False, "✘": False, "☐": False,
}
