#!/bin/sh
# Seed inputs for the fuzz targets, written to OUT/<target>/ from the bundled
# scenarios, profiles and traces, checkpoints and attestation evidence that
# CCSIM makes. The committed corpora (tests/fuzz/corpus/) are these seeds
# merged with what fuzzing found, minimised: tests/fuzz/run.sh --merge.
# usage: tests/fuzz/make-corpus.sh OUT [CCSIM]
set -eu
out=$1
ccsim=${2:-build/ccsim}
mkdir -p "$out/fuzz_scenario" "$out/fuzz_profile" "$out/fuzz_memtrace" "$out/fuzz_checkpoint" \
	"$out/fuzz_token" "$out/fuzz_snp_report" "$out/fuzz_monitor_cca" "$out/fuzz_monitor_snp" \
	"$out/fuzz_monitor_sev" "$out/fuzz_tdx_quote" "$out/fuzz_trace"

# monitor-ABI targets: byte strings the generator (harness/fuzz/fuzz_gen.c) reads
# as calls; the first byte picks the set-up (cca: bit 0 a realm and REC
# parameters, bit 1 a realm guest making RSI calls, bit 2 parameters fuzzed)
python3 - "$out" <<'PY'
import random, sys
out = sys.argv[1]
r = random.Random(14)
for abi, firsts in (("cca", (0, 1, 3, 5, 7)), ("snp", (0, 1)), ("sev", (0,))):
    for k in range(12):
        n = r.randrange(4, 64)
        d = bytes([firsts[k % len(firsts)]]) + bytes(r.randrange(256) for _ in range(n))
        open(f"{out}/fuzz_monitor_{abi}/seed{k}", "wb").write(d)
PY

for f in $(find scenarios -name '*.scn' -o -name '*.inc' | sort); do
	cp "$f" "$out/fuzz_scenario/$(echo "$f" | tr / _)"
done
printf '#set page=0x9000\nprofiles plain cca\nparam page=0x8000\nvm v\nv.load addr=${page} len=4 -> r\nexpect r.fault == none\n' \
	>"$out/fuzz_scenario/set-param.scn"

