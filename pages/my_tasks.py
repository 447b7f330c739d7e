"""Nhiệm vụ của tôi: the tasks the signed-in agency leads, and those it supports."""
import streamlit as st

from services import ui
from services.agencies import AgencyIndex

user = ui.require_role("my_tasks")

snapshot = ui.snapshot()
agency_name = snapshot.agency_name(user.agency)
st.title(f"Nhiệm vụ của {agency_name}")
tasks = ui.task_table()
registry = AgencyIndex(snapshot.agencies)
# an agency also carries the tasks of the agencies merged into it (e.g. Sở TT&TT -> Sở KH&CN)
own = tasks[tasks["lead"].map(registry.current) == user.agency]
partner = tasks[tasks["partners"].str.contains(agency_name, regex=False)]

columns = {"id": "Mã NV", "directive_number": "Văn bản", "section": "Mục",
           "content": st.column_config.TextColumn("Nội dung nhiệm vụ", width="large"),
           "deadline": "Hạn hoàn thành", "status": "Trạng thái", "progress": "Tiến độ (%)",
           "category": "Phân loại"}
st.subheader(f"Chủ trì ({len(own)})")
if own.empty:
    st.info("Cơ quan chưa được giao chủ trì nhiệm vụ nào.")
else:
    st.dataframe(ui.show_dates(own)[[*columns, "lead_name"]], hide_index=True,
                 column_config={**columns, "lead_name": "Giao cho"})
st.subheader(f"Phối hợp ({len(partner)})")
if partner.empty:
    st.caption("Không có nhiệm vụ phối hợp.")
else:
    st.dataframe(ui.show_dates(partner)[[*columns, "lead_name"]], hide_index=True,
                 column_config={**columns, "lead_name": "Cơ quan chủ trì"})
