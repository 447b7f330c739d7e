"""Reading a directive (công văn, kế hoạch, công điện, chỉ thị, thông báo) into tasks to review.

Plain Python, no network, no language model: the layout of Nghị định 30/2020 (header, number,
place and date, type, trích yếu, Kính gửi, body, Nơi nhận, signature) and the way assignments are
worded ("2. Sở X", "Sở X: Chủ trì ...", "Giao Sở X chủ trì, phối hợp với Y ... trước ngày ...")
are read with regular expressions on accent-free text (services.agency_match.Folded).

Rules worth knowing (each row's `reasons` tells the reviewer which one applied):
- one row per lead agency; a group ("Các sở, ban, ngành tỉnh") becomes one row per member that
  existed on the document's date (AgencyMatcher.members), the group's wording kept in `group`;
- a dissolved agency stays the lead when the document names it (history must reflect the
  document); the row notes the agency it was merged into;
- a row without a known lead is kept with confidence "thấp" and the reason, never dropped;
- nothing raises on bad input: problems become Vietnamese `warnings`.
"""

from __future__ import annotations

import calendar
import codecs
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePath

from services.domain.model import NOT_STARTED, Agency, Directive, Task
from services.importing.matching import MERGER_MONTH, AgencyMatcher, AgencyRef, Folded, matcher_for
from services.importing.matching import fold_same_length as _fold

HIGH, MEDIUM, LOW = "cao", "trung bình", "thấp"
_CONFIDENCE = (HIGH, MEDIUM, LOW)  # by level: 0 = a note only, 1 = to check, 2 = missing
NOTE, CHECK, MISSING = 0, 1, 2


@dataclass
class ExtractedTask:
    section: str  # "2", "III.1", "1.a"; "" for a paragraph outside numbered items
    lead: str | None  # registry code; None when unknown (see lead_name)
    lead_name: str  # as written (a group member: its registry name)
    partners: list[str]  # registry codes, or the names as written when unknown
    deadline: date | None
    recurring: bool  # "thường xuyên", "hằng tháng", "định kỳ" (deadline None)
    content: str
    confidence: str  # "cao", "trung bình" or "thấp"
    reasons: list[str]  # Vietnamese: what the reviewer should check
    source: str  # the clause as written, under its headings
    group: str = ""  # the group wording this row was expanded from


@dataclass
class ImportResult:
    directive: Directive  # id ""; issued_on ISO or "2025-01" when the day is blank
    doc_type: str = ""  # "Công văn", "Kế hoạch", "Công điện", "Chỉ thị", "Thông báo"
    place: str = ""
    recipients: list[str] = field(default_factory=list)  # Kính gửi
    distribution: list[str] = field(default_factory=list)  # Nơi nhận
    signer: str = ""  # the name only; directive.signer adds the titles
    signer_title: str = ""  # "Phó Chủ tịch"
    tasks: list[ExtractedTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_agencies: list[str] = field(default_factory=list)  # names to confirm as new agencies


# --- public API -------------------------------------------------------------------------------


def parse_text(text: str, agencies: Iterable[Agency]) -> ImportResult:
    """The directive in a text (pasted, or a .txt file already decoded). A table copied from Word
    arrives as tab-separated lines; one with columns Nội dung / Chủ trì is read as a task table."""
    reader = _Reader(agencies)
    text, tables = _pasted_tables(text or "")
    reader.read_text(text)
    for rows, columns in tables:
        reader.read_table(rows, columns)
    return reader.result()


def parse_docx(data: bytes, agencies: Iterable[Agency]) -> ImportResult:
    """The directive in a Word .docx file: paragraphs (with Word's automatic numbering) and
    tables; a table with columns Nội dung / Chủ trì (/ Phối hợp / Thời hạn) gives one task a row."""
    import docx  # python-docx; imported here so that text imports do not pay for it

    reader = _Reader(agencies)
    try:
        document = docx.Document(io.BytesIO(data))
        lines, tables = _docx_content(document)
    except Exception:  # python-docx raises many kinds of error on a damaged or foreign file
        reader.warnings.append(
            "Không mở được tệp .docx: tệp bị hỏng hoặc không phải tệp Word "
            "(.docx). Hãy mở bằng Word, lưu lại rồi thử lại."
        )
        return reader.result()
    reader.read_text("\n".join(lines))
    for rows, columns in tables:
        reader.read_table(rows, columns)
    return reader.result()


def parse_file(name: str, data: bytes, agencies: Iterable[Agency]) -> ImportResult:
    """An uploaded file: .docx, or text (.txt) in UTF-8, UTF-8 with BOM or UTF-16."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix in (".doc", ".pdf", ".rtf", ".odt", ".xls", ".xlsx"):
        return _failed(agencies, _UNSUPPORTED.get(suffix, _UNSUPPORTED[""]).format(name=name))
    if suffix == ".docx" or data[:4] == b"PK\x03\x04":  # a .docx is a zip archive
        return parse_docx(data, agencies)
    text, problem = _decode(data)
    result = parse_text(text, agencies)
    if problem:
        result.warnings.insert(0, problem)
    return result


def to_json(result: ImportResult) -> dict:
    """The result as plain JSON data (one task per lead agency)."""
    d = result.directive
    return {
        "directive": {
            "number": d.number,
            "date": d.issued_on or None,
            "issuer": d.issuer,
            "type": result.doc_type,
            "title": d.title,
            "signer": result.signer,
        },
        "tasks": [
            {
                "section": t.section,
                "lead": t.lead or t.lead_name or None,
                "partners": list(t.partners),
                "deadline": t.deadline.isoformat() if t.deadline else None,
                "recurring": t.recurring,
                "content": t.content,
                "confidence": t.confidence,
                "source": t.source,
            }
            for t in result.tasks
        ],
        "warnings": list(result.warnings),
    }


def to_tasks(result: ImportResult) -> list[Task]:
    """Tasks ready for the store (ids "" so that the store numbers them). An unknown lead is kept
    as written, as the sheet does for names missing from the registry."""
    return [
        Task(
            id="",
            directive_id=result.directive.id,
            section=t.section,
            content=t.content,
            lead=t.lead or t.lead_name,
            partners=tuple(t.partners),
            deadline=t.deadline,
            status=NOT_STARTED,
        )
        for t in result.tasks
    ]


_UNSUPPORTED = {
    ".doc": "Tệp «{name}» là định dạng Word cũ (.doc): hãy mở bằng Word và lưu lại dạng .docx.",
    ".pdf": "Chưa đọc được tệp PDF «{name}»: hãy sao chép nội dung văn bản dán vào ô nhập, "
    "hoặc dùng tệp .docx.",
    "": "Không đọc được tệp «{name}»: chỉ nhận tệp .txt hoặc .docx.",
}


def _pasted_tables(text: str) -> tuple[str, list[_TaskTable]]:
    """Task tables among tab-separated lines, and the text without them."""
    lines, tables, i = text.split("\n"), [], 0
    while i < len(lines):
        end = i
        while end < len(lines) and lines[end].count("\t") >= 2:
            end += 1
        rows = [[cell.strip().strip('"') for cell in line.split("\t")] for line in lines[i:end]]
        found = _task_columns(rows) if rows else None
        if found:
            tables.append((rows[found[0] + 1 :], found[1]))
            lines[i:end] = [""] * (end - i)
        i = max(end, i + 1)
    return "\n".join(lines), tables


def _failed(agencies: Iterable[Agency], message: str) -> ImportResult:
    reader = _Reader(agencies)
    reader.warnings.append(message)
    return reader.result()


def _decode(data: bytes) -> tuple[str, str]:
    """Text from bytes, and a warning when the encoding had to be guessed."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), ""
    head = data[:2000]
    if head and head.count(0) > len(head) // 4:  # UTF-16 without a byte order mark
        even_zeros = head[0::2].count(0) > head[1::2].count(0)
        return data.decode("utf-16-be" if even_zeros else "utf-16-le", errors="replace"), ""
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        return (
            data.decode("cp1258", errors="replace"),
            "Tệp không phải UTF-8: đã đọc theo bảng mã Windows-1258, hãy kiểm tra dấu tiếng Việt.",
        )


# --- text clean-up ----------------------------------------------------------------------------

_CLEANUP = {
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None),
    **dict.fromkeys(map(ord, "\u00a0\t\u3000"), " "),
    **dict.fromkeys(map(ord, "\r\x0b\x0c\u2028\u2029\x85"), "\n"),
}
_RULE = re.compile(r"[-_–—=*.·…~\s]{3,}")  # a drawn line under the header: a paragraph break
_PAGE_NUMBER = re.compile(r"\d{1,3}|[Tt]rang \d+(?:/\d+)?")  # dropped: it may split a sentence


