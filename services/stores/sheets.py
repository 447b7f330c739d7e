"""The Google Sheets backend, over gspread's HTTP client.

Rules (docs/ARCHITECTURE.md, "Storage rules") and where they are kept:
- one values:batchGet per load (`load`), read UNFORMATTED so date cells arrive as serials;
- columns by header name, rows by Mã NV at write time (`_locate`), never a cached row number;
- a save re-reads the sheet, checks for a conflict (store.plan_update), writes only the changed
  cells plus Cập nhật lúc / Người cập nhật in ONE values.batchUpdate with RAW, then appends the
  history rows with INSERT_ROWS; each row carries the change id, so an append whose answer was lost
  is looked up before it is sent again;
- 429 / 5xx / timeouts are retried with jittered exponential backoff (tenacity) under a total
  deadline; a write whose answer was lost is reconciled by reading the row again, never blindly
  repeated;
- nothing ever clears or rewrites a whole sheet.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

import gspread
import requests
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from gspread.urls import SPREADSHEETS_API_V4_BASE_URL
from gspread.utils import absolute_range_name, rowcol_to_a1
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_before_delay,
    wait_random_exponential,
)

from services.config import GOOGLE_SHEETS_ENDPOINT, Settings
from services.domain.agencies import AgencyIndex
from services.domain.dates import DateError, parse_datetime
from services.domain.errors import AppError, StoreError, TaskNotFound
from services.domain.model import (
    Change,
    Snapshot,
    Task,
    User,
    fold,
    now_local,
)
from services.domain.text import format_count
from services.stores.base import (
    RECENT_HISTORY_DAYS,
    Store,
    assign_ids,
    check_fresh_user,
    creation_changes,
    history_cutoff,
    next_ids,
    plan_decision,
    plan_period_report,
    plan_report_decision,
    plan_request,
    plan_update,
)
from services.stores.layout import (
    AGENCIES,
    COLUMNS,
    DIRECTIVES,
    HISTORY,
    OPTIONAL_SHEETS,
    PERIODS,
    REMINDERS,
    REQUESTS,
    TASKS,
    USERS,
    HeaderMap,
    SchemaError,
    agency_cells,
    change_cells,
    delivery_cells,
    directive_cells,
    header,
    report_cells,
    report_from_row,
    request_cells,
    request_from_row,
    snapshot_parts,
    task_cells,
    task_from_row,
    text,
    user_cells,
    user_from_row,
)

SHEETS = (TASKS, DIRECTIVES, AGENCIES, USERS, HISTORY, REQUESTS, PERIODS, REMINDERS)
READ_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
TRANSIENT = {429, 500, 502, 503, 504}
ANCHOR_KEY = "ma_nv"  # developer metadata key of a row's anchor
DIRECTIVE_ANCHORS = 1_000_000_000  # VB-0007 -> 1000000007; NV-0042 -> 42
MAX_ROUNDS = 8  # reads + writes one save may take when others write at the same moment
PROPERTIES_MAX_AGE = 600  # seconds a full read trusts the list of worksheets it has
GOOGLE_API_PREFIXES = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")


class EndpointAdapter(HTTPAdapter):
    """Sends requests meant for Google's API host to another endpoint (the `endpoint` setting;
    tests point it at tests/fakesheets)."""

    def __init__(self, endpoint: str):
        super().__init__()
        self.endpoint = endpoint.rstrip("/")

    def send(self, request, **kwargs):  # type: ignore[override]  # forwards every argument
        parts = urlsplit(request.url)
        request.url = self.endpoint + request.url[len(f"{parts.scheme}://{parts.netloc}") :]
        return super().send(request, **kwargs)


def spreadsheet_key(value: str) -> str:
    """The key from a sheet URL (…/spreadsheets/d/<key>/edit) or the bare key."""
    match = re.search(r"/spreadsheets/d/([a-zA-Z0-9_-]+)", value)
    return match[1] if match else value.strip()


def _status(error: BaseException) -> int | None:
    return error.code if isinstance(error, gspread.exceptions.APIError) else None


def _transient(error: BaseException) -> bool:
    return _status(error) in TRANSIENT or isinstance(
        error, (requests.exceptions.Timeout, requests.exceptions.ConnectionError, TransportError)
    )


def _missing_sheet(error: BaseException | None, sheet: str) -> bool:
    """Google's answer to a range on a worksheet that does not exist."""
    return (
        isinstance(error, gspread.exceptions.APIError)
        and error.code == 400
        and "Unable to parse range" in error.error.get("message", "")
        and sheet in error.error.get("message", "")
    )


def _ambiguous(error: BaseException) -> bool:
    """The request may have been applied even though it failed (a 429 never is)."""
    return _transient(error) and _status(error) != 429


def anchor_id(record_id: str, prefix: str = "NV") -> int | None:
    """The metadata id anchoring a row: derived from its id, so it is unique like the id."""
    match = re.fullmatch(rf"{prefix}-(\d{{1,9}})", record_id or "")
    if not match or int(match[1]) == 0:
        return None
    return int(match[1]) + (DIRECTIVE_ANCHORS if prefix == "VB" else 0)


def _column(index: int) -> str:
    return rowcol_to_a1(1, index + 1).rstrip("1")


def _first_row(a1: str) -> int | None:
    match = re.search(r"![A-Z]*(\d+)", a1)
    return int(match[1]) if match else None


def _version(cell) -> int:
    try:
        return max(0, int(float(text(cell) or 0)))
    except ValueError:
        return 0


def _cell(value) -> dict:
    """CellData for updateCells / appendCells; strings are stringValue, never parsed."""
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, (int, float)):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def _row_data(hmap: HeaderMap, records: list[dict]) -> list[dict]:
    """RowData laid out by the sheet's own header (columns we do not know left empty)."""
    width = max(hmap.positions.values()) + 1
    rows = []
    for record in records:
        values: list[dict] = [{}] * width
        for name, i in hmap.positions.items():
            values[i] = _cell(record.get(name, ""))
        rows.append({"values": values})
    return rows


def _row_location(sheet_id: int, number: int) -> dict:
    return {
        "dimensionRange": {
            "sheetId": sheet_id,
            "dimension": "ROWS",
            "startIndex": number - 1,
            "endIndex": number,
        }
    }


def _create_anchor(sheet_id: int, anchor: int, number: int, value: str) -> dict:
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": anchor,
                "metadataKey": ANCHOR_KEY,
                "metadataValue": value,
                "location": _row_location(sheet_id, number),
                "visibility": "DOCUMENT",
            }
        }
    }


def _delete_anchor_if(sheet_id: int, anchor: int, number: int, value: str) -> dict:
    """Delete the anchor only if it is on that row with that value (else a no-op, and the
    create that follows fails: the id is still in use)."""
    return {
        "deleteDeveloperMetadata": {
            "dataFilter": {
                "developerMetadataLookup": {
                    "metadataId": anchor,
                    "metadataValue": value,
                    "metadataLocation": _row_location(sheet_id, number),
                    "locationMatchingStrategy": "EXACT_LOCATION",
                }
            }
        }
    }


def _update_cell(sheet_id: int, number: int, column: int, value) -> dict:
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": number - 1, "columnIndex": column},
            "rows": [{"values": [_cell(value)]}],
            "fields": "userEnteredValue",
        }
    }


def _users_of(rows: list[list]) -> list[User]:
    if not rows:
        return []
    hmap = HeaderMap.from_header_row(USERS, rows[0])
    users = []
    for row in rows[1:]:
        try:
            users.append(user_from_row(lambda f, row=row: hmap.get(row, f)))
        except ValueError:
            continue  # an unreadable role: that row cannot authorise anything
    return users


