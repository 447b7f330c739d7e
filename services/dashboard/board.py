"""What the Tổng quan and Cơ quan pages show, as pandas: one "board" table per snapshot and day
(the task table plus the columns the dashboard needs), then cheap slices of it per rerun --
filters, search, KPI cards with their change over 7 days, chart aggregates, the three tables.

Plain Python: no streamlit, no charts. Pages call these; services/dashboard/charts.py draws the aggregates.

The state 7 days ago (`DELTA_DAYS`) is rebuilt per task from what the snapshot knows:
- history rows newer than that day are undone (status, deadline, completion date take the old
  value of the earliest later change);
- a task still "done" whose completion date (else its last update) is after that day was not
  done then (this covers rows edited by hand in the sheet, which leave no history);
- a task did not exist then if its directive was issued after that day, if its "Tạo nhiệm vụ"
  history row (written when it is imported or added) is after that day, or if it has no history
  at all and its `updated_at` -- then the moment it was added -- is after that day. Every other current
  task is counted (a task deleted since is not: the snapshot no longer has it).
So the deltas compare today's cards with the cards as they would have read 7 days ago.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from services.dashboard.metrics import (
    AGENCY_COLUMNS,
    UPDATE_WINDOW_DAYS,
    agency_metrics,
    kpis,
    update_window,
)
from services.domain.agencies import AgencyIndex
from services.domain.dates import DateError, format_date, parse_date
from services.domain.limits import CELL_PREVIEW
from services.domain.model import (
    AWAITING,
    CATEGORIES,
    CREATED,
    DEFAULT_TIMEZONE,
    DONE,
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    FIELD_LABELS,
    IN_PROGRESS,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
    STATUSES,
    Snapshot,
    category,
    fold,
    is_due_soon,
)
from services.domain.text import format_change, format_count, format_points, format_rate, shorten
from services.reports import export

DELTA_DAYS = 7
STALE_DAYS = UPDATE_WINDOW_DAYS  # silent agencies: the update rate's window
AGE_BANDS = ((120, "> 120 ngày"), (60, "> 60 ngày"), (30, "> 30 ngày"))
AGE_RECENT = "≤ 30 ngày"
# the category filter also offers the due-soon flag
FILTER_CATEGORIES = (*CATEGORIES, DUE_SOON)
# worst first, wherever categories are listed or stacked (charts use the same order)
SEVERITY = (OVERDUE, OPEN_ON_TIME, ONGOING, AWAITING, DONE_LATE, DONE_ON_TIME)


# --- the board: computed once per snapshot and day -----------------------------------------------


def short_name(name: str, aliases=(), limit: int = 24) -> str:
    """A label that fits a phone screen: the shortest alias when it is shorter, else the name
    with "Ủy ban nhân dân" abbreviated, cut at `limit` characters."""
    candidates = [a for a in aliases if a] + [
        name.replace("Ủy ban nhân dân", "UBND").replace("Uỷ ban nhân dân", "UBND")
    ]
    best = min(candidates, key=len)
    return best if len(best) <= limit else best[: limit - 1].rstrip() + "…"


def _local_day(moment, zone: ZoneInfo) -> date | None:
    if moment is None or pd.isna(moment):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone).date()


def _issue_day(iso: str) -> date | None:
    """The first day a directive's date allows ("2025-01" -> 01/01/2025)."""
    try:
        return date.fromisoformat(iso if len(iso) > 7 else f"{iso}-01") if iso else None
    except ValueError:
        return None


_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # as services.domain.fold


def fold_many(texts: Iterable[str]) -> list[str]:
    """[services.domain.fold(t) for t in texts], with the same result, computed on one joined
    string with C-level str methods (fold's per-character loop costs ~0.2 s on 10,000 task
    texts, this ~0.05 s)."""
    texts = [str(t) for t in texts]
    if not texts:
        return []
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator itself
        return [fold(t) for t in texts]
    for invisible in _INVISIBLE:
        if invisible in joined:
            joined = joined.replace(invisible, "")
    joined = unicodedata.normalize("NFD", joined)
    for mark in (c for c in set(joined) if unicodedata.combining(c)):
        joined = joined.replace(mark, "")
    joined = joined.replace("đ", "d").replace("Đ", "D").replace("\u00a0", " ").lower()
    return [" ".join(part.split()) for part in joined.split(_SEPARATOR)]


