#!/usr/bin/env bash
# Benchmark of the finance report on the large synthetic tenant of bench/audit.sh (200,000
# users): the audit with and without its report (what the report adds), `seatwise report` on
# the audit folder alone, and the sizes of report.html and report.xlsx.
#
#   bash bench/report.sh [USERS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-200000}"
seed="${2:-42}"
source bench/tenant.sh "$users" "$seed"

wall() { grep -E "Elapsed \(wall clock\)" "$1" | sed 's/.*: //'; }
rss() { grep -E "Maximum resident set size" "$1" | sed 's/.*: //'; }

/usr/bin/time -v "$binary" audit "$snapshot" --no-report --verbose --out "$work/audit-no-report" \
  > /dev/null 2> "$work/no-report.txt"
/usr/bin/time -v "$binary" audit "$snapshot" --verbose --out "$work/audit-report" \
  > /dev/null 2> "$work/report.txt"
echo "audit without report: $(wall "$work/no-report.txt") wall, $(rss "$work/no-report.txt") KB peak"
grep -E "write audit folder" "$work/no-report.txt" || true
echo "audit with report:    $(wall "$work/report.txt") wall, $(rss "$work/report.txt") KB peak"
grep -E "write audit folder" "$work/report.txt" || true

rm -rf "$work/report-only"
/usr/bin/time -v "$binary" report "$work/audit-report" --out "$work/report-only" \
  > /dev/null 2> "$work/report-only.txt"
echo "seatwise report (model from Parquet, page, workbook): $(wall "$work/report-only.txt") wall, $(rss "$work/report-only.txt") KB peak"
echo "report.html: $(stat -c %s "$work/audit-report/report.html") bytes"
echo "report.xlsx: $(stat -c %s "$work/audit-report/report.xlsx") bytes"
