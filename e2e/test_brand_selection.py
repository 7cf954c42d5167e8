"""Service brands through a campaign (issue 22): a department defines a brand with a logo → the
office approves → a weekly report is filed late and flagged → the department declares → two
experts score → a visitor votes by QR → the office decides, announces, and names → the showcase
shows the named brand with its live figures. The campaign's phases are dated from today, and the
same database is reopened by processes whose clocks run ahead (ONESTOP_CLOCK_OFFSET_DAYS)."""
import datetime
import json
import sqlite3
import urllib.parse
import urllib.request

from conftest import shot
from test_hall_processes import PASSWORD, free_port, need
from test_star_rating import last_code
from test_accessibility import serious
from test_supervision_process import ShiftedServer, sign_in

PW = "Brand-Pass-2026"


def at(days, db, name):
    return ShiftedServer(name, free_port(), db, days).start()


def test_a_brand_through_the_campaign(browser, tmp_path):
    need()
    file = f"{tmp_path}/db.sqlite"
    db = f"sqlite://{file}"
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()

    def day(n):
        return (today + datetime.timedelta(days=n)).isoformat()

    srv = at(0, db, "brands-0")
    try:
        token = srv.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in srv.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        depts = {d["code"]: d["id"] for d in srv.api("GET", f"/api/v1/departments?centerID={county}", token=token)}
        for user, role, dept in [("jiwei", "campaign_office", None), ("chief_scjg", "chief_representative", depts["SCJG"]),
                                 ("zj_a", "expert_reviewer", None), ("zj_b", "expert_reviewer", depts["GA"])]:
            body = {"username": user, "displayName": {"jiwei": "机关工委", "chief_scjg": "市场监管首席代表", "zj_a": "王专家",
                                                      "zj_b": "李专家"}[user], "password": PW, "role": role, "centerID": county}
            if dept:
                body["departmentID"] = dept
            srv.api("POST", "/api/v1/users", body, token)
        srv.api("POST", "/api/v1/webhooks", {"url": "http://127.0.0.1:9/sms", "events": "vote.code", "centerID": county}, token)
        office_token = srv.api("POST", "/api/v1/auth/login", {"username": "jiwei", "password": PW})["token"]
        campaign = srv.api("POST", "/api/v1/brand-campaigns", {
            "center": "DL010200", "name": "机关服务品牌创建活动", "requirements": "三个体现、两个创新",
            "phases": [{"phase": "cultivation", "from": day(-60), "to": day(-31)}, {"phase": "practice", "from": day(-30), "to": day(8)},
                       {"phase": "selection", "from": day(9), "to": day(30)}, {"phase": "consolidation", "from": day(31), "to": day(400)}]},
            office_token)["id"]
        chief_token = srv.api("POST", "/api/v1/auth/login", {"username": "chief_scjg", "password": PW})["token"]
        brand = srv.api("POST", "/api/v1/brands", {
            "center": "DL010200", "name": "红盾先锋", "category": "administrative", "culture": {"purpose": "让企业办事更便捷"},
            "system": {"commitments": ["咨询 24 小时答复", "材料齐全当场受理"]}}, chief_token)["id"].lower()
        svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#b22"/></svg>'
        req = urllib.request.Request(srv.base + f"/api/v1/brands/{brand}/logo", data=svg, method="POST")
        req.add_header("Authorization", "Bearer " + chief_token)
        req.add_header("Content-Type", "application/octet-stream")
        urllib.request.urlopen(req).read()
        # The office approves it today, from its list.
        desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(desk, srv.base, "jiwei", PW)
        desk.goto(srv.base + "/brands/manage")
        with desk.expect_navigation():
            desk.click(f"#approve-{brand}")
    finally:
        srv.stop()

    # A week on: this week's report was never filed; the chief files it late, with a photo.
    srv = at(7, db, "brands-7")
    try:
        chief = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        sign_in(chief, srv.base, "chief_scjg", PW)
        chief.goto(srv.base + f"/brands/{brand}/work")
        assert "未报" in chief.locator("#week-list").inner_text()
        assert "未报" in chief.locator("#rf-week option:checked").inner_text(), "the missing week is offered first"
        chief.fill("#rf-done", "推行午间不打烊、延时服务")
        chief.fill("#rf-changes", "群众午休时间也能办")
        chief.fill("#rf-figures", "延时办件 42 件")
        png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
        chief.set_input_files("#rf-photos", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png}])
        shot(chief, "brand-report-phone")
        with chief.expect_navigation():
            chief.click("#report-submit")
        assert "已报送" in chief.locator(".flash").inner_text()
        weeks = chief.locator("#week-list").inner_text()
        assert "迟报" in weeks and "照片1" in weeks, weeks
        assert "迟报 1 周" in chief.content()
        shot(chief, "brand-report-late-phone")
    finally:
        srv.stop()

    # The selection phase: the department declares, two experts score, a visitor votes by QR.
    srv = at(10, db, "brands-10")
    try:
        chief = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(chief, srv.base, "chief_scjg", PW)
        chief.goto(srv.base + f"/brands/{brand}/work#selection")
        assert chief.locator("#df-req").get_attribute("required") is not None, "the campaign's requirements are asked for"
        for std, text in [("name", "名称简短好记"), ("logo", "红盾寓意市场监管"), ("culture", "理念人人熟知"),
                          ("system", "承诺上墙、首问负责"), ("benefit", "企业满意度提升")]:
            chief.fill(f"#df-{std}", text)
        chief.fill("#df-req", "服务中心、服务基层、服务群众；机制创新")
        with chief.expect_navigation():
            chief.click("#declare-submit")
        assert "已申报" in chief.locator(".flash").inner_text()

        office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(office, srv.base, "jiwei", PW)
        office.goto(srv.base + f"/brands/{brand}/work#selection")
        office.check("#experts-form >> text=王专家")
        office.check("#experts-form >> text=李专家")
        with office.expect_navigation():
            office.click("#experts-submit")
        with office.expect_navigation():
            office.click("#survey-submit")
        assert office.locator(".survey-box .qr svg").count() == 1
        shot(office, "brand-work-office")
        assert serious(office) == [], "the work page"
        survey_url = office.locator(".survey-box a").first.get_attribute("href")

        for expert, pts in [("zj_a", ["14", "13", "18", "22", "23"]), ("zj_b", ["12", "12", "16", "20", "20"])]:
            ex = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
            sign_in(ex, srv.base, expert, PW)
            ex.goto(srv.base + "/brands/experts")
            with ex.expect_navigation():
                ex.click("#assignments >> text=红盾先锋")
            for std, p in zip(["name", "logo", "culture", "system", "benefit"], pts):
                ex.fill(f"#sc-{std}", p)
            if expert == "zj_a":
                shot(ex, "brand-expert-score")
                assert serious(ex) == [], "the scoring page"
            with ex.expect_navigation():
                ex.click("#score-submit")
            assert "已提交" in ex.locator(".flash").inner_text()
            ex.context.close()

        phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        phone.goto(srv.base + survey_url + "?via=qr")
        phone.check("input[name=satisfaction][value='5']")
        phone.fill("#bs-phone", "13900001111")
        with phone.expect_navigation():
            phone.click("#bs-send-code")
        phone.fill("#bs-code", last_code(file))
        shot(phone, "brand-survey-phone")
        assert serious(phone) == [], "the survey page"
        with phone.expect_navigation():
            phone.click("#bs-submit")
        assert phone.locator("#voted").count() == 1
        # The same phone cannot vote twice.
        phone.goto(srv.base + survey_url + "?via=qr")
        phone.check("input[name=satisfaction][value='1']")
        phone.fill("#bs-phone", "13900001111")
        with phone.expect_navigation():
            phone.click("#bs-send-code")
        phone.fill("#bs-code", last_code(file))
        with phone.expect_navigation():
            phone.click("#bs-submit")
        assert "投过票" in phone.locator("#error-summary").inner_text()

        # The office decides from the standings, with the announcement.
        office.goto(srv.base + f"/brands/selection/{campaign.lower()}")
        standings = office.locator("#standings").inner_text()
        assert "红盾先锋" in standings and "85" in standings and "100" in standings, standings
        office.check(f"input[name='typical_{brand.upper()}'], input[name='typical_{brand}']")
        shot(office, "brand-selection-decide")
        assert serious(office) == [], "the selection page"
        with office.expect_navigation():
            office.click("#decide-submit")
        assert "已确定" in office.locator(".flash").inner_text()
        with office.expect_navigation():
            office.click("text=评选公示")
        assert "典型品牌" in office.content() and "91.00" in office.content()
        shot(office, "brand-selection-notice")
    finally:
        srv.stop()

    # The consolidation phase: the office names the brand; the showcase shows it with its figures.
    srv = at(32, db, "brands-32")
    try:
        office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(office, srv.base, "jiwei", PW)
        # 年度社会评价: the typical brand's survey opens again as its second round; the phone that
        # voted in the selection votes again.
        office.goto(srv.base + f"/brands/{brand}/work#survey")
        with office.expect_navigation():
            office.click("#survey-submit")
        assert "年度社会评价（第 2 轮）" in office.locator("#survey").locator("xpath=..").inner_text()
        shot(office, "brand-yearly-office")
        phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        phone.goto(srv.base + survey_url + "?via=qr")
        phone.check("input[name=satisfaction][value='4']")
        phone.fill("#bs-phone", "13900001111")
        with phone.expect_navigation():
            phone.click("#bs-send-code")
        phone.fill("#bs-code", last_code(file))
        with phone.expect_navigation():
            phone.click("#bs-submit")
        assert phone.locator("#voted").count() == 1, "one vote a round"
        # The work page at 375 px, in English and in 长辈模式 at 200 %.
        small = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        sign_in(small, srv.base, "jiwei", PW)
        small.goto(srv.base + f"/brands/{brand}/work#survey")
        shot(small, "brand-yearly-office-phone")
        assert serious(small) == [], "the work page with the yearly round"
        small.goto(srv.base + "/lang/en?back=" + urllib.parse.quote(f"/brands/{brand}/work#survey"))
        assert "Yearly social evaluation (round 2)" in small.content()
        shot(small, "brand-yearly-english")
        small.goto(srv.base + "/lang/zh-CN?back=" + urllib.parse.quote("/"))
        big = browser.new_context(locale="zh-CN", viewport={"width": 640, "height": 900}, device_scale_factor=2).new_page()
        sign_in(big, srv.base, "jiwei", PW)
        big.goto(srv.base + "/elder/on?back=" + urllib.parse.quote(f"/brands/{brand}/work#survey"))
        shot(big, "brand-yearly-elder-200")
        office.goto(srv.base + f"/brands/{brand}/work#acts")
        office.fill("#act-name-reason", "群众满意度高、投诉为零")
        with office.expect_navigation():
            office.click("#act-name-submit")
        assert "优质服务品牌" in office.locator(".flash").inner_text()
        visitor = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        visitor.goto(srv.base + "/brands?center=DL010200")
        assert "红盾先锋" in visitor.content()
        shot(visitor, "brand-showcase-phone")
        with visitor.expect_navigation():
            visitor.click("text=红盾先锋")
        assert "满意率" in visitor.content()
        shot(visitor, "brand-named-phone")
        assert serious(visitor) == [], "the brand page"
        # The same page in English, in 长辈模式 and at 200 %.
        visitor.goto(srv.base + "/lang/en?back=" + urllib.parse.quote(visitor.url.replace(srv.base, "")))
        assert "Commitments against the figures" in visitor.content()
        shot(visitor, "brand-named-english")
        elder = browser.new_context(locale="zh-CN", viewport={"width": 640, "height": 900}, device_scale_factor=2).new_page()
        elder.goto(srv.base + "/elder/on?back=" + urllib.parse.quote(f"/brands/{brand}"))
        shot(elder, "brand-named-elder-200")
        assert serious(elder) == [], "the brand page in 长辈模式"
        visitor.goto(srv.base + "/brands/notices?center=DL010200")
        notices = visitor.locator("#notice-list").inner_text()
        assert "品命" in notices and "品选" in notices, notices
    finally:
        srv.stop()
