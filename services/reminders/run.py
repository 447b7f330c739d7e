"""A reminder run: build today's digests, send each to the recipients who have not had it today,
and record every attempt in the store's ledger (NhacViec / reminders). Never twice, never lost:

- a recipient with a delivery recorded for the day is never sent that day's digest again, so a
  rerun the same day sends nothing new (and a recipient that failed is retried);
- nothing is sent when the ledger cannot be written (an old workbook without NhacViec);
- SQL stores record each message's rows as soon as the server answered (a process killed
  mid-run resends at most the message in flight, with the same Message-ID); the Google Sheet
  records the whole run in ONE values.append at the end (also on SIGTERM and on any error), so a
  run costs 1 read and 1 write request; only a SIGKILL between a send and that write can resend;
- the run starts no new message after [email] run_seconds; what is left goes at the next run;
- an agency with nothing to report gets no mail unless [email] send_empty = true.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime

from services.config import Settings
from services.domain.dates import format_date
from services.domain.errors import AppError, PermissionDenied, StoreError
from services.domain.model import LEADERS_DIGEST, ROLE_ADMIN, SENT, Delivery, User, now_local
from services.reminders.digest import Digest, build_digests, delivered, failed_before
from services.reminders.mail import MailError, SmtpSender, build_message, message_id

NOTHING = "không có gì cần nhắc"
NO_RECIPIENT = "không có người nhận (chưa có người dùng hoạt động hoặc email cơ quan)"
DONE_TODAY = "đã gửi hôm nay cho mọi người nhận"
OUT_OF_TIME = "hết thời gian của lần chạy: gửi ở lần chạy sau"
NOT_RECORDED = "không ghi được sổ nhắc việc: dừng gửi"


@dataclass
class Planned:
    digest: Digest
    pending: tuple[str, ...]  # recipients who have not had today's digest
    retried: tuple[str, ...] = ()  # of those, the ones that failed earlier today
    skipped: str = ""  # why nothing is sent ("" = to be sent)
    results: dict[str, str] = field(default_factory=dict)  # recipient -> SENT / "Lỗi: ..."


@dataclass
class Report:
    day: date
    planned: list[Planned]
    dry_run: bool = False
    problems: list[str] = field(default_factory=list)  # run-wide failures
    unrecorded: list[Delivery] = field(default_factory=list)  # sent but not in the ledger

    @property
    def sent(self) -> list[tuple[str, str]]:
        return [(p.digest.key, r) for p in self.planned for r, v in p.results.items() if v == SENT]

    @property
    def failed(self) -> list[tuple[str, str, str]]:
        return [
            (p.digest.key, r, v) for p in self.planned for r, v in p.results.items() if v != SENT
        ]

    @property
    def exit_code(self) -> int:
        if self.problems or self.unrecorded:
            return 2
        left = any(p.skipped in (OUT_OF_TIME, NOT_RECORDED) for p in self.planned)
        return 1 if self.failed or left else 0

    def lines(self) -> list[str]:
        when = format_date(self.day)
        out = [
            f"Nhắc việc ngày {when}{' (chạy thử: không gửi, không ghi)' if self.dry_run else ''}"
        ]
        for p in self.planned:
            d = p.digest
            head = f"- {d.name} [{d.key}]: {d.count} mục"
            if p.skipped:
                out.append(f"{head} — bỏ qua: {p.skipped}")
                continue
            if self.dry_run:
                out.append(f"{head} — sẽ gửi tới {', '.join(p.pending)}")
                out.append(f"  Tiêu đề: {d.subject}")
                continue
            ok = [r for r, v in p.results.items() if v == SENT]
            out.append(f"{head} — đã gửi {len(ok)}/{len(p.pending)}: {', '.join(ok) or '-'}")
            for r, v in p.results.items():
                if v != SENT:
                    out.append(f"  ! {r}: {v} (sẽ gửi lại ở lần chạy sau)")
            if p.retried:
                out.append(f"  (gửi lại cho người nhận bị lỗi lần trước: {', '.join(p.retried)})")
        out += [f"LỖI: {x}" for x in self.problems]
        if self.unrecorded:
            out.append(
                f"LỖI: {len(self.unrecorded)} thư đã gửi nhưng chưa ghi được vào sổ nhắc việc "
                "(lần chạy sau có thể gửi lại): "
                + ", ".join(f"{d.agency}/{d.recipient}" for d in self.unrecorded)
            )
        if not self.dry_run:
            out.append(f"Tổng: đã gửi {len(self.sent)} người nhận, lỗi {len(self.failed)}.")
        return out


def plan(snap, settings: Settings, day: date, only: str | None = None) -> list[Planned]:
    """Today's digests and who still has to get each (nothing sent, nothing written)."""
    digests = build_digests(
        snap, day, settings.urgency, settings.base_url, settings.email.leaders, settings.timezone
    )
    if only is not None:
        digests = [d for d in digests if d.key.lower() == only.lower()]
        if not digests:
            raise AppError(
                f"Không có cơ quan mã «{only}» đang hoạt động (mã của thư lãnh đạo: "
                f"{LEADERS_DIGEST})."
            )
    done, retry = delivered(snap.deliveries, day), failed_before(snap.deliveries, day)
    out = []
    for d in digests:
        pending = tuple(r for r in d.recipients if (d.key, r) not in done)
        skipped = ""
        if not d.count and not settings.email.send_empty:
            skipped = NOTHING
        elif not d.recipients:
            skipped = NO_RECIPIENT
        elif not pending:
            skipped = DONE_TODAY
        retried = tuple(r for r in pending if (d.key, r) in retry)
        out.append(Planned(d, pending, retried, skipped))
    return out


