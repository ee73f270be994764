/* The machine's invariants, checked between steps without disturbing the
 * run: every read here is a peek (no cache, TLB, timing, statistics or bus
 * log change), so a run with the checks and one without give the same
 * digest. What each check holds to, and its source, is said where it is
 * made; machine.h lists them. */
#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "models/mmu/gpt.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/monitor/snp/snp_abi.h"
#include "models/monitor/uv/uv.h"
#include "models/platform/machine.h"
#include "models/platform/machine_mon.h"
#include "sim/buf.h"

/* The newest copy of one line under `key`: a dirty copy in a core's L1 or
 * L2 or in the LLC, else any cached copy, else DRAM through the engine. */
static int peek_line(struct machine *m, unsigned key, uint64_t base, uint8_t line[64])
{
	const struct cache *levels[2 * MACHINE_MAX_CORES + 1];
	unsigned n = 0;
	for (unsigned c = 0; c < m->cfg.cores; c++)
		levels[n++] = &m->l1[c];
	for (unsigned c = 0; m->has_l2 && c < m->cfg.cores; c++)
		levels[n++] = &m->l2[c];
	levels[n++] = &m->llc;
	bool found = false;
	for (unsigned i = 0; i < n; i++) {
		bool dirty = false;
		uint8_t tmp[64];
		if (!cache_peek(levels[i], key, base, tmp, &dirty))
			continue;
		if (dirty) {
			memcpy(line, tmp, 64);
			return 0;
		}
		if (!found) {
			memcpy(line, tmp, 64);
			found = true;
		}
	}
	return found ? 0 : memenc_peek_line(&m->enc, key, base, line);
}

int machine_peek(struct machine *m, unsigned key, uint64_t pa, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		uint8_t line[64];
		uint64_t base = pa & ~63ull;
		size_t off = (size_t)(pa - base), k = MIN(len, 64 - off);
		int rc = peek_line(m, key, base, line);
		if (rc)
			return rc;
		memcpy(p, line + off, k);
		p += k;
		pa += k;
		len -= k;
	}
	return 0;
}

/* --- a small line memo for table scans (a GPT's L1 line holds 128 GPIs) --- */

struct peek_memo {
	struct machine *m;
	unsigned key;
	uint64_t base[2];
	uint8_t line[2][64];
	unsigned next;
	int err;
};

static int memo_read64(void *ctx, uint64_t pa, uint64_t *val)
{
	struct peek_memo *pm = ctx;
	uint64_t base = pa & ~63ull;
	for (unsigned i = 0; i < 2; i++)
		if (pm->base[i] == base) {
			*val = sim_le64_load(pm->line[i] + (pa & 63));
			return 0;
		}
	unsigned i = pm->next++ & 1;
	int rc = peek_line(pm->m, pm->key, base, pm->line[i]);
	if (rc) {
		pm->err = rc;
		return rc;
	}
	pm->base[i] = base;
	*val = sim_le64_load(pm->line[i] + (pa & 63));
	return 0;
}

