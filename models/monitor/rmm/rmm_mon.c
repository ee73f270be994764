/* The RMM behind the monitor interface (include/ccsim/monitor.h): its ops
 * table, creation from the profile keys the services give, its state as a
 * checkpoint blob, its statistics and the platform's narrow questions. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "models/monitor/builtin.h"
#include "models/monitor/mon_param.h"
#include "models/monitor/rmm/rmm_internal.h"
#include "sim/buf.h"

/* The counters a checkpoint keeps, in the order ccsim up to checkpoint
 * format 4 saved them as the "rmm" model's field table (version 5): a
 * blob starts with their values, so such a checkpoint restores as one. */
static const struct sim_field rmm_fields[] = {
	SIM_FIELD_ARRAY(struct rmm, stat_calls, uint64_t),
	SIM_FIELD_ARRAY(struct rmm, stat_errors, uint64_t),
	SIM_FIELD_ARRAY(struct rmm, stat_cycles, uint64_t),
	SIM_FIELD(struct rmm, stat_scrubbed),
	SIM_FIELD(struct rmm, panicked),
	SIM_FIELD_ARRAY(struct rmm, stat_rsi_calls, uint64_t),
	SIM_FIELD_ARRAY(struct rmm, stat_rsi_errors, uint64_t),
	SIM_FIELD_ARRAY(struct rmm, stat_rsi_cycles, uint64_t),
	SIM_FIELD(struct rmm, stat_rsi_unknown),
	SIM_FIELD(struct rmm, stat_rec_entries),
	SIM_FIELD_ARRAY(struct rmm, stat_rec_exits, uint64_t),
	SIM_FIELD(struct rmm, stat_rec_cycles),
	SIM_FIELD(struct rmm, stat_rec_insns),
	SIM_FIELD(struct rmm, stat_timer_injects),
	SIM_FIELD(struct rmm, stat_emulated),
	SIM_FIELD(struct rmm, stat_sea_injects),
	SIM_FIELD(struct rmm, stat_s2_tlbi),
};
#define NFIELDS (sizeof(rmm_fields) / sizeof(rmm_fields[0]))

/* Host MECIDs the RMM tracks: MAX_MECID + 1 (none without FEAT_MEC). */
static uint64_t mec_count(const struct rmm *r)
{
	return r->mec ? r->max_mecid + 1 : 0;
}

void rmm_reset(struct rmm *r)
{
	memset(r->state, GRANULE_UNDELEGATED, r->ngranules);
	memset(r->vmid_used, 0, sizeof(r->vmid_used));
	/* DEN0137 1.1-alp12: at boot every MEC is MEC_STATE_PRIVATE_UNASSIGNED */
	if (r->mec)
		memset(r->mec_state, MEC_PRIVATE_UNASSIGNED, mec_count(r));
	r->mec_members = 0;
	r->alt_mecid = 0;
}

int rmm_save(const struct rmm *r, ccsim_write_fn *write, void *ctx)
{
	struct sim_buf b;
	sim_buf_init(&b);
	for (size_t i = 0; i < NFIELDS; i++)
		sim_buf_put_field(&b, r, &rmm_fields[i]);
	sim_buf_put_u64(&b, r->ngranules);
	sim_buf_put(&b, r->state, r->ngranules);
	sim_buf_put(&b, r->vmid_used, sizeof(r->vmid_used));
	sim_buf_put_u64(&b, mec_count(r));
	sim_buf_put(&b, r->mec_state, mec_count(r));
	sim_buf_put_u64(&b, r->mec_members);
	sim_buf_put_u64(&b, r->stat_mec_refreshes);
	write(ctx, b.data, b.len);
	sim_buf_free(&b);
	return 0;
}

