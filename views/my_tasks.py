"""Nhiệm vụ của tôi: an agency's own tasks (update one, or several at once), its partner tasks,
and each task's history. Admins see every task here."""

import pandas as pd
import streamlit as st

from services.dashboard import board as dashboard
from services.domain.dates import DateError, format_date, format_datetime, parse_date
from services.domain.errors import AppError, ConflictError, ValidationError
from services.domain.limits import MAX_RESULT, MAX_SEARCH
from services.domain.model import (
    AGENCY_STATUSES,
    CATEGORIES,
    DONE,
    FIELD_LABELS,
    PENDING,
    ROLE_ADMIN,
)
from services.domain.text import format_count, shorten
from services.reminders.prefs import set_reminders
from services.tasks.updates import UpdateInput, reapply, save_many
from services.ui import followup, identity, periods, session, widgets, writes

user = identity.require_role("my_tasks")

snapshot = session.snapshot()
registry = session.registry()
view = dashboard.agency_view(session.board_table())
if user.role == ROLE_ADMIN:
    st.title("Cập nhật nhiệm vụ")
    own = view
    partner = view.iloc[0:0]
else:
    agency_name = registry.name(user.agency)
    st.title(f"Nhiệm vụ của {widgets.md(agency_name)}")
    followup.inbox(user)  # returned tasks and answers to requests, first
    periods.returned(user)  # periodic reports returned by the office
    # an agency also carries the tasks of agencies merged into it (Sở TT&TT -> Sở KH&CN)
    own = view[view["agency"] == user.agency]
    partner = dashboard.partner_tasks(view, user.agency)

row = next((u for u in snapshot.users if u.email == user.email.lower()), None)
if row is not None and row.active:
    with st.expander("Nhận thư nhắc việc"):
        wanted = st.toggle(
            "Nhận thư nhắc việc hằng ngày (nhiệm vụ sắp đến hạn, quá hạn, bị trả lại)",
            value=row.reminders,
            key="reminders_opt_in",
        )
        if wanted != row.reminders:
            outcome = writes.attempt(lambda actor: set_reminders(session.store(), actor, wanted))
            for message in outcome.errors.values():
                st.error(widgets.md(message))
            if outcome.ok:
                st.success("Đã bật nhận thư." if wanted else "Đã tắt nhận thư nhắc việc.")

search_col, category_col = st.columns([2, 1])
query = search_col.text_input(
    "Tìm kiếm", placeholder="Mã NV, nội dung, kết quả… (không cần gõ dấu)", max_chars=MAX_SEARCH
)
categories = category_col.multiselect("Phân loại", CATEGORIES, placeholder="Tất cả")
own = dashboard.search_rows(own, query, ("id", "content", "result", "lead_name"))
if categories:
    own = own[own["category"].isin(categories)]
own = own.sort_values(
    ["days_late", "deadline", "id"],
    ascending=[False, True, True],
    na_position="last",
    kind="stable",
)  # the most overdue first

COLUMNS = {
    "id": "Mã NV",
    "directive_number": "Văn bản",
    "section": "Mục",
    "content": st.column_config.TextColumn("Nội dung nhiệm vụ", width="large"),
    "lead_name": "Chủ trì",
    "deadline": st.column_config.TextColumn("Hạn", width=90),  # dd/mm/yyyy or Thường xuyên
    "status": "Trạng thái",
    "progress": st.column_config.ProgressColumn(
        "Tiến độ", format="%d%%", min_value=0, max_value=100
    ),
    "category": "Phân loại",
}

one_tab, bulk_tab, partner_tab = st.tabs(
    [f"Chủ trì ({len(own)})", "Cập nhật nhiều nhiệm vụ", f"Phối hợp ({len(partner)})"]
)


# --- one task -----------------------------------------------------------------------------------

EDIT_FIELDS = ("status", "progress", "result", "evidence", "completed_on")


def _keys(task_id):
    return {f: f"{f}_{task_id}" for f in (*EDIT_FIELDS, "confirm")}


def _typed(task_id) -> UpdateInput:
    k = _keys(task_id)
    return UpdateInput(
        st.session_state[k["status"]],
        st.session_state[k["progress"]],
        st.session_state[k["result"]],
        st.session_state[k["evidence"]],
        st.session_state[k["completed_on"]],
        st.session_state[k["confirm"]],
    )


