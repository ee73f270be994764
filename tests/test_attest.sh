#!/bin/sh
# `ccsim attest make/verify`: a made token verifies (text and JSON), the same
# seed gives the same bytes, and tampering, a wrong CPAK seed, a RIM mismatch,
# unreadable or malformed files and bad usage give exit 1 or 2 with a message.
. tests/lib.sh

RIM=$(printf 'ab%.0s' $(seq 1 64))
OTHER=$(printf 'cd%.0s' $(seq 1 64))

expect_exit "attest --help" 0 "$CCSIM" attest --help
expect_exit "attest make --help" 0 "$CCSIM" attest make --help
grep -q -- "--challenge HEX" "$T/out" && ok "make usage lists --challenge" || fail "make usage lists --challenge"
expect_exit "attest verify --help" 0 "$CCSIM" attest verify --help
grep -q -- "--rim HEX" "$T/out" && ok "verify usage lists --rim" || fail "verify usage lists --rim"
"$CCSIM" --help | grep -q "attest" && ok "main usage lists attest" || fail "main usage lists attest"

expect_exit "make" 0 "$CCSIM" attest make --out "$T/a.tok" --seed 5 --rim "$RIM" --challenge 0102
expect_exit "make again" 0 "$CCSIM" attest make --out "$T/b.tok" --seed 5 --rim "$RIM" --challenge 0102
cmp -s "$T/a.tok" "$T/b.tok" && ok "same seed, same bytes" || fail "same seed, same bytes"
expect_exit "make seed 6" 0 "$CCSIM" attest make --out "$T/c.tok" --seed 6 --rim "$RIM" --challenge 0102
cmp -s "$T/a.tok" "$T/c.tok" && fail "other seed, other bytes" || ok "other seed, other bytes"

expect_exit "verify" 0 "$CCSIM" attest verify "$T/a.tok" --seed 5 --rim "$RIM"
grep -q "valid CCA attestation token" "$T/out" && ok "verify says valid" || fail "verify says valid"
grep -Eq "RIM +$RIM" "$T/out" && ok "verify prints the RIM" || fail "verify prints the RIM"
grep -Eq "challenge +0102000000" "$T/out" && ok "verify prints the challenge" || fail "verify prints the challenge"

expect_exit "verify --json" 0 "$CCSIM" attest verify "$T/a.tok" --seed 5 --json
[ "$(json_field "$T/out" format)" = "ccsim.attest/1" ] && ok "json format" || fail "json format"
[ "$(json_field "$T/out" rim)" = "$RIM" ] && ok "json rim" || fail "json rim" "$(cat "$T/out")"
grep -q '"valid": true' "$T/out" && ok "json valid" || fail "json valid"

expect_exit "RIM mismatch exits 1" 1 "$CCSIM" attest verify "$T/a.tok" --seed 5 --rim "$OTHER"
expect_err "RIM mismatch message" "a.tok: verification failed: RIM mismatch: token has (ab)+, expected (cd)+"
expect_exit "RIM mismatch --json exits 1" 1 "$CCSIM" attest verify "$T/a.tok" --seed 5 --rim "$OTHER" --json
grep -q '"valid": false' "$T/out" && ok "json says invalid" || fail "json says invalid"

expect_exit "wrong CPAK seed exits 1" 1 "$CCSIM" attest verify "$T/a.tok" --seed 6
expect_err "wrong CPAK message" "a.tok: verification failed: platform token signature does not verify"

# Flip one byte of the realm signature (the token's last byte).
len=$(wc -c <"$T/a.tok")
head -c $((len - 1)) "$T/a.tok" >"$T/bad.tok"
tail -c 1 "$T/a.tok" | od -An -tu1 | awk '{printf "%c", ($1 + 1) % 256}' >>"$T/bad.tok"
expect_exit "tampered realm signature exits 1" 1 "$CCSIM" attest verify "$T/bad.tok" --seed 5
expect_err "tampered message" "bad.tok: verification failed: realm token signature does not verify"