def _normalize(text: str) -> list[str]:
    """NFC lines without invisible characters, markdown bold, rules or page numbers."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).translate(_CLEANUP)
    lines = (" ".join(line.replace("**", "").split()) for line in text.split("\n"))
    return [
        "" if _RULE.fullmatch(line) else line for line in lines if not _PAGE_NUMBER.fullmatch(line)
    ]


def _join_wrapped(lines: list[str]) -> list[str]:
    """Paragraphs from lines, joining lines broken in the middle of a sentence (text copied from
    a PDF): a line continues the previous one when that one does not end a sentence and either
    runs to the usual line width or the new line starts in lower case."""
    lengths = sorted(len(line) for line in lines if len(line) >= 20)
    width = lengths[int(len(lengths) * 0.8)] if lengths else 0
    paragraphs: list[str] = []
    after_blank = True
    for line in lines:
        if not line:
            after_blank = True
            continue
        if paragraphs and not after_blank and _continues(paragraphs[-1], line, width):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
        after_blank = False
    return paragraphs


def _continues(previous: str, line: str, width: int) -> bool:
    if previous.endswith((".", ";", ":", "!", "?")) or _marker(line)[0] or _label(line):
        return False
    return line[0].islower() or len(previous) >= 0.75 * width


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
}
_SYMBOL_TYPES = {"kh": "Kế hoạch", "cd": "Công điện", "ct": "Chỉ thị", "tb": "Thông báo"}
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
_LONG_TEXT = 500_000  # characters; a directive is rarely a tenth of that


@dataclass
class _Header:
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
class _Footer:
    body_end: int
    distribution: list[str] = field(default_factory=list)
    signer: str = ""
    title: str = ""
    authority: str = ""


def _read_header(lines: list[str], matcher: AgencyMatcher) -> _Header:
    h = _Header()
    limit = next(
        (
            i
            for i, line in enumerate(lines[:_HEADER_LINES])
            if _marker(line)[0] in ("roman", "decimal", "decimal2")
        ),
        min(len(lines), _HEADER_LINES),
    )  # the header ends where numbered items begin
    folded = [_fold(line) for line in lines[:limit]]
    ends = []  # last line of each header element found
    number_at = next((i for i, f in enumerate(folded) if _NUMBER.match(f)), None)
    if number_at is not None:
        m = _NUMBER.match(folded[number_at])
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


def _issue_date(line: str, folded: str) -> tuple[str, str, str]:
    """(ISO date or "2025-01" when the day is blank, place, problem)."""
    m = _ISSUE_DATE.search(folded)
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
            or _marker(line)[0]
            or _TITLE_STOP.match(folded)
            or _RECIPIENTS.match(folded)
            or _NUMBER.match(folded)
        ):
            break
        parts.append(line)
        end = i
    return " ".join(parts), end


def _list_block(lines: list[str], start: int) -> tuple[list[str], int]:
    """Items of "Kính gửi:" / "Nơi nhận:": the rest of the line, then bullet lines."""
    first = lines[start].partition(":")[2].strip()
    items = [p.strip(" -;.") for p in first.split(";") if p.strip(" -;.")]
    end = start
    for i in range(start + 1, len(lines)):
        if not lines[i]:
            continue
        if _marker(lines[i])[0] not in ("dash", "plus", "dot"):
            break
        items.append(_marker(lines[i])[2].strip(" ;."))
        end = i
    return items, end


def _read_footer(lines: list[str], body_start: int) -> _Footer:
    body_end = next(
        (
            i
            for i in range(body_start, len(lines))
            if _END_OF_BODY.match(_fold(lines[i])) or _is_signing_title(lines[i])
        ),
        len(lines),
    )
    footer = _Footer(body_end)
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
        elif _fold(line).startswith("noi nhan") or _marker(line)[0] in ("dash", "plus", "dot"):
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


# --- body: items and their nesting ------------------------------------------------------------

_MARKERS = (
    ("roman", re.compile(r"([IVXL]{1,6})\s*[.\-–]\s+(?=\S)")),
    ("decimal2", re.compile(r"(\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\S)")),
    ("decimal", re.compile(r"(\d{1,2})[.)]\s+(?=\S)")),
    ("letter", re.compile(r"([a-zđ])[).]\s+(?=\S)")),
    ("dash", re.compile(r"()[-–—]\s*(?=\S)")),
    ("plus", re.compile(r"()\+\s*(?=\S)")),
    ("dot", re.compile(r"()[•●▪◦·*]\s*(?=\S)")),
)
_NUMBERED = ("roman", "decimal", "letter")
_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese order of sub-items: a) b) c) d) đ) e) g)
_ROMANS = [
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
_CLOSING = re.compile(
    r"tren day|trong qua trinh|.*(?:biet,?\s+(?:va\s+)?thuc hien"
    r"|nghiem tuc (?:trien khai,?\s+)?thuc hien)"
)
_ASSIGNING_HEADING = re.compile(r"to chuc thuc hien|phan cong|giao nhiem vu|nhiem vu cu the")


def _marker(line: str) -> tuple[str, str, str]:
    """(kind, label, text after the marker); kind "" for a line without one."""
    for kind, pattern in _MARKERS:
        if m := pattern.match(line):
            return kind, m.group(1), line[m.end() :]
    return "", "", line


def _label(text: str) -> re.Match | None:
    return _LABEL.match(_fold(text[:60]))


def _section(parent: str, node: _Node) -> str:
    """ "III" + item "1" -> "III.1"; bullets and paragraphs keep their parent's number."""
    if node.kind not in (*_NUMBERED, "decimal2"):
        return parent
    return f"{parent}.{node.label}" if parent else node.label


