"""Tests of the fake Google Sheets API, driven by the real gspread client and raw HTTP."""

import base64
import json
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import gspread
import pytest
import requests

from tests.fakesheets.fixtures import (  # the fixtures come from tests/conftest.py
    CLIENT_EMAIL,
    gspread_client,
)

BOOK = "book-1"
REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def book(fake_sheets):
    """A spreadsheet with a small table on Sheet1 and oddly named extra sheets."""
    return fake_sheets.create(
        {
            "spreadsheetId": BOOK,
            "title": "Theo dõi",
            "sheets": [
                {"title": "Sheet1", "values": [["a", "b", "", ""], ["", "", ""], ["c"]]},
                {"title": "My sheet"},
                {"title": "It's"},
                {"title": "Nhiệm vụ", "rowCount": 20, "columnCount": 5},
            ],
        }
    )


@pytest.fixture
def gc(fake_sheets, service_account_info):
    return gspread_client(fake_sheets, service_account_info)


@pytest.fixture
def ws(gc, book):
    return gc.open_by_key(BOOK).sheet1


class RawApi:
    """Plain HTTP against the fake, authenticated as CLIENT_EMAIL."""

    def __init__(self, fake):
        self.base = fake.url + "/v4/spreadsheets"
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer " + fake.issue_token(CLIENT_EMAIL)

    def values(self, range_text, book_id=BOOK, **params):
        url = f"{self.base}/{book_id}/values/{quote(range_text, safe='')}"
        return self.session.get(url, params=params, timeout=5)


@pytest.fixture
def raw(fake_sheets, book):
    return RawApi(fake_sheets)


def assert_google_error(response, code, status, message=None):
    assert response.status_code == code
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (code, status)
    if message is not None:
        assert error["message"] == message


