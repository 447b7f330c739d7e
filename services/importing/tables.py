"""Task tables: a header row naming the columns (Nội dung / Chủ trì / Phối hợp / Thời hạn) and the rows under it, from .docx, tab-separated or `|` text."""

from __future__ import annotations

import re

from services.importing.matching import fold_same_length as _fold

_COLUMNS = (  # folded header words -> field, the first that matches ("Cơ quan phối hợp": partners)
    ("partners", re.compile(r".*phoi hop")),
    (
        "when",
        re.compile(r".*(?:thoi han|thoi gian|han hoan thanh|tien do)"),
    ),  # "thời gian thực hiện"
    ("lead", re.compile(r".*(?:chu tri|thuc hien)")),
    ("content", re.compile(r".*(?:noi dung|nhiem vu|cong viec)")),
    ("section", re.compile(r"(?:stt|tt|so tt|so thu tu)\.?$")),
)


TaskTable = tuple[list[list[str]], dict[str, int]]  # rows under the header, column of each field


def task_columns(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
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


def pasted_tables(text: str) -> tuple[str, list[TaskTable]]:
    """Task tables among tab-separated lines, and the text without them."""
    lines, tables, i = text.split("\n"), [], 0
    while i < len(lines):
        end = i
        while end < len(lines) and lines[end].count("\t") >= 2:
            end += 1
        rows = [[cell.strip().strip('"') for cell in line.split("\t")] for line in lines[i:end]]
        found = task_columns(rows) if rows else None
        if found:
            tables.append((rows[found[0] + 1 :], found[1]))
            lines[i:end] = [""] * (end - i)
        i = max(end, i + 1)
    return "\n".join(lines), tables


_MARKDOWN_ROW = re.compile(r"\s*\|(.*)\|\s*")
_MARKDOWN_RULE = re.compile(r"\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*\s*")
_CELL_BREAK = re.compile(r"\s*\|\s*")  # a line holding only "|": a cell ends (crawled tables)
_EMPHASIS = re.compile(r"\*+")


def _cell(text: str) -> str:
    return " ".join(_EMPHASIS.sub("", text).split())


def table_rows_as_tabs(text: str) -> str:
    """Tables written as text, rewritten as tab-separated rows (what pasted_tables reads):
    markdown rows ("| 1. | Nội dung | Sở X | ... |"), and crawled tables with one cell per line
    between lines holding only "|" (two such lines end a row). Cells that are not a task table
    (a header laid out in a table) become lines of their own."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _MARKDOWN_RULE.fullmatch(line):
            i += 1
            continue
        if m := _MARKDOWN_ROW.fullmatch(line):
            cells = [_cell(c) for c in m.group(1).split("|")]
            out.append("\t".join(cells) if len(cells) >= 3 else "\n".join(c for c in cells if c))
            i += 1
            continue
        if _CELL_BREAK.fullmatch(line):
            i = _crawled_table(lines, i, out)
            continue
        if " | " in line:  # cells of one row joined on a line ("Số: 07/CT-TTg | Hà Nội, ngày")
            out += [part for part in (p.strip() for p in line.split(" | ")) if part]
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def _crawled_table(lines: list[str], start: int, out: list[str]) -> int:
    """From a "|" line: a task table in one-cell-per-line form, written to `out` as tab rows;
    otherwise the "|" line is a paragraph break. Returns the index to continue from."""
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    i = start + 1
    while i < len(lines) and len(rows) < 10_000:
        line = lines[i]
        if _CELL_BREAK.fullmatch(line):
            row.append(_cell(" ".join(cell)))
            cell = []
            if i + 1 < len(lines) and _CELL_BREAK.fullmatch(lines[i + 1]):
                rows.append(row)
                row = []
                i += 1
            elif len(row) > 12:  # no row ends: not a table
                break
        else:
            if not line.strip() and not cell:
                if not rows:
                    break
            cell.append(line)
            if len(cell) > 40:  # a cell is a few lines; the table has ended
                break
        if rows and task_columns(rows[:1]) is None:
            break
        i += 1
    if not rows or task_columns(rows[:1]) is None:
        out.append("")
        return start + 1
    if row or cell:
        rows.append(row + ([_cell(" ".join(cell))] if cell else []))
        cell, row = [], []
    out += ["\t".join(r) for r in rows if any(r)]
    return i + 1
