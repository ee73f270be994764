#!/bin/sh
# Bad input of every kind: a clear message naming file:line(:column), exit
# status 2, no crash, and nothing already written lost.
. tests/lib.sh

bad() { # NAME PATTERN SCENARIO-TEXT [extra args]
	name=$1 pat=$2 text=$3
	shift 3
	printf '%s\n' "$text" >"$T/$name.scn"
	expect_exit "$name exits 2" 2 "$CCSIM" run "$T/$name.scn" "$@"
	expect_err "$name message" "$pat"
}

hdr='profiles plain cca
vm v'
bad unknown_step "$T/unknown_step.scn:3:6: unknown step \"jump\" for host" "$hdr
host.jump addr=0"
bad unknown_actor "unknown_actor.scn:3:1: unknown actor \"eve\"" "$hdr
eve.load addr=0"
bad bad_number "bad_number.scn:3:16: bad number \"0x12zz\"" "$hdr
host.load addr=0x12zz"
bad bad_number_len "bad_number_len.scn:3:22: argument len: expected a number, got \"ten\"" "$hdr
host.load addr=0 len=ten"
bad unknown_arg "unknown_arg.scn:3:18: host.load takes no argument \"size\"" "$hdr
host.load addr=0 size=4"
bad missing_arg "missing_arg.scn:3:1: host.load needs addr=NUMBER" "$hdr
host.load len=4"
bad unknown_stmt "unknown_stmt.scn:3:1: unknown statement \"lod\"" "$hdr
lod addr=0"
bad no_profiles "no_profiles.scn:1:1: no profiles line" "host.load addr=0"
bad undefined_capture "undefined_capture.scn:4:8: no earlier step captures \"r\"" "$hdr
host.load addr=0 -> x
expect r == \"a\""
bad undefined_param "undefined_param.scn:3:16: undefined param \"page\"" "$hdr
host.load addr=\${page}"
# ${...} in a comment is prose, not a param; in a string it still expands
printf '%s\n# the page at ${page} is set below\nparam page=0x80000000\nhost.load addr=${page} -> r # ${not_a_param}\nexpect r.fault == none\n' "$hdr" >"$T/comment_param.scn"
expect_exit "\${...} in a comment is not a param" 0 "$CCSIM" run "$T/comment_param.scn"
bad unterminated "unterminated.scn:3:24: unterminated string" "$hdr
host.store addr=0 data=\"abc"
bad bad_profile_on "bad_profile_on.scn:4:27: profile \"sev\" matches none in this scenario's profiles line" "$hdr
host.load addr=0 -> r
expect r.fault == none on sev"
bad vm_vmpl "vm_vmpl.scn:3:19: vm k: vmpl: 0 to 3, got \"4\"" "profiles sev-snp
vm v
vm k guest=v vmpl=4"
bad vm_mecid "vm_mecid.scn:2:12: vm k: mecid: 0 to 65535, got \"70000\"" "profiles cca-mec
vm k mecid=70000"
bad vm_mecid_width "vm_mecid_width.scn:2:12: vm k mecid=16, but profile cca-mec has 16 MECIDs" "profiles cca-mec
vm k mecid=16
host.load addr=0"
bad vm_guest "vm_guest.scn:2:12: vm k: guest=v names no earlier vm that is a guest of its own" "profiles sev-snp
vm k guest=v
vm v"
bad rmpupdate_vm "rmpupdate_vm.scn:3:32: host.rmpupdate: no vm named \"victim\"" "profiles sev-snp
title \"t\"
host.rmpupdate addr=0x80000000 vm=victim"
bad bad_rmi "bad_rmi.scn:3:10: unknown RMI command \"granule_eat\"" "$hdr
host.rmi granule_eat addr=0"
bad bad_rmi_arg "bad_rmi_arg.scn:3:18: RMI_VERSION takes no argument \"addr\"" "$hdr
host.rmi version addr=0x1000"
bad bad_field "bad_field.scn:4:10: unknown field \"colour\"" "$hdr
host.load addr=0 -> r
expect r.colour == red"
bad bad_fault_name "bad_fault_name.scn:4:19: unknown fault name \"gpc.gpx\"" "$hdr
host.load addr=0 -> r
expect r.fault == gpc.gpx"
bad bad_len_range "bad_len_range.scn:3:18: len=0 out of range" "$hdr
host.load addr=0 len=0"

