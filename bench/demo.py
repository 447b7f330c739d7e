"""What the AppTest benchmarks share: a timer, and a SQLite file of demo data made and described
once (services/demo_data.py)."""

from __future__ import annotations

import time


def timed(fn):
    """(seconds, fn())."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def demo_store(db: str, tasks: int, agencies: int, directives: int) -> None:
    """Fill a new SQLite file with demo data as of today and print what it holds."""
    from services import demo_data
    from services.domain.model import today_local
    from services.stores.sqlite import SQLiteStore

    seconds, counts = timed(
        lambda: demo_data.fill_store(
            SQLiteStore(db),
            tasks=tasks,
            agencies=agencies,
            directives=directives,
            today=today_local(),
        )
    )
    print(
        f"Dữ liệu mẫu: {counts['tasks']} nhiệm vụ, {counts['agencies']} cơ quan, "
        f"{counts['directives']} văn bản, {counts.get('period_reports', 0)} báo cáo kỳ, "
        f"{counts['history']} dòng lịch sử ({seconds:.2f} s để tạo)"
    )
