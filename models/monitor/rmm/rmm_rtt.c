/* Realm Translation Tables and realm data (RMI_RTT_*, RMI_DATA_*), after
 * Arm DEN0137 1.0-rel0 A5.5 and B3.3. RTTs are real VMSAv8-64 stage 2
 * tables (4 KB granule) in their delegated granules, read and written
 * through the Realm PAS. As in TF-RMM, an invalid descriptor keeps the
 * RMM's state in software bits: [4:2] UNASSIGNED / ASSIGNED / UNASSIGNED_NS,
 * [6:5] RIPAS, and ASSIGNED keeps its output address. Valid descriptors are
 * TABLE, ASSIGNED with RIPAS RAM (Realm PA) and ASSIGNED_NS (NS = 1). */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/mmu/pt.h"
#include "models/monitor/rmm/rmm_internal.h"

#define D_VALID 1ull
#define D_TABLE 2ull           /* level < 3: table; level 3: page */
#define D_AF (1ull << 10)
#define D_NS (1ull << 55)      /* FEAT_RME: stage 2 output in the NS PAS */
#define D_ATTRS (pt_bits(9, 2)) /* MemAttr[5:2], S2AP[7:6], SH[9:8] */
#define D_RAM_ATTRS (0xfull << 2 | 3ull << 6 | 3ull << 8) /* Normal WB, RW, inner shareable */
#define D_ADDR (pt_bits(47, 12))
#define SW_STATE_SHIFT 2
#define SW_RIPAS_SHIFT 5
#define SW_ASSIGNED 1ull
#define SW_UNASSIGNED_NS 2ull

static struct rmm_rtte rtte_decode(uint64_t e, unsigned level)
{
	struct rmm_rtte t = { 0 };
	if (e & D_VALID) {
		t.addr = e & D_ADDR;
		if (level < RMM_RTT_PAGE_LEVEL && (e & D_TABLE))
			t.state = RTTE_TABLE;
		else if (e & D_NS) {
			t.state = RTTE_ASSIGNED_NS;
			t.attrs = e & D_ATTRS;
		} else {
			t.state = RTTE_ASSIGNED;
			t.ripas = RIPAS_RAM;
		}
		return t;
	}
	uint64_t sw = (e >> SW_STATE_SHIFT) & 7;
	t.ripas = (unsigned)(e >> SW_RIPAS_SHIFT) & 3;
	t.state = sw == SW_ASSIGNED ? RTTE_ASSIGNED : sw == SW_UNASSIGNED_NS ? RTTE_UNASSIGNED_NS
									     : RTTE_UNASSIGNED;
	if (t.state == RTTE_ASSIGNED)
		t.addr = e & D_ADDR;
	if (t.state == RTTE_UNASSIGNED_NS)
		t.ripas = RIPAS_EMPTY;
	return t;
}

static uint64_t rtte_encode(const struct rmm_rtte *t, unsigned level)
{
	uint64_t leaf = level == RMM_RTT_PAGE_LEVEL ? D_VALID | D_TABLE : D_VALID;
	switch (t->state) {
	case RTTE_UNASSIGNED:
		return (uint64_t)t->ripas << SW_RIPAS_SHIFT;
	case RTTE_ASSIGNED:
		if (t->ripas == RIPAS_RAM)
			return t->addr | D_RAM_ATTRS | D_AF | leaf;
		return t->addr | SW_ASSIGNED << SW_STATE_SHIFT | (uint64_t)t->ripas << SW_RIPAS_SHIFT;
	case RTTE_TABLE:
		return t->addr | D_VALID | D_TABLE;
	case RTTE_UNASSIGNED_NS:
		return SW_UNASSIGNED_NS << SW_STATE_SHIFT;
	case RTTE_ASSIGNED_NS:
		return t->addr | t->attrs | D_NS | D_AF | leaf;
	}
	g_assert_not_reached();
}

static struct rmm_rtte rtte_read(struct rmm *r, uint64_t table, unsigned idx, unsigned level,
				 uint64_t *cycles)
{
	uint64_t e;
	rmm_realm_mem_read(r, table + 8ull * idx, &e, 8, cycles);
	return rtte_decode(e, level);
}

