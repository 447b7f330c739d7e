"""Task tables: a header row naming the columns (Nội dung / Chủ trì / Phối hợp / Thời hạn) and the rows under it, from .docx, tab-separated or `|` text."""

from __future__ import annotations

import re

from services.importing.matching import fold_same_length as _fold

_COLUMNS = (  # folded header words -> field; partners before lead ("Cơ quan phối hợp")
    ("partners", re.compile(r".*phoi hop")),
    ("lead", re.compile(r".*(?:chu tri|thuc hien)")),
    ("when", re.compile(r".*(?:thoi han|thoi gian|han hoan thanh|tien do)")),
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
