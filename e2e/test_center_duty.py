"""Running the center (issue 23) in Chromium: the administrator plans today's duty on the rota; the
leader on duty records two patrols, the first with a finding and its photo; the department's chief
representative closes the finding with what was done; the director's page shows the day complete.
Then a clerk asks for leave, the chief approves it, and the window's screen says who stands in.
Looked at on a phone (375 px), in English, and in 长辈模式 at 200 %."""
import datetime
import urllib.parse

from conftest import shot
from test_accessibility import serious
from test_hall_processes import Server, free_port, need, open_hall
from test_rating_loop import sign_in

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_the_leader_on_duty_patrols_and_the_department_corrects(browser, tmp_path):
    need()
    srv = Server("center-duty", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token, county = open_hall(srv)
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
        depts = srv.api("GET", f"/api/v1/departments?centerID={county}", token=token)
        scjg = next(d for d in depts if d["code"] == "SCJG")["id"]
        for name, display, role, dept in (("zhiban", "王主任", "supervisor", None), ("chief_scjg", "李科长", "chief_representative", scjg),
                                          ("xadmin", "县中心管理员", "center_admin", None)):
            body = {"username": name, "displayName": display, "password": "Duty-Pass-2026", "role": role, "centerID": county}
            if dept:
                body["departmentID"] = dept
            srv.api("POST", "/api/v1/users", body, token)

        # The administrator plans today: 王主任 on duty, 李科长 on the floor.
        admin = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(admin, srv.base, "xadmin", "Duty-Pass-2026")
        admin.goto(srv.base + "/center/duty")
        admin.select_option(f"#leader-{today}", label="王主任")
        floor = admin.locator(f"#floor1-{today} option", has_text="李科长").first.get_attribute("value")
        admin.select_option(f"#floor1-{today}", floor)
        with admin.expect_navigation():
            admin.click("#rota-submit")
        assert "值班表已保存" in admin.locator(".flash").first.inner_text()
        assert "王主任" in admin.locator("#on-duty").inner_text()
        assert "0 次" in admin.locator("#patrol-count").inner_text() or "进行中" in admin.locator("#patrol-count").inner_text()
        shot(admin, "duty-rota")

        # The leader on duty: the patrol form is theirs; the first patrol finds a badge missing.
        leader = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(leader, srv.base, "zhiban", "Duty-Pass-2026")
        leader.goto(srv.base + "/center/duty")
        assert leader.locator("#patrol-form").count() == 1
        first_window = leader.locator("#observations tbody tr").first
        first_window.locator("input[name^=badge_]").uncheck()
        first_window.locator("input[name^=note_]").fill("工牌未佩戴")
        windows = srv.api("GET", f"/api/v1/windows?centerID={county}", token=token)
        scjg_window = next(w for w in windows if w.get("departmentID") == scjg)
        leader.select_option("#pf-w1", scjg_window["id"].lower())
        leader.fill("#pf-t1", "窗口人员未按规定佩戴工牌")
        leader.set_input_files("#pf-p1", files=[{"name": "badge.png", "mimeType": "image/png", "buffer": PNG}])
        shot(leader, "duty-patrol-form")
        with leader.expect_navigation():
            leader.click("#patrol-submit")
        assert "转整改任务 1 项" in leader.locator(".flash").first.inner_text()
        assert "1 次" in leader.locator("#patrol-count").inner_text()
        with leader.expect_navigation():
            leader.click("#patrol-submit")
        assert "已完成" in leader.locator("#patrol-count").inner_text(), leader.locator("#patrol-count").inner_text()
        assert serious(leader) == [], "the duty page"
        shot(leader, "duty-two-patrols")
        # On a phone each window of the patrol form is a card: its checks and note within the screen.
        leader.set_viewport_size({"width": 375, "height": 800})
        row = leader.locator("#observations tbody tr").first
        for field in ("input[name^=badge_]", "input[name^=note_]"):
            box = row.locator(field).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, (field, box)
        # The check's name beside it is its label: a tap on the word toggles it.
        row.locator("td.check", has=leader.locator("input[name^=tidy_]")).locator(".card-label").click()
        assert not row.locator("input[name^=tidy_]").is_checked()
        shot(leader, "duty-patrol-phone")

        # Someone not on duty has no patrol form, and the API refuses them.
        assert admin.goto(srv.base + "/center/duty") and admin.locator("#patrol-form").count() == 0

        # The department's chief: the finding with its photo, closed with what was done, in 2 clicks.
        chief = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        sign_in(chief, srv.base, "chief_scjg", "Duty-Pass-2026")
        chief.goto(srv.base + "/center/duty#findings")
        finding = chief.locator("#findings article.finding").first
        assert "未按规定佩戴工牌" in finding.inner_text()
        assert finding.locator("a", has_text="照片1").count() == 1
        assert chief.evaluate("document.documentElement.scrollWidth") <= 375
        shot(chief, "duty-finding-phone")
        # Without what was done the form does not go (the server refuses it too: DutyTests).
        assert finding.locator("textarea").evaluate("t => t.form.checkValidity()") is False
        chief.locator("#findings article.finding textarea").first.fill("已组织窗口人员学习着装规范，当场整改")
        with chief.expect_navigation():
            chief.locator("#findings article.finding button").first.click()
        assert "整改已办结" in chief.locator(".flash").first.inner_text()
        assert chief.locator("#findings article.finding").count() == 0

        # The director's page: the day complete, the finding closed.
        admin.goto(srv.base + "/center/duty")
        assert "已完成" in admin.locator("#patrol-count").inner_text()
        assert "当场整改" in admin.locator("#closed-findings").text_content()
        assert "2/2" in admin.locator("#patrol-days").inner_text()
        shot(admin, "duty-director")
        # The staff home and the hall board say who is on duty.
        admin.goto(srv.base + "/")
        assert "王主任" in admin.locator("#on-duty-today").inner_text()
        board = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720}).new_page()
        board.goto(srv.base + "/hall/DL010200/board")
        assert "王主任" in board.locator("#board-duty").inner_text()

        # A conduct inspection: the team records a finding; the department explains it on a phone;
        # the center closes it.
        admin.goto(srv.base + "/center/conduct")
        admin.fill("#cs-team", "效能办督查组")
        with admin.expect_navigation():
            admin.click("#start-submit")
        assert "已开始" in admin.locator(".flash").first.inner_text()
        inspection = admin.locator("section.inspection").first
        inspection.locator("details summary").click()
        inspection.locator("select[name=windowID]").select_option(scjg_window["id"].lower())
        inspection.locator("select[name=criterion]").select_option("文明用语")
        inspection.locator("textarea[name=text]").fill("对群众说“自己看”")
        with admin.expect_navigation():
            inspection.locator("button[id^=finding-submit]").click()
        assert "通报所属部门" in admin.locator(".flash").first.inner_text()
        chief.goto(srv.base + "/center/conduct")
        chief.fill("textarea[name=explanation]", "工作人员情绪急躁")
        chief.fill("textarea[name=rectification]", "已谈话提醒并组织文明用语学习")
        with chief.expect_navigation():
            chief.click("button[id^=explain-]")
        assert "已提交" in chief.locator(".flash").first.inner_text()
        assert chief.evaluate("document.documentElement.scrollWidth") <= 375
        assert serious(chief) == [], "the conduct page"
        shot(chief, "conduct-explained-phone")
        admin.goto(srv.base + "/center/conduct")
        with admin.expect_navigation():
            admin.click("button[id^=accept-]")
        assert "已办结" in admin.locator(".flash").first.inner_text()
        shot(admin, "conduct-closed")

        # English, and 长辈模式 at 200 %.
        admin.goto(srv.base + "/lang/en?back=" + urllib.parse.quote("/center/duty"))
        assert "Leader on duty" in admin.locator("#on-duty").inner_text()
        assert serious(admin) == [], "the duty page in English"
        shot(admin, "duty-english")
        admin.goto(srv.base + "/lang/zh-CN?back=/")
        big = browser.new_context(locale="zh-CN", viewport={"width": 640, "height": 900}, device_scale_factor=2).new_page()
        sign_in(big, srv.base, "zhiban", "Duty-Pass-2026")
        big.goto(srv.base + "/elder/on?back=" + urllib.parse.quote("/center/duty"))
        assert big.evaluate("document.documentElement.scrollWidth") <= 640
        shot(big, "duty-elder-200")
        # By keyboard: the first control of the patrol's table is reached with Tab.
        big.focus("#patrol-panel summary")
        big.keyboard.press("Tab")
        assert big.evaluate("document.activeElement.closest('form')?.id") == "patrol-form"
    finally:
        srv.stop()


