#!/usr/bin/env bash
# Regenerates reports/sample/: the finance report of the bundled sample tenant (report.html,
# report.xlsx) and a screenshot of its page (report.png), as `seatwise audit data/sample`
# writes them. A test (tests/it/reports_sample.rs) fails when these files are no longer what
# the current code writes; run this script and commit the result.
#
#   bash reports/regenerate-sample.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/seatwise-target}"
chromium="${SEATWISE_CHROMIUM:-chromium}"
command -v "$chromium" >/dev/null || {
  echo "no Chromium for the screenshot: apt-get install chromium fonts-dejavu-core" >&2
  exit 1
}

cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$CARGO_TARGET_DIR/release/seatwise" audit data/sample --out "$work/audit" > /dev/null
mkdir -p reports/sample
cp "$work/audit/report.html" "$work/audit/report.xlsx" reports/sample/
"$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --hide-scrollbars --force-device-scale-factor=1 --window-size=1280,1800 \
  --user-data-dir="$work/profile" \
  --screenshot="$PWD/reports/sample/report.png" "file://$PWD/reports/sample/report.html" \
  2> "$work/chromium.log" || { cat "$work/chromium.log" >&2; exit 1; }
ls -l reports/sample
