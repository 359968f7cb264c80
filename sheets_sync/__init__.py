"""sheets-sync: keeps social-media content calendars in spreadsheets honest.

It reads a calendar, checks every post (approvals, client feedback, revision rounds, cadence),
and writes Status, Report and History tabs back into the same spreadsheet.

Terminology (one word, one meaning, in the code and the docs):

- **post**: one planned publication; one row of the calendar.
- **row**: a sheet row as a person sees it, counted from 1 (the header is a row too).
- **calendar**: a parsed calendar tab (:class:`~sheets_sync.parse.Calendar`); its settings
  are a **config** (:class:`~sheets_sync.config.CalendarConfig`).
- **cycle**: one read -> parse -> validate -> write -> save pass over a calendar (a sync).
- **finding**: one problem found, addressable by row, column and code.
- **code**: a finding's stable kebab-case name (``approval-missing``). pandas' integer keys of
  repeated texts are called **categories** (``Calendar.categorized``), never codes.
- **owned tab**: a tab the tool created and rewrites (Status, Report, History); nothing else
  is ever written, except the guarded calendar writes the configuration opts into (and the
  calendar's colours of ``highlight_calendar``, which touch no value).
- **look**: how an owned tab looks (colours, widths, filter, row links, charts, print setup,
  :class:`~sheets_sync.looks.Look`); the core decides it, each backend shows what it can.
- **snapshot**: what the state store saved of each post after the last cycle; what a backend
  returns from one read is a **sheet read** (:class:`~sheets_sync.backends.base.SheetRead`).
- **round**: one revision round: the client asked for changes and the post went back to them.

A script uses the few entry points below; each is documented where it is defined::

    import sheets_sync

    config = sheets_sync.load_config("agency.toml").calendar("acme")
    result = sheets_sync.audit_calendar(config)      # read-only; audit_path(FILE) too
    for finding in sheets_sync.findings_of(result):
        print(finding.row, finding.code, finding.message)

Names are imported on first use, so importing one module of the package stays cheap.
(``sheets_sync.audit`` is the module; the function is exported as ``audit_calendar``.)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheets_sync.audit import AuditResult, audit_path
    from sheets_sync.audit import audit as audit_calendar
    from sheets_sync.backends import open_backend
    from sheets_sync.config import load as load_config
    from sheets_sync.findings import findings_of
    from sheets_sync.model import Finding, Severity
    from sheets_sync.run import CycleResult, sync
    from sheets_sync.testing import FakeSheetsAPI

# public name -> (module, name there)
_EXPORTS = {
    "load_config": ("sheets_sync.config", "load"),
    "audit_calendar": ("sheets_sync.audit", "audit"),
    "audit_path": ("sheets_sync.audit", "audit_path"),
    "AuditResult": ("sheets_sync.audit", "AuditResult"),
    "findings_of": ("sheets_sync.findings", "findings_of"),
    "Finding": ("sheets_sync.model", "Finding"),
    "Severity": ("sheets_sync.model", "Severity"),
    "sync": ("sheets_sync.run", "sync"),
    "CycleResult": ("sheets_sync.run", "CycleResult"),
    "open_backend": ("sheets_sync.backends", "open_backend"),
    "FakeSheetsAPI": ("sheets_sync.testing", "FakeSheetsAPI"),
}
__all__ = ["AuditResult", "CycleResult", "FakeSheetsAPI", "Finding", "Severity",
           "audit_calendar", "audit_path", "findings_of", "load_config", "open_backend", "sync"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sheets_sync' has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value
