/* SEV-SNP page swap commands; see snp_swap.h. The checks follow AMD's
 * firmware (AMD-ASPFW sev_mcmd.c snp_mcmd_swap_out, snp_mcmd_swap_in,
 * snp_mcmd_md_init, snp_mcmd_page_reclaim) in its order; what ccsim does
 * not model says so where it matters. */
#include "models/monitor/snp/snp_swap.h"

#include <string.h>

#include "models/monitor/uv/se_crypto.h"
#include "sim/buf.h"

#define PAGE 0x1000ull
#define OEK_LABEL "ccsim/snp/oek"

enum snp_page_state snp_page_state_of(const struct rmp_entry *e)
{
	if (!e->assigned)
		return e->asid == 0 && !e->validated ? SNP_PS_HYPERVISOR : SNP_PS_OTHER;
	if (e->asid == 0) {
		if (e->validated)
			return SNP_PS_OTHER;
		if (!e->immutable)
			return SNP_PS_RECLAIM;
		/* sev_rmp.c: a firmware page naming a guest context in RMP.GPA
		 * is that guest's metadata page (AMD's firmware also tags the
		 * GPA field's upper bits; ccsim's firmware pages have GPA 0) */
		return e->gpa ? SNP_PS_METADATA : SNP_PS_FIRMWARE;
	}
	if (e->immutable)
		return e->validated ? SNP_PS_PRE_SWAP : SNP_PS_PRE_GUEST;
	return e->validated ? SNP_PS_GUEST_VALID : SNP_PS_GUEST_INVALID;
}

/* ---- the metadata entry ---- */

struct mdata {
	uint64_t software_data, iv, entry;
	uint8_t tag[SE_GCM_TAG];
	uint8_t vmpl[RMP_VMPLS];
};

static void mdata_encode(const struct mdata *m, uint8_t b[SNP_MDATA_LEN])
{
	memset(b, 0, SNP_MDATA_LEN);
	sim_le64_store(b + SNP_MDATA_SOFTWARE, m->software_data);
	sim_le64_store(b + SNP_MDATA_IV, m->iv);
	memcpy(b + SNP_MDATA_TAG, m->tag, SE_GCM_TAG);
	sim_le64_store(b + SNP_MDATA_ENTRY, m->entry);
	memcpy(b + SNP_MDATA_VMPL, m->vmpl, RMP_VMPLS);
}

static void mdata_decode(const uint8_t b[SNP_MDATA_LEN], struct mdata *m)
{
	m->software_data = sim_le64_load(b + SNP_MDATA_SOFTWARE);
	m->iv = sim_le64_load(b + SNP_MDATA_IV);
	memcpy(m->tag, b + SNP_MDATA_TAG, SE_GCM_TAG);
	m->entry = sim_le64_load(b + SNP_MDATA_ENTRY);
	memcpy(m->vmpl, b + SNP_MDATA_VMPL, RMP_VMPLS);
}

/* An entry in a metadata page is read and written unencrypted (AMD-ASPFW
 * sev_hal.c: "SNP SwapIO Metadata page are unencrypted"): the hypervisor
 * may read it but, the page being the firmware's, never write it. The root
 * entry lives in the context page, under the firmware's key. */
static int mdata_io(struct snp_fw *fw, uint64_t gctx_pa, uint64_t mdata_pa, bool root,
		    uint8_t b[SNP_MDATA_LEN], bool write)
{
	if (root)
		return write ? fw->ctx.write(fw->ctx.ctx, gctx_pa + SNP_GCTX_ROOT_MD, b, SNP_MDATA_LEN)
			     : fw->ctx.read(fw->ctx.ctx, gctx_pa + SNP_GCTX_ROOT_MD, b, SNP_MDATA_LEN);
	if (fw->mem_key)
		fw->mem_key(fw->mem_key_ctx, 0);
	return write ? fw->mem.write(fw->mem.ctx, mdata_pa, b, SNP_MDATA_LEN)
		     : fw->mem.read(fw->mem.ctx, mdata_pa, b, SNP_MDATA_LEN);
}

/* ---- page contents through a key ---- */

