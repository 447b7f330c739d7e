"""Domain model: directives, agencies, tasks, changes, users, and the reporting categories.

Plain Python (no streamlit, no storage). Everything a user reads is Vietnamese; names are English.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

# Stored status: what an agency sets.
NOT_STARTED = "Chưa thực hiện"
IN_PROGRESS = "Đang thực hiện"
DONE = "Hoàn thành"
# An agency's "Hoàn thành" waits here until the office confirms it (or returns it), when
# [app] require_confirmation is on (the default): the follow-up cycle, services/tasks/cycle.py.
PENDING = "Chờ xác nhận"
STATUSES = (NOT_STARTED, IN_PROGRESS, PENDING, DONE)
AGENCY_STATUSES = (NOT_STARTED, IN_PROGRESS, DONE)  # what an agency picks in its form

# Reporting categories, computed as of a date (Government Office's split).
DONE_ON_TIME = "Hoàn thành đúng hạn"
DONE_LATE = "Hoàn thành quá hạn"
OPEN_ON_TIME = "Đang thực hiện trong hạn"
OVERDUE = "Quá hạn"
ONGOING = "Thường xuyên"
AWAITING = PENDING  # category of a completion the office has not confirmed yet
CATEGORIES = (DONE_ON_TIME, DONE_LATE, AWAITING, OPEN_ON_TIME, OVERDUE, ONGOING)
DUE_SOON = "Sắp đến hạn"  # a flag on open tasks, not a category

ROLE_LEADER, ROLE_AGENCY, ROLE_ADMIN = "leader", "agency", "admin"
ROLES = (ROLE_LEADER, ROLE_AGENCY, ROLE_ADMIN)
ROLE_LABELS = {ROLE_LEADER: "Lãnh đạo", ROLE_AGENCY: "Cơ quan", ROLE_ADMIN: "Quản trị"}


@dataclass(frozen=True)
class Directive:
    id: str
    number: str = ""  # số ký hiệu, e.g. "375-KH/TU"; "/UBND-KGVX" when unnumbered
    issued_on: str = ""  # ISO "2025-01-15", or "2025-01" when the day is left blank
    issuer: str = ""
    title: str = ""  # trích yếu
    signer: str = ""
    link: str = ""


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    group: str = ""
    successor: str = ""  # code of the agency it was merged into
    active: bool = True
    email: str = ""  # the agency's own mailbox, also sent the reminder e-mails (optional)


@dataclass(frozen=True)
class Task:
    id: str  # stable "NV-0001"
    directive_id: str
    section: str
    content: str
    lead: str  # agency code (or the raw text when the name is unknown)
    partners: tuple[str, ...] = ()
    deadline: date | None = None  # None = thường xuyên
    status: str = NOT_STARTED
    progress: int = 0
    result: str = ""
    evidence: str = ""
    completed_on: date | None = None
    updated_at: datetime | None = None
    updated_by: str = ""
    # the follow-up cycle (all optional in an existing sheet or database)
    original_deadline: date | None = None  # the deadline first given, kept when extended
    extensions: int = 0  # approved extensions
    returns: int = 0  # completions the office returned as not done
    return_reason: str = ""  # the office's reason, shown to the agency until it reports again
    withdrawn: str = ""  # the reason it was withdrawn (thu hồi); "" = active
    # reporting periods (services/domain/periods.py): "Hằng tháng, hạn ngày 25, từ 01/12/2026"
    cycle: str = ""

    @property
    def is_withdrawn(self) -> bool:
        return bool(self.withdrawn)


# Fields an agency may change on its own task (the rest belong to the office).
EDITABLE_FIELDS = ("status", "progress", "result", "evidence", "completed_on")
# Fields only the follow-up cycle's decisions change (services/tasks/cycle.py).
CYCLE_FIELDS = (
    "original_deadline",
    "extensions",
    "returns",
    "return_reason",
    "withdrawn",
    "cycle",  # set by the office (services/tasks/periods.py)
)
TASK_FIELDS = tuple(f.name for f in fields(Task))
CREATED = "Tạo nhiệm vụ"  # the history row (Trường) written when a task is added

FIELD_LABELS = {
    "id": "Mã NV",
    "directive_id": "Mã VB",
    "section": "Mục",
    "content": "Nội dung nhiệm vụ",
    "lead": "Cơ quan chủ trì",
    "partners": "Cơ quan phối hợp",
    "deadline": "Hạn hoàn thành",
    "status": "Trạng thái",
    "progress": "Tiến độ (%)",
    "result": "Kết quả thực hiện",
    "evidence": "Minh chứng",
    "completed_on": "Ngày hoàn thành",
    "updated_at": "Cập nhật lúc",
    "updated_by": "Người cập nhật",
    "original_deadline": "Hạn ban đầu",
    "extensions": "Số lần gia hạn",
    "returns": "Số lần trả lại",
    "return_reason": "Lý do trả lại",
    "withdrawn": "Lý do thu hồi",
    "cycle": "Kỳ báo cáo",
}


@dataclass(frozen=True)
class Change:
    at: datetime
    change_id: str
    task_id: str
    field: str  # Vietnamese column label, as people read it in LichSu
    old: str
    new: str
    actor: str  # email
    actor_agency: str = ""


@dataclass(frozen=True)
class User:
    email: str
    name: str = ""
    agency: str = ""
    role: str = ROLE_AGENCY
    active: bool = True  # a deactivated user keeps their history but loses access at once
    reminders: bool = True  # receives the daily reminder e-mails (False: opted out)


# Requests (đề xuất) an agency makes about a task, decided by the office or a leader.
EXTENSION, REASSIGN = "extension", "reassign"
REQUEST_KINDS = {EXTENSION: "Gia hạn", REASSIGN: "Giao lại"}
WAITING, APPROVED, REFUSED = "waiting", "approved", "refused"
REQUEST_STATES = {WAITING: "Chờ quyết định", APPROVED: "Đã chấp thuận", REFUSED: "Không chấp thuận"}


@dataclass(frozen=True)
class Request:
    id: str  # "DX-0001"
    task_id: str
    kind: str  # EXTENSION or REASSIGN
    reason: str
    proposed_deadline: date | None = None  # EXTENSION
    proposed_agency: str = ""  # REASSIGN: the agency suggested (code, or the name typed)
    agency: str = ""  # the requesting agency (code)
    state: str = WAITING
    requested_by: str = ""
    requested_at: datetime | None = None
    decided_by: str = ""
    decided_at: datetime | None = None
    note: str = ""  # the decision's reason (required when refused)


# Reminder e-mails (services/reminders): one ledger row per recipient of a digest, per attempt.
SENT = "Đã gửi"  # the result of a delivery the mail server accepted; anything else is a failure
LEADERS_DIGEST = "LANH_DAO"  # the ledger's agency key of the leaders' digest


@dataclass(frozen=True)
class Delivery:
    day: date  # the digest's day (the office's local date it was built for)
    agency: str  # agency code, or LEADERS_DIGEST
    recipient: str  # e-mail address
    items: int  # number of items the digest listed
    message_id: str  # the Message-ID header ("mã thư")
    result: str  # SENT, or "Lỗi: <the server's answer>"
    at: datetime | None = None  # when it was attempted

    @property
    def ok(self) -> bool:
        return self.result == SENT


# Periodic reports (báo cáo định kỳ) of a task's reporting period, confirmed or returned by the
# office like a completion. Each submission is its own record: nothing is overwritten.
REPORT_WAITING, REPORT_CONFIRMED, REPORT_RETURNED = "waiting", "confirmed", "returned"
REPORT_STATES = {
    REPORT_WAITING: "Chờ xác nhận",
    REPORT_CONFIRMED: "Đã xác nhận",
    REPORT_RETURNED: "Trả lại",
}


@dataclass(frozen=True)
class PeriodReport:
    id: str  # "BC-0001"
    task_id: str
    period: str  # the period's key: "2026-01", "2026-Q1", "2026-H1", "2026"
    content: str
    evidence: str = ""
    progress: int | None = None  # optional
    agency: str = ""  # the reporting agency (code)
    state: str = REPORT_WAITING
    submitted_by: str = ""
    submitted_at: datetime | None = None
    decided_by: str = ""
    decided_at: datetime | None = None
    note: str = ""  # the office's reason when returned

    @property
    def counts(self) -> bool:
        """A report counts for its period unless the office returned it."""
        return self.state != REPORT_RETURNED


@dataclass(frozen=True)
class Snapshot:
    """Everything the app reads, loaded at once and never mutated."""

    directives: tuple[Directive, ...] = ()
    agencies: tuple[Agency, ...] = ()
    tasks: tuple[Task, ...] = ()
    users: tuple[User, ...] = ()
    history: tuple[Change, ...] = ()
    requests: tuple[Request, ...] = ()
    deliveries: tuple[Delivery, ...] = ()  # the reminder ledger (NhacViec / reminders)
    period_reports: tuple[PeriodReport, ...] = ()
    loaded_at: datetime | None = None
    # None: the whole history; else only the rows from this moment on (Store.load(history_days))
    history_since: datetime | None = field(default=None, compare=False)
    problems: tuple = field(default=(), compare=False)  # schema.Finding, found while reading
    duplicate_ids: frozenset = field(default=frozenset(), compare=False)  # read-only tasks
    # task id -> what could not be read in its row (a Sheet edited by hand: 31/02/2025, "Xong
    # rồi"): the task is shown with defaults there, and marked as such, never silently
    unreadable: dict = field(default_factory=dict, compare=False)

    @cached_property
    def _tasks_by_id(self) -> dict[str, Task]:
        return {t.id: t for t in reversed(self.tasks)}  # with a duplicate id, the first row wins

    @cached_property
    def _agencies_by_code(self) -> dict[str, Agency]:
        return {a.code: a for a in reversed(self.agencies)}

    @cached_property
    def _active(self) -> Snapshot:
        if not any(t.is_withdrawn for t in self.tasks):
            return self
        return replace(self, tasks=tuple(t for t in self.tasks if not t.is_withdrawn))

    def active(self) -> Snapshot:
        """The snapshot without withdrawn tasks: what every count, list and report uses
        (withdrawn tasks stay in the store and the history, and can be restored)."""
        return self._active

    def same_data(self, other: object) -> bool:
        """Whether `other` holds exactly what this holds, whenever either was read (the
        snapshot cache keeps its derived tables when a reload finds nothing changed)."""
        return (
            isinstance(other, Snapshot)
            and replace(other, loaded_at=self.loaded_at) == self
            and (other.history_since, other.problems, other.duplicate_ids, other.unreadable)
            == (self.history_since, self.problems, self.duplicate_ids, self.unreadable)
        )

    @property
    def withdrawn(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.is_withdrawn)

    def task(self, task_id: str) -> Task | None:
        return self._tasks_by_id.get(task_id)

    def agency(self, code: str) -> Agency | None:
        return self._agencies_by_code.get(code)

    def agency_name(self, code: str) -> str:
        agency = self.agency(code)
        return agency.name if agency else code


# --- time -------------------------------------------------------------------------------------


def now_local(tz: str = DEFAULT_TIMEZONE, now: datetime | None = None) -> datetime:
    """The current time in the office's time zone (never the server's UTC date)."""
    zone = ZoneInfo(tz)
    if now is None:
        return datetime.now(zone)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(zone)


def today_local(tz: str = DEFAULT_TIMEZONE, now: datetime | None = None) -> date:
    return now_local(tz, now).date()


# --- reporting categories ---------------------------------------------------------------------


def category(task: Task, as_of: date) -> str:
    """The reporting category of a task as of a date. Only a confirmed completion counts as done;
    on-time is judged against the approved deadline (extensions included)."""
    if task.status == PENDING:
        return AWAITING
    if task.status == DONE:
        if task.deadline is None:
            return DONE_ON_TIME  # done tasks without a deadline count as on time
        finished = task.completed_on or (task.updated_at.date() if task.updated_at else as_of)
        return DONE_ON_TIME if finished <= task.deadline else DONE_LATE
    if task.deadline is None:
        return ONGOING
    return OVERDUE if as_of > task.deadline else OPEN_ON_TIME


def is_due_soon(task: Task, as_of: date, days: int = 7) -> bool:
    """Open, with a deadline from today to `days` days ahead (due today included)."""
    if task.status in (DONE, PENDING) or task.deadline is None:
        return False
    return as_of <= task.deadline <= as_of + timedelta(days=days)


def days_late(task: Task, as_of: date) -> int:
    """Days past the deadline for an open task (0 when not late, or reported done)."""
    if task.status in (DONE, PENDING) or task.deadline is None:
        return 0
    return max(0, (as_of - task.deadline).days)


# --- text -------------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


@lru_cache(maxsize=65536)  # the same names and statuses repeat on every row
def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text, for matching names and searching.

    "Sở  Nội vụ", "so noi vu" and the NFD-composed form all fold to "so noi vu".
    """
    text = unicodedata.normalize("NFD", str(text).translate(_INVISIBLE))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("đ", "d").replace("Đ", "D").replace("\u00a0", " ")
    return " ".join(text.lower().split())


def clean_text(text: str) -> str:
    """NFC-normalised text without zero-width characters, trimmed."""
    return (
        unicodedata.normalize("NFC", str(text).translate(_INVISIBLE)).replace("\u00a0", " ").strip()
    )
