#!/usr/bin/env python3
"""A full disk under SQLite (issue 18). OneStop's database on a small tmpfs the script mounts (root
only); a writer creates windows and a reader lists them while a filler file takes the disk's last
bytes, then the filler is deleted.

Checked, and the exit status is 1 if any fails:
  - while the disk is full, writes are refused with 507 and the message saying so (never another
    5xx), and reads keep answering 200;
  - after space is freed, writes succeed again without a restart;
  - every acknowledged write is there, `PRAGMA integrity_check` says ok and the audit chain verifies.

    bench/diskfull.py [BIN]
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/onestop"
PORT = 18098
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "DiskFull12345"
if os.getuid() != 0:
    sys.exit("needs root to mount a small filesystem")
mnt = tempfile.mkdtemp(prefix="onestop-diskfull-")
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mnt], check=True)
env = dict(os.environ, ONESTOP_DATABASE_URL=f"sqlite://{mnt}/db.sqlite", ONESTOP_PORT=str(PORT),
           ONESTOP_ADMIN_PASSWORD=PASSWORD, ONESTOP_DEMO_HALL_HISTORY="false", LOG_LEVEL="error")
server = subprocess.Popen([BIN, "serve"], env=env, stdout=open("/tmp/onestop-diskfull.log", "w"), stderr=subprocess.STDOUT)


def call(method, path, token=None, body=None):
    req = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def free():
    s = os.statvfs(mnt)
    return s.f_bavail * s.f_frsize


try:
    for _ in range(300):
        try:
            if call("GET", "/healthz")[0] == 200:
                break
        except Exception:
            time.sleep(0.2)
    token = call("POST", "/api/v1/auth/login", body={"username": "admin", "password": PASSWORD})[1]["token"]
    county = [c for c in call("GET", "/api/v1/centers", token)[1] if c["code"] == "DL010200"][0]["id"]
    acknowledged, failures, n = [], [], 3000

    def write():
        global n
        n += 1
        status, body = call("POST", "/api/v1/windows", token, {"centerID": county, "number": n, "name": f"窗口{n}", "kind": "comprehensive"})
        if status == 201:
            acknowledged.append(n)
        return status, body

    for _ in range(20):
        assert write()[0] == 201
    # Take the disk's last bytes.
    with open(mnt + "/filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    full_answers = {}
    refused_message = None
    for _ in range(60):
        status, body = write()
        full_answers[status] = full_answers.get(status, 0) + 1
        if status == 507:
            refused_message = (body or {}).get("detail")
        elif status != 201:
            failures.append(f"while full: a write answered {status}: {body}")
    if 507 not in full_answers:
        failures.append(f"no write was refused with 507 on a full disk ({full_answers}, {free()} bytes free)")
    reads = [call("GET", f"/api/v1/windows?centerID={county}", token)[0] for _ in range(10)]
    if any(r != 200 for r in reads):
        failures.append(f"reads while full: {reads}")
    os.remove(mnt + "/filler")
    time.sleep(0.5)
    after = [write()[0] for _ in range(10)]
    if any(s != 201 for s in after):
        failures.append(f"writes after space was freed: {after}")
    present = {w["number"] for w in call("GET", f"/api/v1/windows?centerID={county}", token)[1]}
    lost = sorted(set(acknowledged) - present)
    if lost:
        failures.append(f"acknowledged writes lost: {lost}")
    audit = call("GET", "/api/v1/audit/verify", token)[1]
    if not audit["intact"]:
        failures.append(f"audit chain broken: {audit['problem']}")
    server.terminate()
    server.wait()
    integrity = subprocess.run(["python3", "-c", f"import sqlite3; print(sqlite3.connect('{mnt}/db.sqlite').execute('PRAGMA integrity_check').fetchone()[0])"],
                               capture_output=True, text=True).stdout.strip()
    if integrity != "ok":
        failures.append(f"integrity_check: {integrity}")
    print(json.dumps({"answers_while_full": full_answers, "message": refused_message, "writes_after_freeing": after,
                      "acknowledged": len(acknowledged), "lost": len(lost), "integrity": integrity,
                      "audit_entries": audit["checked"], "failures": failures}, ensure_ascii=False, indent=1))
    sys.exit(1 if failures else 0)
finally:
    if server.poll() is None:
        server.terminate()
        server.wait()
    subprocess.run(["umount", mnt])
    os.rmdir(mnt)
