# Shared by the benchmarks, sourced rather than run: the binary to time and the synthetic tenant
# to time it on. Sets `binary` (SEATWISE_BIN when given, else the release build, built first),
# `work` (SEATWISE_BENCH_DIR, else $TMPDIR/seatwise-bench) and `snapshot` (the tenant of USERS
# users from SEED, as of 2026-11-01, generated once and kept in `work`), and reads the tenant's
# files once so the figures measure seatwise, not the disk.
#
#   source bench/tenant.sh USERS SEED
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/seatwise-target}"
work="${SEATWISE_BENCH_DIR:-${TMPDIR:-/tmp}/seatwise-bench}"
snapshot="$work/tenant-$1-$2"
if [ -n "${SEATWISE_BIN:-}" ]; then
  binary="$SEATWISE_BIN"
else
  cargo build --release --quiet
  binary="$CARGO_TARGET_DIR/release/seatwise"
fi
mkdir -p "$work"
if [ ! -f "$snapshot/snapshot.json" ]; then
  "$binary" generate --users "$1" --seed "$2" --as-of 2026-11-01 --out "$snapshot"
fi
cat "$snapshot"/audit/*.csv "$snapshot"/users/*.json > /dev/null
