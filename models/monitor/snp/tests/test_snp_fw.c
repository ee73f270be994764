/* SEV-SNP firmware model (models/monitor/snp/snp_fw.c) against the SNP
 * Firmware ABI (AMD 56860): launch commands, the PAGE_INFO launch digest,
 * status codes, DF_FLUSH gating and the ATTESTATION_REPORT (Table 23). RMP
 * and guest memory share one fake flat 16MB memory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/monitor/snp/snp_fw.h"
#include "models/monitor/snp/tests/snp_fake_mem.h"
#include "sim/buf.h"

#define MEM_TOP SNP_FAKE_MEM_TOP
#define RMP_BASE SNP_FAKE_RMP_BASE
#define RMP_END SNP_FAKE_RMP_END
#define GCTX 0x10000ull
#define GCTX2 0x11000ull
#define SEED 0x5eedull
#define ASID 5u
/* policy: ABI 1.0, SMT allowed, reserved bit 17 set */
#define POLICY 0x30100ull

/* Launch pages: SPA and GPA for each page type. */
#define SPA_NORMAL 0x200000ull
#define GPA_NORMAL 0x100000ull
#define SPA_VMSA 0x201000ull
#define SPA_ZERO 0x202000ull
#define GPA_ZERO 0x101000ull
#define SPA_UNMEAS 0x203000ull
#define GPA_UNMEAS 0x102000ull
#define SPA_SECRETS 0x204000ull
#define GPA_SECRETS 0x103000ull
#define SPA_CPUID 0x205000ull
#define GPA_CPUID 0x104000ull

struct t {
	uint8_t *mem;
	struct rmp_io io;
	struct snp_fw fw;
	bool aliased;   /* what the platform's alias query answers */
};

static bool fake_aliased(void *ctx, uint64_t lo, uint64_t hi)
{
	struct t *t = ctx;
	assert_int_equal(lo, 0);
	assert_int_equal(hi, MEM_TOP);
	return t->aliased;
}

static struct t *fixture(uint64_t seed, void (*tweak)(struct snp_fw_config *))
{
	struct t *t = calloc(1, sizeof(*t));
	struct snp_fw_config cfg;
	snp_fake_platform(t, &t->io, &cfg);
	if (tweak)
		tweak(&cfg);
	struct snp_fw_io io = { .rmp = t->io, .mem = t->io, .ctx = t->io,
				.aliased = fake_aliased, .aliased_ctx = t };
	snp_fw_init(&t->fw, &cfg, &io, seed);
	return t;
}

static int setup(void **state)
{
	struct t *t = fixture(SEED, NULL);
	*state = t;
	return snp_init(&t->fw) == SNP_SUCCESS ? 0 : -1;
}

static void fixture_free(struct t *t)
{
	free(t->mem);
	free(t);
}

static int teardown(void **state)
{
	fixture_free(*state);
	return 0;
}

static struct rmp_entry entry_at(struct t *t, uint64_t spa)
{
	struct rmp_entry e;
	assert_int_equal(rmp_entry_read(&t->fw.cfg.rmp, &t->io, spa, &e), 0);
	return e;
}

/* The guest's state, as its context page holds it. */
static struct snp_gctx ctx_of(struct t *t, uint64_t gctx)
{
	struct snp_gctx c;
	assert_int_equal(snp_gctx_read(&t->fw, gctx, &c), 0);
	return c;
}

static void sha384(const void *p, size_t n, uint8_t out[SNP_DIGEST_LEN])
{
	uint8_t h[64];
	assert_int_equal(p384_digest("sha-384", p, n, h), 48);
	memcpy(out, h, SNP_DIGEST_LEN);
}

/* The test's own reading of §8.17.2 Table "PAGE_INFO": offsets written out
 * by hand, independent of snp_page_info(). */
static void ref_extend(uint8_t ld[48], const uint8_t contents[48], uint8_t type, uint64_t gpa)
{
	uint8_t pi[0x70] = { 0 };
	memcpy(pi + 0x00, ld, 48);       /* DIGEST_CUR */
	memcpy(pi + 0x30, contents, 48); /* CONTENTS */
	pi[0x60] = 0x70;                 /* LENGTH, 2 bytes LE */
	pi[0x62] = type;                 /* PAGE_TYPE */
	/* 0x63 IMI_PAGE, 0x64-0x66 VMPL3/2/1_PERMS, 0x67 reserved = 0 */
	for (unsigned i = 0; i < 8; i++)
		pi[0x68 + i] = (uint8_t)(gpa >> (8 * i)); /* GPA */
	sha384(pi, sizeof(pi), ld);
}

