#!/bin/sh
# `ccsim trace`: a run's trace decoded by name (the same text as its
# trace.txt), filtered by kind, source, cycles and guest, as JSON Lines a tool
# can load, and exported to Perfetto and read back by a protobuf reader of
# the test's own; bad options and cut traces exit 2 naming what is wrong.
. tests/lib.sh

run() { # PROFILE SCENARIO DIR
	if ! "$CCSIM" run "$2" --profile "$1" --out "$3" --quiet >"$T/run.out" 2>&1; then
		fail "run $2 on $1" "$(tail -3 "$T/run.out")"
	fi
}
run cca scenarios/attacks/host-read-delegated.scn "$T/cca"
run sev-snp scenarios/attacks/gpa-alias.scn "$T/snp"
run tdx scenarios/guests/td-tdcall.scn "$T/tdx"

# the text view is the run's trace.txt, numbers named
for d in cca snp tdx; do
	"$CCSIM" trace "$T/$d/trace.bin" >"$T/$d.txt" 2>"$T/err"
	if cmp -s "$T/$d.txt" "$T/$d/trace.txt"; then ok "$d: ccsim trace prints trace.txt"; else
		fail "$d: ccsim trace prints trace.txt" "$(diff "$T/$d.txt" "$T/$d/trace.txt" | head -5)"
	fi
done
if grep -q ' mon.call .*fid=rmi.granule_delegate ' "$T/cca.txt" &&
   grep -q ' mon.ret .*fid=rmi.granule_delegate x0=rmi.success ' "$T/cca.txt" &&
   grep -q ' step.done .*line=[0-9]* cycles=[0-9]* status=' "$T/cca.txt" &&
   grep -q ' gpc.fault .*pas=ns kind=gpc.gpf ' "$T/cca.txt"; then ok "cca: RMI calls, statuses, GPC faults by name"
else fail "cca: RMI calls, statuses, GPC faults by name" "$(grep -m3 'mon\.\|gpc' "$T/cca.txt")"; fi
if grep -q ' rmp.fault .*access=guest,.*check=gpa fault=rmp.npf entry.assigned=1 entry.asid=1 ' "$T/snp.txt"
then ok "sev-snp: the RMP fault names the access, the check and the entry"
else fail "sev-snp: the RMP fault names the access, the check and the entry" "$(grep rmp "$T/snp.txt")"; fi
if grep -q ' tdx  *mon.call .*fid=tdh.mng.create ' "$T/tdx.txt" && grep -q ' rec.exit .*reason=tdcall ' "$T/tdx.txt" &&
   grep -q ' tdx  *guest.call .*fid=tdg.vp.vmcall ' "$T/tdx.txt" && grep -q ' guest.ret .*fid=tdg.mr.report x0=tdx.success' "$T/tdx.txt" &&
   grep -q ' vm.exit .*info=tdcall ' "$T/tdx.txt"; then ok "tdx: SEAMCALL and TDCALL leaves and TD exits by name"
else fail "tdx: SEAMCALL and TDCALL leaves and TD exits by name" "$(grep -m3 'tdx \|exit' "$T/tdx.txt")"; fi

# filters
"$CCSIM" trace "$T/cca/trace.bin" --kind mon.call,mon.ret >"$T/f1" 2>"$T/err"
n=$(wc -l <"$T/f1")
if [ "$n" -gt 0 ] && [ "$(awk '$3 != "mon.call" && $3 != "mon.ret"' "$T/f1" | wc -l)" -eq 0 ] &&
   [ "$n" -eq "$(awk '$3 == "mon.call" || $3 == "mon.ret"' "$T/cca.txt" | wc -l)" ]
then ok "--kind keeps those kinds, all of them"; else fail "--kind keeps those kinds, all of them" "$n lines"; fi
"$CCSIM" trace "$T/cca/trace.bin" --kind 'mon.*' >"$T/f2"
if cmp -s "$T/f1" "$T/f2"; then ok "--kind takes a glob"; else fail "--kind takes a glob"; fi
"$CCSIM" trace "$T/cca/trace.bin" --actor scenario --kind step.done >"$T/f3"
if [ -s "$T/f3" ] && [ "$(awk '$2 != "scenario" || $3 != "step.done"' "$T/f3" | wc -l)" -eq 0 ]
then ok "--actor and --kind both hold"; else fail "--actor and --kind both hold" "$(head -3 "$T/f3")"; fi
from=$(awk '$3 == "mon.call" { print $1; exit }' "$T/cca.txt")
to=$(awk '$3 == "mon.ret" { print $1; exit }' "$T/cca.txt")
"$CCSIM" trace "$T/cca/trace.bin" --cycles "$from..$to" >"$T/f4"
if [ -s "$T/f4" ] && awk -v f="$from" -v t="$to" '$1 < f || $1 > t { bad = 1 } END { exit bad }' "$T/f4" &&
   [ "$(wc -l <"$T/f4")" -eq "$(awk -v f="$from" -v t="$to" '$1 >= f && $1 <= t' "$T/cca.txt" | wc -l)" ]
then ok "--cycles FROM..TO keeps that span, both ends in"; else fail "--cycles FROM..TO keeps that span, both ends in"; fi
"$CCSIM" trace "$T/cca/trace.bin" --cycles "$to.." >"$T/f5"
if [ "$(head -1 "$T/f5" | awk '{ print $1 }')" = "$to" ]; then ok "--cycles FROM.. runs to the end"; else
	fail "--cycles FROM.. runs to the end" "$(head -1 "$T/f5")"; fi
"$CCSIM" trace "$T/snp/trace.bin" --guest victim >"$T/g1"
if grep -q ' victim  *rmp.fault ' "$T/g1" && grep -q '"victim\.' "$T/g1" && grep -q '"host\.rmpupdate .*vm=victim"' "$T/g1" &&
   ! grep -q ' phys  *source' "$T/g1"
