"""What only the PostgreSQL store does: versioned migrations applied once and without data loss,
foreign or newer databases left alone, clear connection errors, the change counter."""

from __future__ import annotations

import shutil
from zoneinfo import ZoneInfo

import psycopg
import pytest

from services.config import ConfigError, load_settings
from services.domain.errors import StoreError
from services.stores.factory import open_store
from services.stores.postgres import MIGRATIONS_DIR, PostgresStore, describe, migrations
from services.stores.seed import seed_records
from tests.conftest import NOW, SNV, TZ

KNOWN = [f"{v:04d}_{name}" for v, name, _ in migrations()]  # every migration this code ships
LATEST = max(v for v, _, _ in migrations())
NEXT = f"{LATEST + 1:04d}"  # the number a new migration would take


def sql(url, text, params=None):
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(text, params)
        return cur.fetchall() if cur.description else None


def counting_seed():
    calls = []

    def seed():
        calls.append(1)
        return seed_records(TZ)

    return seed, calls


def test_created_seeded_once_and_kept_across_restarts(postgres_url):
    seed, calls = counting_seed()
    first = PostgresStore(postgres_url, seed=seed, tz=TZ)
    assert first.applied == KNOWN and first.schema_version() == LATEST
    first.update_task(first.load().task("NV-0001"), {"progress": 20}, SNV, NOW)
    first.close()
    again = PostgresStore(postgres_url, seed=seed, tz=TZ)  # a restart, or a second replica
    try:
        assert again.applied == [] and calls == [1]
        assert again.load().task("NV-0001").progress == 20
    finally:
        again.close()


def test_a_new_migration_is_applied_on_start_without_losing_data(postgres_url, tmp_path):
    store = PostgresStore(postgres_url, seed=lambda: seed_records(TZ), tz=TZ)
    store.update_task(store.load().task("NV-0002"), {"result": "giữ nguyên"}, SNV, NOW)
    store.close()
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    (folder / f"{NEXT}_note.sql").write_text(
        "ALTER TABLE tasks ADD COLUMN note text NOT NULL DEFAULT '';", encoding="utf-8"
    )
    with pytest.raises(StoreError, match="services.cli migrate"):
        PostgresStore(postgres_url, tz=TZ, migrations_dir=folder, migrate=False)
    upgraded = PostgresStore(postgres_url, tz=TZ, migrations_dir=folder)
    try:
        assert upgraded.applied == [f"{NEXT}_note"] and upgraded.schema_version() == LATEST + 1
        snap = upgraded.load()
        assert len(snap.tasks) == 29 and snap.task("NV-0002").result == "giữ nguyên"
        assert sql(postgres_url, "SELECT count(*) FROM tasks WHERE note = ''") == [(29,)]
    finally:
        upgraded.close()
    # the code of before that migration refuses the newer database rather than guessing
    with pytest.raises(StoreError, match="mới hơn"):
        PostgresStore(postgres_url, tz=TZ)


def test_a_failing_migration_changes_nothing(postgres_url, tmp_path):
    PostgresStore(postgres_url, seed=lambda: seed_records(TZ), tz=TZ).close()
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    (folder / f"{NEXT}_broken.sql").write_text(
        "ALTER TABLE tasks ADD COLUMN note text; ALTER TABLE nowhere ADD COLUMN x int;",
        encoding="utf-8",
    )
    with pytest.raises(StoreError, match=f"{NEXT}_broken.sql.*nowhere.*giữ nguyên"):
        PostgresStore(postgres_url, tz=TZ, migrations_dir=folder)
    columns = sql(
        postgres_url,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'tasks' AND table_schema = current_schema()",
    )
    assert ("note",) not in columns
    assert sql(postgres_url, "SELECT max(version) FROM schema_migrations") == [(LATEST,)]


def test_a_foreign_database_is_not_touched(postgres_url):
    sql(postgres_url, "CREATE TABLE tasks (x int); INSERT INTO tasks VALUES (7)")
    with pytest.raises(StoreError, match="không do ứng dụng tạo"):
        PostgresStore(postgres_url, seed=lambda: seed_records(TZ), tz=TZ)
    assert sql(postgres_url, "SELECT * FROM tasks") == [(7,)]
    assert sql(postgres_url, "SELECT to_regclass('schema_migrations')") == [(None,)]


def test_unreachable_server_is_a_clear_message_without_the_password():
    url = "postgresql://nguoidung:bi-mat@127.0.0.1:1/theo_doi?connect_timeout=2"
    with pytest.raises(StoreError) as caught:
        PostgresStore(url, connect_timeout=2)
    message = str(caught.value)
    assert "Không kết nối được máy chủ PostgreSQL 127.0.0.1:1/theo_doi" in message
    assert "bi-mat" not in message
    assert describe(url) == "127.0.0.1:1/theo_doi"


def test_times_come_back_in_the_office_time_zone(postgres_store):
    seen = postgres_store.load().task("NV-0003")
    postgres_store.update_task(seen, {"progress": 5}, SNV, NOW.astimezone(ZoneInfo("UTC")))
    after = postgres_store.load().task("NV-0003")
    assert after.updated_at == NOW and after.updated_at.utcoffset() == NOW.utcoffset()
    assert postgres_store.history("NV-0003")[0].at.utcoffset() == NOW.utcoffset()


