"""Deadlines as directives write them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from services.importing.matching import Folded
from services.importing.matching import fold_same_length as _fold
from services.importing.review import CHECK, NOTE

# --- deadlines --------------------------------------------------------------------------------

_DATE = (
    r"(?:ngay\s+)?(?:(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})(?:\s*[/.-]\s*(?P<y>\d{4}))?"
    r"|(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})(?:,?\s+nam\s+(?P<y2>\d{4}))?)(?![\d/])"
)
_BY = (
    r"(?<!\w)(?:truoc|cham nhat|han chot|thoi han(?:\s+hoan thanh)?|han hoan thanh"
    r"|thoi gian(?:\s+(?:thuc hien|hoan thanh))?|xong|den(?=\s+ngay))(?!\w)"
)
_GAP = r"(?:[\s:,]+(?:\d{1,2}\s*(?:gio|h)(?:\s*\d{1,2})?(?:\s*phut)?|[^\W\d_]+)){0,5}?[\s:,]+"
_IN = r"(?<!\w)(?:trong|thoi han|thoi gian(?:\s+(?:thuc hien|hoan thanh))?|hoan thanh|xong)(?!\w)"
_DEADLINE_DAY = re.compile(_BY + _GAP + _DATE)
_DEADLINE_MONTH = re.compile(
    _IN + r"[\s:]+(?:trong\s+)?thang\s+(?P<m>\d{1,2})\s*(?:/|nam)\s*"
    r"(?P<y>\d{4})"
)
_DEADLINE_QUARTER = re.compile(
    _IN + r"[\s:]+(?:trong\s+)?quy\s+(?P<q>iv|i{1,3}|[1-4])\s*"
    r"(?:/|nam)\s*(?P<y>\d{4})"
)
_YEAR_ONLY = re.compile(r"(?:trong\s+)?nam\s+(?P<y>\d{4})")
_RECURRING = re.compile(
    r"(?<!\w)(?:thuong xuyen|dinh ky|hang (?:ngay|tuan|thang|quy|nam)"
    r"|moi (?:tuan|thang|quy))(?!\w)"
)
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass
class When:
    deadline: date | None = None
    recurring: bool = False
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.deadline is not None or self.recurring or bool(self.notes)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def deadline_in(ft: Folded, year: int | None) -> When:
    """The deadline an assignment states: a day after "trước", "chậm nhất", "thời hạn", "xong";
    a month ("trong tháng 3/2025", its last day) or a quarter ("quý II/2025", its last day);
    or recurring wording. Dates that only refer to other documents are ignored."""
    when = When()
    found: list[tuple[int, date, str]] = []
    for m in _DEADLINE_DAY.finditer(ft.folded):
        written = ft.text[m.start("d") if m["d"] else m.start("d2") : m.end()]
        day = _day(m, year, written, when)
        if day:
            found.append((m.start(), day, written))
    for m in _DEADLINE_MONTH.finditer(ft.folded):
        if 1 <= int(m["m"]) <= 12:
            found.append((m.start(), _month_end(int(m["y"]), int(m["m"])), ""))
    for m in _DEADLINE_QUARTER.finditer(ft.folded):
        quarter = _QUARTERS[m["q"]]
        found.append((m.start(), _month_end(int(m["y"]), quarter * 3), ""))
    found.sort(key=lambda f: f[0])
    recurring = bool(_RECURRING.search(ft.folded))
    if found:
        when.deadline = found[0][1]
        if len({d for _, d, _ in found}) > 1:
            when.notes.append(
                (
                    CHECK,
                    "có nhiều thời hạn trong nội dung: đã lấy thời hạn đầu tiên "
                    f"({when.deadline:%d/%m/%Y})",
                )
            )
        if recurring:
            when.notes.append(
                (NOTE, "có cả thời hạn và yêu cầu thường xuyên/định kỳ: đã lấy thời hạn")
            )
    else:
        when.recurring = recurring
    return when


def _day(m: re.Match, year: int | None, written: str, when: When) -> date | None:
    d, mo, y = (m["d"], m["m"], m["y"]) if m["d"] else (m["d2"], m["m2"], m["y2"])
    if not y:
        if year is None:
            when.notes.append((CHECK, f"thời hạn «{written}» không ghi năm"))
            return None
        when.notes.append(
            (CHECK, f"thời hạn «{written}» không ghi năm: đã lấy năm ban hành {year}")
        )
        y = year
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        when.notes.append((CHECK, f"thời hạn «{written}» không phải ngày hợp lệ"))
        return None


def deadline_value(value: str, year: int | None) -> When:
    """A deadline written on its own (a "Thời hạn:" line, a table cell): a day, a month, a
    quarter, a year ("Năm 2025" -> 31/12/2025) or recurring wording."""
    value = value.strip(" .;")
    if not value:
        return When()
    when = deadline_in(Folded("thời hạn: " + value), year)
    if when.deadline is None and (m := _YEAR_ONLY.fullmatch(_fold(value))):
        when.deadline = date(int(m["y"]), 12, 31)
    if not when.found:
        when.notes.append((CHECK, f"không đọc được thời hạn «{value}»"))
    return when
