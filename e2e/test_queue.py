"""The hall end to end, with several pages open at once: a visitor takes a ticket at the kiosk,
a clerk calls it at the console, the hall board shows it, the window's evaluator rates it."""
import datetime
import json
import urllib.request

from playwright.sync_api import expect

from conftest import ADMIN_PASSWORD, BASE, shot, skip_two_factor


def api(method, path, body=None, token=None):
    req = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    req.add_header("accept", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read() or b"null")


def open_hall_today():
    """The hall takes tickets only on working days: make today one if it is not."""
    token = api("POST", "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})["token"]
    county = next(c for c in api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
    if not api("GET", f"/api/v1/centers/{county}/calendar/days/{today}")["isWorkingDay"]:
        api("PUT", f"/api/v1/centers/{county}/calendar/days/{today}", {"kind": "makeup_workday", "name": "e2e"}, token)
    return token, county


def test_ticket_call_board_rating(browser):
    token, county = open_hall_today()
    window = next(w for w in api("GET", f"/api/v1/windows?centerID={county}", token=token) if w["number"] == 10)["id"]
    device = api("POST", "/api/v1/devices", {"label": "e2e 评价器", "role": "window_evaluator", "centerID": county, "windowID": window}, token)["token"]

    def window_row():
        rows = api("GET", f"/api/v1/centers/{county}/queue/report?by=window", token=token)["rows"]
        return next((r for r in rows if r["key"].lower() == window.lower()), {"ratings": 0, "badRatings": 0})

    before = window_row()
    board = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN").new_page()
    board.goto(BASE + "/hall/DL010200/board")
    evaluator = browser.new_context(viewport={"width": 1024, "height": 700}, locale="zh-CN").new_page()
    evaluator.goto(BASE + f"/evaluator/{window}#token={device}")

    visitor = browser.new_context(viewport={"width": 420, "height": 860}, locale="zh-CN").new_page()
    visitor.goto(BASE + "/kiosk/DL010200?idle=300")
    visitor.goto(BASE + "/hall/DL010200/queue")
    visitor.click("#take-F")
    visitor.wait_for_url("**/t/**")
    number = visitor.inner_text("#ticket-number")
    assert number.startswith("F")
    shot(visitor, "queue-ticket")

    clerk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    clerk.goto(BASE + "/login")
    clerk.fill("#username", "admin")
    clerk.fill("#password", ADMIN_PASSWORD)
    clerk.click("button[type=submit]")
    clerk.wait_for_load_state()
    skip_two_factor(clerk)
    clerk.goto(BASE + "/desk")
    if clerk.locator("[data-page=desk]").count() == 0:
        clerk.click("text=10 · ")
    clerk.wait_for_selector("[data-page=desk][data-window]")
    assert "10" in clerk.inner_text(".desk-head")
    clerk.wait_for_timeout(500)
    clerk.keyboard.press("n")
    expect(clerk.locator("[data-field=number]")).to_have_text(number)

    # The board hears the call over its WebSocket, and the visitor's page follows the ticket.
    expect(board.locator("#board-calls")).to_contain_text(number)
    shot(board, "queue-board")
    expect(visitor.locator("[data-field=state]")).to_contain_text("10")

    clerk.keyboard.press("s")
    # While the visitor is served, the console offers to take in an application for this ticket.
    expect(clerk.locator("#desk-intake")).to_be_visible()
    assert "ticket=" in clerk.locator("#desk-intake").get_attribute("href")
    clerk.wait_for_timeout(300)
    clerk.keyboard.press("f")
    expect(clerk.locator("#desk-intake")).to_be_hidden()
    evaluator.wait_for_selector("#ev-ask:not([hidden])")
    assert number in evaluator.inner_text("#ev-number")
    evaluator.click("button.lv2")
    evaluator.wait_for_selector("#ev-tags:not([hidden])")
    evaluator.click("text=服务态度差")
    evaluator.click("#ev-send")
    evaluator.wait_for_selector("#ev-thanks:not([hidden])")

    token_follow = visitor.url.split("/t/")[1].split("?")[0]
    t = api("GET", f"/api/v1/tickets/follow/{token_follow}")
    assert t["state"] == "finished" and t["rated"] is True
    # Rated at the window: the visitor's page does not ask again.
    expect(visitor.locator("#rate")).to_be_hidden()

    # The rating appears in the managers' report, on window 10's row: one more rating, a bad one.
    clerk.goto(BASE + f"/manage/hall/report?center={county}&by=window")
    row = clerk.locator("#queue-report tbody tr", has_text="10 号窗口")
    expect(row).to_have_count(1)
    cells = row.locator("td").all_inner_texts()
    assert cells[9] == str(before["ratings"] + 1) and cells[12] == str(before["badRatings"] + 1), cells
    shot(clerk, "queue-report")
    clerk.goto(BASE + f"/manage/hall?center={county}")
    expect(clerk.locator("#manage-live")).to_contain_text("10 号窗口")
    shot(clerk, "queue-manage")


def test_hall_setup_pages(page):
    """An administrator changes the board notice; a mistake is shown beside its field."""
    token, county = open_hall_today()
    from conftest import sign_in
    sign_in(page)
    page.goto(BASE + f"/admin/hall?center={county}")
    page.fill("#field-ratingTimeout", "2")
    page.click("button.primary")
    expect(page.locator("#error-summary")).to_contain_text("5 到 600 秒")
    shot(page, "queue-settings-error")
    page.fill("#field-ratingTimeout", "30")
    page.fill("#field-notice", "e2e 通知：今天正常办公")
    page.click("button.primary")
    page.wait_for_url("**/admin/hall?center=*")
    assert api("GET", "/api/v1/centers/DL010200/queue")["notice"] == "e2e 通知：今天正常办公"
    page.goto(BASE + f"/admin/hall-groups?center={county}")
    expect(page.locator("table")).to_contain_text("综合受理")
    shot(page, "queue-groups")


def test_visitor_rates_from_the_ticket_page(browser):
    """No evaluator at the window: the visitor's own ticket page invites the rating once served."""
    token, county = open_hall_today()
    window = next(w for w in api("GET", f"/api/v1/windows?centerID={county}", token=token) if w["number"] == 1)["id"]
    try:
        api("POST", "/api/v1/users", {"username": "e2erate", "displayName": "评价测试", "password": "Clerk-Pass-2026",
                                      "role": "window_staff", "centerID": county}, token)
    except Exception:
        pass
    clerk = api("POST", "/api/v1/auth/login", {"username": "e2erate", "password": "Clerk-Pass-2026"})["token"]
    api("POST", f"/api/v1/windows/{window}/sign-in", token=clerk)
    ticket = api("POST", "/api/v1/tickets", {"center": "DL010200", "group": "A"})
    visitor = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN").new_page()
    visitor.goto(BASE + ticket["followURL"])
    expect(visitor.locator("#rate")).to_be_hidden()
    for _ in range(20):
        called = api("POST", f"/api/v1/windows/{window}/call-next", token=clerk)["ticket"]
        assert called, "the ticket was never called"
        for action in ("start", "finish"):
            api("POST", f"/api/v1/tickets/{called['id']}/{action}", {"window": window}, clerk)
        if called["id"] == ticket["id"]:
            break
    expect(visitor.locator("[data-field=state]")).to_contain_text("办理完毕")
    expect(visitor.locator("#rate")).to_be_visible()
    # A bad rating needs its reason: refused without, in words, and nothing is stored.
    visitor.check("input[name=level][value='2']")
    visitor.click("#rate-form button[type=submit]")
    expect(visitor.locator("#rate-errors")).to_be_visible()
    assert api("GET", ticket["followURL"].replace("/t/", "/api/v1/tickets/follow/"))["rated"] is False
    visitor.check("input[name=level][value='5']")
    visitor.fill("#rate-text", "窗口服务很好")
    shot(visitor, "ticket-rating")
    visitor.click("#rate-form button[type=submit]")
    expect(visitor.locator("#rate-thanks")).to_be_visible()
    assert api("GET", ticket["followURL"].replace("/t/", "/api/v1/tickets/follow/"))["rated"] is True
    api("POST", f"/api/v1/windows/{window}/sign-out", token=clerk)


def test_booking_at_phone_width(browser):
    """A visitor books on a phone: labelled fields, past slots say so, a code to print and what to bring."""
    open_hall_today()
    page = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN").new_page()
    page.goto(BASE + "/hall/DL010200/book")
    page.wait_for_selector("#b-slots label, #b-slots p")
    assert page.locator("label[for=b-name]").inner_text() == "姓名"
    # Every field sits under its label at this width.
    name_box, label_box = page.locator("#b-name").bounding_box(), page.locator("label[for=b-name]").bounding_box()
    assert name_box["y"] >= label_box["y"] + label_box["height"] - 1
    for label in page.locator("#b-slots label.unavailable").all():
        assert "余" not in label.inner_text()
    # The first working day ahead with a free slot.
    day = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    for _ in range(10):
        day += datetime.timedelta(days=1)
        page.fill("#b-date", day.isoformat())
        page.dispatch_event("#b-date", "change")
        page.wait_for_timeout(300)
        if page.locator("#b-slots input:not([disabled])").count() > 0:
            break
    page.locator("#b-slots input:not([disabled])").first.check()
    page.fill("#b-name", "预约测试")
    page.fill("#b-id", "11010519491231002X")
    page.fill("#b-phone", "13800138000")
    page.click("#book-form button[type=submit]")
    expect(page.locator("#book-done")).to_be_visible()
    assert page.locator("#book-code").inner_text().strip() != ""
    expect(page.locator("#book-done")).to_contain_text("身份证件")
    expect(page.locator("#book-done button[data-print]")).to_be_visible()
    shot(page, "booking-done")


def test_closed_message_and_booking_page(page):
    open_hall_today()
    page.goto(BASE + "/hall/DL010200/book")
    page.wait_for_selector("#b-slots label, #b-slots p")
    shot(page, "queue-book")
    assert page.locator("#b-group option").count() >= 4
