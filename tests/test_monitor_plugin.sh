#!/bin/sh
# Monitor plug-ins (docs/monitor-api.md): the example plug-in, ccsim's RMM
# built as a shared library, runs the realm life cycle with the built-in
# RMM's digest and checkpoints; beside the built-in (--diff-monitor) it
# never diverges, while the copy with one failure condition checked out of
# turn is caught at the step that shows it; the SEV-SNP firmware and the
# TDX module built as libraries run their scenarios with the built-ins'
# digests; a library built for another monitor ABI, or none at all, is
# refused with exit status 2.
. "$(dirname "$0")/lib.sh"
PLUG=$(dirname "$CCSIM")/plugins
COPY=$PLUG/rmm-copy.so
REORDER=$PLUG/rmm-reorder.so
LIFE=scenarios/guests/realm-lifecycle.scn
DATA=scenarios/monitor/cca/rmi_data_create.scn

digest() { sed -n 's/.*digest: //p' "$1"; }

# same_run NAME SCENARIO OPTIONS...: passes, with the built-in RMM's digest
# (on profile $PROFILE, cca unless set)
same_run() {
	name=$1 scn=$2
	shift 2
	"$CCSIM" run "$scn" --profile "${PROFILE:-cca}" >"$T/builtin" 2>&1
	if "$CCSIM" run "$scn" --profile "${PROFILE:-cca}" "$@" >"$T/plugged" 2>"$T/err" &&
		grep -q "result: PASS" "$T/plugged" && [ -n "$(digest "$T/builtin")" ] &&
		[ "$(digest "$T/plugged")" = "$(digest "$T/builtin")" ]; then ok "$name"; else
		fail "$name" "digest $(digest "$T/plugged"), built-in $(digest "$T/builtin")" \
			"$(head -c 400 "$T/err")"
	fi
}

same_run "the plug-in runs the realm life cycle with the built-in's digest" $LIFE \
	--monitor rmm="$COPY"
same_run "... and the RMI life cycle" scenarios/monitor/cca/rmi_realm_lifecycle.scn \
	--monitor rmm="$COPY"
same_run "the faithful copy beside the built-in: no divergence, the same digest" $LIFE \
	--diff-monitor rmm="$COPY"
same_run "... on the RSI calls too" scenarios/monitor/cca/rsi_attestation_token_continue.scn \
	--diff-monitor rmm="$COPY"
same_run "the copy in the RMM's place, another copy beside it" $DATA \
	--monitor rmm="$COPY" --diff-monitor rmm="$COPY"
# FEAT_MEC (monitor ABI 2): MECIDs on its accesses, EL3's key refreshes
PROFILE=cca-mec same_run "the copy manages MECIDs as the built-in does" \
	scenarios/monitor/cca/rmi_mec_set_shared.scn --monitor rmm="$COPY"
PROFILE=cca-mec same_run "... and beside it" scenarios/monitor/cca/rmi_mec_set_private.scn \
	--diff-monitor rmm="$COPY"

# the SEV-SNP firmware as a plug-in (monitor ABI 3: its RMP reads and
# writes, command buffers): the guest life cycle, the firmware conformance
# scenarios, page swap, a forged report caught, with the built-in's digests
SNP=$PLUG/snp-copy.so
for scn in scenarios/guests/sev-lifecycle.scn scenarios/monitor/snp/fw_activate.scn \
	scenarios/attacks/swap-replay.scn scenarios/attacks/badram-guest-report.scn; do
	PROFILE=sev-snp same_run "the SNP firmware plug-in: $(basename $scn .scn)" $scn \
		--monitor snp="$SNP"
done
SEVL=tests/data/checkpoints/sev-lifecycle.scn
"$CCSIM" run $SEVL --profile sev-snp --checkpoint-after 2 --checkpoint "$T/s.ckpt" --quiet
PROFILE=sev-snp same_run "... the built-in firmware's checkpoint restores into it" $SEVL \
	--monitor snp="$SNP" --restore "$T/s.ckpt"
expect_exit "an SNP firmware plug-in on a profile without it: refused" 2 \
	"$CCSIM" run $LIFE --monitor snp="$SNP"
expect_err "... saying where it runs" "snp.plugin: the SNP firmware runs on sev-snp profiles only"
expect_exit "an RMM plug-in in the SNP firmware's slot: refused" 2 \
	"$CCSIM" run scenarios/guests/sev-lifecycle.scn --profile sev-snp --monitor snp="$COPY"
expect_exit "the differential mode beside the SNP firmware: usage error" 2 \
	"$CCSIM" run scenarios/guests/sev-lifecycle.scn --profile sev-snp --diff-monitor snp="$SNP"

