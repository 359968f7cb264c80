"""Storage backends: where calendars are read from and reports are written to (SPEC §3)."""
