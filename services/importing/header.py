"""The header (issuer, number, place and date, type, trích yếu, Kính gửi) and the footer (Nơi nhận, signature) of a directive, as laid out by Nghị định 30/2020."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from services.importing.items import marker_of
from services.importing.matching import AgencyMatcher
from services.importing.matching import fold_same_length as _fold

# --- header and footer ------------------------------------------------------------------------

_MOTTO = re.compile(r"cong hoa xa hoi chu nghia viet nam|doc lap\s*-\s*tu do\s*-\s*hanh phuc")
_NUMBER = re.compile(r"so\s*:\s*(?P<num>\d*)[\s._…]*(?P<sym>[-/][^\s,;]+)?")
_ISSUE_DATE = re.compile(
    r",?\s*ngay\s*(?P<d>\d{1,2})?[\s._…]*thang\s*(?P<m>\d{1,2})?[\s._…]*"
    r"nam\s*(?P<y>\d{4})"
)
_DOC_TYPES = {
    "cong van": "Công văn",
    "ke hoach": "Kế hoạch",
    "cong dien": "Công điện",
    "chi thi": "Chỉ thị",
    "thong bao": "Thông báo",
    "quyet dinh": "Quyết định",
    "nghi quyet": "Nghị quyết",
    "ket luan": "Kết luận",
    "chuong trinh": "Chương trình",
    "huong dan": "Hướng dẫn",
    "thong tri": "Thông tri",
    "bao cao": "Báo cáo",
}
_SYMBOL_TYPES = {
    "kh": "Kế hoạch",
    "cd": "Công điện",
    "ct": "Chỉ thị",
    "tb": "Thông báo",
    "qd": "Quyết định",
    "nq": "Nghị quyết",
    "kl": "Kết luận",
    "ctr": "Chương trình",
    "hd": "Hướng dẫn",
    "tt": "Thông tri",
    "bc": "Báo cáo",
}
_ABOUT = re.compile(r"(?:v/v|ve viec)(?!\w)")
_RECIPIENTS = re.compile(r"kinh gui\s*:?|.*\bdien\s*:$")
_TITLE_STOP = re.compile(r"(?:can cu|thuc hien|ngay|trong|sau|de|kinh gui|chu tich)(?!\w)")
_END_OF_BODY = re.compile(r"noi nhan|(?:tm|kt|tl|tuq|q)\.\s")
_AUTHORITY = re.compile(r"(?:tm|kt|tl|tuq|q)\.\s*")
_RIGHT_COLUMN = re.compile(
    r"\s((?:tm|kt|tl|tuq)\.\s.*"
    r"|(?:pho\s+)?(?:chu tich|giam doc|chanh van phong)(?:\s.*)?)$"
)
_SIGNING_TITLE = re.compile(r".*(?:chu tich|giam doc|chanh van phong|truong ban|bi thu|thu truong)")
_TITLE_WORDS = {
    "pho chu tich": "Phó Chủ tịch",
    "chu tich": "Chủ tịch",
    "pho giam doc": "Phó Giám đốc",
    "giam doc": "Giám đốc",
    "pho chanh van phong": "Phó Chánh Văn phòng",
    "chanh van phong": "Chánh Văn phòng",
    "uy ban nhan dan": "Ủy ban nhân dân",
    "ubnd": "UBND",
}
_ORG_WITH_PLACE = re.compile(
    r"(?:ubnd|uy ban nhan dan)\s+(tinh|thanh pho|huyen|thi xa|xa|phuong)"
    r"\s+(\S.*)"
)
_HEADER_LINES = 60
LONG_TEXT = 500_000  # characters; a directive is rarely a tenth of that


@dataclass
class Header:
    number: str = ""
    issued_on: str = ""
    place: str = ""
    issuer: str = ""
    doc_type: str = ""
    title: str = ""
    recipients: list[str] = field(default_factory=list)
    body_start: int = 0
    missing: list[str] = field(default_factory=list)


@dataclass
class Footer:
    body_end: int
    distribution: list[str] = field(default_factory=list)
    signer: str = ""
    title: str = ""
    authority: str = ""


def read_header(lines: list[str], matcher: AgencyMatcher) -> Header:
    h = Header()
    limit = next(
        (
            i
            for i, line in enumerate(lines[:_HEADER_LINES])
            if marker_of(line)[0] in ("roman", "decimal", "decimal2", "article")
        ),
        min(len(lines), _HEADER_LINES),
    )  # the header ends where numbered items begin
    lines = _merge_header_breaks(lines[:limit]) + lines[limit:]
    folded = [_fold(line) for line in lines[:limit]]
    ends = []  # last line of each header element found
    number_at = next((i for i, f in enumerate(folded) if _NUMBER.match(f)), None)
    if number_at is not None:
        m = _NUMBER.match(folded[number_at])
        assert m is not None  # number_at is the line it matched
        h.number = lines[number_at][m.start("num") : m.end("num")] + (
            lines[number_at][m.start("sym") : m.end("sym")] if m["sym"] else ""
        )
        ends.append(number_at)
    date_at = next(
        (i for i, f in enumerate(folded) if _ISSUE_DATE.search(f) and len(f) < 120), None
    )
    date_problem = ""
    if date_at is not None:
        h.issued_on, h.place, date_problem = _issue_date(lines[date_at], folded[date_at])
        ends.append(date_at)
    type_at = next(
        (
            i
            for i, (line, f) in enumerate(zip(lines, folded))
            if line.isupper() and any(f.startswith(k) for k in _DOC_TYPES)
        ),
        None,
    )
    stops = [i for i in (number_at, date_at, type_at) if i is not None]
    h.issuer = _issuer(lines[: min(stops, default=0)], matcher)
    if type_at is not None:
        h.doc_type = next(v for k, v in _DOC_TYPES.items() if folded[type_at].startswith(k))
        ends.append(type_at)
        h.title, title_end = _title_block(lines, type_at + 1, limit)
        ends.append(title_end)
    about_at = next((i for i, f in enumerate(folded) if _ABOUT.match(f)), None)
    if about_at is not None and not h.title:
        h.title, title_end = _title_block(lines, about_at, limit)
        ends.append(title_end)
    h.doc_type = (
        h.doc_type or _type_from_symbol(h.number) or ("Công văn" if about_at is not None else "")
    )
    recipients_at = next((i for i, f in enumerate(folded) if _RECIPIENTS.match(f)), None)
    if recipients_at is not None:
        h.recipients, recipients_end = _list_block(lines, recipients_at)
        ends.append(recipients_end)
    h.body_start = max(ends) + 1 if ends else 0
    h.missing = [
        label
        for label, value in (
            ("số, ký hiệu", h.number),
            (date_problem or "ngày ban hành", h.issued_on),
            ("cơ quan ban hành", h.issuer),
            ("loại văn bản", h.doc_type),
            ("trích yếu", h.title),
        )
        if not value
    ]
    return h


_BROKEN_NUMBER = re.compile(r"so\s*:\s*")
_BROKEN_DATE = re.compile(r".*ngay(?:\s*\d{1,2})?\s*")
_DATE_REST = re.compile(r"\s*(?:\d{1,2}\s+)?thang")


def _merge_header_breaks(lines: list[str]) -> list[str]:
    """Header lines broken by a crawler or a narrow column: "Số:" / "7360/KH-UBND", "Hà Nội,
    ngày 20" / "tháng 11 năm 2025", joined (the second line left blank, so indexes hold)."""
    lines = list(lines)
    for i in range(len(lines) - 1):
        folded, following = _fold(lines[i]), _fold(lines[i + 1])
        if (_BROKEN_NUMBER.fullmatch(folded) and following[:1].isdigit()) or (
            _BROKEN_DATE.fullmatch(folded) and _DATE_REST.match(following)
        ):
            lines[i] = lines[i] + " " + lines[i + 1]
            lines[i + 1] = ""
    return lines


