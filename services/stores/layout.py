"""The shared sheet's layout (Vietnamese headers) and conversion between cells and domain objects.

Used by the Google Sheets backend, the seed files in data/ and the exports, so that a cell means the
same thing everywhere. Columns are found by header name, folded (case, accents, NFC, spaces).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from services.domain.agencies import AgencyIndex
from services.domain.dates import (
    DateError,
    format_date,
    format_datetime,
    format_issue_date,
    parse_date,
    parse_datetime,
    parse_issue_date,
)
from services.domain.errors import AppError
from services.domain.model import (
    NOT_STARTED,
    REPORT_STATES,
    REPORT_WAITING,
    REQUEST_KINDS,
    REQUEST_STATES,
    ROLE_LABELS,
    ROLES,
    STATUSES,
    WAITING,
    Agency,
    Change,
    Delivery,
    Directive,
    PeriodReport,
    Request,
    Task,
    User,
    clean_text,
    fold,
)
from services.domain.periods import parse_cycle

TASKS, DIRECTIVES, AGENCIES, USERS, HISTORY = "NhiemVu", "VanBan", "CoQuan", "NguoiDung", "LichSu"
REQUESTS = "DeXuat"  # the follow-up cycle's requests (gia hạn, giao lại); optional worksheet
REMINDERS = "NhacViec"  # the reminder e-mails' ledger (services/reminders); optional worksheet
PERIODS = "BaoCaoKy"  # periodic reports (báo cáo định kỳ); optional worksheet
OPTIONAL_SHEETS = (REQUESTS, PERIODS, REMINDERS)  # a workbook made before them keeps working

# worksheet -> ((field, header), ...) in the order a new sheet gets them.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    TASKS: (
        ("id", "Mã NV"),
        ("directive_id", "Mã VB"),
        ("section", "Mục"),
        ("content", "Nội dung nhiệm vụ"),
        ("lead", "Cơ quan chủ trì"),
        ("partners", "Cơ quan phối hợp"),
        ("deadline", "Hạn hoàn thành"),
        ("status", "Trạng thái"),
        ("progress", "Tiến độ (%)"),
        ("result", "Kết quả thực hiện"),
        ("evidence", "Minh chứng"),
        ("completed_on", "Ngày hoàn thành"),
        ("updated_at", "Cập nhật lúc"),
        ("updated_by", "Người cập nhật"),
        ("original_deadline", "Hạn ban đầu"),
        ("extensions", "Số lần gia hạn"),
        ("returns", "Số lần trả lại"),
        ("return_reason", "Lý do trả lại"),
        ("withdrawn", "Lý do thu hồi"),
        ("cycle", "Kỳ báo cáo"),
        ("version", "Phiên bản"),  # written by the app on every save (stores/sheets.py)
    ),
    DIRECTIVES: (
        ("id", "Mã VB"),
        ("number", "Số ký hiệu"),
        ("issued_on", "Ngày ban hành"),
        ("issuer", "Cơ quan ban hành"),
        ("title", "Trích yếu"),
        ("signer", "Người ký"),
        ("link", "Liên kết"),
    ),
    AGENCIES: (
        ("code", "Mã CQ"),
        ("name", "Tên cơ quan"),
        ("aliases", "Tên gọi khác"),
        ("group", "Nhóm"),
        ("successor", "Cơ quan kế thừa"),
        ("active", "Đang hoạt động"),
        ("email", "Email cơ quan"),
    ),
    USERS: (
        ("email", "Email"),
        ("name", "Họ tên"),
        ("agency", "Mã CQ"),
        ("role", "Vai trò"),
        ("active", "Đang hoạt động"),
        ("reminders", "Nhận thư nhắc việc"),
    ),
    REQUESTS: (
        ("id", "Mã ĐX"),
        ("task_id", "Mã NV"),
        ("kind", "Loại"),
        ("reason", "Nội dung"),
        ("proposed_deadline", "Hạn đề xuất"),
        ("proposed_agency", "Cơ quan đề xuất giao"),
        ("agency", "Cơ quan đề xuất"),
        ("state", "Trạng thái"),
        ("requested_by", "Người đề xuất"),
        ("requested_at", "Lúc"),
        ("decided_by", "Người quyết định"),
        ("decided_at", "Lúc quyết định"),
        ("note", "Ý kiến"),
    ),
    REMINDERS: (
        ("day", "Ngày"),
        ("agency", "Cơ quan"),
        ("recipient", "Người nhận"),
        ("items", "Số mục"),
        ("message_id", "Mã thư"),
        ("result", "Kết quả"),
        ("at", "Thời gian"),
    ),
    PERIODS: (
        ("id", "Mã BC"),
        ("task_id", "Mã NV"),
        ("period", "Kỳ"),
        ("content", "Nội dung báo cáo"),
        ("evidence", "Minh chứng"),
        ("progress", "Tiến độ (%)"),
        ("agency", "Cơ quan báo cáo"),
        ("state", "Trạng thái"),
        ("submitted_by", "Người báo cáo"),
        ("submitted_at", "Lúc"),
        ("decided_by", "Người xử lý"),
        ("decided_at", "Lúc xử lý"),
        ("note", "Ý kiến"),
    ),
    HISTORY: (
        ("at", "Thời gian"),
        ("change_id", "Mã thay đổi"),
        ("task_id", "Mã NV"),
        ("field", "Trường"),
        ("old", "Giá trị cũ"),
        ("new", "Giá trị mới"),
        ("actor", "Người thực hiện"),
        ("actor_agency", "Cơ quan"),
    ),
}
# Columns a sheet may lack without being broken (filled with defaults).
# The follow-up cycle's columns are optional: a sheet made before it keeps working (init-sheet adds
# them; a save that needs a missing one says so instead of dropping the value).
OPTIONAL = {
    AGENCIES: {"aliases", "group", "successor", "active", "email"},
    DIRECTIVES: {"link", "signer"},
    TASKS: {
        "original_deadline",
        "extensions",
        "returns",
        "return_reason",
        "withdrawn",
        "cycle",
        "version",
    },
    USERS: {"active", "reminders"},
    REQUESTS: {"proposed_agency", "decided_by", "decided_at", "note"},
    PERIODS: {"evidence", "progress", "decided_by", "decided_at", "note"},
    REMINDERS: {"items", "message_id", "at"},
}
# Columns the app keeps for itself: not a field of the domain object.
BOOKKEEPING = {TASKS: {"version"}}

LIST_SEPARATOR = "; "  # agency names contain commas ("Sở Văn hóa, Thể thao và Du lịch")


def header(sheet: str, field: str) -> str:
    return dict(COLUMNS[sheet])[field]


@dataclass(frozen=True)
class Finding:
    """Something wrong in the data, where it is, and how bad: "error" or "warning"."""

    level: str
    sheet: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} dòng {self.row}" if self.row else self.sheet
        return f"{where}: {self.message}"


class SchemaError(AppError):
    """The sheet's layout cannot be used (the message is Vietnamese and names what to fix)."""


