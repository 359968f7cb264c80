"""Whole-process benchmark: the commands a user runs, timed as processes, beside a peer.

Usage: python bench/whole.py [--code [LABEL=]DIR ...] [--repeat 3] [--quick]
                             [--only NAME ...] [--out FILE]

Each case runs a ``sheets-sync`` command as a fresh process (``python -m sheets_sync`` with
the package imported from each ``--code`` checkout in turn, default this one as "current")
and right after them the peer's process, ``--repeat`` times, alternating: the machine's speed
drifts, and ratios taken within one run are what hold. Give two checkouts to compare them in
one run, e.g. ``--code before=../old --code after=.`` (``git worktree add ../old COMMIT``).
The peer of a calendar command is pandera checking six columns of the same calendar read as
CSV with pandas (``bench/peer.py``); the peer of ``--help`` and of the sample audit is a bare
``python -c pass`` (what starting Python costs). Each checkout's package is byte-compiled
first, as an installed copy is. A command on a .xlsx calendar has a second
peer, run right after the first: the same checks on the same .xlsx read with
``pandas.read_excel(engine="calamine")``, for context (reading a workbook costs anyone more
than reading CSV).

A terminal table is measured on a pseudo-terminal (what a person sees, with the default
``--limit``); JSON and CSV go to a pipe, as in a script. The calendars are the synthetic
ones of ``bench/synthetic.py`` written as CSV and .xlsx; they are audited as of
``AS_OF``, after their posts' dates, so that most rows have a finding (about 60,000 findings on
100,000 rows) and the output is a real part of the work.

Writes ``whole.LABEL`` for each checkout into the JSON file (other keys are kept) and prints
a Markdown table: median wall seconds, peak RSS (the process's own, from wait4), and the
ratio of the medians (ours / the peer's), with every pair's ratio; for a .xlsx calendar
also the ratio to the .xlsx peer (``vs_xlsx_peer``, ``xlsx_peer_median_s``...).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AS_OF = "2027-06-01"
SAMPLE = ROOT / "sheets_sync" / "data" / "calendar.xlsx"


@dataclass
class Case:
    name: str  # key in the JSON
    title: str  # the command as a person types it
    args: list[str]  # after `python -m sheets_sync`
    peer: list[str]  # the peer's command line (after python)
    peer_title: str
    tty: bool = False
    fresh: str = ""  # "first": a fresh workbook each run; "unchanged": synced once first
    xlsx_peer: list[str] = field(default_factory=list)  # pandera on the .xlsx (after python)
    xlsx_peer_title: str = ""
    ours: dict[str, list[float]] = field(default_factory=dict)  # per checkout label
    rss: dict[str, list[float]] = field(default_factory=dict)
    theirs: list[float] = field(default_factory=list)
    peer_rss: list[float] = field(default_factory=list)
    xlsx_theirs: list[float] = field(default_factory=list)
    xlsx_peer_rss: list[float] = field(default_factory=list)


def run(command: list[str], env: dict[str, str], tty: bool, cwd: Path
        ) -> tuple[float, float, int]:
    """Run ``command`` in ``cwd``; return (wall seconds, peak RSS in MB, exit code). Output
    is read and dropped (from a pseudo-terminal of 120 x 40 when ``tty``)."""
    if tty:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        out: Any = slave
    else:
        out = subprocess.PIPE
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    if tty:
        os.close(slave)
        reader = threading.Thread(target=_drain_pty, args=(master,))
    else:
        reader = threading.Thread(target=_drain, args=(process.stdout,))
    reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def _drain(stream: Any) -> None:
    while stream.read(1 << 16):
        pass


def _drain_pty(master: int) -> None:
    try:
        while os.read(master, 1 << 16):
            pass
    except OSError:  # EIO: the terminal's other side was closed
        pass
    finally:
        os.close(master)


def make(csv_path: Path, xlsx_path: Path, rows: int) -> None:
    """Write the synthetic calendar of ``rows`` rows as CSV and .xlsx, in a child process:
    a forked child's peak RSS counts its parent's memory, so this process stays small."""
    script = ("import sys; sys.path.insert(0, sys.argv[1]); from synthetic import write_csv, "
              "write_xlsx; write_csv(sys.argv[2], int(sys.argv[4])); "
              "write_xlsx(sys.argv[3], int(sys.argv[4]))")
    subprocess.run([sys.executable, "-c", script, str(HERE), str(csv_path), str(xlsx_path),
                    str(rows)], check=True)


def cases(folder: Path, quick: bool) -> list[Case]:
    sizes = [10_000] if quick else [10_000, 100_000]
    out: list[Case] = []
    for rows in sizes:
        csv_path, xlsx_path = folder / f"cal-{rows}.csv", folder / f"cal-{rows}.xlsx"
        make(csv_path, xlsx_path, rows)
        peer = [str(HERE / "peer.py"), str(csv_path)]
        peer_title = f"pandera, {rows:,} rows"
        xlsx_peer = [str(HERE / "peer.py"), str(xlsx_path)]
        xlsx_title = f"pandera on the .xlsx, {rows:,} rows"
        for path, kind in ((csv_path, "csv"), (xlsx_path, "xlsx")):
            for fmt in ("table", "json", "csv"):
                args = ["audit", str(path), "--today", AS_OF]
                if fmt != "table":
                    args += ["--format", fmt]
                title = (f"audit cal-{rows}.{kind}" + (f" --format {fmt}" if fmt != "table"
                                                       else " (table, on a terminal)"))
                out.append(Case(f"audit_{kind}_{fmt}_{rows}", title, args, peer, peer_title,
                                tty=fmt == "table",
                                xlsx_peer=xlsx_peer if kind == "xlsx" else [],
                                xlsx_peer_title=xlsx_title if kind == "xlsx" else ""))
    rows = sizes[-1]
    peer = [str(HERE / "peer.py"), str(folder / f"cal-{rows}.csv")]
    xlsx_peer = [str(HERE / "peer.py"), str(folder / f"cal-{rows}.xlsx")]
    xlsx_title = f"pandera on the .xlsx, {rows:,} rows"
    sync_args = ["sync", str(folder / "sync.xlsx"), "--today", AS_OF]
    out.append(Case(f"sync_xlsx_first_{rows}", f"sync cal-{rows}.xlsx (first)", sync_args,
                    peer, f"pandera, {rows:,} rows", fresh="first", xlsx_peer=xlsx_peer,
                    xlsx_peer_title=xlsx_title))
    out.append(Case(f"sync_xlsx_unchanged_{rows}", f"sync cal-{rows}.xlsx (unchanged)",
                    sync_args, peer, f"pandera, {rows:,} rows", fresh="unchanged",
                    xlsx_peer=xlsx_peer, xlsx_peer_title=xlsx_title))
    bare = ["-c", "pass"]
    out.append(Case("help", "sheets-sync --help", ["--help"], bare, "python -c pass"))
    out.append(Case("audit_sample", "audit of the bundled sample (table, on a terminal)",
                    ["audit", str(SAMPLE), "--today", "2026-03-10"], bare, "python -c pass",
                    tty=True))
    return out


def measure(case: Case, codes: dict[str, Path], repeat: int, folder: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "120", "LINES": "40"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user's shell: bytecode is used and kept
    ours = [sys.executable, "-m", "sheets_sync", *case.args]
    target = folder / "sync.xlsx"
    for _ in range(repeat):
        for label, code in codes.items():
            # Run in the measured checkout: `python -m` imports from the working directory
            # first.
            mine = {**env, "PYTHONPATH": str(code)}
            if case.fresh:
                for stale in folder.glob("sync.*"):
                    stale.unlink()
                source = folder / f"cal-{case.name.rsplit('_', 1)[1]}.xlsx"
                shutil.copyfile(source, target)
                if case.fresh == "unchanged":
                    _, _, status = run(ours, mine, False, code)
                    assert status == 0, f"first sync failed ({status})"
            wall, rss, status = run(ours, mine, case.tty, code)
            if status not in (0, 1):
                raise SystemExit(f"{' '.join(ours)} ({label}) exited {status}")
            case.ours.setdefault(label, []).append(wall)
            case.rss.setdefault(label, []).append(rss)
        wall, rss, status = run([sys.executable, *case.peer], env, False, HERE)
        if status != 0:
            raise SystemExit(f"peer {' '.join(case.peer)} exited {status}")
        case.theirs.append(wall)
        case.peer_rss.append(rss)
        if case.xlsx_peer:
            wall, rss, status = run([sys.executable, *case.xlsx_peer], env, False, HERE)
            if status != 0:
                raise SystemExit(f"peer {' '.join(case.xlsx_peer)} exited {status}")
            case.xlsx_theirs.append(wall)
            case.xlsx_peer_rss.append(rss)


def summary(case: Case, label: str) -> dict[str, Any]:
    ours, theirs = statistics.median(case.ours[label]), statistics.median(case.theirs)
    entry = {
        "command": case.title,
        "median_s": round(ours, 3),
        "runs_s": [round(t, 3) for t in case.ours[label]],
        "peak_rss_mb": round(max(case.rss[label]), 1),
        "peer": case.peer_title,
        "peer_median_s": round(theirs, 3),
        "peer_peak_rss_mb": round(max(case.peer_rss), 1),
        "vs_peer": round(ours / theirs, 2),
        "vs_peer_pairs": [round(a / b, 2) for a, b in zip(case.ours[label], case.theirs)],
        "rss_vs_peer": round(max(case.rss[label]) / max(case.peer_rss), 2),
    }
    if case.xlsx_theirs:
        xlsx = statistics.median(case.xlsx_theirs)
        entry.update({
            "xlsx_peer": case.xlsx_peer_title,
            "xlsx_peer_median_s": round(xlsx, 3),
            "xlsx_peer_peak_rss_mb": round(max(case.xlsx_peer_rss), 1),
            "vs_xlsx_peer": round(ours / xlsx, 2),
            "vs_xlsx_peer_pairs": [round(a / b, 2)
                                   for a, b in zip(case.ours[label], case.xlsx_theirs)],
        })
    return entry


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| command | wall (median) | peak memory | vs peer (pairs) | peer "
             "| vs .xlsx peer (pairs) | .xlsx peer |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for entry in results.values():
        pairs = ", ".join(f"{r}" for r in entry["vs_peer_pairs"])
        xlsx = "| – | – |"
        if "vs_xlsx_peer" in entry:
            xlsx_pairs = ", ".join(f"{r}" for r in entry["vs_xlsx_peer_pairs"])
            xlsx = (f"| {entry['vs_xlsx_peer']}× ({xlsx_pairs}) | {entry['xlsx_peer']}: "
                    f"{entry['xlsx_peer_median_s']:.2f} s, "
                    f"{entry['xlsx_peer_peak_rss_mb']:.0f} MB |")
        lines.append(f"| {entry['command']} | {entry['median_s']:.2f} s | "
                     f"{entry['peak_rss_mb']:.0f} MB | {entry['vs_peer']}× ({pairs}) | "
                     f"{entry['peer']}: {entry['peer_median_s']:.2f} s, "
                     f"{entry['peer_peak_rss_mb']:.0f} MB {xlsx}")
    return "\n".join(lines)


def compiled(code: Path) -> None:
    """Write the bytecode of ``code``'s package, as installing it does: without it (and with
    PYTHONDONTWRITEBYTECODE set, as in some shells and containers) every measured process
    would compile the package from source first, which no installed copy does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "sheets_sync")],
                   check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", action="append", metavar="[LABEL=]DIR",
                        help="a checkout whose sheets_sync is measured, under LABEL in the "
                        "JSON (repeatable; default: this one, as 'current')")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10,000 rows only")
    parser.add_argument("--only", action="append", help="run only the cases whose name "
                        "contains this (repeatable)")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    args = parser.parse_args()
    codes: dict[str, Path] = {}
    for given in args.code or [f"current={ROOT}"]:
        label, _, folder = given.rpartition("=")
        codes[label or "current"] = Path(folder).resolve()
    results: dict[str, dict[str, dict[str, Any]]] = {label: {} for label in codes}
    for code in codes.values():
        compiled(code)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for case in cases(folder, args.quick):
            if args.only and not any(part in case.name for part in args.only):
                continue
            measure(case, codes, args.repeat, folder)
            for label in codes:
                entry = results[label][case.name] = summary(case, label)
                xlsx = (f"; {entry['vs_xlsx_peer']:5.2f}x {entry['xlsx_peer']}"
                        if "vs_xlsx_peer" in entry else "")
                print(f"{label:8} {case.title:55} {entry['median_s']:7.2f} s "
                      f"{entry['peak_rss_mb']:6.0f} MB  {entry['vs_peer']:5.2f}x "
                      f"{entry['peer']}{xlsx}", flush=True)
    out = Path(args.out)
    document: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    whole = document.setdefault("whole", {})
    at = time.strftime("%Y-%m-%d %H:%M")
    for label, code in codes.items():
        whole[label] = {"code": str(code), "run": {"at": at, "checkouts": list(codes)},
                        "repeat": args.repeat, "as_of": AS_OF,
                        "python": sys.version.split()[0], "cores": os.cpu_count(),
                        "cases": results[label]}
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for label in codes:
        print(f"\n{label}:\n{table(results[label])}")
    print(f"wrote whole.{', whole.'.join(codes)} to {out}")


if __name__ == "__main__":
    main()
