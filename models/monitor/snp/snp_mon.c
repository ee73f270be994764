/* The SEV-SNP firmware (the AMD Secure Processor's SNP side, snp_fw.c and
 * snp_swap.c) behind the monitor interface (include/ccsim/monitor.h): its
 * commands as registers and command buffers (snp_abi.h), its memory, RMP
 * and key slots through the services, its state as a checkpoint blob, its
 * statistics, invariant and the platform's questions.
 *
 * Where its accesses go: the RMP through the services' rmp_read /
 * rmp_write (the table in plaintext, through the LLC, as the AMD-SP reads
 * and writes it); page contents at the memory controller, not coherently
 * with the cores' caches (the hypervisor flushes first, KVM's
 * sev_clflush_pages), under the hypervisor's key 0 or a guest's ASID; each
 * guest's state in its context page, under the AMD-SP's own key. Each
 * access starts where the previous one ended: the command's time is theirs
 * end to end. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "models/monitor/builtin.h"
#include "models/monitor/mon_param.h"
#include "models/monitor/snp/snp_fw.h"
#include "models/monitor/snp/snp_swap.h"
#include "sim/buf.h"

struct snp_mon {
	const struct ccsim_monitor_services *svc;
	void *host;
	struct snp_fw fw;
	uint32_t fw_slot;      /* the AMD-SP's own key (param machine.fw_slot) */
	uint32_t key_flags;    /* what its key slots do: encrypt, or nothing (memenc.mode none) */
	bool asid_gate;        /* sev.asid_flush_gate */
	int32_t mem_key;       /* the key slot the firmware's page accesses use now */
	uint64_t *cycles;      /* the running total of the command being served */
	/* checkpointed, in the order ccsim up to checkpoint format 5 saved them
	 * as the "snp" model's fields (version 3) */
	uint64_t stat_cmds, stat_errors;
	uint64_t mem_cycles;   /* what the firmware's RMP and page accesses took, all commands */
	uint64_t wbinvd_at_decommission; /* machine.wbinvd when a guest was last decommissioned */
	uint64_t activity;     /* bumped when the firmware's record of its guests changes */
};

static const struct sim_field snp_fields[] = {
	SIM_FIELD(struct snp_mon, stat_cmds), SIM_FIELD(struct snp_mon, stat_errors),
	SIM_FIELD(struct snp_mon, mem_cycles), SIM_FIELD(struct snp_mon, wbinvd_at_decommission),
};
#define SNP_STATE_VERSION 3

/* --- what the firmware reaches the platform through --- */

static int dram(struct snp_mon *p, int32_t key, uint64_t pa, void *buf, size_t len, bool write)
{
	struct ccsim_mem_req q = { .pa = pa, .len = len, .write = write, .key = key,
				   .flags = CCSIM_MEM_DRAM };
	struct ccsim_fault f;
	uint64_t outside = 0, *c = p->cycles ? p->cycles : &outside, c0 = *c;
	int rc = p->svc->mem(p->host, &q, buf, &f, c);
	p->mem_cycles += *c - c0;
	return rc ? -EIO : 0;
}

static int mem_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct snp_mon *p = ctx;
	return dram(p, p->mem_key, pa, buf, len, false);
}

static int mem_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	struct snp_mon *p = ctx;
	return dram(p, p->mem_key, pa, (void *)buf, len, true);
}

/* Its own pages (guest contexts) under its own key, as AMD's firmware maps
 * them through its inline AES engine (AMD-ASPFW sev_hal.c
 * sev_hal_map_guest_context: INLINE_AES_KEY0_SEL). That key stays the same
 * from one guest to the next (BadRAM's guest_context_replay: a new guest's
 * context page at the old one's address takes the old ciphertext). Its mode
 * is not published; that old ciphertext decrypts at the same address but
 * (the proof of concept pins the address) perhaps not at another fits the
 * engine's XTS, which ccsim uses for it. */
