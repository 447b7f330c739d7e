"""Quản trị: users and roles, the history of every change, and data checks."""
import pandas as pd
import streamlit as st

from services import ui
from services.admin import validate_user
from services.checks import run_checks
from services.dates import format_datetime
from services.domain import ROLE_AGENCY, ROLE_LABELS, ROLES, fold
from services.exports import neutralise
from services.store import StoreError
from services.updates import ValidationError

user = ui.require_role("admin")

snapshot = ui.snapshot()
registry = ui.registry()
st.title("Quản trị")
users_tab, history_tab, checks_tab = st.tabs(["Người dùng", "Lịch sử cập nhật", "Kiểm tra dữ liệu"])

with users_tab:
    if snapshot.users:
        st.dataframe(pd.DataFrame([{"Email": u.email, "Họ tên": u.name,
                                    "Cơ quan": registry.name(u.agency) if u.agency else "",
                                    "Vai trò": ROLE_LABELS.get(u.role, u.role)}
                                   for u in snapshot.users]), hide_index=True)
    else:
        st.info("Chưa có người dùng nào. Thêm người dùng để họ đăng nhập được.")
    st.subheader("Thêm hoặc sửa người dùng")
    st.caption("Nhập email đã có để sửa thông tin người đó.")
    agencies = [""] + [a.code for a in snapshot.agencies if a.active]
    with st.form("user_form", clear_on_submit=False):
        left, right = st.columns(2)
        email = left.text_input("Email")
        name = right.text_input("Họ tên")
        role = left.selectbox("Vai trò", ROLES, index=ROLES.index(ROLE_AGENCY),
                              format_func=ROLE_LABELS.get)
        agency = right.selectbox("Cơ quan", agencies,
                                 format_func=lambda c: registry.name(c) if c else "(không)")
        submitted = st.form_submit_button("Lưu người dùng", type="primary")
    if submitted:
        try:
            ui.store().save_user(validate_user(email, name, agency, role, registry))
        except ValidationError as e:
            for message in e.errors.values():
                st.error(message)
        except StoreError as e:
            st.error(str(e))
        else:
            ui.refresh()
            st.success(f"Đã lưu người dùng {email.strip().lower()}.")

with history_tab:
    history = pd.DataFrame([{"Thời gian": c.at, "Mã NV": c.task_id, "Trường": c.field,
                             "Giá trị cũ": c.old, "Giá trị mới": c.new, "Người thực hiện": c.actor,
                             "Cơ quan": registry.name(c.actor_agency) if c.actor_agency else ""}
                            for c in snapshot.history])
    if history.empty:
        st.info("Chưa có thay đổi nào được ghi lại.")
    else:
        left, middle, right = st.columns(3)
        task_query = fold(left.text_input("Mã NV"))
        actor_query = fold(middle.text_input("Người thực hiện"))
        fields = right.multiselect("Trường", sorted(history["Trường"].unique()),
                                   placeholder="Tất cả")
        shown = history
        if task_query:
            shown = shown[shown["Mã NV"].map(fold).str.contains(task_query, regex=False)]
        if actor_query:
            shown = shown[shown["Người thực hiện"].map(fold).str.contains(actor_query, regex=False)]
        if fields:
            shown = shown[shown["Trường"].isin(fields)]
        shown = shown.iloc[::-1].assign(**{"Thời gian": lambda f: f["Thời gian"].map(format_datetime)})
        st.caption(f"{len(shown)} / {len(history)} thay đổi")
        st.dataframe(shown, hide_index=True)
        st.download_button("Tải CSV", shown.map(neutralise).to_csv(index=False).encode("utf-8-sig"),
                           file_name="lich-su-cap-nhat.csv", mime="text/csv")

with checks_tab:
    st.write("Rà soát dữ liệu: ngày sai, trạng thái hoặc tiến độ không hợp lệ, Mã NV trùng hoặc "
             "thiếu, cơ quan không có trong danh mục, công thức trong ô.")
    if st.button("Kiểm tra dữ liệu", type="primary"):
        try:
            findings = run_checks(ui.store())
        except StoreError as e:
            st.error(str(e))
        else:
            errors = [f for f in findings if f.level == "error"]
            if not findings:
                st.success("Không phát hiện vấn đề nào.")
            else:
                st.warning(f"{len(errors)} lỗi, {len(findings) - len(errors)} cảnh báo.")
                st.dataframe(pd.DataFrame([{"Mức": "Lỗi" if f.level == "error" else "Cảnh báo",
                                            "Trang": f.sheet, "Dòng": f.row or "",
                                            "Vấn đề": f.message} for f in findings]),
                             hide_index=True)