_SEPARATOR = "\x00"  # a starter (blocks canonical reordering) and not whitespace


_REVERTIBLE = {FIELD_LABELS[f]: f for f in ("status", "deadline", "completed_on")}


def _old_value(field_name: str, text: str, current):
    if field_name == "status":
        return text if text in STATUSES else current
    try:
        return parse_date(text)
    except DateError:
        return current


def state_on(
    snapshot: Snapshot, day: date, due_soon_days: int = 7, tz: str = DEFAULT_TIMEZONE
) -> pd.DataFrame:
    """Per task (in snapshot order): existed, category, due_soon and done as of the end of `day`
    (see the module docstring for the rules)."""
    zone = ZoneInfo(tz)
    end = datetime.combine(day + timedelta(days=1), time.min, zone)
    touched: set[str] = set()
    created: dict[str, datetime] = {}  # the history row written when the task was added
    reverts: dict[str, dict[str, tuple[datetime, str]]] = {}
    for c in snapshot.history:
        touched.add(c.task_id)
        if c.field == CREATED and c.at is not None:
            at = c.at if c.at.tzinfo else c.at.replace(tzinfo=zone)
            created[c.task_id] = min(at, created.get(c.task_id, at))
        name = _REVERTIBLE.get(c.field)
        if name is None or c.at is None:
            continue
        at = c.at if c.at.tzinfo else c.at.replace(tzinfo=zone)
        if at >= end:
            seen = reverts.setdefault(c.task_id, {})
            if name not in seen or at < seen[name][0]:
                seen[name] = (at, c.old)
    issued = {d.id: _issue_day(d.issued_on) for d in snapshot.directives}
    rows: list[tuple[bool, str | None, bool, bool]] = []
    for t in snapshot.tasks:
        opened = issued.get(t.directive_id)
        added: date | None
        if t.id in created:
            added = created[t.id].astimezone(zone).date()
        else:
            added = _local_day(t.updated_at, zone) if t.id not in touched else None
        if (opened and opened > day) or (added and added > day):
            rows.append((False, None, False, False))
            continue
        if t.id in reverts:
            t = replace(
                t, **{f: _old_value(f, old, getattr(t, f)) for f, (_, old) in reverts[t.id].items()}
            )
        if t.status == DONE:
            finished = t.completed_on or _local_day(t.updated_at, zone)
            if finished and finished > day:
                t = replace(t, status=IN_PROGRESS, completed_on=None)
        rows.append((True, category(t, day), is_due_soon(t, day, due_soon_days), t.status == DONE))
    return pd.DataFrame(rows, columns=["existed", "category", "due_soon", "done"])


def build_board(
    snapshot: Snapshot,
    tasks: pd.DataFrame,
    as_of: date,
    due_soon_days: int = 7,
    tz: str = DEFAULT_TIMEZONE,
) -> pd.DataFrame:
    """The task table (services.metrics.tasks_frame, in snapshot order) with the dashboard's
    columns: the successor agency next to the original one, partner codes, a folded search text,
    the completion day, and the state DELTA_DAYS ago."""
    board = tasks.reset_index(drop=True).copy()
    if len(board) != len(snapshot.tasks):
        raise ValueError("the task table does not come from this snapshot")
    zone = ZoneInfo(tz)
    index = AgencyIndex(snapshot.agencies)
    agencies = index.agencies
    titles = {d.id: d.title for d in snapshot.directives}

    def labels(code):
        a = agencies.get(code)
        return short_name(a.name, a.aliases) if a else short_name(code)

    codes = pd.Series([t.lead for t in snapshot.tasks], dtype=object)
    successor = {c: index.current(c) for c in set(codes)}
    current = codes.map(successor).astype(object)  # object even when empty
    known = set(codes) | set(successor.values())  # per agency, not per task
    short = {c: labels(c) for c in known}
    board["directive_title"] = board["directive_id"].map(lambda d: titles.get(d, ""))
    board["lead_short"] = codes.map(short)
    board["current"] = current
    board["current_name"] = current.map({c: index.name(c) for c in known})
    board["current_group"] = current.map(
        {c: agencies[c].group if c in agencies else "" for c in known}
    )
    board["current_short"] = current.map(short)
    board["partner_codes"] = [t.partners for t in snapshot.tasks]
    board["partner_current"] = [
        tuple(dict.fromkeys(index.current(p) for p in t.partners)) for t in snapshot.tasks
    ]
    board["completed"] = [
        (t.completed_on or _local_day(t.updated_at, zone)) if t.status == DONE else None
        for t in snapshot.tasks
    ]
    alias_text = {c: " ".join(agencies[c].aliases) if c in agencies else "" for c in known}
    aliases, current_aliases = codes.map(alias_text), current.map(alias_text)
    parts = [
        board["id"],
        board["directive_number"],
        board["content"],
        codes + " " + board["lead_name"] + " " + aliases,
        current + " " + board["current_name"] + " " + current_aliases,
        board["partners"],
    ]  # fields apart, so that a phrase never spans two of them
    board["search_text"] = pd.Series(
        fold_many(" | ".join(map(str, row)) for row in zip(*parts)), index=board.index, dtype="str"
    )
    then = state_on(snapshot, as_of - timedelta(days=DELTA_DAYS), due_soon_days, tz)
    for column in then.columns:
        board[f"{column}_then"] = then[column].to_numpy()
    return board