bad bad_core "bad_core.scn:2:6: vm v: expected core=N" "profiles plain
vm v core=x"
bad core_beyond "core_beyond.scn:2:6: vm v core=3, but profile plain has 1 core" "profiles plain
vm v core=3
v.load addr=0"

# guests: the whole program is checked before anything runs, errors name the op
bad guest_open_loop "guest_open_loop.scn:3:7: g0: op 1 \\(loop\\) has no end" "profiles cca
guest g0
g0.op loop n=3
g0.op work cycles=5"
bad guest_store_range "guest_store_range.scn:3:7: g0: op 1 \\(store\\): \\[0x300000, 0x300001\\) is not in the workload's RAM" "profiles cca
guest g0
g0.op store ipa=0x300000 data=\"x\""
bad guest_bad_op "guest_bad_op.scn:3:7: g0.op: expected an op" "profiles cca
guest g0
g0.op jump"
bad guest_unknown "guest_unknown.scn:2:16: no guest named \"g9\"" "profiles cca
host.guest_run g9"
bad guest_rsi_cmd "guest_rsi_cmd.scn:3:11: g0.op rsi: expected a command \\(version, features" "profiles cca
guest g0
g0.op rsi versoin req=1"
bad guest_rsi_arg "guest_rsi_arg.scn:3:24: g0.op rsi realm_config takes no argument \"base\" \\(addr\\)" "profiles cca
guest g0
g0.op rsi realm_config base=0x1000"
bad guest_tdcall_leaf "guest_tdcall_leaf.scn:3:14: g0.op tdcall: expected a leaf \\(vp.vmcall, vp.info" "profiles tdx
guest g0
g0.op tdcall mr.reprot"
bad guest_tdcall_arg "guest_tdcall_arg.scn:3:29: g0.op tdcall mr.rtmr.extend takes no argument \"rtmr\" \\(gpa, index\\)" "profiles tdx
guest g0
g0.op tdcall mr.rtmr.extend rtmr=2"
bad guest_td_extend "guest_td_extend.scn:3:7: g0: op 1 \\(extend\\): REM 1..4 and up to 64 bytes \\(a TD's RTMR 0..3 as rem=1..4, up to 48 bytes\\)" "profiles cca tdx
guest g0
g0.op extend rem=1 data=\"0123456789012345678901234567890123456789012345678901234567\""
bad guest_smc_fid "guest_smc_fid.scn:3:7: g0.op smc needs fid=NUMBER" "profiles cca
guest g0
g0.op smc x1=3"
bad guest_smc_results "guest_smc_results.scn:3:34: results: 1 to 9" "profiles cca
guest g0
g0.op smc fid=0x84000000 results=12"
bad guest_call_capture "guest_call_capture.scn:3:31: expected: -> NAME at the end of the op" "profiles cca
guest g0
g0.op rsi version req=0x10000 -> v w"
bad guest_run_until "guest_run_until.scn:4:19: until: expected an exit reason" "profiles cca
guest g0
host.guest_load g0
host.guest_run g0 until=ripas"
bad guest_run_key "guest_run_key.scn:4:19: host.guest_run takes no argument \"exit\"" "profiles cca
guest g0
host.guest_load g0
host.guest_run g0 exit=3"
# the host's control-block and nested-table steps (CrossLine) name what is wrong
bad guest_vmcb_cca "guest_vmcb_cca.scn:5:1: guest g0: a realm's VMID and REC are the RMM's" "profiles cca
guest g0
host.guest_load g0
host.guest_create g0
host.guest_vmcb g0 asid=1"
bad guest_vmcb_first "guest_vmcb_first.scn:4:1: guest g0: host.guest_create first" "profiles sev
guest g0
host.guest_load g0
host.guest_vmcb g0 asid=1"
bad guest_vmcb_of "guest_vmcb_of.scn:5:20: asid_of: no guest named \"g9\"" "profiles sev
guest g0
host.guest_load g0
host.guest_create g0
host.guest_vmcb g0 asid_of=g9"
bad guest_map_to "guest_map_to.scn:5:1: host.guest_map: expected pa=ADDR or of=GUEST" "profiles sev
guest g0
host.guest_load g0
host.guest_create g0
host.guest_map g0 ipa=0x104000"
bad guest_map_align "guest_map_align.scn:5:1: guest g0: ipa 0x104010 and pa 0x90000000 must be page-aligned" "profiles sev
guest g0
host.guest_load g0
host.guest_create g0
host.guest_map g0 ipa=0x104010 pa=0x90000000"
bad guest_peek_page "guest_peek_page.scn:5:20: guest g0 has no page at 0x1f0000 yet" "profiles sev
guest g0
host.guest_load g0
host.guest_create g0
host.guest_peek g0 ipa=0x1f0000"

