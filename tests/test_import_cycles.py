"""The importer proposes a reporting cycle from the wording of Vietnamese administrative
documents (services/importing/cycles.py): general rules, checked on phrasing variants and on the
real directives in ../shared/directives-dev."""

from pathlib import Path

import pytest

from services.domain.agencies import AgencyIndex
from services.domain.periods import parse_cycle
from services.importing.cycles import propose_cycle
from services.importing.parser import parse_text
from services.importing.saving import rows_to_tasks
from services.stores.seed import DIRECTIVE_TEXT, seed_records

ROOT = Path(__file__).resolve().parents[1]
DEV = (
    next(  # ../shared from the main checkout, ../../shared from a worktree in wt/
        (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.exists()),
        ROOT.parent / "shared",
    )
    / "directives-dev"
)


@pytest.mark.parametrize(
    ("text", "cycle"),
    [
        ("Định kỳ hằng tháng báo cáo trước ngày 25 về UBND tỉnh", "Hằng tháng, hạn ngày 25"),
        ("định kỳ ngày 20 hàng tháng gửi báo cáo tiến độ", "Hằng tháng, hạn ngày 20"),
        ("Báo cáo định kỳ hằng quý (trước ngày 20 của tháng cuối quý)", "Hằng quý, hạn ngày 20"),
        ("Sơ kết 6 tháng, báo cáo chậm nhất ngày 15/6 và 15/12", "6 tháng, hạn ngày 15"),
        ("tổng hợp báo cáo UBND tỉnh trước ngày 25/12 hằng năm.", "Hằng năm, hạn ngày 25/12"),
        ("định kỳ trước ngày 30 tháng 11 hằng năm báo cáo kết quả", "Hằng năm, hạn ngày 30/11"),
        ("Báo cáo hằng quý, năm về Sở Nội vụ", "Hằng quý, hạn ngày 31"),  # most frequent
        ("BÁO CÁO HẰNG THÁNG TRƯỚC NGÀY 31", "Hằng tháng, hạn ngày 31"),
    ],
)
def test_a_reporting_cycle_is_proposed_from_the_wording(text, cycle):
    proposed, note = propose_cycle(text)
    assert proposed == cycle and parse_cycle(proposed) is not None
    assert "đề xuất kỳ báo cáo" in note


@pytest.mark.parametrize(
    "text",
    [
        "Kinh phí từ định mức chi thường xuyên ngân sách hằng năm",  # no report asked
        "Hằng năm, tiến hành rà soát các khu công nghiệp",
        "báo cáo kết quả trước ngày 25/12/2025",  # a dated deadline, once
        "Báo cáo 6 tháng đầu năm 2025 trước ngày 10/6/2025",
        "báo cáo theo quy định về Bộ",  # "theo quy định" is not "theo quý"
        "Thực hiện thường xuyên",
    ],
)
def test_no_cycle_where_no_periodic_report_is_asked(text):
    assert propose_cycle(text) == ("", "")


def test_a_guessed_day_is_flagged_for_the_reviewer():
    proposed, note = propose_cycle("báo cáo kết quả thực hiện hằng năm theo quy định")
    assert proposed == "Hằng năm, hạn ngày 31" and "cần xác nhận" in note


def test_the_seed_directive_states_no_cycle_it_is_a_setting():
    agencies = seed_records()[1]
    result = parse_text(DIRECTIVE_TEXT.read_text(encoding="utf-8"), agencies)
    assert result.tasks and not any(t.cycle for t in result.tasks)


@pytest.mark.skipif(not DEV.exists(), reason="no ../shared/directives-dev")
def test_real_directives_get_the_cycle_they_ask_for():
    agencies = seed_records()[1]

    def cycles(name):
        text = next(DEV.glob(f"{name}*.txt")).read_text(encoding="utf-8")
        return {t.cycle for t in parse_text(text, agencies).tasks}

    assert cycles("09_") == {"Hằng năm, hạn ngày 30/11"}  # a wrapped line in Tổ chức thực hiện
    assert "Hằng năm, hạn ngày 25/12" in cycles("10_")
    assert cycles("02_") == {""}  # a công điện: no periodic report


def test_the_reviewer_edits_the_cycle_and_a_bad_one_is_explained():
    registry = AgencyIndex(seed_records()[1])
    row = {"section": "1", "lead": "Sở Nội vụ", "content": "Tuyên truyền", "cycle": "hang quy, 20"}
    tasks, problems = rows_to_tasks([row, {**row, "cycle": "Hằng tuần"}], registry)
    assert tasks[0].cycle == "Hằng quý, hạn ngày 20" and 0 not in problems
    assert "Kỳ báo cáo" in problems[1]
