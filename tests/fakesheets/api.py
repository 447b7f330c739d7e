"""The Google Sheets API v4 endpoints under /v4/spreadsheets.

Every handler runs with the server lock held and either returns the JSON reply
or raises ApiError. Requests that change several things (batchUpdate,
values:batchUpdate) are atomic: on error the spreadsheet is left unchanged.
"""

import copy
from contextlib import contextmanager
from urllib.parse import unquote

from gspread.utils import rowcol_to_a1

from . import cells, metadata
from .a1 import RangeRef, format_cells, format_range, parse_range, quote_sheet_name
from .errors import ApiError, invalid
from .model import Sheet, Spreadsheet, new_spreadsheet_id, spreadsheet_from_spec
from .structure import apply_request

ROWS, COLUMNS = "ROWS", "COLUMNS"


class SheetsApi:
    def __init__(self, spreadsheets: dict[str, Spreadsheet]):
        self.spreadsheets = spreadsheets

    def handle(self, method: str, rest: str, query: dict, body, caller: str | None) -> dict:
        """Serve `method` on /v4/spreadsheets + `rest` (`rest` still percent-encoded)."""
        if rest in ("", "/"):
            if method == "POST":
                return self._create(body or {})
            raise ApiError(404)
        parts = rest.split("/")
        spreadsheet_id, _, action = unquote(parts[1]).partition(":")
        range_text = None
        if len(parts) == 3 and parts[2].startswith("values:"):
            action = parts[2]
        elif len(parts) == 3 and parts[2] == "developerMetadata:search":
            action = parts[2]
        elif len(parts) == 4 and parts[2] == "developerMetadata":
            range_text, action = unquote(parts[3]), "developerMetadata/"
        elif len(parts) == 4 and parts[2] == "values":
            range_text, action = _split_range_action(unquote(parts[3]))
        elif len(parts) != 2:
            raise ApiError(404)
        handler = _ROUTES.get((method, action))
        if handler is None:
            raise ApiError(404)
        book = self._open(spreadsheet_id, caller)
        if range_text is None:
            return handler(self, book, query, body or {})
        return handler(self, book, range_text, query, body or {})

    def _open(self, spreadsheet_id: str, caller: str | None) -> Spreadsheet:
        book = self.spreadsheets.get(spreadsheet_id)
        if book is None:
            raise ApiError(404)
        if book.shared_with is not None and caller not in book.shared_with:
            raise ApiError(403)
        return book

    # --- spreadsheets -------------------------------------------------------

    def _create(self, body: dict) -> dict:
        props = body.get("properties") or {}
        spec = {
            "spreadsheetId": new_spreadsheet_id(),
            "title": props.get("title") or "Untitled spreadsheet",
            "locale": props.get("locale"),
            "timeZone": props.get("timeZone"),
            "sheets": [_sheet_spec(s.get("properties") or {}) for s in body.get("sheets") or []],
        }
        book = spreadsheet_from_spec(spec)
        self.spreadsheets[book.spreadsheet_id] = book
        return book.metadata()

    def _get(self, book: Spreadsheet, query: dict, body) -> dict:
        return book.metadata()

    def _batch_update(self, book: Spreadsheet, query: dict, body: dict) -> dict:
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            raise invalid("Must specify at least one request.")
        with _atomic(book):
            replies = [apply_request(book, r, i) for i, r in enumerate(requests)]
        return {"spreadsheetId": book.spreadsheet_id, "replies": replies}

    def _developer_metadata_get(self, book: Spreadsheet, metadata_id: str, query, body) -> dict:
        meta = metadata.find_metadata(book, int(metadata_id)) if metadata_id.isdigit() else None
        if meta is None:
            raise ApiError(404, f"No developer metadata with ID: {metadata_id}")
        return meta.json()

    def _developer_metadata_search(self, book: Spreadsheet, query: dict, body: dict) -> dict:
        filters = body.get("dataFilters")
        if not isinstance(filters, list) or not filters:
            raise invalid("Must specify at least one data filter.")
        out = []
        for data_filter in filters:
            for meta in metadata.lookup_metadata(book, data_filter):
                out.append({"developerMetadata": meta.json(), "dataFilters": [data_filter]})
        return {"matchedDeveloperMetadata": out} if out else {}

    # --- values -------------------------------------------------------------

    def _values_batch_get_by_data_filter(self, book: Spreadsheet, query: dict, body: dict) -> dict:
        """Each filter's matched ranges, as MatchedValueRange; unmatched filters are left out."""
        filters = body.get("dataFilters")
        if not isinstance(filters, list) or not filters:
            raise invalid("Must specify at least one data filter.")
        out = []
        for data_filter in filters:
            for sheet, box in self._filter_boxes(book, data_filter):
                value_range = _value_range(
                    sheet,
                    box,
                    _option(body, "majorDimension", (ROWS, COLUMNS), ROWS),
                    _option(body, "valueRenderOption", cells.RENDER_OPTIONS, cells.FORMATTED),
                )
                out.append({"valueRange": value_range, "dataFilters": [data_filter]})
        return {"spreadsheetId": book.spreadsheet_id, "valueRanges": out}

    def _filter_boxes(self, book: Spreadsheet, data_filter: dict):
        if not isinstance(data_filter, dict) or len(data_filter) != 1:
            raise invalid(
                "A DataFilter sets exactly one of a1Range, gridRange, developerMetadataLookup."
            )
        if "a1Range" in data_filter:
            sheet, ref = _resolve(book, data_filter["a1Range"])
            return [(sheet, _clamped_box(sheet, ref))]
        if "gridRange" in data_filter:
            grid = data_filter["gridRange"] or {}
            sheet = book.sheet_by_id(grid.get("sheetId", 0))
            if sheet is None:
                raise invalid(f"No grid with id: {grid.get('sheetId')}")
            box = (
                grid.get("startRowIndex", 0) + 1,
                grid.get("startColumnIndex", 0) + 1,
                min(grid.get("endRowIndex", sheet.row_count), sheet.row_count),
                min(grid.get("endColumnIndex", sheet.column_count), sheet.column_count),
            )
            return [(sheet, box)]
        boxes = []
        for meta in metadata.lookup_metadata(book, data_filter):
            sheet = book.sheet_by_id(meta.sheet_id)
            boxes.append((sheet, (meta.start + 1, 1, meta.end, sheet.column_count)))
        return boxes

    def _values_get(self, book: Spreadsheet, range_text: str, query: dict, body) -> dict:
        return self._read(book, range_text, query)

    def _values_batch_get(self, book: Spreadsheet, query: dict, body) -> dict:
        reply = {"spreadsheetId": book.spreadsheet_id}
        ranges = query.get("ranges") or []
        if ranges:
            reply["valueRanges"] = [self._read(book, text, query) for text in ranges]
        return reply

    def _values_update(self, book: Spreadsheet, range_text: str, query: dict, body: dict) -> dict:
        input_option = _option(query, "valueInputOption", cells.INPUT_OPTIONS, None)
        return _write(book, range_text, body, input_option, _response_options(query))

    def _values_batch_update(self, book: Spreadsheet, query: dict, body: dict) -> dict:
        input_option = _option(body, "valueInputOption", cells.INPUT_OPTIONS, None)
        data = body.get("data") or []
        if not isinstance(data, list):
            raise invalid("Invalid value at 'data'.")
        with _atomic(book):
            responses = [
                _write(book, item.get("range", ""), item, input_option, _response_options(body))
                for item in data
            ]
        written = [r for r in responses if "updatedRange" in r]
        return {
            "spreadsheetId": book.spreadsheet_id,
            "totalUpdatedRows": sum(r["updatedRows"] for r in written),
            "totalUpdatedColumns": sum(r["updatedColumns"] for r in written),
            "totalUpdatedCells": sum(r["updatedCells"] for r in written),
            "totalUpdatedSheets": len({r["updatedRange"].rpartition("!")[0] for r in written}),
            "responses": responses,
        }

    def _values_append(self, book: Spreadsheet, range_text: str, query: dict, body: dict) -> dict:
        input_option = _option(query, "valueInputOption", cells.INPUT_OPTIONS, None)
        insert_option = _option(
            query, "insertDataOption", ("OVERWRITE", "INSERT_ROWS"), "OVERWRITE"
        )
        sheet, ref = _resolve(book, range_text)
        grid = _parse_values(body, input_option)
        write_row, left = _clamped_box(sheet, ref)[:2]
        reply = {"spreadsheetId": book.spreadsheet_id}
        table = _find_table(sheet, ref)
        if table:
            reply["tableRange"] = format_range(sheet.title, *table)
            write_row = table[2] + 1
        n_rows, n_cols = len(grid), max(map(len, grid), default=0)
        if n_rows and n_cols:
            if insert_option == "INSERT_ROWS":
                sheet.insert_rows(write_row - 1, n_rows)
            sheet.row_count = max(sheet.row_count, write_row + n_rows - 1)
            sheet.column_count = max(sheet.column_count, left + n_cols - 1)
            updates = _put(book, sheet, write_row, left, grid, _response_options(query))
        else:
            updates = {"spreadsheetId": book.spreadsheet_id}
        reply["updates"] = updates
        return reply

    def _values_clear(self, book: Spreadsheet, range_text: str, query: dict, body) -> dict:
        return {"spreadsheetId": book.spreadsheet_id, "clearedRange": _clear(book, range_text)}

    def _values_batch_clear(self, book: Spreadsheet, query: dict, body: dict) -> dict:
        with _atomic(book):
            cleared = [_clear(book, text) for text in body.get("ranges") or []]
        return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared}

    def _read(self, book: Spreadsheet, range_text: str, query: dict) -> dict:
        major = _option(query, "majorDimension", (ROWS, COLUMNS), ROWS)
        render = _option(query, "valueRenderOption", cells.RENDER_OPTIONS, cells.FORMATTED)
        sheet, ref = _resolve(book, range_text)
        return _value_range(sheet, _clamped_box(sheet, ref), major, render)


