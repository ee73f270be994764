/* include/ccsim/machine.h: a machine built from a profile and driven access
 * by access with a bus transaction's security attributes (the SystemC
 * adapter's back end, docs/systemc.md). Everything here calls the machine's
 * own functions; checks made only to answer a question (a fault's detail, a
 * DMI request) read by peeking, so they leave the run as it was. */
#include "include/ccsim/machine.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/mmu/gpc.h"
#include "models/mmu/pt.h"
#include "models/mmu/rmp.h"
#include "models/monitor/snp/snp_abi.h"
#include "models/platform/machine.h"
#include "models/platform/profile.h"
#include "sim/buf.h"
#include "sim/sim.h"

struct ccsim_machine {
	struct sim sim;
	struct machine m;
	void (*on_change)(void *ctx, uint64_t generation);
	void *on_change_ctx;
	uint64_t generation_told;
};

int ccsim_machine_new(const char *profile, const char *const *sets, size_t nsets,
		      struct ccsim_machine **out, char *err, size_t errlen)
{
	char path[4096];
	struct platform_config cfg;
	*out = NULL;
	if (profile_find(profile, path, sizeof(path), err, errlen) ||
	    profile_load(path, &cfg, err, errlen))
		return -1;
	for (size_t i = 0; i < nsets; i++)
		if (profile_set(&cfg, sets[i], err, errlen))
			return -1;
	struct ccsim_machine *cm = g_new0(struct ccsim_machine, 1);
	sim_init(&cm->sim, 1, cfg.freq_mhz * 1000000ull);
	if (machine_init(&cm->m, &cm->sim, &cfg, err, errlen)) {
		sim_fini(&cm->sim);
		g_free(cm);
		return -1;
	}
	cm->generation_told = ccsim_machine_generation(cm);
	*out = cm;
	return 0;
}

void ccsim_machine_free(struct ccsim_machine *cm)
{
	if (!cm)
		return;
	sim_fini(&cm->sim);
	g_free(cm);
}

const char *ccsim_machine_profile(const struct ccsim_machine *cm)
{
	return cm->m.cfg.name;
}

const char *ccsim_machine_arch(const struct ccsim_machine *cm)
{
	return arch_name((enum arch_kind)cm->m.cfg.arch);
}

uint64_t ccsim_machine_freq_hz(const struct ccsim_machine *cm)
{
	return cm->sim.freq_hz;
}

uint64_t ccsim_machine_mem_size(const struct ccsim_machine *cm)
{
	return mem_size(&cm->m.mem);
}

uint64_t ccsim_machine_now(const struct ccsim_machine *cm)
{
	return sim_time(&cm->sim);
}

/* --- the generation: what DMI grants depend on --- */

uint64_t ccsim_machine_generation(const struct ccsim_machine *cm)
{
	/* GPT entries changed, RMP entries written, key slots loaded: each
	 * counter only grows, so their sum does too. */
	return cm->m.stat_gpt_changes + cm->m.inv_rmp_writes + cm->m.enc.stat_key_programs;
}

void ccsim_machine_on_change(struct ccsim_machine *cm, void (*fn)(void *ctx, uint64_t generation),
			     void *ctx)
{
	cm->on_change = fn;
	cm->on_change_ctx = ctx;
	cm->generation_told = ccsim_machine_generation(cm);
}

static void tell_change(struct ccsim_machine *cm)
{
	uint64_t g = ccsim_machine_generation(cm);
	if (g == cm->generation_told)
		return;
	cm->generation_told = g;
	if (cm->on_change)
		cm->on_change(cm->on_change_ctx, g);
}

/* --- peeking: checks that change nothing --- */

static int peek_read64(void *ctx, uint64_t pa, uint64_t *val)
{
	struct machine *m = ctx;
	uint8_t b[8];
	int rc = machine_peek(m, machine_key_slot(m, PAS_ROOT), pa, b, sizeof(b));
	*val = sim_le64_load(b);
	return rc;
}

static int peek_rmp_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct machine *m = ctx;
	/* the table is plaintext (machine_rmp.c); the slot is loaded at start-up */
	return machine_peek(m, m->plain_slot, pa, buf, len);
}

static int peek_rmp_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	(void)ctx;
	(void)pa;
	(void)buf;
	(void)len;
	return -EPERM; /* a check never writes */
}

