#!/usr/bin/env bash
# Installs Mesa 3.3.1 (with networkx, which `mesa.examples` imports) with pip into a throwaway
# virtual environment and runs scripts/mesa_epstein.py in it: Mesa's `epstein_civil_violence`
# example, headless.
#
#     scripts/mesa-epstein.sh series --out DIR --seeds 1-20 --ticks 2100
#     scripts/mesa-epstein.sh compare-speed --peacesim-example target/release/examples/epstein_speed
#
# The environment is made in a temporary directory and removed on exit; set MESA_VENV=DIR to make
# it there and keep it (reused when it already holds Mesa 3.3.1). Needs python3.11 (or set
# PYTHON) and access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3.11}
if [ -n "${MESA_VENV:-}" ]; then
  venv=$MESA_VENV
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  venv=$tmp/venv
fi
if ! "$venv/bin/python" -c 'import mesa, networkx, sys; sys.exit(mesa.__version__ != "3.3.1")' 2>/dev/null; then
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'mesa==3.3.1' networkx >&2
fi
"$venv/bin/python" scripts/mesa_epstein.py "$@"
