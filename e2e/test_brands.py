"""Service brands (issue 22), as far as they are built: a department's brand, defined through the API
with a logo whose script is stripped, approved by the campaign office, is found by a visitor on the
showcase and read on its page — culture, commitments and this month's figures — on a phone, at
200 %, in 长辈模式 and in English. The pages to define and approve a brand are not built yet."""
import json
import urllib.request

from conftest import shot
from test_hall_processes import PASSWORD, Server, free_port, need


def test_a_visitor_finds_an_approved_brand_on_the_showcase(browser, tmp_path):
    need()
    srv = Server("brands", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token = srv.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in srv.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        scjg = next(d for d in srv.api("GET", f"/api/v1/departments?centerID={county}", token=token) if d["code"] == "SCJG")["id"]
        srv.api("POST", "/api/v1/users", {"username": "jiwei", "displayName": "机关工委", "password": "Brand-Pass-2026",
                                          "role": "campaign_office", "centerID": county}, token)
        office = srv.api("POST", "/api/v1/auth/login", {"username": "jiwei", "password": "Brand-Pass-2026"})["token"]
        brand = srv.api("POST", "/api/v1/brands", {
            "center": "DL010200", "department": scjg, "name": "红盾先锋", "category": "administrative",
            "culture": {"purpose": "让企业办事更便捷", "spirit": "敬业、精业", "ideas": [{"name": "廉政理念", "text": "清正廉洁，干净办事"}]},
            "system": {"who": ["市场监管窗口全体人员"], "commitments": ["咨询 24 小时答复", "材料齐全当场受理"], "measures": ["首问负责", "一次性告知"]},
        }, token)
        svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><circle cx="5" cy="5" r="4" fill="#b22"/></svg>'
        req = urllib.request.Request(srv.base + f"/api/v1/brands/{brand['id']}/logo", data=svg, method="POST")
        req.add_header("Authorization", "Bearer " + token)
        req.add_header("Content-Type", "application/octet-stream")
        with urllib.request.urlopen(req) as r:
            assert json.loads(r.read())["logoPath"]
        srv.api("POST", f"/api/v1/brands/{brand['id']}/approve", None, office)

        phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        phone.goto(srv.base + "/brands?center=DL010200")
        assert "红盾先锋" in phone.locator("main").inner_text()
        shot(phone, "brands-showcase-phone")
        with phone.expect_navigation():
            phone.click("text=红盾先锋")
        text = phone.locator("main").inner_text()
        assert "让企业办事更便捷" in text and "咨询 24 小时答复" in text and "实时数据" in text and "窗口服务满意率" in text
        shot(phone, "brand-page-phone")
        phone.evaluate("document.body.style.zoom = '200%'")
        shot(phone, "brand-page-zoom")
        phone.evaluate("document.body.style.zoom = '100%'")
        phone.click("#elder-switch")
        phone.wait_for_load_state()
        shot(phone, "brand-page-elder")
        phone.goto(srv.base + "/lang/en?back=/brands/" + brand["id"])
        assert "Commitments" in phone.content() and "Live figures" in phone.content()
        shot(phone, "brand-page-english")
    finally:
        srv.stop()
