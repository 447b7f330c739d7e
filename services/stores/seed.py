"""The seed data in data/seed/: the Hưng Yên directive that started the product, its agencies
and its tasks, as CSV files with the shared sheet's headers (so they read like the sheet)."""

from __future__ import annotations

import csv
from pathlib import Path

from services.stores.layout import (
    AGENCIES,
    DIRECTIVES,
    HISTORY,
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
    for sheet in (TASKS, DIRECTIVES, AGENCIES, USERS, HISTORY, REQUESTS, REMINDERS):
        path = folder / f"{sheet}.csv"
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as f:
                tables[sheet] = list(csv.reader(f))
    return tables


def seed_records(tz: str = "Asia/Ho_Chi_Minh", folder: Path = SEED_DIR):
    """(directives, agencies, tasks, users) for a brand-new store."""
    parts = snapshot_parts(read_tables(folder), tz)
    if parts["problems"]:
        raise ValueError("seed data has problems: " + "; ".join(map(str, parts["problems"])))
    return parts["directives"], parts["agencies"], parts["tasks"], parts["users"]
