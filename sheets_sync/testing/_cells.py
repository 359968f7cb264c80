"""Cell values: what USER_ENTERED input becomes, and how each render option shows it."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

EPOCH = dt.datetime(1899, 12, 30)
DATE_TYPES = frozenset({"DATE", "TIME", "DATE_TIME"})


@dataclass(frozen=True)
class ErrorValue:
    """A formula error such as ``#DIV/0!``; the values API shows its code."""

    code: str
    message: str = ""


Scalar = float | str | bool | ErrorValue


class Formula(NamedTuple):
    """A stored formula (``=A1*2``); its value is computed when the cell is read."""

    text: str


# What a grid cell holds: its value itself, or a Formula. Empty cells are None.
Cell = Scalar | Formula


class Locale(NamedTuple):
    decimal: str
    group: str
    order: str  # "MDY", "DMY" or "YMD"
    date: str  # default DATE pattern
    time: str  # default TIME pattern
    currency: str


_COMMA_DECIMAL_DOT_GROUP = {"tr", "de", "es", "it", "pt", "nl", "id", "da", "el", "ro", "hr", "sl"}
_COMMA_DECIMAL_SPACE_GROUP = {"fr", "ru", "pl", "cs", "sk", "sv", "fi", "nb", "no", "uk", "hu",
                              "ka", "bg", "lt", "lv", "et"}
_YMD = {"ja", "zh", "ko", "hu", "lt", "sv", "mn"}
_MDY = {"en_US", "en_PH", "es_US"}
_CURRENCY = {"en_US": "$", "tr_TR": "₺", "en_GB": "£", "ja_JP": "¥", "ka_GE": "₾"}


def locale_info(locale: str) -> Locale:
    """Return the separators and default patterns of a spreadsheet locale such as ``tr_TR``."""
    lang = locale.split("_")[0].lower()
    if lang in _COMMA_DECIMAL_DOT_GROUP:
        decimal, group = ",", "."
    elif lang in _COMMA_DECIMAL_SPACE_GROUP:
        decimal, group = ",", "\u00a0"
    else:
        decimal, group = ".", ","
    order = "MDY" if locale in _MDY else "YMD" if lang in _YMD else "DMY"
    date = {"MDY": "M/d/yyyy", "YMD": "yyyy-MM-dd"}.get(order, "dd/MM/yyyy")
    if lang in ("tr", "de", "ru", "pl", "cs", "fi", "nb", "uk", "ka", "ro"):
        date = "dd.MM.yyyy"
    time = "h:mm:ss am/pm" if order == "MDY" else "HH:mm:ss"
    return Locale(decimal, group, order, date, time, _CURRENCY.get(locale, "€" if decimal == ","
                                                                   else "$"))


# --------------------------------------------------------------------------- input


def serial_of(moment: dt.date | dt.datetime | dt.time) -> float:
    """Return the Sheets serial number (days since 1899-12-30) of a date, datetime or time."""
    if isinstance(moment, dt.datetime):
        delta = moment.replace(tzinfo=None) - EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if isinstance(moment, dt.date):
        return float((moment - EPOCH.date()).days)
    return (moment.hour * 3600 + moment.minute * 60 + moment.second) / 86400


def moment_of(serial: float) -> dt.datetime:
    """Return the wall-clock moment of a serial number, rounded to the millisecond."""
    return EPOCH + dt.timedelta(milliseconds=round(serial * 86400000))


_CURRENCY_SIGNS = "$€£₺¥₹₾₽"


def _number_pattern(loc: Locale) -> re.Pattern[str]:
    d, g = re.escape(loc.decimal), re.escape(loc.group)
    groups = rf"[0-9]{{1,3}}(?:{g}[0-9]{{3}})+" + ("|[0-9]{1,3}(?: [0-9]{3})+" if
                                                   loc.group == "\u00a0" else "")
    return re.compile(
        rf"(?P<sign>[-+]?)\s*(?P<pre>[{_CURRENCY_SIGNS}]?)\s*(?P<sign2>[-+]?)"
        rf"(?P<int>{groups}|[0-9]+|(?=[{d}][0-9]))(?:{d}(?P<frac>[0-9]*))?"
        rf"(?:[eE](?P<exp>[-+]?[0-9]+))?\s*(?P<post>%|[{_CURRENCY_SIGNS}]|TL)?\Z"
    )


