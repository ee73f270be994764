#!/bin/sh
# The bundled scenarios: every expectation holds on every declared profile,
# and the matrix (verdicts, outcomes, cycles, digests) matches the committed
# reference in results/reference/matrix.json. After an intended model change,
# regenerate it with `make reference` and review the diff.
. tests/lib.sh
if "$CCSIM" matrix scenarios --json "$T/m.json" >"$T/table" 2>&1; then
	ok "matrix: every expectation met"
else
	fail "matrix: every expectation met" "$(cat "$T/table")"
fi
if cmp -s "$T/m.json" results/reference/matrix.json; then
	ok "matrix matches results/reference/matrix.json"
else
	fail "matrix matches results/reference/matrix.json" "$(diff results/reference/matrix.json "$T/m.json" | head -20)"
fi
finish
