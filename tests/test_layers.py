"""The core (parse, rules, validate, outputs, history and the data shapes they share) does no
I/O and never depends on the edges: backends, the state store, the command line."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sheets_sync"
CORE = ["cells", "codes", "config", "errors", "fastpaths", "findings", "history", "messages",
        "model", "parse", "schema", "snapshot", "validate", "values", "vocab", "outputs",
        "rules", "wording", "zones"]
# Modules of our own that belong to the edges, and libraries whose only use is I/O.
EDGES = ("sheets_sync.backends", "sheets_sync.state", "sheets_sync.stores", "sheets_sync.cli",
         "sheets_sync.run", "sheets_sync.daemon", "sheets_sync.locking", "sheets_sync.testing")
IO_LIBRARIES = ("sqlite3", "requests", "urllib3", "urllib", "http", "socket", "smtplib",
                "gspread", "google", "openpyxl", "python_calamine", "zipfile", "subprocess",
                "shutil", "tempfile", "click", "schedule", "fcntl")


def core_files() -> list[Path]:
    files: list[Path] = []
    for name in CORE:
        package = PACKAGE / name
        files.extend(sorted(package.rglob("*.py")) if package.is_dir() else
                     [PACKAGE / f"{name}.py"])
    return files


def imported(path: Path) -> set[str]:
    """Every module named by an import statement anywhere in ``path`` (functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-node.level]
                base = ".".join(parts)
                names.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.add(node.module)
    return names


def forbidden(name: str) -> bool:
    return any(name == edge or name.startswith(edge + ".") for edge in (*EDGES, *IO_LIBRARIES))


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_core_module_imports_no_edge_and_no_io_library(path: Path) -> None:
    assert path.exists(), f"core module {path} is missing: update CORE"
    bad = sorted(name for name in imported(path) if forbidden(name))
    assert bad == [], f"{path.name} imports {bad}"


def test_the_check_sees_an_edge_import(tmp_path: Path) -> None:
    sample = PACKAGE / "rules" / "_sample_for_the_layer_test.py"
    try:
        sample.write_text("def f():\n    from sheets_sync.state import StateStore\n"
                          "    from ..backends import open_backend\n    import sqlite3\n")
        assert sorted(n for n in imported(sample) if forbidden(n)) == [
            "sheets_sync.backends", "sheets_sync.state", "sqlite3"]
    finally:
        sample.unlink()


def test_importing_the_core_loads_no_edge_module() -> None:
    """Transitively too: importing every core module loads none of our edges, nor a library
    the core has no use for (pandas itself imports some standard I/O modules, so only the
    ones it does not are checked)."""
    modules = ", ".join(f"sheets_sync.{name}" for name in CORE)
    script = (f"import sys, {modules}\n"
              "print(sorted(m for m in sys.modules if m.startswith(('sheets_sync.backends', "
              "'sheets_sync.state', 'sheets_sync.stores', 'sheets_sync.cli', 'sheets_sync.run', "
              "'sheets_sync.daemon', 'sheets_sync.locking', 'sheets_sync.testing', 'sqlite3', "
              "'requests', 'gspread', 'google.', 'openpyxl', 'python_calamine', 'click', "
              "'schedule', 'smtplib'))))")
    # Under coverage a child interpreter would start coverage too, which loads sqlite3.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, env=clean)
    assert done.stdout.strip() == "[]"
