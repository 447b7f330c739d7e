"""`python -m services.cli import FILE`: the JSON it prints, saving on both stores, exit codes."""

import json

import pytest

from services.cli import main
from services.config import load_settings, read_secrets_file
from services.stores.factory import open_store
from services.stores.layout import DIRECTIVES, TASKS
from services.stores.seed import DIRECTIVE_TEXT, read_tables
from tests.conftest import sheet_spec
from tests.directives.fixtures import HERE, build_table_docx
from tests.test_cli import secrets_file

PLAN = str(HERE / "01_ke_hoach.txt")


def store_for(secrets):
    return open_store(load_settings(read_secrets_file(secrets)))


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def test_dry_run_prints_exactly_the_extraction_and_saves_nothing(tmp_path, capsys):
    secrets = secrets_file(tmp_path)
    code, data, err = run(
        capsys, "--secrets", secrets, "import", PLAN, "--dry-run", "--format", "json"
    )
    assert code == 0
    assert set(data) == {"directive", "tasks", "warnings"}
    assert data["directive"] == {
        "number": "45/KH-UBND",
        "date": "2025-03-10",
        "issuer": "UBND tỉnh Hưng Yên",
        "type": "Kế hoạch",
        "title": "Triển khai Chương trình chuyển đổi số tỉnh Hưng Yên năm 2025",
        "signer": "Nguyễn Lê Huy",
    }
    assert len(data["tasks"]) == 20 and data["warnings"] == []
    assert set(data["tasks"][0]) == {
        "section",
        "lead",
        "lead_name",
        "partners",
        "partner_names",
        "deadline",
        "deadline_text",
        "suggested_deadline",
        "recurring",
        "content",
        "confidence",
        "source",
    }
    first = data["tasks"][0]
    assert (first["lead"], first["lead_name"]) == ("SKHCN", "Sở Khoa học và Công nghệ")
    assert (first["partners"], first["partner_names"]) == (["VPUB"], ["Văn phòng UBND tỉnh"])
    assert (first["deadline"], first["deadline_text"]) == (None, "Quý II/2025")
    assert "Chạy thử: sẽ thêm 20 nhiệm vụ vào một văn bản mới" in err
    snap = store_for(secrets).load()
    assert len(snap.directives) == 1 and len(snap.tasks) == 29


def test_save_on_the_embedded_store_then_again_adds_nothing(tmp_path, capsys):
    secrets = secrets_file(tmp_path)
    code, data, err = run(capsys, "--secrets", secrets, "import", PLAN)
    assert code == 0
    assert data["saved"] == {
        "directive_id": "VB-0002",
        "added_to_existing": False,
        "task_ids": [f"NV-{n:04d}" for n in range(30, 50)],
    }
    assert "Đã lưu văn bản VB-0002 và 20 nhiệm vụ: NV-0030 … NV-0049." in err
    snap = store_for(secrets).load()
    assert snap.directives[-1].number == "45/KH-UBND"
    task = snap.task("NV-0030")
    assert (task.directive_id, task.lead, task.partners) == ("VB-0002", "SKHCN", ("VPUB",))
    assert task.updated_by == "cli@may-chu"

    code, data, err = run(capsys, "--secrets", secrets, "import", PLAN)
    assert code == 0
    assert "Văn bản số 45/KH-UBND đã có (VB-0002)" in err and "Không có nhiệm vụ mới" in err
    assert data["saved"] == {"directive_id": "VB-0002", "added_to_existing": True, "task_ids": []}
    assert len(store_for(secrets).load().tasks) == 49


def test_the_seed_directive_is_recognised_as_already_imported(tmp_path, capsys):
    secrets = secrets_file(tmp_path)
    code, data, err = run(capsys, "--secrets", secrets, "import", str(DIRECTIVE_TEXT))
    assert code == 0 and len(data["tasks"]) == 29
    assert "(VB-0001)" in err and data["saved"]["task_ids"] == []


