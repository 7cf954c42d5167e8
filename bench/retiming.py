#!/usr/bin/env python3
"""Re-timing at scale (issue 16): a release OneStop on SQLite with 1,000,000 open timed cases, of
which 10 % span a day 30 working days ahead. Per run, on a fresh copy of the database:
  - a light hall load runs (10 windows: take a ticket, call next, start, finish; about 40
    lifecycles/s offered), and its call-next latency is measured for 10 s before the change;
  - an administrator closes that day on the county's calendar (PUT setCalendarDay);
  - the re-timing job is followed to completion (GET getCalendarRetiming), its wall time and the
    server's CPU time over it (/proc/<pid>/stat) taken, and call-next latency measured meanwhile.
Called by bench/retiming.sh, which builds the release binary.

    bench/retiming.py BIN [--cases 1000000] [--runs 3]
"""
import argparse
import datetime
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

p = argparse.ArgumentParser()
p.add_argument("bin")
p.add_argument("--cases", type=int, default=1_000_000)
p.add_argument("--runs", type=int, default=3)
p.add_argument("--windows", type=int, default=10)
p.add_argument("--pace", type=float, default=0.25, help="seconds between a window's lifecycles")
p.add_argument("--work", help="keep the seeded database in this directory and reuse it on the next call")
a = p.parse_args()

PORT = 18094
PASSWORD = "BenchAdmin12345"
work = a.work or tempfile.mkdtemp(prefix="onestop-retime.")
os.makedirs(work, exist_ok=True)
TICKS = os.sysconf("SC_CLK_TCK")


def call(method, path, body=None, token=None, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    headers = {"content-type": "application/json", "accept": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status >= 300:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
    if not data:
        return None
    return json.loads(data) if r.getheader("content-type", "").startswith("application/json") else data.decode()


def serve(db):
    # Every run's copy opens with the seeded database's data keys.
    env = dict(os.environ, ONESTOP_DATABASE_URL="sqlite://" + db, ONESTOP_DATA_KEY_FILE=work + "/base.sqlite.keys", ONESTOP_PORT=str(PORT), ONESTOP_ADMIN_PASSWORD=PASSWORD,
               LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "warning"))
    proc = subprocess.Popen([a.bin, "serve", "--env", "production"], env=env, stdout=open(work + "/server.log", "a"),
                            stderr=subprocess.STDOUT, cwd=os.path.dirname(os.path.abspath(__file__)) + "/..")
    for _ in range(600):
        try:
            call("GET", "/healthz")
            return proc
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start; see " + work + "/server.log")


def stop(proc):
    proc.terminate()
    proc.wait()


def cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] if xs else float("nan")


today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
base = work + "/base.sqlite"
seed_file = work + "/seed.json"
if a.work and os.path.exists(seed_file) and os.path.exists(base):
    seed = json.load(open(seed_file))
    print(f"== reusing the seeded database in {work}", flush=True)
else:
    print(f"== seeding {a.cases} open cases ({work})", flush=True)
    proc = serve(base)
    admin = call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
    county = next(c["id"] for c in call("GET", "/api/v1/centers", token=admin) if c["code"] == "DL010200")
    days = {}
    for n in range(-40, 420):
        d = (today + datetime.timedelta(days=n)).isoformat()
        days[d] = call("GET", f"/api/v1/centers/{county}/calendar/days/{d}")["isWorkingDay"]
    json.dump(days, open(work + "/days.json", "w"))
    if not days[today.isoformat()]:
        call("PUT", f"/api/v1/centers/{county}/calendar/days/{today}", {"kind": "makeup_workday", "name": "bench"}, token=admin)
        days[today.isoformat()] = True
        json.dump(days, open(work + "/days.json", "w"))
    stop(proc)
    seed = json.loads(subprocess.check_output([sys.executable, os.path.dirname(__file__) + "/retiming_seed.py", base, "--calendar",
                                               work + "/days.json", "--cases", str(a.cases), "--today", today.isoformat()]))
    seed["county"] = county
    json.dump(seed, open(seed_file, "w"))
county = seed["county"]
print(f"   closing {seed['closure']}; {seed['spanning']} of {seed['cases']} clocks span it", flush=True)

