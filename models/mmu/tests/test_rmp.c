/* SEV-SNP RMP (models/mmu/rmp.c, rmp_ops.c) against AMD64 APM vol. 2 15.36
 * and the vol. 3 pages of RMPUPDATE, PSMASH, PVALIDATE and RMPADJUST. The
 * table lives in a fake flat memory that counts every access. Error codes
 * are written as numbers so each expectation stands on its own. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/mmu/tlb.h"
#include "sim/sim.h"

#include "models/mmu/rmp.h"

/* 64MB of RAM; the table (16KB + 16384 entries) sits at 63MB. */
#define BASE 0x3F00000ull
#define END 0x3F43FFFull
#define MEM_TOP 0x4000000ull
#define NO_ABORT UINT64_MAX

#define ASID 7u
#define SPA4K 0x1001000ull /* a 4KB page, not 2MB aligned */
#define GPA4K 0x7000ull
#define SPA2M 0x1200000ull /* a 2MB page */
#define GPA2M 0x400000ull

/* #NPF error codes: P|U|RMP|FINAL (0x180000005), +ENC 1<<34, +W, +SIZEM 1<<35, +VMPL 1<<36. */
#define NPF_PRIV_R 0x580000005ull
#define NPF_PRIV_W 0x580000007ull
#define NPF_SHARED_R 0x180000005ull
#define NPF_SIZEM_R 0xD80000005ull
#define NPF_VMPL_R 0x1580000005ull
#define NPF_VMPL_W 0x1580000007ull
#define PF_HOST_W 0x80000003ull /* P|W|RMP, as Linux logs an RMP violation */

struct t {
	uint8_t *mem; /* [BASE, END] */
	uint64_t abort_pa;
	unsigned reads, writes;
	struct rmp_config cfg;
	struct rmp_io io;
};

static int fake_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct t *t = ctx;
	t->reads++;
	if (pa < BASE || pa + len > END + 1 || (t->abort_pa >= pa && t->abort_pa < pa + len))
		return -EFAULT;
	memcpy(buf, t->mem + (pa - BASE), len);
	return 0;
}

static int fake_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	struct t *t = ctx;
	t->writes++;
	if (pa < BASE || pa + len > END + 1)
		return -EFAULT;
	memcpy(t->mem + (pa - BASE), buf, len);
	return 0;
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	t->mem = calloc(1, END + 1 - BASE);
	t->abort_pa = NO_ABORT;
	t->cfg = (struct rmp_config){ .base = BASE, .end = END, .mem_top = MEM_TOP };
	t->io = (struct rmp_io){ fake_read, fake_write, t };
	if (rmp_init_table(&t->cfg, &t->io))
		return -1;
	t->reads = t->writes = 0;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	free(t->mem);
	free(t);
	return 0;
}

static struct rmp_entry entry_at(struct t *t, uint64_t spa)
{
	struct rmp_entry e;
	assert_int_equal(rmp_entry_read(&t->cfg, &t->io, spa, &e), 0);
	return e;
}

static struct rmp_op_result update(struct t *t, uint64_t spa, uint32_t asid, uint64_t gpa,
				   bool size_2m)
{
	struct rmp_entry e = { .assigned = true, .size_2m = size_2m, .asid = asid, .gpa = gpa };
	return rmp_update(&t->cfg, &t->io, spa, &e);
}

static struct rmp_op_result pvalidate(struct t *t, uint64_t spa, uint64_t gpa, bool size_2m,
				      uint8_t vmpl, bool validate)
{
	struct rmp_guest_page pg = { spa, gpa, ASID, vmpl, size_2m };
	return rmp_pvalidate(&t->cfg, &t->io, &pg, validate);
}

static struct rmp_op_result adjust(struct t *t, uint64_t spa, uint64_t gpa, bool size_2m,
				   uint8_t vmpl, uint8_t target, uint8_t perms, bool vmsa)
{
	struct rmp_guest_page pg = { spa, gpa, ASID, vmpl, size_2m };
	return rmp_adjust(&t->cfg, &t->io, &pg, target, perms, vmsa);
}

/* Hand a page to guest ASID and let it validate it, as a guest boot does. */
static void give(struct t *t, uint64_t spa, uint64_t gpa, bool size_2m, bool valid)
{
	assert_int_equal(update(t, spa, ASID, gpa, size_2m).status, RMP_SUCCESS);
	if (valid)
		assert_int_equal(pvalidate(t, spa, gpa, size_2m, 0, true).status, RMP_SUCCESS);
}

