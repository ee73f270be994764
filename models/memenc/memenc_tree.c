/* MEMENC_CTR_TREE: counter-mode encryption with a counter integrity tree over
 * a protected region, after the SGX Memory Encryption Engine (Gueron, "A
 * Memory Encryption Engine Suitable for General Purpose Processors", 2016):
 * 56-bit counters and MACs, counter blocks and tree nodes in DRAM, a root on
 * chip; arity 64/128 use split counters (Yan et al., ISCA 2006; Saileshwar et
 * al., "Morphable Counters", MICRO 2018). The metadata cache is memenc_meta.c.
 *
 * Node format (64 bytes, little-endian bit fields):
 *   arity 8:       8 x 56-bit counters (bits 0..447), 56-bit MAC (448..503)
 *   arity 64/128:  56-bit major (0..55), 56-bit MAC (56..111), then 64 x 6-bit
 *                  or 128 x 3-bit minors (112..495); a child's counter is
 *                  major << minor_bits | minor, and a minor overflow bumps
 *                  the major, zeroes every minor and re-encrypts (counter
 *                  blocks) or re-MACs (tree nodes) the node's other children.
 * A node's MAC covers its bytes (MAC field zero), its PA and its parent's
 * counter for it, so a node replayed from DRAM fails once the parent moved on.
 * Per-line MACs (over ciphertext, PA, counter) ride in the ECC bits with the
 * data, as in Synergy (Saileshwar et al., HPCA 2018): no extra DRAM access.
 * Power-on: a counter of 0 means never written; such a line or node is valid
 * only while it holds all zeros (as if the region had been initialised). */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/memenc/memenc_priv.h"
#include "sim/sim.h"

#define MAJOR_BIT 0
#define FIELD_BITS MEMENC_CTR_BITS

static uint64_t bits_get(const uint8_t *p, unsigned bit, unsigned n)
{
	uint64_t v = 0;
	for (unsigned k = 0; k < n; k++)
		v |= (uint64_t)((p[(bit + k) / 8] >> ((bit + k) % 8)) & 1) << k;
	return v;
}

