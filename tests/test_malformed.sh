#!/bin/sh
# Malformed input, class by class, from a table: every case must exit with
# status 2 (and nothing else: no crash, no hang) and name where the problem
# is: file:line (scenarios, profiles, lackey traces), a byte offset (binary
# traces, checkpoints, tokens, reports) or the option (--set, flags).
. tests/lib.sh

# case CLASS NAME PATTERN CMD...: CMD exits 2 within 30 s, stderr matches.
case_() {
	class=$1 name=$2 pat=$3
	shift 3
	timeout 30 "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq 2 ] && grep -Eq -- "$pat" "$T/err"; then ok "$class: $name"; else
		fail "$class: $name" "exit $got (want 2), stderr: $(head -c 300 "$T/err")" "want /$pat/"
	fi
}

# --- scenarios: file:line:col ---
scn() { # NAME PATTERN TEXT
	printf '%s\n' "$3" >"$T/$1.scn"
	case_ scenario "$1" "$2" "$CCSIM" run "$T/$1.scn"
}
h='profiles plain
vm v'
scn no_profiles "no_profiles.scn:1:1: no profiles line" 'vm v'
scn bad_number "bad_number.scn:3:16: bad number" "$h
host.load addr=0x12zz"
scn unknown_step "unknown_step.scn:3:6: unknown step" "$h
host.jumps addr=0"
scn unknown_actor "unknown_actor.scn:3:1: unknown actor" "$h
eve.load addr=0"
scn missing_arg "missing_arg.scn:3:1: host.load needs addr" "$h
host.load len=4"
scn unterminated "unterminated.scn:3:24: unterminated string" "$h
host.store addr=0 data=\"abc"
scn undefined_param "undefined_param.scn:3:16: undefined param" "$h
host.load addr=\${nope}"
scn bad_op "bad_op.scn:3:6: g.op: expected an op" 'profiles plain
guest g
g.op frobnicate'
scn at_no_step "at_no_step.scn:3:1: at 100: expected a step after it" "$h
at 100"
scn repeat_no_step "repeat_no_step.scn:3:6: repeat 2: expected a step after it" "$h
at 5 repeat 2"
scn bad_challenge "bad_challenge.scn:2:19: challenge: expected bytes" 'profiles plain
guest g challenge=5'
scn bad_mkey "bad_mkey.scn:2:14: mkey: at most 64 bytes" 'profiles s390-se
guest g mkey=hex:00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff'
scn bad_vm_se "bad_vm_se.scn:2:9: vm v: se: 0 or 1" 'profiles s390-se
vm v se=2'
scn se_cpuid "se_cpuid.scn:2: guest g: op 1 \\(cpuid\\): no such instruction on s390" 'profiles s390-se
guest g
g.op cpuid leaf=0'
scn swap_in_not_out "swap_in_not_out.scn:5:1: guest g: gpa 0x110000 is not swapped out" 'profiles plain
guest g
host.guest_load g
host.guest_create g
host.guest_swap_in g gpa=0x110000'
scn loop_unclosed "loop_unclosed.scn:[0-9]+:[0-9]+: .*loop" 'profiles plain
guest g
g.op loop n=2
g.op work cycles=1'
scn bad_expect "bad_expect.scn:3:[0-9]+: " "$h
expect"
scn unknown_profile "unknown_profile.scn:1:16: unknown profile" 'profiles plain nosuch'
scn replay_missing "replay_missing.scn:3:19: g.op replay: .*cannot open" 'profiles plain
guest g
g.op replay trace="absent.cctrace"'
scn expr_no_capture "expr_no_capture.scn:3:16: \\\$nope.x1: no earlier step captures" "$h
host.load addr=\$nope.x1"
scn expr_bad_field "expr_bad_field.scn:4:16: \\\$c.x9: a number from a capture names its field" "$h
host.load addr=0 -> c
host.load addr=\$c.x9"
scn expr_bare_capture "expr_bare_capture.scn:4:16: \\\$c: a number from a capture names its field" "$h
host.load addr=0 -> c
host.load addr=\$c"
scn expr_bad_term "expr_bad_term.scn:4:24: expected a number or" "$h
host.load addr=0 -> c
host.load addr=\$c.x1 + zz"
scn expr_no_status "expr_no_status.scn:4:16: \\\$c.status: the step returns no status" "$h
host.load addr=0 -> c
host.load addr=\$c.status"
scn expr_no_register "expr_no_register.scn:4:16: \\\$c.x3: the step returns x1..x2 only" "$h
host.rmi version req=0x10000 -> c
host.load addr=\$c.x3"
scn param_no_value "param_no_value.scn:2:7: param a has no value for profile plain" 'profiles plain cca
param a cca=1'
scn param_pattern_none "param_pattern_none.scn:2:9: param a: \"sev\\*\" matches none" 'profiles plain
param a sev*=1 *=2'
scn param_before_profiles "param_before_profiles.scn:1:7: param a: values per profile come after the profiles line" 'param a plain=1
profiles plain'
scn expect_group_none "expect_group_none.scn:4:8: profile \"tdx\" matches none" "$h
host.load addr=0 -> c
expect[tdx] c.fault == none"
scn expect_group_twice "expect_group_twice.scn:4:31: the profiles are given twice" "$h
host.load addr=0 -> c
expect[plain] c.fault == none on plain"
scn expect_on_glob_none "expect_on_glob_none.scn:4:27: profile \"sev\\*\" matches none" "$h
host.load addr=0 -> c
expect c.fault == none on sev*"
scn in_empty "in_empty.scn:4:20: in: the range 5..1 is empty" "$h
host.load addr=0 -> c
expect c.cycles in 5..1"
scn in_not_range "in_not_range.scn:4:20: in: expected a range LO..HI" "$h
host.load addr=0 -> c
expect c.cycles in 100"
scn in_bytes "in_bytes.scn:4:10: in compares a number" "$h
host.load addr=0 -> c
expect c in 1..2"
scn not_what "not_what.scn:4:14: expected \"not contains\"" "$h
host.load addr=0 -> c
expect c not equals \"x\""
scn contains_field "contains_field.scn:4:17: contains compares a capture's bytes" "$h
host.load addr=0 -> c
expect c.status contains \"x\""
scn mmio_nth_alone "mmio_nth_alone.scn:4:[0-9]+: mmio_nth= goes with mmio=VALUE" 'profiles plain
guest g
host.guest_load g
host.guest_run g mmio_nth=2'
scn mmio_nth_zero "mmio_nth_zero.scn:4:[0-9]+: mmio_nth: the first read is 1" 'profiles plain
guest g
host.guest_load g
host.guest_run g mmio=1 mmio_nth=0'
scn guess_no_secret "guess_no_secret.scn:3:12: host.guess: no secret named \"nope\"" "$h
host.guess nope value=1"
scn guess_two "guess_two.scn:4:1: host.guess takes one guess" "$h
secret s=\"x\"
host.guess s value=1 bytes=\"x\""
scn kind_bad "kind_bad.scn:2:6: expected: kind attack, kind conformance or kind workload" 'profiles plain
kind exploit'
printf 'profiles plain\nvm v\vhost.load addr=0\n' >"$T/vt.scn"
case_ scenario vertical_tab "vt.scn:2:5: unexpected control character" "$CCSIM" run "$T/vt.scn"
printf 'title "caf\351"\nprofiles plain\n' >"$T/latin1.scn"
case_ scenario latin1 "latin1.scn:1:11: not UTF-8" "$CCSIM" run "$T/latin1.scn"