@dataclass
class HeaderMap:
    """Where each known field sits in a worksheet's header row (0-based), by folded header name."""

    sheet: str
    positions: dict[str, int]
    width: int  # number of header cells, including columns we do not know

    @classmethod
    def from_header_row(cls, sheet: str, row: list) -> HeaderMap:
        wanted = {fold(h): f for f, h in COLUMNS[sheet]}
        positions: dict[str, int] = {}
        duplicated = []
        for i, cell in enumerate(row):
            field = wanted.get(fold(cell))
            if field is None:
                continue
            if field in positions:
                duplicated.append(header(sheet, field))
            positions[field] = i
        if duplicated:
            raise SchemaError(f"Trang «{sheet}» có cột trùng tên: {', '.join(duplicated)}.")
        missing = [
            h for f, h in COLUMNS[sheet] if f not in positions and f not in OPTIONAL.get(sheet, ())
        ]
        if missing:
            raise SchemaError(f"Trang «{sheet}» thiếu cột bắt buộc: {', '.join(missing)}.")
        return cls(sheet, positions, len(row))

    def get(self, row: list, field: str):
        i = self.positions.get(field)
        return row[i] if i is not None and i < len(row) else ""


# --- cells -> domain ----------------------------------------------------------------------------


def text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return clean_text(cell)


