"""Items of the body: numbering markers (I., 1., 1.1., a), -, +), field labels and the item tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.importing.matching import fold_same_length as _fold

# --- body: items and their nesting ------------------------------------------------------------

_MARKERS = (
    ("article", re.compile(r"((?:Điều|ĐIỀU)\s+\d{1,3})\s*[.:]\s*(?=\S)")),  # a decision's articles
    ("roman", re.compile(r"([IVXL]{1,6})\s*[.\-–]\s+(?=\S)")),
    ("decimal2", re.compile(r"(\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\S)")),
    ("decimal", re.compile(r"(\d{1,2})[.)]\s+(?=\S)")),
    ("letter", re.compile(r"([a-zđ])[).]\s+(?=\S)")),
    ("dash", re.compile(r"()[-–—]\s*(?=\S)")),
    ("plus", re.compile(r"()\+\s*(?=\S)")),
    ("dot", re.compile(r"()[•●▪◦·*]\s*(?=\S)")),
)
NUMBERED = ("roman", "decimal", "letter")
LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese order of sub-items: a) b) c) d) đ) e) g)
ROMANS = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
]
_LABEL = re.compile(
    r"(?:(?:co quan|don vi)\s+)?(?P<lead>chu tri|thuc hien(?:\s+chinh)?)\s*:"
    r"|(?:(?:co quan|don vi)\s+)?(?P<partners>phoi hop)\s*:"
    r"|(?P<when>thoi han(?:\s+hoan thanh)?|thoi gian(?:\s+(?:thuc hien|hoan thanh))?"
    r"|han hoan thanh|tien do(?:\s+thuc hien)?)\s*:"
    r"|(?P<other>kinh phi|san pham|ket qua(?:\s+du kien)?|hinh thuc|dia diem|thanh phan)\s*:"
)
CLOSING = re.compile(
    r"tren day|trong qua trinh|.*(?:biet,?\s+(?:va\s+)?thuc hien"
    r"|nghiem tuc (?:trien khai,?\s+)?thuc hien|(?:trien khai\s+)?thuc hien nghiem (?:tuc|chinh)"
    r"(?:[^.;]{0,40})?[.;]?$)"
)
# A closing that also sets a concrete duty ("... nghiêm túc triển khai thực hiện; định kỳ trước
# ngày 30/11 hằng năm báo cáo kết quả ..."): a recurring report is an assignment, not a formula.
CONCRETE_DUTY = re.compile(
    r"(?:dinh ky|hang (?:nam|quy|thang|tuan|ngay))[^.]{0,80}?bao cao"
    r"|bao cao[^.]{0,60}?(?:dinh ky|hang (?:nam|quy|thang|tuan))"
)
# Sections that describe rather than assign (the sets' convention: not tasks).
DESCRIPTIVE = re.compile(
    r"(?:muc dich|yeu cau|muc tieu|quan diem|su can thiet)"
    r"(?:[\s,]+(?:va\s+)?(?:muc dich|yeu cau|muc tieu|quan diem|chung|cu the|tong quat))*[\s.:]*"
)
ASSIGNING_HEADING = re.compile(r"to chuc thuc hien|phan cong|giao nhiem vu|nhiem vu cu the")


def marker_of(line: str) -> tuple[str, str, str]:
    """(kind, label, text after the marker); kind "" for a line without one."""
    for kind, pattern in _MARKERS:
        if m := pattern.match(line):
            return kind, m.group(1), line[m.end() :]
    return "", "", line


def field_label(text: str) -> re.Match | None:
    return _LABEL.match(_fold(text[:60]))


def section_path(parent: str, node: Node) -> str:
    """ "III" + item "1" -> "III.1"; bullets and paragraphs keep their parent's number."""
    if node.kind == "article":
        return " ".join(node.label.split()).replace("ĐIỀU", "Điều")  # "Điều 2"
    if node.kind not in (*NUMBERED, "decimal2"):
        return parent
    if node.kind == "decimal2":  # "1.1." under "1.": the printed label holds its parent
        head = node.label.rsplit(".", 1)[0]
        if parent == head or parent.endswith("." + head):
            return parent[: len(parent) - len(head)] + node.label
    return f"{parent}.{node.label}" if parent else node.label


@dataclass
class Node:
    kind: str  # a marker kind, "para" or "root"
    label: str = ""
    text: str = ""  # without the marker
    lines: list[str] = field(default_factory=list)  # as written, for the source
    labels: list[tuple[str, str]] = field(default_factory=list)  # ("lead"|"partners"|"when", value)
    children: list[Node] = field(default_factory=list)
    heading: bool | None = None  # cached _Reader._is_heading
