#!/usr/bin/env python3
"""PostgreSQL restarted in the middle of a hall day (issue 18). A throw-away cluster on loopback,
OneStop on it, and a mixed load: 4 writers creating windows, 4 readers listing centers and cases.
After 5 s PostgreSQL is stopped (fast shutdown) for DOWN seconds, then started again.

Checked, and the exit status is 1 if any fails:
  - while it is down every answer is a success (served without the database) or 503 with
    Retry-After: never another 5xx, never a hang (no request over 10 s);
  - after it returns, OneStop answers writes again within 5 s, by itself;
  - every write acknowledged (201) at any time is there at the end; the audit chain verifies;
  - the live boards resume: a second instance on the same database takes tickets before and after
    the outage, and the hall's live feed (`/ws/hall/…`, what the boards read) on the first instance
    receives each of them, through PostgreSQL's LISTEN/NOTIFY, which both instances reconnect.

    bench/pgrestart.py [BIN] [--down 10]
"""
import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

p = argparse.ArgumentParser()
p.add_argument("bin", nargs="?", default=".build/debug/onestop")
p.add_argument("--down", type=float, default=10.0)
a = p.parse_args()

PORT, PGPORT = 18097, 55447
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "Restart12345"
work = tempfile.mkdtemp(prefix="onestop-pgrestart-")
pgbin = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
PG = f"/usr/lib/postgresql/{pgbin}/bin/"
root = os.getuid() == 0


def pg(*args):
    cmd = [PG + args[0], *args[1:]]
    if root:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


if root:
    subprocess.run(["chown", "postgres", work], check=True)
pg("initdb", "-D", work + "/data", "-A", "trust", "-U", "postgres", "-E", "UTF8")
opts = f"-c listen_addresses=127.0.0.1 -p {PGPORT} -k {work}"


def pg_start():
    pg("pg_ctl", "-D", work + "/data", "-l", work + "/pg.log", "-w", "-o", opts, "start")


def pg_stop():
    pg("pg_ctl", "-D", work + "/data", "-m", "fast", "-w", "stop")


pg_start()
pg("createdb", "-h", "127.0.0.1", "-p", str(PGPORT), "-U", "postgres", "onestop")
keys = work + "/onestop.keys"
subprocess.run([a.bin, "keys", "new", keys], check=True, capture_output=True)
env = dict(os.environ, ONESTOP_DATABASE_URL=f"postgres://postgres@127.0.0.1:{PGPORT}/onestop?sslmode=disable",
           ONESTOP_DATA_KEY_FILE=keys, ONESTOP_PORT=str(PORT), ONESTOP_ADMIN_PASSWORD=PASSWORD, LOG_LEVEL="warning")
server = subprocess.Popen([a.bin, "serve"], env=env, stdout=open(work + "/server.log", "w"), stderr=subprocess.STDOUT)
other = None


