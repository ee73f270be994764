/* The differential mode; see mon_diff.h.
 *
 * Each call runs on the slot's monitor first, against the machine, while
 * the memory path keeps what every write overwrote, the slot's services
 * keep what the monitor wrote, which granules EL3 moved and each run of
 * guest code it asked for. Then the second monitor runs the same call on
 * its own view: memory as it was when the call began (or, after the k-th
 * run of guest code, as that run left it) under its own writes, the GPT
 * under its own changes, and the first monitor's runs of guest code
 * replayed to it, each only if it enters the guest in the same state.
 * Nothing it does reaches the machine, the trace or the clock. Then the
 * two are compared: the result registers, the bytes each wrote (by line
 * and key), the granules each had EL3 move, the runs of guest code, and
 * the granule states (CCSIM_QUERY_GRANULE_STATES) of every granule the
 * call named or touched. A call that agrees leaves both monitors with the
 * same state, the machine's memory being the second's view too. */
#include "models/platform/mon_diff.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "models/mmu/gpc.h"
#include "models/platform/machine.h"
#include "models/platform/machine_mon.h"
#include "models/platform/machine_priv.h"
#include "sim/buf.h"

#define LINE 64u
#define GRANULE 4096ull

struct line_bytes {    /* bytes of one (line, key) a monitor wrote */
	uint64_t mask;     /* which of the 64 */
	uint8_t data[LINE];
};
struct undo {          /* a line under a key as it was before a write */
	uint64_t id;
	uint8_t old[LINE];
};
struct gpi_change {
	uint64_t pa;
	uint8_t old_gpi, new_gpi;
};
struct run_rec {       /* one run of guest code the first monitor asked for */
	struct ccsim_guest_regime g;
	uint64_t budget;
	uint32_t trap_wfi;
	struct ccsim_vcpu in, out;
	struct ccsim_guest_stop stop;
	uint64_t spent;
	size_t undo_end;   /* the memory log's length when it stopped */
};

struct mon_diff {
	struct machine_mon *mm;
	const struct ccsim_monitor_ops *ops;
	void *inst, *dl;
	char label[2][64];  /* how a report names the two: "built-in", a library's file name */
	bool in_call;
	/* the first monitor, this call */
	GHashTable *wrote;  /* id -> struct line_bytes */
	GArray *undo;       /* struct undo, in write order: a line's first write after the
			       call began or a run of guest code ended (what came before it) */
	GHashTable *undo_at; /* line id -> GArray of its records' indices in undo */
	GArray *gpi;        /* struct gpi_change */
	GArray *runs;       /* struct run_rec */
	/* the second monitor's view, this call */
	GHashTable *view;   /* id -> struct line_bytes: its writes, over the whole line */
	GHashTable *view_gpi; /* pa -> GPI + 1 */
	size_t seg;         /* undo records from here on happened after what it sees */
	size_t next_run;
	/* the first divergence */
	bool diverged;
	uint64_t fid;
	char what[512];
};

/* A line under a key: the key above the line number. */
static uint64_t line_id(uint64_t pa, unsigned key) { return (pa >> 6) | (uint64_t)key << 48; }
static uint64_t id_pa(uint64_t id) { return (id & ((1ull << 48) - 1)) << 6; }
static unsigned id_key(uint64_t id) { return (unsigned)(id >> 48); }

static GHashTable *line_table(void)
{
	return g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
}

static struct line_bytes *line_get(GHashTable *t, uint64_t id, bool add)
{
	struct line_bytes *l = g_hash_table_lookup(t, &id);
	if (!l && add) {
		uint64_t *k = g_new(uint64_t, 1);
		*k = id;
		l = g_new0(struct line_bytes, 1);
		g_hash_table_insert(t, k, l);
	}
	return l;
}

