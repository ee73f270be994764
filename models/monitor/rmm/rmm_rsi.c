/* The Realm Services Interface: the commands a realm issues with SMC from a
 * REC (Arm DEN0137 1.0-rel0 B4), dispatched from a table like the RMI one.
 * Calls that need the host (host call, RIPAS change) end in a REC exit the
 * REC run loop performs, and are completed on the next REC entry. */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "models/monitor/attest/cca_token.h"
#include "models/monitor/rmm/rmm_internal.h"

/* The REC making the call, loaded once and stored back by the dispatcher. */
struct rsi_ctx {
	uint64_t rd_pa, rec_pa;
	struct rmm_rd d;          /* read only: RSI changes no RMI-visible RD field */
	struct rmm_rd_rsi dr;     /* REMs */
	struct rmm_rec e;         /* the RIPAS change request */
	struct rmm_rec_rsi er;
	bool rd_dirty, rec_dirty, rec_rsi_dirty;
	uint64_t fault_ipa;       /* RSI_RET_EXIT_S2_FAULT: the IPA and its RTT level */
	unsigned fault_level;
};

#define RSI_HANDLER(name)                                                              \
	static enum rsi_next name(struct rmm *r, struct rsi_ctx *c, uint64_t regs[RSI_REGS], \
				  uint64_t *cycles)
RSI_HANDLER(rsi_version);
RSI_HANDLER(rsi_features);
RSI_HANDLER(rsi_measurement_read);
RSI_HANDLER(rsi_measurement_extend);
RSI_HANDLER(rsi_token_init);
RSI_HANDLER(rsi_token_continue);
RSI_HANDLER(rsi_realm_config);
RSI_HANDLER(rsi_ipa_state_set);
RSI_HANDLER(rsi_ipa_state_get);
RSI_HANDLER(rsi_host_call);

/* In FID order. Costs are the handler's own work; TOKEN_INIT carries the two
 * ES384 signatures (platform and realm token) of a token built at once. */
static const struct rsi_cmd rsi_cmd_table[] = {
	{ RSI_VERSION, "version", 1, { "req" }, 3, rsi_version, 40 },
	{ RSI_FEATURES, "features", 1, { "index" }, 2, rsi_features, 40 },
	{ RSI_MEASUREMENT_READ, "measurement_read", 1, { "index" }, 9, rsi_measurement_read, 80 },
	{ RSI_MEASUREMENT_EXTEND, "measurement_extend", 10,
	  { "index", "size", "value_0", "value_1", "value_2", "value_3", "value_4", "value_5",
	    "value_6", "value_7" },
	  1, rsi_measurement_extend, 400 },
	{ RSI_ATTESTATION_TOKEN_INIT, "attestation_token_init", 8,
	  { "challenge_0", "challenge_1", "challenge_2", "challenge_3", "challenge_4",
	    "challenge_5", "challenge_6", "challenge_7" },
	  2, rsi_token_init, 2000000 },
	{ RSI_ATTESTATION_TOKEN_CONTINUE, "attestation_token_continue", 3,
	  { "addr", "offset", "size" }, 2, rsi_token_continue, 200 },
	{ RSI_REALM_CONFIG, "realm_config", 1, { "addr" }, 1, rsi_realm_config, 150 },
	{ RSI_IPA_STATE_SET, "ipa_state_set", 4, { "base", "top", "ripas", "flags" }, 3,
	  rsi_ipa_state_set, 150 },
	{ RSI_IPA_STATE_GET, "ipa_state_get", 2, { "base", "top" }, 3, rsi_ipa_state_get, 150 },
	{ RSI_HOST_CALL, "host_call", 1, { "addr" }, 1, rsi_host_call, 150 },
};
#define NRSI (sizeof(rsi_cmd_table) / sizeof(rsi_cmd_table[0]))
G_STATIC_ASSERT(NRSI == RSI_NCMDS);

size_t rsi_cmds(const struct rsi_cmd **out)
{
	*out = rsi_cmd_table;
	return NRSI;
}

