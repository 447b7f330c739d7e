"""The follow-up cycle: the office confirms or returns a reported completion, an agency asks for
more time (gia hạn) or says a task is not its own (giao lại), a leader or the office decides, and
the office withdraws (thu hồi) instead of deleting. Every step is a history row.

Who decides what is checked here, on the row as the store reads it at write time:
- an agency asks only about the tasks it leads (merged agencies followed to today's);
- only the office (admin) confirms, returns, reassigns and withdraws;
- extensions are decided by a leader or the office.
"""

from __future__ import annotations

from datetime import date, datetime

from services.domain.agencies import AgencyIndex
from services.domain.errors import PermissionDenied, StoreError, ValidationError
from services.domain.model import (
    APPROVED,
    DONE,
    EXTENSION,
    IN_PROGRESS,
    PENDING,
    REASSIGN,
    REFUSED,
    ROLE_ADMIN,
    ROLE_AGENCY,
    ROLE_LEADER,
    WAITING,
    Change,
    Request,
    Snapshot,
    Task,
    User,
    clean_text,
)
from services.stores.base import Store

MAX_REASON = 2000  # characters in a reason or a decision's note


def _reason(text: str, field: str = "reason", what: str = "lý do") -> str:
    reason = clean_text(text or "")
    if not reason:
        raise ValidationError({field: f"Nhập {what}."})
    if len(reason) > MAX_REASON:
        raise ValidationError({field: f"Tối đa {MAX_REASON:,} ký tự.".replace(",", ".")})
    return reason


def _checked_reason(text: str, errors: dict) -> str:
    """The cleaned reason, or ValidationError with it and the form's other field messages."""
    try:
        reason = _reason(text)
    except ValidationError as e:
        errors.update(e.errors)
    if errors:
        raise ValidationError(errors)
    return reason


