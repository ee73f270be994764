/* Trace records decoded: how each argument of each record type reads (a
 * name, decimal or hex), and the text and JSON Lines views. The names come
 * from the models' own name functions, so the trace says what scenarios and
 * summaries say. */
#include "harness/trace/trace_decode.h"

#include <inttypes.h>
#include <string.h>

#include "harness/lang/steps.h"
#include "models/cpu/exec.h"
#include "models/mmu/fault.h"
#include "models/mmu/gpc.h"
#include "models/mmu/pas.h"
#include "models/mmu/rmp.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "models/monitor/tdx/tdx_abi.h"
#include "models/monitor/uv/uv_abi.h"
#include "sim/json.h"

/* --- sources --- */

void trace_names_init(struct trace_names *n, uint64_t freq_hz)
{
	n->src = g_ptr_array_new_with_free_func(g_free);
	n->freq_hz = freq_hz;
	n->tdx = false;
}

void trace_names_fini(struct trace_names *n)
{
	g_ptr_array_free(n->src, TRUE);
	n->src = NULL;
}

void trace_names_learn(struct trace_names *n, const struct trace_rec *rec)
{
	if (rec->type != TRACE_SOURCE)
		return;
	while (n->src->len <= rec->src)
		g_ptr_array_add(n->src, NULL);
	g_free(n->src->pdata[rec->src]);
	n->src->pdata[rec->src] = g_strndup((const char *)rec->payload, rec->len);
	n->tdx = n->tdx || strcmp(n->src->pdata[rec->src], "tdx") == 0;
}

const char *trace_names_source(const struct trace_names *n, uint16_t id)
{
	const char *s = id < n->src->len ? n->src->pdata[id] : NULL;
	return s ? s : "?";
}

uint64_t trace_names_ns(const struct trace_names *n, uint64_t cycle)
{
	/* split so that cycle * 1e9 cannot overflow */
	return cycle / n->freq_hz * 1000000000ull + cycle % n->freq_hz * 1000000000ull / n->freq_hz;
}

/* --- how each argument reads --- */

enum arg_fmt {
	A_HEX = 0, /* the default: any argument not listed below */
	A_DEC,
	A_FAULT,       /* enum cc_fault_kind */
	A_STEP_STATUS, /* a step's status, in the status space of its step */
	A_FID,         /* a monitor call's function: by the ABI of the source */
	A_MON_STATUS,  /* a monitor call's X0 / RAX on return */
	A_PAS,
	A_GPI,
	A_CACHE_OP,
	A_REC_EXIT,    /* rec.exit's reason: RmiRecExitReason, or a TD's VMX exit reason */
	A_EXIT_CAUSE,  /* vm.exit's reason: the host's exit cause (RmiRecExitReason names) */
	A_EXIT_INFO,   /* vm.exit's info: why the vCPU stopped, or a TD's VMX exit reason */
	A_RMP_ACCESS,
	A_RMP_CHECK,
	A_ONOFF,
};

static const uint8_t arg_fmt[TRACE_TYPE_COUNT][4] = {
	[TRACE_SOURCE] = { A_DEC },
	[TRACE_STEP] = { A_DEC, A_DEC, A_HEX, A_DEC },
	[TRACE_STEP_DONE] = { A_DEC, A_DEC, A_STEP_STATUS, A_FAULT },
	[TRACE_CAPTURE] = { A_DEC, A_DEC },
	[TRACE_MEM_READ] = { A_HEX, A_DEC, A_DEC, A_DEC },
	[TRACE_MEM_WRITE] = { A_HEX, A_DEC, A_DEC, A_DEC },
	[TRACE_KEY_PROGRAM] = { A_DEC, A_DEC, A_DEC },
	[TRACE_PHYS_READ] = { A_HEX, A_DEC },
	[TRACE_PHYS_WRITE] = { A_HEX, A_DEC },
	[TRACE_GPC_FAULT] = { A_HEX, A_PAS, A_FAULT, A_DEC },
	[TRACE_GPT_SET] = { A_HEX, A_GPI, A_GPI },
	[TRACE_MON_CALL] = { A_FID },
	[TRACE_MON_RET] = { A_FID, A_MON_STATUS, A_HEX, A_DEC },
	[TRACE_KEY_HAZARD] = { A_DEC, A_DEC, A_DEC, A_DEC },
	[TRACE_POISON] = { A_HEX, A_DEC },
	[TRACE_CACHE_OP] = { A_CACHE_OP, A_DEC, A_DEC },
	[TRACE_PHYS_SNOOP] = { A_ONOFF, A_DEC },
	[TRACE_REC_EXIT] = { A_REC_EXIT, A_HEX, A_HEX, A_DEC },
	[TRACE_VIRQ_INJECT] = { A_DEC, A_DEC },
	[TRACE_VM_EXIT] = { A_EXIT_CAUSE, A_EXIT_INFO, A_HEX, A_DEC },
	[TRACE_TDX_STEP] = { A_DEC, A_DEC, A_DEC, A_DEC },
	[TRACE_RMP_FAULT] = { A_HEX, A_HEX, A_RMP_ACCESS, A_RMP_CHECK },
	[TRACE_GUEST_CALL] = { A_FID },
	[TRACE_GUEST_RET] = { A_FID, A_MON_STATUS, A_HEX, A_DEC },
	[TRACE_MMIO_FORGE] = { A_HEX, A_HEX, A_DEC, A_HEX },
};

