"""Saving an imported directive: from what the parser read (services.directive_import) and the
admin corrected, to the store.

Plain Python (no streamlit): the page "Nhập văn bản" and `python -m services.cli import` share it.

- `find_existing`: is this directive already in the store? Same số ký hiệu (accents, case and
  spaces ignored) and, when both dates are known, the same year (numbers restart every year);
  an unnumbered "/UBND-KGVX" must also have the same trích yếu.
- `new_tasks_only`: the tasks not yet under a directive (same lead and same content = same task).
- `preview_rows` / `rows_to_tasks`: the editable grid of the page, and back to tasks.
- `check_rows`: a Vietnamese message for every row that cannot be saved.
- `prepare_import` (no writes) and `save_import`: validation, authorisation (admin only), the
  agencies the admin confirmed, then the directive and its tasks in ONE store call
  (`add_directive`), or `add_tasks` under the directive that already exists.
Nothing is written when anything is refused: ImportRefused carries the messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pandas as pd
from rapidfuzz import fuzz

from services.domain.agencies import AgencyIndex
from services.domain.dates import DateError, format_issue_date, parse_date, parse_issue_date
from services.domain.errors import AppError, PermissionDenied, ValidationError
from services.domain.model import (
    NOT_STARTED,
    ROLE_ADMIN,
    Agency,
    Directive,
    Snapshot,
    Task,
    User,
    clean_text,
    fold,
)
from services.domain.periods import CycleError, parse_cycle
from services.importing.parser import ImportResult
from services.stores.base import Store
from services.stores.layout import LIST_SEPARATOR, split_list
from services.tasks.office import validate_agency

MAX_CONTENT = 5000
GRID_FIELDS = (
    "section",
    "lead",
    "partners",
    "deadline",
    "deadline_note",
    "recurring",
    "cycle",
    "content",
    "confidence",
    "reasons",
    "source",
)
LOW_MARK = "⚠"  # marks a row of low confidence in the grid
_CONFIDENCE_SHOWN = {"thấp": f"{LOW_MARK} thấp", "trung bình": "trung bình", "cao": "cao"}
_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)


class ImportRefused(AppError, ValueError):
    """Nothing was saved. `message` says why; `rows` maps a row (index in the list of tasks) to
    its Vietnamese message; `fields` maps a directive field ("number", "issued_on", ...) to one."""

    def __init__(
        self, message: str, rows: dict[int, str] | None = None, fields: dict[str, str] | None = None
    ):
        self.message, self.rows, self.fields = message, rows or {}, fields or {}
        super().__init__(message)


# --- the same directive, the same task ---------------------------------------------------------


def _number_key(number: str) -> str:
    return re.sub(r"\s+", "", fold(number or ""))


def is_unnumbered(number: str) -> bool:
    """ "/UBND-KGVX" (the number left blank for the clerk to fill in), or no number at all."""
    return not re.match(r"\d", _number_key(number))


def find_existing(snapshot: Snapshot, directive: Directive) -> Directive | None:
    """The directive already stored under the same số ký hiệu, or None (see the module doc)."""
    key = _number_key(directive.number)
    title = fold(directive.title)
    year = directive.issued_on[:4]
    for d in snapshot.directives:
        if _number_key(d.number) != key:
            continue
        if year and d.issued_on[:4] and d.issued_on[:4] != year:
            continue  # "12/KH-UBND" of 2024 is not "12/KH-UBND" of 2025
        if is_unnumbered(key) and not (title and fold(d.title) == title):
            continue
        return d
    return None


_END_MARK = re.compile(r"\s*\./\.\s*$")  # the end-of-document mark
_NUMBERING = re.compile(r"^\s*(?:[IVXL]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s+|^\s*[-–—+•]\s*")
NEAR_DUPLICATE = 90  # rapidfuzz ratio (0-100) of two task texts for the same lead


def task_text_key(content: str) -> str:
    """A task's text compared as the same task: accents, case, whitespace, a leading numbering
    label ("2.", "a)", "-"), trailing punctuation and the end mark "./." ignored."""
    text = _NUMBERING.sub("", _END_MARK.sub("", content or ""))
    return " ".join(re.findall(r"\w+", fold(text)))


def _task_key(task: Task) -> tuple[str, str]:
    return fold(task.lead), task_text_key(task.content)


def new_tasks_only(snapshot: Snapshot, directive_id: str, tasks: list[Task]) -> list[Task]:
    """The tasks whose (lead, text) is not already under that directive (nor repeated); the
    text compared by task_text_key, so a re-import never makes silent copies."""
    seen = {_task_key(t) for t in snapshot.tasks if t.directive_id == directive_id}
    fresh = []
    for t in tasks:
        if _task_key(t) not in seen:
            seen.add(_task_key(t))
            fresh.append(t)
    return fresh


def near_duplicates(snapshot: Snapshot, directive_id: str, tasks: list[Task]) -> dict[int, Task]:
    """Index of a task in `tasks` -> the stored task of the same lead under that directive whose
    text is nearly the same (a word changed, a date corrected): for the admin to decide, never
    added or dropped silently. Exact matches (new_tasks_only) are not listed."""
    stored = [t for t in snapshot.tasks if t.directive_id == directive_id]
    exact = {_task_key(t) for t in stored}
    found = {}
    for i, task in enumerate(tasks):
        if _task_key(task) in exact:
            continue
        key = task_text_key(task.content)
        best = max(
            (
                (fuzz.ratio(key, task_text_key(t.content)), t)
                for t in stored
                if fold(t.lead) == fold(task.lead)
            ),
            default=(0, None),
            key=lambda pair: pair[0],
        )
        score, near = best
        if score >= NEAR_DUPLICATE and near is not None:
            found[i] = near
    return found


# --- the preview grid ------------------------------------------------------------------------


def preview_rows(
    result: ImportResult, registry: AgencyIndex, lead_options: list[str] | None = None
) -> list[dict]:
    """One editable row per extracted task: agencies by name (the grid's select box shows
    names), partners joined by "; ". A lead the registry does not know is kept as written when
    it is among `lead_options` (a proposed new agency), otherwise left empty for the admin to
    choose (what was written stays in Lý do and Câu gốc)."""
    options = set(lead_options or ())
    rows = []
    for t in result.tasks:
        lead: str | None
        if t.lead:
            lead = registry.name(t.lead)
        else:
            lead = t.lead_name if t.lead_name in options else None
        rows.append(
            {
                "section": t.section,
                "lead": lead,
                "partners": LIST_SEPARATOR.join(registry.name(p) for p in t.partners),
                "deadline": t.deadline,
                "deadline_note": deadline_note(t.deadline_text, t.suggested_deadline),
                "suggested": t.suggested_deadline,
                "recurring": t.recurring,
                "cycle": t.cycle,
                "content": t.content,
                "confidence": _CONFIDENCE_SHOWN.get(t.confidence, t.confidence),
                "reasons": "; ".join(t.reasons),
                "source": t.source,
            }
        )
    return rows


def deadline_note(written: str, suggested: date | None) -> str:
    """What the grid shows beside an empty deadline: the period or relative deadline as the
    document writes it, and the date a relative one would give (to confirm, never saved alone)."""
    if suggested:
        return f"{written} → gợi ý {suggested:%d/%m/%Y} (cần xác nhận)".strip()
    return written or ""


def use_suggested_deadlines(rows: list[dict]) -> list[dict]:
    """The admin confirms the suggested dates: rows without a deadline take their suggestion."""
    return [
        {**row, "deadline": row["suggested"]}
        if _blank(row.get("deadline")) and not _blank(row.get("suggested"))
        else row
        for row in rows
    ]


def is_low_confidence(row: dict) -> bool:
    return str(row.get("confidence") or "").startswith(LOW_MARK)


def _blank(value) -> bool:
    """None, False, "", NaN, NaT or pd.NA: what an empty cell of the grid holds."""
    if value is None or pd.api.types.is_bool(value):  # a check box: unticked is empty
        return value is None or not value
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


def drop_blank_rows(rows: list[dict]) -> list[dict]:
    """Rows the admin added to the grid and left empty are not tasks."""
    editable = ("section", "lead", "partners", "deadline", "recurring", "content")
    return [r for r in rows if not all(_blank(r.get(f)) for f in editable)]


def _text(value) -> str:
    return "" if _blank(value) else clean_text(str(value))


def rows_to_tasks(rows: list[dict], registry: AgencyIndex) -> tuple[list[Task], dict[int, str]]:
    """Tasks (ids "") from grid rows, and a message per row whose values cannot be read. An
    agency name the registry does not know is kept as written (check_rows refuses it)."""
    tasks, problems = [], {}
    for i, row in enumerate(rows):
        lead = _text(row.get("lead"))
        partners = tuple(
            dict.fromkeys(registry.resolve(p) or p for p in split_list(_text(row.get("partners"))))
        )
        deadline, raw = None, row.get("deadline")
        if not _blank(raw):
            try:
                deadline = parse_date(raw.date() if isinstance(raw, datetime) else raw)
            except DateError as e:
                problems[i] = f"Hạn hoàn thành: {e}"
        cycle = ""
        try:
            parsed = parse_cycle(_text(row.get("cycle")))
            cycle = parsed.text() if parsed else ""
        except CycleError as e:
            problems[i] = str(e)
        if deadline and not _blank(row.get("recurring")) and bool(row.get("recurring")):
            problems[i] = (
                "Đã đánh dấu Thường xuyên nhưng lại có hạn hoàn thành: bỏ dấu Thường "
                "xuyên hoặc xoá hạn."
            )
        tasks.append(
            Task(
                id="",
                directive_id="",
                section=_text(row.get("section")),
                content=_text(row.get("content")),
                lead=(registry.resolve(lead) or lead) if lead else "",
                partners=partners,
                deadline=deadline,
                status=NOT_STARTED,
                cycle=cycle,
            )
        )
    return tasks, problems


def _issue_start(issued_on: str) -> date | None:
    try:
        return date.fromisoformat(issued_on if len(issued_on) == 10 else issued_on + "-01")
    except ValueError:
        return None


def check_rows(tasks: list[Task], registry: AgencyIndex, issued_on: str = "") -> dict[int, str]:
    """Row index -> why that task cannot be saved (Vietnamese; several reasons joined by "; "):
    no content or too long, no lead or one not in the registry, a partner not in the registry,
    a deadline before the directive's date, the same lead and content twice."""
    messages: dict[int, list[str]] = {}
    start = _issue_start(issued_on) if issued_on else None
    first_of: dict[tuple[str, str], int] = {}
    for i, t in enumerate(tasks):
        found = messages.setdefault(i, [])
        if not t.content:
            found.append("Thiếu nội dung nhiệm vụ.")
        elif len(t.content) > MAX_CONTENT:
            found.append("Nội dung nhiệm vụ tối đa 5.000 ký tự.")
        if not t.lead:
            found.append("Chưa chọn cơ quan chủ trì.")
        elif t.lead not in registry.agencies:
            found.append(f"Cơ quan chủ trì «{t.lead}» chưa có trong danh mục cơ quan.")
        unknown = [p for p in t.partners if p not in registry.agencies]
        if unknown:
            found.append(
                "Cơ quan phối hợp chưa có trong danh mục cơ quan: "
                + "; ".join(f"«{p}»" for p in unknown)
                + "."
            )
        if t.deadline and start and t.deadline < start:
            found.append(
                f"Hạn hoàn thành {t.deadline:%d/%m/%Y} trước ngày ban hành văn bản "
                f"({format_issue_date(issued_on)})."
            )
        key = _task_key(t)
        if t.content and t.lead and key in first_of:
            found.append(f"Trùng với dòng {first_of[key] + 1} (cùng cơ quan chủ trì và nội dung).")
        first_of.setdefault(key, i)
    return {i: " ".join(m) for i, m in messages.items() if m}


