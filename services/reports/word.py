"""Word documents for leaders' meetings (python-docx), laid out as Nghị định 30/2020/NĐ-CP
(Phụ lục I) asks of an administrative document:

- A4, margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times New Roman; body 14 pt,
  justified, first line indented 1.27 cm, 6 pt between paragraphs; page numbers centred in the top
  margin from page 2 on;
- the header: a two-column table without borders -- left the issuing body (upper case, bold) with
  a short rule under it and "Số: …/BC-UBND" (a letter adds its "V/v …" subject under the number);
  right the national motto "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (bold, 13 pt) and "Độc lập - Tự
  do - Hạnh phúc" (bold, 14 pt) with a rule as long as the line, then the place and date in
  italics ("Hưng Yên, ngày 25 tháng 11 năm 2026");
- at the end, "Nơi nhận:" (bold italic 12 pt, entries 11 pt) beside the signature block
  (TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH, bold 14 pt, the signer's name left blank
  for the office to fill in).

Two documents, each a short body an office can sign as it is, with the detail in a Phụ lục after
the signature: the report "Báo cáo tình hình thực hiện nhiệm vụ" (report_docx: the totals and
the per-agency table in the body, the overdue tasks in the appendix) and the draft reminder letter
"công văn đôn đốc" (reminder_docx: who, how many, what is asked and by when in the body, each
agency's tasks in the appendix; one letter to one agency on request). The document's author is
the issuing body. Their numbers come from services.reports (services.metrics underneath), never
computed here.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from services.dashboard.metrics import UPDATE_WINDOW_DAYS
from services.domain.dates import format_date
from services.domain.errors import AppError
from services.domain.model import (
    CATEGORIES,
    DONE_LATE,
    DONE_ON_TIME,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
)
from services.domain.periods import MISSING
from services.domain.text import format_count, format_rate
from services.reports.data import (
    ReportData,
    as_date,
    clean,
    date_line,
    directive_reference,
    issuer_parts,
    overdue_tasks,
    reminder_targets,
    scope_phrase,
)

FONT = "Times New Roman"
BODY_PT, HEADER_PT, TABLE_PT = 14, 13, 13
TABLE_STYLE, TABLE_CENTRE_STYLE = "Bảng", "Bảng - giữa"  # paragraph styles of table cells
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH_MM = 210 - 30 - 15  # 165 mm between the margins
CELL_PADDING_MM = 1.905  # python-docx's tables: 108 twips each side
SPLIT_ROW_CHARS = 250  # longer rows may break across pages, else a page is left half empty
DATA_CELL_PADDING_TWIPS = 57  # 1 mm: the data tables need the room for 13 pt numbers and dates
HEADER_COLUMNS_MM = (65, 100)  # issuing body | national motto
CLOSING_COLUMNS_MM = (80, 85)  # Nơi nhận | signature
# Widths of the header lines in Times New Roman (measured on its metric twin, Liberation Serif),
# so the rules under them have the decree's lengths.
MOTTO_WIDTH_MM = 57.5  # "Độc lập - Tự do - Hạnh phúc", bold 14 pt: the rule is as long
BODY_RULE_MM = 20  # under the issuing body: 1/3 to 1/2 of its line
TITLE_RULE_MM = 35  # under the report's title

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
REPORT_SYMBOL = "BC-UBND"
LETTER_SYMBOL = "UBND-TH"
REPORT_TITLE = "BÁO CÁO"
REMINDER_SUBJECT = "V/v đôn đốc thực hiện nhiệm vụ"
MAX_LISTED_RECIPIENTS = 20  # "Kính gửi:" lists up to this many agencies by name
MAX_BODY_AGENCIES = 12  # the letter's body names each agency's figures up to this many
MAX_BODY_AGENCY_ROWS = 20  # more agencies: their table moves to an appendix
_ROMAN = ("I", "II", "III")
WORST_LISTED = 5  # the report's body names the agencies with the most overdue tasks
SIGNER_TITLES = ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
BLANK_NUMBER = " " * 9  # the number is given when the document is registered

AGENCY_HEADERS = (
    "STT",
    "Cơ quan",
    "Tổng số",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Đang thực hiện trong hạn",
    "Quá hạn",
    "Thường xuyên",
    "Tỷ lệ hoàn thành",
)
AGENCY_WIDTHS_MM = (11, 39, 14, 16, 16, 17, 15, 19, 18)
SUMMARY_HEADERS = ("STT", "Phân loại", "Số nhiệm vụ", "Tỷ lệ")
SUMMARY_WIDTHS_MM = (15, 90, 30, 30)
OVERDUE_HEADERS = (
    "STT",
    "Mã NV",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Hạn hoàn thành",
    "Số ngày quá hạn",
)
OVERDUE_WIDTHS_MM = (11, 20, 62, 30, 24, 18)
REMINDER_HEADERS = ("STT", "Mã NV", "Nội dung nhiệm vụ", "Hạn hoàn thành", "Tình trạng")
REMINDER_WIDTHS_MM = (11, 20, 76, 24, 34)


class NothingToRemind(AppError, ValueError):
    """No agency in scope has an overdue task or a silence of UPDATE_WINDOW_DAYS days."""


# --- the two documents ---------------------------------------------------------------------------


def report_docx(
    data: ReportData, *, day: date | None = None, number: str = "", signer: str = ""
) -> bytes:
    """ "Báo cáo tình hình thực hiện nhiệm vụ" as of data.scope.as_of, dated `day` (default: the
    as-of date): totals and the per-agency table in the body, overdue tasks in the Phụ lục."""
    as_of = data.scope.as_of
    issuer = issuer_parts(data.issuer)
    doc = _document(data.issuer, f"Báo cáo tình hình thực hiện nhiệm vụ {format_date(as_of)}")
    _letterhead(doc, issuer, f"Số: {number or BLANK_NUMBER}/{REPORT_SYMBOL}", day or as_of)
    _paragraph(doc, REPORT_TITLE, bold=True, align="center", before=18)
    _paragraph(
        doc,
        "Tình hình thực hiện nhiệm vụ " + scope_phrase(data, issuer.abbrev),
        bold=True,
        align="center",
    )
    _paragraph(doc, f"(Tính đến ngày {format_date(as_of)})", italic=True, align="center")
    _rule(doc, TITLE_RULE_MM, TEXT_WIDTH_MM, after=12)

    totals = data.totals
    _body(
        doc,
        f"{issuer.short} báo cáo tình hình thực hiện các nhiệm vụ {_tasks_of(data)}, "
        f"tính đến ngày {format_date(as_of)}, như sau:",
    )

    _heading(doc, "I. KẾT QUẢ CHUNG")
    done = totals[DONE_ON_TIME] + totals[DONE_LATE]
    open_ = totals["total"] - done
    _body(
        doc,
        f"Tổng số nhiệm vụ: {format_count(totals['total'])}. Đã hoàn thành "
        f"{format_count(done)} nhiệm vụ (đạt {format_rate(totals['completion_rate'])}), "
        f"trong đó đúng hạn {format_count(totals[DONE_ON_TIME])}, quá hạn "
        f"{format_count(totals[DONE_LATE])}. Chưa hoàn thành {format_count(open_)} nhiệm "
        f"vụ, trong đó đang thực hiện trong hạn {format_count(totals[OPEN_ON_TIME])}, quá "
        f"hạn {format_count(totals[OVERDUE])}, thường xuyên "
        f"{format_count(totals[ONGOING])}.",
    )
    on_time = (
        "Chưa có nhiệm vụ nào hoàn thành."
        if not done
        else "Tỷ lệ hoàn thành đúng hạn (trên số nhiệm vụ đã hoàn thành): "
        f"{format_rate(totals['on_time_rate'])}."
    )
    _body(
        doc,
        f"{on_time} Số nhiệm vụ sắp đến hạn trong {data.due_soon_days} ngày tới: "
        f"{format_count(totals['due_soon'])}.",
    )
    total = totals["total"]
    rows = [
        (
            str(i),
            name,
            format_count(totals[name]),
            format_rate(totals[name] / total if total else None),
        )
        for i, name in enumerate(CATEGORIES, start=1)
    ]
    rows.append(("", "Tổng số", format_count(total), format_rate(1 if total else None)))
    _table(doc, SUMMARY_HEADERS, rows, SUMMARY_WIDTHS_MM, "cLcc", bold_last=True)

    _heading(doc, "II. TÌNH HÌNH THỰC HIỆN THEO CƠ QUAN")
    agencies_in_appendix = len(data.agencies) > MAX_BODY_AGENCY_ROWS
    late = overdue_tasks(data)
    appendices = [
        *(["agencies"] if agencies_in_appendix else []),
        *(["overdue"] if not late.empty else []),
    ]

    def appendix(kind: str) -> str:
        return "Phụ lục" + (f" {_ROMAN[appendices.index(kind)]}" if len(appendices) > 1 else "")

    if data.agencies.empty:
        _body(doc, "Không có nhiệm vụ nào trong phạm vi báo cáo.")
    elif agencies_in_appendix:
        lowest = data.agencies.sort_values(
            ["completion_rate", "overdue"], ascending=[True, False], kind="stable"
        ).head(WORST_LISTED)
        _body(
            doc,
            f"{format_count(len(data.agencies))} cơ quan được giao chủ trì nhiệm vụ. Các cơ "
            "quan có tỷ lệ hoàn thành thấp nhất: "
            + "; ".join(
                f"{a.lead_name} ({format_rate(a.completion_rate)})" for a in lowest.itertuples()
            )
            + f". Số liệu của từng cơ quan tại {appendix('agencies')} kèm theo.",
        )
    else:
        _table(
            doc, AGENCY_HEADERS, _agency_rows(data), AGENCY_WIDTHS_MM, "cLccccccc", bold_last=True
        )

    _heading(doc, "III. NHIỆM VỤ QUÁ HẠN")
    if late.empty:
        _body(doc, "Không có nhiệm vụ quá hạn.")
    else:
        worst = data.agencies[data.agencies["overdue"] > 0].head(WORST_LISTED)
        named = "; ".join(f"{a.lead_name} ({format_count(a.overdue)})" for a in worst.itertuples())
        more = len(data.agencies[data.agencies["overdue"] > 0]) - len(worst)
        _body(
            doc,
            f"Có {format_count(len(late))} nhiệm vụ quá hạn, nhiều nhất tại: {named}"
            + (f" và {format_count(more)} cơ quan khác" if more > 0 else "")
            + f"; nhiệm vụ quá hạn lâu nhất đã quá {format_count(int(late['days_late'].max()))}"
            f" ngày. Danh sách chi tiết tại {appendix('overdue')} kèm theo.",
        )

    if not data.periods.empty:
        _heading(doc, "IV. BÁO CÁO ĐỊNH KỲ")
        for line in period_lines(data):
            _body(doc, line)

    _body(
        doc,
        f"Trên đây là báo cáo tình hình thực hiện nhiệm vụ tính đến ngày "
        f"{format_date(as_of)} của {issuer.short}./.",
        before=12,
        keep_with_next=True,
    )
    _closing(
        doc,
        issuer,
        [
            "Thường trực Tỉnh ủy (để báo cáo)",
            "Thường trực HĐND tỉnh",
            "Chủ tịch, các PCT UBND tỉnh",
            "Các cơ quan có tên tại mục II",
            "Lưu: VT, TH",
        ],
        signer,
    )
    attached = (
        f"(Kèm theo Báo cáo số {number or BLANK_NUMBER}/{REPORT_SYMBOL} "
        f"{date_line('', day or as_of).lower()} của {issuer.short})"
    )
    if agencies_in_appendix:
        _appendix_title(
            doc, "TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO CƠ QUAN", attached, appendix("agencies")
        )
        _table(
            doc, AGENCY_HEADERS, _agency_rows(data), AGENCY_WIDTHS_MM, "cLccccccc", bold_last=True
        )
    if not late.empty:
        _appendix_title(doc, "DANH SÁCH NHIỆM VỤ QUÁ HẠN", attached, appendix("overdue"))
        _table(
            doc,
            OVERDUE_HEADERS,
            [
                (
                    str(i),
                    t.id,
                    t.content,
                    t.lead_name,
                    format_date(as_date(t.deadline)),
                    format_count(t.days_late),
                )
                for i, t in enumerate(late.itertuples(index=False), start=1)
            ],
            OVERDUE_WIDTHS_MM,
            "ccLLcc",
        )
    return _bytes(doc)


def reminder_docx(
    data: ReportData,
    report_by: date,
    *,
    day: date | None = None,
    number: str = "",
    signer: str = "",
    agency: str = "",
) -> bytes:
    """Draft công văn đôn đốc to the agencies with overdue tasks or no update in
    UPDATE_WINDOW_DAYS days (services.reports.reminder_targets) -- or to the one `agency` of
    them: a body of one or two pages (who, how many, what is asked, by when) and a Phụ lục with
    each agency's open tasks (overdue ones with days late)."""
    targets = reminder_targets(data)
    if agency:
        targets = [t for t in targets if t.code == agency]
    if not targets:
        raise NothingToRemind(
            "Không có cơ quan nào có nhiệm vụ quá hạn, kỳ báo cáo chưa nộp hoặc chưa cập nhật "
            f"trong {UPDATE_WINDOW_DAYS} ngày: không cần công văn đôn đốc."
        )
    as_of = data.scope.as_of
    issuer = issuer_parts(data.issuer)
    doc = _document(data.issuer, f"{REMINDER_SUBJECT} {format_date(as_of)}")
    number_line = f"{number or BLANK_NUMBER}/{LETTER_SYMBOL}"
    _letterhead(doc, issuer, f"Số: {number_line}", day or as_of, subject=REMINDER_SUBJECT)
    _recipients(doc, [t.name for t in targets])
    single = len(targets) == 1
    if single:
        who, heads = targets[0].name, f"Thủ trưởng {targets[0].name}"
    else:
        listed = len(targets) <= MAX_LISTED_RECIPIENTS
        who = "các cơ quan nêu trên" if listed else "các cơ quan có tên tại Phụ lục"
        heads = "Thủ trưởng các cơ quan nêu trên" if listed else "Thủ trưởng các cơ quan"

    overdue = sum(t.overdue for t in targets)
    late_agencies = sum(1 for t in targets if t.overdue)
    stale = [t for t in targets if t.stale]
    owed = sum(len(t.missing) for t in targets)
    facts = []
    if overdue:
        facts.append(
            f"{format_count(overdue)} nhiệm vụ đã quá hạn nhưng chưa hoàn thành"
            + ("" if single else f" (tại {format_count(late_agencies)} cơ quan)")
        )
    if stale:
        facts.append(
            (
                "không cập nhật tình hình thực hiện nhiệm vụ nào"
                if single
                else f"{format_count(len(stale))} cơ quan không cập nhật tình hình thực hiện"
                " nhiệm vụ nào"
            )
            + f" trong {UPDATE_WINDOW_DAYS} ngày qua"
            + (_last_update(stale[0]) if single else "")
        )
    if owed:
        facts.append(f"{format_count(owed)} kỳ báo cáo định kỳ đã quá hạn nhưng chưa nộp")
    _body(
        doc,
        f"Qua theo dõi tình hình thực hiện các nhiệm vụ {_tasks_of(data)}, tính đến ngày "
        f"{format_date(as_of)}, {who} còn " + "; ".join(facts) + " (danh sách nhiệm vụ tại "
        "Phụ lục kèm theo).",
        before=12,
    )
    if not single and len(targets) <= MAX_BODY_AGENCIES:
        for n, target in enumerate(targets, start=1):
            _body(doc, [(f"{n}. {target.name}: ", True), (_facts(target) + ".", False)])
    via = " (qua Văn phòng UBND tỉnh)" if issuer.short == "Ủy ban nhân dân tỉnh" else ""
    _body(
        doc,
        f"Để bảo đảm tiến độ thực hiện nhiệm vụ, {issuer.short} yêu cầu {heads}:",
        before=6,
        keep_with_next=True,
    )
    _body(
        doc,
        "1. Khẩn trương chỉ đạo thực hiện dứt điểm các nhiệm vụ quá hạn; với nhiệm vụ không "
        "thể hoàn thành, báo cáo rõ nguyên nhân, khó khăn và đề xuất thời hạn hoàn thành.",
    )
    _body(
        doc,
        "2. Cập nhật đầy đủ kết quả, tiến độ thực hiện từng nhiệm vụ trên hệ thống theo dõi "
        "nhiệm vụ.",
    )
    _body(
        doc,
        f"3. Báo cáo kết quả về {issuer.short}{via} trước ngày {format_date(report_by)} để "
        f"tổng hợp, báo cáo Chủ tịch {issuer.short}./.",
        keep_with_next=True,
    )
    _closing(doc, issuer, ["Như trên", "Chủ tịch, các PCT UBND tỉnh", "Lưu: VT, TH"], signer)

    _appendix_title(
        doc,
        "DANH SÁCH NHIỆM VỤ CẦN ĐÔN ĐỐC",
        f"(Kèm theo Công văn số {number_line} {date_line('', day or as_of).lower()} "
        f"của {issuer.short})",
    )
    for n, target in enumerate(targets, start=1):
        _paragraph(
            doc,
            [(f"{n}. {target.name}: ", True), (_facts(target) + ".", False)],
            align="justify",
            before=6,
            after=6,
            keep_with_next=True,
        )
        _table(
            doc,
            REMINDER_HEADERS,
            [
                (
                    str(i),
                    t.id,
                    t.content,
                    format_date(as_date(t.deadline)) or "Thường xuyên",
                    _state(t),
                )
                for i, t in enumerate(target.tasks.itertuples(index=False), start=1)
            ],
            REMINDER_WIDTHS_MM,
            "ccLcL",
        )
        if len(target.missing):
            owed_lines = "; ".join(
                f"{m.task_id} — {m.period_label} (hạn {format_date(m.due)}, quá "
                f"{format_count(int(m.days_late))} ngày)"
                for m in target.missing.itertuples(index=False)
            )
            _paragraph(
                doc,
                [("Kỳ báo cáo định kỳ chưa nộp: ", True), (owed_lines + ".", False)],
                align="justify",
                before=6,
            )
    return _bytes(doc)


