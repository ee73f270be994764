/* The SNP firmware as a machine model; see snp_psp.h. */
#include "models/monitor/snp/snp_psp.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/memenc/memenc.h"
#include "models/platform/machine.h"

/* Page contents through the memory controller (machine_dram_access):
 * the hypervisor flushes first (KVM's sev_clflush_pages) for the firmware
 * to see what it wrote. Host key (slot 0) unless a command sets another. */
static int psp_mem(struct snp_psp *p, uint64_t pa, uint8_t *buf, size_t len, bool write)
{
	uint64_t cycles = 0;
	int rc = machine_dram_access(p->m, p->mem_key, pa, buf, len, write, &cycles);
	p->mem_cycles += cycles;
	return rc;
}

static int psp_mem_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	return psp_mem(ctx, pa, buf, len, false);
}

static int psp_mem_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	return psp_mem(ctx, pa, (uint8_t *)buf, len, true);
}

/* The firmware's RMP accesses go through the machine's (blocking) path; the
 * time they take is the firmware's, which the host waiting on the command
 * sees in mem_cycles. */
static int psp_rmp(struct snp_psp *p, uint64_t pa, void *buf, size_t len, bool write)
{
	struct rmp_io io = machine_rmp_io(p->m);
	uint64_t c0 = p->m->rmp_io_ctx.cycles;
	int rc = write ? io.write(io.ctx, pa, buf, len) : io.read(io.ctx, pa, buf, len);
	p->mem_cycles += p->m->rmp_io_ctx.cycles - c0;
	return rc;
}

static int psp_rmp_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	return psp_rmp(ctx, pa, buf, len, false);
}

static int psp_rmp_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	return psp_rmp(ctx, pa, (void *)buf, len, true);
}

/* The firmware's own pages (guest contexts) at the memory controller under
 * its own key, as AMD's firmware maps them through its inline AES engine
 * (AMD-ASPFW sev_hal.c sev_hal_map_guest_context: INLINE_AES_KEY0_SEL).
 * That key stays the same from one guest to the next (BadRAM's
 * guest_context_replay: a new guest's context page at the old one's address
 * takes the old ciphertext). Its mode is not published; that old ciphertext
 * decrypts at the same address but (the proof of concept pins the address)
 * perhaps not at another fits the engine's XTS, which ccsim uses for it. */
static int psp_ctx_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct snp_psp *p = ctx;
	uint64_t cycles = 0;
	int rc = machine_dram_access(p->m, machine_fw_slot(p->m), pa, buf, len, false, &cycles);
	p->mem_cycles += cycles;
	return rc;
}

static int psp_ctx_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	struct snp_psp *p = ctx;
	uint64_t cycles = 0;
	int rc = machine_dram_access(p->m, machine_fw_slot(p->m), pa, (void *)buf, len, true, &cycles);
	p->mem_cycles += cycles;
	return rc;
}

/* The key the firmware's next page accesses use: a guest's ASID or the
 * hypervisor's 0 (the swap commands read one and write the other). */
static void psp_mem_key(void *ctx, uint32_t asid)
{
	((struct snp_psp *)ctx)->mem_key = asid;
}

/* The alias check of the BadRAM mitigation, over the DIMMs' decoding. */
static bool psp_aliased(void *ctx, uint64_t lo, uint64_t hi)
{
	struct snp_psp *p = ctx;
	return mem_decoder_aliases(&p->m->mem, lo, hi);
}

static const struct sim_field psp_fields[] = {
	SIM_FIELD(struct snp_psp, stat_cmds), SIM_FIELD(struct snp_psp, stat_errors),
	SIM_FIELD(struct snp_psp, mem_cycles), SIM_FIELD(struct snp_psp, wbinvd_at_decommission),
};
static const struct sim_vmstate psp_vmstate = { "snp", 3, psp_fields, G_N_ELEMENTS(psp_fields) };

/* The firmware's mutable state: platform state, its record of the guests,
 * ASID gate (the guests' own state is in their context pages, in DRAM). */
static int psp_save(const struct sim_model *mm, struct sim_buf *out)
{
	const struct snp_fw *fw = &((const struct snp_psp *)mm)->fw;
	sim_buf_put_u64(out, fw->state);
	sim_buf_put_u64(out, fw->cfg.rmp_preinitialized);
	sim_buf_put_u64(out, fw->alias_check_complete);
	sim_buf_put(out, fw->guests, sizeof(fw->guests));
	sim_buf_put(out, fw->asid_flush_pending, sizeof(fw->asid_flush_pending));
	sim_buf_put_u64(out, fw->df_flush_required);
	sim_buf_put_u64(out, fw->df_flushes);
	return 0;
}

static int psp_restore(struct sim_model *mm, struct sim_reader *in)
{
	struct snp_fw *fw = &((struct snp_psp *)mm)->fw;
	uint64_t st = sim_reader_u64(in);
	fw->cfg.rmp_preinitialized = sim_reader_u64(in) != 0;
	fw->alias_check_complete = sim_reader_u64(in) != 0;
	if (st > SNP_PLATFORM_INIT || !sim_reader_get(in, fw->guests, sizeof(fw->guests)) ||
	    !sim_reader_get(in, fw->asid_flush_pending, sizeof(fw->asid_flush_pending)))
		return -EINVAL;
	fw->state = (enum snp_platform_state)st;
	fw->df_flush_required = sim_reader_u64(in) != 0;
	fw->df_flushes = sim_reader_u64(in);
	return 0;
}

