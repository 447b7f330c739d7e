"""Reading directives into tasks: the seed directive, other shapes, bad input, properties."""

import codecs
import io
import json
import time
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.model import NOT_STARTED
from services.importing.parser import parse_docx, parse_file, parse_text, to_json, to_tasks
from services.stores.seed import DIRECTIVE_TEXT, seed_records
from tests.directives.fixtures import cases, expected_rows, tiny_png, without_end_mark

DIRECTIVES, AGENCIES, SEED_TASKS, _ = seed_records()
SEED = DIRECTIVE_TEXT.read_text(encoding="utf-8")
CASES = cases()


def first_task(text: str):
    tasks = parse_text(text, AGENCIES).tasks
    assert tasks, text
    return tasks[0]


# --- the seed directive -----------------------------------------------------------------------


def test_seed_directive_gives_the_hand_checked_rows_of_the_seed_sheet():
    tasks = to_tasks(parse_text(SEED, AGENCIES))
    fields = ("section", "content", "lead", "partners", "deadline", "status", "progress")
    assert [[getattr(t, f) for f in fields] for t in tasks] == [
        [without_end_mark(getattr(t, f)) for f in fields] for t in SEED_TASKS
    ]
    assert len(tasks) == 29 and {t.id for t in tasks} == {""}


def test_seed_directive_metadata():
    result = parse_text(SEED, AGENCIES)
    assert result.directive == replace(DIRECTIVES[0], id="")  # the seed's VanBan row
    assert result.directive.number == "/UBND-KGVX" and result.directive.issued_on == "2025-01"
    assert result.directive.title.startswith("V/v triển khai Kế hoạch số 375-KH/TU")
    assert (result.doc_type, result.signer, result.signer_title, result.place) == (
        "Công văn",
        "Nguyễn Duy Hưng",
        "Phó Chủ tịch",
        "Hưng Yên",
    )
    assert result.recipients == [
        "Các Sở, ban, ngành tỉnh",
        "Đài Phát thanh và Truyền hình Hưng Yên",
        "Các Hội: Nhà báo, Văn học Nghệ thuật tỉnh",
    ]
    assert result.distribution[:3] == [
        "Như trên",
        "Chủ tịch, các PCT UBND tỉnh",
        "Ban Tuyên giáo Tỉnh ủy",
    ]
    assert result.warnings == [] and result.new_agencies == []


def test_seed_rows_show_their_group_source_and_the_merger():
    tasks = parse_text(SEED, AGENCIES).tasks
    item1 = [t for t in tasks if t.section == "1"]
    assert {t.group for t in item1} == {"Các sở, ban, ngành tỉnh"}
    assert all(t.source.startswith("1. Các sở, ban, ngành tỉnh\nChỉ đạo") for t in item1)
    merged = [t for t in tasks if t.lead == "STTTT"]
    assert len(merged) == 4
    assert all(t.confidence == "cao" for t in merged)  # named as it was in January 2025
    assert all(
        any("đã sáp nhập vào Sở Khoa học và Công nghệ" in r for r in t.reasons) for t in merged
    )
    press = next(t for t in tasks if "họp báo" in t.content)
    assert press.source == (
        "2. Sở Thông tin và Truyền thông\n- Phối hợp với Ban Tuyên giáo Tỉnh "
        "ủy tổ chức họp báo, tuyên truyền về Đại hội đảng bộ tỉnh lần thứ XX."
    )
    assert all(t.confidence == "cao" for t in tasks)


# --- other shapes, against hand-written expectations -------------------------------------------


def comparable(result, expected_row_keys):
    rows = []
    for t, j in zip(result.tasks, to_json(result)["tasks"]):
        row = {**j, "lead": j["lead"] or j["lead_name"], "group": t.group}
        rows.append({k: row[k] for k in expected_row_keys})
    return rows


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_fixture_extracts_to_its_hand_written_rows(case):
    result = parse_file(case.filename, case.data, AGENCIES)
    want = expected_rows(case.expected)
    keys = sorted({k for row in want for k in row})
    want = [{**{"group": ""}, **row} if "group" in keys else row for row in want]
    assert to_json(result)["directive"] == case.expected["directive"]
    assert comparable(result, keys) == [{k: row[k] for k in keys} for row in want]
    assert result.new_agencies == case.expected["new_agencies"]
    for name in ("signer_title", "recipients"):
        if name in case.expected:
            assert getattr(result, name) == case.expected[name]
    assert all(t.content in t.source for t in result.tasks)


