#!/usr/bin/env bash
# Scale benchmark (kept out of CI): `seatwise audit --no-report --verbose` on a large synthetic
# tenant (1,000,000 users by default: about 10 million audit rows, 13 GB), with wall time, peak
# memory and the stage split. With SEATWISE_BASELINE_BIN, the same audit by that binary too,
# and every file of the two audit folders compared byte for byte: a change made for speed must
# find exactly what the code before it found.
#
#   bash bench/scale.sh [USERS] [SEED]
#   SEATWISE_BASELINE_BIN=/tmp/seatwise-before bash bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-1000000}"
seed="${2:-42}"
source bench/tenant.sh "$users" "$seed"
echo "snapshot: $snapshot ($(du -sh "$snapshot" | cut -f1))"

audit() {
  local label="$1" program="$2" out="$work/scale-$1-$users-$seed"
  rm -rf "$out"
  /usr/bin/time -v "$program" audit "$snapshot" --out "$out" --no-report --verbose \
    > /dev/null 2> "$work/scale-$label.txt"
  echo "$label:"
  grep -E "^seatwise: |Elapsed \(wall clock\)|Maximum resident set size" "$work/scale-$label.txt"
}

audit candidate "$binary"
if [ -n "${SEATWISE_BASELINE_BIN:-}" ]; then
  audit baseline "$SEATWISE_BASELINE_BIN"
  baseline="$work/scale-baseline-$users-$seed"
  candidate="$work/scale-candidate-$users-$seed"
  different=0
  for file in "$baseline"/*; do
    if ! cmp -s "$file" "$candidate/$(basename "$file")"; then
      echo "$(basename "$file"): DIFFERENT" >&2
      different=1
    fi
  done
  [ "$different" -eq 0 ] || exit 1
  echo "every file the same ($(ls "$candidate" | wc -l) files, $(($(wc -l < "$candidate/findings.csv") - 1)) findings)"
fi
