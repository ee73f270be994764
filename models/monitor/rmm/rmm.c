/* RMM command dispatch and the granule commands; see rmm.h. Section numbers
 * refer to Arm DEN0137 1.0-rel0. */
#include "models/monitor/rmm/rmm.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "models/monitor/rmm/rmm_internal.h"

static void rmi_version(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles);
static void rmi_granule_delegate(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles);
static void rmi_granule_undelegate(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles);

/* The implemented commands, in FID order. Costs are the handler's own work
 * (argument checks, locking, state update) in cycles; memory traffic, cache
 * maintenance and EL3 calls are added by the models they go through. A
 * command's results are X0 and the output values of its interface table in
 * DEN0137 1.0-rel0 B3.3 (X1..X4 at most: RTT_READ_ENTRY's walk_level,
 * state, desc, ripas). */
static const struct rmm_cmd rmm_cmd_table[] = {
	{ RMI_VERSION, "version", 1, { "req" }, rmi_version, 50, 3 },
	{ RMI_GRANULE_DELEGATE, "granule_delegate", 1, { "addr" }, rmi_granule_delegate, 150, 1 },
	{ RMI_GRANULE_UNDELEGATE, "granule_undelegate", 1, { "addr" }, rmi_granule_undelegate, 150, 1 },
	{ RMI_DATA_CREATE, "data_create", 5, { "rd", "data", "ipa", "src", "flags" },
	  rmi_data_create, 400, 1 },
	{ RMI_DATA_CREATE_UNKNOWN, "data_create_unknown", 3, { "rd", "data", "ipa" },
	  rmi_data_create_unknown, 250, 1 },
	{ RMI_DATA_DESTROY, "data_destroy", 2, { "rd", "ipa" }, rmi_data_destroy, 250, 3 },
	{ RMI_REALM_ACTIVATE, "realm_activate", 1, { "rd" }, rmi_realm_activate, 100, 1 },
	{ RMI_REALM_CREATE, "realm_create", 2, { "rd", "params_ptr" }, rmi_realm_create, 600, 1 },
	{ RMI_REALM_DESTROY, "realm_destroy", 1, { "rd" }, rmi_realm_destroy, 300, 1 },
	{ RMI_REC_CREATE, "rec_create", 3, { "rd", "rec", "params_ptr" }, rmi_rec_create, 500, 1 },
	{ RMI_REC_DESTROY, "rec_destroy", 1, { "rec" }, rmi_rec_destroy, 250, 1 },
	{ RMI_REC_ENTER, "rec_enter", 2, { "rec", "run_ptr" }, rmi_rec_enter, 300, 1 },
	{ RMI_RTT_CREATE, "rtt_create", 4, { "rd", "rtt", "ipa", "level" }, rmi_rtt_create, 300, 1 },
	{ RMI_RTT_DESTROY, "rtt_destroy", 3, { "rd", "ipa", "level" }, rmi_rtt_destroy, 300, 3 },
	{ RMI_RTT_MAP_UNPROTECTED, "rtt_map_unprotected", 4, { "rd", "ipa", "level", "desc" },
	  rmi_rtt_map_unprotected, 200, 1 },
	{ RMI_RTT_READ_ENTRY, "rtt_read_entry", 3, { "rd", "ipa", "level" }, rmi_rtt_read_entry, 150, 5 },
	{ RMI_RTT_UNMAP_UNPROTECTED, "rtt_unmap_unprotected", 3, { "rd", "ipa", "level" },
	  rmi_rtt_unmap_unprotected, 200, 2 },
	{ RMI_PSCI_COMPLETE, "psci_complete", 3, { "calling_rec", "target_rec", "status" },
	  rmi_psci_complete, 200, 1 },
	{ RMI_FEATURES, "features", 1, { "index" }, rmi_features, 50, 2 },
	{ RMI_RTT_FOLD, "rtt_fold", 3, { "rd", "ipa", "level" }, rmi_rtt_fold, 300, 2 },
	{ RMI_REC_AUX_COUNT, "rec_aux_count", 1, { "rd" }, rmi_rec_aux_count, 80, 2 },
	{ RMI_RTT_INIT_RIPAS, "rtt_init_ripas", 3, { "rd", "base", "top" }, rmi_rtt_init_ripas, 300, 2 },
	{ RMI_RTT_SET_RIPAS, "rtt_set_ripas", 4, { "rd", "rec_ptr", "base", "top" },
	  rmi_rtt_set_ripas, 300, 2 },
	/* DEN0137 1.1-alp12, with FEAT_MEC only (rmm_answers) */
	{ RMI_MEC_SET_SHARED, "mec_set_shared", 1, { "mecid" }, rmi_mec_set_shared, 150, 1 },
	{ RMI_MEC_SET_PRIVATE, "mec_set_private", 1, { "mecid" }, rmi_mec_set_private, 150, 1 },
};
#define NCMDS (sizeof(rmm_cmd_table) / sizeof(rmm_cmd_table[0]))
G_STATIC_ASSERT(NCMDS <= RMM_NCMDS);

