"""Turn plain TOML data into frozen dataclasses, collecting every problem with its path.

Each dataclass field may carry ``metadata={"check": fn}``: ``fn(value)`` returns an error text
or None. Supported field types: str, int, float, bool, Literal[...], X | None, tuple[str, ...],
dict[str, int | float | str | tuple[str, ...]] and nested dataclasses.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

T = TypeVar("T")
Check = Callable[[Any], "str | None"]


class Problems:
    """A growing list of ``path: message`` texts."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}" if path else message)

    def __bool__(self) -> bool:
        return bool(self.items)


def join(path: str, key: str | int) -> str:
    """Return the config path of ``key`` below ``path`` (``a.b``, ``a[0]``, ``a."x y"``)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    text = key if key.replace("_", "").replace("-", "").isalnum() else f'"{key}"'
    return f"{path}.{text}" if path else text


def unknown_key(key: str, known: Iterable[str]) -> str:
    """The problem of an unknown key: a near known key to use instead (a misspelling such as
    ``languge``), if any, then every known key."""
    names = sorted(known)
    near = difflib.get_close_matches(key.lower(), names, n=1, cutoff=0.75)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"unknown key{hint} (known keys here: {', '.join(names)})"


def positive(value: Any) -> str | None:
    return None if value > 0 else "must be a positive number"


def non_negative(value: Any) -> str | None:
    return None if value >= 0 else "must be zero or more"


def percent(value: Any) -> str | None:
    return None if 0 <= value <= 100 else "must be a percentage from 0 to 100"


def build(cls: type[T], data: Any, path: str, problems: Problems, partial: bool = False) -> T:
    """Return ``cls`` built from ``data``; problems are added, never raised.

    With ``partial`` missing required keys are not reported (used for fragments that are merged
    later). When a problem is found the returned object holds defaults in that place.
    """
    if not isinstance(data, dict):
        problems.add(path, f"must be a table, got {_kind(data)}")
        data = {}
    hints = get_type_hints(cls)
    fields = {
        f.name: f
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if not f.metadata.get("internal")
    }
    for key in data:
        if key not in fields:
            problems.add(join(path, key), unknown_key(key, fields))
    values: dict[str, Any] = {}
    for name, f in fields.items():
        where = join(path, name)
        if name in data:
            before = len(problems.items)
            values[name] = _convert(hints[name], data[name], where, problems, partial)
            if len(problems.items) == before:  # a placeholder for a wrong value: not checked
                _check(f.metadata.get("check"), values[name], where, problems)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            if not partial:
                problems.add(where, "is required")
            values[name] = _placeholder(hints[name])
    return cls(**values)


def _check(check: Check | None, value: Any, where: str, problems: Problems) -> None:
    """Run a field's check on a number, or on every number of a table."""
    if check is None:
        return
    items = value.items() if isinstance(value, dict) else [(None, value)]
    for key, item in items:
        if _is_plain(item):
            message = check(item)
            if message:
                at = where if key is None else join(where, key)
                problems.add(at, f"{message} (got {item!r})")


def _is_plain(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _placeholder(tp: Any) -> Any:
    if dataclasses.is_dataclass(tp):
        return build(tp, {}, "", Problems(), partial=True)  # type: ignore[arg-type]
    return {str: "", int: 0, float: 0.0, bool: False}.get(tp)


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a whole number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _convert(tp: Any, value: Any, path: str, problems: Problems, partial: bool) -> Any:
    if tp is Any:
        return value
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        return _convert(options[0], value, path, problems, partial)
    if origin is typing.Literal:
        choices = get_args(tp)
        if value not in choices:
            listed = ", ".join(repr(c) for c in choices)
            problems.add(path, f"must be one of {listed} (got {value!r})")
            return choices[0]
        return value
    if dataclasses.is_dataclass(tp):
        return build(tp, value, path, problems, partial)  # type: ignore[arg-type]
    if origin is tuple:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            problems.add(path, f"must be a list of text, got {_kind(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                problems.add(join(path, i), f"must be text, got {_kind(item)}")
            else:
                out.append(item)
        return tuple(out)
    if origin is dict:
        if not isinstance(value, dict):
            problems.add(path, f"must be a table, got {_kind(value)}")
            return {}
        item_type = get_args(tp)[1]
        return {k: _convert(item_type, v, join(path, k), problems, partial)
                for k, v in value.items()}
    return _scalar(tp, value, path, problems)


def _scalar(tp: Any, value: Any, path: str, problems: Problems) -> Any:
    if tp is bool:
        if not isinstance(value, bool):
            problems.add(path, f"must be true or false, got {_kind(value)}")
            return False
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            problems.add(path, f"must be a whole number, got {_kind(value)} {value!r}")
            return 0
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.add(path, f"must be a number, got {_kind(value)} {value!r}")
            return 0.0
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            problems.add(path, f"must be text, got {_kind(value)}")
            return ""
        return value
    raise TypeError(f"schema cannot convert to {tp!r}")  # a programming error, not user input
