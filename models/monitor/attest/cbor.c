/* CBOR encoder and decoder; see cbor.h. Follows RFC 8949 §3 (encoding of
 * major types and arguments) and §4.2.1 (shortest arguments). Indefinite
 * lengths (§3.2) are rejected by the decoder: COSE and the CCA token use none. */
#include "models/monitor/attest/cbor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cbor_enc_init(struct cbor_enc *e)
{
	e->data = NULL;
	e->len = e->cap = 0;
}

void cbor_enc_free(struct cbor_enc *e)
{
	free(e->data);
	cbor_enc_init(e);
}

uint8_t *cbor_enc_take(struct cbor_enc *e, size_t *len)
{
	uint8_t *p = e->data;
	*len = e->len;
	cbor_enc_init(e);
	return p;
}

void cbor_put_raw(struct cbor_enc *e, const void *p, size_t n)
{
	if (e->len + n > e->cap) {
		size_t cap = e->cap ? e->cap : 64;
		while (cap < e->len + n)
			cap *= 2;
		uint8_t *d = realloc(e->data, cap);
		if (!d)
			abort();
		e->data = d;
		e->cap = cap;
	}
	if (n)
		memcpy(e->data + e->len, p, n);
	e->len += n;
}

/* RFC 8949 §3: arguments < 24 live in the initial byte; larger ones follow
 * in 1, 2, 4 or 8 big-endian bytes (ai 24..27), always the shortest. */
void cbor_put_head(struct cbor_enc *e, enum cbor_major major, uint64_t arg)
{
	uint8_t b[9];
	size_t n;
	uint8_t mt = (uint8_t)(major << 5);
	if (arg < 24) {
		b[0] = mt | (uint8_t)arg;
		n = 1;
	} else if (arg <= 0xff) {
		b[0] = mt | 24;
		n = 2;
	} else if (arg <= 0xffff) {
		b[0] = mt | 25;
		n = 3;
	} else if (arg <= 0xffffffffu) {
		b[0] = mt | 26;
		n = 5;
	} else {
		b[0] = mt | 27;
		n = 9;
	}
	for (size_t i = 1; i < n; i++)
		b[i] = (uint8_t)(arg >> (8 * (n - 1 - i)));
	cbor_put_raw(e, b, n);
}

void cbor_put_uint(struct cbor_enc *e, uint64_t v) { cbor_put_head(e, CBOR_UINT, v); }

void cbor_put_int(struct cbor_enc *e, int64_t v)
{
	if (v >= 0)
		cbor_put_head(e, CBOR_UINT, (uint64_t)v);
	else
		cbor_put_head(e, CBOR_NINT, (uint64_t)(-(v + 1)));
}

void cbor_put_bytes(struct cbor_enc *e, const void *p, size_t n)
{
	cbor_put_head(e, CBOR_BYTES, n);
	cbor_put_raw(e, p, n);
}

void cbor_put_text_n(struct cbor_enc *e, const char *s, size_t n)
{
	cbor_put_head(e, CBOR_TEXT, n);
	cbor_put_raw(e, s, n);
}

void cbor_put_text(struct cbor_enc *e, const char *s) { cbor_put_text_n(e, s, strlen(s)); }
void cbor_put_array(struct cbor_enc *e, uint64_t n) { cbor_put_head(e, CBOR_ARRAY, n); }
void cbor_put_map(struct cbor_enc *e, uint64_t npairs) { cbor_put_head(e, CBOR_MAP, npairs); }
void cbor_put_tag(struct cbor_enc *e, uint64_t tag) { cbor_put_head(e, CBOR_TAG, tag); }
void cbor_put_bool(struct cbor_enc *e, bool v) { cbor_put_head(e, CBOR_SIMPLE, v ? 21 : 20); }
void cbor_put_null(struct cbor_enc *e) { cbor_put_head(e, CBOR_SIMPLE, 22); }

/* ---- decoder ---- */

