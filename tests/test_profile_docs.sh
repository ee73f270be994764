#!/bin/sh
# The profile documentation is true: every key `ccsim profile --keys` lists
# is in docs/profiles.md, every timing key a bundled profile sets carries a
# comment naming its source (or "estimate" and why), and docs/models.md's
# table of them is current (`make docs`). A copy with a key left
# undocumented, a source removed or the table stale is caught.
. tests/lib.sh
here=$(pwd)
bin=$(cd "$(dirname "$CCSIM")" && pwd)/$(basename "$CCSIM")
check() { (cd "$1" && python3 "$here/harness/scripts/profile_docs.py" --ccsim "$bin" --check); }
if check . >"$T/out" 2>&1; then ok "profile docs are true"; else fail "profile docs are true" "$(cat "$T/out")"; fi

copy() {
	rm -rf "$T/c" && mkdir -p "$T/c/models/platform" &&
		cp -r docs "$T/c/" && cp -r models/platform/profiles "$T/c/models/platform/"
}
copy && sed -i '/^| `cache.wb_entries`/d' "$T/c/docs/profiles.md"
expect_exit "an undocumented key fails" 1 check "$T/c"
if grep -q "key cache.wb_entries is not documented" "$T/out"; then ok "the key is named"; else fail "the key is named" "$(cat "$T/out")"; fi
copy && sed -i '/^# Estimate: no CCA silicon/,/^# uncalibrated until/d' "$T/c/models/platform/profiles/cca.ini"
check "$T/c" >"$T/out" 2>&1
if grep -q "cca.ini:[0-9]*: platform.freq_mhz has no comment" "$T/out"; then ok "a timing key without a source fails, file:line"; else fail "a timing key without a source fails, file:line" "$(cat "$T/out")"; fi
copy && sed -i 's/^vm_switch_cycles = 675/vm_switch_cycles = 676/' "$T/c/models/platform/profiles/plain.ini"
expect_exit "a stale timing table fails" 1 check "$T/c"
finish
