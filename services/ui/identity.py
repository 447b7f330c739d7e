"""Who is using the app: the page table, the current user (sign-in, demo mode, public read), the
role guard every page starts with, and the sidebar that says who you are."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from services.domain.model import ROLE_ADMIN, ROLE_AGENCY, ROLE_LABELS, ROLE_LEADER, ROLES, User
from services.ui import session
from services.ui.widgets import md, persistent_select

# The pages, and who may open each. app.py builds st.navigation from this table. The page files
# live in views/, not pages/: with a pages/ folder Streamlit runs the first request of a fresh
# server on a deep link (/queue) as the page file alone, without app.py (no menu titles, no role
# picker). Every page file still calls require_role(<its key>) first, whoever runs it.
PAGES = {
    "overview": (
        "views/overview.py",
        "Tổng quan",
        ":material/dashboard:",
        (ROLE_LEADER, ROLE_AGENCY, ROLE_ADMIN),
    ),
    "attention": (
        "views/attention.py",
        "Cần chỉ đạo",
        ":material/priority_high:",
        (ROLE_LEADER, ROLE_ADMIN),
    ),
    "agency": (
        "views/agency.py",
        "Cơ quan",
        ":material/apartment:",
        (ROLE_LEADER, ROLE_AGENCY, ROLE_ADMIN),
    ),
    "my_tasks": (
        "views/my_tasks.py",
        "Nhiệm vụ của tôi",
        ":material/task_alt:",
        (ROLE_AGENCY, ROLE_ADMIN),
    ),
    "queue": (
        "views/queue.py",
        "Chờ xử lý",
        ":material/pending_actions:",
        (ROLE_LEADER, ROLE_ADMIN),
    ),
    "reports": ("views/reports.py", "Báo cáo", ":material/summarize:", (ROLE_LEADER, ROLE_ADMIN)),
    "import": (
        "views/import_directive.py",
        "Nhập văn bản",
        ":material/upload_file:",
        (ROLE_ADMIN,),
    ),
    "admin": ("views/admin.py", "Quản trị", ":material/admin_panel_settings:", (ROLE_ADMIN,)),
}

PUBLIC_EMAIL = "khach@cong-khai"  # the read-only identity of public_read mode
DEMO_PARAM = "thu-nghiem"  # demo mode only: the chosen role (and agency) in the URL, so F5 keeps it


def _role_from_url() -> None:
    """Demo mode: the role chosen before a reload, from ?thu-nghiem=agency:SNV. Read only when
    the session has no role yet: a link never changes the role of a running session. (Demo
    mode has no security to bypass: anyone may pick any role in the sidebar.)"""
    raw = str(st.query_params.get(DEMO_PARAM, ""))
    role, _, agency = raw.partition(":")
    if role in ROLES:
        st.session_state["demo_role"] = role
        if role == ROLE_AGENCY and agency:
            st.session_state["demo_agency"] = agency


def identity_params() -> dict[str, list[str]]:
    """The query-string values that carry who you are (demo mode only), for pages that rewrite
    the URL: they keep these so a reload keeps the role."""
    if not session.settings().demo_mode or "demo_role" not in st.session_state:
        return {}
    role = st.session_state["demo_role"]
    agency = st.session_state.get("demo_agency", "") if role == ROLE_AGENCY else ""
    return {DEMO_PARAM: [f"{role}:{agency}" if agency else role]}


def page_params() -> dict[str, list[str]]:
    """The URL's query values that belong to the page (identity_params left out)."""
    return {k: st.query_params.get_all(k) for k in st.query_params if k != DEMO_PARAM}


def set_page_params(values: dict) -> None:
    """Replace the page's query values, keeping who you are."""
    st.query_params.from_dict({**values, **identity_params()})


def _signed_in() -> bool:
    return bool(st.user.get("is_logged_in", False))


def current_user() -> User | None:
    """Who is using the app, or None when nobody may see data (see docs/ARCHITECTURE.md, "Security")."""
    s = session.settings()
    if s.auth_configured:
        if not _signed_in() or st.user.get("email_verified") is False:
            return None
        email = str(st.user.get("email") or "").lower()  # some providers send no email
        # a deactivated user loses access at once (the cache is cleared by the save)
        return next((u for u in session.snapshot().users if u.email == email and u.active), None)
    if s.demo_mode:
        if "demo_role" not in st.session_state:  # a new session (F5, a link): the URL says
            _role_from_url()
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


def reads_data() -> bool:
    """Whether this visitor would be shown data (so the store must be readable): signed in,
    demo mode or public read. Otherwise the sign-in or set-up page needs no store."""
    s = session.settings()
    if s.auth_configured:
        return _signed_in()
    return s.demo_mode or s.public_read


def require_role(page_key: str) -> User:
    """The role guard every page starts with: stops the page unless the current user may see it."""
    user = current_user()
    if user is None:
        explain_no_access()
        st.stop()
    if user.role not in PAGES[page_key][3]:
        st.error("Bạn không có quyền xem trang này.")
        if session.settings().demo_mode:
            st.caption("Chế độ thử nghiệm: chọn vai trò khác ở thanh bên để xem trang này.")
        try:  # a way forward: the first page this role may open
            home = next(k for k, p in PAGES.items() if user.role in p[3])
            st.page_link(PAGES[home][0], label=f"Về trang {PAGES[home][1]}", icon=":material/home:")
        except StreamlitAPIException:  # a page run on its own: no page table to link to
            pass
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
            wanted = identity_params().get(DEMO_PARAM, [""])[0]
            if wanted and st.session_state.get("_demo_in_url") != wanted:
                st.session_state["_demo_in_url"] = wanted  # once per change of role
                st.query_params[DEMO_PARAM] = wanted
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
