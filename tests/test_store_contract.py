"""The store contract: the same tests against every backend (SQLite, Google Sheets over the fake)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.domain.errors import ConflictError, PermissionDenied, StoreError, TaskNotFound
from services.domain.model import CREATED, DONE, IN_PROGRESS, Agency, Directive, Task, User
from tests.conftest import ADMIN, NOW, SNV


def task(store, task_id):
    return store.load().task(task_id)


def test_load_gives_the_seeded_directive(store):
    snap = store.load()
    assert len(snap.tasks) == 29
    assert [d.number for d in snap.directives] == ["/UBND-KGVX"]
    assert snap.directives[0].issued_on == "2025-01"
    assert snap.agency("STTTT").successor == "SKHCN"
    assert [t.id for t in snap.tasks[:3]] == ["NV-0001", "NV-0002", "NV-0003"]
    assert snap.loaded_at is not None and snap.problems == ()


def test_update_writes_changed_fields_and_history(store):
    seen = task(store, "NV-0001")
    rows = store.update_task(
        seen, {"status": IN_PROGRESS, "progress": 40, "result": "Đã ban hành kế hoạch"}, SNV, NOW
    )
    after = task(store, "NV-0001")
    assert (after.status, after.progress, after.result) == (IN_PROGRESS, 40, "Đã ban hành kế hoạch")
    assert after.updated_by == SNV.email and after.updated_at == NOW
    assert after.content == seen.content and after.lead == seen.lead
    assert [(r.field, r.old, r.new) for r in rows] == [
        ("Trạng thái", "Chưa thực hiện", "Đang thực hiện"),
        ("Tiến độ (%)", "0", "40"),
        ("Kết quả thực hiện", "", "Đã ban hành kế hoạch"),
    ]
    assert len({r.change_id for r in rows}) == 1
    history = store.history("NV-0001")
    assert [(c.field, c.new, c.actor, c.actor_agency) for c in history] == [
        (r.field, r.new, SNV.email, "SNV") for r in rows
    ]
    assert history[0].at == NOW
    assert store.history("NV-0002") == []


def test_other_tasks_are_untouched_by_an_update(store):
    before = store.load().tasks
    store.update_task(before[4], {"progress": 10}, SNV, NOW)
    after = store.load().tasks
    assert [t for t in after if t.id != before[4].id] == [t for t in before if t.id != before[4].id]


def test_completion_date_round_trips(store):
    seen = task(store, "NV-0002")
    store.update_task(
        seen, {"status": DONE, "progress": 100, "completed_on": date(2025, 3, 9)}, SNV, NOW
    )
    after = task(store, "NV-0002")
    assert after.completed_on == date(2025, 3, 9) and after.status == DONE


def test_stale_save_is_a_conflict_and_writes_nothing(store):
    seen = task(store, "NV-0003")
    store.update_task(seen, {"progress": 30}, ADMIN, NOW)
    with pytest.raises(ConflictError) as caught:
        store.update_task(seen, {"progress": 50, "result": "của tôi"}, SNV, NOW)
    assert caught.value.current.progress == 30
    assert caught.value.fields == ["progress", "updated_at", "updated_by"]
    assert "NV-0003" in str(caught.value) and ADMIN.email in str(caught.value)
    after = task(store, "NV-0003")
    assert (after.progress, after.result, after.updated_by) == (30, "", ADMIN.email)
    assert len(store.history("NV-0003")) == 1


def test_refused_authorisation_writes_nothing(store):
    seen = task(store, "NV-0004")

    def refuse(fresh):
        assert fresh == seen  # the check sees the row as read at write time
        raise PermissionDenied("không được phép")

    with pytest.raises(PermissionDenied):
        store.update_task(seen, {"progress": 90}, SNV, NOW, authorize=refuse)
    assert task(store, "NV-0004") == seen and store.history("NV-0004") == []


def test_nothing_changed_writes_nothing(store):
    seen = task(store, "NV-0005")
    assert (
        store.update_task(seen, {"progress": seen.progress, "status": seen.status}, SNV, NOW) == []
    )
    assert task(store, "NV-0005") == seen and store.history() == []


def test_unknown_task_is_reported(store):
    ghost = replace(task(store, "NV-0001"), id="NV-9999")
    with pytest.raises(TaskNotFound, match="NV-9999"):
        store.update_task(ghost, {"progress": 5}, SNV, NOW)


def test_user_text_is_kept_exactly(store):
    """Text reaches the store clean (the service trims and NFC-normalises it) and comes back as
    written: never turned into a formula, a number or markup."""
    seen = task(store, "NV-0006")
    hostile = (
        '=IMPORTXML("http://x","//a") <script>alert(1)</script>\n' + "Nội vụ; " * 600 + "+84 @me"
    )
    store.update_task(seen, {"result": hostile, "evidence": "0042"}, SNV, NOW)
    after = task(store, "NV-0006")
    assert after.result == hostile and after.evidence == "0042"


def test_add_directive_assigns_ids_after_the_highest(store):
    new_tasks = [
        Task(
            id="",
            directive_id="",
            section="1",
            content="Báo cáo kết quả",
            lead="SNV",
            partners=("STC",),
            deadline=date(2025, 4, 30),
        ),
        Task(id="", directive_id="", section="2", content="Kiểm tra", lead="SYT"),
    ]
    directive, saved = store.add_directive(
        Directive(
            id="",
            number="12/CĐ-UBND",
            issued_on="2025-03-01",
            issuer="UBND tỉnh Hưng Yên",
            title="Công điện về phòng chống dịch",
        ),
        new_tasks,
        ADMIN,
        NOW,
    )
    assert directive.id == "VB-0002"
    assert [t.id for t in saved] == ["NV-0030", "NV-0031"]
    snap = store.load()
    assert snap.directives[-1] == directive
    loaded = snap.task("NV-0030")
    assert loaded.directive_id == "VB-0002" and loaded.partners == ("STC",)
    assert loaded.deadline == date(2025, 4, 30) and loaded.updated_by == ADMIN.email
    assert [t.id for t in snap.tasks][-2:] == ["NV-0030", "NV-0031"]
    created = [(c.task_id, c.field, c.new, c.actor, c.at) for c in snap.history]
    assert created == [
        ("NV-0030", CREATED, "Sở Nội vụ", ADMIN.email, NOW),
        ("NV-0031", CREATED, "Sở Y tế", ADMIN.email, NOW),
    ]


def test_add_tasks_refuses_a_taken_id(store):
    with pytest.raises(StoreError, match="NV-0001"):
        store.add_tasks(
            [Task(id="NV-0001", directive_id="VB-0001", section="9", content="x", lead="SNV")],
            ADMIN,
            NOW,
        )
    assert len(store.load().tasks) == 29


def test_add_tasks_keeps_deadlines(store):
    deadline = NOW.date() + timedelta(days=3)
    saved = store.add_tasks(
        [
            Task(
                id="",
                directive_id="VB-0001",
                section="7",
                content="Mới",
                lead="CAT",
                deadline=deadline,
            )
        ],
        ADMIN,
        NOW,
    )
    assert task(store, saved[0].id).deadline == deadline


def test_agencies_and_users_are_saved_by_key(store):
    store.save_agency(Agency("SNV", "Sở Nội vụ", ("SNV", "Sở NV"), "Sở, ban, ngành"))
    store.save_agency(Agency("XA", "Ban Dân tộc tỉnh", (), "Sở, ban, ngành", "", True))
    store.save_user(User("CanBo@SNV.gov.vn", "Nguyễn Văn A", "SNV", "agency"))
    store.save_user(User("canbo@snv.gov.vn", "Nguyễn Văn A", "SNV", "admin"))
    snap = store.load()
    assert snap.agency("SNV").aliases == ("SNV", "Sở NV")
    assert snap.agency("XA").name == "Ban Dân tộc tỉnh"
    assert [(u.email, u.role) for u in snap.users] == [("canbo@snv.gov.vn", "admin")]
    assert len(snap.tasks) == 29


def test_a_recent_load_carries_the_recent_history_and_the_rest_is_read_on_demand(store):
    """load(history_days=N) brings the history from local midnight N days ago only (the app's
    loads); history(task_id) and a plain load() bring all of it."""
    from services.domain.model import now_local

    now = now_local(NOW.tzinfo.key).replace(microsecond=0)
    old = now - timedelta(days=100)
    first = store.update_task(task(store, "NV-0001"), {"progress": 10}, SNV, old)
    second = store.update_task(task(store, "NV-0001"), {"progress": 20}, SNV, now)
    recent = store.load(history_days=62)
    cutoff = recent.history_since
    assert cutoff is not None and cutoff.hour == 0 and (now - cutoff).days == 62
    assert all(c.at >= cutoff for c in recent.history)
    ids = [c.change_id for c in recent.history]
    assert second[0].change_id in ids and first[0].change_id not in ids
    assert len(recent.tasks) == 29 and recent.task("NV-0001").progress == 20
    whole = [c.change_id for c in store.history("NV-0001")]
    assert whole.index(first[0].change_id) < whole.index(second[0].change_id)
    everything = store.load()
    assert everything.history_since is None
    assert first[0].change_id in [c.change_id for c in everything.history]
    bare = store.load(history=False)  # a job that needs no history
    assert bare.history == () and len(bare.tasks) == 29 and bare.task("NV-0001").progress == 20
