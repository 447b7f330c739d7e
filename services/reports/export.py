"""Safe values for files people open in Excel (CSV, XLSX): no cell may start a formula."""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value):
    """Text starting with = + - @ tab CR or LF gets a leading apostrophe (OWASP's advice), so a
    spreadsheet shows it as text instead of running it. Other values pass unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value