def _last_update(target) -> str:
    if target.last_update:
        return f" (lần cập nhật gần nhất ngày {format_date(target.last_update)})"
    return " (chưa cập nhật lần nào)"


def period_lines(data: ReportData) -> list[str]:
    """The Word report's paragraphs on the reporting periods: the counts (the same as Tổng quan
    and Cần chỉ đạo), then the agencies with reports not sent."""
    totals = data.period_totals
    lines = [
        f"Tổng số kỳ báo cáo đã đến hoặc đang trong kỳ: {format_count(totals['total'])}; "
        f"báo cáo đúng hạn {format_count(totals['on_time'])}, báo cáo muộn "
        f"{format_count(totals['late'])}, chưa báo cáo (quá hạn) {format_count(totals['missing'])}"
        f", chưa đến hạn {format_count(totals['not_due'])}."
    ]
    missing = data.periods[data.periods["status"] == MISSING]
    if not missing.empty:
        lead_of = dict(zip(data.tasks["id"], data.tasks["lead_name"]))
        per = missing["task_id"].map(lead_of).value_counts()
        named = "; ".join(f"{name} ({format_count(n)} kỳ)" for name, n in per.head(10).items())
        more = len(per) - min(len(per), 10)
        lines.append(
            f"Cơ quan chưa nộp báo cáo định kỳ: {named}"
            + (f" và {format_count(more)} cơ quan khác" if more else "")
            + "."
        )
    return lines


