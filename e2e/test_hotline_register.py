"""The rest of the hotline (issue 20) in Chromium: a supervisor logs an unanswered call and a test
call on the supervision-phone register, imports the PBX's Master.csv (a bad file is refused with
every bad line listed; a good one warns the window at its third unanswered call); the 接诉即办
report with its CSV; an administrator adds a duty to the dispatch directory by keyboard and issues
an Open311 key, with which a client's request becomes a work order on the board. Looked at on a
phone (375 px) and in English."""
import datetime
import urllib.parse
import urllib.request

from conftest import shot
from test_hall_processes import PASSWORD, Server, free_port, need, open_hall
from test_rating_loop import sign_in


def cdr_line(dst, start, disposition, uid):
    answered = disposition == "ANSWERED"
    return ",".join(['""', "13900001111", dst, "from-pstn", '"""Caller"" <13900001111>"', "SIP/trunk-1", "SIP/801-2", "Dial",
                     '"SIP/801,30"', start, start if answered else "", start, "40", "35" if answered else "0", disposition,
                     "DOCUMENTATION", uid, ""])


def test_the_register_the_report_the_directory_and_open311(browser, tmp_path):
    need()
    srv = Server("hotline-register", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token, county = open_hall(srv)
        srv.api("POST", "/api/v1/users", {"username": "jiancha", "displayName": "监察员", "password": "Order-Pass-2026",
                                          "role": "supervisor", "centerID": county}, token)
        windows = srv.api("GET", f"/api/v1/windows?centerID={county}", token=token)
        window = next(w for w in windows if w.get("phone"))

        # A supervisor: the register from the menu, an unanswered call and a test call logged by hand.
        sup = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(sup, srv.base, "jiancha", "Order-Pass-2026")
        sup.click("nav.main-nav >> text=监督电话")
        sup.wait_for_load_state()
        assert sup.locator("#phone-report").count() == 1
        sup.click("#log-call summary")
        sup.select_option("#c-window", str(window["number"]))
        sup.select_option("#c-disposition", "no_answer")
        sup.fill("#c-caller", "13900002222")
        with sup.expect_navigation():
            sup.click("#log-submit")
        assert "已登记" in sup.locator(".flash").first.inner_text()
        sup.click("#log-call summary")
        sup.select_option("#c-window", str(window["number"]))
        sup.check("#c-test")
        sup.select_option("#c-verdict", "wrong_information")
        sup.select_option("#c-disposition", "answered")
        sup.fill("#c-duration", "abc")
        with sup.expect_navigation():
            sup.click("#log-submit")
        assert "通话时长" in sup.locator("#errors").inner_text(), "a bad duration is named, nothing logged"
        sup.fill("#c-duration", "75")
        with sup.expect_navigation():
            sup.click("#log-submit")
        assert sup.locator("#calls tbody tr").count() == 2

        # The PBX's file: a bad one is refused whole, every bad line listed; a good one warns the window.
        now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) - datetime.timedelta(minutes=5)
        at = now.strftime("%Y-%m-%d %H:%M:%S")
        phone = window["phone"]
        bad = tmp_path / "bad.csv"
        bad.write_text("\n".join([cdr_line(phone, at, "NO ANSWER", "1.1"), cdr_line(phone, "soon", "BUSY", "1.2"),
                                  cdr_line(phone, at, "HUNG UP", "1.3")]) + "\n")
        sup.click("#import-calls summary")
        sup.set_input_files("#c-file", str(bad))
        with sup.expect_navigation():
            sup.click("#import-submit")
        assert sup.locator("#import-errors tbody tr").count() == 2
        shot(sup, "phone-register-import-errors")
        good = tmp_path / "Master.csv"
        good.write_text("\n".join([cdr_line(phone, at, "NO ANSWER", "1.1"), cdr_line(phone, at, "BUSY", "1.2"),
                                   cdr_line(phone, at, "ANSWERED", "1.3")]) + "\n")
        assert sup.evaluate("document.querySelector('#import-calls').open"), "the import stays open beside its errors"
        sup.set_input_files("#c-file", str(good))
        with sup.expect_navigation():
            sup.click("#import-submit")
        flash = sup.locator(".flash").first.inner_text()
        assert "已导入 3 条" in flash and "预警" in flash, flash
        assert "已预警" in sup.locator("#phone-report").inner_text()
        assert sup.locator("#unanswered-windows").count() == 1
        shot(sup, "phone-register")
        sup.set_viewport_size({"width": 375, "height": 800})
        assert sup.evaluate("document.documentElement.scrollWidth") <= 375
        shot(sup, "phone-register-375")
        sup.set_viewport_size({"width": 1280, "height": 900})


        # The administrator: a duty added by keyboard alone, in English; an Open311 key issued.
        adm = browser.new_context(locale="en", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(adm, srv.base, "admin", PASSWORD)
        adm.goto(srv.base + "/lang/en?back=" + urllib.parse.quote(f"/admin/dispatch-rules?center={county}", safe=""))
        assert "Dispatch directory" in adm.locator("h1").inner_text()
        adm.focus("#r-department")
        adm.keyboard.press("ArrowDown")
        adm.keyboard.press("Tab")
        adm.keyboard.type("Food safety complaints")
        adm.keyboard.press("Tab")
        adm.keyboard.type("食品，餐馆")
        adm.fill("#r-service", "food-safety")
        adm.focus("#add-rule")
        with adm.expect_navigation():
            adm.keyboard.press("Enter")
        assert "Food safety complaints" in adm.locator("#rules").inner_text()
        shot(adm, "dispatch-directory-en")
        adm.goto(srv.base + f"/admin/open311?center={county}")
        adm.fill("#k-name", "City app")
        with adm.expect_navigation():
            adm.click("#issue-key")
        key = adm.locator("#open311-key").inner_text().strip()
        assert key.startswith("o311_")
        shot(adm, "open311-key-en")
        adm.set_viewport_size({"width": 375, "height": 800})
        assert adm.evaluate("document.documentElement.scrollWidth") <= 375
        shot(adm, "open311-key-375")

        # A client's request with the key: a work order on the board, listed by requests.json.
        body = urllib.parse.urlencode({"api_key": key, "jurisdiction_id": "DL010200", "service_code": "food-safety",
                                       "lat": "36.81", "long": "118.05", "phone": "13800138099",
                                       "description": "餐馆后厨卫生差"}).encode()
        with urllib.request.urlopen(urllib.request.Request(srv.base + "/open311/v2/requests.json", data=body), timeout=30) as r:
            assert r.status == 201
            number = __import__("json").loads(r.read())[0]["service_request_id"]
        adm.set_viewport_size({"width": 1280, "height": 900})
        adm.goto(srv.base + "/work-orders")
        assert number in adm.locator("main").inner_text()
        with urllib.request.urlopen(srv.base + "/open311/v2/requests.json", timeout=30) as r:
            listed = __import__("json").loads(r.read())
        assert [x["service_request_id"] for x in listed] == [number] and "13800138099" not in str(listed)

        # The report of 接诉即办: the order dispatched to its department is counted there; its CSV.
        order = next(o for o in srv.api("GET", "/api/v1/work-orders", token=token) if o["number"] == number)
        srv.api("POST", f"/api/v1/work-orders/{order['id']}/dispatch", {"department": next(
            d["id"] for d in srv.api("GET", f"/api/v1/departments?centerID={county}", token=token) if d["code"] == "SCJG")}, token)
        sup.goto(srv.base + "/work-orders/report")
        assert "市场" in sup.locator("#work-order-report tbody").inner_text()
        with sup.expect_download() as dl:
            sup.click("#report-csv")
        assert dl.value.path().read_text(encoding="utf-8-sig").startswith("部门,")
        shot(sup, "work-order-report")
    finally:
        srv.stop()
