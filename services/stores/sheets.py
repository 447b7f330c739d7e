"""The Google Sheets backend, over gspread's HTTP client.

Rules (DESIGN §4) and where they are kept:
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
from dataclasses import replace
from urllib.parse import urlsplit

import gspread
import requests
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
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
from services.domain.dates import DateError
from services.domain.errors import StoreError, TaskNotFound
from services.domain.model import Request, Snapshot, Task, fold, now_local
from services.stores.base import (
    Store,
    assign_ids,
    creation_changes,
    next_ids,
    plan_decision,
    plan_request,
    plan_update,
)
from services.stores.layout import (
    AGENCIES,
    COLUMNS,
    DIRECTIVES,
    HISTORY,
    REQUESTS,
    TASKS,
    USERS,
    HeaderMap,
    SchemaError,
    agency_cells,
    change_cells,
    directive_cells,
    header,
    request_cells,
    request_from_row,
    snapshot_parts,
    task_cells,
    task_from_row,
    text,
    user_cells,
)

SHEETS = (TASKS, DIRECTIVES, AGENCIES, USERS, HISTORY, REQUESTS)
READ_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
TRANSIENT = {429, 500, 502, 503, 504}
GOOGLE_API_PREFIXES = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")


class EndpointAdapter(HTTPAdapter):
    """Sends requests meant for Google's API host to another endpoint (the `endpoint` setting;
    tests point it at tests/fakesheets)."""

    def __init__(self, endpoint: str):
        super().__init__()
        self.endpoint = endpoint.rstrip("/")

    def send(self, request, **kwargs):
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


class GSheetsStore(Store):
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
        self._write_lock = (
            threading.Lock()
        )  # saves from all sessions of this process, one at a time
        self._agencies = None  # the registry as last read, to resolve agency names in a row
        self._pending_history = []  # (rows, header) whose append failed after the cells landed
        self._requests_sheet: bool | None = None
        self._decide_lock = threading.Lock()  # does the DeXuat worksheet exist (None: unknown)

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
        return cls(
            client,
            spreadsheet_key(settings.spreadsheet),
            settings.timezone,
            deadline_seconds,
            info.get("client_email", ""),
        )

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
        message = error.error.get("message", "") if code else str(error)
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

    def read_tables(self, params=READ_PARAMS) -> dict[str, list[list]]:
        """The worksheets' cells, in ONE values:batchGet. A workbook made before the follow-up
        cycle has no DeXuat worksheet: it is read without it (once found missing, not asked
        for again until init-sheet adds it)."""
        sheets = [s for s in SHEETS if s != REQUESTS or self._requests_sheet is not False]
        try:
            values = self._batch_get(sheets, "đọc dữ liệu", params)
        except StoreError as e:
            if REQUESTS in sheets and _missing_sheet(e.__cause__, REQUESTS):
                self._requests_sheet = False
                return self.read_tables(params)
            raise
        self._requests_sheet = REQUESTS in sheets
        return dict(zip(sheets, values))

    def load(self) -> Snapshot:
        return self.snapshot_of(self.read_tables())

    def snapshot_of(self, tables: dict[str, list[list]]) -> Snapshot:
        """The snapshot of cells already read (read_tables), without reading them again."""
        try:
            parts = snapshot_parts(tables, self.tz)
        except SchemaError as e:
            raise StoreError(str(e)) from e
        self._agencies = parts["agencies"]
        return Snapshot(**parts, loaded_at=now_local(self.tz))

    def _registry(self) -> AgencyIndex:
        if self._agencies is None:
            self.load()
        return AgencyIndex(self._agencies)

    # -- saving a task ------------------------------------------------------------------------

    def _locate(self, task_id: str):
        """(header map, sheet row number, cells, history header) of a task, read now."""
        tasks, history = self._batch_get([TASKS, f"{HISTORY}!1:1"], "đọc lại nhiệm vụ")
        try:
            hmap = HeaderMap.from_header_row(TASKS, tasks[0] if tasks else [])
            hist = HeaderMap.from_header_row(HISTORY, history[0] if history else [])
        except SchemaError as e:
            raise StoreError(str(e)) from e
        id_col = hmap.positions["id"]
        rows = [
            n
            for n, row in enumerate(tasks[1:], start=2)
            if id_col < len(row) and text(row[id_col]) == task_id
        ]
        if not rows:
            raise TaskNotFound(task_id)
        if len(rows) > 1:
            raise StoreError(
                f"Mã NV {task_id} bị trùng ở các dòng {', '.join(map(str, rows))} "
                "của trang NhiemVu: hãy sửa mã trong sheet trước khi cập nhật."
            )
        return hmap, rows[0], tasks[rows[0] - 1], hist

    def _read_task(self, hmap: HeaderMap, row: list) -> Task:
        task, _ = task_from_row(lambda f: hmap.get(row, f), self._registry(), self.tz)
        return task

    def update_task(self, seen, changes, actor, now, authorize=None):
        with self._write_lock:
            self._retry_pending_history()
            hmap, number, row, hist = self._locate(seen.id)
            registry = self._registry()
            fresh = self._read_task(hmap, row)
            new, changed, rows = plan_update(
                fresh, seen, changes, actor, now, authorize, names=registry.name
            )
            if not changed:
                return []
            cells = task_cells(new, registry.name)
            fields = [*changed, "updated_at", "updated_by"]
            missing = [f for f in fields if f not in hmap.positions]
            if missing:  # never drop a value silently: the sheet needs the column first
                raise StoreError(
                    f"Trang {TASKS} chưa có cột {', '.join(header(TASKS, f) for f in missing)}. "
                    "Hãy chạy: python -m services.cli init-sheet (thêm cột, không đổi dữ liệu)."
                )
            where = {"hmap": hmap, "number": number, "tries": 0}

            def write():
                if where["tries"]:  # a retry: rows may have moved meanwhile, find the task again
                    if self._landed(seen.id, fresh, new, where):
                        return
                where["tries"] += 1
                positions = where["hmap"].positions
                data = [
                    {
                        "range": absolute_range_name(
                            TASKS, rowcol_to_a1(where["number"], positions[f] + 1)
                        ),
                        "values": [[cells[f]]],
                    }
                    for f in fields
                    if f in positions
                ]
                self.http.values_batch_update(self.key, {"valueInputOption": "RAW", "data": data})

            self._reconciled(
                "ghi nhiệm vụ", write, lambda: self._landed(seen.id, fresh, new, where)
            )
            try:
                self._append_history(rows, hist)
            except StoreError as e:
                self._pending_history.append((rows, hist))
                raise StoreError(
                    f"Đã lưu nhiệm vụ {seen.id} nhưng chưa ghi được lịch sử thay đổi "
                    f"(mã {rows[0].change_id}): {e} Ứng dụng sẽ thử ghi lại lịch sử "
                    "ở lần lưu sau; nếu ứng dụng khởi động lại trước đó, hãy báo "
                    "Văn phòng kiểm tra trang LichSu."
                ) from e
        return rows

    def retry_pending_history(self) -> int:
        """Append history rows whose append failed after their cells were written; every save
        does this first. Returns how many changes are still waiting."""
        with self._write_lock:
            return self._retry_pending_history()

    def _retry_pending_history(self) -> int:
        waiting = []
        for rows, hist in self._pending_history:
            try:
                self._append_history(rows, hist, check_first=True)
            except StoreError:
                waiting.append((rows, hist))
        self._pending_history = waiting
        return len(waiting)

    def _reconciled(self, what: str, write, applied) -> None:
        """write() retried on transient errors under the deadline. When an answer may have been
        lost, applied() is asked first, so a write that landed is never sent again."""

        def attempt():
            try:
                write()
            except Exception as e:
                if _ambiguous(e) and applied():
                    return
                raise

        self._call(what, attempt)

    def _landed(self, task_id: str, fresh: Task, new: Task, where: dict) -> bool:
        """Read the task again (updating `where` to its row now): True if it holds our values,
        False if it is as before; anything else is someone else's change, never written over."""
        hmap, number, row, _ = self._locate(task_id)
        where.update(hmap=hmap, number=number)
        now = self._read_task(hmap, row)
        if now == new:
            return True
        if now == fresh:
            return False
        raise StoreError(
            f"Nhiệm vụ {task_id} vừa được người khác thay đổi trong lúc lưu "
            "(Google không trả lời kịp). Hãy bấm Làm mới để xem dữ liệu hiện tại."
        )

    def _append(self, sheet: str, hmap: HeaderMap, records: list[dict]) -> None:
        """Append rows laid out by the sheet's own header (extra columns left empty)."""
        width = max(hmap.positions.values()) + 1
        values = []
        for record in records:
            row = [""] * width
            for field, i in hmap.positions.items():
                row[i] = record.get(field, "")
            values.append(row)
        self.http.values_append(
            self.key,
            f"{sheet}!A1",
            {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
            {"values": values},
        )

    def _append_history(self, changes, hist: HeaderMap, check_first: bool = False) -> None:
        """Append history rows. After an answer that may have been lost (and, with check_first,
        before anything), look for the change id first, so the rows are never written twice."""
        change_id = changes[0].change_id
        col = rowcol_to_a1(1, hist.positions["change_id"] + 1).rstrip("1")

        def applied():
            (ids,) = self._batch_get([f"{HISTORY}!{col}:{col}"], "kiểm tra lịch sử")
            return any(r and text(r[0]) == change_id for r in ids)

        if check_first and applied():
            return
        self._reconciled(
            "ghi lịch sử",
            lambda: self._append(HISTORY, hist, [change_cells(c) for c in changes]),
            applied,
        )

    # -- adding -------------------------------------------------------------------------------

    def _headers(self, sheets: list[str]) -> dict[str, HeaderMap]:
        rows = self._batch_get([f"{s}!1:1" for s in sheets], "đọc tiêu đề")
        try:
            return {
                s: HeaderMap.from_header_row(s, r[0] if r else []) for s, r in zip(sheets, rows)
            }
        except SchemaError as e:
            raise StoreError(str(e)) from e

    def _ids(self, sheet: str, hmap: HeaderMap) -> list[str]:
        col = rowcol_to_a1(1, hmap.positions["id"] + 1).rstrip("1")
        (values,) = self._batch_get([f"{sheet}!{col}2:{col}"], "đọc mã")
        return [text(r[0]) for r in values if r]

    def _add_tasks(self, tasks, actor, now, maps, directive_id=None) -> list[Task]:
        registry = self._registry()
        tasks = [
            replace(t, updated_at=now.replace(microsecond=0), updated_by=actor.email)
            for t in assign_ids(tasks, self._ids(TASKS, maps[TASKS]), directive_id)
        ]
        if not tasks:
            return tasks
        self._call(
            "thêm nhiệm vụ",
            self._append,
            TASKS,
            maps[TASKS],
            [task_cells(t, registry.name) for t in tasks],
            retry_if=lambda e: _status(e) == 429,
        )  # an append is not idempotent
        rows = creation_changes(tasks, actor, registry.name)
        try:
            self._append_history(rows, maps[HISTORY])
        except StoreError as e:
            self._pending_history.append((rows, maps[HISTORY]))
            raise StoreError(
                f"Đã thêm {len(tasks)} nhiệm vụ nhưng chưa ghi được lịch sử: {e} "
                "Ứng dụng sẽ thử ghi lại ở lần lưu sau."
            ) from e
        return tasks

    def add_tasks(self, tasks, actor, now):
        with self._write_lock:
            return self._add_tasks(tasks, actor, now, self._headers([TASKS, HISTORY]))

    def add_directive(self, directive, tasks, actor, now):
        with self._write_lock:
            maps = self._headers([TASKS, DIRECTIVES, HISTORY])
            existing = self._ids(DIRECTIVES, maps[DIRECTIVES])
            if not directive.id:
                directive = replace(directive, id=next_ids(existing, "VB", 1)[0])
            elif directive.id in existing:
                raise StoreError(f"Mã văn bản {directive.id} đã tồn tại.")
            self._call(
                "thêm văn bản",
                self._append,
                DIRECTIVES,
                maps[DIRECTIVES],
                [directive_cells(directive)],
                retry_if=lambda e: _status(e) == 429,
            )
            return directive, self._add_tasks(tasks, actor, now, maps, directive.id)

    def _upsert(self, sheet: str, key_field: str, key: str, cells: dict) -> None:
        """Replace the row whose key matches (case-insensitively), or append one. Each attempt
        reads the sheet and finds the row again, so a retry never writes to a row that moved."""

        def attempt():
            (rows,) = self._batch_get([sheet], "đọc dữ liệu")
            try:
                hmap = HeaderMap.from_header_row(sheet, rows[0] if rows else [])
            except SchemaError as e:
                raise StoreError(str(e)) from e
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

    def _requests(self) -> tuple[HeaderMap, list[tuple[int, Request]]]:
        """The DeXuat worksheet read now: its header and (row number, request) pairs."""
        try:
            (rows,) = self._batch_get([REQUESTS], "đọc đề xuất")
        except StoreError as e:
            if _missing_sheet(e.__cause__, REQUESTS):
                raise StoreError(
                    f"Google Sheet chưa có trang {REQUESTS} (đề xuất gia hạn, giao lại). Hãy chạy: "
                    "python -m services.cli init-sheet"
                ) from e
            raise
        try:
            hmap = HeaderMap.from_header_row(REQUESTS, rows[0] if rows else [])
        except SchemaError as e:
            raise StoreError(str(e)) from e
        found = []
        for number, row in enumerate(rows[1:], start=2):
            if any(text(c) for c in row):
                try:
                    found.append(
                        (number, request_from_row(lambda f, r=row: hmap.get(r, f), self.tz))
                    )
                except (ValueError, DateError):
                    continue  # reported by check; never written over
        return hmap, found

    def add_request(self, request, actor, now, authorize=None):
        with self._write_lock:
            hmap, found = self._requests()
            thmap, _, row, _ = self._locate(request.task_id)
            others = [r for _, r in found if r.task_id == request.task_id]
            request, change = plan_request(
                self._read_task(thmap, row),
                others,
                request,
                [r.id for _, r in found],
                actor,
                now,
                authorize,
            )
            self._call(
                "ghi đề xuất",
                self._append,
                REQUESTS,
                hmap,
                [request_cells(request)],
                retry_if=lambda e: _status(e) == 429,
            )  # an append is not idempotent
            self._append_history([change], self._headers([HISTORY])[HISTORY])
        return request

    def decide_request(
        self, seen, decision, actor, now, task_seen=None, task_changes=None, authorize=None
    ):
        # Sheets has no transactions: the request is checked first, then the task is saved with
        # update_task's own conflict check, then the decision is written. Within this process the
        # decide lock makes two officers' decisions on one request one-after-the-other.
        with self._decide_lock:
            _, found = self._requests()
            fresh = next((r for _, r in found if r.id == seen.id), None)
            if fresh is None:
                raise StoreError(f"Không tìm thấy đề xuất {seen.id} trong trang {REQUESTS}.")
            decided, change = plan_decision(fresh, seen, decision, actor, now)
            if task_changes:
                self.update_task(task_seen, task_changes, actor, now, authorize)
            self._upsert(REQUESTS, "id", decided.id, request_cells(decided))
            with self._write_lock:
                self._append_history([change], self._headers([HISTORY])[HISTORY])
        return decided

    def save_agency(self, agency):
        self._upsert(AGENCIES, "code", agency.code, agency_cells(agency))
        self._agencies = None

    def save_user(self, user):
        self._upsert(
            USERS, "email", user.email, user_cells(replace(user, email=user.email.lower()))
        )

    # -- setting up a sheet ---------------------------------------------------------------------

    def init_sheet(self, copy_from: Snapshot | None = None) -> list[str]:
        """Create missing worksheets and header rows; with `copy_from`, fill worksheets that have
        no data rows yet. Idempotent; never overwrites an existing row. Returns what it did."""
        done = []
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
    }[sheet]()