size_t rmm_cmds(const struct rmm_cmd **out)
{
	*out = rmm_cmd_table;
	return NCMDS;
}

const struct rmm_cmd *rmm_cmd_by_fid(uint64_t fid)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (rmm_cmd_table[i].fid == fid)
			return &rmm_cmd_table[i];
	return NULL;
}

const struct rmm_cmd *rmm_cmd_by_name(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(rmm_cmd_table[i].name, name) == 0)
			return &rmm_cmd_table[i];
	return NULL;
}

bool rmm_owns_fid(uint64_t fid)
{
	return rmm_cmd_by_fid(fid) != NULL;
}

bool rmm_answers(const struct rmm *r, uint64_t fid)
{
	if (fid == RMI_MEC_SET_SHARED || fid == RMI_MEC_SET_PRIVATE)
		return r->mec;
	return rmm_owns_fid(fid);
}

const char *rmi_status_name(uint64_t x0)
{
	static const char *const n[] = { "rmi.success", "rmi.error_input", "rmi.error_realm",
					 "rmi.error_rec", "rmi.error_rtt" };
	if (x0 == UINT64_MAX)
		return "smc.unknown";
	return (x0 & 0xff) < sizeof(n) / sizeof(n[0]) ? n[x0 & 0xff] : "rmi.?";
}

const char *rmi_exit_reason_name(unsigned reason)
{
	static const char *const n[RMI_EXIT_COUNT] = { "sync", "irq", "fiq", "psci",
						       "ripas_change", "host_call", "serror" };
	return reason < RMI_EXIT_COUNT ? n[reason] : "?";
}

/* --- granule bookkeeping --- */

/* PaIsDelegable: inside the L1-mapped range EL3 may move between PASes
 * (the profile's gpc.delegable_base / size). */
static bool pa_is_delegable(const struct rmm *r, uint64_t pa)
{
	return pa >= r->deleg_base && pa - r->deleg_base < r->deleg_size;
}

bool rmm_pa_is_delegable(const struct rmm *r, uint64_t pa)
{
	return pa_is_delegable(r, pa);
}

bool rmm_granule_is(const struct rmm *r, uint64_t pa, enum rmm_granule_state state)
{
	return pa % GRANULE_SIZE == 0 && pa_is_delegable(r, pa) &&
	       r->state[(pa - r->deleg_base) / GRANULE_SIZE] == state;
}

void rmm_granule_set(struct rmm *r, uint64_t pa, enum rmm_granule_state state)
{
	g_assert(pa % GRANULE_SIZE == 0 && pa_is_delegable(r, pa));
	uint8_t *g = &r->state[(pa - r->deleg_base) / GRANULE_SIZE];
	r->changes += *g != (uint8_t)state;
	*g = (uint8_t)state;
}

bool rmm_vmid_used(const struct rmm *r, uint64_t vmid)
{
	return vmid < 65536 && (r->vmid_used[vmid / 8] >> (vmid % 8)) & 1;
}

