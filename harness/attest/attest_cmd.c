/* `ccsim attest make` builds a CCA attestation token from the simulation seed;
 * `ccsim attest verify` checks one (both signatures, the platform/realm
 * binding, optionally the RIM) and prints its claims as text or JSON. */
#include "harness/attest/attest_cmd.h"
#include "harness/attest/attest_snp.h"
#include "harness/attest/attest_tdx.h"
#include "harness/lang/scenario.h"

#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/monitor/attest/cca_token.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "sim/json.h"

static const char usage_attest[] =
	"usage: ccsim attest make|verify [ARGS]   (ccsim attest make --help, ...)\n"
	"\n"
	"  make --out FILE     build an Arm CCA attestation token (RMM 1.0 format),\n"
	"                      with --snp an AMD SEV-SNP attestation report, with --tdx\n"
	"                      an Intel TDX quote (DCAP quote v4)\n"
	"  verify FILE         check a token's, report's or quote's signatures, print its claims\n";

static const char usage_make[] =
	"usage: ccsim attest make --out FILE [--seed N] [--rim HEX] [--challenge HEX]\n"
	"       ccsim attest make --snp --out FILE [--seed N] [--report-data HEX]\n"
	"       ccsim attest make --tdx --out FILE [--seed N] [--mrtd HEX] [--report-data HEX]\n"
	"\n"
	"Build a CCA attestation token (tag 399: platform token signed by the CPAK,\n"
	"realm token signed by the RAK, both ES384) and write it to FILE. Keys and\n"
	"the default platform claims derive from the seed; same seed, same bytes.\n"
	"\n"
	"options:\n"
	"  --out FILE       where to write the token (required)\n"
	"  --seed N         simulation seed (default 1)\n"
	"  --rim HEX        realm initial measurement: 32 bytes (sha-256) or 64 (sha-512);\n"
	"                   default a 64-byte value derived from the seed\n"
	"  --challenge HEX  realm challenge, 1..64 bytes, zero-padded to 64 (default zeros)\n"
	"  --snp            instead: launch a one-page guest on the SEV-SNP firmware model\n"
	"                   and write its 1184-byte attestation report (VCEK from the seed)\n"
	"  --report-data HEX  with --snp or --tdx: the guest's 64-byte REPORT_DATA /\n"
	"                   REPORTDATA (zero-padded)\n"
	"  --tdx            instead: the DCAP v4 quote (TEE type 0x81) of a TD with the given\n"
	"                   MRTD and REPORTDATA, from its TDREPORT, signed by the simulated\n"
	"                   quoting enclave's P-384 attestation key, certified by the PCK\n"
	"                   (both from the seed)\n"
	"  --mrtd HEX       with --tdx: the TD's 48-byte MRTD (default derived from the seed)\n";

static const char usage_verify[] =
	"usage: ccsim attest verify FILE [--rim HEX | --measurement HEX] [--seed N | --cpak FILE] [--json]\n"
	"       ccsim attest verify --tdx FILE [--mrtd HEX] [--report-data HEX] [--seed N] [--json]\n"
	"\n"
	"Verify a CCA attestation token: the platform token signature with the CPAK\n"
	"of the seed, the platform challenge = hash of the realm public key (RAK),\n"
	"the realm token signature with that RAK; then print the claims. A 1184-byte\n"
	"AMD SEV-SNP attestation report is checked against the seed's VCEK instead;\n"
	"a TDX quote (--tdx, or any input with version 4 and TEE type 0x81) through\n"
	"its chain: the PCK is the seed's, it signed the QE report, which binds the\n"
	"attestation key, which signed the header and TD report body.\n"
	"Exit 0 valid, 1 a check failed (named), 2 unreadable or malformed (byte offset).\n"
	"\n"
	"options:\n"
	"  --seed N     seed whose CPAK signed the platform token (default 1)\n"
	"  --rim HEX    also require the realm token's RIM to equal HEX\n"
	"  --measurement HEX  SNP: also require the report's 48-byte measurement\n"
	"  --tdx        the file is a TDX quote: every malformed one is named by byte offset\n"
	"  --mrtd HEX   TDX: also require the quote's 48-byte MRTD\n"
	"  --report-data HEX  TDX: also require the quote's 64-byte REPORTDATA (zero-padded)\n"
	"  --cpak FILE  check the platform signature with this public key instead (PEM, or\n"
	"               the raw 97-byte point): a token from another platform, whose key\n"
	"               (CPAK) the token does not carry\n"
	"  --json       print the claims as JSON (format ccsim.attest/1)\n"
	"A token that parses has its claims printed whatever the checks say; each check\n"
	"(platform signature, binding, realm signature with the key the realm token\n"
	"carries) is reported on its own.\n";