const struct rsi_cmd *rsi_cmd_by_fid(uint64_t fid)
{
	if (fid < RSI_FID_FIRST || fid > RSI_FID_LAST)
		return NULL;
	const struct rsi_cmd *c = &rsi_cmd_table[fid - RSI_FID_FIRST]; /* the FIDs are dense */
	g_assert(c->fid == fid);
	return c;
}

const struct rsi_cmd *rsi_cmd_by_name(const char *name)
{
	for (size_t i = 0; i < NRSI; i++)
		if (strcmp(rsi_cmd_table[i].name, name) == 0)
			return &rsi_cmd_table[i];
	return NULL;
}

const char *rsi_status_name(uint64_t x0)
{
	static const char *const n[] = { "rsi.success", "rsi.error_input", "rsi.error_state",
					 "rsi.incomplete", "rsi.error_unknown" };
	if (x0 == UINT64_MAX)
		return "smc.unknown";
	return x0 < sizeof(n) / sizeof(n[0]) ? n[x0] : "rsi.?";
}

/* --- helpers --- */

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8); /* little-endian structures, little-endian hosts */
}

static enum rsi_next rsi_ret(uint64_t regs[RSI_REGS], enum rsi_status st)
{
	regs[0] = st;
	return RSI_RET_REALM;
}

/* The PA behind a Protected IPA the realm passes to a call that writes or
 * reads it: mapped ASSIGNED with RIPAS RAM. As in TF-RMM, an IPA with RIPAS
 * EMPTY is the caller's error (RSI_ERROR_INPUT); any other unmapped IPA
 * (UNASSIGNED RAM: the host has not backed it yet) ends the call in a
 * stage 2 data abort REC exit, and the SMC runs again once the host has
 * mapped the page (RSI_RET_EXIT_S2_FAULT). Returns RSI_SUCCESS with *pa,
 * RSI_ERROR_INPUT, or -1 with the fault recorded in c. */
static bool ipa_ram_pa(struct rmm *r, const struct rmm_rd *d, uint64_t ipa, uint64_t *pa,
		       struct rmm_walk *w, uint64_t *cycles)
{
	rmm_rtt_walk(r, d, ipa, RMM_RTT_PAGE_LEVEL, w, cycles);
	if (w->e.state != RTTE_ASSIGNED || w->e.ripas != RIPAS_RAM)
		return false;
	*pa = w->e.addr + (ipa & (pt_level_size(w->level) - 1));
	return true;
}

static int rsi_ipa_to_pa(struct rmm *r, struct rsi_ctx *c, uint64_t ipa, uint64_t *pa,
			 uint64_t *cycles)
{
	struct rmm_walk w;
	if (ipa_ram_pa(r, &c->d, ipa, pa, &w, cycles))
		return RSI_SUCCESS;
	if ((w.e.state == RTTE_ASSIGNED || w.e.state == RTTE_UNASSIGNED) &&
	    w.e.ripas == RIPAS_EMPTY)
		return RSI_ERROR_INPUT;
	c->fault_ipa = ipa;
	c->fault_level = w.level;
	return -1;
}

/* The same lookup outside a call (completing a host call on entry): only
 * a mapped RAM page will do. */
static bool rec_ipa_to_pa(struct rmm *r, const struct rmm_rd *d, uint64_t ipa, uint64_t *pa,
			  uint64_t *cycles)
{
	struct rmm_walk w;
	return ipa_ram_pa(r, d, ipa, pa, &w, cycles);
}

/* A call's memory argument: true with *pa, or false with what the handler
 * returns (ERROR_INPUT in X0, or the stage 2 exit) in *next. */
static bool rsi_arg_pa(struct rmm *r, struct rsi_ctx *c, uint64_t regs[RSI_REGS], uint64_t ipa,
		       uint64_t *pa, uint64_t *cycles, enum rsi_next *next)
{
	int rc = rsi_ipa_to_pa(r, c, ipa, pa, cycles);
	if (rc == RSI_SUCCESS)
		return true;
	*next = rc < 0 ? RSI_RET_EXIT_S2_FAULT : rsi_ret(regs, (enum rsi_status)rc);
	return false;
}

