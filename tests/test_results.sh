#!/bin/sh
# A step's result as captures, expectations and summary.json see it: every
# register the call returned (x1.., and rcx.. on a TDX result), the raw
# status with its name from the space of the ABI that returned it, and
# long bytes in a file summary.json names with their SHA-256.
. "$(dirname "$0")/lib.sh"
S=tests/data/results/regs.scn

# check NAME DIR PYTHON: run a check on DIR/summary.json (as s) in Python;
# it prints what is wrong, nothing when all is right
check() {
	name=$1 dir=$2
	shift 2
	got=$(python3 - "$dir" "$@" 2>&1 <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
s = json.load(open(os.path.join(d, "summary.json")))
exp = {e["line"]: e for e in s["expectations"]}
steps = {st["text"].split(" -> ")[-1] if " -> " in st["text"] else st["text"]: st for st in s["steps"]}
def fails_only(want, passed):
    """the expectations of lines want (line: observed) fail, passed others pass"""
    for line, e in exp.items():
        if line in want and (e["result"] != "fail" or e["observed"] != want[line]):
            print(line, e)
        if line not in want and e["result"] not in ("pass", "skipped"):
            print(line, e)
    if sum(e["result"] == "pass" for e in exp.values()) != passed:
        print("passed", [l for l, e in exp.items() if e["result"] == "pass"])
exec(sys.argv[2])
EOF
)
	if [ -z "$got" ]; then ok "$name"; else fail "$name" "$got"; fi
}

for p in cca tdx; do
	expect_exit "regs.scn on $p: the expectations meant to fail fail" 1 \
		"$CCSIM" run $S --profile $p --out "$T/$p"
done

# Every expectation holds but the four meant to fail, which say why.
check "RSI X0 compares as 0 and rsi.success, PSCI's by name, registers by name" "$T/cca" '
want = {43: "the step returns x1 only",
        44: "rcx names a TDX register; this result is rsi'"'"'s (x1..x2)",
        46: "the step returns no registers"}
fails_only(want, 11)'
check "TDCALL and SEAMCALL registers by their TDX names" "$T/tdx" '
fails_only({45: "the step returns x1..x6 only"}, 8)'

# summary.json: each step's registers, as many as the call returned, its
# raw status and the name of its space
check "summary.json: RMI_FEATURES returns x1, TDX off tdx" "$T/cca" '
f, lp = steps["feat"], steps["lp"]
if (f.get("status"), f.get("x0"), "x1" in f, "x2" in f) != ("rmi.success", 0, True, False):
    print(f)
if (lp.get("status"), lp.get("x0"), "x1" in lp) != ("tdx.unsupported", 0xFFFF00FF00000000, False):
    print(lp)'
check "summary.json: a SEAMCALL returns x1..x6" "$T/tdx" '
lp = steps["lp"]
if lp.get("status") != "tdx.sys_lp_init_done" or [k for k in lp if k[0] == "x"] != ["x0", "x1", "x2", "x3", "x4", "x5", "x6"]:
    print(lp)'

# A guest's image is no string in summary.json: the file it names holds it,
# with its length and SHA-256, the same bytes as the capture's
check "summary.json: no field longer than 600 bytes; the image in a file" "$T/cca" '
def walk(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, path + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, "%s[%d]" % (path, i))
    elif isinstance(v, str) and len(v) > 600:
        print(path, len(v))
walk(s, "")
img = steps["img"]
f = os.path.join(d, img.get("data_file", "?"))
b = open(f, "rb").read() if os.path.exists(f) else b""
if img.get("data_file") != "captures/steps/0.bin" or "data" in img or len(b) <= 256:
    print(img)
if img.get("data_len") != len(b) or img.get("data_sha256") != hashlib.sha256(b).hexdigest():
    print("data_file does not match", img, len(b))
if b != open(os.path.join(d, "captures", "img.bin"), "rb").read():
    print("captures/steps/0.bin is not the capture img")'

