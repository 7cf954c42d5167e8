#!/usr/bin/env python3
"""SIGKILL trials under a mixed load (issue 18). One database; each trial starts OneStop, runs a
hall (visitors take tickets; six windows call, start, finish, and their evaluators rate) and window
intake (a clerk receives and accepts cases), kills the server with SIGKILL at a random moment, and
starts it again. After each restart:
  - every ticket a kiosk was given is there with its number, at least in the state a window was
    told, and rated if the evaluator was told the rating was stored;
  - every case a clerk was told was received is there with its number;
  - the audit chain verifies;
and over all trials no ticket number (per day) and no case number is handed out twice.

Usage: bench/sigkill.py BIN [--trials 20] [--pg postgres://…]   (SQLite in a temporary file
unless --pg; with --pg a fresh schema of that database, and a key file made for it)."""
import argparse, concurrent.futures, datetime, json, os, random, signal, subprocess, sys, tempfile, threading, time, uuid
import urllib.error, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("bin")
ap.add_argument("--trials", type=int, default=20)
ap.add_argument("--pg")
args = ap.parse_args()

PORT = 18097
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "Killed-Admin-2026"
work = tempfile.mkdtemp(prefix="onestop-sigkill-")
env = dict(os.environ, ONESTOP_PORT=str(PORT), ONESTOP_ADMIN_PASSWORD=PASSWORD, LOG_LEVEL="warning",
           ONESTOP_THROTTLE_FORMS="off", ONESTOP_THROTTLE_SIGNIN="off")
if args.pg:
    env["ONESTOP_DATABASE_URL"] = args.pg
    env["ONESTOP_DATABASE_SCHEMA"] = "sigkill_" + uuid.uuid4().hex[:10]
    env["ONESTOP_DATA_KEY_FILE"] = os.path.join(work, "keys")
    subprocess.run([args.bin, "keys", "new", env["ONESTOP_DATA_KEY_FILE"]], check=True, stdout=subprocess.DEVNULL)
else:
    env["ONESTOP_DATABASE_URL"] = f"sqlite://{work}/kill.sqlite"
log = open(os.path.join(work, "server.log"), "a")


def start():
    p = subprocess.Popen([args.bin, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    t0 = time.time()
    while time.time() - t0 < 60:
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=1)
            return p, time.time() - t0
        except Exception:
            if p.poll() is not None:
                raise SystemExit(f"server exited {p.returncode}; see {work}/server.log")
            time.sleep(0.05)
    raise SystemExit("server did not start")


def api(method, path, body=None, token=None):
    req = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    req.add_header("accept", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


server, _ = start()
admin = api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})["token"]
county = next(c for c in api("GET", "/api/v1/centers", token=admin) if c["code"] == "DL010200")["id"]
today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
if not api("GET", f"/api/v1/centers/{county}/calendar/days/{today}")["isWorkingDay"]:
    api("PUT", f"/api/v1/centers/{county}/calendar/days/{today}", {"kind": "makeup_workday", "name": "bench"}, admin)
have = {w["number"]: w["id"] for w in api("GET", f"/api/v1/windows?centerID={county}", token=admin)}
windows = {n: have[n] for n in range(1, 7)}
api("POST", f"/api/v1/centers/{county}/queue/groups", {"prefix": "K", "name": "断电测试", "windows": list(windows)}, admin)
clerks, devices = {}, {}
for n, wid in windows.items():
    api("POST", "/api/v1/users", {"username": f"kclerk{n}", "displayName": f"窗口{n}", "password": "Clerk-Pass-2026",
                                  "role": "window_staff", "centerID": county}, admin)
    clerks[n] = api("POST", "/api/v1/auth/login", {"username": f"kclerk{n}", "password": "Clerk-Pass-2026"})["token"]
    api("POST", f"/api/v1/windows/{wid}/sign-in", token=clerks[n])
    devices[n] = api("POST", "/api/v1/devices", {"label": f"评价器{n}", "role": "window_evaluator", "centerID": county,
                                                 "windowID": wid}, admin)["token"]
# Tickets come from the hall's kiosk, as in a real hall (anonymous issuing is limited per address).
kiosk = api("POST", "/api/v1/devices", {"label": "取号机", "role": "kiosk", "centerID": county}, admin)["token"]
item = next(i for i in api("GET", "/api/v1/items?limit=1000", token=admin) if i["name"] == "食品经营许可证核发")
guide = api("GET", f"/api/v1/items/{item['id']}", token=admin)["guide"]
marks = [{"status": "provided" if m["need"] == "required" else "not_applicable"} for m in guide["materials"]]
intake = clerks[6]

ORDER = ["waiting", "called", "serving", "finished"]


def rank(state):
    """Where a state lies on the way through the hall; those off the main way (expired after
    repeated skips, transferred, parked) count as the end of it."""
    return ORDER.index(state) if state in ORDER else len(ORDER)
tickets = {}  # id → {"follow", "number", "day", "state", "rated"} as the clients were told
cases = {}  # id → number
numbers_seen = {}  # (day, ticket number) → ticket id
results = []


