#!/bin/sh
# What `ccsim matrix` prints: the compact table fits $COLUMNS (80 when
# stdout is not a terminal) line by line, in column blocks when it must;
# --wide is the full table as it always was; failures and errors are named
# at the end; --junit writes a report that validates against the JUnit
# schema (tests/data/junit.xsd) with the right counts; --reference names
# each difference from a reference matrix, by the mode's fields.
. tests/lib.sh
D=tests/data/matrix

# longest FILE: the length of FILE's longest line.
longest() { awk '{ if (length > n) n = length } END { print n + 0 }' "$1"; }

# fits NAME WIDTH FILE: no line of FILE is longer than WIDTH.
fits() {
	n=$(longest "$3")
	if [ "$n" -le "$2" ]; then ok "$1"; else
		fail "$1" "a line of $n characters:" "$(awk -v w="$2" 'length > w' "$3" | head -3)"
	fi
}

# A handful of attacks with many profiles each, at several widths.
set -- scenarios/attacks/host-read-delegated.scn scenarios/attacks/phys-tamper.scn \
	scenarios/attacks/asid-reuse-sev.scn scenarios/attacks/rmp-stale-tlb.scn \
	scenarios/attacks/device-dma.scn
for w in 80 40 20; do
	COLUMNS=$w "$CCSIM" matrix "$@" --json "$T/h$w.json" >"$T/h$w" 2>"$T/h$w.err"
	echo $? >"$T/h$w.rc"
	fits "matrix at COLUMNS=$w: every line fits" "$w" "$T/h$w"
done
if [ "$(cat "$T/h80.rc")" = 0 ] && tail -n 1 "$T/h80" | grep -Eq '^[0-9]+ cells: [0-9]+ passed, 0 failed, 0 errors$'; then
	ok "matrix: the count line closes the table"
else
	fail "matrix: the count line closes the table" "$(tail -n 3 "$T/h80")"
fi
if cmp -s "$T/h80.json" "$T/h20.json"; then ok "matrix: --json whatever the width"; else
	fail "matrix: --json whatever the width"
fi
# Every profile a scenario names is lettered in the key; families head the
# columns, plain first.
missing=""
for p in $(sed -n 's/^profiles //p' "$@" | tr ' ' '\n' | sort -u); do
	grep -Eq "(^|  )[a-zA-Z] $p( |\$)" "$T/h80" || missing="$missing $p"
done
if [ -z "$missing" ] && grep -q '^profiles:  a plain  b cca' "$T/h80" &&
	head -n 1 "$T/h80" | grep -Eq '^ +plain +cca +s390 +sev +tdx$'; then
	ok "matrix: families head the columns, the key letters them"
else
	fail "matrix: families head the columns, the key letters them" "not in the key:$missing" \
		"$(head -n 3 "$T/h80")"
fi
if [ "$(grep -c '^.*-sev\.scn  *[LBDC.-]' "$T/h20")" -gt 1 ] && [ "$(grep -c 'sev\.scn' "$T/h80")" = 1 ]; then
	ok "matrix at COLUMNS=20: column blocks, each with the scenario names"
else
	fail "matrix at COLUMNS=20: column blocks, each with the scenario names" "$(head -n 12 "$T/h20")"
fi
# Not a terminal and no $COLUMNS: 80 columns.
env -u COLUMNS "$CCSIM" matrix "$@" >"$T/hdef" 2>&1
if cmp -s "$T/hdef" "$T/h80"; then ok "matrix: 80 columns when stdout is no terminal"; else
	fail "matrix: 80 columns when stdout is no terminal" "$(diff "$T/h80" "$T/hdef" | head -5)"
fi

