"""Word .docx input: paragraphs with Word's automatic numbering, and tables."""

from __future__ import annotations

import io
import zipfile

from services.importing import limits
from services.importing.items import LETTERS, ROMANS
from services.importing.tables import TaskTable, task_columns

# --- .docx ------------------------------------------------------------------------------------


def docx_content(document) -> tuple[list[str], list[TaskTable]]:
    """Lines of text in document order (tables that are not task tables included cell by cell)
    and the task tables as (rows under the header, column of each field)."""
    from docx.table import Table

    lines: list[str] = []
    tables = []
    formats = _numbering_formats(document)
    counters: dict = {}
    styles = _numbered_styles(document)
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = [[cell.text for cell in row.cells] for row in block.rows]
            found = task_columns(rows)
            if found:
                tables.append((rows[found[0] + 1 :], found[1]))
            else:
                lines += _table_lines(block)
            continue
        marker = _list_marker(block, formats, counters, styles)
        text_lines = block.text.split("\n")
        lines += [marker + text_lines[0], *text_lines[1:]]
    return lines, tables


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


def _numbered_styles(document) -> dict[str | None, object]:
    """Paragraph style id -> the numbering its style sets (None: the default paragraph style).
    Read once: python-docx looks a paragraph's style up through every style of the document,
    which made a 10,000-paragraph file take minutes."""
    from docx.oxml.ns import qn

    found: dict[str | None, object] = {}
    for style in document.styles.element.findall(qn("w:style")):
        ppr = style.pPr
        if ppr is None or ppr.numPr is None or ppr.numPr.numId is None:
            continue
        found[style.get(qn("w:styleId"))] = ppr.numPr
        if style.get(qn("w:default")) in ("1", "true") and style.get(qn("w:type")) == "paragraph":
            found[None] = ppr.numPr
    return found


def _list_marker(paragraph, formats, counters, styles) -> str:
    """The number Word draws in front of an automatically numbered paragraph ("2. ", "a) ")."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
        num_pr = ppr.numPr  # numbering set on the paragraph
    else:  # or by its style
        style_id = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None
        num_pr = styles.get(style_id)
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
    if fmt == "upperRoman" and n <= len(ROMANS):
        return f"{ROMANS[n - 1]}. "
    if fmt == "lowerLetter" and n <= len(LETTERS):
        return f"{LETTERS[n - 1]}) "
    return "- "


def docx_too_big(data: bytes) -> str:
    """A Vietnamese message when the .docx holds more paragraphs (or XML) than one import may
    read, counted by streaming word/document.xml out of the archive; "" otherwise."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            info = archive.getinfo("word/document.xml")
        except KeyError:
            return ""  # python-docx will say the file is not a Word document
        count, tail = 0, b""
        with archive.open(info) as xml:
            while chunk := xml.read(1 << 20):
                window = tail + chunk
                count += window.count(b"<w:p>") + window.count(b"<w:p ")
                tail = window[-5:]
                count -= tail.count(b"<w:p>") + tail.count(b"<w:p ")  # counted with the next
                if count > limits.MAX_PARAGRAPHS:
                    return limits.TOO_MANY_PARAGRAPHS.format(
                        count=f"hơn {limits.number(limits.MAX_PARAGRAPHS)}",
                        limit=limits.number(limits.MAX_PARAGRAPHS),
                    )
    if info.file_size > limits.MAX_TEXT_CHARS * 20:  # XML is ~10x its text
        return limits.TEXT_TOO_LONG.format(
            chars=limits.number(info.file_size), limit=limits.number(limits.MAX_TEXT_CHARS)
        )
    return ""