_ROUTES = {
    ("GET", ""): SheetsApi._get,
    ("POST", "batchUpdate"): SheetsApi._batch_update,
    ("GET", "values:batchGet"): SheetsApi._values_batch_get,
    ("POST", "values:batchGetByDataFilter"): SheetsApi._values_batch_get_by_data_filter,
    ("GET", "developerMetadata/"): SheetsApi._developer_metadata_get,
    ("POST", "developerMetadata:search"): SheetsApi._developer_metadata_search,
    ("POST", "values:batchUpdate"): SheetsApi._values_batch_update,
    ("POST", "values:batchClear"): SheetsApi._values_batch_clear,
    ("GET", "values/"): SheetsApi._values_get,
    ("PUT", "values/"): SheetsApi._values_update,
    ("POST", "values/:append"): SheetsApi._values_append,
    ("POST", "values/:clear"): SheetsApi._values_clear,
}


def _split_range_action(segment: str) -> tuple[str, str]:
    """'Sheet1!A1:B2:append' -> ('Sheet1!A1:B2', 'values/:append'); a range -> (range, 'values/')."""
    head, _, tail = segment.rpartition(":")
    if head and tail in ("append", "clear"):
        return head, f"values/:{tail}"
    return segment, "values/"


@contextmanager
def _atomic(book: Spreadsheet):
    """Restore the spreadsheet's sheets when the block raises ApiError."""
    saved = copy.deepcopy(book.sheets)
    try:
        yield
    except ApiError:
        book.sheets = saved
        raise


