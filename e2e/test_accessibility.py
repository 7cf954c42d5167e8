"""axe-core (WCAG 2.1 A and AA, which GB/T 37668-2019 follows) over every main page, public and
signed in, in 长辈模式 too: the test fails on any serious or critical violation and names it."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import BASE, sign_in

PUBLIC = [
    "/", "/hall/DL010200", "/search?q=%E9%A3%9F%E5%93%81", "/guide/DL010200-SCJG-002-01?center=DL010200",
    "/guide/DL010200-SCJG-002-01/checklist?center=DL010200", "/hall/DL010200/queue", "/hall/DL010200/book", "/hall/DL010200/board",
    "/track", "/login", "/register", "/hall/DL010200/ratings", "/verify", "/verify?number=x&code=y",
    "/hall/DL010200/queue?item=DL010200-SCJG-002-01-1", "/brands", "/brands/notices", "/hall/DL010200/courtesy",
    "/hall/DL010200/home-visit",
]
SIGNED_IN = [
    "/admin/centers", "/admin/windows", "/admin/staff", "/admin/users", "/admin/items", "/admin/calendar", "/admin/audit",
    "/admin/hall", "/admin/hall-groups", "/manage/hall", "/manage/hall/report", "/desk", "/cases", "/cases/new", "/inquiries",
    "/projects", "/supervision", "/supervision/cards", "/supervision/anomalies", "/inbox", "/admin/departments", "/admin/bundles",
    "/manage/hall/report?from=2026-11-02&to=2026-12-01", "/manage/hall/forecast",
    "/cases/new?item=DL010200-SCJG-002-01-1&center=DL010200", "/account/two-factor", "/ratings", "/brands/manage",
    "/center/duty", "/center/conduct", "/center/staff", "/center/leave", "/center/hall-rules", "/center/admissions",
]
AXE = Axe()


def serious(page):
    result = AXE.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    out = []
    for v in result.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            targets = [" ".join(n["target"]) for n in v["nodes"][:3]]
            out.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return out


@pytest.mark.parametrize("elder", [False, True])
def test_public_pages_have_no_serious_violations(page, elder):
    if elder:
        page.goto(BASE + "/elder/on?back=%2F")
    problems = {}
    for path in PUBLIC:
        page.goto(BASE + path)
        found = serious(page)
        if found:
            problems[path] = found
    assert not problems, problems


def test_signed_in_pages_have_no_serious_violations(page):
    sign_in(page)
    problems = {}
    for path in SIGNED_IN:
        page.goto(BASE + path)
        found = serious(page)
        if found:
            problems[path] = found
    assert not problems, problems
