#!/usr/bin/env bash
# The hall-day simulator (bench/hallday/HallDay.swift) against a release build. Each run starts
# OneStop on a fresh database, sets up N windows with clerks and evaluators, plays a day through
# full lifecycles, and reports the server's CPU per lifecycle (from /proc/<pid>/stat) beside the
# rates. After every run the database is checked: no ticket called twice, none lost.
#
#   bench/hallday.sh                       saturated, SQLite and PostgreSQL (as before)
#   MODE=scale TICKETS="2000 4000 8000"    saturated on SQLite at each day's size: CPU per lifecycle
#   MODE=open RATES="100 250 500"          open loop at each offered rate, SQLite and PostgreSQL
#   MODE=two                               two instances on one PostgreSQL behind nginx, beside one
#
# Common: WINDOWS=100 RUNS=3 TICKETS=2000 DAY_SECONDS=3 DURATION=20 DBS="sqlite postgres";
# KEEP_LOGS=<dir> keeps the servers' logs there (the housekeeping steps log their time there);
# BENCH_BIN=<dir> uses the binaries in that directory, built before.
# Figures: bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# Two builds compared in one sitting (this VM's speed swings between hours): BENCH_BIN.
if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN
else
  swift build -c release --product onestop --scratch-path .build-release >/dev/null
  swift build -c release --product bench-hallday --scratch-path .build-release >/dev/null
  BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)"
