/* The guest kernel: builds the image a confidential (or ordinary) VM boots,
 * in the guest instruction set (models/cpu/isa.h). It follows the boot
 * protocol of a Linux realm guest on CCA (DEN0137 1.0-rel0 and the kernel's
 * arm64 realm support): RSI_VERSION, RSI_REALM_CONFIG for the IPA width
 * (hence the unprotected bit), RSI_IPA_STATE_SET RAM over its memory, a
 * bounce buffer shared with the host through RIPAS EMPTY and the
 * unprotected alias, the virtual timer, the workload, an attestation
 * request whose token it sends out through the bounce buffer, and PSCI
 * SYSTEM_OFF. As an AMD SEV guest it builds its own page tables (identity,
 * the C-bit on every page but the bounce buffer, the GHCBs and the device:
 * APM vol. 2 15.34.5) and enables paging; on SEV-SNP it first PVALIDATEs its
 * private memory and converts the shared pages with the GHCB MSR protocol's
 * page state change; on SEV-ES and SNP its monitor calls go through the GHCB
 * (the registers it chooses, then VMGEXIT), a device access raises #VC and
 * its handler does the MMIO through the GHCB, and secondary vCPUs start
 * from their launch VMSA (X0 = their index). An SNP guest asks the firmware
 * for an attestation report (MSG_REPORT_REQ with its challenge as
 * REPORT_DATA) and sends it out as its token. With more than one vCPU, the boot vCPU starts the others with
 * PSCI CPU_ON before its workload; each marks itself in the kernel data,
 * computes, and leaves with CPU_OFF; the boot vCPU waits for them with
 * AFFINITY_INFO before it reports how many ran and powers off. On a non-confidential VM the RSI steps are left out and PSCI
 * goes through HVC. As an Intel TD (kernel_tdx.c) it starts from the reset
 * vector the host's reset page branches from, learns its GPA width with
 * TDG.VP.INFO (hence GPA.SHARED), accepts its kernel pages with
 * TDG.MEM.PAGE.ACCEPT (the host AUGs each on the way), converts the bounce
 * buffer to shared with TDG.VP.VMCALL<MapGPA>, arms its timer through the
 * TSC deadline MSR the host emulates, and handles #VE with
 * TDG.VP.VEINFO.GET: HLT, CPUID, MSRs and port I/O through TDG.VP.VMCALL,
 * MMIO decoded from the faulting instruction, and a pending private page
 * accepted (lazy accept); with attest=1 it asks for a TDREPORT
 * (TDG.MR.REPORT) and hands it to the host with TDG.VP.VMCALL<GetQuote>
 * in the GHCI buffer (header, then the report), which the host fills with
 * the quote. As an s390 Secure Execution guest (kernel_s390.c) it boots
 * from the image the ultravisor unpacked, touches its kernel pages (each
 * imported on the way), shares its bounce buffer with UVC set shared
 * access, does its I/O and hypercalls through intercepted instructions,
 * and with attest=1 retrieves an attestation measurement (UVC retrieve
 * attestation, with the request its owner sealed for this machine) and
 * sends the control block and the measurement out as its token.
 *
 * Guest physical layout (IPAs; RAM from 0):
 *   0x000000  code: a branch to the kernel, vectors at 0x200 / 0x280
 *   0x100000  kernel data (GUEST_KDATA): tick count, panic syndrome
 *   0x101000  RsiRealmConfig       0x102000  RsiHostCall
 *   0x103000  SNP: the CPUID page the host gave at launch (GUEST_CPUID)
 *   0x104000  attestation token (4 granules)
 *   0x108000  bounce buffer (4 granules, shared with the host)
 *   0x110000  free for the workload, up to the RAM size
 * The device (GUEST_DEV_*) sits at GUEST_DEV_BASE in the unprotected half. */
