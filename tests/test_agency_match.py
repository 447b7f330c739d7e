"""Agency names as directives write them, matched to the seed registry."""

import unicodedata

import pytest

from services.domain.model import fold
from services.importing.matching import AgencyMatcher, Folded, fold_same_length
from services.importing.parser import parse_text
from services.stores.seed import seed_records

_, AGENCIES, _, _ = seed_records()


@pytest.fixture(scope="module")
def matcher():
    return AgencyMatcher(AGENCIES)


@pytest.mark.parametrize(
    "written, code, how",
    [
        ("Sở Nội vụ", "SNV", "exact"),
        ("SNV", "SNV", "exact"),
        ("Sở TT&TT", "STTTT", "alias"),
        ("Sở VHTTDL", "SVHTTDL", "alias"),
        ("Đài PT-TH", "DPTTH", "alias"),
        ("Sở NN&PTNT", "SNNPTNT", "alias"),
        ("sở tt&tt", "STTTT", "folded"),
        ("so noi vu", "SNV", "folded"),
        ("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "SVHTTDL", "folded"),
        ("Sở Nôi vụ", "SNV", "folded"),  # a wrong accent: the accent-free forms are equal
        ("Sở Giáo dục và Đà tạo", "SGDDT", "fuzzy"),  # a missing letter
        ("Sở Tài chín", "STC", "fuzzy"),
        ("Sở Văn hóa, Thể thao và Du lịch tỉnh", "SVHTTDL", "exact"),
        ("Giám đốc Công an tỉnh", "CAT", "exact"),
        ("Chánh Văn phòng UBND tỉnh", "VPUB", "exact"),
    ],
)
def test_names_resolve_to_the_registry(matcher, written, code, how):
    ref = matcher.resolve(written)
    assert (ref.code, ref.how) == (code, how)


def test_decomposed_unicode_input_is_the_same_name(matcher):
    nfd = unicodedata.normalize("NFD", "Sở Thông tin và Truyền thông")
    assert nfd != "Sở Thông tin và Truyền thông"
    assert matcher.resolve(nfd).code == "STTTT"
    assert (
        parse_text(unicodedata.normalize("NFD", "1. Sở Nội vụ: Tổ chức hội nghị."), AGENCIES)
        .tasks[0]
        .lead
        == "SNV"
    )


def test_a_different_agency_is_not_taken_for_a_typo(matcher):
    ref = matcher.resolve("Sở Ngoại vụ")  # two letters from "Sở Nội vụ", but another agency
    assert ref.code is None and ref.is_unknown and ref.written == "Sở Ngoại vụ"


def test_text_that_is_no_agency_is_not_proposed(matcher):
    generic = matcher.resolve("Các đơn vị liên quan")  # a generic group: one lead, as printed
    assert (generic.code, generic.is_generic, generic.is_unknown) == (None, True, False)
    assert matcher.resolve("Tăng cường công tác quản lý") is None
    assert matcher.resolve("") is None


@pytest.mark.parametrize(
    "written, group",
    [
        ("Các sở, ban, ngành tỉnh", "Sở, ban, ngành"),
        ("các sở, ban ngành", "Sở, ban, ngành"),
        ("Thủ trưởng các sở, ngành", "Sở, ban, ngành"),
        ("UBND các huyện, thành phố", "UBND cấp huyện"),
        ("Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố", "UBND cấp huyện"),
        ("Các cơ quan báo chí của tỉnh", "Báo chí"),
    ],
)
def test_groups_are_recognised(matcher, written, group):
    ref = matcher.resolve(written)
    assert ref.is_group and ref.group == group


def test_group_members_are_those_of_the_documents_date(matcher):
    before = {a.code for a in matcher.members("Sở, ban, ngành", "2025-01")}
    after = {a.code for a in matcher.members("Sở, ban, ngành", "2025-03-10")}
    undated = {a.code for a in matcher.members("Sở, ban, ngành", "")}
    assert len(before) == 18 and "STTTT" in before and "SNNMT" not in before
    assert "SNNMT" in after and "STTTT" not in after and len(after) == 13
    assert undated == after
    assert matcher.members("UBND cấp huyện", "2025-01") == []


def test_dissolved_agencies_lead_to_their_successor(matcher):
    assert matcher.merged_into("STTTT").code == "SKHCN"
    assert matcher.merged_into("BTGTU").code == "BTGDVTU"
    assert matcher.merged_into("SNV") is None


def test_a_list_of_agencies_and_where_it_ends(matcher):
    text = "Sở Văn hóa, Thể thao và Du lịch, Sở TT&TT và Công an tỉnh chủ trì tổ chức"
    refs, end = matcher.read_list(Folded(text), 0)
    assert [r.code for r in refs] == ["SVHTTDL", "STTTT", "CAT"]
    assert text[end:] == " chủ trì tổ chức"


def test_an_unknown_name_in_a_sentence_stops_at_the_verb(matcher):
    refs, _ = matcher.read_list(Folded("Sở Ngoại vụ và Sở Tài nguyên và Môi trường chủ trì"), 0)
    assert [(r.written, r.code) for r in refs] == [
        ("Sở Ngoại vụ", None),
        ("Sở Tài nguyên và Môi trường", "STNMT"),
    ]


def test_lowercase_words_are_not_taken_for_agencies(matcher):
    assert matcher.read_list(Folded("ban hành kế hoạch"), 0)[0] == []
    assert matcher.read_list(Folded("Báo cáo kết quả"), 0)[0] == []


def test_folding_keeps_positions_and_agrees_with_the_domain():
    for text in ("Sở Văn hóa, Thể thao và Du lịch", "ĐÀI PT-TH", "Hội Nhà báo tỉnh"):
        folded = fold_same_length(text)
        assert len(folded) == len(text) and folded == fold(text)


def test_successor_note_on_a_january_2025_document():
    january = parse_text(
        "Hưng Yên, ngày 10 tháng 01 năm 2025\n\n1. Sở TT&TT: Tuyên truyền.", AGENCIES
    ).tasks[0]
    assert january.lead == "STTTT"  # the agency the document names
    assert january.confidence == "cao"
    assert any("đã sáp nhập vào Sở Khoa học và Công nghệ" in r for r in january.reasons)
    september = parse_text(
        "Hưng Yên, ngày 10 tháng 9 năm 2025\n\n1. Sở TT&TT: Tuyên truyền.", AGENCIES
    ).tasks[0]
    assert september.lead == "STTTT" and september.confidence == "trung bình"
    assert any("trước ngày ban hành" in r for r in september.reasons)
