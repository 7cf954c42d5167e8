"""The indicators (issue 21) in Chromium: two cases accepted today, one decided at once; the same
database opened ten days later (ONESTOP_CLOCK_OFFSET_DAYS), where the other is decided late. A
supervisor opens 指标分析 from the menu, asks for the ten days, reads 按时办结率 50.0% with its
formula and 1 / 2, follows the figure to the late case by keyboard and exports it; the page is
looked at on a phone, at 200 %, in 长辈模式 and in English."""
import datetime
import urllib.parse

from conftest import shot
from test_hall_processes import PASSWORD, Server, free_port, need
from test_supervision_process import ShiftedServer, sign_in


def test_a_supervisor_reads_the_on_time_rate_and_drills_into_the_late_case(browser, tmp_path):
    need()
    db = f"sqlite://{tmp_path}/db.sqlite"
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    later_day = today + datetime.timedelta(days=10)
    now = Server("indicators-now", free_port(), db).start()
    try:
        token = now.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in now.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        scjg = next(d for d in now.api("GET", f"/api/v1/departments?centerID={county}", token=token) if d["code"] == "SCJG")["id"]
        for name, role, dept in [("jiancha", "supervisor", None), ("chief_scjg", "chief_representative", scjg),
                                 ("clerk_scjg", "window_staff", scjg)]:
            body = {"username": name, "displayName": name, "password": "Indic-Pass-2026", "role": role, "centerID": county}
            if dept:
                body["departmentID"] = dept
            now.api("POST", "/api/v1/users", body, token)
        clerk = now.api("POST", "/api/v1/auth/login", {"username": "clerk_scjg", "password": "Indic-Pass-2026"})["token"]
        chief = now.api("POST", "/api/v1/auth/login", {"username": "chief_scjg", "password": "Indic-Pass-2026"})["token"]
        item = next(i for i in now.api("GET", "/api/v1/items?limit=1000", token=token) if i["name"] == "食品经营许可证核发")
        guide = now.api("GET", f"/api/v1/items/{item['id']}", token=token)["guide"]
        marks = [{"status": "provided" if m["need"] == "required" else "not_applicable"} for m in guide["materials"]]
        cases = []
        for name in ["王五", "赵六"]:
            c = now.api("POST", "/api/v1/cases", {
                "center": county, "item": item["code"], "materials": marks, "accept": True,
                "applicant": {"kind": "person", "name": name, "idNumber": "11010519491231002X", "phone": "13800138000"},
            }, clerk)
            now.api("POST", f"/api/v1/cases/{c['id']}/review", {}, clerk)
            cases.append(c)
        now.api("POST", f"/api/v1/cases/{cases[0]['id']}/decide", {"outcome": "approved"}, chief)
    finally:
        now.stop()

    later = ShiftedServer("indicators-later", free_port(), db, 10).start()
    try:
        chief = later.api("POST", "/api/v1/auth/login", {"username": "chief_scjg", "password": "Indic-Pass-2026"})["token"]
        later.api("POST", f"/api/v1/cases/{cases[1]['id']}/decide", {"outcome": "approved"}, chief)

        page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, later.base, "jiancha", "Indic-Pass-2026")
        page.click("nav.main-nav >> text=指标分析")
        page.wait_for_load_state()
        assert page.locator("#figure-on_time").count() == 1, "the month's table opens from the menu"
        page.select_option("#i-kind", "range")
        page.fill("#i-from", today.isoformat())
        page.fill("#i-to", later_day.isoformat())
        with page.expect_navigation():
            page.click("#indicator-filters button[type=submit]")
        row = page.locator("#figure-on_time")
        text = row.inner_text()
        assert "50.0%" in text and "1 / 2" in text and "按承诺期限办结的承诺件数" in text, text
        assert "100.0%" not in page.locator("#figure-on_site").inner_text()
        assert page.locator("#indicator-departments tbody tr").count() == 1
        assert "暂无数据" in page.locator("#figure-item_residency").inner_text(), "a figure without its records says so"
        shot(page, "indicators-table")

        # By keyboard: to the late cases' link, Enter.
        link = row.locator("a.records-link")
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert cases[1]["number"] in page.locator("#indicator-records").inner_text()
        assert page.locator("#indicator-records tbody tr").count() == 1
        assert "共 1 条" in page.locator("#records-heading").inner_text()
        href = page.locator("#records-csv").get_attribute("href")
        assert "format=csv" in href
        shot(page, "indicators-late-cases")

        # A phone, 200 %, 长辈模式, English.
        query = urllib.parse.urlencode({"kind": "range", "from": today.isoformat(), "to": later_day.isoformat()})
        phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
        sign_in(phone, later.base, "jiancha", "Indic-Pass-2026")
        phone.goto(later.base + "/indicators?" + query)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1, "no sideways scroll of the page"
        shot(phone, "indicators-375")
        phone.evaluate("document.body.style.zoom = '200%'")
        shot(phone, "indicators-200")
        phone.evaluate("document.body.style.zoom = '100%'")
        phone.click("#elder-switch")
        phone.wait_for_load_state()
        shot(phone, "indicators-elder")
        phone.goto(later.base + "/lang/en?back=" + urllib.parse.quote("/indicators?" + query))
        assert "Closed on time" in phone.locator("#figure-on_time").inner_text()
        shot(phone, "indicators-en")
        phone.context.close()
        page.context.close()
    finally:
        later.stop()


