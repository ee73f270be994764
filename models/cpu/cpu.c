/* vCPU model: loads, stores and SMCs through the bus port; see cpu.h. */
#include "models/cpu/cpu.h"

#include <errno.h>
#include <string.h>

static const struct sim_field cpu_fields[] = {
	SIM_FIELD(struct cpu, world),
	SIM_FIELD(struct cpu, el),
	SIM_FIELD(struct cpu, key),
	SIM_FIELD(struct cpu, core),
	SIM_FIELD(struct cpu, guest),
	SIM_FIELD(struct cpu, asid), SIM_FIELD(struct cpu, sev),
	SIM_FIELD(struct cpu, vmpl),
	SIM_FIELD(struct cpu, cycles),
	SIM_FIELD(struct cpu, stat_loads),
	SIM_FIELD(struct cpu, stat_stores),
	SIM_FIELD(struct cpu, stat_smcs),
	SIM_FIELD(struct cpu, stat_faults),
	SIM_FIELD(struct cpu, stat_load_cycles),
	SIM_FIELD(struct cpu, stat_store_cycles),
	SIM_FIELD(struct cpu, stat_smc_cycles),
	SIM_FIELD(struct cpu, paging),
	SIM_FIELD(struct cpu, pt.s1.root),
	SIM_FIELD(struct cpu, pt.s1.root_hi),
	SIM_FIELD(struct cpu, pt.s2.root),
	SIM_FIELD(struct cpu, pt.s2_shared_root),
	SIM_FIELD(struct cpu, tag.vmid),
	SIM_FIELD(struct cpu, tag.asid),
	SIM_FIELD(struct cpu, stat_walks),
	SIM_FIELD(struct cpu, stat_walk_refs),
	SIM_FIELD(struct cpu, stat_walk_cycles),
};
static const struct sim_vmstate cpu_vmstate = { "cpu", 3, cpu_fields,
						 sizeof(cpu_fields) / sizeof(cpu_fields[0]) };

static void cpu_reset(struct sim_model *m)
{
	struct cpu *c = (struct cpu *)m;
	c->cycles = 0;
}

static const struct sim_model_ops cpu_ops = { .reset = cpu_reset };

void cpu_init(struct cpu *c, struct sim *s, const char *name, struct bus_port bus,
	      enum cc_world world, unsigned el)
{
	memset(c, 0, sizeof(*c));
	c->base.name = name;
	c->base.kind = "cpu";
	c->base.ops = &cpu_ops;
	c->base.vmstate = &cpu_vmstate;
	c->bus = bus;
	c->world = world;
	c->el = el;
	c->key = -1;
	c->tag.world = (uint8_t)world;
	c->s2_pas = cc_world_pas(world);
	c->s2_key = -1;
	sim_model_register(s, &c->base);
	c->src = sim_trace_source(s, name);
#define ST(f, n, k, d) SIM_STAT_DEF(struct cpu, f, n, k, d)
	static const struct sim_stat_def stats[] = {
		ST(stat_loads, "loads", SIM_STAT_COUNT, "load ops"),
		ST(stat_stores, "stores", SIM_STAT_COUNT, "store ops"),
		ST(stat_smcs, "smcs", SIM_STAT_COUNT, "monitor calls"),
		ST(stat_faults, "faults", SIM_STAT_COUNT, "ops that faulted"),
		ST(stat_load_cycles, "load_cycles", SIM_STAT_CYCLES, "cycles spent in loads"),
		ST(stat_store_cycles, "store_cycles", SIM_STAT_CYCLES, "cycles spent in stores"),
		ST(stat_smc_cycles, "smc_cycles", SIM_STAT_CYCLES, "cycles spent in monitor calls"),
		ST(cycles, "cycles", SIM_STAT_CYCLES, "busy cycles"),
		ST(stat_walks, "walks", SIM_STAT_COUNT, "page-table walks"),
		ST(stat_walk_refs, "walk_refs", SIM_STAT_COUNT, "table reads of page-table walks"),
		ST(stat_walk_cycles, "walk_cycles", SIM_STAT_CYCLES, "cycles spent in page-table walks"),
	};
#undef ST
	sim_stat_register_table(s, name, c, stats, sizeof(stats) / sizeof(stats[0]));
}

