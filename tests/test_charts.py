"""services/dashboard/charts.py: one colour per category everywhere, Vietnamese labels and numbers,\naggregated data: the Vega-Lite specs the pages draw."""

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


def rows(spec, **match):
    """The chart's data rows (one per bar segment or slice), those matching `match`."""
    return [r for r in spec["data"]["values"] if all(r[k] == v for k, v in match.items())]


def test_agency_bars(view):
    table = db.agency_categories(view, limit=15)
    spec = charts.agency_bars(table)
    present = [c for c in charts.STACK_ORDER if table[c].sum() > 0]
    colour = spec["encoding"]["color"]["scale"]
    assert charts.legend_items(spec) == [(c, charts.CATEGORY_COLORS[c]) for c in present]
    assert colour["domain"] == present  # the legend and the stack, worst first
    assert colour["range"] == [charts.CATEGORY_COLORS[c] for c in present]
    assert spec["encoding"]["y"]["sort"] == list(table["agency_short"])  # worst on top
    overdue = rows(spec, category=OVERDUE)
    assert [r["n"] for r in overdue] == [int(n) for n in table[OVERDUE] if n]
    assert {r["key"] for r in rows(spec)} == set(table["agency"])  # what a click selects
    assert spec["params"][0]["select"] == {"type": "point", "fields": ["key"]}
    assert spec["encoding"]["x"]["stack"] == "zero"
    assert spec["encoding"]["x"]["axis"]["title"] == "Số nhiệm vụ"
    assert spec["config"]["locale"]["number"]["decimal"] == ","  # 41,9 and 1.234
    assert charts.point_count(spec) == int((table[present] > 0).to_numpy().sum())
    taller = charts.agency_bars(db.agency_categories(view))
    assert taller["height"] > spec["height"]  # a fixed height per bar
    # the height is the bars', legend and axis added: Streamlit's "fit" would squeeze them
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}


def test_charts_send_aggregates_not_tasks(view):
    assert len(view) == 3000
    specs = [
        charts.agency_bars(db.agency_categories(view)),
        charts.category_donut(db.category_share(view)),
        charts.weekly_trend(db.weekly_completions(view, AS_OF)),
        charts.directive_bars(db.directive_progress(view)),
    ]
    counts = [charts.point_count(s) for s in specs]
    categories = len(db.SEVERITY)  # a bar per agency and category, a slice per category
    assert counts[0] <= 40 * categories and counts[1] <= categories
    assert counts[2] == 26 * 2 and counts[3] <= 60 * categories


def test_directive_bars_are_percentages(view):
    table = db.directive_progress(view, limit=10)
    spec = charts.directive_bars(table)
    x = spec["encoding"]["x"]
    assert x["stack"] == "normalize" and x["axis"]["format"] == ".0%"
    assert x["axis"]["values"][-1] == 1  # the axis ends at 100 %
    assert spec["encoding"]["y"]["sort"] == list(table["label"])
    first = rows(spec, label=table.loc[0, "label"])
    assert first[0]["name"].startswith(table.loc[0, "label"] + " – [Dữ liệu mẫu]")
    shares = [r["value"] for r in first]  # each segment's share of its bar, as format_rate
    assert all(v.endswith("%") and "." not in v for v in shares)
    assert "params" not in spec  # nothing to open from a directive's bar


def test_donut_uses_the_same_colours_and_shows_the_total(view):
    share = db.category_share(view)
    spec = charts.category_donut(share)
    arc, labels, middle = spec["layer"]
    assert arc["encoding"]["color"]["scale"]["domain"] == list(share["category"])
    assert arc["encoding"]["color"]["scale"]["range"] == [
        charts.CATEGORY_COLORS[c] for c in share["category"]
    ]
    assert [r["n"] for r in rows(spec)] == list(share["count"])
    assert sum(float(r["share"].rstrip("%").replace(",", ".")) for r in rows(spec)) == (
        pytest.approx(100, abs=0.5)
    )
    text = labels["encoding"]["text"]
    assert text["condition"]["field"] == "share" and text["value"] == ""  # tiny slices: blank
    assert text["condition"]["test"] == f"datum.n >= {3000 * 0.04}"
    assert middle["data"]["values"] == [{"text": "3.000\nnhiệm vụ"}]


def test_weekly_trend(view):
    weekly = db.weekly_completions(view, AS_OF)
    spec = charts.weekly_trend(weekly)
    assert spec["encoding"]["color"]["scale"]["domain"] == [DONE_ON_TIME, DONE_LATE]
    assert spec["encoding"]["color"]["scale"]["range"] == [
        charts.CATEGORY_COLORS[DONE_ON_TIME],
        charts.CATEGORY_COLORS[DONE_LATE],
    ]
    last = rows(spec)[-1]
    assert (last["week"], last["from"]) == ("30/06", "30/06/2025")  # a Monday, dd/mm
    assert sum(r["n"] for r in rows(spec)) == weekly["total"].sum()


def test_names_from_the_data_stay_text():
    table = pd.DataFrame(
        {
            "agency": ["X", "Y"],
            "agency_name": ['<a href="https://x">Sở X</a>', "Sở Y"],
            "agency_short": ["<b>Sở X</b>", "<b>Sở X</b>"],  # two agencies, one short name
            OVERDUE: [2, 1],
        }
    )
    spec = charts.agency_bars(table)
    first, second = rows(spec)
    # Vega draws labels and tooltips as text, never as markup: they are passed as they are
    assert first["label"] == "<b>Sở X</b>" and first["name"] == '<a href="https://x">Sở X</a>'
    assert second["label"].rstrip("\u200b") == "<b>Sở X</b>" != second["label"]  # its own bar
    assert spec["encoding"]["y"]["sort"] == [first["label"], second["label"]]
    assert (first["key"], second["key"]) == ("X", "Y")  # the key a click returns
    names = ["A", "A\u200b", "A"]  # a name that already ends in an invisible mark
    assert len(set(charts._unique(names))) == 3


@pytest.mark.parametrize(
    "event, key",
    [
        ({"selection": {charts.SELECTION: [{"key": "SNV"}]}}, "SNV"),
        ({"selection": {charts.SELECTION: []}}, None),
        ({"selection": {charts.SELECTION: {}}}, None),  # what Streamlit sends for no click
        ({"selection": {charts.SELECTION: [{"label": "Sở Nội vụ"}]}}, None),
        ({"selection": {}}, None),
        ({}, None),
        (None, None),
    ],
)
def test_clicked_key(event, key):
    assert charts.clicked_key(event) == key
