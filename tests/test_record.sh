#!/bin/sh
# ccsim run --record: a scenario without expectations recorded on each of
# its profiles passes as recorded with the digests it had; recording again
# changes nothing; failed `==` expectations get the observed value, split
# off the profiles they still hold on; what record may not rewrite (bounds,
# $names, ${params}, included files) is named and kept; comments and line
# ends stay; a run that fails, or a target that cannot be written, leaves
# the file as it was.
. tests/lib.sh

# digest FILE PROFILE: the digest `ccsim run` prints.
digest() { "$CCSIM" run "$1" --profile "$2" | sed -n 's/^  digest: //p'; }

# same NAME A B: files A and B are byte for byte the same.
same() {
	if cmp -s "$2" "$3"; then ok "$1"; else fail "$1" "$(diff "$2" "$3" | head -10)"; fi
}

mkdir -p "$T/s"
cat >"$T/s/bare.scn" <<'EOF'
# The host reads memory that was handed to a confidential guest.
title "record: no expectations yet"
profiles plain cca

param page=0x80010000
secret key="top secret: AES key 0123"
vm victim

host.rmi granule_delegate addr=${page} -> del   # CCA: delegate the granule
victim.store addr=${page} data=$key
victim.load addr=${page} len=24 -> back
host.load addr=${page} len=24 -> peek
phys.read addr=${page} len=8 -> cells
host.store addr=0x1000 data="a \"q\" and \x24{x}" -> st
host.load addr=0x1000 len=14 -> txt
host.wbinvd -> wb
EOF
cp "$T/s/bare.scn" "$T/orig.scn"
d_plain=$(digest "$T/s/bare.scn" plain)
d_cca=$(digest "$T/s/bare.scn" cca)

# The round trip: record on each profile, then every expectation holds.
expect_exit "record on plain exits 0" 0 "$CCSIM" run "$T/s/bare.scn" --record --quiet
expect_exit "record on cca exits 0" 0 "$CCSIM" run "$T/s/bare.scn" --record --profile cca
if grep -q "^recorded on cca into $T/s/bare.scn: 0 expectations rewritten, [0-9]* added$" "$T/out"; then
	ok "record says what it did"
else
	fail "record says what it did" "$(tail -n 2 "$T/out")"
fi
n=$(wc -c <"$T/orig.scn")
head -c "$n" "$T/s/bare.scn" >"$T/prefix"
same "record keeps every line, comments included, byte for byte" "$T/orig.scn" "$T/prefix"
if grep -qx '# recorded by ccsim run --record on plain' "$T/s/bare.scn" &&
	grep -qx '# recorded by ccsim run --record on cca' "$T/s/bare.scn" &&
	grep -qx 'expect del.status == rmi.success on cca' "$T/s/bare.scn" &&
	grep -qx 'expect del.status == smc.unknown on plain' "$T/s/bare.scn" &&
	grep -qx 'expect peek == $key on plain' "$T/s/bare.scn" &&
	grep -qx 'expect peek.fault == gpc.gpf on cca' "$T/s/bare.scn" &&
	grep -qx 'expect cells == hex:[0-9a-f]\{16\} on plain' "$T/s/bare.scn" &&
	grep -qx 'expect txt == "a \\"q\\" and \\x24{x}" on plain' "$T/s/bare.scn" &&
	grep -qx 'expect wb.fault == none on cca' "$T/s/bare.scn" &&
	grep -qx 'expect outcome == "blocked: gpc.gpf" on cca' "$T/s/bare.scn" &&
	grep -qx 'expect outcome == leaked on plain' "$T/s/bare.scn" &&
	! grep -q 'cycles' "$T/s/bare.scn"; then
	ok "record writes a block per profile: status, fault, bytes, registers, outcome; no cycles"
else
	fail "record writes a block per profile: status, fault, bytes, registers, outcome; no cycles" \
		"$(sed -n '/# recorded/,$p' "$T/s/bare.scn")"
fi
expect_exit "the recorded scenario passes on plain" 0 "$CCSIM" run "$T/s/bare.scn" --profile plain
expect_exit "the recorded scenario passes on cca" 0 "$CCSIM" run "$T/s/bare.scn" --profile cca
if [ "$(digest "$T/s/bare.scn" plain)" = "$d_plain" ] && [ "$(digest "$T/s/bare.scn" cca)" = "$d_cca" ] &&
	[ -n "$d_plain" ]; then
	ok "recorded expectations leave the digests as they were"
else
	fail "recorded expectations leave the digests as they were"
fi
"$CCSIM" matrix "$T/s" >"$T/m" 2>&1
if tail -n 1 "$T/m" | grep -qx '2 cells: 2 passed, 0 failed, 0 errors'; then
	ok "the recorded scenario passes in the matrix"
else
	fail "the recorded scenario passes in the matrix" "$(cat "$T/m")"
fi

