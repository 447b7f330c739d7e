"""AppTest flows of the follow-up cycle for each role: the agency reports done and asks for an
extension on Nhiệm vụ của tôi; the office confirms, returns and withdraws on Chờ xử lý; a leader
decides extensions there; Tổng quan counts only confirmed completions."""

from datetime import date

from services.domain.model import DONE, IN_PROGRESS, PENDING, ROLE_ADMIN, ROLE_AGENCY, ROLE_LEADER
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from tests.conftest import ADMIN, NOW, open_app


def store_of(tmp_path):
    return SQLiteStore(str(tmp_path / "app.db"), seed=seed_records)


def report_done(at, task_id="NV-0001"):
    at.selectbox(key=f"status_{task_id}").select(DONE)
    at.number_input(key=f"progress_{task_id}").set_value(100)
    at.text_area(key=f"result_{task_id}").input("Đã ban hành kế hoạch")
    at.button(key=f"FormSubmitter:form_{task_id}-Lưu").click().run()
    assert not at.exception and not at.error


def texts(at):
    return " ".join([t.value for t in at.text] + [c.value for c in at.caption])


def test_agency_done_waits_then_office_returns_then_confirms(tmp_path):
    agency = open_app(tmp_path, ROLE_AGENCY, "SNV", page="views/my_tasks.py")
    report_done(agency)
    assert store_of(tmp_path).load().task("NV-0001").status == PENDING

    office = open_app(tmp_path, ROLE_ADMIN, page="views/queue.py")
    assert office.tabs[0].label == "Kết quả chờ xác nhận (1)"
    office.button(key="back_NV-0001").click().run()  # no reason: told next to it
    assert any("Nhập lý do trả lại" in e.value for e in office.error)
    assert store_of(tmp_path).load().task("NV-0001").status == PENDING
    office.text_input(key="why_NV-0001").input("Thiếu minh chứng")
    office.button(key="back_NV-0001").click().run()
    assert not office.exception and not office.error
    task = store_of(tmp_path).load().task("NV-0001")
    assert (task.status, task.returns, task.return_reason) == (IN_PROGRESS, 1, "Thiếu minh chứng")

    agency = open_app(tmp_path, ROLE_AGENCY, "SNV", page="views/my_tasks.py")
    assert "Thiếu minh chứng" in texts(agency)  # at the top, and on the task
    report_done(agency)

    office = open_app(tmp_path, ROLE_ADMIN, page="views/queue.py")
    office.button(key="ok_NV-0001").click().run()
    assert not office.exception
    assert store_of(tmp_path).load().task("NV-0001").status == DONE
    overview = open_app(tmp_path, ROLE_LEADER, page="views/overview.py")
    assert not overview.exception
    rate = next(m for m in overview.metric if m.label == "Tỷ lệ hoàn thành")
    assert rate.value == "3,4%"  # 1 of 29: the confirmed completion, and only it


def test_agency_asks_for_more_time_and_a_leader_decides(tmp_path):
    store = store_of(tmp_path)
    store.update_task(store.load().task("NV-0001"), {"deadline": date(2027, 3, 31)}, ADMIN, NOW)
    agency = open_app(tmp_path, ROLE_AGENCY, "SNV", page="views/my_tasks.py")
    agency.date_input(key="ext_date_NV-0001").set_value(date(2027, 3, 1))
    agency.button(key="FormSubmitter:extend_NV-0001-Gửi đề xuất gia hạn").click().run()
    errors = " ".join(e.value for e in agency.error)
    assert "Hạn đề xuất phải sau hạn hiện tại" in errors and errors.count("Nhập lý do") == 1
    agency.date_input(key="ext_date_NV-0001").set_value(date(2027, 6, 30))
    agency.text_area(key="ext_reason_NV-0001").input("Chờ hướng dẫn của Bộ")
    agency.button(key="FormSubmitter:extend_NV-0001-Gửi đề xuất gia hạn").click().run()
    assert not agency.exception
    (request,) = store_of(tmp_path).load().requests
    assert (request.proposed_deadline, request.agency) == (date(2027, 6, 30), "SNV")

    leader = open_app(tmp_path, ROLE_LEADER, page="views/queue.py")
    assert [t.label for t in leader.tabs] == ["Đề xuất chờ quyết định (1)"]
    leader.button(key=f"True_{request.id}").click().run()
    assert not leader.exception and not leader.error
    task = store_of(tmp_path).load().task("NV-0001")
    assert (task.deadline, task.original_deadline, task.extensions) == (
        date(2027, 6, 30),
        date(2027, 3, 31),
        1,
    )
    agency = open_app(tmp_path, ROLE_AGENCY, "SNV", page="views/my_tasks.py")
    assert "Đã chấp thuận" in texts(agency) and "đã gia hạn 1 lần" in texts(agency)


