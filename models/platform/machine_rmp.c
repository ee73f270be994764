/* AMD SEV-SNP's RMP on the machine: the table read and written through the
 * caches in time order (host and firmware instructions at the LLC, a core's
 * checks through its table walker's L1D / L2), the TLB shootdowns RMP
 * updates trigger, and the check of an access or a TLB fill; see
 * machine.h. */
#include <errno.h>
#include <string.h>

#include "models/platform/machine.h"
#include "models/platform/machine_priv.h"

/* RMP table accesses go through the LLC. An offset context (an RMP check
 * inside a core's access) issues them at sim_time + its running offset and
 * leaves the present alone; a blocking one (the host's and the firmware's
 * RMP instructions) issues each at the present and moves it past it, so
 * dependent accesses follow each other rather than queue at one cycle. */
static uint64_t rmp_off_begin(const struct machine_rmp_ctx *c)
{
	return c->mode == MACHINE_RMP_BLOCKING ? 0 : c->cycles;
}

static void rmp_off_end(struct machine_rmp_ctx *c, uint64_t t0, uint64_t off)
{
	if (c->mode == MACHINE_RMP_BLOCKING)
		machine_op_done(c->m, t0, off, &c->cycles);
	else
		c->cycles = off;
}


static int rmp_rw(struct machine_rmp_ctx *c, uint64_t pa, void *buf, size_t len, bool write)
{
	struct machine *m = c->m;
	/* The table is stored in plaintext: the processor and the AMD-SP read
	 * and write it with no key (AMD's SNP firmware reads entries with its
	 * plaintext copy, C-bit clear; Linux maps the e820-reserved table
	 * decrypted, arch/x86/virt/svm/sev.c + arch/x86/mm/ioremap.c
	 * memremap_should_map_decrypted). So whoever reaches its cells, through
	 * a DRAM alias say, reads and writes entries as they are (De
	 * Meulemeester et al., "BadRAM", IEEE S&P 2025: the RMP "is left
	 * unencrypted"). */
	unsigned key = machine_plain_slot(m);
	if (c->mode == MACHINE_RMP_UNTIMED) { /* straight to DRAM, taking no time */
		uint64_t ignored = 0;
		m->enc.untimed = true;
		int rc = machine_dram_raw(m, key, pa, buf, len, write, &ignored);
		m->enc.untimed = false;
		return rc;
	}
	uint8_t *p = buf;
	uint64_t t0 = sim_time(m->sim), off = rmp_off_begin(c);
	int rc = 0;
	/* A check inside a core's access is made by its table walker, whose
	 * reads go through the core's L1D (and L2) like the walk's own table
	 * reads, as hardware caches RMP entries there (Bagia et al., "A Close
	 * Look at RMP Entry Caching and Its Security Implications in SEV-SNP",
	 * 2025: found in the TLB, the L1D and the L2), and train the
	 * prefetcher like any load; the host's and the firmware's RMP
	 * instructions work at the LLC (rmp_write_cb keeps the private caches
	 * coherent). */
	struct cache *via = &m->llc;
	if (c->mode == MACHINE_RMP_OFFSET && !write && c->core < m->cfg.cores) {
		via = &m->l1[c->core];
		via->walker = true;
		m->port.demand_load = true;
	}
	while (len && !rc) {
		size_t chunk = 64 - (pa & 63);
		if (chunk > len)
			chunk = len;
		rc = write ? cache_write(&m->llc, key, pa, p, chunk, &off)
			   : cache_read(via, key, pa, p, chunk, &off);
		pa += chunk;
		p += chunk;
		len -= chunk;
	}
	via->walker = false;
	rmp_off_end(c, t0, off);
	return rc;
}

static int rmp_read_cb(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct machine_rmp_ctx *c = ctx;
	c->m->stat_rmp_reads++;
	return rmp_rw(c, pa, buf, len, false);
}

/* A TLB shootdown: every core's TLB loses what `match` selects (all its
 * entries, or those of one page), at the cost of a broadcast invalidation
 * and its completion (INVLPGB + TLBSYNC). */
static void tlb_shootdown(struct machine *m, bool all, uint64_t pa, uint64_t *cycles)
{
	for (unsigned k = 0; k < m->cfg.cores; k++)
		if (all)
			tlb_inval_all(&m->tlb[k]);
		else
			tlb_inval_pa(&m->tlb[k], pa & ~0xfffull, 0x1000);
	*cycles += m->cfg.tlb_shootdown_cycles;
}

