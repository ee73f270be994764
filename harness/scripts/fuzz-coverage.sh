#!/bin/sh
# The monitor fuzzers' coverage report: a coverage build of ccsim (gcov, in
# build/cov) runs `ccsim fuzz` on each ABI -- RUNS runs generated from
# nothing and RUNS mutating the conformance scenarios of scenarios/monitor
# -- and harness/scripts/fuzz_coverage.py writes, per command handler, the
# failure sites reached and the branches taken to OUT.
#
# usage: harness/scripts/fuzz-coverage.sh [RUNS] [OUT]   (default 2000,
#        results/fuzz-coverage.md); make fuzz-coverage runs it.
set -eu
runs=${1:-2000}
out=${2:-results/fuzz-coverage.md}
make --no-print-directory B=build/cov OPT=-O0 XCFLAGS=--coverage XLDFLAGS=--coverage all
find build/cov -name '*.gcda' -delete
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for abi in cca snp sev; do
	case $abi in cca) seeds=scenarios/monitor/cca ;; snp) seeds=scenarios/monitor/snp ;;
		     sev) seeds=scenarios/monitor/sev ;; esac
	# findings are not this report's business: `ccsim fuzz` reports and
	# shrinks them (exit 1), so the status is kept only for bad usage
	for mode in plain seeded; do
		set -- fuzz "$abi" --runs "$runs" --seed 1 --out "$work/$abi-$mode"
		[ "$mode" = seeded ] && set -- "$@" --seeds "$seeds"
		rc=0
		build/cov/ccsim "$@" > "$work/$abi-$mode.txt" || rc=$?
		[ "$rc" -le 1 ] || { cat "$work/$abi-$mode.txt"; exit "$rc"; }
		tail -n 1 "$work/$abi-$mode.txt"
		[ "$rc" -eq 0 ] || grep -A1 '^finding' "$work/$abi-$mode.txt" || true
	done
done
gcovr -r . --object-directory build/cov --filter models/monitor/rmm/ \
	--filter models/monitor/snp/snp_fw.c --filter models/monitor/sev/sev_fw.c \
	--filter models/mmu/rmp_ops.c --branches --json "$work/cov.json"
python3 harness/scripts/fuzz_coverage.py "$work/cov.json" "$out" --runs "$runs"
