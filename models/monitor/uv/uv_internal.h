/* The ultravisor's state and the helpers its files share: uv.c (the model,
 * dispatch, checkpoints), uv_conf.c (initialisation, configurations and
 * CPUs), uv_stor.c (secure storage: conversion, export / import, sharing,
 * the access check), uv_boot.c (the SE header, unpack, verify, attestation,
 * dump). */
#ifndef CCSIM_MODELS_MONITOR_UV_UV_INTERNAL_H
#define CCSIM_MODELS_MONITOR_UV_UV_INTERNAL_H

#include <glib.h>

#include "models/monitor/uv/se_image.h"
#include "models/monitor/uv/uv.h"

#define UV_CONF_MAX 8
#define UV_CPU_MAX 16
#define UV_PAGE 4096ull
#define UV_MB (1ull << 20)
#define UV_LOWCORE 0x2000ull      /* the prefix area a CPU's lowcore occupies (8 KiB) */
#define UV_2G (1ull << 31)        /* donated base storage lies above (kvm-unit-tests test_init) */

/* The UV's parameters: what QUI reports, from the profile (uv.*). */
struct uv_params {
	uint64_t base_stor_len, conf_base_phys_len, conf_base_virt_len, conf_virt_var_len;
	uint64_t cpu_stor_len, max_guest_stor_addr, dump_stor_state_len, dump_finalize_len;
	uint32_t max_confs, max_cpu_id;
	uint64_t call_cycles, page_cycles;
	uint64_t mem_top;
};

enum uv_conf_state { UV_CONF_FREE = 0, UV_CONF_CREATED, UV_CONF_HDR_SET, UV_CONF_VERIFIED };

/* A guest page of a configuration, by guest frame: where it is secure, or
 * its last export's counter and integrity value. */
enum uv_gpage_state { UV_G_SECURE = 1, UV_G_EXPORTED, UV_G_DESTROYED };
struct uv_gpage {
	uint64_t gfn;
	uint64_t hpfn;        /* UV_G_SECURE: the host frame */
	uint8_t state;
	uint64_t counter;     /* exports of this page so far */
	uint8_t tag[SE_GCM_TAG];
};

/* A secure host frame. */
struct uv_hpage {
	uint64_t pfn;
	uint32_t conf;
	uint64_t gfn;
	uint8_t shared, pinned;
};

/* Donated storage: the UV's (owner 0), a configuration's (1..) or a CPU's
 * (UV_OWNER_CPU + index). */
#define UV_OWNER_CPU 0x100u
struct uv_range {
	uint64_t base, len;
	uint32_t owner;
};
#define UV_RANGES_MAX (1 + 2 * UV_CONF_MAX + UV_CPU_MAX)

struct uv_conf {
	uint64_t handle;      /* 0: free */
	uint32_t state;       /* enum uv_conf_state */
	uint64_t base_origin, var_origin, var_len, stor_origin, stor_len, sca, asce;
	uint8_t cuid[16];
	struct se_hdr hdr;    /* set by SET_SEC_CONF_PARAMS */
	uint8_t export_key[SE_GCM_KEY];
	uint64_t unpacked;    /* pages unpacked */
	GByteArray *pld, *ald, *tld; /* what the digests are over, page by page */
	GTree *gpages;        /* gfn -> struct uv_gpage */
	uint32_t dumping;
	uint64_t dump_seq;
	uv_gmap_fn *gmap;     /* not saved */
	void *gmap_ctx;
};

struct uv_cpu {
	uint64_t handle;      /* 0: free */
	uint32_t conf;
	uint16_t num;
	uint8_t state;        /* enum uv_cpu_state; 0 after create (stopped, not loaded) */
	uint64_t stor_origin, state_origin;
	uint64_t psw_mask, psw_addr;
};

struct uv {
	struct sim_model base;
	struct machine *m;
	uint16_t src;
	struct uv_params par;
	struct se_key host_key;
	uint64_t seed;
	uint32_t initialized;
	uint64_t next_seq;    /* handles: seq << 8 | index */
	struct uv_conf conf[UV_CONF_MAX];
	struct uv_cpu cpu[UV_CPU_MAX];
	struct uv_range ranges[UV_RANGES_MAX];
	GTree *hpages;        /* pfn -> struct uv_hpage */
	/* the call being served */
	uint64_t t0, spent;
	uint64_t stat_calls, stat_errors, stat_exports, stat_imports, stat_import_refused;
	uint64_t stat_unpacked, stat_faults, stat_shared;
	uint64_t stat_sie, stat_validity; /* uv_sie.c */
};

