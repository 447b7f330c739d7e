"""What each reminder e-mail says, built from one snapshot as of the office's local date.

A digest is a list of sections; each section is built by one small function of a `Context`
(the snapshot, the day, the agencies covered, the last digest's time). An agency's digest is
`AGENCY_SECTIONS`, the leaders' one `LEADER_SECTIONS`; a new kind of reminder is one more function
appended to the tuple (the periodic reports owed are `missing_reports`).

Everything here is plain data: the e-mail's HTML and text are made in mail.py, which escapes
every user string. Sections hold user text as it is (never markdown or HTML).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pandas as pd

from services.dashboard.periods import period_frame
from services.domain import urgency
from services.domain.agencies import AgencyIndex
from services.domain.dates import format_date
from services.domain.model import (
    DEFAULT_TIMEZONE,
    DONE,
    EXTENSION,
    LEADERS_DIGEST,
    PENDING,
    REQUEST_KINDS,
    REQUEST_STATES,
    ROLE_LEADER,
    WAITING,
    Delivery,
    Snapshot,
    Task,
)
from services.domain.periods import MISSING

LEADERS_NAME = "Lãnh đạo UBND tỉnh"
FIRST_LOOKBACK_DAYS = 7  # answered requests, when an agency never had a digest yet
REPEATED_RETURNS = 2  # a task returned this many times is an exception for the leaders


@dataclass(frozen=True)
class Item:
    text: str  # the task's content or the request's reason (user data: escaped in HTML)
    detail: str  # what to know at a glance: due date, days late, decision (built here)
    task_id: str = ""
    link: str = ""  # the task (or page) in the app; "" without [app] base_url


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...]
    colour: str = "#1f2937"
    note: str = ""  # one line under the title


@dataclass(frozen=True)
class Digest:
    key: str  # agency code, or LEADERS_DIGEST
    name: str  # agency name, or LEADERS_NAME
    day: date
    sections: tuple[Section, ...]
    recipients: tuple[str, ...] = ()  # everyone who should get it today
    summary: tuple[tuple[str, int], ...] = ()  # the leaders' counts
    base_url: str = ""

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.sections)

    @property
    def subject(self) -> str:
        when = format_date(self.day)
        if self.key == LEADERS_DIGEST:
            return f"[Nhắc việc] Tổng hợp ngày {when}: {self.count} mục cần chỉ đạo"
        return f"[Nhắc việc] {self.name}: {self.count} mục cần chú ý ngày {when}"


@dataclass(frozen=True)
class Context:
    snapshot: Snapshot
    as_of: date
    limits: urgency.Thresholds
    base_url: str = ""
    codes: frozenset[str] = frozenset()  # the agency and those merged into it
    since: datetime | None = None  # the last digest this agency was sent
    names: Callable[[str], str] = field(default=lambda code: code)
    periods: pd.DataFrame | None = None  # the counted periods, computed once per run


# --- links -----------------------------------------------------------------------------------


def link(base_url: str, page: str, **params) -> str:
    if not base_url:
        return ""
    query = f"?{urlencode(params)}" if params else ""
    return f"{base_url}/{quote(page)}{query}"


def task_link(ctx: Context, task: Task) -> str:
    return link(ctx.base_url, "my_tasks", task=task.id)


# --- an agency's sections --------------------------------------------------------------------


def _open_tasks(ctx: Context) -> list[Task]:
    return [t for t in ctx.snapshot.active().tasks if t.lead in ctx.codes]


def _due_detail(task: Task, as_of: date) -> str:
    assert task.deadline is not None  # only urgent tasks, which have a deadline, come here
    days = (as_of - task.deadline).days
    due = f"Hạn {format_date(task.deadline)}"
    if days > 0:
        return f"{due} · quá hạn {days} ngày"
    if days == 0:
        return f"{due} · đến hạn hôm nay"
    return f"{due} · còn {-days} ngày"


def _urgency_section(level: str, key: str, note: str):
    def build(ctx: Context) -> Section | None:
        tasks = sorted(
            (t for t in _open_tasks(ctx) if urgency.task_level(t, ctx.as_of, ctx.limits) == level),
            key=lambda t: (t.deadline, t.id),
        )
        items = tuple(
            Item(t.content, _due_detail(t, ctx.as_of), t.id, task_link(ctx, t)) for t in tasks
        )
        return Section(key, level, items, urgency.COLOURS[level], note) if items else None

    build.__name__ = key
    return build


serious = _urgency_section(
    urgency.SERIOUS, "serious", "Quá hạn nhiều ngày: đề nghị báo cáo ngay tiến độ và lý do."
)
late = _urgency_section(urgency.LATE, "late", "Đã quá hạn hoàn thành.")
soon = _urgency_section(urgency.SOON, "soon", "Đến hạn trong vài ngày tới.")


def returned(ctx: Context) -> Section | None:
    """Completions the office returned as not done (the reason shown until it reports again)."""
    tasks = [
        t
        for t in _open_tasks(ctx)
        if t.returns and t.return_reason and t.status not in (DONE, PENDING)
    ]
    items = tuple(
        Item(
            t.content,
            f"Bị trả lại {t.returns} lần · Lý do: {t.return_reason}",
            t.id,
            task_link(ctx, t),
        )
        for t in sorted(tasks, key=lambda t: t.id)
    )
    if not items:
        return None
    return Section(
        "returned", "Bị trả lại", items, "#7c3aed", "Văn phòng chưa xác nhận hoàn thành."
    )


def answered(ctx: Context) -> Section | None:
    """The agency's requests (gia hạn, giao lại) decided since its last digest."""
    since = ctx.since or datetime.combine(
        ctx.as_of - timedelta(days=FIRST_LOOKBACK_DAYS), time(), ZoneInfo("UTC")
    )
    snap = ctx.snapshot
    found = []
    for r in snap.requests:
        task = snap.task(r.task_id)
        mine = r.agency in ctx.codes or (task is not None and task.lead in ctx.codes)
        if not mine or r.state == WAITING or r.decided_at is None or r.decided_at <= since:
            continue
        what = REQUEST_KINDS[r.kind]
        if r.kind == EXTENSION and r.proposed_deadline:
            what += f" đến {format_date(r.proposed_deadline)}"
        detail = f"{r.id} · {what}: {REQUEST_STATES[r.state]}"
        if r.note:
            detail += f" · Ý kiến: {r.note}"
        text = task.content if task else r.reason
        found.append(
            (
                r.decided_at,
                Item(text, detail, r.task_id, link(ctx.base_url, "my_tasks", task=r.task_id)),
            )
        )
    items = tuple(item for _, item in sorted(found, key=lambda x: x[0]))
    if not items:
        return None
    return Section("answered", "Đề xuất đã có kết quả", items, "#2563eb")


