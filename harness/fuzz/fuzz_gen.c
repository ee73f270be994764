/* Monitor-ABI fuzzing: bytes -> a scenario of monitor calls. Each call and
 * each argument is chosen by the next byte, from the command tables the
 * monitors dispatch on (RMI / RSI) or the scenario steps of the firmware
 * and RMP instructions, with arguments drawn from pools of valid,
 * boundary and hostile values for the kind of argument. Any bytes give a
 * valid scenario, so a coverage-guided fuzzer can drive it and a failure
 * is a scenario file that `ccsim shrink` reduces; see fuzz.h. */
#include <glib.h>
#include <string.h>

#include "harness/fuzz/fuzz.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/monitor/sev/sev_abi.h"
#include "models/monitor/snp/snp_abi.h"

struct bytes {
	const uint8_t *d;
	size_t n, at;
};

static unsigned take(struct bytes *b)
{
	return b->at < b->n ? b->d[b->at++] : 0;
}

static uint64_t pick(struct bytes *b, const uint64_t *pool, size_t n)
{
	return pool[take(b) % n];
}

#define PICK(b, pool) pick((b), (pool), G_N_ELEMENTS(pool))

/* CCA (profile cca: delegable 0x80000000 + 1 GiB, its last 256 KiB hold
 * the GPT): the granules the set-up uses, free ones, the GPT, the edges of
 * the delegable range, unaligned and out-of-range addresses. */
static const uint64_t cca_granules[] = {
	0x80100000, 0x80101000, 0x80102000, 0x80103000, 0x80104000, 0x80105000, 0x80106000,
	0x80107000, 0x80108000, 0x80109000, 0x8010a000, 0x8010b000, 0x80200000, 0x80201000,
	0x80300000, 0x80000000, 0x7ffff000, 0xbfffe000, 0xbffbf000, 0xbffc0000, 0xc0000000,
	0x80100800, 0x80100001, 0, 0xfffffffffffff000, 0xffffffffffffffff, 0x10000000000,
};
static const uint64_t cca_ipas[] = {
	0, 0x1000, 0x2000, 0x3000, 0x200000, 0x40000000, 0x3ffffff000, 0x4000000000,
	0x4000001000, 0x7ffffff000, 0x8000000000, 0x1, 0x1ff000, 0xffffffffffffffff,
};
static const uint64_t levels[] = { 0, 1, 2, 3, 3, 3, 4, 0xffffffffffffffff };
static const uint64_t smalls[] = { 0, 1, 2, 3, 4, 5, 8, 16, 63, 64, 65, 0x10000, 0x20000,
				   0xffffffff, 0x7fffffffffffffff, 0xffffffffffffffff };
/* RTT descriptors for rtt_map_unprotected: NS pages with attribute bits,
 * a delegated (Realm) granule, misaligned and reserved bits. */
static const uint64_t cca_descs[] = { 0x80300000, 0x80300000 | 0x440, 0x80301000, 0x80100000,
				      0x80300001, 0xfff0000080300000, 0 };

static bool name_in(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(name, *names) == 0)
			return true;
	return false;
}

/* A value for an argument, by what its name says it is. */
static uint64_t cca_arg(struct bytes *b, const char *name)
{
	static const char *const addrs[] = { "addr", "rd", "rec", "rtt", "data", "src", "params_ptr",
					     "run_ptr", "calling_rec", "target_rec", "rec_ptr", "buf",
					     NULL };
	static const char *const ipas[] = { "ipa", "base", "top", "entry", "target", NULL };
	if (name_in(name, addrs))
		return PICK(b, cca_granules);
	if (name_in(name, ipas))
		return PICK(b, cca_ipas);
	if (strcmp(name, "level") == 0)
		return PICK(b, levels);
	if (strcmp(name, "desc") == 0)
		return PICK(b, cca_descs);
	return PICK(b, smalls);
}

/* Realm IPAs for RSI buffers and ranges: the kernel's own call and token
 * areas, free RAM, the bounce buffer, the unprotected half, edges and
 * misaligned values -- but not the realm's code (IPA 0) or kernel data
 * (0x100000): a realm that points a call at them only overwrites itself
 * (stacks/guest/kernel.h has the layout). */