/* The bookkeeping after an access: counters, and a guest's RMP fault
 * reported by GPA, as the #NPF's EXITINFO2 names it (APM vol. 2
 * 15.36.10). */
static inline int access_done(struct cpu *c, const struct mem_access *a, int rc, uint64_t spent,
			      struct cc_fault *fault, uint64_t *cycles)
{
	if (a->write) {
		c->stat_stores++;
		c->stat_store_cycles += spent;
	} else {
		c->stat_loads++;
		c->stat_load_cycles += spent;
	}
	if (__builtin_expect(rc == 1, 0)) {
		c->stat_faults++;
		if (a->guest && (fault->kind == FAULT_RMP_NPF || fault->kind == FAULT_RMP_VC))
			fault->addr = a->gpa;
	}
	c->cycles += spent;
	*cycles = spent;
	return rc;
}

/* The fill-time checks (AMD RMP) of an untranslated access's page, cached
 * in an identity entry of the core's TLB as the host's direct map or a
 * vm's nested mapping would cache them: 0 (a->checked if they are), or 1
 * with the fault. The entry matches the page, the GPA it was checked for
 * and whether the access was private. */
static int phys_fill_check(struct cpu *c, struct mem_access *a, struct cc_fault *fault,
			   uint64_t *cycles)
{
	struct tlb_tag tag = { .world = (uint8_t)c->world, .asid = TLB_ASID_PHYS,
			       .vmid = (uint16_t)(c->asid | c->vmpl << 10 | c->guest << 12) };
	uint8_t attrs = a->priv ? PT_ATTR_CBIT : 0;
	const struct tlb_entry *e = tlb_lookup_4k(c->tlb, &tag, a->gpa);
	if (e && e->pa == (a->pa & ~0xfffull) && e->attrs == attrs && bus_acl_allows(e->acl, a->write)) {
		a->checked = true;
		return 0;
	}
	/* a miss, or the cached verdict does not grant it: check the table now */
	uint32_t acl = bus_fill_check(&c->bus, a, fault, cycles);
	if (fault->kind != FAULT_NONE)
		return 1;
	if (acl) {
		struct pt_walk_result r = { .va = a->gpa, .gpa = a->gpa, .pa = a->pa, .page_shift = 12,
					    .perms = PT_PERM_ALL, .attrs = attrs };
		tlb_fill(c->tlb, &tag, &r, acl);
		a->checked = true;
	}
	return 0;
}

/* Does this master cache fill-time checks for its untranslated accesses? */
static inline bool phys_checks(const struct cpu *c, bool translated)
{
	return !translated && c->tlb && bus_has_fill_checks(&c->bus);
}

/* An access that crosses lines: one bus access per line, stopping at the
 * first fault. Out of line, so the one-line path stays small. */
static __attribute__((noinline)) int access_split(struct cpu *c, struct mem_access *a, uint64_t pa,
						  uint64_t gpa, uint8_t *p, uint32_t len,
						  bool translated, struct cc_fault *fault,
						  uint64_t *cycles)
{
	uint64_t spent = 0;
	int rc = 0;
	while (len && rc == 0) {
		uint32_t chunk = 64 - (uint32_t)(pa & 63);
		if (chunk > len)
			chunk = len;
		a->pa = pa;
		a->gpa = gpa;
		a->len = chunk;
		a->checked = translated && a->checked;
		if (phys_checks(c, translated))
			rc = phys_fill_check(c, a, fault, &spent);
		if (rc == 0)
			rc = bus_access(&c->bus, a, p, fault, &spent);
		pa += chunk;
		gpa += chunk;
		p += chunk;
		len -= chunk;
	}
	return access_done(c, a, rc, spent, fault, cycles);
}

/* One access at `pa` (gpa to the guest), split into line accesses;
 * `checked`: a translation this master's TLB holds carried the page's
 * fill-time verdicts (see cpu_translate_ex), NULL: an untranslated access. */
