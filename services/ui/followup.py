"""The follow-up cycle's pieces of the agency's page (Nhiệm vụ của tôi): what is asked of it at
the top (tasks returned, answers to its requests) and, on one task, the forms to ask for more
time or to say the task belongs to another agency; and the office's confirm-or-return control,
the same for completions and periodic reports. The rules are in services.tasks."""

from __future__ import annotations

import streamlit as st

from services.domain.dates import format_date, format_datetime
from services.domain.model import (
    DONE,
    EXTENSION,
    PENDING,
    REQUEST_KINDS,
    REQUEST_STATES,
    WAITING,
    Request,
    Task,
    User,
)
from services.tasks import cycle
from services.ui import session, writes

RECENT_ANSWERS = 5


def request_line(r: Request) -> str:
    """One request as plain text: kind, task, what was asked, its state and the decision."""
    names = session.registry().name
    asked = (
        f"đến {format_date(r.proposed_deadline)}"
        if r.kind == EXTENSION
        else f"cho {names(r.proposed_agency)}"
    )
    line = f"{r.id} · {REQUEST_KINDS[r.kind]} {r.task_id} {asked} · {REQUEST_STATES[r.state]}"
    if r.state != WAITING:
        line += f" ({r.decided_by}, {format_datetime(r.decided_at)})"
        if r.note:
            line += f": {r.note}"
    return line


def inbox(user: User) -> None:
    """At the top of the agency's page: returned tasks, and its requests' answers."""
    found = cycle.agency_inbox(session.full_snapshot(), user.agency, session.registry())
    returned, requests = found["returned"], found["requests"]
    if returned:
        with st.container(border=True):
            st.markdown(
                f"**Văn phòng trả lại {len(returned)} nhiệm vụ** — báo cáo lại sau khi bổ sung:"
            )
            for t in returned:
                st.text(f"{t.id} (trả lại {t.returns} lần): {t.return_reason}")
    waiting = [r for r in requests if r.state == WAITING]
    answered = [r for r in requests if r.state != WAITING][:RECENT_ANSWERS]
    if waiting or answered:
        with st.expander(
            f"Đề xuất của cơ quan: {len(waiting)} chờ quyết định, {len(answered)} đã có trả lời",
            icon=":material/forum:",
            expanded=bool(answered),
        ):
            for r in [*waiting, *answered]:
                st.text(request_line(r))


def task_status(task: Task) -> None:
    """The cycle's state of one task, as plain text under its title."""
    lines = []
    if task.status == PENDING:
        lines.append("Đã báo cáo hoàn thành, đang chờ Văn phòng xác nhận.")
    if task.status == DONE:
        lines.append("Đã được xác nhận hoàn thành.")
    if task.return_reason and task.status != PENDING:
        lines.append(f"Văn phòng trả lại ({task.returns} lần): {task.return_reason}")
    if text := cycle.extension_text(task):
        lines.append(f"Hạn {format_date(task.deadline)}, {text}.")
    waiting = [
        r for r in session.full_snapshot().requests if r.task_id == task.id and r.state == WAITING
    ]
    lines += [f"Đang chờ quyết định: {request_line(r)}" for r in waiting]
    for line in lines:
        st.caption(line.replace("*", "\\*").replace("_", "\\_"))


def _field_error(errors: dict, name: str) -> None:
    if name in errors:
        st.error(errors[name], icon=":material/error:")


