/* The host stack's TDX personality (hv_tdx.c) with the guest kernel booting
 * as a TD: the build through the module's SEAMCALLs, the run's exits
 * (PAGE.AUG and accept, MapGPA, MMIO, hypercalls) and the teardown that
 * returns every page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "models/monitor/attest/tdx_quote.h"
#include "models/monitor/tdx/tdx.h"
#include "models/monitor/tdx/tdx_internal.h"
#include "models/platform/machine.h"
#include "models/platform/machine_mon.h"
#include "stacks/host/hv.h"
#include "sim/buf.h"
#include "stacks/host/tests/hv_fixture.h"

/* The module in the machine's TDX slot: what these tests look into. */
#define FX_TDX(f) ((struct tdx *)machine_mon_instance((f)->m.tdx_mon))

static const uint8_t secret[8] = "td-7531";

static const struct guest_op store_and_call[] = {
	{ .kind = GOP_STORE, .a = GUEST_FREE, .data = secret, .len = sizeof(secret) },
	{ .kind = GOP_MMIO_READ, .a = GUEST_DEV_ID },
	{ .kind = GOP_HOST_CALL, .a = 1 },
};

static struct hv_guest *make_td_ops(struct hfx *f, const char *name, uint64_t vmid,
				    const struct guest_op *ops, size_t nops, struct hv_result *r)
{
	struct hv_guest_config c = { .k = { .ram_size = GUEST_MIN_RAM, .ops = ops, .nops = nops },
				     .pool = HV_POOL_DEFAULT + (vmid - 1) * HV_POOL_SIZE,
				     .vmid = vmid, .max_exits = 100000 };
	char err[256];
	struct hv_guest *g = hv_guest_new(&f->sim, &f->m, &f->host, name, &c, err, sizeof(err));
	assert_non_null(g);
	assert_int_equal(hv_guest_load(g, r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_create(g, r, err, sizeof(err)), 0);
	return g;
}

static struct hv_guest *make_td(struct hfx *f, const char *name, uint64_t vmid,
				struct hv_result *r)
{
	return make_td_ops(f, name, vmid, store_and_call, G_N_ELEMENTS(store_and_call), r);
}

/* KVM's build: the module initialised on the way, the TD RUNNABLE with its
 * one vCPU, an HKID above the global KeyID, MRTD sealed (not zero). */
static void test_build(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("tdx");
	struct hv_result r;
	struct hv_guest *g = make_td(f, "g0", 1, &r);
	assert_int_equal(r.status, TDX_SUCCESS);
	assert_int_equal(FX_TDX(f)->sys_state, TDX_SYS_READY);
	struct tdx_td_info ti;
	assert_int_equal(tdx_td_info(FX_TDX(f), g->rd, &ti), 0);
	assert_int_equal(ti.lifecycle, TD_KEYS_CONFIGURED);
	assert_int_equal(ti.op_state, OP_STATE_RUNNABLE);
	assert_int_equal(ti.num_vcpus, 1);
	assert_int_equal(ti.hkid, FX_TDX(f)->global_keyid + 1);
	uint8_t zero[48] = { 0 };
	assert_memory_not_equal(ti.mrtd, zero, sizeof(zero));
	hfx_free(f);
}

/* The run: the kernel's 16 pages and the workload's are AUGed on EPT
 * violations and accepted; MapGPA takes the 4 bounce pages out of the
 * Secure EPT; the MMIO read and the host call reach the host; the secret
 * sits in a private page the host reads only as ciphertext. */
static void test_run(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("tdx");
	struct hv_result r;
	char err[256];
	struct hv_guest *g = make_td(f, "g0", 1, &r);
	assert_int_equal(hv_guest_run(g, 0, RMI_EXIT_COUNT, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, TDX_SUCCESS);
	assert_int_equal(g->state, HV_OFF);
	assert_int_equal(g->n.panicked, 0);
	assert_int_equal(g->n.ripas_changes, GUEST_BOUNCE_SIZE / 4096);
	assert_int_equal(g->n.populate, (GUEST_FREE - GUEST_KDATA) / 4096 + 1);
	assert_int_equal(g->n.host_calls, 1);
	assert_true(g->n.mmio >= 2); /* the ID read and the tick report */
	uint8_t got[8];
	struct cc_fault fl;
	uint64_t cyc;
	assert_int_equal(cpu_load(&f->host, hv_guest_page_pa(g, GUEST_FREE), got, 8, &fl, &cyc), 0);
	assert_memory_not_equal(got, secret, sizeof(got));
	hfx_free(f);
}

/* Teardown: the HKID back in the Key Ownership Table, every page the TD
 * held reclaimed (none left to the TD in the PAMT: a second TD gets the
 * same HKID and builds). */
static void test_teardown(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("tdx");
	struct hv_result r;
	char err[256];
	struct hv_guest *g = make_td(f, "g0", 1, &r);
	assert_int_equal(hv_guest_run(g, 0, RMI_EXIT_COUNT, &r, err, sizeof(err)), 0);
	uint64_t hkid = g->asid;
	assert_int_equal(hv_guest_destroy(g, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, TDX_SUCCESS);
	assert_int_equal(FX_TDX(f)->kot[hkid], KOT_STATE_HKID_FREE);
	struct tdx_td_info ti;
	assert_int_not_equal(tdx_td_info(FX_TDX(f), g->rd, &ti), 0); /* no TDR any more */
	struct hv_guest *g2 = make_td(f, "g1", 2, &r);
	assert_int_equal(r.status, TDX_SUCCESS);
	assert_int_equal(g2->asid, hkid);
	char msg[256];
	assert_int_equal(tdx_inv_check(FX_TDX(f), msg, sizeof(msg)), 0);
	hfx_free(f);
}

/* Attestation: the TD's GetQuote comes back with a DCAP quote the host
 * keeps as its evidence; it verifies to the platform of the seed and
 * carries the TD's MRTD and its challenge as REPORTDATA. The guest sees
 * GET_QUOTE_SUCCESS and the quote in its shared buffer. */
static void test_quote(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("tdx");
	struct hv_result r;
	char err[256];
	struct hv_guest_config c = { .k = { .ram_size = GUEST_MIN_RAM, .ops = store_and_call,
					    .nops = G_N_ELEMENTS(store_and_call), .attest = true },
				     .pool = HV_POOL_DEFAULT, .vmid = 1, .max_exits = 100000 };
	memcpy(c.k.challenge, "td challenge", 12);
	struct hv_guest *g = hv_guest_new(&f->sim, &f->m, &f->host, "g0", &c, err, sizeof(err));
	assert_non_null(g);
	assert_int_equal(hv_guest_load(g, &r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_create(g, &r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_run(g, 0, RMI_EXIT_COUNT, &r, err, sizeof(err)), 0);
	assert_int_equal(g->n.panicked, 0);
	assert_int_equal(g->token->len, TDX_QUOTE_LEN);
	struct tdx_quote_view v;
	assert_int_equal(tdx_quote_verify(g->token->data, g->token->len, f->sim.seed, &v, err,
					  sizeof(err)), 0);
	struct tdx_td_info ti;
	assert_int_equal(tdx_td_info(FX_TDX(f), g->rd, &ti), 0);
	assert_memory_equal(v.body + TDX_QB_MRTD, ti.mrtd, TDX_QUOTE_MR_LEN);
	uint8_t want[TDX_QUOTE_REPORTDATA_LEN] = "td challenge";
	assert_memory_equal(v.body + TDX_QB_REPORTDATA, want, sizeof(want));
	/* the buffer as the guest reads it: status, out_len, the quote */
	uint8_t hdr[TDX_QBUF_DATA];
	struct cc_fault fl;
	uint64_t cyc;
	uint64_t pa = hv_guest_page_pa(g, GUEST_BOUNCE | 1ull << 47);
	assert_int_equal(cpu_load(&f->host, pa, hdr, sizeof(hdr), &fl, &cyc), 0);
	assert_int_equal(sim_le64_load(hdr + TDX_QBUF_STATUS), TDX_GET_QUOTE_SUCCESS);
	assert_int_equal(sim_le32_load(hdr + TDX_QBUF_OUT_LEN), TDX_QUOTE_LEN);
	hfx_free(f);
}

/* What the host tries on a TD goes through the module, which refuses: an
 * exception to inject (the VM-entry interruption field is not
 * host-writable), another HKID for the vCPU, another TD's page in its
 * Secure EPT (the PAMT has it as that TD's). A page the PAMT has free is
 * AUGed; interrupts are posted. */
static void test_host_attempts(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("tdx");
	struct hv_result r;
	char err[256];
	struct hv_guest *g = make_td(f, "g0", 1, &r);
	struct hv_guest *g1 = make_td(f, "g1", 2, &r);
	assert_int_equal(hv_guest_run(g, 0, RMI_EXIT_COUNT, &r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_inject(g, 0x1234, 0, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, TDX_METADATA_FIELD_NOT_WRITABLE);
	assert_int_equal(r.x1, 1);
	assert_int_equal(g->n.injections_refused, 1);
	assert_int_equal(hv_guest_vmcb(g1, (int64_t)g->asid, hv_guest_regs_pa(g), &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, TDX_METADATA_FIELD_NOT_WRITABLE);
	assert_int_equal(r.x1, g1->asid); /* its HKID unchanged */
	assert_int_equal(r.x2, hv_guest_regs_pa(g1));
	uint64_t theirs = hv_guest_page_pa(g, GUEST_FREE);
	assert_int_equal(hv_guest_map(g1, GUEST_FREE, theirs, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_R8);
	assert_int_equal(hv_guest_map(g1, GUEST_FREE, 0xA0000000, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, TDX_SUCCESS);
	assert_int_equal(hv_guest_inject(g1, 0, 0, 40, &r, err, sizeof(err)), 0);
	assert_int_equal(r.x1, 0);
	char msg[256];
	assert_int_equal(tdx_inv_check(FX_TDX(f), msg, sizeof(msg)), 0);
	hfx_free(f);
}

/* The page-fault channel on a TD: host.guest_unmap blocks the page
 * (BLOCK + TRACK, its data kept); the TD's next load from it exits with an
 * EPT violation naming the page, which the host records and unblocks, and
 * the TD reads its own data on. */
static void test_unmap_channel(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("tdx");
	struct hv_result r;
	char err[256];
	static const struct guest_op ops[] = {
		{ .kind = GOP_STORE, .a = GUEST_FREE + 0x1000, .data = secret, .len = sizeof(secret) },
		{ .kind = GOP_HOST_CALL, .a = 1 },
		{ .kind = GOP_LOAD, .a = GUEST_FREE + 0x1008, .b = 8 },
		{ .kind = GOP_HOST_CALL, .a = 2 },
	};
	struct hv_guest *g = make_td_ops(f, "g0", 1, ops, G_N_ELEMENTS(ops), &r);
	assert_int_equal(hv_guest_run(g, 0, RMI_EXIT_HOST_CALL, &r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_unmap(g, GUEST_FREE + 0x1000, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, TDX_SUCCESS);
	assert_int_equal(g->n.traps, 0);
	assert_int_equal(hv_guest_run(g, 0, RMI_EXIT_COUNT, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, TDX_SUCCESS);
	assert_int_equal(g->state, HV_OFF);
	assert_int_equal(g->n.panicked, 0);
	assert_int_equal(g->n.traps, 1);
	assert_int_equal(g->n.last_trap, GUEST_FREE + 0x1000); /* the page, not the offset */
	assert_int_equal(g->n.host_calls, 2);
	hfx_free(f);
}

/* A tdx machine with a bare TD built (hv_tdx_bare_create) in b. */
static struct hfx *bare_machine(struct hv_tdx_bare *b, uint64_t *cyc)
{
	struct hfx *f = hfx_new("tdx");
	*b = (struct hv_tdx_bare){ .region = 0xbff00000ull, .hkid = 33 };
	assert_int_equal(hv_tdx_bare_create(&f->m, &f->host, b, cyc), TDX_SUCCESS);
	return f;
}

/* A vm actor as the TD's vCPU, and its accept, through the module's slot
 * (ccsim's own calls, tdx_abi.h). */
static int vp_cpu(struct hfx *f, uint64_t tdvpr, struct cpu *vcpu)
{
	struct ccsim_guest_regime g;
	if (hv_tdx_sim_call(&f->m, 0, TDX_SIM_VP_REGIME, tdvpr, 0, &g, sizeof(g), true, NULL))
		return -1;
	return machine_mon_regime_cpu(&f->m, WORLD_NS, &g, vcpu);
}

static uint64_t td_accept(struct hfx *f, uint64_t tdr, uint64_t gpa, uint64_t *cyc)
{
	return hv_tdx_sim_call(&f->m, 0, TDX_SIM_TD_ACCEPT, tdr, gpa, NULL, 0, true, cyc);
}

/* A bare TD for a scenario's vm: built and finalised with no image; a page
 * the host AUGs is the TD's once accepted: its vCPU reads back what it
 * stored through the Secure EPT under the HKID, the host's own read of the
 * page (KeyID 0) returns zeros, a GPA the host never added is an EPT
 * violation, and accepting twice is refused. */
static void test_bare_td(void **state)
{
	(void)state;
	struct hv_tdx_bare b;
	uint64_t cyc = 0, page = 0x80010000ull;
	struct hfx *f = bare_machine(&b, &cyc);
	struct tdx *t = FX_TDX(f);
	struct tdx_td_info ti;
	assert_int_equal(tdx_td_info(t, b.tdr, &ti), 0);
	assert_int_equal(ti.op_state, OP_STATE_RUNNABLE);
	assert_int_equal(ti.hkid, 33);
	assert_int_equal(hv_tdx_bare_aug(&f->m, &f->host, &b, page, page, &cyc), TDX_SUCCESS);
	struct cpu vcpu;
	cpu_init(&vcpu, &f->sim, "td", machine_bus(&f->m), WORLD_NS, 1);
	assert_int_equal(vp_cpu(f, b.tdvpr, &vcpu), 0);
	struct cc_fault fl;
	uint8_t got[8] = { 1 };
	assert_int_equal(cpu_store_va(&vcpu, page, secret, sizeof(secret), &fl, &cyc), 1);
	assert_int_equal(fl.kind, FAULT_MMU_S2); /* PENDING: not the TD's until accepted */
	assert_int_equal(td_accept(f, b.tdr, page, &cyc), TDX_SUCCESS);
	assert_int_equal(tdx_status_class(td_accept(f, b.tdr, page, &cyc)),
			 TDX_PAGE_ALREADY_ACCEPTED);
	assert_int_equal(cpu_store_va(&vcpu, page, secret, sizeof(secret), &fl, &cyc), 0);
	assert_int_equal(cpu_load_va(&vcpu, page, got, sizeof(got), &fl, &cyc), 0);
	assert_memory_equal(got, secret, sizeof(secret));
	assert_int_equal(cpu_load(&f->host, page, got, sizeof(got), &fl, &cyc), 0);
	assert_memory_equal(got, (uint8_t[8]){ 0 }, sizeof(got));
	assert_int_equal(cpu_load_va(&vcpu, page + 0x10000, got, sizeof(got), &fl, &cyc), 1);
	assert_int_equal(fl.kind, FAULT_MMU_S2);
	hfx_free(f);
}

/* The TD's walk of a Secure EPT table the host rewrote through KeyID 0
 * consumes poison: a machine check (mce.poison), not an EPT violation. */
static void test_sept_poison(void **state)
{
	(void)state;
	struct hv_tdx_bare b;
	uint64_t cyc = 0, page = 0x80010000ull;
	struct hfx *f = bare_machine(&b, &cyc);
	assert_int_equal(hv_tdx_bare_aug(&f->m, &f->host, &b, page, page, &cyc), TDX_SUCCESS);
	assert_int_equal(td_accept(f, b.tdr, page, &cyc), TDX_SUCCESS);
	struct cpu vcpu;
	cpu_init(&vcpu, &f->sim, "td", machine_bus(&f->m), WORLD_NS, 1);
	assert_int_equal(vp_cpu(f, b.tdvpr, &vcpu), 0);
	struct cc_fault fl;
	uint8_t got[8];
	assert_int_equal(cpu_load_va(&vcpu, page, got, sizeof(got), &fl, &cyc), 0);
	/* the page table is the last table page the AUG added: the fourth
	 * free region page after the TDR, TDCS, TDVPR and TDVPX pages */
	uint64_t pt = b.region + 13 * 4096ull, leaf = pt + ((page >> 12) & 511) * 8;
	assert_int_equal(cpu_store(&f->host, leaf & ~63ull, (uint8_t[64]){ 0 }, 64, &fl, &cyc), 0);
	assert_int_equal(machine_wbinvd(&f->m, &cyc), 0);
	tlb_inval_vmid(vcpu.tlb, vcpu.tag.world, vcpu.tag.vmid);
	assert_int_equal(cpu_load_va(&vcpu, page, got, sizeof(got), &fl, &cyc), 1);
	assert_int_equal(fl.kind, FAULT_POISON);
	hfx_free(f);
}

/* A DIMM alias present when the module is first initialised (the host's
 * first TD): the boot-time alias check leaves no CMR, TDH.SYS.CONFIG
 * refuses the TDMR, the TD is not built and is never entered. */
static void test_alias_refused(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("tdx");
	struct hv_result r;
	char err[256];
	assert_int_equal(machine_phys_alias(&f->m, 0x40000000, 0x90004000, 4096), 0);
	struct hv_guest *g = make_td(f, "g0", 1, &r);
	assert_int_equal(tdx_status_class(r.status), TDX_TDMR_OUTSIDE_CMRS);
	assert_int_equal(g->state, HV_REFUSED);
	assert_int_not_equal(FX_TDX(f)->sys_state, TDX_SYS_READY);
	assert_int_equal(hv_guest_run(g, 0, RMI_EXIT_COUNT, &r, err, sizeof(err)), 0);
	assert_true(r.not_built);
	assert_int_equal(g->n.exits, 0);
	hfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_teardown),
		cmocka_unit_test(test_host_attempts),
		cmocka_unit_test(test_unmap_channel),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_bare_td),
		cmocka_unit_test(test_alias_refused),
		cmocka_unit_test(test_sept_poison),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