static int ctx_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct snp_mon *p = ctx;
	return dram(p, (int32_t)p->fw_slot, pa, buf, len, false);
}

static int ctx_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	struct snp_mon *p = ctx;
	return dram(p, (int32_t)p->fw_slot, pa, (void *)buf, len, true);
}

/* The RMP as snp_fw reads and writes it, an entry at a time at the
 * entry's table address: the services take the page's. */
static int rmp_rw(struct snp_mon *p, uint64_t table_pa, void *buf, size_t len, bool write)
{
	const struct rmp_config *c = &p->fw.cfg.rmp;
	uint64_t off = table_pa - c->base - RMP_BOOKKEEPING;
	if (len != RMP_ENTRY_BYTES || table_pa < c->base + RMP_BOOKKEEPING || off % RMP_ENTRY_BYTES)
		return -EINVAL;
	uint64_t spa = off / RMP_ENTRY_BYTES * RMP_PAGE_4K;
	uint64_t outside = 0, *cyc = p->cycles ? p->cycles : &outside, c0 = *cyc;
	int rc = write ? p->svc->rmp_write(p->host, spa, buf, cyc)
		       : p->svc->rmp_read(p->host, spa, buf, cyc);
	p->mem_cycles += *cyc - c0;
	return rc < 0 ? rc : rc ? -EIO : 0;
}

static int rmp_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	return rmp_rw(ctx, pa, buf, len, false);
}

static int rmp_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	return rmp_rw(ctx, pa, (void *)buf, len, true);
}

/* The key the firmware's next page accesses use: a guest's ASID or the
 * hypervisor's 0 (the swap commands read one and write the other). */
static void set_mem_key(void *ctx, uint32_t asid)
{
	((struct snp_mon *)ctx)->mem_key = (int32_t)asid;
}

/* The alias check of the BadRAM mitigation: whether the DIMMs' decoding
 * sends two addresses of system memory to one cell (a fact of the run the
 * platform gives as machine.dram_aliased; AMD's firmware finds it by
 * writing and reading patterns). */
static bool aliased(void *ctx, uint64_t lo, uint64_t hi)
{
	struct snp_mon *p = ctx;
	uint64_t v = 0;
	(void)lo, (void)hi;
	return p->svc->param(p->host, "machine.dram_aliased", &v) == 0 && v;
}

/* --- commands --- */

static uint64_t wbinvd_count(struct snp_mon *p)
{
	uint64_t n = 0;
	(void)p->svc->param(p->host, "machine.wbinvd", &n);
	return n;
}

/* SNP_LAUNCH_UPDATE, then the page encrypted in place with the guest's key
 * (ABI 8.17): the plaintext the hypervisor left (or the zeros / secrets
 * the firmware wrote) is rewritten under the guest's ASID. */
static enum snp_status launch_update(struct snp_mon *p, uint64_t gctx_pa, uint64_t spa, uint64_t gpa,
				     uint64_t type)
{
	if (type > UINT32_MAX)
		return SNP_INVALID_PARAM;
	enum snp_status st = snp_launch_update(&p->fw, gctx_pa, spa, gpa, (enum snp_page_type)type);
	const struct snp_guest *g = snp_guest_find(&p->fw, gctx_pa);
	if (st != SNP_SUCCESS || !g)
		return st;
	uint8_t *page = g_malloc(RMP_PAGE_4K);
	int rc = dram(p, 0, spa, page, RMP_PAGE_4K, false);
	if (!rc)
		rc = dram(p, (int32_t)g->asid, spa, page, RMP_PAGE_4K, true);
	g_free(page);
	return rc ? SNP_HWERROR_PLATFORM : SNP_SUCCESS;
}

/* SNP_ACTIVATE, plus the key load: the guest's VEK into the memory
 * controller's slot for its ASID (a slot whose previous owner still has
 * lines cached is the ASID-reuse hazard, which the engine reports). */