static int usage_err(const char *sub, const char *fmt, const char *arg)
{
	fprintf(stderr, "ccsim attest %s: ", sub);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(ccsim attest %s --help for usage)\n", sub);
	return 2;
}

static bool has_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

static int parse_seed(const char *sub, const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return usage_err(sub, "%s", "expected a number after --seed");
	if (scenario_number(s, out))
		return usage_err(sub, "--seed: bad number \"%s\"", s);
	return 0;
}

/* Hex (optional 0x prefix) into at most cap bytes; -1 on bad digits or length. */
static long parse_hex(const char *s, uint8_t *out, size_t cap)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t n = strlen(s);
	if (n == 0 || n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = g_ascii_xdigit_value(s[2 * i]), lo = g_ascii_xdigit_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

static void put_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static int write_out(const char *out, const uint8_t *bytes, size_t len, const char *what,
		     uint64_t seed)
{
	GError *ge = NULL;
	if (!g_file_set_contents(out, (const char *)bytes, (gssize)len, &ge)) {
		fprintf(stderr, "%s: cannot write: %s\n", out, ge->message);
		g_error_free(ge);
		return 2;
	}
	printf("wrote %s (%s, %zu bytes, seed %llu)\n", out, what, len, (unsigned long long)seed);
	return 0;
}

static int make_snp(const char *out, uint64_t seed, const char *rd_hex)
{
	static const char image[] = "ccsim sample SEV-SNP guest image";
	uint8_t rd[SNP_REPORT_DATA_LEN] = { 0 }, report[SNP_REPORT_LEN];
	if (rd_hex && parse_hex(rd_hex, rd, sizeof(rd)) < 0)
		return usage_err("make", "--report-data %s: expected 1..64 bytes of hex", rd_hex);
	if (attest_snp_make(seed, rd, (const uint8_t *)image, sizeof(image), report)) {
		fprintf(stderr, "ccsim attest make: the SNP firmware model refused the launch\n");
		return 2;
	}
	return write_out(out, report, SNP_REPORT_LEN, "SEV-SNP report", seed);
}

static int make_tdx(const char *out, uint64_t seed, const char *mrtd_hex, const char *rd_hex)
{
	uint8_t mrtd[64] = { 0 }, rd[64] = { 0 }, q[TDX_QUOTE_LEN];
	if (mrtd_hex) {
		if (parse_hex(mrtd_hex, mrtd, 48) != 48)
			return usage_err("make", "--mrtd %s: expected 48 bytes of hex", mrtd_hex);
	} else {
		char label[64];
		int ln = snprintf(label, sizeof(label), "ccsim/tdx/mrtd/%llu", (unsigned long long)seed);
		p384_digest("sha-384", label, (size_t)ln, mrtd);
	}
	if (rd_hex && parse_hex(rd_hex, rd, sizeof(rd)) < 0)
		return usage_err("make", "--report-data %s: expected 1..64 bytes of hex", rd_hex);
	if (attest_tdx_make(seed, mrtd, rd, q)) {
		fprintf(stderr, "ccsim attest make: cannot build the TDX quote\n");
		return 2;
	}
	return write_out(out, q, sizeof(q), "TDX quote", seed);
}

static int cmd_make(int argc, char **argv)
{
	const char *out = NULL, *rim_hex = NULL, *chal_hex = NULL, *rd_hex = NULL, *mrtd_hex = NULL;
	uint64_t seed = 1;
	bool snp = false, tdx = false;
	struct cca_realm_claims rc = { 0 };
	if (has_help(argc, argv)) {
		fputs(usage_make, stdout);
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--seed") == 0) {
			if (parse_seed("make", v, &seed))
				return 2;
			i++;
		} else if (strcmp(a, "--snp") == 0) {
			snp = true;
		} else if (strcmp(a, "--tdx") == 0) {
			tdx = true;
		} else if (strcmp(a, "--report-data") == 0 || strcmp(a, "--mrtd") == 0) {
			if (!v)
				return usage_err("make", "%s needs a value", a);
			*(a[2] == 'r' ? &rd_hex : &mrtd_hex) = v;
			i++;
		} else if ((strcmp(a, "--out") == 0 || strcmp(a, "--rim") == 0 ||
			    strcmp(a, "--challenge") == 0)) {
			if (!v)
				return usage_err("make", "%s needs a value", a);
			*(a[2] == 'o' ? &out : a[2] == 'r' ? &rim_hex : &chal_hex) = v;
			i++;
		} else if (a[0] == '-') {
			return usage_err("make", "unknown option %s", a);
		} else {
			return usage_err("make", "unexpected argument %s", a);
		}
	}
	if (!out)
		return usage_err("make", "%s", "--out FILE is required");
	if (snp && tdx)
		return usage_err("make", "%s", "--snp and --tdx: one kind at a time");
	if (mrtd_hex && !tdx)
		return usage_err("make", "%s", "--mrtd goes with --tdx");
	if (snp)
		return make_snp(out, seed, rd_hex);
	if (tdx)
		return make_tdx(out, seed, mrtd_hex, rd_hex);
	if (rim_hex) {
		long n = parse_hex(rim_hex, rc.rim, sizeof(rc.rim));
		if (n != 32 && n != 64)
			return usage_err("make", "--rim %s: expected 32 or 64 bytes of hex", rim_hex);
		rc.meas_len = (size_t)n;
	} else {
		char label[64];
		int ln = snprintf(label, sizeof(label), "ccsim/cca/rim/%llu", (unsigned long long)seed);
		rc.meas_len = p384_digest("sha-512", label, (size_t)ln, rc.rim);
	}
	snprintf(rc.hash_alg, sizeof(rc.hash_alg), rc.meas_len == 32 ? "sha-256" : "sha-512");
	if (chal_hex && parse_hex(chal_hex, rc.challenge, sizeof(rc.challenge)) < 0)
		return usage_err("make", "--challenge %s: expected 1..64 bytes of hex", chal_hex);
	uint8_t *tok;
	size_t len;
	if (cca_token_build(seed, &rc, NULL, &tok, &len)) {
		fprintf(stderr, "ccsim attest make: cannot build the token\n");
		return 2;
	}
	GError *ge = NULL;
	if (!g_file_set_contents(out, (const char *)tok, (gssize)len, &ge)) {
		fprintf(stderr, "%s: cannot write: %s\n", out, ge->message);
		g_error_free(ge);
		free(tok);
		return 2;
	}
	printf("wrote %s (%zu bytes, seed %llu)\n", out, len, (unsigned long long)seed);
	free(tok);
	return 0;
}