def agency_view(board: pd.DataFrame, original: bool = False) -> pd.DataFrame:
    """The board with `agency`, `agency_name`, `agency_group`, `agency_short` and `partner_list`
    columns: the lead agency as recorded (original=True) or its successor today (default)."""
    if original:
        pick = {
            "agency": "lead",
            "agency_name": "lead_name",
            "agency_group": "lead_group",
            "agency_short": "lead_short",
            "partner_list": "partner_codes",
        }
    else:
        pick = {
            "agency": "current",
            "agency_name": "current_name",
            "agency_group": "current_group",
            "agency_short": "current_short",
            "partner_list": "partner_current",
        }
    return board.assign(**{new: board[old] for new, old in pick.items()})


# --- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """The values the filter widgets offer, from the data."""

    directives: dict[str, str] = field(default_factory=dict)  # id -> label
    groups: tuple[str, ...] = ()
    agencies: dict[str, str] = field(default_factory=dict)  # code -> name, sorted by name
    successors: dict[str, str] = field(default_factory=dict)  # any known code -> code shown


def _sorted_by_name(pairs) -> dict[str, str]:
    return dict(sorted(pairs, key=lambda p: (fold(p[1]), p[0])))


def directive_label(number: str, title: str, limit: int = 80) -> str:
    text = f"{number} – {title}" if number and title else (number or title)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def filter_options(board: pd.DataFrame, original: bool = False) -> Options:
    agency, name = ("lead", "lead_name") if original else ("current", "current_name")
    directives = (
        board[["directive_id", "directive_number", "directive_title"]]
        .drop_duplicates("directive_id")
        .sort_values("directive_id")
    )
    group = board["lead_group" if original else "current_group"]
    groups = sorted((g for g in group.unique() if isinstance(g, str) and g), key=fold)
    agencies = _sorted_by_name(
        board[[agency, name]].drop_duplicates(agency).itertuples(index=False, name=None)
    )
    successors = dict(
        board[["lead", agency]].drop_duplicates("lead").itertuples(index=False, name=None)
    )
    successors.update({c: c for c in agencies})
    return Options(
        directives={i: directive_label(n, t) for i, n, t in directives.itertuples(index=False)},
        groups=tuple(groups),
        agencies=agencies,
        successors=successors,
    )


def category_slug(name: str) -> str:
    return fold(name).replace(" ", "-")


_CATEGORY_BY_SLUG = {category_slug(c): c for c in FILTER_CATEGORIES}
TRUE_WORDS = {"1", "true", "co", "yes"}


