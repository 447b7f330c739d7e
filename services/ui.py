"""The ONE module in services/ that imports streamlit: settings from st.secrets, the shared store
and snapshot cache, the current identity, the role guard, and small shared widgets.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd
import streamlit as st

from . import charts, dashboard
from .agencies import AgencyIndex
from .backends import open_store
from .cache import SnapshotCache
from .config import ConfigError, Settings, load_settings
from .domain import (ROLE_ADMIN, ROLE_AGENCY, ROLE_LABELS, ROLE_LEADER, ROLES, Change, Snapshot,
                     Task, User, now_local, today_local)
from .metrics import tasks_frame
from .schema import task_cell
from .store import PermissionDenied, Store, StoreError
from .updates import UpdateInput, save_update

# The pages, and who may open each. app.py builds st.navigation from this table, and every page
# file calls require_role(<its key>) first, because Streamlit can run files in pages/ directly.
PAGES = {
    "overview": ("pages/overview.py", "Tổng quan", ":material/dashboard:",
                 (ROLE_LEADER, ROLE_AGENCY, ROLE_ADMIN)),
    "agency": ("pages/agency.py", "Cơ quan", ":material/apartment:",
               (ROLE_LEADER, ROLE_AGENCY, ROLE_ADMIN)),
    "my_tasks": ("pages/my_tasks.py", "Nhiệm vụ của tôi", ":material/task_alt:",
                 (ROLE_AGENCY, ROLE_ADMIN)),
    "reports": ("pages/reports.py", "Báo cáo", ":material/summarize:", (ROLE_LEADER, ROLE_ADMIN)),
    "import": ("pages/import_directive.py", "Nhập văn bản", ":material/upload_file:",
               (ROLE_ADMIN,)),
    "admin": ("pages/admin.py", "Quản trị", ":material/admin_panel_settings:", (ROLE_ADMIN,)),
}

PUBLIC_EMAIL = "khach@cong-khai"  # the read-only identity of public_read mode


def settings() -> Settings:
    """Settings from st.secrets; no secrets file at all means the defaults."""
    try:
        data = st.secrets.to_dict()
    except (FileNotFoundError, KeyError):  # no secrets file (StreamlitSecretNotFoundError)
        data = {}
    try:
        return load_settings(data)
    except ConfigError as e:
        st.error(f"Cấu hình chưa đúng: {e}")
        st.stop()


@st.cache_resource(show_spinner=False)
def _shared(settings_key: tuple, _settings: Settings) -> tuple[Store, SnapshotCache]:
    store = open_store(_settings)
    return store, SnapshotCache(store.load, _settings.cache_ttl_seconds)


def _settings_key(s: Settings) -> tuple:
    return (s.backend, s.sqlite_path, s.spreadsheet, s.endpoint, s.cache_ttl_seconds,
            s.timezone, s.service_account.get("client_email"))


def _resources() -> tuple[Store, SnapshotCache]:
    s = settings()
    try:
        return _shared(_settings_key(s), s)
    except StoreError as e:
        st.error(str(e))
        st.stop()


def store() -> Store:
    return _resources()[0]


def snapshot() -> Snapshot:
    try:
        return _resources()[1].get()
    except StoreError as e:
        st.error(str(e))
        st.stop()


def today() -> date:
    return today_local(settings().timezone)


def now() -> datetime:
    return now_local(settings().timezone)


def display_value(task: Task, field: str):
    """A task field as the sheet and the history show it (dd/mm/yyyy, agency names)."""
    return task_cell(task, field, registry().name)


def task_table(as_of: date | None = None) -> pd.DataFrame:
    """The task table with categories, computed once per snapshot and date for all sessions."""
    s = settings()
    as_of = as_of or today_local(s.timezone)
    return _resources()[1].derived(("tasks", as_of, s.due_soon_days),
                                   lambda snap: tasks_frame(snap, as_of, s.due_soon_days))


def refresh() -> None:
    """Drop the shared snapshot (after a write, or when the user asks)."""
    _resources()[1].clear()


def registry() -> AgencyIndex:
    return _resources()[1].derived(("registry",), lambda snap: AgencyIndex(snap.agencies))


def save_task(seen: Task, data: UpdateInput) -> list[Change]:
    """The one save path of the pages (updates.save_update), as whoever is signed in NOW (a
    callback runs before the page's guard: a right withdrawn meanwhile must not still write).
    The shared cache is cleared after a write, a conflict or a refusal, so the page shows the
    row as it is now."""
    user = current_user()
    if user is None:
        raise PermissionDenied("Phiên làm việc đã hết hoặc tài khoản không còn quyền; vui lòng "
                               "đăng nhập lại.")
    try:
        rows = save_update(store(), user, seen, data, now(), registry())
    except StoreError:
        refresh()
        raise
    refresh()
    return rows


# --- identity ---------------------------------------------------------------------------------

def _signed_in() -> bool:
    return bool(st.user.get("is_logged_in", False))


def current_user() -> User | None:
    """Who is using the app, or None when nobody may see data (see DESIGN §6)."""
    s = settings()
    if s.auth_configured:
        if not _signed_in() or st.user.get("email_verified") is False:
            return None
        email = str(st.user.get("email") or "").lower()  # some providers send no email
        return next((u for u in snapshot().users if u.email == email), None)
    if s.demo_mode:
        role = st.session_state.get("demo_role", ROLE_LEADER)
        role = role if role in ROLES else ROLE_LEADER
        agency = st.session_state.get("demo_agency", "") if role == ROLE_AGENCY else ""
        if role == ROLE_AGENCY and not agency:
            agency = next((a.code for a in snapshot().agencies if a.active), "")
        return User(email=f"demo-{role}@thu-nghiem", name=f"Thử nghiệm ({ROLE_LABELS[role]})",
                    agency=agency, role=role)
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
    s = settings()
    if s.auth_configured and not _signed_in():
        st.title("Theo dõi nhiệm vụ")
        st.write("Vui lòng đăng nhập bằng tài khoản công vụ để xem và cập nhật nhiệm vụ.")
        st.button("Đăng nhập", on_click=st.login, type="primary")
    elif s.auth_configured:
        st.title("Tài khoản chưa được cấp quyền")
        st.write(f"Tài khoản **{md(st.user.get('email', ''))}** chưa có trong danh sách người dùng. "
                 "Vui lòng liên hệ Văn phòng UBND tỉnh để được cấp quyền.")
        st.button("Đăng xuất", on_click=st.logout)
    else:
        st.title("Cần cấu hình đăng nhập")
        st.write("Ứng dụng đang dùng Google Sheet nhưng chưa cấu hình đăng nhập, nên không hiển "
                 "thị dữ liệu. Thêm mục `[auth]` vào secrets (xem README, phần Đăng nhập), hoặc "
                 "đặt `public_read = true` trong `[app]` để mọi người chỉ được xem.")


def identity_sidebar(user: User) -> None:
    """Who am I, the demo picker or sign-out, and the data's freshness."""
    s = settings()
    with st.sidebar:
        if s.demo_mode:
            st.warning("**Chế độ thử nghiệm**: chọn vai trò để xem thử. Dữ liệu lưu trong máy.",
                       icon=":material/science:")
            _persistent_select("Vai trò", "demo_role", list(ROLES), ROLE_LABELS.get)
            if user.role == ROLE_AGENCY:
                agencies = {a.code: a.name for a in snapshot().agencies if a.active}
                _persistent_select("Cơ quan", "demo_agency", list(agencies), agencies.get)
        elif user.email == PUBLIC_EMAIL:
            st.info("Chế độ công khai: chỉ xem, không ai cập nhật được.", icon=":material/visibility:")
        else:
            st.caption(f"{md(user.name or user.email)} · {ROLE_LABELS[user.role]}")
            st.button("Đăng xuất", on_click=st.logout)
        loaded = snapshot().loaded_at
        st.caption(f"Dữ liệu lúc {loaded:%H:%M %d/%m/%Y}" if loaded else "")
        if st.button("Làm mới", icon=":material/refresh:"):
            refresh()
            st.rerun()


def _persistent_select(label: str, key: str, options: list, format_func) -> None:
    """A select box whose value lives in a plain session key, which Streamlit never drops (a
    widget's own state is dropped on runs where it is not drawn, e.g. while pages change)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0] if options else ""
    widget_key = f"_{key}_widget"
    st.session_state[widget_key] = st.session_state[key]
    st.selectbox(label, options, format_func=format_func, key=widget_key,
                 on_change=lambda: st.session_state.update({key: st.session_state[widget_key]}))


def weekly_chart(view: pd.DataFrame, today: date) -> None:
    """Completions per week (Tổng quan, Cơ quan), or a message when there are none."""
    weekly = dashboard.weekly_completions(view, today)
    if weekly.empty:
        st.info("Chưa có nhiệm vụ nào hoàn thành trong 26 tuần qua.")
    else:
        st.plotly_chart(charts.weekly_trend(weekly), config=charts.CONFIG, width="stretch")


def md(text) -> str:
    """Text from the data (agency names, ids, numbers, emails) made inert inside markdown:
    a name such as "[x](http://...)", "**x**" or ":red[...]" shows as typed, never as markup."""
    return re.sub(r"([\\`*_\[\]<>$~|])", r"\\\1", str(text))


# --- dashboard (Tổng quan, Cơ quan) -------------------------------------------------------------

def board_table(as_of: date | None = None) -> pd.DataFrame:
    """The dashboard's task table (services.dashboard.build_board): computed once per snapshot
    and date for all sessions, like task_table; pages only filter and aggregate it."""
    s = settings()
    as_of = as_of or today_local(s.timezone)
    return _resources()[1].derived(
        ("board", as_of, s.due_soon_days),
        lambda snap: dashboard.build_board(snap, task_table(as_of), as_of, s.due_soon_days,
                                           s.timezone))
