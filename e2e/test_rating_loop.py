"""好差评, the rest of the loop (issue 19) in Chromium: a hotline operator records a caller's bad
rating of a visit from the phone-rating page (a wrong number is refused with the form kept); the
department's chief representative finds it on the worklist with whom to call back, and the
managers' figures by department show it. Looked at on a phone (375 px), in 长辈模式 and in English."""
import datetime

from conftest import shot, skip_two_factor
from test_bad_ratings import sign_in as sign_in_only
from test_hall_processes import Server, free_port, need, open_hall


def sign_in(page, base, username, password):
    sign_in_only(page, base, username, password)
    skip_two_factor(page)


def test_a_phone_rating_reaches_the_department(browser, tmp_path):
    need()
    srv = Server("rating-loop", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token, county = open_hall(srv)
        depts = srv.api("GET", f"/api/v1/departments?centerID={county}", token=token)
        scjg = next(d for d in depts if d["code"] == "SCJG")["id"]
        for name, role, dept in (("chief_scjg", "chief_representative", scjg), ("clerk_w4", "window_staff", None),
                                 ("rexian", "hotline_operator", None)):
            body = {"username": name, "displayName": name, "password": "Rating-Pass-2026", "role": role, "centerID": county}
            if dept:
                body["departmentID"] = dept
            srv.api("POST", "/api/v1/users", body, token)
        window = next(w for w in srv.api("GET", f"/api/v1/windows?centerID={county}", token=token) if w["number"] == 4)["id"]
        clerk = srv.api("POST", "/api/v1/auth/login", {"username": "clerk_w4", "password": "Rating-Pass-2026"})["token"]
        srv.api("POST", f"/api/v1/windows/{window}/sign-in", token=clerk)
        ticket = srv.api("POST", "/api/v1/tickets", {"center": "DL010200", "group": "B"})
        assert srv.api("POST", f"/api/v1/windows/{window}/call-next", token=clerk)["ticket"]["id"] == ticket["id"]
        for action in ("start", "finish"):
            srv.api("POST", f"/api/v1/tickets/{ticket['id']}/{action}", {"window": window}, clerk)

        # The operator: one click from the menu to the form, which keeps what was typed on a mistake.
        page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, srv.base, "rexian", "Rating-Pass-2026")
        page.click("nav.main-nav >> text=热线评价")
        page.wait_for_load_state()
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
        assert page.input_value("#h-day") == today
        page.fill("#h-ticket", ticket["number"])
        page.fill("#h-name", "李四")
        page.fill("#h-phone", "12")
        page.check("input[name=level][value='1']")
        page.check("input[name='tags[]'][value=attitude]")
        page.fill("#h-text", "窗口工作人员态度生硬")
        with page.expect_navigation():
            page.click("#hotline-submit")
        assert page.locator("#errors").is_visible() and page.input_value("#h-name") == "李四"
        shot(page, "hotline-rating-error")
        page.fill("#h-phone", "13912345678")
        page.check("input[name=level][value='1']")
        if not page.is_checked("input[name='tags[]'][value=attitude]"):
            page.check("input[name='tags[]'][value=attitude]")
        with page.expect_navigation():
            page.click("#hotline-submit")
        assert "已派给责任部门" in page.locator(".flash").first.inner_text(), page.content()[:800]
        assert page.input_value("#h-name") == ""
        shot(page, "hotline-rating")
        page.set_viewport_size({"width": 375, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, "hotline-rating-375")
        page.goto(srv.base + "/elder/on?back=%2Fratings%2Fhotline")
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, "hotline-rating-elder-375")
        page.context.close()

        # The chief representative: the bad rating, whom to call back, and the figures by window.
        chief = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(chief, srv.base, "chief_scjg", "Rating-Pass-2026")
        chief.click("nav.main-nav >> text=差评整改")
        chief.wait_for_load_state()
        item = chief.locator("article.rating-item").first
        assert "李四 13912345678" in item.inner_text() and "rexian" in item.inner_text()
        shot(chief, "bad-ratings-hotline")
        with chief.expect_navigation():
            chief.click("#figures-link")
        assert "市场监督管理局" in chief.inner_text("#figures-table"), chief.content()[:1500]
        assert "待回访：1" in chief.inner_text("#owed")
        shot(chief, "rating-figures")
        with chief.expect_navigation():
            chief.click("#lang-switch")
        assert "Rating figures" in chief.inner_text("h1")
        shot(chief, "rating-figures-en")
        chief.set_viewport_size({"width": 375, "height": 800})
        assert chief.evaluate("document.documentElement.scrollWidth") <= 375
        shot(chief, "rating-figures-375")
        chief.context.close()
    finally:
        srv.stop()
