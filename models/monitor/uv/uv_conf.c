/* Query, initialisation, secure configurations and secure CPUs: the calls
 * KVM makes to create and tear down a protected guest (arch/s390/kvm/pv.c
 * kvm_s390_pv_init_vm, kvm_s390_pv_create_cpu, kvm_s390_pv_deinit_vm),
 * with the return codes kvm-unit-tests s390x/uv-host.c checks. */
#include <string.h>

#include "models/monitor/uv/uv_internal.h"

static void set_bit_inv(uint8_t *list, unsigned bit)
{
	list[bit / 8] |= (uint8_t)(0x80u >> (bit % 8)); /* MSB first (test_bit_inv) */
}

/* UVC_CMD_QUI: what the UV is and what it needs (uv.h struct uv_cb_qui).
 * A shorter block gets what fits and UVC_RC_MORE_DATA (uv-host.c
 * test_query "insf length"). */
uint16_t uv_qui(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	uint8_t q[UVCB_QUI_LEN] = { 0 };
	const struct uv_cmd_info *all;
	size_t n = uv_cmds(&all);
	for (size_t i = 0; i < n; i++)
		if (all[i].bit != UV_NO_BIT)
			set_bit_inv(q + QUI_INST_CALLS, all[i].bit);
	const struct uv_params *p = &uv->par;
	uv_put64(q + QUI_UV_BASE_STOR_LEN, p->base_stor_len);
	uv_put64(q + QUI_CONF_BASE_PHYS_LEN, p->conf_base_phys_len);
	uv_put64(q + QUI_CONF_BASE_VIRT_LEN, p->conf_base_virt_len);
	uv_put64(q + QUI_CONF_VIRT_VAR_LEN, p->conf_virt_var_len);
	uv_put64(q + QUI_CPU_STOR_LEN, p->cpu_stor_len);
	uv_put32(q + QUI_MAX_NUM_SEC_CONF, p->max_confs);
	uv_put64(q + QUI_MAX_GUEST_STOR_ADDR, p->max_guest_stor_addr);
	uv_put16(q + QUI_MAX_GUEST_CPU_ID, (uint16_t)p->max_cpu_id);
	uv_put64(q + QUI_SUPP_SE_HDR_VER, 1ull << 63);    /* header version 1 (0x100) */
	uv_put64(q + QUI_SUPP_SE_HDR_PCF, SE_PCF_ALLOW_DUMPING);
	uv_put64(q + QUI_DUMP_STOR_STATE_LEN, p->dump_stor_state_len);
	uv_put64(q + QUI_DUMP_FINALIZE_LEN, p->dump_finalize_len);
	uv_put64(q + QUI_SUPP_ATT_REQ_HDR_VER, 1ull << 63); /* ARCB version 1 (0x100) */
	uv_put64(q + QUI_SUPP_ATT_PFLAGS, SE_PAF_SUPPORTED);
	uint16_t len = uvcb_len(cb);
	size_t copy = len < UVCB_QUI_LEN ? len : UVCB_QUI_LEN;
	memcpy(cb + UVCB_HDR, q + UVCB_HDR, copy - UVCB_HDR);
	return len < UVCB_QUI_LEN ? UVC_RC_MORE_DATA : UVC_RC_EXECUTED;
}

/* UVC_CMD_QUERY_KEYS: the hashes of the host keys (uv.h struct
 * uv_cb_query_keys; index 0 the current host key). */
uint16_t uv_query_keys(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	memset(cb + UVCB_HDR, 0, UVCB_QUERY_KEYS_LEN - UVCB_HDR);
	uv_host_key_hash(uv, cb + QK_HASHES);
	return UVC_RC_EXECUTED;
}

/* Storage the host donates must lie in memory (code `beyond`), outside the
 * lowcore (`lowcore`) and be nobody's yet (`beyond` too: the UV cannot
 * take it). 0 if fine. */
