#!/usr/bin/env python3
"""Service brands at scale (issue 22): a brand survey that goes viral, and the showcase and a brand
page with 1,000 brands.

1. Starts OneStop (release) on a fresh SQLite database (demo seeded); through the API: the campaign
   office, a campaign whose selection phase is today, BRANDS brands of the county (defined and
   approved), one of them declared with its survey open; an SMS webhook (an address nobody
   answers, so the codes stay in the outbox for the script to read).
2. Codes: VOTERS phones each ask for a one-time code (POST …/codes, one by one); the codes are read
   from the outbox in the order they were asked.
3. Votes: wrk at CONNECTIONS connections posts the votes — every voter once, DUPES of them a second
   time with their code (the one-vote rule must refuse them), from ADDRESSES client addresses
   (X-Forwarded-For) so that the burst rule sees many sources and some bursts. Reported: votes/s,
   server CPU per vote, latency percentiles at that load; then the database is checked: one row
   per voter who got 201, no duplicate voter, none lost.
4. Pages: WARM sequential requests each of /brands (the showcase of all BRANDS) and of a brand's
   page: p50, p95 and the server's CPU per request.

    ONESTOP_BIN=.build-release/release/onestop python3 bench/brands.py
"""
import json, os, random, sqlite3, statistics, subprocess, tempfile, time, urllib.error, urllib.request, datetime, http.client

