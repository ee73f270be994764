/* Arm RME on the machine: the Granule Protection Table in Root memory
 * (read and written through the LLC, as EL3 firmware does), its layout at
 * start-up, the GPC's table walk for the memory path, and the EL3 services
 * the RMM calls to move a granule between PASes; see machine.h. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/mmu/gpt.h"
#include "models/platform/machine.h"
#include "models/platform/machine_priv.h"
#include "sim/buf.h"

struct gpt_io {
	struct machine *m;
	uint64_t cycles;
};

static int gpt_read64(void *ctx, uint64_t pa, uint64_t *val)
{
	struct gpt_io *io = ctx;
	uint8_t b[8];
	io->m->stat_gpt_reads++;
	int rc = cache_read(&io->m->llc, machine_key_slot(io->m, PAS_ROOT), pa, b, 8, &io->cycles);
	*val = sim_le64_load(b);
	return rc;
}

static int gpt_write64(void *ctx, uint64_t pa, uint64_t val)
{
	struct gpt_io *io = ctx;
	uint8_t b[8];
	sim_le64_store(b, val);
	/* The private caches above may hold a stale copy of the descriptor
	 * line: GPT updates are followed by cache maintenance in EL3 firmware,
	 * which we model by cleaning the line from them first. */
	int rc = 0;
	for (unsigned c = 0; c < io->m->cfg.cores && rc == 0; c++)
		rc = machine_priv_clean_inval_pa(io->m, c, pa & ~63ull, &io->cycles);
	if (rc == 0)
		rc = cache_write(&io->m->llc, machine_key_slot(io->m, PAS_ROOT), pa, b, 8, &io->cycles);
	return rc;
}

static unsigned pps_encoding(uint64_t bits)
{
	static const uint8_t b[] = { 32, 36, 40, 42, 44, 48, 52 };
	for (unsigned i = 0; i < sizeof(b); i++)
		if (b[i] == bits)
			return i;
	return 7;
}

int machine_gpt_build(struct machine *m, char *err, size_t errlen)
{
	const struct platform_config *c = &m->cfg;
	struct gpt_io io = { m, 0 };
	struct gpc_reader rd = { gpt_read64, &io };
	struct gpc_writer wr = { gpt_write64, &io };
	m->gpc = (struct gpc_config){
		.enabled = true,
		.pps = (uint8_t)pps_encoding(c->gpc_pps_bits),
		/* GPCCR_EL3.PGS: 4KB 0b00, 64KB 0b01, 16KB 0b10 (Arm ARM D9.2) */
		.pgs = c->gpc_pgs == 4096 ? 0 : c->gpc_pgs == 65536 ? 1 : 2,
		.l0gptsz = (uint8_t)(c->gpc_l0gptsz_bits - 30),
		.pa_bits = (uint8_t)c->pa_bits,
		.gptbr = c->gpt_base >> 12,
	};
	uint64_t end = c->delegable_base + c->delegable_size;
	uint64_t l1_len = gpt_l1_table_size(&m->gpc) *
			  ((end - 1) / (1ull << c->gpc_l0gptsz_bits) - c->delegable_base / (1ull << c->gpc_l0gptsz_bits) + 1);
	struct { uint64_t base, len; } root[2] = {
		{ c->gpt_base, gpt_l0_table_size(&m->gpc) }, { c->gpt_l1_base, l1_len },
	};
	/* Firmware zeroes the tables with whole-line stores before writing
	 * descriptors: under an integrity-checking engine a partial write would
	 * first read a line no Root key ever wrote. */
	static const uint8_t zero[64];
	for (int i = 0; i < 2; i++)
		for (uint64_t pa = root[i].base & ~63ull; pa < root[i].base + root[i].len; pa += 64)
			if (cache_write(&m->llc, machine_key_slot(m, PAS_ROOT), pa, zero, 64, &io.cycles)) {
				snprintf(err, errlen, "%s: cannot initialise the GPT at 0x%llx", c->name,
					 (unsigned long long)pa);
				return -1;
			}
	int rc = gpt_build(&m->gpc, &wr, GPI_NS, c->gpt_l1_base, c->delegable_base, end, GPI_NS);
	if (rc) {
		snprintf(err, errlen, "%s: cannot lay out the GPT (gpc.* keys): %s", c->name, strerror(-rc));
		return -1;
	}
	/* The tables themselves are Root memory. */
	for (int i = 0; i < 2; i++)
		for (uint64_t pa = root[i].base & ~(c->gpc_pgs - 1); pa < root[i].base + root[i].len;
		     pa += c->gpc_pgs) {
			uint8_t old;
			if (!machine_pa_delegable(m, pa)) {
				snprintf(err, errlen, "%s: GPT at 0x%llx is outside the L1-mapped range "
					 "(gpc.delegable_base/size)", c->name, (unsigned long long)pa);
				return -1;
			}
			rc = gpt_set_gpi(&m->gpc, &rd, &wr, pa, GPI_ROOT, &old);
			if (rc) {
				snprintf(err, errlen, "%s: cannot make the GPT Root: %s", c->name, strerror(-rc));
				return -1;
			}
		}
	return 0;
}

