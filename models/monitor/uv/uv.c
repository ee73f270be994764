/* The ultravisor as a model of the machine: dispatch of the UVCs, its
 * memory accesses, handles and checkpoints; see uv.h. */
#include "models/monitor/uv/uv_internal.h"

#include <errno.h>
#include <string.h>

#include "models/platform/machine.h"
#include "sim/buf.h"

/* Each command's handler (the table in uv_abi.c gives its name, size and
 * who may issue it). */
static const struct {
	uint16_t cmd;
	uv_handler_fn *fn;
} handlers[] = {
	{ UVC_CMD_QUI, uv_qui },
	{ UVC_CMD_QUERY_KEYS, uv_query_keys },
	{ UVC_CMD_INIT_UV, uv_init },
	{ UVC_CMD_CREATE_SEC_CONF, uv_create_conf },
	{ UVC_CMD_DESTROY_SEC_CONF, uv_destroy_conf },
	{ UVC_CMD_CREATE_SEC_CPU, uv_create_cpu },
	{ UVC_CMD_DESTROY_SEC_CPU, uv_destroy_cpu },
	{ UVC_CMD_CONV_TO_SEC_STOR, uv_conv_to_sec },
	{ UVC_CMD_CONV_FROM_SEC_STOR, uv_conv_from_sec },
	{ UVC_CMD_DESTR_SEC_STOR, uv_destr_sec },
	{ UVC_CMD_SET_SEC_CONF_PARAMS, uv_set_sec_params },
	{ UVC_CMD_UNPACK_IMG, uv_unpack },
	{ UVC_CMD_VERIFY_IMG, uv_verify },
	{ UVC_CMD_CPU_RESET, uv_cpu_reset },
	{ UVC_CMD_CPU_RESET_INITIAL, uv_cpu_reset },
	{ UVC_CMD_PREPARE_RESET, uv_prepare_reset },
	{ UVC_CMD_CPU_RESET_CLEAR, uv_cpu_reset },
	{ UVC_CMD_CPU_SET_STATE, uv_cpu_set_state },
	{ UVC_CMD_SET_UNSHARE_ALL, uv_unshare_all },
	{ UVC_CMD_PIN_PAGE_SHARED, uv_pin_shared },
	{ UVC_CMD_UNPIN_PAGE_SHARED, uv_unpin_shared },
	{ UVC_CMD_DUMP_INIT, uv_dump_init },
	{ UVC_CMD_DUMP_CONF_STOR_STATE, uv_dump_stor_state },
	{ UVC_CMD_DUMP_CPU, uv_dump_cpu },
	{ UVC_CMD_DUMP_COMPLETE, uv_dump_complete },
	{ UVC_CMD_SET_SHARED_ACCESS, uv_set_shared },
	{ UVC_CMD_REMOVE_SHARED_ACCESS, uv_remove_shared },
	{ UVC_CMD_RETR_ATTEST, uv_attest },
};

static uv_handler_fn *handler_of(uint16_t cmd)
{
	for (size_t i = 0; i < G_N_ELEMENTS(handlers); i++)
		if (handlers[i].cmd == cmd)
			return handlers[i].fn;
	return NULL;
}

/* The instruction's opcode (UVC, 0xB9A4) tags the trace's function id. */
#define UV_TRACE_FID(cmd) (0xB9A40000ull | (cmd))

