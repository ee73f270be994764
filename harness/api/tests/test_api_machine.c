/* include/ccsim/machine.h on the bundled profiles: accesses with each
 * architecture's security attributes, faults with their detail, the
 * physical view, the generation DMI grants follow, and the DMI policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "include/ccsim/machine.h"

#define NS_PAGE 0x80100000ull   /* cca: inside the delegable range, NS at start */
#define RMI_GRANULE_DELEGATE 0xc4000151ull

static struct ccsim_machine *build(const char *profile)
{
	struct ccsim_machine *m;
	char err[512];
	assert_int_equal(ccsim_machine_new(profile, NULL, 0, &m, err, sizeof(err)), 0);
	return m;
}

static void delegate(struct ccsim_machine *m, uint64_t pa)
{
	const struct ccsim_attrs host = { .ns = true };
	uint64_t regs[8] = { RMI_GRANULE_DELEGATE, pa }, cycles;
	ccsim_machine_smc(m, &host, regs, &cycles);
	assert_int_equal(regs[0], 0);
	assert_true(cycles > 0);
}

struct seen {
	unsigned calls;
	uint64_t generation;
};

static void on_change(void *ctx, uint64_t generation)
{
	struct seen *s = ctx;
	s->calls++;
	s->generation = generation;
}

/* cca: the host writes a granule, delegates it, and can no longer read it;
 * the realm's data reaches DRAM encrypted. */
static void test_cca_host_blocked(void **state)
{
	(void)state;
	struct ccsim_machine *m = build("cca");
	const struct ccsim_attrs host = { .ns = true }, realm = { .ns = true, .nse = true };
	struct ccsim_result r;
	struct seen seen = { 0 };
	uint8_t b[16];
	assert_string_equal(ccsim_machine_arch(m), "cca");
	ccsim_machine_on_change(m, on_change, &seen);
	assert_int_equal(ccsim_machine_access(m, NS_PAGE, "host data here!", 16, true, &host, &r), 0);
	assert_string_equal(r.fault.kind, "none");
	uint64_t g0 = ccsim_machine_generation(m);
	delegate(m, NS_PAGE);
	assert_true(ccsim_machine_generation(m) > g0);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.generation, ccsim_machine_generation(m));
	/* Arm ARM D9.4: the NS PAS against a Realm GPI is a GPF */
	assert_int_equal(ccsim_machine_access(m, NS_PAGE, b, 8, false, &host, &r), 1);
	assert_string_equal(r.fault.kind, "gpc.gpf");
	assert_string_equal(r.fault.detail, "realm");
	assert_int_equal(r.fault.addr, NS_PAGE);
	assert_true(r.cycles > 0);
	assert_int_equal(ccsim_machine_access(m, NS_PAGE, "realm secret 42", 16, true, &realm, &r), 0);
	assert_int_equal(ccsim_machine_access(m, NS_PAGE, b, 16, false, &realm, &r), 0);
	assert_memory_equal(b, "realm secret 42", 16);
	/* a second read hits the L1 with the GPT information cached: 4 cycles */
	assert_int_equal(r.cycles, 4);
	uint64_t c;
	assert_int_equal(ccsim_machine_wbinvd(m, &c), 0);
	assert_int_equal(ccsim_machine_phys_read(m, NS_PAGE, b, 16), 0);
	assert_memory_not_equal(b, "realm secret 42", 16);
	assert_int_equal(ccsim_machine_stat(m, "machine.gpc.faults"), 1);
	assert_int_equal(seen.calls, 1); /* accesses changed no table */
	ccsim_machine_free(m);
}

/* The physical view moves nothing: no time, no statistic. */
static void test_phys_view_is_pure(void **state)
{
	(void)state;
	struct ccsim_machine *m = build("plain");
	uint64_t now = ccsim_machine_now(m), reads = ccsim_machine_stat(m, "dram.reads");
	uint8_t b[8];
	assert_int_equal(ccsim_machine_phys_write(m, 0x2000ffc, "abcdefgh", 8), 0);
	assert_int_equal(ccsim_machine_phys_read(m, 0x2000ffc, b, 8), 0);
	assert_memory_equal(b, "abcdefgh", 8);
	assert_int_equal(ccsim_machine_now(m), now);
	assert_int_equal(ccsim_machine_stat(m, "dram.reads"), reads);
	assert_int_equal(ccsim_machine_phys_read(m, ccsim_machine_mem_size(m) - 4, b, 8), -ERANGE);
	ccsim_machine_free(m);
}

