/* Memory encryption contexts (Arm FEAT_MEC) as RMM 1.1 manages them: the
 * MECID a realm names in its RmiRealmParams, the state of every MEC, the
 * one shared MEC and RMI_MEC_SET_SHARED / RMI_MEC_SET_PRIVATE, after Arm
 * DEN0137 1.1-alp12 (the rules as the RMM ACS checks them, docs/mec_lfa.md)
 * and TF-RMM's lib/mec (which offsets host MECIDs by one, keeping MECID 0
 * for its own memory, and asks EL3 to refresh a MECID's key whenever it is
 * assigned or released). Only on a profile with FEAT_MEC (mec.enabled). */
#include <glib.h>

#include "models/monitor/rmm/rmm_internal.h"

/* A valid MECID is in [0, MAX_MECID] (RmiFeatureRegister1). */
static bool mecid_valid(const struct rmm *r, uint64_t mecid)
{
	return r->mec && mecid <= r->max_mecid;
}

static void mec_state_set(struct rmm *r, uint64_t mecid, enum rmm_mec_state st)
{
	r->changes += r->mec_state[mecid] != (uint8_t)st;
	r->mec_state[mecid] = (uint8_t)st;
}

/* EL3 gives the MECID a fresh key (TF-RMM mec_reserve / mec_release:
 * rmm_el3_ifc_mec_refresh), so nothing written under its previous key
 * decrypts for the realm that takes it next. */
static void mec_refresh(struct rmm *r, uint64_t mecid, uint64_t *cycles)
{
	int rc = r->svc->mec_refresh(r->host, rmm_hw_mecid(r, mecid), cycles);
	g_assert(rc == 0); /* a valid MECID on a machine with FEAT_MEC */
	r->stat_mec_refreshes++;
}

bool rmm_mec_can_assign(const struct rmm *r, uint64_t mecid)
{
	/* DEN0137 1.1-alp12 RMI_REALM_CREATE: fails if the MECID is not valid
	 * or the state of its MEC is MEC_STATE_PRIVATE_ASSIGNED */
	return mecid_valid(r, mecid) && r->mec_state[mecid] != MEC_PRIVATE_ASSIGNED;
}

void rmm_mec_assign(struct rmm *r, uint64_t mecid, uint64_t *cycles)
{
	/* RMI_REALM_CREATE success: PRIVATE_UNASSIGNED becomes
	 * PRIVATE_ASSIGNED; a SHARED MEC gains the realm as a member */
	if (r->mec_state[mecid] == MEC_SHARED) {
		r->mec_members++;
		r->changes++;
		return;
	}
	mec_state_set(r, mecid, MEC_PRIVATE_ASSIGNED);
	mec_refresh(r, mecid, cycles);
}

void rmm_mec_release(struct rmm *r, uint64_t mecid, uint64_t *cycles)
{
	if (!mecid_valid(r, mecid))
		return;
	if (r->mec_state[mecid] == MEC_SHARED) {
		g_assert(r->mec_members > 0);
		r->mec_members--;
		r->changes++;
		return;
	}
	mec_state_set(r, mecid, MEC_PRIVATE_UNASSIGNED);
	mec_refresh(r, mecid, cycles);
}

static bool shared_exists(const struct rmm *r)
{
	for (uint64_t i = 0; i <= r->max_mecid; i++)
		if (r->mec_state[i] == MEC_SHARED)
			return true;
	return false;
}

/* DEN0137 1.1-alp12 RMI_MEC_SET_SHARED: fails (ERROR_INPUT) if the MECID
 * is not valid, its MEC is not MEC_STATE_PRIVATE_UNASSIGNED, or a shared
 * MEC exists already (at most one at a time). Success: the MEC is SHARED
 * with no member; EL3 refreshes its key (TF-RMM mec_set_shared). */
RMM_HANDLER(rmi_mec_set_shared)
{
	uint64_t mecid = regs[1];
	if (!mecid_valid(r, mecid) || r->mec_state[mecid] != MEC_PRIVATE_UNASSIGNED ||
	    shared_exists(r)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	mec_state_set(r, mecid, MEC_SHARED);
	r->mec_members = 0;
	mec_refresh(r, mecid, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* DEN0137 1.1-alp12 RMI_MEC_SET_PRIVATE: fails (ERROR_INPUT) if MAX_MECID
 * is zero, the MECID is not valid, its MEC is not MEC_STATE_SHARED, or the
 * shared MEC has realms in it. Success: PRIVATE_UNASSIGNED, the key
 * refreshed (TF-RMM mec_set_private: mec_release). */
RMM_HANDLER(rmi_mec_set_private)
{
	uint64_t mecid = regs[1];
	if (r->max_mecid == 0 || !mecid_valid(r, mecid) || r->mec_state[mecid] != MEC_SHARED ||
	    r->mec_members != 0) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	mec_state_set(r, mecid, MEC_PRIVATE_UNASSIGNED);
	mec_refresh(r, mecid, cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}
