#!/usr/bin/env python3
"""Fills a migrated, demo-seeded OneStop database (SQLite file or PostgreSQL URL) with three years of
a county subtree's records for the indicator benchmark (issue 21): WINDOWS windows at the county
and a twentieth as many at each of its two townships (four departments added to each), CASES decided cases and RATINGS
first-round ratings spread over the working days (Monday–Friday) of 2023-12-01 … 2026-11-30, the
bad ratings' rectification, and the 好差评 day figures (rating_tallies) exactly as OneStop keeps
them. The indicator figures themselves are not written here: `onestop indicators recount` counts
them from these records, as OneStop would have day by day.

    bench/indicators_seed.py sqlite:///tmp/x.sqlite [--cases 10000000] [--ratings 10000000] [--windows 2000]
    bench/indicators_seed.py postgres://postgres@127.0.0.1:55440/bench …
"""
import argparse
import datetime
import json
import random
import sqlite3
import subprocess
import time
import uuid

p = argparse.ArgumentParser()
p.add_argument("url")
p.add_argument("--cases", type=int, default=10_000_000)
p.add_argument("--ratings", type=int, default=10_000_000)
p.add_argument("--windows", type=int, default=2000)
a = p.parse_args()
PG = a.url.startswith("postgres")
PATH = a.url.replace("sqlite://", "", 1)
SHANGHAI = 8 * 3600


def uid(u):
    return str(u) if PG else str(u).upper()


def query(sql):
    if PG:
        out = subprocess.run(["psql", a.url, "-AtF", "\t", "-P", "null=<NULL>", "-c", sql], check=True, capture_output=True,
                             text=True).stdout
        return [[None if v == "<NULL>" else v for v in line.split("\t")] for line in out.splitlines() if line]
    c = sqlite3.connect(PATH)
    try:
        out = [list(r) for r in c.execute(sql).fetchall()]
        c.commit()
        return out
    finally:
        c.close()


