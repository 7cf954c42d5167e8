#!/usr/bin/env python3
"""Sign-in and /admin/calendar on a release build (issue 17: both under 300 ms).

Starts OneStop (release) on a fresh SQLite database with the demo seeded, then, one request at a
time (offered load: one client, no concurrency), signs in RUNS times through the page form (CSRF
token included, a new session each time) and opens /admin/calendar RUNS times signed in. Reports
the median and 90th percentile latency and the server's CPU time per request from /proc/<pid>/stat.

    ONESTOP_BIN=.build-release/release/onestop RUNS=30 python3 bench/pages.py
"""
import http.cookiejar, os, re, shutil, statistics, subprocess, tempfile, time, urllib.parse, urllib.request

BIN = os.environ.get("ONESTOP_BIN", ".build-release/release/onestop")
RUNS = int(os.environ.get("RUNS", "30"))
PORT = int(os.environ.get("PORT", "18097"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "Bench-Admin-2026"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def sign_in(o):
    html = o.open(BASE + "/login").read().decode()
    token = re.search(r'name="_csrf" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"username": "admin", "password": PASSWORD, "_csrf": token, "next": "/"}).encode()
    t = time.perf_counter()
    o.open(BASE + "/login", data=body).read()
    return time.perf_counter() - t


def report(name, samples, seconds_cpu):
    ms = sorted(s * 1000 for s in samples)
    p90 = ms[int(len(ms) * 0.9) - 1]
    print(f"{name}: median {statistics.median(ms):.1f} ms, p90 {p90:.1f} ms, server CPU {seconds_cpu / len(ms) * 1000:.1f} ms/request (n={len(ms)})")


def main():
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, ONESTOP_DATABASE_URL=f"sqlite://{tmp}/db.sqlite", ONESTOP_PORT=str(PORT),
               ONESTOP_ADMIN_PASSWORD=PASSWORD, ONESTOP_DEMO_HALL_HISTORY="false")
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(BASE + "/login").read()
                break
            except Exception:
                time.sleep(0.2)
        sign_in(opener())  # warm-up
        before = cpu(server.pid)
        logins = [sign_in(opener()) for _ in range(RUNS)]
        report("sign-in (POST /login)", logins, cpu(server.pid) - before)
        o = opener()
        sign_in(o)
        o.open(BASE + "/admin/calendar").read()  # warm-up
        before = cpu(server.pid)
        pages = []
        for _ in range(RUNS):
            t = time.perf_counter()
            o.open(BASE + "/admin/calendar").read()
            pages.append(time.perf_counter() - t)
        report("GET /admin/calendar", pages, cpu(server.pid) - before)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
