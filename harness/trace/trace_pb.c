/* Protocol-buffer encodings for the Perfetto export; see trace_pb.h. */
#include "harness/trace/trace_pb.h"

#include <string.h>

void pb_varint(GByteArray *b, uint64_t v)
{
	uint8_t out[10];
	guint n = 0;
	do {
		out[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			out[n] |= 0x80;
		n++;
	} while (v);
	g_byte_array_append(b, out, n);
}

void pb_tag(GByteArray *b, unsigned field, enum pb_wire wire)
{
	pb_varint(b, (uint64_t)field << 3 | (unsigned)wire);
}

void pb_uint(GByteArray *b, unsigned field, uint64_t v)
{
	pb_tag(b, field, PB_VARINT);
	pb_varint(b, v);
}

void pb_bytes(GByteArray *b, unsigned field, const void *p, size_t n)
{
	pb_tag(b, field, PB_LEN);
	pb_varint(b, n);
	if (n)
		g_byte_array_append(b, p, (guint)n);
}

void pb_str(GByteArray *b, unsigned field, const char *s)
{
	pb_bytes(b, field, s, strlen(s));
}

void pb_msg(GByteArray *b, unsigned field, const GByteArray *m)
{
	pb_bytes(b, field, m->data, m->len);
}
