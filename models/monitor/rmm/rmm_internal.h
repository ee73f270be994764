/* Shared by the RMM's command files (rmm.c granules, rmm_realm.c realms and
 * RECs, rmm_rtt.c RTTs and data): granule bookkeeping, the RMM's own memory
 * accesses, the RD / REC layouts, RTT descriptors and the RIM. Arm DEN0137
 * 1.0-rel0. Not for use outside models/monitor/rmm. */
#ifndef CCSIM_RMM_INTERNAL_H
#define CCSIM_RMM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "models/mmu/pt.h"
#include "models/monitor/rmm/rmm.h"

#define GRANULE_SIZE 4096ull

/* Implementation-defined values this RMM reports in RmiFeatureRegister0 and
 * enforces in RMI_REALM_CREATE / RMI_REC_CREATE. */
#define RMM_MAX_S2SZ 48     /* IPA width; no LPA2 */
#define RMM_MIN_S2SZ 32     /* TF-RMM: PARange 0b0000 */
#define RMM_NUM_BPS 6
#define RMM_NUM_WPS 4
#define RMM_REC_AUX_COUNT 2 /* RMI_REC_AUX_COUNT: auxiliary granules per REC */
#define RMM_RTT_PAGE_LEVEL 3
#define RMM_RTT_MIN_BLOCK_LEVEL 2

/* The RD as the RMM keeps it inside the RD granule (Realm PAS), so a
 * snapshot of memory carries it and the host cannot read it. */
struct rmm_rd {
	uint64_t state;       /* enum rmm_realm_state */
	uint64_t algo;        /* RMI_HASH_SHA_* */
	uint64_t s2sz;
	int64_t level_start;
	uint64_t num_start;
	uint64_t rtt_base;
	uint64_t vmid;
	uint64_t num_recs;    /* RECs created and not destroyed: the RD's refcount */
	uint64_t rec_index;   /* index the next REC must have (never goes down) */
	uint64_t flags;
	uint8_t rim[64];      /* SHA-256 uses the first 32 bytes */
	uint8_t rpv[64];
	uint64_t mecid;       /* DEN0137 1.1-alp12 RmiRealmParams.mecid (0 without FEAT_MEC) */
};

/* A REC inside its REC granule. ripas_* is the pending RIPAS change request
 * (A5.4) a REC exit with RIPAS_CHANGE leaves for RMI_RTT_SET_RIPAS. */
struct rmm_rec {
	uint64_t owner;       /* RD address */
	uint64_t index;       /* rec_index, from MPIDR */
	uint64_t runnable;
	uint64_t mpidr;
	uint64_t pc;
	uint64_t gprs[8];
	uint64_t num_aux;
	uint64_t aux[RMI_REC_AUX_MAX];
	uint64_t ripas_addr, ripas_top, ripas_value;
	uint64_t ripas_change_destroyed; /* the request may change DESTROYED entries */
};

/* RSI state (rmm_rsi.c), kept in the second half of the RD and REC
 * granules so that RMI commands, which load only struct rmm_rd / rmm_rec,
 * do not pay for it. Zero (the granule is scrubbed) means nothing measured
 * or pending. */
#define RMM_RSI_STATE_OFF 0x800
#define RMM_REC_VCPU_OFF 0x400
#define RMM_REC_RUN_OFF 0xc00
struct rmm_rd_rsi {
	uint8_t rem[4][64];   /* REMs 1..4 (A7.1.2), extended by RSI_MEASUREMENT_EXTEND */
};
struct rmm_rec_rsi {
	uint64_t pending;         /* enum rmm_rsi_pending: a call awaiting the next REC entry */
	uint64_t host_call_addr;  /* IPA of the pending RsiHostCall */
	uint64_t attest_state;    /* enum rmm_attest_state (B4.3.1 / B4.3.2) */
	uint64_t attest_len;      /* token bytes, kept in the REC's auxiliary granules */
	uint64_t attest_off;      /* bytes already handed to the realm */
	uint8_t attest_challenge[64];
};
G_STATIC_ASSERT(sizeof(struct rmm_rd) <= RMM_RSI_STATE_OFF);
G_STATIC_ASSERT(sizeof(struct rmm_rec) <= RMM_REC_VCPU_OFF);

/* The REC's execution state (rmm_rec.c): the vCPU registers at 0x400 (the
 * REC granule is Realm PAS: the host never sees them) and the run loop's
 * bookkeeping at 0xc00. */