static int access_pa(struct cpu *c, enum cc_pas pas, bool write, uint64_t pa, uint64_t gpa,
		     bool priv, const bool *checked, bool nt, void *buf, uint32_t len,
		     struct cc_fault *fault, uint64_t *cycles)
{
	if (!cc_world_may_use_pas(c->world, pas))
		return -EPERM;
	fault->kind = FAULT_NONE;
	struct mem_access a = {
		.pa = pa, .gpa = gpa, .len = len,
		.write = write, .world = c->world, .pas = pas, .el = (uint8_t)c->el, .src = c->src,
		/* a guest's shared (C-bit clear) access uses the host's key, slot 0 */
		.key = c->guest && !priv ? 0 : c->key, .mecid = (uint16_t)c->mecid,
		.core = (uint8_t)c->core,
		.guest = c->guest != 0, .priv = priv,
		.vmpl = (uint8_t)c->vmpl, .asid = c->asid, .checked = checked && *checked, .nt = nt,
	};
	if (__builtin_expect(!len || (pa & 63) + len > 64, 0))
		return access_split(c, &a, pa, gpa, buf, len, checked != NULL, fault, cycles);
	uint64_t spent = 0;
	int rc = phys_checks(c, checked != NULL) ? phys_fill_check(c, &a, fault, &spent) : 0;
	if (rc == 0)
		rc = bus_access(&c->bus, &a, buf, fault, &spent);
	return access_done(c, &a, rc, spent, fault, cycles);
}

/* A blocking agent's operation that started at t0 and took `spent`: its
 * next one starts after it (cpu_exec times its own). */
static inline void blocking_done(struct cpu *c, uint64_t t0, uint64_t spent)
{
	if (!c->in_exec)
		sim_set_time(c->base.sim, t0 + spent);
}

int cpu_access(struct cpu *c, enum cc_pas pas, bool write, uint64_t pa, uint64_t gpa, bool priv,
	       void *buf, uint32_t len, struct cc_fault *fault, uint64_t *cycles)
{
	uint64_t t0 = sim_time(c->base.sim);
	int rc = access_pa(c, pas, write, pa, gpa, priv, NULL, false, buf, len, fault, cycles);
	blocking_done(c, t0, *cycles);
	return rc;
}

void cpu_smc(struct cpu *c, uint64_t regs[SMC_REGS], uint64_t *cycles)
{
	uint64_t spent = 0, t0 = sim_time(c->base.sim);
	bus_smc(&c->bus, c->world, (uint8_t)c->el, regs, &spent);
	blocking_done(c, t0, spent);
	c->stat_smcs++;
	c->stat_smc_cycles += spent;
	c->cycles += spent;
	*cycles = spent;
}

/* --- translation --- */

/* A table read is a checked physical access: stage 1 tables in the CPU's own
 * PAS under its own key (a guest's tables are encrypted with its key), stage
 * 2 tables in s2_pas under the key that PAS selects (the host's, or the
 * RMM's for a realm's RTT). An SEV guest's table reads are private guest
 * accesses (APM vol. 2 15.34.5: guest page tables are always private), so
 * on SNP the RMP checks them against the GPA the walk knows them by, and a
 * violation is the guest's #NPF (15.36.10), kept in walk_fault. */
static int walk_read64(void *ctx, uint64_t pa, uint64_t ipa, bool stage2, uint64_t *val,
		       uint64_t *cycles)
{
	struct cpu *c = ctx;
	struct cc_fault f;
	uint8_t b[8];
	bool guest = c->guest && !stage2;
	bool priv_s2 = stage2 && c->s2_key >= 0 &&
		       !(c->pt.shared_bit && ((ipa >> c->pt.shared_bit) & 1));
	struct mem_access a = {
		.pa = pa, .len = 8, .world = c->world,
		.pas = stage2 ? (enum cc_pas)c->s2_pas : cc_world_pas(c->world),
		.el = (uint8_t)c->el, .src = c->src,
		.key = stage2 ? (priv_s2 ? c->s2_key : -1) : c->key,
		.mecid = (uint16_t)c->mecid, .core = (uint8_t)c->core,
		.guest = guest, .priv = guest, .gpa = ipa, .asid = c->asid, .vmpl = (uint8_t)c->vmpl,
		/* a guest table page whose nested TLB entry carries the RMP
		 * verdict is not checked again (as a TLB entry's is not) */
		.checked = guest && c->tlb && c->tlb->walk.read_checked,
		.walk = true,
	};
	if ((pa & 63) + 8 > 64)
		return -EINVAL;
	int rc = bus_access(&c->bus, &a, b, &f, cycles);
	if (rc > 0 && guest && (f.kind == FAULT_RMP_NPF || f.kind == FAULT_RMP_VC)) {
		f.addr = ipa;
		c->walk_fault = f;
	}
	/* a table read that consumes poison (an integrity failure) is a
	 * machine check, not a translation fault */
	if (rc > 0 && f.kind == FAULT_POISON)
		c->walk_fault = f;
	if (rc)
		return rc > 0 ? -EFAULT : rc;
	*val = sim_le64_load(b);
	return 0;
}

