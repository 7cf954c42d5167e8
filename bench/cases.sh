#!/usr/bin/env bash
# Supervision at scale (issue 5): a release OneStop on SQLite with CASES open timed cases
# (default 1,000,000, about 5 % of them due a look today), then per run on a fresh copy:
#   - the supervision sweep (POST /api/v1/supervision/sweep), and a second one the same day;
#   - the supervision board's first page (GET /api/v1/supervision/cases?limit=50), p50/p95 of 300.
#   CASES=1000000 RUNS=3 bench/cases.sh
# Figures: bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product onestop --scratch-path .build-release >/dev/null
BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)"
CASES=${CASES:-1000000}
RUNS=${RUNS:-3}
PORT=18093
BASE="http://127.0.0.1:$PORT"
PASSWORD=BenchAdmin12345
WORK=$(mktemp -d /tmp/onestop-cases.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

serve() {  # database file
  ONESTOP_DATABASE_URL="sqlite://$1" ONESTOP_PORT=$PORT ONESTOP_ADMIN_PASSWORD=$PASSWORD LOG_LEVEL=warning \
    "$BIN/onestop" serve --env production >>"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -sf "$BASE/healthz" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "server did not start"; exit 1
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

echo "== seeding $CASES open cases"
serve "$WORK/base.sqlite"
stop
TODAY=$(TZ=Asia/Shanghai date +%F)
python3 bench/cases_seed.py "$WORK/base.sqlite" --cases "$CASES" --today "$TODAY"

for i in $(seq "$RUNS"); do
  echo "== run $i"
  cp "$WORK/base.sqlite" "$WORK/run.sqlite"
  rm -f "$WORK/run.sqlite-wal" "$WORK/run.sqlite-shm"
  serve "$WORK/run.sqlite"
  TOKEN=$(curl -sf -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  for pass in first again; do
    curl -sf -o "$WORK/sweep.json" -w '%{time_total}\n' -X POST -H "authorization: Bearer $TOKEN" "$BASE/api/v1/supervision/sweep" \
      >"$WORK/sweep.time"
    echo "sweep ($pass): $(cat "$WORK/sweep.json") in $(cat "$WORK/sweep.time") s" | tee -a "$WORK/sweep-$pass"
  done
  python3 - "$PORT" "$TOKEN" <<'PY' | tee -a "$WORK/board"
import http.client, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port)
times = []
for i in range(320):
    t = time.perf_counter()
    c.request("GET", "/api/v1/supervision/cases?limit=50", headers={"authorization": "Bearer " + token, "accept": "application/json"})
    r = c.getresponse()
    body = r.read()
    assert r.status == 200, (r.status, body[:200])
    if i >= 20:
        times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"board first page: p50 {times[len(times) // 2]:.1f} ms  p95 {times[int(len(times) * 0.95) - 1]:.1f} ms  ({len(body)} bytes)")
PY
  stop
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "median of $RUNS runs ($CASES open cases):"
echo "  first sweep of the day: $(grep -oE 'in [0-9.]+ s' "$WORK/sweep-first" | grep -oE '[0-9.]+' | median) s"
echo "  second sweep, same day: $(grep -oE 'in [0-9.]+ s' "$WORK/sweep-again" | grep -oE '[0-9.]+' | median) s"
echo "  board first page p95:   $(awk '{for (i = 1; i < NF; i++) if ($i == "p95") print $(i + 1)}' "$WORK/board" | median) ms"
