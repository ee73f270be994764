/* AMD SEV-SNP firmware commands and attestation report; see snp_fw.h.
 * Launch digest per SNP Firmware ABI (56860) §8.17.2 (PAGE_INFO), cross-checked
 * with the virtee `sev` crate's measurement GCTX and Linux INITIAL_VMSA_GPA;
 * report layout per §7.3 Table 23 and Linux uapi sev-guest.h. */
#include "models/monitor/snp/snp_fw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/buf.h"

#define PAGE 0x1000ull
#define GPA_LIMIT (1ull << 51) /* the RMP GPA field holds GPA[50:12] */

/* Secrets page (§8.17.3 Table "Secrets Page Format"; Linux struct
 * snp_secrets_page): VERSION at 0, FMS at 8, GOSVW at 0x10, VMPCK0..3 at 0x20. */
#define SECRETS_VERSION 2 /* [recall] */
#define SECRETS_FMS 0x08
#define SECRETS_VMPCK0 0x20

static void le32_store(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t le32_load(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void snp_fw_config_default(struct snp_fw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->smt_enabled = true;
	cfg->sockets = 1;
	cfg->api_major = 1;
	cfg->api_minor = 55;
	cfg->build = 21;
	/* boot loader 9, TEE 0, SNP 23, microcode 0xd4 (a Genoa-era TCB). */
	cfg->tcb = 0x09ull | (23ull << 48) | (0xd4ull << 56);
	cfg->min_sev_asid = 100;
	cfg->cpuid_fam = 0x19;
	cfg->cpuid_mod = 0x11;
	cfg->cpuid_step = 0x01;
}

void snp_fw_init(struct snp_fw *fw, const struct snp_fw_config *cfg, const struct snp_fw_io *io,
		 uint64_t seed)
{
	memset(fw, 0, sizeof(*fw));
	fw->cfg = *cfg;
	fw->rmp = io->rmp;
	fw->mem = io->mem;
	fw->ctx = io->ctx;
	fw->aliased = io->aliased;
	fw->aliased_ctx = io->aliased_ctx;
	fw->mem_key = io->mem_key;
	fw->mem_key_ctx = io->mem_key_ctx;
	fw->seed = seed;
	fw->state = SNP_PLATFORM_UNINIT;
}

static struct snp_guest *guest_get(struct snp_fw *fw, uint64_t gctx_pa)
{
	for (unsigned i = 0; i < SNP_MAX_GUESTS; i++)
		if (fw->guests[i].in_use && fw->guests[i].gctx_pa == gctx_pa)
			return &fw->guests[i];
	return NULL;
}

const struct snp_guest *snp_guest_find(const struct snp_fw *fw, uint64_t gctx_pa)
{
	return guest_get((struct snp_fw *)fw, gctx_pa);
}

/* ---- the guest context page ---- */

static void gctx_encode(const struct snp_gctx *c, uint8_t p[SNP_GCTX_USED])
{
	memset(p, 0, SNP_GCTX_USED);
	le32_store(p + SNP_GCTX_STATE, c->state);
	le32_store(p + SNP_GCTX_GUEST_SVN, c->guest_svn);
	sim_le64_store(p + SNP_GCTX_POLICY, c->policy);
	sim_le64_store(p + SNP_GCTX_LAUNCH_TCB, c->launch_tcb);
	memcpy(p + SNP_GCTX_FAMILY_ID, c->family_id, 16);
	memcpy(p + SNP_GCTX_IMAGE_ID, c->image_id, 16);
	memcpy(p + SNP_GCTX_HOST_DATA, c->host_data, SNP_HOST_DATA_LEN);
	memcpy(p + SNP_GCTX_LD, c->ld, SNP_DIGEST_LEN);
}

static void gctx_decode(const uint8_t p[SNP_GCTX_USED], struct snp_gctx *c)
{
	c->state = le32_load(p + SNP_GCTX_STATE);
	c->guest_svn = le32_load(p + SNP_GCTX_GUEST_SVN);
	c->policy = sim_le64_load(p + SNP_GCTX_POLICY);
	c->launch_tcb = sim_le64_load(p + SNP_GCTX_LAUNCH_TCB);
	memcpy(c->family_id, p + SNP_GCTX_FAMILY_ID, 16);
	memcpy(c->image_id, p + SNP_GCTX_IMAGE_ID, 16);
	memcpy(c->host_data, p + SNP_GCTX_HOST_DATA, SNP_HOST_DATA_LEN);
	memcpy(c->ld, p + SNP_GCTX_LD, SNP_DIGEST_LEN);
}

/* Each command reads the guest's state from the page and writes back what
 * it changed: the page in DRAM, not a copy in the firmware, is the state. */
static int gctx_load(struct snp_fw *fw, uint64_t gctx_pa, struct snp_gctx *c)
{
	uint8_t p[SNP_GCTX_USED];
	int rc = fw->ctx.read(fw->ctx.ctx, gctx_pa, p, sizeof(p));
	if (!rc)
		gctx_decode(p, c);
	return rc;
}

static int gctx_store(struct snp_fw *fw, uint64_t gctx_pa, const struct snp_gctx *c)
{
	uint8_t p[SNP_GCTX_USED];
	gctx_encode(c, p);
	return fw->ctx.write(fw->ctx.ctx, gctx_pa, p, sizeof(p));
}

int snp_gctx_read(struct snp_fw *fw, uint64_t gctx_pa, struct snp_gctx *out)
{
	return guest_get(fw, gctx_pa) ? gctx_load(fw, gctx_pa, out) : -ENOENT;
}

static const struct rmp_entry firmware_page = { .assigned = true, .immutable = true };

enum snp_status snp_init(struct snp_fw *fw)
{
	/* §8.8: SNP_INIT only from UNINIT. */
	if (fw->state != SNP_PLATFORM_UNINIT)
		return SNP_INVALID_PLATFORM_STATE;
	if (rmp_config_check(&fw->cfg.rmp))
		return SNP_INVALID_CONFIG;
	/* The firmware raises the RMP alignment to 1MB (rmp.h). */
	if (fw->cfg.rmp.base % 0x100000 || (fw->cfg.rmp.end + 1) % 0x100000)
		return SNP_INVALID_CONFIG;
	/* AMD-SB-3015 (BadRAM, CVE-2024-21944): the firmware validates the
	 * memory configuration, so that no two system physical addresses reach
	 * one DRAM cell, before it runs guests; such an alias lets the host
	 * reach the plaintext RMP and the guests' ciphertext behind every
	 * check (De Meulemeester et al., "BadRAM", IEEE S&P 2025). */
	if (fw->cfg.alias_check) {
		if (fw->aliased && fw->aliased(fw->aliased_ctx, 0, fw->cfg.rmp.mem_top))
			return SNP_HWERROR_PLATFORM;
		fw->alias_check_complete = true;
	}
	if (!fw->cfg.rmp_preinitialized && rmp_init_table(&fw->cfg.rmp, &fw->rmp))
		return SNP_HWERROR_PLATFORM;
	fw->cfg.rmp_preinitialized = true;
	if (fw->cfg.fw_pages_len &&
	    (fw->cfg.fw_pages_base % PAGE || fw->cfg.fw_pages_len % PAGE ||
	     !rmp_covers(&fw->cfg.rmp, fw->cfg.fw_pages_base, fw->cfg.fw_pages_len)))
		return SNP_INVALID_CONFIG;
	for (uint64_t pa = fw->cfg.fw_pages_base; pa < fw->cfg.fw_pages_base + fw->cfg.fw_pages_len;
	     pa += PAGE)
		if (rmp_entry_write(&fw->cfg.rmp, &fw->rmp, pa, &firmware_page))
			return SNP_HWERROR_PLATFORM;
	fw->state = SNP_PLATFORM_INIT;
	return SNP_SUCCESS;
}

/* The page's own entry if no 2MB entry governs it; otherwise *big is set. */
static int page_entry(struct snp_fw *fw, uint64_t spa, struct rmp_entry *e, bool *big)
{
	struct rmp_lookup l = rmp_lookup(&fw->cfg.rmp, &fw->rmp, spa);
	if (l.err)
		return l.err;
	*e = l.entry;
	*big = l.entry.size_2m;
	return 0;
}

static int zero_page(struct snp_fw *fw, uint64_t spa)
{
	static const uint8_t zeros[PAGE];
	return fw->mem.write(fw->mem.ctx, spa, zeros, PAGE);
}

enum snp_status snp_launch_start(struct snp_fw *fw, uint64_t gctx_pa, uint64_t policy)
{
	const struct snp_fw_config *c = &fw->cfg;
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	if (gctx_pa % PAGE || !rmp_covers(&c->rmp, gctx_pa, PAGE))
		return SNP_INVALID_ADDRESS;
	if (guest_get(fw, gctx_pa))
		return SNP_INVALID_GUEST;
	/* §4.3 GUEST_POLICY: bit 17 must be one, unknown bits zero; the firmware
	 * must meet the minimum ABI version; SMT and SINGLE_SOCKET are
	 * requirements on the platform. */
	if (!(policy & SNP_POLICY_RSVD1) || (policy & ~SNP_POLICY_KNOWN_MASK))
		return SNP_POLICY_FAILURE;
	if (SNP_POLICY_ABI_MAJOR(policy) > c->api_major ||
	    (SNP_POLICY_ABI_MAJOR(policy) == c->api_major && SNP_POLICY_ABI_MINOR(policy) > c->api_minor))
		return SNP_POLICY_FAILURE;
	if (!(policy & SNP_POLICY_SMT) && c->smt_enabled)
		return SNP_POLICY_FAILURE;
	if ((policy & SNP_POLICY_SINGLE_SOCKET) && c->sockets > 1)
		return SNP_POLICY_FAILURE;
	if (policy & SNP_POLICY_MIGRATE_MA)
		return SNP_UNSUPPORTED; /* no migration agent in ccsim */
	struct snp_guest *g = NULL;
	for (unsigned i = 0; i < SNP_MAX_GUESTS && !g; i++)
		if (!fw->guests[i].in_use)
			g = &fw->guests[i];
	if (!g)
		return SNP_RESOURCE_LIMIT;
	/* SNP_GCTX_CREATE: the context page must be hypervisor-owned; it
	 * becomes a firmware page, invisible to the host. */
	struct rmp_entry e;
	bool big;
	if (page_entry(fw, gctx_pa, &e, &big))
		return SNP_HWERROR_PLATFORM;
	if (big)
		return SNP_INVALID_PAGE_SIZE;
	if (e.assigned || e.immutable)
		return SNP_INVALID_PAGE_STATE;
	/* The page is cleared and the context written under the firmware's
	 * key; GCTX.LD starts as zero. */
	uint8_t page[PAGE] = { 0 };
	struct snp_gctx ctx = { .state = SNP_GSTATE_LAUNCH, .policy = policy };
	gctx_encode(&ctx, page);
	if (fw->ctx.write(fw->ctx.ctx, gctx_pa, page, PAGE) ||
	    rmp_entry_write(&c->rmp, &fw->rmp, gctx_pa, &firmware_page))
		return SNP_HWERROR_PLATFORM;
	memset(g, 0, sizeof(*g));
	g->in_use = true;
	g->gctx_pa = gctx_pa;
	return SNP_SUCCESS;
}

enum snp_status snp_activate(struct snp_fw *fw, uint64_t gctx_pa, uint32_t asid)
{
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	struct snp_guest *g = guest_get(fw, gctx_pa);
	if (!g)
		return SNP_INVALID_GUEST;
	if (g->asid)
		return SNP_INVALID_GUEST_STATE;
	/* SNP guests use the SEV-ES/SNP ASID range 1 .. min_sev_asid - 1. */
	if (asid == 0 || asid >= fw->cfg.min_sev_asid || asid >= RMP_ASID_LIMIT)
		return SNP_INVALID_ASID;
	for (unsigned i = 0; i < SNP_MAX_GUESTS; i++)
		if (fw->guests[i].in_use && fw->guests[i].asid == asid)
			return SNP_ASID_OWNED;
	if (!fw->cfg.no_asid_gate && !snp_asid_reusable(fw, asid))
		return SNP_DFFLUSH_REQUIRED;
	g->asid = asid;
	return SNP_SUCCESS;
}

void snp_page_info(uint8_t out[SNP_PAGE_INFO_LEN], const uint8_t cur[SNP_DIGEST_LEN],
		   const uint8_t contents[SNP_DIGEST_LEN], enum snp_page_type type, uint64_t gpa)
{
	memset(out, 0, SNP_PAGE_INFO_LEN);
	memcpy(out + 0x00, cur, SNP_DIGEST_LEN);
	memcpy(out + 0x30, contents, SNP_DIGEST_LEN);
	out[0x60] = SNP_PAGE_INFO_LEN & 0xff;
	out[0x61] = SNP_PAGE_INFO_LEN >> 8;
	out[0x62] = (uint8_t)type;
	/* 0x63 IMI_PAGE, 0x64..0x66 VMPL3/2/1 perms, 0x67 reserved: all zero
	 * (no IMI, and LAUNCH_UPDATE grants lower VMPLs nothing here). */
	sim_le64_store(out + 0x68, gpa);
}

static void secrets_fill(struct snp_fw *fw, const struct snp_guest *g, uint8_t page[PAGE])
{
	memset(page, 0, PAGE);
	le32_store(page, SECRETS_VERSION);
	le32_store(page + SECRETS_FMS, (uint32_t)fw->cfg.cpuid_fam << 8 | fw->cfg.cpuid_mod << 4 |
						   fw->cfg.cpuid_step);
	for (unsigned n = 0; n < 4; n++)
		snp_vmpck(fw, g->gctx_pa, n, page + SECRETS_VMPCK0 + SNP_VMPCK_LEN * n);
}

enum snp_status snp_launch_update(struct snp_fw *fw, uint64_t gctx_pa, uint64_t spa, uint64_t gpa,
				  enum snp_page_type type)
{
	uint8_t page[PAGE];
	const struct rmp_config *rc = &fw->cfg.rmp;
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	struct snp_guest *g = guest_get(fw, gctx_pa);
	struct snp_gctx ctx;
	if (!g)
		return SNP_INVALID_GUEST;
	if (gctx_load(fw, gctx_pa, &ctx))
		return SNP_HWERROR_PLATFORM;
	if (ctx.state != SNP_GSTATE_LAUNCH)
		return SNP_INVALID_GUEST_STATE;
	if (!g->asid)
		return SNP_INACTIVE;
	if (type < SNP_PAGE_NORMAL || type > SNP_PAGE_CPUID)
		return SNP_INVALID_PARAM;
	if (spa % PAGE || gpa % PAGE || gpa >= GPA_LIMIT || !rmp_covers(rc, spa, PAGE))
		return SNP_INVALID_ADDRESS;
	bool extends = g->nruns && g->runs[g->nruns - 1].spa + g->runs[g->nruns - 1].pages * PAGE == spa;
	if (!extends && g->nruns == SNP_MAX_LAUNCH_RUNS)
		return SNP_RESOURCE_LIMIT;
	struct rmp_entry e;
	bool big;
	if (page_entry(fw, spa, &e, &big))
		return SNP_HWERROR_PLATFORM;
	if (big)
		return SNP_INVALID_PAGE_SIZE;
	/* Hypervisor-owned, or pre-assigned by the host to this guest at this
	 * GPA and not yet validated (Linux rmp_make_private before the call). */
	bool hv_owned = !e.assigned && !e.immutable;
	bool pre_guest = e.assigned && e.asid == g->asid && e.gpa == gpa && !e.validated && !e.vmsa;
	if (!hv_owned && !pre_guest)
		return e.assigned && e.asid && e.asid != g->asid ? SNP_INVALID_PAGE_OWNER : SNP_INVALID_PAGE_STATE;

	uint8_t contents[64] = { 0 }; /* room for p384_digest's 64-byte out */
	int err = 0;
	switch (type) {
	case SNP_PAGE_NORMAL:
	case SNP_PAGE_VMSA:
		/* CONTENTS = SHA-384 of the page's plaintext. */
		err = fw->mem.read(fw->mem.ctx, spa, page, PAGE);
		if (!err)
			p384_digest("sha-384", page, PAGE, contents);
		break;
	case SNP_PAGE_ZERO:
		err = zero_page(fw, spa);
		break;
	case SNP_PAGE_SECRETS:
		secrets_fill(fw, g, page);
		err = fw->mem.write(fw->mem.ctx, spa, page, PAGE);
		break;
	case SNP_PAGE_UNMEASURED:
	case SNP_PAGE_CPUID: /* CPUID table validation is not modelled */
		break;
	}
	if (err)
		return SNP_HWERROR_PLATFORM;

	struct rmp_entry ne = { .assigned = true, .immutable = true, .validated = true,
				.vmsa = type == SNP_PAGE_VMSA, .gpa = gpa, .asid = g->asid };
	ne.vmpl_perm[0] = RMP_PERM_ALL;
	if (rmp_entry_write(rc, &fw->rmp, spa, &ne))
		return SNP_HWERROR_PLATFORM;

	uint8_t pi[SNP_PAGE_INFO_LEN], h[64];
	snp_page_info(pi, ctx.ld, contents, type, gpa);
	p384_digest("sha-384", pi, sizeof(pi), h);
	memcpy(ctx.ld, h, SNP_DIGEST_LEN);
	snp_page_info(pi, g->ld_measured, contents, type, gpa);
	p384_digest("sha-384", pi, sizeof(pi), h);
	memcpy(g->ld_measured, h, SNP_DIGEST_LEN);
	if (gctx_store(fw, gctx_pa, &ctx))
		return SNP_HWERROR_PLATFORM;
	if (extends)
		g->runs[g->nruns - 1].pages++;
	else {
		g->runs[g->nruns].spa = spa;
		g->runs[g->nruns++].pages = 1;
	}
	return SNP_SUCCESS;
}

/* Drop Immutable from the guest's launch pages (Pre-Guest -> Guest-Valid). */
static int pages_release_immutable(struct snp_fw *fw, struct snp_guest *g)
{
	for (unsigned r = 0; r < g->nruns; r++)
		for (uint64_t i = 0; i < g->runs[r].pages; i++) {
			uint64_t spa = g->runs[r].spa + i * PAGE;
			struct rmp_entry e;
			int err = rmp_entry_read(&fw->cfg.rmp, &fw->rmp, spa, &e);
			if (err)
				return err;
			e.immutable = false;
			err = rmp_entry_write(&fw->cfg.rmp, &fw->rmp, spa, &e);
			if (err)
				return err;
		}
	g->nruns = 0;
	return 0;
}

enum snp_status snp_launch_finish(struct snp_fw *fw, uint64_t gctx_pa,
				  const struct snp_launch_finish *in)
{
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	struct snp_guest *g = guest_get(fw, gctx_pa);
	struct snp_gctx ctx;
	if (!g)
		return SNP_INVALID_GUEST;
	if (gctx_load(fw, gctx_pa, &ctx))
		return SNP_HWERROR_PLATFORM;
	if (ctx.state != SNP_GSTATE_LAUNCH)
		return SNP_INVALID_GUEST_STATE;
	if (in->id_block_en) {
		/* §8.18: the ID block names the expected digest and policy,
		 * compared with GCTX.LD and GCTX.POLICY as the page holds them.
		 * Its signature (ID_AUTH) is not checked in ccsim. */
		if (memcmp(in->id_block.ld, ctx.ld, SNP_DIGEST_LEN))
			return SNP_BAD_MEASUREMENT;
		if (in->id_block.policy != ctx.policy)
			return SNP_POLICY_FAILURE;
		memcpy(ctx.family_id, in->id_block.family_id, 16);
		memcpy(ctx.image_id, in->id_block.image_id, 16);
		ctx.guest_svn = in->id_block.guest_svn;
	}
	if (pages_release_immutable(fw, g))
		return SNP_HWERROR_PLATFORM;
	memcpy(ctx.host_data, in->host_data, SNP_HOST_DATA_LEN);
	ctx.launch_tcb = fw->cfg.tcb;
	ctx.state = SNP_GSTATE_RUNNING;
	return gctx_store(fw, gctx_pa, &ctx) ? SNP_HWERROR_PLATFORM : SNP_SUCCESS;
}

enum snp_status snp_decommission(struct snp_fw *fw, uint64_t gctx_pa)
{
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	struct snp_guest *g = guest_get(fw, gctx_pa);
	if (!g)
		return SNP_INVALID_GUEST;
	static const struct rmp_entry hv_page;
	if (pages_release_immutable(fw, g) || zero_page(fw, gctx_pa) ||
	    rmp_entry_write(&fw->cfg.rmp, &fw->rmp, gctx_pa, &hv_page))
		return SNP_HWERROR_PLATFORM;
	if (g->asid) {
		fw->asid_flush_pending[g->asid / 8] |= (uint8_t)(1u << (g->asid % 8));
		fw->df_flush_required = true;
	}
	memset(g, 0, sizeof(*g));
	return SNP_SUCCESS;
}

enum snp_status snp_df_flush(struct snp_fw *fw)
{
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	memset(fw->asid_flush_pending, 0, sizeof(fw->asid_flush_pending));
	fw->df_flush_required = false;
	fw->df_flushes++;
	return SNP_SUCCESS;
}

/* ---- attestation ---- */

void snp_seed_derive(const char *label, uint64_t a, uint64_t b, uint8_t out[64])
{
	uint8_t msg[64 + 16];
	size_t n = strlen(label) + 1;
	memcpy(msg, label, n);
	sim_le64_store(msg + n, a);
	sim_le64_store(msg + n + 8, b);
	p384_digest("sha-512", msg, n + 16, out);
}

void snp_chip_id(uint64_t seed, uint8_t out[SNP_CHIP_ID_LEN])
{
	snp_seed_derive("ccsim/snp/chip_id", seed, 0, out);
}

void snp_vmpck(const struct snp_fw *fw, uint64_t gctx_pa, unsigned n, uint8_t out[SNP_VMPCK_LEN])
{
	uint8_t h[64];
	snp_seed_derive("ccsim/snp/vmpck", fw->seed, gctx_pa << 2 | (n & 3), h);
	memcpy(out, h, SNP_VMPCK_LEN);
}

void snp_vcek_public(uint64_t seed, uint64_t tcb, uint8_t pub[P384_POINT_LEN])
{
	uint8_t priv[P384_SCALAR_LEN];
	p384_key_derive(SNP_VCEK_LABEL, seed, 1, tcb, priv);
	/* A derived scalar is in [1, n-1], so this cannot fail. */
	if (p384_public(priv, pub))
		abort();
}

/* Big-endian 48-byte scalar -> 72-byte little-endian zero-padded field
 * (§7.3 Table "ECDSA P-384 with SHA-384 Signature"). */
static void sig_store(uint8_t dst[SNP_SIG_COMPONENT_LEN], const uint8_t be[P384_SCALAR_LEN])
{
	memset(dst, 0, SNP_SIG_COMPONENT_LEN);
	for (unsigned i = 0; i < P384_SCALAR_LEN; i++)
		dst[i] = be[P384_SCALAR_LEN - 1 - i];
}

enum snp_status snp_guest_report(struct snp_fw *fw, uint64_t gctx_pa,
				 const uint8_t report_data[SNP_REPORT_DATA_LEN], unsigned vmpl,
				 uint8_t out[SNP_REPORT_LEN])
{
	const struct snp_fw_config *c = &fw->cfg;
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	const struct snp_guest *g = guest_get(fw, gctx_pa);
	struct snp_gctx ctx;
	if (!g)
		return SNP_INVALID_GUEST;
	/* §7.3: the report's guest fields come from the context page. */
	if (gctx_load(fw, gctx_pa, &ctx))
		return SNP_HWERROR_PLATFORM;
	if (ctx.state != SNP_GSTATE_RUNNING)
		return SNP_INVALID_GUEST_STATE;
	if (vmpl >= RMP_VMPLS)
		return SNP_INVALID_PARAM;

	uint8_t *r = out, h[64];
	memset(r, 0, SNP_REPORT_LEN);
	le32_store(r + SNP_RPT_VERSION, SNP_REPORT_VERSION);
	le32_store(r + SNP_RPT_GUEST_SVN, ctx.guest_svn);
	sim_le64_store(r + SNP_RPT_POLICY, ctx.policy);
	memcpy(r + SNP_RPT_FAMILY_ID, ctx.family_id, 16);
	memcpy(r + SNP_RPT_IMAGE_ID, ctx.image_id, 16);
	le32_store(r + SNP_RPT_VMPL, vmpl);
	le32_store(r + SNP_RPT_SIG_ALGO, SNP_SIG_ALGO_ECDSA_P384_SHA384);
	sim_le64_store(r + SNP_RPT_CURRENT_TCB, c->tcb);
	sim_le64_store(r + SNP_RPT_PLATFORM_INFO,
		       (c->smt_enabled ? SNP_PLATFORM_INFO_SMT_EN : 0) |
		       (fw->alias_check_complete ? SNP_PLATFORM_INFO_ALIAS_CHECK_COMPLETE : 0));
	/* FLAGS: AUTHOR_KEY_EN 0, MASK_CHIP_KEY 0, SIGNING_KEY 0 = VCEK. */
	memcpy(r + SNP_RPT_REPORT_DATA, report_data, SNP_REPORT_DATA_LEN);
	memcpy(r + SNP_RPT_MEASUREMENT, ctx.ld, SNP_DIGEST_LEN);
	memcpy(r + SNP_RPT_HOST_DATA, ctx.host_data, SNP_HOST_DATA_LEN);
	/* ID_KEY_DIGEST / AUTHOR_KEY_DIGEST stay zero: no ID key authenticated. */
	snp_seed_derive("ccsim/snp/report_id", fw->seed, gctx_pa, h);
	memcpy(r + SNP_RPT_REPORT_ID, h, 32);
	memset(r + SNP_RPT_REPORT_ID_MA, 0xff, 32); /* no migration agent */
	sim_le64_store(r + SNP_RPT_REPORTED_TCB, c->tcb);
	r[SNP_RPT_CPUID_FAM] = c->cpuid_fam;
	r[SNP_RPT_CPUID_FAM + 1] = c->cpuid_mod;
	r[SNP_RPT_CPUID_FAM + 2] = c->cpuid_step;
	snp_chip_id(fw->seed, r + SNP_RPT_CHIP_ID);
	sim_le64_store(r + SNP_RPT_COMMITTED_TCB, c->tcb);
	for (unsigned off = SNP_RPT_CURRENT_BUILD; off <= SNP_RPT_COMMITTED_BUILD; off += 4) {
		r[off] = c->build;
		r[off + 1] = c->api_minor;
		r[off + 2] = c->api_major;
	}
	sim_le64_store(r + SNP_RPT_LAUNCH_TCB, ctx.launch_tcb);

	uint8_t priv[P384_SCALAR_LEN], sig[P384_SIG_LEN];
	p384_key_derive(SNP_VCEK_LABEL, fw->seed, 1, c->tcb, priv);
	p384_digest("sha-384", r, SNP_REPORT_SIGNED_LEN, h);
	if (p384_sign(priv, h, sig))
		return SNP_HWERROR_PLATFORM;
	sig_store(r + SNP_RPT_SIGNATURE, sig);
	sig_store(r + SNP_RPT_SIGNATURE + SNP_SIG_COMPONENT_LEN, sig + P384_SCALAR_LEN);
	return SNP_SUCCESS;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int snp_report_measured(const struct snp_fw *fw, const uint8_t report[SNP_REPORT_LEN])
{
	uint8_t h[64];
	for (unsigned i = 0; i < SNP_MAX_GUESTS; i++) {
		const struct snp_guest *g = &fw->guests[i];
		if (!g->in_use)
			continue;
		snp_seed_derive("ccsim/snp/report_id", fw->seed, g->gctx_pa, h);
		if (memcmp(report + SNP_RPT_REPORT_ID, h, 32) == 0)
			return memcmp(report + SNP_RPT_MEASUREMENT, g->ld_measured,
				      SNP_DIGEST_LEN) == 0;
	}
	return -1;
}

int snp_report_verify(const uint8_t report[SNP_REPORT_LEN], const uint8_t vcek_pub[P384_POINT_LEN],
		      const char **err)
{
	const char *why = NULL;
	uint32_t version = le32_load(report + SNP_RPT_VERSION);
	const uint8_t *rs = report + SNP_RPT_SIGNATURE;
	uint8_t sig[P384_SIG_LEN], h[64];
	if (version < 2 || version > 5)
		why = "version";
	else if (le32_load(report + SNP_RPT_SIG_ALGO) != SNP_SIG_ALGO_ECDSA_P384_SHA384)
		why = "signature_algo";
	else if (!all_zero(rs + P384_SCALAR_LEN, SNP_SIG_COMPONENT_LEN - P384_SCALAR_LEN) ||
		 !all_zero(rs + SNP_SIG_COMPONENT_LEN + P384_SCALAR_LEN,
			   SNP_REPORT_LEN - SNP_RPT_SIGNATURE - SNP_SIG_COMPONENT_LEN - P384_SCALAR_LEN))
		why = "signature_padding";
	if (!why) {
		for (unsigned i = 0; i < P384_SCALAR_LEN; i++) {
			sig[i] = rs[P384_SCALAR_LEN - 1 - i];
			sig[P384_SCALAR_LEN + i] = rs[SNP_SIG_COMPONENT_LEN + P384_SCALAR_LEN - 1 - i];
		}
		p384_digest("sha-384", report, SNP_REPORT_SIGNED_LEN, h);
		if (p384_verify(vcek_pub, h, sig))
			why = "signature";
	}
	if (err)
		*err = why;
	return why ? -EPERM : 0;
}

/* The status names, once for both firmware interfaces. */
#define STATUS_NAMES(P) \
	[SNP_SUCCESS] = P "success", \
	[SNP_INVALID_PLATFORM_STATE] = P "invalid_platform_state", \
	[SNP_INVALID_GUEST_STATE] = P "invalid_guest_state", \
	[SNP_INVALID_CONFIG] = P "invalid_config", \
	[SNP_INVALID_LENGTH] = P "invalid_length", \
	[SNP_ALREADY_OWNED] = P "already_owned", \
	[SNP_INVALID_CERTIFICATE] = P "invalid_certificate", \
	[SNP_POLICY_FAILURE] = P "policy_failure", \
	[SNP_INACTIVE] = P "inactive", \
	[SNP_INVALID_ADDRESS] = P "invalid_address", \
	[SNP_BAD_SIGNATURE] = P "bad_signature", \
	[SNP_BAD_MEASUREMENT] = P "bad_measurement", \
	[SNP_ASID_OWNED] = P "asid_owned", \
	[SNP_INVALID_ASID] = P "invalid_asid", \
	[SNP_WBINVD_REQUIRED] = P "wbinvd_required", \
	[SNP_DFFLUSH_REQUIRED] = P "dfflush_required", \
	[SNP_INVALID_GUEST] = P "invalid_guest", \
	[SNP_INVALID_COMMAND] = P "invalid_command", \
	[SNP_ACTIVE] = P "active", \
	[SNP_HWERROR_PLATFORM] = P "hwerror_platform", \
	[SNP_HWERROR_UNSAFE] = P "hwerror_unsafe", \
	[SNP_UNSUPPORTED] = P "unsupported", \
	[SNP_INVALID_PARAM] = P "invalid_param", \
	[SNP_RESOURCE_LIMIT] = P "resource_limit", \
	[SNP_SECURE_DATA_INVALID] = P "secure_data_invalid", \
	[SNP_INVALID_PAGE_SIZE] = P "invalid_page_size", \
	[SNP_INVALID_PAGE_STATE] = P "invalid_page_state", \
	[SNP_INVALID_MDATA_ENTRY] = P "invalid_mdata_entry", \
	[SNP_INVALID_PAGE_OWNER] = P "invalid_page_owner",

const char *snp_status_name(enum snp_status s)
{
	static const char *const names[] = { STATUS_NAMES("snp.") };
	return (unsigned)s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] : "snp.?";
}

const char *sev_status_name(enum snp_status s)
{
	static const char *const names[] = { STATUS_NAMES("sev.") };
	return (unsigned)s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] : "sev.?";
}