def _facts(target) -> str:
    """ "3 nhiệm vụ quá hạn; 5 nhiệm vụ chưa hoàn thành không được cập nhật trong 30 ngày qua
    (…); 2 kỳ báo cáo định kỳ chưa nộp" """
    facts = []
    if target.overdue:
        facts.append(f"{format_count(target.overdue)} nhiệm vụ quá hạn")
    if target.stale:
        facts.append(
            f"{format_count(target.open)} nhiệm vụ chưa hoàn thành không được cập nhật trong "
            f"{UPDATE_WINDOW_DAYS} ngày qua{_last_update(target)}"
        )
    if len(target.missing):
        facts.append(f"{format_count(len(target.missing))} kỳ báo cáo định kỳ chưa nộp")
    return "; ".join(facts)


def _appendix_title(doc, title: str, attached_to: str, label: str = "Phụ lục") -> None:
    """A new page: "Phụ lục", what it lists, and the document it is attached to."""
    _paragraph(doc, "").add_run().add_break(WD_BREAK.PAGE)
    _paragraph(doc, label, bold=True, align="center", keep_with_next=True)
    _paragraph(doc, title, bold=True, align="center", keep_with_next=True)
    _paragraph(doc, attached_to, italic=True, align="center", after=6, keep_with_next=True)
    _rule(doc, TITLE_RULE_MM, TEXT_WIDTH_MM, after=6)


