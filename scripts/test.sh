#!/usr/bin/env bash
# The whole test suite: Core and server tests on SQLite and on a real PostgreSQL, then browser
# tests in Chromium. Installs what is missing (PostgreSQL, Chromium, CJK fonts, Playwright,
# pytest), starts a throw-away PostgreSQL on loopback, and cleans everything up afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/test-output"
mkdir -p "$OUT"

log() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- what the tests need -----------------------------------------------------------------
need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${need_apt[@]}"
fi
python3 -c "import playwright, pytest, axe_playwright_python" 2>/dev/null || { log "installing playwright, pytest and axe-core"; python3 -m pip install -q playwright pytest axe-playwright-python; }

# --- a throw-away PostgreSQL on loopback (fsync off: test data need not survive) -------------
. scripts/lib/postgres.sh
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  pg_stop
}
trap cleanup EXIT
PGPORT=${ONESTOP_TEST_PGPORT:-55432}
log "starting PostgreSQL on 127.0.0.1:$PGPORT"
PG_EXTRA_OPTS="-c fsync=off" pg_start "$PGPORT"
export ONESTOP_TEST_POSTGRES_URL="$PG_URL"
export ONESTOP_TEST_REQUIRE_POSTGRES=1

# --- Swift tests ----------------------------------------------------------------------------
log "building"
swift build --build-tests 2>&1 | tee "$OUT/build.log" | grep -E "error|warning: " | grep -v "swift-distributed-tracing" || true
grep -q "error:" "$OUT/build.log" && { echo "build failed"; exit 1; }
log "Swift tests (SQLite and PostgreSQL)"
swift test --skip-build 2>&1 | tee "$OUT/swift-test.log" | grep -E "✘|passed after|failed after|with [0-9]+ tests|Executed" | grep -vE '^(◇|✔ Test ")' || true
grep -qE "Test run with [0-9]+ tests? .*passed" "$OUT/swift-test.log" || { echo "Swift tests failed (see test-output/swift-test.log)"; grep -E "✘" "$OUT/swift-test.log" | head -40; exit 1; }

# --- browser tests --------------------------------------------------------------------------
log "browser tests (Chromium via Playwright)"
PORT=${ONESTOP_TEST_HTTP_PORT:-18080}
DATA=$(mktemp -d /tmp/onestop-e2e.XXXXXX)
ONESTOP_DATABASE_URL="sqlite://$DATA/onestop.sqlite" ONESTOP_PORT=$PORT ONESTOP_ADMIN_PASSWORD=E2eAdmin12345 \
  "$(swift build --show-bin-path)/onestop" serve >"$OUT/e2e-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
# The multi-process hall tests (two instances, SIGKILL) start their own servers from this binary.
ONESTOP_BIN="$(swift build --show-bin-path)/onestop" \
ONESTOP_URL="http://127.0.0.1:$PORT" ONESTOP_ADMIN_PASSWORD=E2eAdmin12345 ONESTOP_SHOTS="$OUT/shots" \
  python3 -m pytest -q e2e 2>&1 | tee "$OUT/e2e.log"
status=${PIPESTATUS[0]}
rm -rf "$DATA"

# --- API fuzzing ----------------------------------------------------------------------------
log "API fuzzing (schemathesis over /openapi.json)"
fuzz=0
scripts/fuzz.sh "$(swift build --show-bin-path)/onestop" || fuzz=$?
[ "$fuzz" = 0 ] || echo "API fuzzing failed (see test-output/fuzz.log)"
[ "$status" = 0 ] && status=$fuzz
exit "$status"