static int page_io(struct snp_fw *fw, uint32_t asid, uint64_t pa, uint8_t *buf, bool write)
{
	if (fw->mem_key)
		fw->mem_key(fw->mem_key_ctx, asid);
	int rc = write ? fw->mem.write(fw->mem.ctx, pa, buf, PAGE) : fw->mem.read(fw->mem.ctx, pa, buf, PAGE);
	if (fw->mem_key)
		fw->mem_key(fw->mem_key_ctx, 0);
	return rc;
}

/* The guest's offline encryption key. AMD's firmware draws it at launch
 * (gctx->guest.oek); ccsim derives it from the run's seed and the context
 * page, so that runs repeat. */
static void oek_of(const struct snp_fw *fw, uint64_t gctx_pa, uint8_t key[SE_GCM_KEY])
{
	uint8_t d[64];
	snp_seed_derive(OEK_LABEL, fw->seed, gctx_pa, d);
	memcpy(key, d, SE_GCM_KEY);
}

/* AES-256-GCM with no AAD and the 8-byte IV counter as the IV (sev_mcmd.c:
 * aes256gcm_authenticated_*crypt_x86addr(oek, NULL, 0, ..., &iv, 8, tag));
 * ccsim's GCM takes 96 bits, the counter little-endian, then zeros. */
static int oek_crypt(const struct snp_fw *fw, uint64_t gctx_pa, bool encrypt, uint64_t iv,
		     uint8_t *page, uint8_t tag[SE_GCM_TAG])
{
	uint8_t key[SE_GCM_KEY], nonce[SE_GCM_IV] = { 0 };
	oek_of(fw, gctx_pa, key);
	sim_le64_store(nonce, iv);
	return se_gcm(encrypt, key, nonce, NULL, 0, page, PAGE, page, tag);
}

/* ---- shared checks ---- */

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static enum snp_status read_state(struct snp_fw *fw, uint64_t pa, struct rmp_entry *e,
				  enum snp_page_state *st)
{
	struct rmp_lookup l = rmp_lookup(&fw->cfg.rmp, &fw->rmp, pa);
	if (l.err)
		return SNP_INVALID_ADDRESS;
	*e = l.entry;
	*st = snp_page_state_of(e);
	return SNP_SUCCESS;
}

/* The guest must be launching or running, and active. */
static enum snp_status guest_ready(struct snp_fw *fw, const struct snp_guest *g)
{
	struct snp_gctx ctx;
	if (snp_gctx_read(fw, g->gctx_pa, &ctx))
		return SNP_HWERROR_PLATFORM;
	if (ctx.state != SNP_GSTATE_LAUNCH && ctx.state != SNP_GSTATE_RUNNING)
		return SNP_INVALID_GUEST_STATE;
	return g->asid ? SNP_SUCCESS : SNP_INACTIVE;
}

/* The guest and the two pages a swap command names, as the RMP has them. */
struct swap_pages {
	const struct snp_guest *g;
	struct rmp_entry src, dst;
	enum snp_page_state s_st, d_st;
};

/* What both commands check first: the platform, the addresses, the guest
 * context and (not ROOT_MDATA_EN) the metadata entry's page; the source's
 * and destination's RMP entries into *p; the guest's state. (AMD's
 * swap-out compares PAGE_SIZE with the RMP before the guest's state; a
 * command wrong in both gets the other status here.) */
static enum snp_status swap_common(struct snp_fw *fw, uint64_t gctx, uint64_t src, uint64_t dst,
				   uint64_t mdata, bool root, struct swap_pages *p)
{
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	if ((gctx | src | dst) & (PAGE - 1))
		return SNP_INVALID_PARAM;
	p->g = snp_guest_find(fw, gctx);
	if (!p->g)
		return SNP_INVALID_GUEST;
	if (!root) {
		struct rmp_entry e;
		enum snp_page_state st;
		if (mdata % SNP_MDATA_LEN)
			return SNP_INVALID_PARAM;
		if (read_state(fw, mdata, &e, &st))
			return SNP_INVALID_ADDRESS;
		if (overlaps(mdata, SNP_MDATA_LEN, src, PAGE) || overlaps(mdata, SNP_MDATA_LEN, dst, PAGE))
			return SNP_INVALID_PARAM;
		if (st != SNP_PS_METADATA)
			return SNP_INVALID_PAGE_STATE;
		if (e.gpa != gctx)
			return SNP_INVALID_PAGE_OWNER;
	}
	if (read_state(fw, src, &p->src, &p->s_st) || read_state(fw, dst, &p->dst, &p->d_st))
		return SNP_INVALID_ADDRESS;
	return guest_ready(fw, p->g);
}

