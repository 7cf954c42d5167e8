"""Two-step verification (issue 18) in Chromium: a supervisor in the week of grace is asked to set
it up at sign-in, scans (here: reads) the QR code's key, confirms with a code, sees ten recovery
codes once; the next sign-in asks for a code; a recovery code works once; an administrator resets
it from the account page and the next sign-in must enrol again. Looked at on a phone (375 px), in
长辈模式 and in English."""
import base64
import hashlib
import hmac
import struct
import time

from conftest import shot, skip_two_factor
from test_hall_processes import PASSWORD, Server, free_port, need


def totp(secret, offset=0):
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    step = int(time.time() // 30) + offset
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def sign_in(page, base, username, password):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def sign_out(page):
    with page.expect_navigation():
        page.click("nav.account form button")


def test_a_supervisor_enrols_signs_in_with_a_code_and_is_reset(browser, tmp_path):
    need()
    server = Server("two-factor", free_port(), f"sqlite://{tmp_path}/db.sqlite").start()
    try:
        token = server.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in server.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
        sup = server.api("POST", "/api/v1/users", {"username": "jiancha", "displayName": "监察员", "password": "Super-Pass-2026",
                                                   "role": "supervisor", "centerID": county}, token)

        page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, server.base, "jiancha", "Super-Pass-2026")
        assert "/account/two-factor" in page.url
        assert page.locator("#tf-grace").is_visible() and page.locator("#tf-skip").is_visible()
        assert page.locator(".qr svg").count() == 1
        shot(page, "two-factor-enrol")
        page.set_viewport_size({"width": 375, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, "two-factor-enrol-375")
        page.set_viewport_size({"width": 1280, "height": 900})
        secret = page.inner_text("#tf-secret")
        page.fill("#code", "000000")
        with page.expect_navigation():
            page.click("#tf-confirm")
        assert page.locator("#tf-error").is_visible()
        page.fill("#code", totp(secret))
        with page.expect_navigation():
            page.click("#tf-confirm")
        codes = page.locator("#recovery-codes code").all_inner_texts()
        assert len(codes) == 10
        shot(page, "two-factor-codes")
        with page.expect_navigation():
            page.click("#tf-continue")
        sign_out(page)

        # The next sign-in asks for a code (the next step's: the one used to enrol is spent).
        sign_in(page, server.base, "jiancha", "Super-Pass-2026")
        assert page.url.endswith("/login/verify")
        shot(page, "two-factor-verify")
        page.fill("#code", totp(secret, 1))
        with page.expect_navigation():
            page.press("#code", "Enter")
        assert "/login" not in page.url
        assert page.locator("#two-factor-link").count() == 1
        sign_out(page)

        # A recovery code, in English and in 长辈模式.
        en = browser.new_context(locale="en", viewport={"width": 1280, "height": 900}).new_page()
        en.goto(server.base + "/elder/on?back=%2Flogin")
        en.click("#lang-switch")
        sign_in(en, server.base, "jiancha", "Super-Pass-2026")
        assert en.locator("h1").inner_text() == "Enter your verification code"
        shot(en, "two-factor-verify-en-elder")
        en.fill("#code", codes[0])
        with en.expect_navigation():
            en.click("button[type=submit]")
        assert en.url.endswith("/account/two-factor")
        assert "9" in en.locator(".flash").first.inner_text()
        en.context.close()

        # The administrator resets it from the account's page.
        admin = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        sign_in(admin, server.base, "admin", PASSWORD)
        skip_two_factor(admin)
        admin.goto(server.base + f"/admin/users/{sup['id']}")
        with admin.expect_navigation():
            admin.click("form[action$='two-factor-reset'] button")
        assert "重置两步验证" in admin.locator(".flash").first.inner_text()
        admin.context.close()

        sign_in(page, server.base, "jiancha", "Super-Pass-2026")
        assert page.url.endswith("/login/enrol")
        assert page.locator("#tf-skip").count() == 0
        shot(page, "two-factor-enrol-required")
        page.context.close()
    finally:
        server.stop()
