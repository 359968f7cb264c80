"""Backend paths the other tests do not take: an audit's backend refuses every write, an
unknown backend name given through the Python API, the memory backend's cell writes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import HEADER, calendar_config, row

from sheets_sync.backends import open_backend
from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.config import default_calendar
from sheets_sync.errors import SourceError, UsageError


def csv_calendar(path: Path) -> Path:
    path.write_text(",".join(HEADER) + "\n" + ",".join(map(str, row("P1"))) + "\n",
                    encoding="utf-8")
    return path


def test_an_audits_backend_reads_but_refuses_every_write(tmp_path: Path) -> None:
    path = csv_calendar(tmp_path / "plan.csv")
    before = path.read_bytes()
    backend = open_backend(default_calendar(path), writable=False)
    assert backend.read_row("", 2)[:2] == ["P1", "Acme"]
    assert backend.read_row("", 99) == []
    refused = f"{path} was opened read-only (an audit); nothing was written"
    with pytest.raises(UsageError, match="opened read-only") as caught:
        backend.write({"Status": [["x"]]})
    assert caught.value.message == refused
    with pytest.raises(UsageError) as caught:
        backend.write_cells("", {(2, 1): "P9"})
    assert caught.value.message == refused
    assert path.read_bytes() == before


def test_an_unknown_backend_through_the_python_api_names_the_known_ones() -> None:
    config = dataclasses.replace(calendar_config(), backend="ftp")  # type: ignore[arg-type]
    with pytest.raises(UsageError) as caught:
        open_backend(config)
    assert caught.value.message == ("calendar 'test': unknown backend 'ftp' (use one of: csv, "
                                    "google, memory, xlsx)")
    assert caught.value.exit_code == 2


def test_the_memory_backend_pads_cell_writes_and_fails_them_whole() -> None:
    backend = MemoryBackend({"Calendar": [["ID"], ["P1"]]})
    backend.write_cells("Calendar", {(4, 3): "x", (2, 2): "y"})
    assert backend.tabs["Calendar"] == [["ID"], ["P1", "y"], [], [None, None, "x"]]
    backend.fail_writes = 1
    with pytest.raises(SourceError, match="write failed"):
        backend.write_cells("Calendar", {(1, 1): "changed"})
    assert backend.tabs["Calendar"][0] == ["ID"]  # nothing of the failed write
    assert (backend.cell_writes, backend.fail_writes) == (1, 0)
    backend.write_cells("Calendar", {(1, 1): "Post ID"})
    assert backend.tabs["Calendar"][0] == ["Post ID"]
