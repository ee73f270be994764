/* Binary trace, its reader and the chained SHA-256 digest; see trace.h.
 * Record encoding (little-endian): u64 cycle, u16 type, u16 src, u32 len,
 * u64 a[4], then len payload bytes. The text view is the harness's
 * (harness/trace/trace_decode.c): it names what the models' numbers mean. */
#include "sim/trace.h"

#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "sim/sim.h"

const struct trace_type_info trace_types[TRACE_TYPE_COUNT] = {
#define TRACE_EVENT(id, name, a0, a1, a2, a3) [TRACE_##id] = { name, { a0, a1, a2, a3 } },
#include "sim/trace_events.def"
#undef TRACE_EVENT
};

#define REC_HDR 48

void sim_trace_init(struct sim_trace *t)
{
	memset(t, 0, sizeof(*t));
}

void sim_trace_set_file(struct sim_trace *t, FILE *f, uint64_t freq_hz)
{
	uint8_t hdr[TRACE_HEADER_LEN];
	memcpy(hdr, TRACE_MAGIC, 8);
	sim_le64_store(hdr + 8, freq_hz);
	t->file = f;
	if (f && fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		t->write_error = true;
}

static void chain_block(struct sim_trace *t)
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	gsize n = TRACE_DIGEST_LEN;
	g_checksum_update(c, t->chain, TRACE_DIGEST_LEN);
	g_checksum_update(c, t->block, t->block_len);
	g_checksum_get_digest(c, t->chain, &n);
	g_checksum_free(c);
	t->block_len = 0;
}

static void absorb(struct sim_trace *t, const uint8_t *p, size_t n)
{
	while (n) {
		size_t room = TRACE_BLOCK - t->block_len;
		size_t k = n < room ? n : room;
		memcpy(t->block + t->block_len, p, k);
		t->block_len += k;
		p += k;
		n -= k;
		if (t->block_len == TRACE_BLOCK)
			chain_block(t);
	}
}

void sim_trace_emit(struct sim *s, enum trace_type type, uint16_t src, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3, const void *payload, uint32_t len)
{
	struct sim_trace *t = &s->trace;
	uint8_t hdr[REC_HDR];
	if (len > TRACE_PAYLOAD_MAX)
		len = TRACE_PAYLOAD_MAX;
	sim_le64_store(hdr, s->local);
	hdr[8] = (uint8_t)type;
	hdr[9] = (uint8_t)(type >> 8);
	hdr[10] = (uint8_t)src;
	hdr[11] = (uint8_t)(src >> 8);
	for (int i = 0; i < 4; i++)
		hdr[12 + i] = (uint8_t)(len >> (8 * i));
	sim_le64_store(hdr + 16, a0);
	sim_le64_store(hdr + 24, a1);
	sim_le64_store(hdr + 32, a2);
	sim_le64_store(hdr + 40, a3);
	absorb(t, hdr, REC_HDR);
	if (len)
		absorb(t, payload, len);
	t->records++;
	if (t->file && !t->write_error) {
		if (fwrite(hdr, 1, REC_HDR, t->file) != REC_HDR ||
		    (len && fwrite(payload, 1, len, t->file) != len))
			t->write_error = true;
	}
}

uint16_t sim_trace_source(struct sim *s, const char *name)
{
	uint16_t id = s->trace.nsources++;
	sim_trace_emit(s, TRACE_SOURCE, id, id, 0, 0, 0, name, (uint32_t)strlen(name));
	return id;
}

void sim_trace_digest(const struct sim_trace *t, uint8_t out[TRACE_DIGEST_LEN])
{
	uint8_t cnt[8];
	gsize n = TRACE_DIGEST_LEN;
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	sim_le64_store(cnt, t->records);
	g_checksum_update(c, t->chain, TRACE_DIGEST_LEN);
	g_checksum_update(c, t->block, t->block_len);
	g_checksum_update(c, cnt, sizeof(cnt));
	g_checksum_get_digest(c, out, &n);
	g_checksum_free(c);
}

void sim_trace_digest_hex(const struct sim_trace *t, char out[2 * TRACE_DIGEST_LEN + 1])
{
	uint8_t d[TRACE_DIGEST_LEN];
	sim_trace_digest(t, d);
	for (int i = 0; i < TRACE_DIGEST_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int trace_reader_open(struct trace_reader *r, FILE *f, const char *path, char *err, size_t errlen)
{
	uint8_t hdr[TRACE_HEADER_LEN];
	r->f = f;
	r->path = path;
	r->offset = 0;
	r->version = 0;
	r->freq_hz = 0;
	if (fread(hdr, 1, 8, f) != 8 ||
	    (memcmp(hdr, TRACE_MAGIC, 8) != 0 && memcmp(hdr, TRACE_MAGIC_V1, 8) != 0)) {
		snprintf(err, errlen, "%s: offset 0: expected a ccsim binary trace (magic \"%s\")",
			 path, TRACE_MAGIC);
		return -1;
	}
	r->offset = 8;
	r->version = memcmp(hdr, TRACE_MAGIC_V1, 8) == 0 ? 1 : 2;
	if (r->version == 1)
		return 0;
	if (fread(hdr + 8, 1, 8, f) != 8) {
		snprintf(err, errlen, "%s: offset 8: truncated header (expected the clock frequency)",
			 path);
		return -1;
	}
	r->freq_hz = sim_le64_load(hdr + 8);
	r->offset = TRACE_HEADER_LEN;
	return 0;
}

int trace_reader_next(struct trace_reader *r, struct trace_rec *rec, char *err, size_t errlen)
{
	uint8_t hdr[REC_HDR];
	size_t got = fread(hdr, 1, REC_HDR, r->f);
	if (got == 0)
		return 0;
	if (got != REC_HDR) {
		snprintf(err, errlen, "%s: offset %" PRIu64 ": truncated record header (%zu of %d bytes)",
			 r->path, r->offset, got, REC_HDR);
		return -1;
	}
	rec->cycle = sim_le64_load(hdr);
	rec->type = (uint16_t)(hdr[8] | hdr[9] << 8);
	rec->src = (uint16_t)(hdr[10] | hdr[11] << 8);
	rec->len = (uint32_t)hdr[12] | (uint32_t)hdr[13] << 8 | (uint32_t)hdr[14] << 16 |
		   (uint32_t)hdr[15] << 24;
	for (int i = 0; i < 4; i++)
		rec->a[i] = sim_le64_load(hdr + 16 + 8 * i);
	if (rec->type >= TRACE_TYPE_COUNT) {
		snprintf(err, errlen, "%s: offset %" PRIu64 ": unknown record type %u (expected < %d)",
			 r->path, r->offset, rec->type, TRACE_TYPE_COUNT);
		return -1;
	}
	if (rec->len > TRACE_PAYLOAD_MAX || fread(r->payload, 1, rec->len, r->f) != rec->len) {
		snprintf(err, errlen, "%s: offset %" PRIu64 ": truncated or oversized payload (%u bytes)",
			 r->path, r->offset, rec->len);
		return -1;
	}
	rec->payload = r->payload;
	r->offset += REC_HDR + rec->len;
	return 1;
}