#ifndef CCSIM_STACKS_GUEST_KERNEL_H
#define CCSIM_STACKS_GUEST_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_KDATA 0x100000ull
#define GUEST_KDATA_TICKS 0x00
#define GUEST_KDATA_PANIC 0x08
#define GUEST_KDATA_CPUS 0x10  /* one word per vCPU: set by each secondary it ran */
#define GUEST_KDATA_TD_DEADLINE 0x38 /* TD: the TSC deadline its timer last armed */
#define GUEST_KDATA_TD_CALL_SAVE 0x800 /* TD: x11..x15 kept across a TDG.VP.VMCALL */
#define GUEST_KDATA_TD_IRQ_SAVE 0x900  /* TD: what the interrupt handler's VMCALL clobbers */
#define GUEST_CONFIG 0x101000ull
#define GUEST_HOSTCALL 0x102000ull
#define GUEST_TOKEN 0x104000ull
#define GUEST_TOKEN_SIZE 0x4000ull
#define GUEST_BOUNCE 0x108000ull
#define GUEST_BOUNCE_SIZE 0x4000ull
#define GUEST_FREE 0x110000ull
#define GUEST_CPUID 0x103000ull /* SNP: the CPUID table (SNP ABI 8.17.2, Linux struct snp_cpuid_table) */
#define SNP_CPUID_COUNT 0x00    /* u32 entries */
#define SNP_CPUID_FN 0x10       /* the first entry */
#define SNP_CPUID_FN_SIZE 48    /* eax_in, ecx_in (u32), xcr0_in, xss_in (u64), eax..edx (u32), u64 */
#define SNP_CPUID_MAX 64
/* SEV guests (see the SEV boot above): */
#define GUEST_PT GUEST_TOKEN      /* the kernel's page tables: PML4, PDPT, PD, PT (private) */
#define GUEST_GHCB 0x10C000ull    /* SEV-ES / SNP: one shared GHCB page per vCPU */
#define GUEST_SHARED_END (GUEST_GHCB + GUEST_MAX_VCPUS * 0x1000ull) /* [GUEST_BOUNCE, here): shared */
#define GUEST_KDATA_VC_SAVE 0x400 /* KDATA offset of the per-vCPU #VC register save areas */
#define GUEST_VC_SAVE_SIZE 0x100
#define GUEST_REPORT GUEST_CONFIG /* SNP: the attestation report, copied to private memory */
#define GUEST_SEV_CBIT 51         /* CPUID 8000_001F EBX[5:0] */
/* The GHCB (AMD 56421 GHCB specification, Table 3): the save area holds the
 * guest's x0..x30 at 8 * n (where the x86 GPRs sit on hardware), then the
 * software exit fields, the valid bitmap (bit n: the quadword at 8 * n was
 * written for this exit) and the shared buffer. */
#define GHCB_SW_EXIT_CODE 0x390
#define GHCB_SW_EXIT_INFO1 0x398
#define GHCB_SW_EXIT_INFO2 0x3A0
#define GHCB_SW_SCRATCH 0x3A8
#define GHCB_VALID_BITMAP 0x3F0
#define GHCB_SHARED_BUFFER 0x800
#define GHCB_SHARED_BUFFER_SIZE 0x7F0
#define SVM_VMGEXIT_MMIO_READ 0x80000001ull
#define SVM_VMGEXIT_MMIO_WRITE 0x80000002ull
#define SVM_VMGEXIT_PSC 0x80000010ull
#define GHCB_IOIO_IN 0x1ull         /* EXIT_INFO1 of an IOIO exit (APM vol. 2 15.10.2) */
#define GHCB_IOIO_SZ8 0x10ull
#define GHCB_IOIO_SZ16 0x20ull
#define GHCB_IOIO_SZ32 0x40ull
#define SVM_VMGEXIT_GUEST_REQUEST 0x80000011ull
/* The GHCB MSR protocol (GHCB spec 2.3.1): a request in the MSR itself. */
#define GHCB_MSR_INFO_MASK 0xfffull
#define GHCB_MSR_PSC_REQ 0x014ull   /* GFN in [51:12], operation in [55:52] */
#define GHCB_MSR_PSC_RESP 0x015ull  /* error code in [63:32] */
#define GHCB_PSC_PRIVATE 1ull
#define GHCB_PSC_SHARED 2ull
/* MSG_REPORT_REQ / MSG_REPORT_RSP (SNP ABI 7.3 Tables 22, 25); the VMPCK
 * AES-GCM wrapping of guest messages (7.1) is not modelled. */
#define SNP_MSG_REQ_VMPL 0x40
#define SNP_MSG_RSP_STATUS 0x00
#define SNP_MSG_RSP_SIZE 0x04
#define SNP_MSG_RSP_REPORT 0x20
#define GUEST_MIN_RAM 0x200000ull
/* The device, an offset in the unprotected half (the IPA on a plain VM). */
#define GUEST_DEV_BASE 0x10000000ull
#define GUEST_DEV_CONSOLE 0x00 /* write: one byte of console output */
#define GUEST_DEV_SEND 0x08    /* write: bytes placed at the start of the bounce buffer */
#define GUEST_DEV_REPORT 0x10  /* write: a value reported to the host (the tick count) */
#define GUEST_DEV_ID 0x18      /* read: the device's id */
#define GUEST_DEV_PANIC 0x20   /* write: the syndrome of a fatal guest exception */
#define GUEST_DEV_TOKEN 0x28   /* write: an attestation token of that many bytes is in the
				  bounce buffer, for the host to pass on to a verifier */