static enum snp_status activate(struct snp_mon *p, uint64_t gctx_pa, uint64_t asid)
{
	if (asid > UINT32_MAX)
		return SNP_INVALID_ASID;
	enum snp_status st = snp_activate(&p->fw, gctx_pa, (uint32_t)asid);
	if (st == SNP_SUCCESS &&
	    p->svc->key_program(p->host, (uint32_t)asid, (uint32_t)asid, p->key_flags))
		return SNP_HWERROR_PLATFORM;
	return st;
}

/* SNP_DF_FLUSH returns WBINVD_REQUIRED unless every core ran WBINVD since
 * the last DECOMMISSION (ABI 8.12): the caches may still hold lines of the
 * decommissioned guests under their ASIDs' slots. Both gates go with
 * sev.asid_flush_gate = false. */
static enum snp_status df_flush(struct snp_mon *p)
{
	if (p->asid_gate && p->fw.state == SNP_PLATFORM_INIT && p->fw.df_flush_required &&
	    wbinvd_count(p) == p->wbinvd_at_decommission)
		return SNP_WBINVD_REQUIRED;
	return snp_df_flush(&p->fw);
}

static enum snp_status swap_cmd(struct snp_mon *p, const uint64_t *regs)
{
	uint64_t flags = regs[7];
	if (flags >> 3 || regs[6] > UINT32_MAX)
		return SNP_INVALID_PARAM;
	if (regs[0] == SNP_CMD_PAGE_SWAP_OUT) {
		struct snp_swap_out o = { .gctx_pa = regs[1], .src_pa = regs[2], .dst_pa = regs[3],
					  .mdata_pa = regs[4], .software_data = regs[5],
					  .page_type = (unsigned)regs[6],
					  .size_2m = (flags & SNP_SWAP_SIZE_2M) != 0,
					  .root_mdata = (flags & SNP_SWAP_ROOT_MDATA) != 0 };
		return snp_page_swap_out(&p->fw, &o);
	}
	struct snp_swap_in i = { .gctx_pa = regs[1], .src_pa = regs[2], .dst_pa = regs[3],
				 .mdata_pa = regs[4], .page_type = (unsigned)regs[6],
				 .size_2m = (flags & SNP_SWAP_SIZE_2M) != 0,
				 .root_mdata = (flags & SNP_SWAP_ROOT_MDATA) != 0,
				 .in_place = (flags & SNP_SWAP_IN_PLACE) != 0 };
	return snp_page_swap_in(&p->fw, &i);
}

static enum snp_status launch_finish(struct snp_mon *p, const uint64_t *regs, const uint8_t *buf,
				     size_t len)
{
	struct snp_launch_finish in = { 0 };
	if (buf && len < SNP_FINISH_BUF_LEN)
		return SNP_INVALID_LENGTH;
	if (buf) {
		memcpy(in.id_block.ld, buf + SNP_IDB_LD, SNP_DIGEST_LEN);
		memcpy(in.id_block.family_id, buf + SNP_IDB_FAMILY_ID, 16);
		memcpy(in.id_block.image_id, buf + SNP_IDB_IMAGE_ID, 16);
		in.id_block.guest_svn = sim_le32_load(buf + SNP_IDB_GUEST_SVN);
		in.id_block.policy = sim_le64_load(buf + SNP_IDB_POLICY);
		memcpy(in.host_data, buf + SNP_FINISH_HOST_DATA, SNP_HOST_DATA_LEN);
	}
	in.id_block_en = regs[2] != 0;
	return snp_launch_finish(&p->fw, regs[1], &in);
}

static enum snp_status guest_request(struct snp_mon *p, const uint64_t *regs, uint8_t *buf,
				     size_t len)
{
	uint8_t data[SNP_REPORT_DATA_LEN];
	if (!buf || len < SNP_REPORT_LEN)
		return SNP_INVALID_LENGTH;
	if (regs[2] > UINT32_MAX)
		return SNP_INVALID_PARAM;
	memcpy(data, buf + SNP_RPT_REPORT_DATA, sizeof(data));
	enum snp_status s = snp_guest_report(&p->fw, regs[1], data, (unsigned)regs[2], buf);
	if (s != SNP_SUCCESS)
		memset(buf, 0, SNP_REPORT_LEN); /* no report in the response */
	return s;
}