static bool addr_protected_range(const struct rmm_rd *d, uint64_t base, uint64_t top)
{
	/* AddrRangeIsProtected: [base, top) inside the lower half */
	return top <= 1ull << (d->s2sz - 1) && base < top;
}

/* --- commands --- */

/* B4.3.10 RSI_VERSION: no failure conditions. SUCCESS when the requested
 * revision is the one implemented (1.0); otherwise ERROR_INPUT, and with a
 * single revision both lower and higher are 1.0 whichever side req is on. */
RSI_HANDLER(rsi_version)
{
	(void)r;
	(void)c;
	(void)cycles;
	regs[0] = regs[1] == RSI_ABI_VERSION ? RSI_SUCCESS : RSI_ERROR_INPUT;
	regs[1] = RSI_ABI_VERSION;
	regs[2] = RSI_ABI_VERSION;
	return RSI_RET_REALM;
}

/* B4.3.3 RSI_FEATURES: no failure conditions; RSI 1.0 defines no feature
 * register, so every index reads as zero. */
RSI_HANDLER(rsi_features)
{
	(void)r;
	(void)c;
	(void)cycles;
	regs[1] = 0;
	return rsi_ret(regs, RSI_SUCCESS);
}

/* B4.3.8 RSI_MEASUREMENT_READ: index_bound (index > 4: ERROR_INPUT). X1..X8
 * = the 64-byte measurement slot (index 0 the RIM, 1..4 the REMs); SHA-256
 * fills the first 32 bytes, the rest reads as zero. */
RSI_HANDLER(rsi_measurement_read)
{
	(void)r;
	(void)cycles;
	uint64_t index = regs[1];
	if (index >= RSI_NUM_MEASUREMENTS)                  /* index_bound */
		return rsi_ret(regs, RSI_ERROR_INPUT);
	const uint8_t *m = index == 0 ? c->d.rim : c->dr.rem[index - 1];
	memcpy(&regs[1], m, RSI_MEASUREMENT_MAX);
	return rsi_ret(regs, RSI_SUCCESS);
}

/* B4.3.7 RSI_MEASUREMENT_EXTEND: index_bound (index < 1 || index > 4),
 * size_bound (size > 64), both ERROR_INPUT. Success: RemExtend, as TF-RMM
 * computes it, REM[i] = H(REM[i][0:hash_len] || value[0:size]) with the
 * realm's hash algorithm. */
RSI_HANDLER(rsi_measurement_extend)
{
	(void)r;
	(void)cycles;
	uint64_t index = regs[1], size = regs[2];
	uint8_t buf[2 * RSI_MEASUREMENT_MAX];
	if (index < 1 || index >= RSI_NUM_MEASUREMENTS)     /* index_bound */
		return rsi_ret(regs, RSI_ERROR_INPUT);
	if (size > RSI_MEASUREMENT_MAX)                     /* size_bound */
		return rsi_ret(regs, RSI_ERROR_INPUT);
	size_t hl = rmm_hash_len(c->d.algo);
	uint8_t *rem = c->dr.rem[index - 1];
	memcpy(buf, rem, hl);
	memcpy(buf + hl, &regs[3], size);
	rmm_hash(c->d.algo, buf, hl + size, rem);
	c->rd_dirty = true;
	return rsi_ret(regs, RSI_SUCCESS);
}

/* Token storage: the REC's auxiliary granules, in order. */
static uint64_t token_capacity(const struct rmm_rec *e)
{
	return e->num_aux * GRANULE_SIZE;
}

static void token_rw(struct rmm *r, const struct rmm_rec *e, uint64_t off, uint8_t *buf,
		     uint64_t len, bool write, uint64_t *cycles)
{
	while (len) {
		uint64_t g = off / GRANULE_SIZE, o = off % GRANULE_SIZE;
		uint64_t n = MIN(len, GRANULE_SIZE - o);
		if (write)
			rmm_realm_write(r, e->aux[g] + o, buf, n, cycles);
		else
			rmm_realm_read(r, e->aux[g] + o, buf, n, cycles);
		off += n;
		buf += n;
		len -= n;
	}
}

