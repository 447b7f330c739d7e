"""Cần chỉ đạo: the leaders' exceptions view (services.dashboard.attention): seriously overdue
tasks, requests waiting for a decision, agencies with missing period reports, tasks returned more
than once. Each line links to the task's card on its agency's page (Cơ quan)."""

from urllib.parse import quote

import streamlit as st

from services.dashboard.attention import attention
from services.domain.dates import format_date, format_datetime
from services.domain.periods import MISSING
from services.domain.text import format_count, shorten
from services.ui import identity, session

user = identity.require_role("attention")

settings = session.settings()
snapshot, registry, today = session.snapshot(), session.registry(), session.today()
found = attention(snapshot, session.period_table(today), today, settings.urgency)
numbers = found.headline()

st.title("Cần chỉ đạo")
st.caption(
    f"Chỉ những việc cần quyết định hoặc đôn đốc, tính đến ngày {format_date(today)}. "
    f"Quá hạn nghiêm trọng: quá hạn trên {settings.serious_overdue_days} ngày."
)
cols = st.columns(4)
cols[0].metric("Quá hạn nghiêm trọng", format_count(numbers["serious"]))
cols[1].metric("Đề xuất chờ quyết định", format_count(numbers["requests"]))
cols[2].metric(
    "Kỳ báo cáo chưa nộp (quá hạn)",
    format_count(numbers["missing_periods"]),
    help=f"Của {numbers['missing_agencies']} cơ quan.",
)
cols[3].metric("Bị trả lại từ 2 lần", format_count(numbers["returned"]))

extra = "&".join(f"{k}={quote(v[0])}" for k, v in identity.identity_params().items())


def link(task_id: str) -> str:
    """The task's card on its lead agency's page (Cơ quan)."""
    task = snapshot.task(task_id)
    agency = registry.current(task.lead) if task else ""
    return f"./agency?agency={quote(agency)}&task={quote(task_id)}" + (f"&{extra}" if extra else "")


LINK = st.column_config.LinkColumn("Mã NV", display_text=r"task=([^&]+)")


def dot(level: str | None) -> str:
    return "●" if level else ""


st.subheader(f"Nhiệm vụ quá hạn nghiêm trọng ({format_count(numbers['serious'])})")
if found.serious.empty:
    st.caption("Không có nhiệm vụ nào quá hạn nghiêm trọng.")
else:
    frame = found.serious.head(200)
    st.dataframe(
        {
            "Mã NV": [link(i) for i in frame["task_id"]],
            "Cơ quan chủ trì": [registry.name(a) for a in frame["agency"]],
            "Hạn": [format_date(d) for d in frame["deadline"]],
            "Số ngày quá hạn": list(frame["days_late"]),
            "Cập nhật lần cuối": [
                format_datetime(d) or "chưa cập nhật" for d in frame["updated_at"]
            ],
            "Nội dung": [shorten(c, 120) for c in frame["content"]],
        },
        hide_index=True,
        column_config={"Mã NV": LINK},
    )

st.subheader(f"Đề xuất gia hạn, giao lại chờ quyết định ({format_count(numbers['requests'])})")
if found.requests.empty:
    st.caption("Không có đề xuất nào chờ quyết định.")
else:
    frame = found.requests
    st.dataframe(
        {
            "Mã NV": [link(i) for i in frame["task_id"]],
            "Đề xuất": [f"{i} · {k}" for i, k in zip(frame["request_id"], frame["kind"])],
            "Cơ quan": [registry.name(a) for a in frame["agency"]],
            "Nội dung đề xuất": [
                format_date(a) if hasattr(a, "year") else registry.name(str(a))
                for a in frame["asked"]
            ],
            "Lúc": [format_datetime(d) for d in frame["requested_at"]],
            "Lý do": [shorten(r, 120) for r in frame["reason"]],
        },
        hide_index=True,
        column_config={"Mã NV": LINK},
    )

st.subheader(
    f"Cơ quan chưa nộp báo cáo kỳ ({format_count(numbers['missing_agencies'])} cơ quan, "
    f"{format_count(numbers['missing_periods'])} kỳ)"
)
if found.missing.empty:
    st.caption("Mọi kỳ báo cáo đã đến hạn đều đã có báo cáo.")
else:
    frame = found.missing
    st.dataframe(
        {
            "Cơ quan": [registry.name(a) for a in frame["agency"]],
            "Số kỳ chưa nộp": list(frame["periods"]),
            "Số nhiệm vụ": list(frame["tasks"]),
            "Quá hạn lâu nhất (ngày)": list(frame["max_days_late"]),
            "Mức độ": list(frame["level"]),
            "Nhiệm vụ": [
                ", ".join(ids[:8]) + (" …" if len(ids) > 8 else "") for ids in frame["task_ids"]
            ],
        },
        hide_index=True,
    )
    detail = found.missing_periods.head(300)
    with st.expander(f"Chi tiết từng kỳ chưa nộp ({MISSING.lower()})"):
        st.dataframe(
            {
                "Mã NV": [link(i) for i in detail["task_id"]],
                "Cơ quan": [registry.name(a) for a in detail["agency"]],
                "Kỳ": list(detail["period_label"]),
                "Hạn nộp": [format_date(d) for d in detail["due"]],
                "Số ngày quá hạn": list(detail["days_late"]),
                "Mức độ": list(detail["level"]),
            },
            hide_index=True,
            column_config={"Mã NV": LINK},
        )

st.subheader(f"Nhiệm vụ bị trả lại nhiều lần ({format_count(numbers['returned'])})")
if found.returned.empty:
    st.caption("Không có nhiệm vụ nào bị trả lại từ 2 lần trở lên.")
else:
    frame = found.returned
    st.dataframe(
        {
            "Mã NV": [link(i) for i in frame["task_id"]],
            "Cơ quan chủ trì": [registry.name(a) for a in frame["agency"]],
            "Số lần trả lại": list(frame["returns"]),
            "Lý do gần nhất": [shorten(r, 160) for r in frame["reason"]],
            "Trạng thái": list(frame["status"]),
        },
        hide_index=True,
        column_config={"Mã NV": LINK},
    )
