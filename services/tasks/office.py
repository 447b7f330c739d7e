"""The office's administration: users, the agency registry, and tasks added or edited by hand.

Each function turns what the admin typed into a row to save, or a ValidationError whose
messages (Vietnamese, one per field) are shown next to the fields.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from services.domain.agencies import AgencyIndex
from services.domain.errors import PermissionDenied, ValidationError
from services.domain.model import (
    ROLE_ADMIN,
    ROLE_AGENCY,
    ROLE_LABELS,
    ROLES,
    Agency,
    Snapshot,
    Task,
    User,
    clean_text,
)
from services.stores.base import Store
from services.stores.layout import split_list

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_user(
    email: str, name: str, agency: str, role: str, registry: AgencyIndex, reminders: bool = True
) -> User:
    """A user row to save, or ValidationError with a Vietnamese message per field."""
    errors = {}
    email = clean_text(email).lower()
    if not _EMAIL.match(email):
        errors["email"] = "Email không hợp lệ (ví dụ canbo@snv.hungyen.gov.vn)."
    if role not in ROLES:
        errors["role"] = f"Chọn vai trò: {', '.join(ROLE_LABELS.values())}."
    if role == ROLE_AGENCY and agency not in registry.agencies:
        errors["agency"] = "Người dùng vai trò Cơ quan phải thuộc một cơ quan trong danh mục."
    if errors:
        raise ValidationError(errors)
    return User(
        email=email,
        name=clean_text(name),
        agency=agency if role == ROLE_AGENCY else agency or "",
        role=role,
        reminders=reminders,
    )


_CODE = re.compile(r"^[A-Z0-9_-]{2,16}$")


def validate_agency(
    code: str,
    name: str,
    aliases: str,
    group: str,
    successor: str,
    active: bool,
    registry: AgencyIndex,
) -> Agency:
    """An agency row to save (new or edited, by code), or ValidationError per field."""
    errors = {}
    code = clean_text(code).upper()
    if not _CODE.match(code):
        errors["code"] = "Mã cơ quan gồm 2–16 chữ cái không dấu, chữ số, - hoặc _ (ví dụ SNV)."
    name = clean_text(name)
    if not name:
        errors["name"] = "Nhập tên cơ quan."
    elif (other := registry.resolve(name)) and other != code:
        errors["name"] = f"Tên này đã dùng cho cơ quan {other}."
    successor = clean_text(successor)
    if successor:
        chain, current = {code}, successor
        while current and current not in chain:
            chain.add(current)
            current = registry.agencies[current].successor if current in registry.agencies else ""
        if successor not in registry.agencies:
            errors["successor"] = "Cơ quan kế thừa phải có trong danh mục."
        elif current:
            errors["successor"] = "Cơ quan kế thừa tạo thành vòng lặp (A → B → A)."
    alias_list = list(dict.fromkeys(a for a in split_list(aliases) if a != name))
    taken = [a for a in alias_list if (other := registry.resolve(a)) and other != code]
    if taken:
        errors["aliases"] = (
            f"Tên gọi khác «{taken[0]}» đã là tên của cơ quan {registry.resolve(taken[0])}."
        )
    if code not in registry.agencies and registry.resolve(code):
        errors["code"] = f"Mã {code} trùng với tên gọi của cơ quan {registry.resolve(code)}."
    if errors:
        raise ValidationError(errors)
    old = registry.agencies.get(code)
    if old and old.name != name and old.name not in alias_list:
        alias_list.append(old.name)  # tasks in the sheet name their agency: keep the old name
    return Agency(
        code=code,
        name=name,
        aliases=tuple(alias_list),
        group=clean_text(group),
        successor=successor,
        active=bool(active),
    )


def validate_task(
    snapshot: Snapshot,
    directive_id: str,
    section: str,
    content: str,
    lead: str,
    partners: list[str],
    deadline,
) -> dict:
    """The office's fields of a task (for adding one, or editing one), or ValidationError."""
    errors = {}
    if directive_id not in {d.id for d in snapshot.directives}:
        errors["directive_id"] = "Chọn văn bản giao nhiệm vụ."
    content = clean_text(content)
    if not content:
        errors["content"] = "Nhập nội dung nhiệm vụ."
    elif len(content) > 5000:
        errors["content"] = "Nội dung nhiệm vụ tối đa 5.000 ký tự."
    codes = {a.code for a in snapshot.agencies}
    if lead not in codes:
        errors["lead"] = "Chọn cơ quan chủ trì trong danh mục."
    if errors:
        raise ValidationError(errors)
    return {
        "directive_id": directive_id,
        "section": clean_text(section),
        "content": content,
        "lead": lead,
        "partners": tuple(p for p in partners if p != lead),
        "deadline": deadline,
    }


# --- the office's writes: each takes the actor and checks the role itself ---------------------


def require_admin(actor: User, what: str) -> None:
    """Only the office (admin) manages users, agencies and tasks; hidden pages are not security."""
    if actor.role != ROLE_ADMIN:
        raise PermissionDenied(f"Chỉ Văn phòng (vai trò Quản trị) được {what}.")


def save_user(
    store: Store,
    actor: User,
    email: str,
    name: str,
    agency: str,
    role: str,
    registry: AgencyIndex,
    reminders: bool = True,
) -> User:
    require_admin(actor, "quản lý người dùng")
    user = validate_user(email, name, agency, role, registry, reminders)
    store.save_user(user)
    return user


def save_agency(
    store: Store,
    actor: User,
    code: str,
    name: str,
    aliases: str,
    group: str,
    successor: str,
    active: bool,
    registry: AgencyIndex,
    email: str = "",
) -> Agency:
    require_admin(actor, "quản lý danh mục cơ quan")
    agency = validate_agency(code, name, aliases, group, successor, active, registry)
    email = clean_text(email).lower()
    if email and not _EMAIL.match(email):
        raise ValidationError({"email": "Email cơ quan không hợp lệ (ví dụ snv@hungyen.gov.vn)."})
    agency = replace(agency, email=email)
    store.save_agency(agency)
    return agency


def save_task(
    store: Store,
    actor: User,
    now: datetime,
    snapshot: Snapshot,
    seen: Task | None,
    directive_id: str,
    section: str,
    content: str,
    lead: str,
    partners: list[str],
    deadline,
) -> Task:
    """Add a task by hand (seen is None), or edit the office's fields of the task the admin saw
    (conflict-checked against the row as it is now). Returns the saved task."""
    require_admin(actor, "thêm hoặc sửa nhiệm vụ")
    fields = validate_task(snapshot, directive_id, section, content, lead, partners, deadline)
    if seen is None:
        return store.add_tasks([Task(id="", **fields)], actor, now)[0]
    store.update_task(seen, fields, actor, now)
    return replace(seen, **fields)