static struct gpc_result gpc_peek(struct machine *m, const struct mem_access *a)
{
	struct gpc_reader rd = { peek_read64, m };
	return gpc_check(&m->gpc, &rd, a->pa, a->pas, a->world);
}

static struct rmp_access rmp_access_of(const struct mem_access *a)
{
	return (struct rmp_access){ .spa = a->pa, .write = a->write, .host = !a->guest,
				    .asid = a->asid, .gpa = a->gpa, .private_ = a->priv,
				    .vmpl = a->vmpl };
}

static void rmp_peek_rw(struct machine *m, const struct mem_access *a, struct rmp_result *rd,
			struct rmp_result *wr)
{
	struct rmp_io io = { peek_rmp_read, peek_rmp_write, m };
	struct rmp_access ra = rmp_access_of(a);
	rmp_check_rw(&m->rmp, &io, &ra, rd, wr);
}

/* --- accesses --- */

/* The private KeyIDs: the top tdx.private_keyids of 2^tdx.keyid_bits. */
static bool tdx_keyid_private(const struct machine *m, uint32_t keyid)
{
	uint64_t keyids = 1ull << m->cfg.tdx_keyid_bits;
	return keyid < keyids && keyid >= keyids - m->cfg.tdx_private_keyids;
}

/* The machine's access for a transaction's attributes: 0, 1 with *f (a
 * fault of the attributes themselves), or -EINVAL. */
static int access_of(struct ccsim_machine *cm, const struct ccsim_attrs *at, uint64_t pa,
		     bool write, struct mem_access *a, struct cc_fault *f)
{
	struct machine *m = &cm->m;
	enum cc_pas pas = PAS_NS;
	int32_t key = -1;
	if (at->core >= m->cfg.cores)
		return -EINVAL;
	*a = (struct mem_access){ .pa = pa, .write = write, .core = at->core, .src = m->src };
	switch ((enum arch_kind)m->cfg.arch) {
	case ARCH_CCA:
		pas = (enum cc_pas)ccsim_pas_of(at->nse, at->ns);
		break;
	case ARCH_SEV:
	case ARCH_SEV_ES:
	case ARCH_SEV_SNP:
		/* APM vol. 2 15.34.5: a guest's C-bit picks its ASID's key, a
		 * clear one the hypervisor's (the host's key, slot 0, as the
		 * modelled vCPU does); the host's C-bit its SME key, a clear
		 * one plaintext. */
		if (at->guest && at->asid >= m->cfg.key_slots)
			return -EINVAL;
		a->guest = at->guest;
		a->priv = at->guest && at->c_bit;
		a->asid = at->asid;
		a->gpa = at->guest ? at->gpa : pa;
		a->vmpl = at->vmpl;
		key = at->guest ? (at->c_bit ? (int32_t)at->asid : 0)
				: (at->c_bit ? 0 : (int32_t)machine_plain_slot(m));
		break;
	case ARCH_TDX:
		if (at->keyid >= m->enc.cfg.slots)
			return -EINVAL;
		key = (int32_t)at->keyid;
		/* Outside SEAM (neither the TDX module nor a TD) a private KeyID
		 * is a reserved PA bit pattern: the access takes #PF(RSVD)
		 * (Intel TDX Module Base Architecture Specification, "Physical
		 * Memory": private KeyIDs only SEAM mode may use). */
		if (!at->td && tdx_keyid_private(m, at->keyid)) {
			*f = (struct cc_fault){ .kind = FAULT_MMU_S1, .code = PT_FAULT_RSVD, .addr = pa };
			return 1;
		}
		break;
	case ARCH_S390_SE:
		/* a secure guest's access names its configuration (the UV's id,
		 * 1-based) and guest address; the ultravisor checks both */
		a->guest = at->guest;
		a->asid = at->asid;
		a->gpa = at->guest ? at->gpa : pa;
		break;
	case ARCH_PLAIN:
		break;
	}
	a->pas = pas;
	a->world = (enum cc_world)pas; /* the world whose own PAS it is */
	a->el = pas == PAS_ROOT ? 3 : 1;
	a->key = key;
	return 0;
}