def _tasks_of(data: ReportData) -> str:
    """ "được giao tại Văn bản số … của … V/v …" or "được giao tại N văn bản …"."""
    scope = data.scope
    if scope.directive_id and data.directives:
        d = data.directives[0]
        title = d.title.strip().rstrip(".")
        about = (
            ""
            if not title
            else (f" {title}" if title.lower().startswith("v/v") else f" về {title}")
        )
        text = f"được giao tại {directive_reference(d)} của {data.issuer}{about}"
    else:
        text = (
            f"được giao tại {format_count(len(data.directives))} văn bản chỉ đạo của "
            f"{data.issuer} đang được theo dõi"
        )
    if scope.agency:
        text += f" do {data.agency_name or scope.agency} chủ trì"
    elif scope.group:
        text += f" do các cơ quan thuộc nhóm «{scope.group}» chủ trì"
    return text


def _agency_rows(data: ReportData) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    frame = data.agencies
    for i, a in enumerate(frame.itertuples(index=False), start=1):
        rows.append(
            (
                str(i),
                a.lead_name,
                format_count(a.assigned),
                format_count(a.done_on_time),
                format_count(a.done_late),
                format_count(a.open_on_time),
                format_count(a.overdue),
                format_count(a.ongoing),
                format_rate(a.completion_rate),
            )
        )
    totals = data.totals
    rows.append(
        (
            "",
            "Tổng cộng",
            format_count(totals["total"]),
            format_count(totals[DONE_ON_TIME]),
            format_count(totals[DONE_LATE]),
            format_count(totals[OPEN_ON_TIME]),
            format_count(totals[OVERDUE]),
            format_count(totals[ONGOING]),
            format_rate(totals["completion_rate"]),
        )
    )
    return rows


