"""AppTest: Tổng quan (filters in the URL, search, succession toggle, drill-down, empty and odd
states) and Cơ quan (query parameter, select box, scorecard), on stores written for each test."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.domain.model import (
    DONE,
    IN_PROGRESS,
    ONGOING,
    OVERDUE,
    ROLE_AGENCY,
    Agency,
    Directive,
    Task,
    today_local,
)
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from services.ui.identity import DEMO_PARAM

ROOT = Path(__file__).resolve().parent.parent
TODAY = today_local()  # the app computes categories as of today: the data is placed around it

AGENCIES = (
    Agency("SNV", "Sở Nội vụ", group="Sở, ban, ngành"),
    Agency("DPTTH", "Đài Phát thanh và Truyền hình tỉnh", ("Đài PT-TH",), "Báo chí"),
    Agency(
        "STTTT", "Sở Thông tin và Truyền thông", ("Sở TT&TT",), "Sở, ban, ngành", "SKHCN", False
    ),
    Agency("SKHCN", "Sở Khoa học và Công nghệ", ("Sở KH&CN",), "Sở, ban, ngành"),
    Agency("CAT", "Công an tỉnh", group="Lực lượng vũ trang"),
)
DIRECTIVES = (
    Directive(
        "VB-0001", "12/KH-UBND", (TODAY - timedelta(days=200)).isoformat(), title="Kế hoạch thử"
    ),
)


def task(n, lead, **kw):
    return Task(
        id=f"NV-{n:04d}",
        directive_id="VB-0001",
        section="1",
        content=f"Nội dung công việc số {n}",
        lead=lead,
        **kw,
    )


def days(n):
    return TODAY + timedelta(days=n)


TASKS = (
    task(1, "SNV", deadline=days(-40)),  # overdue
    task(2, "SNV", status=DONE, progress=100, deadline=days(-20), completed_on=days(-25)),
    task(3, "DPTTH", status=IN_PROGRESS, deadline=days(3), partners=("SNV",)),  # due soon
    task(4, "STTTT"),  # ongoing, merged agency
    task(5, "SKHCN", deadline=days(-130)),  # overdue, > 120 days
    task(6, "CAT", deadline=days(60)),
)


def make_store(path, directives=DIRECTIVES, agencies=AGENCIES, tasks=TASKS):
    SQLiteStore(str(path), seed=lambda: (directives, agencies, tasks, ()))


def app(tmp_path, query=None, role=None, agency="SNV", seeded=True):
    if seeded and not (tmp_path / "app.db").exists():
        make_store(tmp_path / "app.db")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets["store"] = {"sqlite_path": str(tmp_path / "app.db")}
    if role:
        at.session_state["demo_role"] = role
        at.session_state["demo_agency"] = agency
    at.query_params.update(query or {})
    return at.run()


def metrics(at):
    return {m.label: m.value for m in at.metric}


def texts(at):
    return " ".join(
        str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]
    )


def charts(at):
    """The Vega-Lite specs of the page's charts, in page order, with the data rows that
    Streamlit sends apart (as Arrow) put back as data.values."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    specs = []
    for c in at.get("vega_lite_chart"):
        spec = json.loads(c.proto.spec)
        if c.proto.HasField("data"):
            frame = convert_arrow_bytes_to_pandas_df(c.proto.data.data)
            spec["data"] = {"values": frame.to_dict("records")}
        specs.append(spec)
    return specs


def kind(spec) -> str:
    return spec["layer"][0]["mark"]["type"] if "layer" in spec else spec["mark"]["type"]


def bar_labels(spec) -> list[str]:
    return spec["encoding"]["y"]["sort"]  # every bar, top first


def query(at):
    return {k: v for k, v in at.query_params.items() if k != DEMO_PARAM}  # who you are: apart