# --- profiles: file:line ---
cp models/platform/profiles/plain.ini "$T/plain.ini"
ini() { # NAME PATTERN TEXT
	printf '%s\n' "$3" >"$T/$1.ini"
	case_ profile "$1" "$2" "$CCSIM" profile "$T/$1.ini"
}
ini no_group "no_group.ini:1: expected .group." 'key = value'
ini bad_inherits "bad_inherits.ini:2: platform.inherits: no profile" '[platform]
inherits = nosuch'
ini unknown_key "unknown_key.ini:[0-9]+: .*unknown" '[platform]
inherits = plain
[cache]
frobs = 3'
ini bad_value "bad_value.ini:[0-9]+: " '[platform]
inherits = plain
[cache]
l1_size = lots'
ini out_of_range "out_of_range.ini:[0-9]+: " '[platform]
inherits = plain
[cpu]
freq_mhz = 0'
ini bad_bool "bad_bool.ini:[0-9]+: " '[platform]
inherits = plain
[rmp]
tlb_coherent = perhaps'
ini unknown_group "unknown_group.ini:[0-9]+: " '[platform]
inherits = plain
[nosuch]
a = 1'
ini bad_pgs "inconsistent profile: gpc.pgs" '[platform]
inherits = plain
[gpc]
pgs = 8K'
ini bad_arity "inconsistent profile: memenc.tree_arity" '[platform]
inherits = plain
[memenc]
tree_arity = 16'
ini self_inherit "self_inherit.ini:1: inherits nests deeper" '[platform]
inherits = self_inherit'
printf '[platform]\ninherits = plain\ndescription = caf\351\n' >"$T/latin1.ini"
case_ profile latin1 "latin1.ini:3: not UTF-8" "$CCSIM" profile "$T/latin1.ini"
printf '[platform]\ninherits = plain\ndescription = a\0b\n' >"$T/nul.ini"
case_ profile nul "nul.ini:3: a NUL byte" "$CCSIM" profile "$T/nul.ini"