@dataclass
class _Node:
    kind: str  # a marker kind, "para" or "root"
    label: str = ""
    text: str = ""  # without the marker
    lines: list[str] = field(default_factory=list)  # as written, for the source
    labels: list[tuple[str, str]] = field(default_factory=list)  # ("lead"|"partners"|"when", value)
    children: list[_Node] = field(default_factory=list)
    heading: bool | None = None  # cached _Reader._is_heading


# --- deadlines --------------------------------------------------------------------------------

_DATE = (
    r"(?:ngay\s+)?(?:(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})(?:\s*[/.-]\s*(?P<y>\d{4}))?"
    r"|(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})(?:,?\s+nam\s+(?P<y2>\d{4}))?)(?![\d/])"
)
_BY = (
    r"(?<!\w)(?:truoc|cham nhat|han chot|thoi han(?:\s+hoan thanh)?|han hoan thanh"
    r"|thoi gian(?:\s+(?:thuc hien|hoan thanh))?|xong|den(?=\s+ngay))(?!\w)"
)
_GAP = r"(?:[\s:,]+(?:\d{1,2}\s*(?:gio|h)(?:\s*\d{1,2})?(?:\s*phut)?|[^\W\d_]+)){0,5}?[\s:,]+"
_IN = r"(?<!\w)(?:trong|thoi han|thoi gian(?:\s+(?:thuc hien|hoan thanh))?|hoan thanh|xong)(?!\w)"
_DEADLINE_DAY = re.compile(_BY + _GAP + _DATE)
_DEADLINE_MONTH = re.compile(
    _IN + r"[\s:]+(?:trong\s+)?thang\s+(?P<m>\d{1,2})\s*(?:/|nam)\s*"
    r"(?P<y>\d{4})"
)
_DEADLINE_QUARTER = re.compile(
    _IN + r"[\s:]+(?:trong\s+)?quy\s+(?P<q>iv|i{1,3}|[1-4])\s*"
    r"(?:/|nam)\s*(?P<y>\d{4})"
)
_YEAR_ONLY = re.compile(r"(?:trong\s+)?nam\s+(?P<y>\d{4})")
_RECURRING = re.compile(
    r"(?<!\w)(?:thuong xuyen|dinh ky|hang (?:ngay|tuan|thang|quy|nam)"
    r"|moi (?:tuan|thang|quy))(?!\w)"
)
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass
class _When:
    deadline: date | None = None
    recurring: bool = False
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.deadline is not None or self.recurring or bool(self.notes)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _deadline(ft: Folded, year: int | None) -> _When:
    """The deadline an assignment states: a day after "trước", "chậm nhất", "thời hạn", "xong";
    a month ("trong tháng 3/2025", its last day) or a quarter ("quý II/2025", its last day);
    or recurring wording. Dates that only refer to other documents are ignored."""
    when = _When()
    found: list[tuple[int, date, str]] = []
    for m in _DEADLINE_DAY.finditer(ft.folded):
        written = ft.text[m.start("d") if m["d"] else m.start("d2") : m.end()]
        day = _day(m, year, written, when)
        if day:
            found.append((m.start(), day, written))
    for m in _DEADLINE_MONTH.finditer(ft.folded):
        if 1 <= int(m["m"]) <= 12:
            found.append((m.start(), _month_end(int(m["y"]), int(m["m"])), ""))
    for m in _DEADLINE_QUARTER.finditer(ft.folded):
        quarter = _QUARTERS[m["q"]]
        found.append((m.start(), _month_end(int(m["y"]), quarter * 3), ""))
    found.sort(key=lambda f: f[0])
    recurring = bool(_RECURRING.search(ft.folded))
    if found:
        when.deadline = found[0][1]
        if len({d for _, d, _ in found}) > 1:
            when.notes.append(
                (
                    CHECK,
                    "có nhiều thời hạn trong nội dung: đã lấy thời hạn đầu tiên "
                    f"({when.deadline:%d/%m/%Y})",
                )
            )
        if recurring:
            when.notes.append(
                (NOTE, "có cả thời hạn và yêu cầu thường xuyên/định kỳ: đã lấy thời hạn")
            )
    else:
        when.recurring = recurring
    return when


