"""Period arithmetic (services/domain/periods.py): month ends, the 31st, leap years, quarters,
half-years, a cycle starting mid-period, an end date, and the office's local date near midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.domain.model import today_local
from services.domain.periods import (
    HALF_YEARLY,
    LATE_REPORT,
    MISSING,
    MONTHLY,
    NOT_DUE,
    ON_TIME,
    QUARTERLY,
    YEARLY,
    Cycle,
    CycleError,
    next_due,
    parse_cycle,
    period_of,
    periods_until,
    status,
)
from services.domain.urgency import LATE, SERIOUS, SOON, level


def test_a_monthly_report_due_on_the_31st_falls_on_the_last_day_of_short_months():
    cycle = Cycle(MONTHLY, 31)
    assert period_of(cycle, date(2025, 2, 10)).due == date(2025, 2, 28)
    assert period_of(cycle, date(2024, 2, 10)).due == date(2024, 2, 29)  # leap year
    assert period_of(cycle, date(2025, 4, 1)).due == date(2025, 4, 30)
    assert period_of(cycle, date(2025, 12, 31)).due == date(2025, 12, 31)
    assert period_of(Cycle(MONTHLY, 30), date(2100, 2, 1)).due == date(2100, 2, 28)  # not leap


def test_periods_have_their_keys_bounds_and_labels():
    p = period_of(Cycle(MONTHLY, 25), date(2025, 1, 31))
    assert (p.key, p.start, p.end, p.due, p.label) == (
        "2025-01",
        date(2025, 1, 1),
        date(2025, 1, 31),
        date(2025, 1, 25),
        "Tháng 01/2025",
    )
    q = period_of(Cycle(QUARTERLY, 20), date(2025, 5, 2))
    assert (q.key, q.start, q.end, q.due, q.label) == (
        "2025-Q2",
        date(2025, 4, 1),
        date(2025, 6, 30),
        date(2025, 6, 20),
        "Quý II/2025",
    )
    h = period_of(Cycle(HALF_YEARLY, 15), date(2025, 12, 31))
    assert (h.key, h.start, h.due, h.label) == (
        "2025-H2",
        date(2025, 7, 1),
        date(2025, 12, 15),
        "6 tháng cuối năm 2025",
    )
    y = period_of(Cycle(YEARLY, 10), date(2024, 3, 3))
    assert (y.key, y.start, y.end, y.due, y.label) == (
        "2024",
        date(2024, 1, 1),
        date(2024, 12, 31),
        date(2024, 12, 10),
        "Năm 2024",
    )


def test_quarters_follow_each_other_across_the_year_end():
    cycle = Cycle(QUARTERLY, 31, date(2024, 8, 1))
    keys = [(p.key, p.due) for p in periods_until(cycle, date(2025, 4, 2))]
    assert keys == [
        ("2024-Q3", date(2024, 9, 30)),
        ("2024-Q4", date(2024, 12, 31)),
        ("2025-Q1", date(2025, 3, 31)),
        ("2025-Q2", date(2025, 6, 30)),
    ]


def test_a_cycle_started_after_the_due_day_owes_nothing_for_that_period():
    late_start = Cycle(MONTHLY, 25, date(2025, 1, 28))
    assert [p.key for p in periods_until(late_start, date(2025, 3, 1))] == ["2025-02", "2025-03"]
    early_start = Cycle(MONTHLY, 25, date(2025, 1, 25))  # on the due day: still owed
    assert [p.key for p in periods_until(early_start, date(2025, 2, 1))] == ["2025-01", "2025-02"]
    future = Cycle(MONTHLY, 25, date(2025, 6, 1))
    assert periods_until(future, date(2025, 3, 1)) == []
    assert next_due(future, date(2025, 3, 1)).key == "2025-06"


def test_no_period_after_the_end_date_and_the_directive_date_when_no_start():
    ended = Cycle(MONTHLY, 5, date(2025, 1, 1), date(2025, 3, 15))
    assert [p.key for p in periods_until(ended, date(2025, 9, 1))] == [
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    assert next_due(ended, date(2025, 9, 1), {"2025-01", "2025-02", "2025-03"}) is None
    no_start = Cycle(YEARLY, 15)
    assert [p.key for p in periods_until(no_start, date(2026, 1, 1), date(2024, 5, 1))] == [
        "2024",
        "2025",
        "2026",
    ]


def test_next_due_is_the_oldest_period_still_owed_else_the_next_one():
    cycle = Cycle(MONTHLY, 25, date(2025, 1, 1))
    assert next_due(cycle, date(2025, 3, 10)).key == "2025-01"
    assert next_due(cycle, date(2025, 3, 10), {"2025-01", "2025-02"}).key == "2025-03"
    done = next_due(cycle, date(2025, 3, 10), {"2025-01", "2025-02", "2025-03"})
    assert (done.key, done.due) == ("2025-04", date(2025, 4, 25))


def test_status_on_time_late_missing_and_not_yet_due():
    p = period_of(Cycle(MONTHLY, 25), date(2025, 3, 1))
    assert status(p, date(2025, 3, 25), date(2025, 4, 1)) == ON_TIME
    assert status(p, date(2025, 3, 26), date(2025, 4, 1)) == LATE_REPORT
    assert status(p, None, date(2025, 3, 25)) == NOT_DUE
    assert status(p, None, date(2025, 3, 26)) == MISSING
    # urgency of a report still owed: the same scale as task deadlines
    assert level(p.due, date(2025, 3, 23)) == SOON
    assert level(p.due, date(2025, 3, 26)) == LATE
    assert level(p.due, date(2025, 4, 2)) == SERIOUS


def test_the_office_day_not_the_servers_utc_day_decides_the_period():
    # 17:30 UTC on 31/01 is 00:30 on 01/02 in Hà Nội: February's period, not January's
    server = datetime(2025, 1, 31, 17, 30, tzinfo=UTC)
    day = today_local("Asia/Ho_Chi_Minh", server)
    assert server.date() == date(2025, 1, 31) and day == date(2025, 2, 1)
    assert period_of(Cycle(MONTHLY, 25), day).key == "2025-02"
    # and a January report sent at that moment is a day late (due 31/01)
    january = period_of(Cycle(MONTHLY, 31), date(2025, 1, 1))
    assert status(january, day, day) == LATE_REPORT


def test_cycle_text_round_trips_and_bad_text_is_explained_in_vietnamese():
    cycle = Cycle(QUARTERLY, 20, date(2025, 1, 1), date(2026, 12, 31))
    assert cycle.text() == "Hằng quý, hạn ngày 20, từ 01/01/2025, đến 31/12/2026"
    assert parse_cycle(cycle.text()) == cycle
    assert parse_cycle("hang thang, han ngay 25") == Cycle(MONTHLY, 25)
    assert parse_cycle("6 tháng, 15") == Cycle(HALF_YEARLY, 15)
    assert parse_cycle("") is None
    for bad in ("Hằng tuần, hạn ngày 5", "Hằng tháng", "Hằng tháng, hạn ngày 32", "Hằng tháng, x"):
        with pytest.raises(CycleError) as e:
            parse_cycle(bad)
        assert "Kỳ báo cáo" in str(e.value) or "Ngày hạn" in str(e.value)


def test_the_offices_form_is_checked_field_by_field():
    from services.domain.errors import ValidationError
    from services.tasks.periods import cycle_from_form

    assert cycle_from_form("", 25, None, None) is None
    assert cycle_from_form("Hằng năm", 30, None, None, 11) == Cycle(YEARLY, 30, month=11)
    with pytest.raises(ValidationError) as e:
        cycle_from_form("Hằng tháng", 0, date(2025, 5, 1), date(2025, 1, 1), 11)
    assert set(e.value.errors) == {"day", "end", "month"}
    with pytest.raises(ValidationError) as e:
        cycle_from_form("Hằng năm", 2.5, None, None, 13)
    assert set(e.value.errors) == {"day", "month"}


def test_period_keys_read_as_words():
    from services.domain.periods import period_label

    assert period_label("2026-10") == "Tháng 10/2026"
    assert period_label("2026-Q1") == "Quý I/2026"
    assert period_label("2026-H2") == "6 tháng cuối năm 2026"
    assert period_label("2026") == "Năm 2026"
    assert period_label("khác") == "khác"  # a hand-typed key is shown as it is
