#!/bin/sh
# ccsim sweep: the CSV (columns, row order, resolved values, counters taken
# from the runs' statistics), byte-identical for any -j; sweep files; every
# bad input reported before anything runs; an interrupted sweep resumed to
# the same bytes; the Slurm manifest, tasks and merge (without Slurm: the
# tasks run here; tests/test_slurm.sh submits them to a real one).
. tests/lib.sh
# absolute, for the checks that run in another folder
CCSIM=$(cd "$(dirname "$CCSIM")" && pwd)/$(basename "$CCSIM")
export CCSIM_PROFILE_DIR="${CCSIM_PROFILE_DIR:-$PWD/models/platform/profiles}"

# A small workload: the guest stores a line, the host writes the caches back
# w times, the guest reads the line n times.
cat >"$T/t.scn" <<'EOF'
title "sweep test"
profiles plain cca
param page=0x800c0000
param n=1
param w=1
vm guest
host.rmi granule_delegate addr=${page}
guest.store addr=${page} data="hello"
repeat ${w} host.wbinvd
repeat ${n} guest.load addr=${page} len=5 -> r
expect r == "hello"
EOF

# same NAME FILE1 FILE2: byte-identical files.
same() {
	if cmp -s "$2" "$3"; then ok "$1"; else fail "$1" "$(diff "$2" "$3" | head -10)"; fi
}

# --- the CSV ---
expect_exit "sweep runs" 0 "$CCSIM" sweep "$T/t.scn" --profile cca,plain --set cache.llc_size=64K,2M \
	--set n=1,3 --counter 'guest.load*' --counter 'rmm.granule_delegate.calls' --csv "$T/a.csv"
if grep -q '^8 configurations: 8 pass, 0 fail, 0 errors; wrote ' "$T/out"; then ok "summary line"; else
	fail "summary line" "$(cat "$T/out")"; fi
cat >"$T/want_cols" <<'EOF'
profile,cache.llc_size,n,resolved:cache.llc_size,verdict,outcome,digest,cycles,error,guest.load_cycles,guest.loads,rmm.granule_delegate.calls
EOF
head -n 1 "$T/a.csv" >"$T/cols"
same "header: configuration, resolved keys, fixed columns, counters sorted" "$T/want_cols" "$T/cols"
cut -d, -f1-5,11,12 "$T/a.csv" | tail -n +2 >"$T/rows"
cat >"$T/want_rows" <<'EOF'
cca,64K,1,65536,pass,1,1
cca,64K,3,65536,pass,3,1
cca,2M,1,2097152,pass,1,1
cca,2M,3,2097152,pass,3,1
plain,64K,1,65536,pass,1,
plain,64K,3,65536,pass,3,
plain,2M,1,2097152,pass,1,
plain,2M,3,2097152,pass,3,
EOF
same "rows: profile-major, last --set fastest; a counter a profile lacks is empty" "$T/want_rows" "$T/rows"

# The counters are the run's own statistics: equal to its stats.json.
"$CCSIM" run "$T/t.scn" --profile cca --set cache.llc_size=2M --set n=3 --out "$T/run" --quiet
python3 - "$T/run/stats.json" "$T/a.csv" >"$T/cmp" <<'PY'
import csv, json, sys
stats = json.load(open(sys.argv[1]))
row = [r for r in csv.DictReader(open(sys.argv[2])) if r["profile"] == "cca" and r["cache.llc_size"] == "2M" and r["n"] == "3"][0]
def get(name):
    d = stats["stats"]
    for part in name.split("."):
        d = d[part]
    return d
for name in ("guest.load_cycles", "guest.loads", "rmm.granule_delegate.calls"):
    if str(get(name)) != row[name]:
        print(f"{name}: stats.json {get(name)}, CSV {row[name]}")
if str(stats["cycles"]) != row["cycles"]:
    print(f"cycles: stats.json {stats['cycles']}, CSV {row['cycles']}")
PY
if [ -s "$T/cmp" ]; then fail "counters equal the run's stats.json" "$(cat "$T/cmp")"; else
	ok "counters equal the run's stats.json"; fi

# >= 100 configurations: the same bytes with -j 1, 2 and 3.
vals=$(seq 1 60 | paste -sd, -)
for j in 1 2 3; do
	"$CCSIM" sweep "$T/t.scn" --set n="$vals" --set cache.llc_ways=8,16 --counter 'llc.*' -j $j \
		--csv "$T/j$j.csv" --quiet
done
if [ "$(wc -l <"$T/j1.csv")" -eq 241 ]; then ok "240 configurations, 240 rows"; else
	fail "240 configurations, 240 rows" "$(wc -l <"$T/j1.csv") lines"; fi
