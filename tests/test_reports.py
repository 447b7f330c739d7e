"""Report files (services/reports*.py): every file is opened with openpyxl / python-docx / csv and
its numbers are compared with services.metrics for the same as-of date -- on a hand-built
snapshot with every category, and on the seed directive (where everything is Thường xuyên)."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from services.dashboard.metrics import AGENCY_COLUMNS, agency_metrics, kpis, tasks_frame
from services.domain.agencies import AgencyIndex
from services.domain.model import (
    AWAITING,
    CATEGORIES,
    DONE,
    DONE_LATE,
    DONE_ON_TIME,
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
    Agency,
    Directive,
    Snapshot,
    Task,
)
from services.reports import data as reports
from services.reports.excel import (
    AGENCY_SHEET,
    SUMMARY_SHEET,
    TASK_SHEET,
    _sheet_name,
    workbook_bytes,
)
from services.reports.export import TRIGGERS
from services.reports.word import NothingToRemind, reminder_docx, report_docx
from services.stores.seed import seed_records

TZ = "Asia/Ho_Chi_Minh"
ZONE = ZoneInfo(TZ)
AS_OF = date(2025, 3, 10)
SBN = "Sở, ban, ngành"


def at(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time().replace(hour=9), ZONE)


def mixed_snapshot() -> Snapshot:
    """Every category as of 10/03/2025, two directives, a merged agency (Sở TT&TT -> Sở KH&CN),
    and text that looks like formulas."""
    agencies = (
        Agency("SNV", "Sở Nội vụ", group=SBN),
        Agency("CAT", "Công an tỉnh", group="Lực lượng vũ trang"),
        Agency("STTTT", "Sở Thông tin và Truyền thông", ("Sở TT&TT",), SBN, "SKHCN", False),
        Agency("SKHCN", "Sở Khoa học và Công nghệ", group=SBN),
    )
    directives = (
        Directive(
            "VB-0001",
            "12/KH-UBND",
            "2025-01-15",
            "UBND tỉnh Hưng Yên",
            "Kế hoạch triển khai chuyển đổi số năm 2025",
        ),
        Directive(
            "VB-0002",
            "/UBND-KGVX",
            "2025-02",
            "UBND tỉnh Hưng Yên",
            "V/v tuyên truyền đại hội Đảng bộ các cấp",
        ),
    )
    d = date.fromisoformat
    tasks = (
        Task(
            "NV-0001",
            "VB-0001",
            "1",
            "Rà soát thủ tục hành chính",
            "SNV",
            deadline=d("2025-02-28"),
            status=DONE,
            progress=100,
            completed_on=d("2025-02-20"),
            updated_at=at("2025-02-20"),
        ),
        Task(
            "NV-0002",
            "VB-0001",
            "1",
            "Báo cáo sơ kết quý I",
            "SNV",
            deadline=d("2025-02-28"),
            status=DONE,
            progress=100,
            completed_on=d("2025-03-05"),
            updated_at=at("2025-03-05"),
        ),
        Task(
            "NV-0003",
            "VB-0001",
            "2",
            "Xây dựng đề án vị trí việc làm",
            "SNV",
            ("CAT",),
            deadline=d("2025-03-01"),
            status=IN_PROGRESS,
            progress=50,
            result="@SUM(A1) đã trình",
            evidence="-5/BC-SNV",
            updated_at=at("2025-03-08"),
        ),
        Task(
            "NV-0004",
            "VB-0002",
            "1",
            "=1+1 Tổ chức hội nghị quán triệt",
            "SNV",
            deadline=d("2025-03-31"),
        ),
        Task(
            "NV-0005",
            "VB-0001",
            "3",
            "+Bảo đảm an ninh mạng",
            "CAT",
            deadline=d("2025-03-14"),
            status=IN_PROGRESS,
            progress=30,
            updated_at=at("2025-03-01"),
        ),
        Task(
            "NV-0006",
            "VB-0002",
            "2",
            "Tuyên truyền trên cổng thông tin",
            "CAT",
            updated_at=at("2025-03-01"),
        ),
        Task(
            "NV-0007",
            "VB-0002",
            "3",
            "Chỉ đạo các trang thông tin điện tử",
            "STTTT",
            deadline=d("2025-01-31"),
            status=IN_PROGRESS,
            progress=20,
            updated_at=at("2025-01-05"),
        ),
        Task(
            "NV-0008",
            "VB-0002",
            "4",
            "\tHướng dẫn nghiệp vụ báo chí",
            "SKHCN",
            updated_at=at("2025-01-20"),
        ),
        Task(
            "NV-0009",
            "VB-0001",
            "4",
            "Tổng kết phong trào thi đua",
            "SKHCN",
            status=DONE,
            progress=100,
            completed_on=d("2025-02-01"),
            updated_at=at("2025-02-01"),
        ),
    )
    return Snapshot(directives, agencies, tasks)


def seed_snapshot() -> Snapshot:
    d, a, t, u = seed_records(TZ)
    return Snapshot(d, a, t, u)


def rolled_frame(snapshot: Snapshot, as_of: date = AS_OF) -> pd.DataFrame:
    """tasks_frame with merged agencies under their successor, as the dashboard shows them."""
    frame = tasks_frame(snapshot, as_of)
    index = AgencyIndex(snapshot.agencies)
    current = frame["lead"].map(index.current)
    return frame.assign(
        lead=current,
        lead_name=current.map(index.name),
        lead_group=current.map(lambda c: index.agencies[c].group if c in index.agencies else ""),
    )


def metrics_records(metrics: pd.DataFrame) -> list[dict]:
    """agency_metrics rows, comparable: NaN/NaT as None, dates as local days."""
    out = []
    for row in metrics[AGENCY_COLUMNS].to_dict("records"):
        for key in ("completion_rate", "on_time_rate", "update_rate"):
            row[key] = None if row[key] is None or pd.isna(row[key]) else float(row[key])
        last = row["last_update"]
        row["last_update"] = None if pd.isna(last) else pd.Timestamp(last).tz_convert(TZ).date()
        out.append(row)
    return out


def sheet_rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def cell_texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def doc_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def count(text: str) -> int:
    return int(text.replace(".", ""))


def closing_table(doc):
    """The borderless "Nơi nhận: | signature" table."""
    return next(t for t in doc.tables if t.rows[0].cells[0].paragraphs[0].text == "Nơi nhận:")


def body_and_appendix(doc) -> tuple[str, str]:
    """The document's text before and after its page break (the Phụ lục), tables included."""
    body, appendix, after = [], [], False
    for block in doc.element.body.iterchildren():
        text = "".join(t.text or "" for t in block.iter(qn("w:t")))
        (appendix if after else body).append(text)
        if any(b.get(qn("w:type")) == "page" for b in block.iter(qn("w:br"))):
            after = True
    return "\n".join(body), "\n".join(appendix)


