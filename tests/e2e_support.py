"""Browser-test fixtures: the app served by a real `streamlit run`, and a Chromium page.

    from tests.e2e_support import streamlit_server, browser_page  # noqa: F401

`streamlit_server` (one per xdist worker) runs `streamlit run app.py` from the repository itself,
with `--secrets.files <tmp>/secrets.toml`: Streamlit's `secrets.files` option lists the secrets
files it reads, and given on the command line it replaces the default list (.streamlit/
secrets.toml in the working directory and in ~/.streamlit), so the project's own secrets file is
neither read nor written and nothing is copied. The temporary secrets point [store] at a SQLite
file holding synthetic data (services/demo_data.py). The file watcher is off, so edits made
elsewhere in the repository while the tests run do not rerun the app.

`browser_page` is a page of Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium; never
downloaded), started for the test, 1400 x 900, Vietnamese locale. Both fixtures stand alone, so a
test module needs to import just these two names.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 30_000
DEMO = {"tasks": 2000, "agencies": 40, "directives": 60, "seed": 1}


@dataclass
class Server:
    url: str
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"streamlit not healthy after {timeout} s:\n{log.read_text()[-3000:]}")


@contextmanager
def serve_app(folder: Path, secrets: str, port: int | None = None, host: str = "127.0.0.1"):
    """`streamlit run app.py` from the repository, reading only `secrets` (TOML text, written to
    folder/secrets.toml); yields the Server and stops it afterwards."""
    port = port or free_port()
    path = folder / "secrets.toml"
    path.write_text(secrets, encoding="utf-8")
    log = folder / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
                "--secrets.files",
                str(path),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{host}:{port}"
    try:
        wait_healthy(url, proc, log)
        yield Server(url, log)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def store_secrets(sqlite_path: Path) -> str:
    return f"[store]\nsqlite_path = {json.dumps(str(sqlite_path))}\n"  # JSON strings are TOML


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory):
    """The app on a free port, on a store of synthetic data; stopped after the session."""
    from services.demo_data import fill_store
    from services.domain.model import today_local
    from services.stores.sqlite import SQLiteStore

    folder = tmp_path_factory.mktemp("e2e_app")
    db = folder / "demo.db"
    fill_store(SQLiteStore(str(db)), today=today_local(), **DEMO)
    with serve_app(folder, store_secrets(db)) as server:
        yield server


@pytest.fixture
def browser_page():
    """A fresh Chromium (no cookies, no session) and page per test, 1400 x 900. Actions and
    `expect` assertions wait up to WAIT_MS: a cold first run on a busy machine takes seconds."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)  # process-wide: put back below
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                context = browser.new_context(
                    viewport={"width": 1400, "height": 900},
                    locale="vi-VN",
                    timezone_id="Asia/Ho_Chi_Minh",
                )
                context.set_default_timeout(WAIT_MS)
                yield context.new_page()
            finally:
                browser.close()
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default


def settle(page) -> None:
    """Wait until the current script run has finished (the app says so on its root element)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