class HallFeed(threading.Thread):
    """The board's live feed: a WebSocket read with the standard library (server frames are not
    masked; a text frame is one event)."""

    def __init__(self, port, center):
        super().__init__(daemon=True)
        self.events, self.sock = [], socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /ws/hall/{center} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        assert b" 101 " in head.split(b"\r\n")[0], head

    def read(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise EOFError
            out += chunk
        return out

    def run(self):
        try:
            while True:
                b0, b1 = self.read(2)
                size = b1 & 127
                if size == 126:
                    size = int.from_bytes(self.read(2), "big")
                elif size == 127:
                    size = int.from_bytes(self.read(8), "big")
                body = self.read(size)
                if b0 & 15 == 1:
                    self.events.append((time.time(), json.loads(body)))
                elif b0 & 15 == 9:  # ping: answer with a (masked) pong
                    self.sock.sendall(bytes([0x8A, 0x80 | len(body)]) + b"\0\0\0\0" + body)
                elif b0 & 15 == 8:
                    return
        except Exception:
            return

    def issued_since(self, t):
        return sum(1 for at, e in self.events if at >= t and e.get("kind") == "issued")


def call(method, path, token=None, body=None, timeout=15, base=BASE):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null"), dict(r.headers), time.perf_counter() - t0
    except urllib.error.HTTPError as e:
        return e.code, None, dict(e.headers), time.perf_counter() - t0


try:
    for _ in range(300):
        try:
            if call("GET", "/healthz")[0] == 200:
                break
        except Exception:
            time.sleep(0.2)
    token = call("POST", "/api/v1/auth/login", body={"username": "admin", "password": PASSWORD})[1]["token"]
    county = [c for c in call("GET", "/api/v1/centers", token)[1] if c["code"] == "DL010200"][0]["id"]
    # A second instance on the same database (started once the first has migrated it), whose
    # tickets the first one's board must hear of.
    other = subprocess.Popen([a.bin, "serve"], env=dict(env, ONESTOP_PORT=str(PORT + 1)), stdout=open(work + "/other.log", "w"),
                             stderr=subprocess.STDOUT)
    OTHER = f"http://127.0.0.1:{PORT + 1}"
    for _ in range(300):
        try:
            if call("GET", "/healthz", base=OTHER)[0] == 200:
                break
        except Exception:
            time.sleep(0.2)
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
    if not call("GET", f"/api/v1/centers/{county}/calendar/days/{today}")[1]["isWorkingDay"]:
        call("PUT", f"/api/v1/centers/{county}/calendar/days/{today}", token, {"kind": "makeup_workday", "name": "bench"})
    feed = HallFeed(PORT, "DL010200")
    feed.start()

    def tickets_heard(n):
        """Takes n tickets on the other instance; how many the first one's feed reports within 5 s."""
        t0 = time.time()
        for _ in range(n):
            status = call("POST", "/api/v1/tickets", body={"center": "DL010200", "group": "A"}, base=OTHER)[0]
            assert status == 201, f"ticket on the other instance: {status}"
        while time.time() - t0 < 5 and feed.issued_since(t0) < n:
            time.sleep(0.05)
        return feed.issued_since(t0), time.time() - t0

    heard_before = tickets_heard(3)
    phase = {"name": "before"}
    seen = []  # (phase, kind, status, retry-after, seconds)
    acknowledged, lock, stop = [], threading.Lock(), threading.Event()

    def writer(offset):
        n = 2000 + offset
        while not stop.is_set():
            try:
                status, _, headers, took = call("POST", "/api/v1/windows", token,
                                                {"centerID": county, "number": n, "name": f"窗口{n}", "kind": "comprehensive"})
                with lock:
                    seen.append((phase["name"], "write", status, {k.lower(): v for k, v in headers.items()}.get("retry-after"), took, time.time()))
                    if status == 201:
                        acknowledged.append(n)
            except Exception as e:  # a hang or a dropped connection: counted as a failure
                with lock:
                    seen.append((phase["name"], "write", repr(e)[:60], None, 15, time.time()))
            n += 4
            time.sleep(0.05)

    def reader():
        while not stop.is_set():
            for path in ("/api/v1/centers", "/api/v1/cases?limit=5"):
                try:
                    status, _, headers, took = call("GET", path, token)
                    with lock:
                        seen.append((phase["name"], "read", status, {k.lower(): v for k, v in headers.items()}.get("retry-after"), took, time.time()))
                except Exception as e:
                    with lock:
                        seen.append((phase["name"], "read", repr(e)[:60], None, 15, time.time()))
            time.sleep(0.05)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)] + [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(5)
    phase["name"] = "down"
    pg_stop()
    time.sleep(a.down)
    phase["name"] = "back"
    pg_start()
    back_at = time.time()
    time.sleep(8)
    stop.set()
    for t in threads:
        t.join()
    heard_after = tickets_heard(3)

    failures = []
    down = [s for s in seen if s[0] == "down"]
    for s in down:
        ok = s[2] in (200, 201) or (s[2] == 503 and s[3] is not None)
        if not ok:
            failures.append(f"while down: {s[1]} answered {s[2]} (Retry-After {s[3]})")
    slow = [s for s in seen if s[4] > 10]
    if slow:
        failures.append(f"{len(slow)} requests took over 10 s")
    first_write = min((s[5] for s in seen if s[0] == "back" and s[1] == "write" and s[2] == 201), default=None)
    recovery = None if first_write is None else first_write - back_at
    if recovery is None or recovery > 5:
        failures.append(f"writes did not resume within 5 s of PostgreSQL's return ({recovery})")
    others = [s for s in seen if s[0] != "down" and isinstance(s[2], int) and s[2] >= 500 and s[2] != 503]
    if others:
        failures.append(f"{len(others)} other 5xx outside the outage")
    present = {w["number"] for w in call("GET", f"/api/v1/windows?centerID={county}", token)[1]}
    lost = sorted(set(acknowledged) - present)
    if lost:
        failures.append(f"{len(lost)} acknowledged writes lost: {lost[:5]}")
    if heard_before[0] < 3:
        failures.append(f"before the outage the board heard {heard_before[0]} of 3 tickets taken on the other instance")
    if heard_after[0] < 3:
        failures.append(f"after the outage the board heard {heard_after[0]} of 3 tickets taken on the other instance")
    audit = call("GET", "/api/v1/audit/verify", token)[1]
    if not audit["intact"]:
        failures.append(f"audit chain broken: {audit['problem']}")
    statuses = {}
    for s in down:
        statuses[f"{s[1]} {s[2]}"] = statuses.get(f"{s[1]} {s[2]}", 0) + 1
    print(json.dumps({
        "down_s": a.down, "answers_while_down": statuses, "max_latency_s": round(max(s[4] for s in seen), 2),
        "writes_resumed_after_s": None if recovery is None else round(recovery, 2), "acknowledged": len(acknowledged),
        "lost": len(lost), "audit_entries": audit["checked"],
        "board_heard_other_instance": {"before": f"{heard_before[0]}/3 in {heard_before[1]:.2f} s",
                                       "after": f"{heard_after[0]}/3 in {heard_after[1]:.2f} s"},
        "failures": failures,
    }, ensure_ascii=False, indent=1))
    sys.exit(1 if failures else 0)
finally:
    for p_ in (server, other):
        if p_:
            p_.terminate()
            p_.wait()
    try:
        pg_stop()
    except Exception:
        pass
    # The servers' logs stay for a look: /tmp/onestop-pgrestart-last/.
    subprocess.run(["rm", "-rf", "/tmp/onestop-pgrestart-last"])
    subprocess.run(["mkdir", "-p", "/tmp/onestop-pgrestart-last"])
    subprocess.run(["sh", "-c", f"cp {work}/*.log /tmp/onestop-pgrestart-last/"])
    subprocess.run(["rm", "-rf", work])
