/* The DIMM's address decoder: which cell a physical address reaches. Models
 * the aliasing class of a DIMM that ignores address bits (capacity misreported
 * in its SPD, BadRAM-style decoder faults) and page-granular remaps, so two
 * physical addresses can reach one cell. The mapping is described in mem.h. */
#include <errno.h>
#include <glib.h>

#include "models/mem/mem_internal.h"

static void decoding_update(struct mem *m)
{
	m->decoding = m->alias_mask || m->nremaps;
}

static uint64_t pfn_count(const struct mem *m)
{
	return (uint64_t)1 << (m->pa_bits - MEM_PAGE_SHIFT);
}

static bool mask_ok(const struct mem *m, uint64_t mask)
{
	return !(mask & (MEM_PAGE_SIZE - 1)) && !(mask >> m->pa_bits);
}

int mem_set_alias_mask(struct mem *m, uint64_t mask)
{
	if (!mask_ok(m, mask))
		return -EINVAL;
	m->alias_mask = mask;
	decoding_update(m);
	return 0;
}

/* The run holding `pfn`, or NULL: binary search for the last run starting at
 * or below it. */
static const struct mem_remap *remap_find(const struct mem *m, uint64_t pfn)
{
	size_t lo = 0, hi = m->nremaps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->remaps[mid].pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct mem_remap *r = &m->remaps[lo - 1];
	return pfn - r->pfn < r->pages ? r : NULL;
}

uint64_t mem_decode_pfn(const struct mem *m, uint64_t pfn)
{
	const struct mem_remap *r = m->nremaps ? remap_find(m, pfn) : NULL;
	if (r)
		pfn = r->target + (pfn - r->pfn);
	return pfn & ~(m->alias_mask >> MEM_PAGE_SHIFT);
}

uint64_t mem_decode(const struct mem *m, uint64_t pa)
{
	if (!m->decoding)
		return pa;
	return (mem_decode_pfn(m, pa >> MEM_PAGE_SHIFT) << MEM_PAGE_SHIFT) |
	       (pa & (MEM_PAGE_SIZE - 1));
}

/* Append a run in pfn order, merging it into the previous one when it
 * continues it, so the array is canonical (and so are snapshot bytes). */
static size_t runs_push(struct mem_remap *v, size_t n, uint64_t pfn, uint64_t target,
			uint64_t pages)
{
	if (n && v[n - 1].pfn + v[n - 1].pages == pfn && v[n - 1].target + v[n - 1].pages == target) {
		v[n - 1].pages += pages;
		return n;
	}
	v[n] = (struct mem_remap){ pfn, target, pages };
	return n + 1;
}

int mem_alias(struct mem *m, uint64_t pa, uint64_t target, uint64_t size)
{
	if (!size || ((pa | target | size) & (MEM_PAGE_SIZE - 1)))
		return -EINVAL;
	const uint64_t space = mem_size(m);
	if (size > space || pa > space - size || target > space - size)
		return -ERANGE;
	const uint64_t p = pa >> MEM_PAGE_SHIFT, t = target >> MEM_PAGE_SHIFT;
	const uint64_t n = size >> MEM_PAGE_SHIFT, end = p + n;

	/* Rebuild: what old runs keep below p, the new run (none for an
	 * identity), what old runs keep from end on. Only a run spanning the
	 * whole new range yields two pieces, hence + 2. */
	struct mem_remap *v = g_new(struct mem_remap, m->nremaps + 2);
	size_t k = 0;
	for (size_t i = 0; i < m->nremaps && m->remaps[i].pfn < p; i++) {
		const struct mem_remap *r = &m->remaps[i];
		uint64_t r_end = r->pfn + r->pages;
		k = runs_push(v, k, r->pfn, r->target, (r_end < p ? r_end : p) - r->pfn);
	}
	if (p != t)
		k = runs_push(v, k, p, t, n);
	for (size_t i = 0; i < m->nremaps; i++) {
		const struct mem_remap *r = &m->remaps[i];
		uint64_t r_end = r->pfn + r->pages;
		if (r_end <= end)
			continue;
		uint64_t s = r->pfn > end ? r->pfn : end;
		k = runs_push(v, k, s, r->target + (s - r->pfn), r_end - s);
	}
	if (k > MEM_REMAPS_MAX) {
		g_free(v);
		return -ENOSPC;
	}
	g_free(m->remaps);
	m->remaps = v;
	m->nremaps = k;
	if (!k) {
		g_free(v);
		m->remaps = NULL;
	}
	decoding_update(m);
	return 0;
}

/* --- alias check --- */

/* 2^k pages from a 2^k-aligned pfn reach, under the mask, the 2^k cells from
 * pfn & ~mask if no mask bit lies below k (else two of them share a cell):
 * a range splits into such blocks, and it aliases iff a block collapses or
 * two blocks' cells overlap. */
