"""Request log, injected faults and per-minute quotas of the fake."""

from __future__ import annotations

import collections
import random
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

# ---------------------------------------------------------------------------- request log


@dataclass(frozen=True)
class RequestRecord:
    """One request received: unpacks as ``(method, path, query, body)``; ``kind`` names it,
    ``size`` is the body's length in bytes as sent."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    kind: str = "unknown"
    size: int = 0

    def __iter__(self) -> Iterator[Any]:
        return iter((self.method, self.path, self.query, self.body))


class RequestLog(Sequence[RequestRecord]):
    """The requests received, in order; ``count("values.batchGet")`` counts one kind."""

    def __init__(self, records: Iterable[RequestRecord]) -> None:
        self._records = list(records)

    @overload
    def __getitem__(self, index: int) -> RequestRecord: ...

    @overload
    def __getitem__(self, index: slice) -> RequestLog: ...

    def __getitem__(self, index: int | slice) -> RequestRecord | RequestLog:
        if isinstance(index, slice):
            return RequestLog(self._records[index])
        return self._records[index]

    def __len__(self) -> int:
        return len(self._records)

    def count(self, value: object) -> int:
        """Count requests of a kind ("values.batchUpdate"), or a prefix ("values", "drive")."""
        if isinstance(value, RequestRecord):
            return self._records.count(value)
        return sum(1 for r in self._records if _kind_matches(r.kind, str(value)))

    def kinds(self) -> list[str]:
        return [r.kind for r in self._records]

    def __repr__(self) -> str:
        return f"RequestLog({self.kinds()!r})"


def _kind_matches(kind: str, wanted: str) -> bool:
    return kind == wanted or kind.startswith(wanted + ".")


# ---------------------------------------------------------------------------- faults and quota


@dataclass
class _Decision:
    drop: bool = False
    lose: bool = False
    cut: bool = False
    status: int = 0
    latency: float = 0.0


@dataclass(eq=False)
class _Pending:
    """One injected fault waiting for its request: ``action`` is "status", "drop", "lose" or
    "cut"; it lets ``skip`` matching requests through first."""

    action: str
    kinds: tuple[str, ...]
    status: int = 0
    skip: int = 0

    def matches(self, kind: str) -> bool:
        return not self.kinds or any(_kind_matches(kind, k) for k in self.kinds)


class Faults:
    """Injected failures, applied to the requests that arrive after they are set.

    Every kind of fault takes ``kinds`` (only requests of those kinds, default all) and
    ``after`` (let that many matching requests through first: ``after=1`` hits the second
    part of a write split in two). Faults set earlier are applied first.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._pending: list[_Pending] = []
            self._fraction: tuple[float, int, random.Random, tuple[str, ...]] | None = None
            self._latency = 0.0

    def _add(self, n: int, action: str, kinds: Iterable[str], status: int = 0,
             after: int = 0) -> None:
        with self._lock:
            self._pending.extend(_Pending(action, tuple(kinds), status, after)
                                 for _ in range(n))

    def fail_next(self, n: int = 1, status: int = 429, kinds: Iterable[str] = (),
                  after: int = 0) -> None:
        """Answer the next ``n`` requests (of ``kinds``, default all) with ``status``."""
        self._add(n, "status", kinds, status, after)

    def fail_fraction(self, p: float, status: int = 429, seed: int | None = None,
                      kinds: Iterable[str] = ()) -> None:
        """Answer a random share ``p`` of the requests with ``status`` (0 stops it)."""
        with self._lock:
            self._fraction = (p, status, random.Random(seed), tuple(kinds)) if p > 0 else None

    def latency(self, seconds: float) -> None:
        """Delay every answer by ``seconds``; a client timeout shorter than that times out
        before the request is processed."""
        with self._lock:
            self._latency = seconds

    def drop_connections(self, n: int = 1, kinds: Iterable[str] = (), after: int = 0) -> None:
        """Close the connection of the next ``n`` requests without processing or answering."""
        self._add(n, "drop", kinds, after=after)

    def lose_responses(self, n: int = 1, kinds: Iterable[str] = (), after: int = 0) -> None:
        """Process the next ``n`` requests but drop the connection instead of answering."""
        self._add(n, "lose", kinds, after=after)

    def cut_responses(self, n: int = 1, kinds: Iterable[str] = (), after: int = 0) -> None:
        """Process the next ``n`` requests and answer 200 with their JSON cut short (half
        of it), as a connection broken in the middle of a body is seen by the client; an
        error answer is sent whole."""
        self._add(n, "cut", kinds, after=after)

    def _decide(self, kind: str) -> _Decision:
        with self._lock:
            decision = _Decision(latency=self._latency)
            chosen: _Pending | None = None
            for pending in self._pending:
                if not pending.matches(kind):
                    continue
                if pending.skip:
                    pending.skip -= 1
                elif chosen is None:
                    chosen = pending
            if chosen is not None:
                self._pending = [p for p in self._pending if p is not chosen]
                if chosen.action == "status":
                    decision.status = chosen.status
                else:
                    setattr(decision, chosen.action, True)
                return decision
            if self._fraction is not None:
                p, status, rng, kinds = self._fraction
                if (not kinds or any(_kind_matches(kind, k) for k in kinds)) and rng.random() < p:
                    decision.status = status
            return decision


class _Quota:
    """Sliding one-minute windows of read and write requests per user."""

    def __init__(self, read_limit: int | None, write_limit: int | None,
                 clock: Callable[[], float]) -> None:
        self.limits = {"read": read_limit, "write": write_limit}
        self.clock = clock
        self.events: dict[tuple[str, str], collections.deque[float]] = {}

    def admit(self, user: str, category: str) -> bool:
        limit = self.limits[category]
        if limit is None:
            return True
        now = self.clock()
        window = self.events.setdefault((user, category), collections.deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        if len(window) >= limit:
            return False
        window.append(now)
        return True
