"""Faults on the way to Google: each ends applied exactly once, or refused with a clear message
and the sheet otherwise unchanged."""

import threading
import time

import gspread
import pytest

from services.domain.errors import StoreError
from services.stores.layout import HISTORY, TASKS
from tests.conftest import NOW, SNV


def sheet(fake, name):
    return next(s["values"] for s in fake.dump("sheet-test")["sheets"] if s["title"] == name)


def api_calls(fake):
    return [r for r in fake.requests() if r["path"].startswith("/v4/")]


def test_a_write_that_fails_as_a_whole_is_never_half_applied(gsheets_store, fake_sheets):
    gsheets_store.anchor_rows()
    snap = gsheets_store.load()
    before = fake_sheets.dump("sheet-test")
    fake_sheets.add_fault(method="POST", path_regex="sheet-test:batchUpdate", status=503, times=99)
    with pytest.raises(StoreError, match="không phản hồi"):
        gsheets_store.update_task(snap.task("NV-0001"), {"progress": 40}, SNV, NOW)
    assert fake_sheets.dump("sheet-test") == before  # cells, history and anchors as they were
    fake_sheets.clear_faults()
    # the same request, applied but its answer lost: acknowledged once, never sent twice
    fake_sheets.add_fault(
        method="POST", path_regex="sheet-test:batchUpdate", status=500, times=1, apply=True
    )
    rows = gsheets_store.update_task(snap.task("NV-0001"), {"progress": 40}, SNV, NOW)
    assert sheet(fake_sheets, TASKS)[1][8] == 40
    assert [r[1] for r in sheet(fake_sheets, HISTORY)[1:]] == [rows[0].change_id]


def test_a_batch_refused_by_a_rule_in_it_leaves_everything_as_it_was(gsheets_store, fake_sheets):
    """Google applies a batchUpdate all or nothing: a bad request in it undoes the others."""
    sheet_id = 0
    before = fake_sheets.dump("sheet-test")
    with pytest.raises(gspread.exceptions.APIError):
        gsheets_store.http.batch_update(
            "sheet-test",
            {
                "requests": [
                    {
                        "updateCells": {
                            "start": {"sheetId": sheet_id, "rowIndex": 1, "columnIndex": 8},
                            "rows": [{"values": [{"userEnteredValue": {"numberValue": 99}}]}],
                            "fields": "userEnteredValue",
                        }
                    },
                    {"appendCells": {"sheetId": 4, "rows": [], "fields": "userEnteredValue"}},
                    {"deleteSheet": {"sheetId": 12345}},
                ]
            },
        )
    assert fake_sheets.dump("sheet-test") == before


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_are_not_retried(gsheets_store, fake_sheets, status):
    gsheets_store.load()
    fake_sheets.clear_requests()
    fake_sheets.add_fault(method="GET", path_regex="values:batchGet", status=status, times=1000)
    with pytest.raises(StoreError) as caught:
        gsheets_store.load()
    # no retry storm: a 403 is final; on a 401 google-auth refreshes the token, at most twice
    assert len(api_calls(fake_sheets)) == (3 if status == 401 else 1)
    assert ("Chia sẻ" if status == 403 else "xác thực") in str(caught.value)


def test_a_lost_answer_with_microseconds_in_the_clock_is_still_reconciled(
    gsheets_store, fake_sheets
):
    """The sheet keeps seconds; a save at 09:30:00.123456 must still recognise its own write."""
    snap = gsheets_store.load()
    gsheets_store.anchor_rows()
    fake_sheets.add_fault(
        method="POST", path_regex="sheet-test:batchUpdate", status=503, times=1, apply=True
    )
    rows = gsheets_store.update_task(
        snap.task("NV-0001"), {"progress": 40}, SNV, NOW.replace(microsecond=123456)
    )
    assert sheet(fake_sheets, TASKS)[1][8] == 40
    assert [r[1] for r in sheet(fake_sheets, HISTORY)[1:]] == [rows[0].change_id]


def test_a_retry_after_rows_moved_writes_to_the_task_not_to_its_old_row(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    # the first write is held for a second and then refused (quota); meanwhile, 0.3 s in,
    # someone inserts a row at the top: the retry must find NV-0001 on its new row
    fake_sheets.add_fault(
        method="POST", path_regex="sheet-test:batchUpdate", status=429, times=1, delay_seconds=1.0
    )

    def insert_row():
        time.sleep(0.3)
        gsheets_store.client.open_by_key("sheet-test").worksheet(TASKS).insert_rows(
            [["NV-9999", "VB-0001", "9", "Chèn lúc đang lưu", "Sở Y tế"]], row=2
        )

    helper = threading.Thread(target=insert_row)
    helper.start()
    gsheets_store.update_task(snap.task("NV-0001"), {"progress": 40}, SNV, NOW)
    helper.join()
    rows = {r[0]: r for r in sheet(fake_sheets, TASKS)[1:] if r}
    assert sheet(fake_sheets, TASKS)[1][0] == "NV-9999"  # the insert happened before the retry
    assert rows["NV-0001"][8] == 40
    assert len(rows["NV-9999"]) == 5  # the inserted row was not written into
