/* The few protocol-buffer encodings a Perfetto trace needs, written by hand
 * (protobuf.dev "Encoding"): varints, field tags, length-delimited fields.
 * A message is built in a GByteArray and nested into its parent as bytes. */
#ifndef CCSIM_HARNESS_TRACE_PB_H
#define CCSIM_HARNESS_TRACE_PB_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

/* Base-128 varint, least significant group first. */
void pb_varint(GByteArray *b, uint64_t v);
/* A field's key: field number << 3 | wire type, as a varint. */
void pb_tag(GByteArray *b, unsigned field, enum pb_wire wire);
/* uint64 / uint32 / enum / bool field. */
void pb_uint(GByteArray *b, unsigned field, uint64_t v);
/* bytes or a nested message: key, length, the bytes. */
void pb_bytes(GByteArray *b, unsigned field, const void *p, size_t n);
void pb_str(GByteArray *b, unsigned field, const char *s);
void pb_msg(GByteArray *b, unsigned field, const GByteArray *m);

#endif
