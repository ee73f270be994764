/* RSI commands against DEN0137 1.0-rel0 B4: each called directly with
 * rmm_handle_rsi from the REC of an active realm (two RAM pages at IPA 0 and
 * 0x1000), checking results, realm memory, REC exits and failure conditions. */
#include <openssl/evp.h>
#include <stdlib.h>

#include "models/monitor/attest/cca_token.h"
#include "models/monitor/rmm/tests/rmm_fixture.h"

#define IPA_BUF 0x1000ull /* DATA2 */

/* An ACTIVE realm: RIPAS RAM over [0, 0x4000), DATA1 at IPA 0, DATA2 at
 * 0x1000, one REC with its two auxiliary granules. */
static void rsi_realm(struct fx *f, uint64_t algo)
{
	fx_make_realm(f, 1, algo);
	fx_make_rtts(f, 0);
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0, 0x4000, 0, 0, NULL), RMI_SUCCESS);
	fx_fill(f, SRC, 0xaa);
	fx_delegate(f, DATA1);
	fx_delegate(f, DATA2);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, SRC, RMI_DATA_FLAG_MEASURE, NULL),
			 RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA2, IPA_BUF, SRC, 0, NULL), RMI_SUCCESS);
	fx_delegate(f, REC);
	fx_delegate(f, AUX1);
	fx_delegate(f, AUX2);
	fx_rec_params(f, 0, 0, 2);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

/* One RSI call from the REC with X1..X4; returns X0, the registers in o. */
static uint64_t rsi(struct fx *f, uint64_t fid, uint64_t x1, uint64_t x2, uint64_t x3,
		    uint64_t x4, uint64_t o[RSI_REGS], enum rsi_next *next)
{
	uint64_t regs[RSI_REGS] = { fid, x1, x2, x3, x4 }, c = 0;
	enum rsi_next n = rmm_handle_rsi(fx_rmm(f), RD, REC, regs, &c);
	if (next)
		*next = n;
	else
		assert_int_equal(n, RSI_RET_REALM);
	if (o)
		memcpy(o, regs, sizeof(regs));
	return regs[0];
}

/* A call whose buffer is RAM the host has not backed (IPA 0x3000: RIPAS
 * RAM, UNASSIGNED) ends in a stage 2 exit at that IPA and level 3, as in
 * TF-RMM, and is neither a success nor an error. */
static void unmapped_exits(struct fx *f, uint64_t fid, uint64_t x3)
{
	uint64_t o[RSI_REGS];
	enum rsi_next next;
	uint64_t errs = fx_rmm(f)->stat_rsi_errors[fid - RSI_FID_FIRST];
	rsi(f, fid, 0x3000, 0, x3, 0, o, &next);
	assert_int_equal(next, RSI_RET_EXIT_S2_FAULT);
	assert_int_equal(o[0], 0x3000);
	assert_int_equal(o[1], 3);
	assert_int_equal(fx_rmm(f)->stat_rsi_errors[fid - RSI_FID_FIRST], errs);
}

/* Read realm memory (a PA) as the realm does, through the Realm PAS. */
static void realm_read(struct fx *f, uint64_t pa, void *buf, size_t len)
{
	struct cc_fault fault;
	uint64_t c;
	for (size_t o = 0; o < len; o += 8)
		assert_int_equal(cpu_load(&f->realm, pa + o, (uint8_t *)buf + o,
					  (uint32_t)(len - o < 8 ? len - o : 8), &fault, &c), 0);
}

static void realm_write64(struct fx *f, uint64_t pa, uint64_t v)
{
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_store(&f->realm, pa, &v, 8, &fault, &c), 0);
}

/* B4.3.10 / B4.3.3: VERSION 1.0 succeeds, any other revision is ERROR_INPUT
 * with lower = higher = 1.0; FEATURES reads zero; unknown FIDs SMC_UNKNOWN. */
