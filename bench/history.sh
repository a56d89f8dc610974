#!/usr/bin/env bash
# Benchmark of `seatwise history diff` and `history trend` on a long history of a large tenant:
# one month's audit of a synthetic tenant (200,000 users by default) is recorded, its month
# folder is copied under the earlier months (24 months in all, the manifest's month and as-of
# rewritten to match its folder, its ages removed), and the last month is recorded again, which
# carries the findings' ages forward from the first month through the ones before it (every
# finding persists through every month: the oldest ages). Then `history diff` of the last two months is timed, terminal
# text and --json. Then the trend of the last 12 months (`history trend --json`) is
# timed, and the whole finance report with its history (`report --history`, which builds the
# model, the trend and the changes and writes the page and the workbook).
# Prints wall time and peak memory from /usr/bin/time -v.
#
#   bash bench/history.sh [USERS] [MONTHS] [SEED]        # RUNS=5 diffs of each format
#   SEATWISE_BIN=/path/to/seatwise bash bench/history.sh 2000 6   # an existing binary, no build
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-200000}"
months="${2:-24}"
seed="${3:-42}"
source bench/tenant.sh "$users" "$seed"
audit="$work/history-audit-$users-$seed"
root="$work/history-$users-$seed-$months"
last=2026-11
if [ ! -f "$audit/findings.json" ]; then
  "$binary" audit "$snapshot" --out "$audit" --no-report > /dev/null
fi
rm -rf "$root"
"$binary" history record "$audit" --root "$root" > /dev/null
for back in $(seq 1 $((months - 1))); do
  month=$(date -u -d "$last-01 -$back month" +%Y-%m)
  cp -r "$root/month=$last" "$root/month=$month"
  sed -i -e "s/\"month\": \"$last\"/\"month\": \"$month\"/" \
    -e "s/\"as_of\": \"$last-01\"/\"as_of\": \"$month-01\"/" "$root/month=$month/manifest.json"
  rm -f "$root/month=$month/ages.parquet"
done
/usr/bin/time -v "$binary" history record "$audit" --root "$root" > /dev/null 2> "$work/history-time.txt"
echo "history record of the last month again (ages carried through $months months):"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/history-time.txt"
echo "history: $root ($months months, $(du -sh "$root" | cut -f1))"
# The copies are written back before timing, so the disk does not compete with the diff.
sync
for format in text json; do
  flag=()
  [ "$format" = json ] && flag=(--json)
  echo "history diff ($format), ${RUNS:-5} runs:"
  for run in $(seq 1 "${RUNS:-5}"); do
    /usr/bin/time -v "$binary" history diff --root "$root" "${flag[@]}" \
      > "$work/history-diff.$format" 2> "$work/history-time.txt"
    grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/history-time.txt" | tr '\n' ' '
    echo
  done
done
/usr/bin/time -v "$binary" history trend --root "$root" --json \
  > "$work/history-trend.json" 2> "$work/history-time.txt"
echo "history trend (--json, $(grep -c '"month"' "$work/history-trend.json") months):"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/history-time.txt"
rm -rf "$work/history-report"
/usr/bin/time -v "$binary" report "$audit" --out "$work/history-report" --history "$root" \
  > /dev/null 2> "$work/history-time.txt"
echo "report --history (model, trend, changes, page and workbook):"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/history-time.txt"
