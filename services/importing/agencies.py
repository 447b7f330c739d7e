"""Who an assignment is given to: the wording around agency names (leads, partners, recipients)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.importing.deadlines import When
from services.importing.matching import AgencyRef, fold_same_length
from services.importing.review import CHECK

# --- who: leads and partners ------------------------------------------------------------------

ASKS = re.compile(r"(?<!\w)(?:giao(?!\s+(?:thong|dich|luu|tiep))|de nghi|yeu cau|chi dao)(?!\w)")
TRIGGER = re.compile(r"(?<!\w)(?<!duoc )(?:giao(?:\s+cho)?|de nghi|yeu cau|uy quyen)\s+")
HEAD_TRIGGER = re.compile(r"(?:giao(?:\s+cho)?|de nghi|yeu cau)\s+")
ROLE = re.compile(
    r"\s*(?:(?:la co quan\s+)?chu tri|co trach nhiem|chiu trach nhiem|thuc hien"
    r"|tham muu|khan truong|phoi hop|huong dan|to chuc|trien khai|theo doi|chi dao"
    r"|xay dung|ra soat|bao cao|kiem tra|tiep tuc|chu dong|tap trung|hoan thanh"
    r"|bao dam|dam bao|nghien cuu|de xuat|cung cap|tien hanh|tang cuong|day manh|quan ly"
    r"|huong dan|ban hanh|trinh|tong hop|phoi hop|kip thoi|phan anh|nghiem tuc)(?!\w)"
)
LEADS_BEFORE = re.compile(r"(?<!\w)chu tri(?!\w)")
WITH = re.compile(r"(?<!\w)phoi hop(?:\s+chat che)?(?:\s+voi)?\s+")
WORD_START = re.compile(r"(?<!\w)\w")
GENERIC_TAIL = re.compile(
    r"(?:\s*(?:,|;|\s(?:va|cung))\s*(?:cac\s+)?(?:dia phuong|don vi|co quan)"
    r"(?:\s+(?:co\s+)?lien quan)?)+"
)
YOUR_AGENCY = re.compile(r"(?<!\w)quy (?:co quan|don vi|so|ban|nganh)(?!\w)")
FROM_RECIPIENTS = (CHECK, "văn bản ghi «Quý cơ quan»: cơ quan chủ trì lấy theo phần «Kính gửi»")
# An unnumbered paragraph that tells what happened before (a date, a cited document, "Căn cứ",
# "Thực hiện ...", "Xét đề nghị"): it quotes earlier assignments, it does not make new ones.
REPORTED = re.compile(
    r"(?:ngay\s+\d|tai\s+(?:quyet dinh|cong van|thong bao|ke hoach|chi thi|van ban|nghi quyet)"
    r"|thuc hien\s+(?:quyet dinh|cong van|thong bao|ke hoach|chi thi|nghi quyet|cong dien|van ban)"
    r"|can cu|xet\s|theo\s+(?:de nghi|bao cao|quyet dinh|cong van|ke hoach))"
)
GENERIC = re.compile(r"(?:cac\s+)?(?:co quan|don vi|dia phuong|to chuc|ca nhan|ben)(?!\w)")


@dataclass
class Head:
    """Agencies heading an item ("Sở X", "Sở X: ...", "Giao Sở X: ...") and what follows them."""

    leads: list[AgencyRef]
    content: str


@dataclass
class Assignment:
    section: str
    content: str
    source: str
    leads: list[AgencyRef]
    partners: list[AgencyRef]
    when: When
    notes: list[tuple[int, str]] = field(default_factory=list)
    lead_text: str = ""  # a table's Chủ trì cell, shown when no agency could be read from it


@dataclass(frozen=True)
class Context:
    """What an item inherits from the headings and introductions above it."""

    section: str = ""
    sources: tuple[str, ...] = ()
    leads: tuple[AgencyRef, ...] = ()
    lead_notes: tuple[tuple[int, str], ...] = ()  # about how the inherited leads were found
    partners: tuple[AgencyRef, ...] = ()
    when: When | None = None
    # under "Tổ chức thực hiện" or after "UBND tỉnh yêu cầu:": a row even without a lead
    assigning: bool = False


# --- abbreviations in agency names ------------------------------------------------------------

# Abbreviations written in agency names, expanded when a name is kept as printed (an agency not in
# the registry), as the registry writes names in full. Folded (accent-free) keys.
_ABBREVIATIONS = (
    (r"ubnd", "Ủy ban nhân dân"),
    (r"hdnd", "Hội đồng nhân dân"),
    (r"tn\s*&\s*mt|tnmt", "Tài nguyên và Môi trường"),
    (r"tt\s*&\s*tt|tttt", "Thông tin và Truyền thông"),
    (r"kh\s*&\s*cn|khcn", "Khoa học và Công nghệ"),
    (r"kh\s*&\s*dt|khdt", "Kế hoạch và Đầu tư"),
    (r"gd\s*&\s*dt|gddt", "Giáo dục và Đào tạo"),
    (r"nn\s*&\s*ptnt|nnptnt", "Nông nghiệp và Phát triển nông thôn"),
    (r"nn\s*&\s*mt|nnmt", "Nông nghiệp và Môi trường"),
    (r"ld\s*-?\s*tb\s*&\s*xh|ldtbxh", "Lao động - Thương binh và Xã hội"),
    (r"vh\s*,?\s*tt\s*&\s*dl|vhttdl|vh\s*-\s*tt\s*&\s*dl", "Văn hóa, Thể thao và Du lịch"),
    (r"gtvt", "Giao thông vận tải"),
    (r"bchqs", "Bộ Chỉ huy Quân sự"),
    (r"chqs", "Chỉ huy Quân sự"),
    (r"mttq", "Mặt trận Tổ quốc"),
    (r"pt\s*-?\s*th", "Phát thanh và Truyền hình"),
    (r"tp\.?", "thành phố"),
)
_ABBREVIATION = re.compile(
    "|".join(rf"(?<![\w&])(?:{p})(?![\w&])" for p, _ in _ABBREVIATIONS), re.IGNORECASE
)
_EXPANSIONS = [(re.compile(rf"(?:{p})", re.IGNORECASE), full) for p, full in _ABBREVIATIONS]


def expand_abbreviations(name: str) -> str:
    """ "UBND tỉnh Lào Cai" -> "Ủy ban nhân dân tỉnh Lào Cai"; "Sở TN&MT" -> "Sở Tài nguyên và
    Môi trường". Only whole abbreviations written in capitals (or with "&") are expanded."""
    folded, parts, last = fold_same_length(name), [], 0
    for m in _ABBREVIATION.finditer(folded):
        written = name[m.start() : m.end()]
        if not (written.isupper() or "&" in written or written.lower() == "tp."):
            continue
        full = next(f for pattern, f in _EXPANSIONS if pattern.fullmatch(m.group().lower()))
        parts += [name[last : m.start()], full]
        last = m.end()
    return "".join(parts) + name[last:] if parts else name
