"""Vega-Lite charts for the dashboard (st.vega_lite_chart), drawn from the small aggregates of
services/dashboard/board.py.

One colour per reporting category, the same in every chart and badge (CATEGORY_COLORS); labels in
Vietnamese with Vietnamese numbers (1.234; 41,9%); sized to stay readable on a 390 px phone
(legend on top, short agency names, a fixed height per bar, no zoom that would trap scrolling).

Why Vega-Lite and not plotly: Streamlit draws both, but plotly's browser library is 4.7 MB of
JavaScript, loaded and compiled at a user's first visit: measured in Chromium on a 2-core machine
(python -m bench.browser), it was about 0.9 s of Tổng quan's first browser session. Vega-Lite's
is a fifth of it. The specs are plain dicts (no Altair: no schema validation on every rerun).
Text from the data is drawn as SVG text, never read as markup.
"""

from __future__ import annotations

import pandas as pd

from services.dashboard.board import SEVERITY
from services.domain.dates import format_date
from services.domain.model import (
    AWAITING,
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
)
from services.domain.text import format_count, format_rate

# Okabe-Ito based, readable by colour-blind people: red = late, blue = in progress on time,
# green = done on time, pale green = done late, grey = ongoing; amber for the due-soon flag.
CATEGORY_COLORS = {
    OVERDUE: "#D55E00",
    OPEN_ON_TIME: "#0072B2",
    ONGOING: "#8C8C8C",
    DONE_LATE: "#86C5A3",
    DONE_ON_TIME: "#009E73",
    AWAITING: "#CC79A7",  # reported done, waiting for the office: not counted as done yet
    DUE_SOON: "#E69F00",
}
STACK_ORDER = SEVERITY  # worst first, in stacks and legends, as in the tables
BAR_HEIGHT = 26  # px per bar in horizontal bar charts
SELECTION = "chon"  # the click selection of category_bars(selectable=True), in the chart's event
# d3's number format in Vietnamese: 1.234 and 41,9 (Vega-Lite's config.locale)
LOCALE = {"number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}}


def _spec(values: list[dict], height: int, fit_height: bool = False, **chart) -> dict:
    """One chart: inline data, the shared look, SVG (crisp text, and marks are page elements).
    `height` is the plot's, legend and axes added (Streamlit's default "fit" would squeeze the
    bars into it, to nothing with one bar), unless `fit_height` (the donut sizes itself)."""
    return {
        "data": {"values": values},
        "height": height,
        **({} if fit_height else {"autosize": {"type": "fit-x", "contains": "padding"}}),
        **chart,
        "usermeta": {"embedOptions": {"renderer": "svg", "actions": False}},
        "config": {
            "locale": LOCALE,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 160},
        },
    }


def _colour(categories: list[str]) -> dict:
    """The category colours. The legend is drawn by the page above the chart (legend_items):
    a chart's own legend starts after the axis labels and cannot wrap, so on a phone it ran
    off the edge."""
    return {
        "field": "category",
        "type": "nominal",
        "scale": {"domain": categories, "range": [CATEGORY_COLORS[c] for c in categories]},
        "legend": None,
    }


def legend_items(spec: dict) -> list[tuple[str, str]]:
    """(category, colour) of a chart, in its order: what the page's legend shows (also with one
    category, all grey: the colour must be named)."""
    encoding = spec["layer"][0]["encoding"] if "layer" in spec else spec["encoding"]
    scale = encoding["color"]["scale"]
    return list(zip(scale["domain"], scale["range"], strict=True))


def _unique(labels) -> list[str]:
    """Labels made unique with invisible marks (two agencies may share a short name), so each
    row keeps its own bar; the text reads the same."""
    used: set[str] = set()
    out = []
    for label in map(str, labels):
        while label in used:  # also when a name already ends in one (pasted from Word)
            label += "\u200b"
        used.add(label)
        out.append(label)
    return out


def category_bars(
    table: pd.DataFrame,
    label: str,
    key: str,
    hover_name: str,
    percent: bool = False,
    noun: str = "Cơ quan",
    selectable: bool = False,
) -> dict:
    """Stacked horizontal bars of categories, one bar per row of `table` (first row on top).

    `table` has the STACK_ORDER columns, `label` (the bar's text), `key` (what a click selects,
    e.g. the agency code: see clicked_key) and `hover_name` (the full name in the tooltip, under
    `noun`). `percent` normalises each bar to 100%."""
    present = [c for c in STACK_ORDER if c in table and table[c].sum() > 0]
    labels = _unique(table[label])
    values = []
    for row, bar in zip(table.to_dict("records"), labels, strict=True):
        counts = {c: int(row[c]) for c in present}
        total = sum(counts.values())
        for rank, c in enumerate(present):
            if counts[c]:
                values.append(
                    {
                        "key": str(row[key]),
                        "label": bar,
                        "name": str(row[hover_name]),
                        "category": c,
                        "rank": rank,
                        "n": counts[c],
                        "value": format_rate(counts[c] / total)
                        if percent
                        else format_count(counts[c]),
                    }
                )
    x_axis: dict = {
        "title": "Tỷ lệ (%)" if percent else "Số nhiệm vụ",
        "format": ".0%" if percent else ",d",
    }
    if percent:
        x_axis["values"] = [0, 0.25, 0.5, 0.75, 1]  # the axis ends at 100 %
    else:
        x_axis.update(tickMinStep=1, tickCount=6)  # whole tasks; a few ticks, also on a phone
    chart: dict = {
        "mark": {"type": "bar", "cursor": "pointer" if selectable else "default"},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": labels,
                "scale": {"domain": labels, "paddingInner": 0.25},
                "axis": {"title": None},
            },
            "x": {
                "field": "n",
                "type": "quantitative",
                "stack": "normalize" if percent else "zero",
                "axis": x_axis,
            },
            # also with one category (all grey): the colour must be named in the legend
            "color": _colour(present),
            "order": {"field": "rank", "type": "quantitative"},
            "tooltip": [
                {"field": "name", "title": noun},
                {"field": "category", "title": "Phân loại"},
                {"field": "value", "title": "Tỷ lệ" if percent else "Số nhiệm vụ"},
            ],
        },
    }
    if selectable:
        chart["params"] = [{"name": SELECTION, "select": {"type": "point", "fields": ["key"]}}]
    # at least ~3 bars high, so axis titles and the legend never sit on a lone bar
    return _spec(values, BAR_HEIGHT * max(len(table), 3), **chart)