def request_forms(user: User, task: Task) -> None:
    """Ask for more time, or say the task belongs to another agency (lead agency only)."""
    if task.status in (DONE, PENDING) or task.is_withdrawn:
        return
    state = st.session_state
    keys = {kind: f"cycle_errors_{kind}_{task.id}" for kind in ("extend", "reassign")}
    shown = {kind: state.get(key, {}) for kind, key in keys.items()}
    with st.expander(
        "Đề xuất gia hạn hoặc đề nghị giao lại",
        icon=":material/schedule:",
        expanded=any(shown.values()),
    ):
        extend, reassign = st.tabs(["Đề xuất gia hạn", "Đề nghị giao lại"])
        errors, key = shown["extend"], keys["extend"]
        with extend, st.form(f"extend_{task.id}", enter_to_submit=False):
            _field_error(errors, "form")
            current = format_date(task.deadline) or "thường xuyên"
            st.caption(f"Hạn hiện tại: {current}.")
            new_deadline = st.date_input(
                "Hạn đề xuất", value=None, format="DD/MM/YYYY", key=f"ext_date_{task.id}"
            )
            _field_error(errors, "deadline")
            reason = st.text_area("Lý do", key=f"ext_reason_{task.id}", height=80)
            _field_error(errors, "reason")
            if st.form_submit_button("Gửi đề xuất gia hạn", type="primary"):
                _send(
                    key,
                    lambda actor: cycle.request_extension(
                        session.store(),
                        actor,
                        task,
                        new_deadline,
                        reason,
                        session.now(),
                        session.registry(),
                    ),
                )
        errors, key = shown["reassign"], keys["reassign"]
        with reassign, st.form(f"reassign_{task.id}", enter_to_submit=False):
            _field_error(errors, "form")
            agencies = {a.code: a.name for a in session.snapshot().agencies if a.active}
            suggested = st.selectbox(
                "Cơ quan đề nghị giao",
                [c for c in agencies if c != user.agency],
                index=None,
                format_func=lambda code: agencies.get(code, code),
                placeholder="Chọn cơ quan",
                key=f"re_agency_{task.id}",
            )
            _field_error(errors, "agency")
            reason = st.text_area("Lý do", key=f"re_reason_{task.id}", height=80)
            _field_error(errors, "reason")
            if st.form_submit_button("Gửi đề nghị giao lại", type="primary"):
                _send(
                    key,
                    lambda actor: cycle.request_reassignment(
                        session.store(),
                        actor,
                        task,
                        suggested or "",
                        reason,
                        session.now(),
                        session.registry(),
                    ),
                )


def _send(key: str, action) -> None:
    outcome = writes.attempt(action)
    if outcome.ok and outcome.value is not None:
        st.session_state.pop(key, None)
        st.toast(f"Đã gửi đề xuất {outcome.value.id}.", icon=":material/check_circle:")
        st.rerun()
    st.session_state[key] = outcome.errors or {"form": str(outcome.conflict)}
    st.rerun()


# --- the office's decisions (Chờ xử lý): one way for completions, periodic reports, requests ---


def decide(key: str, action, done: str, done_key: str = "queue_done") -> None:
    """A decision through the one write path; its refusal is kept for the item `key` (shown by
    decision_errors next to it), its success message under `done_key` for the next run."""
    outcome = writes.attempt(action)
    if outcome.ok:
        st.session_state.pop(f"err_{key}", None)
        st.session_state[done_key] = done
    else:
        st.session_state[f"err_{key}"] = outcome.errors or {"form": str(outcome.conflict)}
    st.rerun()


def decision_errors(key: str) -> None:
    for message in st.session_state.get(f"err_{key}", {}).values():
        st.error(message, icon=":material/error:")


def confirm_or_return(
    key: str, confirm, give_back, confirmed: str, returned: str, prefix: str = "", **where
) -> None:
    """Xác nhận / Lý do trả lại / Trả lại for one item: `confirm(actor)`, `give_back(actor,
    reason)` (a reason is required: the service says so next to it)."""
    decision_errors(key)
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    if left.button("Xác nhận", key=f"{prefix}ok_{key}", type="primary"):
        decide(key, confirm, confirmed, **where)
    reason = right.text_input("Lý do trả lại", key=f"{prefix}why_{key}")
    if st.button("Trả lại", key=f"{prefix}back_{key}"):
        decide(key, lambda actor: give_back(actor, reason), returned, **where)
