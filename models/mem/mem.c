/* Sparse physical memory: the cells, the controller's and the attacker's
 * paths to them, the bus log and the snapshot; see mem.h. Timing is in
 * mem_timing.c, the address decoder in mem_alias.c. */
#include "models/mem/mem.h"

#include <assert.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/mem/mem_internal.h"
#include "sim/sim.h"

#define RADIX_SIZE ((size_t)1 << MEM_RADIX_BITS)
#define RADIX_MASK ((uint64_t)RADIX_SIZE - 1)

static inline size_t radix_index(uint64_t pfn, unsigned level)
{
	return (size_t)((pfn >> ((level - 1) * MEM_RADIX_BITS)) & RADIX_MASK);
}

static inline uint64_t pfn_count(const struct mem *m)
{
	return (uint64_t)1 << (m->pa_bits - MEM_PAGE_SHIFT);
}

/* The page holding `pfn`, or NULL if it was never written. */
static uint8_t *page_lookup(struct mem *m, uint64_t pfn)
{
	if (m->last_page && m->last_pfn == pfn)
		return m->last_page;
	void **node = m->root;
	for (unsigned l = m->levels; node && l > 1; l--)
		node = node[radix_index(pfn, l)];
	if (!node)
		return NULL;
	uint8_t *page = node[radix_index(pfn, 1)];
	if (page) {
		m->last_pfn = pfn;
		m->last_page = page;
	}
	return page;
}

static uint8_t *page_get(struct mem *m, uint64_t pfn)
{
	uint8_t *page = page_lookup(m, pfn);
	if (page)
		return page;
	if (!m->root)
		m->root = g_new0(void *, RADIX_SIZE);
	void **node = m->root;
	for (unsigned l = m->levels; l > 1; l--) {
		void **slot = &node[radix_index(pfn, l)];
		if (!*slot)
			*slot = g_new0(void *, RADIX_SIZE);
		node = *slot;
	}
	page = g_malloc0(MEM_PAGE_SIZE);
	node[radix_index(pfn, 1)] = page;
	m->stat_pages++;
	m->last_pfn = pfn;
	m->last_page = page;
	return page;
}

static void node_free(void **node, unsigned level)
{
	if (!node)
		return;
	for (size_t i = 0; i < RADIX_SIZE; i++) {
		if (level > 1)
			node_free(node[i], level - 1);
		else
			g_free(node[i]);
	}
	g_free(node);
}

static void pages_free(struct mem *m)
{
	node_free(m->root, m->levels);
	m->root = NULL;
	m->last_page = NULL;
	m->stat_pages = 0;
}

static bool range_ok(const struct mem *m, uint64_t pa, size_t len)
{
	uint64_t size = mem_size(m);
	return (uint64_t)len <= size && pa <= size - (uint64_t)len;
}

/* Copy cells out / in. `decode` false addresses cells directly (the
 * attacker's path); true goes through the decoder, which costs one
 * predictable branch per page while no aliasing is set. */
static inline void cells_copy_out(struct mem *m, uint64_t pa, uint8_t *out, size_t len,
				  bool decode)
{
	while (len) {
		size_t off = (size_t)(pa & (MEM_PAGE_SIZE - 1));
		size_t n = MEM_PAGE_SIZE - off < len ? MEM_PAGE_SIZE - off : len;
		uint64_t pfn = pa >> MEM_PAGE_SHIFT;
		if (decode && m->decoding)
			pfn = mem_decode_pfn(m, pfn);
		const uint8_t *page = page_lookup(m, pfn);
		if (page)
			memcpy(out, page + off, n);
		else
			memset(out, 0, n);
		out += n;
		pa += n;
		len -= n;
	}
}

static inline void cells_copy_in(struct mem *m, uint64_t pa, const uint8_t *in, size_t len,
				 bool decode)
{
	while (len) {
		size_t off = (size_t)(pa & (MEM_PAGE_SIZE - 1));
		size_t n = MEM_PAGE_SIZE - off < len ? MEM_PAGE_SIZE - off : len;
		uint64_t pfn = pa >> MEM_PAGE_SHIFT;
		if (decode && m->decoding)
			pfn = mem_decode_pfn(m, pfn);
		memcpy(page_get(m, pfn) + off, in, n);
		in += n;
		pa += n;
		len -= n;
	}
}

