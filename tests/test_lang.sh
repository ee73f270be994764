#!/bin/sh
# The scenario language's newer forms, each run for real: values that flow
# between steps ($capture.field arguments), params per profile, expectations
# for a group of profiles, the operators != / not contains / in LO..HI, a
# hostile MMIO answer, guesses and scenario kinds in the outcome.
. tests/lib.sh

# --- values flow: $c.x1, $c.x1 + N, $c.x1+N ---
expect_exit "values: a capture's x1 as an RMI argument, with + terms" 0 \
	"$CCSIM" run tests/data/values/flow.scn --out "$T/flow"
# the resolved argument reaches the monitor: the step trace keeps the text
# as written, and a checkpoint after the capture restores to the same run
expect_exit "values: checkpoint after the capture" 0 \
	"$CCSIM" run tests/data/values/flow.scn --checkpoint-after 3 --checkpoint "$T/c.ckpt" --quiet
expect_exit "values: restore resolves the argument from the restored capture" 0 \
	"$CCSIM" run tests/data/values/flow.scn --restore "$T/c.ckpt" --out "$T/rest"
if [ "$(json_field "$T/flow/summary.json" digest)" = "$(json_field "$T/rest/summary.json" digest)" ]
then ok "values: restored run ends with the same digest"
else fail "values: restored run ends with the same digest"; fi
# the value comes from the run, not the text: the host stack's memory moved
# (pool=) moves the RD, and the RMI call still names it
expect_exit "values: the realm read back with its RD moved" 0 \
	"$CCSIM" run tests/data/values/flow.scn --set pool=0xa0000000 --out "$T/moved"
"$CCSIM" trace "$T/moved/trace.bin" --kind mon.call >"$T/calls" 2>&1
if grep -q "fid=rmi.rtt_read_entry x1=0xa0001000 " "$T/calls"; then
	ok "values: the call received the RD the run produced"
else fail "values: the call received the RD the run produced" "$(grep read_entry "$T/calls")"; fi

sed 's|rd=$c.x1 \* 4 / 4|rd=$c.x1 / $c.status|' tests/data/values/flow.scn >"$T/div0.scn"
expect_exit "values: a division by zero is an error naming the step" 2 \
	"$CCSIM" run "$T/div0.scn" --quiet
expect_err "values: ... and the expression" 'div0.scn:1[0-9]:[0-9]+: \$c.x1 / \$c.status: division by zero'

# --- params per profile, expectations by profile group ---
for p in plain sev sev-snp cca; do
	expect_exit "per-profile: $p takes its own value" 0 \
		"$CCSIM" run tests/data/values/per-profile.scn --profile "$p" --quiet
done
expect_exit "per-profile: a .ini path is read for its profile's name" 0 \
	"$CCSIM" run tests/data/values/per-profile.scn --profile models/platform/profiles/sev.ini --quiet
expect_exit "per-profile: the matrix reads it once per profile" 0 \
	"$CCSIM" matrix tests/data/values/per-profile.scn
expect_exit "per-profile: --set overrides every profile's value" 1 \
	"$CCSIM" run tests/data/values/per-profile.scn --profile sev --set 'word="plain"' --quiet
# --- operators: each holds where it should and fails where it should ---
expect_exit "operators: != not contains in hold" 0 \
	"$CCSIM" run tests/data/values/operators.scn --quiet
"$CCSIM" run tests/data/values/operators-fail.scn >"$T/opfail" 2>&1
if [ "$(grep -c '^  FAIL' "$T/opfail")" -eq 5 ] && grep -q "FAIL (0/5" "$T/opfail"; then
	ok "operators: each fails when its operands say so"
else fail "operators: each fails when its operands say so" "$(cat "$T/opfail")"; fi
# --- a hostile device answer at the Nth MMIO read ---
for p in plain sev-snp tdx cca; do
	expect_exit "mmio: the host's answer reaches the second read on $p" 0 \
		"$CCSIM" run scenarios/attacks/mmio-hostile-answer.scn --profile "$p" --out "$T/mm-$p" --quiet
done
"$CCSIM" trace "$T/mm-tdx/trace.bin" --kind hv.mmio_forge >"$T/forge" 2>&1
if [ "$(wc -l <"$T/forge")" -eq 1 ] && grep -q "reg=0x18 value=0x4141414141414141 nth=2 device=0xcc510de0" "$T/forge"
then ok "mmio: one hv.mmio_forge record names the read it answered"
else fail "mmio: one hv.mmio_forge record names the read it answered" "$(cat "$T/forge")"; fi
# a register the guest never reads: nothing delivered, the device answers,
# and the guest consumed nothing of the host's: no-leak
sed 's/mmio_reg=0x18/mmio_reg=0x20/; s/second.x1 == 0x4141414141414141/second.x1 == 0xcc510de0/; s/outcome == corrupted/outcome == no-leak/' \
	scenarios/attacks/mmio-hostile-answer.scn >"$T/other-reg.scn"
expect_exit "mmio: another register's answer leaves these reads alone" 0 \
	"$CCSIM" run "$T/other-reg.scn" --profile sev-snp --quiet
# --- outcomes: a guess, a kind ---
"$CCSIM" run tests/data/values/guess.scn >"$T/right" 2>&1
"$CCSIM" run tests/data/values/guess.scn --set guess=0x110000 >"$T/wrong" 2>&1
if grep -q "outcome: inferred" "$T/right" && grep -q "outcome: no-leak" "$T/wrong"; then
	ok "guess: a right guess is inferred, a wrong one is not"
else fail "guess: a right guess is inferred, a wrong one is not" "$(cat "$T/right" "$T/wrong")"; fi
sed 's/^title .*/&\nkind conformance/' tests/data/values/guess.scn >"$T/conf.scn"
"$CCSIM" run "$T/conf.scn" >"$T/conf" 2>&1
if grep -q "outcome: not-attack" "$T/conf"; then ok "kind: a conformance scenario is not an attack"
else fail "kind: a conformance scenario is not an attack" "$(cat "$T/conf")"; fi
finish