same "-j 2 CSV identical to -j 1" "$T/j1.csv" "$T/j2.csv"
same "-j 3 CSV identical to -j 1" "$T/j1.csv" "$T/j3.csv"

# A sweep file holds the same study: the same CSV.
mkdir -p "$T/study"
cp "$T/t.scn" "$T/study/t.scn"
cat >"$T/study/s.sweep" <<'EOF'
# the study above, as a file
scenario t.scn          # relative to this file
profiles cca plain
set cache.llc_size=64K, 2M
set n=1,3
counter guest.load* rmm.granule_delegate.calls
seed 1
EOF
(cd "$T" && "$CCSIM" sweep study/s.sweep --csv "$T/f.csv" --quiet)
same "sweep file gives the same CSV as the command line" "$T/a.csv" "$T/f.csv"
(cd "$T" && "$CCSIM" sweep study/s.sweep --quiet)
same "sweep file: default output results/NAME.csv" "$T/a.csv" "$T/results/s.csv"

# --- bad input: reported before anything runs, exit 2, nothing written ---
bad() { # NAME PATTERN ARGS...
	name=$1 pat=$2
	shift 2
	rm -f "$T/bad.csv"
	expect_exit "$name exits 2" 2 "$CCSIM" sweep "$@" --csv "$T/bad.csv"
	expect_err "$name message" "$pat"
	if [ -e "$T/bad.csv" ] || [ -e "$T/bad.csv.journal" ]; then fail "$name writes nothing"; fi
}
bad "out-of-range value" "--set mem.pa_bits=40,99: mem.pa_bits: 99 is out of range \\[32, 52\\]" \
	"$T/t.scn" --set n=1,2 --set mem.pa_bits=40,99
bad "unknown machine key" "--set mem.nope=1: unknown profile key mem.nope" "$T/t.scn" --set mem.nope=1
bad "unknown param" "--set nope=1: .*t.scn declares no such param" "$T/t.scn" --set nope=1,2
bad "bad param value" "t.scn:7:32: .*expected a number.* \\(first in: page=zz\\)" "$T/t.scn" --set page=0x800c0000,zz
bad "inconsistent combination" "inconsistent profile: gpc.pps_bits: larger than mem.pa_bits \\(first in: cca mem.pa_bits=32\\)" \
	"$T/t.scn" --set mem.pa_bits=40,32
bad "repeated --set" "cache.llc_size is already swept" "$T/t.scn" --set cache.llc_size=1M --set cache.llc_size=2M
bad "repeated value" "n: repeated value \"2\"" "$T/t.scn" --set n=1,2,2
bad "unknown profile" "unknown profile \"nosuch\"" "$T/t.scn" --profile cca,nosuch
printf 'scenario t.scn\nprofiles cca\nset n=1,2\nset cache.llc_ways=8,99999\n' >"$T/study/bad.sweep"
bad "sweep file value" "bad.sweep:4:5: cache.llc_ways: 99999 is out of range" "$T/study/bad.sweep"
printf 'scenario t.scn\nprofiles cca\nsett n=1\n' >"$T/study/bad2.sweep"
bad "sweep file statement" "bad2.sweep:3:1: unknown statement \"sett\"" "$T/study/bad2.sweep"
bad "sweep file plus study options" "holds the study" "$T/study/s.sweep" --set n=2
expect_exit "sweep --help" 0 "$CCSIM" sweep --help

# --- progress bar: on a terminal only ---
"$CCSIM" sweep "$T/t.scn" --set n=1,2 --csv "$T/p.csv" 2>"$T/err" >/dev/null
if [ -s "$T/err" ]; then fail "no progress bar when stderr is not a terminal" "$(cat "$T/err")"; else
	ok "no progress bar when stderr is not a terminal"; fi
if command -v script >/dev/null 2>&1; then
	script -qec "'$CCSIM' sweep '$T/t.scn' --set n=1,2 --csv '$T/p.csv'" /dev/null >"$T/tty" 2>&1
	if grep -q 'sweep 4/4 \[#*\] 100%  elapsed 0:00  ETA' "$T/tty"; then ok "progress bar on a terminal"; else
		fail "progress bar on a terminal" "$(head -c 400 "$T/tty")"; fi
fi