def _state(task) -> str:
    if task.category == OVERDUE:
        return f"Quá hạn {format_count(task.days_late)} ngày"
    if task.category == OPEN_ON_TIME:
        return f"Trong hạn, tiến độ {int(task.progress)}%"
    return f"Tiến độ {int(task.progress)}%"


# --- layout --------------------------------------------------------------------------------------


def _document(author: str, title: str):
    doc = Document()
    doc.core_properties.author = doc.core_properties.last_modified_by = clean(author)
    doc.core_properties.title = clean(title)
    doc.core_properties.comments = ""
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    # the template's defaults name theme fonts (Calibri); every run is Times New Roman instead
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    for name, centred in ((TABLE_STYLE, False), (TABLE_CENTRE_STYLE, True)):
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(TABLE_PT)
        if centred:
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_numbers(section)
    return doc


def _page_numbers(section) -> None:
    """The page number, centred in the top margin, from the second page on."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _paragraph(
    container,
    text="",
    *,
    bold=False,
    italic=False,
    size=None,
    align="left",
    before=0,
    after=0,
    first_line=None,
    keep_with_next=False,
    reuse=False,
):
    """A paragraph of runs: `text` is a string or a list of (text, bold) pieces. With `reuse`,
    the container's first (empty) paragraph is used -- a new table cell has one."""
    paragraph = container.paragraphs[0] if reuse else container.add_paragraph()
    fmt = paragraph.paragraph_format
    if align != "left":  # only what differs from Normal: thousands of cells stay fast
        paragraph.alignment = _ALIGN[align]
    if before:
        fmt.space_before = Pt(before)
    if after:
        fmt.space_after = Pt(after)
    if first_line is not None:
        fmt.first_line_indent = first_line
    if keep_with_next:
        fmt.keep_with_next = True
    for piece, piece_bold in [(text, bold)] if isinstance(text, str) else text:
        if not piece:
            continue
        run = paragraph.add_run(clean(piece))  # XML cannot hold control characters
        if piece_bold:
            run.bold = True
        if italic:
            run.italic = True
        if size and size != BODY_PT:
            run.font.size = Pt(size)
    return paragraph