static void diverge(struct mon_diff *d, uint64_t fid, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void diverge(struct mon_diff *d, uint64_t fid, const char *fmt, ...)
{
	va_list ap;
	if (d->diverged)
		return;
	d->diverged = true;
	d->fid = fid;
	va_start(ap, fmt);
	vsnprintf(d->what, sizeof(d->what), fmt, ap);
	va_end(ap);
}

/* --- what the first monitor did --- */

void mon_diff_note_write(struct mon_diff *d, uint64_t pa, unsigned key, const void *buf, uint32_t n)
{
	if (!d->in_call)
		return;
	struct line_bytes *l = line_get(d->wrote, line_id(pa, key), true);
	unsigned off = (unsigned)(pa & (LINE - 1));
	memcpy(l->data + off, buf, n);
	l->mask |= (n == LINE ? ~0ull : ((1ull << n) - 1) << off);
}

void mon_diff_note_gpi(struct mon_diff *d, uint64_t pa, uint8_t old_gpi, uint8_t new_gpi)
{
	if (d->in_call)
		g_array_append_val(d->gpi, ((struct gpi_change){ pa, old_gpi, new_gpi }));
}

void mon_diff_note_run(struct mon_diff *d, const struct ccsim_guest_regime *g,
		       const struct ccsim_guest_params *p, const struct ccsim_vcpu *in,
		       const struct ccsim_vcpu *out, const struct ccsim_guest_stop *stop,
		       uint64_t spent)
{
	if (!d->in_call)
		return;
	struct run_rec r = { .g = *g, .budget = p->budget, .trap_wfi = p->trap_wfi, .in = *in,
			     .out = *out, .stop = *stop, .spent = spent, .undo_end = d->undo->len };
	g_array_append_val(d->runs, r);
}

/* Only the first write of a line in each stretch between the ends of two
 * runs of guest code is kept: the second monitor reads memory as it was
 * at such an end, which the first write after it tells. */
void mon_diff_log_old(struct mon_diff *d, uint64_t pa, unsigned key)
{
	struct undo u = { .id = line_id(pa, key) };
	GArray *at = g_hash_table_lookup(d->undo_at, GSIZE_TO_POINTER(u.id));
	if (at && at->len && g_array_index(at, size_t, at->len - 1) >=
			     (d->runs->len ? g_array_index(d->runs, struct run_rec, d->runs->len - 1).undo_end : 0))
		return; /* written already since the last end */
	if (machine_peek(d->mm->m, key, pa & ~(uint64_t)(LINE - 1), u.old, LINE))
		return;
	if (!at) {
		at = g_array_new(FALSE, FALSE, sizeof(size_t));
		g_hash_table_insert(d->undo_at, GSIZE_TO_POINTER(u.id), at);
	}
	size_t i = d->undo->len;
	g_array_append_val(at, i);
	g_array_append_val(d->undo, u);
}

/* --- the second monitor's services --- */

/* A line as the second monitor sees it: its own writes, else memory as
 * it was at its point in the call (the first write after that point
 * kept it), else memory now. */
static int view_line(struct mon_diff *d, uint64_t id, uint8_t out[LINE])
{
	const struct line_bytes *l = line_get(d->view, id, false);
	if (l) {
		memcpy(out, l->data, LINE);
		return 0;
	}
	const GArray *at = g_hash_table_lookup(d->undo_at, GSIZE_TO_POINTER(id));
	for (guint k = 0; at && k < at->len; k++) {
		size_t i = g_array_index(at, size_t, k);
		if (i >= d->seg) {
			memcpy(out, g_array_index(d->undo, struct undo, i).old, LINE);
			return 0;
		}
	}
	return machine_peek(d->mm->m, id_key(id), id_pa(id), out, LINE);
}

/* The GPI of a granule as it sees it: its own changes, else the GPT as the
 * call found it. -1: nothing changed it this call (the GPT decides). */
static int view_gpi(const struct mon_diff *d, uint64_t pa)
{
	uint64_t g = pa & ~(GRANULE - 1);
	gpointer v = g_hash_table_lookup(d->view_gpi, GSIZE_TO_POINTER(g));
	if (v)
		return (int)GPOINTER_TO_SIZE(v) - 1;
	for (size_t i = 0; i < d->gpi->len; i++) {
		const struct gpi_change *c = &g_array_index(d->gpi, struct gpi_change, i);
		if (c->pa == g)
			return c->old_gpi;
	}
	return -1;
}

/* The checks the memory path would make of the second monitor's access
 * (the GPC on its view of the GPT; the physical address range): 0, or 1
 * with the fault. */
static int view_check(struct mon_diff *d, uint64_t pa, uint32_t len, enum cc_pas pas,
		      struct ccsim_fault *f)
{
	struct machine *m = d->mm->m;
	memset(f, 0, sizeof(*f));
	f->addr = pa;
	if ((pa + len - 1) >> m->cfg.pa_bits) {
		f->kind = FAULT_BUS_RANGE;
		return 1;
	}
	if (!m->cfg.gpc)
		return 0;
	enum cc_world w = (enum cc_world)d->mm->world;
	int gpi = view_gpi(d, pa);
	struct gpc_result r;
	if (gpi >= 0) /* a granule the call moved: its GPI decides */
		r = (struct gpc_result){ .fault = gpc_gpi_decide(&m->gpc, (uint8_t)gpi, pas, w) };
	else
		r = machine_gpt_peek_check(m, pa, pas, w);
	static const uint16_t kind[] = { [GPC_OK] = FAULT_NONE, [GPC_FAULT_GPF] = FAULT_GPC_GPF,
					 [GPC_FAULT_WALK] = FAULT_GPC_WALK,
					 [GPC_FAULT_ADDR_SIZE] = FAULT_GPC_ADDR_SIZE,
					 [GPC_FAULT_EABT] = FAULT_GPC_EABT };
	f->kind = kind[r.fault];
	f->level = r.level;
	return r.fault != GPC_OK;
}

static int dsvc_mem(void *host, const struct ccsim_mem_req *req, void *buf, struct ccsim_fault *fault,
		    uint64_t *cycles)
{
	struct mon_diff *d = host;
	struct machine *m = d->mm->m;
	uint8_t *p = buf;
	(void)cycles; /* its time is not compared: the first monitor's is the run's */
	if (req->key >= (int32_t)m->enc.cfg.slots || req->pas > CCSIM_PAS_REALM ||
	    !machine_mecid_valid(m, req->mecid) ||
	    !cc_world_may_use_pas((enum cc_world)d->mm->world, (enum cc_pas)req->pas))
		return -EINVAL;
	unsigned key = req->key >= 0 ? (unsigned)req->key
				     : machine_mec_slot(m, (enum cc_pas)req->pas, req->mecid);
	for (uint64_t pa = req->pa, len = req->len; len;) {
		uint32_t n = (uint32_t)MIN(len, LINE - (pa & (LINE - 1)));
		unsigned off = (unsigned)(pa & (LINE - 1));
		uint64_t id = line_id(pa, key);
		uint8_t line[LINE];
		if (!(req->flags & CCSIM_MEM_DRAM) && view_check(d, pa, n, (enum cc_pas)req->pas, fault))
			return 1;
		if (view_line(d, id, line))
			return -EIO;
		if (req->write) {
			struct line_bytes *l = line_get(d->view, id, true);
			if (!l->mask)
				memcpy(l->data, line, LINE);
			memcpy(l->data + off, p, n);
			l->mask |= (n == LINE ? ~0ull : ((1ull << n) - 1) << off);
		} else {
			memcpy(p, line + off, n);
		}
		pa += n;
		p += n;
		len -= n;
	}
	return 0;
}

/* EL3's GPT change on the second monitor's view, with the checks
 * machine_el3_delegate / undelegate make (TF-A gpt_delegate_pas). */
static int dsvc_gpt_move(struct mon_diff *d, uint64_t pa, uint8_t from, uint8_t to)
{
	struct machine *m = d->mm->m;
	if (!machine_pa_delegable(m, pa))
		return -EINVAL;
	int gpi = view_gpi(d, pa);
	if (gpi < 0) {
		struct gpc_result r = machine_gpt_peek_check(m, pa, PAS_NS, WORLD_ROOT);
		gpi = r.gpi;
	}
	if (gpi != from)
		return -EPERM;
	g_hash_table_insert(d->view_gpi, GSIZE_TO_POINTER(pa & ~(GRANULE - 1)),
			    GSIZE_TO_POINTER((gsize)to + 1));
	return 0;
}

static int dsvc_el3_delegate(void *host, uint64_t pa, uint64_t *cycles)
{
	(void)cycles;
	return dsvc_gpt_move(host, pa, GPI_NS, GPI_REALM);
}

static int dsvc_el3_undelegate(void *host, uint64_t pa, uint64_t *cycles)
{
	(void)cycles;
	return dsvc_gpt_move(host, pa, GPI_REALM, GPI_NS);
}

static void vcpu_diff(char *out, size_t len, const struct ccsim_vcpu *a, const struct ccsim_vcpu *b)
{
	const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;
	for (size_t i = 0; i < sizeof(*a) / 8; i++)
		if (x[i] != y[i]) {
			if (i < CCSIM_VCPU_NREGS)
				snprintf(out, len, "X%zu 0x%" PRIx64 " vs 0x%" PRIx64, i, x[i], y[i]);
			else
				snprintf(out, len, "vCPU word %zu (PC is word %d) 0x%" PRIx64 " vs 0x%" PRIx64,
					 i, CCSIM_VCPU_NREGS, x[i], y[i]);
			return;
		}
	snprintf(out, len, "the same registers");
}

/* Guest code: the first monitor's run, replayed if entered alike. */
static int dsvc_guest_run(void *host, const struct ccsim_guest_regime *g, struct ccsim_vcpu *v,
			  const struct ccsim_guest_params *p, struct ccsim_guest_stop *stop,
			  uint64_t *spent)
{
	struct mon_diff *d = host;
	uint64_t fid = d->fid;
	*spent = 0;
	if (d->next_run >= d->runs->len) {
		diverge(d, fid, "%s ran guest code a %zu%s time, %s only %u times", d->label[1],
			d->next_run + 1, d->next_run ? "th" : "st", d->label[0], d->runs->len);
		return -EINVAL;
	}
	const struct run_rec *r = &g_array_index(d->runs, struct run_rec, d->next_run);
	char why[160];
	if (memcmp(&r->g, g, sizeof(*g)) || r->budget != p->budget || r->trap_wfi != p->trap_wfi) {
		diverge(d, fid, "run %zu of guest code: %s and %s set up its translation or budget "
			"differently (stage 2 root 0x%" PRIx64 " vs 0x%" PRIx64 ", VMID %u vs %u)",
			d->next_run + 1, d->label[0], d->label[1], r->g.s2_root, g->s2_root, r->g.vmid,
			g->vmid);
		return -EINVAL;
	}
	if (memcmp(&r->in, v, sizeof(*v))) {
		vcpu_diff(why, sizeof(why), &r->in, v);
		diverge(d, fid, "run %zu of guest code: the vCPU entered differently: %s (%s vs %s)",
			d->next_run + 1, why, d->label[0], d->label[1]);
		return -EINVAL;
	}
	*v = r->out;
	*stop = r->stop;
	*spent = r->spent;
	d->seg = r->undo_end;
	d->next_run++;
	return 0;
}

static int dsvc_param(void *host, const char *key, uint64_t *value)
{
	struct mon_diff *d = host;
	return machine_mon_services()->param(d->mm, key, value);
}
static uint64_t dsvc_call_start(void *host)
{
	struct mon_diff *d = host;
	return d->mm->m->call_t0;
}
static int dsvc_trace_type(void *host, const char *name)
{
	(void)host;
	return machine_mon_trace_type(name);
}
static void dsvc_sync(void *host, uint64_t cycles) { (void)host; (void)cycles; }
static void dsvc_trace(void *host, int type, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       const void *payload, uint32_t len)
{
	/* not the run's: the first monitor's records are */
	(void)host; (void)type; (void)a0; (void)a1; (void)a2; (void)a3; (void)payload; (void)len;
}
static void dsvc_tlbi_vmid(void *host, uint32_t vmid, uint64_t *cycles)
{
	(void)host; (void)vmid; (void)cycles;
}
static int dsvc_cache_flush(void *host, uint64_t pa, uint64_t len, uint64_t *cycles)
{
	(void)host; (void)pa; (void)len; (void)cycles;
	return 0; /* maintenance changes no content */
}
static int dsvc_wbinvd(void *host, uint64_t *cycles)
{
	(void)host; (void)cycles;
	return 0;
}
static int dsvc_rmp_write(void *host, uint64_t pa, const uint8_t entry[16], uint64_t *cycles)
{
	(void)host; (void)pa; (void)entry; (void)cycles;
	return -EOPNOTSUPP;
}
static int dsvc_key_program(void *host, uint32_t slot, uint32_t owner, uint32_t flags)
{
	(void)host; (void)slot; (void)owner; (void)flags;
	return -EOPNOTSUPP;
}

/* Key refreshes are the first monitor's: the machine's keys are its. The
 * second's are not compared (docs/monitor-api.md). */
static int dsvc_mec_refresh(void *host, uint32_t mecid, uint64_t *cycles)
{
	struct mon_diff *d = host;
	(void)cycles;
	if (!d->mm->m->cfg.mec)
		return -ENODEV;
	return machine_mecid_valid(d->mm->m, mecid) && mecid ? 0 : -EINVAL;
}

static const struct ccsim_monitor_services diff_services = {
	.abi_version = CCSIM_MONITOR_ABI_VERSION,
	.kind = CCSIM_MONITOR_RMM,
	.param = dsvc_param,
	.mem = dsvc_mem,
	.el3_delegate = dsvc_el3_delegate,
	.el3_undelegate = dsvc_el3_undelegate,
	.rmp_write = dsvc_rmp_write,
	.key_program = dsvc_key_program,
	.tlbi_vmid = dsvc_tlbi_vmid,
	.cache_flush = dsvc_cache_flush,
	.wbinvd = dsvc_wbinvd,
	.guest_run = dsvc_guest_run,
	.call_start = dsvc_call_start,
	.sync = dsvc_sync,
	.trace_type = dsvc_trace_type,
	.trace = dsvc_trace,
	.fault_name = machine_mon_fault_name,
	.mec_refresh = dsvc_mec_refresh,
};

/* --- the comparison --- */

static gint cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Every id either monitor wrote, sorted (the report names the lowest). */
static GArray *written_ids(const struct mon_diff *d)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	GHashTable *t[2] = { d->wrote, d->view };
	for (int k = 0; k < 2; k++) {
		GHashTableIter it;
		gpointer key, val;
		g_hash_table_iter_init(&it, t[k]);
		while (g_hash_table_iter_next(&it, &key, &val))
			if (k == 0 || !g_hash_table_contains(d->wrote, key))
				g_array_append_val(ids, *(uint64_t *)key);
	}
	g_array_sort(ids, cmp_u64);
	return ids;
}

