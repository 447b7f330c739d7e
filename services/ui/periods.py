"""The reporting periods' widgets: a task's card (its cycle, last report, next due day), the lead
agency's report form, the office's queue of reports to confirm or return, the office's cycle
setting, and the leaders' table per agency or directive. Rules live in services.tasks.periods and
services.dashboard.periods; data is shown as text (st.text), never as markdown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from services.dashboard import periods as read
from services.domain.dates import format_date, format_datetime
from services.domain.errors import ValidationError
from services.domain.model import REPORT_STATES, ROLE_AGENCY, PeriodReport, Task, User
from services.domain.periods import KIND_LABELS, fallback_start, period_label
from services.domain.text import shorten
from services.domain.urgency import COLOURS, level
from services.tasks import periods
from services.ui import followup, session, writes

SHOWN = 50


def _field_error(errors: dict, name: str) -> None:
    if name in errors:
        st.error(errors[name], icon=":material/error:")


def report_line(r: PeriodReport) -> str:
    line = f"{r.id} · kỳ {period_label(r.period).lower()} · gửi {format_datetime(r.submitted_at)} · {REPORT_STATES[r.state]}"
    if r.note:
        line += f" ({r.note})"
    return line + f"\n{shorten(r.content, 300)}"


def due_text(due, as_of) -> str:
    urgency = level(due, as_of, session.settings().urgency)
    return f"hạn {format_date(due)}" + (f" — {urgency}" if urgency else "")


def task_card(task: Task) -> None:
    """Under a task's title: its cycle, its last report and the next due day."""
    info = read.task_periods(session.full_snapshot(), task, session.today())
    if info.cycle is None and info.last is None:
        return
    lines = []
    if info.cycle is not None:
        lines.append(f"Kỳ báo cáo: {info.cycle.describe()}")
    if info.last is not None:
        lines.append(f"Báo cáo gần nhất: {report_line(info.last)}")
    elif info.cycle is not None:
        lines.append("Chưa có báo cáo kỳ nào.")
    if info.next is not None:
        lines.append(
            f"Kỳ cần báo cáo tiếp theo: {info.next.label}, {due_text(info.next.due, session.today())}"
        )
    st.text("\n".join(lines))


def returned(user: User) -> None:
    """At the top of the agency's page: its periodic reports the office returned."""
    found = periods.returned_reports(session.full_snapshot(), user.agency)
    if found:
        with st.container(border=True):
            st.markdown(f"**Văn phòng trả lại {len(found)} báo cáo kỳ** — hãy báo cáo lại:")
            for r in found:
                st.text(f"{r.task_id}, kỳ {period_label(r.period).lower()}: {r.note}")


def report_form(user: User, task: Task) -> None:
    """The lead agency reports on a period (the periods still owed, newest first)."""
    if user.role != ROLE_AGENCY or task.is_withdrawn:
        return
    snap = session.full_snapshot()
    today = session.today()
    owed = read.open_periods(snap, task, today)
    if not owed:
        return
    state = st.session_state
    key = f"period_errors_{task.id}"
    errors = state.get(key, {})
    with st.expander("Báo cáo định kỳ", icon=":material/event_repeat:", expanded=bool(errors)):
        with st.form(f"period_{task.id}", enter_to_submit=False):
            _field_error(errors, "form")
            labels = {p.key: f"{p.label} ({due_text(p.due, today)})" for p in owed}
            period = st.selectbox(
                "Kỳ báo cáo",
                list(labels),
                format_func=lambda k: labels.get(k, k),
                key=f"pr_period_{task.id}",
            )
            _field_error(errors, "period")
            content = st.text_area(
                "Nội dung báo cáo kỳ này", key=f"pr_content_{task.id}", height=100
            )
            _field_error(errors, "content")
            left, right = st.columns(2)
            evidence = left.text_input(
                "Minh chứng của kỳ",
                key=f"pr_evidence_{task.id}",
                placeholder="Số văn bản (123/BC-SNV) và/hoặc liên kết https://…",
            )
            with left:
                _field_error(errors, "evidence")
            progress = right.number_input(
                "Tiến độ kỳ này, % (không bắt buộc)",
                value=None,
                step=5.0,
                format="%g",
                key=f"pr_progress_{task.id}",
            )
            with right:
                _field_error(errors, "progress")
            if st.form_submit_button("Gửi báo cáo kỳ", type="primary"):
                outcome = writes.attempt(
                    lambda actor: periods.submit_report(
                        session.store(),
                        actor,
                        task,
                        period or "",
                        content,
                        evidence,
                        progress,
                        session.now(),
                        session.today(),
                        session.registry(),
                        fallback_start(snap, task),
                    )
                )
                if outcome.ok and outcome.value is not None:
                    state.pop(key, None)
                    for field in ("content", "evidence", "progress"):
                        state.pop(f"pr_{field}_{task.id}", None)
                    st.toast(
                        f"Đã gửi báo cáo kỳ {outcome.value.id}.", icon=":material/check_circle:"
                    )
                else:
                    state[key] = outcome.errors or {"form": str(outcome.conflict)}
                st.rerun()


