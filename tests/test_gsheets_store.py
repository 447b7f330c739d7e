"""What only the Google Sheets backend does, tested with the real gspread over HTTP against the fake:
request counts, hand-edited sheets, moved rows, concurrency, faults and their messages."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from services.domain.errors import ConflictError, StoreError, TaskNotFound
from services.domain.model import DONE, IN_PROGRESS, ROLE_AGENCY, User
from services.stores.layout import COLUMNS, HISTORY, TASKS
from services.stores.seed import read_tables
from services.stores.sheets import GSheetsStore, spreadsheet_key
from tests.conftest import NOW, SNV, gsheets_settings_for, sheet_spec
from tests.fakesheets.fixtures import make_service_account_info


def api_requests(fake):
    return [r for r in fake.requests() if r["path"].startswith("/v4/")]


def cells(fake, sheet="NhiemVu", spreadsheet_id="sheet-test"):
    dump = fake.dump(spreadsheet_id)
    return next(s["values"] for s in dump["sheets"] if s["title"] == sheet)


def test_a_load_is_one_values_request_and_a_save_one_read_and_one_write(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    first = gsheets_store.update_task(snap.task("NV-0001"), {"progress": 10}, SNV, NOW)
    # the first save of a row added by hand anchors it first (once per row, ever)
    fake_sheets.clear_requests()
    seen = gsheets_store.load().task("NV-0001")
    assert [(r["method"], r["path"]) for r in api_requests(fake_sheets)] == [
        ("GET", "/v4/spreadsheets/sheet-test/values:batchGet")
    ]
    assert api_requests(fake_sheets)[0]["query"]["valueRenderOption"] == ["UNFORMATTED_VALUE"]

    fake_sheets.clear_requests()
    gsheets_store.update_task(seen, {"status": IN_PROGRESS, "progress": 30}, SNV, NOW)
    calls = api_requests(fake_sheets)
    assert [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in calls] == [
        ("POST", "values:batchGetByDataFilter"),
        ("POST", "sheet-test:batchUpdate"),
    ]
    requests_ = calls[1]["body"]["requests"]
    kinds = [next(iter(r)) for r in requests_]
    assert kinds == ["deleteDeveloperMetadata", "createDeveloperMetadata"] + ["updateCells"] * 5 + [
        "appendCells"
    ]
    cells_ = [
        (r["updateCells"]["start"]["rowIndex"], r["updateCells"]["start"]["columnIndex"])
        for r in requests_
        if "updateCells" in r
    ]
    # status, progress, Cập nhật lúc, Người cập nhật and the version cell (after the follow-up
    # cycle's five columns and Kỳ báo cáo of the seed), on row 2 (NV-0001)
    assert cells_ == [(1, 7), (1, 8), (1, 12), (1, 13), (1, 20)]
    values = [r["updateCells"]["rows"][0]["values"][0] for r in requests_ if "updateCells" in r]
    assert values == [
        {"userEnteredValue": {"stringValue": "Đang thực hiện"}},
        {"userEnteredValue": {"numberValue": 30}},
        {"userEnteredValue": {"stringValue": "10/03/2025 09:30:00"}},
        {"userEnteredValue": {"stringValue": SNV.email}},
        {"userEnteredValue": {"numberValue": 2}},
    ]
    assert len(requests_[-1]["appendCells"]["rows"]) == 2  # one history row per field
    assert first and not any("clear" in r["path"] for r in fake_sheets.requests())


def test_saved_values_are_in_the_sheet_as_people_read_them(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    gsheets_store.update_task(
        snap.task("NV-0029"),
        {"status": DONE, "progress": 100, "completed_on": date(2025, 3, 9), "result": "=1+1"},
        SNV,
        NOW,
    )
    row = cells(fake_sheets)[29]
    assert row[0] == "NV-0029" and row[4] == "Hội Văn học Nghệ thuật tỉnh"
    assert row[7:12] == ["Hoàn thành", 100, "=1+1", "", "09/03/2025"]
    history = cells(fake_sheets, HISTORY)
    assert history[0] == [h for _, h in COLUMNS[HISTORY]]
    assert [r[3:6] for r in history[1:]] == [
        ["Trạng thái", "Chưa thực hiện", "Hoàn thành"],
        ["Tiến độ (%)", "0", "100"],
        ["Kết quả thực hiện", "", "=1+1"],
        ["Ngày hoàn thành", "", "09/03/2025"],
    ]
    # RAW: the formula-looking text stayed text (a USER_ENTERED write would have made it 2)
    assert gsheets_store.load().task("NV-0029").result == "=1+1"


HAND_EDITED_HEADER = [
    "Ghi chú riêng",
    "Trạng thái",
    " MÃ\u00a0NV ",
    "Nội dung nhiệm vụ",
    "Co\u031b quan chu\u0309 tri\u0300",  # NFD-composed "Cơ quan chủ trì"
    "Hạn hoàn thành",
    "Tiến độ (%)",
    "Mã VB",
    "Mục",
    "Cơ quan phối hợp",
    "Kết quả thực hiện",
    "Minh chứng",
    "Ngày hoàn thành",
    "Cập nhật lúc",
    "Người cập nhật",
]


def hand_edited_tables():
    tables = read_tables()
    tables[TASKS] = [
        HAND_EDITED_HEADER,
        [
            "giữ nguyên",
            "Đang thực hiện",
            "NV-0100",
            "Rà soát",
            "Sở Nội vụ",
            45777,
            "50%",
            "VB-0001",
            "1",
            "Sở TT&TT; Sở Tài chính",
            "",
            "",
            "",
            "",
            "",
        ],
        [],  # a blank row in the middle
        ["", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        [
            "",
            "Hoàn thành",
            "NV-0101",
            "Báo cáo",
            "so noi vu",
            "31/05/2025",
            100,
            "VB-0001",
            2,
            "",
            '=HYPERLINK("x")',
            "12/BC-SNV",
            "30/05/2025",
            "",
            "",
        ],
        ["", "", "NV-0102", "Sai ngày", "Sở Y tế", "31/02/2025", "abc", "VB-0001", "3"],
        ["", "", "", "Không có mã", "Sở Y tế"],
        ["", "", "NV-0100", "Trùng mã", "Sở Y tế"],
        ["", "", "NV-0103", "Lạ", "Sở Không Tồn Tại"],
    ]
    return tables


def test_hand_edited_sheet_is_read_by_header_names(fake_sheets, service_account_info):
    fake_sheets.create(sheet_spec(hand_edited_tables()))
    store = GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, service_account_info))
    snap = store.load()
    first, done = snap.tasks[0], snap.task("NV-0101")
    assert (first.id, first.lead, first.partners, first.progress) == (
        "NV-0100",
        "SNV",
        ("STTTT", "STC"),
        50,
    )
    assert first.deadline == date(2025, 4, 30)  # a date serial
    assert done.lead == "SNV" and done.deadline == date(2025, 5, 31) and done.status == DONE
    assert done.completed_on == date(2025, 5, 30) and done.section == "2"
    assert [t.id for t in snap.tasks] == ["NV-0100", "NV-0101", "NV-0102", "NV-0100", "NV-0103"]
    assert snap.duplicate_ids == {"NV-0100"}
    problems = [str(p) for p in snap.problems]
    assert (
        "NhiemVu dòng 6: Hạn hoàn thành: Ngày không hợp lệ: «31/02/2025» (định dạng dd/mm/yyyy)"
        in problems
    )
    assert any("dòng 6: Tiến độ" in p for p in problems)
    assert any("dòng 7: thiếu Mã NV" in p for p in problems)
    assert any("Mã NV NV-0100 bị trùng ở các dòng 2, 8" in p for p in problems)
    assert any("dòng 9: Cơ quan chủ trì: không có trong danh mục" in p for p in problems)


def test_save_on_a_hand_edited_sheet_touches_only_its_cells(fake_sheets, service_account_info):
    fake_sheets.create(sheet_spec(hand_edited_tables()))
    store = GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, service_account_info))
    before = cells(fake_sheets)
    store.update_task(store.load().task("NV-0101"), {"evidence": "15/BC-SNV"}, SNV, NOW)
    after = cells(fake_sheets)
    changed = {
        (r, c)
        for r in range(len(after))
        for c in range(len(after[r]))
        if r >= len(before) or c >= len(before[r]) or before[r][c] != after[r][c]
    }
    # Minh chứng, Cập nhật lúc, Người cập nhật, and the version column the first save adds
    assert changed == {(4, 11), (4, 13), (4, 14), (0, 15), (4, 15)}
    assert after[4][11] == "15/BC-SNV" and after[1][0] == "giữ nguyên"


def test_duplicate_ids_are_read_only(fake_sheets, service_account_info):
    fake_sheets.create(sheet_spec(hand_edited_tables()))
    store = GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, service_account_info))
    with pytest.raises(StoreError, match="bị trùng ở các dòng 2, 8"):
        store.update_task(store.load().tasks[0], {"progress": 60}, SNV, NOW)
    assert cells(fake_sheets)[1][6] == "50%"


def test_rows_moved_between_load_and_save(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    sheet = gsheets_store.client.open_by_key("sheet-test").worksheet(TASKS)
    sheet.insert_rows([["NV-0500", "VB-0001", "9", "Chèn ở trên", "Sở Y tế"]], row=2)
    sheet.delete_rows(10)  # someone deletes NV-0008 (now on row 10)
    gsheets_store.update_task(snap.task("NV-0005"), {"progress": 55}, SNV, NOW)
    rows = cells(fake_sheets)
    assert rows[6][0] == "NV-0005" and rows[6][8] == 55
    assert rows[1][0] == "NV-0500" and len(rows[1]) == 5  # the inserted row untouched
    with pytest.raises(TaskNotFound, match="NV-0008"):
        gsheets_store.update_task(snap.task("NV-0008"), {"progress": 5}, SNV, NOW)


def test_a_person_editing_the_cell_meanwhile_is_a_conflict(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    gsheets_store.http.values_update(
        "sheet-test", "NhiemVu!I3", {"valueInputOption": "RAW"}, {"values": [[70]]}
    )
    with pytest.raises(ConflictError) as caught:
        gsheets_store.update_task(snap.task("NV-0002"), {"progress": 20}, SNV, NOW)
    assert caught.value.fields == ["progress"] and caught.value.current.progress == 70
    assert cells(fake_sheets)[2][8] == 70 and len(cells(fake_sheets, HISTORY)) == 1


def test_concurrent_saves(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    errors, results = [], []

    def save(task_id, progress):
        try:
            results.append(
                gsheets_store.update_task(snap.task(task_id), {"progress": progress}, SNV, NOW)
            )
        except ConflictError as e:
            errors.append(e)

    different = [threading.Thread(target=save, args=(f"NV-{i:04d}", i)) for i in range(1, 9)]
    same = [threading.Thread(target=save, args=("NV-0020", p)) for p in (10, 20, 30, 40)]
    for t in different + same:
        t.start()
    for t in different + same:
        t.join()
    rows = {r[0]: r for r in cells(fake_sheets)[1:]}
    assert all(rows[f"NV-{i:04d}"][8] == i for i in range(1, 9))
    assert len(errors) == 3 and len(results) == 9
    assert rows["NV-0020"][8] in (10, 20, 30, 40)
    assert len(cells(fake_sheets, HISTORY)) == 1 + 9


def test_quota_429_twice_then_success(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    fake_sheets.add_fault(method="POST", path_regex="values:batchUpdate", status=429, times=2)
    gsheets_store.update_task(snap.task("NV-0003"), {"progress": 15}, SNV, NOW)
    assert cells(fake_sheets)[3][8] == 15 and len(cells(fake_sheets, HISTORY)) == 2


def test_lost_answer_after_the_write_is_reconciled(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    fake_sheets.add_fault(
        method="POST", path_regex="values:batchUpdate", status=500, times=1, apply=True
    )
    fake_sheets.add_fault(method="POST", path_regex=":append", status=500, times=1, apply=True)
    rows = gsheets_store.update_task(snap.task("NV-0004"), {"progress": 25}, SNV, NOW)
    assert cells(fake_sheets)[4][8] == 25
    history = cells(fake_sheets, HISTORY)[1:]
    assert len(history) == 1 and history[0][1] == rows[0].change_id  # not appended twice


def test_persistent_503_gives_up_within_the_deadline_and_writes_nothing(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    before = fake_sheets.dump("sheet-test")
    fake_sheets.add_fault(method="POST", path_regex="sheet-test:batchUpdate", status=503, times=100)
    started = time.monotonic()
    with pytest.raises(StoreError, match="không phản hồi"):
        gsheets_store.update_task(snap.task("NV-0005"), {"progress": 5}, SNV, NOW)
    assert time.monotonic() - started < gsheets_store.deadline + 1
    assert fake_sheets.dump("sheet-test") == before


def test_not_shared_names_the_service_account(fake_sheets, service_account_info):
    fake_sheets.create(sheet_spec(read_tables(), shared_with=["someone@else.com"]))
    store = GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, service_account_info))
    with pytest.raises(StoreError) as caught:
        store.load()
    assert service_account_info["client_email"] in str(caught.value)
    assert "Chia sẻ" in str(caught.value)
    assert len(api_requests(fake_sheets)) == 1  # 403 is not retried


def test_unknown_sheet_missing_worksheet_and_missing_header(fake_sheets, service_account_info):
    settings = gsheets_settings_for(fake_sheets, service_account_info, "no-such-sheet")
    with pytest.raises(StoreError, match="Không tìm thấy Google Sheet có mã «no-such-sheet»"):
        GSheetsStore.from_settings(settings).load()
    tables = read_tables()
    del tables[HISTORY]
    fake_sheets.create(sheet_spec(tables, "no-history"))
    settings = gsheets_settings_for(fake_sheets, service_account_info, "no-history")
    with pytest.raises(StoreError, match="thiếu trang tính «LichSu»"):
        GSheetsStore.from_settings(settings).load()
    tables = read_tables()
    tables[TASKS] = [[h for h in tables[TASKS][0] if h != "Trạng thái"]]
    fake_sheets.create(sheet_spec(tables, "no-status"))
    settings = gsheets_settings_for(fake_sheets, service_account_info, "no-status")
    with pytest.raises(StoreError, match="Trang «NhiemVu» thiếu cột bắt buộc: Trạng thái"):
        GSheetsStore.from_settings(settings).load()


def test_bad_credentials(fake_sheets, seeded_sheet):
    info = make_service_account_info(fake_sheets.url + "/token")
    fake_sheets.add_fault(method="POST", path_regex="^/token", status=400, times=100)
    with pytest.raises(StoreError, match="Google từ chối khoá tài khoản dịch vụ"):
        GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, info)).load()
    broken = dict(
        info, private_key="-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(StoreError, match="không hợp lệ"):
        GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, broken))


def test_spreadsheet_key_from_url():
    assert (
        spreadsheet_key("https://docs.google.com/spreadsheets/d/1AbC-d_9/edit#gid=0") == "1AbC-d_9"
    )
    assert spreadsheet_key(" 1AbC-d_9 ") == "1AbC-d_9"


def test_agency_user_save_keeps_other_rows(gsheets_store, fake_sheets):
    gsheets_store.save_user(User("A@x.vn", "A", "SNV", ROLE_AGENCY))
    gsheets_store.save_user(User("a@x.vn", "A mới", "SYT", ROLE_AGENCY))
    rows = cells(fake_sheets, "NguoiDung")
    assert rows[1:] == [["a@x.vn", "A mới", "SYT", "agency", True]]  # Đang hoạt động


def test_rows_sorted_by_hand_between_load_and_save(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    rows = cells(fake_sheets)
    body = sorted(rows[1:], key=lambda r: r[4])  # someone sorts by Cơ quan chủ trì
    gsheets_store.http.values_update(
        "sheet-test", "NhiemVu!A2", {"valueInputOption": "RAW"}, {"values": body}
    )
    gsheets_store.update_task(snap.task("NV-0024"), {"progress": 80}, SNV, NOW)
    after = cells(fake_sheets)
    target = next(i for i, r in enumerate(after) if r[0] == "NV-0024")
    assert target != 24 and after[target][8] == 80
    assert [r[:14] for i, r in enumerate(after) if i != target] == [
        r[:14] for i, r in enumerate([rows[0], *body]) if i != target
    ]


def test_quota_exhausted_for_longer_than_the_deadline_says_so(gsheets_store, fake_sheets):
    snap = gsheets_store.load()
    fake_sheets.set_quota(write_per_minute=0)
    with pytest.raises(StoreError, match="vượt hạn mức"):
        gsheets_store.update_task(snap.task("NV-0006"), {"progress": 5}, SNV, NOW)
    fake_sheets.set_quota()
    assert gsheets_store.load().task("NV-0006").progress == 0
    assert len(cells(fake_sheets, HISTORY)) == 1


def test_a_hung_connection_times_out_and_is_retried(gsheets_store, fake_sheets):
    gsheets_store.http.set_timeout((1, 1))
    fake_sheets.add_fault(method="GET", path_regex="values:batchGet", delay_seconds=2, times=1)
    assert len(gsheets_store.load().tasks) == 29  # the second try answers


def test_check_finds_a_cell_that_disagrees_with_its_last_history_row(gsheets_store, fake_sheets):
    from services.stores.checks import run_checks

    snap = gsheets_store.load()
    gsheets_store.update_task(snap.task("NV-0003"), {"progress": 30}, SNV, NOW)
    assert not [f for f in run_checks(gsheets_store) if "LichSu (" in f.message]
    # a write that lands late puts an older value back into the cell
    gsheets_store.http.values_update(
        "sheet-test", "NhiemVu!I4", {"valueInputOption": "RAW"}, {"values": [[10]]}
    )
    found = [f for f in run_checks(gsheets_store) if "LichSu (" in f.message]
    assert len(found) == 1 and "NV-0003" in found[0].message and "«30»" in found[0].message


def test_check_warns_from_80_percent_of_the_cell_limit(gsheets_store):
    from services.stores.checks import cell_findings

    assert 0 < gsheets_store.cell_count() < 1_000_000
    assert cell_findings(7_999_999) == []
    (warning,) = cell_findings(8_000_000)
    assert warning.level == "warning" and "archive-history" in warning.message