def _day(m: re.Match, year: int | None, written: str, when: _When) -> date | None:
    d, mo, y = (m["d"], m["m"], m["y"]) if m["d"] else (m["d2"], m["m2"], m["y2"])
    if not y:
        if year is None:
            when.notes.append((CHECK, f"thời hạn «{written}» không ghi năm"))
            return None
        when.notes.append(
            (CHECK, f"thời hạn «{written}» không ghi năm: đã lấy năm ban hành {year}")
        )
        y = year
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        when.notes.append((CHECK, f"thời hạn «{written}» không phải ngày hợp lệ"))
        return None


def _deadline_value(value: str, year: int | None) -> _When:
    """A deadline written on its own (a "Thời hạn:" line, a table cell): a day, a month, a
    quarter, a year ("Năm 2025" -> 31/12/2025) or recurring wording."""
    value = value.strip(" .;")
    if not value:
        return _When()
    when = _deadline(Folded("thời hạn: " + value), year)
    if when.deadline is None and (m := _YEAR_ONLY.fullmatch(_fold(value))):
        when.deadline = date(int(m["y"]), 12, 31)
    if not when.found:
        when.notes.append((CHECK, f"không đọc được thời hạn «{value}»"))
    return when


# --- who: leads and partners ------------------------------------------------------------------

_ASKS = re.compile(r"(?<!\w)(?:giao(?!\s+(?:thong|dich|luu|tiep))|de nghi|yeu cau|chi dao)(?!\w)")
_TRIGGER = re.compile(r"(?<!\w)(?<!duoc )(?:giao(?:\s+cho)?|de nghi|yeu cau|uy quyen)\s+")
_HEAD_TRIGGER = re.compile(r"(?:giao(?:\s+cho)?|de nghi|yeu cau)\s+")
_ROLE = re.compile(
    r"\s*(?:(?:la co quan\s+)?chu tri|co trach nhiem|chiu trach nhiem|thuc hien"
    r"|tham muu|khan truong|phoi hop|huong dan|to chuc|trien khai|theo doi|chi dao"
    r"|xay dung|ra soat|bao cao|kiem tra|tiep tuc|chu dong|tap trung|hoan thanh"
    r"|bao dam|dam bao|nghien cuu|de xuat|cung cap)(?!\w)"
)
_LEADS_BEFORE = re.compile(r"(?<!\w)chu tri(?!\w)")
_WITH = re.compile(r"(?<!\w)phoi hop(?:\s+chat che)?(?:\s+voi)?\s+")
_WORD_START = re.compile(r"(?<!\w)\w")
_GENERIC_TAIL = re.compile(
    r"(?:\s*(?:,|;|\s(?:va|cung))\s*(?:cac\s+)?(?:dia phuong|don vi|co quan)"
    r"(?:\s+(?:co\s+)?lien quan)?)+"
)
_YOUR_AGENCY = re.compile(r"(?<!\w)quy (?:co quan|don vi|so|ban|nganh)(?!\w)")
_FROM_RECIPIENTS = (CHECK, "văn bản ghi «Quý cơ quan»: cơ quan chủ trì lấy theo phần «Kính gửi»")
_GENERIC = re.compile(r"(?:cac\s+)?(?:co quan|don vi|dia phuong|to chuc|ca nhan|ben)(?!\w)")


@dataclass
class _Head:
    """Agencies heading an item ("Sở X", "Sở X: ...", "Giao Sở X: ...") and what follows them."""

    leads: list[AgencyRef]
    content: str


@dataclass
class _Assignment:
    section: str
    content: str
    source: str
    leads: list[AgencyRef]
    partners: list[AgencyRef]
    when: _When
    notes: list[tuple[int, str]] = field(default_factory=list)
    lead_text: str = ""  # a table's Chủ trì cell, shown when no agency could be read from it


@dataclass(frozen=True)
class _Context:
    """What an item inherits from the headings and introductions above it."""

    section: str = ""
    sources: tuple[str, ...] = ()
    leads: tuple[AgencyRef, ...] = ()
    lead_notes: tuple[tuple[int, str], ...] = ()  # about how the inherited leads were found
    partners: tuple[AgencyRef, ...] = ()
    when: _When | None = None
    # under "Tổ chức thực hiện" or after "UBND tỉnh yêu cầu:": a row even without a lead
    assigning: bool = False


# --- the reader -------------------------------------------------------------------------------