/* The fill-time checks (AMD RMP) of a walk's output page, made as the walk
 * completes and cached with the translation (APM vol. 2 15.36.10): 0 with
 * *acl, or 1 with the fault the access takes (a guest's #NPF names its GPA,
 * as EXITINFO2 does). A large page is not cached with them: its accesses
 * are checked one by one. */
static int walk_fill_check(struct cpu *c, const struct pt_walk_result *r, unsigned acc, bool priv,
			   uint32_t *acl, struct cc_fault *fault, uint64_t *cycles)
{
	*acl = 0;
	if (!bus_has_fill_checks(&c->bus) || r->page_shift != 12)
		return 0;
	struct mem_access a = {
		.pa = r->pa, .gpa = r->gpa, .len = 1, .write = (acc & PT_ACC_WRITE) != 0,
		.world = c->world, .pas = cc_world_pas(c->world), .el = (uint8_t)c->el, .src = c->src,
		.core = (uint8_t)c->core, .guest = c->guest != 0, .priv = priv,
		.vmpl = (uint8_t)c->vmpl, .asid = c->asid,
	};
	fault->kind = FAULT_NONE;
	*acl = bus_fill_check(&c->bus, &a, fault, cycles);
	if (fault->kind == FAULT_NONE)
		return 0;
	if (a.guest && (fault->kind == FAULT_RMP_NPF || fault->kind == FAULT_RMP_VC))
		fault->addr = r->gpa;
	return 1;
}

/* As cpu_translate, also giving the stage-1 output (the GPA), whether the
 * guest marked the page private, and whether the entry carries the
 * platform's fill-time verdicts (*checked: the access needs no other). */
static int cpu_translate_ex(struct cpu *c, uint64_t va, unsigned acc, bool fill_checks,
			    uint64_t *pa, uint64_t *gpa, bool *priv, uint8_t *attrs, bool *checked,
			    struct cc_fault *fault, uint64_t *cycles)
{
	*attrs = 0;
	*checked = false;
	if (!c->paging) {
		*pa = *gpa = va;
		*priv = true;
		return 0;
	}
	const struct tlb_entry *e = c->tlb ? tlb_lookup(c->tlb, &c->tag, va, cycles) : NULL;
	if (e && pt_perm_allows(e->perms, acc) &&
	    (!e->acl || bus_acl_allows(e->acl, (acc & PT_ACC_WRITE) != 0))) {
		*pa = tlb_entry_pa(e, va);
		*gpa = e->gpa | (va & ((1ull << e->page_shift) - 1));
		struct pt_walk_result fake = { .attrs = e->attrs };
		*priv = c->pt.s1.cbit || c->pt.shared_bit ? pt_result_private(&c->pt, &fake) : true;
		*attrs = e->attrs;
		*checked = e->acl != 0;
		return 0;
	}
	/* A miss, or a cached entry without the right: walk (a permission
	 * fault is decided on the current tables, as hardware re-walks). */
	struct pt_io io = { walk_read64, c, c->tlb ? &c->tlb->walk : NULL };
	c->walk_fault.kind = FAULT_NONE;
	struct pt_walk_result r = pt_translate(&c->pt, &io, va, acc);
	c->stat_walks++;
	c->stat_walk_refs += r.refs;
	c->stat_walk_cycles += r.cycles;
	*cycles += r.cycles;
	if (r.fault == PT_FAULT_EXT_ABORT && c->walk_fault.kind != FAULT_NONE) {
		*fault = c->walk_fault; /* the RMP refused a table read (#NPF), or it was poisoned (#MC) */
		return 1;
	}
	if (r.fault != PT_OK) {
		fault->kind = r.stage == 2 ? FAULT_MMU_S2 : FAULT_MMU_S1;
		fault->code = (uint8_t)r.fault;
		fault->level = r.level;
		fault->addr = r.fault_addr;
		return 1;
	}
	*priv = c->pt.s1.cbit || c->pt.shared_bit ? pt_result_private(&c->pt, &r) : true;
	uint32_t acl = 0;
	if (fill_checks && walk_fill_check(c, &r, acc, *priv, &acl, fault, cycles))
		return 1;
	if (c->tlb)
		tlb_fill(c->tlb, &c->tag, &r, acl);
	*pa = r.pa;
	*gpa = r.gpa;
	*attrs = r.attrs;
	*checked = acl != 0;
	return 0;
}

