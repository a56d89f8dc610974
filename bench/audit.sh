#!/usr/bin/env bash
# Benchmark of `seatwise audit` on a large synthetic tenant: 200,000 users, about two million
# audit rows. Prints wall time and peak memory from /usr/bin/time -v.
#
#   bash bench/audit.sh [USERS] [SEED]
#   SEATWISE_BIN=/path/to/seatwise bash bench/audit.sh 1000000   # an existing binary, no build
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-200000}"
seed="${2:-42}"
source bench/tenant.sh "$users" "$seed"
echo "snapshot: $snapshot ($(du -sh "$snapshot" | cut -f1))"
/usr/bin/time -v "$binary" audit "$snapshot" --out "$work/audit-$users-$seed" 2> "$work/time.txt" > "$work/stdout.txt"
grep -E "Elapsed \(wall clock\)|Maximum resident set size|Percent of CPU" "$work/time.txt"
