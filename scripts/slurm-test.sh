#!/usr/bin/env bash
# Runs a bt sweep on a real single-node Slurm and checks that the job array of shards plus the
# merge job (examples/slurm/sweep.sbatch) give the same tables, byte for byte, as the unsharded
# sweep; then that a failing shard cancels the merge instead of leaving it pending.
#
#   scripts/slurm-test.sh BT SWEEP_FILE [SHARDS]
#
# It installs nothing (Debian: apt-get install -y --no-install-recommends slurm-wlm munge) and
# needs root. It starts its own munged (own key and socket), slurmctld and slurmd with a
# generated one-node slurm.conf in a fresh temporary directory, and on exit cancels its jobs,
# waits for the queue to empty and stops only the daemons it started (by PID, after checking
# /proc/PID/exe). Exit status: 0 pass, 1 fail, 3 cannot run here (missing program, not root).
# KEEP=1 keeps the temporary directory (logs) for a look.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 BT SWEEP_FILE [SHARDS]" >&2
	exit 2
fi
BT=$(realpath "$1")
SWEEP=$(realpath "$2")
SHARDS=${3:-3}
REPO=$(cd "$(dirname "$0")/.." && pwd)

for p in munged mungekey slurmctld slurmd sbatch squeue scancel sinfo scontrol setpriv; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "slurm-test: $p not found: apt-get install -y --no-install-recommends slurm-wlm munge" >&2
		exit 3
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "slurm-test: needs root (slurmd and munged start as root here)" >&2
	exit 3
fi

work=$(mktemp -d /tmp/bt-slurm.XXXXXX)
chmod 0755 "$work" # munged runs as munge and must reach its directory
declare -A started # pid -> the executable it must be
say() { echo "slurm-test: $*"; }

# stop_ours signals only the daemons this script started, after checking what the PID runs.
stop_ours() {
	local pid
	for pid in "${!started[@]}"; do
		if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "${started[$pid]}" ]; then
			kill "$pid" 2>/dev/null || true
		fi
	done
	for pid in "${!started[@]}"; do
		for _ in $(seq 50); do
			[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "${started[$pid]}" ] || break
			sleep 0.1
		done
		if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "${started[$pid]}" ]; then
			echo "slurm-test: $pid (${started[$pid]}) ignored SIGTERM for 5 s: SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		unset "started[$pid]"
	done
}