def _issue_date(line: str, folded: str) -> tuple[str, str, str]:
    """(ISO date or "2025-01" when the day is blank, place, problem)."""
    m = _ISSUE_DATE.search(folded)
    assert m is not None  # called on a line where _ISSUE_DATE was found
    number = _NUMBER.match(folded)
    place = line[number.end() if number else 0 : m.start()].strip(" ,")
    year, month, day = int(m["y"]), m["m"], m["d"]
    try:
        if month and day:
            return date(year, int(month), int(day)).isoformat(), place, ""
        if month and 1 <= int(month) <= 12:
            return f"{year:04d}-{int(month):02d}", place, ""
    except ValueError:
        pass
    return "", place, f"ngày ban hành hợp lệ (văn bản ghi «{line[m.start() :].strip(' ,')}»)"


def _issuer(lines: list[str], matcher: AgencyMatcher) -> str:
    """ "ỦY BAN NHÂN DÂN / TỈNH HƯNG YÊN" -> "UBND tỉnh Hưng Yên"; a parent body on the first line
    ("UBND TỈNH HƯNG YÊN / SỞ NỘI VỤ") gives way to the body under it."""
    parts = [p for p in (" ".join(_strip_motto(line).split()) for line in lines) if p]
    if not parts:
        return ""
    if _MOTTO.search(_fold(" ".join(parts))):  # the motto wrapped over two lines
        parts = [" ".join(_strip_motto(" ".join(parts)).split())]
    if len(parts) >= 2 and _ORG_WITH_PLACE.fullmatch(_fold(parts[0])):
        lower = " ".join(parts[1:])
        if _fold(lower) == "van phong":
            return "Văn phòng " + _pretty_org(parts[0], matcher)
        return _pretty_org(lower, matcher)
    return _pretty_org(" ".join(parts), matcher)