# A folder with many profiles, with its JUnit report.
COLUMNS=80 "$CCSIM" matrix scenarios/attacks -j 2 --junit "$T/attacks.xml" >"$T/attacks" 2>&1
echo $? >"$T/attacks.rc"
fits "matrix scenarios/attacks at COLUMNS=80: every line fits" 80 "$T/attacks"
if xmllint --noout --schema tests/data/junit.xsd "$T/attacks.xml" 2>"$T/xmllint"; then
	ok "junit: scenarios/attacks validates"
else
	fail "junit: scenarios/attacks validates" "$(head -5 "$T/xmllint")"
fi
cells=$(sed -n 's/^\([0-9]*\) cells: .*/\1/p' "$T/attacks")
if [ "$(cat "$T/attacks.rc")" = 0 ] && [ -n "$cells" ] &&
	[ "$(grep -c '<testcase ' "$T/attacks.xml")" = "$cells" ] &&
	grep -q "<testsuite name=\"ccsim matrix\" tests=\"$cells\" failures=\"0\" errors=\"0\"" "$T/attacks.xml"; then
	ok "junit: a testcase per cell, no failure"
else
	fail "junit: a testcase per cell, no failure" "cells=$cells" "$(sed -n 2,3p "$T/attacks.xml")"
fi

# The failing scenario: named with each failed expectation, exit status 1.
COLUMNS=80 "$CCSIM" matrix "$D/escape-fail.scn" --junit "$T/f1.xml" >"$T/f1" 2>"$T/f1.err"
rc=$?
if [ $rc = 1 ] && grep -q "^FAIL $D/escape-fail.scn on cca$" "$T/f1" &&
	grep -q "^  $D/escape-fail.scn:16: expect peek" "$T/f1" &&
	grep -q "^  $D/escape-fail.scn:17: expect outcome == leaked (observed:" "$T/f1" &&
	grep -q '^escape-fail.scn  *L  *B!$' "$T/f1" &&
	tail -n 1 "$T/f1" | grep -qx '2 cells: 1 passed, 1 failed, 0 errors'; then
	ok "matrix: a failing cell is marked, named with file:line, exit 1"
else
	fail "matrix: a failing cell is marked, named with file:line, exit 1" "exit $rc" "$(cat "$T/f1")"
fi
if xmllint --noout --schema tests/data/junit.xsd "$T/f1.xml" 2>"$T/xmllint"; then
	ok "junit: a failing run validates"
else
	fail "junit: a failing run validates" "$(head -5 "$T/xmllint")"
fi

# The failing and the bad scenario together: counts, messages, escapes.
COLUMNS=80 "$CCSIM" matrix "$D" --junit "$T/f2.xml" >"$T/f2" 2>"$T/f2.err"
rc=$?
if [ $rc = 2 ] && grep -q "^ERROR $D/bad-input.scn$" "$T/f2" && grep -q 'unknown statement' "$T/f2.err" &&
	tail -n 1 "$T/f2" | grep -qx '3 cells: 1 passed, 1 failed, 1 errors'; then
	ok "matrix: a scenario that does not load is named, exit 2"
else
	fail "matrix: a scenario that does not load is named, exit 2" "exit $rc" "$(cat "$T/f2" "$T/f2.err")"
fi
if xmllint --noout --schema tests/data/junit.xsd "$T/f2.xml" 2>"$T/xmllint"; then
	ok "junit: failures and errors validate"
else
	fail "junit: failures and errors validate" "$(head -5 "$T/xmllint")"
fi
if python3 - "$T/f2.xml" "$D" <<'EOF'
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
d = sys.argv[2]
suite = root.find("testsuite")
assert root.tag == "testsuites", root.tag
assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1"), suite.attrib
cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
assert sorted(cases) == [(d + "/bad-input.scn", "-"), (d + "/escape-fail.scn", "cca"),
                         (d + "/escape-fail.scn", "plain")], sorted(cases)
