"""The embedded store: one SQLite file, created and seeded on first run.

Every write runs in one `BEGIN IMMEDIATE` transaction, so the re-read, the conflict check, the
write and the history rows are atomic. An existing file is never reset: if it cannot be read or
written the user is told what to do, and the file is left as it was.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime

from services.domain.errors import StoreError, TaskNotFound
from services.domain.model import (
    Agency,
    Change,
    Directive,
    Request,
    Snapshot,
    Task,
    User,
    now_local,
)
from services.stores.base import (
    Store,
    assign_ids,
    creation_changes,
    next_ids,
    plan_decision,
    plan_request,
    plan_update,
)

SCHEMA_VERSION = 2
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
}


def _statements(sql: str):
    return [s for s in sql.strip().split(";") if s.strip()]


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value) -> str | None:
    return value.isoformat() if value else None


class SQLiteStore(Store):
    def __init__(self, path: str, seed=None, tz: str = "Asia/Ho_Chi_Minh"):
        """`seed()` returns (directives, agencies, tasks, users) for a brand-new database."""
        self.path, self.tz = path, tz
        self._open(seed)

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
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"Tệp «{self.path}» không phải cơ sở dữ liệu SQLite hợp lệ hoặc đã bị hỏng ({e}). "
                "Ứng dụng không xoá hay ghi đè tệp này: hãy khôi phục bản sao lưu, hoặc đổi "
                "[store] sqlite_path sang tệp mới."
            ) from e
        finally:
            conn.close()
        if version == SCHEMA_VERSION:
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
        try:
            with self._tx() as conn:
                conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        except StoreError:
            pass  # WAL is a speed-up, not a requirement (some network file systems refuse it)

    def _migrate(self) -> None:
        """Bring an older file up to SCHEMA_VERSION, keeping every row. The version is read again
        inside the write transaction, so two processes opening the file at once migrate once."""
        with self._tx() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for target in sorted(v for v in MIGRATIONS if v > version):
                for statement in _statements(MIGRATIONS[target]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")

    # -- rows ----------------------------------------------------------------------------------

    @staticmethod
    def _task(row) -> Task:
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
        )

    @staticmethod
    def _change(row) -> Change:
        return Change(
            at=_t(row["at"]),
            change_id=row["change_id"],
            task_id=row["task_id"],
            field=row["field"],
            old=row["old"],
            new=row["new"],
            actor=row["actor"],
            actor_agency=row["actor_agency"] or "",
        )

    @staticmethod
    def _task_params(t: Task) -> dict:
        return {
            "id": t.id,
            "directive_id": t.directive_id,
            "section": t.section,
            "content": t.content,
            "lead": t.lead,
            "partners": json.dumps(list(t.partners), ensure_ascii=False),
            "deadline": _iso(t.deadline),
            "status": t.status,
            "progress": t.progress,
            "result": t.result,
            "evidence": t.evidence,
            "completed_on": _iso(t.completed_on),
            "updated_at": _iso(t.updated_at),
            "updated_by": t.updated_by,
            "original_deadline": _iso(t.original_deadline),
            "extensions": t.extensions,
            "returns": t.returns,
            "return_reason": t.return_reason,
            "withdrawn": t.withdrawn,
        }

    def _insert_task(self, conn, t: Task) -> None:
        p = self._task_params(t)
        cols = ", ".join(p)
        conn.execute(
            f"INSERT INTO tasks ({cols}, seq) VALUES ({', '.join(':' + k for k in p)}, "
            "(SELECT coalesce(max(seq), 0) + 1 FROM tasks))",
            p,
        )

    @staticmethod
    def _put_agency(conn, a: Agency) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO agencies VALUES (?, ?, ?, ?, ?, ?)",
            (
                a.code,
                a.name,
                json.dumps(list(a.aliases), ensure_ascii=False),
                a.group,
                a.successor,
                int(a.active),
            ),
        )

    @staticmethod
    def _put_user(conn, u: User) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO users (email, name, agency, role, active) VALUES (?, ?, ?, ?, ?)",
            (u.email.lower(), u.name, u.agency, u.role, int(u.active)),
        )

    @staticmethod
    def _put_directive(conn, d: Directive) -> None:
        conn.execute(
            "INSERT INTO directives VALUES (?, ?, ?, ?, ?, ?, ?)",
            (d.id, d.number, d.issued_on, d.issuer, d.title, d.signer, d.link),
        )

    @staticmethod
    def _put_changes(conn, changes: list[Change]) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO history (at, change_id, task_id, field, old, new, actor, "
            "actor_agency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.at.isoformat(),
                    c.change_id,
                    c.task_id,
                    c.field,
                    c.old,
                    c.new,
                    c.actor,
                    c.actor_agency,
                )
                for c in changes
            ],
        )

    # -- Store ---------------------------------------------------------------------------------

    def load(self) -> Snapshot:
        conn = self._connect()
        try:
            conn.execute("BEGIN")  # one consistent read
            directives = tuple(
                Directive(**dict(r)) for r in conn.execute("SELECT * FROM directives ORDER BY id")
            )
            agencies = tuple(
                Agency(
                    code=r["code"],
                    name=r["name"],
                    aliases=tuple(json.loads(r["aliases"] or "[]")),
                    group=r["grp"] or "",
                    successor=r["successor"] or "",
                    active=bool(r["active"]),
                )
                for r in conn.execute("SELECT * FROM agencies ORDER BY rowid")
            )
            tasks = tuple(self._task(r) for r in conn.execute("SELECT * FROM tasks ORDER BY seq"))
            users = tuple(
                User(**{**dict(r), "active": bool(r["active"])})
                for r in conn.execute("SELECT * FROM users ORDER BY email")
            )
            requests = tuple(
                self._request(r) for r in conn.execute("SELECT * FROM requests ORDER BY id")
            )
            history = tuple(
                self._change(r) for r in conn.execute("SELECT * FROM history ORDER BY seq")
            )
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            raise StoreError(self._explain(e)) from e
        finally:
            conn.close()
        return Snapshot(
            directives, agencies, tasks, users, history, requests, loaded_at=now_local(self.tz)
        )

    def update_task(self, seen, changes, actor, now, authorize=None):
        with self._tx() as conn:
            rows = self._update(conn, seen, changes, actor, now, authorize)
            self._put_changes(conn, rows)
        return rows

    def _update(self, conn, seen, changes, actor, now, authorize) -> list[Change]:
        """The task's new cells inside the caller's transaction; its history rows returned."""
        row = conn.execute("SELECT * FROM tasks WHERE id = ?", (seen.id,)).fetchone()
        if row is None:
            raise TaskNotFound(seen.id)
        names = dict(conn.execute("SELECT code, name FROM agencies").fetchall())
        new, changed, rows = plan_update(
            self._task(row), seen, changes, actor, now, authorize, names=lambda c: names.get(c, c)
        )  # history shows agency names, as on the sheet
        if changed:
            params = self._task_params(new)
            sets = ", ".join(f"{f} = :{f}" for f in [*changed, "updated_at", "updated_by"])
            conn.execute(f"UPDATE tasks SET {sets} WHERE id = :id", params)
        return rows

    def add_directive(self, directive, tasks, actor, now):
        with self._tx() as conn:
            if not directive.id:
                ids = [r[0] for r in conn.execute("SELECT id FROM directives")]
                directive = replace(directive, id=next_ids(ids, "VB", 1)[0])
            elif conn.execute("SELECT 1 FROM directives WHERE id = ?", (directive.id,)).fetchone():
                raise StoreError(f"Mã văn bản {directive.id} đã tồn tại.")
            self._put_directive(conn, directive)
            tasks = self._add(conn, tasks, actor, now, directive.id)
        return directive, tasks

    def add_tasks(self, tasks, actor, now):
        with self._tx() as conn:
            return self._add(conn, tasks, actor, now)

    def _add(self, conn, tasks, actor, now, directive_id=None):
        existing = [r[0] for r in conn.execute("SELECT id FROM tasks")]
        tasks = [
            replace(t, updated_at=now.replace(microsecond=0), updated_by=actor.email)
            for t in assign_ids(tasks, existing, directive_id)
        ]
        for t in tasks:
            self._insert_task(conn, t)
        names = dict(conn.execute("SELECT code, name FROM agencies").fetchall())
        self._put_changes(conn, creation_changes(tasks, actor, lambda c: names.get(c, c)))
        return tasks

    def bulk_load(self, directives, agencies, tasks, history=(), users=()) -> None:
        """Rows written as they are (ids, history and all) in one transaction: for copying or
        generating whole data sets (demo data), where a save per change would take minutes."""
        with self._tx() as conn:
            self._put_all(conn, directives, agencies, tasks, history, users)

    def _put_all(self, conn, directives, agencies, tasks, history, users) -> None:
        for a in agencies:
            self._put_agency(conn, a)
        for u in users:
            self._put_user(conn, u)
        for d in directives:
            self._put_directive(conn, d)
        start = conn.execute("SELECT coalesce(max(seq), 0) FROM tasks").fetchone()[0]
        rows = [{**self._task_params(t), "seq": start + i} for i, t in enumerate(tasks, 1)]
        if rows:
            columns = list(rows[0])
            conn.executemany(
                f"INSERT INTO tasks ({', '.join(columns)}) VALUES "
                f"({', '.join(':' + c for c in columns)})",
                rows,
            )
        self._put_changes(conn, list(history))

    # -- requests ------------------------------------------------------------------------------

    @staticmethod
    def _request(row) -> Request:
        return Request(
            **{
                **dict(row),
                "proposed_deadline": _d(row["proposed_deadline"]),
                "requested_at": _t(row["requested_at"]),
                "decided_at": _t(row["decided_at"]),
                "proposed_agency": row["proposed_agency"] or "",
                "agency": row["agency"] or "",
                "decided_by": row["decided_by"] or "",
                "note": row["note"] or "",
                "reason": row["reason"] or "",
                "requested_by": row["requested_by"] or "",
            }
        )

    @staticmethod
    def _put_request(conn, r: Request) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r.id,
                r.task_id,
                r.kind,
                r.reason,
                _iso(r.proposed_deadline),
                r.proposed_agency,
                r.agency,
                r.state,
                r.requested_by,
                _iso(r.requested_at),
                r.decided_by,
                _iso(r.decided_at),
                r.note,
            ),
        )

    def add_request(self, request, actor, now, authorize=None):
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM tasks WHERE id = ?", (request.task_id,)).fetchone()
            if row is None:
                raise TaskNotFound(request.task_id)
            others = [
                self._request(r)
                for r in conn.execute(
                    "SELECT * FROM requests WHERE task_id = ?", (request.task_id,)
                )
            ]
            ids = [r[0] for r in conn.execute("SELECT id FROM requests")]
            request, change = plan_request(
                self._task(row), others, request, ids, actor, now, authorize
            )
            self._put_request(conn, request)
            self._put_changes(conn, [change])
        return request

    def decide_request(
        self, seen, decision, actor, now, task_seen=None, task_changes=None, authorize=None
    ):
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM requests WHERE id = ?", (seen.id,)).fetchone()
            if row is None:
                raise StoreError(f"Không tìm thấy đề xuất {seen.id}.")
            decided, change = plan_decision(self._request(row), seen, decision, actor, now)
            rows = []
            if task_changes:
                rows = self._update(conn, task_seen, task_changes, actor, now, authorize)
            self._put_request(conn, decided)
            self._put_changes(conn, [*rows, change])
        return decided

    def save_agency(self, agency):
        with self._tx() as conn:
            self._put_agency(conn, agency)

    def save_user(self, user):
        with self._tx() as conn:
            self._put_user(conn, user)

    def history(self, task_id=None):
        conn = self._connect()
        try:
            sql, args = "SELECT * FROM history", ()
            if task_id is not None:
                sql, args = sql + " WHERE task_id = ?", (task_id,)
            return [self._change(r) for r in conn.execute(sql + " ORDER BY seq", args)]
        finally:
            conn.close()
