/* `guest NAME [ram=] [tick=] [attest=] [challenge=] [mkey=] [trap_wfi=] [pool=]
 * [vcpus=] [smp_work=]` and
 * the workload lines `NAME.op KIND key=value...` (docs/scenarios.md). */
#include <stddef.h>
#include <string.h>

#include "harness/memtrace/memtrace.h"
#include "harness/lang/scenario_priv.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/monitor/tdx/tdx_abi.h"
#include "sim/buf.h"
#include "stacks/host/hv.h"

struct scn_guest *scn_guest_find(struct parser *p, const char *name)
{
	size_t n = strcspn(name, ".");
	for (guint i = 0; i < p->guests->len; i++) {
		struct scn_guest *g = &g_array_index(p->guests, struct scn_guest, i);
		if (strlen(g->name) == n && strncmp(g->name, name, n) == 0)
			return g;
	}
	return NULL;
}

static int phase_index(struct scn_guest *g, const char *name, size_t n);

void scn_guest_free(struct scn_guest *g)
{
	g_strfreev(g->phases);
	for (size_t i = 0; i < g->nops; i++)
		g_free((uint8_t *)g->ops[i].data);
	g_free(g->ops);
	g_free(g->op_lines);
	g_free(g->op_cols);
	g_free(g->op_files);
	for (size_t i = 0; g->op_captures && i < g->nops; i++)
		g_free(g->op_captures[i]);
	g_free(g->op_captures);
	g_free(g->name);
}

static int num_arg(struct parser *p, const struct tok *a, uint64_t *v)
{
	if (a->quoted || scn_parse_number(a->s, v))
		return scn_perr(p, a->vcol, "%s: expected a number, got \"%s\"", a->key, a->s);
	return 0;
}

static int bytes_arg(struct parser *p, const struct tok *a, uint8_t **b, size_t *len)
{
	struct scn_value v = { 0 };
	if (scn_parse_value(p, a, &v))
		return -1;
	if (v.kind == SV_BYTES) {
		*b = v.bytes;
		*len = v.len;
		v.bytes = NULL;
		scn_value_free(&v);
		return 0;
	}
	const uint8_t *sb;
	if (v.kind == SV_REF && scn_secret_bytes(p, v.name, &sb, len)) {
		*b = g_memdup2(sb, *len);
		scn_value_free(&v);
		return 0;
	}
	scn_value_free(&v);
	return scn_perr(p, a->vcol, "%s: expected bytes (\"text\", hex:.., or a declared $secret)",
			a->key);
}

/* `replay trace=FILE`: read the trace (relative to the scenario's folder)
 * and compile it for the guest; the op's data becomes the compiled words. */
static int replay_load(struct parser *p, const struct scn_guest *g, struct guest_op *o, int col)
{
	if (!o->len || memchr(o->data, 0, o->len))
		return scn_perr(p, col, "%s.op replay: trace is a file name", g->name);
	char *name = g_strndup((const char *)o->data, o->len);
	char *path = g_path_is_absolute(name) ? g_strdup(name) : NULL;
	if (!path) {
		char *dir = g_path_get_dirname(p->file);
		path = g_build_filename(dir, name, NULL);
		g_free(dir);
	}
	struct memtrace_window w = { .skip = o->c, .limit = o->d };
	GArray *words = NULL;
	uint8_t *code = NULL;
	size_t len = 0;
	char msg[512];
	int rc = memtrace_read(path, &w, &words, msg, sizeof(msg)) ||
			 memtrace_compile(words, o->a, g->ram / 8, &code, &len, &o->e, msg, sizeof(msg))
		 ? scn_perr(p, col, "%s.op replay: %s", g->name, msg)
		 : 0;
	if (words)
		g_array_free(words, TRUE);
	g_free(path);
	g_free(name);
	g_free((uint8_t *)o->data);
	o->data = code;
	o->len = len;
	return rc;
}

