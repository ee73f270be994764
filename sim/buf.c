/* Little-endian byte buffers for snapshots and traces. */
#include "sim/buf.h"

#include <glib.h>
#include <string.h>

void sim_buf_init(struct sim_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void sim_buf_free(struct sim_buf *b)
{
	g_free(b->data);
	sim_buf_init(b);
}

void sim_buf_put(struct sim_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		b->data = g_realloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_le(struct sim_buf *b, uint64_t v, unsigned n)
{
	uint8_t tmp[8];
	for (unsigned i = 0; i < n; i++)
		tmp[i] = (uint8_t)(v >> (8 * i));
	sim_buf_put(b, tmp, n);
}

void sim_buf_put_u8(struct sim_buf *b, uint8_t v) { put_le(b, v, 1); }
void sim_buf_put_u16(struct sim_buf *b, uint16_t v) { put_le(b, v, 2); }
void sim_buf_put_u32(struct sim_buf *b, uint32_t v) { put_le(b, v, 4); }
void sim_buf_put_u64(struct sim_buf *b, uint64_t v) { put_le(b, v, 8); }

void sim_buf_put_str(struct sim_buf *b, const char *s)
{
	size_t n = strlen(s);
	sim_buf_put_u32(b, (uint32_t)n);
	sim_buf_put(b, s, n);
}

void sim_reader_init(struct sim_reader *r, const uint8_t *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->failed = false;
}

bool sim_reader_get(struct sim_reader *r, void *p, size_t n)
{
	if (n == 0)
		return !r->failed;
	if (r->failed || r->len - r->pos < n) {
		r->failed = true;
		memset(p, 0, n);
		return false;
	}
	memcpy(p, r->data + r->pos, n);
	r->pos += n;
	return true;
}

static uint64_t get_le(struct sim_reader *r, unsigned n)
{
	uint8_t tmp[8];
	uint64_t v = 0;
	if (!sim_reader_get(r, tmp, n))
		return 0;
	for (unsigned i = n; i > 0; i--)
		v = (v << 8) | tmp[i - 1];
	return v;
}

uint8_t sim_reader_u8(struct sim_reader *r) { return (uint8_t)get_le(r, 1); }
uint16_t sim_reader_u16(struct sim_reader *r) { return (uint16_t)get_le(r, 2); }
uint32_t sim_reader_u32(struct sim_reader *r) { return (uint32_t)get_le(r, 4); }
uint64_t sim_reader_u64(struct sim_reader *r) { return get_le(r, 8); }

bool sim_reader_str(struct sim_reader *r, char *out, size_t cap)
{
	uint32_t n = sim_reader_u32(r);
	if (r->failed || n >= cap || r->len - r->pos < n) {
		r->failed = true;
		if (cap)
			out[0] = '\0';
		return false;
	}
	memcpy(out, r->data + r->pos, n);
	out[n] = '\0';
	r->pos += n;
	return true;
}

void sim_buf_put_field(struct sim_buf *b, const void *base, const struct sim_field *f)
{
	const uint8_t *p = (const uint8_t *)base + f->offset;
	for (uint32_t k = 0; k < f->count; k++, p += f->size) {
		uint64_t v = 0;
		switch (f->size) {
		case 1: v = *p; break;
		case 2: { uint16_t x; memcpy(&x, p, 2); v = x; break; }
		case 4: { uint32_t x; memcpy(&x, p, 4); v = x; break; }
		case 8: memcpy(&v, p, 8); break;
		default: g_assert_not_reached(); /* field sizes are 1, 2, 4 or 8 */
		}
		put_le(b, v, f->size);
	}
}

void sim_reader_field(struct sim_reader *r, void *base, const struct sim_field *f)
{
	uint8_t *p = (uint8_t *)base + f->offset;
	for (uint32_t k = 0; k < f->count; k++, p += f->size) {
		uint64_t v = get_le(r, f->size);
		switch (f->size) {
		case 1: *p = (uint8_t)v; break;
		case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
		case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
		default: memcpy(p, &v, 8); break;
		}
	}
}