def test_leave_from_request_to_the_window_screen(browser, tmp_path):
    need()
    srv = Server("center-leave", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token, county = open_hall(srv)
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
        depts = srv.api("GET", f"/api/v1/departments?centerID={county}", token=token)
        scjg = next(d for d in depts if d["code"] == "SCJG")["id"]
        zhao = srv.api("POST", "/api/v1/staff", {"centerID": county, "departmentID": scjg, "name": "赵敏", "jobNumber": "SC901", "post": "受理员"}, token)
        qian = srv.api("POST", "/api/v1/staff", {"centerID": county, "departmentID": scjg, "name": "钱多", "jobNumber": "SC902", "post": "受理员"}, token)
        for name, role, extra in (("zhaomin", "window_staff", {"staffID": zhao["id"]}), ("chief_scjg", "chief_representative", {"departmentID": scjg})):
            body = {"username": name, "displayName": name, "password": "Duty-Pass-2026", "role": role, "centerID": county, **extra}
            srv.api("POST", "/api/v1/users", body, token)
        windows = srv.api("GET", f"/api/v1/windows?centerID={county}", token=token)
        window = next(w for w in windows if w.get("departmentID") == scjg)

        # The chief registers both on the window staff register.
        chief = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(chief, srv.base, "chief_scjg", "Duty-Pass-2026")
        for person in ("赵敏", "钱多"):
            chief.goto(srv.base + "/center/staff")
            value = chief.locator("#rg-staff option", has_text=person).first.get_attribute("value")
            chief.select_option("#rg-staff", value)
            chief.fill("#rg-post", "综合受理")
            chief.fill("#rg-arr", today)
            with chief.expect_navigation():
                chief.click("#register-submit")
            assert "已登记备案" in chief.locator(".flash").first.inner_text()
        assert chief.locator("#staff-register tbody tr").count() == 2
        shot(chief, "staff-register")

        # The clerk asks for today's leave on a phone, with 钱多 standing in.
        clerk = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        sign_in(clerk, srv.base, "zhaomin", "Duty-Pass-2026")
        clerk.goto(srv.base + "/center/leave")
        clerk.click("#ask summary")
        clerk.select_option("#lv-kind", "sick")
        clerk.fill("#lv-from", today)
        clerk.fill("#lv-to", today)
        clerk.fill("#lv-reason", "发热就医")
        clerk.select_option("#lv-window", window["id"].lower())
        clerk.select_option("#lv-stand", qian["id"].lower())
        with clerk.expect_navigation():
            clerk.click("#leave-submit")
        assert "已提交" in clerk.locator(".flash").first.inner_text()
        assert clerk.evaluate("document.documentElement.scrollWidth") <= 375
        assert serious(clerk) == [], "the leave page"
        shot(clerk, "leave-asked-phone")

        # The chief approves in one click; the window's screen says who stands in.
        chief.goto(srv.base + "/center/leave")
        with chief.expect_navigation():
            chief.locator("button[id^=approve-]").first.click()
        assert "已批准" in chief.locator(".flash").first.inner_text()
        assert "钱多" in chief.locator("#absent-list").inner_text(), "钱多 has not signed in today"
        shot(chief, "leave-approved")
        screen = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720}).new_page()
        screen.goto(srv.base + f"/hall/DL010200/window/{window['number']}")
        assert "由 钱多 顶岗" in screen.locator("#ws-leave").inner_text()
        shot(screen, "leave-window-screen")

        # The staff record, printable, in English too.
        chief.goto(srv.base + "/center/staff")
        with chief.expect_navigation():
            chief.click("#staff-register a >> text=赵敏")
        chief.locator("details", has=chief.locator("#training-form")).locator("summary").click()
        chief.fill("#tr-day", today)
        chief.fill("#tr-course", "文明礼仪")
        chief.fill("#tr-hours", "2.5")
        with chief.expect_navigation():
            chief.click("#training-submit")
        assert "2.5" in chief.locator("#training-list").inner_text()
        chief.emulate_media(media="print")
        shot(chief, "staff-record-print")
        chief.emulate_media(media="screen")
        chief.goto(srv.base + "/lang/en?back=" + urllib.parse.quote(chief.url.replace(srv.base, "")))
        assert "Training" in chief.inner_text("main")
        assert serious(chief) == [], "the staff record in English"
        chief.goto(srv.base + "/lang/zh-CN?back=/")

        # 进驻: the chief asks with two of the department's items; the county's administrator approves.
        chief.goto(srv.base + "/center/admissions")
        hint = chief.locator("#ad-items-hint").inner_text()
        codes = [w for w in hint.replace("；", " ").split() if w.startswith("DL010200-SCJG")][:2]
        assert codes, hint
        chief.fill("#ad-items", "\n".join(codes))
        chief.fill("#ad-eq", "营业执照自助打印机")
        with chief.expect_navigation():
            chief.click("#admission-submit")
        assert "已提交" in chief.locator(".flash").first.inner_text()
        srv.api("POST", "/api/v1/users", {"username": "xadmin", "displayName": "县中心管理员", "password": "Duty-Pass-2026",
                                          "role": "center_admin", "centerID": county}, token)
        admin = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(admin, srv.base, "xadmin", "Duty-Pass-2026")
        admin.goto(srv.base + "/center/admissions")
        with admin.expect_navigation():
            admin.click("button[id^=approve-]")
        assert "已批准" in admin.locator(".flash").first.inner_text()
        assert admin.locator("#streamlining-table").count() == 1
        assert serious(admin) == [], "the admissions page"
        shot(admin, "admissions")

        # 上门办: the center offers an item; an elderly citizen asks on a phone, in 长辈模式; the chief
        # schedules it with a member of staff and records it done.
        admin.goto(srv.base + "/center/hall-rules#visits")
        admin.locator("#visits details summary").click()
        admin.fill("#vi-items", codes[0])
        with admin.expect_navigation():
            admin.click("#visit-items-submit")
        assert "已保存" in admin.locator(".flash").first.inner_text(), admin.inner_text("main")[:500]
        citizen = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        citizen.goto(srv.base + "/elder/on?back=" + urllib.parse.quote("/hall/DL010200"))
        with citizen.expect_navigation():
            citizen.click("#home-visit-link")
        citizen.select_option("#hv-reason", "elderly")
        citizen.fill("#hv-name", "王奶奶")
        citizen.fill("#hv-phone", "13812345678")
        citizen.fill("#hv-address", "石桥县幸福路 8 号")
        with citizen.expect_navigation():
            citizen.click("#visit-submit")
        assert "受理号 SM" in citizen.locator("#visit-done").inner_text()
        assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
        assert serious(citizen) == [], "the home-visit form"
        shot(citizen, "home-visit-elder-phone")
        chief.goto(srv.base + "/center/hall-rules#visits")
        chief.fill("input[id^=vd-]", today)
        with chief.expect_navigation():
            chief.click("button[id^=schedule-]")
        assert "已安排" in chief.locator(".flash").first.inner_text()
        chief.fill("input[id^=vh-]", "上门采集材料")
        with chief.expect_navigation():
            chief.click("button[id^=done-]")
        assert "已办结" in chief.locator(".flash").first.inner_text()
        shot(chief, "home-visit-done")
    finally:
        srv.stop()


