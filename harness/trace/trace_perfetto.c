/* Perfetto export: one track per trace source (host, each vm, the monitors,
 * the physical attacker, devices, the scenario), a child track per guest
 * vCPU the monitor runs (a REC, a TD vCPU) and per guest's phases. Slices:
 * scenario steps, monitor calls (mon.call .. mon.ret), guest runs
 * (rec.enter .. rec.exit), phases (from one phase marker to the guest's
 * next). Every other record is an instant on its source's track: exits,
 * faults, the attacker's reads and writes, key and table changes. Each
 * event carries the record's decoded fields as debug annotations. */
#include "harness/trace/trace_perfetto.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "harness/trace/trace_decode.h"
#include "harness/trace/trace_pb.h"

#define UUID_SOURCE 0x1000ull  /* + source id */
#define UUID_VCPU 0x100000ull  /* + index in vcpus */
#define UUID_PHASES 0x200000ull /* + the guest's number */

struct vcpu_track {
	uint16_t src;
	uint64_t id; /* the REC's or TDVPR's address */
};

struct export {
	struct trace_names n;
	GArray *vcpus;       /* struct vcpu_track, in order of first entry */
	GArray *phase_vms;   /* uint64_t guest numbers with phase markers */
	GHashTable *depth;   /* track uuid -> open slices (GUINT_TO_POINTER) */
	GHashTable *running; /* source id -> uuid of the vCPU track it entered */
	uint16_t scenario;   /* source id of "scenario" */
	bool has_scenario;
	FILE *out;
	GByteArray *pkt, *ev, *tmp;
	uint64_t last_ns;
};

static void scan_rec(void *ctx, const struct trace_rec *rec)
{
	struct export *x = ctx;
	if (rec->type == TRACE_REC_ENTER) {
		for (guint i = 0; i < x->vcpus->len; i++) {
			const struct vcpu_track *v = &g_array_index(x->vcpus, struct vcpu_track, i);
			if (v->src == rec->src && v->id == rec->a[0])
				return;
		}
		struct vcpu_track v = { rec->src, rec->a[0] };
		g_array_append_val(x->vcpus, v);
	} else if (rec->type == TRACE_SOURCE && rec->len == 8 &&
		   memcmp(rec->payload, "scenario", 8) == 0) {
		x->scenario = rec->src;
		x->has_scenario = true;
	} else if (rec->type == TRACE_NOTE && x->has_scenario && rec->src == x->scenario) {
		uint64_t vm = rec->a[1];
		for (guint i = 0; i < x->phase_vms->len; i++)
			if (g_array_index(x->phase_vms, uint64_t, i) == vm)
				return;
		g_array_append_val(x->phase_vms, vm);
	}
}

/* One TracePacket (x->pkt holds its fields) as a Trace.packet. */
static int put_packet(struct export *x)
{
	pb_uint(x->pkt, PF_PACKET_SEQUENCE_ID, PF_SEQUENCE);
	GByteArray *w = x->tmp;
	g_byte_array_set_size(w, 0);
	pb_msg(w, PF_TRACE_PACKET, x->pkt);
	g_byte_array_set_size(x->pkt, 0);
	return fwrite(w->data, 1, w->len, x->out) == w->len ? 0 : -1;
}

static int put_track(struct export *x, uint64_t uuid, const char *name, uint64_t parent, bool first)
{
	GByteArray *d = x->ev;
	g_byte_array_set_size(d, 0);
	pb_uint(d, PF_TRACK_UUID, uuid);
	pb_str(d, PF_TRACK_NAME, name);
	if (parent)
		pb_uint(d, PF_TRACK_PARENT_UUID, parent);
	pb_msg(x->pkt, PF_PACKET_TRACK_DESCRIPTOR, d);
	if (first)
		pb_uint(x->pkt, PF_PACKET_SEQUENCE_FLAGS, PF_SEQ_INCREMENTAL_STATE_CLEARED);
	return put_packet(x);
}

