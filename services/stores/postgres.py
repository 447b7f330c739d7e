"""The PostgreSQL store: one database shared by any number of app replicas.

Like the SQLite store, every write is one transaction: the task is re-read `FOR UPDATE` (a row
lock held to the commit, so a concurrent save of the same task waits and then sees the fresh row),
checked and authorised by `plan_update`, written with its history rows, and committed. Writers
that pick new ids (NV-0030, VB-0002) take one transaction-level advisory lock, so concurrent adds
never collide. Reads are one REPEATABLE READ transaction, so a snapshot is consistent.

The schema is versioned: services/stores/migrations/NNNN_name.sql, applied in order on start (or by
`python -m services.cli migrate`) in one transaction under an advisory lock, so two replicas
starting together migrate once; a brand-new database is seeded in that same transaction. A
database that holds our tables without our migration record, or a newer schema than this code
knows, is refused and left untouched.

Change signal: triggers bump the single row of `data_version` in every writing transaction;
`data_version()` is one indexed read, which the shared snapshot cache checks before reusing its
snapshot, so a save on one replica is seen on the others at their next rerun.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from services.domain.errors import StoreError
from services.domain.model import Agency, Change, Delivery, PeriodReport, Request, Task
from services.stores.sql import (
    CHANGE_COLUMNS,
    DELIVERY_COLUMNS,
    REPORT_COLUMNS,
    REQUEST_COLUMNS,
    TASK_COLUMNS,
    SQLStore,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 7_464_001  # advisory lock keys (any constants unique to this app)
IDS_LOCK = 7_464_002
OUR_TABLES = (
    "tasks",
    "directives",
    "agencies",
    "users",
    "history",
    "requests",
    "period_reports",
    "reminders",
    "data_version",
)
BULK = 200  # from this many rows, COPY instead of one INSERT per row
TASK_TYPES = [
    *["text"] * 5,  # id, directive_id, section, content, lead
    "text[]",  # partners
    "date",
    "text",  # status
    "int4",  # progress
    "text",
    "text",
    "date",  # completed_on
    "timestamptz",
    "text",  # updated_by
    "date",  # original_deadline
    "int4",  # extensions
    "int4",  # returns
    "text",  # return_reason
    "text",  # withdrawn
    "text",  # cycle
    "int8",  # seq
]
_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def migrations(folder: Path = MIGRATIONS_DIR) -> list[tuple[int, str, Path]]:
    """(version, name, file) of every NNNN_name.sql in `folder`, in order."""
    found = []
    for path in sorted(folder.glob("*.sql")):
        number, _, name = path.stem.partition("_")
        if number.isdigit():
            found.append((int(number), name, path))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise StoreError(f"Hai tệp migration trùng số phiên bản trong {folder}.")
    return found


def describe(url: str) -> str:
    """host:port/dbname of a connection URL, without the password (for messages)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(địa chỉ [postgres] url không đọc được)"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