static const uint64_t realm_ipas[] = {
	0x101000, 0x102000, 0x104000, 0x105000, 0x110000, 0x111000, 0x200000, 0x108000,
	0x3ffffff000, 0x4000000000, 0x4000108000, 0x8000000000, 0x101001, 0x101800,
	0xffffffffffffffff,
};

static uint64_t rsi_arg(struct bytes *b, const char *name)
{
	static const char *const ipas[] = { "addr", "base", "top", NULL };
	if (name_in(name, ipas))
		return PICK(b, realm_ipas);
	return cca_arg(b, name);
}

/* realm_setup.inc and rec_params.inc of the conformance scenarios, inline:
 * a NEW realm at rd 0x80100000 and a REC's parameters, so the calls that
 * follow meet realms and RECs as well as refusals. With `mutate`, some
 * fields of RmiRealmParams (DEN0137 B3.4.17: flags 0x0, s2sz 0x8, hash_algo
 * 0x30, vmid 0x800, rtt_base 0x808, rtt_level_start 0x810, rtt_num_start
 * 0x818) and RmiRecParams (B3.4.16: flags 0x0, mpidr 0x100, pc 0x200,
 * num_aux 0x800, aux 0x808) take values from the byte stream first, to
 * reach the parameter checks. */
static const uint64_t realm_param_offs[] = { 0x0, 0x8, 0x8, 0x30, 0x800, 0x808, 0x810, 0x818 };
static const uint64_t rec_param_offs[] = { 0x0, 0x100, 0x200, 0x800, 0x808, 0x810 };
static const uint64_t param_values[] = {
	0, 1, 2, 3, 4, 0x20, 0x27, 0x28, 0x30, 0x34, 0x35, 0xff, 0x80101000, 0x80102000,
	0x80100000, 0x80300000, 0x80107000, 0x1000, 0xffffffffffffffff,
};

static void cca_setup(struct bytes *b, GString *out, bool mutate)
{
	g_string_append(out, "host.rmi granule_delegate addr=0x80100000\n"
			     "host.rmi granule_delegate addr=0x80101000\n"
			     "host.fill addr=0x80200000 len=4K byte=0\n"
			     "host.store addr=0x80200008 data=hex:27\n"
			     "host.store addr=0x80200808 data=hex:0010108000000000\n"
			     "host.store addr=0x80200810 data=hex:01\n"
			     "host.store addr=0x80200818 data=hex:01\n");
	for (unsigned k = mutate ? take(b) % 3 + 1 : 0; k; k--) {
		uint64_t v = PICK(b, param_values);
		g_string_append_printf(out, "host.store addr=0x%llx data=hex:", (unsigned long long)(0x80200000 + PICK(b, realm_param_offs)));
		for (int i = 0; i < 8; i++)
			g_string_append_printf(out, "%02x", (unsigned)(v >> (8 * i)) & 0xff);
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "host.rmi realm_create rd=0x80100000 params_ptr=0x80200000\n"
			     "host.fill addr=0x80201000 len=4K byte=0\n"
			     "host.store addr=0x80201000 data=hex:01\n"
			     "host.store addr=0x80201200 data=hex:0010\n"
			     "host.store addr=0x80201800 data=hex:02\n"
			     "host.store addr=0x80201808 data=hex:00701080000000000080108000000000\n");
	for (unsigned k = mutate ? take(b) % 3 : 0; k; k--) {
		uint64_t v = PICK(b, param_values);
		g_string_append_printf(out, "host.store addr=0x%llx data=hex:", (unsigned long long)(0x80201000 + PICK(b, rec_param_offs)));
		for (int i = 0; i < 8; i++)
			g_string_append_printf(out, "%02x", (unsigned)(v >> (8 * i)) & 0xff);
		g_string_append_c(out, '\n');
	}
}

