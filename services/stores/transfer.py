"""Copy everything from one store to another (Sheet -> PostgreSQL, SQLite -> PostgreSQL,
PostgreSQL -> Sheet as a read-only mirror, ...), idempotently, and prove it: counts of every table
and a checksum of every task, compared between source and target after the copy.

Rows are matched by key (task and directive id, agency code, user email, history change id +
field). A row missing in the target is written as it is in the source (ids, times, history and
all); a row equal in both is left alone, so a second run writes nothing; a row that differs is
never overwritten unless asked (`overwrite=True`, SQL targets only), and is reported.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC

from services.domain.errors import StoreError
from services.domain.model import Change, Snapshot, Task
from services.stores.base import Store
from services.stores.sql import SQLStore

TABLES = ("directives", "agencies", "tasks", "users", "requests", "period_reports", "history")
LABELS = {
    "directives": "văn bản",
    "agencies": "cơ quan",
    "tasks": "nhiệm vụ",
    "users": "người dùng",
    "requests": "đề xuất",
    "period_reports": "báo cáo kỳ",
    "history": "dòng lịch sử",
}


def _moment(value) -> str | None:
    """A time as UTC to the second: what every store keeps (the sheet keeps seconds)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat() if value else None


def task_checksum(t: Task) -> str:
    """sha256 of a task's fields in one canonical form, the same from every store."""
    canonical = {
        **vars(t),
        "partners": list(t.partners),
        "deadline": t.deadline.isoformat() if t.deadline else None,
        "completed_on": t.completed_on.isoformat() if t.completed_on else None,
        "updated_at": _moment(t.updated_at),
        "original_deadline": t.original_deadline.isoformat() if t.original_deadline else None,
        "progress": int(t.progress),
    }
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _change_key(c: Change) -> tuple:
    return (c.change_id, c.field)


def _canonical(table: str, row):
    if table == "tasks":
        return task_checksum(row)
    if table == "history":
        return (_moment(row.at), *(getattr(row, k) for k in vars(row) if k != "at"))
    if table == "requests":
        return replace(
            row, requested_at=_moment(row.requested_at), decided_at=_moment(row.decided_at)
        )
    if table == "period_reports":
        return replace(
            row, submitted_at=_moment(row.submitted_at), decided_at=_moment(row.decided_at)
        )
    return row


KEYS = {
    "directives": lambda d: d.id,
    "agencies": lambda a: a.code,
    "tasks": lambda t: t.id,
    "users": lambda u: u.email.lower(),
    "requests": lambda r: r.id,
    "period_reports": lambda r: r.id,
    "history": _change_key,
}


def rows_by_key(snap: Snapshot, table: str) -> dict:
    return {KEYS[table](r): r for r in getattr(snap, table)}


def snapshot_checksum(snap: Snapshot) -> str:
    """One checksum over every task checksum, in id order (printed to compare two stores)."""
    digest = hashlib.sha256()
    for task_id, t in sorted(rows_by_key(snap, "tasks").items()):
        digest.update(f"{task_id}:{task_checksum(t)}\n".encode())
    return digest.hexdigest()


@dataclass
class Plan:
    missing: dict[str, list] = field(default_factory=dict)  # table -> source rows to write
    differing: dict[str, list] = field(default_factory=dict)  # table -> keys that differ
    extra: dict[str, list] = field(default_factory=dict)  # table -> keys only in the target

    @property
    def nothing_to_do(self) -> bool:
        return not any(self.missing.values()) and not any(self.differing.values())


def plan_copy(source: Snapshot, target: Snapshot) -> Plan:
    plan = Plan()
    for table in TABLES:
        have, want = rows_by_key(target, table), rows_by_key(source, table)
        plan.missing[table] = [r for k, r in want.items() if k not in have]
        plan.differing[table] = [
            k
            for k, r in want.items()
            if k in have and _canonical(table, r) != _canonical(table, have[k])
        ]
        plan.extra[table] = [k for k in have if k not in want]
    return plan


