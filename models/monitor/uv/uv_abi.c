/* The UVC table and the return code names; see uv_abi.h. The command
 * names are uv.h's UVC_CMD_* in lower case, the field names its control
 * block members'. */
#include "models/monitor/uv/uv_abi.h"

#include <stdio.h>
#include <string.h>

#define F(n, o, w) { n, o, w }
#define HANDLE F("handle", CB_HANDLE, 8)

static const struct uv_cmd_info cmds[] = {
	{ UVC_CMD_QUI, "qui", UVCB_QUI_LEN, BIT_UVC_CMD_QUI, UV_BY_BOTH, { { NULL } },
	  { F("uv_base_stor_len", QUI_UV_BASE_STOR_LEN, 8),
	    F("conf_base_phys_stor_len", QUI_CONF_BASE_PHYS_LEN, 8),
	    F("conf_base_virt_stor_len", QUI_CONF_BASE_VIRT_LEN, 8),
	    F("conf_virt_var_stor_len", QUI_CONF_VIRT_VAR_LEN, 8), F("cpu_stor_len", QUI_CPU_STOR_LEN, 8),
	    F("max_num_sec_conf", QUI_MAX_NUM_SEC_CONF, 4),
	    F("max_guest_cpu_id", QUI_MAX_GUEST_CPU_ID, 2) } },
	{ UVC_CMD_QUERY_KEYS, "query_keys", UVCB_QUERY_KEYS_LEN, BIT_UVC_CMD_QUERY_KEYS, 0, { { NULL } },
	  { F("key_hashes[0]", QK_HASHES, 8) } },
	{ UVC_CMD_INIT_UV, "init_uv", UVCB_INIT_LEN, BIT_UVC_CMD_INIT_UV, 0,
	  { F("stor_origin", INIT_STOR_ORIGIN, 8), F("stor_len", INIT_STOR_LEN, 8) } },
	{ UVC_CMD_CREATE_SEC_CONF, "create_sec_conf", UVCB_CGC_LEN, BIT_UVC_CMD_CREATE_SEC_CONF, 0,
	  { F("conf_base_stor_origin", CGC_BASE_ORIGIN, 8), F("conf_virt_stor_origin", CGC_VIRT_ORIGIN, 8),
	    F("guest_stor_origin", CGC_STOR_ORIGIN, 8), F("guest_stor_len", CGC_STOR_LEN, 8),
	    F("guest_sca", CGC_SCA, 8), F("guest_asce", CGC_ASCE, 8) },
	  { F("guest_handle", CGC_GUEST_HANDLE, 8) } },
	{ UVC_CMD_DESTROY_SEC_CONF, "destroy_sec_conf", UVCB_NODATA_LEN, BIT_UVC_CMD_DESTROY_SEC_CONF, 0,
	  { HANDLE } },
	{ UVC_CMD_CREATE_SEC_CPU, "create_sec_cpu", UVCB_CSC_LEN, BIT_UVC_CMD_CREATE_SEC_CPU, 0,
	  { F("guest_handle", CSC_GUEST_HANDLE, 8), F("stor_origin", CSC_STOR_ORIGIN, 8),
	    F("num", CSC_NUM, 2), F("state_origin", CSC_STATE_ORIGIN, 8) },
	  { F("cpu_handle", CSC_CPU_HANDLE, 8) } },
	{ UVC_CMD_DESTROY_SEC_CPU, "destroy_sec_cpu", UVCB_NODATA_LEN, BIT_UVC_CMD_DESTROY_SEC_CPU, 0,
	  { HANDLE } },
	{ UVC_CMD_CONV_TO_SEC_STOR, "conv_to_sec_stor", UVCB_CTS_LEN, BIT_UVC_CMD_CONV_TO_SEC_STOR, 0,
	  { F("guest_handle", CB_HANDLE, 8), F("gaddr", CTS_GADDR, 8) } },
	{ UVC_CMD_CONV_FROM_SEC_STOR, "conv_from_sec_stor", UVCB_CFS_LEN, BIT_UVC_CMD_CONV_FROM_SEC_STOR,
	  0, { F("paddr", CFS_PADDR, 8) } },
	{ UVC_CMD_DESTR_SEC_STOR, "destr_sec_stor", UVCB_CFS_LEN, UV_NO_BIT, 0,
	  { F("paddr", CFS_PADDR, 8) } },
	{ UVC_CMD_SET_SEC_CONF_PARAMS, "set_sec_conf_params", UVCB_SSC_LEN, BIT_UVC_CMD_SET_SEC_PARMS, 0,
	  { F("guest_handle", CB_HANDLE, 8), F("sec_header_origin", SSC_HDR_ORIGIN, 8),
	    F("sec_header_len", SSC_HDR_LEN, 4) } },
	{ UVC_CMD_UNPACK_IMG, "unpack_img", UVCB_UNP_LEN, BIT_UVC_CMD_UNPACK_IMG, 0,
	  { F("guest_handle", CB_HANDLE, 8), F("gaddr", UNP_GADDR, 8), F("tweak0", UNP_TWEAK0, 8),
	    F("tweak1", UNP_TWEAK1, 8) } },
	{ UVC_CMD_VERIFY_IMG, "verify_img", UVCB_NODATA_LEN, BIT_UVC_CMD_VERIFY_IMG, 0, { HANDLE } },
	{ UVC_CMD_CPU_RESET, "cpu_reset", UVCB_NODATA_LEN, BIT_UVC_CMD_CPU_RESET, 0, { HANDLE } },
	{ UVC_CMD_CPU_RESET_INITIAL, "cpu_reset_initial", UVCB_NODATA_LEN, BIT_UVC_CMD_CPU_RESET_INITIAL,
	  0, { HANDLE } },
	{ UVC_CMD_PREPARE_RESET, "prepare_reset", UVCB_NODATA_LEN, BIT_UVC_CMD_PREPARE_RESET, 0,
	  { HANDLE } },
	{ UVC_CMD_CPU_RESET_CLEAR, "cpu_reset_clear", UVCB_NODATA_LEN,
	  BIT_UVC_CMD_CPU_PERFORM_CLEAR_RESET, 0, { HANDLE } },
	{ UVC_CMD_CPU_SET_STATE, "cpu_set_state", UVCB_SET_STATE_LEN, BIT_UVC_CMD_CPU_SET_STATE, 0,
	  { F("cpu_handle", CB_HANDLE, 8), F("state", SET_STATE_STATE, 1) } },
	{ UVC_CMD_SET_UNSHARE_ALL, "set_unshare_all", UVCB_NODATA_LEN, BIT_UVC_CMD_UNSHARE_ALL, 0,
	  { HANDLE } },
	{ UVC_CMD_PIN_PAGE_SHARED, "pin_page_shared", UVCB_CFS_LEN, BIT_UVC_CMD_PIN_PAGE_SHARED, 0,
	  { F("paddr", CFS_PADDR, 8) } },
	{ UVC_CMD_UNPIN_PAGE_SHARED, "unpin_page_shared", UVCB_CTS_LEN, BIT_UVC_CMD_UNPIN_PAGE_SHARED, 0,
	  { F("guest_handle", CB_HANDLE, 8), F("gaddr", CTS_GADDR, 8) } },
	{ UVC_CMD_DUMP_INIT, "dump_init", UVCB_NODATA_LEN, BIT_UVC_CMD_DUMP_INIT, 0, { HANDLE } },
	{ UVC_CMD_DUMP_CONF_STOR_STATE, "dump_conf_stor_state", UVCB_DUMP_STOR_LEN,
	  BIT_UVC_CMD_DUMP_CONFIG_STOR_STATE, 0,
	  { F("config_handle", CB_HANDLE, 8), F("dump_area_origin", DUMP_AREA, 8),
	    F("gaddr", DUMP_STOR_GADDR, 8) } },
	{ UVC_CMD_DUMP_CPU, "dump_cpu", UVCB_DUMP_CPU_LEN, BIT_UVC_CMD_DUMP_CPU, 0,
	  { F("cpu_handle", CB_HANDLE, 8), F("dump_area_origin", DUMP_AREA, 8) } },
	{ UVC_CMD_DUMP_COMPLETE, "dump_complete", UVCB_DUMP_COMPL_LEN, BIT_UVC_CMD_DUMP_COMPLETE, 0,
	  { F("config_handle", CB_HANDLE, 8), F("dump_area_origin", DUMP_AREA, 8) } },
	{ UVC_CMD_SET_SHARED_ACCESS, "set_shared_access", UVCB_SHARE_LEN, BIT_UVC_CMD_SET_SHARED_ACCESS,
	  UV_BY_GUEST, { F("paddr", SHARE_PADDR, 8) } },
	{ UVC_CMD_REMOVE_SHARED_ACCESS, "remove_shared_access", UVCB_SHARE_LEN,
	  BIT_UVC_CMD_REMOVE_SHARED_ACCESS, UV_BY_GUEST, { F("paddr", SHARE_PADDR, 8) } },
	{ UVC_CMD_RETR_ATTEST, "retr_attest", UVCB_ATTEST_LEN, BIT_UVC_CMD_RETR_ATTEST, UV_BY_GUEST,
	  { F("arcb_addr", ATT_ARCB_ADDR, 8), F("cont_token", ATT_CONT_TOKEN, 8),
	    F("user_data_len", ATT_USER_LEN, 2), F("meas_len", ATT_MEAS_LEN, 4),
	    F("meas_addr", ATT_MEAS_ADDR, 8), F("add_data_len", ATT_ADD_LEN, 4),
	    F("add_data_addr", ATT_ADD_ADDR, 8) },
	  { F("config_uid[0..7]", ATT_CONFIG_UID, 8), F("config_uid[8..15]", ATT_CONFIG_UID + 8, 8),
	    F("add_data_len", ATT_ADD_LEN, 4) } },
};