/* One record per line of [pa, pa+len) (already range-checked), each line
 * as the cells hold it now, i.e. after the access. */
static void bus_log_access(struct mem *m, uint64_t pa, size_t len, bool write)
{
	if (!len)
		return;
	uint64_t line = pa & ~(uint64_t)(MEM_LINE_SIZE - 1);
	const uint64_t last = (pa + len - 1) & ~(uint64_t)(MEM_LINE_SIZE - 1);
	for (; line <= last; line += MEM_LINE_SIZE) {
		if (m->bus_log_len == MEM_BUS_LOG_MAX) {
			m->stat_bus_log_dropped += ((last - line) >> MEM_LINE_SHIFT) + 1;
			return;
		}
		if (m->bus_log_len == m->bus_log_cap) {
			size_t cap = m->bus_log_cap ? 2 * m->bus_log_cap : 256;
			m->bus_log_cap = cap < MEM_BUS_LOG_MAX ? cap : MEM_BUS_LOG_MAX;
			m->bus_log = g_renew(struct mem_bus_rec, m->bus_log, m->bus_log_cap);
		}
		struct mem_bus_rec *r = &m->bus_log[m->bus_log_len++];
		memset(r, 0, sizeof(*r)); /* padding too: the caller may hash records */
		r->pa = line;
		r->write = write;
		cells_copy_out(m, line, r->data, MEM_LINE_SIZE, true);
	}
}

int mem_read(struct mem *m, uint64_t pa, void *buf, size_t len)
{
	if (!range_ok(m, pa, len))
		return -ERANGE;
	m->stat_reads++;
	m->stat_bytes_read += len;
	cells_copy_out(m, pa, buf, len, true);
	if (m->bus_logging)
		bus_log_access(m, pa, len, false);
	return 0;
}

int mem_write(struct mem *m, uint64_t pa, const void *buf, size_t len)
{
	if (!range_ok(m, pa, len))
		return -ERANGE;
	m->stat_writes++;
	m->stat_bytes_written += len;
	cells_copy_in(m, pa, buf, len, true);
	if (m->bus_logging)
		bus_log_access(m, pa, len, true);
	return 0;
}

int mem_cell_read(struct mem *m, uint64_t cell, void *buf, size_t len)
{
	if (!range_ok(m, cell, len))
		return -ERANGE;
	cells_copy_out(m, cell, buf, len, false);
	return 0;
}

int mem_cell_write(struct mem *m, uint64_t cell, const void *buf, size_t len)
{
	if (!range_ok(m, cell, len))
		return -ERANGE;
	cells_copy_in(m, cell, buf, len, false);
	return 0;
}

uint8_t *mem_cell_page(struct mem *m, uint64_t cell)
{
	return range_ok(m, cell, 1) ? page_get(m, cell >> MEM_PAGE_SHIFT) : NULL;
}

static void node_walk(void *const *node, unsigned level, uint64_t prefix,
		      void (*fn)(void *ctx, uint64_t cell, const uint8_t *page), void *ctx)
{
	for (size_t i = 0; i < RADIX_SIZE; i++) {
		if (!node[i])
			continue;
		uint64_t idx = (prefix << MEM_RADIX_BITS) | i;
		if (level > 1)
			node_walk(node[i], level - 1, idx, fn, ctx);
		else
			fn(ctx, idx << MEM_PAGE_SHIFT, node[i]);
	}
}

void mem_pages_foreach(const struct mem *m, void (*fn)(void *ctx, uint64_t cell, const uint8_t *page),
		       void *ctx)
{
	if (m->root)
		node_walk(m->root, m->levels, 0, fn, ctx);
}

void mem_bus_log_start(struct mem *m)
{
	g_free(m->bus_log);
	m->bus_log = NULL;
	m->bus_log_len = m->bus_log_cap = 0;
	m->bus_logging = true;
}

size_t mem_bus_log_stop(struct mem *m, struct mem_bus_rec **out)
{
	size_t n = m->bus_log_len;
	*out = m->bus_log;
	m->bus_log = NULL;
	m->bus_log_len = m->bus_log_cap = 0;
	m->bus_logging = false;
	return n;
}

void mem_bus_log_free(struct mem_bus_rec *recs)
{
	g_free(recs);
}

uint64_t mem_pages(const struct mem *m)
{
	return m->stat_pages;
}

/* --- model hooks --- */

