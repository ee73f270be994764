#!/bin/sh
# `ccsim se-image`: a simulated machine's host key as PEM (the same seed, the
# same key), an image for one or two host keys (the same inputs, the same
# bytes), --info, the image loaded in a scenario (it boots on the machine
# whose key it names and is refused elsewhere), and bad inputs: exit 2 with
# a message naming the file.
. tests/lib.sh

expect_exit "se-image --help" 0 "$CCSIM" se-image --help
grep -q -- "--host-key-of NAME" "$T/out" && ok "usage lists --host-key-of" || fail "usage lists --host-key-of"
"$CCSIM" --help | grep -q "se-image" && ok "main usage lists se-image" || fail "main usage lists se-image"

expect_exit "host key of seed 1" 0 "$CCSIM" se-image --host-key-of s390-se --seed 1 --out "$T/h1.pem"
expect_exit "host key of seed 1 again" 0 "$CCSIM" se-image --host-key-of s390-se --out "$T/h1b.pem"
cmp -s "$T/h1.pem" "$T/h1b.pem" && ok "same seed, same key" || fail "same seed, same key"
expect_exit "host key of seed 2" 0 "$CCSIM" se-image --host-key-of s390-se --seed 2 --out "$T/h2.pem"
cmp -s "$T/h1.pem" "$T/h2.pem" && fail "other seed, other key" || ok "other seed, other key"
grep -q "BEGIN PUBLIC KEY" "$T/h1.pem" && ok "the key is PEM" || fail "the key is PEM"

printf 'kernel: the code of the image..' >"$T/k.bin"
expect_exit "image for two machines" 0 \
	"$CCSIM" se-image --kernel "$T/k.bin" --host-key "$T/h1.pem" --host-key-of s390-se --seed 2 \
	--cmdline "console=ttyS0" --out "$T/two.bin"
expect_exit "image again" 0 \
	"$CCSIM" se-image --kernel "$T/k.bin" --host-key "$T/h1.pem" --host-key "$T/h2.pem" \
	--cmdline "console=ttyS0" --out "$T/two-b.bin"
cmp -s "$T/two.bin" "$T/two-b.bin" && ok "same inputs, same bytes" || fail "same inputs, same bytes"
expect_exit "info" 0 "$CCSIM" se-image --info "$T/two.bin"
grep -q "2 key slot(s)" "$T/out" && ok "info: two key slots" || fail "info: two key slots" "$(cat "$T/out")"
grep -q "component 2 .*guest 0x11000" "$T/out" && ok "info: the command line follows the kernel" ||
	fail "info: the command line follows the kernel" "$(cat "$T/out")"

# the image booted in a scenario, on its machine and on another
mkdir -p "$T/a/scenarios/monitor" "$T/a/tests/data/se" && cp -r scenarios/monitor/uv "$T/a/scenarios/monitor/" &&
	cp tests/data/se/load.scn "$T/a/tests/data/se/load.scn"
S="$T/a/tests/data/se"
expect_exit "image for seed 1 only" 0 \
	"$CCSIM" se-image --kernel "$T/k.bin" --host-key-of s390-se --out "$S/img.bin"
cat >>"$S/load.scn" <<'X'
expect ssc.status == uv.executed on s390-se
expect ver.status == uv.executed
expect code == "kernel: the code of the image.."
X
expect_exit "boots on the machine of seed 1" 0 "$CCSIM" run "$S/load.scn" --seed 1
sed -i 's/expect ssc.status == uv.executed on s390-se/expect ssc.status == uv.rc_0x108/; /expect ver/d; /expect code/d' \
	"$S/load.scn"
expect_exit "refused on the machine of seed 3" 0 "$CCSIM" run "$S/load.scn" --seed 3

# bad inputs: exit 2, the file named
expect_exit "a missing kernel" 2 "$CCSIM" se-image --kernel "$T/none.bin" --host-key "$T/h1.pem" --out "$T/x"
expect_err "... named" "none.bin: "
expect_exit "a host key that is not PEM" 2 "$CCSIM" se-image --kernel "$T/k.bin" --host-key "$T/k.bin" --out "$T/x"
expect_err "... named" "k.bin: not a PEM public key"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl ec -pubout -out "$T/p256.pem" 2>/dev/null
expect_exit "a host key on another curve" 2 "$CCSIM" se-image --kernel "$T/k.bin" --host-key "$T/p256.pem" --out "$T/x"
expect_err "... named" "p256.pem: not an EC key on secp521r1"
expect_exit "a profile without an ultravisor" 2 "$CCSIM" se-image --host-key-of plain --out "$T/x"
expect_err "... named" "plain: the profile has no ultravisor"
expect_exit "an unknown profile" 2 "$CCSIM" se-image --host-key-of nope --out "$T/x"
expect_err "... named" "unknown profile \"nope\""
expect_exit "--info of no image" 2 "$CCSIM" se-image --info "$T/k.bin"
expect_err "... named, with the byte" "k.bin: byte 0: not a ccsim SE image"
head -c 40 "$T/two.bin" >"$T/short.bin"
expect_exit "--info of a truncated image" 2 "$CCSIM" se-image --info "$T/short.bin"
expect_err "... named, with the byte" "short.bin: byte 1[26]: "
expect_exit "no --out" 2 "$CCSIM" se-image --kernel "$T/k.bin" --host-key "$T/h1.pem"
expect_exit "no host key" 2 "$CCSIM" se-image --kernel "$T/k.bin" --out "$T/x"
expect_exit "an unknown option" 2 "$CCSIM" se-image --kernel "$T/k.bin" --bogus 1 --out "$T/x"
expect_err "... named" "unknown argument \"--bogus\""
expect_exit "a misaligned address" 2 "$CCSIM" se-image --kernel "$T/k.bin" --host-key "$T/h1.pem" --addr 0x10010 --out "$T/x"
# a scenario loading an image file that is not there names the scenario's line
sed -i 's/img.bin/gone.bin/' "$S/load.scn"
expect_exit "a scenario's missing image file" 2 "$CCSIM" run "$S/load.scn" --seed 1
expect_err "... named with the step's line" "load.scn:9:[0-9]+: host.se_image: .*gone.bin"
finish