static void fill(struct t *t, uint64_t spa, uint8_t seed)
{
	for (unsigned i = 0; i < 4096; i++)
		t->mem[spa + i] = (uint8_t)(seed + i * 7);
}

static void start_and_activate(struct t *t, uint64_t gctx, uint32_t asid)
{
	assert_int_equal(snp_launch_start(&t->fw, gctx, POLICY), SNP_SUCCESS);
	assert_int_equal(snp_activate(&t->fw, gctx, asid), SNP_SUCCESS);
}

static void finish(struct t *t, uint64_t gctx)
{
	struct snp_launch_finish in = { 0 };
	memset(in.host_data, 0x42, sizeof(in.host_data));
	assert_int_equal(snp_launch_finish(&t->fw, gctx, &in), SNP_SUCCESS);
}

/* One page of each type goes in (ABI §8.17, KVM order START -> ACTIVATE ->
 * UPDATE -> FINISH); the launch digest equals the PAGE_INFO chain computed
 * here, and the RMP holds Pre-Guest pages that become Guest-Valid. */
static void test_launch_flow_digest(void **state)
{
	struct t *t = *state;
	uint8_t ld[48] = { 0 }, h[48], zeros[48] = { 0 };
	fill(t, SPA_NORMAL, 1);
	fill(t, SPA_VMSA, 2);
	fill(t, SPA_ZERO, 3); /* the firmware must zero it */
	fill(t, SPA_UNMEAS, 4);
	start_and_activate(t, GCTX, ASID);
	/* The context page became a firmware page (§8.16 GCTX_CREATE). */
	assert_true(entry_at(t, GCTX).assigned && entry_at(t, GCTX).immutable);
	assert_int_equal(entry_at(t, GCTX).asid, 0);

	sha384(t->mem + SPA_NORMAL, 4096, h);
	ref_extend(ld, h, 1, GPA_NORMAL);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, GPA_NORMAL, SNP_PAGE_NORMAL), 0);
	sha384(t->mem + SPA_VMSA, 4096, h);
	ref_extend(ld, h, 2, SNP_VMSA_GPA);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_VMSA, SNP_VMSA_GPA, SNP_PAGE_VMSA), 0);
	ref_extend(ld, zeros, 3, GPA_ZERO);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_ZERO, GPA_ZERO, SNP_PAGE_ZERO), 0);
	ref_extend(ld, zeros, 4, GPA_UNMEAS);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_UNMEAS, GPA_UNMEAS, SNP_PAGE_UNMEASURED),
			 0);
	ref_extend(ld, zeros, 5, GPA_SECRETS);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_SECRETS, GPA_SECRETS, SNP_PAGE_SECRETS),
			 0);
	ref_extend(ld, zeros, 6, GPA_CPUID);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_CPUID, GPA_CPUID, SNP_PAGE_CPUID), 0);
	assert_non_null(snp_guest_find(&t->fw, GCTX));
	assert_memory_equal(ctx_of(t, GCTX).ld, ld, 48);

	/* During launch the pages are assigned, validated and immutable. */
	struct rmp_entry e = entry_at(t, SPA_NORMAL);
	assert_true(e.assigned && e.validated && e.immutable && !e.vmsa);
	assert_int_equal(e.asid, ASID);
	assert_int_equal(e.gpa, GPA_NORMAL);
	assert_true(entry_at(t, SPA_VMSA).vmsa);
	assert_int_equal(entry_at(t, SPA_VMSA).gpa, SNP_VMSA_GPA);
	/* ZERO pages are zeroed; SECRETS pages get VMPCK0 at 0x20 (§8.17.3). */
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(t->mem[SPA_ZERO + i], 0);
	uint8_t vmpck0[32];
	snp_vmpck(&t->fw, GCTX, 0, vmpck0);
	assert_memory_equal(t->mem + SPA_SECRETS + 0x20, vmpck0, 32);
	assert_int_equal(t->mem[SPA_UNMEAS + 1], (uint8_t)(4 + 7));

	finish(t, GCTX);
	assert_int_equal(ctx_of(t, GCTX).state, SNP_GSTATE_RUNNING);
	assert_memory_equal(ctx_of(t, GCTX).ld, ld, 48); /* FINISH does not extend the digest */
	e = entry_at(t, SPA_NORMAL);
	assert_true(e.assigned && e.validated && !e.immutable);
	assert_false(entry_at(t, SPA_CPUID).immutable);
}

