/* RMM realm and REC commands (RMI_FEATURES, REALM_CREATE / ACTIVATE /
 * DESTROY, REC_CREATE / DESTROY / AUX_COUNT) and the Realm Initial
 * Measurement, after Arm DEN0137 1.0-rel0 B3.3 and A7.1. The RD and each REC
 * live in their own granules, read and written through the Realm PAS. */
#include <errno.h>
#include <glib.h>
#include <openssl/evp.h>
#include <string.h>

#include "models/monitor/rmm/rmm_internal.h"

/* --- measurement (A7.1) --- */

size_t rmm_hash_len(uint64_t algo)
{
	return algo == RMI_HASH_SHA_512 ? 64 : 32;
}

void rmm_hash(uint64_t algo, const void *buf, size_t len, uint8_t out[64])
{
	unsigned n = 0;
	memset(out, 0, 64);
	int ok = EVP_Digest(buf, len, out, &n,
			    algo == RMI_HASH_SHA_512 ? EVP_sha512() : EVP_sha256(), NULL);
	g_assert(ok == 1 && n == rmm_hash_len(algo));
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8); /* the spec's structures are little-endian, as is every host ccsim runs on */
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

void rmm_rim_extend(struct rmm_rd *d, uint8_t desc[RMM_MEAS_DESC_LEN])
{
	rmm_hash(d->algo, desc, RMM_MEAS_DESC_LEN, d->rim);
}

/* --- RMI_FEATURES --- */

static uint64_t feature_reg0(void)
{
	return (uint64_t)RMM_MAX_S2SZ << RMI_FEAT0_S2SZ_SHIFT |
	       (uint64_t)RMM_NUM_BPS << RMI_FEAT0_NUM_BPS_SHIFT |
	       (uint64_t)RMM_NUM_WPS << RMI_FEAT0_NUM_WPS_SHIFT |
	       RMI_FEAT0_HASH_SHA_256 | RMI_FEAT0_HASH_SHA_512;
	/* LPA2, SVE and PMU are not offered: their fields stay 0. */
}

/* B3.3.4 RMI_FEATURES: no failure conditions. Index 0 is RmiFeatureRegister0;
 * every other index reads as zero, but for index 1 with FEAT_MEC: MAX_MECID
 * (DEN0137 1.1-alp12 RmiFeatureRegister1; 0 without FEAT_MEC). */
