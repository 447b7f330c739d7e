"""Developer metadata on rows, DataFilters, and the cell-writing batchUpdate requests.

What Google documents (Sheets API v4 reference, DeveloperMetadata / DataFilter /
DeveloperMetadataLookup / UpdateCellsRequest / AppendCellsRequest) and this fake copies:
- metadata associated with a row stays with that row when rows are inserted or deleted above it,
  and is deleted with its row; `metadataId` is spreadsheet-scoped and unique (a create with an id
  already in use fails, and with it the whole batchUpdate); ids must be positive;
- a DeveloperMetadataLookup selects the metadata matching ALL the fields it sets; with a
  `metadataLocation`, `locationMatchingStrategy` EXACT_LOCATION matches that location only,
  INTERSECTING_LOCATION (the default) also intersecting ones;
- values:batchGetByDataFilter returns, per matched range, {"valueRange", "dataFilters"}; a
  metadata lookup on a row reads the whole row; a filter that matches nothing returns no entry;
- updateCells writes `rows` from `start` (or within `range`), setting the CellData fields named in
  `fields`; a cell listed without that field is cleared; string values are never parsed;
- appendCells adds rows after the last row with data in the sheet, growing the grid if needed.

Not verified against Google and chosen conservatively: deleteDeveloperMetadata whose filter
matches nothing is a no-op (the app never relies on it failing). Only ROW locations are stored.
"""

from dataclasses import dataclass

from . import cells
from .errors import invalid

VISIBILITIES = ("DOCUMENT", "PROJECT")
STRATEGIES = ("EXACT_LOCATION", "INTERSECTING_LOCATION")


@dataclass
class Meta:
    metadata_id: int
    key: str
    value: str | None
    visibility: str
    sheet_id: int
    start: int  # 0-based row index, end exclusive
    end: int

    def json(self) -> dict:
        out = {
            "metadataId": self.metadata_id,
            "metadataKey": self.key,
            "location": {
                "locationType": "ROW",
                "dimensionRange": {
                    "sheetId": self.sheet_id,
                    "dimension": "ROWS",
                    "startIndex": self.start,
                    "endIndex": self.end,
                },
            },
            "visibility": self.visibility,
        }
        if self.value is not None:
            out["metadataValue"] = self.value
        return out


def all_metadata(book) -> list[Meta]:
    return [m for sheet in book.sheets for m in sheet.metadata.values()]


def find_metadata(book, metadata_id: int) -> Meta | None:
    return next((s.metadata[metadata_id] for s in book.sheets if metadata_id in s.metadata), None)


def _row_location(book, location: dict, prefix: str):
    rng = (location or {}).get("dimensionRange")
    if not isinstance(rng, dict):
        raise invalid(f"{prefix}the fake only supports metadata on rows (dimensionRange).")
    if rng.get("dimension") != "ROWS":
        raise invalid(f"{prefix}the fake only supports ROWS dimension ranges.")
    sheet = book.sheet_by_id(rng.get("sheetId", 0))
    if sheet is None:
        raise invalid(f"{prefix}No grid with id: {rng.get('sheetId')}")
    start, end = rng.get("startIndex", 0), rng.get("endIndex")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
        raise invalid(f"{prefix}invalid dimensionRange {start}..{end}.")
    if end > sheet.row_count:
        raise invalid(f"{prefix}dimensionRange is outside the grid ({sheet.row_count} rows).")
    return sheet, start, end


def matches(book, lookup: dict, meta: Meta) -> bool:
    """DeveloperMetadataLookup semantics: every field set must match."""
    if "metadataId" in lookup and lookup["metadataId"] != meta.metadata_id:
        return False
    if "metadataKey" in lookup and lookup["metadataKey"] != meta.key:
        return False
    if "metadataValue" in lookup and lookup["metadataValue"] != meta.value:
        return False
    if "visibility" in lookup and lookup["visibility"] != meta.visibility:
        return False
    if lookup.get("locationType") not in (None, "ROW"):
        return False
    strategy = lookup.get("locationMatchingStrategy")
    if strategy is not None and strategy not in STRATEGIES:
        raise invalid(f"Invalid value at 'locationMatchingStrategy', \"{strategy}\"")
    if "metadataLocation" in lookup:
        sheet, start, end = _row_location(book, lookup["metadataLocation"], "")
        if sheet.sheet_id != meta.sheet_id:
            return False
        if strategy == "EXACT_LOCATION":
            return (start, end) == (meta.start, meta.end)
        return start < meta.end and meta.start < end
    if strategy is not None:
        raise invalid("A locationMatchingStrategy needs a metadataLocation.")
    return True


def lookup_metadata(book, data_filter: dict) -> list[Meta]:
    lookup = (data_filter or {}).get("developerMetadataLookup")
    if not isinstance(lookup, dict) or not lookup:
        raise invalid("The fake only selects metadata with a developerMetadataLookup filter.")
    if "metadataId" in lookup:  # ids are unique: no need to look at the others
        meta = find_metadata(book, lookup["metadataId"])
        return [meta] if meta is not None and matches(book, lookup, meta) else []
    return [m for m in all_metadata(book) if matches(book, lookup, m)]


# --- batchUpdate requests ---------------------------------------------------------------------