/* A handler: cb is the control block (its length checked), rrc where the
 * reason code goes. Returns the rc. */
typedef uint16_t uv_handler_fn(struct uv *uv, const struct uv_caller *who, uint8_t *cb,
			       uint16_t *rrc);

/* uv_conf.c */
uv_handler_fn uv_qui, uv_query_keys, uv_init, uv_create_conf, uv_destroy_conf, uv_create_cpu,
	uv_destroy_cpu, uv_cpu_set_state, uv_cpu_reset, uv_prepare_reset;
/* uv_stor.c */
uv_handler_fn uv_conv_to_sec, uv_conv_from_sec, uv_destr_sec, uv_set_shared, uv_remove_shared,
	uv_unshare_all, uv_pin_shared, uv_unpin_shared;
/* uv_boot.c */
uv_handler_fn uv_set_sec_params, uv_unpack, uv_verify, uv_attest, uv_dump_init, uv_dump_cpu,
	uv_dump_stor_state, uv_dump_complete;

/* Lookups by handle: NULL if none. */
struct uv_conf *uv_conf_of(struct uv *uv, uint64_t handle);
struct uv_cpu *uv_cpu_of(struct uv *uv, uint64_t handle);
static inline uint32_t uv_conf_index_id(const struct uv *uv, const struct uv_conf *c)
{
	return (uint32_t)(c - uv->conf) + 1;
}
uint64_t uv_new_handle(struct uv *uv, unsigned index);

/* Memory the UV reads and writes (as Root world: past its own check,
 * coherent with the caches); its time counts toward the call. 0 or -EFAULT
 * (outside memory). */
int uv_mem(struct uv *uv, uint64_t pa, void *buf, size_t len, bool write);
int uv_mem_zero(struct uv *uv, uint64_t pa, uint64_t len);
/* Crypto work of n pages. */
static inline void uv_pages_work(struct uv *uv, uint64_t n)
{
	uv->spent += n * uv->par.page_cycles;
}
/* Guest memory the UV reads or writes for a guest (its calls, its CPU's
 * state), through the configuration's translation: 0 or -1. */
int uv_guest_mem(struct uv *uv, struct uv_conf *c, uint64_t gaddr, void *buf, size_t len,
		 bool write);
/* Guest absolute -> host absolute for a configuration: 0 or -1. */
int uv_translate(struct uv *uv, struct uv_conf *c, uint64_t gaddr, uint64_t *hpa);

/* Storage ownership (uv_stor.c). */
const struct uv_range *uv_range_at(const struct uv *uv, uint64_t pa);
bool uv_range_overlaps(const struct uv *uv, uint64_t base, uint64_t len);
int uv_range_add(struct uv *uv, uint64_t base, uint64_t len, uint32_t owner);
/* Give back (cleared) every range of an owner. */
void uv_range_release(struct uv *uv, uint32_t owner);
struct uv_hpage *uv_hpage(const struct uv *uv, uint64_t pa);
struct uv_gpage *uv_gpage(struct uv_conf *c, uint64_t gaddr, bool create);
/* Make host frame hpa secure for configuration c at gaddr. */
void uv_make_secure(struct uv *uv, struct uv_conf *c, uint64_t hpa, uint64_t gaddr);
/* Forget a secure frame (after it was cleared or exported). */
void uv_forget_hpage(struct uv *uv, uint64_t pa);
/* Drop everything configuration c holds: its secure pages cleared. */
void uv_conf_release_pages(struct uv *uv, struct uv_conf *c);
GTree *uv_gtree_new(void);
/* The host frame is free for the UV to take: no donated or secure page.
 * (rc: 0 if free; else UV_RC_PAGE_TAKEN / UV_RC_GADDR_ELSEWHERE.) */

/* Command-specific return codes (see uv_abi.h; sources in docs). */
#define UV_RC_NOT_MAPPED 0x10a       /* Linux make_folio_secure: rc 0x10a, the page is not mapped */
#define UV_RC_IMPORT_REFUSED 0x10b   /* ccsim: an import whose integrity check fails */
#define UV_RC_PAGE_TAKEN 0x10c       /* ccsim: the host page is donated or another page's */
#define UV_RC_GADDR_ELSEWHERE 0x10d  /* ccsim: the guest page is secure at another host page */
#define UV_RC_NOT_GUEST_PAGE 0x106   /* ccsim: convert from secure / destroy of donated storage */

#endif
