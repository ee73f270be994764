/* The guest kernel's s390 Secure Execution paths (see kernel.h): a
 * protected guest shares the pages its devices use with the ultravisor's
 * set-shared-access call, as Linux does for its bounce buffers
 * (arch/s390/mm/init.c pv_init: "make sure bounce buffers are shared",
 * swiotlb_update_mem_attributes -> set_memory_decrypted -> uv_set_shared
 * on each page), and retrieves an attestation measurement with the
 * request its owner sealed for this machine (the uvdevice's
 * UVIO_IOCTL_ATT: UVC_CMD_RETR_ATTEST, arch/s390/include/asm/uv.h struct
 * uv_cb_attest). A UVC is this ISA's SMC with the control block's guest
 * address in x1; the UV answers with the condition code in x0 (0: rc 1,
 * executed). Control blocks are big-endian, written here word by word. */
#include <string.h>

#include "models/monitor/uv/se_image.h"
#include "models/monitor/uv/uv_abi.h"
#include "sim/buf.h"
#include "stacks/guest/gasm.h"

/* Where the guest keeps its control blocks and attestation data: pages its
 * boot touched, so they are secure (kernel.h's layout). */
#define SE_UVCB GUEST_HOSTCALL
#define SE_ARCB GUEST_TOKEN
#define SE_MEAS (GUEST_TOKEN + 0x1000)

/* Store `len` bytes (a multiple of 8 after padding) at addr, 8 at a time
 * (clobbers R_T3, R_T4). */
static void st_bytes(struct gasm *g, uint64_t addr, const uint8_t *b, size_t len)
{
	movi(g, R_T4, addr);
	for (size_t o = 0; o < len; o += 8) {
		uint8_t w[8] = { 0 };
		memcpy(w, b + o, MIN(8, len - o));
		movi(g, R_T3, sim_le64_load(w));
		st(g, R_T3, R_T4, (int32_t)o, 8);
	}
}

/* A UVC with the control block cb (its header's length) at SE_UVCB; a
 * condition code other than 0 is fatal. */
static void uvc(struct gasm *g, const uint8_t *cb)
{
	st_bytes(g, SE_UVCB, cb, uvcb_len(cb));
	movi(g, 1, SE_UVCB);
	emit(g, ISA_SMC, 0, 0, 0, 0, 0);
	b_panic_if(g, 0, ISA_XZR, ISA_NE);
}

void se_boot(struct gasm *g)
{
	/* each page of the bounce buffer (the block device's queue page
	 * with it) touched, so it is imported, then shared */
	for (uint64_t p = GUEST_BOUNCE; p < GUEST_BOUNCE + GUEST_BOUNCE_SIZE; p += 0x1000) {
		uint8_t cb[UVCB_SHARE_LEN] = { 0 };
		movi(g, 2, p);
		st(g, ISA_XZR, 2, 0, 8);
		uv_put16(cb, UVCB_SHARE_LEN);
		uv_put16(cb + 2, UVC_CMD_SET_SHARED_ACCESS);
		uv_put64(cb + SHARE_PADDR, p);
		uvc(g, cb);
	}
}

void se_attest(struct gasm *g, const struct guest_kernel_config *cfg)
{
	/* the owner's request, then the call with the challenge as user data
	 * and room for the 64-byte HMAC-SHA512 measurement */
	st_bytes(g, SE_ARCB, cfg->se_arcb, cfg->se_arcb_len);
	uint8_t cb[UVCB_ATTEST_LEN] = { 0 };
	uv_put16(cb, UVCB_ATTEST_LEN);
	uv_put16(cb + 2, UVC_CMD_RETR_ATTEST);
	uv_put64(cb + ATT_ARCB_ADDR, SE_ARCB);
	uv_put16(cb + ATT_USER_LEN, sizeof(cfg->challenge));
	memcpy(cb + ATT_USER_DATA, cfg->challenge, sizeof(cfg->challenge));
	uv_put32(cb + ATT_MEAS_LEN, SE_SHA512_LEN);
	uv_put64(cb + ATT_MEAS_ADDR, SE_MEAS);
	uvc(g, cb);
	/* the evidence out through the bounce buffer: the control block as
	 * the UV returned it (the configuration's id, the user data), then
	 * the measurement */
	movi(g, R_T4, SE_UVCB);
	movi(g, R_T1, UVCB_ATTEST_LEN);
	copy8(g, R_T4, R_BNC, R_T1);
	movi(g, R_T4, SE_MEAS);
	emit(g, ISA_ADDI, R_T2, R_BNC, 0, 0, UVCB_ATTEST_LEN);
	movi(g, R_T1, SE_SHA512_LEN);
	copy8(g, R_T4, R_T2, R_T1);
	movi(g, R_T1, UVCB_ATTEST_LEN + SE_SHA512_LEN);
	st(g, R_T1, R_DEV, GUEST_DEV_TOKEN, 8);
}
