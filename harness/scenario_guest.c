/* `guest NAME [ram=] [tick=] [attest=] [challenge=] [trap_wfi=] [pool=]
 * [vcpus=] [smp_work=]` and
 * the workload lines `NAME.op KIND key=value...` (docs/scenarios.md). */
#include <string.h>

#include "harness/scenario_priv.h"
#include "models/monitor/rmm/rmm.h"
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

void scn_guest_free(struct scn_guest *g)
{
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

int scn_st_guest(struct parser *p, GArray *t)
{
	struct tok *k = t->len >= 2 ? &g_array_index(t, struct tok, 1) : NULL;
	if (!k || k->key || k->quoted || !scn_is_ident(k->s) || strchr(k->s, '.'))
		return scn_perr(p, 1, "expected: guest NAME [ram=SIZE] [tick=CYCLES] [attest=0|1] "
			    "[challenge=BYTES] [trap_wfi=0|1] [pool=PA] [vcpus=N] [smp_work=CYCLES]");
	if (scn_guest_find(p, k->s) || strcmp(k->s, "host") == 0 || strcmp(k->s, "phys") == 0 ||
	    strcmp(k->s, "dev") == 0 || strcmp(k->s, "outcome") == 0 ||
	    strcmp(k->s, "verifier") == 0)
		return scn_perr(p, k->col, "name \"%s\" already exists", k->s);
	for (guint i = 0; i < p->vms->len; i++)
		if (strcmp(g_array_index(p->vms, struct scn_vm, i).name, k->s) == 0)
			return scn_perr(p, k->col, "name \"%s\" already exists", k->s);
	struct scn_guest g = { .name = g_strdup(k->s), .file = p->file, .line = p->line,
			       .ram = GUEST_MIN_RAM, .vcpus = 1,
			       .pool = HV_POOL_DEFAULT + p->guests->len * HV_POOL_SIZE };
	for (guint i = 2; i < t->len; i++) {
		struct tok *a = &g_array_index(t, struct tok, i);
		uint64_t v = 0;
		int rc = 0;
		if (!a->key) {
			rc = scn_perr(p, a->col, "guest %s: unexpected \"%s\" (arguments are key=value)",
				      g.name, a->s);
		} else if (strcmp(a->key, "challenge") == 0) {
			uint8_t *b;
			size_t n;
			rc = bytes_arg(p, a, &b, &n);
			if (rc == 0 && n > 64)
				rc = scn_perr(p, a->vcol, "challenge: at most 64 bytes, got %zu", n);
			if (rc == 0)
				memcpy(g.challenge, b, n);
			if (rc == 0 || n > 64)
				g_free(b);
		} else if (strcmp(a->key, "ram") && strcmp(a->key, "tick") && strcmp(a->key, "attest") &&
			   strcmp(a->key, "trap_wfi") && strcmp(a->key, "pool") &&
			   strcmp(a->key, "vcpus") && strcmp(a->key, "smp_work")) {
			rc = scn_perr(p, a->col, "guest %s takes no argument \"%s\" (ram, tick, attest, "
				      "challenge, trap_wfi, pool, vcpus, smp_work)", g.name, a->key);
		} else if ((rc = num_arg(p, a, &v)) == 0) {
			if (strcmp(a->key, "ram") == 0) {
				if (v < GUEST_MIN_RAM || v % 4096 || v > HV_POOL_SIZE / 2)
					rc = scn_perr(p, a->vcol, "ram: 4 KiB pages from %llu to %llu bytes",
						      (unsigned long long)GUEST_MIN_RAM,
						      (unsigned long long)HV_POOL_SIZE / 2);
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
	g_array_append_val(p->guests, g);
	return 0;
}

struct op_spec {
	const char *name;
	enum guest_op_kind kind;
	const char *a, *b;   /* numeric argument names (NULL: none) */
	bool data;
};

static const struct op_spec op_specs[] = {
	{ "work", GOP_WORK, "cycles", NULL, false },
	{ "store", GOP_STORE, "ipa", NULL, true },
	{ "load", GOP_LOAD, "ipa", "len", false },
	{ "loop", GOP_LOOP, "n", NULL, false },
	{ "end", GOP_END, NULL, NULL, false },
	{ "wfi", GOP_WFI, NULL, NULL, false },
	{ "mmio_write", GOP_MMIO_WRITE, "reg", "value", false },
	{ "mmio_read", GOP_MMIO_READ, "reg", NULL, false },
	{ "host_call", GOP_HOST_CALL, "imm", NULL, false },
	{ "send", GOP_SEND, NULL, NULL, true },
	{ "extend", GOP_EXTEND, "rem", NULL, true },
	{ "regs", GOP_REGS, "n", NULL, false },
};

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

static void rsi_names(char *buf, size_t len)
{
	const struct rsi_cmd *c;
	size_t n = rsi_cmds(&c), k = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? ", " : "", c[i].name);
}

/* `NAME.op rsi COMMAND [arg=N...] [-> CAPTURE]`: an RSI command by name,
 * its arguments by the names of DEN0137 B4.3 (absent ones are 0), its
 * output registers reported; `NAME.op smc fid=N [x1..x10=N] [results=N]
 * [-> CAPTURE]`: any function id, X0..X(results-1) reported (4 unless
 * given). */
static int call_op(struct parser *p, GArray *t, struct scn_guest *g, const struct tok *k)
{
	bool rsi = strcmp(k->s, "rsi") == 0;
	const struct rsi_cmd *cmd = NULL;
	uint64_t x[GUEST_CALL_MAX_ARGS] = { 0 };
	unsigned nargs = 0;
	struct guest_op o = { .kind = GOP_CALL, .b = 4 };
	bool have_fid = rsi;
	unsigned given = 0; /* smc: registers up to the last one written */
	char *capture = NULL;
	guint i = 2;
	if (rsi) {
		const struct tok *n = t->len > 2 ? &g_array_index(t, struct tok, 2) : NULL;
		cmd = n && !n->key && !n->quoted ? rsi_cmd_by_name(n->s) : NULL;
		if (!cmd) {
			char names[256];
			rsi_names(names, sizeof(names));
			return scn_perr(p, n ? n->col : k->col, "%s.op rsi: expected a command (%s)",
					g->name, names);
		}
		o.a = cmd->fid;
		o.b = cmd->results;
		nargs = cmd->arity;
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
		int slot = -1;
		uint64_t v;
		for (unsigned j = 0; rsi && j < cmd->arity; j++)
			if (strcmp(cmd->args[j], a->key) == 0)
				slot = (int)j;
		if (!rsi && a->key[0] == 'x' && scn_parse_number(a->key + 1, &v) == 0 && v >= 1 &&
		    v <= GUEST_CALL_MAX_ARGS)
			slot = (int)v - 1;
		bool fid = !rsi && strcmp(a->key, "fid") == 0;
		bool results = !rsi && strcmp(a->key, "results") == 0;
		if (slot < 0 && !fid && !results) {
			if (rsi) {
				GString *names = g_string_new(NULL);
				for (unsigned j = 0; j < cmd->arity; j++)
					g_string_append_printf(names, "%s%s", j ? ", " : "", cmd->args[j]);
				int rc = scn_perr(p, a->col, "%s.op rsi %s takes no argument \"%s\" (%s)",
						  g->name, cmd->name, a->key,
						  cmd->arity ? names->str : "none");
				g_string_free(names, TRUE);
				return rc;
			}
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
	/* rsi: every argument register, smc: up to the last one given */
	unsigned used = rsi ? nargs : given;
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
	if (k && !k->key && !k->quoted && (strcmp(k->s, "rsi") == 0 || strcmp(k->s, "smc") == 0))
		return call_op(p, t, g, k);
	for (size_t i = 0; k && !k->key && i < G_N_ELEMENTS(op_specs); i++)
		if (strcmp(op_specs[i].name, k->s) == 0)
			os = &op_specs[i];
	if (!os)
		return scn_perr(p, k ? k->col : 1, "%s.op: expected an op (work, store, load, loop, "
			    "end, wfi, mmio_write, mmio_read, host_call, send, extend, regs, rsi, smc)", g->name);
	struct guest_op o = { .kind = os->kind, .b = os->kind == GOP_LOAD ? 8 : 0 };
	bool have_a = false, have_data = false;
	int rc = 0;
	char *capture = NULL;
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
		if (!a->key)
			rc = scn_perr(p, a->col, "%s.op %s: unexpected \"%s\"", g->name, os->name, a->s);
		else if (os->a && strcmp(a->key, os->a) == 0) {
			rc = num_arg(p, a, &o.a);
			have_a = true;
		} else if (os->b && strcmp(a->key, os->b) == 0)
			rc = num_arg(p, a, &o.b);
		else if (os->data && strcmp(a->key, "data") == 0) {
			uint8_t *b = NULL;
			rc = bytes_arg(p, a, &b, &o.len);
			o.data = b;
			have_data = rc == 0;
		} else
			rc = scn_perr(p, a->col, "%s.op %s takes no argument \"%s\"", g->name, os->name,
				      a->key);
	}
	if (rc == 0 && os->a && !have_a)
		rc = scn_perr(p, k->col, "%s.op %s needs %s=NUMBER", g->name, os->name, os->a);
	if (rc == 0 && os->data && !have_data)
		rc = scn_perr(p, k->col, "%s.op %s needs data=BYTES", g->name, os->name);
	if (rc == 0 && (os->kind == GOP_MMIO_WRITE || os->kind == GOP_MMIO_READ) &&
	    (o.a % 8 || o.a >= 4096))
		rc = scn_perr(p, k->col, "%s.op %s: reg is an 8-byte aligned offset below 4096", g->name,
			      os->name);
	if (rc == 0 && os->kind == GOP_LOOP && (o.a == 0 || o.a > 1u << 30))
		rc = scn_perr(p, k->col, "%s.op loop: n from 1 to 2^30", g->name);
	if (rc == 0 && os->kind == GOP_REGS && (o.a < 1 || o.a > GUEST_CALL_MAX_RESULTS))
		rc = scn_perr(p, k->col, "%s.op regs: n from 1 to %d", g->name, GUEST_CALL_MAX_RESULTS);
	if (rc) {
		g_free((uint8_t *)o.data);
		g_free(capture);
		return rc;
	}
	add_op(p, g, &o, k->col, capture);
	return 0;
}

int scn_guests_check(struct parser *p)
{
	for (guint i = 0; i < p->guests->len; i++) {
		struct scn_guest *g = &g_array_index(p->guests, struct scn_guest, i);
		/* as a realm: the stricter build (it also checks RSI-only ops) */
		struct guest_kernel_config kc = { .realm = true, .ram_size = g->ram, .vcpus = g->vcpus, .ops = g->ops,
						  .nops = g->nops };
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
