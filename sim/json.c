/* JSON output helpers; see json.h. */
#include "sim/json.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) { /* UTF-8 passes; a byte that is not becomes U+FFFD */
			const gchar *q = (const gchar *)p;
			gsize left = strlen(q);
			gunichar c = g_utf8_get_char_validated(q, (gssize)MIN(left, 4));
			if (c == (gunichar)-1 || c == (gunichar)-2) {
				fputs("\\ufffd", f);
				continue;
			}
			size_t n = (size_t)(g_utf8_next_char(q) - q);
			fwrite(p, 1, n, f);
			p += n - 1;
			continue;
		}
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_bytes(FILE *f, const uint8_t *p, size_t n)
{
	bool text = true;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			text = false;
	fputc('"', f);
	if (text) {
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '"' || p[i] == '\\')
				fputc('\\', f);
			fputc(p[i], f);
		}
	} else {
		fputs("hex:", f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%02x", p[i]);
	}
	fputc('"', f);
}