/* The finer name of a fault, found by peeking at the tables that gave it. */
static const char *fault_detail(struct ccsim_machine *cm, const struct mem_access *a,
				const struct cc_fault *f)
{
	struct machine *m = &cm->m;
	switch (f->kind) {
	case FAULT_GPC_GPF:
	case FAULT_GPC_WALK:
	case FAULT_GPC_ADDR_SIZE:
	case FAULT_GPC_EABT: {
		struct mem_access fa = *a;
		fa.pa = f->addr;
		return gpi_name(gpc_peek(m, &fa).gpi); /* the granule's GPI */
	}
	case FAULT_RMP_PF:
	case FAULT_RMP_NPF:
	case FAULT_RMP_VC: {
		struct rmp_result rd, wr;
		struct mem_access fa = *a;
		fa.pa = f->addr;
		if (!rmp_covers(&m->rmp, fa.pa, 1))
			return rmp_fault_name((enum rmp_fault)f->code);
		rmp_peek_rw(m, &fa, &rd, &wr);
		return rmp_check_name(a->write ? wr.check : rd.check); /* the rule that denied it */
	}
	case FAULT_MMU_S1:
		return "private_keyid";
	case FAULT_POISON:
		return "integrity";
	case FAULT_BUS_RANGE:
		return "beyond_pa_bits";
	default:
		return cc_fault_name(f->kind);
	}
}

static void result_fault(struct ccsim_machine *cm, const struct mem_access *a,
			 const struct cc_fault *f, struct ccsim_result *res)
{
	res->fault = (struct ccsim_fault){
		.kind = cc_fault_name(f->kind), .detail = fault_detail(cm, a, f), .addr = f->addr,
		.code = f->code, .level = f->level,
	};
}

int ccsim_machine_access(struct ccsim_machine *cm, uint64_t pa, void *buf, size_t len, bool write,
			 const struct ccsim_attrs *at, struct ccsim_result *res)
{
	struct machine *m = &cm->m;
	struct mem_access a;
	struct cc_fault f = { 0 };
	uint64_t t0 = sim_time(&cm->sim), spent = 0;
	*res = (struct ccsim_result){ .fault = { .kind = "none", .detail = "" } };
	if (len == 0)
		return -EINVAL;
	int rc = access_of(cm, at, pa, write, &a, &f);
	if (rc == 0 && a.key >= 0 && !memenc_key_valid(&m->enc, (unsigned)a.key))
		rc = -ENOKEY;
	struct bus_port bus = machine_bus(m);
	uint8_t *p = buf;
	while (rc == 0 && len) {
		uint32_t chunk = 64 - (uint32_t)(pa & 63);
		if (chunk > len)
			chunk = (uint32_t)len;
		a.pa = pa;
		a.len = chunk;
		rc = bus_access(&bus, &a, p, &f, &spent);
		if (a.guest)
			a.gpa += chunk;
		pa += chunk;
		p += chunk;
		len -= chunk;
	}
	sim_set_time(&cm->sim, t0 + spent);
	res->cycles = spent;
	if (rc == 1)
		result_fault(cm, &a, &f, res);
	tell_change(cm); /* a first plaintext access loads its slot */
	return rc;
}

/* --- the physical view --- */

