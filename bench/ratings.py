#!/usr/bin/env python3
"""好差评 at scale (issue 19): the monthly disclosure over a month of 1,000,000 ratings, and rating
intake over HTTP.

1. Starts OneStop (release) on a fresh database (SQLite file, or PostgreSQL with PG_URL), demo
   seeded; adds WINDOWS windows to the county center through the API; stops it.
2. Writes a month (last month) of RATINGS ratings over those windows straight into the database,
   with their bad-rating handling and the day figures (rating_tallies) exactly as OneStop keeps
   them — the seed is the only thing that does not go through OneStop, because 1,000,000 ratings
   over HTTP would take longer than the measurement.
3. Disclosure: restarts OneStop and times the first request of /hall/DL010200/ratings?month=…
   (cold: a fresh process; the OS page cache is dropped when this runs as root), COLD times;
   then WARM sequential requests of the page and of the API (p50, p95, server CPU per request).
4. Intake (SQLite only unless INTAKE=1): INTAKE_TICKETS finished, unrated tickets are copied
   from one served through the API, then wrk rates them over HTTP with 32 connections
   (POST /api/v1/tickets/{id}/rating with the follow token); ratings/s, server CPU per rating,
   and the count in the database checked after.

    ONESTOP_BIN=.build-release/release/onestop python3 bench/ratings.py
    PG_URL=postgres://postgres@127.0.0.1:55440/postgres python3 bench/ratings.py
"""
import json, os, random, re, shutil, sqlite3, statistics, subprocess, tempfile, time, urllib.error, urllib.request, uuid

