"""Reporting categories at their boundaries, the office's time zone, text folding, dates."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.domain.dates import (
    DateError,
    format_issue_date,
    parse_date,
    parse_datetime,
    parse_issue_date,
)
from services.domain.model import (
    DONE,
    DONE_LATE,
    DONE_ON_TIME,
    IN_PROGRESS,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
    Task,
    category,
    days_late,
    fold,
    is_due_soon,
    today_local,
)

TODAY = date(2025, 6, 15)


def t(**kw):
    return Task(id="NV-0001", directive_id="VB-0001", section="1", content="x", lead="SNV", **kw)


@pytest.mark.parametrize(
    "task, expected",
    [
        (t(deadline=TODAY), OPEN_ON_TIME),  # due today is still in time
        (t(deadline=TODAY - timedelta(days=1)), OVERDUE),  # passed yesterday
        (t(deadline=TODAY - timedelta(days=1), status=IN_PROGRESS, progress=90), OVERDUE),
        (t(deadline=TODAY + timedelta(days=30)), OPEN_ON_TIME),
        (t(), ONGOING),  # no deadline: thường xuyên
        (t(status=DONE, completed_on=TODAY), DONE_ON_TIME),  # done, no deadline: on time
        (t(status=DONE, deadline=TODAY, completed_on=TODAY), DONE_ON_TIME),  # on the deadline day
        (t(status=DONE, deadline=TODAY, completed_on=TODAY + timedelta(days=1)), DONE_LATE),
        (
            t(
                status=DONE,
                deadline=TODAY - timedelta(days=10),
                completed_on=TODAY - timedelta(days=11),
            ),
            DONE_ON_TIME,
        ),
    ],
)
def test_category_boundaries(task, expected):
    assert category(task, TODAY) == expected


def test_done_without_completion_date_uses_last_update():
    late_update = datetime(2025, 6, 20, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    task = t(status=DONE, deadline=TODAY, updated_at=late_update)
    assert category(task, date(2025, 7, 1)) == DONE_LATE


def test_due_soon_window_and_days_late():
    assert is_due_soon(t(deadline=TODAY), TODAY)
    assert is_due_soon(t(deadline=TODAY + timedelta(days=7)), TODAY)
    assert not is_due_soon(t(deadline=TODAY + timedelta(days=8)), TODAY)
    assert is_due_soon(t(deadline=TODAY + timedelta(days=8)), TODAY, days=10)
    assert not is_due_soon(t(deadline=TODAY - timedelta(days=1)), TODAY)  # overdue, not soon
    assert not is_due_soon(t(deadline=TODAY, status=DONE), TODAY)
    assert not is_due_soon(t(), TODAY)
    assert days_late(t(deadline=TODAY - timedelta(days=3)), TODAY) == 3
    assert days_late(t(deadline=TODAY + timedelta(days=3)), TODAY) == 0
    assert days_late(t(deadline=TODAY - timedelta(days=3), status=DONE), TODAY) == 0


def test_server_clock_in_utc_late_evening_is_already_tomorrow_in_vietnam():
    utc_2330 = datetime(2025, 6, 14, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert today_local(now=utc_2330) == date(2025, 6, 15)
    task = t(deadline=date(2025, 6, 14))
    assert category(task, today_local(now=utc_2330)) == OVERDUE
    assert category(task, utc_2330.date()) == OPEN_ON_TIME  # what a naive server would say


def test_fold_ignores_case_accents_and_composition():
    assert fold("Sở  Nội vụ") == fold("so noi vu") == "so noi vu"
    assert fold("Đài PT-TH") == "dai pt-th"
    assert fold("So\u031b\u0309 No\u0323i vu\u0323") == "so noi vu"  # NFD input
    assert fold("Sở\u00a0Y\u200btế") == "so yte"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("05/03/2025", date(2025, 3, 5)),
        ("5/3/2025", date(2025, 3, 5)),
        ("05-03-2025", date(2025, 3, 5)),
        ("2025-03-05", date(2025, 3, 5)),
        (45721, date(2025, 3, 5)),
        (45721.75, date(2025, 3, 5)),
        ("", None),
        (None, None),
        (date(2025, 3, 5), date(2025, 3, 5)),
    ],
)
def test_parse_date_is_day_first(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2025", "13/13/2025", "hôm qua", "2025/03", True, -5])
def test_impossible_dates_are_flagged_not_swapped(raw):
    with pytest.raises(DateError):
        parse_date(raw)


def test_datetimes_and_month_precision_issue_dates():
    tz = "Asia/Ho_Chi_Minh"
    assert parse_datetime("10/03/2025 09:30:00", tz) == datetime(
        2025, 3, 10, 9, 30, tzinfo=ZoneInfo(tz)
    )
    assert parse_datetime(45726.5, tz).hour == 12
    assert parse_issue_date("01/2025") == "2025-01" and format_issue_date("2025-01") == "01/2025"
    assert parse_issue_date("15/01/2025") == "2025-01-15"
    assert format_issue_date("2025-01-15") == "15/01/2025"
    with pytest.raises(DateError):
        parse_issue_date("13/2025")