int scn_st_guest(struct parser *p, GArray *t)
{
	struct tok *k = t->len >= 2 ? &g_array_index(t, struct tok, 1) : NULL;
	if (!k || k->key || k->quoted || !scn_is_ident(k->s) || strchr(k->s, '.'))
		return scn_perr(p, 1, "expected: guest NAME [ram=SIZE] [tick=CYCLES] [attest=0|1] "
			    "[challenge=BYTES] [mkey=BYTES] [trap_wfi=0|1] [pool=PA] [vcpus=N] "
			    "[smp_work=CYCLES]");
	if (scn_guest_find(p, k->s) || strcmp(k->s, "host") == 0 || strcmp(k->s, "phys") == 0 ||
	    strcmp(k->s, "dev") == 0 || strcmp(k->s, "outcome") == 0 ||
	    strcmp(k->s, "verifier") == 0)
		return scn_perr(p, k->col, "name \"%s\" already exists", k->s);
	for (guint i = 0; i < p->vms->len; i++)
		if (strcmp(g_array_index(p->vms, struct scn_vm, i).name, k->s) == 0)
			return scn_perr(p, k->col, "name \"%s\" already exists", k->s);
	struct scn_guest g = { .name = g_strdup(k->s), .file = p->file, .line = p->line,
			       .ram = GUEST_MIN_RAM, .vcpus = 1 };
	bool pool_given = false;
	for (guint i = 2; i < t->len; i++) {
		struct tok *a = &g_array_index(t, struct tok, i);
		uint64_t v = 0;
		int rc = 0;
		if (!a->key) {
			rc = scn_perr(p, a->col, "guest %s: unexpected \"%s\" (arguments are key=value)",
				      g.name, a->s);
		} else if (strcmp(a->key, "challenge") == 0 || strcmp(a->key, "mkey") == 0) {
			uint8_t *b = NULL; /* bytes_arg sets it only when it succeeds */
			size_t n = 0;
			rc = bytes_arg(p, a, &b, &n);
			if (rc == 0 && n > 64)
				rc = scn_perr(p, a->vcol, "%s: at most 64 bytes, got %zu", a->key, n);
			if (rc == 0 && n) /* challenge="" is all zeros, as no challenge is */
				memcpy(a->key[0] == 'c' ? g.challenge : g.mkey, b, n);
			g_free(b);
		} else if (strcmp(a->key, "ram") && strcmp(a->key, "tick") && strcmp(a->key, "attest") &&
			   strcmp(a->key, "trap_wfi") && strcmp(a->key, "pool") &&
			   strcmp(a->key, "vcpus") && strcmp(a->key, "smp_work")) {
			rc = scn_perr(p, a->col, "guest %s takes no argument \"%s\" (ram, tick, attest, "
				      "challenge, mkey, trap_wfi, pool, vcpus, smp_work)", g.name, a->key);
		} else if ((rc = num_arg(p, a, &v)) == 0) {
			if (strcmp(a->key, "ram") == 0) {
				if (v < GUEST_MIN_RAM || v % 4096 || v > HV_MAX_RAM)
					rc = scn_perr(p, a->vcol, "ram: 4 KiB pages from %llu to %llu bytes",
						      (unsigned long long)GUEST_MIN_RAM,
						      (unsigned long long)HV_MAX_RAM);
				g.ram = v;
			} else if (strcmp(a->key, "tick") == 0) {
				g.tick = v;
			} else if (strcmp(a->key, "smp_work") == 0) {
				g.smp_work = v;
			} else if (strcmp(a->key, "vcpus") == 0) {
				if (v < 1 || v > GUEST_MAX_VCPUS)
					rc = scn_perr(p, a->vcol, "vcpus: 1 to %d", GUEST_MAX_VCPUS);
				g.vcpus = v;
			} else if (strcmp(a->key, "pool") == 0) {
				if (v % 4096)
					rc = scn_perr(p, a->vcol, "pool: a 4 KiB aligned physical address");
				g.pool = v;
				pool_given = true;
			} else if (v > 1) {
				rc = scn_perr(p, a->vcol, "%s: 0 or 1", a->key);
			} else if (strcmp(a->key, "attest") == 0) {
				g.attest = v;
			} else {
				g.trap_wfi = v;
			}
		}
		if (rc) {
			scn_guest_free(&g);
			return rc;
		}
	}
	if (!pool_given) { /* after the earlier guests' host memory */
		g.pool = HV_POOL_DEFAULT;
		for (guint i = 0; i < p->guests->len; i++)
			g.pool += hv_pool_size(g_array_index(p->guests, struct scn_guest, i).ram);
	}
	(void)phase_index(&g, "boot", 4); /* the kernel's own phases come first */
	g_array_append_val(p->guests, g);
	return 0;
}

