"""AppTest: the Báo cáo page in demo mode, for the roles that may open it, and the files its
download buttons hand out (captured where Streamlit registers them, then opened)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager

from services.domain.model import ROLE_ADMIN, ROLE_AGENCY, ROLE_LEADER, today_local
from services.reports.excel import AGENCY_SHEET, SUMMARY_SHEET
from tests.test_pages import make_app

PAGE = "views/reports.py"
LABELS = ["Bảng Excel (.xlsx)", "Danh sách (.csv)", "Báo cáo (.docx)", "Công văn đôn đốc (.docx)"]


@pytest.fixture
def downloads(monkeypatch):
    """file name -> the callable a download button would run when clicked."""
    captured: dict = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        captured[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return captured


def open_page(tmp_path, role=ROLE_LEADER):
    at = make_app(tmp_path, role).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("role", [ROLE_LEADER, ROLE_ADMIN])
def test_page_renders_with_numbers_and_downloads(tmp_path, role, downloads):
    at = open_page(tmp_path, role)
    assert [t.value for t in at.title] == ["Báo cáo"]
    assert at.date_input(key="report_as_of").value == today_local()
    assert metric(at, "Tổng số nhiệm vụ") == "29" and metric(at, "Thường xuyên") == "29"
    assert metric(at, "Quá hạn") == "0" and metric(at, "Tỷ lệ hoàn thành") == "0%"
    table = at.dataframe[0].value
    assert table["assigned"].sum() == 29 and len(table) == 18  # merged agencies rolled up
    assert [b.label for b in at.download_button] == LABELS
    assert not any(b.disabled for b in at.download_button)
    stamp = f"{today_local():%d-%m-%Y}"
    assert {
        f"danh-sach-nhiem-vu-tat-ca-van-ban-{stamp}.xlsx",
        f"danh-sach-nhiem-vu-tat-ca-van-ban-{stamp}.csv",
        f"bao-cao-tat-ca-van-ban-{stamp}.docx",
        f"cong-van-don-doc-tat-ca-van-ban-{stamp}.docx",
    } <= set(downloads)  # (the Tổng quan page, opened first, may register its own)


def test_agency_users_cannot_open_the_page(tmp_path):
    at = make_app(tmp_path, ROLE_AGENCY, script=PAGE).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Bạn không có quyền xem trang này."]
    assert not at.download_button and not at.metric


def test_downloaded_files_hold_the_numbers_on_screen(tmp_path, downloads):
    at = open_page(tmp_path)
    at.date_input(key="report_as_of").set_value(date(2025, 3, 10)).run()
    assert not at.exception
    files = {
        name[: name.index("-tat-ca-van-ban")] + name[name.rindex(".") :]: make()
        for name, make in downloads.items()
        if "10-03-2025" in name
    }
    assert set(files) == {
        "danh-sach-nhiem-vu.xlsx",
        "danh-sach-nhiem-vu.csv",
        "bao-cao.docx",
        "cong-van-don-doc.docx",
    }

    wb = load_workbook(io.BytesIO(files["danh-sach-nhiem-vu.xlsx"]))
    summary = dict(list(wb[SUMMARY_SHEET].iter_rows(values_only=True))[1:])
    assert summary["Tổng số nhiệm vụ"] == int(metric(at, "Tổng số nhiệm vụ")) == 29
    agencies = list(wb[AGENCY_SHEET].iter_rows(values_only=True))[1:-1]
    table = at.dataframe[0].value
    assert [r[1] for r in agencies] == list(table["lead_name"])
    assert [r[3] for r in agencies] == list(table["assigned"])

    rows = list(csv.reader(io.StringIO(files["danh-sach-nhiem-vu.csv"].decode("utf-8-sig"))))
    assert len(rows) == 30 and rows[0][0] == "Mã NV"

    report = Document(io.BytesIO(files["bao-cao.docx"]))
    assert "(Tính đến ngày 10/03/2025)" in [p.text for p in report.paragraphs]
    total_row = [c.text for c in report.tables[2].rows[-1].cells]
    assert total_row[1:3] == ["Tổng cộng", "29"]
    letter = Document(io.BytesIO(files["cong-van-don-doc.docx"]))
    assert any(p.text == "Kính gửi:" for p in letter.paragraphs)


def test_a_letter_to_one_agency_on_request(tmp_path, downloads):
    at = open_page(tmp_path)
    choices = at.selectbox(key="reminder_to").options
    assert choices[0].startswith("Tất cả") and "Sở Nội vụ" in choices
    at.selectbox(key="reminder_to").set_value("SNV").run()
    assert not at.exception
    stamp = f"{today_local():%d-%m-%Y}"
    letter = Document(io.BytesIO(downloads[f"cong-van-don-doc-tat-ca-van-ban-snv-{stamp}.docx"]()))
    assert "Kính gửi: Sở Nội vụ." in [p.text for p in letter.paragraphs]


def test_scope_narrows_the_numbers(tmp_path, downloads):
    at = open_page(tmp_path)
    at.selectbox(key="report_agency").set_value("SKHCN").run()
    assert not at.exception
    assert metric(at, "Tổng số nhiệm vụ") == "5"  # its own task and the 4 of Sở TT&TT
    at.toggle(key="report_original").set_value(True).run()
    assert not at.exception
    # as the directive recorded them: Sở KH&CN leads one task, Sở TT&TT is listed on its own
    assert "Sở Thông tin và Truyền thông" in at.selectbox(key="report_agency").options
    at.selectbox(key="report_agency").set_value("SKHCN").run()
    assert metric(at, "Tổng số nhiệm vụ") == "1"
    at.selectbox(key="report_agency").set_value("").run()
    at.selectbox(key="report_group").set_value("Báo chí").run()
    assert metric(at, "Tổng số nhiệm vụ") == "2"
    assert list(at.dataframe[0].value["lead_name"]) == [
        "Báo Hưng Yên",
        "Đài Phát thanh và Truyền hình Hưng Yên",
    ]


def test_a_choice_no_longer_offered_falls_back_to_all(tmp_path):
    at = open_page(tmp_path)
    at.selectbox(key="report_agency").set_value("SKHCN").run()
    at.selectbox(key="report_group").set_value("Báo chí").run()  # Sở KH&CN is not in it
    assert not at.exception
    assert at.selectbox(key="report_agency").value == ""
    assert metric(at, "Tổng số nhiệm vụ") == "2"
