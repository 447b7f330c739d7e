"""Saving imported directives (services.importing): on both stores, and the rules on their own."""

from dataclasses import replace
from datetime import date

import pytest

from services.domain.agencies import AgencyIndex
from services.domain.errors import PermissionDenied
from services.domain.model import NOT_STARTED, Directive, Snapshot, Task
from services.importing.parser import parse_file, parse_text, to_tasks
from services.importing.saving import (
    ImportRefused,
    agency_code,
    check_rows,
    drop_blank_rows,
    find_existing,
    is_low_confidence,
    map_agencies,
    near_duplicates,
    new_tasks_only,
    preview_rows,
    rows_to_tasks,
    save_import,
    similar_agencies,
    task_text_key,
    use_suggested_deadlines,
)
from services.stores.seed import DIRECTIVE_TEXT, seed_records
from tests.conftest import ADMIN, NOW, SNV
from tests.directives.fixtures import HERE

DIRECTIVES, AGENCIES, SEED_TASKS, _ = seed_records()
SEED = Snapshot(directives=DIRECTIVES, agencies=AGENCIES, tasks=SEED_TASKS)
REGISTRY = AgencyIndex(AGENCIES)


def read(name: str):
    return parse_file(name, (HERE / name).read_bytes(), AGENCIES)


def writes_of(store, monkeypatch) -> list[str]:
    """The names of the store's write methods, in the order they are called."""
    calls = []
    for name in ("add_directive", "add_tasks", "save_agency", "save_user", "update_task"):
        method = getattr(store, name)

        def spy(*args, _name=name, _method=method, **kwargs):
            calls.append(_name)
            return _method(*args, **kwargs)

        monkeypatch.setattr(store, name, spy)
    return calls


# --- on both stores ----------------------------------------------------------------------------


def test_a_new_plan_is_saved_in_one_call_and_reads_back(store, monkeypatch):
    result = read("01_ke_hoach.txt")
    calls = writes_of(store, monkeypatch)
    directive, tasks = save_import(
        store, store.load(), result.directive, to_tasks(result), ADMIN, NOW
    )
    assert calls == ["add_directive"]
    assert directive.id == "VB-0002"
    assert [t.id for t in tasks] == [f"NV-{n:04d}" for n in range(30, 50)]
    snap = store.load()
    assert snap.directives[-1] == Directive(
        "VB-0002",
        "45/KH-UBND",
        "2025-03-10",
        "UBND tỉnh Hưng Yên",
        "Triển khai Chương trình chuyển đổi số tỉnh Hưng Yên năm 2025",
        "Nguyễn Lê Huy (KT. Chủ tịch, Phó Chủ tịch)",
    )
    stored = [t for t in snap.tasks if t.directive_id == "VB-0002"]
    assert len(stored) == 20 and len(snap.tasks) == 49
    first, second = stored[0], stored[1]
    assert (first.id, first.section, first.lead, first.partners, first.deadline) == (
        "NV-0030",
        "II.1",
        "SKHCN",
        ("VPUB",),
        None,  # "Quý II/2025": a period is no date
    )
    assert (second.lead, second.partners, second.deadline) == ("SNNMT", ("STC",), None)
    assert [t.lead for t in stored if t.section == "III.4"] == ["BHY", "DPTTH"]
    assert {(t.status, t.progress, t.updated_by) for t in stored} == {(NOT_STARTED, 0, ADMIN.email)}
    assert snap.tasks[:29] == tuple(store.load().tasks[:29])  # the seed rows are untouched


def test_importing_the_same_file_twice_adds_nothing_the_second_time(store, monkeypatch):
    result = read("01_ke_hoach.txt")
    save_import(store, store.load(), result.directive, to_tasks(result), ADMIN, NOW)
    before = store.load()
    again = read("01_ke_hoach.txt")
    assert find_existing(before, again.directive).id == "VB-0002"
    with pytest.raises(ImportRefused, match="đã có \\(VB-0002\\)") as refused:
        save_import(store, before, again.directive, to_tasks(again), ADMIN, NOW)
    assert "number" in refused.value.fields
    calls = writes_of(store, monkeypatch)
    directive, tasks = save_import(
        store, before, again.directive, to_tasks(again), ADMIN, NOW, add_to_existing=True
    )
    assert (directive.id, tasks, calls) == ("VB-0002", [], [])
    after = store.load()
    assert (after.directives, after.tasks) == (before.directives, before.tasks)


