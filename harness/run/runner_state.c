/* Scenario runner: the runner's saved state (progress, results, captures,
 * outcome) and run checkpoints (a header naming the scenario and profile,
 * then the whole-simulation snapshot); see runner.h. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "harness/run/runner.h"
#include "harness/run/runner_priv.h"

#define RUN_CKPT_MAGIC "CCSIMRUN"
/* Run checkpoint formats, each still read (run_checkpoint_read upgrades):
 *   1  header + the sim's snapshot; mem saved no bus-interposer log
 *   2  + a SHA-256 trailer of everything before it; written both without
 *      the bus log (its first builds) and with it
 *   3  trailer and bus log; a step result's status one tagged code, its
 *      registers x1 and x2
 *   4  a result's raw status, its space, and every register the call
 *      returned
 *   5  a monitor's state is one record of the monitor interface (state
 *      "monitor" v1: each monitor's blob); before, the RMM's and the SEV
 *      firmware's counters were field tables "rmm" v5 and "sev" v1
 *      (machine_mon.c reads such a table as its blob's start)
 *   6  the current layout: the SEV-SNP firmware and the TDX module behind
 *      the monitor interface too. Format 5 kept the SNP firmware's counters
 *      as a field table "snp" v3 (read as its blob's start, as above) and
 *      the TDX module's single-step defence as a model of its own,
 *      "tdx_step" v1, whose record the module's slot adopts (sim.c
 *      adopt_record); the layouts are otherwise the same */
#define RUN_CKPT_FORMAT 6
#define RUN_CKPT_SUM 32

/* --- the runner's own saved state: progress, captures, outcome --- */

static const struct sim_field runner_fields[] = {
	SIM_FIELD(struct runner_model, next_step),
	SIM_FIELD(struct runner_model, steps_done),
	SIM_FIELD(struct runner_model, end_cycle),
};
const struct sim_vmstate run_model_vmstate = {
	"runner", 1, runner_fields, sizeof(runner_fields) / sizeof(runner_fields[0])
};

static void put_result(struct sim_buf *b, const struct step_result *r)
{
	sim_buf_put_u8(b, r->faulted);
	sim_buf_put_u16(b, r->fault);
	/* bit 0: has_status; above it the status space */
	sim_buf_put_u8(b, (uint8_t)(r->has_status | r->status_space << 1));
	sim_buf_put_u64(b, r->status);
	sim_buf_put_u8(b, r->nregs);
	for (unsigned k = 0; k < r->nregs; k++)
		sim_buf_put_u64(b, r->x[k]);
	sim_buf_put_u64(b, r->cycles);
	sim_buf_put_u64(b, r->len);
	sim_buf_put(b, r->bytes, r->len);
	sim_buf_put_u8(b, r->has_raw);
	if (r->has_raw) {
		sim_buf_put(b, r->raw.data, sizeof(r->raw.data));
		sim_buf_put_u64(b, r->raw.mac);
		sim_buf_put_u8(b, r->raw.owner);
		sim_buf_put_u8(b, r->raw.poisoned);
		sim_buf_put_u64(b, r->raw.counter);
	}
}

/* The status and registers as formats 1 to 3 saved them: the space in one
 * bit (TDX or not), the status a code tagged with its space
 * (steps_status_decode), x1 and x2, which stay the registers the result
 * returned (how many the call returned was not kept). */
static void get_status_x1x2(struct sim_reader *in, struct step_result *r, uint8_t hs)
{
	enum steps_status_space sp;
	r->has_status = hs & 1;
	steps_status_decode(sim_reader_u64(in), (hs >> 1) == STEPS_STATUS_TDX, &sp, &r->status);
	r->status_space = r->has_status ? (uint8_t)sp : 0;
	if (!r->has_status)
		r->status = 0;
	r->nregs = 2;
	r->x[0] = sim_reader_u64(in);
	r->x[1] = sim_reader_u64(in);
}