class PostgresStore(SQLStore):
    for_update = " FOR UPDATE"

    def __init__(
        self,
        url: str,
        seed=None,
        tz: str = "Asia/Ho_Chi_Minh",
        migrate: bool = True,
        migrations_dir: Path = MIGRATIONS_DIR,
        pool_size: int = 4,
        connect_timeout: int = 10,
    ):
        """`seed()` returns (directives, agencies, tasks, users) for a brand-new database.
        `migrate=False` only checks that the schema is current (a replica that must not change
        it); the default applies pending migrations."""
        self.url, self.tz, self.where = url, tz, describe(url)
        self.connect_timeout = connect_timeout
        self.migrations_dir = migrations_dir
        self.applied: list[str] = []  # migrations this instance applied on start
        self._check_schema(seed, migrate)
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs=self._connect_kwargs(),
            configure=self._configure,
            check=ConnectionPool.check_connection,
            timeout=connect_timeout,
            name="theo-doi-nhiem-vu",
            open=True,
        )

    def close(self) -> None:
        self.pool.close()

    # -- connection ------------------------------------------------------------------------------

    def _connect_kwargs(self) -> dict:
        return {
            "autocommit": True,  # transactions are explicit: `with conn.transaction()`
            "row_factory": dict_row,
            "connect_timeout": self.connect_timeout,
            "application_name": "theo-doi-nhiem-vu",
        }

    def _configure(self, conn: psycopg.Connection) -> None:
        conn.execute("SELECT set_config('TimeZone', %s, false)", [self.tz])

    def _sql(self, text: str) -> str:
        return _PLACEHOLDER.sub(r"%(\1)s", text)

    @contextmanager
    def _errors(self):
        """Driver failures as one clear Vietnamese StoreError (the password is never shown)."""
        try:
            yield
        except PoolTimeout as e:
            raise StoreError(
                f"Không kết nối được máy chủ PostgreSQL {self.where} (hết thời gian chờ). "
                "Hãy kiểm tra máy chủ, mạng và [postgres] url."
            ) from e
        except psycopg.OperationalError as e:
            raise StoreError(
                f"Mất kết nối tới PostgreSQL {self.where}: {e}. Thao tác có thể chưa được lưu: "
                "hãy tải lại trang để kiểm tra rồi thử lại."
            ) from e
        except psycopg.Error as e:
            raise StoreError(f"Lỗi cơ sở dữ liệu PostgreSQL {self.where}: {e}") from e

    @contextmanager
    def _tx(self):
        with self._errors(), self.pool.connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def _read(self):
        with self._errors(), self.pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn

    def _lock_ids(self, conn) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [IDS_LOCK])

    # -- bulk rows: COPY (a copy or a demo data set of 100,000 tasks in seconds, not minutes) ----

    def _insert_tasks(self, conn, tasks: list[Task]) -> None:
        if len(tasks) < BULK:
            return super()._insert_tasks(conn, tasks)
        top = conn.execute("SELECT coalesce(max(seq), 0) AS top FROM tasks").fetchone()["top"]
        columns = ", ".join((*TASK_COLUMNS, "seq"))
        with conn.cursor().copy(f"COPY tasks ({columns}) FROM STDIN") as copy:
            copy.set_types(TASK_TYPES)
            for i, t in enumerate(tasks, 1):
                row = self._encode_task(t)
                copy.write_row([*(row[c] for c in TASK_COLUMNS), top + i])

    def _put_changes(self, conn, changes: list[Change]) -> None:
        if len(changes) < BULK:
            return super()._put_changes(conn, changes)
        columns = ", ".join(CHANGE_COLUMNS)
        conn.execute(
            "CREATE TEMP TABLE history_in (ord bigint, at timestamptz, change_id text, "
            "task_id text, field text, old text, new text, actor text, actor_agency text) "
            "ON COMMIT DROP"
        )
        with conn.cursor().copy(f"COPY history_in (ord, {columns}) FROM STDIN") as copy:
            copy.set_types(["int8", "timestamptz", *["text"] * (len(CHANGE_COLUMNS) - 1)])
            for i, c in enumerate(changes):
                copy.write_row([i, *(getattr(c, k) for k in CHANGE_COLUMNS)])
        conn.execute(  # the same rule as one by one: a row already there is not written twice
            f"INSERT INTO history ({columns}) SELECT {columns} FROM history_in ORDER BY ord "
            "ON CONFLICT (change_id, field) DO NOTHING"
        )
        conn.execute("DROP TABLE history_in")

    def data_version(self) -> int:
        """The change counter: a different number means another writer changed the data."""
        with self._errors(), self.pool.connection() as conn:
            row = cast(dict, conn.execute("SELECT version FROM data_version").fetchone())
            return row["version"]

    # -- schema ----------------------------------------------------------------------------------

    def _check_schema(self, seed, migrate: bool) -> None:
        try:
            conn = psycopg.connect(self.url, **self._connect_kwargs())
        except psycopg.Error as e:
            raise StoreError(
                f"Không kết nối được máy chủ PostgreSQL {self.where}: {e}. Hãy kiểm tra "
                "[postgres] url (máy chủ, cổng, tên cơ sở dữ liệu, người dùng, mật khẩu, sslmode)."
            ) from e
        try:
            with self._errors(), conn:
                self._configure(conn)
                with conn.transaction():
                    self._migrate(conn, seed, migrate)
        finally:
            conn.close()

    def _migrate(self, conn, seed, migrate: bool) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])  # one replica at once
        known = migrations(self.migrations_dir)
        if not self._exists(conn, "schema_migrations"):
            ours = [t for t in OUR_TABLES if self._exists(conn, t)]
            if ours:
                raise StoreError(
                    f"Cơ sở dữ liệu {self.where} đã có bảng {', '.join(ours)} nhưng không do ứng "
                    "dụng tạo (thiếu bảng schema_migrations); ứng dụng không sửa nó. Hãy dùng một "
                    "cơ sở dữ liệu (hoặc schema) mới."
                )
            if not migrate:
                raise StoreError(
                    f"Cơ sở dữ liệu {self.where} chưa được khởi tạo: hãy chạy "
                    "`python -m services.cli migrate`."
                )
            conn.execute(
                "CREATE TABLE schema_migrations (version integer PRIMARY KEY, "
                "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
        applied = {r["version"] for r in conn.execute("SELECT version FROM schema_migrations")}
        newest = max((v for v, _, _ in known), default=0)
        if applied and max(applied) > newest:
            raise StoreError(
                f"Cơ sở dữ liệu {self.where} ở phiên bản lược đồ {max(applied)}, mới hơn phiên bản "
                f"mà ứng dụng này biết ({newest}): hãy cập nhật ứng dụng; không có gì bị thay đổi."
            )
        pending = [(v, name, path) for v, name, path in known if v not in applied]
        if pending and not migrate:
            raise StoreError(
                f"Cơ sở dữ liệu {self.where} cần nâng cấp lược đồ "
                f"({', '.join(f'{v:04d}_{n}' for v, n, _ in pending)}): hãy chạy "
                "`python -m services.cli migrate`."
            )
        for version, name, path in pending:
            try:
                conn.execute(path.read_text(encoding="utf-8"))
            except psycopg.Error as e:
                raise StoreError(
                    f"Không nâng cấp được lược đồ ({path.name}): {e}. Cơ sở dữ liệu {self.where} "
                    "vẫn giữ nguyên như trước (mọi bước nâng cấp nằm trong một giao dịch)."
                ) from e
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", [version, name]
            )
            self.applied.append(f"{version:04d}_{name}")
        if not applied and seed is not None:  # brand new: seeded in the creating transaction
            directives, agencies, tasks, users = seed()
            self._put_all(conn, directives, agencies, tasks, (), users)

    @staticmethod
    def _exists(conn, table: str) -> bool:
        return conn.execute("SELECT to_regclass(%s) AS t", [table]).fetchone()["t"] is not None

    def schema_version(self) -> int:
        with self._read() as conn:
            return conn.execute("SELECT max(version) AS v FROM schema_migrations").fetchone()["v"]

    # -- rows ------------------------------------------------------------------------------------

    def _decode_task(self, row) -> Task:
        return Task(**{**{c: row[c] for c in TASK_COLUMNS}, "partners": tuple(row["partners"])})

    def _encode_task(self, t: Task) -> dict:
        return {**{c: getattr(t, c) for c in TASK_COLUMNS}, "partners": list(t.partners)}

    def _decode_change(self, row) -> Change:
        return Change(**{c: row[c] for c in CHANGE_COLUMNS})

    def _encode_change(self, c: Change) -> dict:
        return {k: getattr(c, k) for k in CHANGE_COLUMNS}

    def _decode_agency(self, row) -> Agency:
        return Agency(
            code=row["code"],
            name=row["name"],
            aliases=tuple(row["aliases"]),
            group=row["grp"],
            successor=row["successor"],
            active=row["active"],
            email=row["email"],
        )

    def _encode_agency(self, a: Agency) -> dict:
        return {
            "code": a.code,
            "name": a.name,
            "aliases": list(a.aliases),
            "grp": a.group,
            "successor": a.successor,
            "active": a.active,
            "email": a.email,
        }

    def _decode_delivery(self, row) -> Delivery:
        return Delivery(**{c: row[c] for c in DELIVERY_COLUMNS})

    def _decode_request(self, row) -> Request:
        return Request(**{c: row[c] for c in REQUEST_COLUMNS})

    def _encode_request(self, r: Request) -> dict:
        return {c: getattr(r, c) for c in REQUEST_COLUMNS}

    def _decode_report(self, row) -> PeriodReport:
        return PeriodReport(**{c: row[c] for c in REPORT_COLUMNS})

    def _encode_report(self, r: PeriodReport) -> dict:
        return {c: getattr(r, c) for c in REPORT_COLUMNS}
