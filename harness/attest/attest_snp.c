/* ccsim attest for AMD SEV-SNP attestation reports: a sample report from a
 * minimal launch on the firmware model (`attest make --snp`), and checking a
 * report's VCEK signature and, optionally, its measurement (`attest verify`
 * on a 1184-byte file). */
#include "harness/attest/attest_snp.h"
#include "sim/json.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/monitor/snp/snp_fw.h"
#include "sim/buf.h"

/* A small flat memory standing in for the machine: 16 MB whose last 1 MB
 * holds the RMP (the firmware wants it 1 MB aligned). Enough for one guest
 * with one measured page. */
#define DEMO_MEM 0x1000000ull
#define DEMO_RMP_BASE 0xF00000ull
#define DEMO_GCTX 0x10000ull
#define DEMO_PAGE 0x200000ull
#define DEMO_GPA 0x100000ull
#define DEMO_ASID 1u
#define DEMO_POLICY 0x30000ull /* ABI 0.0, SMT allowed, reserved bit 17 */

struct demo_mem {
	uint8_t *cells;
};

static int demo_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct demo_mem *d = ctx;
	if (pa >= DEMO_MEM || len > DEMO_MEM - pa)
		return -EFAULT;
	memcpy(buf, d->cells + pa, len);
	return 0;
}

static int demo_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	struct demo_mem *d = ctx;
	if (pa >= DEMO_MEM || len > DEMO_MEM - pa)
		return -EFAULT;
	memcpy(d->cells + pa, buf, len);
	return 0;
}

int attest_snp_make(uint64_t seed, const uint8_t report_data[SNP_REPORT_DATA_LEN],
		    const uint8_t *image, size_t image_len, uint8_t out[SNP_REPORT_LEN])
{
	struct demo_mem d = { calloc(1, DEMO_MEM) };
	struct snp_fw *fw = calloc(1, sizeof(*fw));
	struct snp_fw_config cfg;
	struct snp_launch_finish fin = { 0 };
	int rc = -EIO;
	if (!d.cells || !fw)
		goto out;
	struct rmp_io io = { demo_read, demo_write, &d };
	struct snp_fw_io fio = { .rmp = io, .mem = io, .ctx = io };
	snp_fw_config_default(&cfg);
	cfg.rmp = (struct rmp_config){ .base = DEMO_RMP_BASE, .end = DEMO_MEM - 1, .mem_top = DEMO_MEM };
	snp_fw_init(fw, &cfg, &fio, seed);
	memcpy(d.cells + DEMO_PAGE, image, image_len < 4096 ? image_len : 4096);
	if (snp_init(fw) || snp_launch_start(fw, DEMO_GCTX, DEMO_POLICY) ||
	    snp_activate(fw, DEMO_GCTX, DEMO_ASID) ||
	    snp_launch_update(fw, DEMO_GCTX, DEMO_PAGE, DEMO_GPA, SNP_PAGE_NORMAL) ||
	    snp_launch_finish(fw, DEMO_GCTX, &fin) ||
	    snp_guest_report(fw, DEMO_GCTX, report_data, 0, out))
		goto out;
	rc = 0;
out:
	free(d.cells);
	free(fw);
	return rc;
}

bool attest_is_snp_report(const uint8_t *data, size_t len)
{
	if (len != SNP_REPORT_LEN)
		return false;
	uint32_t version = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
			   (uint32_t)data[3] << 24;
	return version >= 2 && version <= 5;
}

int attest_snp_verify(const char *file, const uint8_t *r, uint64_t seed, const uint8_t *meas,
		      size_t meas_len, bool json, FILE *f, FILE *errs)
{
	uint8_t pub[P384_POINT_LEN];
	const char *why = NULL;
	uint64_t tcb = sim_le64_load(r + SNP_RPT_REPORTED_TCB);
	snp_vcek_public(seed, tcb, pub);
	int bad = snp_report_verify(r, pub, &why);
	char msg[200] = "";
	if (bad)
		snprintf(msg, sizeof(msg), "SNP report check failed: %s (VCEK of seed %llu, TCB 0x%016llx)",
			 why ? why : "?", (unsigned long long)seed, (unsigned long long)tcb);
	else if (meas && (meas_len != SNP_DIGEST_LEN || memcmp(meas, r + SNP_RPT_MEASUREMENT, meas_len)))
		snprintf(msg, sizeof(msg), "measurement mismatch");
	if (json) {
		fprintf(f, "{\n  \"format\": \"ccsim.attest/1\",\n  \"kind\": \"sev-snp-report\",\n"
			   "  \"file\": ");
		json_str(f, file); /* a path may hold quotes, backslashes, any byte */
		fprintf(f, ",\n  \"valid\": %s,\n", msg[0] ? "false" : "true");
		fprintf(f, "  \"version\": %u,\n  \"vmpl\": %u,\n  \"policy\": %llu,\n",
			   (unsigned)r[SNP_RPT_VERSION], (unsigned)r[SNP_RPT_VMPL],
			   (unsigned long long)sim_le64_load(r + SNP_RPT_POLICY));
		fputs("  \"measurement\": \"", f);
		for (int i = 0; i < SNP_DIGEST_LEN; i++)
			fprintf(f, "%02x", r[SNP_RPT_MEASUREMENT + i]);
		fputs("\",\n  \"report_data\": \"", f);
		for (int i = 0; i < SNP_REPORT_DATA_LEN; i++)
			fprintf(f, "%02x", r[SNP_RPT_REPORT_DATA + i]);
		fprintf(f, "\",\n  \"error\": %s%s%s\n}\n", msg[0] ? "\"" : "", msg[0] ? msg : "null",
			msg[0] ? "\"" : "");
	} else {
		fprintf(f, "%s: AMD SEV-SNP attestation report v%u, VMPL %u\n", file,
			(unsigned)r[SNP_RPT_VERSION], (unsigned)r[SNP_RPT_VMPL]);
		fputs("  measurement  ", f);
		for (int i = 0; i < SNP_DIGEST_LEN; i++)
			fprintf(f, "%02x", r[SNP_RPT_MEASUREMENT + i]);
		fputs("\n  report_data  ", f);
		for (int i = 0; i < SNP_REPORT_DATA_LEN; i++)
			fprintf(f, "%02x", r[SNP_RPT_REPORT_DATA + i]);
		fprintf(f, "\n  policy       0x%llx\n  reported_tcb 0x%016llx\n  signature    %s\n",
			(unsigned long long)sim_le64_load(r + SNP_RPT_POLICY), (unsigned long long)tcb,
			bad ? "INVALID" : "valid (VCEK, ECDSA P-384 / SHA-384)");
	}
	if (msg[0]) {
		fprintf(errs, "%s: verification failed: %s\n", file, msg);
		return 1;
	}
	return 0;
}
