#!/usr/bin/env bash
# Benchmark of `seatwise audit` on a large synthetic tenant: 200,000 users, about two million
# audit rows. Prints wall time and peak memory from /usr/bin/time -v.
#
#   bash bench/audit.sh [USERS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-200000}"
seed="${2:-42}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/seatwise-target}"
work="${SEATWISE_BENCH_DIR:-${TMPDIR:-/tmp}/seatwise-bench}"
snapshot="$work/tenant-$users-$seed"

cargo build --release --quiet
binary="$CARGO_TARGET_DIR/release/seatwise"
if [ ! -f "$snapshot/snapshot.json" ]; then
  mkdir -p "$work"
  "$binary" generate --users "$users" --seed "$seed" --as-of 2026-11-01 --out "$snapshot"
fi
echo "snapshot: $snapshot ($(du -sh "$snapshot" | cut -f1))"
# Warm the page cache so the figure measures seatwise, not the disk.
cat "$snapshot"/audit/*.csv "$snapshot"/users/*.json > /dev/null
/usr/bin/time -v "$binary" audit "$snapshot" --out "$work/audit-$users-$seed" 2> "$work/time.txt" > "$work/stdout.txt"
grep -E "Elapsed \(wall clock\)|Maximum resident set size|Percent of CPU" "$work/time.txt"
