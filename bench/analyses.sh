#!/usr/bin/env bash
# Benchmark of the analysis phases on the 200,000-user synthetic tenant: `seatwise audit
# --verbose --no-report` prints each stage and, under "analyse", each phase of the analysis
# (inputs; the reclaim, premium and assignment rules; redundant-license; right-size; building
# the findings; savings timing; summary and data quality). Runs the audit RUNS times (default
# 3) and prints every run's phases, so the optimisation analyses (redundant-license, right-size
# and savings timing) are read off beside the rest.
#
#   bash bench/analyses.sh [USERS] [SEED] [RUNS]
#   SEATWISE_BIN=/path/to/seatwise bash bench/analyses.sh   # an existing binary, no build
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-200000}"
seed="${2:-42}"
runs="${3:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/seatwise-target}"
work="${SEATWISE_BENCH_DIR:-${TMPDIR:-/tmp}/seatwise-bench}"
snapshot="$work/tenant-$users-$seed"

if [ -n "${SEATWISE_BIN:-}" ]; then
  binary="$SEATWISE_BIN"
else
  cargo build --release --quiet
  binary="$CARGO_TARGET_DIR/release/seatwise"
fi
if [ ! -f "$snapshot/snapshot.json" ]; then
  mkdir -p "$work"
  "$binary" generate --users "$users" --seed "$seed" --as-of 2026-11-01 --out "$snapshot"
fi
# Warm the page cache so the figures measure seatwise, not the disk.
cat "$snapshot"/audit/*.csv "$snapshot"/users/*.json > /dev/null
for run in $(seq 1 "$runs"); do
  echo "run $run:"
  "$binary" audit "$snapshot" --out "$work/analyses-$users-$seed" --no-report --verbose \
    2>&1 > /dev/null | grep -E "^seatwise: (read snapshot|analyse|  )"
done
