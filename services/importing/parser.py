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

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePath

from services.domain.model import NOT_STARTED, Agency, Directive, Task
from services.importing import limits
from services.importing.agencies import (
    ASKS,
    FROM_RECIPIENTS,
    GENERIC,
    GENERIC_TAIL,
    HEAD_TRIGGER,
    LEADS_BEFORE,
    REPORTED,
    ROLE,
    TRIGGER,
    WITH,
    WORD_START,
    YOUR_AGENCY,
    Assignment,
    Context,
    Head,
    expand_abbreviations,
)
from services.importing.cycles import propose_cycle
from services.importing.deadlines import deadline_in, deadline_value
from services.importing.docx import docx_content, docx_too_big
from services.importing.header import LONG_TEXT, Footer, Header, read_footer, read_header
from services.importing.items import (
    ASSIGNING_HEADING,
    CLOSING,
    CONCRETE_DUTY,
    DESCRIPTIVE,
    LETTERS,
    NUMBERED,
    ROMANS,
    Node,
    field_label,
    marker_of,
    section_path,
)
from services.importing.matching import (
    MERGER_MONTH,
    AgencyRef,
    Folded,
    matcher_for,
    starts_agency_name,
)
from services.importing.matching import fold_same_length as _fold
from services.importing.pdf import pdf_text
from services.importing.review import CHECK, CONFIDENCE, HIGH, LOW, MEDIUM, MISSING, NOTE  # noqa: F401
from services.importing.tables import pasted_tables, table_rows_as_tabs
from services.importing.text import decode_bytes, join_wrapped, normalize_lines


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
    partner_names: list[str] = field(default_factory=list)  # registry names, or as written
    deadline_text: str = ""  # a period or relative deadline as written (deadline None)
    suggested_deadline: date | None = None  # from a relative deadline: the reviewer confirms it
    cycle: str = ""  # a proposed reporting cycle ("Hằng tháng, hạn ngày 25"): importing/cycles.py


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
    groups: list[str] = field(default_factory=list)  # generic groups kept as one lead each


# --- public API -------------------------------------------------------------------------------


def parse_text(text: str, agencies: Iterable[Agency]) -> ImportResult:
    """The directive in a text (pasted, or a .txt file already decoded). A table copied from Word
    arrives as tab-separated lines, a crawled one as `|` rows or one cell per line; one with
    columns Nội dung / Chủ trì is read as a task table."""
    text = text or ""
    if problem := _text_too_big(text):
        return _failed(agencies, problem)
    reader = _Reader(agencies)
    text, tables = pasted_tables(table_rows_as_tabs(text))
    reader.read_text(text)
    for rows, columns in tables:
        reader.read_table(rows, columns)
    return with_document_cycle(reader.result(), text)


def with_document_cycle(result: ImportResult, text: str) -> ImportResult:
    """A reporting cycle the document asks of everyone ("định kỳ trước ngày 30/11 hằng năm báo
    cáo kết quả ...", often in Tổ chức thực hiện) is proposed for its ongoing tasks that have
    none of their own; the first such sentence wins, and the reviewer is told where it came from."""
    proposed = ""
    flat = " ".join(text.replace("*", " ").split())  # lines wrapped inside a sentence joined
    for sentence in re.split(r"(?<=[.;])\s+", flat):
        proposed, _ = propose_cycle(sentence)
        if proposed:
            break
    if not proposed:
        return result
    note = f"đề xuất kỳ báo cáo «{proposed}» theo yêu cầu báo cáo chung của văn bản, cần xác nhận"
    for t in result.tasks:
        if not t.cycle and t.deadline is None:
            t.cycle = proposed
            t.reasons.append(note)
    return result


def parse_docx(data: bytes, agencies: Iterable[Agency]) -> ImportResult:
    """The directive in a Word .docx file: paragraphs (with Word's automatic numbering) and
    tables; a table with columns Nội dung / Chủ trì (/ Phối hợp / Thời hạn) gives one task a row.
    The paragraphs are counted in the archive before python-docx builds the document."""
    import docx  # python-docx; imported here so that text imports do not pay for it

    reader = _Reader(agencies)
    try:
        if problem := docx_too_big(data):
            reader.warnings.append(problem)
            return reader.result()
        document = docx.Document(io.BytesIO(data))
        lines, tables = docx_content(document)
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
    """An uploaded file: .docx, text PDF, or text (.txt) in UTF-8, UTF-8 with BOM or UTF-16."""
    suffix = PurePath(name or "").suffix.lower()
    if len(data) > limits.MAX_FILE_BYTES:
        size = f"{len(data) / 2**20:.1f}".replace(".", ",")
        return _failed(
            agencies,
            limits.FILE_TOO_BIG.format(name=name, size=size, limit=limits.MAX_FILE_BYTES >> 20),
        )
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        text, problem = pdf_text(name, data)
        if problem:
            return _failed(agencies, problem)
        return parse_text(text, agencies)
    if suffix in (".doc", ".rtf", ".odt", ".xls", ".xlsx"):
        return _failed(agencies, _UNSUPPORTED.get(suffix, _UNSUPPORTED[""]).format(name=name))
    if suffix == ".docx" or data[:4] == b"PK\x03\x04":  # a .docx is a zip archive
        return parse_docx(data, agencies)
    text, problem = decode_bytes(data)
    result = parse_text(text, agencies)
    if problem:
        result.warnings.insert(0, problem)
    return result


