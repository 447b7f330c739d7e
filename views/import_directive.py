"""Nhập văn bản: paste or upload a directive, check what was read, correct it in a grid, then save
the directive and its tasks at once (services.importing). A refused save keeps every edit and
says, row by row, what to fix."""

from datetime import date, datetime

import pandas as pd
import streamlit as st

from services.domain.dates import (
    DateError,
    format_date,
    format_issue_date,
    parse_date,
    parse_issue_date,
)
from services.domain.errors import AppError
from services.domain.model import Directive
from services.importing import saving as importing
from services.importing.parser import parse_file, parse_text
from services.ui import identity, session, widgets, writes

user = identity.require_role("import")

snapshot = session.snapshot()
registry = session.registry()
state = st.session_state

META = {
    "number": "Số, ký hiệu",
    "issued_on": "Ngày ban hành",
    "issuer": "Cơ quan ban hành",
    "title": "Trích yếu",
    "signer": "Người ký",
    "link": "Liên kết",
}
GRID = [*importing.GRID_FIELDS, "suggested", "message"]  # "suggested": hidden, for the button
KEEP = "— chưa chọn —"
RESULT_KEYS = (
    "import_result",
    "import_frame",
    "import_options",
    "import_origin",
    "import_error",
    "import_fields",
    "import_saved",
    "import_problem",
)


# --- reading the directive ----------------------------------------------------------------------


def analyse():
    """Button callback: read the upload (or else the pasted text) into a fresh preview."""
    for key in [k for k in state if str(k).startswith(("import_agency_", "import_map_"))] + list(
        RESULT_KEYS
    ):
        state.pop(key, None)
    upload = state.get("import_file")
    text = state.get("import_text") or ""
    if upload is None and not text.strip():
        state["import_problem"] = (
            "Chưa có nội dung: dán văn bản vào ô bên trái hoặc chọn tệp "
            ".txt/.docx/.pdf, rồi bấm Phân tích."
        )
        return
    agencies = session.snapshot().agencies
    try:
        if upload is not None:
            result = parse_file(upload.name, upload.getvalue(), agencies)
            state["import_origin"] = f"tệp «{upload.name}»"
        else:
            result = parse_text(text, agencies)
            state["import_origin"] = "nội dung dán"
    except Exception:  # the parser never raises on bad input; the page must not either
        state["import_problem"] = (
            "Không đọc được văn bản này. Hãy thử dán nội dung dạng chữ, "
            "hoặc lưu lại thành tệp .docx rồi tải lên."
        )
        return
    names = [a.name for a in agencies]
    printed = [*result.new_agencies, *result.groups]  # shown in the grid as the document names them
    state["import_options"] = names + [n for n in dict.fromkeys(printed) if n not in names]
    state["import_result"] = result
    state["import_frame"] = grid_frame(
        importing.preview_rows(result, session.registry(), state["import_options"])
    )
    state["import_version"] = state.get("import_version", 0) + 1
    d = result.directive
    for name, value in (
        ("number", d.number),
        ("issued_on", format_issue_date(d.issued_on)),
        ("issuer", d.issuer),
        ("title", d.title),
        ("signer", d.signer),
        ("link", d.link),
    ):
        state[f"meta_{name}"] = value