def test_the_seed_directive_is_already_there_and_only_a_new_item_is_added(store, monkeypatch):
    text = DIRECTIVE_TEXT.read_text(encoding="utf-8").replace(
        "Nơi nhận:", "8. Sở Y tế: Tuyên truyền phòng, chống dịch bệnh mùa đông.\n\nNơi nhận:"
    )
    result = parse_text(text, AGENCIES)
    snap = store.load()
    assert find_existing(snap, result.directive).id == "VB-0001"
    assert len(result.tasks) == 30
    calls = writes_of(store, monkeypatch)
    directive, tasks = save_import(
        store, snap, result.directive, to_tasks(result), ADMIN, NOW, add_to_existing=True
    )
    assert calls == ["add_tasks"] and directive == DIRECTIVES[0]
    assert [(t.id, t.directive_id, t.lead, t.section) for t in tasks] == [
        ("NV-0030", "VB-0001", "SYT", "8")
    ]
    assert store.load().task("NV-0030").content == "Tuyên truyền phòng, chống dịch bệnh mùa đông."


def test_a_row_with_an_unknown_lead_is_refused_and_nothing_is_written(store, monkeypatch):
    result = read("03_thong_bao.txt")
    tasks = to_tasks(result)
    assert tasks[4].lead == "Sở Ngoại vụ"
    calls = writes_of(store, monkeypatch)
    with pytest.raises(ImportRefused) as refused:
        save_import(store, store.load(), result.directive, tasks, ADMIN, NOW)
    assert refused.value.rows == {
        4: "Cơ quan chủ trì «Sở Ngoại vụ» chưa có trong danh mục cơ quan."
    }
    assert "1 nhiệm vụ chưa lưu được" in refused.value.message
    assert calls == [] and len(store.load().directives) == 1


def test_a_confirmed_new_agency_is_added_and_its_rows_refer_to_it(store, monkeypatch):
    result = read("03_thong_bao.txt")
    assert result.new_agencies == ["Sở Ngoại vụ"]
    calls = writes_of(store, monkeypatch)
    directive, tasks = save_import(
        store,
        store.load(),
        result.directive,
        to_tasks(result),
        ADMIN,
        NOW,
        new_agencies=result.new_agencies,
    )
    assert calls == ["save_agency", "add_directive"]
    snap = store.load()
    agency = snap.agency("SNGOAIVU")  # SNV is Sở Nội vụ
    assert (agency.name, agency.group, agency.active) == ("Sở Ngoại vụ", "Sở, ban, ngành", True)
    assert snap.task(tasks[4].id).lead == "SNGOAIVU"
    assert snap.task(tasks[4].id).partners == ("VPUB",)
    assert [t.lead for t in snap.tasks if t.directive_id == directive.id] == [
        "SXD",
        "STC",
        "CAT",
        "SGDDT",
        "SNGOAIVU",
    ]


def test_only_an_admin_imports(store):
    result = read("01_ke_hoach.txt")
    with pytest.raises(PermissionDenied):
        save_import(store, store.load(), result.directive, to_tasks(result), SNV, NOW)
    assert len(store.load().directives) == 1


def test_missing_directive_fields_are_refused_per_field(store):
    result = read("01_ke_hoach.txt")
    directive = replace(result.directive, issued_on="31/02/2025", title=" ", link="ftp://x")
    with pytest.raises(ImportRefused) as refused:
        save_import(store, store.load(), directive, to_tasks(result), ADMIN, NOW)
    assert set(refused.value.fields) == {"issued_on", "title", "link"}
    assert "31/02/2025" in refused.value.fields["issued_on"]
    assert len(store.load().directives) == 1


def test_a_month_precision_date_typed_dd_mm_is_stored_as_such(store):
    result = read("01_ke_hoach.txt")
    directive, _ = save_import(
        store,
        store.load(),
        replace(result.directive, issued_on="03/2025"),
        to_tasks(result),
        ADMIN,
        NOW,
    )
    assert store.load().directives[-1].issued_on == "2025-03" == directive.issued_on


# --- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, issued_on, title, found",
    [
        ("/UBND-KGVX", "2025-01", DIRECTIVES[0].title, "VB-0001"),
        (" /ubnd-kgvx ", "", DIRECTIVES[0].title.upper(), "VB-0001"),  # case, accents, spaces
        ("/UBND-KGVX", "2025-01", "V/v một việc khác", None),  # unnumbered: the title decides
        ("/UBND-KGVX", "2024-01", DIRECTIVES[0].title, None),  # another year
        ("45/KH-UBND", "2025-03-10", "", None),
    ],
)
def test_find_existing(number, issued_on, title, found):
    directive = Directive("", number, issued_on, title=title)
    assert getattr(find_existing(SEED, directive), "id", None) == found


