"""The one error family. Every error a user can act on is an `AppError` whose str() is a
Vietnamese message. A refusal of authority (`PermissionDenied`) and bad input
(`ValidationError`) are not storage errors: `except StoreError` never swallows them."""

from __future__ import annotations

from services.domain.model import FIELD_LABELS, REPORT_STATES, REQUEST_STATES, Request, Task


class AppError(Exception):
    """Base of every error shown to a user; str(e) is Vietnamese."""


class ValidationError(AppError, ValueError):
    """Input that cannot be saved; `errors` maps each field to a Vietnamese message (the page
    shows each next to its field; "form" is for the form as a whole)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class PermissionDenied(AppError):
    """The actor may not do this (checked on the freshly read row); nothing was written."""


class StoreError(AppError):
    """A storage problem a user can act on (unreachable, not shared, layout broken, ...)."""


class ConflictError(StoreError):
    """Someone changed the task after the user loaded it; nothing was written."""

    def __init__(self, current: Task, fields: list[str]):
        self.current, self.fields = current, fields
        who = f" bởi {current.updated_by}" if current.updated_by else ""
        labels = ", ".join(FIELD_LABELS.get(f, f) for f in fields)
        super().__init__(
            f"Nhiệm vụ {current.id} vừa được cập nhật{who} sau khi bạn mở nó "
            f"(thay đổi: {labels}). Chưa lưu gì; nội dung bạn nhập vẫn được giữ."
        )


class TaskNotFound(StoreError):
    def __init__(self, task_id: str):
        self.task_id = task_id
        super().__init__(f"Không tìm thấy nhiệm vụ {task_id}: có thể đã bị xoá hoặc đổi mã.")


class RequestDecided(StoreError):
    """The request was decided (or changed) by someone else after the user loaded it."""

    def __init__(self, current: Request):
        self.current = current
        if current.decided_by:
            at = f" lúc {current.decided_at:%H:%M %d/%m/%Y}" if current.decided_at else ""
            what = f"đã được {current.decided_by} quyết định{at} ({REQUEST_STATES[current.state]})"
        else:
            what = "vừa được thay đổi"
        super().__init__(f"Đề xuất {current.id} {what}. Chưa lưu gì.")


class ReportDecided(StoreError):
    """The periodic report was confirmed or returned by someone else after the user loaded it."""

    def __init__(self, current):
        self.current = current
        if current.decided_by:
            at = f" lúc {current.decided_at:%H:%M %d/%m/%Y}" if current.decided_at else ""
            what = f"đã được {current.decided_by} xử lý{at} ({REPORT_STATES[current.state]})"
        else:
            what = "vừa được thay đổi"
        super().__init__(f"Báo cáo kỳ {current.id} {what}. Chưa lưu gì.")