struct gpc_result machine_gpt_check(struct machine *m, uint64_t pa, enum cc_pas pas,
				    enum cc_world world, uint64_t *cycles)
{
	struct gpt_io io = { m, 0 };
	struct gpc_reader rd = { gpt_read64, &io };
	struct gpc_result r = gpc_check(&m->gpc, &rd, pa, pas, world);
	*cycles += io.cycles;
	return r;
}

static int gpt_peek64(void *ctx, uint64_t pa, uint64_t *val)
{
	struct machine *m = ctx;
	uint8_t b[8];
	int rc = machine_peek(m, machine_key_slot(m, PAS_ROOT), pa, b, 8);
	*val = sim_le64_load(b);
	return rc;
}

struct gpc_result machine_gpt_peek_check(struct machine *m, uint64_t pa, enum cc_pas pas,
					 enum cc_world world)
{
	struct gpc_reader rd = { gpt_peek64, m };
	return gpc_check(&m->gpc, &rd, pa, pas, world);
}

bool machine_pa_delegable(const struct machine *m, uint64_t pa)
{
	return m->cfg.gpc && pa >= m->cfg.delegable_base &&
	       pa - m->cfg.delegable_base < m->cfg.delegable_size;
}

/* DC CIPAPA over one granule, every level (clean + invalidate to PoPA). */
static int clean_granule(struct machine *m, uint64_t pa, uint64_t *cycles)
{
	return machine_clflush(m, pa, m->cfg.gpc_pgs, cycles);
}

static int gpt_change(struct machine *m, uint64_t pa, uint8_t expect, uint8_t gpi, uint64_t *cycles)
{
	struct gpt_io io = { m, 0 };
	struct gpc_reader rd = { gpt_read64, &io };
	struct gpc_writer wr = { gpt_write64, &io };
	uint8_t old;
	int rc = gpt_get_gpi(&m->gpc, &rd, pa, &old);
	if (rc == 0 && old != expect)
		rc = -EPERM;
	if (rc == 0)
		rc = gpt_set_gpi(&m->gpc, &rd, &wr, pa, gpi, &old);
	*cycles += io.cycles;
	if (rc == 0) {
		m->stat_gpt_changes++;
		if (m->inv_gpt_log)
			g_array_append_val(m->inv_gpt_log, pa);
		trace_GPT_SET(m->sim, m->src, pa, old, gpi, 0);
		/* DSB; TLBI RPALOS; DSB: drop GPT information cached in TLBs.
		 * A profile can leave it out to replay the missing-invalidation bug. */
		if (m->cfg.el3_tlbi) {
			m->stat_tlbi++;
			*cycles += m->cfg.tlbi_cycles;
			gpc_cache_inval_range(&m->gpc_tlb, pa, m->cfg.gpc_pgs);
			for (unsigned c = 0; c < m->cfg.cores; c++)
				tlb_inval_pa(&m->tlb[c], pa, m->cfg.gpc_pgs);
			trace_TLBI_PA(m->sim, m->src, pa, m->cfg.gpc_pgs, 0, 0);
		}
	}
	return rc;
}

int machine_el3_delegate(struct machine *m, uint64_t pa, uint64_t *cycles)
{
	/* TF-A gpt_delegate_pas: clean the NS copies, NS -> Realm, TLBI,
	 * clean again so no line of either PAS survives the change. */
	if (!machine_pa_delegable(m, pa))
		return -EINVAL;
	*cycles += m->cfg.smc_cycles;
	uint8_t gpi;
	int rc = machine_gpi(m, pa, &gpi);
	if (rc == 0 && gpi != GPI_NS)
		return -EPERM;
	rc = rc ? rc : clean_granule(m, pa, cycles);
	rc = rc ? rc : gpt_change(m, pa, GPI_NS, GPI_REALM, cycles);
	return rc ? rc : clean_granule(m, pa, cycles);
}

int machine_el3_undelegate(struct machine *m, uint64_t pa, uint64_t *cycles)
{
	/* TF-A gpt_undelegate_pas: Realm -> no access, clean the Realm copies,
	 * then no access -> NS. */
	if (!machine_pa_delegable(m, pa))
		return -EINVAL;
	*cycles += m->cfg.smc_cycles;
	int rc = gpt_change(m, pa, GPI_REALM, GPI_NO_ACCESS, cycles);
	rc = rc ? rc : clean_granule(m, pa, cycles);
	return rc ? rc : gpt_change(m, pa, GPI_NO_ACCESS, GPI_NS, cycles);
}

int machine_gpi(struct machine *m, uint64_t pa, uint8_t *gpi)
{
	struct gpt_io io = { m, 0 };
	struct gpc_reader rd = { gpt_read64, &io };
	if (!m->cfg.gpc)
		return -ENODEV;
	return gpt_get_gpi(&m->gpc, &rd, pa, gpi);
}