static void test_rsi_version_features(void **state)
{
	struct fx *f = *state;
	uint64_t o[RSI_REGS];
	rsi_realm(f, RMI_HASH_SHA_256);
	assert_int_equal(rsi(f, RSI_VERSION, 0x10000, 0, 0, 0, o, NULL), RSI_SUCCESS);
	assert_int_equal(o[1], 0x10000);
	assert_int_equal(o[2], 0x10000);
	assert_int_equal(rsi(f, RSI_VERSION, 0x20000, 0, 0, 0, o, NULL), RSI_ERROR_INPUT);
	assert_int_equal(o[1], 0x10000);
	assert_int_equal(o[2], 0x10000);
	assert_int_equal(rsi(f, RSI_VERSION, 0x1, 0, 0, 0, o, NULL), RSI_ERROR_INPUT);
	assert_int_equal(rsi(f, RSI_FEATURES, 0, 0, 0, 0, o, NULL), RSI_SUCCESS);
	assert_int_equal(o[1], 0);
	assert_int_equal(rsi(f, RSI_FID(0x19A), 0, 0, 0, 0, NULL, NULL), UINT64_MAX);
	assert_int_equal(rsi(f, RMI_VERSION, 0, 0, 0, 0, NULL, NULL), UINT64_MAX);
	enum rsi_next next;
	assert_int_equal(rsi(f, 0x84000000ull, 0, 0, 0, 0, NULL, &next), 0x84000000ull);
	assert_int_equal(next, RSI_RET_EXIT_PSCI);
	assert_int_equal(fx_rmm(f)->stat_rsi_calls[0], 3);
	assert_int_equal(fx_rmm(f)->stat_rsi_errors[0], 2);
	assert_int_equal(fx_rmm(f)->stat_rsi_unknown, 2);
	assert_string_equal(rsi_cmd_by_fid(RSI_HOST_CALL)->name, "host_call");
}

static void hash(uint64_t algo, const void *p, size_t n, uint8_t out[64])
{
	unsigned len;
	memset(out, 0, 64);
	assert_int_equal(EVP_Digest(p, n, out, &len,
				    algo == RMI_HASH_SHA_512 ? EVP_sha512() : EVP_sha256(), NULL), 1);
}

/* B4.3.7 / B4.3.8: EXTEND then READ; REM[i] = H(REM[i] || value[0:size]),
 * computed here independently for SHA-256 and SHA-512; index 0 is the RIM. */