@dataclass(frozen=True)
class Filters:
    """What the leader narrowed the view to. Lives in the URL (to_query / from_query) so a
    filtered view can be shared as a link."""

    directives: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    deadline_from: date | None = None
    deadline_to: date | None = None
    search: str = ""
    original: bool = False  # show the agencies as recorded, not their successors

    def __post_init__(self):
        if self.deadline_from and self.deadline_to and self.deadline_from > self.deadline_to:
            start, end = self.deadline_to, self.deadline_from
            object.__setattr__(self, "deadline_from", start)
            object.__setattr__(self, "deadline_to", end)

    @property
    def narrows(self) -> bool:
        """Whether any filter or search is set (the succession toggle does not narrow)."""
        return bool(
            self.directives
            or self.groups
            or self.agencies
            or self.categories
            or self.deadline_from
            or self.deadline_to
            or self.search.strip()
        )

    def to_query(self) -> dict[str, list[str]]:
        """Query-string values, each a list (as st.query_params.get_all gives them back);
        empty filters are left out."""
        query = {
            "directive": list(self.directives),
            "group": list(self.groups),
            "agency": list(self.agencies),
            "category": [category_slug(c) for c in self.categories],
            "from": [self.deadline_from.isoformat()] if self.deadline_from else [],
            "to": [self.deadline_to.isoformat()] if self.deadline_to else [],
            "q": [self.search.strip()] if self.search.strip() else [],
            "original": ["1"] if self.original else [],
        }
        return {k: v for k, v in query.items() if v}

    @classmethod
    def from_query(cls, params: Mapping, options: Options) -> Filters:
        """Filters from query-string values (str or list of str per key). Anything unknown or
        malformed is dropped, never an error: a shared link keeps working after data changes."""

        def values(key) -> list[str]:
            raw = params.get(key, [])
            raw = [raw] if isinstance(raw, str) else list(raw)
            return [str(v).strip() for v in raw if str(v).strip()]

        def day(key) -> date | None:
            for v in values(key)[:1]:
                try:
                    return parse_date(v)
                except DateError:
                    return None
            return None

        groups = {fold(g): g for g in options.groups}
        agencies = [
            options.successors.get(v, options.successors.get(v.upper(), ""))
            for v in values("agency")
        ]
        return cls(
            directives=tuple(
                dict.fromkeys(v for v in values("directive") if v in options.directives)
            ),
            groups=tuple(
                dict.fromkeys(groups[fold(v)] for v in values("group") if fold(v) in groups)
            ),
            agencies=tuple(dict.fromkeys(a for a in agencies if a in options.agencies)),
            categories=tuple(
                dict.fromkeys(
                    _CATEGORY_BY_SLUG[category_slug(v)]
                    for v in values("category")
                    if category_slug(v) in _CATEGORY_BY_SLUG
                )
            ),
            deadline_from=day("from"),
            deadline_to=day("to"),
            search=" ".join(values("q"))[:200],
            original=parse_flag(params.get("original")),
        )


def parse_flag(raw) -> bool:
    if raw is None:
        return False
    raw = [raw] if isinstance(raw, str) else list(raw)
    return bool(raw) and fold(str(raw[-1])) in TRUE_WORDS


def search_rows(frame: pd.DataFrame, query: str, columns: Iterable[str]) -> pd.DataFrame:
    """The rows of `frame` whose `columns` match `query` the way every search box of the app
    matches (search_mask): Tổng quan, Nhiệm vụ của tôi, the history of Quản trị."""
    if not fold(query or ""):
        return frame
    columns = list(columns)
    texts = pd.Series(
        fold_many(" | ".join(map(str, row)) for row in frame[columns].itertuples(index=False)),
        index=frame.index,
        dtype="str",
    )
    return frame[search_mask(texts, query)]


def search_mask(texts: pd.Series, query: str) -> pd.Series:
    """Rows whose folded text has the folded query at the start of a word: case and diacritics
    do not matter ("so noi vu" finds "Sở Nội vụ", "đài" and "dai" find the Đài)."""
    needle = fold(query)
    if not needle:
        return pd.Series(True, index=texts.index)
    return texts.str.contains(r"(?<![0-9a-z])" + re.escape(needle), regex=True)


