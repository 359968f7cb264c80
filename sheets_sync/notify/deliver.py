"""Real delivery: e-mail through the standard library's smtplib, webhooks through urllib.

Both try a bounded number of times with a short growing pause, and raise
:class:`DeliveryError` when the message did not go out. Secrets (the SMTP password, a webhook
URL) are read from the environment when a message is sent, and never appear in an error,
a log line or anything returned: every error text is scrubbed of them.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from sheets_sync.config import SmtpConfig, WebhookConfig
from sheets_sync.errors import SheetsSyncError
from sheets_sync.wording import plural

log = logging.getLogger("sheets_sync.notify")
RETRY_AFTER_LIMIT = 30.0  # seconds: a longer Retry-After waits for the next run instead


class DeliveryError(SheetsSyncError):
    """A message did not go out (after the retries); the reminder stays due. Exit 3."""


def _scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret (and its base64 forms, as SMTP AUTH sends them) removed."""
    for secret in secrets:
        if not secret:
            continue
        forms = {secret, base64.b64encode(secret.encode()).decode()}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "[secret]")
    return text


def _pause(attempt: int) -> float:
    return float(min(2 ** attempt, 10))


@dataclass
class SmtpSender:
    """Sends e-mail through ``config`` (STARTTLS, login, timeouts, bounded retries)."""

    config: SmtpConfig
    retries: int = 2
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    sleep: Callable[[float], None] = time.sleep

    def _password(self) -> str:
        if not self.config.password_env:
            return ""
        value = self.env.get(self.config.password_env, "")
        if not value:
            raise DeliveryError(f"the SMTP password is not set: environment variable "
                                f"{self.config.password_env} is empty or missing "
                                "(notify.smtp.password_env)")
        return value

    def send(self, mail: EmailMessage) -> None:
        """Send ``mail``; raises DeliveryError after the last failed attempt.

        Connection failures, timeouts and temporary (4xx) answers are tried again; a
        permanent refusal (5xx: a wrong password, an unknown recipient) is not.
        """
        password = self._password()
        where = f"SMTP server {self.config.host}:{self.config.port}"
        for attempt in range(self.retries + 1):
            try:
                self._once(mail, password)
                return
            except smtplib.SMTPResponseException as exc:
                answer = exc.smtp_error
                said = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
                text = _scrub(f"{exc.smtp_code} {said}", [password])
                if exc.smtp_code < 400 or exc.smtp_code >= 500:
                    raise DeliveryError(f"{where} refused the message: {text}") from None
                reason = text
            except smtplib.SMTPRecipientsRefused as exc:
                raise DeliveryError(f"{where} refused the recipient(s) "
                                    f"{', '.join(exc.recipients)}") from None
            except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out, TLS
                reason = _scrub(f"{type(exc).__name__}: {exc}", [password])
            if attempt < self.retries:
                self.sleep(_pause(attempt))
        attempts = self.retries + 1
        raise DeliveryError(f"{where} could not be reached after {attempts} "
                            f"{plural(attempts, 'attempt|attempts')}: {reason}")

    def _once(self, mail: EmailMessage, password: str) -> None:
        config = self.config
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as server:
            server.ehlo()
            if config.starttls:
                context = ssl.create_default_context(cafile=config.ca_file or None)
                server.starttls(context=context)
                server.ehlo()
            if config.username:
                server.login(config.username, password)
            server.send_message(mail)


@dataclass
class WebhookSender:
    """Posts JSON to the webhook whose URL is in environment variable ``config.url_env``."""

    config: WebhookConfig
    retries: int = 2
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    sleep: Callable[[float], None] = time.sleep

    def send(self, payload: dict[str, Any]) -> None:
        """Post ``payload``; 429 and 5xx answers and network failures are tried again.

        Raises DeliveryError (naming the variable, never the URL) after the last attempt.
        """
        name = self.config.url_env
        url = self.env.get(name, "")
        where = f"webhook {name} ({self.config.kind})"
        if not url.startswith(("https://", "http://")):
            raise DeliveryError(f"{where}: environment variable {name} does not hold a web "
                                "address (notify.webhooks[].url_env)")
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        for attempt in range(self.retries + 1):
            wait = _pause(attempt)
            try:
                self._once(url, body)
                return
            except urllib.error.HTTPError as exc:
                reason = f"HTTP {exc.code}"
                if exc.code != 429 and exc.code < 500:
                    raise DeliveryError(f"{where} refused the message ({reason})") from None
                after = exc.headers.get("Retry-After", "") if exc.headers else ""
                if after.isdigit():
                    if float(after) > RETRY_AFTER_LIMIT:
                        raise DeliveryError(f"{where}: {reason}, asked to wait {after}s; "
                                            "tried again in the next run") from None
                    wait = float(after)
            except (TimeoutError, urllib.error.URLError, OSError) as exc:
                reason = _scrub(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}", [url])
            if attempt < self.retries:
                self.sleep(wait)
        attempts = self.retries + 1
        raise DeliveryError(f"{where} failed after {attempts} "
                            f"{plural(attempts, 'attempt|attempts')}: {reason}")

    def _once(self, url: str, body: bytes) -> None:
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8",
                     "User-Agent": "sheets-sync"})
        with urllib.request.urlopen(request, timeout=self.config.timeout_s) as answer:
            answer.read()
