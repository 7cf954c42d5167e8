"""差评整改 (issue 19) in Chromium: a visitor rates a visit 1 star at window 4's evaluator; the
market regulator's chief representative finds it on the worklist (/ratings) with its reasons and
deadline, records the rectification on the list (a blank one is refused with the reason); the public
disclosure of the month shows it; the department appeals and a supervisor upholds the appeal. Looked at on a phone (375 px) and in English."""
from conftest import shot
from test_hall_processes import PASSWORD, Server, free_port, need, open_hall


def sign_in(page, base, username, password):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_a_bad_rating_is_rectified_from_the_worklist(browser, tmp_path):
    need()
    srv = Server("bad-ratings", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token, county = open_hall(srv)
        depts = srv.api("GET", f"/api/v1/departments?centerID={county}", token=token)
        scjg = next(d for d in depts if d["code"] == "SCJG")["id"]
        for name, role, dept in (("chief_scjg", "chief_representative", scjg), ("clerk_w4", "window_staff", None), ("jiancha", "supervisor", None)):
            body = {"username": name, "displayName": name, "password": "Rating-Pass-2026", "role": role, "centerID": county}
            if dept:
                body["departmentID"] = dept
            srv.api("POST", "/api/v1/users", body, token)
        window = next(w for w in srv.api("GET", f"/api/v1/windows?centerID={county}", token=token) if w["number"] == 4)["id"]
        clerk = srv.api("POST", "/api/v1/auth/login", {"username": "clerk_w4", "password": "Rating-Pass-2026"})["token"]
        srv.api("POST", f"/api/v1/windows/{window}/sign-in", token=clerk)
        device = srv.api("POST", "/api/v1/devices", {"label": "评价器", "role": "window_evaluator", "centerID": county, "windowID": window}, token)["token"]
        ticket = srv.api("POST", "/api/v1/tickets", {"center": "DL010200", "group": "B"})
        assert srv.api("POST", f"/api/v1/windows/{window}/call-next", token=clerk)["ticket"]["id"] == ticket["id"]
        for action in ("start", "finish"):
            srv.api("POST", f"/api/v1/tickets/{ticket['id']}/{action}", {"window": window}, clerk)
        rating = srv.api("POST", f"/api/v1/tickets/{ticket['id']}/rating", {"level": 1, "tags": ["attitude", "extra_materials"], "text": "要求提供指南以外的证明"}, device)

        page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, srv.base, "chief_scjg", "Rating-Pass-2026")
        page.click("nav.main-nav >> text=差评整改")
        page.wait_for_load_state()
        item = page.locator(f"#rating-{rating['id'].upper()}")
        assert item.count() == 1, page.content()[:500]
        assert "服务态度差" in item.inner_text() and "待整改" in item.inner_text()
        shot(page, "bad-ratings-worklist")
        page.set_viewport_size({"width": 375, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, "bad-ratings-worklist-375")
        page.set_viewport_size({"width": 1280, "height": 900})
        # A blank rectification is refused with the reason; then the real one.
        page.evaluate("document.querySelectorAll('textarea[required]').forEach(t => t.removeAttribute('required'))")
        with page.expect_navigation():
            item.locator("form[action$='/resolution'] button[type=submit]").click()
        assert page.locator("#errors").is_visible()
        item = page.locator(f"#rating-{rating['id'].upper()}")
        item.locator("form[action$='/resolution'] textarea").fill("已对窗口人员批评教育，严格按办事指南收取材料。")
        with page.expect_navigation():
            item.locator("form[action$='/resolution'] button[type=submit]").click()
        assert "整改结果已记录" in page.locator(".flash").first.inner_text()
        item = page.locator(f"#rating-{rating['id'].upper()}")
        assert "已整改" in item.inner_text()
        # The public disclosure of the month shows the bad rating and its rectification.
        public = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        public.goto(srv.base + "/hall/DL010200/ratings")
        assert public.inner_text("#fig-bad") == "1" and public.inner_text("#fig-rated") == "1"
        assert "已对窗口人员批评教育" in public.inner_text("#rectified")
        assert "chief_scjg" not in public.content()
        shot(public, "ratings-disclosure")
        public.set_viewport_size({"width": 375, "height": 800})
        assert public.evaluate("document.documentElement.scrollWidth") <= 375
        shot(public, "ratings-disclosure-375")
        public.context.close()
        item = page.locator(f"#rating-{rating['id'].upper()}")
        item.locator("details.move summary").click()
        item.locator("form[action$='/appeal'] textarea").fill("评价人所述材料为法定材料，附录音")
        with page.expect_navigation():
            item.locator("form[action$='/appeal'] button[type=submit]").click()
        page.context.close()

        sup = browser.new_context(locale="en", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(sup, srv.base, "jiancha", "Rating-Pass-2026")
        if "/account/two-factor" in sup.url:
            sup.click("#tf-skip")
        sup.goto(srv.base + "/ratings?status=appeal_pending")
        with sup.expect_navigation():
            sup.click("#lang-switch")
        item = sup.locator(f"#rating-{rating['id'].upper()}")
        assert "Appeal pending" in item.inner_text()
        shot(sup, "bad-ratings-appeal-en")
        item.locator("input[name=upheld][value=yes]").check()
        item.locator("form[action$='/decision'] textarea").fill("Recording shows the materials are statutory.")
        with sup.expect_navigation():
            item.locator("form[action$='/decision'] button[type=submit]").click()
        assert srv.api("GET", f"/api/v1/ratings/{rating['id']}", token=token)["excluded"] is True
        sup.context.close()
    finally:
        srv.stop()
