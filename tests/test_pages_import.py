"""AppTest flows of "Nhập văn bản": paste or upload, preview, correct, save; refusals keep edits."""

import io
from datetime import date

import pandas as pd

from services.domain.model import ROLE_ADMIN
from services.stores.seed import DIRECTIVE_TEXT, seed_records
from services.stores.sqlite import SQLiteStore
from tests.conftest import open_app
from tests.directives.fixtures import HERE, scanned_pdf, text_pdf

NO_EDITS = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}


def open_import(tmp_path):
    at = open_app(tmp_path, ROLE_ADMIN, page="views/import_directive.py")
    assert at.title[0].value == "Nhập văn bản"
    return at


def analyse(at, text=None):
    if text is not None:
        at.text_area(key="import_text").input(text)
    next(b for b in at.button if b.label == "Phân tích").click().run()
    assert not at.exception
    return at


def grid(at):
    return at.data_editor[0].value


def edit_grid(at, **editing):
    """Edit the preview grid as the browser would (the key changes after each refused save)."""
    key = f"import_grid_{at.session_state['import_version']}"
    at.session_state[key] = {**NO_EDITS, **editing}


def messages(at, kind):
    return [e.value for e in getattr(at, kind)]


def store_of(tmp_path):
    return SQLiteStore(str(tmp_path / "app.db"), seed=seed_records)


def test_the_seed_directive_is_read_and_recognised_as_already_there(tmp_path):
    at = analyse(open_import(tmp_path), DIRECTIVE_TEXT.read_text(encoding="utf-8"))
    rows = grid(at)
    assert len(rows) == 29
    assert (
        rows.iloc[0]["lead"] == "Sở Nội vụ"
        and rows.iloc[20]["lead"] == "Sở Thông tin và Truyền thông"
    )
    assert at.text_input(key="meta_number").value == "/UBND-KGVX"
    assert at.text_input(key="meta_issued_on").value == "01/2025"
    assert any(
        "đã có trong hệ thống: mã **VB-0001**, 29 nhiệm vụ" in w for w in messages(at, "warning")
    )
    labels = [b.label for b in at.button]
    assert not any(label.startswith("Lưu văn bản") for label in labels)
    add = at.button(key="import_add_new")
    assert add.label == "Chỉ thêm các nhiệm vụ mới vào văn bản đã có (0)" and add.disabled
    assert any("không có gì để thêm" in i for i in messages(at, "info"))


def test_a_new_item_is_added_to_the_existing_directive_only(tmp_path):
    at = analyse(open_import(tmp_path), DIRECTIVE_TEXT.read_text(encoding="utf-8"))
    edit_grid(
        at,
        added_rows=[
            {"section": "8", "lead": "Sở Y tế", "content": "Tuyên truyền phòng, chống dịch bệnh."}
        ],
    )
    at.run()
    assert at.button(key="import_add_new").label.endswith("(1)")
    at.button(key="import_add_new").click().run()
    assert not at.exception
    assert "Đã thêm 1 nhiệm vụ mới vào văn bản **VB-0001**" in at.success[0].value
    snap = store_of(tmp_path).load()
    assert len(snap.directives) == 1
    added = snap.task("NV-0030")
    assert (added.directive_id, added.lead, added.section) == ("VB-0001", "SYT", "8")


