#!/bin/sh
# Record the bundled memory traces (scenarios/traces/*.cctrace) from real
# programs run under valgrind's lackey (--trace-mem=yes), converted with
# `ccsim memtrace convert`: a compression (gzip), a sort (sort -n) and a
# small database query (sqlite3). The inputs are generated here, the same
# bytes every time. Each trace skips the program's start-up (the dynamic
# loader, libc's initialisation, reading the input) and keeps the next
# accesses, from the middle of the work.
#
# usage: harness/scripts/record-traces.sh [OUTDIR]   (default scenarios/traces)
#   CCSIM=path/to/ccsim  the CLI to convert with (default build/ccsim)
#   LIMIT=N              accesses to keep per trace (default 262144)
#
# The programs are Debian's, so addresses and counts follow their versions:
# a rerun on another release records the same work, not the same bytes.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
ccsim=${CCSIM:-$root/build/ccsim}
out=${1:-$root/scenarios/traces}
limit=${LIMIT:-262144}
"$root/harness/deps.sh" valgrind sqlite3 gzip coreutils python3
[ -x "$ccsim" ] || { echo "record-traces: $ccsim not built (make all)" >&2; exit 2; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the inputs: 256 KiB of words from a fixed generator, 5,000 numbers, a
# 5,000-row table
python3 - "$work" <<'PY'
import sys
d = sys.argv[1]
x = 12345
def rnd():
    global x
    x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
    return x >> 33
words = ["enclave", "realm", "granule", "page", "table", "monitor", "guest", "host",
         "key", "cache", "line", "memory", "attest", "token", "measure", "the", "a", "of"]
with open(d + "/text.txt", "w") as f:
    n = 0
    while n < 1 << 18:
        w = words[rnd() % len(words)] + (" " if rnd() % 12 else "\n")
        f.write(w)
        n += len(w)
with open(d + "/numbers.txt", "w") as f:
    for _ in range(5000):
        f.write("%d\n" % (rnd() % 1000000))
with open(d + "/setup.sql", "w") as f:
    f.write("CREATE TABLE t (k INTEGER PRIMARY KEY, g INTEGER, v INTEGER, s TEXT);\n"
            "BEGIN;\n")
    for k in range(5000):
        f.write("INSERT INTO t VALUES (%d, %d, %d, '%s');\n"
                % (k, rnd() % 97, rnd() % 100000, words[rnd() % len(words)]))
    f.write("COMMIT;\nCREATE INDEX tg ON t (g);\n")
with open(d + "/query.sql", "w") as f:
    f.write("SELECT g, count(*), sum(v), max(s) FROM t GROUP BY g ORDER BY 3 DESC;\n"
            "SELECT s, avg(v) FROM t WHERE g BETWEEN 10 AND 40 GROUP BY s;\n")
PY
sqlite3 "$work/db.sqlite" < "$work/setup.sql"

# record NAME SKIP COMMAND...: the trace on fd 3, the program's output dropped
record() {
	name=$1 skip=$2
	shift 2
	echo "record-traces: $name: $*" >&2
	valgrind --tool=lackey --trace-mem=yes --log-fd=3 "$@" 3>&1 >/dev/null 2>/dev/null |
		"$ccsim" memtrace convert - "$out/$name.cctrace" --skip "$skip" --limit "$limit"
	"$ccsim" memtrace info "$out/$name.cctrace" | sed "s/^/  /" >&2
}
record gzip 7000000 gzip -6 -c "$work/text.txt"
record sort 3000000 sort -n "$work/numbers.txt"
record sqlite 5000000 sqlite3 "$work/db.sqlite" "$(cat "$work/query.sql")"
