#!/bin/sh
# A sweep as a real Slurm job array: a one-node cluster (munged, slurmctld,
# slurmd from Debian's packages) configured entirely in a temporary folder,
# the array `ccsim sweep --slurm` writes submitted with sbatch, its rows
# merged, and the merged CSV compared with a local run's. Needs root (the
# daemons run as root); harness/deps.sh installs the packages.
. tests/lib.sh
CCSIM=$(cd "$(dirname "$CCSIM")" && pwd)/$(basename "$CCSIM")

if [ "$(id -u)" -ne 0 ]; then
	echo "skip: the one-node Slurm cluster needs root"
	exit 0
fi
for b in munged slurmctld slurmd sbatch squeue scontrol scancel; do
	if ! command -v "$b" >/dev/null 2>&1; then
		fail "$b is installed (make deps: slurmctld slurmd slurm-client munge)"
		finish
		exit
	fi
done

D="$T/slurm"
mkdir -p "$D/state" "$D/spool" "$D/job"
pids=""
# Stop every daemon this test started, even on failure: the jobs first,
# then TERM, then KILL what is left after 5 s.
stop_cluster() {
	[ -n "$pids" ] || return 0
	SLURM_CONF="$D/slurm.conf" timeout 5 scancel --quiet --full --user=root 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	n=50
	while [ $n -gt 0 ]; do
		alive=""
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
		[ -n "$alive" ] || break
		sleep 0.1
		n=$((n - 1))
	done
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	pids=""
}
# A test never hangs: past 120 s it stops itself (and the cluster).
( sleep 120; kill -TERM $$ 2>/dev/null ) &
watchdog=$!
trap 'stop_cluster; kill $watchdog 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 2' INT TERM HUP

# wait_for SECONDS CMD...: until CMD succeeds or SECONDS have passed.
wait_for() {
	end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# Two free TCP ports on localhost for slurmctld and slurmd.
set -- $(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
ctld_port=$1 slurmd_port=$2
# slurmctld runs only on the host SlurmctldHost names; the node's name is ours.
host=$(hostname -s 2>/dev/null || hostname)
node=ccsimnode
cpus=$(nproc)

# munge: a key of our own, its socket in the folder
if command -v mungekey >/dev/null 2>&1; then mungekey -c -k "$D/munge.key"; else
	dd if=/dev/urandom of="$D/munge.key" bs=1024 count=1 2>/dev/null; fi
chmod 600 "$D/munge.key"
munged -F -f --key-file="$D/munge.key" --socket="$D/munge.sock" --pid-file="$D/munged.pid" \
	--log-file="$D/munged.log" --seed-file="$D/munged.seed" >"$D/munged.out" 2>&1 &
pids="$pids $!"
wait_for 10 test -S "$D/munge.sock" || { fail "munged starts" "$(cat "$D/munged.log")"; finish; exit; }

# No cgroup plugins: process tracking by process group, no task binding.
cat >"$D/slurm.conf" <<EOF
ClusterName=ccsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$D/munge.sock
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
SchedulerType=sched/builtin
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MailProg=/bin/true
NodeName=$node NodeAddr=127.0.0.1 CPUs=$((cpus < 4 ? 4 : cpus)) State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$D/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" >"$D/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$SLURM_CONF" -N "$node" >"$D/slurmd.out" 2>&1 &
pids="$pids $!"
node_idle() { [ "$(timeout 5 sinfo -h -n "$node" -o %T 2>/dev/null)" = idle ]; }
if wait_for 30 node_idle; then ok "one-node cluster up"; else
	fail "one-node cluster up" "$(tail -n 5 "$D/slurmctld.log" "$D/slurmd.log" "$D/slurmctld.out" "$D/slurmd.out" 2>&1)"
	finish
	exit
fi

# The study: 2 profiles x 2 machine values x 3 params, in 3 array tasks.
cat >"$T/t.scn" <<'EOF'
title "slurm test"
profiles plain cca
param page=0x800c0000
param n=1
vm guest
host.rmi granule_delegate addr=${page}
guest.store addr=${page} data="hello"
host.wbinvd
repeat ${n} guest.load addr=${page} len=5 -> r
expect r == "hello"
EOF
study="$T/t.scn --set cache.llc_size=64K,2M --set n=1,2,3 --counter guest.* --counter llc.*"
# shellcheck disable=SC2086
"$CCSIM" sweep $study -j 2 --csv "$T/local.csv" --quiet
# shellcheck disable=SC2086
expect_exit "--slurm writes the job array" 0 "$CCSIM" sweep $study --slurm "$D/arr" --tasks 3
# the job runs from another folder: the script must not depend on it
job=$(cd "$D/job" && timeout 10 sbatch --parsable "$D/arr/sweep.sbatch" 2>"$T/err")
if [ -n "$job" ]; then ok "sbatch accepts sweep.sbatch"; else fail "sbatch accepts sweep.sbatch" "$(cat "$T/err")"; fi
job=${job%%;*}
array_done() { [ -n "$job" ] && out=$(timeout 5 squeue -h -j "$job" 2>/dev/null) && [ -z "$out" ]; }
if wait_for 60 array_done; then ok "array job finished"; else
	fail "array job finished" "$(timeout 5 squeue 2>&1; tail -n 5 "$D/slurmctld.log" "$D/slurmd.log")"
fi
states=$(timeout 5 scontrol -o show job "$job" 2>/dev/null | sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z]*\).*/\1 \2/p' | sort)
if [ "$states" = "0 COMPLETED
1 COMPLETED
2 COMPLETED" ]; then ok "tasks 0, 1, 2 completed"; else
	fail "tasks 0, 1, 2 completed" "$states" "$(cat "$D"/arr/logs/*.out 2>&1 | head -20)"
fi
expect_exit "merge" 0 "$CCSIM" sweep --merge "$D/arr" --csv "$T/merged.csv"
if cmp -s "$T/local.csv" "$T/merged.csv"; then ok "merged CSV identical to the local run"; else
	fail "merged CSV identical to the local run" "$(diff "$T/local.csv" "$T/merged.csv" | head)"; fi
stop_cluster
finish