head -c 100 "$T/a.tok" >"$T/short.tok"
expect_exit "truncated exits 2" 2 "$CCSIM" attest verify "$T/short.tok" --seed 5
expect_err "truncated names file and byte" "short.tok: malformed CCA token: byte [0-9]+: token: truncated"
printf '\001\002' >"$T/text.tok"
expect_exit "not CBOR exits 2" 2 "$CCSIM" attest verify "$T/text.tok"
expect_err "not CBOR message" "text.tok: malformed CCA token: byte 0: token: expected CCA token tag 399 \\(tag\\), found unsigned integer"
expect_exit "missing file exits 2" 2 "$CCSIM" attest verify "$T/none.tok"
expect_err "missing file message" "none.tok: cannot read"

expect_exit "no subcommand exits 2" 2 "$CCSIM" attest
expect_exit "unknown subcommand exits 2" 2 "$CCSIM" attest sign
expect_err "unknown subcommand message" "unknown subcommand \"sign\""
expect_exit "make without --out exits 2" 2 "$CCSIM" attest make
expect_err "make without --out message" "--out FILE is required"
expect_exit "make bad rim exits 2" 2 "$CCSIM" attest make --out "$T/x.tok" --rim abc
expect_err "make bad rim message" "--rim abc: expected 32 or 64 bytes"
expect_exit "verify without file exits 2" 2 "$CCSIM" attest verify
expect_exit "verify bad seed exits 2" 2 "$CCSIM" attest verify "$T/a.tok" --seed x1
expect_exit "verify unknown option exits 2" 2 "$CCSIM" attest verify "$T/a.tok" --jsn
expect_err "unknown option message" "unknown option --jsn"

# SEV-SNP attestation reports: a sample launch on the firmware model
expect_exit "snp make" 0 "$CCSIM" attest make --snp --out "$T/r.bin" --seed 7 --report-data 1122
expect_exit "snp make again" 0 "$CCSIM" attest make --snp --out "$T/r2.bin" --seed 7 --report-data 1122
if cmp -s "$T/r.bin" "$T/r2.bin"; then ok "snp report deterministic"; else fail "snp report deterministic"; fi
if [ "$(wc -c <"$T/r.bin")" -eq 1184 ]; then ok "snp report is 1184 bytes"; else fail "snp report is 1184 bytes"; fi
expect_exit "snp verify" 0 "$CCSIM" attest verify "$T/r.bin" --seed 7
meas=$(awk '/measurement/{print $2}' "$T/out")
expect_exit "snp verify with measurement" 0 "$CCSIM" attest verify "$T/r.bin" --seed 7 --measurement "$meas"
expect_exit "snp wrong seed" 1 "$CCSIM" attest verify "$T/r.bin" --seed 8
expect_err "snp wrong seed message" "SNP report check failed: signature"
python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[0x90]^=1; open(sys.argv[2],'wb').write(d)" "$T/r.bin" "$T/rt.bin"
expect_exit "snp tampered measurement" 1 "$CCSIM" attest verify "$T/rt.bin" --seed 7
bad=$(printf '%s' "$meas" | sed 's/^./f/')
[ "$bad" = "$meas" ] && bad=$(printf '%s' "$meas" | sed 's/^./e/')
expect_exit "snp measurement mismatch" 1 "$CCSIM" attest verify "$T/r.bin" --seed 7 --measurement "$bad"
expect_err "snp measurement mismatch message" "measurement mismatch"
expect_exit "snp short measurement" 2 "$CCSIM" attest verify "$T/r.bin" --measurement abcd
# a version-4 report whose GUEST_SVN is 0x81 starts as a DCAP quote header
# (version 4, TEE type 0x81) but names no attestation key type: still a report
python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[0:8]=bytes([4,0,0,0,0x81,0,0,0]); open(sys.argv[2],'wb').write(d)" "$T/r.bin" "$T/r4.bin"
expect_exit "snp v4 report with SVN 0x81: a report, its signature checked" 1 \
	"$CCSIM" attest verify "$T/r4.bin" --seed 7