# --- new agencies ------------------------------------------------------------------------------


def agency_code(name: str, taken) -> str:
    """A code from the name's initials, as the registry writes them ("Sở Văn hóa, Thể thao và Du
    lịch" -> SVHTTDL; an upper-case word is kept whole: "UBND huyện Văn Lâm" -> UBNDHVL). When
    those are taken (case ignored), a readable longer code from the words themselves ("Sở Ngoại
    vụ" beside "Sở Nội vụ" -> SNGOAIVU), a number only as the last resort."""
    taken = {c.upper() for c in taken}
    words = [w for w in re.findall(r"\w+", clean_text(name)) if fold(w) not in ("va", "cua")]
    parts = [fold(w).upper() if w.isupper() and len(w) > 1 else fold(w)[0].upper() for w in words]
    base = re.sub(r"[^A-Z0-9]", "", "".join(parts))[:12]
    if len(base) < 2:  # a one-word name: its letters ("Hội" -> HOI)
        base = re.sub(r"[^A-Z0-9]", "", fold(name).upper())[:6]
        base = base if len(base) >= 2 else base + "CQ"
    # the kind of body's initial, then the other words spelled out: SNGOAIVU
    spelled = parts[:1] + [fold(w).upper() for w in words[1:]]
    for code in (base, re.sub(r"[^A-Z0-9]", "", "".join(spelled))[:16]):
        if code not in taken:
            return code
    code, n = base, 2
    while code in taken:
        code, n = f"{base}{n}", n + 1
    return code