def test_a_numbered_directive_is_the_same_whatever_its_title_in_the_same_year():
    stored = Directive("VB-0002", "45/KH-UBND", "2025-03-10", title="Kế hoạch A")
    snap = replace(SEED, directives=(*DIRECTIVES, stored))
    assert find_existing(snap, Directive("", "45/KH-UBND", "2025-03", title="B")) == stored
    assert find_existing(snap, Directive("", "45/kh-ubnd", "", title="")) == stored
    assert find_existing(snap, Directive("", "45/KH-UBND", "2026-01-02")) is None
    assert find_existing(snap, Directive("", "46/KH-UBND", "2025-03-10")) is None


def test_new_tasks_only_compares_lead_and_content_accent_insensitively():
    seed_tasks = to_tasks(parse_text(DIRECTIVE_TEXT.read_text(encoding="utf-8"), AGENCIES))
    assert new_tasks_only(SEED, "VB-0001", seed_tasks) == []
    changed = replace(seed_tasks[0], content=seed_tasks[0].content.upper())
    assert new_tasks_only(SEED, "VB-0001", [changed]) == []
    other_lead = replace(seed_tasks[0], lead="BCHQS")
    assert new_tasks_only(SEED, "VB-0001", [other_lead, other_lead]) == [other_lead]
    assert new_tasks_only(SEED, "VB-0009", seed_tasks[:2]) == seed_tasks[:2]


def task(**fields):
    return Task(
        **{
            "id": "",
            "directive_id": "",
            "section": "1",
            "content": "Rà soát",
            "lead": "SNV",
            **fields,
        }
    )


def test_check_rows_says_what_is_wrong_with_each_row():
    tasks = [
        task(),
        task(content=""),
        task(lead=""),
        task(lead="Sở Ngoại vụ"),
        task(lead="SYT", partners=("STC", "Hội Doanh nhân")),
        task(lead="STP", deadline=date(2024, 12, 31)),
        task(lead="STP", content="Báo cáo", deadline=date(2025, 1, 1)),
        task(content="rà soát"),
        task(content="x" * 5001),
    ]
    assert check_rows(tasks, REGISTRY, "2025-01") == {
        1: "Thiếu nội dung nhiệm vụ.",
        2: "Chưa chọn cơ quan chủ trì.",
        3: "Cơ quan chủ trì «Sở Ngoại vụ» chưa có trong danh mục cơ quan.",
        4: "Cơ quan phối hợp chưa có trong danh mục cơ quan: «Hội Doanh nhân».",
        5: "Hạn hoàn thành 31/12/2024 trước ngày ban hành văn bản (01/2025).",
        7: "Trùng với dòng 1 (cùng cơ quan chủ trì và nội dung).",
        8: "Nội dung nhiệm vụ tối đa 5.000 ký tự.",
    }
    assert check_rows([task(deadline=date(2025, 3, 9))], REGISTRY, "2025-03-10") != {}
    assert check_rows([task(deadline=date(2025, 3, 9))], REGISTRY, "") == {}


def test_grid_rows_round_trip_to_the_parsers_tasks():
    result = parse_text(DIRECTIVE_TEXT.read_text(encoding="utf-8"), AGENCIES)
    rows = preview_rows(result, REGISTRY)
    assert len(rows) == 29 and not any(is_low_confidence(r) for r in rows)
    assert rows[20]["lead"] == "Sở Thông tin và Truyền thông"
    tasks, problems = rows_to_tasks(rows, REGISTRY)
    fields = ("section", "content", "lead", "partners", "deadline")
    assert problems == {}
    assert [[getattr(t, f) for f in fields] for t in tasks] == [
        [getattr(t, f) for f in fields] for t in to_tasks(result)
    ]


def test_grid_rows_are_read_leniently_and_bad_cells_get_a_message():
    rows = [
        {
            "section": " 2 ",
            "lead": "sở tt&tt",
            "partners": "Sở Y tế; Sở KH&CN ;; Hội Mới",
            "deadline": "2025-09-30T00:00:00",
            "recurring": False,
            "content": " Rà soát ",
        },
        {"lead": "Sở Y tế", "content": "Báo cáo", "deadline": date(2025, 1, 5), "recurring": True},
        {"lead": "Sở Y tế", "content": "Báo cáo", "deadline": "31/02/2025"},
        {
            "section": None,
            "lead": None,
            "partners": float("nan"),
            "deadline": None,
            "recurring": None,
            "content": "",
        },
    ]
    rows = drop_blank_rows(rows)
    assert len(rows) == 3
    tasks, problems = rows_to_tasks(rows, REGISTRY)
    assert (
        tasks[0].section,
        tasks[0].lead,
        tasks[0].partners,
        tasks[0].deadline,
        tasks[0].content,
    ) == ("2", "STTTT", ("SYT", "SKHCN", "Hội Mới"), date(2025, 9, 30), "Rà soát")
    assert set(problems) == {1, 2}
    assert "Thường xuyên" in problems[1] and "31/02/2025" in problems[2]