# --- the numbers -------------------------------------------------------------------------------


def test_numbers_are_the_metrics_of_the_same_date():
    snapshot = mixed_snapshot()
    data = reports.prepare(snapshot, reports.Scope(AS_OF), tz=TZ)
    frame = rolled_frame(snapshot)
    assert data.totals == kpis(frame)
    assert metrics_records(data.agencies) == metrics_records(agency_metrics(frame, AS_OF, TZ))
    # and what those numbers are, by hand
    assert data.totals == {
        "total": 9,
        DONE_ON_TIME: 2,
        DONE_LATE: 1,
        AWAITING: 0,
        OPEN_ON_TIME: 2,
        OVERDUE: 2,
        ONGOING: 2,
        "due_soon": 1,
        "completion_rate": 3 / 9,
        "on_time_rate": 2 / 3,
    }
    rows = {r["lead"]: r for r in data.agencies.to_dict("records")}
    assert list(data.agencies["lead"]) == ["SKHCN", "SNV", "CAT"]  # agency_metrics' order
    assert {
        k: rows["SKHCN"][k]
        for k in (
            "assigned",
            "done_on_time",
            "done_late",
            "open_on_time",
            "overdue",
            "ongoing",
            "open",
            "update_rate",
        )
    } == {
        "assigned": 3,
        "done_on_time": 1,
        "done_late": 0,
        "open_on_time": 0,
        "overdue": 1,
        "ongoing": 1,
        "open": 2,
        "update_rate": 0.0,
    }
    # tasks completed within the 30 days count as reported (metrics.update_window)
    assert (rows["SNV"]["done_late"], rows["SNV"]["update_rate"]) == (1, 0.75)
    for row in rows.values():  # the category split adds up to the total
        assert row["assigned"] == (
            row["done_on_time"]
            + row["done_late"]
            + row["open_on_time"]
            + row["overdue"]
            + row["ongoing"]
        )


def test_original_agencies_and_narrower_scopes():
    snapshot = mixed_snapshot()
    original = reports.prepare(snapshot, reports.Scope(AS_OF, original=True), tz=TZ)
    frame = tasks_frame(snapshot, AS_OF)
    assert metrics_records(original.agencies) == metrics_records(agency_metrics(frame, AS_OF, TZ))
    assert "STTTT" in set(original.agencies["lead"])

    one = reports.prepare(snapshot, reports.Scope(AS_OF, directive_id="VB-0002"), tz=TZ)
    assert set(one.tasks["id"]) == {"NV-0004", "NV-0006", "NV-0007", "NV-0008"}
    assert one.totals == kpis(rolled_frame(snapshot)[lambda f: f["directive_id"] == "VB-0002"])
    assert [d.id for d in one.directives] == ["VB-0002"]

    group = reports.prepare(snapshot, reports.Scope(AS_OF, group="sở, BAN, ngành"), tz=TZ)
    assert set(group.agencies["lead"]) == {"SNV", "SKHCN"}
    agency = reports.prepare(snapshot, reports.Scope(AS_OF, agency="SKHCN"), tz=TZ)
    assert agency.totals["total"] == 3 and agency.agency_name == "Sở Khoa học và Công nghệ"
    # the merged agency's task says whom the directive named
    assert (
        dict(zip(agency.tasks["id"], agency.tasks["assigned_name"]))["NV-0007"]
        == "Sở Thông tin và Truyền thông"
    )


