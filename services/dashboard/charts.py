"""Plotly figures for the dashboard, drawn from the small aggregates of services/dashboard.py.

One colour per reporting category, the same in every chart and badge (CATEGORY_COLORS); labels in
Vietnamese; sized to stay readable on a 390 px phone (legend on top, short agency names, a fixed
height per bar, no zoom that would trap the page's scrolling).
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from services.dashboard.board import SEVERITY
from services.domain.model import (
    AWAITING,
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
)
from services.domain.text import PLOTLY_FRACTION, PLOTLY_PERCENT

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
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def _figure(
    traces: list, height: int, xaxis: dict | None = None, yaxis: dict | None = None, **layout
) -> go.Figure:
    """One figure, built in one call (plotly validates every update: fewer calls, less time)."""
    return go.Figure(
        data=traces,
        layout=dict(
            height=height,
            margin=dict(l=8, r=8, t=8, b=8),
            separators=",.",
            legend=dict(
                orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, traceorder="normal"
            ),
            hoverlabel=dict(align="left"),
            dragmode=False,
            xaxis=dict(fixedrange=True, **(xaxis or {})),
            yaxis=dict(fixedrange=True, **(yaxis or {})),
            **layout,
        ),
    )


def _legend_rows(categories: int) -> int:
    """Legend lines on a phone (two labels a line)."""
    return (categories + 1) // 2


def category_bars(
    table: pd.DataFrame, label: str, key: str, hover_name: str, percent: bool = False
) -> go.Figure:
    """Stacked horizontal bars of categories, one bar per row of `table` (first row on top).

    `table` has the STACK_ORDER columns, `label` (the bar's text), `key` (returned in each
    point's customdata[0], e.g. the agency code a click opens) and `hover_name` (full name).
    `percent` normalises each bar to 100%."""
    present = [c for c in STACK_ORDER if c in table and table[c].sum() > 0]
    # names come from the data: plotly reads its text as HTML-like markup, so escape it
    custom = [[str(k), html.escape(str(n))] for k, n in zip(table[key], table[hover_name])]
    labels = [html.escape(str(v)) for v in table[label]]
    unit = f"%{{x:{PLOTLY_PERCENT}}}%" if percent else "%{x}"
    traces = [
        go.Bar(
            name=c,
            orientation="h",
            x=table[c].astype(int).tolist(),
            y=labels,
            customdata=custom,
            marker_color=CATEGORY_COLORS[c],
            hovertemplate=f"<b>%{{customdata[1]}}</b><br>{c}: {unit}<extra></extra>",
        )
        for c in present
    ]
    # at least ~3 bars high, so axis titles and the legend never sit on a lone bar
    height = 40 + BAR_HEIGHT * max(len(table), 3) + 22 * _legend_rows(len(present))
    return _figure(
        traces,
        height,
        barmode="stack",
        barnorm="percent" if percent else "",
        bargap=0.25,
        showlegend=True,  # also with one category (all grey): the colour must be named
        xaxis=dict(
            title_text="Tỷ lệ (%)" if percent else "Số nhiệm vụ",
            ticksuffix="%" if percent else "",
            **({"range": [0, 100], "dtick": 25} if percent else {}),  # the axis ends at 100 %
        ),
        yaxis=dict(autorange="reversed", automargin=True),
    )


def agency_bars(table: pd.DataFrame) -> go.Figure:
    """services.dashboard.agency_categories -> one bar per agency, worst on top."""
    return category_bars(table, "agency_short", "agency", "agency_name")


def directive_bars(table: pd.DataFrame) -> go.Figure:
    """services.dashboard.directive_progress -> one 100% bar per directive, worst on top."""
    table = table.assign(hover=table["label"] + " – " + table["title"].str.slice(0, 90))
    return category_bars(table, "label", "directive_id", "hover", percent=True)


def category_donut(share: pd.DataFrame) -> go.Figure:
    """services.dashboard.category_share -> a donut with the total in the middle."""
    total = int(share["count"].sum())
    categories = share["category"].tolist()
    pie = go.Pie(
        labels=categories,
        values=share["count"].astype(int).tolist(),
        hole=0.55,
        sort=False,
        direction="clockwise",
        marker=dict(colors=[CATEGORY_COLORS[c] for c in categories]),
        texttemplate=f"%{{percent:{PLOTLY_FRACTION}}}",  # rounded as format_rate
        hovertemplate=f"%{{label}}: %{{value}} (%{{percent:{PLOTLY_FRACTION}}})<extra></extra>",
    )
    total_text = f"{total:,}".replace(",", ".")
    return _figure(
        [pie],
        330 + 22 * _legend_rows(len(categories)),
        annotations=[
            dict(text=f"<b>{total_text}</b><br>nhiệm vụ", showarrow=False, font=dict(size=15))
        ],
    )


def weekly_trend(weekly: pd.DataFrame) -> go.Figure:
    """services.dashboard.weekly_completions -> stacked bars per week, on time / late."""
    weeks = [d.isoformat() for d in weekly["week"]]
    traces = [
        go.Bar(
            name=c,
            x=weeks,
            y=weekly[c].astype(int).tolist(),
            marker_color=CATEGORY_COLORS[c],
            hovertemplate=f"Tuần từ %{{x|%d/%m/%Y}}<br>{c}: %{{y}}<extra></extra>",
        )
        for c in (DONE_ON_TIME, DONE_LATE)
    ]
    peak = int((weekly[DONE_ON_TIME] + weekly[DONE_LATE]).max()) if len(weekly) else 0
    return _figure(
        traces,
        320,
        barmode="stack",
        bargap=0.15,
        xaxis=dict(type="date", tickformat="%d/%m", title_text="Tuần (từ thứ Hai)"),
        yaxis=dict(
            title_text="Số nhiệm vụ hoàn thành",
            rangemode="tozero",
            tickformat="d",
            dtick=1 if peak <= 5 else None,
        ),
    )  # whole tasks


def clicked_key(event) -> str | None:
    """The key (customdata[0]) of the bar clicked in a chart drawn by category_bars, from the
    event st.plotly_chart returns with on_select="rerun"; None when nothing is selected."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points or ():
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and custom:
            return str(custom[0])
    return None


def point_count(fig: go.Figure) -> int:
    """How many bars / slices a figure sends to the browser."""
    return sum(len(trace.x if trace.type == "bar" else trace.values) for trace in fig.data)
