"""The embedded store: one SQLite file, created and seeded on first run.

Every write runs in one `BEGIN IMMEDIATE` transaction, so the re-read, the conflict check, the
write and the history rows are atomic. An existing file is never reset: if it cannot be read or
written the user is told what to do, and the file is left as it was.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from contextlib import contextmanager
from datetime import date, datetime

from services.domain.errors import StoreError
from services.domain.model import Agency, Change, Delivery, PeriodReport, Request, Task
from services.stores.sql import (
    CHANGE_COLUMNS,
    REPORT_COLUMNS,
    REQUEST_COLUMNS,
    TASK_COLUMNS,
    SQLStore,
)

SCHEMA_VERSION = 4
SCHEMA = """
CREATE TABLE directives (id TEXT PRIMARY KEY, number TEXT, issued_on TEXT, issuer TEXT,
    title TEXT, signer TEXT, link TEXT);
CREATE TABLE agencies (code TEXT PRIMARY KEY, name TEXT NOT NULL, aliases TEXT, grp TEXT,
    successor TEXT, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE tasks (id TEXT PRIMARY KEY, directive_id TEXT, section TEXT, content TEXT,
    lead TEXT, partners TEXT, deadline TEXT, status TEXT, progress INTEGER, result TEXT,
    evidence TEXT, completed_on TEXT, updated_at TEXT, updated_by TEXT, seq INTEGER);
CREATE TABLE users (email TEXT PRIMARY KEY, name TEXT, agency TEXT, role TEXT);
CREATE TABLE history (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, change_id TEXT,
    task_id TEXT, field TEXT, old TEXT, new TEXT, actor TEXT, actor_agency TEXT,
    UNIQUE (change_id, field));
CREATE INDEX history_task ON history (task_id);
"""
# Versioned migrations, applied in place in one transaction each (a file is never reset).
MIGRATIONS = {
    2: """
ALTER TABLE tasks ADD COLUMN original_deadline TEXT;
ALTER TABLE tasks ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN returns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN return_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN withdrawn TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
CREATE TABLE requests (id TEXT PRIMARY KEY, task_id TEXT NOT NULL, kind TEXT NOT NULL,
    reason TEXT, proposed_deadline TEXT, proposed_agency TEXT, agency TEXT, state TEXT NOT NULL,
    requested_by TEXT, requested_at TEXT, decided_by TEXT, decided_at TEXT, note TEXT);
CREATE INDEX requests_task ON requests (task_id);
""",
    3: """
ALTER TABLE tasks ADD COLUMN cycle TEXT NOT NULL DEFAULT '';
CREATE TABLE period_reports (id TEXT PRIMARY KEY, task_id TEXT NOT NULL, period TEXT NOT NULL,
    content TEXT, evidence TEXT, progress INTEGER, agency TEXT, state TEXT NOT NULL,
    submitted_by TEXT, submitted_at TEXT, decided_by TEXT, decided_at TEXT, note TEXT);
CREATE INDEX period_reports_task ON period_reports (task_id);
""",
    4: """
ALTER TABLE agencies ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN reminders INTEGER NOT NULL DEFAULT 1;
CREATE TABLE reminders (seq INTEGER PRIMARY KEY AUTOINCREMENT, day TEXT NOT NULL,
    agency TEXT NOT NULL, recipient TEXT NOT NULL, items INTEGER NOT NULL DEFAULT 0,
    message_id TEXT NOT NULL DEFAULT '', result TEXT NOT NULL, at TEXT);
CREATE INDEX reminders_day ON reminders (day);
""",
}


def _statements(sql: str):
    return [s for s in sql.strip().split(";") if s.strip()]


_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", re.I)
_CREATE = re.compile(r"CREATE (?:UNIQUE )?(?:TABLE|INDEX) (\w+)", re.I)


def _applied(conn, statement: str) -> bool:
    """Whether a migration statement's column, table or index is already there."""
    if m := _ADD_COLUMN.search(statement):
        table, column = m.groups()
        return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))
    if m := _CREATE.search(statement):
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (m.group(1),))
        return found.fetchone() is not None
    return False


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value) -> str | None:
    return value.isoformat() if value else None