def test_a_later_date_moves_tasks_between_categories():
    snapshot = mixed_snapshot()
    later = date(2025, 4, 1)
    data = reports.prepare(snapshot, reports.Scope(later), tz=TZ)
    assert data.totals == kpis(rolled_frame(snapshot, later))
    assert data.totals[OVERDUE] == 4  # NV-0004 (31/03) and NV-0005 (14/03) are late now


def test_issuer_from_the_directives_or_the_parameter():
    snapshot = mixed_snapshot()
    assert reports.prepare(snapshot, reports.Scope(AS_OF)).issuer == "UBND tỉnh Hưng Yên"
    assert (
        reports.prepare(snapshot, reports.Scope(AS_OF), issuer="UBND tỉnh Thái Bình").issuer
        == "UBND tỉnh Thái Bình"
    )
    mixed = Snapshot(
        snapshot.directives + (Directive("VB-9", "1/CĐ-TTg", "2025-01-01", "Thủ tướng Chính phủ"),),
        snapshot.agencies,
        snapshot.tasks,
    )
    assert reports.prepare(mixed, reports.Scope(AS_OF)).issuer == reports.DEFAULT_ISSUER


def test_words_and_dates_as_the_decree_writes_them():
    line = reports.date_line
    assert line("Hưng Yên", date(2026, 11, 25)) == "Hưng Yên, ngày 25 tháng 11 năm 2026"
    assert line("Hưng Yên", date(2026, 2, 5)) == "Hưng Yên, ngày 05 tháng 02 năm 2026"
    assert line("Hưng Yên", date(2026, 3, 9)) == "Hưng Yên, ngày 09 tháng 3 năm 2026"
    parts = reports.issuer_parts("UBND tỉnh Hưng Yên")
    assert parts.lines == ("ỦY BAN NHÂN DÂN", "TỈNH HƯNG YÊN")
    assert (parts.place, parts.short, parts.collective) == (
        "Hưng Yên",
        "Ủy ban nhân dân tỉnh",
        "ỦY BAN NHÂN DÂN",
    )
    assert reports.issuer_parts("Ủy ban nhân dân thành phố Hà Nội").place == "Hà Nội"
    assert reports.format_rate(0.625) == "62,5%" and reports.format_rate(1) == "100%"
    assert reports.format_rate(None) == "-" and reports.format_count(10000) == "10.000"


def test_file_names_say_scope_and_date_without_diacritics():
    day = date(2026, 11, 25)
    everything = reports.prepare(mixed_snapshot(), reports.Scope(day), tz=TZ)
    assert reports.file_name("report", everything) == "bao-cao-tat-ca-van-ban-25-11-2026.docx"
    assert (
        reports.file_name("xlsx", everything) == "danh-sach-nhiem-vu-tat-ca-van-ban-25-11-2026.xlsx"
    )
    assert (
        reports.file_name("reminder", everything, "SNV")
        == "cong-van-don-doc-tat-ca-van-ban-snv-25-11-2026.docx"
    )
    one = reports.prepare(mixed_snapshot(), reports.Scope(day, "VB-0001", agency="SNV"), tz=TZ)
    assert reports.file_name("report", one) == "bao-cao-12-kh-ubnd-snv-25-11-2026.docx"
    assert reports.file_name("csv", one) == "danh-sach-nhiem-vu-12-kh-ubnd-snv-25-11-2026.csv"
    group = reports.prepare(mixed_snapshot(), reports.Scope(day, group=SBN), tz=TZ)
    assert (
        reports.file_name("report", group) == "bao-cao-tat-ca-van-ban-so-ban-nganh-25-11-2026.docx"
    )
    for kind in reports.FILE_STEMS:
        assert reports.file_name(kind, one).isascii()


# --- Excel -------------------------------------------------------------------------------------


