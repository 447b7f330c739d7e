"""The seed data against the directive it comes from: every numbered item and bullet is covered."""

import re

from services.domain.agencies import AgencyIndex
from services.stores.seed import DIRECTIVE_TEXT, seed_records


def directive_items():
    """{item number: (heading, [clauses])} read from the document itself."""
    body = DIRECTIVE_TEXT.read_text(encoding="utf-8").split("chú ý một số nhiệm vụ sau:")[1]
    body = body.split("Nơi nhận:")[0]
    items, current = {}, None
    for line in (l.strip() for l in body.splitlines()):
        if m := re.match(r"^(\d+)\.\s+(.*)$", line):
            heading, _, rest = m[2].partition(":")
            current = items.setdefault(m[1], (heading.strip(), []))
            if rest.strip():
                current[1].append(rest.strip())
        elif line.startswith("- "):
            current[1].append(line[2:].strip())
        elif line and current is not None:
            current[1].append(line)
    return items


def test_every_item_and_bullet_has_rows_with_its_lead_agencies():
    directives, agencies, tasks, _ = seed_records()
    index = AgencyIndex(agencies)
    items = directive_items()
    assert sorted(items) == ["1", "2", "3", "4", "5", "6"]
    assert [len(clauses) for _, clauses in items.values()] == [1, 3, 2, 1, 1, 1]
    for number, (heading, clauses) in items.items():
        for clause in clauses:
            rows = [t for t in tasks if t.section == number and t.content == clause]
            assert rows, f"item {number}: clause not in the seed: {clause[:60]}"
            if number not in ("1", "6"):  # these headings name a group / several bodies
                assert {t.lead for t in rows} == {index.resolve(heading)}, heading
    assert {t.section for t in tasks} == set(items)
    assert len(tasks) == sum(1 for _ in tasks)  # every row belongs to one of the items


def test_group_item_becomes_one_row_per_department():
    _, agencies, tasks, _ = seed_records()
    departments = {a.code for a in agencies if a.group == "Sở, ban, ngành"}
    item1 = [t.lead for t in tasks if t.section == "1"]
    assert len(item1) == len(set(item1)) == 18
    # every department that existed in January 2025; the 2025 merged body came later
    assert set(item1) == departments - {"SNNMT"}
    assert "STTTT" in item1


def test_joint_item_gives_each_body_a_row_and_partner_is_named():
    _, agencies, tasks, _ = seed_records()
    assert sorted(t.lead for t in tasks if t.section == "6") == ["BHY", "DPTTH", "HNB", "HVHNT"]
    press = [t for t in tasks if "họp báo" in t.content]
    assert [(t.lead, t.partners) for t in press] == [("STTTT", ("BTGTU",))]
    assert all(t.deadline is None for t in tasks)  # no deadlines: thường xuyên
    assert len({t.id for t in tasks}) == len(tasks) == 29


def test_registry_aliases_and_2025_merger():
    directives, agencies, _, _ = seed_records()
    index = AgencyIndex(agencies)
    assert index.resolve("Sở TT&TT") == index.resolve("sở tt&tt") == "STTTT"
    assert index.resolve("Sở VHTTDL") == "SVHTTDL"
    assert index.resolve("Đài PT-TH") == index.resolve("dai pt-th") == "DPTTH"
    assert index.current("STTTT") == "SKHCN"  # merged into Sở Khoa học và Công nghệ, 1/3/2025
    assert not index.agencies["STTTT"].active and index.agencies["SKHCN"].active
    d = directives[0]
    assert (d.number, d.issued_on, d.issuer) == ("/UBND-KGVX", "2025-01", "UBND tỉnh Hưng Yên")
    assert (
        d.title.startswith("V/v triển khai Kế hoạch số 375-KH/TU") and "Nguyễn Duy Hưng" in d.signer
    )