static struct rmp_access priv(uint64_t spa, uint64_t gpa)
{
	return (struct rmp_access){ .spa = spa, .asid = ASID, .gpa = gpa, .private_ = true };
}

static struct rmp_access host(uint64_t spa, bool write)
{
	return (struct rmp_access){ .spa = spa, .host = true, .write = write };
}

static void expect(struct t *t, struct rmp_access a, enum rmp_fault f, uint64_t error_code,
		   unsigned reads)
{
	struct rmp_result r = rmp_check(&t->cfg, &t->io, &a);
	assert_string_equal(rmp_fault_name(r.fault), rmp_fault_name(f));
	assert_int_equal(r.error_code, error_code);
	assert_int_equal(r.reads, reads);
}

static void expect_status(struct rmp_op_result o, enum rmp_status s)
{
	assert_string_equal(rmp_fault_name(o.fault.fault), "ok");
	assert_string_equal(rmp_status_name(o.status), rmp_status_name(s));
}

static void expect_op_fault(struct rmp_op_result o, enum rmp_fault f, uint64_t error_code)
{
	assert_string_equal(rmp_fault_name(o.fault.fault), rmp_fault_name(f));
	assert_int_equal(o.fault.error_code, error_code);
	assert_int_equal(o.writes, 0);
	assert_false(o.tlb_flush);
}

/* Fam19h entry layout (Linux struct rmpentry_raw, AMD firmware rmp_quadword1/2):
 * bits 0 assigned, 1 pagesize, 2 immutable, 50:12 GPA, 60:51 ASID, 61 VMSA,
 * 62 validated; high quadword byte n = VMPL n permissions. */
static void test_entry_layout(void **state)
{
	(void)state;
	struct rmp_entry e = { .assigned = true, .size_2m = true, .validated = true,
			       .gpa = 0x12345000, .asid = 5, .vmpl_perm = { 0x1F, 0x03, 0, 0x10 } };
	uint8_t raw[16], back[16];
	static const uint8_t want[16] = { 0x03, 0x50, 0x34, 0x12, 0x00, 0x00, 0x28, 0x40,
					  0x1F, 0x03, 0x00, 0x10, 0, 0, 0, 0 };
	rmp_entry_encode(&e, raw);
	assert_memory_equal(raw, want, 16);

	struct rmp_entry f = { .immutable = true, .vmsa = true, .gpa = 0x7FFFFFFFFF000, .asid = 1023 };
	static const uint8_t want_f[8] = { 0x04, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F };
	rmp_entry_encode(&f, raw);
	assert_memory_equal(raw, want_f, 8);

	/* Reserved bits (11:3, 63, high 63:32) decode to nothing. */
	memcpy(back, want, 16);
	back[0] |= 0xF8;
	back[1] |= 0x0F;
	back[7] |= 0x80;
	back[15] = 0xFF;
	struct rmp_entry d;
	rmp_entry_decode(back, &d);
	rmp_entry_encode(&d, raw);
	assert_memory_equal(raw, want, 16);
	assert_true(d.assigned && d.size_2m && d.validated && !d.immutable && !d.vmsa);
	assert_int_equal(d.gpa, 0x12345000);
	assert_int_equal(d.asid, 5);
}

/* RMP_BASE / RMP_END + 1 8KB aligned; 16KB bookkeeping + 16 bytes per 4KB
 * page; the table must cover RAM (Linux snp_rmptable_init) and itself. */
static void test_config_check(void **state)
{
	struct t *t = *state;
	assert_int_equal(rmp_config_check(&t->cfg), 0);
	assert_int_equal(rmp_covered_top(&t->cfg), MEM_TOP);
	assert_int_equal(rmp_entry_pa(&t->cfg, SPA4K), BASE + 0x4000 + 16 * 0x1001);
	static const struct rmp_config bad[] = {
		{ BASE + 0x1000, END, MEM_TOP },         /* base not 8KB aligned */
		{ BASE, END - 0x1000, MEM_TOP / 2 },     /* end + 1 not 8KB aligned */
		{ BASE, END, MEM_TOP + 0x1000 },         /* RAM beyond the last entry */
		{ BASE, BASE + 0x3FFF, 0 },              /* bookkeeping only */
		{ 0x400000, 0x400000 + 0x4000 + 0x1FFF, 0 }, /* covers 2MB, not itself */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rmp_config_check(&bad[i]), -EINVAL);
		struct rmp_access a = host(0x1000, true);
		struct rmp_result r = rmp_check(&bad[i], &t->io, &a);
		assert_int_equal(r.fault, RMP_FAULT_TABLE);
		assert_int_equal(r.reads, 0);
	}
	assert_int_equal(rmp_init_table(&bad[0], &t->io), -EINVAL);
}

