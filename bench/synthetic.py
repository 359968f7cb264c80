"""Synthetic content calendars for benchmarks: realistic text, about 3% defective rows."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

HEADER = ["ID", "Client", "Channel", "Format", "Publish date", "Publish time", "Pillar",
          "Caption", "Hashtags", "Asset", "Owner", "Status", "Sent for review", "Feedback due",
          "Approved by", "Approved on", "Revision round", "Extra rounds", "Feedback", "Notes"]

CHANNELS = ["Instagram", "Facebook", "X", "LinkedIn", "TikTok", "YouTube", "Threads",
            "Pinterest"]
FORMATS = ["Post", "Reel", "Story", "Carousel", "Video", "Short"]
PILLARS = ["Value", "Shareable", "Promotion"]
CAPTIONS = [
    "Yeni sezon kahvelerimiz şubelerde! ☕️ Hangisini denemek istersin?\nYorumlara yaz 👇",
    "Trail season is here 🏔️ Pack light, go far.\nWhat's on your list this weekend?",
    "Çarşamba indirimi: tüm soğuk içeceklerde %20 🎉 Sadece bugün, İstanbul şubelerinde.",
    "Behind the scenes at our roastery 🔥 Every bean, every batch, tasted by hand.",
    "ქართული ყავის დღე 🇬🇪 Gürcü kahve günü kutlu olsun!",
    "Three rules for packing a day bag 🎒 1) water 2) layers 3) snacks. What's yours?",
]


def calendar_rows(n: int, clients: int = 40, seed: int = 7,
                  today: dt.date = dt.date(2026, 3, 10)) -> list[list[Any]]:
    """Return a header plus ``n`` rows of cells as a Google/xlsx reader would deliver them.

    Posts span at least 60 days either side of ``today`` (more for big calendars, so that a
    client has a few posts a day, as in life) and their state fits their date (published
    in the past, approved or scheduled in the next days, in production later); about 3% of
    rows carry one broken cell.
    """
    rng = random.Random(seed)
    names = [f"Client {i:02d}" for i in range(clients)]
    rows: list[list[Any]] = [list(HEADER)]
    span = max(60, n // 150)
    for i in range(n):
        offset = rng.randrange(-span, span + 1)
        day = today + dt.timedelta(days=offset)
        status, approved = _state(rng, offset)
        caption = CAPTIONS[rng.randrange(len(CAPTIONS))] + f" #{i % 97} ({i})"
        sent = (dt.datetime.combine(min(day, today) - dt.timedelta(days=rng.randrange(1, 3)),
                                    dt.time(10)) if status != "Draft" else None)
        row: list[Any] = [
            f"P{i:06d}", names[i % clients], CHANNELS[rng.randrange(len(CHANNELS))],
            FORMATS[rng.randrange(len(FORMATS))], dt.datetime.combine(day, dt.time()),
            f"{rng.randrange(8, 21)}:{rng.choice(['00', '30'])}", PILLARS[rng.randrange(3)],
            caption, "#kahve #trail #istanbul", f"https://cdn.example.com/{i}.jpg",
            rng.choice(["Ayşe", "Mehmet", "Jonas", "Elif"]), status, sent, None,
            "Elif Yılmaz" if approved else None,
            dt.datetime.combine(day - dt.timedelta(days=2), dt.time(15)) if approved else None,
            float(rng.choice([0, 0, 0, 1, 1, 2])), None, None, None,
        ]
        if rng.random() < 0.03:  # a defective row: one broken cell of several kinds
            column, value = rng.choice([(4, "31.02.2026"), (2, "Instagrm"), (11, "Onaylandıı"),
                                        (9, "www.example"), (16, "two"), (5, "25:70"),
                                        (7, "x" * 2300), (0, "")])
            row[column] = value
        rows.append(row)
    # A reader (python-calamine, Google's JSON) hands over a new string object per cell;
    # shared objects would make every comparison an identity check and flatter the engine.
    return [[_fresh(cell) for cell in row] for row in rows]


def _fresh(cell: Any) -> Any:
    return cell.encode("utf-8").decode("utf-8") if isinstance(cell, str) else cell


def _state(rng: random.Random, offset: int) -> tuple[str, bool]:
    """Return a status that fits a post ``offset`` days from today, and whether approved."""
    if offset < 0:
        return rng.choice(["Published", "Yayınlandı", "Published", "İptal"]), True
    if offset < 3:
        return rng.choice(["Scheduled", "Onaylandı", "Approved"]), True
    return rng.choice(["Draft", "Taslak", "Müşteri onayında", "Client review", "Approved"]), False


def text_cell(cell: Any) -> str:
    """Return ``cell`` as a person's CSV export shows it: dates as ISO text, whole numbers
    without a decimal point, empty cells empty."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.strftime("%Y-%m-%d" if cell.time() == dt.time() else "%Y-%m-%d %H:%M")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def write_csv(path: Any, n: int) -> None:
    """Write the calendar of :func:`calendar_rows` ``n`` as a UTF-8 CSV file at ``path``."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in calendar_rows(n):
            writer.writerow([text_cell(cell) for cell in row])


def write_xlsx(path: Any, n: int) -> None:
    """Write the calendar of :func:`calendar_rows` ``n`` as a one-tab workbook at ``path``."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Calendar")
    for line in calendar_rows(n):
        sheet.append(line)
    workbook.save(path)