BIN = os.environ.get("ONESTOP_BIN", ".build-release/release/onestop")
PORT = int(os.environ.get("PORT", "18097"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "Bench-Admin-2026"
BRANDS = int(os.environ.get("BRANDS", "1000"))
VOTERS = int(os.environ.get("VOTERS", "24000"))
DUPES = int(os.environ.get("DUPES", "2000"))
ADDRESSES = int(os.environ.get("ADDRESSES", "3000"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "64"))
THREADS = int(os.environ.get("WRK_THREADS", "2"))
WARM = int(os.environ.get("WARM", "200"))
TICKS = os.sysconf("SC_CLK_TCK")


def cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


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


def start(tmp):
    env = dict(os.environ, ONESTOP_DATABASE_URL=f"sqlite://{tmp}/db.sqlite", ONESTOP_PORT=str(PORT), ONESTOP_ADMIN_PASSWORD=PASSWORD,
               ONESTOP_DEMO_HALL_HISTORY="false", ONESTOP_TWO_FACTOR="optional", ONESTOP_DATA_KEY_FILE=f"{tmp}/keys", LOG_LEVEL="warning")
    subprocess.run([BIN, "keys", "new", f"{tmp}/keys"], check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([BIN, "serve", "--env", "production"], env=env, stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/server.log", "a"))
    for _ in range(3000):
        try:
            urllib.request.urlopen(BASE + "/healthz").read()
            return server
        except Exception:
            if server.poll() is not None:
                raise SystemExit(f"OneStop stopped; see {tmp}/server.log")
            time.sleep(0.2)
    raise SystemExit("OneStop did not start")


def timed(path, n):
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        assert r.status == 200, (path, r.status)
        times.append((time.perf_counter() - t) * 1000)
    conn.close()
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95) - 1]


def main():
    tmp = tempfile.mkdtemp()
    server = start(tmp)
    try:
        admin = call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in call("GET", "/api/v1/centers", None, admin) if c["code"] == "DL010200")["id"]
        call("POST", "/api/v1/users", {"username": "jiwei", "displayName": "机关工委", "password": PASSWORD, "role": "campaign_office",
                                       "centerID": county}, admin)
        office = call("POST", "/api/v1/auth/login", {"username": "jiwei", "password": PASSWORD})["token"]
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
        day = lambda n: (today + datetime.timedelta(days=n)).isoformat()
        call("POST", "/api/v1/brand-campaigns", {"center": "DL010200", "name": "压力测试活动", "phases": [
            {"phase": "cultivation", "from": day(-90), "to": day(-61)}, {"phase": "practice", "from": day(-60), "to": day(-1)},
            {"phase": "selection", "from": day(0), "to": day(30)}, {"phase": "consolidation", "from": day(31), "to": day(400)}]}, office)
        t0 = time.time()
        ids = []
        for n in range(BRANDS):
            b = call("POST", "/api/v1/brands", {"center": "DL010200", "name": f"品牌{n:04d}", "category": ["party", "administrative", "legal"][n % 3],
                                                "culture": {"purpose": "便民高效", "spirit": "敬业"},
                                                "system": {"commitments": ["咨询 24 小时答复", "满意率不低于 95%"], "measures": ["首问负责"]}}, admin)
            call("POST", f"/api/v1/brands/{b['id']}/approve", None, office)
            ids.append(b["id"])
        print(f"{BRANDS} brands defined and approved over HTTP in {time.time() - t0:.0f} s")
        brand = ids[0]
        call("POST", f"/api/v1/brands/{brand}/declaration", {"assessment": {s: "自评" for s in ["name", "logo", "culture", "system", "benefit"]}}, admin)
        survey = call("POST", f"/api/v1/brands/{brand}/survey", {}, office)["id"]
        call("POST", "/api/v1/webhooks", {"url": "http://127.0.0.1:9/sms", "events": "vote.code", "centerID": county}, admin)

        # Codes, one phone after another, read back from the outbox in the same order.
        phones = [f"139{n:08d}" for n in range(VOTERS)]
        t0 = time.time()
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        for p in phones:
            conn.request("POST", f"/api/v1/brand-surveys/{survey}/codes", json.dumps({"phone": p}), {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            assert r.status == 202, r.status
        conn.close()
        with sqlite3.connect(f"{tmp}/db.sqlite") as db:
            rows = db.execute("SELECT payload FROM outbox WHERE event = 'vote.code' ORDER BY id").fetchall()
        codes = [json.loads(r[0])["data"]["code"] for r in rows]
        assert len(codes) == VOTERS, (len(codes), VOTERS)
        print(f"{VOTERS} codes asked for in {time.time() - t0:.0f} s")

        random.seed(22)
        # Most voters from their own address; one in ten from a handful of shared ones (a campus
        # network, or someone voting for others), which the burst rule should flag.
        def address(n):
            if n % 10 == 0:
                return f"100.64.0.{n % 5}"
            k = n % ADDRESSES
            return f"100.{65 + k // 62500}.{(k // 250) % 250}.{k % 250}"
        lines = [f"{p} {c} {random.choice([5, 5, 4, 4, 3, 2])} {address(n)}" for n, (p, c) in enumerate(zip(phones, codes))]
        dupes = random.sample(lines, DUPES)
        votes = lines + dupes
        random.shuffle(votes)
        vf = f"{tmp}/votes.txt"
        open(vf, "w").write("\n".join(votes) + "\n")
        env = dict(os.environ, VOTES_FILE=vf, SURVEY=survey, WRK_THREADS=str(THREADS))
        c0, t0 = cpu(server.pid), time.time()
        out = subprocess.run(["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", "120s", "--timeout", "30s", "-s", "bench/brands_votes.lua", BASE],
                             env=env, capture_output=True, text=True).stdout
        elapsed, used = time.time() - t0, cpu(server.pid) - c0
        status = dict(kv.split("=") for kv in next(l for l in out.splitlines() if l.startswith("STATUS")).split()[1:])
        latency = next(l for l in out.splitlines() if l.startswith("LATENCY"))
        rate = float(next(l for l in out.splitlines() if l.startswith("Requests/sec")).split()[1])
        with sqlite3.connect(f"{tmp}/db.sqlite") as db:
            stored = db.execute("SELECT COUNT(*), COUNT(DISTINCT voter), SUM(flagged), MIN(created_at), MAX(created_at) FROM brand_votes").fetchone()
        answered = int(status["created"]) + int(status["conflict"])
        errors = next((l.strip() for l in out.splitlines() if l.strip().startswith("Socket errors")), "Socket errors: none")
        # wrk waits out its duration after the last vote: the rate is over the votes' own span.
        span = max(0.001, (stored[4] - stored[3]) / 1000)
        print(f"votes: {len(votes)} sent ({DUPES} second votes) at {CONNECTIONS} connections; stored over {span:.1f} s")
        print(f"  {answered / span:.0f} answered votes/s ({stored[0] / span:.0f} accepted/s), server CPU {used / answered * 1000:.3f} ms per vote;"
              f" latency at that load {latency}")
        print(f"  answers: {status}; stored {stored[0]} votes, {stored[1]} voters, {stored[2]} flagged by the burst rule")
        lost = len(votes) - answered - int(status["other"])
        print(f"  answers wrk lost in transport: {lost} ({errors})")
        # The database decides: every voter once, no vote twice, every 201 stored, no other answer.
        # A second vote whose answer wrk lost was refused all the same (the voters count says so).
        ok = int(status["created"]) == stored[0] == stored[1] == VOTERS and int(status["conflict"]) + lost == DUPES and int(status["other"]) == 0
        print("  one vote per person holds exactly: " + ("yes" if ok else "NO"))

        # Pages with BRANDS brands.
        for label, path in [("showcase /brands", "/brands?center=DL010200"), ("brand page", f"/brands/{ids[len(ids) // 2].lower()}")]:
            timed(path, 20)
            c0 = cpu(server.pid)
            p50, p95 = timed(path, WARM)
            print(f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, server CPU {(cpu(server.pid) - c0) / WARM * 1000:.2f} ms per request ({WARM} sequential)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