@dataclass(eq=False)
class _Save:
    """One save waiting in the group commit, and what its earlier attempts planned."""

    seen: Task
    changes: dict
    actor: User
    now: datetime
    authorize: object
    done: threading.Event = field(default_factory=threading.Event)
    rows: list[Change] | None = None
    error: BaseException | None = None
    expect_row: int | None = None
    expected: tuple | None = None  # (new task, version, history rows) of the last plan
    change_id: str | None = None
    anchor_value: str | None = None
    cas_failures: int = 0

    def finish(self, rows=None, error=None) -> None:
        if not self.done.is_set():
            self.rows, self.error = rows, error
            self.done.set()


@dataclass(eq=False)
class _Plan:
    save: _Save
    number: int
    anchor: int | None
    needs_anchor: bool
    old_value: str
    version: int
    cells: dict
    fields: list[str]
    rows: list[Change]


@dataclass
class _Read:
    hmap: HeaderMap | None = None
    hist: HeaderMap | None = None
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # sheet row -> Mã NV
    rows: dict = field(default_factory=dict)  # sheet row -> cells
    anchors: dict = field(default_factory=dict)  # anchor id -> sheet row


class GSheetsStore(Store):
    batch_deliveries = True  # a reminder run's ledger rows go in one write at its end

    def __init__(
        self,
        client: gspread.Client,
        key: str,
        tz: str = "Asia/Ho_Chi_Minh",
        deadline_seconds: float = 30.0,
        account_email: str = "",
    ):
        self.http = client.http_client
        self.client, self.key, self.tz = client, key, tz
        self.deadline = deadline_seconds
        self.account_email = account_email
        self._write_lock = threading.Lock()  # one writer at a time in this process
        self._queue_lock = threading.Lock()
        self._queue: list[_Save] = []  # saves waiting for the next group commit
        self.group_seconds = 0.05  # how long a writer waits for saves arriving together
        self.verify_users = False  # authorise against the fresh NguoiDung row (signed-in users)
        self._agencies = None  # the registry as last read, to resolve agency names in a row
        self._requests_sheet: bool | None = None  # does the DeXuat worksheet exist (None: unknown)
        self._missing: set[str] = set()  # optional worksheets found missing (DeXuat, NhacViec)
        self._ledger: HeaderMap | None = None  # NhacViec's header as last read
        self._read_once = False
        self._decide_lock = threading.Lock()  # two officers' decisions on one request, in turn
        self._properties: dict = {}  # worksheet title -> sheetId and grid size
        self._properties_at = float("-inf")  # when they were read (time.monotonic)
        self._hmap: HeaderMap | None = None  # NhiemVu's header as last read
        self._rows: dict[str, int] = {}  # Mã NV -> sheet row, as the last load saw it
        # per tailed sheet (LichSu, NhacViec): the row where the last window started
        self._tail_starts: dict[str, int | None] = {}
        self._history_first = 2  # the sheet row of the first history row last read

    @classmethod
    def from_settings(cls, settings: Settings, deadline_seconds: float = 30.0) -> GSheetsStore:
        info = settings.service_account
        try:
            client = gspread.service_account_from_dict(info)
        except (ValueError, KeyError, GoogleAuthError) as e:
            raise StoreError(
                "Khoá tài khoản dịch vụ trong [gsheets.service_account] không hợp lệ "
                f"({e}). Hãy dán lại đúng nội dung tệp JSON do Google cấp."
            ) from e
        client.http_client.set_timeout((5, 20))
        if settings.endpoint != GOOGLE_SHEETS_ENDPOINT:
            adapter = EndpointAdapter(settings.endpoint)
            for prefix in GOOGLE_API_PREFIXES:
                client.http_client.session.mount(prefix, adapter)
        store = cls(
            client,
            spreadsheet_key(settings.spreadsheet),
            settings.timezone,
            deadline_seconds,
            info.get("client_email", ""),
        )
        store.verify_users = settings.auth_configured
        return store

    # -- HTTP with retries and clear messages ----------------------------------------------------

    def _call(self, what: str, fn, *args, retry_if=_transient):
        """fn(*args) retried on transient errors until the deadline; errors become StoreError."""
        retrying = Retrying(
            stop=stop_before_delay(self.deadline),
            wait=wait_random_exponential(multiplier=0.5, max=8),
            retry=retry_if_exception(retry_if),
            reraise=True,
        )
        try:
            return retrying(fn, *args)
        except (
            gspread.exceptions.APIError,
            requests.exceptions.RequestException,
            GoogleAuthError,
            RetryError,
        ) as e:
            raise StoreError(self._explain(e, what)) from e

    def _explain(self, error: BaseException, what: str) -> str:
        code = _status(error)
        message = getattr(error, "error", {}).get("message", "") if code else str(error)
        if isinstance(error, RefreshError) or code == 401:
            return (
                "Google từ chối khoá tài khoản dịch vụ (xác thực thất bại). Hãy kiểm tra "
                "[gsheets.service_account] trong secrets, hoặc tạo khoá mới."
            )
        if code == 403:
            return (
                f"Tài khoản dịch vụ chưa được chia sẻ Google Sheet. Mở sheet, bấm Chia sẻ và "
                f"thêm {self.account_email or 'email của tài khoản dịch vụ'} với quyền "
                "Người chỉnh sửa."
            )
        if code == 404:
            return (
                f"Không tìm thấy Google Sheet có mã «{self.key}». Hãy kiểm tra "
                "[gsheets] spreadsheet (đường dẫn hoặc mã của sheet)."
            )
        if code == 400 and "Unable to parse range" in message:
            sheet = message.split(":", 1)[-1].strip().split("!")[0].strip("' ")
            return (
                f"Google Sheet thiếu trang tính «{sheet}». Tạo trang này với dòng tiêu đề, "
                "hoặc chạy: python -m services.cli init-sheet"
            )
        if code == 429:
            return (
                "Google Sheets đang giới hạn số lượt truy cập (vượt hạn mức). Đã thử lại "
                f"trong {self.deadline:.0f} giây mà chưa được; vui lòng thử lại sau một phút."
            )
        if code in TRANSIENT or isinstance(
            error, (requests.exceptions.RequestException, TransportError)
        ):
            return (
                f"Google Sheets không phản hồi khi {what} (đã thử lại trong "
                f"{self.deadline:.0f} giây). Vui lòng thử lại sau."
            )
        return f"Lỗi Google Sheets khi {what}: {message}"

    def _batch_get(self, ranges: list[str], what: str, params=READ_PARAMS) -> list[list[list]]:
        reply = self._call(what, self.http.values_batch_get, self.key, ranges, dict(params))
        return [vr.get("values", []) for vr in reply.get("valueRanges", [])]

    # -- reading ----------------------------------------------------------------------------------

    def read_tables(
        self,
        params=READ_PARAMS,
        since: datetime | None = None,
        history: bool = True,
        _retried: bool = False,
        ledger: bool = True,
    ) -> dict[str, list[list]]:
        """The worksheets' cells, in ONE values:batchGet. A workbook made before the follow-up
        cycle, the reporting periods or the reminders has no DeXuat, BaoCaoKy or NhacViec worksheet: it is read without it (once
        found missing, not asked for again until init-sheet adds it). With `since`, LichSu and
        NhacViec are read from the row where that moment starts (their header, then a tail: see
        _tail), not whole. `ledger=False`: no NhacViec at all (a write that does not need it)."""
        sheets = [
            s
            for s in SHEETS
            if s not in self._missing and (history or s != HISTORY) and (ledger or s != REMINDERS)
        ]
        # the sheets read as a tail: from the row where the window of `since` starts
        windows = [sheet for sheet in self.TAILS if since is not None and sheet in sheets]
        starts = {sheet: self._tail_start(sheet) for sheet in windows}
        ranges = []
        for sheet in sheets:  # a tailed sheet: its header, then the rows from its start
            if sheet not in windows:
                ranges.append(sheet)
            elif starts[sheet]:
                ranges += [f"{sheet}!1:1", self._tail_range(sheet, starts[sheet])]
            else:
                ranges += [f"{sheet}!1:1", f"{sheet}!1:1"]  # a header-only grid: no row 2
        try:
            values = iter(self._batch_get(ranges, "đọc dữ liệu", params))
        except StoreError as e:
            gone = [s for s in OPTIONAL_SHEETS if s in sheets and _missing_sheet(e.__cause__, s)]
            if gone:
                self._missing.update(gone)
                return self.read_tables(params, since, history, ledger=ledger)
            if any(starts.values()) and not _retried and "exceeds grid limits" in str(e.__cause__):
                self._tail_starts, self._properties = {}, {}  # rows deleted by hand
                return self.read_tables(params, since, history, _retried=True, ledger=ledger)
            raise
        tables: dict[str, list[list]] = {}
        for sheet in sheets:
            tables[sheet] = next(values)
            if sheet in windows:
                rows = next(values)  # the second header range of a header-only grid: no rows
                tail = rows if starts[sheet] else []
                tables[sheet] = tables[sheet] + self._tail(
                    sheet, tables[sheet], starts[sheet], tail, since, params
                )
        self._requests_sheet = REQUESTS in sheets
        self._read_once = True
        if not history:  # none asked for: an empty LichSu (its header only)
            tables[HISTORY] = [[h for _, h in COLUMNS[HISTORY]]]
        elif HISTORY not in windows:
            self._history_first = 2
            archived = self._archived_rows(tables.get(HISTORY) or [], params)
            if archived:  # yearly archives first (older), then LichSu, under LichSu's header
                header, *rows = tables[HISTORY]
                tables[HISTORY] = [header, *archived, *rows]
                self._history_first = 2 - len(archived)  # row numbers stay LichSu's
        if REMINDERS in sheets:  # else what was known of its header stays
            self._ledger = None
        if tables.get(REMINDERS):
            try:
                self._ledger = HeaderMap.from_header_row(REMINDERS, tables[REMINDERS][0])
            except SchemaError:
                pass  # reported by the load
        return tables

    # LichSu and NhacViec only grow (rows are appended in time order), so their rows since a
    # moment are a tail. Where that tail starts is remembered between loads (it only moves
    # down); the first load of a process guesses it from the grid's row count and reads further
    # up while the first row it got is not older than `since`. So a load reads about the rows
    # of the window, however old the sheet is.

    TAIL_GUESS = 2_000  # rows read above the last one when the start is not known yet
    # per tailed sheet: the columns giving the moment a row was written (the first one filled),
    # which follows the append order, and the column a row is then kept by, if any. NhacViec's
    # "Ngày" need not follow it (a run for an earlier day appends that day's rows after later
    # ones): its tail is found by "Thời gian" and its rows kept by their day, as on SQL.
    TAILS = {HISTORY: (("at",), None), REMINDERS: (("at", "day"), "day")}

    def _tail_start(self, sheet: str = HISTORY) -> int:
        """The first row of `sheet` to read; 0 when the grid holds its header only (nothing to
        read: asking for row 2 of a one-row grid is an error)."""
        if self._tail_starts.get(sheet):
            return self._tail_starts[sheet] or 0
        rows = self._sheet_ids().get(sheet, {}).get("rowCount", 2)
        if rows < 2:  # its header only, when last seen: another process may have appended
            stale = time.monotonic() - self._properties_at > PROPERTIES_MAX_AGE
            rows = self._sheet_ids(refresh=stale).get(sheet, {}).get("rowCount", 2)
        return max(2, rows - self.TAIL_GUESS) if rows >= 2 else 0

    def _tail_range(self, sheet: str, start: int, end: int | None = None) -> str:
        columns = self._sheet_ids().get(sheet, {}).get("columnCount", len(COLUMNS[sheet]))
        return f"{sheet}!A{start}:{_column(max(columns, 1) - 1)}{end or ''}"

    def _tail(self, sheet, header, start, tail, since, params) -> list[list]:
        """The rows of `sheet` (read from row `start`: `tail`) written at or after `since`,
        read further up when the window starts higher; LichSu's row numbers are noted."""
        if not header:
            return tail
        try:
            hmap = HeaderMap.from_header_row(sheet, header[0])
        except SchemaError:
            return tail  # reported by snapshot_parts
        by, keep_by = self.TAILS[sheet]
        columns = [hmap.positions[c] for c in by if c in hmap.positions]

        def moment(row, cols=columns):
            for col in cols:
                try:
                    if col < len(row) and (value := parse_datetime(row[col], self.tz)):
                        return value
                except DateError:
                    pass
            return None

        span = max(self.TAIL_GUESS, len(tail))
        while start > 2 and (not tail or (moment(tail[0]) or since) >= since):
            above = max(2, start - span)  # the window starts higher up: read the rows above
            (more,) = self._batch_get(
                [self._tail_range(sheet, above, start - 1)], "đọc dữ liệu", params
            )
            more += [[] for _ in range(start - above - len(more))]  # trailing blank rows
            tail, start, span = more + tail, above, span * 2
        skip = next(
            (i for i, row in enumerate(tail) if (m := moment(row)) is not None and m >= since),
            len(tail),
        )
        # next time, start on the last row before the window: seeing it older than the cutoff
        # tells the next load that nothing above it is wanted (none in the window yet: its
        # last row, so the next load does not search again; an empty sheet: guess again)
        if skip < len(tail):
            self._tail_starts[sheet] = start + max(0, skip - 1)
        else:
            filled = [i for i, row in enumerate(tail) if any(str(v).strip() for v in row)]
            self._tail_starts[sheet] = start + filled[-1] if filled else None
        if sheet == HISTORY:
            self._history_first = start + skip  # the sheet row of the first row returned
        if keep_by not in hmap.positions:
            return tail[skip:]
        day = [hmap.positions[keep_by]]  # a row of an earlier day: out (blank, unreadable: in)
        first_day = datetime.combine(since.date(), datetime.min.time(), since.tzinfo)
        return [row for row in tail[skip:] if (moment(row, day) or first_day) >= first_day]

    # -- archived history (archive-history: LichSu_2025, ...) ----------------------------------

    def archive_titles(self) -> list[str]:
        """The yearly history archives, oldest first."""
        fresh = time.monotonic() - self._properties_at > PROPERTIES_MAX_AGE
        titles = self._sheet_ids(refresh=fresh)  # an archive made by another process shows up
        return sorted(t for t in titles if re.fullmatch(re.escape(HISTORY) + r"_\d{4}", t))

    def _archived_rows(self, history: list[list], params) -> list[list]:
        """Every archived row, laid out under LichSu's header (a full read only)."""
        titles = self.archive_titles()
        if not titles or not history:
            return []
        try:
            target = HeaderMap.from_header_row(HISTORY, history[0])
        except SchemaError:
            return []
        out = []
        for rows in self._batch_get(titles, "đọc lịch sử lưu trữ", params):
            if not rows:
                continue
            source = HeaderMap.from_header_row(HISTORY, rows[0])
            width = max(target.positions.values()) + 1
            for row in rows[1:]:
                cells = [""] * width
                for name, i in target.positions.items():
                    cells[i] = source.get(row, name)
                out.append(cells)
        return out

    def archive_history(self, before_year: int, dry_run: bool = False) -> list[str]:
        """Move the LichSu rows dated before 1 January `before_year` to yearly worksheets
        (LichSu_2024, LichSu_2025, ...), in ONE batchUpdate: addSheet for a missing year, its
        rows appended, and the rows deleted from LichSu -- all or nothing. Only the leading rows
        move (LichSu is in time order; saves append at the end meanwhile and are not touched).
        Reads stay correct: the app's loads read LichSu's recent tail, a full read (history,
        check, copy) reads the archives too."""
        (rows,) = self._batch_get([HISTORY], "đọc lịch sử")
        if not rows:
            raise StoreError("Trang «LichSu» trống: thiếu dòng tiêu đề.")
        hmap = HeaderMap.from_header_row(HISTORY, rows[0])
        # never the rows the app's loads carry (the recent window), whatever the year asked
        window = history_cutoff(self.tz, RECENT_HISTORY_DAYS)
        years: dict[int, list[list]] = {}
        for row in rows[1:]:
            try:
                at = parse_datetime(hmap.get(row, "at"), self.tz)
            except DateError:
                at = None
            if at is None or at.year >= before_year or (window and at >= window):
                break
            years.setdefault(at.year, []).append(row)
        moved = sum(len(r) for r in years.values())
        if not moved:
            return [f"Không có dòng lịch sử nào trước năm {before_year}: không cần lưu trữ."]
        props = self._sheet_ids(refresh=True)
        next_id = max(p["sheetId"] for p in props.values()) + 1
        reqs: list[dict] = []
        lines = []
        for year, chunk in years.items():
            title = f"{HISTORY}_{year}"
            head = []
            if title in props:
                sheet_id = props[title]["sheetId"]
            else:
                sheet_id, next_id = next_id, next_id + 1
                grid = {"rowCount": 1, "columnCount": len(rows[0])}
                reqs.append(
                    {
                        "addSheet": {
                            "properties": {
                                "sheetId": sheet_id,
                                "title": title,
                                "gridProperties": grid,
                            }
                        }
                    }
                )
                head = [rows[0]]
            reqs.append(
                {
                    "appendCells": {
                        "sheetId": sheet_id,
                        "rows": [{"values": [_cell(v) for v in r]} for r in head + chunk],
                        "fields": "userEnteredValue",
                    }
                }
            )
            lines.append(f"{format_count(len(chunk))} dòng của năm {year} -> trang {title}.")
        reqs.append(
            {
                "deleteDimension": {
                    "range": {
                        "sheetId": self._sheet_id(HISTORY),
                        "dimension": "ROWS",
                        "startIndex": 1,
                        "endIndex": 1 + moved,
                    }
                }
            }
        )
        if dry_run:
            return ["Chạy thử, chưa chuyển gì:", *lines]
        # not idempotent: retried only when Google refused it before applying it (429)
        self._call(
            "lưu trữ lịch sử", self._batch_update, reqs, retry_if=lambda e: _status(e) == 429
        )
        self._properties, self._tail_starts = {}, {}
        return [*lines, f"Đã chuyển {format_count(moved)} dòng khỏi LichSu."]

    def load(self, history_days: int | None = None, history: bool = True) -> Snapshot:
        if not history:
            return self.snapshot_of(self.read_tables(history=False), now_local(self.tz))
        since = history_cutoff(self.tz, history_days)
        return self.snapshot_of(self.read_tables(since=since), since)  # and the ledger's days

    def snapshot_of(self, tables: dict[str, list[list]], since: datetime | None = None) -> Snapshot:
        """The snapshot of cells already read (read_tables), without reading them again."""
        try:
            parts = snapshot_parts(tables, self.tz, {HISTORY: self._history_first})
        except SchemaError as e:
            raise StoreError(str(e)) from e
        self._agencies = parts["agencies"]
        rows = tables.get(TASKS) or []
        if rows:
            try:
                self._hmap = HeaderMap.from_header_row(TASKS, rows[0])
                col = self._hmap.positions["id"]
                self._rows = {
                    text(r[col]): n for n, r in enumerate(rows[1:], start=2) if col < len(r)
                }
            except SchemaError:
                pass
        return Snapshot(**parts, loaded_at=now_local(self.tz), history_since=since)

    def _registry(self) -> AgencyIndex:
        if self._agencies is None:
            self.load(history=False)  # only the registry is wanted
        return AgencyIndex(self._agencies)

    # -- saving a task ------------------------------------------------------------------------
    #
    # One save (or a group of saves arriving together) = one read + one write:
    # - the read (values:batchGetByDataFilter) returns the NhiemVu header, its Mã NV column, the
    #   NguoiDung sheet (to authorise against the fresh user row), the LichSu header, and each
    #   task's row found by its anchor (developer metadata on the row, which moves with the row
    #   whatever people do to the rows), or by the row number the last load saw;
    # - the write is ONE spreadsheets.batchUpdate: per task, a compare-and-set on its anchor
    #   (delete the anchor where and as we read it, then create it again with the next version:
    #   metadata ids are unique, so the create fails, and with it the whole request, when the row
    #   moved or another writer saved it meanwhile), updateCells for the changed cells and the
    #   version cell, then one appendCells with every history row. All or nothing.
    # Any failure is followed by a new read: a save that landed (its row holds its values and
    # version) is acknowledged, never sent again; the others are planned again on the fresh rows.

    def waiting(self) -> int:
        """Saves queued behind the one being written (for the "please wait" message)."""
        with self._queue_lock:
            return len(self._queue) + (1 if self._write_lock.locked() else 0)

    def update_task(self, seen, changes, actor, now, authorize=None):
        save = _Save(seen, changes, actor, now, authorize)
        with self._queue_lock:
            self._queue.append(save)
        self._wait(save)
        if save.error is not None:
            raise save.error
        return save.rows

    def update_many(self, items, actor, now, authorize=None):
        """Queued together, so they go in one group commit (one read, one write), each checked
        on its own."""
        saves = [_Save(seen, changes, actor, now, authorize) for seen, changes in items]
        with self._queue_lock:
            self._queue.extend(saves)
        out = []
        for save in saves:
            self._wait(save)
            if save.error is not None and not isinstance(save.error, StoreError):
                raise save.error
            out.append(save.error if save.error is not None else save.rows)
        return out

    def _wait(self, save: _Save) -> None:
        while not save.done.is_set():
            if self._write_lock.acquire(timeout=0.02):
                try:
                    if not save.done.is_set():
                        time.sleep(self.group_seconds)  # saves arriving together go together
                        with self._queue_lock:
                            batch, self._queue = self._queue, []
                        self._commit(batch)
                finally:
                    self._write_lock.release()
            else:
                save.done.wait(0.05)

    def _commit(self, batch: list[_Save]) -> None:
        try:
            self._call("lưu nhiệm vụ", self._rounds, batch)
        except AppError as e:
            for save in batch:
                save.finish(error=e)
        except Exception as e:  # never leave a waiting user hanging
            for save in batch:
                save.finish(error=StoreError(f"Lỗi không mong đợi khi lưu: {e!r}"))
            raise
        finally:
            for save in batch:
                save.finish(error=StoreError("Chưa lưu được; vui lòng thử lại."))

    def _rounds(self, batch: list[_Save]) -> None:
        for _ in range(MAX_ROUNDS):
            pending = [s for s in batch if not s.done.is_set()]
            if not pending:
                return
            read = self._read_rows(pending)
            plans, again, planned = [], False, set()
            for save in pending:
                if save.seen.id in planned:
                    continue  # one write per task per round: the next round sees this one's
                try:
                    plan = self._plan(save, read)
                except AppError as e:
                    save.finish(error=e)  # one refused save never blocks the others
                    continue
                if plan == "read again":
                    again = True
                elif plan is not None:
                    plans.append(plan)
                    planned.add(save.seen.id)
            unanchored = [p for p in plans if p.needs_anchor]
            if unanchored:
                self._attach_anchors(unanchored, read)
                continue
            if again or not plans:
                continue
            try:
                self._batch_update(self._write_requests(plans, read))
            except gspread.exceptions.APIError as e:
                message = e.error.get("message", "")
                if _status(e) == 400 and "already in use" in message:
                    self._note_cas_failure(plans, message)
                    continue
                raise  # transient ones are retried by _call; the retry reads first
            for plan in plans:
                plan.save.finish(rows=plan.rows)
        raise StoreError(
            "Google Sheets đang được nhiều nơi ghi cùng lúc; chưa lưu được sau nhiều lần thử. "
            "Vui lòng bấm Làm mới rồi lưu lại."
        )

    def _note_cas_failure(self, plans: list[_Plan], message: str) -> None:
        match = re.search(r"Metadata ID (\d+)", message)
        failed = [p for p in plans if match and p.anchor == int(match[1])] or plans
        for plan in failed:
            plan.save.cas_failures += 1
            if plan.save.cas_failures >= 2 and plan.anchor:
                # nothing visible changed yet the anchor disagrees: learn its value from Google
                meta = self._call(
                    "đọc mốc dòng",
                    self.http.request,
                    "get",
                    f"{SPREADSHEETS_API_V4_BASE_URL}/{self.key}/developerMetadata/{plan.anchor}",
                ).json()
                plan.save.anchor_value = meta.get("metadataValue")

    def _batch_update(self, requests_: list[dict]) -> dict:
        return self.http.batch_update(self.key, {"requests": requests_})

    def _sheet_ids(self, refresh: bool = False) -> dict[str, dict]:
        """title -> {"sheetId", "rowCount", "columnCount"} (spreadsheets.get, properties only)."""
        if refresh or not self._properties:
            reply = self._call(
                "đọc cấu trúc sheet",
                self.http.fetch_sheet_metadata,
                self.key,
                {"fields": "sheets.properties"},
            )
            self._properties_at = time.monotonic()
            self._properties = {
                s["properties"]["title"]: {
                    "sheetId": s["properties"]["sheetId"],
                    **s["properties"].get("gridProperties", {}),
                }
                for s in reply.get("sheets", [])
            }
        return self._properties

    def _sheet_id(self, title: str) -> int:
        props = self._sheet_ids().get(title) or self._sheet_ids(refresh=True).get(title)
        if props is None:
            raise StoreError(
                f"Google Sheet thiếu trang tính «{title}». Tạo trang này với dòng tiêu đề, "
                "hoặc chạy: python -m services.cli init-sheet"
            )
        return props["sheetId"]

    def _by_filter(self, filters: list[dict]) -> list[tuple[dict, str, list[list]]]:
        """(filter, A1 range, values) per matched range, in ONE values:batchGetByDataFilter."""
        reply = self.http.request(
            "post",
            f"{SPREADSHEETS_API_V4_BASE_URL}/{self.key}/values:batchGetByDataFilter",
            json={"dataFilters": filters, **READ_PARAMS},
        ).json()
        return [
            (
                m["dataFilters"][0],
                m["valueRange"].get("range", ""),
                m["valueRange"].get("values", []),
            )
            for m in reply.get("valueRanges", [])
        ]

    def _task_header(self) -> HeaderMap:
        if self._hmap is None:
            self._hmap = self._headers([TASKS])[TASKS]
        return self._hmap

    def _read_rows(self, saves: list[_Save]) -> _Read:
        hmap = self._task_header()
        col = _column(hmap.positions["id"])
        filters: list[dict] = [
            {"a1Range": f"{TASKS}!1:1"},
            {"a1Range": f"{TASKS}!{col}:{col}"},
            {"a1Range": USERS},
            {"a1Range": f"{HISTORY}!1:1"},
        ]
        for save in saves:
            anchor = anchor_id(save.seen.id)
            if anchor:
                filters.append({"developerMetadataLookup": {"metadataId": anchor}})
            expected = save.expect_row or self._rows.get(save.seen.id)
            if expected and expected > 1:
                filters.append({"a1Range": f"{TASKS}!{expected}:{expected}"})
        matched = self._by_filter(filters)
        read = _Read()
        try:
            header = next((v for f, _, v in matched if f is filters[0] or f == filters[0]), [])
            read.hmap = HeaderMap.from_header_row(TASKS, header[0] if header else [])
            hist = next((v for f, _, v in matched if f == filters[3]), [])
            read.hist = HeaderMap.from_header_row(HISTORY, hist[0] if hist else [])
            users = next((v for f, _, v in matched if f == filters[2]), [])
            read.users = {u.email: u for u in _users_of(users)}
        except SchemaError as e:
            raise StoreError(str(e)) from e
        if read.hmap.positions["id"] != hmap.positions["id"]:  # the Mã NV column moved
            self._hmap = read.hmap
            return self._read_rows(saves)
        self._hmap = read.hmap
        ids = next((v for f, _, v in matched if f == filters[1]), [])
        read.ids = {n: text(r[0]) for n, r in enumerate(ids, start=1) if n > 1 and r}
        for data_filter, a1, values in matched[4:] if len(matched) > 4 else []:
            number = _first_row(a1)
            if number is None:
                continue
            read.rows[number] = values[0] if values else []
            lookup = data_filter.get("developerMetadataLookup")
            if lookup:
                read.anchors[lookup["metadataId"]] = number
        return read

    def _read_task(self, hmap: HeaderMap, row: list) -> Task:
        task, _ = task_from_row(lambda f: hmap.get(row, f), self._registry(), self.tz)
        return task

    def _plan(self, save: _Save, read: _Read):
        """The plan for one save on the fresh read, None when it is done, "read again" when its
        row was not in this read. Raises on conflict, refusal or a task gone."""
        task_id = save.seen.id
        numbers = sorted(n for n, i in read.ids.items() if i == task_id)
        if len(numbers) > 1:
            raise StoreError(
                f"Mã NV {task_id} bị trùng ở các dòng {', '.join(map(str, numbers))} "
                "của trang NhiemVu: hãy sửa mã trong sheet trước khi cập nhật."
            )
        anchor = anchor_id(task_id)
        anchored = read.anchors.get(anchor) if anchor else None
        if anchored is not None and read.ids.get(anchored) != task_id:
            anchored = None  # an anchor on a row that is not this task's: never trusted
        if not numbers and anchored is None:
            raise TaskNotFound(task_id)
        number = anchored or numbers[0]
        if number not in read.rows:
            save.expect_row = number
            return "read again"
        row = read.rows[number]
        hmap = read.hmap
        assert hmap is not None  # _read raises when NhiemVu has no header
        fresh = self._read_task(hmap, row)
        version = _version(hmap.get(row, "version"))
        if self.verify_users:
            check_fresh_user(save.actor, read.users.get(save.actor.email.lower()))
        if save.expected is not None and fresh == save.expected[0]:
            if version == save.expected[1] or "version" not in hmap.positions:
                save.finish(rows=save.expected[2])  # an earlier attempt of this save landed
                return None
        registry = self._registry()
        new, changed, rows = plan_update(
            fresh, save.seen, save.changes, save.actor, save.now, save.authorize, registry.name
        )
        if not changed:
            save.finish(rows=[])
            return None
        save.change_id = save.change_id or rows[0].change_id  # the same id on every retry
        rows = [replace(r, change_id=save.change_id) for r in rows]
        known = max(version, _version(save.anchor_value)) if save.anchor_value else version
        save.expected = (new, known + 1, rows)
        missing = [f for f in changed if f not in hmap.positions]
        if missing:  # never drop a value silently: the sheet needs the column first
            raise StoreError(
                f"Trang {TASKS} chưa có cột {', '.join(header(TASKS, f) for f in missing)}. "
                "Hãy chạy: python -m services.cli init-sheet (thêm cột, không đổi dữ liệu)."
            )
        return _Plan(
            save=save,
            number=number,
            anchor=anchor,
            needs_anchor=bool(anchor) and anchored is None,
            old_value=save.anchor_value or str(version),
            version=known + 1,
            cells=task_cells(new, registry.name),
            fields=[*changed, "updated_at", "updated_by"],
            rows=rows,
        )

    def _anchor_requests(self, sheet_id: int, anchor: int, number: int, value: str) -> list:
        return [
            {
                "deleteDeveloperMetadata": {
                    "dataFilter": {"developerMetadataLookup": {"metadataId": anchor}}
                }
            },
            _create_anchor(sheet_id, anchor, number, value),
        ]

    def _attach_anchors(self, plans: list[_Plan], read: _Read) -> None:
        """Anchor rows that have none (added by hand, or before anchors existed). Done on its own
        (no cells written), so a row moved meanwhile costs a re-anchoring, never a wrong write;
        the next read checks every anchor against the row's Mã NV."""
        sheet_id = self._sheet_id(TASKS)
        hmap = read.hmap
        assert hmap is not None  # _read raises when NhiemVu has no header
        reqs = []
        if "version" not in hmap.positions:
            reqs += self._add_header_requests(TASKS, hmap, "version")
        for plan in plans:
            assert plan.anchor is not None  # only plans that need an anchor come here
            reqs += self._anchor_requests(sheet_id, plan.anchor, plan.number, plan.old_value)
        try:
            self._batch_update(reqs)
        except gspread.exceptions.APIError as e:
            if "already in use" not in e.error.get("message", ""):
                raise  # transient ones are retried by _call; the retry reads first
        self._hmap = None if "version" not in hmap.positions else self._hmap

    def _add_header_requests(self, sheet: str, hmap: HeaderMap, field: str) -> list:
        props = self._sheet_ids(refresh=True)[sheet]
        reqs = []
        if hmap.width >= props.get("columnCount", 26):
            reqs.append(
                {
                    "appendDimension": {
                        "sheetId": props["sheetId"],
                        "dimension": "COLUMNS",
                        "length": 1,
                    }
                }
            )
        reqs.append(
            {
                "updateCells": {
                    "start": {
                        "sheetId": props["sheetId"],
                        "rowIndex": 0,
                        "columnIndex": hmap.width,
                    },
                    "rows": [{"values": [_cell(header(sheet, field))]}],
                    "fields": "userEnteredValue",
                }
            }
        )
        return reqs

    def _write_requests(self, plans: list[_Plan], read: _Read) -> list[dict]:
        sheet_id = self._sheet_id(TASKS)
        assert read.hmap is not None and read.hist is not None  # both read, or _read raised
        positions = read.hmap.positions
        reqs = []
        for plan in plans:
            if plan.anchor:
                reqs.append(_delete_anchor_if(sheet_id, plan.anchor, plan.number, plan.old_value))
                reqs.append(_create_anchor(sheet_id, plan.anchor, plan.number, str(plan.version)))
            cells = {**plan.cells, "version": plan.version}
            for f in [*plan.fields, "version"]:
                if f in positions:
                    reqs.append(_update_cell(sheet_id, plan.number, positions[f], cells[f]))
        history = [row for plan in plans for row in plan.rows]
        reqs.append(self._append_request(HISTORY, read.hist, [change_cells(c) for c in history]))
        return reqs

    def _append_request(self, sheet: str, hmap: HeaderMap, records: list[dict]) -> dict:
        rows = _row_data(hmap, records)
        return {
            "appendCells": {
                "sheetId": self._sheet_id(sheet),
                "rows": rows,
                "fields": "userEnteredValue",
            }
        }

    # -- adding -------------------------------------------------------------------------------
    #
    # Adds are one read and one batchUpdate too: blank rows are inserted after the last Mã NV
    # (an insert never overwrites anything, whoever appended meanwhile), the cells written into
    # them, each row anchored with an id derived from its Mã NV (NV-0042 -> 42). Metadata ids are
    # unique: two processes adding NV-0101 at once cannot both succeed; the loser reads the ids
    # again and renumbers only the rows it numbered itself.

    def _headers(self, sheets: list[str]) -> dict[str, HeaderMap]:
        rows = self._batch_get([f"{s}!1:1" for s in sheets], "đọc tiêu đề")
        try:
            return {
                s: HeaderMap.from_header_row(s, r[0] if r else []) for s, r in zip(sheets, rows)
            }
        except SchemaError as e:
            raise StoreError(str(e)) from e

    def _add(self, directive, tasks, actor, now):
        with self._write_lock:
            return self._call("thêm nhiệm vụ", self._add_rounds, directive, tasks, actor, now)

    def _add_rounds(self, directive, tasks, actor, now):
        now = now.replace(microsecond=0)
        check = None  # (anchor id, cells) of our first row after an answer that may be lost
        for _ in range(MAX_ROUNDS):
            hmap = self._task_header()
            col = _column(hmap.positions["id"])
            ranges = [f"{TASKS}!1:1", f"{TASKS}!{col}:{col}", DIRECTIVES, f"{HISTORY}!1:1"]
            head, ids, dirs, hist = self._batch_get(ranges, "đọc mã")
            try:
                maps = {
                    TASKS: HeaderMap.from_header_row(TASKS, head[0] if head else []),
                    DIRECTIVES: HeaderMap.from_header_row(DIRECTIVES, dirs[0] if dirs else []),
                    HISTORY: HeaderMap.from_header_row(HISTORY, hist[0] if hist else []),
                }
            except SchemaError as e:
                raise StoreError(str(e)) from e
            self._hmap = maps[TASKS]
            if maps[TASKS].positions["id"] != hmap.positions["id"]:
                continue
            if check is not None and self._landed_add(*check):
                return check[2]
            registry = self._registry()
            existing = [text(r[0]) for r in ids[1:] if r]
            dcol = maps[DIRECTIVES].positions["id"]
            directive_ids = [text(r[dcol]) for r in dirs[1:] if dcol < len(r)]
            new_directive = directive
            if directive is not None:
                if not directive.id:
                    new_directive = replace(directive, id=next_ids(directive_ids, "VB", 1)[0])
                elif directive.id in directive_ids:
                    raise StoreError(f"Mã văn bản {directive.id} đã tồn tại.")
            added = [
                replace(t, updated_at=now, updated_by=actor.email)
                for t in assign_ids(
                    tasks, existing, new_directive.id if new_directive is not None else None
                )
            ]
            if not added and new_directive is None:
                return None, []
            reqs = []
            if new_directive is not None:
                reqs += self._insert_rows(
                    DIRECTIVES,
                    maps[DIRECTIVES],
                    len(dirs),
                    [directive_cells(new_directive)],
                    [anchor_id(new_directive.id, "VB")],
                )
            reqs += self._insert_rows(
                TASKS,
                maps[TASKS],
                len(ids),
                [{**task_cells(t, registry.name), "version": 1} for t in added],
                [anchor_id(t.id) for t in added],
            )
            history = creation_changes(added, actor, registry.name)
            if history:
                reqs.append(
                    self._append_request(HISTORY, maps[HISTORY], [change_cells(c) for c in history])
                )
            result = (new_directive, added)
            try:
                self._batch_update(reqs)
            except gspread.exceptions.APIError as e:
                if _status(e) == 400 and "already in use" in e.error.get("message", ""):
                    continue  # an id taken meanwhile by another writer: number again
                if not _ambiguous(e):
                    raise
                check = self._add_check(added, registry, result)
                continue
            except (requests.exceptions.Timeout, requests.exceptions.ConnectionError):
                check = self._add_check(added, registry, result)
                continue
            return result
        raise StoreError("Chưa thêm được nhiệm vụ sau nhiều lần thử; vui lòng thử lại.")

    def _add_check(self, added, registry, result):
        first = next((t for t in added if anchor_id(t.id)), None)
        if first is None:
            raise StoreError(
                "Google không trả lời khi thêm nhiệm vụ; không rõ đã thêm hay chưa. Hãy bấm "
                "Làm mới để kiểm tra trước khi thêm lại."
            )
        return anchor_id(first.id), task_cells(first, registry.name), result

    def _landed_add(self, anchor: int, cells: dict, result) -> bool:
        matched = self._by_filter([{"developerMetadataLookup": {"metadataId": anchor}}])
        if not matched:
            return False
        row = matched[0][2][0] if matched[0][2] else []
        hmap = self._task_header()
        return all(
            text(hmap.get(row, f)) == text(cells[f]) for f in ("id", "content", "updated_by")
        )

    def _insert_rows(self, sheet, hmap, after: int, records: list[dict], anchors: list) -> list:
        """Insert blank rows after sheet row `after`, fill them, and anchor them."""
        if not records:
            return []
        sheet_id = self._sheet_id(sheet)
        rows = _row_data(hmap, records)
        reqs = [
            {
                "insertDimension": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "ROWS",
                        "startIndex": after,
                        "endIndex": after + len(records),
                    },
                    "inheritFromBefore": after > 0,
                }
            },
            {
                "updateCells": {
                    "start": {"sheetId": sheet_id, "rowIndex": after, "columnIndex": 0},
                    "rows": rows,
                    "fields": "userEnteredValue",
                }
            },
        ]
        for i, anchor in enumerate(anchors):
            if anchor:
                reqs.append(_create_anchor(sheet_id, anchor, after + i + 1, "1"))
        return reqs

    def add_tasks(self, tasks, actor, now):
        return self._add(None, tasks, actor, now)[1]

    def add_directive(self, directive, tasks, actor, now):
        return self._add(directive, tasks, actor, now)

    def _append(self, sheet: str, hmap: HeaderMap, records: list[dict]) -> None:
        """values.append of rows laid out by the sheet's own header (admin upserts, init)."""
        width = max(hmap.positions.values()) + 1
        values = []
        for record in records:
            row = [""] * width
            for name, i in hmap.positions.items():
                row[i] = record.get(name, "")
            values.append(row)
        self.http.values_append(
            self.key,
            f"{sheet}!A1",
            {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
            {"values": values},
        )

    def cell_count(self, refresh: bool | None = None) -> int:
        """Cells in the workbook (every worksheet's grid), against Google's 10 million; the grid
        sizes are read again when asked, or when older than PROPERTIES_MAX_AGE (None)."""
        if refresh is None:
            refresh = time.monotonic() - self._properties_at > PROPERTIES_MAX_AGE
        return sum(
            p.get("rowCount", 0) * p.get("columnCount", 0)
            for p in self._sheet_ids(refresh=refresh).values()
        )

    def anchor_rows(self) -> int:
        """Anchor every NhiemVu row that has none (or whose anchor sits on another row), in one
        developerMetadata:search + one read + one batchUpdate. Saves do this for their own row
        when needed; init-sheet does it for all. Returns how many rows were anchored."""
        with self._write_lock:
            found = self._call(
                "đọc mốc dòng",
                lambda: self.http.request(
                    "post",
                    f"{SPREADSHEETS_API_V4_BASE_URL}/{self.key}/developerMetadata:search",
                    json={
                        "dataFilters": [{"developerMetadataLookup": {"metadataKey": ANCHOR_KEY}}]
                    },
                ).json(),
            )
            where = {}
            for m in found.get("matchedDeveloperMetadata", []):
                meta = m["developerMetadata"]
                rng = meta.get("location", {}).get("dimensionRange", {})
                where[meta["metadataId"]] = rng.get("startIndex", -1) + 1
            hmap = self._task_header()
            col = _column(hmap.positions["id"])
            (ids,) = self._batch_get([f"{TASKS}!{col}:{col}"], "đọc mã")
            seen, reqs = set(), []
            sheet_id = self._sheet_id(TASKS)
            counts: dict[str, int] = {}
            for r in ids[1:]:
                if r:
                    counts[text(r[0])] = counts.get(text(r[0]), 0) + 1
            for number, r in enumerate(ids[1:], start=2):
                task_id = text(r[0]) if r else ""
                anchor = anchor_id(task_id)
                if not anchor or counts[task_id] > 1 or anchor in seen:
                    continue  # no anchor for duplicated ids: those rows are read-only
                seen.add(anchor)
                if anchor not in where:
                    reqs.append(_create_anchor(sheet_id, anchor, number, "0"))
                elif where[anchor] != number:  # on another row: moved here
                    reqs += self._anchor_requests(sheet_id, anchor, number, "0")
            if "version" not in hmap.positions:
                reqs = self._add_header_requests(TASKS, hmap, "version") + reqs
                self._hmap = None
            if reqs:
                self._call("gắn mốc dòng", self._batch_update, reqs)
            return sum(1 for r in reqs if "createDeveloperMetadata" in r)

    def _upsert(self, sheet: str, key_field: str, key: str, cells: dict, needs=()) -> None:
        """Replace the row whose key matches (case-insensitively), or append one. Each attempt
        reads the sheet and finds the row again, so a retry never writes to a row that moved.
        `needs`: optional columns whose value must not be dropped (a sheet without them is told
        to run init-sheet)."""

        def attempt():
            (rows,) = self._batch_get([sheet], "đọc dữ liệu")
            try:
                hmap = HeaderMap.from_header_row(sheet, rows[0] if rows else [])
            except SchemaError as e:
                raise StoreError(str(e)) from e
            lacking = [header(sheet, f) for f in needs if f not in hmap.positions]
            if lacking:
                raise StoreError(
                    f"Trang «{sheet}» chưa có cột {', '.join(lacking)}: không lưu được giá trị "
                    "này. Hãy chạy: python -m services.cli init-sheet"
                )
            col = hmap.positions[key_field]
            found = [
                n
                for n, r in enumerate(rows[1:], start=2)
                if col < len(r) and text(r[col]).lower() == key.lower()
            ]
            if not found:
                self._append(sheet, hmap, [cells])
                return
            data = [
                {
                    "range": absolute_range_name(sheet, rowcol_to_a1(found[0], i + 1)),
                    "values": [[cells.get(f, "")]],
                }
                for f, i in hmap.positions.items()
            ]
            self.http.values_batch_update(self.key, {"valueInputOption": "RAW", "data": data})

        with self._write_lock:
            # an append whose answer was lost is found by its key on the next attempt
            self._call("lưu dòng", attempt)

    # -- the follow-up cycle's requests ----------------------------------------------------------

    # DeXuat and BaoCaoKy hold records an agency adds and the office decides: the same way for
    # both. An add is ONE read (the workbook with today's tail of LichSu: the task, the sheet's
    # rows and LichSu's header as they are now), the record appended (never written over) and
    # its history row appended. A decision reads the sheet and LichSu's header in one batchGet.
    # Sheets has no transactions: both are serialised within the process (write and decide locks).

    _MISSING = {
        REQUESTS: "đề xuất gia hạn, giao lại",
        PERIODS: "báo cáo định kỳ",
    }

    def _missing_message(self, sheet: str) -> str:
        return (
            f"Google Sheet chưa có trang {sheet} ({self._MISSING[sheet]}). Hãy chạy: "
            "python -m services.cli init-sheet"
        )

    def _parsed(self, sheet: str, rows: list[list], parse) -> tuple[HeaderMap, list[tuple]]:
        """A worksheet's header and (row number, record) pairs; unreadable rows are skipped
        (check reports them; they are never written over)."""
        try:
            hmap = HeaderMap.from_header_row(sheet, rows[0] if rows else [])
        except SchemaError as e:
            raise StoreError(str(e)) from e
        found = []
        for number, row in enumerate(rows[1:], start=2):
            if any(text(c) for c in row):
                try:
                    found.append((number, parse(lambda f, r=row: hmap.get(r, f), self.tz)))
                except (ValueError, DateError):
                    continue
        return hmap, found

    @staticmethod
    def _history_header(rows: list[list]) -> HeaderMap:
        try:
            return HeaderMap.from_header_row(HISTORY, (rows or [[]])[0])
        except SchemaError as e:
            raise StoreError(str(e)) from e

    def _add_record(self, sheet, record, parse, plan, cells, what: str):
        """Read once, `plan(task, records of that task, all ids)` -> (record, history row),
        then append the record and its history row."""
        with self._write_lock:
            self._missing.discard(sheet)  # made by init-sheet in another process?
            # today's history (for the new row's place), and no reminder ledger: not needed here
            tables = self.read_tables(since=history_cutoff(self.tz, 0), ledger=False)
            if sheet not in tables:
                raise StoreError(self._missing_message(sheet))
            hmap, found = self._parsed(sheet, tables[sheet], parse)
            task = self.snapshot_of(tables).task(record.task_id)
            if task is None:
                raise TaskNotFound(record.task_id)
            others = [r for _, r in found if r.task_id == record.task_id]
            record, change = plan(task, others, [r.id for _, r in found])
            self._call(
                what,
                self._append,
                sheet,
                hmap,
                [cells(record)],
                retry_if=lambda e: _status(e) == 429,
            )  # an append is not idempotent
            self._append_history(self._history_header(tables.get(HISTORY) or []), [change])
        return record

    def _decide_record(self, sheet, seen, parse, plan, cells, task_save=None):
        """The record read again with LichSu's header (one batchGet), `plan(fresh)` ->
        (decided, history row), `task_save()` if any, then the record and its history row."""
        with self._decide_lock:
            try:
                rows, history = self._batch_get([sheet, f"{HISTORY}!1:1"], "đọc dữ liệu")
            except StoreError as e:
                if _missing_sheet(e.__cause__, sheet):
                    raise StoreError(self._missing_message(sheet)) from e
                raise
            _, found = self._parsed(sheet, rows, parse)
            fresh = next((r for _, r in found if r.id == seen.id), None)
            if fresh is None:
                raise StoreError(f"Không tìm thấy {seen.id} trong trang {sheet}.")
            decided, change = plan(fresh)
            if task_save is not None:
                task_save()
            self._upsert(sheet, "id", decided.id, cells(decided))
            with self._write_lock:
                self._append_history(self._history_header(history), [change])
        return decided

    def _append_history(self, hist: HeaderMap, changes: list[Change]) -> None:
        """History rows by appendCells, as a save writes them: after the sheet's last row,
        whatever blank rows lie above (values.append would fill the first gap in the table,
        above rows the recent-history tail has already passed)."""
        self._call(
            "ghi lịch sử",
            self._batch_update,
            [self._append_request(HISTORY, hist, [change_cells(c) for c in changes])],
            retry_if=lambda e: _status(e) == 429,
        )  # an append is not idempotent

    def add_request(self, request, actor, now, authorize=None):
        return self._add_record(
            REQUESTS,
            request,
            request_from_row,
            lambda task, others, ids: plan_request(
                task, others, request, ids, actor, now, authorize
            ),
            request_cells,
            "ghi đề xuất",
        )

    def decide_request(
        self, seen, decision, actor, now, task_seen=None, task_changes=None, authorize=None
    ):
        # the request is checked first, then the task is saved with update_task's own conflict
        # check, then the decision is written
        return self._decide_record(
            REQUESTS,
            seen,
            request_from_row,
            lambda fresh: plan_decision(fresh, seen, decision, actor, now),
            request_cells,
            (lambda: self.update_task(task_seen, task_changes, actor, now, authorize))
            if task_changes
            else None,
        )

    def add_period_report(self, report, actor, now, authorize=None):
        return self._add_record(
            PERIODS,
            report,
            report_from_row,
            lambda task, others, ids: plan_period_report(
                task, others, report, ids, actor, now, authorize
            ),
            report_cells,
            "ghi báo cáo kỳ",
        )

    def decide_period_report(self, seen, decision, actor, now):
        return self._decide_record(
            PERIODS,
            seen,
            report_from_row,
            lambda fresh: plan_report_decision(fresh, seen, decision, actor, now),
            report_cells,
        )

    def save_agency(self, agency):
        needs = ["email"] if agency.email else []
        self._upsert(AGENCIES, "code", agency.code, agency_cells(agency), needs)
        self._agencies = None

    def save_user(self, user):
        needs = [] if user.reminders else ["reminders"]
        self._upsert(
            USERS, "email", user.email, user_cells(replace(user, email=user.email.lower())), needs
        )

    # -- the reminder ledger (NhacViec) -----------------------------------------------------------

    def can_record_deliveries(self) -> str:
        """ "" when the ledger can be written, else why not (Vietnamese). Known from the last load:
        no extra request."""
        if self._ledger is None:
            if not self._read_once:
                self.load()
            if self._ledger is None:
                return (
                    f"Google Sheet chưa có trang {REMINDERS} (sổ nhắc việc) hoặc trang này thiếu "
                    "dòng tiêu đề. Hãy chạy: python -m services.cli init-sheet"
                )
        return ""

    def record_deliveries(self, deliveries) -> None:
        """The ledger rows of a run, in ONE values.append laid out by the header the last load
        read (no read before it). An append is not idempotent: only a 429 (never applied) is
        retried; any other failure is the caller's to report."""
        deliveries = list(deliveries)
        if not deliveries:
            return
        problem = self.can_record_deliveries()
        if problem:
            raise StoreError(problem)
        self._call(
            "ghi sổ nhắc việc",
            self._append,
            REMINDERS,
            self._ledger,
            [delivery_cells(d) for d in deliveries],
            retry_if=lambda e: _status(e) == 429,
        )

    # -- setting up a sheet ---------------------------------------------------------------------

    def init_sheet(self, copy_from: Snapshot | None = None) -> list[str]:
        """Create missing worksheets and header rows; with `copy_from`, fill worksheets that have
        no data rows yet. Idempotent; never overwrites an existing row. Returns what it did."""
        done = []
        self._missing.clear()  # read them again from now on
        spreadsheet = self._call("mở Google Sheet", self.client.open_by_key, self.key)
        existing = {ws.title: ws for ws in spreadsheet.worksheets()}
        for sheet in SHEETS:
            headers = [h for _, h in COLUMNS[sheet]]
            if sheet not in existing:
                self._call("tạo trang tính", spreadsheet.add_worksheet, sheet, 1000, len(headers))
                done.append(f"Đã tạo trang tính {sheet}.")
            (rows,) = self._batch_get([sheet], "đọc dữ liệu")
            if not rows:
                self._call(
                    "ghi tiêu đề",
                    self.http.values_update,
                    self.key,
                    f"{sheet}!A1",
                    {"valueInputOption": "RAW"},
                    {"values": [headers]},
                )
                done.append(f"Đã ghi dòng tiêu đề cho {sheet}.")
                rows = [headers]
            else:
                done += self._add_missing_columns(sheet, existing.get(sheet), rows[0])
            if copy_from is not None and len(rows) <= 1:
                records = _records_of(sheet, copy_from)
                if records:
                    hmap = HeaderMap.from_header_row(sheet, rows[0])
                    self._call(
                        "chép dữ liệu",
                        self._append,
                        sheet,
                        hmap,
                        records,
                        retry_if=lambda e: _status(e) == 429,
                    )  # an append is not idempotent
                    done.append(f"Đã chép {len(records)} dòng vào {sheet}.")
        self._missing.clear()
        return done

    def _add_missing_columns(self, sheet: str, worksheet, header_row: list) -> list[str]:
        """Headers this version knows and the sheet lacks (e.g. the follow-up cycle's columns),
        added after the last header cell; rows and other columns are not touched."""
        present = {fold(c) for c in header_row if text(c)}
        missing = [h for _, h in COLUMNS[sheet] if fold(h) not in present]
        if not missing:
            return []
        if worksheet is None:  # just created: ask for its size
            spreadsheet = self._call("mở Google Sheet", self.client.open_by_key, self.key)
            worksheet = spreadsheet.worksheet(sheet)
        start = len(header_row) + 1
        short = start - 1 + len(missing) - worksheet.col_count
        if short > 0:
            self._call("thêm cột", worksheet.add_cols, short)
        self._call(
            "ghi tiêu đề",
            self.http.values_update,
            self.key,
            absolute_range_name(sheet, rowcol_to_a1(1, start)),
            {"valueInputOption": "RAW"},
            {"values": [missing]},
        )
        return [f"Đã thêm cột {', '.join(missing)} vào {sheet}."]


def _records_of(sheet: str, snap: Snapshot) -> list[dict]:
    names = AgencyIndex(snap.agencies).name
    return {
        TASKS: lambda: [task_cells(t, names) for t in snap.tasks],
        DIRECTIVES: lambda: [directive_cells(d) for d in snap.directives],
        AGENCIES: lambda: [agency_cells(a) for a in snap.agencies],
        USERS: lambda: [user_cells(u) for u in snap.users],
        HISTORY: lambda: [change_cells(c) for c in snap.history],
        REQUESTS: lambda: [request_cells(r) for r in snap.requests],
        REMINDERS: lambda: [delivery_cells(d) for d in snap.deliveries],
        PERIODS: lambda: [report_cells(r) for r in snap.period_reports],
    }[sheet]()
