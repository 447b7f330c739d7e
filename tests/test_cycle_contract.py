"""The follow-up cycle on every backend (SQLite, Google Sheets over the fake): report done ->
confirm or return; extension and reassignment requests -> decisions; withdraw and restore.
Every transition goes through services.tasks.cycle, as the pages do."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.domain.agencies import AgencyIndex
from services.domain.errors import (
    PermissionDenied,
    RequestDecided,
    StoreError,
    ValidationError,
)
from services.domain.model import (
    APPROVED,
    DONE,
    IN_PROGRESS,
    PENDING,
    REFUSED,
    ROLE_ADMIN,
    ROLE_AGENCY,
    User,
)
from services.tasks import cycle
from services.tasks.updates import UpdateInput, save_update
from tests.conftest import ADMIN, LEADER, NOW, SNV

OFFICER_2 = User("vanphong2@ubnd.gov.vn", "Văn phòng 2", "VPUB", ROLE_ADMIN)
SYT = User("canbo@syt.gov.vn", "Cán bộ Sở Y tế", "SYT", ROLE_AGENCY)


def fresh(store, task_id):
    return store.load().task(task_id)


def registry(store):
    return AgencyIndex(store.load().agencies)


def report_done(store, task_id="NV-0001", user=SNV, result="Đã ban hành kế hoạch"):
    seen = fresh(store, task_id)
    data = UpdateInput(DONE, 100, result, "123/BC-SNV", NOW.date() - timedelta(days=1))
    return save_update(store, user, seen, data, NOW, registry(store))


def test_an_agencys_done_waits_for_the_office_and_is_confirmed(store):
    report_done(store)
    task = fresh(store, "NV-0001")
    assert task.status == PENDING and task.completed_on == NOW.date() - timedelta(days=1)
    cycle.confirm(store, ADMIN, task, NOW)
    task = fresh(store, "NV-0001")
    assert task.status == DONE and task.completed_on == NOW.date() - timedelta(days=1)
    assert [c.field for c in store.history("NV-0001")][-1] == "Trạng thái"
    with pytest.raises(PermissionDenied):  # a confirmed result is the office's now
        report_done(store, result="sửa lại")


def test_the_office_returns_with_a_reason_the_agency_sees_then_it_reports_again(store):
    report_done(store)
    with pytest.raises(ValidationError) as refused:
        cycle.return_task(store, ADMIN, fresh(store, "NV-0001"), "  ", NOW)
    assert "reason" in refused.value.errors
    cycle.return_task(store, ADMIN, fresh(store, "NV-0001"), "Thiếu minh chứng", NOW)
    task = fresh(store, "NV-0001")
    assert (task.status, task.returns, task.return_reason) == (IN_PROGRESS, 1, "Thiếu minh chứng")
    assert task.completed_on is None
    inbox = cycle.agency_inbox(store.load(), "SNV", registry(store))
    assert [t.id for t in inbox["returned"]] == ["NV-0001"]
    report_done(store)
    task = fresh(store, "NV-0001")
    assert (task.status, task.returns, task.return_reason) == (PENDING, 1, "")
    assert cycle.agency_inbox(store.load(), "SNV", registry(store))["returned"] == []


def test_only_the_office_confirms_and_only_what_waits(store):
    report_done(store)
    task = fresh(store, "NV-0001")
    for who in (SNV, LEADER):
        with pytest.raises(PermissionDenied):
            cycle.confirm(store, who, task, NOW)
    cycle.confirm(store, ADMIN, task, NOW)
    with pytest.raises(StoreError):  # a second officer on the same completion is told
        cycle.confirm(store, OFFICER_2, fresh(store, "NV-0001"), NOW)


def test_two_officers_deciding_one_completion_one_wins(store):
    report_done(store)
    seen = fresh(store, "NV-0001")
    cycle.confirm(store, ADMIN, seen, NOW)
    with pytest.raises(StoreError):  # the second saw it waiting: told, nothing written
        cycle.return_task(store, OFFICER_2, seen, "Chưa đạt", NOW)
    assert fresh(store, "NV-0001").status == DONE


def test_without_confirmation_an_agencys_done_is_final(store):
    seen = fresh(store, "NV-0001")
    data = UpdateInput(DONE, 100, "Xong", "", NOW.date())
    save_update(store, SNV, seen, data, NOW, registry(store), require_confirmation=False)
    assert fresh(store, "NV-0001").status == DONE


def extension_task(store):
    """NV-0001 with a deadline, as the office would set it."""
    seen = fresh(store, "NV-0001")
    store.update_task(seen, {"deadline": date(2025, 3, 31)}, ADMIN, NOW)
    return fresh(store, "NV-0001")


def test_extension_approved_moves_the_deadline_and_keeps_the_original(store):
    task = extension_task(store)
    reg = registry(store)
    request = cycle.request_extension(
        store, SNV, task, date(2025, 4, 30), "Chờ ý kiến của Bộ", NOW, reg
    )
    assert request.id == "DX-0001" and request.agency == "SNV"
    waiting = cycle.waiting_requests(store.load(), LEADER)
    assert [r.id for r in waiting] == ["DX-0001"]
    decided = cycle.decide(store, LEADER, waiting[0], task, True, "", NOW, reg)
    assert decided.state == APPROVED and decided.decided_by == LEADER.email
    task = fresh(store, "NV-0001")
    assert (task.deadline, task.original_deadline, task.extensions) == (
        date(2025, 4, 30),
        date(2025, 3, 31),
        1,
    )
    assert cycle.extension_text(task) == "đã gia hạn 1 lần (hạn ban đầu 31/03/2025)"
    second = cycle.request_extension(store, SNV, task, date(2025, 5, 31), "Lần hai", NOW, reg)
    cycle.decide(store, ADMIN, second, task, True, "", NOW, reg)
    task = fresh(store, "NV-0001")
    assert (task.deadline, task.original_deadline, task.extensions) == (
        date(2025, 5, 31),
        date(2025, 3, 31),
        2,
    )
    fields = [c.field for c in store.history("NV-0001")]
    assert fields.count("Đề xuất gia hạn") == 2 and fields.count("Quyết định đề xuất") == 2


def test_extension_input_is_checked_next_to_the_field(store):
    task = extension_task(store)
    reg = registry(store)
    cases = [
        (NOW.date() - timedelta(days=1), "lý do", "deadline"),  # before today
        (date(2025, 3, 20), "lý do", "deadline"),  # before the current deadline
        (date(2025, 4, 30), "", "reason"),
    ]
    for new_deadline, reason, field in cases:
        with pytest.raises(ValidationError) as e:
            cycle.request_extension(store, SNV, task, new_deadline, reason, NOW, reg)
        assert field in e.value.errors
    with pytest.raises(PermissionDenied):  # not the lead agency
        cycle.request_extension(store, SYT, task, date(2025, 4, 30), "x", NOW, reg)
    assert store.load().requests == ()


def test_a_refusal_needs_a_reason_and_two_deciders_one_wins(store):
    task = extension_task(store)
    reg = registry(store)
    request = cycle.request_extension(store, SNV, task, date(2025, 4, 30), "Cần thêm", NOW, reg)
    with pytest.raises(ValidationError) as e:
        cycle.decide(store, ADMIN, request, task, False, "", NOW, reg)
    assert "note" in e.value.errors
    cycle.decide(store, ADMIN, request, task, False, "Không đủ căn cứ", NOW, reg)
    with pytest.raises(RequestDecided) as told:  # the second officer saw it waiting
        cycle.decide(store, LEADER, request, task, True, "", NOW, reg)
    assert "đã được admin@ubnd.gov.vn quyết định" in str(told.value)
    final = store.load().requests[0]
    assert (final.state, final.note) == (REFUSED, "Không đủ căn cứ")
    assert fresh(store, "NV-0001").deadline == date(2025, 3, 31)  # unchanged
    answers = cycle.agency_inbox(store.load(), "SNV", reg)["requests"]
    assert [(r.id, r.state) for r in answers] == [("DX-0001", REFUSED)]


def test_one_waiting_request_per_task(store):
    task = extension_task(store)
    reg = registry(store)
    cycle.request_extension(store, SNV, task, date(2025, 4, 30), "Một", NOW, reg)
    with pytest.raises(ValidationError):
        cycle.request_extension(store, SNV, task, date(2025, 5, 30), "Hai", NOW, reg)


def test_reassignment_moves_the_task_and_keeps_both_in_history(store):
    task = fresh(store, "NV-0001")
    reg = registry(store)
    request = cycle.request_reassignment(
        store, SNV, task, "Sở Y tế", "Nhiệm vụ thuộc lĩnh vực y tế", NOW, reg
    )
    assert request.proposed_agency == "SYT"
    with pytest.raises(PermissionDenied):  # a leader decides extensions, not reassignments
        cycle.decide(store, LEADER, request, task, True, "", NOW, reg)
    cycle.decide(store, ADMIN, request, task, True, "Đồng ý", NOW, reg)
    moved = fresh(store, "NV-0001")
    assert moved.lead == "SYT" and "SYT" not in moved.partners
    lead_changes = [c for c in store.history("NV-0001") if c.field == "Cơ quan chủ trì"]
    assert [(c.old, c.new) for c in lead_changes] == [("Sở Nội vụ", "Sở Y tế")]
    with pytest.raises(PermissionDenied):  # SNV no longer leads it
        report_done(store)


def test_withdraw_leaves_counts_and_restore_brings_it_back(store):
    task = fresh(store, "NV-0002")
    with pytest.raises(ValidationError):
        cycle.withdraw(store, ADMIN, task, "", NOW)
    with pytest.raises(PermissionDenied):
        cycle.withdraw(store, SNV, task, "Trùng", NOW)
    cycle.withdraw(store, ADMIN, task, "Trùng với NV-0001", NOW)
    snap = store.load()
    assert snap.task("NV-0002").withdrawn == "Trùng với NV-0001"
    assert "NV-0002" not in {t.id for t in snap.active().tasks} and len(snap.active().tasks) == 28
    with pytest.raises(PermissionDenied):  # nobody updates a withdrawn task
        report_done(store, "NV-0002")
    cycle.restore(store, ADMIN, snap.task("NV-0002"), NOW)
    assert len(store.load().active().tasks) == 29
    assert [c.field for c in store.history("NV-0002")][-2:] == ["Lý do thu hồi", "Lý do thu hồi"]


def test_withdraw_a_whole_directive(store):
    snap = store.load()
    count, refused = cycle.withdraw_directive(
        store, ADMIN, snap, "VB-0001", "Văn bản bị thay thế", NOW
    )
    assert (count, refused) == (29, [])
    assert store.load().active().tasks == ()


def test_a_deactivated_user_is_kept_but_inactive(store):
    store.save_user(replace(SNV, active=False))
    (user,) = [u for u in store.load().users if u.email == SNV.email]
    assert user.active is False and user.agency == "SNV"