void rmm_rtte_write(struct rmm *r, uint64_t table, unsigned idx, unsigned level,
		    const struct rmm_rtte *t, uint64_t *cycles)
{
	uint64_t e = rtte_encode(t, level);
	rmm_realm_mem_write(r, table + 8ull * idx, &e, 8, cycles);
}

bool rmm_rtte_release(struct rmm *r, const struct rmm_rd *d, const struct rmm_walk *w,
		      const struct rmm_rtte *t, uint64_t granule, uint64_t *cycles)
{
	rmm_rtte_write(r, w->table, w->idx, w->level, t, cycles);
	rmm_s2_tlbi(r, d->vmid, cycles); /* break-before-make: no stale stage 2 entry */
	if (rmm_granule_scrub_realm(r, granule, cycles))
		return false;
	rmm_granule_set(r, granule, GRANULE_DELEGATED);
	return true;
}

/* RttWalk (A5.5.8): from the starting level towards `level`, following
 * TABLE entries; stops at `level` or at the first entry that is not a
 * TABLE. Concatenated starting RTTs are indexed as one table. */
void rmm_rtt_walk(struct rmm *r, const struct rmm_rd *d, uint64_t ipa, unsigned level,
		  struct rmm_walk *w, uint64_t *cycles)
{
	unsigned l = (unsigned)d->level_start;
	uint64_t i = ipa >> pt_level_shift(l);
	w->table = d->rtt_base + (i / 512) * GRANULE_SIZE;
	w->idx = (unsigned)(i % 512);
	for (;;) {
		w->level = l;
		w->e = rtte_read(r, w->table, w->idx, l, cycles);
		if (l >= level || w->e.state != RTTE_TABLE)
			return;
		w->table = w->e.addr;
		l++;
		w->idx = pt_index(l, ipa);
	}
}

void rmm_rtt_init_start(struct rmm *r, const struct rmm_rd *d, uint64_t *cycles)
{
	unsigned sl = (unsigned)d->level_start;
	uint64_t *t = g_malloc(GRANULE_SIZE);
	for (uint64_t n = 0; n < d->num_start; n++) {
		for (unsigned j = 0; j < 512; j++) {
			uint64_t ipa = (n * 512 + j) << pt_level_shift(sl);
			struct rmm_rtte e = { .state = ipa < 1ull << (d->s2sz - 1) ? RTTE_UNASSIGNED
										    : RTTE_UNASSIGNED_NS,
					      .ripas = RIPAS_EMPTY };
			t[j] = ipa < 1ull << d->s2sz ? rtte_encode(&e, sl) : 0;
		}
		rmm_realm_mem_write(r, d->rtt_base + n * GRANULE_SIZE, t, GRANULE_SIZE, cycles);
	}
	g_free(t);
}

static bool rtte_is_live(const struct rmm_rtte *e)
{
	return e->state == RTTE_TABLE || e->state == RTTE_ASSIGNED || e->state == RTTE_ASSIGNED_NS;
}

uint64_t rmm_rtt_skip_non_live(struct rmm *r, const struct rmm_walk *w, uint64_t ipa,
			       uint64_t *cycles)
{
	uint64_t size = pt_level_size(w->level), addr = ipa & ~(size - 1);
	for (unsigned j = w->idx; j < 512; j++, addr += size) {
		struct rmm_rtte e = rtte_read(r, w->table, j, w->level, cycles);
		if (rtte_is_live(&e))
			break;
	}
	return addr;
}

bool rmm_rtt_is_live(struct rmm *r, uint64_t rtt, unsigned level, uint64_t *cycles)
{
	uint64_t *t = g_malloc(GRANULE_SIZE);
	bool live = false;
	rmm_realm_mem_read(r, rtt, t, GRANULE_SIZE, cycles);
	for (unsigned j = 0; j < 512 && !live; j++) {
		struct rmm_rtte e = rtte_decode(t[j], level);
		live = rtte_is_live(&e);
	}
	g_free(t);
	return live;
}


/* --- RTT commands --- */

/* The argument checks RTT_CREATE, RTT_DESTROY and RTT_FOLD share, all
 * ERROR_INPUT: rd_align < rd_bound < rd_state < level_bound (level in
 * (start, 3]) < ipa_align (to level - 1) < ipa_bound. *d is the RD. */