# a bad line inside an included file names that file
printf 'host.load addr=0x\n' >"$T/inc_bad.inc"
bad include_bad "inc_bad.inc:1:16: bad number \"0x\"" "$hdr
include \"inc_bad.inc\""
bad include_missing "include_missing.scn:3:9: cannot include" "$hdr
include \"nope.inc\""

# files, profiles and options
expect_exit "missing file exits 2" 2 "$CCSIM" run "$T/does-not-exist.scn"
expect_err "missing file message" "does-not-exist.scn:0:0: cannot read scenario"
printf 'profiles plain\nhost.load addr=0\n' >"$T/ok.scn"
expect_exit "unknown profile exits 2" 2 "$CCSIM" run "$T/ok.scn" --profile nosuch
expect_err "unknown profile message" "unknown profile \"nosuch\""
printf '[platform]\narch = cca\n[mem]\npa_bits = 40\ndram_latency = 50\n' >"$T/badkey.ini"
expect_exit "unknown profile key exits 2" 2 "$CCSIM" run "$T/ok.scn" --profile "$T/badkey.ini"
expect_err "unknown profile key message" "badkey.ini:5: unknown key \"dram_latency\" in \\[mem\\]"
printf '[platform]\narch = sev-sbp\n' >"$T/badval.ini"
expect_exit "bad profile value exits 2" 2 "$CCSIM" run "$T/ok.scn" --profile "$T/badval.ini"
expect_err "bad profile value message" "badval.ini:2: platform.arch: expected one of plain \\| cca \\| sev \\| sev-es \\| sev-snp \\| tdx \\| s390-se, got \"sev-sbp\""
printf '[platform]\narch = sev-es\n[memenc]\nkey_slots = 8\n[sev]\nmin_sev_asid = 1\n' >"$T/noasid.ini"
expect_exit "SEV-ES profile without ES ASIDs exits 2" 2 "$CCSIM" run "$T/ok.scn" --profile "$T/noasid.ini"
expect_err "SEV-ES profile without ES ASIDs message" "leave no ASID for sev-es guests"
expect_exit "bad --set exits 2" 2 "$CCSIM" run "$T/ok.scn" --set mem.pa_bits=99
expect_err "bad --set message" "mem.pa_bits: 99 is out of range \\[32, 52\\]"
expect_exit "unknown param --set exits 2" 2 "$CCSIM" run "$T/ok.scn" --set nope=1
expect_err "unknown param --set message" "declares no such param"
# the same key twice is refused, not "the last one wins"
printf 'profiles plain\nparam n=1\nhost.load addr=0\n' >"$T/param.scn"
expect_exit "run: repeated --set exits 2" 2 "$CCSIM" run "$T/param.scn" --set n=1 --set n=2
expect_err "run: repeated --set message" "ccsim run: --set n given twice \\(n=1, then n=2\\): give each key once"
expect_exit "matrix: repeated --set exits 2" 2 "$CCSIM" matrix "$T/ok.scn" --set mem.pa_bits=40 --set mem.pa_bits=44
expect_err "matrix: repeated --set message" "ccsim matrix: --set mem.pa_bits given twice \\(mem.pa_bits=40, then mem.pa_bits=44\\)"
expect_exit "profile: repeated --set exits 2" 2 "$CCSIM" profile cca --set mem.pa_bits=40 --set mem.pa_bits=44
expect_err "profile: repeated --set message" "ccsim profile: --set mem.pa_bits given twice"
expect_exit "run: distinct --set keys still work" 0 "$CCSIM" run "$T/param.scn" --set n=2 --set mem.pa_bits=44 --quiet
# a guest that never stops is stopped by limits.max_cycles, with an error
printf 'profiles plain cca sev-snp\nguest g0 ram=2M\ng0.op loop n=1000000000\ng0.op   stream_read size=4K\ng0.op end\nhost.guest_load g0\nhost.guest_create g0\nhost.guest_run g0\n' >"$T/spin.scn"
for p in plain cca sev-snp; do
	expect_exit "$p: a runaway guest exits 2" 2 "$CCSIM" run "$T/spin.scn" --profile $p --set limits.max_cycles=2000000
	expect_err "$p: runaway guest message" "spin.scn:8:1: guest g0: still running at cycle [0-9]*, past limits.max_cycles = 2000000"
