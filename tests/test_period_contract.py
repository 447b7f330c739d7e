"""Reporting periods on every backend (SQLite, Google Sheets over the fake, PostgreSQL): the office
sets a cycle, the lead agency reports on a period, the office confirms or returns; each report is
its own record, never overwritten. Every step goes through services.tasks.periods, as the pages do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.dashboard import periods as read
from services.domain.agencies import AgencyIndex
from services.domain.errors import PermissionDenied, ReportDecided, ValidationError
from services.domain.model import REPORT_CONFIRMED, REPORT_RETURNED, REPORT_WAITING
from services.domain.periods import MISSING, MONTHLY, ON_TIME, QUARTERLY, Cycle
from services.tasks import periods
from tests.conftest import ADMIN, LEADER, NOW, SNV
from tests.test_cycle_contract import OFFICER_2, SYT

TODAY = NOW.date()  # 10/03/2025
MONTHLY_25 = Cycle(MONTHLY, 25, date(2025, 1, 1))


def fresh(store, task_id="NV-0001"):
    return store.load().task(task_id)


def with_cycle(store, task_id="NV-0001", cycle=MONTHLY_25):
    periods.set_cycle(store, ADMIN, fresh(store, task_id), cycle, NOW, TODAY)
    return fresh(store, task_id)


def submit(store, period="2025-03", user=SNV, task_id="NV-0001", content="Đã đăng 12 tin bài"):
    snap = store.load()
    return periods.submit_report(
        store,
        user,
        snap.task(task_id),
        period,
        content,
        "15/BC-SNV",
        40,
        NOW,
        TODAY,
        AgencyIndex(snap.agencies),
    )


def test_the_office_sets_a_cycle_and_it_is_read_back_with_its_history(store):
    task = with_cycle(store)
    assert task.cycle == "Hằng tháng, hạn ngày 25, từ 01/01/2025"
    assert store.history("NV-0001")[-1].field == "Kỳ báo cáo"
    with pytest.raises(PermissionDenied):
        periods.set_cycle(store, SNV, task, None, NOW, TODAY)


def test_a_cycle_for_every_task_of_a_directive_at_once(store):
    snap = store.load()
    changed, refused = periods.set_directive_cycle(
        store, ADMIN, snap, "VB-0001", Cycle(MONTHLY, 25), NOW, TODAY
    )
    assert refused == [] and changed == len([t for t in snap.tasks if t.directive_id == "VB-0001"])
    # a cycle set without a start starts today: March is the first period owed
    assert {t.cycle for t in store.load().tasks} == {"Hằng tháng, hạn ngày 25, từ 10/03/2025"}


def test_an_agency_reports_a_period_and_the_office_confirms_it(store):
    with_cycle(store)
    report = submit(store)
    assert report.id == "BC-0001" and report.state == REPORT_WAITING
    loaded = store.load().period_reports
    assert [(r.id, r.period, r.content, r.evidence, r.progress, r.agency) for r in loaded] == [
        ("BC-0001", "2025-03", "Đã đăng 12 tin bài", "15/BC-SNV", 40, "SNV")
    ]
    assert loaded[0].submitted_at == NOW.replace(microsecond=0)
    confirmed = periods.confirm_report(store, ADMIN, loaded[0], NOW)
    assert confirmed.state == REPORT_CONFIRMED and confirmed.decided_by == ADMIN.email
    assert store.load().period_reports == (confirmed,)
    with pytest.raises(ValidationError) as again:  # a confirmed period is closed
        submit(store)
    assert "period" in again.value.errors
    assert [c.field for c in store.history("NV-0001")][-2:] == ["Báo cáo kỳ", "Xử lý báo cáo kỳ"]


def test_a_returned_report_is_kept_and_a_new_one_is_a_new_record(store):
    with_cycle(store)
    first = submit(store)
    with pytest.raises(ValidationError):  # one waiting report per period
        submit(store, content="lần hai")
    with pytest.raises(ValidationError) as why:
        periods.return_report(store, ADMIN, first, "  ", NOW)
    assert "reason" in why.value.errors
    periods.return_report(store, ADMIN, first, "Thiếu số liệu", NOW)
    second = submit(store, content="Bổ sung số liệu")
    reports = store.load().period_reports
    assert [(r.id, r.state, r.content) for r in reports] == [
        ("BC-0001", REPORT_RETURNED, "Đã đăng 12 tin bài"),
        ("BC-0002", REPORT_WAITING, "Bổ sung số liệu"),
    ]
    assert reports[0].note == "Thiếu số liệu" and second.id == "BC-0002"


def test_two_officers_decide_one_report_the_second_is_told(store):
    with_cycle(store)
    seen = submit(store)
    periods.confirm_report(store, ADMIN, seen, NOW)
    with pytest.raises(ReportDecided):
        periods.return_report(store, OFFICER_2, seen, "Thiếu", NOW)
    assert store.load().period_reports[0].state == REPORT_CONFIRMED


def test_only_the_lead_agency_reports_and_only_for_a_period_counted_so_far(store):
    with_cycle(store)
    for user in (SYT, LEADER, ADMIN):
        with pytest.raises(PermissionDenied):
            submit(store, user=user)
    with pytest.raises(ValidationError) as future:
        submit(store, period="2025-04")
    assert "period" in future.value.errors
    with pytest.raises(ValidationError) as blank:
        submit(store, content="   ")
    assert "content" in blank.value.errors
    assert store.load().period_reports == ()
    with pytest.raises(PermissionDenied):
        periods.confirm_report(store, SNV, submit(store), NOW)
    with_cycle(store, cycle=None)
    with pytest.raises(ValidationError) as none:  # a task without a cycle
        submit(store, period="2025-02")
    assert "không có kỳ báo cáo" in none.value.errors["form"]


def test_period_status_as_of_a_day(store):
    with_cycle(store)
    submit(store, period="2025-01")  # January's report, sent on 10/03: late
    frame = read.period_frame(store.load(), TODAY)
    mine = frame[frame["task_id"] == "NV-0001"].set_index("period")
    assert list(mine.index) == ["2025-01", "2025-02", "2025-03"]
    assert mine.loc["2025-02", "status"] == MISSING and mine.loc["2025-02", "days_late"] == 13
    assert mine.loc["2025-03", "current"] and mine.loc["2025-03", "status"] == "Chưa đến hạn"
    assert mine.loc["2025-01", "status"] == "Báo cáo muộn"
    submit(store, period="2025-03")
    frame = read.period_frame(store.load(), TODAY + timedelta(days=1))
    assert frame.set_index(["task_id", "period"]).loc[("NV-0001", "2025-03"), "status"] == ON_TIME


def test_a_copy_between_stores_carries_the_period_reports(sqlite_store, tmp_path):
    from services.stores.sqlite import SQLiteStore
    from services.stores.transfer import apply_copy, plan_copy, verify

    with_cycle(sqlite_store)
    submit(sqlite_store)
    source = sqlite_store.load()
    target = SQLiteStore(str(tmp_path / "copy.db"))
    apply_copy(source, target, plan_copy(source, target.load()))
    copied = target.load()
    assert copied.period_reports == source.period_reports
    assert copied.task("NV-0001").cycle == source.task("NV-0001").cycle
    ok, lines = verify(source, copied)
    assert ok and any(line.startswith("báo cáo kỳ: nguồn 1, đích 1") for line in lines)


def test_a_sheet_made_before_reporting_periods_keeps_working(fake_sheets, service_account_info):
    """A workbook without BaoCaoKy and without the Kỳ báo cáo column: it loads (no reports);
    a report is refused with what to run, nothing written; init-sheet adds both."""
    from services.stores.seed import read_tables
    from services.stores.sheets import GSheetsStore
    from tests.conftest import gsheets_settings_for, sheet_spec

    tables = {k: v for k, v in read_tables().items() if k != "BaoCaoKy"}
    tables["NhiemVu"] = [row[:-1] for row in tables["NhiemVu"]]  # no Kỳ báo cáo column
    fake_sheets.create(sheet_spec(tables))
    store = GSheetsStore.from_settings(
        gsheets_settings_for(fake_sheets, service_account_info), deadline_seconds=3
    )
    snap = store.load()
    assert len(snap.tasks) == 29 and snap.period_reports == ()
    with pytest.raises(Exception) as refused:  # the cycle cell needs the column
        periods.set_cycle(store, ADMIN, snap.task("NV-0001"), MONTHLY_25, NOW, TODAY)
    assert "init-sheet" in str(refused.value)
    store.init_sheet()
    with_cycle(store)
    assert submit(store).id == "BC-0001"
    assert [r.content for r in store.load().period_reports] == ["Đã đăng 12 tin bài"]


def test_on_sheets_a_period_report_is_a_few_requests_and_one_appended_row(
    gsheets_store, fake_sheets
):
    from tests.test_gsheets_store import api_requests, cells

    with_cycle(gsheets_store)
    before = len(cells(fake_sheets, "BaoCaoKy"))
    snap = gsheets_store.load()  # the page's cached snapshot
    fake_sheets.clear_requests()
    periods.submit_report(
        gsheets_store,
        SNV,
        snap.task("NV-0001"),
        "2025-03",
        "Đã đăng 12 tin bài",
        "",
        None,
        NOW,
        TODAY,
        AgencyIndex(snap.agencies),
    )
    calls = [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in api_requests(fake_sheets)]
    # one read (the task, BaoCaoKy, today's tail of LichSu with its header), the report
    # appended, its history row appended after LichSu's last row (appendCells, as a save does)
    assert calls == [
        ("GET", "values:batchGet"),
        ("POST", "BaoCaoKy!A1:append"),
        ("POST", "sheet-test:batchUpdate"),
    ], calls
    assert next(iter(api_requests(fake_sheets)[2]["body"]["requests"][0])) == "appendCells"
    rows = cells(fake_sheets, "BaoCaoKy")
    assert len(rows) == before + 1 and rows[-1][:3] == ["BC-0001", "NV-0001", "2025-03"]
    assert rows[-1][7] == "Chờ xác nhận"  # written as the sheet's people read it


def test_on_sheets_a_directive_cycle_is_one_read_and_one_write(gsheets_store, fake_sheets):
    from tests.test_gsheets_store import api_requests

    snap = gsheets_store.load()
    periods.set_cycle(gsheets_store, ADMIN, snap.task("NV-0001"), MONTHLY_25, NOW, TODAY)
    for t in gsheets_store.load().tasks:  # the seed's rows get their anchors on a first save
        gsheets_store.update_task(t, {"progress": 5}, ADMIN, NOW)
    snap = gsheets_store.load()
    fake_sheets.clear_requests()
    changed, refused = periods.set_directive_cycle(
        gsheets_store, ADMIN, snap, "VB-0001", Cycle(QUARTERLY, 20), NOW, TODAY
    )
    assert (changed, refused) == (29, [])
    calls = [r["path"].rsplit("/", 1)[-1] for r in api_requests(fake_sheets)]
    assert calls == ["values:batchGetByDataFilter", "sheet-test:batchUpdate"]
    assert {t.cycle for t in gsheets_store.load().tasks} == {"Hằng quý, hạn ngày 20, từ 10/03/2025"}
