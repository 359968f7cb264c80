"""Backends: where calendars are read from and the owned tabs are written to.

Every backend implements the contract in :mod:`sheets_sync.backends.base`. Commands never
construct one directly: :func:`open_backend` looks the configured name up in a small registry,
so ``sync``, ``audit``, the daemon and the portfolio all read a calendar the same way, and a
new backend is added in one place.

- ``xlsx``: a local workbook; read with python-calamine, written part by part inside the zip.
- ``csv``: a delimited text file; read only (it cannot hold the tool's tabs).
- ``google``: a Google Sheet shared with a service account (the only module using gspread).
- ``memory``: a dict of tabs, for tests; built directly, never from a configuration file.

Workbooks of other formats (.xls, .xlsb, .ods) and delimited text can be audited: opened
read-only, they are read by :class:`~sheets_sync.backends.readonly.FileBackend`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, MutableMapping
from pathlib import Path

from sheets_sync.backends.base import Backend
from sheets_sync.backends.bounds import Limits
from sheets_sync.config import CalendarConfig, PortfolioConfig
from sheets_sync.errors import UsageError

BackendConfig = CalendarConfig | PortfolioConfig
Opener = Callable[[BackendConfig, "MutableMapping[str, str] | None", bool], Backend]


def _google(config: BackendConfig, cache: MutableMapping[str, str] | None, writable: bool
            ) -> Backend:
    from sheets_sync.backends.google import GoogleBackend

    return GoogleBackend(config.spreadsheet, credentials=_credentials(config),
                         endpoint=config.api_endpoint, quota_per_minute=config.quota_per_minute,
                         cache=cache)


def _credentials(config: BackendConfig) -> str:
    """The configured key file, a relative path taken from the configuration's folder as
    every other path is (never from the working directory, where another account's key may
    lie); '' when none is configured (GOOGLE_APPLICATION_CREDENTIALS then applies)."""
    if not config.credentials:
        return ""
    path = Path(config.credentials).expanduser()
    if not path.is_absolute():
        path = Path(os.path.normpath(Path(config.base_dir or ".") / path))
    return str(path)


def _xlsx(config: BackendConfig, cache: MutableMapping[str, str] | None, writable: bool
          ) -> Backend:
    if not writable:
        return _file(config, cache, writable)
    from sheets_sync.backends.xlsx import XlsxBackend

    return XlsxBackend(config.location(), getattr(config, "timezone", ""),
                       limits=_limits(config), cache=cache)


def _file(config: BackendConfig, cache: MutableMapping[str, str] | None, writable: bool
          ) -> Backend:
    if writable:
        raise UsageError(f"calendar {_name(config)!r} ({config.location().name}) is a .csv "
                         "file: sync writes Status, Report and History tabs, which a .csv "
                         "cannot hold; use an .xlsx workbook, or `sheets-sync audit` to check "
                         "the file")
    from sheets_sync.backends.readonly import FileBackend

    return FileBackend(config.location(), limits=_limits(config))


def _limits(config: BackendConfig) -> Limits:
    """How large a workbook may be read: the calendar's max_cells and max_unpacked_mb (the
    portfolio's workbook, which the tool writes itself, is read with the defaults)."""
    default = Limits()
    return Limits(getattr(config, "max_cells", default.max_cells),
                  getattr(config, "max_unpacked_mb", default.max_unpacked_mb))


def _memory(config: BackendConfig, cache: MutableMapping[str, str] | None, writable: bool
            ) -> Backend:
    raise UsageError(f"calendar {_name(config)!r}: the memory backend exists for tests and "
                     "cannot be opened from a configuration file")


REGISTRY: dict[str, Opener] = {"google": _google, "xlsx": _xlsx, "csv": _file,
                               "memory": _memory}


def open_backend(config: BackendConfig, *, cache: MutableMapping[str, str] | None = None,
                 writable: bool = True) -> Backend:
    """Return the backend that holds ``config``'s spreadsheet.

    ``writable=False`` opens it for reading only (an audit): any workbook or delimited text
    file can then be read. ``cache`` is where a backend keeps what it learned between cycles
    (Google: the spreadsheet's layout). Raises UsageError when the configured backend cannot
    be used this way (a .csv to sync, the memory backend); opening reads nothing yet.
    """
    opener = REGISTRY.get(config.backend)
    if opener is None:  # the configuration's validation allows only registered names
        raise UsageError(f"calendar {_name(config)!r}: unknown backend {config.backend!r} "
                         f"(use one of: {', '.join(sorted(REGISTRY))})")
    return opener(config, cache, writable)


def _name(config: BackendConfig) -> str:
    return config.name if isinstance(config, CalendarConfig) else "portfolio"
