"""Cases through the browser: a window takes in an application with a material missing, asks for it,
records it, accepts, reviews, decides and delivers; every notice opens as an A4 page; the applicant
tracks the case by number without signing in; the pages work by keyboard at 200 % zoom."""
import re
import time

from conftest import ADMIN_PASSWORD, BASE, select_by_text, shot, sign_in

PERSON_ID = "11010519491231002X"


def _api(method, path, body=None, token=None):
    import json
    import urllib.request
    req = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    req.add_header("accept", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read() or b"null")


def decide_as_another(page, licence=None):
    """Whoever accepted a 承诺件 may not decide it (受理与审批分离, the center's default): the page says
    so, and a second administrator decides."""
    assert "不能办理的操作" in page.inner_text("main")
    assert page.locator("form[action$='/decide']").count() == 0
    token = _api("POST", "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})["token"]
    county = next(c for c in _api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
    try:
        _api("POST", "/api/v1/users", {"username": "e2e_decider", "displayName": "审批人", "password": "Decide-2026-pass",
                                       "role": "center_admin", "centerID": county}, token)
    except Exception:
        pass  # a second run on the same database
    url = page.url
    page.context.clear_cookies()  # signed out: the sign-in page serves only those not signed in
    sign_in(page, "e2e_decider", "Decide-2026-pass")
    page.goto(url)
    fields = {"textarea[name=reason]": "经审查符合条件"}
    if licence:
        fields["input[name=licenceNumber]"] = licence
    submit_move(page, "decide", fields)


def check_all(page):
    """Every material starts unchecked: the clerk marks each one (required ones provided,
    conditional ones not applicable) before taking the application in."""
    rows = page.locator("table.checklist-table tbody tr")
    for i in range(rows.count()):
        row = rows.nth(i)
        required = "必需" in row.locator("th .tag").inner_text()
        row.locator("select").select_option("provided" if required else "not_applicable")


def take_in(page, name):
    page.goto(BASE + "/cases/new")
    select_by_text(page, "#n-center", "石桥县")
    page.click("form.filters button")
    # The item field searches: a name typed (or picked from its list) finds the item.
    page.fill("#n-item", "食品经营许可证核发")
    page.click("form.filters button")
    page.fill("#a-name", name)
    page.fill("#a-id", PERSON_ID)
    page.fill("#a-phone", "13800138000")
    check_all(page)
    page.select_option("select[name=m2]", "missing")
    page.fill("input[name=n2]", "请提供营业执照原件")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/[0-9A-F-]{36}$"))
    return page.url


def submit_move(page, action, fill=None):
    form = page.locator(f"form[action$='/{action}']")
    details = form.locator("xpath=ancestor::details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for selector, value in (fill or {}).items():
        target = form.locator(selector)
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_window_case_from_intake_to_delivery(page):
    sign_in(page)
    url = take_in(page, "张三")
    assert "已收件" in page.inner_text("body")
    number = page.inner_text("h1").split(" ")[0]
    shot(page, "case-received")

    # The supplement form opens by itself when a material is missing; it lists the missing one.
    submit_move(page, "request_supplement")
    assert "待补正" in page.inner_text(".page-head")
    submit_move(page, "supply_materials", {"select[name=m2]": "provided"})
    submit_move(page, "accept")
    assert "已受理" in page.inner_text(".page-head")
    submit_move(page, "start_review")
    submit_move(page, "suspend", {"input[name=procedure]": "专家评审", "textarea[name=reason]": "需专家论证设备布局"})
    assert "计时暂停" in page.inner_text("body")
    submit_move(page, "resume")
    licence = "JY" + str(int(time.time() * 1000))  # unique on a database the tests ran on before
    decide_as_another(page, licence=licence)
    assert "准予许可" in page.inner_text(".page-head")
    assert licence in page.inner_text(".facts")
    # The approval issued the 食品经营许可证 as an electronic licence: downloadable, and valid on
    # the public verification page, where the file checks against the stored hash.
    with page.expect_download() as dl:
        page.click("a[href^='/licences/']")
    pdf_path = dl.value.path()
    verify = page.context.browser.new_context(locale="zh-CN").new_page()
    verify.goto(page.get_attribute("a[href*='/verify/']", "href"))
    assert "有效" in verify.inner_text(".verify-result h2") and "食品经营许可证" in verify.inner_text("h2")
    verify.set_input_files("#v-file", pdf_path)
    with verify.expect_navigation():
        verify.click("form[enctype] button[type=submit]")
    assert "文件与平台存档完全一致" in verify.inner_text("main")
    shot(verify, "licence-verify")
    verify.context.close()
    submit_move(page, "deliver")
    assert "已送达办结" in page.inner_text(".page-head")
    shot(page, "case-delivered")

    links = page.locator("a[href^='/notices/']")
    kinds = [links.nth(i).inner_text() for i in range(links.count())]
    assert kinds == ["服务告知单", "补正材料通知书", "受理通知书", "特殊程序期限告知书", "准予行政许可决定书", "送达回执"]
    serials = [links.nth(i).get_attribute("href") for i in range(links.count())]
    notice = page.context.new_page()
    for kind, href in zip(kinds, serials):
        notice.goto(BASE + href)
        assert number in notice.inner_text("body")
        # The tracking QR code; the decision and the receipt also carry the case's rating QR code.
        rated = kind in ("准予行政许可决定书", "送达回执")
        assert notice.locator("svg").count() == (2 if rated else 1)
        assert (notice.locator("#notice-rate").count() == 1) == rated
    # The department's authority signs, above the seal; the 受理通知书 lists what was received;
    # the decision prints the licence number.
    notice.goto(BASE + serials[2])
    assert "收到的申请材料如下" in notice.inner_text("body")
    assert notice.inner_text(".authority") == "石桥县市场监督管理局"
    shot(notice, "case-notice-acceptance")
    notice.goto(BASE + serials[4])
    assert "证照（批准文件）编号：" + licence in notice.inner_text("body")
    shot(notice, "case-notice-approval")
    notice.goto(BASE + serials[1])
    assert "请提供营业执照原件" in notice.inner_text("body")
    notice.emulate_media(media="print")
    shot(notice, "case-notice-supplement-print")
    pdf = notice.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    notice.close()

    # 张三 comes back: the ID number alone finds them, fills the name and names the licence they hold.
    page.goto(BASE + "/cases/new?item=DL010200-SCJG-002-01-1&center=DL010200")
    page.fill("#a-id", PERSON_ID)
    page.wait_for_selector("#applicant-lookup:not([hidden])")
    found = page.inner_text("#applicant-lookup")
    assert "已登记：张三" in found and "食品经营许可证 " + licence in found, found
    assert page.input_value("#a-name") == "张三"
    shot(page, "case-intake-lookup")

    # Tracking without signing in shows the timeline, with the name masked.
    anon = page.context.browser.new_context(locale="zh-CN").new_page()
    anon.goto(BASE + "/track?number=" + number)
    assert anon.input_value("#t-number") == number
    anon.fill("#t-tail", "002X")
    with anon.expect_navigation():
        anon.keyboard.press("Enter")
    body = anon.inner_text("main")
    assert "已送达办结" in body and "张*" in body and PERSON_ID not in body
    assert anon.locator(".timeline li").count() == 9  # received … delivered
    shot(anon, "case-track")
    anon.context.close()


def test_case_page_by_keyboard_at_200_percent(browser):
    # A 1280 px window at 200 % zoom lays out as 640 CSS px.
    context = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    sign_in(page)
    take_in(page, "李四")
    # The open form's checklist is reachable by Tab alone.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == "m1":
            break
    else:
        raise AssertionError("the checklist was not reached by keyboard")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    # The page itself does not scroll sideways; wide tables scroll inside their own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    shot(page, "case-zoom-200")
    assert overflow <= 1
    context.close()


def test_apply_online_through_supplement_and_approval_to_tracking(page, browser, tmp_path):
    pdf = tmp_path / "申请书.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    exe = tmp_path / "营业执照.pdf"
    exe.write_bytes(b"MZ\x90\x00 not a pdf")
    person = "110105194912310038"
    # Register and sign in with the ID number.
    page.goto(BASE + "/register")
    page.fill("#r-name", "李四")
    page.fill("#r-id", person)
    page.fill("#r-phone", "13900139000")
    page.fill("#r-password", "Apply-2026-pass")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    if "注册成功" not in page.inner_text("main"):
        assert "已注册" in page.inner_text("main")  # a second run on the same database
    sign_in(page, person, "Apply-2026-pass")
    page.goto(BASE + "/apply")
    select_by_text(page, "#p-center", "石桥县")
    page.click("form.filters button")
    select_by_text(page, "#p-item", "食品经营许可证核发")
    page.click("form.filters button")
    required = page.locator("input[type=file]").count() - 1  # the last one is conditional
    for n in range(1, required + 1):
        page.set_input_files(f"#f-{n}", str(exe if n == 2 else pdf))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "只能上传 PDF、JPG 或 PNG 文件" in page.inner_text(".error-summary")
    shot(page, "apply-wrong-type")
    for n in range(1, required + 1):
        page.set_input_files(f"#f-{n}", str(pdf))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "申请已提交" in page.inner_text("main")
    case_url = page.url
    assert page.locator("a[download]").count() == required

    # The window asks for material 2 again; the applicant answers by upload.
    staff = browser.new_context(locale="zh-CN").new_page()
    sign_in(staff)
    staff.goto(case_url)
    submit_move(staff, "request_supplement", {"select[name=m2]": "defective", "input[name=n2]": "扫描件不清晰"})
    assert "待补正" in staff.inner_text(".page-head")
    page.goto(case_url)
    assert "扫描件不清晰" in page.inner_text("#c-upload + form")
    page.set_input_files("#u-2", str(pdf))
    with page.expect_navigation():
        page.click("form[action$='/upload'] button[type=submit]")
    assert "已提交" in page.inner_text(".page-head")
    assert page.locator("a[download]").count() == required + 1
    shot(page, "apply-supplied")

    # The window accepts, reviews and approves; the applicant sees the decision.
    staff.goto(case_url)
    submit_move(staff, "accept")
    assert "已受理" in staff.inner_text(".page-head")
    submit_move(staff, "start_review")
    decide_as_another(staff)
    assert "准予许可" in staff.inner_text(".page-head")
    staff.context.close()
    page.goto(case_url)
    assert "准予许可" in page.inner_text(".page-head")
    number = page.inner_text("h1").split(" ")[0]

    # Every notice of the case, printable, each with the tracking QR code.
    links = page.locator("a[href^='/notices/']")
    kinds = [links.nth(i).inner_text() for i in range(links.count())]
    assert kinds == ["服务告知单", "补正材料通知书", "受理通知书", "准予行政许可决定书"], kinds
    notice = page.context.new_page()
    for i in range(links.count()):
        notice.goto(BASE + links.nth(i).get_attribute("href"))
        assert number in notice.inner_text("body")
        assert notice.locator("svg").count() == (2 if kinds[i] == "准予行政许可决定书" else 1)
    assert "决定准予行政许可" in notice.inner_text("body")
    assert "/rate/" in notice.inner_text("#notice-rate")
    notice.emulate_media(media="print")
    shot(notice, "apply-approval-print")
    assert notice.pdf(format="A4")[:4] == b"%PDF"
    notice.close()

    # Tracking without signing in: the whole timeline, the name masked.
    anon = browser.new_context(locale="zh-CN").new_page()
    anon.goto(BASE + "/track?number=" + number)
    anon.fill("#t-tail", person[-4:])
    with anon.expect_navigation():
        anon.keyboard.press("Enter")
    body = anon.inner_text("main")
    assert "准予许可" in body and "李*" in body and person not in body
    assert anon.locator(".timeline li").count() == 6  # submitted, supplement asked, supplied, accepted, review, approved
    shot(anon, "apply-track")
    anon.context.close()