static void mem_reset(struct sim_model *sm)
{
	/* Power-on DRAM reads as zero and its banks are precharged. The traffic
	 * counters describe the run, not the hardware, so they carry on across
	 * a reset; timing configuration and decoder are DIMM properties. */
	struct mem *m = (struct mem *)sm;
	pages_free(m);
	mem_timing_reset(m);
}

static void mem_destroy(struct sim_model *sm)
{
	struct mem *m = (struct mem *)sm;
	pages_free(m);
	g_free(m->open_row);
	m->open_row = NULL;
	g_free(m->chan);
	m->chan = NULL;
	g_free(m->chan_lap);
	m->chan_lap = NULL;
	g_free(m->remaps);
	m->remaps = NULL;
	g_free(m->bus_log);
	m->bus_log = NULL;
	g_free(m->name);
	m->name = NULL;
	m->base.name = NULL;
}

static void node_save(void *const *node, unsigned level, uint64_t prefix, struct sim_buf *out)
{
	for (size_t i = 0; i < RADIX_SIZE; i++) {
		if (!node[i])
			continue;
		uint64_t idx = (prefix << MEM_RADIX_BITS) | i;
		if (level > 1) {
			node_save(node[i], level - 1, idx, out);
		} else {
			sim_buf_put_u64(out, idx);
			sim_buf_put(out, node[i], MEM_PAGE_SIZE);
		}
	}
}

/* A bus interposer's log in flight (phys.snoop_start before the
 * checkpoint, snoop_stop after): u8 logging, u64 records, then each
 * (pa u64, write u8, the line). */
static void bus_log_save(const struct mem *m, struct sim_buf *out)
{
	sim_buf_put_u8(out, m->bus_logging);
	sim_buf_put_u64(out, m->bus_log_len);
	for (size_t i = 0; i < m->bus_log_len; i++) {
		sim_buf_put_u64(out, m->bus_log[i].pa);
		sim_buf_put_u8(out, m->bus_log[i].write);
		sim_buf_put(out, m->bus_log[i].data, MEM_LINE_SIZE);
	}
}

static int bus_log_restore(struct mem *m, struct sim_reader *in)
{
	uint8_t logging = sim_reader_u8(in);
	uint64_t n = sim_reader_u64(in);
	if (in->failed || logging > 1 || n > MEM_BUS_LOG_MAX || (n && !logging))
		return -EINVAL;
	g_free(m->bus_log);
	m->bus_log = n ? g_new0(struct mem_bus_rec, n) : NULL;
	m->bus_log_len = m->bus_log_cap = (size_t)n;
	m->bus_logging = logging;
	for (size_t i = 0; i < n; i++) {
		m->bus_log[i].pa = sim_reader_u64(in);
		m->bus_log[i].write = sim_reader_u8(in);
		if (!sim_reader_get(in, m->bus_log[i].data, MEM_LINE_SIZE))
			return -EINVAL;
	}
	return in->failed ? -EINVAL : 0;
}

/* Bank rows, remap runs, the bus log, then every allocated page as (pfn
 * u64, MEM_PAGE_SIZE bytes), ascending PFN; the layout is in mem.h. */
static int mem_save_extra(const struct sim_model *sm, struct sim_buf *out)
{
	const struct mem *m = (const struct mem *)sm;
	mem_timing_save(m, out);
	mem_remaps_save(m, out);
	bus_log_save(m, out);
	if (m->root)
		node_save(m->root, m->levels, 0, out);
	return 0;
}

static int mem_restore_extra(struct sim_model *sm, struct sim_reader *in)
{
	struct mem *m = (struct mem *)sm;
	uint64_t want_pages = m->stat_pages; /* the field table is restored first */
	uint64_t next_pfn = 0;
	pages_free(m);
	/* A checkpoint of the older layout has no bus log: no interposer. */
	bool no_log = m->base.sim && (m->base.sim->restore_layout & SIM_LAYOUT_NO_BUS_LOG);
	if (no_log) {
		g_free(m->bus_log);
		m->bus_log = NULL;
		m->bus_log_len = m->bus_log_cap = 0;
		m->bus_logging = 0;
	}
	if (mem_timing_restore(m, in) || mem_remaps_restore(m, in) || (!no_log && bus_log_restore(m, in)))
		return -EINVAL;
	while (in->pos < in->len) {
		uint64_t pfn = sim_reader_u64(in);
		if (in->failed || pfn < next_pfn || pfn >= pfn_count(m))
			return -EINVAL;
		if (!sim_reader_get(in, page_get(m, pfn), MEM_PAGE_SIZE))
			return -EINVAL;
		next_pfn = pfn + 1;
	}
	return m->stat_pages == want_pages ? 0 : -EINVAL;
}

