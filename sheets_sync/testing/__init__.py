"""Test doubles shipped with sheets-sync: an in-process Google Sheets v4 / Drive v3 fake."""

from .fake_sheets import (
           FakeSheetsAPI,
           Faults,
           RequestLog,
           RequestRecord,
           ServedFake,
           rewriting_session,
)

__all__ = ["FakeSheetsAPI", "Faults", "RequestLog", "RequestRecord", "ServedFake",
           "rewriting_session"]
