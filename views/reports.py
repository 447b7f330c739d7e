"""Báo cáo: choose what a report covers and as of when, preview its numbers, download the Excel
workbook, the CSV, the Word report and the draft reminder letter (công văn đôn đốc)."""

from dataclasses import replace
from datetime import timedelta

import pandas as pd
import streamlit as st

from services.dashboard.metrics import UPDATE_RATE_HELP, UPDATE_RATE_LABEL, UPDATE_WINDOW_DAYS
from services.domain.dates import format_datetime
from services.domain.limits import MAX_ISSUER, MAX_SIGNER
from services.domain.model import CATEGORIES, fold
from services.domain.text import format_count, format_rate
from services.reports import data as reports
from services.reports.excel import workbook_bytes
from services.reports.word import reminder_docx, report_docx
from services.ui import identity, periods, session, widgets

user = identity.require_role("reports")

st.title("Báo cáo")
st.caption(
    "Số liệu như trang Tổng quan, tính đến ngày bạn chọn. Tải về bảng Excel, CSV, báo cáo "
    "tình hình thực hiện và dự thảo công văn đôn đốc theo thể thức Nghị định "
    "30/2020/NĐ-CP."
)

snapshot = session.snapshot()
settings = session.settings()
if not snapshot.tasks:
    st.info("Chưa có nhiệm vụ nào. Văn phòng UBND tỉnh nhập văn bản để bắt đầu theo dõi.")
    st.stop()

# --- scope ---------------------------------------------------------------------------------------

ALL = ""