def test_overview_shows_cards_charts_and_lists(tmp_path):
    at = app(tmp_path)
    assert not at.exception
    m = metrics(at)
    assert (m["Tổng số nhiệm vụ"], m[OVERDUE], m["Sắp đến hạn"], m[ONGOING]) == ("6", "2", "1", "1")
    assert m["Tỷ lệ hoàn thành"] == "16,7%" and m["Tỷ lệ đúng hạn"] == "100%"
    # the agency chart, and of the other three the open tab's only (directives first)
    assert [kind(c) for c in charts(at)] == ["bar", "bar"]
    assert [t.label for t in at.tabs] == [
        "Tiến độ theo văn bản",
        "Cơ cấu theo phân loại",
        "Hoàn thành theo tuần",
    ]
    for tab, mark in (("share", "arc"), ("weekly", "bar"), ("directives", "bar")):
        at.session_state["overview_chart_tab"] = tab
        at.run()
        assert [kind(c) for c in charts(at)][1:] == [mark]
    agency_chart = charts(at)[0]
    overdue = [r["label"] for r in agency_chart["data"]["values"] if r["category"] == OVERDUE]
    assert overdue[:2] == ["Sở KH&CN", "Sở Nội vụ"]  # as typed: Vega draws it as text
    # below the fold the lists wait, collapsed, with their counts; nothing of them is drawn
    assert [e.label for e in at.expander][-1] == (
        "Danh sách: Quá hạn (2) · Sắp đến hạn (1) · Cơ quan chưa cập nhật (4)"
    )
    assert not at.dataframe and not at.get("download_button")
    at.session_state["overview_lists_open"] = True  # what the expander's on_change remembers
    at.run()
    assert [t.label for t in at.tabs][-3:] == [
        "Quá hạn (2)",
        "Sắp đến hạn (1)",  # a count like the others (issue 16.6)
        "Cơ quan chưa cập nhật (4)",
    ]
    overdue = at.dataframe[0].value
    assert list(overdue["id"]) == ["NV-0005", "NV-0001"] and list(overdue["age_band"]) == [
        "> 120 ngày",
        "> 30 ngày",
    ]
    # only the open list is drawn: the others wait until their tab is opened
    assert len(at.dataframe) == 1 and [b.label for b in at.get("download_button")] == ["Tải CSV"]
    at.session_state["overview_list_tab"] = "due"  # what the tab's on_change remembers
    at.run()
    assert [list(d.value["id"]) for d in at.dataframe] == [["NV-0003"]]
    at.number_input(key="due_days").set_value(60).run()  # the box of the open tab
    assert [list(d.value["id"]) for d in at.dataframe] == [["NV-0003", "NV-0006"]]
    assert at.tabs[-2].label == "Sắp đến hạn (2)"  # a new label, the same tab still open
    at.session_state["overview_list_tab"] = "silent"
    at.run()
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value["agency_name"]) == 4
    at.session_state["overview_list_tab"] = "due"
    at.run()  # the box kept its value while another tab was open
    assert at.number_input(key="due_days").value == 60 and at.tabs[-2].label == "Sắp đến hạn (2)"


def test_filters_come_from_the_url_and_bad_values_are_ignored(tmp_path):
    at = app(tmp_path, {"category": "qua-han", "group": "Sở, ban, ngành"})
    assert not at.exception
    assert metrics(at)["Tổng số nhiệm vụ"] == "2"
    assert at.multiselect(key="f_category").value == [OVERDUE]
    assert "Đang xem 2 / 6 nhiệm vụ" in texts(at)
    at = app(
        tmp_path / "x",
        {
            "category": "khong-co",
            "agency": "NOPE",
            "from": "31/02/2025",
            "directive": "VB-9999",
            "original": "tuỳ",
        },
    )
    assert not at.exception and not at.error
    assert metrics(at)["Tổng số nhiệm vụ"] == "6"
    assert query(at) == {}  # cleaned up


def test_widgets_write_the_filters_to_the_url(tmp_path):
    at = app(tmp_path)
    at.multiselect(key="f_category").select(OVERDUE).run()
    at.date_input(key="f_from").set_value(days(-200)).run()
    assert query(at) == {"category": "qua-han", "from": days(-200).isoformat()}
    assert metrics(at)["Tổng số nhiệm vụ"] == "2"
    next(b for b in at.button if b.label == "Xoá bộ lọc").click().run()
    assert query(at) == {} and metrics(at)["Tổng số nhiệm vụ"] == "6"


