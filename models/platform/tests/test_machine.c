/* The machine's memory path on the bundled profiles: exact cycle counts per
 * stage, ciphertext in DRAM where the profile encrypts, key-tagged lines, and
 * the physical attacker's view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "models/cpu/cpu.h"
#include "models/mmu/gpc.h"
#include "models/mmu/rmp.h"
#include "models/platform/machine.h"

struct fx {
	struct sim sim;
	struct machine m;
	struct cpu host, realm;
};

static struct fx *build_set(const char *profile, const char *const *sets)
{
	struct fx *f = test_malloc(sizeof(*f));
	struct platform_config cfg;
	char err[256], path[256];
	snprintf(path, sizeof(path), "models/platform/profiles/%s.ini", profile);
	assert_int_equal(profile_load(path, &cfg, err, sizeof(err)), 0);
	for (; sets && *sets; sets++)
		assert_int_equal(profile_set(&cfg, *sets, err, sizeof(err)), 0);
	sim_init(&f->sim, 1, cfg.freq_mhz * 1000000ull);
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	cpu_init(&f->host, &f->sim, "host", machine_bus(&f->m), WORLD_NS, 2);
	cpu_init(&f->realm, &f->sim, "realm", machine_bus(&f->m),
		 cfg.arch == ARCH_CCA ? WORLD_REALM : WORLD_NS, 1);
	return f;
}

static struct fx *build(const char *profile)
{
	return build_set(profile, NULL);
}

static void destroy(struct fx *f)
{
	sim_fini(&f->sim);
	test_free(f);
}

/* plain (the EPYC 9334 host): DRAM miss = L1 lookup 4 + L2 lookup 10 + LLC
 * lookup 32 + DRAM 90 ns (243 cycles at 2.7 GHz); then an L1 hit costs 4. */
#define PLAIN_MISS (4 + 10 + 32 + 243)
static void test_plain_cycles(void **state)
{
	(void)state;
	struct fx *f = build("plain");
	uint8_t b[8];
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_load(&f->host, 0x100000, b, 8, &fault, &c), 0);
	assert_int_equal(c, PLAIN_MISS);
	assert_int_equal(cpu_load(&f->host, 0x100008, b, 8, &fault, &c), 0);
	assert_int_equal(c, 4);
	/* L2 hit: the line left L1 (evicted by 8 more lines of its L1 set,
	 * 32 KiB / 8 ways = 4 KiB apart) but stays in the L2: 4 + 10. */
	for (uint64_t k = 1; k <= 8; k++)
		assert_int_equal(cpu_load(&f->host, 0x100000 + k * 4096, b, 8, &fault, &c), 0);
	assert_int_equal(cpu_load(&f->host, 0x100000, b, 8, &fault, &c), 0);
	assert_int_equal(c, 4 + 10);
	/* LLC hit: 8 more lines of its L2 set (1 MiB / 8 ways = 128 KiB
	 * apart) push it out of the L2 too: 4 + 10 + 32. */
	for (uint64_t k = 1; k <= 8; k++)
		assert_int_equal(cpu_load(&f->host, 0x100000 + k * 128 * 1024, b, 8, &fault, &c), 0);
	assert_int_equal(cpu_load(&f->host, 0x100000, b, 8, &fault, &c), 0);
	assert_int_equal(c, 4 + 10 + 32);
	/* An access crossing a line boundary is two line accesses. */
	assert_int_equal(cpu_load(&f->host, 0x10003c, b, 8, &fault, &c), 0);
	assert_int_equal(c, 4 + PLAIN_MISS);
	destroy(f);
}

/* cca: an access whose GPT information is not cached walks the GPT (an L0
 * table descriptor + an L1 granules descriptor, or one L0 block descriptor),
 * each a Root-PAS read through the LLC; a cached one skips the walk. A realm
 * DRAM miss adds the XTS pipeline 40 + 3 after the 150-cycle DRAM read. */