BIN = os.environ.get("ONESTOP_BIN", ".build-release/release/onestop")
PORT = int(os.environ.get("PORT", "18099"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "Bench-Admin-2026"
RATINGS = int(os.environ.get("RATINGS", "1000000"))
WINDOWS = int(os.environ.get("WINDOWS", "200"))
COLD = int(os.environ.get("COLD", "5"))
WARM = int(os.environ.get("WARM", "200"))
INTAKE_TICKETS = int(os.environ.get("INTAKE_TICKETS", "150000"))
INTAKE_SECONDS = int(os.environ.get("INTAKE_SECONDS", "30"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "32"))
PG_URL = os.environ.get("PG_URL")
TICKS = os.sysconf("SC_CLK_TCK")
SHANGHAI = 8 * 3600


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
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()[:300]}")


class DB:
    def __init__(self, tmp):
        self.pg = PG_URL is not None
        if self.pg:
            name = "bench_ratings_" + uuid.uuid4().hex[:8]
            subprocess.run(["psql", PG_URL, "-qc", f"CREATE DATABASE {name}"], check=True)
            self.url = PG_URL.rsplit("/", 1)[0] + "/" + name
            self.name = name
        else:
            self.path = f"{tmp}/db.sqlite"
            self.url = f"sqlite://{self.path}"

    def id(self, u):
        return str(u).upper() if not self.pg else str(u)

    def query(self, sql):
        if self.pg:
            out = subprocess.run(["psql", self.url, "-AtF", "\t", "-P", "null=<NULL>", "-c", sql], check=True, capture_output=True,
                                 text=True).stdout
            return [[None if v == "<NULL>" else v for v in line.split("\t")] for line in out.splitlines() if line]
        with sqlite3.connect(self.path) as c:
            return [list(row) for row in c.execute(sql).fetchall()]

    def columns(self, table):
        if self.pg:
            return [r[0] for r in self.query(
                f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = 'public' ORDER BY ordinal_position")]
        with sqlite3.connect(self.path) as c:
            return [r[1] for r in c.execute(f"PRAGMA table_info({table})")]

    def insert(self, table, cols, rows):
        if self.pg:
            def cell(v):
                if v is None:
                    return "\\N"
                if isinstance(v, bool):
                    return "t" if v else "f"
                return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            p = subprocess.Popen(["psql", self.url, "-qc", f"COPY {table} ({', '.join(cols)}) FROM STDIN"], stdin=subprocess.PIPE, text=True)
            for r in rows:
                p.stdin.write("\t".join(cell(v) for v in r) + "\n")
            p.stdin.close()
            assert p.wait() == 0
        else:
            with sqlite3.connect(self.path) as c:
                c.execute("PRAGMA synchronous = OFF")
                c.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)

    def drop(self):
        if self.pg:
            subprocess.run(["psql", PG_URL, "-qc", f"DROP DATABASE IF EXISTS {self.name}"], check=False)


def start(db, tmp):
    env = dict(os.environ, ONESTOP_DATABASE_URL=db.url, ONESTOP_PORT=str(PORT), ONESTOP_ADMIN_PASSWORD=PASSWORD,
               ONESTOP_DEMO_HALL_HISTORY="false", ONESTOP_TWO_FACTOR="optional", ONESTOP_DATA_KEY_FILE=f"{tmp}/keys", LOG_LEVEL="warning")
    if not os.path.exists(f"{tmp}/keys"):
        subprocess.run([BIN, "keys", "new", f"{tmp}/keys"], check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([BIN, "serve", "--env", "production"], env=env, stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/server.log", "a"))
    for _ in range(600):
        try:
            urllib.request.urlopen(BASE + "/healthz").read()
            return server
        except Exception:
            time.sleep(0.2)
    raise SystemExit("OneStop did not start; see " + tmp + "/server.log")


def stop(server):
    server.terminate()
    server.wait()


def last_month():
    now = time.gmtime(time.time() + SHANGHAI)
    y, m = (now.tm_year, now.tm_mon - 1) if now.tm_mon > 1 else (now.tm_year - 1, 12)
    days = [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return y, m, days


def seed(db, windows, county):
    """RATINGS first-round ratings of last month, their bad ratings, and the day figures."""
    y, m, days = last_month()
    rnd = random.Random(19)
    levels = [5] * 70 + [4] * 15 + [3] * 8 + [2] * 4 + [1] * 3
    channels = ["window_device"] * 70 + ["qr_code"] * 15 + ["web"] * 8 + ["kiosk"] * 4 + ["sms", "hotline", "mobile"]
    reasons = ["overtime", "extra_materials", "attitude", "multiple_trips", "slow", "absent", "facilities", "other"]
    tallies = {}

    def tally(day, scope):
        key = (day, scope)
        t = tallies.get(key)
        if t is None:
            t = tallies[key] = {"levels": [0] * 6, "channels": {}, "reasons": {}, "realNameBad": 0, "calledBack": 0, "due": 0,
                                "dueOnTime": 0, "secondRound": 0, "secondRoundSatisfied": 0, "excluded": 0}
        return t

    rcols = ["id", "center_id", "department_id", "window_id", "staff_id", "item_id", "case_id", "ticket_id", "channel", "rater_kind",
             "rater_identity", "level", "tags", "text", "at", "round", "excluded", "source", "operator"]
    bcols = ["id", "center_id", "department_id", "window_id", "staff_id", "level", "real_name", "assigned_on", "due_on", "resolution",
             "resolution_note", "resolved_on", "resolved_by", "call_back_note", "appeal_reason", "appeal_decision_note", "rated_again",
             "created_at", "updated_at"]
    ratings, bad = [], []
    center = "center:" + county.lower()
    for n in range(RATINGS):
        d = 1 + n * days // RATINGS
        day = f"{y:04d}-{m:02d}-{d:02d}"
        wid, dept = windows[rnd.randrange(len(windows))]
        level = rnd.choice(levels)
        channel = rnd.choice(channels)
        tags = ",".join(sorted(set(rnd.sample(reasons, rnd.randint(1, 2))))) if level <= 2 else ""
        at = (int(time.mktime((y, m, d, 9, 0, 0, 0, 0, 0))) - time.timezone - SHANGHAI) * 1000 + rnd.randrange(8 * 3600 * 1000)
        rid = uuid.uuid4()
        ratings.append([db.id(rid), db.id(county), db.id(dept), db.id(wid), None, None, None, None, channel, "person", None, level, tags,
                        "", at, 1, False, "", ""])
        for scope in (center, "department:" + dept.lower(), "window:" + wid.lower()):
            t = tally(day, scope)
            t["levels"][level] += 1
            t["channels"][channel] = t["channels"].get(channel, 0) + 1
            for tag in tags.split(",") if tags else []:
                t["reasons"][tag] = t["reasons"].get(tag, 0) + 1
        if level <= 2:
            due_d = min(d + 21, days)
            resolved = rnd.random() < 0.6
            on = f"{y:04d}-{m:02d}-{min(d + rnd.randint(1, 20), days):02d}" if resolved else None
            due = f"{y:04d}-{m:02d}-{due_d:02d}"
            bad.append([db.id(rid), db.id(county), db.id(dept), db.id(wid), None, level, False, day, due,
                        "rectified" if resolved else None, "已加派人员，缩短等候" if resolved else "", on, "user:bench" if resolved else "",
                        "", "", "", False, at, at])
            for scope in (center, "department:" + dept.lower(), "window:" + wid.lower()):
                t = tally(due, scope)
                t["due"] += 1
                if resolved and on <= due:
                    t["dueOnTime"] += 1
        if len(ratings) == 100000:
            db.insert("ratings", rcols, ratings)
            ratings = []
    db.insert("ratings", rcols, ratings)
    db.insert("bad_ratings", bcols, bad)
    db.insert("rating_tallies", ["day", "scope", "tally"],
              [[k[0], k[1], json.dumps(v, sort_keys=True, separators=(",", ":"))] for k, v in tallies.items()])
    if db.pg:
        # What autovacuum does within a minute of a bulk load; without it the planner has no
        # statistics for the million rows just copied in (and autovacuum runs during the timing).
        db.query("ANALYZE")
    return f"{y:04d}-{m:02d}", len(tallies)


def timed(path):
    t = time.perf_counter()
    with urllib.request.urlopen(BASE + path) as r:
        body = r.read()
        assert r.status == 200
    return time.perf_counter() - t, body


def drop_caches():
    try:
        subprocess.run(["sync"], check=False)
        open("/proc/sys/vm/drop_caches", "w").write("3\n")
        return True
    except OSError:
        return False


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))] * 1000


def intake(db, tmp, token, county, windows):
    """INTAKE_TICKETS finished tickets, rated by wrk at 32 connections."""
    t = call("POST", "/api/v1/tickets", {"center": "DL010200", "group": "B"})
    # Served at the demo's window 4 (group B); the copies are moved to a bench window, which has no
    # evaluator whose timeout would close them as "not rated".
    wid = [w for w in call("GET", f"/api/v1/windows?centerID={county}", None, token) if w["number"] == 4][0]["id"]
    clerk = "benchclerk"
    call("POST", "/api/v1/users", {"username": clerk, "displayName": "Bench", "password": "Bench-Clerk-2026", "role": "window_staff",
                                   "centerID": county}, token)
    ct = call("POST", "/api/v1/auth/login", {"username": clerk, "password": "Bench-Clerk-2026"})["token"]
    call("POST", f"/api/v1/windows/{wid}/sign-in", None, ct)
    call("POST", f"/api/v1/windows/{wid}/call-next", None, ct)
    call("POST", f"/api/v1/tickets/{t['id']}/start", {"window": wid}, ct)
    call("POST", f"/api/v1/tickets/{t['id']}/finish", {"window": wid}, ct)
    return t["id"]


def copy_tickets(db, template, window):
    cols = db.columns("tickets")
    tid = db.id(template)
    row = db.query(f"SELECT {', '.join(cols)} FROM tickets WHERE id = '{tid}'")[0]
    rows, lines = [], []
    for n in range(INTAKE_TICKETS):
        new = uuid.uuid4()
        token = uuid.uuid4().hex
        r = []
        for c, v in zip(cols, row):
            if c == "id":
                v = db.id(new)
            elif c == "follow_token":
                v = token
            elif c == "sequence":
                v = 10000 + n
            elif c == "number":
                v = f"Z{n:05d}"
            elif c == "rated":
                v = "f" if db.pg else 0
            elif c == "window_id":
                v = db.id(window)
            r.append(v)
        rows.append(r)
        lines.append(f"{new} {token}")
    db.insert("tickets", cols, rows)
    return lines


def main():
    tmp = tempfile.mkdtemp()
    db = DB(tmp)
    label = "PostgreSQL" if db.pg else "SQLite"
    try:
        server = start(db, tmp)
        token = call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = [c for c in call("GET", "/api/v1/centers", None, token) if c["code"] == "DL010200"][0]["id"]
        depts = [d["id"] for d in call("GET", f"/api/v1/departments?centerID={county}", None, token) if d.get("centerID") == county] or [None]
        windows = []
        for n in range(WINDOWS):
            w = call("POST", "/api/v1/windows", {"centerID": county, "number": 500 + n, "name": f"评价窗口{n}", "kind": "department",
                                                "departmentID": depts[n % len(depts)]}, token)
            windows.append((w["id"], w.get("departmentID") or depts[n % len(depts)]))
        template = intake(db, tmp, token, county, windows)
        stop(server)

        t0 = time.time()
        month, rows = seed(db, windows, county)
        print(f"{label}: seeded {RATINGS:,} ratings of {month} over {WINDOWS} windows ({rows:,} day-and-scope figures) in {time.time() - t0:.0f} s")

        page = f"/hall/DL010200/ratings?month={month}"
        api = f"/api/v1/centers/{county}/ratings/disclosure?month={month}"
        cold, dropped = [], False
        for _ in range(COLD):
            dropped = drop_caches() or dropped
            server = start(db, tmp)
            s, body = timed(page)
            cold.append(s)
            stop(server)
        figures = json.loads(timed_api(db, tmp, api))
        server = start(db, tmp)
        timed(page)
        before = cpu(server.pid)
        warm = [timed(page)[0] for _ in range(WARM)]
        page_cpu = (cpu(server.pid) - before) / WARM * 1000
        before = cpu(server.pid)
        warm_api = [timed(api)[0] for _ in range(WARM)]
        api_cpu = (cpu(server.pid) - before) / WARM * 1000
        print(f"  figures: rated {figures['figures']['rated']:,}, satisfaction {figures['figures']['satisfaction']:.4f}, "
              f"on time {figures['figures']['onTimeRate']}, {len(figures['rectified'])} rectified listed")
        print(f"  disclosure page cold (fresh process{', OS cache dropped' if dropped else ''}): median {statistics.median(cold) * 1000:.1f} ms, "
              f"max {max(cold) * 1000:.1f} ms (n={COLD})")
        print(f"  disclosure page warm: p50 {pct(warm, .5):.1f} ms, p95 {pct(warm, .95):.1f} ms, server CPU {page_cpu:.2f} ms/request (n={WARM}, one client)")
        print(f"  disclosure API warm:  p50 {pct(warm_api, .5):.1f} ms, p95 {pct(warm_api, .95):.1f} ms, server CPU {api_cpu:.2f} ms/request")

        if INTAKE_TICKETS > 0 and (not db.pg or os.environ.get("INTAKE") == "1"):
            stop(server)
            lines = copy_tickets(db, template, windows[0][0])
            open(f"{tmp}/tickets.txt", "w").write("\n".join(lines) + "\n")
            server = start(db, tmp)
            before_count = int(db.query("SELECT COUNT(*) FROM ratings")[0][0])
            before = cpu(server.pid)
            out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", "--latency", f"-d{INTAKE_SECONDS}s", "-s", "bench/ratings_intake.lua", BASE],
                                 env=dict(os.environ, TICKETS_FILE=f"{tmp}/tickets.txt"), capture_output=True, text=True).stdout
            used = cpu(server.pid) - before
            stop(server)
            made = int(db.query("SELECT COUNT(*) FROM ratings")[0][0]) - before_count
            seconds = float(re.search(r"requests in ([\d.]+)s", out).group(1))
            lat = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", out)
            bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            p99 = re.search(r"99%\s+(\S+)", out)
            print(f"  intake: {made / seconds:,.0f} ratings/s stored over HTTP at {CONNECTIONS} connections (wrk {seconds:.0f} s), latency avg {lat.group(1)}, "
                  f"p99 {p99.group(1) if p99 else '?'}, server CPU {used / max(made, 1) * 1000:.2f} ms/rating; {made:,} ratings stored, "
                  f"{bad.group(1) if bad else 0} answers not 2xx")
            if made >= INTAKE_TICKETS:
                print("  (every prepared ticket was rated: the rate is a lower bound; raise INTAKE_TICKETS)")
        else:
            stop(server)
    finally:
        try:
            server.terminate()
        except Exception:
            pass
        if os.environ.get("KEEP"):
            print("kept:", tmp, db.url)
        else:
            db.drop()
            shutil.rmtree(tmp, ignore_errors=True)


def timed_api(db, tmp, api):
    server = start(db, tmp)
    try:
        return timed(api)[1]
    finally:
        stop(server)


if __name__ == "__main__":
    main()