def agency_bars(table: pd.DataFrame) -> dict:
    """services.dashboard.agency_categories -> one bar per agency, worst on top; a click on a
    bar selects its agency (clicked_key)."""
    return category_bars(table, "agency_short", "agency", "agency_name", selectable=True)


def directive_bars(table: pd.DataFrame) -> dict:
    """services.dashboard.directive_progress -> one 100% bar per directive, worst on top."""
    table = table.assign(hover=table["label"] + " – " + table["title"].str.slice(0, 90))
    return category_bars(table, "label", "directive_id", "hover", percent=True, noun="Văn bản")


def category_donut(share: pd.DataFrame) -> dict:
    """services.dashboard.category_share -> a donut with each slice's share and the total in the
    middle."""
    total = int(share["count"].sum())
    categories = share["category"].tolist()
    values = [
        {
            "category": c,
            "rank": rank,
            "n": int(n),
            "count": format_count(int(n)),
            "share": format_rate(int(n) / total) if total else "",
        }
        for rank, (c, n) in enumerate(zip(categories, share["count"], strict=True))
    ]
    theta = {"field": "n", "type": "quantitative", "stack": True}
    order = {"field": "rank", "type": "quantitative"}
    return _spec(
        values,
        330,
        fit_height=True,
        layer=[
            {
                "mark": {  # sized to the plot area that the legend leaves (Streamlit fits the chart)
                    "type": "arc",
                    "innerRadius": {"expr": "min(width, height) * 0.26"},
                    "outerRadius": {"expr": "min(width, height) * 0.5 - 2"},
                },
                "encoding": {
                    "theta": theta,
                    "order": order,
                    "color": _colour(categories),
                    "tooltip": [
                        {"field": "category", "title": "Phân loại"},
                        {"field": "count", "title": "Số nhiệm vụ"},
                        {"field": "share", "title": "Tỷ lệ"},
                    ],
                },
            },
            {
                "mark": {
                    "type": "text",
                    "radius": {"expr": "min(width, height) * 0.38"},
                    "fill": "white",
                    "fontSize": 11,
                },
                "encoding": {
                    "theta": theta,  # stacked as the arcs: every slice stays in, some blank
                    "order": order,
                    "text": {  # a share on the slices wide enough for it (tooltips: all)
                        "condition": {"test": f"datum.n >= {total * 0.04}", "field": "share"},
                        "value": "",
                    },
                },
            },
            {
                "data": {"values": [{"text": f"{format_count(total)}\nnhiệm vụ"}]},
                "mark": {
                    "type": "text",
                    "lineBreak": "\n",
                    "fontSize": 15,
                    "fontWeight": "bold",
                    "x": {"expr": "width / 2"},
                    "y": {"expr": "height / 2"},
                },
                "encoding": {"text": {"field": "text"}},
            },
        ],
    )


def weekly_trend(weekly: pd.DataFrame) -> dict:
    """services.dashboard.weekly_completions -> stacked bars per week, on time / late."""
    kinds = [DONE_ON_TIME, DONE_LATE]
    values = [
        {
            "week": f"{week:%d/%m}",
            "from": format_date(week),
            "category": c,
            "rank": rank,
            "n": int(n),
        }
        for week, on_time, late in zip(weekly["week"], weekly[DONE_ON_TIME], weekly[DONE_LATE])
        for rank, (c, n) in enumerate(zip(kinds, (on_time, late)))
    ]
    return _spec(
        values,
        260,
        mark={"type": "bar"},
        encoding={
            "x": {
                "field": "week",
                "type": "ordinal",
                "sort": None,  # the weeks in order
                "axis": {"title": "Tuần (từ thứ Hai)", "labelAngle": -45},
            },
            "y": {
                "field": "n",
                "type": "quantitative",
                "stack": "zero",
                "axis": {"title": "Số nhiệm vụ hoàn thành", "format": "d", "tickMinStep": 1},
            },
            "color": _colour(kinds),
            "order": {"field": "rank", "type": "quantitative"},
            "tooltip": [
                {"field": "from", "title": "Tuần từ"},
                {"field": "category", "title": "Phân loại"},
                {"field": "n", "title": "Số nhiệm vụ"},
            ],
        },
    )


def clicked_key(event) -> str | None:
    """The key of the bar clicked in a chart drawn by category_bars(selectable=True), from the
    event st.vega_lite_chart returns with on_select="rerun"; None when nothing is selected."""
    try:
        points = event["selection"][SELECTION]
    except (KeyError, TypeError):
        return None
    for point in points or ():
        if isinstance(point, dict) and point.get("key") is not None:
            return str(point["key"])
    return None


def point_count(spec: dict) -> int:
    """How many data rows (bar segments, slices) a chart sends to the browser."""
    return len(spec["data"]["values"])