static const struct sim_model_ops mem_ops = {
	.reset = mem_reset,
	.save_extra = mem_save_extra,
	.restore_extra = mem_restore_extra,
	.destroy = mem_destroy,
};

static const struct sim_field mem_fields[] = {
	SIM_FIELD(struct mem, timing.latency),
	SIM_FIELD(struct mem, timing.banks),
	SIM_FIELD(struct mem, timing.row_bytes),
	SIM_FIELD(struct mem, timing.t_cl),
	SIM_FIELD(struct mem, timing.t_rcd),
	SIM_FIELD(struct mem, timing.t_rp),
	SIM_FIELD(struct mem, timing.line_interval),
	SIM_FIELD(struct mem, timing.controller),
	SIM_FIELD(struct mem, chan_base),
	SIM_FIELD(struct mem, alias_mask),
	SIM_FIELD(struct mem, stat_reads),
	SIM_FIELD(struct mem, stat_writes),
	SIM_FIELD(struct mem, stat_bytes_read),
	SIM_FIELD(struct mem, stat_bytes_written),
	SIM_FIELD(struct mem, stat_pages),
	SIM_FIELD(struct mem, stat_row_hits),
	SIM_FIELD(struct mem, stat_row_misses),
	SIM_FIELD(struct mem, stat_row_conflicts),
	SIM_FIELD(struct mem, stat_queue_cycles),
	SIM_FIELD(struct mem, stat_bus_log_dropped),
};

static const struct sim_vmstate mem_vmstate = {
	.name = "mem",
	.version = 3, /* 2: timing, decoder; 3: the channel's calendar */
	.fields = mem_fields,
	.nfields = sizeof(mem_fields) / sizeof(mem_fields[0]),
};

void mem_init(struct mem *m, struct sim *s, const char *name, unsigned pa_bits,
	      uint64_t latency_cycles)
{
	/* The profile loader validates pa_bits; a bad value here is a ccsim bug. */
	assert(pa_bits >= MEM_PA_BITS_MIN && pa_bits <= MEM_PA_BITS_MAX);
	memset(m, 0, sizeof(*m));
	m->name = g_strdup(name);
	m->pa_bits = pa_bits;
	unsigned pfn_bits = pa_bits - MEM_PAGE_SHIFT;
	m->levels = pfn_bits ? (pfn_bits + MEM_RADIX_BITS - 1) / MEM_RADIX_BITS : 1;
	m->timing.latency = latency_cycles; /* no banks, no bandwidth limit, no decoder */
	m->base.name = m->name;
	m->base.kind = "mem";
	m->base.ops = &mem_ops;
	m->base.vmstate = &mem_vmstate;
	sim_model_register(s, &m->base);
#define ST(f, k, d) SIM_STAT_DEF(struct mem, stat_##f, #f, k, d)
	static const struct sim_stat_def stats[] = {
		ST(reads, SIM_STAT_COUNT, "DRAM read accesses"),
		ST(writes, SIM_STAT_COUNT, "DRAM write accesses"),
		ST(bytes_read, SIM_STAT_COUNT, "bytes read from DRAM"),
		ST(bytes_written, SIM_STAT_COUNT, "bytes written to DRAM"),
		ST(pages, SIM_STAT_COUNT, "4 KiB pages allocated (written at least once)"),
		ST(row_hits, SIM_STAT_COUNT, "line accesses to a bank's open row"),
		ST(row_misses, SIM_STAT_COUNT, "line accesses to a closed (precharged) bank"),
		ST(row_conflicts, SIM_STAT_COUNT, "line accesses to a bank with another row open"),
		ST(queue_cycles, SIM_STAT_CYCLES, "cycles accesses waited for the channel"),
		ST(bus_log_dropped, SIM_STAT_COUNT, "bus log records dropped at the cap"),
	};
#undef ST
	sim_stat_register_table(s, name, m, stats, sizeof(stats) / sizeof(stats[0]));
}
