#!/bin/sh
# Determinism: the same scenario + profile + seed gives the same digest and
# byte-identical outputs on a rerun, under an -O0 build and the -O2 build,
# and the matrix is identical for any worker count.
. tests/lib.sh
B=${B:-build}
scn=scenarios/attacks/phys-read-dram.scn

for p in plain cca; do
	"$CCSIM" run $scn --profile $p --out "$T/a-$p" --quiet
	"$CCSIM" run $scn --profile $p --out "$T/b-$p" --quiet
	for f in summary.json stats.json trace.bin trace.txt; do
		if cmp -s "$T/a-$p/$f" "$T/b-$p/$f"; then ok "rerun $p $f identical"; else fail "rerun $p $f identical"; fi
	done
done

# A different seed derives different keys: the DRAM ciphertext, and so the
# digest, change on cca; on plain (no encryption) nothing depends on the seed.
"$CCSIM" run $scn --profile cca --seed 2 --out "$T/s2" --quiet
d1=$(json_field "$T/a-cca/summary.json" digest)
d2=$(json_field "$T/s2/summary.json" digest)
if [ -n "$d1" ] && [ "$d1" != "$d2" ]; then ok "seed changes the cca digest"; else fail "seed changes the cca digest" "$d1 / $d2"; fi

# An -O0 build of the whole simulator gives the same digests as this build.
if [ "${B#build/o0}" = "$B" ]; then
	if make --no-print-directory -s B=build/o0 OPT=-O0 build/o0/ccsim >"$T/o0.log" 2>&1; then
		ok "-O0 build"
		for p in plain cca; do
			build/o0/ccsim run $scn --profile $p --out "$T/o0-$p" --quiet
			if cmp -s "$T/a-$p/summary.json" "$T/o0-$p/summary.json" &&
			   cmp -s "$T/a-$p/trace.bin" "$T/o0-$p/trace.bin"; then
				ok "-O0 and $B agree on $p"
			else
				fail "-O0 and $B agree on $p" "$(diff "$T/a-$p/summary.json" "$T/o0-$p/summary.json" | head -5)"
			fi
		done
	else
		fail "-O0 build" "$(tail -5 "$T/o0.log")"
	fi
fi

# The matrix does not depend on the number of workers (the scenarios
# outside perf/: the copy-bandwidth runs are long, and test_matrix.sh checks
# them against the reference).
set -- $(ls -d scenarios/*/ | grep -v '^scenarios/perf/$') scenarios/perf/exits.scn
"$CCSIM" matrix "$@" --json "$T/m1.json" >"$T/t1" 2>&1
"$CCSIM" matrix "$@" -j 2 --json "$T/m2.json" >"$T/t2" 2>&1
"$CCSIM" matrix "$@" -j 3 --json "$T/m3.json" >"$T/t3" 2>&1
if cmp -s "$T/m1.json" "$T/m2.json" && cmp -s "$T/m1.json" "$T/m3.json" && cmp -s "$T/t1" "$T/t2"; then
	ok "matrix identical for -j 1, 2, 3"
else
	fail "matrix identical for -j 1, 2, 3" "$(diff "$T/m1.json" "$T/m2.json" | head -5)"
fi

finish
