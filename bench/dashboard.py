"""Tổng quan with 10,000 tasks: server time of a cold and a warm run, and what the charts send.

    python -m bench.dashboard [--tasks 10000 --agencies 60 --directives 200 --runs 5]

Generates synthetic data ("[Dữ liệu mẫu]", services/demo_data.py) into a SQLite file in a
temporary folder, then runs the app's Tổng quan page with streamlit.testing.v1.AppTest against it:
- cold: the first run (store -> snapshot -> task table -> board -> rendered page); the Python
  modules are imported beforehand, so this is data work, not import time;
- warm: reruns of the same session (the shared snapshot and its derived tables are cached);
- warm with a search and with a filter, since those slice the board on every rerun.
Targets (issue): warm < 0.5 s, cold < 2 s. Then the pieces of the cold path one by one, and the
points (bars, slices) each figure sends to the browser -- aggregates, never one per task.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from bench.demo import demo_arguments, demo_store, timed
from services.stores.base import RECENT_HISTORY_DAYS

ROOT = Path(__file__).resolve().parent.parent
COLD_TARGET, WARM_TARGET = 2.0, 0.5


def _figures(at) -> list[tuple[str, int, int]]:
    """(mark, data rows, bytes sent: the spec and its Arrow data) for each chart on the page."""
    out = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        mark = spec["layer"][0]["mark"]["type"] if "layer" in spec else spec["mark"]["type"]
        rows = 0
        if element.proto.HasField("data"):
            from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

            rows = len(convert_arrow_bytes_to_pandas_df(element.proto.data.data))
        size = len(element.proto.spec) + len(element.proto.data.data)
        out.append((mark, rows, size))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    demo_arguments(parser)
    args = parser.parse_args(argv)

    # imports first: the cold run measures the data path, not Python's import time
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    from services.dashboard import board as dashboard
    from services.dashboard import charts  # noqa: F401 (charts: imported early)
    from services.dashboard.metrics import tasks_frame
    from services.dashboard.overview import overview
    from services.dashboard.periods import period_frame
    from services.domain.model import DEFAULT_TIMEZONE as DEFAULT_TZ
    from services.domain.model import today_local
    from services.domain.urgency import Thresholds
    from services.stores.sqlite import SQLiteStore

    logger.set_log_level("error")  # AppTest outside a server warns about its bare mode

    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        db = str(Path(tmp) / "demo.db")
        today = today_local()
        demo_store(db, args.tasks, args.agencies, args.directives)

        # Streamlit's own first-run set-up (e.g. scanning installed packages for components)
        # happens once per process, on a server at start-up: pay it on a small store first
        warmup = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        warmup.secrets["store"] = {"sqlite_path": str(Path(tmp) / "seed.db")}
        harness, _ = timed(warmup.run)

        colds = []
        for i in range(args.cold_runs):  # each on its own copy: a new store and an empty cache
            copy = str(Path(tmp) / f"demo-{i}.db")
            shutil.copyfile(db, copy)
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.secrets["store"] = {"sqlite_path": copy}
            colds.append(timed(at.run)[0])
            assert not at.exception, at.exception
        cold = statistics.median(colds)
        warm = [timed(at.run)[0] for _ in range(args.runs)]
        at.text_input(key="f_q").set_value("so noi vu")
        search, _ = timed(at.run)
        found = at.caption[1].value if len(at.caption) > 1 else ""
        at.text_input(key="f_q").set_value("")
        at.multiselect(key="f_category").set_value(["Quá hạn"])
        filtered, _ = timed(at.run)
        assert not at.exception, at.exception
        at.multiselect(key="f_category").set_value([])
        at.run()
        figures = _figures(at)[:1]  # the agency chart, then each tab's chart once opened
        for tab in ("share", "weekly", "directives"):
            at.session_state["overview_chart_tab"] = tab
            at.run()
            figures += _figures(at)[1:]

        print("\nTổng quan, thời gian phía máy chủ (AppTest):")
        print(
            f"  lần đầu (cold, trung vị {args.cold_runs} lần):  {cold:6.3f} s   mục tiêu < "
            f"{COLD_TARGET} s  {'ĐẠT' if cold < COLD_TARGET else 'CHƯA ĐẠT'}"
            f"   (min {min(colds):.3f}, max {max(colds):.3f})"
        )
        print(
            f"  chạy lại (warm, trung vị {args.runs} lần):  {statistics.median(warm):6.3f} s   "
            f"mục tiêu < {WARM_TARGET} s  "
            f"{'ĐẠT' if statistics.median(warm) < WARM_TARGET else 'CHƯA ĐẠT'}"
            f"   (min {min(warm):.3f}, max {max(warm):.3f})"
        )
        print(
            f"  (lần chạy đầu tiên của tiến trình, trên dữ liệu gốc 29 nhiệm vụ: "
            f"{harness:.3f} s, gồm khởi tạo Streamlit)"
        )
        print(f'  chạy lại có tìm kiếm "so noi vu": {search:6.3f} s   ({found})')
        print(f"  chạy lại có lọc Quá hạn:         {filtered:6.3f} s")

        store = SQLiteStore(db)
        load, snap = timed(lambda: store.load(history_days=RECENT_HISTORY_DAYS))  # as the app
        frame_s, frame = timed(lambda: tasks_frame(snap, today))
        board_s, board = timed(lambda: dashboard.build_board(snap, frame, today))
        periods_s, periods = timed(
            lambda: period_frame(snap.active(), today, Thresholds(), DEFAULT_TZ)
        )
        view_s, _ = timed(
            lambda: overview(board, dashboard.Filters(), periods, today, 7, DEFAULT_TZ)
        )
        print("\nCác bước của lần đầu (ngoài Streamlit; mỗi bước một lần cho mọi phiên):")
        for label, value in (
            ("đọc kho (store.load)", load),
            ("bảng nhiệm vụ (tasks_frame)", frame_s),
            ("bảng tổng quan (build_board)", board_s),
            ("bảng kỳ báo cáo (period_frame)", periods_s),
            ("thẻ, biểu đồ, danh sách (overview)", view_s),
        ):
            print(f"  {label:40s} {value:6.3f} s")

        print("\nBiểu đồ gửi tới trình duyệt (dòng dữ liệu = đoạn thanh/lát):")
        titles = [
            "Tình hình theo cơ quan",
            "Cơ cấu theo phân loại",
            "Hoàn thành theo tuần",
            "Tiến độ theo văn bản",
        ]  # the agency chart, then the tabs as opened above
        for title, (kind, points, size) in zip(titles, figures):
            print(f"  {title:24s} {kind:5s} {points:5d} dòng   {size / 1024:6.1f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