@pytest.mark.parametrize(
    "words, found",
    [("so noi vu", "3"), ("SỞ NỘI VỤ", "3"), ("đài", "1"), ("dai", "1"), ("ĐÀI PT-TH", "1")],
)
def test_search_ignores_case_and_diacritics(tmp_path, words, found):
    at = app(tmp_path)
    at.text_input(key="f_q").input(words).run()
    assert not at.exception
    assert metrics(at)["Tổng số nhiệm vụ"] == found  # Sở Nội vụ: 1, 2 and partner of 3
    assert query(at) == {"q": words}


def test_search_that_matches_nothing(tmp_path):
    at = app(tmp_path, {"q": "không có gì như thế"})
    assert not at.exception
    assert "Không có nhiệm vụ nào khớp với bộ lọc" in texts(at)
    assert not at.metric and not charts(at) and not at.dataframe
    next(b for b in at.button if b.label == "Xoá bộ lọc và từ khoá").click().run()
    assert metrics(at)["Tổng số nhiệm vụ"] == "6" and query(at) == {}


def test_succession_toggle(tmp_path):
    at = app(tmp_path)
    options = at.multiselect(key="f_agency").options
    assert "Sở Thông tin và Truyền thông" not in options and "Sở Khoa học và Công nghệ" in options
    assert "Sở TT&TT" not in bar_labels(charts(at)[0])
    at.multiselect(key="f_agency").select("SKHCN").run()
    assert metrics(at)["Tổng số nhiệm vụ"] == "2"  # its own task and the merged agency's
    at.toggle(key="f_original").set_value(True).run()
    assert not at.exception
    assert "Sở Thông tin và Truyền thông" in at.multiselect(key="f_agency").options
    assert metrics(at)["Tổng số nhiệm vụ"] == "1"
    assert query(at) == {"agency": "SKHCN", "original": "1"}
    at.multiselect(key="f_agency").set_value([]).run()
    assert "Sở TT&TT" in bar_labels(charts(at)[0])


def test_a_merged_agency_in_the_url_rolls_up(tmp_path):
    at = app(tmp_path, {"agency": "STTTT"})
    assert at.multiselect(key="f_agency").value == ["SKHCN"]
    assert metrics(at)["Tổng số nhiệm vụ"] == "2"


def test_drill_down_through_the_select_box(tmp_path):
    at = app(tmp_path)
    drill = at.selectbox(key="drill")
    assert drill.value is None and drill.options[:2] == ["Sở Khoa học và Công nghệ", "Sở Nội vụ"]
    drill.select("SNV").run()
    assert not at.exception
    assert at.title[0].value == "Sở Nội vụ" and query(at) == {"agency": "SNV"}
    m = metrics(at)
    assert (m["Được giao chủ trì"], m["Đã hoàn thành"], m["Quá hạn"]) == ("2", "1", "1")
    assert m["Tỷ lệ hoàn thành"] == "50%"
    own, partner = at.dataframe[0].value, at.dataframe[1].value
    assert list(own["id"]) == ["NV-0001", "NV-0002"]
    assert [list(b) for b in own["badges"]] == [[OVERDUE], ["Hoàn thành đúng hạn"]]
    assert list(partner["id"]) == ["NV-0003"]
    assert [list(b) for b in partner["badges"]] == [["Đang thực hiện trong hạn", "Sắp đến hạn"]]
    at.switch_page("views/overview.py").run()  # Back: Tổng quan as it was, no jump again
    assert not at.exception and at.selectbox(key="drill").value is None
    assert "Tổng số nhiệm vụ" in metrics(at) and query(at) == {}


def test_agency_page_from_the_url_and_the_select_box(tmp_path):
    make_store(tmp_path / "app.db")
    at = app(tmp_path)
    at.switch_page("views/agency.py")
    at.query_params["agency"] = "STTTT"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Sở Khoa học và Công nghệ"
    assert "đã sáp nhập vào Sở Khoa học và Công nghệ" in texts(at)
    assert metrics(at)["Được giao chủ trì"] == "2"
    at.toggle(key="a_original").set_value(True).run()  # the same agency, its own tasks only
    assert at.title[0].value == "Sở Khoa học và Công nghệ"
    assert metrics(at)["Được giao chủ trì"] == "1"
    assert query(at) == {"agency": "SKHCN", "original": "1"}
    at.selectbox(key="a_agency").select("STTTT").run()
    assert at.title[0].value == "Sở Thông tin và Truyền thông"
    assert metrics(at)["Được giao chủ trì"] == "1"
    at.selectbox(key="a_agency").select("CAT").run()
    assert at.title[0].value == "Công an tỉnh" and at.query_params["agency"] == "CAT"


