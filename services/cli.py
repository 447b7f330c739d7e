"""Command line: `python -m services.cli [--secrets PATH] check | init-sheet | export | demo-data | import
| migrate | copy --from A --to B | remind [--dry-run] [--date dd/mm/yyyy] [--to-agency CODE]`.

It reads the same secrets file as the app, so it checks and exports exactly what the app sees.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path

from services import demo_data
from services.config import ConfigError, load_settings, read_secrets_file
from services.dashboard.metrics import tasks_frame
from services.domain.dates import format_date
from services.domain.errors import AppError
from services.domain.model import ROLE_ADMIN, Snapshot, User, now_local
from services.importing.parser import parse_file, to_json, to_tasks
from services.importing.saving import (
    ImportRefused,
    find_existing,
    near_duplicates,
    prepare_import,
    save_import,
)
from services.reports.export import neutralise
from services.stores.checks import cell_usage, run_checks
from services.stores.factory import open_store
from services.stores.seed import seed_records
from services.stores.sheets import GSheetsStore
from services.stores.sqlite import SQLiteStore


def _check(settings, args) -> int:
    store = open_store(settings)
    findings = run_checks(store)
    errors = [f for f in findings if f.level == "error"]
    where = "Google Sheet" if settings.backend == "gsheets" else settings.sqlite_path
    print(f"Kiểm tra dữ liệu ({where}): {len(errors)} lỗi, {len(findings) - len(errors)} cảnh báo.")
    if hasattr(store, "cell_count"):
        print(f"Dung lượng: {cell_usage(store.cell_count(refresh=False))} (cảnh báo từ 80%).")
    for f in findings:
        print(f"[{'LỖI' if f.level == 'error' else 'cảnh báo'}] {f}")
    return 1 if errors else 0


def _archive_history(settings, args) -> int:
    if settings.backend != "gsheets":
        print(
            "Lưu trữ lịch sử chỉ dùng cho Google Sheet (giới hạn 10 triệu ô); cơ sở dữ liệu "
            "không cần.",
            file=sys.stderr,
        )
        return 2
    store = open_store(settings)
    assert isinstance(store, GSheetsStore)
    year = args.before_year or now_local(settings.timezone).year
    for line in store.archive_history(year, dry_run=args.dry_run):
        print(line)
    return 0


def _init_sheet(settings, args) -> int:
    if settings.backend != "gsheets":
        print(
            "Chưa cấu hình [gsheets] trong secrets: không có Google Sheet để khởi tạo.",
            file=sys.stderr,
        )
        return 2
    source = None
    if args.copy:
        source = SQLiteStore(
            settings.sqlite_path, seed=lambda: seed_records(settings.timezone), tz=settings.timezone
        ).load()
    store = open_store(settings)
    assert isinstance(store, GSheetsStore)  # the backend is gsheets
    for line in store.init_sheet(source) or ["Sheet đã đủ trang và tiêu đề."]:
        print(line)
    return 0


def _json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def _export(settings, args) -> int:
    snapshot = open_store(settings).load()
    as_of = now_local(settings.timezone).date()
    frame = tasks_frame(snapshot, as_of, settings.due_soon_days)
    if args.format == "json":
        tasks = [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]
        json.dump(
            {
                "as_of": as_of.isoformat(),
                "tasks": tasks,
                "agencies": [
                    {
                        "code": a.code,
                        "name": a.name,
                        "aliases": list(a.aliases),
                        "group": a.group,
                        "successor": a.successor,
                        "active": a.active,
                    }
                    for a in snapshot.agencies
                ],
                "directives": [vars(d) for d in snapshot.directives],
            },
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        print()
        return 0
    out = csv.writer(sys.stdout)
    out.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        out.writerow(
            [
                neutralise(
                    format_date(v)
                    if isinstance(v, date) and not isinstance(v, datetime)
                    else _json_value(v)
                )
                for v in row
            ]
        )
    return 0


def _migrate(settings, args) -> int:
    """Apply the pending schema migrations of the PostgreSQL store (the app does it on start)."""
    if settings.backend != "postgres":
        print("Chưa cấu hình [postgres] url: chỉ kho PostgreSQL có migration.", file=sys.stderr)
        return 2
    from services.stores.postgres import PostgresStore

    seed = None if args.empty else (lambda: seed_records(settings.timezone))
    # migrates on open; a brand-new database is seeded as the app would, unless --empty
    store = PostgresStore(settings.postgres_url, seed=seed, tz=settings.timezone)
    try:
        done = ", ".join(store.applied) or "không có gì mới"
        print(f"Lược đồ PostgreSQL {store.where}: phiên bản {store.schema_version()} ({done}).")
    finally:
        store.close()
    return 0


def _where(settings) -> str:
    if settings.backend == "postgres":
        from services.stores.postgres import describe

        return f"PostgreSQL {describe(settings.postgres_url)}"
    if settings.backend == "gsheets":
        return f"Google Sheet {settings.spreadsheet}"
    return f"SQLite {settings.sqlite_path}"


def _copy(settings, args) -> int:
    """Copy every row from the store of --from into the store of --to; exit 1 unless the target
    then matches the source (counts, and the checksum of every task)."""
    from services.stores import transfer

    source_settings = load_settings(read_secrets_file(_existing(args.source)))
    target_settings = load_settings(read_secrets_file(_existing(args.target)))
    if source_settings.backend == "sqlite" and not Path(source_settings.sqlite_path).exists():
        print(f"Lỗi: không có tệp nguồn «{source_settings.sqlite_path}».", file=sys.stderr)
        return 2
    if _where(source_settings) == _where(target_settings):
        print("Lỗi: nguồn và đích là cùng một kho.", file=sys.stderr)
        return 2
    print(f"Nguồn: {_where(source_settings)}\nĐích: {_where(target_settings)}")
    source_store = open_store(source_settings, seed=False)
    try:
        source = source_store.load()
    finally:
        _close(source_store)
    transfer.check_source(source)
    target = open_store(target_settings, seed=False)
    try:
        return _copy_into(target, target_settings.backend, source, args)
    finally:
        _close(target)


def _copy_into(target, backend: str, source, args) -> int:
    from services.stores import transfer

    if backend == "gsheets" and not args.dry_run:
        target.init_sheet()  # missing worksheets and header rows first
    try:
        current = target.load()
    except AppError:
        if not args.dry_run or backend != "gsheets":
            raise
        current = Snapshot()  # a sheet without its worksheets yet: they will be made
    plan = transfer.plan_copy(source, current)
    for line in transfer.describe_plan(plan, args.overwrite):
        print(line)
    if args.dry_run:
        print("Chạy thử: chưa ghi gì.")
        return 0
    if not plan.nothing_to_do:
        transfer.apply_copy(source, target, plan, args.overwrite)
    ok, lines = transfer.verify(source, target.load())
    for line in lines:
        print(line)
    print("Đã chép xong, đích khớp nguồn." if ok else "Đích CHƯA khớp nguồn (xem các dòng trên).")
    return 0 if ok else 1


def _close(store) -> None:
    close = getattr(store, "close", None)  # PostgreSQL: its connection pool
    if close is not None:
        close()


def _existing(path: str) -> str:
    if not Path(path).exists():
        raise ConfigError(f"Không tìm thấy tệp secrets «{path}».")
    return path


CLI_ACTOR = User(email="cli@may-chu", name="Dòng lệnh", role=ROLE_ADMIN)


def _remind(settings, args) -> int:
    """Today's reminder e-mails (services/reminders/run.py). Exit 0 when everything due was
    sent, 1 when a recipient failed or time ran out (retried at the next run), 2 when nothing
    could be sent or recorded."""
    import signal

    from services.reminders.mail import text_body
    from services.reminders.run import parse_day, run

    day = parse_day(args.date) if args.date else None

    def stop(signum, frame):  # a cancelled job still records what it sent (run's finally)
        raise SystemExit(2)

    signal.signal(signal.SIGTERM, stop)
    store = open_store(settings)
    try:
        report = run(store, settings, day=day, dry_run=args.dry_run, only=args.to_agency)
    finally:
        _close(store)
    for line in report.lines():
        print(line)
    if args.dry_run:
        for p in report.planned:
            if not p.skipped:
                print(f"\n===== {p.digest.subject} =====\nNgười nhận: {', '.join(p.pending)}\n")
                print(text_body(p.digest))
    if not settings.base_url:
        print(
            "[cảnh báo] Chưa cấu hình [app] base_url: thư không có đường dẫn tới nhiệm vụ.",
            file=sys.stderr,
        )
    return report.exit_code


def _import(settings, args) -> int:
    """Read a directive file, print what was read as JSON, and (without --dry-run) save it.
    Exit 1 when there is no task or a row cannot be saved; nothing is saved then."""
    try:
        data = Path(args.file).read_bytes()
    except FileNotFoundError:
        print(f"Lỗi: không tìm thấy tệp «{args.file}».", file=sys.stderr)
        return 2
    except OSError:
        print(
            f"Lỗi: không đọc được tệp «{args.file}» (thư mục, hoặc không có quyền đọc).",
            file=sys.stderr,
        )
        return 2
    store = open_store(settings)
    snapshot = store.load()
    result = parse_file(Path(args.file).name, data, snapshot.agencies)
    output = to_json(result)
    for warning in result.warnings:
        print(f"[cảnh báo] {warning}", file=sys.stderr)
    code = 0
    existing = find_existing(snapshot, result.directive)
    if existing:
        print(
            f"[cảnh báo] Văn bản số {existing.number} đã có ({existing.id}): chỉ thêm các nhiệm "
            "vụ mới vào văn bản đã có.",
            file=sys.stderr,
        )
    tasks = to_tasks(result)
    if existing:  # a reworded task is not skipped as a copy: say so, the admin decides
        for index, old in near_duplicates(snapshot, existing.id, tasks).items():
            print(
                f"[cảnh báo] Nhiệm vụ {index + 1} (mục {tasks[index].section or '?'}) gần giống "
                f"nhiệm vụ đã có {old.id}: kiểm tra trước khi lưu.",
                file=sys.stderr,
            )
    try:
        if args.dry_run:
            plan = prepare_import(snapshot, result.directive, tasks, CLI_ACTOR, bool(existing))
            what = f"văn bản {existing.id}" if existing else "một văn bản mới"
            print(
                f"Chạy thử: sẽ thêm {len(plan.tasks)} nhiệm vụ vào {what}; chưa lưu gì.",
                file=sys.stderr,
            )
        else:
            directive, saved = save_import(
                store,
                snapshot,
                result.directive,
                tasks,
                CLI_ACTOR,
                now_local(settings.timezone),
                bool(existing),
            )
            output["saved"] = {
                "directive_id": directive.id,
                "added_to_existing": bool(existing),
                "task_ids": [t.id for t in saved],
            }
            ids = (
                f": {saved[0].id} … {saved[-1].id}"
                if len(saved) > 1
                else f": {saved[0].id}"
                if saved
                else ""
            )
            if not existing:
                done = f"Đã lưu văn bản {directive.id} và {len(saved)} nhiệm vụ{ids}."
            elif saved:
                done = f"Đã thêm {len(saved)} nhiệm vụ mới vào văn bản {directive.id}{ids}."
            else:
                done = (
                    f"Không có nhiệm vụ mới: cả {len(tasks)} nhiệm vụ đã có trong văn bản "
                    f"{directive.id}; không lưu gì."
                )
            print(done, file=sys.stderr)
    except ImportRefused as e:
        code = 1
        print(f"Lỗi: {e.message}", file=sys.stderr)
        for index, message in sorted(e.rows.items()):
            task = tasks[index]
            print(
                f"  Nhiệm vụ {index + 1} (mục {task.section or '?'}, chủ trì "
                f"{task.lead or '?'}): {message}",
                file=sys.stderr,
            )
    json.dump(output, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return code


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.cli",
        description="Theo dõi nhiệm vụ: kiểm tra, khởi tạo, xuất dữ liệu.",
    )
    parser.add_argument(
        "--secrets",
        default=".streamlit/secrets.toml",
        help="tệp secrets (mặc định .streamlit/secrets.toml)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="kiểm tra dữ liệu; mã thoát 1 khi có lỗi").set_defaults(run=_check)
    init = sub.add_parser(
        "init-sheet", help="tạo trang tính và tiêu đề còn thiếu trong Google Sheet"
    )
    init.add_argument(
        "--copy",
        action="store_true",
        help="chép dữ liệu của kho nhúng (SQLite) vào các trang còn trống",
    )
    init.set_defaults(run=_init_sheet)
    archive = sub.add_parser(
        "archive-history",
        help="chuyển lịch sử các năm trước sang trang LichSu_<năm> (Google Sheet)",
    )
    archive.add_argument(
        "--before-year",
        type=int,
        default=None,
        help="chuyển các dòng trước ngày 01/01 của năm này (mặc định: năm nay)",
    )
    archive.add_argument("--dry-run", action="store_true", help="chỉ cho biết sẽ chuyển gì")
    archive.set_defaults(run=_archive_history)
    export = sub.add_parser("export", help="in dữ liệu (nhiệm vụ kèm phân loại hôm nay)")
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.set_defaults(run=_export)
    imp = sub.add_parser(
        "import",
        help="đọc văn bản (.txt, .docx, .pdf có lớp chữ), in kết quả dạng JSON và lưu; "
        "mã thoát 1 khi không có nhiệm vụ hoặc có dòng không lưu được",
    )
    imp.add_argument("file", metavar="FILE", help="tệp văn bản .txt, .docx hoặc .pdf")
    imp.add_argument("--dry-run", action="store_true", help="chỉ đọc và kiểm tra, không lưu")
    imp.add_argument("--format", choices=["json"], default="json")
    imp.set_defaults(run=_import)
    migrate = sub.add_parser(
        "migrate", help="áp dụng các bản nâng cấp lược đồ còn thiếu (kho PostgreSQL)"
    )
    migrate.add_argument(
        "--empty",
        action="store_true",
        help="cơ sở dữ liệu mới thì để trống (không nạp dữ liệu mẫu), ví dụ trước khi copy",
    )
    migrate.set_defaults(run=_migrate)
    copy = sub.add_parser(
        "copy",
        help="chép toàn bộ dữ liệu từ kho này sang kho khác, rồi kiểm tra (số dòng, tổng kiểm)",
    )
    copy.add_argument("--from", dest="source", required=True, help="tệp secrets của kho nguồn")
    copy.add_argument("--to", dest="target", required=True, help="tệp secrets của kho đích")
    copy.add_argument("--dry-run", action="store_true", help="chỉ cho biết sẽ chép gì")
    copy.add_argument(
        "--overwrite",
        action="store_true",
        help="ghi đè các dòng ở đích khác nguồn (chỉ khi đích là SQLite/PostgreSQL)",
    )
    copy.set_defaults(run=_copy)
    remind = sub.add_parser(
        "remind",
        help="gửi thư nhắc việc hôm nay cho các cơ quan và lãnh đạo (mỗi người một lần mỗi ngày)",
    )
    remind.add_argument(
        "--dry-run", action="store_true", help="chỉ in thư sẽ gửi; không gửi, không ghi"
    )
    remind.add_argument("--date", help="ngày của thư, dd/mm/yyyy (mặc định: hôm nay, giờ VN)")
    remind.add_argument(
        "--to-agency", metavar="CODE", help="chỉ thư của cơ quan này (LANH_DAO: thư lãnh đạo)"
    )
    remind.set_defaults(run=_remind)
    sub.add_parser(
        "demo-data",
        add_help=False,
        help="tạo dữ liệu mẫu vào một tệp SQLite riêng (xem demo-data --help)",
    )
    args, extra = parser.parse_known_args(argv)
    if args.command == "demo-data":  # its own options: services/demo_data.py
        return demo_data.main(extra)
    if extra:
        parser.error(f"không hiểu: {' '.join(extra)}")
    try:
        settings = load_settings(read_secrets_file(args.secrets))
        return args.run(settings, args)
    except AppError as e:  # ConfigError, StoreError, PermissionDenied, ...
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