# --- resume: kill a sweep midway, run the same command again ---
# wait_rows FILE N: until FILE has N lines (at most 20 s).
wait_rows() {
	i=0
	while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ] && [ $i -lt 2000 ]; do
		sleep 0.01
		i=$((i + 1))
	done
}
slow="$T/t.scn --set n=$(seq 1 30 | paste -sd, -) --set w=300 --counter guest.*"
# shellcheck disable=SC2086
"$CCSIM" sweep $slow -j 2 --csv "$T/whole.csv" --quiet
for sig in KILL TERM; do
	# shellcheck disable=SC2086
	"$CCSIM" sweep $slow -j 2 --csv "$T/cut.csv" --quiet &
	pid=$!
	wait_rows "$T/cut.csv.journal" 10
	kill -s $sig $pid
	wait $pid 2>/dev/null
	rows=$(($(wc -l <"$T/cut.csv.journal") - 1))
	if [ -e "$T/cut.csv" ] || [ "$rows" -ge 60 ]; then
		fail "SIG$sig: the sweep was interrupted midway" "$rows rows journaled"
		continue
	fi
	ok "SIG$sig: interrupted after $rows of 60 rows, journal kept"
	sleep 0.2
	if ps -eo args | grep -F -- "--csv $T/cut.csv" | grep -qv grep; then
		fail "SIG$sig: no worker outlives the sweep" "$(ps -eo pid,args | grep -F -- "--csv $T/cut.csv")"
	else ok "SIG$sig: no worker outlives the sweep"; fi
	# a row torn by the kill is redone, not kept
	printf '59\tplain n=30 w=300\tpa' >>"$T/cut.csv.journal"
	# shellcheck disable=SC2086
	"$CCSIM" sweep $slow -j 2 --csv "$T/cut.csv" >"$T/out" 2>"$T/err"
	if grep -q "resuming, $rows of 60 configurations already done" "$T/err"; then ok "SIG$sig: resumed"; else
		fail "SIG$sig: resumed" "$(cat "$T/err")"; fi
	same "SIG$sig: resumed CSV identical to an uninterrupted run" "$T/whole.csv" "$T/cut.csv"
	if [ -e "$T/cut.csv.journal" ]; then fail "SIG$sig: journal removed once complete"; fi
	rm -f "$T/cut.csv"
done
# a journal of another study is never mixed in
# shellcheck disable=SC2086
"$CCSIM" sweep $slow --csv "$T/other.csv" --quiet &
pid=$!
wait_rows "$T/other.csv.journal" 3
kill -s KILL $pid
wait $pid 2>/dev/null
expect_exit "journal of another sweep exits 2" 2 "$CCSIM" sweep "$T/t.scn" --set n=1,2 --csv "$T/other.csv"
expect_err "journal of another sweep message" "other.csv.journal:1: the rows of another sweep .* \\(--fresh discards it\\)"
expect_exit "--fresh discards it" 0 "$CCSIM" sweep "$T/t.scn" --set n=1,2 --csv "$T/other.csv" --fresh
expect_exit "--resume without a journal exits 2" 2 "$CCSIM" sweep "$T/t.scn" --set n=1,2 --csv "$T/other.csv" --resume
expect_err "--resume without a journal message" "no journal .*other.csv.journal to resume from"

# --- Slurm layout, tasks run here, merge ---
"$CCSIM" sweep "$T/study/s.sweep" --slurm "$T/arr" --tasks 3 --quiet
for f in sweep.sbatch manifest.tsv sweep.sweep; do
	if [ -s "$T/arr/$f" ]; then ok "--slurm writes $f"; else fail "--slurm writes $f"; fi
done
if grep -q '^#SBATCH --array=0-2$' "$T/arr/sweep.sbatch"; then ok "job array of 3 tasks"; else
	fail "job array of 3 tasks" "$(cat "$T/arr/sweep.sbatch")"; fi
"$CCSIM" sweep --slurm-task "$T/arr" --task 0 --quiet
SLURM_ARRAY_TASK_ID=2 "$CCSIM" sweep --slurm-task "$T/arr" -j 2 --quiet
expect_exit "merge with a task missing exits 2" 2 "$CCSIM" sweep --merge "$T/arr" --csv "$T/m.csv"
expect_err "merge counts the missing tasks" "1 of 3 tasks incomplete:"
expect_err "merge names the missing task" "task 1 \\(configurations 2\\.\\.4\\): no rows"
expect_err "merge says how to rerun it" "sbatch --array=1 .*sweep.sbatch"
"$CCSIM" sweep --slurm-task "$T/arr" --task 1 --quiet
expect_exit "merge" 0 "$CCSIM" sweep --merge "$T/arr" --csv "$T/m.csv"
same "merged CSV identical to the local one" "$T/a.csv" "$T/m.csv"
expect_exit "a task past the array exits 2" 2 "$CCSIM" sweep --slurm-task "$T/arr" --task 3
expect_exit "another sweep into the same folder exits 2" 2 "$CCSIM" sweep "$T/t.scn" --set n=5 --slurm "$T/arr" --tasks 3
expect_err "another sweep into the same folder message" "holds another job array"
finish