static void gen_cca(struct bytes *b, GString *out)
{
	const struct rmm_cmd *rmi;
	const struct rsi_cmd *rsi;
	size_t nrmi = rmm_cmds(&rmi), nrsi = rsi_cmds(&rsi);
	unsigned mode = take(b);
	bool realm = mode & 2; /* a realm runs RSI calls after the host's */
	g_string_append(out, "title \"fuzz: CCA monitor calls\"\nprofiles cca\n");
	if (realm) /* built before the host's calls, which may then attack it */
		g_string_append(out, "guest g0\nhost.guest_load g0\nhost.guest_create g0\n");
	if (mode & 1)
		cca_setup(b, out, mode & 4);
	GString *ops = g_string_new(NULL);
	for (unsigned i = 0; i < FUZZ_MAX_CALLS && b->at < b->n; i++) {
		unsigned op = take(b);
		if (realm && (op & 0xf8) == 0x80) { /* a PSCI call of the realm, supported or not */
			static const uint64_t psci[] = { 0x84000000, 0xC4000001, 0xC4000003, 0xC4000004,
							 0x8400000A, 0x84000006, 0xC4000012, 0x8400001F };
			g_string_append_printf(ops, "g0.op smc fid=0x%llx x1=0x%llx x2=0x%llx\n",
					       (unsigned long long)PICK(b, psci),
					       (unsigned long long)PICK(b, smalls),
					       (unsigned long long)PICK(b, realm_ipas));
			continue;
		}
		if (realm && (op & 0x80)) { /* an RSI call of the realm */
			const struct rsi_cmd *c = &rsi[op % nrsi];
			g_string_append_printf(ops, "g0.op rsi %s", c->name);
			for (unsigned a = 0; a < c->arity && c->args[a]; a++)
				g_string_append_printf(ops, " %s=0x%llx", c->args[a],
						       (unsigned long long)rsi_arg(b, c->args[a]));
			g_string_append_c(ops, '\n');
			continue;
		}
		if (op == 0x7f) { /* RTTs to level 3 at IPA 0, a page, then a fold */
			g_string_append(out, "host.rmi granule_delegate addr=0x80102000\n"
					     "host.rmi granule_delegate addr=0x80103000\n"
					     "host.rmi rtt_create rd=0x80100000 rtt=0x80102000 ipa=0 level=2\n"
					     "host.rmi rtt_create rd=0x80100000 rtt=0x80103000 ipa=0 level=3\n"
					     "host.rmi granule_delegate addr=0x80104000\n"
					     "host.rmi data_create_unknown rd=0x80100000 data=0x80104000 ipa=0\n"
					     "host.rmi rtt_fold rd=0x80100000 ipa=0 level=3\n");
			continue;
		}
		const struct rmm_cmd *c = &rmi[op % nrmi];
		g_string_append_printf(out, "host.rmi %s", c->name);
		for (unsigned a = 0; a < c->arity && c->args[a]; a++) {
			const char *arg = c->args[a];
			if (strcmp(c->name, "version") == 0)
				arg = "req";
			else if (strcmp(c->name, "granule_delegate") == 0 ||
				 strcmp(c->name, "granule_undelegate") == 0)
				arg = "addr";
			g_string_append_printf(out, " %s=0x%llx", arg,
					       (unsigned long long)cca_arg(b, arg));
		}
		g_string_append_c(out, '\n');
		if ((op & 0x60) == 0x60) /* now and then the host touches memory */
			g_string_append_printf(out, "host.store addr=0x%llx data=\"fuzz\"\n",
					       (unsigned long long)PICK(b, cca_granules));
	}
	if (realm) {
		g_string_append(out, ops->str);
		g_string_append(out, "host.guest_run g0\nhost.guest_destroy g0\n");
	}
	g_string_free(ops, TRUE);
}

/* SEV-SNP (profile sev-snp: RMP 0x7000000..0x80fffff): pages, 2 MB
 * boundaries, the RMP itself, unaligned and out-of-range addresses. */
static const uint64_t snp_pages[] = {
	0x9000000, 0x9001000, 0x9002000, 0x9003000, 0x9004000, 0x9005000, 0x9006000, 0x9007000,
	0x9200000, 0x9201000, 0x93ff000, 0x7000000, 0x8000000, 0x80ff000, 0x9000800, 0,
	0xffffffffff000, 0xffffffffffffffff,
};
static const uint64_t snp_gpas[] = { 0, 0x1000, 0x2000, 0x200000, 0x9000000, 0x800, 0xfffffffff000 };
/* SNP guest policies (SNP ABI 4.3): the usual one, then each rule broken
 * once -- SMT off on an SMT platform, RSVD1 clear, an ABI newer than the
 * firmware, a migration agent, DEBUG, SINGLE_SOCKET, an unknown bit. */
