"""Tổng quan in a real Chromium, on 2,000 synthetic tasks: the KPI cards and the Vega-Lite charts
render without an exception, at 1400 px and on a 390 px phone (full-height screenshots in /tmp),
and clicking an agency's bar opens the Cơ quan page for that agency (what AppTest cannot click)."""

import re

import pytest

from tests.e2e_support import browser_page, settle, streamlit_server  # noqa: F401

pytestmark = pytest.mark.browser


def screenshot(page, path: str) -> None:
    """The whole page: Streamlit scrolls an inner container, so grow the viewport to it."""
    width = page.viewport_size["width"]
    height = page.evaluate(
        "document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight"
    )
    page.set_viewport_size({"width": width, "height": min(height + 80, 12000)})
    settle(page)
    page.screenshot(path=path)


def test_overview_renders_and_a_bar_opens_its_agency(streamlit_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(streamlit_server.url + "/")
    metrics = page.get_by_test_id("stMetric")
    expect(metrics).to_have_count(13)  # 9 KPI cards, then 4 of the reporting periods
    expect(metrics.first).to_contain_text("Tổng số nhiệm vụ")
    expect(metrics.first).to_contain_text("2.000")
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(2)  # the agency chart and the open tab's; the others on demand
    expect(charts.first.locator("g.mark-rect path").first).to_be_visible()  # bars drawn
    bar = charts.first.locator("g.mark-rect path").first.bounding_box()
    assert bar and bar["height"] >= 15, bar  # a readable bar, not squeezed by the legend
    settle(page)  # the run finished: what is absent now stays absent
    assert page.get_by_test_id("stDataFrame").count() == 0  # the tables wait, collapsed
    page.get_by_role("tab", name="Cơ cấu theo phân loại").click()
    expect(charts.nth(1).locator("g.mark-arc path").first).to_be_visible()  # the donut
    texts = charts.nth(1).locator("g.mark-text text").all_text_contents()
    slices = charts.nth(1).locator("g.mark-arc path").count()
    shares = texts[:slices]  # one on each slice, as format_rate; blank on a sliver (< 4 %)
    assert all(re.fullmatch(r"\d{1,3}(,\d)?%", t) for t in shares if t), shares  # 22,5%
    assert len([t for t in shares if t]) >= slices - 2, texts
    assert "2.000nhiệm vụ" in texts  # the total in the middle, on two lines
    expect(charts).to_have_count(2)
    page.get_by_text("Danh sách: Quá hạn").click()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)  # the open list only
    expect(page.get_by_role("tab", name="Quá hạn")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("Dữ liệu lúc").first).to_be_visible()
    settle(page)
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "/tmp/dashboard_1400.png")

    page.set_viewport_size({"width": 390, "height": 844})
    settle(page)
    expect(charts.first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    screenshot(page, "/tmp/dashboard_390.png")

    page.set_viewport_size({"width": 1400, "height": 900})
    bar = charts.first.locator("g.mark-rect path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # where it is
    page.wait_for_url("**/agency?agency=*")
    expect(page.get_by_test_id("stMetric").first).to_contain_text("Được giao chủ trì")
    settle(page)
    assert page.get_by_test_id("stException").count() == 0
    code = page.url.split("agency=")[1].split("&")[0]
    assert code and page.get_by_role("heading", level=1).count() == 1
    screenshot(page, "/tmp/dashboard_agency_1400.png")

    # the browser's Back: Tổng quan as it was (all agencies), not a jump back to the agency
    page.go_back()
    page.wait_for_url(lambda url: "/agency" not in url)
    expect(page.get_by_test_id("stMetric").first).to_contain_text("2.000")
    settle(page)
    assert "/agency" not in page.url and "agency=" not in page.url
    expect(page.get_by_test_id("stMetric").first).to_contain_text("Tổng số nhiệm vụ")


def test_on_a_phone_the_menu_closes_after_choosing_a_page(streamlit_server, browser_page):
    """A phone (touch, mobile browser): the menu opened over the page closes when a page is
    chosen, so the chosen page is what the user sees."""
    from playwright.sync_api import expect

    phone = {  # Playwright's "Pixel 7" descriptor
        "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "viewport": {"width": 412, "height": 839},
        "screen": {"width": 412, "height": 915},
        "device_scale_factor": 2.625,
        "is_mobile": True,
        "has_touch": True,
    }
    context = browser_page.context.browser.new_context(**phone, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(streamlit_server.url + "/")
        expect(page.get_by_test_id("stMetric").first).to_contain_text("Tổng số nhiệm vụ")
        settle(page)
        page.get_by_test_id("stExpandSidebarButton").click()
        nav = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Cơ quan")
        expect(nav).to_be_in_viewport()
        nav.click()
        expect(page.get_by_test_id("stMetric").first).to_contain_text("Được giao chủ trì")
        settle(page)
        expect(nav).not_to_be_in_viewport()  # the menu slid away
        expect(page.get_by_test_id("stMetric").first).to_be_in_viewport()
    finally:
        context.close()
