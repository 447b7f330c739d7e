"""AppTest: every page under every role, the guards, and the modes of docs/ARCHITECTURE.md, "Security"."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.domain.model import ROLE_ADMIN, ROLE_AGENCY, ROLE_LEADER, ROLES
from services.ui.identity import PAGES
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent


def texts(at):
    return " ".join(
        str(e.value)
        for e in [*at.title, *at.markdown, *at.error, *at.warning, *at.info, *at.caption]
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_allowed_page_renders_for_every_role(tmp_path, role):
    at = make_app(tmp_path, role).run()
    assert not at.exception
    for key, (path, title, _, roles) in PAGES.items():
        if role not in roles:
            continue
        at.switch_page(path).run()
        assert not at.exception, (role, key)
        assert at.title, (role, key)


@pytest.mark.parametrize("role", ROLES)
def test_forbidden_pages_are_hidden_and_refuse_when_opened(tmp_path, role):
    """Pages of other roles are registered hidden (not in the menu); opened by a link or
    switch_page, their guard shows a Vietnamese refusal and no data."""
    for key, (path, title, _, roles) in PAGES.items():
        if role in roles:
            continue
        at = make_app(tmp_path, role).run()
        at.switch_page(path).run()
        assert not at.exception, (role, key)
        assert [e.value for e in at.error] == ["Bạn không có quyền xem trang này."], (role, key)
        assert not at.dataframe and not at.metric and not at.data_editor, (role, key)


@pytest.mark.parametrize("key", list(PAGES))
def test_page_files_guard_themselves_when_run_directly(tmp_path, key):
    """A page file run on its own, without app.py (as Streamlit's legacy multipage mode would
    run a pages/ folder): the guard must hold there too."""
    path, _, _, roles = PAGES[key]
    for role in ROLES:
        at = make_app(tmp_path, role, script=path).run()
        assert not at.exception
        if role in roles:
            assert not at.error
        else:
            assert [e.value for e in at.error] == ["Bạn không có quyền xem trang này."]
            assert not at.dataframe and not at.metric


def test_demo_mode_shows_banner_and_picker(tmp_path):
    at = make_app(tmp_path).run()
    assert "Chế độ thử nghiệm" in at.sidebar.warning[0].value
    assert at.sidebar.selectbox(key="_demo_role_widget").value == ROLE_LEADER
    assert at.metric[0].label == "Tổng số nhiệm vụ" and at.metric[0].value == "29"
    assert [b.label for b in at.sidebar.button] == ["Làm mới"]
    assert "Dữ liệu lúc" in texts(at)


def test_agency_sees_its_own_tasks_and_those_of_agencies_merged_into_it(tmp_path):
    at = make_app(tmp_path, ROLE_AGENCY, agency="SKHCN").run()
    at.switch_page("views/my_tasks.py").run()
    assert at.title[0].value == "Nhiệm vụ của Sở Khoa học và Công nghệ"
    own = at.dataframe[0].value
    assert list(own["id"]) == ["NV-0010", "NV-0013", "NV-0019", "NV-0020", "NV-0021"]
    assert own.iloc[0]["lead_name"] == "Sở Thông tin và Truyền thông"


def test_no_secrets_file_runs_on_the_embedded_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default sqlite_path is relative: keep it out of the repo
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception and at.metric[0].value == "29"
    assert (tmp_path / "data" / "local.db").exists()


def test_google_sheets_without_sign_in_shows_setup_and_no_data(tmp_path):
    at = make_app(
        tmp_path,
        secrets={
            "gsheets": {
                "spreadsheet": "abc",
                "endpoint": "http://127.0.0.1:9",
                "service_account": {"client_email": "sa@x.iam.gserviceaccount.com"},
            }
        },
    ).run()
    assert not at.exception
    assert "Cần cấu hình đăng nhập" in texts(at)
    assert not at.metric and not at.dataframe and not at.sidebar.selectbox


def test_sign_in_configured_asks_to_sign_in_and_shows_no_data(tmp_path):
    at = make_app(
        tmp_path,
        role=ROLE_ADMIN,
        secrets={
            "auth": {
                "redirect_uri": "http://localhost:8501/oauth2callback",
                "cookie_secret": "x" * 32,
                "client_id": "id",
                "client_secret": "secret",
                "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
            }
        },
    ).run()
    assert not at.exception
    assert "Vui lòng đăng nhập" in texts(at) and at.button[0].label == "Đăng nhập"
    assert not at.metric and not at.dataframe  # a forged demo_role gives nothing


def test_corrupt_database_gives_a_message_not_a_crash(tmp_path):
    (tmp_path / "app.db").write_bytes(b"garbage" * 100)
    at = make_app(tmp_path).run()
    assert not at.exception
    assert "không phải cơ sở dữ liệu SQLite hợp lệ" in at.error[0].value
    assert (tmp_path / "app.db").read_bytes() == b"garbage" * 100


def test_query_params_do_not_change_who_you_are(tmp_path):
    at = make_app(tmp_path, ROLE_LEADER)
    for key, value in {"role": "admin", "demo_role": "admin", "agency": "SNV"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    at.switch_page("views/admin.py").run()
    assert [e.value for e in at.error] == ["Bạn không có quyền xem trang này."]


def test_names_from_the_data_are_shown_as_typed_not_as_markdown(tmp_path):
    from services.domain.model import Agency
    from services.stores.seed import seed_records
    from services.stores.sqlite import SQLiteStore

    store = SQLiteStore(str(tmp_path / "app.db"), seed=seed_records)
    store.save_agency(
        Agency("SNV", "[Đăng nhập lại](https://evil.example) :red[Sở]", (), "Sở, ban, ngành")
    )
    at = make_app(tmp_path, ROLE_AGENCY, agency="SNV").run()
    at.switch_page("views/my_tasks.py").run()
    title = at.title[0].value
    assert "\\[Đăng nhập lại\\](https:\u2060//evil.example)" in title and ":red\\[Sở\\]" in title


def test_demo_role_survives_a_reload_and_no_permission_offers_a_way_back(tmp_path):
    at = make_app(tmp_path, ROLE_ADMIN).run()
    assert not at.exception
    assert at.query_params["thu-nghiem"] == "admin"  # kept in the URL
    reloaded = make_app(tmp_path)  # F5: a new session, the same URL
    reloaded.query_params["thu-nghiem"] = "admin"
    reloaded.switch_page("views/admin.py").run()
    assert not reloaded.exception and reloaded.title[0].value == "Quản trị"

    leader = make_app(tmp_path, ROLE_LEADER).run()
    leader.switch_page("views/admin.py").run()
    assert [e.value for e in leader.error] == ["Bạn không có quyền xem trang này."]
    assert any("chọn vai trò khác" in c.value for c in leader.caption)


def test_a_store_that_cannot_be_read_explains_the_next_step(tmp_path, fake_sheets):
    from tests.conftest import sheet_spec
    from tests.fakesheets.fixtures import make_service_account_info

    fake_sheets.create(sheet_spec({"NhiemVu": [["Mã NV"]]}, shared_with=[]))
    info = make_service_account_info(fake_sheets.url + "/token")
    secrets = {
        "gsheets": {
            "spreadsheet": "sheet-test",
            "endpoint": fake_sheets.url,
            "service_account": info,
        },
        "app": {"public_read": True},
    }
    at = make_app(tmp_path, secrets=secrets).run()
    assert not at.exception
    assert at.title[0].value == "Ứng dụng chưa được phép đọc Google Sheet"
    assert info["client_email"] in texts(at)
    assert any(b.label == "Thử lại" for b in at.button)


def test_inert_text_has_no_link_a_browser_would_make():
    from services.ui.widgets import md

    shown = md("Sở http://evil.example · www.evil.vn · a@evil.vn · ![c](http://h/x.png)")
    for live in ("://", "www.", "[c]("):
        assert live not in shown
    assert shown.replace("\u2060", "").replace("\\", "") == (
        "Sở http://evil.example · www.evil.vn · a@evil.vn · ![c](http://h/x.png)"
    )