/* A workload op: up to five numeric arguments (into guest_op a..e), each
 * required or with a default, and maybe one bytes argument. */
struct op_arg {
	const char *name;   /* NULL: no more */
	bool required;
	uint64_t def;
};
struct op_spec {
	const char *name;
	enum guest_op_kind kind;
	struct op_arg args[5];
	const char *data;   /* the bytes argument's name, or NULL */
};

#define REQ(n) { n, true, 0 }
#define OPT(n, d) { n, false, d }
static const struct op_spec op_specs[] = {
	{ "work", GOP_WORK, { REQ("cycles") }, NULL },
	{ "store", GOP_STORE, { REQ("ipa") }, "data" },
	{ "load", GOP_LOAD, { REQ("ipa"), OPT("len", 8) }, NULL },
	{ "loop", GOP_LOOP, { REQ("n") }, NULL },
	{ "end", GOP_END, { { NULL } }, NULL },
	{ "wfi", GOP_WFI, { { NULL } }, NULL },
	{ "mmio_write", GOP_MMIO_WRITE, { REQ("reg"), OPT("value", 0) }, NULL },
	{ "mmio_read", GOP_MMIO_READ, { REQ("reg") }, NULL },
	{ "host_call", GOP_HOST_CALL, { REQ("imm") }, NULL },
	{ "send", GOP_SEND, { { NULL } }, "data" },
	{ "extend", GOP_EXTEND, { REQ("rem") }, "data" },
	{ "regs", GOP_REGS, { REQ("n") }, NULL },
	{ "stream_read", GOP_STREAM_READ,
	  { REQ("size"), OPT("stride", 64), OPT("base", GUEST_FREE), OPT("passes", 1) }, NULL },
	{ "stream_write", GOP_STREAM_WRITE,
	  { REQ("size"), OPT("stride", 64), OPT("base", GUEST_FREE), OPT("passes", 1) }, NULL },
	{ "copy", GOP_COPY, { REQ("size"), OPT("src", GUEST_FREE), OPT("dst", 0), OPT("passes", 1) },
	  NULL },
	{ "memcpy", GOP_MEMCPY,
	  { REQ("size"), OPT("src", GUEST_FREE), OPT("dst", 0), OPT("nt", 0), OPT("block", 0) }, NULL },
	{ "random", GOP_RANDOM, { REQ("size"), REQ("n"), OPT("base", GUEST_FREE), OPT("seed", 1) },
	  NULL },
	{ "chase", GOP_CHASE, { REQ("size"), REQ("n"), OPT("base", GUEST_FREE), OPT("step", 0) },
	  NULL },
	{ "touch", GOP_TOUCH, { REQ("size"), OPT("base", GUEST_FREE), OPT("stride", 4096) }, NULL },
	{ "cpuid", GOP_CPUID, { REQ("leaf"), OPT("sub", 0) }, NULL },
	{ "rdmsr", GOP_RDMSR, { REQ("msr") }, NULL },
	{ "wrmsr", GOP_WRMSR, { REQ("msr"), OPT("value", 0) }, NULL },
	{ "pio_in", GOP_PIO_IN, { REQ("port"), OPT("size", 1) }, NULL },
	{ "pio_out", GOP_PIO_OUT, { REQ("port"), OPT("value", 0), OPT("size", 1) }, NULL },
	{ "phase", GOP_PHASE, { { NULL } }, "name" },
	{ "blk_read", GOP_BLK_READ,
	  { OPT("n", 1), OPT("sector", 0), OPT("buf", GUEST_FREE), OPT("size", 4096), OPT("bounce", 2) },
	  NULL },
	{ "blk_write", GOP_BLK_WRITE,
	  { OPT("n", 1), OPT("sector", 0), OPT("buf", GUEST_FREE), OPT("size", 4096), OPT("bounce", 2) },
	  NULL },
	{ "net_send", GOP_NET_SEND,
	  { OPT("n", 1), OPT("buf", GUEST_FREE), OPT("size", 1500), OPT("bounce", 2) }, NULL },
	{ "replay", GOP_REPLAY,
	  { OPT("base", GUEST_FREE), OPT("passes", 1), OPT("skip", 0), OPT("limit", 0) }, "trace" },
	{ "net_recv", GOP_NET_RECV,
	  { OPT("n", 1), OPT("buf", GUEST_FREE), OPT("size", 1500), OPT("bounce", 2) }, NULL },
};
#undef REQ
#undef OPT