# Idempotent: recording again changes nothing, and says so.
cp "$T/s/bare.scn" "$T/once.scn"
expect_exit "record again on cca exits 0" 0 "$CCSIM" run "$T/s/bare.scn" --record --profile cca
if grep -qx 'recorded on cca: nothing to change' "$T/out"; then ok "record again: nothing to change"; else
	fail "record again: nothing to change" "$(tail -n 2 "$T/out")"
fi
"$CCSIM" run "$T/s/bare.scn" --record --profile plain --quiet
same "record is idempotent" "$T/once.scn" "$T/s/bare.scn"

# Failed expectations: `==` with a literal gets the observed value; on a
# line that holds for other profiles too, those keep it.
cat >"$T/fail.scn" <<'EOF'
profiles plain cca sev
param page=0x80010000
param want=0x5
secret key="top secret: AES key 0123"
vm victim
host.rmi granule_delegate addr=${page} -> del
victim.store addr=${page} data=$key
host.load addr=${page} len=24 -> peek
host.load addr=${page} len=4 -> p4

expect del.status == rmi.error_input   on cca   # the monitor refuses (wrong)
expect peek.fault == none    # holds on plain and sev, not on cca
expect p4 == "abcd" on cca
expect outcome == leaked on plain cca
expect peek == $key on cca plain
expect del.status == ${want} on cca
expect del.cycles < 5 on cca
EOF
cp "$T/fail.scn" "$T/fail0.scn"
expect_exit "record with expectations it may not rewrite exits 1" 1 "$CCSIM" run "$T/fail.scn" --record --profile cca
cat >"$T/fail.want" <<'EOF'
profiles plain cca sev
param page=0x80010000
param want=0x5
secret key="top secret: AES key 0123"
vm victim
host.rmi granule_delegate addr=${page} -> del
victim.store addr=${page} data=$key
host.load addr=${page} len=24 -> peek
host.load addr=${page} len=4 -> p4

expect del.status == rmi.success   on cca   # the monitor refuses (wrong)
expect peek.fault == none on plain sev    # holds on plain and sev, not on cca
expect peek.fault == gpc.gpf on cca
expect p4.fault == gpc.gpf on cca
expect outcome == leaked on plain
expect outcome == "blocked: gpc.gpf" on cca
expect peek == $key on cca plain
expect del.status == ${want} on cca
expect del.cycles < 5 on cca
EOF
same "record rewrites failed == values, splits shared lines, keeps the rest" "$T/fail.want" "$T/fail.scn"
expect_err "record names a \$name it keeps" "fail.scn:15: .expect peek == \\\$key on cca plain. not rewritten on cca: its value names \\\$key"
expect_err "record names a \${param} it keeps" "fail.scn:16: .* not rewritten on cca: its value is a param \\(\\\$\\{want\\}\\)"
expect_err "record names a bound it keeps" "fail.scn:17: .* not rewritten on cca: .<. is kept as written"
expect_err "record counts what it kept" "3 failed expectations kept as written: the recorded scenario still fails on cca"
expect_exit "the rewritten lines pass on plain" 0 "$CCSIM" run "$T/fail.scn" --profile plain
expect_exit "the rewritten lines pass on sev" 0 "$CCSIM" run "$T/fail.scn" --profile sev

# Profiles named by glob or in expect[...]: the glob is spelled out as the
# other profiles it matches.
cat >"$T/glob.scn" <<'EOF'
profiles plain sev sev-es sev-snp
secret key="top secret: AES key 0123"
vm victim
victim.store addr=0x80010000 data=$key
host.load addr=0x80010000 len=24 -> peek
host.wbinvd -> wb
expect peek.fault == rmp.npf on sev*   # globs
expect[plain,sev*] wb.fault == cpu.gp
expect[sev-snp] outcome == leaked
EOF
cat >"$T/glob.want" <<'EOF'
profiles plain sev sev-es sev-snp
secret key="top secret: AES key 0123"
vm victim
victim.store addr=0x80010000 data=$key
host.load addr=0x80010000 len=24 -> peek
host.wbinvd -> wb
expect peek.fault == rmp.npf on sev sev-es   # globs
expect peek.fault == none on sev-snp
expect[plain,sev,sev-es] wb.fault == cpu.gp
expect wb.fault == none on sev-snp
expect[sev-snp] outcome == no-leak
EOF
expect_exit "record of globs and expect[...] exits 0" 0 "$CCSIM" run "$T/glob.scn" --record --profile sev-snp
same "record spells a glob out as the other profiles it matches" "$T/glob.want" "$T/glob.scn"

