/* Secure storage: which host pages the UV owns, the access check the memory
 * path makes, converting guest pages to and from secure (import / export,
 * with integrity and replay protection), destroying them, and sharing.
 * Linux's side: arch/s390/kernel/uv.c (gmap_make_secure,
 * uv_convert_from_secure, uv_destroy_page, uv_pin_shared) and
 * arch/s390/mm/fault.c (the 0x3d / 0x3e / 0x3f handlers). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "models/monitor/uv/uv_internal.h"
#include "models/platform/port.h"

static gint cmp_u64(gconstpointer a, gconstpointer b, gpointer unused)
{
	(void)unused;
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Trees keyed by the uint64_t their values start with (gfn, pfn). */
GTree *uv_gtree_new(void)
{
	return g_tree_new_full(cmp_u64, NULL, NULL, g_free);
}

/* --- donated storage --- */

const struct uv_range *uv_range_at(const struct uv *uv, uint64_t pa)
{
	for (unsigned i = 0; i < UV_RANGES_MAX; i++) {
		const struct uv_range *r = &uv->ranges[i];
		if (r->len && pa >= r->base && pa - r->base < r->len)
			return r;
	}
	return NULL;
}

bool uv_range_overlaps(const struct uv *uv, uint64_t base, uint64_t len)
{
	for (unsigned i = 0; i < UV_RANGES_MAX; i++) {
		const struct uv_range *r = &uv->ranges[i];
		if (r->len && base < r->base + r->len && r->base < base + len)
			return true;
	}
	return false;
}

int uv_range_add(struct uv *uv, uint64_t base, uint64_t len, uint32_t owner)
{
	for (unsigned i = 0; i < UV_RANGES_MAX; i++)
		if (!uv->ranges[i].len) {
			uv->ranges[i] = (struct uv_range){ base, len, owner };
			return 0;
		}
	return -ENOSPC;
}

void uv_range_release(struct uv *uv, uint32_t owner)
{
	for (unsigned i = 0; i < UV_RANGES_MAX; i++) {
		struct uv_range *r = &uv->ranges[i];
		if (r->len && r->owner == owner) {
			/* cleared before the host gets it back (uv-host.c test_clear) */
			if (uv_mem_zero(uv, r->base, r->len)) {
				/* inside memory when donated: cannot fail */
			}
			memset(r, 0, sizeof(*r));
		}
	}
}

/* --- secure pages --- */

struct uv_hpage *uv_hpage(const struct uv *uv, uint64_t pa)
{
	uint64_t pfn = pa / UV_PAGE;
	return g_tree_lookup(uv->hpages, &pfn);
}

struct uv_gpage *uv_gpage(struct uv_conf *c, uint64_t gaddr, bool create)
{
	uint64_t gfn = gaddr / UV_PAGE;
	struct uv_gpage *g = g_tree_lookup(c->gpages, &gfn);
	if (!g && create) {
		g = g_new0(struct uv_gpage, 1);
		g->gfn = gfn;
		g_tree_insert(c->gpages, &g->gfn, g);
	}
	return g;
}

void uv_make_secure(struct uv *uv, struct uv_conf *c, uint64_t hpa, uint64_t gaddr)
{
	struct uv_hpage *h = g_new0(struct uv_hpage, 1);
	h->pfn = hpa / UV_PAGE;
	h->conf = uv_conf_index_id(uv, c);
	h->gfn = gaddr / UV_PAGE;
	g_tree_insert(uv->hpages, &h->pfn, h);
	struct uv_gpage *g = uv_gpage(c, gaddr, true);
	g->state = UV_G_SECURE;
	g->hpfn = h->pfn;
}

void uv_forget_hpage(struct uv *uv, uint64_t pa)
{
	uint64_t pfn = pa / UV_PAGE;
	g_tree_remove(uv->hpages, &pfn);
}

struct release_ctx {
	struct uv *uv;
	uint32_t conf;
	GArray *pfns;
};