static int broken(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int broken(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return 1;
}

static const char *const granule_names[] = { "UNDELEGATED", "DELEGATED", "RD", "REC",
					      "REC_AUX", "DATA", "RTT" };

static const char *granule_name(unsigned s)
{
	return s < G_N_ELEMENTS(granule_names) ? granule_names[s] : "?";
}

/* --- CCA: the GPT and the RMM's granule states agree --- */

/* DEN0137 A2.2 (granule states) with the GPT as TF-A's gpt_delegate_pas
 * leaves it: a granule the RMM holds in any state but UNDELEGATED is in
 * the Realm PAS; an UNDELEGATED one is Non-secure, or Root when it holds
 * the GPT itself (machine_gpt_build). */
static int rmm_state(struct machine *m, uint64_t pa)
{
	uint8_t st = GRANULE_UNDELEGATED;
	(void)machine_mon_query(m->rmm, CCSIM_QUERY_GRANULE_STATES, pa, &st, 1);
	return st;
}

static int gpt_granule_check(struct machine *m, struct peek_memo *pm, uint64_t pa,
			     char *msg, size_t len)
{
	struct gpc_reader rd = { memo_read64, pm };
	uint8_t gpi = 0;
	int state = rmm_state(m, pa);
	if (gpt_get_gpi(&m->gpc, &rd, pa, &gpi))
		return pm->err == -EOPNOTSUPP ? 0 : broken(msg, len, "GPT: granule 0x%llx cannot be read",
							   (unsigned long long)pa);
	bool ok = state == GRANULE_UNDELEGATED ? gpi == GPI_NS || gpi == GPI_ROOT : gpi == GPI_REALM;
	if (ok)
		return 0;
	return broken(msg, len, "GPT and RMM disagree: granule 0x%llx is %s to the RMM, GPI 0x%x in the GPT",
		      (unsigned long long)pa, granule_name((unsigned)state), gpi);
}

/* DEN0137 B1.6 RDDGDW: a command whose failure pre-condition holds is
 * aborted; B1.9 RWZYBV: besides its footprint (which only a successful
 * command may change) and its output registers, a command has no
 * observable effect. So a failing RMI or RSI command changes no granule
 * state, VMID or memory the RMM writes (CCSIM_QUERY_ABORTED). */
static int check_rmm_abort(struct machine *m, char *msg, size_t len)
{
	uint64_t ab[2] = { 0, 0 };
	if (!m->rmm || machine_mon_query(m->rmm, CCSIM_QUERY_ABORTED, 0, ab, sizeof(ab)) || !ab[0])
		return 0;
	uint64_t fid = ab[0], st = ab[1];
	const struct rmm_cmd *c = rmm_cmd_by_fid(fid);
	const struct rsi_cmd *r = c ? NULL : rsi_cmd_by_fid(fid);
	gchar *name = g_ascii_strup(c ? c->name : r ? r->name : "?", -1);
	int rc = broken(msg, len, "a failing command changed RMM state: %s_%s returned %s but "
			"wrote granule state, a VMID or memory (DEN0137 B1.6 RDDGDW, B1.9 RWZYBV)",
			c ? "RMI" : "RSI", name, c ? rmi_status_name(st) : rsi_status_name(st));
	g_free(name);
	return rc;
}

static int check_gpt_rmm(struct machine *m, struct machine_inv *st, char *msg, size_t len)
{
	if (!m->cfg.gpc || !m->rmm)
		return 0;
	struct peek_memo pm = { .m = m, .key = machine_key_slot(m, PAS_ROOT),
				.base = { UINT64_MAX, UINT64_MAX } };
	uint64_t n = m->cfg.delegable_size / 4096, base = m->cfg.delegable_base;
	if (!st->rmm_now)
		st->rmm_now = g_malloc(n ? n : 1);
	uint8_t *state = st->rmm_now;
	if (machine_mon_query(m->rmm, CCSIM_QUERY_GRANULE_STATES, base, state, n))
		return 0; /* a monitor that keeps no granule states */
	if (!st->rmm_seen) { /* the first check: every granule */
		st->rmm_seen = g_malloc(n ? n : 1);
		for (uint64_t i = 0; i < n; i++)
			if (gpt_granule_check(m, &pm, base + i * 4096, msg, len))
				return 1;
	} else {
		for (uint64_t i = 0; i < n; i++)
			if (state[i] != st->rmm_seen[i] &&
			    gpt_granule_check(m, &pm, base + i * 4096, msg, len))
				return 1;
		for (guint i = 0; m->inv_gpt_log && i < m->inv_gpt_log->len; i++) {
			uint64_t pa = g_array_index(m->inv_gpt_log, uint64_t, i) & ~4095ull;
			if (machine_pa_delegable(m, pa) && gpt_granule_check(m, &pm, pa, msg, len))
				return 1;
		}
	}
	memcpy(st->rmm_seen, state, n);
	if (m->inv_gpt_log)
		g_array_set_size(m->inv_gpt_log, 0);
	return 0;
}

/* Cached GPT information agrees with the GPT (Arm ARM D9.5: it may be kept
 * until TLBI RPALOS, which EL3 issues after every change), unless the
 * profile's EL3 deliberately skips the invalidation (gpc.el3_tlbi = false). */
static int check_gpc_cache(struct machine *m, char *msg, size_t len)
{
	if (!m->cfg.gpc || !m->cfg.el3_tlbi)
		return 0;
	struct peek_memo pm = { .m = m, .key = machine_key_slot(m, PAS_ROOT),
				.base = { UINT64_MAX, UINT64_MAX } };
	struct gpc_reader rd = { memo_read64, &pm };
	const struct gpc_cache *c = &m->gpc_tlb;
	for (uint32_t i = 0; i < c->nentries; i++) {
		const struct gpc_cache_entry *e = &c->e[i];
		if (e->granule == UINT64_MAX)
			continue;
		uint64_t pa = e->granule << c->shift;
		uint8_t gpi;
		if (gpt_get_gpi(&m->gpc, &rd, pa, &gpi))
			continue; /* unreadable here: the walk's own fault decides */
		if (gpi != e->gpi)
			return broken(msg, len, "stale GPT information: world %u caches GPI 0x%x for "
				      "granule 0x%llx, the GPT says 0x%x (no TLBI after the change)",
				      e->world, e->gpi, (unsigned long long)pa, gpi);
	}
	return 0;
}

/* --- SEV-SNP: the RMP and the firmware's view agree --- */

static int rmp_peek(struct machine *m, uint64_t spa, struct rmp_entry *e)
{
	uint8_t raw[RMP_ENTRY_BYTES];
	int rc = machine_rmp_peek(m, spa, raw);
	if (rc)
		return rc;
	rmp_entry_decode(raw, e);
	return 0;
}

static int peek_rmp_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct machine *m = ctx;
	return machine_peek(m, machine_rmp_slot(m), pa, buf, len);
}

