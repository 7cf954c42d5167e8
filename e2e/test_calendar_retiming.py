"""The work calendar past the published years (issue 16): an administrator closes a day on the
county's calendar from the year page; the re-timing page follows the job to completion and lists
the open case whose promised date moved, old and new; the case page shows the new date and the
timeline says why. Also looked at: the banner asking for next year's arrangement (from November),
the year's status, at 375 px and in English."""
import datetime

from conftest import shot, skip_two_factor
from test_hall_processes import PASSWORD, Server, free_port, need


def sign_in(page, base, username, password):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    skip_two_factor(page)


def test_a_closure_day_re_times_open_cases(browser, tmp_path):
    need()
    server = Server("calendar-retiming", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token = server.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in server.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
        if not server.api("GET", f"/api/v1/centers/{county}/calendar/days/{today}")["isWorkingDay"]:
            server.api("PUT", f"/api/v1/centers/{county}/calendar/days/{today}", {"kind": "makeup_workday", "name": "测试"}, token)
        item = next(i for i in server.api("GET", "/api/v1/items?limit=1000", token=token) if i["name"] == "食品经营许可证核发")
        guide = server.api("GET", f"/api/v1/items/{item['id']}", token=token)["guide"]
        marks = [{"status": "provided" if m["need"] == "required" else "not_applicable"} for m in guide["materials"]]
        case = server.api("POST", "/api/v1/cases", {
            "center": county, "item": item["code"], "materials": marks, "accept": True,
            "applicant": {"kind": "person", "name": "赵六", "idNumber": "11010519491231002X", "phone": "13800138000"},
        }, token)
        before = case["clock"]["promisedDue"]
        # The second working day from today closes: the promised date moves one working day on.
        closure = server.api("GET", f"/api/v1/centers/{county}/calendar/add-working-days?start={today}&days=2")["result"]
        expected = server.api("GET", f"/api/v1/centers/{county}/calendar/add-working-days?start={before}&days=1")["result"]

        page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, server.base, "admin", PASSWORD)
        page.goto(server.base + f"/admin/calendar?center={county}&year={closure[:4]}")
        assert page.locator("#year-status").count() == 1
        if today[5:7] in ("11", "12"):
            assert "全国节假日安排尚未导入" in page.locator(".banner").inner_text()
        shot(page, "calendar-year-banner")
        page.click(f"td[data-date='{closure}'] a")
        page.select_option("select[name=kind]", "closure")
        page.fill("input[name=name]", "台风停办")
        with page.expect_navigation():
            page.click("main button.primary")
        assert "/admin/calendar/retimings/" in page.url
        # The page refreshes itself until the job is done.
        page.wait_for_selector("#retiming[data-status=done]", timeout=30000)
        row = page.locator("#retimed-cases tr", has_text=case["number"])
        assert row.count() == 1
        text = row.inner_text()
        assert before in text and expected in text, text
        assert "办件 1 件" in page.locator("#retiming").inner_text()
        shot(page, "calendar-retiming-done")
        page.set_viewport_size({"width": 375, "height": 800})
        shot(page, "calendar-retiming-375")
        page.set_viewport_size({"width": 1280, "height": 900})

        with page.expect_navigation():
            row.locator("a").click()
        assert expected in page.locator("dl.figures").inner_text()
        assert "因日历调整" in page.content()
        shot(page, "calendar-retimed-case")

        # In English, the year page names the year's status.
        page.goto(server.base + "/lang/en?back=%2Fadmin%2Fcalendar")
        status = page.locator("#year-status").inner_text()
        assert "confirmed" in status or "provisional" in status
        page.context.close()
    finally:
        server.stop()
