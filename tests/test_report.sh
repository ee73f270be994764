#!/bin/sh
# make report's script: from the studies' CSVs, the attack matrix and the
# calibration table it writes results/report.md with every section and
# its figures (PNG and SVG, non-empty), the same bytes on a rerun; a
# missing input is an error (exit 2) naming it.
. tests/lib.sh
mkdir -p "$T/r/studies"
cp results/studies/*.csv results/studies/attacks.json "$T/r/studies/"
cp results/calibration.json results/calibration.md "$T/r/"
rep() { /usr/bin/python3 harness/report/report.py --ccsim "$CCSIM" --no-run --out "$1"; }
if rep "$T/r" >"$T/out" 2>&1; then ok "report from the studies' CSVs"; else fail "report from the studies' CSVs" "$(cat "$T/out")"; fi
for s in "Attacks: outcome per architecture" "Calibration" "Exit costs" "Memory encryption latency" "Timer delivery on CCA" "Block I/O and bounce buffers"; do
	if grep -q "^## $s" "$T/r/report.md"; then ok "section: $s"; else fail "section: $s"; fi
done
for f in exit-costs memory-encryption timer-injection bounce-buffers calibration; do
	if [ -s "$T/r/figures/$f.png" ] && [ -s "$T/r/figures/$f.svg" ] && grep -q "figures/$f.png" "$T/r/report.md"; then
		ok "figure $f"; else fail "figure $f"; fi
done
cp -r "$T/r" "$T/r2" && rep "$T/r2" >/dev/null 2>&1
if diff -r "$T/r" "$T/r2" >/dev/null; then ok "a rerun writes the same bytes"; else fail "a rerun writes the same bytes" "$(diff -rq "$T/r" "$T/r2" | head -5)"; fi
rm "$T/r/studies/exit-costs.csv"
expect_exit "a missing CSV exits 2" 2 rep "$T/r"
expect_err "the missing CSV is named" "exit-costs.csv: missing"
finish