static void bits_set(uint8_t *p, unsigned bit, unsigned n, uint64_t v)
{
	for (unsigned k = 0; k < n; k++) {
		uint8_t m = (uint8_t)(1u << ((bit + k) % 8));
		if ((v >> k) & 1)
			p[(bit + k) / 8] |= m;
		else
			p[(bit + k) / 8] &= (uint8_t)~m;
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static unsigned mac_bit(const struct memenc_tree *t)
{
	return t->split ? FIELD_BITS : t->arity * FIELD_BITS;
}

static unsigned minor_bit(const struct memenc_tree *t, unsigned slot)
{
	return (t->split ? 2 * FIELD_BITS : 0) + slot * t->minor_bits;
}

uint64_t memenc_node_ctr(const struct memenc_tree *t, const uint8_t node[MEMENC_LINE],
			 unsigned slot)
{
	uint64_t minor = bits_get(node, minor_bit(t, slot), t->minor_bits);
	if (!t->split)
		return minor;
	return bits_get(node, MAJOR_BIT, FIELD_BITS) << t->minor_bits | minor;
}

static void node_ctr_set(const struct memenc_tree *t, uint8_t node[MEMENC_LINE], unsigned slot,
			 uint64_t v)
{
	if (t->split)
		bits_set(node, MAJOR_BIT, FIELD_BITS, (v >> t->minor_bits) & MEMENC_CTR_MASK);
	bits_set(node, minor_bit(t, slot), t->minor_bits, v);
}

uint64_t memenc_node_pa(const struct memenc *e, unsigned level, uint64_t index)
{
	return e->cfg.meta_base + MEMENC_LINE * (e->tree->level_start[level] + index);
}

bool memenc_node_from_pa(const struct memenc *e, uint64_t pa, unsigned *level, uint64_t *index)
{
	const struct memenc_tree *t = e->tree;
	if (pa < e->cfg.meta_base || (pa - e->cfg.meta_base) % MEMENC_LINE)
		return false;
	uint64_t k = (pa - e->cfg.meta_base) / MEMENC_LINE;
	if (k >= t->nodes)
		return false;
	unsigned l = t->levels - 1;
	while (t->level_start[l] > k)
		l--;
	*level = l;
	*index = k - t->level_start[l];
	return true;
}

int memenc_node_check(struct memenc *e, const uint8_t node[MEMENC_LINE], uint64_t pa,
		      uint64_t parent_ctr, bool *ok)
{
	const struct memenc_tree *t = e->tree;
	if (parent_ctr == 0) {
		*ok = all_zero(node, MEMENC_LINE);
		return 0;
	}
	uint8_t tmp[MEMENC_LINE];
	uint64_t want = 0;
	memcpy(tmp, node, MEMENC_LINE);
	bits_set(tmp, mac_bit(t), FIELD_BITS, 0);
	int rc = memenc_mac_node(e, tmp, pa, parent_ctr, &want);
	*ok = !rc && want == bits_get(node, mac_bit(t), FIELD_BITS);
	return rc;
}

int memenc_node_seal(struct memenc *e, uint8_t node[MEMENC_LINE], uint64_t pa,
		     uint64_t parent_ctr)
{
	uint64_t mac = 0;
	bits_set(node, mac_bit(e->tree), FIELD_BITS, 0);
	int rc = memenc_mac_node(e, node, pa, parent_ctr, &mac);
	bits_set(node, mac_bit(e->tree), FIELD_BITS, mac);
	return rc;
}

static uint64_t line_pa(const struct memenc *e, uint64_t line)
{
	return e->cfg.prot_base + line * MEMENC_LINE;
}

/* Verify a line's ciphertext under `ctr` and decrypt it into pt. */
static int line_open(struct memenc *e, uint64_t pa, uint64_t ctr, const uint8_t ct[MEMENC_LINE],
		     uint8_t pt[MEMENC_LINE], bool *ok)
{
	const struct memenc_line_meta *m = memenc_line_find(e, pa);
	uint64_t mac = m ? m->mac : 0, want = 0;
	if (ctr == 0) {
		*ok = mac == 0 && all_zero(ct, MEMENC_LINE);
		memset(pt, 0, MEMENC_LINE);
		return 0;
	}
	int rc = memenc_mac_ctr_line(e, ct, pa, ctr, &want);
	*ok = !rc && want == mac;
	if (rc || !*ok)
		return rc;
	return memenc_ctr_crypt(e, pa, ctr, ct, pt);
}

/* Encrypt pt under `ctr` and store ciphertext and MAC; clears poison. */
static int line_seal(struct memenc *e, uint64_t pa, uint64_t ctr, const uint8_t pt[MEMENC_LINE])
{
	uint8_t ct[MEMENC_LINE];
	uint64_t mac = 0;
	int rc = memenc_ctr_crypt(e, pa, ctr, pt, ct);
	if (!rc)
		rc = memenc_mac_ctr_line(e, ct, pa, ctr, &mac);
	if (!rc)
		rc = mem_write(e->mem, pa, ct, MEMENC_LINE);
	if (rc)
		return rc;
	struct memenc_line_meta *m = memenc_line_get(e, pa);
	m->mac = mac;
	m->owner = 0;
	m->poisoned = 0;
	e->stat_encrypts++;
	return 0;
}

/* A counter-block overflow moves a sibling line to its new counter: D to
 * read it, D to write it back (the crypto pipelines under the traffic). A
 * line found poisoned, or failing its check now, stays as it is (poisoned). */
static int line_reencrypt(struct memenc *e, uint64_t pa, uint64_t old, uint64_t ctr,
			  uint64_t *extra)
{
	const struct memenc_line_meta *m = memenc_line_find(e, pa);
	uint8_t ct[MEMENC_LINE], pt[MEMENC_LINE];
	bool ok = false;
	int rc = mem_read(e->mem, pa, ct, MEMENC_LINE);
	if (rc)
		return rc;
	*extra += mem_latency(e->mem);
	if (m && m->poisoned)
		return 0;
	rc = line_open(e, pa, old, ct, pt, &ok);
	if (rc)
		return rc;
	if (!ok) {
		e->stat_mac_failures++;
		memenc_poison(e, pa, "mac");
		return 0;
	}
	*extra += mem_latency(e->mem);
	return line_seal(e, pa, ctr, pt);
}

/* A tree-node overflow moves a child node to its new parent counter: a cached
 * child is marked dirty (its write-back re-MACs it); an uncached one is read,
 * checked under the old counter and re-MACed in DRAM (2 * D). */
static int node_remac(struct memenc *e, unsigned level, uint64_t index, uint64_t old,
		      uint64_t ctr, uint64_t *extra)
{
	struct memenc_tree *t = e->tree;
	uint64_t pa = memenc_node_pa(e, level, index);
	uint8_t node[MEMENC_LINE];
	bool ok = false;
	int way = memenc_meta_lookup(t, pa);
	if (way >= 0) {
		t->way[way].dirty = true;
		return 0;
	}
	int rc = mem_read(e->mem, pa, node, MEMENC_LINE);
	if (!rc)
		rc = memenc_node_check(e, node, pa, old, &ok);
	if (rc)
		return rc;
	e->stat_tree_node_fetches++;
	*extra += mem_latency(e->mem);
	if (!ok) {
		e->stat_mac_failures++;
		memenc_trace_note(e, "integrity", pa, "node");
		return 0;
	}
	rc = memenc_node_seal(e, node, pa, ctr);
	if (!rc)
		rc = mem_write(e->mem, pa, node, MEMENC_LINE);
	if (rc)
		return rc;
	e->stat_meta_writebacks++;
	*extra += mem_latency(e->mem);
	return 0;
}

int memenc_node_bump(struct memenc *e, uint8_t node[MEMENC_LINE], unsigned level,
		     uint64_t index, unsigned slot, uint64_t *extra)
{
	struct memenc_tree *t = e->tree;
	uint64_t minor = bits_get(node, minor_bit(t, slot), t->minor_bits);
	if (minor < (UINT64_C(1) << t->minor_bits) - 1) {
		bits_set(node, minor_bit(t, slot), t->minor_bits, minor + 1);
		return 0;
	}
	uint64_t major = bits_get(node, MAJOR_BIT, FIELD_BITS);
	if (!t->split || major == MEMENC_CTR_MASK)
		return -EOVERFLOW; /* 2^56 writes to one line: beyond any run */
	uint8_t old[MEMENC_LINE];
	memcpy(old, node, MEMENC_LINE);
	bits_set(node, MAJOR_BIT, FIELD_BITS, major + 1);
	for (unsigned c = 0; c < t->arity; c++)
		bits_set(node, minor_bit(t, c), t->minor_bits, 0);
	e->stat_counter_overflows++;
	uint64_t first = level == t->levels ? 0 : index * t->arity;
	uint64_t nchild = level == 0 ? t->lines : t->level_count[level - 1];
	for (unsigned c = 0; c < t->arity && first + c < nchild; c++) {
		if (c == slot)
			continue;
		uint64_t was = memenc_node_ctr(t, old, c), now = memenc_node_ctr(t, node, c);
		int rc = level == 0 ? line_reencrypt(e, line_pa(e, first + c), was, now, extra)
				    : node_remac(e, level - 1, first + c, was, now, extra);
		if (rc)
			return rc;
	}
	return 0;
}

/* --- reads and writes --- */

bool memenc_tree_covers(const struct memenc *e, uint64_t pa)
{
	return e->tree && pa >= e->cfg.prot_base && pa - e->cfg.prot_base < e->cfg.prot_size;
}

static uint64_t umax(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Until the pad is ready (see memenc.h): a hit needs the lookup; a miss the
 * lookups, the counter block (its check beside the pad) and, serially, one
 * DRAM fetch + MAC per further missing node. */
static uint64_t walk_cost(const struct memenc *e, const struct memenc_walk *w, bool read)
{
	uint64_t d = mem_latency(e->mem), a = memenc_aes_line(e), m = e->cfg.mac_latency;
	uint64_t c = e->cfg.meta_cache_latency;
	if (!w->fetched)
		return read ? umax(d, c + a) : c + a;
	return w->probes * c + d + umax(a, m) + (w->fetched - 1) * (d + m);
}

uint64_t memenc_ctr_read_timing(struct memenc *e, uint64_t pa)
{
	struct memenc_tree *t = e->tree;
	uint64_t line = (pa - e->cfg.prot_base) / MEMENC_LINE;
	struct memenc_walk w = {0};
	int way = -1;
	/* the counter the pad needs, fetched (and its tree checked) as for a
	 * demand read: a failed check is left for the demand to report */
	int rc = memenc_meta_get(e, 0, line / t->arity, &way, &w);
	if (rc && rc != -EBADMSG)
		return mem_latency(e->mem);
	return walk_cost(e, &w, true) + 1 + memenc_mac_on_read(e) + w.extra;
}

int memenc_ctr_read(struct memenc *e, uint64_t pa, uint8_t out[MEMENC_LINE], uint64_t *cycles)
{
	struct memenc_tree *t = e->tree;
	uint64_t line = (pa - e->cfg.prot_base) / MEMENC_LINE;
	const struct memenc_line_meta *m = memenc_line_find(e, pa);
	uint8_t ct[MEMENC_LINE];
	struct memenc_walk w = {0};
	bool ok = false;
	int way = -1;
	int rc = mem_read(e->mem, pa, ct, MEMENC_LINE);
	if (rc)
		return rc;
	if (m && m->poisoned) {
		*cycles += mem_latency(e->mem);
		return memenc_poisoned_read(e, out);
	}
	rc = memenc_meta_get(e, 0, line / t->arity, &way, &w);
	if (rc && rc != -EBADMSG)
		return rc;
	*cycles += walk_cost(e, &w, true) + 1 + memenc_mac_on_read(e) + w.extra;
	if (rc) {
		memenc_poison(e, pa, "tree");
		return memenc_poisoned_read(e, out);
	}
	uint64_t ctr = memenc_node_ctr(t, t->way[way].data, (unsigned)(line % t->arity));
	rc = line_open(e, pa, ctr, ct, out, &ok);
	if (rc)
		return rc;
	if (!ok) {
		e->stat_mac_failures++;
		memenc_poison(e, pa, "mac");
		return memenc_poisoned_read(e, out);
	}
	if (ctr)
		e->stat_decrypts++;
	return 0;
}

int memenc_ctr_write(struct memenc *e, uint64_t pa, const uint8_t in[MEMENC_LINE],
		     uint64_t *cycles)
{
	struct memenc_tree *t = e->tree;
	uint64_t line = (pa - e->cfg.prot_base) / MEMENC_LINE;
	unsigned slot = (unsigned)(line % t->arity);
	struct memenc_walk w = {0};
	int way = -1;
	int rc = memenc_meta_get(e, 0, line / t->arity, &way, &w);
	uint64_t c = walk_cost(e, &w, false) + 1 + e->cfg.mac_latency + mem_latency(e->mem);
	if (rc == -EBADMSG)
		*cycles += c + w.extra;
	if (rc)
		return rc;
	/* The bump's overflow work touches data lines only: `way` stays put. */
	rc = memenc_node_bump(e, t->way[way].data, 0, line / t->arity, slot, &w.extra);
	if (rc)
		return rc;
	t->way[way].dirty = true;
	rc = line_seal(e, pa, memenc_node_ctr(t, t->way[way].data, slot), in);
	if (rc)
		return rc;
	*cycles += c + w.extra;
	return 0;
}

/* --- the physical attacker's view of the counters --- */

int memenc_tree_dram_counter(struct memenc *e, uint64_t pa, uint64_t *counter)
{
	const struct memenc_tree *t = e->tree;
	uint64_t line = (pa - e->cfg.prot_base) / MEMENC_LINE;
	uint8_t node[MEMENC_LINE];
	int rc = mem_read(e->mem, memenc_node_pa(e, 0, line / t->arity), node, MEMENC_LINE);
	if (!rc)
		*counter = memenc_node_ctr(t, node, (unsigned)(line % t->arity));
	return rc;
}

int memenc_tree_dram_counter_set(struct memenc *e, uint64_t pa, uint64_t counter)
{
	const struct memenc_tree *t = e->tree;
	uint64_t line = (pa - e->cfg.prot_base) / MEMENC_LINE;
	uint64_t npa = memenc_node_pa(e, 0, line / t->arity);
	uint8_t node[MEMENC_LINE];
	int rc = mem_read(e->mem, npa, node, MEMENC_LINE);
	if (rc)
		return rc;
	node_ctr_set(t, node, (unsigned)(line % t->arity), counter);
	return mem_write(e->mem, npa, node, MEMENC_LINE);
}

/* --- geometry, configuration, state --- */

/* Levels of nodes above `lines` lines until one has <= arity nodes (the
 * root's children). Returns the number of levels, 0 if too many. */
static unsigned geometry(uint64_t lines, unsigned arity, uint64_t start[], uint64_t count[],
			 uint64_t *nodes)
{
	uint64_t n = (lines + arity - 1) / arity, total = 0;
	unsigned l = 0;
	for (;;) {
		if (l == MEMENC_TREE_LEVELS_MAX)
			return 0;
		start[l] = total;
		count[l] = n;
		total += n;
		l++;
		if (n <= arity)
			break;
		n = (n + arity - 1) / arity;
	}
	*nodes = total;
	return l;
}

int memenc_tree_check(const struct memenc_config *c, const struct mem *mem)
{
	uint64_t ways = c->meta_cache_ways, line_set = MEMENC_LINE * ways;
	if ((c->tree_arity != 8 && c->tree_arity != 64 && c->tree_arity != 128) || ways < 2 ||
	    c->meta_cache_size % line_set || !c->meta_cache_size ||
	    ((c->meta_cache_size / line_set) & (c->meta_cache_size / line_set - 1)))
		return -EINVAL;
	if (c->mode != MEMENC_CTR_TREE)
		return 0;
	uint64_t size = mem_size(mem), start[MEMENC_TREE_LEVELS_MAX], count[MEMENC_TREE_LEVELS_MAX];
	uint64_t nodes = 0;
	if (!c->prot_size || c->prot_base % MEMENC_LINE || c->prot_size % MEMENC_LINE ||
	    c->prot_size > size || c->prot_base > size - c->prot_size || c->meta_base % MEMENC_LINE ||
	    !geometry(c->prot_size / MEMENC_LINE, c->tree_arity, start, count, &nodes))
		return -EINVAL;
	uint64_t meta_size = nodes * MEMENC_LINE;
	if (meta_size > size || c->meta_base > size - meta_size)
		return -EINVAL;
	/* The metadata must not sit in the region it protects. */
	if (c->meta_base < c->prot_base + c->prot_size && c->prot_base < c->meta_base + meta_size)
		return -EINVAL;
	return 0;
}

void memenc_tree_init(struct memenc *e)
{
	struct memenc_tree *t = g_new0(struct memenc_tree, 1);
	const struct memenc_config *c = &e->cfg;
	t->arity = c->tree_arity;
	t->split = t->arity > 8;
	t->minor_bits = t->arity == 8 ? FIELD_BITS : t->arity == 64 ? 6 : 3;
	t->lines = c->prot_size / MEMENC_LINE;
	t->levels = geometry(t->lines, t->arity, t->level_start, t->level_count, &t->nodes);
	t->ways = c->meta_cache_ways;
	t->sets = (unsigned)(c->meta_cache_size / (MEMENC_LINE * t->ways));
	t->way = g_new0(struct memenc_meta_way, (size_t)t->sets * t->ways);
	e->tree = t;
}

void memenc_tree_free(struct memenc *e)
{
	if (!e->tree)
		return;
	g_free(e->tree->way);
	g_free(e->tree);
	e->tree = NULL;
}

void memenc_tree_reset(struct memenc *e)
{
	struct memenc_tree *t = e->tree;
	memset(t->root, 0, sizeof(t->root));
	memset(t->way, 0, sizeof(*t->way) * t->sets * t->ways);
	t->clock = 0;
}