def test_change_counter_moves_on_every_write_and_on_hand_edits(postgres_store, postgres_url):
    start = postgres_store.data_version()
    postgres_store.load()
    assert postgres_store.data_version() == start  # reads do not move it
    postgres_store.update_task(postgres_store.load().task("NV-0004"), {"progress": 9}, SNV, NOW)
    after_save = postgres_store.data_version()
    assert after_save > start
    sql(postgres_url, "UPDATE tasks SET result = 'sửa tay' WHERE id = 'NV-0005'")
    assert postgres_store.data_version() > after_save
    assert postgres_store.load().task("NV-0005").result == "sửa tay"


def test_postgres_url_selects_the_store(postgres_url):
    settings = load_settings({"postgres": {"url": postgres_url}})
    assert settings.backend == "postgres" and not settings.demo_mode
    assert postgres_url not in repr(settings)
    store = open_store(settings)
    try:
        assert isinstance(store, PostgresStore) and len(store.load().tasks) == 29
    finally:
        store.close()


def test_an_unseeded_store_starts_empty(postgres_url):
    store = open_store(load_settings({"postgres": {"url": postgres_url}}), seed=False)
    try:
        snap = store.load()
        assert snap.tasks == () and snap.agencies == () and store.schema_version() == LATEST
    finally:
        store.close()


@pytest.mark.parametrize(
    "section, message",
    [
        ({"url": "mysql://x"}, "phải bắt đầu bằng postgresql://"),
        ({"url": 5432}, "phải là một chuỗi"),
    ],
)
def test_bad_postgres_settings_are_explained(section, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"postgres": section})


def test_postgres_and_a_sheet_together_is_refused(service_account_info):
    with pytest.raises(ConfigError, match="chỉ dùng một kho"):
        load_settings(
            {
                "postgres": {"url": "postgresql://localhost/x"},
                "gsheets": {"spreadsheet": "abc", "service_account": service_account_info},
            }
        )


def test_bulk_rows_go_through_copy_and_read_back_like_sqlite(postgres_url, tmp_path):
    from services.demo_data import generate
    from services.stores.postgres import BULK
    from services.stores.sqlite import SQLiteStore

    directives, agencies, tasks, history = generate(tasks=BULK + 50, agencies=12, directives=5)
    assert len(tasks) >= BULK and len(history) >= BULK  # the COPY path, not row by row
    store = PostgresStore(postgres_url, tz=TZ)
    lite = SQLiteStore(str(tmp_path / "b.db"), tz=TZ)
    try:
        store.bulk_load(directives, agencies, tasks, history)
        lite.bulk_load(directives, agencies, tasks, history)
        ours, theirs = store.load(), lite.load()
        assert ours.tasks == theirs.tasks and ours.history == theirs.history
        assert ours.agencies == theirs.agencies and ours.directives == theirs.directives
        store.bulk_load([], [], [], history)  # history already there is not written twice
        assert len(store.history()) == len(history)
    finally:
        store.close()


def test_a_database_of_the_first_schema_is_upgraded_keeping_its_rows(postgres_url, tmp_path):
    """A deployment made before the follow-up cycle (0001 only) starts this code: 0002 adds the
    cycle's columns and the requests table; every task and history row is kept, and the cycle
    works on the upgraded database."""
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(MIGRATIONS_DIR / "0001_initial.sql", first)
    PostgresStore(postgres_url, tz=TZ, migrations_dir=first).close()
    sql(  # rows as the code of that schema wrote them
        postgres_url,
        "INSERT INTO agencies (code, name) VALUES ('SNV', 'Sở Nội vụ');"
        "INSERT INTO users VALUES ('snv@tinh.gov.vn', 'Sở Nội vụ', 'SNV', 'agency');"
        "INSERT INTO tasks (id, lead, status, result, deadline, seq) VALUES "
        "('NV-0003', 'SNV', 'Đang thực hiện', 'trước nâng cấp', '2026-12-31', 1);"
        "INSERT INTO history (at, change_id, task_id, field, old, new) VALUES "
        "(now(), 'c1', 'NV-0003', 'Kết quả', '', 'trước nâng cấp')",
    )
    upgraded = PostgresStore(postgres_url, tz=TZ)
    try:
        assert upgraded.applied == KNOWN[1:]
        snap = upgraded.load()
        task = snap.task("NV-0003")
        assert len(snap.tasks) == 1 and task.result == "trước nâng cấp" and len(snap.history) == 1
        assert (task.extensions, task.returns, task.withdrawn) == (0, 0, "")
        assert [u.active for u in snap.users] == [True] and snap.requests == ()
        from services.domain.model import EXTENSION, Request

        request = Request("", "NV-0003", EXTENSION, "Cần thêm thời gian", NOW.date())
        made = upgraded.add_request(request, SNV, NOW)
        assert upgraded.load().requests == (made,)
    finally:
        upgraded.close()