def test_every_fixture_shape_is_there():
    names = {c.name for c in CASES}
    assert {
        "00_seed",
        "01_ke_hoach",
        "02_cong_dien",
        "03_thong_bao",
        "04_chi_thi",
        "05_bang_docx",
        "06_pdf",
    } <= names


def test_json_has_exactly_the_agreed_shape():
    data = to_json(parse_text(SEED, AGENCIES))
    assert set(data) == {"directive", "tasks", "warnings"}
    assert set(data["directive"]) == {"number", "date", "issuer", "type", "title", "signer"}
    assert all(
        set(t)
        == {
            "section",
            "lead",
            "lead_name",
            "partners",
            "partner_names",
            "deadline",
            "deadline_text",
            "suggested_deadline",
            "recurring",
            "content",
            "confidence",
            "source",
        }
        for t in data["tasks"]
    )
    assert json.loads(json.dumps(data)) == data


def test_tasks_for_the_store():
    case = next(c for c in CASES if c.name == "03_thong_bao")
    tasks = to_tasks(parse_file(case.filename, case.data, AGENCIES))
    assert {(t.id, t.status, t.progress) for t in tasks} == {("", NOT_STARTED, 0)}
    assert [t.lead for t in tasks] == ["SXD", "STC", "CAT", "SGDDT", "Sở Ngoại vụ"]
    assert tasks[0].partners == ("STC",) and tasks[0].deadline == date(2025, 9, 30)


# --- wording of leads, partners and deadlines -------------------------------------------------


@pytest.mark.parametrize(
    "text, lead, partners",
    [
        ("1. Sở Thông tin và Truyền thông\n- Triển khai hệ thống.", "STTTT", []),
        ("5. Công an tỉnh: Chủ trì bảo đảm an ninh.", "CAT", []),
        ("Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính tổ chức tiêm chủng.", "SYT", ["STC"]),
        (
            "Sở Xây dựng chủ trì, phối hợp với Sở Tài chính và các cơ quan liên quan rà soát.",
            "SXD",
            ["STC"],
        ),
        ("UBND tỉnh đề nghị Sở Tư pháp thẩm định dự thảo.", "STP", []),
        (
            "Tổ chức hội nghị sơ kết, trong đó Sở Nội vụ chủ trì, phối hợp với Sở Y tế.",
            "SNV",
            ["SYT"],
        ),
        (
            "1. Thẩm định dự án\n- Chủ trì: Sở Kế hoạch và Đầu tư\n- Phối hợp: Sở Xây dựng; Sở Tài chính",
            "SKHDT",
            ["SXD", "STC"],
        ),
        ("2. Đài PT-TH: Phối hợp với Sở VHTTDL, Hội VHNT đưa tin.", "DPTTH", ["SVHTTDL", "HVHNT"]),
    ],
)
def test_lead_and_partner_wording(text, lead, partners):
    task = first_task(text)
    assert (task.lead, task.partners) == (lead, partners)


def test_a_group_heading_with_localities_expands_to_the_departments():
    text = "Hưng Yên, ngày 05 tháng 5 năm 2025\n\n1. Các sở, ngành, địa phương: Rà soát thủ tục."
    tasks = parse_text(text, AGENCIES).tasks
    assert len(tasks) == 13 and {t.group for t in tasks} == {
        "Các sở, ngành, địa phương"
    }  # as written


def test_a_sentence_starting_with_an_agency_names_the_lead():
    text = (
        "1. Về công tác tuyên truyền:\n- Sở VHTTDL chủ trì triển lãm.\n"
        "- Báo Hưng Yên mở chuyên mục."
    )
    assert [t.lead for t in parse_text(text, AGENCIES).tasks] == ["SVHTTDL", "BHY"]