/* SNP_INIT leaves the RMP's own pages assigned + immutable: the host cannot
 * write the table (RMP #PF), RMPUPDATE cannot change it (FAIL_PERMISSION). */
static void test_rmp_protects_itself(void **state)
{
	struct t *t = *state;
	assert_int_equal(rmp_init_table(&t->cfg, &t->io), 0);
	assert_int_equal(t->writes, 68 + 68); /* 68 pages zeroed, then 68 entries */
	struct rmp_entry e = entry_at(t, BASE);
	assert_true(e.assigned && e.immutable && !e.validated);
	assert_int_equal(e.asid, 0);
	e = entry_at(t, END);
	assert_true(e.assigned && e.immutable);
	e = entry_at(t, END + 1);
	assert_false(e.assigned || e.immutable);

	expect(t, host(rmp_entry_pa(&t->cfg, SPA4K), true), RMP_PF_HOST, PF_HOST_W, 2);
	expect(t, host(rmp_entry_pa(&t->cfg, SPA4K), false), RMP_OK, 0, 2);
	expect(t, priv(BASE, 0), RMP_NPF_RMP, NPF_PRIV_R, 2);
	t->writes = 0;
	struct rmp_op_result o = update(t, BASE, ASID, GPA4K, false);
	expect_status(o, RMP_FAIL_PERMISSION);
	assert_int_equal(o.writes, 0);
	assert_int_equal(t->writes, 0);
	assert_false(o.tlb_flush);
}

/* 15.36.10: host writes need a hypervisor-owned page (RMP #PF, error bit 31);
 * host reads of guest pages are allowed (they return ciphertext). */
static void test_host_write_to_assigned_faults(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, true);
	expect(t, host(SPA4K + 0x10, false), RMP_OK, 0, 2);
	expect(t, host(SPA4K + 0x10, true), RMP_PF_HOST, PF_HOST_W, 2);
	expect(t, host(SPA4K + 0x1000, true), RMP_OK, 0, 2);
	/* A 2MB guest page covers every 4KB of its region for the host too. */
	give(t, SPA2M, GPA2M, true, false);
	expect(t, host(SPA2M + 0x1FF000, true), RMP_PF_HOST, PF_HOST_W, 1);
}

/* 15.36.10: a private access needs Assigned, its own ASID and the GPA the
 * entry names, and not Immutable; otherwise #NPF with bit 31 (and ENC). */
static void test_private_access_owner_checks(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, true);
	expect(t, priv(SPA4K, GPA4K), RMP_OK, 0, 2);
	struct rmp_access a = priv(SPA4K, GPA4K);
	a.asid = ASID + 1;
	expect(t, a, RMP_NPF_RMP, NPF_PRIV_R, 2);
	expect(t, priv(SPA4K, GPA4K + 0x1000), RMP_NPF_RMP, NPF_PRIV_R, 2);
	expect(t, priv(SPA4K + 0x1000, GPA4K + 0x1000), RMP_NPF_RMP, NPF_PRIV_R, 2);
	a.write = true;
	expect(t, a, RMP_NPF_RMP, NPF_PRIV_W, 2);
	a = priv(SPA4K + 0x1000, GPA4K);
	a.perm_needed = RMP_PERM_XS; /* instruction fetch: I/D bit 4 */
	expect(t, a, RMP_NPF_RMP, NPF_PRIV_R | 0x10, 2);
	/* An immutable guest page (pre-launch, firmware's) is no guest's to touch. */
	struct rmp_entry imm = { .assigned = true, .immutable = true, .asid = ASID, .gpa = GPA4K };
	assert_int_equal(rmp_entry_write(&t->cfg, &t->io, SPA4K, &imm), 0);
	expect(t, priv(SPA4K, GPA4K), RMP_NPF_RMP, NPF_PRIV_R, 2);
}

/* 15.36.10: a shared (C-bit 0) guest access needs a hypervisor-owned page;
 * the page size is not checked for it. */
static void test_shared_access(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, true);
	struct rmp_access a = priv(SPA4K, GPA4K);
	a.private_ = false;
	expect(t, a, RMP_NPF_RMP, NPF_SHARED_R, 2);
	a.spa += 0x1000;
	a.large = true;
	expect(t, a, RMP_OK, 0, 2);
}

