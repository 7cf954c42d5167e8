#!/usr/bin/env bash
# HTTP baseline: requests/s for /healthz, a signed-in page and one audited write, on SQLite and
# PostgreSQL, with wrk on loopback (2 threads, 32 connections, 10 s, median of 3 runs).
# Uses the release build in .build-release (built here when missing). Figures: bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
swift build -c release --product onestop --scratch-path .build-release >/dev/null
BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)/onestop"
. scripts/lib/postgres.sh
PORT=18090
BASE="http://127.0.0.1:$PORT"
PASSWORD=BenchAdmin12345
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WORK=$(mktemp -d /tmp/onestop-bench.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; pg_stop; rm -rf "$WORK"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { wrk -t2 -c32 -d"$DURATION" "$@" | awk '/Requests\/sec/ {print $2}'; }

measure() {  # name, wrk args…
  local name=$1; shift
  local values=()
  for _ in $(seq "$RUNS"); do values+=("$(rate "$@")"); done
  printf '%-22s %10.0f req/s   (runs: %s)\n' "$name" "$(printf '%s\n' "${values[@]}" | median)" "${values[*]}"
}

bench_db() {  # label, database URL
  local label=$1 url=$2
  # The data keys of the run (PostgreSQL needs a file named).
  [ -f "$WORK/keys-$label" ] || "$BIN" keys new "$WORK/keys-$label" >/dev/null
  ONESTOP_DATA_KEY_FILE="$WORK/keys-$label" ONESTOP_DATABASE_URL="$url" ONESTOP_PORT=$PORT ONESTOP_ADMIN_PASSWORD=$PASSWORD LOG_LEVEL=warning "$BIN" serve \
    --env production >"$WORK/server-$label.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  local token county window
  token=$(curl -sf "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
  read -r county window < <(curl -sf "$BASE/api/v1/windows" -H "authorization: Bearer $token" | python3 -c '
import sys, json
w = [x for x in json.load(sys.stdin) if x["kind"] == "comprehensive"][0]
print(w["centerID"], w["id"])')
  # A browser session: the sign-in form with its CSRF token, cookies in a jar.
  curl -sf -c "$WORK/jar" "$BASE/login" >"$WORK/login.html"
  local csrf
  csrf=$(sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' "$WORK/login.html" | head -n 1)
  curl -sf -b "$WORK/jar" -c "$WORK/jar" -o /dev/null "$BASE/login" \
    --data-urlencode "username=admin" --data-urlencode "password=$PASSWORD" --data-urlencode "_csrf=$csrf" --data-urlencode "next=/"
  local cookie
  cookie=$(awk '$6 == "onestop_session" {print $7}' "$WORK/jar")
  cat >"$WORK/write.lua" <<LUA
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"centerID":"$county","number":1,"name":"综合受理窗口","kind":"comprehensive","isOpen":true}'
LUA
  echo "--- $label"
  measure "/healthz" "$BASE/healthz"
  measure "signed-in page" -H "Cookie: onestop_session=$cookie" "$BASE/admin/windows?center=$county"
  measure "audited write (PUT)" -s "$WORK/write.lua" "$BASE/api/v1/windows/$window"
  curl -sf "$BASE/api/v1/audit/verify" -H "authorization: Bearer $token" | python3 -c '
import sys, json; v = json.load(sys.stdin); print("audit chain after the run:", "intact" if v["intact"] else v["problem"], "(%d entries)" % v["checked"])'
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo | xargs), $(free -g | awk '/Mem/ {print $2}') GiB; wrk and OneStop share it"
bench_db sqlite "sqlite://$WORK/bench.sqlite"
pg_start 55442
bench_db postgres "$PG_URL"