static const uint64_t snp_policies[] = { 0x30000, 0x30000, 0x20000, 0x10000, 0x3ff00,
					 0x30100, 0x70000, 0xb0000, 0x130000, 0x1030000, 0 };
static const uint64_t asids[] = { 0, 1, 1, 2, 3, 15, 16, 100, 509, 0xffff, 0xffffffff };
static const char *const page_types[] = { "normal", "vmsa", "zero", "unmeasured", "secrets",
					  "cpuid", "0", "7", "0xff" /* reserved PAGE_TYPEs */ };

static void gen_snp(struct bytes *b, GString *out)
{
	/* Now and then a platform SNP_INIT must refuse: an RMP whose base
	 * the firmware cannot use (8 KB aligned as the MSR needs, not the 1 MB
	 * the firmware does; a misaligned one the profile itself refuses), or
	 * AMD's alias check on, for a DIMM the attacker may rewire; or two
	 * sockets, which a SINGLE_SOCKET policy refuses. */
	static const char *const platforms[] = { "rmp.base=0x7002000", "sev.snp_alias_check=true",
						  "sev.sockets=2" };
	unsigned plat = take(b), which = plat % G_N_ELEMENTS(platforms);
	bool refused = plat < 32; /* one run in eight */
	if (refused)
		g_string_append_printf(out, "#set %s\n", platforms[which]);
	g_string_append(out, "title \"fuzz: SEV-SNP firmware and RMP instructions\"\nprofiles sev-snp\n"
			     "vm victim asid=1\n");
	/* on such a platform, what it is there to refuse, first */
	if (refused && which == 1 && (take(b) & 1))
		g_string_append(out, "phys.alias addr=0x9400000 target=0x9000000\n");
	if (take(b) & 1)
		g_string_append(out, "host.snp init\nhost.snp launch_start gctx=0x9000000\n"
				     "host.snp activate gctx=0x9000000 asid=1\n");
	if (refused && which == 2)
		g_string_append(out, "host.snp launch_start gctx=0x9001000 policy=0x130000\n");
	for (unsigned i = 0; i < FUZZ_MAX_CALLS && b->at < b->n; i++) {
		unsigned op = take(b) % 20;
		unsigned long long p = PICK(b, snp_pages), q = PICK(b, snp_pages);
		switch (op) {
		case 0: g_string_append(out, "host.snp init\n"); break;
		case 1:
			g_string_append_printf(out, "host.snp launch_start gctx=0x%llx policy=0x%llx\n", p,
					       (unsigned long long)PICK(b, snp_policies));
			break;
		case 2:
			g_string_append_printf(out, "host.snp activate gctx=0x%llx asid=0x%llx\n", p,
					       (unsigned long long)PICK(b, asids));
			break;
		case 3:
			g_string_append_printf(out, "host.snp launch_update gctx=0x%llx addr=0x%llx "
					       "gpa=0x%llx type=%s\n", p, q,
					       (unsigned long long)PICK(b, snp_gpas),
					       page_types[take(b) % G_N_ELEMENTS(page_types)]);
			break;
		case 4: g_string_append_printf(out, "host.snp launch_finish gctx=0x%llx\n", p); break;
		case 5: g_string_append_printf(out, "host.snp decommission gctx=0x%llx\n", p); break;
		case 6: g_string_append(out, "host.snp df_flush\n"); break;
		case 7:
			g_string_append_printf(out, "host.snp report gctx=0x%llx vmpl=%u\n", p, take(b) % 5);
			break;
		case 8:
			g_string_append_printf(out, "host.rmpupdate addr=0x%llx asid=0x%llx gpa=0x%llx "
					       "size=%s immutable=%u\n", p,
					       (unsigned long long)PICK(b, asids),
					       (unsigned long long)PICK(b, snp_gpas),
					       take(b) & 1 ? "2M" : "4K", take(b) & 1);
			break;
		case 9: g_string_append_printf(out, "host.rmpupdate addr=0x%llx\n", p); break;
		case 10:
			if (take(b) & 1) /* a 2 MB entry to smash first, Immutable or not */
				g_string_append_printf(out, "host.rmpupdate addr=0x9200000 asid=0x%llx "
						       "gpa=0x200000 size=2M immutable=%u\n",
						       (unsigned long long)PICK(b, asids), take(b) & 1);
			g_string_append_printf(out, "host.psmash addr=0x%llx\n",
					       take(b) & 1 ? 0x9200000ull : p);
			break;
		case 11:
			g_string_append_printf(out, "victim.pvalidate addr=0x%llx validate=%u size=%s\n",
					       (unsigned long long)PICK(b, snp_gpas), take(b) & 1,
					       take(b) & 1 ? "2M" : "4K");
			break;
		case 12:
			g_string_append_printf(out, "victim.rmpadjust addr=0x%llx vmpl=%u perms=0x%x "
					       "vmsa=%u\n", (unsigned long long)PICK(b, snp_gpas),
					       take(b) % 5, take(b) & 0x1f, take(b) & 1);
			break;
		case 13: g_string_append_printf(out, "host.store addr=0x%llx data=\"fuzz\"\n", p); break;
		case 14:
			g_string_append_printf(out, "victim.store addr=0x%llx data=\"fuzz\"\n",
					       (unsigned long long)PICK(b, snp_gpas));
			break;
		case 15: g_string_append(out, "host.wbinvd\n"); break;
		case 16: /* BadRAM: a rewired DIMM decoder (SNP_INIT's alias check) */
			g_string_append_printf(out, "phys.alias addr=0x9400000 target=0x%x\n",
					       take(b) & 1 ? 0x9000000 : 0x9200000);
			break;
		case 17: /* more guests than the firmware keeps (SNP_MAX_GUESTS) */
			for (unsigned k = 0; k <= SNP_MAX_GUESTS; k++)
				g_string_append_printf(out, "host.snp launch_start gctx=0x%llx\n",
						       0x9600000ull + k * 0x1000ull);
			break;
		case 18: /* an ID block: the digest of a guest with no page yet is
			  * zero, so a policy other than the guest's gets past it */
			g_string_append_printf(out, "host.snp launch_finish gctx=0x%llx id_ld=hex:%s "
					       "policy=0x%llx\n", p, take(b) & 1 ? "00" : "01",
					       (unsigned long long)PICK(b, snp_policies));
			break;
		default: /* more runs of launch pages than the firmware tracks */
			for (unsigned k = 0; k <= SNP_MAX_LAUNCH_RUNS; k++)
				g_string_append_printf(out, "host.snp launch_update gctx=0x%llx addr=0x%llx "
						       "gpa=0x%llx type=unmeasured\n", p,
						       0x9800000ull + 2 * k * 0x1000ull, k * 0x1000ull);
			break;
		}
	}
}

