"""`python -m services.cli`: check, init-sheet and export, on both stores."""

import csv
import io
import json

from services.cli import main
from services.stores.layout import COLUMNS, HISTORY, TASKS
from services.stores.seed import read_tables
from tests.conftest import sheet_spec


def secrets_file(tmp_path, fake=None, info=None, spreadsheet="sheet-test"):
    lines = ["[store]", f"sqlite_path = {json.dumps(str(tmp_path / 'local.db'))}"]
    if fake:
        lines += [
            "[gsheets]",
            f"spreadsheet = {json.dumps(spreadsheet)}",
            f"endpoint = {json.dumps(fake.url)}",
            "[gsheets.service_account]",
        ]
        lines += [f"{k} = {json.dumps(v)}" for k, v in info.items()]
    path = tmp_path / "secrets.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path)


def test_check_on_the_embedded_store(tmp_path, capsys):
    assert main(["--secrets", secrets_file(tmp_path), "check"]) == 0
    assert "0 lỗi, 0 cảnh báo" in capsys.readouterr().out


def test_check_finds_the_problems_of_a_hand_edited_sheet(
    tmp_path, capsys, fake_sheets, service_account_info
):
    tables = read_tables()
    tables[TASKS] += [
        ["NV-0001", "VB-0001", "1", "Trùng", "Sở Y tế"],
        ["", "VB-0001", "1", "Không mã", "Sở Y tế"],
        ["NV-0900", "VB-0009", "1", "=1+1", "Sở Mới", "", "", "Xong", "150"],
    ]
    fake_sheets.create(sheet_spec(tables))
    code = main(["--secrets", secrets_file(tmp_path, fake_sheets, service_account_info), "check"])
    out = capsys.readouterr().out
    assert code == 1
    assert "[LỖI] NhiemVu dòng 31: Mã NV NV-0001 bị trùng ở các dòng 2, 31" in out
    assert "[LỖI] NhiemVu dòng 32: thiếu Mã NV" in out
    assert "NhiemVu dòng 33: Trạng thái: Trạng thái không hợp lệ: «Xong»" in out
    assert "NhiemVu dòng 33: Tiến độ (%): Tiến độ phải từ 0 đến 100" in out
    assert "Cơ quan chủ trì: không có trong danh mục cơ quan: «Sở Mới»" in out
    assert "[cảnh báo] NhiemVu dòng 33: Nội dung nhiệm vụ: ô chứa công thức «=1+1»" in out
    assert "Mã VB «VB-0009» không có trong trang VanBan" in out


def test_init_sheet_creates_headers_copies_and_is_idempotent(
    tmp_path, capsys, fake_sheets, service_account_info
):
    fake_sheets.create(
        {"spreadsheetId": "empty", "title": "Mới", "sheets": [{"title": "NhiemVu", "values": []}]}
    )
    secrets = secrets_file(tmp_path, fake_sheets, service_account_info, "empty")
    assert main(["--secrets", secrets, "init-sheet", "--copy"]) == 0
    out = capsys.readouterr().out
    assert "Đã tạo trang tính LichSu." in out and "Đã chép 29 dòng vào NhiemVu." in out
    dump = {s["title"]: s["values"] for s in fake_sheets.dump("empty")["sheets"]}
    assert set(dump) == {
        "NhiemVu",
        "VanBan",
        "CoQuan",
        "NguoiDung",
        "LichSu",
        "DeXuat",
        "BaoCaoKy",
        "NhacViec",
    }
    assert dump["NhiemVu"][0] == [h for _, h in COLUMNS[TASKS]]
    assert len(dump["NhiemVu"]) == 30 and dump["NhiemVu"][1][4] == "Sở Nội vụ"
    assert dump[HISTORY] == [[h for _, h in COLUMNS[HISTORY]]]
    assert main(["--secrets", secrets, "init-sheet", "--copy"]) == 0  # again: nothing to do
    assert "Sheet đã đủ trang và tiêu đề." in capsys.readouterr().out
    assert {s["title"]: s["values"] for s in fake_sheets.dump("empty")["sheets"]} == dump
    assert main(["--secrets", secrets, "check"]) == 0  # the copied sheet is clean


