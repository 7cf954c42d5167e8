#!/usr/bin/env bash
# Release-build benchmark of Core's working-day arithmetic. Builds only Core and the bench.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product bench-calendar --scratch-path .build-release >/dev/null
"$(swift build -c release --scratch-path .build-release --show-bin-path)/bench-calendar"
