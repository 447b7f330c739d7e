"""Shared fixtures: a fresh store per test, the seed, and clean Streamlit caches."""
from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from services.domain import ROLE_ADMIN, ROLE_AGENCY, ROLE_LEADER, User
from services.seed import seed_records
from services.sqlite_store import SQLiteStore

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
        raise pytest.UsageError(f"CI=true but no Chromium at {chromium}: install it (apt-get "
                                "install chromium) or set CHROMIUM_PATH.")
    skip = pytest.mark.skip(reason=f"no Chromium at {chromium} (set CHROMIUM_PATH)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def sqlite_store(tmp_path):
    return SQLiteStore(str(tmp_path / "test.db"), seed=lambda: seed_records(TZ), tz=TZ)


@pytest.fixture(autouse=True)
def _clean_streamlit_caches():
    yield
    import streamlit as st
    st.cache_resource.clear()
    st.cache_data.clear()
