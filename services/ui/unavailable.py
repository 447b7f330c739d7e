"""When the store cannot be read (the sheet is not shared, its worksheets are missing before
`init-sheet`, the network is down): a full page that says what is wrong and the exact next step,
under the normal menu, the same on a phone. The advice is plain Python (`advice`); `page` draws it."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from services.domain.errors import StoreError
from services.ui import session
from services.ui.widgets import md

INIT_SHEET = "python -m services.cli --secrets .streamlit/secrets.toml init-sheet"


@dataclass(frozen=True)
class Advice:
    title: str
    steps: tuple[str, ...]  # markdown, with no data in it except the service account's email
    command: str = ""


def advice(message: str, account_email: str = "") -> Advice:
    """What to do about a store error, from its Vietnamese message (services.stores.sheets)."""
    text = message.lower()
    retry = "Bấm **Thử lại** bên dưới."
    if "chia sẻ" in text:
        who = f"`{md(account_email)}`" if account_email else "email của tài khoản dịch vụ"
        return Advice(
            "Ứng dụng chưa được phép đọc Google Sheet",
            (
                "Mở Google Sheet, bấm **Chia sẻ**.",
                f"Thêm {who} với quyền **Người chỉnh sửa**, bỏ chọn «Thông báo», bấm **Gửi**.",
                retry,
            ),
        )
    if "thiếu trang tính" in text or "thiếu cột" in text or "trống: thiếu dòng tiêu đề" in text:
        return Advice(
            "Google Sheet chưa có đủ trang tính và tiêu đề",
            (
                "Trên máy có tệp secrets, chạy lệnh dưới đây: nó tạo các trang tính và dòng tiêu "
                "đề còn thiếu (không xoá dữ liệu có sẵn).",
                retry,
            ),
            INIT_SHEET,
        )
    if "không tìm thấy google sheet" in text or "khoá tài khoản" in text or "từ chối khoá" in text:
        return Advice(
            "Cấu hình Google Sheet chưa đúng",
            (
                "Sửa mục `[gsheets]` trong secrets (trên Streamlit Cloud: **Settings → Secrets**) "
                "theo hướng dẫn trong README, phần Google Sheet.",
                retry,
            ),
        )
    return Advice(
        "Chưa kết nối được kho dữ liệu",
        (
            "Kiểm tra kết nối mạng của máy chủ (hoặc Google Sheets đang bận).",
            "Chờ một phút rồi bấm **Thử lại**.",
        ),
    )


def problem() -> StoreError | None:
    """The error that keeps the store from being read now, or None."""
    try:
        session.load()
    except StoreError as e:
        return e
    return None


def page(error: StoreError) -> None:
    s = session.settings()
    found = advice(str(error), s.service_account.get("client_email", ""))
    st.title(found.title)
    st.error(md(str(error)), icon=":material/cloud_off:")
    st.subheader("Cách khắc phục")
    st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(found.steps, start=1)))
    if found.command:
        st.code(found.command, language="bash")
    if st.button("Thử lại", type="primary", icon=":material/refresh:"):
        session.refresh()
        st.rerun()
