"""Who is using the app: the page table, the current user (sign-in, demo mode, public read), the
role guard every page starts with, and the sidebar that says who you are."""

from __future__ import annotations

import streamlit as st

from services.domain.model import ROLE_ADMIN, ROLE_AGENCY, ROLE_LABELS, ROLE_LEADER, ROLES, User
from services.ui import session
from services.ui.widgets import md, persistent_select

# The pages, and who may open each. app.py builds st.navigation from this table, and every page
# file calls require_role(<its key>) first, because Streamlit can run files in pages/ directly.
PAGES = {
    "overview": (
        "pages/overview.py",
        "Tổng quan",
        ":material/dashboard:",
        (ROLE_LEADER, ROLE_AGENCY, ROLE_ADMIN),
    ),
    "agency": (
        "pages/agency.py",
        "Cơ quan",
        ":material/apartment:",
        (ROLE_LEADER, ROLE_AGENCY, ROLE_ADMIN),
    ),
    "my_tasks": (
        "pages/my_tasks.py",
        "Nhiệm vụ của tôi",
        ":material/task_alt:",
        (ROLE_AGENCY, ROLE_ADMIN),
    ),
    "queue": (
        "pages/queue.py",
        "Chờ xử lý",
        ":material/pending_actions:",
        (ROLE_LEADER, ROLE_ADMIN),
    ),
    "reports": ("pages/reports.py", "Báo cáo", ":material/summarize:", (ROLE_LEADER, ROLE_ADMIN)),
    "import": (
        "pages/import_directive.py",
        "Nhập văn bản",
        ":material/upload_file:",
        (ROLE_ADMIN,),
    ),
    "admin": ("pages/admin.py", "Quản trị", ":material/admin_panel_settings:", (ROLE_ADMIN,)),
}

PUBLIC_EMAIL = "khach@cong-khai"  # the read-only identity of public_read mode


def _signed_in() -> bool:
    return bool(st.user.get("is_logged_in", False))


def current_user() -> User | None:
    """Who is using the app, or None when nobody may see data (see DESIGN §6)."""
    s = session.settings()
    if s.auth_configured:
        if not _signed_in() or st.user.get("email_verified") is False:
            return None
        email = str(st.user.get("email") or "").lower()  # some providers send no email
        # a deactivated user loses access at once (the cache is cleared by the save)
        return next((u for u in session.snapshot().users if u.email == email and u.active), None)
    if s.demo_mode:
        role = st.session_state.get("demo_role", ROLE_LEADER)
        role = role if role in ROLES else ROLE_LEADER
        agency = st.session_state.get("demo_agency", "") if role == ROLE_AGENCY else ""
        if role == ROLE_AGENCY and not agency:
            agency = next((a.code for a in session.snapshot().agencies if a.active), "")
        return User(
            email=f"demo-{role}@thu-nghiem",
            name=f"Thử nghiệm ({ROLE_LABELS[role]})",
            agency=agency,
            role=role,
        )
    if s.public_read:
        return User(email=PUBLIC_EMAIL, name="Khách (chỉ xem)", role=ROLE_LEADER)
    return None


def require_role(page_key: str) -> User:
    """The role guard every page starts with: stops the page unless the current user may see it."""
    user = current_user()
    if user is None:
        explain_no_access()
        st.stop()
    if user.role not in PAGES[page_key][3]:
        st.error("Bạn không có quyền xem trang này.")
        st.stop()
    return user


def explain_no_access() -> None:
    s = session.settings()
    if s.auth_configured and not _signed_in():
        st.title("Theo dõi nhiệm vụ")
        st.write("Vui lòng đăng nhập bằng tài khoản công vụ để xem và cập nhật nhiệm vụ.")
        st.button("Đăng nhập", on_click=st.login, type="primary")
    elif s.auth_configured:
        st.title("Tài khoản chưa được cấp quyền")
        st.write(
            f"Tài khoản **{md(st.user.get('email', ''))}** chưa có trong danh sách người dùng. "
            "Vui lòng liên hệ Văn phòng UBND tỉnh để được cấp quyền."
        )
        st.button("Đăng xuất", on_click=st.logout)
    else:
        st.title("Cần cấu hình đăng nhập")
        st.write(
            "Ứng dụng đang dùng Google Sheet nhưng chưa cấu hình đăng nhập, nên không hiển "
            "thị dữ liệu. Thêm mục `[auth]` vào secrets (xem README, phần Đăng nhập), hoặc "
            "đặt `public_read = true` trong `[app]` để mọi người chỉ được xem."
        )


def identity_sidebar(user: User) -> None:
    """Who am I, the demo picker or sign-out, and the data's freshness."""
    s = session.settings()
    with st.sidebar:
        if s.demo_mode:
            st.warning(
                "**Chế độ thử nghiệm**: chọn vai trò để xem thử. Dữ liệu lưu trong máy.",
                icon=":material/science:",
            )
            persistent_select("Vai trò", "demo_role", list(ROLES), ROLE_LABELS.get)
            if user.role == ROLE_AGENCY:
                agencies = {a.code: a.name for a in session.snapshot().agencies if a.active}
                persistent_select("Cơ quan", "demo_agency", list(agencies), agencies.get)
        elif user.email == PUBLIC_EMAIL:
            st.info(
                "Chế độ công khai: chỉ xem, không ai cập nhật được.", icon=":material/visibility:"
            )
        else:
            st.caption(f"{md(user.name or user.email)} · {ROLE_LABELS[user.role]}")
            st.button("Đăng xuất", on_click=st.logout)
        loaded = session.snapshot().loaded_at
        st.caption(f"Dữ liệu lúc {loaded:%H:%M %d/%m/%Y}" if loaded else "")
        if st.button("Làm mới", icon=":material/refresh:"):
            session.refresh()
            st.rerun()
