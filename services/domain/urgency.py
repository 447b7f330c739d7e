"""Urgency of a due date as of a local day: one scale and one colour code for task deadlines and
period reports alike (Tổng quan, Cần chỉ đạo, Báo cáo, exports and the reminder e-mails).

    Sắp đến hạn           due from today to `soon_days` days ahead ([app] due_soon_days, 3)
    Quá hạn               1 to `serious_days` days past the due date
    Quá hạn nghiêm trọng  more than `serious_days` days past it ([app] serious_overdue_days, 7)

`as_of` is always the office's local date (services.domain.model.today_local), never the server's
UTC date: at 06:30 in Hà Nội the server clock still says yesterday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.domain.model import DONE, PENDING, Task

SOON = "Sắp đến hạn"
LATE = "Quá hạn"
SERIOUS = "Quá hạn nghiêm trọng"
LEVELS = (SERIOUS, LATE, SOON)  # most urgent first: the order of every list
COLOURS = {SERIOUS: "#7f1d1d", LATE: "#dc2626", SOON: "#d97706"}  # dark red, red, amber
DEFAULT_SOON_DAYS = 3
DEFAULT_SERIOUS_DAYS = 7


@dataclass(frozen=True)
class Thresholds:
    soon_days: int = DEFAULT_SOON_DAYS
    serious_days: int = DEFAULT_SERIOUS_DAYS


def level(due: date | None, as_of: date, limits: Thresholds = Thresholds()) -> str | None:
    """The urgency of something still owed on `due`, as of `as_of`; None when not urgent."""
    if due is None:
        return None
    late = (as_of - due).days
    if late > limits.serious_days:
        return SERIOUS
    if late > 0:
        return LATE
    if -late <= limits.soon_days:
        return SOON
    return None


def task_level(task: Task, as_of: date, limits: Thresholds = Thresholds()) -> str | None:
    """A task's urgency by its deadline: open tasks only (a completion reported or confirmed
    is not urgent, nor is a withdrawn task or one without a deadline)."""
    if task.status in (DONE, PENDING) or task.is_withdrawn:
        return None
    return level(task.deadline, as_of, limits)


def rank(value: str | None) -> int:
    """Sort key: the most urgent first, then the rest."""
    return LEVELS.index(value) if value in LEVELS else len(LEVELS)