def test_workbook_sheets_numbers_and_format():
    snapshot = mixed_snapshot()
    data = reports.prepare(snapshot, reports.Scope(AS_OF), tz=TZ)
    wb = load_workbook(io.BytesIO(workbook_bytes(data)))
    assert wb.sheetnames == [
        SUMMARY_SHEET,
        AGENCY_SHEET,
        TASK_SHEET,
        "12-KH-UBND",
        "VB-0002 UBND-KGVX",
    ]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref.startswith("A1:")
        assert all(cell.font.b for cell in ws[1])
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])

    summary = dict(sheet_rows(wb[SUMMARY_SHEET])[1:])
    assert summary["Tính đến ngày"] == datetime(2025, 3, 10)
    assert wb[SUMMARY_SHEET]["B4"].number_format == "DD/MM/YYYY"
    assert summary["Tổng số nhiệm vụ"] == data.totals["total"] == 9
    for name in CATEGORIES:
        assert summary[name] == data.totals[name]
    assert summary["Tỷ lệ hoàn thành"] == pytest.approx(3 / 9)

    agency_ws = wb[AGENCY_SHEET]
    rows = sheet_rows(agency_ws)
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert agency_ws.auto_filter.ref == f"A1:N{len(body) + 1}"  # the total stays out of the filter
    expected = metrics_records(agency_metrics(rolled_frame(snapshot), AS_OF, TZ))
    got = [dict(zip(header, r)) for r in body]
    assert [r["Mã cơ quan"] for r in got] == [e["lead"] for e in expected]
    for g, e in zip(got, expected):
        assert (
            g["Tổng số nhiệm vụ"],
            g["Đã hoàn thành"],
            g["Hoàn thành đúng hạn"],
            g["Quá hạn"],
        ) == (e["assigned"], e["done"], e["done_on_time"], e["overdue"])
        assert g["Tỷ lệ hoàn thành"] == pytest.approx(e["completion_rate"])
        assert (g["Tỷ lệ hoàn thành đúng hạn"] is None) == (e["on_time_rate"] is None)
        assert g["Tỷ lệ nhiệm vụ được cập nhật trong 30 ngày"] == pytest.approx(e["update_rate"])
        assert g["Cập nhật gần nhất"].date() == e["last_update"]
    assert agency_ws["K2"].number_format == "0.0%"
    assert total[1] == "Tổng cộng" and total[3] == 9 and total[8] == 2  # assigned, overdue

    tasks = [dict(zip(sheet_rows(wb[TASK_SHEET])[0], r)) for r in sheet_rows(wb[TASK_SHEET])[1:]]
    frame = tasks_frame(snapshot, AS_OF).set_index("id")
    assert [t["Mã NV"] for t in tasks] == list(frame.index)
    for t in tasks:
        assert t["Phân loại"] == frame.loc[t["Mã NV"], "category"]
        deadline = frame.loc[t["Mã NV"], "deadline"]
        assert t["Hạn hoàn thành"] == (
            datetime.combine(deadline, datetime.min.time()) if deadline else None
        )
    by_id = {t["Mã NV"]: t for t in tasks}
    assert by_id["NV-0003"]["Số ngày quá hạn"] == 9 and by_id["NV-0001"]["Số ngày quá hạn"] is None
    assert by_id["NV-0007"]["Cơ quan chủ trì"] == "Sở Khoa học và Công nghệ"
    assert (
        by_id["NV-0007"]["Cơ quan được giao theo văn bản (nếu đã sáp nhập)"]
        == "Sở Thông tin và Truyền thông"
    )
    assert by_id["NV-0005"]["Sắp đến hạn"] == "Có"
    assert by_id["NV-0001"]["Cập nhật lúc"] == datetime(2025, 2, 20, 9, 0)
    header_cells = {c.value: c.column_letter for c in wb[TASK_SHEET][1]}
    assert wb[TASK_SHEET][f"{header_cells['Hạn hoàn thành']}2"].number_format == "DD/MM/YYYY"
    assert wb[TASK_SHEET][f"{header_cells['Cập nhật lúc']}2"].number_format == "DD/MM/YYYY HH:MM"

    # formula-looking text shows as typed (no apostrophe: that guard is for CSV only), and
    # every such cell is a string cell, never a formula
    assert by_id["NV-0004"]["Nội dung nhiệm vụ"] == "=1+1 Tổ chức hội nghị quán triệt"
    assert by_id["NV-0005"]["Nội dung nhiệm vụ"] == "+Bảo đảm an ninh mạng"
    assert by_id["NV-0008"]["Nội dung nhiệm vụ"] == "\tHướng dẫn nghiệp vụ báo chí"
    assert by_id["NV-0003"]["Kết quả thực hiện"] == "@SUM(A1) đã trình"
    assert by_id["NV-0003"]["Minh chứng"] == "-5/BC-SNV"
    typed = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert typed and all(c.data_type == "s" for c in typed)
    assert by_id["NV-0001"]["Nội dung nhiệm vụ"] == "Rà soát thủ tục hành chính"
    assert not any(
        c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row
    )

    # one sheet per directive, with its own tasks
    assert [r[0] for r in sheet_rows(wb["12-KH-UBND"])[1:]] == [
        "NV-0001",
        "NV-0002",
        "NV-0003",
        "NV-0005",
        "NV-0009",
    ]


def test_one_directive_has_no_per_directive_sheets():
    data = reports.prepare(mixed_snapshot(), reports.Scope(AS_OF, directive_id="VB-0001"), tz=TZ)
    wb = load_workbook(io.BytesIO(workbook_bytes(data)))
    assert wb.sheetnames == [SUMMARY_SHEET, AGENCY_SHEET, TASK_SHEET]
    assert dict(sheet_rows(wb[SUMMARY_SHEET])[1:])["Phạm vi"] == "12/KH-UBND"


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    names = [_sheet_name(n, taken) for n in ("375-KH/TU", "375-KH\\TU", "[x]*?:", "a" * 40, "")]
    assert names[0] == "375-KH-TU" and names[1] == "375-KH-TU (2)"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert len({n.casefold() for n in names}) == len(names)


