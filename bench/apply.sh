#!/usr/bin/env bash
# Benchmark of `seatwise apply --execute` against the fake Graph server (not a test): a reclaim
# plan for a generated tenant (default 5,000 users), applied with --concurrency 1, 4 and 8
# against a fresh copy of the tenant served with a fixed latency per request (default 50 ms).
# Each action re-reads its user (and groups for group actions), journals with fsync, writes.
# Prints seconds and actions per second for each setting, with the run's summary line.
#
#   bash bench/apply.sh [USERS] [LATENCY_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-5000}"
latency="${2:-50}"
seed=42
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/seatwise-target}"
work="${SEATWISE_BENCH_DIR:-${TMPDIR:-/tmp}/seatwise-bench}/apply-$users"
snapshot="$work/tenant"

cargo build --release --quiet --bin seatwise --example fake_graph
binary="$CARGO_TARGET_DIR/release/seatwise"
fake="$CARGO_TARGET_DIR/release/examples/fake_graph"
mkdir -p "$work"
if [ ! -f "$snapshot/snapshot.json" ]; then
  "$binary" generate --users "$users" --seed "$seed" --as-of 2026-11-01 --out "$snapshot" > /dev/null
fi
"$binary" audit "$snapshot" --out "$work/audit" > /dev/null
printf 'grace_days = 0\nrequired_approvals = 1\n' > "$work/policy.toml"
rm -rf "$work/plan"
"$binary" plan reclaim "$work/audit" --policy "$work/policy.toml" --out "$work/plan/plan.json" --on 2026-11-02 > /dev/null
"$binary" approve "$work/plan/plan.json" --by bench > /dev/null
actions=$(grep -c '"mechanism"' "$work/plan/plan.json")
echo "tenant: $users users; plan: $actions actions; ${latency} ms per request"

tenant="$(sed -n 's/.*"tenantId": *"\([^"]*\)".*/\1/p' "$snapshot/snapshot.json")"
export SEATWISE_CLIENT_SECRET="${SEATWISE_BENCH_SECRET:-test-secret-value-7f3a}"
unset SEATWISE_ACCESS_TOKEN
printf '%-12s %10s %12s %s\n' concurrency seconds actions/s summary
for concurrency in 1 4 8; do
  log="$work/fake-graph-c$concurrency.log"
  "$fake" --snapshot "$snapshot" --latency-ms "$latency" > "$log" 2>&1 &
  fake_pid=$!
  trap 'kill "$fake_pid" 2>/dev/null || true' EXIT
  base=""
  for _ in $(seq 1 600); do
    base="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)"
    [ -n "$base" ] && break
    kill -0 "$fake_pid" 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$base" ]; then
    echo "the fake Graph server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  run="$work/run-c$concurrency"
  rm -rf "$run" && mkdir -p "$run"
  cp "$work/plan/plan.json" "$work/plan/approvals.json" "$run/"
  start=$(date +%s.%N)
  "$binary" apply "$run/plan.json" --execute --on 2026-11-02 --concurrency "$concurrency" \
    --tenant "$tenant" --client-id test-client --authority "$base" --graph "$base" \
    > "$run/stdout.txt" 2> "$run/stderr.txt"
  end=$(date +%s.%N)
  kill "$fake_pid" 2>/dev/null || true
  wait "$fake_pid" 2>/dev/null || true
  seconds=$(echo "$end - $start" | bc -l)
  printf '%-12s %10.1f %12.1f %s\n' "$concurrency" "$seconds" \
    "$(echo "$actions / $seconds" | bc -l)" "$(grep -o 'actions: .*approved' "$run/stdout.txt" || true)"
done
