#!/bin/sh
# Checkpoints written by older ccsim releases still restore, through the
# upgrader in harness/run/runner_state.c, and continue to the digest of an
# uninterrupted run. tests/data/checkpoints holds one per format step, each
# taken by the ccsim of that format (gzip-compressed), with the scenario
# frozen beside it (a checkpoint names its scenario by content).
. "$(dirname "$0")/lib.sh"
D=tests/data/checkpoints

# restores NAME SCENARIO PROFILE CKPT.gz: restore and compare digests
restores() {
	zcat "$4" >"$T/ckpt"
	want=$("$CCSIM" run "$2" --profile "$3" | sed -n 's/.*digest: //p')
	"$CCSIM" run "$2" --profile "$3" --restore "$T/ckpt" >"$T/out.restored" 2>"$T/err"
	got=$(sed -n 's/.*digest: //p' "$T/out.restored")
	if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "$1"; else
		fail "$1" "digest $got, uninterrupted $want" "$(head -c 400 "$T/err")"; fi
}

# format 1 (no checksum, no bus log), taken before phys.snoop_start
restores "format 1 -> current: bus-snoop on cca" $D/bus-snoop.scn cca $D/bus-snoop-cca.v1.ckpt.gz
# the first format 2 builds: format 1's layout with the SHA-256 trailer
zcat $D/bus-snoop-cca.v1.ckpt.gz | python3 -c '
import hashlib, sys
d = bytearray(sys.stdin.buffer.read()); d[8:12] = (2).to_bytes(4, "little")
sys.stdout.buffer.write(bytes(d) + hashlib.sha256(bytes(d)).digest())' | gzip >"$T/v2early.gz"
restores "format 2 without bus log -> current" $D/bus-snoop.scn cca "$T/v2early.gz"
# format 2 with the bus log, taken while a guest's vCPUs are mid-boot
restores "format 2 -> current: smp-boot on cca" $D/smp-boot.scn cca $D/smp-boot-cca.v2.ckpt.gz
# format 3: results and captures whose statuses were codes tagged with their
# space (a realm's RSI calls, the verifier's, SNP, SEV, RMP, TDX), x1 and x2
restores "format 3 -> current: call-results on cca" $D/call-results.scn cca \
	$D/call-results-cca.v3.ckpt.gz
# ... whose expectations, by number and by name, hold on the upgraded results
if grep -q "result: PASS (18/18 expectations met)" "$T/out.restored"; then
	ok "format 3 results keep their statuses and registers"
else
	fail "format 3 results keep their statuses and registers" "$(grep FAIL "$T/out.restored")"
fi

# format 4: the RMM's counters a field table of their own, its granule
# states the rest of its record; taken after the realm is built, before it runs
restores "format 4 -> current: realm-lifecycle on cca" $D/realm-lifecycle.scn cca \
	$D/realm-lifecycle-cca.v4.ckpt.gz
# ... and the SEV firmware's counters, its guests the rest (after host.guest_create)
restores "format 4 -> current: sev-lifecycle on sev" $D/sev-lifecycle.scn sev \
	$D/sev-lifecycle-sev.v4.ckpt.gz

# format 5: the SNP firmware's counters the "snp" model's fields, its
# guests the rest of its record
restores "format 5 -> current: sev-lifecycle on sev-snp" $D/sev-lifecycle.scn sev-snp \
	$D/sev-lifecycle-sev-snp.v5.ckpt.gz
# ... and the TDX module's single-step defence a model of its own, whose
# record the module's slot takes (taken mid-attack, the defence armed)
restores "format 5 -> current: td-single-step on tdx" $D/td-single-step.scn tdx \
	$D/td-single-step-tdx.v5.ckpt.gz

# a format this ccsim does not know is refused with its offset
zcat $D/bus-snoop-cca.v1.ckpt.gz | python3 -c '
import sys
d = bytearray(sys.stdin.buffer.read()); d[8:12] = (9).to_bytes(4, "little"); sys.stdout.buffer.write(d)' >"$T/v9"
expect_exit "format 9 refused" 2 "$CCSIM" run $D/bus-snoop.scn --profile cca --restore "$T/v9"
expect_err "format 9 named" "offset 8: checkpoint format 9, this ccsim reads 1 to 6 \(written by a newer ccsim\)"
# a format 1 file cut short is refused, not misread
zcat $D/bus-snoop-cca.v1.ckpt.gz | head -c 100000 >"$T/cut"
expect_exit "format 1 cut short refused" 2 "$CCSIM" run $D/bus-snoop.scn --profile cca --restore "$T/cut"
finish
