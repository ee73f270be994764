#!/bin/sh
# make install, and an external program built against the installed copy
# with pkg-config (harness/api/examples/run_scenario.c, docs/api.md): it
# runs a scenario through libccsim and gets the digest `ccsim run` prints.
. "$(dirname "$0")/lib.sh"
B=$(dirname "$CCSIM")
P="$T/prefix"
if make --no-print-directory install B="$B" PREFIX="$P" >"$T/install.log" 2>&1; then
	ok "make install PREFIX=..."
else
	fail "make install PREFIX=..." "$(tail -n 20 "$T/install.log")"
fi
missing=
for f in bin/ccsim lib/libccsim.a lib/libccsim.so lib/libccsim.so.1 include/ccsim/ccsim.h \
	lib/pkgconfig/ccsim.pc share/ccsim/profiles/cca.ini; do
	[ -e "$P/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "installs the CLI, both libraries, headers, profiles, ccsim.pc"; else
	fail "installs the CLI, both libraries, headers, profiles, ccsim.pc" "missing:$missing"; fi

export PKG_CONFIG_PATH="$P/lib/pkgconfig"
ver=$("$CCSIM" version | cut -d' ' -f2)
if [ "$(pkg-config --modversion ccsim)" = "$ver" ] &&
   [ "$(pkg-config --variable=profiledir ccsim)" = "$P/share/ccsim/profiles" ]; then
	ok "pkg-config knows ccsim $ver and its profiles"
else
	fail "pkg-config knows ccsim $ver and its profiles" "$(pkg-config --modversion ccsim 2>&1)"
fi

# only the public interface leaves the shared library
if nm -D --defined-only "$P/lib/libccsim.so" | awk '{ print $3 }' | grep -qv '^ccsim_'; then
	fail "libccsim.so exports ccsim_* only" "$(nm -D --defined-only "$P/lib/libccsim.so" |
		awk '{ print $3 }' | grep -v '^ccsim_' | head -n 5)"
else
	ok "libccsim.so exports ccsim_* only"
fi

# the public headers stand alone, in C and in C++
for h in "$P"/include/ccsim/*.h; do
	name=ccsim/$(basename "$h")
	if printf '#include <%s>\n' "$name" | cc -std=c11 -Wall -Wextra -Werror -fsyntax-only \
		$(pkg-config --cflags ccsim) -x c - 2>"$T/err" &&
	   printf '#include <%s>\n' "$name" | c++ -Wall -Wextra -Werror -fsyntax-only \
		$(pkg-config --cflags ccsim) -x c++ - 2>>"$T/err"; then
		ok "$name compiles alone in C and C++"
	else
		fail "$name compiles alone in C and C++" "$(head -c 600 "$T/err")"
	fi
done

# an external program, built against the installed copy
prog="$T/run_scenario"
if cc -std=c11 -Wall -Wextra -Werror harness/api/examples/run_scenario.c \
	$(pkg-config --cflags --libs ccsim) -o "$prog" 2>"$T/err"; then
	ok "an external program builds with pkg-config --cflags --libs ccsim"
else
	fail "an external program builds with pkg-config --cflags --libs ccsim" "$(head -c 600 "$T/err")"
fi
scn=scenarios/guests/realm-lifecycle.scn
want=$("$CCSIM" run $scn --profile cca | sed -n 's/.*digest: //p')
LD_LIBRARY_PATH="$P/lib" "$prog" $scn cca "$T/out" hv.g0.exits >"$T/api.out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "^digest: $want\$" "$T/api.out" &&
   grep -q "PASS" "$T/api.out" && grep -q "^outcome: not-attack" "$T/api.out"; then
	ok "it runs $scn through libccsim: ccsim run's digest"
else
	fail "it runs $scn through libccsim: ccsim run's digest" "exit $rc, want $want" \
		"$(cat "$T/api.out" "$T/err" | head -c 800)"
fi
if grep -Eq '^stat hv.g0.exits = [1-9]' "$T/api.out" &&
   grep -Eq '^trace: [0-9]+ records, [1-9][0-9]* monitor calls' "$T/api.out"; then
	ok "it reads the run's statistics and its decoded trace"
else
	fail "it reads the run's statistics and its decoded trace" "$(head -c 800 "$T/api.out")"
fi
LD_LIBRARY_PATH="$P/lib" "$prog" "$T/none.scn" cca "$T/out2" >"$T/api.out" 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "none.scn" "$T/err"; then
	ok "a missing scenario is a clear error through the API"
else
	fail "a missing scenario is a clear error through the API" "exit $rc" "$(head -c 400 "$T/err")"
fi
LD_LIBRARY_PATH="$P/lib" "$prog" $scn no-such-profile "$T/out3" >"$T/api.out" 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'unknown profile "no-such-profile"' "$T/err"; then
	ok "an unknown profile is a clear error through the API"
else
	fail "an unknown profile is a clear error through the API" "exit $rc" "$(head -c 400 "$T/err")"
fi

# the installed CLI finds its profiles from anywhere
here=$(pwd)
if (cd "$T" && "$P/bin/ccsim" run "$here/$scn" --profile cca >"$T/cli.out" 2>"$T/err") &&
   grep -q "digest: $want" "$T/cli.out"; then
	ok "the installed ccsim finds its profiles in share/ccsim"
else
	fail "the installed ccsim finds its profiles in share/ccsim" "$(head -c 400 "$T/err")"
fi
finish