/* SEV / SEV-ES (profile sev-es): guest handles 1..4 and bad ones, regions
 * of one page or more, unaligned and out of range. */
static const uint64_t handles[] = { 1, 1, 2, 3, 4, 0, 64, 0xffffffff };
static const uint64_t sev_addrs[] = { 0x9000000, 0x9001000, 0x9002000, 0x9000800, 0,
				      0xffffffffff000 };
static const uint64_t sev_lens[] = { 4096, 4096, 16, 8192, 0, 1, 0x100000, 0xffffffff,
				     0x4000010 /* past SEV_LAUNCH_MAX_BYTES */ };

static void gen_sev(struct bytes *b, GString *out)
{
	g_string_append(out, "title \"fuzz: SEV firmware commands\"\nprofiles sev-es\n"
			     "vm victim asid=1\n");
	static const char *const cmds[] = { "init", "launch_start", "activate", "launch_update_data",
					    "launch_update_vmsa", "launch_measure", "launch_finish",
					    "deactivate", "decommission", "df_flush" };
	for (unsigned i = 0; i < FUZZ_MAX_CALLS && b->at < b->n; i++) {
		unsigned op = take(b) % (G_N_ELEMENTS(cmds) + 5);
		unsigned long long h = PICK(b, handles);
		if (op == G_N_ELEMENTS(cmds) + 3) { /* more guests than the firmware keeps */
			g_string_append_printf(out, "repeat %u host.sev launch_start policy=0x%x\n",
					       SEV_MAX_GUESTS + 1, take(b) & 0x3f);
			continue;
		}
		if (op == G_N_ELEMENTS(cmds) + 4) { /* more VMSAs than a guest may have */
			for (unsigned k = 0; k <= SEV_MAX_VMSAS; k++)
				g_string_append_printf(out, "host.sev launch_update_vmsa handle=%llu "
						       "addr=0x%llx len=0x1000\n", h, 0x9100000ull + k * 0x1000ull);
			continue;
		}
		if (op >= G_N_ELEMENTS(cmds)) {
			static const char *const other[] = { "host.wbinvd\n",
							     "victim.store addr=0x9000000 data=\"fuzz\"\n",
							     "host.store addr=0x9000000 data=\"fuzz\"\n" };
			g_string_append(out, other[op - G_N_ELEMENTS(cmds)]);
			continue;
		}
		const char *c = cmds[op];
		g_string_append_printf(out, "host.sev %s", c);
		if (strcmp(c, "launch_start") == 0)
			g_string_append_printf(out, " policy=0x%x", take(b) & 0x3f);
		else if (strcmp(c, "activate") == 0)
			g_string_append_printf(out, " handle=%llu asid=0x%llx", h,
					       (unsigned long long)PICK(b, asids));
		else if (strncmp(c, "launch_update", 13) == 0)
			g_string_append_printf(out, " handle=%llu addr=0x%llx len=0x%llx", h,
					       (unsigned long long)PICK(b, sev_addrs),
					       (unsigned long long)PICK(b, sev_lens));
		else if (strcmp(c, "init") != 0 && strcmp(c, "df_flush") != 0)
			g_string_append_printf(out, " handle=%llu", h);
		g_string_append_c(out, '\n');
	}
}

