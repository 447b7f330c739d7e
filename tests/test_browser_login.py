"""End to end: a real st.login round trip in headless Chromium against tests/oidcmock.

The app runs with `streamlit run app.py` (tests.e2e_support.serve_app) reading only a temporary
secrets file that points [store] at a temporary SQLite file and [auth] at the mock provider.
Screenshots of every step go to /tmp/login_*.png.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from services.domain.model import ROLE_AGENCY, User
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from tests.e2e_support import CHROMIUM, CHROMIUM_ARGS, free_port, serve_app, store_secrets
from tests.oidcmock import OIDCMockServer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path("/tmp")
KNOWN = User("canbo@snv.gov.vn", "Cán bộ SNV", "SNV", ROLE_AGENCY)
STRANGER = "stranger@example.com"
WAIT_MS = 30_000  # a first run on a busy 2-core machine takes seconds (as e2e_support)


def _secrets(db: Path, app_port: int, mock: OIDCMockServer) -> str:
    q = json.dumps  # a JSON string is a valid TOML basic string for these values
    return (
        store_secrets(db) + "\n[auth]\n"
        f"redirect_uri = {q(f'http://localhost:{app_port}/oauth2callback')}\n"
        f"cookie_secret = {q(secrets.token_urlsafe(32))}\n"
        f"client_id = {q(mock.client_id)}\n"
        f"client_secret = {q(mock.client_secret)}\n"
        f"server_metadata_url = {q(mock.metadata_url)}\n"
    )


@pytest.fixture(scope="module")
def oidc():
    with OIDCMockServer() as server:
        yield server


@pytest.fixture(scope="module")
def app_url(oidc, tmp_path_factory):
    """The app with a store that knows KNOWN, signing in through oidc. The browser must use the
    host of redirect_uri (localhost): st.login keeps its state in a cookie for that host."""
    folder = tmp_path_factory.mktemp("login_app")
    db = folder / "app.db"
    SQLiteStore(str(db), seed=seed_records).save_user(KNOWN)
    port = free_port()
    with serve_app(folder, _secrets(db, port, oidc), port=port, host="localhost") as server:
        yield server.url


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)  # process-wide: restored below for other modules
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default


@pytest.fixture
def page(chromium):
    """A fresh browser context (no cookies) per test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"login_{name}.png"))


def _sign_in(page, app_url: str, oidc: OIDCMockServer, email: str, name: str, shot: str) -> None:
    """From the sign-in page through the provider's form and back to the app."""
    from playwright.sync_api import expect

    page.goto(app_url + "/")
    expect(page.get_by_role("heading", name="Theo dõi nhiệm vụ")).to_be_visible()
    _shot(page, f"{shot}_1_sign_in_page")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{oidc.url}/authorize?*")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name").fill(name)
    _shot(page, f"{shot}_2_provider_form")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(app_url + "/**")


def _settle(page) -> None:
    """Let the current script run finish before counting what is absent."""
    page.wait_for_timeout(250)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def _expect_no_task_data(page) -> None:
    _settle(page)
    assert page.get_by_test_id("stDataFrame").count() == 0
    assert page.get_by_test_id("stMetric").count() == 0


def _sign_out_and_expect_sign_in_page(page, app_url: str, oidc: OIDCMockServer, shot: str):
    from playwright.sync_api import expect

    # st.logout clears the cookie at /auth/logout, which goes through the provider's
    # end_session endpoint, back to /oauth2callback and then to the app's root
    with page.expect_request(f"{oidc.url}/logout?*"):
        page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(app_url + "/")
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    assert oidc.log[-1]["event"] == "sign-out"
    page.reload()  # the identity cookie is gone: still signed out in a new session
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_role("heading", name="Theo dõi nhiệm vụ")).to_be_visible()
    _shot(page, f"{shot}_9_signed_out")


def test_unknown_account_sees_no_data(page, app_url, oidc):
    from playwright.sync_api import expect

    _sign_in(page, app_url, oidc, STRANGER, "Người lạ", "stranger")
    expect(page.get_by_role("heading", name="Tài khoản chưa được cấp quyền")).to_be_visible()
    expect(page.get_by_text(STRANGER)).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    _shot(page, "stranger_3_not_authorised")
    _expect_no_task_data(page)
    assert oidc.log[-1] == {"event": "sign-in", "email": STRANGER, "client_id": oidc.client_id}
    # Whatever the sidebar lists (see test_signed_out_sidebar_lists_no_pages), every page's own
    # role guard keeps the data hidden.
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link")
    for href in [link.get_attribute("href") for link in nav.all()]:
        page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').click()
        page.wait_for_url(href)
        expect(page.get_by_role("heading", name="Tài khoản chưa được cấp quyền")).to_be_visible()
        _expect_no_task_data(page)
    _sign_out_and_expect_sign_in_page(page, app_url, oidc, "stranger")


def test_signed_out_sidebar_lists_no_pages(page, app_url):
    from playwright.sync_api import expect

    page.goto(app_url + "/")
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    _settle(page)
    assert page.get_by_test_id("stSidebarNav").count() == 0


def test_known_agency_user_sees_overview_and_own_tasks(page, app_url, oidc):
    from playwright.sync_api import expect

    _sign_in(page, app_url, oidc, KNOWN.email, KNOWN.name, "canbo")
    expect(
        page.get_by_role("heading", name="Tổng quan tình hình thực hiện nhiệm vụ")
    ).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_be_visible()  # the KPI cards
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Cán bộ SNV")).to_be_visible()
    my_tasks = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Nhiệm vụ của tôi")
    expect(my_tasks).to_be_visible()
    _shot(page, "canbo_3_overview")
    my_tasks.click()
    expect(page.get_by_role("heading", name="Nhiệm vụ của Sở Nội vụ")).to_be_visible()
    _shot(page, "canbo_4_my_tasks")
    _sign_out_and_expect_sign_in_page(page, app_url, oidc, "canbo")
