"""Shared fixtures: a fresh store per test, the seed, and clean Streamlit caches."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from services.domain.model import ROLE_ADMIN, ROLE_AGENCY, ROLE_LEADER, User
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore

TZ = "Asia/Ho_Chi_Minh"
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=ZoneInfo(TZ))

ADMIN = User("admin@ubnd.gov.vn", "Quản trị", "VPUB", ROLE_ADMIN)
LEADER = User("chutich@ubnd.gov.vn", "Chủ tịch", "", ROLE_LEADER)
SNV = User("canbo@snv.gov.vn", "Cán bộ Sở Nội vụ", "SNV", ROLE_AGENCY)


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium: skip them with a reason where there is none, except in CI."""
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if os.path.exists(chromium):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(
            f"CI=true but no Chromium at {chromium}: install it (apt-get "
            "install chromium) or set CHROMIUM_PATH."
        )
    skip = pytest.mark.skip(reason=f"no Chromium at {chromium} (set CHROMIUM_PATH)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def make_app(tmp_path, role=None, agency="SNV", script="app.py", secrets=None):
    """AppTest of `script` (app.py, or a page file run alone) on a store in tmp_path, in demo
    mode as `role`; not run yet."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    at = AppTest.from_file(str(root / script), default_timeout=30)
    at.secrets["store"] = {"sqlite_path": str(tmp_path / "app.db")}
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if role:
        at.session_state["demo_role"] = role
        at.session_state["demo_agency"] = agency
    return at


def open_app(tmp_path, role=None, agency="SNV", page=None, secrets=None):
    """make_app(...), run, and opened on `page`."""
    at = make_app(tmp_path, role, agency, secrets=secrets).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


@pytest.fixture
def sqlite_store(tmp_path):
    return SQLiteStore(str(tmp_path / "test.db"), seed=lambda: seed_records(TZ), tz=TZ)


_MAIN_MODULE = sys.modules["__main__"]


@pytest.fixture(autouse=True)
def _real_main_module():
    """AppTest runs app.py as the __main__ module and leaves it there; a process spawned later
    in the same worker (the multi-process tests) would then run app.py again while starting
    (multiprocessing's spawn re-imports the parent's __main__). Put pytest's back."""
    sys.modules["__main__"] = _MAIN_MODULE
    yield
    sys.modules["__main__"] = _MAIN_MODULE


@pytest.fixture(autouse=True)
def _clean_streamlit_caches():
    yield
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


# --- Google Sheets backend over the fake Sheets API ---------------------------------------------

from tests.fakesheets.fixtures import fake_sheets, fake_sheets_server, service_account_info  # noqa: E402, F401  (fixtures)


def sheet_spec(tables: dict, spreadsheet_id: str = "sheet-test", **extra) -> dict:
    """A fake spreadsheet holding these worksheets (name -> rows, header first)."""
    return {
        "spreadsheetId": spreadsheet_id,
        "title": "Theo dõi nhiệm vụ",
        "locale": "vi_VN",
        "timeZone": TZ,
        **extra,
        "sheets": [
            {"sheetId": i, "title": name, "index": i, "values": rows}
            for i, (name, rows) in enumerate(tables.items())
        ],
    }


def gsheets_settings_for(fake, info, spreadsheet_id: str = "sheet-test"):
    from services.config import load_settings

    return load_settings(
        {"gsheets": {"spreadsheet": spreadsheet_id, "endpoint": fake.url, "service_account": info}}
    )


@pytest.fixture
def seeded_sheet(fake_sheets):
    """A fake spreadsheet holding the seed, as the CSV files in data/seed/ have it."""
    from services.stores.seed import read_tables

    fake_sheets.create(sheet_spec(read_tables()))
    return "sheet-test"


@pytest.fixture
def gsheets_store(fake_sheets, seeded_sheet, service_account_info):
    from services.stores.sheets import GSheetsStore

    return GSheetsStore.from_settings(
        gsheets_settings_for(fake_sheets, service_account_info), deadline_seconds=3
    )


# --- PostgreSQL backend: TEST_POSTGRES_URL (CI), else a throwaway cluster per test process ----


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a PostgreSQL server the tests may create schemas in."""
    from tests import pgcluster

    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        yield url
        return
    bindir = pgcluster.binaries()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true but no PostgreSQL: set TEST_POSTGRES_URL or install it "
                "(apt-get install postgresql)."
            )
        pytest.skip("no PostgreSQL (set TEST_POSTGRES_URL or apt-get install postgresql)")
    cluster = pgcluster.Cluster(bindir)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """A URL on an empty schema of its own, dropped after the test."""
    from tests import pgcluster

    schema, url = pgcluster.new_schema(postgres_server)
    yield url
    pgcluster.drop_schema(postgres_server, schema)


@pytest.fixture
def postgres_store(postgres_url):
    from services.stores.postgres import PostgresStore

    store = PostgresStore(postgres_url, seed=lambda: seed_records(TZ), tz=TZ)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "gsheets", "postgres"])
def store(request):
    """The same tests against every backend, seeded alike."""
    return request.getfixturevalue(f"{request.param}_store")