cp models/platform/profiles/*.ini "$out/fuzz_profile/"
printf '[platform]\ninherits = cca\n%%%%\ncache.l1_size=64K\nmemenc.mode=ctr-tree\n' >"$out/fuzz_profile/set-cca.ini"
printf '[platform]\ninherits = sev-snp\n[rmp]\ntlb_coherent = false\n%%%%\nrmp.end=0x70fffff\ncpu.freq_mhz=3000\n' \
	>"$out/fuzz_profile/set-snp.ini"
printf '[platform]\ninherits = plain\n%%%%\ngpc.pgs=16K\n' >"$out/fuzz_profile/set-pgs.ini"

python3 - "$out/fuzz_memtrace" <<'PY'
import struct, sys
out = sys.argv[1]
for name in ["gzip", "sort", "sqlite"]:  # small cuts of the bundled traces
    d = open(f"scenarios/traces/{name}.cctrace", "rb").read()
    for k, (start, n) in enumerate([(0, 48), (5000, 32)]):
        recs = d[16 + 8 * start:16 + 8 * (start + n)]
        open(f"{out}/{name}{k}.cctrace", "wb").write(b"ccsimmt1" + struct.pack("<Q", len(recs) // 8) + recs)
open(f"{out}/lackey1.txt", "w").write(
    "==12345== Lackey, an example Valgrind tool\n==12345== Command: /bin/true\n"
    "I  04016d0,3\nI  04016d3,5\n S 1ffefffd58,8\nI  04016d8,4\n L 04222e0,8\n M 0422368,4\n"
    "I  0401a00,7\n L 1ffefffd50,16\n S 0422400,10\n M 7ff000ff0,64\n L 7ff000ffc,4096\n")
open(f"{out}/lackey2.txt", "w").write(
    "I  0400000,4\r\n L 1000,8\r\n S 2000,1\r\n--12345-- warning\r\n**12345** x\r\n")
open(f"{out}/insns.cctrace", "wb").write(b"ccsimmt1" + struct.pack("<Q", 3) + struct.pack(
    "<QQQ", 3 | 500 << 12, 0 | 3 << 2 | 5 << 5 | 0x1234 << 12, 2 | 6 << 2 | 0xfffff << 12))
PY

# Binary traces: the start of a run's trace.bin on cca (RMI calls, a REC
# run), on sev-snp (an RMP fault with its entry) and on tdx (SEAMCALLs).
for run in "cca scenarios/attacks/host-read-delegated.scn" "sev-snp scenarios/attacks/gpa-alias.scn" \
	"tdx scenarios/attacks/gpa-alias.scn"; do
	set -- $run
	"$ccsim" run "$2" --profile "$1" --out "$out/trace-$1" --quiet || true
	head -c 6000 "$out/trace-$1/trace.bin" >"$out/fuzz_trace/$1.bin"
	rm -rf "$out/trace-$1"
done

# Checkpoints: the first byte picks the run in fuzz_checkpoint.c's table,
# whose scenarios, profiles and --set values these must match.
sets="--set cache.llc_size=64K --set cache.l2_size=16K --set cache.l1_size=4K --set cache.l1_ways=4
 --set cache.l2_ways=4 --set cache.llc_ways=4 --set cpu.tlb_sets=16 --set cpu.tlb_ways=2
 --set cache.cores=2 --set gpc.delegable_size=64M --set gpc.gpt_base=0x83fc0000
 --set gpc.gpt_l1_base=0x83fe0000"
i=0
for run in attacks/undelegate-scrub.scn:cca guests/sev-lifecycle.scn:sev-es \
	guests/timer-tick.scn:plain attacks/phys-replay.scn:cca-ctr-tree; do
	for k in 1 3 6; do
		ck="$out/fuzz_checkpoint/ck-$i-$k"
		# shellcheck disable=SC2086
		if "$ccsim" run "scenarios/${run%%:*}" --profile "${run#*:}" $sets --checkpoint-after $k \
			--checkpoint "$ck.raw" --quiet >/dev/null 2>&1; then
			printf "\\$(printf %03o $i)" >"$ck"
			cat "$ck.raw" >>"$ck"
		fi
		rm -f "$ck.raw"
	done
	i=$((i + 1))
done

cp tests/data/cca-token-tfrmm-1.0-rel0.cbor "$out/fuzz_token/"
"$ccsim" attest make --out "$out/fuzz_token/seed1.cbor" >/dev/null
"$ccsim" attest make --seed 7 --rim "$(printf 'ab%.0s' $(seq 32))" --challenge 0102 \
	--out "$out/fuzz_token/seed7-sha256.cbor" >/dev/null
"$ccsim" attest make --snp --out "$out/fuzz_snp_report/seed1.bin" >/dev/null
"$ccsim" attest make --snp --seed 3 --report-data 00ff --out "$out/fuzz_snp_report/seed3.bin" >/dev/null
"$ccsim" attest make --tdx --out "$out/fuzz_tdx_quote/seed1.bin" >/dev/null
"$ccsim" attest make --tdx --seed 5 --report-data 00ff --out "$out/fuzz_tdx_quote/seed5.bin" >/dev/null
# a quote whose QE authentication data is empty, and one cut inside the certification data
python3 - "$out/fuzz_tdx_quote" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1] + "/seed1.bin", "rb").read())
e = d[:1314] + struct.pack("<H", 0) + d[1348:]
e[632:636] = struct.pack("<I", len(e) - 636)
e[830:834] = struct.pack("<I", len(e) - 834)
open(sys.argv[1] + "/noauth.bin", "wb").write(e)
open(sys.argv[1] + "/cut.bin", "wb").write(d[:1000])
PY