cleanup() {
	local status=$?
	if [ -n "${SLURM_CONF:-}" ] && [ -e "$SLURM_CONF" ]; then
		# cancel our jobs first and wait for an empty queue: a job's slurmstepd outlives
		# killed daemons
		local jobs
		jobs=$(squeue -h -o %A 2>/dev/null || true)
		if [ -n "$jobs" ]; then
			# shellcheck disable=SC2086
			scancel $jobs 2>/dev/null || true
			for _ in $(seq 100); do
				[ -z "$(squeue -h -o %A 2>/dev/null || true)" ] && break
				sleep 0.2
			done
		fi
	fi
	stop_ours
	if [ "$status" -ne 0 ]; then
		for f in "$work"/*.log "$work"/out*/logs/*.out; do
			[ -f "$f" ] || continue
			echo "--- $f (last lines)"
			tail -n 15 "$f"
		done
	fi
	if [ -n "${KEEP:-}" ]; then
		say "kept $work"
	else
		rm -rf "$work"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# free_port prints a TCP port nothing on 127.0.0.1 listens on, from $1 upwards.
free_port() {
	local p
	for p in $(seq "$1" $(($1 + 500))); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	return 1
}

# --- munge: own key, socket, pid and log in the temporary directory, run as the munge user
mkdir -p "$work/munge"
chown munge:munge "$work/munge"
chmod 0755 "$work/munge" # clients reach the socket; the key stays 0600
setpriv --reuid=munge --regid=munge --init-groups mungekey --create --keyfile="$work/munge/munge.key"
sock="$work/munge/munge.socket"
setpriv --reuid=munge --regid=munge --init-groups munged -F --key-file="$work/munge/munge.key" \
	--socket="$sock" --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
	--seed-file="$work/munge/munged.seed" >"$work/munged.log" 2>&1 &
started[$!]=$(realpath "$(command -v munged)")
for _ in $(seq 50); do
	[ -S "$sock" ] && break
	sleep 0.1
done
[ -S "$sock" ] || { say "munged did not start"; exit 1; }

# --- slurm.conf for one node (docs: scripts/slurm-test.sh's header and
# examples/slurm/sweep.sbatch); no cgroups here, no accounting, loopback addresses
host=$(hostname -s)
base=$((20000 + $$ % 20000))
ctlport=$(free_port "$base")
dport=$(free_port $((ctlport + 1)))
mem=$(free -m | awk '/^Mem:/ {print int($2 * 0.8)}')
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=bttest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$ctlport
SlurmdPort=$dport
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -D -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
started[$!]=$(realpath "$(command -v slurmctld)")
slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/slurmd.out" 2>&1 &
started[$!]=$(realpath "$(command -v slurmd)")
t0=$SECONDS
state=""
while [ $((SECONDS - t0)) -lt 60 ]; do
	state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
	[ "$state" = idle ] && break
	sleep 0.2
done
[ "$state" = idle ] || { say "node not idle after 60 s (state: ${state:-none})"; exit 1; }
say "slurm up in $((SECONDS - t0)) s (ports $ctlport/$dport)"

# job_state prints a job's state (COMPLETED, FAILED, CANCELLED, PENDING, ...).
job_state() { scontrol show job -o "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }

# wait_job waits until the job leaves PENDING/RUNNING and prints its final state.
wait_job() {
	local s t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "${2:-600}" ]; do
		s=$(job_state "$1")
		case "$s" in PENDING | RUNNING | CONFIGURING | COMPLETING | "") sleep 0.5 ;; *)
			echo "$s"
			return
			;;
		esac
	done
	echo "TIMEOUT(still ${s:-unknown})"
}

# --- the unsharded sweep, then the array + merge
cd "$work"
t0=$SECONDS
"$BT" sweep -c "$SWEEP" --out "$work/whole" >"$work/whole.log" 2>&1 || { cat "$work/whole.log"; say "unsharded sweep failed"; exit 1; }
say "unsharded sweep in $((SECONDS - t0)) s"

t0=$SECONDS
ids=$(BT="$BT" SWEEP="$SWEEP" OUT="$work/out" SHARDS="$SHARDS" "$REPO/examples/slurm/sweep.sbatch")
array=$(sed -n 's/.*array=\([0-9]*\).*/\1/p' <<<"$ids")
merge=$(sed -n 's/.*merge=\([0-9]*\).*/\1/p' <<<"$ids")
[ -n "$array" ] && [ -n "$merge" ] || { say "submission printed $ids"; exit 1; }
s=$(wait_job "$merge")
[ "$s" = COMPLETED ] || { say "merge job $merge: $s"; exit 1; }
say "array $array ($SHARDS shards) and merge $merge done in $((SECONDS - t0)) s"
for f in results.parquet results.csv equity.parquet equity.csv sweep.json; do
	cmp "$work/whole/$f" "$work/out/$f" || { say "$f: merged shards differ from the unsharded sweep"; exit 1; }
done
say "merged tables identical to the unsharded sweep"

# --- a failing shard: the merge must be cancelled, not left pending
t0=$SECONDS
ids=$(BT=/bin/false SWEEP="$SWEEP" OUT="$work/out-fail" SHARDS=2 "$REPO/examples/slurm/sweep.sbatch")
merge=$(sed -n 's/.*merge=\([0-9]*\).*/\1/p' <<<"$ids")
s=$(wait_job "$merge" 120)
[ "$s" = CANCELLED ] || { say "merge after a failed shard: $s, want CANCELLED (--kill-on-invalid-dep=yes)"; exit 1; }
say "failed shard cancelled the merge in $((SECONDS - t0)) s"
say "PASS"
