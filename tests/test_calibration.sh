#!/bin/sh
# Calibration: the published CVM measurements (harness/calibration/
# targets.json, from ../shared/CALIBRATION.md) are reproduced inside their
# bands, and results/calibration.md is what the model gives now (rebuild it
# with `make calibration`). The script itself flags a row out of band and
# refuses a bad targets file.
. tests/lib.sh
cal="python3 harness/scripts/calibrate.py --ccsim $CCSIM --work $T/runs"
if $cal --md "$T/cal.md" --json "$T/cal.json" --check-file results/calibration.md >"$T/out" 2>"$T/err"; then
	ok "every measured row in its band; results/calibration.md up to date"
else
	fail "every measured row in its band; results/calibration.md up to date" "$(cat "$T/out" "$T/err")"
fi
for id in C1 C2 C3 C4 C5 T1; do
	if grep -q "^| $id |.*| in band |$" "$T/cal.md"; then ok "$id in band"; else fail "$id in band" "$(grep "^| $id |" "$T/cal.md")"; fi
done
# a TDX row runs on its own CVM profile against the file's VM profile
if grep -q '^| T1 |[^|]*| `plain` / `tdx` |' "$T/cal.md"; then ok "T1 compares tdx with plain"; else fail "T1 compares tdx with plain" "$(grep '^| T1 |' "$T/cal.md")"; fi

# a band the model cannot meet (C1 alone, narrowed): exit 1, the row marked
python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
t["rows"] = [dict(t["rows"][0], band=[0.90, 1.00])]
json.dump(t, open(sys.argv[2], "w"))' harness/calibration/targets.json "$T/narrow.json"
expect_exit "a row out of band exits 1" 1 $cal --targets "$T/narrow.json" --md "$T/n.md" --json "$T/n.json"
if grep -q "^| C1 |.*OUT OF BAND" "$T/n.md"; then ok "the row is marked out of band"; else fail "the row is marked out of band" "$(grep '^| C1 |' "$T/n.md")"; fi
# a targets file that does not parse: exit 2 with its name
printf '{"format": "ccsim.calibration-targets/1", "rows": [' >"$T/bad.json"
expect_exit "a bad targets file exits 2" 2 $cal --targets "$T/bad.json" --md "$T/b.md" --json "$T/b.json"
expect_err "a bad targets file is named" "bad.json"
# a row with no CVM profile, its own or the file's: exit 2, the row named
python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
del t["cvm_profile"]
t["rows"] = [t["rows"][0]]
json.dump(t, open(sys.argv[2], "w"))' harness/calibration/targets.json "$T/noprof.json"
expect_exit "a row without a CVM profile exits 2" 2 $cal --targets "$T/noprof.json" --md "$T/p.md" --json "$T/p.json"
expect_err "the row without a profile is named" "row C1 has no 'cvm_profile'"
finish
