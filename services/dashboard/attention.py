"""Cần chỉ đạo: the leaders' exceptions view, only what needs a decision or a push:
- seriously overdue tasks (days late, lead agency, last update);
- extension and reassignment requests waiting for a decision;
- agencies with missing period reports (periods past their due date without a report that counts);
- tasks returned more than once.

Computed from the snapshot and the period table (services.dashboard.periods.period_frame) in one
pass over the tasks, so that it opens in well under a second at 10,000 tasks (bench/attention.py).
The same `headline` numbers are shown on Tổng quan, Báo cáo and in the exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from services.dashboard.periods import counts
from services.domain.agencies import AgencyIndex
from services.domain.model import REQUEST_KINDS, WAITING, Snapshot
from services.domain.periods import MISSING
from services.domain.urgency import SERIOUS, Thresholds, rank, task_level

RETURNED_TWICE = 2  # "returned more than once"


@dataclass(frozen=True)
class Attention:
    serious: pd.DataFrame  # task_id, directive_id, agency, deadline, days_late, updated_at, ...
    requests: pd.DataFrame  # request_id, task_id, kind, agency, asked, requested_at
    missing: pd.DataFrame  # per agency: agency, periods, tasks, max_days_late, level, task_ids
    missing_periods: pd.DataFrame  # per task and period: the detail of `missing`
    returned: pd.DataFrame  # task_id, agency, returns, reason, status

    def headline(self) -> dict[str, int]:
        return {
            "serious": len(self.serious),
            "requests": len(self.requests),
            "missing_periods": len(self.missing_periods),
            "missing_agencies": len(self.missing),
            "returned": len(self.returned),
        }


def attention(
    snapshot: Snapshot, periods: pd.DataFrame, as_of: date, limits: Thresholds = Thresholds()
) -> Attention:
    snap = snapshot.active()
    index = AgencyIndex(snap.agencies)
    current = {}

    def agency(code: str) -> str:
        if code not in current:
            current[code] = index.current(code)
        return current[code]

    serious, returned = [], []
    for t in snap.tasks:
        if task_level(t, as_of, limits) == SERIOUS:
            serious.append(
                (
                    t.id,
                    t.directive_id,
                    agency(t.lead),
                    t.deadline,
                    (as_of - t.deadline).days if t.deadline else 0,
                    t.updated_at,
                    t.updated_by,
                    t.content,
                )
            )
        if t.returns >= RETURNED_TWICE:
            returned.append((t.id, agency(t.lead), t.returns, t.return_reason, t.status))
    serious_frame = pd.DataFrame(
        serious,
        columns=[
            "task_id",
            "directive_id",
            "agency",
            "deadline",
            "days_late",
            "updated_at",
            "updated_by",
            "content",
        ],
    ).sort_values(["days_late", "task_id"], ascending=[False, True], kind="stable")
    live = {t.id: t for t in snap.tasks}
    requests = [
        (
            r.id,
            r.task_id,
            REQUEST_KINDS[r.kind],
            r.agency or agency(live[r.task_id].lead),
            r.proposed_deadline if r.proposed_deadline else r.proposed_agency,
            r.requested_at,
            r.reason,
        )
        for r in snap.requests
        if r.state == WAITING and r.task_id in live
    ]
    request_frame = pd.DataFrame(
        requests,
        columns=["request_id", "task_id", "kind", "agency", "asked", "requested_at", "reason"],
    )
    detail = periods[periods["status"] == MISSING].sort_values(
        ["days_late", "task_id"], ascending=[False, True], kind="stable"
    )
    if detail.empty:
        per_agency = pd.DataFrame(
            columns=["agency", "periods", "tasks", "max_days_late", "level", "task_ids"]
        )
    else:
        grouped = detail.groupby("agency", sort=False)
        per_agency = grouped.agg(
            periods=("task_id", "size"),
            tasks=("task_id", "nunique"),
            max_days_late=("days_late", "max"),
            level=("level", lambda s: min(s, key=rank)),
            task_ids=("task_id", lambda s: tuple(dict.fromkeys(s))),
        ).reset_index()
        per_agency = per_agency.sort_values(
            ["max_days_late", "periods", "agency"], ascending=[False, False, True]
        )
    returned_frame = pd.DataFrame(
        returned, columns=["task_id", "agency", "returns", "reason", "status"]
    ).sort_values(["returns", "task_id"], ascending=[False, True], kind="stable")
    return Attention(serious_frame, request_frame, per_agency, detail, returned_frame)


def period_headline(periods: pd.DataFrame) -> dict[str, int]:
    """The period status counts every view shows (all periods counted so far)."""
    row = counts(periods).iloc[0] if not periods.empty else None
    names = ("on_time", "late", "missing", "not_due", "total")
    return {n: int(row[n]) if row is not None else 0 for n in names}
