#!/bin/sh
# `ccsim profile NAME --stats` lists exactly the counters a run's stats.json
# holds (the scenario's VMs aside, which add <vm>.* like host.*), each with a
# kind and a description.
. tests/lib.sh
scn=scenarios/examples/first-steps.scn
for p in plain cca cca-ctr-tree; do
	if ! "$CCSIM" profile "$p" --stats >"$T/list" 2>"$T/err"; then
		fail "$p: profile --stats runs" "$(cat "$T/err")"
		continue
	fi
	if ! "$CCSIM" run "$scn" --profile "$p" --out "$T/run-$p" >/dev/null 2>"$T/err"; then
		fail "$p: run $scn" "$(cat "$T/err")"
		continue
	fi
	python3 - "$T/list" "$T/run-$p/stats.json" >"$T/diff" <<'PY'
import json, sys
listed, kinds = set(), {}
for line in open(sys.argv[1]):
    f = line.split(None, 2)
    if len(f) < 3 or f[1] not in ("count", "cycles", "hist") or not f[2].strip():
        print("malformed line: " + line.rstrip())
        continue
    listed.add(f[0])
    kinds[f[0]] = f[1]
def walk(d, pre, out):
    for k, v in d.items():
        name = pre + k
        if isinstance(v, dict) and "log2_buckets" not in v:
            walk(v, name + ".", out)
        else:
            out.add(name)
ran = set()
walk(json.load(open(sys.argv[2]))["stats"], "", ran)
ran = {n for n in ran if not n.startswith("guest.") and not n.startswith("phase.")}
expected = set(listed) | {n + "_ns" for n in listed if kinds[n] == "cycles"}
for n in sorted(expected - ran):
    print("listed, not in stats.json: " + n)
for n in sorted(ran - expected):
    print("in stats.json, not listed: " + n)
PY
	if [ -s "$T/diff" ]; then
		fail "$p: --stats matches stats.json" "$(head -20 "$T/diff")"
	else
		ok "$p: --stats matches stats.json"
	fi
done
expect_exit "profile --stats on an unknown profile" 2 "$CCSIM" profile no-such --stats
finish
