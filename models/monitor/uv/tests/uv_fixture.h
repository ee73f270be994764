/* What the ultravisor tests share: an s390-se machine (seed 7), a host
 * vCPU and a guest vCPU, control blocks filled by field, the addresses KVM
 * would donate, and a guest booted from an SE image built for this
 * machine. */
#ifndef CCSIM_UV_TESTS_FIXTURE_H
#define CCSIM_UV_TESTS_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "models/cpu/cpu.h"
#include "models/monitor/uv/se_image.h"
#include "models/monitor/uv/uv.h"
#include "models/platform/machine.h"

#define SEED 7
#define UV_STOR 0x90000000ull
#define CONF_BASE 0x91000000ull
#define CONF_VAR 0x91100000ull
#define CPU_STOR 0x91200000ull
#define SIE_SD 0x91300000ull
#define SCA 0x91400000ull
#define ASCE (0x91500000ull | UV_ASCE_P)
#define HDR 0x92000000ull
#define MSO 0x40000000ull      /* the guest's storage origin in host memory */
#define MSL (16ull << 20)
#define KERNEL 0x10000ull      /* guest address of the image's component */
#define PAGE 4096u

struct fx {
	struct sim sim;
	struct machine m;
	struct cpu host, guest;
	uint8_t cb[UVCB_MAX_LEN];
	uint64_t conf, cpu;       /* handles */
	uint64_t cycles;
};

static inline int fx_setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	struct platform_config cfg;
	char err[PROFILE_ERR_MAX];
	assert_int_equal(profile_load("models/platform/profiles/s390-se.ini", &cfg, err, sizeof(err)), 0);
	sim_init(&f->sim, SEED, cfg.freq_mhz * 1000000ull);
	f->sim.log.sink = NULL;
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	assert_non_null(f->m.uv);
	cpu_init(&f->host, &f->sim, "host", machine_bus(&f->m), WORLD_NS, 2);
	cpu_init(&f->guest, &f->sim, "guest", machine_bus(&f->m), WORLD_NS, 1);
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	sim_fini(&f->sim);
	test_free(f);
	return 0;
}

/* A control block for cmd, its header's length the command's (a header's
 * for a code the UV does not know). */
static inline uint8_t *fx_cb(struct fx *f, uint16_t cmd)
{
	const struct uv_cmd_info *ci = uv_cmd_by_code(cmd);
	memset(f->cb, 0, sizeof(f->cb));
	uv_put16(f->cb, ci ? ci->len : UVCB_HDR);
	uv_put16(f->cb + 2, cmd);
	return f->cb;
}

static inline uint16_t fx_call_as(struct fx *f, bool guest, uint32_t conf)
{
	struct uv_caller who = { guest, conf };
	f->cycles = 0;
	int cc = uv_call(f->m.uv, &who, f->cb, sizeof(f->cb), &f->cycles);
	assert_int_equal(cc, uvcb_rc(f->cb) == UVC_RC_EXECUTED ? 0 : 1);
	return uvcb_rc(f->cb);
}

static inline uint16_t fx_call(struct fx *f)
{
	return fx_call_as(f, false, 0);
}

/* The host's bytes, line by line (0, or 1 on a fault: *fault says which). */
static inline int fx_host_access(struct fx *f, uint64_t pa, void *buf, uint32_t len, bool write,
				 struct cc_fault *fault)
{
	uint64_t c;
	uint8_t *p = buf;
	for (uint32_t o = 0; o < len; o += 64) {
		int r = write ? cpu_store(&f->host, pa + o, p + o, MIN(64u, len - o), fault, &c)
			      : cpu_load(&f->host, pa + o, p + o, MIN(64u, len - o), fault, &c);
		if (r)
			return r;
	}
	return 0;
}

/* The guest vCPU's access to its guest address gaddr (host MSO + gaddr). */
static inline int fx_guest_access(struct fx *f, uint64_t gaddr, void *buf, uint32_t len,
				  bool write, struct cc_fault *fault)
{
	uint64_t c;
	return cpu_access(&f->guest, PAS_NS, write, MSO + gaddr, gaddr, true, buf, len, fault, &c);
}

static inline void fx_init_uv(struct fx *f)
{
	uint8_t *cb = fx_cb(f, UVC_CMD_INIT_UV);
	uv_put64(cb + INIT_STOR_ORIGIN, UV_STOR);
	uv_put64(cb + INIT_STOR_LEN, f->m.cfg.uv_base_stor_len);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
}