/* PSCI (DEN0022), which realms call through the RMM and the host answers. */
static const char *psci_name(uint64_t fid)
{
	switch (fid) {
	case PSCI_VERSION: return "psci.version";
	case PSCI_CPU_SUSPEND: return "psci.cpu_suspend";
	case PSCI_CPU_OFF: return "psci.cpu_off";
	case PSCI_CPU_ON: return "psci.cpu_on";
	case PSCI_AFFINITY_INFO: return "psci.affinity_info";
	case PSCI_SYSTEM_OFF: return "psci.system_off";
	case PSCI_SYSTEM_RESET: return "psci.system_reset";
	case PSCI_FEATURES: return "psci.features";
	default: return NULL;
	}
}

static bool source_is(const struct trace_names *n, const struct trace_rec *rec, const char *name)
{
	return strcmp(trace_names_source(n, rec->src), name) == 0;
}

/* A monitor call's function by its ABI: the TDX module's SEAMCALL leaves
 * ("tdh.mng.create") and a TD's TDCALL leaves ("tdg.mr.report"), SMCCC
 * function IDs otherwise (RMI, RSI, PSCI). */
static bool fid_name(const struct trace_names *n, const struct trace_rec *rec, uint64_t fid,
		     char *out, size_t len)
{
	if (source_is(n, rec, "tdx") && rec->type >= TRACE_GUEST_CALL) {
		const struct tdcall_leaf *l = tdcall_leaf_by_number(fid);
		if (l)
			snprintf(out, len, "tdg.%s", l->name);
		return l != NULL;
	}
	if (source_is(n, rec, "tdx")) {
		const struct tdx_leaf *l = tdx_leaf_by_number(fid);
		if (l)
			snprintf(out, len, "tdh.%s", l->name);
		return l != NULL;
	}
	if (source_is(n, rec, "uv")) { /* the UVC opcode with the command code */
		const struct uv_cmd_info *u = uv_cmd_by_code((uint16_t)fid);
		if (u)
			snprintf(out, len, "uvc.%s", u->name);
		return u != NULL;
	}
	const struct rmm_cmd *c = rmm_cmd_by_fid(fid);
	const struct rsi_cmd *r = c ? NULL : rsi_cmd_by_fid(fid);
	const char *p = c || r ? NULL : psci_name(fid);
	if (c)
		snprintf(out, len, "rmi.%s", c->name);
	else if (r)
		snprintf(out, len, "rsi.%s", r->name);
	else if (p)
		g_strlcpy(out, p, len);
	return c || r || p;
}

/* A status whose name leaves out part of the value (RMI's index, a TDX
 * operand) keeps the value too: "rmi.error_rtt(0x204)". */
static void status_text(char *out, size_t len, const char *name, uint64_t raw, bool whole)
{
	if (whole)
		g_strlcpy(out, name, len);
	else
		snprintf(out, len, "%s(%#" PRIx64 ")", name, raw);
}

