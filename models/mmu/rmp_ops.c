/* SEV-SNP RMP table operations: RMPUPDATE and PSMASH (hypervisor), PVALIDATE
 * and RMPADJUST (guest), as functions over the table in simulated memory,
 * with the return codes of their AMD64 APM vol. 3 instruction pages; plus the
 * firmware's table initialisation. See rmp.h. Privilege checks that raise
 * #UD/#GP (CPL, SNP enabled, ASID 0 for the hypervisor ones) belong to the
 * CPU model. */
#include "models/mmu/rmp.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

static struct rmp_op_result op_status(struct rmp_op_result o, enum rmp_status s)
{
	o.status = s;
	o.fault.reads = o.reads;
	return o;
}

static struct rmp_op_result op_fault(struct rmp_op_result o, enum rmp_fault f, uint64_t error_code)
{
	o.fault.fault = f;
	o.fault.error_code = error_code;
	o.fault.reads = o.reads;
	return o;
}

/* Entry reads and writes of one operation, counted; false (with the fault
 * set) when the platform could not reach the table. */
static bool op_read(const struct rmp_config *cfg, const struct rmp_io *io, struct rmp_op_result *o,
		    uint64_t spa, struct rmp_entry *e)
{
	o->reads++;
	if (!rmp_entry_read(cfg, io, spa, e))
		return true;
	*o = op_fault(*o, RMP_FAULT_TABLE, 0);
	return false;
}

static bool op_write(const struct rmp_config *cfg, const struct rmp_io *io, struct rmp_op_result *o,
		     uint64_t spa, const struct rmp_entry *e)
{
	o->writes++;
	if (!rmp_entry_write(cfg, io, spa, e))
		return true;
	*o = op_fault(*o, RMP_FAULT_TABLE, 0);
	return false;
}

struct rmp_op_result rmp_update(const struct rmp_config *cfg, const struct rmp_io *io,
				uint64_t spa, const struct rmp_entry *new)
{
	struct rmp_op_result o = { .status = RMP_SUCCESS };

	if (rmp_config_check(cfg))
		return op_fault(o, RMP_FAULT_TABLE, 0);
	/* FAIL_INPUT: SPA not aligned to the new page size or without entries,
	 * an ASID or GPA the entry cannot hold, or a hypervisor-owned entry that
	 * names an owner (Assigned = 0 means ASID 0, GPA 0, not Immutable). */
	uint64_t size = new->size_2m ? RMP_PAGE_2M : RMP_PAGE_4K;
	if ((spa & (size - 1)) || !rmp_covers(cfg, spa, size) || new->asid >= RMP_ASID_LIMIT ||
	    (new->gpa & ~RMP_LO_GPA_MASK) || (new->gpa & (size - 1)) ||
	    (!new->assigned && (new->asid || new->gpa || new->immutable)))
		return op_status(o, RMP_FAIL_INPUT);

	uint64_t head_spa = spa & ~(RMP_PAGE_2M - 1);
	struct rmp_entry head, cur;
	if (!op_read(cfg, io, &o, head_spa, &head))
		return o;
	cur = head;
	if (spa != head_spa && !op_read(cfg, io, &o, spa, &cur))
		return o;
	/* FAIL_PERMISSION: Immutable entries belong to the firmware; a 2MB entry
	 * speaks for every page of its region. */
	if (cur.immutable || (head.size_2m && head.immutable))
		return op_status(o, RMP_FAIL_PERMISSION);
	/* FAIL_OVERLAP: a 4KB entry inside a 2MB entry's region, or a 2MB entry
	 * over assigned 4KB entries (15.36.11). */
	if (spa != head_spa && head.size_2m)
		return op_status(o, RMP_FAIL_OVERLAP);
	if (new->size_2m) {
		for (uint64_t p = spa + RMP_PAGE_4K; p < spa + RMP_PAGE_2M; p += RMP_PAGE_4K) {
			struct rmp_entry sub;
			if (!op_read(cfg, io, &o, p, &sub))
				return o;
			if (sub.assigned)
				return op_status(o, RMP_FAIL_OVERLAP);
		}
	}
	/* The new entry: Validated and VMSA clear; VMPL0 may do everything, the
	 * other VMPLs nothing until VMPL0 grants it with RMPADJUST. */
	struct rmp_entry next = {
		.assigned = new->assigned,
		.size_2m = new->size_2m,
		.immutable = new->immutable,
		.gpa = new->gpa,
		.asid = new->asid,
	};
	if (new->assigned)
		next.vmpl_perm[0] = RMP_PERM_ALL;
	/* † A guest's page made immutable with its owner, GPA and size kept
	 * keeps Validated, VMSA and the VMPL masks: Guest-Valid -> Pre-Swap.
	 * An inference: SNP_PAGE_SWAP_OUT takes a Pre-Swap source and records
	 * its Validated bit for SWAP_IN to restore (AMD-ASPFW sev_mcmd.c
	 * snp_mcmd_swap_out), and no firmware command makes a Guest-Valid page
	 * immutable, so the hypervisor's RMPUPDATE must. */
	if (cur.assigned && !cur.immutable && new->assigned && new->immutable && cur.asid &&
	    cur.asid == new->asid && cur.gpa == new->gpa && cur.size_2m == new->size_2m) {
		next.validated = cur.validated;
		next.vmsa = cur.vmsa;
		memcpy(next.vmpl_perm, cur.vmpl_perm, sizeof(next.vmpl_perm));
	}
	if (!op_write(cfg, io, &o, spa, &next))
		return o;
	o.tlb_flush = true; /* RMP changes require a TLB flush */
	return op_status(o, RMP_SUCCESS);
}