# An expectation in an included file is not rewritten: other scenarios may
# include it. The file that includes it still gets its new lines.
mkdir -p "$T/inc"
printf 'expect r.fault == gpc.gpf\n' >"$T/inc/shared.inc"
printf 'profiles cca\nhost.load addr=0x80010000 -> r\ninclude "shared.inc"\n# no line end after this comment' >"$T/inc/top.scn"
cp "$T/inc/shared.inc" "$T/shared0.inc"
expect_exit "record with a failed included expectation exits 1" 1 "$CCSIM" run "$T/inc/top.scn" --record
expect_err "record names the included expectation" "inc/shared.inc:1: .expect r.fault == gpc.gpf. not rewritten on cca: it is in an included file"
same "record leaves the included file as it was" "$T/shared0.inc" "$T/inc/shared.inc"
printf 'profiles cca\nhost.load addr=0x80010000 -> r\ninclude "shared.inc"\n# no line end after this comment\n\n# recorded by ccsim run --record on cca\nexpect outcome == no-leak\n' >"$T/top.want"
same "record ends a last line that had no line end, then its block" "$T/top.want" "$T/inc/top.scn"

# CRLF files get CRLF lines.
printf 'profiles cca\r\nhost.load addr=0x1000 -> r\r\n' >"$T/crlf.scn"
"$CCSIM" run "$T/crlf.scn" --record --quiet
if [ "$(grep -c "$(printf '\r')\$" "$T/crlf.scn")" = "$(wc -l <"$T/crlf.scn")" ] && grep -q '^expect r == ' "$T/crlf.scn"; then
	ok "record writes CRLF lines into a CRLF file"
else
	fail "record writes CRLF lines into a CRLF file" "$(od -c "$T/crlf.scn" | tail -5)"
fi

# --record-cycles: exact cycles, and they hold.
printf 'profiles plain\nhost.load addr=0x1000 -> r\n' >"$T/cyc.scn"
"$CCSIM" run "$T/cyc.scn" --record --record-cycles --quiet
if grep -Eqx 'expect r.cycles == [0-9]+' "$T/cyc.scn"; then ok "--record-cycles records cycles"; else
	fail "--record-cycles records cycles" "$(cat "$T/cyc.scn")"
fi
expect_exit "recorded cycles hold" 0 "$CCSIM" run "$T/cyc.scn"

# --record-to: the original stays, NEW passes.
printf 'profiles cca\nhost.load addr=0x1000 -> r\n' >"$T/src.scn"
cp "$T/src.scn" "$T/src0.scn"
expect_exit "--record-to exits 0" 0 "$CCSIM" run "$T/src.scn" --record-to "$T/new.scn" --quiet
same "--record-to leaves FILE as it was" "$T/src0.scn" "$T/src.scn"
expect_exit "the --record-to file passes" 0 "$CCSIM" run "$T/new.scn"

# Nothing already written is lost: a run that fails leaves FILE as it was.
mkdir -p "$T/atom"
printf 'profiles plain\nvm v core=3\nv.load addr=0 -> r\n' >"$T/atom/runerr.scn"
cp "$T/atom/runerr.scn" "$T/runerr0.scn"
expect_exit "record of a run that fails exits 2" 2 "$CCSIM" run "$T/atom/runerr.scn" --record
expect_err "record of a run that fails: the run's message" "runerr.scn:2:6: vm v core=3"
same "a run that fails leaves FILE as it was" "$T/runerr0.scn" "$T/atom/runerr.scn"
printf 'profiles plain\nhost.lod addr=0\n' >"$T/atom/badin.scn"
cp "$T/atom/badin.scn" "$T/badin0.scn"
expect_exit "record of bad input exits 2" 2 "$CCSIM" run "$T/atom/badin.scn" --record
same "bad input leaves FILE as it was" "$T/badin0.scn" "$T/atom/badin.scn"
if [ "$(ls -A "$T/atom" | tr '\n' ' ')" = "badin.scn runerr.scn " ]; then
	ok "record leaves no temporary file"
else
	fail "record leaves no temporary file" "$(ls -A "$T/atom")"
fi

# A target that cannot be written: exit 2 before anything runs.
expect_exit "--record-to into a missing folder exits 2" 2 "$CCSIM" run "$T/src.scn" --record-to "$T/nowhere/x.scn"
expect_err "--record-to names what it cannot write" "$T/nowhere/x.scn: cannot write: no folder $T/nowhere"
if [ ! -s "$T/out" ]; then ok "nothing runs when the target cannot be written"; else
	fail "nothing runs when the target cannot be written" "$(head -3 "$T/out")"
fi
expect_exit "--record-to a folder exits 2" 2 "$CCSIM" run "$T/src.scn" --record-to "$T"
# ... or when what it would write does not load from there (includes).
mkdir -p "$T/elsewhere"
expect_exit "--record-to where the includes are not exits 2" 2 "$CCSIM" run "$T/inc/top.scn" --record-to "$T/elsewhere/top.scn"
expect_err "--record-to: the recorded scenario would not load" "the recorded scenario would not load: .*cannot include"
if [ ! -e "$T/elsewhere/top.scn" ]; then ok "--record-to writes nothing that would not load"; else
	fail "--record-to writes nothing that would not load"
fi
finish
