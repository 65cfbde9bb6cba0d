#!/usr/bin/env bash
# Checks that two peacesim binaries write byte-identical outputs (the rule for optimisations):
# baseline, tiny-conflict, unmil-ebola (200 ticks), epstein-rebellion and six Epstein variants
# (a 200 x 150 lattice, Model II with peacekeepers, Moore, von Neumann with synchronous
# activation, Mesa's rules with the round arrest rule, the identity arrest rule without the
# self-count), each with 1 and 2 threads. Hashes every output file, and manifest.json without the fields that record the wall
# clock and the invocation (started_at, finished_at, command, threads) and each listed file's
# bytes and sha256 (the files are hashed themselves).
#
#     scripts/byte-identity.sh REFERENCE_BINARY CANDIDATE_BINARY
#
# Exit 0 if every hash agrees between the binaries and between thread counts.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 REFERENCE_BINARY CANDIDATE_BINARY" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sums() { # binary label
  local bin=$1 label=$2
  while read -r run name args; do
    for t in 1 2; do
      local d="$work/$label/$run-t$t"
      # shellcheck disable=SC2086
      "$bin" run "scenarios/$name.toml" $args --threads "$t" --out "$d" --quiet >/dev/null
      (cd "$d" && for f in $(ls | grep -v '^manifest.json$'); do sha256sum "$f"; done
       python3 -c "import json; m = json.load(open('manifest.json'))
for k in ('started_at', 'finished_at', 'command', 'threads', 'peacesim_commit'): m.pop(k, None)
for f in m.get('files', []): f.pop('bytes', None); f.pop('sha256', None)
print(json.dumps(m, sort_keys=True))" | sha256sum | sed 's/-$/manifest.json (stripped)/') |
        sed "s|^|$run threads=$t |"
    done
  done <<LIST
baseline baseline
tiny-conflict tiny-conflict
unmil-ebola unmil-ebola --ticks 200
epstein epstein-rebellion
epstein-200x150 epstein-rebellion --set lattice.width=200 --set lattice.height=150 --ticks 60
epstein-model2 epstein-rebellion --set model2.enabled=true --set model2.peacekeepers_density=0.02 --ticks 300
epstein-moore epstein-rebellion --set rules.neighbourhood=moore --ticks 300
epstein-vn-sync epstein-rebellion --set rules.neighbourhood=von_neumann --set rules.activation=synchronous --ticks 300
epstein-mesa epstein-rebellion --set rules.arrest_rule=round --set rules.neighbourhood=von_neumann --set rules.jail_term=inclusive --ticks 300
epstein-identity epstein-rebellion --set rules.arrest_rule=identity --set rules.active_counts_self=false --ticks 300
LIST
}

sums "$1" reference > "$work/reference.sums"
sums "$2" candidate > "$work/candidate.sums"
status=0
if ! diff "$work/reference.sums" "$work/candidate.sums"; then
  echo "DIFFERENT: the candidate's outputs differ from the reference's" >&2
  status=1
fi
if awk '{print $1, $3, $4, $5, $6}' "$work/candidate.sums" | sort | uniq -c | awk '$1 != 2' | grep -q .; then
  echo "DIFFERENT: outputs depend on the thread count" >&2
  status=1
fi
[ $status -eq 0 ] && echo "identical: $(wc -l < "$work/candidate.sums") hashes"
exit $status
