"""The app's loads on Google Sheets read the recent history as a tail of LichSu, not the whole
worksheet: requests and cells read per load, a window longer than the first guess, rows deleted by
hand, and a worksheet whose grid has empty rows after the data (real gspread over the fake)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.domain.dates import format_datetime
from services.domain.model import now_local
from services.stores.layout import COLUMNS, HISTORY, REMINDERS
from services.stores.seed import read_tables
from services.stores.sheets import GSheetsStore
from tests.conftest import TZ, gsheets_settings_for, sheet_spec

HEADER = [h for _, h in COLUMNS[HISTORY]]


def history_rows(count: int, start, step: timedelta, prefix: str) -> list[list]:
    return [
        [
            format_datetime(start + step * i),
            f"{prefix}{i}",
            "NV-0001",
            "Tiến độ (%)",
            str(i % 100),
            str((i + 1) % 100),
            "canbo@snv.gov.vn",
            "SNV",
        ]
        for i in range(count)
    ]


def make_store(fake_sheets, service_account_info, history: list[list], extra_rows: int = 0):
    tables = read_tables()
    tables[HISTORY] = [HEADER, *history]
    spec = sheet_spec(tables)
    for sheet in spec["sheets"]:
        if sheet["title"] == HISTORY and extra_rows:  # a grid larger than its data
            sheet["gridProperties"] = {"rowCount": len(history) + 1 + extra_rows}
        if sheet["title"] == REMINDERS:  # its header only, in a grid of its size: these tests
            sheet["rowCount"] = 1  # count LichSu's reads (NhacViec's own test: below)
    fake_sheets.create(spec)
    store = GSheetsStore.from_settings(
        gsheets_settings_for(fake_sheets, service_account_info), deadline_seconds=3
    )
    store.TAIL_GUESS = 200
    return store


def reads(fake):
    calls = [r for r in fake.requests() if r["path"].startswith("/v4/")]
    return [(r["path"].rsplit("/", 1)[-1], r["query"].get("ranges", [])) for r in calls]


NOW = now_local(TZ).replace(microsecond=0)
OLD = NOW - timedelta(days=400)


def test_a_recent_load_reads_the_tail_of_the_history(fake_sheets, service_account_info):
    old = history_rows(5_000, OLD, timedelta(minutes=5), "old")
    recent = history_rows(3, NOW - timedelta(days=1), timedelta(minutes=1), "new")
    store = make_store(fake_sheets, service_account_info, old + recent)
    fake_sheets.clear_requests()
    snap = store.load(history_days=62)
    assert [c.change_id for c in snap.history] == ["new0", "new1", "new2"]
    calls = reads(fake_sheets)
    assert [name for name, _ in calls] == ["sheet-test", "values:batchGet"]  # grid size, data
    ranges = calls[1][1]
    assert "LichSu!1:1" in ranges and "LichSu" not in ranges
    tail = next(r for r in ranges if r.startswith("LichSu!A"))
    assert tail.startswith("LichSu!A4804:")  # 5,004 rows in the grid: the last 200 read

    fake_sheets.clear_requests()
    again = store.load(history_days=62)  # the next load starts where the window starts
    assert [c.change_id for c in again.history] == ["new0", "new1", "new2"]
    calls = reads(fake_sheets)
    assert [name for name, _ in calls] == ["values:batchGet"]
    assert any(r.startswith("LichSu!A5001:") for r in calls[0][1])  # the last row before
    assert len(store.load().history) == 5_003  # a plain load still reads everything


def test_a_window_longer_than_the_guess_is_read_further_up(fake_sheets, service_account_info):
    old = history_rows(300, OLD, timedelta(minutes=5), "old")
    recent = history_rows(1_500, NOW - timedelta(days=30), timedelta(minutes=20), "new")
    store = make_store(fake_sheets, service_account_info, old + recent)
    snap = store.load(history_days=62)
    assert [c.change_id for c in snap.history] == [f"new{i}" for i in range(1_500)]
    assert snap.problems == ()
    fake_sheets.clear_requests()
    store.load(history_days=62)
    assert [name for name, _ in reads(fake_sheets)] == ["values:batchGet"]


def test_rows_deleted_by_hand_above_the_window(fake_sheets, service_account_info):
    old = history_rows(3_000, OLD, timedelta(minutes=5), "old")
    recent = history_rows(5, NOW - timedelta(days=2), timedelta(minutes=1), "new")
    store = make_store(fake_sheets, service_account_info, old + recent)
    assert len(store.load(history_days=62).history) == 5
    sheet = store.client.open_by_key("sheet-test").worksheet(HISTORY)
    sheet.delete_rows(2, 2_900)  # someone clears old rows by hand: the window moves up
    snap = store.load(history_days=62)
    assert [c.change_id for c in snap.history] == [f"new{i}" for i in range(5)]


@pytest.mark.parametrize("extra_rows", [0, 5_000])
def test_a_grid_with_empty_rows_after_the_data(fake_sheets, service_account_info, extra_rows):
    recent = history_rows(40, NOW - timedelta(days=3), timedelta(hours=1), "new")
    store = make_store(fake_sheets, service_account_info, recent, extra_rows)
    snap = store.load(history_days=62)
    assert [c.change_id for c in snap.history] == [f"new{i}" for i in range(40)]


def test_archive_history_moves_old_years_and_everything_still_reads(
    fake_sheets, service_account_info, tmp_path, capsys
):
    """archive-history moves the rows of past years to LichSu_<year> in one batchUpdate; the
    app's recent loads, a task's whole history and a full read (check, copy) stay correct."""
    from services.cli import main

    y2024 = history_rows(30, OLD.replace(year=2024, month=3), timedelta(days=1), "a")
    y2025 = history_rows(20, OLD.replace(year=2025, month=2), timedelta(days=1), "b")
    recent = history_rows(4, NOW - timedelta(days=1), timedelta(minutes=1), "new")
    store = make_store(fake_sheets, service_account_info, y2024 + y2025 + recent)
    before = [c.change_id for c in store.history("NV-0001")]
    cells_before = store.cell_count()

    from tests.test_cli import secrets_file

    secrets = secrets_file(tmp_path, fake_sheets, service_account_info)
    assert main(["--secrets", secrets, "archive-history", "--before-year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "30 dòng của năm 2024 -> trang LichSu_2024" in out and "Đã chuyển 50 dòng" in out
    writes = [r for r in fake_sheets.requests() if r["path"].endswith(":batchUpdate")]
    assert len(writes) == 1  # all or nothing
    kinds = [next(iter(r)) for r in writes[0]["body"]["requests"]]
    assert kinds == ["addSheet", "appendCells", "addSheet", "appendCells", "deleteDimension"]

    dump = {s["title"]: s["values"] for s in fake_sheets.dump("sheet-test")["sheets"]}
    assert (
        len(dump["LichSu"]) == 5
        and len(dump["LichSu_2024"]) == 31
        and len(dump["LichSu_2025"]) == 21
    )
    fresh = GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, service_account_info))
    assert [c.change_id for c in fresh.load(history_days=62).history] == [
        f"new{i}" for i in range(4)
    ]
    assert [c.change_id for c in fresh.history("NV-0001")] == before  # archives first, in order
    assert fresh.load().problems == ()
    assert fresh.cell_count() <= cells_before + 2 * 8  # moved, not copied (two header rows)
    # again: nothing left to move
    assert main(["--secrets", secrets, "archive-history", "--before-year", "2026"]) == 0
    assert "không cần lưu trữ" in capsys.readouterr().out


def test_a_lichsu_grid_of_its_header_only_loads_empty(fake_sheets, service_account_info):
    """After every row was archived (or cleared by hand) the grid can be one row high: a load
    reads no tail (asking for row 2 would be refused) and finishes, with no history."""
    store = make_store(fake_sheets, service_account_info, [])
    sheet = store.client.open_by_key("sheet-test").worksheet(HISTORY)
    sheet.resize(rows=1)
    fresh = GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, service_account_info))
    snap = fresh.load(history_days=62)
    assert snap.history == () and len(snap.tasks) == 29


def test_archive_never_takes_the_rows_a_page_load_carries(fake_sheets, service_account_info):
    """Asked for every year before next year, archive-history still leaves the last 62 days in
    LichSu (the pages read only LichSu's tail)."""
    old = history_rows(10, OLD, timedelta(days=1), "old")
    recent = history_rows(3, NOW - timedelta(days=1), timedelta(minutes=1), "new")
    store = make_store(fake_sheets, service_account_info, old + recent)
    lines = store.archive_history(NOW.year + 1)
    assert any("10 dòng" in line for line in lines)
    fresh = GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, service_account_info))
    assert [c.change_id for c in fresh.load(history_days=62).history] == ["new0", "new1", "new2"]