def test_seed_workbook():
    snapshot = seed_snapshot()
    data = reports.prepare(snapshot, reports.Scope(AS_OF), tz=TZ)
    wb = load_workbook(io.BytesIO(workbook_bytes(data)))
    assert wb.sheetnames == [SUMMARY_SHEET, AGENCY_SHEET, TASK_SHEET]  # one directive
    summary = dict(sheet_rows(wb[SUMMARY_SHEET])[1:])
    assert summary["Tổng số nhiệm vụ"] == 29 and summary[ONGOING] == 29 and summary[OVERDUE] == 0
    rows = sheet_rows(wb[AGENCY_SHEET])
    got = {r[0]: r for r in rows[1:-1]}
    expected = metrics_records(agency_metrics(rolled_frame(snapshot), AS_OF, TZ))
    assert list(got) == [e["lead"] for e in expected]
    assert got["SKHCN"][3] == 5 and got["SKHCN"][9] == 5  # with the 4 tasks of Sở TT&TT
    tasks = sheet_rows(wb[TASK_SHEET])
    assert len(tasks) == 30
    seed_text = snapshot.task("NV-0001").content
    assert tasks[1][3] == seed_text and unicodedata.is_normalized("NFC", tasks[1][3])


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_is_excel_friendly_and_neutralised():
    snapshot = mixed_snapshot()
    data = reports.prepare(snapshot, reports.Scope(AS_OF), tz=TZ)
    raw = reports.csv_bytes(data)
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["Mã NV"] for r in rows] == [t.id for t in snapshot.tasks]
    by_id = {r["Mã NV"]: r for r in rows}
    assert by_id["NV-0004"]["Nội dung nhiệm vụ"] == "'=1+1 Tổ chức hội nghị quán triệt"
    assert by_id["NV-0003"]["Minh chứng"] == "'-5/BC-SNV"
    assert by_id["NV-0003"]["Hạn hoàn thành"] == "01/03/2025"
    assert by_id["NV-0003"]["Số ngày quá hạn"] == "9" and by_id["NV-0001"]["Số ngày quá hạn"] == ""
    assert by_id["NV-0001"]["Cập nhật lúc"] == "20/02/2025 09:00"
    assert by_id["NV-0002"]["Phân loại"] == DONE_LATE
    categories = pd.Series([r["Phân loại"] for r in rows]).value_counts()
    assert {c: int(categories.get(c, 0)) for c in CATEGORIES} == {
        c: data.totals[c] for c in CATEGORIES
    }


# --- no exported cell starts a formula (hypothesis) ---------------------------------------------

TRIGGER_TEXT = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="=+-@\t\r\n\x00\x01\x0b 'aĐ", max_size=6),
    st.tuples(st.sampled_from(TRIGGERS), st.text(max_size=8)).map("".join),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=TRIGGER_TEXT,
    result=TRIGGER_TEXT,
    evidence=TRIGGER_TEXT,
    name=TRIGGER_TEXT,
    number=TRIGGER_TEXT,
    section=TRIGGER_TEXT,
    updated_by=TRIGGER_TEXT,
)
def test_no_exported_cell_starts_with_a_trigger(
    content, result, evidence, name, number, section, updated_by
):
    agencies = (Agency("X", name, group=name), Agency("Y", "Sở Y tế"))
    directives = (Directive("VB-1", number, "2025-01-15", name), Directive("VB-2", "2/KH"))
    tasks = (
        Task(
            "NV-1",
            "VB-1",
            section,
            content,
            "X",
            ("Y",),
            date(2025, 3, 1),
            IN_PROGRESS,
            10,
            result,
            evidence,
            None,
            at("2025-03-01"),
            updated_by,
        ),
        Task("NV-2", "VB-2", section, result, "Y", ("X",), None, NOT_STARTED, 0, content, name),
    )
    data = reports.prepare(Snapshot(directives, agencies, tasks), reports.Scope(AS_OF), tz=TZ)

    raw = workbook_bytes(data)
    with zipfile.ZipFile(io.BytesIO(raw)) as z:  # no formula anywhere in the file itself
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
    wb = load_workbook(io.BytesIO(raw))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
    text = reports.csv_bytes(data).decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text, newline="")):
        for value in row:
            assert not value.startswith(TRIGGERS), value


# --- Word: the report --------------------------------------------------------------------------