def test_an_unknown_district_is_proposed_as_a_new_agency():
    result = parse_text("1. UBND huyện Văn Lâm: Hoàn thành giải phóng mặt bằng.", AGENCIES)
    assert result.new_agencies == ["Ủy ban nhân dân huyện Văn Lâm"]  # abbreviation expanded
    assert (result.tasks[0].lead, result.tasks[0].lead_name, result.tasks[0].confidence) == (
        None,
        "Ủy ban nhân dân huyện Văn Lâm",
        "thấp",
    )


def test_your_agency_means_the_recipients():
    task = first_task("Kính gửi: Sở Y tế\n\nĐề nghị Quý cơ quan báo cáo trước ngày 15/9/2025.")
    assert (task.lead, task.deadline, task.confidence) == ("SYT", date(2025, 9, 15), "trung bình")
    assert any("Kính gửi" in r for r in task.reasons)


def test_a_table_pasted_from_word_is_read():
    text = (
        "Số: 12/KH-UBND\n\nSTT\tNội dung\tChủ trì\tPhối hợp\tThời hạn\n"
        "1\tRà soát văn bản\tSở Tư pháp\tSở Nội vụ\t30/6/2025\n"
        "2\tBố trí kinh phí\tSở Tài chính\t\tQuý III/2025"
    )
    tasks = parse_text(text, AGENCIES).tasks
    assert [(t.section, t.lead, t.partners, t.deadline) for t in tasks] == [
        ("1", "STP", ["SNV"], date(2025, 6, 30)),
        ("2", "STC", [], None),  # "Quý III/2025": a period, no date
    ]


@pytest.mark.parametrize(
    "phrase, deadline, recurring",
    [
        ("hoàn thành trước ngày 29/8/2025", date(2025, 8, 29), False),
        ("báo cáo trước ngày 29 tháng 8 năm 2025", date(2025, 8, 29), False),
        ("sửa chữa xong trước ngày Quốc khánh 02/9/2025", date(2025, 9, 2), False),
        ("chậm nhất ngày 05/10/2025", date(2025, 10, 5), False),
        ("sơ tán trước 17 giờ 00 ngày 27/8/2025", date(2025, 8, 27), False),
        # a period is no date (kept as text: see test_a_period_is_kept_as_text)
        ("hoàn thành trong tháng 3/2025", None, False),
        ("trong tháng 2 năm 2024", None, False),
        ("trong quý II/2025", None, False),
        ("thời hạn: quý IV/2025", None, False),
        ("thực hiện thường xuyên", None, True),
        ("hằng tháng báo cáo kết quả", None, True),
        ("định kỳ 6 tháng báo cáo", None, True),
        ("theo Kế hoạch số 12/KH-UBND ngày 15/3/2025", None, False),  # a reference, not a deadline
        ("lập thành tích trong năm 2025", None, False),
        ("tổ chức từ ngày 01/9/2025 đến ngày 15/9/2025", date(2025, 9, 15), False),
    ],
)
def test_deadline_wording(phrase, deadline, recurring):
    task = first_task(f"1. Sở Nội vụ: Triển khai nhiệm vụ, {phrase}.")
    assert (task.deadline, task.recurring) == (deadline, recurring)


def test_an_impossible_deadline_is_flagged_not_guessed():
    task = first_task("1. Sở Nội vụ: Báo cáo trước ngày 31/02/2025.")
    assert task.deadline is None and task.confidence == "trung bình"
    assert "thời hạn «31/02/2025» không phải ngày hợp lệ" in task.reasons


def test_a_heading_deadline_applies_to_its_items():
    text = "1. Sở Y tế hoàn thành trước ngày 30/9/2025 các việc sau:\n- Rà soát.\n- Báo cáo."
    tasks = parse_text(text, AGENCIES).tasks
    assert [(t.lead, t.deadline) for t in tasks] == [("SYT", date(2025, 9, 30))] * 2
    text = "1. Sở Y tế hoàn thành trong quý III/2025 các việc sau:\n- Rà soát.\n- Báo cáo."
    tasks = parse_text(text, AGENCIES).tasks
    assert [(t.lead, t.deadline, t.deadline_text) for t in tasks] == [
        ("SYT", None, "hoàn thành trong quý III/2025")
    ] * 2


