"""A reminder run killed mid-run (SIGKILL, in a separate process) on the SQLite store: the rerun
does not send again to any recipient the ledger recorded; only the message in flight when the
process died is sent again (with the same Message-ID, so mail clients see one message)."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import timedelta

from services.config import load_settings
from services.domain.model import ROLE_AGENCY, Task, User
from services.reminders.run import run
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from tests.conftest import ADMIN, TZ
from tests.smtpserver import Mailbox, SmtpServer
from tests.test_reminders import DAY, NOW, settings_for

AGENCIES = ("SNV", "STP", "STC", "SCT", "SXD")


def _child(path: str, email: dict) -> None:
    store = SQLiteStore(path, tz=TZ)
    run(store, load_settings({"app": {"timezone": TZ}, "email": email}), day=DAY)


def test_a_killed_run_never_resends_to_recorded_recipients(tmp_path):
    path = str(tmp_path / "kill.db")
    store = SQLiteStore(path, seed=lambda: seed_records(TZ), tz=TZ)
    for code in AGENCIES:
        store.save_user(User(f"cb@{code.lower()}.gov.vn", "Cán bộ", code, ROLE_AGENCY))
    store.add_tasks(
        [
            Task("", "VB-0001", "9", f"Việc quá hạn của {c}", c, deadline=DAY - timedelta(days=2))
            for c in AGENCIES
        ],
        ADMIN,
        NOW,
    )
    box = Mailbox()
    server = SmtpServer(box).start()
    process = None

    def kill_on_third(count: int) -> None:
        if count == 3 and process is not None:
            os.kill(process.pid, signal.SIGKILL)  # before the server answers message 3

    box.on_data = kill_on_third
    try:
        email = server.settings()
        process = multiprocessing.get_context("spawn").Process(target=_child, args=(path, email))
        process.start()
        process.join(60)
        assert process.exitcode == -signal.SIGKILL
        first = [rcpts[0] for rcpts, _, _ in box.messages]
        assert len(first) == 3
        recorded = {d.recipient for d in store.load().deliveries if d.ok}
        assert recorded == set(first[:2])  # each message recorded once the server accepted it

        box.on_data = None
        report = run(store, settings_for(server), day=DAY)
        assert report.exit_code == 0
        second = [rcpts[0] for rcpts, _, _ in box.messages[3:]]
        assert not set(second) & recorded  # never twice for a recorded recipient
        assert second[0] == first[2]  # the one in flight is sent again ...
        ids = [m["Message-ID"] for _, m, _ in box.messages]
        assert ids[2] == ids[3]  # ... as the same message
        everyone = {f"cb@{c.lower()}.gov.vn" for c in AGENCIES}
        assert set(first) | set(second) == everyone  # nobody lost
    finally:
        server.stop()
