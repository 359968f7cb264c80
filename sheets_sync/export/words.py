"""Why an export leaves a post out, in the language of the post's client (``language`` of
the calendar, or of the client: en or tr), as the audit words its findings.

Codes stay English (they are stable names for scripts). The export's notices and summary
lines are the command line's own words, in English.
"""

from __future__ import annotations

from typing import Any

from sheets_sync.wording import fill

EN: dict[str, str] = {
    "published": "already published",
    "scheduled": ("already scheduled: a scheduled post is not exported again, so that it is "
                  "not imported twice"),
    "cancelled": "cancelled",
    "on-hold": "on hold",
    "status-said": "{reason} (status “{status}”)",
    "not-approved-status": "status “{status}” ({state}): not approved yet",
    "unknown-status": ("status “{status}” is not a status sheets-sync knows; map it in "
                       "[calendars.statuses]"),
    "no-status": "no status",
    "approval-unreadable": ("the approval cell cannot be read (see the audit's "
                            "invalid-boolean or invalid-date finding)"),
    "no-approval": "no approval recorded in the sheet ({headers})",
    "or": " or ",
    "unknown-channel": "channel “{channel}” is not known",
    "no-channel": "no channel",
    "no-caption": "the caption is empty",
    "no-date": "approved, but its publish date is not set or cannot be read; give it a date",
    "time-does-not-exist": ("{when} does not exist in {zone} (the clocks go forward then); "
                            "choose another time"),
    "time-ambiguous": ("{when} happens twice in {zone} (the clocks go back then); choose "
                       "another time"),
    "time-passed": "its publish time {when} ({zone}) has passed",
    "meta-channel": "Meta Business Suite publishes to Facebook and Instagram only, not {channel}",
    "postiz-channel": ("Postiz needs {channel} settings the calendar does not hold (a title, "
                       "board or privacy); schedule it in Postiz"),
    "postiz-account": ("no Postiz integration ID for {channel}: give --account {channel}=ID "
                       "(`postiz integrations:list` lists them)"),
    "postiz-short": "Postiz refuses a text shorter than {count} characters",
    "hootsuite-minutes": "Hootsuite takes times ending in 0 or 5; {time} does not",
    "hootsuite-soon": ("Hootsuite takes messages at least 10 minutes ahead; this one "
                       "publishes at {time}"),
    "hootsuite-slot": ("row {row} goes to the same profile at the same time; Hootsuite takes "
                       "one message per time slot"),
    "hootsuite-twice": ("same text as row {row} on this profile; Hootsuite refuses a message "
                        "twice"),
}

TR: dict[str, str] = {
    "published": "zaten yayınlandı",
    "scheduled": ("zaten zamanlandı: zamanlanmış bir gönderi iki kez içe aktarılmasın diye "
                  "yeniden dışa aktarılmaz"),
    "cancelled": "iptal edildi",
    "on-hold": "beklemede",
    "status-said": "{reason} (durum “{status}”)",
    "not-approved-status": "durum “{status}”: henüz onaylanmadı",
    "unknown-status": ("“{status}” sheets-sync'in bildiği bir durum değil; "
                       "[calendars.statuses] içinde eşleyin"),
    "no-status": "durum yok",
    "approval-unreadable": ("onay hücresi okunamıyor (denetimdeki invalid-boolean veya "
                            "invalid-date bulgusuna bakın)"),
    "no-approval": "tabloda kayıtlı bir onay yok ({headers})",
    "or": " veya ",
    "unknown-channel": "“{channel}” bilinen bir kanal değil",
    "no-channel": "kanal yok",
    "no-caption": "metin boş",
    "no-date": "onaylı, ancak yayın tarihi belli değil ya da okunamıyor; bir tarih verin",
    "time-does-not-exist": ("{when}, {zone} saatinde yok (saatler o gün ileri alınıyor); "
                            "başka bir saat seçin"),
    "time-ambiguous": ("{when}, {zone} saatinde iki kez yaşanıyor (saatler o gün geri "
                       "alınıyor); başka bir saat seçin"),
    "time-passed": "yayın zamanı {when} ({zone}) geçti",
    "meta-channel": ("Meta Business Suite yalnızca Facebook ve Instagram'da yayınlar, "
                     "{channel} kanalında değil"),
    "postiz-channel": ("Postiz, {channel} için takvimde olmayan ayarlar istiyor (başlık, pano "
                       "veya gizlilik); bu gönderiyi Postiz'de zamanlayın"),
    "postiz-account": ("{channel} için Postiz entegrasyon kimliği yok: --account "
                       "{channel}=KİMLİK verin (`postiz integrations:list` listeler)"),
    "postiz-short": "Postiz {count} karakterden kısa metni kabul etmiyor",
    "hootsuite-minutes": "Hootsuite yalnızca 0 veya 5 ile biten saatleri alır; {time} öyle değil",
    "hootsuite-soon": ("Hootsuite mesajları en az 10 dakika önceden alır; bu gönderi {time} "
                       "saatinde yayınlanıyor"),
    "hootsuite-slot": ("{row}. satır aynı profile aynı saatte gidiyor; Hootsuite bir saat "
                       "dilimine tek mesaj alır"),
    "hootsuite-twice": ("bu profilde {row}. satırla aynı metin; Hootsuite bir mesajı iki kez "
                        "kabul etmez"),
}

WORDS: dict[str, dict[str, str]] = {"en": EN, "tr": TR}


class Words:
    """The export's texts in one language (English for any language without its own)."""

    def __init__(self, language: str = "en") -> None:
        self.templates = WORDS.get(language, EN)

    def __call__(self, key: str, **params: Any) -> str:
        return fill(self.templates[key], params)