if grep -q "AMD SEV-SNP attestation report v4" "$T/out"; then ok "... read as an SNP report"; else
	fail "... read as an SNP report" "$(head -c 300 "$T/out")"; fi


# The token a realm asked for in a scenario (run --out writes every
# capture's bytes): ccsim attest verify accepts it with the RIM the
# scenario's verifier saw, and refuses another RIM or another seed.
"$CCSIM" run scenarios/guests/realm-lifecycle.scn --profile cca --out "$T/rl" --quiet
[ -s "$T/rl/captures/t.bin" ] && ok "run --out writes the token capture" || fail "run --out writes the token capture"
rlrim=$(od -An -tx1 -v "$T/rl/captures/v.bin" | tr -d ' \n')
[ ${#rlrim} -eq 64 ] && ok "the verifier's capture is a SHA-256 RIM" || fail "the verifier's capture is a SHA-256 RIM" "$rlrim"
expect_exit "realm's token verifies" 0 "$CCSIM" attest verify "$T/rl/captures/t.bin" --seed 1 --rim "$rlrim"
grep -q "challenge *6e6f6e63652d30303031" "$T/out" && ok "realm's token carries its challenge" || fail "realm's token carries its challenge"
expect_exit "realm's token, other RIM" 1 "$CCSIM" attest verify "$T/rl/captures/t.bin" --seed 1 --rim "$OTHER"
expect_exit "realm's token, other seed" 1 "$CCSIM" attest verify "$T/rl/captures/t.bin" --seed 2

# SEV LAUNCH_MEASURE (SEV API 6.7), recomputed apart from ccsim for another
# seed (another MNONCE): HMAC-SHA256(TIK, 0x04 || 1 || 55 || 21 || policy
# || SHA-256(the measured page) || MNONCE) must equal MEASURE.
"$CCSIM" run scenarios/monitor/sev/fw_launch_measure.scn --profile sev --seed 9 --out "$T/sm" --quiet
if python3 - "$T/sm/captures/m.bin" <<'PY'
import hashlib, hmac, struct, sys
b = open(sys.argv[1], "rb").read()
measure, mnonce = b[:32], b[32:48]
ld = hashlib.sha256(b"guest image page" + bytes(4096 - 16)).digest()
tik = bytes.fromhex("00112233445566778899aabbccddeeff")
blob = bytes([0x04, 1, 55, 21]) + struct.pack("<I", 0) + ld + mnonce
sys.exit(0 if len(b) == 48 and hmac.new(tik, blob, hashlib.sha256).digest() == measure else 1)
PY
then ok "SEV launch measurement matches an independent HMAC"; else fail "SEV launch measurement matches an independent HMAC"; fi

# An SEV-SNP guest's report (guests/sev-lifecycle.scn): ccsim attest verify
# accepts it with the launch digest computed here apart from ccsim (SNP ABI
# 8.17.2: a SHA-384 chain over PAGE_INFO of each image page, type NORMAL at
# its GPA, then the CPUID page, type CPUID at 0x103000 (its contents not
# hashed: the CONTENTS field is zero), then the boot vCPU's VMSA, type VMSA
# at 0xFFFFFFFFF000: zeros but X0 = 0 and the I mask, byte 256 = 0x80), and
# refuses another.
"$CCSIM" run scenarios/guests/sev-lifecycle.scn --profile sev-snp --out "$T/snp" --quiet
snpmeas=$(python3 - "$T/snp/captures/img.bin" <<'PY'
import hashlib, struct, sys
img = open(sys.argv[1], "rb").read()
img += bytes(-len(img) % 4096)
def ext(ld, page, typ, gpa):
    contents = hashlib.sha384(page).digest() if page is not None else bytes(48)
    info = ld + contents + struct.pack("<HBBBBBBQ", 0x70, typ, 0, 0, 0, 0, 0, gpa)
    return hashlib.sha384(info).digest()
ld = bytes(48)
for i in range(0, len(img), 4096):
    ld = ext(ld, img[i:i + 4096], 1, i)
ld = ext(ld, None, 6, 0x103000)
vmsa = bytearray(4096)
vmsa[256] = 0x80
print(ext(ld, bytes(vmsa), 2, 0xFFFFFFFFF000).hex())
PY
)
expect_exit "SNP guest's report verifies with the expected measurement" 0 "$CCSIM" attest verify "$T/snp/captures/t.bin" --seed 1 --measurement "$snpmeas"
grep -q "report_data  6e6f6e63652d736e702d30303031" "$T/out" && ok "SNP report carries the guest's challenge" || fail "SNP report carries the guest's challenge"
other=$(printf '%s' "$snpmeas" | sed 's/^./0/')
[ "$other" = "$snpmeas" ] && other=$(printf '%s' "$snpmeas" | sed 's/^./1/')
expect_exit "SNP guest's report, other measurement" 1 "$CCSIM" attest verify "$T/snp/captures/t.bin" --seed 1 --measurement "$other"

# A token from Arm's reference RMM (../shared/interop): 13 software
# components, the RAK as a COSE_Key. Its claims print; the realm token
# verifies with the key it carries and the binding holds; the platform
# signature cannot be checked without that platform's key, and says so.
interop=tests/data/cca-token-tfrmm-1.0-rel0.cbor
if [ -f "$interop" ]; then
	expect_exit "TF-RMM token: platform key unknown" 1 "$CCSIM" attest verify "$interop"
	grep -q "software component 12 *SOC_FW_CONFIG" "$T/out" && ok "TF-RMM token: 13 software components" || fail "TF-RMM token: 13 software components"
	grep -q "public key format *COSE_Key" "$T/out" && ok "TF-RMM token: RAK as a COSE_Key" || fail "TF-RMM token: RAK as a COSE_Key"
	expect_err "TF-RMM token: realm signature verified" "realm signature .*: verified"
	expect_err "TF-RMM token: binding holds" "binding .*: holds"
	expect_err "TF-RMM token: why the platform signature is unchecked" "A token carries no platform key .*--cpak FILE"
	expect_exit "TF-RMM token as JSON" 1 "$CCSIM" attest verify "$interop" --json
	grep -q '"checks": {"platform_signature": "failed", "binding": "verified", "realm_signature": "verified"}' "$T/out" && ok "TF-RMM token JSON: the checks" || fail "TF-RMM token JSON: the checks" "$(head -c 300 "$T/out")"
	if command -v openssl >/dev/null 2>&1; then
		openssl ecparam -name secp384r1 -genkey -noout 2>/dev/null | openssl ec -pubout -out "$T/other.pem" 2>/dev/null
		expect_exit "TF-RMM token, another platform key" 1 "$CCSIM" attest verify "$interop" --cpak "$T/other.pem"
		expect_err "TF-RMM token, another platform key message" "does not verify with the key in .*other.pem"
	fi
	printf 'not a key' >"$T/bad.pem"
	expect_exit "--cpak that is not a key exits 2" 2 "$CCSIM" attest verify "$interop" --cpak "$T/bad.pem"
	expect_err "--cpak that is not a key message" "bad.pem: not a P-384 public key"
fi
# Tokens ccsim makes carry the RAK as a COSE_Key too (RMM 1.0).
"$CCSIM" attest make --out "$T/cose.cbor" >/dev/null
expect_exit "ccsim token verifies" 0 "$CCSIM" attest verify "$T/cose.cbor"
grep -q "public key format *COSE_Key" "$T/out" && ok "ccsim token: RAK as a COSE_Key" || fail "ccsim token: RAK as a COSE_Key"

# --json names the file as a JSON string, whatever bytes its path holds
cp "$T/r.bin" "$T/q\"x\\y.bin"
"$CCSIM" attest verify "$T/q\"x\\y.bin" --seed 7 --json >"$T/snp.json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["file"].endswith("q\"x\\y.bin")' "$T/snp.json"; then
	ok "snp --json: a path with a quote and a backslash"; else fail "snp --json path escaping" "$(head -5 "$T/snp.json")"; fi

finish
