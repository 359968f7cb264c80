"""Messages people read: one recipient's items as an e-mail (plain text and HTML) or as a
chat webhook's payload (Slack blocks, a Teams Adaptive Card, Google Chat card, plain JSON), in
English or Turkish.

Every value taken from a sheet (captions above all: they are user input) is escaped for
where it goes: HTML entities in e-mail HTML and Google Chat; ``&``, ``<`` and ``>`` in Slack
markup, so that ``<!channel>`` in a caption shows as text and pings no one. Teams gets them
in Adaptive Card text runs, which are never interpreted; plain text and JSON carry the values
as they are: neither is interpreted.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sheets_sync.notify.plan import KINDS, Item, Post
from sheets_sync.wording import fill

EN: dict[str, str] = {
    "approval:1": "1 post needs your approval by {day} — {client}",
    "approval": "{n} posts need your approval by {day} — {client}",
    "feedback": "Your feedback is overdue on {n} {n:~post|posts} — {client}",
    "deemed": "{n} {n:~post now counts|posts now count} as approved under the contract — {client}",
    "escalation": "Escalation: {n} {n:~post needs|posts need} your attention — {client}",
    "revision": "Escalation: {n} {n:~post needs|posts need} your attention — {client}",
    "digest": "Daily digest {date}: {today} to act on today, {week} this week — {client}",
    "title:approval": "Waiting for your approval",
    "title:feedback": "Your feedback is overdue",
    "title:deemed": "Now approved under the contract (no feedback in time)",
    "title:escalation": "Escalated: the client's feedback is overdue",
    "title:revision": "Revision rounds beyond the contract (billable)",
    "title:today": "Act today",
    "title:week": "This week",
    "title:yesterday": "Sent to the client yesterday",
    "row": "row {row}",
    "more": "… and {n} more",
    "no_date": "no date",
    "footer": "Sent by sheets-sync from the content calendar. The sheet is the record: "
              "approve or comment there.",
}
TR: dict[str, str] = {
    "approval:1": "1 gönderi {day} gününe kadar onayınızı bekliyor — {client}",
    "approval": "{n} gönderi {day} gününe kadar onayınızı bekliyor — {client}",
    "feedback": "{n} gönderi için geri bildiriminizin süresi geçti — {client}",
    "deemed": "{n} gönderi sözleşmeye göre artık onaylanmış sayılıyor — {client}",
    "escalation": "Eskalasyon: {n} gönderi ilginizi bekliyor — {client}",
    "revision": "Eskalasyon: {n} gönderi ilginizi bekliyor — {client}",
    "digest": "Günlük özet {date}: bugün {today}, bu hafta {week} iş — {client}",
    "title:approval": "Onayınızı bekleyenler",
    "title:feedback": "Geri bildirim süresi geçenler",
    "title:deemed": "Sözleşmeye göre onaylanmış sayılanlar (zamanında geri bildirim yok)",
    "title:escalation": "Eskalasyon: müşteri geri bildirimi gecikti",
    "title:revision": "Sözleşmeyi aşan revizyon turları (ücretli)",
    "title:today": "Bugün yapılacaklar",
    "title:week": "Bu hafta",
    "title:yesterday": "Dün müşteriye gönderilenler",
    "row": "{row}. satır",
    "more": "… ve {n} tane daha",
    "no_date": "tarih yok",
    "footer": "sheets-sync tarafından içerik takviminden gönderildi. Kayıt tablodadır: "
              "onayı veya yorumu orada verin.",
}
WEEKDAYS = {"en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                   "Sunday"),
            "tr": ("Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar")}
SLACK_BLOCKS = 48  # Slack takes at most 50 blocks in a message


@dataclass(frozen=True)
class Message:
    """Everything one recipient is sent in one run, grouped."""

    recipient: str
    language: str
    items: tuple[Item, ...]

    def words(self, key: str, **params: Any) -> str:
        return fill((TR if self.language == "tr" else EN)[key], params)


@dataclass(frozen=True)
class Section:
    """A titled list of posts (and free lines) of one client."""

    title: str
    client: str
    posts: tuple[Post, ...]
    lines: tuple[str, ...] = ()
    more: int = 0


def group(items: Sequence[Item]) -> list[Message]:
    """One message per recipient (never more per run), in the order recipients first appear;
    its language is that of its first item's calendar."""
    by_recipient: dict[str, list[Item]] = {}
    for item in items:
        by_recipient.setdefault(item.recipient, []).append(item)
    return [Message(r, found[0].language, tuple(sorted(found, key=_order)))
            for r, found in by_recipient.items()]


def _order(item: Item) -> tuple[int, str, str]:
    when = item.post.publish_at.isoformat() if item.post and item.post.publish_at else ""
    return KINDS.index(item.kind), item.client, when


