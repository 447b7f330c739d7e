"""services/dashboard.py against a hand-computed fixture (as of 30/06/2025, compared with
23/06/2025), the seed directive (everything Thường xuyên) and an empty store."""

import csv
import io
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.dashboard import board as db
from services.dashboard.metrics import agency_metrics, tasks_frame
from services.domain.agencies import AgencyIndex
from services.domain.model import (
    DONE,
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    FIELD_LABELS,
    IN_PROGRESS,
    ONGOING,
    OPEN_ON_TIME,
    OVERDUE,
    Agency,
    Change,
    Directive,
    Snapshot,
    Task,
    fold,
)
from services.stores.seed import seed_records

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = date(2025, 6, 30)  # a Monday; "7 days ago" is 23/06/2025


def at(day, hour=10):
    return datetime(2025, *day, hour, tzinfo=TZ)


AGENCIES = (
    Agency("A", "Sở Nội vụ", group="Sở, ban, ngành"),
    Agency("B", "Đài Phát thanh và Truyền hình tỉnh", ("Đài PT-TH",), "Báo chí"),
    Agency("OLD", "Sở Thông tin và Truyền thông", ("Sở TT&TT",), "Sở, ban, ngành", "NEW", False),
    Agency("NEW", "Sở Khoa học và Công nghệ", group="Sở, ban, ngành"),
    Agency("C", "Sở Tư pháp", group="Sở, ban, ngành"),
    Agency("D", "Hội Nông dân tỉnh", group="Hội"),
)
DIRECTIVES = (
    Directive("VB-1", "12/KH-UBND", "2025-01-15", title="Kế hoạch thứ nhất"),
    Directive("VB-2", "34/UBND-VP", "2025-06-27", title="Công văn mới"),
)


def task(n, lead, directive="VB-1", **kw):
    return Task(
        id=f"NV-{n:04d}",
        directive_id=directive,
        section="1",
        content=f"Nội dung công việc số {n}",
        lead=lead,
        **kw,
    )


TASKS = (
    # done on time, long ago
    task(
        1,
        "A",
        status=DONE,
        deadline=date(2025, 6, 1),
        completed_on=date(2025, 5, 30),
        updated_at=at((5, 30)),
    ),
    # done late on 25/06, typed into the sheet by hand (no history, no updated_at)
    task(2, "A", status=DONE, deadline=date(2025, 6, 20), completed_on=date(2025, 6, 25)),
    # overdue 60 days
    task(3, "A", deadline=date(2025, 5, 1), updated_at=at((3, 1))),
    # due in 3 days; progress saved on 29/06 (history, but nothing that changes its category)
    task(
        4, "B", status=IN_PROGRESS, progress=40, deadline=date(2025, 7, 3), updated_at=at((6, 29))
    ),
    # ongoing, led by a merged agency, supported by B
    task(5, "OLD", partners=("B",)),
    # done late on 28/06 through the app (history)
    task(
        6,
        "NEW",
        status=DONE,
        deadline=date(2025, 6, 10),
        completed_on=date(2025, 6, 28),
        updated_at=at((6, 28)),
    ),
    # deadline extended on 26/06 from 15/06 to 30/07 (history)
    task(7, "NEW", deadline=date(2025, 7, 30), updated_at=at((6, 26))),
    # its directive was issued on 27/06
    task(8, "A", "VB-2", deadline=date(2025, 7, 15), updated_at=at((6, 27))),
    # added on 28/06 (no history: updated_at is when it was added)
    task(9, "B", deadline=date(2025, 9, 1), updated_at=at((6, 28))),
    # overdue 149 and 62 days
    task(10, "A", deadline=date(2025, 2, 1)),
    task(11, "B", deadline=date(2025, 4, 29)),
    # C: silent since 02/05; D: never updated
    task(12, "C", deadline=date(2025, 8, 1), updated_at=at((5, 2))),
    task(13, "D"),
)


def change(n, when, field, old, new, change_id):
    return Change(
        at=at(when),
        change_id=change_id,
        task_id=f"NV-{n:04d}",
        field=FIELD_LABELS[field],
        old=old,
        new=new,
        actor="x@y.vn",
    )


