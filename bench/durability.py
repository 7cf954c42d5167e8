#!/usr/bin/env python3
"""SIGKILL durability check: writers create windows as fast as they can; the server is killed
with SIGKILL mid-stream and started again on the same SQLite file. Every write that was
acknowledged (201) must still be there, and the audit chain must verify.
Usage: bench/durability.py [path-to-onestop-binary]"""
import json, os, signal, subprocess, sys, tempfile, threading, time, urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/onestop"
PORT = 18095
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "Durable12345"
workdir = tempfile.mkdtemp(prefix="onestop-durability-")
env = dict(os.environ, ONESTOP_DATABASE_URL=f"sqlite://{workdir}/d.sqlite", ONESTOP_PORT=str(PORT),
           ONESTOP_ADMIN_PASSWORD=PASSWORD, LOG_LEVEL="warning")


def start():
    p = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=1)
            return p
        except Exception:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def call(method, path, token=None, body=None):
    req = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status, json.loads(r.read() or b"null")


server = start()
token = call("POST", "/api/v1/auth/login", body={"username": "admin", "password": PASSWORD})[1]["token"]
county = [c for c in call("GET", "/api/v1/centers", token)[1] if c["code"] == "DL010200"][0]["id"]
acknowledged, lock, stop = [], threading.Lock(), threading.Event()


def writer(offset):
    n = 1000 + offset
    while not stop.is_set():
        try:
            status, _ = call("POST", "/api/v1/windows", token,
                             {"centerID": county, "number": n, "name": f"窗口{n}", "kind": "comprehensive"})
            if status == 201:
                with lock:
                    acknowledged.append(n)
        except Exception:
            pass  # the kill: unacknowledged writes may or may not have landed
        n += 8


threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
time.sleep(3)
server.send_signal(signal.SIGKILL)
server.wait()
stop.set()
for t in threads:
    t.join()
server = start()
token = call("POST", "/api/v1/auth/login", body={"username": "admin", "password": PASSWORD})[1]["token"]
present = {w["number"] for w in call("GET", f"/api/v1/windows?centerID={county}", token)[1]}
lost = sorted(set(acknowledged) - present)
audit = call("GET", "/api/v1/audit/verify", token)[1]
server.terminate()
server.wait()
print(f"acknowledged writes before SIGKILL: {len(acknowledged)}; lost after restart: {len(lost)}; "
      f"audit chain: {'intact' if audit['intact'] else audit['problem']} ({audit['checked']} entries)")
sys.exit(1 if lost or not audit["intact"] else 0)