/* 15.36.11: the nested page size must equal the RMP page size for a private
 * access: #NPF with bits 31 and 35 both ways; PSMASH cures the 4KB case. */
static void test_size_mismatch(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, true);
	struct rmp_access a = priv(SPA4K, GPA4K);
	a.large = true;
	expect(t, a, RMP_NPF_SIZEM, NPF_SIZEM_R, 2);

	give(t, SPA2M, GPA2M, true, true);
	a = priv(SPA2M + 0x5000, GPA2M + 0x5000);
	a.large = true;
	expect(t, a, RMP_OK, 0, 1);
	a.large = false;
	expect(t, a, RMP_NPF_SIZEM, NPF_SIZEM_R, 1);
	expect_status(rmp_psmash(&t->cfg, &t->io, SPA2M), RMP_SUCCESS);
	expect(t, a, RMP_OK, 0, 2);
}

/* 15.36.10: a private access to an assigned page whose Validated is clear
 * raises #VC with error code PAGE_NOT_VALIDATED (0x404), not #NPF. */
static void test_unvalidated_raises_vc(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, false);
	expect(t, priv(SPA4K, GPA4K), RMP_VC_UNVALIDATED, 0x404, 2);
	expect_status(pvalidate(t, SPA4K, GPA4K, false, 0, true), RMP_SUCCESS);
	expect(t, priv(SPA4K, GPA4K), RMP_OK, 0, 2);
	expect_status(pvalidate(t, SPA4K, GPA4K, false, 0, false), RMP_SUCCESS);
	expect(t, priv(SPA4K, GPA4K), RMP_VC_UNVALIDATED, 0x404, 2);
}

/* 15.36.10 VMPL check: each VMPL needs the access's bits in its permission mask,
 * else #NPF with bits 31 and 36; RMPUPDATE gives VMPL0 everything. */
static void test_vmpl_permissions(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, true);
	struct rmp_access a = priv(SPA4K, GPA4K);
	a.vmpl = 1;
	expect(t, a, RMP_NPF_VMPL, NPF_VMPL_R, 2);
	expect_status(adjust(t, SPA4K, GPA4K, false, 0, 1, RMP_PERM_R, false), RMP_SUCCESS);
	expect(t, a, RMP_OK, 0, 2);
	a.write = true;
	expect(t, a, RMP_NPF_VMPL, NPF_VMPL_W, 2);
	a.vmpl = 0;
	a.perm_needed = RMP_PERM_XU | RMP_PERM_XS | RMP_PERM_SSS;
	expect(t, a, RMP_OK, 0, 2);
}

/* 15.36.10 order when two conditions hold: owner/GPA, then page size, then
 * Validated (#VC), then VMPL permissions; the host ignores guest fields. */
static void test_priority_pairs(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, false); /* assigned, not validated */
	struct rmp_access a = priv(SPA4K, GPA4K);
	a.asid = ASID + 1;
	expect(t, a, RMP_NPF_RMP, NPF_PRIV_R, 2); /* wrong ASID beats unvalidated */
	a = priv(SPA4K, GPA4K + 0x1000);
	a.large = true;
	expect(t, a, RMP_NPF_RMP, NPF_PRIV_R, 2); /* wrong GPA beats size */
	a = priv(SPA4K, GPA4K);
	a.large = true;
	expect(t, a, RMP_NPF_SIZEM, NPF_SIZEM_R, 2); /* size beats unvalidated */
	a = priv(SPA4K, GPA4K);
	a.vmpl = 2;
	expect(t, a, RMP_VC_UNVALIDATED, 0x404, 2); /* unvalidated beats VMPL */
	a.host = a.write = true;
	expect(t, a, RMP_PF_HOST, PF_HOST_W, 2);
}

static enum rmp_check check_of(struct t *t, struct rmp_access a)
{
	struct rmp_result r = rmp_check(&t->cfg, &t->io, &a);
	assert_int_equal(r.fault, rmp_check_fault(r.check)); /* the rule decides the fault */
	return r.check;
}

/* Each denial names the rule that made it, in the check's order; a trace
 * record carries it (rmp.fault's check). */