def open_tab(at) -> str:
    """The label of the tab the browser opens (the tab container's default index)."""

    def containers(node):
        proto = getattr(node, "proto", None)
        if getattr(proto, "DESCRIPTOR", None) and proto.DESCRIPTOR.name == "Block":
            if proto.WhichOneof("type") == "tab_container":
                yield node, proto.tab_container.default_tab_index
        for child in getattr(node, "children", {}).values():
            yield from containers(child)

    ((container, index),) = containers(at._tree)
    return list(container.children.values())[index].label


def test_the_office_stays_on_its_tab_when_a_decision_changes_the_counts(tmp_path):
    store = store_of(tmp_path)
    task = store.load().task("NV-0001")
    store.update_task(task, {"deadline": date(2027, 3, 31)}, ADMIN, NOW)
    agency = open_app(tmp_path, ROLE_AGENCY, "SNV", page="views/my_tasks.py")
    agency.date_input(key="ext_date_NV-0001").set_value(date(2027, 6, 30))
    agency.text_area(key="ext_reason_NV-0001").input("Chờ hướng dẫn của Bộ")
    agency.button(key="FormSubmitter:extend_NV-0001-Gửi đề xuất gia hạn").click().run()
    (request,) = store_of(tmp_path).load().requests

    office = open_app(tmp_path, ROLE_ADMIN, page="views/queue.py")
    assert open_tab(office) == "Kết quả chờ xác nhận (0)"
    office.session_state["queue_tab"] = "requests"  # the user opened the third tab
    office.run()
    assert open_tab(office) == "Đề xuất chờ quyết định (1)"
    office.button(key=f"True_{request.id}").click().run()
    assert not office.exception and store_of(tmp_path).load().task("NV-0001").extensions == 1
    assert open_tab(office) == "Đề xuất chờ quyết định (0)"  # a new label, the same tab


def test_office_withdraws_a_task_and_it_leaves_the_counts(tmp_path):
    office = open_app(tmp_path, ROLE_ADMIN, page="views/queue.py")
    office.selectbox(key="wd_task").select("NV-0002")
    office.text_input(key="wd_reason").input("Trùng nội dung").run()
    next(b for b in office.button if b.label == "Thu hồi").click().run()
    assert not office.exception and not office.error
    snap = store_of(tmp_path).load()
    assert snap.task("NV-0002").withdrawn == "Trùng nội dung" and len(snap.active().tasks) == 28
    office.toggle(key="wd_show").set_value(True).run()
    office.button(key="restore_NV-0002").click().run()
    assert store_of(tmp_path).load().task("NV-0002").withdrawn == ""


def test_agencies_do_not_open_the_queue(tmp_path):
    at = open_app(tmp_path, ROLE_AGENCY, "SNV", page="views/queue.py")
    assert any("không có quyền" in e.value for e in at.error)


def test_a_form_drawn_again_starts_from_the_row_as_it_is_now(tmp_path):
    """The agency saves, the office returns the task, the agency looks at another task and comes
    back: the form shows the returned row and saving it is not a conflict with the office."""
    agency = open_app(tmp_path, ROLE_AGENCY, "SNV", page="views/my_tasks.py")
    report_done(agency)
    office = open_app(tmp_path, ROLE_ADMIN, page="views/queue.py")
    office.text_input(key="why_NV-0001").input("Thiếu minh chứng")
    office.button(key="back_NV-0001").click().run()
    assert store_of(tmp_path).load().task("NV-0001").status == IN_PROGRESS

    picker = next(s for s in agency.selectbox if s.label == "Chọn nhiệm vụ để cập nhật")
    other = next(o.split(" · ")[0] for o in picker.options if not o.startswith("NV-0001"))
    picker.set_value(other).run()  # NV-0001's form is not drawn: its widgets are dropped
    picker = next(s for s in agency.selectbox if s.label == "Chọn nhiệm vụ để cập nhật")
    picker.set_value("NV-0001").run()
    assert agency.selectbox(key="status_NV-0001").value == IN_PROGRESS  # the returned row
    report_done(agency)
    notices = [w.value for w in agency.main.warning]
    assert not any("sau khi bạn mở nó" in n for n in notices), notices  # no conflict notice
    assert store_of(tmp_path).load().task("NV-0001").status == PENDING
