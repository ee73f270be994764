#!/bin/sh
# The fuzz targets, briefly: build them (clang, libFuzzer, ASan + UBSan in
# build/fuzz), then run each over its committed corpus, which holds the
# inputs of every finding fixed so far, and fuzz it for a few seconds more.
# `make fuzz` is the longer run (docs/fuzzing.md).
. tests/lib.sh
secs=${FUZZ_TEST_SECONDS:-4}
if make --no-print-directory -j2 fuzz-build >"$T/build.log" 2>&1; then ok "fuzz targets build"; else
	fail "fuzz targets build" "$(tail -n 20 "$T/build.log")"
	finish
	exit
fi
FUZZ_OUT=$T/run tests/fuzz/run.sh "$secs" >"$T/run.out"
cat "$T/run.out"
fails=$((fails + $(grep -c '^FAIL' "$T/run.out")))
finish