static gboolean collect(gpointer k, gpointer v, gpointer data)
{
	(void)k;
	struct release_ctx *r = data;
	const struct uv_hpage *h = v;
	if (h->conf == r->conf)
		g_array_append_val(r->pfns, h->pfn);
	return FALSE;
}

void uv_conf_release_pages(struct uv *uv, struct uv_conf *c)
{
	struct release_ctx r = { uv, uv_conf_index_id(uv, c), g_array_new(FALSE, FALSE, sizeof(uint64_t)) };
	g_tree_foreach(uv->hpages, collect, &r);
	for (guint i = 0; i < r.pfns->len; i++) {
		uint64_t pa = g_array_index(r.pfns, uint64_t, i) * UV_PAGE;
		if (uv_mem_zero(uv, pa, UV_PAGE)) {
			/* a secure page lies in memory: cannot fail */
		}
		uv_forget_hpage(uv, pa);
	}
	g_array_free(r.pfns, TRUE);
	g_tree_remove_all(c->gpages);
}

/* --- the access check (arch/s390/mm/fault.c) --- */

static int pgm(struct uv *uv, const struct mem_access *a, struct cc_fault *f, uint16_t kind,
	       uint8_t code)
{
	f->kind = kind;
	f->code = code;
	f->level = 0;
	f->to_el3 = 0;
	f->addr = a->pa;
	uv->stat_faults++;
	return 1;
}

int uv_access_check(struct uv *uv, const struct mem_access *a, struct cc_fault *f)
{
	if (a->world == WORLD_ROOT)
		return 0; /* the UV's own access */
	const struct uv_hpage *h = uv_hpage(uv, a->pa);
	bool donated = !h && uv_range_at(uv, a->pa) != NULL;
	bool secure_guest = a->guest && a->asid >= 1 && a->asid <= UV_CONF_MAX &&
			    uv->conf[a->asid - 1].handle;
	if (!secure_guest) {
		/* the host (or a non-secure guest, or a device) touching secure
		 * storage: 0x3d, secure storage access exception, which the
		 * host answers by exporting the page (do_secure_storage_access) */
		if (donated || (h && !h->shared))
			return pgm(uv, a, f, FAULT_PGM_SECURE_ACCESS, 0x3d);
		return 0;
	}
	/* a secure guest: its own secure (or shared) page at the guest
	 * address it was made secure for; a page that is not secure is
	 * 0x3e, non-secure storage access, on which the host imports it
	 * (do_non_secure_storage_access); donated storage, another
	 * configuration's page or the page of another guest address is 0x3f,
	 * secure storage violation ("either KVM messed up the secure guest
	 * mapping or the same page is mapped into multiple secure guests",
	 * do_secure_storage_violation) */
	if (donated || (h && (h->conf != a->asid || h->gfn != a->gpa / UV_PAGE)))
		return pgm(uv, a, f, FAULT_PGM_SECURE_VIOLATION, 0x3f);
	if (!h)
		return pgm(uv, a, f, FAULT_PGM_NONSECURE_ACCESS, 0x3e);
	return 0;
}

/* --- conversion --- */

/* The export IV: the guest frame and the export's counter. */
static void export_iv(const struct uv_gpage *g, uint8_t iv[SE_GCM_IV])
{
	uv_put64(iv, g->gfn);
	uv_put32(iv + 8, (uint32_t)g->counter);
}

/* Is host page hpa free for configuration c's gaddr? 0, or the rc. */
static uint16_t page_free_for(struct uv *uv, struct uv_conf *c, uint64_t hpa, uint64_t gaddr)
{
	const struct uv_hpage *h = uv_hpage(uv, hpa);
	const struct uv_gpage *g = uv_gpage(c, gaddr, false);
	if (uv_range_at(uv, hpa) || (h && (h->conf != uv_conf_index_id(uv, c) ||
					   h->gfn != gaddr / UV_PAGE)))
		return UV_RC_PAGE_TAKEN;
	if (g && g->state == UV_G_SECURE && g->hpfn != hpa / UV_PAGE)
		return UV_RC_GADDR_ELSEWHERE;
	return 0;
}

