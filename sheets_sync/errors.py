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


class ForeignTabError(SourceError):
    """A tab the tool would write exists, but the tool did not create it (exit 3).

    Nothing was written. ``tab`` is the tab's name, ``where`` the spreadsheet; ``fix`` says
    which configuration key gives the tool's tab another name.
    """

    def __init__(self, where: str, tab: str, fix: str = "") -> None:
        self.where, self.tab = where, tab
        fix = fix or ("rename that tab, or give sheets-sync's tab another name in the "
                      "configuration (`status_tab`, `report_tab` or `history_tab` of the "
                      "calendar; `tab` of [portfolio])")
        super().__init__(f"{where} already has a tab {tab!r} that sheets-sync did not create: "
                         f"it is left as it is and nothing was written. To sync, {fix}")
