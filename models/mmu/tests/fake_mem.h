/* A sparse 64-bit memory for the table tests (GPT, PAMT, SEPT): words never
 * written read as 0, and an access at fail_pa fails with fail_err, like a
 * bus error or a poisoned line. The read and write callbacks take the
 * struct fake_mem as their context. Include after <cmocka.h>. */
#ifndef CCSIM_MODELS_MMU_TESTS_FAKE_MEM_H
#define CCSIM_MODELS_MMU_TESTS_FAKE_MEM_H

#include <glib.h>
#include <stdint.h>

#define FAKE_NO_FAIL UINT64_MAX

struct fake_mem {
	GHashTable *cells;
	uint64_t fail_pa;
	int fail_err;
	unsigned reads, writes; /* accesses attempted, failed ones included */
};

static inline void fake_mem_init(struct fake_mem *m, int fail_err)
{
	m->cells = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	m->fail_pa = FAKE_NO_FAIL;
	m->fail_err = fail_err;
	m->reads = m->writes = 0;
}

static inline void fake_mem_free(struct fake_mem *m)
{
	g_hash_table_destroy(m->cells);
}

/* The word at pa, bypassing fail_pa and the counters. */
static inline uint64_t fake_mem_peek(const struct fake_mem *m, uint64_t pa)
{
	const uint64_t *v = g_hash_table_lookup(m->cells, &pa);
	return v ? *v : 0;
}

static inline void fake_mem_poke(struct fake_mem *m, uint64_t pa, uint64_t val)
{
	g_hash_table_replace(m->cells, g_memdup2(&pa, sizeof(pa)), g_memdup2(&val, sizeof(val)));
}

static inline int fake_mem_read(void *ctx, uint64_t pa, uint64_t *val)
{
	struct fake_mem *m = ctx;
	m->reads++;
	if (pa == m->fail_pa)
		return m->fail_err;
	*val = fake_mem_peek(m, pa);
	return 0;
}

static inline int fake_mem_write(void *ctx, uint64_t pa, uint64_t val)
{
	struct fake_mem *m = ctx;
	m->writes++;
	if (pa == m->fail_pa)
		return m->fail_err;
	fake_mem_poke(m, pa, val);
	return 0;
}

#endif
