#!/usr/bin/env bash
# Runs the worked example of docs/EXPERIMENTS.md (peacesim robust on the baseline: protection
# against development across 200 sampled futures, 800 runs of 180 days: about 25 minutes on two
# idle cores) and writes its report between the uq-example markers
# and its figures into docs/figures/uq/. Run it again after any model change: every run is
# redone. With --reuse-runs, complete runs in outputs/robust-baseline are kept and only the
# analysis is redone (for a change of the analysis or its words, never of the model). Its
# figures are drawn in the paper style (one journal column), like the README's.
set -euo pipefail
force=--force
if [ "${1:-}" = "--reuse-runs" ]; then
  force=
fi
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/peacesim
out=outputs/robust-baseline
"$bin" robust docs/examples/robust-baseline.toml --out "$out" $force --style paper --quiet
mkdir -p docs/figures/uq
# The two figures the section shows; the others stay in $out/figures.
for kind in best regret; do
  cp "$out/figures/robust-civilian_fatalities-$kind.png" "docs/figures/uq/robust-baseline-civilian_fatalities-$kind.png"
done
tmp=$(mktemp)
{
  # The report without its title; its sections one level down, under the worked example's heading.
  sed -e '1d' -e 's/^## /#### /' "$out/report.md"
  echo
  echo "![Probability that each policy is best for civilian fatalities across the futures](../figures/uq/robust-baseline-civilian_fatalities-best.png)"
  echo
  echo "![Mean and maximum regret of each policy for civilian fatalities](../figures/uq/robust-baseline-civilian_fatalities-regret.png)"
  echo
  echo "The PRIM boxes in full: \`$out/drivers.csv\`; the pairwise flips: \`$out/flips.csv\`."
} > "$tmp"
awk -v f="$tmp" '
  index($0, "<!-- uq-example:begin") == 1 { print; while ((getline line < f) > 0) print line; skip = 1; next }
  index($0, "<!-- uq-example:end -->") == 1 { skip = 0 }
  !skip { print }' docs/EXPERIMENTS.md > docs/EXPERIMENTS.md.tmp
mv docs/EXPERIMENTS.md.tmp docs/EXPERIMENTS.md
rm -f "$tmp"
echo "updated docs/EXPERIMENTS.md and docs/figures/uq/"