def _date_cell(value):
    """A grid date (date, Timestamp, ISO text from the browser) as a date, or None."""
    if isinstance(value, datetime):
        return None if pd.isna(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        return parse_date(value) if isinstance(value, str) else None
    except DateError:
        return None


def grid_frame(rows: list[dict], messages: dict | None = None) -> pd.DataFrame:
    frame = pd.DataFrame([{f: row.get(f) for f in GRID} for row in rows], columns=GRID)
    frame["deadline"] = frame["deadline"].map(_date_cell).astype(object)
    frame["suggested"] = frame["suggested"].map(_date_cell).astype(object)
    # nullable: a row added in the grid starts with no value
    frame["recurring"] = (
        frame["recurring"].map(lambda v: bool(v) and not pd.isna(v)).astype("boolean")
    )
    frame["message"] = [(messages or {}).get(i, "") for i in range(len(frame))]
    return frame


def typed_directive() -> tuple[Directive, Directive]:
    """(as typed, for saving; with the date as ISO when it reads, for finding the same one)."""
    values = {name: state.get(f"meta_{name}", "") for name in META}
    typed = Directive(id="", **values)
    try:
        iso = parse_issue_date(values["issued_on"])
    except DateError:
        iso = ""
    return typed, Directive(id="", **{**values, "issued_on": iso})


# --- saving -------------------------------------------------------------------------------------


def refuse(rows: list[dict], messages: dict, error: str, fields: dict | None = None):
    """Keep the grid as edited, with a message on each refused row."""
    state["import_frame"] = grid_frame(rows, messages)
    state["import_version"] += 1
    state["import_error"] = error
    state["import_fields"] = fields or {}
    st.rerun()


def agency_choices(result) -> tuple[list[str], dict[str, str]]:
    """The names the admin adds to the registry, and those mapped to an existing agency."""
    mapping = {
        n: state[f"import_map_{i}"]
        for i, n in enumerate(result.new_agencies)
        if state.get(f"import_map_{i}") not in (None, KEEP)
    }
    confirmed = [
        n
        for i, n in enumerate(result.new_agencies)
        if state.get(f"import_agency_{i}") and n not in mapping
    ]
    return confirmed, mapping


def use_suggestions():
    """Button callback: the admin confirms the suggested dates of relative deadlines."""
    rows = state["import_rows"]
    state["import_frame"] = grid_frame(importing.use_suggested_deadlines(rows))
    state["import_version"] += 1


def save(rows: list[dict], directive: Directive, add_to_existing: bool):
    result = state["import_result"]
    confirmed, mapping = agency_choices(result)
    rows = importing.map_agencies(rows, mapping)
    tasks, problems = importing.rows_to_tasks(rows, registry)
    if problems:
        refuse(
            rows, problems, f"{len(problems)} dòng chưa đọc được: xem cột Thông báo. Chưa lưu gì."
        )
    store = session.store()
    try:
        saved_directive, saved = writes.write(
            lambda actor: importing.save_import(
                store,
                store.load(history=False),  # fresh tasks and agencies; no history needed
                directive,
                tasks,
                actor,
                session.now(),
                add_to_existing,
                confirmed,
            )
        )
    except importing.ImportRefused as e:
        refuse(rows, e.rows, e.message, e.fields)
    except AppError as e:  # PermissionDenied, or the store could not be written
        state["import_error"] = str(e)
        return
    for key in RESULT_KEYS:
        state.pop(key, None)
    state["import_saved"] = {
        "directive": saved_directive,
        "tasks": saved,
        "agencies": confirmed,
        "existing": add_to_existing,
        "skipped": len(tasks) - len(saved),
    }
    st.rerun()


def show_saved(saved: dict):
    d, tasks = saved["directive"], saved["tasks"]
    ids = f" (Mã NV: {tasks[0].id} – {tasks[-1].id})" if tasks else ""
    if not saved["existing"]:
        st.success(
            f"Đã lưu văn bản **{widgets.md(d.id)}** ({widgets.md(d.number)}) và {len(tasks)} nhiệm "
            f"vụ{widgets.md(ids)}.",
            icon=":material/check_circle:",
        )
    elif tasks:
        st.success(
            f"Đã thêm {len(tasks)} nhiệm vụ mới vào văn bản **{widgets.md(d.id)}** "
            f"({widgets.md(d.number)}){widgets.md(ids)}; "
            f"{saved['skipped']} nhiệm vụ đã có từ trước.",
            icon=":material/check_circle:",
        )
    else:
        st.info(f"Không có nhiệm vụ mới: mọi nhiệm vụ đã có trong văn bản {widgets.md(d.id)}.")
    if saved["agencies"]:
        st.caption(
            "Đã thêm vào danh mục cơ quan: " + "; ".join(map(widgets.md, saved["agencies"])) + "."
        )
    if tasks:
        fresh = session.registry()
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Mã NV": t.id,
                        "Mã VB": t.directive_id,
                        "Mục": t.section,
                        "Cơ quan chủ trì": fresh.name(t.lead),
                        "Hạn hoàn thành": format_date(t.deadline) or "Thường xuyên",
                        "Nội dung": t.content,
                    }
                    for t in tasks
                ]
            ),
            hide_index=True,
        )


