/* The TDX module's invariant between steps: the PAMT and every TD's Secure
 * EPT agree (ABI "Physical Memory Management": each page of a TDMR has one
 * PAMT type and owner; a TD's private page is mapped by its own Secure EPT,
 * once). Read by peeking (tdx_peek), so checking changes nothing; see
 * tdx.h. Only 4 KB PAMT entries are examined: the module assigns 4 KB
 * pages only. A TD in TEARDOWN (after TDH.MNG.KEY.FREEID) is not judged:
 * its HKID is gone, it never runs again, and the ABI's teardown reclaims
 * its pages with TDH.PHYMEM.PAGE.RECLAIM behind its Secure EPT. */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "models/monitor/tdx/tdx.h"
#include "models/monitor/tdx/tdx_internal.h"
#include "models/mmu/sept.h"

struct inv_walk {
	struct tdx *t;
	GHashTable *reg;   /* PT_REG page -> its owner TDR (from the PAMT) */
	GHashTable *seen;  /* PT_REG pages some Secure EPT maps */
	uint64_t tdr;
	unsigned hkid;
	char *msg;
	size_t len;
};

static int say(struct inv_walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say(struct inv_walk *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->msg, w->len, fmt, ap);
	va_end(ap);
	return 1;
}

static int pamt_peek(struct tdx *t, uint64_t pa, unsigned *type, uint64_t *owner)
{
	uint64_t q0;
	if (tdx_peek(t, (unsigned)t->global_keyid, pamt_entry_addr(&t->pamt, pa, PAMT_4K),
			 &q0, 8))
		return -1;
	*type = (unsigned)((q0 >> PAMT_TYPE_SHIFT) & PAMT_TYPE_MASK);
	*owner = (q0 >> PAMT_OWNER_SHIFT) << 12 & PAMT_OWNER_MASK;
	return 0;
}

bool tdx_page_free(struct tdx *t, uint64_t pa)
{
	unsigned type;
	uint64_t owner;
	return pamt_covers(&t->pamt, pa) && pamt_peek(t, pa, &type, &owner) == 0 &&
	       type == PAMT_PT_NDA;
}

/* One Secure EPT table of the TD at `level` (0 = 4 KB leaves). */
static int walk_table(struct inv_walk *w, uint64_t table, unsigned level, uint64_t gpa_base)
{
	uint64_t e[512];
	if (tdx_peek(w->t, w->hkid, table, e, sizeof(e)))
		return 0; /* unreadable here (the counter tree): not judged */
	for (unsigned i = 0; i < 512; i++) {
		enum sept_state s = sept_entry_state(e[i]);
		uint64_t gpa = gpa_base + (uint64_t)i * sept_level_size(level);
		uint64_t hpa = tdx_pa_strip(w->t, e[i] & SEPT_ADDR_MASK);
		unsigned type;
		uint64_t owner;
		if (s == SEPT_FREE || s == SEPT_REMOVED)
			continue;
		if (s == SEPT_NL_MAPPED || s == SEPT_NL_BLOCKED) {
			if (level == 0 || pamt_peek(w->t, hpa, &type, &owner))
				continue;
			if (type != PAMT_PT_EPT || owner != w->tdr)
				return say(w, "PAMT and Secure EPT disagree: TD 0x%llx's table for GPA "
					   "0x%llx at 0x%llx is %s owned by 0x%llx in the PAMT",
					   (unsigned long long)w->tdr, (unsigned long long)gpa,
					   (unsigned long long)hpa, pamt_page_type_name(type),
					   (unsigned long long)owner);
			if (walk_table(w, hpa, level - 1, gpa))
				return 1;
			continue;
		}
		if (s == SEPT_STATE_BAD || level != 0)
			continue; /* large pages are not assigned by this module */
		gpointer k = GSIZE_TO_POINTER(hpa);
		gpointer want = g_hash_table_lookup(w->reg, k);
		if (!want || GPOINTER_TO_SIZE(want) != w->tdr)
			return say(w, "PAMT and Secure EPT disagree: TD 0x%llx maps GPA 0x%llx to "
				   "0x%llx (%s), which the PAMT does not give it as a private page",
				   (unsigned long long)w->tdr, (unsigned long long)gpa,
				   (unsigned long long)hpa, sept_state_name(s));
		if (g_hash_table_contains(w->seen, k))
			return say(w, "one page, two mappings: 0x%llx is mapped twice by TD 0x%llx's "
				   "Secure EPT (again at GPA 0x%llx)", (unsigned long long)hpa,
				   (unsigned long long)w->tdr, (unsigned long long)gpa);
		g_hash_table_add(w->seen, k);
	}
	return 0;
}

uint64_t tdx_activity(const struct tdx *t)
{
	uint64_t n = t->stat_td_entries + t->stat_ve;
	for (unsigned i = 0; i < TDX_NLEAVES; i++)
		n += t->stat_calls[i];
	for (unsigned i = 0; i < TDX_NTDCALLS; i++)
		n += t->stat_tdcalls[i];
	return n;
}

