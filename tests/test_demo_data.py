"""services/demo_data.py: labelled, realistic, consistent synthetic data, written only where
asked."""

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services import demo_data
from services.domain.agencies import AgencyIndex
from services.domain.errors import StoreError
from services.domain.model import (
    AGENCY_STATUSES,
    CREATED,
    DONE,
    FIELD_LABELS,
    IN_PROGRESS,
    NOT_STARTED,
    PENDING,
    STATUSES,
)
from services.stores.sqlite import SQLiteStore

TODAY = date(2025, 11, 20)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data():
    return demo_data.generate(tasks=1500, agencies=60, directives=40, seed=3, today=TODAY)


def test_sizes_and_determinism(data):
    directives, agencies, tasks, history = data
    assert (len(directives), len(agencies), len(tasks)) == (40, 60, 1500)
    assert demo_data.generate(tasks=1500, agencies=60, directives=40, seed=3, today=TODAY) == data
    other = demo_data.generate(tasks=1500, agencies=60, directives=40, seed=4, today=TODAY)
    assert other[2] != tasks
    assert len({t.id for t in tasks}) == 1500 and len({d.id for d in directives}) == 40
    assert {t.directive_id for t in tasks} == {d.id for d in directives}  # none left empty


def test_clearly_labelled_and_realistic(data):
    directives, agencies, tasks, history = data
    assert all(d.title.startswith("[Dữ liệu mẫu] ") for d in directives)
    assert all(c.actor.endswith(".invalid") for c in history)
    names = [a.name for a in agencies]
    assert len(set(names)) == 60 and len({a.code for a in agencies}) == 60
    assert sum(n.startswith("Sở ") for n in names) >= 15
    assert any(n.startswith("UBND huyện") for n in names)
    assert any(n.startswith("UBND thành phố") for n in names)
    assert "Công an tỉnh" in names and any(n.startswith("Đài Phát thanh") for n in names)
    assert any(n.startswith("UBND xã") for n in names)  # beyond the named pool
    groups = {a.group for a in agencies}
    assert {"Sở, ban, ngành", "Lực lượng vũ trang", "Báo chí", "UBND cấp huyện"} <= groups


def test_merged_agencies_point_to_a_successor_in_the_set(data):
    _, agencies, tasks, _ = data
    index = AgencyIndex(agencies)
    merged = [a for a in agencies if a.successor]
    assert merged and all(not a.active and a.successor in index.agencies for a in merged)
    assert any(t.lead in {a.code for a in merged} for t in tasks)  # older tasks, before merging


def test_dates_spread_around_today_and_are_consistent(data):
    directives, _, tasks, _ = data
    issued = {d.id: date.fromisoformat(d.issued_on) for d in directives}
    assert all(TODAY - timedelta(days=300) <= day < TODAY for day in issued.values())
    deadlines = [t.deadline for t in tasks if t.deadline]
    assert 0.75 < len(deadlines) / len(tasks) < 0.95  # the rest: thường xuyên
    assert min(deadlines) < TODAY - timedelta(days=150)
    assert max(deadlines) > TODAY + timedelta(days=90)
    for t in tasks:
        assert t.status in STATUSES
        reported = t.status in (DONE, PENDING)  # a recent completion may wait for the office
        assert reported == (t.completed_on is not None) == (t.progress == 100)
        if t.completed_on:
            assert issued[t.directive_id] < t.completed_on < TODAY
        assert issued[t.directive_id] <= t.updated_at.date() < TODAY
    statuses = {s: sum(t.status == s for t in tasks) for s in AGENCY_STATUSES}
    assert all(n > 100 for n in statuses.values())
    assert 0 < sum(t.status == PENDING for t in tasks) < statuses[DONE]  # the office's queue


def test_history_replays_onto_the_final_state(data):
    """Every task starts as the office imported it; applying its history rows in order gives
    the task as generated (the same rows the app's update rules would have written)."""
    directives, _, tasks, history = data
    by_task = {}
    for c in history:
        by_task.setdefault(c.task_id, []).append(c)
    assert [c.at for c in history] == sorted(c.at for c in history)
    fields = {label: f for f, label in FIELD_LABELS.items()}
    registered = {d.id: demo_data.registered(d, ZONE) for d in directives}
    for t in tasks:
        state = {
            "status": NOT_STARTED,
            "progress": "0",
            "result": "",
            "evidence": "",
            "completed_on": "",
        }
        created, *rows = by_task[t.id]  # the office's row when it added the task, then updates
        assert (created.field, created.at, created.actor) == (
            CREATED,
            registered[t.directive_id],
            demo_data.OFFICE.email,
        )
        for c in rows:
            name = fields[c.field]
            if name != "deadline":
                assert state[name] == c.old, (t.id, c)
            state[name] = c.new
        assert state["status"] == t.status and int(state["progress"]) == t.progress
        assert state["result"] == t.result and state["evidence"] == t.evidence
        last = rows[-1] if rows else None
        assert t.updated_at == (last.at if last else registered[t.directive_id])
        assert t.updated_by == (last.actor if last else demo_data.OFFICE.email)
    assert any(c.field == FIELD_LABELS["deadline"] for c in history)  # a few extensions
    assert any(c.new == IN_PROGRESS for c in history)