def test_report_layout_follows_the_decree():
    data = reports.prepare(mixed_snapshot(), reports.Scope(AS_OF), tz=TZ)
    doc = Document(io.BytesIO(report_docx(data, day=date(2025, 3, 11))))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt in (13, 14)
    fonts = (
        doc.styles.element.find(qn("w:docDefaults"))
        .find(qn("w:rPrDefault"))
        .find(qn("w:rPr"))
        .find(qn("w:rFonts"))
    )
    assert fonts.get(qn("w:ascii")) == "Times New Roman" and fonts.get(qn("w:asciiTheme")) is None
    runs = [r for p in doc.paragraphs for r in p.runs] + [
        r
        for t in doc.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    ]
    assert all(r.font.name in (None, "Times New Roman") for r in runs)

    header = doc.tables[0]
    assert header.style.name == "Normal Table"  # no borders
    assert header._tbl.tblPr.find(qn("w:tblBorders")) is None
    left, right = header.rows[0].cells
    left_lines = [p for p in left.paragraphs if p.text]
    assert [p.text for p in left_lines[:2]] == ["ỦY BAN NHÂN DÂN", "TỈNH HƯNG YÊN"]
    assert all(r.bold for p in left_lines[:2] for r in p.runs)
    assert left_lines[2].text.startswith("Số:") and left_lines[2].text.endswith("/BC-UBND")
    rules = [
        p
        for p in left.paragraphs + right.paragraphs
        if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
    ]
    assert len(rules) == 2  # under the issuing body and under the motto
    right_lines = [p for p in right.paragraphs if p.text]
    assert [p.text for p in right_lines] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hưng Yên, ngày 11 tháng 3 năm 2025",
    ]
    assert all(r.bold for p in right_lines[:2] for r in p.runs)
    assert all(r.italic for r in right_lines[2].runs)

    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    assert "Tình hình thực hiện nhiệm vụ theo các văn bản chỉ đạo của UBND tỉnh" in texts
    assert "(Tính đến ngày 10/03/2025)" in texts
    assert doc.core_properties.author == "UBND tỉnh Hưng Yên"  # the issuing body, not python-docx
    closing = closing_table(doc)
    assert closing.style.name == "Normal Table"
    nơi_nhận, signature = closing.rows[0].cells
    assert nơi_nhận.paragraphs[0].text == "Nơi nhận:"
    assert nơi_nhận.paragraphs[-1].text == "- Lưu: VT, TH."
    assert [p.text for p in signature.paragraphs if p.text][:3] == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
    ]


def test_report_numbers_are_the_metrics():
    snapshot = mixed_snapshot()
    data = reports.prepare(snapshot, reports.Scope(AS_OF), tz=TZ)
    doc = Document(io.BytesIO(report_docx(data)))
    summary, agencies, overdue = doc.tables[1], doc.tables[2], doc.tables[-1]
    body, appendix = body_and_appendix(doc)
    assert "Chỉ đạo các trang thông tin điện tử" not in body  # tasks are in the appendix
    assert appendix.startswith("Phụ lục") and "Chỉ đạo các trang thông tin điện tử" in appendix
    assert "Có 2 nhiệm vụ quá hạn" in body and "Danh sách chi tiết tại Phụ lục" in body
    totals = kpis(rolled_frame(snapshot))

    rows = cell_texts(summary)
    assert rows[0] == ["STT", "Phân loại", "Số nhiệm vụ", "Tỷ lệ"]
    assert {r[1]: count(r[2]) for r in rows[1:-1]} == {c: totals[c] for c in CATEGORIES}
    assert rows[-1][1:3] == ["Tổng số", "9"]

    rows = cell_texts(agencies)
    assert rows[0] == [
        "STT",
        "Cơ quan",
        "Tổng số",
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Đang thực hiện trong hạn",
        "Quá hạn",
        "Thường xuyên",
        "Tỷ lệ hoàn thành",
    ]
    frame = rolled_frame(snapshot)
    expected = agency_metrics(frame, AS_OF, TZ)
    body = rows[1:-1]
    assert [r[1] for r in body] == list(expected["lead_name"])
    for r, (_, e) in zip(body, expected.iterrows()):
        own = frame[frame["lead"] == e["lead"]]["category"].value_counts()
        assert [count(x) for x in r[2:8]] == [
            e["assigned"],
            e["done_on_time"],
            int(own.get(DONE_LATE, 0)),
            int(own.get(OPEN_ON_TIME, 0)),
            e["overdue"],
            int(own.get(ONGOING, 0)),
        ]
        assert r[8] == reports.format_rate(e["completion_rate"])
    assert rows[-1][1:] == ["Tổng cộng", "9", "2", "1", "2", "2", "2", "33,3%"]
    # the header row repeats on every page
    assert agencies.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    rows = cell_texts(overdue)
    assert rows[0][-1] == "Số ngày quá hạn"
    assert [(r[1], r[3], r[4], r[5]) for r in rows[1:]] == [
        ("NV-0007", "Sở Khoa học và Công nghệ", "31/01/2025", "38"),
        ("NV-0003", "Sở Nội vụ", "01/03/2025", "9"),
    ]
    text = doc_text(doc)
    assert "Tổng số nhiệm vụ: 9. Đã hoàn thành 3 nhiệm vụ (đạt 33,3%)" in text
    assert "Tỷ lệ hoàn thành đúng hạn (trên số nhiệm vụ đã hoàn thành): 66,7%" in text


def test_seed_directive_report():
    snapshot = seed_snapshot()
    data = reports.prepare(snapshot, reports.Scope(AS_OF, directive_id="VB-0001"), tz=TZ)
    doc = Document(io.BytesIO(report_docx(data)))
    texts = [p.text for p in doc.paragraphs]
    assert (
        "Tình hình thực hiện nhiệm vụ theo Văn bản số /UBND-KGVX tháng 01/2025 của UBND tỉnh"
        in texts
    )
    text = doc_text(doc)
    assert "V/v triển khai Kế hoạch số 375-KH/TU" in text
    assert "Không có nhiệm vụ quá hạn." in texts and "Chưa có nhiệm vụ nào hoàn thành." in text
    summary, agencies = doc.tables[1], doc.tables[2]
    assert {r[1]: count(r[2]) for r in cell_texts(summary)[1:-1]} == {
        DONE_ON_TIME: 0,
        DONE_LATE: 0,
        AWAITING: 0,
        OPEN_ON_TIME: 0,
        OVERDUE: 0,
        ONGOING: 29,
    }
    rows = cell_texts(agencies)[1:]
    expected = agency_metrics(rolled_frame(snapshot), AS_OF, TZ)
    assert [r[1] for r in rows[:-1]] == list(expected["lead_name"])
    for r, assigned in zip(rows[:-1], expected["assigned"]):
        assert count(r[2]) == count(r[7]) == assigned  # everything is Thường xuyên
        assert r[3:7] == ["0", "0", "0", "0"] and r[8] == "0%"
    assert rows[-1][1:] == ["Tổng cộng", "29", "0", "0", "0", "0", "29", "0%"]
    assert len(doc.tables) == 4  # header, summary, agencies, closing: no overdue table