static bool compare_memory(struct mon_diff *d, uint64_t fid)
{
	GArray *ids = written_ids(d);
	bool same = true;
	for (guint i = 0; i < ids->len && same; i++) {
		uint64_t id = g_array_index(ids, uint64_t, i);
		const struct line_bytes *a = line_get(d->wrote, id, false), *b = line_get(d->view, id, false);
		uint64_t ma = a ? a->mask : 0, mb = b ? b->mask : 0;
		for (unsigned k = 0; k < LINE && same; k++) {
			bool wa = (ma >> k) & 1, wb = (mb >> k) & 1;
			if (wa == wb && (!wa || a->data[k] == b->data[k]))
				continue;
			same = false;
			uint64_t pa = id_pa(id) + k;
			if (wa && wb)
				diverge(d, fid, "memory the monitor wrote: PA 0x%" PRIx64 " (key slot %u) "
					"holds 0x%02x from %s, 0x%02x from %s", pa, id_key(id),
					a->data[k], d->label[0], b->data[k], d->label[1]);
			else
				diverge(d, fid, "memory the monitor wrote: only %s wrote PA 0x%" PRIx64
					" (key slot %u)", d->label[wa ? 0 : 1], pa, id_key(id));
		}
	}
	g_array_free(ids, TRUE);
	return same;
}

