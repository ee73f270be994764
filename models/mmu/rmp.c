/* SEV-SNP RMP: entry format, table geometry and the RMP check of one access
 * (AMD64 APM vol. 2, 15.36.10 "RMP and VMPL Access Checks", 15.36.11 "Large
 * Page Management"); see rmp.h. The table operations are in rmp_ops.c.
 * KVM (arch/x86/kvm/svm/sev.c) cites 15.36.11 for large-page RMP faults; the
 * other section numbers are as recalled and shift between APM revisions. */
#include "models/mmu/rmp.h"

#include <assert.h>
#include <errno.h>

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void rmp_entry_encode(const struct rmp_entry *e, uint8_t raw[RMP_ENTRY_BYTES])
{
	assert(e->asid < RMP_ASID_LIMIT);
	uint64_t lo = (e->assigned ? RMP_LO_ASSIGNED : 0) | (e->size_2m ? RMP_LO_PAGESIZE : 0) |
		      (e->immutable ? RMP_LO_IMMUTABLE : 0) | (e->gpa & RMP_LO_GPA_MASK) |
		      (uint64_t)e->asid << RMP_LO_ASID_SHIFT | (e->vmsa ? RMP_LO_VMSA : 0) |
		      (e->validated ? RMP_LO_VALIDATED : 0);
	uint64_t hi = 0;
	for (int v = 0; v < RMP_VMPLS; v++)
		hi |= (uint64_t)e->vmpl_perm[v] << (8 * v);
	put64(raw, lo);
	put64(raw + 8, hi);
}

void rmp_entry_decode(const uint8_t raw[RMP_ENTRY_BYTES], struct rmp_entry *e)
{
	uint64_t lo = get64(raw), hi = get64(raw + 8);
	*e = (struct rmp_entry){
		.assigned = lo & RMP_LO_ASSIGNED,
		.size_2m = lo & RMP_LO_PAGESIZE,
		.immutable = lo & RMP_LO_IMMUTABLE,
		.validated = lo & RMP_LO_VALIDATED,
		.vmsa = lo & RMP_LO_VMSA,
		.gpa = lo & RMP_LO_GPA_MASK,
		.asid = (uint32_t)(lo >> RMP_LO_ASID_SHIFT) & (RMP_ASID_LIMIT - 1),
	};
	for (int v = 0; v < RMP_VMPLS; v++)
		e->vmpl_perm[v] = (uint8_t)(hi >> (8 * v));
}

int rmp_config_check(const struct rmp_config *cfg)
{
	/* RMP_BASE and RMP_END + 1 8KB aligned, room for the bookkeeping area and
	 * at least one entry (Linux amd-memory-encryption.rst). */
	if (cfg->end == UINT64_MAX || (cfg->base | (cfg->end + 1)) & (RMP_MSR_ALIGN - 1))
		return -EINVAL;
	if (cfg->end < cfg->base || cfg->end + 1 - cfg->base <= RMP_BOOKKEEPING)
		return -EINVAL;
	/* The table must cover all of RAM (Linux snp_rmptable_init refuses SNP
	 * otherwise) and itself, or it could not protect its own pages. */
	uint64_t top = rmp_covered_top(cfg);
	if (cfg->mem_top > top || cfg->end >= top)
		return -EINVAL;
	return 0;
}

int rmp_entry_read(const struct rmp_config *cfg, const struct rmp_io *io, uint64_t spa,
		   struct rmp_entry *e)
{
	uint8_t raw[RMP_ENTRY_BYTES];
	if (rmp_config_check(cfg) || !rmp_covers(cfg, spa, 1))
		return -EINVAL;
	int err = io->read(io->ctx, rmp_entry_pa(cfg, spa), raw, sizeof(raw));
	if (err) {
		assert(err < 0);
		*e = (struct rmp_entry){ 0 };
		return err;
	}
	rmp_entry_decode(raw, e);
	return 0;
}

int rmp_entry_write(const struct rmp_config *cfg, const struct rmp_io *io, uint64_t spa,
		    const struct rmp_entry *e)
{
	uint8_t raw[RMP_ENTRY_BYTES];
	if (rmp_config_check(cfg) || !rmp_covers(cfg, spa, 1))
		return -EINVAL;
	rmp_entry_encode(e, raw);
	int err = io->write(io->ctx, rmp_entry_pa(cfg, spa), raw, sizeof(raw));
	assert(err <= 0);
	return err;
}

struct rmp_lookup rmp_lookup(const struct rmp_config *cfg, const struct rmp_io *io, uint64_t spa)
{
	struct rmp_lookup l = { .entry_spa = spa & ~(RMP_PAGE_2M - 1) };

