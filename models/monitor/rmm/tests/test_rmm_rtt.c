/* RMM RTT and data commands against DEN0137 1.0-rel0: RTT_CREATE / DESTROY /
 * READ_ENTRY / MAP_UNPROTECTED / UNMAP_UNPROTECTED / INIT_RIPAS / SET_RIPAS,
 * DATA_CREATE / CREATE_UNKNOWN / DESTROY, ERROR_RTT levels, the stage 2
 * descriptors in memory, and the RIM. */
#include "models/monitor/rmm/tests/rmm_fixture.h"

static uint64_t read_entry(struct fx *f, uint64_t ipa, uint64_t level, uint64_t o[SMC_REGS])
{
	return fx_rmi(f, RMI_RTT_READ_ENTRY, RD, ipa, level, 0, 0, o);
}

/* B3.3.15: create levels 2 and 3; each failure condition, ERROR_RTT with the walk level. */
static void test_rtt_create(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	fx_delegate(f, RTT2);
	fx_delegate(f, RTT3);
	/* level_bound: the starting level, and beyond 3 */
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT2, 0, 1, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT2, 0, 4, 0, NULL), RMI_ERROR_INPUT);
	/* ipa_align: a level 2 RTT covers 1 GB */
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT2, 0x200000, 2, 0, NULL), RMI_ERROR_INPUT);
	/* ipa_bound: beyond 2^39 */
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT2, 1ull << 39, 2, 0, NULL), RMI_ERROR_INPUT);
	/* rtt_state: not delegated */
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, DATA1, 0, 2, 0, NULL), RMI_ERROR_INPUT);
	/* rtt_walk: no level 2 RTT yet, the walk for level 3 stops at level 1 */
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT3, 0, 3, 0, NULL), rmi_return(RMI_ERROR_RTT, 1));
	/* rtt_state beats rtt_walk */
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, DATA1, 0, 3, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT2, 0, 2, 0, NULL), RMI_SUCCESS);
	assert_int_equal(rmm_granule_state(fx_rmm(f), RTT2), GRANULE_RTT);
	/* rtte_state: the parent is already a TABLE -> ERROR_RTT at level 1 */
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT3, 0, 2, 0, NULL), rmi_return(RMI_ERROR_RTT, 1));
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT3, 0, 3, 0, NULL), RMI_SUCCESS);
	assert_int_equal(read_entry(f, 0, 1, o), RMI_SUCCESS);
	assert_int_equal(o[2], RMI_RTTE_TABLE);
	assert_int_equal(o[3], RTT2);
	assert_int_equal(read_entry(f, 0x5000, 3, o), RMI_SUCCESS);
	assert_int_equal(o[1], 3);
	assert_int_equal(o[2], RMI_RTTE_UNASSIGNED);
	assert_int_equal(o[4], RIPAS_EMPTY);
	/* the level 1 entry is a real stage 2 table descriptor: RTT2 | 0b11 */
	uint64_t desc;
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_load(&f->realm, RTT0, &desc, 8, &fault, &c), 0);
	assert_int_equal(desc, RTT2 | 3);
}

/* B3.3.20: READ_ENTRY's conditions; unprotected entries read as UNASSIGNED with RIPAS EMPTY. */
static void test_rtt_read_entry(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	assert_int_equal(read_entry(f, 0, 1, NULL), RMI_ERROR_INPUT); /* rd_state */
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	assert_int_equal(read_entry(f, 0, 0, NULL), RMI_ERROR_INPUT);           /* level_bound */
	assert_int_equal(read_entry(f, 0x1000, 2, NULL), RMI_ERROR_INPUT);      /* ipa_align */
	assert_int_equal(read_entry(f, 1ull << 39, 1, NULL), RMI_ERROR_INPUT);  /* ipa_bound */
	assert_int_equal(read_entry(f, 0x1000, 3, o), RMI_SUCCESS);             /* walk stops at 1 */
	assert_int_equal(o[1], 1);
	assert_int_equal(read_entry(f, UNPROT, 1, o), RMI_SUCCESS);
	assert_int_equal(o[2], RMI_RTTE_UNASSIGNED);
	assert_int_equal(o[4], RIPAS_EMPTY);
}

