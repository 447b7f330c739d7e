"""Several OS processes against one sheet (two app replicas, the app and the CLI, a restart
mid-save), with faults placed between a save's read and its write. Each case failed on the code
before anchors + compare-and-set (issue 19); see the report in the commit history."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time

import pytest

from services.domain.errors import PermissionDenied
from services.domain.model import IN_PROGRESS, ROLE_AGENCY, User
from services.stores.layout import HISTORY, TASKS
from services.stores.seed import read_tables
from tests.conftest import NOW, sheet_spec
from tests.reliability.workers import (
    adder,
    open_store,
    racing_writer,
    run_processes,
    tally,
)

SHEET = "sheet-test"


def values(fake, name):
    return next(s["values"] for s in fake.dump(SHEET)["sheets"] if s["title"] == name)


@pytest.fixture
def sheet(fake_sheets):
    fake_sheets.create(sheet_spec(read_tables()))
    return fake_sheets


def anchored(fake, info):
    store = open_store(fake.url, info, SHEET)
    if hasattr(store, "anchor_rows"):
        store.anchor_rows()
    return store


def test_racing_processes_lose_nothing_and_double_nothing(sheet, service_account_info):
    anchored(sheet, service_account_info)
    args = [
        (sheet.url, service_account_info, SHEET, n, 8, ["NV-0001", "NV-0002"]) for n in range(4)
    ]
    results = run_processes(racing_writer, args)
    acked = [a for r, _ in results for a in r]
    counts = tally(sheet, SHEET, acked)
    assert acked and counts["lost"] == 0 and counts["doubled"] == 0, counts
    assert counts["present"] == counts["acknowledged"]


def _insert_row_from_another_process(url, info, delay):
    code = (
        "import time, sys, json\n"
        "from tests.reliability.workers import open_store\n"
        f"time.sleep({delay})\n"
        "store = open_store(sys.argv[1], json.loads(sys.argv[2]), 'sheet-test')\n"
        "store.client.open_by_key('sheet-test').worksheet('NhiemVu').insert_rows("
        "[['NV-9999', 'VB-0001', '9', 'Chèn tay', 'Sở Y tế']], row=2)\n"
    )
    import json

    return subprocess.Popen(
        [sys.executable, "-c", code, url, json.dumps(info)],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )


def test_a_row_inserted_between_read_and_write_is_not_written_into(sheet, service_account_info):
    store = anchored(sheet, service_account_info)
    seen = store.load().task("NV-0001")
    before = {r[0]: r for r in values(sheet, TASKS)[1:]}
    # the save's write is held 6 s at the server; another process inserts a row at the top
    sheet.add_fault(method="POST", path_regex="batchUpdate", times=1, delay_seconds=6.0)
    helper = _insert_row_from_another_process(sheet.url, service_account_info, 0.2)
    store.update_task(
        seen,
        {"progress": 40, "status": IN_PROGRESS},
        User("admin@ubnd.gov.vn", "Quản trị", "VPUB", "admin"),
        NOW,
    )
    helper.wait(20)
    after = {r[0]: r for r in values(sheet, TASKS)[1:] if r}
    assert values(sheet, TASKS)[1][0] == "NV-9999"
    assert after["NV-0001"][8] == 40
    assert after["NV-9999"][:5] == ["NV-9999", "VB-0001", "9", "Chèn tay", "Sở Y tế"]
    assert len(after["NV-9999"]) == 5  # nothing written into the inserted row
    for task_id in ("NV-0002", "NV-0003"):
        assert after[task_id][:14] == before[task_id][:14]


def test_a_write_landing_after_its_client_gave_up_overwrites_nothing(sheet, service_account_info):
    store = anchored(sheet, service_account_info)
    store.http.set_timeout((2, 1.0))
    admin = User("admin@ubnd.gov.vn", "Quản trị", "VPUB", "admin")
    seen = store.load().task("NV-0001")
    # save 1's write hangs 3 s at the server (past the client's 1 s timeout), then lands
    sheet.add_fault(method="POST", path_regex="batchUpdate", times=1, delay_seconds=3.0)
    store.update_task(seen, {"result": "lần 1"}, admin, NOW)  # acknowledged by a retry
    other = open_store(sheet.url, service_account_info, SHEET)
    other.update_task(other.load().task("NV-0001"), {"result": "lần 2"}, admin, NOW)
    time.sleep(3.0)  # the hung request has landed by now
    rows = values(sheet, TASKS)
    assert rows[1][9] == "lần 2"
    history = [r for r in values(sheet, HISTORY)[1:] if r[2] == "NV-0001"]
    assert [r[5] for r in history] == ["lần 1", "lần 2"]  # not doubled, in order


def test_concurrent_adds_from_processes_never_share_an_id(sheet, service_account_info):
    anchored(sheet, service_account_info)
    barrier = multiprocessing.get_context("fork").Barrier(3)
    args = [(sheet.url, service_account_info, SHEET, n, 3) for n in range(3)]
    results = run_processes(lambda *a: adder(*a[:-1], a[-1], barrier), args)
    assert all(isinstance(r, list) for r in results), results
    ids = [r[0] for r in values(sheet, TASKS)[1:] if r]
    assert len(ids) == len(set(ids))
    assert sum(len(r) for r in results) == 9


def test_a_removed_user_is_refused_at_once(sheet, service_account_info):
    user = User("canbo@snv.gov.vn", "Cán bộ", "SNV", ROLE_AGENCY)
    admin = open_store(sheet.url, service_account_info, SHEET)
    admin.save_user(user)
    store = anchored(sheet, service_account_info)
    store.verify_users = True  # as with sign-in configured
    seen = store.load().task("NV-0001")  # the user list is now cached with the snapshot
    store.update_task(seen, {"progress": 10}, user, NOW)
    # another process removes the user (by hand: the row is cleared)
    other = open_store(sheet.url, service_account_info, SHEET)
    other.http.values_clear(SHEET, "NguoiDung!A2:D")
    with pytest.raises(PermissionDenied, match="không còn trong danh sách"):
        store.update_task(store.load().task("NV-0001"), {"progress": 20}, user, NOW)
    assert values(sheet, TASKS)[1][8] == 10


def _open_sqlite(path, out):
    from services.stores.seed import seed_records
    from services.stores.sqlite import SQLiteStore

    try:
        SQLiteStore(path, seed=lambda: seed_records("Asia/Ho_Chi_Minh"))
        out.put("ok")
    except Exception as e:  # reported, not raised: the parent counts them
        out.put(repr(e))


def test_sqlite_schema_creation_is_safe_when_processes_open_a_new_file_at_once(tmp_path):
    for round_ in range(3):
        path = str(tmp_path / f"new-{round_}.db")
        results = run_processes(_open_sqlite, [(path,)] * 6)
        assert results == ["ok"] * 6


def test_saves_arriving_together_in_one_process_are_one_read_and_one_write(
    sheet, service_account_info
):
    """Saves arriving together in one process commit in one read + one write."""
    store = anchored(sheet, service_account_info)
    store.group_seconds = 0.3
    snap = store.load()
    admin = User("admin@ubnd.gov.vn", "Quản trị", "VPUB", "admin")
    sheet.clear_requests()
    threads = [
        threading.Thread(
            target=store.update_task,
            args=(snap.task(f"NV-{i:04d}"), {"progress": i}, admin, NOW),
        )
        for i in range(1, 11)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writes = [r for r in sheet.requests() if r["path"].endswith(":batchUpdate")]
    assert len(writes) <= 2
    assert [r[8] for r in values(sheet, TASKS)[1:11]] == list(range(1, 11))