struct rmp_op_result rmp_psmash(const struct rmp_config *cfg, const struct rmp_io *io,
				uint64_t spa)
{
	struct rmp_op_result o = { .status = RMP_SUCCESS };

	if (rmp_config_check(cfg))
		return op_fault(o, RMP_FAULT_TABLE, 0);
	if ((spa & (RMP_PAGE_2M - 1)) || !rmp_covers(cfg, spa, RMP_PAGE_2M))
		return op_status(o, RMP_FAIL_INPUT);
	struct rmp_entry head;
	if (!op_read(cfg, io, &o, spa, &head))
		return o;
	/* FAIL_BADADDR: "the page doesn't meet the requirements for expansion" —
	 * it is not an assigned 2MB entry (Linux sees 7 when the entry is 4KB). */
	if (!head.size_2m || !head.assigned)
		return op_status(o, RMP_FAIL_BADADDR);
	if (head.immutable)
		return op_status(o, RMP_FAIL_PERMISSION);
	/* 512 4KB entries with the 2MB entry's state, Validated and permissions
	 * included, each at its own GPA; the head last, since it is what turns
	 * the region into 4KB pages. */
	for (unsigned i = RMP_PAGE_2M / RMP_PAGE_4K; i-- > 0;) {
		struct rmp_entry e = head;
		e.size_2m = false;
		e.gpa = head.gpa + i * RMP_PAGE_4K;
		if (!op_write(cfg, io, &o, spa + i * RMP_PAGE_4K, &e))
			return o;
	}
	o.tlb_flush = true;
	return op_status(o, RMP_SUCCESS);
}

/* The RMP checks PVALIDATE and RMPADJUST make on the page they name, as for a
 * private access: #NPF(RMP) unless it is this guest's, at this GPA and not
 * Immutable; #NPF(RMP, SIZEM) for a 4KB request inside a 2MB entry (KVM
 * answers with PSMASH; a 2MB request over 4KB entries is FAIL_SIZEMISMATCH
 * instead, which Linux guests answer by retrying in 4KB pages). */
static bool guest_page_lookup(const struct rmp_config *cfg, const struct rmp_io *io,
			      struct rmp_op_result *o, const struct rmp_guest_page *pg,
			      struct rmp_lookup *l)
{
	const uint64_t npf = RMP_ERR_P | RMP_ERR_U | RMP_ERR_RMP | RMP_ERR_ENC;
	if (!rmp_covers(cfg, pg->spa, 1)) { /* hypervisor-owned, as in rmp_check */
		*o = op_fault(*o, RMP_NPF_RMP, npf);
		return false;
	}
	*l = rmp_lookup(cfg, io, pg->spa);
	o->reads += l->reads;
	o->fault.entry = l->entry;
	if (l->err) {
		*o = op_fault(*o, RMP_FAULT_TABLE, 0);
		return false;
	}
	const struct rmp_entry *e = &l->entry;
	uint64_t page = pg->spa & ~(RMP_PAGE_4K - 1);
	bool gpa_ok = e->gpa + (page - l->entry_spa) == (pg->gpa & ~(RMP_PAGE_4K - 1));
	if (!e->assigned || e->immutable || e->asid != pg->asid || !gpa_ok) {
		*o = op_fault(*o, RMP_NPF_RMP, npf);
		return false;
	}
	if (e->size_2m && !pg->size_2m) {
		*o = op_fault(*o, RMP_NPF_SIZEM, npf | RMP_ERR_SIZEM);
		return false;
	}
	return true;
}

