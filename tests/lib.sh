# Helpers for the scenario tests: each check prints "ok NAME" or "FAIL NAME"
# and the script exits non-zero at the end if any failed.
: "${CCSIM:=build/ccsim}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

ok() { echo "ok $1"; }
fail() { echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '    %s\n' "$@"; fails=$((fails + 1)); }

# expect_exit NAME STATUS CMD...: run CMD, check its exit status.
expect_exit() {
	name=$1 want=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		fail "$name" "exit $got, expected $want: $*" "$(head -c 600 "$T/err")"
	fi
}

# expect_err NAME PATTERN: the last command's stderr matches PATTERN (grep -E).
expect_err() {
	if grep -Eq -- "$2" "$T/err"; then ok "$1"; else
		fail "$1" "stderr does not match /$2/:" "$(head -c 600 "$T/err")"
	fi
}

# json_field FILE KEY: the first "KEY": "value" string in a JSON file.
json_field() { sed -n "s/.*\"$2\": \"\\([^\"]*\\)\".*/\\1/p" "$1" | head -n 1; }

finish() { [ "$fails" -eq 0 ]; }