class _Reader:
    def __init__(self, agencies: Iterable[Agency]):
        self.matcher = matcher_for(tuple(agencies))
        self.header = _Header()
        self.footer = _Footer(0)
        self.tasks: list[ExtractedTask] = []
        self.warnings: list[str] = []
        self.new_agencies: list[str] = []
        self.numbering: list[str] = []  # "sau mục «2» là «4»"
        self.recipients: list[AgencyRef] = []  # "Kính gửi", when every name is known
        self.read_anything = False

    @property
    def year(self) -> int | None:
        return int(self.header.issued_on[:4]) if self.header.issued_on else None

    # text

    def read_text(self, text: str) -> None:
        lines = _normalize(text or "")
        if not any(lines):
            return
        self.read_anything = True
        if len(text) > _LONG_TEXT:
            millions = f"{len(text) / 1e6:.1f}".replace(".", ",")  # Vietnamese decimal comma
            self.warnings.append(
                f"Văn bản dài bất thường ({millions} triệu ký tự): kiểm tra lại "
                "có đúng là văn bản chỉ đạo không."
            )
        self._check_language("\n".join(lines))
        self.header = _read_header(lines, self.matcher)
        refs = [self.matcher.resolve(name) for name in self.header.recipients]
        if refs and all(ref and not ref.is_unknown for ref in refs):
            self.recipients = refs
        self.footer = _read_footer(lines, self.header.body_start)
        root = self._tree(_join_wrapped(lines[self.header.body_start : self.footer.body_end]))
        self._walk(root, _Context())

    def _check_language(self, text: str) -> None:
        sample = text[:20000]
        letters = sum(c.isalpha() for c in sample)
        marked = sum(1 for a, b in zip(sample.lower(), _fold(sample)) if a != b)
        if letters >= 200 and marked < letters * 0.03:
            self.warnings.append(
                "Văn bản gần như không có dấu tiếng Việt: có thể không phải văn "
                "bản tiếng Việt hoặc đã bị mất dấu; kết quả đọc có thể thiếu."
            )

    def _tree(self, paragraphs: list[str]) -> _Node:
        root = _Node("root")
        stack, last = [root], root
        for line in paragraphs:
            kind, label, text = _marker(line)
            if kind in ("", "dash", "plus", "dot") and (m := _label(text)) and last is not root:
                last.labels.append((m.lastgroup, text[m.end() :].strip()))
                last.lines.append(line)
                continue
            if kind:
                if any(n.kind == kind for n in stack):
                    while stack[-1].kind != kind:
                        stack.pop()
                    stack.pop()
                last = _Node(kind, label, text, [line])
                stack[-1].children.append(last)
                stack.append(last)
                continue
            ft = Folded(text)
            if _CLOSING.match(ft.folded):
                del stack[1:]  # "Trên đây là ...", "... biết, thực hiện": the body's closing words
                last = _Node("closing", "", text, [line])
                root.children.append(last)
                continue
            current = stack[-1]
            if current is not root and not self._is_heading(current):
                if not self._starts_assignment(ft, 0):
                    current.text += "\n" + text  # a further paragraph of the same item
                    current.lines.append(line)
                    current.heading = None
                    continue
                while stack[-1] is not root and not self._is_heading(stack[-1]):
                    stack.pop()
            last = _Node("para", "", text, [line])
            stack[-1].children.append(last)
        return root

    def _head(self, text: str) -> _Head | None:
        ft = Folded(text)
        start = m.end() if (m := _HEAD_TRIGGER.match(ft.folded)) else 0
        refs, end = self.matcher.read_list(ft, start)
        if not refs:
            return None
        if tail := _GENERIC_TAIL.match(ft.folded, end):
            end = tail.end()  # "Các sở, ngành, địa phương:": the places are not in the registry
        rest = text[end:]
        if not rest.strip(" .;"):
            return _Head(refs, "")
        if colon := re.match(r"\s*:\s*", rest):
            return _Head(refs, rest[colon.end() :].strip())
        return None

    def _is_heading(self, node: _Node) -> bool:
        """An item that only announces what follows: a section, an agency name, "...:"."""
        if node.heading is None:
            node.heading = self._announces(node)
        return node.heading

    def _announces(self, node: _Node) -> bool:
        text = node.text.strip()
        if node.kind in ("root", "roman") or text.endswith(":") or text.isupper():
            return True
        head = self._head(text)
        if head is not None:
            return not head.content
        return (
            len(text) <= 80
            and not re.search(r"[.;]", text)
            and not self._starts_assignment(Folded(text), 0)
        )

    def _starts_assignment(self, ft: Folded, pos: int) -> bool:
        if (m := _TRIGGER.match(ft.folded, pos)) and self.matcher.read_list(ft, m.end())[0]:
            return True
        refs, end = self.matcher.read_list(ft, pos)
        return bool(refs) and bool(_ROLE.match(ft.folded, end) or ft.folded[end : end + 1] == ":")

    def _walk(self, node: _Node, context: _Context) -> None:
        running, previous = context, None
        for child in node.children:
            if child.kind == "closing":
                continue
            if child.kind in _NUMBERED:
                self._check_numbering(previous, child)
                previous = child
            if child.kind == "para" and child.text.endswith(":") and not child.labels:
                running = self._introduced(running, child)
                continue
            head = self._head(child.text)
            here = replace(running, section=_section(running.section, child))
            if child.children:
                if not self._is_heading(child):
                    self._leaf(child, head, here)
                self._walk(child, self._heading_context(here, child, head))
            else:
                self._leaf(child, head, here)

    def _introduced(self, context: _Context, para: _Node) -> _Context:
        """ "UBND tỉnh giao Sở X ... sau:" / "Chủ tịch UBND tỉnh yêu cầu:" sets what follows."""
        ft = Folded(re.split(r"(?<=\.)\s+", para.text)[-1])  # the sentence that introduces
        leads, notes = self._sentence_leads(ft), ()
        if not leads and (leads := self._your_agencies(ft)):
            notes = (_FROM_RECIPIENTS,)
        when = _deadline(ft, self.year)
        return replace(
            context,
            leads=tuple(leads) or context.leads,
            lead_notes=notes if leads else context.lead_notes,
            when=when if when.found else context.when,
            assigning=context.assigning or bool(leads) or bool(_ASKS.search(ft.folded)),
        )

    def _heading_context(self, context: _Context, node: _Node, head: _Head | None) -> _Context:
        """What the items under a heading inherit from it: its lead, partners and deadline."""
        ft = Folded(node.text)
        leads = head.leads if head else []
        if not leads and node.text.endswith(":"):
            leads = self._sentence_leads(ft)  # "a) Sở Y tế chủ trì các việc sau:"
        when = _deadline(ft, self.year)
        return _Context(
            section=context.section,
            sources=context.sources + ("\n".join(node.lines),),
            leads=tuple(leads) or context.leads,
            lead_notes=() if leads else context.lead_notes,
            partners=tuple(self._partners(ft)) or context.partners,
            when=when if when.found else context.when,
            assigning=(
                context.assigning or bool(leads) or bool(_ASSIGNING_HEADING.search(ft.folded))
            ),
        )

    def _check_numbering(self, previous: _Node | None, node: _Node) -> None:
        if previous is None or previous.kind != node.kind:
            return
        order = {
            "roman": _ROMANS,
            "letter": list(_LETTERS),
            "decimal": [str(n) for n in range(1, 100)],
        }[node.kind]
        if previous.label in order and order.index(previous.label) + 1 < len(order):
            expected = order[order.index(previous.label) + 1]
            if node.label != expected:
                self.numbering.append(f"sau mục «{previous.label}» là «{node.label}»")

    def _leaf(self, node: _Node, head: _Head | None, context: _Context) -> None:
        """The assignments of an item without sub-items (one per sentence giving a new lead)."""
        content = head.content if head and head.content else node.text
        if head and not head.content and not node.labels:
            return  # a bare agency heading with nothing under it
        if content.startswith("(") and content.endswith(")"):
            return  # a remark: "(Chi tiết tại Phụ lục kèm theo)"
        labelled = {kind: value for kind, value in node.labels}
        clauses = self._clauses(content)
        for i, clause in enumerate(clauses):
            ft = Folded(clause)
            leads, notes = self._label_agencies(labelled.get("lead", "")) if i == 0 else [], []
            leads = leads or self._sentence_leads(ft)
            if not leads and i == 0 and head:
                leads = head.leads
            if not leads and (leads := self._your_agencies(ft)):
                notes = [_FROM_RECIPIENTS]
            if not leads:
                leads, notes = list(context.leads), list(context.lead_notes)
            if not leads and not context.assigning:
                continue  # a description (Mục đích, yêu cầu...), not an assignment
            partners = (
                self._label_agencies(labelled.get("partners", ""))
                or self._partners(ft)
                or list(context.partners)
            )
            if "when" in labelled:
                when = _deadline_value(labelled["when"], self.year)
            else:
                when = _deadline(ft, self.year)
            if not when.found and context.when is not None:
                when = context.when
            source_tail = "\n".join(node.lines) if len(clauses) == 1 else clause
            self._add(
                _Assignment(
                    section=context.section,
                    content=clause.strip(),
                    source="\n".join(context.sources + (source_tail,)),
                    leads=leads,
                    partners=partners,
                    when=when,
                    notes=notes,
                )
            )

    def _clauses(self, text: str) -> list[str]:
        """An item split where a sentence gives a new lead ("... . Giao Sở Y tế ...")."""
        ft = Folded(text)
        cuts = [
            m.end() for m in re.finditer(r"[.;]\s+", text) if self._starts_assignment(ft, m.end())
        ]
        bounds = [0, *cuts, len(text)]
        return [text[a:b].strip() for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]

    def _sentence_leads(self, ft: Folded) -> list[AgencyRef]:
        """Leads named in a sentence: "Giao / đề nghị Sở X ...", "Sở X chủ trì ..." at its start,
        or "..., Sở X chủ trì" anywhere."""
        for m in _TRIGGER.finditer(ft.folded):
            refs, _ = self.matcher.read_list(ft, m.end())
            if refs:
                return refs
        refs, end = self.matcher.read_list(ft, 0)
        if refs and ft.folded[end : end + 1] in (" ", ""):  # the subject: "Báo Hưng Yên mở ..."
            return refs
        for m in _LEADS_BEFORE.finditer(ft.folded):
            for w in _WORD_START.finditer(ft.folded, max(0, m.start() - 150), m.start()):
                start = w.start()
                refs, end = self.matcher.read_list(ft, start)
                if (
                    refs
                    and not ft.folded[end : m.start()].strip()
                    and not _WITH.search(ft.folded[max(0, start - 20) : start + 1])
                ):
                    return refs
        return []

    def _your_agencies(self, ft: Folded) -> list[AgencyRef]:
        """ "Đề nghị Quý cơ quan ...": the agencies the document is addressed to."""
        return self.recipients if _YOUR_AGENCY.search(ft.folded) else []

    def _partners(self, ft: Folded) -> list[AgencyRef]:
        partners = []
        for m in _WITH.finditer(ft.folded):
            partners += self.matcher.read_list(ft, m.end())[0]
        return partners

    def _label_agencies(self, value: str) -> list[AgencyRef]:
        """Agencies in a "Chủ trì:" line or a table cell: a list, or names one per line / ";"."""
        if not value.strip():
            return []
        ft = Folded(value)
        refs, end = self.matcher.read_list(ft, 0, strict=False)
        if refs and not value[end:].strip(" .;,"):
            return refs
        found = []
        for piece in re.split(r"[;\n]|,\s*(?=[A-ZĐÂÊÔƠƯ])", value):
            piece = piece.strip(" .;,-")
            if piece and not _GENERIC.match(_fold(piece)):
                if ref := self.matcher.resolve(piece):
                    found.append(ref)
        return found

    # tables (.docx)

    def read_table(self, rows: list[list[str]], columns: dict[str, int]) -> None:
        self.read_anything = True
        heading = ""
        for row in rows:
            cell = {name: row[i].strip() if i < len(row) else "" for name, i in columns.items()}
            content, lead_text = cell.get("content", ""), cell.get("lead", "")
            number = cell.get("section", "").strip(" .")
            if not content:
                continue
            if lead_text == content or not (lead_text or cell.get("partners") or cell.get("when")):
                if number != content:  # a heading row ("I | Lĩnh vực ...", merged across)
                    heading = number or heading
                continue
            leads = self._label_agencies(lead_text)
            notes = (
                []
                if leads or not lead_text
                else [(MISSING, f"không xác định được cơ quan chủ trì từ «{lead_text}»")]
            )
            self._add(
                _Assignment(
                    section=f"{heading}.{number}" if heading and number else number or heading,
                    content=content,
                    source=" | ".join(c.strip() for c in row),
                    leads=leads,
                    lead_text=lead_text,
                    partners=self._label_agencies(cell.get("partners", "")),
                    when=_deadline_value(cell.get("when", ""), self.year),
                    notes=notes,
                )
            )

    # rows

    def _add(self, a: _Assignment) -> None:
        partners, partner_notes = self._partner_codes(a.partners)
        base = a.when.notes + a.notes + partner_notes
        rows: list[tuple[str | None, str, str, list[tuple[int, str]]]] = []
        for ref in a.leads:
            rows += self._lead_rows(ref)
        if not a.leads:
            missing = (
                []
                if any(lvl == MISSING for lvl, _ in a.notes)
                else [(MISSING, "không tìm thấy cơ quan chủ trì")]
            )
            rows.append((None, a.lead_text, "", missing))
        seen = set()
        for code, name, group, notes in rows:
            key = code or name
            if key in seen:
                continue
            seen.add(key)
            notes = base + notes
            level = max((lvl for lvl, _ in notes), default=NOTE)
            self.tasks.append(
                ExtractedTask(
                    section=a.section,
                    lead=code,
                    lead_name=name,
                    partners=[p for p in partners if p != code],
                    deadline=a.when.deadline,
                    recurring=a.when.recurring,
                    content=a.content,
                    confidence=_CONFIDENCE[level],
                    reasons=[text for _, text in notes],
                    source=a.source,
                    group=group,
                )
            )

    def _lead_rows(self, ref: AgencyRef):
        if ref.is_group:
            members = self.matcher.members(ref.group, self.header.issued_on)
            if not members:
                note = (
                    f"nhóm «{ref.written}» chưa có cơ quan nào trong danh mục (nhóm "
                    f"«{ref.group}»): cần chọn cơ quan chủ trì"
                )
                return [(None, ref.written, ref.written, [(MISSING, note)])]
            return [(a.code, a.name, ref.written, self._merger_notes(a.code)) for a in members]
        if ref.is_unknown:
            self._propose(ref.written)
            note = (
                f"«{ref.written}» chưa có trong danh mục cơ quan: đề xuất thêm mới, cần quản "
                "trị xác nhận"
            )
            return [(None, ref.written, "", [(MISSING, note)])]
        notes = self._merger_notes(ref.code)
        if ref.how == "fuzzy":
            notes = [
                (
                    CHECK,
                    f"«{ref.written}» được hiểu là «{self.matcher.name(ref.code)}» "
                    "(tên gần đúng, cần kiểm tra)",
                ),
                *notes,
            ]
        return [(ref.code, ref.written, "", notes)]

    def _merger_notes(self, code: str) -> list[tuple[int, str]]:
        successor = self.matcher.merged_into(code)
        if successor is None:
            return []
        text = f"{self.matcher.name(code)} đã sáp nhập vào {successor.name}"
        issued = self.header.issued_on
        if issued and issued[:7] >= MERGER_MONTH:
            return [(CHECK, text + " trước ngày ban hành văn bản: kiểm tra tên cơ quan chủ trì")]
        return [(NOTE, text + " (giữ tên cơ quan như văn bản ghi)")]

    def _partner_codes(self, refs: list[AgencyRef]) -> tuple[list[str], list[tuple[int, str]]]:
        codes, notes = [], []
        for ref in refs:
            if ref.is_group:
                continue  # "phối hợp với các sở, ngành": too broad to list, kept in the content
            if ref.is_unknown:
                self._propose(ref.written)
                notes.append((CHECK, f"cơ quan phối hợp «{ref.written}» chưa có trong danh mục"))
            elif ref.how == "fuzzy":
                notes.append(
                    (
                        CHECK,
                        f"cơ quan phối hợp «{ref.written}» được hiểu là "
                        f"«{self.matcher.name(ref.code)}» (tên gần đúng)",
                    )
                )
            key = ref.code or ref.written
            if key not in codes:
                codes.append(key)
        return codes, notes

    def _propose(self, name: str) -> None:
        if _fold(name) not in {_fold(n) for n in self.new_agencies}:
            self.new_agencies.append(name)

    # result

    def result(self) -> ImportResult:
        h, f = self.header, self.footer
        warnings = list(self.warnings)
        if not self.read_anything and not warnings:
            warnings.append("Văn bản trống: chưa có nội dung để đọc.")
        if self.read_anything:
            missing = h.missing + (["người ký"] if not f.signer else [])
            if missing:
                warnings.append(
                    "Không tìm thấy trong văn bản: " + "; ".join(missing) + " (bổ sung khi lưu)."
                )
            warnings += self._numbering_warning() + self._task_warnings()
        titles = ", ".join(t for t in (f.authority, f.title) if t)
        signer = f"{f.signer} ({titles})" if f.signer and titles else f.signer
        return ImportResult(
            directive=Directive(
                id="",
                number=h.number,
                issued_on=h.issued_on,
                issuer=h.issuer,
                title=h.title,
                signer=signer,
            ),
            doc_type=h.doc_type,
            place=h.place,
            recipients=h.recipients,
            distribution=f.distribution,
            signer=f.signer,
            signer_title=f.title or f.authority.partition(". ")[2],
            tasks=self.tasks,
            warnings=warnings,
            new_agencies=self.new_agencies,
        )

    def _numbering_warning(self) -> list[str]:
        if not self.numbering:
            return []
        shown = "; ".join(self.numbering[:3])
        more = f" và {len(self.numbering) - 3} chỗ khác" if len(self.numbering) > 3 else ""
        return [
            f"Số thứ tự mục không liên tục: {shown}{more} (kiểm tra xem có thiếu hoặc trùng "
            "mục không)."
        ]

    def _task_warnings(self) -> list[str]:
        if not self.tasks:
            return [
                "Không tìm thấy nhiệm vụ nào: văn bản không có mục nào giao việc cho một cơ "
                "quan (kiểm tra lại nội dung, hoặc nhập nhiệm vụ bằng tay)."
            ]
        warnings = []
        without_lead = sum(1 for t in self.tasks if t.lead is None)
        if without_lead:
            warnings.append(
                f"{without_lead} nhiệm vụ chưa xác định được cơ quan chủ trì: cần chọn "
                "cơ quan trước khi lưu."
            )
        if self.new_agencies:
            warnings.append(
                "Cơ quan chưa có trong danh mục (cần quản trị xác nhận thêm mới): "
                + "; ".join(self.new_agencies)
                + "."
            )
        return warnings