def _strip_motto(line: str) -> str:
    folded = _fold(line)
    for m in reversed(list(_MOTTO.finditer(folded))):
        line = line[: m.start()] + line[m.end() :]
    return line


def _pretty_org(text: str, matcher: AgencyMatcher) -> str:
    ref = matcher.resolve(text)
    if ref and ref.code and ref.how != "fuzzy":
        return matcher.name(ref.code)
    if m := _ORG_WITH_PLACE.fullmatch(_fold(text)):
        unit = text[m.start(1) : m.end(1)].lower()
        place = " ".join(w[:1].upper() + w[1:].lower() for w in text[m.start(2) :].split())
        return f"UBND {unit} {place}"
    return _sentence_case(text) if text.isupper() else text


def _sentence_case(text: str) -> str:
    """ "SỞ NỘI VỤ" -> "Sở Nội vụ": the first two words capitalised, as agencies are written."""
    words = text.lower().split()
    return " ".join(w[:1].upper() + w[1:] if i < 2 else w for i, w in enumerate(words))


def _pretty_title(line: str) -> str:
    """ "KT. CHỦ TỊCH" -> "KT. Chủ tịch"; "PHÓ CHỦ TỊCH" -> "Phó Chủ tịch"."""
    m = _AUTHORITY.match(_fold(line))
    prefix = line[: m.end()].strip().upper() + " " if m else ""
    rest = line[m.end() :].strip() if m else line.strip()
    known = _TITLE_WORDS.get(_fold(rest))
    return prefix + (known or (rest[:1].upper() + rest[1:].lower() if rest.isupper() else rest))


def _type_from_symbol(number: str) -> str:
    """ "12/KH-UBND" -> Kế hoạch; "/UBND-KGVX" (no type before the issuer) -> Công văn."""
    symbol = _fold(number.partition("/")[2])
    kind = symbol.split("-")[0]
    if kind in _SYMBOL_TYPES:
        return _SYMBOL_TYPES[kind]
    return "Công văn" if kind.startswith("ubnd") else ""


