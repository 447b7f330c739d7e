"""What the two SQL stores (SQLite, PostgreSQL) share: the Store methods written once over a
DB-API connection, with the dialect left to small hooks.

A subclass provides `_tx()` (one atomic write transaction, yielding a connection whose rows can be
read by column name), `_read()` (one consistent read), the encoders and decoders of its column
types, and `_lock_ids(conn)` when its transactions do not already serialise writers. The SQL here
uses `:name` placeholders and only syntax both dialects accept (`ON CONFLICT ... DO UPDATE`).
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager
from dataclasses import fields, replace

from services.domain.errors import StoreError, TaskNotFound
from services.domain.model import (
    TASK_FIELDS,
    Agency,
    Change,
    Delivery,
    Directive,
    PeriodReport,
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
    history_cutoff,
    next_ids,
    plan_decision,
    plan_period_report,
    plan_report_decision,
    plan_request,
    plan_update,
)

TASK_COLUMNS = TASK_FIELDS  # the tasks table has one column per Task field, same names (+ seq)
CHANGE_COLUMNS = tuple(f.name for f in fields(Change))
AGENCY_COLUMNS = ("code", "name", "aliases", "grp", "successor", "active", "email")
USER_COLUMNS = ("email", "name", "agency", "role", "active", "reminders")
DELIVERY_COLUMNS = tuple(f.name for f in fields(Delivery))
REQUEST_COLUMNS = tuple(f.name for f in fields(Request))
REPORT_COLUMNS = tuple(f.name for f in fields(PeriodReport))
DIRECTIVE_COLUMNS = ("id", "number", "issued_on", "issuer", "title", "signer", "link")


def _insert(table: str, columns, conflict: str = "") -> str:
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)}){conflict}"
    )


def _upsert(table: str, columns, key: str) -> str:
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    return _insert(table, columns, f" ON CONFLICT ({key}) DO UPDATE SET {sets}")


class SQLStore(Store):
    tz: str
    agency_order = "seq"  # the column that keeps agencies in the order they were first saved
    for_update = ""  # appended to the write-time re-read of a task (PostgreSQL: row lock)

    # -- dialect hooks ---------------------------------------------------------------------------

    @abstractmethod
    def _tx(self) -> AbstractContextManager:
        """One atomic write transaction; yields the connection."""

    @abstractmethod
    def _read(self) -> AbstractContextManager:
        """One consistent read; yields the connection."""

    def _sql(self, text: str) -> str:
        """The statement in the driver's placeholder style (`:name` as written here)."""
        return text

    def _lock_ids(self, conn) -> None:
        """Serialise the writers that pick new ids, until the transaction ends."""

    @abstractmethod
    def _encode_task(self, t: Task) -> dict: ...

    @abstractmethod
    def _decode_task(self, row) -> Task: ...

    @abstractmethod
    def _encode_change(self, c: Change) -> dict: ...

    @abstractmethod
    def _decode_change(self, row) -> Change: ...

    @abstractmethod
    def _encode_agency(self, a: Agency) -> dict: ...

    @abstractmethod
    def _encode_request(self, r: Request) -> dict: ...

    @abstractmethod
    def _decode_request(self, row) -> Request: ...

    @abstractmethod
    def _decode_agency(self, row) -> Agency: ...

    @abstractmethod
    def _encode_report(self, r: PeriodReport) -> dict: ...

    @abstractmethod
    def _decode_report(self, row) -> PeriodReport: ...

    def _exec(self, conn, text: str, params=None):
        return conn.execute(self._sql(text), params or {})

    def _many(self, conn, text: str, rows: list) -> None:
        if rows:
            conn.cursor().executemany(self._sql(text), rows)

    def _insert_tasks(self, conn, tasks: list[Task]) -> None:
        """Tasks appended after the last one, in order (`seq` keeps the order of the sheet)."""
        start = self._exec(conn, "SELECT coalesce(max(seq), 0) AS top FROM tasks").fetchone()
        rows = [{**self._encode_task(t), "seq": start["top"] + i} for i, t in enumerate(tasks, 1)]
        self._many(conn, _insert("tasks", (*TASK_COLUMNS, "seq")), rows)

    def _put_agency(self, conn, a: Agency) -> None:
        self._exec(conn, _upsert("agencies", AGENCY_COLUMNS, "code"), self._encode_agency(a))

    def _put_user(self, conn, u: User) -> None:
        params = {
            "email": u.email.lower(),
            "name": u.name,
            "agency": u.agency,
            "role": u.role,
            "active": self._encode_bool(u.active),
            "reminders": self._encode_bool(u.reminders),
        }
        self._exec(conn, _upsert("users", USER_COLUMNS, "email"), params)

    def _put_changes(self, conn, changes: list[Change]) -> None:
        """History rows; one already there (same change id and field) is not written twice."""
        sql = _insert("history", CHANGE_COLUMNS, " ON CONFLICT (change_id, field) DO NOTHING")
        self._many(conn, sql, [self._encode_change(c) for c in changes])

    def _put_request(self, conn, r: Request) -> None:
        self._exec(conn, _upsert("requests", REQUEST_COLUMNS, "id"), self._encode_request(r))

    def _put_report(self, conn, r: PeriodReport) -> None:
        self._exec(conn, _upsert("period_reports", REPORT_COLUMNS, "id"), self._encode_report(r))

    def _encode_bool(self, value: bool):
        return value

    def _put_all(
        self, conn, directives, agencies, tasks, history, users, requests=(), period_reports=()
    ) -> None:
        self._lock_ids(conn)
        for a in agencies:
            self._put_agency(conn, a)
        for u in users:
            self._put_user(conn, u)
        self._many(conn, _insert("directives", DIRECTIVE_COLUMNS), [vars(d) for d in directives])
        self._insert_tasks(conn, list(tasks))
        self._many(
            conn, _insert("requests", REQUEST_COLUMNS), [self._encode_request(r) for r in requests]
        )
        self._many(
            conn,
            _insert("period_reports", REPORT_COLUMNS),
            [self._encode_report(r) for r in period_reports],
        )
        self._put_changes(conn, list(history))

    # -- Store -----------------------------------------------------------------------------------

    def _rows(self, conn, text: str, params=None) -> list:
        return self._exec(conn, text, params).fetchall()  # one call, not one per row

    history_since_sql = "at >= :since"  # SQLite compares its ISO text as moments (julianday)

    def load(self, history_days: int | None = None, history: bool = True) -> Snapshot:
        since = history_cutoff(self.tz, history_days) if history else now_local(self.tz)
        with self._read() as conn:
            directives = tuple(
                Directive(**{c: r[c] for c in DIRECTIVE_COLUMNS})
                for r in self._rows(conn, "SELECT * FROM directives ORDER BY id")
            )
            agencies = tuple(
                self._decode_agency(r)
                for r in self._rows(conn, f"SELECT * FROM agencies ORDER BY {self.agency_order}")
            )
            tasks = tuple(
                self._decode_task(r) for r in self._rows(conn, "SELECT * FROM tasks ORDER BY seq")
            )
            users = tuple(
                User(
                    **{
                        **{c: r[c] for c in USER_COLUMNS},
                        "active": bool(r["active"]),
                        "reminders": bool(r["reminders"]),
                    }
                )
                for r in self._rows(conn, "SELECT * FROM users ORDER BY email")
            )
            requests = tuple(
                self._decode_request(r)
                for r in self._rows(conn, "SELECT * FROM requests ORDER BY id")
            )
            reports = tuple(
                self._decode_report(r)
                for r in self._rows(conn, "SELECT * FROM period_reports ORDER BY id")
            )
            where, args = "", {}
            if not history:
                where = " WHERE false"
            elif since is not None:
                where, args = f" WHERE {self.history_since_sql}", {"since": self._moment(since)}
            changes = tuple(
                self._decode_change(r)
                for r in self._rows(conn, f"SELECT * FROM history{where} ORDER BY seq", args)
            )
            ledger = since if history else None  # a page's load: the window's days (Store.load)
            day_where = "" if ledger is None else " WHERE day >= :day"
            day_args = {} if ledger is None else {"day": self._moment(ledger.date())}
            deliveries = tuple(
                self._decode_delivery(r)
                for r in self._rows(
                    conn, f"SELECT * FROM reminders{day_where} ORDER BY seq", day_args
                )
            )
        return Snapshot(
            directives,
            agencies,
            tasks,
            users,
            changes,
            requests,
            deliveries=deliveries,
            period_reports=reports,
            loaded_at=now_local(self.tz),
            history_since=since,
        )

    def _moment(self, value):
        """A moment as a query parameter (SQLite: ISO text)."""
        return value

    @abstractmethod
    def _decode_delivery(self, row) -> Delivery: ...

    def _encode_delivery(self, d: Delivery) -> dict:
        return {c: getattr(d, c) for c in DELIVERY_COLUMNS}

    def record_deliveries(self, deliveries):
        with self._tx() as conn:
            self._many(
                conn,
                _insert("reminders", DELIVERY_COLUMNS),
                [self._encode_delivery(d) for d in deliveries],
            )

    def _fresh_task(self, conn, task_id: str) -> Task:
        """The task as it is now, locked until the commit where the dialect needs it."""
        row = self._exec(
            conn, "SELECT * FROM tasks WHERE id = :id" + self.for_update, {"id": task_id}
        ).fetchone()
        if row is None:
            raise TaskNotFound(task_id)
        return self._decode_task(row)

    def update_task(self, seen, changes, actor, now, authorize=None):
        with self._tx() as conn:
            rows = self._update(conn, seen, changes, actor, now, authorize)
            self._put_changes(conn, rows)
        return rows

    def _update(self, conn, seen, changes, actor, now, authorize) -> list[Change]:
        """The task's new cells inside the caller's transaction; its history rows returned."""
        fresh = self._fresh_task(conn, seen.id)
        names = self._agency_names(conn)
        new, changed, rows = plan_update(
            fresh, seen, changes, actor, now, authorize, names=lambda c: names.get(c, c)
        )  # history shows agency names, as on the sheet
        if changed:
            params = self._encode_task(new)
            sets = ", ".join(f"{f} = :{f}" for f in [*changed, "updated_at", "updated_by"])
            self._exec(conn, f"UPDATE tasks SET {sets} WHERE id = :id", params)
        return rows

    def _agency_names(self, conn) -> dict[str, str]:
        return {r["code"]: r["name"] for r in self._exec(conn, "SELECT code, name FROM agencies")}

    # -- requests (đề xuất) and periodic reports (báo cáo định kỳ) -----------------------------
    # A record is added and decided the same way for both: read under the task's lock, planned
    # by the shared rules (stores/base.py), written with its history row in one transaction.

    def _add_record(self, table: str, record, decode, plan, put):
        with self._tx() as conn:
            task = self._fresh_task(conn, record.task_id)  # locked: one waiting record a task
            self._lock_ids(conn)
            others = [
                decode(r)
                for r in self._exec(
                    conn, f"SELECT * FROM {table} WHERE task_id = :t", {"t": record.task_id}
                )
            ]
            ids = [r["id"] for r in self._exec(conn, f"SELECT id FROM {table}")]
            record, change = plan(task, others, ids)
            put(conn, record)
            self._put_changes(conn, [change])
        return record

    def _decide_record(self, table: str, seen, decode, plan, put, missing: str, task_update=None):
        with self._tx() as conn:
            row = self._exec(
                conn, f"SELECT * FROM {table} WHERE id = :id" + self.for_update, {"id": seen.id}
            ).fetchone()
            if row is None:
                raise StoreError(missing)
            decided, change = plan(decode(row))
            rows = task_update(conn) if task_update else []
            put(conn, decided)
            self._put_changes(conn, [*rows, change])
        return decided

    def add_request(self, request, actor, now, authorize=None):
        return self._add_record(
            "requests",
            request,
            self._decode_request,
            lambda task, others, ids: plan_request(
                task, others, request, ids, actor, now, authorize
            ),
            self._put_request,
        )

    def decide_request(
        self, seen, decision, actor, now, task_seen=None, task_changes=None, authorize=None
    ):
        return self._decide_record(
            "requests",
            seen,
            self._decode_request,
            lambda fresh: plan_decision(fresh, seen, decision, actor, now),
            self._put_request,
            f"Không tìm thấy đề xuất {seen.id}.",
            (lambda conn: self._update(conn, task_seen, task_changes, actor, now, authorize))
            if task_changes
            else None,
        )

    def add_period_report(self, report, actor, now, authorize=None):
        return self._add_record(
            "period_reports",
            report,
            self._decode_report,
            lambda task, others, ids: plan_period_report(
                task, others, report, ids, actor, now, authorize
            ),
            # an insert: an earlier report is never overwritten
            lambda conn, r: self._exec(
                conn, _insert("period_reports", REPORT_COLUMNS), self._encode_report(r)
            ),
        )

    def decide_period_report(self, seen, decision, actor, now):
        return self._decide_record(
            "period_reports",
            seen,
            self._decode_report,
            lambda fresh: plan_report_decision(fresh, seen, decision, actor, now),
            self._put_report,
            f"Không tìm thấy báo cáo kỳ {seen.id}.",
        )

    def add_directive(self, directive, tasks, actor, now):
        with self._tx() as conn:
            self._lock_ids(conn)
            if not directive.id:
                ids = [r["id"] for r in self._exec(conn, "SELECT id FROM directives")]
                directive = replace(directive, id=next_ids(ids, "VB", 1)[0])
            elif self._exec(
                conn, "SELECT id FROM directives WHERE id = :id", {"id": directive.id}
            ).fetchone():
                raise StoreError(f"Mã văn bản {directive.id} đã tồn tại.")
            self._exec(conn, _insert("directives", DIRECTIVE_COLUMNS), vars(directive))
            tasks = self._add(conn, tasks, actor, now, directive.id)
        return directive, tasks

    def add_tasks(self, tasks, actor, now):
        with self._tx() as conn:
            self._lock_ids(conn)
            return self._add(conn, tasks, actor, now)

    def _add(self, conn, tasks, actor, now, directive_id=None):
        existing = [r["id"] for r in self._exec(conn, "SELECT id FROM tasks")]
        tasks = [
            replace(t, updated_at=now.replace(microsecond=0), updated_by=actor.email)
            for t in assign_ids(tasks, existing, directive_id)
        ]
        self._insert_tasks(conn, tasks)
        names = self._agency_names(conn)
        self._put_changes(conn, creation_changes(tasks, actor, lambda c: names.get(c, c)))
        return tasks

    def bulk_load(
        self, directives, agencies, tasks, history=(), users=(), requests=(), period_reports=()
    ) -> None:
        """Rows written as they are (ids, history and all) in one transaction: for copying or
        generating whole data sets (demo data), where a save per change would take minutes."""
        with self._tx() as conn:
            self._put_all(
                conn, directives, agencies, tasks, history, users, requests, period_reports
            )

    def overwrite(self, directives, agencies, tasks, users, requests=(), period_reports=()) -> None:
        """Rows replaced by key with the given ones, as they are (a copy with --overwrite); a
        task keeps its place in the order."""
        sets = ", ".join(f"{c} = :{c}" for c in TASK_COLUMNS if c != "id")
        with self._tx() as conn:
            for a in agencies:
                self._put_agency(conn, a)
            for u in users:
                self._put_user(conn, u)
            self._many(
                conn, _upsert("directives", DIRECTIVE_COLUMNS, "id"), [vars(d) for d in directives]
            )
            self._many(
                conn,
                f"UPDATE tasks SET {sets} WHERE id = :id",
                [self._encode_task(t) for t in tasks],
            )
            for r in requests:
                self._put_request(conn, r)
            for r in period_reports:
                self._put_report(conn, r)

    def save_agency(self, agency):
        with self._tx() as conn:
            self._put_agency(conn, agency)

    def save_user(self, user):
        with self._tx() as conn:
            self._put_user(conn, user)

    def history(self, task_id=None):
        with self._read() as conn:
            sql, args = "SELECT * FROM history", {}
            if task_id is not None:
                sql, args = sql + " WHERE task_id = :task_id", {"task_id": task_id}
            return [self._decode_change(r) for r in self._rows(conn, sql + " ORDER BY seq", args)]