void rmm_vmid_set(struct rmm *r, uint64_t vmid, bool used)
{
	g_assert(vmid < 65536);
	r->changes += rmm_vmid_used(r, vmid) != used;
	if (used)
		r->vmid_used[vmid / 8] |= (uint8_t)(1u << (vmid % 8));
	else
		r->vmid_used[vmid / 8] &= (uint8_t)~(1u << (vmid % 8));
}

static uint8_t *granule(struct rmm *r, uint64_t pa)
{
	return &r->state[(pa - r->deleg_base) / GRANULE_SIZE];
}

int rmm_granule_state(const struct rmm *r, uint64_t pa)
{
	if (!pa_is_delegable(r, pa))
		return -1;
	return r->state[(pa - r->deleg_base) / GRANULE_SIZE];
}

/* A fault inside the RMM itself: like a firmware panic, it stops answering
 * (every later call returns SMC_UNKNOWN), traced with the cause. */
static void rmm_panic(struct rmm *r, uint64_t pa, const char *why)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "rmm panic: %s at 0x%llx", why, (unsigned long long)pa);
	r->panicked = 1;
	r->svc->trace(r->host, r->tr.note, pa, 0, 0, 0, msg, (uint32_t)n);
}

void rmm_stat(const struct rmm_stat_sink *k, const char *prefix, const char *name, uint32_t kind,
	      const uint64_t *value, const char *desc)
{
	gchar *full = g_strdup_printf("%s.%s", prefix, name);
	k->emit(k->ctx, full, kind, value, desc);
	g_free(full);
}

void rmm_cmd_stats(const struct rmm_stat_sink *k, const char *prefix, bool rsi,
		   const uint64_t *calls, const uint64_t *errors, const uint64_t *cycles)
{
	rmm_stat(k, prefix, "calls", CCSIM_STAT_COUNT, calls,
		 rsi ? "realm calls of this RSI command" : "host calls of this RMI command");
	rmm_stat(k, prefix, "errors", CCSIM_STAT_COUNT, errors,
		 rsi ? "calls answered with an error (not RSI_SUCCESS or RSI_INCOMPLETE)"
		     : "calls answered with a status other than RMI_SUCCESS");
	rmm_stat(k, prefix, "cycles", CCSIM_STAT_CYCLES, cycles,
		 "monitor cycles spent in this command");
}

/* The RMM's loads and stores at `pa` in `pas`, through the machine's
 * memory path with Realm EL2's rights, `*cycles` into the call it serves
 * (the platform splits them into lines): 0, 1 on a fault (*f), -errno. */
static int rmm_mem(struct rmm *r, uint64_t pa, void *buf, size_t len, bool write, enum cc_pas pas,
		   uint32_t mecid, struct ccsim_fault *f, uint64_t *cycles)
{
	struct ccsim_mem_req q = { .pa = pa, .len = len, .write = write, .pas = pas, .key = -1,
				   .mecid = mecid };
	return r->svc->mem(r->host, &q, buf, f, cycles);
}

static const char *fault_name(struct rmm *r, int rc, const struct ccsim_fault *f)
{
	return rc == 1 ? r->svc->fault_name(r->host, f->kind) : "bus error";
}

/* Zero a granule through the Realm PAS, as the RMM does with a write loop
 * through its own mapping: DRAM ends up holding the Realm key's encryption of
 * zeros, and no plaintext of the previous owner survives. */
static int granule_scrub(struct rmm *r, uint64_t pa, uint32_t mecid, uint64_t *cycles)
{
	static const uint8_t zero[GRANULE_SIZE];
	struct ccsim_fault f;
	r->changes++;
	int rc = rmm_mem(r, pa, (void *)zero, GRANULE_SIZE, true, PAS_REALM, mecid, &f, cycles);
	/* Only a platform bug (a stale GPT entry, see gpc.el3_tlbi) can fault
	 * here; the RMM cannot recover from its own fault. */
	if (rc) {
		rmm_panic(r, pa, fault_name(r, rc, &f));
		return -EFAULT;
	}
	/* Arm ARM FEAT_MEC: caches need not tell MECIDs apart before the point
	 * of encryption, so memory the next user reaches under another MECID
	 * is cleaned to it first (DC CIPAE; TF-RMM granule_dcci_poe) */
	if (r->mec && r->svc->cache_flush(r->host, pa, GRANULE_SIZE, cycles)) {
		rmm_panic(r, pa, "cache maintenance to the point of encryption failed");
		return -EFAULT;
	}
	r->stat_scrubbed++;
	return 0;
}