/* Known answer for the first PAGE_INFO (computed with Python hashlib from
 * the §8.17.2 layout): a ZERO page at GPA 0 from an all-zero digest. */
static void test_digest_known_answer(void **state)
{
	struct t *t = *state;
	static const uint8_t want[48] = {
		0x70, 0xc0, 0xec, 0xaa, 0xb9, 0x60, 0x8f, 0x14, 0xeb, 0xf8, 0xac, 0x6f,
		0x0f, 0x07, 0xbc, 0xd8, 0x72, 0x8f, 0x4e, 0x2a, 0xb3, 0x03, 0x82, 0xb5,
		0x39, 0xb4, 0xde, 0x4d, 0xe9, 0x04, 0xca, 0x9f, 0x8e, 0xbd, 0xf4, 0xb2,
		0xcd, 0x3c, 0xd8, 0x4d, 0xd9, 0x96, 0xbd, 0x55, 0xdd, 0x79, 0x46, 0x76,
	};
	start_and_activate(t, GCTX, ASID);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_ZERO, 0, SNP_PAGE_ZERO), SNP_SUCCESS);
	assert_memory_equal(ctx_of(t, GCTX).ld, want, 48);
}

/* Launch one page into a fresh platform and return the digest. */
static void one_page_digest(uint8_t fillv, uint64_t gpa, enum snp_page_type type, uint8_t out[48])
{
	struct t *t = fixture(SEED, NULL);
	assert_int_equal(snp_init(&t->fw), SNP_SUCCESS);
	fill(t, SPA_NORMAL, fillv);
	start_and_activate(t, GCTX, ASID);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, gpa, type), SNP_SUCCESS);
	memcpy(out, ctx_of(t, GCTX).ld, 48);
	fixture_free(t);
}

/* §8.17.2: the digest binds contents, GPA and page type. */
static void test_digest_binds_contents_gpa_type(void **state)
{
	(void)state;
	uint8_t base[48], other[48];
	one_page_digest(1, GPA_NORMAL, SNP_PAGE_NORMAL, base);
	one_page_digest(1, GPA_NORMAL, SNP_PAGE_NORMAL, other);
	assert_memory_equal(base, other, 48);
	one_page_digest(9, GPA_NORMAL, SNP_PAGE_NORMAL, other);
	assert_memory_not_equal(base, other, 48);
	one_page_digest(1, GPA_NORMAL + 0x1000, SNP_PAGE_NORMAL, other);
	assert_memory_not_equal(base, other, 48);
	/* UNMEASURED and CPUID both hash zero CONTENTS: only PAGE_TYPE differs. */
	one_page_digest(1, GPA_NORMAL, SNP_PAGE_UNMEASURED, base);
	one_page_digest(1, GPA_NORMAL, SNP_PAGE_CPUID, other);
	assert_memory_not_equal(base, other, 48);
	/* An UNMEASURED page's contents do not count. */
	one_page_digest(9, GPA_NORMAL, SNP_PAGE_UNMEASURED, other);
	assert_memory_equal(base, other, 48);
}