struct rmm_rec_run {
	uint64_t last_exit;     /* RMI_EXIT_* + 1 of the last exit; 0: never entered */
	uint64_t emul_abort;    /* the last exit was an emulatable data abort (A4.3.x) */
	uint64_t abort_write, abort_reg, abort_size;
	uint64_t abort_unprot;  /* the last exit was a data abort at an unprotected IPA */
	uint64_t psci_pending;  /* PSCI FID awaiting RMI_PSCI_COMPLETE (CPU_ON, AFFINITY_INFO) */
	uint64_t psci_target;   /* its target MPIDR */
	uint64_t psci_entry, psci_ctx;
};
G_STATIC_ASSERT(sizeof(struct rmm_rec_run) <= GRANULE_SIZE - RMM_REC_RUN_OFF);

enum rmm_rsi_pending { RSI_PENDING_NONE = 0, RSI_PENDING_HOST_CALL, RSI_PENDING_RIPAS };
enum rmm_attest_state {
	ATTEST_NONE = 0,        /* NO_ATTEST_IN_PROGRESS */
	ATTEST_IN_PROGRESS,
	ATTEST_FAILED,          /* in progress, but the token could not be built */
};

/* The pending RIPAS change request of A5.4, as RSI_IPA_STATE_SET leaves it. */
static inline void rmm_rec_set_ripas_request(struct rmm_rec *e, uint64_t base, uint64_t top,
					     unsigned ripas, bool change_destroyed)
{
	e->ripas_addr = base;
	e->ripas_top = top;
	e->ripas_value = ripas;
	e->ripas_change_destroyed = change_destroyed;
}

/* MPIDR -> REC index (B2.x, RmiRecMpidr): Aff0[3:0], Aff1, Aff2, Aff3;
 * false if a bit outside those fields is set. */
static inline bool mpidr_to_index(uint64_t mpidr, uint64_t *index)
{
	const uint64_t fields = 0xfull | 0xffull << 8 | 0xffull << 16 | 0xffull << 32;
	if (mpidr & ~fields)
		return false;
	*index = (mpidr & 0xf) | ((mpidr >> 8) & 0xff) << 4 | ((mpidr >> 16) & 0xff) << 12 |
		 ((mpidr >> 32) & 0xff) << 20;
	return true;
}

/* --- granules and memory (rmm.c) --- */
bool rmm_pa_is_delegable(const struct rmm *r, uint64_t pa);
/* Aligned, delegable and in `state`: the usual *_align/_bound/_state trio. */
bool rmm_granule_is(const struct rmm *r, uint64_t pa, enum rmm_granule_state state);
void rmm_granule_set(struct rmm *r, uint64_t pa, enum rmm_granule_state state);
/* Zero through the Realm PAS (panics the RMM on a fault); 0 or -EFAULT.
 * _realm: under the MECID of the realm the RMM works on (alt_mecid), as a
 * granule leaving a realm is. With FEAT_MEC either is then cleaned and
 * invalidated to the point of encryption (TF-RMM granule_dcci_poe), so no
 * line of it stays cached under a MECID its next user does not carry. */
int rmm_granule_scrub(struct rmm *r, uint64_t pa, uint64_t *cycles);
int rmm_granule_scrub_realm(struct rmm *r, uint64_t pa, uint64_t *cycles);
/* The RMM's accesses to Realm memory it owns. A fault panics the RMM (it
 * then answers SMC_UNKNOWN); reads of a faulting access return zeros.
 * rmm_realm_*: its own granules (RD, REC, auxiliary), the default MECID;
 * rmm_realm_mem_*: a realm's RTTs and data, under alt_mecid. */
void rmm_realm_read(struct rmm *r, uint64_t pa, void *buf, size_t len, uint64_t *cycles);
void rmm_realm_write(struct rmm *r, uint64_t pa, const void *buf, size_t len, uint64_t *cycles);
void rmm_realm_mem_read(struct rmm *r, uint64_t pa, void *buf, size_t len, uint64_t *cycles);
void rmm_realm_mem_write(struct rmm *r, uint64_t pa, const void *buf, size_t len,
			 uint64_t *cycles);
/* The MECID a realm's accesses carry (host MECID + 1; 0 without FEAT_MEC). */
static inline uint32_t rmm_hw_mecid(const struct rmm *r, uint64_t host_mecid)
{
	return r->mec ? (uint32_t)host_mecid + 1 : 0;
}
/* A read of host memory through the NS PAS, as the RMM's NS mapping does:
 * 0, or 1 if the GPC refuses it (the granule is not NS: *_pas conditions). */
int rmm_ns_read(struct rmm *r, uint64_t pa, void *buf, size_t len, uint64_t *cycles);
int rmm_ns_write(struct rmm *r, uint64_t pa, const void *buf, size_t len, uint64_t *cycles);
bool rmm_vmid_used(const struct rmm *r, uint64_t vmid);
/* After a command that failed with `status`: if the RMM's state changed
 * since `changes_before`, record it (struct rmm's aborted_fid). */
void rmm_note_abort(struct rmm *r, uint64_t fid, uint64_t status, uint64_t changes_before);
void rmm_vmid_set(struct rmm *r, uint64_t vmid, bool used);

