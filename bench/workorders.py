#!/usr/bin/env python3
"""Work orders at scale (issue 20): intake over HTTP, the dispatch suggestion over 10,000 directory
rules, and the department's worklist and the time-limit sweep with 1,000,000 open orders.

1. Starts OneStop (release) on a fresh database (SQLite file, or PostgreSQL with PG_URL), demo
   seeded; makes OPERATORS hotline operators and a chief representative of the market regulator.
2. Intake: wrk with OPERATORS connections takes complaints in over HTTP (createWorkOrder, each
   from another caller's phone) for INTAKE_SECONDS, RUNS times: orders/s, latency, server CPU per
   order, and the orders in the database checked against the 201s.
3. Stops OneStop and writes RULES dispatch rules and, with the orders already taken, OPEN open
   orders (handling, spread over the county's departments, due over the next 30 days) straight
   into the database; SWEEP_DUE of them reach a quarter of their time left four minutes after the seed began,
   so the sweep has to remind each once. The seed is the only thing that does not go through
   OneStop: 1,000,000 orders over HTTP would take longer than the measurement.
4. Restarts OneStop and measures, sequentially, WARM times each: the suggestion for an order
   (suggestDispatch) and the chief representative's worklist (listWorkOrders, by time left),
   p50 and p95 with server CPU per request; then one sweep (POST /api/v1/supervision/sweep) once
   the SWEEP_DUE orders are due, its time and what it wrote.

    ONESTOP_BIN=.build-release/release/onestop python3 bench/workorders.py
"""
import os, random, re, statistics, subprocess, sys, tempfile, time, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ratings import BASE, DB, call, cpu, start, stop  # noqa: E402

OPERATORS = int(os.environ.get("OPERATORS", "16"))
INTAKE_SECONDS = int(os.environ.get("INTAKE_SECONDS", "20"))
RUNS = int(os.environ.get("RUNS", "3"))
RULES = int(os.environ.get("RULES", "10000"))
OPEN = int(os.environ.get("OPEN", "1000000"))
SWEEP_DUE = int(os.environ.get("SWEEP_DUE", "10000"))
WARM = int(os.environ.get("WARM", "200"))
DUE_IN = int(os.environ.get("DUE_IN", "240"))
PASSWORD = "Bench-Admin-2026"
HERE = os.path.dirname(os.path.abspath(__file__))


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def timed(server, fn, n):
    lat = []
    c0 = cpu(server.pid)
    for _ in range(n):
        t = time.perf_counter()
        fn()
        lat.append((time.perf_counter() - t) * 1000)
    return pct(lat, 50), pct(lat, 95), (cpu(server.pid) - c0) * 1000 / n


def intake(server, tokens_file):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{OPERATORS}", f"-d{INTAKE_SECONDS}s", "--latency", "-s", f"{HERE}/workorders_intake.lua",
         BASE + "/api/v1/work-orders"], env=dict(os.environ, TOKENS_FILE=tokens_file), capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    lat = {k: v for k, v in re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out)}
    return rate, total, non2xx, lat


def main():
    tmp = tempfile.mkdtemp(prefix="onestop-bench-wo.")
    db = DB(tmp)
    server = start(db, tmp)
    try:
        admin = call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
        county = next(c for c in call("GET", "/api/v1/centers", token=admin) if c["code"] == "DL010200")["id"]
        departments = call("GET", f"/api/v1/departments?centerID={county}", token=admin)
        scjg = next(d for d in departments if d["code"] == "SCJG")["id"]
        tokens = []
        for n in range(OPERATORS):
            name = f"bench_rexian_{n}"
            call("POST", "/api/v1/users", {"username": name, "displayName": name, "password": PASSWORD, "role": "hotline_operator",
                                           "centerID": county}, admin)
            tokens.append(call("POST", "/api/v1/auth/login", {"username": name, "password": PASSWORD})["token"])
        call("POST", "/api/v1/users", {"username": "bench_chief", "displayName": "bench_chief", "password": PASSWORD,
                                       "role": "chief_representative", "centerID": county, "departmentID": scjg}, admin)
        tokens_file = f"{tmp}/tokens"
        open(tokens_file, "w").write("\n".join(tokens) + "\n")

        print(f"intake: {OPERATORS} operators, {INTAKE_SECONDS} s, {RUNS} runs ({'PostgreSQL' if db.pg else 'SQLite'})")
        rates = []
        taken = 0
        for r in range(RUNS):
            c0 = cpu(server.pid)
            rate, total, non2xx, lat = intake(server, tokens_file)
            used = cpu(server.pid) - c0
            taken += total - non2xx
            rates.append(rate)
            print(f"  run {r + 1}: {rate:.0f} orders/s, {non2xx} refused, p50 {lat.get('50')}, p99 {lat.get('99')},"
                  f" {used * 1000 / max(total, 1):.2f} ms CPU per order")
        stored = int(db.query("SELECT COUNT(*) FROM work_orders")[0][0])
        print(f"  median {statistics.median(rates):.0f} orders/s; {stored} orders stored for {taken} answered 201")
        sample = db.query("SELECT id FROM work_orders LIMIT 1")[0][0]
    finally:
        stop(server)

    seed(db, county, [d["id"] for d in departments])
    server = start(db, tmp)
    try:
        token = call("POST", "/api/v1/auth/login", {"username": "bench_rexian_0", "password": PASSWORD})["token"]
        chief = call("POST", "/api/v1/auth/login", {"username": "bench_chief", "password": PASSWORD})["token"]
        call("GET", f"/api/v1/work-orders/{sample.lower()}/suggestions", token=token)
        p50, p95, c = timed(server, lambda: call("GET", f"/api/v1/work-orders/{sample.lower()}/suggestions", token=token), WARM)
        print(f"suggestion over {RULES} rules and the catalog: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {c:.2f} ms CPU")
        worklist = call("GET", "/api/v1/work-orders", token=chief)
        p50, p95, c = timed(server, lambda: call("GET", "/api/v1/work-orders", token=chief), WARM)
        print(f"worklist of one department ({len(worklist)} shown) with {OPEN} open orders: p50 {p50:.1f} ms, p95 {p95:.1f} ms,"
              f" {c:.2f} ms CPU")
        wait = DUE_AT / 1000 - time.time() + 1
        if wait > 0:
            time.sleep(wait)
        outbox0 = int(db.query("SELECT COUNT(*) FROM outbox")[0][0])
        c0 = cpu(server.pid)
        t = time.perf_counter()
        looked = call("POST", "/api/v1/supervision/sweep", token=call(
            "POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"])
        took = time.perf_counter() - t
        reminded = int(db.query("SELECT COUNT(*) FROM work_orders WHERE stage = 1")[0][0])
        outbox = int(db.query("SELECT COUNT(*) FROM outbox")[0][0]) - outbox0
        print(f"sweep with {OPEN} open orders, {SWEEP_DUE} due a reminder: {took:.2f} s, {cpu(server.pid) - c0:.2f} s CPU;"
              f" {looked}; {reminded} reminded, {outbox} notifications")
    finally:
        stop(server)
        db.drop()