static void print_text(FILE *out, const char *file, size_t len, const struct cca_token_view *v, bool valid)
{
	const struct cca_platform_claims *p = &v->platform;
	const struct cca_realm_claims *r = &v->realm;
#define LINE(name, p_, n_) (fprintf(out, "  %-26s ", name), put_hex(out, p_, n_), fputc('\n', out))
	fprintf(out, "%s: %s CCA attestation token (%zu bytes)\n", file, valid ? "valid" : "parsed", len);
	fprintf(out, "platform token (CPAK, ES384):\n");
	fprintf(out, "  %-26s %s\n", "profile", p->profile);
	LINE("challenge", p->challenge, p->challenge_len);
	LINE("implementation id", p->implementation_id, sizeof(p->implementation_id));
	LINE("instance id", p->instance_id, sizeof(p->instance_id));
	LINE("config", p->config, p->config_len);
	fprintf(out, "  %-26s 0x%04x\n", "lifecycle", p->lifecycle);
	fprintf(out, "  %-26s %s\n", "hash algorithm", p->hash_alg);
	fprintf(out, "  %-26s %s\n", "verification service", p->verification_service);
	for (size_t i = 0; i < p->nsw; i++) {
		char name[48];
		snprintf(name, sizeof(name), "software component %zu", i);
		fprintf(out, "  %-26s %s %s\n", name, p->sw[i].type, p->sw[i].version);
		LINE("  measurement", p->sw[i].value, p->sw[i].value_len);
		LINE("  signer id", p->sw[i].signer_id, p->sw[i].signer_id_len);
	}
	fprintf(out, "realm token (RAK, ES384):\n");
	LINE("challenge", r->challenge, sizeof(r->challenge));
	LINE("personalization value", r->rpv, sizeof(r->rpv));
	fprintf(out, "  %-26s %s\n", "hash algorithm", r->hash_alg);
	LINE("RIM", r->rim, r->meas_len);
	for (int i = 0; i < CCA_NUM_REMS; i++) {
		char name[16];
		snprintf(name, sizeof(name), "REM%d", i);
		LINE(name, r->rem[i], r->meas_len);
	}
	LINE("public key (RAK)", r->rak_pub, sizeof(r->rak_pub));
	fprintf(out, "  %-26s %s\n", "public key format",
	       r->rak_claim_len == P384_POINT_LEN && r->rak_claim[0] == 4 ? "raw EC point" : "COSE_Key");
	fprintf(out, "  %-26s %s\n", "public key hash algorithm", r->rak_hash_alg);
	if (r->profile[0])
		fprintf(out, "  %-26s %s\n", "profile", r->profile);
#undef LINE
}