static inline void rmm_rd_load(struct rmm *r, uint64_t rd, struct rmm_rd *d, uint64_t *cycles)
{
	rmm_realm_read(r, rd, d, sizeof(*d), cycles);
	r->alt_mecid = rmm_hw_mecid(r, d->mecid); /* the realm it now works on */
}
static inline void rmm_rd_store(struct rmm *r, uint64_t rd, const struct rmm_rd *d,
				uint64_t *cycles)
{
	rmm_realm_write(r, rd, d, sizeof(*d), cycles);
}

/* The rd_align / rd_bound / rd_state trio, then the RD loaded. */
static inline bool rmm_rd_get(struct rmm *r, uint64_t rd, struct rmm_rd *d, uint64_t *cycles)
{
	if (!rmm_granule_is(r, rd, GRANULE_RD))
		return false;
	rmm_rd_load(r, rd, d, cycles);
	return true;
}
static inline bool rmm_ipa_aligned(uint64_t ipa, unsigned level)
{
	return ipa % pt_level_size(level) == 0;
}
static inline bool rmm_ipa_in_realm(const struct rmm_rd *d, uint64_t ipa)
{
	return ipa < 1ull << d->s2sz;
}
/* AddrIsProtected: the lower half of the realm's IPA space. */
static inline bool rmm_ipa_protected(const struct rmm_rd *d, uint64_t ipa)
{
	return ipa < 1ull << (d->s2sz - 1);
}
static inline void rmm_fail(uint64_t regs[RMI_REGS], enum rmi_status st, unsigned index)
{
	regs[0] = rmi_return(st, index);
}

/* --- measurement (rmm_realm.c), A7.1 --- */
size_t rmm_hash_len(uint64_t algo);
void rmm_hash(uint64_t algo, const void *buf, size_t len, uint8_t out[64]);
/* RIM = H(desc), where desc (RMM_MEAS_DESC_LEN bytes) already holds the old RIM. */
void rmm_rim_extend(struct rmm_rd *d, uint8_t desc[RMM_MEAS_DESC_LEN]);

/* --- RTTs (rmm_rtt.c) --- */
struct rmm_rtte {
	enum rmm_rtte_state state;
	unsigned ripas;  /* UNASSIGNED / ASSIGNED only */
	uint64_t addr;   /* ASSIGNED*: output address; TABLE: next RTT */
	uint64_t attrs;  /* ASSIGNED_NS: MemAttr, S2AP, SH from the host's desc */
};
struct rmm_walk {
	unsigned level;  /* level where the walk stopped */
	uint64_t table;  /* RTT holding the entry */
	unsigned idx;
	struct rmm_rtte e;
};
void rmm_rtt_walk(struct rmm *r, const struct rmm_rd *d, uint64_t ipa, unsigned level,
		  struct rmm_walk *w, uint64_t *cycles);
/* Fill the starting-level RTTs of a new realm: protected half UNASSIGNED
 * (RIPAS EMPTY), unprotected half UNASSIGNED_NS. */
void rmm_rtt_init_start(struct rmm *r, const struct rmm_rd *d, uint64_t *cycles);
void rmm_rtte_write(struct rmm *r, uint64_t table, unsigned idx, unsigned level,
		    const struct rmm_rtte *t, uint64_t *cycles);
/* Replace the entry the walk stopped at with *t, invalidate the realm's
 * stage 2 TLB entries, then scrub `granule` (the DATA or RTT it pointed at)
 * and return it to DELEGATED. false if the scrub faulted (the RMM panicked). */
bool rmm_rtte_release(struct rmm *r, const struct rmm_rd *d, const struct rmm_walk *w,
		      const struct rmm_rtte *t, uint64_t granule, uint64_t *cycles);
/* RttSkipNonLiveEntries: from the entry the walk stopped at, the IPA where
 * the first live entry of that RTT starts (or the RTT's end). */
uint64_t rmm_rtt_skip_non_live(struct rmm *r, const struct rmm_walk *w, uint64_t ipa,
			       uint64_t *cycles);
/* Does the RTT hold any ASSIGNED, ASSIGNED_NS or TABLE entry (RttIsLive)? */
bool rmm_rtt_is_live(struct rmm *r, uint64_t rtt, unsigned level, uint64_t *cycles);

/* --- statistics and traces, through the platform's services --- */
struct rmm_stat_sink {
	ccsim_stat_fn *emit;
	void *ctx;
};
/* One counter, named "<prefix>.<name>"; desc must be a static string. */
void rmm_stat(const struct rmm_stat_sink *k, const char *prefix, const char *name, uint32_t kind,
	      const uint64_t *value, const char *desc);
/* <prefix>.{calls,errors,cycles} for one RMI (or, if `rsi`, RSI) command. */
void rmm_cmd_stats(const struct rmm_stat_sink *k, const char *prefix, bool rsi,
		   const uint64_t *calls, const uint64_t *errors, const uint64_t *cycles);