static bool compare_gpt(struct mon_diff *d, uint64_t fid)
{
	/* the first monitor's last change of each granule against the view */
	for (guint i = 0; i < d->gpi->len; i++) {
		const struct gpi_change *c = &g_array_index(d->gpi, struct gpi_change, i);
		int now = c->new_gpi;
		for (guint k = i + 1; k < d->gpi->len; k++)
			if (g_array_index(d->gpi, struct gpi_change, k).pa == c->pa)
				now = g_array_index(d->gpi, struct gpi_change, k).new_gpi;
		gpointer v = g_hash_table_lookup(d->view_gpi, GSIZE_TO_POINTER(c->pa));
		int other = v ? (int)GPOINTER_TO_SIZE(v) - 1 : c->old_gpi;
		if (now != other) {
			diverge(d, fid, "the GPT: granule 0x%" PRIx64 " is %s after %s, %s after %s",
				c->pa, gpi_name((uint8_t)now), d->label[0], gpi_name((uint8_t)other),
				d->label[1]);
			return false;
		}
	}
	GHashTableIter it;
	gpointer key, val;
	g_hash_table_iter_init(&it, d->view_gpi);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		uint64_t pa = GPOINTER_TO_SIZE(key);
		bool moved = false;
		for (guint i = 0; i < d->gpi->len && !moved; i++)
			moved = g_array_index(d->gpi, struct gpi_change, i).pa == pa;
		if (!moved) {
			diverge(d, fid, "the GPT: only %s had EL3 move granule 0x%" PRIx64 " (to %s)",
				d->label[1], pa, gpi_name((uint8_t)(GPOINTER_TO_SIZE(val) - 1)));
			return false;
		}
	}
	return true;
}

