"""Many writers against the fake Sheets API: what is acknowledged, present, lost or doubled.

    python -m bench.writers [--processes 6] [--saves 30] [--sessions 100]

1. `--processes` OS processes (app replicas) x `--saves` saves on the same 2 tasks, each on a
   fresh read: attempted / acknowledged / present / lost / doubled (issue 19).
2. `--sessions` concurrent sessions of ONE app process saving one task each, with the fake's quota
   at 60 reads and 60 writes per minute: all land, write requests, seconds (issue 15).
"""

from __future__ import annotations

import argparse
import threading
import time

from services.domain.model import now_local
from services.stores.seed import read_tables
from tests.fakesheets import FakeSheetsControl, FakeSheetsServer
from tests.fakesheets.fixtures import make_service_account_info
from tests.reliability.workers import ADMIN, open_store, racing_writer, run_processes, tally

from .sheets import synthetic_tables


def _book(fake, name, tables):
    fake.create(
        {
            "spreadsheetId": name,
            "title": name,
            "sheets": [
                {"sheetId": i, "title": n, "values": rows}
                for i, (n, rows) in enumerate(tables.items())
            ],
        }
    )


def racing(fake, info, processes: int, saves: int) -> None:
    _book(fake, "race", read_tables())
    open_store(fake.url, info, "race").anchor_rows()
    args = [(fake.url, info, "race", n, saves, ["NV-0001", "NV-0002"]) for n in range(processes)]
    started = time.perf_counter()
    results = run_processes(racing_writer, args, timeout=600)
    elapsed = time.perf_counter() - started
    acked = [a for r, _ in results for a in r]
    refused = sum(r for _, r in results)
    counts = tally(fake, "race", acked)
    print(
        f"{processes} processes x {saves} saves on 2 tasks ({elapsed:.1f} s): "
        f"attempted {processes * saves}, acknowledged {counts['acknowledged']}, "
        f"refused as conflicts {refused}, present {counts['present']}, "
        f"lost {counts['lost']}, doubled {counts['doubled']}"
    )


def sessions(fake, info, count: int) -> None:
    _book(fake, "burst", synthetic_tables(max(count, 100)))
    store = open_store(fake.url, info, "burst")
    store.anchor_rows()
    snap = store.load()
    fake.set_quota(read_per_minute=60, write_per_minute=60)
    fake.clear_requests()
    acked, errors = [], []

    def save(task):
        try:
            acked.extend(store.update_task(task, {"result": "đợt báo cáo"}, ADMIN, now_local()))
        except Exception as e:  # counted, printed below
            errors.append(e)

    threads = [threading.Thread(target=save, args=(t,)) for t in snap.tasks[:count]]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    calls = [r for r in fake.requests() if r["path"].startswith("/v4/")]
    writes = [r for r in calls if r["path"].endswith(":batchUpdate")]
    history = next(s for s in fake.dump("burst")["sheets"] if s["title"] == "LichSu")["values"]
    ids = [r[1] for r in history[1:]]
    print(
        f"{count} concurrent sessions, one save each, quota 60 reads + 60 writes/min: "
        f"landed {len(set(ids))}/{count}, lost {count - len(set(ids)) - len(errors)}, "
        f"refused {len(errors)}, doubled {len(ids) - len(set(ids))}, "
        f"write requests {len(writes)}, read requests {len(calls) - len(writes)}, "
        f"{elapsed:.1f} s"
    )
    fake.set_quota()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=6)
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=100)
    args = parser.parse_args(argv)
    server = FakeSheetsServer().start()
    fake = FakeSheetsControl(server.url)
    info = make_service_account_info(server.url + "/token")
    try:
        racing(fake, info, args.processes, args.saves)
        sessions(fake, info, args.sessions)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