/* Status codes of the state machine (ABI Table "Status Codes"). */
static void test_state_machine_errors(void **state)
{
	struct t *t = *state;
	struct snp_launch_finish in = { 0 };
	uint8_t rd[64] = { 0 }, rep[SNP_REPORT_LEN];
	/* §8.8: SNP_INIT twice. */
	assert_int_equal(snp_init(&t->fw), SNP_INVALID_PLATFORM_STATE);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, GPA_NORMAL, SNP_PAGE_NORMAL),
			 SNP_INVALID_GUEST);
	assert_int_equal(snp_launch_start(&t->fw, GCTX, POLICY), SNP_SUCCESS);
	assert_int_equal(snp_launch_start(&t->fw, GCTX, POLICY), SNP_INVALID_GUEST);
	/* No ASID bound yet: LAUNCH_UPDATE cannot assign pages. */
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, GPA_NORMAL, SNP_PAGE_NORMAL),
			 SNP_INACTIVE);
	assert_int_equal(snp_activate(&t->fw, GCTX, ASID), SNP_SUCCESS);
	assert_int_equal(snp_activate(&t->fw, GCTX, ASID), SNP_INVALID_GUEST_STATE);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, GPA_NORMAL, 7), SNP_INVALID_PARAM);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL + 8, GPA_NORMAL, SNP_PAGE_NORMAL),
			 SNP_INVALID_ADDRESS);
	/* MSG_REPORT_REQ before LAUNCH_FINISH. */
	assert_int_equal(snp_guest_report(&t->fw, GCTX, rd, 0, rep), SNP_INVALID_GUEST_STATE);
	assert_int_equal(snp_launch_finish(&t->fw, GCTX, &in), SNP_SUCCESS);
	/* §8.17 / §8.18 need GSTATE_LAUNCH. */
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, GPA_NORMAL, SNP_PAGE_NORMAL),
			 SNP_INVALID_GUEST_STATE);
	assert_int_equal(snp_launch_finish(&t->fw, GCTX, &in), SNP_INVALID_GUEST_STATE);
	assert_int_equal(snp_guest_report(&t->fw, GCTX, rd, 4, rep), SNP_INVALID_PARAM);

	/* Any launch command before SNP_INIT. */
	struct t *u = fixture(SEED, NULL);
	assert_int_equal(snp_launch_start(&u->fw, GCTX, POLICY), SNP_INVALID_PLATFORM_STATE);
	assert_int_equal(snp_df_flush(&u->fw), SNP_INVALID_PLATFORM_STATE);
	fixture_free(u);
}

static void two_sockets(struct snp_fw_config *c)
{
	c->sockets = 2;
}

/* §4.3 GUEST_POLICY checks at SNP_LAUNCH_START. */
static void test_policy_checks(void **state)
{
	struct t *t = *state;
	assert_int_equal(snp_launch_start(&t->fw, GCTX, POLICY & ~SNP_POLICY_RSVD1),
			 SNP_POLICY_FAILURE);
	/* SMT is on in this platform, so a guest that forbids it cannot run. */
	assert_int_equal(snp_launch_start(&t->fw, GCTX, POLICY & ~SNP_POLICY_SMT), SNP_POLICY_FAILURE);
	/* ABI_MAJOR 2 > firmware 1.55; ABI 1.56 > 1.55. */
	assert_int_equal(snp_launch_start(&t->fw, GCTX, 0x30200), SNP_POLICY_FAILURE);
	assert_int_equal(snp_launch_start(&t->fw, GCTX, 0x30138), SNP_POLICY_FAILURE);
	assert_int_equal(snp_launch_start(&t->fw, GCTX, POLICY | (1ull << 40)), SNP_POLICY_FAILURE);
	assert_null(snp_guest_find(&t->fw, GCTX));
	assert_false(entry_at(t, GCTX).assigned);
	assert_int_equal(snp_launch_start(&t->fw, GCTX, 0x30137 | SNP_POLICY_DEBUG), SNP_SUCCESS);

	struct t *u = fixture(SEED, two_sockets);
	assert_int_equal(snp_init(&u->fw), SNP_SUCCESS);
	assert_int_equal(snp_launch_start(&u->fw, GCTX, POLICY | SNP_POLICY_SINGLE_SOCKET),
			 SNP_POLICY_FAILURE);
	assert_int_equal(snp_launch_start(&u->fw, GCTX, POLICY), SNP_SUCCESS);
	fixture_free(u);
}

/* LAUNCH_UPDATE page-state checks: owner, double update, the RMP itself,
 * and the Linux flow where the host pre-assigns the page with RMPUPDATE. */