int uv_call(struct uv *uv, const struct uv_caller *who, uint8_t *cb, size_t buflen,
	    uint64_t *cycles)
{
	uv->t0 = sim_time(uv->m->sim);
	uv->spent = uv->par.call_cycles;
	uint16_t len = buflen >= UVCB_HDR ? uvcb_len(cb) : 0, cmd = uvcb_cmd(cb), rrc = 0, rc;
	const struct uv_cmd_info *ci = uv_cmd_by_code(cmd);
	uv_handler_fn *fn = handler_of(cmd);
	trace_MON_CALL(uv->m->sim, uv->src, UV_TRACE_FID(cmd), len >= 0x20 ? uv_be64(cb + 0x18) : 0,
		       len >= 0x28 ? uv_be64(cb + 0x20) : 0, who->guest ? who->conf : 0);
	bool by_guest = ci && (ci->guest == UV_BY_BOTH || (ci->guest == UV_BY_GUEST) == who->guest);
	if (buflen < UVCB_HDR || len > buflen)
		rc = UVC_RC_INV_LEN;
	/* a host call from a guest or a guest call from the host is unknown
	 * to it (kvm-unit-tests uv-host.c / uv-guest.c test_invalid) */
	else if (!ci || !fn || !by_guest || (who->guest && ci->guest == UV_BY_GUEST && !who->conf))
		rc = UVC_RC_INV_CMD;
	/* nothing but the queries and initialise before INIT_UV (uv-host.c
	 * test_uv_uninitialized) */
	else if (!uv->initialized && !who->guest && cmd != UVC_CMD_QUI && cmd != UVC_CMD_INIT_UV &&
		 cmd != UVC_CMD_QUERY_KEYS)
		rc = UVC_RC_INV_STATE;
	else if (cmd == UVC_CMD_QUI ? len < UVCB_QUI_MIN : len != ci->len)
		rc = UVC_RC_INV_LEN; /* uv-host.c "hdr invalid length"; pv-attest.c "uvcb too large" */
	else
		rc = fn(uv, who, cb, &rrc);
	uv_put16(cb + 4, rc);
	uv_put16(cb + 6, rrc);
	uv->stat_calls++;
	uv->stat_errors += rc != UVC_RC_EXECUTED;
	sim_set_time(uv->m->sim, uv->t0 + uv->spent);
	*cycles = uv->spent;
	trace_MON_RET(uv->m->sim, uv->src, UV_TRACE_FID(cmd), rc, rrc, uv->spent);
	return rc == UVC_RC_EXECUTED ? 0 : 1;
}

/* --- the UV's memory accesses --- */

int uv_mem(struct uv *uv, uint64_t pa, void *buf, size_t len, bool write)
{
	struct bus_port bus = machine_bus(uv->m);
	uint8_t *p = buf;
	while (len) {
		size_t n = MIN(len, 64 - (pa & 63));
		struct mem_access a = { .pa = pa, .len = (uint32_t)n, .write = write,
					.world = WORLD_ROOT, .pas = PAS_ROOT, .el = 3,
					.src = uv->src, .key = -1 };
		struct cc_fault f;
		uint64_t c = 0;
		int r = bus_access(&bus, &a, p, &f, &c);
		uv->spent += c;
		sim_set_time(uv->m->sim, uv->t0 + uv->spent);
		if (r)
			return -EFAULT;
		pa += n;
		p += n;
		len -= n;
	}
	return 0;
}

int uv_mem_zero(struct uv *uv, uint64_t pa, uint64_t len)
{
	static const uint8_t zero[UV_PAGE];
	int rc = 0;
	for (uint64_t off = 0; off < len && !rc; off += UV_PAGE)
		rc = uv_mem(uv, pa + off, (void *)zero, MIN(UV_PAGE, len - off), true);
	return rc;
}

int uv_translate(struct uv *uv, struct uv_conf *c, uint64_t gaddr, uint64_t *hpa)
{
	if (c->gmap)
		return c->gmap(c->gmap_ctx, gaddr, hpa);
	if (gaddr >= c->stor_len || c->stor_origin + gaddr >= uv->par.mem_top)
		return -1;
	*hpa = c->stor_origin + gaddr;
	return 0;
}

int uv_guest_mem(struct uv *uv, struct uv_conf *c, uint64_t gaddr, void *buf, size_t len,
		 bool write)
{
	uint8_t *p = buf;
	while (len) {
		uint64_t hpa;
		size_t n = MIN(len, UV_PAGE - (gaddr & (UV_PAGE - 1)));
		if (uv_translate(uv, c, gaddr, &hpa) || uv_mem(uv, hpa, p, n, write))
			return -1;
		gaddr += n;
		p += n;
		len -= n;
	}
	return 0;
}

