/* The TDX host's pieces that need no guest image: the module's
 * initialisation, once per machine, as the host kernel does it
 * (arch/x86/virt/vmx/tdx/tdx.c, init_tdx_module), and a bare TD for a
 * scenario's `vm` actor -- built through the same SEAMCALLs as KVM's
 * (MNG.CREATE, KEY.CONFIG, ADDCX, INIT, VP.CREATE / ADDCX / INIT,
 * MR.FINALIZE) but with no initial image, so that every private page it
 * has is one the host adds at run time with TDH.MEM.PAGE.AUG and the TD
 * accepts (Intel TDX Module v1.5 ABI Specification, "TD Build", "Dynamic
 * Page Addition"). */
#include <string.h>

#include "models/monitor/tdx/tdx_abi.h"
#include "models/platform/machine_mon.h"
#include "stacks/host/hv.h"

#define BARE_PAGE 4096ull
/* TD_PARAMS as the host stack fills it (hv_tdx.c): XFAM x87 + SSE, one
 * vCPU, EPTP_CONTROLS a 4-level walk with write-back memory. */
#define BARE_XFAM 3ull
#define BARE_EPTP_CONTROLS 0x1eull

/* Every call and store happens at t0 + *cyc, the host's present. */
static uint64_t call(struct machine *m, unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t rdx,
		     uint64_t r8, uint64_t t0, uint64_t *cyc)
{
	uint64_t regs[CCSIM_MONITOR_REGS] = { [TDX_MON_RAX] = leaf, [TDX_MON_RCX] = rcx,
					      [TDX_MON_RDX] = rdx, [TDX_MON_R8] = r8, [TDX_MON_LP] = lp };
	uint64_t c = 0;
	sim_set_time(m->sim, t0 + *cyc);
	machine_mon_command(m->tdx_mon, regs, &c);
	*cyc += c;
	return regs[TDX_MON_RAX];
}

/* The module's initialisation state (enum tdx_sys_state). */
static uint64_t sys_state(const struct machine *m)
{
	return machine_mon_ask(m->tdx_mon, CCSIM_QUERY_PLATFORM_STATE, 0, TDX_SYS_UNINIT);
}

static bool failed(uint64_t st) { return (st >> 63) != 0; }

static void host_store64(struct cpu *host, uint64_t pa, uint64_t v, uint64_t t0, uint64_t *cyc)
{
	uint8_t b[8];
	struct cc_fault f;
	uint64_t c = 0;
	sim_le64_store(b, v);
	sim_set_time(host->base.sim, t0 + *cyc);
	(void)cpu_store(host, pa, b, 8, &f, &c);
	*cyc += c;
}

uint64_t hv_tdx_module_init(struct machine *m, struct cpu *host, uint64_t page, uint64_t t0,
			    uint64_t *cyc)
{
	const struct platform_config *cfg = &m->cfg;
	uint64_t st, first_private = (1ull << cfg->tdx_keyid_bits) - cfg->tdx_private_keyids;
	if (sys_state(m) == TDX_SYS_READY)
		return TDX_SUCCESS;
	if (sys_state(m) != TDX_SYS_UNINIT)
		return TDX_SYS_NOT_READY; /* a scenario's half-done initialisation */
	if (failed(st = call(m, host->core, TDH_SYS_INIT, 0, 0, 0, t0, cyc)))
		return st;
	for (unsigned lp = 0; lp < cfg->cores && lp < TDX_MAX_LPS; lp++)
		if (failed(st = call(m, lp, TDH_SYS_LP_INIT, 0, 0, 0, t0, cyc)))
			return st;
	/* TDMR_INFO_ENTRY (base, size, PAMT 1G / 2M / 4K base and size) and
	 * the array of its address, in the host page */
	uint64_t base = cfg->tdx_tdmr_base, size = cfg->tdx_tdmr_size, at = cfg->tdx_pamt_base;
	uint64_t info[8] = { base, size };
	for (unsigned l = 0; l < 3; l++) {
		uint64_t bytes = pamt_array_bytes(size, (enum pamt_level)(PAMT_1G - l));
		info[2 + 2 * l] = at;
		info[3 + 2 * l] = bytes;
		at += (bytes + BARE_PAGE - 1) & ~(BARE_PAGE - 1);
	}
	for (unsigned i = 0; i < 8; i++)
		host_store64(host, page + 0x200 + 8 * i, info[i], t0, cyc);
	host_store64(host, page, page + 0x200, t0, cyc);
	if (failed(st = call(m, host->core, TDH_SYS_CONFIG, page, 1, first_private, t0, cyc)) ||
	    failed(st = call(m, host->core, TDH_SYS_KEY_CONFIG, 0, 0, 0, t0, cyc)))
		return st;
	while (sys_state(m) != TDX_SYS_READY)
		if (failed(st = call(m, host->core, TDH_SYS_TDMR_INIT, base, 0, 0, t0, cyc)))
			return st;
	return TDX_SUCCESS;
}