int tdx_inv_check(struct tdx *t, char *msg, size_t len)
{
	if (t->sys_state != TDX_SYS_READY)
		return 0;
	struct inv_walk w = { t, g_hash_table_new(g_direct_hash, g_direct_equal),
			      g_hash_table_new(g_direct_hash, g_direct_equal), 0, 0, msg, len };
	GArray *tdrs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	GHashTable *gone = g_hash_table_new(g_direct_hash, g_direct_equal); /* TEARDOWN TDRs */
	int bad = 0;
	/* the PAMT's 4 KB entries, a page of them at a time */
	uint64_t n = t->pamt.size / TDX_PAGE;
	for (uint64_t i = 0; i < n && !bad; i += 256) {
		uint8_t chunk[256 * PAMT_ENTRY_BYTES];
		uint64_t k = MIN(256, n - i);
		if (tdx_peek(t, (unsigned)t->global_keyid,
				 pamt_entry_addr(&t->pamt, t->pamt.base + i * TDX_PAGE, PAMT_4K), chunk,
				 k * PAMT_ENTRY_BYTES))
			break;
		for (uint64_t j = 0; j < k; j++) {
			uint64_t q0;
			memcpy(&q0, chunk + j * PAMT_ENTRY_BYTES, 8);
			unsigned type = (unsigned)((q0 >> PAMT_TYPE_SHIFT) & PAMT_TYPE_MASK);
			uint64_t owner = (q0 >> PAMT_OWNER_SHIFT) << 12 & PAMT_OWNER_MASK;
			uint64_t pa = t->pamt.base + (i + j) * TDX_PAGE;
			if (type == PAMT_PT_REG)
				g_hash_table_insert(w.reg, GSIZE_TO_POINTER(pa), GSIZE_TO_POINTER(owner));
			else if (type == PAMT_PT_TDR)
				g_array_append_val(tdrs, pa);
		}
	}
	for (guint i = 0; i < tdrs->len && !bad; i++) {
		struct tdx_tdr d;
		w.tdr = g_array_index(tdrs, uint64_t, i);
		if (tdx_peek(t, (unsigned)t->global_keyid, w.tdr, &d, sizeof(d)))
			continue;
		if (d.lifecycle == TD_TEARDOWN) {
			g_hash_table_add(gone, GSIZE_TO_POINTER(w.tdr));
			continue;
		}
		if (d.num_tdcx != TDX_TDCS_PAGES)
			continue; /* no Secure EPT yet */
		struct tdx_tdcs c;
		w.hkid = (unsigned)d.hkid;
		if (tdx_peek(t, w.hkid, d.tdcx[0], &c, sizeof(c)) || c.ept_levels < 4 ||
		    c.ept_levels > 5)
			continue;
		bad = walk_table(&w, d.tdcx[TDX_TDCS_SEPT_ROOT], (unsigned)c.ept_levels - 1, 0);
	}
	/* every private page the PAMT gives a TD is mapped by that TD */
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, w.reg);
	while (!bad && g_hash_table_iter_next(&it, &k, &v))
		if (!g_hash_table_contains(w.seen, k) && !g_hash_table_contains(gone, v))
			bad = say(&w, "PAMT and Secure EPT disagree: 0x%llx is TD 0x%llx's private "
				  "page in the PAMT, mapped by no entry of its Secure EPT",
				  (unsigned long long)GPOINTER_TO_SIZE(k),
				  (unsigned long long)GPOINTER_TO_SIZE(v));
	g_array_free(tdrs, TRUE);
	g_hash_table_destroy(gone);
	g_hash_table_destroy(w.reg);
	g_hash_table_destroy(w.seen);
	return bad;
}

/* The simulator's view of a TD vCPU's virtual interrupts, for outcomes:
 * read by peeking, so asking changes nothing. */
bool tdx_vp_virq_waiting(struct tdx *t, uint64_t tdvpr, uint32_t vec)
{
	unsigned type;
	uint64_t owner;
	struct tdx_tdr d;
	struct tdx_tdvps vp;
	struct vcpu_state v;
	uint8_t pid[64];
	if (vec > 255 || !pamt_covers(&t->pamt, tdvpr) || pamt_peek(t, tdvpr, &type, &owner) ||
	    type != PAMT_PT_TDVPR ||
	    tdx_peek(t, (unsigned)t->global_keyid, owner, &d, sizeof(d)) ||
	    d.lifecycle != TD_KEYS_CONFIGURED ||
	    tdx_peek(t, (unsigned)d.hkid, tdvpr, &vp, sizeof(vp)) ||
	    tdx_peek(t, (unsigned)d.hkid, tdvpr + TDX_TDVPS_VCPU_OFF, &v, sizeof(v)))
		return false;
	/* posted and not yet processed (SDM vol. 3C 30.6: ON set, its PIR bit) */
	if (vp.pid && tdx_peek(t, 0 /* the host's KeyID */, vp.pid, pid, sizeof(pid)) == 0 &&
	    pid[TDX_PID_ON_BYTE] & 1 && pid[vec / 8] >> (vec % 8) & 1)
		return true;
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		if (vgic_lr_state(v.lr[i]) & VGIC_LR_PENDING && vgic_lr_intid(v.lr[i]) == vec)
			return true;
	return false;
}
