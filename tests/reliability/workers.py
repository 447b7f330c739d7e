"""Work done in separate OS processes against the fake Sheets API (tests/reliability and
bench/writers.py): each process opens its own store, as an app replica or the CLI would."""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter

from services.config import load_settings
from services.domain.errors import AppError
from services.domain.model import IN_PROGRESS, ROLE_ADMIN, User, now_local
from services.stores.layout import HISTORY, TASKS

ADMIN = User("admin@ubnd.gov.vn", "Quản trị", "VPUB", ROLE_ADMIN)


def open_store(url: str, info: dict, spreadsheet: str, timeout=None):
    from services.stores.sheets import GSheetsStore

    settings = load_settings(
        {"gsheets": {"spreadsheet": spreadsheet, "endpoint": url, "service_account": info}}
    )
    store = GSheetsStore.from_settings(settings, deadline_seconds=20)
    if timeout:
        store.http.set_timeout(timeout)
    return store


def racing_writer(url, info, spreadsheet, n, saves, task_ids, out):
    """`saves` saves on random tasks among `task_ids`, each on a fresh read; reports the
    acknowledged (change id, task id, value) and the refusals."""
    store = open_store(url, info, spreadsheet)
    rng = random.Random(n)
    acked, refused = [], 0
    for j in range(saves):
        task_id = rng.choice(task_ids)
        value = f"p{n}-{j}"
        try:
            seen = store.load().task(task_id)
            rows = store.update_task(
                seen, {"result": value, "status": IN_PROGRESS}, ADMIN, now_local()
            )
        except AppError:
            refused += 1
            continue
        if rows:
            acked.append((rows[0].change_id, task_id, value))
    out.put((acked, refused))


def adder(url, info, spreadsheet, n, count, out, barrier):
    from services.domain.model import Task

    store = open_store(url, info, spreadsheet)
    store.load()
    tasks = [
        Task(id="", directive_id="", section="1", content=f"Thêm từ {n} số {i}", lead="SNV")
        for i in range(count)
    ]
    barrier.wait()
    try:
        added = store.add_tasks(tasks, ADMIN, now_local())
        out.put([t.id for t in added])
    except AppError as e:
        out.put(str(e))


def run_processes(target, args_list, timeout=60) -> list:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, out)) for args in args_list]
    for p in procs:
        p.start()
    results = [out.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout)
    return results


def tally(fake, spreadsheet: str, acked: list) -> dict:
    """attempted / acknowledged / present / lost / doubled for a racing run: an acknowledged
    change is lost when the next change to its task did not start from it (overwritten by a
    writer that never saw it), or when it is missing from the history."""
    dump = fake.dump(spreadsheet)
    sheets = {s["title"]: s["values"] for s in dump["sheets"]}
    history = [r for r in sheets[HISTORY][1:] if len(r) > 5 and r[3] == "Kết quả thực hiện"]
    count = Counter(r[1] for r in history)
    present = {cid for cid, _, _ in acked if count[cid]}
    lost = len(acked) - len(present)
    by_task: dict[str, list] = {}
    for r in history:
        by_task.setdefault(r[2], []).append(r)
    acked_ids = {cid for cid, _, _ in acked}
    for rows in by_task.values():
        for before, after in zip(rows, rows[1:]):
            if before[1] in acked_ids and after[4] != before[5]:
                lost += 1  # `after` overwrote `before` without having seen it
    header = sheets[TASKS][0]
    col = header.index("Kết quả thực hiện")
    cells = {r[0]: (r[col] if col < len(r) else "") for r in sheets[TASKS][1:] if r}
    for task_id, rows in by_task.items():
        if rows and rows[-1][1] in acked_ids and cells.get(task_id) != rows[-1][5]:
            lost += 1  # the cell does not hold the last acknowledged change
    return {
        "acknowledged": len(acked),
        "present": len(present),
        "lost": lost,
        "doubled": sum(1 for cid in acked_ids if count[cid] > 1),
    }