static uint16_t donation_check(const struct uv *uv, uint64_t base, uint64_t len, uint16_t beyond,
			       uint16_t lowcore)
{
	if (base >= uv->par.mem_top || len > uv->par.mem_top - base || base % UV_PAGE)
		return beyond;
	if (base < UV_LOWCORE)
		return lowcore;
	if (uv_range_overlaps(uv, base, len))
		return beyond;
	for (uint64_t a = base; a < base + len; a += UV_PAGE)
		if (uv_hpage(uv, a))
			return beyond;
	return 0;
}

/* UVC_CMD_INIT_UV (arch/s390/kernel/uv.c setup_uv): the base storage the
 * UV asked for, 1 MB aligned above 2 GB; codes from uv-host.c test_init. */
uint16_t uv_init(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	uint64_t o = uv_be64(cb + INIT_STOR_ORIGIN), len = uv_be64(cb + INIT_STOR_LEN);
	if (uv->initialized)
		return 0x101; /* double init */
	if (len != uv->par.base_stor_len)
		return 0x103; /* storage invalid length */
	if (o % UV_MB || o >= uv->par.mem_top)
		return 0x104; /* storage origin invalid */
	if (len > uv->par.mem_top - o)
		return 0x105; /* storage + length invalid */
	if (o < UV_2G)
		return 0x108; /* storage below 2GB */
	if (uv_range_add(uv, o, len, 0))
		return 0x104;
	uv->initialized = 1;
	return UVC_RC_EXECUTED;
}

static uint64_t var_len(const struct uv *uv, uint64_t stor_len)
{
	/* arch/s390/kvm/pv.c kvm_s390_pv_alloc_vm: base virtual length plus
	 * the per-MB variable length for each MB of guest storage */
	uint64_t v = uv->par.conf_base_virt_len + stor_len / UV_MB * uv->par.conf_virt_var_len;
	return (v + UV_PAGE - 1) / UV_PAGE * UV_PAGE;
}

/* UVC_CMD_CREATE_SEC_CONF (pv.c kvm_s390_pv_init_vm); the codes are
 * uv-host.c test_config_create's, 0x10a and 0x10b ccsim's. */
