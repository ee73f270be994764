#!/bin/sh
# Save -> restore -> continue ends with the same trace digest, stats and
# verdicts as an uninterrupted run, at every step boundary of a scenario.
. tests/lib.sh
# check_every_step SCENARIO PROFILE...
check_every_step() {
scn=$1
shift
steps=$(grep -cE '^(host|phys|victim|verifier)\.' $scn)
for p in "$@"; do
	"$CCSIM" run $scn --profile $p --out "$T/full-$p" --quiet
	want=$(json_field "$T/full-$p/summary.json" digest)
	# one run saves after every step; --checkpoint-after N writes the same bytes
	rm -rf "$T/cks" && mkdir "$T/cks"
	"$CCSIM" run $scn --profile $p --checkpoint-every "$T/cks" --out "$T/save" --quiet
	saving=$(json_field "$T/save/summary.json" digest)
	mid=$((steps / 2 + 1))
	"$CCSIM" run $scn --profile $p --checkpoint-after $mid --checkpoint "$T/ck" --quiet
	if cmp -s "$T/ck" "$T/cks/step-$mid.ckpt"; then
		ok "$(basename $scn) $p: --checkpoint-after $mid writes what --checkpoint-every does"
	else
		fail "$(basename $scn) $p: --checkpoint-after $mid differs from step-$mid.ckpt"
	fi
	n=1
	while [ $n -lt "$steps" ]; do
		"$CCSIM" run $scn --profile $p --restore "$T/cks/step-$n.ckpt" --out "$T/rest" --quiet
		got=$(json_field "$T/rest/summary.json" digest)
		if [ "$saving" = "$want" ] && [ "$got" = "$want" ] &&
		   cmp -s "$T/full-$p/stats.json" "$T/rest/stats.json" &&
		   [ "$(grep -v restored_from "$T/full-$p/summary.json")" = \
		     "$(grep -v restored_from "$T/rest/summary.json")" ]; then
			ok "$(basename $scn) $p: restore after step $n matches the uninterrupted run"
		else
			fail "$(basename $scn) $p: restore after step $n" \
				"want $want, saving run $saving, restored $got" \
				"$(diff "$T/full-$p/stats.json" "$T/rest/stats.json" | head -6)"
		fi
		n=$((n + 1))
	done
done
}
check_every_step scenarios/attacks/undelegate-scrub.scn plain cca
# A realm through the host stack: the RMM's REC state, the host stack's
# bookkeeping and the guest's memory all come back.
check_every_step scenarios/guests/realm-lifecycle.scn plain cca
# A run stopped at an unhandled REC exit, and guest call results that set
# captures after the checkpoint: both survive a restore.
check_every_step scenarios/monitor/cca/rmi_rtt_set_ripas_request.scn cca
# The SNP firmware's guest table and ASID gate, and the RMP in memory.
check_every_step scenarios/monitor/snp/fw_df_flush.scn sev-snp
# A bus interposer's log in flight across the checkpoint (it was not
# saved: on plain the outcome flipped from leaked to no-leak), and host
# stack state the page-fault channel and CrossLine rely on.
check_every_step scenarios/attacks/bus-snoop.scn plain cca
check_every_step scenarios/attacks/pf-channel.scn sev
check_every_step scenarios/attacks/crossline.scn sev sev-snp
scn=scenarios/attacks/undelegate-scrub.scn

# A checkpoint refuses another scenario or profile.
"$CCSIM" run $scn --profile cca --checkpoint-after 2 --checkpoint "$T/ck" --quiet
expect_exit "restore on another profile exits 2" 2 "$CCSIM" run $scn --profile plain --restore "$T/ck"
expect_err "restore on another profile message" "taken on profile cca, not plain"
expect_exit "restore with other params exits 2" 2 "$CCSIM" run $scn --profile cca --set page=0x80050000 --restore "$T/ck"
expect_err "restore with other params message" "different scenario or params"
head -c 100 "$T/ck" >"$T/short"
expect_exit "truncated checkpoint exits 2" 2 "$CCSIM" run $scn --profile cca --restore "$T/short"
expect_err "truncated checkpoint message" "short: offset [0-9]*: checksum mismatch"
# The checksum refuses a flipped bit, a stray byte at the end, a changed
# version string; another --seed would mix two seeds.
python3 - "$T/ck" "$T" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
t = sys.argv[2]
f = bytearray(d); f[len(f) // 2] ^= 1; open(t + "/flip", "wb").write(f)
open(t + "/longer", "wb").write(d + b"\0")
open(t + "/version", "wb").write(d.replace(b"0.1.0", b"0.1.1", 1))
PY
for k in flip longer version; do
	expect_exit "checkpoint ($k) exits 2" 2 "$CCSIM" run $scn --profile cca --restore "$T/$k"
	expect_err "checkpoint ($k) message" "$k: offset [0-9]*: checksum mismatch"
done
expect_exit "restore with another seed exits 2" 2 "$CCSIM" run $scn --profile cca --seed 2 --restore "$T/ck"
expect_err "restore with another seed message" "taken with --seed 1, this run has --seed 2"
# A checkpoint asked for past the last step is an error, not silence.
expect_exit "checkpoint past the last step exits 2" 2 "$CCSIM" run $scn --profile cca --checkpoint-after 999 --checkpoint "$T/late"
expect_err "checkpoint past the last step message" "--checkpoint-after 999: the run took only [0-9]* steps"
if [ -e "$T/late" ]; then fail "no checkpoint written past the end"; else ok "no checkpoint written past the end"; fi

finish
