"""Run the command line as `python -m sheets_sync`."""

from sheets_sync.cli import run

run()
