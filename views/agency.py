"""Cơ quan: one agency's scorecard (the metrics of services.metrics.agency_metrics), the tasks it
leads with their category badges, the tasks it supports, its latest updates and its weekly trend.
Tổng quan opens it with ?agency=CODE; the select box changes it (and the URL)."""

import streamlit as st

from services.dashboard import board as dashboard
from services.dashboard import charts
from services.dashboard.metrics import UPDATE_RATE_HELP, UPDATE_RATE_LABEL
from services.domain.dates import format_date, format_datetime
from services.domain.text import format_count, format_rate
from services.ui import identity, periods, session, widgets

user = identity.require_role("agency")

today, settings, snapshot = session.today(), session.settings(), session.snapshot()
widgets.unreadable_cells_banner(snapshot)
board = session.board_table(today)

if "a_original" not in st.session_state:  # first run of the page: the URL decides
    st.session_state.a_original = dashboard.parse_flag(st.query_params.get_all("original"))
original = st.session_state.a_original
choices = dashboard.agency_choices(board, snapshot, original)
if not choices:
    st.title("Cơ quan")
    st.info(
        "Chưa có cơ quan nào trong danh mục. Văn phòng UBND tỉnh thêm cơ quan ở trang Quản trị."
    )
    st.stop()

requested = st.query_params.get("agency", "")
code, note = dashboard.pick_agency(
    requested,
    choices,
    session.registry(),
    original,
    fallback=[
        user.agency,
        *dashboard.agency_categories(dashboard.agency_view(board, original))["agency"],
    ],
)
if st.session_state.get("a_agency") not in choices:
    st.session_state.a_agency = code
code = st.session_state.a_agency
if "a_task" not in st.session_state:  # ?task=NV-0001 (a line of Cần chỉ đạo): that task's card
    st.session_state.a_task = str(st.query_params.get("task", ""))
shown_task = snapshot.task(st.session_state.a_task) if st.session_state.a_task else None
shared = {
    "agency": [code],
    **({"original": ["1"]} if original else {}),
    **({"task": [shown_task.id]} if shown_task else {}),
}  # a link to this view
if identity.page_params() != shared:
    identity.set_page_params(shared)

st.title(widgets.md(choices[code]))
if note:
    st.caption(note)
if shown_task is not None:
    with st.container(border=True):
        st.text(
            f"{shown_task.id} · {session.registry().name(shown_task.lead)} · hạn "
            f"{format_date(shown_task.deadline) or 'thường xuyên'} · {shown_task.status}"
            + (f" · trả lại {shown_task.returns} lần" if shown_task.returns else "")
            + f"\nCập nhật lần cuối: {format_datetime(shown_task.updated_at) or 'chưa cập nhật'}"
        )
        widgets.long_text(shown_task.content, key=f"a_full_{shown_task.id}")
        periods.task_card(shown_task)
        st.button("Đóng", key="a_close", on_click=lambda: st.session_state.update(a_task=""))
pick_col, toggle_col = st.columns([3, 2], vertical_alignment="bottom")
pick_col.selectbox("Cơ quan", list(choices), format_func=choices.get, key="a_agency")
toggle_col.toggle(
    "Hiện cơ quan cũ (trước sáp nhập)",
    key="a_original",
    help="Mặc định, nhiệm vụ của cơ quan đã sáp nhập được tính cho cơ quan kế thừa.",
)
if not original and (merged := dashboard.merged_into(snapshot, code)):
    st.caption(
        "Gồm cả nhiệm vụ của cơ quan đã sáp nhập vào: " + "; ".join(map(widgets.md, merged)) + "."
    )

view = dashboard.agency_view(board, original)
score = dashboard.agency_scorecard(view, code, today, settings.timezone)
for row in (
    (
        ("Được giao chủ trì", format_count(score["assigned"]), None),
        ("Đã hoàn thành", format_count(score["done"]), None),
        ("Hoàn thành đúng hạn", format_count(score["done_on_time"]), None),
        ("Quá hạn", format_count(score["overdue"]), "Chưa hoàn thành và đã quá hạn."),
    ),
    (
        (
            "Tỷ lệ hoàn thành",
            format_rate(score["completion_rate"]),
            "Đã hoàn thành / được giao.",
        ),
        (
            "Tỷ lệ đúng hạn",
            format_rate(score["on_time_rate"]),
            "Hoàn thành đúng hạn / đã hoàn thành.",
        ),
        (UPDATE_RATE_LABEL, format_rate(score["update_rate"]), UPDATE_RATE_HELP),
        (
            "Cập nhật gần nhất",
            format_date(score["last_update"]) if score["last_update"] else "Chưa có",
            None,
        ),
    ),
):
    with st.container(horizontal=True, gap="small"):
        for label, value, explain in row:
            st.metric(label, value, help=explain, border=True, width="stretch")

COLUMNS = {
    "id": "Mã NV",
    "badges": "Phân loại",
    "deadline": "Hạn hoàn thành",
    "content": "Nội dung nhiệm vụ",
    "status": "Trạng thái",
    "progress": "Tiến độ (%)",
    "directive_number": "Văn bản",
}
CONFIG = {
    "content": st.column_config.TextColumn(COLUMNS["content"], width="medium"),
    "deadline": st.column_config.TextColumn(COLUMNS["deadline"], width=90),  # or Thường xuyên
    "progress": st.column_config.ProgressColumn(
        COLUMNS["progress"], format="%d%%", min_value=0, max_value=100
    ),
    "badges": st.column_config.MultiselectColumn(  # coloured like the charts
        COLUMNS["badges"],
        options=[*charts.CATEGORY_COLORS, dashboard.UNREADABLE],
        color=[*charts.CATEGORY_COLORS.values(), dashboard.UNREADABLE_COLOR],
        width="medium",
    ),
}


def task_list(frame, extra: dict, file_name: str, key: str) -> None:
    columns = {**COLUMNS, **extra}
    frame = frame.assign(badges=dashboard.badges(frame, snapshot.unreadable))
    widgets.task_table(frame, columns, {**columns, **CONFIG}, file_name, key)


own = dashboard.lead_tasks(view, code)
st.subheader(f"Nhiệm vụ chủ trì ({format_count(len(own))})")
if own.empty:
    st.info("Cơ quan chưa được giao chủ trì nhiệm vụ nào.")
else:
    task_list(
        own,
        {"lead_name": "Giao cho"} if not original else {},
        f"nhiem-vu-chu-tri-{code}.csv",
        "csv_own",
    )

partner = dashboard.partner_tasks(view, code)
st.subheader(f"Nhiệm vụ phối hợp ({format_count(len(partner))})")
if partner.empty:
    st.caption("Không có nhiệm vụ phối hợp.")
else:
    task_list(
        partner, {"agency_name": "Cơ quan chủ trì"}, f"nhiem-vu-phoi-hop-{code}.csv", "csv_partner"
    )

st.subheader("Cập nhật gần đây")
changes = dashboard.recent_changes(snapshot, own["id"])
if changes.empty:
    st.caption("Chưa có cập nhật nào được ghi lại cho các nhiệm vụ này.")
else:
    st.dataframe(
        changes.assign(at=changes["at"].map(format_datetime))
        .drop(columns=["actor"])
        .rename(columns=dashboard.CHANGE_HEADERS),
        hide_index=True,
        width="stretch",
    )

st.subheader("Hoàn thành theo tuần")
widgets.weekly_chart(own, today)
