"""One snapshot, every view: the period numbers of Cần chỉ đạo, Tổng quan (the same
period_headline over the period table), Báo cáo (ReportData), the Excel sheet, the Word report
and the reminder letter agree."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from docx import Document
from openpyxl import load_workbook

from services import demo_data
from services.dashboard.attention import attention, period_headline
from services.dashboard.periods import period_frame, summary
from services.domain.model import Snapshot
from services.domain.periods import LATE_REPORT, MISSING, NOT_DUE, ON_TIME
from services.reports import data as reports
from services.reports.excel import PERIOD_SHEET, workbook_bytes
from services.reports.word import reminder_docx, report_docx

TZ = "Asia/Ho_Chi_Minh"
TODAY = date(2025, 11, 20)
NOW = datetime(2025, 11, 20, 9, 0, tzinfo=ZoneInfo(TZ))


def snapshot() -> Snapshot:
    directives, agencies, tasks, history = demo_data.generate(
        tasks=400, agencies=12, directives=20, seed=3, today=TODAY
    )
    found = demo_data.period_reports(tasks, agencies, TODAY)
    return Snapshot(
        tuple(directives),
        tuple(agencies),
        tuple(tasks),
        (),
        tuple(history),
        (),
        period_reports=tuple(found),
    )


def word_text(blob: bytes) -> str:
    doc = Document(io.BytesIO(blob))
    return "\n".join(p.text for p in doc.paragraphs)


def test_every_view_counts_the_same_periods():
    snap = snapshot()
    frame = period_frame(snap, TODAY)
    numbers = period_headline(frame)  # what Tổng quan shows
    assert numbers["missing"] > 0 and numbers["on_time"] > 0 and numbers["late"] > 0
    assert numbers["total"] == len(frame)

    exceptions = attention(snap, frame, TODAY).headline()  # Cần chỉ đạo
    assert exceptions["missing_periods"] == numbers["missing"]
    assert exceptions["missing_agencies"] == frame[frame["status"] == MISSING]["agency"].nunique()

    per_agency = summary(frame, "agency")  # the tables per agency / per directive
    per_directive = summary(frame, "directive_id")
    for table in (per_agency, per_directive):
        assert int(table["cur_missing"].sum() + table["past_missing"].sum()) == numbers["missing"]
        assert int(table["cur_on_time"].sum() + table["past_on_time"].sum()) == numbers["on_time"]

    data = reports.prepare(snap, reports.Scope(TODAY), tz=TZ, now=NOW)  # Báo cáo
    assert data.period_totals == numbers

    sheet = load_workbook(io.BytesIO(workbook_bytes(data)))[PERIOD_SHEET]  # Excel
    rows = list(sheet.iter_rows(values_only=True))
    statuses = [r[4] for r in rows[1 : 1 + len(frame)]]
    assert statuses.count(ON_TIME) == numbers["on_time"]
    assert statuses.count(LATE_REPORT) == numbers["late"]
    assert statuses.count(MISSING) == numbers["missing"]
    assert statuses.count(NOT_DUE) == numbers["not_due"]
    totals = {r[0]: r[1] for r in rows[len(frame) + 1 :] if r and r[0]}
    assert totals["Chưa báo cáo (quá hạn)"] == numbers["missing"]
    assert totals["Tổng số kỳ"] == numbers["total"]

    text = word_text(report_docx(data))  # Word
    assert f"chưa báo cáo (quá hạn) {numbers['missing']:,}".replace(",", ".") in text

    targets = reports.reminder_targets(data)  # the reminder letter
    assert sum(len(t.missing) for t in targets) == numbers["missing"]
    letter = word_text(reminder_docx(data, TODAY))
    owed = f"{numbers['missing']:,}".replace(",", ".")
    assert f"{owed} kỳ báo cáo định kỳ đã quá hạn nhưng chưa nộp" in letter
