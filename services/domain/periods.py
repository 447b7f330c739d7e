"""Reporting periods (kỳ báo cáo) of ongoing tasks: the cycle, its periods and their due dates,
and the status of each period's report as of a local day.

A cycle is stored as one cell of Vietnamese text, so that people can read and type it in the
shared sheet:  "Hằng tháng, hạn ngày 25, từ 01/12/2026, đến 31/12/2027"  (the last two optional).

Rules (the Vietnamese administrative usage: "báo cáo định kỳ hằng tháng trước ngày 25"):
- a period is a calendar month, quarter, half-year or year;
- its report is due on the cycle's day of the period's LAST month (a quarterly report "trước ngày
  20" is due 20/03, 20/06, ...), clamped to the month's length (day 31 in February -> 28 or 29);
- the first period counted is the first one whose due date is on or after the cycle's start (a
  cycle set on 28/01 with reports due on the 25th starts with February: nobody is late for a
  report asked after its due day); without a start, the cycle counts from its first period;
- the last one is the period containing the end date (none after it);
- a report counts for its period unless the office returned it; the first report that counts
  decides on time (submitted on or before the due date, office's local date) or late;
- a period past its due date without a report that counts is "not reported" (Chưa báo cáo, quá
  hạn); urgency uses services.domain.urgency.level on the due date, as for task deadlines.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from services.domain.dates import DateError, format_date, parse_date
from services.domain.model import PeriodReport, Snapshot, Task, fold

MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY = "monthly", "quarterly", "half_yearly", "yearly"
KIND_LABELS = {
    MONTHLY: "Hằng tháng",
    QUARTERLY: "Hằng quý",
    HALF_YEARLY: "6 tháng",
    YEARLY: "Hằng năm",
}
MONTHS_IN = {MONTHLY: 1, QUARTERLY: 3, HALF_YEARLY: 6, YEARLY: 12}
MAX_PERIODS = 240  # a cycle's periods listed at most (20 years of months)

# Period report status, as of a day.
ON_TIME = "Báo cáo đúng hạn"
LATE_REPORT = "Báo cáo muộn"
MISSING = "Chưa báo cáo (quá hạn)"
NOT_DUE = "Chưa đến hạn"
PERIOD_STATUSES = (ON_TIME, LATE_REPORT, MISSING, NOT_DUE)


class CycleError(ValueError):
    """A cycle text that cannot be read (the message is Vietnamese)."""


@dataclass(frozen=True)
class Cycle:
    kind: str  # MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY
    day: int  # the due day in the period's last month, 1..31
    start: date | None = None
    end: date | None = None
    month: int | None = None  # yearly only: the due month ("trước ngày 30/11 hằng năm"); else 12

    def __post_init__(self):
        if self.kind not in KIND_LABELS:
            raise CycleError(f"Kỳ báo cáo không hợp lệ: «{self.kind}».")
        if not 1 <= self.day <= 31:
            raise CycleError("Ngày hạn báo cáo phải từ 1 đến 31.")
        if self.month is not None and (self.kind != YEARLY or not 1 <= self.month <= 12):
            raise CycleError("Tháng hạn báo cáo chỉ dùng cho kỳ hằng năm (1 đến 12).")
        if self.start and self.end and self.end < self.start:
            raise CycleError("Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.")

    def text(self) -> str:
        due = f"{self.day}/{self.month}" if self.month else f"{self.day}"
        parts = [KIND_LABELS[self.kind], f"hạn ngày {due}"]
        if self.start:
            parts.append(f"từ {format_date(self.start)}")
        if self.end:
            parts.append(f"đến {format_date(self.end)}")
        return ", ".join(parts)

    def describe(self) -> str:
        """What a user reads: "Hằng tháng, báo cáo trước ngày 25"."""
        last = {MONTHLY: "", QUARTERLY: " tháng cuối quý", HALF_YEARLY: " tháng 6 và tháng 12"}
        where = last.get(self.kind, f" tháng {self.month or 12}")
        text = f"{KIND_LABELS[self.kind]}, hạn ngày {self.day}{where}"
        return text + (f", đến {format_date(self.end)}" if self.end else "")


@dataclass(frozen=True)
class Period:
    key: str  # "2026-01", "2026-Q1", "2026-H1", "2026"
    start: date
    end: date
    due: date

    @property
    def label(self) -> str:
        return period_label(self.key)


def period_label(key: str) -> str:
    """What a user reads for a period's key: "2026-10" -> "Tháng 10/2026", "2026-Q1" ->
    "Quý I/2026"; a key it does not know is shown as it is."""
    y, _, rest = key.partition("-")
    try:
        if not rest:
            return f"Năm {int(y)}"
        if rest.startswith("Q"):
            return f"Quý {_roman(int(rest[1:]))}/{y}"
        if rest.startswith("H"):
            return f"6 tháng {'đầu' if rest == 'H1' else 'cuối'} năm {y}"
        return f"Tháng {int(rest):02d}/{y}"
    except (ValueError, IndexError):
        return key


def _roman(n: int) -> str:
    return ("I", "II", "III", "IV")[n - 1]


_KIND_WORDS = (
    (QUARTERLY, ("hang quy", "moi quy", "quy")),
    (HALF_YEARLY, ("6 thang", "sau thang", "nua nam")),
    (YEARLY, ("hang nam", "moi nam", "nam")),
    (MONTHLY, ("hang thang", "moi thang", "thang")),
)


@lru_cache(maxsize=4096)
def parse_cycle(text: str) -> Cycle | None:
    """The cycle in a cell ("" -> None); CycleError (Vietnamese) when it cannot be read."""
    raw = str(text or "").strip()
    if not raw:
        return None
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    head = fold(parts[0])
    kind = next((k for k, words in _KIND_WORDS if head in words), None)
    if kind is None:
        raise CycleError(
            f"Kỳ báo cáo không đọc được: «{raw}» (ví dụ: «Hằng tháng, hạn ngày 25» hoặc "
            "«Hằng quý, hạn ngày 20, đến 31/12/2027»)."
        )
    day, start, end, month = None, None, None, None
    for part in parts[1:]:
        key = fold(part)
        try:
            if m := re.fullmatch(r"(?:han )?(?:ngay )?(\d{1,2})(?:\s*/\s*(\d{1,2}))?", key):
                day, month = int(m[1]), int(m[2]) if m[2] else None
            elif key.startswith("tu "):
                start = parse_date(part[3:].strip())
            elif key.startswith("den "):
                end = parse_date(part[4:].strip())
            else:
                raise CycleError(f"Kỳ báo cáo: không hiểu «{part}» trong «{raw}».")
        except DateError as e:
            raise CycleError(f"Kỳ báo cáo: ngày không hợp lệ trong «{raw}» ({e}).") from e
    if day is None:
        raise CycleError(f"Kỳ báo cáo «{raw}»: thiếu ngày hạn báo cáo (ví dụ «hạn ngày 25»).")
    return Cycle(kind, day, start, end, month)


# --- period arithmetic --------------------------------------------------------------------------


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def period_of(cycle: Cycle, day: date) -> Period:
    """The period of `cycle` that contains `day`."""
    size = MONTHS_IN[cycle.kind]
    first_month = (day.month - 1) // size * size + 1
    last_month = first_month + size - 1
    start = date(day.year, first_month, 1)
    end = _clamped(day.year, last_month, 31)
    if cycle.kind == MONTHLY:
        key = f"{day.year}-{day.month:02d}"
    elif cycle.kind == QUARTERLY:
        key = f"{day.year}-Q{(first_month - 1) // 3 + 1}"
    elif cycle.kind == HALF_YEARLY:
        key = f"{day.year}-H{1 if first_month == 1 else 2}"
    else:
        key = f"{day.year}"
    due_month = cycle.month or last_month
    return Period(key, start, end, _clamped(day.year, due_month, cycle.day))


def _next(cycle: Cycle, period: Period) -> Period:
    return period_of(cycle, period.end + timedelta(days=1))


def first_period(cycle: Cycle, fallback_start: date | None = None) -> Period | None:
    """The first period counted: the first whose due date is on or after the start."""
    start = cycle.start or fallback_start
    if start is None:
        return None
    period = period_of(cycle, start)
    return period if period.due >= start else _next(cycle, period)


def periods_until(cycle: Cycle, as_of: date, fallback_start: date | None = None) -> list[Period]:
    """The periods counted from the first one to the one containing `as_of` (the current one
    included), none after the end date; oldest first."""
    period = first_period(cycle, fallback_start)
    out: list[Period] = []
    while period is not None and period.start <= as_of and len(out) < MAX_PERIODS:
        if cycle.end and period.start > cycle.end:
            break
        out.append(period)
        period = _next(cycle, period)
    if len(out) == MAX_PERIODS:  # keep the most recent ones
        out = out[-MAX_PERIODS:]
    return out


def next_due(cycle: Cycle, as_of: date, reported=frozenset(), fallback_start=None):
    """The next period still owed as of a day: the oldest counted period without a report that
    counts (keys in `reported`), else the next one to come; None when the cycle has ended."""
    listed = periods_until(cycle, as_of, fallback_start)
    for period in listed:
        if period.key not in reported:
            return period
    if listed:
        period = _next(cycle, listed[-1])
    else:
        period = first_period(cycle, fallback_start) or period_of(cycle, as_of)
    if cycle.end and period.start > cycle.end:
        return None
    return period


def status(period: Period, submitted_on: date | None, as_of: date) -> str:
    """The status of one period: the local date of its first report that counts, as of a day."""
    if submitted_on is not None:
        return ON_TIME if submitted_on <= period.due else LATE_REPORT
    return MISSING if as_of > period.due else NOT_DUE


# --- a snapshot's periods ---------------------------------------------------------------------


def fallback_start(snapshot: Snapshot, task: Task) -> date | None:
    """A cycle typed without a start counts from its directive's issue date."""
    directive = next((d for d in snapshot.directives if d.id == task.directive_id), None)
    raw = directive.issued_on if directive else ""
    try:
        return date.fromisoformat(raw if len(raw) == 10 else f"{raw}-01") if raw else None
    except ValueError:
        return None


def task_cycle(task: Task) -> Cycle | None:
    try:
        return parse_cycle(task.cycle)
    except CycleError:
        return None  # reported by the data checks (the cell is flagged when read)


def counting_reports(snapshot: Snapshot) -> dict[tuple[str, str], PeriodReport]:
    """(task id, period key) -> the first report that counts (not returned), by submission."""
    found: dict[tuple[str, str], PeriodReport] = {}
    for r in sorted(
        snapshot.period_reports, key=lambda r: (r.submitted_at is None, r.submitted_at or 0, r.id)
    ):
        if r.counts:
            found.setdefault((r.task_id, r.period), r)
    return found
