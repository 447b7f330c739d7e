"""Tổng quan: KPI cards with their change over 7 days, categories per agency (click to open one),
the reporting periods' counts, one tab each for progress per directive, share of categories and
completions per week, and the overdue / due-soon / silent-agency lists. Below the fold only what
is open is drawn (the tables collapsed until asked). Filters and search live in the URL, so a
filtered view can be shared."""

from datetime import timedelta

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from services.dashboard import board as dashboard
from services.dashboard import charts
from services.dashboard.metrics import UPDATE_RATE_HELP, UPDATE_RATE_LABEL
from services.domain.dates import format_date
from services.domain.text import format_count
from services.ui import identity, periods, session, widgets

user = identity.require_role("overview")

TOP = 15  # bars shown before "Hiện tất cả"
FILTER_KEYS = (
    "f_q",
    "f_original",
    "f_directive",
    "f_group",
    "f_agency",
    "f_category",
    "f_from",
    "f_to",
)

st.title("Tổng quan tình hình thực hiện nhiệm vụ")
today, settings, snapshot = session.today(), session.settings(), session.snapshot()
widgets.unreadable_cells_banner(snapshot)
board = session.board_table(today)
st.caption(
    f"Số liệu tính đến ngày {format_date(today)}"
    + (f" · Dữ liệu lúc {snapshot.loaded_at:%H:%M %d/%m/%Y}" if snapshot.loaded_at else "")
)
if board.empty:
    st.info("Chưa có nhiệm vụ nào. Văn phòng UBND tỉnh nhập văn bản để bắt đầu theo dõi.")
    st.stop()


# --- filters: the URL sets them on the first run of the page, the widgets after -----------------


def url_params() -> dict:
    return identity.page_params()


def start_from(filters: dashboard.Filters) -> None:
    st.session_state.update(
        f_q=filters.search,
        f_original=filters.original,
        f_directive=list(filters.directives),
        f_group=list(filters.groups),
        f_agency=list(filters.agencies),
        f_category=list(filters.categories),
        f_from=filters.deadline_from,
        f_to=filters.deadline_to,
    )


def clear_filters() -> None:
    start_from(dashboard.Filters(original=st.session_state.get("f_original", False)))


if any(k not in st.session_state for k in FILTER_KEYS):
    params = url_params()
    back = st.session_state.pop("overview_back", None)
    if back and params.get("agency") == back["agency"]:  # Back from a drill-down
        params = back["params"]
        identity.set_page_params(params)
    start_options = session.filter_options(dashboard.parse_flag(params.get("original")), today)
    start_from(dashboard.Filters.from_query(params, start_options))

search_col, toggle_col = st.columns([3, 2], vertical_alignment="bottom")
search_col.text_input(
    "Tìm kiếm", key="f_q", max_chars=200, placeholder="Cơ quan, nội dung, mã NV… (không cần gõ dấu)"
)
toggle_col.toggle(
    "Hiện cơ quan cũ (trước sáp nhập)",
    key="f_original",
    help="Mặc định, nhiệm vụ của cơ quan đã sáp nhập được tính cho cơ quan kế thừa.",
)
options = session.filter_options(st.session_state.f_original, today)
st.session_state.f_agency = list(
    dict.fromkeys(  # the toggle changes which agencies exist
        options.successors.get(c, c)
        for c in st.session_state.f_agency
        if options.successors.get(c, c) in options.agencies
    )
)

narrowed = any(st.session_state[k] for k in FILTER_KEYS if k not in ("f_q", "f_original"))
with st.expander("Bộ lọc", icon=":material/filter_list:", expanded=narrowed):
    left, middle, right = st.columns(3)
    left.multiselect(
        "Văn bản",
        list(options.directives),
        format_func=options.directives.get,
        key="f_directive",
        placeholder="Tất cả văn bản",
    )
    middle.multiselect(
        "Nhóm cơ quan", list(options.groups), key="f_group", placeholder="Tất cả các nhóm"
    )
    right.multiselect(
        "Cơ quan chủ trì",
        list(options.agencies),
        format_func=options.agencies.get,
        key="f_agency",
        placeholder="Tất cả cơ quan",
    )
    left, middle, right = st.columns(3)
    left.multiselect(
        "Phân loại",
        list(dashboard.FILTER_CATEGORIES),
        key="f_category",
        placeholder="Tất cả phân loại",
    )
    middle.date_input("Hạn hoàn thành từ ngày", value=None, key="f_from", format="DD/MM/YYYY")
    right.date_input("Hạn hoàn thành đến ngày", value=None, key="f_to", format="DD/MM/YYYY")
    st.button("Xoá bộ lọc", icon=":material/filter_alt_off:", on_click=clear_filters)