static void json_hex(FILE *f, const char *key, const uint8_t *p, size_t n, bool last)
{
	fprintf(f, "\"%s\": \"", key);
	put_hex(f, p, n);
	fprintf(f, "\"%s", last ? "" : ", ");
}

static const char *check_word(int st) { return st ? "failed" : "verified"; }

static void print_json(FILE *out, const char *file, const struct cca_token_view *v, const char *error)
{
	const struct cca_platform_claims *p = &v->platform;
	const struct cca_realm_claims *r = &v->realm;
	fprintf(out, "{\"format\": \"ccsim.attest/1\", \"file\": ");
	json_str(out, file);
	fprintf(out, ", \"valid\": %s, \"error\": ", error ? "false" : "true");
	if (error)
		json_str(out, error);
	else
		fprintf(out, "null");
	fprintf(out, ",\n \"checks\": {\"platform_signature\": \"%s\", \"binding\": \"%s\", "
	       "\"realm_signature\": \"%s\"}", check_word(v->platform_sig), check_word(v->binding),
	       check_word(v->realm_sig));
	{
		fprintf(out, ",\n \"platform\": {\"profile\": ");
		json_str(out, p->profile);
		fprintf(out, ", ");
		json_hex(out, "challenge", p->challenge, p->challenge_len, false);
		json_hex(out, "implementation_id", p->implementation_id, sizeof(p->implementation_id), false);
		json_hex(out, "instance_id", p->instance_id, sizeof(p->instance_id), false);
		json_hex(out, "config", p->config, p->config_len, false);
		fprintf(out, "\"lifecycle\": %u, \"hash_algo\": ", p->lifecycle);
		json_str(out, p->hash_alg);
		fprintf(out, ", \"verification_service\": ");
		json_str(out, p->verification_service);
		fprintf(out, ", \"sw_components\": [");
		for (size_t i = 0; i < p->nsw; i++) {
			fprintf(out, "%s{\"type\": ", i ? ", " : "");
			json_str(out, p->sw[i].type);
			fprintf(out, ", \"version\": ");
			json_str(out, p->sw[i].version);
			fprintf(out, ", ");
			json_hex(out, "measurement", p->sw[i].value, p->sw[i].value_len, false);
			json_hex(out, "signer_id", p->sw[i].signer_id, p->sw[i].signer_id_len, true);
			fprintf(out, "}");
		}
		fprintf(out, "]},\n \"realm\": {");
		json_hex(out, "challenge", r->challenge, sizeof(r->challenge), false);
		json_hex(out, "personalization_value", r->rpv, sizeof(r->rpv), false);
		fprintf(out, "\"hash_algo\": ");
		json_str(out, r->hash_alg);
		fprintf(out, ", ");
		json_hex(out, "rim", r->rim, r->meas_len, false);
		fprintf(out, "\"rem\": [");
		for (int i = 0; i < CCA_NUM_REMS; i++) {
			fprintf(out, "%s\"", i ? ", " : "");
			put_hex(out, r->rem[i], r->meas_len);
			fprintf(out, "\"");
		}
		fprintf(out, "], ");
		json_hex(out, "public_key", r->rak_pub, sizeof(r->rak_pub), false);
		json_hex(out, "public_key_claim", r->rak_claim, r->rak_claim_len, false);
		fprintf(out, "\"public_key_hash_algo\": ");
		json_str(out, r->rak_hash_alg);
		fprintf(out, ", \"profile\": ");
		json_str(out, r->profile);
		fprintf(out, "}");
	}
	fprintf(out, "}\n");
}

