"""KPIs and per-agency metrics against hand-computed fixtures, and the seed where all is ongoing."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from services.dashboard.metrics import agency_metrics, kpis, tasks_frame
from services.domain.model import (
    DONE,
    DONE_LATE,
    DONE_ON_TIME,
    IN_PROGRESS,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
    Agency,
    Snapshot,
    Task,
)
from services.stores.seed import seed_records

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = date(2025, 6, 30)


def task(i, lead, **kw):
    return Task(id=f"NV-{i:04d}", directive_id="VB-0001", section="1", content="x", lead=lead, **kw)


@pytest.fixture
def snapshot():
    recent = datetime(2025, 6, 20, 10, tzinfo=TZ)
    old = datetime(2025, 4, 1, 10, tzinfo=TZ)
    return Snapshot(
        agencies=(Agency("A", "Sở A", group="Sở, ban, ngành"), Agency("B", "Sở B")),
        tasks=(
            task(1, "A", status=DONE, deadline=date(2025, 6, 1), completed_on=date(2025, 5, 30)),
            task(2, "A", status=DONE, deadline=date(2025, 6, 1), completed_on=date(2025, 6, 2)),
            task(3, "A", deadline=date(2025, 6, 29), updated_at=recent),  # overdue by 1 day
            task(4, "A", deadline=date(2025, 7, 3), status=IN_PROGRESS, updated_at=old),  # due soon
            task(5, "B"),  # ongoing
            task(6, "B", status=DONE, completed_on=date(2025, 6, 1)),  # done, no deadline: on time
        ),
    )


def test_task_table_categories(snapshot):
    frame = tasks_frame(snapshot, AS_OF)
    assert list(frame["category"]) == [
        DONE_ON_TIME,
        DONE_LATE,
        OVERDUE,
        OPEN_ON_TIME,
        ONGOING,
        DONE_ON_TIME,
    ]
    assert list(frame["due_soon"]) == [False, False, False, True, False, False]
    assert list(frame["days_late"]) == [0, 0, 1, 0, 0, 0]
    assert frame.loc[0, "lead_name"] == "Sở A" and frame.loc[0, "lead_group"] == "Sở, ban, ngành"


def test_kpis(snapshot):
    k = kpis(tasks_frame(snapshot, AS_OF))
    assert k["total"] == 6
    assert (k[DONE_ON_TIME], k[DONE_LATE], k[OVERDUE], k[OPEN_ON_TIME], k[ONGOING]) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert k["due_soon"] == 1
    assert k["completion_rate"] == pytest.approx(3 / 6)
    assert k["on_time_rate"] == pytest.approx(2 / 3)


def test_agency_metrics_worst_first(snapshot):
    m = agency_metrics(tasks_frame(snapshot, AS_OF), AS_OF).set_index("lead")
    assert list(m.index) == ["A", "B"]  # A has an overdue task
    a, b = m.loc["A"], m.loc["B"]
    assert (a.assigned, a.done, a.done_on_time, a.overdue) == (4, 2, 1, 1)
    assert a.completion_rate == pytest.approx(0.5) and a.on_time_rate == pytest.approx(0.5)
    assert a.update_rate == pytest.approx(0.5)  # of 2 open tasks, 1 updated in the last 30 days
    assert a.last_update == datetime(2025, 6, 20, 10, tzinfo=TZ)
    assert (b.assigned, b.done, b.completion_rate, b.on_time_rate) == (2, 1, 0.5, 1.0)
    assert b.update_rate == 0 and pd.isna(b.last_update)


def test_update_window_is_thirty_days():
    edge = datetime.combine(AS_OF - timedelta(days=30), datetime.min.time(), TZ)
    snap = Snapshot(
        tasks=(task(1, "A", updated_at=edge), task(2, "A", updated_at=edge - timedelta(seconds=1)))
    )
    assert agency_metrics(tasks_frame(snap, AS_OF), AS_OF).loc[0, "update_rate"] == 0.5


def test_seed_directive_is_all_ongoing():
    directives, agencies, tasks, users = seed_records()
    frame = tasks_frame(Snapshot(directives, agencies, tasks), AS_OF)
    k = kpis(frame)
    assert k["total"] == k[ONGOING] == 29
    assert k["due_soon"] == 0 and k["completion_rate"] == 0 and k["on_time_rate"] is None
    m = agency_metrics(frame, AS_OF)
    assert m["assigned"].sum() == 29 and (m["overdue"] == 0).all()
    assert m.set_index("lead").loc["STTTT", "assigned"] == 4  # item 1 and three bullets of item 2


def test_empty_snapshot():
    frame = tasks_frame(Snapshot(), AS_OF)
    assert kpis(frame)["total"] == 0 and kpis(frame)["completion_rate"] is None
    assert agency_metrics(frame, AS_OF).empty


def test_only_progress_reports_count_as_the_agencys_updates():
    """Adding, reassigning or moving the deadline of a task is the office's work, not a report."""
    from services.domain.model import CREATED, FIELD_LABELS, Change

    added = datetime(2025, 6, 20, 8, tzinfo=TZ)
    moved = datetime(2025, 6, 25, 8, tzinfo=TZ)
    reported = datetime(2025, 6, 10, 8, tzinfo=TZ)
    snap = Snapshot(
        agencies=(Agency("A", "Sở A"),),
        tasks=(
            task(1, "A", deadline=date(2025, 8, 1), updated_at=added, updated_by="vp@x"),
            task(2, "A", deadline=date(2025, 9, 1), updated_at=moved, updated_by="vp@x"),
            task(3, "A", updated_at=datetime(2025, 6, 28, 9, tzinfo=TZ)),
        ),  # typed by hand
        history=(
            Change(added, "c1", "NV-0001", CREATED, "", "Sở A", "vp@x", "VPUB"),
            Change(reported, "c2", "NV-0002", FIELD_LABELS["progress"], "0", "20", "a@x", "A"),
            Change(
                moved,
                "c3",
                "NV-0002",
                FIELD_LABELS["deadline"],
                "01/08/2025",
                "01/09/2025",
                "vp@x",
                "VPUB",
            ),
        ),
    )
    frame = tasks_frame(snap, AS_OF)
    assert [None if pd.isna(v) else v for v in frame["agency_updated_at"]] == [
        None,
        reported,
        datetime(2025, 6, 28, 9, tzinfo=TZ),
    ]
    m = agency_metrics(frame, AS_OF).iloc[0]
    assert m.update_rate == pytest.approx(2 / 3)
    assert m.last_update == datetime(2025, 6, 28, 9, tzinfo=TZ)


