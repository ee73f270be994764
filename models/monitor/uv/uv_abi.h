/* The s390 Ultravisor call (UVC) interface as the Linux kernel defines it
 * (arch/s390/include/asm/uv.h): command codes, the installed-calls bits,
 * return codes and the control block layouts. A control block is passed as
 * its byte image, big-endian as on z/Architecture, with the 8-byte header
 * (len, cmd, rc, rrc) first; the offsets below are uv.h's. */
#ifndef CCSIM_MODELS_MONITOR_UV_UV_ABI_H
#define CCSIM_MODELS_MONITOR_UV_UV_ABI_H

#include <stddef.h>
#include <stdint.h>

/* uv.h UVC_CMD_* */
enum uv_cmd {
	UVC_CMD_QUI = 0x0001,
	UVC_CMD_QUERY_KEYS = 0x0002,
	UVC_CMD_INIT_UV = 0x000f,
	UVC_CMD_CREATE_SEC_CONF = 0x0100,
	UVC_CMD_DESTROY_SEC_CONF = 0x0101,
	UVC_CMD_CREATE_SEC_CPU = 0x0120,
	UVC_CMD_DESTROY_SEC_CPU = 0x0121,
	UVC_CMD_CONV_TO_SEC_STOR = 0x0200,
	UVC_CMD_CONV_FROM_SEC_STOR = 0x0201,
	UVC_CMD_DESTR_SEC_STOR = 0x0202,
	UVC_CMD_SET_SEC_CONF_PARAMS = 0x0300,
	UVC_CMD_UNPACK_IMG = 0x0301,
	UVC_CMD_VERIFY_IMG = 0x0302,
	UVC_CMD_CPU_RESET = 0x0310,
	UVC_CMD_CPU_RESET_INITIAL = 0x0311,
	UVC_CMD_PREPARE_RESET = 0x0320,
	UVC_CMD_CPU_RESET_CLEAR = 0x0321,
	UVC_CMD_CPU_SET_STATE = 0x0330,
	UVC_CMD_SET_UNSHARE_ALL = 0x0340,
	UVC_CMD_PIN_PAGE_SHARED = 0x0341,
	UVC_CMD_UNPIN_PAGE_SHARED = 0x0342,
	UVC_CMD_DUMP_INIT = 0x0400,
	UVC_CMD_DUMP_CONF_STOR_STATE = 0x0401,
	UVC_CMD_DUMP_CPU = 0x0402,
	UVC_CMD_DUMP_COMPLETE = 0x0403,
	UVC_CMD_SET_SHARED_ACCESS = 0x1000,
	UVC_CMD_REMOVE_SHARED_ACCESS = 0x1001,
	UVC_CMD_RETR_ATTEST = 0x1020,
};

/* uv.h enum uv_cmds_inst: bit numbers in inst_calls_list, MSB first
 * (test_bit_inv). */
enum uv_cmd_bit {
	BIT_UVC_CMD_QUI = 0, BIT_UVC_CMD_INIT_UV = 1, BIT_UVC_CMD_CREATE_SEC_CONF = 2,
	BIT_UVC_CMD_DESTROY_SEC_CONF = 3, BIT_UVC_CMD_CREATE_SEC_CPU = 4,
	BIT_UVC_CMD_DESTROY_SEC_CPU = 5, BIT_UVC_CMD_CONV_TO_SEC_STOR = 6,
	BIT_UVC_CMD_CONV_FROM_SEC_STOR = 7, BIT_UVC_CMD_SET_SHARED_ACCESS = 8,
	BIT_UVC_CMD_REMOVE_SHARED_ACCESS = 9, BIT_UVC_CMD_SET_SEC_PARMS = 11,
	BIT_UVC_CMD_UNPACK_IMG = 13, BIT_UVC_CMD_VERIFY_IMG = 14, BIT_UVC_CMD_CPU_RESET = 15,
	BIT_UVC_CMD_CPU_RESET_INITIAL = 16, BIT_UVC_CMD_CPU_SET_STATE = 17,
	BIT_UVC_CMD_PREPARE_RESET = 18, BIT_UVC_CMD_CPU_PERFORM_CLEAR_RESET = 19,
	BIT_UVC_CMD_UNSHARE_ALL = 20, BIT_UVC_CMD_PIN_PAGE_SHARED = 21,
	BIT_UVC_CMD_UNPIN_PAGE_SHARED = 22, BIT_UVC_CMD_DUMP_INIT = 24,
	BIT_UVC_CMD_DUMP_CONFIG_STOR_STATE = 25, BIT_UVC_CMD_DUMP_CPU = 26,
	BIT_UVC_CMD_DUMP_COMPLETE = 27, BIT_UVC_CMD_RETR_ATTEST = 28, BIT_UVC_CMD_QUERY_KEYS = 34,
	UV_NO_BIT = 0xff, /* UVC_CMD_DESTR_SEC_STOR: uv.h lists no bit for it */
};