# --- the page -----------------------------------------------------------------------------------

st.title("Nhập văn bản")
st.caption(
    "Dán toàn văn hoặc tải tệp văn bản giao nhiệm vụ, bấm **Phân tích**, kiểm tra và sửa "
    "các nhiệm vụ đọc được, rồi lưu văn bản cùng các nhiệm vụ."
)
paste_col, file_col = st.columns([3, 2])
paste_col.text_area(
    "Nội dung văn bản",
    key="import_text",
    height=200,
    placeholder="Dán nội dung văn bản (chép từ Word, PDF hoặc cổng thông tin)…",
)
file_col.file_uploader(
    "Hoặc tải tệp .txt / .docx / .pdf",
    type=["txt", "docx", "pdf"],
    key="import_file",
    max_upload_size=10,
    help="Khi đã chọn tệp, hệ thống đọc tệp thay cho nội dung dán. PDF: bản có lớp chữ (bản "
    "scan chưa đọc được).",
)
st.button("Phân tích", type="primary", icon=":material/manage_search:", on_click=analyse)

if "import_saved" in state:
    show_saved(state["import_saved"])
if "import_problem" in state:
    st.warning(state["import_problem"], icon=":material/info:")

result = state.get("import_result")
if result is not None:
    st.divider()
    st.subheader("Kết quả phân tích")
    st.caption(
        f"Đọc từ {state['import_origin']}: {len(result.tasks)} nhiệm vụ"
        + (f", loại văn bản: {result.doc_type}" if result.doc_type else "")
        + "."
    )
    for warning in result.warnings:
        st.warning(warning, icon=":material/warning:")
    if not result.tasks and not (result.directive.number or result.directive.title):
        st.info("Không có gì để lưu từ văn bản này.")
        st.stop()

    fields = state.get("import_fields", {})
    st.subheader("Thông tin văn bản")
    left, right = st.columns(2)
    for column, name, help_text in (
        (left, "number", "Ví dụ 45/KH-UBND; văn bản chưa vào số: /UBND-KGVX"),
        (right, "issued_on", "dd/mm/yyyy, hoặc mm/yyyy khi văn bản chưa ghi ngày"),
        (left, "issuer", None),
        (right, "signer", None),
    ):
        column.text_input(META[name], key=f"meta_{name}", help=help_text)
        if name in fields:
            column.error(fields[name], icon=":material/error:")
    st.text_area(META["title"], key="meta_title", height=80)
    if "title" in fields:
        st.error(fields["title"], icon=":material/error:")
    st.text_input(META["link"], key="meta_link", placeholder="https://… (nếu có)")
    if "link" in fields:
        st.error(fields["link"], icon=":material/error:")

    typed, for_lookup = typed_directive()
    existing = importing.find_existing(snapshot, for_lookup)
    if existing:
        count = sum(t.directive_id == existing.id for t in snapshot.tasks)
        st.warning(
            f"Văn bản số {widgets.md(existing.number)} ({format_issue_date(existing.issued_on)}) "
            f"đã có trong hệ thống: mã **{widgets.md(existing.id)}**, {count} nhiệm vụ. Không lưu thành văn "
            "bản mới (sẽ trùng); chỉ có thể thêm các nhiệm vụ chưa có vào văn bản đó.",
            icon=":material/content_copy:",
        )

    if result.new_agencies:
        st.subheader("Cơ quan chưa có trong danh mục")
        st.caption(
            "Văn bản nêu các cơ quan dưới đây nhưng danh mục chưa có. Với mỗi cơ quan: chọn "
            "cơ quan đã có nếu đó là cách viết khác (gợi ý theo tên gần giống), hoặc đánh dấu "
            "để thêm vào danh mục khi lưu."
        )
        planned, taken = [], []
        for i, name in enumerate(result.new_agencies):
            similar = [a.name for a in importing.similar_agencies(name, registry)]
            add_col, map_col = st.columns([3, 2])
            mapped = map_col.selectbox(
                f"«{widgets.md(name)}» là cơ quan đã có",
                [KEEP, *similar, *(n for n in state["import_options"] if n not in similar)],
                key=f"import_map_{i}",
                help="Các cơ quan có tên gần giống được xếp đầu danh sách.",
            )
            if mapped != KEEP:
                add_col.caption(f"«{widgets.md(name)}» sẽ được lưu là «{widgets.md(mapped)}».")
                continue
            if add_col.checkbox(
                f"Thêm «{widgets.md(name)}» vào danh mục cơ quan", key=f"import_agency_{i}"
            ):
                try:
                    agency = importing.new_agency(name, registry, taken)
                except importing.ImportRefused as e:
                    st.error(e.message)
                else:
                    taken.append(agency.code)
                    planned.append(
                        f"{agency.name} (mã {agency.code}, nhóm {agency.group or 'chưa xếp'})"
                    )
        if planned:
            st.caption("Sẽ thêm: " + "; ".join(planned) + ".")

    st.subheader("Nhiệm vụ")
    frame = state["import_frame"]
    low = [
        str(s) or "?"
        for s, c in zip(frame["section"], frame["confidence"])
        if importing.is_low_confidence({"confidence": c})
    ]
    if low:
        st.warning(
            f"{len(low)} dòng có độ tin cậy thấp (đánh dấu {importing.LOW_MARK} ở cột Độ "
            f"tin cậy; mục {', '.join(dict.fromkeys(low))}): chọn cơ quan chủ trì và kiểm "
            "tra lại trước khi lưu.",
            icon=":material/flag:",
        )
    st.caption(
        "Sửa trực tiếp trong bảng; thêm dòng ở cuối bảng, xoá dòng bằng cách chọn rồi bấm "
        "biểu tượng thùng rác. Cơ quan phối hợp: tên các cơ quan, cách nhau bằng dấu «;». "
        "Để trống Hạn hoàn thành với nhiệm vụ thường xuyên."
    )
    messages = frame["message"].astype(bool).any()
    # Độ tin cậy first: the grid is wider than the screen, and the ⚠ must be seen
    order = ["confidence", *(f for f in importing.GRID_FIELDS if f != "confidence")]
    edited = st.data_editor(
        frame,
        key=f"import_grid_{state['import_version']}",
        num_rows="dynamic",
        hide_index=True,
        column_order=(["message"] if messages else []) + order,
        placeholder="—",
        disabled=["confidence", "reasons", "source", "message", "deadline_note"],
        column_config={
            "message": st.column_config.TextColumn("Thông báo", width="medium"),
            "section": st.column_config.TextColumn("Mục", width="small"),
            "lead": st.column_config.SelectboxColumn(
                "Cơ quan chủ trì", width="medium", options=state["import_options"]
            ),
            "partners": st.column_config.TextColumn(
                "Cơ quan phối hợp", width="medium", help="Tên các cơ quan, cách nhau bằng «;»"
            ),
            "deadline": st.column_config.DateColumn("Hạn hoàn thành", format="DD/MM/YYYY"),
            "deadline_note": st.column_config.TextColumn(
                "Thời hạn theo văn bản",
                width="medium",
                help="Thời hạn theo kỳ, định kỳ hoặc tương đối như văn bản ghi; hạn gợi ý "
                "chỉ được lưu khi bấm «Dùng hạn gợi ý».",
            ),
            "recurring": st.column_config.CheckboxColumn("Thường xuyên"),
            "cycle": st.column_config.TextColumn(
                "Kỳ báo cáo",
                width="medium",
                help="Đề xuất từ văn bản (ví dụ «Hằng tháng, hạn ngày 25»); sửa hoặc xoá nếu "
                "không đúng. Để trống: không theo dõi báo cáo định kỳ.",
            ),
            "content": st.column_config.TextColumn("Nội dung", width="large"),
            "confidence": st.column_config.TextColumn("Độ tin cậy", width="small"),
            "reasons": st.column_config.TextColumn("Lý do", width="medium"),
            "source": st.column_config.TextColumn("Câu gốc", width="medium"),
        },
    )
    rows = importing.drop_blank_rows(edited.to_dict("records"))
    state["import_rows"] = rows
    suggested = sum(1 for r in rows if _date_cell(r.get("suggested")))
    if suggested:
        st.button(
            f"Dùng hạn gợi ý cho {suggested} dòng có thời hạn tương đối",
            key="import_use_suggested",
            on_click=use_suggestions,
            help="Hạn tính từ ngày ban hành theo cách văn bản ghi (ví dụ «trong 10 ngày kể từ "
            "ngày ký»); chỉ điền vào dòng chưa có hạn.",
        )

    if state.get("import_error"):
        refused = [
            f"- Dòng {i + 1} (mục {section or '?'}): {message}"
            for i, (section, message) in enumerate(
                zip(frame["section"].fillna(""), frame["message"])
            )
            if message
        ]
        more = f"\n- … và {len(refused) - 10} dòng khác" if len(refused) > 10 else ""
        st.error(
            "\n\n".join([state["import_error"], "\n".join(refused[:10]) + more]).strip(),
            icon=":material/error:",
        )
    if existing:
        tasks, _ = importing.rows_to_tasks(
            importing.map_agencies(rows, agency_choices(result)[1]), registry
        )
        fresh = importing.new_tasks_only(snapshot, existing.id, tasks)
        near = importing.near_duplicates(snapshot, existing.id, fresh)
        if near:
            st.warning(
                f"{len(near)} nhiệm vụ gần giống một nhiệm vụ đã có (cùng cơ quan chủ trì, nội "
                "dung chỉ khác vài chữ): kiểm tra rồi quyết định có thêm hay không.",
                icon=":material/difference:",
            )
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "Mục": fresh[i].section,
                            "Cơ quan chủ trì": registry.name(fresh[i].lead),
                            "Nội dung đọc được": fresh[i].content,
                            "Nhiệm vụ đã có": f"{old.id}: {old.content}",
                        }
                        for i, old in near.items()
                    ]
                ),
                hide_index=True,
            )
            if not st.checkbox("Vẫn thêm các nhiệm vụ gần giống này", key="import_keep_near"):
                skip = {importing.task_text_key(fresh[i].content) for i in near}
                rows = [
                    r
                    for r in rows
                    if importing.task_text_key(str(r.get("content") or "")) not in skip
                ]
                fresh = [t for i, t in enumerate(fresh) if i not in near]
        if not fresh:
            st.info(
                f"Mọi nhiệm vụ trong bảng đã có trong văn bản {widgets.md(existing.id)}: không có gì để "
                "thêm."
            )
        if st.button(
            f"Chỉ thêm các nhiệm vụ mới vào văn bản đã có ({len(fresh)})",
            key="import_add_new",
            type="primary",
            disabled=not fresh,
        ):
            save(rows, typed, add_to_existing=True)
    elif st.button(
        f"Lưu văn bản và {len(rows)} nhiệm vụ",
        key="import_save",
        type="primary",
        icon=":material/save:",
        disabled=not rows,
    ):
        save(rows, typed, add_to_existing=False)