/* --- mutating a seed scenario --- */

/* A value for argument `name` of a call on this ABI, from the pools above. */
static uint64_t abi_arg(enum fuzz_abi abi, bool rsi, struct bytes *b, const char *name)
{
	if (abi == FUZZ_CCA)
		return rsi ? rsi_arg(b, name) : cca_arg(b, name);
	if (strcmp(name, "asid") == 0)
		return PICK(b, asids);
	if (strcmp(name, "handle") == 0)
		return PICK(b, handles);
	if (strcmp(name, "policy") == 0)
		return abi == FUZZ_SNP ? PICK(b, snp_policies) : take(b) & 0x3f;
	if (strcmp(name, "len") == 0)
		return PICK(b, sev_lens);
	if (strcmp(name, "gpa") == 0 || (abi == FUZZ_SNP && rsi))
		return PICK(b, snp_gpas);
	if (strcmp(name, "addr") == 0 || strcmp(name, "gctx") == 0)
		return abi == FUZZ_SNP ? PICK(b, snp_pages) : PICK(b, sev_addrs);
	return PICK(b, smalls);
}

bool fuzz_declaration(const char *line)
{
	static const char *const words[] = { "title", "profiles", "param", "vm", "guest", "secret",
					     "include", NULL };
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return true;
	for (const char *const *w = words; *w; w++) {
		size_t n = strlen(*w);
		if (strncmp(line, *w, n) == 0 && (line[n] == ' ' || line[n] == '\t' || !line[n]))
			return true;
	}
	return false;
}

/* Is the line a monitor call or an instruction the fuzzers aim at (the
 * only steps a mutation touches: guest lifecycle steps and the set-up's
 * stores keep the scenario well-formed)? Not if it uses a capture ($x),
 * nor if a later step may use the capture it makes. */