def test_agency_page_defaults_to_the_users_own_agency(tmp_path):
    at = app(tmp_path, role=ROLE_AGENCY, agency="DPTTH")
    at.switch_page("views/agency.py").run()
    assert not at.exception and at.title[0].value == "Đài Phát thanh và Truyền hình tỉnh"
    at = app(tmp_path / "x", {"agency": "<script>"})
    at.switch_page("views/agency.py").run()
    assert not at.exception and at.title[0].value == "Sở Khoa học và Công nghệ"  # worst first
    assert "<script>" not in texts(at)


def test_seed_directive_everything_is_ongoing(tmp_path):
    SQLiteStore(str(tmp_path / "app.db"), seed=seed_records)
    at = app(tmp_path)
    assert not at.exception
    m = metrics(at)
    assert (m["Tổng số nhiệm vụ"], m[ONGOING], m[OVERDUE]) == ("29", "29", "0")
    assert m["Tỷ lệ đúng hạn"] == "-"  # services.domain.text: one formatter, one dash
    assert "Tất cả nhiệm vụ đang xem là nhiệm vụ thường xuyên" in texts(at)
    at.session_state["overview_chart_tab"] = "weekly"
    at.session_state["overview_lists_open"] = True
    at.run()
    assert "Chưa có nhiệm vụ nào hoàn thành trong 26 tuần qua" in texts(at)
    assert "Không có nhiệm vụ quá hạn" in texts(at)
    assert len(charts(at)) == 1  # the agency chart; no empty trend chart


def test_no_tasks_at_all(tmp_path):
    make_store(tmp_path / "app.db", directives=(), tasks=())
    at = app(tmp_path)
    assert not at.exception
    assert "Chưa có nhiệm vụ nào" in texts(at)
    assert not at.metric and not charts(at)
    at.switch_page("views/agency.py").run()
    assert not at.exception and metrics(at)["Được giao chủ trì"] == "0"
    assert "Cơ quan chưa được giao chủ trì nhiệm vụ nào" in texts(at)


def test_no_agencies_at_all(tmp_path):
    make_store(tmp_path / "app.db", directives=(), agencies=(), tasks=())
    at = app(tmp_path)
    at.switch_page("views/agency.py").run()
    assert not at.exception and at.title[0].value == "Cơ quan"
    assert "Chưa có cơ quan nào" in texts(at)


def test_one_agency(tmp_path):
    make_store(tmp_path / "app.db", agencies=AGENCIES[:1], tasks=TASKS[:2])
    at = app(tmp_path)
    assert not at.exception
    assert bar_labels(charts(at)[0]) == ["Sở Nội vụ"]
    assert not [t for t in at.toggle if t.key == "all_agencies"]
    assert metrics(at)["Tổng số nhiệm vụ"] == "2"


def test_show_all_directives_is_kept_while_another_chart_tab_is_open(tmp_path):
    directives = tuple(
        Directive(f"VB-{n:04d}", f"{n}/KH-UBND", (TODAY - timedelta(days=100)).isoformat())
        for n in range(1, 18)  # more than the 15 shown before "Hiện tất cả"
    )
    tasks = tuple(
        Task(id=f"NV-{n:04d}", directive_id=d.id, section="1", content="Việc", lead="SNV")
        for n, d in enumerate(directives, 1)
    )
    make_store(tmp_path / "app.db", directives=directives, tasks=tasks)
    at = app(tmp_path)
    bars = lambda: len(bar_labels(charts(at)[1]))  # the directive chart, the open tab
    assert bars() == 15
    at.toggle(key="all_directives").set_value(True).run()
    assert bars() == 17
    at.session_state["overview_chart_tab"] = "share"  # another tab: the toggle is not drawn
    at.run()
    assert not [t for t in at.toggle if t.key == "all_directives"]
    at.session_state["overview_chart_tab"] = "directives"
    at.run()
    assert bars() == 17 and at.toggle(key="all_directives").value
