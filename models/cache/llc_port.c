/* The LLC's port to memory: request slots, the stream prefetcher and the
 * write-back buffer; see llc_port.h. */
#include "models/cache/llc_port.h"

#include <errno.h>
#include <string.h>

#include "sim/buf.h"
#include "sim/sim.h"

#define LINES_PER_PAGE 64u /* a 4 KB page: prefetchers work on physical pages */

/* The slot of `n` that frees first (the lowest index of equals). Requests
 * reach the port at the times their issuers reached, not in time order (a
 * load delayed by its walk, then younger ones issued before it), so a slot
 * is not "the next in turn": that would make an early request wait for a
 * later one's. */
static unsigned earliest(const uint64_t *busy, unsigned n)
{
	unsigned best = 0;
	for (unsigned k = 1; k < n; k++)
		if (busy[k] < busy[best])
			best = k;
	return best;
}

static uint64_t now_at(const struct llc_port *p, uint64_t offset)
{
	return sim_time(p->base.sim) + offset;
}

static struct llcp_line *pf_slot(struct llc_port *p, uint64_t line)
{
	return &p->pf[line % LLCP_PF_LINES];
}

static struct llcp_line *pf_find(struct llc_port *p, unsigned key, uint64_t line)
{
	struct llcp_line *l = pf_slot(p, line);
	return l->line == line && l->key == key ? l : NULL;
}

/* Issue the prefetch of one line at `offset`: it needs a free request slot
 * now (a prefetcher drops what it cannot issue), then takes the DRAM
 * channel and the AES pipeline as a read would. false: dropped. */
static bool pf_issue(struct llc_port *p, unsigned key, uint64_t line, uint64_t offset)
{
	unsigned s = earliest(p->req, p->cfg.requests);
	uint64_t now = now_at(p, offset);
	if (p->req[s] > now) {
		p->stat_pf_dropped++;
		return false;
	}
	uint64_t ready = now + memenc_read_timing(p->enc, key, line << CACHE_LINE_SHIFT, offset);
	p->req[s] = ready;
	*pf_slot(p, line) = (struct llcp_line){ .line = line, .ready = ready, .key = key };
	p->stat_pf_issued++;
	return true;
}

/* A demand load reached memory for `line` (or found it prefetched): train
 * the stream of its page and run it ahead. */
static void pf_train(struct llc_port *p, unsigned key, uint64_t line, uint64_t offset)
{
	if (!p->cfg.pf_distance)
		return;
	uint64_t page = line / LINES_PER_PAGE;
	struct llcp_stream *s = NULL, *victim = &p->streams[0];
	for (unsigned i = 0; i < p->cfg.pf_streams; i++) {
		struct llcp_stream *t = &p->streams[i];
		if (t->age && t->page == page) {
			s = t;
			break;
		}
		if (t->age < victim->age)
			victim = t;
	}
	if (!s) {
		*victim = (struct llcp_stream){ .page = page, .last = line, .next = line,
						.age = ++p->stream_clock };
		return;
	}
	s->age = ++p->stream_clock;
	if (!s->dir) {
		if (line != s->last + 1 && line + 1 != s->last) {
			s->last = line;
			return;
		}
		s->dir = line > s->last ? 1 : -1;
		s->next = line + (uint64_t)(int64_t)s->dir;
	}
	s->last = line;
	/* run ahead of the demand: the lines up to pf_distance past it, in the
	 * page, that were not issued before */
	uint64_t first = page * LINES_PER_PAGE, end = first + LINES_PER_PAGE;
	for (unsigned k = 1; k <= p->cfg.pf_distance; k++) {
		uint64_t l = line + (uint64_t)((int64_t)s->dir * k);
		if (l < first || l >= end)
			break;
		if (s->dir > 0 ? l < s->next : l > s->next)
			continue; /* issued before */
		if (!pf_find(p, key, l) &&
		    !(p->llc && cache_probe(p->llc, key, l << CACHE_LINE_SHIFT, NULL)) &&
		    !pf_issue(p, key, l, offset))
			break;
		s->next = l + (uint64_t)(int64_t)s->dir;
	}
}