static void test_check_names_the_rule(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, false); /* assigned to ASID, not validated */
	struct rmp_access a = priv(SPA4K, GPA4K);
	assert_int_equal(check_of(t, host(SPA4K, false)), RMP_CHK_NONE);
	assert_int_equal(check_of(t, host(SPA4K, true)), RMP_CHK_HOST_WRITE);
	a.private_ = false;
	assert_int_equal(check_of(t, a), RMP_CHK_SHARED);
	assert_int_equal(check_of(t, priv(MEM_TOP, GPA4K)), RMP_CHK_NO_ENTRY);
	assert_int_equal(check_of(t, priv(SPA4K + 0x1000, GPA4K)), RMP_CHK_NOT_ASSIGNED);
	a = priv(SPA4K, GPA4K);
	a.asid = ASID + 1;
	assert_int_equal(check_of(t, a), RMP_CHK_ASID);
	assert_int_equal(check_of(t, priv(SPA4K, GPA4K + 0x1000)), RMP_CHK_GPA);
	a = priv(SPA4K, GPA4K);
	a.large = true;
	assert_int_equal(check_of(t, a), RMP_CHK_SIZE);
	assert_int_equal(check_of(t, priv(SPA4K, GPA4K)), RMP_CHK_NOT_VALIDATED);
	give(t, SPA4K, GPA4K, false, true);
	a = priv(SPA4K, GPA4K);
	a.vmpl = 2;
	assert_int_equal(check_of(t, a), RMP_CHK_VMPL);
	struct rmp_entry imm = { .assigned = true, .immutable = true, .asid = ASID, .gpa = GPA4K };
	assert_int_equal(rmp_entry_write(&t->cfg, &t->io, SPA4K, &imm), 0);
	assert_int_equal(check_of(t, priv(SPA4K, GPA4K)), RMP_CHK_IMMUTABLE);
	t->abort_pa = rmp_entry_pa(&t->cfg, SPA4K);
	assert_int_equal(check_of(t, priv(SPA4K, GPA4K)), RMP_CHK_TABLE);
	assert_string_equal(rmp_check_name(RMP_CHK_ASID), "asid");
	assert_string_equal(rmp_check_name(RMP_CHK_NOT_VALIDATED), "not_validated");
	assert_string_equal(rmp_check_name(RMP_CHK_COUNT), "?");
}

/* Memory without an entry (beyond RMP coverage) counts as hypervisor-owned. */
static void test_beyond_coverage(void **state)
{
	struct t *t = *state;
	expect(t, host(MEM_TOP + 0x1000, true), RMP_OK, 0, 0);
	struct rmp_access a = priv(MEM_TOP, GPA4K);
	expect(t, a, RMP_NPF_RMP, NPF_PRIV_R, 0);
	a.private_ = false;
	expect(t, a, RMP_OK, 0, 0);
	expect_op_fault(pvalidate(t, MEM_TOP, GPA4K, false, 0, true), RMP_NPF_RMP, 0x480000005);
	expect_status(update(t, MEM_TOP, ASID, GPA4K, false), RMP_FAIL_INPUT);
}

/* An RMP read that fails (the table itself unreachable) is RMP_FAULT_TABLE. */
static void test_unreadable_table(void **state)
{
	struct t *t = *state;
	t->abort_pa = rmp_entry_pa(&t->cfg, SPA4K & ~0x1FFFFFull);
	expect(t, host(SPA4K, false), RMP_FAULT_TABLE, 0, 1);
	t->abort_pa = rmp_entry_pa(&t->cfg, SPA4K);
	expect(t, priv(SPA4K, GPA4K), RMP_FAULT_TABLE, 0, 2);
	struct rmp_op_result o = update(t, SPA4K, ASID, GPA4K, false);
	assert_int_equal(o.fault.fault, RMP_FAULT_TABLE);
	assert_false(o.tlb_flush);
}

/* RMPUPDATE: Validated and VMSA cleared, VMPL0 full and VMPL1-3 empty, on
 * every update; a TLB flush is due; FAIL_INPUT for bad operands. */