static void test_page_state_checks(void **state)
{
	struct t *t = *state;
	start_and_activate(t, GCTX, ASID);
	struct rmp_entry other = { .assigned = true, .asid = ASID + 1, .gpa = GPA_NORMAL };
	assert_int_equal(rmp_update(&t->fw.cfg.rmp, &t->io, SPA_NORMAL, &other).status, RMP_SUCCESS);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, GPA_NORMAL, SNP_PAGE_NORMAL),
			 SNP_INVALID_PAGE_OWNER);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, RMP_BASE, GPA_NORMAL, SNP_PAGE_NORMAL),
			 SNP_INVALID_PAGE_STATE);
	/* Pre-assigned to this guest at another GPA: refused. */
	struct rmp_entry mine = { .assigned = true, .immutable = true, .asid = ASID, .gpa = GPA_ZERO };
	assert_int_equal(rmp_update(&t->fw.cfg.rmp, &t->io, SPA_ZERO, &mine).status, RMP_SUCCESS);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_ZERO, GPA_NORMAL, SNP_PAGE_ZERO),
			 SNP_INVALID_PAGE_STATE);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_ZERO, GPA_ZERO, SNP_PAGE_ZERO),
			 SNP_SUCCESS);
	/* Now validated and immutable: a second update is refused. */
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_ZERO, GPA_ZERO, SNP_PAGE_ZERO),
			 SNP_INVALID_PAGE_STATE);
	/* The host cannot take an immutable launch page back. */
	struct rmp_entry hv = { 0 };
	assert_int_not_equal(rmp_update(&t->fw.cfg.rmp, &t->io, SPA_ZERO, &hv).status, RMP_SUCCESS);
}

static void no_gate(struct snp_fw_config *c)
{
	c->no_asid_gate = true;
}

/* §8.10 / §8.11 / §8.12: a decommissioned ASID needs DF_FLUSH before reuse. */
static void test_asid_df_flush(void **state)
{
	struct t *t = *state;
	start_and_activate(t, GCTX, ASID);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, GPA_NORMAL, SNP_PAGE_NORMAL),
			 SNP_SUCCESS);
	assert_int_equal(snp_launch_start(&t->fw, GCTX2, POLICY), SNP_SUCCESS);
	assert_int_equal(snp_activate(&t->fw, GCTX2, ASID), SNP_ASID_OWNED);
	assert_int_equal(snp_activate(&t->fw, GCTX2, 0), SNP_INVALID_ASID);
	assert_int_equal(snp_activate(&t->fw, GCTX2, 100), SNP_INVALID_ASID); /* >= min SEV ASID */
	assert_true(snp_asid_reusable(&t->fw, ASID));
	assert_int_equal(snp_decommission(&t->fw, GCTX), SNP_SUCCESS);
	assert_null(snp_guest_find(&t->fw, GCTX));
	assert_false(snp_asid_reusable(&t->fw, ASID));
	assert_true(t->fw.df_flush_required);
	/* The context page and the launch page are back with the hypervisor. */
	assert_false(entry_at(t, GCTX).assigned);
	assert_false(entry_at(t, SPA_NORMAL).immutable);
	struct rmp_entry hv = { 0 };
	assert_int_equal(rmp_update(&t->fw.cfg.rmp, &t->io, SPA_NORMAL, &hv).status, RMP_SUCCESS);
	assert_int_equal(snp_activate(&t->fw, GCTX2, ASID), SNP_DFFLUSH_REQUIRED);
	assert_int_equal(snp_df_flush(&t->fw), SNP_SUCCESS);
	assert_int_equal(t->fw.df_flushes, 1);
	assert_false(t->fw.df_flush_required);
	assert_true(snp_asid_reusable(&t->fw, ASID));
	assert_int_equal(snp_activate(&t->fw, GCTX2, ASID), SNP_SUCCESS);

	/* What-if without the gate: the decommissioned ASID is taken at once. */
	struct t *u = fixture(SEED, no_gate);
	assert_int_equal(snp_init(&u->fw), SNP_SUCCESS);
	start_and_activate(u, GCTX, ASID);
	assert_int_equal(snp_decommission(&u->fw, GCTX), SNP_SUCCESS);
	assert_false(snp_asid_reusable(&u->fw, ASID));
	assert_int_equal(snp_launch_start(&u->fw, GCTX2, POLICY), SNP_SUCCESS);
	assert_int_equal(snp_activate(&u->fw, GCTX2, ASID), SNP_SUCCESS);
	fixture_free(u);
}