static void tdx_status_text(char *out, size_t len, uint64_t st)
{
	if (st == TDX_SEAMCALL_VMFAILINVALID)
		g_strlcpy(out, "tdx.vmfailinvalid", len);
	else if (st == STEPS_TDX_UNSUPPORTED)
		g_strlcpy(out, "tdx.unsupported", len);
	else
		status_text(out, len, tdx_status_name(st), st, (st & 0xffffffffull) == 0);
}

/* A status by the name its space gives it (harness/lang/steps_status.c, as
 * expectations and summary.json name it), RMI's index and a TDX operand
 * kept beside it. */
static void space_status_text(enum steps_status_space sp, uint64_t raw, char *out, size_t len)
{
	if (sp == STEPS_STATUS_TDX)
		tdx_status_text(out, len, raw);
	else if (sp == STEPS_STATUS_RMI)
		status_text(out, len, steps_status_name(sp, raw), raw, raw < 0x100 || raw == UINT64_MAX);
	else
		g_strlcpy(out, steps_status_name(sp, raw), len);
}

/* A call's X0 / RAX: the TDX module's, else in the space of the function. */
static void mon_status(const struct trace_names *n, const struct trace_rec *rec, char *out,
		       size_t len)
{
	uint64_t fid = rec->a[0], x0 = rec->a[1];
	space_status_text(source_is(n, rec, "tdx") ? STEPS_STATUS_TDX
			  : source_is(n, rec, "uv") ? STEPS_STATUS_UV : steps_smc_space(fid), x0, out, len);
}

/* step.done's status: the step's code (steps_status_code). */
static void step_status(uint64_t code, char *out, size_t len)
{
	enum steps_status_space sp;
	uint64_t raw;
	steps_status_decode(code, false, &sp, &raw);
	space_status_text(sp, raw, out, len);
}

static void rmp_access_text(uint64_t w, char *out, size_t len)
{
	static const char perms[] = "rwxXs";
	char need[8];
	size_t k = 0;
	for (unsigned i = 0; i < 5; i++)
		if (w >> 16 & 1u << i)
			need[k++] = perms[i];
	need[k] = 0;
	snprintf(out, len, "%s,%s,%s%s,vmpl=%u,asid=%u%s%s",
		 w & RMP_ACC_DMA ? "dma" : w & RMP_ACC_HOST ? "host" : "guest",
		 w & RMP_ACC_WRITE ? "write" : "read", w & RMP_ACC_PRIVATE ? "private" : "shared",
		 w & RMP_ACC_LARGE ? ",2m" : "", (unsigned)(w >> 8 & 0xff), (unsigned)(w >> 32),
		 k ? ",need=" : "", need);
}

/* Fills f->text (and kind) for argument i of rec. */
static void arg_decode(const struct trace_names *n, const struct trace_rec *rec, unsigned i,
		       struct trace_field *f)
{
	uint64_t v = rec->a[i];
	const char *name = NULL;
	char *t = f->text;
	const size_t len = sizeof(f->text);
	f->kind = TF_NAME;
	switch ((enum arg_fmt)arg_fmt[rec->type][i]) {
	case A_HEX:
		break;
	case A_DEC:
		f->kind = TF_DEC;
		snprintf(t, len, "%" PRIu64, v);
		return;
	case A_FAULT:
		name = v < FAULT_KIND_COUNT ? cc_fault_name((unsigned)v) : NULL;
		break;
	case A_STEP_STATUS:
		if (v == 0) { /* no status, or success in any space */
			f->kind = TF_DEC;
			g_strlcpy(t, "0", len);
			return;
		}
		step_status(v, t, len);
		return;
	case A_FID:
		if (fid_name(n, rec, v, t, len))
			return;
		break;
	case A_MON_STATUS:
		mon_status(n, rec, t, len);
		return;
	case A_PAS:
		name = v < 4 ? cc_pas_name((enum cc_pas)v) : NULL;
		break;
	case A_GPI:
		name = v < 16 ? gpi_name((uint8_t)v) : NULL;
		break;
	case A_CACHE_OP: {
		static const char *const ops[] = { "wbinvd", "invd", "flush_key" };
		name = v < G_N_ELEMENTS(ops) ? ops[v] : NULL;
		break;
	}
	case A_REC_EXIT:
		name = source_is(n, rec, "tdx") ? tdx_exit_reason_name((unsigned)v)
		       : v < RMI_EXIT_COUNT ? rmi_exit_reason_name((unsigned)v) : NULL;
		break;
	case A_EXIT_CAUSE:
		name = v < RMI_EXIT_COUNT ? rmi_exit_reason_name((unsigned)v) : NULL;
		break;
	case A_EXIT_INFO:
		name = n->tdx ? tdx_exit_reason_name((unsigned)v)
		       : v <= EXEC_TRAP ? exec_stop_name((unsigned)v) : NULL;
		break;
	case A_RMP_ACCESS:
		rmp_access_text(v, t, len);
		return;
	case A_RMP_CHECK:
		name = v < RMP_CHK_COUNT ? rmp_check_name((enum rmp_check)v) : NULL;
		break;
	case A_ONOFF:
		name = v == 0 ? "off" : v == 1 ? "on" : NULL;
		break;
	}
	if (name) {
		g_strlcpy(t, name, len);
		return;
	}
	f->kind = TF_HEX; /* no name for this value: the number */
	snprintf(t, len, "0x%" PRIx64, v);
}