def parse_progress(cell) -> int:
    """0-100 from 50, 0.5 (a % formatted cell read unformatted), "50", "50%" or "50,0"."""
    if cell is None or cell == "":
        return 0
    if isinstance(cell, bool):
        raise ValueError(f"Tiến độ không hợp lệ: «{cell}»")
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        raw = clean_text(cell)
        percent = raw.endswith("%")
        raw = raw.rstrip("%").strip().replace(",", ".")
        if not re.fullmatch(r"\d+(\.\d+)?", raw):
            raise ValueError(f"Tiến độ không hợp lệ: «{cell}» (nhập số từ 0 đến 100)")
        value = float(raw)
        cell = value if percent else cell
    if 0 < value < 1 and isinstance(cell, float):
        value *= 100
    if not 0 <= value <= 100:
        raise ValueError(f"Tiến độ phải từ 0 đến 100: «{cell}»")
    return round(value)


_STATUS_BY_KEY = {fold(s): s for s in STATUSES}


def parse_status(cell) -> str:
    raw = text(cell)
    if not raw:
        return NOT_STARTED
    status = _STATUS_BY_KEY.get(fold(raw))
    if status:
        return status
    raise ValueError(f"Trạng thái không hợp lệ: «{raw}» (chọn: {', '.join(STATUSES)})")


def parse_bool(cell) -> bool:
    if isinstance(cell, bool):
        return cell
    return fold(text(cell)) not in ("false", "khong", "0", "no", "ngung", "ngung hoat dong")


def parse_role(cell) -> str:
    raw = fold(text(cell))
    for role in ROLES:
        if raw in (role, fold(ROLE_LABELS[role])):
            return role
    raise ValueError(f"Vai trò không hợp lệ: «{text(cell)}» (leader, agency hoặc admin)")


def split_list(cell) -> list[str]:
    return [p for p in (clean_text(x) for x in re.split(r"[;\n]", text(cell))) if p]


def agency_from_row(get) -> Agency:
    return Agency(
        code=text(get("code")),
        name=text(get("name")),
        aliases=tuple(split_list(get("aliases"))),
        group=text(get("group")),
        successor=text(get("successor")),
        active=parse_bool(get("active")) if get("active") != "" else True,
        email=text(get("email")).lower(),
    )


def resolve_successors(agencies: list[Agency]) -> list[Agency]:
    """People may write the successor's name instead of its code."""
    index = AgencyIndex(agencies)
    return [
        replace(a, successor=index.resolve(a.successor) or a.successor) if a.successor else a
        for a in agencies
    ]


def directive_from_row(get) -> Directive:
    return Directive(
        id=text(get("id")),
        number=text(get("number")),
        issued_on=parse_issue_date(get("issued_on")),
        issuer=text(get("issuer")),
        title=text(get("title")),
        signer=text(get("signer")),
        link=text(get("link")),
    )


def user_from_row(get) -> User:
    return User(
        email=text(get("email")).lower(),
        name=text(get("name")),
        agency=text(get("agency")),
        role=parse_role(get("role")),
        active=parse_bool(get("active")) if get("active") != "" else True,
        reminders=parse_bool(get("reminders")) if get("reminders") != "" else True,
    )


def parse_count(cell) -> int:
    raw = text(cell)
    if not raw:
        return 0
    if not raw.isdigit():
        raise ValueError(f"Số lần không hợp lệ: «{raw}» (nhập số nguyên)")
    return int(raw)


_KIND_BY_KEY = {fold(k): k for k in REQUEST_KINDS} | {fold(v): k for k, v in REQUEST_KINDS.items()}
_STATE_BY_KEY = {fold(k): k for k in REQUEST_STATES} | {
    fold(v): k for k, v in REQUEST_STATES.items()
}