def office_queue() -> int:
    """The office's tab: periodic reports to confirm or return. Returns how many wait."""
    snap, registry = session.full_snapshot(), session.registry()
    waiting = periods.waiting_reports(snap)
    state = st.session_state
    if message := state.pop("period_done", None):
        st.success(message, icon=":material/check_circle:")
    if not waiting:
        st.info("Không có báo cáo kỳ nào chờ xác nhận.")
    for r in waiting[:SHOWN]:
        task = snap.task(r.task_id)
        lead = registry.name(task.lead) if task else r.agency
        with st.container(border=True):
            st.text(f"{r.id} · {r.task_id} · {lead} · kỳ {period_label(r.period).lower()}")
            st.text(
                f"Nội dung: {r.content}\nMinh chứng: {r.evidence or '(trống)'}"
                + (f"\nTiến độ: {r.progress}%" if r.progress is not None else "")
                + f"\nNgười báo cáo: {r.submitted_by}, {format_datetime(r.submitted_at)}"
            )
            followup.confirm_or_return(
                r.id,
                lambda actor, r=r: periods.confirm_report(session.store(), actor, r, session.now()),
                lambda actor, why, r=r: periods.return_report(
                    session.store(), actor, r, why, session.now()
                ),
                f"Đã xác nhận báo cáo kỳ {r.id}.",
                f"Đã trả lại báo cáo kỳ {r.id}.",
                prefix="p",
                done_key="period_done",
            )
    if len(waiting) > SHOWN:
        st.caption(f"… và {len(waiting) - SHOWN} báo cáo khác.")
    return len(waiting)