filters = dashboard.Filters(
    directives=tuple(st.session_state.f_directive),
    groups=tuple(st.session_state.f_group),
    agencies=tuple(st.session_state.f_agency),
    categories=tuple(st.session_state.f_category),
    deadline_from=st.session_state.f_from,
    deadline_to=st.session_state.f_to,
    search=st.session_state.f_q,
    original=st.session_state.f_original,
)
if filters.to_query() != url_params():
    identity.set_page_params(filters.to_query())

tables = session.overview_tables(filters, today)  # computed once per view for all sessions
view = tables.view
if filters.narrows:
    st.caption(
        f"Đang xem {format_count(len(view))} / {format_count(len(board))} nhiệm vụ theo bộ lọc."
    )
if view.empty:
    st.warning(
        "Không có nhiệm vụ nào khớp với bộ lọc và từ khoá đã chọn.", icon=":material/search_off:"
    )
    st.button(
        "Xoá bộ lọc và từ khoá",
        on_click=lambda: start_from(dashboard.Filters(original=st.session_state.f_original)),
    )
    st.stop()

# --- KPI cards ------------------------------------------------------------------------------------

cards = tables.cards
for row in (cards[:5], cards[5:]):  # the headline, then the categories; they wrap on a phone
    with st.container(horizontal=True, gap="small"):
        for card in row:
            st.metric(
                card.label,
                card.value,
                card.delta,
                card.delta_color,
                help=card.help,
                border=True,
                width="stretch",
            )
week_ago = today - timedelta(days=dashboard.DELTA_DAYS)
st.caption(
    f"Mũi tên: thay đổi so với ngày {format_date(week_ago)} ({dashboard.DELTA_DAYS} ngày trước)."
)
if tables.all_ongoing:
    st.info(
        "Tất cả nhiệm vụ đang xem là nhiệm vụ thường xuyên (văn bản không nêu thời hạn): "
        "chưa có nhiệm vụ nào quá hạn hay sắp đến hạn.",
        icon=":material/all_inclusive:",
    )

# --- charts ---------------------------------------------------------------------------------------


def top_rows(table, noun: str, key: str):
    """The worst TOP rows, or all of them when the user asks (a long chart is hard to read).
    The choice is kept in a plain key: the toggle is not drawn while its tab is closed."""
    if len(table) <= TOP or st.toggle(
        f"Hiện tất cả {len(table)} {noun}", **widgets.kept(key, False)
    ):
        return table
    st.caption(
        f"Đang hiện {TOP} {noun} đầu, xếp theo số nhiệm vụ quá hạn rồi tỷ lệ hoàn thành thấp nhất."
    )
    return table.head(TOP)


st.subheader("Tình hình theo cơ quan")
agencies = tables.agencies
event = widgets.chart(
    charts.agency_bars(top_rows(agencies, "cơ quan", "all_agencies")),
    key="agency_chart",
    rerun_on_select=True,
)
names = dict(zip(agencies["agency"], agencies["agency_name"]))
chosen = charts.clicked_key(event) or st.selectbox(
    "Xem chi tiết một cơ quan",
    list(names),
    index=None,
    format_func=names.get,
    key="drill",
    placeholder="Chọn cơ quan…",
    help="Hoặc bấm vào thanh của cơ quan đó trên biểu đồ.",
)
if chosen in names:
    # Streamlit writes the Cơ quan page's ?agency= onto this page's history entry as well, so
    # the browser's Back would open Tổng quan filtered to that agency: remember this view, and
    # the first run after Back puts it back (see the filters above).
    st.session_state.overview_back = {"agency": [chosen], "params": url_params()}
    try:
        st.switch_page(
            "views/agency.py",
            query_params={
                "agency": chosen,
                **({"original": "1"} if filters.original else {}),
                **{k: v[0] for k, v in identity.identity_params().items()},
            },
        )
    except StreamlitPageNotFoundError:  # the file run on its own, without app.py (a test)
        st.info("Mở trang «Cơ quan» ở thanh bên để xem chi tiết cơ quan này.")

