"""A reminder run on the fake Sheets API and a local SMTP server: requests, bytes and time.

    python -m bench.reminders [--tasks 10000] [--users 3]

A sheet of N tasks over the seed's agencies (deadlines spread around today), `--users` active
users per agency: the first run sends every digest, the rerun the same day sends nothing. Target
(issue 17): a run costs at most 1 read and 1 write request, whatever the number of messages.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import timedelta

from bench.demo import fake_workbook
from bench.sheets import api_calls, synthetic_tables
from services.domain.dates import format_date
from services.domain.model import today_local
from services.reminders.run import run
from services.stores.layout import COLUMNS, TASKS, USERS
from services.stores.sheets import GSheetsStore
from tests.fakesheets import FakeSheetsServer
from tests.smtpserver import Mailbox, SmtpServer


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=3)
    args = parser.parse_args(argv)

    rng = random.Random(17)
    today = today_local()
    tables = synthetic_tables(args.tasks)
    deadline = [h for _, h in COLUMNS[TASKS]].index("Hạn hoàn thành")
    for row in tables[TASKS][1:]:
        row[deadline] = format_date(today + timedelta(days=rng.randrange(-30, 30)))
    codes = [row[0] for row in tables["CoQuan"][1:]]
    tables[USERS] = [[h for _, h in COLUMNS[USERS]]] + [
        [f"cb{i}@{code.lower()}.gov.vn", f"Cán bộ {i}", code, "agency", "TRUE", "TRUE"]
        for code in codes
        for i in range(args.users)
    ]
    tables[USERS].append(["chutich@ubnd.gov.vn", "Chủ tịch", "", "leader", "TRUE", "TRUE"])

    sheets_server = FakeSheetsServer().start()
    mailbox = Mailbox()
    smtp = SmtpServer(mailbox).start()
    fake, settings = fake_workbook(
        sheets_server.url,
        tables,
        app={"base_url": "https://theo-doi.example.gov.vn"},
        email=smtp.settings(),
    )
    print(
        f"Reminder run, {args.tasks:,} tasks, {len(codes)} agencies x {args.users} users, "
        "fake Sheets API + local SMTP server"
    )
    print(
        f"{'run':<22}{'reads':>7}{'writes':>8}{'bytes read':>12}{'bytes written':>15}"
        f"{'messages':>10}{'recipients':>12}{'wall time':>11}"
    )
    for label in ("first run (new client)", "rerun the same day"):
        store = GSheetsStore.from_settings(settings)
        received: list[int] = []
        store.http.session.hooks["response"].append(
            lambda r, *a, received=received, **k: received.append(len(r.content))
        )
        fake.clear_requests()
        before = len(mailbox.messages)
        started = time.perf_counter()
        report = run(store, settings)
        elapsed = time.perf_counter() - started
        calls = [c for c in api_calls(fake) if c["path"] != "/token"]
        reads = [c for c in calls if c["method"] == "GET"]
        writes = [c for c in calls if c["method"] != "GET"]
        sent_bytes = sum(len(json.dumps(c["body"], ensure_ascii=False).encode()) for c in writes)
        messages = len(mailbox.messages) - before
        print(
            f"{label:<22}{len(reads):>7}{len(writes):>8}{sum(received):>12,}{sent_bytes:>15,}"
            f"{messages:>10}{len(report.sent):>12}{elapsed:>9.2f} s"
        )
        for c in calls:
            print(f"    {c['method']} {c['path'].rsplit('/', 1)[-1]}")
    smtp.stop()
    sheets_server.stop()


if __name__ == "__main__":
    main()
