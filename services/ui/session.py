"""The Streamlit session's resources: settings from st.secrets, the store and the snapshot cache
shared by all sessions, and the tables derived from one snapshot (computed once for everyone)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

import pandas as pd
import streamlit as st

from services.config import ConfigError, Settings, load_settings
from services.dashboard import board as dashboard
from services.dashboard.metrics import tasks_frame
from services.dashboard.overview import Overview, overview
from services.dashboard.periods import period_frame
from services.domain.agencies import AgencyIndex
from services.domain.errors import StoreError
from services.domain.model import Change, Snapshot, Task, now_local, today_local
from services.stores.base import RECENT_HISTORY_DAYS, Store
from services.stores.cache import SnapshotCache
from services.stores.factory import open_store
from services.stores.layout import task_cell


def settings() -> Settings:
    """Settings from st.secrets; no secrets file at all means the defaults."""
    try:
        data = st.secrets.to_dict()
    except (FileNotFoundError, KeyError):  # no secrets file (StreamlitSecretNotFoundError)
        data = {}
    try:
        return load_settings(data)
    except ConfigError as e:
        st.error(f"Cấu hình chưa đúng: {e}")
        st.stop()


@st.cache_resource(show_spinner=False)
def _shared(settings_key: tuple, _settings: Settings) -> tuple[Store, SnapshotCache]:
    store = open_store(_settings)
    # a store with a change counter (PostgreSQL) lets every replica see another's save at once
    version = getattr(store, "data_version", None)
    # the pages' loads carry the recent history only; older rows are read when asked (below)
    loader = partial(store.load, history_days=RECENT_HISTORY_DAYS)
    return store, SnapshotCache(loader, _settings.cache_ttl_seconds, version=version)


def _settings_key(s: Settings) -> tuple:
    return (
        s.backend,
        s.sqlite_path,
        s.spreadsheet,
        s.endpoint,
        s.cache_ttl_seconds,
        s.timezone,
        s.service_account.get("client_email"),
        s.postgres_url,
    )


def _resources() -> tuple[Store, SnapshotCache]:
    s = settings()
    try:
        return _shared(_settings_key(s), s)
    except StoreError as e:
        st.error(str(e))
        st.stop()


def store() -> Store:
    return _resources()[0]


def load() -> Snapshot:
    """The snapshot; raises StoreError when the store cannot be read (services.ui.unavailable)."""
    s = settings()
    store, cache = _shared(_settings_key(s), s)
    return cache.get()


def full_snapshot() -> Snapshot:
    """Everything, withdrawn tasks included (the office's queue and its withdrawn list)."""
    try:
        return _resources()[1].get()
    except StoreError as e:
        st.error(str(e))
        st.stop()


def snapshot() -> Snapshot:
    """What the pages count and list: withdrawn tasks left out (Snapshot.active)."""
    return full_snapshot().active()


def today() -> date:
    return today_local(settings().timezone)


def now() -> datetime:
    return now_local(settings().timezone)


def display_value(task: Task, field: str):
    """A task field as the sheet and the history show it (dd/mm/yyyy, agency names)."""
    return task_cell(task, field, registry().name)


def task_table(as_of: date | None = None) -> pd.DataFrame:
    """The task table with categories, computed once per snapshot and date for all sessions."""
    s = settings()
    as_of = as_of or today_local(s.timezone)
    return _resources()[1].derived(
        ("tasks", as_of, s.due_soon_days),
        lambda snap: tasks_frame(snap.active(), as_of, s.due_soon_days),
    )


def board_table(as_of: date | None = None) -> pd.DataFrame:
    """The dashboard's task table (services.dashboard.build_board): computed once per snapshot
    and date for all sessions, like task_table; pages only filter and aggregate it."""
    s = settings()
    as_of = as_of or today_local(s.timezone)
    return _resources()[1].derived(
        ("board", as_of, s.due_soon_days),
        lambda snap: dashboard.build_board(
            snap.active(), task_table(as_of), as_of, s.due_soon_days, s.timezone
        ),
    )


def _whole() -> Snapshot:
    """The store read in full (every history row, archives included), when a page asks for
    history older than the recent window: once per snapshot for all sessions."""
    return _resources()[1].derived(
        ("whole history",), lambda _: store().load(), from_snapshot=False
    )


def run_snapshot() -> Snapshot:
    """The store as a reminder run reads it (no history, the whole ledger: services.reminders.
    run), so Quản trị's preview says what the run would send: once per snapshot, when asked."""
    return _resources()[1].derived(
        ("reminder run",), lambda _: store().load(history=False), from_snapshot=False
    )


def with_history_since(day: date) -> Snapshot:
    """The snapshot with the history back to `day` (a report as of an earlier day)."""
    snap = full_snapshot()
    since = snap.history_since
    return snap if since is None or since.date() <= day else _whole()


def task_history(task_id: str | None) -> list[Change]:
    """One task's (None: every task's) whole history, read when asked, not with every load
    (a rerun while the toggle is on reads nothing more)."""
    return [c for c in _whole().history if task_id is None or c.task_id == task_id]


def period_table(as_of: date | None = None) -> pd.DataFrame:
    """Every counted reporting period of the active tasks and its status (services.dashboard.
    periods.period_frame): computed once per snapshot and date for all sessions."""
    s = settings()
    as_of = as_of or today_local(s.timezone)
    return _resources()[1].derived(
        ("periods", as_of, s.urgency),
        lambda snap: period_frame(snap.active(), as_of, s.urgency, s.timezone),
    )


def filter_options(original: bool, as_of: date | None = None) -> dashboard.Options:
    """What Tổng quan's filters offer (dashboard.filter_options): once per snapshot for all."""
    s = settings()
    as_of = as_of or today_local(s.timezone)
    return _resources()[1].derived(
        ("filter options", as_of, s.due_soon_days, original),
        lambda _: dashboard.filter_options(board_table(as_of), original),
    )


def overview_tables(filters: dashboard.Filters, as_of: date | None = None) -> Overview:
    """Tổng quan's cards, charts and lists for these filters (services.dashboard.overview).
    The unfiltered view, which most sessions look at, is computed once per snapshot and date
    for all of them; a filtered one once per session and snapshot (its reruns only draw), and
    not kept for everyone: searches and filter sets are many, and each holds rows."""
    s = settings()
    as_of = as_of or today_local(s.timezone)
    key = ("overview", as_of, s.due_soon_days, s.urgency, s.timezone, filters)

    def compute(_) -> Overview:
        return overview(
            board_table(as_of), filters, period_table(as_of), as_of, s.due_soon_days, s.timezone
        )

    if not filters.narrows:
        return _resources()[1].derived(key, compute)
    snap = full_snapshot()
    memo = st.session_state.get("_overview_memo")
    if memo is not None and memo[0] is snap and memo[1] == key:
        return memo[2]
    value = compute(snap)
    st.session_state["_overview_memo"] = (snap, key, value)
    return value


def refresh() -> None:
    """Drop the shared snapshot (after a write, or when the user asks)."""
    try:
        _resources()[1].clear()
    except StoreError:  # nothing cached: the store could not even be opened
        pass


def registry() -> AgencyIndex:
    return _resources()[1].derived(("registry",), lambda snap: AgencyIndex(snap.agencies))