def test_an_administrator_runs_a_monthly_assessment_to_a_signed_report_and_prints_it(browser, tmp_path):
    """The township template from the example, a run over the county's departments for last month,
    every hand criterion scored through the page by a supervisor, the review and the sign-off by
    the administrator; the report is printed (A4) and exported as a workbook that opens."""
    import zipfile

    need()
    srv = Server("assessment", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token = srv.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in srv.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        srv.api("POST", "/api/v1/users", {"username": "jiancha", "displayName": "监察员", "password": "Indic-Pass-2026",
                                          "role": "supervisor", "centerID": county}, token)
        admin = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(admin, srv.base, "admin", PASSWORD)
        admin.goto(srv.base + f"/assessments?center={county}")
        admin.click("#new-template summary")
        admin.fill("#t-name", "乡镇便民服务中心月度考核")
        admin.check("#t-example")
        with admin.expect_navigation():
            admin.click("#template-submit")
        assert "85" in admin.locator("#assessment-templates").inner_text()
        admin.select_option("#s-subjects", "department")
        with admin.expect_navigation():
            admin.click("#start-submit")
        assert "评分中" in admin.locator("#assessment-state").inner_text()
        report_url = admin.url
        subjects = admin.locator("#sc-subject option").evaluate_all("os => os.map(o => o.value)")
        criteria = admin.locator("#sc-criterion option").evaluate_all("os => os.map(o => o.value)")
        assert len(criteria) == 7, criteria

        # A supervisor scores by hand; a wrong number is named and changes nothing.
        sup = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(sup, srv.base, "jiancha", "Indic-Pass-2026")
        sup.goto(report_url)
        sup.select_option("#sc-subject", subjects[0])
        sup.select_option("#sc-criterion", criteria[0])
        sup.fill("#sc-points", "abc")
        sup.fill("#sc-reason", "现场检查")
        sup.fill("#sc-evidence", "检查记录")
        with sup.expect_navigation():
            sup.click("#score-submit")
        assert "分值" in sup.locator("#error-summary").inner_text()
        # 第三方评估: one unknown unit and nothing is imported; then the whole sheet.
        names = sup.locator("#sc-subject option").evaluate_all("os => os.map(o => o.textContent)")
        sup.select_option("#im-criterion", criteria[0])
        sup.fill("#im-source", "某大学第三方评估中心")
        sup.fill("#im-csv", "单位,得分\n" + "\n".join(f"{n},4" for n in names) + "\n不存在的单位,1")
        with sup.expect_navigation():
            sup.click("#import-submit")
        assert "没有该对象" in sup.locator("#error-summary").inner_text()
        assert "某大学第三方评估中心" not in sup.locator("#assessment-report").inner_text()
        sup.select_option("#im-criterion", criteria[0])
        sup.fill("#im-source", "某大学第三方评估中心")
        sup.fill("#im-csv", "单位,得分\n" + "\n".join(f"{n},4.5" for n in names))
        with sup.expect_navigation():
            sup.click("#import-submit")
        assert "已导入" in sup.content()
        shot(sup, "assessment-imported")
        sup.context.close()
        # The rest through the API, as a scoring sheet would.
        sup_token = srv.api("POST", "/api/v1/auth/login", {"username": "jiancha", "password": "Indic-Pass-2026"})["token"]
        run_id = report_url.rstrip("/").split("/")[-1]
        for s in subjects:
            for c in criteria:
                srv.api("POST", f"/api/v1/assessments/{run_id}/scores",
                        {"subject": s, "criterion": c, "points": 4, "reason": "现场检查", "evidence": "检查记录"}, sup_token)

        # The review and the sign-off, by keyboard-reachable forms on the page.
        admin.goto(report_url)
        admin.select_option("#rv-subject", subjects[0])
        admin.fill("#rv-adjustment", "2")
        admin.fill("#rv-reason", "群众表扬信")
        admin.fill("#rv-comment", "服务主动")
        with admin.expect_navigation():
            admin.click("#review-submit")
        assert "评价中" in admin.locator("#assessment-state").inner_text()
        admin.locator("#sign-off-submit").focus()
        with admin.expect_navigation():
            admin.keyboard.press("Enter")
        assert "已形成报告" in admin.locator("#assessment-state").inner_text()
        assert admin.locator("#score-form").count() == 0 and admin.locator("#review-form").count() == 0
        rows = admin.locator("#assessment-report tbody tr")
        assert rows.count() == len(subjects) and "1" == rows.first.locator("td").first.inner_text().strip()
        shot(admin, "assessment-report")
        admin.emulate_media(media="print")
        shot(admin, "assessment-report-print")
        admin.emulate_media(media="screen")

        with admin.expect_download() as d:
            admin.click("#assessment-xlsx")
        path = tmp_path / "report.xlsx"
        d.value.save_as(path)
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert "<v>" in sheet and "组织领导" in sheet

        # The red flag of the month to the first of the signed ranking, from the awards page.
        admin.goto(srv.base + f"/awards?center={county}")
        admin.select_option("#g-kind", "red_flag")
        admin.fill("#g-reason", "月度考核第一名")
        with admin.expect_navigation():
            admin.click("#grant-submit")
        flash = admin.locator(".flash").first.inner_text()
        assert "流动红旗" in flash, flash
        assert admin.locator("#awards tbody tr").count() == 1
        shot(admin, "awards")
        board = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}).new_page()
        board.goto(srv.base + "/hall/DL010200/board")
        assert "流动红旗" in board.locator("#board-honours").inner_text()
        shot(board, "board-red-flag")
        board.context.close()

        phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
        sign_in(phone, srv.base, "admin", PASSWORD)
        phone.goto(report_url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
        shot(phone, "assessment-375")
        phone.goto(srv.base + "/lang/en?back=" + urllib.parse.quote(report_url.replace(srv.base, "")))
        assert "Signed off" in phone.locator("#assessment-state").inner_text()
        shot(phone, "assessment-en")
        phone.context.close()
        admin.context.close()
    finally:
        srv.stop()


def test_a_chief_publishes_a_commitment_a_supervisor_reviews_it_and_the_profile_shows_it(browser, tmp_path):
    """一诺 through the pages: the market regulator's chief representative publishes a staff
    member's half-year commitment with a pledge measured by the on-time rate; a supervisor reviews it
    (a verdict short of kept needs a note); the public profile shows the pledges."""
    need()
    srv = Server("commitments", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token = srv.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in srv.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        scjg = next(d for d in srv.api("GET", f"/api/v1/departments?centerID={county}", token=token) if d["code"] == "SCJG")["id"]
        for name, role, dept in [("jiancha", "supervisor", None), ("chief_scjg", "chief_representative", scjg)]:
            body = {"username": name, "displayName": name, "password": "Indic-Pass-2026", "role": role, "centerID": county}
            if dept:
                body["departmentID"] = dept
            srv.api("POST", "/api/v1/users", body, token)
        staff = next(s for s in srv.api("GET", f"/api/v1/staff?centerID={county}", token=token) if s.get("departmentID") == scjg)

        chief = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(chief, srv.base, "chief_scjg", "Indic-Pass-2026")
        chief.goto(srv.base + "/commitments")
        chief.select_option("#cm-subject", "staff:" + staff["id"].lower())
        chief.locator("input[name='text[]']").nth(0).fill("承诺件按时办结率不低于 98%")
        chief.locator("select[name='indicator[]']").nth(0).select_option("on_time")
        chief.locator("input[name='target[]']").nth(0).fill("98")
        chief.locator("input[name='text[]']").nth(1).fill("微笑服务，首问负责")
        with chief.expect_navigation():
            chief.click("#commitment-submit")
        assert "已公示" in chief.locator(".flash").first.inner_text()
        item = chief.locator("article.commitment-item").first
        assert "目标 98.0%" in item.inner_text()
        shot(chief, "commitments")
        # And the department's own, which the guide pages of its items publish.
        chief.select_option("#cm-subject", "department:" + scjg.lower())
        chief.locator("input[name='text[]']").nth(0).fill("窗口受理事项一次性告知，群众最多跑一次")
        with chief.expect_navigation():
            chief.click("#commitment-submit")
        assert "已公示" in chief.locator(".flash").first.inner_text()
        chief.context.close()

        sup = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(sup, srv.base, "jiancha", "Indic-Pass-2026")
        sup.goto(srv.base + f"/commitments?center={county}")
        item = sup.locator("article.commitment-item", has_text="承诺件按时办结率").first
        item.locator("summary").click()
        item.locator("select[name='result[]']").nth(0).select_option("partly")
        with sup.expect_navigation():
            item.locator("button[type=submit]").click()
        assert "说明" in sup.locator("#error-summary").inner_text(), "a verdict short of kept needs a note"
        item = sup.locator("article.commitment-item", has_text="承诺件按时办结率").first
        item.locator("summary").click()
        item.locator("select[name='result[]']").nth(0).select_option("partly")
        item.locator("input[name='note[]']").nth(0).fill("本期无承诺件办结，暂无法衡量")
        with sup.expect_navigation():
            item.locator("button[type=submit]").click()
        assert "已回头看" in sup.locator("article.commitment-item", has_text="承诺件按时办结率").first.inner_text()
        sup.context.close()

        public = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
        public.goto(srv.base + "/staff/" + staff["id"])
        pledges = public.locator("#profile-pledges").inner_text()
        assert "微笑服务，首问负责" in pledges and "部分兑现" in pledges
        shot(public, "staff-profile-commitment")
        public.goto(srv.base + "/guide/DL010200-SCJG-002-01?center=DL010200")
        section = public.locator("section.commitments")
        assert "公开承诺" in section.inner_text() and "群众最多跑一次" in section.inner_text(), section.inner_text()
        section.scroll_into_view_if_needed()
        shot(public, "guide-commitment")
        public.context.close()
    finally:
        srv.stop()
