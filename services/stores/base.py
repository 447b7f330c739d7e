"""The store interface both backends implement, its errors, and the update logic they share.

A backend only has to read and write; the rules (conflict check, authorisation against the fresh
row, which cells change, the history rows) are decided here, once, by `plan_update`.
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.domain.dates import format_date
from services.domain.errors import (
    ConflictError,
    PermissionDenied,
    ReportDecided,
    RequestDecided,
    StoreError,
)
from services.domain.model import (
    CREATED,
    CYCLE_FIELDS,
    EDITABLE_FIELDS,
    EXTENSION,
    FIELD_LABELS,
    REPORT_STATES,
    REPORT_WAITING,
    REQUEST_KINDS,
    REQUEST_STATES,
    TASK_FIELDS,
    WAITING,
    Agency,
    Change,
    Delivery,
    Directive,
    PeriodReport,
    Request,
    Snapshot,
    Task,
    User,
    now_local,
)
from services.stores.layout import task_cell


class Store(ABC):
    """One interface, two backends (SQLite, Google Sheets); tests/test_store_contract.py runs the
    same suite against both."""

    @abstractmethod
    def load(self, history_days: int | None = None, history: bool = True) -> Snapshot:
        """Everything, read at once. With `history_days`, the history of the last that many days
        only (from local midnight; `Snapshot.history_since` says from when): what the app's
        pages need (RECENT_HISTORY_DAYS), at a cost that does not grow with the age of the data.
        `history=False`: none at all (a job or a check that needs no history: one read less on a
        Sheet). A task's whole history is `history(task_id)`, read when asked.
        The reminder ledger grows every day too: with `history_days`, only the deliveries of
        those days (a page shows today's); otherwise all of them (a reminder run, which may be
        run for another day than today, reads with history=False)."""

    @abstractmethod
    def update_task(
        self, seen: Task, changes: dict, actor: User, now: datetime, authorize=None
    ) -> list[Change]:
        """Apply `changes` to the task the user saw as `seen`.

        The row is read again at write time; if it differs from `seen` a ConflictError carrying the
        current row is raised and nothing is written. `authorize(fresh_task)` may raise
        PermissionDenied. The change and its history rows are written together. Returns the
        history rows written (empty when nothing changed).
        """

    def update_many(
        self, items: list[tuple[Task, dict]], actor: User, now: datetime, authorize=None
    ) -> list:
        """update_task for several tasks, each checked on its own; per item, the history rows
        written or the StoreError (a conflict, ...) that refused it. A backend may write them
        together (Google Sheets: one read and one write for all)."""
        out: list[list[Change] | StoreError] = []
        for seen, changes in items:
            try:
                out.append(self.update_task(seen, changes, actor, now, authorize))
            except StoreError as e:
                out.append(e)
        return out

    @abstractmethod
    def add_directive(
        self, directive: Directive, tasks: list[Task], actor: User, now: datetime
    ) -> tuple[Directive, list[Task]]:
        """Store a directive and its tasks in one call; ids are assigned when empty."""

    @abstractmethod
    def add_tasks(self, tasks: list[Task], actor: User, now: datetime) -> list[Task]:
        """Append tasks; new ids (NV-0001 ...) are assigned to those without one."""

    @abstractmethod
    def save_agency(self, agency: Agency) -> None:
        """Insert or replace an agency, by code."""

    @abstractmethod
    def save_user(self, user: User) -> None:
        """Insert or replace a user, by email."""

    # -- the follow-up cycle's requests (services/tasks/cycle.py decides who may do what) -------

    @abstractmethod
    def add_request(self, request: Request, actor: User, now: datetime, authorize=None) -> Request:
        """Store a new request (its id DX-0001 ... assigned) and its history row.
        `authorize(fresh_task, requests_of_that_task)` is called on the task as read now and may
        raise PermissionDenied or ValidationError; nothing is written then."""

    @abstractmethod
    def decide_request(
        self,
        seen: Request,
        decision: dict,
        actor: User,
        now: datetime,
        task_seen: Task | None = None,
        task_changes: dict | None = None,
        authorize=None,
    ) -> Request:
        """Record a decision (`decision`: state, note) on the request the decider saw.

        The request is read again: one decided meanwhile raises RequestDecided (one officer wins,
        the other is told). `task_changes` (a new deadline, a new lead) are applied to the task
        the decider saw with update_task's rules (conflict check included), with the decision,
        in one transaction where the backend has them. `authorize(fresh_task)` may refuse."""

    # -- the reminder e-mails' ledger (services/reminders/run.py) --------------------------------

    @abstractmethod
    def record_deliveries(self, deliveries: list[Delivery]) -> None:
        """Append ledger rows (one per recipient of a digest, per attempt) in one write; they
        come back in `load().deliveries`."""

    def can_record_deliveries(self) -> str:
        """ "" when the ledger can be written; otherwise why not (Vietnamese), so that a run
        sends nothing it could not record."""
        return ""

    # -- periodic reports (services/tasks/periods.py decides who may do what) ---------------------

    @abstractmethod
    def add_period_report(
        self, report: PeriodReport, actor: User, now: datetime, authorize=None
    ) -> PeriodReport:
        """Store a new periodic report (its id BC-0001 ... assigned) and its history row; never
        overwrites an earlier report. `authorize(fresh_task, reports_of_that_task)` is called on
        the task as read now and may raise PermissionDenied or ValidationError."""

    @abstractmethod
    def decide_period_report(
        self, seen: PeriodReport, decision: dict, actor: User, now: datetime
    ) -> PeriodReport:
        """Confirm or return (`decision`: state, note) the report the officer saw; one decided
        or changed meanwhile raises ReportDecided and nothing is written."""

    def history(self, task_id: str | None = None) -> list[Change]:
        """The whole history (of one task), oldest first."""
        changes = self.load().history
        return [c for c in changes if task_id is None or c.task_id == task_id]


# What the app's loads carry (services/ui/session): the dashboard's 7-day deltas and its 30-day
# update window, with a margin. Older rows are read on demand (a task's history, the whole log, a
# report as of an earlier day).
RECENT_HISTORY_DAYS = 62


def history_cutoff(tz: str, days: int | None, now: datetime | None = None) -> datetime | None:
    """Local midnight `days` days ago (None: no cutoff, the whole history)."""
    if days is None:
        return None
    today = now_local(tz, now).date()
    return datetime.combine(today - timedelta(days=days), time.min, ZoneInfo(tz))


# --- shared rules ---------------------------------------------------------------------------


def plan_update(
    fresh: Task,
    seen: Task,
    changes: dict,
    actor: User,
    now: datetime,
    authorize=None,
    names=lambda code: code,
) -> tuple[Task, list[str], list[Change]]:
    """(new task, changed fields, history rows) for a save; raises on conflict or refusal."""
    now = now.replace(microsecond=0)  # the sheet keeps seconds: a re-read must compare equal
    if authorize is not None:
        authorize(fresh)  # first: a task reassigned to another agency is refused as such
    differing = [f for f in TASK_FIELDS if getattr(fresh, f) != getattr(seen, f)]
    if differing:
        raise ConflictError(fresh, differing)
    unknown = (
        set(changes)
        - set(EDITABLE_FIELDS)
        - set(CYCLE_FIELDS)
        - {"lead", "partners", "deadline", "content", "section", "directive_id"}
    )
    if unknown:
        raise ValueError(f"unknown task fields: {sorted(unknown)}")
    changed = [f for f in TASK_FIELDS if f in changes and changes[f] != getattr(fresh, f)]
    if not changed:
        return fresh, [], []
    new = replace(fresh, **{f: changes[f] for f in changed}, updated_at=now, updated_by=actor.email)
    change_id = uuid.uuid4().hex
    rows = [
        Change(
            at=now,
            change_id=change_id,
            task_id=fresh.id,
            field=FIELD_LABELS[f],
            old=str(task_cell(fresh, f, names)),
            new=str(task_cell(new, f, names)),
            actor=actor.email,
            actor_agency=actor.agency,
        )
        for f in changed
    ]
    return new, changed, rows


def record_change(task_id: str, actor: User, now: datetime, label: str, text: str) -> Change:
    """The history row of a request, a periodic report or a decision on one (the task's own
    changes have their rows)."""
    return Change(
        at=now.replace(microsecond=0),
        change_id=uuid.uuid4().hex,
        task_id=task_id,
        field=label,
        old="",
        new=text,
        actor=actor.email,
        actor_agency=actor.agency,
    )


def plan_request(
    fresh_task: Task,
    requests: list[Request],
    request: Request,
    existing_ids: list[str],
    actor: User,
    now: datetime,
    authorize=None,
) -> tuple[Request, Change]:
    """(the request with its id and time, its history row); raises what `authorize` raises."""
    if authorize is not None:
        authorize(fresh_task, requests)
    now = now.replace(microsecond=0)
    request = replace(
        request,
        id=request.id or next_ids(existing_ids, "DX", 1)[0],
        state=WAITING,
        requested_by=actor.email,
        requested_at=now,
    )
    label = f"Đề xuất {REQUEST_KINDS[request.kind].lower()}"
    what = (
        format_date(request.proposed_deadline)
        if request.kind == EXTENSION
        else request.proposed_agency
    )
    text = f"{request.id}: {what} — {request.reason}"
    return request, record_change(request.task_id, actor, now, label, text)


def plan_decision(
    fresh: Request, seen: Request, decision: dict, actor: User, now: datetime
) -> tuple[Request, Change]:
    """(the decided request, its history row); RequestDecided when it is no longer waiting."""
    if fresh.state != WAITING or fresh != seen:
        raise RequestDecided(fresh)
    now = now.replace(microsecond=0)
    decided = replace(fresh, **decision, decided_by=actor.email, decided_at=now)
    text = REQUEST_STATES[decided.state] + (f" — {decided.note}" if decided.note else "")
    return decided, record_change(
        decided.task_id, actor, now, "Quyết định đề xuất", f"{decided.id}: {text}"
    )


def plan_period_report(
    fresh_task: Task | None,  # None: no authorisation to run (generated demo data)
    reports: list[PeriodReport],
    report: PeriodReport,
    existing_ids: list[str],
    actor: User,
    now: datetime,
    authorize=None,
) -> tuple[PeriodReport, Change]:
    """(the report with its id and time, its history row); raises what `authorize` raises."""
    if authorize is not None:
        authorize(fresh_task, reports)
    now = now.replace(microsecond=0)
    report = replace(
        report,
        id=report.id or next_ids(existing_ids, "BC", 1)[0],
        state=REPORT_WAITING,
        submitted_by=actor.email,
        submitted_at=now,
        decided_by="",
        decided_at=None,
        note="",
    )
    text = f"{report.id} ({report.period}): {report.content}"
    return report, record_change(report.task_id, actor, now, "Báo cáo kỳ", text)


def plan_report_decision(
    fresh: PeriodReport, seen: PeriodReport, decision: dict, actor: User, now: datetime
) -> tuple[PeriodReport, Change]:
    """(the decided report, its history row); ReportDecided when it is no longer waiting."""
    if fresh.state != REPORT_WAITING or fresh != seen:
        raise ReportDecided(fresh)
    now = now.replace(microsecond=0)
    decided = replace(fresh, **decision, decided_by=actor.email, decided_at=now)
    text = REPORT_STATES[decided.state] + (f" — {decided.note}" if decided.note else "")
    text = f"{decided.id} ({decided.period}): {text}"
    return decided, record_change(decided.task_id, actor, now, "Xử lý báo cáo kỳ", text)


def check_fresh_user(actor: User, fresh: User | None) -> None:
    """Authorise against the user row read with the task row, not the cached one: a user removed
    from NguoiDung, or whose role or agency changed, is refused at once."""
    if fresh is None:
        raise PermissionDenied(
            f"Tài khoản {actor.email} không còn trong danh sách người dùng (trang NguoiDung); "
            "không lưu được. Hãy liên hệ Văn phòng nếu đây là nhầm lẫn."
        )
    if (fresh.role, fresh.agency) != (actor.role, actor.agency):
        raise PermissionDenied(
            f"Quyền của tài khoản {actor.email} vừa được thay đổi; hãy tải lại trang rồi thử lại."
        )


def creation_changes(tasks: list[Task], actor: User, names=lambda code: code) -> list[Change]:
    """One history row per added task (who added it, when, for which agency), so that every
    "Cập nhật lúc" of a task has its row in the history (checks.history_findings relies on it)."""
    return [
        Change(
            at=t.updated_at,  # type: ignore[arg-type]  # set by the store that adds the task
            change_id=uuid.uuid4().hex,
            task_id=t.id,
            field=CREATED,
            old="",
            new=names(t.lead),
            actor=actor.email,
            actor_agency=actor.agency,
        )
        for t in tasks
    ]


def next_ids(existing: list[str], prefix: str, count: int, width: int = 4) -> list[str]:
    """`count` fresh ids after the highest `PREFIX-nnnn` in use."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    top = max((int(m[1]) for i in existing if (m := pattern.match(i))), default=0)
    return [f"{prefix}-{n:0{width}d}" for n in range(top + 1, top + 1 + count)]


def assign_ids(
    tasks: list[Task], existing_ids: list[str], directive_id: str | None = None
) -> list[Task]:
    fresh = iter(next_ids(existing_ids, "NV", sum(1 for t in tasks if not t.id)))
    out = []
    for t in tasks:
        t = replace(t, id=t.id or next(fresh))
        out.append(replace(t, directive_id=directive_id) if directive_id else t)
    taken = set(existing_ids)
    for t in out:
        if t.id in taken:
            raise StoreError(f"Mã nhiệm vụ {t.id} đã tồn tại.")
        taken.add(t.id)
    return out
