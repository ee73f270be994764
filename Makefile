# ccsim: one Makefile. Targets: all test demo bench coverage check fuzz install clean.
# Variants build into their own folder: B=build (default, -O2), build/asan,
# build/cov, build/o0; `make B=build/o0 OPT=-O0` works for any of them.

B       ?= build
OPT     ?= -O2
CC      ?= cc
PKGS    := glib-2.0 libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-missing-field-initializers -I. -MMD -MP $(PKG_CFLAGS) $(XCFLAGS)
LDLIBS  += $(PKG_LIBS) -lm -ldl
LDFLAGS += $(XLDFLAGS)

# harness/ holds one folder a subject (harness/README.md), each with its unit
# tests in tests/; bench/ is a program of its own.
CLI_MAIN  := harness/cli/main.c
TEST_SRCS := $(sort $(wildcard sim/tests/test_*.c models/*/tests/test_*.c \
             models/*/*/tests/test_*.c stacks/*/tests/test_*.c \
             harness/*/tests/test_*.c tests/test_*.c))
LIB_SRCS  := $(filter-out $(CLI_MAIN) harness/bench/% $(TEST_SRCS),$(sort $(wildcard sim/*.c \
             models/*/*.c models/*/*/*.c stacks/*/*.c harness/*/*.c)))
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/obj/%.o)
TEST_BINS := $(TEST_SRCS:%.c=$(B)/%)
CLI       := $(B)/ccsim
LIB       := $(B)/libccsim.a

# Monitor plug-ins (docs/monitor-api.md): the built-in RMM's sources, and
# what they use of the rest, built position-independent with only the entry
# point exported (objects of their own in $(B)/plugobj); one library per
# entry file in models/monitor/rmm/plugin/. The test fixtures in
# tests/data/monitor/ are built with the unit tests.
RMM_PLUGIN_SRCS := $(wildcard models/monitor/rmm/rmm*.c) \
             models/monitor/attest/cca_token.c models/monitor/attest/cbor.c \
             models/monitor/attest/p384.c models/cpu/vcpu.c sim/buf.c
RMM_PLUGIN_OBJS := $(RMM_PLUGIN_SRCS:%.c=$(B)/plugobj/%.o)
# ... and the SNP firmware's, one library per entry file in
# models/monitor/snp/plugin/.
SNP_PLUGIN_SRCS := $(filter-out %/snp_abi.c,$(wildcard models/monitor/snp/snp*.c)) \
             models/mmu/rmp.c models/mmu/rmp_ops.c models/monitor/attest/p384.c \
             models/monitor/uv/se_crypto.c sim/buf.c
SNP_PLUGIN_OBJS := $(SNP_PLUGIN_SRCS:%.c=$(B)/plugobj/%.o)
# ... and the TDX module's (models/monitor/tdx/plugin/).
TDX_PLUGIN_SRCS := $(wildcard models/monitor/tdx/tdx*.c) models/mmu/sept.c models/mmu/pamt.c \
             models/cpu/vcpu.c sim/buf.c
TDX_PLUGIN_OBJS := $(TDX_PLUGIN_SRCS:%.c=$(B)/plugobj/%.o)
PLUGINS   := $(patsubst models/monitor/rmm/plugin/rmm_%.c,$(B)/plugins/rmm-%.so,\
             $(wildcard models/monitor/rmm/plugin/rmm_*.c)) \
             $(patsubst models/monitor/snp/plugin/snp_%.c,$(B)/plugins/snp-%.so,\
             $(wildcard models/monitor/snp/plugin/snp_*.c)) \
             $(patsubst models/monitor/tdx/plugin/tdx_%.c,$(B)/plugins/tdx-%.so,\
             $(wildcard models/monitor/tdx/plugin/tdx_*.c))