/* sev-snp: a page RMPUPDATEd to a guest refuses the host's write (#PF with
 * the RMP bit) but not its read, which sees ciphertext; the guest's own
 * private access needs PVALIDATE first (#VC). */
static void test_snp_rmp(void **state)
{
	(void)state;
	struct ccsim_machine *m = build("sev-snp");
	const uint64_t spa = 0x3000000, gpa = 0x5000;
	const struct ccsim_attrs host = { .c_bit = true },
				 guest = { .guest = true, .c_bit = true, .asid = 1, .gpa = gpa };
	struct ccsim_fault f;
	struct ccsim_result r;
	uint64_t c, g0 = ccsim_machine_generation(m);
	uint8_t b[8];
	assert_int_equal(ccsim_machine_key_program(m, 1, true, false), 0);
	assert_int_equal(ccsim_machine_rmpupdate(m, spa, 1, gpa, false, &f, &c), 0);
	assert_true(ccsim_machine_generation(m) > g0 + 1);
	assert_int_equal(ccsim_machine_access(m, spa, "hostdata", 8, true, &host, &r), 1);
	assert_string_equal(r.fault.kind, "rmp.pf");
	assert_string_equal(r.fault.detail, "host_write");
	assert_int_equal(ccsim_machine_access(m, spa, b, 8, false, &guest, &r), 1);
	assert_string_equal(r.fault.kind, "rmp.vc");
	assert_string_equal(r.fault.detail, "not_validated");
	assert_int_equal(ccsim_machine_pvalidate(m, spa, 1, gpa, true, &f, &c), 0);
	assert_int_equal(ccsim_machine_access(m, spa, "guest!!!", 8, true, &guest, &r), 0);
	/* a guest naming another GPA: #NPF */
	struct ccsim_attrs wrong = guest;
	wrong.gpa = gpa + 0x1000;
	assert_int_equal(ccsim_machine_access(m, spa, b, 8, false, &wrong, &r), 1);
	assert_string_equal(r.fault.kind, "rmp.npf");
	assert_string_equal(r.fault.detail, "gpa");
	assert_int_equal(ccsim_machine_wbinvd(m, &c), 0);
	const struct ccsim_attrs plain_host = { 0 };
	assert_int_equal(ccsim_machine_access(m, spa, b, 8, false, &plain_host, &r), 0);
	assert_memory_not_equal(b, "guest!!!", 8);
	assert_int_equal(ccsim_machine_snp(m, "nonsense", (uint64_t[4]){ 0 }, &c), -EINVAL);
	assert_int_equal(ccsim_machine_snp(m, "init", (uint64_t[4]){ 0 }, &c), 0);
	ccsim_machine_free(m);
}

/* tdx: a private KeyID outside SEAM is a reserved address (#PF RSVD); a
 * KeyID past the engine's is not a request the machine takes. */
static void test_tdx_private_keyid(void **state)
{
	(void)state;
	struct ccsim_machine *m = build("tdx");
	const struct ccsim_attrs host = { .keyid = 40 }, td = { .keyid = 40, .td = true },
				 none = { .keyid = 64 };
	struct ccsim_result r;
	uint8_t b[8];
	assert_int_equal(ccsim_machine_access(m, 0x100000, b, 8, false, &host, &r), 1);
	assert_string_equal(r.fault.kind, "mmu.s1");
	assert_string_equal(r.fault.detail, "private_keyid");
	assert_int_equal(ccsim_machine_access(m, 0x100000, b, 8, false, &td, &r), -ENOKEY);
	assert_int_equal(ccsim_machine_key_program(m, 40, true, true), 0);
	/* a partial line first reads the line, which no private key wrote: a
	 * failed integrity check; a whole line does not */
	assert_int_equal(ccsim_machine_access(m, 0x100000, "td data!", 8, true, &td, &r), 1);
	assert_string_equal(r.fault.kind, "mce.poison");
	uint8_t line[64] = "td data!";
	assert_int_equal(ccsim_machine_access(m, 0x100000, line, 64, true, &td, &r), 0);
	assert_int_equal(ccsim_machine_access(m, 0x100000, b, 8, false, &td, &r), 0);
	assert_memory_equal(b, "td data!", 8);
	/* the host's shared KeyID reads a TD-owned line as zeros (TDX Ci) */
	const struct ccsim_attrs shared = { .keyid = 0 };
	uint64_t c;
	assert_int_equal(ccsim_machine_wbinvd(m, &c), 0);
	assert_int_equal(ccsim_machine_access(m, 0x100000, b, 8, false, &shared, &r), 0);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(ccsim_machine_access(m, 0x100000, b, 8, false, &none, &r), -EINVAL);
	ccsim_machine_free(m);
}