static int phys_rw(struct ccsim_machine *cm, uint64_t pa, uint8_t *p, size_t len, bool write)
{
	struct mem *mem = &cm->m.mem;
	if (len > mem_size(mem) || pa > mem_size(mem) - len)
		return -ERANGE;
	while (len) {
		size_t chunk = MEM_PAGE_SIZE - (pa & (MEM_PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		uint64_t cell = mem_decode(mem, pa); /* the decoder maps whole pages */
		int rc = write ? mem_cell_write(mem, cell, p, chunk) : mem_cell_read(mem, cell, p, chunk);
		if (rc)
			return rc;
		pa += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int ccsim_machine_phys_read(struct ccsim_machine *cm, uint64_t pa, void *buf, size_t len)
{
	return phys_rw(cm, pa, buf, len, false);
}

int ccsim_machine_phys_write(struct ccsim_machine *cm, uint64_t pa, const void *buf, size_t len)
{
	return phys_rw(cm, pa, (uint8_t *)buf, len, true);
}

int ccsim_machine_wbinvd(struct ccsim_machine *cm, uint64_t *cycles)
{
	return machine_wbinvd(&cm->m, cycles);
}

/* --- monitor and firmware calls --- */

void ccsim_machine_smc(struct ccsim_machine *cm, const struct ccsim_attrs *at, uint64_t regs[8],
		       uint64_t *cycles)
{
	enum cc_world w = (enum cc_world)ccsim_pas_of(at->nse, at->ns);
	uint64_t t0 = sim_time(&cm->sim), spent = 0;
	struct bus_port bus = machine_bus(&cm->m);
	bus_smc(&bus, w, w == WORLD_ROOT ? 3 : 2, regs, &spent);
	sim_set_time(&cm->sim, t0 + spent);
	*cycles = spent;
	tell_change(cm);
}

static int rmp_op_done(struct ccsim_machine *cm, const struct rmp_op_result *r, uint64_t c0,
		       struct ccsim_fault *fault, uint64_t *cycles)
{
	*cycles = cm->m.rmp_io_ctx.cycles - c0;
	tell_change(cm);
	if (r->fault.fault == RMP_OK)
		return (int)r->status;
	*fault = (struct ccsim_fault){ .kind = cc_fault_name(machine_rmp_fault_kind(r->fault.fault)),
				       .detail = rmp_check_name(r->fault.check),
				       .code = (uint32_t)r->fault.fault };
	return -1;
}

/* RMPUPDATE of spa with *e, or (e NULL) PVALIDATE of *pg. */
static int rmp_instr(struct ccsim_machine *cm, uint64_t spa, const struct rmp_entry *e,
		     const struct rmp_guest_page *pg, bool validate, struct ccsim_fault *fault,
		     uint64_t *cycles)
{
	struct machine *m = &cm->m;
	*cycles = 0;
	if (!m->cfg.rmp)
		return -ENODEV;
	struct rmp_io io = machine_rmp_io(m);
	uint64_t c0 = m->rmp_io_ctx.cycles;
	struct rmp_op_result r = e ? rmp_update(&m->rmp, &io, spa, e)
				   : rmp_pvalidate(&m->rmp, &io, pg, validate);
	int rc = rmp_op_done(cm, &r, c0, fault, cycles);
	/* where TLBs keep RMP verdicts the hardware does not flush, the host
	 * shoots the page's translations down itself (as Linux does) */
	if (e && rc == RMP_SUCCESS && !m->cfg.rmp_tlb_coherent)
		machine_tlb_shootdown_page(m, spa, cycles);
	return rc;
}

int ccsim_machine_rmpupdate(struct ccsim_machine *cm, uint64_t spa, uint32_t asid, uint64_t gpa,
			    bool immutable, struct ccsim_fault *fault, uint64_t *cycles)
{
	struct rmp_entry e = { .assigned = asid != 0 || immutable, .asid = asid, .gpa = gpa,
			       .immutable = immutable };
	return rmp_instr(cm, spa, &e, NULL, false, fault, cycles);
}

int ccsim_machine_pvalidate(struct ccsim_machine *cm, uint64_t spa, uint32_t asid, uint64_t gpa,
			    bool validate, struct ccsim_fault *fault, uint64_t *cycles)
{
	struct rmp_guest_page pg = { .spa = spa, .gpa = gpa, .asid = asid };
	return rmp_instr(cm, spa, NULL, &pg, validate, fault, cycles);
}

int ccsim_machine_snp(struct ccsim_machine *cm, const char *cmd, const uint64_t args[4],
		      uint64_t *cycles)
{
	static const struct { const char *name; uint64_t cmd; unsigned nargs; } cmds[] = {
		{ "init", SNP_CMD_INIT, 0 }, { "launch_start", SNP_CMD_LAUNCH_START, 2 },
		{ "activate", SNP_CMD_ACTIVATE, 2 }, { "launch_update", SNP_CMD_LAUNCH_UPDATE, 4 },
		{ "launch_finish", SNP_CMD_LAUNCH_FINISH, 1 }, { "decommission", SNP_CMD_DECOMMISSION, 1 },
		{ "df_flush", SNP_CMD_DF_FLUSH, 0 },
	};
	uint64_t regs[MACHINE_FW_REGS] = { 0 };
	size_t i = 0;
	*cycles = 0;
	if (!cm->m.snp)
		return -ENODEV;
	while (i < sizeof(cmds) / sizeof(cmds[0]) && strcmp(cmd, cmds[i].name) != 0)
		i++;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		return -EINVAL;
	regs[0] = cmds[i].cmd;
	for (unsigned k = 0; k < cmds[i].nargs; k++)
		regs[1 + k] = args[k];
	machine_fw_command(&cm->m, regs, cycles);
	enum snp_status s = (enum snp_status)regs[0];
	tell_change(cm);
	return (int)s;
}

int ccsim_machine_key_program(struct ccsim_machine *cm, unsigned slot, bool encrypt, bool private_)
{
	if (slot >= cm->m.enc.cfg.slots)
		return -EINVAL;
	unsigned flags = (encrypt ? MEMENC_KEY_ENCRYPT : 0) | (private_ ? MEMENC_KEY_PRIVATE : 0);
	int rc = machine_key_program(&cm->m, slot, slot, flags);
	tell_change(cm);
	return rc;
}

/* --- DMI --- */

static int dmi_refuse(struct ccsim_dmi *d, const char *why)
{
	d->reason = why;
	return 0;
}

/* What a grant for a's accesses to the page of pa may allow now (*d), by
 * peeking: 1, or 0 with d->reason. */
static int dmi_rights(struct ccsim_machine *cm, uint64_t pa, const struct ccsim_attrs *at,
		      struct ccsim_dmi *d)
{
	struct machine *m = &cm->m;
	struct mem_access a;
	struct cc_fault f;
	uint64_t page = pa & ~(uint64_t)(MEM_PAGE_SIZE - 1);
	*d = (struct ccsim_dmi){ .start = page, .end = page + MEM_PAGE_SIZE - 1, .reason = "" };
	if (pa >= mem_size(&m->mem))
		return dmi_refuse(d, "beyond the physical address space");
	if (access_of(cm, at, page, false, &a, &f) != 0)
		return dmi_refuse(d, "attributes the machine refuses");
	unsigned key = a.key >= 0 ? (unsigned)a.key : machine_key_slot(m, a.pas);
	if (!memenc_key_valid(&m->enc, key) || memenc_key_encrypts(&m->enc, key) ||
	    m->enc.cfg.mode == MEMENC_MAC || m->enc.cfg.mode == MEMENC_CTR_TREE)
		return dmi_refuse(d, "the engine transforms these lines");
	if (m->mem.decoding || m->mem.bus_logging)
		return dmi_refuse(d, "the DIMM decoder or a bus interposer sits in the path");
	if (m->cfg.gpc && gpc_peek(m, &a).fault != GPC_OK)
		return dmi_refuse(d, "the GPC denies this PAS");
	d->read = d->write = true;
	if (m->cfg.rmp && rmp_covers(&m->rmp, page, MEM_PAGE_SIZE)) {
		struct rmp_result rd, wr;
		rmp_peek_rw(m, &a, &rd, &wr);
		d->read = rd.fault == RMP_OK;
		d->write = wr.fault == RMP_OK;
	}
	if (!d->read)
		return dmi_refuse(d, "the RMP denies reads");
	return 1;
}

int ccsim_machine_dmi(struct ccsim_machine *cm, uint64_t pa, const struct ccsim_attrs *at,
		      struct ccsim_dmi *d)
{
	int ok = dmi_rights(cm, pa, at, d);
	tell_change(cm); /* the attributes may have loaded the plaintext slot */
	if (!ok)
		return 0;
	/* the cells must be current and stay so: no cache keeps a copy */
	uint64_t cycles = 0;
	if (machine_clflush(&cm->m, d->start, MEM_PAGE_SIZE, &cycles))
		return dmi_refuse(d, "cache maintenance failed");
	d->ptr = mem_cell_page(&cm->m.mem, d->start);
	d->generation = ccsim_machine_generation(cm);
	return d->ptr != NULL;
}

bool ccsim_machine_dmi_possible(struct ccsim_machine *cm, uint64_t pa, const struct ccsim_attrs *at)
{
	struct ccsim_dmi d;
	return dmi_rights(cm, pa, at, &d) != 0;
}

bool ccsim_machine_dmi_holds(struct ccsim_machine *cm, const struct ccsim_dmi *d,
			     const struct ccsim_attrs *at)
{
	struct ccsim_dmi now;
	if (d->generation == ccsim_machine_generation(cm))
		return true;
	return dmi_rights(cm, d->start, at, &now) && now.read == d->read && now.write == d->write;
}

/* --- statistics --- */

uint64_t ccsim_machine_stat(const struct ccsim_machine *cm, const char *name)
{
	return sim_stat_get(&cm->sim, name);
}

void ccsim_machine_stats_json(const struct ccsim_machine *cm, FILE *f)
{
	sim_stats_dump_json(&cm->sim, f, 0);
}