/* Page `i` of the TD's control region: host pages first (TD_PARAMS), then
 * the TD's own (TDR, TDCS, TDVPS, Secure EPT tables). */
static uint64_t region_page(const struct hv_tdx_bare *b, unsigned i) { return b->region + i * BARE_PAGE; }

uint64_t hv_tdx_bare_create(struct machine *m, struct cpu *host, struct hv_tdx_bare *b,
			    uint64_t *cyc)
{
	uint64_t t0 = sim_time(m->sim) - *cyc;
	unsigned lp = host->core, next = 2;
	b->tdr = region_page(b, next++);
	b->tdvpr = region_page(b, next + TDX_TDCS_PAGES);
	uint64_t st, params = region_page(b, 0);
	if (failed(st = hv_tdx_module_init(m, host, region_page(b, 1), t0, cyc)))
		return st;
	if (failed(st = call(m, lp, TDH_MNG_CREATE, b->tdr, b->hkid, 0, t0, cyc)) ||
	    failed(st = call(m, lp, TDH_MNG_KEY_CONFIG, b->tdr, 0, 0, t0, cyc)))
		return st;
	for (unsigned i = 0; i < TDX_TDCS_PAGES; i++)
		if (failed(st = call(m, lp, TDH_MNG_ADDCX, region_page(b, next++), b->tdr, 0, t0, cyc)))
			return st;
	for (uint64_t off = 0; off < TD_PARAMS_SIZE; off += 8)
		host_store64(host, params + off, 0, t0, cyc);
	host_store64(host, params + TD_PARAMS_XFAM, BARE_XFAM, t0, cyc);
	host_store64(host, params + TD_PARAMS_MAX_VCPUS, 1, t0, cyc);
	host_store64(host, params + TD_PARAMS_EPTP_CONTROLS, BARE_EPTP_CONTROLS, t0, cyc);
	if (failed(st = call(m, lp, TDH_MNG_INIT, b->tdr, params, 0, t0, cyc)))
		return st;
	next++; /* the TDVPR */
	if (failed(st = call(m, lp, TDH_VP_CREATE, b->tdvpr, b->tdr, 0, t0, cyc)))
		return st;
	for (unsigned k = 1; k < TDX_TDVPS_PAGES; k++)
		if (failed(st = call(m, lp, TDH_VP_ADDCX, region_page(b, next++), b->tdvpr, 0, t0, cyc)))
			return st;
	if (failed(st = call(m, lp, TDH_VP_INIT, b->tdvpr, 0, 0, t0, cyc)))
		return st;
	return call(m, lp, TDH_MR_FINALIZE, b->tdr, 0, 0, t0, cyc);
}

uint64_t hv_tdx_bare_aug(struct machine *m, struct cpu *host, struct hv_tdx_bare *b, uint64_t gpa,
			 uint64_t hpa, uint64_t *cyc)
{
	uint64_t t0 = sim_time(m->sim) - *cyc;
	uint64_t st;
	/* the Secure EPT tables above gpa's 4 KB leaf, top down (KVM links
	 * one per level on the fault path, tdx_sept_link_private_spt); one
	 * already there is refused with nothing changed */
	for (unsigned level = 3; level >= 1; level--) {
		uint64_t at = gpa & ~((1ull << (12 + 9 * level)) - 1), table = 0;
		for (unsigned i = 2; i < HV_TDX_BARE_PAGES && !table; i++)
			if (machine_mon_ask(m->tdx_mon, CCSIM_QUERY_PAGE_FREE, region_page(b, i), 0))
				table = region_page(b, i);
		if (!table)
			return TDX_OPERAND_INVALID | TDX_OPERAND_ID_R8;
		st = call(m, host->core, TDH_MEM_SEPT_ADD, at | level, b->tdr, table, t0, cyc);
		if (failed(st) && tdx_status_class(st) != TDX_EPT_ENTRY_STATE_INCORRECT)
			return st;
	}
	return call(m, host->core, TDH_MEM_PAGE_AUG, gpa, b->tdr, hpa, t0, cyc);
}