/* §8.18: an ID block must name the guest's digest and policy. */
static void test_id_block_checks(void **state)
{
	struct t *t = *state;
	struct snp_launch_finish in = { .id_block_en = true };
	start_and_activate(t, GCTX, ASID);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_ZERO, GPA_ZERO, SNP_PAGE_ZERO), 0);
	in.id_block.policy = POLICY;
	assert_int_equal(snp_launch_finish(&t->fw, GCTX, &in), SNP_BAD_MEASUREMENT);
	memcpy(in.id_block.ld, ctx_of(t, GCTX).ld, 48);
	in.id_block.policy = POLICY | SNP_POLICY_DEBUG;
	assert_int_equal(snp_launch_finish(&t->fw, GCTX, &in), SNP_POLICY_FAILURE);
	assert_int_equal(ctx_of(t, GCTX).state, SNP_GSTATE_LAUNCH);
	in.id_block.policy = POLICY;
	assert_int_equal(snp_launch_finish(&t->fw, GCTX, &in), SNP_SUCCESS);
}

/* Launch a guest with an ID block and host data, then ask for a report. */
static void launch_and_report(struct t *t, uint8_t rep[SNP_REPORT_LEN])
{
	struct snp_launch_finish in = { .id_block_en = true };
	uint8_t rd[64];
	fill(t, SPA_NORMAL, 1);
	start_and_activate(t, GCTX, ASID);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, GPA_NORMAL, SNP_PAGE_NORMAL), 0);
	memcpy(in.id_block.ld, ctx_of(t, GCTX).ld, 48);
	memset(in.id_block.family_id, 0xf1, 16);
	memset(in.id_block.image_id, 0x1d, 16);
	in.id_block.guest_svn = 7;
	in.id_block.policy = POLICY;
	for (unsigned i = 0; i < 32; i++)
		in.host_data[i] = (uint8_t)(0x80 + i);
	assert_int_equal(snp_launch_finish(&t->fw, GCTX, &in), SNP_SUCCESS);
	for (unsigned i = 0; i < 64; i++)
		rd[i] = (uint8_t)i;
	assert_int_equal(snp_guest_report(&t->fw, GCTX, rd, 1, rep), SNP_SUCCESS);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* §7.3 Table 23 offsets, and the VCEK signature over [0, 0x2A0). */
static void test_report_layout_and_signature(void **state)
{
	struct t *t = *state;
	uint8_t rep[SNP_REPORT_LEN], chip[64], pub[P384_POINT_LEN], h[64], sig[96], bad[SNP_REPORT_LEN];
	const char *why = "unset";
	launch_and_report(t, rep);
	assert_int_equal(le32(rep + 0x00), 3);          /* VERSION */
	assert_int_equal(le32(rep + 0x04), 7);          /* GUEST_SVN */
	assert_int_equal(sim_le64_load(rep + 0x08), POLICY);
	assert_int_equal(rep[0x10], 0xf1);              /* FAMILY_ID */
	assert_int_equal(rep[0x2f], 0x1d);              /* IMAGE_ID */
	assert_int_equal(le32(rep + 0x30), 1);          /* VMPL */
	assert_int_equal(le32(rep + 0x34), 1);          /* SIGNATURE_ALGO: ECDSA P-384 SHA-384 */
	assert_int_equal(sim_le64_load(rep + 0x38), t->fw.cfg.tcb);
	assert_int_equal(sim_le64_load(rep + 0x40), 1); /* PLATFORM_INFO.SMT_EN */
	assert_int_equal(le32(rep + 0x48), 0);          /* VCEK, no author key */
	assert_int_equal(rep[0x50], 0);                 /* REPORT_DATA */
	assert_int_equal(rep[0x8f], 63);
	assert_memory_equal(rep + 0x90, ctx_of(t, GCTX).ld, 48); /* MEASUREMENT */
	assert_int_equal(rep[0xC0], 0x80);              /* HOST_DATA */
	assert_int_equal(rep[0xDF], 0x9f);
	assert_int_equal(rep[0x160], 0xff);             /* REPORT_ID_MA: no MA */
	assert_int_equal(rep[0x188], 0x19);             /* CPUID_FAM_ID */
	snp_chip_id(SEED, chip);
	assert_memory_equal(rep + 0x1A0, chip, 64);     /* CHIP_ID */
	assert_int_equal(rep[0x1E8], t->fw.cfg.build);  /* CURRENT_BUILD, MINOR, MAJOR */
	assert_int_equal(rep[0x1E9], 55);
	assert_int_equal(rep[0x1EA], 1);
	assert_int_equal(sim_le64_load(rep + 0x1F0), t->fw.cfg.tcb); /* LAUNCH_TCB */

	/* R at 0x2A0 and S at 0x2E8, 72 bytes little-endian each: reversing
	 * their low 48 bytes gives the big-endian r || s OpenSSL checks. */
	snp_vcek_public(SEED, t->fw.cfg.tcb, pub);
	for (unsigned i = 0; i < 48; i++) {
		sig[i] = rep[0x2A0 + 47 - i];
		sig[48 + i] = rep[0x2E8 + 47 - i];
	}
	assert_int_equal(p384_digest("sha-384", rep, 0x2A0, h), 48);
	assert_int_equal(p384_verify(pub, h, sig), 0);
	for (unsigned i = 48; i < 72; i++)
		assert_int_equal(rep[0x2A0 + i] | rep[0x2E8 + i], 0);
	assert_int_equal(snp_report_verify(rep, pub, &why), 0);
	assert_null(why);

	memcpy(bad, rep, sizeof(bad));
	bad[0x90] ^= 1;
	assert_int_equal(snp_report_verify(bad, pub, &why), -EPERM);
	assert_string_equal(why, "signature");
	memcpy(bad, rep, sizeof(bad));
	bad[0x2A0 + 60] = 1;
	assert_int_equal(snp_report_verify(bad, pub, &why), -EPERM);
	assert_string_equal(why, "signature_padding");
	memcpy(bad, rep, sizeof(bad));
	bad[0x34] = 2;
	assert_int_equal(snp_report_verify(bad, pub, &why), -EPERM);
	assert_string_equal(why, "signature_algo");
	snp_vcek_public(SEED + 1, t->fw.cfg.tcb, pub);
	assert_int_equal(snp_report_verify(rep, pub, &why), -EPERM);
	assert_string_equal(why, "signature");
}

