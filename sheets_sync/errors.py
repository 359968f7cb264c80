"""The one exception tree. Each error knows the exit code the command line uses for it."""

from __future__ import annotations


class SheetsSyncError(Exception):
    """Base of every error the tool reports to a person; ``exit_code`` is the process exit code
    (2 usage or configuration, 3 backend or state)."""

    exit_code = 3

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(SheetsSyncError):
    """A command-line option or argument is wrong (exit 2)."""

    exit_code = 2


class ConfigError(SheetsSyncError):
    """The configuration has problems; ``problems`` lists each with its path (exit 2)."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = "configuration problem" if count == 1 else f"{count} configuration problems"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class CalendarError(SheetsSyncError):
    """The calendar cannot be read as a calendar (missing tab or columns); exit 2."""

    exit_code = 2


class SourceError(SheetsSyncError):
    """The calendar file or backend cannot be read or written (exit 3)."""

    exit_code = 3