static void get_result(struct sim_reader *in, struct step_result *r, uint32_t layout)
{
	run_result_clear(r);
	r->faulted = sim_reader_u8(in);
	r->fault = sim_reader_u16(in);
	uint8_t hs = sim_reader_u8(in);
	if (layout & SIM_LAYOUT_RESULT_X1X2) {
		get_status_x1x2(in, r, hs);
	} else {
		r->has_status = hs & 1;
		r->status_space = hs >> 1;
		r->status = sim_reader_u64(in);
		r->nregs = sim_reader_u8(in);
		if (r->status_space >= STEPS_STATUS_SPACES || r->nregs > SCN_RESULT_REGS) {
			in->failed = true;
			return;
		}
		for (unsigned k = 0; k < r->nregs; k++)
			r->x[k] = sim_reader_u64(in);
	}
	r->cycles = sim_reader_u64(in);
	uint64_t len = sim_reader_u64(in);
	if (in->failed || len > in->len - in->pos) {
		in->failed = true;
		return;
	}
	r->len = (size_t)len;
	r->bytes = len ? g_malloc(len) : NULL;
	sim_reader_get(in, r->bytes, r->len);
	r->has_raw = sim_reader_u8(in);
	if (r->has_raw) {
		sim_reader_get(in, r->raw.data, sizeof(r->raw.data));
		r->raw.mac = sim_reader_u64(in);
		r->raw.owner = sim_reader_u8(in);
		r->raw.poisoned = sim_reader_u8(in);
		r->raw.counter = sim_reader_u64(in);
	}
}

static void put_outcome(struct sim_buf *b, const struct outcome *o)
{
	sim_buf_put_u8(b, o->leaked);
	sim_buf_put_u32(b, (uint32_t)o->leak_line);
	sim_buf_put_str(b, o->leak_secret);
	sim_buf_put_u8(b, o->corrupted);
	sim_buf_put_u32(b, (uint32_t)o->corrupt_line);
	sim_buf_put_u8(b, o->detected);
	sim_buf_put_u32(b, (uint32_t)o->detect_line);
	sim_buf_put_u8(b, o->blocked);
	sim_buf_put_u32(b, (uint32_t)o->block_line);
	sim_buf_put_str(b, o->block_mech);
}

static void get_outcome(struct sim_reader *in, struct outcome *o)
{
	o->leaked = sim_reader_u8(in);
	o->leak_line = (int)sim_reader_u32(in);
	sim_reader_str(in, o->leak_secret, sizeof(o->leak_secret));
	o->corrupted = sim_reader_u8(in);
	o->corrupt_line = (int)sim_reader_u32(in);
	o->detected = sim_reader_u8(in);
	o->detect_line = (int)sim_reader_u32(in);
	o->blocked = sim_reader_u8(in);
	o->block_line = (int)sim_reader_u32(in);
	sim_reader_str(in, o->block_mech, sizeof(o->block_mech));
}

static int runner_save(const struct sim_model *m, struct sim_buf *b)
{
	const struct run_ctx *rc = ((const struct runner_model *)m)->rc;
	put_outcome(b, &rc->out);
	sim_buf_put_u64(b, rc->sc->nsteps);
	for (size_t i = 0; i < rc->sc->nsteps; i++) {
		sim_buf_put_u8(b, rc->ran[i]);
		put_result(b, &rc->results[i]);
	}
	sim_buf_put_u32(b, rc->captures->len);
	for (guint i = 0; i < rc->captures->len; i++) {
		const struct capture *c = rc->captures->pdata[i];
		sim_buf_put_str(b, c->name);
		put_result(b, &c->r);
	}
	sim_buf_put_u32(b, rc->victim_writes->len);
	for (guint i = 0; i < rc->victim_writes->len; i++) {
		const struct victim_write *w = rc->victim_writes->pdata[i];
		gsize n;
		const uint8_t *d = g_bytes_get_data(w->data, &n);
		sim_buf_put_u32(b, w->vm);
		sim_buf_put_u64(b, w->addr);
		sim_buf_put_u64(b, n);
		sim_buf_put(b, d, n);
	}
	sim_buf_put_u32(b, rc->attacker_data->len);
	for (guint i = 0; i < rc->attacker_data->len; i++) {
		gsize n;
		const uint8_t *d = g_bytes_get_data(rc->attacker_data->pdata[i], &n);
		sim_buf_put_u64(b, n);
		sim_buf_put(b, d, n);
	}
	return 0;
}

void run_capture_free(gpointer p)
{
	struct capture *c = p;
	g_free(c->name);
	run_result_clear(&c->r);
	g_free(c);
}

