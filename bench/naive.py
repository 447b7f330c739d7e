"""This app's data path against the naive way, on the same fake Sheets API and 10,000-task sheet.

    python -m bench.naive [--tasks 10000] [--savers 10]

The naive baseline is written the way Google-Sheets-backed Streamlit apps commonly are: read the
whole worksheet on every rerun (open, worksheet, get_all_records), and save by clearing the
worksheet and writing the whole DataFrame back. For view, rerun and save it prints API requests,
cells written and wall time, and for N concurrent savers (each changing a different task) how many
updates were lost; then the ratio of the two.
"""

from __future__ import annotations

import argparse
import threading
import time

import pandas as pd

from bench.sheets import api_calls, synthetic_tables
from services.config import load_settings
from services.domain.model import ROLE_ADMIN, User, now_local
from services.stores.cache import SnapshotCache
from services.stores.layout import TASKS
from services.stores.sheets import GSheetsStore
from tests.fakesheets import FakeSheetsControl, FakeSheetsServer
from tests.fakesheets.fixtures import gspread_client, make_service_account_info

ACTOR = User("bench@x.vn", "Bench", "VPUB", ROLE_ADMIN)


class NaiveApp:
    """The common pattern, kept deliberately plain."""

    def __init__(self, client, key):
        self.client, self.key = client, key

    def view(self) -> pd.DataFrame:  # runs on every rerun: nothing is cached
        worksheet = self.client.open_by_key(self.key).worksheet(TASKS)
        return pd.DataFrame(worksheet.get_all_records())

    def save(self, frame: pd.DataFrame, task_id: str, progress: int) -> None:
        frame.loc[frame["Mã NV"] == task_id, "Tiến độ (%)"] = progress
        worksheet = self.client.open_by_key(self.key).worksheet(TASKS)
        worksheet.clear()
        worksheet.update([frame.columns.tolist(), *frame.astype(object).values.tolist()])


def cells_written(calls) -> int:
    total = 0
    for c in calls:
        body = c.get("body") or {}
        if c["method"] in ("PUT", "POST") and "values" in body:
            total += sum(len(r) for r in body["values"])
        for d in body.get("data", []) if isinstance(body, dict) else []:
            total += sum(len(r) for r in d.get("values", []))
    return total


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--savers", type=int, default=10)
    args = parser.parse_args(argv)
    server = FakeSheetsServer().start()
    fake = FakeSheetsControl(server.url)
    info = make_service_account_info(server.url + "/token")

    def fresh_sheet(key):
        fake.create(
            {
                "spreadsheetId": key,
                "title": key,
                "sheets": [
                    {"title": n, "values": rows} for n, rows in synthetic_tables(args.tasks).items()
                ],
            }
        )

    def measure(action):
        fake.clear_requests()
        started = time.perf_counter()
        action()
        elapsed = time.perf_counter() - started
        calls = [c for c in api_calls(fake) if c["path"] != "/token"]
        return len(calls), cells_written(calls), elapsed, calls

    # -- naive ----------------------------------------------------------------------------------
    fresh_sheet("naive")
    naive = NaiveApp(gspread_client(server, info), "naive")
    naive.view()  # warm the token
    results = {"naive": {}, "ours": {}}
    frame = None

    def naive_view():
        nonlocal frame
        frame = naive.view()

    results["naive"]["view"] = measure(naive_view)
    results["naive"]["rerun"] = measure(naive_view)
    results["naive"]["save"] = measure(lambda: naive.save(frame, "NV-05000", 55))
    clears = sum(":clear" in c["path"] for c in results["naive"]["save"][3])

    # -- ours -----------------------------------------------------------------------------------
    fresh_sheet("ours")
    settings = load_settings(
        {"gsheets": {"spreadsheet": "ours", "endpoint": server.url, "service_account": info}}
    )
    store = GSheetsStore.from_settings(settings)
    cache = SnapshotCache(store.load, 60)
    results["ours"]["view"] = measure(cache.get)
    results["ours"]["rerun"] = measure(cache.get)
    snap = cache.get()
    results["ours"]["save"] = measure(
        lambda: store.update_task(snap.task("NV-05000"), {"progress": 55}, ACTOR, now_local())
    )

    # -- concurrent savers, each changing a different task --------------------------------------
    targets = [f"NV-{i:05d}" for i in range(1, args.savers + 1)]

    def race(save_one):
        threads = [threading.Thread(target=save_one, args=(t, 77)) for t in targets]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    fresh_sheet("naive-race")
    racers = NaiveApp(gspread_client(server, info), "naive-race")
    views = {t: racers.view() for t in targets}  # each user loaded the page first
    race(lambda task_id, value: racers.save(views[task_id], task_id, value))
    final = racers.view().set_index("Mã NV")
    lost_naive = sum(final.loc[t, "Tiến độ (%)"] != 77 for t in targets)

    snap = cache.get()
    errors = []

    def ours_save(task_id, value):
        try:
            store.update_task(snap.task(task_id), {"progress": value}, ACTOR, now_local())
        except Exception as e:
            errors.append(e)

    race(ours_save)
    after = store.load()
    lost_ours = sum(after.task(t).progress != 77 for t in targets)
    server.stop()

    print(
        f"Side by side on the fake Sheets API, {args.tasks:,} tasks "
        f"({args.tasks * 14:,} cells in NhiemVu)"
    )
    print(f"{'':<8}{'API requests':>22}{'cells written*':>26}{'wall time (ms)':>26}")
    print(
        f"{'action':<8}{'naive':>8}{'ours':>7}{'ratio':>7}{'naive':>10}{'ours':>7}{'ratio':>9}"
        f"{'naive':>9}{'ours':>8}{'ratio':>9}"
    )
    for action in ("view", "rerun", "save"):
        n, o = results["naive"][action], results["ours"][action]

        def ratio(a, b):
            return f"{a / b:.0f}x" if b else ("-" if not a else "∞")

        print(
            f"{action:<8}{n[0]:>8}{o[0]:>7}{ratio(n[0], o[0]):>7}{n[1]:>10,}{o[1]:>7}"
            f"{ratio(n[1], o[1]):>9}{n[2] * 1000:>9.0f}{o[2] * 1000:>8.0f}"
            f"{ratio(round(n[2] * 1000), round(o[2] * 1000)):>9}"
        )
    print("* cells written include our history row (8 cells); the naive save keeps no history")
    print(f"naive save clears the worksheet: {clears} clear request(s) per save")
    print(
        f"{args.savers} concurrent savers on different tasks: updates lost — naive "
        f"{lost_naive}/{args.savers}, ours {lost_ours}/{args.savers} (errors: {len(errors)})"
    )


if __name__ == "__main__":
    main()