done
# a guest's host memory must fit: in memory, on cca in the delegable range
printf 'profiles plain cca\nparam at=0x90000000\nguest g ram=4M pool=${at}\nhost.guest_load g\n' >"$T/pool.scn"
expect_exit "plain: pool past memory exits 2" 2 "$CCSIM" run "$T/pool.scn" --profile plain --set at=0xffff000000
expect_err "plain: pool past memory message" "pool.scn:3: guest g: its host memory \\[0xffff000000, 0x10001000000) lies outside memory"
expect_exit "cca: pool outside the delegable range exits 2" 2 "$CCSIM" run "$T/pool.scn" --profile cca --set at=0x10000000
expect_err "cca: pool outside the delegable range message" "guest g: its host memory \\[0x10000000, 0x12000000) lies outside the delegable range"
# a block request the device cannot take: the op's line and its rule
printf 'profiles plain\nguest g ram=4M\ng.op blk_read size=5000\nhost.guest_load g\n' >"$T/blk.scn"
expect_exit "blk_read of 5000 bytes exits 2" 2 "$CCSIM" run "$T/blk.scn" --profile plain
expect_err "blk_read size message" "blk.scn:3:6: g: op 1 \\(blk_read\\): n > 0, size a multiple of 512 up to 4096"
printf 'profiles plain\nguest g ram=4M\ng.op net_send size=9000\nhost.guest_load g\n' >"$T/net.scn"
expect_exit "net_send of 9000 bytes exits 2" 2 "$CCSIM" run "$T/net.scn" --profile plain
expect_err "net_send size message" "net.scn:3:6: g: op 1 \\(net_send\\): n > 0, size 1 to 4096"
expect_exit "unknown option exits 2" 2 "$CCSIM" run "$T/ok.scn" --frobnicate
expect_err "unknown option message" "unknown option --frobnicate"
expect_exit "bad seed exits 2" 2 "$CCSIM" run "$T/ok.scn" --seed 12x
expect_err "bad seed message" "--seed: bad number \"12x\""
expect_exit "unknown command exits 2" 2 "$CCSIM" frob
expect_exit "matrix on a missing path exits 2" 2 "$CCSIM" matrix "$T/nowhere"
expect_err "matrix missing path message" "nowhere: no such file or folder"
# recording (run --record) and comparing (matrix --reference): options
# that do not go together, and what cannot be read or written, before
# anything runs
expect_exit "run: --record-cycles alone exits 2" 2 "$CCSIM" run "$T/ok.scn" --record-cycles
expect_err "run: --record-cycles alone message" "ccsim run: --record-cycles goes with --record or --record-to"
expect_exit "run: --record with --set exits 2" 2 "$CCSIM" run "$T/param.scn" --record --set n=2
expect_err "run: --record with --set message" "ccsim run: --record records the scenario as written: no --set"
expect_exit "run: --record on an undeclared profile exits 2" 2 "$CCSIM" run "$T/ok.scn" --record --profile cca
expect_err "run: --record on an undeclared profile message" "ccsim run --record: cca is not one of the profiles .*ok.scn declares"
expect_exit "run: --record-to without a file exits 2" 2 "$CCSIM" run "$T/ok.scn" --record-to
expect_err "run: --record-to without a file message" "ccsim run: --record-to needs a value"
expect_exit "run: --record of a missing file exits 2" 2 "$CCSIM" run "$T/does-not-exist.scn" --record
expect_err "run: --record of a missing file message" "does-not-exist.scn:0:0: cannot read scenario"
expect_exit "matrix: --compare without --reference exits 2" 2 "$CCSIM" matrix "$T/ok.scn" --compare outcomes
expect_err "matrix: --compare without --reference message" "ccsim matrix: --compare goes with --reference REF"
expect_exit "matrix: --compare of another kind exits 2" 2 "$CCSIM" matrix "$T/ok.scn" --reference "$T/ok.scn" --compare loose
expect_err "matrix: --compare of another kind message" "ccsim matrix: --compare loose: expected outcomes or exact"
expect_exit "matrix: --reference without a file exits 2" 2 "$CCSIM" matrix "$T/ok.scn" --reference
expect_err "matrix: --reference without a file message" "ccsim matrix: --reference needs a value"
expect_exit "matrix: a missing reference exits 2" 2 "$CCSIM" matrix "$T/ok.scn" --reference "$T/nope.json"
expect_err "matrix: a missing reference message" "ccsim matrix: $T/nope.json: cannot read"
printf '{"format": "ccsim.matrix/1", "seed": 1,\n "runs": [{"scenario": "a.scn", "profile": "plain", "pass": true}]}\n' >"$T/short.json"
expect_exit "matrix: a reference row without its fields exits 2" 2 "$CCSIM" matrix "$T/ok.scn" --reference "$T/short.json"
expect_err "matrix: a reference row without its fields message" "ccsim matrix: $T/short.json:2:11: the run has no \"outcome\""
printf '{"format": "ccsim.matrix/1", "seed": 1, "runs": [}\n' >"$T/broken.json"
expect_exit "matrix: a reference that is not JSON exits 2" 2 "$CCSIM" matrix "$T/ok.scn" --reference "$T/broken.json"
expect_err "matrix: a reference that is not JSON message" "ccsim matrix: $T/broken.json:1:50: unexpected '}' \\(expected a value\\)"
printf 'garbage' >"$T/bad.trace"
expect_exit "bad trace exits 2" 2 "$CCSIM" trace "$T/bad.trace"
expect_err "bad trace message" "bad.trace: offset 0: expected a ccsim binary trace"
printf 'garbage!' >"$T/bad.ckpt"
expect_exit "bad checkpoint exits 2" 2 "$CCSIM" run "$T/ok.scn" --restore "$T/bad.ckpt"
expect_err "bad checkpoint message" "bad.ckpt: offset 0: not a ccsim run checkpoint"