static bool rtt_parent_args(struct rmm *r, uint64_t rd, uint64_t ipa, uint64_t level,
			    struct rmm_rd *d, uint64_t *cycles)
{
	return rmm_rd_get(r, rd, d, cycles) && level > (uint64_t)d->level_start &&
	       level <= RMM_RTT_PAGE_LEVEL && rmm_ipa_aligned(ipa, (unsigned)level - 1) &&
	       rmm_ipa_in_realm(d, ipa);
}

/* B3.3.15 RMI_RTT_CREATE: rd_align < rd_bound < rd_state < level_bound
 * (level not in (start, 3]) < ipa_align (to level - 1) < ipa_bound (beyond
 * the IPA width) < rtt_align < rtt_bound < rtt_state (all ERROR_INPUT) <
 * rtt_walk (the walk to level - 1 stopped short: ERROR_RTT, its level) <
 * rtte_state (the parent is already a TABLE: ERROR_RTT, level - 1).
 * Success: the new RTT's entries unfold the parent (same state and RIPAS;
 * an ASSIGNED block becomes consecutive pages), the parent becomes TABLE. */
RMM_HANDLER(rmi_rtt_create)
{
	uint64_t rd = regs[1], rtt = regs[2], ipa = regs[3], level = regs[4];
	struct rmm_rd d;
	struct rmm_walk w;
	if (!rtt_parent_args(r, rd, ipa, level, &d, cycles) ||
	    !rmm_granule_is(r, rtt, GRANULE_DELEGATED)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_rtt_walk(r, &d, ipa, (unsigned)level - 1, &w, cycles);
	if (w.level < level - 1) { /* rtt_walk */
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	if (w.e.state == RTTE_TABLE) { /* rtte_state */
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	uint64_t *t = g_malloc(GRANULE_SIZE);
	for (unsigned j = 0; j < 512; j++) {
		struct rmm_rtte c = w.e;
		if (c.state == RTTE_ASSIGNED || c.state == RTTE_ASSIGNED_NS)
			c.addr = w.e.addr + j * pt_level_size((unsigned)level);
		t[j] = rtte_encode(&c, (unsigned)level);
	}
	rmm_granule_set(r, rtt, GRANULE_RTT);
	rmm_realm_mem_write(r, rtt, t, GRANULE_SIZE, cycles);
	g_free(t);
	struct rmm_rtte parent = { .state = RTTE_TABLE, .addr = rtt };
	rmm_rtte_write(r, w.table, w.idx, w.level, &parent, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* B3.3.16 RMI_RTT_DESTROY: rd_* < level_bound < ipa_align < ipa_bound
 * (ERROR_INPUT) < rtt_walk (ERROR_RTT, walk level) < rtte_state (parent not
 * TABLE: ERROR_RTT, level - 1) < rtt_live (the RTT holds a TABLE, ASSIGNED
 * or ASSIGNED_NS entry: ERROR_RTT, level). Success: X1 = the RTT's address,
 * now zeroed and DELEGATED; X2 = top, the end of the non-live entries from
 * the parent on (RttSkipNonLiveEntries, as RMI_DATA_DESTROY); the parent is
 * UNASSIGNED with RIPAS DESTROYED (protected IPA) or UNASSIGNED_NS. On
 * ERROR_RTT X1 = 0 and X2 = the same skip from where the walk stopped;
 * on other failures both are 0. */
RMM_HANDLER(rmi_rtt_destroy)
{
	uint64_t rd = regs[1], ipa = regs[2], level = regs[3];
	struct rmm_rd d;
	struct rmm_walk w;
	regs[1] = 0;
	regs[2] = 0;
	if (!rtt_parent_args(r, rd, ipa, level, &d, cycles)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_rtt_walk(r, &d, ipa, (unsigned)level - 1, &w, cycles);
	if (w.level < level - 1 || w.e.state != RTTE_TABLE) {      /* rtt_walk, rtte_state */
		regs[2] = rmm_rtt_skip_non_live(r, &w, ipa, cycles);
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	uint64_t rtt = w.e.addr;
	if (rmm_rtt_is_live(r, rtt, (unsigned)level, cycles)) {    /* rtt_live */
		regs[2] = ipa;
		rmm_fail(regs, RMI_ERROR_RTT, (unsigned)level);
		return;
	}
	struct rmm_rtte parent = { .state = rmm_ipa_protected(&d, ipa) ? RTTE_UNASSIGNED
								  : RTTE_UNASSIGNED_NS,
				   .ripas = rmm_ipa_protected(&d, ipa) ? RIPAS_DESTROYED : RIPAS_EMPTY };
	if (!rmm_rtte_release(r, &d, &w, &parent, rtt, cycles))
		return;
	regs[0] = rmi_return(RMI_SUCCESS, 0);
	regs[1] = rtt;
	regs[2] = rmm_rtt_skip_non_live(r, &w, ipa, cycles);
}

/* B3.3.20 RMI_RTT_READ_ENTRY: rd_* < level_bound (not in [start, 3]) <
 * ipa_align (to level) < ipa_bound, all ERROR_INPUT. Success: X1 walk
 * level, X2 RmiRttEntryState, X3 desc (ASSIGNED / TABLE: the address;
 * ASSIGNED_NS: address and the host's MemAttr / S2AP / SH, in the stage 2
 * attribute layout; UNASSIGNED*: 0), X4 RIPAS (UNASSIGNED / ASSIGNED
 * entries; EMPTY for the unprotected states). */
RMM_HANDLER(rmi_rtt_read_entry)
{
	uint64_t rd = regs[1], ipa = regs[2], level = regs[3];
	struct rmm_rd d;
	struct rmm_walk w;
	if (!rmm_rd_get(r, rd, &d, cycles) || level < (uint64_t)d.level_start ||
	    level > RMM_RTT_PAGE_LEVEL || !rmm_ipa_aligned(ipa, (unsigned)level) ||
	    !rmm_ipa_in_realm(&d, ipa)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_rtt_walk(r, &d, ipa, (unsigned)level, &w, cycles);
	static const uint64_t to_rmi[] = {
		[RTTE_UNASSIGNED] = RMI_RTTE_UNASSIGNED, [RTTE_ASSIGNED] = RMI_RTTE_ASSIGNED,
		[RTTE_TABLE] = RMI_RTTE_TABLE, [RTTE_UNASSIGNED_NS] = RMI_RTTE_UNASSIGNED,
		[RTTE_ASSIGNED_NS] = RMI_RTTE_ASSIGNED,
	};
	regs[0] = rmi_return(RMI_SUCCESS, 0);
	regs[1] = w.level;
	regs[2] = to_rmi[w.e.state];
	regs[3] = w.e.state == RTTE_ASSIGNED_NS ? w.e.addr | w.e.attrs : w.e.addr;
	regs[4] = w.e.state == RTTE_UNASSIGNED || w.e.state == RTTE_ASSIGNED ? w.e.ripas
									       : RIPAS_EMPTY;
}

/* The checks MAP and UNMAP_UNPROTECTED share: rd_* < level_bound (not in
 * [max(start, 2), 3]) < ipa_align < ipa_bound (not in the unprotected
 * half), ERROR_INPUT; then the walk to level (rtt_walk: ERROR_RTT). */
static bool unprotected_walk(struct rmm *r, uint64_t regs[RMI_REGS], struct rmm_rd *d,
			     struct rmm_walk *w, bool map, uint64_t *cycles)
{
	uint64_t ipa = regs[2], level = regs[3], desc = map ? regs[4] : 0;
	if (!rmm_rd_get(r, regs[1], d, cycles)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return false;
	}
	uint64_t min = (uint64_t)d->level_start > RMM_RTT_MIN_BLOCK_LEVEL ? (uint64_t)d->level_start
									 : RMM_RTT_MIN_BLOCK_LEVEL;
	if (level < min || level > RMM_RTT_PAGE_LEVEL || !rmm_ipa_aligned(ipa, (unsigned)level) ||
	    !rmm_ipa_in_realm(d, ipa) || rmm_ipa_protected(d, ipa)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return false;
	}
	/* desc_valid: only an address aligned to the level and attributes. */
	if (map && ((desc & ~(D_ADDR | D_ATTRS)) ||
		    !rmm_ipa_aligned(desc & D_ADDR, (unsigned)level))) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return false;
	}
	rmm_rtt_walk(r, d, ipa, (unsigned)level, w, cycles);
	if (w->level < level) {                                    /* rtt_walk */
		rmm_fail(regs, RMI_ERROR_RTT, w->level);
		return false;
	}
	return true;
}

/* B3.3.19 RMI_RTT_MAP_UNPROTECTED: the shared checks, desc_valid
 * (ERROR_INPUT) before the walk, then rtte_state (not UNASSIGNED_NS:
 * ERROR_RTT, level). Success: ASSIGNED_NS with the host's address and
 * attributes. */
RMM_HANDLER(rmi_rtt_map_unprotected)
{
	struct rmm_rd d;
	struct rmm_walk w;
	if (!unprotected_walk(r, regs, &d, &w, true, cycles))
		return;
	if (w.e.state != RTTE_UNASSIGNED_NS) { /* rtte_state */
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	struct rmm_rtte e = { .state = RTTE_ASSIGNED_NS, .addr = regs[4] & D_ADDR,
			      .attrs = regs[4] & D_ATTRS };
	rmm_rtte_write(r, w.table, w.idx, w.level, &e, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* B3.3.22 RMI_RTT_UNMAP_UNPROTECTED: the shared checks, then rtte_state
 * (not ASSIGNED_NS: ERROR_RTT, walk level). Success: UNASSIGNED_NS. X1 =
 * top = RttSkipNonLiveEntries from the walk's entry, on success and on
 * ERROR_RTT (== ipa when a block at a lower level maps it); 0 otherwise. */
RMM_HANDLER(rmi_rtt_unmap_unprotected)
{
	struct rmm_rd d;
	struct rmm_walk w;
	if (!unprotected_walk(r, regs, &d, &w, false, cycles)) {
		/* top: the walk's RttSkipNonLiveEntries after rtt_walk, else 0 */
		if ((regs[0] & 0xff) == RMI_ERROR_RTT)
			regs[1] = rmm_rtt_skip_non_live(r, &w, regs[2], cycles);
		else
			regs[1] = 0;
		return;
	}
	if (w.e.state != RTTE_ASSIGNED_NS) {                       /* rtte_state */
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		regs[1] = rmm_rtt_skip_non_live(r, &w, regs[2], cycles);
		return;
	}
	struct rmm_rtte e = { .state = RTTE_UNASSIGNED_NS };
	rmm_rtte_write(r, w.table, w.idx, w.level, &e, cycles);
	rmm_s2_tlbi(r, d.vmid, cycles); /* break-before-make: no stale stage 2 entry */
	regs[0] = rmi_return(RMI_SUCCESS, 0);
	regs[1] = rmm_rtt_skip_non_live(r, &w, regs[2], cycles);
}

/* INIT_RIPAS over the entries of one RTT from `base` up to `top` (at most
 * the end of the RTT the walk reached): each UNASSIGNED entry becomes RAM and
 * is measured with a RIPAS descriptor (A7.1.1). Returns how far it got (==
 * base if the first entry refused). */
static uint64_t ripas_init(struct rmm *r, struct rmm_rd *d, const struct rmm_walk *w,
			   uint64_t base, uint64_t top, uint64_t *cycles)
{
	uint64_t size = pt_level_size(w->level), addr = base;
	for (unsigned j = w->idx; j < 512 && addr + size <= top; j++, addr += size) {
		struct rmm_rtte e = rtte_read(r, w->table, j, w->level, cycles);
		if (e.state != RTTE_UNASSIGNED)
			break;
		e.ripas = RIPAS_RAM;
		rmm_rtte_write(r, w->table, j, w->level, &e, cycles);
		uint8_t desc[RMM_MEAS_DESC_LEN] = { 0 };
		uint64_t v[4] = { RMM_MEAS_DESC_RIPAS, RMM_MEAS_DESC_LEN, addr, addr + size };
		memcpy(desc, v, 16);
		memcpy(desc + 0x10, d->rim, 64);
		memcpy(desc + 0x50, &v[2], 16);
		rmm_rim_extend(d, desc);
	}
	return addr;
}

/* RttSkipEntriesWithRipas: from the walk's entry, the end of the entries
 * (within [base, top) and this RTT) that carry a RIPAS (UNASSIGNED or
 * ASSIGNED; not NS, not TABLE), stopping at a DESTROYED one unless the
 * request may change destroyed memory. With `apply`, sets their RIPAS. */
static uint64_t ripas_set(struct rmm *r, const struct rmm_walk *w, uint64_t base, uint64_t top,
			  unsigned ripas, bool change_destroyed, bool apply, uint64_t *cycles)
{
	uint64_t size = pt_level_size(w->level), addr = base & ~(size - 1);
	for (unsigned j = w->idx; j < 512 && addr + size <= top; j++, addr += size) {
		struct rmm_rtte e = rtte_read(r, w->table, j, w->level, cycles);
		if ((e.state != RTTE_UNASSIGNED && e.state != RTTE_ASSIGNED) ||
		    (e.ripas == RIPAS_DESTROYED && !change_destroyed))
			break;
		if (apply && e.ripas != ripas) {
			e.ripas = ripas;
			rmm_rtte_write(r, w->table, j, w->level, &e, cycles);
		}
	}
	return addr > base ? addr : base;
}

/* B3.3.18 RMI_RTT_INIT_RIPAS. Order chosen: rd_* < size_valid (top <= base)
 * < top_bound (top beyond the protected half) < base_align / top_align (4
 * KB) (ERROR_INPUT) < realm_state (not NEW: ERROR_REALM) < rtt_walk (base
 * not aligned to the entry where the walk to level 3 stopped: ERROR_RTT,
 * walk level) < rtte_state (that entry is not UNASSIGNED: ERROR_RTT).
 * Success: RIPAS RAM from base to X1 = out_top (at most the end of that
 * RTT), each entry measured into the RIM. */
RMM_HANDLER(rmi_rtt_init_ripas)
{
	uint64_t rd = regs[1], base = regs[2], top = regs[3];
	struct rmm_rd d;
	struct rmm_walk w;
	if (!rmm_rd_get(r, rd, &d, cycles) || top <= base || !rmm_ipa_protected(&d, top - 1) ||
	    !rmm_ipa_aligned(base, RMM_RTT_PAGE_LEVEL) || !rmm_ipa_aligned(top, RMM_RTT_PAGE_LEVEL)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	if (d.state != REALM_NEW) {
		rmm_fail(regs, RMI_ERROR_REALM, 0);
		return;
	}
	rmm_rtt_walk(r, &d, base, RMM_RTT_PAGE_LEVEL, &w, cycles);
	if (!rmm_ipa_aligned(base, w.level) || base + pt_level_size(w.level) > top) {
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	uint64_t out = ripas_init(r, &d, &w, base, top, cycles);
	if (out == base) {
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	rmm_rd_store(r, rd, &d, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
	regs[1] = out;
}

/* B3.3.21 RMI_RTT_SET_RIPAS, completing a REC's RIPAS change request
 * (A5.4). The spec's conditions, in its listed order (it fixes rd_* <
 * base_align / no_progress, rec_bound / rec_gran_state < rec_state /
 * rec_owner, base_bound < base_align, top_gran_align < no_progress):
 * rd_align < rd_bound < rd_state < rec_align < rec_bound < rec_gran_state
 * (ERROR_INPUT) < rec_state (REC running: ERROR_REC; cannot hold until
 * REC_ENTER exists) < rec_owner (ERROR_REC) < size_valid < base_bound
 * (base != rec.ripas_addr) < top_bound (top > rec.ripas_top) (ERROR_INPUT)
 * < base_align (base not aligned to the walk level and its RIPAS differs:
 * ERROR_RTT, walk level) < top_gran_align (ERROR_INPUT) < no_progress
 * (nothing changeable at base: ERROR_RTT, walk level). Success: RIPAS set
 * up to X1 = out_top = min(top, walk_top); rec.ripas_addr = out_top. Until
 * RMI_REC_ENTER exists only rmm_rec_ripas_request() makes a request. */
RMM_HANDLER(rmi_rtt_set_ripas)
{
	uint64_t rd = regs[1], rec = regs[2], base = regs[3], top = regs[4];
	struct rmm_rd d;
	struct rmm_rec e;
	struct rmm_walk w;
	if (!rmm_rd_get(r, rd, &d, cycles) || !rmm_granule_is(r, rec, GRANULE_REC)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_realm_read(r, rec, &e, sizeof(e), cycles);
	if (e.owner != rd) {                                       /* rec_owner */
		rmm_fail(regs, RMI_ERROR_REC, 0);
		return;
	}
	if (top <= base || base != e.ripas_addr || top > e.ripas_top) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_rtt_walk(r, &d, base, RMM_RTT_PAGE_LEVEL, &w, cycles);
	unsigned target = (unsigned)e.ripas_value;
	bool differs = w.e.ripas != target;
	if (!rmm_ipa_aligned(base, w.level) && differs) {          /* base_align */
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	if (!rmm_ipa_aligned(top, RMM_RTT_PAGE_LEVEL)) {          /* top_gran_align */
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	uint64_t walk_top = ripas_set(r, &w, base, top, target, e.ripas_change_destroyed, false,
				      cycles);
	if (walk_top == base && differs) {                         /* no_progress */
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	(void)ripas_set(r, &w, base, top, target, e.ripas_change_destroyed, true, cycles);
	rmm_s2_tlbi(r, d.vmid, cycles); /* break-before-make: no stale stage 2 entry */
	e.ripas_addr = walk_top < top ? walk_top : top;
	rmm_realm_write(r, rec, &e, sizeof(e), cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
	regs[1] = e.ripas_addr;
}

/* Can the 512 entries of an RTT at `level` be one entry at level - 1
 * (A5.5.9 RttIsHomogeneous)? All UNASSIGNED with one RIPAS, all
 * UNASSIGNED_NS, or (for a block at level - 1 >= 2) all ASSIGNED /
 * ASSIGNED_NS with one RIPAS / attribute set and consecutive addresses
 * from a block-aligned start. *out is the folded entry. */
static bool rtt_homogeneous(const uint64_t *t, unsigned level, struct rmm_rtte *out)
{
	struct rmm_rtte first = rtte_decode(t[0], level);
	uint64_t size = pt_level_size(level);
	bool assigned = first.state == RTTE_ASSIGNED || first.state == RTTE_ASSIGNED_NS;
	if (first.state == RTTE_TABLE)
		return false;
	if (assigned && (level - 1 < RMM_RTT_MIN_BLOCK_LEVEL ||
			 !rmm_ipa_aligned(first.addr, level - 1)))
		return false;
	for (unsigned j = 1; j < 512; j++) {
		struct rmm_rtte e = rtte_decode(t[j], level);
		if (e.state != first.state || e.ripas != first.ripas || e.attrs != first.attrs ||
		    (assigned && e.addr != first.addr + j * size))
			return false;
	}
	*out = first;
	return true;
}

/* B3.3.17 RMI_RTT_FOLD: rd_* < level_bound (level not in (start, 3]) <
 * ipa_align (to level - 1) < ipa_bound (ERROR_INPUT) < rtt_walk (ERROR_RTT,
 * walk level) < rtte_state (parent not TABLE: ERROR_RTT, level - 1) <
 * rtt_homogeneous (ERROR_RTT, level). Success: the parent takes the folded
 * entry, X1 = the RTT, now zeroed and DELEGATED. */
RMM_HANDLER(rmi_rtt_fold)
{
	uint64_t rd = regs[1], ipa = regs[2], level = regs[3];
	struct rmm_rd d;
	struct rmm_walk w;
	struct rmm_rtte folded;
	if (!rtt_parent_args(r, rd, ipa, level, &d, cycles)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_rtt_walk(r, &d, ipa, (unsigned)level - 1, &w, cycles);
	if (w.level < level - 1 || w.e.state != RTTE_TABLE) {      /* rtt_walk, rtte_state */
		rmm_fail(regs, RMI_ERROR_RTT, w.level);
		return;
	}
	uint64_t rtt = w.e.addr;
	uint64_t *t = g_malloc(GRANULE_SIZE);
	rmm_realm_mem_read(r, rtt, t, GRANULE_SIZE, cycles);
	bool ok = rtt_homogeneous(t, (unsigned)level, &folded);
	g_free(t);
	if (!ok) {                                                 /* rtt_homogeneous */
		rmm_fail(regs, RMI_ERROR_RTT, (unsigned)level);
		return;
	}
	if (!rmm_rtte_release(r, &d, &w, &folded, rtt, cycles))
		return;
	regs[0] = rmi_return(RMI_SUCCESS, 0);
	regs[1] = rtt;
}