def subject(message: Message) -> str:
    """What the message is about and by when, e.g. "3 posts need your approval by Thursday —
    Kahve Durağı" (one line: control characters of sheet values become spaces)."""
    first = message.items[0].kind
    same = [i for i in message.items if i.kind == first
            or {i.kind, first} <= {"escalation", "revision"}]
    clients = ", ".join(dict.fromkeys(i.client for i in message.items))
    if first == "digest":
        text = message.words("digest", date=_date(message, _day_of(same[0])),
                             today=sum(len(i.today) + i.more[0] for i in same),
                             week=sum(len(i.week) + i.more[1] for i in same), client=clients)
    else:
        key = "approval:1" if first == "approval" and len(same) == 1 else first
        soonest = min((i.post.publish_at for i in same if i.post and i.post.publish_at),
                      default=None)
        text = message.words(key, n=len(same), client=clients,
                             day=_weekday(message, soonest) if soonest else "?")
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)


def _day_of(item: Item) -> dt.date:
    return dt.date.fromisoformat(item.stage.removeprefix("digest-"))


def _date(message: Message, day: dt.date) -> str:
    return day.strftime("%d.%m.%Y" if message.language == "tr" else "%Y-%m-%d")


def _weekday(message: Message, moment: dt.datetime) -> str:
    names = WEEKDAYS["tr" if message.language == "tr" else "en"]
    return names[moment.weekday()]


def sections(message: Message) -> list[Section]:
    """The message's sections: one per kind and client (a digest: three per client)."""
    out: list[Section] = []
    keyed: dict[tuple[str, str], list[Post]] = {}
    for item in message.items:
        if item.kind == "digest":
            out += [Section(message.words("title:today"), item.client, item.today,
                            more=item.more[0]),
                    Section(message.words("title:week"), item.client, item.week,
                            more=item.more[1])]
            if item.yesterday:
                out.append(Section(message.words("title:yesterday"), item.client, (),
                                   item.yesterday))
        elif item.post is not None:
            keyed.setdefault((item.kind, item.client), []).append(item.post)
    posts = [Section(message.words(f"title:{kind}"), client, tuple(found))
             for (kind, client), found in keyed.items()]
    return posts + out


def post_fields(message: Message, post: Post) -> tuple[str, str, str]:
    """(when · channel · ID, the caption's first words, the row's place) of a post."""
    if post.publish_at is None:
        when = message.words("no_date")
    else:
        when = _date(message, post.publish_at.date())
        if post.has_time:
            when += post.publish_at.strftime(" %H:%M")
    head = " · ".join(x for x in (when, post.channel, post.post_id) if x)
    return head, post.caption, message.words("row", row=post.row)


# --- e-mail -----------------------------------------------------------------------------------


def plain_text(message: Message) -> str:
    """The plain-text body."""
    lines: list[str] = []
    for section in sections(message):
        lines += [f"{section.title} — {section.client}", ""]
        for post in section.posts:
            head, caption, row = post_fields(message, post)
            lines.append(f"- {head}" + (f" · “{caption}”" if caption else ""))
            lines.append(f"  {row}: {post.link}")
            if post.note:
                lines.append(f"  {post.note}")
        lines += [f"- {line}" for line in section.lines]
        if section.more:
            lines.append(message.words("more", n=section.more))
        if not section.posts and not section.lines:
            lines.append("-")
        lines.append("")
    lines += ["--", message.words("footer")]
    return "\n".join(lines) + "\n"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _href(link: str, label: str) -> str:
    """A link to the row when it is a web address; the file path as text otherwise."""
    if link.startswith("https://"):
        return f'<a href="{_e(link)}">{_e(label)}</a>'
    return f"{_e(label)}: <code>{_e(link)}</code>"


def html_body(message: Message) -> str:
    """The HTML body: every sheet value escaped."""
    parts = ['<!DOCTYPE html><html><body style="font-family: sans-serif">']
    for section in sections(message):
        parts.append(f"<h3>{_e(section.title)} — {_e(section.client)}</h3><ul>")
        for post in section.posts:
            head, caption, row = post_fields(message, post)
            quote = f" · “{_e(caption)}”" if caption else ""
            note = f"<br><small>{_e(post.note)}</small>" if post.note else ""
            parts.append(f"<li><b>{_e(head)}</b>{quote}<br>{_href(post.link, row)}{note}</li>")
        parts += [f"<li>{_e(line)}</li>" for line in section.lines]
        if section.more:
            parts.append(f"<li>{_e(message.words('more', n=section.more))}</li>")
        parts.append("</ul>")
    parts.append(f"<hr><p><small>{_e(message.words('footer'))}</small></p></body></html>")
    return "\n".join(parts)