def parse_number(text: str, loc: Locale) -> tuple[float, dict[str, str] | None] | None:
    """Parse a number the way the UI does in ``loc``; return (value, inferred format)."""
    m = _number_pattern(loc).match(text.strip())
    if not m or (m["sign"] and m["sign2"]):
        return None
    digits = re.sub(r"[^0-9]", "", m["int"] or "")
    frac = m["frac"] or ""
    value = float(f"{digits or '0'}.{frac or '0'}")
    if m["exp"]:
        value *= 10.0 ** int(m["exp"])
    if "-" in (m["sign"] + m["sign2"]):
        value = -value
    decimals = "." + "0" * len(frac) if frac else ""
    grouped = "#,##0" if m["int"] and not m["int"].isdigit() else "0"
    if m["post"] == "%":
        return value / 100, {"type": "PERCENT", "pattern": f"0{decimals}%"}
    currency = m["pre"] or ("₺" if m["post"] == "TL" else m["post"] or "")
    if currency:
        cents = decimals or ".00"
        pattern = f"{currency}#,##0{cents}" if m["pre"] else f"#,##0{decimals} {currency}"
        return value, {"type": "CURRENCY", "pattern": pattern}
    if m["exp"]:
        return value, {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
    if grouped != "0":
        return value, {"type": "NUMBER", "pattern": f"{grouped}{decimals}"}
    return value, None


_DATE_ISO = re.compile(r"(?P<y>[0-9]{4})(?P<s>[-/.])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})")
_DATE_LOC = re.compile(
    r"(?P<a>[0-9]{1,2})(?P<s>[-/.])(?P<b>[0-9]{1,2})(?P=s)(?P<y>[0-9]{4}|[0-9]{2})")
_TIME = re.compile(
    r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<sec>[0-9]{2})(?:\.(?P<ms>[0-9]+))?)?"
    r"\s*(?P<ap>[AaPp][Mm])?")


def _time_part(text: str) -> tuple[dt.time, str] | None:
    m = _TIME.fullmatch(text)
    if not m:
        return None
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["sec"] or 0)
    ap = (m["ap"] or "").upper()
    if ap:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ap == "PM" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    micro = int((m["ms"] or "0")[:6].ljust(6, "0"))
    pattern = ("h" if ap else "HH") + ":mm" + (":ss" if m["sec"] else "") + (" am/pm" if ap else "")
    return dt.time(hour, minute, second, micro), pattern


def _date_part(text: str, loc: Locale) -> tuple[dt.date, str] | None:
    m = _DATE_ISO.fullmatch(text)
    if m:
        y, mo, d, sep = int(m["y"]), int(m["m"]), int(m["d"]), m["s"]
        pattern = f"yyyy{sep}mm{sep}dd" if sep == "-" else f"yyyy{sep}MM{sep}dd"
    else:
        m = _DATE_LOC.fullmatch(text)
        if not m:
            return None
        a, b, y, sep = int(m["a"]), int(m["b"]), int(m["y"]), m["s"]
        if len(m["y"]) == 2:
            y += 2000 if y < 30 else 1900
        first = len(m["a"]) == 2
        second = len(m["b"]) == 2
        if loc.order == "MDY":
            mo, d = a, b
            pattern = ("MM" if first else "M") + sep + ("dd" if second else "d")
        else:
            d, mo = a, b
            pattern = ("dd" if first else "d") + sep + ("MM" if second else "M")
        pattern += sep + ("yyyy" if len(m["y"]) == 4 else "yy")
    try:
        return dt.date(y, mo, d), pattern
    except ValueError:
        return None


def parse_datetime(text: str, loc: Locale) -> tuple[float, dict[str, str]] | None:
    """Parse a date, a date and time, or a time; return (serial, inferred number format)."""
    text = text.strip()
    parts = text.split(None, 1)
    date = _date_part(parts[0], loc)
    if date is not None:
        day, pattern = date
        if len(parts) == 1:
            return serial_of(day), {"type": "DATE", "pattern": pattern}
        time = _time_part(parts[1])
        if time is None:
            return None
        moment = dt.datetime.combine(day, time[0])
        return serial_of(moment), {"type": "DATE_TIME", "pattern": f"{pattern} {time[1]}"}
    time = _time_part(text)
    if time is None:
        return None
    return serial_of(time[0]), {"type": "TIME", "pattern": time[1]}


