/* Growable byte buffer and bounds-checked reader, little-endian on every host.
 * Used by snapshots and the binary trace so their bytes do not depend on the
 * host's endianness or struct layout. */
#ifndef CCSIM_SIM_BUF_H
#define CCSIM_SIM_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim/model.h"

struct sim_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void sim_buf_init(struct sim_buf *b);
void sim_buf_free(struct sim_buf *b);
void sim_buf_put(struct sim_buf *b, const void *p, size_t n);
void sim_buf_put_u8(struct sim_buf *b, uint8_t v);
void sim_buf_put_u16(struct sim_buf *b, uint16_t v);
void sim_buf_put_u32(struct sim_buf *b, uint32_t v);
void sim_buf_put_u64(struct sim_buf *b, uint64_t v);
/* A length-prefixed (u32) string. */
void sim_buf_put_str(struct sim_buf *b, const char *s);

/* The values of one field table entry of the struct at `base`: its
 * `count` elements, each `size` bytes little-endian (what a snapshot holds
 * of a field, and a monitor's state blob of its counters). */
void sim_buf_put_field(struct sim_buf *b, const void *base, const struct sim_field *f);

/* A reader fails sticky: after the first short read every get returns 0 and
 * `failed` stays set, so callers check once at the end. */
struct sim_reader {
	const uint8_t *data;
	size_t len;
	size_t pos;
	bool failed;
};

void sim_reader_init(struct sim_reader *r, const uint8_t *data, size_t len);
bool sim_reader_get(struct sim_reader *r, void *p, size_t n);
uint8_t sim_reader_u8(struct sim_reader *r);
uint16_t sim_reader_u16(struct sim_reader *r);
uint32_t sim_reader_u32(struct sim_reader *r);
uint64_t sim_reader_u64(struct sim_reader *r);
/* Copies at most cap-1 bytes and NUL-terminates; fails if longer. */
bool sim_reader_str(struct sim_reader *r, char *out, size_t cap);
/* Back into the struct at `base`: what sim_buf_put_field wrote. */
void sim_reader_field(struct sim_reader *r, void *base, const struct sim_field *f);

static inline void sim_le64_store(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &v, 8);
#else
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
#endif
}
static inline uint64_t sim_le64_load(const uint8_t *p)
{
	uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&v, p, 8);
#else
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
#endif
	return v;
}
static inline void sim_le32_store(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t sim_le32_load(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
