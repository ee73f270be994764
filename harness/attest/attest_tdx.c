/* ccsim attest for Intel TDX quotes (models/monitor/attest/tdx_quote.h): a
 * sample quote of a TD with a given MRTD and REPORTDATA (`attest make
 * --tdx`), and checking a quote's chain and, optionally, its MRTD and
 * REPORTDATA (`attest verify --tdx`). */
#include "harness/attest/attest_tdx.h"

#include <glib.h>
#include <string.h>

#include "models/cpu/isa.h"
#include "models/monitor/attest/p384.h"
#include "models/monitor/tdx/tdx.h"
#include "sim/buf.h"
#include "sim/json.h"

int attest_tdx_make(uint64_t seed, const uint8_t mrtd[48], const uint8_t reportdata[64],
		    uint8_t out[TDX_QUOTE_LEN])
{
	struct tdx_td_measurements m = { .attributes = TD_ATTR_SEPT_VE_DISABLE, .xfam = 0x3 };
	uint8_t rep[TDREPORT_SIZE];
	const char *why = NULL;
	memcpy(m.mrtd, mrtd, 48);
	tdx_tdreport_make(seed, &m, reportdata, rep);
	return tdx_quote_build(seed, rep, out, &why);
}

/* One 128-byte MRTD block: the leaf's name (bytes 0..15), the GPA at 16
 * (the module's sha384_128B_block_t). */
static void mrtd_block(GByteArray *m, const char *leaf, uint64_t gpa)
{
	uint8_t b[128] = { 0 };
	memcpy(b, leaf, strlen(leaf));
	sim_le64_store(b + 16, gpa);
	g_byte_array_append(m, b, sizeof(b));
}

/* MRTD = SHA-384 over, for each page TDH.MEM.PAGE.ADD adds (in order), a
 * block "MEM.PAGE.ADD" || GPA, then for each of its 256-byte chunks
 * TDH.MR.EXTEND measures a block "MR.EXTEND" || GPA and the chunk (Intel
 * TDX Module v1.5 ABI, "TDH.MEM.PAGE.ADD", "TDH.MR.EXTEND"; the host
 * extends every chunk, as KVM's KVM_TDX_MEASURE_MEMORY_REGION). The
 * pages: the image from GPA 0, zero-padded to whole pages; then TDVF's
 * reset page at 0xFFFFF000, zero but for a branch to 0 at the reset
 * vector 0xFFFFFFF0 (ABI "Initial State of a TD VCPU"). Hashed with
 * OpenSSL's SHA-384, not the module's. */
void attest_tdx_mrtd_of_image(const uint8_t *img, size_t len, uint8_t mrtd[48])
{
	const uint64_t page = 4096, reset_gpa = 0xFFFFF000ull;
	uint64_t pages = (len + page - 1) / page;
	GByteArray *m = g_byte_array_new();
	uint8_t *p = g_malloc0(page);
	for (uint64_t i = 0; i <= pages; i++) {
		uint64_t gpa = i < pages ? i * page : reset_gpa;
		memset(p, 0, page);
		if (i < pages)
			memcpy(p, img + i * page, MIN(page, len - i * page));
		else
			isa_encode(&(struct isa_insn){ .op = ISA_B, .imm64 = 0 },
				   p + page - ISA_INSN_BYTES);
		mrtd_block(m, "MEM.PAGE.ADD", gpa);
		for (uint64_t off = 0; off < page; off += 256) {
			mrtd_block(m, "MR.EXTEND", gpa + off);
			g_byte_array_append(m, p + off, 256);
		}
	}
	uint8_t h[64];
	p384_digest("sha-384", m->data, m->len, h);
	memcpy(mrtd, h, 48);
	g_free(p);
	g_byte_array_free(m, TRUE);
}

bool attest_is_tdx_quote(const uint8_t *data, size_t len)
{
	/* an SEV-SNP report of version 4 starts alike (its version a LE32,
	 * then GUEST_SVN, which may be 0x81): a DCAP quote names its
	 * attestation key type (2 ECDSA-256, 3 ECDSA-384), never 0 */
	return len >= 8 && data[0] == TDX_QUOTE_VERSION && data[1] == 0 &&
	       (data[TDX_QH_ATT_KEY_TYPE] | data[TDX_QH_ATT_KEY_TYPE + 1]) != 0 &&
	       sim_le32_load(data + TDX_QH_TEE_TYPE) == TDX_QUOTE_TEE_TDX;
}