static bool misaligned_2m(const struct rmp_guest_page *pg)
{
	return pg->size_2m && ((pg->spa | pg->gpa) & (RMP_PAGE_2M - 1));
}

struct rmp_op_result rmp_pvalidate(const struct rmp_config *cfg, const struct rmp_io *io,
				   const struct rmp_guest_page *pg, bool validate)
{
	struct rmp_op_result o = { .status = RMP_SUCCESS };
	struct rmp_lookup l;

	if (rmp_config_check(cfg))
		return op_fault(o, RMP_FAULT_TABLE, 0);
	if (misaligned_2m(pg))
		return op_status(o, RMP_FAIL_INPUT);
	/* Only VMPL0 validates; lower VMPLs ask an SVSM to (VeriSMo's model of
	 * the APM pseudocode returns FAIL_PERMISSION here). */
	if (pg->vmpl != 0)
		return op_status(o, RMP_FAIL_PERMISSION);
	if (!guest_page_lookup(cfg, io, &o, pg, &l))
		return o;
	if (!l.entry.size_2m && pg->size_2m)
		return op_status(o, RMP_FAIL_SIZEMISMATCH); /* CF = 0 on failure */
	if (l.entry.validated == validate) {
		o.cf = true; /* success with nothing to change: rFLAGS.CF = 1 */
		return op_status(o, RMP_SUCCESS);
	}
	l.entry.validated = validate;
	if (!op_write(cfg, io, &o, l.entry_spa, &l.entry))
		return o;
	o.fault.entry = l.entry;
	o.tlb_flush = true;
	return op_status(o, RMP_SUCCESS);
}

struct rmp_op_result rmp_adjust(const struct rmp_config *cfg, const struct rmp_io *io,
				const struct rmp_guest_page *pg, uint8_t target_vmpl, uint8_t perms,
				bool vmsa)
{
	struct rmp_op_result o = { .status = RMP_SUCCESS };
	struct rmp_lookup l;

	if (rmp_config_check(cfg))
		return op_fault(o, RMP_FAULT_TABLE, 0);
	assert(pg->vmpl < RMP_VMPLS);
	if (target_vmpl >= RMP_VMPLS || (perms & ~RMP_PERM_ALL) || misaligned_2m(pg))
		return op_status(o, RMP_FAIL_INPUT);
	/* Only for a less privileged (numerically higher) VMPL. */
	if (target_vmpl <= pg->vmpl)
		return op_status(o, RMP_FAIL_PERMISSION);
	if (!guest_page_lookup(cfg, io, &o, pg, &l))
		return o;
	if (!l.entry.validated)
		return op_fault(o, RMP_VC_UNVALIDATED, RMP_VC_PAGE_NOT_VALIDATED);
	if (!l.entry.size_2m && pg->size_2m)
		return op_status(o, RMP_FAIL_SIZEMISMATCH);
	/* Never beyond what the caller's own VMPL holds. */
	if (perms & ~l.entry.vmpl_perm[pg->vmpl])
		return op_status(o, RMP_FAIL_PERMISSION);
	l.entry.vmpl_perm[target_vmpl] = perms;
	if (pg->vmpl == 0) /* the VMSA bit is ignored below VMPL0 (edk2 SevSnpRmpAdjust) */
		l.entry.vmsa = vmsa;
	if (!op_write(cfg, io, &o, l.entry_spa, &l.entry))
		return o;
	o.fault.entry = l.entry;
	o.tlb_flush = true;
	return op_status(o, RMP_SUCCESS);
}

int rmp_init_table(const struct rmp_config *cfg, const struct rmp_io *io)
{
	static const uint8_t zero[RMP_PAGE_4K];

	if (rmp_config_check(cfg))
		return -EINVAL;
	for (uint64_t pa = cfg->base; pa <= cfg->end; pa += sizeof(zero)) {
		uint64_t left = cfg->end + 1 - pa;
		int err = io->write(io->ctx, pa, zero, left < sizeof(zero) ? left : sizeof(zero));
		if (err)
			return err;
	}
	/* The table's own pages (base and end + 1 are page aligned) become
	 * firmware-owned: host writes to them then take an RMP #PF. */
	const struct rmp_entry fw = { .assigned = true, .immutable = true };
	for (uint64_t pa = cfg->base; pa <= cfg->end; pa += RMP_PAGE_4K) {
		int err = rmp_entry_write(cfg, io, pa, &fw);
		if (err)
			return err;
	}
	return 0;
}