@pytest.mark.parametrize(
    "header, number, issued_on",
    [
        ("Số: 123/UBND-KGVX Hưng Yên, ngày 15 tháng 01 năm 2025", "123/UBND-KGVX", "2025-01-15"),
        ("Số:     /UBND-KGVX\nHưng Yên, ngày    tháng 01 năm 2025", "/UBND-KGVX", "2025-01"),
        ("Số: ......./KH-UBND\nHưng Yên, ngày ... tháng ... năm 2025", "/KH-UBND", ""),
    ],
)
def test_number_and_date_in_the_header(header, number, issued_on):
    text = f"ỦY BAN NHÂN DÂN\nTỈNH HƯNG YÊN\n{header}\n\n1. Sở Y tế: Rà soát."
    result = parse_text(text, AGENCIES)
    assert (result.directive.number, result.directive.issued_on) == (number, issued_on)
    assert result.directive.issuer == "UBND tỉnh Hưng Yên"


def test_a_cong_van_is_known_by_its_vv_line():
    result = parse_text(
        "Số: 12/SNV-TCBC\nV/v rà soát biên chế năm 2025\n\n1. Sở Y tế: Rà soát.", AGENCIES
    )
    assert result.doc_type == "Công văn"
    assert result.directive.title == "V/v rà soát biên chế năm 2025"


# --- bad input: a clear message, never an exception -------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Văn bản trống"),
        ("  \n\t\u200b\n", "Văn bản trống"),
        (
            "The Provincial People's Committee asks every department to report on the plan. " * 5,
            "không có dấu tiếng Việt",
        ),
    ],
)
def test_unusable_text_gives_a_vietnamese_message(text, message):
    result = parse_text(text, AGENCIES)
    assert result.tasks == [] and any(message in w for w in result.warnings)


def test_text_without_assignments_says_so():
    result = parse_text("Hôm nay trời đẹp. Cán bộ đi làm đúng giờ.", AGENCIES)
    assert result.tasks == []
    assert any(w.startswith("Không tìm thấy nhiệm vụ nào") for w in result.warnings)


def test_broken_numbering_is_reported_and_still_read():
    text = (
        "1. Sở Nội vụ: Việc A.\n2. Sở Y tế: Việc B.\n4. Sở Tư pháp: Việc C.\n"
        "4. Sở Tài chính: Việc D."
    )
    result = parse_text(text, AGENCIES)
    assert [t.lead for t in result.tasks] == ["SNV", "SYT", "STP", "STC"]
    assert any("sau mục «2» là «4»" in w and "sau mục «4» là «4»" in w for w in result.warnings)


def test_a_long_file_is_read_with_a_warning_and_a_huge_one_is_refused_at_once():
    body = SEED.split("chú ý một số nhiệm vụ sau:")[1].split("Nơi nhận:")[0]
    long = SEED.split("Nơi nhận:")[0] + body * (600_000 // len(body))
    started = time.perf_counter()
    result = parse_file("rat_dai.txt", long.encode("utf-8"), AGENCIES)
    assert time.perf_counter() - started < 30
    assert len(result.tasks) > 1000
    assert any("dài bất thường" in w for w in result.warnings)
    assert any("Số thứ tự mục không liên tục" in w and "chỗ khác" in w for w in result.warnings)

    huge = long * 4  # past limits.MAX_TEXT_CHARS
    started = time.perf_counter()
    result = parse_file("qua_dai.txt", huge.encode("utf-8"), AGENCIES)
    assert time.perf_counter() - started < 2
    assert result.tasks == []
    assert len(result.warnings) == 1 and "giới hạn 1.000.000 ký tự" in result.warnings[0]


def test_decomposed_unicode_reads_like_composed():
    assert to_json(parse_text(unicodedata.normalize("NFD", SEED), AGENCIES)) == to_json(
        parse_text(SEED, AGENCIES)
    )


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: s.encode("utf-16"),  # with a byte order mark
        lambda s: s.encode("utf-16-le"),  # without one
        lambda s: s.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16le-no-bom", "crlf"],
)
def test_text_files_in_unicode_encodings(encode):
    assert to_json(parse_file("cong_van.txt", encode(SEED), AGENCIES)) == to_json(
        parse_text(SEED, AGENCIES)
    )