def test_a_cong_dien_is_corrected_in_the_grid_and_saved(tmp_path):
    at = analyse(open_import(tmp_path), (HERE / "02_cong_dien.txt").read_text(encoding="utf-8"))
    rows = grid(at)
    assert list(rows["section"]) == ["1", "2", "3", "4", "4", "5"]
    assert rows.iloc[0]["confidence"] == "⚠ thấp" and pd.isna(rows.iloc[0]["lead"])
    assert any("1 dòng có độ tin cậy thấp" in w for w in messages(at, "warning"))
    save = at.button(key="import_save")
    assert save.label == "Lưu văn bản và 6 nhiệm vụ"

    # first try: row 1 has no lead -> refused, the other edit stays on screen
    edit_grid(
        at,
        edited_rows={
            2: {"content": "Khắc phục sự cố giao thông trước 02/9/2025."},
            1: {"deadline": "2025-08-30", "partners": "Công an tỉnh"},
        },
    )
    at.button(key="import_save").click().run()
    assert not at.exception
    assert "1 nhiệm vụ chưa lưu được" in at.error[0].value
    rows = grid(at)
    assert list(rows["message"]) == ["Chưa chọn cơ quan chủ trì.", "", "", "", "", ""]
    assert rows.iloc[2]["content"] == "Khắc phục sự cố giao thông trước 02/9/2025."
    assert (rows.iloc[1]["deadline"], rows.iloc[1]["partners"]) == (
        date(2025, 8, 30),
        "Công an tỉnh",
    )
    assert len(store_of(tmp_path).load().directives) == 1

    # choose the lead, fix the deadline, drop the last row: saved in one go
    edit_grid(
        at,
        edited_rows={0: {"lead": "Sở Nông nghiệp và Môi trường", "deadline": "2025-08-28"}},
        deleted_rows=[5],
    )
    at.run()
    assert at.button(key="import_save").label == "Lưu văn bản và 5 nhiệm vụ"
    at.button(key="import_save").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == (
        "Đã lưu văn bản **VB-0002** (12/CĐ-UBND) và 5 nhiệm vụ (Mã NV: NV-0030 – NV-0034)."
    )
    assert list(at.dataframe[0].value["Mã NV"]) == [f"NV-00{n}" for n in range(30, 35)]
    assert not at.data_editor  # the preview is gone: nothing to save twice
    snap = store_of(tmp_path).load()
    directive = snap.directives[-1]
    assert (directive.id, directive.number, directive.issued_on) == (
        "VB-0002",
        "12/CĐ-UBND",
        "2025-08-26",
    )
    tasks = [t for t in snap.tasks if t.directive_id == "VB-0002"]
    assert [(t.lead, t.deadline) for t in tasks] == [
        ("SNNMT", date(2025, 8, 28)),
        ("SNNMT", date(2025, 8, 30)),
        ("SXD", date(2025, 9, 2)),
        ("BHY", None),
        ("DPTTH", None),
    ]
    assert tasks[2].content == "Khắc phục sự cố giao thông trước 02/9/2025."
    assert tasks[1].partners == ("CAT",)


def test_directive_fields_are_checked_and_the_grid_is_kept(tmp_path):
    at = analyse(open_import(tmp_path), (HERE / "01_ke_hoach.txt").read_text(encoding="utf-8"))
    at.text_input(key="meta_issued_on").input("31/02/2025")
    at.text_area(key="meta_title").input("")
    edit_grid(at, edited_rows={1: {"partners": "Sở Tài chính; Sở Xây dựng"}})
    at.button(key="import_save").click().run()
    assert not at.exception
    errors = messages(at, "error")
    assert "Ngày ban hành: Ngày không hợp lệ: «31/02/2025» (định dạng dd/mm/yyyy)" in errors
    assert "Nhập trích yếu văn bản." in errors
    assert grid(at).iloc[1]["partners"] == "Sở Tài chính; Sở Xây dựng"
    at.text_input(key="meta_issued_on").input("10/03/2025")
    at.text_area(key="meta_title").input("Chuyển đổi số năm 2025")
    at.button(key="import_save").click().run()
    assert "Đã lưu văn bản **VB-0002**" in at.success[0].value
    snap = store_of(tmp_path).load()
    assert (snap.directives[-1].issued_on, snap.directives[-1].title) == (
        "2025-03-10",
        "Chuyển đổi số năm 2025",
    )
    assert snap.task("NV-0031").partners == ("STC", "SXD")