static enum snp_status command(struct snp_mon *p, const uint64_t *regs, uint8_t *buf, size_t len)
{
	switch (regs[0]) {
	case SNP_CMD_INIT:
		return snp_init(&p->fw);
	case SNP_CMD_DF_FLUSH:
		return df_flush(p);
	case SNP_CMD_DECOMMISSION: {
		enum snp_status s = snp_decommission(&p->fw, regs[1]);
		if (s == SNP_SUCCESS)
			p->wbinvd_at_decommission = wbinvd_count(p);
		return s;
	}
	case SNP_CMD_ACTIVATE:
		return activate(p, regs[1], regs[2]);
	case SNP_CMD_LAUNCH_START:
		return snp_launch_start(&p->fw, regs[1], regs[2]);
	case SNP_CMD_LAUNCH_UPDATE:
		return launch_update(p, regs[1], regs[2], regs[3], regs[4]);
	case SNP_CMD_LAUNCH_FINISH:
		return launch_finish(p, regs, buf, len);
	case SNP_CMD_GUEST_REQUEST:
		return guest_request(p, regs, buf, len);
	case SNP_CMD_PAGE_SWAP_OUT:
	case SNP_CMD_PAGE_SWAP_IN:
		return swap_cmd(p, regs);
	case SNP_CMD_PAGE_MD_INIT:
		return snp_page_md_init(&p->fw, regs[1], regs[2]);
	case SNP_CMD_PAGE_RECLAIM:
		return snp_page_reclaim(&p->fw, regs[1]);
	default:
		return SNP_INVALID_COMMAND;
	}
}

static void snp_call_buf(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], void *buf, size_t len,
			 uint64_t *cycles)
{
	struct snp_mon *p = mon;
	struct snp_guest before[SNP_MAX_GUESTS];
	memcpy(before, p->fw.guests, sizeof(before));
	p->cycles = cycles;
	p->mem_key = 0;
	enum snp_status s = command(p, regs, buf, len);
	p->mem_key = 0;
	p->cycles = NULL;
	if (memcmp(before, p->fw.guests, sizeof(before)) != 0)
		p->activity++;
	p->stat_cmds++;
	p->stat_errors += s != SNP_SUCCESS;
	regs[0] = (uint64_t)s;
	for (unsigned i = 1; i < CCSIM_MONITOR_REGS; i++)
		regs[i] = 0; /* no command returns a register */
}

static void snp_call(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	snp_call_buf(mon, regs, NULL, 0, cycles);
}

static int snp_owns_call(void *mon, uint64_t cmd)
{
	(void)mon;
	switch (cmd) {
	case SNP_CMD_INIT: case SNP_CMD_DF_FLUSH: case SNP_CMD_DECOMMISSION: case SNP_CMD_ACTIVATE:
	case SNP_CMD_GUEST_REQUEST: case SNP_CMD_LAUNCH_START: case SNP_CMD_LAUNCH_UPDATE:
	case SNP_CMD_LAUNCH_FINISH: case SNP_CMD_PAGE_SWAP_OUT: case SNP_CMD_PAGE_SWAP_IN:
	case SNP_CMD_PAGE_MD_INIT: case SNP_CMD_PAGE_RECLAIM:
		return 1;
	default:
		return 0;
	}
}

/* --- checkpoints --- */

