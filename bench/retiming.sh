#!/usr/bin/env bash
# Re-timing at scale (issue 16): 1,000,000 open timed cases on SQLite, 10 % of them spanning a day
# that an administrator closes, with a light hall load running; see bench/retiming.py.
#   CASES=1000000 RUNS=3 bench/retiming.sh
# Figures: bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product onestop --scratch-path .build-release >/dev/null
BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)"
exec python3 bench/retiming.py "$BIN/onestop" --cases "${CASES:-1000000}" --runs "${RUNS:-3}"
