"""The app itself on the Google Sheets store (over the fake): data, modes and error messages."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from services.stores.seed import read_tables
from tests.conftest import sheet_spec

ROOT = Path(__file__).resolve().parent.parent


def app_on_sheet(fake, info, spreadsheet="sheet-test", public_read=True):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets["app"] = {"public_read": public_read}
    at.secrets["gsheets"] = {
        "spreadsheet": spreadsheet,
        "endpoint": fake.url,
        "service_account": info,
    }
    return at


def test_public_read_shows_the_sheet_read_only(fake_sheets, seeded_sheet, service_account_info):
    at = app_on_sheet(fake_sheets, service_account_info).run()
    assert not at.exception
    assert at.metric[0].value == "29"
    assert "Chế độ công khai" in at.sidebar.info[0].value
    assert not at.sidebar.selectbox  # no role picker outside demo mode
    reads = [r for r in fake_sheets.requests() if r["path"].startswith("/v4/")]
    # the grid sizes (where LichSu's recent tail starts; once per process), then the data
    assert [r["path"].rsplit("/", 1)[-1] for r in reads] == ["sheet-test", "values:batchGet"]
    at.run()  # a rerun within the TTL reads nothing
    assert len([r for r in fake_sheets.requests() if r["path"].startswith("/v4/")]) == 2


def test_sheet_not_shared_says_whom_to_share_it_with(fake_sheets, service_account_info):
    fake_sheets.create(sheet_spec(read_tables(), "private", shared_with=["x@y.vn"]))
    at = app_on_sheet(fake_sheets, service_account_info, "private").run()
    assert not at.exception
    assert service_account_info["client_email"] in at.error[0].value
    assert not at.metric


def test_missing_worksheet_is_named(fake_sheets, service_account_info):
    tables = read_tables()
    del tables["CoQuan"]
    fake_sheets.create(sheet_spec(tables, "partial"))
    at = app_on_sheet(fake_sheets, service_account_info, "partial").run()
    assert not at.exception and "thiếu trang tính «CoQuan»" in at.error[0].value


def test_unreadable_cells_are_said_and_their_tasks_marked(fake_sheets, service_account_info):
    """A hand-typed impossible date in NhiemVu: Tổng quan says how many cells were not read and
    the task carries a «Có ô không đọc được» badge on its agency's page (not silently shown as
    Thường xuyên)."""
    from services.dashboard.board import UNREADABLE
    from services.stores.layout import COLUMNS, TASKS

    tables = read_tables()
    deadline = [h for _, h in COLUMNS[TASKS]].index("Hạn hoàn thành")
    tables[TASKS][1][deadline] = "31/02/2025"  # NV-0001, Sở Nội vụ
    fake_sheets.create(sheet_spec(tables))
    at = app_on_sheet(fake_sheets, service_account_info).run()
    assert not at.exception
    assert any("1 ô không đọc được" in w.value for w in at.warning)
    at.switch_page("views/agency.py")
    at.query_params["agency"] = "SNV"
    at.run()
    assert not at.exception
    own = at.dataframe[0].value
    row = own[own["id"] == "NV-0001"].iloc[0]
    assert UNREADABLE in list(row["badges"])
    assert all(UNREADABLE not in list(b) for b in own[own["id"] != "NV-0001"]["badges"])