def test_save_on_the_google_sheet(tmp_path, capsys, fake_sheets, service_account_info):
    fake_sheets.create(sheet_spec(read_tables()))
    secrets = secrets_file(tmp_path, fake_sheets, service_account_info)
    docx = tmp_path / "ke_hoach.docx"
    docx.write_bytes(build_table_docx())
    code, data, err = run(capsys, "--secrets", secrets, "import", str(docx))
    assert code == 1  # "Các đơn vị liên quan" leads one row: no agency to save it under
    assert "chủ trì Các đơn vị liên quan" in err and "saved" not in data
    code, data, err = run(capsys, "--secrets", secrets, "import", PLAN)
    assert code == 0 and data["saved"]["directive_id"] == "VB-0002"
    sheets = {s["title"]: s["values"] for s in fake_sheets.dump("sheet-test")["sheets"]}
    assert sheets[DIRECTIVES][-1][:4] == [
        "VB-0002",
        "45/KH-UBND",
        "10/03/2025",
        "UBND tỉnh Hưng Yên",
    ]
    assert len(sheets[TASKS]) == 1 + 29 + 20
    row = sheets[TASKS][30]
    assert row[:7] == [
        "NV-0030",
        "VB-0002",
        "II.1",
        "Tổ chức hội nghị quán triệt Nghị quyết số 57-NQ/TW và Kế hoạch này",
        "Sở Khoa học và Công nghệ",
        "Văn phòng UBND tỉnh",
        "",  # "Quý II/2025": a period, no date
    ]


def test_an_unknown_lead_refuses_the_whole_file(tmp_path, capsys):
    secrets = secrets_file(tmp_path)
    code, data, err = run(capsys, "--secrets", secrets, "import", str(HERE / "03_thong_bao.txt"))
    assert code == 1
    assert "Cơ quan chủ trì «Sở Ngoại vụ» chưa có trong danh mục cơ quan." in err
    assert "Nhiệm vụ 5 (mục 2.d" in err and "saved" not in data
    assert len(data["tasks"]) == 5
    assert len(store_for(secrets).load().directives) == 1
    code, _, _ = run(
        capsys, "--secrets", secrets, "import", str(HERE / "03_thong_bao.txt"), "--dry-run"
    )
    assert code == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "english.txt",
            b"The committee asks every department to report on the plan. " * 5,
            "không có dấu tiếng Việt",
        ),
        ("empty.txt", b"", "Văn bản trống"),
        ("broken.docx", b"PK\x03\x04 not a zip", "Không mở được tệp .docx"),
    ],
)
def test_a_file_without_tasks_exits_1_with_the_reason(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, data, err = run(capsys, "--secrets", secrets_file(tmp_path), "import", str(path))
    assert code == 1 and data["tasks"] == []
    assert any(message in w for w in data["warnings"]) and message in err
    assert "Chưa có nhiệm vụ nào để lưu." in err


def test_configuration_and_file_errors_exit_2(tmp_path, capsys, fake_sheets, service_account_info):
    bad = tmp_path / "bad.toml"
    bad.write_text("[app]\ndue_soon_days = 'x'", encoding="utf-8")
    assert main(["--secrets", str(bad), "import", PLAN]) == 2
    assert "due_soon_days" in capsys.readouterr().err
    assert main(["--secrets", secrets_file(tmp_path), "import", str(tmp_path / "khong.txt")]) == 2
    assert "không tìm thấy tệp" in capsys.readouterr().err
    missing = secrets_file(tmp_path, fake_sheets, service_account_info, "no-such-sheet")
    assert main(["--secrets", missing, "import", PLAN]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("Lỗi: ")


def test_a_reworded_task_of_an_imported_directive_is_flagged(capsys, tmp_path):
    from services.stores.seed import DIRECTIVE_TEXT

    text = DIRECTIVE_TEXT.read_text(encoding="utf-8").replace("nêu trên./.", "nêu trên, định kỳ./.")
    changed = tmp_path / "lan2.txt"
    changed.write_text(text, encoding="utf-8")
    code, _, err = run(  # a store of its own: never the developer's data/local.db
        capsys, "--secrets", secrets_file(tmp_path), "import", str(changed), "--dry-run"
    )
    assert "gần giống nhiệm vụ đã có" in err
