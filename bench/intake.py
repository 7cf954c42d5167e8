#!/usr/bin/env python3
"""Window intake through the API: WORKERS clerks in parallel each take in an application (JSON,
the food licence's full checklist, a new applicant each time) and accept it, until CASES cases are
accepted. Prints accepted cases per second and the p50/p99 of each step.

By default the application is complete and accepted on the spot (`"accept": true`, one call that
issues the 受理通知书); `--two-step` takes it in first (服务告知单) and accepts it in a second call.

    bench/intake.py --base http://127.0.0.1:18095 --password … [--cases 2000] [--workers 16] [--two-step]
"""
import argparse
import http.client
import json
import threading
import time
import urllib.parse

p = argparse.ArgumentParser()
p.add_argument("--base", required=True)
p.add_argument("--password", required=True)
p.add_argument("--cases", type=int, default=2000)
p.add_argument("--workers", type=int, default=16)
p.add_argument("--two-step", action="store_true")
a = p.parse_args()
u = urllib.parse.urlparse(a.base)


def call(conn, method, path, body=None, token=None):
    headers = {"content-type": "application/json", "accept": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None


conn = http.client.HTTPConnection(u.hostname, u.port)
admin = call(conn, "POST", "/api/v1/auth/login", {"username": "admin", "password": a.password})["token"]
county = next(c for c in call(conn, "GET", "/api/v1/centers", token=admin) if c["code"] == "DL010200")["id"]
item = next(i for i in call(conn, "GET", "/api/v1/items?limit=1000", token=admin) if i["name"] == "食品经营许可证核发")
guide = call(conn, "GET", f"/api/v1/items/{item['id']}", token=admin)["guide"]
marks = [{"status": "provided" if m["need"] == "required" else "not_applicable"} for m in guide["materials"]]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def person(n):
    # A valid resident ID number per n: born 1 January 1950–1989, sequence n mod 1000.
    body = "11010519" + f"{50 + (n // 1000) % 40:02d}" + "0101" + f"{n % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, W)) % 11]


lock = threading.Lock()
counter = [0]
times = {"intake": [], "accept": []}
errors = []


def worker(k):
    c = http.client.HTTPConnection(u.hostname, u.port)
    while True:
        with lock:
            if counter[0] >= a.cases:
                return
            counter[0] += 1
            n = counter[0]
        try:
            t0 = time.perf_counter()
            case = call(c, "POST", "/api/v1/cases", {
                "center": county, "item": item["code"], "materials": marks, "accept": not a.two_step,
                "applicant": {"kind": "person", "name": f"申请人{n}", "idNumber": person(n), "phone": "13800138000"},
            }, admin)
            t1 = time.perf_counter()
            if a.two_step:
                call(c, "POST", f"/api/v1/cases/{case['id']}/accept", {}, admin)
            elif case["state"] != "accepted":
                raise RuntimeError("not accepted: " + case["state"])
            t2 = time.perf_counter()
            with lock:
                times["intake"].append((t1 - t0) * 1000)
                times["accept"].append((t2 - t1) * 1000)
        except Exception as e:  # noqa: BLE001
            with lock:
                errors.append(str(e))


start = time.perf_counter()
threads = [threading.Thread(target=worker, args=(k,)) for k in range(a.workers)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - start
done = len(times["accept"])
print(f"accepted: {done} in {elapsed:.2f} s = {done / elapsed:.0f} accepted cases/s ({a.workers} workers)")
for step, v in times.items():
    v.sort()
    if v:
        print(f"{step:7s} p50 {v[len(v) // 2]:.1f} ms  p99 {v[int(len(v) * 0.99) - 1]:.1f} ms")
if errors:
    print("errors:", len(errors), errors[:3])