def similar_agencies(name: str, registry: AgencyIndex, limit: int = 3) -> list[Agency]:
    """Registry agencies whose name looks like `name` (best first), to offer "map to an existing
    agency" for a name the registry does not know ("Sở Văn hoá và Thể thao" -> "Sở Văn hóa, Thể
    thao và Du lịch"). The kind of body must agree (a "Bộ" is never a "Sở") and the words after
    it are compared, so that "Sở" alone never makes two names alike."""
    kind, _, rest = fold(name).partition(" ")
    scored = []
    for a in registry.agencies.values():
        other_kind, _, other_rest = fold(a.name).partition(" ")
        if other_kind != kind or (not a.active and a.successor):
            continue
        score = (fuzz.token_set_ratio(rest, other_rest) + fuzz.ratio(rest, other_rest)) / 2
        if score >= 70:
            scored.append((score, a))
    scored.sort(key=lambda pair: -pair[0])
    return [a for _, a in scored[:limit]]


def map_agencies(rows: list[dict], mapping: dict[str, str]) -> list[dict]:
    """Grid rows with names the admin mapped to an existing agency (printed name -> registry
    name) replaced, as lead and among the partners."""
    if not mapping:
        return rows
    out = []
    for row in rows:
        lead = _text(row.get("lead"))
        partners = split_list(_text(row.get("partners")))
        out.append(
            {
                **row,
                "lead": mapping.get(lead, row.get("lead")),
                "partners": LIST_SEPARATOR.join(mapping.get(p, p) for p in partners),
            }
        )
    return out


