/* Event queue ordered by (cycle, sequence number): events at the same cycle
 * run in the order they were scheduled, on every host. Events name a
 * registered type and a target model, so a snapshot can save the queue and a
 * restore can rebuild it (no function pointers are saved). */
#ifndef CCSIM_SIM_EVENT_H
#define CCSIM_SIM_EVENT_H

#include <stddef.h>
#include <stdint.h>

struct sim;
struct sim_model;

struct sim_event_type {
	const char *name;
	void (*fire)(struct sim *s, struct sim_model *target, uint64_t arg);
};

struct sim_event {
	uint64_t when;
	uint64_t seq;
	const struct sim_event_type *type;
	struct sim_model *target;
	uint64_t arg;
};

#define SIM_EVENT_TYPES_MAX 32

struct sim_eventq {
	struct sim_event *heap;
	size_t len;
	size_t cap;
	uint64_t next_seq;
	const struct sim_event_type *types[SIM_EVENT_TYPES_MAX];
	size_t ntypes;
};

void sim_eventq_init(struct sim_eventq *q);
void sim_eventq_free(struct sim_eventq *q);
/* Types must be registered before events of that type are saved or restored. */
void sim_event_type_register(struct sim *s, const struct sim_event_type *t);
/* Schedule `t` on `target` at absolute cycle `when` (not before now). */
void sim_event_schedule(struct sim *s, uint64_t when, const struct sim_event_type *t,
			struct sim_model *target, uint64_t arg);
/* Remove the earliest event into *out; returns 0, or -1 if empty. */
int sim_eventq_pop(struct sim_eventq *q, struct sim_event *out);
static inline size_t sim_eventq_len(const struct sim_eventq *q) { return q->len; }
/* Cycle of the earliest event; UINT64_MAX if empty. */
uint64_t sim_eventq_next_time(const struct sim_eventq *q);

#endif