/* Same seed, same report bytes; another seed changes CHIP_ID and signature. */
static void test_report_determinism(void **state)
{
	struct t *t = *state;
	uint8_t a[SNP_REPORT_LEN], b[SNP_REPORT_LEN];
	launch_and_report(t, a);
	struct t *u = fixture(SEED, NULL);
	assert_int_equal(snp_init(&u->fw), SNP_SUCCESS);
	launch_and_report(u, b);
	assert_memory_equal(a, b, SNP_REPORT_LEN);
	fixture_free(u);
	u = fixture(SEED + 1, NULL);
	assert_int_equal(snp_init(&u->fw), SNP_SUCCESS);
	launch_and_report(u, b);
	assert_memory_equal(a + 0x90, b + 0x90, 48); /* same launch, same measurement */
	assert_memory_not_equal(a + 0x1A0, b + 0x1A0, 64);
	assert_memory_not_equal(a + 0x2A0, b + 0x2A0, 72);
	fixture_free(u);
}

/* The guest's state is its context page's (GCTX.LD, ...): BadRAM's replay
 * (De Meulemeester et al., IEEE S&P 2025), here with the page's bytes
 * copied directly. A benign guest's digest line, taken from the page and
 * put back into the page of a later guest at the same address, is what
 * that guest's report then names, signed; put back before LAUNCH_FINISH it
 * passes the ID block's check for the benign digest. */