/* --- handles --- */

uint64_t uv_new_handle(struct uv *uv, unsigned index)
{
	return ++uv->next_seq << 8 | index;
}

struct uv_conf *uv_conf_of(struct uv *uv, uint64_t handle)
{
	unsigned i = handle & 0xff;
	return i < UV_CONF_MAX && handle && uv->conf[i].handle == handle ? &uv->conf[i] : NULL;
}

struct uv_cpu *uv_cpu_of(struct uv *uv, uint64_t handle)
{
	unsigned i = handle & 0xff;
	return i < UV_CPU_MAX && handle && uv->cpu[i].handle == handle ? &uv->cpu[i] : NULL;
}

uint32_t uv_conf_id(const struct uv *uv, uint64_t handle)
{
	const struct uv_conf *c = uv_conf_of((struct uv *)uv, handle);
	return c ? uv_conf_index_id(uv, c) : 0;
}

uint32_t uv_cpu_conf(const struct uv *uv, uint64_t cpu_handle)
{
	const struct uv_cpu *c = uv_cpu_of((struct uv *)uv, cpu_handle);
	return c ? c->conf : 0;
}

void uv_set_gmap(struct uv *uv, uint32_t conf, uv_gmap_fn *fn, void *ctx)
{
	if (conf >= 1 && conf <= UV_CONF_MAX) {
		uv->conf[conf - 1].gmap = fn;
		uv->conf[conf - 1].gmap_ctx = ctx;
	}
}

bool uv_initialized(const struct uv *uv)
{
	return uv->initialized != 0;
}

void uv_host_key_hash(const struct uv *uv, uint8_t out[32])
{
	se_phkh(uv->host_key.coord, out);
}

enum uv_page_kind uv_page_state(const struct uv *uv, uint64_t pa, uint32_t *conf, uint64_t *gaddr)
{
	const struct uv_hpage *h = uv_hpage(uv, pa);
	*conf = 0;
	*gaddr = 0;
	if (uv_range_at(uv, pa))
		return UV_PAGE_UV_STORAGE;
	if (!h)
		return UV_PAGE_NONSECURE;
	*conf = h->conf;
	*gaddr = h->gfn * UV_PAGE;
	return h->shared ? UV_PAGE_SHARED : UV_PAGE_SECURE;
}

/* --- checkpoints: the UV's state beyond the counters --- */

static gboolean save_gpage(gpointer k, gpointer v, gpointer out)
{
	(void)k;
	const struct uv_gpage *g = v;
	sim_buf_put_u64(out, g->gfn);
	sim_buf_put_u64(out, g->hpfn);
	sim_buf_put_u8(out, g->state);
	sim_buf_put_u64(out, g->counter);
	sim_buf_put(out, g->tag, sizeof(g->tag));
	return FALSE;
}

static gboolean save_hpage(gpointer k, gpointer v, gpointer out)
{
	(void)k;
	const struct uv_hpage *h = v;
	sim_buf_put_u64(out, h->pfn);
	sim_buf_put_u32(out, h->conf);
	sim_buf_put_u64(out, h->gfn);
	sim_buf_put_u8(out, h->shared);
	sim_buf_put_u8(out, h->pinned);
	return FALSE;
}

static void put_bytes(struct sim_buf *out, const GByteArray *a)
{
	sim_buf_put_u32(out, a->len);
	sim_buf_put(out, a->data, a->len);
}

