"""The one write path of the pages. A page hands a service function to `write`; it runs as
whoever is signed in NOW (a callback runs before the page's guard: a right withdrawn meanwhile
must not still write), and the shared cache is cleared after a write or a store's refusal so the
page shows the data as it is now. `attempt` does the same and turns every error into messages
per field, which the page shows next to the fields ("form" for the form as a whole)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import streamlit as st

from services.domain.errors import (
    AppError,
    ConflictError,
    PermissionDenied,
    StoreError,
    ValidationError,
)
from services.domain.model import Change, Task, User
from services.tasks.updates import UpdateInput, save_update
from services.ui import identity, session

T = TypeVar("T")


def write(action: Callable[[User], T]) -> T:
    """Run `action(actor)`; raises what it raises (ValidationError, PermissionDenied, ...)."""
    user = identity.current_user()
    if user is None:
        raise PermissionDenied(
            "Phiên làm việc đã hết hoặc tài khoản không còn quyền; vui lòng đăng nhập lại."
        )
    try:
        with st.spinner(waiting_text(session.store())):  # never a frozen page
            result = action(user)
    except (StoreError, PermissionDenied):
        session.refresh()  # a conflict or a refusal: show the row as it is now
        raise
    session.refresh()
    return result


def waiting_text(store) -> str:
    """What a user whose save is queued reads while it waits, and why it waits."""
    waiting = getattr(store, "waiting", None)  # Google Sheets: saves are written in turn
    ahead = waiting() if waiting else 0
    if not ahead:
        return "Đang lưu…"
    return (
        f"Đang chờ lưu: {ahead} lượt lưu khác đang được ghi trước. Google Sheets nhận các lượt "
        "ghi lần lượt (giới hạn số lần ghi mỗi phút); nội dung của bạn vẫn được giữ."
    )


@dataclass
class Outcome(Generic[T]):
    value: T | None = None
    errors: dict[str, str] = field(default_factory=dict)
    conflict: ConflictError | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.conflict is None


def attempt(action: Callable[[User], T]) -> Outcome[T]:
    """`write`, with its errors as messages per field instead of exceptions."""
    try:
        return Outcome(value=write(action))
    except ValidationError as e:
        return Outcome(errors=dict(e.errors))
    except ConflictError as e:
        return Outcome(conflict=e)
    except AppError as e:
        return Outcome(errors={"form": str(e)})


def save_task(seen: Task, data: UpdateInput) -> list[Change]:
    """An agency's update of one task (tasks.updates.save_update)."""
    return write(
        lambda user: save_update(
            session.store(),
            user,
            seen,
            data,
            session.now(),
            session.registry(),
            session.settings().require_confirmation,
        )
    )