# the TDX module as a plug-in (monitor ABI 3: memory by KeyID and LP, TD
# vCPUs through guest_run's x86 regime, TDH.VP.ENTER's GPRs beside the
# registers, ccsim's own calls): the TD life cycle, its TDCALLs, the
# single-step attack against its defence, a vm actor's TD accesses
TDX=$PLUG/tdx-copy.so
for scn in scenarios/guests/td-lifecycle.scn scenarios/guests/td-tdcall.scn \
	scenarios/attacks/td-single-step.scn scenarios/attacks/tdx-remove-untracked.scn \
	scenarios/attacks/bus-snoop.scn scenarios/attacks/irq-injection.scn; do
	PROFILE=tdx same_run "the TDX module plug-in: $(basename $scn .scn)" $scn --monitor tdx="$TDX"
done
"$CCSIM" run scenarios/guests/td-lifecycle.scn --profile tdx --checkpoint-after 20 \
	--checkpoint "$T/t.ckpt" --quiet
PROFILE=tdx same_run "... the built-in module's checkpoint restores into it" \
	scenarios/guests/td-lifecycle.scn --monitor tdx="$TDX" --restore "$T/t.ckpt"
expect_exit "an RMM plug-in in the TDX module's slot: refused" 2 \
	"$CCSIM" run scenarios/guests/td-lifecycle.scn --profile tdx --monitor tdx="$COPY"

# the reordered copy: DATA_CREATE into an ACTIVE realm from a granule that
# is not DELEGATED is RMI_ERROR_INPUT (B3.3.1.2), the copy says ERROR_REALM
line=$(grep -n -- "-> active_data_state$" $DATA | cut -d: -f1)
expect_exit "the reordered copy diverges: exit status 4" 4 \
	"$CCSIM" run $DATA --diff-monitor rmm="$REORDER"
expect_err "... named with its step" "^$DATA:$line: the monitors diverged in the step .*-> active_data_state"
expect_err "... its call and what differed" \
	"at RMI_DATA_CREATE \(0xc4000153\): X0: 0x1 from the built-in monitor, 0x2 from rmm-reorder.so"
expect_exit "in the RMM's place the reordered copy fails the expectation" 1 \
	"$CCSIM" run $DATA --monitor rmm="$REORDER"
if grep -q "active_data_state.status == rmi.error_input" "$T/out"; then
	ok "... the one it breaks"; else fail "... the one it breaks" "$(grep FAIL "$T/out")"; fi

# checkpoints carry the plug-in's state; built-in and plug-in ones restore alike
S=tests/data/checkpoints/realm-lifecycle.scn
"$CCSIM" run $S --monitor rmm="$COPY" --checkpoint-after 3 --checkpoint "$T/p.ckpt" --quiet
same_run "a plug-in's checkpoint restores with the plug-in" $S --monitor rmm="$COPY" \
	--restore "$T/p.ckpt"
same_run "... and with the built-in RMM" $S --restore "$T/p.ckpt"
"$CCSIM" run $S --checkpoint-after 2 --checkpoint "$T/b.ckpt" --quiet
same_run "the built-in's checkpoint restores into the differential mode" $S \
	--diff-monitor rmm="$COPY" --restore "$T/b.ckpt"

# what is not a plug-in for this ccsim
expect_exit "another monitor ABI version: refused, exit status 2" 2 \
	"$CCSIM" run $LIFE --monitor rmm="$PLUG/test-bad_abi.so"
expect_err "... saying which versions" "test-bad_abi.so: monitor ABI version 4, this ccsim speaks version 3"
expect_exit "a library with no entry point: refused" 2 \
	"$CCSIM" run $LIFE --diff-monitor rmm="$PLUG/test-no_entry.so"
expect_err "... naming the symbol" "exports no ccsim_monitor_entry"
expect_exit "no such file: refused" 2 "$CCSIM" run $LIFE --monitor rmm="$T/none.so"
expect_err "... naming it" "none.so: cannot load the monitor plug-in"
expect_exit "a monitor with no plug-in slot: usage error" 2 "$CCSIM" run $LIFE --monitor uv="$COPY"
expect_exit "a profile with no RMM: refused" 2 "$CCSIM" run $LIFE --profile plain --monitor rmm="$COPY"
expect_err "... saying why" "rmm.plugin / rmm.diff_plugin: the profile has no RMM"

if "$CCSIM" run --help | grep -q -- "--diff-monitor rmm=PATH"; then ok "run --help names the options"
else fail "run --help names the options"; fi
finish