static bool mutable_call(GPtrArray *lines, guint at)
{
	static const char *const calls[] = { "host.rmi ", "host.snp ", "host.sev ", "host.rmpupdate ",
					     "host.psmash ", "host.seamcall ", NULL };
	static const char *const guest[] = { ".op rsi ", ".pvalidate ", ".rmpadjust ", NULL };
	const char *l = lines->pdata[at];
	bool call = false;
	for (const char *const *c = calls; *c && !call; c++)
		call = g_str_has_prefix(l, *c);
	for (const char *const *c = guest; *c && !call; c++)
		call = strstr(l, *c) != NULL;
	for (const char *d = strchr(l, '$'); call && d; d = strchr(d + 1, '$'))
		call = d[1] == '{';
	const char *cap = strstr(l, " -> ");
	if (call && cap) {
		gchar *ref = g_strdup_printf("$%s", g_strstrip(g_strdup(cap + 4)));
		for (guint i = at + 1; i < lines->len && call; i++)
			call = !strstr(lines->pdata[i], ref);
		g_free(ref);
	}
	return call;
}

/* The indices of the lines a mutation may touch. */
static GArray *step_lines(GPtrArray *lines)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(guint));
	for (guint i = 0; i < lines->len; i++)
		if (mutable_call(lines, i))
			g_array_append_val(a, i);
	return a;
}

/* Is `ref` a `${name}` whose `param name=VALUE` is a number? */
static bool numeric_param(GPtrArray *lines, const char *ref)
{
	if (strncmp(ref, "${", 2) != 0)
		return false;
	size_t n = strcspn(ref + 2, "}");
	for (guint i = 0; i < lines->len; i++) {
		const char *l = lines->pdata[i];
		if (g_str_has_prefix(l, "param ") && strncmp(l + 6, ref + 2, n) == 0 && l[6 + n] == '=')
			return g_ascii_isdigit(l[7 + n]);
	}
	return false;
}

/* One numeric argument of a call, `name=value` with a number or a param
 * as its value (not a name, string, hex: data or capture), takes a pool
 * value for its name. */
static void mutate_arg(enum fuzz_abi abi, struct bytes *b, GPtrArray *lines, guint at)
{
	gchar **tok = g_strsplit(lines->pdata[at], " ", -1);
	guint n = g_strv_length(tok), cand[32], nc = 0;
	for (guint i = 1; i < n && strcmp(tok[i], "->") != 0 && nc < G_N_ELEMENTS(cand); i++) {
		size_t k = strspn(tok[i], "abcdefghijklmnopqrstuvwxyz0123456789_");
		const char *v = tok[i] + k + 1;
		if (k && tok[i][k] == '=' && (g_ascii_isdigit(*v) || numeric_param(lines, v)))
			cand[nc++] = i;
	}
	if (nc) {
		guint i = cand[take(b) % nc];
		gchar *name = g_strndup(tok[i], (gsize)(strchr(tok[i], '=') - tok[i]));
		bool rsi = strstr(lines->pdata[at], ".op ") != NULL;
		gchar *v = g_strdup_printf("%s=0x%llx", name,
					   (unsigned long long)abi_arg(abi, rsi, b, name));
		g_free(tok[i]);
		tok[i] = v;
		g_free(name);
		g_free(lines->pdata[at]);
		lines->pdata[at] = g_strjoinv(" ", tok);
	}
	g_strfreev(tok);
}

/* Does the scenario declare the actor of this step before line `at`
 * (host always)? */
static bool actor_declared(GPtrArray *lines, guint at, const char *step)
{
	size_t n = strcspn(step, ".");
	if (n == 4 && strncmp(step, "host", 4) == 0)
		return true;
	for (guint i = 0; i < at && i < lines->len; i++) {
		const char *l = lines->pdata[i];
		if ((g_str_has_prefix(l, "guest ") && strncmp(l + 6, step, n) == 0 &&
		     (!l[6 + n] || l[6 + n] == ' ')) ||
		    (g_str_has_prefix(l, "vm ") && strncmp(l + 3, step, n) == 0 && l[3 + n] == ' '))
			return true;
	}
	return false;
}

