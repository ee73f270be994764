#!/bin/sh
# Checkpoint / restore at every step of every bundled scenario on every
# profile it declares: the restored run must end with the uninterrupted
# run's digest and summary. Too long for make test (thousands of runs);
# `make restore-check` runs it. JOBS=N checks N scenarios at once; each
# scenario prints one line as it finishes, so a long run shows progress.
# PROFILES="a b" checks only those of each scenario's profiles (after a
# change to one architecture's model, its rows alone).
#
# usage: [JOBS=N] harness/scripts/restore-everywhere.sh [CCSIM] [SCENARIO...]
set -eu
ccsim=${1:-build/ccsim}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- $(find scenarios -name '*.scn' | sort)
jobs=${JOBS:-1}
if [ "$jobs" -gt 1 ] && [ $# -gt 1 ]; then
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	printf '%s\n' "$@" | JOBS=1 xargs -P "$jobs" -n 1 "$0" "$ccsim" | tee "$log" |
		grep -v '^restore-everywhere:' || true
	set -- $(awk '/^restore-everywhere:/ { t += $2; b += $5 } END { print t + 0, b + 0 }' "$log")
	total=$1 bad=$2
	echo "restore-everywhere: $total restore points, $bad mismatches"
	[ "$bad" -eq 0 ]
	exit
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
digest() { sed -n 's/.*"digest": "\([^"]*\)".*/\1/p' "$1" | head -n 1; }
total=0 bad=0
for scn in "$@"; do
	profiles=$(sed -n 's/^profiles //p' "$scn" | head -n 1)
	for p in $profiles; do
		case " ${PROFILES:-$p} " in *" $p "*) ;; *) continue ;; esac
		full="$work/full"
		"$ccsim" run "$scn" --profile "$p" --out "$full" --quiet 2>/dev/null || continue
		want=$(digest "$full/summary.json")
		# one run saves a checkpoint after every step; saving must not
		# change the run itself
		rm -rf "$work/cks" && mkdir "$work/cks"
		here=0
		if ! "$ccsim" run "$scn" --profile "$p" --checkpoint-every "$work/cks" \
			--out "$work/save" --quiet 2>"$work/err" ||
		   [ "$(digest "$work/save/summary.json")" != "$want" ]; then
			bad=$((bad + 1))
			echo "MISMATCH $scn $p: the checkpointing run: $(head -c 160 "$work/err")"
		fi
		n=1
		while [ -f "$work/cks/step-$n.ckpt" ]; do
			total=$((total + 1)) here=$((here + 1))
			if "$ccsim" run "$scn" --profile "$p" --restore "$work/cks/step-$n.ckpt" \
				--out "$work/rest" --quiet 2>"$work/err" &&
			   [ "$(digest "$work/rest/summary.json")" = "$want" ] &&
			   [ "$(grep -v restored_from "$full/summary.json")" = \
			     "$(grep -v restored_from "$work/rest/summary.json")" ]; then :; else
				bad=$((bad + 1))
				echo "MISMATCH $scn $p after step $n: $(head -c 160 "$work/err")"
			fi
			n=$((n + 1))
		done
		echo "checked $scn $p: $here restore points"
	done
done
echo "restore-everywhere: $total restore points, $bad mismatches"
[ "$bad" -eq 0 ]