# --- .docx ------------------------------------------------------------------------------------

_COLUMNS = (  # folded header words -> field; partners before lead ("Cơ quan phối hợp")
    ("partners", re.compile(r".*phoi hop")),
    ("lead", re.compile(r".*(?:chu tri|thuc hien)")),
    ("when", re.compile(r".*(?:thoi han|thoi gian|han hoan thanh|tien do)")),
    ("content", re.compile(r".*(?:noi dung|nhiem vu|cong viec)")),
    ("section", re.compile(r"(?:stt|tt|so tt|so thu tu)\.?$")),
)


_TaskTable = tuple[list[list[str]], dict[str, int]]  # rows under the header, column of each field


def _docx_content(document) -> tuple[list[str], list[_TaskTable]]:
    """Lines of text in document order (tables that are not task tables included cell by cell)
    and the task tables as (rows under the header, column of each field)."""
    from docx.table import Table

    lines: list[str] = []
    tables = []
    formats, counters = _numbering_formats(document), {}
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = [[cell.text for cell in row.cells] for row in block.rows]
            found = _task_columns(rows)
            if found:
                tables.append((rows[found[0] + 1 :], found[1]))
            else:
                lines += _table_lines(block)
            continue
        marker = _list_marker(block, formats, counters)
        text_lines = block.text.split("\n")
        lines += [marker + text_lines[0], *text_lines[1:]]
    return lines, tables