/* DMI: granted where nothing checks or transforms, refused elsewhere, and
 * the grant's page is coherent with the memory path. */
static void test_dmi_policy(void **state)
{
	(void)state;
	struct ccsim_machine *m = build("plain");
	const struct ccsim_attrs any = { 0 };
	struct ccsim_dmi d;
	struct ccsim_result r;
	uint8_t b[8];
	assert_int_equal(ccsim_machine_access(m, 0x10008, "dirty!!!", 8, true, &any, &r), 0);
	assert_int_equal(ccsim_machine_dmi(m, 0x10010, &any, &d), 1);
	assert_int_equal(d.start, 0x10000);
	assert_int_equal(d.end, 0x10fff);
	assert_true(d.read && d.write);
	assert_memory_equal(d.ptr + 8, "dirty!!!", 8); /* written back before the grant */
	memcpy(d.ptr + 16, "via dmi!", 8);
	assert_int_equal(ccsim_machine_access(m, 0x10010, b, 8, false, &any, &r), 0);
	assert_memory_equal(b, "via dmi!", 8);
	ccsim_machine_free(m);

	m = build("cca");
	const struct ccsim_attrs host = { .ns = true }, realm = { .ns = true, .nse = true };
	struct ccsim_dmi grant;
	assert_int_equal(ccsim_machine_dmi(m, NS_PAGE, &host, &grant), 1);
	assert_int_equal(ccsim_machine_dmi(m, NS_PAGE, &realm, &d), 0);
	assert_string_equal(d.reason, "the engine transforms these lines");
	/* another granule's delegation moves the generation but leaves the grant */
	delegate(m, NS_PAGE + 0x1000);
	assert_true(ccsim_machine_generation(m) != grant.generation);
	assert_true(ccsim_machine_dmi_holds(m, &grant, &host));
	delegate(m, NS_PAGE);
	assert_false(ccsim_machine_dmi_holds(m, &grant, &host));
	assert_int_equal(ccsim_machine_dmi(m, NS_PAGE, &host, &d), 0);
	assert_string_equal(d.reason, "the GPC denies this PAS");
	ccsim_machine_free(m);

	m = build("sev-snp");
	struct ccsim_fault f;
	uint64_t c;
	assert_int_equal(ccsim_machine_dmi(m, 0x3000000, &any, &grant), 1);
	assert_true(grant.read && grant.write);
	assert_int_equal(ccsim_machine_rmpupdate(m, 0x3000000, 1, 0x5000, false, &f, &c), 0);
	assert_false(ccsim_machine_dmi_holds(m, &grant, &any));
	assert_int_equal(ccsim_machine_dmi(m, 0x3000000, &any, &d), 1);
	assert_true(d.read && !d.write); /* the host may still read an assigned page */
	ccsim_machine_free(m);
}

/* A profile that does not exist, and a bad override, are refused by name. */
static void test_bad_profile(void **state)
{
	(void)state;
	struct ccsim_machine *m;
	char err[512];
	assert_int_equal(ccsim_machine_new("no-such-profile", NULL, 0, &m, err, sizeof(err)), -1);
	assert_null(m);
	assert_non_null(strstr(err, "no-such-profile"));
	const char *sets[] = { "cache.l1_size=banana" };
	assert_int_equal(ccsim_machine_new("plain", sets, 1, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "l1_size"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cca_host_blocked), cmocka_unit_test(test_phys_view_is_pure),
		cmocka_unit_test(test_snp_rmp),          cmocka_unit_test(test_tdx_private_keyid),
		cmocka_unit_test(test_dmi_policy),       cmocka_unit_test(test_bad_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
