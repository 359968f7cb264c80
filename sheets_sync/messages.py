"""What each finding says to a person, in English and Turkish.

A template key is a finding code, optionally with a variant after a colon
(``approval-missing:urgent``). Placeholders are filled with :meth:`Messages.render`, which
accepts one value per finding (lists or arrays) or a single value for all. A noun that
follows a number is written ``{days:~day|days}``: the form that goes with the number
(:func:`plural`). Channels and fields are named in people's words (:func:`channel_name`,
:func:`field_name`), never by their configuration keys.
"""

from __future__ import annotations

import functools
import itertools
import string
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

# Re-exported: the words of channels, fields and plurals live where no pandas is needed.
from sheets_sync.wording import CHANNEL_NAMES as CHANNEL_NAMES
from sheets_sync.wording import FIELD_NAMES as FIELD_NAMES
from sheets_sync.wording import channel_name as channel_name
from sheets_sync.wording import field_name as field_name
from sheets_sync.wording import fill as _fill
from sheets_sync.wording import plural as plural
from sheets_sync.wording import template_fields as _compiled

EN: dict[str, str] = {
    "invalid-date": "{header}: “{value}” is not a date. Write it like 2026-03-14 or 14.03.2026.",
    "date-not-set": (
        "{header}: “{value}” says the date is not set yet: the post is left out of the rules "
        "that need a date until it has one."
    ),
    "date-not-set:relative": (
        "{header}: rows {rows} hold relative dates (“{value}”: a week before or after the "
        "launch week T0, then the day). Set relative_to = the Monday of week T0 in the "
        "configuration (--relative-to on the command line) to place them; until then they "
        "count as dates not set yet."
    ),
    "date-not-set:week": (
        "{header}: rows {rows} give a week but no day (“{value}”): each is placed on the "
        "Monday of its week. Write the day (“{value}_Wed”) to place it exactly."
    ),
    "invalid-time": "{header}: “{value}” is not a time of day. Write it like 14:30 or 2:30 PM.",
    "invalid-number": "{header}: “{value}” is not a whole number. Write 0, 1, 2…",
    "invalid-boolean": "{header}: “{value}” is neither yes nor no. Write yes or no.",
    "evidence-unreadable": (
        "Until it can be read, the post counts as neither approved nor unapproved, and the "
        "client as neither late with feedback nor agreeing by silence."
    ),
    "no-id-column": (
        "This calendar has no ID column, so each post is recognised by client, channel, date "
        "and the first words of its caption. Revision rounds and changes after approval are "
        "followed only while those stay the same: add an ID column (or switch on assign_ids)."
    ),
    "no-id-column:same": (
        "{rows} cannot be told apart that way (the same client, channel, date and first "
        "words), so their revision rounds and changes after approval are not followed."
    ),
    "duplicate-column": (
        "Two columns hold {field}: “{kept}” (column {kept_col}) is used and “{ignored}” "
        "(column {ignored_col}) is ignored. Rename or remove one of them."
    ),
    "no-approval-column": (
        "This calendar has no approval column, so a post counts as approved only when its "
        "status says so ({statuses}), and published or scheduled posts cannot be checked for "
        "an approval.{approver} Add an “Approved” column (yes/no) or an “Approval date” "
        "column to record the client's approvals."
    ),
    "no-approval-column:approver": (
        " The “{header}” column names a person, but a name alone is not taken as an approval."
    ),
    "column-assumed": (
        "This calendar has no {field} column: every post is taken as {field} “{value}”, as "
        "the configuration says (assume)."
    ),
    "column-assumed:unused": (
        "The configuration assumes {field} “{value}”, but the calendar has a {field} column "
        "(“{header}”): the column is read and the assumption is not used."
    ),
    "rows-not-posts": "Not read as posts, so no rule looks at them: {groups}.",
    "rows-not-posts:group": "{rows} ({why})",
    "rows-not-posts:label": "a label or legend: only one cell is filled",
    "rows-not-posts:header": "the header repeated",
    "rows-not-posts:unread": "only columns no field reads are filled",
    "row": "row {rows}",
    "rows": "rows {rows}",
    "more-rows": "and {count} more",
    "several-channels": (
        "On {rows} the channel cell names several channels (such as “{example}”: "
        "{channels}): such a post counts once on every channel it names, for cadence, calendar "
        "gaps, posts per day and the caption and hashtag limits."
    ),
    "several-channels:all": (
        "“{value}” ({rows}) is read as every channel this calendar uses: {channels}."
    ),
    "zone-from-header": "Times in “{header}” are read as {zone} (from the header).",
    "zone-from-header:calendar": (
        "Times in “{header}” are read as {zone} (from the header), not in {setting}, the "
        "calendar's time zone (timezone in the configuration)."
    ),
    "zone-from-header:spreadsheet": (
        "Times in “{header}” are read as {zone} (from the header), not in {setting}, the "
        "spreadsheet's own time zone."
    ),
    "time-from-header": "Posts with no time of day are taken at {clock}, as “{header}” says.",
    "time-conflict": (
        "“{date_header}” says {own} and “{time_header}” says {time}: the time column's {time} "
        "is taken. Clear the one that is wrong."
    ),
    "time-ambiguous": (
        "{header}: {when} happens twice in {zone}, as the clocks go back: the earlier one "
        "({utc} UTC) is taken."
    ),
    "time-nonexistent": (
        "{header}: {when} does not exist in {zone}, as the clocks go forward: it is read as "
        "{shifted}, the same time after the change."
    ),
    "missing-required": "{header} is empty: every post needs it. Fill it in.",
    "missing-required:review": (
        "{header} is empty, but the post is already “{status}”: the client needs it to "
        "review the post. Fill it in."
    ),
    "unknown-status": "Status “{value}” is not known{skipped}.{hint} Use one of: {known}.",
    "unknown-status:skipped": ", so these checks that need the status were not made: {checks}",
    "unknown-channel": "Channel “{value}” is not known.{hint} Use one of: {known}.",
    "unknown-channel:part": (
        "Channel {value} in “{cell}” is not known: the post counts only on {counted}.{hint} "
        "Use one of: {known}."
    ),
    "strictest": "{channel} (the strictest of “{cell}”)",
    "unknown-format": "Format “{value}” is not known.{hint} Use one of: {known}.",
    "unknown-pillar": "Pillar “{value}” is not one of this client's pillars ({known}).{hint}",
    "hint": " Did you mean “{value}”?",
    "hint:meaning": " Did you mean “{value}” ({meaning})?",
    "duplicate-id": (
        "ID {post_id} is also used on row {others}. Give every post its own ID: until it is "
        "unique, History, revision rounds and changes after approval are paused for this ID."
    ),
    "missing-id": "This post has no ID. Give it one so that its history can be followed.",
    "caption-too-long": (
        "The caption has {length} {length:~character|characters}; {channel} allows "
        "{limit}. Shorten it by {over}."
    ),
    "caption-too-long:thread": (
        "In this thread, {tweets}; {channel} allows {limit} a tweet. Shorten or split each "
        "tweet that is too long."
    ),
    "caption-too-long:tweet": (
        "tweet {number} of {count} is {length} {length:~character|characters} ({over} too many)"
    ),
    "rows-before-since": (
        "{count} of the {total} {total:~post|posts} {count:~is|are} published before {day} "
        "(ignore_before or --since): {count:~it is|they are} left out of the checks that "
        "follow the clock and the approvals of their time ({checks}). Every other check still "
        "covers {count:~it|them}."
    ),
    "too-many-hashtags": (
        "The post has {count} {count:~hashtag|hashtags}; {channel} allows {limit}. "
        "Remove at least {over}."
    ),
    "invalid-link": "“{value}” is not a valid web link. Paste the full address (https://…).",
    "duplicate-caption": (
        "Same caption as row {other} on {channel}, {days} {days:~day|days} apart. "
        "Write a new caption or drop one of the posts."
    ),
    "stale-unpublished": (
        "The publish time {when} has passed and the post is still “{status}”. Publish or "
        "reschedule it, or mark it published or cancelled."
    ),
    "stale-unpublished:unapproved": (
        "The publish time {when} has passed and the post is still “{status}”, never approved. "
        "Get the approval and reschedule it, or mark it cancelled."
    ),
    "approval-missing": (
        "Publishes {when} and is not approved yet (status “{status}”). Get the client's "
        "approval before then."
    ),
    "approval-missing:urgent": (
        "Publishes {when} — {hours} {hours:~hour|hours} from now — and is not "
        "approved (status “{status}”). Get the client's approval now or move the "
        "date."
    ),
    "approval-missing:past": (
        "The publish time {when} has passed and the post was never approved (status "
        "“{status}”). Get the approval or move the date."
    ),
    "changed-after-approval": (
        "The caption or asset changed after the client approved the post (approval seen "
        "{since}). Send it back for approval; History shows what changed."
    ),
    "published-without-approval": (
        "Marked published, but no approval is recorded. Record who approved it and when, or "
        "tell the account manager."
    ),
    "scheduled-without-approval": (
        "Scheduled, but no approval is recorded. Unschedule it or record the client's approval."
    ),
    "approver-not-authorized": (
        "Approved by “{approver}”, who is not on this client's approver list ({approvers}). "
        "Get the approval from one of them."
    ),
    "approval-after-publish": (
        "The approval is dated {approved}, after the publish time {when}. Check that the post "
        "really was approved before it went out."
    ),
    "feedback-overdue": "{waiting}; it was due {due}. Remind the client.",
    "feedback-overdue:escalate": (
        "{waiting}; it was due {due}, {late} business {late:~day|days} ago. Escalate "
        "to {contact}."
    ),
    "waiting": "Waiting for the client's feedback since {since}",
    "waiting:unknown": "Waiting for the client's feedback",
    "contact": "the account manager",
    "deemed-approved": (
        "No feedback since {since}: after {days} business {days:~day|days} the "
        "contract counts this post as approved. Record the approval in the sheet."
    ),
    "revision-last-round": (
        "Back in review after {used} of {allowed} revision {allowed:~round|rounds}: "
        "this is the last included round. Tell the client that further changes are "
        "billable."
    ),
    "revision-limit-exceeded": (
        "{used} revision {used:~round|rounds} used, {allowed} allowed: {billable} "
        "billable extra {billable:~round|rounds}. Ask the account manager to approve "
        "or bill them."
    ),
    "cadence-below-contract": (
        "{client}: {count} {channel} {count:~post|posts} planned in week {week}; the "
        "contract says {target}. Plan {missing} more."
    ),
    "too-many-per-day": (
        "{count} {channel} {count:~post|posts} for {client} on {day}; at most "
        "{limit} a day. Move this one to another day."
    ),
    "calendar-gap": (
        "{client}: no {channel} post from {start} to {end} ({days} "
        "{days:~day|days}). Plan a post in that gap."
    ),
    "pillar-mix-off-target": (
        "{client}, {month}: “{pillar}” is {actual}% of the posts; the target is {target}%. "
        "Rebalance the plan."
    ),
    "next-month-not-ready": (
        "{client}, {month}: only {ready} of the {needed} contracted "
        "{needed:~post|posts} are in draft or later ({pct}%). Start preparing next "
        "month."
    ),
}