def missing_reports(ctx: Context) -> Section | None:
    """Periodic reports the agency owes: past their due date, or due within the next days."""
    frame = ctx.periods
    if frame is None or frame.empty:
        return None
    mine = frame[frame["agency"].isin(ctx.codes)]
    owed = mine[(mine["status"] == MISSING) | (mine["level"] == urgency.SOON)]
    if owed.empty:
        return None
    owed = owed.sort_values(["days_late", "task_id"], ascending=[False, True], kind="stable")
    snap = ctx.snapshot
    items = []
    for row in owed.itertuples():
        task = snap.task(row.task_id)
        late = f"quá hạn {row.days_late} ngày" if row.days_late else "sắp đến hạn"
        detail = f"Kỳ {row.period_label} · hạn {format_date(row.due)} · {late}"
        items.append(
            Item(
                task.content if task else row.task_id,
                detail,
                row.task_id,
                link(ctx.base_url, "my_tasks", task=row.task_id),
            )
        )
    worst = urgency.LATE if (owed["status"] == MISSING).any() else urgency.SOON
    return Section(
        "periods",
        "Báo cáo định kỳ chưa nộp",
        tuple(items),
        urgency.COLOURS[worst],
        "Gửi báo cáo kỳ ở Nhiệm vụ của tôi → Báo cáo định kỳ.",
    )