# --- --set: the option and what is wrong with it ---
set_() { case_ --set "$1" "$2" "$CCSIM" profile plain --set "$3"; }
set_ no_equals "--set cache.l1_size: expected group.key=value" cache.l1_size
set_ unknown_group "nosuch" nosuch.key=1
set_ unknown_key "frobs" cache.frobs=1
set_ bad_number "l1_size" cache.l1_size=lots
set_ bad_bool "tlb_coherent" rmp.tlb_coherent=perhaps
set_ too_big "freq_mhz" cpu.freq_mhz=99999999999999999999
set_ below_range "cache.l1_size: 1000 is out of range" cache.l1_size=1000
set_ inconsistent "inconsistent profile: cache" cache.l1_size=33000
set_ bad_mode "mode" memenc.mode=rot13
set_ bad_arch "arch" platform.arch=vax
case_ --set huge_rmp "rmp.base/end" "$CCSIM" profile sev-snp --set rmp.end=0xffffffffff
case_ --set repeated "given twice|twice" "$CCSIM" profile plain --set cache.l1_size=32K --set cache.l1_size=64K

# --- memory traces: file:line (lackey), byte offset (binary) ---
trace() { # NAME PATTERN BYTES(printf format)
	printf "$3" >"$T/$1.tr"
	case_ trace "$1" "$2" "$CCSIM" memtrace info "$T/$1.tr"
}
trace bad_kind "bad_kind.tr:1: expected a lackey" ' X 1000,8\n'
trace bad_addr "bad_addr.tr:2: expected a lackey" 'I  0400000,4\n L zz,8\n'
trace bad_size "bad_size.tr:1: expected a lackey" ' L 1000,eight\n'
trace zero_size "zero_size.tr:1: expected a lackey" ' L 1000,0\n'
trace huge_size "huge_size.tr:1: expected a lackey" ' L 1000,99999\n'
trace no_comma "no_comma.tr:1: expected a lackey" ' L 1000 8\n'
trace empty "empty.tr: no memory accesses" ''
trace only_insns "only_insns.tr: no memory accesses" 'I  0400000,4\n'
trace short_header "short_header.tr: byte 8: truncated header" 'ccsimmt1\001\000'
trace truncated "truncated.tr: byte 16: truncated" 'ccsimmt1\002\000\000\000\000\000\000\000'
trace bad_size_bits "bad_size_bits.tr: byte 16: access size" 'ccsimmt1\001\000\000\000\000\000\000\000\034\000\001\000\000\000\000\000'
trace trailing "trailing.tr: byte 24: data after" 'ccsimmt1\001\000\000\000\000\000\000\000\000\000\001\000\000\000\000\000x'

