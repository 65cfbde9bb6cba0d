#!/bin/bash
# Tests the Slurm scripts against a real single-node Slurm cluster (munge, slurmctld, slurmd).
#
# Run as root on Debian 12 (CI runs it from .ci/run). It installs the packages if needed,
# starts the daemons with a minimal slurm.conf (munge, proctrack/linuxproc and task/none: no
# systemd or cgroups needed), submits a 3-task array sweep plus a dependent merge job, waits,
# compares the merged CSVs byte for byte with a single-process sweep, resubmits a lost task and
# a finished one on their own and merges again (the same bytes); then runs a calibration
# through scripts/slurm/uq-submit.sh (a 2-task array and the dependent analysis) and compares
# its tables with a single-process calibration; and stops the daemons it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BIN="$ROOT/target/release/peacesim"
[ -x "$BIN" ] || cargo build --release --quiet
[ "$(id -u)" = 0 ] || { echo "tests/slurm/run.sh must run as root"; exit 1; }
export DEBIAN_FRONTEND=noninteractive

started_pids=()
teardown() {
  for pf in /run/slurmd.pid /run/slurmctld.pid; do
    [ -s "$pf" ] && kill "$(cat "$pf")" 2>/dev/null || true
  done
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pf in /run/slurmd.pid /run/slurmctld.pid; do
    if [ -s "$pf" ]; then
      pid=$(cat "$pf")
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pf"
    fi
  done
}
trap teardown EXIT

# --- packages -------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmd slurmctld slurm-client munge >/dev/null
fi

# --- munge ----------------------------------------------------------------
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile=/etc/munge/munge.key || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  [ -s /run/munge/munged.pid ] && started_pids+=("$(cat /run/munge/munged.pid)")
fi
munge -n | unmunge >/dev/null

# --- slurm.conf and daemons -----------------------------------------------
if [ -s /run/slurmctld.pid ] && kill -0 "$(cat /run/slurmctld.pid)" 2>/dev/null; then
  echo "a slurmctld is already running; stop it first"; exit 1
fi
CPUS=$(nproc)
MEM=$(( $(free -m | awk '/^Mem:/{print $2}') * 9 / 10 ))
install -d -o slurm -g slurm -m 0755 /var/spool/slurmctld /var/log/slurm
install -d -o root -g root -m 0755 /var/spool/slurmd
rm -rf /var/spool/slurmctld/* /var/spool/slurmd/*
mkdir -p /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=ci
SlurmctldHost=localhost
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=${CPUS} RealMemory=${MEM} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
chmod 0644 /etc/slurm/slurm.conf
/usr/sbin/slurmctld -c
/usr/sbin/slurmd -N localhost
for _ in $(seq 1 120); do
  [ "$(sinfo -h -N -o '%t' 2>/dev/null | head -n1)" = "idle" ] && break
  sleep 0.5
done
[ "$(sinfo -h -N -o '%t' | head -n1)" = "idle" ] || { tail -n 50 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log; exit 1; }

# --- the sweep, as a job array and a dependent merge ------------------------
WORK=$(mktemp -d /tmp/peacesim-slurm.XXXXXX)
chmod 0755 "$WORK"
PLAN="$ROOT/tests/data/plans/tiny-factorial.toml"
cd "$WORK"
# Waits for the jobs (comma-separated ids) to leave the queue, then checks that the last one
# completed (a merge completes only after the array tasks it depends on succeeded).
wait_for() {
  for _ in $(seq 1 1200); do
    if ! squeue -h -j "$1" 2>/dev/null | grep -q .; then break; fi
    sleep 0.1
  done
  if squeue -h -j "$1" | grep -q .; then echo "jobs $1 did not finish"; squeue; exit 1; fi
  local state
  state=$(scontrol show job "${1##*,}" | grep -o 'JobState=[A-Z]*' | head -n1)
  [ "$state" = "JobState=COMPLETED" ] || { echo "job ${1##*,}: $state"; cat "$WORK"/peacesim-*.out || true; exit 1; }
}
read -r ARRAY MERGE < <("$ROOT/scripts/slurm/submit.sh" "$PLAN" "$WORK/sweep" 3 "$BIN")
echo "submitted array $ARRAY and merge $MERGE"
wait_for "$ARRAY,$MERGE"
ls "$WORK/sweep/shards"

# --- compare with a single-process sweep -------------------------------------
"$BIN" sweep "$PLAN" --out "$WORK/single" --quiet >/dev/null
same_as_single() {
  for f in design.csv outcomes.csv series.csv; do
    cmp "$WORK/single/$f" "$WORK/sweep/$f"
  done
  grep -q '"complete": true' "$WORK/sweep/manifest.json"
}
same_as_single

# --- one task resubmitted alone ---------------------------------------------
# Shard 2 is lost (as if its task had failed) and shard 1 is finished; resubmitting tasks 1 and
# 2 with the same arguments (SLURM_ARRAY_TASK_COUNT is now 2) must run shards 1/3 and 2/3: shard
# 1 has nothing to do and succeeds untouched, shard 2 is run again; then merge again.
rm -rf "$WORK/sweep/shards/shard-2-of-3"
cp "$WORK/sweep/shards/shard-1-of-3/manifest.json" "$WORK/shard-1-manifest.json"
RESUB=$(sbatch --parsable --array=1-2 "$ROOT/scripts/slurm/sweep.sbatch" "$PLAN" "$WORK/sweep" 3 "$BIN")
REMERGE=$(sbatch --parsable --dependency=afterok:"$RESUB" "$ROOT/scripts/slurm/merge.sbatch" "$WORK/sweep" "$BIN")
echo "resubmitted tasks 1-2 as $RESUB and merge $REMERGE"
wait_for "$RESUB,$REMERGE"
ls "$WORK/sweep/shards"
[ "$(ls "$WORK/sweep/shards")" = "$(printf 'shard-0-of-3\nshard-1-of-3\nshard-2-of-3')" ] \
  || { echo "a resubmitted task ran another sharding"; exit 1; }
cmp "$WORK/shard-1-manifest.json" "$WORK/sweep/shards/shard-1-of-3/manifest.json"
same_as_single

# --- an uncertainty command: calibrate as a 2-task array and its analysis ----
UQ_PLAN="$ROOT/tests/data/plans/uq-tiny-calibrate.toml"
read -r UQ_ARRAY UQ_ANALYSE < <("$ROOT/scripts/slurm/uq-submit.sh" calibrate "$UQ_PLAN" "$WORK/uq" 2 "$BIN")
echo "submitted calibrate array $UQ_ARRAY and analysis $UQ_ANALYSE"
wait_for "$UQ_ARRAY,$UQ_ANALYSE"
"$BIN" calibrate "$UQ_PLAN" --out "$WORK/uq-single" --quiet >/dev/null
for f in targets.csv posterior.csv parameters.csv fit.csv report.md runs/outcomes.csv runs/series.csv; do
  cmp "$WORK/uq-single/$f" "$WORK/uq/$f"
done
grep -q 'civilian_fatalities_rebel\[1-30\].sum' "$WORK/uq/targets.csv"
rm -rf "$WORK"
echo "slurm test passed"
