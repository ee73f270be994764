/* Test rig shared by the memenc unit tests: a sim, a 2^40-byte DRAM with a
 * 150-cycle latency (or another) and an engine named "me". */
#ifndef CCSIM_MEMENC_TESTS_MEMENC_RIG_H
#define CCSIM_MEMENC_TESTS_MEMENC_RIG_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "models/mem/mem.h"
#include "models/memenc/memenc.h"
#include "sim/sim.h"
#include "sim/tests/snap_check.h"

#define DRAM 150

struct rig {
	struct sim s;
	struct mem m;
	struct memenc e;
};

static inline void rig_init_dram(struct rig *r, uint64_t seed, uint64_t dram,
				 const struct memenc_config *cfg)
{
	sim_init(&r->s, seed, 1000000000);
	r->s.log.sink = NULL;
	mem_init(&r->m, &r->s, "dram", 40, dram);
	/* An engine left unset is the profiles' default one (40-cycle blocks,
	 * one issued a cycle); 0 / 0 in memenc itself means no AES time. */
	struct memenc_config c = *cfg;
	if (!c.aes_latency && !c.aes_issue) {
		c.aes_latency = MEMENC_AES_LATENCY_DEFAULT;
		c.aes_issue = MEMENC_AES_ISSUE_DEFAULT;
	}
	assert_int_equal(memenc_init(&r->e, &r->s, "me", &c, &r->m), 0);
}

static inline void rig_init_cfg(struct rig *r, uint64_t seed, const struct memenc_config *cfg)
{
	rig_init_dram(r, seed, DRAM, cfg);
}

static inline void rig_init(struct rig *r, uint64_t seed, enum memenc_mode mode)
{
	struct memenc_config cfg = { .mode = mode, .slots = 16 };
	rig_init_cfg(r, seed, &cfg);
}

static inline void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 13 * i);
}

/* The raw DRAM bytes of one line, as a physical attacker would read them. */
static inline void dram_line(struct rig *r, uint64_t pa, uint8_t out[MEMENC_LINE])
{
	assert_int_equal(mem_read(&r->m, pa, out, MEMENC_LINE), 0);
}

/* Flip one bit of DRAM behind the engine's back (the ECC bits stay). */
static inline void dram_flip(struct rig *r, uint64_t pa, unsigned bit)
{
	uint8_t b;
	assert_int_equal(mem_read(&r->m, pa + bit / 8, &b, 1), 0);
	b ^= (uint8_t)(1u << (bit % 8));
	assert_int_equal(mem_write(&r->m, pa + bit / 8, &b, 1), 0);
}

/* Write / read one line and return the cycles it took. The requester is
 * blocking: the clock moves past each transfer. */
static inline uint64_t write_line(struct rig *r, unsigned slot, uint64_t pa, const uint8_t *in)
{
	uint64_t c = 0;
	assert_int_equal(memenc_write_line(&r->e, slot, pa, in, &c), 0);
	sim_set_time(&r->s, sim_time(&r->s) + c);
	return c;
}

static inline uint64_t read_line(struct rig *r, unsigned slot, uint64_t pa, uint8_t *out)
{
	uint64_t c = 0;
	assert_int_equal(memenc_read_line(&r->e, slot, pa, out, &c), 0);
	sim_set_time(&r->s, sim_time(&r->s) + c);
	return c;
}

/* A read expected to fail with poison: returns its cycles, checks the zeros. */
static inline uint64_t read_poison(struct rig *r, unsigned slot, uint64_t pa)
{
	uint8_t out[MEMENC_LINE], zero[MEMENC_LINE] = {0};
	uint64_t c = 0;
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(memenc_read_line(&r->e, slot, pa, out, &c), -EBADMSG);
	assert_memory_equal(out, zero, MEMENC_LINE);
	return c;
}

static inline uint64_t stat(struct rig *r, const char *name)
{
	char full[64];
	snprintf(full, sizeof(full), "me.%s", name);
	return sim_stat_get(&r->s, full);
}

#endif