_GROUP_GUESS = (
    (re.compile(r"so\s"), "Sở, ban, ngành"),
    (re.compile(r"(?:ubnd|uy ban nhan dan)\s+(?:huyen|thanh pho|thi xa)\s"), "UBND cấp huyện"),
    (re.compile(r"(?:ubnd|uy ban nhan dan)\s+(?:xa|phuong|thi tran)\s"), "UBND cấp xã"),
    (re.compile(r"(?:bao|dai)\s"), "Báo chí"),
    (re.compile(r"hoi\s"), "Hội"),
)


def new_agency(name: str, registry: AgencyIndex, taken=()) -> Agency:
    """The registry row of a proposed agency: its code from the initials, a group guessed from
    its first words ("Sở ..." -> "Sở, ban, ngành"). Raises ImportRefused when the name is empty
    or already names an agency."""
    name = clean_text(name)
    group = next((g for pattern, g in _GROUP_GUESS if pattern.match(fold(name) + " ")), "")
    code = agency_code(name, {*registry.agencies, *taken})
    try:
        return validate_agency(code, name, "", group, "", True, registry)
    except ValidationError as e:
        raise ImportRefused(
            f"Không thêm được cơ quan «{name}»: " + " ".join(e.errors.values())
        ) from None


# --- saving ------------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What save_import will write: agencies, then the directive and its tasks (or only the new
    tasks under `existing`)."""

    directive: Directive
    tasks: list[Task]
    agencies: list[Agency] = field(default_factory=list)
    existing: Directive | None = None
    skipped: int = 0  # tasks already under the existing directive


def clean_directive(directive: Directive) -> Directive:
    """The directive's fields cleaned, or ImportRefused with a message per field."""
    d = replace(
        directive,
        **{
            f: clean_text(getattr(directive, f))
            for f in ("number", "issued_on", "issuer", "title", "signer", "link")
        },
    )
    errors = {}
    if not d.number:
        errors["number"] = "Nhập số, ký hiệu văn bản (ví dụ 45/KH-UBND, hoặc /UBND-KGVX)."
    try:
        issued = parse_issue_date(d.issued_on)
    except DateError as e:
        errors["issued_on"] = f"Ngày ban hành: {e}"
    else:
        if not issued:
            errors["issued_on"] = "Nhập ngày ban hành (dd/mm/yyyy, hoặc mm/yyyy khi chưa có ngày)."
        d = replace(d, issued_on=issued or "")
    if not d.title:
        errors["title"] = "Nhập trích yếu văn bản."
    if d.link and not _LINK.match(d.link):
        errors["link"] = "Liên kết phải bắt đầu bằng http:// hoặc https://."
    if errors:
        raise ImportRefused(
            "Thông tin văn bản chưa đủ: " + " ".join(errors.values()), fields=errors
        )
    return d


