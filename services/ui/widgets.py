"""Small widgets shared by the pages: data shown as inert text, the weekly chart, tabs and an
expander that draw only what is open, a select box whose value survives page changes, and messages next to the
fields."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from services.dashboard import board as dashboard
from services.dashboard import charts
from services.domain.limits import TEXT_PREVIEW
from services.domain.text import format_count, shorten


def md(text) -> str:
    """Text from the data (agency names, ids, numbers, emails) made inert inside markdown:
    a name such as "[x](http://...)", "**x**", ":red[...]" or a bare http://host shows as typed,
    never as markup or a live link."""
    escaped = re.sub(r"([\\`*_\[\]<>$~|])", r"\\\1", str(text))
    # bare URLs ("http://…", "www.…") become live links even when escaped: an invisible word
    # joiner (U+2060) breaks the pattern, the text reads the same. (An e-mail may become a
    # mailto: link, which fetches nothing; it stays searchable and copyable as typed.)
    return re.sub(r"(?i)(://|\bwww\.)", lambda m: m[1][0] + "\u2060" + m[1][1:], escaped)


def long_text(text: str, key: str, limit: int = TEXT_PREVIEW) -> None:
    """A task's text as plain text; a long one cut, with a "Xem đầy đủ" control that shows the
    rest only when asked (a 1 MB cell would otherwise take a minute to draw)."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        st.text(text)
        return
    if st.toggle(f"Xem đầy đủ ({format_count(len(text))} ký tự)", key=key):
        st.text(text)
    else:
        st.text(shorten(text, limit))


def weekly_chart(view: pd.DataFrame, today: date, weekly: pd.DataFrame | None = None) -> None:
    """Completions per week (Tổng quan, Cơ quan), or a message when there are none; `weekly`,
    when given, is dashboard.weekly_completions(view, today) computed already."""
    weekly = dashboard.weekly_completions(view, today) if weekly is None else weekly
    if weekly.empty:
        st.info("Chưa có nhiệm vụ nào hoàn thành trong 26 tuần qua.")
    else:
        chart(charts.weekly_trend(weekly))


def chart(spec: dict, key: str | None = None, rerun_on_select: bool = False) -> Any:
    """A chart (services.dashboard.charts) under its legend: coloured squares and the category
    names, which wrap on a phone. The names are the app's own constants, never data."""
    items = "".join(
        f'<span style="white-space:nowrap;margin-right:14px">'
        f'<span style="display:inline-block;width:11px;height:11px;background:{colour};'
        f'margin-right:5px;vertical-align:-1px"></span>{html.escape(name)}</span>'
        for name, colour in charts.legend_items(spec)
    )
    st.html(f'<div style="font-size:13px;line-height:1.7;color:#444">{items}</div>')
    if rerun_on_select:  # a click reruns the page with the selection (charts.clicked_key)
        return st.vega_lite_chart(spec=spec, key=key, on_select="rerun", width="stretch")
    return st.vega_lite_chart(spec=spec, key=key, width="stretch")


def task_table(frame: pd.DataFrame, columns: dict, column_config: dict, file_name: str, key: str):
    """A list of tasks: the rows on screen (long cells cut: board.preview) and the same columns
    as a CSV download, built only when clicked (Tổng quan's lists, Cơ quan's tasks)."""
    st.dataframe(
        dashboard.preview(frame)[list(columns)],
        hide_index=True,
        width="stretch",
        column_config=column_config,
    )
    st.download_button(
        "Tải CSV",
        data=lambda: dashboard.csv_bytes(dashboard.display_table(frame, columns)),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=key,
    )


def kept(key: str, default) -> dict:
    """Arguments for a widget (`st.toggle(label, **kept(key, False))`) whose value is kept in a
    plain session key, so it outlives the runs where the widget is not drawn (a closed tab):
    Streamlit drops a widget's own state then. kept_value(key, default) reads it."""
    plain = f"_{key}_kept"
    return {
        "key": key,
        "value": kept_value(key, default),
        "on_change": lambda: st.session_state.update({plain: st.session_state[key]}),
    }


def kept_value(key: str, default):
    return st.session_state.get(f"_{key}_kept", default)


def lazy_tabs(tabs: dict[str, str], key: str) -> dict[str, Any]:
    """Tabs ({name: label}) that know which one is open (st.tabs with on_change: each tab's
    .open), so a page can draw only that one and defer the others' content (neither computed
    nor sent to the browser). The open tab is remembered by name in a plain session key (`key`),
    so it stays open when its label changes (labels carry counts, a decision changes them) and
    survives page changes; tests set that key to open one."""
    names = list(tabs)
    if st.session_state.get(key) not in tabs:
        st.session_state[key] = names[0]
    widget_key = f"_{key}_tabs"
    # the open tab is given as the widget's value, not as `default`: the default is part of
    # the tabs' identity, and changing it with every switch would drop a click made meanwhile
    st.session_state[widget_key] = tabs[st.session_state[key]]

    def remember() -> None:  # runs before the next run, with this run's labels
        label = st.session_state.get(widget_key)
        st.session_state[key] = next((n for n, lab in tabs.items() if lab == label), names[0])

    containers = st.tabs(list(tabs.values()), key=widget_key, on_change=remember)
    return dict(zip(names, containers, strict=True))


def lazy_expander(label: str, key: str, icon: str | None = None) -> Any:
    """A collapsed expander whose content is drawn only while it is open (st.expander with
    on_change; the caller checks .open). Open or closed is remembered in a plain session key
    (`key`), so it stays as the user left it when its label changes or pages change."""
    widget_key = f"_{key}_expander"

    def remember() -> None:
        st.session_state[key] = bool(st.session_state.get(widget_key))

    return st.expander(
        label,
        expanded=bool(st.session_state.get(key, False)),
        key=widget_key,
        icon=icon,
        on_change=remember,
    )


def persistent_select(label: str, key: str, options: list, format_func) -> None:
    """A select box whose value lives in a plain session key, which Streamlit never drops (a
    widget's own state is dropped on runs where it is not drawn, e.g. while pages change)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0] if options else ""
    widget_key = f"_{key}_widget"
    st.session_state[widget_key] = st.session_state[key]
    st.selectbox(
        label,
        options,
        format_func=format_func,
        key=widget_key,
        on_change=lambda: st.session_state.update({key: st.session_state[widget_key]}),
    )


def unreadable_cells_banner(snapshot) -> None:
    """ "N ô không đọc được" when cells of NhiemVu could not be read (31/02/2025, "Xong rồi"...):
    those tasks are shown with defaults, so the page says so instead of hiding it."""
    from services.stores.layout import TASKS

    count = sum(1 for f in snapshot.problems if f.sheet == TASKS and f.level == "error")
    if count:
        st.warning(
            f"{count} ô không đọc được — xem Kiểm tra dữ liệu (Quản trị → Kiểm tra dữ liệu, "
            "hoặc python -m services.cli check).",
            icon="⚠️",
        )
