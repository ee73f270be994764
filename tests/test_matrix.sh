#!/bin/sh
# The bundled scenarios: every expectation holds on every declared profile,
# and the matrix (verdicts, outcomes, cycles, digests) matches the committed
# reference in results/reference/matrix.json: `--reference` names each
# difference, and the JSON must be the reference byte for byte. After an
# intended model change, regenerate it with `make reference` and review the
# diff.
. tests/lib.sh
ref=results/reference/matrix.json
"$CCSIM" matrix scenarios --json "$T/m.json" --reference "$ref" --compare exact >"$T/table" 2>&1
if grep -Eqx '[0-9]+ cells: [0-9]+ passed, 0 failed, 0 errors' "$T/table"; then
	ok "matrix: every expectation met"
else
	fail "matrix: every expectation met" "$(sed '/^compare with/,$d' "$T/table")"
fi
if grep -q "^compare with $ref (exact): no differences" "$T/table" && cmp -s "$T/m.json" "$ref"; then
	ok "matrix matches $ref"
else
	fail "matrix matches $ref" "$(sed -n '/^compare with/,$p' "$T/table" | head -20)" \
		"$(diff "$ref" "$T/m.json" | head -6)"
fi
finish
