#!/usr/bin/env bash
# Regenerates the parameter and indicator tables of docs/ODD.md from the code
# (`peacesim params --markdown`, `peacesim indicators --markdown`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/peacesim
odd=docs/ODD.md
replace() { # marker, generator command
  local marker=$1; shift
  local table; table=$("$@")
  awk -v b="<!-- $marker:begin" -v e="<!-- $marker:end -->" -v t="$table" '
    index($0, b) == 1 { print; getline; print; getline; print; print t; skip = 1; next }
    index($0, e) == 1 { skip = 0 }
    !skip { print }' "$odd" > "$odd.tmp"
  mv "$odd.tmp" "$odd"
}
replace params "$bin" params --markdown
replace indicators "$bin" indicators --markdown
echo "updated $odd"