/* Return codes. The generic ones are uv.h's UVC_RC_*; INV_GHANDLE /
 * INV_CHANDLE are kvm-unit-tests' lib/s390x/asm/uv.h. Codes from 0x100 up
 * are specific to each command (their meaning is the command's, listed in
 * docs/scenarios.md); 0x8000 flags a create that must be destroyed. */
enum uv_rc {
	UVC_RC_EXECUTED = 0x0001,
	UVC_RC_INV_CMD = 0x0002,
	UVC_RC_INV_STATE = 0x0003,
	UVC_RC_INV_LEN = 0x0005,
	UVC_RC_NO_RESUME = 0x0007,
	UVC_RC_INV_GHANDLE = 0x0020,
	UVC_RC_INV_CHANDLE = 0x0021,
	UVC_RC_MORE_DATA = 0x0100,
	UVC_RC_NEED_DESTROY = 0x8000,
};

/* uv.h PV_CPU_STATE_* (UVC_CMD_CPU_SET_STATE) */
enum uv_cpu_state { PV_CPU_STATE_OPR = 1, PV_CPU_STATE_STP = 2, PV_CPU_STATE_CHKSTP = 3,
		    PV_CPU_STATE_OPR_LOAD = 5 };

/* Control block sizes (sizeof in uv.h) and field offsets. */
#define UVCB_HDR 8
#define UVCB_QUI_LEN 0x120        /* struct uv_cb_qui (the newest, with the secret fields) */
#define UVCB_QUI_MIN 0xa8         /* shorter: UVC_RC_INV_LEN (kvm-unit-tests uv-host test_query) */
#define UVCB_QUERY_KEYS_LEN 0x200 /* struct uv_cb_query_keys */
#define UVCB_INIT_LEN 0x48        /* struct uv_cb_init */
#define UVCB_CGC_LEN 0x80         /* struct uv_cb_cgc */
#define UVCB_CSC_LEN 0x60         /* struct uv_cb_csc */
#define UVCB_CTS_LEN 0x28         /* struct uv_cb_cts */
#define UVCB_CFS_LEN 0x20         /* struct uv_cb_cfs */
#define UVCB_SSC_LEN 0x50         /* struct uv_cb_ssc */
#define UVCB_UNP_LEN 0x50         /* struct uv_cb_unp */
#define UVCB_NODATA_LEN 0x40      /* struct uv_cb_nodata */
#define UVCB_SET_STATE_LEN 0x50   /* struct uv_cb_cpu_set_state */
#define UVCB_SHARE_LEN 0x30       /* struct uv_cb_share */
#define UVCB_ATTEST_LEN 0x188     /* struct uv_cb_attest */
#define UVCB_DUMP_CPU_LEN 0x50    /* struct uv_cb_dump_cpu */
#define UVCB_DUMP_STOR_LEN 0x50   /* struct uv_cb_dump_stor_state */
#define UVCB_DUMP_COMPL_LEN 0x50  /* struct uv_cb_dump_complete */
#define UVCB_MAX_LEN 0x200

