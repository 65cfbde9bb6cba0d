#!/bin/bash
# Submits a peacesim sweep as an N-task job array plus a merge job that runs when all succeed.
#
#   scripts/slurm/submit.sh PLAN.toml OUT_DIR N [PEACESIM_BINARY] [extra sbatch options...]
#
# Prints the two job ids (array, merge). The merged result lands in OUT_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PLAN=${1:?usage: submit.sh PLAN OUT N [PEACESIM] [sbatch options]}
OUT=${2:?usage: submit.sh PLAN OUT N [PEACESIM] [sbatch options]}
N=${3:?usage: submit.sh PLAN OUT N [PEACESIM] [sbatch options]}
PEACESIM=${4:-peacesim}
shift $(( $# < 4 ? $# : 4 ))
array=$(sbatch --parsable "$@" --array=0-$((N - 1)) "$here/sweep.sbatch" "$PLAN" "$OUT" "$PEACESIM")
merge=$(sbatch --parsable "$@" --dependency=afterok:"$array" "$here/merge.sbatch" "$OUT" "$PEACESIM")
echo "$array $merge"
