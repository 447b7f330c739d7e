"""The seed data in data/seed/: the Hưng Yên directive that started the product, its agencies
and its tasks, as CSV files with the shared sheet's headers (so they read like the sheet)."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path

from services.domain.model import Task, today_local
from services.domain.periods import parse_cycle
from services.stores.layout import (
    AGENCIES,
    DIRECTIVES,
    HISTORY,
    PERIODS,
    REMINDERS,
    REQUESTS,
    TASKS,
    USERS,
    snapshot_parts,
)

SEED_DIR = Path(__file__).resolve().parents[2] / "data" / "seed"
DIRECTIVE_TEXT = SEED_DIR / "000_ac7ca4a3ea92d992.txt"


def read_tables(folder: Path = SEED_DIR) -> dict[str, list[list]]:
    tables = {}
    for sheet in (TASKS, DIRECTIVES, AGENCIES, USERS, HISTORY, REQUESTS, PERIODS, REMINDERS):
        path = folder / f"{sheet}.csv"
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as f:
                tables[sheet] = list(csv.reader(f))
    return tables


def seed_records(tz: str = "Asia/Ho_Chi_Minh", folder: Path = SEED_DIR, today: date | None = None):
    """(directives, agencies, tasks, users) for a brand-new store.

    The seed's tasks carry a monthly reporting cycle ("Hằng tháng, hạn ngày 25"): the directive
    states none; it is what an office sets when it starts following the directive up. A cycle
    in the seed without a start counts from the month the store is created (no past period is
    owed by a store made today; past reports exist only in the demo data)."""
    parts = snapshot_parts(read_tables(folder), tz)
    if parts["problems"]:
        raise ValueError("seed data has problems: " + "; ".join(map(str, parts["problems"])))
    first = (today or today_local(tz)).replace(day=1)
    tasks = tuple(_started(t, first) for t in parts["tasks"])
    return parts["directives"], parts["agencies"], tasks, parts["users"]


def _started(task: Task, first: date) -> Task:
    cycle = parse_cycle(task.cycle)
    if cycle is None or cycle.start is not None:
        return task
    return replace(task, cycle=replace(cycle, start=first).text())