	assert(!rmp_config_check(cfg) && rmp_covers(cfg, spa, 1));
	/* 15.36.11: the 2MB-aligned entry says whether its region is one 2MB page. */
	l.reads++;
	l.err = rmp_entry_read(cfg, io, l.entry_spa, &l.entry);
	if (l.err || l.entry.size_2m)
		return l;
	uint64_t page = spa & ~(RMP_PAGE_4K - 1);
	if (page == l.entry_spa)
		return l;
	l.entry_spa = page;
	l.reads++;
	l.err = rmp_entry_read(cfg, io, page, &l.entry);
	return l;
}

static struct rmp_result deny(struct rmp_result r, enum rmp_check c, uint64_t error_code)
{
	r.fault = rmp_check_fault(c);
	r.check = c;
	r.error_code = error_code;
	return r;
}

/* The #NPF error code bits any RMP-check #NPF of this guest access carries. */
static uint64_t npf_base(const struct rmp_access *a, uint8_t needed)
{
	return RMP_ERR_P | RMP_ERR_U | RMP_ERR_FINAL | RMP_ERR_RMP | (a->write ? RMP_ERR_W : 0) |
	       ((needed & (RMP_PERM_XU | RMP_PERM_XS)) ? RMP_ERR_ID : 0) |
	       (a->private_ ? RMP_ERR_ENC : 0);
}

/* The table lookup of rmp_check: the authoritative entry (r->entry, reads),
 * whether spa has one, and whether it maps the access's GPA. false: the
 * table could not be read (r says RMP_FAULT_TABLE). */
static bool check_lookup(const struct rmp_config *cfg, const struct rmp_io *io,
			 const struct rmp_access *a, struct rmp_result *r, bool *in_table,
			 bool *gpa_ok)
{
	*r = (struct rmp_result){ .fault = RMP_OK };
	*in_table = *gpa_ok = false;
	if (rmp_config_check(cfg)) {
		*r = deny(*r, RMP_CHK_TABLE, 0);
		return false;
	}
	/* Memory the table has no entry for (beyond RAM, e.g. MMIO) is treated as
	 * hypervisor-owned: no read, shared and host accesses pass, private ones
	 * fail below as accesses to a non-assigned page. */
	*in_table = rmp_covers(cfg, a->spa, 1);
	if (*in_table) {
		struct rmp_lookup l = rmp_lookup(cfg, io, a->spa);
		r->reads = l.reads;
		if (l.err) {
			*r = deny(*r, RMP_CHK_TABLE, 0);
			return false;
		}
		r->entry = l.entry;
		/* A 2MB entry holds the GPA of its first page. */
		uint64_t page = a->spa & ~(RMP_PAGE_4K - 1);
		*gpa_ok = l.entry.gpa + (page - l.entry_spa) == (a->gpa & ~(RMP_PAGE_4K - 1));
	}
	return true;
}

/* The decision of rmp_check on the entry check_lookup found. */
static struct rmp_result check_decide(struct rmp_result r, bool in_table, bool gpa_ok,
				      const struct rmp_access *a)
{
	const struct rmp_entry *e = &r.entry;

	if (a->host) {
		/* 15.36.10: hypervisor writes need a hypervisor-owned page, else #PF
		 * with the RMP bit. Reads of guest pages pass (and see ciphertext). */
		if (a->write && e->assigned)
			return deny(r, RMP_CHK_HOST_WRITE, RMP_ERR_P | RMP_ERR_W | RMP_ERR_RMP);
		return r;
	}

	assert(a->vmpl < RMP_VMPLS);
	uint8_t needed = a->perm_needed | (a->write ? RMP_PERM_W : 0);
	if (!needed)
		needed = RMP_PERM_R;
	uint64_t npf = npf_base(a, needed);
	if (!a->private_) {
		/* 15.36.10: a shared (C-bit 0) guest access needs a hypervisor-owned page. */
		if (e->assigned)
			return deny(r, RMP_CHK_SHARED, npf);
		return r;
	}
	/* 15.36.10, private access, in priority order: the page must be assigned
	 * to this ASID at this GPA and not immutable ... */
	if (!in_table)
		return deny(r, RMP_CHK_NO_ENTRY, npf);
	if (!e->assigned)
		return deny(r, RMP_CHK_NOT_ASSIGNED, npf);
	if (e->immutable)
		return deny(r, RMP_CHK_IMMUTABLE, npf);
	if (e->asid != a->asid)
		return deny(r, RMP_CHK_ASID, npf);
	if (!gpa_ok)
		return deny(r, RMP_CHK_GPA, npf);
	/* ... the nested page size must equal the RMP page size (15.36.11: a 2MB
	 * nested page over 4KB entries, or a 4KB nested page inside a 2MB entry) ... */
	if (a->large != e->size_2m)
		return deny(r, RMP_CHK_SIZE, npf | RMP_ERR_SIZEM);
	/* ... the guest must have validated it (#VC, not #NPF) ... */
	if (!e->validated)
		return deny(r, RMP_CHK_NOT_VALIDATED, RMP_VC_PAGE_NOT_VALIDATED);
	/* ... and the VMPL must hold every permission the access needs. */
	if ((e->vmpl_perm[a->vmpl] & needed) != needed)
		return deny(r, RMP_CHK_VMPL, npf | RMP_ERR_VMPL);
	return r;
}