# --- reporting periods of ongoing tasks (services.dashboard.periods) ------------------------------

if not session.period_table(today).empty:
    st.subheader("Báo cáo định kỳ")
    numbers, current = tables.period_totals, tables.period_current
    with st.container(horizontal=True, gap="small"):
        st.metric(
            "Kỳ này: chưa báo cáo",
            format_count(current.get("missing", 0) + current.get("not_due", 0)),
            help="Nhiệm vụ chưa có báo cáo cho kỳ hiện tại (đã quá hạn hoặc chưa đến hạn).",
            border=True,
            width="stretch",
        )
        st.metric(
            "Kỳ báo cáo chưa nộp (quá hạn)",
            format_count(numbers["missing"]),
            help="Mọi kỳ đã qua hạn nộp mà chưa có báo cáo (kỳ này và các kỳ trước).",
            border=True,
            width="stretch",
        )
        st.metric(
            "Báo cáo đúng hạn", format_count(numbers["on_time"]), border=True, width="stretch"
        )
        st.metric("Báo cáo muộn", format_count(numbers["late"]), border=True, width="stretch")
    # the tables per agency and per directive, collapsed until asked (below the fold), and of
    # the two only the open tab's
    details = widgets.lazy_expander(
        "Chi tiết theo cơ quan, theo văn bản", "overview_periods_open", icon=":material/table:"
    )
    if details.open:
        with details:
            for by, tab in widgets.lazy_tabs(
                {"agency": "Theo cơ quan", "directive_id": "Theo văn bản"}, "overview_period_tab"
            ).items():
                if tab.open:
                    with tab:
                        periods.status_table(tables.periods, by, tables.period_by[by])

# the other charts, one at a time: only the open tab's chart is drawn (below the fold)
more = widgets.lazy_tabs(
    {
        "directives": "Tiến độ theo văn bản",
        "share": "Cơ cấu theo phân loại",
        "weekly": "Hoàn thành theo tuần",
    },
    "overview_chart_tab",
)
if more["directives"].open:
    with more["directives"]:
        widgets.chart(
            charts.directive_bars(top_rows(tables.directives, "văn bản", "all_directives"))
        )
if more["share"].open:
    with more["share"]:
        widgets.chart(charts.category_donut(tables.share))
if more["weekly"].open:
    with more["weekly"]:
        widgets.weekly_chart(view, today, tables.weekly)

# --- lists ----------------------------------------------------------------------------------------

TASK_COLUMNS = {
    "agency_name": "Cơ quan chủ trì",
    "deadline": "Hạn hoàn thành",
    "content": "Nội dung nhiệm vụ",
    "directive_number": "Văn bản",
    "status": "Trạng thái",
    "progress": "Tiến độ (%)",
}
NARROW = {  # sized so Mã NV, days late, agency and the start of the content fit a 390 px phone
    "id": lambda label: st.column_config.TextColumn(label, width=70),
    "days_late": lambda label: st.column_config.NumberColumn(label, width=60),
    "agency_short": lambda label: st.column_config.TextColumn(label, width=100),
}
KINDS = {
    "content": lambda label: st.column_config.TextColumn(label, width="medium"),
    "deadline": lambda label: st.column_config.TextColumn(label, width=90),  # board.preview
    "progress": lambda label: st.column_config.ProgressColumn(
        label, format="%d%%", min_value=0, max_value=100
    ),
}