/* The granule states both monitors hold for every granule the call named
 * in a register, wrote or had EL3 move. */
static void compare_granules(struct mon_diff *d, uint64_t fid, const uint64_t in[CCSIM_MONITOR_REGS])
{
	static const char *const names[] = { "UNDELEGATED", "DELEGATED", "RD", "REC", "REC_AUX",
					     "DATA", "RTT" };
	GArray *pas = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	for (unsigned i = 1; i < CCSIM_MONITOR_REGS; i++) {
		uint64_t g = in[i] & ~(GRANULE - 1);
		g_array_append_val(pas, g);
	}
	GArray *ids = written_ids(d);
	for (guint i = 0; i < ids->len; i++) {
		uint64_t g = id_pa(g_array_index(ids, uint64_t, i)) & ~(GRANULE - 1);
		g_array_append_val(pas, g);
	}
	g_array_free(ids, TRUE);
	for (guint i = 0; i < d->gpi->len; i++)
		g_array_append_val(pas, g_array_index(d->gpi, struct gpi_change, i).pa);
	g_array_sort(pas, cmp_u64);
	for (guint i = 0; i < pas->len; i++) {
		uint64_t pa = g_array_index(pas, uint64_t, i);
		uint8_t a, b;
		if ((i && pa == g_array_index(pas, uint64_t, i - 1)) ||
		    !machine_pa_delegable(d->mm->m, pa) ||
		    machine_mon_query(d->mm, CCSIM_QUERY_GRANULE_STATES, pa, &a, 1) ||
		    !d->ops->query || d->ops->query(d->inst, CCSIM_QUERY_GRANULE_STATES, pa, &b, 1) ||
		    a == b)
			continue;
		diverge(d, fid, "granule 0x%" PRIx64 " is %s to %s, %s to %s", pa,
			a < G_N_ELEMENTS(names) ? names[a] : "?", d->label[0],
			b < G_N_ELEMENTS(names) ? names[b] : "?", d->label[1]);
		break;
	}
	g_array_free(pas, TRUE);
}

