"""Urgency levels: the edges of each level, open tasks only, and the office's local date."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.domain.model import DONE, IN_PROGRESS, PENDING, Task, today_local
from services.domain.urgency import LATE, LEVELS, SERIOUS, SOON, Thresholds, level, rank, task_level

D = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2026, 3, 14), None),  # 4 days ahead: not yet
        (date(2026, 3, 13), SOON),  # 3 days ahead
        (D, SOON),  # due today is still due soon, not late
        (date(2026, 3, 9), LATE),  # one day late
        (date(2026, 3, 3), LATE),  # 7 days late: late, not yet serious
        (date(2026, 3, 2), SERIOUS),  # 8 days late
        (None, None),  # thường xuyên
    ],
)
def test_levels_at_their_edges(due, expected):
    assert level(due, D) == expected


def test_thresholds_are_settings():
    assert level(date(2026, 3, 17), D, Thresholds(soon_days=7)) == SOON
    assert level(date(2026, 3, 8), D, Thresholds(serious_days=1)) == SERIOUS


def test_only_open_tasks_are_urgent():
    late = Task("NV-1", "VB-1", "1", "x", "SNV", deadline=date(2026, 1, 1), status=IN_PROGRESS)
    assert task_level(late, D) == SERIOUS
    for status in (DONE, PENDING):
        assert task_level(Task(**{**vars(late), "status": status}), D) is None
    assert task_level(Task(**{**vars(late), "withdrawn": "trùng"}), D) is None


def test_the_office_date_not_the_server_clock():
    """23:30 UTC on 9 March is 06:30 on 10 March in Hà Nội: a task due on the 9th is late."""
    server_now = datetime(2026, 3, 9, 23, 30, tzinfo=ZoneInfo("UTC"))
    as_of = today_local("Asia/Ho_Chi_Minh", server_now)
    assert as_of == D and level(date(2026, 3, 9), as_of) == LATE


def test_rank_puts_the_most_urgent_first():
    assert sorted([None, SOON, SERIOUS, LATE], key=rank) == [*LEVELS, None]