/* B3.3.19 / B3.3.22: map an NS page into the unprotected half and unmap it. */
static void test_map_unprotected(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	const uint64_t desc = 0x80300000ull | 0x3fc; /* address + MemAttr/S2AP/SH */
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	fx_make_rtts(f, UNPROT);
	/* level_bound (1 < 2), ipa_bound (protected IPA), desc_valid (bit 0 / misaligned) */
	assert_int_equal(fx_rmi(f, RMI_RTT_MAP_UNPROTECTED, RD, UNPROT, 1, desc, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_RTT_MAP_UNPROTECTED, RD, 0, 3, desc, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_RTT_MAP_UNPROTECTED, RD, UNPROT, 3, desc | 1, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_RTT_MAP_UNPROTECTED, RD, UNPROT, 2, desc, 0, NULL),
			 rmi_return(RMI_ERROR_INPUT, 0));
	/* rtt_walk: level 3 at an IPA with no level 3 RTT stops at level 2 */
	assert_int_equal(fx_rmi(f, RMI_RTT_MAP_UNPROTECTED, RD, UNPROT + 0x200000, 3, desc, 0, NULL),
			 rmi_return(RMI_ERROR_RTT, 2));
	assert_int_equal(fx_rmi(f, RMI_RTT_MAP_UNPROTECTED, RD, UNPROT, 3, desc, 0, NULL), RMI_SUCCESS);
	assert_int_equal(read_entry(f, UNPROT, 3, o), RMI_SUCCESS);
	assert_int_equal(o[2], RMI_RTTE_ASSIGNED);
	assert_int_equal(o[3], desc);
	/* rtte_state: mapped twice */
	assert_int_equal(fx_rmi(f, RMI_RTT_MAP_UNPROTECTED, RD, UNPROT, 3, desc, 0, NULL),
			 rmi_return(RMI_ERROR_RTT, 3));
	/* the RTT is live now */
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, UNPROT, 3, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 3));
	assert_int_equal(fx_rmi(f, RMI_RTT_UNMAP_UNPROTECTED, RD, UNPROT + 0x1000, 3, 0, 0, NULL),
			 rmi_return(RMI_ERROR_RTT, 3));
	assert_int_equal(fx_rmi(f, RMI_RTT_UNMAP_UNPROTECTED, RD, UNPROT, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], UNPROT + 0x200000); /* top: the rest of the RTT is not live */
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, UNPROT, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], RTT3);
	assert_int_equal(read_entry(f, UNPROT, 3, o), RMI_SUCCESS);
	assert_int_equal(o[1], 2);
	assert_int_equal(o[2], RMI_RTTE_UNASSIGNED);
}

/* B3.3.16: RTT_DESTROY's conditions; the parent becomes UNASSIGNED, RIPAS DESTROYED. */
static void test_rtt_destroy(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	fx_make_rtts(f, 0);
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, 0, 1, 0, 0, NULL), RMI_ERROR_INPUT);   /* level_bound */
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, 0x1000, 3, 0, 0, NULL), RMI_ERROR_INPUT); /* ipa_align */
	/* rtt_walk: no level 3 RTT at 2 MB; top skips the non-live level 2 entries */
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, 0x200000, 3, 0, 0, o), rmi_return(RMI_ERROR_RTT, 2));
	assert_int_equal(o[1], 0);
	assert_int_equal(o[2], 0x40000000);
	/* rtt_live: the level 2 RTT holds a TABLE */
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, 0, 2, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 2));
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, 0, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], RTT3);
	assert_int_equal(o[2], 0x40000000); /* top: RttSkipNonLiveEntries over the level 2 RTT */
	assert_int_equal(rmm_granule_state(fx_rmm(f), RTT3), GRANULE_DELEGATED);
	assert_int_equal(read_entry(f, 0, 2, o), RMI_SUCCESS);
	assert_int_equal(o[2], RMI_RTTE_UNASSIGNED);
	assert_int_equal(o[4], RIPAS_DESTROYED);
	/* rtte_state: the parent is no longer a TABLE -> ERROR_RTT at level 2 */
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, 0, 3, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 2));
	/* a new RTT under a DESTROYED entry inherits the RIPAS */
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT3, 0, 3, 0, NULL), RMI_SUCCESS);
	assert_int_equal(read_entry(f, 0x3000, 3, o), RMI_SUCCESS);
	assert_int_equal(o[4], RIPAS_DESTROYED);
}

