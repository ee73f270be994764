/* Realm data granules: RMI_DATA_CREATE (measured into the RIM),
 * RMI_DATA_CREATE_UNKNOWN and RMI_DATA_DESTROY, after Arm DEN0137 1.0-rel0
 * B3.3.1-3 and A7.1.1. The RTT side goes through rmm_rtt.c's walk. */
#include <glib.h>
#include <string.h>

#include "models/mmu/pt.h"
#include "models/monitor/rmm/rmm_internal.h"

/* The checks DATA_CREATE and DATA_CREATE_UNKNOWN share after their own:
 * ipa_align (4 KB) < ipa_bound (not protected), ERROR_INPUT; the walk to
 * level 3 (rtt_walk: ERROR_RTT) and rtte_state (not UNASSIGNED: ERROR_RTT,
 * 3) come after realm_state. */
static bool data_walk(struct rmm *r, uint64_t regs[RMI_REGS], const struct rmm_rd *d,
		      uint64_t ipa, struct rmm_walk *w, uint64_t *cycles)
{
	rmm_rtt_walk(r, d, ipa, RMM_RTT_PAGE_LEVEL, w, cycles);
	if (w->level < RMM_RTT_PAGE_LEVEL || w->e.state != RTTE_UNASSIGNED) {
		rmm_fail(regs, RMI_ERROR_RTT, w->level);
		return false;
	}
	return true;
}

static void data_assign(struct rmm *r, uint64_t data, const struct rmm_walk *w, uint64_t *cycles)
{
	struct rmm_rtte e = { .state = RTTE_ASSIGNED, .ripas = w->e.ripas, .addr = data };
	rmm_granule_set(r, data, GRANULE_DATA);
	rmm_rtte_write(r, w->table, w->idx, w->level, &e, cycles);
}

/* B3.3.1 RMI_DATA_CREATE. Conditions in the spec's order (it fixes
 * [rd_bound, rd_state] < realm_state and rd_* / ipa_bound < rtt_walk /
 * rtte_state): src_align < src_bound < src_pas (the RMM's NS read of src
 * fails the GPC) < data_align < data_bound < data_state < rd_align <
 * rd_bound < rd_state < ipa_align < ipa_bound (ERROR_INPUT) < realm_state
 * (not NEW: ERROR_REALM) < rtt_walk < rtte_state (ERROR_RTT, walk level).
 * Success: the page is copied into the granule through the Realm PAS, the
 * entry is ASSIGNED with RIPAS RAM and the RIM is extended (B3.3.1.4) with
 * a DATA descriptor: type, length, old RIM, ipa, flags and, with MEASURE,
 * H(content). */
