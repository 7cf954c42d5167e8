"""国密 (issue 18) in real processes: a OneStop started with ONESTOP_CRYPTO=guomi seals an
applicant's details with SM4 (`sm4:` values), indexes the ID number with HMAC-SM3 and chains the
audit log with SM3; `onestop audit verify` checks it. A database made with the default is changed
over by `onestop keys rotate` with 国密 chosen; until then a 国密 start-up refuses, changing nothing,
and afterwards the chain (SHA-256 entries, then SM3 ones) still verifies and the ID number is
still found."""
import os
import sqlite3
import subprocess

from test_hall_processes import BIN, PASSWORD, Server, free_port, need


def run(args, env):
    return subprocess.run([BIN] + args, env=env, capture_output=True, text=True, timeout=120)


def make_case(server):
    token = server.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
    county = next(c for c in server.api("GET", "/api/v1/centers", token=token) if c["code"] == "DL010200")["id"]
    item = next(i for i in server.api("GET", "/api/v1/items?limit=1000", token=token) if i["name"] == "食品经营许可证核发")
    guide = server.api("GET", f"/api/v1/items/{item['id']}", token=token)["guide"]
    marks = [{"status": "provided" if m["need"] == "required" else "not_applicable"} for m in guide["materials"]]
    return server.api("POST", "/api/v1/cases", {
        "center": county, "item": item["code"], "materials": marks,
        "applicant": {"kind": "person", "name": "王五", "idNumber": "11010519491231002X", "phone": "13800138000"},
    }, token), token


class GuoMiServer(Server):
    def __init__(self, name, port, database, suite):
        super().__init__(name, port, database)
        self.suite = suite

    def start(self):
        os.environ["ONESTOP_CRYPTO"] = self.suite
        try:
            return super().start()
        finally:
            del os.environ["ONESTOP_CRYPTO"]


def test_guomi_from_the_start_and_by_change_over(tmp_path):
    need()
    path = tmp_path / "gm.sqlite"
    server = GuoMiServer("guomi", free_port(), f"sqlite://{path}", "guomi").start()
    try:
        make_case(server)
    finally:
        server.stop()
    db = sqlite3.connect(path)
    name, number, index = db.execute("SELECT name, id_number, id_number_index FROM applicants WHERE id_number <> ''").fetchone()
    assert name.startswith("sm4:") and number.startswith("sm4:") and index.startswith("sm3:")
    hashes = [h for (h,) in db.execute("SELECT hash FROM audit_entries ORDER BY seq")]
    assert hashes and all(h.startswith("sm3:") for h in hashes)
    db.close()
    env = dict(os.environ, ONESTOP_DATABASE_URL=f"sqlite://{path}", ONESTOP_CRYPTO="guomi")
    out = run(["audit", "verify"], env)
    assert out.returncode == 0 and "(SM3)" in out.stdout, out.stdout + out.stderr

    # The default first, then the change-over.
    path = tmp_path / "std.sqlite"
    server = GuoMiServer("guomi-before", free_port(), f"sqlite://{path}", "standard").start()
    try:
        case, _ = make_case(server)
    finally:
        server.stop()
    env = dict(os.environ, ONESTOP_DATABASE_URL=f"sqlite://{path}", ONESTOP_CRYPTO="guomi")
    refused = run(["serve"], env)
    assert refused.returncode != 0 and "keys rotate" in (refused.stdout + refused.stderr)
    rotated = run(["keys", "rotate"], env)
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    assert "Indexed" in rotated.stdout
    db = sqlite3.connect(path)
    left = db.execute("SELECT COUNT(*) FROM applicants WHERE id_number <> '' AND id_number NOT LIKE 'sm4:%'").fetchone()[0]
    assert left == 0
    db.close()
    out = run(["audit", "verify"], env)
    assert out.returncode == 0 and "SHA-256, then" in out.stdout, out.stdout + out.stderr
    server = GuoMiServer("guomi-after", free_port(), f"sqlite://{path}", "guomi").start()
    try:
        token = server.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        found = server.api("GET", "/api/v1/applicants/lookup?kind=person&idNumber=11010519491231002X", token=token)
        assert found["found"] and found["name"] == "王五" and found["cases"] >= 1, found
        shown = server.api("GET", f"/api/v1/cases/{case['id']}", token=token)
        assert shown["applicant"]["name"] == "王五"
    finally:
        server.stop()
