/* Memory traces: valgrind lackey text and ccsim's binary records, and
 * their compilation into what the guest's replay loop walks (memtrace.h). */
#include "harness/memtrace/memtrace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ADDR_MASK ((1ull << 52) - 1)

/* Appends records, applying the window: accesses before `skip` are
 * dropped with their instructions; after `limit`, reading stops. */
struct sink {
	GArray *words;
	const struct memtrace_window *w;
	uint64_t seen, kept, pending; /* accesses seen, kept; instructions since the last */
	bool full;
};

static unsigned log2_up(uint64_t n)
{
	unsigned l = 0;
	while ((1ull << l) < n)
		l++;
	return l;
}

static void put(struct sink *s, uint64_t w) { g_array_append_val(s->words, w); }

/* Instructions pending, saturating: a record's count holds 52 bits, and
 * records of (nearly) 2^52 each may follow one another. */
static void sink_insns(struct sink *s, uint64_t n)
{
	s->pending = s->pending > UINT64_MAX - n ? UINT64_MAX : s->pending + n;
}

/* The pending instructions as kind-3 records of at most ADDR_MASK each. */
static void put_insns(struct sink *s, uint64_t n)
{
	for (; n > ADDR_MASK; n -= ADDR_MASK)
		put(s, MT_INSNS | ADDR_MASK << 12);
	put(s, MT_INSNS | n << 12);
}

/* One access of `size` bytes: as pieces of 64, 32, ... 1 bytes (a 10-byte
 * x87 load is an 8- and a 2-byte one). */
static void sink_access(struct sink *s, unsigned kind, uint64_t addr, uint64_t size)
{
	if (s->full)
		return;
	if (++s->seen <= s->w->skip) {
		s->pending = 0;
		return;
	}
	uint64_t gap = s->pending;
	s->pending = 0;
	if (gap > MEMTRACE_GAP_MAX) {
		put_insns(s, gap);
		gap = 0;
	}
	for (uint64_t off = 0; off < size;) { /* power-of-two pieces of up to 64 bytes */
		uint64_t n = 64;
		while (n > size - off)
			n /= 2;
		put(s, kind | (uint64_t)log2_up(n) << 2 | gap << 5 | ((addr + off) & ADDR_MASK) << 12);
		gap = 0;
		off += n;
	}
	if (s->w->limit && ++s->kept == s->w->limit)
		s->full = true;
}

static void sink_end(struct sink *s)
{
	if (!s->full && s->pending)
		put_insns(s, s->pending);
	s->pending = 0;
}

static bool too_many(const struct sink *s, const char *name, char *err, size_t errlen)
{
	if (s->words->len <= MEMTRACE_MAX_RECORDS)
		return false;
	snprintf(err, errlen, "%s: more than %llu records (use a window: skip / limit)", name,
		 (unsigned long long)MEMTRACE_MAX_RECORDS);
	return true;
}

/* ---- lackey text ---- */

/* "I  04016d0,3" / " L 1ffefffd58,8" / " S ..." / " M ...": returns the
 * kind (MT_INSNS for I), or -1. */
static int lackey_line(const char *l, uint64_t *addr, uint64_t *size)
{
	int kind;
	if (l[0] == 'I' && l[1] == ' ' && l[2] == ' ')
		kind = MT_INSNS;
	else if (l[0] == ' ' && (l[1] == 'L' || l[1] == 'S' || l[1] == 'M') && l[2] == ' ')
		kind = l[1] == 'L' ? MT_LOAD : l[1] == 'S' ? MT_STORE : MT_MODIFY;
	else
		return -1;
	const char *p = l + 3;
	if (!g_ascii_isxdigit(*p))
		return -1;
	char *e;
	errno = 0;
	*addr = strtoull(p, &e, 16);
	if (errno || *e != ',' || !g_ascii_isdigit(e[1]))
		return -1;
	p = e + 1;
	*size = strtoull(p, &e, 10);
	if (errno || (*e && *e != '\n' && *e != '\r') || *size == 0 || *size > 4096)
		return -1;
	return kind;
}