DUE_AT = 0


def seed(db, county, departments):
    """RULES rules and OPEN open orders, SWEEP_DUE of them due a reminder a minute from now."""
    global DUE_AT
    rnd = random.Random(20)
    words = ["营业执照", "食品", "餐馆", "社保", "医保", "公积金", "户口", "身份证", "不动产", "房产", "税务", "发票", "驾驶证", "车辆",
             "出入境", "护照", "婚姻", "生育", "养老", "就业", "劳动", "工伤", "环保", "噪音", "占道", "停车", "物业", "供水", "供电", "燃气"]
    rcols = ["id", "center_id", "department_id", "duty", "keywords", "item_kinds", "item_codes", "service_code"]
    rules = []
    for n in range(RULES):
        kw = rnd.sample(words, 3) + [f"职责{n}"]
        rules.append([db.id(uuid.uuid4()), db.id(county), db.id(rnd.choice(departments)), f"职责 {n}", ",".join(kw), "", "", ""])
    db.insert("dispatch_rules", rcols, rules)
    cols = db.columns("work_orders")
    now = int(time.time() * 1000)
    DUE_AT = now + DUE_IN * 1000  # past the seed and the start-up sweep, before the next
    day = 86_400_000
    base = {c: None for c in cols}
    base.update({"kind": "complaint", "channel": "phone", "urgency": "general", "state": "handling", "anonymous": False,
                 "confidential": False, "phone_index": "", "title": "窗口投诉", "text": "排队时间太长", "address": "", "brand_ref": "",
                 "service_code": "", "co_departments": "", "limit_text": "7d", "reply": "", "replied_by": "", "returns": 0, "reopens": 0,
                 "judge_note": "", "stage": 0, "taken_by": "user:bench", "media_url": "", "center_id": db.id(county)})
    existing = int(db.query("SELECT COUNT(*) FROM work_orders")[0][0])
    rows = []
    for n in range(max(0, OPEN - existing)):
        r = dict(base)
        r["id"] = db.id(uuid.uuid4())
        r["number"] = f"GDB{n:09d}"
        r["department_id"] = db.id(departments[n % len(departments)])
        if n < SWEEP_DUE:
            # Three quarters of its time gone a minute from now: due a reminder then.
            r["clock_start"], r["due_at"], r["next_look"] = DUE_AT - 3 * day, DUE_AT + day, DUE_AT
        else:
            # Dispatched within the day, due in 5 to 30 days: no look before the measurement.
            start = now - rnd.randrange(day)
            due = now + 5 * day + rnd.randrange(25 * day)
            r["clock_start"], r["due_at"], r["next_look"] = start, due, due - (due - start) // 4 + 3600_000
        r["received_at"] = r["dispatched_at"] = r["signed_at"] = r["clock_start"]
        r["sign_due_at"] = r["clock_start"] + 7_200_000
        rows.append([r[c] for c in cols])
        if len(rows) == 100_000:
            db.insert("work_orders", cols, rows)
            rows = []
    db.insert("work_orders", cols, rows)
    if db.pg:
        db.query("ANALYZE")
    print(f"seeded {RULES} rules and {OPEN - existing} open orders ({SWEEP_DUE} due a reminder)")


if __name__ == "__main__":
    main()
