"""Run the command line as `python -m sheets_sync`."""

from sheets_sync.cli import main

main(prog_name="sheets-sync")
