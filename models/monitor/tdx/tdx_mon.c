/* The TDX module behind the monitor interface (include/ccsim/monitor.h):
 * SEAMCALLs as registers (TDH.VP.ENTER's sixteen GPRs beside them,
 * call_buf), ccsim's own calls (tdx_abi.h TDX_SIM_*: the TD VMCS fields
 * the host writes, its LP timer and the timer it arms, a vm actor's regime
 * and accepts), its state as a checkpoint blob, its statistics and the
 * platform's questions (the PAMT / Secure EPT invariant, whether TDX is
 * disabled, a page's PAMT state, a vCPU's waiting interrupts, KeyIDs).
 * The module reaches the machine only through the services: memory by
 * KeyID and LP, keys, caches and TLBs, TD vCPUs run on an LP (guest_run
 * with an x86 regime), time and trace. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/monitor/builtin.h"
#include "models/monitor/tdx/tdx_internal.h"
#include "sim/buf.h"

/* Its blob: 2 the global state, KOT and the single-step defence's LFSRs
 * and counters; 1 (ccsim up to checkpoint format 5) without the defence,
 * whose state came in a record of its own, which the slot hands over as a
 * blob of version TDX_STATE_STEP_RECORD (tdx_abi.h). */
#define TDX_STATE_VERSION 2

static void *mon_create(const struct ccsim_monitor_services *svc, void *host, char *err,
			size_t errlen)
{
	return tdx_create(svc, host, err, errlen);
}

static void mon_destroy(void *mon) { tdx_destroy(mon); }
static void mon_reset(void *mon) { tdx_reset(mon); }

static int mon_owns_call(void *mon, uint64_t fid)
{
	(void)mon;
	return tdx_leaf_by_number(fid) != NULL;
}

/* ccsim's own calls (tdx_abi.h TDX_SIM_*): no SEAMCALL time, no trace. */
static void sim_call(struct tdx *t, uint64_t regs[CCSIM_MONITOR_REGS], void *buf, size_t len,
		     uint64_t *cycles)
{
	unsigned lp = (unsigned)regs[TDX_MON_LP];
	uint64_t a = regs[TDX_MON_RCX], b = regs[TDX_MON_RDX];
	int rc = 0;
	if (regs[TDX_MON_LP] >= tdx_lps(t)) {
		regs[TDX_MON_RAX] = TDX_SIM_EINVAL;
		return;
	}
	switch (regs[TDX_MON_RAX]) {
	case TDX_SIM_VP_SHARED_EPTP:
		rc = tdx_vp_set_shared_eptp(t, a, b);
		break;
	case TDX_SIM_VP_PID:
		rc = tdx_vp_set_pid(t, a, b);
		break;
	case TDX_SIM_LP_ARM:
		tdx_lp_arm(t, lp, a, b);
		break;
	case TDX_SIM_LP_TIMER:
		tdx_lp_set_timer(t, lp, a);
		break;
	case TDX_SIM_VP_REGIME:
		rc = buf && len == sizeof(struct ccsim_guest_regime) ? tdx_vp_regime(t, a, lp, buf)
								      : -EINVAL;
		break;
	case TDX_SIM_TD_ACCEPT:
		regs[TDX_MON_RAX] = tdx_td_accept(t, lp, a, b, cycles);
		return;
	default:
		rc = -EINVAL;
		break;
	}
	regs[TDX_MON_RAX] = rc ? TDX_SIM_EINVAL : 0;
}

/* One SEAMCALL from the LP regs[TDX_MON_LP] names; one the machine does
 * not have cannot execute SEAMCALL (VMfailInvalid). */
static void mon_call(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	struct tdx *t = mon;
	uint64_t r[TDX_NREGS] = { 0 };
	uint64_t lp = regs[TDX_MON_LP];
	if (regs[TDX_MON_RAX] & TDX_SIM_CALL) {
		sim_call(t, regs, NULL, 0, cycles);
		return;
	}
	if (lp >= tdx_lps(t)) {
		regs[TDX_MON_RAX] = TDX_SEAMCALL_VMFAILINVALID;
		return;
	}
	tdx_regs_from_mon(regs, r);
	tdx_seamcall(t, (unsigned)lp, r, cycles);
	tdx_regs_to_mon(r, lp, regs);
}

/* A SEAMCALL whose GPRs take all sixteen registers (TDH.VP.ENTER: the TD's
 * GPRs on the way out, the VMCALL's results on the way in): regs as for
 * call (the LP in regs[TDX_MON_LP]), the sixteen GPRs by x86 encoding in
 * buf (uint64_t[16]), which win over regs. */