static void test_update_clears_validated(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, true);
	expect_status(adjust(t, SPA4K, GPA4K, false, 0, 1, RMP_PERM_R, true), RMP_SUCCESS);
	struct rmp_entry e = entry_at(t, SPA4K);
	assert_true(e.validated && e.vmsa);
	t->reads = t->writes = 0;
	struct rmp_op_result o = update(t, SPA4K, ASID, GPA4K, false);
	expect_status(o, RMP_SUCCESS);
	assert_true(o.tlb_flush);
	assert_int_equal(o.reads, 2);
	assert_int_equal(o.writes, 1);
	assert_int_equal(t->writes, 1);
	e = entry_at(t, SPA4K);
	assert_true(e.assigned && !e.validated && !e.vmsa && !e.size_2m && !e.immutable);
	assert_int_equal(e.asid, ASID);
	assert_int_equal(e.gpa, GPA4K);
	static const uint8_t perms[4] = { 0x1F, 0, 0, 0 };
	assert_memory_equal(e.vmpl_perm, perms, 4);

	struct rmp_entry shared = { 0 };
	expect_status(rmp_update(&t->cfg, &t->io, SPA4K, &shared), RMP_SUCCESS);
	e = entry_at(t, SPA4K);
	assert_false(e.assigned || e.asid || e.gpa || e.vmpl_perm[0]);

	struct rmp_entry bad = { .asid = ASID }; /* hypervisor-owned with an owner */
	expect_status(rmp_update(&t->cfg, &t->io, SPA4K, &bad), RMP_FAIL_INPUT);
	expect_status(update(t, SPA2M + 0x1000, ASID, GPA2M, true), RMP_FAIL_INPUT);
	expect_status(update(t, SPA2M, ASID, GPA2M + 0x1000, true), RMP_FAIL_INPUT);
	expect_status(update(t, SPA4K, 1024, GPA4K, false), RMP_FAIL_INPUT);
	expect_status(update(t, SPA4K, ASID, 1ull << 51, false), RMP_FAIL_INPUT);
}

/* RMPUPDATE FAIL_OVERLAP (15.36.11): a 2MB entry over an assigned 4KB entry,
 * or a 4KB entry inside a 2MB entry's region. */
static void test_update_overlap(void **state)
{
	struct t *t = *state;
	give(t, SPA2M + 0x3000, GPA2M + 0x3000, false, false);
	struct rmp_op_result o = update(t, SPA2M, ASID, GPA2M, true);
	expect_status(o, RMP_FAIL_OVERLAP);
	assert_int_equal(o.reads, 1 + 3);
	assert_int_equal(o.writes, 0);
	assert_false(o.tlb_flush);

	struct rmp_entry shared = { 0 };
	expect_status(rmp_update(&t->cfg, &t->io, SPA2M + 0x3000, &shared), RMP_SUCCESS);
	o = update(t, SPA2M, ASID, GPA2M, true);
	expect_status(o, RMP_SUCCESS);
	assert_int_equal(o.reads, 512);
	assert_int_equal(o.writes, 1);
	expect_status(update(t, SPA2M + 0x3000, ASID, GPA2M + 0x3000, false), RMP_FAIL_OVERLAP);
}

/* PSMASH: 512 4KB entries with the 2MB entry's state, Validated and VMPL
 * permissions kept, GPAs consecutive; FAIL_BADADDR on a 4KB entry. */
static void test_psmash_keeps_validated(void **state)
{
	struct t *t = *state;
	give(t, SPA2M, GPA2M, true, true);
	expect_status(adjust(t, SPA2M, GPA2M, true, 0, 1, RMP_PERM_R | RMP_PERM_W, false),
		      RMP_SUCCESS);
	t->writes = 0;
	struct rmp_op_result o = rmp_psmash(&t->cfg, &t->io, SPA2M);
	expect_status(o, RMP_SUCCESS);
	assert_int_equal(o.reads, 1);
	assert_int_equal(o.writes, 512);
	assert_int_equal(t->writes, 512);
	assert_true(o.tlb_flush);
	static const unsigned pages[] = { 0, 1, 511 };
	static const uint8_t perms[4] = { 0x1F, 0x03, 0, 0 };
	for (size_t i = 0; i < 3; i++) {
		struct rmp_entry e = entry_at(t, SPA2M + pages[i] * 0x1000ull);
		assert_true(e.assigned && e.validated && !e.size_2m && !e.immutable);
		assert_int_equal(e.asid, ASID);
		assert_int_equal(e.gpa, GPA2M + pages[i] * 0x1000ull);
		assert_memory_equal(e.vmpl_perm, perms, 4);
	}
	struct rmp_access a = priv(SPA2M + 0x1FF000, GPA2M + 0x1FF000);
	a.vmpl = 1;
	a.write = true;
	expect(t, a, RMP_OK, 0, 2);
	expect_status(rmp_psmash(&t->cfg, &t->io, SPA2M), RMP_FAIL_BADADDR);
	expect_status(rmp_psmash(&t->cfg, &t->io, SPA2M + 0x1000), RMP_FAIL_INPUT);
}