int rmm_granule_scrub(struct rmm *r, uint64_t pa, uint64_t *cycles)
{
	return granule_scrub(r, pa, 0, cycles);
}

int rmm_granule_scrub_realm(struct rmm *r, uint64_t pa, uint64_t *cycles)
{
	return granule_scrub(r, pa, r->alt_mecid, cycles);
}

static void realm_rw(struct rmm *r, uint64_t pa, void *buf, size_t len, bool write,
		     uint32_t mecid, uint64_t *cycles)
{
	struct ccsim_fault f;
	if (r->panicked) {
		if (!write)
			memset(buf, 0, len);
		return;
	}
	r->changes += write;
	int rc = rmm_mem(r, pa, buf, len, write, PAS_REALM, mecid, &f, cycles);
	if (rc) {
		rmm_panic(r, pa, fault_name(r, rc, &f));
		if (!write)
			memset(buf, 0, len);
	}
}

void rmm_realm_read(struct rmm *r, uint64_t pa, void *buf, size_t len, uint64_t *cycles)
{
	realm_rw(r, pa, buf, len, false, 0, cycles);
}

void rmm_realm_write(struct rmm *r, uint64_t pa, const void *buf, size_t len, uint64_t *cycles)
{
	realm_rw(r, pa, (void *)buf, len, true, 0, cycles);
}

void rmm_realm_mem_read(struct rmm *r, uint64_t pa, void *buf, size_t len, uint64_t *cycles)
{
	realm_rw(r, pa, buf, len, false, r->alt_mecid, cycles);
}

void rmm_realm_mem_write(struct rmm *r, uint64_t pa, const void *buf, size_t len,
			 uint64_t *cycles)
{
	realm_rw(r, pa, (void *)buf, len, true, r->alt_mecid, cycles);
}

int rmm_ns_read(struct rmm *r, uint64_t pa, void *buf, size_t len, uint64_t *cycles)
{
	struct ccsim_fault f;
	return rmm_mem(r, pa, buf, len, false, PAS_NS, 0, &f, cycles) ? 1 : 0;
}

int rmm_ns_write(struct rmm *r, uint64_t pa, const void *buf, size_t len, uint64_t *cycles)
{
	struct ccsim_fault f;
	r->changes++;
	return rmm_mem(r, pa, (void *)buf, len, true, PAS_NS, 0, &f, cycles) ? 1 : 0;
}

int rmm_realm_info(struct rmm *r, uint64_t rd, int *state, uint8_t rim[64])
{
	struct rmm_rd d;
	uint64_t c = 0;
	if (!rmm_granule_is(r, rd, GRANULE_RD))
		return -EINVAL;
	rmm_rd_load(r, rd, &d, &c);
	*state = (int)d.state;
	memcpy(rim, d.rim, 64);
	return 0;
}

int rmm_rec_ripas_request(struct rmm *r, uint64_t rec, uint64_t base, uint64_t top,
			  unsigned ripas, bool change_destroyed)
{
	struct rmm_rec e;
	uint64_t c = 0;
	if (!rmm_granule_is(r, rec, GRANULE_REC))
		return -EINVAL;
	rmm_realm_read(r, rec, &e, sizeof(e), &c);
	rmm_rec_set_ripas_request(&e, base, top, ripas, change_destroyed);
	rmm_realm_write(r, rec, &e, sizeof(e), &c);
	return 0;
}

/* --- commands --- */

