#!/bin/sh
# Install the Debian packages ccsim needs, if any are missing. Idempotent and
# quiet: prints nothing when everything is already there. With arguments:
# those packages instead (harness/scripts/record-traces.sh asks for valgrind).
set -eu
# slurmctld, slurmd, slurm-client and munge: tests/test_slurm.sh runs a sweep
# as a job array on a one-node cluster of its own. python3-matplotlib and
# python3-numpy: make report's figures (Debian's /usr/bin/python3). clang and
# libclang-rt-14-dev (libFuzzer and the sanitizer runtimes, only recommended
# by clang): make fuzz and tests/test_fuzz.sh. libxml2-utils (xmllint):
# tests/test_matrix_output.sh validates the matrix's JUnit report. g++ and
# libsystemc-dev (SystemC 2.3 with TLM-2.0): the adapter in sysc/, its
# example (tests/test_sysc.sh) and make bench's SystemC figures.
pkgs="gcc make pkg-config libglib2.0-dev libcmocka-dev libssl-dev gcovr python3 cppcheck
slurmctld slurmd slurm-client munge python3-matplotlib python3-numpy clang libclang-rt-14-dev
libxml2-utils g++ libsystemc-dev"
[ $# -gt 0 ] && pkgs="$*"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
		echo "deps: need root (or sudo) to install:$missing" >&2; exit 1
	fi
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