/* B4.3.2 RSI_ATTESTATION_TOKEN_INIT: no failure conditions. Success:
 * attest_state IN_PROGRESS, the challenge recorded, X1 = an upper bound of
 * the token size. The whole token (A7.2) is built and signed here, from the
 * measurements as they are now (a later MEASUREMENT_EXTEND does not change
 * it), and kept in the REC's auxiliary granules; X1 is their size. A token
 * that cannot be built leaves the state FAILED: CONTINUE then reports the
 * spec's `unknown` condition. A second INIT restarts the operation. */
RSI_HANDLER(rsi_token_init)
{
	struct cca_realm_claims rc = { 0 };
	uint8_t *tok = NULL;
	size_t len = 0;
	memcpy(c->er.attest_challenge, &regs[1], 64);
	memcpy(rc.challenge, &regs[1], 64);
	memcpy(rc.rpv, c->d.rpv, 64);
	memcpy(rc.rim, c->d.rim, CCA_MEAS_MAX);
	memcpy(rc.rem, c->dr.rem, sizeof(rc.rem));
	rc.meas_len = rmm_hash_len(c->d.algo);
	g_strlcpy(rc.hash_alg, c->d.algo == RMI_HASH_SHA_512 ? "sha-512" : "sha-256",
		  sizeof(rc.hash_alg));
	c->er.attest_state = ATTEST_FAILED;
	c->er.attest_len = 0;
	c->er.attest_off = 0;
	if (cca_token_build(r->seed, &rc, NULL, &tok, &len) == 0 &&
	    len <= token_capacity(&c->e)) {
		token_rw(r, &c->e, 0, tok, len, true, cycles);
		c->er.attest_state = ATTEST_IN_PROGRESS;
		c->er.attest_len = len;
	}
	free(tok);
	c->rec_rsi_dirty = true;
	regs[1] = token_capacity(&c->e);
	return rsi_ret(regs, RSI_SUCCESS);
}

/* B4.3.1 RSI_ATTESTATION_TOKEN_CONTINUE: addr_align (not granule aligned),
 * addr_bound (not Protected), offset_bound (offset >= 4 KB), size_overflow
 * (offset + size wraps), size_bound (offset + size > 4 KB): ERROR_INPUT;
 * state (no attestation in progress): ERROR_STATE; unknown (the token could
 * not be built): ERROR_UNKNOWN, which ends the operation. The spec orders
 * none of them; they are checked as listed, and then the granule
 * must be mapped RAM (rsi_ipa_to_pa: RIPAS EMPTY is ERROR_INPUT, an unbacked
 * RAM page a stage 2 exit). Success: the next min(size, left)
 * token bytes at addr + offset, X1 = bytes written; INCOMPLETE while bytes
 * are left, SUCCESS (and NO_ATTEST_IN_PROGRESS) with the last of them. */
RSI_HANDLER(rsi_token_continue)
{
	uint64_t addr = regs[1], offset = regs[2], size = regs[3], pa;
	enum rsi_next next;
	if (addr % GRANULE_SIZE ||                          /* addr_align */
	    !rmm_ipa_protected(&c->d, addr) ||              /* addr_bound */
	    offset >= GRANULE_SIZE ||                       /* offset_bound */
	    offset + size < offset ||                       /* size_overflow */
	    offset + size > GRANULE_SIZE)                   /* size_bound */
		return rsi_ret(regs, RSI_ERROR_INPUT);
	if (c->er.attest_state == ATTEST_NONE)               /* state */
		return rsi_ret(regs, RSI_ERROR_STATE);
	if (c->er.attest_state == ATTEST_FAILED) {           /* unknown */
		c->er.attest_state = ATTEST_NONE;
		c->rec_rsi_dirty = true;
		return rsi_ret(regs, RSI_ERROR_UNKNOWN);
	}
	if (!rsi_arg_pa(r, c, regs, addr, &pa, cycles, &next)) /* not mapped RAM */
		return next;
	uint64_t n = MIN(size, c->er.attest_len - c->er.attest_off);
	uint8_t buf[GRANULE_SIZE];
	token_rw(r, &c->e, c->er.attest_off, buf, n, false, cycles);
	rmm_realm_mem_write(r, pa + offset, buf, n, cycles);
	c->er.attest_off += n;
	c->rec_rsi_dirty = true;
	regs[1] = n;
	if (c->er.attest_off < c->er.attest_len)              /* incomplete */
		return rsi_ret(regs, RSI_INCOMPLETE);
	c->er.attest_state = ATTEST_NONE;                    /* complete */
	return rsi_ret(regs, RSI_SUCCESS);
}