class SQLiteStore(SQLStore):
    agency_order = "rowid"
    history_since_sql = "julianday(at) >= julianday(:since)"  # offsets may differ between rows

    def __init__(self, path: str, seed=None, tz: str = "Asia/Ho_Chi_Minh"):
        """`seed()` returns (directives, agencies, tasks, users) for a brand-new database."""
        self.path, self.tz = path, tz
        self._open(seed)
        self._wal()

    # -- connection --------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    @contextmanager
    def _tx(self):
        """One atomic write transaction; any SQLite failure becomes a clear StoreError."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as e:
            raise StoreError(self._explain(e)) from e
        finally:
            conn.close()

    def _explain(self, error: Exception) -> str:
        text = str(error).lower()
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return (
                f"Không ghi được vào cơ sở dữ liệu «{self.path}» (không có quyền ghi). "
                "Dữ liệu cũ vẫn nguyên vẹn; hãy kiểm tra quyền của tệp và thư mục."
            )
        if "locked" in text or "busy" in text:
            return "Cơ sở dữ liệu đang bận, vui lòng thử lại sau giây lát."
        return f"Lỗi cơ sở dữ liệu «{self.path}»: {error}"

    def _open(self, seed) -> None:
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(folder, exist_ok=True)
            conn = self._connect()
        except (OSError, sqlite3.Error) as e:
            raise StoreError(
                f"Không mở được cơ sở dữ liệu «{self.path}»: {e}. Hãy kiểm tra đường "
                "dẫn [store] sqlite_path và quyền ghi thư mục."
            ) from e
        try:
            conn.execute("BEGIN")  # both read from one snapshot: another process may be
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # creating it now
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"Tệp «{self.path}» không phải cơ sở dữ liệu SQLite hợp lệ hoặc đã bị hỏng ({e}). "
                "Ứng dụng không xoá hay ghi đè tệp này: hãy khôi phục bản sao lưu, hoặc đổi "
                "[store] sqlite_path sang tệp mới."
            ) from e
        finally:
            conn.close()
        if version == SCHEMA_VERSION:
            if self._complete():
                return
            self._migrate(repair=True)  # a file that skipped a migration (built out of order)
            return
        if version and version < SCHEMA_VERSION:
            self._migrate()
            return
        if tables or version:
            raise StoreError(
                f"Cơ sở dữ liệu «{self.path}» có cấu trúc lạ (phiên bản {version}); "
                "ứng dụng không sửa nó. Hãy đổi [store] sqlite_path sang tệp mới."
            )
        with self._tx() as conn:  # brand new: create and seed in one transaction
            # checked again under the write lock: another process may have created it meanwhile
            if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                return
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise StoreError(
                    f"Cơ sở dữ liệu «{self.path}» có cấu trúc lạ; ứng dụng không sửa nó. "
                    "Hãy đổi [store] sqlite_path sang tệp mới."
                )
            for statement in _statements(SCHEMA):
                conn.execute(statement)
            for version in sorted(MIGRATIONS):
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if seed is not None:
                directives, agencies, tasks, users = seed()
                self._put_all(conn, directives, agencies, tasks, (), users)

    def _wal(self) -> None:
        """Readers never wait for a writer. Outside any transaction (SQLite ignores a change of
        journal mode inside one, where it used to be issued), on every open: a file made before
        is switched too. The mode is kept in the file."""
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError:
            pass  # WAL is a speed-up, not a requirement (some network file systems refuse it)
        finally:
            conn.close()

    def _migrate(self, repair: bool = False) -> None:
        """Bring an older file up to SCHEMA_VERSION, keeping every row. The version is read again
        inside the write transaction, so two processes opening the file at once migrate once.
        `repair`: every migration again, skipping what is already there (a file whose version
        says current but which lacks a migration's columns or tables)."""
        with self._tx() as conn:
            version = 0 if repair else conn.execute("PRAGMA user_version").fetchone()[0]
            for target in sorted(v for v in MIGRATIONS if v > version):
                for statement in _statements(MIGRATIONS[target]):
                    if not _applied(conn, statement):
                        conn.execute(statement)
                conn.execute(
                    f"PRAGMA user_version = {max(target, SCHEMA_VERSION if repair else 0)}"
                )

    def _complete(self) -> bool:
        """Every table and column the migrations make is there."""
        conn = self._connect()
        try:
            return all(
                _applied(conn, s) for target in MIGRATIONS for s in _statements(MIGRATIONS[target])
            )
        finally:
            conn.close()

    @contextmanager
    def _read(self):
        conn = self._connect()
        try:
            conn.execute("BEGIN")  # one consistent read
            yield conn
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            raise StoreError(self._explain(e)) from e
        finally:
            conn.close()

    # -- rows ----------------------------------------------------------------------------------

    def _decode_task(self, row) -> Task:
        return Task(
            id=row["id"],
            directive_id=row["directive_id"] or "",
            section=row["section"] or "",
            content=row["content"] or "",
            lead=row["lead"] or "",
            partners=tuple(json.loads(row["partners"] or "[]")),
            deadline=_d(row["deadline"]),
            status=row["status"],
            progress=row["progress"] or 0,
            result=row["result"] or "",
            evidence=row["evidence"] or "",
            completed_on=_d(row["completed_on"]),
            updated_at=_t(row["updated_at"]),
            updated_by=row["updated_by"] or "",
            original_deadline=_d(row["original_deadline"]),
            extensions=row["extensions"] or 0,
            returns=row["returns"] or 0,
            return_reason=row["return_reason"] or "",
            withdrawn=row["withdrawn"] or "",
            cycle=row["cycle"] or "",
        )

    def _encode_task(self, t: Task) -> dict:
        return {
            **{c: getattr(t, c) for c in TASK_COLUMNS},
            "partners": json.dumps(list(t.partners), ensure_ascii=False),
            "deadline": _iso(t.deadline),
            "completed_on": _iso(t.completed_on),
            "updated_at": _iso(t.updated_at),
            "original_deadline": _iso(t.original_deadline),
        }

    def _decode_change(self, row) -> Change:
        return Change(
            at=datetime.fromisoformat(row["at"]),  # always written
            change_id=row["change_id"],
            task_id=row["task_id"],
            field=row["field"],
            old=row["old"],
            new=row["new"],
            actor=row["actor"],
            actor_agency=row["actor_agency"] or "",
        )

    def _encode_change(self, c: Change) -> dict:
        return {**{k: getattr(c, k) for k in CHANGE_COLUMNS}, "at": c.at.isoformat()}

    def _decode_agency(self, row) -> Agency:
        return Agency(
            code=row["code"],
            name=row["name"],
            aliases=tuple(json.loads(row["aliases"] or "[]")),
            group=row["grp"] or "",
            successor=row["successor"] or "",
            active=bool(row["active"]),
            email=row["email"] or "",
        )

    def _encode_agency(self, a: Agency) -> dict:
        return {
            "code": a.code,
            "name": a.name,
            "aliases": json.dumps(list(a.aliases), ensure_ascii=False),
            "grp": a.group,
            "successor": a.successor,
            "active": int(a.active),
            "email": a.email,
        }

    def _decode_delivery(self, row) -> Delivery:
        return Delivery(
            day=date.fromisoformat(row["day"]),
            agency=row["agency"],
            recipient=row["recipient"],
            items=row["items"] or 0,
            message_id=row["message_id"] or "",
            result=row["result"],
            at=_t(row["at"]),
        )

    def _encode_delivery(self, d: Delivery) -> dict:
        return {**super()._encode_delivery(d), "day": d.day.isoformat(), "at": _iso(d.at)}

    def _encode_bool(self, value: bool):
        return int(value)

    def _moment(self, value):
        return value.isoformat()

    def _decode_request(self, row) -> Request:
        values: dict[str, object] = {c: row[c] or "" for c in REQUEST_COLUMNS}
        values["proposed_deadline"] = _d(row["proposed_deadline"])
        values["requested_at"] = _t(row["requested_at"])
        values["decided_at"] = _t(row["decided_at"])
        return Request(**values)  # type: ignore[arg-type]  # one value per field, typed above

    def _encode_request(self, r: Request) -> dict:
        return {
            **{c: getattr(r, c) for c in REQUEST_COLUMNS},
            "proposed_deadline": _iso(r.proposed_deadline),
            "requested_at": _iso(r.requested_at),
            "decided_at": _iso(r.decided_at),
        }

    def _decode_report(self, row) -> PeriodReport:
        return PeriodReport(
            **{
                **{c: row[c] or "" for c in REPORT_COLUMNS},
                "progress": row["progress"],
                "submitted_at": _t(row["submitted_at"]),
                "decided_at": _t(row["decided_at"]),
            }
        )

    def _encode_report(self, r: PeriodReport) -> dict:
        return {
            **{c: getattr(r, c) for c in REPORT_COLUMNS},
            "submitted_at": _iso(r.submitted_at),
            "decided_at": _iso(r.decided_at),
        }