uint16_t uv_create_conf(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	uint64_t base = uv_be64(cb + CGC_BASE_ORIGIN), var = uv_be64(cb + CGC_VIRT_ORIGIN);
	uint64_t mso = uv_be64(cb + CGC_STOR_ORIGIN), msl = uv_be64(cb + CGC_STOR_LEN);
	uint64_t sca = uv_be64(cb + CGC_SCA), asce = uv_be64(cb + CGC_ASCE);
	uint64_t vlen = var_len(uv, msl);
	uint16_t rc;
	uv_put64(cb + CGC_GUEST_HANDLE, 0);
	if (mso > uv->par.max_guest_stor_addr)
		return 0x101; /* MSO > max guest addr */
	if (msl > uv->par.max_guest_stor_addr - mso)
		return 0x102; /* MSO + MSL > max guest addr */
	if (!(asce & UV_ASCE_P) || (asce & UV_ASCE_BIT58))
		return 0x105; /* ASCE private bit missing, bit 58 set */
	for (unsigned i = 0; i < UV_CONF_MAX; i++)
		if (uv->conf[i].handle && (uv->conf[i].asce & ~0xfffull) == (asce & ~0xfffull))
			return 0x104; /* reuse ASCE: a configuration's tables are its own */
	if ((rc = donation_check(uv, base, uv->par.conf_base_phys_len, 0x108, 0x109)) != 0)
		return rc; /* base storage beyond memory, or in the lowcore */
	if ((rc = donation_check(uv, var, vlen, 0x10a, 0x10e)) != 0)
		return rc; /* variable storage ... */
	if (var < base + uv->par.conf_base_phys_len && base < var + vlen)
		return 0x10a;
	if (!sca)
		return 0x10c; /* sca == 0 */
	if (sca >= uv->par.mem_top || uv_range_at(uv, sca) || uv_hpage(uv, sca))
		return 0x10d; /* sca inaccessible */
	unsigned idx = 0, used = 0;
	for (unsigned i = UV_CONF_MAX; i-- > 0;) {
		used += uv->conf[i].handle != 0;
		if (!uv->conf[i].handle)
			idx = i;
	}
	if (used >= uv->par.max_confs)
		return 0x10b; /* ccsim: no configuration left (QUI max_num_sec_conf) */
	struct uv_conf *c = &uv->conf[idx];
	c->handle = uv_new_handle(uv, idx);
	c->state = UV_CONF_CREATED;
	c->base_origin = base;
	c->var_origin = var;
	c->var_len = vlen;
	c->stor_origin = mso;
	c->stor_len = msl;
	c->sca = sca;
	c->asce = asce;
	c->unpacked = 0;
	c->dumping = 0;
	memset(&c->hdr, 0, sizeof(c->hdr));
	uint8_t id[16];
	uv_put64(id, c->handle);
	uv_put64(id + 8, idx);
	/* the configuration's unique id and its export key, from the seed */
	se_expand("ccsim-uv-cuid", uv->seed, id, sizeof(id), c->cuid, sizeof(c->cuid));
	se_expand("ccsim-uv-export-key", uv->seed, id, sizeof(id), c->export_key,
		  sizeof(c->export_key));
	uint32_t owner = uv_conf_index_id(uv, c);
	if (uv_range_add(uv, base, uv->par.conf_base_phys_len, owner) ||
	    (vlen && uv_range_add(uv, var, vlen, owner)))
		return 0x108;
	uv_put64(cb + CGC_GUEST_HANDLE, c->handle);
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_DESTROY_SEC_CONF (pv.c kvm_s390_pv_deinit_vm, after every CPU is
 * destroyed): the donated storage and every page still secure are cleared
 * and given back (uv-host.c test_clear: "config base donated memory
 * cleared"). With a CPU still defined: ccsim answers UVC_RC_INV_STATE. */
uint16_t uv_destroy_conf(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	if (!c)
		return UVC_RC_INV_GHANDLE;
	uint32_t id = uv_conf_index_id(uv, c);
	for (unsigned i = 0; i < UV_CPU_MAX; i++)
		if (uv->cpu[i].handle && uv->cpu[i].conf == id)
			return UVC_RC_INV_STATE;
	uv_conf_release_pages(uv, c);
	uv_range_release(uv, id);
	c->handle = 0;
	c->state = UV_CONF_FREE;
	g_byte_array_set_size(c->pld, 0);
	g_byte_array_set_size(c->ald, 0);
	g_byte_array_set_size(c->tld, 0);
	c->gmap = NULL;
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_CREATE_SEC_CPU (pv.c kvm_s390_pv_create_cpu); codes from
 * uv-host.c test_cpu_create, 0x108 ccsim's. The SIE state description at
 * state_origin is the host's stand-in: the real state lives in the CPU's
 * donated storage. */
uint16_t uv_create_cpu(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CSC_GUEST_HANDLE));
	uint64_t stor = uv_be64(cb + CSC_STOR_ORIGIN), sd = uv_be64(cb + CSC_STATE_ORIGIN);
	uint16_t num = uv_be16(cb + CSC_NUM), rc;
	uv_put64(cb + CSC_CPU_HANDLE, 0);
	if (!c)
		return UVC_RC_INV_GHANDLE;
	if (num > uv->par.max_cpu_id)
		return 0x103; /* invalid cpu # */
	if ((rc = donation_check(uv, stor, uv->par.cpu_stor_len, 0x105, 0x106)) != 0)
		return rc; /* cpu stor inaccessible, cpu stor in lowcore */
	if (sd >= uv->par.mem_top || sd % UV_PAGE || uv_range_at(uv, sd) || uv_hpage(uv, sd))
		return 0x107; /* SIE SD inaccessible */
	uint32_t id = uv_conf_index_id(uv, c);
	int idx = -1;
	for (unsigned i = 0; i < UV_CPU_MAX; i++) {
		if (uv->cpu[i].handle && uv->cpu[i].conf == id && uv->cpu[i].num == num)
			return 0x104; /* already defined */
		if (!uv->cpu[i].handle && idx < 0)
			idx = (int)i;
	}
	if (idx < 0)
		return 0x108;
	struct uv_cpu *p = &uv->cpu[idx];
	memset(p, 0, sizeof(*p));
	p->handle = uv_new_handle(uv, (unsigned)idx);
	p->conf = id;
	p->num = num;
	p->stor_origin = stor;
	p->state_origin = sd;
	p->state = PV_CPU_STATE_STP;
	if (uv_range_add(uv, stor, uv->par.cpu_stor_len, UV_OWNER_CPU + (unsigned)idx)) {
		p->handle = 0;
		return 0x105;
	}
	uv_put64(cb + CSC_CPU_HANDLE, p->handle);
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_DESTROY_SEC_CPU (pv.c kvm_s390_pv_destroy_cpu): its storage
 * cleared and given back. */
uint16_t uv_destroy_cpu(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_cpu *p = uv_cpu_of(uv, uv_be64(cb + CB_HANDLE));
	if (!p)
		return UVC_RC_INV_CHANDLE;
	uv_range_release(uv, UV_OWNER_CPU + (unsigned)(p - uv->cpu));
	p->handle = 0;
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_CPU_SET_STATE (pv.c kvm_s390_pv_set_cpu_state): a CPU operates
 * only in a verified configuration; OPR_LOAD starts it at the header's
 * PSW (kvm-unit-tests lib/s390x/uv.c uv_verify_load). */
uint16_t uv_cpu_set_state(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_cpu *p = uv_cpu_of(uv, uv_be64(cb + CB_HANDLE));
	uint8_t st = cb[SET_STATE_STATE];
	if (!p)
		return UVC_RC_INV_CHANDLE;
	if (st != PV_CPU_STATE_OPR && st != PV_CPU_STATE_STP && st != PV_CPU_STATE_CHKSTP &&
	    st != PV_CPU_STATE_OPR_LOAD)
		return 0x101; /* ccsim: no such state */
	struct uv_conf *c = &uv->conf[p->conf - 1];
	if ((st == PV_CPU_STATE_OPR || st == PV_CPU_STATE_OPR_LOAD) && c->state != UV_CONF_VERIFIED)
		return UVC_RC_INV_STATE; /* ccsim: an unverified image does not run */
	if (st == PV_CPU_STATE_OPR_LOAD) {
		p->psw_mask = c->hdr.psw_mask;
		p->psw_addr = c->hdr.psw_addr;
	}
	p->state = st;
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_CPU_RESET, _RESET_INITIAL, _RESET_CLEAR: the CPU stops (the
 * architected resets; ccsim keeps no more CPU state than its PSW). */
uint16_t uv_cpu_reset(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_cpu *p = uv_cpu_of(uv, uv_be64(cb + CB_HANDLE));
	if (!p)
		return UVC_RC_INV_CHANDLE;
	p->state = PV_CPU_STATE_STP;
	if (uvcb_cmd(cb) != UVC_CMD_CPU_RESET)
		p->psw_mask = p->psw_addr = 0;
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_PREPARE_RESET (QEMU s390_pv_prepare_reset, after unsharing all):
 * every CPU of the configuration stops. */
uint16_t uv_prepare_reset(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	if (!c)
		return UVC_RC_INV_GHANDLE;
	for (unsigned i = 0; i < UV_CPU_MAX; i++)
		if (uv->cpu[i].handle && uv->cpu[i].conf == uv_conf_index_id(uv, c))
			uv->cpu[i].state = PV_CPU_STATE_STP;
	return UVC_RC_EXECUTED;
}