HISTORY = (
    change(4, (6, 29), "progress", "20", "40", "c1"),
    change(7, (6, 26), "deadline", "15/06/2025", "30/07/2025", "c2"),
    change(6, (6, 28), "status", IN_PROGRESS, DONE, "c3"),
    change(6, (6, 28), "completed_on", "", "28/06/2025", "c3"),
)


@pytest.fixture
def snapshot():
    return Snapshot(DIRECTIVES, AGENCIES, TASKS, history=HISTORY)


@pytest.fixture
def board(snapshot):
    return db.build_board(snapshot, tasks_frame(snapshot, AS_OF), AS_OF)


def ids(frame):
    return sorted(int(i[3:]) for i in frame["id"])


# --- the board and the state 7 days ago ----------------------------------------------------------


def test_board_rolls_merged_agencies_up_and_keeps_the_original(board):
    row = board.set_index("id").loc["NV-0005"]
    assert (row["lead"], row["lead_name"]) == ("OLD", "Sở Thông tin và Truyền thông")
    assert (row["current"], row["current_name"]) == ("NEW", "Sở Khoa học và Công nghệ")
    assert row["lead_short"] == "Sở TT&TT"  # the alias fits a phone
    assert row["partner_codes"] == ("B",) and row["partner_current"] == ("B",)
    assert board.set_index("id").loc["NV-0002", "completed"] == date(2025, 6, 25)


def test_state_seven_days_ago(board):
    then = board.set_index("id")
    existed = {i for i, e in then["existed_then"].items() if e}
    assert existed == {f"NV-{n:04d}" for n in range(1, 14)} - {"NV-0008", "NV-0009"}
    expected = {
        1: DONE_ON_TIME,
        2: OVERDUE,  # completed 25/06: not done on 23/06, and due 20/06
        3: OVERDUE,
        4: OPEN_ON_TIME,
        5: ONGOING,
        6: OVERDUE,  # history: still in progress on 23/06, due 10/06
        7: OVERDUE,  # history: the deadline was 15/06 then
        10: OVERDUE,
        11: OVERDUE,
        12: OPEN_ON_TIME,
        13: ONGOING,
    }
    categories = {int(i[3:]): c for i, c in then["category_then"].items() if isinstance(c, str)}
    assert categories == expected
    assert not then["due_soon_then"].any()  # 03/07 is 10 days after 23/06
    assert {int(i[3:]) for i, d in then["done_then"].items() if d} == {1}


def test_state_on_reverts_only_changes_after_that_day(snapshot):
    state = db.state_on(snapshot, date(2025, 6, 28))  # the day task 6 was done
    assert state.loc[5, "category"] == DONE_LATE and state.loc[5, "done"]
    assert db.state_on(snapshot, date(2025, 6, 27)).loc[5, "category"] == OVERDUE


def test_kpi_cards_and_their_change_over_seven_days(board):
    cards = {c.key: c for c in db.kpi_cards(db.apply(board, db.Filters()))}
    now = {k: c.value for k, c in cards.items()}
    assert now == {
        "total": "13",
        "completion_rate": "23,1%",
        "on_time_rate": "33,3%",
        OVERDUE: "3",
        "due_soon": "1",
        DONE_ON_TIME: "1",
        DONE_LATE: "2",
        OPEN_ON_TIME: "5",
        ONGOING: "2",
    }
    # 7 days ago: 11 tasks, 1 done (on time), 6 overdue, 2 open on time, 2 ongoing
    deltas = {k: c.delta for k, c in cards.items()}
    assert deltas == {
        "total": "+2",
        "completion_rate": "+14 điểm %",  # 3/13 - 1/11
        "on_time_rate": "-66,7 điểm %",  # 1/3 - 1/1
        OVERDUE: "-3",
        "due_soon": "+1",
        DONE_ON_TIME: 0,
        DONE_LATE: "+2",
        OPEN_ON_TIME: "+3",
        ONGOING: 0,
    }
    assert [c.label for c in cards.values()][:3] == [
        "Tổng số nhiệm vụ",
        "Tỷ lệ hoàn thành",
        "Tỷ lệ đúng hạn",
    ]
    assert cards[OVERDUE].delta_color == "inverse" and cards[DONE_ON_TIME].delta_color == "normal"


