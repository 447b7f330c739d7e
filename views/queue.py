"""Chờ xử lý: the office's queue (completions to confirm or return, requests to decide,
withdrawing and restoring tasks); leaders see the extension requests they may decide."""

import streamlit as st

from services.domain.dates import format_date, format_datetime
from services.domain.model import EXTENSION, REQUEST_KINDS, ROLE_ADMIN
from services.tasks import cycle
from services.tasks.periods import waiting_reports
from services.ui import followup, identity, periods, session, widgets

user = identity.require_role("queue")

SHOWN = 50  # items drawn per list; the rest follow once these are handled
snapshot, registry = session.full_snapshot(), session.registry()
state = st.session_state
st.title("Chờ xử lý")
if message := state.pop("queue_done", None):
    st.success(message, icon=":material/check_circle:")


run, errors_of = followup.decide, followup.decision_errors


def summary(task) -> str:
    return f"{task.id} · {registry.name(task.lead)} · hạn {format_date(task.deadline) or 'thường xuyên'}"


awaiting = cycle.awaiting_confirmation(snapshot) if user.role == ROLE_ADMIN else []
requests = cycle.waiting_requests(snapshot, user)
reports = waiting_reports(snapshot) if user.role == ROLE_ADMIN else []
titles = [f"Kết quả chờ xác nhận ({len(awaiting)})"] if user.role == ROLE_ADMIN else []
if user.role == ROLE_ADMIN:
    titles.append(f"Báo cáo kỳ chờ xác nhận ({len(reports)})")
titles.append(f"Đề xuất chờ quyết định ({len(requests)})")
if user.role == ROLE_ADMIN:
    titles.append(f"Thu hồi ({len(snapshot.withdrawn)} đã thu hồi)")
office = user.role == ROLE_ADMIN
keys = (["confirm", "periods"] if office else []) + ["requests"] + (["withdraw"] if office else [])
# the open tab is remembered by name: a decision's rerun changes the counts in the labels, and
# plain st.tabs would then open the first tab again (every tab is drawn, as before)
tabs = widgets.lazy_tabs(dict(zip(keys, titles, strict=True)), "queue_tab")

if "confirm" in tabs:
    with tabs["confirm"]:
        if not awaiting:
            st.info("Không có kết quả nào chờ xác nhận.")
        for task in awaiting[:SHOWN]:
            with st.container(border=True):
                st.markdown(f"**{summary(task)}**".replace("_", "\\_"))
                st.text(task.content[:500] + ("…" if len(task.content) > 500 else ""))
                st.text(
                    f"Kết quả: {task.result or '(trống)'}\nMinh chứng: {task.evidence or '(trống)'}"
                    f"\nNgày hoàn thành: {format_date(task.completed_on)}"
                    + (f"\nĐã trả lại {task.returns} lần" if task.returns else "")
                )
                followup.confirm_or_return(
                    task.id,
                    lambda actor, t=task: cycle.confirm(session.store(), actor, t, session.now()),
                    lambda actor, why, t=task: cycle.return_task(
                        session.store(), actor, t, why, session.now()
                    ),
                    f"Đã xác nhận hoàn thành {task.id}.",
                    f"Đã trả lại {task.id}.",
                )
        if len(awaiting) > SHOWN:
            st.caption(f"… và {len(awaiting) - SHOWN} kết quả khác.")

if "periods" in tabs:
    with tabs["periods"]:
        periods.office_queue()

