/* A small CBOR (RFC 8949) encoder and bounds-checked pull decoder: integers,
 * byte and text strings, arrays, maps, tags and simple values. The encoder
 * always writes the shortest argument (RFC 8949 §4.2.1 "preferred" lengths);
 * callers emit map keys in sorted order for deterministic encoding. */
#ifndef CCSIM_MODELS_MONITOR_ATTEST_CBOR_H
#define CCSIM_MODELS_MONITOR_ATTEST_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 8949 §3.1 major types. */
enum cbor_major {
	CBOR_UINT = 0,
	CBOR_NINT = 1,   /* value is -1 - arg */
	CBOR_BYTES = 2,
	CBOR_TEXT = 3,
	CBOR_ARRAY = 4,
	CBOR_MAP = 5,
	CBOR_TAG = 6,
	CBOR_SIMPLE = 7, /* false/true/null/undefined, simple(n), floats */
};

/* ---- encoder: a growable buffer; allocation failure aborts (like glib). ---- */
struct cbor_enc {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void cbor_enc_init(struct cbor_enc *e);
void cbor_enc_free(struct cbor_enc *e);
/* Hand the bytes to the caller (free() them); the encoder is left empty. */
uint8_t *cbor_enc_take(struct cbor_enc *e, size_t *len);

/* The head of an item: major type + argument, shortest form. */
void cbor_put_head(struct cbor_enc *e, enum cbor_major major, uint64_t arg);
void cbor_put_uint(struct cbor_enc *e, uint64_t v);
void cbor_put_int(struct cbor_enc *e, int64_t v);
void cbor_put_bytes(struct cbor_enc *e, const void *p, size_t n);
void cbor_put_text(struct cbor_enc *e, const char *s);
void cbor_put_text_n(struct cbor_enc *e, const char *s, size_t n);
/* Arrays and maps: the head; the caller then writes n items (2n for maps). */
void cbor_put_array(struct cbor_enc *e, uint64_t n);
void cbor_put_map(struct cbor_enc *e, uint64_t npairs);
void cbor_put_tag(struct cbor_enc *e, uint64_t tag);
void cbor_put_bool(struct cbor_enc *e, bool v);
void cbor_put_null(struct cbor_enc *e);
/* Already-encoded CBOR bytes, copied as they are. */
void cbor_put_raw(struct cbor_enc *e, const void *p, size_t n);

/* ---- decoder ---- */
#define CBOR_MAX_DEPTH 16

/* One decoded head. For strings `data`/`arg` are the contents and length (the
 * decoder has moved past them); for arrays and maps `arg` is the number of
 * items/pairs that follow; for tags the tag number; for simple values the
 * simple value (20 false, 21 true, 22 null) or the raw float bits. */
struct cbor_item {
	enum cbor_major major;
	uint64_t arg;
	const uint8_t *data;
	size_t off;      /* offset of the head, including the decoder's base */
};

/* A decoder fails sticky: after the first error every call returns -EBADMSG
 * and `err`/`err_off` describe the first problem. `base` is added to every
 * reported offset, so a decoder over a nested byte string reports offsets in
 * the enclosing file. */
struct cbor_dec {
	const uint8_t *p;
	size_t len;
	size_t pos;
	size_t base;
	bool failed;
	size_t err_off;
	char err[96];
};

void cbor_dec_init(struct cbor_dec *d, const uint8_t *p, size_t len, size_t base);
/* Read the next head (and a string's contents). 0 or -EBADMSG. */
int __attribute__((warn_unused_result)) cbor_next(struct cbor_dec *d, struct cbor_item *it);
/* Skip one whole item (nested contents included). */
int __attribute__((warn_unused_result)) cbor_skip(struct cbor_dec *d);
/* Read the next item and require its major type; for UINT/NINT/TAG/SIMPLE
 * and containers `what` names the expected item in the error message. */
int __attribute__((warn_unused_result)) cbor_expect(struct cbor_dec *d, enum cbor_major major,
						    const char *what, struct cbor_item *it);
/* Record an error at `off` (absolute, base included); returns -EBADMSG. */
int cbor_fail(struct cbor_dec *d, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline bool cbor_at_end(const struct cbor_dec *d) { return d->pos == d->len; }
/* Absolute offset of the next unread byte. */
static inline size_t cbor_offset(const struct cbor_dec *d) { return d->base + d->pos; }

#endif
