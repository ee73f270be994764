#!/bin/sh
# Run every unit test binary under build folder $1, then (unless $2 = unit)
# the scenario tests in tests/*.sh with CCSIM pointing at $1/ccsim.
# Ends with one line "N passed, M failed" and exits non-zero on any failure.
set -u
B=${1:-build}
mode=${2:-all}
passed=0
failed=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# The binaries of the unit tests beside the code (one per tests/test_*.c).
for src in $(ls sim/tests/test_*.c models/*/tests/test_*.c models/*/*/tests/test_*.c \
	stacks/*/tests/test_*.c harness/sweep/tests/test_*.c harness/trace/tests/test_*.c \
	harness/tests/test_*.c 2>/dev/null | sort); do
	t="$B/${src%.c}"
	if "$t" >"$log" 2>&1; then
		passed=$((passed + 1))
		n=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$4} END {print s+0}')
		printf '  ok    %-52s %s tests\n' "${t#"$B"/}" "$n"
	else
		failed=$((failed + 1))
		failures="$failures ${t#"$B"/}"
		printf '  FAIL  %s\n' "${t#"$B"/}"
		sed 's/^/        /' "$log"
	fi
done

if [ "$mode" != unit ]; then
	for t in tests/test_*.sh; do
		[ -f "$t" ] || continue
		if CCSIM="$B/ccsim" B="$B" sh "$t" >"$log" 2>&1; then
			passed=$((passed + 1))
			printf '  ok    %-52s %s checks\n' "$t" "$(grep -c '^ok ' "$log")"
		else
			failed=$((failed + 1))
			failures="$failures $t"
			printf '  FAIL  %s\n' "$t"
			sed 's/^/        /' "$log"
		fi
	done
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