with tabs["requests"]:
    if not requests:
        st.info("Không có đề xuất nào chờ quyết định.")
    for request in requests[:SHOWN]:
        task = snapshot.task(request.task_id)
        with st.container(border=True):
            kind = REQUEST_KINDS[request.kind]
            st.markdown(f"**{request.id} · {kind} · {summary(task)}**".replace("_", "\\_"))
            asked = (
                f"Hạn đề xuất: {format_date(request.proposed_deadline)} "
                f"(hạn hiện tại {format_date(task.deadline) or 'thường xuyên'}"
                + (f", {cycle.extension_text(task)}" if task.extensions else "")
                + ")"
                if request.kind == EXTENSION
                else f"Đề nghị giao cho: {registry.name(request.proposed_agency)}"
            )
            st.text(
                f"{asked}\nLý do: {request.reason}\n"
                f"Người đề xuất: {request.requested_by}, {format_datetime(request.requested_at)}"
            )
            errors_of(request.id)
            agency = ""
            if request.kind != EXTENSION:
                codes = [a.code for a in snapshot.agencies if a.active]
                chosen = registry.resolve(request.proposed_agency)
                agency = (
                    st.selectbox(
                        "Giao cho",
                        codes,
                        index=codes.index(chosen) if chosen in codes else None,
                        format_func=registry.name,
                        placeholder="Chọn cơ quan",
                        key=f"to_{request.id}",
                    )
                    or ""
                )
            note = st.text_input("Ý kiến (bắt buộc khi không chấp thuận)", key=f"note_{request.id}")
            left, right = st.columns(2)
            for approve, label, column in (
                (True, "Chấp thuận", left),
                (False, "Không chấp thuận", right),
            ):
                if column.button(
                    label, key=f"{approve}_{request.id}", type="primary" if approve else "secondary"
                ):
                    run(
                        request.id,
                        lambda actor, r=request, t=task, a=approve, n=note, g=agency: cycle.decide(
                            session.store(), actor, r, t, a, n, session.now(), registry, g
                        ),
                        f"Đã {'chấp thuận' if approve else 'không chấp thuận'} đề xuất {request.id}.",
                    )

if "withdraw" in tabs:
    with tabs["withdraw"]:
        st.caption(
            "Nhiệm vụ thu hồi không còn được tính trong số liệu, danh sách và báo cáo; vẫn giữ "
            "trong lịch sử và khôi phục được."
        )
        active = [t for t in snapshot.tasks if not t.is_withdrawn]
        labels = {t.id: f"{summary(t)} · {t.content[:60]}" for t in active}
        picked = st.selectbox(
            "Nhiệm vụ",
            list(labels),
            index=None,
            format_func=labels.get,
            key="wd_task",
            placeholder="Chọn nhiệm vụ cần thu hồi",
        )
        directives = {d.id: f"{d.number} – {d.title[:70]}" for d in snapshot.directives}
        directive = st.selectbox(
            "hoặc cả văn bản",
            list(directives),
            index=None,
            format_func=directives.get,
            key="wd_directive",
            placeholder="Chọn văn bản cần thu hồi",
        )
        reason = st.text_input("Lý do thu hồi", key="wd_reason")
        errors_of("withdraw")
        if st.button("Thu hồi", type="primary", disabled=not (picked or directive)):
            if picked:
                run(
                    "withdraw",
                    lambda actor: cycle.withdraw(
                        session.store(), actor, snapshot.task(picked), reason, session.now()
                    ),
                    f"Đã thu hồi {picked}.",
                )
            else:
                run(
                    "withdraw",
                    lambda actor: cycle.withdraw_directive(
                        session.store(), actor, snapshot, directive, reason, session.now()
                    ),
                    f"Đã thu hồi các nhiệm vụ của văn bản {directives[directive]}.",
                )
        if st.toggle("Hiện nhiệm vụ đã thu hồi", key="wd_show"):
            for task in snapshot.withdrawn[:SHOWN]:
                left, right = st.columns([4, 1], vertical_alignment="center")
                left.text(f"{summary(task)} — lý do: {task.withdrawn}")
                if right.button("Khôi phục", key=f"restore_{task.id}"):
                    run(
                        "withdraw",
                        lambda actor, t=task: cycle.restore(
                            session.store(), actor, t, session.now()
                        ),
                        f"Đã khôi phục {task.id}.",
                    )