void cbor_dec_init(struct cbor_dec *d, const uint8_t *p, size_t len, size_t base)
{
	memset(d, 0, sizeof(*d));
	d->p = p;
	d->len = len;
	d->base = base;
}

int cbor_fail(struct cbor_dec *d, size_t off, const char *fmt, ...)
{
	if (!d->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->err, sizeof(d->err), fmt, ap);
		va_end(ap);
		d->failed = true;
		d->err_off = off;
	}
	return -EBADMSG;
}

static const char *const major_names[] = { "unsigned integer", "negative integer", "byte string",
					   "text string", "array", "map", "tag", "simple value" };

int cbor_next(struct cbor_dec *d, struct cbor_item *it)
{
	if (d->failed)
		return -EBADMSG;
	size_t start = d->pos, off = d->base + start;
	if (start >= d->len)
		return cbor_fail(d, off, "truncated: expected a CBOR item, found end of data");
	uint8_t ib = d->p[start];
	unsigned ai = ib & 0x1f;
	size_t n;
	it->major = (enum cbor_major)(ib >> 5);
	it->off = off;
	it->data = NULL;
	if (ai < 24)
		n = 0;
	else if (ai <= 27)
		n = (size_t)1 << (ai - 24);
	else if (ai == 31)
		return cbor_fail(d, off, "indefinite-length %s not supported", major_names[ib >> 5]);
	else
		return cbor_fail(d, off, "reserved additional information %u in initial byte 0x%02x", ai, ib);
	if (d->len - start - 1 < n)
		return cbor_fail(d, off, "truncated: %s head needs %zu bytes, %zu left",
				 major_names[ib >> 5], n + 1, d->len - start);
	uint64_t arg = n ? 0 : ai;
	for (size_t i = 0; i < n; i++)
		arg = (arg << 8) | d->p[start + 1 + i];
	d->pos = start + 1 + n;
	it->arg = arg;
	if (it->major == CBOR_BYTES || it->major == CBOR_TEXT) {
		if (arg > d->len - d->pos)
			return cbor_fail(d, off, "truncated: %s of %llu bytes, %zu left",
					 major_names[it->major], (unsigned long long)arg, d->len - d->pos);
		it->data = d->p + d->pos;
		d->pos += (size_t)arg;
	}
	return 0;
}

static int skip_depth(struct cbor_dec *d, unsigned depth)
{
	struct cbor_item it;
	if (cbor_next(d, &it))
		return -EBADMSG;
	if (depth >= CBOR_MAX_DEPTH && (it.major == CBOR_ARRAY || it.major == CBOR_MAP || it.major == CBOR_TAG))
		return cbor_fail(d, it.off, "nesting deeper than %d", CBOR_MAX_DEPTH);
	switch (it.major) {
	case CBOR_ARRAY:
	case CBOR_MAP: {
		uint64_t items = it.arg;
		/* Every item takes at least one byte: reject absurd counts up front. */
		if (items > d->len - d->pos || (it.major == CBOR_MAP && items * 2 > d->len - d->pos))
			return cbor_fail(d, it.off, "truncated: %s of %llu %s, %zu bytes left",
					 major_names[it.major], (unsigned long long)items,
					 it.major == CBOR_MAP ? "pairs" : "items", d->len - d->pos);
		if (it.major == CBOR_MAP)
			items *= 2;
		for (uint64_t i = 0; i < items; i++)
			if (skip_depth(d, depth + 1))
				return -EBADMSG;
		return 0;
	}
	case CBOR_TAG:
		return skip_depth(d, depth + 1);
	default:
		return 0;
	}
}

int cbor_skip(struct cbor_dec *d) { return skip_depth(d, 0); }

int cbor_expect(struct cbor_dec *d, enum cbor_major major, const char *what, struct cbor_item *it)
{
	if (cbor_next(d, it))
		return -EBADMSG;
	if (it->major != major)
		return cbor_fail(d, it->off, "expected %s (%s), found %s", what, major_names[major],
				 major_names[it->major]);
	return 0;
}
