"""Worker processes for the PostgreSQL concurrency tests. A separate, light module: each worker is
a spawned process (as an app replica is) that imports only this and the services."""

from __future__ import annotations

import multiprocessing
from datetime import datetime
from zoneinfo import ZoneInfo

from services.domain.errors import ConflictError
from services.domain.model import ROLE_ADMIN, Directive, Task, User, now_local
from services.stores.postgres import PostgresStore

TZ = "Asia/Ho_Chi_Minh"
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=ZoneInfo(TZ))
ADMIN = User("admin@ubnd.gov.vn", "Quản trị", "VPUB", ROLE_ADMIN)
TARGETS = ("NV-0007", "NV-0008")


def run_processes(target, args_list: list[tuple], timeout: float = 180) -> list:
    """`target(barrier, *args)` in one spawned process per args tuple, started together (the
    barrier is passed first); their return values, in order. A failed worker fails the test."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(args_list)), ctx.Queue()
    processes = [
        ctx.Process(target=_report, args=(results, i, target, barrier, *args))
        for i, args in enumerate(args_list)
    ]
    for p in processes:
        p.start()
    out = {}
    try:
        for _ in processes:
            index, ok, value = results.get(timeout=timeout)
            if not ok:
                raise AssertionError(f"worker {index} failed: {value}")
            out[index] = value
    finally:
        for p in processes:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
    return [out[i] for i in range(len(args_list))]


def _report(results, index, target, *args):
    try:
        results.put((index, True, target(*args)))
    except BaseException as e:  # the test sees which worker failed and why
        results.put((index, False, repr(e)))


def saver(barrier, url: str, n: int, saves: int) -> tuple[list[tuple[str, str]], int]:
    """`saves` acknowledged saves alternating over TARGETS; a conflict is re-read and retried
    (what a user does after the conflict message). Returns ([(task, change id)], conflicts)."""
    store = PostgresStore(url, tz=TZ, migrate=False)
    acknowledged, conflicts = [], 0
    barrier.wait()
    try:
        for j in range(saves):
            task_id = TARGETS[j % 2]
            while True:
                seen = store.load().task(task_id)
                typed = {"result": f"tiến trình {n} lần {j}", "progress": (n * 31 + j) % 101}
                try:
                    rows = store.update_task(seen, typed, ADMIN, now_local(TZ))
                except ConflictError:
                    conflicts += 1
                    continue
                acknowledged.append((task_id, rows[0].change_id))
                break
    finally:
        store.close()
    return acknowledged, conflicts


def stale_saver(barrier, url: str, n: int) -> str:
    """Read the task, wait for every other process to have read it too, then save."""
    store = PostgresStore(url, tz=TZ, migrate=False)
    try:
        seen = store.load().task("NV-0024")
        barrier.wait()
        try:
            store.update_task(seen, {"progress": n * 5, "result": f"bản {n}"}, ADMIN, NOW)
        except ConflictError as e:
            return f"conflict:{e.current.result}"
        return f"won:bản {n}"
    finally:
        store.close()


def adder(barrier, url: str, n: int) -> tuple[str, list[str]]:
    store = PostgresStore(url, tz=TZ, migrate=False)
    barrier.wait()
    try:
        directive, tasks = store.add_directive(
            Directive(id="", number=f"{n}/KH-UBND", title=f"Kế hoạch {n}"),
            [Task(id="", directive_id="", section="1", content=f"việc {n}", lead="SNV")],
            ADMIN,
            NOW,
        )
        ids = [t.id for t in tasks]
        for k in range(8):
            added = store.add_tasks(
                [
                    Task(id="", directive_id=directive.id, section=str(k), content="a", lead="SYT"),
                    Task(id="", directive_id=directive.id, section=str(k), content="b", lead="STC"),
                ],
                ADMIN,
                NOW,
            )
            ids += [t.id for t in added]
        return directive.id, ids
    finally:
        store.close()
