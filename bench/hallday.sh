#!/usr/bin/env bash
# The hall-day simulator (bench/hallday/HallDay.swift) against a release build, on SQLite and on
# PostgreSQL: each run starts OneStop on a fresh database, sets up N windows with clerks and
# evaluators, and plays a compressed day of M tickets through full lifecycles.
#   WINDOWS=100 TICKETS=5000 DAY_SECONDS=5 RUNS=3 bench/hallday.sh
# Figures: bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product onestop --scratch-path .build-release >/dev/null
swift build -c release --product bench-hallday --scratch-path .build-release >/dev/null
BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)"
. scripts/lib/postgres.sh
PORT=18091
BASE="http://127.0.0.1:$PORT"
PASSWORD=BenchAdmin12345
RUNS=${RUNS:-3}
WINDOWS=${WINDOWS:-100}
TICKETS=${TICKETS:-5000}
DAY_SECONDS=${DAY_SECONDS:-5}
WORK=$(mktemp -d /tmp/onestop-hallday.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; pg_stop; rm -rf "$WORK"' EXIT

run() {  # label, database URL, schema
  local label=$1 url=$2 schema=$3
  # The data keys of the run (PostgreSQL needs a file named).
  [ -f "$WORK/keys-$label" ] || "$BIN/onestop" keys new "$WORK/keys-$label" >/dev/null
  ONESTOP_DATA_KEY_FILE="$WORK/keys-$label" ONESTOP_DATABASE_URL="$url" ONESTOP_DATABASE_SCHEMA="$schema" ONESTOP_PORT=$PORT ONESTOP_ADMIN_PASSWORD=$PASSWORD \
    LOG_LEVEL=warning "$BIN/onestop" serve --env production >"$WORK/server-$label.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 150); do curl -sf "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  "$BIN/bench-hallday" --base "$BASE" --password "$PASSWORD" --windows "$WINDOWS" --tickets "$TICKETS" --seconds "$DAY_SECONDS" \
    | tee "$WORK/run-$label.txt" | grep -vE "^(setting up|running)"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  grep -oE '= [0-9]+ lifecycles/s' "$WORK/run-$label.txt" | grep -oE '[0-9]+' >>"$WORK/rate-${label%%-*}"
  awk '$1 == "call-next" && $2 == "n=" {print $8}' "$WORK/run-$label.txt" >>"$WORK/p99-${label%%-*}"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in $(seq "$RUNS"); do
  echo "== SQLite run $i"
  rm -f "$WORK/db.sqlite"*
  run "sqlite-$i" "sqlite://$WORK/db.sqlite" ""
done
pg_start 55440
for i in $(seq "$RUNS"); do
  echo "== PostgreSQL run $i"
  run "postgres-$i" "$PG_URL" "hallday_$i"
done
echo
echo "median of $RUNS runs ($WINDOWS windows, $TICKETS tickets):"
echo "  SQLite:     $(median <"$WORK/rate-sqlite") lifecycles/s, call-next p99 $(median <"$WORK/p99-sqlite") ms"
echo "  PostgreSQL: $(median <"$WORK/rate-postgres") lifecycles/s, call-next p99 $(median <"$WORK/p99-postgres") ms"
