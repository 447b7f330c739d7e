"""Malformed sheets and hostile input: read what can be read, flag the rest, never guess."""

from datetime import date

import pytest

from services.domain.errors import StoreError, ValidationError
from services.stores.layout import COLUMNS, TASKS
from services.stores.seed import read_tables
from services.stores.sheets import GSheetsStore
from services.tasks.updates import UpdateInput, validate
from tests.conftest import NOW, SNV, gsheets_settings_for, sheet_spec

HEADER = [h for f, h in COLUMNS[TASKS] if f != "version"]  # a sheet made before versions


def open_sheet(fake, info, header, rows, spreadsheet_id="malformed"):
    tables = read_tables()
    tables[TASKS] = [header, *rows]
    fake.create(sheet_spec(tables, spreadsheet_id))
    return GSheetsStore.from_settings(
        gsheets_settings_for(fake, info, spreadsheet_id), deadline_seconds=2
    )


def row(**cells):
    base = dict(
        zip(
            HEADER,
            [
                "NV-0001",
                "VB-0001",
                "1",
                "Nội dung",
                "Sở Nội vụ",
                "",
                "",
                "Đang thực hiện",
                10,
                "",
                "",
                "",
                "",
                "",
            ],
        )
    )
    base.update(cells)
    return [base.get(h, "") for h in HEADER]


@pytest.mark.parametrize(
    "header, message",
    [
        (
            [h if h != "Trạng thái" else "Tình trạng" for h in HEADER],
            "thiếu cột bắt buộc: Trạng thái",
        ),
        ([h for h in HEADER if h != "Mã NV"], "thiếu cột bắt buộc: Mã NV"),
        (HEADER + ["mã nv"], "cột trùng tên: Mã NV"),
    ],
)
def test_broken_headers_name_the_column(fake_sheets, service_account_info, header, message):
    store = open_sheet(fake_sheets, service_account_info, header, [])
    with pytest.raises(StoreError, match=message):
        store.load()


@pytest.mark.parametrize(
    "cells, field, expected",
    [
        ({"Tiến độ (%)": "50%"}, "progress", 50),
        ({"Tiến độ (%)": 0.5}, "progress", 50),  # a cell formatted as %, read unformatted
        ({"Tiến độ (%)": " 75 "}, "progress", 75),
        ({"Hạn hoàn thành": 45777}, "deadline", date(2025, 4, 30)),
        ({"Hạn hoàn thành": "30/4/2025"}, "deadline", date(2025, 4, 30)),
        ({"Hạn hoàn thành": "2025-04-30"}, "deadline", date(2025, 4, 30)),
        ({"Mã NV": "NV-0001\u200b"}, "id", "NV-0001"),  # zero-width space
        (
            {"Nội dung nhiệm vụ": "Ra\u0300 soa\u0301t\u00a0kê\u0301 hoa\u0323ch"},
            "content",
            "Rà soát kế hoạch",
        ),  # NFD and a non-breaking space
        ({"Cơ quan chủ trì": "SỞ\u00a0NỘI VỤ"}, "lead", "SNV"),
        ({"Trạng thái": "hoàn THÀNH", "Ngày hoàn thành": "01/04/2025"}, "status", "Hoàn thành"),
    ],
)
def test_odd_but_readable_cells(fake_sheets, service_account_info, cells, field, expected):
    store = open_sheet(fake_sheets, service_account_info, HEADER, [[], row(**cells)])
    snap = store.load()
    assert getattr(snap.tasks[0], field) == expected and snap.problems == ()


@pytest.mark.parametrize(
    "cells, column",
    [
        ({"Tiến độ (%)": "1.234,5"}, "Tiến độ (%)"),
        ({"Tiến độ (%)": "#REF!"}, "Tiến độ (%)"),
        ({"Hạn hoàn thành": "31/02/2025"}, "Hạn hoàn thành"),
        ({"Hạn hoàn thành": "#REF!"}, "Hạn hoàn thành"),
        ({"Hạn hoàn thành": "tháng 5"}, "Hạn hoàn thành"),
        ({"Trạng thái": "Xong rồi"}, "Trạng thái"),
    ],
)
def test_unreadable_cells_are_flagged_not_guessed(fake_sheets, service_account_info, cells, column):
    store = open_sheet(fake_sheets, service_account_info, HEADER, [row(**cells)])
    snap = store.load()
    assert [p.row for p in snap.problems] == [2]
    assert snap.problems[0].message.startswith(column)


def test_a_zero_width_id_is_still_found_at_save_time(fake_sheets, service_account_info):
    store = open_sheet(
        fake_sheets, service_account_info, HEADER, [row(**{"Mã NV": "\u200bNV-0001 "})]
    )
    store.update_task(store.load().tasks[0], {"progress": 20}, SNV, NOW)
    assert store.load().tasks[0].progress == 20


@pytest.mark.parametrize("text", ["x" * 50_000, '=IMPORTXML("http://x";"//a")' + "y" * 5000])
def test_oversized_input_is_refused_with_a_message(text):
    with pytest.raises(ValidationError) as caught:
        validate(UpdateInput("Đang thực hiện", 10, result=text), NOW.date())
    assert "tối đa 5.000 ký tự" in caught.value.errors["result"]


def test_zero_width_joiners_and_controls_are_cleaned():
    changes = validate(
        UpdateInput("Đang thực hiện", 10, result="\u200dKết\u200b quả\u2060 "), NOW.date()
    )
    assert changes["result"] == "Kết quả"