def test_a_legacy_encoding_is_read_with_a_warning():
    not_utf8 = "1. Sở Y tế: Rà soát.".encode()[:-3] + b"\xe0\xe1"
    result = parse_file("cu.txt", not_utf8, AGENCIES)
    assert any("Windows-1258" in w for w in result.warnings)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("van_ban.docx", b"PK\x03\x04 not really a zip", "Không mở được tệp .docx"),
        ("van_ban.docx", b"", "Không mở được tệp .docx"),
        ("van_ban.doc", b"\xd0\xcf\x11\xe0", "Word cũ (.doc)"),
        ("van_ban.pdf", b"%PDF-1.7", "PDF"),
    ],
)
def test_files_that_cannot_be_read_say_why(name, data, message):
    result = parse_file(name, data, AGENCIES)
    assert result.tasks == [] and any(message in w for w in result.warnings)


def test_a_docx_with_only_an_image_is_empty():
    import docx

    document = docx.Document()
    document.add_picture(io.BytesIO(tiny_png()))
    out = io.BytesIO()
    document.save(out)
    result = parse_docx(out.getvalue(), AGENCIES)
    assert result.tasks == [] and result.warnings == ["Văn bản trống: chưa có nội dung để đọc."]


# --- properties -------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "1. ",
        "2. ",
        "4. ",
        "II. ",
        "a) ",
        "đ) ",
        "- ",
        "+ ",
        "• ",
        "\n",
        "\n\n",
        ":",
        ".",
        ";",
        ",",
        "Sở Nội vụ",
        "Sở TT&TT",
        "Các sở, ban, ngành tỉnh",
        "UBND các huyện, thành phố",
        "Sở Ngoại vụ",
        "Giao ",
        "đề nghị ",
        "chủ trì",
        " phối hợp với ",
        "trước ngày ",
        "31/02/2025",
        "29/8/2025",
        "15/9",
        "quý II/2025",
        "trong tháng 13/2025",
        "thường xuyên",
        "Số: /UBND-KGVX",
        "Hưng Yên, ngày tháng 01 năm 2025",
        "ngày 45 tháng 13 năm 2025",
        "Kính gửi:",
        "V/v ",
        "Nơi nhận:",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn A",
        "(",
        ")",
        "./.",
        "\u0301",
        "\u200b",
        "\t",
        "|",
        "Thời hạn: ",
        "Chủ trì: ",
        "CÔNG ĐIỆN",
        "Trên đây là ",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=6)), max_size=80).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_never_raises_and_every_row_has_a_lead_or_says_why(text):
    result = parse_text(text, AGENCIES)
    for task in result.tasks:
        assert task.confidence in ("cao", "trung bình", "thấp")
        assert task.lead or task.reasons  # a row without a registry code says why
        if not task.lead and not task.lead_name:
            assert task.confidence == "thấp"
    if any(t.lead is None and not t.lead_name for t in result.tasks):
        assert any("chưa xác định được cơ quan chủ trì" in w for w in result.warnings)
    if any(t.lead is None and t.lead_name for t in result.tasks):  # shown in the grid as printed
        assert any(
            "chưa có trong danh mục" in w or "nhóm cơ quan chung" in w for w in result.warnings
        )
    assert not any("chưa xác định" in w for w in result.warnings) or any(
        not t.lead and not t.lead_name for t in result.tasks
    )  # never the contradictory warning while every row shows a lead
    json.dumps(to_json(result))
    to_tasks(result)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["a.txt", "a.docx", "a", "a.pdf"]))
def test_any_bytes_under_any_name_give_a_result(data, name):
    result = parse_file(name, data, AGENCIES)
    assert isinstance(result.warnings, list)