static void check_extend(struct fx *f, uint64_t algo)
{
	uint64_t o[RSI_REGS];
	uint8_t rim[64], want[64], buf[128];
	size_t hl = algo == RMI_HASH_SHA_512 ? 64 : 32;
	rsi_realm(f, algo);
	fx_realm_state(f, rim);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_READ, 0, 0, 0, 0, o, NULL), RSI_SUCCESS);
	assert_memory_equal(&o[1], rim, 64);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_READ, 2, 0, 0, 0, o, NULL), RSI_SUCCESS);
	assert_memory_equal(&o[1], (uint8_t[64]){ 0 }, 64);
	/* extend REM 2 with 13 bytes of X3..X10 */
	uint64_t regs[RSI_REGS] = { RSI_MEASUREMENT_EXTEND, 2, 13 }, c = 0;
	for (int i = 3; i < RSI_REGS; i++)
		regs[i] = 0x0101010101010101ull * (uint64_t)i;
	uint8_t value[64];
	memcpy(value, &regs[3], 64);
	assert_int_equal(rmm_handle_rsi(fx_rmm(f), RD, REC, regs, &c), RSI_RET_REALM);
	assert_int_equal(regs[0], RSI_SUCCESS);
	memset(buf, 0, sizeof(buf));
	memcpy(buf + hl, value, 13);
	hash(algo, buf, hl + 13, want);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_READ, 2, 0, 0, 0, o, NULL), RSI_SUCCESS);
	assert_memory_equal(&o[1], want, 64);
	/* a second extension chains on the first; size 64 and 0 are allowed */
	uint64_t r2[RSI_REGS] = { RSI_MEASUREMENT_EXTEND, 2, 64 };
	memcpy(&r2[3], value, 64);
	assert_int_equal(rmm_handle_rsi(fx_rmm(f), RD, REC, r2, &c), RSI_RET_REALM);
	memcpy(buf, want, hl);
	memcpy(buf + hl, value, 64);
	hash(algo, buf, hl + 64, want);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_READ, 2, 0, 0, 0, o, NULL), RSI_SUCCESS);
	assert_memory_equal(&o[1], want, 64);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_EXTEND, 4, 0, 0, 0, NULL, NULL), RSI_SUCCESS);
	/* the other REMs and the RIM are untouched */
	assert_int_equal(rsi(f, RSI_MEASUREMENT_READ, 1, 0, 0, 0, o, NULL), RSI_SUCCESS);
	assert_memory_equal(&o[1], (uint8_t[64]){ 0 }, 64);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_READ, 0, 0, 0, 0, o, NULL), RSI_SUCCESS);
	assert_memory_equal(&o[1], rim, 64);
	/* B4.3.8 index_bound; B4.3.7 index_bound (0 is the RIM, 5) and size_bound */
	assert_int_equal(rsi(f, RSI_MEASUREMENT_READ, 5, 0, 0, 0, NULL, NULL), RSI_ERROR_INPUT);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_EXTEND, 0, 8, 0, 0, NULL, NULL), RSI_ERROR_INPUT);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_EXTEND, 5, 8, 0, 0, NULL, NULL), RSI_ERROR_INPUT);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_EXTEND, 1, 65, 0, 0, NULL, NULL), RSI_ERROR_INPUT);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_READ, 1, 0, 0, 0, o, NULL), RSI_SUCCESS);
	assert_memory_equal(&o[1], (uint8_t[64]){ 0 }, 64);
}

static void test_rsi_measurement_sha256(void **state)
{
	check_extend(*state, RMI_HASH_SHA_256);
}

static void test_rsi_measurement_sha512(void **state)
{
	check_extend(*state, RMI_HASH_SHA_512);
}

/* B4.3.9 / B4.4.5: REALM_CONFIG writes ipa_width, hash_algo and the RPV into
 * the realm's page and zeroes the rest; addr_align, addr_bound; a RIPAS
 * EMPTY page is ERROR_INPUT, an unbacked RAM page a stage 2 exit. */