static int read_lackey(FILE *f, const char *prefix, size_t nprefix, const char *name,
		       struct sink *s, char *err, size_t errlen)
{
	GString *line = g_string_new(NULL);
	uint64_t lineno = 0;
	size_t ip = 0;
	int rc = 0, c = 0;
	while (!s->full && c != EOF) {
		g_string_truncate(line, 0);
		while ((c = ip < nprefix ? (unsigned char)prefix[ip++] : getc_unlocked(f)) != EOF &&
		       c != '\n') {
			if (line->len < 4096)
				g_string_append_c(line, (char)c);
		}
		if (c == EOF && line->len == 0)
			break;
		lineno++;
		const char *l = line->str;
		/* valgrind's own messages ("==PID== ...", "--PID-- ...", "**PID** ...") */
		if (l[0] == '\0' || l[0] == '\r' || (l[0] == '=' && l[1] == '=') ||
		    (l[0] == '-' && l[1] == '-') || (l[0] == '*' && l[1] == '*'))
			continue;
		uint64_t addr, size;
		int kind = lackey_line(l, &addr, &size);
		if (kind < 0) {
			snprintf(err, errlen, "%s:%" PRIu64 ": expected a lackey --trace-mem line "
				 "(\"I  ADDR,SIZE\", \" L|S|M ADDR,SIZE\", size 1 to 4096), got \"%.40s\"",
				 name, lineno, l);
			rc = -1;
			break;
		}
		if (kind == MT_INSNS)
			sink_insns(s, 1);
		else
			sink_access(s, (unsigned)kind, addr, size);
		if (too_many(s, name, err, errlen)) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", name, g_strerror(errno));
		rc = -1;
	}
	g_string_free(line, TRUE);
	return rc;
}

/* ---- the binary format ---- */

static uint64_t le64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int read_binary(FILE *f, const char *name, struct sink *s, char *err, size_t errlen)
{
	uint8_t b[8];
	if (fread(b, 1, 8, f) != 8) {
		snprintf(err, errlen, "%s: byte 8: truncated header (the record count)", name);
		return -1;
	}
	uint64_t n = le64(b);
	if (n > MEMTRACE_MAX_RECORDS) {
		snprintf(err, errlen, "%s: byte 8: %" PRIu64 " records, more than %llu", name, n,
			 (unsigned long long)MEMTRACE_MAX_RECORDS);
		return -1;
	}
	for (uint64_t i = 0; i < n && !s->full; i++) {
		uint64_t off = MEMTRACE_HEADER + 8 * i;
		if (fread(b, 1, 8, f) != 8) {
			snprintf(err, errlen, "%s: byte %" PRIu64 ": truncated: the header says %" PRIu64
				 " records, the file ends after %" PRIu64, name, off, n, i);
			return -1;
		}
		uint64_t w = le64(b);
		unsigned kind = memtrace_kind(w);
		if (kind == MT_INSNS) {
			if (w & 0xffc) {
				snprintf(err, errlen, "%s: byte %" PRIu64 ": an instruction record with "
					 "bits 2..11 set", name, off);
				return -1;
			}
			sink_insns(s, memtrace_addr(w));
			continue;
		}
		if (((w >> 2) & 7) > 6) {
			snprintf(err, errlen, "%s: byte %" PRIu64 ": access size 2^%u, more than 64",
				 name, off, (unsigned)((w >> 2) & 7));
			return -1;
		}
		sink_insns(s, memtrace_gap(w));
		sink_access(s, kind, memtrace_addr(w), memtrace_size(w));
	}
	if (!s->full && fread(b, 1, 1, f) == 1) {
		snprintf(err, errlen, "%s: byte %" PRIu64 ": data after the %" PRIu64 " records", name,
			 MEMTRACE_HEADER + 8 * n, n);
		return -1;
	}
	return 0;
}

int memtrace_read_stream(FILE *f, const char *name, const struct memtrace_window *w,
			 GArray **words, char *err, size_t errlen)
{
	struct memtrace_window all = { 0, 0 };
	struct sink s = { .words = g_array_new(FALSE, FALSE, sizeof(uint64_t)), .w = w ? w : &all };
	char magic[8];
	size_t got = fread(magic, 1, 8, f);
	int rc = got == 8 && memcmp(magic, MEMTRACE_MAGIC, 8) == 0
			 ? read_binary(f, name, &s, err, errlen)
			 : read_lackey(f, magic, got, name, &s, err, errlen);
	if (rc == 0)
		sink_end(&s);
	if (rc == 0 && s.seen <= s.w->skip) {
		snprintf(err, errlen, "%s: no memory accesses%s", name,
			 s.w->skip ? " after the skipped ones" : "");
		rc = -1;
	}
	if (rc) {
		g_array_free(s.words, TRUE);
		return -1;
	}
	*words = s.words;
	return 0;
}

