"""Mutation testing of sheets_sync's core modules: which plausible one-token bugs do the tests miss?

Each mutant changes one place of one module (a comparison, a boolean operand, a literal, ...);
then the tests that concern that module run against the mutated package. A mutant the tests
fail on is *killed*; one they all pass on *survives* and points at behaviour no test pins down.

Usage (from the repository root, in the virtualenv)::

    python tools/mutate.py                         # every module in scope, 2 jobs
    python tools/mutate.py --jobs 2 --json /tmp/mutants.json
    python tools/mutate.py --module sheets_sync/rules/approvals.py
    python tools/mutate.py --module 'sheets_sync/outputs/*.py' --module history.py
    python tools/mutate.py --list                  # list the mutants and their tests; run nothing
    python tools/mutate.py --sample 50 --seed 1    # a random sample of 50 mutants
    python tools/mutate.py --only 'sheets_sync/rules/rows.py:40:31:compare:0'
                                                   # one mutant: its diff and the test output
    python tools/mutate.py --ids survivors.txt     # only these mutants (one ID a line)
    python tools/mutate.py --only ID --tests tests/test_pins_rows.py
                                                   # quick: one mutant against one test file
    python tools/mutate.py --whole-files ...       # no per-test selection (see below)
    python tools/mutate.py --skip-failing ...      # leave out tests failing unmutated
    python tools/mutate.py --json F --resume F     # go on after an interrupted run

Scope: sheets_sync/rules/*.py, values.py, history.py, outputs/*.py, parse*.py; ``--module`` (a
path or glob, repeatable) narrows it.

Operators (each mutant is one textual change at one place; the rest of the file keeps its
exact text, and its line numbers: a deleted stretch spanning lines keeps its line breaks):

    compare        <  <->  <=,   >  <->  >=,   ==  <->  !=,   in  <->  not in,   is  <->  is not
    drop-operand   one operand of ``a & b & c``, ``a | b``, ``a and b``, ``a or b`` dropped
                   (index = which one); ``x &= m`` / ``x |= m`` become ``pass``
    bitop-swap     &  <->  |   (also &= <-> |=)
    unary-drop     ``~x`` -> ``x``, ``not x`` -> ``x``
    int-inc        integer literal n -> n+1 (``-1`` is the literal -1)
    int-dec        integer literal n -> n-1
                   (in a subscript or slice an index never crosses zero: x[0] -> x[-1] and
                   x[-1] -> x[0] wrap to the other end instead of shifting by one)
    bool-flip      True <-> False
    arith-swap     binary +  <->  -   (also += <-> -=; not next to a string/list/tuple literal)
    minmax-swap    min <-> max, np.maximum <-> np.minimum, nanmin <-> nanmax, fmin <-> fmax,
                   .min() <-> .max(), argmin <-> argmax, idxmin <-> idxmax, cummin <-> cummax

Never mutated: docstrings and other string constants, f-strings, type annotations, decorators
and their arguments, ``raise`` statements, logging and ``warnings.warn`` calls, ``if
TYPE_CHECKING:``, and every line ending with ``# pragma: no mutate``.

A mutant's ID is ``path:line:col:operator:index`` (col 1-based, at the operator token, the
literal, or the ``~``/``not``); it is the same on every run over the same source text.

Test selection: ``TESTS`` below maps module globs to test-file globs (``!`` removes files), so
new files named ``test_boundaries_*.py``, ``test_history_*.py``, ``test_turnaround*.py`` join
on their own. Within those files a mutant runs only the tests that execute its statement (a
traced run of the unmutated package records, per test, the lines each executes); a mutant of
code run at import (module level, class bodies, default values) or in an ``lru_cache``d
function runs all of them. A mutant no selected test executes survives without running
("uncovered"). ``--whole-files`` turns the per-test selection off. Tests run fastest first, with
``-x -q -p no:cacheprovider``; a mutant whose tests outlast 3 x their unmutated time + 10 s is
killed by timeout.

Isolation: the package is snapshotted once (``sheets_sync/`` copied to a temporary directory;
mutants, copies and restores all come from that snapshot even if the working tree changes
meanwhile) and each job has its own copy of the snapshot; a mutant is written into the job's
copy and restored afterwards. pytest runs in a child ``python -c`` that puts the copy first on
``sys.path``, before the editable install's finder (which only answers for what the path lacks),
and with ``PYTHONPATH`` set to the copy for the tests' own subprocesses; after the run the child
checks that ``sheets_sync`` came from the copy and fails loudly otherwise. Byte code goes to a
per-job ``PYTHONPYCACHEPREFIX`` (the mutated module's ``.pyc`` is deleted before and after each
run), ``--basetemp`` is per job, Hypothesis runs derandomized without its database (results
are reproducible, nothing is written to the repository) and without shrinking (a failing
example kills the mutant as found). Tests run from /work/main/tests, conftest included.

Start-up checks (the tool stops with exit status 2 if one fails): the unmutated copy passes
every selected test set (with ``--skip-failing`` its failing tests are listed and left out
instead: useful while others are half-way through a change); ``sheets_sync`` and a test's
subprocess import the copy; a known-bad mutant (``sheets_sync/rules/approvals.py`` raising at
import) is killed. Tests that vanish during a run (renamed or deleted meanwhile) are dropped
with a warning.

Equivalent mutants: ``tools/mutants-equivalent.txt`` (and ``tools/mutants-equivalent-*.txt``,
one per topic, read alike) lists IDs judged equivalent (no behaviour change), one a line,
``ID  # reason``. They still run (a listed mutant that gets killed is
reported: it is not equivalent), are counted apart and left out of the score; a listed ID that
no longer exists is reported as stale.

Output: a table per module (mutants, killed, of which by timeout, survived, of which
uncovered, equivalent, score = killed / (mutants - equivalent)), the overall score, and every
survivor as ``ID  path:line  operator  original -> mutated``. ``--json FILE`` writes every
result (rewritten every minute during the run, with ``"complete": false`` until the end).
The exit status is 0 whatever the score (this is not a CI gate); 2 when the tool itself
cannot work.
"""

from __future__ import annotations

import argparse
import ast
import bisect
import contextlib
import dataclasses
import difflib
import fnmatch
import io
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "sheets_sync"
EQUIVALENT_FILE = REPO / "tools" / "mutants-equivalent.txt"

SCOPE = (
    "sheets_sync/rules/*.py",
    "sheets_sync/values.py",
    "sheets_sync/history.py",
    "sheets_sync/outputs/*.py",
    "sheets_sync/parse*.py",
)

