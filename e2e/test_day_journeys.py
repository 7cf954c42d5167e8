"""Journeys of a clerk's and a visitor's day that issue 17 added: a ticket taken from a guide, the
visitor checking an intake on their window's screen (分屏), a case marked 特事特办 and a citizen's
全程代办 with recorded consent."""
import json
import urllib.request

from playwright.sync_api import expect

from conftest import ADMIN_PASSWORD, BASE, shot, sign_in
from test_queue import api, open_hall_today

FOOD = "DL010200-SCJG-002-01-1"  # 食品经营许可证核发（新办）
PERSON_ID = "11010519491231002X"


def window_id(token, county, number):
    return next(w for w in api("GET", f"/api/v1/windows?centerID={county}", token=token) if w["number"] == number)["id"]


def test_ticket_taken_from_a_guide_lists_its_materials(browser):
    open_hall_today()
    visitor = browser.new_context(viewport={"width": 390, "height": 860}, locale="zh-CN").new_page()
    visitor.goto(BASE + f"/guide/{FOOD}?center=DL010200")
    visitor.click("#take-link")
    assert "item=" + FOOD in visitor.url
    expect(visitor.locator("#take-for")).to_contain_text("食品经营许可证核发")
    assert "recommended" in visitor.get_attribute("#take-B", "class")
    visitor.click("#take-B")
    visitor.wait_for_url("**/t/**")
    expect(visitor.locator(".ticket-materials")).to_contain_text("营业执照")
    shot(visitor, "ticket-for-item")
    visitor.context.close()


def test_visitor_checks_the_intake_on_the_window_screen(browser):
    token, county = open_hall_today()
    try:
        api("POST", "/api/v1/users", {"username": "e2e_mirror", "displayName": "分屏窗口员", "password": "Mirror-Pass-2026",
                                      "role": "window_staff", "centerID": county}, token)
    except Exception:
        pass  # a second run on the same database
    clerk_token = api("POST", "/api/v1/auth/login", {"username": "e2e_mirror", "password": "Mirror-Pass-2026"})["token"]
    w = window_id(token, county, 3)
    api("POST", f"/api/v1/windows/{w}/sign-in", None, clerk_token)
    device = api("POST", "/api/v1/devices", {"label": "e2e 分屏", "role": "window_evaluator", "centerID": county, "windowID": w}, token)["token"]
    screen = browser.new_context(viewport={"width": 1024, "height": 700}, locale="zh-CN").new_page()
    screen.goto(BASE + f"/evaluator/{w}#token={device}")
    clerk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    try:
        sign_in(clerk, "e2e_mirror", "Mirror-Pass-2026")
        clerk.goto(BASE + f"/cases/new?item={FOOD}&center=DL010200")
        clerk.fill("#a-name", "王小明")
        clerk.fill("#a-id", "110105194912310003")
        clerk.fill("#a-phone", "13800138002")
        expect(clerk.locator("#mirror-status")).to_contain_text("等待群众核对", timeout=10000)
        expect(screen.locator("#ev-check")).to_be_visible(timeout=10000)
        expect(screen.locator("#mc-name")).to_have_text("王小明")
        expect(screen.locator("#mc-phone")).to_have_text("13800138002")
        shot(screen, "mirror-visitor-screen")
        screen.click("#mc-yes")
        expect(clerk.locator("#mirror-status")).to_contain_text("群众已确认", timeout=10000)
        shot(clerk, "mirror-clerk-confirmed")
    finally:
        api("POST", f"/api/v1/windows/{w}/sign-out", None, clerk_token)
        screen.context.close()
        clerk.context.close()


def test_special_case_and_a_citizens_agency(page):
    token = api("POST", "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})["token"]
    materials = [{"status": "provided"}] * 5 + [{"status": "not_applicable"}]
    case = api("POST", "/api/v1/cases", {"center": "DL010200", "item": FOOD, "materials": materials, "accept": True,
                                         "applicant": {"kind": "person", "name": "张三", "idNumber": PERSON_ID, "phone": "13800138000"}}, token)
    sign_in(page)
    page.goto(BASE + f"/cases/{case['id']}")
    page.click(".special-form summary")
    page.select_option("#sp-kind", "elderly")
    page.fill("#sp-reason", "八十五岁独居老人")
    page.click(".special-form button[type=submit]")
    expect(page.locator(".page-head .tag.special")).to_contain_text("老年人")
    page.goto(BASE + "/cases?mine=true")
    expect(page.locator("tbody tr").first).to_contain_text("特事特办")
    shot(page, "special-mine")

    page.goto(BASE + "/projects")
    page.click("details.move summary")
    page.check("input[name=kind][value=citizen]")
    page.fill("#p-name", "张三养老待遇代办 " + case["number"])
    page.fill("#p-app", PERSON_ID)
    page.select_option("#p-cm", "witnessed")
    page.fill("#p-cn", "见证人：王芳、刘强")
    page.click("form[action='/projects'] button[type=submit]")
    page.wait_for_url("**/projects/**")
    expect(page.locator(".facts")).to_contain_text("群众个人代办")
    page.fill("#pc-number", case["number"])
    page.click("form[action$='/cases'] button[type=submit]")
    expect(page.locator("table")).to_contain_text(case["number"])
    page.click("text=打印委托书")
    expect(page.locator("h1")).to_have_text("全程代办委托书")
    assert "张三" in page.inner_text("main") and PERSON_ID not in page.inner_text("main")
    shot(page, "agency-consent")