results = []
for run in range(1, a.runs + 1):
    print(f"== run {run}", flush=True)
    db = work + "/run.sqlite"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    shutil.copy(base, db)
    proc = serve(db)
    admin = call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
    windows = {w["number"]: w["id"] for w in call("GET", f"/api/v1/windows?centerID={county}", token=admin)}
    for n in range(1, a.windows + 1):
        if n not in windows:
            windows[n] = call("POST", "/api/v1/windows",
                              {"centerID": county, "number": n, "name": f"综合窗口{n}", "kind": "comprehensive"}, token=admin)["id"]
    try:
        call("POST", f"/api/v1/centers/{county}/queue/groups", {"prefix": "Z", "name": "模拟", "windows": list(range(1, a.windows + 1))},
             token=admin)
    except RuntimeError:
        pass
    clerks = []
    for n in range(1, a.windows + 1):
        try:
            call("POST", "/api/v1/users", {"username": f"rt{n}", "displayName": f"rt{n}", "password": "Bench-Clerk-2026",
                                           "role": "window_staff", "centerID": county}, token=admin)
        except RuntimeError:
            pass
        tok = call("POST", "/api/v1/auth/login", {"username": f"rt{n}", "password": "Bench-Clerk-2026"})["token"]
        call("POST", f"/api/v1/windows/{windows[n]}/sign-in", token=tok)
        clerks.append((windows[n], tok))

    phase = {"name": "before"}
    latencies = {"before": [], "during": [], "after": []}
    lifecycles = {"before": 0, "during": 0, "after": 0}
    errors = []
    running = threading.Event()
    running.set()

    def window_loop(window, tok):
        while running.is_set():
            t0 = time.perf_counter()
            try:
                call("POST", "/api/v1/tickets", {"center": "DL010200", "group": "Z"})
                t1 = time.perf_counter()
                r = call("POST", f"/api/v1/windows/{window}/call-next", token=tok)
                latencies[phase["name"]].append((time.perf_counter() - t1) * 1000)
                ticket = (r or {}).get("ticket")
                if ticket:
                    for action in ("start", "finish"):
                        call("POST", f"/api/v1/tickets/{ticket['id']}/{action}", {"window": window}, token=tok)
                    lifecycles[phase["name"]] += 1
            except Exception as e:  # noqa: BLE001 - counted and reported
                errors.append(str(e))
            time.sleep(max(0.0, a.pace - (time.perf_counter() - t0)))

    threads = [threading.Thread(target=window_loop, args=c, daemon=True) for c in clerks]
    for t in threads:
        t.start()
    time.sleep(10)
    phase["name"] = "during"
    cpu0 = cpu(proc.pid)
    t0 = time.perf_counter()
    day = call("PUT", f"/api/v1/centers/{county}/calendar/days/{seed['closure']}", {"kind": "closure", "name": "基准停办"}, token=admin)
    job_id = day["retimingID"]
    while True:
        job = call("GET", f"/api/v1/calendar/retimings/{job_id}", token=admin)
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    cpu_used = cpu(proc.pid) - cpu0
    phase["name"] = "after"
    time.sleep(2)
    running.clear()
    for t in threads:
        t.join()
    stop(proc)
    with open(work + "/server.log") as log:  # the job's own account of its phases
        phases = [line.strip() for line in log if "calendar re-timing" in line]
    for line in phases[-2:]:
        print("   " + line[:300], flush=True)
    r = {
        "run": run, "status": job["status"], "cases": job["cases"], "wall_s": round(wall, 2), "server_cpu_s": round(cpu_used, 2),
        "call_next_before_p50_ms": round(pct(latencies["before"], 0.5), 1), "call_next_before_p99_ms": round(pct(latencies["before"], 0.99), 1),
        "call_next_during_p50_ms": round(pct(latencies["during"], 0.5), 1), "call_next_during_p99_ms": round(pct(latencies["during"], 0.99), 1),
        "calls_during": len(latencies["during"]), "lifecycles_per_s_during": round(lifecycles["during"] / wall, 1), "errors": len(errors),
    }
    results.append(r)
    print("   " + json.dumps(r), flush=True)
    if errors:
        print("   first error:", errors[0])


def median(key):
    xs = sorted(r[key] for r in results)
    return xs[len(xs) // 2]


if not results:
    sys.exit(0)
print(f"\nmedian of {len(results)} runs ({a.cases} open cases, {seed['spanning']} spanning {seed['closure']}):")
for key in ("wall_s", "server_cpu_s", "cases", "call_next_before_p99_ms", "call_next_during_p50_ms", "call_next_during_p99_ms",
            "lifecycles_per_s_during"):
    print(f"  {key}: {median(key)}")
if not a.work:
    shutil.rmtree(work, ignore_errors=True)
