"""sheets-sync: keep social-media content calendars in spreadsheets honest."""

__version__ = "0.1.0"