int memtrace_read(const char *path, const struct memtrace_window *w, GArray **words, char *err,
		  size_t errlen)
{
	bool std = strcmp(path, "-") == 0;
	FILE *f = std ? stdin : fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, g_strerror(errno));
		return -1;
	}
	int rc = memtrace_read_stream(f, std ? "<stdin>" : path, w, words, err, errlen);
	if (!std)
		fclose(f);
	return rc;
}

int memtrace_write(FILE *f, const GArray *words)
{
	uint8_t b[8];
	if (fwrite(MEMTRACE_MAGIC, 1, 8, f) != 8)
		return -1;
	uint64_t n = words->len;
	for (guint i = 0; i <= words->len; i++) {
		uint64_t v = i == 0 ? n : g_array_index(words, uint64_t, i - 1);
		for (int k = 0; k < 8; k++)
			b[k] = (uint8_t)(v >> (8 * k));
		if (fwrite(b, 1, 8, f) != 8)
			return -1;
	}
	return 0;
}

/* A page's number, in the order the trace first touches pages. */
struct page_map {
	GHashTable *idx;
	uint64_t n;
};

static uint64_t page_of(struct page_map *m, uint64_t page)
{
	gpointer v;
	if (g_hash_table_lookup_extended(m->idx, &page, NULL, &v))
		return (uint64_t)(uintptr_t)v;
	uint64_t *k = g_new(uint64_t, 1);
	*k = page;
	g_hash_table_insert(m->idx, k, (gpointer)(uintptr_t)m->n);
	return m->n++;
}

void memtrace_summarise(const GArray *words, struct memtrace_info *out)
{
	memset(out, 0, sizeof(*out));
	struct page_map m = { g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL), 0 };
	for (guint i = 0; i < words->len; i++) {
		uint64_t w = g_array_index(words, uint64_t, i);
		out->records++;
		if (memtrace_kind(w) == MT_INSNS) {
			out->insns += memtrace_addr(w);
			continue;
		}
		out->insns += memtrace_gap(w);
		unsigned k = memtrace_kind(w);
		out->loads += k == MT_LOAD;
		out->stores += k == MT_STORE;
		out->modifies += k == MT_MODIFY;
		out->bytes += memtrace_size(w);
		uint64_t a = memtrace_addr(w);
		for (uint64_t p = a >> 12; p <= (a + memtrace_size(w) - 1) >> 12; p++)
			(void)page_of(&m, p);
	}
	out->pages = m.n;
	g_hash_table_destroy(m.idx);
}

int memtrace_compile(const GArray *words, uint64_t base, uint64_t max_words, uint8_t **out,
		     size_t *len, uint64_t *pages, char *err, size_t errlen)
{
	struct page_map m = { g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL), 0 };
	GByteArray *o = g_byte_array_new();
	int rc = 0;
	for (guint i = 0; i < words->len && rc == 0; i++) {
		uint64_t w = g_array_index(words, uint64_t, i);
		unsigned k = memtrace_kind(w);
		if (k == MT_INSNS)
			continue;
		uint64_t a = memtrace_addr(w), end = a + memtrace_size(w);
		for (uint64_t x = a & ~7ull; x < end && rc == 0; x += 8) {
			uint64_t ga = base + page_of(&m, x >> 12) * 4096 + (x & 0xff8);
			for (unsigned pass = 0; pass < (k == MT_MODIFY ? 2u : 1u); pass++) {
				uint64_t v = ga | (k == MT_STORE || pass == 1);
				uint8_t b[8];
				for (int j = 0; j < 8; j++)
					b[j] = (uint8_t)(v >> (8 * j));
				g_byte_array_append(o, b, 8);
			}
			if (o->len / 8 > max_words) {
				snprintf(err, errlen, "the trace compiles to more than %" PRIu64
					 " accesses of 8 bytes (use limit=)", max_words);
				rc = -1;
			}
		}
	}
	if (rc == 0 && o->len == 0) {
		snprintf(err, errlen, "the trace has no memory accesses");
		rc = -1;
	}
	*pages = m.n;
	g_hash_table_destroy(m.idx);
	if (rc) {
		g_byte_array_free(o, TRUE);
		return -1;
	}
	*len = o->len;
	*out = g_byte_array_free(o, FALSE);
	return 0;
}
