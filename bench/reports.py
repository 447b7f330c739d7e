"""Report files for a large store: wall time and size of each file.

    python -m bench.reports [--tasks 10000] [--agencies 60] [--directives 200] [--out DIR]

Builds a synthetic snapshot (services.demo_data.generate when it is there, else a simple one made
here), then times, for all directives as of today: the numbers (tasks_frame + prepare), the Excel
workbook, the CSV, the Word report and the reminder letter. Target (issue 5): the workbook of
10,000 tasks in under 10 s.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from services.dashboard.metrics import tasks_frame
from services.domain.model import (
    DEFAULT_TIMEZONE,
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    Agency,
    Directive,
    Snapshot,
    Task,
    today_local,
)
from services.reports import data as reports
from services.reports.excel import workbook_bytes
from services.reports.word import reminder_docx, report_docx

WORKBOOK_TARGET_SECONDS = 10.0


def synthetic_snapshot(
    tasks: int, agencies: int, directives: int, today: date, tz: str = DEFAULT_TIMEZONE
) -> tuple[Snapshot, str]:
    """A snapshot of `tasks` tasks, and where it came from."""
    try:
        from services.demo_data import generate
    except ImportError:
        generate = None
    if generate is not None:
        d, a, t, h = generate(
            tasks=tasks, agencies=agencies, directives=directives, seed=1, today=today, tz=tz
        )
        return Snapshot(tuple(d), tuple(a), tuple(t), (), tuple(h)), "services.demo_data.generate"
    return _fallback(tasks, agencies, directives, today, tz), "bench.reports (synthetic)"


def _fallback(tasks: int, agencies: int, directives: int, today: date, tz: str) -> Snapshot:
    rng = random.Random(1)
    zone = ZoneInfo(tz)
    agency_list = tuple(
        Agency(f"CQ{i:03d}", f"Cơ quan mẫu số {i}", group=f"Nhóm {i % 5 + 1}")
        for i in range(1, agencies + 1)
    )
    directive_list = tuple(
        Directive(
            f"VB-{i:04d}",
            f"{100 + i}/KH-UBND",
            (today - timedelta(days=rng.randrange(1, 300))).isoformat(),
            "UBND tỉnh Hưng Yên",
            f"[Dữ liệu mẫu] Kế hoạch số {i}",
        )
        for i in range(1, directives + 1)
    )
    task_list = []
    for i in range(1, tasks + 1):
        directive = directive_list[i % directives]
        issued = date.fromisoformat(directive.issued_on)
        deadline = None if rng.random() < 0.15 else issued + timedelta(days=rng.randrange(15, 270))
        status = rng.choice((NOT_STARTED, IN_PROGRESS, DONE))
        done_on = (
            min(today, issued + timedelta(days=rng.randrange(1, 300))) if status == DONE else None
        )
        touched = issued + timedelta(days=rng.randrange(0, max(1, (today - issued).days)))
        task_list.append(
            Task(
                id=f"NV-{i:05d}",
                directive_id=directive.id,
                section=str(rng.randrange(1, 9)),
                content=f"[Dữ liệu mẫu] Nhiệm vụ số {i}: triển khai, tổng hợp và báo cáo kết quả.",
                lead=rng.choice(agency_list).code,
                deadline=deadline,
                status=status,
                progress=100 if status == DONE else rng.randrange(0, 100, 10),
                completed_on=done_on,
                updated_at=datetime.combine(touched, clock(9), zone),
                updated_by="bench@invalid",
            )
        )
    return Snapshot(directive_list, agency_list, tuple(task_list))


def _timed(label: str, make, out: Path | None, name: str | None, rows: list) -> object:
    start = time.perf_counter()
    result = make()
    seconds = time.perf_counter() - start
    size = len(result) if isinstance(result, (bytes, bytearray)) else None
    if out and name and size is not None:
        (out / name).write_bytes(result)
    rows.append((label, seconds, size))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--agencies", type=int, default=60)
    parser.add_argument("--directives", type=int, default=200)
    parser.add_argument("--out", type=Path, help="also write the files into this folder")
    args = parser.parse_args(argv)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)

    tz = DEFAULT_TIMEZONE
    today = today_local(tz)
    start = time.perf_counter()
    snapshot, source = synthetic_snapshot(args.tasks, args.agencies, args.directives, today, tz)
    print(
        f"snapshot: {len(snapshot.tasks)} tasks, {len(snapshot.agencies)} agencies, "
        f"{len(snapshot.directives)} directives from {source} "
        f"({time.perf_counter() - start:.1f} s to generate, not counted)"
    )

    rows: list = []
    scope = reports.Scope(today)
    frame = _timed(
        "numbers (tasks_frame + prepare)", lambda: tasks_frame(snapshot, today), None, None, rows
    )
    data = reports.prepare(snapshot, scope, frame, tz=tz)
    rows[-1] = (
        rows[-1][0],
        rows[-1][1] + _seconds(lambda: reports.prepare(snapshot, scope, frame, tz=tz)),
        None,
    )
    _timed(
        "Excel workbook (.xlsx)",
        lambda: workbook_bytes(data),
        args.out,
        reports.file_name("xlsx", today),
        rows,
    )
    _timed(
        "CSV (.csv)",
        lambda: reports.csv_bytes(data),
        args.out,
        reports.file_name("csv", today),
        rows,
    )
    _timed(
        "Word report (.docx)",
        lambda: report_docx(data),
        args.out,
        reports.file_name("report", today),
        rows,
    )
    targets = reports.reminder_targets(data)
    if targets:
        _timed(
            "Reminder letter (.docx)",
            lambda: reminder_docx(data, today + timedelta(days=7)),
            args.out,
            reports.file_name("reminder", today),
            rows,
        )

    totals = data.totals
    print(
        f"as of {today:%d/%m/%Y}: {totals['total']} tasks, {totals['Quá hạn']} overdue, "
        f"{len(data.agencies)} agencies in the summary, {len(data.directives)} directive "
        f"sheets, reminder to {len(targets)} agencies "
        f"({sum(len(t.tasks) for t in targets)} open tasks listed)"
    )
    width = max(len(label) for label, _, _ in rows)
    for label, seconds, size in rows:
        shown = "" if size is None else f"{size / 1024:9.0f} KiB"
        print(f"  {label:<{width}}  {seconds:6.2f} s  {shown}")
    workbook = next(seconds for label, seconds, _ in rows if label.startswith("Excel"))
    verdict = "OK" if workbook < WORKBOOK_TARGET_SECONDS else "TOO SLOW"
    print(f"workbook target < {WORKBOOK_TARGET_SECONDS:.0f} s: {verdict}")
    return 0 if workbook < WORKBOOK_TARGET_SECONDS else 1


def _seconds(make) -> float:
    start = time.perf_counter()
    make()
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