then ok "--guest keeps the guest's records and its steps"
else fail "--guest keeps the guest's records and its steps" "$(head -5 "$T/g1")"; fi
id=$(awk '$3 == "source" && $2 == "victim" { sub("id=", "", $4); print $4 }' "$T/snp.txt")
"$CCSIM" trace "$T/snp/trace.bin" --guest "$id" >"$T/g2"
if cmp -s "$T/g1" "$T/g2"; then ok "--guest ID is the source id of its vCPU"; else fail "--guest ID is the source id of its vCPU" "id $id"; fi
"$CCSIM" trace "$T/tdx/trace.bin" --guest g0 --kind vm.exit >"$T/g3"
if [ -s "$T/g3" ]; then ok "--guest NAME takes the host's exits while it runs the guest"; else
	fail "--guest NAME takes the host's exits while it runs the guest"; fi

# JSON Lines: one valid object per record, raw and decoded
"$CCSIM" trace "$T/cca/trace.bin" --json >"$T/j"
if python3 - "$T/j" "$T/cca.txt" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
text = open(sys.argv[2]).read().splitlines()
assert len(lines) == len(text), (len(lines), len(text))
recs = [json.loads(l) for l in lines]
for r, t in zip(recs, text):
    assert set(r) >= {"cycle", "ns", "source", "source_id", "kind", "kind_id", "args", "decoded"}, r
    c, s, k = t.split()[:3]
    assert (r["cycle"], r["source"], r["kind"]) == (int(c), s, k), (r, t)
call = next(r for r in recs if r["kind"] == "mon.call")
assert call["decoded"]["fid"] == "rmi.granule_delegate" and call["args"]["fid"] == 0xC4000151, call
assert any(r["kind"] == "step" and "text" in r for r in recs)
PY
then ok "--json: a JSON object per record, raw and decoded"; else fail "--json: a JSON object per record, raw and decoded"; fi

# Perfetto: packets, descriptors, balanced slices, monotonic time per track
for d in cca snp tdx; do
	expect_exit "$d: export --perfetto" 0 "$CCSIM" trace export --perfetto "$T/$d.pftrace" "$T/$d/trace.bin"
	if python3 tests/pftrace_check.py "$T/$d.pftrace" >"$T/pf.out" 2>&1; then
		ok "$d: the Perfetto trace reads back: $(cat "$T/pf.out" | cut -c1-70)"
	else fail "$d: the Perfetto trace reads back" "$(cat "$T/pf.out")"; fi
done
if grep -q 'tdx tdvpr 0x' "$T/pf.out"; then ok "tdx: a track for the TD vCPU the module ran"; else
	fail "tdx: a track for the TD vCPU the module ran" "$(cat "$T/pf.out")"; fi
"$CCSIM" trace export --perfetto "$T/cca2.pftrace" "$T/cca/trace.bin"
if cmp -s "$T/cca.pftrace" "$T/cca2.pftrace"; then ok "export is deterministic"; else fail "export is deterministic"; fi

# bad usage and bad traces: exit 2, saying what
bin="$T/cca/trace.bin"
expect_exit "unknown option" 2 "$CCSIM" trace "$bin" --frob
expect_err "unknown option names it" "unknown option --frob"
expect_exit "reversed range" 2 "$CCSIM" trace "$bin" --cycles 9..3
expect_err "reversed range says so" "--cycles 9..3: FROM is past TO"
expect_exit "range without dots" 2 "$CCSIM" trace "$bin" --cycles 100
expect_exit "range not numbers" 2 "$CCSIM" trace "$bin" --cycles a..b
expect_exit "empty range" 2 "$CCSIM" trace "$bin" --cycles ..
expect_exit "unknown kind" 2 "$CCSIM" trace "$bin" --kind mon.cal
expect_err "unknown kind lists the kinds" "no such kind of record \(kinds: source, note"
expect_exit "unknown actor" 2 "$CCSIM" trace "$bin" --actor nobody
expect_err "unknown actor lists the sources" "has no such source \(sources: machine,"
expect_exit "unknown guest" 2 "$CCSIM" trace "$bin" --guest nobody
expect_exit "option without its value" 2 "$CCSIM" trace "$bin" --kind
expect_exit "two files" 2 "$CCSIM" trace "$bin" "$bin"
expect_exit "export without --perfetto" 2 "$CCSIM" trace export "$bin"
expect_exit "bad --freq-hz" 2 "$CCSIM" trace export --perfetto "$T/x.pftrace" --freq-hz 0 "$bin"
head -c 100 "$bin" >"$T/cut.bin"
expect_exit "cut trace" 2 "$CCSIM" trace "$T/cut.bin"
expect_err "cut trace names the offset" "cut.bin: offset [0-9]+: truncated"
if [ ! -s "$T/out" ]; then ok "cut trace prints no half listing"; else fail "cut trace prints no half listing"; fi
cp "$T/cca.pftrace" "$T/keep.pftrace"
expect_exit "export of a cut trace" 2 "$CCSIM" trace export --perfetto "$T/cca.pftrace" "$T/cut.bin"
if cmp -s "$T/cca.pftrace" "$T/keep.pftrace" && [ ! -e "$T/cca.pftrace.part" ]; then
	ok "a failed export leaves OUT as it was"; else fail "a failed export leaves OUT as it was"; fi
expect_exit "--help" 0 "$CCSIM" trace --help
if grep -q -- '--perfetto' "$T/out" && grep -q -- '--guest' "$T/out"; then ok "--help names the options"; else
	fail "--help names the options"; fi
finish
