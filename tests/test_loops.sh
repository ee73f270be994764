#!/bin/sh
# Loops over steps (loop N -> NAME ... until COND): counts, a loop that
# runs out, nested loops, checkpoint / restore at every step inside them,
# and the mistakes a scenario can make with them.
. "$(dirname "$0")/lib.sh"
expect_exit "loops: counts, running out, nesting" 0 "$CCSIM" run tests/data/loops/loop.scn --quiet
out=$(harness/scripts/restore-everywhere.sh "$CCSIM" tests/data/loops/loop.scn 2>&1)
if echo "$out" | grep -q "restore-everywhere: [1-9][0-9]* restore points, 0 mismatches"; then
	ok "loops: a restore after any step, inside a loop or not, ends as the whole run"
else
	fail "loops: a restore after any step, inside a loop or not, ends as the whole run" "$out"
fi
# TDXDown: the host counts single steps until the TD's own exit
expect_exit "loops: single-stepping a TD counts its loop (inferred)" 0 \
	"$CCSIM" run scenarios/attacks/td-single-step.scn --profile tdx --quiet

# bad input: file:line:col and exit status 2
bad() { # NAME PATTERN TEXT: the scenario TEXT is refused with PATTERN on stderr
	printf 'title "t"\nprofiles plain\n%b' "$3" >"$T/bad.scn"
	expect_exit "loops: $1 (exit 2)" 2 "$CCSIM" run "$T/bad.scn"
	expect_err "loops: $1 (message)" "$2"
}
bad "until without loop" 'bad.scn:4:1: until without a loop' \
	'host.load addr=0x100000 len=1 -> v\nuntil v == hex:00\n'
bad "loop without until" 'bad.scn:3:1: loop without until' \
	'loop 3\nhost.load addr=0x100000 len=1 -> v\n'
bad "an empty loop" 'bad.scn:5:1: the loop of line 4 has no steps' \
	'host.load addr=0x100000 len=1 -> v\nloop 3\nuntil v == hex:00\n'
bad "a count of 0" 'bad.scn:3:6: loop count 0 out of range' \
	'loop 0\nhost.load addr=0x100000 len=1 -> v\nuntil v == hex:00\n'
bad "until on the outcome" 'bad.scn:5:7: until compares a capture' \
	'loop 2\nhost.load addr=0x100000 len=1 -> v\nuntil outcome == leaked\n'
bad "until names no capture" 'bad.scn:5:7: no earlier step captures "w"' \
	'loop 2\nhost.load addr=0x100000 len=1 -> v\nuntil w == hex:00\n'
bad "until with profiles" 'bad.scn:5:1: until holds on every profile' \
	'loop 2\nhost.load addr=0x100000 len=1 -> v\nuntil v == hex:00 on plain\n'
bad "six deep" 'bad.scn:8:1: loops nest at most 5 deep' \
	'loop 2\nloop 2\nloop 2\nloop 2\nloop 2\nloop 2\n'
bad "a bad capture" 'bad.scn:3:8: expected: loop N \[-> NAME\]' \
	'loop 2 => x\nhost.load addr=0x100000 len=1 -> v\nuntil v == hex:00\n'
printf 'loop 2\nhost.load addr=0x100000 len=1 -> v\n' >"$T/open.inc"
printf 'title "t"\nprofiles plain\ninclude "open.inc"\nuntil v == hex:00\n' >"$T/inc.scn"
expect_exit "loops: a loop ends in its own file (exit 2)" 2 "$CCSIM" run "$T/inc.scn"
expect_err "loops: a loop ends in its own file (message)" 'inc.scn:4:1: until closes the loop of .*open.inc:1'
finish
