"""Load and save times of the stores side by side: PostgreSQL, SQLite, and Google Sheets over the
fake Sheets API (10,000 tasks only: a real sheet holds at most 10 million cells).

    python -m bench.stores [--tasks 10000 100000] [--sheets-max 10000]

PostgreSQL: BENCH_POSTGRES_URL or TEST_POSTGRES_URL when set, else a throwaway cluster from the
local binaries (tests/pgcluster.py). Data: services.demo_data.generate (tasks with their history).
Per store and size: the bulk fill (not the app's path), a cold load (the whole snapshot, median
of 3), one save (re-read under lock, conflict check, write + history; median of 5), and for
PostgreSQL the change-counter check every replica makes before reusing its cached snapshot.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from services.demo_data import generate
from services.domain.model import IN_PROGRESS, ROLE_ADMIN, Snapshot, User, now_local

ACTOR = User("bench@ubnd.gov.vn", "Bench", "VPUB", ROLE_ADMIN)


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def median_ms(action, times: int) -> float:
    return statistics.median(timed(action)[0] for _ in range(times)) * 1000


def measure(store, fill) -> dict:
    fill_s, _ = timed(fill)
    load_ms = median_ms(store.load, 3)
    snap: Snapshot = store.load()
    targets = iter(snap.tasks[len(snap.tasks) // 3 :: 997])

    def save():
        task = next(targets)
        store.update_task(
            task, {"status": IN_PROGRESS, "progress": (task.progress + 7) % 101}, ACTOR, now_local()
        )

    row = {
        "fill": fill_s,
        "load": load_ms,
        "save": median_ms(save, 5),
        "history": len(snap.history),
    }
    if hasattr(store, "data_version"):
        row["signal"] = median_ms(store.data_version, 20)
    return row


def bench_sqlite(data, folder: Path) -> dict:
    from services.stores.sqlite import SQLiteStore

    store = SQLiteStore(str(folder / f"bench-{uuid.uuid4().hex[:6]}.db"))
    directives, agencies, tasks, history = data
    return measure(store, lambda: store.bulk_load(directives, agencies, tasks, history))


def bench_postgres(data, server_url: str) -> dict:
    from services.stores.postgres import PostgresStore
    from tests.pgcluster import drop_schema, new_schema

    schema, url = new_schema(server_url)
    store = PostgresStore(url)
    try:
        directives, agencies, tasks, history = data
        return measure(store, lambda: store.bulk_load(directives, agencies, tasks, history))
    finally:
        store.close()
        drop_schema(server_url, schema)


def bench_sheets(data) -> dict:
    from bench.demo import fake_workbook
    from services.stores.sheets import GSheetsStore
    from tests.fakesheets import FakeSheetsServer

    server = FakeSheetsServer().start()
    try:
        _, settings = fake_workbook(server.url, {})
        store = GSheetsStore.from_settings(settings)
        directives, agencies, tasks, history = data
        snap = Snapshot(tuple(directives), tuple(agencies), tuple(tasks), (), tuple(history))
        return measure(store, lambda: store.init_sheet(snap))
    finally:
        server.stop()


def postgres_server():
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url, None
    from tests.pgcluster import Cluster, binaries

    bindir = binaries()
    if bindir is None:
        return None, None
    cluster = Cluster(bindir)
    return cluster.start(), cluster


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--sheets-max", type=int, default=10_000)
    args = parser.parse_args(argv)
    server_url, cluster = postgres_server()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for count in args.tasks:
                data = generate(tasks=count)
                rows.append((count, "SQLite", bench_sqlite(data, Path(folder))))
                if server_url:
                    rows.append((count, "PostgreSQL", bench_postgres(data, server_url)))
                if count <= args.sheets_max:
                    rows.append((count, "Sheets (fake API)", bench_sheets(data)))
    finally:
        if cluster is not None:
            cluster.stop()
    print("Store load and save times (demo data: tasks with their history)")
    header = f"{'tasks':>8} {'store':<18}{'history':>9}{'fill':>9}{'load':>10}{'save':>9}"
    print(header + f"{'signal':>9}")
    for count, name, r in rows:
        signal = f"{r['signal']:>6.2f} ms" if "signal" in r else f"{'—':>9}"
        print(
            f"{count:>8,} {name:<18}{r['history']:>9,}{r['fill']:>7.1f} s"
            f"{r['load']:>7.0f} ms{r['save']:>6.0f} ms{signal}"
        )
    if not server_url:
        print("PostgreSQL: not measured (no server: set BENCH_POSTGRES_URL or install it)")


if __name__ == "__main__":
    main()
