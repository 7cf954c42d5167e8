import re
from conftest import ADMIN_PASSWORD, BASE, select_by_text, sign_in, shot


def test_sign_in_and_dashboard(page):
    sign_in(page)
    assert page.url == BASE + "/"
    assert page.locator("h1").inner_text() == "工作台"
    assert page.locator(".who").inner_text().startswith("admin")
    shot(page, "dashboard")


def test_wrong_password_is_refused(page):
    sign_in(page, password="not-the-password-1")
    assert page.locator("#login-error").inner_text() == "用户名或密码不正确。"


def test_create_window_and_see_it_listed(page):
    sign_in(page)
    page.goto(BASE + "/admin/windows")
    page.click("#new-link")
    select_by_text(page, "#field-centerID", "石桥县政务服务中心")
    page.wait_for_load_state()  # choosing a center reloads the form with its departments
    page.fill("#field-number", "31")
    page.fill("#field-name", "企业开办专窗")
    page.select_option("#field-kind", "comprehensive")
    page.click("button.primary")
    page.wait_for_load_state()
    assert page.locator(".flash").inner_text() == "已保存。"
    row = page.locator("tr", has_text="企业开办专窗")
    assert row.count() == 1
    assert "31号窗口" in row.inner_text()
    shot(page, "windows-after-create")


def test_validation_errors_are_named_and_focusable(page):
    sign_in(page)
    page.goto(BASE + "/admin/staff/new")
    page.fill("#field-name", "测试人员")
    page.fill("#field-idNumber", "110105194912310021")
    page.click("button.primary")
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    text = summary.inner_text()
    assert "工号：必填" in text and "岗位：必填" in text and "身份证号码校验位不正确" in text
    # The summary takes focus so a keyboard or screen-reader user lands on it.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#field-name").input_value() == "测试人员"
    assert page.locator("#field-idNumber").get_attribute("aria-invalid") == "true"
    shot(page, "staff-validation")


def test_language_switch_persists(page):
    sign_in(page)
    page.goto(BASE + "/admin/centers")
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Centers"
    page.goto(BASE + "/admin/windows")
    assert page.locator("h1").inner_text() == "Windows"
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "english")
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "窗口"


def test_keyboard_only_sign_in_and_skip_link(page):
    page.goto(BASE + "/login")
    # The username field has focus on arrival; the rest is typing, Tab and Enter.
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    page.keyboard.type(ADMIN_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The week of grace for two-step verification: "later" is reached by keyboard too.
    assert "/account/two-factor" in page.url
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "tf-skip":
            break
    assert page.evaluate("document.activeElement.id") == "tf-skip"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == BASE + "/"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_zoom_200_percent_and_phone_do_not_scroll_sideways(browser):
    # 200% zoom on a 1280-pixel screen lays out like a 640-pixel one.
    for width, scale in [(640, 2), (375, 1)]:
        ctx = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=scale)
        pg = ctx.new_page()
        sign_in(pg)
        for path in ["/", "/admin/windows", "/admin/staff/new", "/admin/calendar"]:
            pg.goto(BASE + path)
            overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        shot(pg, f"calendar-{width}")
        ctx.close()


def test_print_hides_navigation(page):
    sign_in(page)
    page.goto(BASE + "/admin/calendar")
    page.emulate_media(media="print")
    assert not page.locator("nav.main-nav").is_visible()
    assert page.locator(".month").first.is_visible()


def test_public_staff_profile_shows_five_publics_without_phone(page):
    sign_in(page)
    page.goto(BASE + "/admin/staff")
    select_by_text(page, "#filter-center", "石桥县政务服务中心")
    page.wait_for_load_state()
    href = page.locator("a", has_text="公开信息").first.get_attribute("href")
    page.context.clear_cookies()
    page.goto(BASE + href)
    text = page.locator("article.profile").inner_text()
    for label in ["亮身份", "亮职责", "亮承诺", "亮点评", "亮评议"]:
        assert label in text
    assert not re.search(r"1[3-9]\d{9}", page.content())
    shot(page, "staff-profile")