static int rmp_write_cb(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	struct machine_rmp_ctx *c = ctx;
	struct machine *m = c->m;
	m->inv_rmp_writes++;
	/* the private caches may hold stale copies of the table line */
	uint64_t t0 = sim_time(m->sim), off = rmp_off_begin(c);
	for (unsigned k = 0; k < m->cfg.cores; k++)
		if (machine_priv_clean_inval_pa(m, k, pa & ~63ull, &off))
			return -EIO;
	rmp_off_end(c, t0, off);
	int rc = rmp_rw(c, pa, (void *)buf, len, true);
	/* Every RMP update triggers a global TLB flush on every core, so no
	 * translation keeps a verdict the table no longer gives (Bagia et al.,
	 * "A Close Look at RMP Entry Caching and Its Security Implications in
	 * SEV-SNP", 2025; Linux issues no invalidation after RMPUPDATE,
	 * arch/x86/virt/svm/sev.c). Only needed while a TLB caches one. */
	if (!rc && m->cfg.rmp_tlb_coherent) {
		bool cached = false;
		for (unsigned k = 0; k < m->cfg.cores; k++)
			cached |= m->tlb[k].acl_entries != 0;
		if (cached) {
			m->stat_rmp_tlb_flushes++;
			t0 = sim_time(m->sim);
			off = rmp_off_begin(c);
			tlb_shootdown(m, true, 0, &off);
			rmp_off_end(c, t0, off);
		}
	}
	return rc;
}

void machine_tlb_shootdown_page(struct machine *m, uint64_t pa, uint64_t *cycles)
{
	m->stat_tlb_shootdowns++;
	sim_trace_emit(m->sim, TRACE_NOTE, m->src, pa, 0, 0, 0, "tlb.shootdown", 13);
	tlb_shootdown(m, false, pa, cycles);
}

struct rmp_io machine_rmp_io_of(struct machine_rmp_ctx *c)
{
	return (struct rmp_io){ rmp_read_cb, rmp_write_cb, c };
}

struct rmp_io machine_rmp_io(struct machine *m)
{
	/* The context lives in the machine so callers can hold the io. */
	m->rmp_io_ctx.m = m;
	m->rmp_io_ctx.mode = MACHINE_RMP_BLOCKING;
	return machine_rmp_io_of(&m->rmp_io_ctx);
}

uint16_t machine_rmp_fault_kind(enum rmp_fault f)
{
	static const uint16_t kind[] = {
		[RMP_PF_HOST] = FAULT_RMP_PF, [RMP_NPF_RMP] = FAULT_RMP_NPF, [RMP_NPF_SIZEM] = FAULT_RMP_NPF,
		[RMP_NPF_VMPL] = FAULT_RMP_NPF, [RMP_VC_UNVALIDATED] = FAULT_RMP_VC,
		[RMP_FAULT_TABLE] = FAULT_BUS_RANGE,
	};
	return (unsigned)f < sizeof(kind) / sizeof(kind[0]) ? kind[f] : FAULT_BUS_RANGE;
}

static struct rmp_access rmp_access_of(const struct mem_access *a)
{
	return (struct rmp_access){
		/* device DMA is a host access unless a trusted device (SEV-TIO)
		 * makes it as the guest: then it names the guest's ASID and GPA */
		.spa = a->pa, .write = a->write, .host = !a->guest, .asid = a->asid,
		.gpa = a->gpa, .private_ = a->priv, .vmpl = a->vmpl,
	};
}

/* An RMP verdict as the fault an access takes: 0, or 1 with *f filled. */
static int rmp_fault_record(struct machine *m, const struct mem_access *a,
			    const struct rmp_result *rr, struct cc_fault *f)
{
	const struct rmp_result r = *rr;
	if (r.fault == RMP_OK)
		return 0;
	f->kind = machine_rmp_fault_kind(r.fault);
	f->code = (uint8_t)r.fault;
	f->addr = a->pa;
	m->stat_rmp_faults++;
	struct rmp_access ra = rmp_access_of(a);
	uint8_t raw[RMP_ENTRY_BYTES];
	rmp_entry_encode(&r.entry, raw);
	sim_trace_emit(m->sim, TRACE_RMP_FAULT, a->src, a->pa, a->gpa,
		       rmp_access_word(&ra) | (a->dma ? RMP_ACC_DMA : 0), r.check, raw, sizeof(raw));
	return 1;
}