def _text_too_big(text: str) -> str:
    if len(text) > limits.MAX_TEXT_CHARS:
        return limits.TEXT_TOO_LONG.format(
            chars=limits.number(len(text)), limit=limits.number(limits.MAX_TEXT_CHARS)
        )
    lines = text.count("\n") + 1
    if lines > limits.MAX_PARAGRAPHS:
        return limits.TOO_MANY_PARAGRAPHS.format(
            count=limits.number(lines), limit=limits.number(limits.MAX_PARAGRAPHS)
        )
    return ""


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
                "lead": t.lead,
                "lead_name": t.lead_name or None,
                "partners": list(t.partners),
                "partner_names": list(t.partner_names or t.partners),
                "deadline": t.deadline.isoformat() if t.deadline else None,
                "recurring": t.recurring,
                "deadline_text": t.deadline_text or None,
                "suggested_deadline": (
                    t.suggested_deadline.isoformat() if t.suggested_deadline else None
                ),
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
            cycle=t.cycle,
        )
        for t in result.tasks
    ]


_UNSUPPORTED = {
    ".doc": "Tệp «{name}» là định dạng Word cũ (.doc): hãy mở bằng Word và lưu lại dạng .docx.",
    "": "Không đọc được tệp «{name}»: chỉ nhận tệp .txt, .docx hoặc .pdf.",
}


def _failed(agencies: Iterable[Agency], message: str) -> ImportResult:
    reader = _Reader(agencies)
    reader.warnings.append(message)
    return reader.result()


# --- the reader -------------------------------------------------------------------------------


_LEAD_IN = re.compile(r"(?:cu the|nhu sau|gom|bao gom|sau day|voi cac noi dung sau)\s*:")


_DIRECTING = re.compile(r"(?:yêu cầu|đề nghị|chỉ đạo|hướng dẫn)\s")
_CONDITION = re.compile(
    r"(?:trong\s+)?(?:truong hop|neu|khi|can cu|tren co so|doi voi|trong qua trinh)(?!\w)"
)
_ASIDE = re.compile(r"\s*(?:tren co so|can cu|theo|trong pham vi|khi|neu)(?!\w)")
# A sentence opened by a short link to the one before ("Trên cơ sở đó, Bộ X tổng hợp ...",
# "Sau đó, Sở Y ..."): its subject comes after the comma.
_LINKED = re.compile(
    r"(?:tren co so do|sau do|dong thoi|tu do|ngoai ra|tiep do|sau khi hoan thanh)\s*,\s*"
)
# The last clause of an item that singles out some of its duties ("...; trong đó lưu ý thực hiện
# tốt các nội dung sau:"): the item before it is a duty of its own, its bullets are highlights.
_HIGHLIGHTS = re.compile(r"(?:trong do|dac biet|nhat la)(?!\w)[^.;]*:$")
# What a lead does "according to": "Các sở, ngành theo chức năng, nhiệm vụ được giao" -- a
# qualifier after the names, not part of them.
_QUALIFIER = re.compile(
    r"\s*(?:theo\s+(?:chuc nang|tham quyen|linh vuc|pham vi|nhiem vu)|trong pham vi|duoc giao)"
)
# "các đơn vị được phân công chủ trì ... có trách nhiệm": who the subject is, before its verb
_ASSIGNED = re.compile(
    r"\s+duoc\s+(?:phan cong|giao)(?!\w)[^.;:]{0,120}?(?=\s(?:co|chiu) trach nhiem(?!\w))"
)
# "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc[,] các đơn vị kịp thời phản ánh ...":
# the subject follows the trouble words, with or without a comma
_TROUBLE_WORD = r"(?:kho khan|vuong mac|phat sinh|bat cap)"
_TROUBLE = re.compile(
    rf"(?:neu|khi|truong hop)\s+(?:co\s+)?{_TROUBLE_WORD}"
    rf"(?:\s*(?:,|\s(?:va|hoac))\s*{_TROUBLE_WORD})*\s*,?\s*"
)
_TOPIC = re.compile(r"ve\s+\w")  # "Về công tác ...", "Về việc ...", "Về lĩnh vực ..."
_TASKS_OF = re.compile(
    r"(?:nhiem vu|trach nhiem|phan cong)(?:\s+(?:chu yeu|cu the|trong tam|giai phap))*\s+cua\s+"
)


