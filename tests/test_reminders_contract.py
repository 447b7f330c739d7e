"""The reminder ledger on every store (SQLite, the fake Google Sheet, PostgreSQL): rows come back
as written, a rerun sends nothing again, a refused recipient is retried; the opt-out and the
agency mailbox are stored; on the Sheets API a run costs 1 read and 1 write request; a workbook
without NhacViec keeps working and the run then sends nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from services.domain.errors import StoreError
from services.domain.model import ROLE_AGENCY, SENT, Delivery, User
from services.reminders.run import run
from services.stores.layout import COLUMNS, REMINDERS, USERS
from services.stores.seed import read_tables
from services.stores.sheets import GSheetsStore
from tests.conftest import TZ, gsheets_settings_for, sheet_spec
from tests.smtpserver import Mailbox, SmtpServer
from tests.test_reminders import DAY, SNV_USERS, add_scenario, settings_for

AT = datetime(2025, 3, 10, 7, 30, 5, tzinfo=ZoneInfo(TZ))


@pytest.fixture
def mailbox():
    return Mailbox(refuse={"b@snv.gov.vn"})


@pytest.fixture
def smtp(mailbox):
    server = SmtpServer(mailbox).start()
    yield server
    server.stop()


def test_ledger_rows_come_back_as_written(store):
    rows = [
        Delivery(DAY, "SNV", "a@snv.gov.vn", 5, "<nhacviec.20250310.SNV.x@ubnd.gov.vn>", SENT, AT),
        Delivery(DAY, "SNV", "b@snv.gov.vn", 5, "<m>", "Lỗi: 550 5.1.1 =cmd <b>", AT),
    ]
    store.record_deliveries(rows)
    store.record_deliveries([])  # nothing to write: no request
    assert store.load().deliveries == tuple(rows)
    assert [d.ok for d in store.load().deliveries] == [True, False]


def test_opt_out_and_agency_mailbox_are_stored(store):
    agency = replace(store.load().agency("SNV"), email="snv@hungyen.gov.vn")
    opted_out = User("x@snv.gov.vn", "X", "SNV", ROLE_AGENCY, reminders=False)
    if isinstance(store, GSheetsStore):  # the seeded sheet predates both columns
        with pytest.raises(StoreError, match="Nhận thư nhắc việc.*init-sheet"):
            store.save_user(opted_out)
        with pytest.raises(StoreError, match="Email cơ quan.*init-sheet"):
            store.save_agency(agency)
        assert "Đã thêm cột Email cơ quan vào CoQuan." in store.init_sheet()
    store.save_agency(agency)
    store.save_user(opted_out)
    store.save_user(User("y@snv.gov.vn", "Y", "SNV", ROLE_AGENCY))
    snap = store.load()
    assert snap.agency("SNV").email == "snv@hungyen.gov.vn"
    assert {u.email: u.reminders for u in snap.users if u.agency == "SNV"} == {
        "x@snv.gov.vn": False,
        "y@snv.gov.vn": True,
    }


def test_run_on_every_store_never_sends_twice(store, smtp, mailbox):
    if isinstance(store, GSheetsStore):
        store.init_sheet()  # the seeded sheet predates the opt-out and mailbox columns
    add_scenario(store)
    settings = settings_for(smtp)
    first = run(store, settings, day=DAY)
    assert first.problems == [] and first.unrecorded == []
    assert sorted(mailbox.rcpts()) == [
        "a@snv.gov.vn",
        "chutich@ubnd.gov.vn",
        "sonoivu@hungyen.gov.vn",
    ]
    assert first.failed == [("SNV", "b@snv.gov.vn", "Lỗi: 550 5.1.1 Mailbox unavailable")]
    mailbox.messages.clear()
    mailbox.refuse.clear()
    second = run(store, settings, day=DAY)
    assert mailbox.rcpts() == ["b@snv.gov.vn"] and second.exit_code == 0
    mailbox.messages.clear()
    run(store, settings, day=DAY)
    assert mailbox.rcpts() == []
    ledger = store.load().deliveries
    assert sum(d.ok for d in ledger) == 4 and sum(not d.ok for d in ledger) == 1


def test_a_run_on_google_sheets_is_one_read_and_one_write(
    gsheets_store, fake_sheets, service_account_info, smtp, mailbox
):
    gsheets_store.init_sheet()
    add_scenario(gsheets_store)
    settings = settings_for(smtp)
    cold = GSheetsStore.from_settings(gsheets_settings_for(fake_sheets, service_account_info))
    fake_sheets.clear_requests()
    report = run(cold, settings, day=DAY)
    assert report.sent and report.problems == []
    calls = [r for r in fake_sheets.requests() if r["path"].startswith("/v4/")]
    assert [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in calls] == [
        ("GET", "values:batchGet"),
        ("POST", "NhacViec!A1:append"),
    ]
    assert calls[0]["query"]["ranges"][-1] == REMINDERS  # read with the others, in one request
    assert calls[1]["query"]["valueInputOption"] == ["RAW"]
    assert len(calls[1]["body"]["values"]) == 4  # every recipient's row in the one write
    fake_sheets.clear_requests()
    run(cold, settings, day=DAY)  # the rerun: one read, nothing new to write
    calls = [r for r in fake_sheets.requests() if r["path"].startswith("/v4/")]
    assert [r["method"] for r in calls] == ["GET", "POST"]  # b@ retried (still refused)
    assert len(calls[1]["body"]["values"]) == 1


def test_a_workbook_without_nhacviec_keeps_working_and_the_run_sends_nothing(
    fake_sheets, service_account_info, smtp, mailbox
):
    tables = {k: v for k, v in read_tables().items() if k != REMINDERS}
    tables[USERS] = [[h for _, h in COLUMNS[USERS]], *[[e, "", "SNV", "agency"] for e in SNV_USERS]]
    fake_sheets.create(sheet_spec(tables, "old-book"))
    store = GSheetsStore.from_settings(
        gsheets_settings_for(fake_sheets, service_account_info, "old-book"), deadline_seconds=3
    )
    assert store.load().deliveries == () and len(store.load().users) == 2
    report = run(store, settings_for(smtp, send_empty=True), day=DAY)
    assert mailbox.messages == []
    assert "chưa có trang NhacViec" in report.problems[0] and report.exit_code == 2
    store.init_sheet()
    report = run(store, settings_for(smtp, send_empty=True), day=DAY)
    assert mailbox.rcpts() == ["a@snv.gov.vn"]  # b@ is refused by the server
    assert sorted((d.recipient, d.ok) for d in store.load().deliveries) == [
        ("a@snv.gov.vn", True),
        ("b@snv.gov.vn", False),
    ]


def test_a_pages_load_reads_only_the_recent_ledger(store):
    """Every store: load(history_days=N) gives the deliveries of the last N days (a page shows
    today's); load(history=False), a reminder run, and a full load give every one."""
    from datetime import timedelta

    from services.domain.model import today_local

    today = today_local(TZ)
    old = Delivery(today - timedelta(days=200), "SNV", "a@snv.gov.vn", 1, "<old>", SENT, None)
    edge = Delivery(today - timedelta(days=62), "SNV", "a@snv.gov.vn", 1, "<edge>", SENT, None)
    new = Delivery(today, "SNV", "a@snv.gov.vn", 2, "<new>", SENT, None)
    store.record_deliveries([old, edge, new])
    assert [d.message_id for d in store.load(history_days=62).deliveries] == ["<edge>", "<new>"]
    assert [d.message_id for d in store.load(history_days=0).deliveries] == ["<new>"]
    assert len(store.load(history=False).deliveries) == 3
    assert len(store.load().deliveries) == 3