def test_export_json_and_csv_from_the_sheet(tmp_path, capsys, fake_sheets, service_account_info):
    fake_sheets.create(sheet_spec(read_tables()))
    secrets = secrets_file(tmp_path, fake_sheets, service_account_info)
    assert main(["--secrets", secrets, "export", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["tasks"]) == 29 and data["tasks"][0]["category"] == "Thường xuyên"
    assert data["directives"][0]["number"] == "/UBND-KGVX" and len(data["agencies"]) == 27
    assert main(["--secrets", secrets, "export", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 29 and rows[20]["lead_name"] == "Sở Thông tin và Truyền thông"


def test_export_neutralises_formula_text(tmp_path, capsys, fake_sheets, service_account_info):
    tables = read_tables()
    tables[TASKS][1][9] = '=HYPERLINK("http://evil")'  # Kết quả thực hiện
    fake_sheets.create(sheet_spec(tables))
    main(
        [
            "--secrets",
            secrets_file(tmp_path, fake_sheets, service_account_info),
            "export",
            "--format",
            "csv",
        ]
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["result"].startswith("'=")


def test_bad_secrets_are_a_clear_message(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text("[app]\ndue_soon_days = 'x'", encoding="utf-8")
    assert main(["--secrets", str(path), "check"]) == 2
    assert "due_soon_days" in capsys.readouterr().err


def test_demo_data_goes_to_its_own_file_and_never_into_real_data(tmp_path, capsys):
    path = tmp_path / "demo.db"
    args = [
        "demo-data",
        "--tasks",
        "120",
        "--agencies",
        "8",
        "--directives",
        "4",
        "--sqlite-path",
        str(path),
    ]
    assert main(args) == 0
    from services.stores.sqlite import SQLiteStore

    snap = SQLiteStore(str(path)).load()
    assert len(snap.tasks) == 120 and all("[Dữ liệu mẫu]" in d.title for d in snap.directives)
    assert snap.history and "Đã tạo dữ liệu mẫu" in capsys.readouterr().out
    assert main(args) == 1  # a store that already has data is refused
    assert "chỉ được ghi vào một kho trống" in capsys.readouterr().err


def test_check_finds_an_update_without_its_history_row(
    tmp_path, capsys, fake_sheets, service_account_info
):
    tables = read_tables()
    tables[TASKS][1][12:14] = ["01/03/2025 08:00:00", "ai.do@snv.gov.vn"]  # typed by hand
    fake_sheets.create(sheet_spec(tables))
    assert (
        main(["--secrets", secrets_file(tmp_path, fake_sheets, service_account_info), "check"]) == 0
    )  # a warning, not an error
    assert (
        "[cảnh báo] NhiemVu: NV-0001: lần cập nhật lúc 01/03/2025 08:00:00 của "
        "ai.do@snv.gov.vn không có dòng tương ứng trong LichSu."
    ) in capsys.readouterr().out


def test_check_on_the_sheet_reads_it_twice_only(
    tmp_path, capsys, fake_sheets, service_account_info
):
    fake_sheets.create(sheet_spec(read_tables()))
    fake_sheets.clear_requests()
    assert (
        main(["--secrets", secrets_file(tmp_path, fake_sheets, service_account_info), "check"]) == 0
    )
    reads = [r for r in fake_sheets.requests() if r["path"].startswith("/v4/")]
    values = [r for r in reads if "values" in r["path"]]
    assert [r["query"]["valueRenderOption"] for r in values] == [["UNFORMATTED_VALUE"], ["FORMULA"]]
    assert [r["query"]["valueRenderOption"] for r in values] == [["UNFORMATTED_VALUE"], ["FORMULA"]]
    assert len(reads) == 3  # + the grid sizes, for the cell count against Google's limit
    assert "Dung lượng:" in capsys.readouterr().out


def test_init_sheet_upgrades_a_sheet_made_before_the_follow_up_cycle(
    tmp_path, capsys, fake_sheets, service_account_info
):
    """A workbook with the old headers and no DeXuat keeps working; init-sheet adds the new
    columns after the last header and the DeXuat worksheet, without touching any row."""
    tables = read_tables()
    old_width = 14
    tables = {
        "NhiemVu": [r[:old_width] for r in tables["NhiemVu"]],
        **{
            k: v
            for k, v in tables.items()
            if k not in ("NhiemVu", "DeXuat", "BaoCaoKy", "NhacViec")
        },
    }
    tables["NguoiDung"] = [tables["NguoiDung"][0][:4]]
    fake_sheets.create(
        sheet_spec(
            tables,
            "old",
        )
    )
    secrets = secrets_file(tmp_path, fake_sheets, service_account_info, "old")
    assert main(["--secrets", secrets, "export", "--format", "json"]) == 0  # reads without DeXuat
    assert len(json.loads(capsys.readouterr().out)["tasks"]) == 29
    before = {s["title"]: s["values"] for s in fake_sheets.dump("old")["sheets"]}
    assert main(["--secrets", secrets, "init-sheet"]) == 0
    out = capsys.readouterr().out
    assert "Đã tạo trang tính DeXuat." in out and "Hạn ban đầu" in out
    assert "Đã tạo trang tính NhacViec." in out  # the reminders' ledger
    assert "Đã tạo trang tính BaoCaoKy." in out and "Kỳ báo cáo" in out
    after = {s["title"]: s["values"] for s in fake_sheets.dump("old")["sheets"]}
    assert after["NhiemVu"][0] == [h for _, h in COLUMNS[TASKS]]
    assert [r[:old_width] for r in after["NhiemVu"][1:]] == before["NhiemVu"][1:]
    assert all(len(r) <= old_width for r in after["NhiemVu"][1:])  # no row was written
    assert after["NguoiDung"][0][-2:] == ["Đang hoạt động", "Nhận thư nhắc việc"]
    assert after["CoQuan"][0][-1] == "Email cơ quan"
    assert main(["--secrets", secrets, "check"]) == 0