def request_from_row(get, tz: str) -> Request:
    kind = _KIND_BY_KEY.get(fold(text(get("kind"))))
    if kind is None:
        raise ValueError(
            f"Loại đề xuất không hợp lệ: «{text(get('kind'))}» (Gia hạn hoặc Giao lại)"
        )
    state = _STATE_BY_KEY.get(fold(text(get("state"))) or WAITING)
    if state is None:
        raise ValueError(f"Trạng thái đề xuất không hợp lệ: «{text(get('state'))}»")
    return Request(
        id=text(get("id")),
        task_id=text(get("task_id")),
        kind=kind,
        reason=text(get("reason")),
        proposed_deadline=parse_date(get("proposed_deadline")),
        proposed_agency=text(get("proposed_agency")),
        agency=text(get("agency")),
        state=state,
        requested_by=text(get("requested_by")),
        requested_at=parse_datetime(get("requested_at"), tz),
        decided_by=text(get("decided_by")),
        decided_at=parse_datetime(get("decided_at"), tz),
        note=text(get("note")),
    )


def request_cells(r: Request) -> dict:
    return {
        "id": r.id,
        "task_id": r.task_id,
        "kind": REQUEST_KINDS[r.kind],
        "reason": r.reason,
        "proposed_deadline": format_date(r.proposed_deadline),
        "proposed_agency": r.proposed_agency,
        "agency": r.agency,
        "state": REQUEST_STATES[r.state],
        "requested_by": r.requested_by,
        "requested_at": format_datetime(r.requested_at),
        "decided_by": r.decided_by,
        "decided_at": format_datetime(r.decided_at),
        "note": r.note,
    }


def delivery_from_row(get, tz: str) -> Delivery:
    day = parse_date(get("day"))
    if day is None:
        raise ValueError("thiếu Ngày")
    return Delivery(
        day=day,
        agency=text(get("agency")),
        recipient=text(get("recipient")).lower(),
        items=parse_count(get("items")),
        message_id=text(get("message_id")),
        result=text(get("result")),
        at=parse_datetime(get("at"), tz),
    )


def delivery_cells(d: Delivery) -> dict:
    return {
        "day": format_date(d.day),
        "agency": d.agency,
        "recipient": d.recipient,
        "items": d.items,
        "message_id": d.message_id,
        "result": d.result,
        "at": format_datetime(d.at),
    }


_REPORT_STATE_BY_KEY = {fold(k): k for k in REPORT_STATES} | {
    fold(v): k for k, v in REPORT_STATES.items()
}


def parse_cycle_cell(cell) -> str:
    """The cycle cell as the app writes it (checked: a cycle that cannot be read is an error)."""
    raw = text(cell)
    cycle = parse_cycle(raw)
    return cycle.text() if cycle else ""


def report_from_row(get, tz: str) -> PeriodReport:
    state = _REPORT_STATE_BY_KEY.get(fold(text(get("state"))) or REPORT_WAITING)
    if state is None:
        raise ValueError(f"Trạng thái báo cáo kỳ không hợp lệ: «{text(get('state'))}»")
    raw_progress = text(get("progress"))
    return PeriodReport(
        id=text(get("id")),
        task_id=text(get("task_id")),
        period=text(get("period")),
        content=text(get("content")),
        evidence=text(get("evidence")),
        progress=parse_progress(raw_progress) if raw_progress else None,
        agency=text(get("agency")),
        state=state,
        submitted_by=text(get("submitted_by")),
        submitted_at=parse_datetime(get("submitted_at"), tz),
        decided_by=text(get("decided_by")),
        decided_at=parse_datetime(get("decided_at"), tz),
        note=text(get("note")),
    )


def report_cells(r: PeriodReport) -> dict:
    return {
        "id": r.id,
        "task_id": r.task_id,
        "period": r.period,
        "content": r.content,
        "evidence": r.evidence,
        "progress": "" if r.progress is None else int(r.progress),
        "agency": r.agency,
        "state": REPORT_STATES[r.state],
        "submitted_by": r.submitted_by,
        "submitted_at": format_datetime(r.submitted_at),
        "decided_by": r.decided_by,
        "decided_at": format_datetime(r.decided_at),
        "note": r.note,
    }