/* The SNP reverse-map check of one access (APM 15.36) the master's TLB has
 * not cached: device DMA (a host access: the IOMMU applies the same rules),
 * table walks, masters without a TLB. Returns 0 or 1 (fault). */
int machine_rmp_fault_check(struct machine *m, const struct mem_access *a, struct cc_fault *f,
			   uint64_t *cycles)
{
	if (!rmp_covers(&m->rmp, a->pa, a->len))
		return 0;
	/* The hypervisor's reads are not checked (only its writes are: APM
	 * vol. 2 15.36.10; AMD's RMPOPT series, LKML 2026: "Hypervisor and
	 * non-SNP guests: writes are RMP-checked"), so its walks of the nested
	 * tables read no RMP entry. A device's reads are (the IOMMU's rule). */
	if (!a->guest && !a->write && !a->dma)
		return 0;
	struct machine_rmp_ctx c = { m, *cycles, MACHINE_RMP_OFFSET, a->core };
	struct rmp_io io = machine_rmp_io_of(&c);
	struct rmp_access ra = rmp_access_of(a);
	m->stat_rmp_checks++;
	struct rmp_result r = rmp_check(&m->rmp, &io, &ra);
	*cycles = c.cycles;
	return rmp_fault_record(m, a, &r, f);
}

/* The RMP check a TLB fill makes and caches (APM vol. 2 15.36.10: the
 * check is part of the table walk; the result lives in the TLB until an
 * invalidation): one lookup, the read and write verdicts. */
uint32_t machine_rmp_fill_check(void *ctx, const struct mem_access *a, struct cc_fault *f,
				   uint64_t *cycles)
{
	struct machine *m = ctx;
	if (!rmp_covers(&m->rmp, a->pa & ~0xfffull, 0x1000))
		return BUS_ACL_CACHED | BUS_ACL_READ | BUS_ACL_WRITE; /* nothing to check */
	struct machine_rmp_ctx c = { m, *cycles, MACHINE_RMP_OFFSET, a->core };
	struct rmp_io io = machine_rmp_io_of(&c);
	struct rmp_access ra = rmp_access_of(a);
	struct rmp_result rd, wr;
	m->stat_rmp_checks++;
	rmp_check_rw(&m->rmp, &io, &ra, &rd, &wr);
	*cycles = c.cycles;
	if (rd.fault == RMP_FAULT_TABLE) { /* nothing to cache */
		(void)rmp_fault_record(m, a, &rd, f);
		return 0;
	}
	(void)rmp_fault_record(m, a, a->write ? &wr : &rd, f);
	return BUS_ACL_CACHED | (rd.fault == RMP_OK ? BUS_ACL_READ : 0) |
	       (wr.fault == RMP_OK ? BUS_ACL_WRITE : 0);
}

unsigned machine_rmp_slot(const struct machine *m)
{
	return memenc_key_valid(&m->enc, m->plain_slot) ? m->plain_slot : machine_key_slot(m, PAS_NS);
}

int machine_rmp_peek(struct machine *m, uint64_t spa, uint8_t raw[16])
{
	if (!m->cfg.rmp || !rmp_covers(&m->rmp, spa, 1))
		return -EINVAL;
	return machine_peek(m, machine_rmp_slot(m), rmp_entry_pa(&m->rmp, spa), raw, RMP_ENTRY_BYTES);
}

int machine_rmp_entry_rw(struct machine *m, uint64_t spa, uint8_t raw[16], bool write,
			 uint64_t *cycles)
{
	if (!m->cfg.rmp || rmp_config_check(&m->rmp) || !rmp_covers(&m->rmp, spa, 1))
		return -EINVAL;
	struct rmp_io io = machine_rmp_io(m);
	uint64_t t0 = sim_time(m->sim);
	uint64_t pa = rmp_entry_pa(&m->rmp, spa);
	int rc = write ? io.write(io.ctx, pa, raw, RMP_ENTRY_BYTES) : io.read(io.ctx, pa, raw, RMP_ENTRY_BYTES);
	*cycles += sim_time(m->sim) - t0;
	return rc;
}