RMM_HANDLER(rmi_data_create)
{
	uint64_t rd = regs[1], data = regs[2], ipa = regs[3], src = regs[4], flags = regs[5];
	struct rmm_rd d;
	struct rmm_walk w;
	uint8_t *page = g_malloc(GRANULE_SIZE);
	regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
	if (src % GRANULE_SIZE || !rmm_pa_is_delegable(r, src) ||
	    rmm_ns_read(r, src, page, GRANULE_SIZE, cycles) ||
	    !rmm_granule_is(r, data, GRANULE_DELEGATED) || !rmm_rd_get(r, rd, &d, cycles) ||
	    !rmm_ipa_aligned(ipa, RMM_RTT_PAGE_LEVEL) || !rmm_ipa_protected(&d, ipa))
		goto out;
	if (d.state != REALM_NEW) {
		rmm_fail(regs, RMI_ERROR_REALM, 0);
		goto out;
	}
	if (!data_walk(r, regs, &d, ipa, &w, cycles))
		goto out;
	rmm_realm_mem_write(r, data, page, GRANULE_SIZE, cycles);
	w.e.ripas = RIPAS_RAM;
	data_assign(r, data, &w, cycles);
	uint8_t desc[RMM_MEAS_DESC_LEN] = { 0 };
	uint64_t v[4] = { RMM_MEAS_DESC_DATA, RMM_MEAS_DESC_LEN, ipa, flags & RMI_DATA_FLAG_MEASURE };
	memcpy(desc, v, 16);
	memcpy(desc + 0x10, d.rim, 64);
	memcpy(desc + 0x50, &v[2], 16);
	if (flags & RMI_DATA_FLAG_MEASURE)
		rmm_hash(d.algo, page, GRANULE_SIZE, desc + 0x60);
	rmm_rim_extend(&d, desc);
	rmm_rd_store(r, rd, &d, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
out:
	g_free(page);
}

/* B3.3.2 RMI_DATA_CREATE_UNKNOWN: data_align < data_bound < data_state <
 * rd_* < ipa_align < ipa_bound (ERROR_INPUT) < rtt_walk < rtte_state
 * (ERROR_RTT). Any realm state. Success: ASSIGNED, RIPAS unchanged; the
 * content is the zeros the granule got when delegated; not measured. With
 * FEAT_MEC those zeros were written under the RMM's MECID and would read
 * as noise under the realm's: the granule is zeroed again under the
 * realm's (TF-RMM 1.1 data_create_unknown: buffer_granule_mecid_map_zeroed). */
RMM_HANDLER(rmi_data_create_unknown)
{
	uint64_t rd = regs[1], data = regs[2], ipa = regs[3];
	struct rmm_rd d;
	struct rmm_walk w;
	if (!rmm_granule_is(r, data, GRANULE_DELEGATED) || !rmm_rd_get(r, rd, &d, cycles) ||
	    !rmm_ipa_aligned(ipa, RMM_RTT_PAGE_LEVEL) || !rmm_ipa_protected(&d, ipa))
		{
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	if (!data_walk(r, regs, &d, ipa, &w, cycles))
		return;
	if (r->mec) {
		static const uint8_t zero[GRANULE_SIZE];
		rmm_realm_mem_write(r, data, zero, GRANULE_SIZE, cycles);
	}
	data_assign(r, data, &w, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* B3.3.3 RMI_DATA_DESTROY: rd_* < ipa_align < ipa_bound (ERROR_INPUT) <
 * rtt_walk (ERROR_RTT, walk level) < rtte_state (not ASSIGNED: ERROR_RTT,
 * walk level). Success: X1 = the data granule, zeroed and DELEGATED; the
 * entry is UNASSIGNED with RIPAS DESTROYED if it was RAM (EMPTY stays
 * EMPTY). X2 = top = RttSkipNonLiveEntries from the walk's entry, on
 * success and on ERROR_RTT (== ipa for an ASSIGNED block); 0 otherwise. */
RMM_HANDLER(rmi_data_destroy)
{
	uint64_t rd = regs[1], ipa = regs[2];
	struct rmm_rd d;
	struct rmm_walk w;
	regs[1] = 0;
	regs[2] = 0;
	if (!rmm_rd_get(r, rd, &d, cycles) || !rmm_ipa_aligned(ipa, RMM_RTT_PAGE_LEVEL) ||
	    !rmm_ipa_protected(&d, ipa)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_rtt_walk(r, &d, ipa, RMM_RTT_PAGE_LEVEL, &w, cycles);
	if (w.level < RMM_RTT_PAGE_LEVEL || w.e.state != RTTE_ASSIGNED) {
		regs[2] = rmm_rtt_skip_non_live(r, &w, ipa, cycles);
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	uint64_t data = w.e.addr;
	struct rmm_rtte e = { .state = RTTE_UNASSIGNED,
			      .ripas = w.e.ripas == RIPAS_RAM ? RIPAS_DESTROYED : w.e.ripas };
	if (!rmm_rtte_release(r, &d, &w, &e, data, cycles))
		return;
	regs[0] = rmi_return(RMI_SUCCESS, 0);
	regs[1] = data;
	regs[2] = rmm_rtt_skip_non_live(r, &w, ipa, cycles);
}