def test_kpi_cards_follow_the_filter(board):
    cards = {c.key: c for c in db.kpi_cards(db.apply(board, db.Filters(agencies=("NEW",))))}
    # tasks 5, 6, 7; 7 days ago: 5 ongoing, 6 and 7 overdue
    assert (cards["total"].value, cards[DONE_LATE].value, cards[OVERDUE].value) == ("3", "1", "0")
    assert (cards[OVERDUE].delta, cards["completion_rate"].delta) == ("-2", "+33,3 điểm %")


def test_numbers_are_written_the_vietnamese_way():
    assert db.format_count(10000) == "10.000" and db.format_count(7) == "7"
    assert db.format_rate(0.625) == "62,5%" and db.format_rate(0.5) == "50%"
    assert db.format_rate(None) == "-"  # one formatter: "-" everywhere


# --- filters and search --------------------------------------------------------------------------


def test_each_filter(board):
    def only(**kw):
        return ids(db.apply(board, db.Filters(**kw)))

    assert only() == list(range(1, 14))
    assert only(directives=("VB-2",)) == [8]
    assert only(groups=("Báo chí",)) == [4, 9, 11]
    assert only(agencies=("NEW",)) == [5, 6, 7]  # with the merged agency's task
    assert only(agencies=("NEW",), original=True) == [6, 7]
    assert only(agencies=("OLD",), original=True) == [5]
    assert only(categories=(OVERDUE,)) == [3, 10, 11]
    assert only(categories=(DUE_SOON,)) == [4]
    assert only(categories=(OVERDUE, DUE_SOON)) == [3, 4, 10, 11]
    assert only(deadline_from=date(2025, 6, 1), deadline_to=date(2025, 6, 30)) == [1, 2, 6]
    assert only(deadline_from=date(2025, 7, 1)) == [4, 7, 8, 9, 12]  # no deadline: left out
    assert only(deadline_from=date(2025, 6, 30), deadline_to=date(2025, 6, 1)) == [1, 2, 6]
    assert only(groups=("Báo chí",), categories=(OVERDUE,)) == [11]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("so noi vu", [1, 2, 3, 8, 10]),
        ("SỞ NỘI VỤ", [1, 2, 3, 8, 10]),
        (unicodedata.normalize("NFD", "Sở Nội vụ"), [1, 2, 3, 8, 10]),
        ("đài", [4, 5, 9, 11]),  # B leads 4, 9, 11 and supports 5
        ("dai", [4, 5, 9, 11]),
        ("Dai", [4, 5, 9, 11]),
        ("đài pt-th", [4, 9, 11]),  # B's alias
        ("so tt&tt", [5]),  # the merged agency's alias
        ("khoa hoc va cong nghe", [5, 6, 7]),  # the successor's name finds the merged task too
        ("nv-0012", [12]),
        ("12/kh", [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13]),  # the directive's number
        ("oi vu", []),  # words match from their start: "oi" is not a word here
        ("   ", list(range(1, 14))),
    ],
)
def test_search_ignores_case_and_diacritics(board, query, expected):
    assert ids(db.apply(board, db.Filters(search=query))) == expected


def test_filters_round_trip_through_the_query_string(board):
    options = db.filter_options(board)
    filters = db.Filters(
        directives=("VB-2",),
        groups=("Báo chí",),
        agencies=("NEW", "A"),
        categories=(OVERDUE, DUE_SOON),
        deadline_from=date(2025, 6, 1),
        deadline_to=date(2025, 7, 31),
        search="Sở Nội vụ",
    )
    query = filters.to_query()
    assert query == {
        "directive": ["VB-2"],
        "group": ["Báo chí"],
        "agency": ["NEW", "A"],
        "category": ["qua-han", "sap-den-han"],
        "from": ["2025-06-01"],
        "to": ["2025-07-31"],
        "q": ["Sở Nội vụ"],
    }
    assert db.Filters.from_query(query, options) == filters
    assert db.Filters().to_query() == {}
    assert db.Filters(original=True).to_query() == {"original": ["1"]}