def test_a_proposed_agency_is_added_when_ticked(tmp_path):
    at = analyse(open_import(tmp_path), (HERE / "03_thong_bao.txt").read_text(encoding="utf-8"))
    assert grid(at).iloc[4]["lead"] == "Sở Ngoại vụ"
    at.button(key="import_save").click().run()  # not ticked: refused on its row
    assert "Cơ quan chủ trì «Sở Ngoại vụ» chưa có trong danh mục cơ quan." in list(
        grid(at)["message"]
    )
    at.checkbox(key="import_agency_0").check().run()
    assert "Sẽ thêm: Sở Ngoại vụ (mã SNGOAIVU, nhóm Sở, ban, ngành)." in messages(at, "caption")
    at.button(key="import_save").click().run()
    assert not at.exception and "Đã lưu văn bản **VB-0002**" in at.success[0].value
    snap = store_of(tmp_path).load()
    assert snap.agency("SNGOAIVU").name == "Sở Ngoại vụ"
    assert [t.lead for t in snap.tasks if t.directive_id == "VB-0002"][-1] == "SNGOAIVU"


def test_empty_input_asks_for_a_text_or_a_file(tmp_path):
    at = analyse(open_import(tmp_path), "   \n ")
    assert "Chưa có nội dung" in at.warning[0].value
    assert not at.data_editor


def test_english_text_says_it_is_not_vietnamese(tmp_path):
    at = analyse(
        open_import(tmp_path),
        "The Provincial People's Committee asks every department to report. " * 5,
    )
    assert any("không có dấu tiếng Việt" in w for w in messages(at, "warning"))
    assert "Không có gì để lưu từ văn bản này." in messages(at, "info")
    assert not at.data_editor


