/* The s390 ultravisor (IBM Secure Execution) on s390-se machines: trusted
 * firmware that owns secure storage and runs secure configurations (Linux
 * arch/s390/include/asm/uv.h, arch/s390/kvm/pv.c, arch/s390/kernel/uv.c).
 *
 * - UVCs: uv_call takes a control block's byte image (uv_abi.h), checks
 *   the call against its state machine and answers with uv.h's return and
 *   reason codes, as the host (KVM) or a secure guest issues them.
 * - Secure storage: donated storage (the UV's base storage, each
 *   configuration's base and variable storage, each secure CPU's) and every
 *   guest page converted to secure belong to the UV. Secure Execution does
 *   not encrypt memory (libvirt docs, "Protected Virtualization on s390":
 *   "the memory of a running guest is not encrypted but protected by
 *   hardware access controls"): uv_access_check is the check the memory
 *   path makes, raising the program interruptions Linux handles in
 *   arch/s390/mm/fault.c (0x3d secure storage access, 0x3e non-secure
 *   storage access, 0x3f secure storage violation).
 * - Export / import: converting a guest page from secure encrypts it with
 *   a per-configuration key and keeps its integrity value and a counter in
 *   the UV's table; converting it back decrypts and checks it, so an older
 *   copy is refused (libvirt docs, ibid.; arch/s390/kernel/uv.c
 *   gmap_make_secure).
 * - Boot: the SE header opened with the machine's host key, each image page
 *   unpacked (decrypted with the image's XTS key and tweak, its digests
 *   accumulated) and verified against the header's PLD, ALD and TLD.
 *
 * A host stack drives it through uv_call and reacts to the exceptions:
 * on 0x3d it exports the page (UVC_CMD_CONV_FROM_SEC_STOR), on 0x3e it
 * imports it (UVC_CMD_CONV_TO_SEC_STOR); uv_set_gmap lets it supply the
 * guest's address translation. */
#ifndef CCSIM_MODELS_MONITOR_UV_UV_H
#define CCSIM_MODELS_MONITOR_UV_UV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/mmu/fault.h"
#include "models/monitor/uv/uv_abi.h"
#include "sim/model.h"

struct machine;
struct sim;
struct mem_access;
struct uv;

/* Who issues a UVC: the host, or a secure CPU of configuration `conf`
 * (1-based, uv_conf_id) for the guest's calls. */
struct uv_caller {
	bool guest;
	uint32_t conf;
};

/* Execute the UVC whose control block image is cb (buflen bytes, at least
 * its header's len): rc / rrc and the outputs are written into it. Returns
 * the condition code: 0 (rc executed), 1 (any other rc). *cycles gets what
 * the call took (the present moves past it). */
int uv_call(struct uv *uv, const struct uv_caller *who, uint8_t *cb, size_t buflen,
	    uint64_t *cycles);

/* The memory path's check of one access (models/platform/machine.c): 0, or
 * 1 with the fault (pgm.*) in *f. The UV's own accesses are Root world's. */
int uv_access_check(struct uv *uv, const struct mem_access *a, struct cc_fault *f);

/* The configuration a handle names: its 1-based id, or 0. */
uint32_t uv_conf_id(const struct uv *uv, uint64_t handle);
/* The configuration a secure CPU handle belongs to (its id), or 0. */
uint32_t uv_cpu_conf(const struct uv *uv, uint64_t cpu_handle);

/* A host stack's guest address translation for configuration `conf`
 * (guest absolute -> host absolute; 0, or -1 if not mapped). Without one
 * the UV uses the configuration's origin and length (MSO / MSL, as SIE
 * does): host = MSO + guest, below MSL. Not saved: set again after a
 * restore. */
typedef int uv_gmap_fn(void *ctx, uint64_t gaddr, uint64_t *hpa);
void uv_set_gmap(struct uv *uv, uint32_t conf, uv_gmap_fn *fn, void *ctx);

/* What a host page is to the UV, for stacks and tests. */
enum uv_page_kind {
	UV_PAGE_NONSECURE = 0,
	UV_PAGE_UV_STORAGE,  /* donated: the UV's, a configuration's or a CPU's */
	UV_PAGE_SECURE,      /* a guest page of configuration *conf at *gaddr */
	UV_PAGE_SHARED,      /* ... that its guest shares with the host */
};
enum uv_page_kind uv_page_state(const struct uv *uv, uint64_t pa, uint32_t *conf,
				uint64_t *gaddr);

/* Has INIT_UV run (the host kernel initialises the UV once, at boot:
 * arch/s390/kernel/uv.c uv_init)? */
