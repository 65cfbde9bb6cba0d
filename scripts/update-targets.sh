#!/usr/bin/env bash
# Runs tests/targets.rs (the six-seed ensembles of every mission scenario and the baseline) and
# writes the measured rows into docs/VALIDATION.md between the "targets" markers. Fails, after
# writing, if a row's verdict differs from the one recorded in tests/targets.rs.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
# The mission patterns (tests/missions.rs) read the same ensembles: run them too, so their
# printed values (the table in "Mission scenarios") come from the same runs.
PEACESIM_TARGETS_DIR="$dir" cargo test --release --quiet --test integration -- targets:: missions:: --nocapture --test-threads 2 2>&1 | tee target/targets.log
status=${PIPESTATUS[0]}
table=$(mktemp)
{
  echo "| scenario | quantity | target [source] | accepted (2× either way) | model, mean of seeds 1–6 | verdict |"
  echo "|---|---|---|---|---|---|"
  for s in unmiss-poc-sites unmil-ebola minusma-withdrawal monusco-backlash minusca-stabilization baseline; do
    cat "$dir/$s.md"
  done
} > "$table"
awk -v f="$table" '
  index($0, "<!-- targets:begin") == 1 { print; while ((getline line < f) > 0) print line; skip = 1; next }
  index($0, "<!-- targets:end -->") == 1 { skip = 0 }
  !skip { print }' docs/VALIDATION.md > docs/VALIDATION.md.tmp
mv docs/VALIDATION.md.tmp docs/VALIDATION.md
rm -rf "$dir" "$table"
echo "updated docs/VALIDATION.md (targets)"
exit $status