def test_extended_hours_and_a_complaint_citing_a_banned_phrase(browser, tmp_path):
    """延时服务: the administrator gives a group extended hours on its form (an overlap with office
    hours is refused in words); a visitor books an after-hours slot on a phone in 长辈模式 and sees it
    marked; the department's chief assigns a member of staff. Then a citizen complains that a clerk
    said a banned phrase, and the hall-rules page counts it."""
    need()
    srv = Server("center-extended", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token, county = open_hall(srv)
        depts = srv.api("GET", f"/api/v1/departments?centerID={county}", token=token)
        scjg = next(d for d in depts if d["code"] == "SCJG")["id"]
        for name, display, role, dept in (("chief_scjg", "李科长", "chief_representative", scjg), ("xadmin", "县中心管理员", "center_admin", None)):
            body = {"username": name, "displayName": display, "password": "Duty-Pass-2026", "role": role, "centerID": county}
            if dept:
                body["departmentID"] = dept
            srv.api("POST", "/api/v1/users", body, token)
        srv.api("POST", "/api/v1/staff", {"centerID": county, "departmentID": scjg, "name": "赵敏", "jobNumber": "SC901", "post": "受理员"}, token)
        group = next(g for g in srv.api("GET", f"/api/v1/centers/{county}/queue/groups", token=token) if g["prefix"] == "B")

        # The administrator sets the group's extended hours on its form.
        admin = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(admin, srv.base, "xadmin", "Duty-Pass-2026")
        admin.goto(srv.base + f"/admin/hall-groups/{group['id'].lower()}")
        admin.fill("input[name=extendedPeriods]", "11:30-13:00")
        with admin.expect_navigation():
            admin.click("main form.form button.primary")
        assert "与预约时间段重叠" in admin.inner_text("main"), admin.inner_text("main")[:600]
        admin.fill("input[name=extendedPeriods]", "12:00-13:00,17:00-19:00")
        admin.fill("input[name=weekendPeriods]", "09:00-11:00")
        with admin.expect_navigation():
            admin.click("main form.form button.primary")
        saved = next(g for g in srv.api("GET", f"/api/v1/centers/{county}/queue/groups", token=token) if g["prefix"] == "B")
        assert saved["extendedPeriods"] == "12:00-13:00,17:00-19:00" and saved["weekendPeriods"] == "09:00-11:00"
        shot(admin, "extended-groups")

        # A visitor books an after-hours slot on a phone, in 长辈模式.
        visitor = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        visitor.goto(srv.base + "/elder/on?back=" + urllib.parse.quote("/hall/DL010200/book"))
        assert "17:00-19:00" in visitor.locator("#extended-hours").inner_text()
        visitor.select_option("#b-group", group["id"])
        day = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
        for _ in range(8):
            day += datetime.timedelta(days=1)
            visitor.fill("#b-date", day.isoformat())
            visitor.dispatch_event("#b-date", "change")
            visitor.wait_for_timeout(300)
            if visitor.locator("#b-slots label.extended input:not([disabled])").count() > 0:
                break
        slot = visitor.locator("#b-slots label.extended").last
        assert "延时服务" in slot.inner_text()
        slot.locator("input").check()
        visitor.fill("#b-name", "孙丽")
        visitor.fill("#b-id", "11010519491231002X")
        visitor.fill("#b-phone", "13800138000")
        visitor.click("#book-form button[type=submit]")
        visitor.wait_for_selector("#book-done:not([hidden])")
        assert visitor.evaluate("document.documentElement.scrollWidth") <= 375
        assert serious(visitor) == [], "the booking page with extended hours"
        shot(visitor, "extended-booked-elder-phone")

        # The department's chief assigns a member of staff.
        chief = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(chief, srv.base, "chief_scjg", "Duty-Pass-2026")
        chief.goto(srv.base + "/center/hall-rules#extended")
        booking = chief.locator("#extended article.booking").first
        assert "孙丽" in booking.inner_text() and "未安排" in booking.inner_text()
        with chief.expect_navigation():
            booking.locator("button[id^=assign-]").click()
        assert "已安排工作人员" in chief.locator(".flash").first.inner_text()
        assert "赵敏" in chief.locator("#extended article.booking").first.inner_text()
        assert serious(chief) == [], "the hall-rules page"
        shot(chief, "extended-assigned")

        # A citizen complains that a clerk said a banned phrase; the page counts it.
        citizen = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
        citizen.goto(srv.base + "/hall/DL010200/complaints")
        citizen.check("input[name=kind][value=complaint]")
        citizen.fill("#a-text", "窗口人员说不归他管，让我去别处问")
        citizen.select_option("#a-phrase", "不归我管。")
        citizen.fill("#a-name", "周先生")
        citizen.fill("#a-phone", "13712345678")
        assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
        assert serious(citizen) == [], "the complaint form"
        shot(citizen, "complaint-form-phrase")
        with citizen.expect_navigation():
            citizen.click("#ask-submit")
        assert citizen.locator("#tracked-number").count() == 1, citizen.inner_text("main")[:500]
        shot(citizen, "complaint-cites-phrase")
        admin.goto(srv.base + "/center/hall-rules#courtesy")
        assert "不归我管。：1 件" in admin.locator("#cited").inner_text()
        admin.goto(srv.base + "/lang/en?back=" + urllib.parse.quote("/center/hall-rules#extended"))
        assert "Extended-hours bookings" in admin.inner_text("main")
        assert serious(admin) == [], "the hall-rules page in English"
        shot(admin, "extended-english")
        admin.goto(srv.base + "/lang/zh-CN?back=/")
    finally:
        srv.stop()