AGENCY_SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    serious,
    late,
    soon,
    missing_reports,
    returned,
    answered,
)


# --- the leaders' sections -------------------------------------------------------------------


def _agency_link(ctx: Context, code: str) -> str:
    return link(ctx.base_url, "agency", agency=code)


def serious_all(ctx: Context) -> Section | None:
    tasks = sorted(
        (
            t
            for t in ctx.snapshot.active().tasks
            if urgency.task_level(t, ctx.as_of, ctx.limits) == urgency.SERIOUS
        ),
        key=lambda t: (t.deadline, t.id),
    )
    items = tuple(
        Item(
            t.content,
            f"{ctx.names(t.lead)} · {_due_detail(t, ctx.as_of)}",
            t.id,
            _agency_link(ctx, t.lead),
        )
        for t in tasks
    )
    if not items:
        return None
    return Section("serious", urgency.SERIOUS, items, urgency.COLOURS[urgency.SERIOUS])


def waiting_requests(ctx: Context) -> Section | None:
    snap = ctx.snapshot
    items = []
    for r in sorted(snap.requests, key=lambda r: r.id):
        task = snap.task(r.task_id)
        if r.state != WAITING or task is None or task.is_withdrawn:
            continue
        what = REQUEST_KINDS[r.kind]
        if r.kind == EXTENSION and r.proposed_deadline:
            what += f" đến {format_date(r.proposed_deadline)}"
        since = f" · từ {format_date(r.requested_at.date())}" if r.requested_at else ""
        items.append(
            Item(
                task.content,
                f"{r.id} · {ctx.names(r.agency or task.lead)} đề xuất {what.lower()}{since}",
                r.task_id,
                link(ctx.base_url, "queue"),
            )
        )
    if not items:
        return None
    return Section("waiting", "Đề xuất chờ quyết định", tuple(items), "#2563eb")


def returned_repeatedly(ctx: Context) -> Section | None:
    tasks = [
        t for t in ctx.snapshot.active().tasks if t.returns >= REPEATED_RETURNS and t.status != DONE
    ]
    items = tuple(
        Item(
            t.content,
            f"{ctx.names(t.lead)} · bị trả lại {t.returns} lần",
            t.id,
            _agency_link(ctx, t.lead),
        )
        for t in sorted(tasks, key=lambda t: t.id)
    )
    if not items:
        return None
    return Section("returned", "Bị trả lại nhiều lần", items, "#7c3aed")


def agencies_missing_reports(ctx: Context) -> Section | None:
    """Per agency, the periodic reports owed past their due date."""
    frame = ctx.periods
    if frame is None or frame.empty:
        return None
    late = frame[frame["status"] == MISSING].groupby("agency").size().sort_values(ascending=False)
    if late.empty:
        return None
    items = tuple(
        Item(ctx.names(code), f"{int(n)} kỳ báo cáo quá hạn chưa nộp", "", _agency_link(ctx, code))
        for code, n in late.items()
    )
    return Section(
        "agency_periods", "Cơ quan chưa nộp báo cáo định kỳ", items, urgency.COLOURS[urgency.LATE]
    )


LEADER_SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    serious_all,
    waiting_requests,
    agencies_missing_reports,
    returned_repeatedly,
)