def _display(ref: AgencyRef) -> AgencyRef:
    """A name printed in capitals, as names are written: "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG" -> "Bộ
    Tài nguyên và Môi trường" (the first word, the second, and each after "và" or a comma)."""
    if ref.code or not ref.written.isupper():
        return ref
    words, out = ref.written.split(), []
    for i, word in enumerate(words):
        previous = words[i - 1] if i else ""
        capital = i < 2 or _fold(previous) == "va" or previous.endswith(",")
        lower = word.lower()
        out.append(lower if lower == "và" or not capital else lower[:1].upper() + lower[1:])
    return replace(ref, written=" ".join(out))


def _texts(nodes: list[Node]) -> list[str]:
    """The text of some items and of everything under them, in order."""
    return [t for n in nodes for t in (n.text, *_texts(n.children))]


class _Reader:
    def __init__(self, agencies: Iterable[Agency]):
        self.matcher = matcher_for(tuple(agencies))
        self.header = Header()
        self.footer = Footer(0)
        self.tasks: list[ExtractedTask] = []
        self.warnings: list[str] = []
        self.new_agencies: list[str] = []
        self.groups: list[str] = []  # generic groups kept as one lead, as printed
        self.numbering: list[str] = []  # "sau mục «2» là «4»"
        self.recipients: list[AgencyRef] = []  # "Kính gửi", when every name is known
        self.read_anything = False
        self.budget = limits.Budget()
        self.capped = False  # more tasks than limits.MAX_TASKS

    @property
    def year(self) -> int | None:
        return int(self.header.issued_on[:4]) if self.header.issued_on else None

    # text

    def read_text(self, text: str) -> None:
        lines = normalize_lines(text or "")
        if not any(lines):
            return
        self.read_anything = True
        if len(text) > LONG_TEXT:
            millions = f"{len(text) / 1e6:.1f}".replace(".", ",")  # Vietnamese decimal comma
            self.warnings.append(
                f"Văn bản dài bất thường ({millions} triệu ký tự): kiểm tra lại "
                "có đúng là văn bản chỉ đạo không."
            )
        self._check_language("\n".join(lines))
        self.header = read_header(lines, self.matcher)
        refs = [self.matcher.resolve(name) for name in self.header.recipients]
        known = [ref for ref in refs if ref and not ref.is_unknown]
        if refs and len(known) == len(refs):
            self.recipients = known
        self.footer = read_footer(lines, self.header.body_start)
        root = self._tree(join_wrapped(lines[self.header.body_start : self.footer.body_end]))
        self._walk(root, Context())

    def _check_language(self, text: str) -> None:
        sample = text[:20000]
        letters = sum(c.isalpha() for c in sample)
        marked = sum(1 for a, b in zip(sample.lower(), _fold(sample)) if a != b)
        if letters >= 200 and marked < letters * 0.03:
            self.warnings.append(
                "Văn bản gần như không có dấu tiếng Việt: có thể không phải văn "
                "bản tiếng Việt hoặc đã bị mất dấu; kết quả đọc có thể thiếu."
            )

    def _tree(self, paragraphs: list[str]) -> Node:
        root = Node("root")
        stack, last = [root], root
        for line in paragraphs:
            kind, label, text = marker_of(line)
            if (
                kind in ("", "dash", "plus", "dot")
                and (m := field_label(text))
                and last is not root
            ):
                owner = last
                if kind and (level := next((i for i, n in enumerate(stack) if n.kind == kind), 0)):
                    # "- Cơ quan thực hiện:" printed at the level of the item's own bullets
                    # (after "- Nội dung ... gồm:" and its "+" lines): the field is the item's
                    if stack[level - 1] is not root:
                        owner = stack[level - 1]
                        del stack[level:]
                owner.labels.append((m.lastgroup or "", text[m.end() :].strip()))
                owner.lines.append(line)
                last = owner
                continue
            if kind:
                if any(n.kind == kind for n in stack):
                    while stack[-1].kind != kind:
                        stack.pop()
                    stack.pop()
                last = Node(kind, label, text, [line])
                stack[-1].children.append(last)
                stack.append(last)
                continue
            ft = Folded(text)
            if CLOSING.match(ft.folded):
                del stack[1:]  # "Trên đây là ...", "... biết, thực hiện": the body's closing words
                concrete = CONCRETE_DUTY.search(ft.folded) and not ft.folded.startswith("tren day")
                last = Node("para" if concrete else "closing", "", text, [line])
                root.children.append(last)
                stack = [root]
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
            last = Node("para", "", text, [line])
            stack[-1].children.append(last)
        return root

    def _head(self, text: str) -> Head | None:
        ft = Folded(text)
        start = m.end() if (m := HEAD_TRIGGER.match(ft.folded)) else 0
        refs, end = self.matcher.read_list(ft, start)
        if not refs:
            return None
        if tail := GENERIC_TAIL.match(ft.folded, end):
            end = tail.end()  # "Các sở, ngành, địa phương:": the places are not in the registry
        rest = text[end:]
        if not rest.strip(" .;"):
            return Head(refs, "")
        if colon := re.match(r"\s*:\s*", rest):
            return Head(refs, rest[colon.end() :].strip())
        # "1. Ban Quản lý các khu công nghệ cao và khu công nghiệp:": a header ending with a
        # colon names its lead in full, whatever words the name holds
        named = re.fullmatch(r"([^.;:]{1,80}?|[^.;:]{1,160}?\))\s*:?\s*", rest)
        described = re.sub(r"\([^)]*\)", "", _fold(named.group(1))) if named else ""
        described = re.sub(
            r"\b(?:to chuc|ca nhan|co quan|don vi)(?=\s*(?:,|\)|co lien|lien|$))", "", described
        )
        if named and not ROLE.search(described) and len(refs) == 1:
            whole = text[:end] + named.group(1)
            written = whole[start:].strip()
            return Head([self.matcher.resolve(written) or AgencyRef(written)], "")
        return None

    def _is_heading(self, node: Node) -> bool:
        """An item that only announces what follows: a section, an agency name, "...:"."""
        if node.heading is None:
            node.heading = self._announces(node)
        return node.heading

    def _announces(self, node: Node) -> bool:
        text = node.text.strip()
        if node.kind in ("root", "roman") or text.endswith(":") or text.isupper():
            return True
        head = self._head(text)
        if head is not None:
            return not head.content
        if node.children and _TOPIC.match(_fold(text)) and not re.search(r"[.;:]", text[:-1]):
            return True  # "2. Về công tác triển khai ... (however long)": a topic, not a duty
        return (
            len(text) <= 80
            and not re.search(r"[.;]", text)
            and not self._starts_assignment(Folded(text), 0)
        )

    def _starts_assignment(self, ft: Folded, pos: int) -> bool:
        if (m := TRIGGER.match(ft.folded, pos)) and self.matcher.read_list(ft, m.end())[0]:
            return True
        if linked := _LINKED.match(ft.folded, pos):
            pos = linked.end()
        refs, end = self.matcher.read_list(ft, pos)
        return bool(refs) and bool(ROLE.match(ft.folded, end) or ft.folded[end : end + 1] == ":")

    def _walk(self, node: Node, context: Context) -> None:
        running, previous = context, None
        for child in node.children:
            if self.budget.spent or self.capped:
                return
            if child.kind == "closing":
                continue
            if child.kind in NUMBERED:
                self._check_numbering(previous, child)
                previous = child
            if child.kind in ("roman", "decimal") and DESCRIPTIVE.fullmatch(_fold(child.text)):
                continue  # "I. MỤC ĐÍCH, YÊU CẦU", "II. MỤC TIÊU": no assignment under them
            if child.kind == "para" and child.text.endswith(":") and not child.labels:
                running = self._introduced(running, child)
                continue
            head = self._head(child.text)
            here = replace(running, section=section_path(running.section, child))
            if child.children and any(kind == "lead" for kind, _ in child.labels):
                # a field-labelled block: its bullets spell out its content, one task
                child.text = "\n".join([child.text, *_texts(child.children)])
                self._leaf(child, head, here)
            elif child.children:
                if not self._is_heading(child) or self._highlights(child):
                    self._leaf(child, head, here)
                self._walk(child, self._heading_context(here, child, head))
            else:
                self._leaf(child, head, here)

    def _highlights(self, node: Node) -> bool:
        """ "1. Các Bộ, ngành chỉ đạo thực hiện đồng bộ ...; trong đó chú trọng các nội dung sau:"
        -- a duty with its own subject, whose bullets single out parts of it."""
        if node.kind not in ("decimal", "decimal2", "letter"):
            return False
        clauses = re.split(r"[.;]\s+", node.text.strip())
        if len(clauses) < 2 or not _HIGHLIGHTS.match(_fold(clauses[-1])):
            return False
        duty = Folded(" ".join(clauses[:-1]))
        return len(duty.text.split()) >= 8 and bool(self._sentence_leads(duty))

    def _introduced(self, context: Context, para: Node) -> Context:
        """ "UBND tỉnh giao Sở X ... sau:" / "Chủ tịch UBND tỉnh yêu cầu:" sets what follows."""
        sentences = re.split(r"(?<=\.)\s+", para.text)
        ft = Folded(sentences[-1])  # the sentence that introduces
        if len(sentences) > 1 and _LEAD_IN.fullmatch(_fold(sentences[-1])):
            ft = Folded(" ".join(sentences[-2:]))  # "... đề nghị X thực hiện ... Cụ thể:"
        leads = self._sentence_leads(ft)
        notes: tuple[tuple[int, str], ...] = ()
        if not leads and (leads := self._your_agencies(ft)):
            notes = (FROM_RECIPIENTS,)
        when = deadline_in(ft, self.year, self.header.issued_on)
        return replace(
            context,
            leads=tuple(leads) or context.leads,
            lead_notes=notes if leads else context.lead_notes,
            when=when if when.found else context.when,
            assigning=context.assigning or bool(leads) or bool(ASKS.search(ft.folded)),
        )

    def _heading_context(self, context: Context, node: Node, head: Head | None) -> Context:
        """What the items under a heading inherit from it: its lead, partners and deadline."""
        ft = Folded(node.text)
        leads = head.leads if head else []
        if not leads and node.text.endswith(":"):
            leads = self._sentence_leads(ft)  # "a) Sở Y tế chủ trì các việc sau:"
        if not leads and (m := _TASKS_OF.search(ft.folded)):
            # "II. NHIỆM VỤ CHỦ YẾU CỦA BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG": the items' implicit lead
            leads = [_display(r) for r in self.matcher.read_list(ft, m.end())[0]]
        when = deadline_in(ft, self.year, self.header.issued_on)
        return Context(
            section=context.section,
            sources=context.sources + ("\n".join(node.lines),),
            leads=tuple(leads) or context.leads,
            lead_notes=() if leads else context.lead_notes,
            partners=tuple(self._partners(ft)) or context.partners,
            when=when if when.found else context.when,
            assigning=(
                context.assigning or bool(leads) or bool(ASSIGNING_HEADING.search(ft.folded))
            ),
        )

    def _check_numbering(self, previous: Node | None, node: Node) -> None:
        if previous is None or previous.kind != node.kind:
            return
        order = {
            "roman": ROMANS,
            "letter": list(LETTERS),
            "decimal": [str(n) for n in range(1, 100)],
        }[node.kind]
        if previous.label in order and order.index(previous.label) + 1 < len(order):
            expected = order[order.index(previous.label) + 1]
            if node.label != expected:
                self.numbering.append(f"sau mục «{previous.label}» là «{node.label}»")

    def _leaf(self, node: Node, head: Head | None, context: Context) -> None:
        """The assignments of an item without sub-items (one per sentence giving a new lead)."""
        content = head.content if head and head.content else node.text
        if head and not head.content and not node.labels:
            return  # a bare agency heading with nothing under it
        if content.startswith("(") and content.endswith(")"):
            return  # a remark: "(Chi tiết tại Phụ lục kèm theo)"
        labelled = {kind: value for kind, value in node.labels}
        clauses = self._clauses(content, inherited=bool(context.leads or head))
        for i, clause in enumerate(clauses):
            ft = Folded(clause)
            if node.kind == "para" and not context.section and REPORTED.match(ft.folded):
                continue  # "Ngày 29/6, Bộ X ban hành ... và giao ...": an earlier assignment
            leads, notes = self._label_agencies(labelled.get("lead", "")) if i == 0 else [], []
            if not leads and not (context.leads and self._directs_others(ft)):
                leads = self._sentence_leads(ft)
            if not leads and i == 0 and head:
                leads = head.leads
            if not leads and (leads := self._your_agencies(ft)):
                notes = [FROM_RECIPIENTS]
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
                when = deadline_value(labelled["when"], self.year, self.header.issued_on)
            else:
                when = deadline_in(ft, self.year, self.header.issued_on)
            if not when.found and context.when is not None:
                when = context.when
            source_tail = "\n".join(node.lines) if len(clauses) == 1 else clause
            self._add(
                Assignment(
                    section=context.section,
                    content=clause.strip(),
                    source="\n".join(context.sources + (source_tail,)),
                    leads=leads,
                    partners=partners,
                    when=when,
                    notes=notes,
                )
            )

    def _clauses(self, text: str, inherited: bool = False) -> list[str]:
        """An item split where a sentence gives a new lead ("... . Giao Sở Y tế ..."). Under a
        lead given above, "...; yêu cầu các doanh nghiệp ..." is what that lead does (the
        directed bodies are not new leads)."""
        ft = Folded(text)
        cuts: list[int] = []
        for m in re.finditer(r"[.;]\s+", text):
            if not self._starts_assignment(ft, m.end()):
                continue
            if inherited and _DIRECTING.match(ft.text, m.end()):
                continue  # lower case after ";": the same sentence, the same lead
            start = cuts[-1] if cuts else 0
            if self.matcher.read_list(ft, start)[1] >= m.start():
                continue  # "Thủ trưởng các sở; Chủ tịch UBND các xã; ...": one list of leads
            if ft.text[m.end() : m.end() + 1].islower() and self._partners_run_to(
                ft, start, m.start()
            ):
                continue  # "phối hợp Ban X; các doanh nghiệp ... rà soát": the list goes on
            cuts.append(m.end())
        bounds = [0, *cuts, len(text)]
        return [text[a:b].strip() for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]

    def _partners_run_to(self, ft: Folded, start: int, stop: int) -> bool:
        """Whether a "phối hợp (với) ..." list between `start` and `stop` ends right at `stop`."""
        for w in WITH.finditer(ft.folded, start, stop):
            refs, end = self.matcher.read_list(ft, w.end())
            if refs and end >= stop:
                return True
        return False

    def _directs_others(self, ft: Folded) -> bool:
        """ "Phối hợp với ...; yêu cầu các doanh nghiệp ...": the lead given above directs other
        bodies (they are not leads) -- a lower-case "yêu cầu / đề nghị / chỉ đạo" mid-sentence
        and no subject of its own at the start."""
        first = TRIGGER.search(ft.folded)
        if not first or first.start() == 0 or not _DIRECTING.match(ft.text, first.start()):
            return False
        refs, end = self.matcher.read_list(ft, 0)
        return not refs

    def _sentence_leads(self, ft: Folded) -> list[AgencyRef]:
        """Leads named in a sentence, without the document's own issuer ("UBND tỉnh X ban hành
        Kế hoạch ..." names the author, not an assignee)."""
        return [r for r in self._named_in_sentence(ft) if not self._is_issuer(r)]

    def _is_issuer(self, ref: AgencyRef) -> bool:
        issuer = self.header.issuer
        if not issuer or ref.code:
            return False
        return _fold(expand_abbreviations(ref.written)) == _fold(expand_abbreviations(issuer))

    def _named_in_sentence(self, ft: Folded) -> list[AgencyRef]:
        """Leads named in a sentence: "Giao / đề nghị Sở X ...", "Sở X chủ trì ..." at its start,
        or "..., Sở X chủ trì" anywhere."""
        for m in TRIGGER.finditer(ft.folded):
            refs, _ = self.matcher.read_list(ft, m.end())
            if refs:
                return refs
        linked = _LINKED.match(ft.folded)
        start = linked.end() if linked else 0
        refs, end = self.matcher.read_list(ft, start)
        if refs and ft.folded[end : end + 1] in (" ", ""):  # the subject: "Báo Hưng Yên mở ..."
            if len(refs) == 1 and refs[0].is_generic and (who := _ASSIGNED.match(ft.folded, end)):
                # "Các cơ quan được phân công chủ trì ... có trách nhiệm": the clause says which
                return [replace(refs[0], written=ft.text[start : who.end()].strip())]
            return refs
        if (
            refs
            and ft.folded[end : end + 1] == ","
            and (len(refs) >= 2 or _ASIDE.match(ft.folded, end + 1))
        ):  # "Bộ trưởng, Thủ trưởng ..., Chủ tịch ..., đơn vị liên quan tiếp tục ..."
            return refs  # "Sở Tài chính, trên cơ sở đề xuất của ..., tham mưu ..."
        if _CONDITION.match(ft.folded):  # "Trường hợp ..., các đơn vị chủ động tạm dừng ..."
            for comma in re.finditer(r",\s+", ft.folded[:300]):
                refs, end = self.matcher.read_list(ft, comma.end())
                if refs and self._acts(ft, end):
                    return refs
            if trouble := _TROUBLE.search(ft.folded, 0, 300):
                refs, end = self.matcher.read_list(ft, trouble.end())
                if refs and self._acts(ft, end):
                    return refs
        for m in LEADS_BEFORE.finditer(ft.folded):
            for w in WORD_START.finditer(ft.folded, max(0, m.start() - 150), m.start()):
                start = w.start()
                refs, end = self.matcher.read_list(ft, start)
                if (
                    refs
                    and not ft.folded[end : m.start()].strip()
                    and not WITH.search(ft.folded[max(0, start - 20) : start + 1])
                ):
                    return refs
        return []

    @staticmethod
    def _acts(ft: Folded, end: int) -> bool:
        """Whether the names ending at `end` are the subject: their verb follows, maybe after
        "được phân công / được giao ..." ("... được giao chủ trì nhiệm vụ có trách nhiệm")."""
        who = _ASSIGNED.match(ft.folded, end)
        return bool(ROLE.match(ft.folded, who.end() if who else end))

    def _your_agencies(self, ft: Folded) -> list[AgencyRef]:
        """ "Đề nghị Quý cơ quan ...": the agencies the document is addressed to."""
        return self.recipients if YOUR_AGENCY.search(ft.folded) else []

    def _partners(self, ft: Folded) -> list[AgencyRef]:
        partners = []
        for m in WITH.finditer(ft.folded):
            refs, end = self.matcher.read_list(ft, m.end())
            while refs and (more := re.match(r"\s*;\s*(?=[^\W\d_])", ft.folded[end:])):
                if not ft.text[end + more.end()].islower():
                    break  # "...; Sở B chủ trì ...": a new sentence with its own subject
                # "phối hợp Ban X; các doanh nghiệp và các đơn vị liên quan rà soát ..."
                after, after_end = self.matcher.read_list(ft, end + more.end())
                if not after or not ROLE.match(ft.folded, after_end):
                    break
                refs, end = refs + after, after_end
            partners += refs
        return partners

    def _label_agencies(self, value: str) -> list[AgencyRef]:
        """Agencies in a "Chủ trì:" line or a table cell: a list, or names one per line / ";"
        ("Sở A; Sở B; Báo C và các sở, ngành liên quan"), or a name followed by what it does
        ("Sở A tiến hành rà soát ...")."""
        if not value.strip():
            return []
        ft = Folded(value)
        refs, end = self.matcher.read_list(ft, 0, strict=False)
        if refs and (not value[end:].strip(" .;,") or _QUALIFIER.match(ft.folded, end)):
            return refs
        found = []
        for piece in re.split(r"[;\n]", value):
            found += self._cell_names(piece.strip(" .;,-"))
        return found

    def _cell_names(self, piece: str) -> list[AgencyRef]:
        if not piece:
            return []
        refs, end = self.matcher.read_list(Folded(piece), 0)
        rest = piece[end:].strip(" .,")
        if refs and (not rest or ROLE.match(_fold(rest)) or _QUALIFIER.match(_fold(rest))):
            return refs  # the names, then (maybe) what they do or by what right
        if refs and refs[-1].code and starts_agency_name(rest):
            # "Sở Khoa học và Công nghệ Sở Công Thương": a separator lost between two names
            return refs + self._cell_names(rest)
        found = []
        # "Báo X và các sở, ngành có liên quan": a name, then a generic group
        for part in re.split(r"\s+và\s+(?=các\s)|,\s*(?=các\s)", piece):
            names = [p.strip(" .,") for p in re.split(r",\s*(?=[A-ZĐÂÊÔƠƯ])", part)]
            resolved = [self.matcher.resolve(n) for n in names]
            if (
                len(names) > 1
                and not all(r and not r.is_unknown for r in resolved)
                and not all(starts_agency_name(n) for n in names)  # "Vụ A, Cục B": two names
            ):
                resolved = [self.matcher.resolve(part.strip(" .,"))]  # one name with commas
            found += [
                r
                for r, n in zip(resolved, names)
                if r and not (r.is_unknown and GENERIC.match(_fold(n)))
            ]
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
                Assignment(
                    section=f"{heading}.{number}" if heading and number else number or heading,
                    content=content,
                    source=" | ".join(c.strip() for c in row),
                    leads=leads,
                    lead_text=lead_text,
                    partners=self._label_agencies(cell.get("partners", "")),
                    when=deadline_value(cell.get("when", ""), self.year, self.header.issued_on),
                    notes=notes,
                )
            )

    # rows

    def _add(self, a: Assignment) -> None:
        if len(self.tasks) >= limits.MAX_TASKS:
            self.capped = True
            return
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
            cycle, cycle_note = ("", "") if a.when.deadline else propose_cycle(a.source)
            self.tasks.append(
                ExtractedTask(
                    section=a.section,
                    lead=code,
                    lead_name=name,
                    partners=[p for p in partners if p != code],
                    partner_names=[self.matcher.name(p) for p in partners if p != code],
                    deadline=a.when.deadline,
                    recurring=a.when.recurring,
                    deadline_text=a.when.text,
                    suggested_deadline=a.when.suggested,
                    content=a.content,
                    confidence=CONFIDENCE[level],
                    reasons=[text for _, text in notes] + ([cycle_note] if cycle_note else []),
                    source=a.source,
                    group=group,
                    cycle=cycle,
                )
            )

    def _lead_rows(self, ref: AgencyRef):
        if ref.is_person:
            note = (
                f"«{ref.written}» là người được giao, không phải cơ quan: giữ như văn bản ghi "
                "hoặc chọn cơ quan chủ trì"
            )
            return [(None, ref.written, "", [(CHECK, note)])]
        if ref.is_generic or (ref.is_group and not self.matcher.is_home(self.header.issuer)):
            note = f"«{ref.written}» là nhóm cơ quan: giữ một dòng như văn bản ghi"
            name = expand_abbreviations(ref.written)
            if _fold(name) not in {_fold(g) for g in self.groups}:
                self.groups.append(name)
            return [(None, name, ref.written, [(CHECK, note)])]
        if ref.is_group:
            members = self.matcher.members(ref.group, self.header.issued_on)
            if not members:
                note = (
                    f"nhóm «{ref.written}» chưa có cơ quan nào trong danh mục (nhóm "
                    f"«{ref.group}»): cần chọn cơ quan chủ trì"
                )
                return [(None, "", ref.written, [(MISSING, note)])]  # no agency: to choose
            return [(a.code, a.name, ref.written, self._merger_notes(a.code)) for a in members]
        if ref.is_unknown:
            self._propose(expand_abbreviations(ref.written))
            note = (
                f"«{ref.written}» chưa có trong danh mục cơ quan: đề xuất thêm mới, cần quản "
                "trị xác nhận"
            )
            return [(None, expand_abbreviations(ref.written), "", [(MISSING, note)])]
        code = ref.code or ""  # known here: neither a group nor an unknown name
        notes = self._merger_notes(code)
        if ref.how == "fuzzy":
            notes = [
                (
                    CHECK,
                    f"«{ref.written}» được hiểu là «{self.matcher.name(code)}» "
                    "(tên gần đúng, cần kiểm tra)",
                ),
                *notes,
            ]
        return [(code, self.matcher.name(code), "", notes)]

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
            if ref.is_group or ref.is_generic or ref.is_person:
                continue  # "phối hợp với các sở, ngành": too broad to list, kept in the content
            if ref.is_unknown:
                self._propose(ref.written)
                notes.append((CHECK, f"cơ quan phối hợp «{ref.written}» chưa có trong danh mục"))
            elif ref.how == "fuzzy":
                notes.append(
                    (
                        CHECK,
                        f"cơ quan phối hợp «{ref.written}» được hiểu là "
                        f"«{self.matcher.name(ref.code or '')}» (tên gần đúng)",
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
            if self.capped:
                warnings.append(limits.TOO_MANY_TASKS.format(limit=limits.number(limits.MAX_TASKS)))
            if self.budget.exceeded:
                warnings.append(limits.TOO_SLOW.format(limit=self.budget.seconds))
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
            groups=self.groups,
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
        # a row with a name (an agency to add, a group kept as printed) shows that lead in the
        # grid: only rows with no name at all are "without a lead"
        without_lead = sum(1 for t in self.tasks if t.lead is None and not t.lead_name)
        if without_lead:
            warnings.append(
                f"{without_lead} nhiệm vụ chưa xác định được cơ quan chủ trì: cần chọn "
                "cơ quan trước khi lưu."
            )
        if self.groups:
            count = sum(1 for t in self.tasks if t.lead is None and t.lead_name in self.groups)
            warnings.append(
                f"{count} nhiệm vụ giao cho nhóm cơ quan chung ("
                + "; ".join(f"«{g}»" for g in self.groups)
                + "): giữ như văn bản ghi, chọn cơ quan cụ thể hoặc thêm vào danh mục trước "
                "khi lưu."
            )
        if self.new_agencies:
            warnings.append(
                "Cơ quan chưa có trong danh mục (cần quản trị xác nhận thêm mới): "
                + "; ".join(self.new_agencies)
                + "."
            )
        return warnings