# --- binary run traces (trace.bin): byte offset, for the view and the export ---
btrace() { # NAME PATTERN BYTES(printf format)
	printf "$3" >"$T/$1.bin"
	case_ "run trace" "$1" "$2" "$CCSIM" trace "$T/$1.bin"
	case_ "run trace" "$1 (export)" "$2" "$CCSIM" trace export --perfetto "$T/$1.pftrace" "$T/$1.bin"
}
z8='\000\000\000\000\000\000\000\000'
hdr="CCSIMTR2\000\312\232\073\000\000\000\000" # 1 GHz
btrace empty_trace "empty_trace.bin: offset 0: expected a ccsim binary trace" ''
btrace bad_magic "bad_magic.bin: offset 0: expected a ccsim binary trace" 'CCSIMTR9'
btrace no_clock "no_clock.bin: offset 8: truncated header" 'CCSIMTR2\001\002'
btrace cut_record "cut_record.bin: offset 16: truncated record header .3 of 48" "${hdr}abc"
btrace bad_type "bad_type.bin: offset 16: unknown record type 65535" \
	"${hdr}${z8}\377\377\000\000\000\000\000\000${z8}${z8}${z8}${z8}"
btrace huge_payload "huge_payload.bin: offset 16: truncated or oversized payload .4294967295" \
	"${hdr}${z8}\001\000\000\000\377\377\377\377${z8}${z8}${z8}${z8}"
btrace cut_payload "cut_payload.bin: offset 16: truncated or oversized payload .5 bytes" \
	"${hdr}${z8}\001\000\000\000\005\000\000\000${z8}${z8}${z8}${z8}hi"
# version 1 (no clock in the header): the text view reads it, the export needs --freq-hz
printf "CCSIMTR1${z8}\001\000\000\000\002\000\000\000${z8}${z8}${z8}${z8}hi" >"$T/v1.bin"
if "$CCSIM" trace "$T/v1.bin" | grep -q ' note  *"hi"'; then ok "run trace: version 1 reads"; else
	fail "run trace: version 1 reads"; fi
case_ "run trace" "version 1 export without a clock" "v1.bin: the header names no clock frequency .a version 1 trace.*--freq-hz" \
	"$CCSIM" trace export --perfetto "$T/v1.pftrace" "$T/v1.bin"

