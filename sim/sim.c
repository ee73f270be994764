/* Simulation context, run loop and whole-simulation snapshots; see sim.h. */
#include "sim/sim.h"

#include <assert.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#define SNAP_MAGIC "CCSIMCK1"
#define SNAP_FORMAT 3 /* 2: the agent's time (local) after now; 3: phases */

void sim_init(struct sim *s, uint64_t seed, uint64_t freq_hz)
{
	assert(freq_hz != 0);
	memset(s, 0, sizeof(*s));
	s->freq_hz = freq_hz;
	s->seed = seed;
	sim_rng_seed(&s->rng, seed);
	sim_eventq_init(&s->events);
	s->log.sink = stderr;
	s->log.level = SIM_LOG_WARN;
	sim_stats_init(&s->stats);
	sim_trace_init(&s->trace);
	sim_phases_init(&s->phases);
	s->models_tail = &s->models;
}

void sim_fini(struct sim *s)
{
	/* Destroy in reverse registration order: later models may use earlier ones. */
	GPtrArray *order = g_ptr_array_new();
	for (struct sim_model *m = s->models; m; m = m->next)
		g_ptr_array_add(order, m);
	for (guint i = order->len; i > 0; i--) {
		struct sim_model *m = order->pdata[i - 1];
		if (m->ops && m->ops->destroy)
			m->ops->destroy(m);
	}
	g_ptr_array_free(order, TRUE);
	s->models = NULL;
	s->models_tail = &s->models;
	sim_eventq_free(&s->events);
	sim_phases_free(&s->phases);
	sim_stats_free(&s->stats);
}

void sim_model_register(struct sim *s, struct sim_model *m)
{
	assert(m->name && !sim_model_find(s, m->name));
	m->sim = s;
	m->next = NULL;
	*s->models_tail = m;
	s->models_tail = &m->next;
}

