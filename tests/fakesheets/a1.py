"""A1 notation: splitting "'Sheet name'!A1:B2" and formatting ranges like Google does.

Sheet names are matched exactly (case-sensitive). Named ranges are not supported.
"""

import re
from dataclasses import dataclass

from gspread.utils import a1_range_to_grid_range, rowcol_to_a1

from .errors import invalid

_A1_PART_RE = re.compile(r"\$?(?:[A-Za-z]{1,3})?\$?(?:[1-9]\d*)?")
_PLAIN_SHEET_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_LIKE_RE = re.compile(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*")


@dataclass(frozen=True)
class RangeRef:
    """A parsed range: sheet title (None = first sheet) and A1 bounds.

    Bounds are 1-based and inclusive; None means open-ended on that side
    (e.g. "A:B" has no row bounds). `a1` is None for a bare sheet name.
    """

    sheet: str | None
    a1: str | None
    top: int | None = None
    left: int | None = None
    bottom: int | None = None
    right: int | None = None

    @property
    def is_anchor(self) -> bool:
        """A single cell or a bare sheet name: a write may spread from its top-left."""
        if self.a1 is None:
            return True
        return (
            self.top is not None
            and self.top == self.bottom
            and (self.left is not None and self.left == self.right)
        )


def parse_range(text: str, sheet_titles: list[str]) -> RangeRef:
    """Parse a range string; raise 400 "Unable to parse range" when it is malformed."""
    sheet, a1 = _split_sheet(text, sheet_titles)
    if a1 is None:
        return RangeRef(sheet, None)
    parts = a1.split(":")
    if len(parts) > 2 or not all(p.strip("$") and _A1_PART_RE.fullmatch(p) for p in parts):
        raise invalid(f"Unable to parse range: {text}")
    grid = a1_range_to_grid_range(a1.replace("$", ""))
    return RangeRef(
        sheet,
        a1,
        top=grid["startRowIndex"] + 1 if "startRowIndex" in grid else None,
        left=grid["startColumnIndex"] + 1 if "startColumnIndex" in grid else None,
        bottom=grid.get("endRowIndex"),
        right=grid.get("endColumnIndex"),
    )


def _split_sheet(text: str, sheet_titles: list[str]) -> tuple[str | None, str | None]:
    if text.startswith("'"):
        name, rest = _read_quoted(text)
        if rest == "":
            return name, None
        if not rest.startswith("!"):
            raise invalid(f"Unable to parse range: {text}")
        return name, rest[1:]
    if "!" in text:
        name, _, a1 = text.partition("!")
        return name, a1
    if text in sheet_titles:
        return text, None
    return None, text


def _read_quoted(text: str) -> tuple[str, str]:
    """Read a quoted sheet name ('' stands for ') from the start of text."""
    name = []
    i = 1
    while i < len(text):
        if text[i] == "'":
            if text[i + 1 : i + 2] == "'":
                name.append("'")
                i += 2
                continue
            return "".join(name), text[i + 1 :]
        name.append(text[i])
        i += 1
    raise invalid(f"Unable to parse range: {text}")


def quote_sheet_name(title: str, always: bool = False) -> str:
    """Quote a sheet name the way Google writes it in ranges."""
    plain = _PLAIN_SHEET_NAME_RE.fullmatch(title) and not _CELL_LIKE_RE.fullmatch(title)
    if plain and not always:
        return title
    return "'" + title.replace("'", "''") + "'"


def format_cells(top: int, left: int, bottom: int, right: int) -> str:
    """E.g. A1:B2, or C3 for a single cell."""
    start = rowcol_to_a1(top, left)
    return start if (top, left) == (bottom, right) else f"{start}:{rowcol_to_a1(bottom, right)}"


def format_range(title: str, top: int, left: int, bottom: int, right: int) -> str:
    """E.g. Sheet1!A1:B2, 'My sheet'!C3."""
    return f"{quote_sheet_name(title)}!{format_cells(top, left, bottom, right)}"
