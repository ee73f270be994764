/* Binary min-heap on (when, seq); see event.h. */
#include "sim/event.h"

#include <assert.h>
#include <glib.h>

#include "sim/sim.h"

void sim_eventq_init(struct sim_eventq *q)
{
	*q = (struct sim_eventq){0};
}

void sim_eventq_free(struct sim_eventq *q)
{
	g_free(q->heap);
	q->heap = NULL;
	q->len = q->cap = 0;
}

static int ev_before(const struct sim_event *a, const struct sim_event *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void ev_swap(struct sim_event *a, struct sim_event *b)
{
	struct sim_event t = *a;
	*a = *b;
	*b = t;
}

void sim_event_type_register(struct sim *s, const struct sim_event_type *t)
{
	struct sim_eventq *q = &s->events;
	for (size_t i = 0; i < q->ntypes; i++)
		if (q->types[i] == t)
			return;
	assert(q->ntypes < SIM_EVENT_TYPES_MAX);
	q->types[q->ntypes++] = t;
}

static void heap_push(struct sim_eventq *q, struct sim_event ev)
{
	if (q->len == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->heap = g_realloc_n(q->heap, q->cap, sizeof(*q->heap));
	}
	size_t i = q->len++;
	q->heap[i] = ev;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!ev_before(&q->heap[i], &q->heap[parent]))
			break;
		ev_swap(&q->heap[i], &q->heap[parent]);
		i = parent;
	}
}

void sim_event_schedule(struct sim *s, uint64_t when, const struct sim_event_type *t,
			struct sim_model *target, uint64_t arg)
{
	assert(when >= s->now);
	sim_event_type_register(s, t);
	struct sim_event ev = {
		.when = when, .seq = s->events.next_seq++, .type = t, .target = target, .arg = arg,
	};
	heap_push(&s->events, ev);
}

int sim_eventq_pop(struct sim_eventq *q, struct sim_event *out)
{
	if (q->len == 0)
		return -1;
	*out = q->heap[0];
	q->heap[0] = q->heap[--q->len];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < q->len && ev_before(&q->heap[l], &q->heap[m]))
			m = l;
		if (r < q->len && ev_before(&q->heap[r], &q->heap[m]))
			m = r;
		if (m == i)
			break;
		ev_swap(&q->heap[i], &q->heap[m]);
		i = m;
	}
	return 0;
}

uint64_t sim_eventq_next_time(const struct sim_eventq *q)
{
	return q->len ? q->heap[0].when : UINT64_MAX;
}

/* Re-insert a saved event keeping its sequence number (snapshot restore). */
void sim_eventq_restore_push(struct sim_eventq *q, struct sim_event ev);
void sim_eventq_restore_push(struct sim_eventq *q, struct sim_event ev)
{
	heap_push(q, ev);
}