def test_a_few_agencies_fall_silent(data):
    _, agencies, tasks, history = data
    last = {}
    for c in history:
        last[c.actor_agency] = max(last.get(c.actor_agency, c.at), c.at)
    leads = {t.lead for t in tasks}
    quiet = [a for a in leads if a in last and last[a].date() < TODAY - timedelta(days=35)]
    assert 1 <= len(quiet) <= 6


def test_small_and_odd_sizes():
    directives, agencies, tasks, history = demo_data.generate(
        tasks=0, agencies=1, directives=1, today=TODAY
    )
    assert (len(directives), len(agencies), tasks, history) == (1, 1, [], [])
    assert agencies[0].active and not agencies[0].successor
    _, agencies, tasks, _ = demo_data.generate(tasks=5, agencies=3, directives=10, today=TODAY)
    assert len(tasks) == 5 and {t.lead for t in tasks} <= {a.code for a in agencies}
    with pytest.raises(ValueError):
        demo_data.generate(agencies=0)


def _history(snapshot):
    """History rows without their change ids (the store makes its own on the API path)."""
    return sorted(
        (c.at, c.task_id, c.field, c.old, c.new, c.actor, c.actor_agency) for c in snapshot.history
    )


def test_fill_store_through_the_api_and_the_sqlite_fast_path_agree(tmp_path):
    data = demo_data.generate(tasks=80, agencies=10, directives=6, seed=5, today=TODAY)
    api = SQLiteStore(str(tmp_path / "api.db"))
    fast = SQLiteStore(str(tmp_path / "fast.db"))
    reports = demo_data.period_reports(data[2], data[1], TODAY)
    assert reports  # past periodic reports, in the demo data only
    counts = {
        "directives": 6,
        "agencies": 10,
        "tasks": 80,
        "history": len(data[3]),
        "period_reports": len(reports),
    }
    assert (
        demo_data.fill_store(api, data, fast=False, today=TODAY)
        == demo_data.fill_store(fast, data, today=TODAY)
        == counts
    )
    a, f = api.load(), fast.load()
    assert a.directives == f.directives == tuple(data[0])
    assert a.agencies == f.agencies == tuple(data[1])
    assert a.tasks == f.tasks == tuple(data[2])
    assert a.period_reports == f.period_reports == tuple(reports)
    rows = len(data[3]) + len(demo_data.report_history(reports))
    assert _history(a) == _history(f) and len(a.history) == rows
    assert {c.change_id for c in data[3]} <= {c.change_id for c in f.history}


def test_fill_store_refuses_a_store_with_data(sqlite_store):
    before = sqlite_store.load()
    with pytest.raises(StoreError, match="đã có văn bản hoặc nhiệm vụ"):
        demo_data.fill_store(sqlite_store, tasks=10, agencies=3, directives=2, today=TODAY)
    after = sqlite_store.load()
    assert (after.tasks, after.agencies, after.history) == (
        before.tasks,
        before.agencies,
        before.history,
    )


def test_main_writes_a_new_file_only(tmp_path, capsys):
    path = tmp_path / "demo.db"
    argv = [
        "--tasks",
        "50",
        "--agencies",
        "8",
        "--directives",
        "4",
        "--today",
        "20/11/2025",
        "--sqlite-path",
        str(path),
    ]
    assert demo_data.main(argv) == 0
    assert "50 nhiệm vụ" in capsys.readouterr().out
    snap = SQLiteStore(str(path)).load()
    assert len(snap.tasks) == 50 and len(snap.agencies) == 8 and not snap.users
    assert demo_data.main(argv) == 1  # never mixed into existing data
    assert "đã có văn bản hoặc nhiệm vụ" in capsys.readouterr().err
    assert len(SQLiteStore(str(path)).load().tasks) == 50
    with pytest.raises(SystemExit):
        demo_data.main(["--today", "31/02/2025"])


def test_runs_as_a_module(tmp_path):
    path = tmp_path / "m.db"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.demo_data",
            "--tasks",
            "20",
            "--agencies",
            "5",
            "--directives",
            "3",
            "--sqlite-path",
            str(path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert len(SQLiteStore(str(path)).load().tasks) == 20
    assert "sqlite_path" in done.stdout