# Module glob -> test-file globs (relative to the repository; "!" removes earlier matches).
# Every entry whose module glob matches a module contributes its files.
_BOUNDARIES = "tests/test_boundaries*.py"
_HISTORY = "tests/test_history*.py"
_NOT_OBSERVE = "!tests/test_history_observe.py"  # observe() against its plain twin: no rules
_TURNAROUND = "tests/test_turnaround*.py"
_PINS = "tests/test_pins*.py"  # tests written against survivors, one file per topic
_LAYOUTS = "tests/test_layouts*.py"  # calendars shaped like real ones
_REAL = "tests/test_realworld.py"  # real calendars (skipped where ../shared is absent)
TESTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sheets_sync/rules/*.py",
     ("tests/test_rules.py", _BOUNDARIES, _HISTORY, _NOT_OBSERVE, "tests/test_sync.py", _PINS,
      _LAYOUTS, _REAL)),
    ("sheets_sync/values.py",
     ("tests/test_values.py", "tests/test_parse.py", "tests/test_fastpaths.py",
      "tests/test_rules.py", _BOUNDARIES, _PINS)),
    ("sheets_sync/parse*.py",
     ("tests/test_parse.py", "tests/test_values.py", "tests/test_fastpaths.py",
      "tests/test_rules.py", _BOUNDARIES, _PINS, _LAYOUTS, _REAL)),
    ("sheets_sync/history.py",
     (_HISTORY, "tests/test_sync.py", "tests/test_state_snapshot.py", _TURNAROUND, _PINS)),
    ("sheets_sync/outputs/*.py",
     ("tests/test_outputs*.py", "tests/test_portfolio.py", _TURNAROUND, _HISTORY, _NOT_OBSERVE,
      "tests/test_sync.py", "tests/test_corpus.py", _PINS)),
)

PYTEST_ARGS = ("-q", "-p", "no:cacheprovider")
PRAGMA = "# pragma: no mutate"
SANITY_MODULE = "sheets_sync/rules/approvals.py"
SANITY_TEXT = "mutate.py: known-bad mutant"

# The child process: the copy first on sys.path, Hypothesis derandomized, pytest (with a
# recorder of durations, outcomes and, when tracing, the package lines each test executes), and
# a check that the package really came from the copy.
RUNNER = r"""
import json, os, sys, threading
copy = sys.argv[1]
sys.path.insert(0, copy)
import pytest

class Recorder:
    def __init__(self, report, trace):
        self.report, self.durations, self.outcomes, self.lines = report, {}, {}, {}
        self.current, self.prefixes = None, ()
        if not trace:
            return
        prefixes = tuple({os.path.join(copy, ""), os.path.join(os.path.realpath(copy), "")})
        known = {}
        def local(frame, event, arg):
            if event == "line" and self.current is not None:
                self.current.add((frame.f_code.co_filename, frame.f_lineno))
            return local
        def tracer(frame, event, arg):
            code = frame.f_code
            keep = known.get(code)
            if keep is None:
                keep = known[code] = code.co_filename.startswith(prefixes)
            return local if keep else None
        self.prefixes = prefixes
        sys.settrace(tracer)
        threading.settrace(tracer)

    def pytest_configure(self, config):
        try:
            from hypothesis import Phase, settings
        except ImportError:
            return
        # Reproducible, no database; and no shrinking: a failing example kills the mutant as
        # it is, where shrinking it could take minutes (and end as a timeout).
        settings.register_profile("mutate", derandomize=True, database=None,
                                  phases=[Phase.explicit, Phase.reuse, Phase.generate])
        settings.load_profile("mutate")

    def pytest_runtest_logstart(self, nodeid, location):
        self.current = self.lines.setdefault(nodeid, set())

    def pytest_runtest_logfinish(self, nodeid, location):
        self.current = None

    def pytest_runtest_logreport(self, report):
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration
        if report.failed or report.nodeid not in self.outcomes:
            self.outcomes[report.nodeid] = report.outcome

    def pytest_sessionfinish(self, session):
        lines = {}
        for nodeid, seen in self.lines.items():
            per_file = lines.setdefault(nodeid, {})
            for filename, line in seen:
                for prefix in self.prefixes:
                    if filename.startswith(prefix):
                        per_file.setdefault(filename[len(prefix):], []).append(line)
                        break
        if not self.report:
            return
        with open(self.report, "w", encoding="utf-8") as out:
            json.dump({"durations": self.durations, "outcomes": self.outcomes,
                       "lines": lines}, out)

recorder = Recorder(os.environ.get("MUTATE_REPORT"), os.environ.get("MUTATE_TRACE") == "1")
code = int(pytest.main(sys.argv[2:], plugins=[recorder]))
sys.settrace(None)
module = sys.modules.get("sheets_sync")
where = os.path.realpath(getattr(module, "__file__", None) or "?") if module else None
if where is not None and not where.startswith(os.path.realpath(copy) + os.sep):
    print(f"mutate.py: sheets_sync was imported from {where}, not from {copy}", file=sys.stderr)
    sys.exit(97)
sys.exit(code)
"""
WRONG_IMPORT = 97


class ToolError(Exception):
    """The tool cannot do its job (exit status 2)."""


class MissingTests(Exception):
    """Tests measured at start-up are gone (renamed or deleted by someone meanwhile)."""

    def __init__(self, nodeids: list[str]) -> None:
        super().__init__(", ".join(nodeids))
        self.nodeids = nodeids


# ----------------------------------------------------------------------------- mutants


@dataclasses.dataclass(frozen=True)
class Mutant:
    id: str
    path: str  # relative to the repository, e.g. sheets_sync/rules/rows.py
    line: int
    col: int  # 1-based, in characters
    operator: str
    index: int
    start: int  # character offsets of the replaced text in the module's source
    end: int
    replacement: str
    original: str  # the expression around the change, before ...
    mutated: str  # ... and after
    lines: tuple[int, int]  # the lines of its statement (of a compound one: its header)
    everywhere: bool  # run at import or cached across tests: every selected test concerns it

    def apply(self, source: str) -> str:
        return source[:self.start] + self.replacement + source[self.end:]


COMPARE_SWAP: dict[type[ast.cmpop], str] = {
    ast.Lt: "<=", ast.LtE: "<", ast.Gt: ">=", ast.GtE: ">", ast.Eq: "!=", ast.NotEq: "==",
    ast.In: "not in", ast.NotIn: "in", ast.Is: "is not", ast.IsNot: "is",
}
COMPARE_WORDS = ("<", "<=", ">", ">=", "==", "!=", "in", "not", "is")
MINMAX = {"min": "max", "max": "min", "maximum": "minimum", "minimum": "maximum",
          "nanmin": "nanmax", "nanmax": "nanmin", "fmin": "fmax", "fmax": "fmin",
          "argmin": "argmax", "argmax": "argmin", "idxmin": "idxmax", "idxmax": "idxmin",
          "cummin": "cummax", "cummax": "cummin"}
# Attribute names swapped wherever they appear (np.maximum, np.maximum.reduce, ...); the
# others (min, max, argmin, ...) only when called, so that a field named "max" stays.
MINMAX_ANYWHERE = {"maximum", "minimum", "nanmin", "nanmax", "fmin", "fmax"}
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
_LOGGER = re.compile(r"^_?(log|logger|logging|LOG|LOGGER|warnings)$")
_CACHES = {"lru_cache", "cache"}
_SKIP_TOKENS = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT,
                tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
_BINARY: dict[type[ast.operator], str] = {ast.BitAnd: "&", ast.BitOr: "|", ast.Add: "+",
                                           ast.Sub: "-"}


def _is_logging_call(node: ast.Call) -> bool:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return False
    target = func.value
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return bool(_LOGGER.match(name))


def _is_cached(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in _CACHES:
            return True
    return False


def _is_sequence_literal(node: ast.expr) -> bool:
    return (isinstance(node, ast.JoinedStr | ast.List | ast.Tuple | ast.ListComp)
            or (isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)))


class _Source:
    """One module's text, with AST positions and tokens as character offsets."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.line_starts = [0]
        for line in self.lines:
            self.line_starts.append(self.line_starts[-1] + len(line))
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        self.tokens = [(self._at(t.start), self._at(t.end), t.string)
                       for t in tokens if t.type not in _SKIP_TOKENS]
        self.token_starts = [t[0] for t in self.tokens]
        self.token_ends = [t[1] for t in self.tokens]

    def _at(self, pos: tuple[int, int]) -> int:
        return self.line_starts[pos[0] - 1] + pos[1]

    def offset(self, lineno: int, col_bytes: int) -> int:
        """The character offset of an AST position (whose column counts UTF-8 bytes)."""
        line = self.lines[lineno - 1] if lineno <= len(self.lines) else ""
        col = len(line.encode("utf-8")[:col_bytes].decode("utf-8", errors="replace"))
        return self.line_starts[lineno - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                self.offset(node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]

    def outer_span(self, node: ast.AST) -> tuple[int, int]:
        """The node's span with the parentheses around it."""
        start, end = self.span(node)
        while True:
            before = bisect.bisect_right(self.token_ends, start) - 1
            after = bisect.bisect_left(self.token_starts, end)
            if (before < 0 or after >= len(self.tokens) or self.tokens[before][2] != "("
                    or self.tokens[after][2] != ")"):
                return start, end
            start, end = self.tokens[before][0], self.tokens[after][1]

    def parenthesized(self, node: ast.AST) -> bool:
        return self.outer_span(node) != self.span(node)

    def operator_token(self, start: int, end: int, words: tuple[str, ...]) -> tuple[int, int]:
        """The offsets of the operator (one token, or two as in 'not in') between operands."""
        lo = bisect.bisect_left(self.token_starts, start)
        found = [t for t in self.tokens[lo:] if t[1] <= end and t[2] in words]
        if not found:
            raise ToolError(f"{self.path}: no {words} between offsets {start} and {end}")
        return found[0][0], found[-1][1]

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1


def _kept_breaks(text: str) -> str:
    """What stays of a deleted stretch: its line breaks (with their continuation backslash)."""
    return "".join("\\\n" if line.rstrip("\n").endswith("\\") else "\n"
                   for line in text.splitlines(keepends=True) if line.endswith("\n"))


def _one_line(text: str, limit: int = 110) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


@dataclasses.dataclass(frozen=True)
class _Found:
    start: int
    end: int
    operator: str
    replacement: str
    context: ast.AST
    at: int  # where the ID points
    lines: tuple[int, int]
    everywhere: bool


class _Collector(ast.NodeVisitor):
    """Finds the mutants of one module, leaving out what is never mutated."""

    def __init__(self, source: _Source) -> None:
        self.src = source
        self.found: list[_Found] = []
        self.parents: list[ast.AST] = []
        self.indices: set[int] = set()  # id() of the nodes used as an index or slice bound
        self.function_depth = 0  # inside a function body (not run at import)
        self.cached_depth = 0  # inside an lru_cache'd function (its result outlives a test)

    def visit(self, node: ast.AST) -> None:
        self.parents.append(node)
        try:
            super().visit(node)
        finally:
            self.parents.pop()

    def _visit_all(self, nodes: list[Any]) -> None:
        for node in nodes:
            if isinstance(node, ast.AST):
                self.visit(node)

    # -- the parts never mutated: annotations, decorators, docstrings, f-strings, raise, ...
    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = node.args
        self._visit_all([*args.defaults, *args.kw_defaults])
        cached = _is_cached(node)
        self.function_depth += 1
        self.cached_depth += cached
        try:
            self._visit_all(node.body)
        finally:
            self.function_depth -= 1
            self.cached_depth -= cached

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._visit_all([*node.bases, *node.keywords, *node.body])

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    def visit_Raise(self, node: ast.Raise) -> None:
        pass

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        pass

    def visit_Expr(self, node: ast.Expr) -> None:
        if not isinstance(node.value, ast.Constant):  # docstrings and other bare constants
            self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (test.attr if isinstance(test, ast.Attribute)
                else getattr(test, "id", "")) != "TYPE_CHECKING":
            self.visit(test)
        self._visit_all([*node.body, *node.orelse])

    def visit_Subscript(self, node: ast.Subscript) -> None:
        bounds = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        for bound in list(bounds):
            if isinstance(bound, ast.Slice):
                bounds += [b for b in (bound.lower, bound.upper, bound.step) if b is not None]
        self.indices.update(id(b) for b in bounds)
        self.generic_visit(node)

    # -- recording
    def _statement_lines(self) -> tuple[int, int]:
        for node in reversed(self.parents):
            if isinstance(node, ast.stmt):
                first = node.lineno
                body = getattr(node, "body", None)
                if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                    return first, max(first, body[0].lineno - 1)
                return first, node.end_lineno or first
        return 1, 1

    def add(self, start: int, end: int, operator: str, replacement: str, context: ast.AST,
            at: int | None = None) -> None:
        everywhere = self.function_depth == 0 or self.cached_depth > 0
        self.found.append(_Found(start, end, operator, replacement, context,
                                 start if at is None else at, self._statement_lines(),
                                 everywhere))

    # -- operators
    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            gap = (self.src.outer_span(operands[i])[1], self.src.outer_span(operands[i + 1])[0])
            start, end = self.src.operator_token(*gap, COMPARE_WORDS)
            self.add(start, end, "compare", COMPARE_SWAP[type(op)], node)
        self.generic_visit(node)

    def _drop(self, operands: list[ast.expr], words: tuple[str, ...], node: ast.AST) -> None:
        spans = [self.src.outer_span(v) for v in operands]
        first_op = self.src.operator_token(spans[0][1], spans[1][0], words)[0]
        for i in range(len(operands)):
            start, end = ((spans[0][0], spans[1][0]) if i == 0
                          else (spans[i - 1][1], spans[i][1]))
            self.add(start, end, "drop-operand", _kept_breaks(self.src.text[start:end]), node,
                     at=first_op)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        self._drop(node.values, ("and", "or"), node)
        self.generic_visit(node)

    def _chained(self, node: ast.BinOp) -> bool:
        """Whether ``node`` is the unparenthesized left part of ``node & more`` (same op)."""
        parent = self.parents[-2] if len(self.parents) > 1 else None
        return (isinstance(parent, ast.BinOp) and parent.left is node
                and type(parent.op) is type(node.op) and not self.src.parenthesized(node))

    def visit_BinOp(self, node: ast.BinOp) -> None:
        word = _BINARY.get(type(node.op))
        if word is None:
            self.generic_visit(node)
            return
        left, right = self.src.outer_span(node.left), self.src.outer_span(node.right)
        start, end = self.src.operator_token(left[1], right[0], (word,))
        if word in "&|":
            self.add(start, end, "bitop-swap", "|" if word == "&" else "&", node)
            if not self._chained(node):  # a & b & c: one mutant per operand, from the top
                operands = [node.right]
                inner: ast.expr = node.left
                while (isinstance(inner, ast.BinOp) and type(inner.op) is type(node.op)
                       and not self.src.parenthesized(inner)):
                    operands.append(inner.right)
                    inner = inner.left
                operands.append(inner)
                self._drop(operands[::-1], (word,), node)
        elif not (_is_sequence_literal(node.left) or _is_sequence_literal(node.right)):
            self.add(start, end, "arith-swap", "-" if word == "+" else "+", node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        word = _BINARY.get(type(node.op))
        if word is not None and not (word == "+" and _is_sequence_literal(node.value)):
            target, value = self.src.outer_span(node.target), self.src.outer_span(node.value)
            start, end = self.src.operator_token(target[1], value[0], (word + "=",))
            swapped = {"&": "|=", "|": "&=", "+": "-=", "-": "+="}[word]
            self.add(start, end, "bitop-swap" if word in "&|" else "arith-swap", swapped, node)
            if word in "&|":  # the mask not applied at all
                whole = self.src.span(node)
                self.add(*whole, "drop-operand",
                         "pass" + _kept_breaks(self.src.text[whole[0]:whole[1]]), node, at=start)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Invert | ast.Not):
            start, end = self.src.span(node)[0], self.src.outer_span(node.operand)[0]
            self.add(start, end, "unary-drop", _kept_breaks(self.src.text[start:end]), node)
        elif (isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
              and type(node.operand.value) is int):
            self._integer(node, -node.operand.value)
            return
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if type(node.value) is bool:
            self.add(*self.src.span(node), "bool-flip", str(not node.value), node)
        elif type(node.value) is int:
            self._integer(node, node.value)

    def _integer(self, node: ast.AST, value: int) -> None:
        start, end = self.src.span(node)
        context = self._context(node)
        index = id(node) in self.indices
        if not (index and value == -1):
            self.add(start, end, "int-inc", str(value + 1), context)
        if not (index and value == 0):
            self.add(start, end, "int-dec", str(value - 1), context)

    def _context(self, node: ast.AST) -> ast.AST:
        """The expression to show around a literal: the nearest one that says something."""
        for parent in reversed(self.parents[:-1]):
            if isinstance(parent, ast.Slice | ast.Tuple | ast.keyword | ast.UnaryOp):
                continue
            if not isinstance(parent, ast.expr):
                return node
            start, end = self.src.span(parent)
            return parent if end - start <= 90 else node
        return node

    def visit_Call(self, node: ast.Call) -> None:
        if _is_logging_call(node):
            return
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("min", "max"):
            self.add(*self.src.span(func), "minmax-swap", MINMAX[func.id], node)
        elif (isinstance(func, ast.Attribute) and func.attr in MINMAX
              and func.attr not in MINMAX_ANYWHERE):
            end = self.src.span(func)[1]
            self.add(end - len(func.attr), end, "minmax-swap", MINMAX[func.attr], node)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in MINMAX_ANYWHERE:
            end = self.src.span(node)[1]
            self.add(end - len(node.attr), end, "minmax-swap", MINMAX[node.attr], node)
        self.generic_visit(node)


def mutants_of(path: str, text: str) -> tuple[list[Mutant], int]:
    """Every mutant of one module, in source order; and how many were dropped as invalid."""
    src = _Source(path, text)
    collector = _Collector(src)
    collector.visit(ast.parse(text, filename=path))
    mutants: list[Mutant] = []
    seen: set[str] = set()
    invalid = 0
    for f in sorted(collector.found, key=lambda f: (f.at, f.start, f.operator)):
        line, col = src.line_col(f.at)
        first, last = src.line_col(f.start)[0], src.line_col(max(f.start, f.end - 1))[0]
        if any(src.lines[n - 1].rstrip().endswith(PRAGMA)
               for n in range(min(first, line), max(last, line) + 1)):
            continue
        index = 0
        while f"{path}:{line}:{col}:{f.operator}:{index}" in seen:
            index += 1
        ident = f"{path}:{line}:{col}:{f.operator}:{index}"
        seen.add(ident)
        mutated_text = text[:f.start] + f.replacement + text[f.end:]
        try:
            ast.parse(mutated_text)
        except SyntaxError:
            invalid += 1
            continue
        c_start, c_end = src.span(f.context)
        c_start, c_end = min(c_start, f.start), max(c_end, f.end)
        after = mutated_text[c_start:c_end + len(f.replacement) - (f.end - f.start)]
        mutants.append(Mutant(ident, path, line, col, f.operator, index, f.start, f.end,
                              f.replacement, _one_line(text[c_start:c_end]),
                              _one_line(after) or "(nothing)", f.lines, f.everywhere))
    return mutants, invalid


# ----------------------------------------------------------------------------- selection


def _glob(pattern: str) -> list[str]:
    return sorted(str(p.relative_to(REPO)) for p in REPO.glob(pattern) if p.is_file())


def scope_modules(patterns: list[str] | None) -> list[str]:
    modules = sorted({m for pattern in SCOPE for m in _glob(pattern)})
    if not patterns:
        return modules
    wanted = []
    for pattern in patterns:
        absolute = Path(pattern).expanduser()
        if absolute.is_absolute():
            with contextlib.suppress(ValueError):
                pattern = str(absolute.relative_to(REPO))
        pattern = pattern.removeprefix("./")
        wanted.append(pattern)
    chosen = [m for m in modules if any(
        fnmatch.fnmatch(m, p) or fnmatch.fnmatch(m, f"{PACKAGE}/{p}") for p in wanted)]
    if not chosen:
        raise ToolError(f"--module {' '.join(patterns)} matches nothing in scope "
                        f"({', '.join(SCOPE)})")
    return chosen


def tests_for(module: str) -> tuple[str, ...]:
    files: list[str] = []
    for module_glob, test_globs in TESTS:
        if not fnmatch.fnmatch(module, module_glob):
            continue
        for pattern in test_globs:
            if pattern.startswith("!"):
                files = [f for f in files if not fnmatch.fnmatch(f, pattern[1:])]
            else:
                files += [f for f in _glob(pattern) if f not in files]
    if not files:
        raise ToolError(f"no test file selected for {module}: extend TESTS in tools/mutate.py")
    return tuple(sorted(files))


def equivalent_files() -> list[Path]:
    """tools/mutants-equivalent.txt and one tools/mutants-equivalent-<topic>.txt per topic."""
    return sorted(p for p in EQUIVALENT_FILE.parent.glob("mutants-equivalent*.txt"))


def read_equivalents() -> dict[str, str]:
    listed = {}
    for path in equivalent_files():
        for raw in path.read_text(encoding="utf-8").splitlines():
            ident, _, reason = raw.partition("#")
            if ident.strip():
                listed[ident.strip()] = reason.strip()
    return listed


# ----------------------------------------------------------------------------- running


@dataclasses.dataclass
class Outcome:
    status: str  # killed, timeout, survived
    seconds: float
    returncode: int | None
    failed: str  # the first failing test (or the error), when pytest names one
    output: str
    record: dict[str, Any]  # the recorder's report, when asked for


RUNNING: set[int] = set()  # the process groups of the pytest runs going on
STOPPING = threading.Event()  # set on the way out: start no more runs


@contextlib.contextmanager
def _executor(jobs: int) -> Iterator[ThreadPoolExecutor]:
    """A thread pool that, on an error or Ctrl-C, ends the pytest runs going on at once."""
    with ThreadPoolExecutor(jobs) as executor:
        try:
            yield executor
        except BaseException:
            STOPPING.set()
            executor.shutdown(wait=False, cancel_futures=True)
            for pid in list(RUNNING):
                _kill(pid)
            raise


def _kill(pid: int) -> None:
    """End one pytest run of ours: its process group (the run and its own subprocesses)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class Worker:
    """One job's copy of the package and its private caches."""

    def __init__(self, root: Path, snapshot: Path) -> None:
        self.root = root
        self.copy = root / "src"
        shutil.copytree(snapshot, self.copy / PACKAGE)
        self.pycache = root / "pycache"
        self.tmp = root / "tmp"
        self.tmp.mkdir()

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(self.copy), env.get("PYTHONPATH", "")) if p)
        env["PYTHONPYCACHEPREFIX"] = str(self.pycache)
        for name in ("PYTHONDONTWRITEBYTECODE", "PYTEST_ADDOPTS", "COVERAGE_PROCESS_START",
                     "MUTATE_REPORT", "MUTATE_TRACE"):
            env.pop(name, None)
        return env

    def _forget_bytecode(self, module: str) -> None:
        source = (self.copy / module).resolve()
        folder = self.pycache / source.parent.relative_to(source.anchor)
        for pyc in folder.glob(f"{source.stem}.*.pyc"):
            pyc.unlink(missing_ok=True)

    @contextlib.contextmanager
    def mutated(self, module: str, text: str, original: str) -> Iterator[None]:
        target = self.copy / module
        target.write_text(text, encoding="utf-8")
        self._forget_bytecode(module)
        try:
            yield
        finally:
            target.write_text(original, encoding="utf-8")
            self._forget_bytecode(module)

    def pytest(self, targets: list[str], timeout: float | None, *, stop_first: bool = True,
               record: bool = False, trace: bool = False) -> Outcome:
        """Run pytest on ``targets`` (test files or node IDs, relative to the repository)."""
        args = [sys.executable, "-c", RUNNER, str(self.copy), *PYTEST_ARGS,
                *(["-x"] if stop_first else []), f"--rootdir={REPO}",
                "-c", str(REPO / "pyproject.toml"), f"--basetemp={self.tmp}",
                *(f"{REPO}/{t}" for t in targets)]
        env = self.env()
        report = self.root / "record.json"
        if record:
            report.unlink(missing_ok=True)
            env["MUTATE_REPORT"] = str(report)
            env["MUTATE_TRACE"] = "1" if trace else "0"
        if STOPPING.is_set():
            raise ToolError("stopping")
        began = time.monotonic()
        with subprocess.Popen(args, cwd=self.root, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace",
                              start_new_session=True) as process:
            RUNNING.add(process.pid)
            try:
                output, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill(process.pid)
                output, _ = process.communicate()
                return Outcome("timeout", time.monotonic() - began, None, "timeout", output, {})
            except BaseException:  # Ctrl-C while waiting: the run must not outlive the tool
                _kill(process.pid)
                raise
            finally:
                RUNNING.discard(process.pid)
        seconds = time.monotonic() - began
        code = process.returncode
        if code == WRONG_IMPORT:
            raise ToolError(f"the tests did not import the mutated copy:\n{output[-2000:]}")
        missing = re.findall(r"^ERROR: (?:file or directory )?not found: (\S+)", output,
                             re.MULTILINE)
        if code == 4 and missing:
            raise MissingTests([m.removeprefix(f"{REPO}/") for m in missing])
        if code == 5:
            raise ToolError(f"pytest found no tests to run ({' '.join(targets[:3])} ...):\n"
                            f"{output[-2000:]}")
        failed = next((line.strip() for line in output.splitlines()
                       if line.startswith(("FAILED ", "ERROR "))), "")
        failed = failed.replace(os.path.relpath(REPO, self.root) + os.sep, "")
        if code not in (0, 1) and not failed:  # interrupted, internal or usage error
            failed = (output.strip().splitlines() or ["?"])[-1]
        data = json.loads(report.read_text("utf-8")) if record and report.exists() else {}
        return Outcome("survived" if code == 0 else "killed", seconds, code, failed, output,
                       data)


class Pool:
    """The jobs' workers, lent out one at a time."""

    def __init__(self, jobs: int, snapshot: Path, scratch: Path) -> None:
        self.jobs = jobs
        self.workers: queue.Queue[Worker] = queue.Queue()
        for n in range(jobs):
            self.workers.put(Worker(scratch / f"job{n}", snapshot))

    @contextlib.contextmanager
    def worker(self) -> Iterator[Worker]:
        worker = self.workers.get()
        try:
            yield worker
        finally:
            self.workers.put(worker)


@dataclasses.dataclass
class Tests:
    """What the unmutated runs found: every test's duration and the lines it executes."""

    durations: dict[str, float]  # node ID -> seconds (setup, call and teardown)
    set_seconds: dict[tuple[str, ...], float]  # a test set's whole unmutated run
    overhead: float  # start-up of one pytest run: interpreter, imports, collection
    covers: dict[str, dict[int, set[str]]]  # module -> line -> node IDs executing it
    left_out: list[str]  # failing unmutated (--skip-failing): never run
    vanished: list[str] = dataclasses.field(default_factory=list)  # deleted during the run

    def of_files(self, files: tuple[str, ...]) -> list[str]:
        chosen = set(files)
        return [n for n in list(self.durations) if n.split("::")[0] in chosen]

    def for_mutant(self, mutant: Mutant, files: tuple[str, ...], per_test: bool) -> list[str]:
        """The node IDs a mutant runs, fastest first (none: no selected test executes it)."""
        candidates = self.of_files(files)
        if per_test and not mutant.everywhere:
            lines = self.covers.get(mutant.path, {})
            executing: set[str] = set()
            for line in range(mutant.lines[0], mutant.lines[1] + 1):
                executing |= lines.get(line, set())
            candidates = [n for n in candidates if n in executing]
        return sorted(candidates, key=lambda n: (self.durations.get(n, 0.0), n))

    def forget(self, nodeids: list[str]) -> None:
        """Drop tests that no longer exist (someone renamed or removed them meanwhile)."""
        for nodeid in nodeids:
            if nodeid in self.vanished or nodeid.split("::")[0] in self.vanished:
                continue  # another job found it gone first
            if nodeid.endswith(".py"):  # a whole file is gone
                gone = [n for n in list(self.durations) if n.split("::")[0] == nodeid]
                self.vanished.append(nodeid)
            else:
                gone = [nodeid] if nodeid in self.durations else []
            if not gone and nodeid not in self.vanished:
                raise ToolError(f"pytest cannot find {nodeid}, which is not a known test")
            for n in gone:
                self.durations.pop(n, None)
                self.vanished.append(n)
            print(f"  warning: {len(gone)} tests vanished from the repository, no longer run: "
                  f"{nodeid}", file=sys.stderr, flush=True)

    def timeout(self, nodeids: list[str]) -> float:
        return 3 * (self.overhead + sum(self.durations.get(n, 0.0) for n in nodeids)) + 10


def _split(items: list[str], weights: dict[str, float], parts: int) -> list[list[str]]:
    """``items`` in ``parts`` groups of about equal weight (groups keep the items' order)."""
    groups: list[list[str]] = [[] for _ in range(parts)]
    loads = [0.0] * parts
    for item in sorted(items, key=lambda i: -weights.get(i, 0.0)):
        lightest = loads.index(min(loads))
        groups[lightest].append(item)
        loads[lightest] += weights.get(item, 0.0)
    order = {item: n for n, item in enumerate(items)}
    return [sorted(g, key=order.__getitem__) for g in groups if g]


def measure(pool: Pool, sets: set[tuple[str, ...]], per_test: bool,
            skip_failing: bool) -> Tests:
    """Run each test set against the unmutated copy (it must pass), timing every test; then,
    for the per-test selection, run every test once more under a line tracer."""

    def baseline(files: tuple[str, ...]) -> tuple[tuple[str, ...], Outcome]:
        with pool.worker() as worker:
            outcome = worker.pytest(list(files), None, stop_first=False, record=True)
        failing = [n for n, o in outcome.record.get("outcomes", {}).items() if o == "failed"]
        if outcome.status != "survived" and not (
                skip_failing and outcome.returncode == 1 and failing):
            raise ToolError("the unmutated package fails its selected tests "
                            f"({' '.join(files)}); --skip-failing leaves failing tests out:\n"
                            f"{outcome.output[-4000:]}")
        return files, outcome

    with _executor(pool.jobs) as executor:
        runs = dict(executor.map(baseline, sorted(sets, key=len, reverse=True)))
    durations: dict[str, float] = {}
    failing: set[str] = set()
    overheads = []
    for outcome in runs.values():
        measured = outcome.record.get("durations", {})
        for nodeid, seconds in measured.items():
            durations[nodeid] = max(seconds, durations.get(nodeid, 0.0))
        failing |= {n for n, o in outcome.record.get("outcomes", {}).items() if o == "failed"}
        overheads.append(outcome.seconds - sum(measured.values()))
    for nodeid in sorted(failing):
        print(f"  left out, fails unmutated: {nodeid}", file=sys.stderr, flush=True)
        del durations[nodeid]
    tests = Tests(durations, {files: o.seconds for files, o in runs.items()},
                  max(1.0, *overheads), {}, sorted(failing))
    if not per_test:
        return tests

    def traced(nodeids: list[str]) -> Outcome:
        with pool.worker() as worker:
            return worker.pytest(nodeids, None, stop_first=False, record=True, trace=True)

    nodeids = sorted(durations)
    with _executor(pool.jobs) as executor:
        outcomes = list(executor.map(traced, _split(nodeids, durations, pool.jobs)))
    for outcome in outcomes:
        for nodeid, files in outcome.record.get("lines", {}).items():
            for module, lines in files.items():
                per_line = tests.covers.setdefault(module, {})
                for line in lines:
                    per_line.setdefault(line, set()).add(nodeid)
        bad = [n for n, o in outcome.record.get("outcomes", {}).items() if o == "failed"]
        if bad:
            print(f"  warning: {len(bad)} tests fail under the line tracer (their lines still "
                  f"count): {', '.join(bad[:5])}", file=sys.stderr, flush=True)
    traced_ids = {n for o in outcomes for n in o.record.get("lines", {})}
    if missing := set(nodeids) - traced_ids:
        raise ToolError(f"the traced run did not run {len(missing)} tests, e.g. "
                        f"{sorted(missing)[:3]}")
    return tests


ENVIRONMENT_RETRIES = 10  # a broken environment (say, a package being reinstalled): 10 x 30 s


def _run_mutant(worker: Worker, mutant: Mutant, original: str, nodeids: list[str],
                timeout: float) -> Outcome:
    """Run a mutant's tests. When pytest could not even run them (a collection, usage or
    internal error), the unmutated copy runs the first of them: if it fails too, the
    environment is broken, not the mutant's doing; wait for it to recover."""
    for _ in range(ENVIRONMENT_RETRIES):
        with worker.mutated(mutant.path, mutant.apply(original), original):
            outcome = worker.pytest(nodeids, timeout)
        if outcome.returncode in (0, 1, None):
            return outcome
        check = worker.pytest(nodeids[:1], timeout)
        if check.status == "survived":
            return outcome
        print(f"  warning: the unmutated package fails too ({check.failed}); waiting 30 s for "
              "the environment to recover", file=sys.stderr, flush=True)
        time.sleep(30)
    raise ToolError(f"the environment stays broken: the unmutated package fails {nodeids[0]}:"
                    f"\n{check.output[-3000:]}")


def sanity_check(pool: Pool, original: str, tests: Tests) -> None:
    """A subprocess must import the copy; a package raising at import must be killed."""
    with pool.worker() as worker:
        probe = subprocess.run(
            [sys.executable, "-c", "import sheets_sync; print(sheets_sync.__file__)"],
            cwd=worker.root, env=worker.env(), capture_output=True, text=True, check=False)
        where = probe.stdout.strip()
        if not os.path.realpath(where).startswith(os.path.realpath(worker.copy) + os.sep):
            raise ToolError(f"a subprocess imports sheets_sync from {where or probe.stderr!r}, "
                            f"not from the job's copy {worker.copy}")
        broken = original + f'\nraise RuntimeError("{SANITY_TEXT}")\n'
        nodeids = sorted(tests.of_files(tests_for(SANITY_MODULE)), key=tests.durations.get)
        with worker.mutated(SANITY_MODULE, broken, original):
            outcome = worker.pytest(nodeids[:5], tests.timeout(nodeids[:5]))
        if outcome.status != "killed" or SANITY_TEXT not in outcome.output:
            raise ToolError(f"the known-bad mutant ({SANITY_MODULE} raising at import) was not "
                            "killed: the tests do not run the mutated copy.\n"
                            + outcome.output[-3000:])


# ----------------------------------------------------------------------------- report


@dataclasses.dataclass
class Result:
    mutant: Mutant
    status: str  # killed, timeout, survived
    seconds: float
    tests: int  # how many tests it ran (0: uncovered, it did not run)
    failed: str
    equivalent: str | None  # the listed reason, when listed as equivalent


def _score(killed: int, total: int, equivalent: int) -> str:
    counted = total - equivalent
    return f"{100 * killed / counted:.1f}%" if counted else "-"


def report(results: list[Result], stale: list[str], modules: list[str]) -> str:
    header = (f"{'module':<34} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} "
              f"{'uncovered':>9} {'equiv':>5} {'score':>6}")
    lines = [header, "-" * len(header)]

    def row(name: str, mine: list[Result]) -> list[int]:
        counted = [r for r in mine if r.equivalent is None]
        numbers = [len(mine), sum(r.status != "survived" for r in counted),
                   sum(r.status == "timeout" for r in counted),
                   sum(r.status == "survived" for r in counted),
                   sum(r.status == "survived" and r.tests == 0 for r in counted),
                   len(mine) - len(counted)]
        total, killed, timeout, survived, uncovered, equivalent = numbers
        lines.append(f"{name:<34} {total:>7} {killed:>6} {timeout:>7} {survived:>8} "
                     f"{uncovered:>9} {equivalent:>5} {_score(killed, total, equivalent):>6}")
        return numbers

    for module in modules:
        if mine := [r for r in results if r.mutant.path == module]:
            row(module, mine)
    lines.append("-" * len(header))
    total, killed, _, _, _, equivalent = row("total", results)
    lines += ["", f"Overall mutation score: {_score(killed, total, equivalent)} ({killed} "
              f"killed of {total - equivalent} non-equivalent mutants)"]
    survivors = [r for r in results if r.status == "survived" and r.equivalent is None]
    if survivors:
        lines += ["", f"Survivors ({len(survivors)}; [uncovered]: no selected test runs the "
                  "line):"]
        for r in survivors:
            m = r.mutant
            note = "  [uncovered]" if r.tests == 0 else ""
            lines.append(f"{m.id}  {m.path}:{m.line}  {m.operator}  {m.original} -> "
                         f"{m.mutated}{note}")
    if wrongly := [r for r in results if r.equivalent is not None and r.status != "survived"]:
        lines += ["", "Listed as equivalent but killed (not equivalent: remove them):"]
        lines += [f"{r.mutant.id}  killed by {r.failed or r.status}" for r in wrongly]
    if stale:
        lines += ["", "Stale entries in tools/mutants-equivalent*.txt (no such mutant):"]
        lines += [f"  {ident}" for ident in stale]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    title, _, rest = (__doc__ or "").partition("\n\n")
    parser = argparse.ArgumentParser(
        prog="tools/mutate.py", description=title, epilog=rest,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", action="append", metavar="PATH_OR_GLOB",
                        help="mutate only these modules (repeatable), e.g. "
                             "sheets_sync/rules/rows.py or 'sheets_sync/outputs/*.py'")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run in parallel (2)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every result to FILE")
    parser.add_argument("--sample", type=int, metavar="N", help="run a random sample of N")
    parser.add_argument("--seed", type=int, default=0, help="the seed of --sample (0)")
    parser.add_argument("--list", action="store_true", help="list the mutants; run nothing")
    parser.add_argument("--only", metavar="ID", help="run one mutant; show its diff and output")
    parser.add_argument("--whole-files", action="store_true",
                        help="run every test of the selected files, not only those executing "
                             "the mutated statement")
    parser.add_argument("--ids", type=Path, metavar="FILE",
                        help="run only the mutants whose IDs start the lines of FILE (e.g. "
                             "the survivors of an earlier report); the others are not counted")
    parser.add_argument("--tests", action="append", metavar="TEST_FILE",
                        help="run these test files (repeatable), whole, instead of the "
                             "selection of TESTS, and skip the known-bad mutant check: a quick "
                             "check that a new test kills a mutant (with --only)")
    parser.add_argument("--resume", type=Path, metavar="FILE",
                        help="take the results of mutants still the same from an earlier "
                             "--json FILE (written every minute while running) and run the rest")
    parser.add_argument("--skip-failing", action="store_true",
                        help="leave out the tests that fail on the unmutated package (listed) "
                             "instead of stopping")
    return parser.parse_args(argv)


def _progress(done: int, total: int, began: float, result: Result) -> None:
    elapsed = time.monotonic() - began
    eta = elapsed / done * (total - done)
    m = result.mutant
    print(f"[{done}/{total} {elapsed / 60:.1f} min, eta {eta / 60:.1f} min] {result.status:<8} "
          f"{result.seconds:5.1f}s {result.tests:>4} tests  {m.path}:{m.line} {m.operator}",
          file=sys.stderr, flush=True)


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    partial.replace(path)


def _resumed(path: Path, mutants: list[Mutant], equivalents: dict[str, str]) -> list[Result]:
    """The results in an earlier --json file of the mutants that are still the same."""
    try:
        earlier = json.loads(path.read_text("utf-8"))["results"]
    except (OSError, ValueError, KeyError) as error:
        raise ToolError(f"--resume {path}: not a --json file of this tool ({error})") from None
    by_id = {m.id: m for m in mutants}
    results = []
    for r in earlier:
        mutant = by_id.get(r.get("id"))
        if mutant is not None and (r.get("original"), r.get("mutated"), r.get("replacement")) == (
                mutant.original, mutant.mutated, mutant.replacement):
            results.append(Result(mutant, r["status"], r["seconds"], r["tests_run"],
                                  r["failed"], equivalents.get(mutant.id)))
    return results


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.jobs < 1:
        raise ToolError("--jobs must be at least 1")
    began = time.monotonic()
    modules = scope_modules([args.only.split(":")[0]] if args.only else args.module)
    scratch = Path(tempfile.mkdtemp(prefix="sheets-sync-mutate-"))
    try:
        # One snapshot of the package: the mutants, the copies and the restores all come from
        # it, whatever happens to the working tree during the run.
        snapshot = scratch / "snapshot"
        shutil.copytree(REPO / PACKAGE, snapshot,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        texts = {m: (snapshot / Path(m).relative_to(PACKAGE)).read_text("utf-8")
                 for m in {*modules, SANITY_MODULE}}
        mutants: list[Mutant] = []
        invalid = 0
        for module in modules:
            found, dropped = mutants_of(module, texts[module])
            mutants += found
            invalid += dropped
        equivalents = read_equivalents()
        known = {m.id for m in mutants}
        stale = sorted(i for i in equivalents if i not in known
                       and any(i.startswith(module + ":") for module in modules))
        if args.only:
            mutants = [m for m in mutants if m.id == args.only]
            if not mutants:
                raise ToolError(f"no mutant {args.only} (see --list)")
        elif args.ids:
            wanted = {line.split()[0] for line in args.ids.read_text("utf-8").splitlines()
                      if line.strip() and not line.startswith("#")}
            mutants = [m for m in mutants if m.id in wanted]
        elif args.sample is not None and args.sample < len(mutants):
            picked = set(random.Random(args.seed).sample(range(len(mutants)), args.sample))
            mutants = [m for n, m in enumerate(mutants) if n in picked]
        files = {m: tuple(args.tests) if args.tests else tests_for(m) for m in modules}

        if args.list:
            for m in mutants:
                note = "  [equivalent]" if m.id in equivalents else ""
                print(f"{m.id}  {m.operator}  {m.original} -> {m.mutated}{note}")
            print()
            for module in modules:
                count = sum(m.path == module for m in mutants)
                print(f"{module:<34} {count:>5} mutants  tests: {' '.join(files[module])}")
            print(f"{'total':<34} {len(mutants):>5} mutants"
                  + (f" ({invalid} that would not compile left out)" if invalid else ""))
            for ident in stale:
                print(f"stale equivalent entry: {ident}")
            return 0

        per_test = not (args.whole_files or args.tests)
        pool = Pool(args.jobs, snapshot, scratch)
        print(f"mutate.py: {len(mutants)} mutants in {len(modules)} modules, {pool.jobs} jobs; "
              "running the unmutated package's tests" + (" (timed, then traced)" if per_test
                                                         else " (timed)"),
              file=sys.stderr, flush=True)
        sets = {files[m.path] for m in mutants}
        if not args.tests:
            sets.add(tests_for(SANITY_MODULE))
        tests = measure(pool, sets, per_test, args.skip_failing)
        for test_set, seconds in sorted(tests.set_seconds.items()):
            per_file = {f: sum(s for n, s in tests.durations.items() if n.split("::")[0] == f)
                        for f in test_set}
            print(f"  unmutated: {seconds:5.1f}s  " + ", ".join(
                f"{Path(f).stem} {s:.1f}s" for f, s in sorted(per_file.items(),
                                                             key=lambda i: i[1])),
                  file=sys.stderr, flush=True)
        if not args.tests:
            sanity_check(pool, texts[SANITY_MODULE], tests)
        print("  checks passed: the copy is imported"
              + ("" if args.tests else "; the known-bad mutant is killed")
              + f" ({time.monotonic() - began:.0f}s)", file=sys.stderr, flush=True)

        def run(mutant: Mutant, show: bool = False) -> Result:
            original = texts[mutant.path]
            while True:
                nodeids = tests.for_mutant(mutant, files[mutant.path], per_test)
                if not nodeids:
                    return Result(mutant, "survived", 0.0, 0, "", equivalents.get(mutant.id))
                try:
                    with pool.worker() as worker:
                        outcome = _run_mutant(worker, mutant, original, nodeids,
                                              tests.timeout(nodeids))
                    break
                except MissingTests as gone:
                    tests.forget(gone.nodeids)
            if show:
                print(outcome.output)
            return Result(mutant, outcome.status, outcome.seconds, len(nodeids), outcome.failed,
                          equivalents.get(mutant.id))

        if args.only:
            mutant = mutants[0]
            original = texts[mutant.path]
            print("".join(difflib.unified_diff(
                original.splitlines(keepends=True),
                mutant.apply(original).splitlines(keepends=True),
                f"a/{mutant.path}", f"b/{mutant.path}")))
            result = run(mutant, show=True)
            print(f"{mutant.id}: {result.status} in {result.seconds:.1f}s, {result.tests} tests"
                  + (f" ({result.failed})" if result.failed else "")
                  + (" - no selected test executes this line" if not result.tests else ""))
            return 0

        def payload(complete: bool) -> dict[str, Any]:
            order = {m.id: n for n, m in enumerate(mutants)}
            return {
                "complete": complete,
                "wall_seconds": round(time.monotonic() - began, 1),
                "jobs": pool.jobs,
                "per_test_selection": per_test,
                "modules": modules,
                "test_files": {m: list(files[m]) for m in modules},
                "unmutated_seconds": [{"files": list(s), "seconds": round(sec, 2)}
                                      for s, sec in sorted(tests.set_seconds.items())],
                "left_out_failing_unmutated": tests.left_out,
                "tests_vanished_during_run": tests.vanished,
                "stale_equivalents": stale,
                "invalid_left_out": invalid,
                "resumed_from": str(args.resume) if args.resume else None,
                "results": [{**{k: v for k, v in dataclasses.asdict(r.mutant).items()
                                if k not in ("start", "end", "everywhere")},
                             "status": r.status, "uncovered": r.tests == 0,
                             "seconds": round(r.seconds, 2), "tests_run": r.tests,
                             "failed": r.failed, "equivalent": r.equivalent}
                            for r in sorted(results, key=lambda r: order[r.mutant.id])],
            }

        results = _resumed(args.resume, mutants, equivalents) if args.resume else []
        done = {r.mutant.id for r in results}
        if results:
            print(f"  {len(results)} results taken from {args.resume}", file=sys.stderr,
                  flush=True)
        started = last_write = time.monotonic()
        with _executor(pool.jobs) as executor:
            futures = [executor.submit(run, m) for m in mutants if m.id not in done]
            try:
                for n, future in enumerate(as_completed(futures), 1):
                    results.append(future.result())
                    _progress(n, len(futures), started, results[-1])
                    if args.json and time.monotonic() - last_write > 60:
                        _write_json(args.json, payload(complete=False))
                        last_write = time.monotonic()
            except BaseException:
                if args.json:
                    _write_json(args.json, payload(complete=False))
                raise
        order = {m.id: n for n, m in enumerate(mutants)}
        results.sort(key=lambda r: order[r.mutant.id])
        wall = time.monotonic() - began
        print(report(results, stale, modules))
        if tests.left_out:
            print(f"\n{len(tests.left_out)} tests failing on the unmutated package were left "
                  f"out (--skip-failing): {', '.join(tests.left_out)}")
        print(f"\nWall time {wall / 60:.1f} min with {pool.jobs} jobs (mutants: "
              f"{(time.monotonic() - started) / 60:.1f} min); "
              f"{sum(r.tests == 0 for r in results)} mutants were not run (uncovered)."
              + (f" {invalid} mutants that would not compile were left out." if invalid else ""))
        if args.json:
            _write_json(args.json, payload(complete=True))
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` cleans up as Ctrl-C does
    signal.signal(signal.SIGINT, _interrupt)  # even when started in the background
    try:
        sys.exit(main())
    except ToolError as error:
        print(f"mutate.py: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
