#!/usr/bin/env bash
# Benchmark of `seatwise ingest graph` against the fake Graph server (not a test): a tenant of
# 100,000 users served with 50 ms latency per request, pulled with --concurrency 1, 2, 4 and 8.
# Prints users per second for each setting.
#
#   bash bench/graph.sh [USERS] [LATENCY_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-100000}"
latency="${2:-50}"
seed=42
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/seatwise-target}"
work="${SEATWISE_BENCH_DIR:-${TMPDIR:-/tmp}/seatwise-bench}"
snapshot="$work/tenant-$users-$seed"

cargo build --release --quiet --bin seatwise --example fake_graph
binary="$CARGO_TARGET_DIR/release/seatwise"
fake="$CARGO_TARGET_DIR/release/examples/fake_graph"
if [ ! -f "$snapshot/snapshot.json" ]; then
  mkdir -p "$work"
  "$binary" generate --users "$users" --seed "$seed" --as-of 2026-11-01 --out "$snapshot"
fi

log="$work/fake-graph.log"
"$fake" --snapshot "$snapshot" --latency-ms "$latency" > "$log" 2>&1 &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true' EXIT
base=""
# It loads the whole tenant (a million audit rows) before it listens.
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
echo "tenant: $users users, fake Graph at $base with ${latency} ms per request"

# The fake issues tokens for its default test app registration, in the snapshot's tenant.
tenant="$(sed -n 's/.*"tenantId": *"\([^"]*\)".*/\1/p' "$snapshot/snapshot.json")"
export SEATWISE_CLIENT_SECRET="${SEATWISE_BENCH_SECRET:-test-secret-value-7f3a}"
unset SEATWISE_ACCESS_TOKEN
# The fake's audit query is `running` for two polls; poll it every 0.5 s or more so the
# default first wait (5 s) does not dominate the figures.
export SEATWISE_AUDIT_POLL_MS="${SEATWISE_AUDIT_POLL_MS:-500}"
printf '%-12s %10s %12s %s\n' concurrency seconds users/s summary
for concurrency in 1 2 4 8; do
  out="$work/pulled-$users-c$concurrency"
  rm -rf "$out" "$work/.pulled-$users-c$concurrency.partial"
  start=$(date +%s.%N)
  summary="$("$binary" ingest graph --quiet --tenant "$tenant" \
    --client-id test-client --authority "$base" --graph "$base" \
    --since 2026-01-01 --concurrency "$concurrency" --out "$out")"
  end=$(date +%s.%N)
  seconds=$(echo "$end - $start" | bc -l)
  printf '%-12s %10.1f %12.0f %s\n' "$concurrency" "$seconds" "$(echo "$users / $seconds" | bc -l)" "$summary"
done
