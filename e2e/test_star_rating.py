"""The 十星级 rating (issue 21) in Chromium. The campaign office opens the half-year's rating from
its menu; a visitor scans the QR code of a window clerk on a phone, answers, confirms a phone
number with the code the SMS gateway was asked to send, and votes; a second vote by the same phone
is refused. The department's chief representative reviews the clerk, the center too, and the
campaign office confirms: the public board ranks the stars, the clerk's profile shows them with the
leaders' comment, and the survey page shows how they were made up. A 群众监督员 scores the clerk
from their own list, on a phone, by keyboard. Looked at on a phone, at 200 %, in 长辈模式 and in
English."""
import json
import sqlite3
import urllib.parse
import urllib.request

from conftest import shot
from test_hall_processes import PASSWORD, Server, free_port, need
from test_supervision_process import sign_in


def last_code(path):
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT payload FROM outbox WHERE event = 'vote.code' ORDER BY created_at DESC, id DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return json.loads(row[0])["data"]["code"]


def test_a_visitor_votes_by_qr_code_and_the_stars_are_published(browser, tmp_path):
    need()
    file = f"{tmp_path}/db.sqlite"
    srv = Server("stars", free_port(), f"sqlite://{file}").start()
    try:
        token = srv.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in srv.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        scjg = next(d for d in srv.api("GET", f"/api/v1/departments?centerID={county}", token=token) if d["code"] == "SCJG")["id"]
        for name, role, dept in [("jiwei", "campaign_office", None), ("chief_scjg", "chief_representative", scjg)]:
            body = {"username": name, "displayName": name, "password": "Star-Pass-2026", "role": role, "centerID": county}
            if dept:
                body["departmentID"] = dept
            srv.api("POST", "/api/v1/users", body, token)
        srv.api("POST", "/api/v1/webhooks", {"url": "http://127.0.0.1:9/sms", "events": "vote.code", "centerID": county}, token)

        # The campaign office opens the rating from its menu.
        office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(office, srv.base, "jiwei", "Star-Pass-2026")
        office.click("nav.main-nav >> text=十星级评定")
        office.wait_for_load_state()
        assert office.locator("#so-criteria").input_value().startswith("服务态度")
        with office.expect_navigation():
            office.click("#star-open-submit")
        assert "星级评定已开始" in office.content()
        rating_path = urllib.parse.urlparse(office.url).path
        rating_id = rating_path.rsplit("/", 1)[1]
        shot(office, "stars-opened")

        rating = srv.api("GET", f"/api/v1/star-ratings/{rating_id}")
        staff_ids = {s["id"].lower() for s in srv.api("GET", f"/api/v1/staff?centerID={county}", token=token) if (s.get("departmentID") or "").lower() == scjg.lower()}
        clerk = next(s for s in rating["subjects"] if s["kind"] == "staff" and s["subject"].split(":")[1] in staff_ids)
        # The QR code at the window leads to the survey.
        with urllib.request.urlopen(srv.base + clerk["surveyPath"] + "/qr.svg") as res:
            assert res.headers["content-type"].startswith("image/svg+xml") and b"<svg" in res.read()

        phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        phone.goto(srv.base + clerk["surveyPath"] + "?via=qr")
        assert clerk["name"] in phone.locator("h1").inner_text()
        for i in range(5):
            phone.check(f"input[name=level{i}][value='{5 if i != 1 else 4}']")
        phone.fill("#ss-comment", "耐心细致，一次说清")
        phone.fill("#ss-phone", "13900001111")
        with phone.expect_navigation():
            phone.click("#ss-send-code")
        assert "139****1111" in phone.locator("#code-sent").inner_text()
        assert phone.locator("input[name=level1][value='4']").is_checked(), "the answers stay while the code is sent"
        assert phone.locator("#ss-comment").input_value() == "耐心细致，一次说清"
        shot(phone, "stars-survey-phone")
        phone.fill("#ss-code", last_code(file))
        with phone.expect_navigation():
            phone.click("#ss-submit")
        assert "感谢您对" in phone.content()
        shot(phone, "stars-voted")

        # The same phone again: refused, nothing recorded twice.
        phone.goto(srv.base + clerk["surveyPath"] + "?via=qr")
        for i in range(5):
            phone.check(f"input[name=level{i}][value='1']")
        phone.fill("#ss-phone", "13900001111")
        with phone.expect_navigation():
            phone.click("#ss-send-code")
        phone.fill("#ss-code", last_code(file))
        with phone.expect_navigation():
            phone.click("#ss-submit")
        assert "只能评议一次" in phone.locator("#error-summary").inner_text()

        # 200 %, 长辈模式, English.
        phone.evaluate("document.body.style.zoom = '200%'")
        shot(phone, "stars-survey-zoom")
        phone.evaluate("document.body.style.zoom = '100%'")
        phone.click("#elder-switch")
        phone.wait_for_load_state()
        shot(phone, "stars-survey-elder")
        phone.goto(srv.base + "/lang/en?back=" + urllib.parse.quote(clerk["surveyPath"]))
        assert "Very satisfied" in phone.content()
        shot(phone, "stars-survey-english")

        # The chief representative reviews the clerk by keyboard-friendly form; the center by API.
        chief = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(chief, srv.base, "chief_scjg", "Star-Pass-2026")
        chief.goto(srv.base + rating_path)
        row = chief.locator("#star-subjects tbody tr", has_text=clerk["name"]).first
        with chief.expect_navigation():
            row.locator("text=点评").click()
        assert "耐心细致，一次说清" in chief.locator("#star-public-comments").inner_text()
        for i in range(5):
            chief.fill(f"#sv-score{i}", "90")
            chief.fill(f"#sv-comment{i}", "表现良好")
        chief.fill("#sv-overall", "业务熟练，群众认可")
        with chief.expect_navigation():
            chief.click("#star-review-submit")
        assert "点评已保存" in chief.content()
        srv.api("POST", f"/api/v1/star-ratings/{rating_id}/reviews", {
            "ratee": clerk["subject"], "scores": [80] * 5, "comments": ["好"] * 5, "overall": "服务热情，办事高效"}, token)

        # A 群众监督员 signs in on a phone, lands on their scoring list and scores the clerk by keyboard.
        srv.api("POST", "/api/v1/users", {"username": "jiandu", "displayName": "李监督", "password": "Star-Pass-2026",
                                          "role": "public_supervisor", "centerID": county}, token)
        outsider = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        sign_in(outsider, srv.base, "jiandu", "Star-Pass-2026")
        outsider.goto(srv.base + "/")
        assert urllib.parse.urlparse(outsider.url).path == "/outside-evaluation"
        assert "已评 0 /" in outsider.content()
        shot(outsider, "outside-list-phone")
        link = outsider.locator("tr", has_text=clerk["name"]).first.locator("a")
        link.focus()
        with outsider.expect_navigation():
            outsider.keyboard.press("Enter")
        assert "外部评议：" in outsider.content() and "以群众监督员身份点评" in outsider.content() and "目前群众评议" not in outsider.content()
        for i in range(5):
            outsider.fill(f"#sv-score{i}", "88")
            outsider.fill(f"#sv-comment{i}", "暗访时表现良好")
        outsider.fill("#sv-overall", "两次暗访均规范")
        shot(outsider, "outside-score-phone")
        with outsider.expect_navigation():
            outsider.click("#star-review-submit")
        assert "点评已保存" in outsider.content() and "已评 1 /" in outsider.content()
        assert "88" in outsider.locator("tr", has_text=clerk["name"]).first.inner_text()
        outsider.evaluate("document.body.style.zoom = '200%'")
        shot(outsider, "outside-list-zoom")
        outsider.evaluate("document.body.style.zoom = '100%'")
        outsider.click("#elder-switch")
        outsider.wait_for_load_state()
        shot(outsider, "outside-list-elder")
        outsider.goto(srv.base + "/lang/en?back=/outside-evaluation")
        assert "Outside evaluation" in outsider.content() and "Scored 1 of" in outsider.content()
        shot(outsider, "outside-list-english")

        # Confirmation by the campaign office.
        office.goto(srv.base + rating_path)
        assert "88 (1)" in office.locator("#star-subjects tr", has_text=clerk["name"]).first.inner_text()
        shot(office, "stars-before-confirm")
        with office.expect_navigation():
            office.click("#star-confirm-submit")
        assert "已确认公布" in office.content()
        # (100·4 + 75) / 5 = 95 public, (90 + 80) / 2 = 85 leaders: 90 → 9 stars.
        office.goto(srv.base + f"/stars/{rating_id}")
        first = office.locator("#star-board tbody tr").first
        assert clerk["name"] in first.inner_text() and "★★★★★★★★★☆" in first.inner_text(), first.inner_text()
        shot(office, "stars-board")
        office.goto(srv.base + "/staff/" + clerk["subject"].split(":")[1])
        assert "★★★★★★★★★☆" in office.locator("#profile-stars").inner_text()
        assert "服务热情，办事高效" in office.locator("#profile-comment").inner_text()
        shot(office, "stars-profile")
        with office.expect_navigation():
            office.click("#profile-stars a")
        result = office.locator("#star-result").inner_text()
        assert "95" in result and "85" in result and "90" in result and "9 星" in result, result
        shot(office, "stars-how-made")
    finally:
        srv.stop()
