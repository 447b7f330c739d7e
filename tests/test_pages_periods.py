"""AppTest flows of the reporting periods: the agency reports a period on Nhiệm vụ của tôi (a bad
entry is told next to the field and loses nothing), the office confirms or returns it on Chờ xử
lý, sets a cycle on Quản trị; a leader sees the period status on Tổng quan and Cần chỉ đạo."""

from services.dashboard.attention import attention
from services.dashboard.periods import period_frame
from services.domain.model import (
    REPORT_CONFIRMED,
    REPORT_RETURNED,
    REPORT_WAITING,
    ROLE_ADMIN,
    ROLE_AGENCY,
    ROLE_LEADER,
    today_local,
)
from services.domain.periods import Cycle, parse_cycle, period_of
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from tests.test_pages_cycle import texts

SUBMIT = "FormSubmitter:period_NV-0001-Gửi báo cáo kỳ"


def store_of(tmp_path):
    return SQLiteStore(str(tmp_path / "app.db"), seed=seed_records)


def this_period():
    today = today_local()
    return period_of(parse_cycle("Hằng tháng, hạn ngày 25"), today)


def test_agency_reports_a_period_and_the_office_returns_then_confirms(tmp_path):
    agency = _agency(tmp_path)
    period = this_period()
    assert agency.selectbox(key="pr_period_NV-0001").value == period.key
    agency.number_input(key="pr_progress_NV-0001").set_value(150)
    agency.button(key=SUBMIT).click().run()
    errors = " ".join(e.value for e in agency.error)
    assert "Nhập nội dung báo cáo kỳ này" in errors and "Tiến độ" in errors
    assert store_of(tmp_path).load().period_reports == ()
    agency.text_area(key="pr_content_NV-0001").input("Đã đăng 12 tin bài")
    agency.number_input(key="pr_progress_NV-0001").set_value(40)
    agency.button(key=SUBMIT).click().run()
    assert not agency.exception and not agency.error
    (report,) = store_of(tmp_path).load().period_reports
    assert (report.period, report.content, report.progress, report.state) == (
        period.key,
        "Đã đăng 12 tin bài",
        40,
        REPORT_WAITING,
    )

    office = open_office(tmp_path)
    assert office.tabs[1].label == "Báo cáo kỳ chờ xác nhận (1)"
    office.button(key=f"pback_{report.id}").click().run()
    assert any("Nhập lý do trả lại" in e.value for e in office.error)
    office.text_input(key=f"pwhy_{report.id}").input("Thiếu số liệu")
    office.button(key=f"pback_{report.id}").click().run()
    assert not office.exception
    assert store_of(tmp_path).load().period_reports[0].state == REPORT_RETURNED

    agency = _agency(tmp_path)
    assert "Thiếu số liệu" in texts(agency)  # returned: told at the top, owed again
    agency.text_area(key="pr_content_NV-0001").input("Bổ sung: 12 tin, 3 phóng sự")
    agency.button(key=SUBMIT).click().run()
    assert not agency.exception and not agency.error
    second = store_of(tmp_path).load().period_reports[1]

    office = open_office(tmp_path)
    office.button(key=f"pok_{second.id}").click().run()
    assert not office.exception
    states = [r.state for r in store_of(tmp_path).load().period_reports]
    assert states == [REPORT_RETURNED, REPORT_CONFIRMED]  # the first one kept, not overwritten
    agency = _agency(tmp_path)
    shown = texts(agency)
    assert "Báo cáo gần nhất" in shown and "Bổ sung: 12 tin, 3 phóng sự" in shown
    assert "Kỳ cần báo cáo tiếp theo" in shown


def test_office_sets_a_cycle_for_every_task_of_the_directive(tmp_path):
    from tests.conftest import open_app

    admin = open_app(tmp_path, ROLE_ADMIN, page="views/admin.py")
    admin.segmented_control(key="admin_section").set_value("Kỳ báo cáo").run()
    admin.selectbox(key="cycle_kind").select("Hằng quý")
    admin.number_input(key="cycle_day").set_value(40)
    admin.button(key="FormSubmitter:cycle_form-Lưu kỳ báo cáo").click().run()
    assert any("từ 1 đến 31" in e.value for e in admin.error)
    assert admin.number_input(key="cycle_day").value == 40  # kept as typed
    admin.number_input(key="cycle_day").set_value(20)
    admin.button(key="FormSubmitter:cycle_form-Lưu kỳ báo cáo").click().run()
    assert not admin.exception and not admin.error
    cycles = {parse_cycle(t.cycle) for t in store_of(tmp_path).load().tasks}
    assert cycles == {Cycle("quarterly", 20, today_local())}


def test_a_leader_sees_the_same_numbers_on_cang_chi_dao_and_tong_quan(tmp_path):
    from tests.conftest import open_app

    leader = open_app(tmp_path, ROLE_LEADER, page="views/attention.py")
    assert not leader.exception
    snap = store_of(tmp_path).load()
    today = today_local()
    found = attention(snap, period_frame(snap, today), today).headline()
    metrics = {m.label: m.value for m in leader.metric}
    assert metrics["Kỳ báo cáo chưa nộp (quá hạn)"] == str(found["missing_periods"])
    overview = open_app(tmp_path, ROLE_LEADER, page="views/overview.py")
    metrics = {m.label: m.value for m in overview.metric}
    assert metrics["Kỳ báo cáo chưa nộp (quá hạn)"] == str(found["missing_periods"])
    assert metrics["Kỳ này: chưa báo cáo"] == "29"  # the seed, opened fresh: nobody reported


def _agency(tmp_path):
    from tests.conftest import open_app

    return open_app(tmp_path, ROLE_AGENCY, "SNV", page="views/my_tasks.py")


def open_office(tmp_path):
    from tests.conftest import open_app

    return open_app(tmp_path, ROLE_ADMIN, page="views/queue.py")


def test_a_line_of_can_chi_dao_opens_the_task_card_on_the_agency_page(tmp_path):
    from tests.conftest import make_app, open_app

    leader = open_app(tmp_path, ROLE_LEADER, page="views/attention.py")
    today = today_local()
    if today > this_period().due:  # after the due day every seed task is listed as missing
        links = [str(v) for df in leader.dataframe for v in df.value.get("Mã NV", [])]
        assert any("agency?agency=SNV&task=NV-0001" in v for v in links)
    page = make_app(tmp_path, ROLE_LEADER, script="views/agency.py")
    page.query_params["agency"] = "SNV"
    page.query_params["task"] = "NV-0001"
    page.run()
    assert not page.exception
    shown = texts(page)
    assert "NV-0001 · Sở Nội vụ · hạn thường xuyên" in shown
    assert "Kỳ báo cáo: Hằng tháng, hạn ngày 25" in shown and "Chưa có báo cáo kỳ nào." in shown