def _task_columns(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:3]):
        columns: dict[str, int] = {}
        for i, cell in enumerate(row):
            folded = _fold(cell)
            name = next((n for n, pattern in _COLUMNS if pattern.match(folded)), None)
            if name and name not in columns:
                columns[name] = i
        if "content" in columns and "lead" in columns:
            return index, columns
    return None


def _table_lines(table) -> list[str]:
    lines, seen = [], set()
    for row in table.rows:
        for cell in row.cells:
            if cell._tc not in seen:  # a merged cell repeats along its row
                seen.add(cell._tc)
                lines += cell.text.split("\n")
    return lines


def _numbering_formats(document) -> dict[tuple[str, int], str]:
    """(numId, level) -> Word's number format ("decimal", "lowerLetter", "bullet", ...)."""
    from docx.oxml.ns import qn

    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return {}
    abstract = {}
    for a in numbering.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in a.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            if fmt is not None:
                levels[int(lvl.get(qn("w:ilvl")))] = fmt.get(qn("w:val"))
        abstract[a.get(qn("w:abstractNumId"))] = levels
    formats = {}
    for num in numbering.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        levels = abstract.get(ref.get(qn("w:val")) if ref is not None else None, {})
        for level, fmt in levels.items():
            formats[(num.get(qn("w:numId")), level)] = fmt
    return formats


def _list_marker(paragraph, formats, counters) -> str:
    """The number Word draws in front of an automatically numbered paragraph ("2. ", "a) ")."""
    num_pr = None
    style = paragraph.style.element.pPr if paragraph.style is not None else None
    for ppr in (paragraph._p.pPr, style):  # numbering set on the paragraph, or by its style
        if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
            num_pr = ppr.numPr
            break
    if num_pr is None or num_pr.numId.val == 0:
        return ""
    num_id = str(num_pr.numId.val)
    level = min(num_pr.ilvl.val if num_pr.ilvl is not None else 0, 8)
    count = counters.setdefault(num_id, [0] * 10)
    count[level] += 1
    count[level + 1 :] = [0] * (len(count) - level - 1)
    n = count[level]
    fmt = formats.get((num_id, level), "decimal")
    if fmt == "decimal":
        return f"{n}. "
    if fmt == "upperRoman" and n <= len(_ROMANS):
        return f"{_ROMANS[n - 1]}. "
    if fmt == "lowerLetter" and n <= len(_LETTERS):
        return f"{_LETTERS[n - 1]}) "
    return "- "