const struct uv_cmd_info *uv_cmd_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

const struct uv_cmd_info *uv_cmd_by_code(uint16_t cmd)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].cmd == cmd)
			return &cmds[i];
	return NULL;
}

size_t uv_cmds(const struct uv_cmd_info **all)
{
	*all = cmds;
	return sizeof(cmds) / sizeof(cmds[0]);
}

static const struct {
	uint16_t rc;
	const char *name;
} rc_names[] = {
	{ UVC_RC_EXECUTED, "uv.executed" }, { UVC_RC_INV_CMD, "uv.inv_cmd" },
	{ UVC_RC_INV_STATE, "uv.inv_state" }, { UVC_RC_INV_LEN, "uv.inv_len" },
	{ UVC_RC_NO_RESUME, "uv.no_resume" }, { UVC_RC_INV_GHANDLE, "uv.inv_ghandle" },
	{ UVC_RC_INV_CHANDLE, "uv.inv_chandle" }, { UV_RC_UNSUPPORTED, "uv.unsupported" },
	{ UVC_RC_MORE_DATA, "uv.more_data" },
	{ 0x101, "uv.rc_0x101" }, { 0x102, "uv.rc_0x102" }, { 0x103, "uv.rc_0x103" },
	{ 0x104, "uv.rc_0x104" }, { 0x105, "uv.rc_0x105" }, { 0x106, "uv.rc_0x106" },
	{ 0x107, "uv.rc_0x107" }, { 0x108, "uv.rc_0x108" }, { 0x109, "uv.rc_0x109" },
	{ 0x10a, "uv.rc_0x10a" }, { 0x10b, "uv.rc_0x10b" }, { 0x10c, "uv.rc_0x10c" },
	{ 0x10d, "uv.rc_0x10d" }, { 0x10e, "uv.rc_0x10e" },
};

const char *uv_rc_name(uint16_t rc)
{
	for (size_t i = 0; i < sizeof(rc_names) / sizeof(rc_names[0]); i++)
		if (rc_names[i].rc == rc)
			return rc_names[i].name;
	return NULL;
}

int uv_rc_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(rc_names) / sizeof(rc_names[0]); i++)
		if (strcmp(rc_names[i].name, name) == 0)
			return rc_names[i].rc;
	return -1;
}