def _save(task_id, again=False):
    """Form callback: runs before the page is drawn again, so messages sit next to the fields."""
    state = st.session_state
    k = _keys(task_id)
    if again:  # re-apply what the user changed on top of the row as it is now
        current = state.pop(f"conflict_{task_id}").current
        typed = reapply({f: state[k[f]] for f in EDIT_FIELDS}, state[f"seen_{task_id}"], current)
        state.update({k[f]: value for f, value in typed.items()})
        state[f"seen_{task_id}"] = current
    state.pop(f"errors_{task_id}", None)
    state.pop(f"conflict_{task_id}", None)
    try:
        rows = writes.save_task(state[f"seen_{task_id}"], _typed(task_id))
    except ValidationError as e:
        state[f"errors_{task_id}"] = e.errors
    except ConflictError as e:
        state[f"conflict_{task_id}"] = e
    except AppError as e:  # a refusal (e.g. the task was reassigned meanwhile) or the store
        state[f"errors_{task_id}"] = {"form": str(e)}
        # kept apart from the widgets: if the task left this list, its form is not drawn again
        # and Streamlit drops the widgets' values; the page shows these instead
        state.setdefault("unsaved", {})[task_id] = (
            str(e),
            {f: state[k[f]] for f in ("result", "evidence")},
        )
    else:
        for key in [f"seen_{task_id}", *k.values()]:
            state.pop(key, None)  # the form starts again from the saved row
        state.get("unsaved", {}).pop(task_id, None)
        st.toast(
            f"Đã lưu {task_id}." if rows else "Không có thay đổi nào để lưu.",
            icon=":material/check_circle:",
        )


def unsaved_notes(shown_ids) -> None:
    """Saves refused for a task no longer in the list (reassigned, filtered out): the message
    and what the user typed, so nothing typed is lost."""
    notes = st.session_state.get("unsaved", {})
    for task_id, (message, typed) in list(notes.items()):
        if task_id in shown_ids:
            continue
        with st.container(border=True):
            st.warning(f"Chưa lưu {task_id}: {message}", icon=":material/warning:")
            for name, text in typed.items():
                if text:
                    st.caption(FIELD_LABELS[name] + " bạn đã nhập (sao chép để dùng lại):")
                    st.code(text, language=None, wrap_lines=True)
            if st.button("Đã chép, bỏ thông báo này", key=f"drop_unsaved_{task_id}"):
                notes.pop(task_id, None)
                st.rerun()


def field_error(errors, name):
    if name in errors:  # messages may quote data (a name, a value): shown inert
        st.error(widgets.md(errors[name]), icon=":material/error:")


STATUS_HELP = (
    "«Hoàn thành» được gửi Văn phòng xác nhận (Chờ xác nhận); chỉ khi được xác nhận mới tính là "
    "hoàn thành."
)


def shown(task, field):
    """A field as the agency's form shows it: a completion waiting for the office is the
    agency's own «Hoàn thành»."""
    value = getattr(task, field)
    return DONE if field == "status" and value == PENDING else value


def update_form(task_id):
    state = st.session_state
    k = _keys(task_id)
    if not any(k[name] in state for name in EDIT_FIELDS):
        # a form drawn afresh (first visit, or back from another page: Streamlit has dropped the
        # widgets' values) starts from the row as it is now, not as it was when last drawn
        state.pop(f"seen_{task_id}", None)
    seen = state.setdefault(f"seen_{task_id}", snapshot.task(task_id))  # the row as first shown
    if task_id in snapshot.unreadable:  # shown with defaults: say so, next to the form
        st.warning(
            "Một số ô của nhiệm vụ này trong Google Sheet không đọc được nên đang hiện giá trị "
            "mặc định: " + "; ".join(widgets.md(p) for p in snapshot.unreadable[task_id]),
            icon=":material/warning:",
        )
    if task_id in snapshot.duplicate_ids:
        st.warning(f"Mã {task_id} bị trùng trong dữ liệu: chỉ xem, chưa cập nhật được.")
        return
    for name in EDIT_FIELDS:
        state.setdefault(k[name], shown(seen, name))
    if isinstance(state[k["progress"]], int):  # a float box: 33.5 reaches the service as typed
        state[k["progress"]] = float(state[k["progress"]])
    state.setdefault(k["confirm"], False)
    errors = state.get(f"errors_{task_id}", {})
    conflict = state.get(f"conflict_{task_id}")
    if conflict:
        current = conflict.current
        st.warning(widgets.md(str(conflict)), icon=":material/sync_problem:")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Trường": FIELD_LABELS[f],
                        "Bạn đã thấy": str(session.display_value(seen, f)),
                        "Hiện tại": str(session.display_value(current, f)),
                    }
                    for f in conflict.fields
                ]
            ),
            hide_index=True,
        )
        st.button(
            "Tải lại và áp dụng lại nội dung của tôi",
            on_click=_save,
            args=(task_id, True),
            type="primary",
        )
    field_error(errors, "form")
    with st.form(f"form_{task_id}", enter_to_submit=False):
        left, right = st.columns(2)
        left.selectbox("Trạng thái", AGENCY_STATUSES, key=k["status"], help=STATUS_HELP)
        with left:
            field_error(errors, "status")
        # no widget limits: the service's Vietnamese messages explain what is wrong
        right.number_input("Tiến độ (%)", step=5.0, format="%g", key=k["progress"])
        with right:
            field_error(errors, "progress")
        st.checkbox("Xác nhận tiến độ 100% dù chưa hoàn thành", key=k["confirm"])
        st.text_area(
            "Kết quả thực hiện",
            key=k["result"],
            max_chars=None,
            height=120,
            help=f"Tối đa {format_count(MAX_RESULT)} ký tự.",
        )
        field_error(errors, "result")
        left, right = st.columns(2)
        left.text_input(
            "Minh chứng",
            key=k["evidence"],
            placeholder="Số văn bản (123/BC-SNV) và/hoặc liên kết https://…",
        )
        with left:
            field_error(errors, "evidence")
        right.date_input(
            "Ngày hoàn thành",
            key=k["completed_on"],
            format="DD/MM/YYYY",
            help="Chỉ dùng khi Hoàn thành; để trống thì lấy ngày hôm nay.",
        )
        with right:
            field_error(errors, "completed_on")
        st.form_submit_button("Lưu", type="primary", on_click=_save, args=(task_id,))


def history_table(task_id):
    rows = [c for c in snapshot.history if c.task_id == task_id]
    since = snapshot.history_since
    if since is not None:  # the load carries recent history only: the rest on demand
        whole = st.toggle(
            f"Xem cả lịch sử trước ngày {format_date(since.date())}", key=f"whole_{task_id}"
        )
        if whole:
            rows = session.task_history(task_id)
    changes = dashboard.change_table(snapshot, rows)
    if changes.empty:
        st.caption("Chưa có cập nhật nào.")
        return
    st.dataframe(
        changes.assign(at=changes["at"].map(format_datetime))
        .drop(columns=["task_id", "actor"])
        .rename(columns=dashboard.CHANGE_HEADERS),
        hide_index=True,
    )


with one_tab:
    unsaved_notes(set(own["id"]))
    if own.empty:
        st.info(
            "Không có nhiệm vụ nào khớp."
            if query or categories
            else "Cơ quan chưa được giao chủ trì nhiệm vụ nào."
        )
    else:
        st.dataframe(dashboard.preview(own)[list(COLUMNS)], hide_index=True, column_config=COLUMNS)
        labels = {
            row.id: f"{row.id} · hạn {format_date(row.deadline) or 'thường xuyên'} · "
            + shorten(row.content, 80)
            for row in own.itertuples()
        }
        ids = list(labels)
        asked = st.query_params.get("task", "")  # a link from a reminder e-mail
        task_id = st.selectbox(
            "Chọn nhiệm vụ để cập nhật",
            ids,
            index=ids.index(asked) if asked in ids else 0,
            format_func=labels.get,
        )
        task = snapshot.task(task_id)
        st.markdown(
            f"**{widgets.md(task.id)}** · Hạn: {format_date(task.deadline) or 'Thường xuyên'} · "
            f"Chủ trì: {widgets.md(registry.name(task.lead))}"
        )
        widgets.long_text(task.content, key=f"full_{task_id}")
        followup.task_status(task)
        periods.task_card(task)  # its reporting cycle: last report, next due day
        update_form(task_id)
        if user.role != ROLE_ADMIN:
            periods.report_form(user, task)
            followup.request_forms(user, task)
        with st.expander("Lịch sử cập nhật"):
            history_table(task_id)


# --- several tasks at once ----------------------------------------------------------------------


def draw_editor(frame, key, order):
    st.data_editor(
        frame,
        key=key,
        hide_index=True,
        column_order=order,
        disabled=["id", "content", "message"],
        column_config={
            "id": st.column_config.TextColumn("Mã NV", pinned=True),
            "message": st.column_config.TextColumn("Thông báo", width="large", pinned=True),
            "content": st.column_config.TextColumn("Nội dung", width="medium"),
            "status": st.column_config.SelectboxColumn(
                "Trạng thái", options=AGENCY_STATUSES, required=True
            ),
            "progress": st.column_config.NumberColumn("Tiến độ (%)", format="plain"),
            "result": "Kết quả thực hiện",
            "evidence": "Minh chứng",
            "completed_on": st.column_config.DateColumn("Ngày hoàn thành", format="DD/MM/YYYY"),
            "confirm": st.column_config.CheckboxColumn("Xác nhận 100%"),
        },
    )


def bulk_editor():
    state = st.session_state
    version = state.setdefault("bulk_version", 0)
    ids = list(own["id"])
    pin = state.get("bulk_pin")
    if not pin or pin["version"] != version or pin["ids"] != ids:
        # the rows as shown now: what the user edits, and what each save is checked against
        pin = state["bulk_pin"] = {
            "version": version,
            "ids": ids,
            "seen": {i: snapshot.task(i) for i in ids},
        }
    pending = state.setdefault("bulk_pending", {})  # task id -> fields refused, kept on screen
    messages = state.setdefault("bulk_messages", {})
    rows = []
    for task_id in ids:
        task = pin["seen"][task_id]
        row = {
            "id": task_id,
            "content": task.content,
            **{f: shown(task, f) for f in EDIT_FIELDS},
            "confirm": False,
        }
        rows.append({**row, **pending.get(task_id, {}), "message": messages.get(task_id, "")})
    frame = pd.DataFrame(rows).astype({"progress": "float"})
    frame = dashboard.preview(frame, ("content",))
    key = f"bulk_{version}_{len(ids)}_{hash(tuple(ids))}"
    st.caption(
        "Sửa trực tiếp trong bảng rồi bấm Lưu. Dòng hợp lệ được lưu; dòng có lỗi giữ "
        "nguyên nội dung bạn nhập kèm thông báo (cột Thông báo, ngay sau Mã NV). Lưu trước "
        "khi đổi bộ lọc."
    )
    if messages:
        st.error(f"{len(messages)} nhiệm vụ chưa lưu được: xem cột Thông báo.")
    order = ["id", *(["message"] if messages else []), *EDIT_FIELDS, "confirm", "content"]
    if note := state.pop("bulk_note", None):
        st.warning(note, icon=":material/warning:")
    try:
        draw_editor(frame, key, order)
    except (KeyError, IndexError, ValueError, TypeError):  # an edit of a row it never had
        state["bulk_version"] += 1  # a fresh table (a new key) on the next run
        state["bulk_note"] = (
            "Bảng cập nhật nhiều nhiệm vụ có dữ liệu không hợp lệ (có thể trang đã cũ) nên "
            "đã được làm mới; chưa có gì được lưu. Vui lòng nhập lại."
        )
        st.rerun()
    if st.button("Lưu các thay đổi", type="primary", key="bulk_save"):
        edited = state[key].get("edited_rows", {}) if isinstance(state.get(key), dict) else {}
        items, typed, ignored = [], {}, 0
        for index, change in edited.items():
            position = int(index) if str(index).isdigit() else -1
            if not 0 <= position < len(frame) or not isinstance(change, dict):
                ignored += 1  # a row the table never had (a tampered or outdated state)
                continue
            change = {c: v for c, v in change.items() if c in (*EDIT_FIELDS, "confirm")}
            row = {**frame.iloc[position].to_dict(), **change}
            row["result"] = change.get("result", pin["seen"][row["id"]].result)  # never the preview
            try:
                completed = parse_date(row["completed_on"])
            except DateError:
                completed = None
            if "completed_on" in change:
                change = {**change, "completed_on": completed}
            typed[row["id"]] = {**pending.get(row["id"], {}), **change}  # only what was typed
            progress = row["progress"]
            items.append(
                (
                    pin["seen"][row["id"]],
                    UpdateInput(
                        row["status"],
                        None if progress is None or pd.isna(progress) else progress,
                        row["result"] or "",
                        row["evidence"] or "",
                        completed,
                        bool(row["confirm"]),
                    ),
                )
            )
        if ignored:
            st.warning(
                f"Bỏ qua {ignored} dòng không có trong bảng (bảng đã thay đổi): tải lại trang "
                "rồi nhập lại các dòng đó.",
                icon=":material/warning:",
            )
        if not items:
            if not ignored:
                st.info("Chưa có thay đổi nào trong bảng để lưu.", icon=":material/info:")
            return
        outcomes = writes.write(
            lambda actor: save_many(session.store(), actor, items, session.now(), registry)
        )
        state["bulk_pending"] = {o.task_id: typed[o.task_id] for o in outcomes if not o.saved}
        state["bulk_messages"] = {o.task_id: o.message for o in outcomes if not o.saved}
        state["bulk_version"] += 1
        saved = sum(o.saved for o in outcomes)
        refused = len(outcomes) - saved
        st.toast(
            (f"Đã lưu {saved} nhiệm vụ." if saved else "Chưa lưu được nhiệm vụ nào.")
            + (f" {refused} nhiệm vụ cần sửa: xem cột Thông báo." if refused else ""),
            icon=":material/check_circle:" if not refused else ":material/error:",
        )
        st.rerun()


with bulk_tab:
    if own.empty:
        st.info("Không có nhiệm vụ nào để cập nhật.")
    else:
        bulk_editor()

with partner_tab:
    if partner.empty:
        st.caption("Không có nhiệm vụ phối hợp.")
    else:
        st.dataframe(
            dashboard.preview(partner)[list(COLUMNS)], hide_index=True, column_config=COLUMNS
        )