def _sheet_spec(props: dict) -> dict:
    grid = props.get("gridProperties") or {}
    spec = {k: props[k] for k in ("sheetId", "title", "index") if k in props}
    return spec | {"rowCount": grid.get("rowCount"), "columnCount": grid.get("columnCount")}


def _option(source: dict, name: str, allowed: tuple, default):
    """A query parameter (list of strings) or JSON body field restricted to `allowed`."""
    value = source.get(name)
    if isinstance(value, list):
        value = value[0]
    if value is None:
        if default is None:
            raise invalid(f"'{name}' is required but not specified")
        return default
    if value not in allowed:
        raise invalid(f"Invalid value at '{name}', \"{value}\"")
    return value


def _response_options(source: dict) -> dict | None:
    """How to render updatedData, or None when includeValuesInResponse is off."""
    include = source.get("includeValuesInResponse")
    if isinstance(include, list):
        include = include[0]
    if str(include).lower() != "true":
        return None
    return {
        "render": _option(
            source, "responseValueRenderOption", cells.RENDER_OPTIONS, cells.FORMATTED
        )
    }


def _resolve(book: Spreadsheet, range_text: str) -> tuple[Sheet, RangeRef]:
    ref = parse_range(range_text, book.sheet_titles())
    sheet = book.sheets[0] if ref.sheet is None else book.sheet_by_title(ref.sheet)
    if sheet is None:
        raise invalid(f"Unable to parse range: {range_text}")
    return sheet, ref


