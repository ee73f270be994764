#!/bin/sh
# `ccsim attest make/verify --tdx`: a made TDX quote verifies (text and
# JSON, same seed same bytes); a flipped byte in MRTD, REPORTDATA, the
# signature, the attestation key and the QE report is each refused for its
# own reason (exit 1), and so are a wrong seed and an expected MRTD or
# REPORTDATA the quote lacks; malformed quotes exit 2 naming the byte offset.
. tests/lib.sh

MRTD=$(printf 'a5%.0s' $(seq 1 48))
RD=0123456789abcdef

expect_exit "tdx make --help names --tdx" 0 "$CCSIM" attest make --help
grep -q -- "--tdx" "$T/out" && ok "make --help: --tdx" || fail "make --help: --tdx"
expect_exit "tdx verify --help" 0 "$CCSIM" attest verify --help
grep -q -- "--mrtd HEX" "$T/out" && ok "verify --help: --mrtd" || fail "verify --help: --mrtd"

expect_exit "tdx make" 0 "$CCSIM" attest make --tdx --out "$T/q.bin" --seed 4 --mrtd "$MRTD" --report-data "$RD"
expect_exit "tdx make again" 0 "$CCSIM" attest make --tdx --out "$T/q2.bin" --seed 4 --mrtd "$MRTD" --report-data "$RD"
if cmp -s "$T/q.bin" "$T/q2.bin"; then ok "tdx quote deterministic"; else fail "tdx quote deterministic"; fi
if [ "$(wc -c <"$T/q.bin")" -eq 1450 ]; then ok "tdx quote is 1450 bytes"; else fail "tdx quote is 1450 bytes"; fi
expect_exit "tdx verify" 0 "$CCSIM" attest verify --tdx "$T/q.bin" --seed 4 --mrtd "$MRTD" --report-data "$RD"
grep -q "mrtd  *$MRTD" "$T/out" && ok "tdx verify prints MRTD" || fail "tdx verify prints MRTD" "$(head -c 600 "$T/out")"
grep -q "quote signature  *verified" "$T/out" && ok "tdx verify: signature verified" || fail "tdx verify: signature verified"
expect_exit "tdx quote recognised without --tdx" 0 "$CCSIM" attest verify "$T/q.bin" --seed 4
expect_exit "tdx verify --json" 0 "$CCSIM" attest verify --tdx "$T/q.bin" --seed 4 --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["kind"] == "tdx-quote" and d["valid"] and d["body"]["mrtd"] == sys.argv[2] and d["checks"]["quote_signature"] == "verified"' "$T/out" "$MRTD"; then
	ok "tdx --json fields"; else fail "tdx --json fields" "$(head -c 400 "$T/out")"; fi

# flip one byte at OFFSET of q.bin into NAME
flip() {
	python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[3])]^=1; open(sys.argv[2],"wb").write(b)' "$T/q.bin" "$T/$1" "$2"
}
flip mrtd.bin 184      # body 48 + MRTD 136
expect_exit "flipped MRTD exits 1" 1 "$CCSIM" attest verify --tdx "$T/mrtd.bin" --seed 4
expect_err "flipped MRTD: the quote signature" "mrtd.bin: verification failed: quote signature does not verify with the attestation key"
flip rd.bin 600        # body 48 + REPORTDATA 520 + 32
expect_exit "flipped REPORTDATA exits 1" 1 "$CCSIM" attest verify --tdx "$T/rd.bin" --seed 4
expect_err "flipped REPORTDATA: the quote signature" "rd.bin: verification failed: quote signature does not verify"
flip sig.bin 640       # signature data 636 + 4
expect_exit "flipped signature exits 1" 1 "$CCSIM" attest verify --tdx "$T/sig.bin" --seed 4
expect_err "flipped signature: the quote signature" "sig.bin: verification failed: quote signature does not verify"
flip ak.bin 740        # attestation key at 732
expect_exit "flipped attestation key exits 1" 1 "$CCSIM" attest verify --tdx "$T/ak.bin" --seed 4
expect_err "flipped attestation key: the QE report binding" "ak.bin: verification failed: QE report does not bind the attestation key"
flip qe.bin 900        # QE report at 834
expect_exit "flipped QE report exits 1" 1 "$CCSIM" attest verify --tdx "$T/qe.bin" --seed 4
expect_err "flipped QE report: its PCK signature" "qe.bin: verification failed: QE report signature does not verify with the PCK"
expect_exit "wrong seed exits 1" 1 "$CCSIM" attest verify --tdx "$T/q.bin" --seed 5
expect_err "wrong seed: the PCK" "PCK is not the simulated platform's of seed 5"
OTHER=$(printf '5a%.0s' $(seq 1 48))
expect_exit "expected MRTD differs exits 1" 1 "$CCSIM" attest verify --tdx "$T/q.bin" --seed 4 --mrtd "$OTHER"
expect_err "expected MRTD differs: named" "verification failed: MRTD mismatch"
expect_exit "expected REPORTDATA differs exits 1" 1 "$CCSIM" attest verify --tdx "$T/q.bin" --seed 4 --report-data ff
expect_err "expected REPORTDATA differs: named" "verification failed: REPORTDATA mismatch"
expect_exit "flipped MRTD --json exits 1" 1 "$CCSIM" attest verify --tdx "$T/mrtd.bin" --seed 4 --json
grep -q '"quote_signature": "failed"' "$T/out" && ok "flipped MRTD --json: quote_signature failed" || fail "flipped MRTD --json"

