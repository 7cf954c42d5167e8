#!/usr/bin/env python3
"""Indicators at scale (issue 21): three years of 10,000,000 cases and 10,000,000 ratings over
2,000 windows of a county subtree.

1. Unless DB names a database already filled, makes one: OneStop (release) migrates and seeds a
   fresh database (SQLite file, or PostgreSQL with PG_URL), then bench/indicators_seed.py writes
   the records (CASES, RATINGS, WINDOWS).
2. `onestop indicators recount` counts the figures of every (center, day) from the records, as
   OneStop would have kept them day by day; its time is reported (RECOUNT=0 skips it, for a
   database already counted).
3. Starts OneStop and times, with WARM sequential requests after a first one:
   - the indicator table (every indicator, every department of the county's subtree) for a month,
     a quarter, a year and the whole three years (`getIndicators`);
   - the drill-down's first page (`getIndicatorRecords`) of the late cases, the bad ratings, the
     accepted cases and the late rectifications, for a month and for the three years;
   - a monthly assessment of the county's windows (`startAssessment`), RUNS times.
   Reports p50/p95, the server's CPU per request (from /proc/<pid>/stat) and its peak memory
   (VmHWM).

    ONESTOP_BIN=.build-release/release/onestop python3 bench/indicators.py
    DB=sqlite:///tmp/ib/big.sqlite KEYS=/tmp/ib/keys python3 bench/indicators.py
    PG_URL=postgres://postgres@127.0.0.1:55440/postgres python3 bench/indicators.py
"""
import json, os, statistics, subprocess, sys, tempfile, time, urllib.error, urllib.request, uuid