static int put_tracks(struct export *x)
{
	bool first = true;
	for (guint i = 0; i < x->n.src->len; i++) {
		if (!x->n.src->pdata[i])
			continue;
		if (put_track(x, UUID_SOURCE + i, x->n.src->pdata[i], 0, first))
			return -1;
		first = false;
	}
	for (guint i = 0; i < x->vcpus->len; i++) {
		const struct vcpu_track *v = &g_array_index(x->vcpus, struct vcpu_track, i);
		const char *src = trace_names_source(&x->n, v->src);
		gchar *name = g_strdup_printf("%s %s %#llx", src,
					      strcmp(src, "tdx") == 0 ? "tdvpr" : "rec",
					      (unsigned long long)v->id);
		int rc = put_track(x, UUID_VCPU + i, name, UUID_SOURCE + v->src, first);
		g_free(name);
		if (rc)
			return -1;
		first = false;
	}
	for (guint i = 0; i < x->phase_vms->len; i++) {
		uint64_t vm = g_array_index(x->phase_vms, uint64_t, i);
		gchar *name = g_strdup_printf("phases of guest %llu", (unsigned long long)vm);
		int rc = put_track(x, UUID_PHASES + vm, name, UUID_SOURCE + x->scenario, first);
		g_free(name);
		if (rc)
			return -1;
		first = false;
	}
	return 0;
}

static void annotate(GByteArray *ev, GByteArray *tmp, const char *key, int kind, uint64_t v,
		     const char *s)
{
	g_byte_array_set_size(tmp, 0);
	pb_str(tmp, PF_ANN_NAME, key);
	if (s)
		pb_str(tmp, PF_ANN_STRING, s);
	else
		pb_uint(tmp, kind, v);
	pb_msg(ev, PF_EVENT_DEBUG_ANNOTATIONS, tmp);
}

/* The record's fields (and payload) as debug annotations of x->ev. */
static void annotate_rec(struct export *x, const struct trace_rec *rec, const struct trace_decoded *d)
{
	GByteArray *a = g_byte_array_new();
	for (size_t i = 0; i < d->n; i++) {
		const struct trace_field *f = &d->f[i];
		if (f->kind == TF_NAME)
			annotate(x->ev, a, f->key, 0, 0, f->text);
		else
			annotate(x->ev, a, f->key, f->kind == TF_HEX ? PF_ANN_POINTER : PF_ANN_UINT,
				 f->raw, NULL);
	}
	if (rec->len && !d->payload_decoded && rec->type != TRACE_STEP) {
		bool text = true;
		for (uint32_t i = 0; i < rec->len && text; i++)
			text = rec->payload[i] >= 0x20 && rec->payload[i] <= 0x7e;
		gchar *s = text ? g_strndup((const char *)rec->payload, rec->len)
				: g_malloc(2 * (gsize)rec->len + 1);
		for (uint32_t i = 0; !text && i < rec->len; i++)
			snprintf(s + 2 * i, 3, "%02x", rec->payload[i]);
		annotate(x->ev, a, text ? "text" : "bytes", 0, 0, s);
		g_free(s);
	}
	g_byte_array_free(a, TRUE);
}

static unsigned depth(struct export *x, uint64_t uuid)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(x->depth, GSIZE_TO_POINTER(uuid)));
}

/* One TrackEvent on `uuid` at ns; BEGIN and END keep the track's depth. */
static int put_event(struct export *x, uint64_t ns, uint64_t uuid, unsigned type, const char *name,
		     const struct trace_rec *rec, const struct trace_decoded *d)
{
	unsigned dep = depth(x, uuid);
	if (type == PF_TYPE_SLICE_END && dep == 0) {
		/* an end with no begin (a trace that starts mid-call): the record
		 * stays, as an instant */
		if (!rec)
			return 0;
		type = PF_TYPE_INSTANT;
		name = name ? name : d->kind;
	}
	if (type == PF_TYPE_SLICE_BEGIN || type == PF_TYPE_SLICE_END)
		g_hash_table_insert(x->depth, GSIZE_TO_POINTER(uuid),
				    GUINT_TO_POINTER(type == PF_TYPE_SLICE_BEGIN ? dep + 1 : dep - 1));
	g_byte_array_set_size(x->ev, 0);
	pb_uint(x->ev, PF_EVENT_TYPE, type);
	pb_uint(x->ev, PF_EVENT_TRACK_UUID, uuid);
	pb_str(x->ev, PF_EVENT_CATEGORIES, "ccsim");
	if (name)
		pb_str(x->ev, PF_EVENT_NAME, name);
	if (rec)
		annotate_rec(x, rec, d);
	pb_uint(x->pkt, PF_PACKET_TIMESTAMP, ns);
	pb_msg(x->pkt, PF_PACKET_TRACK_EVENT, x->ev);
	x->last_ns = ns;
	return put_packet(x);
}

