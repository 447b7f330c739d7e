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


def without_end_mark(value):
    """The seed sheet kept the end-of-document mark "./." in item 6; no task text holds it."""
    return (
        value.removesuffix("./.") + "."
        if isinstance(value, str) and value.endswith("./.")
        else value
    )


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
                "content": without_end_mark(t.content),
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


# --- PDF fixtures, written by hand: a text layer (a Type0 font whose codes are the Unicode code
# points, with a ToUnicode map, as a signed directive's PDF carries) and a "scanned" page that is
# only an image -------------------------------------------------------------------------------


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (one text line each)."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CMapName /Identity-Unicode def /CMapType 2 def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"256 beginbfrange\n"
        + b"".join(b"<%02X00> <%02XFF> <%02X00>\n" % (h, h, h) for h in range(256))
        + b"endbfrange\nendcmap CMapName currentdict /CMap defineresource pop end end"
    )
    shown = b"".join(
        b"<" + "".join(f"{ord(c):04X}" for c in line).encode() + b"> Tj T*\n" for line in lines
    )
    content = b"BT /F1 10 Tf 14 TL 40 800 Td\n" + shown + b"ET"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type0 /BaseFont /DejaVuSans /Encoding /Identity-H "
            b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
            _stream(content),
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /DejaVuSans /DW 500 "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            b"/FontDescriptor 8 0 R >>",
            _stream(cmap),
            b"<< /Type /FontDescriptor /FontName /DejaVuSans /Flags 32 /FontBBox [0 -200 1000 900]"
            b" /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>",
        ]
    )


def scanned_pdf() -> bytes:
    """A one-page PDF that is only a picture (a grey 1x1 image scaled to the page): no text."""
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
            _stream(content),
            _stream(
                b"\x80",
                b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 ",
            ),
        ]
    )
