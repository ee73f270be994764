/* The SEV firmware behind the monitor interface (include/ccsim/monitor.h):
 * its commands as registers (sev_fw.h, SEV_CMD_*), its creation from the
 * profile keys the services give, its state as a checkpoint blob, its
 * statistics and the platform's questions. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "models/monitor/builtin.h"
#include "models/monitor/mon_param.h"
#include "models/monitor/sev/sev_fw.h"
#include "sim/buf.h"

/* The counters and scalars a checkpoint keeps, in the order ccsim up to
 * checkpoint format 4 saved them as the "sev" model's field table
 * (version 1): a blob starts with their values. */
static const struct sim_field sev_fields[] = {
	SIM_FIELD(struct sev_psp, state), SIM_FIELD(struct sev_psp, next_handle),
	SIM_FIELD(struct sev_psp, df_flush_required), SIM_FIELD(struct sev_psp, wbinvd_at_deactivate),
	SIM_FIELD(struct sev_psp, mem_cycles), SIM_FIELD(struct sev_psp, stat_cmds),
	SIM_FIELD(struct sev_psp, stat_errors), SIM_FIELD(struct sev_psp, stat_df_flushes),
};
#define SEV_STATE_VERSION 1

static int sev_save(void *mon, ccsim_write_fn *write, void *ctx)
{
	const struct sev_psp *p = mon;
	struct sim_buf b;
	sim_buf_init(&b);
	for (size_t i = 0; i < G_N_ELEMENTS(sev_fields); i++)
		sim_buf_put_field(&b, p, &sev_fields[i]);
	sim_buf_put(&b, p->guests, sizeof(p->guests));
	sim_buf_put(&b, p->asid_flush_pending, sizeof(p->asid_flush_pending));
	for (unsigned i = 0; i < SEV_MAX_GUESTS; i++) {
		sim_buf_put_u64(&b, p->launch_data[i]->len);
		sim_buf_put(&b, p->launch_data[i]->data, p->launch_data[i]->len);
	}
	write(ctx, b.data, b.len);
	sim_buf_free(&b);
	return 0;
}

static int sev_restore(void *mon, uint32_t version, const void *blob, size_t len)
{
	struct sev_psp *p = mon;
	struct sim_reader in;
	if (version != SEV_STATE_VERSION)
		return -1;
	sim_reader_init(&in, blob, len);
	for (size_t i = 0; i < G_N_ELEMENTS(sev_fields); i++)
		sim_reader_field(&in, p, &sev_fields[i]);
	if (!sim_reader_get(&in, p->guests, sizeof(p->guests)) ||
	    !sim_reader_get(&in, p->asid_flush_pending, sizeof(p->asid_flush_pending)))
		return -1;
	for (unsigned i = 0; i < SEV_MAX_GUESTS; i++) {
		uint64_t n = sim_reader_u64(&in);
		if (n > SEV_LAUNCH_MAX_BYTES || p->guests[i].nvmsa > SEV_MAX_VMSAS)
			return -1;
		g_byte_array_set_size(p->launch_data[i], (guint)n);
		if (!sim_reader_get(&in, p->launch_data[i]->data, n))
			return -1;
	}
	return in.pos != len || p->state > SEV_PLATFORM_WORKING ? -1 : 0;
}

static void put16(uint64_t *regs, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n / 8; i++)
		regs[i] = sim_le64_load(b + 8 * i);
}

/* One command: its fields from the registers, its results into them. */
static void sev_call(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	struct sev_psp *p = mon;
	uint32_t h = (uint32_t)regs[1];
	uint64_t c0 = p->mem_cycles;
	enum snp_status s;
	switch (regs[0]) {
	case SEV_CMD_INIT:
		s = sev_init(p);
		break;
	case SEV_CMD_LAUNCH_START: {
		uint8_t tik[SEV_TIK_LEN];
		uint32_t handle = 0;
		sim_le64_store(tik, regs[3]);
		sim_le64_store(tik + 8, regs[4]);
		s = sev_launch_start(p, (uint32_t)regs[1], regs[2] ? tik : NULL, &handle);
		regs[1] = handle;
		break;
	}
	case SEV_CMD_ACTIVATE:
		s = sev_activate(p, h, (uint32_t)regs[2]);
		break;
	case SEV_CMD_DEACTIVATE:
		s = sev_deactivate(p, h);
		break;
	case SEV_CMD_LAUNCH_UPDATE_DATA:
		s = sev_launch_update_data(p, h, regs[2], regs[3]);
		break;
	case SEV_CMD_LAUNCH_UPDATE_VMSA:
		s = sev_launch_update_vmsa(p, h, regs[2], regs[3]);
		break;
	case SEV_CMD_LAUNCH_MEASURE: {
		struct sev_measurement m;
		s = sev_launch_measure(p, h, &m);
		if (s == SNP_SUCCESS) {
			put16(regs + 1, m.measure, sizeof(m.measure));
			put16(regs + 5, m.mnonce, sizeof(m.mnonce));
		}
		break;
	}
	case SEV_CMD_LAUNCH_FINISH:
		s = sev_launch_finish(p, h);
		break;
	case SEV_CMD_DECOMMISSION:
		s = sev_decommission(p, h);
		break;
	case SEV_CMD_DF_FLUSH:
		s = sev_df_flush(p);
		break;
	default:
		s = SNP_INVALID_COMMAND;
		break;
	}
	p->stat_cmds++;
	p->stat_errors += s != SNP_SUCCESS;
	regs[0] = (uint64_t)s;
	*cycles += p->mem_cycles - c0; /* the time its page accesses took */
}

