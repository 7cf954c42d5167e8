"""Work orders (issue 20) in Chromium: a hotline operator takes a complaint on the phone with the
guide beside it; OneStop suggests the department from the dispatch directory; the department's
chief representative signs and replies; the call-back is dissatisfied and the order reopens; the
second reply solves it. Then a 2-hour emergency order, seen by a server whose clock runs a day
ahead, is overdue and red-carded. The public form and the tracker without signing in. Looked at on
a phone (375 px), in 长辈模式 and in English."""
from conftest import shot
from test_hall_processes import PASSWORD, Server, free_port, need, open_hall
from test_rating_loop import sign_in
from test_supervision_process import ShiftedServer


def test_a_complaint_from_the_call_to_its_close(browser, tmp_path):
    need()
    db = f"sqlite://{tmp_path}/db.sqlite"
    srv = Server("work-orders", free_port(), db).start()
    try:
        token, county = open_hall(srv)
        depts = srv.api("GET", f"/api/v1/departments?centerID={county}", token=token)
        scjg = next(d for d in depts if d["code"] == "SCJG")["id"]
        for name, role, dept in (("chief_scjg", "chief_representative", scjg), ("rexian", "hotline_operator", None)):
            body = {"username": name, "displayName": name, "password": "Order-Pass-2026", "role": role, "centerID": county}
            if dept:
                body["departmentID"] = dept
            srv.api("POST", "/api/v1/users", body, token)
        srv.api("POST", "/api/v1/dispatch-rules", {"center": "DL010200", "departmentID": scjg, "duty": "市场主体登记",
                                                    "keywords": ["营业执照"]}, token)

        # The operator: the console from the menu; a look-up shows the guide; the order is taken in.
        op = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(op, srv.base, "rexian", "Order-Pass-2026")
        op.click("nav.main-nav >> text=登记工单")
        op.wait_for_load_state()
        op.select_option("#o-kind", "complaint")
        op.fill("#o-title", "营业执照办了三次没办成")
        op.fill("#o-text", "营业执照 材料要求前后不一，跑了三次。")
        op.fill("#o-name", "张三")
        op.fill("#o-phone", "13800138001")
        with op.expect_navigation():
            op.click("#order-lookup")
        assert op.input_value("#o-name") == "张三", "a look-up keeps what was typed"
        assert op.locator("#guide-hits li").count() >= 1, "the guide for 营业执照 beside the order"
        shot(op, "work-order-console")
        # 200 % zoom on a 1280 px screen lays out as 640 CSS px: the guides go under the form, nothing
        # scrolls sideways, and the look-up and the submit are reached by keyboard.
        op.set_viewport_size({"width": 640, "height": 900})
        assert op.evaluate("document.documentElement.scrollWidth") <= 640
        op.focus("#o-answer") if op.locator("#o-answer").is_visible() else op.focus("#order-lookup")
        op.keyboard.press("Tab")
        shot(op, "work-order-console-zoom-200")
        op.set_viewport_size({"width": 1280, "height": 900})
        with op.expect_navigation():
            op.click("#order-submit")
        assert "已登记" in op.locator(".flash").first.inner_text()
        number = op.locator("h1").inner_text().split()[-1]
        # The suggestion is the market regulator, one click away.
        suggestion = op.locator("#suggestions button").first
        assert "市场监督管理局" in suggestion.inner_text() or "市场" in suggestion.inner_text(), suggestion.inner_text()
        shot(op, "work-order-dispatch")
        with op.expect_navigation():
            suggestion.click()
        assert "待签收" in op.locator("#order-state").inner_text()

        # The department: its worklist by time left; sign, reply.
        chief = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(chief, srv.base, "chief_scjg", "Order-Pass-2026")
        chief.click("nav.main-nav >> text=工单")
        chief.wait_for_load_state()
        row = chief.locator(f"#order-{number}")
        assert "剩余" in row.inner_text()
        shot(chief, "work-orders-worklist")
        chief.set_viewport_size({"width": 640, "height": 900})
        assert chief.evaluate("document.documentElement.scrollWidth") <= 640
        shot(chief, "work-orders-worklist-zoom-200")
        chief.set_viewport_size({"width": 1280, "height": 900})
        with chief.expect_navigation():
            row.locator("a").click()
        assert "138****8001" in chief.locator("#order-caller").inner_text()
        with chief.expect_navigation():
            chief.click("#sign-submit")
        chief.fill("#rp-text", "已核实，窗口一次性告知不到位，已批评教育。")
        with chief.expect_navigation():
            chief.click("#reply-submit")
        assert "待回访" in chief.locator("#order-state").inner_text()

        # The call-back: dissatisfied, not solved → reopened to the department.
        op.reload()
        op.check("input[name=satisfaction][value=dissatisfied]")
        op.check("input[name=solved][value=no]")
        op.fill("#cb-note", "执照仍未办下")
        with op.expect_navigation():
            op.click("#callback-submit")
        assert "办理中" in op.locator("#order-state").inner_text()
        assert "重办 1 次" in op.locator("#order").inner_text()
        chief.reload()
        chief.fill("#rp-text", "已当场办结营业执照。")
        with chief.expect_navigation():
            chief.click("#reply-submit")
        op.reload()
        with op.expect_navigation():
            op.click("#callback-submit")
        assert "已办结" in op.locator("#order-state").inner_text()
        shot(op, "work-order-closed")
        op.set_viewport_size({"width": 375, "height": 800})
        assert op.evaluate("document.documentElement.scrollWidth") <= 375
        shot(op, "work-order-closed-375")

        # An emergency dispatched now.
        rex = srv.api("POST", "/api/v1/auth/login", {"username": "rexian", "password": "Order-Pass-2026"})["token"]
        em = srv.api("POST", "/api/v1/work-orders", {"center": "DL010200", "channel": "phone", "kind": "help", "urgency": "emergency",
                                                    "callerPhone": "13800138003", "text": "大厅电梯困人"}, rex)
        srv.api("POST", f"/api/v1/work-orders/{em['id']}/dispatch", {"department": scjg}, rex)
        op.context.close()
        chief.context.close()
    finally:
        srv.stop()

    # A day later (the clock offset): overdue on the board and red-carded by the sweep.
    late = ShiftedServer("work-orders-late", free_port(), db, 1).start()
    try:
        page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, late.base, "chief_scjg", "Order-Pass-2026")
        page.goto(late.base + f"/work-orders/{em['id']}")
        assert page.locator("#order-overdue").is_visible()
        admin = late.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        late.api("POST", "/api/v1/supervision/sweep", {}, admin)
        page.goto(late.base + "/supervision/cards")
        assert f"/work-orders/{em['id']}" in page.content()
        shot(page, "work-order-red-card")
        # English, 长辈模式.
        page.goto(late.base + f"/lang/en?back=%2Fwork-orders%2F{em['id']}")
        assert "Overdue" in page.locator("#order-overdue").inner_text()
        shot(page, "work-order-en")
        page.goto(late.base + f"/elder/on?back=%2Fwork-orders%2F{em['id']}")
        page.set_viewport_size({"width": 375, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, "work-order-elder-375")
    finally:
        late.stop()


def test_the_public_form_and_tracker(browser, tmp_path):
    need()
    srv = Server("work-orders-public", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        open_hall(srv)
        page = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
        page.goto(srv.base + "/hall/DL010200")
        with page.expect_navigation():
            page.click("#complaints-link")
        page.check("input[name=kind][value=complaint]")
        page.fill("#a-text", "4号窗口午休提前关门")
        with page.expect_navigation():
            page.click("#ask-submit")
        assert page.locator("#errors").is_visible() and page.input_value("#a-text") == "4号窗口午休提前关门"
        page.fill("#a-name", "王五")
        page.fill("#a-phone", "13700001234")
        with page.expect_navigation():
            page.click("#ask-submit")
        number = page.locator("#tracked-number").inner_text()
        assert number.startswith("GD")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, "work-order-public-receipt-375")
        page.goto(srv.base + "/complaints/track")
        page.fill("#t-number", number)
        page.fill("#t-tail", "1234")
        with page.expect_navigation():
            page.click("#track-submit")
        assert "已受理" in page.locator("#tracked-state").inner_text()
        shot(page, "work-order-track-375")
        en = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
        en.goto(srv.base + "/lang/en?back=%2Fhall%2FDL010200%2Fcomplaints")
        en.wait_for_load_state()
        assert "Submit" in en.content()
        shot(en, "work-order-public-en")
        # By keyboard alone: the form's fields in order, then the submit.
        en.focus("#a-text")
        en.keyboard.type("Queue screen at window 4 is broken")
        for _ in range(8):  # the banned phrase cited, address, files, name, phone, the two choices, submit
            en.keyboard.press("Tab")
        assert en.evaluate("document.activeElement.id") == "ask-submit", en.evaluate("document.activeElement.outerHTML")
        with en.expect_navigation():
            en.keyboard.press("Enter")
        assert en.locator("#errors").is_visible(), "a complaint needs a phone: refused, in English"
        assert "phone" in en.locator("#errors").inner_text()
        en.set_viewport_size({"width": 640, "height": 900})
        assert en.evaluate("document.documentElement.scrollWidth") <= 640
        shot(en, "work-order-public-en-zoom-200")
    finally:
        srv.stop()
