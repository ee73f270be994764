/* Booting a secure guest from its SE image (QEMU hw/s390x/ipl.c
 * s390_ipl_prepare_pv_header, s390_ipl_pv_unpack, then s390_pv_verify;
 * arch/s390/kvm/pv.c kvm_s390_pv_set_sec_parms, kvm_s390_pv_unpack),
 * retrieving an attestation measurement (kvm-unit-tests s390x/pv-attest.c),
 * and the dump calls (arch/s390/kvm/kvm-s390.c kvm_s390_pv_dmp, pv.c
 * kvm_s390_pv_dump_stor_state / _complete). */
#include <string.h>

#include "models/monitor/uv/uv_internal.h"

/* UVC_CMD_SET_SEC_CONF_PARAMS: read the SE header from host memory and
 * open it with the machine's host key. 0x103 when it cannot be read
 * (uv-host.c test_set_se_header "se hdr access exception"), 0x108 when no
 * key slot opens it (QEMU target/s390x/kvm/pv.c
 * DIAG_308_UV_RC_INVAL_HOSTKEY: "Please check whether the image is
 * correctly encrypted for this host"); ccsim's 0x104 for a header that is
 * not one, UVC_RC_INV_STATE for a second header. */
uint16_t uv_set_sec_params(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	uint64_t o = uv_be64(cb + SSC_HDR_ORIGIN);
	uint32_t len = uv_be32(cb + SSC_HDR_LEN);
	if (!c)
		return UVC_RC_INV_GHANDLE;
	if (len > SE_HDR_MAX || len < SE_HDR_PLAIN)
		return 0x104;
	uint8_t *h = g_malloc(len);
	uint16_t rc = 0;
	if (o >= uv->par.mem_top || len > uv->par.mem_top - o || uv_range_overlaps(uv, o, len) ||
	    uv_mem(uv, o, h, len, false))
		rc = 0x103;
	else if (c->state != UV_CONF_CREATED)
		rc = UVC_RC_INV_STATE;
	if (rc) {
		g_free(h);
		return rc;
	}
	struct se_hdr hdr;
	enum se_open_err e = se_hdr_open(h, len, &uv->host_key, 1, &hdr);
	g_free(h);
	uv_pages_work(uv, 1);
	if (e == SE_OPEN_MALFORMED)
		return 0x104;
	if (e != SE_OPEN_OK)
		return 0x108;
	c->hdr = hdr;
	c->state = UV_CONF_HDR_SET;
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_UNPACK_IMG, one page (pv.c unpack_one: tweak[0] the component's
 * tweak prefix, tweak[1] the page's offset in it): the page becomes secure,
 * decrypted in place with the header's XTS key; its content, address and
 * tweak join the digests verify checks. */
uint16_t uv_unpack(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	uint64_t gaddr = uv_be64(cb + UNP_GADDR), hpa;
	if (!c)
		return UVC_RC_INV_GHANDLE;
	if (c->state != UV_CONF_HDR_SET)
		return UVC_RC_INV_STATE; /* ccsim: before the header, or after verify */
	if (gaddr % UV_PAGE || uv_translate(uv, c, gaddr, &hpa))
		return UV_RC_NOT_MAPPED;
	hpa &= ~(UV_PAGE - 1);
	if (uv_range_at(uv, hpa) || uv_hpage(uv, hpa))
		return UV_RC_PAGE_TAKEN;
	const struct uv_gpage *g = uv_gpage(c, gaddr, false);
	if (g && g->state == UV_G_SECURE)
		return UV_RC_GADDR_ELSEWHERE;
	uint8_t ct[UV_PAGE], pt[UV_PAGE], tweak[SE_TWEAK_LEN], a[8];
	uv_put64(tweak, uv_be64(cb + UNP_TWEAK0));
	uv_put64(tweak + 8, uv_be64(cb + UNP_TWEAK1));
	uv_put64(a, gaddr);
	uv_pages_work(uv, 1);
	if (uv_mem(uv, hpa, ct, UV_PAGE, false) || se_xts_page(false, c->hdr.xts, tweak, ct, pt) ||
	    uv_mem(uv, hpa, pt, UV_PAGE, true))
		return UV_RC_NOT_MAPPED;
	g_byte_array_append(c->pld, ct, UV_PAGE);
	g_byte_array_append(c->ald, a, sizeof(a));
	g_byte_array_append(c->tld, tweak, sizeof(tweak));
	uv_make_secure(uv, c, hpa, gaddr);
	c->unpacked++;
	uv->stat_unpacked++;
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_VERIFY_IMG: the pages unpacked are the header's (NEP pages, PLD,
 * ALD, TLD: SHA-512 over their encrypted content, addresses and tweaks in
 * order); ccsim answers 0x102 when they are not. A CPU may then run. */
uint16_t uv_verify(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	if (!c)
		return UVC_RC_INV_GHANDLE;
	if (c->state != UV_CONF_HDR_SET)
		return UVC_RC_INV_STATE;
	uint8_t d[3][SE_SHA512_LEN];
	se_sha512(c->pld->data, c->pld->len, d[0]);
	se_sha512(c->ald->data, c->ald->len, d[1]);
	se_sha512(c->tld->data, c->tld->len, d[2]);
	uv_pages_work(uv, c->unpacked / 16 + 1); /* hashing runs faster than en/decrypting */
	if (c->unpacked != c->hdr.nep || memcmp(d[0], c->hdr.pld, SE_SHA512_LEN) ||
	    memcmp(d[1], c->hdr.ald, SE_SHA512_LEN) || memcmp(d[2], c->hdr.tld, SE_SHA512_LEN)) {
		*rrc = c->unpacked != c->hdr.nep ? 1 : memcmp(d[0], c->hdr.pld, SE_SHA512_LEN) ? 2
		     : memcmp(d[1], c->hdr.ald, SE_SHA512_LEN) ? 3 : 4;
		return 0x102;
	}
	c->state = UV_CONF_VERIFIED;
	return UVC_RC_EXECUTED;
}

/* --- attestation --- */

static uint16_t arcb_rc(enum se_arcb_err e)
{
	static const uint16_t rc[] = {
		[SE_ARCB_OK] = UVC_RC_EXECUTED, [SE_ARCB_VERSION_BAD] = 0x106,
		[SE_ARCB_LEN_BAD] = 0x107, [SE_ARCB_NKS_BAD] = 0x108, [SE_ARCB_SEA_BAD] = 0x109,
		[SE_ARCB_PAF_BAD] = 0x10a, [SE_ARCB_MAI_BAD] = 0x10b, [SE_ARCB_UNSEAL] = 0x10c,
	};
	return rc[e];
}

/* UVC_CMD_RETR_ATTEST from a secure guest: the measurement of its image,
 * keyed by the measurement key the ARCB seals for this machine (s390-tools
 * rust/pv uvattest/attest.rs AttestationMeasurement). The codes and their
 * order are kvm-unit-tests s390x/pv-attest.c test_attest_v1's: the sizes
 * are checked before the ARCB is unsealed. */
uint16_t uv_attest(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)rrc;
	struct uv_conf *c = &uv->conf[who->conf - 1];
	uint16_t ulen = uv_be16(cb + ATT_USER_LEN);
	uint32_t mlen = uv_be32(cb + ATT_MEAS_LEN), alen = uv_be32(cb + ATT_ADD_LEN);
	if (c->state != UV_CONF_VERIFIED)
		return UVC_RC_INV_STATE;
	if (uv_be64(cb + ATT_CONT_TOKEN))
		return 0x101; /* invalid continuation token */
	if (ulen > 256)
		return 0x102; /* invalid user data size */
	uint8_t fixed[SE_ARCB_PLAIN];
	if (uv_guest_mem(uv, c, uv_be64(cb + ATT_ARCB_ADDR), fixed, sizeof(fixed), false))
		return 0x103; /* invalid address arcb */
	uint32_t rl = uv_be32(fixed + ARCB_REQ_LEN);
	if (uv_be32(fixed + ARCB_REQ_VER) != SE_ARCB_VERSION)
		return 0x106;
	if (rl < SE_ARCB_PLAIN || rl > UV_PAGE)
		return 0x107;
	uint8_t *arcb = g_malloc(rl), mkey[SE_ARCB_MKEY], nonce[SE_ARCB_NONCE], phkh[SE_PHKH_LEN];
	uint64_t paf = 0;
	int has_nonce = 0;
	uint16_t rc = UVC_RC_EXECUTED;
	if (uv_guest_mem(uv, c, uv_be64(cb + ATT_ARCB_ADDR), arcb, rl, false)) {
		rc = 0x103;
		goto out;
	}
	/* the checks before unsealing: everything but the key slots */
	enum se_arcb_err e = se_arcb_open(arcb, rl, NULL, 0, mkey, nonce, &has_nonce, &paf, phkh);
	uint32_t want = (paf & SE_PAF_IMAGE_PHKH ? SE_PHKH_LEN : 0) +
			(paf & SE_PAF_ATTEST_PHKH ? SE_PHKH_LEN : 0);
	if (e != SE_ARCB_UNSEAL)
		rc = arcb_rc(e);
	else if (mlen != SE_SHA512_LEN)
		rc = 0x10d; /* invalid measurement size */
	else if (alen < want)
		rc = 0x10e; /* invalid additional size */
	else if ((e = se_arcb_open(arcb, rl, &uv->host_key, 1, mkey, nonce, &has_nonce, &paf, phkh)))
		rc = arcb_rc(e); /* unable unseal: 0x10c */
	if (rc != UVC_RC_EXECUTED)
		goto out;
	uint8_t add[2 * SE_PHKH_LEN], meas[SE_SHA512_LEN];
	size_t an = 0;
	if (paf & SE_PAF_IMAGE_PHKH)
		memcpy(add + an, c->hdr.phkh, SE_PHKH_LEN), an += SE_PHKH_LEN;
	if (paf & SE_PAF_ATTEST_PHKH)
		memcpy(add + an, phkh, SE_PHKH_LEN), an += SE_PHKH_LEN;
	se_measurement(mkey, &c->hdr, c->cuid, cb + ATT_USER_DATA, ulen, has_nonce ? nonce : NULL,
		       add, an, meas);
	uv_pages_work(uv, 1);
	if (uv_guest_mem(uv, c, uv_be64(cb + ATT_MEAS_ADDR), meas, sizeof(meas), true) ||
	    (an && uv_guest_mem(uv, c, uv_be64(cb + ATT_ADD_ADDR), add, an, true))) {
		rc = 0x103;
		goto out;
	}
	memcpy(cb + ATT_CONFIG_UID, c->cuid, sizeof(c->cuid));
	uv_put32(cb + ATT_ADD_LEN, (uint32_t)an);
out:
	g_free(arcb);
	return rc;
}

/* --- dump (the image's PCF must allow it: pvimg flags.rs AllowDumping) --- */

/* Each dump output is sealed with a key only the image's owner can derive:
 * from the customer communication key of the header (ccsim's
 * construction; IBM's zgetdump decrypts a PV dump with the CCK). */
static int dump_seal(struct uv *uv, struct uv_conf *c, uint64_t area, const uint8_t *data,
		     size_t len)
{
	uint8_t key[SE_SHA512_LEN], iv[SE_GCM_IV] = { 0 }, *out = g_malloc(len + SE_GCM_TAG);
	se_hmac_sha512(c->hdr.cck, sizeof(c->hdr.cck), "ccsim-uv-dump", 13, key);
	uv_put64(iv + 4, ++c->dump_seq);
	int rc = se_gcm(true, key, iv, c->cuid, sizeof(c->cuid), data, len, out, out + len);
	uv_pages_work(uv, 1);
	if (!rc)
		rc = uv_mem(uv, area, out, len + SE_GCM_TAG, true);
	g_free(out);
	return rc;
}

static uint16_t dump_area_ok(struct uv *uv, uint64_t area, uint64_t len)
{
	return area < uv->par.mem_top && len <= uv->par.mem_top - area &&
	       !uv_range_overlaps(uv, area, len) && !uv_hpage(uv, area);
}

/* UVC_CMD_DUMP_INIT (kvm-s390.c KVM_PV_DUMP_INIT): the configuration
 * stops; ccsim answers 0x102 when the image does not allow dumping. */
uint16_t uv_dump_init(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	if (!c)
		return UVC_RC_INV_GHANDLE;
	if (c->state != UV_CONF_VERIFIED || c->dumping)
		return UVC_RC_INV_STATE;
	if (!(c->hdr.pcf & SE_PCF_ALLOW_DUMPING))
		return 0x102;
	c->dumping = 1;
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_DUMP_CPU: the secure CPU's state, sealed, at dump_area_origin
 * (its PSW, number and state in ccsim). */
uint16_t uv_dump_cpu(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_cpu *p = uv_cpu_of(uv, uv_be64(cb + CB_HANDLE));
	uint64_t area = uv_be64(cb + DUMP_AREA);
	if (!p)
		return UVC_RC_INV_CHANDLE;
	struct uv_conf *c = &uv->conf[p->conf - 1];
	if (!c->dumping)
		return UVC_RC_INV_STATE;
	uint8_t st[32] = { 0 };
	uv_put64(st, p->psw_mask);
	uv_put64(st + 8, p->psw_addr);
	uv_put16(st + 16, p->num);
	st[18] = p->state;
	if (!dump_area_ok(uv, area, sizeof(st) + SE_GCM_TAG) ||
	    dump_seal(uv, c, area, st, sizeof(st)))
		return 0x103; /* ccsim: the dump area cannot be written */
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_DUMP_CONF_STOR_STATE (pv.c kvm_s390_pv_dump_stor_state: "tweak
 * component values" of a 1 MB block, gaddr 1 MB aligned): per page, its
 * export counter and state, sealed; ccsim's 0x102 for a misaligned gaddr. */
uint16_t uv_dump_stor_state(struct uv *uv, const struct uv_caller *who, uint8_t *cb,
			    uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	uint64_t area = uv_be64(cb + DUMP_AREA), gaddr = uv_be64(cb + DUMP_STOR_GADDR);
	if (!c)
		return UVC_RC_INV_GHANDLE;
	if (!c->dumping)
		return UVC_RC_INV_STATE;
	if (gaddr % UV_MB)
		return 0x102;
	size_t n = uv->par.dump_stor_state_len - SE_GCM_TAG;
	uint8_t *st = g_malloc0(n);
	for (size_t i = 0; i < UV_MB / UV_PAGE && (i + 1) * 16 <= n; i++) {
		const struct uv_gpage *g = uv_gpage(c, gaddr + i * UV_PAGE, false);
		if (g) {
			uv_put64(st + i * 16, g->counter);
			st[i * 16 + 8] = g->state;
		}
	}
	uint16_t rc = dump_area_ok(uv, area, n + SE_GCM_TAG) && !dump_seal(uv, c, area, st, n)
			      ? UVC_RC_EXECUTED : 0x103;
	g_free(st);
	return rc;
}

/* UVC_CMD_DUMP_COMPLETE (pv.c kvm_s390_pv_dump_complete): the completion
 * data (in ccsim the export key, so that the owner can read the pages the
 * dump exported), sealed; the configuration runs again. */
uint16_t uv_dump_complete(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	uint64_t area = uv_be64(cb + DUMP_AREA);
	if (!c)
		return UVC_RC_INV_GHANDLE;
	if (!c->dumping)
		return UVC_RC_INV_STATE;
	if (!dump_area_ok(uv, area, sizeof(c->export_key) + SE_GCM_TAG) ||
	    dump_seal(uv, c, area, c->export_key, sizeof(c->export_key)))
		return 0x103;
	c->dumping = 0;
	return UVC_RC_EXECUTED;
}