static int uv_save(const struct sim_model *mm, struct sim_buf *out)
{
	const struct uv *uv = (const struct uv *)mm;
	sim_buf_put_u32(out, uv->initialized);
	sim_buf_put_u64(out, uv->next_seq);
	sim_buf_put(out, uv->ranges, sizeof(uv->ranges));
	sim_buf_put(out, uv->cpu, sizeof(uv->cpu));
	for (unsigned i = 0; i < UV_CONF_MAX; i++) {
		const struct uv_conf *c = &uv->conf[i];
		/* the fixed part, then what hangs off it */
		sim_buf_put(out, c, offsetof(struct uv_conf, pld));
		put_bytes(out, c->pld);
		put_bytes(out, c->ald);
		put_bytes(out, c->tld);
		sim_buf_put_u32(out, (uint32_t)g_tree_nnodes(c->gpages));
		g_tree_foreach(c->gpages, save_gpage, out);
		sim_buf_put_u32(out, c->dumping);
		sim_buf_put_u64(out, c->dump_seq);
	}
	sim_buf_put_u32(out, (uint32_t)g_tree_nnodes(uv->hpages));
	g_tree_foreach(uv->hpages, save_hpage, out);
	return 0;
}

static bool get_bytes(struct sim_reader *in, GByteArray *a)
{
	uint32_t n = sim_reader_u32(in);
	if (in->failed || n > in->len - in->pos)
		return false;
	g_byte_array_set_size(a, 0);
	g_byte_array_append(a, in->data + in->pos, n);
	in->pos += n;
	return true;
}

static int uv_restore(struct sim_model *mm, struct sim_reader *in)
{
	struct uv *uv = (struct uv *)mm;
	uv->initialized = sim_reader_u32(in);
	uv->next_seq = sim_reader_u64(in);
	if (!sim_reader_get(in, uv->ranges, sizeof(uv->ranges)) ||
	    !sim_reader_get(in, uv->cpu, sizeof(uv->cpu)))
		return -EINVAL;
	for (unsigned i = 0; i < UV_CONF_MAX; i++) {
		struct uv_conf *c = &uv->conf[i];
		uv_gmap_fn *gm = c->gmap;
		void *gctx = c->gmap_ctx;
		if (!sim_reader_get(in, c, offsetof(struct uv_conf, pld)) || !get_bytes(in, c->pld) ||
		    !get_bytes(in, c->ald) || !get_bytes(in, c->tld))
			return -EINVAL;
		g_tree_remove_all(c->gpages);
		for (uint32_t n = sim_reader_u32(in); n && !in->failed; n--) {
			struct uv_gpage *g = g_new0(struct uv_gpage, 1);
			g->gfn = sim_reader_u64(in);
			g->hpfn = sim_reader_u64(in);
			g->state = sim_reader_u8(in);
			g->counter = sim_reader_u64(in);
			sim_reader_get(in, g->tag, sizeof(g->tag));
			g_tree_insert(c->gpages, &g->gfn, g);
		}
		c->dumping = sim_reader_u32(in);
		c->dump_seq = sim_reader_u64(in);
		c->gmap = gm;
		c->gmap_ctx = gctx;
	}
	g_tree_remove_all(uv->hpages);
	for (uint32_t n = sim_reader_u32(in); n && !in->failed; n--) {
		struct uv_hpage *h = g_new0(struct uv_hpage, 1);
		h->pfn = sim_reader_u64(in);
		h->conf = sim_reader_u32(in);
		h->gfn = sim_reader_u64(in);
		h->shared = sim_reader_u8(in);
		h->pinned = sim_reader_u8(in);
		g_tree_insert(uv->hpages, &h->pfn, h);
	}
	return in->failed ? -EINVAL : 0;
}

static void uv_destroy(struct sim_model *mm)
{
	struct uv *uv = (struct uv *)mm;
	for (unsigned i = 0; i < UV_CONF_MAX; i++) {
		g_byte_array_free(uv->conf[i].pld, TRUE);
		g_byte_array_free(uv->conf[i].ald, TRUE);
		g_byte_array_free(uv->conf[i].tld, TRUE);
		g_tree_destroy(uv->conf[i].gpages);
	}
	g_tree_destroy(uv->hpages);
	g_free(uv);
}