def test_a_page_load_reads_the_recent_tail_of_the_reminder_ledger(
    fake_sheets, service_account_info
):
    """NhacViec grows every day (a row per e-mail): a page's load reads its window as a tail,
    like LichSu's; a reminder run (no history) and a full load still read all of it."""
    from services.domain.dates import format_date

    def ledger(count, first, prefix):
        return [
            [
                format_date((first + timedelta(days=i // 40)).date()),
                "SNV",
                f"{prefix}{i}@snv.gov.vn",
                "3",
                f"<{prefix}{i}@ubnd>",
                "Đã gửi",
                format_datetime(first + timedelta(days=i // 40)),
            ]
            for i in range(count)
        ]

    old = ledger(4_000, OLD, "old")  # 100 days of e-mails, long ago
    recent = ledger(80, NOW - timedelta(days=1), "new")  # yesterday's and today's
    tables = read_tables()
    tables[REMINDERS] = [[h for _, h in COLUMNS[REMINDERS]], *old, *recent]
    spec = sheet_spec(tables)
    for sheet in spec["sheets"]:
        if sheet["title"] == HISTORY:  # the seed's few rows, in a grid of their size
            sheet["rowCount"] = len(sheet["values"])
    fake_sheets.create(spec)
    store = GSheetsStore.from_settings(
        gsheets_settings_for(fake_sheets, service_account_info), deadline_seconds=3
    )
    store.TAIL_GUESS = 200
    fake_sheets.clear_requests()
    snap = store.load(history_days=62)
    assert sorted(d.recipient for d in snap.deliveries) == sorted(r[2] for r in recent)
    calls = reads(fake_sheets)
    assert [name for name, _ in calls] == ["sheet-test", "values:batchGet"]
    assert "NhacViec" not in calls[1][1] and "NhacViec!1:1" in calls[1][1]
    fake_sheets.clear_requests()
    again = store.load(history_days=62)  # from the row where the window starts
    assert len(again.deliveries) == 80 and len(reads(fake_sheets)) == 1
    assert len(store.load(history=False).deliveries) == 4_080  # a reminder run: every one
    assert len(store.load().deliveries) == 4_080  # a full load (check, copy)


def _ledger_store(fake_sheets, service_account_info, rows, guess=200, row_count=None):
    tables = read_tables()
    tables[REMINDERS] = [[h for _, h in COLUMNS[REMINDERS]], *rows]
    spec = sheet_spec(tables)
    for sheet in spec["sheets"]:
        if sheet["title"] == HISTORY:
            sheet["rowCount"] = len(sheet["values"])
        if sheet["title"] == REMINDERS and row_count is not None:
            sheet["rowCount"] = row_count
    fake_sheets.create(spec)
    store = GSheetsStore.from_settings(
        gsheets_settings_for(fake_sheets, service_account_info), deadline_seconds=3
    )
    store.TAIL_GUESS = guess
    return store


def _delivery_row(day, at, who):
    from services.domain.dates import format_date

    return [format_date(day), "SNV", who, "1", f"<{who}>", "Đã gửi", format_datetime(at)]


def test_a_ledger_out_of_day_order_loses_nothing_of_the_window(fake_sheets, service_account_info):
    """A run for an earlier day appends that day's rows after later ones: the window is found
    by the moment rows were written, and then kept by their day, so nothing in it is lost."""
    long_ago = [_delivery_row((OLD).date(), OLD, f"old{i}") for i in range(100)]
    week = NOW - timedelta(days=5)
    recent = [_delivery_row(week.date(), week, f"week{i}") for i in range(20)]
    backfill = [_delivery_row(OLD.date(), NOW - timedelta(hours=1), "backfill")]  # written now
    today = [_delivery_row(NOW.date(), NOW, f"today{i}") for i in range(9)]
    rows = long_ago + recent + backfill + today
    # the first guess lands on the back-filled row: 131 rows in the grid, the last 9 read
    store = _ledger_store(fake_sheets, service_account_info, rows, guess=9)
    for _ in range(2):  # the first load, and the next from where its window starts
        got = [d.recipient for d in store.load(history_days=62).deliveries]
        assert got == [f"week{i}" for i in range(20)] + [f"today{i}" for i in range(9)]
    assert len(store.load(history=False).deliveries) == 130  # a run: every row


def test_a_ledger_first_seen_empty_is_read_again_later(fake_sheets, service_account_info):
    """NhacViec's grid holds its header only when the app first reads it; a run in another
    process appends: the app sees it once its list of worksheets is old enough to be read
    again (PROPERTIES_MAX_AGE), not never."""
    from services.domain.model import Delivery
    from services.stores.sheets import PROPERTIES_MAX_AGE

    store = _ledger_store(fake_sheets, service_account_info, [], row_count=1)
    assert store.load(history_days=62).deliveries == ()
    other = GSheetsStore.from_settings(
        gsheets_settings_for(fake_sheets, service_account_info), deadline_seconds=3
    )
    other.load(history=False)
    other.record_deliveries([Delivery(NOW.date(), "SNV", "a@snv.gov.vn", 1, "<a>", "Đã gửi", NOW)])
    store._properties_at -= PROPERTIES_MAX_AGE + 1  # ten minutes later
    assert [d.recipient for d in store.load(history_days=62).deliveries] == ["a@snv.gov.vn"]
