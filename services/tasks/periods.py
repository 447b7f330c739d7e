"""Reporting periods of ongoing tasks: the office sets a task's cycle (or every task of a directive
at once); the lead agency submits a periodic report for a period (content, evidence, optional
progress), each one its own record; the office confirms or returns it, like a completion.

Who may do what is checked here, on the rows as the store reads them at write time:
- only the office (admin) sets cycles, confirms and returns reports;
- only the lead agency (merged agencies followed to today's) reports, for a period counted so
  far (the current one or an earlier one still owed), one report waiting per period, none for a
  period already confirmed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from services.domain.agencies import AgencyIndex
from services.domain.errors import PermissionDenied, ValidationError
from services.domain.limits import MAX_EVIDENCE, MAX_RESULT
from services.domain.model import (
    REPORT_CONFIRMED,
    REPORT_RETURNED,
    REPORT_WAITING,
    ROLE_ADMIN,
    ROLE_AGENCY,
    Change,
    PeriodReport,
    Snapshot,
    Task,
    User,
    clean_text,
)
from services.domain.periods import (
    KIND_LABELS,
    Cycle,
    CycleError,
    parse_cycle,
    periods_until,
)
from services.stores.base import Store
from services.tasks.cycle import _reason, _require

KIND_BY_LABEL = {v: k for k, v in KIND_LABELS.items()}


def cycle_from_form(
    kind_label: str, day, start: date | None, end: date | None, month=None
) -> Cycle | None:
    """The cycle the office typed ("" kind = no cycle; `month` for a yearly report due before
    December); ValidationError per field."""
    if not kind_label:
        return None
    errors = {}
    kind = KIND_BY_LABEL.get(kind_label)
    if kind is None:
        errors["kind"] = "Chọn kỳ báo cáo: hằng tháng, hằng quý, 6 tháng hoặc hằng năm."
    try:
        number = int(day) if day is not None and float(day) == int(day) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not 1 <= number <= 31:
        errors["day"] = "Ngày hạn báo cáo là một số nguyên từ 1 đến 31."
    if start and end and end < start:
        errors["end"] = "Ngày kết thúc phải sau ngày bắt đầu."
    due_month = None
    if month not in (None, ""):
        try:
            due_month = int(month) if float(month) == int(month) else 0
        except (TypeError, ValueError):
            due_month = 0
        if kind != "yearly":
            errors["month"] = "Tháng hạn chỉ dùng cho kỳ hằng năm; để trống với kỳ khác."
        elif not 1 <= due_month <= 12:
            errors["month"] = "Tháng hạn là một số từ 1 đến 12."
    if errors:
        raise ValidationError(errors)
    assert kind is not None and number is not None  # both checked above
    return Cycle(kind, number, start, end, due_month or None)


def set_cycle(
    store: Store, actor: User, task: Task, cycle: Cycle | None, now: datetime, today: date
) -> list[Change]:
    """The office sets (or removes, with None) a task's reporting cycle. A cycle without a start
    starts today: nobody owes a report for a period that ended before it was asked."""
    _require(actor, (ROLE_ADMIN,), "đặt kỳ báo cáo")
    text = replace(cycle, start=cycle.start or today).text() if cycle else ""
    return store.update_task(task, {"cycle": text}, actor, now)


def set_directive_cycle(
    store: Store,
    actor: User,
    snapshot: Snapshot,
    directive_id: str,
    cycle: Cycle | None,
    now: datetime,
    today: date,
) -> tuple[int, list[str]]:
    """The same cycle for every active task of a directive, each conflict-checked with its
    history row (on Google Sheets written together: one read and one write). Returns (how many
    changed, messages of those refused)."""
    _require(actor, (ROLE_ADMIN,), "đặt kỳ báo cáo")
    text = replace(cycle, start=cycle.start or today).text() if cycle else ""
    tasks = [
        t
        for t in snapshot.tasks
        if t.directive_id == directive_id and not t.is_withdrawn and t.cycle != text
    ]
    results = store.update_many([(t, {"cycle": text}) for t in tasks], actor, now)
    refused = [f"{t.id}: {r}" for t, r in zip(tasks, results) if isinstance(r, Exception)]
    return sum(1 for r in results if r and not isinstance(r, Exception)), refused


# --- periodic reports --------------------------------------------------------------------------


def _progress(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({"progress": "Tiến độ là một số từ 0 đến 100."}) from None
    if number != int(number) or not 0 <= number <= 100:
        raise ValidationError({"progress": "Tiến độ là một số nguyên từ 0 đến 100."})
    return int(number)


def submit_report(
    store: Store,
    actor: User,
    task: Task,
    period: str,
    content: str,
    evidence: str,
    progress,
    now: datetime,
    today: date,
    registry: AgencyIndex,
    directive_start: date | None = None,
) -> PeriodReport:
    """The lead agency reports on a period of a task (a new record; nothing overwritten)."""
    errors = {}
    text = clean_text(content or "")
    if not text:
        errors["content"] = "Nhập nội dung báo cáo kỳ này."
    elif len(text) > MAX_RESULT:
        errors["content"] = f"Tối đa {MAX_RESULT:,} ký tự.".replace(",", ".")
    proof = clean_text(evidence or "")
    if len(proof) > MAX_EVIDENCE:
        errors["evidence"] = f"Tối đa {MAX_EVIDENCE:,} ký tự.".replace(",", ".")
    try:
        value = _progress(progress)
    except ValidationError as e:
        errors.update(e.errors)
        value = None
    if not period:
        errors["period"] = "Chọn kỳ báo cáo."
    if errors:
        raise ValidationError(errors)

    def authorize(fresh: Task, reports: list[PeriodReport]) -> None:
        if actor.role != ROLE_AGENCY or registry.current(fresh.lead) != actor.agency:
            raise PermissionDenied(
                f"Chỉ cơ quan chủ trì ({registry.name(fresh.lead)}) được báo cáo kỳ cho nhiệm "
                f"vụ {fresh.id}."
            )
        if fresh.is_withdrawn:
            raise PermissionDenied(f"Nhiệm vụ {fresh.id} đã được thu hồi.")
        try:
            cycle = parse_cycle(fresh.cycle)
        except CycleError as e:
            raise ValidationError({"form": str(e)}) from e
        if cycle is None:
            raise ValidationError({"form": f"Nhiệm vụ {fresh.id} không có kỳ báo cáo."})
        keys = {p.key for p in periods_until(cycle, today, directive_start)}
        if period not in keys:
            raise ValidationError({"period": "Kỳ này chưa đến hoặc không thuộc kỳ báo cáo."})
        same = [r for r in reports if r.period == period]
        if any(r.state == REPORT_CONFIRMED for r in same):
            raise ValidationError({"period": "Báo cáo kỳ này đã được Văn phòng xác nhận."})
        if any(r.state == REPORT_WAITING for r in same):
            raise ValidationError({"period": "Kỳ này đã có báo cáo đang chờ xác nhận."})

    report = PeriodReport(
        id="",
        task_id=task.id,
        period=period,
        content=text,
        evidence=proof,
        progress=value,
        agency=actor.agency,
    )
    return store.add_period_report(report, actor, now, authorize)


def confirm_report(store: Store, actor: User, seen: PeriodReport, now: datetime) -> PeriodReport:
    """The office confirms a periodic report."""
    _require(actor, (ROLE_ADMIN,), "xác nhận báo cáo kỳ")
    return store.decide_period_report(seen, {"state": REPORT_CONFIRMED, "note": ""}, actor, now)


def return_report(
    store: Store, actor: User, seen: PeriodReport, reason: str, now: datetime
) -> PeriodReport:
    """The office returns a periodic report with a reason; the period is owed again."""
    _require(actor, (ROLE_ADMIN,), "trả lại báo cáo kỳ")
    note = _reason(reason, what="lý do trả lại")
    return store.decide_period_report(seen, {"state": REPORT_RETURNED, "note": note}, actor, now)


def waiting_reports(snapshot: Snapshot) -> list[PeriodReport]:
    """Reports waiting for the office (of active tasks), oldest first."""
    live = {t.id for t in snapshot.tasks if not t.is_withdrawn}
    found = [r for r in snapshot.period_reports if r.state == REPORT_WAITING and r.task_id in live]
    return sorted(found, key=lambda r: (r.submitted_at or datetime.min, r.id))


def returned_reports(snapshot: Snapshot, agency: str) -> list[PeriodReport]:
    """An agency's reports returned by the office and not reported again since, newest first."""
    again = {(r.task_id, r.period) for r in snapshot.period_reports if r.state != REPORT_RETURNED}
    found = [
        r
        for r in snapshot.period_reports
        if r.agency == agency and r.state == REPORT_RETURNED and (r.task_id, r.period) not in again
    ]
    return sorted(found, key=lambda r: r.decided_at or datetime.min, reverse=True)