TEST_PLUGINS := $(patsubst tests/data/monitor/%.c,$(B)/plugins/test-%.so,\
             $(wildcard tests/data/monitor/*.c))

# The SystemC TLM-2.0 adapter (sysc/, docs/systemc.md): built with `all`
# when SystemC is installed (harness/deps.sh installs libsystemc-dev).
SYSC_OK   := $(shell pkg-config --exists systemc 2>/dev/null && echo 1)
SYSC_CXXFLAGS := -std=c++17 $(OPT) -g -Wall -Wextra -Werror -I. -MMD -MP \
             $(shell pkg-config --cflags systemc 2>/dev/null) $(XCFLAGS)
SYSC_LIBS := $(shell pkg-config --libs systemc 2>/dev/null)
SYSC_BINS := $(B)/sysc/cc_vp $(B)/sysc/bench_sysc $(B)/sysc/test_target
SYSC_OBJ  := $(B)/obj/sysc/ccsim_tlm.o

.PHONY: all deps reference calibration docs report test unit scenario-test demo bench coverage check cppcheck clean \
	fuzz fuzz-build fuzz-bins fuzz-coverage
all: $(CLI) $(LIB) $(PLUGINS) $(if $(SYSC_OK),$(SYSC_BINS))

deps:
	@harness/deps.sh

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

.PRECIOUS: $(B)/plugobj/%.o
$(B)/plugobj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC -fPIC -fvisibility=hidden $<"
	@$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(B)/plugins/rmm-%.so: $(B)/plugobj/models/monitor/rmm/plugin/rmm_%.o $(RMM_PLUGIN_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -shared -Wl,--no-undefined -o $@ $^ $(LDLIBS)

$(B)/plugins/snp-%.so: $(B)/plugobj/models/monitor/snp/plugin/snp_%.o $(SNP_PLUGIN_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -shared -Wl,--no-undefined -o $@ $^ $(LDLIBS)

$(B)/plugins/tdx-%.so: $(B)/plugobj/models/monitor/tdx/plugin/tdx_%.o $(TDX_PLUGIN_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -shared -Wl,--no-undefined -o $@ $^ $(LDLIBS)

$(B)/plugins/test-%.so: $(B)/plugobj/tests/data/monitor/%.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -shared -o $@ $^

$(LIB): $(LIB_OBJS)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(CLI): $(B)/obj/$(CLI_MAIN:.c=.o) $(LIB)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

sysc: $(SYSC_BINS)
.PHONY: sysc

$(B)/obj/sysc/%.o: sysc/%.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX     $<"
	@$(CXX) $(SYSC_CXXFLAGS) -c $< -o $@

$(B)/sysc/cc_vp: $(B)/obj/sysc/examples/cc_vp.o $(SYSC_OBJ) $(LIB)
$(B)/sysc/bench_sysc: $(B)/obj/sysc/bench_sysc.o $(SYSC_OBJ) $(LIB)
$(B)/sysc/test_target: $(B)/obj/sysc/tests/test_target.o $(SYSC_OBJ) $(LIB)
$(SYSC_BINS):
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CXX) $(LDFLAGS) -o $@ $^ $(SYSC_LIBS) $(LDLIBS)

$(B)/%: %.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $<"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(CMOCKA_LIBS) $(LDLIBS)

# Every unit test, then the scenario tests (matrix over scenarios/ + golden
# digests + determinism across builds). CCSIM is the CLI under test.
test: deps
	@$(MAKE) --no-print-directory all tests-build
	@harness/run_tests.sh $(B)

tests-build: $(TEST_BINS) $(PLUGINS) $(TEST_PLUGINS)
.PHONY: tests-build

unit: $(TEST_BINS)
	@harness/run_tests.sh $(B) unit

demo: deps
	@$(MAKE) --no-print-directory all
	@$(CLI) matrix scenarios --json $(B)/matrix.json

# Checkpoint / restore at every step of every bundled scenario on every
# profile it declares (thousands of runs: not part of make test).
restore-check: all
	@JOBS=$${JOBS:-2} harness/scripts/restore-everywhere.sh $(CLI)
.PHONY: restore-check

# The scenario tests alone: every bundled scenario's expectations, and the
# matrix against the committed reference. COMPARE=outcomes leaves cycles and
# digests out (a timing change passes); exact, the default, compares them.
COMPARE ?= exact
scenario-test: all
	@$(CLI) matrix scenarios -j $${JOBS:-2} --reference results/reference/matrix.json \
		--compare $(COMPARE)

# Regenerate the golden matrix the tests compare against (review the diff).
reference: all
	@$(CLI) matrix scenarios --json results/reference/matrix.json

# Reproduce the published CVM measurements: results/calibration.md (review
# the diff; tests/test_calibration.sh checks the bands and that it is current).
calibration: all
	@python3 harness/scripts/calibrate.py --ccsim $(CLI)

# Run the bundled studies (studies/*.sweep) and write results/report.md with
# its figures; uses Debian's python3 with matplotlib (harness/deps.sh).
report: deps
	@$(MAKE) --no-print-directory all
	@python3 harness/scripts/calibrate.py --ccsim $(CLI) >/dev/null
	@/usr/bin/python3 harness/report/report.py --ccsim $(CLI)

# Regenerate docs/models.md's table of the profiles' timing constants.
docs: all
	@python3 harness/scripts/profile_docs.py --ccsim $(CLI) --write

bench: deps
	@$(MAKE) --no-print-directory all $(B)/bench
	@$(B)/bench $(B)/bench.json

BENCH_SRCS := harness/bench/bench.c harness/bench/bench_runs.c harness/bench/bench_sysc.c
$(B)/bench: $(BENCH_SRCS) harness/bench/bench.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(BENCH_SRCS) $(LIB) $(LDLIBS)

# libccsim for other programs (docs/api.md): the CLI, the static and the
# shared library (position-independent objects of their own in $(B)/pic; only
# the ccsim_* interface exported), the public headers, the profiles and a
# pkg-config file. `make install PREFIX=DIR` (default /usr/local; DESTDIR
# for staging).
PREFIX   ?= /usr/local
SO_MAJOR := 1
SOLIB    := $(B)/libccsim.so
PIC_OBJS := $(LIB_SRCS:%.c=$(B)/pic/%.o)

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC -fPIC $<"
	@$(CC) $(CFLAGS) -fPIC -c $< -o $@

$(SOLIB): $(PIC_OBJS) harness/api/libccsim.map
	@echo "  LD      $@"
	@$(CC) -shared $(LDFLAGS) -Wl,-soname,libccsim.so.$(SO_MAJOR) \
		-Wl,--version-script=harness/api/libccsim.map -o $@ $(PIC_OBJS) $(LDLIBS)

shared: $(SOLIB)

install: all $(SOLIB)
	@d='$(DESTDIR)$(PREFIX)'; set -e; \
	install -d "$$d/bin" "$$d/lib/pkgconfig" "$$d/include/ccsim" "$$d/share/ccsim/profiles"; \
	install -m 755 $(CLI) "$$d/bin/ccsim"; \
	install -m 644 $(LIB) "$$d/lib/libccsim.a"; \
	install -m 755 $(SOLIB) "$$d/lib/libccsim.so.$(SO_MAJOR)"; \
	ln -sf libccsim.so.$(SO_MAJOR) "$$d/lib/libccsim.so"; \
	install -m 644 include/ccsim/*.h "$$d/include/ccsim/"; \
	install -m 644 models/platform/profiles/*.ini "$$d/share/ccsim/profiles/"; \
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|'"$$($(CLI) version | cut -d' ' -f2)"'|g' \
		harness/api/ccsim.pc.in >"$$d/lib/pkgconfig/ccsim.pc"; \
	echo "installed in $$d"
.PHONY: shared install

# Rebuilt from scratch each time: notes (.gcno) left by files that have since
# moved or been split would otherwise confuse gcovr.
coverage: deps
	@rm -rf build/cov
	@$(MAKE) --no-print-directory B=build/cov OPT=-O0 XCFLAGS=--coverage XLDFLAGS=--coverage \
		all tests-build
	@find build/cov -name '*.gcda' -delete
	@harness/run_tests.sh build/cov
	@mkdir -p build/coverage
	@gcovr -r . --object-directory build/cov --filter 'sim/' --filter 'models/' \
		--filter 'harness/' --filter 'stacks/' --exclude '.*/tests/.*' --branches \
		--html-details build/coverage/index.html --txt build/coverage/summary.txt \
		--json-summary build/coverage/summary.json --print-summary >/dev/null
	@cat build/coverage/summary.txt | tail -n 40
	@harness/coverage_gate.py build/coverage/summary.json 85 sim/ models/

check: deps
	@$(MAKE) --no-print-directory B=build/asan OPT=-O1 \
		XCFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		XLDFLAGS="-fsanitize=address,undefined" all tests-build
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 harness/run_tests.sh build/asan
	@$(MAKE) --no-print-directory cppcheck

# Fuzzing (docs/fuzzing.md): one libFuzzer target per input surface,
# tests/fuzz/fuzz_*.c, over a clang build of the library with ASan + UBSan in
# build/fuzz. `make fuzz` runs each for FUZZ_TIME seconds from its committed
# corpus (tests/fuzz/corpus/TARGET), new inputs to build/fuzz/run, and fails
# on any crash, leak, timeout or out-of-memory, naming the reproducer.
FUZZ_TIME ?= 60
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/%)
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(FUZZ_TIME)

# The monitor fuzzers' coverage report (docs/fuzzing.md): per command
# handler, the failure answers `ccsim fuzz` reached, to results/fuzz-coverage.md.
FUZZ_COV_RUNS ?= 2000
fuzz-coverage: deps
	@harness/scripts/fuzz-coverage.sh $(FUZZ_COV_RUNS) results/fuzz-coverage.md

fuzz-build:
	@$(MAKE) --no-print-directory B=build/fuzz CC=clang OPT=-O1 \
		XCFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" XLDFLAGS="$(FUZZ_SAN)" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB)
	@echo "  FUZZ    $<"
	@$(CC) $(CFLAGS) -fsanitize=fuzzer -DFUZZ_ROOT='"$(CURDIR)"' $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

cppcheck:
	@cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
		--inline-suppr -I. --suppress=missingIncludeSystem --suppress=unknownMacro \
		--suppress='ctuuninitvar:*/tests/*' \
		sim models harness $(wildcard stacks)

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(PIC_OBJS:.o=.d) $(TEST_BINS:=.d) $(FUZZ_BINS:=.d) $(B)/obj/$(CLI_MAIN:.c=.d) \
	$(wildcard $(B)/obj/sysc/*.d $(B)/obj/sysc/*/*.d) \
	$(RMM_PLUGIN_OBJS:.o=.d) $(SNP_PLUGIN_OBJS:.o=.d) $(TDX_PLUGIN_OBJS:.o=.d) \
	$(wildcard $(B)/plugobj/models/monitor/*/plugin/*.d $(B)/plugobj/tests/data/monitor/*.d)