static inline uint8_t *fx_cgc(struct fx *f)
{
	uint8_t *cb = fx_cb(f, UVC_CMD_CREATE_SEC_CONF);
	uv_put64(cb + CGC_BASE_ORIGIN, CONF_BASE);
	uv_put64(cb + CGC_VIRT_ORIGIN, CONF_VAR);
	uv_put64(cb + CGC_STOR_ORIGIN, MSO);
	uv_put64(cb + CGC_STOR_LEN, MSL);
	uv_put64(cb + CGC_SCA, SCA);
	uv_put64(cb + CGC_ASCE, ASCE);
	return cb;
}

static inline uint8_t *fx_csc(struct fx *f)
{
	uint8_t *cb = fx_cb(f, UVC_CMD_CREATE_SEC_CPU);
	uv_put64(cb + CSC_GUEST_HANDLE, f->conf);
	uv_put64(cb + CSC_STOR_ORIGIN, CPU_STOR);
	uv_put64(cb + CSC_STATE_ORIGIN, SIE_SD);
	return cb;
}

/* INIT_UV, a configuration and its CPU; the guest vCPU becomes that CPU. */
static inline void fx_create(struct fx *f)
{
	fx_init_uv(f);
	fx_cgc(f);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	f->conf = uv_be64(f->cb + CGC_GUEST_HANDLE);
	fx_csc(f);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	f->cpu = uv_be64(f->cb + CSC_CPU_HANDLE);
	f->guest.guest = 1;
	f->guest.asid = uv_conf_id(f->m.uv, f->conf);
}

/* An image of `payload` for the machine of host_seed, its header and
 * encrypted pages placed where the host stages them (header at HDR, pages
 * at the guest addresses they unpack to). *view points into *img (g_free). */
static inline void fx_stage_image(struct fx *f, uint64_t host_seed, const void *payload,
				  size_t len, uint8_t **img, struct se_image_view *v)
{
	struct se_key host;
	se_host_key(host_seed, 0, &host);
	struct se_comp_in c = { payload, len, KERNEL, SE_COMP_KERNEL };
	struct se_image_opts o = { .seed = 3, .pcf = SE_PCF_ALLOW_DUMPING };
	size_t n;
	char err[256];
	struct cc_fault fault;
	assert_int_equal(se_image_build(&c, 1, host.coord, 1, &o, img, &n, err, sizeof(err)), 0);
	assert_int_equal(se_image_parse(*img, n, v, err, sizeof(err)), 0);
	assert_int_equal(fx_host_access(f, HDR, (void *)v->hdr, (uint32_t)v->hdr_len, true, &fault), 0);
	for (size_t i = 0; i < v->ncomp; i++)
		assert_int_equal(fx_host_access(f, MSO + v->comp[i].addr, (void *)v->comp[i].data,
						(uint32_t)v->comp[i].size, true, &fault), 0);
}

static inline uint16_t fx_ssc(struct fx *f, const struct se_image_view *v)
{
	uint8_t *cb = fx_cb(f, UVC_CMD_SET_SEC_CONF_PARAMS);
	uv_put64(cb + CB_HANDLE, f->conf);
	uv_put64(cb + SSC_HDR_ORIGIN, HDR);
	uv_put32(cb + SSC_HDR_LEN, (uint32_t)v->hdr_len);
	return fx_call(f);
}

/* Unpack every page of the image (pv.c kvm_s390_pv_unpack), then verify. */
static inline uint16_t fx_unpack_verify(struct fx *f, const struct se_image_view *v)
{
	for (size_t i = 0; i < v->ncomp; i++)
		for (uint64_t off = 0; off < v->comp[i].size; off += PAGE) {
			uint8_t *cb = fx_cb(f, UVC_CMD_UNPACK_IMG);
			uv_put64(cb + CB_HANDLE, f->conf);
			uv_put64(cb + UNP_GADDR, v->comp[i].addr + off);
			uv_put64(cb + UNP_TWEAK0, v->comp[i].tweak);
			uv_put64(cb + UNP_TWEAK1, off);
			assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
		}
	uv_put64(fx_cb(f, UVC_CMD_VERIFY_IMG) + CB_HANDLE, f->conf);
	return fx_call(f);
}

#endif
