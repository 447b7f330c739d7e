"""Who an assignment is given to: the wording around agency names (leads, partners, recipients)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.importing.deadlines import When
from services.importing.matching import AgencyRef
from services.importing.review import CHECK

# --- who: leads and partners ------------------------------------------------------------------

ASKS = re.compile(r"(?<!\w)(?:giao(?!\s+(?:thong|dich|luu|tiep))|de nghi|yeu cau|chi dao)(?!\w)")
TRIGGER = re.compile(r"(?<!\w)(?<!duoc )(?:giao(?:\s+cho)?|de nghi|yeu cau|uy quyen)\s+")
HEAD_TRIGGER = re.compile(r"(?:giao(?:\s+cho)?|de nghi|yeu cau)\s+")
ROLE = re.compile(
    r"\s*(?:(?:la co quan\s+)?chu tri|co trach nhiem|chiu trach nhiem|thuc hien"
    r"|tham muu|khan truong|phoi hop|huong dan|to chuc|trien khai|theo doi|chi dao"
    r"|xay dung|ra soat|bao cao|kiem tra|tiep tuc|chu dong|tap trung|hoan thanh"
    r"|bao dam|dam bao|nghien cuu|de xuat|cung cap)(?!\w)"
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