static int peek_rmp_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	(void)ctx, (void)pa, (void)buf, (void)len;
	return -EPERM; /* a check never writes */
}

/* The SNP firmware's own invariant (its record of the guests against the
 * RMP and their context pages: snp_mon.c), asked again whenever its record
 * or the RMP changed since it last held. */
static int check_snp(struct machine *m, struct machine_inv *st, char *msg, size_t len)
{
	if (!m->snp)
		return 0;
	uint64_t now = machine_mon_ask(m->snp, CCSIM_QUERY_ACTIVITY, 0, 0) + 1;
	if (now == st->snp_seen && st->rmp_writes_seen == m->inv_rmp_writes)
		return 0;
	if (machine_mon_query(m->snp, CCSIM_QUERY_INVARIANT, 0, msg, len) == 0 && msg[0])
		return 1;
	st->snp_seen = now;
	st->rmp_writes_seen = m->inv_rmp_writes;
	return 0;
}

/* Cached RMP verdicts of the direct map (identity TLB entries) agree with
 * the RMP (APM vol. 2 15.36.10: kept until an invalidation; the machine
 * invalidates after each RMP change) unless the profile deliberately
 * leaves them (rmp.tlb_coherent = false). */
static int check_rmp_tlb(struct machine *m, char *msg, size_t len)
{
	if (!m->cfg.rmp || !m->cfg.rmp_tlb_coherent)
		return 0;
	for (unsigned c = 0; c < m->cfg.cores; c++) {
		const struct tlb *t = &m->tlb[c];
		if (!t->acl_entries)
			continue;
		for (size_t i = 0; i < (size_t)t->cfg.sets * t->cfg.ways; i++) {
			const struct tlb_entry *te = &t->e[i];
			if (!te->valid || !te->acl || te->asid != TLB_ASID_PHYS || te->page_shift != 12 ||
			    !rmp_covers(&m->rmp, te->pa, 4096))
				continue;
			struct rmp_entry e;
			if (rmp_peek(m, te->pa, &e))
				continue;
			struct rmp_access a = {
				.spa = te->pa, .host = !(te->vmid >> 12 & 1), .asid = te->vmid & 0x3ff,
				.gpa = te->gpa, .private_ = (te->attrs & PT_ATTR_CBIT) != 0,
				.vmpl = (uint8_t)(te->vmid >> 10 & 3),
			};
			struct rmp_io rio = { peek_rmp_read, peek_rmp_write, m };
			struct rmp_result rd, wr;
			rmp_check_rw(&m->rmp, &rio, &a, &rd, &wr);
			bool can_read = rd.fault == RMP_OK, can_write = wr.fault == RMP_OK;
			if ((bus_acl_allows(te->acl, false) && !can_read) ||
			    (bus_acl_allows(te->acl, true) && !can_write))
				return broken(msg, len, "stale RMP verdict: core %u caches %s access to "
					      "0x%llx, the RMP now refuses it (no invalidation after "
					      "the change)", c,
					      bus_acl_allows(te->acl, true) ? "write" : "read",
					      (unsigned long long)te->pa);
		}
	}
	return 0;
}

/* --- cached translations agree with the page tables --- */