def fake_jwt(payload: dict) -> str:
    def encode(part: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()

    return f"{encode({'alg': 'RS256', 'typ': 'JWT'})}.{encode(payload)}.c2lnbmF0dXJl"


# --- reading -----------------------------------------------------------------


def test_values_get_trims_trailing_empties_and_keeps_empty_middle_rows(raw):
    reply = raw.values("Sheet1!A1:E5").json()
    assert reply == {
        "range": "Sheet1!A1:E5",
        "majorDimension": "ROWS",
        "values": [["a", "b"], [], ["c"]],
    }


def test_empty_range_has_no_values_key(raw):
    assert raw.values("Sheet1!H10:J20").json() == {
        "range": "Sheet1!H10:J20",
        "majorDimension": "ROWS",
    }


@pytest.mark.parametrize(
    ("requested", "normalised"),
    [
        ("Sheet1!A:A", "Sheet1!A1:A1000"),
        ("Sheet1", "Sheet1!A1:Z1000"),
        ("'Sheet1'", "Sheet1!A1:Z1000"),
        ("Sheet1!A2:C", "Sheet1!A2:C1000"),
        ("Sheet1!2:3", "Sheet1!A2:Z3"),
        ("Sheet1!C3:A1", "Sheet1!A1:C3"),
        ("Sheet1!A1:AB2000", "Sheet1!A1:Z1000"),
        ("Sheet1!$B$1", "Sheet1!B1"),
        ("A1:B2", "Sheet1!A1:B2"),
        ("'My sheet'!A1:B2", "'My sheet'!A1:B2"),
        ("'It''s'!B:B", "'It''s'!B1:B1000"),
        ("'Nhiệm vụ'", "'Nhiệm vụ'!A1:E20"),
    ],
)
def test_range_is_clamped_and_normalised(raw, requested, normalised):
    reply = raw.values(requested)
    assert reply.status_code == 200, reply.text
    assert reply.json()["range"] == normalised


def test_open_ended_and_reversed_ranges_read_the_right_cells(ws):
    assert ws.get("A1:C") == [["a", "b"], [], ["c"]]
    assert ws.get("B:B") == [["b"]]
    assert ws.get("3:3") == [["c"]]
    assert ws.get("B2:A1") == [["a", "b"]]


def test_gspread_get_all_values_pads_the_trimmed_reply(ws):
    assert ws.get_all_values() == [["a", "b"], ["", ""], ["c", ""]]


def test_columns_major_dimension(ws, raw):
    ws.update([["x", "y"], ["z"]], "D1", major_dimension="COLUMNS")
    reply = raw.values("Sheet1!A1:E3", majorDimension="COLUMNS").json()
    assert reply["majorDimension"] == "COLUMNS"
    assert reply["values"] == [["a", "", "c"], ["b"], [], ["x", "y"], ["z"]]


@pytest.mark.parametrize("title", ["My sheet", "It's", "Nhiệm vụ"])
def test_quoted_sheet_names_round_trip_through_gspread(gc, book, raw, title):
    sheet = gc.open_by_key(BOOK).worksheet(title)
    reply = sheet.update([["xin chào", 1]], "A2")
    quoted = "'" + title.replace("'", "''") + "'"
    assert reply["updatedRange"] == f"{quoted}!A2:B2"
    assert sheet.get("A1:B2") == [[], ["xin chào", "1"]]
    assert raw.values(f"{quoted}!A2").json()["values"] == [["xin chào"]]


def test_unknown_sheet_is_a_400_parse_error(raw, ws):
    assert_google_error(
        raw.values("Nope!A1"), 400, "INVALID_ARGUMENT", "Unable to parse range: Nope!A1"
    )
    with pytest.raises(gspread.exceptions.APIError) as caught:
        ws.spreadsheet.values_get("Nope!A1")
    assert caught.value.code == 400


def test_unknown_spreadsheet_is_404(raw, gc):
    assert_google_error(
        raw.values("A1", book_id="missing"), 404, "NOT_FOUND", "Requested entity was not found."
    )
    with pytest.raises(gspread.SpreadsheetNotFound):
        gc.open_by_key("missing")


def test_batch_get_through_worksheet_and_spreadsheet(ws):
    first, second = ws.batch_get(["A1:B1", "A3"])
    assert (first, first.range, second) == ([["a", "b"]], "Sheet1!A1:B1", [["c"]])
    reply = ws.spreadsheet.values_batch_get(["Sheet1!A1", "'My sheet'!A1:B2"])
    assert reply == {
        "spreadsheetId": BOOK,
        "valueRanges": [
            {"range": "Sheet1!A1", "majorDimension": "ROWS", "values": [["a"]]},
            {"range": "'My sheet'!A1:B2", "majorDimension": "ROWS"},
        ],
    }


# --- writing -----------------------------------------------------------------


def test_raw_input_stores_strings_exactly(ws, fake_sheets):
    ws.update([["=1+1", "0042", "TRUE", 7, False]], "A5", raw=True)
    assert fake_sheets.dump(BOOK)["sheets"][0]["values"][4] == ["=1+1", "0042", "TRUE", 7, False]
    assert ws.get("A5:E5", value_render_option="UNFORMATTED_VALUE") == [
        ["=1+1", "0042", "TRUE", 7, False]
    ]
    assert ws.get("A5:E5") == [["=1+1", "0042", "TRUE", "7", "FALSE"]]


def test_user_entered_input_parses_formulas_numbers_and_booleans(ws, fake_sheets):
    ws.update([["=1+1", "0042", "TRUE", "1.5", "25/12/2024", "=SUM(A1:A2)"]], "A5", raw=False)
    stored = fake_sheets.dump(BOOK)["sheets"][0]["values"][4]
    assert stored == ["=1+1", 42, True, 1.5, "25/12/2024", "=SUM(A1:A2)"]
    assert ws.get("A5:F5", value_render_option="FORMULA") == [
        ["=1+1", 42, True, 1.5, "25/12/2024", "=SUM(A1:A2)"]
    ]
    assert ws.get("A5:F5", value_render_option="UNFORMATTED_VALUE") == [
        [2, 42, True, 1.5, "25/12/2024", "=SUM(A1:A2)"]
    ]
    assert ws.get("A5:F5", value_render_option="FORMATTED_VALUE") == [
        ["2", "42", "TRUE", "1.5", "25/12/2024", "=SUM(A1:A2)"]
    ]


def test_null_leaves_a_cell_unchanged_and_empty_string_clears_it(ws, fake_sheets):
    reply = ws.update([[None, "x"], ["", None]], "A1")
    assert fake_sheets.dump(BOOK)["sheets"][0]["values"] == [["a", "x"], [], ["c"]]
    assert reply == {
        "spreadsheetId": BOOK,
        "updatedRange": "Sheet1!A1:B2",
        "updatedRows": 2,
        "updatedColumns": 2,
        "updatedCells": 2,
    }


def test_batch_update_writes_several_ranges(ws, fake_sheets):
    reply = ws.batch_update(
        [{"range": "A1", "values": [["1", "2"]]}, {"range": "D4:E4", "values": [["=1+1"]]}],
        raw=False,
    )
    assert reply["totalUpdatedCells"] == 3
    assert reply["totalUpdatedSheets"] == 1
    assert [r["updatedRange"] for r in reply["responses"]] == ["Sheet1!A1:B1", "Sheet1!D4"]
    assert ws.get("A1:E4", value_render_option="UNFORMATTED_VALUE") == [
        [1, 2],
        [],
        ["c"],
        ["", "", "", 2],
    ]


def test_update_outside_the_grid_is_rejected(ws, fake_sheets):
    with pytest.raises(gspread.exceptions.APIError) as caught:
        ws.update([["x"]], "A1001")
    assert caught.value.code == 400
    assert caught.value.error["message"] == (
        "Range ('Sheet1'!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )
    with pytest.raises(gspread.exceptions.APIError, match="tried writing to column"):
        ws.update([["x", "y", "z"]], "A1:B1")
    assert fake_sheets.dump(BOOK)["sheets"][0]["values"] == [["a", "b"], [], ["c"]]


def test_append_insert_rows_writes_after_the_table_and_shifts_rows_below(ws, fake_sheets):
    ws.update([["footer"]], "A5")
    reply = ws.append_rows(
        [["x", 1], ["y", 2]], insert_data_option="INSERT_ROWS", table_range="A1:C3"
    )
    assert reply["tableRange"] == "Sheet1!A3"
    assert reply["updates"]["updatedRange"] == "Sheet1!A4:B5"
    sheet = fake_sheets.dump(BOOK)["sheets"][0]
    assert sheet["values"] == [["a", "b"], [], ["c"], ["x", 1], ["y", 2], [], ["footer"]]
    assert sheet["rowCount"] == 1002


def test_append_overwrite_goes_after_the_last_row(ws, fake_sheets):
    reply = ws.append_rows([["d", "e"]])
    assert "tableRange" in reply
    assert reply["updates"]["updatedRange"] == "Sheet1!A4:B4"
    sheet = fake_sheets.dump(BOOK)["sheets"][0]
    assert sheet["values"] == [["a", "b"], [], ["c"], ["d", "e"]]
    assert sheet["rowCount"] == 1000


def test_append_grows_a_full_grid(gc, book, fake_sheets):
    sheet = gc.open_by_key(BOOK).worksheet("Nhiệm vụ")
    sheet.update([[i] for i in range(20)], "A1")
    sheet.append_rows([[1, 2, 3, 4, 5, 6]])
    dumped = fake_sheets.dump(BOOK)["sheets"][3]
    assert (dumped["rowCount"], dumped["columnCount"]) == (21, 6)
    assert dumped["values"][20] == [1, 2, 3, 4, 5, 6]


def test_append_to_a_single_cell_starts_there_when_it_is_empty(ws, fake_sheets):
    ws.update([["x"]], "C2")
    reply = ws.append_rows([["new"]], table_range="B2")
    assert "tableRange" not in reply
    assert reply["updates"]["updatedRange"] == "Sheet1!B2"


def test_include_values_in_response(ws):
    reply = ws.update(
        [["=1+1", ""]],
        "A1",
        raw=False,
        include_values_in_response=True,
        response_value_render_option="UNFORMATTED_VALUE",
    )
    assert reply["updatedData"] == {
        "range": "Sheet1!A1:B1",
        "majorDimension": "ROWS",
        "values": [[2]],
    }


def test_concurrent_appends_are_all_kept(fake_sheets, raw):
    url = f"{raw.base}/{BOOK}/values/" + quote("'My sheet'!A1", safe="") + ":append"

    sessions = [RawApi(fake_sheets).session for _ in range(8)]

    def append_rows(worker):
        for i in range(5):
            body = {"values": [[worker, i]]}
            reply = sessions[worker].post(
                url, params={"valueInputOption": "RAW"}, json=body, timeout=5
            )
            assert reply.status_code == 200, reply.text

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(append_rows, range(8)))
    rows = fake_sheets.dump(BOOK)["sheets"][1]["values"]
    assert sorted(map(tuple, rows)) == [(w, i) for w in range(8) for i in range(5)]


def test_insert_and_delete_rows(ws, fake_sheets):
    ws.insert_rows([["new"]], row=2)
    assert fake_sheets.dump(BOOK)["sheets"][0]["values"] == [["a", "b"], ["new"], [], ["c"]]
    ws.delete_rows(1, 2)
    sheet = fake_sheets.dump(BOOK)["sheets"][0]
    assert sheet["values"] == [[], ["c"]]
    assert sheet["rowCount"] == 999


def test_insert_columns(ws, fake_sheets):
    ws.insert_cols([["n1", "n2"]], col=2)
    sheet = fake_sheets.dump(BOOK)["sheets"][0]
    assert sheet["values"] == [["a", "n1", "b"], ["", "n2"], ["c"]]
    assert sheet["columnCount"] == 27


def test_clear_and_batch_clear(ws, fake_sheets):
    assert ws.batch_clear(["A1", "A3:C3"])["clearedRanges"] == ["Sheet1!A1", "Sheet1!A3:C3"]
    assert fake_sheets.dump(BOOK)["sheets"][0]["values"] == [["", "b"]]
    assert ws.clear()["clearedRange"] == "Sheet1!A1:Z1000"
    assert fake_sheets.dump(BOOK)["sheets"][0]["values"] == []
    assert ws.get_all_values() == [[]]  # gspread's rendering of a reply without "values"


# --- spreadsheet structure -----------------------------------------------------


def test_add_worksheet_and_metadata(gc, book):
    sh = gc.open_by_key(BOOK)
    added = sh.add_worksheet("Báo cáo", rows=10, cols=3, index=1)
    assert (added.title, added.index, added.row_count, added.col_count) == ("Báo cáo", 1, 10, 3)
    assert [w.title for w in sh.worksheets()] == [
        "Sheet1",
        "Báo cáo",
        "My sheet",
        "It's",
        "Nhiệm vụ",
    ]
    assert (sh.title, sh.locale, sh.timezone) == ("Theo dõi", "en_US", "Etc/GMT")
    with pytest.raises(gspread.exceptions.APIError, match="already exists"):
        sh.add_worksheet("Báo cáo", rows=1, cols=1)


def test_update_title_resize_and_delete_worksheet(gc, book, fake_sheets):
    sh = gc.open_by_key(BOOK)
    sheet = sh.worksheet("My sheet")
    sheet.update_title("Renamed")
    sh.sheet1.resize(rows=2, cols=1)
    sh.del_worksheet(sheet)
    dumped = fake_sheets.dump(BOOK)["sheets"]
    assert [s["title"] for s in dumped] == ["Sheet1", "It's", "Nhiệm vụ"]
    assert (dumped[0]["rowCount"], dumped[0]["columnCount"], dumped[0]["values"]) == (2, 1, [["a"]])


def test_append_dimension(gc, book, fake_sheets):
    sh = gc.open_by_key(BOOK)
    reply = sh.batch_update(
        {"requests": [{"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 4}}]}
    )
    assert reply == {"spreadsheetId": BOOK, "replies": [{}]}
    assert fake_sheets.dump(BOOK)["sheets"][0]["columnCount"] == 30


def test_create_spreadsheet_over_the_api(fake_sheets, raw):
    body = {
        "properties": {"title": "Mới", "locale": "vi_VN", "timeZone": "Asia/Ho_Chi_Minh"},
        "sheets": [{"properties": {"title": "Dữ liệu", "gridProperties": {"rowCount": 5}}}],
    }
    created = raw.session.post(raw.base, json=body, timeout=5).json()
    fetched = raw.session.get(f"{raw.base}/{created['spreadsheetId']}", timeout=5).json()
    assert fetched == created
    assert created["properties"]["locale"] == "vi_VN"
    assert created["sheets"] == [
        {
            "properties": {
                "sheetId": 0,
                "title": "Dữ liệu",
                "index": 0,
                "sheetType": "GRID",
                "gridProperties": {"rowCount": 5, "columnCount": 26},
            }
        }
    ]


def test_batch_update_is_atomic(gc, book, fake_sheets):
    sh = gc.open_by_key(BOOK)
    body = {
        "requests": [
            {"addSheet": {"properties": {"title": "New"}}},
            {"deleteSheet": {"sheetId": 99}},
        ]
    }
    with pytest.raises(gspread.exceptions.APIError, match="No grid with id: 99"):
        sh.batch_update(body)
    assert len(fake_sheets.dump(BOOK)["sheets"]) == 4


# --- faults, log, quota, access ---------------------------------------------------


def test_fault_fails_the_next_matching_requests(ws, fake_sheets, raw):
    fake_sheets.add_fault(path_regex=r"/values/", status=503, method="GET", times=2)
    assert_google_error(raw.values("Sheet1!A1"), 503, "UNAVAILABLE")
    with pytest.raises(gspread.exceptions.APIError) as caught:
        ws.get("A1")
    assert caught.value.code == 503
    assert ws.get("A1") == [["a"]]


def test_fault_with_apply_loses_the_response_after_writing(ws, fake_sheets):
    fake_sheets.add_fault(path_regex=r":append$", status=500, apply=True)
    with pytest.raises(gspread.exceptions.APIError) as caught:
        ws.append_rows([["lost"]])
    assert caught.value.code == 500
    assert fake_sheets.dump(BOOK)["sheets"][0]["values"][-1] == ["lost"]


def test_fault_without_apply_does_not_write(ws, fake_sheets):
    fake_sheets.add_fault(path_regex=r"/values/", status=429, method="PUT")
    with pytest.raises(gspread.exceptions.APIError):
        ws.update([["nope"]], "A1")
    assert fake_sheets.dump(BOOK)["sheets"][0]["values"][0] == ["a", "b"]


def test_delay_fault_hangs_the_response(ws, fake_sheets):
    fake_sheets.add_fault(path_regex=r"/values/", delay_seconds=0.5)
    ws.client.set_timeout(0.1)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        ws.get("A1")
    assert time.monotonic() - started < 0.45
    ws.client.set_timeout(None)
    # The server still answers the hung request once the delay is over.
    while not any(r["path"].endswith("/values/'Sheet1'!A1") for r in fake_sheets.requests()):
        assert time.monotonic() - started < 5
        time.sleep(0.05)


def test_request_log(ws, fake_sheets):
    fake_sheets.clear_requests()
    ws.update([["x"]], "B2", raw=False)
    fake_sheets.dump(BOOK)
    assert fake_sheets.requests() == [
        {
            "method": "PUT",
            "path": f"/v4/spreadsheets/{BOOK}/values/'Sheet1'!B2",
            "query": {"valueInputOption": ["USER_ENTERED"]},
            "status": 200,
            "body": {"values": [["x"]], "majorDimension": None},
        }
    ]
    fake_sheets.clear_requests()
    assert fake_sheets.requests() == []


def test_quota_exceeded_is_429(ws, fake_sheets, raw):
    fake_sheets.set_quota(read_per_minute=2)
    ws.get("A1")
    ws.get("A1")
    response = raw.values("Sheet1!A1")
    assert_google_error(response, 429, "RESOURCE_EXHAUSTED")
    assert response.json()["error"]["message"].startswith(
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'"
    )
    ws.update([["writes have their own quota"]], "A1")
    fake_sheets.set_quota(read_per_minute=None)
    assert ws.get("A1") == [["writes have their own quota"]]


def test_spreadsheet_not_shared_with_the_caller_is_403(fake_sheets, gc, raw):
    fake_sheets.create({"spreadsheetId": "private", "title": "P", "shared_with": ["x@y.com"]})
    fake_sheets.create({"spreadsheetId": "shared", "title": "S", "shared_with": [CLIENT_EMAIL]})
    assert_google_error(
        raw.values("A1", book_id="private"),
        403,
        "PERMISSION_DENIED",
        "The caller does not have permission",
    )
    with pytest.raises(PermissionError):
        gc.open_by_key("private")
    assert gc.open_by_key("shared").title == "S"


def test_missing_or_unknown_token_is_401(fake_sheets, book):
    url = f"{fake_sheets.url}/v4/spreadsheets/{BOOK}"
    assert_google_error(requests.get(url, timeout=5), 401, "UNAUTHENTICATED")
    bogus = {"Authorization": "Bearer not-issued"}
    assert_google_error(requests.get(url, headers=bogus, timeout=5), 401, "UNAUTHENTICATED")


def test_token_endpoint(fake_sheets, book):
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    token_url = fake_sheets.url + "/token"
    bad = requests.post(token_url, data={"grant_type": grant, "assertion": "not-a-jwt"}, timeout=5)
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_grant"
    fake_sheets.create(
        {"spreadsheetId": "mine", "title": "M", "shared_with": ["me@x.iam.gserviceaccount.com"]}
    )
    assertion = fake_jwt({"iss": "me@x.iam.gserviceaccount.com", "aud": token_url})
    good = requests.post(token_url, data={"grant_type": grant, "assertion": assertion}, timeout=5)
    assert good.status_code == 200
    token = good.json()
    assert token["access_token"].startswith("fake-token-")
    assert (token["expires_in"], token["token_type"]) == (3600, "Bearer")
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert requests.get(f"{fake_sheets.url}/v4/spreadsheets/mine", headers=headers, timeout=5).ok
    assert requests.get(f"{fake_sheets.url}/v4/spreadsheets/{BOOK}", headers=headers, timeout=5).ok


def test_gspread_fetches_its_token_from_the_fake(fake_sheets, gc, book):
    fake_sheets.clear_requests()
    gc.open_by_key(BOOK)
    token_requests = [r for r in fake_sheets.requests() if r["path"] == "/token"]
    assert [(r["method"], r["status"]) for r in token_requests] == [("POST", 200)]


def test_standalone_server_starts_and_answers():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakesheets", "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert f"http://127.0.0.1:{port}" in process.stdout.readline()
        assert requests.get(f"http://127.0.0.1:{port}/_fake/requests", timeout=5).json() == []
    finally:
        process.kill()
        process.wait(timeout=5)


# --- developer metadata, DataFilters, updateCells / appendCells -------------------------------


def _anchor(metadata_id, row, value="1", sheet_id=0):
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": metadata_id,
                "metadataKey": "k",
                "metadataValue": value,
                "location": {
                    "dimensionRange": {
                        "sheetId": sheet_id,
                        "dimension": "ROWS",
                        "startIndex": row,
                        "endIndex": row + 1,
                    }
                },
                "visibility": "DOCUMENT",
            }
        }
    }


def _by_filter(gc, filters):
    return gc.http_client.request(
        "post",
        f"https://sheets.googleapis.com/v4/spreadsheets/{BOOK}/values:batchGetByDataFilter",
        json={"dataFilters": filters, "valueRenderOption": "UNFORMATTED_VALUE"},
    ).json()


def test_row_metadata_moves_with_its_row_and_dies_with_it(gc, ws, fake_sheets):
    gc.http_client.batch_update(BOOK, {"requests": [_anchor(7, 2)]})  # on row 3 ("c")
    ws.insert_rows([["new"]], row=1)
    reply = _by_filter(gc, [{"developerMetadataLookup": {"metadataId": 7}}])
    (matched,) = reply["valueRanges"]
    assert matched["valueRange"]["range"] == "Sheet1!A4:Z4"
    assert matched["valueRange"]["values"] == [["c"]]
    assert matched["dataFilters"] == [{"developerMetadataLookup": {"metadataId": 7}}]
    ws.delete_rows(4)
    assert _by_filter(gc, [{"developerMetadataLookup": {"metadataId": 7}}])["valueRanges"] == []


def test_a_metadata_id_in_use_fails_the_whole_batch(gc, ws, fake_sheets):
    gc.http_client.batch_update(BOOK, {"requests": [_anchor(7, 2)]})
    before = fake_sheets.dump(BOOK)
    update = {
        "updateCells": {
            "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
            "rows": [{"values": [{"userEnteredValue": {"stringValue": "=1+1"}}]}],
            "fields": "userEnteredValue",
        }
    }
    with pytest.raises(gspread.exceptions.APIError, match="already in use"):
        gc.http_client.batch_update(BOOK, {"requests": [update, _anchor(7, 0)]})
    assert fake_sheets.dump(BOOK) == before


def test_delete_with_an_exact_location_and_value_is_a_compare_and_set(gc, ws, fake_sheets):
    gc.http_client.batch_update(BOOK, {"requests": [_anchor(7, 2, "1")]})

    def cas(row, old, new):
        lookup = {
            "metadataId": 7,
            "metadataValue": old,
            "metadataLocation": _anchor(7, row)["createDeveloperMetadata"]["developerMetadata"][
                "location"
            ],
            "locationMatchingStrategy": "EXACT_LOCATION",
        }
        return [
            {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": lookup}}},
            _anchor(7, row, new),
        ]

    gc.http_client.batch_update(BOOK, {"requests": cas(2, "1", "2")})  # as read: succeeds
    with pytest.raises(gspread.exceptions.APIError):  # stale value: the create fails
        gc.http_client.batch_update(BOOK, {"requests": cas(2, "1", "2")})
    with pytest.raises(gspread.exceptions.APIError):  # wrong row: the create fails
        gc.http_client.batch_update(BOOK, {"requests": cas(1, "2", "3")})
    (meta,) = next(s for s in fake_sheets.dump(BOOK)["sheets"] if s["title"] == "Sheet1")[
        "developerMetadata"
    ]
    assert meta["metadataValue"] == "2"


def test_update_cells_keeps_strings_as_typed_and_append_cells_goes_after_the_data(
    gc, ws, fake_sheets
):
    cell = {"userEnteredValue": {"stringValue": "=1+1"}}
    gc.http_client.batch_update(
        BOOK,
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 0, "rowIndex": 1, "columnIndex": 1},
                        "rows": [{"values": [cell, {}]}],
                        "fields": "userEnteredValue",
                    }
                },
                {
                    "appendCells": {
                        "sheetId": 0,
                        "rows": [{"values": [{"userEnteredValue": {"numberValue": 5}}]}],
                        "fields": "userEnteredValue",
                    }
                },
            ]
        },
    )
    assert ws.get_all_values(value_render_option="FORMULA")[:4] == [
        ["a", "b"],
        ["", "=1+1"],
        ["c", ""],
        [5, ""],
    ]
    assert ws.acell("B2").value == "=1+1"  # text, not a formula


def test_batch_get_by_data_filter_counts_as_a_read(gc, ws, fake_sheets):
    fake_sheets.set_quota(read_per_minute=1, write_per_minute=0)
    _by_filter(gc, [{"a1Range": "Sheet1!A1:B1"}])
    with pytest.raises(gspread.exceptions.APIError, match="Read requests"):
        _by_filter(gc, [{"gridRange": {"sheetId": 0, "endRowIndex": 1}}])
    fake_sheets.set_quota()


def test_developer_metadata_get_and_search(gc, ws):
    gc.http_client.batch_update(BOOK, {"requests": [_anchor(7, 2), _anchor(9, 0)]})
    base = f"https://sheets.googleapis.com/v4/spreadsheets/{BOOK}/developerMetadata"
    assert gc.http_client.request("get", f"{base}/7").json()["metadataValue"] == "1"
    with pytest.raises(gspread.exceptions.APIError):
        gc.http_client.request("get", f"{base}/8")
    found = gc.http_client.request(
        "post",
        f"{base}:search",
        json={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "k"}}]},
    ).json()["matchedDeveloperMetadata"]
    assert sorted(m["developerMetadata"]["metadataId"] for m in found) == [7, 9]