/* Where a guest address is, for a call naming (handle, gaddr). */
static uint16_t guest_page(struct uv *uv, const uint8_t *cb, struct uv_conf **c, uint64_t *gaddr,
			   uint64_t *hpa)
{
	*c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	*gaddr = uv_be64(cb + CTS_GADDR) & ~(UV_PAGE - 1);
	if (!*c)
		return UVC_RC_INV_GHANDLE;
	if (uv_translate(uv, *c, *gaddr, hpa))
		return UV_RC_NOT_MAPPED; /* make_folio_secure: rc 0x10a, -ENXIO */
	*hpa &= ~(UV_PAGE - 1);
	return 0;
}

/* UVC_CMD_CONV_TO_SEC_STOR, import (arch/s390/kernel/uv.c gmap_make_secure:
 * "If it's brought in the first time, it will be cleared. If it has been
 * exported before, it will be decrypted and integrity checked."): the
 * page's export counter and integrity value in the UV's table decide;
 * another copy than the last export fails the check, and the page stays
 * non-secure (ccsim: rc 0x10b). */
uint16_t uv_conv_to_sec(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c;
	uint64_t gaddr, hpa;
	uint16_t rc = guest_page(uv, cb, &c, &gaddr, &hpa);
	if (rc || (rc = page_free_for(uv, c, hpa, gaddr)) != 0)
		return rc;
	struct uv_gpage *g = uv_gpage(c, gaddr, false);
	if (g && g->state == UV_G_SECURE)
		return UVC_RC_EXECUTED; /* already secure here */
	if (g && g->state == UV_G_DESTROYED) {
		uv->stat_import_refused++;
		return UV_RC_IMPORT_REFUSED; /* ccsim: its content was destroyed */
	}
	uint8_t page[UV_PAGE];
	if (!g) {
		memset(page, 0, sizeof(page));
	} else {
		uint8_t iv[SE_GCM_IV], tag[SE_GCM_TAG];
		export_iv(g, iv);
		memcpy(tag, g->tag, sizeof(tag));
		uv_pages_work(uv, 1);
		if (uv_mem(uv, hpa, page, UV_PAGE, false) ||
		    se_gcm(false, c->export_key, iv, NULL, 0, page, UV_PAGE, page, tag)) {
			uv->stat_import_refused++;
			return UV_RC_IMPORT_REFUSED;
		}
	}
	if (uv_mem(uv, hpa, page, UV_PAGE, true))
		return UV_RC_NOT_MAPPED;
	uv_make_secure(uv, c, hpa, gaddr);
	uv->stat_imports++;
	return UVC_RC_EXECUTED;
}

/* The secure guest page at host address paddr, or the rc of a call on a
 * page that is not one (donated storage: ccsim's 0x106). */
static uint16_t secure_page(struct uv *uv, const uint8_t *cb, unsigned off, struct uv_hpage **h)
{
	uint64_t pa = uv_be64(cb + off) & ~(UV_PAGE - 1);
	*h = uv_hpage(uv, pa);
	if (uv_range_at(uv, pa))
		return UV_RC_NOT_GUEST_PAGE;
	return 0;
}

/* UVC_CMD_CONV_FROM_SEC_STOR, export (uv.c uv_convert_from_secure: "encrypt
 * a guest page and make it accessible to the host for paging"): AES-GCM
 * under the configuration's key with the guest frame and a new counter as
 * IV; the tag and counter stay in the UV's table. A page that is not
 * secure: nothing to do (uv.c arch_make_page_accessible: "the UV calls will
 * become a no-op if the page is already exported"). */