def _body(doc, text, before=0, keep_with_next=False):
    return _paragraph(
        doc,
        text,
        align="justify",
        before=before,
        after=6,
        first_line=Mm(12.7),
        keep_with_next=keep_with_next,
    )


def _heading(doc, text):
    return _paragraph(
        doc,
        text,
        bold=True,
        align="justify",
        before=6,
        after=6,
        first_line=Mm(12.7),
        keep_with_next=True,
    )


def _rule(container, length_mm: float, width_mm: float, after: float = 0):
    """A centred horizontal rule `length_mm` long, in a container `width_mm` wide: an empty
    paragraph with a bottom border, indented from both sides."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    side = Mm(max(0.0, (width_mm - length_mm) / 2))
    fmt.left_indent = fmt.right_indent = side
    fmt.space_before, fmt.space_after = Pt(0), Pt(after)
    fmt.line_spacing = Pt(3)  # clear of the descenders above
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # pBdr comes before shd/tabs/spacing/ind/jc in w:pPr (schema order)
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders,
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )
    return paragraph


def _layout_table(doc, widths_mm, rows=1):
    """A borderless table (the template's default table style has no borders) of fixed widths."""
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, widths_mm)
    return table


def _fix_widths(table, widths_mm):
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)  # w:gridCol, which LibreOffice follows
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)  # w:tcW, which Word follows