# --- Word: the reminder letter -----------------------------------------------------------------


def test_reminder_goes_to_overdue_and_silent_agencies():
    data = reports.prepare(mixed_snapshot(), reports.Scope(AS_OF), tz=TZ)
    targets = reports.reminder_targets(data)
    assert [(t.code, t.overdue, t.stale, t.last_update) for t in targets] == [
        ("SKHCN", 1, True, date(2025, 2, 1)),  # NV-0007 late, no open task touched since 08/02
        ("SNV", 1, False, date(2025, 3, 8)),
    ]  # Công an tỉnh: nothing late, both open tasks updated on 01/03
    assert list(targets[0].tasks["id"]) == ["NV-0007", "NV-0008"]

    doc = Document(io.BytesIO(reminder_docx(data, date(2025, 3, 20), day=date(2025, 3, 11))))
    left, right = doc.tables[0].rows[0].cells
    left_text = [p.text for p in left.paragraphs if p.text]
    assert left_text[-2].endswith("/UBND-TH") and left_text[-1] == "V/v đôn đốc thực hiện nhiệm vụ"
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("Kính gửi:") + 1 : texts.index("Kính gửi:") + 3] == [
        "- Sở Khoa học và Công nghệ;",
        "- Sở Nội vụ.",
    ]
    text = doc_text(doc)
    assert (
        "1. Sở Khoa học và Công nghệ: 1 nhiệm vụ quá hạn; 2 nhiệm vụ chưa hoàn thành không "
        "được cập nhật trong 30 ngày qua (lần cập nhật gần nhất ngày 01/02/2025)." in text
    )
    assert "2. Sở Nội vụ: 1 nhiệm vụ quá hạn." in text
    assert "trước ngày 20/03/2025" in text
    body, appendix = body_and_appendix(doc)
    assert "Chỉ đạo các trang thông tin điện tử" not in body and "Tình trạng" not in body
    assert "(danh sách nhiệm vụ tại Phụ lục kèm theo)" in body
    assert "DANH SÁCH NHIỆM VỤ CẦN ĐÔN ĐỐC" in appendix
    skhcn, snv = doc.tables[2], doc.tables[3]
    assert [r[1:] for r in cell_texts(skhcn)[1:]] == [
        ["NV-0007", "Chỉ đạo các trang thông tin điện tử", "31/01/2025", "Quá hạn 38 ngày"],
        ["NV-0008", "\tHướng dẫn nghiệp vụ báo chí", "Thường xuyên", "Tiến độ 0%"],
    ]
    assert [r[1] for r in cell_texts(snv)[1:]] == ["NV-0003", "NV-0004"]
    assert cell_texts(snv)[1][4] == "Quá hạn 9 ngày"
    nơi_nhận = closing_table(doc).rows[0].cells[0]
    assert [p.text for p in nơi_nhận.paragraphs][:2] == ["Nơi nhận:", "- Như trên;"]


def test_seed_reminder_goes_to_every_agency_that_never_reported():
    snapshot = seed_snapshot()
    data = reports.prepare(snapshot, reports.Scope(AS_OF, directive_id="VB-0001"), tz=TZ)
    targets = reports.reminder_targets(data)
    assert [t.code for t in targets] == list(data.agencies["lead"])
    assert all(t.stale and t.overdue == 0 and t.last_update is None for t in targets)
    doc = Document(io.BytesIO(reminder_docx(data, date(2025, 3, 20))))
    assert "chưa cập nhật lần nào" in doc_text(doc)
    assert sum(len(t.rows) - 1 for t in doc.tables[2:]) == 29


def test_no_reminder_when_everyone_is_on_track():
    snapshot = mixed_snapshot()
    data = reports.prepare(snapshot, reports.Scope(AS_OF, agency="CAT"), tz=TZ)
    assert reports.reminder_targets(data) == []
    with pytest.raises(NothingToRemind):
        reminder_docx(data, date(2025, 3, 20))