static int rmp_put(struct snp_fw *fw, uint64_t pa, const struct rmp_entry *e)
{
	return rmp_entry_write(&fw->cfg.rmp, &fw->rmp, pa, e);
}

/* ---- the commands ---- */

enum snp_status snp_page_md_init(struct snp_fw *fw, uint64_t gctx_pa, uint64_t page_pa)
{
	static const uint8_t zeros[PAGE];
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	if ((gctx_pa | page_pa) & (PAGE - 1))
		return SNP_INVALID_PARAM;
	struct rmp_entry e;
	enum snp_page_state st;
	if (read_state(fw, page_pa, &e, &st))
		return SNP_INVALID_ADDRESS;
	const struct snp_guest *g = snp_guest_find(fw, gctx_pa);
	if (!g)
		return SNP_INVALID_GUEST;
	if (st != SNP_PS_FIRMWARE || e.size_2m)
		return SNP_INVALID_PAGE_STATE;
	struct snp_gctx ctx;
	if (snp_gctx_read(fw, gctx_pa, &ctx))
		return SNP_HWERROR_PLATFORM;
	if (ctx.state != SNP_GSTATE_LAUNCH && ctx.state != SNP_GSTATE_RUNNING)
		return SNP_INVALID_GUEST_STATE;
	/* "The firmware zeroes the page", then Firmware -> Metadata */
	if (fw->mem_key)
		fw->mem_key(fw->mem_key_ctx, 0);
	if (fw->mem.write(fw->mem.ctx, page_pa, zeros, PAGE))
		return SNP_HWERROR_PLATFORM;
	e.gpa = gctx_pa;
	return rmp_put(fw, page_pa, &e) ? SNP_HWERROR_PLATFORM : SNP_SUCCESS;
}

/* The source page of a swap-out, by PAGE_TYPE: its entry's fields, or a
 * status. */
static enum snp_status swap_out_source(const struct snp_swap_out *in, const struct snp_guest *g,
				       const struct rmp_entry *src, enum snp_page_state s_st,
				       enum snp_page_state d_st, struct mdata *m)
{
	bool dst_ok = d_st == SNP_PS_FIRMWARE;
	switch (in->page_type) {
	case SNP_SWAP_DATA:
	case SNP_SWAP_VMSA:
		if ((s_st != SNP_PS_PRE_SWAP && s_st != SNP_PS_PRE_GUEST) || !dst_ok)
			return SNP_INVALID_PAGE_STATE;
		if (src->asid != g->asid)
			return SNP_INVALID_PAGE_OWNER;
		m->entry = (src->gpa & ~(PAGE - 1)) | (src->validated ? SNP_MDATA_VALIDATED : 0) |
			   (in->page_type == SNP_SWAP_VMSA ? SNP_MDATA_IS_VMSA : 0);
		memcpy(m->vmpl, src->vmpl_perm, RMP_VMPLS);
		return SNP_SUCCESS;
	case SNP_SWAP_METADATA:
		if (s_st != SNP_PS_METADATA || !dst_ok)
			return SNP_INVALID_PAGE_STATE;
		if (src->gpa != g->gctx_pa)
			return SNP_INVALID_PAGE_OWNER;
		m->entry = SNP_MDATA_IS_METADATA;
		return SNP_SUCCESS;
	default:
		return SNP_INVALID_PAGE_STATE;
	}
}