TR: dict[str, str] = {
    "invalid-date": "{header}: “{value}” bir tarih değil. 2026-03-14 veya 14.03.2026 gibi yazın.",
    "date-not-set": (
        "{header}: “{value}” tarihin henüz belli olmadığını söylüyor: gönderi bir tarihi olana "
        "dek tarih gerektiren kurallara girmiyor."
    ),
    "date-not-set:relative": (
        "{header}: {rows}. satırlar göreli tarih içeriyor (“{value}”: lansman haftası T0'dan "
        "önceki ya da sonraki bir hafta, ardından gün). Bunları yerleştirmek için "
        "yapılandırmada relative_to = T0 haftasının pazartesisi yazın (komut satırında "
        "--relative-to); o zamana dek bunlar henüz belirlenmemiş tarih sayılıyor."
    ),
    "date-not-set:week": (
        "{header}: {rows}. satırlar bir hafta veriyor ama gün vermiyor (“{value}”): her biri "
        "kendi haftasının pazartesisine yerleştirildi. Tam yerleştirmek için günü yazın "
        "(“{value}_Wed”)."
    ),
    "invalid-time": "{header}: “{value}” bir saat değil. 14:30 gibi yazın.",
    "invalid-number": "{header}: “{value}” bir tam sayı değil. 0, 1, 2… yazın.",
    "invalid-boolean": "{header}: “{value}” evet ya da hayır değil. Evet veya hayır yazın.",
    "evidence-unreadable": (
        "Okunabilir olana kadar gönderi ne onaylı ne onaysız sayılır; müşteri de ne geri "
        "bildirimde gecikmiş ne de sessiz kalarak onaylamış sayılır."
    ),
    "no-id-column": (
        "Bu takvimde ID sütunu yok; her gönderi müşteri, kanal, tarih ve metnin ilk "
        "kelimeleriyle tanınıyor. Revizyon turları ve onay sonrası değişiklikler ancak bunlar "
        "değişmedikçe izlenebilir: bir ID sütunu ekleyin (veya assign_ids'i açın)."
    ),
    "no-id-column:same": (
        "{rows} bu yolla birbirinden ayırt edilemiyor (aynı müşteri, kanal, tarih ve ilk "
        "kelimeler); revizyon turları ve onay sonrası değişiklikleri izlenmiyor."
    ),
    "duplicate-column": (
        "{field} için iki sütun var: “{kept}” ({kept_col} sütunu) kullanılıyor, “{ignored}” "
        "({ignored_col} sütunu) yok sayılıyor. Birini yeniden adlandırın veya silin."
    ),
    "no-approval-column": (
        "Bu takvimde onay sütunu yok: bir gönderi yalnızca durumu öyle diyorsa onaylı sayılır "
        "({statuses}) ve yayınlanan ya da zamanlanan gönderilerin onayı kontrol edilemez."
        "{approver} Müşteri onaylarını kaydetmek için bir “Onaylandı” (evet/hayır) ya da "
        "“Onay tarihi” sütunu ekleyin."
    ),
    "no-approval-column:approver": (
        " “{header}” sütunu bir kişi adı içeriyor, ama yalnızca bir ad onay sayılmaz."
    ),
    "column-assumed": (
        "Bu takvimde {field} sütunu yok: yapılandırmada belirtildiği gibi (assume) her "
        "gönderi {field} “{value}” olarak alınıyor."
    ),
    "column-assumed:unused": (
        "Yapılandırma {field} için “{value}” varsayıyor, ama takvimde bir {field} sütunu var "
        "(“{header}”): sütun okunuyor, varsayım kullanılmıyor."
    ),
    "rows-not-posts": "Gönderi olarak okunmadı, hiçbir kurala girmiyor: {groups}.",
    "rows-not-posts:group": "{rows} ({why})",
    "rows-not-posts:label": "bir başlık ya da açıklama: yalnızca bir hücre dolu",
    "rows-not-posts:header": "başlık satırı tekrarlanmış",
    "rows-not-posts:unread": "yalnızca okunmayan sütunlar dolu",
    "row": "{rows}. satır",
    "rows": "{rows}. satırlar",
    "more-rows": "ve {count} satır daha",
    "several-channels": (
        "{rows}: kanal hücresi birden çok kanal sayıyor (örneğin “{example}”: {channels}): "
        "böyle bir gönderi saydığı her kanalda bir gönderi sayılır; sıklık, takvim boşlukları, "
        "günlük gönderi sayısı ve metin ile hashtag sınırları buna göre denetlenir."
    ),
    "several-channels:all": (
        "“{value}” ({rows}) bu takvimin kullandığı her kanal olarak okunuyor: {channels}."
    ),
    "zone-from-header": "“{header}” sütunundaki saatler {zone} saati olarak okunuyor (başlıktan).",
    "zone-from-header:calendar": (
        "“{header}” sütunundaki saatler {zone} saati olarak okunuyor (başlıktan), takvimin saat "
        "dilimi {setting} (yapılandırmadaki timezone) olarak değil."
    ),
    "zone-from-header:spreadsheet": (
        "“{header}” sütunundaki saatler {zone} saati olarak okunuyor (başlıktan), tablonun kendi "
        "saat dilimi {setting} olarak değil."
    ),
    "time-from-header": (
        "Saati yazılmamış gönderiler, “{header}” başlığında yazdığı gibi {clock} olarak alınıyor."
    ),
    "time-conflict": (
        "“{date_header}” {own} diyor, “{time_header}” {time} diyor: saat sütunundaki {time} "
        "alındı. Yanlış olanı silin."
    ),
    "time-ambiguous": (
        "{header}: {when}, {zone} saat diliminde iki kez yaşanıyor (saatler geri alınıyor): "
        "ilki ({utc} UTC) alındı."
    ),
    "time-nonexistent": (
        "{header}: {when}, {zone} saat diliminde yok (saatler ileri alınıyor): değişiklikten "
        "sonraki aynı saat, {shifted} olarak okundu."
    ),
    "missing-required": "{header} boş: her gönderide olmalı. Lütfen doldurun.",
    "missing-required:review": (
        "{header} boş, ama gönderi zaten “{status}” durumunda: müşterinin incelemesi için "
        "gerekli. Lütfen doldurun."
    ),
    "unknown-status": (
        "“{value}” bilinen bir durum değil{skipped}.{hint} Şunlardan birini kullanın: {known}."
    ),
    "unknown-status:skipped": "; bu yüzden duruma bağlı şu kontroller yapılmadı: {checks}",
    "unknown-channel": (
        "“{value}” bilinen bir kanal değil.{hint} Şunlardan birini kullanın: {known}."
    ),
    "unknown-channel:part": (
        "“{cell}” içindeki {value} bilinen bir kanal değil: gönderi yalnızca {counted} "
        "kanalında sayılıyor.{hint} Şunlardan birini kullanın: {known}."
    ),
    "strictest": "{channel} (“{cell}” içinde en kısıtlayıcısı)",
    "unknown-format": (
        "“{value}” bilinen bir format değil.{hint} Şunlardan birini kullanın: {known}."
    ),
    "unknown-pillar": "“{value}” bu müşterinin kategorilerinden biri değil ({known}).{hint}",
    "hint": " “{value}” mı demek istediniz?",
    "hint:meaning": " “{value}” ({meaning}) mı demek istediniz?",
    "duplicate-id": (
        "{post_id} ID'si {others}. satırda da kullanılıyor. Her gönderiye ayrı ID verin: ID "
        "tekil olana kadar bu ID için geçmiş, revizyon sayımı ve onay sonrası değişiklik "
        "takibi duraklatıldı."
    ),
    "missing-id": "Bu gönderinin ID'si yok. Geçmişi izlenebilsin diye bir ID verin.",
    "caption-too-long": (
        "Metin {length} karakter; {channel} en çok {limit} karaktere izin veriyor. {over} "
        "karakter kısaltın."
    ),
    "caption-too-long:thread": (
        "Bu flood'da {tweets}; {channel} bir tweette en çok {limit} karaktere izin veriyor. "
        "Fazla uzun her tweeti kısaltın ya da bölün."
    ),
    "caption-too-long:tweet": "{count} tweetin {number}. tweeti {length} karakter ({over} fazla)",
    "rows-before-since": (
        "{total} gönderiden {count} tanesi {day} tarihinden önce yayınlanıyor (ignore_before "
        "veya --since): zamana ve o dönemin onaylarına bağlı kontrollere ({checks}) "
        "girmiyorlar. Diğer bütün kontroller onları da kapsıyor."
    ),
    "too-many-hashtags": (
        "Gönderide {count} hashtag var; {channel} en çok {limit} kabul ediyor. En az {over} "
        "tanesini çıkarın."
    ),
    "invalid-link": "“{value}” geçerli bir bağlantı değil. Tam adresi yapıştırın (https://…).",
    "duplicate-caption": (
        "{channel} kanalında {other}. satırla aynı metin, aralarında {days} gün var. Yeni bir "
        "metin yazın veya gönderilerden birini çıkarın."
    ),
    "stale-unpublished": (
        "Yayın zamanı {when} geçti ve gönderi hâlâ “{status}” durumunda. Yayınlayın, yeniden "
        "planlayın ya da yayınlandı/iptal olarak işaretleyin."
    ),
    "stale-unpublished:unapproved": (
        "Yayın zamanı {when} geçti ve gönderi hâlâ “{status}” durumunda, hiç onaylanmadı. "
        "Onayı alıp yeniden planlayın ya da iptal olarak işaretleyin."
    ),
    "approval-missing": (
        "{when} tarihinde yayınlanacak ve henüz onaylanmadı (durum “{status}”). O zamana kadar "
        "müşteri onayını alın."
    ),
    "approval-missing:urgent": (
        "{when} tarihinde, {hours} saat sonra yayınlanacak ve onaylı değil (durum “{status}”). "
        "Onayı hemen alın ya da tarihi değiştirin."
    ),
    "approval-missing:past": (
        "Yayın zamanı {when} geçti ve gönderi hiç onaylanmadı (durum “{status}”). Onayı alın "
        "ya da tarihi değiştirin."
    ),
    "changed-after-approval": (
        "Müşteri onayladıktan sonra metin veya görsel değişti (onay {since} tarihinde "
        "görüldü). Yeniden onaya gönderin; değişiklikler History sekmesinde."
    ),
    "published-without-approval": (
        "Yayınlandı olarak işaretli ama kayıtlı bir onay yok. Kimin ne zaman onayladığını "
        "yazın ya da müşteri temsilcisine bildirin."
    ),
    "scheduled-without-approval": (
        "Zamanlanmış ama kayıtlı bir onay yok. Zamanlamayı kaldırın ya da müşteri onayını yazın."
    ),
    "approver-not-authorized": (
        "“{approver}” tarafından onaylanmış, ama bu kişi müşterinin onaylayıcı listesinde yok "
        "({approvers}). Onayı bu kişilerden birinden alın."
    ),
    "approval-after-publish": (
        "Onay tarihi {approved}, yayın zamanı {when} sonrasında. Gönderinin yayından önce "
        "gerçekten onaylandığını kontrol edin."
    ),
    "feedback-overdue": "{waiting}; son tarih {due} idi. Müşteriye hatırlatın.",
    "feedback-overdue:escalate": (
        "{waiting}; son tarih {due}, {late} iş günü önceydi. {contact} ile görüşün."
    ),
    "waiting": "{since} tarihinden beri müşteri geri bildirimi bekleniyor",
    "waiting:unknown": "Müşteri geri bildirimi bekleniyor",
    "contact": "müşteri temsilcisi",
    "deemed-approved": (
        "{since} tarihinden beri geri bildirim yok: sözleşmeye göre {days} iş günü sonunda bu "
        "gönderi onaylanmış sayılır. Onayı tabloya işleyin."
    ),
    "revision-last-round": (
        "{used}/{allowed} revizyon turundan sonra yeniden onayda: bu, dahil olan son tur. "
        "Müşteriye sonraki değişikliklerin ücretli olduğunu bildirin."
    ),
    "revision-limit-exceeded": (
        "{used} revizyon turu kullanıldı, {allowed} tura izin var: {billable} ek tur "
        "ücretlendirilebilir. Müşteri temsilcisinden onay alın veya faturalayın."
    ),
    "cadence-below-contract": (
        "{client}: {week}. haftada {count} {channel} gönderisi planlı; sözleşmede {target}. "
        "{missing} gönderi daha planlayın."
    ),
    "too-many-per-day": (
        "{client} için {day} tarihinde {count} {channel} gönderisi var; günde en çok {limit}. "
        "Bunu başka bir güne taşıyın."
    ),
    "calendar-gap": (
        "{client}: {start} ile {end} arasında {channel} gönderisi yok ({days} gün). Bu "
        "aralığa bir gönderi planlayın."
    ),
    "pillar-mix-off-target": (
        "{client}, {month}: “{pillar}” gönderilerin %{actual}'i; hedef %{target}. Planı "
        "dengeleyin."
    ),
    "next-month-not-ready": (
        "{client}, {month}: sözleşmedeki {needed} gönderiden yalnızca {ready} tanesi taslak "
        "veya sonrasında (%{pct}). Gelecek ayı hazırlamaya başlayın."
    ),
}