static void test_cca_cycles(void **state)
{
	(void)state;
	struct fx *f = build("cca");
	uint8_t b[8];
	struct cc_fault fault;
	uint64_t c, regs[SMC_REGS] = { 0xC4000151, 0x80200000 };
	cpu_smc(&f->host, regs, &c);
	assert_int_equal(regs[0], 0);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);
	/* The RMM's scrub left the granule's Realm GPI cached for the Realm
	 * state: L1 4 + LLC 40 + DRAM 150 + XTS 43, no walk. */
	assert_int_equal(cpu_load(&f->realm, 0x80200000, b, 8, &fault, &c), 0);
	assert_int_equal(c, 4 + 40 + 150 + 43);
	assert_int_equal(cpu_load(&f->realm, 0x80200008, b, 8, &fault, &c), 0);
	assert_int_equal(c, 4);
	/* NS memory outside the delegable range: one L0 block descriptor, from
	 * DRAM after the WBINVD under the Root key (40 + 150 + 43), then the
	 * data on the NS slot, which does not encrypt. */
	assert_int_equal(cpu_load(&f->host, 0x100000, b, 8, &fault, &c), 0);
	assert_int_equal(c, (40 + 150 + 43) + (4 + 40 + 150));
	assert_int_equal(cpu_load(&f->host, 0x100000, b, 8, &fault, &c), 0);
	assert_int_equal(c, 4);
	/* A delegable granule nobody cached: L0 table + L1 descriptor; the L0
	 * line is in the LLC now, the L1 line comes from DRAM. */
	assert_int_equal(cpu_load(&f->host, 0x80400000, b, 8, &fault, &c), 0);
	assert_int_equal(c, 40 + (40 + 150 + 43) + (4 + 40 + 150));
	destroy(f);
}

/* GPT information cached in a TLB keeps granting the old rights until TLBI
 * RPALOS (Arm ARM D9.5): EL3 invalidates on delegation, so the host's next
 * load faults; a firmware that skips the TLBI leaves the host reading the
 * delegated granule. */
static void test_gpc_tlb_invalidation(void **state)
{
	(void)state;
	static const char *const no_tlbi[] = { "gpc.el3_tlbi=false", NULL };
	for (int buggy = 0; buggy < 2; buggy++) {
		struct fx *f = build_set("cca", buggy ? no_tlbi : NULL);
		uint8_t b[8];
		struct cc_fault fault;
		uint64_t c, regs[SMC_REGS] = { 0xC4000151, 0x80500000 };
		assert_int_equal(cpu_load(&f->host, 0x80500000, b, 8, &fault, &c), 0);
		cpu_smc(&f->host, regs, &c);
		assert_int_equal(regs[0], 0);
		assert_int_equal(sim_stat_get(&f->sim, "machine.tlbi"), buggy ? 0 : 1);
		int rc = cpu_load(&f->host, 0x80500000, b, 8, &fault, &c);
		if (buggy) {
			assert_int_equal(rc, 0); /* the stale NS entry still grants access */
		} else {
			assert_int_equal(rc, 1);
			assert_int_equal(fault.kind, FAULT_GPC_GPF);
		}
		destroy(f);
	}
}

/* DRAM holds ciphertext under the realm key on cca and plaintext on plain. */
static void test_dram_contents(void **state)
{
	(void)state;
	static const char secret[] = "0123456789abcdef";
	const char *profiles[] = { "plain", "cca" };
	for (int i = 0; i < 2; i++) {
		struct fx *f = build(profiles[i]);
		uint8_t cells[64];
		struct cc_fault fault;
		uint64_t c, regs[SMC_REGS] = { 0xC4000151, 0x80300000 };
		cpu_smc(&f->host, regs, &c);
		assert_int_equal(cpu_store(&f->realm, 0x80300000, secret, 16, &fault, &c), 0);
		assert_int_equal(machine_phys_read(&f->m, 0x80300000, cells, 64), 0);
		assert_null(memmem(cells, 64, secret, 16)); /* still only in the cache */
		assert_int_equal(machine_wbinvd(&f->m, &c), 0);
		assert_int_equal(machine_phys_read(&f->m, 0x80300000, cells, 64), 0);
		if (i == 0)
			assert_memory_equal(cells, secret, 16);
		else
			assert_null(memmem(cells, 64, secret, 4));
		destroy(f);
	}
}

/* Key slots follow the PAS on cca (Secure, NS, Root, Realm), and one slot on plain. */
static void test_key_slots(void **state)
{
	(void)state;
	struct fx *f = build("cca");
	assert_int_equal(machine_key_slot(&f->m, PAS_REALM), 3);
	assert_int_equal(machine_key_slot(&f->m, PAS_NS), 1);
	assert_true(memenc_key_encrypts(&f->m.enc, 3));
	assert_false(memenc_key_encrypts(&f->m.enc, 1));
	destroy(f);
	f = build("plain");
	assert_int_equal(machine_key_slot(&f->m, PAS_REALM), 0);
	destroy(f);
}