def _box(sheet: Sheet, ref: RangeRef) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) with open ends filled in from the grid size."""
    return (
        ref.top or 1,
        ref.left or 1,
        ref.bottom or sheet.row_count,
        ref.right or sheet.column_count,
    )


def _grid_error(sheet: Sheet, a1: str) -> ApiError:
    return invalid(
        f"Range ({quote_sheet_name(sheet.title, always=True)}!{a1}) exceeds grid limits. "
        f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
    )


def _clamped_box(sheet: Sheet, ref: RangeRef) -> tuple[int, int, int, int]:
    top, left, bottom, right = _box(sheet, ref)
    if top > sheet.row_count or left > sheet.column_count:
        raise _grid_error(sheet, ref.a1)
    return top, left, min(bottom, sheet.row_count), min(right, sheet.column_count)


def _value_range(sheet: Sheet, box: tuple, major: str, render: str) -> dict:
    reply = {"range": format_range(sheet.title, *box), "majorDimension": major}
    values = sheet.read(*box, render, by_columns=major == COLUMNS)
    if values:
        reply["values"] = values
    return reply


def _parse_values(body: dict, input_option: str) -> list[list]:
    """The body's values as row-major stored cells (UNCHANGED for JSON null)."""
    values = body.get("values") or []
    if not isinstance(values, list) or not all(isinstance(line, list) for line in values):
        raise invalid("Invalid value at 'data.values': values must be a list of lists.")
    major = _option(body, "majorDimension", (ROWS, COLUMNS), ROWS)
    if major == COLUMNS:
        height = max(map(len, values), default=0)
        values = [[col[r] if r < len(col) else None for col in values] for r in range(height)]
    return [[cells.parse_written(v, input_option) for v in line] for line in values]


def _write(book: Spreadsheet, range_text: str, body: dict, input_option: str, respond) -> dict:
    """values.update semantics for one range; returns the UpdateValuesResponse."""
    sheet, ref = _resolve(book, range_text)
    grid = _parse_values(body, input_option)
    top, left, bottom, right = _box(sheet, ref)
    n_rows, n_cols = len(grid), max(map(len, grid), default=0)
    if not (n_rows and n_cols):
        return {"spreadsheetId": book.spreadsheet_id}
    last_row, last_col = top + n_rows - 1, left + n_cols - 1
    if last_row > sheet.row_count or last_col > sheet.column_count:
        raise _grid_error(sheet, ref.a1 or format_cells(top, left, last_row, last_col))
    if not ref.is_anchor and (last_row > bottom or last_col > right):
        where = (
            f"row [{last_row}]" if last_row > bottom else f"column [{_column_letters(last_col)}]"
        )
        requested = format_cells(top, left, bottom, right)
        raise invalid(
            f"Requested writing within range [{quote_sheet_name(sheet.title, always=True)}!"
            f"{requested}], but tried writing to {where}"
        )
    return _put(book, sheet, top, left, grid, respond)


def _put(book: Spreadsheet, sheet: Sheet, top: int, left: int, grid: list[list], respond) -> dict:
    """Store the cells and describe the write like Google's UpdateValuesResponse."""
    written = set()
    for r, line in enumerate(grid):
        for c, value in enumerate(line):
            if value is not cells.UNCHANGED:
                sheet.set(top + r, left + c, value)
                written.add((r, c))
    box = (top, left, top + len(grid) - 1, left + max(map(len, grid)) - 1)
    reply = {
        "spreadsheetId": book.spreadsheet_id,
        "updatedRange": format_range(sheet.title, *box),
        "updatedRows": len({r for r, _ in written}),
        "updatedColumns": len({c for _, c in written}),
        "updatedCells": len(written),
    }
    if respond is not None:
        reply["updatedData"] = _value_range(sheet, box, ROWS, respond["render"])
    return reply


def _clear(book: Spreadsheet, range_text: str) -> str:
    sheet, ref = _resolve(book, range_text)
    box = _clamped_box(sheet, ref)
    sheet.clear(*box)
    return format_range(sheet.title, *box)


def _find_table(sheet: Sheet, ref: RangeRef):
    """Where values.append looks for its table, as (top, left, bottom, right) or None.

    The table is the block of consecutive non-empty rows holding the last
    non-empty row of the range (clamped to the grid). A single-cell range only
    looks at that cell, but the table found there may spread to its right.
    """
    top, left, bottom, right = _clamped_box(sheet, ref)
    spread_right = sheet.column_count if ref.is_anchor else right
    filled = [
        r
        for r in range(top, min(bottom, sheet.last_data_row()) + 1)
        if sheet.row_has_data(r, left, right)
    ]
    if not filled:
        return None
    start = end = filled[-1]
    while sheet.row_has_data(end + 1, left, spread_right):
        end += 1
    while start > top and sheet.row_has_data(start - 1, left, spread_right):
        start -= 1
    last_col = max(
        c
        for r in range(start, end + 1)
        for c in range(left, spread_right + 1)
        if sheet.get(r, c) is not None
    )
    return start, left, end, last_col


def _column_letters(col: int) -> str:
    return rowcol_to_a1(1, col)[:-1]
