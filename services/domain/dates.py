"""Dates as people in the office write them: dd/mm/yyyy, day first, never silently swapped."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.domain.errors import AppError

SHEETS_EPOCH = date(1899, 12, 30)  # day 0 of Google Sheets' (and Excel's) date serials

_DAY_FIRST = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")


class DateError(AppError, ValueError):
    """A value that should be a date but is not one (the message is Vietnamese)."""


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%d/%m/%Y %H:%M:%S") if value else ""


def _build(y: int, m: int, d: int, raw) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise DateError(f"Ngày không hợp lệ: «{raw}» (định dạng dd/mm/yyyy)") from None


def _parse_parts(value) -> tuple[date, tuple[int, int, int] | None] | None:
    """(date, (h, m, s) or None) from a serial, a date object or day-first / ISO text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date(), (value.hour, value.minute, value.second)
    if isinstance(value, date):
        return value, None
    if isinstance(value, bool):
        raise DateError(f"Ngày không hợp lệ: «{value}»")
    if isinstance(value, (int, float)):
        if not 1 <= value < 2958466:  # 31/12/9999
            raise DateError(f"Ngày không hợp lệ: «{value}»")
        moment = datetime.combine(SHEETS_EPOCH, datetime.min.time()) + timedelta(days=float(value))
        moment = moment.replace(microsecond=0)
        return moment.date(), (moment.hour, moment.minute, moment.second)
    text = str(value).strip()
    if not text:
        return None
    if m := _DAY_FIRST.match(text):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        clock = (int(m[4]), int(m[5]), int(m[6] or 0)) if m[4] else None
        return _build(y, mo, d, text), clock
    if m := _ISO.match(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        clock = (int(m[4]), int(m[5]), int(m[6] or 0)) if m[4] else None
        return _build(y, mo, d, text), clock
    raise DateError(f"Không đọc được ngày «{text}» (định dạng dd/mm/yyyy)")


def parse_date(value) -> date | None:
    """A date from a sheet cell or a form: serial number, date object, dd/mm/yyyy text or ISO.

    Empty gives None. Anything else that is not a real date raises DateError (31/02/2025 is
    flagged, never turned into 03/03 or read month-first).
    """
    parts = _parse_parts(value)
    return parts[0] if parts else None


def parse_datetime(value, tz: str) -> datetime | None:
    """A local, timezone-aware datetime from a cell ("dd/mm/yyyy HH:MM:SS", ISO or serial)."""
    if isinstance(value, str) and value.strip() and "T" in value:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            zone = ZoneInfo(tz)
            return parsed.astimezone(zone) if parsed.tzinfo else parsed.replace(tzinfo=zone)
    parts = _parse_parts(value)
    if not parts:
        return None
    day, clock = parts
    h, mi, s = clock or (0, 0, 0)
    try:
        return datetime(day.year, day.month, day.day, h, mi, s, tzinfo=ZoneInfo(tz))
    except ValueError:
        raise DateError(f"Thời gian không hợp lệ: «{value}»") from None


def parse_issue_date(value) -> str:
    """A directive's date as ISO text; month precision ("01/2025" -> "2025-01") is allowed,
    because directives are often registered before the day is filled in."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, str):
        text = value.strip()
        if m := _MONTH.match(text):
            month, year = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise DateError(f"Tháng không hợp lệ: «{text}»")
            return f"{year:04d}-{month:02d}"
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return text
    day = parse_date(value)
    return day.isoformat() if day else ""


def format_issue_date(iso: str) -> str:
    """ "2025-01-15" -> "15/01/2025"; "2025-01" -> "01/2025"."""
    if not iso:
        return ""
    parts = iso.split("-")
    return "/".join(reversed(parts))