/* A platform public key: PEM (SubjectPublicKeyInfo) or the raw point. */
static int load_cpak(const char *path, uint8_t pub[P384_POINT_LEN])
{
	gchar *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, NULL)) {
		fprintf(stderr, "%s: cannot read\n", path);
		return 2;
	}
	int rc = 2;
	if (len == P384_POINT_LEN && (uint8_t)data[0] == 0x04) {
		memcpy(pub, data, P384_POINT_LEN);
		rc = 0;
	} else {
		BIO *b = BIO_new_mem_buf(data, (int)len);
		EVP_PKEY *k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
		size_t n = 0;
		if (k && EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub,
							   P384_POINT_LEN, &n) && n == P384_POINT_LEN)
			rc = 0;
		EVP_PKEY_free(k);
		BIO_free(b);
	}
	if (rc)
		fprintf(stderr, "%s: not a P-384 public key (PEM, or a raw 97-byte point)\n", path);
	g_free(data);
	return rc;
}

static int cmd_verify(int argc, char **argv)
{
	const char *file = NULL, *rim_hex = NULL, *meas_hex = NULL, *cpak_file = NULL;
	const char *mrtd_hex = NULL, *rd_hex = NULL;
	uint64_t seed = 1;
	bool json = false, tdx = false;
	if (has_help(argc, argv)) {
		fputs(usage_verify, stdout);
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--seed") == 0) {
			if (parse_seed("verify", v, &seed))
				return 2;
			i++;
		} else if (strcmp(a, "--rim") == 0) {
			if (!v)
				return usage_err("verify", "%s needs a value", a);
			rim_hex = v;
			i++;
		} else if (strcmp(a, "--measurement") == 0) {
			if (!v)
				return usage_err("verify", "%s needs a value", a);
			meas_hex = v;
			i++;
		} else if (strcmp(a, "--cpak") == 0) {
			if (!v)
				return usage_err("verify", "%s needs a FILE", a);
			cpak_file = v;
			i++;
		} else if (strcmp(a, "--mrtd") == 0 || strcmp(a, "--report-data") == 0) {
			if (!v)
				return usage_err("verify", "%s needs a value", a);
			*(a[2] == 'm' ? &mrtd_hex : &rd_hex) = v;
			i++;
		} else if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--tdx") == 0) {
			tdx = true;
		} else if (a[0] == '-') {
			return usage_err("verify", "unknown option %s", a);
		} else if (!file) {
			file = a;
		} else {
			return usage_err("verify", "unexpected argument %s (one token FILE)", a);
		}
	}
	if (!file)
		return usage_err("verify", "%s", "expected a token FILE");
	uint8_t rim[CCA_MEAS_MAX];
	if (rim_hex && parse_hex(rim_hex, rim, sizeof(rim)) < 32) /* before reading FILE */
		return usage_err("verify", "--rim %s: expected 32..64 bytes of hex", rim_hex);

	gchar *data = NULL;
	gsize len = 0;
	GError *ge = NULL;
	if (!g_file_get_contents(file, &data, &len, &ge)) {
		fprintf(stderr, "%s: cannot read: %s\n", file, ge->message);
		g_error_free(ge);
		return 2;
	}
	struct attest_verify_opts o = { seed, rim_hex, meas_hex, cpak_file, json, tdx, mrtd_hex, rd_hex };
	int status = attest_verify_data(file, (const uint8_t *)data, len, &o, stdout, stderr);
	g_free(data);
	return status;
}