def email(message: Message, sender: str) -> EmailMessage:
    """The multipart e-mail (plain text, then HTML) from ``sender`` to the recipient."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = subject(message)
    mail.set_content(plain_text(message))
    mail.add_alternative(html_body(message), subtype="html")
    return mail


# --- chat webhooks ----------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Text for Slack markup: ``&``, ``<`` and ``>`` as entities (no mention, no link)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _post_line(message: Message, post: Post, escape: Any, link: Any) -> str:
    head, caption, row = post_fields(message, post)
    text = escape(head) + (f" · “{escape(caption)}”" if caption else "")
    text += " — " + link(post.link, row)
    return text + (f"\n{escape(post.note)}" if post.note else "")


def _section_lines(message: Message, section: Section, escape: Any, link: Any) -> list[str]:
    lines = [_post_line(message, p, escape, link) for p in section.posts]
    lines += [escape(line) for line in section.lines]
    if section.more:
        lines.append(escape(message.words("more", n=section.more)))
    return lines or ["-"]


def slack(message: Message) -> dict[str, Any]:
    """A Slack incoming-webhook payload: a header block and a section per list."""
    def link(url: str, label: str) -> str:
        if url.startswith("https://"):
            return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{slack_escape(label)}>"
        return slack_escape(f"{label}: {url}")

    title = subject(message)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    for section in sections(message):
        text = f"*{slack_escape(section.title)} — {slack_escape(section.client)}*\n" + "\n".join(
            f"• {line}" for line in _section_lines(message, section, slack_escape, link))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    return {"text": slack_escape(title), "blocks": blocks[:SLACK_BLOCKS]}


def teams(message: Message) -> dict[str, Any]:
    """A Microsoft Teams message holding an Adaptive Card, the payload both a Teams
    Workflows webhook ("Send webhook alerts to a channel": it posts the first attachment's
    card) and the older Incoming Webhook take:
    https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook

    Sheet values go into ``TextRun`` elements, which Adaptive Cards show as plain text (no
    Markdown, no HTML): a caption is shown exactly as written, and nothing in it formats,
    links or mentions. The row's place links to the row when it is a web address.
    """
    def run(text: str, url: str = "", bold: bool = False) -> dict[str, Any]:
        inline: dict[str, Any] = {"type": "TextRun", "text": text}
        if bold:
            inline["weight"] = "Bolder"
        if url:
            inline["selectAction"] = {"type": "Action.OpenUrl", "url": url}
        return inline

    def block(*inlines: dict[str, Any], spacing: str = "Small") -> dict[str, Any]:
        return {"type": "RichTextBlock", "inlines": list(inlines), "spacing": spacing}

    title = run(subject(message), bold=True)
    title["size"] = "Medium"
    body: list[dict[str, Any]] = [block(title, spacing="None")]
    for section in sections(message):
        body.append(block(run(f"{section.title} — {section.client}", bold=True),
                          spacing="Medium"))
        for post in section.posts:
            head, caption, row = post_fields(message, post)
            place = (run(row, post.link) if post.link.startswith("https://")
                     else run(f"{row}: {post.link}"))
            body.append(block(run(head + (f" · “{caption}”" if caption else "") + " — "),
                              place))
            if post.note:
                body.append(block(run(post.note), spacing="None"))
        body += [block(run(line)) for line in section.lines]
        if section.more:
            body.append(block(run(message.words("more", n=section.more))))
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
        "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard", "version": "1.2", "body": body}}]}


def google_chat(message: Message) -> dict[str, Any]:
    """A Google Chat card (cardsV2), its text paragraphs in Chat's small HTML subset."""
    def link(url: str, label: str) -> str:
        return _href(url, label)

    title = subject(message)
    return {"text": _e(title), "cardsV2": [{"cardId": "sheets-sync", "card": {
        "header": {"title": _e(title)},
        "sections": [{"header": _e(f"{s.title} — {s.client}"), "widgets": [
            {"textParagraph": {"text": "<br>".join(
                line.replace("\n", "<br>") for line in _section_lines(message, s, _e, link))}}]}
            for s in sections(message)]}}]}


def as_json(message: Message) -> dict[str, Any]:
    """Plain JSON: the message as data, values as the sheet holds them."""
    def post(p: Post) -> dict[str, Any]:
        return {"post_id": p.post_id, "row": p.row,
                "publish_at": p.publish_at.isoformat() if p.publish_at else None,
                "channel": p.channel, "caption": p.caption, "link": p.link, "note": p.note}

    return {"subject": subject(message), "language": message.language,
            "sections": [{"title": s.title, "client": s.client,
                          "posts": [post(p) for p in s.posts], "lines": list(s.lines),
                          "more": s.more} for s in sections(message)],
            "text": plain_text(message)}


PAYLOADS = {"slack": slack, "teams": teams, "google_chat": google_chat, "json": as_json}
