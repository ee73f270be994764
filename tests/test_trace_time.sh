#!/bin/sh
# Trace records carry the cycle at which they happened: inside one long step
# (a guest run of millions of cycles) the records spread over the step, and
# time never goes backwards.
. tests/lib.sh
for p in plain cca sev-snp; do
	scn=scenarios/guests/timer-tick.scn
	[ "$p" = sev-snp ] && scn=scenarios/guests/sev-lifecycle.scn
	if ! "$CCSIM" run "$scn" --profile "$p" --out "$T/$p" >/dev/null 2>"$T/err"; then
		fail "$p: run $scn" "$(cat "$T/err")"
		continue
	fi
	awk '{ t = $1 + 0; if (t < last) back++; last = t; seen[t] = 1; n++ }
	     END { d = 0; for (k in seen) d++; printf "%d %d %d\n", n, d, back + 0 }' \
		"$T/$p/trace.txt" >"$T/counts"
	read -r n distinct back <"$T/counts"
	if [ "$back" -eq 0 ]; then ok "$p: trace time never goes backwards"; else
		fail "$p: trace time never goes backwards" "$back records earlier than the one before"
	fi
	# guest exits, injections and monitor calls each at their own cycle:
	# far more distinct times than steps
	if [ "$distinct" -gt $((n / 4)) ]; then ok "$p: records carry their own cycle"; else
		fail "$p: records carry their own cycle" "$n records, only $distinct distinct times"
	fi
done
# Every step ends exactly its own cycles after it began, on every bundled
# scenario and profile: whatever a step's agents did in between (firmware
# commands, RMP instructions, guest runs), no time is lost or invented.
python3 - "$CCSIM" "$T" >"$T/steps" 2>&1 <<'PY'
import json, re, subprocess, sys
ccsim, tmp = sys.argv[1], sys.argv[2]
runs = json.load(open("results/reference/matrix.json"))
runs = runs["runs"] if isinstance(runs, dict) else runs
bad = 0
for r in runs:
    out = f"{tmp}/steps_run"
    subprocess.run([ccsim, "run", r["scenario"], "--profile", r["profile"], "--out", out,
                    "--quiet"], capture_output=True)
    start = None
    for line in open(f"{out}/trace.txt"):
        f = line.split()
        if len(f) > 2 and f[1] == "scenario" and f[2] == "step":
            start = int(f[0])
        elif len(f) > 2 and f[1] == "scenario" and f[2] == "step.done":
            cyc = int(re.search(r"cycles=(\S+)", line).group(1), 0)
            if int(f[0]) != start + cyc:
                bad += 1
                print(f"{r['scenario']} {r['profile']}: step at {start} took {cyc} "
                      f"but ended at {f[0]}")
print(f"{len(runs)} runs, {bad} steps off")
PY
if tail -1 "$T/steps" | grep -q ' 0 steps off$'; then ok "every step ends its own cycles after it began"; else
	fail "every step ends its own cycles after it began" "$(head -5 "$T/steps")"
fi
finish
