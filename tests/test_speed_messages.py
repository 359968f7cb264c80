"""Messages worked a column at a time (dates and times laid out for all stamps at once,
plurals once per number, repeated values once per combination) say what one message at a
time says."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sheets_sync.messages import Messages
from sheets_sync.wording import fill


def one_by_one(language: str, stamps: np.ndarray, with_time: np.ndarray) -> list[str]:
    """Each stamp written on its own by the standard library, as a person reads it."""
    day_format = "%d.%m.%Y" if language == "tr" else "%Y-%m-%d"
    out = []
    for stamp, timed in zip(stamps.tolist(), with_time.tolist()):
        if stamp is None:
            out.append("?")
            continue
        # datetime64[ns] gives whole nanoseconds: floor to microseconds, then minutes.
        moment = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=stamp // 1000)
        out.append(moment.strftime(day_format + (" %H:%M" if timed else "")))
    return out


def as_numbers(stamps: np.ndarray) -> np.ndarray:
    """Nanoseconds since 1970 per stamp, None where there is none."""
    numbers = stamps.view(np.int64).astype(object)
    numbers[np.isnat(stamps)] = None
    return numbers


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("count", [5, 3000])  # one by one, and once per distinct moment
def test_when_writes_every_stamp_as_one_at_a_time(language: str, count: int) -> None:
    rng = np.random.default_rng(7)
    low = np.datetime64("1900-01-01", "ns").astype(np.int64)
    high = np.datetime64("2200-12-31T23:59", "ns").astype(np.int64)
    stamps = rng.integers(low, high, count).astype("datetime64[ns]")
    stamps[: count // 10 + 1] = np.datetime64("NaT")
    stamps[-1] = np.datetime64("1969-12-31T23:59:59", "ns")  # before 1970: rounded down
    with_time = rng.random(count) < 0.5
    with_time[-1] = True
    messages = Messages(language)
    numbers = as_numbers(stamps)
    assert messages.when(stamps, with_time) == one_by_one(language, numbers, with_time)
    assert messages.when(stamps, False) == one_by_one(language, numbers, with_time & False)
    assert messages.when(stamps) == one_by_one(language, numbers, with_time | True)
    assert messages.when(stamps[-1:], True) == (
        ["1969-12-31 23:59"] if language == "en" else ["31.12.1969 23:59"])


def test_when_of_the_first_months_of_the_nanosecond_range() -> None:
    stamps = np.array(["1677-09-22T10:30", "2262-04-11T23:47", "NaT"], dtype="datetime64[ns]")
    assert Messages("en").when(stamps) == ["1677-09-22 10:30", "2262-04-11 23:47", "?"]
    assert Messages("tr").when(stamps, [True, False, True]) == [
        "22.09.1677 10:30", "11.04.2262", "?"]


@pytest.mark.parametrize("language", ["en", "tr"])
def test_when_of_many_stamps_some_in_the_first_months_of_the_range(language: str) -> None:
    # Moments written one at a time (one is before 1678), each form asked for alone or both.
    rng = np.random.default_rng(11)
    stamps = (np.datetime64("2026-01-01", "ns")
              + rng.integers(0, 2000, 200) * np.timedelta64(37, "m"))
    stamps[3] = np.datetime64("1677-10-01T08:15", "ns")
    stamps[5] = np.datetime64("NaT")
    numbers = as_numbers(stamps)
    messages = Messages(language)
    for with_time in (rng.random(200) < 0.5, np.ones(200, bool), np.zeros(200, bool)):
        assert messages.when(stamps, with_time) == one_by_one(language, numbers, with_time)


def test_render_of_repeated_values_is_the_message_of_each() -> None:
    messages = Messages("en")
    count = 5000
    waiting = np.array(["Waiting since 2026-03-09", "Waiting"], dtype=object)[
        np.arange(count) % 2]
    late = (np.arange(count) % 3).astype(np.int64)
    out = messages.render("feedback-overdue:escalate", waiting=waiting, due="2026-03-11",
                          late=late, contact="the account manager")
    template = messages.templates["feedback-overdue:escalate"]
    assert out == [fill(template, {"waiting": w, "due": "2026-03-11", "late": n,
                                   "contact": "the account manager"})
                   for w, n in zip(waiting.tolist(), late.tolist())]
    assert out[1].startswith("Waiting; it was due 2026-03-11, 1 business day ago.")
    assert "2 business days ago" in out[2]


def test_render_never_takes_equal_numbers_written_differently_for_one_another() -> None:
    messages = Messages("en")
    days = [1, 1.0, True, 2] * 1000  # equal as values, written "1", "1.0", "True"
    out = messages.render("duplicate-caption", other=[7] * len(days), channel="X", days=days)
    assert out[:4] == [
        "Same caption as row 7 on X, 1 day apart. Write a new caption or drop one of the posts.",
        "Same caption as row 7 on X, 1.0 day apart. Write a new caption or drop one of the "
        "posts.",
        "Same caption as row 7 on X, True day apart. Write a new caption or drop one of the "
        "posts.",
        "Same caption as row 7 on X, 2 days apart. Write a new caption or drop one of the "
        "posts."]
    assert out[4:8] == out[:4]


def test_render_of_numbers_from_arrays_is_written_as_python_writes_them() -> None:
    messages = Messages("en")
    out = messages.render("caption-too-long", length=np.array([2300, 501], dtype=np.int64),
                          limit=np.array([500.0, 500.0]), over=np.array([1800, 1], np.uint16),
                          channel=np.array(["Threads", "X"]))
    assert out == [
        "The caption has 2300 characters; Threads allows 500.0. Shorten it by 1800.",
        "The caption has 501 characters; X allows 500.0. Shorten it by 1."]


@pytest.mark.parametrize("language", ["en", "tr"])
def test_render_of_distinct_texts_and_numbers_is_the_message_of_each(language: str) -> None:
    messages = Messages(language)
    count = 3000
    when = [f"2026-03-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}" for i in range(count)]
    status = [("{odd}", "Onaylandı", "In “review”", "x" * 300, "")[i % 5] for i in range(count)]
    out = messages.render("stale-unpublished", when=when, status=status)
    template = messages.templates["stale-unpublished"]
    assert out == [fill(template, {"when": w, "status": s[:199] + "…" if len(s) > 200 else s})
                   for w, s in zip(when, status)]
    assert "“{odd}”" in out[0] and "…”" in out[3]
    hours = np.arange(count, dtype=np.int64) % 50
    out = messages.render("approval-missing:urgent", when=when, hours=hours, status="Draft")
    assert out == [fill(messages.templates["approval-missing:urgent"],
                        {"when": w, "hours": h, "status": "Draft"})
                   for w, h in zip(when, hours.tolist())]
    mixed = [1 if i % 2 else None for i in range(count)]  # not text, not only numbers
    out = messages.render("duplicate-caption", other=mixed, channel="X", days=2)
    assert out[:2] == [fill(messages.templates["duplicate-caption"],
                            {"other": other, "channel": "X", "days": 2}) for other in mixed[:2]]
