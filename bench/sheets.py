"""Google Sheets data path on the fake Sheets API: requests and wall time per action.

    python -m bench.sheets [--tasks 10000]

Prints, for a sheet of N tasks: a cold load (new client, empty cache), a rerun within the cache
TTL, and one save; with the API requests each made and the cells the save wrote. Targets (issue 3):
cold load = 1 values request (+ the token), rerun = 0, save <= 3 requests writing the changed
cells + 2, and no request ever clears or rewrites a sheet.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from bench.demo import fake_workbook
from services.domain.model import IN_PROGRESS, ROLE_AGENCY, STATUSES, User, now_local
from services.stores.cache import SnapshotCache
from services.stores.layout import COLUMNS, TASKS
from services.stores.seed import read_tables
from services.stores.sheets import GSheetsStore
from tests.fakesheets import FakeSheetsServer


def synthetic_tables(count: int, seed: int = 1) -> dict:
    """The seed workbook with `count` generated task rows ("[Dữ liệu mẫu]")."""
    rng = random.Random(seed)
    tables = read_tables()
    names = [row[1] for row in tables["CoQuan"][1:]]
    header = [h for f, h in COLUMNS[TASKS] if f != "version"]
    rows = [header]
    for i in range(1, count + 1):
        deadline = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
        rows.append(
            [
                f"NV-{i:05d}",
                "VB-0001",
                str(rng.randrange(1, 9)),
                f"[Dữ liệu mẫu] Nhiệm vụ số {i}",
                rng.choice(names),
                "",
                deadline.strftime("%d/%m/%Y"),
                rng.choice(STATUSES),
                rng.randrange(0, 101, 10),
                "",
                "",
                "",
                "",
                "",
            ]
        )
    tables[TASKS] = rows
    return tables


def api_calls(fake) -> list[dict]:
    return [r for r in fake.requests() if r["path"].startswith("/v4/") or r["path"] == "/token"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    args = parser.parse_args(argv)

    server = FakeSheetsServer().start()
    fake, settings = fake_workbook(server.url, synthetic_tables(args.tasks))
    rows = []

    def measure(label, action):
        fake.clear_requests()
        received.clear()
        started = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - started
        calls = api_calls(fake)
        rows.append(
            (
                label,
                len([c for c in calls if c["path"] != "/token"]),
                len([c for c in calls if c["path"] == "/token"]),
                elapsed,
                calls,
                sum(received),
            )
        )
        return result

    store = GSheetsStore.from_settings(settings)
    received = []
    store.http.session.hooks["response"].append(lambda r, *a, **k: received.append(len(r.content)))
    store.anchor_rows()  # once per sheet (init-sheet does it); an unanchored row costs 2 more
    cache = SnapshotCache(store.load, settings.cache_ttl_seconds)
    snapshot = measure("cold load (new client)", cache.get)
    measure("rerun within the TTL", cache.get)
    task = snapshot.tasks[len(snapshot.tasks) // 2]
    actor = User("bench@x.vn", "Bench", task.lead, ROLE_AGENCY)
    measure(
        "one save (2 fields)",
        lambda: store.update_task(
            task,
            {"status": IN_PROGRESS, "progress": min(100, task.progress + 10)},
            actor,
            now_local(),
        ),
    )
    server.stop()

    print(f"Google Sheets data path, {args.tasks:,} tasks on the fake Sheets API")
    print(f"{'action':<26}{'API requests':>14}{'token':>7}{'bytes read':>12}{'wall time':>12}")
    for label, count, tokens, elapsed, _, size in rows:
        print(f"{label:<26}{count:>14}{tokens:>7}{size:>12,}{elapsed * 1000:>10.0f} ms")
    save_calls = rows[2][4]
    write = next(c for c in save_calls if c["path"].endswith(":batchUpdate"))
    kinds = [next(iter(r)) for r in write["body"]["requests"]]
    full = rows[0][5]
    print(
        f"save: bytes read {rows[2][5]:,} = {rows[2][5] / full:.1%} of a full load "
        f"({full:,}); one spreadsheets.batchUpdate of {len(kinds)} requests "
        f"({', '.join(sorted(set(kinds)))}), requests: "
        + ", ".join(
            f"{c['method']} {c['path'].rsplit('/', 1)[-1]}"
            for c in save_calls
            if c["path"] != "/token"
        )
    )
    every = [c["path"] for _, _, _, _, calls, _ in rows for c in calls]
    print(
        "requests that clear or rewrite a sheet:",
        sum(":clear" in p or "batchClear" in p for p in every),
    )


if __name__ == "__main__":
    main()
