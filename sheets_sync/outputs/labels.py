"""The words of the tool's own tabs, in English and Turkish: titles, headers, states, levels.

Labels follow the calendar's language (``en`` or ``tr``); a key without a label is shown as
it is.
"""

from __future__ import annotations

import re

import numpy as np

from sheets_sync.cells import Cell
from sheets_sync.model import Severity

LABELS: dict[str, tuple[str, str]] = {  # key -> (English, Turkish)
    "severity": ("Severity", "Önem"), "code": ("Code", "Kod"), "post_id": ("Post ID", "Gönderi No"),
    "row": ("Row", "Satır"), "client": ("Client", "Müşteri"), "channel": ("Channel", "Kanal"),
    "publish_date": ("Publish date", "Yayın tarihi"), "status": ("Status", "Durum"),
    "owner": ("Owner", "Sorumlu"), "message": ("Message", "Mesaj"),
    "first_seen": ("First seen", "İlk görülme"), "no_issues": ("No open issues", "Açık sorun yok"),
    "none": ("(none)", "(yok)"), "item": ("Item", "Bilgi"), "value": ("Value", "Değer"),
    "updated": ("Updated", "Güncellendi"), "rows": ("Rows", "Satır sayısı"),
    "findings": ("Findings", "Bulgular"), "cells_written": ("Cells written", "Yazılan hücreler"),
    "source": ("Source", "Kaynak"), "summary": ("Summary", "Özet"),
    "times": ("Times", "Saatler"),
    "times_sheet": ("publish times as the sheet writes them, in {sheet}; Updated and History "
                    "in {zone}",
                    "yayın saatleri tablodaki gibi, {sheet} saatiyle; güncelleme ve geçmiş "
                    "{zone} saatiyle"),
    "approvals": ("Approvals needed in the next 7 days", "Önümüzdeki 7 günde onay gerekenler"),
    "overdue": ("Overdue feedback", "Geciken geri bildirimler"),
    "revisions": ("Revision usage per client per month", "Müşteri ve aya göre revizyon kullanımı"),
    "month": ("Month", "Ay"), "posts": ("Posts", "Gönderi"),
    "rounds_used": ("Rounds used", "Kullanılan revizyon"),
    "included_rounds": ("Included rounds per post", "Gönderi başına dahil revizyon"),
    "extra_rounds": ("Extra rounds approved", "Onaylanan ek revizyon"),
    "billable": ("Billable extra rounds", "Faturalanacak ek revizyon"),
    "turnaround": ("Approval turnaround per client", "Müşteriye göre onay süresi"),
    "approval_count": ("Approvals", "Onay sayısı"), "median": ("Median hours", "Medyan saat"),
    "p90": ("90th percentile hours", "%90 dilim saat"), "on_time": ("On time %", "Zamanında %"),
    "pipeline": ("Pipeline", "İş akışı"),
    "pillars": ("Pillar mix this month and next", "Bu ay ve gelecek ay içerik dağılımı"),
    "pillar": ("Pillar", "Kategori"), "share": ("Share %", "Pay %"),
    "target": ("Target %", "Hedef %"), "no_pillar": ("(no pillar)", "(kategorisiz)"),
    "cadence": ("Cadence", "Yayın sıklığı"), "week": ("Week", "Hafta"),
    "planned": ("Posts planned", "Planlanan gönderi"),
    "contract": ("Contract per week", "Haftalık sözleşme"), "gaps": ("Calendar gaps",
                                                                    "Takvim boşlukları"),
    "by_code": ("Findings by code", "Koda göre bulgular"), "count": ("Count", "Adet"),
    "info": ("info", "bilgi"), "warning": ("warning", "uyarı"), "error": ("error", "hata"),
    "critical": ("critical", "kritik"), "unknown": ("Unknown", "Bilinmiyor"),
    "idea": ("Idea", "Fikir"), "draft": ("Draft", "Taslak"),
    "internal_review": ("Internal review", "İç onay"),
    "client_review": ("Client review", "Müşteri onayında"),
    "changes_requested": ("Changes requested", "Revize istendi"),
    "approved": ("Approved", "Onaylandı"), "scheduled": ("Scheduled", "Zamanlandı"),
    "published": ("Published", "Yayınlandı"), "on_hold": ("On hold", "Beklemede"),
    "cancelled": ("Cancelled", "İptal"),
    "reminders_sent": ("Reminders sent in the last 7 days",
                       "Son 7 günde gönderilen hatırlatmalar"),
    "reminders_count": ("Reminders", "Hatırlatma"), "recipients": ("Sent to", "Alıcılar"),
    "last_sent": ("Last sent", "Son gönderim"),
    "reminders_next": ("Reminders due next", "Sıradaki hatırlatmalar"),
    "stage": ("Reminder", "Hatırlatma türü"), "recipient": ("Recipient", "Alıcı"),
    "when": ("When", "Ne zaman"), "next_run": ("next run", "sonraki çalışma"),
    "reminders_failed": ("Reminders not delivered", "İletilemeyen hatırlatmalar"),
    "failed_at": ("Failed at", "Başarısız olduğu an"), "why_failed": ("Error", "Hata"),
    "yes": ("Yes", "Evet"), "no": ("No", "Hayır"),
    "history_empty": (
        "No changes yet: History lists changes between syncs; the first sync on {date} "
        "recorded the calendar as it was.",
        "Henüz değişiklik yok: Geçmiş, eşitlemeler arasındaki değişiklikleri listeler; "
        "{date} tarihindeki ilk eşitleme takvimi olduğu gibi kaydetti."),
}
# The Status tab's columns and sections, and the Report dashboard's words.
LABELS.update({
    "what": ("What", "Ne oldu"), "post": ("Post", "Gönderi"), "todo": ("What to do", "Yapılacak"),
    "who": ("Who", "Kim"), "due": ("Due", "Son tarih"), "client_side": ("client", "müşteri"),
    "act_today": ("Act today", "Bugün"), "this_week": ("This week", "Bu hafta"),
    "later": ("Later", "Daha sonra"), "plan": ("Plan", "Plan"),
    "data_to_fix": ("Data to fix", "Düzeltilecek veri"), "as_of": ("as of {}", "{} itibarıyla"),
    "report": ("Report", "Rapor"), "client_month": ("Client · month", "Müşteri · ay"),
    "sla_hours": ("SLA hours", "SLA saat"),
    "weekly": ("Posts per week against the contract", "Sözleşmeye göre haftalık gönderi"),
})
HISTORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "en": ("Time", "Post ID", "Field", "Old value", "New value"),
    "tr": ("Zaman", "Gönderi No", "Alan", "Eski değer", "Yeni değer"),
}
# The agency-wide Portfolio tab's header, per language ([portfolio] language).
PORTFOLIO_HEADERS: dict[str, tuple[str, ...]] = {
    "en": ("Calendar", "Client", "Posts", "Critical", "Errors", "Warnings", "Info",
           "Approvals due in 7 days", "Overdue feedback", "Revision limit exceeded", "Updated"),
    "tr": ("Takvim", "Müşteri", "Gönderi", "Kritik", "Hata", "Uyarı", "Bilgi",
           "7 gün içinde onay gerekenler", "Geciken geri bildirim", "Revizyon sınırı aşıldı",
           "Güncellendi"),
}
PORTFOLIO_COLUMNS = PORTFOLIO_HEADERS["en"]


# A calendar's source as the backends name it: "calendar.xlsx, tab 'Takvim'".
_SOURCE = re.compile(r"(?P<where>.*), tab (?P<tab>'.*'|\".*\")", re.S)


def source_text(source: str, language: str) -> str:
    """Return a calendar's source ("calendar.xlsx, tab 'Takvim'") in ``language``."""
    found = _SOURCE.fullmatch(source)
    if language != "tr" or found is None:
        return source
    return f"{found['where']}, {found['tab']} sekmesi"


class Labels:
    """Looks up labels in one language; unknown keys are shown as they are."""

    def __init__(self, language: str) -> None:
        self._index = 1 if language == "tr" else 0

    def __call__(self, key: str) -> str:
        pair = LABELS.get(key)
        return pair[self._index] if pair else key

    def all(self, *keys: str) -> list[Cell]:
        return [self(k) for k in keys]


def severity_labels(label: Labels) -> np.ndarray:
    """Return an object array indexed by severity int -> its label."""
    return np.array([""] + [label(Severity(i).label) for i in range(1, 5)], dtype=object)