/* B4.3.9 RSI_REALM_CONFIG: addr_align (not granule aligned), addr_bound (not
 * Protected): ERROR_INPUT; then the granule must be mapped RAM (rsi_ipa_to_pa).
 * Success: the RsiRealmConfig granule (B4.4.5) written, unused bytes zero. */
RSI_HANDLER(rsi_realm_config)
{
	uint64_t addr = regs[1], pa;
	enum rsi_next next;
	if (addr % GRANULE_SIZE ||                          /* addr_align */
	    !rmm_ipa_protected(&c->d, addr))                /* addr_bound */
		return rsi_ret(regs, RSI_ERROR_INPUT);
	if (!rsi_arg_pa(r, c, regs, addr, &pa, cycles, &next)) /* not mapped RAM */
		return next;
	uint8_t *cfg = g_malloc0(GRANULE_SIZE);
	put64(cfg + RSI_REALM_CONFIG_IPA_WIDTH, c->d.s2sz);
	cfg[RSI_REALM_CONFIG_HASH_ALGO] = (uint8_t)c->d.algo;
	memcpy(cfg + RSI_REALM_CONFIG_RPV, c->d.rpv, 64);
	rmm_realm_mem_write(r, pa, cfg, GRANULE_SIZE, cycles);
	g_free(cfg);
	return rsi_ret(regs, RSI_SUCCESS);
}

/* B4.3.6 RSI_IPA_STATE_SET: base_align, top_align (granule), size_valid
 * (top <= base), rgn_bound (not all Protected), ripas_valid (X3[7:0] not
 * EMPTY or RAM): ERROR_INPUT, no ordering. Success: the REC's RIPAS change
 * request (A5.4) [base, top) -> ripas, flags.destroyed giving
 * change_destroyed, and a REC exit with RIPAS_CHANGE; X0..X2 are written
 * on the next entry (rmm_rsi_ripas_change_complete). */
RSI_HANDLER(rsi_ipa_state_set)
{
	(void)r;
	(void)cycles;
	uint64_t base = regs[1], top = regs[2], flags = regs[4];
	unsigned ripas = (unsigned)(regs[3] & 0xff);
	if (base % GRANULE_SIZE || top % GRANULE_SIZE ||    /* base_align, top_align */
	    top <= base ||                                  /* size_valid */
	    !addr_protected_range(&c->d, base, top) ||      /* rgn_bound */
	    (ripas != RIPAS_EMPTY && ripas != RIPAS_RAM))   /* ripas_valid */
		return rsi_ret(regs, RSI_ERROR_INPUT);
	rmm_rec_set_ripas_request(&c->e, base, top, ripas,
				  flags & RSI_RIPAS_FLAG_CHANGE_DESTROYED);
	c->er.pending = RSI_PENDING_RIPAS;
	c->rec_dirty = true;
	c->rec_rsi_dirty = true;
	return RSI_RET_EXIT_RIPAS_CHANGE;
}

/* B4.3.5 RSI_IPA_STATE_GET: base_align, end_align, size_valid, rgn_bound:
 * ERROR_INPUT. Success: X2 = the RIPAS at base, X1 = out_top, the end of
 * the run of RTT entries from base with that RIPAS, capped at top. As in
 * TF-RMM the scan stays in the RTT holding base's entry (out_top < top is
 * allowed) and reads at most 512 entries. */