static uint64_t *op_field(struct guest_op *o, unsigned i)
{
	uint64_t *f[] = { &o->a, &o->b, &o->c, &o->d, &o->e };
	return f[i];
}

/* The op names, for messages. */
static void op_names(char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(op_specs) && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s, ", op_specs[i].name);
	if (k < len)
		snprintf(buf + k, len - k, "rsi, tdcall, smc");
}

/* The index of phase `name` among the guest's (added if new). */
static int phase_index(struct scn_guest *g, const char *name, size_t n)
{
	if (!g->phases) {
		static const char *const builtin[] = { "boot", "workload", "shutdown", "launch",
						       "teardown" };
		G_STATIC_ASSERT(G_N_ELEMENTS(builtin) == GUEST_PHASES_BUILTIN);
		g->phases = g_new0(char *, GUEST_PHASES_BUILTIN + 1);
		for (unsigned i = 0; i < GUEST_PHASES_BUILTIN; i++)
			g->phases[i] = g_strdup(builtin[i]);
		g->nphases = GUEST_PHASES_BUILTIN;
	}
	for (size_t i = 0; i < g->nphases; i++)
		if (strlen(g->phases[i]) == n && memcmp(g->phases[i], name, n) == 0)
			return (int)i;
	if (g->nphases >= GUEST_MAX_PHASES)
		return -1;
	g->phases = g_renew(char *, g->phases, g->nphases + 2);
	g->phases[g->nphases] = g_strndup(name, n);
	g->phases[++g->nphases] = NULL;
	return (int)g->nphases - 1;
}

static void add_op(struct parser *p, struct scn_guest *g, const struct guest_op *o, int col,
		   char *capture)
{
	g->ops = g_renew(struct guest_op, g->ops, g->nops + 1);
	g->op_lines = g_renew(int, g->op_lines, g->nops + 1);
	g->op_cols = g_renew(int, g->op_cols, g->nops + 1);
	g->op_files = g_renew(const char *, g->op_files, g->nops + 1);
	g->op_captures = g_renew(char *, g->op_captures, g->nops + 1);
	g->op_lines[g->nops] = p->line;
	g->op_cols[g->nops] = col;
	g->op_files[g->nops] = p->file;
	g->op_captures[g->nops] = capture;
	g->ops[g->nops++] = *o;
}

/* "a, b, c": the names of a table's n entries of `size` bytes, each
 * with its name at offset `at` (the RSI commands, the TDCALL leaves). */
static void table_names(char *buf, size_t len, const void *table, size_t n, size_t size,
			size_t at)
{
	size_t k = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && k < len; i++) {
		const char *name = *(const char *const *)((const char *)table + i * size + at);
		k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? ", " : "", name);
	}
}

/* A named call's arguments: names[j] is argument register j's (NULL: the
 * call does not read it). */
struct call_args {
	const char *what;           /* "rsi measurement_extend", "tdcall vp.info" */
	const char *const *names;
	unsigned n;
};

static int call_arg_slot(const struct call_args *c, const char *key)
{
	for (unsigned j = 0; j < c->n; j++)
		if (c->names[j] && strcmp(c->names[j], key) == 0)
			return (int)j;
	return -1;
}

static int call_arg_unknown(struct parser *p, const struct scn_guest *g, const struct call_args *c,
			    const struct tok *a)
{
	GString *names = g_string_new(NULL);
	for (unsigned j = 0; j < c->n; j++)
		if (c->names[j])
			g_string_append_printf(names, "%s%s", names->len ? ", " : "", c->names[j]);
	int rc = scn_perr(p, a->col, "%s.op %s takes no argument \"%s\" (%s)", g->name, c->what,
			  a->key, names->len ? names->str : "none");
	g_string_free(names, TRUE);
	return rc;
}

/* The command or leaf named after `rsi` / `tdcall`: o's function and
 * result count, and its arguments in *c. 0, or -1 with the error. */