# memory traces: a bad line names file:line, a bad record its byte; the
# replay op names the scenario's line and the trace's
printf 'I  0400000,4\n L 1000,8\n L 1000,eight\n' >"$T/bad.lackey"
expect_exit "bad lackey trace exits 2" 2 "$CCSIM" memtrace info "$T/bad.lackey"
expect_err "bad lackey trace message" "bad.lackey:3: expected a lackey --trace-mem line"
printf 'I  0400000,4\n L 1000,8\n S 2000,4\n' >"$T/ok.lackey"
expect_exit "memtrace convert" 0 "$CCSIM" memtrace convert "$T/ok.lackey" "$T/ok.cctrace"
expect_exit "memtrace info of the binary" 0 "$CCSIM" memtrace info "$T/ok.cctrace"
if grep -q '^loads *1$' "$T/out" && grep -q '^stores *1$' "$T/out" && grep -q '^pages *2 ' "$T/out"
then ok "memtrace info output"; else fail "memtrace info output" "$(cat "$T/out")"; fi
head -c 30 "$T/ok.cctrace" >"$T/short.cctrace"
expect_exit "truncated binary trace exits 2" 2 "$CCSIM" memtrace info "$T/short.cctrace"
expect_err "truncated binary trace message" "short.cctrace: byte 24: truncated"
cp "$T/ok.cctrace" "$T/keep.cctrace"
expect_exit "failed convert exits 2" 2 "$CCSIM" memtrace convert "$T/bad.lackey" "$T/ok.cctrace"
if cmp -s "$T/ok.cctrace" "$T/keep.cctrace"; then ok "failed convert keeps OUT"; else fail "failed convert keeps OUT"; fi
bad replay_missing "replay_missing.scn:4:20: g0.op replay: $T/nowhere.cctrace: cannot open" "profiles plain
guest g0
g0.op phase name=\"x\"
g0.op replay trace=\"nowhere.cctrace\""
bad replay_bad_line "replay_bad_line.scn:3:20: g0.op replay: $T/bad.lackey:3: expected" "profiles plain
guest g0
g0.op replay trace=\"bad.lackey\""
bad replay_too_big "replay_too_big.scn:3:7: g0: op 1 .replay.: .0x1fe000, 0x200000. is not in the workload.s RAM .0x110000, 0x1ff000. .the traces. records take the rest: raise ram." "profiles plain
guest g0
g0.op replay trace=\"ok.cctrace\" base=0x1fe000"