static void call_begin(struct mon_diff *d)
{
	g_hash_table_remove_all(d->wrote);
	g_hash_table_remove_all(d->view);
	g_hash_table_remove_all(d->view_gpi);
	g_array_set_size(d->undo, 0);
	g_hash_table_remove_all(d->undo_at);
	g_array_set_size(d->gpi, 0);
	g_array_set_size(d->runs, 0);
	d->seg = d->next_run = 0;
}

void mon_diff_call(struct mon_diff *d, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	struct machine_mon *mm = d->mm;
	if (d->diverged) { /* the second monitor's state is its own now: the first alone */
		mm->ops->call(mm->inst, regs, cycles);
		return;
	}
	uint64_t in[CCSIM_MONITOR_REGS], other[CCSIM_MONITOR_REGS], shadow_cycles = 0;
	uint64_t fid = regs[0], nres = CCSIM_MONITOR_REGS;
	memcpy(in, regs, sizeof(in));
	call_begin(d);
	d->in_call = true;
	mm->m->diff_log = d;
	mm->ops->call(mm->inst, regs, cycles);
	mm->m->diff_log = NULL;
	d->in_call = false;
	memcpy(other, in, sizeof(other));
	d->fid = fid;
	d->ops->call(d->inst, other, &shadow_cycles);
	if (d->diverged)
		return; /* it ran guest code otherwise */
	if (machine_mon_query(mm, CCSIM_QUERY_CALL_RESULTS, fid, &nres, sizeof(nres)) ||
	    nres > CCSIM_MONITOR_REGS)
		nres = CCSIM_MONITOR_REGS;
	for (unsigned i = 0; i < nres; i++)
		if (regs[i] != other[i]) {
			diverge(d, fid, "X%u: 0x%" PRIx64 " from %s, 0x%" PRIx64 " from %s", i, regs[i],
				d->label[0], other[i], d->label[1]);
			return;
		}
	if (d->next_run < d->runs->len) {
		diverge(d, fid, "%s ran guest code %u times, %s %zu", d->label[0], d->runs->len,
			d->label[1], d->next_run);
		return;
	}
	if (compare_memory(d, fid) && compare_gpt(d, fid))
		compare_granules(d, fid, in);
}