static void psp_destroy(struct sim_model *mm)
{
	g_free(mm);
}

static const struct sim_model_ops psp_ops = {
	.save_extra = psp_save, .restore_extra = psp_restore, .destroy = psp_destroy,
};

struct snp_psp *snp_psp_create(struct sim *s, struct machine *m)
{
	if (!m->cfg.rmp)
		return NULL;
	struct snp_psp *p = g_new0(struct snp_psp, 1);
	struct snp_fw_config cfg;
	snp_fw_config_default(&cfg);
	cfg.rmp = m->rmp;
	cfg.rmp_preinitialized = true; /* machine_init built the table (rmp_init_table) */
	cfg.min_sev_asid = (uint32_t)m->cfg.min_sev_asid;
	cfg.no_asid_gate = !m->cfg.asid_flush_gate;
	cfg.alias_check = m->cfg.snp_alias_check;
	cfg.sockets = (unsigned)m->cfg.snp_sockets;
	struct snp_fw_io io = {
		.rmp = { psp_rmp_read, psp_rmp_write, p },
		.mem = { psp_mem_read, psp_mem_write, p },
		.ctx = { psp_ctx_read, psp_ctx_write, p },
		.aliased = psp_aliased, .aliased_ctx = p,
		.mem_key = psp_mem_key, .mem_key_ctx = p,
	};
	p->m = m;
	snp_fw_init(&p->fw, &cfg, &io, s->seed);
	/* the AMD-SP's own key, loaded when it starts */
	if (machine_key_program(m, machine_fw_slot(m), machine_fw_slot(m),
				m->cfg.memenc_mode != MEMENC_NONE ? MEMENC_KEY_ENCRYPT : 0)) {
		g_free(p);
		return NULL;
	}
	p->base.name = "snp";
	p->base.kind = "snp";
	p->base.ops = &psp_ops;
	p->base.vmstate = &psp_vmstate;
	sim_model_register(s, &p->base);
	static const struct sim_stat_def stats[] = {
		SIM_STAT_DEF(struct snp_psp, stat_cmds, "commands", SIM_STAT_COUNT,
			     "SNP firmware commands the hypervisor sent"),
		SIM_STAT_DEF(struct snp_psp, stat_errors, "errors", SIM_STAT_COUNT,
			     "commands that returned a status other than SUCCESS"),
	};
	sim_stat_register_table(s, "snp", p, stats, G_N_ELEMENTS(stats));
	return p;
}

enum snp_status snp_psp_launch_update(struct snp_psp *p, uint64_t gctx_pa, uint64_t spa,
				      uint64_t gpa, enum snp_page_type type)
{
	enum snp_status st = snp_launch_update(&p->fw, gctx_pa, spa, gpa, type);
	const struct snp_guest *g = snp_guest_find(&p->fw, gctx_pa);
	if (st != SNP_SUCCESS || !g)
		return st;
	/* LAUNCH_UPDATE encrypts the page in place with the guest's key (ABI
	 * 8.17): the plaintext the hypervisor left (or the zeros / secrets the
	 * firmware wrote) is rewritten under the guest's ASID. */
	uint8_t *page = g_malloc(RMP_PAGE_4K);
	p->mem_key = 0;
	int rc = psp_mem(p, spa, page, RMP_PAGE_4K, false);
	p->mem_key = g->asid;
	if (!rc)
		rc = psp_mem(p, spa, page, RMP_PAGE_4K, true);
	p->mem_key = 0;
	g_free(page);
	return rc ? SNP_HWERROR_PLATFORM : SNP_SUCCESS;
}

enum snp_status snp_psp_decommission(struct snp_psp *p, uint64_t gctx_pa)
{
	enum snp_status st = snp_decommission(&p->fw, gctx_pa);
	if (st == SNP_SUCCESS)
		p->wbinvd_at_decommission = p->m->stat_wbinvd;
	return st;
}

enum snp_status snp_psp_df_flush(struct snp_psp *p)
{
	/* The caches may still hold lines of the decommissioned guests under
	 * their ASIDs' slots: the flush is only worth something after WBINVD. */
	if (p->m->cfg.asid_flush_gate && p->fw.state == SNP_PLATFORM_INIT &&
	    p->fw.df_flush_required && p->m->stat_wbinvd == p->wbinvd_at_decommission)
		return SNP_WBINVD_REQUIRED;
	return snp_df_flush(&p->fw);
}

enum snp_status snp_psp_activate(struct snp_psp *p, uint64_t gctx_pa, uint32_t asid)
{
	enum snp_status st = snp_activate(&p->fw, gctx_pa, asid);
	/* ACTIVATE loads the guest's VEK into the memory controller for its
	 * ASID: a slot whose previous owner still has lines cached is the
	 * ASID-reuse hazard, which the engine reports. */
	if (st == SNP_SUCCESS &&
	    machine_key_program(p->m, asid, asid,
				p->m->cfg.memenc_mode != MEMENC_NONE ? MEMENC_KEY_ENCRYPT : 0))
		return SNP_HWERROR_PLATFORM;
	return st;
}