static int snp_save(void *mon, ccsim_write_fn *write, void *ctx)
{
	const struct snp_mon *p = mon;
	const struct snp_fw *fw = &p->fw;
	struct sim_buf b;
	sim_buf_init(&b);
	for (size_t i = 0; i < G_N_ELEMENTS(snp_fields); i++)
		sim_buf_put_field(&b, p, &snp_fields[i]);
	sim_buf_put_u64(&b, fw->state);
	sim_buf_put_u64(&b, fw->cfg.rmp_preinitialized);
	sim_buf_put_u64(&b, fw->alias_check_complete);
	sim_buf_put(&b, fw->guests, sizeof(fw->guests));
	sim_buf_put(&b, fw->asid_flush_pending, sizeof(fw->asid_flush_pending));
	sim_buf_put_u64(&b, fw->df_flush_required);
	sim_buf_put_u64(&b, fw->df_flushes);
	write(ctx, b.data, b.len);
	sim_buf_free(&b);
	return 0;
}

static int snp_restore(void *mon, uint32_t version, const void *blob, size_t len)
{
	struct snp_mon *p = mon;
	struct snp_fw *fw = &p->fw;
	struct sim_reader in;
	if (version != SNP_STATE_VERSION)
		return -1;
	sim_reader_init(&in, blob, len);
	for (size_t i = 0; i < G_N_ELEMENTS(snp_fields); i++)
		sim_reader_field(&in, p, &snp_fields[i]);
	uint64_t st = sim_reader_u64(&in);
	fw->cfg.rmp_preinitialized = sim_reader_u64(&in) != 0;
	fw->alias_check_complete = sim_reader_u64(&in) != 0;
	if (st > SNP_PLATFORM_INIT || !sim_reader_get(&in, fw->guests, sizeof(fw->guests)) ||
	    !sim_reader_get(&in, fw->asid_flush_pending, sizeof(fw->asid_flush_pending)))
		return -1;
	fw->state = (enum snp_platform_state)st;
	fw->df_flush_required = sim_reader_u64(&in) != 0;
	fw->df_flushes = sim_reader_u64(&in);
	for (unsigned i = 0; i < SNP_MAX_GUESTS; i++)
		if (fw->guests[i].nruns > SNP_MAX_LAUNCH_RUNS)
			return -1;
	p->activity++;
	return in.failed || in.pos != len ? -1 : 0;
}

/* --- questions --- */

static int answer(void *out, size_t len, const uint64_t *v, size_t n)
{
	if (len != n * sizeof(uint64_t))
		return -1;
	memcpy(out, v, len);
	return 0;
}

/* The simulator's look at an RMP entry and at a guest's state in its
 * context page: no time, no cache effect. */
static int peek_entry(struct snp_mon *p, uint64_t spa, struct rmp_entry *e)
{
	uint8_t raw[RMP_ENTRY_BYTES];
	if (p->svc->rmp_read(p->host, spa, raw, NULL))
		return -1;
	rmp_entry_decode(raw, e);
	return 0;
}

static int peek_gstate(struct snp_mon *p, uint64_t gctx_pa, uint32_t *state)
{
	uint8_t b[4];
	struct ccsim_mem_req q = { .pa = gctx_pa + SNP_GCTX_STATE, .len = 4, .key = (int32_t)p->fw_slot,
				   .flags = CCSIM_MEM_PEEK };
	struct ccsim_fault f;
	if (p->svc->mem(p->host, &q, b, &f, NULL))
		return -1;
	*state = sim_le32_load(b);
	return 0;
}

/* SNP ABI (56860) 5.2 / 8.14: the guest context page is a firmware page
 * (assigned, ASID 0, immutable) while the guest exists; LAUNCH_UPDATE
 * pages stay immutable and assigned to the guest until LAUNCH_FINISH;
 * each ASID is bound to one guest at a time (ACTIVATE refuses one in use). */