int rmm_restore(struct rmm *r, uint32_t version, const void *blob, size_t len)
{
	struct sim_reader in;
	if (version != RMM_STATE_VERSION && version != 5)
		return -1;
	sim_reader_init(&in, blob, len);
	for (size_t i = 0; i < NFIELDS; i++)
		sim_reader_field(&in, r, &rmm_fields[i]);
	if (sim_reader_u64(&in) != r->ngranules)
		return -1; /* another delegable range: another machine */
	sim_reader_get(&in, r->state, r->ngranules);
	sim_reader_get(&in, r->vmid_used, sizeof(r->vmid_used));
	if (r->mec)
		memset(r->mec_state, MEC_PRIVATE_UNASSIGNED, mec_count(r));
	r->mec_members = r->stat_mec_refreshes = 0;
	if (version >= 6) { /* version 5 had no MECs: all unassigned */
		if (sim_reader_u64(&in) != mec_count(r))
			return -1; /* another MECID width: another machine */
		sim_reader_get(&in, r->mec_state, mec_count(r));
		r->mec_members = sim_reader_u64(&in);
		r->stat_mec_refreshes = sim_reader_u64(&in);
		for (uint64_t i = 0; i < mec_count(r); i++)
			if (r->mec_state[i] > MEC_SHARED)
				return -1;
	}
	return in.failed || in.pos != len ? -1 : 0;
}

void rmm_stats(struct rmm *r, ccsim_stat_fn *emit, void *ctx)
{
	const struct rmm_stat_sink k = { emit, ctx };
	const struct rmm_cmd *cmds;
	size_t n = rmm_cmds(&cmds);
	for (size_t i = 0; i < n; i++) {
		if (!rmm_answers(r, cmds[i].fid))
			continue; /* the MEC commands without FEAT_MEC */
		gchar *p = g_strdup_printf("rmm.%s", cmds[i].name);
		rmm_cmd_stats(&k, p, false, &r->stat_calls[i], &r->stat_errors[i], &r->stat_cycles[i]);
		g_free(p);
	}
	rmm_stat(&k, "rmm", "scrubbed_granules", CCSIM_STAT_COUNT, &r->stat_scrubbed,
		 "granules the RMM zeroed before handing them on");
	if (r->mec)
		rmm_stat(&k, "rmm", "mec_refreshes", CCSIM_STAT_COUNT, &r->stat_mec_refreshes,
			 "MECID keys EL3 refreshed as the RMM assigned or released a MEC");
	rmm_rsi_stats(r, &k);
	rmm_rec_stats(r, &k);
}

static bool trace_types(struct rmm *r, char *err, size_t errlen)
{
	static const struct { const char *name; size_t off; } t[] = {
		{ "note", offsetof(struct rmm_trace_types, note) },
		{ "rec.enter", offsetof(struct rmm_trace_types, rec_enter) },
		{ "rec.exit", offsetof(struct rmm_trace_types, rec_exit) },
		{ "virq.inject", offsetof(struct rmm_trace_types, virq_inject) },
		{ "guest.sea", offsetof(struct rmm_trace_types, guest_sea) },
		{ "guest.call", offsetof(struct rmm_trace_types, guest_call) },
		{ "guest.ret", offsetof(struct rmm_trace_types, guest_ret) },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		int id = r->svc->trace_type(r->host, t[i].name);
		if (id < 0) {
			snprintf(err, errlen, "rmm: the platform traces no %s records", t[i].name);
			return false;
		}
		memcpy((char *)&r->tr + t[i].off, &id, sizeof(id));
	}
	return true;
}