static struct trace_field *add(struct trace_decoded *d, const char *key, enum trace_field_kind kind,
			       uint64_t raw)
{
	g_assert(d->n < TRACE_FIELDS_MAX);
	struct trace_field *f = &d->f[d->n++];
	*f = (struct trace_field){ .key = key, .kind = kind, .raw = raw };
	if (kind == TF_DEC)
		snprintf(f->text, sizeof(f->text), "%" PRIu64, raw);
	else if (kind == TF_HEX)
		snprintf(f->text, sizeof(f->text), "0x%" PRIx64, raw);
	return f;
}

/* rmp.fault: the fault the check raised and the RMP entry it read. */
static void rmp_fault_fields(const struct trace_rec *rec, struct trace_decoded *d)
{
	struct rmp_entry e;
	struct trace_field *f = add(d, "fault", TF_NAME, 0);
	const char *fault = rec->a[3] < RMP_CHK_COUNT
				    ? rmp_fault_name(rmp_check_fault((enum rmp_check)rec->a[3]))
				    : "?";
	g_strlcpy(f->text, fault, sizeof(f->text));
	if (rec->len != RMP_ENTRY_BYTES)
		return; /* the raw payload is printed instead */
	rmp_entry_decode(rec->payload, &e);
	add(d, "entry.assigned", TF_DEC, e.assigned);
	add(d, "entry.asid", TF_DEC, e.asid);
	add(d, "entry.gpa", TF_HEX, e.gpa);
	add(d, "entry.validated", TF_DEC, e.validated);
	f = add(d, "entry.size", TF_NAME, e.size_2m);
	g_strlcpy(f->text, e.size_2m ? "2m" : "4k", sizeof(f->text));
	add(d, "entry.immutable", TF_DEC, e.immutable);
	add(d, "entry.vmsa", TF_DEC, e.vmsa);
	add(d, "entry.perms", TF_HEX,
	    (uint64_t)e.vmpl_perm[0] | (uint64_t)e.vmpl_perm[1] << 8 |
		    (uint64_t)e.vmpl_perm[2] << 16 | (uint64_t)e.vmpl_perm[3] << 24);
	d->payload_decoded = true;
}

void trace_decode(const struct trace_names *n, const struct trace_rec *rec, struct trace_decoded *d)
{
	const struct trace_type_info *ti = &trace_types[rec->type];
	d->kind = ti->name;
	d->source = trace_names_source(n, rec->src);
	d->n = 0;
	d->payload_decoded = false;
	for (unsigned i = 0; i < 4; i++) {
		if (!ti->arg[i][0])
			continue;
		struct trace_field *f = &d->f[d->n++];
		*f = (struct trace_field){ .key = ti->arg[i], .is_arg = true, .raw = rec->a[i] };
		arg_decode(n, rec, i, f);
	}
	if (rec->type == TRACE_RMP_FAULT)
		rmp_fault_fields(rec, d);
}

const struct trace_field *trace_decoded_field(const struct trace_decoded *d, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->f[i].key, key) == 0)
			return &d->f[i];
	return NULL;
}

/* --- views --- */