static int call_named(struct parser *p, GArray *t, struct scn_guest *g, const struct tok *k,
		      struct guest_op *o, struct call_args *c, char *what, size_t wlen)
{
	const struct tok *n = t->len > 2 ? &g_array_index(t, struct tok, 2) : NULL;
	const char *s = n && !n->key && !n->quoted ? n->s : "";
	char names[256];
	bool rsi = strcmp(k->s, "rsi") == 0;
	const struct rsi_cmd *cmd = rsi ? rsi_cmd_by_name(s) : NULL, *cmds;
	const struct tdcall_leaf *l = rsi ? NULL : tdcall_leaf_by_name(s), *leaves;
	if (cmd) {
		o->a = cmd->fid;
		o->b = cmd->results;
		snprintf(what, wlen, "rsi %s", cmd->name);
		*c = (struct call_args){ what, cmd->args, cmd->arity };
		return 0;
	}
	if (l) {
		o->kind = GOP_TDCALL;
		o->a = l->leaf;
		o->b = GUEST_CALL_MAX_RESULTS;
		snprintf(what, wlen, "tdcall %s", l->name);
		*c = (struct call_args){ what, l->args, TDCALL_ARG_REGS };
		return 0;
	}
	size_t nall = rsi ? rsi_cmds(&cmds) : tdcall_leaves(&leaves);
	if (rsi)
		table_names(names, sizeof(names), cmds, nall, sizeof(*cmds),
			    offsetof(struct rsi_cmd, name));
	else
		table_names(names, sizeof(names), leaves, nall, sizeof(*leaves),
			    offsetof(struct tdcall_leaf, name));
	return scn_perr(p, n ? n->col : k->col, "%s.op %s: expected a %s (%s)", g->name, k->s,
			rsi ? "command" : "leaf", names);
}

/* `NAME.op rsi COMMAND [arg=N...] [-> CAPTURE]`: an RSI command by name,
 * its arguments by the names of DEN0137 B4.3 (absent ones are 0), its
 * output registers reported; `NAME.op tdcall LEAF [arg=N...] [-> CAPTURE]`
 * the same for a TD's TDCALL leaf (the TDX module's TDCALL table names
 * them), RAX, RCX, RDX, R8..R13 reported; `NAME.op smc fid=N
 * [x1..x10=N] [results=N] [-> CAPTURE]`: any function id,
 * X0..X(results-1) reported (4 unless given). */
static int call_op(struct parser *p, GArray *t, struct scn_guest *g, const struct tok *k)
{
	bool named = strcmp(k->s, "smc") != 0;
	struct call_args ca = { 0 };
	char what[64];
	uint64_t x[GUEST_CALL_MAX_ARGS] = { 0 };
	struct guest_op o = { .kind = GOP_CALL, .b = 4 };
	bool have_fid = named;
	unsigned given = 0; /* smc: registers up to the last one written */
	char *capture = NULL;
	guint i = 2;
	G_STATIC_ASSERT(TDCALL_ARG_REGS <= GUEST_CALL_MAX_ARGS);
	if (named) {
		if (call_named(p, t, g, k, &o, &ca, what, sizeof(what)))
			return -1;
		i = 3;
	}
	for (; i < t->len; i++) {
		const struct tok *a = &g_array_index(t, struct tok, i);
		if (!a->key && !a->quoted && strcmp(a->s, "->") == 0) {
			const struct tok *c = i + 1 < t->len ? &g_array_index(t, struct tok, i + 1) : NULL;
			if (!c || c->key || c->quoted || !scn_is_ident(c->s) || strchr(c->s, '.') ||
			    i + 2 != t->len)
				return scn_perr(p, a->col, "expected: -> NAME at the end of the op");
			capture = g_strdup(c->s);
			break;
		}
		if (!a->key)
			return scn_perr(p, a->col, "%s.op %s: unexpected \"%s\"", g->name, k->s, a->s);
		int slot = named ? call_arg_slot(&ca, a->key) : -1;
		uint64_t v;
		if (!named && a->key[0] == 'x' && scn_parse_number(a->key + 1, &v) == 0 && v >= 1 &&
		    v <= GUEST_CALL_MAX_ARGS)
			slot = (int)v - 1;
		bool fid = !named && strcmp(a->key, "fid") == 0;
		bool results = !named && strcmp(a->key, "results") == 0;
		if (slot < 0 && !fid && !results) {
			if (named)
				return call_arg_unknown(p, g, &ca, a);
			return scn_perr(p, a->col, "%s.op smc takes no argument \"%s\" (fid, x1..x%d, "
					"results)", g->name, a->key, GUEST_CALL_MAX_ARGS);
		}
		if (num_arg(p, a, &v))
			return -1;
		if (fid) {
			o.a = v;
			have_fid = true;
		} else if (results) {
			if (v < 1 || v > GUEST_CALL_MAX_RESULTS)
				return scn_perr(p, a->vcol, "results: 1 to %d", GUEST_CALL_MAX_RESULTS);
			o.b = v;
		} else {
			x[slot] = v;
			if ((unsigned)slot + 1 > given)
				given = (unsigned)slot + 1;
		}
	}
	if (!have_fid) {
		g_free(capture);
		return scn_perr(p, k->col, "%s.op smc needs fid=NUMBER", g->name);
	}
	/* rsi, tdcall: every argument register, smc: up to the last one given */
	unsigned used = named ? ca.n : given;
	uint8_t *data = g_malloc0(8 * (used ? used : 1));
	for (unsigned j = 0; j < used; j++)
		sim_le64_store(data + 8 * j, x[j]);
	o.data = data;
	o.len = 8 * used;
	add_op(p, g, &o, k->col, capture);
	return 0;
}