RSI_HANDLER(rsi_ipa_state_get)
{
	uint64_t base = regs[1], top = regs[2], ipa = base, end = top;
	unsigned ripas = 0;
	struct rmm_walk w;
	if (base % GRANULE_SIZE || top % GRANULE_SIZE ||    /* base_align, end_align */
	    top <= base ||                                  /* size_valid */
	    !addr_protected_range(&c->d, base, top))        /* rgn_bound */
		return rsi_ret(regs, RSI_ERROR_INPUT);
	rmm_rtt_walk(r, &c->d, ipa, RMM_RTT_PAGE_LEVEL, &w, cycles);
	ripas = w.e.ripas;
	if (w.level > (unsigned)c->d.level_start) {
		uint64_t tsz = pt_level_size(w.level - 1); /* the IPA range of w's RTT */
		end = MIN(top, (base & ~(tsz - 1)) + tsz);
	}
	for (unsigned n = 1;; n++) {
		uint64_t sz = pt_level_size(w.level);
		ipa = (ipa & ~(sz - 1)) + sz;                /* the end of a matching entry */
		if (ipa >= end || n == 512)
			break;
		rmm_rtt_walk(r, &c->d, ipa, RMM_RTT_PAGE_LEVEL, &w, cycles);
		if (w.e.ripas != ripas)
			break;
	}
	regs[1] = MIN(ipa, end);
	regs[2] = ripas;
	return rsi_ret(regs, RSI_SUCCESS);
}

/* B4.3.4 RSI_HOST_CALL: addr_align (not 256-byte aligned), addr_bound (not
 * Protected): ERROR_INPUT; then the page must be mapped RAM (rsi_ipa_to_pa).
 * Success: host_call_pending, and a REC exit with HOST_CALL carrying the
 * structure's imm and gprs (A4.5, rmm_rsi_host_call_args); X0 is written
 * on the next entry (rmm_rsi_host_call_complete). */
RSI_HANDLER(rsi_host_call)
{
	uint64_t addr = regs[1], pa;
	enum rsi_next next;
	if (addr % RSI_HOST_CALL_SIZE ||                    /* addr_align */
	    !rmm_ipa_protected(&c->d, addr))                /* addr_bound */
		return rsi_ret(regs, RSI_ERROR_INPUT);
	if (!rsi_arg_pa(r, c, regs, addr, &pa, cycles, &next)) /* not mapped RAM */
		return next;
	c->er.pending = RSI_PENDING_HOST_CALL;
	c->er.host_call_addr = addr;
	c->rec_rsi_dirty = true;
	return RSI_RET_EXIT_HOST_CALL;
}

/* --- dispatch --- */

/* PSCI function IDs (SMC32 0x84000000.., SMC64 0xC4000000..): not RSI,
 * handed to the run loop untouched. */
static bool fid_is_psci(uint64_t fid)
{
	return (fid & ~0x1full) == 0x84000000ull || (fid & ~0x1full) == 0xC4000000ull;
}