#define GUEST_DEV_RESULT_OP 0x30 /* write: the workload op whose call results follow */
#define GUEST_DEV_RESULT 0x38    /* write: its next result register (X0, X1, ...) */
#define GUEST_DEV_CPUS 0x40      /* write: how many secondary vCPUs ran (at shutdown) */
#define GUEST_DEV_PORT 0x48      /* a realm's port I/O (Arm has none): this register instead */
#define GUEST_DEV_BLK_KICK 0x50  /* write: the block device's queue has a request (virtio's
				  * notify); the descriptor is in the queue page below */
/* The block device's queue, a shared page at the end of the bounce buffer
 * (virtio-style: the guest writes a descriptor, notifies, and waits for
 * the used count to move and the completion interrupt). */
#define GUEST_BLK_QUEUE 0x3000   /* offset in the bounce buffer */
#define GUEST_BLK_SECTOR 0x00    /* descriptor: the 512-byte sector */
#define GUEST_BLK_BUF 0x08       /* the buffer's guest-physical address */
#define GUEST_BLK_LEN 0x10       /* bytes (up to 4 KiB); bit 63: a write */
#define GUEST_BLK_USED 0x18      /* the device's count of completed requests */
#define GUEST_BLK_WRITE (1ull << 63)
#define GUEST_BLK_NET (1ull << 62)  /* the network device's queue: send (write) or receive */
#define GUEST_BLK_MAX 0x1000ull  /* one request moves at most a page */
#define GUEST_BLK_INTID 48u      /* the completion interrupt (an SPI) */
#define GUEST_DEV_ID_VALUE 0xcc510de0ull
#define GUEST_MAX_VCPUS 4
#define GUEST_SMP_POLL_CYCLES 30000 /* between AFFINITY_INFO polls at shutdown */
/* Registers: x0..x10 scratch for workload ops (a call takes X0..X10),
 * x11..x15 loop counters;
 * x16..x30 belong to the kernel (x26..x28 to its interrupt handler). */
#define GUEST_MAX_LOOP_DEPTH 5
#define GUEST_LOOP_REG0 11
#define GUEST_CALL_MAX_ARGS 10    /* X1..X10 */
#define GUEST_CALL_MAX_RESULTS 9  /* X0..X8 */

enum guest_op_kind {
	GOP_WORK,       /* a: cycles of computation */
	GOP_STORE,      /* a: IPA; data */
	GOP_LOAD,       /* a: IPA; b: bytes */
	GOP_LOOP,       /* a: iterations, up to the matching GOP_END */
	GOP_END,
	GOP_WFI,
	GOP_MMIO_WRITE, /* a: device register offset; b: value */
	GOP_MMIO_READ,  /* a: device register offset */
	GOP_HOST_CALL,  /* a: immediate */
	GOP_SEND,       /* data through the bounce buffer to the device */
	GOP_EXTEND,     /* RSI_MEASUREMENT_EXTEND of REM a with data (up to 64 bytes) */
	GOP_CALL,       /* a monitor call: a: function id (X0); data: X1.. as 8-byte words;
			   b: how many result registers (X0..) to report to the device */
	GOP_REGS,       /* report X0..X(a-1) as they stand to the device, as a call's results */
	/* Workload generators (workload.c): loops of a few instructions. */
	GOP_STREAM_READ,  /* a: bytes, b: stride, c: base, d: passes; 8-byte loads summed */
	GOP_STREAM_WRITE, /* a: bytes, b: stride, c: base, d: passes; 8-byte stores */
	GOP_COPY,         /* a: bytes, b: src, c: dst (0: src + bytes), d: passes; 8-byte elements */
	GOP_MEMCPY,       /* a: bytes, b: src, c: dst (0: src + bytes), d: non-temporal, e: block
			     (0: bytes): REP MOVS per block */
	GOP_RANDOM,       /* a: bytes (a power of two), b: loads, c: base, d: seed */
	GOP_CHASE,        /* a: bytes, b: steps, c: base, d: line stride (0: a default) */
	GOP_TOUCH,        /* a: bytes, b: base, c: stride (one store per stride) */
	GOP_CPUID,        /* a: leaf, b: subleaf */
	GOP_RDMSR,        /* a: MSR */
	GOP_WRMSR,        /* a: MSR, b: value */
	GOP_PIO_IN,       /* a: port, b: bytes (1, 2, 4) */
	GOP_PIO_OUT,      /* a: port, b: value, c: bytes */
	GOP_PHASE,        /* a: the phase's index in guest_kernel_config.phases */
	GOP_BLK_READ,     /* a: requests, b: first sector, c: buffer, d: bytes each, e: bounce
			     (0: never, 1: always, 2: when the guest is confidential) */
	GOP_BLK_WRITE,    /* the same, writing */
	GOP_NET_SEND,     /* a: packets, b: buffer, c: bytes each, d: bounce (as blk) */
	GOP_NET_RECV,     /* the same, receiving */
	GOP_REPLAY,       /* a: base of the trace's pages, b: passes, e: its pages; data: the
			     compiled words (harness/memtrace/memtrace.h), placed in the data segment */
	GOP_TDCALL,       /* a TD's TDCALL: a: leaf (RAX); data: RCX, RDX, R8..R15 as 8-byte
			     words; RAX, RCX, RDX, R8..R13 reported (nothing outside a TD) */
	GOP_KIND_COUNT
};