static int runner_restore(struct sim_model *m, struct sim_reader *in)
{
	struct run_ctx *rc = ((struct runner_model *)m)->rc;
	char name[256];
	get_outcome(in, &rc->out);
	if (sim_reader_u64(in) != rc->sc->nsteps)
		return -EINVAL;
	for (size_t i = 0; i < rc->sc->nsteps && !in->failed; i++) {
		rc->ran[i] = sim_reader_u8(in);
		rc->vm_ran = rc->vm_ran || (rc->ran[i] && rc->sc->steps[i].spec->actor == ACTOR_VM);
		get_result(in, &rc->results[i], rc->sim.restore_layout);
	}
	uint32_t ncap = sim_reader_u32(in);
	for (uint32_t i = 0; i < ncap && !in->failed; i++) {
		struct capture *c = g_new0(struct capture, 1);
		sim_reader_str(in, name, sizeof(name));
		c->name = g_strdup(name);
		get_result(in, &c->r, rc->sim.restore_layout);
		g_ptr_array_add(rc->captures, c);
	}
	uint32_t nvw = sim_reader_u32(in);
	for (uint32_t i = 0; i < nvw && !in->failed; i++) {
		uint32_t vm = sim_reader_u32(in);
		uint64_t addr = sim_reader_u64(in), n = sim_reader_u64(in);
		if (in->failed || n > in->len - in->pos || vm >= rc->sc->nvms) {
			in->failed = true;
			break;
		}
		run_victim_write_add(rc, vm, addr, in->data + in->pos, n);
		in->pos += n;
	}
	uint32_t ndata = sim_reader_u32(in);
	for (uint32_t i = 0; i < ndata && !in->failed; i++) {
		uint64_t n = sim_reader_u64(in);
		if (n > in->len - in->pos) {
			in->failed = true;
			break;
		}
		g_ptr_array_add(rc->attacker_data, g_bytes_new(in->data + in->pos, n));
		in->pos += n;
	}
	return in->failed ? -EINVAL : 0;
}

const struct sim_model_ops run_model_ops = { .save_extra = runner_save,
						 .restore_extra = runner_restore };

/* --- checkpoints: header naming scenario + profile, then the snapshot --- */

static char *scenario_hash(const struct scenario *sc)
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	for (size_t i = 0; i < sc->nfiles; i++) {
		gchar *text = NULL;
		gsize n = 0;
		if (g_file_get_contents(sc->files[i], &text, &n, NULL))
			g_checksum_update(c, (const guchar *)text, n);
		g_free(text);
	}
	for (size_t i = 0; i < sc->nparams; i++) {
		g_checksum_update(c, (const guchar *)sc->params[i].name, strlen(sc->params[i].name) + 1);
		g_checksum_update(c, (const guchar *)sc->params[i].value, strlen(sc->params[i].value) + 1);
	}
	char *hex = g_strdup(g_checksum_get_string(c));
	g_checksum_free(c);
	return hex;
}

int run_checkpoint_write(struct run_ctx *rc, const char *path, char *err, size_t errlen)
{
	struct sim_buf b;
	sim_buf_init(&b);
	char *hash = scenario_hash(rc->sc);
	sim_buf_put(&b, RUN_CKPT_MAGIC, 8);
	sim_buf_put_u32(&b, RUN_CKPT_FORMAT);
	sim_buf_put_str(&b, CCSIM_VERSION);
	sim_buf_put_str(&b, hash);
	sim_buf_put_str(&b, rc->cfg.name);
	g_free(hash);
	int rc2 = sim_save(&rc->sim, &b);
	if (rc2 == 0) { /* the checksum: a bit flip, a cut or a stray byte is refused */
		uint8_t sum[RUN_CKPT_SUM];
		gsize sl = sizeof(sum);
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
		g_checksum_update(c, b.data, b.len);
		g_checksum_get_digest(c, sum, &sl);
		g_checksum_free(c);
		sim_buf_put(&b, sum, sizeof(sum));
	}
	GError *gerr = NULL;
	if (rc2 == 0 && !g_file_set_contents(path, (const gchar *)b.data, (gssize)b.len, &gerr)) {
		snprintf(err, errlen, "%s: cannot write checkpoint: %s", path,
			 gerr->message);
		g_error_free(gerr);
		rc2 = -1;
	}
	sim_buf_free(&b);
	return rc2 ? -1 : 0;
}

/* The sim's snapshot under `layout` (SIM_LAYOUT_*). */
static int restore_as(struct run_ctx *rc, const struct sim_reader *in, uint32_t layout, char *msg,
		      size_t len)
{
	rc->sim.restore_layout = layout;
	int r = sim_restore(&rc->sim, in->data + in->pos, in->len - in->pos, msg, len);
	rc->sim.restore_layout = 0;
	return r;
}