def test_invalid_query_values_are_dropped(board):
    options = db.filter_options(board)
    filters = db.Filters.from_query(
        {
            "directive": ["VB-9", "VB-1"],
            "group": "Không có",
            "agency": ["NOPE", "OLD", "new"],
            "category": ["xyz", "Quá hạn", "hoan-thanh-dung-han"],
            "from": "31/02/2025",
            "to": "hôm qua",
            "original": "maybe",
            "q": ["a", "b"],
            "other": "x",
        },
        options,
    )
    assert filters == db.Filters(
        directives=("VB-1",), agencies=("NEW",), categories=(OVERDUE, DONE_ON_TIME), search="a b"
    )
    assert db.Filters.from_query({"from": "01/06/2025", "group": "bao chi"}, options) == db.Filters(
        deadline_from=date(2025, 6, 1), groups=("Báo chí",)
    )
    original = db.filter_options(board, original=True)
    assert db.Filters.from_query({"agency": "OLD", "original": "1"}, original).agencies == ("OLD",)


def test_filter_options_follow_the_succession_toggle(board):
    rolled, original = db.filter_options(board), db.filter_options(board, original=True)
    assert "OLD" not in rolled.agencies and "OLD" in original.agencies
    assert list(rolled.agencies) == ["B", "D", "NEW", "A", "C"]  # by name, ignoring accents
    assert rolled.groups == ("Báo chí", "Hội", "Sở, ban, ngành")
    assert rolled.directives == {
        "VB-1": "12/KH-UBND – Kế hoạch thứ nhất",
        "VB-2": "34/UBND-VP – Công văn mới",
    }


def test_fold_many_is_fold():
    texts = [
        "Sở  Nội vụ",
        unicodedata.normalize("NFD", "ĐÀI Phát\u00a0thanh"),
        "a\u200bb",
        "x\n\ty",
        "",
        "İstanbul",
        "שָׁלוֹם",
        "\u0301abc",
        "a\x00b",
        "ﬁ Ǆ ß",
    ]
    assert db.fold_many(texts) == [fold(t) for t in texts]
    assert db.fold_many([]) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), max_size=8))
def test_fold_many_is_fold_for_any_text(texts):
    assert db.fold_many(texts) == [fold(t) for t in texts]


# --- chart aggregates ----------------------------------------------------------------------------


def test_agencies_worst_first(board):
    table = db.agency_categories(db.apply(board, db.Filters()))
    assert list(table["agency"]) == ["A", "B", "D", "C", "NEW"]  # overdue 2, 1, then by rate, name
    a = table.set_index("agency").loc["A"]
    assert (a[OVERDUE], a[OPEN_ON_TIME], a[DONE_LATE], a[DONE_ON_TIME]) == (2, 1, 1, 1)
    assert a["total"] == 5
    assert a["completion_rate"] == pytest.approx(0.4)
    original = db.agency_categories(db.apply(board, db.Filters(original=True)))
    assert set(original["agency"]) == {"A", "B", "C", "D", "NEW", "OLD"}
    assert len(db.agency_categories(db.apply(board, db.Filters()), limit=2)) == 2


def test_category_share(board):
    share = db.category_share(db.apply(board, db.Filters()))
    assert list(share["category"]) == [OVERDUE, OPEN_ON_TIME, ONGOING, DONE_LATE, DONE_ON_TIME]
    assert list(share["count"]) == [3, 5, 2, 2, 1]
    assert share["share"].sum() == pytest.approx(1)


def test_weekly_completions(board):
    weekly = db.weekly_completions(db.apply(board, db.Filters()), AS_OF)
    assert len(weekly) == 26 and weekly["week"].iloc[-1] == date(2025, 6, 30)
    nonzero = weekly[weekly["total"] > 0].set_index("week")
    assert list(nonzero.index) == [date(2025, 5, 26), date(2025, 6, 23)]
    assert nonzero.loc[date(2025, 5, 26), DONE_ON_TIME] == 1  # task 1, Fri 30/05
    assert nonzero.loc[date(2025, 6, 23), DONE_LATE] == 2  # tasks 2 and 6, 25/06 and 28/06
    assert db.weekly_completions(db.apply(board, db.Filters(agencies=("C",))), AS_OF).empty