def task_from_row(get, index: AgencyIndex, tz: str) -> tuple[Task, list[str]]:
    """A task from its cells, and the problems found in them (Vietnamese, naming the column)."""
    problems: list[str] = []

    def read(field, parse, default):
        try:
            return parse(get(field))
        except (ValueError, DateError) as e:
            problems.append(f"{header(TASKS, field)}: {e}")
            return default

    lead_text = text(get("lead"))
    lead = index.resolve(lead_text)
    if lead is None and lead_text:
        problems.append(f"Cơ quan chủ trì: không có trong danh mục cơ quan: «{lead_text}»")
    partners = tuple(index.resolve(p) or p for p in split_list(get("partners")))
    task = Task(
        id=text(get("id")),
        directive_id=text(get("directive_id")),
        section=text(get("section")),
        content=text(get("content")),
        lead=lead or lead_text,
        partners=partners,
        deadline=read("deadline", parse_date, None),
        status=read("status", parse_status, NOT_STARTED),
        progress=read("progress", parse_progress, 0),
        result=text(get("result")),
        evidence=text(get("evidence")),
        completed_on=read("completed_on", parse_date, None),
        updated_at=read("updated_at", lambda c: parse_datetime(c, tz), None),
        updated_by=text(get("updated_by")),
        original_deadline=read("original_deadline", parse_date, None),
        extensions=read("extensions", parse_count, 0),
        returns=read("returns", parse_count, 0),
        return_reason=text(get("return_reason")),
        withdrawn=text(get("withdrawn")),
        cycle=read("cycle", parse_cycle_cell, ""),
    )
    return task, problems


def change_from_row(get, tz: str) -> Change:
    return Change(
        at=parse_datetime(get("at"), tz),  # type: ignore[arg-type]  # a blank cell stays None
        change_id=text(get("change_id")),
        task_id=text(get("task_id")),
        field=text(get("field")),
        old=text(get("old")),
        new=text(get("new")),
        actor=text(get("actor")),
        actor_agency=text(get("actor_agency")),
    )


# --- domain -> cells ----------------------------------------------------------------------------


def task_cell(task: Task, field: str, names=lambda code: code):
    """The cell value of one task field, as written to the sheet and shown in history."""
    value = getattr(task, field)
    if field == "lead":
        return names(value)
    if field == "partners":
        return LIST_SEPARATOR.join(names(p) for p in value)
    if field in ("deadline", "completed_on", "original_deadline"):
        return format_date(value)
    if field == "updated_at":
        return format_datetime(value)
    if field in ("progress", "extensions", "returns"):
        return int(value)
    return value


def task_cells(task: Task, names=lambda code: code) -> dict:
    return {f: task_cell(task, f, names) for f, _ in COLUMNS[TASKS] if f not in BOOKKEEPING[TASKS]}


def directive_cells(d: Directive) -> dict:
    cells = {f: getattr(d, f) for f, _ in COLUMNS[DIRECTIVES]}
    cells["issued_on"] = format_issue_date(d.issued_on)
    return cells


def agency_cells(a: Agency) -> dict:
    return {
        "code": a.code,
        "name": a.name,
        "aliases": LIST_SEPARATOR.join(a.aliases),
        "group": a.group,
        "successor": a.successor,
        "active": a.active,
        "email": a.email,
    }


def user_cells(u: User) -> dict:
    return {
        "email": u.email,
        "name": u.name,
        "agency": u.agency,
        "role": u.role,
        "active": u.active,
        "reminders": u.reminders,
    }


def change_cells(c: Change) -> dict:
    cells = {f: getattr(c, f) for f, _ in COLUMNS[HISTORY]}
    cells["at"] = format_datetime(c.at)
    return cells


# --- whole workbook -----------------------------------------------------------------------------


