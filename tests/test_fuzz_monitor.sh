#!/bin/sh
# ccsim fuzz (monitor-ABI fuzzing under the invariants) and ccsim shrink:
# short bounded campaigns on each ABI find nothing and report per-command
# coverage, a campaign is a function of its seed, and shrink reduces a
# failing scenario to the steps that fail the same way.
. "$(dirname "$0")/lib.sh"

for abi in cca snp sev; do
	expect_exit "fuzz $abi: 40 runs, no finding" 0 "$CCSIM" fuzz $abi --runs 40 --seed 11 --out "$T/f-$abi"
	cp "$T/out" "$T/fuzz-$abi.txt"
	if grep -q "^$abi: 40 runs, 40 without a finding" "$T/fuzz-$abi.txt"; then ok "fuzz $abi: summary"; else
		fail "fuzz $abi: summary" "$(tail -3 "$T/fuzz-$abi.txt")"; fi
done
# coverage: the RMI commands were called and some refused
n=$(grep -c '^rmi\.' "$T/fuzz-cca.txt")
if [ "$n" -ge 20 ]; then ok "fuzz cca: $n RMI commands reached"; else fail "fuzz cca: RMI coverage" "$n rows"; fi
grep -q '^snp.commands' "$T/fuzz-snp.txt" && ok "fuzz snp: firmware commands counted" || fail "fuzz snp: commands"

"$CCSIM" fuzz cca --runs 15 --seed 5 --out "$T/d1" >"$T/a.txt" 2>&1
"$CCSIM" fuzz cca --runs 15 --seed 5 --out "$T/d2" >"$T/b.txt" 2>&1
if cmp -s "$T/a.txt" "$T/b.txt"; then ok "fuzz: same seed, same campaign"; else fail "fuzz: determinism"; fi

# seeded: the conformance scenarios mutated, no finding, same seed same campaign
for abi in cca snp sev; do
	expect_exit "fuzz $abi --seeds: 25 mutants, no finding" 0 "$CCSIM" fuzz $abi --runs 25 --seed 3 \
		--seeds scenarios/monitor/$abi --out "$T/s-$abi"
	grep -q "^$abi: 25 runs, 25 without a finding" "$T/out" && ok "fuzz $abi --seeds: summary" ||
		fail "fuzz $abi --seeds: summary" "$(tail -3 "$T/out")"
done
"$CCSIM" fuzz snp --runs 10 --seed 9 --seeds scenarios/monitor/snp --out "$T/d3" >"$T/a.txt" 2>&1
"$CCSIM" fuzz snp --runs 10 --seed 9 --seeds scenarios/monitor/snp --out "$T/d4" >"$T/b.txt" 2>&1
if cmp -s "$T/a.txt" "$T/b.txt"; then ok "fuzz --seeds: same seed, same campaign"; else fail "fuzz --seeds: determinism"; fi
expect_exit "fuzz --seeds: missing path" 2 "$CCSIM" fuzz cca --runs 1 --seeds "$T/nowhere"
expect_err "fuzz --seeds: missing path named" "--seeds $T/nowhere: cannot read"
expect_exit "fuzz --seeds: no seed for the profile" 2 "$CCSIM" fuzz cca --runs 1 --seeds scenarios/monitor/snp
expect_err "fuzz --seeds: profile named" "no scenario for profile cca"

expect_exit "fuzz: unknown ABI" 2 "$CCSIM" fuzz tdx --runs 1
expect_err "fuzz: unknown ABI named" "expected ABI cca, snp or sev"
expect_exit "fuzz: bad --runs" 2 "$CCSIM" fuzz cca --runs 0

# shrink: a run that never ends (the realm overwrites its code) keeps its
# four steps; the noise goes; the result fails the same way.
cp tests/data/shrink/realm-overwrites-code.scn "$T/case.scn"
expect_exit "shrink: reduces a failing scenario" 0 "$CCSIM" shrink "$T/case.scn" -o "$T/min.scn" \
	--set limits.max_cycles=20000000
steps=$(grep -Ec '^(host|g0)\.' "$T/min.scn")
if [ "$steps" -eq 4 ] && grep -q 'realm_config addr=0x0' "$T/min.scn" && ! grep -q 'granule' "$T/min.scn"; then
	ok "shrink: 4 of 10 steps kept"; else fail "shrink: result" "$(cat "$T/min.scn")"; fi
expect_exit "shrink: the result still fails" 2 "$CCSIM" run "$T/min.scn" --set limits.max_cycles=20000000
expect_err "shrink: ... the same way" "still running at cycle"
expect_exit "shrink: a passing scenario is not a failure" 1 "$CCSIM" shrink scenarios/examples/first-steps.scn -o "$T/x.scn"
expect_exit "shrink: no file" 2 "$CCSIM" shrink
finish
