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
source bench/tenant.sh "$users" "$seed"
for run in $(seq 1 "$runs"); do
  echo "run $run:"
  "$binary" audit "$snapshot" --out "$work/analyses-$users-$seed" --no-report --verbose \
    2>&1 > /dev/null | awk '/^seatwise: report model/ { past = 1 } !past && /^seatwise: (read snapshot|analyse|  )/'
done