static uint64_t vcpu_uuid(const struct export *x, uint16_t src, uint64_t id)
{
	for (guint i = 0; i < x->vcpus->len; i++) {
		const struct vcpu_track *v = &g_array_index(x->vcpus, struct vcpu_track, i);
		if (v->src == src && v->id == id)
			return UUID_VCPU + i;
	}
	return UUID_SOURCE + src;
}

/* The track of the vCPU source src is running (since its rec.enter), or src's own. */
static uint64_t running_track(const struct export *x, uint16_t src)
{
	gpointer u = g_hash_table_lookup(x->running, GUINT_TO_POINTER(src));
	return u ? (uint64_t)GPOINTER_TO_SIZE(u) : UUID_SOURCE + src;
}

static int put_rec(struct export *x, const struct trace_rec *rec)
{
	struct trace_decoded d;
	uint64_t ns = trace_names_ns(&x->n, rec->cycle), own = UUID_SOURCE + rec->src;
	trace_decode(&x->n, rec, &d);
	const struct trace_field *f0 = d.n ? &d.f[0] : NULL;
	switch (rec->type) {
	case TRACE_SOURCE:
		return 0;
	case TRACE_STEP: {
		gchar *name = g_strndup((const char *)rec->payload, rec->len);
		int rc = put_event(x, ns, own, PF_TYPE_SLICE_BEGIN, name, rec, &d);
		g_free(name);
		return rc;
	}
	case TRACE_STEP_DONE:
		return put_event(x, ns, own, PF_TYPE_SLICE_END, NULL, rec, &d);
	case TRACE_MON_CALL:
		return put_event(x, ns, own, PF_TYPE_SLICE_BEGIN, f0->text, rec, &d);
	case TRACE_MON_RET:
		return put_event(x, ns, own, PF_TYPE_SLICE_END, NULL, rec, &d);
	case TRACE_GUEST_CALL: /* within the run of the vCPU that made it */
		return put_event(x, ns, running_track(x, rec->src), PF_TYPE_SLICE_BEGIN, f0->text, rec, &d);
	case TRACE_GUEST_RET:
		return put_event(x, ns, running_track(x, rec->src), PF_TYPE_SLICE_END, NULL, rec, &d);
	case TRACE_REC_ENTER: {
		uint64_t u = vcpu_uuid(x, rec->src, rec->a[0]);
		g_hash_table_insert(x->running, GUINT_TO_POINTER(rec->src), GSIZE_TO_POINTER(u));
		return put_event(x, ns, u, PF_TYPE_SLICE_BEGIN, "run", rec, &d);
	}
	case TRACE_REC_EXIT: {
		uint64_t uuid = running_track(x, rec->src);
		gchar *name = g_strdup_printf("exit: %s", f0->text);
		int rc = put_event(x, ns, uuid, PF_TYPE_INSTANT, name, rec, &d) ||
			 put_event(x, ns, uuid, PF_TYPE_SLICE_END, NULL, NULL, NULL);
		g_free(name);
		g_hash_table_remove(x->running, GUINT_TO_POINTER(rec->src));
		return rc;
	}
	case TRACE_VM_EXIT: {
		gchar *name = g_strdup_printf("exit: %s", f0->text);
		int rc = put_event(x, ns, own, PF_TYPE_INSTANT, name, rec, &d);
		g_free(name);
		return rc;
	}
	case TRACE_NOTE:
		if (x->has_scenario && rec->src == x->scenario) { /* a guest's next phase */
			uint64_t u = UUID_PHASES + rec->a[1];
			gchar *name = g_strndup((const char *)rec->payload, rec->len);
			int rc = (depth(x, u) && put_event(x, ns, u, PF_TYPE_SLICE_END, NULL, NULL, NULL)) ||
				 put_event(x, ns, u, PF_TYPE_SLICE_BEGIN, name, rec, &d);
			g_free(name);
			return rc;
		} else {
			gchar *name = g_strndup((const char *)rec->payload, rec->len);
			int rc = put_event(x, ns, own, PF_TYPE_INSTANT, rec->len ? name : d.kind, rec, &d);
			g_free(name);
			return rc;
		}
	default:
		return put_event(x, ns, own, PF_TYPE_INSTANT, d.kind, rec, &d);
	}
}