static bool printable(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static void hex(FILE *out, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, "%02x", p[i]);
}

void trace_print_text(FILE *out, const struct trace_names *n, const struct trace_rec *rec)
{
	struct trace_decoded d;
	trace_decode(n, rec, &d);
	fprintf(out, "%12" PRIu64 " %-10s %-14s", rec->cycle, d.source, d.kind);
	for (size_t i = 0; i < d.n; i++)
		fprintf(out, " %s=%s", d.f[i].key, d.f[i].text);
	if (rec->len && !d.payload_decoded) {
		if (printable(rec->payload, rec->len)) {
			fprintf(out, " \"%.*s\"", (int)rec->len, (const char *)rec->payload);
		} else {
			fputs(" bytes=", out);
			hex(out, rec->payload, rec->len);
		}
	}
	fputc('\n', out);
}

void trace_print_json(FILE *out, const struct trace_names *n, const struct trace_rec *rec)
{
	struct trace_decoded d;
	const char *sep = "";
	trace_decode(n, rec, &d);
	fprintf(out, "{\"cycle\": %" PRIu64, rec->cycle);
	if (n->freq_hz)
		fprintf(out, ", \"ns\": %" PRIu64, trace_names_ns(n, rec->cycle));
	fputs(", \"source\": ", out);
	json_str(out, d.source);
	fprintf(out, ", \"source_id\": %u, \"kind\": ", rec->src);
	json_str(out, d.kind);
	fprintf(out, ", \"kind_id\": %u, \"args\": {", rec->type);
	for (size_t i = 0; i < d.n; i++) {
		if (!d.f[i].is_arg)
			continue;
		fprintf(out, "%s\"%s\": %" PRIu64, sep, d.f[i].key, d.f[i].raw);
		sep = ", ";
	}
	fputs("}, \"decoded\": {", out);
	sep = "";
	for (size_t i = 0; i < d.n; i++) {
		const struct trace_field *f = &d.f[i];
		if (f->is_arg && f->kind != TF_NAME)
			continue; /* a plain number: args has it */
		fprintf(out, "%s\"%s\": ", sep, f->key);
		if (f->kind == TF_NAME)
			json_str(out, f->text);
		else
			fprintf(out, "%" PRIu64, f->raw);
		sep = ", ";
	}
	fputc('}', out);
	if (rec->len && printable(rec->payload, rec->len)) {
		char *s = g_strndup((const char *)rec->payload, rec->len);
		fputs(", \"text\": ", out);
		json_str(out, s);
		g_free(s);
	} else if (rec->len) {
		fputs(", \"bytes\": \"", out);
		hex(out, rec->payload, rec->len);
		fputc('"', out);
	}
	fputs("}\n", out);
}

int trace_scan(FILE *f, const char *path, struct trace_reader *r, struct trace_names *n,
	       void (*fn)(void *ctx, const struct trace_rec *rec), void *ctx, char *err,
	       size_t errlen)
{
	struct trace_rec rec;
	int k;
	if (trace_reader_open(r, f, path, err, errlen))
		return -1;
	trace_names_init(n, r->freq_hz);
	while ((k = trace_reader_next(r, &rec, err, errlen)) > 0) {
		trace_names_learn(n, &rec);
		if (fn)
			fn(ctx, &rec);
	}
	if (k < 0 || fseek(f, 0, SEEK_SET) != 0 || trace_reader_open(r, f, path, err, errlen)) {
		if (k == 0)
			snprintf(err, errlen, "%s: cannot read it a second time", path);
		trace_names_fini(n);
		return -1;
	}
	return 0;
}

int trace_decode_file(FILE *in, const char *path, FILE *out, char *err, size_t errlen)
{
	struct trace_reader r;
	struct trace_rec rec;
	struct trace_names n;
	int rc = trace_reader_open(&r, in, path, err, errlen);
	if (rc)
		return rc;
	trace_names_init(&n, r.freq_hz);
	for (;;) {
		int k = trace_reader_next(&r, &rec, err, errlen);
		if (k <= 0) {
			rc = k;
			break;
		}
		trace_names_learn(&n, &rec);
		trace_print_text(out, &n, &rec);
	}
	trace_names_fini(&n);
	return rc;
}
