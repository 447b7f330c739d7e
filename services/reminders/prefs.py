"""A user's own choice to receive the daily reminder e-mails or not."""

from __future__ import annotations

from dataclasses import replace

from services.domain.errors import PermissionDenied
from services.domain.model import User
from services.stores.base import Store


def set_reminders(store: Store, actor: User, wanted: bool) -> User:
    """The signed-in user opts in or out (their own row only, as it is in the store now)."""
    row = next((u for u in store.load(history=False).users if u.email == actor.email.lower()), None)
    if row is None or not row.active:
        raise PermissionDenied(
            "Tài khoản này không có trong danh sách người dùng: không đổi được việc nhận thư."
        )
    if row.reminders == wanted:
        return row
    row = replace(row, reminders=wanted)
    store.save_user(row)
    return row
