/* Sparse physical memory and its snapshot; see mem.h. */
#include "models/mem/mem.h"

#include <assert.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

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

int mem_read(struct mem *m, uint64_t pa, void *buf, size_t len)
{
	if (!range_ok(m, pa, len))
		return -ERANGE;
	m->stat_reads++;
	m->stat_bytes_read += len;
	uint8_t *out = buf;
	while (len) {
		size_t off = (size_t)(pa & (MEM_PAGE_SIZE - 1));
		size_t n = MEM_PAGE_SIZE - off < len ? MEM_PAGE_SIZE - off : len;
		const uint8_t *page = page_lookup(m, pa >> MEM_PAGE_SHIFT);
		if (page)
			memcpy(out, page + off, n);
		else
			memset(out, 0, n);
		out += n;
		pa += n;
		len -= n;
	}
	return 0;
}

int mem_write(struct mem *m, uint64_t pa, const void *buf, size_t len)
{
	if (!range_ok(m, pa, len))
		return -ERANGE;
	m->stat_writes++;
	m->stat_bytes_written += len;
	const uint8_t *in = buf;
	while (len) {
		size_t off = (size_t)(pa & (MEM_PAGE_SIZE - 1));
		size_t n = MEM_PAGE_SIZE - off < len ? MEM_PAGE_SIZE - off : len;
		memcpy(page_get(m, pa >> MEM_PAGE_SHIFT) + off, in, n);
		in += n;
		pa += n;
		len -= n;
	}
	return 0;
}

uint64_t mem_pages(const struct mem *m)
{
	return m->stat_pages;
}

/* --- model hooks --- */

static void mem_reset(struct sim_model *sm)
{
	/* Power-on DRAM reads as zero. The traffic counters describe the run,
	 * not the hardware, so they carry on across a reset. */
	pages_free((struct mem *)sm);
}

static void mem_destroy(struct sim_model *sm)
{
	struct mem *m = (struct mem *)sm;
	pages_free(m);
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

/* Every allocated page as (pfn u64, MEM_PAGE_SIZE bytes), ascending PFN. */
static int mem_save_extra(const struct sim_model *sm, struct sim_buf *out)
{
	const struct mem *m = (const struct mem *)sm;
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
	SIM_FIELD(struct mem, latency),
	SIM_FIELD(struct mem, stat_reads),
	SIM_FIELD(struct mem, stat_writes),
	SIM_FIELD(struct mem, stat_bytes_read),
	SIM_FIELD(struct mem, stat_bytes_written),
	SIM_FIELD(struct mem, stat_pages),
};

static const struct sim_vmstate mem_vmstate = {
	.name = "mem",
	.version = 1,
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
	m->latency = latency_cycles;
	m->base.name = m->name;
	m->base.kind = "mem";
	m->base.ops = &mem_ops;
	m->base.vmstate = &mem_vmstate;
	sim_model_register(s, &m->base);
	sim_stat_register(s, name, "reads", SIM_STAT_COUNT, &m->stat_reads, "DRAM read accesses");
	sim_stat_register(s, name, "writes", SIM_STAT_COUNT, &m->stat_writes, "DRAM write accesses");
	sim_stat_register(s, name, "bytes_read", SIM_STAT_COUNT, &m->stat_bytes_read,
			  "bytes read from DRAM");
	sim_stat_register(s, name, "bytes_written", SIM_STAT_COUNT, &m->stat_bytes_written,
			  "bytes written to DRAM");
	sim_stat_register(s, name, "pages", SIM_STAT_COUNT, &m->stat_pages,
			  "4 KiB pages allocated (written at least once)");
}
