"""Safe files people open in Excel. The ONE CSV writer of the app (every download uses it): UTF-8
with a byte-order mark, CRLF line endings, cells with a comma, quote, CR or LF quoted (so a CR
inside a result never starts a new row), and every text cell, headers too, neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value):
    """Text starting with = + - @ tab CR or LF gets a leading apostrophe (OWASP's advice), so a
    spreadsheet shows it as text instead of running it. Other values pass unchanged. For CSV
    only: an .xlsx cell typed as a string is never a formula, and shows as typed."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def _cell(value) -> str:
    if value is None:
        return ""
    try:
        if value != value:  # NaN, NaT
            return ""
    except (TypeError, ValueError):
        pass
    return neutralise(value) if isinstance(value, str) else str(value)  # a number is no formula


def csv_rows(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_cell(str(h)) for h in headers])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def csv_bytes(frame) -> bytes:
    """A pandas DataFrame as CSV (its columns as headers, its cells as text)."""
    return csv_rows(list(frame.columns), frame.itertuples(index=False, name=None))
