"""Service brands (issue 22), as far as they are built: the market regulator's chief representative
defines the department's brand on a phone, a logo whose script is stripped is set, the campaign
office approves it from its list, and a visitor finds it on the showcase and reads its page —
culture, commitments and this month's figures — on a phone, at 200 %, in 长辈模式 and in English."""
import json
import urllib.request

from conftest import shot
from test_hall_processes import PASSWORD, Server, free_port, need
from test_supervision_process import sign_in


def test_a_visitor_finds_an_approved_brand_on_the_showcase(browser, tmp_path):
    need()
    srv = Server("brands", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token = srv.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in srv.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        scjg = next(d for d in srv.api("GET", f"/api/v1/departments?centerID={county}", token=token) if d["code"] == "SCJG")["id"]
        srv.api("POST", "/api/v1/users", {"username": "jiwei", "displayName": "机关工委", "password": "Brand-Pass-2026",
                                          "role": "campaign_office", "centerID": county}, token)
        srv.api("POST", "/api/v1/users", {"username": "chief_scjg", "displayName": "市场监管首席代表", "password": "Brand-Pass-2026",
                                          "role": "chief_representative", "centerID": county, "departmentID": scjg}, token)
        # The chief representative defines the department's brand on a phone.
        chief = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        sign_in(chief, srv.base, "chief_scjg", "Brand-Pass-2026")
        chief.goto(srv.base + "/brands/manage")
        chief.fill("#bf-name", "红盾先锋")
        chief.select_option("#bf-category", "administrative")
        chief.fill("#bf-purpose", "让企业办事更便捷")
        chief.fill("#bf-spirit", "敬业、精业")
        chief.fill("#bf-commitments", "咨询 24 小时答复\n材料齐全当场受理")
        chief.fill("#bf-who", "市场监管窗口全体人员")
        chief.fill("#bf-measures", "首问负责\n一次性告知")
        shot(chief, "brand-define-phone")
        with chief.expect_navigation():
            chief.click("#brand-submit")
        assert "已保存" in chief.locator(".flash").inner_text()
        shot(chief, "brand-manage-phone")
        brand = next(b for b in srv.api("GET", "/api/v1/brands?center=DL010200", token=token) if b["name"] == "红盾先锋")
        svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><circle cx="5" cy="5" r="4" fill="#b22"/></svg>'
        req = urllib.request.Request(srv.base + f"/api/v1/brands/{brand['id']}/logo", data=svg, method="POST")
        req.add_header("Authorization", "Bearer " + token)
        req.add_header("Content-Type", "application/octet-stream")
        with urllib.request.urlopen(req) as r:
            assert json.loads(r.read())["logoPath"]
        # The campaign office approves it from the list.
        desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(desk, srv.base, "jiwei", "Brand-Pass-2026")
        desk.click("nav.main-nav >> text=服务品牌")
        desk.wait_for_load_state()
        with desk.expect_navigation():
            desk.click(f"#approve-{brand['id'].lower()}")
        assert "审核通过" in desk.locator(".flash").inner_text()
        shot(desk, "brand-approved")
        # And opens the campaign, which counts the departments that have a brand.
        desk.fill("#bc-name", "机关服务品牌创建活动")
        for phase, start, end in [("cultivation", "2026-01-01", "2026-03-31"), ("practice", "2026-04-01", "2026-11-30"),
                                  ("selection", "2026-12-01", "2027-01-31"), ("consolidation", "2027-02-01", "2027-12-31")]:
            desk.fill(f"input[name={phase}From]", start)
            desk.fill(f"input[name={phase}To]", end)
        desk.fill("#bc-req", "三个体现、两个创新")
        with desk.expect_navigation():
            desk.click("#campaign-submit")
        campaign = desk.locator("section.campaign").first.inner_text()
        assert "机关服务品牌创建活动" in campaign and "已有品牌的部门 1 / 8" in campaign and "典型推介" in campaign, campaign
        shot(desk, "brand-campaign")

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