/* uv_cb_qui */
#define QUI_INST_CALLS 0x10
#define QUI_UV_BASE_STOR_LEN 0x40
#define QUI_CONF_BASE_PHYS_LEN 0x50
#define QUI_CONF_BASE_VIRT_LEN 0x58
#define QUI_CONF_VIRT_VAR_LEN 0x60
#define QUI_CPU_STOR_LEN 0x68
#define QUI_MAX_NUM_SEC_CONF 0x7c   /* u32 */
#define QUI_MAX_GUEST_STOR_ADDR 0x80
#define QUI_MAX_GUEST_CPU_ID 0x9e   /* u16 */
#define QUI_FEATURES 0xa0
#define QUI_SUPP_SE_HDR_VER 0xb0
#define QUI_SUPP_SE_HDR_PCF 0xb8
#define QUI_DUMP_STOR_STATE_LEN 0xc8
#define QUI_DUMP_FINALIZE_LEN 0xd0
#define QUI_SUPP_ATT_REQ_HDR_VER 0xe0
#define QUI_SUPP_ATT_PFLAGS 0xe8
/* uv_cb_query_keys: 15 key hashes of 32 bytes from 0x20 */
#define QK_HASHES 0x20
/* uv_cb_init */
#define INIT_STOR_ORIGIN 0x18
#define INIT_STOR_LEN 0x20
/* uv_cb_cgc */
#define CGC_GUEST_HANDLE 0x18
#define CGC_BASE_ORIGIN 0x20
#define CGC_VIRT_ORIGIN 0x28
#define CGC_STOR_ORIGIN 0x38
#define CGC_STOR_LEN 0x40
#define CGC_SCA 0x48
#define CGC_ASCE 0x50
/* uv_cb_csc */
#define CSC_CPU_HANDLE 0x18
#define CSC_GUEST_HANDLE 0x20
#define CSC_STOR_ORIGIN 0x28
#define CSC_NUM 0x36                /* u16 */
#define CSC_STATE_ORIGIN 0x38
/* uv_cb_cts, uv_cb_unp, uv_cb_ssc, uv_cb_nodata, dump: handle at 0x18 */
#define CB_HANDLE 0x18
#define CTS_GADDR 0x20
#define CFS_PADDR 0x18
#define SSC_HDR_ORIGIN 0x20
#define SSC_HDR_LEN 0x28            /* u32 */
#define UNP_GADDR 0x20
#define UNP_TWEAK0 0x28
#define UNP_TWEAK1 0x30
#define SET_STATE_STATE 0x27        /* u8 */
#define SHARE_PADDR 0x20
#define DUMP_AREA 0x20
#define DUMP_STOR_GADDR 0x28
/* uv_cb_attest */
#define ATT_ARCB_ADDR 0x18
#define ATT_CONT_TOKEN 0x20
#define ATT_USER_LEN 0x2e           /* u16 */
#define ATT_USER_DATA 0x30          /* 256 bytes */
#define ATT_MEAS_LEN 0x13c          /* u32 */
#define ATT_MEAS_ADDR 0x140
#define ATT_CONFIG_UID 0x148        /* 16 bytes */
#define ATT_ADD_LEN 0x15c           /* u32 */
#define ATT_ADD_ADDR 0x160

/* ASCE bits the UV checks (kvm-unit-tests uv-host test_config_create: the
 * private-space control must be set, bit 58 clear; z/Architecture POP
 * 3.11.4.1 numbers bits from the left: bit 55 P = 0x100, bit 58 = 0x20). */
#define UV_ASCE_P 0x100ull
#define UV_ASCE_BIT58 0x20ull

static inline uint64_t uv_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}
static inline uint32_t uv_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t uv_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline void uv_put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}
static inline void uv_put32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}
static inline void uv_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A control block's header. */
static inline uint16_t uvcb_len(const uint8_t *cb) { return uv_be16(cb); }
static inline uint16_t uvcb_cmd(const uint8_t *cb) { return uv_be16(cb + 2); }
static inline uint16_t uvcb_rc(const uint8_t *cb) { return uv_be16(cb + 4); }
static inline uint16_t uvcb_rrc(const uint8_t *cb) { return uv_be16(cb + 6); }

/* One command as the model and the scenario language know it: its code,
 * name, control block size, installed-call bit, who issues it, and the fields a scenario names
 * and returns (name, offset, width in bytes: 1, 2, 4 or 8). */
struct uv_field {
	const char *name;
	uint16_t off;
	uint8_t width;
};
#define UV_FIELDS_MAX 8
enum { UV_BY_HOST = 0, UV_BY_GUEST = 1, UV_BY_BOTH = 2 };
struct uv_cmd_info {
	uint16_t cmd;
	const char *name;
	uint16_t len;
	uint8_t bit;
	uint8_t guest;      /* UV_BY_HOST, UV_BY_GUEST (set shared, attest) or UV_BY_BOTH (query) */
	struct uv_field in[UV_FIELDS_MAX];
	struct uv_field out[7];  /* what a scenario's x2.. return */
};
const struct uv_cmd_info *uv_cmd_by_name(const char *name);
const struct uv_cmd_info *uv_cmd_by_code(uint16_t cmd);
size_t uv_cmds(const struct uv_cmd_info **all);

/* Status names of the scenario language (uv.*): uv.executed, uv.inv_len,
 * ..., and uv.rc_0xNNN for the command-specific codes the model returns
 * (uv.unsupported for a profile without an ultravisor: 0xff). NULL for a
 * code the model never returns. */
#define UV_RC_UNSUPPORTED 0xffu
const char *uv_rc_name(uint16_t rc);
/* The code of a name uv_rc_name gives; -1 if none. */
int uv_rc_by_name(const char *name);

#endif