def leader_summary(ctx: Context) -> tuple[tuple[str, int], ...]:
    tasks = ctx.snapshot.active().tasks
    levels = [urgency.task_level(t, ctx.as_of, ctx.limits) for t in tasks]
    return (
        ("Nhiệm vụ đang theo dõi", len(tasks)),
        ("Hoàn thành", sum(1 for t in tasks if t.status == DONE)),
        ("Chờ xác nhận", sum(1 for t in tasks if t.status == PENDING)),
        (urgency.SOON, levels.count(urgency.SOON)),
        (urgency.LATE, levels.count(urgency.LATE)),
        (urgency.SERIOUS, levels.count(urgency.SERIOUS)),
        ("Đề xuất chờ quyết định", sum(1 for r in ctx.snapshot.requests if r.state == WAITING)),
    )


# --- recipients and the ledger ---------------------------------------------------------------


def _unique(addresses) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for a in addresses:
        a = (a or "").strip().lower()
        if a and "@" in a and "\n" not in a and "\r" not in a:
            seen.setdefault(a, None)
    return tuple(seen)


def agency_recipients(snap: Snapshot, code: str, codes=()) -> tuple[str, ...]:
    """Active users of the agency (and of agencies merged into it, `codes`) who did not opt out,
    then the agency's own mailbox."""
    agency = snap.agency(code)
    codes = set(codes) | {code}
    users = [u.email for u in snap.users if u.agency in codes and u.active and u.reminders]
    return _unique([*users, agency.email if agency else ""])


def leader_recipients(snap: Snapshot, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    users = [u.email for u in snap.users if u.role == ROLE_LEADER and u.active and u.reminders]
    return _unique([*users, *extra])


def last_sent(deliveries, key: str, before: date) -> datetime | None:
    """When the last digest of `key` before `before` reached someone (None: never)."""
    times = [
        d.at or datetime.combine(d.day, time(), ZoneInfo("UTC"))
        for d in deliveries
        if d.ok and d.agency == key and d.day < before
    ]
    return max(times, default=None)


def delivered(deliveries, day: date) -> set[tuple[str, str]]:
    """(digest key, recipient) pairs already sent on `day`: never sent again that day."""
    return {(d.agency, d.recipient.lower()) for d in deliveries if d.ok and d.day == day}


def failed_before(deliveries: tuple[Delivery, ...], day: date) -> set[tuple[str, str]]:
    """(key, recipient) pairs that failed on `day` and were not delivered since: retried now."""
    return {
        (d.agency, d.recipient.lower()) for d in deliveries if not d.ok and d.day == day
    } - delivered(deliveries, day)


# --- building ----------------------------------------------------------------------------------


def build_digests(
    snap: Snapshot,
    as_of: date,
    limits: urgency.Thresholds = urgency.Thresholds(),
    base_url: str = "",
    leaders: tuple[str, ...] = (),
    tz: str = DEFAULT_TIMEZONE,
) -> list[Digest]:
    """Every agency's digest (active agencies, those merged into them included), then the
    leaders' one. Empty ones are kept: whether to send them is the run's choice."""
    index = AgencyIndex(snap.agencies)
    periods = period_frame(snap, as_of, limits, tz)  # one table for every digest of the run
    digests = []
    for agency in snap.agencies:
        if not agency.active or agency.successor:
            continue
        codes = frozenset(c for c in index.agencies if index.current(c) == agency.code) | {
            agency.code
        }
        ctx = Context(
            snap,
            as_of,
            limits,
            base_url,
            codes,
            last_sent(snap.deliveries, agency.code, as_of),
            index.name,
            periods,
        )
        sections = tuple(s for build in AGENCY_SECTIONS if (s := build(ctx)) is not None)
        digests.append(
            Digest(
                agency.code,
                agency.name,
                as_of,
                sections,
                agency_recipients(snap, agency.code, codes),
                base_url=base_url,
            )
        )
    ctx = Context(snap, as_of, limits, base_url, names=index.name, periods=periods)
    digests.append(
        Digest(
            LEADERS_DIGEST,
            LEADERS_NAME,
            as_of,
            tuple(s for build in LEADER_SECTIONS if (s := build(ctx)) is not None),
            leader_recipients(snap, leaders),
            leader_summary(ctx),
            base_url,
        )
    )
    return digests