static int port_read(void *ctx, unsigned key, uint64_t pa, uint8_t out[CACHE_LINE],
		     uint64_t *cycles)
{
	struct llc_port *p = ctx;
	uint64_t line = pa >> CACHE_LINE_SHIFT, now = now_at(p, *cycles);
	bool load = p->demand_load;
	p->stat_reads++;
	struct llcp_line *hit = pf_find(p, key, line);
	if (hit) {
		/* prefetched: the data moves now, its time was taken by the prefetch */
		uint64_t ready = hit->ready;
		hit->line = UINT64_MAX;
		p->stat_pf_useful++;
		p->enc->untimed = true;
		int rc = memenc_read_line(p->enc, key, pa, out, cycles);
		p->enc->untimed = false;
		if (ready > now) {
			p->stat_pf_late += ready - now;
			*cycles += ready - now;
		}
		if (load)
			pf_train(p, key, line, *cycles);
		return rc;
	}
	unsigned s = earliest(p->req, p->cfg.requests);
	if (p->req[s] > now) {
		p->stat_req_wait += p->req[s] - now;
		*cycles += p->req[s] - now;
	}
	int rc = memenc_read_line(p->enc, key, pa, out, cycles);
	p->req[s] = now_at(p, *cycles);
	if (load)
		pf_train(p, key, line, *cycles);
	return rc;
}

int llc_port_write(struct llc_port *p, unsigned key, uint64_t pa, const uint8_t in[CACHE_LINE],
		   uint64_t *cycles)
{
	uint64_t now = now_at(p, *cycles), line = pa >> CACHE_LINE_SHIFT;
	p->stat_writes++;
	if (pf_slot(p, line)->line == line) /* a prefetched copy is stale now */
		pf_slot(p, line)->line = UINT64_MAX;
	unsigned e = earliest(p->wb, p->cfg.wb_entries);
	uint64_t wait = p->wb[e] > now ? p->wb[e] - now : 0;
	p->stat_wb_wait += wait;
	/* the writer waits only for a buffer entry; the line drains behind it */
	uint64_t drain = *cycles + wait;
	int rc = memenc_write_line(p->enc, key, pa, in, &drain);
	p->wb[e] = now_at(p, drain);
	*cycles += wait;
	return rc;
}

static int port_write(void *ctx, unsigned key, uint64_t pa, const uint8_t in[CACHE_LINE],
		      uint64_t *cycles)
{
	return llc_port_write(ctx, key, pa, in, cycles);
}

static const struct cache_port_ops llc_port_ops = { .read_line = port_read,
						    .write_line = port_write };

struct cache_port llc_port_as_port(struct llc_port *p)
{
	return (struct cache_port){ .ops = &llc_port_ops, .ctx = p };
}

/* --- model --- */

static void port_clear(struct llc_port *p)
{
	memset(p->req, 0, sizeof(p->req));
	memset(p->wb, 0, sizeof(p->wb));
	memset(p->streams, 0, sizeof(p->streams));
	for (unsigned i = 0; i < LLCP_PF_LINES; i++)
		p->pf[i] = (struct llcp_line){ .line = UINT64_MAX };
	p->stream_clock = 0;
}

static void port_reset(struct sim_model *m)
{
	port_clear((struct llc_port *)m);
}

void llc_port_quiesce(struct llc_port *p)
{
	port_clear(p);
}

static int port_save(const struct sim_model *m, struct sim_buf *out)
{
	const struct llc_port *p = (const struct llc_port *)m;
	for (unsigned k = 0; k < LLCP_SLOTS_MAX; k++) {
		sim_buf_put_u64(out, p->req[k]);
		sim_buf_put_u64(out, p->wb[k]);
	}
	for (unsigned i = 0; i < LLCP_STREAMS_MAX; i++) {
		const struct llcp_stream *s = &p->streams[i];
		sim_buf_put_u64(out, s->page);
		sim_buf_put_u64(out, s->last);
		sim_buf_put_u64(out, s->next);
		sim_buf_put_u64(out, s->age);
		sim_buf_put_u32(out, (uint32_t)s->dir);
	}
	/* the prefetched lines not yet used, by index (the table is large and
	 * mostly empty) */
	uint32_t n = 0;
	for (unsigned i = 0; i < LLCP_PF_LINES; i++)
		n += p->pf[i].line != UINT64_MAX;
	sim_buf_put_u32(out, n);
	for (unsigned i = 0; i < LLCP_PF_LINES; i++) {
		if (p->pf[i].line == UINT64_MAX)
			continue;
		sim_buf_put_u32(out, i);
		sim_buf_put_u64(out, p->pf[i].line);
		sim_buf_put_u64(out, p->pf[i].ready);
		sim_buf_put_u32(out, p->pf[i].key);
	}
	return 0;
}