bool uv_initialized(const struct uv *uv);

/* --- SIE of a secure CPU (uv_sie.c) ---
 * KVM runs a secure CPU with SIE on the state description it created the
 * CPU with (format 4: pv.c kvm_s390_pv_create_cpu sets sdf = 2 and the two
 * handles). That page is the host's and a stand-in: the CPU's registers
 * live in its donated storage, which only the UV reaches, and the stand-in
 * holds what the host may see (Linux Documentation/virt/kvm/s390/
 * s390-pv.rst, "Instruction emulation": "Only GR values needed to emulate
 * an instruction will be copied into this save area"). Offsets are
 * struct kvm_s390_sie_block's where it has the field, ccsim's from 0x200;
 * big-endian. */
#define UV_SD_PV_HANDLE_CPU 0x10
#define UV_SD_PV_HANDLE_CONF 0x18
#define UV_SD_ICPTCODE 0x50      /* u8 */
#define UV_SD_IICTL 0x55         /* u8: an interruption the host injects at entry */
#define UV_SD_IPA 0x56           /* u16: which instruction was intercepted */
#define UV_SD_GRREGS 0x200       /* 16 x 8: the registers an intercept exposes, and the
				    host's answer (the Secure Interception GR Save Area) */
#define UV_SD_PGM_CODE 0x280     /* a program interruption of the host's during SIE: its
				    code (0x11 the gmap's, 0x3e, 0x3f), and its page */
#define UV_SD_TEID 0x288
#define UV_SD_IO_ADDR 0x290      /* an I/O intercept: the guest address, the access size |
				    1 << 8 for a store, the data stored */
#define UV_SD_IO_FLAGS 0x298
#define UV_SD_IO_DATA 0x2a0
#define UV_SD_IRQ 0x2c0          /* 4 x 8: interrupts pending for the guest (the list
				    registers), which the host injects and sees taken */
#define UV_SD_CKC_CTL 0x2e0      /* the guest's timer, which the host emulates */
#define UV_SD_CKC 0x2e8
#define UV_SD_LEN 0x300
/* kvm_s390_sie_block icptcode values (arch/s390/include/asm/kvm_host.h) */
enum uv_icpt { UV_ICPT_NONE = 0, UV_ICPT_WAIT = 0x1c, UV_ICPT_VALIDITY = 0x20,
	       UV_ICPT_PV_INSTR = 0x68 };
/* What a PV_INSTR intercept stands for (its IPA): DIAGNOSE (0x83) for the
 * guest's hypercall, the B2 group of the channel I/O instructions for an
 * access to its device (ccsim's device window stands for virtio-ccw's I/O
 * instructions; s390 has no MMIO). */
#define UV_IPA_DIAG 0x8300u
#define UV_IPA_IO 0xb200u
/* A host program interruption's codes the host handles (arch/s390/mm/fault.c). */
#define UV_PGM_PAGE_TRANSLATION 0x11u
#define UV_PGM_SECURE_ACCESS 0x3du
#define UV_PGM_NON_SECURE_ACCESS 0x3eu
#define UV_PGM_SECURE_VIOLATION 0x3fu

struct cpu;
struct exec_params;
/* What one SIE took: all its cycles (the UV's work included), the guest
 * code's, and the instructions the guest retired (the simulator's count,
 * not anything the host sees). */
struct uv_sie_cost {
	uint64_t cycles, guest_cycles, insns;
};
/* Run the secure CPU the state description at sd names (its handles) on
 * the host's CPU c, whose translation is the host's (its gmap: guest
 * absolute -> host), until something needs the host: then sd holds the
 * intercept. A guest's UVC (its SMC, the control block's guest address in
 * x1, the condition code into x0) is the UV's own and stops nothing. 0, or
 * -1 when sd names no secure CPU of it or the CPU cannot run (a validity
 * intercept, UV_ICPT_VALIDITY in sd). */
int uv_sie(struct uv *uv, uint64_t sd, struct cpu *c, const struct exec_params *p,
	   struct uv_sie_cost *cost);

/* The machine's host key hash (SHA-256 of its public key's coordinates),
 * what an image's key slot names. */
void uv_host_key_hash(const struct uv *uv, uint8_t out[32]);

/* The UV's own consistency, after every step (machine_inv.c): every
 * secure page belongs to a live configuration whose record points back at
 * it, and none is donated storage. 0, or 1 with what broke in msg. */
int uv_inv_check(struct uv *uv, char *msg, size_t len);

/* NULL unless the profile has uv.enabled. */
struct uv *uv_create(struct sim *s, struct machine *m);

#endif
