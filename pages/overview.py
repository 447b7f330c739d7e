"""Tổng quan: KPI numbers and the task table, for everyone who may see data."""
import streamlit as st

from services import ui
from services.domain import CATEGORIES

user = ui.require_role("overview")

st.title("Tổng quan tình hình thực hiện nhiệm vụ")
tasks = ui.task_table()
if tasks.empty:
    st.info("Chưa có nhiệm vụ nào. Văn phòng UBND tỉnh nhập văn bản để bắt đầu theo dõi.")
    st.stop()

counts = tasks["category"].value_counts()
total_col, *category_cols, soon_col = st.columns(len(CATEGORIES) + 2)
total_col.metric("Tổng số nhiệm vụ", len(tasks))
for col, name in zip(category_cols, CATEGORIES):
    col.metric(name, int(counts.get(name, 0)))
soon_col.metric("Sắp đến hạn", int(tasks["due_soon"].sum()))

st.subheader("Danh sách nhiệm vụ")
st.dataframe(
    ui.show_dates(tasks)[["id", "directive_number", "section", "content", "lead_name", "deadline",
                          "status", "progress", "category"]],
    hide_index=True, width="stretch",
    column_config={
        "id": "Mã NV", "directive_number": "Văn bản", "section": "Mục",
        "content": st.column_config.TextColumn("Nội dung nhiệm vụ", width="large"),
        "lead_name": "Cơ quan chủ trì", "deadline": "Hạn hoàn thành", "status": "Trạng thái",
        "progress": st.column_config.ProgressColumn("Tiến độ", format="%d%%", min_value=0,
                                                    max_value=100),
        "category": "Phân loại",
    },
)
