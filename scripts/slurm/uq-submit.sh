#!/bin/bash
# Submits a peacesim uncertainty command (sensitivity, robust or calibrate) as an N-task job
# array plus an analysis job (merge, then the command's tables and figures) that runs when all
# tasks succeed.
#
#   scripts/slurm/uq-submit.sh COMMAND PLAN.toml OUT_DIR N [PEACESIM_BINARY] [extra sbatch options...]
#
# Prints the two job ids (array, analysis). If a task fails, resubmit it alone and the
# analysis after it:
#
#   job=$(sbatch --parsable --array=I scripts/slurm/uq.sbatch COMMAND PLAN.toml OUT_DIR N [PEACESIM])
#   sbatch --dependency=afterok:$job scripts/slurm/uq-analyse.sbatch COMMAND PLAN.toml OUT_DIR [PEACESIM]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: uq-submit.sh COMMAND PLAN OUT N [PEACESIM] [sbatch options]"
COMMAND=${1:?$usage}
PLAN=${2:?$usage}
OUT=${3:?$usage}
N=${4:?$usage}
PEACESIM=${5:-peacesim}
shift $(( $# < 5 ? $# : 5 ))
array=$(sbatch --parsable "$@" --array=0-$((N - 1)) "$here/uq.sbatch" "$COMMAND" "$PLAN" "$OUT" "$N" "$PEACESIM")
analyse=$(sbatch --parsable "$@" --dependency=afterok:"$array" "$here/uq-analyse.sbatch" "$COMMAND" "$PLAN" "$OUT" "$PEACESIM")
echo "$array $analyse"