# characters a scenario cannot hold: control characters between words (a
# vertical tab, a form feed, a lone CR) and NUL bytes are named, not looped
# on or read past; CRs before a line end are a CRLF file's and pass
printf 'profiles plain\nvm v\vhost.load addr=0\n' >"$T/vt.scn"
expect_exit "vertical tab exits 2" 2 "$CCSIM" run "$T/vt.scn"
expect_err "vertical tab message" "vt.scn:2:5: unexpected control character 0x0b"
printf 'profiles plain\nvm v\fhost.load addr=0\n' >"$T/ff.scn"
expect_exit "form feed exits 2" 2 "$CCSIM" run "$T/ff.scn"
expect_err "form feed message" "ff.scn:2:5: unexpected control character 0x0c"
printf 'profiles plain\nvm v\rhost.load addr=0\n' >"$T/cr.scn"
expect_exit "CR inside a line exits 2" 2 "$CCSIM" run "$T/cr.scn"
expect_err "CR inside a line message" "cr.scn:2:5: unexpected control character 0x0d"
printf 'profiles plain\r\r\nvm v\r\nhost.load addr=0x80000000 -> r\r\nexpect r.fault == none\r\n' >"$T/crlf.scn"
expect_exit "CRLF (and CRCRLF) line ends pass" 0 "$CCSIM" run "$T/crlf.scn"
printf 'profiles plain\nvm v\nhost.load addr=0x80000000\0 len=8\n' >"$T/nul.scn"
expect_exit "NUL byte in a scenario exits 2" 2 "$CCSIM" run "$T/nul.scn"
expect_err "NUL byte message" "nul.scn:3:26: a NUL byte"
printf 'title "caf\351"\nprofiles plain\n' >"$T/latin1.scn"
expect_exit "Latin-1 scenario exits 2" 2 "$CCSIM" run "$T/latin1.scn"
expect_err "Latin-1 scenario message" "latin1.scn:1:11: not UTF-8"
printf '[platform]\ninherits = plain\ndescription = caf\351\n' >"$T/latin1.ini"
cp models/platform/profiles/plain.ini "$T/plain.ini"
expect_exit "Latin-1 profile exits 2" 2 "$CCSIM" profile "$T/latin1.ini"
expect_err "Latin-1 profile message" "latin1.ini:3: not UTF-8"
printf '[platform]\ninherits = plain\ndescription = a\0b\n' >"$T/nul.ini"
expect_exit "NUL byte in a profile exits 2" 2 "$CCSIM" profile "$T/nul.ini"
expect_err "NUL byte in a profile message" "nul.ini:3: a NUL byte"
# numbers on the command line read as in scenarios: a leading 0 is decimal
expect_exit "--seed 010" 0 "$CCSIM" run "$T/crlf.scn" --out "$T/seed" --quiet
"$CCSIM" run "$T/crlf.scn" --seed 010 --out "$T/seed" --quiet
if grep -q '"seed": 10,' "$T/seed/summary.json"; then ok "--seed 010 is ten"; else
	fail "--seed 010 is ten" "$(grep seed "$T/seed/summary.json")"; fi
