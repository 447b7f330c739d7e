"""Text of a directive: decoding uploaded bytes, cleaning lines, joining lines wrapped by a PDF."""

from __future__ import annotations

import codecs
import re
import unicodedata

from services.importing.items import field_label, marker_of

# --- text clean-up ----------------------------------------------------------------------------

_CLEANUP = {
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None),
    **dict.fromkeys(map(ord, "\u00a0\t\u3000"), " "),
    **dict.fromkeys(map(ord, "\r\x0b\x0c\u2028\u2029\x85"), "\n"),
}
_RULE = re.compile(r"[-_–—=*.·…~\s]{3,}")  # a drawn line under the header: a paragraph break
_PAGE_NUMBER = re.compile(r"\d{1,3}|[Tt]rang \d+(?:/\d+)?")  # dropped: it may split a sentence


# markdown emphasis, and a line of stars alone; "* " starting a line is a bullet
_EMPHASIS = re.compile(r"(?<!^)\*+|^\*+(?=\S)|^\*+\s*$")


_END_MARK = re.compile(r"\s*\./\.\s*$")  # "./.": the end of the document's body, no task text


def normalize_lines(text: str) -> list[str]:
    """NFC lines without invisible characters, markdown bold, rules or page numbers."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).translate(_CLEANUP)
    lines = (
        " ".join(_EMPHASIS.sub("", line).split()) if line.strip("* \t") else ""
        for line in text.split("\n")
    )
    return [
        "" if _RULE.fullmatch(line) else _END_MARK.sub(".", line).removesuffix("..").lstrip(".")
        for line in lines
        if not _PAGE_NUMBER.fullmatch(line)
    ]


def join_wrapped(lines: list[str]) -> list[str]:
    """Paragraphs from lines, joining lines broken in the middle of a sentence (text copied from
    a PDF): a line continues the previous one when that one does not end a sentence and either
    runs to the usual line width or the new line starts in lower case."""
    lengths = sorted(len(line) for line in lines if len(line) >= 20)
    width = lengths[int(len(lengths) * 0.8)] if lengths else 0
    paragraphs: list[str] = []
    after_blank, last = True, ""  # `last`: the previous line as printed
    for line in lines:
        if not line:
            after_blank = True
            continue
        if paragraphs and _BARE_MARKER.fullmatch(paragraphs[-1]):
            paragraphs[-1] += " " + line  # "1." / "-" alone on its line: its text follows
        elif paragraphs and not after_blank and _continues(paragraphs[-1], last, line, width):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
        after_blank, last = False, line
    return paragraphs


# A line ending with a word that cannot end a sentence: the next line continues it.
_OPEN_END = re.compile(
    r"(?<![^\s(])(?:các|của|và|với|cho|tại|theo|về|trong|những|được|là|để|đến|từ|hoặc|số|ngày"
    r"|Sở|Bộ|Ban|Cục|Vụ|Ủy ban|Ủy ban nhân dân|UBND|Giám đốc|Chủ tịch|Thủ trưởng|Chánh)$|[,–-]$"
)


_BARE_MARKER = re.compile(
    r"(?:[IVXL]{1,6}|\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]|[-–—+•]|(?:Điều|ĐIỀU)(?:\s+\d{1,3}\.?)?"
)


def _continues(paragraph: str, last: str, line: str, width: int) -> bool:
    """Whether `line` goes on the paragraph whose last printed line is `last`."""
    if marker_of(line)[0] or field_label(line):
        return False
    if last.endswith(";") and line[:1].islower():
        return True  # "...về rừng;" / "xử lý hành vi ...": the next clause of the same item
    if last.endswith((".", ";", ":", "!", "?")):
        return False
    if _OPEN_END.search(last):
        return True  # "... phối hợp với các" / "Sở, Ban, ngành": the sentence goes on
    if last.count("(") > last.count(")"):
        return True  # "(các" / "Ban quản lý ...)": a parenthesis is never left open
    kind, _, after_marker = marker_of(paragraph)
    if kind and paragraph == last and len(after_marker.split()) <= 2:
        return True  # "1. Ban" / "Quản lý các khu công nghiệp": a header broken after a word
    if last.isupper() and line.isupper() and len(last) < 0.75 * width:
        return True  # a heading in capitals wrapped over two lines ("II. MỤC" / "TIÊU")
    return line[0].islower() or len(last) >= 0.75 * width


def decode_bytes(data: bytes) -> tuple[str, str]:
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