int cpu_translate(struct cpu *c, uint64_t va, unsigned acc, uint64_t *pa, struct cc_fault *fault,
		  uint64_t *cycles)
{
	uint64_t gpa, t0 = sim_time(c->base.sim), spent = 0;
	bool priv, checked;
	uint8_t attrs;
	int rc = cpu_translate_ex(c, va, acc, true, pa, &gpa, &priv, &attrs, &checked, fault, &spent);
	blocking_done(c, t0, spent);
	*cycles += spent;
	return rc;
}

int cpu_translate_gpa(struct cpu *c, uint64_t va, unsigned acc, uint64_t *pa, uint64_t *gpa,
		      struct cc_fault *fault, uint64_t *cycles)
{
	uint64_t t0 = sim_time(c->base.sim), spent = 0;
	bool priv, checked;
	uint8_t attrs;
	int rc = cpu_translate_ex(c, va, acc, false, pa, gpa, &priv, &attrs, &checked, fault, &spent);
	blocking_done(c, t0, spent);
	*cycles += spent;
	return rc;
}

static int access_va(struct cpu *c, bool write, bool nt, uint64_t va, uint8_t *buf, uint32_t len,
		     struct cc_fault *fault, uint64_t *cycles)
{
	uint64_t spent = 0;
	int rc = 0;
	fault->kind = FAULT_NONE;
	while (len && rc == 0) {
		uint32_t chunk = 4096 - (uint32_t)(va & 4095);
		uint64_t pa, step = 0;
		if (chunk > len)
			chunk = len;
		unsigned acc = (write ? PT_ACC_WRITE : PT_ACC_READ) | (c->el == 0 ? PT_ACC_USER : 0);
		bool priv = true, checked;
		uint64_t gpa = va;
		uint8_t attrs;
		rc = cpu_translate_ex(c, va, acc, true, &pa, &gpa, &priv, &attrs, &checked, fault, &spent);
		if (rc == 0) {
			/* FEAT_RME: a Realm stage 2 leaf with NS = 1 outputs to the NS PAS
			 * (a realm's unprotected IPA mapped to host memory). With paging
			 * off the access is untranslated (no TLB entry carries it). */
			enum cc_pas pas = (attrs & PT_ATTR_NS) ? PAS_NS : cc_world_pas(c->world);
			rc = access_pa(c, pas, write, pa, gpa, priv, c->paging ? &checked : NULL, nt,
				       buf, chunk, fault, &step);
			spent += step;
			c->cycles -= step; /* cpu_access already counted it; counted once below */
		} else if (rc == 1) {
			c->stat_faults++;
		}
		va += chunk;
		buf += chunk;
		len -= chunk;
	}
	c->cycles += spent;
	*cycles = spent;
	return rc;
}

int cpu_load_va(struct cpu *c, uint64_t va, void *buf, uint32_t len, struct cc_fault *fault,
		uint64_t *cycles)
{
	uint64_t t0 = sim_time(c->base.sim);
	int rc = access_va(c, false, false, va, buf, len, fault, cycles);
	blocking_done(c, t0, *cycles);
	return rc;
}

int cpu_store_va(struct cpu *c, uint64_t va, const void *buf, uint32_t len,
		 struct cc_fault *fault, uint64_t *cycles)
{
	uint64_t t0 = sim_time(c->base.sim);
	int rc = access_va(c, true, false, va, (uint8_t *)buf, len, fault, cycles);
	blocking_done(c, t0, *cycles);
	return rc;
}

int cpu_store_nt_va(struct cpu *c, uint64_t va, const void *line, struct cc_fault *fault,
		    uint64_t *cycles)
{
	if (va & 63)
		return -EINVAL;
	uint64_t t0 = sim_time(c->base.sim);
	int rc = access_va(c, true, true, va, (uint8_t *)line, 64, fault, cycles);
	blocking_done(c, t0, *cycles);
	return rc;
}