# configurations that would allocate without bound are refused
expect_exit "huge delegable range exits 2" 2 "$CCSIM" run "$T/crlf.scn" --profile cca --set gpc.delegable_size=0xffffffffff000
expect_err "huge delegable range message" "gpc.delegable_base/size: the range must lie inside"
expect_exit "huge RMP exits 2" 2 "$CCSIM" run "$T/crlf.scn" --profile sev-snp --set rmp.base=0 --set rmp.end=0xffffffffff
expect_err "huge RMP message" "rmp.base/end: the table must lie inside memory"
# what a scenario can make the parser do is bounded: params built from
# params, includes that include many times
{ printf 'profiles plain\nparam a=xxxxxxxxxxxxxxxx\n'
  prev=a; for n in b c d e f g h i j; do printf 'param %s=${%s}${%s}${%s}${%s}\n' $n $prev $prev $prev $prev; prev=$n; done; } >"$T/grow.scn"
expect_exit "params that grow exit 2" 2 "$CCSIM" run "$T/grow.scn"
expect_err "params that grow message" "grow.scn:[0-9]*:[0-9]*: params expand this line past 65536 bytes"
mkdir -p "$T/inc"
echo 'host.load addr=0x80000000' >"$T/inc/l0.inc"
for i in 1 2 3 4 5 6; do
	: >"$T/inc/l$i.inc"
	for k in 1 2 3 4 5 6 7 8 9 10; do echo "include \"l$((i - 1)).inc\"" >>"$T/inc/l$i.inc"; done
done
printf 'profiles plain\nvm v\ninclude "l6.inc"\ninclude "l6.inc"\n' >"$T/inc/top.scn"
expect_exit "include fan-out exits 2" 2 "$CCSIM" run "$T/inc/top.scn"
expect_err "include fan-out message" "reads more than 1000000 lines"
# a profile a run refuses is refused by ccsim profile too; an unknown
# profile on a profiles line names its line and column
expect_exit "profile a run would refuse exits 2" 2 "$CCSIM" profile cca --set platform.arch=sev-snp
expect_err "profile a run would refuse message" "leave no ASID for sev-snp guests"
printf 'profiles plain nosuch\nvm v\n' >"$T/noprof.scn"
expect_exit "unknown profile on a profiles line exits 2" 2 "$CCSIM" run "$T/noprof.scn"
expect_err "unknown profile on a profiles line message" "noprof.scn:1:16: unknown profile .nosuch."
# a load of 4 bytes is one 4-byte access (it was one byte)
printf 'profiles plain\nguest g0\ng0.op store ipa=0x1f0000 data=hex:01a5c0de\ng0.op load ipa=0x1f0000 len=4\ng0.op regs n=2 -> v\nhost.guest_load g0\nhost.guest_create g0\nhost.guest_run g0\nexpect v.x1 == 0xdec0a501\n' >"$T/ld4.scn"
expect_exit "load len=4 reads 4 bytes" 0 "$CCSIM" run "$T/ld4.scn"
# a run that checks nothing says so
printf 'profiles plain\nvm v\nhost.load addr=0x80000000\n' >"$T/unchecked.scn"
expect_exit "a run with no expectations" 0 "$CCSIM" run "$T/unchecked.scn"
if grep -q 'result: NOTHING CHECKED' "$T/out"; then ok "no expectations: NOTHING CHECKED"; else
	fail "no expectations: NOTHING CHECKED" "$(tail -1 "$T/out")"; fi