int attest_verify_data(const char *file, const uint8_t *data, size_t len,
		       const struct attest_verify_opts *o, FILE *out, FILE *errs)
{
	const char *rim_hex = o->rim_hex, *meas_hex = o->meas_hex, *cpak_file = o->cpak_file;
	uint64_t seed = o->seed;
	bool json = o->json;
	uint8_t rim[CCA_MEAS_MAX];
	long rim_len = 0;
	if (rim_hex && (rim_len = parse_hex(rim_hex, rim, sizeof(rim))) < 32)
		return usage_err("verify", "--rim %s: expected 32..64 bytes of hex", rim_hex);
	if (o->tdx || attest_is_tdx_quote(data, len)) {
		uint8_t mrtd[48], rd[64] = { 0 };
		if (o->mrtd_hex && parse_hex(o->mrtd_hex, mrtd, sizeof(mrtd)) != 48)
			return usage_err("verify", "--mrtd %s: expected 48 bytes of hex", o->mrtd_hex);
		if (o->rd_hex && parse_hex(o->rd_hex, rd, sizeof(rd)) < 0)
			return usage_err("verify", "--report-data %s: expected 1..64 bytes of hex", o->rd_hex);
		struct attest_tdx_expect want = { seed, o->mrtd_hex ? mrtd : NULL, o->rd_hex ? rd : NULL };
		return attest_tdx_verify(file, data, len, &want, json, out, errs);
	}
	if (attest_is_snp_report(data, len)) {
		uint8_t meas[SNP_DIGEST_LEN];
		long mlen = 0;
		if (meas_hex && (mlen = parse_hex(meas_hex, meas, sizeof(meas))) != SNP_DIGEST_LEN)
			return usage_err("verify", "--measurement %s: expected 48 bytes of hex", meas_hex);
		return attest_snp_verify(file, data, seed, meas_hex ? meas : NULL, (size_t)mlen, json,
					 out, errs);
	}
	uint8_t cpak[P384_POINT_LEN];
	char err[256];
	if (cpak_file) {
		if (load_cpak(cpak_file, cpak))
			return 2;
	} else {
		cca_cpak_public(seed, cpak);
	}
	struct cca_token_view *v = g_new0(struct cca_token_view, 1);
	int rc = cca_token_verify(data, len, cpak, v, err, sizeof(err));
	int status = 0;
	if (rc == CCA_ERR_MALFORMED) {
		fprintf(errs, "%s: malformed CCA token: %s\n", file, err);
		status = 2;
		goto out;
	}
	if (rc) {
		fprintf(errs, "%s: verification failed: %s\n", file, err);
		if (v->platform_sig) {
			if (cpak_file)
				fprintf(errs, "  platform signature: does not verify with the key in %s\n",
					cpak_file);
			else
				fprintf(errs, "  platform signature: not signed by the simulated platform of "
					"seed %llu. A token carries no platform key (CPAK): the verifier must "
					"know it. Give the platform's public key with --cpak FILE to check it.\n",
					(unsigned long long)seed);
		}
		fprintf(errs, "  binding (platform challenge = hash of the realm public key): %s\n",
			v->binding ? "FAILS" : "holds");
		fprintf(errs, "  realm signature (the key in the realm token): %s\n",
			v->realm_sig ? "FAILS" : "verified");
		if (json)
			print_json(out, file, v, err);
		else if (!v->binding || !v->realm_sig) /* what parsed is still worth reading */
			print_text(out, file, len, v, false);
		status = 1;
		goto out;
	}
	if (rim_hex && ((size_t)rim_len != v->realm.meas_len || memcmp(rim, v->realm.rim, (size_t)rim_len))) {
		GString *m = g_string_new("RIM mismatch: token has ");
		for (size_t i = 0; i < v->realm.meas_len; i++)
			g_string_append_printf(m, "%02x", v->realm.rim[i]);
		g_string_append_printf(m, ", expected %s", rim_hex);
		fprintf(errs, "%s: verification failed: %s\n", file, m->str);
		if (json)
			print_json(out, file, v, m->str);
		else
			print_text(out, file, len, v, false);
		g_string_free(m, TRUE);
		status = 1;
		goto out;
	}
	if (json)
		print_json(out, file, v, NULL);
	else
		print_text(out, file, len, v, true);
out:
	g_free(v);
	return status;
}

int attest_main(int argc, char **argv)
{
	if (argc < 1) {
		fputs(usage_attest, stderr);
		return 2;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		fputs(usage_attest, stdout);
		return 0;
	}
	if (strcmp(argv[0], "make") == 0)
		return cmd_make(argc - 1, argv + 1);
	if (strcmp(argv[0], "verify") == 0)
		return cmd_verify(argc - 1, argv + 1);
	fprintf(stderr, "ccsim attest: unknown subcommand \"%s\"\n\n%s", argv[0], usage_attest);
	return 2;
}