def test_directive_progress(board):
    table = db.directive_progress(db.apply(board, db.Filters()))
    assert list(table["directive_id"]) == ["VB-1", "VB-2"]
    assert list(table["label"]) == ["12/KH-UBND", "34/UBND-VP"]
    assert (table.loc[0, "total"], table.loc[0, OVERDUE]) == (12, 3)


def test_directive_labels_stay_unique():
    snap = Snapshot(
        (Directive("VB-1", "/UBND-VP"), Directive("VB-2", "/UBND-VP"), Directive("VB-3", "")),
        (Agency("A", "Sở A"),),
        (task(1, "A", "VB-1"), task(2, "A", "VB-2"), task(3, "A", "VB-3")),
    )
    board = db.build_board(snap, tasks_frame(snap, AS_OF), AS_OF)
    labels = db.directive_progress(db.apply(board, db.Filters()))["label"]
    assert sorted(labels) == ["/UBND-VP (VB-1)", "/UBND-VP (VB-2)", "VB-3"]


# --- tables --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, band",
    [
        (0, "≤ 30 ngày"),
        (30, "≤ 30 ngày"),
        (31, "> 30 ngày"),
        (60, "> 30 ngày"),
        (61, "> 60 ngày"),
        (120, "> 60 ngày"),
        (121, "> 120 ngày"),
    ],
)
def test_age_bands(days, band):
    assert db.age_band(days) == band


def test_overdue_table(board):
    late = db.overdue_table(db.apply(board, db.Filters()))
    assert list(late["id"]) == ["NV-0010", "NV-0011", "NV-0003"]
    assert list(late["days_late"]) == [149, 62, 60]
    assert list(late["age_band"]) == ["> 120 ngày", "> 60 ngày", "> 30 ngày"]


def test_due_within(board):
    view = db.apply(board, db.Filters())
    assert list(db.due_within(view, AS_OF, 7)["id"]) == ["NV-0004"]
    due = db.due_within(view, AS_OF, 30)
    assert list(due["id"]) == ["NV-0004", "NV-0008", "NV-0007"]
    assert list(due["days_left"]) == [3, 15, 30]
    assert db.due_within(view, date(2025, 7, 3), 0)["id"].tolist() == ["NV-0004"]  # due today


def test_agencies_without_updates_in_thirty_days(board):
    silent = db.stale_agencies(db.apply(board, db.Filters()), AS_OF)
    assert list(silent["agency"]) == ["D", "C"]  # never updated first
    assert silent.iloc[1]["last_update"] == date(2025, 5, 2)
    assert silent.iloc[1]["days_silent"] == 59 and pd.isna(silent.iloc[0]["days_silent"])
    assert list(silent["open"]) == [1, 1]


