#!/bin/bash
# Submits a peacesim sweep as an N-task job array plus a merge job that runs when all succeed.
#
#   scripts/slurm/submit.sh PLAN.toml OUT_DIR N [PEACESIM_BINARY] [extra sbatch options...]
#
# Prints the two job ids (array, merge). The merged result lands in OUT_DIR. If a task fails,
# resubmit it alone and merge after it (the first merge job never runs):
#
#   job=$(sbatch --parsable --array=I scripts/slurm/sweep.sbatch PLAN.toml OUT_DIR N [PEACESIM])
#   sbatch --dependency=afterok:$job scripts/slurm/merge.sbatch OUT_DIR [PEACESIM]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PLAN=${1:?usage: submit.sh PLAN OUT N [PEACESIM] [sbatch options]}
OUT=${2:?usage: submit.sh PLAN OUT N [PEACESIM] [sbatch options]}
N=${3:?usage: submit.sh PLAN OUT N [PEACESIM] [sbatch options]}
PEACESIM=${4:-peacesim}
shift $(( $# < 4 ? $# : 4 ))
array=$(sbatch --parsable "$@" --array=0-$((N - 1)) "$here/sweep.sbatch" "$PLAN" "$OUT" "$N" "$PEACESIM")
merge=$(sbatch --parsable "$@" --dependency=afterok:"$array" "$here/merge.sbatch" "$OUT" "$PEACESIM")
echo "$array $merge"
