"""The seed app in a real Chromium: a leader opened fresh sees the period status (the seed's
monthly cycle: no agency has reported this period yet) on Tổng quan and on Cần chỉ đạo; an agency
reports, and the leader's numbers move."""

import pytest

from services.domain.model import today_local
from services.domain.periods import parse_cycle, period_of
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from tests.e2e_support import browser_page, serve_app, settle, store_secrets  # noqa: F401
from tests.test_browser_updates import choose

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded_app(tmp_path):
    db = tmp_path / "app.db"
    SQLiteStore(str(db), seed=seed_records)
    with serve_app(tmp_path, store_secrets(db)) as server:
        yield server.url, db


def test_a_leader_sees_who_has_not_reported_this_period(seeded_app, browser_page):
    from playwright.sync_api import expect

    url, db = seeded_app
    page = browser_page
    page.goto(url + "/")
    expect(page.get_by_text("Chế độ thử nghiệm")).to_be_visible()
    choose(page, "Vai trò", "Lãnh đạo")
    expect(page.get_by_role("heading", name="Báo cáo định kỳ")).to_be_visible()
    not_reported = page.get_by_test_id("stMetric").filter(has_text="Kỳ này: chưa báo cáo")
    expect(not_reported).to_contain_text("29")  # the seed, opened fresh: nobody reported yet
    # the tables per agency / directive wait, collapsed, below the fold: opened, they draw
    settle(page)  # the run finished: what is absent now stays absent
    assert page.get_by_role("tab", name="Theo cơ quan").count() == 0
    page.get_by_text("Chi tiết theo cơ quan, theo văn bản").click()
    expect(page.get_by_role("tab", name="Theo cơ quan")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    page.get_by_role("tab", name="Theo văn bản", exact=True).click()  # drawn when opened
    settle(page)
    by_directive = page.get_by_role("tab", name="Theo văn bản", exact=True)
    expect(by_directive).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)

    page.get_by_role("link", name="Cần chỉ đạo").click()
    expect(page.get_by_role("heading", name="Cần chỉ đạo")).to_be_visible()
    settle(page)
    period = period_of(parse_cycle("Hằng tháng, hạn ngày 25"), today_local())
    missing = page.get_by_test_id("stMetric").filter(has_text="Kỳ báo cáo chưa nộp")
    if today_local() > period.due:  # after the 25th this period is overdue for every agency
        expect(missing).to_contain_text("29")
        expect(page.get_by_text("Cơ quan chưa nộp báo cáo kỳ (18 cơ quan, 29 kỳ)")).to_be_visible()
    else:
        expect(missing).to_contain_text("0")
        expect(page.get_by_text("Mọi kỳ báo cáo đã đến hạn đều đã có báo cáo.")).to_be_visible()

    # an agency reports this period; the leader's Tổng quan counts one fewer not reported
    choose(page, "Vai trò", "Cơ quan")
    choose(page, "Cơ quan", "Sở Nội vụ")
    page.get_by_role("link", name="Nhiệm vụ của tôi").click()
    expect(page.get_by_role("heading", name="Nhiệm vụ của Sở Nội vụ")).to_be_visible()
    settle(page)
    page.get_by_text("Báo cáo định kỳ").first.click()
    settle(page)
    page.get_by_role("textbox", name="Nội dung báo cáo kỳ này").fill("Đã đăng 12 tin bài")
    page.get_by_role("button", name="Gửi báo cáo kỳ").click()
    settle(page)
    expect(page.get_by_text("Báo cáo gần nhất").first).to_be_visible()
    (report,) = SQLiteStore(str(db)).load().period_reports
    assert report.period == period.key and report.content == "Đã đăng 12 tin bài"
    choose(page, "Vai trò", "Lãnh đạo")
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Tổng quan").click()
    settle(page)
    not_reported = page.get_by_test_id("stMetric").filter(has_text="Kỳ này: chưa báo cáo")
    expect(not_reported).to_contain_text("28")