static void mon_call_buf(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], void *buf, size_t len,
			 uint64_t *cycles)
{
	struct tdx *t = mon;
	uint64_t r[TDX_NREGS];
	uint64_t lp = regs[TDX_MON_LP];
	if (regs[TDX_MON_RAX] & TDX_SIM_CALL) {
		sim_call(t, regs, buf, len, cycles);
		return;
	}
	if (!buf || len != sizeof(r)) {
		mon_call(mon, regs, cycles);
		return;
	}
	if (lp >= tdx_lps(t)) {
		regs[TDX_MON_RAX] = TDX_SEAMCALL_VMFAILINVALID;
		return;
	}
	memcpy(r, buf, sizeof(r));
	tdx_seamcall(t, (unsigned)lp, r, cycles);
	memcpy(buf, r, sizeof(r));
	tdx_regs_to_mon(r, lp, regs);
}

static int mon_save(void *mon, ccsim_write_fn *write, void *ctx)
{
	struct sim_buf b;
	sim_buf_init(&b);
	tdx_save(mon, &b);
	write(ctx, b.data, b.len);
	sim_buf_free(&b);
	return 0;
}

static int mon_restore(void *mon, uint32_t version, const void *blob, size_t len)
{
	struct tdx *t = mon;
	struct sim_reader in;
	sim_reader_init(&in, blob, len);
	if (version == TDX_STATE_STEP_RECORD)
		return tdx_step_restore(t->step, &in) || in.pos != len ? -1 : 0;
	if (version != 1 && version != TDX_STATE_VERSION)
		return -1;
	return tdx_restore(t, &in, version != 1) || in.pos != len ? -1 : 0;
}


static void mon_stats(void *mon, ccsim_stat_fn *emit, void *ctx) { tdx_stats(mon, emit, ctx); }

static int answer(void *out, size_t len, uint64_t v)
{
	if (len != sizeof(v))
		return -1;
	memcpy(out, &v, sizeof(v));
	return 0;
}

static int mon_query(void *mon, uint32_t what, uint64_t arg, void *out, size_t len)
{
	struct tdx *t = mon;
	switch (what) {
	case CCSIM_QUERY_ACTIVITY:
		return answer(out, len, tdx_activity(t));
	case CCSIM_QUERY_INVARIANT:
		if (!len)
			return -1;
		((char *)out)[0] = '\0';
		if (tdx_inv_check(t, out, len) && !((char *)out)[0])
			g_strlcpy(out, "tdx: the PAMT and the Secure EPTs disagree", len);
		return 0;
	case CCSIM_QUERY_PLATFORM_STATE:
		return answer(out, len, t->sys_state);
	case CCSIM_QUERY_DISABLED:
		return answer(out, len, tdx_disabled(t));
	case CCSIM_QUERY_PAGE_FREE:
		return answer(out, len, tdx_page_free(t, arg));
	case CCSIM_QUERY_VIRQ_WAITING:
		return answer(out, len, tdx_vp_virq_waiting(t, arg & ~0xfffull, (uint32_t)(arg & 0xff)));
	case CCSIM_QUERY_KEYIDS: {
		const uint64_t v[3] = { t->first_private, t->keyids, t->global_keyid };
		if (len != sizeof(v))
			return -1;
		memcpy(out, v, sizeof(v));
		return 0;
	}
	case CCSIM_QUERY_KEYID_FREE:
		return answer(out, len, arg < t->keyids && t->kot[arg] == KOT_STATE_HKID_FREE);
	case CCSIM_QUERY_CALL_RESULTS:
		return tdx_leaf_by_number(arg) ? answer(out, len, TDX_MON_LP) : -1;
	default:
		return -1;
	}
}

static const struct ccsim_monitor_ops tdx_ops = {
	.abi_version = CCSIM_MONITOR_ABI_VERSION,
	.kind = CCSIM_MONITOR_TDX,
	.name = "tdx",
	.description = "ccsim's TDX module (Intel TDX Module v1.5 ABI)",
	.state_version = TDX_STATE_VERSION,
	.create = mon_create,
	.destroy = mon_destroy,
	.reset = mon_reset,
	.owns_call = mon_owns_call,
	.call = mon_call,
	.save = mon_save,
	.restore = mon_restore,
	.stats = mon_stats,
	.query = mon_query,
	.call_buf = mon_call_buf,
};

const struct ccsim_monitor_ops *tdx_monitor_ops(void)
{
	return &tdx_ops;
}