def describe_plan(plan: Plan, overwrite: bool) -> list[str]:
    lines = []
    for table in TABLES:
        label = LABELS[table]
        if plan.missing[table]:
            lines.append(f"Chép {len(plan.missing[table])} {label} còn thiếu ở đích.")
        if plan.differing[table]:
            keys = ", ".join(map(str, plan.differing[table][:5]))
            more = "…" if len(plan.differing[table]) > 5 else ""
            what = "ghi đè bằng bản ở nguồn" if overwrite else "không ghi đè (xem --overwrite)"
            lines.append(f"{len(plan.differing[table])} {label} khác nguồn ({keys}{more}): {what}.")
        if plan.extra[table]:
            lines.append(
                f"{len(plan.extra[table])} {label} chỉ có ở đích: giữ nguyên (không xoá gì)."
            )
    return lines or ["Đích đã khớp với nguồn: không cần chép gì."]


def check_source(source: Snapshot) -> None:
    if source.problems or source.duplicate_ids:
        found = [str(p) for p in source.problems][:5] + [
            f"mã nhiệm vụ trùng: {i}" for i in sorted(source.duplicate_ids)[:5]
        ]
        raise StoreError(
            "Dữ liệu nguồn có lỗi, chưa chép được (hãy chạy `python -m services.cli --secrets "
            "<nguồn> check` và sửa trước): " + "; ".join(found)
        )


def apply_copy(source: Snapshot, target: Store, plan: Plan, overwrite: bool = False) -> None:
    """Write the plan into `target`. SQL stores: one transaction. A Google Sheet: the worksheets
    that have no data rows yet are filled (so an interrupted copy resumes where it stopped)."""
    if isinstance(target, SQLStore):
        m = plan.missing
        target.bulk_load(
            m["directives"],
            m["agencies"],
            m["tasks"],
            m["history"],
            m["users"],
            m["requests"],
            m["period_reports"],
        )
        if overwrite and any(plan.differing.values()):
            wanted = {t: rows_by_key(source, t) for t in TABLES}
            target.overwrite(
                [wanted["directives"][k] for k in plan.differing["directives"]],
                [wanted["agencies"][k] for k in plan.differing["agencies"]],
                [wanted["tasks"][k] for k in plan.differing["tasks"]],
                [wanted["users"][k] for k in plan.differing["users"]],
                [wanted["requests"][k] for k in plan.differing["requests"]],
                [wanted["period_reports"][k] for k in plan.differing["period_reports"]],
            )
        return
    if overwrite:
        raise StoreError(
            "--overwrite chỉ dùng được khi đích là cơ sở dữ liệu (SQLite, PostgreSQL)."
        )
    init_sheet = getattr(target, "init_sheet", None)
    if init_sheet is None:
        raise StoreError(f"Không chép được vào kho {type(target).__name__}.")
    init_sheet(source)


def verify(source: Snapshot, target: Snapshot) -> tuple[bool, list[str]]:
    """Counts of every table and every task's checksum, source against target."""
    lines, ok = [], True
    for table in TABLES:
        a, b = len(getattr(source, table)), len(getattr(target, table))
        mark = "khớp" if a == b else "KHÔNG khớp"
        ok &= a == b
        lines.append(f"{LABELS[table]}: nguồn {a}, đích {b} — {mark}")
    theirs = rows_by_key(target, "tasks")
    wrong = [
        task_id
        for task_id, t in rows_by_key(source, "tasks").items()
        if task_id not in theirs or task_checksum(theirs[task_id]) != task_checksum(t)
    ]
    if wrong:
        ok = False
        lines.append(f"{len(wrong)} nhiệm vụ có tổng kiểm khác nguồn: {', '.join(wrong[:10])}")
    else:
        lines.append(
            f"Tổng kiểm của cả {len(theirs)} nhiệm vụ khớp (sha256 {snapshot_checksum(target)[:16]})."
        )
    return ok, lines