fi
. scripts/lib/postgres.sh
PORT=18091
PORT2=18092
NGINX_PORT=18093
PASSWORD=BenchAdmin12345
MODE=${MODE:-saturated}
RUNS=${RUNS:-3}
WINDOWS=${WINDOWS:-100}
TICKETS=${TICKETS:-2000}
DAY_SECONDS=${DAY_SECONDS:-3}
DURATION=${DURATION:-20}
RATES=${RATES:-100 250 500}
DBS=${DBS:-sqlite postgres}
WORK=$(mktemp -d /tmp/onestop-hallday.XXXXXX)
SERVERS=()
NGINX=""
cleanup() {
  # An interrupted run's load generator would go on loading the next run's server.
  pkill -f "$BIN/bench-hallday" 2>/dev/null || true
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS" && cp "$WORK"/server-*.log "$KEEP_LOGS"/ 2>/dev/null || true; fi
  [ -n "$NGINX" ] && kill "$NGINX" 2>/dev/null
  pg_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

start_server() {  # label, database URL, schema, port
  local label=$1 url=$2 schema=$3 port=$4
  # The data keys of the run (PostgreSQL needs a file named; the instances of a schema share it).
  [ -f "$WORK/keys-$schema" ] || "$BIN/onestop" keys new "$WORK/keys-$schema" >/dev/null
  ONESTOP_DATA_KEY_FILE="$WORK/keys-$schema" ONESTOP_DATABASE_URL="$url" ONESTOP_DATABASE_SCHEMA="$schema" ONESTOP_PORT=$port \
    ONESTOP_ADMIN_PASSWORD=$PASSWORD LOG_LEVEL=warning "$BIN/onestop" serve --env production >"$WORK/server-$label.log" 2>&1 &
  SERVERS+=($!)
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "server $label did not start"; tail -n 20 "$WORK/server-$label.log"; return 1
}

stop_servers() {
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  SERVERS=()
}

start_nginx() {  # round robin over the two instances, keep-alive to both
  cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  upstream onestop { server 127.0.0.1:$PORT; server 127.0.0.1:$PORT2; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://onestop;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
EOF
  nginx -c "$WORK/nginx.conf" -p "$WORK" &
  NGINX=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "nginx did not start"; cat "$WORK/nginx-error.log"; return 1
}

# The database after a run: tickets of the bench's group not finished (lost), numbers issued twice
# in a day, and tickets called twice (two audited calls of one ticket).
check_db() {  # label, database URL, schema
  local label=$1 url=$2 schema=$3 q
  q="SELECT (SELECT COUNT(*) FROM tickets t JOIN service_groups g ON g.id = t.group_id WHERE g.prefix = 'Z' AND t.state <> 'finished'),
            (SELECT COUNT(*) FROM (SELECT t.number FROM tickets t JOIN service_groups g ON g.id = t.group_id WHERE g.prefix = 'Z'
                                   GROUP BY t.day, t.number HAVING COUNT(*) > 1) x),
            (SELECT COUNT(*) FROM (SELECT entity_id FROM audit_entries WHERE action = 'queue.call' GROUP BY entity_id HAVING COUNT(*) > 1) y)"
  local out
  if [[ $url == sqlite://* ]]; then
    out=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('|'.join(map(str, c.execute(sys.argv[2]).fetchone())))" "${url#sqlite://}" "$q")
  else
    out=$(PGOPTIONS="-c search_path=$schema" pg_as_owner "$PGBIN/psql" -h 127.0.0.1 -p 55440 -U postgres -d onestop -At -c "$q")
  fi
  echo "  database: tickets lost, numbers repeated, tickets called twice = ${out//|/, }"
  [ "$out" = "0|0|0" ] || { echo "  the database check failed ($label)"; return 1; }
}

run_bench() {  # label, base URL, pids, extra args…
  local label=$1 base=$2 pids=$3
  shift 3
  "$BIN/bench-hallday" --base "$base" --password "$PASSWORD" --windows "$WINDOWS" --pid "$pids" "$@" \
    | tee "$WORK/run-$label.txt" | grep -vE "^(setting up|running)"
}

one() {  # label, db (sqlite|postgres), extra bench args…
  local label=$1 db=$2 url schema=""
  shift 2
  if [ "$db" = sqlite ]; then
    rm -f "$WORK/db.sqlite"*
    url="sqlite://$WORK/db.sqlite"
  else
    url=$PG_URL
    schema="h_${label//[^a-z0-9]/_}"
  fi
  start_server "$label" "$url" "$schema" $PORT
  run_bench "$label" "http://127.0.0.1:$PORT" "${SERVERS[0]}" "$@"
  stop_servers
  check_db "$label" "$url" "$schema"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() {  # label-glob, awk program over the run files
  cat $WORK/run-$1.txt 2>/dev/null | awk "$2" | median
}
rate() { field "$1" '/ lifecycles\/s \(/ {for (i=1;i<=NF;i++) if ($i=="=") print $(i+1)}'; }
cpu() { field "$1" '/^server CPU/ {for (i=1;i<=NF;i++) if ($i=="per" && $(i+1)=="lifecycle,") print $(i-2)}'; }
p() {  # label-glob, step, p50|p99
  field "$1" "\$1 == \"$2\" && \$2 == \"n=\" {for (i=1;i<=NF;i++) if (\$i==\"$3\") print \$(i+1)}"
}

needs_pg() { case " $DBS " in *" postgres "*) pg_start 55440 ;; esac; }

case $MODE in
saturated)
  needs_pg
  for db in $DBS; do
    for i in $(seq "$RUNS"); do
      echo "== $db run $i"
      one "$db-$i" "$db" --tickets "$TICKETS" --seconds "$DAY_SECONDS"
    done
  done
  echo
  echo "median of $RUNS runs ($WINDOWS windows, $TICKETS tickets, saturated):"
  for db in $DBS; do
    echo "  $db: $(rate "$db-*") lifecycles/s, $(cpu "$db-*") ms server CPU per lifecycle, call-next p50 $(p "$db-*" call-next p50) p99 $(p "$db-*" call-next p99) ms"
  done
  ;;
scale)
  for n in $TICKETS; do
    for i in $(seq "$RUNS"); do
      echo "== SQLite, $n tickets, run $i"
      one "scale$n-$i" sqlite --tickets "$n" --seconds "$((n / 700 + 1))"
    done
  done
  echo
  echo "median of $RUNS runs on SQLite ($WINDOWS windows, saturated):"
  for n in $TICKETS; do
    echo "  $n tickets: $(cpu "scale$n-*") ms server CPU per lifecycle, $(rate "scale$n-*") lifecycles/s"
  done
  ;;
open)
  needs_pg
  for db in $DBS; do
    for r in $RATES; do
      for i in $(seq "$RUNS"); do
        echo "== $db, $r lifecycles/s offered, run $i"
        one "open-$db-$r-$i" "$db" --rate "$r" --duration "$DURATION"
      done
    done
  done
  echo
  echo "median of $RUNS runs, open loop ($WINDOWS windows, $DURATION s each):"
  for db in $DBS; do
    for r in $RATES; do
      echo "  $db offered $r/s: achieved $(rate "open-$db-$r-*")/s; call-next p50 $(p "open-$db-$r-*" call-next p50) p99 $(p "open-$db-$r-*" call-next p99) ms; issue p50 $(p "open-$db-$r-*" issue p50) p99 $(p "open-$db-$r-*" issue p99) ms; $(cpu "open-$db-$r-*") ms CPU per lifecycle"
    done
  done
  ;;
two)
  command -v nginx >/dev/null || { echo "nginx is needed: apt-get install nginx-light"; exit 1; }
  pg_start 55440
  for i in $(seq "$RUNS"); do
    echo "== one instance, run $i"
    one "single-$i" postgres --tickets "$TICKETS" --seconds "$DAY_SECONDS"
    echo "== two instances behind nginx, run $i"
    schema="h_two_$i"
    start_server "two-$i-a" "$PG_URL" "$schema" $PORT
    start_server "two-$i-b" "$PG_URL" "$schema" $PORT2
    start_nginx
    run_bench "two-$i" "http://127.0.0.1:$NGINX_PORT" "${SERVERS[0]},${SERVERS[1]}" --tickets "$TICKETS" --seconds "$DAY_SECONDS"
    kill "$NGINX"; wait "$NGINX" 2>/dev/null || true; NGINX=""
    stop_servers
    check_db "two-$i" "$PG_URL" "$schema"
  done
  echo
  echo "median of $RUNS runs on PostgreSQL ($WINDOWS windows, $TICKETS tickets, saturated):"
  echo "  one instance:  $(rate "single-*") lifecycles/s, $(cpu "single-*") ms server CPU per lifecycle"
  echo "  two instances: $(rate "two-*") lifecycles/s, $(cpu "two-*") ms server CPU per lifecycle (both together)"
  ;;
*) echo "MODE is saturated, scale, open or two"; exit 2 ;;
esac