/* The body's fields in quote order: name, offset, length. */
static const struct { const char *name; unsigned off, len; } body_fields[] = {
	{ "tee_tcb_svn", TDX_QB_TEE_TCB_SVN, 16 },
	{ "mrseam", TDX_QB_MRSEAM, 48 },
	{ "mrsignerseam", TDX_QB_MRSIGNERSEAM, 48 },
	{ "seam_attributes", TDX_QB_SEAM_ATTRIBUTES, 8 },
	{ "td_attributes", TDX_QB_TD_ATTRIBUTES, 8 },
	{ "xfam", TDX_QB_XFAM, 8 },
	{ "mrtd", TDX_QB_MRTD, 48 },
	{ "mrconfigid", TDX_QB_MRCONFIGID, 48 },
	{ "mrowner", TDX_QB_MROWNER, 48 },
	{ "mrownerconfig", TDX_QB_MROWNERCONFIG, 48 },
	{ "rtmr0", TDX_QB_RTMR, 48 },
	{ "rtmr1", TDX_QB_RTMR + 48, 48 },
	{ "rtmr2", TDX_QB_RTMR + 96, 48 },
	{ "rtmr3", TDX_QB_RTMR + 144, 48 },
	{ "report_data", TDX_QB_REPORTDATA, 64 },
};

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static const char *word(int fails) { return fails ? "failed" : "verified"; }

static void print_json(FILE *f, const char *file, const struct tdx_quote_view *v, const char *msg)
{
	fprintf(f, "{\n  \"format\": \"ccsim.attest/1\",\n  \"kind\": \"tdx-quote\",\n  \"file\": ");
	json_str(f, file);
	fprintf(f, ",\n  \"valid\": %s,\n  \"error\": ", msg[0] ? "false" : "true");
	if (msg[0])
		json_str(f, msg);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"checks\": {\"pck\": \"%s\", \"qe_report_signature\": \"%s\", "
		   "\"attestation_key_binding\": \"%s\", \"quote_signature\": \"%s\"},\n",
		word(v->pck_fails), word(v->qe_sig_fails), word(v->binding_fails),
		word(v->quote_sig_fails));
	fprintf(f, "  \"version\": %u,\n  \"att_key_type\": %u,\n  \"tee_type\": %u,\n  \"qe_vendor_id\": \"",
		v->version, v->att_key_type, v->tee_type);
	hex(f, v->vendor_id, 16);
	fputs("\",\n  \"user_data\": \"", f);
	hex(f, v->user_data, 20);
	fputs("\",\n  \"body\": {", f);
	for (size_t i = 0; i < sizeof(body_fields) / sizeof(body_fields[0]); i++) {
		fprintf(f, "%s\n    \"%s\": \"", i ? "," : "", body_fields[i].name);
		hex(f, v->body + body_fields[i].off, body_fields[i].len);
		fputc('"', f);
	}
	fprintf(f, "\n  },\n  \"attestation_key\": \"");
	hex(f, v->att_key, TDX_QUOTE_KEY_LEN);
	fprintf(f, "\",\n  \"certification_data_type\": %u,\n  \"pck\": \"", v->cert_type);
	hex(f, v->pck, TDX_QUOTE_KEY_LEN);
	fputs("\"\n}\n", f);
}

static void print_text(FILE *f, const char *file, const struct tdx_quote_view *v)
{
	fprintf(f, "%s: Intel TDX quote v%u (DCAP), TEE type 0x%x, attestation key ECDSA P-384\n",
		file, v->version, v->tee_type);
	for (size_t i = 0; i < sizeof(body_fields) / sizeof(body_fields[0]); i++) {
		fprintf(f, "  %-16s ", body_fields[i].name);
		hex(f, v->body + body_fields[i].off, body_fields[i].len);
		fputc('\n', f);
	}
	fprintf(f, "  %-16s ", "attestation key");
	hex(f, v->att_key, TDX_QUOTE_KEY_LEN);
	fprintf(f, "\n  %-16s ", "pck");
	hex(f, v->pck, TDX_QUOTE_KEY_LEN);
	fprintf(f, "\n  pck (seed's platform)      %s\n", word(v->pck_fails));
	fprintf(f, "  QE report signature (PCK)  %s\n", word(v->qe_sig_fails));
	fprintf(f, "  attestation key binding    %s\n", word(v->binding_fails));
	fprintf(f, "  quote signature            %s\n", word(v->quote_sig_fails));
}

int attest_tdx_verify(const char *file, const uint8_t *q, size_t len,
		      const struct attest_tdx_expect *want, bool json, FILE *out, FILE *errs)
{
	struct tdx_quote_view v;
	char msg[300] = "";
	int rc = tdx_quote_verify(q, len, want->seed, &v, msg, sizeof(msg));
	if (rc == TDX_QUOTE_MALFORMED) {
		fprintf(errs, "%s: malformed TDX quote: %s\n", file, msg);
		return 2;
	}
	if (!rc && want->mrtd && memcmp(want->mrtd, v.body + TDX_QB_MRTD, 48))
		snprintf(msg, sizeof(msg), "MRTD mismatch (the quote's differs from --mrtd)");
	else if (!rc && want->report_data && memcmp(want->report_data, v.body + TDX_QB_REPORTDATA, 64))
		snprintf(msg, sizeof(msg), "REPORTDATA mismatch (the quote's differs from --report-data)");
	if (json)
		print_json(out, file, &v, msg);
	else
		print_text(out, file, &v);
	if (msg[0]) {
		fprintf(errs, "%s: verification failed: %s\n", file, msg);
		return 1;
	}
	return 0;
}