int run_checkpoint_read(struct run_ctx *rc, char *err, size_t errlen)
{
	const char *path = rc->opt->restore_path;
	gchar *data = NULL;
	gsize n = 0;
	GError *gerr = NULL;
	char magic[8], version[64], hash[80], profile[80], msg[256];
	int ret = -1;
	if (rc->opt->restore_data) {
		n = rc->opt->restore_len;
		data = g_memdup2(rc->opt->restore_data, n);
	} else if (!g_file_get_contents(path, &data, &n, &gerr)) {
		snprintf(err, errlen, "%s: cannot read checkpoint: %s", path, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	struct sim_reader in;
	uint8_t sum[RUN_CKPT_SUM];
	gsize sl = sizeof(sum);
	if (n >= 12 + RUN_CKPT_SUM) {
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
		g_checksum_update(c, (const guchar *)data, n - RUN_CKPT_SUM);
		g_checksum_get_digest(c, sum, &sl);
		g_checksum_free(c);
	}
	sim_reader_init(&in, (const uint8_t *)data, n);
	char *want = scenario_hash(rc->sc);
	uint32_t format = 0;
	if (!sim_reader_get(&in, magic, 8) || memcmp(magic, RUN_CKPT_MAGIC, 8) != 0) {
		snprintf(err, errlen, "%s: offset 0: not a ccsim run checkpoint (expected magic \"%s\")",
			 path, RUN_CKPT_MAGIC);
		goto out;
	}
	format = sim_reader_u32(&in);
	if (in.failed || format < 1 || format > RUN_CKPT_FORMAT) {
		snprintf(err, errlen, "%s: offset 8: checkpoint format %u, this ccsim reads 1 to %d%s",
			 path, format, RUN_CKPT_FORMAT,
			 format > RUN_CKPT_FORMAT ? " (written by a newer ccsim)" : "");
		goto out;
	}
	if (format >= 2) { /* the trailer: everything before it, unchanged */
		if (n < 12 + RUN_CKPT_SUM || memcmp(sum, data + n - RUN_CKPT_SUM, RUN_CKPT_SUM) != 0) {
			snprintf(err, errlen, "%s: offset %zu: checksum mismatch (the checkpoint was "
				 "changed, cut short or extended)", path,
				 n >= RUN_CKPT_SUM ? n - RUN_CKPT_SUM : 0);
			goto out;
		}
		in.len = n - RUN_CKPT_SUM;
	}
	uint32_t x1x2 = format <= 3 ? SIM_LAYOUT_RESULT_X1X2 : 0;
	if (!sim_reader_str(&in, version, sizeof(version)) || !sim_reader_str(&in, hash, sizeof(hash)) ||
	    !sim_reader_str(&in, profile, sizeof(profile)))
		snprintf(err, errlen, "%s: truncated checkpoint header", path);
	else if (strcmp(hash, want) != 0)
		snprintf(err, errlen, "%s: checkpoint was taken from a different scenario or params "
			 "(expected %s as run now)", path, rc->sc->path);
	else if (strcmp(profile, rc->cfg.name) != 0)
		snprintf(err, errlen, "%s: checkpoint was taken on profile %s, not %s", path, profile,
			 rc->cfg.name);
	/* format 1 has no bus log; format 2 may or may not (its first builds
	 * did not save one): the bus log first, then without; up to format 3
	 * results kept x1 and x2 */
	else if ((format == 1 ? restore_as(rc, &in, SIM_LAYOUT_NO_BUS_LOG | x1x2, msg, sizeof(msg))
			      : restore_as(rc, &in, x1x2, msg, sizeof(msg)) &&
					(format != 2 ||
					 restore_as(rc, &in, SIM_LAYOUT_NO_BUS_LOG | x1x2, msg,
						    sizeof(msg)))) ||
		 run_restored_events_check(rc, msg, sizeof(msg)))
		snprintf(err, errlen, "%s: %s", path, msg);
	else if (rc->sim.seed != rc->opt->seed) /* the rest of the run would mix two seeds */
		snprintf(err, errlen, "%s: checkpoint was taken with --seed %llu, this run has --seed "
			 "%llu (restore with the seed it was taken with)", path,
			 (unsigned long long)rc->sim.seed, (unsigned long long)rc->opt->seed);
	else
		ret = 0;
out:
	g_free(want);
	g_free(data);
	return ret;
}