void fuzz_mutate(enum fuzz_abi abi, const char *seed, const uint8_t *d, size_t n, GString *out)
{
	static const char *const profile[] = { "cca", "sev-snp", "sev-es" };
	struct bytes b = { d, n, 0 };
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	gchar **src = g_strsplit(seed, "\n", -1);
	for (gchar **l = src; *l; l++) {
		const char *t = *l + strspn(*l, " \t");
		if (strncmp(t, "expect ", 7) == 0) /* a mutant is judged by the invariants */
			continue;
		if (strncmp(t, "profiles ", 9) == 0) {
			g_ptr_array_add(lines, g_strdup_printf("profiles %s", profile[abi]));
			continue;
		}
		g_ptr_array_add(lines, g_strdup(t));
	}
	g_strfreev(src);
	GString *fresh = g_string_new(NULL);
	for (unsigned k = take(&b) % 6 + 1; k; k--) {
		GArray *steps = step_lines(lines);
		unsigned op = take(&b) % 5;
		if (!steps->len)
			op = 4;
		guint at = steps->len ? g_array_index(steps, guint, take(&b) % steps->len) : lines->len;
		switch (op) {
		case 0: mutate_arg(abi, &b, lines, at); break;
		case 1: g_ptr_array_remove_index(lines, at); break;
		case 2: { /* the copy makes no capture: a name is captured once */
			const char *l = lines->pdata[at], *cap = strstr(l, " -> ");
			g_ptr_array_insert(lines, (gint)at + 1,
					   cap ? g_strndup(l, (gsize)(cap - l)) : g_strdup(l));
			break;
		}
		case 3: /* swap with the next line, if it is a call too */
			if (at + 1 < lines->len && mutable_call(lines, at + 1)) {
				gpointer t = lines->pdata[at];
				lines->pdata[at] = lines->pdata[at + 1];
				lines->pdata[at + 1] = t;
			}
			break;
		default: { /* a fresh call from the generator, at a random step */
			uint8_t few[4] = { (uint8_t)take(&b), (uint8_t)take(&b), (uint8_t)take(&b),
					   (uint8_t)take(&b) };
			fuzz_scenario(abi, few, sizeof(few), fresh);
			gchar **fl = g_strsplit(fresh->str, "\n", -1);
			for (gchar **l = fl; *l; l++)
				if (**l && !fuzz_declaration(*l) && strncmp(*l, "host.guest_", 11) != 0 &&
				    actor_declared(lines, at, *l))
					g_ptr_array_insert(lines, (gint)MIN(at, lines->len), g_strdup(*l));
			g_strfreev(fl);
			break;
		}
		}
		g_array_free(steps, TRUE);
	}
	g_string_free(fresh, TRUE);
	g_string_truncate(out, 0);
	g_string_append(out, "# generated by ccsim fuzz --seeds: a mutated seed scenario\n");
	for (guint i = 0; i < lines->len; i++)
		g_string_append_printf(out, "%s\n", (const char *)lines->pdata[i]);
	g_ptr_array_free(lines, TRUE);
}

size_t fuzz_sets(const char *text, char **sets, size_t max)
{
	size_t n = 0;
	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
		if (*l != '#')
			break; /* only the leading comment block */
		if (strncmp(l, "#set ", 5) == 0 && n < max)
			sets[n++] = g_strndup(l + 5, strcspn(l + 5, "\n"));
	}
	return n;
}

const char *fuzz_abi_name(enum fuzz_abi abi)
{
	static const char *const names[] = { "cca", "snp", "sev" };
	return abi < G_N_ELEMENTS(names) ? names[abi] : "?";
}

int fuzz_abi_parse(const char *name, enum fuzz_abi *abi)
{
	for (unsigned a = 0; a < FUZZ_ABIS; a++)
		if (strcmp(name, fuzz_abi_name((enum fuzz_abi)a)) == 0) {
			*abi = (enum fuzz_abi)a;
			return 0;
		}
	return -1;
}

void fuzz_scenario(enum fuzz_abi abi, const uint8_t *d, size_t n, GString *out)
{
	struct bytes b = { d, n, 0 };
	g_string_truncate(out, 0);
	g_string_append(out, "# generated by ccsim fuzz: monitor calls from random bytes\n");
	if (abi == FUZZ_CCA)
		gen_cca(&b, out);
	else if (abi == FUZZ_SNP)
		gen_snp(&b, out);
	else
		gen_sev(&b, out);
}