/* B3.3.18: INIT_RIPAS in a NEW realm only; stops at the end of the RTT; measured. */
static void test_init_ripas(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	uint8_t a[64], b[64];
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	/* rtt_walk: base 4 KB inside a level 1 entry */
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0x1000, 0x2000, 0, 0, NULL),
			 rmi_return(RMI_ERROR_RTT, 1));
	fx_make_rtts(f, 0);
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0x2000, 0x1000, 0, 0, NULL), RMI_ERROR_INPUT); /* size_valid */
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0, UNPROT + 0x1000, 0, 0, NULL), RMI_ERROR_INPUT); /* top_bound */
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0x10, 0x1000, 0, 0, NULL), RMI_ERROR_INPUT);   /* base_align */
	fx_realm_state(f, a);
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0x1ff000, 0x400000, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 0x200000); /* the level 3 RTT ends at 2 MB */
	fx_realm_state(f, b);
	assert_memory_not_equal(a, b, 32);
	assert_int_equal(read_entry(f, 0x1ff000, 3, o), RMI_SUCCESS);
	assert_int_equal(o[4], RIPAS_RAM);
	/* an UNASSIGNED level 2 entry takes RAM as a whole block */
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0x200000, 0x400000, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 0x400000); /* a whole level 2 entry */
	/* realm_state: ACTIVE -> ERROR_REALM, and it beats rtt_walk (base in a level 1 entry) */
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0x40001000, 0x40002000, 0, 0, NULL), RMI_ERROR_REALM);
	/* but size_valid (ERROR_INPUT) beats realm_state */
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0x2000, 0x1000, 0, 0, NULL), RMI_ERROR_INPUT);
}

/* B3.3.21: SET_RIPAS needs the REC's pending request (A5.4); its conditions and their codes. */
static void test_set_ripas(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	fx_make_rtts(f, 0);
	fx_delegate(f, REC);
	fx_delegate(f, AUX1);
	fx_delegate(f, AUX2);
	fx_delegate(f, DATA1);
	fx_rec_params(f, 0, 0, 2);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0x5000, SRC, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_DATA_DESTROY, RD, 0x5000, 0, 0, 0, NULL), RMI_SUCCESS);
	/* no request pending: base_bound / top_bound */
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0, 0x2000, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(rmm_rec_ripas_request(fx_rmm(f), REC, 0x1000, 0x3000, RIPAS_RAM, false), 0);
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, AUX1, 0x1000, 0x3000, 0, NULL), RMI_ERROR_INPUT); /* rec_gran_state */
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x2000, 0x3000, 0, NULL), RMI_ERROR_INPUT);  /* base_bound */
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x1000, 0x4000, 0, NULL), RMI_ERROR_INPUT);  /* top_bound */
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x1000, 0x1000, 0, NULL), RMI_ERROR_INPUT);  /* size_valid */
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x1000, 0x2800, 0, NULL), RMI_ERROR_INPUT);  /* top_gran_align */
	/* rec_owner: another realm's RD -> ERROR_REC, and it beats base_bound */
	fx_delegate(f, 0x80110000);
	fx_delegate(f, 0x80111000);
	fx_realm_params(f, S2SZ, 1, 1, 0x80111000, 2, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, 0x80110000, RPARAMS, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, 0x80110000, REC, 0x2000, 0x3000, 0, NULL), RMI_ERROR_REC);
	/* success in two steps; the request advances */
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x1000, 0x2000, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 0x2000);
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x2000, 0x3000, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 0x3000);
	assert_int_equal(read_entry(f, 0x2000, 3, o), RMI_SUCCESS);
	assert_int_equal(o[4], RIPAS_RAM);
	assert_int_equal(read_entry(f, 0x3000, 3, o), RMI_SUCCESS);
	assert_int_equal(o[4], RIPAS_EMPTY);
	/* base_align: at 2 MB + 4 KB the walk stops at an EMPTY level 2 entry */
	assert_int_equal(rmm_rec_ripas_request(fx_rmm(f), REC, 0x201000, 0x202000, RIPAS_RAM, false), 0);
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x201000, 0x202000, 0, NULL),
			 rmi_return(RMI_ERROR_RTT, 2));
	/* no_progress: a DESTROYED entry without permission to change it */
	assert_int_equal(rmm_rec_ripas_request(fx_rmm(f), REC, 0x5000, 0x6000, RIPAS_RAM, false), 0);
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x5000, 0x6000, 0, NULL),
			 rmi_return(RMI_ERROR_RTT, 3));
	assert_int_equal(rmm_rec_ripas_request(fx_rmm(f), REC, 0x5000, 0x6000, RIPAS_RAM, true), 0);
	assert_int_equal(fx_rmi(f, RMI_RTT_SET_RIPAS, RD, REC, 0x5000, 0x6000, 0, o), RMI_SUCCESS);
	assert_int_equal(read_entry(f, 0x5000, 3, o), RMI_SUCCESS);
	assert_int_equal(o[4], RIPAS_RAM);
}