def columns(table):
    if PG:
        return [r[0] for r in query(
            f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = 'public' ORDER BY ordinal_position")]
    return [r[1] for r in query(f"PRAGMA table_info({table})")]


BIG = ("cases", "ratings", "bad_ratings", "rating_tallies")


def secondary_indexes():
    """The big tables' secondary indexes (name, definition): dropped for the load, made again after,
    as a bulk load into an empty system would."""
    if PG:
        return query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('cases', 'ratings', "
                     "'bad_ratings', 'rating_tallies') AND indexname NOT LIKE '%pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%'")
    return query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('cases', 'ratings', "
                 "'bad_ratings', 'rating_tallies')")


def ordered_id(ms):
    """A time-ordered id, as OneStop makes them (UUID.timeOrdered): inserts land at the end of the key."""
    return uid(uuid.UUID(int=(ms << 80) | (0x7 << 76) | (rnd.getrandbits(12) << 64) | (0b10 << 62) | rnd.getrandbits(62)))


class Writer:
    """Rows of one table, written in chunks: COPY into PostgreSQL, executemany into SQLite."""

    def __init__(self, table, cols):
        self.table, self.cols, self.rows = table, cols, []
        if PG:
            self.proc = subprocess.Popen(["psql", a.url, "-qc", f"COPY {table} ({', '.join(cols)}) FROM STDIN"], stdin=subprocess.PIPE,
                                         text=True)
        else:
            self.con = sqlite3.connect(PATH)
            self.con.execute("PRAGMA journal_mode = OFF")
            self.con.execute("PRAGMA synchronous = OFF")
            self.con.execute("PRAGMA cache_size = -2000000")
            self.sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"

    def add(self, row):
        if PG:
            self.proc.stdin.write("\t".join(self.cell(v) for v in row) + "\n")
            return
        self.rows.append(row)
        if len(self.rows) >= 50_000:
            self.con.executemany(self.sql, self.rows)
            self.con.commit()
            self.rows = []

    @staticmethod
    def cell(v):
        if v is None:
            return "\\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    def close(self):
        if PG:
            self.proc.stdin.close()
            assert self.proc.wait() == 0
        else:
            if self.rows:
                self.con.executemany(self.sql, self.rows)
            self.con.commit()
            self.con.close()


def copy_row(table, where, changes):
    """A new row of `table` copied from the one `where` selects, with `changes`."""
    cols = columns(table)
    row = query(f"SELECT {', '.join(cols)} FROM {table} WHERE {where} LIMIT 1")[0]
    return cols, [changes.get(c, v) for c, v in zip(cols, row)]


rnd = random.Random(21)
started = time.time()
if not PG:
    query("PRAGMA journal_mode = DELETE")  # OneStop turns WAL on again at start
indexes = secondary_indexes()
for name, _ in indexes:
    query(f"DROP INDEX {name}")
centers = {code: cid for code, cid in query("SELECT code, id FROM centers WHERE code IN ('DL010200', 'DL010201', 'DL010202')")}
county = centers["DL010200"]
departments = {county: [r[0] for r in query(f"SELECT id FROM departments WHERE center_id = '{county}' ORDER BY code")]}
template = departments[county][0]
w = None
for code in ("DL010201", "DL010202"):
    departments[centers[code]] = []
    for k in range(4):
        d = uid(uuid.UUID(int=rnd.getrandbits(128), version=4))
        cols, row = copy_row("departments", f"id = '{template}'", {
            "id": d, "center_id": centers[code], "code": f"T{code[-1]}{k}", "name": f"{code} 基准部门 {k + 1}"})
        w = w or Writer("departments", cols)
        w.add(row)
        departments[centers[code]].append(d)
w.close()

# WINDOWS windows at the county (a monthly assessment rates them all) and a twentieth as many at
# each township, each with a department of its center.
placed = [(county, 1.0), (centers["DL010201"], 0.05), (centers["DL010202"], 0.05)]
windows = []
w = None
for center, share in placed:
    taken = {int(r[0]) for r in query(f"SELECT number FROM windows WHERE center_id = '{center}'")}
    n = 1
    for k in range(int(a.windows * share)):
        while n in taken:
            n += 1
        wid = uid(uuid.UUID(int=rnd.getrandbits(128), version=4))
        dept = departments[center][k % len(departments[center])]
        cols = columns("windows")
        values = {"id": wid, "center_id": center, "number": n, "name": f"基准窗口 {n}", "kind": "department", "department_id": dept,
                  "is_open": True, "phone": None, "created_at": None}
        w = w or Writer("windows", cols)
        w.add([values.get(c) for c in cols])
        windows.append((wid, center, dept))
        n += 1
w.close()

days = []
d = datetime.date(2023, 12, 1)
while d <= datetime.date(2026, 11, 30):
    if d.weekday() < 5:
        days.append(d)
    d += datetime.timedelta(days=1)

# Cases: each accepted on its day at a window's center and department, decided within 1–20 days,
# 3 % after their promised day; 20 % online, a tenth of those asked for a supplement.
item, code, version = query("SELECT id, code, version_in_force FROM service_items WHERE name = '食品经营许可证核发' LIMIT 1")[0]
applicant = uid(uuid.uuid4())
w = Writer("applicants", ["id", "kind", "name", "id_number", "phone", "contact", "user_id", "created_at"])
w.add([applicant, "person", "基准测试", "11010519491231002X", "13800138000", "", None, 0])
w.close()
ccols = ["id", "number", "center_id", "department_id", "item_id", "item_code", "item_name", "guide_version", "case_type", "channel",
         "applicant_id", "state", "received_on", "accepted_on", "decided_on", "delivered_on", "promised_days", "legal_days",
         "extension_days", "promised_due", "legal_due", "supplement_asked", "level", "form", "created_at", "updated_at"]
w = Writer("cases", ccols)
n = 0
for i, day in enumerate(days):
    count = a.cases * (i + 1) // len(days) - a.cases * i // len(days)
    for _ in range(count):
        n += 1
        wid, center, dept = windows[rnd.randrange(len(windows))]
        online = rnd.random() < 0.2
        promised = rnd.randint(3, 15)
        late = rnd.random() < 0.03
        took = promised + rnd.randint(1, 5) if late else rnd.randint(0, promised)
        decided = day + datetime.timedelta(days=took)
        ms = int(time.mktime(day.timetuple()) - time.timezone - SHANGHAI) * 1000 + 9 * 3600 * 1000
        w.add([ordered_id(ms), f"B{n:09d}", center, dept, item, code, "食品经营许可证核发", version,
               "promised", "online" if online else "window", applicant, "delivered", day.isoformat(), day.isoformat(),
               decided.isoformat(), decided.isoformat(), promised, promised + 10, 0, (day + datetime.timedelta(days=promised)).isoformat(),
               (day + datetime.timedelta(days=promised + 10)).isoformat(), online and rnd.random() < 0.1, "normal", "{}", ms, ms])
w.close()
print(f"cases: {n} in {time.time() - started:.0f} s", flush=True)

# Ratings with their bad-rating handling and the 好差评 day figures of the center, department
# and window scopes (as RatingFigures keeps them).
levels = [5] * 70 + [4] * 15 + [3] * 8 + [2] * 4 + [1] * 3
channels = ["window_device"] * 70 + ["qr_code"] * 15 + ["web"] * 8 + ["kiosk"] * 4 + ["sms", "hotline", "mobile"]
reasons = ["overtime", "extra_materials", "attitude", "multiple_trips", "slow", "absent", "facilities", "other"]
rcols = ["id", "center_id", "department_id", "window_id", "staff_id", "item_id", "case_id", "ticket_id", "channel", "rater_kind",
         "rater_identity", "level", "tags", "text", "at", "round", "excluded", "source", "operator"]
bcols = ["id", "center_id", "department_id", "window_id", "staff_id", "level", "real_name", "assigned_on", "due_on", "resolution",
         "resolution_note", "resolved_on", "resolved_by", "call_back_note", "appeal_reason", "appeal_decision_note", "rated_again",
         "created_at", "updated_at"]
rw, bw, tw = Writer("ratings", rcols), Writer("bad_ratings", bcols), Writer("rating_tallies", ["day", "scope", "tally"])
tallies = {}


def tally(day, scope):
    t = tallies.setdefault(day, {}).get(scope)
    if t is None:
        t = tallies[day][scope] = {"levels": [0] * 6, "channels": {}, "reasons": {}, "realNameBad": 0, "calledBack": 0, "due": 0,
                                   "dueOnTime": 0, "secondRound": 0, "secondRoundSatisfied": 0, "excluded": 0}
    return t


def flush(before):
    for day in sorted(k for k in tallies if k < before):
        for scope, t in tallies.pop(day).items():
            tw.add([day, scope, json.dumps(t, sort_keys=True, separators=(",", ":"))])


n = 0
for i, day in enumerate(days):
    count = a.ratings * (i + 1) // len(days) - a.ratings * i // len(days)
    iso = day.isoformat()
    base = int(time.mktime(day.timetuple()) - time.timezone - SHANGHAI) * 1000 + 9 * 3600 * 1000
    for _ in range(count):
        n += 1
        wid, center, dept = windows[rnd.randrange(len(windows))]
        level = rnd.choice(levels)
        channel = rnd.choice(channels)
        tags = ",".join(sorted(set(rnd.sample(reasons, rnd.randint(1, 2))))) if level <= 2 else ""
        at = base + rnd.randrange(8 * 3600 * 1000)
        rid = ordered_id(at)
        rw.add([rid, center, dept, wid, None, None, None, None, channel, "person", None, level, tags, "", at, 1, False, "", ""])
        scopes = ("center:" + center.lower(), "department:" + dept.lower(), "window:" + wid.lower())
        for scope in scopes:
            t = tally(iso, scope)
            t["levels"][level] += 1
            t["channels"][channel] = t["channels"].get(channel, 0) + 1
            for tag in tags.split(",") if tags else []:
                t["reasons"][tag] = t["reasons"].get(tag, 0) + 1
        if level <= 2:
            due = (day + datetime.timedelta(days=14)).isoformat()
            resolved = rnd.random() < 0.6
            on = (day + datetime.timedelta(days=rnd.randint(1, 20))).isoformat() if resolved else None
            bw.add([rid, center, dept, wid, None, level, False, iso, due, "rectified" if resolved else None,
                    "已加派人员，缩短等候" if resolved else "", on, "user:bench" if resolved else "", "", "", "", False, at, at])
            for scope in scopes:
                t = tally(due, scope)
                t["due"] += 1
                if resolved and on <= due:
                    t["dueOnTime"] += 1
    flush(iso)
flush("9999")
for x in (rw, bw, tw):
    x.close()
print(f"ratings written; making {len(indexes)} indexes again, {time.time() - started:.0f} s", flush=True)
for _, definition in indexes:
    query(definition)
if PG:
    query("ANALYZE")
print(f"ratings: {n}; windows {len(windows)}; {time.time() - started:.0f} s in all", flush=True)
