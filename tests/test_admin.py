"""The office's administration: agency registry, tasks by hand (services and the Quản trị page)."""

from datetime import date

import pytest

from services.domain.agencies import AgencyIndex
from services.domain.errors import ValidationError
from services.domain.model import ROLE_ADMIN
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from services.tasks.office import validate_agency, validate_task
from tests.conftest import open_app


@pytest.fixture
def snapshot(sqlite_store):
    return sqlite_store.load()


def test_new_agency_and_aliases(snapshot):
    agency = validate_agency(
        " sdt ",
        "Sở Du lịch",
        "Sở DL; Sở Du lịch;  SDL",
        "Sở, ban, ngành",
        "",
        True,
        AgencyIndex(snapshot.agencies),
    )
    assert (agency.code, agency.aliases, agency.group) == (
        "SDT",
        ("Sở DL", "SDL"),
        "Sở, ban, ngành",
    )


@pytest.mark.parametrize(
    "args, field",
    [
        (("Sở nội vụ!", "Tên", "", "", "", True), "code"),
        (("SX", "", "", "", "", True), "name"),
        (("SX", "Sở Nội vụ", "", "", "", True), "name"),  # the name of another agency
        (("SX", "Sở X", "", "", "KHONGCO", True), "successor"),
        (("SKHCN", "Sở Khoa học và Công nghệ", "", "", "STTTT", True), "successor"),  # a loop
        (("SNV", "Sở Nội vụ", "", "", "SNV", True), "successor"),
    ],
)
def test_agency_refusals(snapshot, args, field):
    with pytest.raises(ValidationError) as caught:
        validate_agency(*args, AgencyIndex(snapshot.agencies))
    assert list(caught.value.errors) == [field]


def test_task_fields(snapshot):
    fields = validate_task(
        snapshot, "VB-0001", " 7 ", "Báo cáo sơ kết", "SNV", ["SNV", "STC"], date(2025, 6, 30)
    )
    assert fields["partners"] == ("STC",) and fields["section"] == "7"
    with pytest.raises(ValidationError) as caught:
        validate_task(snapshot, "VB-9", "", " ", "KHONG", [], None)
    assert set(caught.value.errors) == {"directive_id", "content", "lead"}


def open_admin(tmp_path):
    return open_app(tmp_path, ROLE_ADMIN, page="views/admin.py")


def store_of(tmp_path):
    return SQLiteStore(str(tmp_path / "app.db"), seed=seed_records)


def form_button(at, label):
    return next(b for b in at.button if b.label == label)


def section(at, name):
    at.segmented_control(key="admin_section").set_value(name).run()
    return at


def test_admin_renames_an_agency_and_adds_one(tmp_path):
    at = section(open_admin(tmp_path), "Cơ quan")
    at.selectbox(key="agency_choice").select("SNV").run()
    name = next(t for t in at.text_input if t.label == "Tên cơ quan")
    name.input("Sở Nội vụ tỉnh Hưng Yên")
    form_button(at, "Lưu cơ quan").click().run()
    assert not at.exception and "Đã lưu cơ quan SNV" in at.success[0].value
    snap = store_of(tmp_path).load()
    assert snap.agency("SNV").name == "Sở Nội vụ tỉnh Hưng Yên"
    assert snap.task("NV-0001").lead == "SNV"  # tasks follow the code, not the name
    at.selectbox(key="agency_choice").select("").run()
    next(t for t in at.text_input if t.label == "Mã CQ").input("SNGV")
    next(t for t in at.text_input if t.label == "Tên cơ quan").input("Sở Ngoại vụ")
    form_button(at, "Lưu cơ quan").click().run()
    assert store_of(tmp_path).load().agency("SNGV").name == "Sở Ngoại vụ"


def test_admin_adds_and_edits_a_task(tmp_path):
    at = section(open_admin(tmp_path), "Nhiệm vụ")
    next(s for s in at.selectbox if s.label == "Cơ quan chủ trì").select("SYT")
    next(t for t in at.text_area if t.label == "Nội dung nhiệm vụ").input("Tổng hợp báo cáo y tế")
    at.date_input[0].set_value(date(2025, 12, 31))
    form_button(at, "Lưu nhiệm vụ").click().run()
    assert not at.exception and at.success[0].value == "Đã lưu nhiệm vụ NV-0030."
    added = store_of(tmp_path).load().task("NV-0030")
    assert (added.lead, added.deadline, added.directive_id) == (
        "SYT",
        date(2025, 12, 31),
        "VB-0001",
    )

    at.selectbox(key="task_choice").select("NV-0024").run()
    next(s for s in at.selectbox if s.label == "Cơ quan chủ trì").select("STP")
    form_button(at, "Lưu nhiệm vụ").click().run()
    snap = store_of(tmp_path).load()
    assert snap.task("NV-0024").lead == "STP"
    assert [h.field for h in snap.history if h.task_id == "NV-0024"] == ["Cơ quan chủ trì"]


def test_admin_refusal_keeps_the_form(tmp_path):
    at = section(open_admin(tmp_path), "Nhiệm vụ")
    form_button(at, "Lưu nhiệm vụ").click().run()
    assert {e.value for e in at.error} >= {
        "Nhập nội dung nhiệm vụ.",
        "Chọn cơ quan chủ trì trong danh mục.",
    }
    assert len(store_of(tmp_path).load().tasks) == 29


def test_aliases_never_take_another_agencys_name(snapshot):
    registry = AgencyIndex(snapshot.agencies)
    with pytest.raises(ValidationError) as caught:
        validate_agency("SYT", "Sở Y tế", "Sở Nội vụ", "Sở, ban, ngành", "", True, registry)
    assert caught.value.errors == {"aliases": "Tên gọi khác «Sở Nội vụ» đã là tên của cơ quan SNV."}


def test_renaming_keeps_the_old_name_as_an_alias(snapshot):
    registry = AgencyIndex(snapshot.agencies)
    renamed = validate_agency(
        "SNV", "Sở Nội vụ tỉnh Hưng Yên", "", "Sở, ban, ngành", "", True, registry
    )
    assert "Sở Nội vụ" in renamed.aliases
    after = AgencyIndex([renamed if a.code == "SNV" else a for a in snapshot.agencies])
    assert after.resolve("Sở Nội vụ") == after.resolve("Sở Nội vụ tỉnh Hưng Yên") == "SNV"


def test_an_alias_never_outranks_another_agencys_name():
    from services.domain.model import Agency

    index = AgencyIndex([Agency("A", "Sở A"), Agency("B", "Sở B", aliases=("Sở A",))])
    assert index.resolve("Sở A") == "A" and index.resolve("Sở B") == "B"