def cycle_admin() -> None:
    """The office sets a reporting cycle for every task of a directive, or for one task."""
    snap = session.snapshot()
    state = st.session_state
    errors = state.get("cycle_errors", {})
    if message := state.pop("cycle_done", None):
        st.success(message, icon=":material/check_circle:")
    st.caption(
        "Kỳ báo cáo là cài đặt của Văn phòng (văn bản thường không ghi): ví dụ hằng tháng, "
        "hạn ngày 25. Để trống «Từ ngày» thì tính từ hôm nay."
    )
    directives = {d.id: f"{d.number} — {shorten(d.title, 70)}" for d in snap.directives}
    scope = st.radio(
        "Áp dụng cho", ("Mọi nhiệm vụ của một văn bản", "Một nhiệm vụ"), key="cycle_scope"
    )
    with st.form("cycle_form", enter_to_submit=False):
        _field_error(errors, "form")
        if scope == "Một nhiệm vụ":
            tasks = {t.id: f"{t.id} · {shorten(t.content, 70)}" for t in snap.tasks}
            target = st.selectbox(
                "Nhiệm vụ", list(tasks), format_func=lambda k: tasks.get(k, k), key="cycle_task"
            )
        else:
            target = st.selectbox(
                "Văn bản",
                list(directives),
                format_func=lambda k: directives.get(k, k),
                key="cycle_directive",
            )
        kinds = ["", *KIND_LABELS.values()]
        kind = st.selectbox(
            "Kỳ báo cáo",
            kinds,
            format_func=lambda k: k or "Không có (bỏ kỳ báo cáo)",
            key="cycle_kind",
        )
        _field_error(errors, "kind")
        left, right = st.columns(2)
        day = left.number_input("Hạn: ngày trong tháng (1–31)", value=25, step=1, key="cycle_day")
        with left:
            _field_error(errors, "day")
        month = right.number_input(
            "Tháng hạn (chỉ kỳ hằng năm, mặc định tháng 12)",
            value=None,
            step=1,
            key="cycle_month",
        )
        with right:
            _field_error(errors, "month")
        left, right = st.columns(2)
        start = left.date_input("Từ ngày", value=None, format="DD/MM/YYYY", key="cycle_start")
        end = right.date_input(
            "Đến ngày (không bắt buộc)", value=None, format="DD/MM/YYYY", key="cycle_end"
        )
        with right:
            _field_error(errors, "end")
        if st.form_submit_button("Lưu kỳ báo cáo", type="primary"):
            one = scope == "Một nhiệm vụ"

            def action(actor):
                cycle = periods.cycle_from_form(kind, day, start, end, month)
                if one:
                    task = snap.task(target or "")
                    if task is None:
                        raise ValidationError({"form": "Chọn một nhiệm vụ."})
                    periods.set_cycle(
                        session.store(), actor, task, cycle, session.now(), session.today()
                    )
                    return 1, []
                return periods.set_directive_cycle(
                    session.store(),
                    actor,
                    snap,
                    target or "",
                    cycle,
                    session.now(),
                    session.today(),
                )

            outcome = writes.attempt(action)
            if outcome.ok and outcome.value is not None:
                state.pop("cycle_errors", None)
                changed, refused = outcome.value
                state["cycle_done"] = f"Đã lưu kỳ báo cáo cho {changed} nhiệm vụ." + (
                    f" Chưa lưu được: {'; '.join(refused)}" if refused else ""
                )
            else:
                state["cycle_errors"] = outcome.errors or {"form": str(outcome.conflict)}
            st.rerun()


STATUS_HEADERS = {
    "cur_on_time": "Kỳ này: đúng hạn",
    "cur_late": "Kỳ này: muộn",
    "cur_missing": "Kỳ này: chưa báo cáo (quá hạn)",
    "cur_not_due": "Kỳ này: chưa đến hạn",
    "past_on_time": "Các kỳ trước: đúng hạn",
    "past_late": "Các kỳ trước: muộn",
    "past_missing": "Các kỳ trước: không báo cáo",
}


def status_table(frame: pd.DataFrame, by: str, table: pd.DataFrame | None = None) -> None:
    """Leaders: per agency (by="agency") or directive, the current and past periods' status;
    `table`, when given, is read.summary(frame, by) computed already."""
    if frame.empty:
        st.caption("Chưa có nhiệm vụ nào có kỳ báo cáo.")
        return
    snap, registry = session.snapshot(), session.registry()
    table = read.summary(frame, by) if table is None else table
    if by == "agency":
        names = table[by].map(registry.name)
        first = "Cơ quan"
    else:
        numbers = {d.id: d.number or d.id for d in snap.directives}
        names = table[by].map(lambda i: numbers.get(i, i))
        first = "Văn bản"
    shown = table[[c for c in STATUS_HEADERS if c in table.columns]].rename(columns=STATUS_HEADERS)
    shown.insert(0, first, names.astype(str))
    colour = COLOURS["Quá hạn"]
    styled = shown.style.map(
        lambda v: f"color: {colour}; font-weight: 600" if isinstance(v, int) and v else "",
        subset=[STATUS_HEADERS["cur_missing"], STATUS_HEADERS["past_missing"]],
    )
    st.dataframe(styled, hide_index=True)