err = cases[(d + "/bad-input.scn", "-")].find("error")
assert err is not None and "bad-input.scn:4:1: unknown statement" in err.get("message"), err
assert cases[(d + "/escape-fail.scn", "plain")].find("failure") is None
f = cases[(d + "/escape-fail.scn", "cca")].find("failure")
msg = f.get("message")
assert d + "/escape-fail.scn:16: expect peek == \"top <secret> & 'key'\"" in msg, msg
assert d + "/escape-fail.scn:17: expect outcome == leaked" in msg, msg
assert "observed: blocked: gpc.gpf" in f.text, f.text
# simulated time: 9806 cycles at 3 GHz
assert cases[(d + "/escape-fail.scn", "cca")].get("time") == "0.000003268"
EOF
then
	ok "junit: counts, names, failure messages and times"
else
	fail "junit: counts, names, failure messages and times"
fi
# The schema is not a formality: a testcase without a name is refused.
sed 's/ name="cca"//' "$T/f2.xml" >"$T/bad.xml"
if xmllint --noout --schema tests/data/junit.xsd "$T/bad.xml" >/dev/null 2>&1; then
	fail "junit: the schema refuses a testcase without a name"
else
	ok "junit: the schema refuses a testcase without a name"
fi
"$CCSIM" matrix "$D" -j 2 --junit "$T/f3.xml" >/dev/null 2>&1
if cmp -s "$T/f2.xml" "$T/f3.xml"; then ok "junit: identical for -j 1 and -j 2"; else
	fail "junit: identical for -j 1 and -j 2" "$(diff "$T/f2.xml" "$T/f3.xml" | head -5)"
fi

# --wide: the full table, byte for byte as before the compact one existed
# (wide.expected was printed by that ccsim), whatever the width.
COLUMNS=20 "$CCSIM" matrix "$D" --wide >"$T/w" 2>"$T/w.err"
rc=$?
if [ $rc = 2 ] && cmp -s "$T/w" "$D/wide.expected"; then ok "matrix --wide: the full table as before"; else
	fail "matrix --wide: the full table as before" "exit $rc" "$(diff "$D/wide.expected" "$T/w" | head -5)"
fi

# A report that cannot be written: exit 2 before anything runs.
expect_exit "matrix: --junit into a missing folder exits 2" 2 \
	"$CCSIM" matrix "$D/escape-fail.scn" --junit "$T/nowhere/r.xml"
expect_err "matrix: --junit names the file it cannot write" "ccsim matrix: $T/nowhere/r.xml: cannot write"
if [ ! -s "$T/out" ]; then ok "matrix: nothing runs when --junit cannot be written"; else
	fail "matrix: nothing runs when --junit cannot be written" "$(head -3 "$T/out")"
fi
expect_exit "matrix: --junit without a file exits 2" 2 "$CCSIM" matrix "$D" --junit
expect_err "matrix: --junit without a file message" "ccsim matrix: --junit needs a value"

# --reference: a matrix held against a committed one. `outcomes` lets a
# timing change through (cycles, digest), `exact` does not; a changed
# outcome fails both; rows on one side only are named.
mkdir -p "$T/cmp"
cp scenarios/attacks/device-dma.scn scenarios/attacks/host-read-delegated.scn "$T/cmp/"
"$CCSIM" matrix "$T/cmp" --json "$T/ref.json" >/dev/null 2>&1
C=$T/cmp
expect_exit "compare: the same runs, exact, exit 0" 0 "$CCSIM" matrix "$C" --reference "$T/ref.json"
nruns=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "$T/ref.json")
if grep -qx "compare with $T/ref.json (exact): no differences in $nruns runs" "$T/out"; then
	ok "compare: the same runs: no differences"
else
	fail "compare: the same runs: no differences" "$(tail -n 3 "$T/out")"
fi
# a firmware team's timing change: cycles and digest of one row
sed "/device-dma.scn\", \"profile\": \"cca\"/{s/\"cycles\": [0-9]*/\"cycles\": 1/;s/\"digest\": \"[0-9a-f]*\"/\"digest\": \"$(printf '0%.0s' $(seq 64))\"/}" \
	"$T/ref.json" >"$T/timing.json"
