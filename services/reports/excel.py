"""The Excel workbook of a report (openpyxl, write-only so 10,000 tasks stay fast).

Sheets: "Tổng hợp chung" (scope, date and the KPI numbers), "Tổng hợp theo cơ quan"
(services.metrics.agency_metrics with the category split), "Danh sách nhiệm vụ", and one sheet
per directive when the report covers several. Every sheet: bold frozen header row, autofilter,
column widths, dates as real dates shown dd/mm/yyyy, text exactly as typed (every text cell is
typed as a string, so "=1+1" or "-5 ngày" shows as written and is never a formula: the
apostrophe guard belongs to CSV only), printed landscape on A4 with the header on every page.
"""

from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.domain.model import CATEGORIES
from services.reports.data import (
    TASK_EXPORT_COLUMNS,
    ReportData,
    as_date,
    clean,
    local_datetime,
    scope_label,
    scope_phrase,
)

EXCEL_CELL_LIMIT = 32767  # characters Excel holds in a cell
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
RATE_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"

# A directive's own sheet leaves out what the sheet already says (the directive) and the
# bookkeeping columns; the full list keeps everything.
DIRECTIVE_SHEET_COLUMNS = (
    "id",
    "section",
    "content",
    "lead_name",
    "partners",
    "deadline",
    "status",
    "progress",
    "category",
    "due_soon",
    "days_late",
    "result",
    "evidence",
    "completed_on",
)

SUMMARY_SHEET = "Tổng hợp chung"
AGENCY_SHEET = "Tổng hợp theo cơ quan"
TASK_SHEET = "Danh sách nhiệm vụ"
PERIOD_SHEET = "Báo cáo định kỳ"
PERIOD_HEADERS = (
    "Mã NV",
    "Cơ quan chủ trì",
    "Kỳ",
    "Hạn nộp",
    "Tình trạng",
    "Ngày nộp",
    "Mã báo cáo",
    "Số ngày quá hạn",
    "Mức độ",
)

# agency table: key -> (header, kind); keys are agency_table's columns
AGENCY_EXPORT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("lead", "Mã cơ quan", "text"),
    ("lead_name", "Cơ quan chủ trì", "text"),
    ("lead_group", "Nhóm cơ quan", "text"),
    ("assigned", "Tổng số nhiệm vụ", "int"),
    ("done", "Đã hoàn thành", "int"),
    ("done_on_time", "Hoàn thành đúng hạn", "int"),
    ("done_late", "Hoàn thành quá hạn", "int"),
    ("open_on_time", "Đang thực hiện trong hạn", "int"),
    ("overdue", "Quá hạn", "int"),
    ("ongoing", "Thường xuyên", "int"),
    ("completion_rate", "Tỷ lệ hoàn thành", "rate"),
    ("on_time_rate", "Tỷ lệ hoàn thành đúng hạn", "rate"),
    ("update_rate", "Tỷ lệ nhiệm vụ được cập nhật trong 30 ngày", "rate"),
    ("last_update", "Cập nhật gần nhất", "datetime"),
)

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_WRAP = Alignment(wrap_text=True)
_TOP = Alignment(vertical="top")
_WIDTHS = {"date": 13, "datetime": 17, "int": 10, "count": 10, "flag": 9, "rate": 12}
_MAX_TEXT_WIDTH, _LONG_WIDTH = 40, 60
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def workbook_bytes(data: ReportData) -> bytes:
    wb = Workbook(write_only=True)
    names: set[str] = set()
    _summary_sheet(wb, data, _sheet_name(SUMMARY_SHEET, names))
    _agency_sheet(wb, data, _sheet_name(AGENCY_SHEET, names))
    values = _task_values(data)
    _task_sheet(wb, data.tasks, values, _sheet_name(TASK_SHEET, names))
    if not data.periods.empty:
        _period_sheet(wb, data, _sheet_name(PERIOD_SHEET, names))
    if len(data.directives) > 1:
        positions = data.tasks.groupby("directive_id", sort=False).indices
        for d in data.directives:
            if d.id in positions:
                rows = positions[d.id]
                label = d.number.strip(" /") if d.number.strip(" /") else d.id
                if d.number.startswith("/"):  # not numbered yet: "/UBND-KGVX" names no one
                    label = f"{d.id} {label}"
                _task_sheet(
                    wb,
                    data.tasks.iloc[rows],
                    [values[i] for i in rows],
                    _sheet_name(label, names),
                    DIRECTIVE_SHEET_COLUMNS,
                )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _period_sheet(wb, data: ReportData, title: str) -> None:
    """Every counted period of the tasks in scope, its status, the report that counts (if any),
    and for a report still owed its days late and urgency; the counts below the table are the
    report's period_totals (the same as Tổng quan and Cần chỉ đạo)."""
    ws = wb.create_sheet(title)
    frame = data.periods.sort_values(["task_id", "due"], kind="stable")
    names = dict(zip(data.tasks["id"], data.tasks["lead_name"]))
    _setup(ws, list(PERIOD_HEADERS), [10, 36, 16, 12, 22, 12, 12, 10, 20], len(frame))
    ws.append(_header_row(ws, list(PERIOD_HEADERS)))
    for r in frame.itertuples(index=False):
        ws.append(
            [
                _styled(ws, text_value(r.task_id)),
                _styled(ws, text_value(names.get(r.task_id, r.agency))),
                _styled(ws, text_value(r.period_label)),
                _styled(ws, r.due, DATE_FORMAT),
                _styled(ws, text_value(r.status)),
                _styled(ws, r.submitted_on, DATE_FORMAT) if r.submitted_on else None,
                _styled(ws, text_value(r.report_id)) if r.report_id else None,
                _styled(ws, int(r.days_late), COUNT_FORMAT) if r.days_late else None,
                _styled(ws, text_value(r.level)) if r.level else None,
            ]
        )
    totals = data.period_totals
    ws.append([])
    for label, key in (
        ("Báo cáo đúng hạn", "on_time"),
        ("Báo cáo muộn", "late"),
        ("Chưa báo cáo (quá hạn)", "missing"),
        ("Chưa đến hạn", "not_due"),
        ("Tổng số kỳ", "total"),
    ):
        ws.append([_styled(ws, label, bold=True), _styled(ws, int(totals[key]), COUNT_FORMAT)])


