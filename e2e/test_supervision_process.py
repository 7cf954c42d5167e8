"""Supervision across a passing deadline: a case accepted today on one OneStop process; the same
database opened by a process whose clock runs 20 days ahead (ONESTOP_CLOCK_OFFSET_DAYS); its sweep
issues a yellow card, the board shows the case in yellow, the department explains on the cards
page and a supervisor accepts the explanation."""
import os

from conftest import shot
from test_hall_processes import PASSWORD, Server, free_port, need


class ShiftedServer(Server):
    def __init__(self, name, port, database, days):
        super().__init__(name, port, database)
        self.days = days

    def start(self):
        # A clock run weeks ahead would also end the accounts' week of grace for two-step
        # verification; this training-room server lets them sign in with a password.
        os.environ["ONESTOP_CLOCK_OFFSET_DAYS"] = str(self.days)
        os.environ["ONESTOP_TWO_FACTOR"] = "optional"
        try:
            return super().start()
        finally:
            del os.environ["ONESTOP_CLOCK_OFFSET_DAYS"]
            del os.environ["ONESTOP_TWO_FACTOR"]


def sign_in(page, base, username, password):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_yellow_card_when_the_clock_passes_the_promised_deadline(browser, tmp_path):
    need()
    db = f"sqlite://{tmp_path}/db.sqlite"
    now = Server("supervision-now", free_port(), db).start()
    try:
        token = now.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in now.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        now.api("POST", "/api/v1/users", {"username": "jiancha", "displayName": "监察员", "password": "Super-Pass-2026", "role": "supervisor", "centerID": county}, token)
        item = next(i for i in now.api("GET", "/api/v1/items?limit=1000", token=token) if i["name"] == "食品经营许可证核发")
        guide = now.api("GET", f"/api/v1/items/{item['id']}", token=token)["guide"]
        marks = [{"status": "provided" if m["need"] == "required" else "not_applicable"} for m in guide["materials"]]
        case = now.api("POST", "/api/v1/cases", {
            "center": county, "item": item["code"], "materials": marks,
            "applicant": {"kind": "person", "name": "王五", "idNumber": "11010519491231002X", "phone": "13800138000"},
        }, token)
        case = now.api("POST", f"/api/v1/cases/{case['id']}/accept", {}, token)
        assert case["clock"]["level"] == "normal"
    finally:
        now.stop()

    later = ShiftedServer("supervision-later", free_port(), db, 20).start()
    try:
        token = later.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        assert later.api("POST", "/api/v1/supervision/sweep", {}, token)["looked"] >= 1
        page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, later.base, "admin", PASSWORD)
        page.goto(later.base + "/supervision?level=yellow")
        row = page.locator("tr.row-yellow", has_text=case["number"])
        assert row.count() == 1 and "黄牌" in row.inner_text()
        shot(page, "supervision-board-yellow")
        page.goto(later.base + "/supervision/cards")
        card = page.locator("article.card-item", has_text=case["number"])
        assert "黄牌" in card.inner_text() and "待说明" in card.inner_text()
        card.locator("textarea[name=text]").fill("现场核查排期延误，已安排加快办理。")
        with page.expect_navigation():
            card.locator("button[type=submit]").click()
        assert "待审核" in page.locator("article.card-item", has_text=case["number"]).inner_text()
        page.context.close()

        sup = browser.new_context(locale="zh-CN").new_page()
        sign_in(sup, later.base, "jiancha", "Super-Pass-2026")
        sup.goto(later.base + "/supervision/cards?status=explained")
        card = sup.locator("article.card-item", has_text=case["number"])
        card.locator("textarea[name=note]").fill("情况属实，予以采纳。")
        with sup.expect_navigation():
            card.locator("button[type=submit]").click()
        assert "说明已采纳" in sup.locator("article.card-item", has_text=case["number"]).inner_text()
        shot(sup, "supervision-card-accepted")
        sup.context.close()
    finally:
        later.stop()