def trial(k):
    global server
    lock, stop = threading.Lock(), threading.Event()
    counts = {"tickets": 0, "moves": 0, "ratings": 0, "cases": 0}

    def visitor():
        while not stop.is_set():
            try:
                t = api("POST", "/api/v1/tickets", {"center": "DL010200", "group": "K"}, kiosk)
            except urllib.error.HTTPError:
                time.sleep(0.05)
                continue
            except Exception:
                return
            with lock:
                tickets[t["id"]] = {"follow": t["followToken"], "number": t["number"], "day": today, "state": "waiting", "rated": False}
                counts["tickets"] += 1

    def told(tid, state):
        if tid in tickets and rank(state) > rank(tickets[tid]["state"]):
            tickets[tid]["state"] = state

    def window(n):
        wid = windows[n]
        while not stop.is_set():
            try:
                t = api("POST", f"/api/v1/windows/{wid}/call-next", token=clerks[n]).get("ticket")
                if t is None:
                    time.sleep(0.02)
                    continue
                with lock:
                    told(t["id"], "called")
                    counts["moves"] += 1
                for action, state in (("start", "serving"), ("finish", "finished")):
                    api("POST", f"/api/v1/tickets/{t['id']}/{action}", {"window": wid}, clerks[n])
                    with lock:
                        told(t["id"], state)
                        counts["moves"] += 1
                api("POST", f"/api/v1/tickets/{t['id']}/rating", {"level": random.choice([4, 5]), "tags": []}, devices[n])
                with lock:
                    if t["id"] in tickets:
                        tickets[t["id"]]["rated"] = True
                    counts["ratings"] += 1
            except Exception:
                return

    def clerk():
        while not stop.is_set():
            try:
                c = api("POST", "/api/v1/cases", {
                    "center": county, "item": item["code"], "materials": marks, "accept": True,
                    "applicant": {"kind": "person", "name": "王五", "idNumber": "11010519491231002X", "phone": "13800138000"},
                }, intake)
            except Exception:
                return
            with lock:
                cases[c["id"]] = c["number"]
                counts["cases"] += 1

    threads = [threading.Thread(target=visitor) for _ in range(2)] + [threading.Thread(target=window, args=(n,)) for n in range(1, 6)]
    threads.append(threading.Thread(target=clerk))
    for th in threads:
        th.start()
    time.sleep(1.5 + 2 * random.random())
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for th in threads:
        th.join()
    server, restart = start()

    lost, regressed, unrated = [], [], []
    for tid, t in tickets.items():
        try:
            now = api("GET", f"/api/v1/tickets/follow/{t['follow']}")
        except urllib.error.HTTPError:
            lost.append(t["number"])
            continue
        if now["id"] != tid or now["number"] != t["number"]:
            lost.append(t["number"])
        elif rank(now["state"]) < rank(t["state"]):
            regressed.append(f"{t['number']}: told {t['state']}, now {now['state']}")
        elif t["rated"] and not now["rated"]:
            unrated.append(t["number"])
        key = (t["day"], t["number"])
        if numbers_seen.setdefault(key, tid) != tid:
            regressed.append(f"{t['number']} handed out twice")
    missing_cases = []
    for cid, number in cases.items():
        try:
            if api("GET", f"/api/v1/cases/{cid}", token=admin)["number"] != number:
                missing_cases.append(number)
        except urllib.error.HTTPError:
            missing_cases.append(number)
    duplicate_cases = len(cases) - len(set(cases.values()))
    audit = api("GET", "/api/v1/audit/verify", token=admin)
    # Leave every window free for the next trial. A skipped ticket goes back to waiting: what
    # the window is told now is what the next check holds the server to.
    for n, wid in windows.items():
        cur = api("GET", f"/api/v1/windows/{wid}/desk", token=clerks[n]).get("current")
        if cur and cur["state"] in ("called", "serving"):
            action = "skip" if cur["state"] == "called" else "finish"
            api("POST", f"/api/v1/tickets/{cur['id']}/{action}", {"window": wid}, clerks[n])
            if cur["id"] in tickets:
                tickets[cur["id"]]["state"] = api("GET", f"/api/v1/tickets/follow/{tickets[cur['id']]['follow']}")["state"]
    ok = not lost and not regressed and not unrated and not missing_cases and not duplicate_cases and audit["intact"]
    results.append(ok)
    print(f"trial {k:2d}: +{counts['tickets']} tickets, +{counts['moves']} moves, +{counts['ratings']} ratings, +{counts['cases']} cases"
          f" acknowledged before SIGKILL; restart {restart:.1f} s; lost tickets {len(lost)}, regressed {len(regressed)},"
          f" ratings lost {len(unrated)}, cases lost {len(missing_cases)}, numbers reused {duplicate_cases};"
          f" audit {'intact' if audit['intact'] else audit['problem']} ({audit['checked']} entries)"
          + ("" if ok else f"\n  {lost[:5]} {regressed[:5]} {unrated[:5]} {missing_cases[:5]}"), flush=True)


for k in range(1, args.trials + 1):
    trial(k)
server.terminate()
server.wait()
print(f"{sum(results)} of {len(results)} trials kept every acknowledged write ({len(tickets)} tickets, {len(cases)} cases in all;"
      f" {len(numbers_seen)} ticket numbers, none twice); database: {'PostgreSQL' if args.pg else 'SQLite'}; log {work}/server.log")
sys.exit(0 if all(results) else 1)
