"""Cold load of the app's snapshot on the fake Sheets API as LichSu grows old.

    python -m bench.history [--tasks 10000] [--rows 0 100000 300000] [--recent 2000]

For each history size: a sheet of N tasks whose LichSu holds that many rows, of which `--recent`
fall in the window a page load carries (RECENT_HISTORY_DAYS) and the rest are older; a new store
(as a new app process) loads the recent snapshot as the app does. Printed: API requests, bytes
received and wall time, and the ratio to the empty-history case (target: 300,000 rows within
1.3x of 0). A full read (check, copy) is printed too: it does grow, and is never on a page load.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from bench.demo import fake_workbook
from bench.sheets import api_calls, synthetic_tables
from services.domain.dates import format_datetime
from services.domain.model import now_local
from services.stores.base import RECENT_HISTORY_DAYS
from services.stores.layout import COLUMNS, HISTORY
from services.stores.sheets import GSheetsStore
from tests.fakesheets import FakeSheetsServer


def history(total: int, recent: int, tasks: int) -> list[list]:
    now = now_local().replace(microsecond=0)
    old, new = max(0, total - recent), min(total, recent)
    start_old = now - timedelta(days=3 * 365)
    span_old = timedelta(days=3 * 365 - RECENT_HISTORY_DAYS - 2)
    start_new = now - timedelta(days=RECENT_HISTORY_DAYS - 1)
    span_new = timedelta(days=RECENT_HISTORY_DAYS - 2)
    moments = [start_old + span_old * (i / max(1, old)) for i in range(old)]
    moments += [start_new + span_new * (i / max(1, new)) for i in range(new)]
    return [
        [
            format_datetime(at),
            f"c{i:07d}",
            f"NV-{i % tasks + 1:05d}",
            "Tiến độ (%)",
            str(i % 100),
            str((i + 10) % 100),
            "canbo@snv.gov.vn",
            "Sở Nội vụ",
        ]
        for i, at in enumerate(moments)
    ]


def measure(tasks: int, rows: int, recent: int) -> dict:
    server = FakeSheetsServer().start()
    try:
        tables = synthetic_tables(tasks)
        tables[HISTORY] = [[h for _, h in COLUMNS[HISTORY]], *history(rows, recent, tasks)]
        fake, settings = fake_workbook(server.url, tables, timeout=900)
        out = {}
        for label, days in (("recent", RECENT_HISTORY_DAYS), ("full", None)):
            # a new process: nothing remembered (a long deadline: the full read of 300,000 rows)
            store = GSheetsStore.from_settings(settings, deadline_seconds=600)
            received: list[int] = []
            store.http.session.hooks["response"].append(
                lambda r, *a, received=received, **k: received.append(len(r.content))
            )
            fake.clear_requests()
            received.clear()
            started = time.perf_counter()
            snap = store.load(history_days=days)
            elapsed = time.perf_counter() - started
            calls = [c for c in api_calls(fake) if c["path"] != "/token"]
            out[label] = (len(calls), sum(received), elapsed, len(snap.history))
        return out
    finally:
        server.stop()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--rows", type=int, nargs="+", default=[0, 100_000, 300_000])
    parser.add_argument("--recent", type=int, default=2_000)
    args = parser.parse_args(argv)
    results = {rows: measure(args.tasks, rows, args.recent) for rows in args.rows}
    base = results[args.rows[0]]["recent"][2]
    print(
        f"Cold load, {args.tasks:,} tasks, LichSu with {args.recent:,} rows in the last "
        f"{RECENT_HISTORY_DAYS} days (fake Sheets API)"
    )
    print(f"{'LichSu rows':>12}{'read':>8}{'requests':>10}{'bytes':>13}{'time':>10}{'ratio':>8}")
    for rows, out in results.items():
        for label in ("recent", "full"):
            calls, size, elapsed, kept = out[label]
            ratio = f"{elapsed / base:.2f}x" if label == "recent" else ""
            print(
                f"{rows:>12,}{label:>8}{calls:>10}{size:>13,}{elapsed * 1000:>8.0f} ms{ratio:>8}"
                f"   ({kept:,} history rows in the snapshot)"
            )


if __name__ == "__main__":
    main()