def apply(board: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The agency view (see agency_view) of the tasks that pass every filter."""
    view = agency_view(board, filters.original)
    keep = pd.Series(True, index=view.index)
    if filters.directives:
        keep &= view["directive_id"].isin(filters.directives)
    if filters.groups:
        keep &= view["agency_group"].isin(filters.groups)
    if filters.agencies:
        keep &= view["agency"].isin(filters.agencies)
    if filters.categories:
        wanted = keep & False
        plain = [c for c in filters.categories if c != DUE_SOON]
        if plain:
            wanted |= view["category"].isin(plain)
        if DUE_SOON in filters.categories:
            wanted |= view["due_soon"].astype(bool)
        keep &= wanted
    if filters.deadline_from or filters.deadline_to:
        deadline = view["deadline"]
        has = deadline.notna()
        keep &= has
        if filters.deadline_from:
            keep &= has & deadline.map(
                lambda d: d is not None and not pd.isna(d) and d >= filters.deadline_from
            )
        if filters.deadline_to:
            keep &= has & deadline.map(
                lambda d: d is not None and not pd.isna(d) and d <= filters.deadline_to
            )
    if filters.search.strip():
        keep &= search_mask(view["search_text"], filters.search)
    return view if keep.all() else view[keep]  # no filter: no copy of 10,000 rows


# --- KPI cards -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str | None  # None shows as a dash
    delta: str | int | None  # None: no comparison; 0: unchanged
    delta_color: str  # for st.metric: "normal", "inverse" (lower is better) or "off"
    help: str


def then_frame(view: pd.DataFrame) -> pd.DataFrame:
    """The filtered tasks as they stood DELTA_DAYS ago (those that existed then)."""
    then = view[view["existed_then"].astype(bool)]
    return pd.DataFrame(
        {
            "category": then["category_then"],
            "status": then["done_then"].map(lambda d: DONE if d else ""),
            "due_soon": then["due_soon_then"].astype(bool),
        }
    )


def kpi_cards(view: pd.DataFrame, due_soon_days: int = 7) -> list[Card]:
    """The KPI cards for the filtered tasks, each with its change against DELTA_DAYS ago."""
    now = kpis(view)
    then = kpis(then_frame(view)) if len(view) else kpis(view)
    has_then = then["total"] > 0

    def count(key, label, color, help_text):
        delta = format_change(now[key], then[key]) if has_then else None
        return Card(key, label, format_count(now[key]), delta, color, help_text)

    def rate(key, label, help_text):
        delta = format_points(now[key], then[key]) if has_then else None
        return Card(key, label, format_rate(now[key]), delta, "normal", help_text)

    return [
        count("total", "Tổng số nhiệm vụ", "off", "Số nhiệm vụ đang theo dõi (theo bộ lọc)."),
        rate(
            "completion_rate", "Tỷ lệ hoàn thành", "Số nhiệm vụ đã hoàn thành / tổng số nhiệm vụ."
        ),
        rate(
            "on_time_rate",
            "Tỷ lệ đúng hạn",
            "Số nhiệm vụ hoàn thành đúng hạn / số nhiệm vụ đã hoàn thành.",
        ),
        count(OVERDUE, OVERDUE, "inverse", "Chưa hoàn thành và đã quá hạn."),
        count(
            "due_soon",
            DUE_SOON,
            "off",
            f"Chưa hoàn thành, đến hạn trong {due_soon_days} ngày tới (kể cả hôm nay).",
        ),
        count(
            DONE_ON_TIME,
            DONE_ON_TIME,
            "normal",
            "Hoàn thành không muộn hơn hạn; nhiệm vụ không có hạn đã hoàn thành cũng tính ở đây.",
        ),
        count(DONE_LATE, DONE_LATE, "inverse", "Hoàn thành sau hạn."),
        count(OPEN_ON_TIME, OPEN_ON_TIME, "off", "Chưa hoàn thành, chưa đến hạn."),
        count(ONGOING, ONGOING, "off", "Nhiệm vụ không có thời hạn, chưa hoàn thành."),
    ]


# --- chart aggregates (a few dozen rows, whatever the number of tasks) ---------------------------


def _category_counts(view: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    counts = pd.crosstab([view[c] for c in by], view["category"])
    counts = counts.reindex(columns=list(SEVERITY), fill_value=0)
    counts.columns = list(SEVERITY)
    counts["total"] = counts[list(SEVERITY)].sum(axis=1)
    done = counts[DONE_ON_TIME] + counts[DONE_LATE]
    counts["completion_rate"] = done / counts["total"]
    return counts.reset_index()


def agency_categories(view: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Per agency: tasks per category, total, completion rate; worst first (most overdue, then
    lowest completion rate, then name). Columns: agency, agency_name, agency_short, the five
    categories, total, completion_rate."""
    columns = ["agency", "agency_name", "agency_short", *SEVERITY, "total", "completion_rate"]
    if view.empty:
        return pd.DataFrame(columns=columns)
    table = _category_counts(view, ["agency", "agency_name", "agency_short"])
    table["_name"] = table["agency_name"].map(fold)
    table = table.sort_values(
        [OVERDUE, "completion_rate", "_name"], ascending=[False, True, True], kind="stable"
    )
    table = table[columns].reset_index(drop=True)
    return table.head(limit) if limit else table


def category_share(view: pd.DataFrame) -> pd.DataFrame:
    """category, count, share -- the categories present, in SEVERITY order."""
    counts = view["category"].value_counts()
    rows = [(c, int(counts[c])) for c in SEVERITY if counts.get(c, 0)]
    table = pd.DataFrame(rows, columns=["category", "count"])
    table["share"] = table["count"] / table["count"].sum() if rows else []
    return table


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_completions(view: pd.DataFrame, as_of: date, weeks: int = 26) -> pd.DataFrame:
    """Tasks completed per week (Monday to Sunday) over the last `weeks` weeks up to `as_of`,
    split on time / late. Columns: week (date of its Monday), DONE_ON_TIME, DONE_LATE, total.
    Empty when nothing was completed in that period."""
    columns = ["week", DONE_ON_TIME, DONE_LATE, "total"]
    first = week_start(as_of) - timedelta(weeks=weeks - 1)
    done = view[view["completed"].notna() & view["category"].isin((DONE_ON_TIME, DONE_LATE))]
    done = done[done["completed"].map(lambda d: first <= d <= as_of)]
    if done.empty:
        return pd.DataFrame(columns=columns)
    counts = pd.crosstab(done["completed"].map(week_start), done["category"])
    all_weeks = [first + timedelta(weeks=i) for i in range(weeks)]
    counts = counts.reindex(index=all_weeks, columns=[DONE_ON_TIME, DONE_LATE], fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts.index.name = "week"
    return counts.reset_index()[columns]


def directive_progress(view: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Per directive: tasks per category, total, completion rate; worst first. Columns:
    directive_id, label (number, unique), title, the five categories, total, completion_rate."""
    columns = ["directive_id", "label", "title", *SEVERITY, "total", "completion_rate"]
    if view.empty:
        return pd.DataFrame(columns=columns)
    table = _category_counts(view, ["directive_id", "directive_number", "directive_title"])
    table = table.sort_values(
        [OVERDUE, "completion_rate", "directive_id"], ascending=[False, True, True], kind="stable"
    )
    number = table["directive_number"].where(
        table["directive_number"].str.len() > 0, table["directive_id"]
    )
    clash = number.duplicated(keep=False)
    table["label"] = number.where(~clash, number + " (" + table["directive_id"] + ")")
    table["title"] = table["directive_title"]
    table = table[columns].reset_index(drop=True)
    return table.head(limit) if limit else table


# --- tables --------------------------------------------------------------------------------------


def age_band(days: int) -> str:
    for bound, label in AGE_BANDS:
        if days > bound:
            return label
    return AGE_RECENT


def _by_severity(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {c: i for i, c in enumerate(SEVERITY)}
    return (
        frame.assign(_rank=frame["category"].map(rank))
        .sort_values(
            ["_rank", "days_late", "deadline", "id"],
            ascending=[True, False, True, True],
            kind="stable",
            na_position="last",
        )
        .drop(columns="_rank")
    )


def overdue_table(view: pd.DataFrame) -> pd.DataFrame:
    """Overdue tasks, most days late first, with their age band (> 120, > 60, > 30 days)."""
    late = view[view["category"] == OVERDUE]
    late = late.sort_values(["days_late", "id"], ascending=[False, True], kind="stable")
    return late.assign(age_band=late["days_late"].map(age_band))


def due_within(view: pd.DataFrame, as_of: date, days: int) -> pd.DataFrame:
    """Open tasks due from today to `days` days ahead, soonest first."""
    end = as_of + timedelta(days=days)
    deadline = view["deadline"]
    mask = (view["status"] != DONE) & deadline.map(
        lambda d: d is not None and not pd.isna(d) and as_of <= d <= end
    )
    due = view[mask]
    due = due.assign(days_left=due["deadline"].map(lambda d: (d - as_of).days))
    return due.sort_values(["deadline", "id"], kind="stable")


def stale_agencies(view: pd.DataFrame, as_of: date, tz: str = DEFAULT_TIMEZONE) -> pd.DataFrame:
    """Agencies whose update rate (metrics.update_window) is 0: open tasks and no task reported
    in the last UPDATE_WINDOW_DAYS days (never updated
    first, then the longest silent). Columns: agency, agency_name, agency_group, open,
    last_update (date or None), days_silent (None when never)."""
    columns = ["agency", "agency_name", "agency_group", "open", "last_update", "days_silent"]
    if view.empty:
        return pd.DataFrame(columns=columns)
    zone = ZoneInfo(tz)
    updated, is_open, due, recent = update_window(view, as_of, tz)
    work = pd.DataFrame(
        {
            "agency": view["agency"],
            "agency_name": view["agency_name"],
            "agency_group": view["agency_group"],
            "open": is_open.astype(int),
            "due": due.astype(int),
            "recent": recent.astype(int),
            "updated": updated.dt.tz_convert(zone),
        }
    )
    grouped = work.groupby(
        ["agency", "agency_name", "agency_group"], as_index=False, dropna=False
    ).agg(
        open=("open", "sum"),
        due=("due", "sum"),
        recent=("recent", "sum"),
        updated=("updated", "max"),
    )
    silent = grouped[(grouped["due"] > 0) & (grouped["recent"] == 0)].copy()
    silent["last_update"] = silent["updated"].map(lambda t: None if pd.isna(t) else t.date())
    silent["days_silent"] = pd.array(
        [None if d is None else (as_of - d).days for d in silent["last_update"]], dtype="Int64"
    )
    silent["_never"] = silent["last_update"].isna()
    silent["_name"] = silent["agency_name"].map(fold)
    silent = silent.sort_values(
        ["_never", "days_silent", "_name"], ascending=[False, False, True], kind="stable"
    )
    return silent[columns].reset_index(drop=True)


# --- Cơ quan page --------------------------------------------------------------------------------


def agency_scorecard(
    view: pd.DataFrame, code: str, as_of: date, tz: str = DEFAULT_TIMEZONE
) -> dict:
    """services.metrics.agency_metrics for one agency of the view (its own tasks, plus those of
    agencies merged into it when the view rolls up), as a dict; zeros when it leads nothing."""
    own = view[view["agency"] == code]
    if own.empty:
        return {
            "lead": code,
            "assigned": 0,
            "done": 0,
            "done_on_time": 0,
            "overdue": 0,
            "completion_rate": None,
            "on_time_rate": None,
            "update_rate": None,
            "last_update": None,
        }
    frame = own.assign(
        lead=own["agency"], lead_name=own["agency_name"], lead_group=own["agency_group"]
    )
    row = agency_metrics(frame, as_of, tz).iloc[0].to_dict()
    for key in ("completion_rate", "on_time_rate", "update_rate", "last_update"):
        if row[key] is not None and pd.isna(row[key]):
            row[key] = None
    return {k: row[k] for k in AGENCY_COLUMNS if k in row}


def agency_choices(
    board: pd.DataFrame, snapshot: Snapshot, original: bool = False
) -> dict[str, str]:
    """code -> name of every agency the Cơ quan page can show: those in the registry (only the
    ones still operating when rolling up) and any lead found in the tasks, sorted by name."""
    view = agency_view(board, original)
    pairs = set(zip(view["agency"], view["agency_name"]))
    pairs |= {(a.code, a.name) for a in snapshot.agencies if original or not a.successor}
    return _sorted_by_name(pairs)


def pick_agency(
    requested: str,
    choices: Mapping[str, str],
    index: AgencyIndex,
    original: bool = False,
    fallback=(),
) -> tuple[str, str]:
    """(code to show, note for the user) for the agency asked for in the URL: a code, a name or
    an alias; a merged agency shows its successor when rolling up. Unknown or absent: the first
    of `fallback` that is a choice (e.g. the user's agency, then the worst one), else the first
    choice. The note never repeats the URL's text."""
    note = ""
    if requested:
        code = requested if requested in choices else (index.resolve(requested) or "")
        if code and code not in choices and not original and index.current(code) in choices:
            successor = index.current(code)
            note = (
                f"{index.name(code)} đã sáp nhập vào {index.name(successor)}: đang hiển thị "
                "cơ quan kế thừa (bật «Hiện cơ quan cũ» để xem riêng)."
            )
            code = successor
        if code in choices:
            return code, note
        note = "Không tìm thấy cơ quan ghi trong đường dẫn; đang hiển thị một cơ quan khác."
    for code in fallback:
        code = code if original or not code else index.current(code)
        if code in choices:
            return code, note
    return next(iter(choices)), note


def merged_into(snapshot: Snapshot, code: str) -> list[str]:
    """Names of the agencies whose tasks roll up under `code` (merged into it, directly or not)."""
    index = AgencyIndex(snapshot.agencies)
    return [a.name for a in snapshot.agencies if a.code != code and index.current(a.code) == code]


def partner_tasks(view: pd.DataFrame, code: str) -> pd.DataFrame:
    """Tasks where the agency is a partner (phối hợp) and not the lead, worst first."""
    mask = view["partner_list"].map(lambda codes: code in codes) & (view["agency"] != code)
    return _by_severity(view[mask])


def lead_tasks(view: pd.DataFrame, code: str) -> pd.DataFrame:
    """The agency's own tasks, worst first (overdue, most days late)."""
    return _by_severity(view[view["agency"] == code])


CHANGE_HEADERS = {
    "at": "Thời gian",
    "task_id": "Mã NV",
    "field": "Trường",
    "old": "Giá trị cũ",
    "new": "Giá trị mới",
    "actor_name": "Người cập nhật",
    "actor_agency": "Cơ quan",
    "actor": "Email",
}


def change_table(
    snapshot: Snapshot, changes, limit: int | None = None, cut: bool = True
) -> pd.DataFrame:
    """History rows, newest first, with who made each as a person reads it: the user's name
    (their e-mail when they have no user row) and the agency's name. Long values are cut
    (preview) unless `cut` is False (a download). Columns: CHANGE_HEADERS' keys; `at` stays a datetime."""
    names = {u.email: u.name for u in snapshot.users}
    index = AgencyIndex(snapshot.agencies)
    rows = sorted((c for c in changes if c.at is not None), key=lambda c: c.at, reverse=True)[
        :limit
    ]
    frame = pd.DataFrame(
        [
            (
                c.at,
                c.task_id,
                c.field,
                c.old,
                c.new,
                names.get(c.actor) or c.actor,
                index.name(c.actor_agency) if c.actor_agency else "",
                c.actor,
            )
            for c in rows
        ],
        columns=list(CHANGE_HEADERS),
    )
    return preview(frame, ("old", "new")) if cut else frame


def recent_changes(snapshot: Snapshot, task_ids, limit: int = 20) -> pd.DataFrame:
    """The latest history rows of these tasks (change_table)."""
    wanted = set(task_ids)
    return change_table(snapshot, (c for c in snapshot.history if c.task_id in wanted), limit)


def preview(frame: pd.DataFrame, columns=("content", "result", "evidence")) -> pd.DataFrame:
    """Long text cut for a table on screen (CELL_PREVIEW characters, "…"): a 1 MB cell must
    not take a minute to draw. The full text is behind "Xem đầy đủ" or in the CSV."""
    present = [c for c in columns if c in frame.columns]
    texts = {
        c: frame[c].map(lambda v: shorten(v, CELL_PREVIEW) if isinstance(v, str) else v)
        for c in present
    }
    if "deadline" in frame.columns:  # dd/mm/yyyy, and "Thường xuyên" rather than an empty cell
        texts["deadline"] = frame["deadline"].map(deadline_text)
    return frame.assign(**texts)


def deadline_text(value) -> str:
    """A deadline as a table shows it: dd/mm/yyyy, or Thường xuyên when there is none."""
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return ONGOING
    return format_date(value)


UNREADABLE = "Có ô không đọc được"  # a badge: some cells of the row were shown with defaults
UNREADABLE_COLOR = "#6B7280"


def badges(view: pd.DataFrame, unreadable=()) -> pd.Series:
    """Per task, its category, the due-soon flag and whether some of its cells could not be
    read (`unreadable`: task ids), as a list (for a coloured label column)."""
    return [
        [c, *([DUE_SOON] if soon else []), *([UNREADABLE] if i in unreadable else [])]
        for i, c, soon in zip(view["id"], view["category"], view["due_soon"])
    ]


# --- downloads -----------------------------------------------------------------------------------


def display_table(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """`frame[columns]` renamed to Vietnamese headers, dates as dd/mm/yyyy, lists joined."""
    out = pd.DataFrame(index=frame.index)
    for column, header in columns.items():
        values = frame[column]
        out[header] = values.map(_cell_text)
    return out.reset_index(drop=True)


def _cell_text(value):
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV for Excel: services.reports.export.csv_bytes, the one CSV writer."""
    return export.csv_bytes(frame)