def _require(actor: User, roles: tuple[str, ...], what: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(f"Bạn không có quyền {what}.")


# --- completions: confirm or return -------------------------------------------------------------


def _awaiting(fresh: Task) -> None:
    if fresh.status != PENDING:
        raise StoreError(
            f"Nhiệm vụ {fresh.id} không còn chờ xác nhận (trạng thái: {fresh.status}); "
            "có thể đã được người khác xử lý. Chưa lưu gì."
        )


def confirm(store: Store, actor: User, seen: Task, now: datetime) -> list[Change]:
    """The office confirms a reported completion: it counts as done on the agency's date."""
    _require(actor, (ROLE_ADMIN,), "xác nhận kết quả")
    return store.update_task(
        seen, {"status": DONE, "return_reason": ""}, actor, now, authorize=_awaiting
    )


def return_task(store: Store, actor: User, seen: Task, reason: str, now: datetime) -> list[Change]:
    """The office returns a reported completion as not done, with a reason the agency sees."""
    _require(actor, (ROLE_ADMIN,), "trả lại kết quả")
    reason = _reason(reason, what="lý do trả lại")
    changes = {
        "status": IN_PROGRESS,
        "completed_on": None,
        "return_reason": reason,
        "returns": seen.returns + 1,  # seen == fresh, or update_task refuses with a conflict
    }
    return store.update_task(seen, changes, actor, now, authorize=_awaiting)


# --- requests from the lead agency ----------------------------------------------------------------


def _lead_agency(actor: User, registry: AgencyIndex):
    def authorize(fresh: Task, requests: list[Request]) -> None:
        if actor.role != ROLE_AGENCY or registry.current(fresh.lead) != actor.agency:
            raise PermissionDenied(
                f"Chỉ cơ quan chủ trì ({registry.name(fresh.lead)}) được đề xuất cho nhiệm vụ "
                f"{fresh.id}."
            )
        if fresh.is_withdrawn:
            raise PermissionDenied(f"Nhiệm vụ {fresh.id} đã được thu hồi.")
        if fresh.status in (DONE, PENDING):
            raise ValidationError({"form": f"Nhiệm vụ {fresh.id} đã báo cáo hoàn thành."})
        if any(r.state == WAITING for r in requests):
            raise ValidationError(
                {"form": f"Nhiệm vụ {fresh.id} đã có một đề xuất đang chờ quyết định."}
            )

    return authorize


def request_extension(
    store: Store,
    actor: User,
    task: Task,
    new_deadline: date | None,
    reason: str,
    now: datetime,
    registry: AgencyIndex,
) -> Request:
    """The lead agency proposes a later deadline, with a reason."""
    errors = {}
    today = now.date()
    if new_deadline is None:
        errors["deadline"] = "Chọn hạn đề xuất."
    elif new_deadline <= today:
        errors["deadline"] = "Hạn đề xuất phải sau ngày hôm nay."
    elif task.deadline and new_deadline <= task.deadline:
        errors["deadline"] = f"Hạn đề xuất phải sau hạn hiện tại ({task.deadline:%d/%m/%Y})."
    reason = _checked_reason(reason, errors)
    request = Request(
        id="",
        task_id=task.id,
        kind=EXTENSION,
        reason=reason,
        proposed_deadline=new_deadline,
        agency=actor.agency,
    )

    def authorize(fresh: Task, requests: list[Request]) -> None:
        _lead_agency(actor, registry)(fresh, requests)
        if fresh.deadline and new_deadline <= fresh.deadline:  # type: ignore[operator]
            raise ValidationError({"deadline": "Hạn đề xuất phải sau hạn hiện tại."})

    return store.add_request(request, actor, now, authorize)


def request_reassignment(
    store: Store,
    actor: User,
    task: Task,
    suggested: str,
    reason: str,
    now: datetime,
    registry: AgencyIndex,
) -> Request:
    """The lead agency says the task is not its own, with a reason and a suggested agency."""
    errors = {}
    suggested = clean_text(suggested or "")
    if not suggested:
        errors["agency"] = "Chọn hoặc ghi cơ quan đề nghị giao."
    elif registry.resolve(suggested) == actor.agency:
        errors["agency"] = "Cơ quan đề nghị giao phải khác cơ quan của bạn."
    reason = _checked_reason(reason, errors)
    request = Request(
        id="",
        task_id=task.id,
        kind=REASSIGN,
        reason=reason,
        proposed_agency=registry.resolve(suggested) or suggested,
        agency=actor.agency,
    )
    return store.add_request(request, actor, now, _lead_agency(actor, registry))


# --- decisions ----------------------------------------------------------------------------------


def may_decide(actor: User, request: Request) -> bool:
    roles = (ROLE_LEADER, ROLE_ADMIN) if request.kind == EXTENSION else (ROLE_ADMIN,)
    return actor.role in roles


def decide(
    store: Store,
    actor: User,
    request: Request,
    task: Task,
    approve: bool,
    note: str,
    now: datetime,
    registry: AgencyIndex,
    agency: str = "",
) -> Request:
    """Approve or refuse a request the decider saw. An approved extension moves the deadline
    (the first one is kept as Hạn ban đầu, the count goes up); an approved reassignment moves the
    task to `agency` (default: the one suggested). A refusal needs a reason."""
    if not may_decide(actor, request):
        what = "quyết định gia hạn" if request.kind == EXTENSION else "giao lại nhiệm vụ"
        raise PermissionDenied(f"Bạn không có quyền {what}.")
    note = clean_text(note or "")
    if not approve:
        note = _reason(note, "note", "lý do không chấp thuận")
        return store.decide_request(request, {"state": REFUSED, "note": note}, actor, now)
    changes: dict[str, object]
    if request.kind == EXTENSION:
        changes = {
            "deadline": request.proposed_deadline,
            "original_deadline": task.original_deadline or task.deadline,
            "extensions": task.extensions + 1,
        }
    else:
        lead = registry.resolve(agency or request.proposed_agency)
        if lead is None:
            raise ValidationError(
                {"agency": "Chọn cơ quan nhận nhiệm vụ trong danh mục (có thể thêm ở Quản trị)."}
            )
        changes = {"lead": lead, "partners": tuple(p for p in task.partners if p != lead)}

    def authorize(fresh: Task) -> None:
        if fresh.is_withdrawn:
            raise PermissionDenied(f"Nhiệm vụ {fresh.id} đã được thu hồi.")

    return store.decide_request(
        request,
        {"state": APPROVED, "note": note},
        actor,
        now,
        task_seen=task,
        task_changes=changes,
        authorize=authorize,
    )


# --- withdraw instead of delete -----------------------------------------------------------------


def withdraw(store: Store, actor: User, task: Task, reason: str, now: datetime) -> list[Change]:
    """The office withdraws a task: it leaves every count and list, and stays in the history."""
    _require(actor, (ROLE_ADMIN,), "thu hồi nhiệm vụ")
    reason = _reason(reason, what="lý do thu hồi")

    def authorize(fresh: Task) -> None:
        if fresh.is_withdrawn:
            raise StoreError(f"Nhiệm vụ {fresh.id} đã được thu hồi trước đó. Chưa lưu gì.")

    return store.update_task(task, {"withdrawn": reason}, actor, now, authorize=authorize)


def restore(store: Store, actor: User, task: Task, now: datetime) -> list[Change]:
    _require(actor, (ROLE_ADMIN,), "khôi phục nhiệm vụ")
    return store.update_task(task, {"withdrawn": ""}, actor, now)


def withdraw_directive(
    store: Store, actor: User, snapshot: Snapshot, directive_id: str, reason: str, now: datetime
) -> tuple[int, list[str]]:
    """Withdraw every active task of a directive, each saved on its own (conflict-checked).
    Returns (how many were withdrawn, messages of those refused)."""
    _require(actor, (ROLE_ADMIN,), "thu hồi văn bản")
    reason = _reason(reason, what="lý do thu hồi")
    done, refused = 0, []
    for task in snapshot.tasks:
        if task.directive_id != directive_id or task.is_withdrawn:
            continue
        try:
            withdraw(store, actor, task, reason, now)
            done += 1
        except StoreError as e:
            refused.append(f"{task.id}: {e}")
    return done, refused


# --- what each person sees ----------------------------------------------------------------------


def active_tasks(tasks, include_withdrawn: bool = False):
    """Withdrawn tasks leave every count and list, unless asked for."""
    return [t for t in tasks if include_withdrawn or not t.is_withdrawn]


def awaiting_confirmation(snapshot: Snapshot) -> list[Task]:
    return [t for t in snapshot.tasks if t.status == PENDING and not t.is_withdrawn]


def waiting_requests(snapshot: Snapshot, actor: User | None = None) -> list[Request]:
    """Requests still to decide (those this actor may decide, when given), oldest first."""
    live = {t.id for t in snapshot.tasks if not t.is_withdrawn}
    found = [r for r in snapshot.requests if r.state == WAITING and r.task_id in live]
    if actor is not None:
        found = [r for r in found if may_decide(actor, r)]
    return sorted(found, key=lambda r: (r.requested_at or datetime.min, r.id))


def agency_inbox(snapshot: Snapshot, agency: str, registry: AgencyIndex) -> dict:
    """What is asked of an agency: its tasks returned as not done, and the answers to (and the
    pending state of) its requests, newest first."""
    own = {
        t.id for t in snapshot.tasks if registry.current(t.lead) == agency and not t.is_withdrawn
    }
    returned = [
        t for t in snapshot.tasks if t.id in own and t.return_reason and t.status != PENDING
    ]
    answers = sorted(
        (r for r in snapshot.requests if r.agency == agency),
        key=lambda r: r.decided_at or r.requested_at or datetime.min,
        reverse=True,
    )
    return {"returned": returned, "requests": answers}


def extension_text(task: Task) -> str:
    """ "đã gia hạn n lần (hạn ban đầu dd/mm/yyyy)", or "" for a task never extended."""
    if not task.extensions:
        return ""
    first = f" (hạn ban đầu {task.original_deadline:%d/%m/%Y})" if task.original_deadline else ""
    return f"đã gia hạn {task.extensions} lần{first}"