static int sev_owns_call(void *mon, uint64_t cmd)
{
	(void)mon;
	switch (cmd) {
	case SEV_CMD_INIT: case SEV_CMD_DF_FLUSH: case SEV_CMD_DECOMMISSION: case SEV_CMD_ACTIVATE:
	case SEV_CMD_DEACTIVATE: case SEV_CMD_LAUNCH_START: case SEV_CMD_LAUNCH_UPDATE_DATA:
	case SEV_CMD_LAUNCH_UPDATE_VMSA: case SEV_CMD_LAUNCH_MEASURE: case SEV_CMD_LAUNCH_FINISH:
		return 1;
	default:
		return 0;
	}
}

static int answer(void *out, size_t len, const uint64_t *v, size_t n)
{
	if (len != n * sizeof(uint64_t))
		return -1;
	memcpy(out, v, len);
	return 0;
}

static int sev_query(void *mon, uint32_t what, uint64_t arg, void *out, size_t len)
{
	const struct sev_psp *p = mon;
	switch (what) {
	case CCSIM_QUERY_PLATFORM_STATE:
		return answer(out, len, &p->state, 1);
	case CCSIM_QUERY_ASID_GUESTS: {
		uint64_t v[3] = { 0, 0, 0 };
		for (unsigned i = 0; i < SEV_MAX_GUESTS && arg; i++)
			if (p->guests[i].in_use && p->guests[i].asid == arg && v[0]++ < 2)
				v[v[0]] = p->guests[i].handle;
		return answer(out, len, v, 3);
	}
	case CCSIM_QUERY_ASID_FLUSH_PENDING: {
		uint64_t v = sev_asid_flush_pending(p, (uint32_t)MIN(arg, UINT32_MAX));
		return answer(out, len, &v, 1);
	}
	case CCSIM_QUERY_CALL_RESULTS: {
		uint64_t n = arg == SEV_CMD_LAUNCH_MEASURE ? 7 : arg == SEV_CMD_LAUNCH_START ? 2 : 1;
		return answer(out, len, &n, 1);
	}
	default:
		return -1;
	}
}

static void sev_stats(void *mon, ccsim_stat_fn *emit, void *ctx)
{
	struct sev_psp *p = mon;
	emit(ctx, "sev.commands", CCSIM_STAT_COUNT, &p->stat_cmds,
	     "SEV firmware commands the hypervisor sent");
	emit(ctx, "sev.errors", CCSIM_STAT_COUNT, &p->stat_errors,
	     "commands that returned a status other than SUCCESS");
	emit(ctx, "sev.df_flushes", CCSIM_STAT_COUNT, &p->stat_df_flushes,
	     "DF_FLUSH commands that succeeded");
}

struct sev_psp *sev_psp_create(const struct ccsim_monitor_services *svc, void *host, char *err,
			       size_t errlen)
{
	struct sev_psp *p = g_new0(struct sev_psp, 1);
	uint64_t arch = 0, mode = 0, min_asid = 0, slots = 0, gate = 0;
	p->svc = svc;
	p->host = host;
	const struct mon_param keys[] = {
		{ "platform.arch", &arch }, { "mem.pa_bits", &p->pa_bits }, { "memenc.mode", &mode },
		{ "sev.min_sev_asid", &min_asid }, { "memenc.key_slots", &slots },
		{ "sev.asid_flush_gate", &gate }, { "sim.seed", &p->seed },
	};
	if (!mon_params(svc, host, "sev", keys, G_N_ELEMENTS(keys), err, errlen)) {
		g_free(p);
		return NULL;
	}
	if (arch != MON_ARCH_SEV && arch != MON_ARCH_SEV_ES) {
		snprintf(err, errlen, "sev: the SEV firmware runs on sev and sev-es machines");
		g_free(p);
		return NULL;
	}
	/* A Milan-era SEV firmware: API 1.55, build 21 (what SNP reports too). */
	p->api_major = 1;
	p->api_minor = 55;
	p->build = 21;
	p->es_enabled = arch == MON_ARCH_SEV_ES; /* INIT's SEV_ES flag: the profile's hardware */
	p->encrypts = mode != 0;                  /* memenc.mode's first value: none */
	p->min_sev_asid = (uint32_t)min_asid;
	p->asid_limit = (uint32_t)MIN(slots, 1u << 16);
	p->no_asid_gate = !gate;
	for (unsigned i = 0; i < SEV_MAX_GUESTS; i++)
		p->launch_data[i] = g_byte_array_new();
	return p;
}

void sev_psp_destroy(struct sev_psp *p)
{
	for (unsigned i = 0; i < SEV_MAX_GUESTS; i++)
		g_byte_array_free(p->launch_data[i], TRUE);
	g_free(p);
}

static void *mon_create(const struct ccsim_monitor_services *svc, void *host, char *err,
			size_t errlen)
{
	return sev_psp_create(svc, host, err, errlen);
}
static void mon_destroy(void *mon) { sev_psp_destroy(mon); }

static const struct ccsim_monitor_ops sev_ops = {
	.abi_version = CCSIM_MONITOR_ABI_VERSION,
	.kind = CCSIM_MONITOR_SEV,
	.name = "sev",
	.description = "ccsim's SEV firmware (AMD 55766 rev. 0.24)",
	.state_version = SEV_STATE_VERSION,
	.create = mon_create,
	.destroy = mon_destroy,
	.owns_call = sev_owns_call,
	.call = sev_call,
	.save = sev_save,
	.restore = sev_restore,
	.stats = sev_stats,
	.query = sev_query,
};

const struct ccsim_monitor_ops *sev_monitor_ops(void)
{
	return &sev_ops;
}