struct walk_peek {
	struct machine *m;
	const struct cpu *c;
	int err;
};

/* A table read as the core's walker makes it (cpu.c walk_read64: stage 2
 * tables in the s2 PAS's key, a guest's own tables under its key), peeked. */
static int walk_peek_read64(void *ctx, uint64_t pa, uint64_t ipa, bool stage2, uint64_t *val,
			    uint64_t *cycles)
{
	(void)cycles;
	struct walk_peek *w = ctx;
	const struct cpu *c = w->c;
	/* a TD's Secure EPT under its own key, its shared EPT under the host's */
	bool priv_s2 = stage2 && c->s2_key >= 0 &&
		       !(c->pt.shared_bit && ((ipa >> c->pt.shared_bit) & 1));
	unsigned key = stage2 ? (priv_s2 ? (unsigned)c->s2_key
					 : machine_mec_slot(w->m, (enum cc_pas)c->s2_pas, c->mecid))
		       : c->key >= 0 ? (unsigned)c->key
				     : machine_mec_slot(w->m, cc_world_pas((enum cc_world)c->world),
							c->mecid);
	uint8_t b[8];
	int rc = machine_peek(w->m, key, pa, b, 8);
	if (rc) {
		w->err = rc;
		return rc;
	}
	*val = sim_le64_load(b);
	return 0;
}

/* Arm ARM D8.13 / AMD APM vol. 2 5.5: a TLB entry may outlive a change to
 * the tables only until the invalidation the changer owes; every host
 * stack and monitor here invalidates with its change, so after a step each
 * cached translation of a context a CPU has loaded must be what a walk of
 * its tables gives now (output page and no permission the tables deny). */
static int check_translations(struct machine *m, struct cpu *const *cpus, size_t ncpus, char *msg,
			      size_t len)
{
	for (size_t k = 0; k < ncpus; k++) {
		const struct cpu *c = cpus[k];
		if (!c || !c->paging || !c->tlb)
			continue;
		const struct tlb *t = c->tlb;
		for (size_t i = 0; i < (size_t)t->cfg.sets * t->cfg.ways; i++) {
			const struct tlb_entry *e = &t->e[i];
			if (!e->valid || e->asid == TLB_ASID_PHYS || e->world != c->tag.world ||
			    e->vmid != c->tag.vmid || e->asid != c->tag.asid)
				continue;
			uint64_t va = e->vpn << e->page_shift;
			struct walk_peek w = { m, c, 0 };
			struct pt_io io = { walk_peek_read64, &w, NULL };
			struct pt_walk_result r = pt_translate(&c->pt, &io, va, PT_ACC_READ);
			if (w.err == -EOPNOTSUPP)
				continue; /* a table under the counter tree: not peekable */
			uint64_t page = r.pa & ~((1ull << e->page_shift) - 1);
			if (r.fault == PT_OK && page == e->pa && (e->perms & ~r.perms) == 0)
				continue;
			return broken(msg, len, "stale translation: %s's TLB maps VA 0x%llx to 0x%llx "
				      "(perms 0x%x), its tables now give %s 0x%llx (perms 0x%x)",
				      c->base.name, (unsigned long long)va, (unsigned long long)e->pa,
				      e->perms, r.fault == PT_OK ? "" : pt_fault_name(r.fault),
				      (unsigned long long)page, r.perms);
		}
	}
	return 0;
}

/* --- TDX: the PAMT and the Secure EPTs agree (tdx_inv.c) --- */

static int check_tdx(struct machine *m, struct machine_inv *st, char *msg, size_t len)
{
	if (!m->tdx_mon)
		return 0;
	uint64_t now = machine_mon_ask(m->tdx_mon, CCSIM_QUERY_ACTIVITY, 0, 0) + 1;
	if (now == st->tdx_seen)
		return 0;
	st->tdx_seen = now;
	return machine_mon_query(m->tdx_mon, CCSIM_QUERY_INVARIANT, 0, msg, len) == 0 && msg[0];
}

/* --- SEV / SEV-ES: one guest per ASID --- */

static int check_sev(struct machine *m, char *msg, size_t len)
{
	if (!m->sev)
		return 0;
	for (uint64_t asid = 1; asid < m->cfg.key_slots; asid++) {
		uint64_t held[3];
		if (machine_mon_query(m->sev, CCSIM_QUERY_ASID_GUESTS, asid, held, sizeof(held)) == 0 &&
		    held[0] > 1)
			return broken(msg, len, "one ASID, two guests: handles %u and %u both "
				      "hold ASID %u", (unsigned)held[1], (unsigned)held[2], (unsigned)asid);
	}
	return 0;
}