def build_docx() -> bytes:
    import docx

    document = docx.Document()
    for text in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH HƯNG YÊN",
        "Số: 30/KH-UBND",
        "Hưng Yên, ngày 02 tháng 6 năm 2025",
        "KẾ HOẠCH",
        "Phòng, chống thiên tai năm 2025",
        "I. NHIỆM VỤ",
    ):
        document.add_paragraph(text)
    document.add_paragraph(
        "Sở Nông nghiệp và Môi trường: Chủ trì kiểm tra đê điều, hoàn thành trước ngày 30/6/2025.",
        style="List Number",
    )
    document.add_paragraph(
        "Công an tỉnh: Bảo đảm an ninh trật tự trong mùa mưa bão.", style="List Number"
    )
    for text in ("Nơi nhận:", "- Như trên;", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Lê Huy"):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_upload_is_read_and_saved(tmp_path):
    at = open_import(tmp_path)
    at.file_uploader(key="import_file").set_value(
        (
            "ke_hoach.docx",
            build_docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    ).run()
    analyse(at)
    assert any(
        c.startswith("Đọc từ tệp «ke_hoach.docx»: 2 nhiệm vụ") for c in messages(at, "caption")
    )
    rows = grid(at)
    assert list(rows["lead"]) == ["Sở Nông nghiệp và Môi trường", "Công an tỉnh"]
    assert rows.iloc[0]["deadline"] == date(2025, 6, 30)
    assert at.text_input(key="meta_number").value == "30/KH-UBND"
    at.button(key="import_save").click().run()
    assert "Đã lưu văn bản **VB-0002** (30/KH-UBND) và 2 nhiệm vụ" in at.success[0].value
    assert [t.lead for t in store_of(tmp_path).load().tasks[29:]] == ["SNNMT", "CAT"]


def test_an_unreadable_upload_gives_a_message(tmp_path):
    at = open_import(tmp_path)
    at.file_uploader(key="import_file").set_value(
        ("hong.docx", b"PK\x03\x04 not a zip", "application/octet-stream")
    ).run()
    analyse(at)
    assert any("Không mở được tệp .docx" in w for w in messages(at, "warning"))
    assert not at.data_editor


def test_a_text_pdf_upload_is_read_and_a_scanned_one_explained(tmp_path):
    at = open_import(tmp_path)
    lines = [
        "ỦY BAN NHÂN DÂN",
        "TỈNH HƯNG YÊN",
        "Số: 41/UBND-VX Hưng Yên, ngày 05 tháng 6 năm 2025",
        "V/v phòng chống sốt xuất huyết",
        "1. Sở Y tế chủ trì giám sát dịch trước ngày 30/6/2025.",
    ]
    at.file_uploader(key="import_file").set_value(
        ("cong_van.pdf", text_pdf(lines), "application/pdf")
    ).run()
    analyse(at)
    assert list(grid(at)["lead"]) == ["Sở Y tế"]
    assert at.text_input(key="meta_number").value == "41/UBND-VX"
    at.file_uploader(key="import_file").set_value(
        ("ban_scan.pdf", scanned_pdf(), "application/pdf")
    ).run()
    analyse(at)
    assert any("không có lớp chữ" in w for w in messages(at, "warning"))
    assert not at.data_editor


def test_an_unknown_agency_is_mapped_to_a_suggested_existing_one(tmp_path):
    text = (
        "Số: 52/UBND-VX\nHưng Yên, ngày 05 tháng 6 năm 2025\nV/v kiểm tra\n\n"
        "1. Sở Văn hoá và Thể thao chủ trì kiểm tra các lễ hội trước ngày 30/6/2025."
    )
    at = analyse(open_import(tmp_path), text)
    assert grid(at).iloc[0]["lead"] == "Sở Văn hoá và Thể thao"
    choice = at.selectbox(key="import_map_0")
    assert choice.options[1] == "Sở Văn hóa, Thể thao và Du lịch"  # the most similar first
    choice.select("Sở Văn hóa, Thể thao và Du lịch").run()
    at.button(key="import_save").click().run()
    assert not at.exception and "Đã lưu văn bản **VB-0002**" in at.success[0].value
    snap = store_of(tmp_path).load()
    assert [t.lead for t in snap.tasks if t.directive_id == "VB-0002"] == ["SVHTTDL"]
    assert len(snap.agencies) == len(store_of(tmp_path).load().agencies)  # nothing added


def test_a_relative_deadline_is_saved_only_when_the_suggestion_is_confirmed(tmp_path):
    text = (
        "Số: 53/QĐ-UBND\nHưng Yên, ngày 20 tháng 11 năm 2025\nV/v công bố thủ tục\n\n"
        "1. Sở Tư pháp công bố thủ tục trong 10 ngày kể từ ngày ký."
    )
    at = analyse(open_import(tmp_path), text)
    row = grid(at).iloc[0]
    assert pd.isna(row["deadline"]) and "gợi ý 30/11/2025 (cần xác nhận)" in row["deadline_note"]
    at.button(key="import_use_suggested").click().run()
    assert grid(at).iloc[0]["deadline"] == date(2025, 11, 30)
    at.button(key="import_save").click().run()
    saved = [t for t in store_of(tmp_path).load().tasks if t.directive_id == "VB-0002"]
    assert [t.deadline for t in saved] == [date(2025, 11, 30)]


def test_a_near_duplicate_of_a_stored_task_is_left_to_the_admin(tmp_path):
    seed = DIRECTIVE_TEXT.read_text(encoding="utf-8")
    changed = seed.replace("nêu trên./.", "nêu trên, định kỳ báo cáo./.")  # item 6, reworded
    at = analyse(open_import(tmp_path), changed)
    assert any("gần giống một nhiệm vụ đã có" in w for w in messages(at, "warning"))
    button = at.button(key="import_add_new")
    assert button.disabled  # the near-duplicates are left out until the admin decides
    at.checkbox(key="import_keep_near").check().run()
    assert not at.button(key="import_add_new").disabled
