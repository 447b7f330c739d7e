"""Agencies updating their tasks: validation, authorisation and the one save function.

Every save, from the form or the bulk editor, goes through `save_update`: validate the input,
then let the store re-read the row and, on that fresh row, check who may write it and whether
someone changed it meanwhile, then write the changed cells and the history together.
Hidden buttons are not security: this is where the rules are enforced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from services.domain.agencies import AgencyIndex
from services.domain.errors import AppError, PermissionDenied, ValidationError
from services.domain.limits import MAX_EVIDENCE, MAX_RESULT
from services.domain.model import (
    AGENCY_STATUSES,
    DONE,
    NOT_STARTED,
    PENDING,
    ROLE_ADMIN,
    ROLE_AGENCY,
    Change,
    Task,
    User,
    clean_text,
)
from services.stores.base import Store

_SCHEME = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*):(//)?")


@dataclass
class UpdateInput:
    """What the user typed for one task (widget values, as they come)."""

    status: str
    progress: object
    result: str = ""
    evidence: str = ""
    completed_on: date | None = None
    confirm_full_progress: bool = False  # "100% but not done": the user confirmed it


def _progress(value) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(str(value).replace(",", ".").rstrip("%"))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _typed_number(value) -> str:
    """What the user typed, as they would write it ("33,5"), or "" when it is not a number."""
    try:
        number = float(str(value).replace(",", ".").rstrip("%"))
    except (TypeError, ValueError):
        return ""
    return f"{number:g}".replace(".", ",")


def reapply(typed: dict, seen: Task, current: Task) -> dict:
    """After a conflict: the user's input on top of the row as it is now. A field the user did
    not touch (still what they saw) takes the colleague's new value; a field they changed keeps
    what they typed."""
    return {
        name: getattr(current, name) if value == getattr(seen, name) else value
        for name, value in typed.items()
    }


def validate(data: UpdateInput, today: date) -> dict:
    """The changes to apply, or ValidationError with a message per field. Input is never altered
    except for cleaning (NFC, trimmed, zero-width characters removed): a progress of 33.5, a
    "Hoàn thành" at 80 % or a "Chưa thực hiện" at 50 % is refused with a message saying why,
    never silently changed."""
    errors: dict[str, str] = {}
    # a completion waiting for the office shows as the agency's own "Hoàn thành" in its form
    typed = DONE if data.status == PENDING else data.status
    status: str | None = typed if typed in AGENCY_STATUSES else None
    if status is None:
        errors["status"] = f"Chọn trạng thái: {', '.join(AGENCY_STATUSES)}."
    progress = _progress(data.progress)
    if progress is None or not 0 <= progress <= 100:
        typed = _typed_number(data.progress)
        errors["progress"] = (
            f"Tiến độ là số nguyên từ 0 đến 100; bạn nhập {typed}: nhập số nguyên (ứng dụng "
            "không tự làm tròn)."
            if typed and "," in typed and 0 <= float(typed.replace(",", ".")) <= 100
            else "Tiến độ là số nguyên từ 0 đến 100."
        )
    result = clean_text(data.result or "")
    if len(result) > MAX_RESULT:
        errors["result"] = (
            f"Kết quả thực hiện dài {len(result):,} ký tự; tối đa {MAX_RESULT:,} ký tự."
        ).replace(",", ".")
    evidence = clean_text(data.evidence or "")
    if len(evidence) > MAX_EVIDENCE:
        errors["evidence"] = f"Minh chứng tối đa {MAX_EVIDENCE} ký tự."
    elif any(
        m[1].lower() not in ("http", "https")
        for m in _SCHEME.finditer(evidence)
        if m[2] or m[1].lower() in ("javascript", "data", "vbscript", "file")
    ):
        errors["evidence"] = (
            "Liên kết minh chứng phải bắt đầu bằng http:// hoặc https:// "
            "(ví dụ số văn bản 123/BC-SNV hoặc https://...)."
        )
    completed_on = data.completed_on
    if status == DONE:
        completed_on = completed_on or today
        if completed_on > today:
            errors["completed_on"] = "Ngày hoàn thành không được sau ngày hôm nay."
        if "progress" not in errors and progress != 100:
            errors["progress"] = (
                f"Trạng thái «{DONE}» nghĩa là tiến độ 100%, nhưng bạn nhập {progress}%: sửa "
                "tiến độ thành 100, hoặc chọn «Đang thực hiện»."
            )
    else:
        completed_on = None  # only a finished task has a completion date
        if status == NOT_STARTED and progress and "progress" not in errors:
            errors["progress"] = (
                f"Trạng thái «{NOT_STARTED}» nghĩa là tiến độ 0%, nhưng bạn nhập {progress}%: "
                "chọn «Đang thực hiện», hoặc sửa tiến độ về 0."
            )
        elif progress == 100 and not data.confirm_full_progress:
            errors["progress"] = (
                "Tiến độ 100% nhưng trạng thái chưa là «Hoàn thành»: chọn "
                "«Hoàn thành», hoặc đánh dấu xác nhận để lưu như vậy."
            )
    if errors:
        raise ValidationError(errors)
    return {
        "status": status,
        "progress": progress,
        "result": result,
        "evidence": evidence,
        "completed_on": completed_on,
    }


def can_update(user: User, task: Task, registry: AgencyIndex) -> bool:
    """Admin: any task. Agency: the tasks it leads, including those of agencies merged into it.
    Leaders and everyone else: none."""
    if user.role == ROLE_ADMIN:
        return True
    return (
        user.role == ROLE_AGENCY
        and bool(user.agency)
        and registry.current(task.lead) == user.agency
    )


def save_update(
    store: Store,
    user: User,
    seen: Task,
    data: UpdateInput,
    now: datetime,
    registry: AgencyIndex,
    require_confirmation: bool = True,
) -> list[Change]:
    """Validate, then save against the row as it is now. Raises ValidationError,
    PermissionDenied, ConflictError or StoreError; writes nothing in those cases.

    With `require_confirmation`, an agency's "Hoàn thành" is stored as "Chờ xác nhận" until the
    office confirms it (services.tasks.cycle); the office's own "Hoàn thành" is final."""
    if not user.email:
        raise PermissionDenied("Cần đăng nhập để cập nhật nhiệm vụ.")
    changes = validate(data, now.date())
    confirming = require_confirmation and user.role != ROLE_ADMIN
    if confirming and changes["status"] == DONE:
        changes.update(status=PENDING, return_reason="")  # reported again: the reason is answered

    def authorize(fresh: Task) -> None:
        if not can_update(user, fresh, registry):
            who = registry.name(fresh.lead)
            raise PermissionDenied(
                f"Bạn không có quyền cập nhật nhiệm vụ {fresh.id} (cơ quan chủ trì: {who})."
            )
        if fresh.is_withdrawn:
            raise PermissionDenied(
                f"Nhiệm vụ {fresh.id} đã được thu hồi ({fresh.withdrawn}); không cập nhật được."
            )
        if confirming and fresh.status == DONE:
            raise PermissionDenied(
                f"Nhiệm vụ {fresh.id} đã được Văn phòng xác nhận hoàn thành; liên hệ Văn phòng "
                "nếu cần sửa kết quả."
            )

    return store.update_task(seen, changes, user, now, authorize=authorize)


@dataclass
class RowOutcome:
    task_id: str
    saved: bool
    message: str = ""
    errors: dict = field(default_factory=dict)


def save_many(
    store: Store,
    user: User,
    items: list[tuple[Task, UpdateInput]],
    now: datetime,
    registry: AgencyIndex,
) -> list[RowOutcome]:
    """Bulk update: each row is saved or refused on its own; nothing is lost silently."""
    outcomes = []
    for seen, data in items:
        try:
            rows = save_update(store, user, seen, data, now, registry)
            outcomes.append(RowOutcome(seen.id, True, "Đã lưu." if rows else "Không có thay đổi."))
        except ValidationError as e:
            outcomes.append(RowOutcome(seen.id, False, str(e), e.errors))
        except AppError as e:  # a refusal, a conflict or a storage error
            outcomes.append(RowOutcome(seen.id, False, str(e)))
    return outcomes