static void test_rsi_realm_config(void **state)
{
	struct fx *f = *state;
	uint8_t page[4096], rpv[64];
	for (int i = 0; i < 64; i++)
		rpv[i] = (uint8_t)(0x40 + i);
	fx_delegate(f, RD);
	fx_delegate(f, RTT0);
	fx_realm_params(f, S2SZ, 1, 1, RTT0, 1, RMI_HASH_SHA_512);
	for (int i = 0; i < 8; i++) {
		uint64_t v;
		memcpy(&v, rpv + 8 * i, 8);
		fx_store64(f, RPARAMS + RMI_REALM_PARAM_RPV + 8 * (uint64_t)i, v);
	}
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_SUCCESS);
	fx_make_rtts(f, 0);
	fx_fill(f, SRC, 0xaa);
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0, 0x4000, 0, 0, NULL), RMI_SUCCESS);
	fx_delegate(f, DATA2);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA2, IPA_BUF, SRC, 0, NULL), RMI_SUCCESS);
	fx_delegate(f, REC);
	fx_delegate(f, AUX1);
	fx_delegate(f, AUX2);
	fx_rec_params(f, 0, 0, 2);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(rsi(f, RSI_REALM_CONFIG, IPA_BUF, 0, 0, 0, NULL, NULL), RSI_SUCCESS);
	realm_read(f, DATA2, page, sizeof(page));
	uint64_t w;
	memcpy(&w, page, 8);
	assert_int_equal(w, S2SZ);
	assert_int_equal(page[8], RMI_HASH_SHA_512);
	assert_memory_equal(page + 0x200, rpv, 64);
	for (int i = 9; i < 0x200; i++)
		assert_int_equal(page[i], 0); /* was 0xaa from SRC: MBZ */
	assert_int_equal(page[0x240], 0);
	assert_int_equal(rsi(f, RSI_REALM_CONFIG, IPA_BUF + 8, 0, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* addr_align */
	assert_int_equal(rsi(f, RSI_REALM_CONFIG, UNPROT + IPA_BUF, 0, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* addr_bound */
	assert_int_equal(rsi(f, RSI_REALM_CONFIG, 0x4000, 0, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* RIPAS EMPTY */
	assert_int_equal(fx_rmm(f)->stat_rsi_errors[6], 3);
	unmapped_exits(f, RSI_REALM_CONFIG, 0);
}

/* B4.3.6 / A5.4: IPA_STATE_SET leaves the request on the REC and exits with
 * RIPAS_CHANGE; the host's RTT_SET_RIPAS applies it and the next entry gives
 * new_base and the response; every failure condition. */
static void test_rsi_ipa_state_set(void **state)
{
	struct fx *f = *state;
	uint64_t o[RSI_REGS], regs[RSI_REGS], c = 0;
	enum rsi_next next;
	rsi_realm(f, RMI_HASH_SHA_256);
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0x4000, 0x6000, RIPAS_RAM, 0, o, &next),
			 RSI_IPA_STATE_SET);
	assert_int_equal(next, RSI_RET_EXIT_RIPAS_CHANGE);
	assert_int_equal(o[1], 0x4000); /* registers untouched until the next entry */
	/* nothing pending of the other kind */
	struct rsi_host_call hc;
	assert_int_equal(rmm_rsi_host_call_args(fx_rmm(f), REC, &hc, &c), -EINVAL);
	/* the request is what RMI_RTT_SET_RIPAS (B3.3.21) works from */
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x4000, 0x5000, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 0x5000);
	assert_int_equal(fx_rmi(f, RMI_RTT_READ_ENTRY, RD, 0x4000, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[4], RIPAS_RAM);
	assert_int_equal(rmm_rsi_ripas_change_complete(fx_rmm(f), REC, RSI_ACCEPT, regs, &c), 0);
	assert_int_equal(regs[0], RSI_SUCCESS);
	assert_int_equal(regs[1], 0x5000);
	assert_int_equal(regs[2], RSI_ACCEPT);
	assert_int_equal(rmm_rsi_ripas_change_complete(fx_rmm(f), REC, RSI_ACCEPT, regs, &c), -EINVAL);
	/* The response is REJECT only for a change to RAM the host left
	 * unfinished (B4.3.6; TF-RMM complete_set_ripas). To EMPTY with
	 * flags.destroyed, the host's reject flag set: ACCEPT, new_base == base */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0, 0x1000, RIPAS_EMPTY,
			     RSI_RIPAS_FLAG_CHANGE_DESTROYED, NULL, &next), RSI_IPA_STATE_SET);
	assert_int_equal(next, RSI_RET_EXIT_RIPAS_CHANGE);
	assert_int_equal(rmm_rsi_ripas_change_complete(fx_rmm(f), REC, RSI_REJECT, regs, &c), 0);
	assert_int_equal(regs[1], 0);
	assert_int_equal(regs[2], RSI_ACCEPT);
	/* to RAM, nothing done, rejected: REJECT */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0x5000, 0x6000, RIPAS_RAM, 0, NULL, &next),
			 RSI_IPA_STATE_SET);
	assert_int_equal(rmm_rsi_ripas_change_complete(fx_rmm(f), REC, RSI_REJECT, regs, &c), 0);
	assert_int_equal(regs[1], 0x5000);
	assert_int_equal(regs[2], RSI_REJECT);
	/* to RAM, the host finished the range but set the flag: ACCEPT */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0x5000, 0x6000, RIPAS_RAM, 0, NULL, &next),
			 RSI_IPA_STATE_SET);
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x5000, 0x6000, 0, o), RMI_SUCCESS);
	assert_int_equal(rmm_rsi_ripas_change_complete(fx_rmm(f), REC, RSI_REJECT, regs, &c), 0);
	assert_int_equal(regs[1], 0x6000);
	assert_int_equal(regs[2], RSI_ACCEPT);
	/* failure conditions, all ERROR_INPUT */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0x10, 0x2000, RIPAS_RAM, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* base_align */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0x1000, 0x2010, RIPAS_RAM, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* top_align */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0x2000, 0x2000, RIPAS_RAM, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* size_valid */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0x3000, 0x2000, RIPAS_RAM, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* size_valid */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, UNPROT - 0x1000, UNPROT + 0x1000, RIPAS_RAM, 0,
			     NULL, NULL), RSI_ERROR_INPUT);                  /* rgn_bound */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0x1000, 0x2000, RIPAS_DESTROYED, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* ripas_valid */
	assert_int_equal(rsi(f, RSI_IPA_STATE_SET, 0x1000, 0x2000, 7, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* ripas_valid */
	/* ERROR_INPUT is reported; a refused call leaves no request behind */
	assert_int_equal(rmm_rsi_ripas_change_complete(fx_rmm(f), REC, RSI_ACCEPT, regs, &c), -EINVAL);
	assert_int_equal(fx_rmm(f)->stat_rsi_calls[7], 11);
	assert_int_equal(fx_rmm(f)->stat_rsi_errors[7], 7);
}

/* B4.3.5: IPA_STATE_GET reports the RIPAS at base and how far it holds. */
static void test_rsi_ipa_state_get(void **state)
{
	struct fx *f = *state;
	uint64_t o[RSI_REGS];
	rsi_realm(f, RMI_HASH_SHA_256);
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, 0, 0x10000, 0, 0, o, NULL), RSI_SUCCESS);
	assert_int_equal(o[1], 0x4000);
	assert_int_equal(o[2], RIPAS_RAM);
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, 0x1000, 0x2000, 0, 0, o, NULL), RSI_SUCCESS);
	assert_int_equal(o[1], 0x2000);
	assert_int_equal(o[2], RIPAS_RAM);
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, 0x4000, 0x1000000, 0, 0, o, NULL), RSI_SUCCESS);
	assert_int_equal(o[1], 0x200000); /* the end of the level 3 RTT; the scan stops */
	assert_int_equal(o[2], RIPAS_EMPTY);
	/* a level 1 entry (1 GB, EMPTY) */
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, 0x40000000, 0x40002000, 0, 0, o, NULL),
			 RSI_SUCCESS);
	assert_int_equal(o[1], 0x40002000);
	assert_int_equal(o[2], RIPAS_EMPTY);
	/* the host destroys DATA2: RIPAS DESTROYED (A5.2.5) */
	assert_int_equal(fx_rmi(f, RMI_DATA_DESTROY, RD, IPA_BUF, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, 0, 0x4000, 0, 0, o, NULL), RSI_SUCCESS);
	assert_int_equal(o[1], 0x1000);
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, IPA_BUF, 0x4000, 0, 0, o, NULL), RSI_SUCCESS);
	assert_int_equal(o[1], 0x2000);
	assert_int_equal(o[2], RIPAS_DESTROYED);
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, 0x10, 0x2000, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* base_align */
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, 0, 0x2010, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* end_align */
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, 0x2000, 0x1000, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* size_valid */
	assert_int_equal(rsi(f, RSI_IPA_STATE_GET, UNPROT, UNPROT + 0x1000, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* rgn_bound */
}

/* B4.3.2 / B4.3.1 / A7.2: INIT then CONTINUE in 1000-byte pieces into the
 * realm's page until SUCCESS; the reassembled token verifies with the CPAK
 * and carries the challenge, RIM, REMs and RPV. */
static void test_rsi_attestation(void **state)
{
	struct fx *f = *state;
	uint64_t o[RSI_REGS], regs[RSI_REGS] = { RSI_ATTESTATION_TOKEN_INIT }, c = 0;
	uint8_t rim[64], chal[64], tok[8192];
	size_t len = 0;
	rsi_realm(f, RMI_HASH_SHA_256);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_EXTEND, 3, 4, 0x11223344, 0, NULL, NULL),
			 RSI_SUCCESS);
	assert_int_equal(rsi(f, RSI_MEASUREMENT_READ, 3, 0, 0, 0, o, NULL), RSI_SUCCESS);
	uint8_t rem3[64];
	memcpy(rem3, &o[1], 64);
	fx_realm_state(f, rim);
	/* state: nothing in progress yet */
	assert_int_equal(rsi(f, RSI_ATTESTATION_TOKEN_CONTINUE, IPA_BUF, 0, 4096, 0, NULL, NULL),
			 RSI_ERROR_STATE);
	for (int i = 0; i < 64; i++)
		chal[i] = (uint8_t)(3 * i + 1);
	memcpy(&regs[1], chal, 64);
	assert_int_equal(rmm_handle_rsi(fx_rmm(f), RD, REC, regs, &c), RSI_RET_REALM);
	assert_int_equal(regs[0], RSI_SUCCESS);
	assert_int_equal(regs[1], 8192);
	/* failure conditions while the operation is in progress */
	assert_int_equal(rsi(f, RSI_ATTESTATION_TOKEN_CONTINUE, IPA_BUF + 0x100, 0, 16, 0, NULL,
			     NULL), RSI_ERROR_INPUT);                        /* addr_align */
	assert_int_equal(rsi(f, RSI_ATTESTATION_TOKEN_CONTINUE, UNPROT, 0, 16, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* addr_bound */
	assert_int_equal(rsi(f, RSI_ATTESTATION_TOKEN_CONTINUE, IPA_BUF, 4096, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* offset_bound */
	assert_int_equal(rsi(f, RSI_ATTESTATION_TOKEN_CONTINUE, IPA_BUF, 8, UINT64_MAX - 4, 0,
			     NULL, NULL), RSI_ERROR_INPUT);                  /* size_overflow */
	assert_int_equal(rsi(f, RSI_ATTESTATION_TOKEN_CONTINUE, IPA_BUF, 8, 4089, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* size_bound */
	assert_int_equal(rsi(f, RSI_ATTESTATION_TOKEN_CONTINUE, 0x4000, 0, 16, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* RIPAS EMPTY */
	unmapped_exits(f, RSI_ATTESTATION_TOKEN_CONTINUE, 16);
	/* a REM extended after INIT does not change the token being handed out */
	assert_int_equal(rsi(f, RSI_MEASUREMENT_EXTEND, 3, 4, 0x55, 0, NULL, NULL), RSI_SUCCESS);
	uint64_t st;
	int pieces = 0;
	do {
		st = rsi(f, RSI_ATTESTATION_TOKEN_CONTINUE, IPA_BUF, 96, 1000, 0, o, NULL);
		assert_true(st == RSI_INCOMPLETE || st == RSI_SUCCESS);
		assert_true(o[1] <= 1000 && len + o[1] <= sizeof(tok));
		assert_true(st == RSI_SUCCESS || o[1] == 1000);
		realm_read(f, DATA2 + 96, tok + len, o[1]);
		len += o[1];
		pieces++;
	} while (st == RSI_INCOMPLETE && pieces < 16);
	assert_int_equal(st, RSI_SUCCESS);
	assert_true(pieces >= 2);
	/* complete: NO_ATTEST_IN_PROGRESS */
	assert_int_equal(rsi(f, RSI_ATTESTATION_TOKEN_CONTINUE, IPA_BUF, 0, 16, 0, NULL, NULL),
			 RSI_ERROR_STATE);
	uint8_t cpak[P384_POINT_LEN];
	struct cca_token_view *v = test_malloc(sizeof(*v));
	char err[160];
	cca_cpak_public(f->sim.seed, cpak);
	assert_int_equal(cca_token_verify(tok, len, cpak, v, err, sizeof(err)), 0);
	assert_memory_equal(v->realm.challenge, chal, 64);
	assert_memory_equal(v->realm.rim, rim, 32);
	assert_int_equal(v->realm.meas_len, 32);
	assert_string_equal(v->realm.hash_alg, "sha-256");
	assert_memory_equal(v->realm.rem[2], rem3, 32);
	assert_memory_equal(v->realm.rem[0], (uint8_t[32]){ 0 }, 32);
	assert_memory_equal(v->realm.rpv, (uint8_t[64]){ 0 }, 64);
	/* the same inputs give the same bytes: the token is deterministic */
	struct cca_realm_claims rc = { 0 };
	uint8_t *again = NULL;
	size_t alen = 0;
	memcpy(rc.challenge, chal, 64);
	memcpy(rc.rim, rim, 64);
	memcpy(rc.rem[2], rem3, 64);
	rc.meas_len = 32;
	strcpy(rc.hash_alg, "sha-256");
	assert_int_equal(cca_token_build(f->sim.seed, &rc, NULL, &again, &alen), 0);
	assert_int_equal(alen, len);
	assert_memory_equal(again, tok, len);
	free(again);
	test_free(v);
}

/* B4.3.4 / A4.5: HOST_CALL exits with the structure's imm and gprs; the
 * host's gprs are written back on the next entry; addr_align, addr_bound. */
static void test_rsi_host_call(void **state)
{
	struct fx *f = *state;
	uint64_t regs[RSI_REGS] = { 0 }, c = 0, gprs[RSI_HOST_CALL_NR_GPRS], back[31];
	struct rsi_host_call hc;
	enum rsi_next next;
	rsi_realm(f, RMI_HASH_SHA_256);
	const uint64_t s = DATA2 + 0x300; /* IPA 0x1300 */
	realm_write64(f, s, 0x1234abcd);
	for (int i = 0; i < 31; i++)
		realm_write64(f, s + 8 + 8 * (uint64_t)i, 100 + (uint64_t)i);
	assert_int_equal(rsi(f, RSI_HOST_CALL, IPA_BUF + 0x300, 0, 0, 0, NULL, &next), RSI_HOST_CALL);
	assert_int_equal(next, RSI_RET_EXIT_HOST_CALL);
	assert_int_equal(rmm_rsi_host_call_args(fx_rmm(f), REC, &hc, &c), 0);
	assert_int_equal(hc.imm, 0xabcd); /* UInt16 */
	assert_int_equal(hc.gprs[0], 100);
	assert_int_equal(hc.gprs[30], 130);
	for (int i = 0; i < 31; i++)
		gprs[i] = 0x5000 + (uint64_t)i;
	regs[0] = RSI_HOST_CALL;
	assert_int_equal(rmm_rsi_host_call_complete(fx_rmm(f), REC, gprs, regs, &c), 0);
	assert_int_equal(regs[0], RSI_SUCCESS);
	realm_read(f, s + 8, back, sizeof(back));
	assert_memory_equal(back, gprs, sizeof(back));
	assert_int_equal(rmm_rsi_host_call_complete(fx_rmm(f), REC, gprs, regs, &c), -EINVAL);
	assert_int_equal(rmm_rsi_host_call_args(fx_rmm(f), REC, &hc, &c), -EINVAL);
	assert_int_equal(rsi(f, RSI_HOST_CALL, IPA_BUF + 0x80, 0, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* addr_align */
	assert_int_equal(rsi(f, RSI_HOST_CALL, UNPROT + 0x100, 0, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* addr_bound */
	assert_int_equal(rsi(f, RSI_HOST_CALL, 0x4000, 0, 0, 0, NULL, NULL),
			 RSI_ERROR_INPUT);                                   /* RIPAS EMPTY */
	unmapped_exits(f, RSI_HOST_CALL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rsi_version_features, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_measurement_sha256, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_measurement_sha512, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_realm_config, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_ipa_state_set, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_ipa_state_get, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_attestation, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_host_call, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