uint16_t uv_conv_from_sec(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_hpage *h;
	uint16_t rc = secure_page(uv, cb, CFS_PADDR, &h);
	if (rc || !h)
		return rc ? rc : UVC_RC_EXECUTED;
	struct uv_conf *c = &uv->conf[h->conf - 1];
	struct uv_gpage *g = uv_gpage(c, h->gfn * UV_PAGE, true);
	uint64_t pa = h->pfn * UV_PAGE;
	uint8_t page[UV_PAGE], iv[SE_GCM_IV];
	if (uv_mem(uv, pa, page, UV_PAGE, false))
		return UV_RC_NOT_GUEST_PAGE;
	g->counter++;
	export_iv(g, iv);
	uv_pages_work(uv, 1);
	if (se_gcm(true, c->export_key, iv, NULL, 0, page, UV_PAGE, page, g->tag) ||
	    uv_mem(uv, pa, page, UV_PAGE, true))
		return UV_RC_NOT_GUEST_PAGE;
	g->state = UV_G_EXPORTED;
	uv_forget_hpage(uv, pa);
	uv->stat_exports++;
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_DESTR_SEC_STOR (uv.c uv_destroy_page: "destroy a guest page and
 * make it accessible to the host. The destroy clears the page instead of
 * exporting"; a page that is not secure: a no-op, as newer firmware does).
 * The guest page's content is gone: ccsim refuses to import it again. */
uint16_t uv_destr_sec(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_hpage *h;
	uint16_t rc = secure_page(uv, cb, CFS_PADDR, &h);
	if (rc || !h)
		return rc ? rc : UVC_RC_EXECUTED;
	uint64_t pa = h->pfn * UV_PAGE;
	struct uv_gpage *g = uv_gpage(&uv->conf[h->conf - 1], h->gfn * UV_PAGE, true);
	if (uv_mem_zero(uv, pa, UV_PAGE))
		return UV_RC_NOT_GUEST_PAGE;
	g->state = UV_G_DESTROYED;
	uv_forget_hpage(uv, pa);
	return UVC_RC_EXECUTED;
}

/* --- sharing (the guest's calls, uv.h uv_set_shared / uv_remove_shared) --- */

/* The caller's own secure page at guest address paddr: 0x101 "invalid
 * memory" beyond its storage (kvm-unit-tests uv-guest.c test_sharing);
 * ccsim's 0x102 for a page that is not secure now. */
static uint16_t own_page(struct uv *uv, const struct uv_caller *who, const uint8_t *cb,
			 struct uv_hpage **h)
{
	struct uv_conf *c = &uv->conf[who->conf - 1];
	uint64_t gaddr = uv_be64(cb + SHARE_PADDR) & ~(UV_PAGE - 1), hpa;
	if (gaddr >= c->stor_len || uv_translate(uv, c, gaddr, &hpa))
		return 0x101;
	const struct uv_gpage *g = uv_gpage(c, gaddr, false);
	*h = g && g->state == UV_G_SECURE ? uv_hpage(uv, g->hpfn * UV_PAGE) : NULL;
	return *h ? 0 : 0x102;
}

uint16_t uv_set_shared(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)rrc;
	struct uv_hpage *h;
	uint16_t rc = own_page(uv, who, cb, &h);
	if (rc)
		return rc;
	uv->stat_shared += !h->shared;
	h->shared = 1;
	return UVC_RC_EXECUTED;
}

/* A pinned page stays shared: the unshare is the host's to handle
 * (uv.c uv_pin_shared; ccsim answers 0x103). */
uint16_t uv_remove_shared(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)rrc;
	struct uv_hpage *h;
	uint16_t rc = own_page(uv, who, cb, &h);
	if (rc || h->pinned)
		return rc ? rc : 0x103;
	h->shared = 0;
	return UVC_RC_EXECUTED;
}

struct unshare_ctx {
	uint32_t conf;
};

static gboolean unshare_page(gpointer k, gpointer v, gpointer data)
{
	(void)k;
	struct uv_hpage *h = v;
	if (h->conf == ((struct unshare_ctx *)data)->conf)
		h->shared = h->pinned = 0;
	return FALSE;
}

/* UVC_CMD_SET_UNSHARE_ALL (QEMU s390_pv_unshare before a reset): every
 * page of the configuration secure again. */