int scn_st_guest_op(struct parser *p, GArray *t, struct scn_guest *g)
{
	struct tok *k = t->len >= 2 ? &g_array_index(t, struct tok, 1) : NULL;
	const struct op_spec *os = NULL;
	if (k && !k->key && !k->quoted &&
	    (strcmp(k->s, "rsi") == 0 || strcmp(k->s, "smc") == 0 || strcmp(k->s, "tdcall") == 0))
		return call_op(p, t, g, k);
	for (size_t i = 0; k && !k->key && i < G_N_ELEMENTS(op_specs); i++)
		if (strcmp(op_specs[i].name, k->s) == 0)
			os = &op_specs[i];
	if (!os) {
		char names[512];
		op_names(names, sizeof(names));
		return scn_perr(p, k ? k->col : 1, "%s.op: expected an op (%s)", g->name, names);
	}
	struct guest_op o = { .kind = os->kind };
	bool given[5] = { false }, have_data = false;
	int rc = 0, data_col = k->col;
	char *capture = NULL;
	for (unsigned i = 0; i < 5 && os->args[i].name; i++)
		*op_field(&o, i) = os->args[i].def;
	for (guint i = 2; i < t->len && rc == 0; i++) {
		struct tok *a = &g_array_index(t, struct tok, i);
		if (os->kind == GOP_REGS && !a->key && !a->quoted && strcmp(a->s, "->") == 0) {
			const struct tok *c = i + 1 < t->len ? &g_array_index(t, struct tok, i + 1) : NULL;
			if (!c || c->key || c->quoted || !scn_is_ident(c->s) || strchr(c->s, '.') ||
			    i + 2 != t->len)
				rc = scn_perr(p, a->col, "expected: -> NAME at the end of the op");
			else
				capture = g_strdup(c->s);
			break;
		}
		if (!a->key) {
			rc = scn_perr(p, a->col, "%s.op %s: unexpected \"%s\"", g->name, os->name, a->s);
			break;
		}
		int slot = -1;
		for (unsigned j = 0; j < 5 && os->args[j].name; j++)
			if (strcmp(a->key, os->args[j].name) == 0)
				slot = (int)j;
		if (slot >= 0) {
			if (given[slot])
				rc = scn_perr(p, a->col, "%s.op %s: %s given twice", g->name, os->name,
					      a->key);
			else
				rc = num_arg(p, a, op_field(&o, (unsigned)slot));
			given[slot] = true;
		} else if (os->data && strcmp(a->key, os->data) == 0) {
			uint8_t *b = NULL;
			g_free((uint8_t *)o.data);
			rc = bytes_arg(p, a, &b, &o.len);
			o.data = b;
			have_data = rc == 0;
			data_col = a->vcol;
		} else {
			GString *names = g_string_new(NULL);
			for (unsigned j = 0; j < 5 && os->args[j].name; j++)
				g_string_append_printf(names, "%s%s", j ? ", " : "", os->args[j].name);
			if (os->data)
				g_string_append_printf(names, "%s%s", names->len ? ", " : "", os->data);
			rc = scn_perr(p, a->col, "%s.op %s takes no argument \"%s\" (%s)", g->name,
				      os->name, a->key, names->len ? names->str : "none");
			g_string_free(names, TRUE);
		}
	}
	for (unsigned j = 0; rc == 0 && j < 5 && os->args[j].name; j++)
		if (os->args[j].required && !given[j])
			rc = scn_perr(p, k->col, "%s.op %s needs %s=NUMBER", g->name, os->name,
				      os->args[j].name);
	if (rc == 0 && os->data && !have_data)
		rc = scn_perr(p, k->col, "%s.op %s needs %s=BYTES", g->name, os->name, os->data);
	if (rc == 0 && (os->kind == GOP_MMIO_WRITE || os->kind == GOP_MMIO_READ) &&
	    (o.a % 8 || o.a >= 4096))
		rc = scn_perr(p, k->col, "%s.op %s: reg is an 8-byte aligned offset below 4096", g->name,
			      os->name);
	if (rc == 0 && os->kind == GOP_LOOP && (o.a == 0 || o.a > 1u << 30))
		rc = scn_perr(p, k->col, "%s.op loop: n from 1 to 2^30", g->name);
	if (rc == 0 && os->kind == GOP_REGS && (o.a < 1 || o.a > GUEST_CALL_MAX_RESULTS))
		rc = scn_perr(p, k->col, "%s.op regs: n from 1 to %d", g->name, GUEST_CALL_MAX_RESULTS);
	if (rc == 0 && os->kind == GOP_PHASE) {
		bool ok = o.len > 0 && o.len <= 32;
		for (size_t j = 0; ok && j < o.len; j++)
			ok = g_ascii_isalnum(o.data[j]) || o.data[j] == '_' || o.data[j] == '-';
		int idx = ok ? phase_index(g, (const char *)o.data, o.len) : -1;
		if (!ok)
			rc = scn_perr(p, data_col, "%s.op phase: a name of 1 to 32 letters, digits, "
				      "_ or -", g->name);
		else if (idx < 0)
			rc = scn_perr(p, data_col, "%s.op phase: at most %d phases", g->name,
				      GUEST_MAX_PHASES);
		else
			o.a = (uint64_t)idx;
		g_free((uint8_t *)o.data);
		o.data = NULL;
		o.len = 0;
	}
	if (rc == 0 && os->kind == GOP_REPLAY)
		rc = replay_load(p, g, &o, data_col);
	if (rc) {
		g_free((uint8_t *)o.data);
		g_free(capture);
		return rc;
	}
	add_op(p, g, &o, k->col, capture);
	return 0;
}

