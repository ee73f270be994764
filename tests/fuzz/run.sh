#!/bin/sh
# Run the fuzz targets (make fuzz-build first), one after another, each for
# SECONDS from its committed corpus tests/fuzz/corpus/TARGET plus the inputs
# of earlier runs in $FUZZ_OUT/corpus/TARGET, where new ones go (the committed
# corpus is only read). Any crash, leak, timeout or out-of-memory fails the
# run and names the reproducer (kept in $FUZZ_OUT/artifacts/TARGET/).
# usage: tests/fuzz/run.sh SECONDS [TARGET...]
#        tests/fuzz/run.sh --merge TARGET...   fold $FUZZ_OUT/corpus/TARGET into the
#                                              committed corpus, minimised (inputs named
#                                              regress-* are kept whatever they cover)
set -u
B=build/fuzz
out=${FUZZ_OUT:-$B/run}
san="ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
# per input: at most 25 s (a checkpoint's restore runs its scenario to the end
# under the sanitizers) and 2 GB
opts="-rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=25 -print_final_stats=1"

targets() { if [ $# -gt 0 ]; then echo "$@"; else ls tests/fuzz/fuzz_*.c | sed 's|.*/||; s|\.c$||'; fi; }

if [ "${1:-}" = --merge ]; then
	shift
	for t in $(targets "$@"); do
		rm -rf "$out/merge/$t" && mkdir -p "$out/merge/$t"
		# shellcheck disable=SC2086
		env $san "$B/$t" -merge=1 $opts "$out/merge/$t" "tests/fuzz/corpus/$t" "$out/corpus/$t" \
			>"$out/merge-$t.log" 2>&1 || { echo "merge $t failed: $out/merge-$t.log"; exit 1; }
		cp tests/fuzz/corpus/"$t"/regress-* "$out/merge/$t/" 2>/dev/null
		rm -rf "tests/fuzz/corpus/$t" && mv "$out/merge/$t" "tests/fuzz/corpus/$t"
		echo "$t: $(ls "tests/fuzz/corpus/$t" | wc -l) inputs"
	done
	exit 0
fi

secs=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}
shift
failed=0
for t in $(targets "$@"); do
	bin=$B/$t
	[ -x "$bin" ] || { echo "FAIL $t: no $bin (make fuzz-build)"; failed=1; continue; }
	mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	log=$out/$t.log
	# shellcheck disable=SC2086
	env $san "$bin" $opts $dict -max_total_time="$secs" -artifact_prefix="$out/artifacts/$t/" \
		"$out/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
	if [ "$st" -eq 0 ]; then
		echo "ok $t: ${secs}s, ${execs:-?} execs, ${cov:-no coverage line}"
	else
		failed=1
		echo "FAIL $t: exit $st after ${execs:-?} execs (log: $log)"
		grep -E '^==[0-9]+==ERROR|SUMMARY|runtime error|ALARM|out-of-memory|deadly signal' "$log" |
			head -n 6 | sed 's/^/    /'
		for a in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | sort -u); do
			echo "    reproduce: $bin $a"
		done
	fi
done
exit $failed
