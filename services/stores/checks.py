"""Data checks for the admin and `python -m services.cli check`: what is wrong in the store and where.

Most findings come from reading the sheet (schema.snapshot_parts: bad dates, statuses, progress,
missing or duplicate Mã NV, unknown lead agencies). On Google Sheets, formulas typed into cells are
found by comparing the FORMULA and the UNFORMATTED reading of the same cells: text typed as
"=1+1" reads the same both ways, a real formula does not.
"""

from __future__ import annotations

from services.domain.agencies import AgencyIndex
from services.domain.dates import format_datetime
from services.domain.model import FIELD_LABELS, Change, Snapshot
from services.stores.layout import COLUMNS, TASKS, Finding, HeaderMap, SchemaError, task_cell

CELL_LIMIT = 10_000_000  # Google's limit per spreadsheet
CELL_WARNING = 0.8


def formula_findings(unformatted: dict, formulas: dict) -> list[Finding]:
    found = []
    for sheet, rows in formulas.items():
        plain = unformatted.get(sheet, [])
        if not rows:
            continue
        try:
            hmap = HeaderMap.from_header_row(sheet, rows[0])
        except SchemaError:
            continue
        labels = {i: h for f, h in COLUMNS[sheet] if (i := hmap.positions.get(f)) is not None}
        for r, row in enumerate(rows[1:], start=1):
            for c, cell in enumerate(row):
                value = plain[r][c] if r < len(plain) and c < len(plain[r]) else ""
                if isinstance(cell, str) and cell.startswith("=") and cell != value:
                    column = labels.get(c, f"cột {c + 1}")
                    found.append(
                        Finding(
                            "warning",
                            sheet,
                            r + 1,
                            f"{column}: ô chứa công thức «{cell[:60]}»; hãy nhập "
                            "giá trị thay cho công thức.",
                        )
                    )
    return found


def reference_findings(snapshot: Snapshot) -> list[Finding]:
    codes = {a.code for a in snapshot.agencies}
    found = []
    for t in snapshot.tasks:
        for p in t.partners:
            if p not in codes:
                found.append(
                    Finding(
                        "warning",
                        TASKS,
                        None,
                        f"{t.id}: cơ quan phối hợp «{p}» không có trong danh mục cơ quan.",
                    )
                )
    for u in snapshot.users:
        if u.agency and u.agency not in codes:
            found.append(
                Finding(
                    "error",
                    "NguoiDung",
                    None,
                    f"{u.email}: Mã CQ «{u.agency}» không có trong danh mục.",
                )
            )
    directives = {d.id for d in snapshot.directives}
    for t in snapshot.tasks:
        if t.directive_id and t.directive_id not in directives:
            found.append(
                Finding(
                    "warning",
                    TASKS,
                    None,
                    f"{t.id}: Mã VB «{t.directive_id}» không có trong trang VanBan.",
                )
            )
    return found


def history_findings(snapshot: Snapshot) -> list[Finding]:
    """Every task's last change (Cập nhật lúc) has its row in the history. A save whose history
    append failed, and was not retried before the app restarted, shows up here."""
    logged = {(c.task_id, c.at) for c in snapshot.history}
    return [
        Finding(
            "warning",
            TASKS,
            None,
            f"{t.id}: lần cập nhật lúc {format_datetime(t.updated_at)}"
            f" của {t.updated_by or 'không rõ'} không có dòng tương ứng trong LichSu.",
        )
        for t in snapshot.tasks
        if t.updated_at and (t.id, t.updated_at) not in logged
    ]


def last_change_findings(snapshot: Snapshot) -> list[Finding]:
    """A cell that disagrees with the last history row about it: a write that landed late over
    a newer one, or a hand edit made after the last save (hand edits leave no history)."""
    fields = {label: f for f, label in FIELD_LABELS.items()}
    names = AgencyIndex(snapshot.agencies).name
    last: dict[tuple[str, str], Change] = {}
    for c in snapshot.history:  # in sheet order: the later row wins
        if c.field in fields:
            last[(c.task_id, fields[c.field])] = c
    found = []
    for (task_id, f), c in last.items():
        task = snapshot.task(task_id)
        if task is None:
            continue
        now = str(task_cell(task, f, names))
        if now != c.new:
            found.append(
                Finding(
                    "warning",
                    TASKS,
                    None,
                    f"{task_id}: {c.field} đang là «{now[:60]}» nhưng lần thay đổi cuối trong "
                    f"LichSu ({format_datetime(c.at)}, {c.actor}) ghi «{c.new[:60]}»: có thể một "
                    "lần ghi đến muộn đã đè lên, hoặc ô được sửa tay sau đó.",
                )
            )
    return found


def cell_usage(count: int) -> str:
    share = count / CELL_LIMIT
    return f"{count:,} / {CELL_LIMIT:,} ô ({share:.0%} giới hạn của Google)".replace(",", ".")


def cell_findings(count: int) -> list[Finding]:
    """A warning from 80 % of Google's 10 million cells per spreadsheet."""
    if count < CELL_WARNING * CELL_LIMIT:
        return []
    return [
        Finding(
            "warning",
            "Google Sheet",
            None,
            f"sổ tính đã dùng {cell_usage(count)}; hãy chuyển lịch sử cũ sang trang lưu trữ "
            "theo năm: python -m services.cli archive-history",
        )
    ]


def run_checks(store) -> list[Finding]:
    """Every finding for this store, errors first."""
    formulas = []
    if hasattr(store, "read_tables"):  # Google Sheets: two reads, plain and with formulas
        tables = store.read_tables()
        snapshot = store.snapshot_of(tables)
        formulas = formula_findings(
            tables,
            store.read_tables(
                {"valueRenderOption": "FORMULA", "dateTimeRenderOption": "SERIAL_NUMBER"}
            ),
        )
    else:
        snapshot = store.load()
    found = [
        *snapshot.problems,
        *reference_findings(snapshot),
        *history_findings(snapshot),
        *last_change_findings(snapshot),
        *formulas,
    ]
    if hasattr(store, "cell_count"):
        found += cell_findings(store.cell_count())
    return sorted(found, key=lambda f: f.level != "error")