def run(
    store,
    settings: Settings,
    day: date | None = None,
    dry_run: bool = False,
    only: str | None = None,
    sender=None,
    clock=time.monotonic,
    now: datetime | None = None,
) -> Report:
    """One run. `sender` (tests) defaults to an SmtpSender on [email]; `now` (tests) is the
    current time, whose date in the office's time zone is the digest's day."""
    started = clock()
    snap = store.load(history=False)  # a digest needs no history: one read on a Sheet
    day = day or now_local(settings.timezone, now).date()
    report = Report(day, plan(snap, settings, day, only), dry_run)
    todo = [p for p in report.planned if not p.skipped]
    if dry_run or not todo:
        return report
    problem = store.can_record_deliveries()
    if problem:
        report.problems.append(f"{problem} Chưa gửi thư nào (để không gửi trùng).")
        return report
    if not settings.email.configured and sender is None:
        report.problems.append("Chưa cấu hình [email] host và from: chưa gửi thư nào.")
        return report
    batched = getattr(store, "batch_deliveries", False)
    buffer: list[Delivery] = []
    sender = sender or SmtpSender(settings.email)
    try:
        with sender:
            for p in todo:
                if clock() - started > settings.email.run_seconds:
                    p.skipped = OUT_OF_TIME
                    continue
                msg = build_message(p.digest, p.pending, settings.email)
                p.results = sender.send(msg, p.pending)
                at = now_local(settings.timezone).replace(microsecond=0)
                rows = [
                    Delivery(
                        day,
                        p.digest.key,
                        r,
                        p.digest.count,
                        message_id(p.digest, settings.email.sender),
                        result,
                        at,
                    )
                    for r, result in p.results.items()
                ]
                if batched:
                    buffer += rows
                    continue
                try:
                    store.record_deliveries(rows)
                except StoreError as e:
                    report.unrecorded += [r for r in rows if r.ok]
                    report.problems.append(f"Không ghi được sổ nhắc việc: {e}")
                    for rest in todo[todo.index(p) + 1 :]:
                        rest.skipped = NOT_RECORDED
                    break
    except MailError as e:
        report.problems.append(str(e))
    finally:
        if buffer:
            try:
                store.record_deliveries(buffer)
            except StoreError as e:
                report.unrecorded += [r for r in buffer if r.ok]
                report.problems.append(f"Không ghi được sổ nhắc việc: {e}")
    return report


def send_one(store, settings: Settings, code: str, actor: User, sender=None) -> Report:
    """An admin sends one agency's digest of today by hand (the same rules as the daily run:
    who already had it today is not sent it again)."""
    if actor.role != ROLE_ADMIN:
        raise PermissionDenied("Chỉ Quản trị được gửi thư nhắc việc.")
    return run(store, settings, only=code, sender=sender)


def preview(snap, settings: Settings, day: date | None = None) -> list[Planned]:
    """What today's run would send (for Quản trị)."""
    return plan(snap, settings, day or now_local(settings.timezone).date())


def parse_day(text: str) -> date:
    from services.domain.dates import parse_date

    value = parse_date(text)
    if value is None:
        raise AppError("Thiếu ngày (dd/mm/yyyy).")
    return value
