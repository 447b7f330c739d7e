"""services/charts.py: one colour per category everywhere, Vietnamese labels, aggregated figures."""

import html
from datetime import date

import pandas as pd
import pytest

from services.dashboard import board as db
from services.dashboard import charts
from services.dashboard.metrics import tasks_frame
from services.demo_data import generate
from services.domain.model import (
    AWAITING,
    CATEGORIES,
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
    Snapshot,
)

AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="module")
def view():
    directives, agencies, tasks, history = generate(
        tasks=3000, agencies=40, directives=60, seed=7, today=AS_OF
    )
    snap = Snapshot(tuple(directives), tuple(agencies), tuple(tasks), history=tuple(history))
    board = db.build_board(snap, tasks_frame(snap, AS_OF), AS_OF)
    return db.apply(board, db.Filters())


def test_one_distinct_colour_per_category_and_the_due_soon_flag():
    assert set(charts.CATEGORY_COLORS) == {*CATEGORIES, DUE_SOON}
    assert len(set(charts.CATEGORY_COLORS.values())) == len(charts.CATEGORY_COLORS)
    assert (
        charts.STACK_ORDER
        == db.SEVERITY
        == (OVERDUE, OPEN_ON_TIME, ONGOING, AWAITING, DONE_LATE, DONE_ON_TIME)
    )


def test_agency_bars(view):
    table = db.agency_categories(view, limit=15)
    fig = charts.agency_bars(table)
    names = [t.name for t in fig.data]
    assert names == [c for c in charts.STACK_ORDER if table[c].sum() > 0]
    for trace in fig.data:
        assert trace.marker.color == charts.CATEGORY_COLORS[trace.name]
        assert trace.orientation == "h"
        assert list(trace.y) == [html.escape(n) for n in table["agency_short"]]
        assert [c[0] for c in trace.customdata] == list(table["agency"])  # what a click opens
    overdue = next(t for t in fig.data if t.name == OVERDUE)
    assert list(overdue.x) == list(table[OVERDUE])
    assert fig.layout.barmode == "stack" and fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.xaxis.title.text == "Số nhiệm vụ" and fig.layout.separators == ",."
    assert fig.layout.xaxis.fixedrange and fig.layout.yaxis.fixedrange  # no zoom trap on phones
    assert charts.point_count(fig) == 15 * len(names)
    taller = charts.agency_bars(db.agency_categories(view))
    assert taller.layout.height > fig.layout.height  # a fixed height per bar


def test_charts_send_aggregates_not_tasks(view):
    assert len(view) == 3000
    figures = [
        charts.agency_bars(db.agency_categories(view)),
        charts.category_donut(db.category_share(view)),
        charts.weekly_trend(db.weekly_completions(view, AS_OF)),
        charts.directive_bars(db.directive_progress(view)),
    ]
    counts = [charts.point_count(f) for f in figures]
    categories = len(db.SEVERITY)  # a bar per agency and category, a slice per category
    assert counts[0] <= 40 * categories and counts[1] <= categories
    assert counts[2] == 26 * 2 and counts[3] <= 60 * categories


def test_directive_bars_are_percentages(view):
    table = db.directive_progress(view, limit=10)
    fig = charts.directive_bars(table)
    assert fig.layout.barnorm == "percent" and fig.layout.xaxis.ticksuffix == "%"
    assert list(fig.data[0].y) == list(table["label"])
    assert fig.data[0].customdata[0][1].startswith(table.loc[0, "label"] + " – [Dữ liệu mẫu]")


def test_donut_uses_the_same_colours_and_shows_the_total(view):
    share = db.category_share(view)
    fig = charts.category_donut(share)
    pie = fig.data[0]
    assert list(pie.labels) == list(share["category"])
    assert list(pie.marker.colors) == [charts.CATEGORY_COLORS[c] for c in share["category"]]
    assert fig.layout.annotations[0].text == "<b>3.000</b><br>nhiệm vụ"


def test_weekly_trend(view):
    weekly = db.weekly_completions(view, AS_OF)
    fig = charts.weekly_trend(weekly)
    assert [t.name for t in fig.data] == [DONE_ON_TIME, DONE_LATE]
    assert [t.marker.color for t in fig.data] == [
        charts.CATEGORY_COLORS[DONE_ON_TIME],
        charts.CATEGORY_COLORS[DONE_LATE],
    ]
    assert fig.data[0].x[-1] == "2025-06-30" and fig.layout.xaxis.tickformat == "%d/%m"
    assert sum(fig.data[0].y) + sum(fig.data[1].y) == weekly["total"].sum()


def test_names_from_the_data_are_not_markup():
    table = pd.DataFrame(
        {
            "agency": ["X"],
            "agency_name": ['<a href="https://x">Sở X</a>'],
            "agency_short": ["<b>Sở X</b>"],
            OVERDUE: [2],
        }
    )
    bar = charts.agency_bars(table).data[0]
    assert list(bar.y) == ["&lt;b&gt;Sở X&lt;/b&gt;"]
    assert bar.customdata[0][1] == "&lt;a href=&quot;https://x&quot;&gt;Sở X&lt;/a&gt;"
    assert bar.customdata[0][0] == "X"  # the key a click returns stays as it is


@pytest.mark.parametrize(
    "event, key",
    [
        (
            {"selection": {"points": [{"customdata": ["SNV", "Sở Nội vụ"], "y": "Sở Nội vụ"}]}},
            "SNV",
        ),
        ({"selection": {"points": []}}, None),
        ({"selection": {"points": [{"y": "Sở Nội vụ"}]}}, None),
        ({}, None),
        (None, None),
    ],
)
def test_clicked_key(event, key):
    assert charts.clicked_key(event) == key
