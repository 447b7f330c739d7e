"""Concurrency against the Google Sheets backend (over the fake): nothing lost, nothing doubled."""

from __future__ import annotations

import random
import threading
from collections import Counter

from services.domain.errors import ConflictError, StoreError
from services.domain.model import IN_PROGRESS, ROLE_ADMIN, User
from services.stores.layout import HISTORY, TASKS
from tests.conftest import NOW

ADMIN = User("admin@ubnd.gov.vn", "Quản trị", "VPUB", ROLE_ADMIN)


def sheet(fake, name):
    return next(s["values"] for s in fake.dump("sheet-test")["sheets"] if s["title"] == name)


def run_threads(targets):
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_twenty_writers_on_twenty_tasks_all_land_and_nothing_else_moves(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    before = sheet(fake_sheets, TASKS)
    targets = snap.tasks[:20]
    failures = []

    def writer(task, n):
        def run():
            try:
                gsheets_store.update_task(
                    task, {"progress": n, "result": f"writer {n}"}, ADMIN, NOW
                )
            except StoreError as e:  # pragma: no cover - would fail the test below
                failures.append(e)

        return run

    run_threads([writer(t, i + 1) for i, t in enumerate(targets)])
    assert failures == []
    after = sheet(fake_sheets, TASKS)
    # progress, result, who, when, the version cell, and the version header the first save adds
    version = len(before[0])  # the version column comes after the sheet's last header
    written = {(r, c) for r in range(1, 21) for c in (8, 9, 12, 13, version)} | {(0, version)}
    for r, row in enumerate(after):
        for c, value in enumerate(row):
            if (r, c) not in written:
                assert value == (before[r][c] if c < len(before[r]) else ""), (r, c)
    assert [row[8] for row in after[1:21]] == list(range(1, 21))
    history = sheet(fake_sheets, HISTORY)[1:]
    assert len(history) == 40 and len({r[1] for r in history}) == 20  # 2 fields x 20 changes


def test_ten_writers_from_the_same_base_one_wins(gsheets_store, fake_sheets):
    seen = gsheets_store.load().task("NV-0024")
    wins, conflicts = [], []

    def writer(n):
        def run():
            typed = {"progress": n * 5, "result": f"bản của người {n}"}
            try:
                gsheets_store.update_task(seen, typed, ADMIN, NOW)
                wins.append(typed)
            except ConflictError as e:
                conflicts.append((typed, e))

        return run

    run_threads([writer(n) for n in range(1, 11)])
    assert len(wins) == 1 and len(conflicts) == 9
    final = gsheets_store.load().task("NV-0024")
    assert (final.progress, final.result) == (wins[0]["progress"], wins[0]["result"])
    assert all(typed["result"].startswith("bản của người") for typed, _ in conflicts)  # kept
    assert all(e.current.progress == wins[0]["progress"] for _, e in conflicts)
    assert len(sheet(fake_sheets, HISTORY)) == 1 + 2


def test_writers_under_random_faults_every_acknowledged_change_is_there_once(
    gsheets_store, fake_sheets
):
    """A Jepsen-style run: writers race on a few tasks while faults (lost answers, 5xx, 429) are
    injected at random; afterwards every acknowledged change is in the history exactly once, no
    change id appears twice, and each task's cells agree with the last history row about it."""
    acknowledged, lock = [], threading.Lock()
    task_ids = [f"NV-{i:04d}" for i in range(1, 6)]

    def writer(n):
        def run():
            local = random.Random(n)
            for j in range(6):
                task_id = local.choice(task_ids)
                if local.random() < 0.4:
                    status = local.choice([429, 500, 503])
                    # a 429 is refused before any work (Google's quota check); a 5xx may come
                    # after the change was made: a lost answer
                    fake_sheets.add_fault(
                        method="POST",
                        times=1,
                        status=status,
                        path_regex=local.choice([":batchUpdate", ":batchGetByDataFilter"]),
                        apply=status != 429 and local.random() < 0.5,
                    )
                try:
                    seen = gsheets_store.load().task(task_id)
                    rows = gsheets_store.update_task(
                        seen, {"progress": local.randrange(101), "status": IN_PROGRESS}, ADMIN, NOW
                    )
                except StoreError:
                    continue  # refused or unsure: not acknowledged
                if rows:
                    with lock:
                        acknowledged.append(rows[0].change_id)

        return run

    run_threads([writer(n) for n in range(5)])
    fake_sheets.clear_faults()

    history = sheet(fake_sheets, HISTORY)[1:]
    per_change = Counter((row[1], row[3]) for row in history)  # (change id, field)
    assert all(count == 1 for count in per_change.values()), "a history row was doubled"
    ids = {row[1] for row in history}
    assert set(acknowledged) <= ids and len(acknowledged) == len(set(acknowledged))
    assert acknowledged, "the run acknowledged nothing: faults too dense to test anything"
    final = gsheets_store.load()
    for task_id in task_ids:
        progress_rows = [r for r in history if r[2] == task_id and r[3] == "Tiến độ (%)"]
        if progress_rows:
            assert str(final.task(task_id).progress) == progress_rows[-1][5], task_id
