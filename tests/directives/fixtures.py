"""Directive fixtures and their hand-written expected results, shared by the tests and the bench.

Each `NN_name.expected.json` names its input file (a text here, or the .docx built below at test
time) and lists the rows a careful reader extracts by hand. In "tasks", "leads": [...] is shorthand
for one row per lead with the same other fields. The seed directive's expectation is the seed sheet
itself (data/seed/NhiemVu.csv and VanBan.csv), which was also written by hand.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from services.stores.seed import DIRECTIVE_TEXT, seed_records

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    data: bytes
    expected: dict


def cases() -> list[Case]:
    found = [seed_case()]
    for path in sorted(HERE.glob("*.expected.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        filename = expected["file"]
        data = BUILDERS[filename]() if filename in BUILDERS else (HERE / filename).read_bytes()
        found.append(Case(path.name.removesuffix(".expected.json"), filename, data, expected))
    return found


def expected_rows(expected: dict) -> list[dict]:
    rows = []
    for task in expected["tasks"]:
        leads = task["leads"] if "leads" in task else [task["lead"]]
        shared = {k: v for k, v in task.items() if k != "leads"}
        rows += [{**shared, "lead": lead} for lead in leads]
    return rows


def seed_case() -> Case:
    directives, agencies, tasks, _ = seed_records()
    d = directives[0]
    expected = {
        "directive": {
            "number": d.number,
            "date": d.issued_on,
            "issuer": d.issuer,
            "type": "Công văn",
            "title": d.title,
            "signer": d.signer.split(" (")[0],
        },
        "tasks": [
            {
                "section": t.section,
                "lead": t.lead,
                "partners": list(t.partners),
                "deadline": t.deadline.isoformat() if t.deadline else None,
                "content": t.content,
            }
            for t in tasks
        ],
        "new_agencies": [],
    }
    return Case("00_seed", DIRECTIVE_TEXT.name, DIRECTIVE_TEXT.read_bytes(), expected)


# --- the .docx fixture: header and signature in borderless tables, Word's automatic numbering,
# an image, and the tasks in a table STT | Nội dung | Chủ trì | Phối hợp | Thời hạn -------------


def tiny_png() -> bytes:
    """A valid 1x1 white PNG, made here so that no binary file is committed."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + checksum

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


TASK_TABLE = [
    ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"],
    ["I", "Cải cách thể chế"],  # a heading row, merged across the table
    [
        "1",
        "Rà soát, hệ thống hóa văn bản quy phạm pháp luật do HĐND, UBND tỉnh ban hành",
        "Sở Tư pháp",
        "Các sở, ngành liên quan",
        "30/6/2025",
    ],
    [
        "2",
        "Tham mưu ban hành quy định phân cấp quản lý công chức, viên chức",
        "Sở Nội vụ",
        "Sở Tư pháp; Sở Tài chính",
        "Quý III/2025",
    ],
    ["II", "Cải cách thủ tục hành chính"],
    [
        "1",
        "Công bố, công khai đầy đủ thủ tục hành chính trên Cổng Dịch vụ công quốc gia",
        "Văn phòng UBND tỉnh",
        "",
        "Thường xuyên",
    ],
    [
        "2",
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        "Sở KH&CN\nCông an tỉnh",
        "Sở Tài chính",
        "Tháng 10/2025",
    ],
    [
        "3",
        "Tổ chức đối thoại với doanh nghiệp về thủ tục hành chính",
        "Các đơn vị liên quan",
        "",
        "Năm 2025",
    ],
]


def build_table_docx() -> bytes:
    import docx

    document = docx.Document()
    header = document.add_table(rows=2, cols=2)
    for cell, text in zip(
        header._cells,
        [
            "ỦY BAN NHÂN DÂN\nTỈNH HƯNG YÊN",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
            "Số: 78/KH-UBND",
            "Hưng Yên, ngày 20 tháng 5 năm 2025",
        ],
    ):
        cell.text = text
    for text in (
        "KẾ HOẠCH",
        "Cải cách hành chính tỉnh Hưng Yên năm 2025",
        "",
        "Thực hiện Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương "
        "trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030, UBND tỉnh ban "
        "hành Kế hoạch cải cách hành chính năm 2025 như sau:",
        "I. NHIỆM VỤ CỤ THỂ",
        "(Chi tiết tại bảng dưới đây)",
    ):
        document.add_paragraph(text)
    table = document.add_table(rows=len(TASK_TABLE), cols=5)
    for row, values in zip(table.rows, TASK_TABLE):
        if len(values) == 2:
            row.cells[1].merge(row.cells[4])
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("II. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph(
        "Sở Nội vụ: Theo dõi, hướng dẫn, đôn đốc các cơ quan, đơn vị thực hiện "
        "Kế hoạch; định kỳ hằng quý báo cáo UBND tỉnh.",
        style="List Number",
    )
    document.add_paragraph(
        "Sở Tài chính: Bảo đảm kinh phí thực hiện Kế hoạch theo quy định.", style="List Number"
    )
    document.add_picture(io.BytesIO(tiny_png()))
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 0).text = "Nơi nhận:\n- Bộ Nội vụ;\n- Như mục II;\n- Lưu: VT, NC."
    signature.cell(0, 1).text = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n\nNguyễn Lê Huy"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


BUILDERS = {"05_bang.docx": build_table_docx}
