"""What the benchmarks share: a timer, their command-line sizes, a SQLite file of demo data made
and described once (services/demo_data.py), and a workbook on the fake Sheets API."""

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


def demo_arguments(parser) -> None:
    """The sizes of the demo data (and the runs to time) the AppTest benchmarks take."""
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--agencies", type=int, default=60)
    parser.add_argument("--directives", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, help="warm reruns to time")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold runs to time")


def fake_workbook(url: str, tables: dict, timeout: float | None = None, **secrets):
    """(the fake's control, the settings that open it): a workbook "bench" holding `tables` on
    the fake Sheets API at `url`, reached with a service account of the fake; `secrets`: more
    sections of the settings (e.g. app, email)."""
    from services.config import load_settings
    from tests.fakesheets import FakeSheetsControl
    from tests.fakesheets.fixtures import make_service_account_info

    fake = FakeSheetsControl(url, **({"timeout": timeout} if timeout else {}))
    fake.create(
        {
            "spreadsheetId": "bench",
            "title": "bench",
            "sheets": [{"title": n, "values": rows} for n, rows in tables.items()],
        }
    )
    info = make_service_account_info(url + "/token")
    gsheets = {"spreadsheet": "bench", "endpoint": url, "service_account": info}
    return fake, load_settings({**secrets, "gsheets": gsheets})
