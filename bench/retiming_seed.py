#!/usr/bin/env python3
"""Fills a migrated, seeded OneStop SQLite database with N open timed cases of the demo county's
food licence (default 1,000,000) whose due dates agree with their clocks on the county's calendar,
so that a calendar change re-times exactly the clocks that span the changed day.

`--span-share` of them (default 10 %) have a long limit whose legal deadline lies after the day
that the benchmark will close; the others are due before it. Prints that day (YYYY-MM-DD).

    bench/retiming_seed.py DB --calendar days.json [--cases 1000000] [--today 2026-12-02] [--span-share 0.1]

`days.json` maps YYYY-MM-DD to whether the day is a working day (from getCalendarDay).
"""
import argparse
import bisect
import datetime
import json
import random
import sqlite3
import uuid

p = argparse.ArgumentParser()
p.add_argument("db")
p.add_argument("--calendar", required=True)
p.add_argument("--cases", type=int, default=1_000_000)
p.add_argument("--today", default=datetime.date.today().isoformat())
p.add_argument("--span-share", type=float, default=0.1)
a = p.parse_args()

working = sorted(d for d, w in json.load(open(a.calendar)).items() if w)
today = a.today


def add_working(start, n):
    """The n-th working day after start (start itself never counts), as OneStop counts."""
    i = bisect.bisect_right(working, start)
    return working[i + n - 1]


# The day to close: 30 working days from today. Short limits end before it, long ones span it.
closure = add_working(today, 30)
recent = [d for d in working if d <= today][-10:]

con = sqlite3.connect(a.db)
cur = con.cursor()
center, = cur.execute("SELECT id FROM centers WHERE code = 'DL010200'").fetchone()
dept, = cur.execute("SELECT id FROM departments WHERE center_id = ? AND code = 'SCJG'", (center,)).fetchone()
item, code, version = cur.execute("SELECT id, code, version_in_force FROM service_items WHERE name = '食品经营许可证核发'").fetchone()
applicant = str(uuid.uuid4()).upper()
cur.execute(
    "INSERT INTO applicants (id, kind, name, id_number, phone, contact, user_id, created_at)"
    " VALUES (?, 'person', '基准测试', '11010519491231002X', '13800138000', '', NULL, 0)", (applicant,))
rng = random.Random(16)
rows, queue = [], []
spanning = 0
day_ms = {d: int(datetime.datetime.fromisoformat(d + "T08:30:00+08:00").timestamp() * 1000) for d in recent}


def v7(ms):
    """The id OneStop gives a case it creates (UUID.timeOrdered): version 7, the time first."""
    n = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62) | rng.getrandbits(62)
    return str(uuid.UUID(int=n)).upper()


# The cases in the order the hall made them: by the day they were accepted, each with the
# time-ordered id the server gives a new case, so that the table's order is the ids' order.
per_day = -(-a.cases // len(recent))
for i in range(a.cases):
    accepted = recent[i // per_day]
    if rng.random() < a.span_share:
        legal = rng.randint(45, 60)
        promised = legal - rng.randint(0, 10)
    else:
        legal = rng.randint(5, 20)
        promised = max(1, legal - rng.randint(0, 5))
    promised_due = add_working(accepted, promised)
    legal_due = add_working(accepted, legal)
    spanning += legal_due >= closure
    rows.append((
        v7(day_ms[accepted] + (i % per_day) * 30), f"DL010200-RETIME-{i + 1:07d}", center, dept, item, code,
        "食品经营许可证核发", version, "promised", "window", applicant, "under_review", accepted, accepted, promised, legal, 0,
        promised_due, legal_due, 0, "normal", None, "{}", 0, 0,
    ))
    # The next look on its day, or tomorrow: the sweeps of the days before took those days' looks
    # (left on past days, they made the start-up sweep look at a third of the cases during the run).
    queue.append((max(add_working(accepted, max(0, promised - 3)), add_working(today, 1)), rows[-1][0]))
    if len(rows) == 50_000 or i == a.cases - 1:
        cur.executemany(
            "INSERT INTO cases (id, number, center_id, department_id, item_id, item_code, item_name, guide_version, case_type, channel,"
            " applicant_id, state, received_on, accepted_on, promised_days, legal_days, extension_days, promised_due, legal_due,"
            " supplement_asked, level, reminded, form, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        cur.executemany("INSERT OR IGNORE INTO supervision_queue (day, case_id) VALUES (?, ?)", queue)
        rows, queue = [], []
con.commit()
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
con.close()
print(json.dumps({"closure": closure, "spanning": spanning, "cases": a.cases}))
