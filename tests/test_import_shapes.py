"""The shapes of real directives, each pinned with a short excerpt written for the test (the
wording is the administrative language's, not any one document's)."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from datetime import date

import pytest

from services.importing.agencies import expand_abbreviations
from services.importing.parser import parse_file, parse_text, to_json
from services.stores.seed import seed_records
from tests.directives.fixtures import scanned_pdf, text_pdf

_, AGENCIES, _, _ = seed_records()

MINISTRY_HEADER = (
    "BỘ NỘI VỤ\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    "Số: 88/KH-BNV\nHà Nội, ngày 12 tháng 3 năm 2025\n\nKẾ HOẠCH\nThí điểm số hóa hồ sơ\n\n"
)


def rows(text: str) -> list[tuple[str, str | None]]:
    return [
        (t["section"], t["lead"] or t["lead_name"])
        for t in to_json(parse_text(text, AGENCIES))["tasks"]
    ]


# --- agencies read by the shape of their names ------------------------------------------------


def test_an_item_header_gives_the_lead_of_every_sub_item_even_when_unknown():
    text = MINISTRY_HEADER + (
        "1. Bộ Kế hoạch và Đầu tư:\na) Chủ trì rà soát các khu kinh tế.\n"
        "b) Hướng dẫn các địa phương lập hồ sơ.\n2. Ủy ban nhân dân tỉnh Phú Thọ:\n"
        "- Bố trí quỹ đất tái định cư."
    )
    assert rows(text) == [
        ("1.a", "Bộ Kế hoạch và Đầu tư"),  # not the registry's Sở Kế hoạch và Đầu tư
        ("1.b", "Bộ Kế hoạch và Đầu tư"),
        ("2", "Ủy ban nhân dân tỉnh Phú Thọ"),
    ]
    result = parse_text(text, AGENCIES)
    assert result.new_agencies == ["Bộ Kế hoạch và Đầu tư", "Ủy ban nhân dân tỉnh Phú Thọ"]
    assert all(any("chưa có trong danh mục" in r for r in t.reasons) for t in result.tasks)


@pytest.mark.parametrize(
    "sentence, lead",
    [
        ("Cục Biến đổi khí hậu chủ trì xây dựng hướng dẫn kỹ thuật.", "Cục Biến đổi khí hậu"),
        ("Tổng cục Thống kê khẩn trương tổng hợp số liệu.", "Tổng cục Thống kê"),
        (
            "Đề nghị Ngân hàng Nhà nước Việt Nam chỉ đạo các tổ chức tín dụng.",
            "Ngân hàng Nhà nước Việt Nam",
        ),
        ("Yêu cầu Tập đoàn Điện lực Việt Nam bảo đảm cung ứng điện.", "Tập đoàn Điện lực Việt Nam"),
        (
            "Giao Trung tâm Truyền thông tài nguyên và môi trường xây dựng chuyên mục.",
            "Trung tâm Truyền thông tài nguyên và môi trường",
        ),
        ("Đài Truyền hình Việt Nam chủ trì sản xuất phóng sự.", "Đài Truyền hình Việt Nam"),
        ("Bộ trưởng Bộ Tư pháp chỉ đạo rà soát văn bản.", "Bộ Tư pháp"),  # the holder -> the body
    ],
)
def test_a_sentence_subject_is_the_lead(sentence, lead):
    assert rows("1. " + sentence) == [("1", lead)]


def test_an_unknown_name_ends_at_its_verb_even_when_an_accentless_copy_would_not():
    # "khí" is part of the name; "khi" (when) would end it
    assert rows("1. Viện Khí tượng thủy văn chủ trì dự báo khi có bão.") == [
        ("1", "Viện Khí tượng thủy văn")
    ]


def test_generic_groups_outside_the_registrys_province_stay_one_lead():
    text = MINISTRY_HEADER + (
        "1. Các Bộ, ngành liên quan phối hợp triển khai.\n"
        "2. Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương rà soát quy hoạch.\n"
        "3. Các sở, ban, ngành tỉnh báo cáo kết quả."
    )
    assert rows(text) == [
        ("1", "Các Bộ, ngành liên quan"),
        ("2", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"),
        ("3", "Các sở, ban, ngành tỉnh"),  # a ministry's plan: not the registry's departments
    ]


def test_a_group_in_the_registrys_own_province_is_expanded():
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH HƯNG YÊN\nSố: 9/UBND-VX\nHưng Yên, ngày 02 tháng 6 năm 2025\n"
        "V/v rà soát\n\n1. Các sở, ban, ngành tỉnh báo cáo kết quả."
    )
    leads = {lead for _, lead in rows(text)}
    assert {"SNV", "STC", "SYT"} <= leads and len(leads) > 10


def test_office_holders_without_a_body_are_kept_as_written():
    text = MINISTRY_HEADER + "1. Bộ trưởng, Thủ trưởng cơ quan ngang Bộ chỉ đạo rà soát."
    assert rows(text) == [("1", "Bộ trưởng"), ("1", "Thủ trưởng cơ quan ngang Bộ")]


def test_the_issuer_is_not_its_own_assignee():
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH PHÚ THỌ\nSố: 5/KH-UBND\nPhú Thọ, ngày 02 tháng 6 năm 2025\n\nKẾ HOẠCH\n"
        "Chuyển đổi số\n\nỦy ban nhân dân tỉnh Phú Thọ ban hành Kế hoạch như sau:\n"
        "1. Sở Tài chính bố trí kinh phí."
    )
    assert rows(text) == [("1", "STC")]


def test_abbreviations_in_a_printed_name_are_expanded():
    assert expand_abbreviations("UBND tỉnh Lào Cai") == "Ủy ban nhân dân tỉnh Lào Cai"
    assert expand_abbreviations("Bộ TN&MT") == "Bộ Tài nguyên và Môi trường"
    assert expand_abbreviations("Sở GD&ĐT") == "Sở Giáo dục và Đào tạo"
    assert expand_abbreviations("Ubnd xã") == "Ubnd xã"  # only abbreviations in capitals


def test_json_rows_carry_code_and_name_of_lead_and_partners():
    task = to_json(
        parse_text("1. Giao Sở Tài chính chủ trì, phối hợp với Sở Ngoại vụ rà soát.", AGENCIES)
    )["tasks"][0]
    assert (task["lead"], task["lead_name"]) == ("STC", "Sở Tài chính")
    assert (task["partners"], task["partner_names"]) == (["Sở Ngoại vụ"], ["Sở Ngoại vụ"])


# --- crawled and laid-out text ----------------------------------------------------------------


def test_a_header_broken_over_lines_still_gives_number_and_date():
    text = (
        "**ỦY BAN NHÂN\nDÂN**\nTỈNH QUẢNG NAM\n|\n**CỘNG HÒA XÃ\nHỘI CHỦ NGHĨA VIỆT NAM**\n"
        "Độc lập - Tự do - Hạnh phúc\n|\nSố:\n41/KH-UBND\n|\n*Quảng Nam, ngày\n"
        "09 tháng 10 năm 2025*\n|\n**KẾ HOẠCH**\nPhòng chống thiên tai\n\n"
        "1. Sở Xây dựng rà soát công trình trước ngày 30/10/2025."
    )
    data = to_json(parse_text(text, AGENCIES))
    assert (data["directive"]["number"], data["directive"]["date"]) == ("41/KH-UBND", "2025-10-09")
    assert data["directive"]["issuer"] == "UBND tỉnh Quảng Nam"
    assert [(t["lead"], t["deadline"]) for t in data["tasks"]] == [("SXD", "2025-10-30")]


def test_the_date_never_becomes_part_of_the_title():
    text = "Số: 3/UBND-VP\nV/v tăng cường kiểm tra\nHưng Yên, ngày 04 tháng 6 năm 2025\n\n1. Sở Y tế kiểm tra."
    assert to_json(parse_text(text, AGENCIES))["directive"]["title"] == "V/v tăng cường kiểm tra"


def test_markdown_table_rows_are_task_rows():
    text = MINISTRY_HEADER + (
        "PHỤ LỤC\n| TT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| 1. | Xây dựng cơ sở dữ liệu | Cục Chuyển đổi số | Vụ Pháp chế | Trước ngày 30/6/2025 |\n"
        "| 2. | Tập huấn cán bộ | Trường Đào tạo cán bộ | | Quý III/2025 |\n"
    )
    data = to_json(parse_text(text, AGENCIES))
    assert [
        (t["section"], t["lead_name"], t["partner_names"], t["deadline"], t["deadline_text"])
        for t in data["tasks"]
    ] == [
        ("1", "Cục Chuyển đổi số", ["Vụ Pháp chế"], "2025-06-30", None),
        ("2", "Trường Đào tạo cán bộ", [], None, "Quý III/2025"),
    ]


def test_a_crawled_table_with_one_cell_per_line_is_read():
    cells = [
        "TT",
        "Nội dung nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian",
        None,
        "1",
        "Khảo sát hạ tầng viễn\nthông",
        "Sở Khoa học và Công nghệ",
        "Sở Xây dựng",
        "Thường xuyên",
        None,
    ]
    lines = ["|"]
    for cell in cells:
        lines += ["|"] if cell is None else [cell, "|"]
    data = to_json(parse_text(MINISTRY_HEADER + "\n".join(lines), AGENCIES))
    assert [(t["lead"], t["content"], t["recurring"]) for t in data["tasks"]] == [
        ("SKHCN", "Khảo sát hạ tầng viễn thông", True)
    ]


def test_descriptive_sections_give_no_task():
    text = MINISTRY_HEADER + (
        "I. MỤC ĐÍCH, YÊU CẦU\n1. Sở Tài chính bảo đảm hiệu quả.\nII. NHIỆM VỤ\n"
        "1. Sở Tài chính bố trí kinh phí."
    )
    assert rows(text) == [("II.1", "STC")]


# --- deadlines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase, deadline, text, recurring",
    [
        ("chậm nhất ngày 10 tháng 12 năm 2025", date(2025, 12, 10), None, False),
        ("trước ngày 30/11/2025", date(2025, 11, 30), None, False),
        ("báo cáo Thủ tướng trong quý III năm 2025", None, "trong quý III năm 2025", False),
        ("hoàn thành trong tháng 12 năm 2025", None, "hoàn thành trong tháng 12 năm 2025", False),
        ("thực hiện trong năm 2025", None, "trong năm 2025", False),
        ("báo cáo trước ngày 25/12 hằng năm", None, None, True),
        ("định kỳ trước ngày 30 tháng 11 hàng năm báo cáo", None, None, True),
    ],
)
def test_deadline_shapes(phrase, deadline, text, recurring):
    task = parse_text("Ngày 02 tháng 6 năm 2025\n\n1. Sở Y tế " + phrase + ".", AGENCIES).tasks[0]
    assert (task.deadline, task.deadline_text or None, task.recurring) == (
        deadline,
        text,
        recurring,
    )


def test_a_relative_deadline_is_a_suggestion_never_stored():
    text = (
        "Số: 7/QĐ-UBND\nHưng Yên, ngày 20 tháng 11 năm 2025\n\n"
        "1. Sở Nội vụ trình phê duyệt trong 10 ngày kể từ ngày ký.\n"
        "2. Sở Tư pháp rà soát chậm nhất 05 ngày làm việc kể từ ngày ban hành Quyết định."
    )
    first, second = parse_text(text, AGENCIES).tasks
    assert (first.deadline, first.suggested_deadline) == (None, date(2025, 11, 30))
    assert (second.deadline, second.suggested_deadline) == (None, date(2025, 11, 27))  # Mon-Fri
    assert any("gợi ý 30/11/2025" in r and "xác nhận" in r for r in first.reasons)


# --- PDF --------------------------------------------------------------------------------------

PDF_LINES = [
    "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "TỈNH HƯNG YÊN Độc lập - Tự do - Hạnh phúc",
    "Số: 77/UBND-KT Hưng Yên, ngày 03 tháng 7 năm 2025",
    "V/v kiểm tra an toàn thực phẩm",
    "1. Giao Sở Y tế chủ trì, phối hợp với Công an tỉnh kiểm tra các bếp ăn tập thể,",
    "báo cáo kết quả trước ngày 31/7/2025.",
    "2. Sở Công Thương kiểm tra chợ đầu mối./.",
]


def test_a_text_pdf_is_read_like_its_text():
    data = to_json(parse_file("cong_van.pdf", text_pdf(PDF_LINES), AGENCIES))
    assert (data["directive"]["number"], data["directive"]["date"]) == ("77/UBND-KT", "2025-07-03")
    assert [(t["section"], t["lead"], t["partners"], t["deadline"]) for t in data["tasks"]] == [
        ("1", "SYT", ["CAT"], "2025-07-31"),
        ("2", "SCT", [], None),
    ]
    assert not data["tasks"][1]["content"].endswith("./.")  # the end-of-document mark


def test_a_scanned_pdf_gets_a_clear_message_and_nothing_else():
    result = parse_file("ban_scan.pdf", scanned_pdf(), AGENCIES)
    assert result.tasks == []
    assert len(result.warnings) == 1 and "không có lớp chữ" in result.warnings[0]
    result = parse_file("hong.pdf", b"%PDF-1.4 not really", AGENCIES)
    assert result.tasks == [] and "Không mở được tệp PDF «hong.pdf»" in result.warnings[0]


# --- bounds -----------------------------------------------------------------------------------


def _docx_with_paragraphs(n: int, text: str = "Sở Tài chính rà soát nội dung.") -> bytes:
    """A .docx written as a zip of XML (python-docx would take long to build a million)."""
    paragraph = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
    body = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body>" + paragraph * n + b"</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        z.writestr("word/document.xml", body)
    return out.getvalue()


def test_a_million_paragraph_docx_is_refused_at_once_and_memory_goes_back():
    data = _docx_with_paragraphs(1_000_000)
    assert len(data) < 1_000_000  # a small file: the paragraphs compress to almost nothing
    tracemalloc.start()
    started = time.perf_counter()
    result = parse_file("bom.docx", data, AGENCIES)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 5 and peak < 50 * 2**20
    assert result.tasks == []
    assert len(result.warnings) == 1 and "vượt giới hạn 10.000 đoạn" in result.warnings[0]


def test_reading_a_docx_grows_linearly_with_its_paragraphs():
    def seconds(n: int) -> float:
        data = _docx_with_paragraphs(
            n, "1. Sở Tài chính chủ trì rà soát nội dung trước ngày 30/6/2025."
        )
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            result = parse_file("dai.docx", data, AGENCIES)
            best = min(best, time.perf_counter() - started)
        assert len(result.tasks) == n
        return best

    small, large = seconds(200), seconds(1600)
    assert large < 8 * small * 2  # 8 times the paragraphs: far from 64 times the time


# --- more shapes ------------------------------------------------------------------------------


def test_articles_of_a_decision_are_tasks_and_the_others_are_not():
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH NINH BÌNH\nSố: 88/QĐ-UBND\nNinh Bình, ngày 03 tháng 3 năm 2025\n\n"
        "QUYẾT ĐỊNH\nVề việc phê duyệt danh mục\n\nQUYẾT ĐỊNH:\n"
        "Điều 1. Phê duyệt danh mục kèm theo Quyết định này.\n"
        "Điều\n2. Sở Nội vụ có trách nhiệm hướng dẫn thực hiện.\n"
        "Điều 3. Quyết định có hiệu lực từ ngày ký."
    )
    data = to_json(parse_text(text, AGENCIES))
    assert data["directive"]["type"] == "Quyết định"
    assert [(t["section"], t["lead"]) for t in data["tasks"]] == [("Điều 2", "SNV")]


def test_a_heading_naming_whose_tasks_follow_gives_their_lead():
    text = MINISTRY_HEADER + (
        "II. NHIỆM VỤ CHỦ YẾU CỦA BỘ GIAO THÔNG VẬN TẢI\n1. Rà soát quy hoạch cảng.\n"
        "2. Chủ trì, phối hợp với Bộ Tài chính lập đề án."
    )
    assert rows(text) == [("II.1", "Bộ Giao thông vận tải"), ("II.2", "Bộ Giao thông vận tải")]


def test_a_title_shared_along_a_list_and_a_line_ending_with_a_comma():
    text = MINISTRY_HEADER + (
        "1. Các đồng chí Bộ trưởng,\nThủ trưởng cơ quan ngang Bộ, cơ quan thuộc Chính phủ "
        "chỉ đạo rà soát."
    )
    assert rows(text) == [
        ("1", "Bộ trưởng"),  # "các đồng chí" is a form of address
        ("1", "Thủ trưởng cơ quan ngang Bộ"),
        ("1", "Thủ trưởng cơ quan thuộc Chính phủ"),
    ]


def test_the_subject_after_a_condition_is_the_lead():
    text = MINISTRY_HEADER + (
        "1. Trường hợp xảy ra sự cố, các doanh nghiệp viễn thông chủ động khắc phục ngay."
    )
    assert rows(text) == [("1", "các doanh nghiệp viễn thông")]


def test_a_header_of_non_state_actors_with_a_parenthesis_is_their_lead():
    text = MINISTRY_HEADER + (
        "3. Các chủ đầu tư (các ban quản lý dự án, các doanh nghiệp):\n- Báo cáo tiến độ hằng tháng."
    )
    assert rows(text) == [("3", "Các chủ đầu tư (các ban quản lý dự án, các doanh nghiệp)")]


def test_an_earlier_assignment_that_is_only_reported_gives_no_task():
    text = MINISTRY_HEADER + (
        "Ngày 10/02/2025, Bộ Xây dựng ban hành Quyết định số 5/QĐ-BXD và giao Ủy ban nhân dân "
        "các tỉnh hướng dẫn thực hiện.\nĐể triển khai, Bộ Nội vụ yêu cầu:\n"
        "1. Vụ Tổ chức cán bộ rà soát nhân sự."
    )
    assert rows(text) == [("1", "Vụ Tổ chức cán bộ")]


def test_bodies_the_lead_directs_are_not_leads():
    text = MINISTRY_HEADER + (
        "2. Bộ Công Thương:\n- Phối hợp với Ủy ban nhân dân các tỉnh rà soát; yêu cầu các "
        "doanh nghiệp báo cáo số liệu."
    )
    assert rows(text) == [("2", "Bộ Công Thương")]


def test_recipients_wrapped_over_lines_stay_in_the_header():
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\nSố: 12/CĐ-TTg\nHà Nội, ngày 02 tháng 10 năm 2025\n\nCÔNG ĐIỆN\n"
        "Về ứng phó bão\n\nTHỦ TƯỚNG CHÍNH PHỦ điện:\n- Bộ trưởng các Bộ: Quốc phòng, Công an;\n"
        "- Chủ tịch Ủy ban nhân dân các tỉnh, thành phố ven biển, Tổng giám đốc các Tập\n"
        "đoàn kinh tế.\nBão số 10 đang tiến nhanh vào đất liền, gây mưa lớn.\n"
        "1. Bộ Quốc phòng chỉ đạo lực lượng sẵn sàng cứu hộ."
    )
    result = parse_text(text, AGENCIES)
    assert result.recipients[-1].endswith("Tổng giám đốc các Tập đoàn kinh tế")
    assert [(t.section, t.lead_name) for t in result.tasks] == [("1", "Bộ Quốc phòng")]


# --- patterns of the administrative language (issue 14, second pass) -------------------------


def test_a_header_wrapped_inside_a_parenthesis_stays_one_header():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n4. Các chủ đầu tư là doanh nghiệp (các\n"
        "Tổng công ty, các Công ty cổ phần…)\n\n- Lập hồ sơ hoàn công đúng hạn.\n\n"
        "- Báo cáo tiến độ giải ngân."
    )
    lead = "Các chủ đầu tư là doanh nghiệp (các Tổng công ty, các Công ty cổ phần…)"
    assert rows(text) == [("II.4", lead), ("II.4", lead)]


def test_to_chuc_after_a_group_without_a_comma_is_its_verb():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Sở Xây dựng:\n- Trên cơ sở kết quả rà soát, Ủy ban nhân dân "
        "các phường, xã tổ chức kiểm tra hiện trường.\n"
        "2. Các doanh nghiệp, tổ chức có liên quan: chấp hành quy định."
    )
    assert rows(text) == [
        ("II.1", "Ủy ban nhân dân các phường, xã"),
        ("II.2", "Các doanh nghiệp, tổ chức có liên quan"),
    ]


def test_a_closing_with_a_recurring_report_is_an_assignment():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Sở Nội vụ chủ trì hướng dẫn lập danh mục hồ sơ.\n"
        "Bộ Nội vụ yêu cầu các đơn vị sự nghiệp và các hội nghề nghiệp nghiêm túc triển khai "
        "thực hiện; hằng quý báo cáo kết quả về Bộ (qua Văn phòng Bộ)./."
    )
    got = rows(text)
    assert got[0] == ("II.1", "SNV")
    assert [lead for section, lead in got[1:]] == [
        "các đơn vị sự nghiệp",
        "các hội nghề nghiệp",
    ]
    assert got[1][0] == ""  # the closing stands after the items, under none of them


def test_a_closing_formula_without_a_concrete_duty_is_no_task():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Sở Nội vụ chủ trì hướng dẫn lập danh mục hồ sơ.\n"
        "Bộ Nội vụ yêu cầu các đơn vị nghiêm túc triển khai thực hiện./."
    )
    assert rows(text) == [("II.1", "SNV")]


def test_an_adverb_ends_a_generic_group():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Các doanh nghiệp bưu chính kịp thời báo cáo sự cố.\n"
        "2. Các hợp tác xã nghiêm túc chấp hành quy định."
    )
    assert rows(text) == [("II.1", "Các doanh nghiệp bưu chính"), ("II.2", "Các hợp tác xã")]


def test_a_sentence_linked_to_the_one_before_gives_its_own_lead():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Các Sở:\n- Rà soát hồ sơ lưu trữ, gửi Sở Nội vụ trước ngày "
        "15/4/2025. Trên cơ sở đó, Sở Nội vụ tổng hợp, báo cáo Bộ Nội vụ trước ngày 30/4/2025."
    )
    result = to_json(parse_text(text, AGENCIES))["tasks"]
    assert [(t["lead"] or t["lead_name"], t["deadline"]) for t in result] == [
        ("Các Sở", "2025-04-15"),
        ("SNV", "2025-04-30"),
    ]
    assert result[1]["content"].startswith("Trên cơ sở đó, Sở Nội vụ tổng hợp")


def test_an_item_that_singles_out_some_duties_is_a_duty_itself():
    text = MINISTRY_HEADER + (
        "1. Các đồng chí Bộ trưởng, Thủ trưởng cơ quan ngang Bộ theo chức năng, nhiệm vụ "
        "trực tiếp chỉ đạo thực hiện nghiêm các chương trình số hóa; trong đó chú trọng các "
        "nội dung sau:\n- Hoàn thành số hóa hồ sơ gốc.\n- Bố trí đủ kinh phí.\n"
        "2. Sở Nội vụ chủ trì các việc sau:\n- Hướng dẫn nghiệp vụ."
    )
    assert rows(text) == [
        ("1", "Bộ trưởng"),
        ("1", "Thủ trưởng cơ quan ngang Bộ"),
        ("1", "Bộ trưởng"),
        ("1", "Thủ trưởng cơ quan ngang Bộ"),
        ("1", "Bộ trưởng"),
        ("1", "Thủ trưởng cơ quan ngang Bộ"),
        ("2", "SNV"),  # "chủ trì các việc sau:" is a lead-in, not a duty of its own
    ]


def test_a_field_printed_beside_the_items_own_bullets_belongs_to_the_item():
    text = MINISTRY_HEADER + (
        "II. NHIỆM VỤ\n3. Hỗ trợ các địa phương số hóa hồ sơ\n- Các việc hỗ trợ gồm:\n"
        "+ Tập huấn nghiệp vụ;\n+ Cung cấp phần mềm dùng chung.\n"
        "- Cơ quan thực hiện: Các sở, ngành theo chức năng, nhiệm vụ được giao.\n"
        "- Thời gian thực hiện: trước ngày 30/9/2025.\n4. Tổ chức sơ kết"
    )
    tasks = to_json(parse_text(text, AGENCIES))["tasks"]
    assert [(t["section"], t["lead_name"], t["deadline"]) for t in tasks] == [
        ("II.3", "Các sở, ngành", "2025-09-30")  # one task: the bullets are its content
    ]
    assert tasks[0]["content"].startswith("Hỗ trợ các địa phương số hóa hồ sơ")


def test_the_subject_after_the_trouble_words_of_a_condition():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Sở Nội vụ chủ trì hướng dẫn.\n2. Khi triển khai, nếu có "
        "vướng mắc, phát sinh các đơn vị sự nghiệp kịp thời báo cáo Bộ Nội vụ để xử lý.\n"
        "3. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, kịp thời phản ánh về Bộ."
    )
    assert rows(text) == [("II.1", "SNV"), ("II.2", "các đơn vị sự nghiệp"), ("II.3", None)]


def test_a_subject_described_by_what_it_was_assigned():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Căn cứ tình hình thực tế, các sở, ngành và Ủy ban nhân dân "
        "các xã, phường được giao chủ trì nhiệm vụ tại Kế hoạch này có trách nhiệm lập dự toán.\n"
        "2. Các đơn vị được phân công thực hiện nhiệm vụ theo Kế hoạch này chịu trách nhiệm "
        "quyết toán kinh phí."
    )
    assert rows(text) == [
        ("II.1", "các sở, ngành"),
        ("II.1", "Ủy ban nhân dân các xã, phường"),
        ("II.2", "Các đơn vị được phân công thực hiện nhiệm vụ theo Kế hoạch này"),
    ]


def test_a_long_topic_heading_is_not_a_task():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n2. Về việc vận hành thống nhất phần mềm quản lý hồ sơ điện tử "
        "trên hệ thống dùng chung của các cơ quan\n- Giao Sở Nội vụ chủ trì kiểm tra việc vận "
        "hành.\n- Giao Sở Tài chính bố trí kinh phí."
    )
    assert rows(text) == [("II.2", "SNV"), ("II.2", "STC")]


def test_a_clause_after_a_semicolon_at_a_line_end_stays_in_its_item():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n3. Sở Nội vụ\n\nHướng dẫn các đơn vị lập danh mục hồ sơ, "
        "kiểm tra việc lưu trữ;\nxử lý các trường hợp làm thất lạc hồ sơ.\n"
    )
    tasks = to_json(parse_text(text, AGENCIES))["tasks"]
    assert [(t["section"], t["lead"]) for t in tasks] == [("II.3", "SNV")]
    assert tasks[0]["content"].endswith("xử lý các trường hợp làm thất lạc hồ sơ.")


def test_names_after_a_semicolon_that_continue_a_partner_list_are_partners():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Sở Xây dựng:\n- Chủ trì, phối hợp Ban Quản lý các khu chế "
        "xuất và công nghiệp; các hợp tác xã và các đơn vị liên quan rà soát quy hoạch.\n"
        "- Chủ trì, phối hợp với Sở Tài chính; Sở Nội vụ hướng dẫn thủ tục."
    )
    tasks = to_json(parse_text(text, AGENCIES))["tasks"]
    assert [(t["lead_name"], t["partner_names"]) for t in tasks] == [
        ("Sở Xây dựng", ["Ban Quản lý các khu chế xuất và công nghiệp"]),  # groups: not listed
        ("Sở Xây dựng", ["Sở Tài chính"]),
        ("Sở Nội vụ", []),  # a capital after ";": a new subject
    ]


def test_an_unknown_name_runs_on_through_what_a_ban_quan_ly_manages_and_stops_at_a_verb():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Sở Xây dựng chủ trì, phối hợp với Ban Quản lý các khu chế "
        "xuất và công nghiệp, Vụ Kế hoạch hoàn thiện hồ sơ."
    )
    tasks = to_json(parse_text(text, AGENCIES))["tasks"]
    assert tasks[0]["partner_names"] == [
        "Ban Quản lý các khu chế xuất và công nghiệp",
        "Vụ Kế hoạch",
    ]


def test_a_leader_named_in_person_is_the_lead_as_written():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n5. Giao Phó Thủ tướng Lê Minh Khái trực tiếp chỉ đạo công tác "
        "chuẩn bị hội nghị.\n6. Giao Sở Nội vụ tổng hợp, kịp thời báo cáo Phó Thủ tướng Lê "
        "Minh Khái."
    )
    tasks = to_json(parse_text(text, AGENCIES))["tasks"]
    assert [(t["section"], t["lead"], t["lead_name"], t["partner_names"]) for t in tasks] == [
        ("II.5", None, "Phó Thủ tướng Lê Minh Khái", []),
        ("II.6", "SNV", "Sở Nội vụ", []),
    ]
    assert parse_text(text, AGENCIES).new_agencies == []  # a person is not proposed as an agency


def test_a_person_with_the_office_of_a_body_gives_the_body_and_a_title_is_no_name():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Giao đồng chí Trần Văn Bình, Giám đốc Sở Nội vụ chỉ đạo "
        "kiểm tra.\n2. Giao đồng chí Phó Chủ tịch phụ trách chỉ đạo tổng kết."
    )
    got = rows(text)
    assert got[0] == ("II.1", "SNV")
    assert len(got) == 2 and "Phó Chủ" not in (got[1][1] or "")  # a title is not a person's name


def test_a_countdown_to_an_event_is_not_a_deadline():
    text = MINISTRY_HEADER + (
        "Từ nay đến ngày 20 tháng 4 năm 2025 chỉ còn ít thời gian, Bộ trưởng yêu cầu:\n"
        "1. Vụ Tổ chức cán bộ rà soát nhân sự.\n"
        "2. Văn phòng Bộ hoàn thành hồ sơ trước ngày 10/4/2025."
    )
    tasks = to_json(parse_text(text, AGENCIES))["tasks"]
    assert [(t["section"], t["deadline"]) for t in tasks] == [("1", None), ("2", "2025-04-10")]


def test_a_comma_inside_an_unknown_name_does_not_end_it():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Bộ Văn hóa, Thể thao và Du lịch chủ trì, phối hợp với Bộ Lao "
        "động, Thương binh và Xã hội, Bộ Công an tổ chức kiểm tra.\n"
        "2. Viện Nghiên cứu, Phát triển kinh tế và xã hội nghiên cứu đề xuất mô hình."
    )
    tasks = to_json(parse_text(text, AGENCIES))["tasks"]
    assert [(t["lead_name"], t["partner_names"]) for t in tasks] == [
        ("Bộ Văn hóa, Thể thao và Du lịch", ["Bộ Lao động, Thương binh và Xã hội", "Bộ Công an"]),
        ("Viện Nghiên cứu, Phát triển kinh tế và xã hội", []),
    ]


def test_a_group_located_in_industrial_zones_keeps_its_location():
    text = MINISTRY_HEADER + (
        "II. TỔ CHỨC THỰC HIỆN\n1. Các chủ đầu tư hạ tầng trong các khu công nghiệp, khu chế "
        "xuất, cụm công nghiệp chủ động bố trí kinh phí."
    )
    assert rows(text) == [
        ("II.1", "Các chủ đầu tư hạ tầng trong các khu công nghiệp, khu chế xuất, cụm công nghiệp")
    ]


def test_partner_cells_split_into_names_by_their_shape():
    text = MINISTRY_HEADER + (
        "PHỤ LỤC\n| TT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| 1. | Số hóa hồ sơ | Cục Lưu trữ | Vụ Pháp chế và các đơn vị có liên quan | 2025 |\n"
        "| 2. | Tập huấn | Cục Lưu trữ | Vụ Tổ chức cán bộ, Cục Kế toán tài chính | 2025 |\n"
        "| 3. | Kiểm tra | Cục Lưu trữ | Sở Nội vụ Sở Tài chính; các đơn vị | 2025 |\n"
        "| 4. | Tổng kết | Cục Lưu trữ | Bộ Văn hóa, Thể thao và Du lịch | 2026 |\n"
    )
    data = to_json(parse_text(text, AGENCIES))
    assert [t["partner_names"] for t in data["tasks"]] == [
        ["Vụ Pháp chế"],  # the generic group after "và các" is not listed
        ["Vụ Tổ chức cán bộ", "Cục Kế toán tài chính"],  # each part starts like a name
        ["Sở Nội vụ", "Sở Tài chính"],  # a lost separator between two registered names
        ["Bộ Văn hóa, Thể thao và Du lịch"],  # one name with a comma
    ]
