"""A small formula evaluator: arithmetic, comparisons, ``&``, references and common functions.

Anything else (unknown functions, array formulas, structured references) evaluates to ``#NAME?``
while the formula text is kept, so FORMULA rendering still returns what was written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from ._a1 import RangeError, parse_cells
from ._cells import ErrorValue, Scalar, serial_of

Grid = list[list[Scalar | None]]
Resolver = Callable[[str | None, int, int, int, int], Grid]

_TOKENS = re.compile(
    r"""\s*(?:
    (?P<num>[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+)
    |(?P<str>"(?:[^"]|"")*")
    |(?P<ref>(?:'(?:[^']|'')+'!|[A-Za-z_][A-Za-z0-9_.]*!)?
        \$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?(?![A-Za-z0-9_(]))
    |(?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    |(?P<op><>|<=|>=|[-+*/^&=<>(),;%])
    )""",
    re.VERBOSE,
)


class _Fail(Exception):
    def __init__(self, error: ErrorValue) -> None:
        self.error = error


NAME = ErrorValue("#NAME?", "Unknown function or name.")
VALUE = ErrorValue("#VALUE!", "Value of the wrong type.")
DIV0 = ErrorValue("#DIV/0!", "Function DIVIDE parameter 2 cannot be zero.")
NA = ErrorValue("#N/A", "Not available.")
ERROR = ErrorValue("#ERROR!", "Formula parse error.")


class _Range:
    def __init__(self, grid: Grid) -> None:
        self.grid = grid

    def flat(self) -> list[Scalar | None]:
        return [v for row in self.grid for v in row]


def _num(v: Any) -> float:
    if isinstance(v, _Range):
        cells = v.flat()
        v = cells[0] if len(cells) == 1 else _fail(VALUE)
    if isinstance(v, ErrorValue):
        raise _Fail(v)
    if v is None or v == "":
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float | int):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        raise _Fail(VALUE) from None


def _text(v: Any) -> str:
    if isinstance(v, _Range):
        cells = v.flat()
        v = cells[0] if len(cells) == 1 else _fail(VALUE)
    if isinstance(v, ErrorValue):
        raise _Fail(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)
    return str(v)


def _bool(v: Any) -> bool:
    if isinstance(v, str) and v.upper() in ("TRUE", "FALSE"):
        return v.upper() == "TRUE"
    if isinstance(v, str) and v:
        raise _Fail(VALUE)
    return _num(v) != 0


def _fail(error: ErrorValue) -> Any:
    raise _Fail(error)


def _scalar(v: Any) -> Scalar | None:
    if isinstance(v, _Range):
        cells = v.flat()
        return cells[0] if cells else None
    return v


def _numbers(args: list[Any], *, strict: bool = False) -> list[float]:
    out: list[float] = []
    for a in args:
        if isinstance(a, _Range):
            for v in a.flat():
                if isinstance(v, ErrorValue):
                    raise _Fail(v)
                if isinstance(v, float) and not isinstance(v, bool):
                    out.append(v)
        else:
            out.append(_num(a))
    return out


def _round(args: list[Any]) -> float:
    digits = int(_num(args[1])) if len(args) > 1 else 0
    factor = 10.0**digits
    x = _num(args[0]) * factor
    return math.copysign(math.floor(abs(x) + 0.5), x) / factor


def _date(args: list[Any]) -> float:
    y, m, d = (int(_num(a)) for a in args[:3])
    try:
        return serial_of(dt.date(y + (m - 1) // 12, (m - 1) % 12 + 1, 1)) + d - 1
    except ValueError:
        raise _Fail(ErrorValue("#NUM!", "Invalid date.")) from None


def _average(args: list[Any]) -> float:
    nums = _numbers(args)
    return sum(nums) / len(nums) if nums else _fail(DIV0)


_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "SUM": lambda a: sum(_numbers(a)),
    "MIN": lambda a: min(_numbers(a), default=0.0),
    "MAX": lambda a: max(_numbers(a), default=0.0),
    "AVERAGE": _average,
    "COUNT": lambda a: float(len(_numbers(a))),
    "COUNTA": lambda a: float(sum(1 for x in a for v in (x.flat() if isinstance(x, _Range)
                                                           else [x]) if v not in (None, ""))),
    "ABS": lambda a: abs(_num(a[0])),
    "ROUND": _round,
    "AND": lambda a: all(_bool(v) for x in a for v in (x.flat() if isinstance(x, _Range) else [x])),
    "OR": lambda a: any(_bool(v) for x in a for v in (x.flat() if isinstance(x, _Range) else [x])),
    "NOT": lambda a: not _bool(_scalar(a[0])),
    "LEN": lambda a: float(len(_text(a[0]))),
    "UPPER": lambda a: _text(a[0]).upper(),
    "LOWER": lambda a: _text(a[0]).lower(),
    "TRIM": lambda a: " ".join(_text(a[0]).split()),
    "CONCATENATE": lambda a: "".join(_text(v) for x in a for v in (x.flat() if isinstance(x, _Range)
                                                                   else [x])),
    "DATE": _date,
}


class _Parser:
    def __init__(self, text: str, resolve: Resolver, now: Callable[[], dt.datetime]) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKENS.match(text, pos)
            if not m or m.end() == pos:
                raise _Fail(ERROR)
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0
        self.resolve = resolve
        self.now = now

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            raise _Fail(ERROR)

    def parse(self) -> Any:
        value = self.compare()
        if self.peek()[0] != "end":
            raise _Fail(ERROR)
        return value

    def compare(self) -> Any:
        left = self.concat()
        while self.peek()[1] in ("=", "<>", "<", ">", "<=", ">=") and self.peek()[0] == "op":
            op = self.take()[1]
            right = self.concat()
            a, b = _scalar(left), _scalar(right)
            for v in (a, b):
                if isinstance(v, ErrorValue):
                    raise _Fail(v)
            if isinstance(a, str) or isinstance(b, str):
                ka: Any = _text(a).lower()
                kb: Any = _text(b).lower()
            else:
                ka, kb = _num(a), _num(b)
            left = {"=": ka == kb, "<>": ka != kb, "<": ka < kb, ">": ka > kb,
                    "<=": ka <= kb, ">=": ka >= kb}[op]
        return left

    def concat(self) -> Any:
        left = self.additive()
        while self.peek() == ("op", "&"):
            self.take()
            left = _text(left) + _text(self.additive())
        return left

    def additive(self) -> Any:
        left = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            right = _num(self.term())
            left = _num(left) + right if op == "+" else _num(left) - right
        return left

    def term(self) -> Any:
        left = self.power()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            right = _num(self.power())
            if op == "*":
                left = _num(left) * right
            elif right == 0:
                raise _Fail(DIV0)
            else:
                left = _num(left) / right
        return left

    def power(self) -> Any:
        left = self.unary()
        while self.peek() == ("op", "^"):
            self.take()
            left = _num(left) ** _num(self.unary())
        return left

    def unary(self) -> Any:
        if self.peek() in (("op", "-"), ("op", "+")):
            sign = self.take()[1]
            value = _num(self.unary())
            return -value if sign == "-" else value
        value = self.primary()
        while self.peek() == ("op", "%"):
            self.take()
            value = _num(value) / 100
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(text)
        if kind == "op" and text == "(":
            value = self.compare()
            self.expect(")")
            return value
        if kind == "name":
            upper = text.upper()
            if self.peek() == ("op", "("):
                self.take()
                args: list[Any] = []
                if self.peek() != ("op", ")"):
                    args.append(self.compare())
                    while self.peek() in (("op", ","), ("op", ";")):
                        self.take()
                        args.append(self.compare())
                self.expect(")")
                return self.call(upper, args)
            if upper in ("TRUE", "FALSE"):
                return upper == "TRUE"
            raise _Fail(NAME)
        raise _Fail(ERROR)

    def call(self, name: str, args: list[Any]) -> Any:
        if name == "IF":
            if not 2 <= len(args) <= 3:
                raise _Fail(NA)
            return args[1] if _bool(_scalar(args[0])) else (args[2] if len(args) > 2 else False)
        if name == "TODAY":
            return float(math.floor(serial_of(self.now())))
        if name == "NOW":
            return serial_of(self.now())
        func = _FUNCTIONS.get(name)
        if func is None:
            raise _Fail(NAME)
        result = func(args)
        return float(result) if isinstance(result, int) and not isinstance(result, bool) else result

    def reference(self, text: str) -> Any:
        sheet: str | None = None
        if "!" in text:
            sheet, _, text = text.rpartition("!")
            if sheet.startswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
        try:
            box = parse_cells(text.replace("$", ""))
        except RangeError:
            raise _Fail(ERROR) from None
        assert box.r0 is not None and box.c0 is not None and box.r1 is not None
        assert box.c1 is not None
        grid = self.resolve(sheet, box.r0, box.c0, box.r1, box.c1)
        if ":" in text:
            return _Range(grid)
        return grid[0][0] if grid and grid[0] else None


def evaluate(formula: str, resolve: Resolver, now: Callable[[], dt.datetime]) -> Scalar:
    """Evaluate ``=...``; a reference to ``A1`` asks ``resolve`` for that box's values."""
    try:
        value = _Parser(formula[1:], resolve, now).parse()
    except _Fail as fail:
        return fail.error
    except (OverflowError, ValueError, ZeroDivisionError):
        return ErrorValue("#NUM!", "Invalid number.")
    value = _scalar(value)
    if value is None:
        return 0.0
    if isinstance(value, float) and not math.isfinite(value):
        return ErrorValue("#NUM!", "Invalid number.")
    return value


def references(formula: str) -> bool:
    """Return True when a formula reads cells (so it is recomputed on every read)."""
    return any(m.lastgroup in ("ref",) or (m.lastgroup == "name" and m.group("name").upper() in
                                            ("TODAY", "NOW"))
               for m in _TOKENS.finditer(formula[1:]))