struct rmp_result rmp_check(const struct rmp_config *cfg, const struct rmp_io *io,
			    const struct rmp_access *a)
{
	struct rmp_result r;
	bool in_table, gpa_ok;
	if (!check_lookup(cfg, io, a, &r, &in_table, &gpa_ok))
		return r;
	return check_decide(r, in_table, gpa_ok, a);
}

void rmp_check_rw(const struct rmp_config *cfg, const struct rmp_io *io,
		  const struct rmp_access *a, struct rmp_result *rd, struct rmp_result *wr)
{
	struct rmp_result r;
	bool in_table, gpa_ok;
	if (!check_lookup(cfg, io, a, &r, &in_table, &gpa_ok)) {
		*rd = *wr = r;
		return;
	}
	struct rmp_access x = *a;
	x.write = false;
	*rd = check_decide(r, in_table, gpa_ok, &x);
	x.write = true;
	*wr = check_decide(r, in_table, gpa_ok, &x);
}

const char *rmp_fault_name(enum rmp_fault f)
{
	static const char *const n[] = {
		[RMP_OK] = "ok",
		[RMP_PF_HOST] = "rmp.pf",
		[RMP_NPF_RMP] = "rmp.npf",
		[RMP_NPF_SIZEM] = "rmp.npf_sizem",
		[RMP_NPF_VMPL] = "rmp.npf_vmpl",
		[RMP_VC_UNVALIDATED] = "rmp.vc",
		[RMP_FAULT_TABLE] = "rmp.table",
	};
	return (unsigned)f < sizeof(n) / sizeof(n[0]) ? n[f] : "?";
}

enum rmp_fault rmp_check_fault(enum rmp_check c)
{
	static const enum rmp_fault f[RMP_CHK_COUNT] = {
		[RMP_CHK_NONE] = RMP_OK, [RMP_CHK_HOST_WRITE] = RMP_PF_HOST,
		[RMP_CHK_SHARED] = RMP_NPF_RMP, [RMP_CHK_NO_ENTRY] = RMP_NPF_RMP,
		[RMP_CHK_NOT_ASSIGNED] = RMP_NPF_RMP, [RMP_CHK_IMMUTABLE] = RMP_NPF_RMP,
		[RMP_CHK_ASID] = RMP_NPF_RMP, [RMP_CHK_GPA] = RMP_NPF_RMP,
		[RMP_CHK_SIZE] = RMP_NPF_SIZEM, [RMP_CHK_NOT_VALIDATED] = RMP_VC_UNVALIDATED,
		[RMP_CHK_VMPL] = RMP_NPF_VMPL, [RMP_CHK_TABLE] = RMP_FAULT_TABLE,
	};
	return (unsigned)c < RMP_CHK_COUNT ? f[c] : RMP_FAULT_TABLE;
}

const char *rmp_check_name(enum rmp_check c)
{
	static const char *const n[RMP_CHK_COUNT] = {
		[RMP_CHK_NONE] = "none", [RMP_CHK_HOST_WRITE] = "host_write",
		[RMP_CHK_SHARED] = "shared", [RMP_CHK_NO_ENTRY] = "no_entry",
		[RMP_CHK_NOT_ASSIGNED] = "not_assigned", [RMP_CHK_IMMUTABLE] = "immutable",
		[RMP_CHK_ASID] = "asid", [RMP_CHK_GPA] = "gpa", [RMP_CHK_SIZE] = "size",
		[RMP_CHK_NOT_VALIDATED] = "not_validated", [RMP_CHK_VMPL] = "vmpl",
		[RMP_CHK_TABLE] = "table",
	};
	return (unsigned)c < RMP_CHK_COUNT ? n[c] : "?";
}

const char *rmp_status_name(enum rmp_status s)
{
	static const char *const n[] = {
		[RMP_SUCCESS] = "success",
		[RMP_FAIL_INPUT] = "fail_input",
		[RMP_FAIL_PERMISSION] = "fail_permission",
		[RMP_FAIL_INUSE] = "fail_inuse",
		[RMP_FAIL_OVERLAP] = "fail_overlap",
		[RMP_FAIL_SIZEMISMATCH] = "fail_sizemismatch",
		[RMP_FAIL_BADADDR] = "fail_badaddr",
	};
	const char *s_name = (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : NULL;
	return s_name ? s_name : "?";
}
