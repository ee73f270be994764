/* Internals of the scenario parser shared by its parts: the lexer
 * (scenario_lex.c: tokens, values, ${param} expansion) and the statements
 * (scenario.c, scenario_expect.c). Not for use outside harness/lang/scenario*.c. */
#ifndef CCSIM_HARNESS_LANG_SCENARIO_PRIV_H
#define CCSIM_HARNESS_LANG_SCENARIO_PRIV_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/lang/scenario.h"

struct tok {
	char *key;    /* key=value form: the key, else NULL */
	char *s;      /* decoded text (value part) */
	size_t len;   /* bytes in s (quoted strings may hold NUL via \x00) */
	bool quoted;
	int col;      /* 1-based column of the token */
	int vcol;     /* column of the value part */
};

/* A `loop` block not yet closed by its `until`. */
struct scn_open_loop {
	size_t first;      /* index of its first step */
	uint64_t max;
	char *capture;     /* -> NAME on the loop line, or NULL */
	const char *file;
	int line, col;
};

struct parser {
	struct scenario *sc;
	GArray *loops;     /* struct scn_open_loop, innermost last */
	GArray *steps, *expects, *vms, *secrets, *params, *guests;
	GPtrArray *profiles;
	char **overrides;
	size_t noverrides;
	bool *override_used;
	char *err;
	size_t errlen;
	const char *file;
	int line;
	const char *profile;  /* read for this profile (NULL: the first declared) */
	uint64_t lines_read;  /* over every included file: bounded by SCN_MAX_LINES */
};

/* Limits on what a scenario may make the parser do (docs/scenarios.md):
 * params that expand into params, includes that include many times. */
#define SCN_MAX_EXPANDED (64u << 10) /* bytes of one line after ${param} expansion */
#define SCN_MAX_LINES 1000000u       /* lines read, includes counted each time */

/* "file:line:col: message" into p->err; returns -1. */
__attribute__((format(printf, 3, 4)))
int scn_perr(struct parser *p, int col, const char *fmt, ...);
bool scn_is_ident(const char *s);
/* Split a line into tokens (words, "strings", key=value); -1 on error. */
int scn_tokenize(struct parser *p, const char *line, GArray **out);
void scn_toks_free(GArray *toks);
/* Decimal, 0x hex, '_' separators, K/M/G suffixes; -1 if not a number. */
int scn_parse_number(const char *s, uint64_t *out);
int scn_parse_value(struct parser *p, const struct tok *t, struct scn_value *v);
void scn_value_free(struct scn_value *v);
/* $NAME.FIELD as a term: NAME the capture, FIELD a numeric one; -1 if not. */
int scn_term_ref(struct parser *p, const char *name, int col, struct scn_term *term);
const char *scn_param_value(struct parser *p, const char *name);
/* The line with every ${param} replaced (g_free it), or NULL with an error. */
char *scn_expand(struct parser *p, const char *line);

/* Declared so far (scenario.c): a secret, a capture (a step's or a guest
 * call op's), a profile of the profiles line matching a name or glob. */
bool scn_secret_declared(struct parser *p, const char *name);
bool scn_capture_declared(struct parser *p, const char *name);
bool scn_profiles_match(struct parser *p, const char *pattern);

/* scenario_expect.c: `expect ...` into e, and expect[P,Q]'s profiles. */
int scn_st_expect(struct parser *p, GArray *t, struct scn_expect *e);
void scn_expect_clear(struct scn_expect *e);
/* `loop N [-> NAME]` and `until COND` (scenario_loop.c); scn_loops_check at
 * the end of the scenario: every loop closed. */
int scn_st_loop(struct parser *p, GArray *t);
int scn_st_until(struct parser *p, GArray *t, const char *text);
int scn_loops_check(struct parser *p);
void scn_loops_free(struct parser *p);
int scn_expect_group(struct parser *p, const struct tok *head, struct scn_expect *e);

/* scenario_guest.c: `guest NAME ...` and `NAME.op KIND ...` */
int scn_st_guest(struct parser *p, GArray *t);
struct scn_guest *scn_guest_find(struct parser *p, const char *name);
int scn_st_guest_op(struct parser *p, GArray *t, struct scn_guest *g);
void scn_guest_free(struct scn_guest *g);
/* After the whole file is read: every guest's program assembles (loops
 * closed, addresses in its RAM); an error names the op's line. */
int scn_guests_check(struct parser *p);
bool scn_secret_bytes(struct parser *p, const char *name, const uint8_t **b, size_t *len);

#endif