static const struct sim_field uv_fields[] = {
	SIM_FIELD(struct uv, stat_calls), SIM_FIELD(struct uv, stat_errors),
	SIM_FIELD(struct uv, stat_exports), SIM_FIELD(struct uv, stat_imports),
	SIM_FIELD(struct uv, stat_import_refused), SIM_FIELD(struct uv, stat_unpacked),
	SIM_FIELD(struct uv, stat_faults), SIM_FIELD(struct uv, stat_shared),
	SIM_FIELD(struct uv, stat_sie), SIM_FIELD(struct uv, stat_validity),
};
static const struct sim_vmstate uv_vmstate = { "uv", 2, uv_fields, G_N_ELEMENTS(uv_fields) };
static const struct sim_model_ops uv_ops = {
	.save_extra = uv_save, .restore_extra = uv_restore, .destroy = uv_destroy,
};

struct uv *uv_create(struct sim *s, struct machine *m)
{
	const struct platform_config *cfg = &m->cfg;
	if (!cfg->uv)
		return NULL;
	struct uv *uv = g_new0(struct uv, 1);
	uv->m = m;
	uv->seed = s->seed;
	uv->par = (struct uv_params){
		.base_stor_len = cfg->uv_base_stor_len, .conf_base_phys_len = cfg->uv_conf_base_len,
		.conf_base_virt_len = cfg->uv_conf_virt_len, .conf_virt_var_len = cfg->uv_conf_var_len,
		.cpu_stor_len = cfg->uv_cpu_stor_len, .max_guest_stor_addr = cfg->uv_max_guest_stor,
		.dump_stor_state_len = UV_PAGE, .dump_finalize_len = UV_PAGE,
		.max_confs = (uint32_t)cfg->uv_max_confs, .max_cpu_id = (uint32_t)cfg->uv_max_cpu_id,
		.call_cycles = cfg->uv_call_cycles, .page_cycles = cfg->uv_page_cycles,
		.mem_top = 1ull << cfg->pa_bits,
	};
	/* the machine's host key: its private half never leaves the UV */
	se_host_key(s->seed, 0, &uv->host_key);
	uv->hpages = uv_gtree_new();
	for (unsigned i = 0; i < UV_CONF_MAX; i++) {
		uv->conf[i].pld = g_byte_array_new();
		uv->conf[i].ald = g_byte_array_new();
		uv->conf[i].tld = g_byte_array_new();
		uv->conf[i].gpages = uv_gtree_new();
	}
	uv->src = sim_trace_source(s, "uv");
	uv->base.name = "uv";
	uv->base.kind = "uv";
	uv->base.ops = &uv_ops;
	uv->base.vmstate = &uv_vmstate;
	sim_model_register(s, &uv->base);
#define ST(f, n, d) SIM_STAT_DEF(struct uv, f, n, SIM_STAT_COUNT, d)
	static const struct sim_stat_def stats[] = {
		ST(stat_calls, "calls", "ultravisor calls (UVCs) from the host and secure guests"),
		ST(stat_errors, "errors", "UVCs answered with a return code other than executed"),
		ST(stat_exports, "exports", "guest pages exported (converted from secure, encrypted)"),
		ST(stat_imports, "imports", "guest pages imported (converted to secure)"),
		ST(stat_import_refused, "import_refused",
		   "imports refused: the page failed its integrity check or was not its last export"),
		ST(stat_unpacked, "unpacked", "image pages unpacked into secure storage"),
		ST(stat_faults, "faults", "accesses stopped by secure storage exceptions (PGM 0x3d-0x3f)"),
		ST(stat_shared, "shared", "guest pages shared with the host (set shared access)"),
		ST(stat_sie, "sie", "SIE entries of secure CPUs (format-4 state descriptions)"),
		ST(stat_validity, "validity",
		   "validity intercepts: a state description naming no runnable secure CPU, or an "
		   "interrupt injected into a guest not enabled for it"),
	};
#undef ST
	sim_stat_register_table(s, "uv", uv, stats, G_N_ELEMENTS(stats));
	return uv;
}