struct sim_model *sim_model_find(struct sim *s, const char *name)
{
	for (struct sim_model *m = s->models; m; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

void sim_reset(struct sim *s)
{
	for (struct sim_model *m = s->models; m; m = m->next)
		if (m->ops && m->ops->reset)
			m->ops->reset(m);
}

uint64_t sim_run_until(struct sim *s, uint64_t limit)
{
	uint64_t n = 0;
	struct sim_event ev;
	/* Test the length, not just the time: an empty queue reports UINT64_MAX,
	 * which a limit of UINT64_MAX would otherwise admit. */
	while (sim_eventq_len(&s->events) && sim_eventq_next_time(&s->events) <= limit) {
		sim_eventq_pop(&s->events, &ev);
		s->now = s->local = ev.when;
		ev.type->fire(s, ev.target, ev.arg);
		n++;
	}
	return n;
}

/* --- snapshots --- */

static void save_fields(const struct sim_model *m, struct sim_buf *out)
{
	const struct sim_vmstate *vs = m->vmstate;
	sim_buf_put_str(out, vs ? vs->name : "");
	sim_buf_put_u32(out, vs ? vs->version : 0);
	sim_buf_put_u32(out, vs ? (uint32_t)vs->nfields : 0);
	for (size_t i = 0; vs && i < vs->nfields; i++) {
		const struct sim_field *f = &vs->fields[i];
		sim_buf_put_str(out, f->name);
		sim_buf_put_u32(out, f->size);
		sim_buf_put_u32(out, f->count);
		sim_buf_put_field(out, m, f);
	}
}

/* A checkpoint's field table that is not the model's, handed whole to a
 * model that takes over such tables (restore_old_fields): its values, in
 * order, each element `size` bytes little-endian. */
static void read_values(struct sim_reader *in, uint32_t nfields, struct sim_buf *values)
{
	char name[128];
	for (uint32_t i = 0; i < nfields && !in->failed; i++) {
		sim_reader_str(in, name, sizeof(name));
		uint32_t size = sim_reader_u32(in), count = sim_reader_u32(in);
		uint64_t n = (uint64_t)size * count;
		if (in->failed || (size != 1 && size != 2 && size != 4 && size != 8) ||
		    n > in->len - in->pos) {
			in->failed = true;
			break;
		}
		sim_buf_put(values, in->data + in->pos, (size_t)n);
		in->pos += (size_t)n;
	}
}

static int restore_old_fields(struct sim_model *m, struct sim_reader *in, const char *state,
			      uint32_t version, uint32_t nfields, char *err, size_t errlen)
{
	struct sim_buf values;
	sim_buf_init(&values);
	read_values(in, nfields, &values);
	int rc = in->failed ? -EINVAL
			    : m->ops->restore_old_fields(m, state, version, values.data, values.len);
	sim_buf_free(&values);
	if (in->failed)
		snprintf(err, errlen, "model %s: checkpoint truncated", m->name);
	else if (rc)
		snprintf(err, errlen, "model %s: cannot take its state \"%s\" v%u", m->name, state,
			 version);
	return rc ? rc : in->failed ? -EINVAL : 0;
}

static int restore_fields(struct sim_model *m, struct sim_reader *in, char *err, size_t errlen)
{
	const struct sim_vmstate *vs = m->vmstate;
	char name[128];
	sim_reader_str(in, name, sizeof(name));
	uint32_t version = sim_reader_u32(in);
	uint32_t nfields = sim_reader_u32(in);
	if (in->failed)
		goto truncated;
	if (strcmp(name, vs ? vs->name : "") != 0 || version != (vs ? vs->version : 0) ||
	    nfields != (vs ? vs->nfields : 0)) {
		if (m->ops && m->ops->restore_old_fields)
			return restore_old_fields(m, in, name, version, nfields, err, errlen);
		snprintf(err, errlen, "model %s: state \"%s\" v%u with %u fields, expected \"%s\" v%u with %zu",
			 m->name, name, version, nfields, vs ? vs->name : "", vs ? vs->version : 0,
			 vs ? vs->nfields : (size_t)0);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < nfields; i++) {
		const struct sim_field *f = &vs->fields[i];
		sim_reader_str(in, name, sizeof(name));
		uint32_t size = sim_reader_u32(in), count = sim_reader_u32(in);
		if (in->failed)
			goto truncated;
		if (strcmp(name, f->name) != 0 || size != f->size || count != f->count) {
			snprintf(err, errlen, "model %s: field %u is %s[%u] of %u bytes, expected %s[%u] of %u",
				 m->name, i, name, count, size, f->name, f->count, f->size);
			return -EINVAL;
		}
		sim_reader_field(in, m, f);
	}
	if (in->failed)
		goto truncated;
	return 0;
truncated:
	snprintf(err, errlen, "model %s: checkpoint truncated", m->name);
	return -EINVAL;
}

/* Does a model of this simulation take records of models it replaced? */
static bool adopter(const struct sim *s)
{
	for (const struct sim_model *m = s->models; m; m = m->next)
		if (m->ops && m->ops->adopt_record)
			return true;
	return false;
}

/* A record named `record` that no model of this simulation has: one that
 * took its state over adopts it (adopt_record). 0, or -EINVAL with err. */
static int adopt_record(struct sim *s, uint32_t index, const char *record, const char *expected,
			struct sim_reader *in, char *err, size_t errlen)
{
	char state[128];
	sim_reader_str(in, state, sizeof(state));
	uint32_t version = sim_reader_u32(in), nfields = sim_reader_u32(in);
	struct sim_buf values;
	sim_buf_init(&values);
	read_values(in, nfields, &values);
	uint64_t elen = sim_reader_u64(in);
	int rc = -ENOENT;
	if (!in->failed && elen <= in->len - in->pos) {
		for (struct sim_model *m = s->models; m && rc == -ENOENT; m = m->next)
			if (m->ops && m->ops->adopt_record)
				rc = m->ops->adopt_record(m, record, state, version, values.data, values.len,
							  in->data + in->pos, (size_t)elen);
		in->pos += (size_t)elen;
	} else {
		in->failed = true;
	}
	sim_buf_free(&values);
	if (in->failed)
		snprintf(err, errlen, "checkpoint truncated at byte %zu", in->pos);
	else if (rc == -ENOENT)
		snprintf(err, errlen, "checkpoint model %u is \"%s\", this machine has \"%s\"", index,
			 record, expected);
	else if (rc)
		snprintf(err, errlen, "checkpoint model %u \"%s\": its state \"%s\" v%u cannot be taken",
			 index, record, state, version);
	return rc ? -EINVAL : 0;
}

int sim_save(const struct sim *s, struct sim_buf *out)
{
	sim_buf_put(out, SNAP_MAGIC, 8);
	sim_buf_put_u32(out, SNAP_FORMAT);
	sim_buf_put_u64(out, s->now);
	sim_buf_put_u64(out, s->local);
	sim_buf_put_u64(out, s->freq_hz);
	sim_buf_put_u64(out, s->seed);
	for (int i = 0; i < 4; i++)
		sim_buf_put_u64(out, s->rng.s[i]);

	/* Events, in (when, seq) order so the bytes do not depend on heap layout. */
	struct sim_eventq copy = s->events;
	copy.heap = g_memdup2(s->events.heap, s->events.len * sizeof(struct sim_event));
	sim_buf_put_u64(out, s->events.next_seq);
	sim_buf_put_u64(out, s->events.len);
	struct sim_event ev;
	while (sim_eventq_pop(&copy, &ev) == 0) {
		sim_buf_put_u64(out, ev.when);
		sim_buf_put_u64(out, ev.seq);
		sim_buf_put_str(out, ev.type->name);
		sim_buf_put_str(out, ev.target ? ev.target->name : "");
		sim_buf_put_u64(out, ev.arg);
	}
	g_free(copy.heap);

	const struct sim_trace *t = &s->trace;
	sim_buf_put(out, t->chain, TRACE_DIGEST_LEN);
	sim_buf_put_u32(out, (uint32_t)t->block_len);
	sim_buf_put(out, t->block, t->block_len);
	sim_buf_put_u64(out, t->records);
	sim_buf_put_u16(out, t->nsources);
	sim_phases_save(s, out);

	uint32_t nmodels = 0;
	for (const struct sim_model *m = s->models; m; m = m->next)
		nmodels++;
	sim_buf_put_u32(out, nmodels);
	for (const struct sim_model *m = s->models; m; m = m->next) {
		sim_buf_put_str(out, m->name);
		save_fields(m, out);
		struct sim_buf extra;
		sim_buf_init(&extra);
		if (m->ops && m->ops->save_extra) {
			int rc = m->ops->save_extra(m, &extra);
			if (rc) {
				sim_buf_free(&extra);
				return rc;
			}
		}
		sim_buf_put_u64(out, extra.len);
		sim_buf_put(out, extra.data, extra.len);
		sim_buf_free(&extra);
	}
	return 0;
}

void sim_eventq_restore_push(struct sim_eventq *q, struct sim_event ev);

int sim_restore(struct sim *s, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	struct sim_reader in;
	char magic[8], name[128], target[128];
	sim_reader_init(&in, data, len);
	if (len < 8) {
		snprintf(err, errlen, "checkpoint truncated (%zu bytes)", len);
		return -EINVAL;
	}
	if (!sim_reader_get(&in, magic, 8) || memcmp(magic, SNAP_MAGIC, 8) != 0) {
		snprintf(err, errlen, "not a ccsim checkpoint (expected magic \"%s\")", SNAP_MAGIC);
		return -EINVAL;
	}
	uint32_t format = sim_reader_u32(&in);
	if (in.failed) {
		snprintf(err, errlen, "checkpoint truncated at byte %zu of %zu", in.pos, len);
		return -EINVAL;
	}
	if (format != SNAP_FORMAT) {
		snprintf(err, errlen, "checkpoint format %u, expected %u", format, (unsigned)SNAP_FORMAT);
		return -EINVAL;
	}
	uint64_t now = sim_reader_u64(&in), local = sim_reader_u64(&in), freq = sim_reader_u64(&in),
		 seed = sim_reader_u64(&in);
	if (in.failed) {
		snprintf(err, errlen, "checkpoint truncated at byte %zu of %zu", in.pos, len);
		return -EINVAL;
	}
	if (freq != s->freq_hz) {
		snprintf(err, errlen, "checkpoint was taken at %llu Hz, this machine runs at %llu Hz",
			 (unsigned long long)freq, (unsigned long long)s->freq_hz);
		return -EINVAL;
	}
	if (local < now) {
		snprintf(err, errlen, "checkpoint's agent time %llu precedes its event time %llu",
			 (unsigned long long)local, (unsigned long long)now);
		return -EINVAL;
	}
	s->now = now;
	s->local = local;
	s->seed = seed;
	for (int i = 0; i < 4; i++)
		s->rng.s[i] = sim_reader_u64(&in);

	s->events.len = 0;
	s->events.next_seq = sim_reader_u64(&in);
	uint64_t nev = sim_reader_u64(&in);
	for (uint64_t i = 0; i < nev && !in.failed; i++) {
		struct sim_event ev = {0};
		ev.when = sim_reader_u64(&in);
		ev.seq = sim_reader_u64(&in);
		sim_reader_str(&in, name, sizeof(name));
		sim_reader_str(&in, target, sizeof(target));
		ev.arg = sim_reader_u64(&in);
		if (in.failed)
			break;
		for (size_t k = 0; k < s->events.ntypes; k++)
			if (strcmp(s->events.types[k]->name, name) == 0)
				ev.type = s->events.types[k];
		ev.target = target[0] ? sim_model_find(s, target) : NULL;
		if (!ev.type || (target[0] && !ev.target)) {
			snprintf(err, errlen, "checkpoint event %s on \"%s\" has no handler here", name,
				 target);
			return -EINVAL;
		}
		sim_eventq_restore_push(&s->events, ev);
	}

	struct sim_trace *t = &s->trace;
	sim_reader_get(&in, t->chain, TRACE_DIGEST_LEN);
	uint32_t blen = sim_reader_u32(&in);
	if (blen >= TRACE_BLOCK) {
		snprintf(err, errlen, "checkpoint trace block of %u bytes, expected < %d", blen, TRACE_BLOCK);
		return -EINVAL;
	}
	sim_reader_get(&in, t->block, blen);
	t->block_len = blen;
	t->records = sim_reader_u64(&in);
	t->nsources = sim_reader_u16(&in);
	if (sim_phases_restore(s, &in)) {
		if (in.failed)
			snprintf(err, errlen, "checkpoint truncated at byte %zu of %zu", in.pos, len);
		else
			snprintf(err, errlen, "checkpoint's phases do not fit this simulation (byte %zu)",
				 in.pos);
		return -EINVAL;
	}

	uint32_t nmodels = sim_reader_u32(&in);
	struct sim_model *m = s->models;
	for (uint32_t i = 0; i < nmodels; i++) {
		sim_reader_str(&in, name, sizeof(name));
		if (in.failed)
			break;
		if ((!m || strcmp(m->name, name) != 0) && !sim_model_find(s, name) && adopter(s)) {
			/* a model folded into another since: that one takes it */
			int rc = adopt_record(s, i, name, m ? m->name : "(none)", &in, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		if (!m || strcmp(m->name, name) != 0) {
			snprintf(err, errlen, "checkpoint model %u is \"%s\", this machine has \"%s\"", i,
				 name, m ? m->name : "(none)");
			return -EINVAL;
		}
		int rc = restore_fields(m, &in, err, errlen);
		if (rc)
			return rc;
		uint64_t elen = sim_reader_u64(&in);
		if (in.failed || elen > in.len - in.pos) {
			in.failed = true;
			break;
		}
		struct sim_reader sub;
		sim_reader_init(&sub, in.data + in.pos, (size_t)elen);
		in.pos += (size_t)elen;
		if (m->ops && m->ops->restore_extra) {
			rc = m->ops->restore_extra(m, &sub);
			if (rc || sub.failed) {
				snprintf(err, errlen, "model %s: bad variable-size state", m->name);
				return rc ? rc : -EINVAL;
			}
		}
		m = m->next;
	}
	if (in.failed) {
		snprintf(err, errlen, "checkpoint truncated at byte %zu", in.pos);
		return -EINVAL;
	}
	if (m) {
		snprintf(err, errlen, "checkpoint lacks model \"%s\"", m->name);
		return -EINVAL;
	}
	return 0;
}
