"""Snapshot -> one task table with categories -> KPIs and per-agency metrics (pandas).

Computed once per snapshot and as-of date; pages and charts only slice the result.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from services.domain.model import (
    CATEGORIES,
    DONE,
    DONE_ON_TIME,
    EDITABLE_FIELDS,
    FIELD_LABELS,
    OVERDUE,
    Snapshot,
    category,
    days_late,
    is_due_soon,
)

UPDATE_WINDOW_DAYS = 30
# The one definition of the update rate, used by Tổng quan (silent agencies), Cơ quan
# (scorecard), Báo cáo and the reminder letter, and shown as their help text.
UPDATE_RATE_LABEL = f"Tỷ lệ cập nhật {UPDATE_WINDOW_DAYS} ngày"
UPDATE_RATE_HELP = (
    f"Nhiệm vụ được báo cáo tiến độ trong {UPDATE_WINDOW_DAYS} ngày qua / nhiệm vụ cần báo "
    f"cáo (chưa hoàn thành, hoặc hoàn thành trong {UPDATE_WINDOW_DAYS} ngày qua). Hoàn thành "
    "một nhiệm vụ cũng là một lần cập nhật. 0% nghĩa là cơ quan không cập nhật nhiệm vụ nào "
    f"trong {UPDATE_WINDOW_DAYS} ngày (danh sách «Cơ quan chưa cập nhật» trên Tổng quan)."
)

TASK_COLUMNS = [
    "id",
    "directive_id",
    "directive_number",
    "section",
    "content",
    "lead",
    "lead_name",
    "lead_group",
    "partners",
    "deadline",
    "status",
    "progress",
    "result",
    "evidence",
    "completed_on",
    "updated_at",
    "updated_by",
    "agency_updated_at",
    "category",
    "due_soon",
    "days_late",
]

AGENCY_COLUMNS = [
    "lead",
    "lead_name",
    "lead_group",
    "assigned",
    "done",
    "done_on_time",
    "overdue",
    "completion_rate",
    "on_time_rate",
    "update_rate",
    "last_update",
]


def agency_updates(snapshot: Snapshot) -> dict[str, datetime]:
    """Per task, the last time its progress was reported: the last history row of a reporting
    field (status, progress, result, evidence, completion date), or, for a change with no
    history row (typed into the sheet by hand), its "Cập nhật lúc". What the office does alone
    (adding the task, reassigning it, moving its deadline) is not a progress report."""
    reporting = {FIELD_LABELS[f] for f in EDITABLE_FIELDS}
    logged = {(c.task_id, c.at) for c in snapshot.history}
    last: dict[str, datetime] = {}
    reports = [(c.task_id, c.at) for c in snapshot.history if c.field in reporting]
    reports += [
        (t.id, t.updated_at)
        for t in snapshot.tasks
        if t.updated_at is not None and (t.id, t.updated_at) not in logged
    ]
    for task_id, at in reports:
        if at is not None and (task_id not in last or at > last[task_id]):
            last[task_id] = at
    return last


def tasks_frame(snapshot: Snapshot, as_of: date, due_soon_days: int = 7) -> pd.DataFrame:
    """One row per task with its reporting category as of `as_of`."""
    agencies = {a.code: a for a in snapshot.agencies}
    by_agency = agency_updates(snapshot)
    numbers = {d.id: d.number for d in snapshot.directives}
    tasks = snapshot.tasks
    if not tasks:
        return pd.DataFrame(columns=TASK_COLUMNS)  # object columns, as the pages expect
    leads = [agencies.get(t.lead) for t in tasks]
    columns = {  # column by column: a frame from lists is ~3x faster than from row dicts
        "id": [t.id for t in tasks],
        "directive_id": [t.directive_id for t in tasks],
        "directive_number": [numbers.get(t.directive_id, t.directive_id) for t in tasks],
        "section": [t.section for t in tasks],
        "content": [t.content for t in tasks],
        "lead": [t.lead for t in tasks],
        "lead_name": [a.name if a else t.lead for t, a in zip(tasks, leads)],
        "lead_group": [a.group if a else "" for a in leads],
        "partners": [
            "; ".join(agencies[p].name if p in agencies else p for p in t.partners) for t in tasks
        ],
        "deadline": [t.deadline for t in tasks],
        "status": [t.status for t in tasks],
        "progress": [t.progress for t in tasks],
        "result": [t.result for t in tasks],
        "evidence": [t.evidence for t in tasks],
        "completed_on": [t.completed_on for t in tasks],
        "updated_at": [t.updated_at for t in tasks],
        "updated_by": [t.updated_by for t in tasks],
        "agency_updated_at": [by_agency.get(t.id) for t in tasks],
        "category": [category(t, as_of) for t in tasks],
        "due_soon": [is_due_soon(t, as_of, due_soon_days) for t in tasks],
        "days_late": [days_late(t, as_of) for t in tasks],
    }
    return pd.DataFrame({c: columns[c] for c in TASK_COLUMNS}, columns=TASK_COLUMNS)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def kpis(frame: pd.DataFrame) -> dict:
    """Totals for the KPI cards: each category, due soon, and the two rates."""
    counts = frame["category"].value_counts()
    total = len(frame)
    done = int((frame["status"] == DONE).sum())
    on_time = int(counts.get(DONE_ON_TIME, 0))
    return {
        "total": total,
        **{c: int(counts.get(c, 0)) for c in CATEGORIES},
        "due_soon": int(frame["due_soon"].sum()),
        "completion_rate": _rate(done, total),
        "on_time_rate": _rate(on_time, done),
    }


def update_window(frame: pd.DataFrame, as_of: date, tz: str = "Asia/Ho_Chi_Minh"):
    """Per task: its last progress report (local time), whether it is open, whether it needs a
    report in the window (open, or reported -- e.g. completed -- within it) and whether it got
    one. The update rate is recent / due per agency (UPDATE_RATE_HELP); an agency is silent when
    it has tasks due a report and none got one."""
    since = datetime.combine(as_of - timedelta(days=UPDATE_WINDOW_DAYS), time.min, ZoneInfo(tz))
    updated = pd.to_datetime(frame["agency_updated_at"], utc=True).dt.tz_convert(tz)
    is_open = frame["status"] != DONE
    recent = (updated >= since).fillna(False).astype(bool)
    due = is_open | recent
    return updated, is_open, due, recent & due


def agency_metrics(frame: pd.DataFrame, as_of: date, tz: str = "Asia/Ho_Chi_Minh") -> pd.DataFrame:
    """Per lead agency: assigned, done, done on time, overdue, completion rate, on-time rate
    (done on time / done), update rate (see update_window and UPDATE_RATE_HELP) and last update
    (the last report: see agency_updates)."""
    if frame.empty:
        return pd.DataFrame(columns=AGENCY_COLUMNS)
    updated, is_open, due, recent = update_window(frame, as_of, tz)
    work = pd.DataFrame(
        {
            "lead": frame["lead"],
            "lead_name": frame["lead_name"],
            "lead_group": frame["lead_group"],
            "assigned": 1,
            "done": (~is_open).astype(int),
            "done_on_time": (frame["category"] == DONE_ON_TIME).astype(int),
            "overdue": (frame["category"] == OVERDUE).astype(int),
            "due": due.astype(int),
            "recent": recent.astype(int),
            "last_update": updated,
        }
    )
    grouped = work.groupby(["lead", "lead_name", "lead_group"], as_index=False, dropna=False).agg(
        assigned=("assigned", "sum"),
        done=("done", "sum"),
        done_on_time=("done_on_time", "sum"),
        overdue=("overdue", "sum"),
        due=("due", "sum"),
        recent=("recent", "sum"),
        last_update=("last_update", "max"),
    )
    grouped["completion_rate"] = grouped["done"] / grouped["assigned"]
    grouped["on_time_rate"] = [
        _rate(a, b) for a, b in zip(grouped["done_on_time"], grouped["done"])
    ]
    grouped["update_rate"] = [_rate(a, b) for a, b in zip(grouped["recent"], grouped["due"])]
    grouped = grouped.sort_values(
        ["overdue", "completion_rate", "lead_name"], ascending=[False, True, True], kind="stable"
    )
    return grouped[AGENCY_COLUMNS].reset_index(drop=True)
