"""Cần chỉ đạo (services/dashboard/attention.py): only the exceptions, each with what a leader
needs to act on it."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.dashboard.attention import attention
from services.dashboard.periods import period_frame
from services.domain.model import (
    EXTENSION,
    IN_PROGRESS,
    REFUSED,
    Agency,
    Directive,
    Request,
    Snapshot,
    Task,
)
from services.domain.periods import MONTHLY, Cycle
from services.domain.urgency import LATE, SERIOUS, Thresholds

TODAY = date(2025, 3, 10)
AT = datetime(2025, 3, 1, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def task(i, **kw):
    return Task(id=f"NV-{i:04d}", directive_id="VB-0001", section="1", content=f"Việc {i}",
                lead=kw.pop("lead", "SNV"), **kw)  # fmt: skip


def snapshot():
    tasks = (
        task(1, deadline=TODAY - timedelta(days=10), updated_at=AT, updated_by="a@snv"),
        task(2, deadline=TODAY - timedelta(days=3)),  # late, not seriously
        task(3, deadline=TODAY - timedelta(days=30), withdrawn="Trùng"),  # withdrawn: left out
        task(4, returns=2, return_reason="Thiếu minh chứng", status=IN_PROGRESS),
        task(5, returns=1),
        task(6, cycle=Cycle(MONTHLY, 25, date(2025, 1, 1)).text(), lead="OLD"),
        task(7, deadline=date(2025, 6, 30)),
    )
    requests = (
        Request("DX-0001", "NV-0007", EXTENSION, "Chờ vốn", date(2025, 9, 30), agency="SNV"),
        Request("DX-0002", "NV-0007", EXTENSION, "Cũ", date(2025, 8, 1), state=REFUSED),
    )
    agencies = (
        Agency("SNV", "Sở Nội vụ"),
        Agency("OLD", "Sở cũ", successor="NEW", active=False),
        Agency("NEW", "Sở mới"),
    )
    return Snapshot(
        (Directive("VB-0001", "1/KH-UBND", "2025-01-02"),), agencies, tasks, requests=requests
    )


def test_only_what_needs_a_decision_or_a_push():
    snap = snapshot()
    found = attention(snap, period_frame(snap, TODAY), TODAY, Thresholds(3, 7))
    assert list(found.serious["task_id"]) == ["NV-0001"]
    row = found.serious.iloc[0]
    assert (row["days_late"], row["agency"], row["updated_by"]) == (10, "SNV", "a@snv")
    assert list(found.requests["request_id"]) == ["DX-0001"]  # waiting ones only
    assert list(found.returned["task_id"]) == ["NV-0004"]  # returned more than once
    # NV-0006 owes January and February (due 25/01, 25/02), under the agency of today
    assert list(found.missing["agency"]) == ["NEW"]
    assert found.missing.iloc[0]["periods"] == 2 and found.missing.iloc[0]["level"] == SERIOUS
    assert list(found.missing_periods["days_late"]) == [44, 13]
    assert found.headline() == {
        "serious": 1,
        "requests": 1,
        "missing_periods": 2,
        "missing_agencies": 1,
        "returned": 1,
    }


def test_a_wider_serious_threshold_moves_tasks_out():
    snap = snapshot()
    found = attention(snap, period_frame(snap, TODAY, Thresholds(3, 60)), TODAY, Thresholds(3, 60))
    assert found.serious.empty
    assert set(found.missing_periods["level"]) == {LATE}