static void invariant(struct snp_mon *p, char *msg, size_t len)
{
	const struct snp_fw *fw = &p->fw;
	msg[0] = '\0';
	for (unsigned i = 0; i < SNP_MAX_GUESTS; i++) {
		const struct snp_guest *g = &fw->guests[i];
		struct rmp_entry e;
		uint32_t gs;
		if (!g->in_use)
			continue;
		if (peek_entry(p, g->gctx_pa, &e) == 0 && (!e.assigned || !e.immutable || e.asid != 0)) {
			snprintf(msg, len, "RMP and SNP firmware disagree: guest context 0x%llx is not a "
				 "firmware page in the RMP (assigned %d, immutable %d, ASID %u)",
				 (unsigned long long)g->gctx_pa, e.assigned, e.immutable, e.asid);
			return;
		}
		for (unsigned j = i + 1; j < SNP_MAX_GUESTS; j++) {
			const struct snp_guest *h = &fw->guests[j];
			if (h->in_use && g->asid && h->asid == g->asid) {
				snprintf(msg, len, "one ASID, two guests: contexts 0x%llx and 0x%llx both "
					 "hold ASID %u", (unsigned long long)g->gctx_pa,
					 (unsigned long long)h->gctx_pa, g->asid);
				return;
			}
			if (h->in_use && h->gctx_pa == g->gctx_pa) {
				snprintf(msg, len, "two guests share the context page 0x%llx",
					 (unsigned long long)g->gctx_pa);
				return;
			}
		}
		/* the state lives in the context page, under the firmware's key */
		if (peek_gstate(p, g->gctx_pa, &gs) || gs != SNP_GSTATE_LAUNCH)
			continue;
		for (unsigned r = 0; r < g->nruns; r++)
			for (uint64_t k = 0; k < g->runs[r].pages; k++) {
				uint64_t spa = g->runs[r].spa + k * RMP_PAGE_4K;
				if (peek_entry(p, spa, &e))
					continue;
				if (!e.assigned || !e.immutable || (g->asid && e.asid != g->asid)) {
					snprintf(msg, len, "RMP and SNP firmware disagree: launch page 0x%llx "
						 "of guest 0x%llx is not immutable and assigned to it "
						 "(assigned %d, immutable %d, ASID %u)",
						 (unsigned long long)spa, (unsigned long long)g->gctx_pa,
						 e.assigned, e.immutable, e.asid);
					return;
				}
			}
	}
}

static int snp_query(void *mon, uint32_t what, uint64_t arg, void *out, size_t len)
{
	struct snp_mon *p = mon;
	const struct snp_fw *fw = &p->fw;
	switch (what) {
	case CCSIM_QUERY_PLATFORM_STATE: {
		uint64_t v = fw->state;
		return answer(out, len, &v, 1);
	}
	case CCSIM_QUERY_ASID_GUESTS: {
		uint64_t v[3] = { 0, 0, 0 };
		for (unsigned i = 0; i < SNP_MAX_GUESTS && arg; i++)
			if (fw->guests[i].in_use && fw->guests[i].asid == arg && v[0]++ < 2)
				v[v[0]] = fw->guests[i].gctx_pa;
		return answer(out, len, v, 3);
	}
	case CCSIM_QUERY_ASID_FLUSH_PENDING: {
		uint64_t v = arg < RMP_ASID_LIMIT && !snp_asid_reusable(fw, (uint32_t)arg);
		return answer(out, len, &v, 1);
	}
	case CCSIM_QUERY_CALL_RESULTS: {
		uint64_t n = 1;
		return answer(out, len, &n, 1);
	}
	case CCSIM_QUERY_ACTIVITY:
		return answer(out, len, &p->activity, 1);
	case CCSIM_QUERY_INVARIANT:
		if (!len)
			return -1;
		invariant(p, out, len);
		return 0;
	case CCSIM_QUERY_REPORT_MEASURED: {
		if (len != SNP_REPORT_LEN)
			return -1;
		int r = snp_report_measured(fw, out);
		uint64_t v = r < 0 ? UINT64_MAX : (uint64_t)r;
		memcpy(out, &v, sizeof(v));
		return 0;
	}
	default:
		return -1;
	}
}