const char *mon_diff_divergence(const struct mon_diff *d, uint64_t *fid)
{
	if (!d->diverged)
		return NULL;
	*fid = d->fid;
	return d->what;
}

/* --- life --- */

static void undo_at_free(gpointer a)
{
	g_array_free(a, TRUE);
}

struct mon_diff *mon_diff_new(struct machine_mon *mm, const struct ccsim_monitor_ops *ops,
			      void *dl, const char *path, char *err, size_t errlen)
{
	struct machine *m = mm->m;
	if (ops->kind != CCSIM_MONITOR_RMM) {
		snprintf(err, errlen, "%s: the differential mode runs beside the RMM only", path);
		mon_plugin_unload(dl);
		return NULL;
	}
	if (m->cfg.memenc_mode == MEMENC_CTR_TREE) {
		snprintf(err, errlen, "%s: the differential mode reads memory as it was, which "
			 "memenc.mode = ctr-tree does not allow (profile %s)", path, m->cfg.name);
		mon_plugin_unload(dl);
		return NULL;
	}
	struct mon_diff *d = g_new0(struct mon_diff, 1);
	char why[256] = "";
	d->mm = mm;
	d->ops = ops;
	d->dl = dl;
	g_strlcpy(d->label[0], mm->path[0] ? mm->path : "the built-in monitor", sizeof(d->label[0]));
	g_strlcpy(d->label[1], path, sizeof(d->label[1]));
	for (int i = 0; i < 2; i++) { /* a library by its file name */
		const char *slash = strrchr(d->label[i], '/');
		if (slash)
			memmove(d->label[i], slash + 1, strlen(slash));
	}
	d->wrote = line_table();
	d->view = line_table();
	d->view_gpi = g_hash_table_new(g_direct_hash, g_direct_equal);
	d->undo = g_array_new(FALSE, FALSE, sizeof(struct undo));
	d->undo_at = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, undo_at_free);
	d->gpi = g_array_new(FALSE, FALSE, sizeof(struct gpi_change));
	d->runs = g_array_new(FALSE, FALSE, sizeof(struct run_rec));
	d->inst = ops->create(&diff_services, d, why, sizeof(why));
	if (!d->inst) {
		snprintf(err, errlen, "%s: %s", path, why[0] ? why : "the monitor could not be created");
		mon_diff_free(d);
		return NULL;
	}
	return d;
}

void mon_diff_free(struct mon_diff *d)
{
	if (d->inst)
		d->ops->destroy(d->inst);
	g_hash_table_destroy(d->wrote);
	g_hash_table_destroy(d->view);
	g_hash_table_destroy(d->view_gpi);
	g_array_free(d->undo, TRUE);
	g_hash_table_destroy(d->undo_at);
	g_array_free(d->gpi, TRUE);
	g_array_free(d->runs, TRUE);
	mon_plugin_unload(d->dl);
	g_free(d);
}

void mon_diff_reset(struct mon_diff *d)
{
	if (d->ops->reset)
		d->ops->reset(d->inst);
}

int mon_diff_save(const struct mon_diff *d, struct sim_buf *out)
{
	return machine_mon_blob_put(d->ops, d->inst, out);
}

int mon_diff_restore(struct mon_diff *d, struct sim_reader *in)
{
	return machine_mon_blob_get(d->ops, d->inst, in);
}

int mon_diff_restore_blob(struct mon_diff *d, uint32_t version, const void *blob, size_t len)
{
	return d->ops->restore(d->inst, version, blob, len) ? -EINVAL : 0;
}
