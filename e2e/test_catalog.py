import re
from conftest import BASE, shot, sign_in


def test_search_food_and_open_the_guide(page):
    page.goto(BASE + "/hall/DL010200")
    page.fill("#q", "食品")
    page.press("#q", "Enter")
    page.wait_for_load_state()
    first = page.locator("ol.results li a.result-name").first
    assert first.inner_text().startswith("食品经营许可")
    # One entry per service: its sub-item, and that one's handling items as 新办, 变更…
    assert page.locator("ol.results li a.result-name", has_text="食品经营许可证核发").count() == 0
    sub = page.locator("ol.results .children li", has_text="食品经营许可证核发").first
    sub.locator("a.chip", has_text="新办").click()
    assert page.locator("h1").inner_text() == "食品经营许可证核发（新办）"
    for text in ["承诺时限", "法定时限", "申请材料", "办理流程", "咨询电话", "监督投诉电话", "服务承诺"]:
        assert page.get_by_text(text).first.is_visible(), text
    shot(page, "guide")


def test_kiosk_finds_by_pinyin_initials_from_its_keyboard(page):
    page.goto(BASE + "/kiosk/DL010200")
    page.goto(BASE + "/search?center=DL010200&q=")
    for key in "yyzz":
        page.click(f".osk button:text-is('{key}')")
    page.click(".osk button:text-is('搜索')")
    page.wait_for_url("**q=yyzz**")
    names = page.locator("ol.results li a.result-name").all_inner_texts()
    assert "个体工商户登记" in names and "企业登记" in names
    # Items that only ask for a business licence are listed apart, under their own heading.
    page.fill("#q", "营业执照")
    page.press("#q", "Enter")
    page.wait_for_load_state()
    assert page.locator("h2.results-related").is_visible()
    shot(page, "kiosk-pinyin")
    page.goto(BASE + "/kiosk/DL010200/exit")


def test_print_the_checklist(page):
    page.goto(BASE + "/guide/DL010200-SCJG-002-01-1")
    page.check("#m-1")
    page.click("#checklist-link")
    assert page.locator("h1").inner_text() == "申请材料核对清单"
    rows = page.locator("table.checklist-table tbody tr")
    assert rows.count() >= 5
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("#print-checklist").is_visible()
    assert rows.first.is_visible()
    page.pdf(path="test-output/checklist.pdf", format="A4")
    shot(page, "checklist-print")


def test_typo_gets_suggestions_and_nothing_gets_help(page):
    page.goto(BASE + "/search?center=DL010200&q=食品经营许可证核法")
    assert "您是不是要找" in page.locator(".notice").inner_text()
    assert page.locator("ol.results li").count() > 0
    page.goto(BASE + "/search?center=DL010200&q=火箭发射")
    assert page.locator(".empty .chip").count() >= 5


def test_kiosk_returns_home_when_idle(page):
    page.goto(BASE + "/kiosk/DL010200?idle=15")
    assert page.url.endswith("/hall/DL010200")
    assert page.locator("body.kiosk").count() == 1
    # The on-screen keyboard types a whole word into the search box.
    page.locator(".osk button", has_text="身份证").first.click()
    assert page.input_value("#q") == "身份证"
    page.click("form.search-box button[type=submit]")
    page.wait_for_url(re.compile(r"/search"))
    page.wait_for_url(re.compile(r"/hall/DL010200$"), timeout=25000)
    shot(page, "kiosk-home")
    page.goto(BASE + "/kiosk/DL010200/exit")
    assert page.locator("body.kiosk").count() == 0


def test_elder_mode_persists(page):
    page.goto(BASE + "/hall/DL010200")
    base_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("#elder-switch")
    page.goto(BASE + "/guide/DL010200-GA-001-01")
    assert page.locator("body.elder").count() == 1
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > base_size
    shot(page, "elder-guide")
    page.click("#elder-switch")
    assert page.locator("body.elder").count() == 0


def test_admin_edits_a_published_item_as_a_draft_then_publishes(page):
    sign_in(page)
    page.goto(BASE + "/search?center=DL010200&q=居民身份证换领")
    page.goto(BASE + "/api/v1/items/search?q=居民身份证换领")
    item_id = re.search(r'"id":"([0-9A-F-]+)"', page.content()).group(1)
    page.goto(BASE + f"/admin/items/{item_id}")
    page.fill("#field-promisedDays", "15")
    page.click("text=保存草稿")
    assert "现行版本不变" in page.locator(".flash").inner_text()
    page.goto(BASE + "/guide/DL010200-GA-001-01")
    assert "20 个工作日" in page.locator(".key-facts").inner_text()
    page.goto(BASE + f"/admin/items/{item_id}")
    page.click("#publish")
    page.goto(BASE + "/guide/DL010200-GA-001-01")
    assert "15 个工作日" in page.locator(".key-facts").inner_text()
    assert "第 2 版" in page.locator("p.meta").inner_text()


def test_import_dry_run_lists_bad_rows(page, tmp_path):
    sign_in(page)
    csv = tmp_path / "items.csv"
    csv.write_text("code,name,type\nE2E-1,,行政许可\nE2E-2,乙,火箭\n", encoding="utf-8")
    page.goto(BASE + "/admin/items/import")
    page.set_input_files("#field-file", str(csv))
    page.click("form.form button[type=submit]")
    table = page.locator("#import-errors")
    assert table.is_visible()
    text = table.inner_text()
    assert "名称：必填" in text and "事项类型：请从列表中选择" in text
    shot(page, "import-dry-run")
