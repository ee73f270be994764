/* Device DMA through the IOMMU on the machine: translation through the
 * device's own tables, SMMUv3 fault reporting (IHI0070 G.b: translation
 * faults write an event record; a GPC failure on a client access is an
 * external abort with no event, §3.25), and TDX's rule that devices hold no
 * private KeyID. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "models/cpu/cpu.h"
#include "models/monitor/rmm/rmm.h"
#include "models/platform/machine.h"

struct fx {
	struct sim sim;
	struct machine m;
	struct cpu host;
	uint64_t next_table;
};

static struct fx *build(const char *profile)
{
	struct fx *f = test_malloc(sizeof(*f));
	struct platform_config cfg;
	char err[256], path[128];
	memset(f, 0, sizeof(*f));
	snprintf(path, sizeof(path), "models/platform/profiles/%s.ini", profile);
	assert_int_equal(profile_load(path, &cfg, err, sizeof(err)), 0);
	sim_init(&f->sim, 1, cfg.freq_mhz * 1000000ull);
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	cpu_init(&f->host, &f->sim, "host", machine_bus(&f->m), WORLD_NS, 2);
	f->next_table = 0x1000000;
	return f;
}

static void destroy(struct fx *f)
{
	sim_fini(&f->sim);
	test_free(f);
}

static int wr64(void *ctx, uint64_t a, uint64_t v)
{
	struct fx *f = ctx;
	struct cc_fault fault;
	uint64_t c;
	return cpu_store(&f->host, a, &v, 8, &fault, &c) ? -EIO : 0;
}

static int rd64(void *ctx, uint64_t a, uint64_t *v)
{
	struct fx *f = ctx;
	struct cc_fault fault;
	uint64_t c;
	return cpu_load(&f->host, a, v, 8, &fault, &c) ? -EIO : 0;
}

static int alloc_table(void *ctx, uint64_t *a)
{
	struct fx *f = ctx;
	*a = f->next_table;
	f->next_table += 4096;
	return 0;
}

/* A translated stream reaches the page its tables map (4 table reads);
 * an unmapped IOVA is a translation fault with an event record. */
static void test_translated_dma(void **state)
{
	(void)state;
	struct fx *f = build("plain");
	uint64_t root, c = 0;
	uint8_t b[8];
	struct cc_fault fault;
	alloc_table(f, &root);
	struct iommu_stream st = { .valid = true, .pas = PAS_NS, .key = -1,
				   .pt.s1 = { .fmt = PT_FMT_X86, .root = root, .pa_bits = 40, .nxe = true } };
	struct pt_builder bld = { &st.pt.s1, rd64, wr64, alloc_table, f };
	assert_int_equal(pt_map(&bld, root, 0x10000, 0x5000000, 4096, PT_PROT_R | PT_PROT_W | PT_PROT_USER, 0), 0);
	assert_int_equal(iommu_set_stream(&f->m.smmu, 3, &st), 0);
	assert_int_equal(cpu_store(&f->host, 0x5000008, "devbytes", 8, &fault, &c), 0);
	assert_int_equal(iommu_dma(&f->m.smmu, 3, 0x10008, b, 8, false, &fault, &c), 0);
	assert_memory_equal(b, "devbytes", 8);
	assert_int_equal(f->m.smmu.stat_walk_refs, 4);
	assert_int_equal(iommu_dma(&f->m.smmu, 3, 0x20000, b, 8, false, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_IOMMU);
	assert_int_equal(fault.code, PT_FAULT_NOT_PRESENT);
	assert_int_equal(f->m.smmu.stat_events, 1);
	assert_int_equal(iommu_dma(&f->m.smmu, 16, 0, b, 8, false, &fault, &c), -EINVAL);
	destroy(f);
}

/* IHI0070 §3.25: a client access failing the GPC is aborted back to the
 * device with no event record; the delegated granule is untouched. */
static void test_gpc_abort_no_event(void **state)
{
	(void)state;
	struct fx *f = build("cca");
	uint64_t c = 0, regs[SMC_REGS] = { RMI_GRANULE_DELEGATE, 0x80300000 };
	uint8_t b[8];
	struct cc_fault fault;
	cpu_smc(&f->host, regs, &c);
	assert_int_equal(regs[0], RMI_SUCCESS);
	assert_int_equal(iommu_dma(&f->m.smmu, 0, 0x80300000, b, 8, false, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_GPC_GPF);
	assert_int_equal(f->m.smmu.stat_aborts, 1);
	assert_int_equal(f->m.smmu.stat_events, 0);
	/* NS memory is reachable */
	assert_int_equal(iommu_dma(&f->m.smmu, 0, 0x100000, b, 8, false, &fault, &c), 0);
	destroy(f);
}

/* TDX: devices hold no private KeyID; a stream programmed with one is refused. */
static void test_no_private_keyid(void **state)
{
	(void)state;
	struct fx *f = build("cca-mac");
	uint8_t b[8] = { 0 };
	struct cc_fault fault;
	uint64_t c = 0;
	assert_true(memenc_key_private(&f->m.enc, 3));
	struct iommu_stream st = { .valid = true, .bypass = true, .pas = PAS_NS, .key = 3 };
	assert_int_equal(iommu_set_stream(&f->m.smmu, 1, &st), 0);
	assert_int_equal(iommu_dma(&f->m.smmu, 1, 0x100000, b, 8, true, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_DMA_KEY);
	assert_string_equal(cc_fault_name(fault.kind), "iommu.keyid");
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translated_dma),
		cmocka_unit_test(test_gpc_abort_no_event),
		cmocka_unit_test(test_no_private_keyid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