static gint uuid_cmp(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Slices still open at the end of the trace end there, track by track in
 * uuid order (not the hash table's). */
static int close_all(struct export *x)
{
	GHashTableIter it;
	gpointer key, val;
	GArray *open = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	int rc = 0;
	g_hash_table_iter_init(&it, x->depth);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		uint64_t u = (uint64_t)GPOINTER_TO_SIZE(key);
		if (GPOINTER_TO_UINT(val))
			g_array_append_val(open, u);
	}
	g_array_sort(open, uuid_cmp);
	for (guint i = 0; i < open->len && !rc; i++) {
		uint64_t u = g_array_index(open, uint64_t, i);
		while (depth(x, u) && !rc)
			rc = put_event(x, x->last_ns, u, PF_TYPE_SLICE_END, NULL, NULL, NULL);
	}
	g_array_free(open, TRUE);
	return rc;
}

int trace_perfetto_write(FILE *in, const char *path, FILE *out, uint64_t freq_hz, char *err,
			 size_t errlen)
{
	struct trace_reader r;
	struct trace_rec rec;
	struct export x = { .vcpus = g_array_new(FALSE, FALSE, sizeof(struct vcpu_track)),
			    .phase_vms = g_array_new(FALSE, FALSE, sizeof(uint64_t)), .out = out };
	int rc = -1, k = 0;
	if (trace_scan(in, path, &r, &x.n, scan_rec, &x, err, errlen))
		goto out_arrays;
	if (freq_hz)
		x.n.freq_hz = freq_hz;
	if (!x.n.freq_hz) {
		snprintf(err, errlen, "%s: the header names no clock frequency (a version 1 trace): "
			 "give it with --freq-hz N (the run's stats.json has freq_hz)", path);
		goto out_names;
	}
	x.depth = g_hash_table_new(g_direct_hash, g_direct_equal);
	x.running = g_hash_table_new(g_direct_hash, g_direct_equal);
	x.pkt = g_byte_array_new();
	x.ev = g_byte_array_new();
	x.tmp = g_byte_array_new();
	int w = put_tracks(&x);
	while (!w && (k = trace_reader_next(&r, &rec, err, errlen)) > 0)
		w = put_rec(&x, &rec);
	if (!w && k == 0)
		w = close_all(&x);
	if (w)
		snprintf(err, errlen, "cannot write the Perfetto trace: %s", g_strerror(errno));
	else if (k == 0)
		rc = 0; /* (k < 0: the file changed since the scan; err says where) */
	g_hash_table_destroy(x.depth);
	g_hash_table_destroy(x.running);
	g_byte_array_free(x.pkt, TRUE);
	g_byte_array_free(x.ev, TRUE);
	g_byte_array_free(x.tmp, TRUE);
out_names:
	trace_names_fini(&x.n);
out_arrays:
	g_array_free(x.vcpus, TRUE);
	g_array_free(x.phase_vms, TRUE);
	return rc;
}

int trace_perfetto_export(FILE *in, const char *path, const char *out_path, uint64_t freq_hz,
			  char *err, size_t errlen)
{
	gchar *tmp = g_strdup_printf("%s.part", out_path);
	FILE *out = fopen(tmp, "wb");
	int rc = -1;
	if (!out) {
		snprintf(err, errlen, "%s: cannot write: %s", tmp, g_strerror(errno));
		g_free(tmp);
		return -1;
	}
	if (trace_perfetto_write(in, path, out, freq_hz, err, errlen)) {
		fclose(out);
	} else if (fclose(out)) {
		snprintf(err, errlen, "%s: cannot write: %s", tmp, g_strerror(errno));
	} else if (g_rename(tmp, out_path)) {
		snprintf(err, errlen, "%s: cannot write: %s", out_path, g_strerror(errno));
	} else {
		rc = 0;
	}
	if (rc)
		(void)g_remove(tmp);
	g_free(tmp);
	return rc;
}
