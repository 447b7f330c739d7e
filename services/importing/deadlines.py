"""Deadlines as directives write them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

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
    # "Từ nay đến ngày 19/12 chỉ còn 01 tháng": a countdown to an event, not a deadline
    r"|thoi gian(?:\s+(?:thuc hien|hoan thanh))?|xong|(?<!tu nay )den(?=\s+ngay))(?!\w)"
)
_GAP = r"(?:[\s:,]+(?:\d{1,2}\s*(?:gio|h)(?:\s*\d{1,2})?(?:\s*phut)?|[^\W\d_]+)){0,5}?[\s:,]+"
_DEADLINE_DAY = re.compile(_BY + _GAP + _DATE)
_YEARS = re.compile(r"(?:giai doan\s+|nam\s+)?\d{4}(?:\s*[-–]\s*\d{4})?")
_RECURRING = re.compile(
    r"(?<!\w)(?:thuong xuyen|dinh ky|hang (?:ngay|tuan|thang|quy|nam)"
    r"|moi (?:tuan|thang|quy))(?!\w)"
)


_PERIOD = re.compile(
    r"(?<!\w)(?:trong|truoc|den|cuoi|dau|giua|hoan thanh|xong|thoi han|thoi gian"
    r"(?:\s+(?:thuc hien|hoan thanh))?)[\s:]+(?:(?:trong|cuoi|dau|giua)\s+)?(?:(?:quy\s+(?:iv|i{1,3}|[1-4])"
    r"|thang\s+\d{1,2}|(?:6|sau)\s+thang\s+(?:dau|cuoi))\s*(?:/|nam|-)\s*\d{4}"
    r"|nam\s+\d{4})(?:\s*[-–]\s*(?:quy\s+(?:iv|i{1,3}|[1-4])\s*(?:/|nam)\s*\d{4}|\d{4}))?(?!\w)"
)
_YEARLY_DAY = re.compile(r"\s*(?:,\s*)?(?:hang|hang|moi)\s+(?:nam|thang|quy|tuan)(?!\w)")
_RELATIVE = re.compile(
    r"(?<!\w)(?:trong\s+(?:vong\s+|thoi han\s+)?|cham nhat\s+(?:la\s+)?|sau\s+|thoi han\s+)"
    r"(?P<n>\d{1,3})\s+(?P<unit>ngay lam viec|ngay|tuan|thang)"
    r"\s+(?:ke\s+)?tu\s+ngay\s+(?P<from>ky|ban hanh|van ban|quyet dinh|ke hoach|chi thi)?"
)


@dataclass
class When:
    deadline: date | None = None
    recurring: bool = False
    notes: list[tuple[int, str]] = field(default_factory=list)
    text: str = ""  # the deadline as written when it is not one date ("trong quý III năm 2025")
    suggested: date | None = None  # a relative deadline computed from the document's date

    @property
    def found(self) -> bool:
        return self.deadline is not None or self.recurring or bool(self.notes) or bool(self.text)


def _add_working_days(start: date, n: int) -> date:
    day = start
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _relative(ft: Folded, issued: str, when: When) -> None:
    """ "trong 10 ngày kể từ ngày ký": the date it gives from the document's date, as a
    suggestion for the reviewer (never stored without being confirmed)."""
    m = _RELATIVE.search(ft.folded)
    if not m:
        return
    when.text = ft.text[m.start() : m.end()].strip()
    n, unit = int(m["n"]), m["unit"]
    try:
        start = date.fromisoformat(issued) if len(issued or "") == 10 else None
    except ValueError:
        start = None
    if start is None:
        when.notes.append((CHECK, f"thời hạn tương đối «{when.text}»: cần nhập ngày cụ thể"))
        return
    if unit == "ngay lam viec":
        when.suggested = _add_working_days(start, n)
    elif unit == "ngay":
        when.suggested = start + timedelta(days=n)
    elif unit == "tuan":
        when.suggested = start + timedelta(weeks=n)
    else:
        month = start.month - 1 + n
        year, month = start.year + month // 12, month % 12 + 1
        when.suggested = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    when.notes.append(
        (
            CHECK,
            f"thời hạn tương đối «{when.text}»: gợi ý {when.suggested:%d/%m/%Y} "
            "(tính từ ngày ban hành), cần xác nhận",
        )
    )


def deadline_in(ft: Folded, year: int | None, issued: str = "") -> When:
    """The deadline an assignment states: a day after "trước", "chậm nhất", "thời hạn", "xong".
    A period ("trong quý III năm 2025", "tháng 12/2025", "năm 2025") gives no date: it is kept
    as text. A day repeated every year ("trước ngày 25/12 hằng năm") and "thường xuyên",
    "định kỳ" are recurring (no date). A relative deadline ("trong 10 ngày kể từ ngày ký") gives
    a suggested date to confirm. Dates that only refer to other documents are ignored."""
    when = When()
    found: list[tuple[int, date, str]] = []
    yearly = False
    for m in _DEADLINE_DAY.finditer(ft.folded):
        written = ft.text[m.start("d") if m["d"] else m.start("d2") : m.end()]
        if not (m["y"] or m["y2"]) and _YEARLY_DAY.match(ft.folded, m.end()):
            yearly = True  # "trước ngày 25/12 hằng năm": a recurring date
            continue
        day = _day(m, year, written, when)
        if day:
            found.append((m.start(), day, written))
    found.sort(key=lambda f: f[0])
    recurring = yearly or bool(_RECURRING.search(ft.folded))
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
        return when
    when.recurring = recurring
    if period := _PERIOD.search(ft.folded):
        when.text = ft.text[period.start() : period.end()].strip()
        when.notes.append((NOTE, f"thời hạn theo kỳ «{when.text}»: không ghi ngày cụ thể"))
    else:
        _relative(ft, issued, when)
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


def deadline_value(value: str, year: int | None, issued: str = "") -> When:
    """A deadline written on its own (a "Thời hạn:" line, a table cell): a day, a period
    ("Quý III/2025", "Năm 2025": kept as text), recurring or relative wording."""
    value = value.strip(" .;")
    if not value:
        return When()
    when = deadline_in(Folded("thời hạn: " + value), year, issued)
    if when.text:
        when.text = value  # as written in the cell or field
        when.notes = [(NOTE, f"thời hạn theo kỳ «{value}»: không ghi ngày cụ thể")]
    elif _YEARS.fullmatch(_fold(value)):
        when.text = value  # "2024 - 2025", "giai đoạn 2026-2030"
        when.notes.append((NOTE, f"thời hạn theo kỳ «{value}»: không ghi ngày cụ thể"))
    if not when.found:
        when.notes.append((CHECK, f"không đọc được thời hạn «{value}»"))
    return when
