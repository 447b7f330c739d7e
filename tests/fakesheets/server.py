"""The HTTP server: Google Sheets API v4, the OAuth token endpoint and /_fake test hooks.

Served paths:
  POST /token                       service-account JWT-bearer grant
  /v4/spreadsheets...               Sheets API v4 (see api.py), needs a bearer token
  POST /_fake/spreadsheets          create from a spec, returns its dump
  GET  /_fake/spreadsheets/{id}     dump: {"spreadsheetId", "title", ..., "sheets": [{..., "values"}]}
  POST /_fake/faults | DELETE       add a fault (see faults.Fault) | remove all faults
  GET  /_fake/requests | DELETE     the log of /token and /v4 requests | clear it
  POST /_fake/quota                 {"read_per_minute": N|null, "write_per_minute": M|null}
  POST /_fake/tokens                {"email"} -> {"access_token"} without going through /token
  POST /_fake/reset                 drop spreadsheets, faults, log and quota (tokens stay valid)
"""

import json
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .api import SheetsApi
from .auth import TokenStore
from .errors import ApiError, invalid
from .faults import Fault, Faults, Quota
from .model import spreadsheet_from_spec

API_PREFIX = "/v4/spreadsheets"


class FakeSheetsApp:
    """All fake state and request dispatch, guarded by one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = TokenStore()
        self.reset()

    def reset(self) -> None:
        self.spreadsheets = {}
        self.api = SheetsApi(self.spreadsheets)
        self.faults = Faults()
        self.quota = Quota()
        self.log: list[dict] = []

    def handle(self, method: str, target: str, headers, raw_body: bytes) -> tuple[int, object]:
        """Answer one HTTP request with (status, JSON-able reply)."""
        url = urlsplit(target)
        if url.path.startswith("/_fake/"):
            with self.lock:
                try:
                    return 200, self._hook(method, url.path, _parse_json(raw_body))
                except ApiError as error:
                    return error.code, error.body()
        if url.path == "/token" or url.path.startswith(API_PREFIX):
            query = parse_qs(url.query, keep_blank_values=True)
            return self._serve_logged(method, url.path, query, headers, raw_body)
        return 404, ApiError(404).body()

    def _serve_logged(self, method, path, query, headers, raw_body) -> tuple[int, object]:
        decoded_path = unquote(path)
        with self.lock:
            fault = self.faults.take(method, decoded_path)
        if fault is not None and fault.delay_seconds:
            time.sleep(fault.delay_seconds)
        failing = fault is not None and fault.status is not None
        status, reply, body = 500, None, None
        with self.lock:
            try:
                body = None if path == "/token" else _parse_json(raw_body)
                if not failing or fault.apply:
                    status, reply = self._execute(method, path, query, headers, raw_body, body)
            except ApiError as error:
                status, reply = error.code, error.body()
            if failing:
                status, reply = fault.status, fault.error().body()
            self.log.append(
                {
                    "method": method,
                    "path": decoded_path,
                    "query": query,
                    "status": status,
                    "body": body,
                }
            )
        return status, reply

    def _execute(self, method, path, query, headers, raw_body, body) -> tuple[int, object]:
        if path == "/token":
            if method != "POST":
                raise ApiError(404)
            return self.tokens.exchange(raw_body)
        caller = self.tokens.caller(headers.get("Authorization"))
        self.quota.check(method, path)
        return 200, self.api.handle(method, path[len(API_PREFIX) :], query, body, caller)

    def _hook(self, method: str, path: str, body) -> object:
        if (method, path) == ("POST", "/_fake/spreadsheets"):
            book = spreadsheet_from_spec(body)
            if book.spreadsheet_id in self.spreadsheets:
                raise ApiError(409, f"Spreadsheet {book.spreadsheet_id} already exists.")
            self.spreadsheets[book.spreadsheet_id] = book
            return book.dump()
        if method == "GET" and path.startswith("/_fake/spreadsheets/"):
            book = self.spreadsheets.get(unquote(path[len("/_fake/spreadsheets/") :]))
            if book is None:
                raise ApiError(404)
            return book.dump()
        if (method, path) == ("POST", "/_fake/faults"):
            self.faults.add(Fault.from_spec(body))
            return {}
        if (method, path) == ("DELETE", "/_fake/faults"):
            self.faults.clear()
            return {}
        if (method, path) == ("GET", "/_fake/requests"):
            return list(self.log)
        if (method, path) == ("DELETE", "/_fake/requests"):
            self.log.clear()
            return {}
        if (method, path) == ("POST", "/_fake/quota"):
            body = body or {}
            self.quota = Quota(body.get("read_per_minute"), body.get("write_per_minute"))
            return {}
        if (method, path) == ("POST", "/_fake/tokens"):
            if not isinstance(body, dict) or not body.get("email"):
                raise invalid('Expected {"email": "..."}.')
            return {"access_token": self.tokens.issue(body["email"])}
        if (method, path) == ("POST", "/_fake/reset"):
            self.reset()
            return {}
        raise ApiError(404, f"No fake hook {method} {path}.")


def _parse_json(raw_body: bytes):
    if not raw_body:
        return None
    try:
        return json.loads(raw_body)
    except ValueError as error:
        raise invalid(f"Invalid JSON payload received. {error}") from error


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeSheets/1.0"
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        try:
            status, reply = self.server.app.handle(self.command, self.path, self.headers, raw_body)
        except Exception as error:  # a bug in the fake must not look like a network failure
            traceback.print_exc()
            status, reply = 500, ApiError(500, f"Fake server error: {error!r}").body()
        data = json.dumps(reply, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format, *args) -> None:
        """Stay quiet; the request log is available at /_fake/requests."""


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (e.g. timeout tests) is not a server error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeSheetsServer:
    """The fake on a real socket. Port 0 picks a free port; see `url`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.app = FakeSheetsApp()
        self._http = _HttpServer((host, port), _Handler)
        self._http.app = self.app
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeSheetsServer":
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self._http.serve_forever, name="fakesheets", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._http.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join()
        self._http.server_close()
