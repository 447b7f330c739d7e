"""In-memory spreadsheets: sheets are grids of stored cells (see cells.py)."""

import secrets
from dataclasses import dataclass, field

from . import cells
from .errors import invalid

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    row_count: int = DEFAULT_ROWS
    column_count: int = DEFAULT_COLUMNS
    # rows[r - 1][c - 1] is cell (r, c); rows and rows' lists may stop early.
    rows: list[list] = field(default_factory=list)
    # developer metadata on rows of this sheet, by metadataId (see metadata.py)
    metadata: dict = field(default_factory=dict)

    def get(self, row: int, col: int):
        if row > len(self.rows) or col > len(self.rows[row - 1]):
            return None
        return self.rows[row - 1][col - 1]

    def set(self, row: int, col: int, value) -> None:
        if value is None and self.get(row, col) is None:
            return
        while len(self.rows) < row:
            self.rows.append([])
        cells_of_row = self.rows[row - 1]
        cells_of_row.extend([None] * (col - len(cells_of_row)))
        cells_of_row[col - 1] = value

    def row_has_data(self, row: int, left: int, right: int) -> bool:
        return any(self.get(row, c) is not None for c in range(left, right + 1))

    def last_data_row(self) -> int:
        # from the end: a read of a range costs its rows, not the whole sheet's (as Google's)
        for r in range(len(self.rows), 0, -1):
            if any(v is not None for v in self.rows[r - 1]):
                return r
        return 0

    def read(self, top, left, bottom, right, render_option, by_columns=False) -> list[list]:
        """Rendered values of a box, Google-trimmed: no trailing empty cells or lines."""
        bottom = min(bottom, self.last_data_row())
        if by_columns:
            lines = [
                [self.get(r, c) for r in range(top, bottom + 1)] for c in range(left, right + 1)
            ]
        else:
            lines = [
                [self.get(r, c) for c in range(left, right + 1)] for r in range(top, bottom + 1)
            ]
        out = []
        for line in lines:
            while line and line[-1] is None:
                line.pop()
            out.append(["" if v is None else cells.render(v, render_option) for v in line])
        while out and not out[-1]:
            out.pop()
        return out

    def clear(self, top, left, bottom, right) -> None:
        for r in range(top, min(bottom, len(self.rows)) + 1):
            for c in range(left, right + 1):
                self.set(r, c, None)

    def insert_rows(self, start: int, count: int) -> None:
        """Insert `count` empty rows before 0-based row index `start`."""
        if start < len(self.rows):
            self.rows[start:start] = [[] for _ in range(count)]
        self.row_count += count
        for meta in self.metadata.values():  # metadata moves with its row
            if meta.start >= start:
                meta.start += count
                meta.end += count

    def delete_rows(self, start: int, end: int) -> None:
        """Delete 0-based rows [start, end)."""
        del self.rows[start:end]
        self.row_count -= end - start
        for metadata_id, meta in list(self.metadata.items()):
            if start <= meta.start and meta.end <= end:
                del self.metadata[metadata_id]  # deleted with its row
            elif meta.start >= end:
                meta.start -= end - start
                meta.end -= end - start
            elif meta.end > start:  # partly deleted: it keeps the rows that remain
                meta.end -= min(end, meta.end) - max(start, meta.start)
                meta.start = min(meta.start, start)

    def insert_columns(self, start: int, count: int) -> None:
        for cells_of_row in self.rows:
            if start < len(cells_of_row):
                cells_of_row[start:start] = [None] * count
        self.column_count += count

    def delete_columns(self, start: int, end: int) -> None:
        for cells_of_row in self.rows:
            del cells_of_row[start:end]
        self.column_count -= end - start

    def resize(self, row_count: int, column_count: int) -> None:
        """Change the grid size; data outside the new grid is lost."""
        del self.rows[row_count:]
        for cells_of_row in self.rows:
            del cells_of_row[column_count:]
        self.row_count, self.column_count = row_count, column_count

    def properties(self) -> dict:
        return {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": self.row_count, "columnCount": self.column_count},
        }

    def dump(self) -> dict:
        values = [[cells.stored_json(v) for v in cells_of_row] for cells_of_row in self.rows]
        for line in values:
            while line and line[-1] == "":
                line.pop()
        while values and not values[-1]:
            values.pop()
        return {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "rowCount": self.row_count,
            "columnCount": self.column_count,
            "values": values,
            "developerMetadata": [m.json() for m in self.metadata.values()],
        }


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    shared_with: list[str] | None = None
    sheets: list[Sheet] = field(default_factory=list)

    def sheet_titles(self) -> list[str]:
        return [s.title for s in self.sheets]

    def sheet_by_title(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def sheet_by_id(self, sheet_id) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def next_sheet_id(self) -> int:
        return max((s.sheet_id for s in self.sheets), default=-1) + 1

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.index = i

    def move_sheet(self, sheet: Sheet, index: int) -> None:
        self.sheets.remove(sheet)
        self.sheets.insert(index, sheet)
        self.reindex()

    def metadata(self) -> dict:
        return {
            "spreadsheetId": self.spreadsheet_id,
            "properties": {
                "title": self.title,
                "locale": self.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
            },
            "sheets": [{"properties": s.properties()} for s in self.sheets],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit",
        }

    def dump(self) -> dict:
        return {
            "spreadsheetId": self.spreadsheet_id,
            "title": self.title,
            "locale": self.locale,
            "timeZone": self.time_zone,
            "shared_with": self.shared_with,
            "sheets": [s.dump() for s in self.sheets],
        }


def new_spreadsheet_id() -> str:
    return "1" + secrets.token_urlsafe(32)[:43]


def spreadsheet_from_spec(spec: dict) -> Spreadsheet:
    """Build a spreadsheet from the /_fake/spreadsheets JSON spec (see server.py)."""
    if not isinstance(spec, dict) or not spec.get("title"):
        raise invalid('A spreadsheet spec needs a "title".')
    book = Spreadsheet(
        spreadsheet_id=spec.get("spreadsheetId") or new_spreadsheet_id(),
        title=spec["title"],
        locale=spec.get("locale") or "en_US",
        time_zone=spec.get("timeZone") or "Etc/GMT",
        shared_with=spec.get("shared_with"),
    )
    sheet_specs = spec.get("sheets") or [{}]
    for position, sheet_spec in enumerate(sheet_specs):
        values = sheet_spec.get("values") or []
        if not isinstance(values, list) or not all(isinstance(line, list) for line in values):
            raise invalid('Sheet "values" must be a list of lists.')
        title = sheet_spec.get("title") or f"Sheet{position + 1}"
        if book.sheet_by_title(title):
            raise invalid(f'A sheet with the name "{title}" already exists.')
        sheet = Sheet(
            sheet_id=sheet_spec.get("sheetId", book.next_sheet_id()),
            title=title,
            index=sheet_spec.get("index", position),
            row_count=max(sheet_spec.get("rowCount") or DEFAULT_ROWS, len(values)),
            column_count=max(
                sheet_spec.get("columnCount") or DEFAULT_COLUMNS,
                max((len(line) for line in values), default=0),
            ),
        )
        for r, line in enumerate(values, 1):
            for c, value in enumerate(line, 1):
                sheet.set(r, c, cells.parse_seeded(value))
        book.sheets.append(sheet)
    book.sheets.sort(key=lambda s: s.index)
    book.reindex()
    return book