# malformed: NAME, python expression editing bytearray b, the offset message
malformed() {
	python3 -c "import sys,struct; b=bytearray(open(sys.argv[1],'rb').read()); $2; open(sys.argv[2],'wb').write(b)" "$T/q.bin" "$T/$1.bin"
	expect_exit "malformed $1 exits 2" 2 "$CCSIM" attest verify --tdx "$T/$1.bin" --seed 4
	expect_err "malformed $1: $3" "$1.bin: malformed TDX quote: $3"
}
malformed empty "b=b[:0]" "offset 0: truncated in the quote header"
malformed header-cut "b=b[:40]" "offset 0: truncated in the quote header"
malformed body-cut "b=b[:300]" "offset 48: truncated in the TD report body"
malformed no-siglen "b=b[:633]" "offset 632: truncated in the signature data length"
malformed version3 "b[0]=3" "offset 0: quote version 3, expected 4"
malformed version5 "b[0]=5" "offset 0: quote version 5"
malformed sgx "b[4]=0" "offset 4: TEE type 0x0, expected 0x81 \\(TDX\\); 0 is SGX"
malformed p256 "b[2]=2" "offset 2: attestation key type 2, expected 3"
malformed reserved "b[10]=1" "offset 8: reserved header field is not zero"
malformed truncated "b=b[:-10]" "offset 632: signature data length 814 runs past the end \\(804 bytes follow\\)"
malformed trailing "b+=b'xyz'" "offset 1450: 3 trailing bytes after the signature data"
malformed short-sig "b=b[:636+40]; b[632:636]=struct.pack('<I',40)" "offset 636: truncated in the quote signature \\(P-384: 96 bytes\\)"
malformed short-key "b=b[:636+150]; b[632:636]=struct.pack('<I',150)" "offset 732: truncated in the attestation key"
malformed cert-type "b[828]=5" "offset 828: certification data type 5, expected 6"
malformed cert-size "b[830]^=1" "offset 830: certification data size"
malformed auth-size "b[1314]=0xff; b[1315]=0xff" "offset 1316: truncated in the QE authentication data"
malformed pck-chain "b[1348]=5; b[1349]=0" "offset 1348: PCK certification data type 5.*certificate chain"
malformed pck-size "b[1350]=64" "offset 1350: PCK certification data size 64"
expect_exit "--tdx on a CCA token exits 2" 2 "$CCSIM" attest verify --tdx tests/fuzz/corpus/fuzz_token/$(ls tests/fuzz/corpus/fuzz_token | head -n 1)
expect_err "--tdx on a CCA token: an offset" "malformed TDX quote: offset [0-9]+:"

expect_exit "--mrtd without --tdx exits 2" 2 "$CCSIM" attest make --out "$T/x.bin" --mrtd "$MRTD"
expect_exit "--mrtd of 47 bytes exits 2" 2 "$CCSIM" attest make --tdx --out "$T/x.bin" --mrtd "${MRTD#a5}"
expect_err "--mrtd length message" "expected 48 bytes of hex"
expect_exit "verify --mrtd bad hex exits 2" 2 "$CCSIM" attest verify --tdx "$T/q.bin" --mrtd zz
expect_exit "--snp with --tdx exits 2" 2 "$CCSIM" attest make --snp --tdx --out "$T/x.bin"

# The quote a TD obtains in a scenario (GetQuote answered by host.tdx_quote)
# verifies with the run's seed and the TD's REPORTDATA.
expect_exit "tdcall_quote scenario" 0 "$CCSIM" run scenarios/monitor/tdx/tdcall_quote.scn --out "$T/run" --quiet
expect_exit "the scenario's quote verifies" 0 "$CCSIM" attest verify --tdx "$T/run/captures/q.bin" --seed 1 \
	--report-data "$(printf '5a%.0s' $(seq 1 64))"

# The bundled end-to-end scenario on tdx: the TD's own quote (GetQuote,
# the host's quoting service) verifies with the MRTD the verifier computed
# from the image alone (captures/ref.bin) and the relying party's
# challenge as REPORTDATA; another MRTD or challenge is refused (exit 1).
expect_exit "cvm-lifecycle on tdx" 0 "$CCSIM" run scenarios/guests/cvm-lifecycle.scn --profile tdx \
	--out "$T/cvm" --quiet
mrtd=$(od -An -v -tx1 "$T/cvm/captures/ref.bin" | tr -d ' \n')
rd=$(printf 'relying party nonce 42' | od -An -v -tx1 | tr -d ' \n')
rd=$(printf '%s%0*d' "$rd" $((128 - ${#rd})) 0)
expect_exit "the TD's quote verifies with the expected MRTD" 0 "$CCSIM" attest verify --tdx \
	"$T/cvm/captures/evidence.bin" --seed 1 --mrtd "$mrtd" --report-data "$rd"
expect_exit "another MRTD is refused" 1 "$CCSIM" attest verify --tdx \
	"$T/cvm/captures/evidence.bin" --seed 1 --mrtd "$(printf '%096d' 0)" --report-data "$rd"
expect_exit "another challenge is refused" 1 "$CCSIM" attest verify --tdx \
	"$T/cvm/captures/evidence.bin" --seed 1 --mrtd "$mrtd" --report-data "$(printf '%0128d' 0)"

finish
