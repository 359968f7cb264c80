"""An export speaks the calendar's language: the reasons a post is left out are in Turkish for
a calendar (or a client) with ``language = "tr"``; the codes stay the same, and the notices
are the command line's own English."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from conftest import calendar_config

from sheets_sync.export import ExportResult, plan
from sheets_sync.export.select import Window
from sheets_sync.export.words import EN, TR
from sheets_sync.parse import parse
from sheets_sync.parse_times import to_client_time

IST = zoneinfo.ZoneInfo("Europe/Istanbul")
NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=IST)
HEADER = ["ID", "Client", "Channel", "Publish date", "Status", "Caption", "Approved"]


def planned(rows: list[list[Any]], to: str, language: str, **options: Any) -> ExportResult:
    config = calendar_config(language=language)
    calendar = parse([HEADER, *rows], config)
    to_client_time(calendar, config)
    # From the day before: a post of then is in the window, and its time has passed.
    return plan(calendar, config, to, NOW, Window(start=dt.datetime(2026, 3, 19)), **options)


def post(post_id: str, date: str, status: str = "Approved", caption: str = "A caption",
         channel: str = "Instagram", approved: str = "Yes") -> list[Any]:
    return [post_id, "Acme", channel, date, status, caption, approved]


ROWS = [post("P1", "2026-03-21 10:00", status="Published"),
        post("P2", "2026-03-21 11:00", status="Client review", approved=""),
        post("P3", "2026-03-21 12:00", status="Whatever"),
        post("P4", "2026-03-21 13:00", channel="Myspace"),
        post("P5", "2026-03-21 14:00", approved="maybe"),
        post("P6", "2026-03-19 10:00"),
        post("P7", "2026-03-21 10:07", caption="Off the grid"),
        post("P8", "2026-03-22", caption="A date alone")]


def reasons(result: ExportResult) -> dict[str, list[tuple[str, str]]]:
    return {p.post_id: list(p.reasons) for p in result.left_out}


def test_the_reasons_of_a_turkish_calendar_are_turkish() -> None:
    english = planned(ROWS, "hootsuite", "en")
    turkish = planned(ROWS, "hootsuite", "tr")
    # The same posts are left out for the same codes.
    assert {k: [c for c, _ in v] for k, v in reasons(turkish).items()} == {
        k: [c for c, _ in v] for k, v in reasons(english).items()}
    said = {k: [m for _, m in v] for k, v in reasons(turkish).items()}
    assert said["P1"] == ["zaten yayınlandı (durum “Published”)"]
    assert said["P3"] == ["“Whatever” sheets-sync'in bildiği bir durum değil; "
                          "[calendars.statuses] içinde eşleyin"]
    assert said["P4"] == ["“Myspace” bilinen bir kanal değil"]
    assert said["P5"][0].startswith("onay hücresi okunamıyor")
    assert said["P6"] == ["yayın zamanı 2026-03-19 10:00 (Europe/Istanbul) geçti"]
    assert said["P7"] == ["Hootsuite yalnızca 0 veya 5 ile biten saatleri alır; 10:07 öyle "
                          "değil"]
    assert "durum “Client review”: henüz onaylanmadı" in said["P2"]
    assert "tabloda kayıtlı bir onay yok (“Approved”)" in said["P2"]
    assert turkish.notices == english.notices
    # And the English ones are as they always were.
    assert reasons(english)["P1"] == [("published", "already published (status “Published”)")]


def test_a_scheduler_refusing_a_channel_says_why_in_the_calendars_language() -> None:
    rows = [post("P1", "2026-03-21 10:00", channel="LinkedIn")]
    assert reasons(planned(rows, "meta", "tr"))["P1"] == [(
        "channel-not-supported",
        "Meta Business Suite yalnızca Facebook ve Instagram'da yayınlar, linkedin kanalında "
        "değil")]
    assert reasons(planned(rows, "meta", "en"))["P1"] == [(
        "channel-not-supported",
        "Meta Business Suite publishes to Facebook and Instagram only, not linkedin")]
    postiz = reasons(planned([post("P1", "2026-03-21 10:00", caption="Hi!")], "postiz", "tr",
                             accounts={"instagram": "ig"}))
    assert postiz["P1"] == [("text-too-short", "Postiz 6 karakterden kısa metni kabul etmiyor")]


@pytest.mark.parametrize("key", sorted(EN))
def test_every_text_has_a_turkish_one_with_no_value_the_english_lacks(key: str) -> None:
    fields = re.compile(r"{(\w+)")
    assert key in TR
    assert set(fields.findall(TR[key])) <= set(fields.findall(EN[key]))
    assert set(TR) == set(EN)


def test_a_client_of_its_own_language_has_its_reasons_in_it() -> None:
    config = calendar_config(language="en", clients={"Kahve": {"language": "tr"}})
    rows = [post("P1", "2026-03-21 10:00", status="Published"),
            [*post("P2", "2026-03-21 10:00", status="Published")[:1], "Kahve",
             *post("P2", "2026-03-21 10:00", status="Published")[2:]],
            [*post("P3", "2026-03-21 10:07")[:1], "Kahve", *post("P3", "2026-03-21 10:07")[2:]]]
    calendar = parse([HEADER, *rows], config)
    to_client_time(calendar, config)
    result = plan(calendar, config, "hootsuite", NOW)
    assert reasons(result) == {
        "P1": [("published", "already published (status “Published”)")],
        "P2": [("published", "zaten yayınlandı (durum “Published”)")],
        "P3": [("time-not-on-5-minutes",
                "Hootsuite yalnızca 0 veya 5 ile biten saatleri alır; 10:07 öyle değil")]}