RMM_HANDLER(rmi_features)
{
	(void)cycles;
	regs[1] = regs[1] == 0 ? feature_reg0()
		: regs[1] == RMI_FEATURE_REGISTER_1 && r->mec ? r->max_mecid : 0;
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* --- RMI_REALM_CREATE --- */

/* Starting level and number of concatenated starting RTTs consistent with
 * the IPA width (Arm ARM AArch64.S2InconsistentSL, 4 KB granule; TTST is
 * assumed, no LPA2, so levels 0..3). */
static bool rtt_start_valid(uint64_t s2sz, int64_t sl, uint64_t num)
{
	if (sl < 0 || sl > RMM_RTT_PAGE_LEVEL)
		return false;
	unsigned levels = (unsigned)(RMM_RTT_PAGE_LEVEL - sl);
	unsigned min = levels * 9 + 12 + 1, max = min + 8 + 4, one = levels * 9 + 12 + 9;
	if (s2sz < min || s2sz > max)
		return false;
	uint64_t want = s2sz > one ? 1ull << (s2sz - one) : 1;
	return num == want;
}

/* B3.3.9 RMI_REALM_CREATE. Every failure condition is RMI_ERROR_INPUT, so
 * their order is not observable; checked as the spec lists them:
 * params_align, params_bound, params_pas (the RMM's NS read fails the GPC),
 * params_valid / params_supp (flags, s2sz, bps/wps, hash algorithm), and
 * rtt_num_level (rtt_level_start / rtt_num_start against s2sz), alias (rd
 * inside the starting RTTs), rtt_align (rtt_base aligned to the size of
 * the starting RTTs), rd_align / rd_bound / rd_state, rtt_state, and
 * vmid_valid (in use; 16-bit VMIDs); with FEAT_MEC (DEN0137 1.1-alp12)
 * mecid_valid (above MAX_MECID) and mec_state (PRIVATE_ASSIGNED: another
 * realm's private MEC), and on success the realm joins its MEC. Success: RD and RTTs change state,
 * the starting RTTs are initialised, the VMID is taken and the RIM is the
 * hash of the measured realm parameters (A7.1.1 RimInit). Where the params
 * are read (params_pas) the RMM performs a real NS-PAS read: a delegated
 * granule fails the GPC. */
RMM_HANDLER(rmi_realm_create)
{
	uint64_t rd = regs[1], pp = regs[2];
	uint8_t lo[0x40], rpv[64], hi[0x20];
	regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
	if (pp % GRANULE_SIZE || !rmm_pa_is_delegable(r, pp))        /* params_align, _bound */
		return;
	if (rmm_ns_read(r, pp, lo, sizeof(lo), cycles) ||            /* params_pas */
	    rmm_ns_read(r, pp + RMI_REALM_PARAM_RPV, rpv, sizeof(rpv), cycles) ||
	    rmm_ns_read(r, pp + RMI_REALM_PARAM_VMID, hi, sizeof(hi), cycles))
		return;
	uint64_t flags = get64(lo + RMI_REALM_PARAM_FLAGS);
	uint64_t s2sz = lo[RMI_REALM_PARAM_S2SZ];
	uint64_t algo = lo[RMI_REALM_PARAM_HASH_ALGO];
	uint64_t vmid = get64(hi) & 0xffff;
	uint64_t rtt_base = get64(hi + 8);
	int64_t sl = (int64_t)get64(hi + 0x10);
	uint64_t num = get64(hi + 0x18) & 0xffffffffu;
	uint64_t mecid = 0; /* RMM 1.0: the field does not exist */
	if (r->mec && rmm_ns_read(r, pp + RMI_REALM_PARAM_MECID, &mecid, sizeof(mecid), cycles))
		return;
	if (flags & (RMI_REALM_FLAG_LPA2 | RMI_REALM_FLAG_SVE | RMI_REALM_FLAG_PMU) ||
	    s2sz < RMM_MIN_S2SZ || s2sz > RMM_MAX_S2SZ ||
	    get64(lo + RMI_REALM_PARAM_NUM_BPS) > RMM_NUM_BPS ||
	    get64(lo + RMI_REALM_PARAM_NUM_WPS) > RMM_NUM_WPS ||
	    (algo != RMI_HASH_SHA_256 && algo != RMI_HASH_SHA_512) ||
	    !rtt_start_valid(s2sz, sl, num))                         /* params_valid / _supp */
		return;
	if (rd >= rtt_base && rd < rtt_base + num * GRANULE_SIZE)    /* alias */
		return;
	if (rtt_base % (num * GRANULE_SIZE))                         /* rtt_align */
		return;
	if (!rmm_granule_is(r, rd, GRANULE_DELEGATED))               /* rd_align/_bound/_state */
		return;
	for (uint64_t i = 0; i < num; i++)                           /* rtt_align/_bound/_state */
		if (!rmm_granule_is(r, rtt_base + i * GRANULE_SIZE, GRANULE_DELEGATED))
			return;
	if (rmm_vmid_used(r, vmid))                                  /* vmid_valid */
		return;
	if (r->mec && !rmm_mec_can_assign(r, mecid))                 /* mecid_valid, mec_state */
		return;

	struct rmm_rd d = { .state = REALM_NEW, .algo = algo, .s2sz = s2sz, .level_start = sl,
			    .num_start = num, .rtt_base = rtt_base, .vmid = vmid, .flags = flags,
			    .mecid = mecid };
	memcpy(d.rpv, rpv, sizeof(rpv));
	/* RimInit: a zeroed RmiRealmParams with only the measured fields
	 * (flags, s2sz, sve_vl, num_bps, num_wps, pmu_num_ctrs, hash_algo). */
	uint8_t *meas = g_malloc0(GRANULE_SIZE);
	put64(meas + RMI_REALM_PARAM_FLAGS, flags);
	for (unsigned o = RMI_REALM_PARAM_S2SZ; o <= RMI_REALM_PARAM_HASH_ALGO; o += 8)
		meas[o] = lo[o];
	rmm_hash(algo, meas, GRANULE_SIZE, d.rim);
	g_free(meas);
	rmm_vmid_set(r, vmid, true);
	if (r->mec)
		rmm_mec_assign(r, mecid, cycles);
	rmm_granule_set(r, rd, GRANULE_RD);
	for (uint64_t i = 0; i < num; i++)
		rmm_granule_set(r, rtt_base + i * GRANULE_SIZE, GRANULE_RTT);
	rmm_rd_store(r, rd, &d, cycles);
	r->alt_mecid = rmm_hw_mecid(r, mecid); /* the starting RTTs: the realm's MECID */
	rmm_rtt_init_start(r, &d, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* B3.3.8 RMI_REALM_ACTIVATE: rd_align < rd_bound < rd_state (ERROR_INPUT)
 * < realm_state (not NEW: ERROR_REALM). Success: ACTIVE. */
RMM_HANDLER(rmi_realm_activate)
{
	uint64_t rd = regs[1];
	struct rmm_rd d;
	if (!rmm_granule_is(r, rd, GRANULE_RD)) {
		regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_rd_load(r, rd, &d, cycles);
	if (d.state != REALM_NEW) {
		regs[0] = rmi_return(RMI_ERROR_REALM, 0);
		return;
	}
	d.state = REALM_ACTIVE;
	rmm_rd_store(r, rd, &d, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* B3.3.10 RMI_REALM_DESTROY: rd_align < rd_bound < rd_state (ERROR_INPUT) <
 * realm_live (ERROR_REALM). A realm is live while it has RECs or a starting
 * RTT holds a TABLE, ASSIGNED or ASSIGNED_NS entry. Success: the starting
 * RTTs and the RD are zeroed and DELEGATED, the VMID is free. */
RMM_HANDLER(rmi_realm_destroy)
{
	uint64_t rd = regs[1];
	struct rmm_rd d;
	if (!rmm_granule_is(r, rd, GRANULE_RD)) {
		regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_rd_load(r, rd, &d, cycles);
	bool live = d.num_recs != 0;
	for (uint64_t i = 0; i < d.num_start && !live; i++)
		live = rmm_rtt_is_live(r, d.rtt_base + i * GRANULE_SIZE, (unsigned)d.level_start,
				       cycles);
	if (live) {
		regs[0] = rmi_return(RMI_ERROR_REALM, 0);
		return;
	}
	rmm_vmid_set(r, d.vmid, false);
	for (uint64_t i = 0; i < d.num_start; i++) {
		uint64_t t = d.rtt_base + i * GRANULE_SIZE;
		if (rmm_granule_scrub_realm(r, t, cycles))
			return;
		rmm_granule_set(r, t, GRANULE_DELEGATED);
	}
	if (rmm_granule_scrub(r, rd, cycles))
		return;
	rmm_granule_set(r, rd, GRANULE_DELEGATED);
	/* DEN0137 1.1-alp12 RMI_REALM_DESTROY: the realm leaves its MEC (a
	 * private one is unassigned, its key refreshed by EL3: TF-RMM mecid_free) */
	if (r->mec)
		rmm_mec_release(r, d.mecid, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* --- RECs --- */

/* rec_index from an MPIDR: Aff0[3:0], Aff1, Aff2, Aff3 (B3.4.10 / A2.3.1);
 * false if other bits are set. */
/* B3.3.12 RMI_REC_CREATE. Conditions in the spec's order (it fixes only
 * [rd_bound, rd_state] < [realm_state, num_recs]): params_align <
 * params_bound < params_pas < rec_align < rec_bound < rec_state < rd_align <
 * rd_bound < rd_state (ERROR_INPUT) < realm_state (not NEW: ERROR_REALM) <
 * mpidr_index (MPIDR is not the realm's next rec_index) < num_aux (not
 * RMI_REC_AUX_COUNT) < aux_align (each aligned and delegable) < aux_alias
 * (an aux granule is the REC or repeats) < aux_state (ERROR_INPUT).
 * num_recs (ERROR_REALM) cannot hold: this RMM has no REC limit below
 * 2^28. Success: REC / REC_AUX granules, rec_index and num_recs grow, and a
 * RUNNABLE REC extends the RIM (B3.3.12.4): a REC descriptor holding the
 * hash of the measured params (flags, pc, gprs). */
RMM_HANDLER(rmi_rec_create)
{
	uint64_t rd = regs[1], rec = regs[2], pp = regs[3];
	uint8_t *p = g_malloc0(GRANULE_SIZE);
	struct rmm_rd d;
	struct rmm_rec e = { .owner = rd };
	regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
	if (pp % GRANULE_SIZE || !rmm_pa_is_delegable(r, pp) ||     /* params_align, _bound */
	    rmm_ns_read(r, pp, p, GRANULE_SIZE, cycles) ||           /* params_pas */
	    !rmm_granule_is(r, rec, GRANULE_DELEGATED) ||            /* rec_* */
	    !rmm_granule_is(r, rd, GRANULE_RD))                      /* rd_* */
		goto out;
	rmm_rd_load(r, rd, &d, cycles);
	if (d.state != REALM_NEW) {                                  /* realm_state */
		regs[0] = rmi_return(RMI_ERROR_REALM, 0);
		goto out;
	}
	e.num_aux = get64(p + RMI_REC_PARAM_NUM_AUX);
	e.mpidr = get64(p + RMI_REC_PARAM_MPIDR);
	if (!mpidr_to_index(e.mpidr, &e.index) || e.index != d.rec_index) /* mpidr_index */
		goto out;
	if (e.num_aux != RMM_REC_AUX_COUNT)                          /* num_aux */
		goto out;
	for (uint64_t i = 0; i < e.num_aux; i++) {
		e.aux[i] = get64(p + RMI_REC_PARAM_AUX + 8 * i);
		if (e.aux[i] % GRANULE_SIZE || !rmm_pa_is_delegable(r, e.aux[i])) /* aux_align */
			goto out;
	}
	for (uint64_t i = 0; i < e.num_aux; i++) {                   /* aux_alias */
		if (e.aux[i] == rec)
			goto out;
		for (uint64_t j = 0; j < i; j++)
			if (e.aux[j] == e.aux[i])
				goto out;
	}
	for (uint64_t i = 0; i < e.num_aux; i++)                     /* aux_state */
		if (!rmm_granule_is(r, e.aux[i], GRANULE_DELEGATED))
			goto out;
	e.runnable = get64(p + RMI_REC_PARAM_FLAGS) & RMI_REC_FLAG_RUNNABLE;
	e.pc = get64(p + RMI_REC_PARAM_PC);
	memcpy(e.gprs, p + RMI_REC_PARAM_GPRS, sizeof(e.gprs));

	if (e.runnable) {
		/* the measured params: a zeroed RmiRecParams with flags, pc, gprs */
		uint8_t desc[RMM_MEAS_DESC_LEN] = { 0 };
		memset(p, 0, RMI_REC_PARAM_GPRS);
		memset(p + RMI_REC_PARAM_GPRS + 64, 0, GRANULE_SIZE - RMI_REC_PARAM_GPRS - 64);
		put64(p + RMI_REC_PARAM_FLAGS, e.runnable);
		put64(p + RMI_REC_PARAM_PC, e.pc);
		put64(desc, RMM_MEAS_DESC_REC);
		put64(desc + 8, RMM_MEAS_DESC_LEN);
		memcpy(desc + 0x10, d.rim, 64);
		rmm_hash(d.algo, p, GRANULE_SIZE, desc + 0x50);
		rmm_rim_extend(&d, desc);
	}

	d.num_recs++;
	d.rec_index++;
	for (uint64_t i = 0; i < e.num_aux; i++)
		rmm_granule_set(r, e.aux[i], GRANULE_REC_AUX);
	rmm_granule_set(r, rec, GRANULE_REC);
	rmm_realm_write(r, rec, &e, sizeof(e), cycles);
	rmm_rec_vcpu_init(r, rec, &e, cycles);
	rmm_rd_store(r, rd, &d, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
out:
	g_free(p);
}

/* B3.3.13 RMI_REC_DESTROY: rec_align < rec_bound < rec_state (ERROR_INPUT).
 * (rec_busy, ERROR_REC while the REC runs, cannot hold until REC_ENTER is
 * modelled.) Success: REC and its auxiliary granules zeroed and DELEGATED,
 * the owner's REC count drops. */
RMM_HANDLER(rmi_rec_destroy)
{
	uint64_t rec = regs[1];
	struct rmm_rec e;
	struct rmm_rd d;
	if (!rmm_granule_is(r, rec, GRANULE_REC)) {
		regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_realm_read(r, rec, &e, sizeof(e), cycles);
	rmm_rd_load(r, e.owner, &d, cycles);
	d.num_recs--;
	rmm_rd_store(r, e.owner, &d, cycles);
	for (uint64_t i = 0; i < e.num_aux && i < RMI_REC_AUX_MAX; i++) {
		if (rmm_granule_scrub(r, e.aux[i], cycles))
			return;
		rmm_granule_set(r, e.aux[i], GRANULE_DELEGATED);
	}
	if (rmm_granule_scrub(r, rec, cycles))
		return;
	rmm_granule_set(r, rec, GRANULE_DELEGATED);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* B3.3.11 RMI_REC_AUX_COUNT: rd_align < rd_bound < rd_state (ERROR_INPUT).
 * X1 = auxiliary granules a REC of this realm needs. */
RMM_HANDLER(rmi_rec_aux_count)
{
	(void)cycles;
	if (!rmm_granule_is(r, regs[1], GRANULE_RD)) {
		regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
		return;
	}
	regs[0] = rmi_return(RMI_SUCCESS, 0);
	regs[1] = RMM_REC_AUX_COUNT;
}
