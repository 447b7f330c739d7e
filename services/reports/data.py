"""Reports for leaders' meetings: what a report covers (its scope), the numbers it shows, the CSV
export, and the names of the files. The Excel workbook is in services/reports_excel.py, the Word
report and the reminder letter (công văn đôn đốc) in services/reports_word.py.

The numbers are services.metrics' own -- tasks_frame, kpis, agency_metrics -- computed on the
tasks in scope, so a report says what the dashboard says for the same date. Like the dashboard,
tasks of merged agencies count under the agency that carries on today (Sở TT&TT -> Sở KH&CN)
unless the scope asks for the agencies as the directives recorded them (`original`).

Plain Python: no streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from services.dashboard.attention import period_headline
from services.dashboard.board import state_on
from services.dashboard.metrics import agency_metrics, kpis, tasks_frame
from services.dashboard.periods import period_frame
from services.domain.agencies import AgencyIndex
from services.domain.dates import format_date, format_issue_date
from services.domain.model import (
    DEFAULT_TIMEZONE,
    DONE,
    DONE_LATE,
    IN_PROGRESS,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
    Directive,
    Snapshot,
    fold,
)
from services.domain.periods import MISSING
from services.domain.text import format_count, format_rate  # noqa: F401  (re-exported)
from services.domain.urgency import Thresholds
from services.reports.export import csv_rows

DEFAULT_ISSUER = "UBND tỉnh Hưng Yên"

# Per-agency columns of a report: services.metrics.agency_metrics, plus the category counts that
# split its totals (assigned = done_on_time + done_late + open_on_time + overdue + ongoing).
CATEGORY_COUNTS = {DONE_LATE: "done_late", OPEN_ON_TIME: "open_on_time", ONGOING: "ongoing"}


@dataclass(frozen=True)
class Scope:
    """What a report covers: one directive or all, optionally one agency group or one agency,
    as of a date."""

    as_of: date
    directive_id: str | None = None
    group: str = ""
    agency: str = ""  # agency code (the successor's code unless `original`)
    original: bool = False  # agencies as the directives recorded them, not their successors


@dataclass(frozen=True)
class ReportData:
    """Everything a report file shows, computed once."""

    scope: Scope
    tasks: pd.DataFrame  # tasks_frame rows in scope, plus "assigned_name" (see prepare)
    totals: dict  # metrics.kpis(tasks)
    agencies: pd.DataFrame  # metrics.agency_metrics(tasks), plus CATEGORY_COUNTS and "open"
    directives: tuple[Directive, ...]  # the directives in scope, in snapshot order
    issuer: str
    agency_name: str = ""  # name of the agency of the scope, if any
    due_soon_days: int = 7
    tz: str = DEFAULT_TIMEZONE
    generated_at: datetime | None = field(default=None, compare=False)
    # reporting periods in scope (services.dashboard.periods.period_frame rows) and their counts
    periods: pd.DataFrame = field(default_factory=lambda: period_frame(Snapshot(), date.min))
    period_totals: dict = field(default_factory=dict)  # attention.period_headline(periods)


def prepare(
    snapshot: Snapshot,
    scope: Scope,
    tasks: pd.DataFrame | None = None,
    *,
    due_soon_days: int = 7,
    tz: str = DEFAULT_TIMEZONE,
    issuer: str | None = None,
    now: datetime | None = None,
    periods: pd.DataFrame | None = None,
    limits: Thresholds | None = None,
) -> ReportData:
    """The numbers of a report. `tasks` is tasks_frame(snapshot, scope.as_of, due_soon_days)
    when the caller has it already (the app caches it); it is computed otherwise. Unless
    scope.original, a task of a merged agency counts under its successor, and its column
    "assigned_name" keeps the name the directive gave (empty for every other task)."""
    if tasks is None:
        tasks = tasks_frame(snapshot, scope.as_of, due_soon_days)
    today = (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz)).date()
    if scope.as_of < today:
        tasks = as_it_was(snapshot, tasks, scope.as_of, due_soon_days, tz)
    index = AgencyIndex(snapshot.agencies)
    frame = tasks.assign(assigned_name="")
    if not scope.original and not frame.empty:
        current = frame["lead"].map(index.current)
        names = current.map(index.name)
        frame = frame.assign(
            lead=current,
            lead_name=names,
            lead_group=current.map(
                lambda c: index.agencies[c].group if c in index.agencies else ""
            ),
            assigned_name=frame["lead_name"].where(frame["lead_name"] != names, ""),
        )
    keep = pd.Series(True, index=frame.index)
    if scope.directive_id:
        keep &= frame["directive_id"] == scope.directive_id
    if scope.group:
        keep &= frame["lead_group"].map(fold) == fold(scope.group)
    if scope.agency:
        keep &= frame["lead"] == scope.agency
    frame = frame[keep].reset_index(drop=True)

    if periods is None:
        periods = period_frame(snapshot, scope.as_of, limits or Thresholds(), tz)
    periods = periods[periods["task_id"].isin(set(frame["id"]))].reset_index(drop=True)
    wanted = {scope.directive_id} if scope.directive_id else set(frame["directive_id"])
    directives = tuple(d for d in snapshot.directives if d.id in wanted)
    return ReportData(
        scope=scope,
        tasks=frame,
        totals=kpis(frame),
        agencies=agency_table(frame, scope.as_of, tz),
        directives=directives,
        issuer=issuer or common_issuer(directives) or DEFAULT_ISSUER,
        agency_name=index.name(scope.agency) if scope.agency else "",
        due_soon_days=due_soon_days,
        tz=tz,
        generated_at=now or datetime.now(ZoneInfo(tz)),
        periods=periods,
        period_totals=period_headline(periods),
    )


def as_it_was(
    snapshot: Snapshot, tasks: pd.DataFrame, day: date, due_soon_days: int, tz: str
) -> pd.DataFrame:
    """The task table as it stood at the end of a past day: tasks added later are left out, and
    status, category and days late are those of that day (services.dashboard.state_on undoes the
    history written since). Reports "as of" a past date count what was known then."""
    then = state_on(snapshot, day, due_soon_days, tz)
    frame = tasks.reset_index(drop=True).assign(
        category=then["category"],
        due_soon=then["due_soon"].astype(bool),
        status=[
            s if done or s != DONE else IN_PROGRESS
            for s, done in zip(tasks["status"], then["done"])
        ],
    )
    frame["days_late"] = [
        max(0, (day - d).days) if c == OVERDUE and d else 0
        for c, d in zip(frame["category"], frame["deadline"])
    ]
    return frame[then["existed"].astype(bool)].reset_index(drop=True)


def agency_table(frame: pd.DataFrame, as_of: date, tz: str = DEFAULT_TIMEZONE) -> pd.DataFrame:
    """services.metrics.agency_metrics, in its order, with the category counts that complete it
    and the number of open tasks."""
    metrics = agency_metrics(frame, as_of, tz)
    extra = list(CATEGORY_COUNTS.values()) + ["open"]
    if metrics.empty:
        return metrics.assign(**{c: pd.Series(dtype=int) for c in extra})
    counts = pd.crosstab(frame["lead"], frame["category"])
    for name, column in CATEGORY_COUNTS.items():
        by_lead = counts[name] if name in counts.columns else pd.Series(dtype=int)
        metrics[column] = metrics["lead"].map(by_lead).fillna(0).astype(int)
    open_tasks = frame[frame["status"] != DONE].groupby("lead").size()
    metrics["open"] = metrics["lead"].map(open_tasks).fillna(0).astype(int)
    return metrics


def common_issuer(directives) -> str:
    """The issuer all these directives share, or "" when they have none or several."""
    issuers = {d.issuer.strip() for d in directives if d.issuer.strip()}
    return issuers.pop() if len(issuers) == 1 else ""


# --- the agencies a reminder letter goes to ------------------------------------------------------


@dataclass(frozen=True)
class ReminderTarget:
    """An agency a công văn đôn đốc goes to: it has overdue tasks, or none of its open tasks was
    updated in the last UPDATE_WINDOW_DAYS days (agency_metrics' update_rate is 0)."""

    code: str
    name: str
    overdue: int
    open: int
    stale: bool  # no open task updated within the window
    last_update: date | None
    tasks: pd.DataFrame  # its open tasks: overdue first (most days late first), then by deadline
    missing: pd.DataFrame = field(default_factory=pd.DataFrame)  # its period reports not sent


def reminder_targets(data: ReportData) -> list[ReminderTarget]:
    """The agencies to remind, in the order of agency_metrics (most overdue first)."""
    targets = []
    zone = ZoneInfo(data.tz)
    missing = data.periods[data.periods["status"] == MISSING]
    # the agency as the report counts it (its successor unless scope.original)
    lead_of = dict(zip(data.tasks["id"], data.tasks["lead"]))
    missing = missing.assign(lead=missing["task_id"].map(lead_of))
    for row in data.agencies.itertuples(index=False):
        rate = row.update_rate
        stale = row.open > 0 and rate is not None and not pd.isna(rate) and rate == 0
        owed = missing[missing["lead"] == row.lead]
        if not (row.overdue > 0 or stale or len(owed)):
            continue
        own = data.tasks[(data.tasks["lead"] == row.lead) & (data.tasks["status"] != DONE)]
        own = own.assign(
            _late=-own["days_late"],
            _due=own["deadline"].map(lambda d: d if isinstance(d, date) else date.max),
        )
        own = own.sort_values(["_late", "_due", "id"], kind="stable")
        own = own.drop(columns=["_late", "_due"])
        last = row.last_update
        last_day = (
            None if last is None or pd.isna(last) else pd.Timestamp(last).tz_convert(zone).date()
        )
        targets.append(
            ReminderTarget(
                code=row.lead,
                name=row.lead_name,
                overdue=int(row.overdue),
                open=int(row.open),
                stale=bool(stale),
                last_update=last_day,
                tasks=own.reset_index(drop=True),
                missing=owed.sort_values(
                    ["days_late", "task_id"], ascending=[False, True]
                ).reset_index(drop=True),
            )
        )
    return targets


# --- words and numbers as a report writes them ---------------------------------------------------


def date_line(place: str, day: date) -> str:
    """ "Hưng Yên, ngày 05 tháng 02 năm 2026" as Nghị định 30/2020/NĐ-CP writes it: a day below
    10 and the months 1 and 2 take a leading zero, other months do not."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


_ISSUER_PREFIXES = (("uy ban nhan dan ", "ỦY BAN NHÂN DÂN"), ("ubnd ", "ỦY BAN NHÂN DÂN"))
_LEVELS = ("tinh ", "thanh pho ", "huyen ", "thi xa ", "quan ", "xa ", "phuong ", "thi tran ")


@dataclass(frozen=True)
class Issuer:
    lines: tuple[str, ...]  # the header's name, upper case: ("ỦY BAN NHÂN DÂN", "TỈNH HƯNG YÊN")
    collective: str  # what "TM." signs for: "ỦY BAN NHÂN DÂN"
    place: str  # the place before the date: "Hưng Yên"
    short: str  # how the text names it: "Ủy ban nhân dân tỉnh"
    abbrev: str  # how a title names it: "UBND tỉnh"


def issuer_parts(issuer: str) -> Issuer:
    """Header lines, place and names of an issuer: "UBND tỉnh Hưng Yên" gives ("ỦY BAN NHÂN DÂN",
    "TỈNH HƯNG YÊN"), "Hưng Yên", "Ủy ban nhân dân tỉnh". Any other issuer is written as given."""
    text = " ".join(issuer.split())
    folded = fold(text)
    for prefix, head in _ISSUER_PREFIXES:
        if folded.startswith(prefix):
            rest = text[len(prefix) :].strip()
            level = next((lv for lv in _LEVELS if fold(rest).startswith(lv)), "")
            place = rest[len(level) :].strip() if level else rest
            kind = rest[: len(level)].strip() if level else ""
            return Issuer(
                (head, rest.upper()),
                head,
                place,
                f"Ủy ban nhân dân {kind}".strip(),
                f"UBND {kind}".strip(),
            )
    return Issuer((text.upper(),), text.upper(), "", text, text)


def directive_reference(d: Directive) -> str:
    """ "Văn bản số 375-KH/TU ngày 15/01/2025" ("tháng 01/2025" when the day is unknown)."""
    issued = format_issue_date(d.issued_on)
    when = (
        "" if not issued else (f" ngày {issued}" if issued.count("/") == 2 else f" tháng {issued}")
    )
    return f"Văn bản số {d.number}{when}" if d.number else f"Văn bản{when}"


def directive_label(d: Directive, limit: int = 90) -> str:
    """ "375-KH/TU – Trích yếu…" for a choice list."""
    text = " – ".join(part for part in (d.number, d.title) if part) or d.id
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def scope_phrase(data: ReportData, issuer: str = "") -> str:
    """What the report covers, to follow "Tình hình thực hiện nhiệm vụ": "theo Văn bản số …
    của UBND tỉnh Hưng Yên" or "theo các văn bản chỉ đạo của UBND tỉnh Hưng Yên", narrowed to
    a group or an agency. `issuer` names the issuer otherwise (a title says "UBND tỉnh")."""
    scope = data.scope
    issuer = issuer or data.issuer
    if scope.directive_id and data.directives:
        text = f"theo {directive_reference(data.directives[0])} của {issuer}"
    else:
        text = f"theo các văn bản chỉ đạo của {issuer}"
    if scope.agency:
        text += f" giao {data.agency_name or scope.agency} chủ trì"
    elif scope.group:
        text += f" giao nhóm cơ quan «{scope.group}» chủ trì"
    return text


def scope_label(data: ReportData) -> str:
    """One line for the workbook: directive, group or agency, as-of date."""
    parts = [
        data.directives[0].number or data.directives[0].id
        if data.scope.directive_id and data.directives
        else "Tất cả văn bản"
    ]
    if data.scope.agency:
        parts.append(data.agency_name or data.scope.agency)
    elif data.scope.group:
        parts.append(f"Nhóm: {data.scope.group}")
    return " · ".join(parts)


# --- the task list as files show it --------------------------------------------------------------

# key -> header; "kind" tells the writers how to show the value
TASK_EXPORT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "Mã NV", "text"),
    ("directive_number", "Văn bản", "text"),
    ("section", "Mục", "text"),
    ("content", "Nội dung nhiệm vụ", "long"),
    ("lead_name", "Cơ quan chủ trì", "text"),
    ("lead_group", "Nhóm cơ quan", "text"),
    ("assigned_name", "Cơ quan được giao theo văn bản (nếu đã sáp nhập)", "text"),
    ("partners", "Cơ quan phối hợp", "text"),
    ("deadline", "Hạn hoàn thành", "date"),
    ("status", "Trạng thái", "text"),
    ("progress", "Tiến độ (%)", "int"),
    ("category", "Phân loại", "text"),
    ("due_soon", "Sắp đến hạn", "flag"),
    ("days_late", "Số ngày quá hạn", "count"),  # blank unless overdue
    ("result", "Kết quả thực hiện", "long"),
    ("evidence", "Minh chứng", "text"),
    ("completed_on", "Ngày hoàn thành", "date"),
    ("updated_at", "Cập nhật lúc", "datetime"),
    ("updated_by", "Người cập nhật", "text"),
)

# Characters XML 1.0 (so .xlsx and .docx) cannot hold; text from a sheet may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text) -> str:
    """Text a file can hold: no control characters except tab, CR and LF."""
    return _NOT_XML.sub("", str(text))


def local_datetime(value, tz: str) -> datetime | None:
    """A timestamp as a naive local datetime (spreadsheets have no time zones), or None."""
    if value is None or pd.isna(value):  # NaT is a datetime too
        return None
    moment = pd.Timestamp(value)
    if moment.tzinfo is not None:
        moment = moment.tz_convert(tz).tz_localize(None)
    return moment.to_pydatetime().replace(microsecond=0)


def as_date(value) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, datetime) else value


def csv_bytes(data: ReportData) -> bytes:
    """The task list in scope as CSV for Excel (services.reports.export.csv_rows), dates
    dd/mm/yyyy."""
    columns = {}
    for key, header, kind in TASK_EXPORT_COLUMNS:
        values = data.tasks[key]
        if kind == "date":
            values = values.map(lambda v: format_date(as_date(v)))
        elif kind == "datetime":
            values = values.map(
                lambda v: (lambda t: t.strftime("%d/%m/%Y %H:%M") if t else "")(
                    local_datetime(v, data.tz)
                )
            )
        elif kind == "flag":
            values = values.map(lambda v: "Có" if v else "")
        elif kind == "int":
            values = values.map(int)
        elif kind == "count":
            values = values.map(lambda v: int(v) or "")
        else:
            values = values.map(lambda v: "" if v is None else clean(v))
        columns[header] = values.tolist()
    return csv_rows(list(columns), zip(*columns.values()))


# --- file names ----------------------------------------------------------------------------------

FILE_STEMS = {
    "xlsx": "danh-sach-nhiem-vu",
    "csv": "danh-sach-nhiem-vu",
    "report": "bao-cao",
    "reminder": "cong-van-don-doc",
}
ALL_DIRECTIVES_SLUG = "tat-ca-van-ban"


def slug(text: str) -> str:
    """ "375-KH/TU" -> "375-kh-tu": lower case, no diacritics, words joined by "-"."""
    return "-".join(re.findall(r"[0-9a-z]+", fold(text)))


def scope_slug(data: ReportData, agency: str = "") -> str:
    """What a file covers, for its name: the directive's number (or "tat-ca-van-ban"), then the
    agency (a letter to one agency, or a report narrowed to one) or the group."""
    scope = data.scope
    parts = []
    if scope.directive_id and data.directives:
        d = data.directives[0]
        parts.append(slug(d.number) or slug(d.id))
    else:
        parts.append(ALL_DIRECTIVES_SLUG)
    if agency or scope.agency:
        parts.append(slug(agency or scope.agency))
    elif scope.group:
        parts.append(slug(scope.group))
    return "-".join(p for p in parts if p)


def file_name(kind: str, data: ReportData, agency: str = "") -> str:
    """Vietnamese file names without diacritics, by scope and date:
    bao-cao-375-kh-tu-25-11-2026.docx, cong-van-don-doc-tat-ca-van-ban-snv-25-11-2026.docx."""
    extension = {"xlsx": "xlsx", "csv": "csv"}.get(kind, "docx")
    return f"{FILE_STEMS[kind]}-{scope_slug(data, agency)}-{data.scope.as_of:%d-%m-%Y}.{extension}"


def overdue_tasks(data: ReportData) -> pd.DataFrame:
    """Tasks in scope that are overdue as of the report date, most days late first."""
    late = data.tasks[data.tasks["category"] == OVERDUE]
    return late.sort_values(["days_late", "id"], ascending=[False, True], kind="stable")