struct guest_op {
	enum guest_op_kind kind;
	uint64_t a, b, c, d, e;
	const uint8_t *data;
	size_t len;
};

/* Phases, by index: the kernel marks boot (from its first instruction),
 * workload and shutdown with ISA_MARK, the host stack launch (building
 * the guest) and teardown; `phase` ops add the scenario's own.
 * GUEST_PHASE_NONE ends the current phase. */
enum {
	GUEST_PHASE_BOOT, GUEST_PHASE_WORKLOAD, GUEST_PHASE_SHUTDOWN, GUEST_PHASE_LAUNCH,
	GUEST_PHASE_TEARDOWN, GUEST_PHASES_BUILTIN
};
#define GUEST_PHASE_NONE 0xffffffffu
#define GUEST_MAX_PHASES 32

struct guest_kernel_config {
	bool realm;             /* boot as a CCA realm (RSI); false: ordinary VM */
	bool tdx;               /* boot as an Intel TD (TDCALL, #VE, TDG.VP.VMCALL) */
	bool s390;              /* boot as an s390 Secure Execution guest (UVCs) */
	const uint8_t *se_arcb; /* s390: the owner's attestation request (ARCB), for attest */
	size_t se_arcb_len;
	unsigned sev;           /* an AMD SEV guest (enum cpu_sev: 1 SEV, 2 SEV-ES, 3 SEV-SNP) */
	uint64_t ram_size;      /* bytes of RAM from IPA 0 (>= GUEST_MIN_RAM) */
	uint64_t tick;          /* virtual timer period in cycles; 0: no timer */
	bool attest;            /* request a token (realm) or report (SNP) and send it out */
	uint64_t vcpus;         /* 0 or 1: one vCPU; up to GUEST_MAX_VCPUS: the boot vCPU
				   starts the others with PSCI CPU_ON (MPIDR 1..) */
	uint64_t smp_work;      /* cycles each secondary computes before CPU_OFF */
	uint8_t challenge[64];
	const struct guest_op *ops;
	size_t nops;
	size_t nphases;         /* the phase names the ops use (GOP_PHASE a < nphases) */
	uint64_t vc_work;       /* SEV-ES / SNP: cycles of #VC handling the model's handler
				   does not execute (sev.vc_handler_cycles) */
};

/* The data segment: every replay op's words, one op after another, in
 * the last pages of RAM, loaded (and measured) with the image. Its IPA is
 * cfg->ram_size when there is none; guest_kernel_data copies it into
 * *data (g_free it; NULL and 0 when there is none). */
uint64_t guest_data_ipa(const struct guest_kernel_config *cfg);
void guest_kernel_data(const struct guest_kernel_config *cfg, uint8_t **data, size_t *len,
		       uint64_t *ipa);

/* Assemble the kernel and its workload into *image (g_free it), entry at
 * IPA 0. Returns 0, or -1 with a message (bad nesting, an address outside
 * RAM or inside the kernel's pages, data too long) and, in *bad_op (may be
 * NULL), the index of the op at fault (SIZE_MAX: none in particular). */
int guest_kernel_build(const struct guest_kernel_config *cfg, uint8_t **image, size_t *len,
		       char *err, size_t errlen, size_t *bad_op);
const char *guest_op_name(enum guest_op_kind k);

#endif
