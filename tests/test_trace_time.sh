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
finish