struct rmm *rmm_create(const struct ccsim_monitor_services *svc, void *host, char *err,
		       size_t errlen)
{
	struct rmm *r = g_new0(struct rmm, 1);
	uint64_t pgs = 0, timer = 0, mec = 0, width_m1 = 0;
	r->svc = svc;
	r->host = host;
	const struct mon_param keys[] = {
		{ "gpc.pgs", &pgs }, { "gpc.delegable_base", &r->deleg_base },
		{ "gpc.delegable_size", &r->deleg_size }, { "mem.pa_bits", &r->pa_bits },
		{ "sim.seed", &r->seed }, { "rmm.rec_entry_cycles", &r->rec_entry_cycles },
		{ "rmm.rec_exit_cycles", &r->rec_exit_cycles },
		{ "host.slice_cycles", &r->host_slice_cycles },
		{ "rmm.timer_inject_cycles", &r->timer_inject_cycles },
		{ "rmm.emulate_cycles", &r->emulate_cycles }, { "rmm.timer", &timer },
	};
	if (!mon_params(svc, host, "rmm", keys, G_N_ELEMENTS(keys), err, errlen) ||
	    !trace_types(r, err, errlen))
		goto fail;
	if (pgs != GRANULE_SIZE) {
		/* RMM 1.0 granules are 4 KB; the GPT must match */
		snprintf(err, errlen, "rmm: gpc.pgs is %llu; RMM 1.0 granules are 4 KB",
			 (unsigned long long)pgs);
		goto fail;
	}
	r->timer_rmm = timer == 1; /* rmm.timer's values: host, rmm */
	/* FEAT_MEC (ID_AA64MMFR3_EL1.MEC) and MECIDR_EL2.MECIDWidthm1; a
	 * platform that names neither has none */
	if (r->svc->param(r->host, "mec.enabled", &mec) == 0 && mec) {
		const struct mon_param width = { "mec.mecid_width_m1", &width_m1 };
		if (!mon_params(svc, host, "rmm", &width, 1, err, errlen))
			goto fail;
		if (!r->svc->mec_refresh) {
			snprintf(err, errlen, "rmm: FEAT_MEC needs the platform's mec_refresh service");
			goto fail;
		}
		r->mec = true;
		/* TF-RMM mecid_max: 2^width - 1 MECIDs less its own, MECID 0 */
		r->max_mecid = (1ull << (width_m1 + 1)) - 2;
	}
	r->ngranules = r->deleg_size / GRANULE_SIZE;
	r->state = g_malloc0(r->ngranules ? r->ngranules : 1);
	r->mec_state = g_malloc0(mec_count(r) ? mec_count(r) : 1);
	return r;
fail:
	g_free(r);
	return NULL;
}

void rmm_destroy(struct rmm *r)
{
	g_free(r->mec_state);
	g_free(r->state);
	g_free(r);
}

/* --- the ops table (its entries also a variant's: rmm_internal.h) --- */

void *rmm_mon_create(const struct ccsim_monitor_services *svc, void *host, char *err, size_t errlen)
{
	return rmm_create(svc, host, err, errlen);
}
void rmm_mon_destroy(void *mon) { rmm_destroy(mon); }
void rmm_mon_reset(void *mon) { rmm_reset(mon); }
int rmm_mon_owns_call(void *mon, uint64_t fid)
{
	return rmm_answers(mon, fid);
}
void rmm_mon_call(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	rmm_handle_rmi(mon, regs, cycles);
}
int rmm_mon_save(void *mon, ccsim_write_fn *write, void *ctx) { return rmm_save(mon, write, ctx); }
int rmm_mon_restore(void *mon, uint32_t version, const void *blob, size_t len)
{
	return rmm_restore(mon, version, blob, len);
}
void rmm_mon_stats(void *mon, ccsim_stat_fn *emit, void *ctx) { rmm_stats(mon, emit, ctx); }

int rmm_mon_query(void *mon, uint32_t what, uint64_t arg, void *out, size_t len)
{
	struct rmm *r = mon;
	switch (what) {
	case CCSIM_QUERY_GRANULE_STATES:
		for (size_t i = 0; i < len; i++) {
			int st = rmm_granule_state(r, arg + i * GRANULE_SIZE);
			((uint8_t *)out)[i] = (uint8_t)(st < 0 ? GRANULE_UNDELEGATED : st);
		}
		return 0;
	case CCSIM_QUERY_ABORTED: {
		uint64_t v[2] = { r->aborted_fid, r->aborted_status };
		if (len != sizeof(v))
			return -1;
		memcpy(out, v, sizeof(v));
		return 0;
	}
	case CCSIM_QUERY_GUEST_CALLS: {
		uint64_t n = rmm_realm_calls(r);
		if (len != sizeof(n))
			return -1;
		memcpy(out, &n, sizeof(n));
		return 0;
	}
	case CCSIM_QUERY_CALL_RESULTS: {
		const struct rmm_cmd *c = rmm_cmd_by_fid(arg);
		uint64_t n = c ? c->results : 1;
		if (len != sizeof(n))
			return -1;
		memcpy(out, &n, sizeof(n));
		return 0;
	}
	default:
		return -1;
	}
}

static const struct ccsim_monitor_ops rmm_ops =
	RMM_MONITOR_OPS("ccsim's Realm Management Monitor (Arm DEN0137 1.0-rel0; with FEAT_MEC, 1.1-alp12's MECIDs)",
			rmm_mon_call);

const struct ccsim_monitor_ops *rmm_monitor_ops(void)
{
	return &rmm_ops;
}