def parse_user_entered(
    value: Any, loc: Locale, fmt: dict[str, Any] | None
) -> tuple[Cell | None, dict[str, str] | None]:
    """Return the cell a USER_ENTERED value becomes, and the number format it implies."""
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        return float(value), None
    text = str(value)
    if text == "":
        return None, None
    if text.startswith("'"):
        return text[1:], None
    if fmt is not None and fmt.get("type") == "TEXT":
        return text, None
    if text.startswith("=") and len(text) > 1:
        return Formula(text), None
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE", None
    number = parse_number(stripped, loc)
    if number is not None:
        return number[0], number[1]
    moment = parse_datetime(stripped, loc)
    if moment is not None:
        return moment[0], moment[1]
    return text, None


def raw_cell(value: Any) -> Cell | None:
    """Return the cell a RAW value becomes: strings stay strings, "" clears."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if not math.isfinite(value):  # no request can carry one (NaN is not JSON)
            raise ValueError(f"{value!r} cannot be stored in a Google Sheets cell")
        return float(value)
    text = str(value)
    return text if text else None


# --------------------------------------------------------------------------- output


def json_number(value: float) -> float | int:
    """Return ``2`` for 2.0, as Google's JSON does."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return int(value)
    return value


@functools.lru_cache(maxsize=65536)
def general_number(value: float, loc: Locale) -> str:
    """Format a number in the automatic format: up to 10 decimals, no float noise."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e15 or magnitude < 1e-9:
        mantissa, _, exp = f"{value:.5E}".partition("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}E{exp[0]}{exp[1:].lstrip('0').zfill(2)}"
    else:
        digits = max(0, min(10, 15 - len(str(int(magnitude)))))
        text = f"{value:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    return text.replace(".", loc.decimal) if loc.decimal != "." else text


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_DT_TOKEN = re.compile(r'"[^"]*"|\\.|am/pm|a/p|y+|m+|d+|h+|s+|\.0+|[^"\\amydhs]+|.', re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def format_datetime(serial: float, pattern: str) -> str:
    """Format a serial number with a date/time pattern such as ``dd.MM.yyyy HH:mm``."""
    moment = moment_of(serial)
    tokens = _DT_TOKEN.findall(pattern)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    kinds = [t[0].lower() if t[0].isalpha() else "" for t in tokens]
    out: list[str] = []
    for i, tok in enumerate(tokens):
        low = tok.lower()
        kind = kinds[i]
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        elif low in ("am/pm", "a/p"):
            ap = "AM" if moment.hour < 12 else "PM"
            out.append(ap if low == "am/pm" else ap[0])
        elif kind == "y":
            out.append(str(moment.year)[-2:] if len(tok) <= 2 else str(moment.year))
        elif kind == "d":
            n = len(tok)
            out.append(str(moment.day) if n == 1 else f"{moment.day:02d}" if n == 2 else
                       _DAYS[moment.weekday()][:3] if n == 3 else _DAYS[moment.weekday()])
        elif kind == "h":
            hour = moment.hour % 12 or 12 if twelve else moment.hour
            out.append(str(hour) if len(tok) == 1 else f"{hour:02d}")
        elif kind == "s":
            out.append(str(moment.second) if len(tok) == 1 else f"{moment.second:02d}")
        elif low.startswith(".0"):
            out.append("." + f"{moment.microsecond:06d}"[: len(tok) - 1])
        elif kind == "m":
            prev = next((kinds[j] for j in range(i - 1, -1, -1) if kinds[j]), "")
            nxt = next((kinds[j] for j in range(i + 1, len(kinds)) if kinds[j]), "")
            minute = len(tok) <= 2 and (prev == "h" or nxt == "s")
            if minute:
                out.append(str(moment.minute) if len(tok) == 1 else f"{moment.minute:02d}")
            else:
                n = len(tok)
                out.append(str(moment.month) if n == 1 else f"{moment.month:02d}" if n == 2 else
                           _MONTHS[moment.month - 1][:3] if n == 3 else
                           _MONTHS[moment.month - 1][0] if n == 5 else _MONTHS[moment.month - 1])
        else:
            out.append(tok)
    return "".join(out)


_NUM_BODY = re.compile(r"[#0?,]*\.?[#0?]*(?:[Ee][-+]?0+)?")


@functools.lru_cache(maxsize=65536)
def format_pattern_number(value: float, pattern: str, loc: Locale) -> str:
    """Format a number with a number pattern such as ``#,##0.00``, ``0%`` or ``[$₺]#,##0``."""
    sections = pattern.split(";")
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    negative = value < 0 and len(sections) == 1
    section = re.sub(r"\[\$([^\]-]*)[^\]]*\]", r"\1", section)
    section = re.sub(r'"([^"]*)"', r"\1", section)
    section = re.sub(r"\\(.)", r"\1", section)
    match = next((m for m in _NUM_BODY.finditer(section) if m.group(0).strip(",")), None)
    if match is None:
        return section
    body = match.group(0)
    number = abs(value) * (100 if "%" in section else 1)
    if "e" in body.lower():
        decimals = len(body.split(".")[1].split("E")[0].split("e")[0]) if "." in body else 0
        mantissa, _, exp = f"{number:.{decimals}E}".partition("E")
        text = f"{mantissa}E{exp[0]}{exp[1:].lstrip('0').zfill(2)}"
    else:
        frac = body.split(".")[1] if "." in body else ""
        decimals = len(frac)
        text = f"{number:,.{decimals}f}" if "," in body else f"{number:.{decimals}f}"
        if frac and set(frac) == {"#"}:
            text = text.rstrip("0").rstrip(".")
        text = text.replace(",", "\x00").replace(".", loc.decimal).replace("\x00", loc.group)
    return ("-" if negative else "") + section[: match.start()] + text + section[match.end():]