def _records(sheet: str, rows: list[list], first: int = 2):
    """(sheet row number, getter) for each non-blank row under the header row; `first` is the
    sheet row of rows[1] (a tail of LichSu read without the rows before it)."""
    if not rows:
        raise SchemaError(f"Trang «{sheet}» trống: thiếu dòng tiêu đề.")
    hmap = HeaderMap.from_header_row(sheet, rows[0])
    for number, row in enumerate(rows[1:], start=first):
        if any(text(c) for c in row):
            yield number, (lambda field, row=row: hmap.get(row, field))


def snapshot_parts(tables: dict[str, list[list]], tz: str, first_rows: dict | None = None) -> dict:
    """Domain objects from the five worksheets' cell rows (header first), plus the findings
    (problems, each naming the worksheet and row). Raises SchemaError when a sheet is unusable.
    `first_rows`: sheet -> the sheet row of its first data row, when not 2 (a tail read)."""
    findings: list[Finding] = []
    first_rows = first_rows or {}

    def each(sheet, build):
        out = []
        for number, get in _records(sheet, tables.get(sheet, []), first_rows.get(sheet, 2)):
            try:
                out.append(build(get))
            except (ValueError, DateError) as e:
                findings.append(Finding("error", sheet, number, str(e)))
        return out

    agencies = resolve_successors(each(AGENCIES, agency_from_row))
    index = AgencyIndex(agencies)
    tasks: list[Task] = []
    rows_by_id: dict[str, list[int]] = {}
    unreadable: dict[str, tuple[str, ...]] = {}
    for number, get in _records(TASKS, tables.get(TASKS, [])):
        task, task_problems = task_from_row(get, index, tz)
        findings += [Finding("error", TASKS, number, p) for p in task_problems]
        if task_problems and task.id:
            unreadable[task.id] = (*unreadable.get(task.id, ()), *task_problems)
        if not task.id:
            findings.append(
                Finding("error", TASKS, number, "thiếu Mã NV (dòng này không được hiển thị).")
            )
            continue
        rows_by_id.setdefault(task.id, []).append(number)
        tasks.append(task)
    for task_id, numbers in rows_by_id.items():
        if len(numbers) > 1:
            findings.append(
                Finding(
                    "error",
                    TASKS,
                    numbers[1],
                    f"Mã NV {task_id} bị trùng ở các "
                    f"dòng {', '.join(map(str, numbers))}: các dòng này chỉ được "
                    "xem, không cập nhật được cho đến khi sửa mã.",
                )
            )
    return {
        "directives": tuple(each(DIRECTIVES, directive_from_row)),
        "agencies": tuple(agencies),
        "tasks": tuple(tasks),
        "users": tuple(each(USERS, user_from_row)),
        "history": tuple(each(HISTORY, lambda get: change_from_row(get, tz))),
        # a workbook made before the follow-up cycle has no DeXuat worksheet: no requests yet
        "requests": tuple(each(REQUESTS, lambda get: request_from_row(get, tz)))
        if tables.get(REQUESTS)
        else (),
        "deliveries": tuple(each(REMINDERS, lambda get: delivery_from_row(get, tz)))
        if tables.get(REMINDERS)
        else (),
        "period_reports": tuple(each(PERIODS, lambda get: report_from_row(get, tz)))
        if tables.get(PERIODS)
        else (),
        "problems": tuple(findings),
        "duplicate_ids": frozenset(i for i, n in rows_by_id.items() if len(n) > 1),
        "unreadable": unreadable,
    }


def history_from_rows(
    hmap: HeaderMap, rows: list[list], first_number: int, tz: str
) -> tuple[list[Change], list[Finding]]:
    """History rows read from anywhere in LichSu (or an archive), `first_number` being the sheet
    row of rows[0]; blank rows are skipped, unreadable ones reported."""
    changes, findings = [], []
    for number, row in enumerate(rows, start=first_number):
        if not any(text(c) for c in row):
            continue
        try:
            changes.append(change_from_row(lambda f, row=row: hmap.get(row, f), tz))
        except (ValueError, DateError) as e:
            findings.append(Finding("error", hmap.sheet, number, str(e)))
    return changes, findings
