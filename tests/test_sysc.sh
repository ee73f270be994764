#!/bin/sh
# The SystemC TLM-2.0 example (sysc/examples/cc_vp.cpp, docs/systemc.md)
# and the target's own test (sysc/tests/test_target.cpp) build; the example
# runs on cca and sev-snp: the host's access to the realm's
# (guest's) page is refused with the check that refused it, DMI is granted
# on plain NS memory and taken back at the delegation / RMP update, the
# DRAM view holds ciphertext, and two runs print the same bytes.
. tests/lib.sh
: "${B:=build}"
vp="$B/sysc/cc_vp"
if ! pkg-config --exists systemc; then
	fail "SystemC is installed (make deps installs libsystemc-dev)"
	finish
	exit
fi
if make --no-print-directory -s B="$B" "$vp" "$B/sysc/test_target" >"$T/out" 2>"$T/err"; then
	ok "the example builds"
else
	fail "the example builds" "$(head -c 1200 "$T/err")"
	finish
	exit
fi

# expect_line NAME FILE PATTERN: a line of FILE matches PATTERN (grep -E).
expect_line() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else
		fail "$1" "no line matches /$3/ in:" "$(cat "$2")"
	fi
}

for p in cca sev-snp; do
	expect_exit "$p: runs" 0 "$vp" "$p"
	cp "$T/out" "$T/$p.1"
done
o=$T/cca.1
expect_line "cca: the host's write is served" "$o" '^host +write 0x80100000 TLM_OK_RESPONSE +[0-9]+ cycles'
expect_line "cca: DMI on NS memory" "$o" 'dmi: host asks for 0x80100000: granted \[0x80100000, 0x80100fff\] read-write'
expect_line "cca: the delegation takes DMI back" "$o" 'dmi: invalidated \[0x80100000, 0x80100fff\]'
expect_line "cca: the realm reads its secret" "$o" '^realm +read +0x80100000 TLM_OK_RESPONSE .*"top secret: 42!!"'
expect_line "cca: the host's read is refused by the GPC" "$o" \
	'^host +read +0x80100000 TLM_GENERIC_ERROR_RESPONSE +[0-9]+ cycles .* fault gpc\.gpf \(realm\)'
expect_line "cca: no DMI for the realm (its key encrypts)" "$o" 'dmi: realm asks for 0x80100000: refused'
if grep -q '^dram .*top secret' "$o"; then fail "cca: DRAM holds ciphertext" "$(grep '^dram' "$o")"
else expect_line "cca: DRAM holds ciphertext" "$o" '^dram +0x80100000 \(transport_dbg, 16 bytes\) [0-9a-f]{32} '; fi
expect_line "cca: ok" "$o" '^cc_vp: ok$'
o=$T/sev-snp.1
expect_line "sev-snp: the RMP refuses the host's write" "$o" \
	'^host +write 0x3000000 TLM_GENERIC_ERROR_RESPONSE .* fault rmp\.pf \(host_write\)'
expect_line "sev-snp: RMPUPDATE takes the host's DMI back" "$o" 'dmi: invalidated \[0x3000000, 0x3000fff\]'
expect_line "sev-snp: ok" "$o" '^cc_vp: ok$'
dram=$(sed -n 's/^dram .*bytes) \([0-9a-f]*\) .*/\1/p' "$o")
if [ -n "$dram" ] && grep -Eq "^host +read +0x3000000 TLM_OK_RESPONSE" "$o"; then
	ok "sev-snp: the host reads what DRAM holds"
else
	fail "sev-snp: the host reads what DRAM holds" "$(cat "$o")"
fi

# The target's edges (sysc/tests/test_target.cpp): its own ok / FAIL lines.
"$B/sysc/test_target" >"$T/target" 2>"$T/err"
st=$?
cat "$T/target"
fails=$((fails + $(grep -c '^FAIL ' "$T/target")))
[ "$st" -eq 0 ] && ok "test_target exits 0" || fail "test_target exits 0" "$(head -c 600 "$T/err")"

# Determinism: the same output, byte for byte, run after run.
expect_exit "cca: runs again" 0 "$vp" cca
if cmp -s "$T/out" "$T/cca.1"; then ok "cca: identical reruns"; else
	fail "cca: identical reruns" "$(diff "$T/cca.1" "$T/out" | head -20)"
fi
expect_exit "an unknown profile is refused" 2 "$vp" tdx
expect_err "... by name" "not tdx"
expect_exit "a bad override is refused" 2 "$vp" cca --set cache.l1_size=banana
expect_err "... naming the key" "l1_size"
finish
