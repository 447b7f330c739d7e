"""spreadsheets:batchUpdate requests that change the structure of a spreadsheet."""

from . import metadata
from .errors import invalid
from .model import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet, Spreadsheet


def apply_request(book: Spreadsheet, request: dict, position: int) -> dict:
    """Apply one batchUpdate request and return its reply."""
    if not isinstance(request, dict) or len(request) != 1:
        raise invalid(f"Invalid requests[{position}]: exactly one request kind must be set.")
    kind, args = next(iter(request.items()))
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise invalid(
            f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{position}]': "
            "Cannot find field (or the fake does not support it)."
        )
    return handler(book, args or {}, f"Invalid requests[{position}].{kind}: ")


def _add_sheet(book: Spreadsheet, args: dict, prefix: str) -> dict:
    props = args.get("properties") or {}
    title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
    if book.sheet_by_title(title):
        raise invalid(
            f'{prefix}A sheet with the name "{title}" already exists. Please enter another name.'
        )
    sheet_id = props.get("sheetId", book.next_sheet_id())
    if book.sheet_by_id(sheet_id):
        raise invalid(f"{prefix}Sheet with id {sheet_id} already exists.")
    grid = props.get("gridProperties") or {}
    sheet = Sheet(
        sheet_id=sheet_id,
        title=title,
        index=0,
        row_count=grid.get("rowCount", DEFAULT_ROWS),
        column_count=grid.get("columnCount", DEFAULT_COLUMNS),
    )
    book.sheets.append(sheet)
    book.move_sheet(sheet, min(props.get("index", len(book.sheets)), len(book.sheets) - 1))
    return {"addSheet": {"properties": sheet.properties()}}


def _delete_sheet(book: Spreadsheet, args: dict, prefix: str) -> dict:
    sheet = _sheet(book, args.get("sheetId"), prefix)
    if len(book.sheets) == 1:
        raise invalid(f"{prefix}You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    book.reindex()
    return {}


def _insert_dimension(book: Spreadsheet, args: dict, prefix: str) -> dict:
    sheet, rows, start, end = _dimension_range(book, args.get("range") or {}, prefix)
    size = sheet.row_count if rows else sheet.column_count
    if start > size:
        raise invalid(f"{prefix}range.startIndex ({start}) is after the end of the grid ({size}).")
    if rows:
        sheet.insert_rows(start, end - start)
    else:
        sheet.insert_columns(start, end - start)
    return {}


def _delete_dimension(book: Spreadsheet, args: dict, prefix: str) -> dict:
    sheet, rows, start, end = _dimension_range(book, args.get("range") or {}, prefix)
    size, noun = (sheet.row_count, "row") if rows else (sheet.column_count, "column")
    if end > size:
        raise invalid(
            f"{prefix}Cannot delete a {noun} that doesn't exist. Tried to delete {noun} "
            f"index {end - 1} but there are only {size} {noun}s."
        )
    if start == 0 and end == size:
        raise invalid(f"{prefix}You can't delete all the {noun}s on the sheet.")
    if rows:
        sheet.delete_rows(start, end)
    else:
        sheet.delete_columns(start, end)
    return {}


def _append_dimension(book: Spreadsheet, args: dict, prefix: str) -> dict:
    sheet = _sheet(book, args.get("sheetId"), prefix)
    length = args.get("length")
    if not isinstance(length, int) or length < 1:
        raise invalid(f"{prefix}length must be a positive number.")
    if _is_rows(args.get("dimension"), prefix):
        sheet.row_count += length
    else:
        sheet.column_count += length
    return {}


def _update_sheet_properties(book: Spreadsheet, args: dict, prefix: str) -> dict:
    props = args.get("properties") or {}
    sheet = _sheet(book, props.get("sheetId"), prefix)
    fields = [f.strip().replace("/", ".") for f in (args.get("fields") or "").split(",")]
    if fields == ["*"]:
        fields = ["title", "index", "gridProperties.rowCount", "gridProperties.columnCount"]
        fields = [f for f in fields if _lookup(props, f) is not None]
    rows, columns = sheet.row_count, sheet.column_count
    for name in fields:
        value = _lookup(props, name)
        if name == "title":
            other = book.sheet_by_title(value)
            if not value or (other and other is not sheet):
                raise invalid(f'{prefix}A sheet with the name "{value}" already exists.')
            sheet.title = value
        elif name == "index":
            book.move_sheet(sheet, min(value, len(book.sheets) - 1))
        elif name == "gridProperties.rowCount":
            rows = value
        elif name == "gridProperties.columnCount":
            columns = value
        else:
            raise invalid(f"{prefix}the fake does not support the field '{name}'.")
    if rows < 1 or columns < 1:
        raise invalid(f"{prefix}a sheet needs at least one row and one column.")
    sheet.resize(rows, columns)
    return {}


def _lookup(props: dict, dotted: str):
    value = props
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _sheet(book: Spreadsheet, sheet_id, prefix: str) -> Sheet:
    sheet = book.sheet_by_id(sheet_id or 0)
    if sheet is None:
        raise invalid(f"{prefix}No grid with id: {sheet_id or 0}")
    return sheet


def _is_rows(dimension, prefix: str) -> bool:
    if dimension not in ("ROWS", "COLUMNS"):
        raise invalid(f"{prefix}dimension must be ROWS or COLUMNS, got {dimension!r}.")
    return dimension == "ROWS"


def _dimension_range(book: Spreadsheet, dim_range: dict, prefix: str):
    sheet = _sheet(book, dim_range.get("sheetId"), prefix)
    rows = _is_rows(dim_range.get("dimension"), prefix)
    start, end = dim_range.get("startIndex", 0), dim_range.get("endIndex")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
        raise invalid(f"{prefix}range needs 0 <= startIndex < endIndex, got {start}..{end}.")
    return sheet, rows, start, end


_HANDLERS = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "appendDimension": _append_dimension,
    "updateSheetProperties": _update_sheet_properties,
    **metadata.HANDLERS,
}