def test_low_confidence_rows_are_marked_and_unknown_leads_left_to_choose():
    result = read("02_cong_dien.txt")
    rows = preview_rows(result, REGISTRY)
    assert is_low_confidence(rows[0]) and rows[0]["lead"] is None
    assert "UBND các huyện, thành phố" in rows[0]["reasons"]
    proposal = read("03_thong_bao.txt")
    assert preview_rows(proposal, REGISTRY, ["Sở Ngoại vụ"])[4]["lead"] == "Sở Ngoại vụ"
    assert preview_rows(proposal, REGISTRY)[4]["lead"] is None


@pytest.mark.parametrize(
    "name, code",
    [
        ("Sở Ngoại vụ", "SNGOAIVU"),  # SNV is Sở Nội vụ: a readable code, not SNV2
        ("Sở Văn hóa, Thể thao và Du lịch", "SVANHOATHETHAODU"),
        ("UBND huyện Văn Lâm", "UBNDHVL"),
        ("Đài Truyền hình số", "DTHS"),
        ("Hội", "HOI"),
    ],
)
def test_agency_codes_from_initials_are_unique(name, code):
    assert agency_code(name, REGISTRY.agencies) == code


def test_the_same_task_is_recognised_whatever_its_numbering_end_mark_and_spacing():
    stored = "Triển khai các nhiệm vụ được giao tại mục 8 Kế hoạch nêu trên./."
    assert task_text_key(stored) == task_text_key(
        "6.  Triển khai các nhiệm vụ được giao tại mục 8 kế hoạch nêu trên."
    )
    assert task_text_key("- Rà soát hồ sơ") == task_text_key("a) Rà soát  hồ sơ;")
    assert task_text_key("Rà soát hồ sơ") != task_text_key("Rà soát hồ sơ đất đai")


def test_a_near_duplicate_is_offered_never_dropped_or_copied_silently():
    item = SEED_TASKS[-1]  # item 6 of the seed, Báo Hưng Yên
    reworded = replace(item, id="", content=item.content.replace("nêu trên", "nêu trên, định kỳ"))
    exact = replace(item, id="", content="6. " + item.content.removesuffix("./.") + ".")
    other = replace(item, id="", content="Mở chuyên mục mới về chuyển đổi số trên báo in.")
    tasks = [reworded, exact, other]
    assert new_tasks_only(SEED, "VB-0001", tasks) == [reworded, other]  # the exact copy goes
    assert near_duplicates(SEED, "VB-0001", tasks) == {0: item}  # the reworded one is asked


def test_an_unknown_name_is_offered_the_similar_registry_agencies():
    assert [a.code for a in similar_agencies("Sở Văn hoá và Thể thao", REGISTRY)] == ["SVHTTDL"]
    assert [a.code for a in similar_agencies("Sở Giáo dục", REGISTRY)] == ["SGDDT"]
    assert similar_agencies("Bộ Tài chính", REGISTRY) == []  # a ministry is not the Sở


def test_mapped_names_are_replaced_as_lead_and_partner():
    rows = [{"lead": "Sở VHTT", "partners": "Sở Ngoại vụ; Sở VHTT", "content": "x"}]
    mapped = map_agencies(rows, {"Sở VHTT": "Sở Văn hóa, Thể thao và Du lịch"})
    assert mapped == [
        {
            "lead": "Sở Văn hóa, Thể thao và Du lịch",
            "partners": "Sở Ngoại vụ; Sở Văn hóa, Thể thao và Du lịch",
            "content": "x",
        }
    ]


def test_suggested_deadlines_fill_only_empty_deadlines_when_confirmed():
    rows = [
        {"deadline": None, "suggested": date(2025, 11, 30)},
        {"deadline": date(2025, 12, 1), "suggested": date(2025, 11, 30)},
        {"deadline": None, "suggested": None},
    ]
    assert [r["deadline"] for r in use_suggested_deadlines(rows)] == [
        date(2025, 11, 30),
        date(2025, 12, 1),
        None,
    ]
