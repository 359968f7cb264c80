"""HTTP plumbing for Google: bounded jittered retries, timeouts, a shared rate limiter.

Nothing here imports Google's libraries; :mod:`sheets_sync.backends.google` wires it into the
session gspread uses.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from sheets_sync.fastpaths import loads as fast_loads

log = logging.getLogger("sheets_sync.google")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def loads(body: bytes) -> Any:
    """Decode a JSON answer exactly as :func:`json.loads` does, faster when it can.

    A 100,000-row calendar arrives as some 30 MB of JSON; :func:`sheets_sync.fastpaths.loads`
    decodes it with pandas' C decoder when available, the standard library otherwise.
    """
    return fast_loads(body)


@dataclass
class RetryPolicy:
    """At most ``attempts`` tries; waits grow ``base * 2**n`` with full jitter, capped.

    The defaults ride out a long quota stall (Google's per-minute quota refills within a
    minute) while still giving up after about ten minutes in the worst case.
    """

    attempts: int = 25
    base: float = 1.0
    cap: float = 30.0
    timeout: float = 60.0  # seconds for one request (connect and read)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0, min(self.cap, self.base * 2 ** attempt))


class TokenBucket:
    """Allows ``per_minute`` requests per minute, in bursts of at most ``burst``.

    One bucket is shared by every calendar of one service account (see :func:`bucket_for`),
    so many calendars together stay under Google's per-user quota.
    """

    def __init__(self, per_minute: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = per_minute / 60.0
        self.capacity = burst if burst is not None else max(1.0, per_minute / 6)
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.updated = clock()
        self.lock = threading.Lock()

    def take(self) -> None:
        """Wait until a request may be sent, then count it."""
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            self.sleep(wait)


_BUCKETS: dict[str, TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()


def bucket_for(account: str, per_minute: float) -> TokenBucket:
    """Return the process-wide bucket of ``account`` (created on first use)."""
    with _BUCKETS_LOCK:
        if account not in _BUCKETS:
            _BUCKETS[account] = TokenBucket(per_minute)
        return _BUCKETS[account]


def install(session: requests.Session, policy: RetryPolicy, bucket: TokenBucket | None,
            rewrite: tuple[str, str] | None = None) -> requests.Session:
    """Wrap ``session.request`` with the rate limiter, a timeout and bounded retries.

    ``rewrite`` = (prefix, replacement) redirects URLs (an API endpoint override for testing).
    Retries 408/429/5xx answers and dropped connections; after the last attempt the last
    answer is returned (or the connection error raised) for the caller to report.
    """
    send = session.request

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if rewrite is not None:
            url = _rewrite(url, rewrite)
        kwargs["timeout"] = kwargs.get("timeout") or policy.timeout
        for attempt in range(policy.attempts):
            if bucket is not None:
                bucket.take()
            try:
                response = send(method, url, *args, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt + 1 == policy.attempts:
                    raise
                reason = type(exc).__name__
            else:
                if response.status_code not in RETRY_STATUSES or attempt + 1 == policy.attempts:
                    return response
                reason = f"HTTP {response.status_code}"
            delay = policy.delay(attempt)
            log.warning("Google API %s %s: %s; retry %d of %d in %.1fs", method.upper(),
                        _short(url), reason, attempt + 1, policy.attempts - 1, delay)
            policy.sleep(delay)
        raise AssertionError("unreachable")  # the loop always returns or raises

    session.request = request  # type: ignore[method-assign, assignment]
    return session


def _rewrite(url: str, rule: tuple[str, str]) -> str:
    for google in ("https://sheets.googleapis.com", "https://www.googleapis.com"):
        if url.startswith(google) and rule[0] == "*":
            return rule[1].rstrip("/") + url[len(google):]
    return url.replace(rule[0], rule[1], 1) if url.startswith(rule[0]) else url


def _short(url: str) -> str:
    return url.split("?")[0][-80:]