def test_kinh_gui_names_one_agency_or_points_to_the_list():
    one = reports.prepare(mixed_snapshot(), reports.Scope(AS_OF, agency="SNV"), tz=TZ)
    doc = Document(io.BytesIO(reminder_docx(one, date(2025, 3, 20))))
    texts = [p.text for p in doc.paragraphs]
    assert "Kính gửi: Sở Nội vụ." in texts
    assert any(
        t.startswith("Qua theo dõi") and ", Sở Nội vụ còn 1 nhiệm vụ đã quá hạn" in t for t in texts
    )

    agencies = tuple(Agency(f"CQ{i:02d}", f"Cơ quan số {i}") for i in range(25))
    tasks = tuple(
        Task(f"NV-{i:04d}", "VB-1", "1", "Báo cáo", a.code, deadline=date(2025, 1, 1))
        for i, a in enumerate(agencies)
    )
    many = reports.prepare(
        Snapshot((Directive("VB-1", "1/KH-UBND"),), agencies, tasks), reports.Scope(AS_OF), tz=TZ
    )
    doc = Document(io.BytesIO(reminder_docx(many, date(2025, 3, 20))))
    texts = [p.text for p in doc.paragraphs]
    assert "Kính gửi: Các cơ quan có tên tại Phụ lục kèm theo." in texts
    assert "Kính gửi:" not in texts
    assert len(doc.tables) == 2 + 25  # header, closing, one table per agency
    body, _ = body_and_appendix(doc)
    assert "25 nhiệm vụ đã quá hạn nhưng chưa hoàn thành (tại 25 cơ quan)" in body
    assert "Cơ quan số 7" not in body  # 25 agencies: named in the appendix only


def test_one_letter_per_agency_on_request():
    data = reports.prepare(mixed_snapshot(), reports.Scope(AS_OF), tz=TZ)
    doc = Document(io.BytesIO(reminder_docx(data, date(2025, 3, 20), agency="SNV")))
    texts = [p.text for p in doc.paragraphs]
    assert "Kính gửi: Sở Nội vụ." in texts
    assert "Sở Khoa học và Công nghệ" not in doc_text(doc)
    assert [r[1] for r in cell_texts(doc.tables[-1])[1:]] == ["NV-0003", "NV-0004"]
    assert doc.core_properties.author == "UBND tỉnh Hưng Yên"
    with pytest.raises(NothingToRemind):
        reminder_docx(data, date(2025, 3, 20), agency="CAT")  # nothing late, updated lately


def test_a_report_as_of_a_past_day_counts_what_stood_then():
    """Tasks added later are left out and a completion after that day is undone."""
    from services.domain.model import FIELD_LABELS, Agency, Change, Directive, Task

    day = date(2025, 3, 10)
    snap = Snapshot(
        directives=(
            Directive("VB-1", "1/KH-UBND", "2025-01-05"),
            Directive("VB-2", "2/KH-UBND", "2025-04-01"),
        ),
        agencies=(Agency("A", "Sở A"),),
        tasks=(
            Task(
                "NV-0001",
                "VB-1",
                "1",
                "x",
                "A",
                deadline=date(2025, 3, 1),
                status=DONE,
                progress=100,
                completed_on=date(2025, 3, 20),
                updated_at=at("2025-03-20"),
            ),
            Task("NV-0002", "VB-2", "1", "y", "A", deadline=date(2025, 5, 1)),
        ),
        history=(
            Change(
                at("2025-03-20"),
                "c1",
                "NV-0001",
                FIELD_LABELS["status"],
                "Đang thực hiện",
                DONE,
                "a@x",
                "A",
            ),
        ),
    )
    data = reports.prepare(snap, reports.Scope(as_of=day), now=datetime(2025, 6, 1, tzinfo=ZONE))
    assert list(data.tasks["id"]) == ["NV-0001"]  # VB-2 was issued in April
    assert data.totals["total"] == 1 and data.totals[OVERDUE] == 1 and data.totals[DONE_LATE] == 0
    assert list(data.tasks["days_late"]) == [9]
    today = reports.prepare(
        snap, reports.Scope(as_of=date(2025, 6, 1)), now=datetime(2025, 6, 1, tzinfo=ZONE)
    )
    assert today.totals["total"] == 2 and today.totals[DONE_LATE] == 1


def test_a_report_on_many_agencies_keeps_a_short_body():
    """Over MAX_BODY_AGENCY_ROWS agencies the per-agency table moves to Phụ lục I; the overdue
    list is Phụ lục II; the body names where to look."""
    agencies = tuple(Agency(f"CQ{i:02d}", f"Cơ quan số {i}") for i in range(25))
    tasks = tuple(
        Task(f"NV-{i:04d}", "VB-1", "1", f"Việc số {i}", a.code, deadline=date(2025, 1, 1))
        for i, a in enumerate(agencies)
    )
    data = reports.prepare(
        Snapshot((Directive("VB-1", "1/KH-UBND"),), agencies, tasks), reports.Scope(AS_OF), tz=TZ
    )
    doc = Document(io.BytesIO(report_docx(data)))
    body, appendix = body_and_appendix(doc)
    assert "Số liệu của từng cơ quan tại Phụ lục I kèm theo" in body
    assert "Danh sách chi tiết tại Phụ lục II kèm theo" in body
    assert "Việc số 3" not in body and "Cơ quan số 24" not in body
    assert "Phụ lục I\nTÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO CƠ QUAN" in appendix
    assert "Phụ lục II\nDANH SÁCH NHIỆM VỤ QUÁ HẠN" in appendix and "Việc số 3" in appendix