def _sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\ nor control characters, at most 31 characters,
    no edge apostrophes."""
    base = (
        _SHEET_FORBIDDEN.sub(
            "-", clean(wanted).replace("\t", " ").replace("\r", " ").replace("\n", " ")
        )
        .strip()
        .strip("'")[:31]
        .strip()
        or "Trang"
    )
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _setup(
    ws, headers: list[str], widths: list[float], rows: int, filtered_rows: int | None = None
) -> None:
    """Header row bold and frozen, autofilter over the data, widths, A4 landscape printing."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{1 + (rows if filtered_rows is None else filtered_rows)}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _as_text(cell):
    """A cell whose value is a string is typed as one: openpyxl would store "=…" as a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def text_value(value) -> str:
    """A text cell's value: as typed, without the characters XML cannot hold, cut to Excel's
    limit."""
    return clean(value)[:EXCEL_CELL_LIMIT]


def _header_row(ws, headers: list[str]) -> list:
    cells = []
    for text in headers:
        cell = _as_text(WriteOnlyCell(ws, text_value(text)))
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _HEADER_ALIGN
        cells.append(cell)
    return cells


def _styled(ws, value, number_format=None, alignment=None, bold=False):
    cell = _as_text(WriteOnlyCell(ws, value))
    if number_format:
        cell.number_format = number_format
    if alignment is not None:
        cell.alignment = alignment
    if bold:
        cell.font = _BOLD
    return cell


def _text_width(values: pd.Series, header: str, cap: int) -> float:
    longest = 0
    if len(values):
        longest = int(values.map(lambda v: 0 if v is None else len(str(v))).max())
    return min(cap, max(len(header) * 0.9 + 2, longest + 2, 8))


def _task_values(data: ReportData) -> list[list]:
    """Per task, the cells of TASK_EXPORT_COLUMNS -- computed once, shared by the task list and
    the per-directive sheets. A cell is a plain value, or (value, key of _CELL_STYLES) when it
    needs a style. Only dates and long text carry one: at 10^5 cells openpyxl's styled cells cost
    several seconds, so the other cells keep Excel's default alignment."""
    tasks = data.tasks
    columns = []
    for key, _, kind in TASK_EXPORT_COLUMNS:
        values = tasks[key].tolist()
        cells: list
        if kind in ("text", "long"):
            texts = [
                None
                if v is None or (not isinstance(v, str) and pd.isna(v)) or v == ""
                else text_value(v)
                for v in values
            ]
            cells = texts if kind == "text" else [t and (t, "wrap") for t in texts]
        elif kind == "date":
            cells = [None if (d := as_date(v)) is None else (d, "date") for v in values]
        elif kind == "datetime":
            moments = (
                pd.to_datetime(tasks[key], utc=True)
                .dt.tz_convert(data.tz)
                .dt.tz_localize(None)
                .dt.floor("s")
            )
            cells = [None if pd.isna(m) else (m.to_pydatetime(), "datetime") for m in moments]
        elif kind == "flag":
            cells = ["Có" if v else None for v in values]
        elif kind == "count":
            cells = [int(v) or None for v in values]
        else:
            cells = [int(v) for v in values]
        columns.append(cells)
    return [list(row) for row in zip(*columns)] if len(tasks) else []


_CELL_STYLES = {  # style key -> (number format, alignment)
    "wrap": (None, _WRAP),
    "date": (DATE_FORMAT, None),
    "datetime": (DATETIME_FORMAT, None),
}


def _style_arrays(ws) -> dict:
    """The workbook's style ids of each _CELL_STYLES key, registered once: a cell is then made
    with its style in one step."""
    arrays = {}
    for key, (number_format, alignment) in _CELL_STYLES.items():
        template = WriteOnlyCell(ws)
        if number_format:
            template.number_format = number_format
        if alignment:
            template.alignment = alignment
        arrays[key] = template._style
    return arrays