/* PVALIDATE: 0 SUCCESS with CF = 1 when Validated already had the value,
 * FAIL_INPUT (misaligned 2MB), FAIL_SIZEMISMATCH (2MB over 4KB entries,
 * CF = 0), #NPF SIZEM for 4KB inside a 2MB entry (KVM log: 0xc80000005). */
static void test_pvalidate_codes_and_cf(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, false);
	struct rmp_op_result o = pvalidate(t, SPA4K, GPA4K, false, 0, true);
	expect_status(o, RMP_SUCCESS);
	assert_false(o.cf);
	assert_int_equal(o.writes, 1);
	assert_true(o.tlb_flush);
	o = pvalidate(t, SPA4K, GPA4K, false, 0, true);
	expect_status(o, RMP_SUCCESS);
	assert_true(o.cf);
	assert_int_equal(o.writes, 0);
	assert_false(o.tlb_flush);
	o = pvalidate(t, SPA4K, GPA4K, false, 0, false);
	assert_false(o.cf);
	assert_false(entry_at(t, SPA4K).validated);

	give(t, SPA2M, GPA2M, false, false); /* a 4KB entry at a 2MB boundary */
	o = pvalidate(t, SPA2M, GPA2M, true, 0, true);
	expect_status(o, RMP_FAIL_SIZEMISMATCH);
	assert_false(o.cf);
	assert_int_equal(o.reads, 1);
	expect_status(pvalidate(t, SPA2M + 0x1000, GPA2M, true, 0, true), RMP_FAIL_INPUT);
	expect_status(pvalidate(t, SPA4K, GPA4K, false, 1, true), RMP_FAIL_PERMISSION);

	struct rmp_entry shared = { 0 };
	expect_status(rmp_update(&t->cfg, &t->io, SPA2M, &shared), RMP_SUCCESS);
	give(t, SPA2M, GPA2M, true, false);
	expect_op_fault(pvalidate(t, SPA2M + 0x2000, GPA2M + 0x2000, false, 0, true), RMP_NPF_SIZEM,
			0xC80000005);
	expect_op_fault(pvalidate(t, SPA4K + 0x1000, GPA4K, false, 0, true), RMP_NPF_RMP,
			0x480000005);
}

/* RMPADJUST: only for a less privileged VMPL, never beyond the caller's own
 * rights; the VMSA bit only from VMPL0; #VC on an unvalidated page. */
static void test_rmpadjust_privilege(void **state)
{
	struct t *t = *state;
	give(t, SPA4K, GPA4K, false, true);
	const uint8_t rw = RMP_PERM_R | RMP_PERM_W;
	struct rmp_op_result o = adjust(t, SPA4K, GPA4K, false, 0, 1, rw, false);
	expect_status(o, RMP_SUCCESS);
	assert_true(o.tlb_flush);
	assert_int_equal(entry_at(t, SPA4K).vmpl_perm[1], rw);
	expect_status(adjust(t, SPA4K, GPA4K, false, 1, 1, rw, false), RMP_FAIL_PERMISSION);
	expect_status(adjust(t, SPA4K, GPA4K, false, 1, 0, rw, false), RMP_FAIL_PERMISSION);
	expect_status(adjust(t, SPA4K, GPA4K, false, 1, 2, rw | RMP_PERM_XS, false),
		      RMP_FAIL_PERMISSION);
	expect_status(adjust(t, SPA4K, GPA4K, false, 1, 2, RMP_PERM_R, true), RMP_SUCCESS);
	struct rmp_entry e = entry_at(t, SPA4K);
	assert_int_equal(e.vmpl_perm[2], RMP_PERM_R);
	assert_false(e.vmsa); /* ignored below VMPL0 */
	expect_status(adjust(t, SPA4K, GPA4K, false, 0, 3, 0, true), RMP_SUCCESS);
	assert_true(entry_at(t, SPA4K).vmsa);
	expect_status(adjust(t, SPA4K, GPA4K, false, 0, 4, rw, false), RMP_FAIL_INPUT);
	expect_status(adjust(t, SPA4K, GPA4K, false, 0, 1, 0x20, false), RMP_FAIL_INPUT);

	give(t, SPA2M, GPA2M, false, true);
	expect_status(adjust(t, SPA2M, GPA2M, true, 0, 1, rw, false), RMP_FAIL_SIZEMISMATCH);
	give(t, SPA4K + 0x1000, GPA4K + 0x1000, false, false);
	expect_op_fault(adjust(t, SPA4K + 0x1000, GPA4K + 0x1000, false, 0, 1, rw, false),
			RMP_VC_UNVALIDATED, 0x404);
}

