"""Read model of the reporting periods: for every active task with a cycle, each period counted so
far (the current one included) and its status as of a day, computed once per snapshot and day.

Every view (Tổng quan, Cần chỉ đạo, Báo cáo, Excel, Word, the reminder letter) counts periods from
`period_frame` through `counts`, so their numbers agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

import pandas as pd

from services.domain.agencies import AgencyIndex
from services.domain.model import DEFAULT_TIMEZONE, PeriodReport, Snapshot, Task
from services.domain.periods import (
    LATE_REPORT,
    MISSING,
    NOT_DUE,
    ON_TIME,
    Cycle,
    Period,
    counting_reports,
    fallback_start,
    next_due,
    periods_until,
    status,
    task_cycle,
)
from services.domain.urgency import Thresholds, level

COLUMNS = (
    "task_id",
    "directive_id",
    "agency",  # the lead agency today (successor followed)
    "period",  # key
    "period_label",
    "due",
    "current",  # the period containing as_of
    "status",
    "submitted_on",
    "report_id",
    "level",  # urgency of a period still owed (Sắp đến hạn / Quá hạn / nghiêm trọng)
    "days_late",
)
COUNT_COLUMNS = {ON_TIME: "on_time", LATE_REPORT: "late", MISSING: "missing", NOT_DUE: "not_due"}


@lru_cache(maxsize=4096)
def _periods(cycle: Cycle, as_of: date, start: date | None) -> tuple[Period, ...]:
    return tuple(periods_until(cycle, as_of, start))


def period_frame(
    snapshot: Snapshot,
    as_of: date,
    limits: Thresholds = Thresholds(),
    tz: str = DEFAULT_TIMEZONE,
) -> pd.DataFrame:
    """One row per (active task with a cycle, counted period), oldest period first per task."""
    zone = ZoneInfo(tz)
    index = AgencyIndex(snapshot.agencies)
    reports = counting_reports(snapshot)
    starts = {}
    rows = []
    for task in snapshot.active().tasks:
        cycle = task_cycle(task)
        if cycle is None:
            continue
        if task.directive_id not in starts:
            starts[task.directive_id] = fallback_start(snapshot, task)
        listed = _periods(cycle, as_of, starts[task.directive_id])
        agency = index.current(task.lead)
        for i, period in enumerate(listed):
            report = reports.get((task.id, period.key))
            day = (
                report.submitted_at.astimezone(zone).date()
                if report and report.submitted_at
                else None
            )
            state = status(period, day, as_of)
            owed = report is None
            rows.append(
                (
                    task.id,
                    task.directive_id,
                    agency,
                    period.key,
                    period.label,
                    period.due,
                    i == len(listed) - 1 and period.start <= as_of <= period.end,
                    state,
                    day,
                    report.id if report else "",
                    level(period.due, as_of, limits) if owed else None,
                    max(0, (as_of - period.due).days) if owed else 0,
                )
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def counts(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Periods per status (columns on_time, late, missing, not_due, total), per `by` (agency,
    directive_id) or overall (one row)."""
    names = list(COUNT_COLUMNS.values())
    if frame.empty:
        if by:
            return pd.DataFrame(columns=[by, *names, "total"])
        return pd.DataFrame([[0] * (len(names) + 1)], columns=[*names, "total"])
    coded = frame.assign(what=frame["status"].map(COUNT_COLUMNS))
    if by is None:
        table = coded["what"].value_counts().reindex(names, fill_value=0).to_frame().T
        table = table.reset_index(drop=True)
    else:
        table = (
            coded.groupby([by, "what"])
            .size()
            .unstack(fill_value=0)
            .reindex(columns=names, fill_value=0)
        )
        table = table.reset_index()
    table["total"] = table[names].sum(axis=1)
    return table


def summary(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per agency (by="agency") or directive (by="directive_id"): the current period's counts and
    the past periods' counts, side by side (columns cur_* and past_*)."""
    current = (
        counts(frame[frame["current"]], by).add_prefix("cur_").rename(columns={f"cur_{by}": by})
    )
    past = (
        counts(frame[~frame["current"]], by).add_prefix("past_").rename(columns={f"past_{by}": by})
    )
    merged = current.merge(past, on=by, how="outer").fillna(0)
    numbers = [c for c in merged.columns if c != by]
    merged[numbers] = merged[numbers].astype(int)
    return merged.sort_values(["cur_missing", "past_missing", by], ascending=[False, False, True])


def missing(frame: pd.DataFrame) -> pd.DataFrame:
    """The periods owed past their due date, most urgent first."""
    late = frame[frame["status"] == MISSING]
    return late.sort_values(["days_late", "task_id"], ascending=[False, True], kind="stable")


@dataclass(frozen=True)
class TaskPeriods:
    cycle: Cycle | None
    last: PeriodReport | None  # the newest report, whatever its state
    next: Period | None  # the next period owed


def task_periods(snapshot: Snapshot, task: Task, as_of: date) -> TaskPeriods:
    """What a task's card shows: its cycle, its last report and the next due period."""
    cycle = task_cycle(task)
    own = [r for r in snapshot.period_reports if r.task_id == task.id]
    last = max(
        own, key=lambda r: (r.submitted_at is not None, r.submitted_at or 0, r.id), default=None
    )
    if cycle is None:
        return TaskPeriods(None, last, None)
    reported = {r.period for r in own if r.counts}
    return TaskPeriods(
        cycle, last, next_due(cycle, as_of, reported, fallback_start(snapshot, task))
    )


def open_periods(snapshot: Snapshot, task: Task, as_of: date) -> list[Period]:
    """The periods the lead agency may report on now: those counted so far without a report
    that counts (returned ones are owed again), newest first."""
    cycle = task_cycle(task)
    if cycle is None:
        return []
    reported = {r.period for r in snapshot.period_reports if r.task_id == task.id and r.counts}
    listed = _periods(cycle, as_of, fallback_start(snapshot, task))
    return [p for p in reversed(listed) if p.key not in reported]