enum snp_status snp_page_swap_out(struct snp_fw *fw, const struct snp_swap_out *in)
{
	struct swap_pages p;
	enum snp_status s = swap_common(fw, in->gctx_pa, in->src_pa, in->dst_pa, in->mdata_pa,
					in->root_mdata, &p);
	if (s != SNP_SUCCESS)
		return s;
	const struct snp_guest *g = p.g;
	struct rmp_entry src = p.src, dst = p.dst;
	/* PAGE_SIZE must be the RMP's; ccsim swaps 4 KB pages only */
	if (in->size_2m != src.size_2m || src.size_2m || dst.size_2m)
		return SNP_INVALID_PAGE_SIZE;
	struct mdata m = { .software_data = in->software_data };
	if ((s = swap_out_source(in, g, &src, p.s_st, p.d_st, &m)) != SNP_SUCCESS)
		return s;
	m.entry |= SNP_MDATA_VALID;
	/* the next IV, never reused: each copy gets its own */
	uint8_t ivb[8], page[PAGE];
	if (fw->ctx.read(fw->ctx.ctx, in->gctx_pa + SNP_GCTX_SWAP_IV, ivb, 8))
		return SNP_HWERROR_PLATFORM;
	m.iv = sim_le64_load(ivb);
	if (m.iv == UINT64_MAX - 1)
		return SNP_RESOURCE_LIMIT; /* AMD: SEV_STATUS_AEAD_OFLOW */
	sim_le64_store(ivb, m.iv + 1);
	/* the guest's plaintext (metadata pages are unencrypted), wrapped
	 * under the OEK, written where the hypervisor reads it (ASID 0) */
	uint32_t key = in->page_type == SNP_SWAP_METADATA ? 0 : g->asid;
	if (page_io(fw, key, in->src_pa, page, false) || oek_crypt(fw, in->gctx_pa, true, m.iv, page, m.tag) ||
	    page_io(fw, 0, in->dst_pa, page, true) ||
	    fw->ctx.write(fw->ctx.ctx, in->gctx_pa + SNP_GCTX_SWAP_IV, ivb, 8))
		return SNP_HWERROR_PLATFORM;
	/* Pre-Swap / Pre-Guest -> Pre-Guest; Metadata -> Firmware */
	if (in->page_type == SNP_SWAP_METADATA) {
		src.gpa = 0;
		src.vmsa = false;
	} else {
		src.validated = false;
	}
	uint8_t b[SNP_MDATA_LEN];
	mdata_encode(&m, b);
	if (rmp_put(fw, in->src_pa, &src) ||
	    mdata_io(fw, in->gctx_pa, in->mdata_pa, in->root_mdata, b, true))
		return SNP_HWERROR_PLATFORM;
	return SNP_SUCCESS;
}

/* The destination of a swap-in, by the entry's page type. */
static enum snp_status swap_in_dest(const struct snp_swap_in *in, const struct snp_guest *g,
				    const struct rmp_entry *dst, enum snp_page_state s_st,
				    enum snp_page_state d_st)
{
	switch (in->page_type) {
	case SNP_SWAP_DATA:
		if (in->in_place && in->src_pa != in->dst_pa)
			return SNP_INVALID_ADDRESS;
		if (d_st != SNP_PS_PRE_GUEST || (in->in_place && s_st != SNP_PS_PRE_GUEST))
			return SNP_INVALID_PAGE_STATE;
		return dst->asid == g->asid ? SNP_SUCCESS : SNP_INVALID_PAGE_OWNER;
	case SNP_SWAP_METADATA:
		if (in->in_place)
			return SNP_INVALID_PARAM;
		return d_st == SNP_PS_FIRMWARE ? SNP_SUCCESS : SNP_INVALID_PAGE_STATE;
	case SNP_SWAP_VMSA:
		if (in->in_place)
			return SNP_INVALID_PARAM;
		if (d_st != SNP_PS_PRE_GUEST)
			return SNP_INVALID_PAGE_STATE;
		return dst->asid == g->asid ? SNP_SUCCESS : SNP_INVALID_PAGE_OWNER;
	default:
		return SNP_INVALID_PAGE_STATE;
	}
}

static unsigned entry_type(uint64_t entry)
{
	bool md = entry & SNP_MDATA_IS_METADATA, vmsa = entry & SNP_MDATA_IS_VMSA;
	return md && vmsa ? 3u : md ? SNP_SWAP_METADATA : vmsa ? SNP_SWAP_VMSA : SNP_SWAP_DATA;
}