static enum rsi_next rsi_dispatch(struct rmm *r, uint64_t rd_pa, uint64_t rec_pa,
				  uint64_t regs[RSI_REGS], uint64_t *cycles)
{
	const struct rsi_cmd *cmd = rsi_cmd_by_fid(regs[0]);
	if (r->panicked) {
		regs[0] = UINT64_MAX;
		return RSI_RET_REALM;
	}
	if (!cmd) {
		if (fid_is_psci(regs[0]))
			return RSI_RET_EXIT_PSCI;
		r->stat_rsi_unknown++;
		regs[0] = UINT64_MAX; /* SMC_UNKNOWN */
		return RSI_RET_REALM;
	}
	size_t i = (size_t)(cmd - rsi_cmd_table);
	uint64_t before = *cycles;
	struct rsi_ctx c = { .rd_pa = rd_pa, .rec_pa = rec_pa };
	/* The run loop only runs a REC of a live RD: anything else is a ccsim bug. */
	g_assert(rmm_granule_is(r, rd_pa, GRANULE_RD) && rmm_granule_is(r, rec_pa, GRANULE_REC));
	*cycles += cmd->cost;
	uint64_t changes = r->changes;
	rmm_rd_load(r, rd_pa, &c.d, cycles);
	rmm_realm_read(r, rd_pa + RMM_RSI_STATE_OFF, &c.dr, sizeof(c.dr), cycles);
	rmm_realm_read(r, rec_pa, &c.e, sizeof(c.e), cycles);
	rmm_realm_read(r, rec_pa + RMM_RSI_STATE_OFF, &c.er, sizeof(c.er), cycles);
	g_assert(c.e.owner == rd_pa);
	enum rsi_next next = cmd->handler(r, &c, regs, cycles);
	if (next == RSI_RET_EXIT_S2_FAULT) {
		regs[0] = c.fault_ipa;
		regs[1] = c.fault_level;
	}
	if (c.rd_dirty)
		rmm_realm_write(r, rd_pa + RMM_RSI_STATE_OFF, &c.dr, sizeof(c.dr), cycles);
	if (c.rec_dirty)
		rmm_realm_write(r, rec_pa, &c.e, sizeof(c.e), cycles);
	if (c.rec_rsi_dirty)
		rmm_realm_write(r, rec_pa + RMM_RSI_STATE_OFF, &c.er, sizeof(c.er), cycles);
	if (r->panicked) {
		regs[0] = UINT64_MAX;
		next = RSI_RET_REALM;
	}
	r->stat_rsi_calls[i]++;
	if (next == RSI_RET_REALM && regs[0] != RSI_SUCCESS && regs[0] != RSI_INCOMPLETE) {
		r->stat_rsi_errors[i]++;
		rmm_note_abort(r, cmd->fid, regs[0], changes);
	}
	r->stat_rsi_cycles[i] += *cycles - before;
	return next;
}

/* The call and its return are traced at the cycles they happen; PSCI,
 * which leaves as a REC exit, is the exit's (rec.exit reason psci). */
enum rsi_next rmm_handle_rsi(struct rmm *r, uint64_t rd_pa, uint64_t rec_pa,
			     uint64_t regs[RSI_REGS], uint64_t *cycles)
{
	uint64_t fid = regs[0], before = *cycles;
	if (fid_is_psci(fid) && !rsi_cmd_by_fid(fid))
		return rsi_dispatch(r, rd_pa, rec_pa, regs, cycles);
	rmm_sync(r, *cycles);
	rmm_trace(r, r->tr.guest_call, fid, regs[1], regs[2], regs[3]);
	enum rsi_next next = rsi_dispatch(r, rd_pa, rec_pa, regs, cycles);
	rmm_sync(r, *cycles);
	rmm_trace(r, r->tr.guest_ret, fid, regs[0], regs[1], *cycles - before);
	return next;
}

uint64_t rmm_realm_calls(const struct rmm *r)
{
	uint64_t n = r->stat_rsi_unknown;
	for (size_t i = 0; i < RSI_NCMDS; i++)
		n += r->stat_rsi_calls[i];
	return n;
}

/* --- completion on REC entry --- */

static bool rec_load(struct rmm *r, uint64_t rec_pa, struct rmm_rec *e, struct rmm_rec_rsi *er,
		     struct rmm_rd *d, uint64_t *cycles)
{
	if (!rmm_granule_is(r, rec_pa, GRANULE_REC))
		return false;
	rmm_realm_read(r, rec_pa, e, sizeof(*e), cycles);
	rmm_realm_read(r, rec_pa + RMM_RSI_STATE_OFF, er, sizeof(*er), cycles);
	rmm_rd_load(r, e->owner, d, cycles);
	return true;
}

static void rec_rsi_store(struct rmm *r, uint64_t rec_pa, const struct rmm_rec_rsi *er,
			  uint64_t *cycles)
{
	rmm_realm_write(r, rec_pa + RMM_RSI_STATE_OFF, er, sizeof(*er), cycles);
}

