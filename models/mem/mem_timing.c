/* DRAM timing in the memory controller: banks with an open-page policy (JEDEC
 * DDR4, JESD79-4: tCL, tRCD, tRP) behind one channel that moves a 64-byte line
 * every line_interval / MEM_CHAN_UNITS cycles, reserved on a calendar. The
 * model and address mapping are in mem.h. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/mem/mem_internal.h"

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static unsigned log2_pow2(uint64_t v)
{
	return (unsigned)__builtin_ctzll(v);
}

static int timing_check(const struct mem *m, const struct mem_timing *t)
{
	/* The bound keeps every sum in mem_access_cycles far from overflow. */
	const uint64_t cycles[] = { t->latency, t->t_cl, t->t_rcd, t->t_rp, t->line_interval,
				    t->controller };
	for (size_t i = 0; i < sizeof(cycles) / sizeof(cycles[0]); i++)
		if (cycles[i] >= MEM_TIMING_MAX)
			return -EINVAL;
	if (t->line_interval > MEM_CHAN_SPAN / 2)
		return -EINVAL; /* the calendar must hold many lines */
	if (!t->banks)
		return 0; /* row_bytes and t_* are unused without banks */
	if (!is_pow2(t->banks) || t->banks > MEM_BANKS_MAX)
		return -EINVAL;
	if (!is_pow2(t->row_bytes) || t->row_bytes < MEM_LINE_SIZE)
		return -EINVAL;
	if (log2_pow2(t->row_bytes) + log2_pow2(t->banks) > m->pa_bits)
		return -EINVAL;
	return 0;
}

/* Derive the bank geometry from m->timing (already checked); banks closed. */
static void timing_apply(struct mem *m)
{
	m->nbanks = m->timing.banks;
	g_free(m->chan);
	g_free(m->chan_lap);
	m->chan = m->timing.line_interval ? g_new0(uint64_t, MEM_CHAN_WORDS) : NULL;
	m->chan_lap = m->timing.line_interval ? g_new0(uint64_t, MEM_CHAN_WORDS) : NULL;
	m->bank_shift = m->nbanks ? log2_pow2(m->timing.row_bytes) : 0;
	m->row_shift = m->nbanks ? m->bank_shift + log2_pow2(m->nbanks) : 0;
	g_free(m->open_row);
	m->open_row = m->nbanks ? g_new(uint64_t, m->nbanks) : NULL;
	mem_timing_reset(m);
}

void mem_timing_reset(struct mem *m)
{
	for (unsigned b = 0; b < m->nbanks; b++)
		m->open_row[b] = MEM_ROW_CLOSED; /* power-on: every bank precharged */
	m->chan_base = 0;
	if (m->chan) {
		memset(m->chan, 0, MEM_CHAN_WORDS * sizeof(uint64_t));
		memset(m->chan_lap, 0, MEM_CHAN_WORDS * sizeof(uint64_t));
	}
}

void mem_timing_idle(struct mem *m)
{
	mem_timing_reset(m);
}

int mem_set_timing(struct mem *m, const struct mem_timing *t)
{
	int rc = timing_check(m, t);
	if (rc)
		return rc;
	m->timing = *t;
	timing_apply(m);
	return 0;
}

/* --- the channel's calendar (mem.h: chan_base, chan) --- */

/* The busy units of [u, u + n) within one calendar word (n <= 64 - u % 64),
 * as a mask of that word. */
static uint64_t chan_word_mask(uint64_t u, uint64_t n)
{
	unsigned bit = (unsigned)(u % 64);
	return (n >= 64 ? UINT64_MAX : (1ull << n) - 1) << bit;
}

/* The calendar word holding unit u: its bits if they are u's lap's, else
 * none (an older lap's reservations are forgotten). */
static uint64_t chan_read(const struct mem *m, uint64_t u)
{
	uint64_t w = (u % MEM_CHAN_SPAN) / 64;
	return m->chan_lap[w] == u / MEM_CHAN_SPAN ? m->chan[w] : 0;
}

static void chan_set(struct mem *m, uint64_t u, uint64_t mask)
{
	uint64_t w = (u % MEM_CHAN_SPAN) / 64, lap = u / MEM_CHAN_SPAN;
	if (m->chan_lap[w] != lap) {
		m->chan[w] = 0;
		m->chan_lap[w] = lap;
	}
	m->chan[w] |= mask;
}

/* The lap of the units word w stands for inside the window. */
static uint64_t chan_window_lap(const struct mem *m, uint64_t w)
{
	uint64_t x = m->chan_base - m->chan_base % MEM_CHAN_SPAN + w * 64;
	if (x < m->chan_base)
		x += MEM_CHAN_SPAN;
	return x / MEM_CHAN_SPAN;
}

/* Move the calendar's window so it ends at or after unit `end`; what falls
 * off its front is forgotten by its lap, not cleared. */
