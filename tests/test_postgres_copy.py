"""`python -m services.cli copy --from A --to B`: SQLite -> PostgreSQL, PostgreSQL -> SQLite,
Sheet -> PostgreSQL, PostgreSQL -> Sheet; idempotent, verified, never overwriting by surprise."""

from __future__ import annotations

import json

import psycopg
import pytest

from services.cli import main
from services.config import load_settings
from services.domain.model import DONE, IN_PROGRESS
from services.stores.factory import open_store
from services.stores.seed import read_tables, seed_records
from services.stores.sqlite import SQLiteStore
from services.stores.transfer import snapshot_checksum, task_checksum
from tests.conftest import ADMIN, NOW, SNV, TZ, sheet_spec


def toml_value(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def secrets(path, **tables) -> str:
    lines = []
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def sqlite_with_history(path) -> SQLiteStore:
    store = SQLiteStore(str(path), seed=lambda: seed_records(TZ), tz=TZ)
    store.update_task(
        store.load().task("NV-0001"), {"status": IN_PROGRESS, "progress": 40}, SNV, NOW
    )
    store.update_task(
        store.load().task("NV-0002"),
        {"status": DONE, "progress": 100, "result": "Xong; «trích dẫn»\n2 dòng"},
        ADMIN,
        NOW,
    )
    return store


def run(capsys, *argv) -> tuple[int, str]:
    code = main(["copy", *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def same_data(a, b) -> None:
    assert [task_checksum(t) for t in a.tasks] == [task_checksum(t) for t in b.tasks]
    assert a.directives == b.directives and a.agencies == b.agencies and a.users == b.users
    assert [(c.change_id, c.field, c.old, c.new, c.at) for c in a.history] == [
        (c.change_id, c.field, c.old, c.new, c.at) for c in b.history
    ]


def postgres_snapshot(url):
    store = open_store(load_settings({"postgres": {"url": url}}), seed=False)
    try:
        return store.load()
    finally:
        store.close()


def test_sqlite_to_postgres_dry_run_copy_verify_and_a_second_run_writes_nothing(
    tmp_path, postgres_url, capsys
):
    source = sqlite_with_history(tmp_path / "a.db").load()
    a = secrets(tmp_path / "a.toml", store={"sqlite_path": str(tmp_path / "a.db")})
    b = secrets(tmp_path / "b.toml", postgres={"url": postgres_url})

    code, out = run(capsys, "--from", a, "--to", b, "--dry-run")
    assert code == 0 and "Chép 29 nhiệm vụ còn thiếu" in out and "Chép 5 dòng lịch sử" in out
    assert "Chạy thử: chưa ghi gì." in out
    assert postgres_snapshot(postgres_url).tasks == ()  # the target starts empty, not seeded

    code, out = run(capsys, "--from", a, "--to", b)
    assert code == 0, out
    assert "nhiệm vụ: nguồn 29, đích 29 — khớp" in out and "dòng lịch sử: nguồn 5, đích 5" in out
    assert f"sha256 {snapshot_checksum(source)[:16]}" in out
    copied = postgres_snapshot(postgres_url)
    same_data(source, copied)

    code, out = run(capsys, "--from", a, "--to", b)
    assert code == 0 and "không cần chép gì" in out and "khớp nguồn" in out
    assert len(postgres_snapshot(postgres_url).history) == 5  # nothing doubled


def test_a_differing_row_is_reported_not_overwritten_unless_asked(tmp_path, postgres_url, capsys):
    sqlite_with_history(tmp_path / "a.db")
    a = secrets(tmp_path / "a.toml", store={"sqlite_path": str(tmp_path / "a.db")})
    b = secrets(tmp_path / "b.toml", postgres={"url": postgres_url})
    assert run(capsys, "--from", a, "--to", b)[0] == 0
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE tasks SET result = 'sửa ở đích' WHERE id = 'NV-0003'")

    code, out = run(capsys, "--from", a, "--to", b)
    assert code == 1 and "1 nhiệm vụ khác nguồn (NV-0003): không ghi đè" in out
    assert "NV-0003" in out and "CHƯA khớp" in out
    assert postgres_snapshot(postgres_url).task("NV-0003").result == "sửa ở đích"

    code, out = run(capsys, "--from", a, "--to", b, "--overwrite")
    assert code == 0, out
    fixed = postgres_snapshot(postgres_url)
    assert fixed.task("NV-0003").result == "" and [t.id for t in fixed.tasks][:4] == [
        "NV-0001",
        "NV-0002",
        "NV-0003",
        "NV-0004",
    ]


def test_postgres_to_a_new_sqlite_file(tmp_path, postgres_store, postgres_url, capsys):
    postgres_store.update_task(
        postgres_store.load().task("NV-0010"), {"progress": 70, "evidence": "=1+1"}, SNV, NOW
    )
    a = secrets(tmp_path / "a.toml", postgres={"url": postgres_url})
    b = secrets(tmp_path / "b.toml", store={"sqlite_path": str(tmp_path / "new.db")})
    code, out = run(capsys, "--from", a, "--to", b)
    assert code == 0, out
    same_data(postgres_store.load(), SQLiteStore(str(tmp_path / "new.db"), tz=TZ).load())


def test_sheet_to_postgres_and_postgres_to_a_sheet_mirror(
    tmp_path, fake_sheets, seeded_sheet, service_account_info, gsheets_store, postgres_url, capsys
):
    gsheets_store.update_task(
        gsheets_store.load().task("NV-0005"), {"status": IN_PROGRESS, "progress": 15}, SNV, NOW
    )
    sheet = {"endpoint": fake_sheets.url, "service_account": service_account_info}
    a = secrets(tmp_path / "a.toml", gsheets={"spreadsheet": seeded_sheet, **sheet})
    b = secrets(tmp_path / "b.toml", postgres={"url": postgres_url})
    code, out = run(capsys, "--from", a, "--to", b)
    assert code == 0, out
    source = gsheets_store.load()
    same_data(source, postgres_snapshot(postgres_url))

    fake_sheets.create(sheet_spec({}, "mirror"))  # an empty spreadsheet, shared with the app
    c = secrets(tmp_path / "c.toml", gsheets={"spreadsheet": "mirror", **sheet})
    code, out = run(capsys, "--from", b, "--to", c, "--dry-run")
    assert code == 0 and "Chép 29 nhiệm vụ" in out
    code, out = run(capsys, "--from", b, "--to", c)
    assert code == 0, out
    mirror = open_store(load_settings({"gsheets": {"spreadsheet": "mirror", **sheet}}))
    same_data(source, mirror.load())
    writes = len(fake_sheets.requests())
    code, out = run(capsys, "--from", b, "--to", c)  # idempotent: reads only
    assert code == 0 and "không cần chép gì" in out
    assert not [
        r
        for r in fake_sheets.requests()[writes:]
        if r["method"] != "GET" and "batchGet" not in r["path"] and r["path"] != "/token"
    ]


def test_bad_source_data_is_refused(
    tmp_path, fake_sheets, service_account_info, postgres_url, capsys
):
    tables = read_tables()
    tables["NhiemVu"] = [*tables["NhiemVu"], list(tables["NhiemVu"][1])]  # a duplicate id
    fake_sheets.create(sheet_spec(tables, "dup"))
    sheet = {"endpoint": fake_sheets.url, "service_account": service_account_info}
    a = secrets(tmp_path / "a.toml", gsheets={"spreadsheet": "dup", **sheet})
    b = secrets(tmp_path / "b.toml", postgres={"url": postgres_url})
    code, out = run(capsys, "--from", a, "--to", b)
    assert code == 2 and "Dữ liệu nguồn có lỗi" in out and "NV-0001" in out
    assert postgres_snapshot(postgres_url).tasks == ()


@pytest.mark.parametrize("missing", ["a", "b"])
def test_missing_secrets_file_is_named(tmp_path, missing, capsys):
    a = secrets(tmp_path / "a.toml", store={"sqlite_path": str(tmp_path / "x.db")})
    paths = {"a": a, "b": a.replace("a.toml", "b.toml")}
    paths[missing] = str(tmp_path / "nowhere.toml")
    code, out = run(capsys, "--from", paths["a"], "--to", paths["b"])
    assert code == 2 and "nowhere.toml" in out


def test_migrate_command_creates_once_seeded_or_empty(
    tmp_path, postgres_url, postgres_server, capsys
):
    from tests.pgcluster import drop_schema, new_schema

    path = secrets(tmp_path / "s.toml", postgres={"url": postgres_url})
    assert main(["--secrets", path, "migrate"]) == 0
    assert (
        "phiên bản 4 (0001_initial, 0002_follow_up_cycle, 0003_period_reports, 0004_reminders)"
        in capsys.readouterr().out
    )
    assert main(["--secrets", path, "migrate"]) == 0
    assert "phiên bản 4 (không có gì mới)" in capsys.readouterr().out
    assert len(postgres_snapshot(postgres_url).tasks) == 29  # seeded, as the app would

    schema, empty_url = new_schema(postgres_server)
    try:
        path = secrets(tmp_path / "e.toml", postgres={"url": empty_url})
        assert main(["--secrets", path, "migrate", "--empty"]) == 0
        assert postgres_snapshot(empty_url).tasks == ()
    finally:
        drop_schema(postgres_server, schema)
    lite = secrets(tmp_path / "l.toml", store={"sqlite_path": str(tmp_path / "l.db")})
    assert main(["--secrets", lite, "migrate"]) == 2
    assert "Chưa cấu hình [postgres] url" in capsys.readouterr().err