def default_pattern(kind: str, loc: Locale) -> str:
    return {
        "DATE": loc.date,
        "TIME": loc.time,
        "DATE_TIME": f"{loc.date} {loc.time}",
        "PERCENT": "0.00%",
        "CURRENCY": f"{loc.currency}#,##0.00",
        "SCIENTIFIC": "0.00E+00",
    }.get(kind, "#,##0.00")


def format_number(value: float, fmt: dict[str, Any] | None, loc: Locale) -> str:
    """Return the FORMATTED_VALUE of a number under its number format."""
    kind = (fmt or {}).get("type", "NUMBER_FORMAT_TYPE_UNSPECIFIED")
    if fmt is None or kind in ("NUMBER_FORMAT_TYPE_UNSPECIFIED", "TEXT"):
        return general_number(value, loc)
    pattern = fmt.get("pattern") or default_pattern(kind, loc)
    if kind in DATE_TYPES:
        return format_datetime(value, pattern)
    return format_pattern_number(value, pattern, loc)


def render(
    value: Scalar | None, formula: str | None, fmt: dict[str, Any] | None, value_render: str,
    date_render: str, loc: Locale,
) -> Any:
    """Return how values.get shows a cell under the render options ("" when empty)."""
    if value_render == "FORMULA" and formula is not None:
        return formula
    if value is None:
        return ""
    if isinstance(value, ErrorValue):
        return value.code
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if value_render == "FORMATTED_VALUE" else value
    if isinstance(value, str):
        return value
    if value_render == "FORMATTED_VALUE":
        return format_number(value, fmt, loc)
    if fmt is not None and fmt.get("type") in DATE_TYPES and date_render == "FORMATTED_STRING":
        return format_number(value, fmt, loc)
    return json_number(value)


def extended_value(value: Scalar | None, formula: str | None = None) -> dict[str, Any]:
    """Return an ExtendedValue (``{"numberValue": 2}``) for grid data."""
    if formula is not None:
        return {"formulaValue": formula}
    if value is None:
        return {}
    if isinstance(value, ErrorValue):
        return {"errorValue": {"type": _ERROR_TYPES.get(value.code, "ERROR"),
                               "message": value.message}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    return {"numberValue": json_number(value)}


_ERROR_TYPES = {"#NULL!": "NULL_VALUE", "#DIV/0!": "DIVIDE_BY_ZERO", "#VALUE!": "VALUE",
                "#REF!": "REF", "#NAME?": "NAME", "#NUM!": "NUM", "#N/A": "N_A",
                "#ERROR!": "ERROR"}