# --help on every command, exit 0
for c in run matrix steps trace memtrace profile; do
	expect_exit "$c --help" 0 "$CCSIM" "$c" --help
done

expect_exit "steps lists every actor" 0 "$CCSIM" steps
if grep -q '^  phys.read' "$T/out" && grep -q '^  host.rmi' "$T/out" && grep -q '^  NAME.store' "$T/out"; then
	ok "steps output"; else fail "steps output" "$(head -5 "$T/out")"; fi
expect_exit "profile prints resolved config" 0 "$CCSIM" profile cca --set mem.dram_latency_ns=80
if grep -q '"dram_latency_ns": 80' "$T/out" && grep -q '"aes_latency": 40' "$T/out"; then
	ok "profile output"; else fail "profile output" "$(head -5 "$T/out")"; fi

# nothing already written is lost: a failing run leaves an earlier results folder alone
"$CCSIM" run "$T/ok.scn" --out "$T/res" --quiet
cp "$T/res/summary.json" "$T/keep.json"
printf 'profiles plain\nhost.load addr=0 len=0\n' >"$T/late.scn"
expect_exit "run-time error exits 2" 2 "$CCSIM" run "$T/late.scn" --out "$T/res2"
if cmp -s "$T/res/summary.json" "$T/keep.json"; then ok "earlier results kept"; else fail "earlier results kept"; fi
# a run that fails after set-up leaves an earlier folder as it was; one that
# succeeds replaces it whole (no stale file of the older run stays)
cp "$T/res/trace.bin" "$T/keep.bin"
expect_exit "run-time error over results exits 2" 2 "$CCSIM" run "$T/late.scn" --out "$T/res"
if cmp -s "$T/res/summary.json" "$T/keep.json" && cmp -s "$T/res/trace.bin" "$T/keep.bin"; then
	ok "failed run leaves the folder whole"; else fail "failed run leaves the folder whole"; fi
mkdir -p "$T/res/captures" && touch "$T/res/captures/stale.bin"
"$CCSIM" run "$T/ok.scn" --out "$T/res" --quiet
if [ ! -e "$T/res/captures/stale.bin" ] && [ -s "$T/res/summary.json" ]; then
	ok "a new run replaces the folder"; else fail "a new run replaces the folder"; fi
if ls -d "$T"/res.tmp-* "$T"/res.old-* 2>/dev/null | grep -q .; then
	fail "no staging folders left behind"; else ok "no staging folders left behind"; fi
# a guest that runs to a host.guest_run's own exit cap is an error, not a result
printf 'profiles plain\nguest g0 ram=2M\ng0.op loop n=1000000000\ng0.op host_call imm=1\ng0.op end\nhost.guest_load g0\nhost.guest_create g0\nhost.guest_run g0 -> r\nexpect r.x1 > 0\n' >"$T/cap.scn"
expect_exit "exit cap exits 2" 2 "$CCSIM" run "$T/cap.scn" --set limits.max_cycles=100000000000
expect_err "exit cap message" "cap.scn:8:1: guest g0: still running after 1000000 exits"

finish