/* B3.3.1: DATA_CREATE's conditions in order, and ERROR_RTT carrying the walk level. */
static void test_data_create_failures(void **state)
{
	struct fx *f = *state;
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	fx_delegate(f, DATA1);
	/* rtt_walk: no RTT below level 1 -> ERROR_RTT index 1 */
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, SRC, 0, NULL), rmi_return(RMI_ERROR_RTT, 1));
	fx_make_rtts(f, 0);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA2, 0, SRC, 0, NULL), RMI_ERROR_INPUT); /* data_state */
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, SRC + 4, 0, NULL), RMI_ERROR_INPUT); /* src_align */
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, RTT0, 0, NULL), RMI_ERROR_INPUT); /* src_pas */
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0x800, SRC, 0, NULL), RMI_ERROR_INPUT); /* ipa_align */
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, UNPROT, SRC, 0, NULL), RMI_ERROR_INPUT); /* ipa_bound */
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, 0x1000, 0, NULL), RMI_ERROR_INPUT); /* src_bound */
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, SRC, 0, NULL), RMI_SUCCESS);
	uint64_t o[SMC_REGS];
	assert_int_equal(fx_rmi(f, RMI_RTT_READ_ENTRY, RD, 0, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[4], RIPAS_RAM); /* B3.3.1.3 rtte_ripas: EMPTY became RAM */
	fx_delegate(f, DATA2);
	/* rtte_state: already ASSIGNED -> ERROR_RTT index 3 */
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA2, 0, SRC, 0, NULL), rmi_return(RMI_ERROR_RTT, 3));
	/* realm_state: ACTIVE; it beats rtte_state but not data_state */
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA2, 0, SRC, 0, NULL), RMI_ERROR_REALM);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, RTT2, 0, SRC, 0, NULL), RMI_ERROR_INPUT);
	/* B3.3.2: DATA_CREATE_UNKNOWN works in an ACTIVE realm */
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE_UNKNOWN, RD, DATA2, 0, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 3));
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE_UNKNOWN, RD, DATA2, UNPROT, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE_UNKNOWN, RD, DATA2, 0x1000, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(rmm_granule_state(fx_rmm(f), DATA2), GRANULE_DATA);
}