/* Whether the scenario runs on a TDX profile (by name: `tdx` and its
 * variants), where a TD's stricter limits hold too. */
static bool runs_as_td(const struct parser *p)
{
	for (guint j = 0; j < p->profiles->len; j++)
		if (g_str_has_prefix(p->profiles->pdata[j], "tdx"))
			return true;
	return false;
}

int scn_guests_check(struct parser *p)
{
	for (guint i = 0; i < p->guests->len * 2; i++) {
		struct scn_guest *g = &g_array_index(p->guests, struct scn_guest, i / 2);
		/* as a realm: the stricter build (it also checks RSI-only ops);
		 * as a TD too on a TDX profile (a TD's RTMR takes less than a
		 * REM), one vCPU: more is refused when the TD is built */
		bool td = i % 2;
		if (td && !runs_as_td(p))
			continue;
		struct guest_kernel_config kc = { .realm = !td, .tdx = td, .ram_size = g->ram,
						  .vcpus = td ? 1 : g->vcpus, .ops = g->ops,
						  .nops = g->nops, .nphases = g->nphases };
		uint8_t *img;
		size_t len, bad;
		char msg[256];
		if (guest_kernel_build(&kc, &img, &len, msg, sizeof(msg), &bad) == 0) {
			g_free(img);
			continue;
		}
		if (bad < g->nops) {
			p->file = g->op_files[bad];
			p->line = g->op_lines[bad];
			return scn_perr(p, g->op_cols[bad], "%s: %s", g->name, msg);
		}
		p->file = g->file;
		p->line = g->line;
		return scn_perr(p, 1, "guest %s: %s", g->name, msg);
	}
	return 0;
}