/* B3.3.23 RMI_VERSION: no failure conditions; result SUCCESS if the
 * requested revision is implemented, ERROR_INPUT otherwise, with the
 * lowest and highest implemented revisions in X1 and X2. */
static void rmi_version(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles)
{
	(void)r;
	(void)cycles;
	uint64_t req = regs[1];
	regs[0] = rmi_return(req == RMI_ABI_VERSION ? RMI_SUCCESS : RMI_ERROR_INPUT, 0);
	regs[1] = RMI_ABI_VERSION;
	regs[2] = RMI_ABI_VERSION;
}

/* B3.3.5 RMI_GRANULE_DELEGATE. Failure conditions, in the order the spec's
 * B3.3.5.2 ordering imposes: gran_align < gran_bound < gran_state < gran_gpt.
 * On success the granule is DELEGATED and its GPI is Realm (EL3 changes the
 * GPT with cache maintenance and TLBI RPALOS), and it is zeroed. */
static void rmi_granule_delegate(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles)
{
	uint64_t addr = regs[1];
	if (addr % GRANULE_SIZE) {              /* gran_align */
		regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
		return;
	}
	if (!pa_is_delegable(r, addr)) {        /* gran_bound: !PaIsDelegable(addr) */
		regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
		return;
	}
	if (*granule(r, addr) != GRANULE_UNDELEGATED) { /* gran_state */
		regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
		return;
	}
	int rc = r->svc->el3_delegate(r->host, addr, cycles);
	if (rc) {                               /* gran_gpt: Granule(addr).gpt != GPT_NS */
		regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
		return;
	}
	*granule(r, addr) = GRANULE_DELEGATED;
	if (rmm_granule_scrub(r, addr, cycles)) {
		regs[0] = UINT64_MAX;
		return;
	}
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* B3.3.6 RMI_GRANULE_UNDELEGATE. Failure conditions: gran_align <
 * gran_bound < gran_state (state must be DELEGATED). On success the content
 * is wiped (the RMM zeroes it before asking EL3 to return it to NS), the GPI
 * is NS and the state UNDELEGATED. */
static void rmi_granule_undelegate(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles)
{
	uint64_t addr = regs[1];
	if (addr % GRANULE_SIZE || !pa_is_delegable(r, addr) ||
	    *granule(r, addr) != GRANULE_DELEGATED) {
		regs[0] = rmi_return(RMI_ERROR_INPUT, 0);
		return;
	}
	if (rmm_granule_scrub(r, addr, cycles)) {
		regs[0] = UINT64_MAX;
		return;
	}
	int rc = r->svc->el3_undelegate(r->host, addr, cycles);
	/* A DELEGATED granule is Realm in the GPT: EL3 refusing is a model bug. */
	g_assert(rc == 0);
	*granule(r, addr) = GRANULE_UNDELEGATED;
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

void rmm_note_abort(struct rmm *r, uint64_t fid, uint64_t status, uint64_t changes_before)
{
	if (!r->panicked && r->changes != changes_before && !r->aborted_fid) {
		r->aborted_fid = fid;
		r->aborted_status = status;
	}
}

void rmm_handle_rmi(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles)
{
	const struct rmm_cmd *c = rmm_cmd_by_fid(regs[0]);
	size_t i = (size_t)(c - rmm_cmd_table);
	uint64_t before = *cycles;
	g_assert(c);
	if (r->panicked) {
		regs[0] = UINT64_MAX;
		return;
	}
	*cycles += c->cost;
	uint64_t fid = regs[0], changes = r->changes;
	r->alt_mecid = 0;
	c->handler(r, regs, cycles);
	r->alt_mecid = 0; /* TF-RMM: MECID registers reset before the RMM returns */
	if (r->panicked)
		regs[0] = UINT64_MAX; /* a fault inside the handler: no answer */
	r->stat_calls[i]++;
	if ((regs[0] & 0xff) != RMI_SUCCESS) {
		r->stat_errors[i]++;
		rmm_note_abort(r, fid, regs[0], changes);
	}
	r->stat_cycles[i] += *cycles - before;
}