/* Each check reads the 2MB-aligned entry, then the page's own unless that
 * entry is 2MB or is the page's own: 1 or 2 reads, all through the io. */
static void test_reads_counted(void **state)
{
	struct t *t = *state;
	give(t, SPA2M, GPA2M, false, true);
	give(t, SPA4K, GPA4K, false, true);
	t->reads = 0;
	expect(t, priv(SPA2M, GPA2M), RMP_OK, 0, 1);
	expect(t, priv(SPA4K, GPA4K), RMP_OK, 0, 2);
	assert_int_equal(t->reads, 3);
	give(t, 0x1400000, 0x600000, true, true);
	t->reads = 0;
	struct rmp_access a = priv(0x1400000 + 0x123000, 0x600000 + 0x123000);
	a.large = true;
	expect(t, a, RMP_OK, 0, 1);
	assert_int_equal(t->reads, 1);
}

static void test_names(void **state)
{
	(void)state;
	static const char *const faults[] = { "ok", "rmp.pf", "rmp.npf", "rmp.npf_sizem",
					      "rmp.npf_vmpl", "rmp.vc", "rmp.table" };
	for (unsigned f = RMP_OK; f <= RMP_FAULT_TABLE; f++)
		assert_string_equal(rmp_fault_name((enum rmp_fault)f), faults[f]);
	assert_string_equal(rmp_status_name(RMP_FAIL_SIZEMISMATCH), "fail_sizemismatch");
	assert_string_equal(rmp_status_name((enum rmp_status)5), "?");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* APM 15.36.4: the RMP verdict is cached with the translation, so every
 * RMPUPDATE asks for a TLB flush. A guest whose TLB entry was filled while
 * the page was its own keeps using it after the host reassigns the page,
 * until the flush; then the check runs again and faults. */
static void test_stale_tlb_after_rmpupdate(void **state)
{
	struct t *t = *state;
	struct sim s;
	struct tlb tlb;
	const struct tlb_config tc = { 16, 4, 1 };
	const struct tlb_tag tag = { .world = 1, .vmid = 1, .asid = ASID };
	sim_init(&s, 1, 1000000000);
	assert_int_equal(tlb_init(&tlb, &s, "tlb", &tc), 0);
	give(t, SPA4K, GPA4K, false, true);
	struct rmp_access a = priv(SPA4K, GPA4K);
	assert_int_equal(rmp_check(&t->cfg, &t->io, &a).fault, RMP_OK);
	struct pt_walk_result w = { .va = GPA4K, .gpa = GPA4K, .pa = SPA4K, .page_shift = 12,
				    .perms = PT_PERM_ALL };
	tlb_fill(&tlb, &tag, &w, 1 /* RMP verdict: OK */);
	/* The host takes the page back: RMPUPDATE to hypervisor-owned. */
	struct rmp_entry none = { 0 };
	struct rmp_op_result op = rmp_update(&t->cfg, &t->io, SPA4K, &none);
	assert_int_equal(op.status, RMP_SUCCESS);
	assert_true(op.tlb_flush);
	/* Flush skipped: the guest's cached translation still grants access. */
	const struct tlb_entry *e = tlb_lookup(&tlb, &tag, GPA4K, NULL);
	assert_non_null(e);
	assert_int_equal(e->acl, 1);
	assert_int_equal(tlb_entry_pa(e, GPA4K), SPA4K);
	/* The flush RMPUPDATE demands: the next access re-checks and faults. */
	assert_int_equal(tlb_inval_asid(&tlb, 1, 1, ASID), 1);
	assert_null(tlb_lookup(&tlb, &tag, GPA4K, NULL));
	assert_int_equal(rmp_check(&t->cfg, &t->io, &a).fault, RMP_NPF_RMP);
	sim_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stale_tlb_after_rmpupdate, setup, teardown),
		T(test_entry_layout),
		T(test_config_check),
		T(test_rmp_protects_itself),
		T(test_host_write_to_assigned_faults),
		T(test_private_access_owner_checks),
		T(test_shared_access),
		T(test_size_mismatch),
		T(test_unvalidated_raises_vc),
		T(test_vmpl_permissions),
		T(test_priority_pairs),
		T(test_check_names_the_rule),
		T(test_beyond_coverage),
		T(test_unreadable_table),
		T(test_update_clears_validated),
		T(test_update_overlap),
		T(test_psmash_keeps_validated),
		T(test_pvalidate_codes_and_cf),
		T(test_rmpadjust_privilege),
		T(test_reads_counted),
		T(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