# Statuses by their own space in summary.json and the trace: a RIM mismatch
# is the verifier's, an SEV command off sev the SEV firmware's
"$CCSIM" run scenarios/attacks/rim-image-tamper.scn --profile cca --out "$T/rim" --quiet
check "summary.json: the verifier's RIM mismatch is verify.rim_mismatch" "$T/rim" '
v = steps["v"]
if (v.get("status"), v.get("x0")) != ("verify.rim_mismatch", 2):
    print(v)'
if grep -q "step.done .*status=verify.rim_mismatch" "$T/rim/trace.txt"; then
	ok "trace: the verifier's RIM mismatch is verify.rim_mismatch"
else
	fail "trace: the verifier's RIM mismatch is verify.rim_mismatch" \
		"$(grep "step.done" "$T/rim/trace.txt" | tail -2)"
fi
"$CCSIM" run scenarios/attacks/asid-reuse-sev.scn --profile plain --out "$T/sev" --quiet
check "summary.json: host.sev off sev is sev.unsupported" "$T/sev" '
st = [x for x in s["steps"] if x["text"].startswith("host.sev")]
if not st or any((x.get("status"), x.get("x0")) != ("sev.unsupported", 255) for x in st):
    print(st[:2])'

# docs/outputs.md's example is a real run's: its step and expectation lines
# are in that run's summary.json as they are
sed -n '/^### summary.json/,/^```$/p' docs/outputs.md | sed -n '/^```json/,/^```$/p' |
	grep '^    {"line"' | sed 's/,$//' >"$T/doc-lines"
missing=0
while IFS= read -r l; do
	grep -qF -- "$l" "$T/rim/summary.json" || missing=$((missing + 1))
done <"$T/doc-lines"
if [ -s "$T/doc-lines" ] && [ $missing -eq 0 ]; then
	ok "docs/outputs.md: the summary.json example is a run's ($(wc -l <"$T/doc-lines") lines)"
else
	fail "docs/outputs.md: the summary.json example is a run's" "$missing lines not in a run"
fi

# The parser knows the fields and the names of every space.
# expect_line NAME LINE [MESSAGE]: an expectation on an RMI_VERSION capture
# parses (and holds), or is refused at line 3 with MESSAGE
expect_line() {
	printf 'profiles cca\nhost.rmi version req=0x10000 -> v\n%s\n' "$2" >"$T/$1.scn"
	if [ $# -eq 2 ]; then
		expect_exit "$1: parses and holds" 0 "$CCSIM" run "$T/$1.scn" --profile cca
	else
		expect_exit "$1: refused" 2 "$CCSIM" run "$T/$1.scn" --profile cca
		expect_err "$1: named" "$1.scn:3:$3"
	fi
}
expect_line x9 "expect v.x9 == 0" \
	"10: unknown field \"x9\" \(expected fault, status, cycles, x1..x8, or on a TDX result rcx, rdx, r8..r13\)"
expect_line rcx_name "expect v.rcx == tdx.success" "17: v.rcx compares with a number"
expect_line psci_bogus "expect v.status == psci.bogus" "20: unknown status \"psci.bogus\""
expect_line psci_denied "expect v.status != psci.denied"
expect_line x2_le "expect v.x2 <= 0x10000"

# Registers survive a checkpoint: a run restored after the RMI call writes
# the summary.json of the uninterrupted one
"$CCSIM" run $S --profile cca --checkpoint-after 4 --checkpoint "$T/ck" --quiet
"$CCSIM" run $S --profile cca --restore "$T/ck" --out "$T/rest" --quiet
if [ "$(grep -v restored_from "$T/cca/summary.json")" = "$(grep -v restored_from "$T/rest/summary.json")" ] &&
   cmp -s "$T/cca/captures/steps/0.bin" "$T/rest/captures/steps/0.bin"; then
	ok "registers and step files come back from a checkpoint"
else
	fail "registers and step files come back from a checkpoint" \
		"$(diff "$T/cca/summary.json" "$T/rest/summary.json" | head -6)"
fi
finish