/* The GPT is Root memory: the host cannot read it, nor can a realm. */
static void test_gpt_is_root(void **state)
{
	(void)state;
	struct fx *f = build("cca");
	uint8_t b[8], gpi;
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(machine_gpi(&f->m, f->m.cfg.gpt_base, &gpi), 0);
	assert_int_equal(gpi, GPI_ROOT);
	assert_int_equal(cpu_load(&f->host, f->m.cfg.gpt_base, b, 8, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_GPC_GPF);
	assert_int_equal(cpu_load(&f->realm, f->m.cfg.gpt_l1_base, b, 8, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_GPC_GPF);
	destroy(f);
}

/* Accesses beyond the physical address space are bus faults, not crashes. */
static void test_bus_range(void **state)
{
	(void)state;
	struct fx *f = build("plain");
	uint8_t b[8];
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_load(&f->host, 1ull << 40, b, 8, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_BUS_RANGE);
	assert_string_equal(cc_fault_name(fault.kind), "bus.range");
	destroy(f);
}

/* A bad profile combination is refused with a message, not a crash. */
static void test_bad_config(void **state)
{
	(void)state;
	struct platform_config cfg;
	struct sim s;
	struct machine m;
	char err[256];
	assert_int_equal(profile_load("models/platform/profiles/cca.ini", &cfg, err, sizeof(err)), 0);
	cfg.key_slots = 2;
	sim_init(&s, 1, 3000000000ull);
	assert_int_equal(machine_init(&m, &s, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "key_slots"));
	sim_fini(&s);
}

/* Key-slot reuse (the ASID-reuse bug class): reprogramming a slot while its
 * old owner's lines are cached leaves them readable by the new owner, in
 * plaintext; flushing the slot first leaves only ciphertext under the old
 * key, which the new key decrypts to garbage. */
static void test_key_reuse_hazard(void **state)
{
	(void)state;
	static const char *const sets[] = { "memenc.mode=xts", "memenc.key_slots=8", NULL };
	static const char secret[] = "old tenant data!";
	for (int flush = 0; flush < 2; flush++) {
		struct fx *f = build_set("plain", sets);
		uint8_t b[16];
		struct cc_fault fault;
		uint64_t c;
		assert_int_equal(machine_key_program(&f->m, 5, 100, MEMENC_KEY_ENCRYPT), 0);
		f->realm.key = 5;
		assert_int_equal(cpu_store(&f->realm, 0x200000, secret, 16, &fault, &c), 0);
		if (flush)
			assert_int_equal(machine_flush_key(&f->m, 5, &c), 0);
		assert_int_equal(machine_key_program(&f->m, 5, 200, MEMENC_KEY_ENCRYPT), 0);
		assert_int_equal(sim_stat_get(&f->sim, "machine.key_hazards"), flush ? 0 : 1);
		assert_int_equal(cpu_load(&f->realm, 0x200000, b, 16, &fault, &c), 0);
		if (flush)
			assert_memory_not_equal(b, secret, 16);
		else
			assert_memory_equal(b, secret, 16);
		destroy(f);
	}
}

/* INVD drops dirty lines: the store never reaches DRAM and a later load
 * reads the old contents (the cache-drop attack class). WBINVD keeps it. */
static void test_invd_loses_dirty(void **state)
{
	(void)state;
	for (int wb = 0; wb < 2; wb++) {
		struct fx *f = build("plain");
		uint8_t b[8];
		struct cc_fault fault;
		uint64_t c, dropped = 0;
		assert_int_equal(cpu_store(&f->host, 0x300000, "11111111", 8, &fault, &c), 0);
		assert_int_equal(machine_wbinvd(&f->m, &c), 0);
		assert_int_equal(cpu_store(&f->host, 0x300000, "22222222", 8, &fault, &c), 0);
		if (wb)
			assert_int_equal(machine_wbinvd(&f->m, &c), 0);
		else
			assert_int_equal(machine_invd(&f->m, &c, &dropped), 0);
		assert_int_equal(dropped, wb ? 0 : 1);
		assert_int_equal(cpu_load(&f->host, 0x300000, b, 8, &fault, &c), 0);
		assert_memory_equal(b, wb ? "22222222" : "11111111", 8);
		destroy(f);
	}
}

/* On a TDX host INVD raises #GP: nothing is invalidated, so the dirty line
 * a plain host would have lost still reaches DRAM (Intel SDM vol. 2A, INVD,
 * SEAM range protected). */
static void test_invd_gp_on_tdx(void **state)
{
	(void)state;
	struct fx *f = build("tdx");
	uint8_t b[8];
	struct cc_fault fault;
	uint64_t c = 0, dropped = 7;
	assert_true(f->m.cfg.invd_gp);
	assert_int_equal(cpu_store(&f->host, 0x300000, "11111111", 8, &fault, &c), 0);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);
	assert_int_equal(cpu_store(&f->host, 0x300000, "22222222", 8, &fault, &c), 0);
	c = 0;
	assert_int_equal(machine_invd(&f->m, &c, &dropped), 1);
	assert_int_equal(dropped, 0);
	assert_int_equal(c, 0);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);
	assert_int_equal(cpu_load(&f->host, 0x300000, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "22222222", 8);
	destroy(f);
}

/* Per-core L1D: the same (PA, key) stays coherent across cores (a write on
 * one core is seen by a read on another), while the same PA under another
 * key is a separate line nobody keeps coherent. */
static void test_two_cores(void **state)
{
	(void)state;
	static const char *const sets[] = { "cache.cores=2", "memenc.mode=xts", "memenc.key_slots=4", NULL };
	struct fx *f = build_set("plain", sets);
	uint8_t b[8];
	struct cc_fault fault;
	uint64_t c;
	f->realm.core = 1;
	assert_int_equal(cpu_store(&f->host, 0x400000, "core0wr", 8, &fault, &c), 0);
	assert_int_equal(cpu_load(&f->realm, 0x400000, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "core0wr", 8);
	assert_int_equal(sim_stat_get(&f->sim, "machine.snoops"), 1);
	assert_int_equal(cpu_store(&f->realm, 0x400000, "core1wr", 8, &fault, &c), 0);
	assert_int_equal(cpu_load(&f->host, 0x400000, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "core1wr", 8);
	assert_int_equal(sim_stat_get(&f->sim, "l1d.core0.misses") + sim_stat_get(&f->sim, "l1d.core1.misses"), 3);
	assert_int_equal(sim_stat_get(&f->sim, "machine.snoops"), 2);
	/* another key on core 1: a distinct line, not kept coherent */
	assert_int_equal(machine_key_program(&f->m, 2, 2, MEMENC_KEY_ENCRYPT), 0);
	f->realm.key = 2;
	assert_int_equal(cpu_store(&f->realm, 0x400000, "key2....", 8, &fault, &c), 0);
	assert_int_equal(cpu_load(&f->host, 0x400000, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "core1wr", 8);
	destroy(f);
}

/* With private L2s, a line one core holds dirty in its L2 (written, then
 * pushed out of its L1) is still what another core reads, and a write on
 * that core takes the stale copy out of both of the first core's levels;
 * maintenance (WBINVD) reaches the L2s too. */
static void test_two_cores_l2(void **state)
{
	(void)state;
	static const char *const sets[] = { "cache.cores=2", NULL };
	struct fx *f = build_set("plain", sets);
	uint8_t b[8];
	struct cc_fault fault;
	uint64_t c;
	f->realm.core = 1;
	assert_true(f->m.has_l2);
	assert_int_equal(cpu_store(&f->host, 0x400000, "inL2....", 8, &fault, &c), 0);
	for (uint64_t k = 1; k <= 8; k++) /* out of core 0's L1, into its L2 */
		assert_int_equal(cpu_load(&f->host, 0x400000 + k * 4096, b, 8, &fault, &c), 0);
	bool dirty = false;
	assert_false(cache_probe(&f->m.l1[0], 0, 0x400000, NULL));
	assert_true(cache_probe(&f->m.l2[0], 0, 0x400000, &dirty));
	assert_true(dirty);
	assert_int_equal(cpu_load(&f->realm, 0x400000, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "inL2....", 8);
	assert_int_equal(sim_stat_get(&f->sim, "machine.snoops"), 1);
	assert_int_equal(cpu_store(&f->realm, 0x400000, "core1...", 8, &fault, &c), 0);
	assert_false(cache_probe(&f->m.l1[0], 0, 0x400000, NULL));
	assert_false(cache_probe(&f->m.l2[0], 0, 0x400000, NULL));
	assert_int_equal(cpu_load(&f->host, 0x400000, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "core1...", 8);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);
	for (unsigned k = 0; k < 2; k++) {
		assert_int_equal(cache_lines_of_key(&f->m.l1[k], 0), 0);
		assert_int_equal(cache_lines_of_key(&f->m.l2[k], 0), 0);
	}
	destroy(f);
}

/* SNP's RMP on the machine's memory path (APM 15.36): the host may read but
 * not write a page assigned to a guest, device DMA is held to the same rule,
 * the owning guest's private access needs PVALIDATE first (#VC before), and
 * another ASID gets #NPF. */
static void test_rmp_on_the_path(void **state)
{
	(void)state;
	static const char *const sets[] = { "rmp.enabled=true", "memenc.mode=xts", "memenc.key_slots=16", NULL };
	struct fx *f = build_set("plain", sets);
	struct rmp_io io = machine_rmp_io(&f->m);
	const uint64_t spa = 0x9000000;
	uint8_t b[8] = { 0 };
	struct cc_fault fault;
	uint64_t c;
	struct rmp_entry e = { .assigned = true, .gpa = 0x40000, .asid = 5 };
	assert_true(rmp_update(&f->m.rmp, &io, spa, &e).status == RMP_SUCCESS);
	f->realm.guest = 1;
	f->realm.asid = 5;
	f->realm.key = 5;
	assert_int_equal(machine_key_program(&f->m, 5, 5, MEMENC_KEY_ENCRYPT), 0);
	/* host: read allowed, write faults */
	assert_int_equal(cpu_load(&f->host, spa, b, 8, &fault, &c), 0);
	assert_int_equal(cpu_store(&f->host, spa, b, 8, &fault, &c), 1);
	assert_string_equal(cc_fault_name(fault.kind), "rmp.pf");
	assert_int_equal(iommu_dma(&f->m.smmu, 0, spa, b, 8, true, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_RMP_PF);
	/* the guest, by GPA: unvalidated -> #VC; validated -> fine */
	assert_int_equal(cpu_access_pas(&f->realm, PAS_NS, false, spa, b, 8, &fault, &c), 1);
	/* without translation GPA = PA, which is not the GPA the RMP names */
	assert_int_equal(fault.kind, FAULT_RMP_NPF);
	e.gpa = spa;
	assert_true(rmp_update(&f->m.rmp, &io, spa, &e).status == RMP_SUCCESS);
	assert_int_equal(cpu_load(&f->realm, spa, b, 8, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_RMP_VC);
	struct rmp_guest_page pg = { .spa = spa, .gpa = spa, .asid = 5 };
	assert_true(rmp_pvalidate(&f->m.rmp, &io, &pg, true).status == RMP_SUCCESS);
	assert_int_equal(cpu_store(&f->realm, spa, "private", 8, &fault, &c), 0);
	assert_int_equal(cpu_load(&f->realm, spa, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "private", 8);
	/* another guest (ASID 6) */
	f->realm.asid = 6;
	assert_int_equal(cpu_load(&f->realm, spa, b, 8, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_RMP_NPF);
	assert_true(sim_stat_get(&f->sim, "machine.rmp.checks") > 0);
	destroy(f);
}

/* The RMP is stored in plaintext (AMD's SNP firmware and Linux access it
 * with the C-bit clear; BadRAM, IEEE S&P 2025, read it so): on sev-snp,
 * whose host key encrypts, an entry's DRAM cells hold its encoding, and
 * the host, through a DRAM alias of the table and its plaintext path,
 * reads entries and writes one the RMP check then obeys. */
static void test_rmp_stored_in_plaintext(void **state)
{
	(void)state;
	struct fx *f = build("sev-snp");
	struct rmp_io io = machine_rmp_io(&f->m);
	const uint64_t spa = 0x9000000, alias = 0x40000000;
	struct rmp_entry e = { .assigned = true, .gpa = spa, .asid = 5 };
	assert_true(rmp_update(&f->m.rmp, &io, spa, &e).status == RMP_SUCCESS);
	uint64_t c = 0, at = rmp_entry_pa(&f->m.rmp, spa);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);
	uint8_t want[RMP_ENTRY_BYTES], cells[RMP_ENTRY_BYTES];
	struct rmp_entry now;
	assert_int_equal(rmp_entry_read(&f->m.rmp, &io, spa, &now), 0);
	rmp_entry_encode(&now, want);
	assert_int_equal(machine_phys_read(&f->m, at, cells, sizeof(cells)), 0);
	assert_memory_equal(cells, want, sizeof(cells));
	/* the host maps the table's page again at a ghost address */
	assert_int_equal(machine_phys_alias(&f->m, alias, at & ~0xfffull, 0x1000), 0);
	uint64_t ea = alias + (at & 0xfff);
	struct cc_fault fault;
	uint8_t b[RMP_ENTRY_BYTES];
	f->host.key = (int32_t)machine_plain_slot(&f->m);
	assert_int_equal(cpu_load(&f->host, ea, b, sizeof(b), &fault, &c), 0);
	assert_memory_equal(b, want, sizeof(b));
	/* through the table's own address the write is refused ... */
	assert_int_equal(cpu_store(&f->host, at, b, sizeof(b), &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_RMP_PF);
	/* ... through the alias it lands: the page now backs another GPA */
	e.gpa = 0x50000;
	rmp_entry_encode(&e, b);
	assert_int_equal(cpu_store(&f->host, ea, b, sizeof(b), &fault, &c), 0);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);
	struct rmp_access a = { .spa = spa, .asid = 5, .gpa = 0x50000, .private_ = true };
	struct rmp_result r = rmp_check(&f->m.rmp, &io, &a);
	assert_int_equal(r.fault, RMP_VC_UNVALIDATED); /* owner and GPA now match */
	a.gpa = spa;
	r = rmp_check(&f->m.rmp, &io, &a);
	assert_int_equal(r.fault, RMP_NPF_RMP);
	destroy(f);
}

/* The host's RMP instructions wait for each table access before the
 * next: on a cold table, every RMPUPDATE of a new page costs about one
 * table-line miss, however many came before (they do not queue behind each
 * other at one cycle), and the present moves with them. The table's set-up
 * before the run takes no time and leaves no statistics. */
static void test_rmp_instruction_timing(void **state)
{
	(void)state;
	struct fx *f = build("sev-snp");
	assert_int_equal(sim_time(&f->sim), 0);
	assert_int_equal(sim_stat_get(&f->sim, "dram.writes"), 0);
	assert_int_equal(sim_stat_get(&f->sim, "memenc.lines_written"), 0);
	struct rmp_io io = machine_rmp_io(&f->m);
	uint64_t first = 0, last = 0, total = 0;
	for (unsigned i = 0; i < 64; i++) {
		/* 4 entries per line: a page 4 pages on is a new table line */
		uint64_t spa = 0x90000000ull + (uint64_t)i * 4 * 0x1000, c0 = f->m.rmp_io_ctx.cycles;
		struct rmp_entry e = { .assigned = true, .gpa = 0x40000, .asid = 5 };
		assert_true(rmp_update(&f->m.rmp, &io, spa, &e).status == RMP_SUCCESS);
		uint64_t c = f->m.rmp_io_ctx.cycles - c0;
		if (i == 0)
			first = c;
		last = c;
		total += c;
	}
	assert_true(first > 0);
	assert_true(last <= 2 * first);
	assert_int_equal(sim_time(&f->sim), total);
	destroy(f);
}

/* The RMP is checked when a translation is filled and the verdict is
 * cached with it (APM vol. 2 15.36.10): on sev-snp an L1 hit costs what it
 * costs on sev, the host's and a guest's alike; only the fill reads the
 * table. */
static void test_rmp_checked_at_fill(void **state)
{
	(void)state;
	uint64_t hit[2] = { 0 }, guest_hit[2] = { 0 }, checks[2] = { 0 };
	const char *const profiles[] = { "sev", "sev-snp" };
	for (int i = 0; i < 2; i++) {
		struct fx *f = build(profiles[i]);
		struct rmp_io io = machine_rmp_io(&f->m);
		const uint64_t host_pa = 0x9100000, spa = 0x9000000;
		uint8_t b[8] = { 0 };
		struct cc_fault fault;
		uint64_t c;
		f->host.tlb = &f->m.tlb[0];
		assert_int_equal(cpu_load(&f->host, host_pa, b, 8, &fault, &c), 0);
		assert_int_equal(cpu_load(&f->host, host_pa + 8, b, 8, &fault, &c), 0);
		hit[i] = c;
		/* a guest's private page, validated (on sev-snp) */
		f->realm.guest = 1;
		f->realm.asid = f->realm.key = 5;
		f->realm.tlb = &f->m.tlb[0];
		assert_int_equal(machine_key_program(&f->m, 5, 5, MEMENC_KEY_ENCRYPT), 0);
		if (f->m.cfg.rmp) {
			struct rmp_entry e = { .assigned = true, .gpa = spa, .asid = 5 };
			assert_true(rmp_update(&f->m.rmp, &io, spa, &e).status == RMP_SUCCESS);
			struct rmp_guest_page pg = { .spa = spa, .gpa = spa, .asid = 5 };
			assert_true(rmp_pvalidate(&f->m.rmp, &io, &pg, true).status == RMP_SUCCESS);
		}
		assert_int_equal(cpu_store(&f->realm, spa, "private", 8, &fault, &c), 0);
		assert_int_equal(cpu_load(&f->realm, spa, b, 8, &fault, &c), 0);
		assert_memory_equal(b, "private", 8);
		guest_hit[i] = c;
		checks[i] = sim_stat_get(&f->sim, "machine.rmp.checks");
		destroy(f);
	}
	assert_int_equal(hit[0], 4);
	assert_int_equal(hit[1], hit[0]);
	assert_int_equal(guest_hit[1], guest_hit[0]);
	assert_int_equal(checks[0], 0);
	assert_int_equal(checks[1], 2); /* one fill per master and page */
}

/* A verdict cached in a TLB outlives an RMP change until the TLB forgets
 * it. Hardware flushes every TLB on each RMP update (rmp.tlb_coherent); on
 * hardware that did not, a host that skips its shootdown keeps writing a
 * page it has just given to a guest. */
static void test_rmp_stale_tlb(void **state)
{
	(void)state;
	static const char *const stale[] = { "rmp.tlb_coherent=false", NULL };
	for (int coherent = 0; coherent < 2; coherent++) {
		struct fx *f = build_set("sev-snp", coherent ? NULL : stale);
		struct rmp_io io = machine_rmp_io(&f->m);
		const uint64_t spa = 0x9000000;
		struct cc_fault fault;
		uint64_t c = 0;
		f->host.tlb = &f->m.tlb[0];
		assert_int_equal(cpu_store(&f->host, spa, "host....", 8, &fault, &c), 0);
		struct rmp_entry e = { .assigned = true, .gpa = spa, .asid = 5 };
		assert_true(rmp_update(&f->m.rmp, &io, spa, &e).status == RMP_SUCCESS);
		int rc = cpu_store(&f->host, spa, "stale...", 8, &fault, &c);
		if (coherent) {
			assert_int_equal(rc, 1); /* the update flushed the TLB: checked afresh */
			assert_int_equal(fault.kind, FAULT_RMP_PF);
			assert_int_equal(sim_stat_get(&f->sim, "machine.rmp.tlb_flushes"), 1);
		} else {
			assert_int_equal(rc, 0); /* the cached verdict still grants the write */
			assert_int_equal(sim_stat_get(&f->sim, "machine.rmp.tlb_flushes"), 0);
			machine_tlb_shootdown_page(&f->m, spa, &c);
			assert_int_equal(cpu_store(&f->host, spa, "late....", 8, &fault, &c), 1);
			assert_int_equal(fault.kind, FAULT_RMP_PF);
		}
		destroy(f);
	}
}

/* Caches coherent across keys (cache.key_coherent, AMD SME_COHERENT): the
 * firmware's DRAM access sees what a core still holds dirty, and a line
 * used under one key leaves the caches under every other key (written
 * back first). Without it the firmware reads stale DRAM and both copies
 * stay. */
static void test_key_coherent(void **state)
{
	(void)state;
	static const char *const on[] = { "cache.key_coherent=true", NULL };
	for (int coherent = 0; coherent < 2; coherent++) {
		struct fx *f = build_set("sev", coherent ? on : NULL);
		const uint64_t pa = 0x9000000;
		uint8_t b[8] = { 0 };
		struct cc_fault fault;
		uint64_t c = 0;
		assert_int_equal(cpu_store(&f->host, pa, "hostdata", 8, &fault, &c), 0);
		assert_int_equal(machine_dram_access(&f->m, 0, pa, b, 8, false, &c), 0);
		if (coherent)
			assert_memory_equal(b, "hostdata", 8);
		else
			assert_memory_not_equal(b, "hostdata", 8);
		assert_int_equal(cpu_store(&f->host, pa, "again...", 8, &fault, &c), 0);
		f->realm.key = 5;
		assert_int_equal(machine_key_program(&f->m, 5, 5, MEMENC_KEY_ENCRYPT), 0);
		assert_int_equal(cpu_load(&f->realm, pa, b, 8, &fault, &c), 0);
		bool dirty;
		assert_int_equal(cache_probe(&f->m.l1[0], 0, pa, &dirty) ||
				 cache_probe(&f->m.llc, 0, pa, &dirty), !coherent);
		destroy(f);
	}
}

/* --- Arm FEAT_MEC (cca-mec): the MECID a Realm-PAS access carries selects
 * its key slot; other PASes and MECID 0 keep the PAS keys; EL3's refresh of
 * a MECID's key leaves its old lines unreadable --- */

#define MEC_PAGE 0x80040000ull

/* The page Realm in the GPT, as RMI_GRANULE_DELEGATE leaves it. */
static struct fx *build_mec(const char *profile)
{
	struct fx *f = build(profile);
	uint64_t c = 0;
	assert_int_equal(machine_el3_delegate(&f->m, MEC_PAGE, &c), 0);
	return f;
}

static const char secret[32] = "realm A: 32 bytes of its secret";

/* A realm store of the secret at the page with `mecid`. */
static void store_as(struct fx *f, uint32_t mecid)
{
	struct cc_fault fault;
	uint64_t c = 0;
	f->realm.mecid = mecid;
	assert_int_equal(cpu_store(&f->realm, MEC_PAGE, secret, 32, &fault, &c), 0);
}

/* A realm load of the page with `mecid` after the caches are written back. */
static void load_as(struct fx *f, uint32_t mecid, uint8_t out[32])
{
	struct cc_fault fault;
	uint64_t c = 0;
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);
	f->realm.mecid = mecid;
	assert_int_equal(cpu_load(&f->realm, MEC_PAGE, out, 32, &fault, &c), 0);
}

/* cca-mec: 16 MECIDs (MECIDWidthm1 = 3); MECID n > 0 in slot 3 + n. */
static void test_mec_slots(void **state)
{
	(void)state;
	struct fx *f = build_mec("cca-mec");
	assert_int_equal(f->m.enc.cfg.slots, 4 + 15);
	assert_int_equal(machine_mec_slot(&f->m, PAS_REALM, 0), 3);
	assert_int_equal(machine_mec_slot(&f->m, PAS_REALM, 1), 4);
	assert_int_equal(machine_mec_slot(&f->m, PAS_REALM, 15), 18);
	/* only the Realm PAS has memory encryption contexts */
	assert_int_equal(machine_mec_slot(&f->m, PAS_NS, 5), 1);
	assert_int_equal(machine_mec_slot(&f->m, PAS_ROOT, 5), 2);
	assert_true(machine_mecid_valid(&f->m, 15));
	assert_false(machine_mecid_valid(&f->m, 16));
	/* every MECID's key exists from power-on */
	for (unsigned s = 4; s < 19; s++)
		assert_true(memenc_key_valid(&f->m.enc, s) && memenc_key_encrypts(&f->m.enc, s));
	destroy(f);
}

/* Written under MECID 2: read back under 2, noise under 3 and under the
 * Realm PAS's own key (MECID 0). */
static void test_mec_key_per_mecid(void **state)
{
	(void)state;
	struct fx *f = build_mec("cca-mec");
	uint8_t got[32];
	store_as(f, 2);
	load_as(f, 2, got);
	assert_memory_equal(got, secret, 32);
	load_as(f, 3, got);
	assert_memory_not_equal(got, secret, 32);
	load_as(f, 0, got);
	assert_memory_not_equal(got, secret, 32);
	/* EL3 refreshes MECID 2's key: what was written under the old one
	 * no longer decrypts, even for MECID 2 */
	assert_int_equal(machine_mec_refresh(&f->m, 2), 0);
	load_as(f, 2, got);
	assert_memory_not_equal(got, secret, 32);
	assert_int_equal(machine_mec_refresh(&f->m, 0), -EINVAL);
	assert_int_equal(machine_mec_refresh(&f->m, 16), -EINVAL);
	destroy(f);
}

/* cca, no FEAT_MEC: a MECID goes nowhere; every realm access shares the
 * Realm PAS's key and EL3 has no MECID to refresh. */
static void test_no_mec_one_realm_key(void **state)
{
	(void)state;
	struct fx *f = build_mec("cca");
	uint8_t got[32];
	store_as(f, 2);
	load_as(f, 3, got);
	assert_memory_equal(got, secret, 32);
	assert_int_equal(machine_mec_slot(&f->m, PAS_REALM, 3), 3);
	assert_false(machine_mecid_valid(&f->m, 1));
	assert_int_equal(machine_mec_refresh(&f->m, 1), -EINVAL);
	assert_int_equal(f->m.enc.cfg.slots, 4);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_cycles),  cmocka_unit_test(test_cca_cycles),
		cmocka_unit_test(test_dram_contents), cmocka_unit_test(test_key_slots),
		cmocka_unit_test(test_gpt_is_root),   cmocka_unit_test(test_bus_range),
		cmocka_unit_test(test_bad_config),    cmocka_unit_test(test_key_reuse_hazard),
		cmocka_unit_test(test_invd_loses_dirty), cmocka_unit_test(test_gpc_tlb_invalidation),
		cmocka_unit_test(test_two_cores),
		cmocka_unit_test(test_two_cores_l2),
		cmocka_unit_test(test_rmp_on_the_path),
		cmocka_unit_test(test_rmp_stored_in_plaintext),
		cmocka_unit_test(test_rmp_instruction_timing),
		cmocka_unit_test(test_rmp_checked_at_fill), cmocka_unit_test(test_rmp_stale_tlb),
		cmocka_unit_test(test_key_coherent), cmocka_unit_test(test_invd_gp_on_tdx),
		cmocka_unit_test(test_mec_slots), cmocka_unit_test(test_mec_key_per_mecid),
		cmocka_unit_test(test_no_mec_one_realm_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