def choose(column, label, options, format_func, key):
    """A select box that falls back to "all" when its choice is no longer offered (another
    choice narrowed the list), instead of silently reporting on nothing."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = ALL
    return column.selectbox(label, options, format_func=format_func, key=key)


directives = {d.id: reports.directive_label(d) for d in snapshot.directives}
date_col, directive_col = st.columns([1, 3])
as_of = date_col.date_input(
    "Tính đến ngày", value=session.today(), format="DD/MM/YYYY", key="report_as_of"
)
directive_id = choose(
    directive_col,
    "Văn bản",
    [ALL, *directives],
    lambda i: directives.get(i, "Tất cả văn bản"),
    "report_directive",
)
original = st.toggle(
    "Theo cơ quan ghi trong văn bản (không gộp cơ quan đã sáp nhập)",
    help="Mặc định, nhiệm vụ của cơ quan đã sáp nhập được tính cho cơ quan kế "
    "thừa, như trên trang Tổng quan.",
    key="report_original",
)


whole = snapshot.history_since is not None and as_of < snapshot.history_since.date()
if whole:
    # a day before the recent history the pages carry: the whole history is read, once
    with st.spinner("Đang đọc toàn bộ lịch sử cập nhật để tính số liệu của ngày đã chọn…"):
        snapshot = session.with_history_since(as_of).active()


def prepare(group="", agency=""):
    scope = reports.Scope(as_of, directive_id or None, group, agency, original)
    return reports.prepare(  # every table from the same snapshot (None: built from it)
        snapshot,
        scope,
        None if whole else session.task_table(as_of),
        tz=settings.timezone,
        due_soon_days=settings.due_soon_days,
        now=session.now(),
        periods=None if whole else session.period_table(as_of),
        limits=settings.urgency,
    )


base = prepare()
leads = base.tasks[["lead", "lead_name", "lead_group"]].drop_duplicates("lead")
group_col, agency_col = st.columns(2)
groups = sorted({g for g in leads["lead_group"] if g}, key=fold)
group = choose(
    group_col, "Nhóm cơ quan", [ALL, *groups], lambda g: g or "Tất cả các nhóm", "report_group"
)
if group:
    leads = leads[leads["lead_group"] == group]
names = dict(sorted(zip(leads["lead"], leads["lead_name"]), key=lambda p: fold(p[1])))
agency = choose(
    agency_col,
    "Cơ quan chủ trì",
    [ALL, *names],
    lambda c: names.get(c, "Tất cả các cơ quan"),
    "report_agency",
)
data = prepare(group, agency) if group or agency else base

# --- preview -------------------------------------------------------------------------------------

st.subheader("Số liệu")
totals = data.totals
# two rows of four, so that no label is cut ("Đang thực hiện trong hạn")
first_row, second_row = st.columns(4), st.columns(4)
first_row[0].metric("Tổng số nhiệm vụ", format_count(totals["total"]))
for col, name in zip([*first_row[1:], *second_row], CATEGORIES):
    col.metric(name, format_count(totals[name]))
second_row[2].metric("Sắp đến hạn", format_count(totals["due_soon"]))
second_row[3].metric("Tỷ lệ hoàn thành", format_rate(totals["completion_rate"]))

if data.agencies.empty:
    st.info("Không có nhiệm vụ nào trong phạm vi đã chọn.")
else:
    table = data.agencies.assign(
        last_update=data.agencies["last_update"].map(
            lambda t: "" if pd.isna(t) else format_datetime(t.tz_convert(settings.timezone))[:16]
        )
    )
    percent = {"format": "percent", "width": "small"}
    st.dataframe(
        table[
            [
                "lead_name",
                "assigned",
                "done_on_time",
                "done_late",
                "open_on_time",
                "overdue",
                "ongoing",
                "completion_rate",
                "on_time_rate",
                "update_rate",
                "last_update",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "lead_name": "Cơ quan chủ trì",
            "assigned": "Tổng số",
            "done_on_time": "Hoàn thành đúng hạn",
            "done_late": "Hoàn thành quá hạn",
            "open_on_time": "Đang thực hiện trong hạn",
            "overdue": "Quá hạn",
            "ongoing": "Thường xuyên",
            "completion_rate": st.column_config.NumberColumn("Tỷ lệ hoàn thành", **percent),
            "on_time_rate": st.column_config.NumberColumn("Tỷ lệ đúng hạn", **percent),
            "update_rate": st.column_config.NumberColumn(
                UPDATE_RATE_LABEL, help=UPDATE_RATE_HELP, **percent
            ),
            "last_update": "Cập nhật gần nhất",
        },
    )

if not data.periods.empty:
    st.subheader("Báo cáo định kỳ")
    figures = data.period_totals
    cols = st.columns(4)
    cols[0].metric("Báo cáo đúng hạn", format_count(figures["on_time"]))
    cols[1].metric("Báo cáo muộn", format_count(figures["late"]))
    cols[2].metric("Kỳ báo cáo chưa nộp (quá hạn)", format_count(figures["missing"]))
    cols[3].metric("Chưa đến hạn", format_count(figures["not_due"]))
    periods.status_table(data.periods, "agency")

# --- files ---------------------------------------------------------------------------------------

st.subheader("Tải về")
with st.expander("Thông tin trên văn bản Word"):
    left, right = st.columns(2)
    issuer = left.text_input("Cơ quan ban hành", value=data.issuer, max_chars=MAX_ISSUER)
    signer = right.text_input("Người ký (để trống nếu chưa xác định)", max_chars=MAX_SIGNER)
    signed_on = left.date_input("Ngày văn bản", value=session.today(), format="DD/MM/YYYY")
    report_by = right.date_input(
        "Hạn báo cáo (công văn đôn đốc)",
        value=session.today() + timedelta(days=7),
        format="DD/MM/YYYY",
    )
if issuer.strip() and issuer.strip() != data.issuer:
    data = replace(data, issuer=issuer.strip())

excel_col, csv_col, report_col, reminder_col = st.columns(4)
excel_col.download_button(
    "Bảng Excel (.xlsx)",
    lambda: workbook_bytes(data),
    reports.file_name("xlsx", data),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
    on_click="ignore",
    width="stretch",
)
csv_col.download_button(
    "Danh sách (.csv)",
    lambda: reports.csv_bytes(data),
    reports.file_name("csv", data),
    mime="text/csv",
    icon=":material/csv:",
    on_click="ignore",
    width="stretch",
)
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
report_col.download_button(
    "Báo cáo (.docx)",
    lambda: report_docx(data, day=signed_on, signer=signer),
    reports.file_name("report", data),
    mime=WORD,
    icon=":material/description:",
    on_click="ignore",
    width="stretch",
    type="primary",
)
targets = reports.reminder_targets(data)
to_whom = {t.code: t.name for t in targets}
ALL_TARGETS = ""
if targets:
    recipient = st.selectbox(
        "Công văn đôn đốc gửi",
        [ALL_TARGETS, *to_whom],
        format_func=lambda c: to_whom.get(c, f"Tất cả {len(targets)} cơ quan (một công văn)"),
        key="reminder_to",
        help="Chọn một cơ quan để lập công văn riêng cho cơ quan đó.",
    )
else:
    recipient = ALL_TARGETS
reminder_col.download_button(
    "Công văn đôn đốc (.docx)",
    lambda: reminder_docx(data, report_by, day=signed_on, signer=signer, agency=recipient),
    reports.file_name("reminder", data, recipient),
    mime=WORD,
    icon=":material/notification_important:",
    on_click="ignore",
    width="stretch",
    disabled=not targets,
)
if targets:
    st.caption(
        f"Công văn đôn đốc gửi {len(targets)} cơ quan có nhiệm vụ quá hạn hoặc không cập "
        f"nhật nhiệm vụ nào trong {UPDATE_WINDOW_DAYS} ngày: "
        + ", ".join(widgets.md(t.name) for t in targets)
        + ". Phần thân công văn nêu số liệu và yêu cầu; danh sách nhiệm vụ ở Phụ lục."
    )
else:
    st.caption(
        f"Không có cơ quan nào có nhiệm vụ quá hạn hoặc chưa cập nhật trong "
        f"{UPDATE_WINDOW_DAYS} ngày: không cần công văn đôn đốc."
    )