# --- checkpoints: byte offset ---
scn_ck=scenarios/attacks/undelegate-scrub.scn
"$CCSIM" run $scn_ck --profile cca --checkpoint-after 2 --checkpoint "$T/ck" --quiet
python3 - "$T" <<'PY'
import hashlib, struct, sys
t = sys.argv[1]
d = open(t + "/ck", "rb").read()
cases = {
    "empty": b"",
    "magic": b"NOTCCSIM" + d[8:],
    "format": d[:8] + b"\x07\x00\x00\x00" + d[12:],
    "flip_head": d[:20] + bytes([d[20] ^ 1]) + d[21:],
    "flip_body": d[:len(d) // 2] + bytes([d[len(d) // 2] ^ 0x80]) + d[len(d) // 2 + 1:],
    "flip_sum": d[:-1] + bytes([d[-1] ^ 1]),
    "cut_sum": d[:-16],
    "cut_half": d[:len(d) // 2],
    "longer": d + b"\x00",
    "header_only": d[:12],
}
# well-formed, checksum and all, but inconsistent inside: the pending step
# event names a step the scenario does not have
def sum_fixed(b):
    return b[:-32] + hashlib.sha256(b[:-32]).digest()
p = 12
for _ in range(3):  # version, scenario hash, profile
    p += 4 + struct.unpack_from("<I", d, p)[0]
p += 12 + 8 * 8 + 16  # snapshot magic, format, times, seed, rng; next_seq, event count
p += 16  # the first event's when, seq
for _ in range(2):  # its type, target
    p += 4 + struct.unpack_from("<I", d, p)[0]
cases["step_index"] = sum_fixed(d[:p] + struct.pack("<Q", 100000) + d[p + 8:])
for k, v in cases.items():
    open(t + "/ck_" + k, "wb").write(v)
PY
for k in empty magic format flip_head flip_body flip_sum cut_sum cut_half longer header_only; do
	case_ checkpoint "$k" "ck_$k: (offset [0-9]+|cannot read)" "$CCSIM" run $scn_ck --profile cca --restore "$T/ck_$k"
done
case_ checkpoint step_index "ck_step_index: checkpoint event scenario.step on \"runner\" names step 100000" \
	"$CCSIM" run $scn_ck --profile cca --restore "$T/ck_step_index"

# --- attestation tokens and reports: byte offset ---
"$CCSIM" attest make --out "$T/tok" >/dev/null
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
d = open(t + "/tok", "rb").read()
cases = {
    "empty": b"",
    "not_cbor": b"\xff\xff\xff\xff",
    "wrong_tag": b"\xd9\x01\x8e\xa0",
    "cut": d[:100],
    "cut_end": d[:-1],
    "trailing": d + b"\x00",
    "not_map": b"\xd9\x01\x8f\x01",
    "no_realm": b"\xd9\x01\x8f\xa1\x19\xac\xca\x40",
    "bad_sign1": b"\xd9\x01\x8f\xa2\x19\xac\xca\x41\x00\x19\xac\xd1\x41\x00",
    "text_key": b"\xd9\x01\x8f\xa1\x61x\x00",
}
for k, v in cases.items():
    open(t + "/tok_" + k, "wb").write(v)
PY
for k in empty not_cbor wrong_tag cut cut_end trailing not_map no_realm bad_sign1 text_key; do
	case_ token "$k" "tok_$k: .*(byte|offset) [0-9]+" "$CCSIM" attest verify "$T/tok_$k"
done

# --- command-line flags: the command and the option ---
case_ flags unknown_command "unknown command" "$CCSIM" frob
case_ flags run_no_file "expected a scenario FILE" "$CCSIM" run
case_ flags run_unknown_opt "unknown option --frob" "$CCSIM" run scenarios/attacks/bus-snoop.scn --frob
case_ flags seed_word "--seed: bad number" "$CCSIM" run scenarios/attacks/bus-snoop.scn --seed ten
case_ flags seed_missing "expected a number after --seed" "$CCSIM" run scenarios/attacks/bus-snoop.scn --seed
case_ flags matrix_jobs "-j 0: expected 1..256" "$CCSIM" matrix scenarios/attacks -j 0
case_ flags matrix_missing "nowhere: no such file or folder" "$CCSIM" matrix "$T/nowhere"
case_ flags checkpoint_alone "--checkpoint-after N and --checkpoint FILE go together" "$CCSIM" run scenarios/attacks/bus-snoop.scn --checkpoint-after 2
case_ flags memtrace_sub "unknown subcommand" "$CCSIM" memtrace frob x
case_ flags attest_sub "unknown subcommand" "$CCSIM" attest frob
case_ flags profile_unknown "unknown profile" "$CCSIM" profile nosuch
case_ flags sweep_no_file "sweep" "$CCSIM" sweep

finish