def _task_sheet(
    wb, tasks: pd.DataFrame, values: list[list], title: str, keys: tuple[str, ...] | None = None
) -> None:
    """A task list: `values` are _task_values rows of `tasks`, in the same order; `keys` picks
    columns of TASK_EXPORT_COLUMNS (all by default)."""
    ws = wb.create_sheet(title)
    picked = [
        (i, column)
        for i, column in enumerate(TASK_EXPORT_COLUMNS)
        if keys is None or column[0] in keys
    ]
    if keys is not None:
        positions = [i for i, _ in picked]
        values = [[row[i] for i in positions] for row in values]
    headers = [header for _, (_, header, _) in picked]
    widths: list[float] = []
    for _, (key, header, kind) in picked:
        if kind == "long":
            widths.append(_LONG_WIDTH)
        elif kind == "text":
            widths.append(_text_width(tasks[key], header, _MAX_TEXT_WIDTH))
        else:
            widths.append(max(_WIDTHS[kind], min(len(header) * 0.9 + 2, 16)))
    _setup(ws, headers, widths, len(values))
    ws.append(_header_row(ws, headers))
    styles = _style_arrays(ws)
    for row in values:
        ws.append([_task_cell(ws, cell, styles) for cell in row])


def _task_cell(ws, cell, styles):
    if isinstance(cell, tuple):
        return _as_text(Cell(ws, 1, 1, cell[0], styles[cell[1]]))
    if isinstance(cell, str) and cell.startswith("="):  # plain strings are strings, but "=…"
        return _as_text(Cell(ws, 1, 1, cell))
    return cell


def _agency_sheet(wb, data: ReportData, title: str) -> None:
    ws = wb.create_sheet(title)
    frame = data.agencies
    headers = [header for _, header, _ in AGENCY_EXPORT_COLUMNS]
    widths = [
        (
            _text_width(frame[key], header, 45)
            if kind == "text"
            else max(_WIDTHS[kind], min(len(header) * 0.6 + 2, 16))
        )
        for key, header, kind in AGENCY_EXPORT_COLUMNS
    ]
    _setup(ws, headers, widths, len(frame) + 1, filtered_rows=len(frame))
    ws.append(_header_row(ws, headers))
    for record in frame.to_dict("records"):
        ws.append(
            [_agency_cell(ws, data, kind, record[key]) for key, _, kind in AGENCY_EXPORT_COLUMNS]
        )
    # the total: below the filtered range, so sorting leaves it at the bottom
    totals = data.totals
    sums = {
        key: int(frame[key].sum()) if len(frame) else 0
        for key, _, kind in AGENCY_EXPORT_COLUMNS
        if kind == "int"
    }
    total = {
        "lead": "",
        "lead_name": "Tổng cộng",
        "lead_group": "",
        **sums,
        "completion_rate": totals["completion_rate"],
        "on_time_rate": totals["on_time_rate"],
        "update_rate": None,
        "last_update": None,
    }
    ws.append(
        [
            _agency_cell(ws, data, kind, total[key], bold=True)
            for key, _, kind in AGENCY_EXPORT_COLUMNS
        ]
    )


def _agency_cell(ws, data: ReportData, kind: str, value, bold: bool = False):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "text":
        return _styled(ws, text_value(value), bold=bold) if value != "" else None
    if kind == "rate":
        return _styled(ws, float(value), RATE_FORMAT, bold=bold)
    if kind == "datetime":
        moment = local_datetime(value, data.tz)
        return _styled(ws, moment, DATETIME_FORMAT) if moment else None
    return _styled(ws, int(value), COUNT_FORMAT, bold=bold)


def _summary_sheet(wb, data: ReportData, title: str) -> None:
    ws = wb.create_sheet(title)
    totals = data.totals
    rows = [
        ("Báo cáo", text_value("Tình hình thực hiện nhiệm vụ " + scope_phrase(data)), None),
        ("Phạm vi", text_value(scope_label(data)), None),
        ("Tính đến ngày", data.scope.as_of, DATE_FORMAT),
        ("Lập lúc", local_datetime(data.generated_at, data.tz), DATETIME_FORMAT),
        ("Tổng số nhiệm vụ", totals["total"], COUNT_FORMAT),
        *((name, totals[name], COUNT_FORMAT) for name in CATEGORIES),
        (f"Sắp đến hạn (trong {data.due_soon_days} ngày tới)", totals["due_soon"], COUNT_FORMAT),
        ("Tỷ lệ hoàn thành", totals["completion_rate"], RATE_FORMAT),
        ("Tỷ lệ hoàn thành đúng hạn (trên số đã hoàn thành)", totals["on_time_rate"], RATE_FORMAT),
    ]
    _setup(ws, ["Nội dung", "Giá trị"], [48, 70], len(rows))
    ws.append(_header_row(ws, ["Nội dung", "Giá trị"]))
    for label, value, number_format in rows:
        cell = (
            None
            if value is None
            else _styled(
                ws,
                value,
                number_format,
                Alignment(horizontal="left", wrap_text=True, vertical="top"),
            )
        )
        ws.append([_styled(ws, text_value(label), alignment=_TOP), cell])
