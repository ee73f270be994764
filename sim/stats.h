/* Stats registry: models own their counters (plain uint64_t fields, so they
 * are saved with the model) and register them under hierarchical names
 * ("cpu0.loads"). The dump is JSON nested on the dots, keys sorted, so it is
 * byte-identical across hosts. Cycle counters are also reported in ns. */
#ifndef CCSIM_SIM_STATS_H
#define CCSIM_SIM_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum sim_stat_kind {
	SIM_STAT_COUNT,  /* events */
	SIM_STAT_CYCLES, /* simulated cycles; dumped also as <name>_ns */
	SIM_STAT_HIST,   /* struct sim_hist */
};

/* Log2 histogram: bucket i counts values v with floor(log2(v)) == i-1, bucket 0
 * counts zeros. */
#define SIM_HIST_BUCKETS 65
struct sim_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t max;
	uint64_t bucket[SIM_HIST_BUCKETS];
};

void sim_hist_add(struct sim_hist *h, uint64_t v);

struct sim_stat {
	char *name;
	const char *desc;
	enum sim_stat_kind kind;
	const void *ptr; /* uint64_t, or struct sim_hist for SIM_STAT_HIST */
};

struct sim_stats {
	struct sim_stat *v;
	size_t len, cap;
};

struct sim;
void sim_stats_init(struct sim_stats *st);
void sim_stats_free(struct sim_stats *st);
/* Register `ptr` under "<prefix>.<name>"; prefix may be NULL. */
void sim_stat_register(struct sim *s, const char *prefix, const char *name,
		       enum sim_stat_kind kind, const void *ptr, const char *desc);
/* One statistic of a model struct, for sim_stat_register_table. */
struct sim_stat_def {
	const char *name;
	enum sim_stat_kind kind;
	size_t offset; /* of the counter (or histogram) within the model struct */
	const char *desc;
};
/* SIM_STAT_DEF(struct mem, stat_reads, "reads", SIM_STAT_COUNT, "DRAM read accesses") */
#define SIM_STAT_DEF(type, field, name, kind, desc) { name, kind, offsetof(type, field), desc }
/* Register each of the `n` definitions for the struct at `base`, under `prefix`. */
void sim_stat_register_table(struct sim *s, const char *prefix, const void *base,
			     const struct sim_stat_def *defs, size_t n);
/* Current value of a counter by full name; -1 (all ones) if absent. */
uint64_t sim_stat_get(const struct sim *s, const char *name);
/* One line per stat, by name: full name, kind (count, cycles, hist) and description. */
void sim_stats_list(const struct sim *s, FILE *f);
/* Write every stat as nested JSON to `f`, indented by `indent` levels. */
void sim_stats_dump_json(const struct sim *s, FILE *f, int indent);

#endif