/* --- no plaintext of a protected page in DRAM --- */

struct plain_scan {
	struct machine *m;
	const struct machine_inv_secret *secrets;
	size_t nsecrets;
	char *msg;
	size_t len;
	int found;
};

/* Is the page at `pa` one the profile protects with an encrypting key?
 * CCA: a granule delegated to the Realm PAS (the realm key encrypts);
 * SEV-SNP: a page assigned to a guest in the RMP (its ASID's key). */
static bool page_protected(struct machine *m, uint64_t pa, const char **why)
{
	if (m->cfg.gpc && m->rmm && machine_pa_delegable(m, pa)) {
		int s = rmm_state(m, pa);
		*why = "a granule delegated to the Realm PAS";
		return s > GRANULE_UNDELEGATED &&
		       memenc_key_encrypts(&m->enc, machine_key_slot(m, PAS_REALM));
	}
	if (m->snp && rmp_covers(&m->rmp, pa, 4096)) {
		struct rmp_entry e;
		*why = "a page assigned to a guest in the RMP";
		return rmp_peek(m, pa, &e) == 0 && e.assigned && e.asid &&
		       memenc_key_encrypts(&m->enc, e.asid);
	}
	return false;
}

/* A secret of one repeated byte (zeros, say) cannot be told from a fill
 * or from what the host left in a page before it was protected: it is
 * not looked for. */
static bool traceable(const struct machine_inv_secret *s)
{
	for (size_t i = 1; i < s->len; i++)
		if (s->bytes[i] != s->bytes[0])
			return true;
	return false;
}

static void plain_page(void *ctx, uint64_t cell, const uint8_t *page)
{
	struct plain_scan *ps = ctx;
	if (ps->found)
		return;
	for (size_t i = 0; i < ps->nsecrets; i++) {
		const struct machine_inv_secret *s = &ps->secrets[i];
		if (!traceable(s) || !memmem(page, 4096, s->bytes, s->len))
			continue;
		const char *why = NULL;
		if (!page_protected(ps->m, cell, &why))
			return;
		ps->found = broken(ps->msg, ps->len, "plaintext of a protected page in DRAM: "
				   "secret %s sits unencrypted in the cells of 0x%llx, %s",
				   s->name, (unsigned long long)cell, why);
		return;
	}
}

static int check_plaintext(struct machine *m, const struct machine_inv_secret *secrets,
			   size_t nsecrets, char *msg, size_t len)
{
	if (!nsecrets || (!m->rmm && !m->snp))
		return 0;
	struct plain_scan ps = { m, secrets, nsecrets, msg, len, 0 };
	mem_pages_foreach(&m->mem, plain_page, &ps);
	return ps.found;
}

int machine_inv_check(struct machine *m, struct machine_inv *st,
		      const struct machine_inv_secret *secrets, size_t nsecrets, bool tampered,
		      struct cpu *const *cpus, size_t ncpus, char *msg, size_t len)
{
	if (!m->inv_gpt_log && m->cfg.gpc)
		m->inv_gpt_log = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	st->checks++;
	/* A physical attacker who wrote DRAM may have changed a table behind
	 * its monitor's back: that is the attack, not a defect. */
	bool tables = !tampered;
	return (tables && (check_rmm_abort(m, msg, len) || check_gpt_rmm(m, st, msg, len) || check_gpc_cache(m, msg, len) ||
			   check_snp(m, st, msg, len) || check_rmp_tlb(m, msg, len) ||
			   check_tdx(m, st, msg, len) ||
			   check_translations(m, cpus, ncpus, msg, len))) ||
	       check_sev(m, msg, len) || check_plaintext(m, secrets, nsecrets, msg, len) ||
	       (m->uv && uv_inv_check(m->uv, msg, len));
}

void machine_inv_free(struct machine *m, struct machine_inv *st)
{
	g_free(st->rmm_seen);
	g_free(st->rmm_now);
	st->rmm_now = NULL;
	st->rmm_seen = NULL;
	st->snp_seen = 0;
	if (m && m->inv_gpt_log) {
		g_array_free(m->inv_gpt_log, TRUE);
		m->inv_gpt_log = NULL;
	}
}