static void snp_stats(void *mon, ccsim_stat_fn *emit, void *ctx)
{
	struct snp_mon *p = mon;
	emit(ctx, "snp.commands", CCSIM_STAT_COUNT, &p->stat_cmds,
	     "SNP firmware commands the hypervisor sent");
	emit(ctx, "snp.errors", CCSIM_STAT_COUNT, &p->stat_errors,
	     "commands that returned a status other than SUCCESS");
}

/* --- creation --- */

static void *snp_create(const struct ccsim_monitor_services *svc, void *host, char *err,
			size_t errlen)
{
	struct snp_mon *p = g_new0(struct snp_mon, 1);
	uint64_t arch = 0, rmp = 0, base = 0, end = 0, pa_bits = 0, mode = 0, min_asid = 0, gate = 0;
	uint64_t alias = 0, sockets = 0, slot = 0, seed = 0;
	p->svc = svc;
	p->host = host;
	const struct mon_param keys[] = {
		{ "platform.arch", &arch }, { "rmp.enabled", &rmp }, { "rmp.base", &base },
		{ "rmp.end", &end }, { "mem.pa_bits", &pa_bits }, { "memenc.mode", &mode },
		{ "sev.min_sev_asid", &min_asid }, { "sev.asid_flush_gate", &gate },
		{ "sev.snp_alias_check", &alias }, { "sev.sockets", &sockets },
		{ "machine.fw_slot", &slot }, { "sim.seed", &seed },
	};
	if (!mon_params(svc, host, "snp", keys, G_N_ELEMENTS(keys), err, errlen))
		goto fail;
	if (arch != MON_ARCH_SEV_SNP || !rmp || !svc->rmp_read || !svc->rmp_write) {
		snprintf(err, errlen, "snp: the SNP firmware runs on sev-snp machines with an RMP "
			 "(rmp.enabled = true)");
		goto fail;
	}
	struct snp_fw_config cfg;
	snp_fw_config_default(&cfg);
	cfg.rmp = rmp_config_of(base, end, (unsigned)pa_bits);
	cfg.rmp_preinitialized = true; /* the platform built the table (rmp_init_table) */
	cfg.min_sev_asid = (uint32_t)min_asid;
	cfg.no_asid_gate = !gate;
	cfg.alias_check = alias != 0;
	cfg.sockets = (unsigned)sockets;
	struct snp_fw_io io = {
		.rmp = { rmp_read, rmp_write, p },
		.mem = { mem_read, mem_write, p },
		.ctx = { ctx_read, ctx_write, p },
		.aliased = aliased, .aliased_ctx = p,
		.mem_key = set_mem_key, .mem_key_ctx = p,
	};
	snp_fw_init(&p->fw, &cfg, &io, seed);
	p->fw_slot = (uint32_t)slot;
	p->key_flags = mode != 0 ? 1u : 0u; /* memenc.mode's first value: none */
	p->asid_gate = gate != 0;
	/* the AMD-SP's own key, loaded when it starts */
	if (svc->key_program(host, p->fw_slot, p->fw_slot, p->key_flags)) {
		snprintf(err, errlen, "snp: cannot load the AMD-SP's key into slot %u", p->fw_slot);
		goto fail;
	}
	return p;
fail:
	g_free(p);
	return NULL;
}

static void snp_destroy(void *mon)
{
	g_free(mon);
}

static const struct ccsim_monitor_ops snp_ops = {
	.abi_version = CCSIM_MONITOR_ABI_VERSION,
	.kind = CCSIM_MONITOR_SNP,
	.name = "snp",
	.description = "ccsim's SEV-SNP firmware (AMD 56860 rev. 1.55)",
	.state_version = SNP_STATE_VERSION,
	.create = snp_create,
	.destroy = snp_destroy,
	.owns_call = snp_owns_call,
	.call = snp_call,
	.save = snp_save,
	.restore = snp_restore,
	.stats = snp_stats,
	.query = snp_query,
	.call_buf = snp_call_buf,
};

const struct ccsim_monitor_ops *snp_monitor_ops(void)
{
	return &snp_ops;
}
