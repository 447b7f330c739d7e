"""Demo mode in a real Chromium, the whole follow-up loop: an agency officer reports a task done,
the office returns it with a reason, the agency sees the reason and reports again, the office
confirms, and the leaders' Tổng quan counts it (only then)."""

import re

import pytest

from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from tests.e2e_support import browser_page, serve_app, settle, store_secrets  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded_app(tmp_path):
    db = tmp_path / "app.db"
    SQLiteStore(str(db), seed=seed_records)
    with serve_app(tmp_path, store_secrets(db)) as server:
        yield server.url, db


def choose(page, label, option):
    """Pick `option` (text, or a compiled pattern) in the select box labelled `label`."""
    wanted = page.get_by_role("option", name=option, exact=isinstance(option, str))
    for _ in range(3):  # a rerun still in flight may close the list just opened: open it again
        page.get_by_label(label, exact=True).click()
        try:
            wanted.wait_for(timeout=5000)
            break
        except Exception:
            settle(page)
    wanted.click()
    settle(page)


def test_the_follow_up_loop_in_a_browser(seeded_app, browser_page):
    from playwright.sync_api import expect

    url, db = seeded_app
    page = browser_page
    page.goto(url + "/")
    expect(page.get_by_text("Chế độ thử nghiệm")).to_be_visible()
    done_card = page.get_by_test_id("stMetric").filter(has_text="Hoàn thành đúng hạn")
    expect(done_card).to_contain_text("0")

    choose(page, "Vai trò", "Cơ quan")
    choose(page, "Cơ quan", "Sở Nội vụ")
    page.get_by_role("link", name="Nhiệm vụ của tôi").click()
    expect(page.get_by_role("heading", name="Nhiệm vụ của Sở Nội vụ")).to_be_visible()
    settle(page)
    choose(page, "Chọn nhiệm vụ để cập nhật", re.compile(r"^NV-0024 · "))
    choose(page, "Trạng thái", "Hoàn thành")
    page.get_by_role("spinbutton", name="Tiến độ (%)").fill("100")  # done means 100, typed
    page.get_by_role("textbox", name="Kết quả thực hiện").fill(
        "Đã phát động phong trào thi đua (KH 15/KH-SNV)"
    )
    page.get_by_role("textbox", name="Minh chứng").fill("15/KH-SNV")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu NV-0024.")).to_be_visible()
    settle(page)
    assert page.get_by_test_id("stException").count() == 0
    page.screenshot(path="/tmp/update_saved.png", full_page=True)

    task = SQLiteStore(str(db)).load().task("NV-0024")
    assert (task.status, task.progress, task.evidence) == ("Chờ xác nhận", 100, "15/KH-SNV")

    def office_queue():
        choose(page, "Vai trò", "Quản trị")
        page.get_by_role("link", name="Chờ xử lý").click()
        expect(page.get_by_role("heading", name="Chờ xử lý")).to_be_visible()
        settle(page)

    office_queue()
    page.get_by_role("textbox", name="Lý do trả lại").fill("Thiếu minh chứng kèm theo")
    page.get_by_role("button", name="Trả lại", exact=True).click()
    expect(page.get_by_text("Đã trả lại NV-0024.")).to_be_visible()
    page.screenshot(path="/tmp/cycle_queue.png", full_page=True)

    choose(page, "Vai trò", "Cơ quan")
    page.get_by_role("link", name="Nhiệm vụ của tôi").click()
    expect(page.get_by_text("Thiếu minh chứng kèm theo").first).to_be_visible()
    choose(page, "Chọn nhiệm vụ để cập nhật", re.compile(r"^NV-0024 · "))
    choose(page, "Trạng thái", "Hoàn thành")
    page.get_by_label("Tiến độ (%)").fill("100")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu NV-0024.")).to_be_visible()

    office_queue()
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(page.get_by_text("Đã xác nhận hoàn thành NV-0024.")).to_be_visible()
    task = SQLiteStore(str(db)).load().task("NV-0024")
    assert (task.status, task.returns) == ("Hoàn thành", 1)

    choose(page, "Vai trò", "Cơ quan")  # the queue is not theirs: the page offers a way back
    page.get_by_role("link", name="Về trang Tổng quan").click()
    expect(page.get_by_role("heading", name="Chờ xử lý")).to_have_count(0)
    choose(page, "Vai trò", "Lãnh đạo")
    settle(page)
    done_card = page.get_by_test_id("stMetric").filter(has_text="Hoàn thành đúng hạn")
    expect(done_card).to_contain_text("1")
    assert page.get_by_test_id("stException").count() == 0
    page.screenshot(path="/tmp/update_overview.png", full_page=True)


def test_a_deep_link_on_a_fresh_server_opens_inside_the_app(seeded_app, browser_page):
    """The first request a freshly started server gets is a deep link (a reminder e-mail's link,
    Streamlit Cloud waking up): the page opens inside the app, with the menu's Vietnamese titles
    and the role picker, not as a bare file under raw file names."""
    from playwright.sync_api import expect

    url, _ = seeded_app
    page = browser_page
    page.goto(url + "/queue?thu-nghiem=admin")
    expect(page.get_by_role("heading", name="Chờ xử lý")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Chờ xử lý")).to_be_visible()
    expect(nav.get_by_role("link", name="queue")).to_have_count(0)
    expect(page.get_by_text("Chế độ thử nghiệm")).to_be_visible()