void rmm_rsi_stats(const struct rmm *r, const struct rmm_stat_sink *k);
void rmm_rec_stats(const struct rmm *r, const struct rmm_stat_sink *k);
static inline void rmm_trace(struct rmm *r, int type, uint64_t a0, uint64_t a1, uint64_t a2,
			     uint64_t a3)
{
	r->svc->trace(r->host, type, a0, a1, a2, a3, NULL, 0);
}
/* The present moves to `cycles` into the call being served (traces that
 * follow carry it). */
static inline void rmm_sync(struct rmm *r, uint64_t cycles)
{
	r->svc->sync(r->host, cycles);
}

/* --- the ops table's entries (rmm_mon.c), for variants built from these
 * sources that change one of them (models/monitor/rmm/plugin/) --- */
void *rmm_mon_create(const struct ccsim_monitor_services *svc, void *host, char *err, size_t errlen);
void rmm_mon_destroy(void *mon);
void rmm_mon_reset(void *mon);
int rmm_mon_owns_call(void *mon, uint64_t fid);
void rmm_mon_call(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles);
int rmm_mon_save(void *mon, ccsim_write_fn *write, void *ctx);
int rmm_mon_restore(void *mon, uint32_t version, const void *blob, size_t len);
void rmm_mon_stats(void *mon, ccsim_stat_fn *emit, void *ctx);
int rmm_mon_query(void *mon, uint32_t what, uint64_t arg, void *out, size_t len);
/* The RMM's ops table with `call_fn` as its call: the built-in's, or a variant's. */
#define RMM_MONITOR_OPS(desc, call_fn)                                                      \
	{                                                                                   \
		.abi_version = CCSIM_MONITOR_ABI_VERSION, .kind = CCSIM_MONITOR_RMM,        \
		.name = "rmm", .description = (desc), .state_version = RMM_STATE_VERSION,  \
		.create = rmm_mon_create, .destroy = rmm_mon_destroy, .reset = rmm_mon_reset, \
		.owns_call = rmm_mon_owns_call, .call = (call_fn), .save = rmm_mon_save,   \
		.restore = rmm_mon_restore, .stats = rmm_mon_stats, .query = rmm_mon_query, \
	}

/* --- handlers --- */
#define RMM_HANDLER(name) void name(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles)
RMM_HANDLER(rmi_features);
RMM_HANDLER(rmi_realm_create);
RMM_HANDLER(rmi_realm_activate);
RMM_HANDLER(rmi_realm_destroy);
RMM_HANDLER(rmi_rec_create);
RMM_HANDLER(rmi_rec_destroy);
RMM_HANDLER(rmi_rec_aux_count);
RMM_HANDLER(rmi_rtt_create);
RMM_HANDLER(rmi_rtt_destroy);
RMM_HANDLER(rmi_rtt_read_entry);
RMM_HANDLER(rmi_rtt_map_unprotected);
RMM_HANDLER(rmi_rtt_unmap_unprotected);
RMM_HANDLER(rmi_rtt_init_ripas);
RMM_HANDLER(rmi_rtt_set_ripas);
RMM_HANDLER(rmi_rtt_fold);
RMM_HANDLER(rmi_data_create);
RMM_HANDLER(rmi_data_create_unknown);
RMM_HANDLER(rmi_data_destroy);
RMM_HANDLER(rmi_rec_enter);
RMM_HANDLER(rmi_psci_complete);
RMM_HANDLER(rmi_mec_set_shared);
RMM_HANDLER(rmi_mec_set_private);
/* Is the FID one this RMM answers (the MEC commands only with FEAT_MEC)? */
bool rmm_answers(const struct rmm *r, uint64_t fid);
/* MEC bookkeeping (rmm_mec.c) */
/* RMI_REALM_CREATE's MEC checks: may a new realm take host MECID `mecid`? */
bool rmm_mec_can_assign(const struct rmm *r, uint64_t mecid);
/* A realm takes / gives back `mecid` (refreshing a private MEC's key). */
void rmm_mec_assign(struct rmm *r, uint64_t mecid, uint64_t *cycles);
void rmm_mec_release(struct rmm *r, uint64_t mecid, uint64_t *cycles);
/* REC_CREATE: the new REC's vCPU at reset (pc, x0..x7, interrupts masked). */
void rmm_rec_vcpu_init(struct rmm *r, uint64_t rec, const struct rmm_rec *e, uint64_t *cycles);
/* After an RTT change that may remove a valid stage 2 mapping of realm
 * `vmid`: TLBI VMALLS12E1IS on every core (the RMM's break-before-make). */
void rmm_s2_tlbi(struct rmm *r, uint64_t vmid, uint64_t *cycles);

#endif
