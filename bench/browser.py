"""Time from navigation to a rendered Tổng quan in Chromium, with 10,000 synthetic tasks.

    python -m bench.browser [--tasks 10000] [--runs 3]

Serves the app with `streamlit run` (tests.e2e_support.serve_app) on a SQLite file of demo data,
then, in Debian's Chromium, measures from page.goto to: the KPI cards and the first plotly chart
visible and the script run finished. The first navigation pays the store load (cold); the next
ones find the shared snapshot in the cache (warm).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from services.demo_data import fill_store
from services.domain.model import today_local
from services.stores.sqlite import SQLiteStore
from tests.e2e_support import CHROMIUM, CHROMIUM_ARGS, serve_app, settle, store_secrets


def rendered(page, url) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.get_by_test_id("stMetric").first.wait_for()
    page.locator(".js-plotly-plot .barlayer .point").first.wait_for()
    settle(page)
    return time.perf_counter() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        folder = Path(tmp)
        db = folder / "demo.db"
        fill_store(
            SQLiteStore(str(db)), tasks=args.tasks, agencies=60, directives=200, today=today_local()
        )
        with serve_app(folder, store_secrets(db)) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(120_000)
            cold = rendered(page, server.url + "/")
            warm = [rendered(page, server.url + "/") for _ in range(args.runs)]
            errors = page.get_by_test_id("stException").count()
            browser.close()
    print(f"Tổng quan in Chromium, {args.tasks:,} tasks: navigation -> KPI cards, chart, run done")
    print(f"cold (store load, first session): {cold:.2f} s")
    print(
        f"warm (cached snapshot), median of {args.runs}: {statistics.median(warm):.2f} s "
        f"(min {min(warm):.2f}, max {max(warm):.2f})"
    )
    print(f"exceptions on the page: {errors}")


if __name__ == "__main__":
    main()
