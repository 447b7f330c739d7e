"""What only the embedded store does: create and seed once, never reset a file it cannot use."""

import sqlite3

import pytest

from services.domain.errors import StoreError
from services.stores.sqlite import SQLiteStore
from tests.conftest import NOW, SNV


def test_created_and_seeded_once(tmp_path):
    path = tmp_path / "sub" / "app.db"
    calls = []

    def seed():
        calls.append(1)
        from services.stores.seed import seed_records

        return seed_records()

    store = SQLiteStore(str(path), seed=seed)
    seen = store.load().task("NV-0001")
    store.update_task(seen, {"progress": 20}, SNV, NOW)
    again = SQLiteStore(str(path), seed=seed)  # a restart: data kept, no second seeding
    assert calls == [1] and again.load().task("NV-0001").progress == 20


def test_the_file_is_in_wal_mode_so_readers_do_not_wait_for_a_writer(tmp_path):
    def mode(path):
        with sqlite3.connect(path) as conn:
            return conn.execute("PRAGMA journal_mode").fetchone()[0]

    new, old = tmp_path / "new.db", tmp_path / "old.db"
    SQLiteStore(str(new))
    assert mode(new) == "wal"
    SQLiteStore(str(old))
    with sqlite3.connect(old) as conn:  # a file made before, in the rollback journal
        conn.execute("PRAGMA journal_mode=DELETE")
    assert mode(old) == "delete"
    SQLiteStore(str(old))  # opened again, as after an upgrade
    assert mode(old) == "wal"


def test_corrupt_file_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "local.db"
    garbage = b"this is not a database " * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match="không phải cơ sở dữ liệu SQLite hợp lệ"):
        SQLiteStore(str(path))
    assert path.read_bytes() == garbage


def test_foreign_database_is_not_touched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="cấu trúc lạ"):
        SQLiteStore(str(path))
    assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall() == [
        ("notes",)
    ]


def test_unusable_location_is_a_clear_message(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="Không mở được cơ sở dữ liệu"):
        SQLiteStore(str(blocker / "app.db"))


def test_write_failure_keeps_data_and_explains(tmp_path, monkeypatch):
    store = SQLiteStore(
        str(tmp_path / "a.db"),
        seed=__import__("services.stores.seed", fromlist=["seed_records"]).seed_records,
    )
    seen = store.load().task("NV-0001")
    real_connect = store._connect

    def read_only():
        conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    monkeypatch.setattr(store, "_connect", read_only)
    with pytest.raises(StoreError, match="không có quyền ghi"):
        store.update_task(seen, {"progress": 50}, SNV, NOW)
    monkeypatch.setattr(store, "_connect", real_connect)
    assert store.load().task("NV-0001") == seen


def test_a_file_that_skipped_a_migration_is_repaired_keeping_its_rows(tmp_path):
    """A file at the current version that lacks one migration's columns and tables (built by a
    branch that numbered its migration after a missing one): opened, it gets them, rows kept."""
    import sqlite3

    from services.stores.sqlite import MIGRATIONS, SCHEMA, SCHEMA_VERSION, _statements

    path = tmp_path / "skipped.db"
    conn = sqlite3.connect(path)
    for statement in _statements(SCHEMA):
        conn.execute(statement)
    for version in sorted(MIGRATIONS):
        if version != 3:  # the reporting periods' migration never ran
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
    conn.execute(
        "INSERT INTO tasks (id, lead, status, seq) VALUES ('NV-0001', 'SNV', 'Chưa thực hiện', 1)"
    )
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.commit()
    conn.close()
    store = SQLiteStore(str(path))
    snap = store.load()
    assert [t.id for t in snap.tasks] == ["NV-0001"] and snap.tasks[0].cycle == ""
    assert snap.period_reports == ()
    again = sqlite3.connect(path)
    assert again.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
