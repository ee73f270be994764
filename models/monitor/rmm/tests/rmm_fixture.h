/* The machine, addresses and helpers the RMM realm / RTT tests share: a cca
 * profile machine with an NS host CPU, and a realm of IPA width 39 whose
 * one starting RTT is at level 1 (DEN0137 1.0-rel0). */
#ifndef CCSIM_RMM_TESTS_FIXTURE_H
#define CCSIM_RMM_TESTS_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "models/cpu/cpu.h"
#include "models/monitor/rmm/rmm.h"
#include "models/platform/machine.h"
#include "models/platform/machine_mon.h"

struct fx {
	struct sim sim;
	struct machine m;
	struct cpu host, realm;
};

#define RD 0x80100000ull
#define RTT0 0x80101000ull  /* starting RTT, level 1 */
#define RTT2 0x80102000ull
#define RTT3 0x80103000ull
#define DATA1 0x80104000ull
#define DATA2 0x80105000ull
#define REC 0x80106000ull
#define AUX1 0x80107000ull
#define AUX2 0x80108000ull
#define RPARAMS 0x80200000ull /* NS pages the host prepares */
#define CPARAMS 0x80201000ull
#define SRC 0x80202000ull
#define SRC2 0x80203000ull
#define S2SZ 39
#define UNPROT (1ull << 38)   /* the unprotected IPA bit */

/* The machine of profile file `path`. */
static inline int fx_setup_profile(void **state, const char *path)
{
	struct fx *f = test_malloc(sizeof(*f));
	struct platform_config cfg;
	char err[256];
	assert_int_equal(profile_load(path, &cfg, err, sizeof(err)), 0);
	sim_init(&f->sim, 7, cfg.freq_mhz * 1000000ull);
	f->sim.log.sink = NULL;
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	cpu_init(&f->host, &f->sim, "host", machine_bus(&f->m), WORLD_NS, 2);
	cpu_init(&f->realm, &f->sim, "realm", machine_bus(&f->m), WORLD_REALM, 1);
	*state = f;
	return 0;
}

static inline int fx_setup(void **state)
{
	return fx_setup_profile(state, "models/platform/profiles/cca.ini");
}

/* The built-in RMM behind the machine's monitor slot. */
static inline struct rmm *fx_rmm(struct fx *f)
{
	return machine_mon_instance(f->m.rmm);
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	sim_fini(&f->sim);
	test_free(f);
	return 0;
}

/* One RMI call from the host; returns X0, the other registers in out. */
static inline uint64_t fx_rmi(struct fx *f, uint64_t fid, uint64_t x1, uint64_t x2, uint64_t x3,
			      uint64_t x4, uint64_t x5, uint64_t out[SMC_REGS])
{
	uint64_t regs[SMC_REGS] = { fid, x1, x2, x3, x4, x5 }, cycles;
	cpu_smc(&f->host, regs, &cycles);
	if (out)
		memcpy(out, regs, sizeof(regs));
	return regs[0];
}

static inline void fx_store64(struct fx *f, uint64_t pa, uint64_t v)
{
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_store(&f->host, pa, &v, 8, &fault, &c), 0);
}

static inline void fx_fill(struct fx *f, uint64_t pa, uint8_t byte)
{
	uint8_t buf[64];
	struct cc_fault fault;
	uint64_t c;
	memset(buf, byte, sizeof(buf));
	for (uint64_t o = 0; o < 4096; o += 64)
		assert_int_equal(cpu_store(&f->host, pa + o, buf, 64, &fault, &c), 0);
}

static inline void fx_delegate(struct fx *f, uint64_t pa)
{
	assert_int_equal(fx_rmi(f, RMI_GRANULE_DELEGATE, pa, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

/* RmiRealmParams at RPARAMS (B3.4.12). */
static inline void fx_realm_params(struct fx *f, uint64_t s2sz, int64_t sl, uint64_t num,
				   uint64_t rtt_base, uint64_t vmid, uint64_t algo)
{
	fx_fill(f, RPARAMS, 0);
	fx_store64(f, RPARAMS + RMI_REALM_PARAM_S2SZ, s2sz);
	fx_store64(f, RPARAMS + RMI_REALM_PARAM_HASH_ALGO, algo);
	fx_store64(f, RPARAMS + RMI_REALM_PARAM_VMID, vmid);
	fx_store64(f, RPARAMS + RMI_REALM_PARAM_RTT_BASE, rtt_base);
	fx_store64(f, RPARAMS + RMI_REALM_PARAM_RTT_LEVEL_START, (uint64_t)sl);
	fx_store64(f, RPARAMS + RMI_REALM_PARAM_RTT_NUM_START, num);
}

/* A NEW realm at RD with its level-1 starting RTT at RTT0. */
static inline void fx_make_realm(struct fx *f, uint64_t vmid, uint64_t algo)
{
	fx_delegate(f, RD);
	fx_delegate(f, RTT0);
	fx_realm_params(f, S2SZ, 1, 1, RTT0, vmid, algo);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_SUCCESS);
}

/* RTTs at levels 2 and 3 for IPA 0 (or another 2 MB-aligned ipa). */
static inline void fx_make_rtts(struct fx *f, uint64_t ipa)
{
	fx_delegate(f, RTT2);
	fx_delegate(f, RTT3);
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT2, ipa, 2, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT3, ipa, 3, 0, NULL), RMI_SUCCESS);
}

/* RmiRecParams at CPARAMS (B3.4.10) with the two auxiliary granules. */
static inline void fx_rec_params(struct fx *f, uint64_t mpidr, uint64_t pc, uint64_t naux)
{
	fx_fill(f, CPARAMS, 0);
	fx_store64(f, CPARAMS + RMI_REC_PARAM_FLAGS, RMI_REC_FLAG_RUNNABLE);
	fx_store64(f, CPARAMS + RMI_REC_PARAM_MPIDR, mpidr);
	fx_store64(f, CPARAMS + RMI_REC_PARAM_PC, pc);
	fx_store64(f, CPARAMS + RMI_REC_PARAM_NUM_AUX, naux);
	fx_store64(f, CPARAMS + RMI_REC_PARAM_AUX, AUX1);
	fx_store64(f, CPARAMS + RMI_REC_PARAM_AUX + 8, AUX2);
}

static inline int fx_realm_state(struct fx *f, uint8_t rim[64])
{
	int st = -1;
	uint8_t tmp[64];
	assert_int_equal(rmm_realm_info(fx_rmm(f), RD, &st, rim ? rim : tmp), 0);
	return st;
}

#endif