def _cell_padding(table, twips: int) -> None:
    """Left and right cell margins of a table (w:tblCellMar), overriding its style's."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margin = OxmlElement(side)
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.insert_element_before(
        margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )


def _letterhead(doc, issuer, number_line: str, day: date, subject: str | None = None) -> None:
    left_mm, right_mm = HEADER_COLUMNS_MM
    left, right = _layout_table(doc, HEADER_COLUMNS_MM).rows[0].cells
    for i, line in enumerate(issuer.lines):
        _paragraph(left, line, bold=True, size=HEADER_PT, align="center", reuse=i == 0)
    _rule(left, BODY_RULE_MM, left_mm - 2 * CELL_PADDING_MM)
    _paragraph(left, number_line, size=HEADER_PT, align="center", before=6)
    if subject:
        _paragraph(left, subject, size=HEADER_PT - 1, align="center", before=3)
    _paragraph(right, NATIONAL_NAME, bold=True, size=HEADER_PT, align="center", reuse=True)
    _paragraph(right, MOTTO, bold=True, size=BODY_PT, align="center")
    _rule(right, MOTTO_WIDTH_MM, right_mm - 2 * CELL_PADDING_MM)
    _paragraph(
        right, date_line(issuer.place, day), italic=True, size=BODY_PT, align="center", before=6
    )


def _recipients(doc, names: list[str]) -> None:
    """ "Kính gửi: X." on one line; one line per recipient ("- X;", the last "- Y.") up to
    MAX_LISTED_RECIPIENTS; beyond that the letter points to its numbered list instead."""
    if len(names) == 1 or len(names) > MAX_LISTED_RECIPIENTS:
        whom = names[0] if len(names) == 1 else "Các cơ quan có tên tại Phụ lục kèm theo"
        _paragraph(doc, f"Kính gửi: {whom}.", align="center", before=18, after=6)
        return
    label = _paragraph(doc, "Kính gửi:", before=18, keep_with_next=True)
    label.paragraph_format.left_indent = Mm(25)
    for i, name in enumerate(names):
        end = "." if i == len(names) - 1 else ";"
        line = _paragraph(doc, f"- {name}{end}")
        line.paragraph_format.left_indent = Mm(50)
        line.paragraph_format.first_line_indent = Mm(-3)


def _table(doc, headers, rows, widths_mm, align: str, bold_last: bool = False):
    """A bordered table (Table Grid) with a bold header row repeated on every page. `align`
    has one letter per column: c centre, L left."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, widths_mm)
    _cell_padding(table, DATA_CELL_PADDING_TWIPS)
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    # style ids set on the XML directly: Paragraph.style looks the style up by name each time,
    # which is slow over thousands of cells
    styles = {"c": doc.styles[TABLE_CENTRE_STYLE].style_id, "L": doc.styles[TABLE_STYLE].style_id}
    for cell, text in zip(header.cells, headers):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph._p.get_or_add_pPr().style = styles["c"]
        paragraph.add_run(clean(text)).bold = True
    cell_styles = [styles[a] for a in align]
    last = len(rows) - 1
    for n, values in enumerate(rows):
        row = table.add_row()
        if max(map(len, values)) <= SPLIT_ROW_CHARS:  # a short row stays on one page
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        bold = bold_last and n == last
        for cell, text, style in zip(row.cells, values, cell_styles):
            paragraph = cell.paragraphs[0]
            paragraph._p.get_or_add_pPr().style = style
            if text:
                run = paragraph.add_run(clean(text))
                if bold:
                    run.bold = True
    _paragraph(doc, "", after=0)  # tables do not touch the paragraph after them
    return table


def _closing(doc, issuer, recipients: list[str], signer: str) -> None:
    """ "Nơi nhận:" beside the signature block, in a borderless table kept on one page."""
    row = _layout_table(doc, CLOSING_COLUMNS_MM).rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = row.cells
    _paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, reuse=True, before=6)
    for i, name in enumerate(recipients):
        end = "." if i == len(recipients) - 1 else ";"
        _paragraph(left, f"- {name}{end}", size=11)
    _paragraph(right, f"TM. {issuer.collective}", bold=True, align="center", reuse=True, before=6)
    for title in SIGNER_TITLES:
        _paragraph(right, title, bold=True, align="center")
    for _ in range(4):
        _paragraph(right, "")
    _paragraph(
        right,
        signer.strip() if signer.strip() else "(Ký, ghi rõ họ tên)",
        bold=bool(signer.strip()),
        italic=not signer.strip(),
        align="center",
    )


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
