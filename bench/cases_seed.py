#!/usr/bin/env python3
"""Fills a migrated, seeded OneStop SQLite database with N open timed cases (default 1,000,000)
of the demo county's food licence, as the supervision benchmark needs them: under review, due
dates spread over the next weeks, and the day supervision next looks at each spread so that about
`--due-share` of them are due a look today.

    bench/cases_seed.py DB [--cases 1000000] [--today 2026-11-23] [--due-share 0.05]
"""
import argparse
import datetime
import random
import sqlite3
import uuid

p = argparse.ArgumentParser()
p.add_argument("db")
p.add_argument("--cases", type=int, default=1_000_000)
p.add_argument("--today", default=datetime.date.today().isoformat())
p.add_argument("--due-share", type=float, default=0.05)
a = p.parse_args()

con = sqlite3.connect(a.db)
cur = con.cursor()
center, = cur.execute("SELECT id FROM centers WHERE code = 'DL010200'").fetchone()
dept, = cur.execute("SELECT id FROM departments WHERE center_id = ? AND code = 'SCJG'", (center,)).fetchone()
item, code, version = cur.execute("SELECT id, code, version_in_force FROM service_items WHERE name = '食品经营许可证核发'").fetchone()
applicant = str(uuid.uuid4()).upper()
cur.execute(
    "INSERT INTO applicants (id, kind, name, id_number, phone, contact, user_id, created_at) VALUES (?, 'person', '基准测试', '11010519491231002X', '13800138000', '', NULL, 0)",
    (applicant,))
today = datetime.date.fromisoformat(a.today)
rng = random.Random(7)


def day(offset):
    return (today + datetime.timedelta(days=offset)).isoformat()


rows, queue = [], []
for i in range(a.cases):
    promised = rng.randint(-3, 40)
    legal = promised + rng.randint(5, 20)
    nxt = 0 if rng.random() < a.due_share else rng.randint(1, 30)
    level = "yellow" if promised < 0 else ("reminder" if promised <= 3 else "normal")
    rows.append((
        str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(), f"DL010200-BENCH-{i + 1:07d}", center, dept, item, code,
        "食品经营许可证核发", version, "promised", "window", applicant, "under_review", day(-10), day(-9), 5, 20, 0,
        day(promised), day(legal), 0, level, None, "{}", 0, 0,
    ))
    queue.append((day(nxt), rows[-1][0]))
    if len(rows) == 50_000:
        cur.executemany(
            "INSERT INTO cases (id, number, center_id, department_id, item_id, item_code, item_name, guide_version, case_type, channel,"
            " applicant_id, state, received_on, accepted_on, promised_days, legal_days, extension_days, promised_due, legal_due,"
            " supplement_asked, level, reminded, form, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        cur.executemany("INSERT INTO supervision_queue (day, case_id) VALUES (?, ?)", queue)
        rows, queue = [], []
if rows:
    cur.executemany(
        "INSERT INTO cases (id, number, center_id, department_id, item_id, item_code, item_name, guide_version, case_type, channel,"
        " applicant_id, state, received_on, accepted_on, promised_days, legal_days, extension_days, promised_due, legal_due,"
        " supplement_asked, level, reminded, form, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    cur.executemany("INSERT INTO supervision_queue (day, case_id) VALUES (?, ?)", queue)
con.commit()
print(cur.execute("SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM supervision_queue WHERE day <= ?)", (a.today,)).fetchone())