int rmm_rsi_host_call_args(struct rmm *r, uint64_t rec_pa, struct rsi_host_call *hc,
			   uint64_t *cycles)
{
	struct rmm_rec e;
	struct rmm_rec_rsi er;
	struct rmm_rd d;
	uint8_t buf[RSI_HOST_CALL_SIZE];
	uint64_t pa;
	memset(hc, 0, sizeof(*hc));
	if (!rec_load(r, rec_pa, &e, &er, &d, cycles) || er.pending != RSI_PENDING_HOST_CALL ||
	    !rec_ipa_to_pa(r, &d, er.host_call_addr, &pa, cycles))
		return -EINVAL;
	rmm_realm_mem_read(r, pa, buf, sizeof(buf), cycles);
	memcpy(&hc->imm, buf + RSI_HOST_CALL_IMM, 2);
	memcpy(hc->gprs, buf + RSI_HOST_CALL_GPRS, sizeof(hc->gprs));
	return 0;
}

int rmm_rsi_host_call_complete(struct rmm *r, uint64_t rec_pa,
			       const uint64_t gprs[RSI_HOST_CALL_NR_GPRS], uint64_t regs[RSI_REGS],
			       uint64_t *cycles)
{
	struct rmm_rec e;
	struct rmm_rec_rsi er;
	struct rmm_rd d;
	uint64_t pa;
	if (!rec_load(r, rec_pa, &e, &er, &d, cycles) || er.pending != RSI_PENDING_HOST_CALL)
		return -EINVAL;
	/* The host may have unmapped the page meanwhile: the results are lost. */
	if (rec_ipa_to_pa(r, &d, er.host_call_addr, &pa, cycles))
		rmm_realm_mem_write(r, pa + RSI_HOST_CALL_GPRS, gprs,
				RSI_HOST_CALL_NR_GPRS * sizeof(uint64_t), cycles);
	er.pending = RSI_PENDING_NONE;
	rec_rsi_store(r, rec_pa, &er, cycles);
	regs[0] = RSI_SUCCESS;
	return 0;
}

int rmm_rsi_ripas_change_complete(struct rmm *r, uint64_t rec_pa, unsigned response,
				  uint64_t regs[RSI_REGS], uint64_t *cycles)
{
	struct rmm_rec e;
	struct rmm_rec_rsi er;
	struct rmm_rd d;
	if (!rec_load(r, rec_pa, &e, &er, &d, cycles) || er.pending != RSI_PENDING_RIPAS)
		return -EINVAL;
	er.pending = RSI_PENDING_NONE;
	rec_rsi_store(r, rec_pa, &er, cycles);
	regs[0] = RSI_SUCCESS;
	regs[1] = e.ripas_addr;
	/* B4.3.6 (RSI_IPA_STATE_SET), as TF-RMM's complete_set_ripas: the
	 * host can refuse only memory the realm asks for, and only if it did
	 * not finish the change; giving memory up (EMPTY), or a range the
	 * host completed, is ACCEPT whatever the host's flag says. */
	regs[2] = e.ripas_value == RIPAS_RAM && e.ripas_addr != e.ripas_top && response == RSI_REJECT
			  ? RSI_REJECT
			  : RSI_ACCEPT;
	return 0;
}

void rmm_rsi_stats(const struct rmm *r, const struct rmm_stat_sink *k)
{
	for (size_t i = 0; i < NRSI; i++) {
		gchar *p = g_strdup_printf("rmm.rsi.%s", rsi_cmd_table[i].name);
		rmm_cmd_stats(k, p, true, &r->stat_rsi_calls[i], &r->stat_rsi_errors[i],
			      &r->stat_rsi_cycles[i]);
		g_free(p);
	}
	rmm_stat(k, "rmm.rsi", "unknown", CCSIM_STAT_COUNT, &r->stat_rsi_unknown,
		 "realm SMCs with no RSI or PSCI command (SMC_UNKNOWN)");
}