def test_csv_is_utf8_with_bom_and_neutralised():
    frame = pd.DataFrame(
        {
            "Nội dung": [
                "=1+1",
                "+84 912",
                "-x",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "\nx",
                "Sở Nội vụ",
                "a=b",
            ],
            "Số": [1, -2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    data = db.csv_bytes(frame.rename(columns={"Số": "=Số"}))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Nội dung", "'=Số"]
    assert [r[0] for r in rows[1:]] == [
        "'=1+1",
        "'+84 912",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "'\nx",
        "Sở Nội vụ",
        "a=b",
    ]
    assert [r[1] for r in rows[1:]] == ["1", "-2", "3", "4", "5", "6", "7", "8", "9"]


def test_display_table_writes_dates_day_first(board):
    late = db.overdue_table(db.apply(board, db.Filters()))
    shown = db.display_table(
        late, {"id": "Mã NV", "deadline": "Hạn hoàn thành", "partner_list": "Phối hợp"}
    )
    assert list(shown.columns) == ["Mã NV", "Hạn hoàn thành", "Phối hợp"]
    assert shown.iloc[0].tolist() == ["NV-0010", "01/02/2025", ""]


# --- Cơ quan page --------------------------------------------------------------------------------


def test_scorecard_is_agency_metrics_with_the_roll_up(board):
    view = db.agency_view(board)
    card = db.agency_scorecard(view, "NEW", AS_OF)
    assert (card["assigned"], card["done"], card["done_on_time"], card["overdue"]) == (3, 1, 0, 0)
    assert card["completion_rate"] == pytest.approx(1 / 3) and card["on_time_rate"] == 0
    # due a report: open tasks 5 and 7 and the task it completed this month; only that
    # completion was reported (7's deadline was moved by the office on 26/06, which is not
    # the agency's update)
    assert card["update_rate"] == pytest.approx(1 / 3)
    own = db.agency_view(board, original=True)
    expected = agency_metrics(own, AS_OF).set_index("lead").loc["NEW"]
    card = db.agency_scorecard(own, "NEW", AS_OF)
    assert (card["assigned"], card["overdue"], card["update_rate"]) == (
        expected["assigned"],
        expected["overdue"],
        expected["update_rate"],
    )
    empty = db.agency_scorecard(view, "ZZZ", AS_OF)
    assert empty["assigned"] == 0 and empty["completion_rate"] is None


def test_lead_and_partner_tasks(board, snapshot):
    view = db.agency_view(board)
    assert list(db.lead_tasks(view, "A")["id"]) == [
        "NV-0010",
        "NV-0003",
        "NV-0008",
        "NV-0002",
        "NV-0001",
    ]  # worst first
    assert list(db.partner_tasks(view, "B")["id"]) == ["NV-0005"]
    assert db.merged_into(snapshot, "NEW") == ["Sở Thông tin và Truyền thông"]
    changes = db.recent_changes(snapshot, ["NV-0006", "NV-0007"])
    assert list(changes["task_id"]) == ["NV-0006", "NV-0006", "NV-0007"]
    assert db.badges(view[view["id"].isin(["NV-0004", "NV-0003"])]) == [
        [OVERDUE],
        [OPEN_ON_TIME, DUE_SOON],
    ]


def test_pick_agency(board, snapshot):
    index = AgencyIndex(snapshot.agencies)
    choices = db.agency_choices(board, snapshot)
    assert "OLD" not in choices and list(choices)[:2] == ["B", "D"]
    assert db.pick_agency("A", choices, index) == ("A", "")
    assert db.pick_agency("so noi vu", choices, index) == ("A", "")
    code, note = db.pick_agency("OLD", choices, index)
    assert code == "NEW" and "đã sáp nhập vào Sở Khoa học và Công nghệ" in note
    original = db.agency_choices(board, snapshot, original=True)
    assert db.pick_agency("OLD", original, index, original=True) == ("OLD", "")
    code, note = db.pick_agency("<b>x</b>", choices, index, fallback=["", "OLD", "A"])
    assert code == "NEW" and "<b>" not in note  # never echoes the URL
    assert db.pick_agency("", choices, index) == ("B", "")  # nothing asked: the first


# --- the seed and an empty store -----------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_board():
    directives, agencies, tasks, users = seed_records()
    snap = Snapshot(directives, agencies, tasks, users)
    return snap, db.build_board(snap, tasks_frame(snap, AS_OF), AS_OF)


def test_seed_everything_is_ongoing(seed_board):
    snap, board = seed_board
    view = db.apply(board, db.Filters())
    cards = {c.key: c for c in db.kpi_cards(view)}
    assert (cards["total"].value, cards[ONGOING].value, cards[OVERDUE].value) == ("29", "29", "0")
    assert cards["completion_rate"].value == "0%" and cards["on_time_rate"].value == "-"
    assert cards["total"].delta == 0 and cards["on_time_rate"].delta is None
    assert db.overdue_table(view).empty and db.due_within(view, AS_OF, 30).empty
    assert db.weekly_completions(view, AS_OF).empty
    assert list(db.category_share(view)["category"]) == [ONGOING]
    agencies = db.agency_categories(view)
    assert (agencies[ONGOING] == agencies["total"]).all()
    # Sở TT&TT was merged into Sở KH&CN: its 4 tasks count there unless asked otherwise
    assert agencies.set_index("agency").loc["SKHCN", "total"] == 1 + 4
    assert "STTTT" not in set(agencies["agency"])
    original = db.agency_categories(db.apply(board, db.Filters(original=True)))
    assert original.set_index("agency").loc["STTTT", "total"] == 4
    silent = db.stale_agencies(view, AS_OF)  # nobody has reported anything yet
    assert set(silent["agency"]) == set(agencies["agency"]) and silent["last_update"].isna().all()
    assert (
        ids(db.apply(board, db.Filters(search="dai pt-th"))) == ids(board[board["lead"] == "DPTTH"])
        and not board[board["lead"] == "DPTTH"].empty
    )


def test_empty_store():
    board = db.build_board(Snapshot(), tasks_frame(Snapshot(), AS_OF), AS_OF)
    view = db.apply(board, db.Filters(search="x", categories=(OVERDUE,)))
    assert view.empty
    cards = db.kpi_cards(view)
    assert cards[0].value == "0" and all(c.delta is None for c in cards)
    for table in (
        db.agency_categories(view),
        db.category_share(view),
        db.weekly_completions(view, AS_OF),
        db.directive_progress(view),
        db.overdue_table(view),
        db.due_within(view, AS_OF, 7),
        db.stale_agencies(view, AS_OF),
    ):
        assert table.empty
    assert db.filter_options(board).agencies == {}


def test_board_refuses_a_table_from_another_snapshot(snapshot):
    with pytest.raises(ValueError):
        db.build_board(snapshot, tasks_frame(Snapshot(), AS_OF), AS_OF)


def test_a_date_from_the_url_in_any_form():
    assert db.Filters.from_query({"to": "2025-07-01"}, db.Options()).deadline_to == date(2025, 7, 1)
    assert db.Filters.from_query({"to": "1/7/2025"}, db.Options()).deadline_to == date(2025, 7, 1)
    assert db.parse_flag(["0", "1"]) and not db.parse_flag("0") and not db.parse_flag(None)
    assert db.week_start(date(2025, 7, 6)) == date(2025, 6, 30)  # Sunday -> its Monday
    assert db.week_start(date(2025, 6, 30)) == date(2025, 6, 30)


def test_search_by_the_successors_short_name_finds_the_merged_agencys_tasks(board):
    """Searching the agency that carries on today (by code, name or alias, as the charts label
    it) finds the tasks of the agency merged into it too."""
    view = db.agency_view(board)
    found = view[db.search_mask(view["search_text"], "NEW")]
    assert set(found["id"]) == {"NV-0005", "NV-0006", "NV-0007"}


def test_seven_day_change_counts_tasks_imported_since_as_new():
    """66 ↑0 after importing 37 today (issue 16.3): a task whose "Tạo nhiệm vụ" row is after
    the day of comparison did not exist then, even when its directive is older."""
    from services.domain.model import CREATED

    old = tuple(task(n, "A", status=IN_PROGRESS, updated_at=at((5, 1))) for n in range(1, 4))
    new = tuple(task(n, "A", updated_at=at((6, 30))) for n in range(4, 7))
    history = tuple(
        Change(at((6, 30)), f"c{t.id}", t.id, CREATED, "", t.content, "admin@x", "") for t in new
    ) + tuple(
        Change(at((5, 1)), f"c{t.id}", t.id, CREATED, "", t.content, "admin@x", "") for t in old
    )
    snap = Snapshot(DIRECTIVES[:1], AGENCIES, old + new, history)
    board = db.build_board(snap, tasks_frame(snap, AS_OF), AS_OF)
    assert list(board["existed_then"]) == [True] * 3 + [False] * 3
    cards = {c.key: c for c in db.kpi_cards(board)}
    assert cards["total"].value == "6" and cards["total"].delta == "+3"


def test_every_csv_quotes_cr_and_lf_and_neutralises():
    """Issue 19: a result "Đã xong\\r=cmd|' /C calc'!A0" became 14 rows starting with =cmd in
    the history CSV, which was written with bare LF. One writer, used by every download."""
    frame = pd.DataFrame(
        {"Kết quả": ["Đã xong\r=cmd|' /C calc'!A0", "=1+1", "a\nb", "-5"], "Số": [1, 2, 3, -4]}
    )
    raw = db.csv_bytes(frame)
    assert raw.startswith("\ufeff".encode()) and raw.count(b"\r\n") == 5  # header + 4 rows
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[1:] == [
        ["Đã xong\r=cmd|' /C calc'!A0", "1"],
        ["'=1+1", "2"],
        ["a\nb", "3"],
        ["'-5", "-4"],
    ]
    assert b'"\xc4\x90\xc3\xa3 xong\r=cmd' in raw  # the CR is inside a quoted cell
