"""How numbers and labels read everywhere (cards, tables, charts, reports): one formatter, so a
rate never shows "62,5%" on a card and "63%" on a chart, nor "None" in one place and "-" in
another. Plain Python."""

from __future__ import annotations

import math

NO_VALUE = "-"  # a rate with nothing to divide, a missing number
RATE_DECIMALS = 1  # one rounding for every rate: cards, tables, charts, reports
ELLIPSIS = "…"


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def format_count(n) -> str:
    """10000 -> "10.000" (Vietnamese thousands separator); nothing -> "-"."""
    return NO_VALUE if _missing(n) else f"{int(n):,}".replace(",", ".")


def format_rate(rate) -> str:
    """0.625 -> "62,5%"; 1 -> "100%"; nothing to divide -> "-"."""
    if _missing(rate):
        return NO_VALUE
    return f"{rate * 100:.{RATE_DECIMALS}f}".replace(".", ",").removesuffix(",0") + "%"


def format_points(now, then) -> str | int | None:
    """The change of a rate in percentage points: "+2,5 điểm %", 0 when unchanged (at the
    displayed rounding), None when either side has nothing to divide."""
    if _missing(now) or _missing(then):
        return None
    points = round((now - then) * 100, RATE_DECIMALS)
    if points == 0:
        return 0
    return f"{points:+.{RATE_DECIMALS}f}".replace(".", ",").removesuffix(",0") + " điểm %"


def format_change(now: int, then: int) -> str | int:
    """+1.234 / -3, or 0 when unchanged."""
    diff = int(now) - int(then)
    return 0 if diff == 0 else f"{diff:+,}".replace(",", ".")


def shorten(text, limit: int) -> str:
    """`text` cut to at most `limit` characters for display, with "…" when cut."""
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS
