"""Quản trị: users and roles, the agency registry, tasks by hand, the history, data checks."""

import pandas as pd
import streamlit as st

from services.dashboard import board as dashboard
from services.domain.dates import format_date, format_datetime
from services.domain.errors import StoreError
from services.domain.limits import MAX_SEARCH
from services.domain.model import ROLE_AGENCY, ROLE_LABELS, ROLES
from services.domain.text import format_count
from services.reminders.mail import text_body
from services.reminders.run import preview, send_one
from services.stores.checks import run_checks
from services.tasks import office
from services.ui import identity, periods, session, widgets, writes

user = identity.require_role("admin")

snapshot = session.snapshot()
registry = session.registry()
st.title("Quản trị")
# a control whose value lives in the session (not st.tabs): a save's rerun keeps the user on
# the section they were in, and its message shows there, under the control
SECTIONS = (
    "Người dùng",
    "Cơ quan",
    "Nhiệm vụ",
    "Kỳ báo cáo",
    "Nhắc việc",
    "Lịch sử cập nhật",
    "Kiểm tra dữ liệu",
)
if st.session_state.get("admin_section") not in SECTIONS:
    st.session_state["admin_section"] = st.session_state.get("_admin_last", SECTIONS[0])
section = st.segmented_control(
    "Mục quản trị", SECTIONS, key="admin_section", label_visibility="collapsed"
)
st.session_state["_admin_last"] = section
if message := st.session_state.pop("admin_saved", None):
    st.success(widgets.md(message), icon=":material/check_circle:")


def save(action, done) -> None:
    """Run an office write (services.tasks.office) through the one write path; show each refusal
    next to the form (nothing was written), or what was saved."""
    outcome = writes.attempt(action)
    for message in outcome.errors.values():
        st.error(widgets.md(message))
    if outcome.conflict:
        st.error(widgets.md(str(outcome.conflict)))
    if outcome.ok:
        st.session_state["admin_saved"] = done(outcome.value)
        st.rerun()  # draw the lists again with what was just saved


if section == "Kỳ báo cáo":
    periods.cycle_admin()

if section == "Người dùng":
    if snapshot.users:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Email": u.email,
                        "Họ tên": u.name,
                        "Cơ quan": registry.name(u.agency) if u.agency else "",
                        "Vai trò": ROLE_LABELS.get(u.role, u.role),
                        "Nhận thư nhắc việc": u.reminders,
                    }
                    for u in snapshot.users
                ]
            ),
            hide_index=True,
        )
    else:
        st.info("Chưa có người dùng nào. Thêm người dùng để họ đăng nhập được.")
    st.subheader("Thêm hoặc sửa người dùng")
    st.caption("Nhập email đã có để sửa thông tin người đó.")
    agencies = [""] + [a.code for a in snapshot.agencies if a.active]
    with st.form("user_form", enter_to_submit=False):
        left, right = st.columns(2)
        email = left.text_input("Email")
        name = right.text_input("Họ tên")
        role = left.selectbox(
            "Vai trò", ROLES, index=ROLES.index(ROLE_AGENCY), format_func=ROLE_LABELS.get
        )
        agency = right.selectbox(
            "Cơ quan", agencies, format_func=lambda c: registry.name(c) if c else "(không)"
        )
        reminders = st.checkbox("Nhận thư nhắc việc hằng ngày", value=True)
        submitted = st.form_submit_button("Lưu người dùng", type="primary")
    if submitted:
        save(
            lambda actor: office.save_user(
                session.store(), actor, email, name, agency, role, registry, reminders
            ),
            lambda saved: f"Đã lưu người dùng {saved.email}.",
        )

if section == "Cơ quan":
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Mã CQ": a.code,
                    "Tên cơ quan": a.name,
                    "Tên gọi khác": "; ".join(a.aliases),
                    "Nhóm": a.group,
                    "Cơ quan kế thừa": registry.name(a.successor) if a.successor else "",
                    "Đang hoạt động": a.active,
                    "Email cơ quan": a.email,
                }
                for a in snapshot.agencies
            ]
        ),
        hide_index=True,
    )
    st.subheader("Thêm hoặc sửa cơ quan")
    codes = [a.code for a in snapshot.agencies]
    chosen = st.selectbox(
        "Cơ quan",
        ["", *codes],
        key="agency_choice",
        format_func=lambda c: registry.name(c) if c else "(thêm cơ quan mới)",
    )
    current = registry.agencies.get(chosen)
    groups = sorted({a.group for a in snapshot.agencies if a.group})
    with st.form(f"agency_form_{chosen}", enter_to_submit=False):
        left, right = st.columns([1, 3])
        code = left.text_input("Mã CQ", value=chosen, disabled=bool(chosen))
        name = right.text_input("Tên cơ quan", value=current.name if current else "")
        aliases = st.text_input(
            "Tên gọi khác (cách nhau bởi dấu ;)",
            value="; ".join(current.aliases) if current else "",
        )
        left, right = st.columns(2)
        group = left.selectbox(
            "Nhóm",
            groups,
            accept_new_options=True,
            placeholder="Chọn hoặc gõ tên nhóm mới",
            index=groups.index(current.group) if current and current.group in groups else None,
        )
        successor = right.selectbox(
            "Cơ quan kế thừa (khi sáp nhập)",
            ["", *codes],
            index=([""] + codes).index(current.successor) if current else 0,
            format_func=lambda c: registry.name(c) if c else "(không)",
        )
        mailbox = st.text_input(
            "Email cơ quan (nhận thư nhắc việc cùng người dùng của cơ quan; có thể để trống)",
            value=current.email if current else "",
        )
        active = st.checkbox("Đang hoạt động", value=current.active if current else True)
        if st.form_submit_button("Lưu cơ quan", type="primary"):
            save(
                lambda actor: office.save_agency(
                    session.store(),
                    actor,
                    code,
                    name,
                    aliases,
                    group or "",
                    successor,
                    active,
                    registry,
                    mailbox,
                ),
                lambda a: f"Đã lưu cơ quan {a.code} – {a.name}.",
            )

if section == "Nhiệm vụ":
    directives = {d.id: f"{d.number} – {d.title[:80]}" for d in snapshot.directives}
    agency_codes = [a.code for a in snapshot.agencies]
    st.caption(
        "Thêm một nhiệm vụ, hoặc sửa nội dung, cơ quan, hạn của nhiệm vụ đã có. Để nhập cả "
        "văn bản, dùng trang Nhập văn bản."
    )
    task_ids = [t.id for t in snapshot.tasks]
    picked = st.selectbox(
        "Nhiệm vụ",
        ["", *task_ids],
        key="task_choice",
        format_func=lambda i: (
            f"{i} · {snapshot.task(i).content[:80]}" if i else "(thêm nhiệm vụ mới)"
        ),
    )
    task = snapshot.task(picked) if picked else None
    with st.form(f"task_form_{picked}", enter_to_submit=False):
        directive_ids = list(directives)
        directive_id = st.selectbox(
            "Văn bản",
            directive_ids,
            format_func=directives.get,
            index=directive_ids.index(task.directive_id)
            if task and task.directive_id in directive_ids
            else 0,
        )
        left, right = st.columns([1, 3])
        section = left.text_input("Mục", value=task.section if task else "")
        lead = right.selectbox(
            "Cơ quan chủ trì",
            agency_codes,
            format_func=registry.name,
            placeholder="Chọn cơ quan chủ trì",
            index=agency_codes.index(task.lead) if task and task.lead in agency_codes else None,
        )
        content = st.text_area("Nội dung nhiệm vụ", value=task.content if task else "")
        partners = st.multiselect(
            "Cơ quan phối hợp",
            agency_codes,
            format_func=registry.name,
            placeholder="Chọn cơ quan phối hợp (nếu có)",
            default=[p for p in task.partners if p in agency_codes] if task else [],
        )
        deadline = st.date_input(
            "Hạn hoàn thành (để trống: thường xuyên)",
            format="DD/MM/YYYY",
            value=task.deadline if task else None,
        )
        if st.form_submit_button("Lưu nhiệm vụ", type="primary"):
            save(
                lambda actor: office.save_task(
                    session.store(),
                    actor,
                    session.now(),
                    snapshot,
                    task,
                    directive_id,
                    section,
                    content,
                    lead or "",
                    partners,
                    deadline,
                ),
                lambda saved: f"Đã lưu nhiệm vụ {saved.id}.",
            )

if section == "Nhắc việc":
    settings = session.settings()
    today = session.today()
    st.caption(
        f"Thư nhắc việc ngày {format_date(today)}: lệnh `python -m services.cli remind` chạy "
        "theo lịch (xem README, mục Nhắc việc). Mỗi người nhận chỉ nhận một thư mỗi ngày."
    )
    if not settings.email.configured:
        st.warning("Chưa cấu hình [email] (host, from) trong secrets: chỉ xem trước được.")
    if not settings.base_url:
        st.warning("Chưa cấu hình [app] base_url: thư sẽ không có đường dẫn tới nhiệm vụ.")
    planned = preview(session.run_snapshot(), settings, today)  # as the run reads the store
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Mã": p.digest.key,
                    "Thư gửi": p.digest.name,
                    "Số mục": p.digest.count,
                    "Sẽ gửi tới": ", ".join(p.pending) if not p.skipped else "",
                    "Ghi chú": p.skipped or "Sẽ gửi",
                }
                for p in planned
            ]
        ),
        hide_index=True,
    )
    labels = {p.digest.key: f"{p.digest.name} ({p.digest.count} mục)" for p in planned}
    chosen = st.selectbox("Xem trước thư", list(labels), format_func=labels.get)
    picked = next(p for p in planned if p.digest.key == chosen)
    st.text(f"Tiêu đề: {picked.digest.subject}")
    st.text(f"Người nhận: {', '.join(picked.digest.recipients) or '(chưa có)'}")
    st.code(text_body(picked.digest), language=None, wrap_lines=True)
    if st.button(
        "Gửi thư này ngay",
        type="primary",
        disabled=bool(picked.skipped) or not settings.email.configured,
        help="Chỉ gửi cho người nhận chưa nhận thư hôm nay.",
    ):
        outcome = writes.attempt(lambda actor: send_one(session.store(), settings, chosen, actor))
        for message in outcome.errors.values():
            st.error(widgets.md(message))
        if outcome.ok:
            report = outcome.value
            if report.exit_code == 0:
                st.success("Đã gửi xong.", icon=":material/check_circle:")
            else:
                st.warning("Có người nhận chưa gửi được (sẽ gửi lại ở lần chạy sau):")
            st.text("\n".join(report.lines()))
    sent_today = [d for d in snapshot.deliveries if d.day == today]
    if sent_today:
        st.subheader("Sổ nhắc việc hôm nay")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Thư": d.agency,
                        "Người nhận": d.recipient,
                        "Số mục": d.items,
                        "Kết quả": d.result,
                        "Lúc": format_datetime(d.at),
                    }
                    for d in sent_today
                ]
            ),
            hide_index=True,
        )

if section == "Lịch sử cập nhật":
    changes = list(snapshot.history)
    since = snapshot.history_since
    if since is not None and st.toggle(  # the load carries recent history only
        f"Tải cả lịch sử trước ngày {format_date(since.date())} (đọc toàn bộ, có thể lâu)"
    ):
        changes = session.task_history(None)
    history = dashboard.change_table(snapshot, changes, cut=False)
    if history.empty:
        st.info("Chưa có thay đổi nào được ghi lại.")
    else:
        left, middle, right = st.columns(3)
        task_query = left.text_input("Mã NV", max_chars=MAX_SEARCH)
        actor_query = middle.text_input("Người thực hiện", max_chars=MAX_SEARCH)
        fields = right.multiselect(
            "Trường", sorted(history["field"].unique()), placeholder="Tất cả"
        )
        shown = dashboard.search_rows(history, task_query, ["task_id"])
        shown = dashboard.search_rows(shown, actor_query, ["actor_name", "actor", "actor_agency"])
        if fields:
            shown = shown[shown["field"].isin(fields)]
        shown = shown.assign(at=shown["at"].map(format_datetime)).rename(
            columns={**dashboard.CHANGE_HEADERS, "actor_name": "Người thực hiện"}
        )
        st.caption(f"{format_count(len(shown))} / {format_count(len(history))} thay đổi")
        st.dataframe(dashboard.preview(shown, ("Giá trị cũ", "Giá trị mới")), hide_index=True)
        st.download_button(
            "Tải CSV",
            lambda: dashboard.csv_bytes(shown),
            file_name="lich-su-cap-nhat.csv",
            mime="text/csv",
            on_click="ignore",
        )

if section == "Kiểm tra dữ liệu":
    st.write(
        "Rà soát dữ liệu: ngày sai, trạng thái hoặc tiến độ không hợp lệ, Mã NV trùng hoặc "
        "thiếu, cơ quan không có trong danh mục, công thức trong ô."
    )
    if st.button("Kiểm tra dữ liệu", type="primary"):
        try:
            findings = run_checks(session.store())
        except StoreError as e:
            st.error(str(e))
        else:
            errors = [f for f in findings if f.level == "error"]
            if not findings:
                st.success("Không phát hiện vấn đề nào.")
            else:
                st.warning(f"{len(errors)} lỗi, {len(findings) - len(errors)} cảnh báo.")
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                "Mức": "Lỗi" if f.level == "error" else "Cảnh báo",
                                "Trang": f.sheet,
                                "Dòng": f.row or "",
                                "Vấn đề": f.message,
                            }
                            for f in findings
                        ]
                    ),
                    hide_index=True,
                )
