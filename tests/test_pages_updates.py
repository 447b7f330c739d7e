"""AppTest flows of "Nhiệm vụ của tôi": save, field messages that keep the input, conflicts."""

from datetime import date

from services.domain.model import DONE, IN_PROGRESS, ROLE_ADMIN, ROLE_AGENCY, ROLE_LEADER
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from tests.conftest import ADMIN, NOW, open_app


def open_my_tasks(tmp_path, role=ROLE_AGENCY, agency="SNV"):
    return open_app(tmp_path, role, agency, page="views/my_tasks.py")


def table_with(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def store_of(tmp_path):
    return SQLiteStore(str(tmp_path / "app.db"), seed=seed_records)


def test_agency_saves_a_task_and_history_shows_it(tmp_path):
    at = open_my_tasks(tmp_path)
    chooser = next(s for s in at.selectbox if s.label == "Chọn nhiệm vụ để cập nhật")
    assert chooser.options[:1] and chooser.value == "NV-0001"
    chooser.select("NV-0024").run()
    at.selectbox(key="status_NV-0024").select(IN_PROGRESS)
    at.number_input(key="progress_NV-0024").set_value(45)
    at.text_area(key="result_NV-0024").input("Đã ban hành Kế hoạch 12/KH-SNV")
    at.text_input(key="evidence_NV-0024").input("12/KH-SNV")
    at.button(key="FormSubmitter:form_NV-0024-Lưu").click().run()
    assert not at.exception and not at.error
    task = store_of(tmp_path).load().task("NV-0024")
    assert (task.status, task.progress, task.evidence) == (IN_PROGRESS, 45, "12/KH-SNV")
    assert task.updated_by == "demo-agency@thu-nghiem"
    history = table_with(at, "Trường")
    assert set(history["Trường"]) == {
        "Trạng thái",
        "Tiến độ (%)",
        "Kết quả thực hiện",
        "Minh chứng",
    }


def test_invalid_input_is_explained_next_to_the_field_and_kept(tmp_path):
    at = open_my_tasks(tmp_path)
    long_text = "Nội dung rất dài " * 400  # > 5,000 characters
    at.text_area(key="result_NV-0001").input(long_text)
    at.selectbox(key="status_NV-0001").select(DONE)
    at.button(key="FormSubmitter:form_NV-0001-Lưu").click().run()
    assert not at.exception
    assert any("tối đa 5.000 ký tự" in e.value for e in at.error)
    assert at.text_area(key="result_NV-0001").value == long_text  # nothing lost
    assert store_of(tmp_path).load().task("NV-0001").result == ""


def test_conflict_shows_what_changed_and_reapplies_on_request(tmp_path):
    at = open_my_tasks(tmp_path)
    other = store_of(tmp_path)  # a colleague saves NV-0001 meanwhile
    other.update_task(other.load().task("NV-0001"), {"progress": 30}, ADMIN, NOW)
    at.selectbox(key="status_NV-0001").select(IN_PROGRESS)
    at.number_input(key="progress_NV-0001").set_value(60)
    at.text_area(key="result_NV-0001").input("Kết quả của tôi")
    at.button(key="FormSubmitter:form_NV-0001-Lưu").click().run()
    assert not at.exception
    assert "vừa được cập nhật bởi admin@ubnd.gov.vn" in at.warning[0].value
    changed = table_with(at, "Bạn đã thấy")
    assert "Tiến độ (%)" in list(changed["Trường"])
    assert at.text_area(key="result_NV-0001").value == "Kết quả của tôi"
    assert other.load().task("NV-0001").progress == 30  # nothing overwritten
    next(b for b in at.button if b.label.startswith("Tải lại và áp dụng lại")).click().run()
    task = other.load().task("NV-0001")
    assert (task.progress, task.result) == (60, "Kết quả của tôi")


def test_admin_sees_every_task(tmp_path):
    at = open_my_tasks(tmp_path, role=ROLE_ADMIN)
    assert at.title[0].value == "Cập nhật nhiệm vụ"
    assert len(at.dataframe[0].value) == 29


def open_admin(tmp_path):
    return open_app(tmp_path, ROLE_ADMIN, page="views/admin.py")


def test_admin_adds_a_user_and_refuses_a_bad_one(tmp_path):
    at = open_admin(tmp_path)
    at.text_input[0].input("CanBo@SNV.hungyen.gov.vn")
    at.text_input[1].input("Nguyễn Văn A")
    next(s for s in at.selectbox if s.label == "Cơ quan").select("SNV")
    at.button(key="FormSubmitter:user_form-Lưu người dùng").click().run()
    assert not at.exception and "Đã lưu người dùng canbo@snv.hungyen.gov.vn." in at.success[0].value
    users = store_of(tmp_path).load().users
    assert [(u.email, u.agency, u.role) for u in users] == [
        ("canbo@snv.hungyen.gov.vn", "SNV", "agency")
    ]
    at.text_input[0].input("không-phải-email")
    next(s for s in at.selectbox if s.label == "Cơ quan").select("")
    at.button(key="FormSubmitter:user_form-Lưu người dùng").click().run()
    assert {e.value for e in at.error} == {
        "Email không hợp lệ (ví dụ canbo@snv.hungyen.gov.vn).",
        "Người dùng vai trò Cơ quan phải thuộc một cơ quan trong danh mục.",
    }
    assert len(store_of(tmp_path).load().users) == 1


def test_admin_history_log_and_data_checks(tmp_path):
    other = store_of(tmp_path)
    other.update_task(other.load().task("NV-0001"), {"progress": 30}, ADMIN, NOW)
    at = open_admin(tmp_path)
    at.segmented_control(key="admin_section").set_value("Lịch sử cập nhật").run()
    at.toggle[0].set_value(True).run()  # NOW (2025) is before the recent window: the whole log
    log = table_with(at, "Người thực hiện")
    assert list(log["Mã NV"]) == ["NV-0001"] and log.iloc[0]["Giá trị mới"] == "30"
    at.segmented_control(key="admin_section").set_value("Kiểm tra dữ liệu").run()
    next(b for b in at.button if b.label == "Kiểm tra dữ liệu").click().run()
    assert at.success[0].value == "Không phát hiện vấn đề nào."


def test_bulk_editor_saves_valid_rows_and_keeps_invalid_ones_with_their_message(tmp_path):
    at = open_my_tasks(tmp_path)
    assert list(at.data_editor[0].value["id"]) == ["NV-0001", "NV-0011", "NV-0024"]
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {
            0: {"status": IN_PROGRESS, "progress": 55},
            2: {"status": IN_PROGRESS, "progress": 150, "result": "Quá 100"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="bulk_save").click().run()
    assert not at.exception
    snap = store_of(tmp_path).load()
    assert snap.task("NV-0001").progress == 55 and snap.task("NV-0024").progress == 0
    editor = at.data_editor[0].value.set_index("id")  # a fresh editor: saved rows from the store
    assert editor.loc["NV-0001", "progress"] == 55
    assert editor.loc["NV-0024", "progress"] == 150  # the refused input is still on screen
    assert editor.loc["NV-0024", "result"] == "Quá 100"
    assert editor.loc["NV-0024", "message"] == "Tiến độ là số nguyên từ 0 đến 100."
    assert "1 nhiệm vụ chưa lưu được" in at.error[0].value


def test_bulk_save_after_a_colleagues_change_is_a_conflict_not_an_overwrite(tmp_path):
    at = open_my_tasks(tmp_path)
    key = at.data_editor[0].key
    other = store_of(tmp_path)  # a colleague saves NV-0001 after my table was drawn
    other.update_task(other.load().task("NV-0001"), {"result": "Của đồng nghiệp"}, ADMIN, NOW)
    at.session_state[key] = {
        "edited_rows": {0: {"status": IN_PROGRESS, "progress": 10}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="bulk_save").click().run()
    assert not at.exception
    task = store_of(tmp_path).load().task("NV-0001")
    assert (task.result, task.progress) == ("Của đồng nghiệp", 0)  # nothing overwritten
    editor = at.data_editor[0].value.set_index("id")
    assert "vừa được cập nhật" in editor.loc["NV-0001", "message"]
    assert editor.loc["NV-0001", "progress"] == 10  # my input is still there
    assert editor.loc["NV-0001", "result"] == "Của đồng nghiệp"  # over the colleague's row


def test_a_refused_bulk_row_with_a_date_stays_on_screen(tmp_path):
    at = open_my_tasks(tmp_path)
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {"status": IN_PROGRESS, "progress": 100, "completed_on": "2025-01-05"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="bulk_save").click().run()
    assert not at.exception
    at.run()  # and on the next run too
    assert not at.exception
    editor = at.data_editor[0].value.set_index("id")
    assert editor.loc["NV-0001", "progress"] == 100
    assert "Tiến độ 100%" in editor.loc["NV-0001", "message"]


def test_reapply_keeps_the_colleagues_values_in_fields_i_did_not_touch(tmp_path):
    at = open_my_tasks(tmp_path)
    other = store_of(tmp_path)
    other.update_task(
        other.load().task("NV-0001"),
        {"status": IN_PROGRESS, "progress": 40, "result": "Của đồng nghiệp"},
        ADMIN,
        NOW,
    )
    at.text_input(key="evidence_NV-0001").input("12/KH-SNV")  # the only field I change
    at.button(key="FormSubmitter:form_NV-0001-Lưu").click().run()
    assert at.warning  # the conflict
    next(b for b in at.button if b.label.startswith("Tải lại và áp dụng lại")).click().run()
    task = other.load().task("NV-0001")
    assert (task.status, task.progress, task.result, task.evidence) == (
        IN_PROGRESS,
        40,
        "Của đồng nghiệp",
        "12/KH-SNV",
    )


def test_the_save_callback_acts_as_whoever_is_signed_in_now(tmp_path):
    """A callback runs before the page's guard: a right withdrawn after the page was drawn must
    not still write (here the identity changes between drawing and clicking)."""
    at = open_my_tasks(tmp_path)
    at.session_state["demo_role"] = "leader"
    at.number_input(key="progress_NV-0001").set_value(60)
    at.button(key="FormSubmitter:form_NV-0001-Lưu").click().run()
    assert not at.exception
    assert store_of(tmp_path).load().task("NV-0001").progress == 0


def test_history_names_the_person_and_the_agency(tmp_path):
    from services.domain.model import User

    other = store_of(tmp_path)
    other.save_user(User("canbo@snv.gov.vn", "Nguyễn Văn A", "SNV", ROLE_AGENCY))
    officer = User("canbo@snv.gov.vn", "Nguyễn Văn A", "SNV", ROLE_AGENCY)
    other.update_task(other.load().task("NV-0001"), {"result": "Đã làm"}, officer, NOW)
    at = open_my_tasks(tmp_path)
    # NOW (2025) is older than the recent history a page load carries: read on demand
    assert not any("Trường" in d.value.columns for d in at.dataframe)
    at.toggle(key="whole_NV-0001").set_value(True).run()
    history = table_with(at, "Trường")
    assert list(history["Người cập nhật"]) == ["Nguyễn Văn A"]
    assert list(history["Cơ quan"]) == ["Sở Nội vụ"]


def test_recent_history_is_shown_without_asking(tmp_path):
    from services.domain.model import now_local

    other = store_of(tmp_path)
    other.update_task(other.load().task("NV-0001"), {"progress": 15}, ADMIN, now_local())
    at = open_my_tasks(tmp_path)
    history = table_with(at, "Trường")
    assert list(history["Giá trị mới"]) == ["15"]


def test_tampered_bulk_state_is_a_message_not_an_exception(tmp_path):
    at = open_my_tasks(tmp_path)
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {99: {"progress": 10}, "x": {"status": DONE}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="bulk_save").click().run()
    assert not at.exception
    assert any("chưa có gì được lưu" in w.value for w in at.warning)
    assert store_of(tmp_path).load().task("NV-0001").progress == 0
    # the fresh table works again
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {"status": IN_PROGRESS, "progress": 10}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="bulk_save").click().run()
    assert not at.exception and store_of(tmp_path).load().task("NV-0001").progress == 10


def test_saving_an_untouched_table_says_so(tmp_path):
    at = open_my_tasks(tmp_path)
    at.button(key="bulk_save").click().run()
    assert not at.exception
    assert [i.value for i in at.info] == ["Chưa có thay đổi nào trong bảng để lưu."]
    assert not any("0/0" in t.value for t in at.toast)


def test_a_task_reassigned_while_its_form_is_open_keeps_what_was_typed(tmp_path):
    at = open_my_tasks(tmp_path)
    at.selectbox(key="status_NV-0001").select(IN_PROGRESS)
    at.number_input(key="progress_NV-0001").set_value(20)
    at.text_area(key="result_NV-0001").input("Báo cáo dài tôi vừa gõ")
    other = store_of(tmp_path)  # the office gives NV-0001 to Công an tỉnh meanwhile
    other.update_task(other.load().task("NV-0001"), {"lead": "CAT"}, ADMIN, NOW)
    at.button(key="FormSubmitter:form_NV-0001-Lưu").click().run()
    assert not at.exception
    assert store_of(tmp_path).load().task("NV-0001").result == ""
    assert any("Chưa lưu NV-0001" in w.value for w in at.warning)
    assert any(c.value == "Báo cáo dài tôi vừa gõ" for c in at.code)


def test_admin_stays_on_the_section_it_saved_in_and_sees_the_message_there(tmp_path):
    at = open_admin(tmp_path)
    at.segmented_control(key="admin_section").set_value("Cơ quan").run()
    name = next(t for t in at.text_input if t.label == "Tên cơ quan")
    next(t for t in at.text_input if t.label == "Mã CQ").input("SMOI")
    name.input("Sở Mới")
    at.button(key="FormSubmitter:agency_form_-Lưu cơ quan").click().run()
    assert not at.exception
    assert at.segmented_control(key="admin_section").value == "Cơ quan"
    assert at.success[0].value == "Đã lưu cơ quan SMOI – Sở Mới."
    assert any(t.label == "Tên cơ quan" for t in at.text_input)  # the agency form, not users'


def test_task_lists_say_thuong_xuyen_rather_than_an_empty_date(tmp_path):
    """The seed directive's tasks have no deadline: the lists say so in words (never "None"),
    and a dated task shows dd/mm/yyyy."""
    from services.dashboard.board import deadline_text

    at = open_app(tmp_path, ROLE_AGENCY, "SNV", page="views/my_tasks.py")
    shown = at.dataframe[0].value
    assert set(shown["deadline"]) == {"Thường xuyên"}
    agency = open_app(tmp_path, ROLE_LEADER, page="views/agency.py")
    assert not agency.exception
    assert deadline_text(date(2026, 3, 9)) == "09/03/2026" and deadline_text(None) == "Thường xuyên"


def test_a_queued_save_says_it_waits_and_why():
    from services.ui.writes import waiting_text

    class Queue:
        def __init__(self, n):
            self.n = n

        def waiting(self):
            return self.n

    assert waiting_text(object()) == "Đang lưu…"  # SQLite, PostgreSQL: no queue
    assert waiting_text(Queue(0)) == "Đang lưu…"
    text = waiting_text(Queue(3))
    assert "3 lượt lưu khác" in text and "Google Sheets" in text and "vẫn được giữ" in text