def prepare_import(
    snapshot: Snapshot,
    directive: Directive,
    tasks: list[Task],
    actor: User,
    add_to_existing: bool = False,
    new_agencies=(),
) -> ImportPlan:
    """Everything save_import checks, without writing: raises PermissionDenied or ImportRefused.

    `new_agencies`: names (proposals the admin confirmed) to add to the registry; rows naming
    them (lead or partner, as written) then refer to the new codes."""
    if actor.role != ROLE_ADMIN:
        raise PermissionDenied("Chỉ quản trị mới được nhập văn bản.")
    if not tasks:
        raise ImportRefused("Chưa có nhiệm vụ nào để lưu.")
    fields: dict[str, str] = {}
    try:
        directive = clean_directive(replace(directive, id=""))
    except ImportRefused as e:
        fields = e.fields
    registry = AgencyIndex(snapshot.agencies)
    agencies: list[Agency] = []
    for name in dict.fromkeys(clean_text(n) for n in new_agencies if clean_text(n)):
        agencies.append(new_agency(name, registry, [a.code for a in agencies]))
    registry = AgencyIndex([*snapshot.agencies, *agencies])

    def code(value: str) -> str:
        return value if value in registry.agencies else registry.resolve(value) or value

    tasks = [
        replace(
            t,
            id="",
            lead=code(clean_text(t.lead)),
            content=clean_text(t.content),
            section=clean_text(t.section),
            status=NOT_STARTED,
            partners=tuple(dict.fromkeys(p for p in map(code, t.partners) if p != code(t.lead))),
        )
        for t in tasks
    ]
    rows = check_rows(tasks, registry, "" if fields else directive.issued_on)
    if rows or fields:
        problems = (
            [f"{len(rows)} nhiệm vụ chưa lưu được (xem thông báo của từng dòng)."] if rows else []
        ) + list(fields.values())
        raise ImportRefused("Chưa lưu gì. " + " ".join(problems), rows=rows, fields=fields)
    existing = find_existing(snapshot, directive)
    if existing and not add_to_existing:
        raise ImportRefused(
            f"Văn bản số {existing.number} đã có ({existing.id}): chọn «Chỉ thêm các nhiệm vụ mới "
            "vào văn bản đã có» thay vì lưu thành văn bản mới.",
            fields={
                "number": (
                    f"Số, ký hiệu này đã có ({existing.id})."
                    if not is_unnumbered(directive.number)
                    else f"Văn bản cùng số và trích yếu đã có ({existing.id})."
                )
            },
        )
    if add_to_existing and not existing:
        raise ImportRefused(
            f"Không tìm thấy văn bản số {directive.number} đã lưu để thêm nhiệm vụ vào."
        )
    skipped = 0
    if existing:
        fresh = new_tasks_only(snapshot, existing.id, tasks)
        skipped = len(tasks) - len(fresh)
        tasks = [replace(t, directive_id=existing.id) for t in fresh]
    return ImportPlan(
        directive=existing or directive,
        tasks=tasks,
        agencies=agencies,
        existing=existing,
        skipped=skipped,
    )


def save_import(
    store: Store,
    snapshot: Snapshot,
    directive: Directive,
    tasks: list[Task],
    actor: User,
    now: datetime,
    add_to_existing: bool = False,
    new_agencies=(),
) -> tuple[Directive, list[Task]]:
    """Save an import: the confirmed new agencies (store.save_agency), then the directive and its
    tasks in one store.add_directive call; or, with `add_to_existing`, only the tasks not yet
    under the stored directive, in one store.add_tasks call (none: nothing is written).
    Returns the directive (with its id) and the tasks written (with their ids). Pass a fresh
    snapshot: it decides what already exists."""
    plan = prepare_import(snapshot, directive, tasks, actor, add_to_existing, new_agencies)
    for agency in plan.agencies:
        store.save_agency(agency)
    if plan.existing:
        return plan.existing, store.add_tasks(plan.tasks, actor, now) if plan.tasks else []
    return store.add_directive(plan.directive, plan.tasks, actor, now)