def _title_block(lines: list[str], start: int, limit: int) -> tuple[str, int]:
    """The trích yếu from `start`: up to four lines, until a blank line or the body begins."""
    while start < limit and not lines[start]:
        start += 1
    if start >= limit:
        return "", start
    parts, end = [lines[start]], start
    for i in range(start + 1, min(start + 4, limit)):
        line = lines[i]
        folded = _fold(line)
        if (
            not line
            or parts[-1].endswith(".")
            or marker_of(line)[0]
            or _TITLE_STOP.match(folded)
            or _RECIPIENTS.match(folded)
            or _NUMBER.match(folded)
            or (_ISSUE_DATE.search(folded) and len(folded) < 120)  # the date is no trích yếu
            or _starts_body(parts[-1], line)
        ):
            break
        parts.append(line)
        end = i
    return " ".join(parts), end


def _starts_body(previous: str, line: str) -> bool:
    """A text PDF loses the blank line after the trích yếu: a new sentence (capital letter) after
    a title line shorter than it is the body's first line. A title in capitals goes on."""
    if previous.isupper() and line.isupper():
        return False
    return line[:1].isupper() and len(previous) < 0.8 * len(line) and len(line) >= 60


def _list_block(lines: list[str], start: int) -> tuple[list[str], int]:
    """Items of "Kính gửi:" / "Nơi nhận:": the rest of the line, then bullet lines."""
    first = lines[start].partition(":")[2].strip()
    items = [p.strip(" -;.") for p in first.split(";") if p.strip(" -;.")]
    end, open_item = start, False
    for i in range(start + 1, len(lines)):
        if not lines[i]:
            continue
        if marker_of(lines[i])[0] not in ("dash", "plus", "dot"):
            if open_item and items:  # a bullet wrapped onto the next line ("... cơ quan thuộc")
                items[-1] = f"{items[-1]} {lines[i].strip(' ;.')}"
                open_item, end = not lines[i].endswith((";", ".", ":")), i
                continue
            break
        items.append(marker_of(lines[i])[2].strip(" ;."))
        open_item, end = not lines[i].endswith((";", ".", ":")), i
    return items, end


def read_footer(lines: list[str], body_start: int) -> Footer:
    body_end = next(
        (
            i
            for i in range(body_start, len(lines))
            if _END_OF_BODY.match(_fold(lines[i])) or _is_signing_title(lines[i])
        ),
        len(lines),
    )
    footer = Footer(body_end)
    lines = _footer_columns(lines[body_end:])
    distribution_at = next(
        (i for i, line in enumerate(lines) if _fold(line).startswith("noi nhan")), None
    )
    skip = set()
    if distribution_at is not None:
        footer.distribution, end = _list_block(lines, distribution_at)
        skip = set(range(distribution_at, end + 1))
    after_title = False
    for i, line in enumerate(lines):
        if i in skip or not line:
            continue
        if _AUTHORITY.match(_fold(line)):
            footer.authority = _pretty_title(line)
            after_title = True
        elif _is_signing_title(line):
            footer.title = _pretty_title(line)
            after_title = True
        elif after_title and not footer.signer and _looks_like_name(line):
            footer.signer = " ".join(w[:1] + w[1:].lower() for w in line.split())
    return footer


def _footer_columns(lines: list[str]) -> list[str]:
    """The footer's two columns one after the other: Nơi nhận (left), then the signature (right).
    Text copied from a PDF puts both on one line ("- Như trên; PHÓ CHỦ TỊCH")."""
    left, right = [], []
    for line in lines:
        m = _RIGHT_COLUMN.search(_fold(line))
        if m and line[m.start(1) :].isupper() and not line[: m.start()].isupper():
            left.append(line[: m.start()])
            right.append(line[m.start(1) :])
        elif _fold(line).startswith("noi nhan") or marker_of(line)[0] in ("dash", "plus", "dot"):
            left.append(line)
        else:
            right.append(line)
    return left + right


def _is_signing_title(line: str) -> bool:
    return line.isupper() and len(line.split()) <= 8 and bool(_SIGNING_TITLE.match(_fold(line)))


def _looks_like_name(line: str) -> bool:
    words = line.split()
    return (
        2 <= len(words) <= 6
        and all(w[0].isupper() and w.isalpha() for w in words)
        and not _SIGNING_TITLE.match(_fold(line))
    )