TEMPLATES: dict[str, dict[str, str]] = {"en": EN, "tr": TR}

class Messages:
    """Message templates of one language."""

    def __init__(self, language: str = "en") -> None:
        self.language = language
        self.templates = TEMPLATES.get(language, EN)

    def text(self, key: str, **params: Any) -> str:
        """Return the message ``key`` with ``params`` filled in (long text cut short)."""
        return _fill(self.templates[key], {k: _short(k, v) for k, v in params.items()})

    def render(self, key: str, **params: Any) -> list[str] | str:
        """Return one message per finding; list-like params give one value per finding.

        With no list-like param the one message (a str) applies to every finding.
        """
        template = self.templates[key]
        columns = {k: v for k, v in params.items() if _is_column(v)}
        scalars = {k: _short(k, v) for k, v in params.items() if k not in columns}
        if not columns:
            return _fill(template, scalars)
        names = list(columns)
        values = [_column_values(n, columns[n]) for n in names]
        text, plurals = _compiled(template)
        fields = _fields(text)
        if fields is None:  # a field this shortcut does not handle: one dict per finding
            return [_fill(template, {**scalars, **dict(zip(names, row))})
                    for row in zip(*values)]
        # Every plural is one more value per finding (or one for all, from a scalar number).
        for key_, number, forms in plurals:
            if number in columns:
                names.append(key_)
                values.append(_plurals(values[names.index(number)], forms))
            else:
                scalars[key_] = plural(scalars[number], forms)
        # The template with the scalars written in and each column a positional field; and,
        # where every column is written as it is (no format spec), the texts between them.
        position = {name: i for i, name in enumerate(names)}
        pieces = []
        between: list[str] | None = [""]
        picked: list[int] = []
        for literal, field, spec, conversion in fields:
            pieces.append(literal.replace("{", "{{").replace("}", "}}"))
            if between is not None:
                between[-1] += literal
            if field is None:
                continue
            tail = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            if field in position:
                pieces.append(f"{{{position[field]}{tail}}}")
                if between is not None and tail:
                    between = None
                elif between is not None:
                    picked.append(position[field])
                    between.append("")
            else:
                shown = f"{{0{tail}}}".format(scalars[field])
                pieces.append(shown.replace("{", "{{").replace("}", "}}"))
                if between is not None:
                    between[-1] += shown
        pattern = "".join(pieces)
        if between is None or not picked or len({len(v) for v in values}) != 1 \
                or _repeating(values):
            return _formatted(pattern, values)
        texts = [_as_texts(values[i]) for i in picked]
        if any(column is None for column in texts):
            return _formatted(pattern, values)
        return _joined(between, [column for column in texts if column is not None])

    def when(self, stamps: Any, with_time: Any = True) -> list[str]:
        """Format datetimes for messages in this language: a date, and ``HH:MM`` where
        ``with_time`` (one flag, or one per stamp) says the moment has a time of day."""
        values = np.asarray(stamps, dtype="datetime64[ns]")
        if values.ndim != 1 or len(values) <= 64:
            return self._when(values, with_time)
        # Findings repeat a few thousand moments: each is written once.
        distinct, inverse = np.unique(values.astype("int64"), return_inverse=True)
        moments = distinct.astype("datetime64[ns]")
        show = np.broadcast_to(np.asarray(with_time, dtype=bool), len(values))
        # Only the forms shown are made texts: the day alone, the day and time, or both.
        forms = (not show.all(), show.any())
        if _columns_apply(moments):  # the day and the time of each, laid out once
            timed, days = (texts.astype(object) if wanted else None
                           for texts, wanted in zip(self._when_texts(moments), forms[::-1]))
        else:
            days = np.array(self._when(moments, False), dtype=object) if forms[0] else None
            timed = np.array(self._when(moments, True), dtype=object) if forms[1] else None
        if timed is None:
            assert days is not None
            return days[inverse].tolist()
        if days is None:
            return timed[inverse].tolist()
        return np.where(show, timed[inverse], days[inverse]).tolist()

    def _when(self, values: np.ndarray, with_time: Any) -> list[str]:
        if _columns_apply(values):
            return self._when_columns(values, with_time)
        iso = np.datetime_as_string(values, unit="m")
        if self.language == "tr":  # DD.MM.YYYY
            days = ["?" if s == "NaT" else f"{s[8:10]}.{s[5:7]}.{s[:4]}" for s in iso.tolist()]
        else:
            days = ["?" if s == "NaT" else s[:10] for s in iso.tolist()]
        if with_time is False:
            return days
        show = np.broadcast_to(np.asarray(with_time, dtype=bool), len(days)).tolist()
        return [f"{day} {s[11:16]}" if timed and s != "NaT" else day
                for day, s, timed in zip(days, iso.tolist(), show)]

    def _when_columns(self, values: np.ndarray, with_time: Any) -> list[str]:
        """:meth:`_when` of datetime64[ns] ``values``, the text written for all at once."""
        timed, shown = self._when_texts(values)
        if with_time is False:
            return shown.tolist()
        show = np.broadcast_to(np.asarray(with_time, dtype=bool), len(values)) & ~np.isnat(values)
        return (timed if show.all() else np.where(show, timed, shown)).tolist()

    def _when_texts(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per datetime64[ns] stamp: its day and time, and its day alone ('?' for none), as
        arrays of text: each part's characters are taken from a table of its numbers'
        digits, for all stamps at once."""
        missing = np.isnat(values)
        moments = np.where(missing, np.datetime64(0, "ns"), values)
        days = moments.astype("datetime64[D]")
        months = days.astype("datetime64[M]")
        minutes = (moments - days).astype("timedelta64[m]").astype(np.int64)
        parts = {"year": days.astype("datetime64[Y]").astype(np.int64) + 1970 - _YEARS_FROM,
                 "month": months.astype(np.int64) % 12 + 1,
                 "day": (days - months.astype("datetime64[D]")).astype(np.int64) + 1,
                 "hour": minutes // 60, "minute": minutes % 60}
        chars = np.empty((len(values), 16), dtype=np.uint8)  # ASCII
        tr = self.language == "tr"
        for position, part in _LAYOUTS[tr]:
            digits = _YEAR_DIGITS if part == "year" else _TWO_DIGITS
            chars[:, position:position + digits.shape[1]] = digits[parts[part]]
        for position, char in _SEPARATORS[tr]:
            chars[:, position] = ord(char)
        timed = chars.view("S16").ravel().astype(_ISO_MINUTES)
        if missing.any():
            timed = np.where(missing, "?", timed)
        return timed, timed.astype("U10")

    def when_written(self, wall: Any, with_time: Any, zones: Any, local: Any,
                     cities: Any) -> list[str]:
        """Format wall times as :meth:`when` does, adding where ``zones`` (one label per
        stamp, '' for none) names the zone they are written in, the local time of each
        stamp's client and its city: ``2026-07-16 09:00 Europe/Berlin (10:00 Istanbul)``.

        The client's date is shown too when it is another day than the wall time's."""
        shown = self.when(wall, with_time)
        labels = np.asarray(zones, dtype=object)
        if not (labels != "").any():
            return shown
        there = np.asarray(local, dtype="datetime64[ns]")
        moments = pd.Series(there)
        day_format = "%d.%m.%Y" if self.language == "tr" else "%Y-%m-%d"
        same_day = there.astype("datetime64[D]") == np.asarray(
            wall, dtype="datetime64[ns]").astype("datetime64[D]")
        clock = np.where(same_day, moments.dt.strftime("%H:%M").fillna("?"),
                         moments.dt.strftime(f"{day_format} %H:%M").fillna("?"))
        return [f"{text} {label} ({time} {city})" if label else text
                for text, label, time, city in zip(shown, labels, clock, cities)]

    def hint(self, suggestion: str, meaning: str = "") -> str:
        """Return the " Did you mean …?" fragment, or '' when there is no suggestion.

        ``meaning`` (when given) says in the list's words what the suggested word stands for:
        a word of the other language next to a list in this one.
        """
        if not suggestion:
            return ""
        if meaning:
            return self.templates["hint:meaning"].format(value=suggestion, meaning=meaning)
        return self.templates["hint"].format(value=suggestion)

    def field(self, name: str) -> str:
        """Return field ``name`` in this language's words (see :func:`field_name`)."""
        return field_name(name, self.language)


QUOTE_LIMIT = 200  # characters of a cell quoted in a message (a cell may hold 50,000)


# Texts the tool writes itself (lists of known values, of checks, of tweets): never cut short.
_WHOLE = frozenset({"known", "checks", "skipped", "tweets"})


def _short(name: str, value: Any) -> Any:
    """Return a quoted cell longer than QUOTE_LIMIT cut short with an ellipsis (the tool's own
    lists, :data:`_WHOLE`, stay whole); other values as they are."""
    if isinstance(value, str) and len(value) > QUOTE_LIMIT and name not in _WHOLE:
        return value[: QUOTE_LIMIT - 1] + "…"
    return value


# A datetime64[ns] (years 1678 to 2262) to the minute in 16 characters: where each part's
# digits go and the characters between them, in English and in Turkish.
_NANOSECONDS = np.dtype("datetime64[ns]")
_ISO_MINUTES = np.dtype("U16")
_LAYOUTS = (((0, "year"), (5, "month"), (8, "day"), (11, "hour"), (14, "minute")),
            ((0, "day"), (3, "month"), (6, "year"), (11, "hour"), (14, "minute")))
_SEPARATORS = (((4, "-"), (7, "-"), (10, " "), (13, ":")),   # 2026-03-14 09:30
               ((2, "."), (5, "."), (10, " "), (13, ":")))   # 14.03.2026 09:30
# The characters (ASCII) of the numbers 0 to 99 in two digits, and of the years.
_TWO_DIGITS = np.array([[ord(c) for c in f"{n:02d}"] for n in range(100)], dtype=np.uint8)
_YEARS_FROM = 1677
_YEAR_DIGITS = np.array([[ord(c) for c in f"{n:04d}"] for n in range(_YEARS_FROM, 2263)],
                        dtype=np.uint8)


def _columns_apply(values: np.ndarray) -> bool:
    """Whether ``values`` can be written all at once: datetime64[ns] stamps in a row, none
    before :data:`_FIRST_DAY`."""
    return values.ndim == 1 and values.dtype == _NANOSECONDS and not (
        values.view(np.int64) < _FIRST_DAY).any(axis=None, where=~np.isnat(values))


# Stamps before this are written one by one (datetime64[ns] begins in September 1677, and
# numpy rounds its first days down to days out of range).
_FIRST_DAY = np.datetime64("1678-01-01", "ns").astype(np.int64)


def _values(column: Any) -> list[Any]:
    """The values of a column param as a list: an array of numbers (64-bit: their text is
    the same as Python's numbers'), flags or objects as Python values, in one step."""
    if isinstance(column, np.ndarray) and column.ndim == 1 and (
            column.dtype.kind in "biuO" or column.dtype == np.float64):
        return column.tolist()
    return list(column)


def _column_values(name: str, column: Any) -> list[Any]:
    """The values of column param ``name`` as a list, quoted cells cut short (an array of
    numbers holds no text to cut)."""
    if isinstance(column, np.ndarray) and column.ndim == 1 and (
            column.dtype.kind in "biu" or column.dtype == np.float64):
        return column.tolist()
    return _short_column(name, _values(column))


def _plurals(numbers: list[Any], forms: str) -> list[str]:
    """:func:`plural` of each of ``numbers``, worked once per distinct number."""
    try:
        once = {number: plural(number, forms) for number in set(numbers)}
    except TypeError:  # a value that cannot be hashed: looked at one by one
        return [plural(number, forms) for number in numbers]
    return list(map(once.__getitem__, numbers))


_SAMPLE = 2000  # findings looked at to decide whether their values repeat


def _formatted(pattern: str, values: list[list[Any]]) -> list[str]:
    """``pattern`` (positional fields) filled with each finding's values, in order.

    When the values repeat (the first findings hold at most a quarter as many distinct
    combinations) and are all text or whole numbers, each combination is written once and
    handed to every finding that has it: values that are equal but written differently
    (1 and 1.0) are never taken for one another.
    """
    if _repeating(values):
        rows = list(zip(*values))
        distinct = list(dict.fromkeys(rows))
        written = dict(zip(distinct, map(pattern.format, *zip(*distinct))))
        return list(map(written.__getitem__, rows))
    return list(map(pattern.format, *values))


def _as_texts(values: list[Any]) -> list[str] | None:
    """``values`` as the texts ``format`` writes them with no spec: the list itself when it
    holds text alone, each number's text when it holds whole numbers alone; else None."""
    try:
        "".join(values)  # in C: fails on the first value that is not text
        return values
    except TypeError:
        pass
    if set(map(type, values)) == {int}:
        return list(map(str, values))
    return None


def _joined(between: list[str], texts: list[list[str]]) -> list[str]:
    """Per finding: ``between[0] + texts[0][i] + between[1] + …``, joined in C."""
    count = len(texts[0]) if texts else 0
    parts: list[Any] = []
    for literal, column in itertools.zip_longest(between, texts):
        if literal:
            parts.append(itertools.repeat(literal, count))
        if column is not None:
            parts.append(column)
    return list(map("".join, zip(*parts)))


def _repeating(values: list[list[Any]]) -> bool:
    """Whether the findings' values repeat (see :func:`_formatted`) and are text or whole
    numbers only."""
    if len(values[0]) <= _SAMPLE:
        return False
    try:
        if len(set(zip(*(v[:_SAMPLE] for v in values)))) * 4 > _SAMPLE:
            return False
    except TypeError:  # a value that cannot be hashed
        return False
    return all(set(map(type, v)) <= {str, int} for v in values)


def _short_column(name: str, values: list[Any]) -> list[Any]:
    """:func:`_short` of each of ``values``."""
    if name in _WHOLE:
        return values
    limit = QUOTE_LIMIT
    try:  # the usual case, in C: every value has a length, and none is over the limit
        if max(map(len, values), default=0) <= limit:
            return values
    except TypeError:  # numbers, dates: looked at one by one
        pass
    return [v[: limit - 1] + "…" if isinstance(v, str) and len(v) > limit else v
            for v in values]


@functools.cache
def _fields(text: str) -> tuple[tuple[str, str | None, str | None, str | None], ...] | None:
    """``text`` (a template for str.format) as (literal, field, spec, conversion) pieces, or
    None when a field is more than a name (``{a.b}``, ``{a[0]}``, a nested spec)."""
    pieces = tuple(string.Formatter().parse(text))
    for _, name, spec, _ in pieces:
        if name is not None and (not name.isidentifier() or "{" in (spec or "")):
            return None
    return pieces


def _is_column(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray)) or (
        hasattr(value, "to_numpy") and not isinstance(value, str)
    ) or (isinstance(value, Sequence) and not isinstance(value, str))


def row_list(messages: Messages, rows: Sequence[int], most: int = 12) -> str:
    """Sheet rows as "row 5" or "rows 15-19, 22": runs joined, at most ``most`` runs shown."""
    runs: list[list[int]] = []
    for row in sorted(rows):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    shown = [str(a) if a == b else f"{a}-{b}" for a, b in runs[:most]]
    if len(runs) > most:
        shown.append(messages.text("more-rows", count=sum(b - a + 1 for a, b in runs[most:])))
    return messages.text("rows" if len(rows) > 1 else "row", rows=", ".join(shown))
