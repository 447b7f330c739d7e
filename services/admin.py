"""The office's administration: users (who signs in, for which agency, with which role)."""
from __future__ import annotations

import re

from .agencies import AgencyIndex
from .domain import ROLE_AGENCY, ROLE_LABELS, ROLES, User, clean_text
from .updates import ValidationError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_user(email: str, name: str, agency: str, role: str, registry: AgencyIndex) -> User:
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
    return User(email=email, name=clean_text(name), agency=agency if role == ROLE_AGENCY else
                agency or "", role=role)