static void test_state_lives_in_context_page(void **state)
{
	struct t *t = *state;
	const uint64_t spa_b = 0x206000, spa_c = 0x207000;
	uint8_t rd[64] = { 0 }, ra[SNP_REPORT_LEN], rb[SNP_REPORT_LEN], saved[SNP_GCTX_USED];
	uint8_t pub[P384_POINT_LEN];
	/* the benign guest */
	fill(t, SPA_NORMAL, 1);
	start_and_activate(t, GCTX, ASID);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, SPA_NORMAL, GPA_NORMAL, SNP_PAGE_NORMAL), 0);
	finish(t, GCTX);
	assert_int_equal(snp_guest_report(&t->fw, GCTX, rd, 0, ra), SNP_SUCCESS);
	assert_int_equal(snp_report_measured(&t->fw, ra), 1);
	memcpy(saved, t->mem + GCTX, sizeof(saved));
	assert_int_equal(snp_decommission(&t->fw, GCTX), SNP_SUCCESS);
	assert_int_equal(snp_report_measured(&t->fw, ra), -1); /* no such guest now */
	/* another image at the same context page: another digest ... */
	fill(t, spa_b, 9);
	start_and_activate(t, GCTX, ASID + 1);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, spa_b, GPA_NORMAL, SNP_PAGE_NORMAL), 0);
	finish(t, GCTX);
	assert_int_equal(snp_guest_report(&t->fw, GCTX, rd, 0, rb), SNP_SUCCESS);
	assert_memory_not_equal(rb + SNP_RPT_MEASUREMENT, ra + SNP_RPT_MEASUREMENT, 48);
	assert_int_equal(snp_report_measured(&t->fw, rb), 1);
	/* ... until the old digest line is back */
	memcpy(t->mem + GCTX + SNP_GCTX_LD, saved + SNP_GCTX_LD, 64);
	assert_int_equal(snp_guest_report(&t->fw, GCTX, rd, 0, rb), SNP_SUCCESS);
	assert_memory_equal(rb + SNP_RPT_MEASUREMENT, ra + SNP_RPT_MEASUREMENT, 48);
	/* signed, and not what the firmware measured for this guest */
	assert_int_equal(snp_report_measured(&t->fw, rb), 0);
	snp_vcek_public(SEED, t->fw.cfg.tcb, pub);
	assert_int_equal(snp_report_verify(rb, pub, NULL), 0);
	assert_int_equal(snp_decommission(&t->fw, GCTX), SNP_SUCCESS);
	/* an ID block naming the benign digest: refused, then passed */
	struct snp_launch_finish in = { .id_block_en = true };
	memcpy(in.id_block.ld, ra + SNP_RPT_MEASUREMENT, 48);
	in.id_block.policy = POLICY;
	fill(t, spa_c, 9);
	start_and_activate(t, GCTX, ASID + 2);
	assert_int_equal(snp_launch_update(&t->fw, GCTX, spa_c, GPA_NORMAL, SNP_PAGE_NORMAL), 0);
	assert_int_equal(snp_launch_finish(&t->fw, GCTX, &in), SNP_BAD_MEASUREMENT);
	memcpy(t->mem + GCTX + SNP_GCTX_LD, saved + SNP_GCTX_LD, 64);
	assert_int_equal(snp_launch_finish(&t->fw, GCTX, &in), SNP_SUCCESS);
	/* a garbled state word is no state: every command refuses */
	t->mem[GCTX + SNP_GCTX_STATE] ^= 0x5a;
	assert_int_equal(snp_guest_report(&t->fw, GCTX, rd, 0, rb), SNP_INVALID_GUEST_STATE);
}

static void alias_check_on(struct snp_fw_config *c)
{
	c->alias_check = true;
}

/* AMD-SB-3015: firmware with the BadRAM mitigation refuses SNP_INIT on a
 * platform whose memory aliases, and reports ALIAS_CHECK_COMPLETE (PLATFORM_INFO
 * bit 5) once memory checked clean; without it nothing is checked. */
static void test_alias_check(void **state)
{
	(void)state;
	uint8_t rep[SNP_REPORT_LEN];
	struct t *t = fixture(SEED, alias_check_on);
	t->aliased = true;
	assert_int_equal(snp_init(&t->fw), SNP_HWERROR_PLATFORM);
	assert_int_equal(t->fw.state, SNP_PLATFORM_UNINIT);
	assert_int_equal(snp_launch_start(&t->fw, GCTX, POLICY), SNP_INVALID_PLATFORM_STATE);
	t->aliased = false;
	assert_int_equal(snp_init(&t->fw), SNP_SUCCESS);
	launch_and_report(t, rep);
	assert_int_equal(sim_le64_load(rep + SNP_RPT_PLATFORM_INFO),
			 SNP_PLATFORM_INFO_SMT_EN | SNP_PLATFORM_INFO_ALIAS_CHECK_COMPLETE);
	fixture_free(t);
	t = fixture(SEED, NULL);
	t->aliased = true;
	assert_int_equal(snp_init(&t->fw), SNP_SUCCESS);
	launch_and_report(t, rep);
	assert_int_equal(sim_le64_load(rep + SNP_RPT_PLATFORM_INFO), SNP_PLATFORM_INFO_SMT_EN);
	fixture_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_launch_flow_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_known_answer, setup, teardown),
		cmocka_unit_test(test_digest_binds_contents_gpa_type),
		cmocka_unit_test_setup_teardown(test_state_machine_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_state_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_asid_df_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_block_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_layout_and_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_determinism, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_lives_in_context_page, setup, teardown),
		cmocka_unit_test(test_alias_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