BIN = os.environ.get("ONESTOP_BIN", ".build-release/release/onestop")
PORT = int(os.environ.get("PORT", "18098"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "Bench-Admin-2026"
CASES = int(os.environ.get("CASES", "10000000"))
RATINGS = int(os.environ.get("RATINGS", "10000000"))
WINDOWS = int(os.environ.get("WINDOWS", "2000"))
WARM = int(os.environ.get("WARM", "20"))
RUNS = int(os.environ.get("RUNS", "3"))
PG_URL = os.environ.get("PG_URL")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ratings import cpu, pct  # noqa: E402  (the same server-CPU reading and percentile as the ratings bench)


def peak_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0


def call(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()[:300]}")


def env(url, keys):
    return dict(os.environ, ONESTOP_DATABASE_URL=url, ONESTOP_PORT=str(PORT), ONESTOP_ADMIN_PASSWORD=PASSWORD,
                ONESTOP_DEMO_HALL_HISTORY="false", ONESTOP_TWO_FACTOR="optional", ONESTOP_DATA_KEY_FILE=keys, LOG_LEVEL="warning")


def start(url, keys, log):
    server = subprocess.Popen([BIN, "serve", "--env", "production"], env=env(url, keys), stdout=subprocess.DEVNULL,
                              stderr=open(log, "a"))
    for _ in range(3000):
        try:
            urllib.request.urlopen(BASE + "/healthz").read()
            return server
        except Exception:
            if server.poll() is not None:
                raise SystemExit("OneStop stopped; see " + log)
            time.sleep(0.2)
    raise SystemExit("OneStop did not start; see " + log)


def stop(server):
    server.terminate()
    server.wait()


def timed(server, path, token, n):
    """The first request, then n more: (first ms, p50 ms, p95 ms, server CPU ms per request)."""
    def one():
        t = time.perf_counter()
        call("GET", path, token=token)
        return time.perf_counter() - t
    first = one() * 1000
    c0 = cpu(server.pid)
    samples = [one() for _ in range(n)]
    c1 = cpu(server.pid)
    return first, pct(samples, 0.5), pct(samples, 0.95), (c1 - c0) * 1000 / n


def main():
    tmp = tempfile.mkdtemp(prefix="onestop-indicators-")
    keys = os.environ.get("KEYS", f"{tmp}/keys")
    if not os.path.exists(keys):
        subprocess.run([BIN, "keys", "new", keys], check=True, stdout=subprocess.DEVNULL)
    url = os.environ.get("DB")
    log = f"{tmp}/server.log"
    if url is None:
        if PG_URL:
            name = "bench_indicators_" + uuid.uuid4().hex[:8]
            subprocess.run(["psql", PG_URL, "-qc", f"CREATE DATABASE {name}"], check=True)
            url = PG_URL.rsplit("/", 1)[0] + "/" + name
        else:
            url = f"sqlite://{tmp}/db.sqlite"
        stop(start(url, keys, log))
        t = time.time()
        subprocess.run([sys.executable, f"{HERE}/indicators_seed.py", url.split("?")[0], "--cases", str(CASES), "--ratings", str(RATINGS),
                        "--windows", str(WINDOWS)], check=True)
        print(f"seeded in {time.time() - t:.0f} s", flush=True)
    recount = (0, 0, 0)
    t = time.time()
    r = None if os.environ.get("RECOUNT") == "0" else subprocess.run(["/usr/bin/time", "-f", "%U %S %M", BIN, "indicators", "recount", "--from", "2023-12-01", "--to", "2026-11-30"],
                       env=env(url, keys), capture_output=True, text=True)
    if r is not None:
        if r.returncode != 0:
            raise SystemExit(r.stdout[-2000:] + r.stderr[-2000:])
        user, system, rss = r.stderr.strip().splitlines()[-1].split()
        recount = (time.time() - t, float(user) + float(system), int(rss) / 1024)
        print(f"recount: {recount[0]:.0f} s wall, {recount[1]:.0f} s CPU, peak {recount[2]:.0f} MB", flush=True)

    server = start(url, keys, log)
    try:
        token = call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        q = "/api/v1/indicators?center=DL010200&scope=subtree&"
        periods = [("month 2026-10", "period=month:2026-10"), ("quarter 2026-Q3", "period=quarter:2026-Q3"),
                   ("year 2025", "period=year:2025"), ("3 years", "kind=range&from=2023-12-01&to=2026-11-30")]
        rows = []
        for label, p in periods:
            table = call("GET", q + p, token=token)
            rows.append(("table " + label, len(table["departments"]), *timed(server, q + p, token, WARM)))
        for indicator in ["on_time", "satisfaction", "on_site", "rectification_on_time"]:
            for label, p in [periods[0], periods[3]]:
                path = f"/api/v1/indicators/records?center=DL010200&scope=subtree&indicator={indicator}&{p}"
                page = call("GET", path, token=token)
                rows.append((f"drill-down {indicator} {label}", page["total"], *timed(server, path, token, WARM)))
        template = call("POST", "/api/v1/assessment-templates", {
            "center": "DL010200", "name": "窗口月度考核（基准）", "criteria": [
                {"key": "c1", "name": "满意率", "points": 40, "indicator": "satisfaction", "rule": {"kind": "linear", "zeroAt": 0.8, "fullAt": 1}},
                {"key": "c2", "name": "差评整改", "points": 30, "indicator": "rectification_on_time",
                 "rule": {"kind": "linear", "zeroAt": 0, "fullAt": 1}},
                {"key": "c3", "name": "有效投诉", "points": 30, "indicator": "valid_complaints", "rule": {"kind": "per_count", "deduct": 2, "floor": 0}},
            ]}, token)
        runs = []
        for _ in range(RUNS):
            c0 = cpu(server.pid)
            t = time.perf_counter()
            report = call("POST", "/api/v1/assessments", {"template": template["id"], "center": "DL010200", "subjects": "window",
                                                          "period": "month:2026-10"}, token)
            runs.append((time.perf_counter() - t, cpu(server.pid) - c0, len(report["lines"])))
        peak = peak_mb(server.pid)
    finally:
        stop(server)
    print()
    print("| request | rows | first ms | p50 ms | p95 ms | server CPU ms/request |")
    print("|---|---|---|---|---|---|")
    for label, n, first, p50, p95, c in rows:
        print(f"| {label} | {n:,} | {first:.1f} | {p50:.1f} | {p95:.1f} | {c:.1f} |")
    print()
    for wall, c, lines in runs:
        print(f"assessment of {lines} windows (month 2026-10): {wall:.2f} s wall, {c:.2f} s server CPU")
    print(f"assessment median: {statistics.median(r[0] for r in runs):.2f} s")
    print(f"server peak memory (VmHWM): {peak:.0f} MB; recount {recount[0]:.0f} s ({recount[2]:.0f} MB peak)")


if __name__ == "__main__":
    main()