expect_exit "compare outcomes: a timing change passes" 0 \
	"$CCSIM" matrix "$C" --reference "$T/timing.json" --compare outcomes
expect_exit "compare exact: a timing change fails" 1 \
	"$CCSIM" matrix "$C" --reference "$T/timing.json" --compare exact
if grep -qx "compare with $T/timing.json (exact): 2 differences" "$T/out" &&
	grep -Eqx "  $C/device-dma.scn on cca: cycles: reference 1, now [0-9]+" "$T/out" &&
	grep -Eqx "  $C/device-dma.scn on cca: digest: reference \"0{64}\", now \"[0-9a-f]{64}\"" "$T/out"; then
	ok "compare exact: names the scenario, profile, field and both values"
else
	fail "compare exact: names the scenario, profile, field and both values" "$(sed -n '/^compare/,$p' "$T/out")"
fi
sed '/host-read-delegated.scn", "profile": "sev"/s/"outcome": "no-leak"/"outcome": "leaked"/' \
	"$T/ref.json" >"$T/verdict.json"
for m in outcomes exact; do
	expect_exit "compare $m: a changed outcome fails" 1 "$CCSIM" matrix "$C" --reference "$T/verdict.json" --compare $m
	if grep -qx "  $C/host-read-delegated.scn on sev: outcome: reference \"leaked\", now \"no-leak\"" "$T/out"; then
		ok "compare $m: the changed outcome is named"
	else
		fail "compare $m: the changed outcome is named" "$(sed -n '/^compare/,$p' "$T/out")"
	fi
done
# a row the run no longer has, one the reference lacks, one outside PATH
grep -v 'device-dma.scn", "profile": "plain"' "$T/ref.json" |
	sed "s|^  \"runs\": \[|&\n    {\"scenario\": \"$C/gone.scn\", \"profile\": \"cca\", \"error\": \"x\"},\n    {\"scenario\": \"$T/elsewhere/x.scn\", \"profile\": \"cca\", \"error\": \"x\"},|" \
	>"$T/rows.json"
expect_exit "compare: rows on one side only fail" 1 "$CCSIM" matrix "$C" --reference "$T/rows.json" --compare outcomes
if grep -qx "compare with $T/rows.json (outcomes): 2 differences" "$T/out" &&
	grep -qx "  $C/device-dma.scn on plain: not in the reference" "$T/out" &&
	grep -qx "  $C/gone.scn on cca: in the reference, not in this run" "$T/out"; then
	ok "compare: rows on one side only are named, rows outside PATH are not"
else
	fail "compare: rows on one side only are named, rows outside PATH are not" "$(sed -n '/^compare/,$p' "$T/out")"
fi
expect_exit "compare: rows of other profiles are not missing under --profile" 0 \
	"$CCSIM" matrix "$C/host-read-delegated.scn" --profile cca --reference "$T/ref.json"
# another seed: said first, then what it moved
expect_exit "compare: another seed differs" 1 "$CCSIM" matrix "$C" --seed 2 --reference "$T/ref.json"
if sed -n '/^compare/{n;p;}' "$T/out" | grep -qx '  seed: reference 1, now 2'; then
	ok "compare: another seed is named first"
else
	fail "compare: another seed is named first" "$(sed -n '/^compare/,$p' "$T/out" | head -3)"
fi
# an expectation that fails and a difference: exit 1 still; bad input: 2
expect_exit "compare: a reference that does not parse exits 2" 2 \
	"$CCSIM" matrix "$C" --reference tests/data/matrix/wide.expected
expect_err "compare: the reference's error names line and column" "ccsim matrix: tests/data/matrix/wide.expected:1:[0-9]+: "
if [ ! -s "$T/out" ]; then ok "compare: nothing runs when the reference is bad"; else
	fail "compare: nothing runs when the reference is bad" "$(head -3 "$T/out")"
fi
finish