/* B3.3.3: DATA_DESTROY returns the PA and top; RAM becomes DESTROYED, EMPTY stays EMPTY. */
static void test_data_destroy(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	fx_make_rtts(f, 0);
	fx_delegate(f, DATA1);
	fx_delegate(f, DATA2);
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0, 0x1000, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, SRC, 1, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE_UNKNOWN, RD, DATA2, 0x1000, 0, 0, NULL), RMI_SUCCESS);
	/* B3.3.18 rtte_state: INIT_RIPAS over an ASSIGNED entry -> ERROR_RTT index 3 */
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0x1000, 0x2000, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 3));
	/* the RAM page is a valid stage 2 page descriptor for DATA1 */
	assert_int_equal(read_entry(f, 0, 3, o), RMI_SUCCESS);
	assert_int_equal(o[2], RMI_RTTE_ASSIGNED);
	assert_int_equal(o[3], DATA1);
	assert_int_equal(o[4], RIPAS_RAM);
	assert_int_equal(fx_rmi(f, RMI_DATA_DESTROY, RD, 0x2000, 0, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 3));
	assert_int_equal(fx_rmi(f, RMI_DATA_DESTROY, RD, 0x200000, 0, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 2));
	assert_int_equal(fx_rmi(f, RMI_DATA_DESTROY, RD, 0x10, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_DATA_DESTROY, RD, 0, 0, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], DATA1);
	assert_int_equal(o[2], 0x1000); /* top: the next entry (DATA2) is live */
	assert_int_equal(read_entry(f, 0, 3, o), RMI_SUCCESS);
	assert_int_equal(o[4], RIPAS_DESTROYED);
	assert_int_equal(fx_rmi(f, RMI_DATA_DESTROY, RD, 0x1000, 0, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(read_entry(f, 0x1000, 3, o), RMI_SUCCESS);
	assert_int_equal(o[4], RIPAS_EMPTY);
	assert_int_equal(rmm_granule_state(fx_rmm(f), DATA1), GRANULE_DELEGATED);
}

/* B3.3.17: RTT_FOLD's conditions; homogeneous UNASSIGNED and contiguous ASSIGNED_NS RTTs fold. */
static void test_rtt_fold(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	fx_make_rtts(f, 0);
	assert_int_equal(fx_rmi(f, RMI_RTT_FOLD, RD, 0, 1, 0, 0, NULL), RMI_ERROR_INPUT);      /* level_bound */
	assert_int_equal(fx_rmi(f, RMI_RTT_FOLD, RD, 0x1000, 3, 0, 0, NULL), RMI_ERROR_INPUT); /* ipa_align */
	/* rtt_walk: nothing below level 1 at 1 GB */
	assert_int_equal(fx_rmi(f, RMI_RTT_FOLD, RD, 0x40000000, 3, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 1));
	/* rtte_state: the level 2 entry at 2 MB is not a TABLE */
	assert_int_equal(fx_rmi(f, RMI_RTT_FOLD, RD, 0x200000, 3, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 2));
	/* rtt_homogeneous: one RAM entry among EMPTY ones */
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0, 0x1000, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_RTT_FOLD, RD, 0, 3, 0, 0, NULL), rmi_return(RMI_ERROR_RTT, 3));
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0x1000, 0x200000, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_RTT_FOLD, RD, 0, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], RTT3);
	assert_int_equal(rmm_granule_state(fx_rmm(f), RTT3), GRANULE_DELEGATED);
	assert_int_equal(fx_rmi(f, RMI_RTT_READ_ENTRY, RD, 0, 2, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[2], RMI_RTTE_UNASSIGNED);
	assert_int_equal(o[4], RIPAS_RAM);
	/* 512 contiguous unprotected pages fold into a 2 MB ASSIGNED_NS block */
	fx_delegate(f, 0x80109000);
	fx_delegate(f, 0x8010a000);
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, 0x80109000, UNPROT, 2, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, 0x8010a000, UNPROT, 3, 0, NULL), RMI_SUCCESS);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(fx_rmi(f, RMI_RTT_MAP_UNPROTECTED, RD, UNPROT + i * 0x1000, 3,
					0x80400000 + i * 0x1000 + 0x3fc, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_RTT_FOLD, RD, UNPROT, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 0x8010a000);
	assert_int_equal(fx_rmi(f, RMI_RTT_READ_ENTRY, RD, UNPROT, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 2);
	assert_int_equal(o[2], RMI_RTTE_ASSIGNED);
	assert_int_equal(o[3], 0x80400000 + 0x3fc);
	/* and unfolds again: RTT_CREATE splits the block into consecutive pages */
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, 0x8010a000, UNPROT, 3, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_RTT_READ_ENTRY, RD, UNPROT + 0x5000, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[3], 0x80405000 + 0x3fc);
}

/* A7.1: the RIM is a function of the image: the same steps give the same
 * RIM in two machines, a different image or NOMEASURE a different one. */
static void rim_of(uint8_t fill, uint64_t flags, uint64_t algo, uint8_t rim[64])
{
	void *st;
	fx_setup(&st);
	struct fx *f = st;
	fx_make_realm(f, 1, algo);
	fx_make_rtts(f, 0);
	fx_fill(f, SRC, fill);
	fx_delegate(f, DATA1);
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0, 0x2000, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, SRC, flags, NULL), RMI_SUCCESS);
	fx_realm_state(f, rim);
	fx_teardown(&st);
}

static void test_rim_deterministic(void **state)
{
	(void)state;
	uint8_t a[64], b[64], c[64], d[64], e[64], g[64];
	rim_of(0x11, 1, RMI_HASH_SHA_256, a);
	rim_of(0x11, 1, RMI_HASH_SHA_256, b);
	rim_of(0x22, 1, RMI_HASH_SHA_256, c);
	rim_of(0x11, 0, RMI_HASH_SHA_256, d);
	rim_of(0x22, 0, RMI_HASH_SHA_256, e);
	rim_of(0x11, 1, RMI_HASH_SHA_512, g);
	assert_memory_equal(a, b, 64);
	assert_memory_not_equal(a, c, 32);
	assert_memory_not_equal(a, d, 32);
	assert_memory_equal(d, e, 64); /* NOMEASURE: the content does not count */
	assert_memory_not_equal(a, g, 32);
	assert_memory_equal(a + 32, (uint8_t[32]){ 0 }, 32); /* SHA-256: 32 bytes */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rtt_create, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rtt_read_entry, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_map_unprotected, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rtt_destroy, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_init_ripas, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_ripas, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_data_create_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_data_destroy, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rtt_fold, fx_setup, fx_teardown),
		cmocka_unit_test(test_rim_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