enum snp_status snp_page_swap_in(struct snp_fw *fw, const struct snp_swap_in *in)
{
	struct swap_pages p;
	enum snp_status s = swap_common(fw, in->gctx_pa, in->src_pa, in->dst_pa, in->mdata_pa,
					in->root_mdata, &p);
	if (s != SNP_SUCCESS)
		return s;
	const struct snp_guest *g = p.g;
	struct rmp_entry dst = p.dst;
	uint8_t b[SNP_MDATA_LEN];
	struct mdata m;
	if (mdata_io(fw, in->gctx_pa, in->mdata_pa, in->root_mdata, b, false))
		return SNP_HWERROR_PLATFORM;
	mdata_decode(b, &m);
	/* the entry says what it swapped out; an entry already used (VALID
	 * clear) or of another type is refused */
	if (entry_type(m.entry) > SNP_SWAP_VMSA)
		return SNP_INVALID_MDATA_ENTRY;
	if (entry_type(m.entry) != in->page_type || !(m.entry & SNP_MDATA_VALID))
		return SNP_INVALID_MDATA_ENTRY;
	if (in->size_2m || dst.size_2m || (m.entry & SNP_MDATA_PAGE_2M))
		return SNP_INVALID_PAGE_SIZE;
	if ((s = swap_in_dest(in, g, &dst, p.s_st, p.d_st)) != SNP_SUCCESS)
		return s;
	/* the copy, decrypted with the entry's IV; the data is written only
	 * when the tag matches (ccp_direct_cipher.c: BAD_MEASUREMENT) */
	uint8_t page[PAGE];
	if (page_io(fw, 0, in->src_pa, page, false))
		return SNP_HWERROR_PLATFORM;
	if (oek_crypt(fw, in->gctx_pa, false, m.iv, page, m.tag))
		return SNP_BAD_MEASUREMENT;
	uint32_t key = in->page_type == SNP_SWAP_METADATA ? 0 : g->asid;
	if (page_io(fw, key, in->dst_pa, page, true))
		return SNP_HWERROR_PLATFORM;
	m.entry &= ~SNP_MDATA_VALID;
	if (in->page_type == SNP_SWAP_METADATA) {
		dst.gpa = in->gctx_pa; /* Firmware -> Metadata */
	} else {
		/* the GPA, VMSA bit and VMPL masks of the entry; Validated as it
		 * was: Pre-Guest -> Pre-Swap */
		dst.gpa = m.entry & RMP_LO_GPA_MASK;
		dst.vmsa = in->page_type == SNP_SWAP_VMSA;
		memcpy(dst.vmpl_perm, m.vmpl, RMP_VMPLS);
		dst.validated = m.entry & SNP_MDATA_VALIDATED;
	}
	mdata_encode(&m, b);
	if (rmp_put(fw, in->dst_pa, &dst) || mdata_io(fw, in->gctx_pa, in->mdata_pa, in->root_mdata, b, true))
		return SNP_HWERROR_PLATFORM;
	return SNP_SUCCESS;
}

enum snp_status snp_page_reclaim(struct snp_fw *fw, uint64_t page_pa)
{
	if (fw->state != SNP_PLATFORM_INIT)
		return SNP_INVALID_PLATFORM_STATE;
	if (page_pa & (PAGE - 1))
		return SNP_INVALID_ADDRESS;
	struct rmp_entry e;
	enum snp_page_state st;
	if (read_state(fw, page_pa, &e, &st))
		return SNP_INVALID_ADDRESS;
	if (e.size_2m)
		return SNP_INVALID_PAGE_SIZE;
	if (!e.immutable)
		return SNP_SUCCESS; /* "Return success if the immutable bit is already 0" */
	/* a guest context page is SNP_DECOMMISSION's to release */
	if (st == SNP_PS_FIRMWARE && snp_guest_find(fw, page_pa))
		return SNP_INVALID_PAGE_STATE;
	switch (st) {
	case SNP_PS_METADATA:
		e.gpa = 0;
		/* fall through */
	case SNP_PS_FIRMWARE:
	case SNP_PS_PRE_GUEST:
	case SNP_PS_PRE_SWAP:
		e.immutable = false;
		return rmp_put(fw, page_pa, &e) ? SNP_HWERROR_PLATFORM : SNP_SUCCESS;
	default:
		return SNP_INVALID_PAGE_STATE;
	}
}