def test_completing_a_task_is_an_update_everywhere():
    """Issue 16.4: right after an agency completed a task its scorecard said 0 % while Tổng
    quan no longer listed it as silent. One definition: both agree."""
    from services.dashboard import board as db
    from services.domain.model import DONE, FIELD_LABELS, Agency, Change, Snapshot

    recent = datetime(2025, 6, 29, 10, tzinfo=TZ)
    old = datetime(2025, 4, 1, 10, tzinfo=TZ)
    tasks = (
        task(1, "A", status=DONE, progress=100, completed_on=date(2025, 6, 29), updated_at=recent),
        task(2, "A", updated_at=old),
        task(3, "B", updated_at=old),
    )
    history = (Change(recent, "c1", "NV-0001", FIELD_LABELS["status"], "", DONE, "a@x", "A"),)
    snap = Snapshot((), (Agency("A", "Sở A"), Agency("B", "Sở B")), tasks, history)
    frame = tasks_frame(snap, AS_OF)
    rates = dict(zip(*agency_metrics(frame, AS_OF).pipe(lambda m: (m["lead"], m["update_rate"]))))
    assert rates == {"A": 0.5, "B": 0.0}  # A: 1 of 2 tasks due a report; B: none of 1
    board = db.build_board(snap, frame, AS_OF)
    view = db.agency_view(board)
    assert list(db.stale_agencies(view, AS_OF)["agency"]) == ["B"]
    assert db.agency_scorecard(view, "A", AS_OF)["update_rate"] == 0.5
