"""People's words for what the code names otherwise: plurals, channels and fields.

Free of pandas, so that the command line's help and summaries can use them before any
calendar is read; :mod:`sheets_sync.messages` re-exports them.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Channels as people write them; a channel the configuration adds is shown capitalised.
CHANNEL_NAMES: dict[str, str] = {
    "instagram": "Instagram", "facebook": "Facebook", "x": "X", "linkedin": "LinkedIn",
    "tiktok": "TikTok", "youtube": "YouTube", "threads": "Threads", "pinterest": "Pinterest",
}
# Each field in people's words (English, Turkish): shown where a calendar has no header for it.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "post_id": ("Post ID", "Gönderi No"), "client": ("Client", "Müşteri"),
    "channel": ("Channel", "Kanal"), "format": ("Format", "Format"),
    "publish_at": ("Publish date", "Yayın tarihi"), "publish_time": ("Publish time", "Yayın saati"),
    "pillar": ("Pillar", "Kategori"), "caption": ("Caption", "Metin"),
    "hashtags": ("Hashtags", "Hashtagler"), "asset": ("Asset", "Görsel"),
    "owner": ("Owner", "Sorumlu"), "status": ("Status", "Durum"),
    "sent_for_review_at": ("Sent for review", "Onaya gönderildi"),
    "feedback_due": ("Feedback due", "Geri bildirim son tarihi"),
    "approved_by": ("Approved by", "Onaylayan"), "approved_at": ("Approved on", "Onay tarihi"),
    "approved": ("Approved", "Onaylandı"), "revision_round": ("Revision round", "Revizyon turu"),
    "extra_rounds_approved": ("Extra rounds approved", "Onaylanan ek revizyon"),
    "client_feedback": ("Client feedback", "Müşteri geri bildirimi"),
    "notes": ("Notes", "Notlar"),
}


def plural(count: Any, forms: str) -> str:
    """Return the form of a noun that goes with the number ``count``.

    ``forms`` is ``"one|other"`` in English ("day|days": 1 day, 0 days, 2 days, 1.5 days), or a
    single form in a language whose nouns stay singular after a number, as Turkish ones do
    ("gün": 1 gün, 3 gün). A count that is not a number takes the other form.
    """
    one, bar, other = forms.partition("|")
    if not bar:
        return one
    try:
        return one if float(count) == 1 else other
    except (TypeError, ValueError):
        return other


def channel_name(channel: str) -> str:
    """Return a canonical channel (``linkedin``) as people write it (``LinkedIn``)."""
    return CHANNEL_NAMES.get(channel, channel[:1].upper() + channel[1:])


def field_name(field: str, language: str = "en") -> str:
    """Return a canonical field (``publish_at``) in people's words (``Publish date``); a name
    that is no field is returned as it is."""
    names = FIELD_NAMES.get(field)
    return names[1 if language == "tr" else 0] if names else field


# A plural in a template: {days:~day|days}.
_PLURAL = re.compile(r"\{(\w+):~([^{}]*)\}")


@functools.cache
def template_fields(template: str) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """``template`` for str.format, each plural made a field of its own, and those fields:
    (field, the number's field, the forms)."""
    plurals: list[tuple[str, str, str]] = []

    def field(found: re.Match[str]) -> str:
        plurals.append((f"_plural{len(plurals)}", found[1], found[2]))
        return "{" + plurals[-1][0] + "}"

    return _PLURAL.sub(field, template), tuple(plurals)


def fill(template: str, params: dict[str, Any]) -> str:
    """``template`` filled with ``params``, each plural in the form its number takes."""
    text, plurals = template_fields(template)
    if plurals:
        params = {**params, **{key: plural(params[name], forms)
                               for key, name, forms in plurals}}
    return text.format(**params)