static int port_restore(struct sim_model *m, struct sim_reader *in)
{
	struct llc_port *p = (struct llc_port *)m;
	for (unsigned k = 0; k < LLCP_SLOTS_MAX; k++) {
		p->req[k] = sim_reader_u64(in);
		p->wb[k] = sim_reader_u64(in);
	}
	for (unsigned i = 0; i < LLCP_STREAMS_MAX; i++) {
		struct llcp_stream *s = &p->streams[i];
		s->page = sim_reader_u64(in);
		s->last = sim_reader_u64(in);
		s->next = sim_reader_u64(in);
		s->age = sim_reader_u64(in);
		s->dir = (int32_t)sim_reader_u32(in);
		if (s->dir < -1 || s->dir > 1 || s->age > p->stream_clock)
			return -EINVAL;
	}
	for (unsigned i = 0; i < LLCP_PF_LINES; i++)
		p->pf[i] = (struct llcp_line){ .line = UINT64_MAX };
	uint32_t n = sim_reader_u32(in);
	if (n > LLCP_PF_LINES)
		return -EINVAL;
	for (uint32_t k = 0; k < n && !in->failed; k++) {
		uint32_t i = sim_reader_u32(in);
		uint64_t line = sim_reader_u64(in);
		if (i >= LLCP_PF_LINES || line % LLCP_PF_LINES != i || line == UINT64_MAX)
			return -EINVAL;
		p->pf[i].line = line;
		p->pf[i].ready = sim_reader_u64(in);
		p->pf[i].key = sim_reader_u32(in);
	}
	return in->failed || in->pos != in->len ? -EINVAL : 0;
}

static const struct sim_model_ops port_ops = {
	.reset = port_reset, .save_extra = port_save, .restore_extra = port_restore,
};

static const struct sim_field port_fields[] = {
	SIM_FIELD(struct llc_port, stream_clock),
	SIM_FIELD(struct llc_port, stat_reads),
	SIM_FIELD(struct llc_port, stat_writes),
	SIM_FIELD(struct llc_port, stat_req_wait),
	SIM_FIELD(struct llc_port, stat_wb_wait),
	SIM_FIELD(struct llc_port, stat_pf_issued),
	SIM_FIELD(struct llc_port, stat_pf_useful),
	SIM_FIELD(struct llc_port, stat_pf_late),
	SIM_FIELD(struct llc_port, stat_pf_dropped),
};
static const struct sim_vmstate port_vmstate = {
	"llc_port", 3, port_fields, sizeof(port_fields) / sizeof(port_fields[0])
};

int llc_port_init(struct llc_port *p, struct sim *s, const char *name,
		  const struct llc_port_config *cfg, struct memenc *enc)
{
	if (!enc || !cfg->requests || cfg->requests > LLCP_SLOTS_MAX || !cfg->wb_entries ||
	    cfg->wb_entries > LLCP_SLOTS_MAX || !cfg->pf_streams ||
	    cfg->pf_streams > LLCP_STREAMS_MAX || cfg->pf_distance >= LINES_PER_PAGE)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->base.name = name;
	p->base.kind = "llc_port";
	p->base.ops = &port_ops;
	p->base.vmstate = &port_vmstate;
	p->cfg = *cfg;
	p->enc = enc;
	port_clear(p);
	sim_model_register(s, &p->base);
#define ST(f, n, k, d) SIM_STAT_DEF(struct llc_port, f, n, k, d)
	static const struct sim_stat_def stats[] = {
		ST(stat_reads, "reads", SIM_STAT_COUNT, "lines the LLC read from memory"),
		ST(stat_writes, "writes", SIM_STAT_COUNT, "lines written to memory (write-backs, non-temporal stores)"),
		ST(stat_req_wait, "request_wait", SIM_STAT_CYCLES, "cycles misses waited for a free memory request slot"),
		ST(stat_wb_wait, "wb_wait", SIM_STAT_CYCLES, "cycles writes waited for a free write-back buffer entry"),
		ST(stat_pf_issued, "prefetch.issued", SIM_STAT_COUNT, "lines the stream prefetcher fetched"),
		ST(stat_pf_useful, "prefetch.useful", SIM_STAT_COUNT, "misses a prefetch had fetched for"),
		ST(stat_pf_late, "prefetch.late", SIM_STAT_CYCLES, "cycles misses waited for a prefetch still in flight"),
		ST(stat_pf_dropped, "prefetch.dropped", SIM_STAT_COUNT, "prefetches not issued: every request slot busy"),
	};
#undef ST
	sim_stat_register_table(s, name, p, stats, sizeof(stats) / sizeof(stats[0]));
	return 0;
}