static void chan_slide(struct mem *m, uint64_t end)
{
	if (end > m->chan_base + MEM_CHAN_SPAN)
		m->chan_base = (end - MEM_CHAN_SPAN + 63) & ~63ull;
}

/* The last busy unit of [u, u + len), or UINT64_MAX if all are free; a
 * word at a time. */
static uint64_t chan_last_busy(struct mem *m, uint64_t u, uint64_t len)
{
	uint64_t last = UINT64_MAX;
	for (uint64_t k = 0; k < len;) {
		uint64_t n = MIN(len - k, 64 - (u + k) % 64);
		uint64_t busy = chan_read(m, u + k) & chan_word_mask(u + k, n);
		if (busy)
			last = (u + k) - (u + k) % 64 + (63 - (uint64_t)__builtin_clzll(busy));
		k += n;
	}
	return last;
}

/* Reserve line_interval units in the first free stretch at or after cycle
 * `now`; the cycles until it starts. A request older than the window does
 * not queue (what it would have waited for is long forgotten). */
static uint64_t chan_reserve(struct mem *m, uint64_t now)
{
	uint64_t len = m->timing.line_interval, u = now * MEM_CHAN_UNITS;
	if (u < m->chan_base)
		return 0;
	for (;;) {
		chan_slide(m, u + len);
		uint64_t busy = chan_last_busy(m, u, len);
		if (busy == UINT64_MAX)
			break;
		u = busy + 1; /* past the last busy unit in the way */
	}
	for (uint64_t k = 0; k < len;) {
		uint64_t n = MIN(len - k, 64 - (u + k) % 64);
		chan_set(m, u + k, chan_word_mask(u + k, n));
		k += n;
	}
	/* the wait in whole cycles: the line moves once its stretch has begun */
	return (u + MEM_CHAN_UNITS - 1) / MEM_CHAN_UNITS - now;
}

uint64_t mem_access_cycles(struct mem *m, uint64_t pa, bool write, uint64_t now)
{
	const struct mem_timing *t = &m->timing;
	uint64_t c = t->controller;
	if (t->line_interval) {
		uint64_t wait = chan_reserve(m, now);
		c += wait;
		m->stat_queue_cycles += wait;
	}
	/* A write is posted: the controller's write queue takes it once its
	 * channel slot is booked, and nobody waits for the array (the bank
	 * still opens the row). */
	uint64_t posted = c;
	if (!m->nbanks)
		return write ? posted : c + t->latency;

	/* Row:bank:column; the controller drives only pa_bits address lines. */
	pa &= mem_size(m) - 1;
	uint64_t *open = &m->open_row[(pa >> m->bank_shift) & (m->nbanks - 1)];
	uint64_t row = pa >> m->row_shift;
	if (*open == row) {
		m->stat_row_hits++;
		return write ? posted : c + t->t_cl;
	}
	if (*open == MEM_ROW_CLOSED) {
		m->stat_row_misses++;
		c += t->t_rcd + t->t_cl; /* ACT, then RD/WR */
	} else {
		m->stat_row_conflicts++;
		c += t->t_rp + t->t_rcd + t->t_cl; /* PRE, ACT, then RD/WR */
	}
	*open = row;
	return write ? posted : c;
}

void mem_timing_save(const struct mem *m, struct sim_buf *out)
{
	sim_buf_put_u32(out, m->nbanks);
	for (unsigned b = 0; b < m->nbanks; b++)
		sim_buf_put_u64(out, m->open_row[b]);
	sim_buf_put_u32(out, m->chan ? MEM_CHAN_WORDS : 0);
	for (unsigned w = 0; m->chan && w < MEM_CHAN_WORDS; w++) /* the in-window bits */
		sim_buf_put_u64(out, m->chan_lap[w] == chan_window_lap(m, w) ? m->chan[w] : 0);
}

int mem_timing_restore(struct mem *m, struct sim_reader *in)
{
	if (timing_check(m, &m->timing))
		return -EINVAL;
	uint64_t chan_base = m->chan_base; /* from the field table; apply clears it */
	timing_apply(m);
	m->chan_base = chan_base;
	uint32_t n = sim_reader_u32(in);
	if (in->failed || n != m->nbanks)
		return -EINVAL;
	unsigned row_bits = m->pa_bits - m->row_shift;
	for (unsigned b = 0; b < m->nbanks; b++) {
		uint64_t row = sim_reader_u64(in);
		if (in->failed || (row != MEM_ROW_CLOSED && (row >> row_bits) != 0))
			return -EINVAL;
		m->open_row[b] = row;
	}
	uint32_t words = sim_reader_u32(in);
	if (in->failed || words != (m->chan ? MEM_CHAN_WORDS : 0) || chan_base % 64)
		return -EINVAL;
	for (unsigned w = 0; w < words; w++) {
		m->chan[w] = sim_reader_u64(in);
		m->chan_lap[w] = chan_window_lap(m, w);
	}
	return in->failed ? -EINVAL : 0;
}