uint16_t uv_unshare_all(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c = uv_conf_of(uv, uv_be64(cb + CB_HANDLE));
	if (!c)
		return UVC_RC_INV_GHANDLE;
	struct unshare_ctx u = { uv_conf_index_id(uv, c) };
	g_tree_foreach(uv->hpages, unshare_page, &u);
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_PIN_PAGE_SHARED (uv.c uv_pin_shared: "pin the page in the shared
 * state. This will cause an intercept when the guest attempts to unshare
 * the pinned page"): only a shared page (ccsim: 0x102 otherwise, so that
 * arch_make_page_accessible falls back to an export). */
uint16_t uv_pin_shared(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_hpage *h;
	uint16_t rc = secure_page(uv, cb, CFS_PADDR, &h);
	if (rc || !h || !h->shared)
		return rc ? rc : 0x102;
	h->pinned = 1;
	return UVC_RC_EXECUTED;
}

/* UVC_CMD_UNPIN_PAGE_SHARED (uv_cb_cts: handle and guest address). */
uint16_t uv_unpin_shared(struct uv *uv, const struct uv_caller *who, uint8_t *cb, uint16_t *rrc)
{
	(void)who;
	(void)rrc;
	struct uv_conf *c;
	uint64_t gaddr, hpa;
	uint16_t rc = guest_page(uv, cb, &c, &gaddr, &hpa);
	if (rc)
		return rc;
	struct uv_hpage *h = uv_hpage(uv, hpa);
	if (h && h->conf == uv_conf_index_id(uv, c))
		h->pinned = 0;
	return UVC_RC_EXECUTED;
}

/* --- invariants (machine_inv.c asks after every step) --- */

struct inv_ctx {
	struct uv *uv;
	uint32_t conf;
	char *msg;
	size_t len;
	int bad;
};

/* A secure frame belongs to a live configuration whose record of the guest
 * page points back at it, and is no donated storage. */
static gboolean inv_hpage(gpointer k, gpointer v, gpointer data)
{
	(void)k;
	struct inv_ctx *x = data;
	const struct uv_hpage *h = v;
	struct uv_conf *c = h->conf >= 1 && h->conf <= UV_CONF_MAX ? &x->uv->conf[h->conf - 1] : NULL;
	const struct uv_gpage *g = c && c->handle ? uv_gpage(c, h->gfn * UV_PAGE, false) : NULL;
	if (!g || g->state != UV_G_SECURE || g->hpfn != h->pfn || uv_range_at(x->uv, h->pfn * UV_PAGE)) {
		snprintf(x->msg, x->len, "uv: secure page %#llx (configuration %u, guest %#llx) is not "
			 "what its configuration records, or is donated storage",
			 (unsigned long long)(h->pfn * UV_PAGE), h->conf,
			 (unsigned long long)(h->gfn * UV_PAGE));
		x->bad = 1;
	}
	return x->bad;
}

/* A guest page a configuration holds secure is that host frame's. */
static gboolean inv_gpage(gpointer k, gpointer v, gpointer data)
{
	(void)k;
	struct inv_ctx *x = data;
	const struct uv_gpage *g = v;
	const struct uv_hpage *h = g->state == UV_G_SECURE ? uv_hpage(x->uv, g->hpfn * UV_PAGE) : NULL;
	if (g->state == UV_G_SECURE && (!h || h->conf != x->conf || h->gfn != g->gfn)) {
		snprintf(x->msg, x->len, "uv: configuration %u's guest page %#llx is secure at %#llx, "
			 "which the ultravisor does not hold for it", x->conf,
			 (unsigned long long)(g->gfn * UV_PAGE), (unsigned long long)(g->hpfn * UV_PAGE));
		x->bad = 1;
	}
	return x->bad;
}

int uv_inv_check(struct uv *uv, char *msg, size_t len)
{
	struct inv_ctx x = { uv, 0, msg, len, 0 };
	g_tree_foreach(uv->hpages, inv_hpage, &x);
	for (unsigned i = 0; i < UV_CONF_MAX && !x.bad; i++) {
		x.conf = i + 1;
		if (uv->conf[i].handle)
			g_tree_foreach(uv->conf[i].gpages, inv_gpage, &x);
	}
	return x.bad;
}