def table(frame, columns: dict, file_name: str, key: str) -> None:
    config = {c: KINDS.get(c, NARROW.get(c, str))(label) for c, label in columns.items()}
    widgets.task_table(frame, columns, config, file_name, key)


overdue, silent = tables.overdue, tables.silent
days = int(widgets.kept_value("due_days", settings.due_soon_days))  # the box in its tab, below
due = dashboard.due_within(view, today, days)
# below the fold, collapsed until asked: a table of thousands of rows is the page's heaviest
# part (the counts are in the label, the KPI cards and on Cần chỉ đạo)
lists_box = widgets.lazy_expander(
    f"Danh sách: Quá hạn ({format_count(len(overdue))}) · Sắp đến hạn "
    f"({format_count(len(due))}) · Cơ quan chưa cập nhật ({format_count(len(silent))})",
    "overview_lists_open",
    icon=":material/list_alt:",
)
if lists_box.open:
    with lists_box:
        lists = widgets.lazy_tabs(  # only the open list is drawn
            {
                "overdue": f"Quá hạn ({format_count(len(overdue))})",
                "due": f"Sắp đến hạn ({format_count(len(due))})",
                "silent": f"Cơ quan chưa cập nhật ({format_count(len(silent))})",
            },
            "overview_list_tab",
        )
        if lists["overdue"].open:
            with lists["overdue"]:
                if overdue.empty:
                    st.success("Không có nhiệm vụ quá hạn.", icon=":material/check_circle:")
                else:
                    bands = overdue["age_band"].value_counts()
                    st.caption(
                        "Quá hạn "
                        + " · ".join(
                            f"{label}: {bands.get(label, 0)}"
                            for label in [
                                *(b for _, b in dashboard.AGE_BANDS),
                                dashboard.AGE_RECENT,
                            ]
                        )
                    )
                    table(
                        overdue,
                        {
                            "id": "Mã NV",
                            "days_late": "Quá hạn (ngày)",
                            "agency_short": "Cơ quan",
                            "content": "Nội dung nhiệm vụ",
                            "deadline": "Hạn hoàn thành",
                            "age_band": "Nhóm quá hạn",
                            "directive_number": "Văn bản",
                            "status": "Trạng thái",
                            "progress": "Tiến độ (%)",
                        },
                        "nhiem-vu-qua-han.csv",
                        "csv_overdue",
                    )
        if lists["due"].open:
            with lists["due"]:
                st.number_input(
                    "Đến hạn trong số ngày tới",
                    min_value=1,
                    max_value=365,
                    step=1,
                    **widgets.kept("due_days", settings.due_soon_days),  # while the tab is closed
                )
                if due.empty:
                    st.info(f"Không có nhiệm vụ nào đến hạn trong {int(days)} ngày tới.")
                else:
                    table(
                        due,
                        {"id": "Mã NV", "days_left": "Còn (ngày)", **TASK_COLUMNS},
                        f"nhiem-vu-den-han-{int(days)}-ngay.csv",
                        "csv_due",
                    )
        if lists["silent"].open:
            with lists["silent"]:
                st.caption(
                    f"Cơ quan còn nhiệm vụ chưa hoàn thành nhưng không cập nhật nhiệm vụ nào trong "
                    f"{dashboard.STALE_DAYS} ngày qua ({UPDATE_RATE_LABEL.lower()} bằng 0%).",
                    help=UPDATE_RATE_HELP,
                )
                if silent.empty:
                    st.success(
                        f"Mọi cơ quan đều đã cập nhật trong {dashboard.STALE_DAYS} ngày qua.",
                        icon=":material/check_circle:",
                    )
                else:
                    table(
                        silent.assign(
                            last_update=silent["last_update"].map(
                                lambda d: format_date(d) if d else "Chưa cập nhật"
                            )
                        ),
                        {
                            "agency_name": "Cơ quan",
                            "agency_group": "Nhóm",
                            "open": "Nhiệm vụ chưa xong",
                            "last_update": "Cập nhật gần nhất",
                            "days_silent": "Số ngày",
                        },
                        "co-quan-chua-cap-nhat.csv",
                        "csv_silent",
                    )