struct cell_block {
	uint64_t cell, pages;
};

static int cell_block_cmp(const void *a, const void *b)
{
	const struct cell_block *x = a, *y = b;
	return x->cell < y->cell ? -1 : x->cell > y->cell;
}

/* Append the cells of pages [s, s + n) (already remapped) to v; false if
 * two of them share a cell under the mask. */
static bool segment_cells(uint64_t s, uint64_t n, uint64_t mask, GArray *v)
{
	while (n) {
		unsigned k = s ? (unsigned)__builtin_ctzll(s) : 63;
		while (k && (1ull << k) > n)
			k--;
		uint64_t size = 1ull << k;
		if (mask & (size - 1))
			return false;
		struct cell_block b = { s & ~mask, size };
		g_array_append_val(v, b);
		s += size;
		n -= size;
	}
	return true;
}

bool mem_decoder_aliases(const struct mem *m, uint64_t lo, uint64_t hi)
{
	if (hi > mem_size(m))
		hi = mem_size(m);
	if (!m->decoding || hi <= lo)
		return false;
	uint64_t p = lo >> MEM_PAGE_SHIFT, end = (hi + MEM_PAGE_SIZE - 1) >> MEM_PAGE_SHIFT;
	const uint64_t mask = m->alias_mask >> MEM_PAGE_SHIFT;
	GArray *v = g_array_new(FALSE, FALSE, sizeof(struct cell_block));
	bool ok = true;
	/* The range as segments that each move by one offset: the gaps
	 * between remap runs (unmoved) and the runs' parts inside it. */
	size_t i = 0;
	while (ok && p < end) {
		while (i < m->nremaps && m->remaps[i].pfn + m->remaps[i].pages <= p)
			i++;
		const struct mem_remap *r = i < m->nremaps ? &m->remaps[i] : NULL;
		uint64_t stop;
		if (r && r->pfn <= p) {
			stop = r->pfn + r->pages < end ? r->pfn + r->pages : end;
			ok = segment_cells(r->target + (p - r->pfn), stop - p, mask, v);
		} else {
			stop = r && r->pfn < end ? r->pfn : end;
			ok = segment_cells(p, stop - p, mask, v);
		}
		p = stop;
	}
	if (ok && v->len > 1) {
		g_array_sort(v, cell_block_cmp);
		for (guint j = 1; j < v->len && ok; j++) {
			const struct cell_block *a = &g_array_index(v, struct cell_block, j - 1);
			ok = g_array_index(v, struct cell_block, j).cell >= a->cell + a->pages;
		}
	}
	g_array_free(v, TRUE);
	return !ok;
}

void mem_remaps_save(const struct mem *m, struct sim_buf *out)
{
	sim_buf_put_u32(out, (uint32_t)m->nremaps);
	for (size_t i = 0; i < m->nremaps; i++) {
		sim_buf_put_u64(out, m->remaps[i].pfn);
		sim_buf_put_u64(out, m->remaps[i].target);
		sim_buf_put_u64(out, m->remaps[i].pages);
	}
}

static int remaps_read(struct mem *m, struct sim_reader *in)
{
	if (!mask_ok(m, m->alias_mask))
		return -EINVAL;
	uint32_t n = sim_reader_u32(in);
	if (in->failed || n > MEM_REMAPS_MAX)
		return -EINVAL;
	const uint64_t pfns = pfn_count(m);
	m->remaps = n ? g_new(struct mem_remap, n) : NULL;
	for (uint32_t i = 0; i < n; i++) {
		struct mem_remap r;
		r.pfn = sim_reader_u64(in);
		r.target = sim_reader_u64(in);
		r.pages = sim_reader_u64(in);
		if (in->failed || !r.pages || r.pages > pfns || r.pfn > pfns - r.pages ||
		    r.target > pfns - r.pages || r.pfn == r.target)
			return -EINVAL;
		/* In order, apart, and not a continuation of the previous run:
		 * the only form mem_alias builds. */
		if (i) {
			const struct mem_remap *q = &m->remaps[i - 1];
			uint64_t q_end = q->pfn + q->pages;
			if (r.pfn < q_end || (r.pfn == q_end && r.target == q->target + q->pages))
				return -EINVAL;
		}
		m->remaps[i] = r;
		m->nremaps = i + 1;
	}
	return 0;
}

int mem_remaps_restore(struct mem *m, struct sim_reader *in)
{
	g_free(m->remaps);
	m->remaps = NULL;
	m->nremaps = 0;
	int rc = remaps_read(m, in);
	if (rc) {
		g_free(m->remaps);
		m->remaps = NULL;
		m->nremaps = 0;
		m->alias_mask = 0;
	}
	decoding_update(m);
	return rc;
}