def create_developer_metadata(book, args: dict, prefix: str) -> dict:
    spec = args.get("developerMetadata") or {}
    if not spec.get("metadataKey"):
        raise invalid(f"{prefix}Developer metadata must always have a key specified.")
    visibility = spec.get("visibility")
    if visibility not in VISIBILITIES:
        raise invalid(f"{prefix}Developer metadata must always have a visibility specified.")
    sheet, start, end = _row_location(book, spec.get("location"), prefix)
    metadata_id = spec.get("metadataId")
    if metadata_id is None:
        metadata_id = max((m.metadata_id for m in all_metadata(book)), default=0) + 1
    if not isinstance(metadata_id, int) or metadata_id < 1 or metadata_id > 2**31 - 1:
        raise invalid(f"{prefix}metadataId must be a positive 32-bit integer.")
    if not isinstance(metadata_id, int) or metadata_id < 1 or metadata_id > 2**31 - 1:
        raise invalid(f"{prefix}metadataId must be a positive 32-bit integer.")
    if find_metadata(book, metadata_id) is not None:
        raise invalid(f"{prefix}Metadata ID {metadata_id} is already in use.")
    meta = Meta(
        metadata_id,
        spec["metadataKey"],
        spec.get("metadataValue"),
        visibility,
        sheet.sheet_id,
        start,
        end,
    )
    sheet.metadata[metadata_id] = meta
    return {"createDeveloperMetadata": {"developerMetadata": meta.json()}}


def delete_developer_metadata(book, args: dict, prefix: str) -> dict:
    found = lookup_metadata(book, args.get("dataFilter"))
    for meta in found:
        del book.sheet_by_id(meta.sheet_id).metadata[meta.metadata_id]
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": [m.json() for m in found]}}


def _cell_value(cell: dict, prefix: str):
    """A stored cell from CellData.userEnteredValue (an ExtendedValue; strings stay strings)."""
    value = (cell or {}).get("userEnteredValue")
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) != 1:
        raise invalid(f"{prefix}userEnteredValue must set exactly one kind of value.")
    kind, v = next(iter(value.items()))
    if kind == "stringValue":
        return v if v != "" else None
    if kind == "numberValue":
        return v
    if kind == "boolValue":
        return bool(v)
    if kind == "formulaValue":
        return cells.Formula(v)
    raise invalid(f"{prefix}the fake does not support userEnteredValue.{kind}.")


def _check_fields(args: dict, prefix: str) -> None:
    fields = args.get("fields")
    if not fields:
        raise invalid(f"{prefix}At least one field must be specified in 'fields'.")
    if fields not in ("userEnteredValue", "*"):
        raise invalid(f"{prefix}the fake only supports fields 'userEnteredValue' or '*'.")


def _write_rows(sheet, top: int, left: int, rows: list, prefix: str) -> None:
    """Write RowData from 0-based (top, left)."""
    for r, row in enumerate(rows):
        for c, cell in enumerate((row or {}).get("values") or []):
            if top + r >= sheet.row_count or left + c >= sheet.column_count:
                raise invalid(f"{prefix}the update is outside the grid.")
            sheet.set(top + r + 1, left + c + 1, _cell_value(cell, prefix))


def update_cells(book, args: dict, prefix: str) -> dict:
    _check_fields(args, prefix)
    rows = args.get("rows") or []
    if "start" in args:
        start = args["start"] or {}
        sheet = book.sheet_by_id(start.get("sheetId", 0))
        top, left = start.get("rowIndex", 0), start.get("columnIndex", 0)
    elif "range" in args:
        rng = args["range"] or {}
        sheet = book.sheet_by_id(rng.get("sheetId", 0))
        top, left = rng.get("startRowIndex", 0), rng.get("startColumnIndex", 0)
        bottom, right = rng.get("endRowIndex"), rng.get("endColumnIndex")
        height = len(rows)
        width = max((len((r or {}).get("values") or []) for r in rows), default=0)
        if (bottom is not None and top + height > bottom) or (
            right is not None and left + width > right
        ):
            raise invalid(f"{prefix}rows do not fit in the range.")
    else:
        raise invalid(f"{prefix}updateCells needs 'start' or 'range'.")
    if sheet is None:
        raise invalid(f"{prefix}No grid with id.")
    _write_rows(sheet, top, left, rows, prefix)
    return {}


def append_cells(book, args: dict, prefix: str) -> dict:
    _check_fields(args, prefix)
    sheet = book.sheet_by_id(args.get("sheetId", 0))
    if sheet is None:
        raise invalid(f"{prefix}No grid with id: {args.get('sheetId')}")
    rows = args.get("rows") or []
    top = sheet.last_data_row()  # 0-based index of the row after the last row with data
    width = max((len((r or {}).get("values") or []) for r in rows), default=0)
    missing = top + len(rows) - sheet.row_count
    if missing > 0:
        sheet.row_count += missing
    sheet.column_count = max(sheet.column_count, width)
    _write_rows(sheet, top, 0, rows, prefix)
    return {}


HANDLERS = {
    "createDeveloperMetadata": create_developer_metadata,
    "deleteDeveloperMetadata": delete_developer_metadata,
    "updateCells": update_cells,
    "appendCells": append_cells,
}
