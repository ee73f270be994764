/* AMD SEV-SNP Reverse Map Table (AMD64 APM vol. 2, 15.36 "Secure Nested
 * Paging"; instructions in APM vol. 3): the RMP check as a pure function of the
 * RMP_BASE/RMP_END state, the table in simulated memory (read through a
 * callback) and one access, plus the table operations RMPUPDATE, PSMASH,
 * PVALIDATE and RMPADJUST as functions. The CPU MMU, the IOMMU, the SNP
 * firmware model and the tests share this one implementation. */
#ifndef CCSIM_MMU_RMP_H
#define CCSIM_MMU_RMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RMP_PAGE_4K 0x1000ull
#define RMP_PAGE_2M 0x200000ull
#define RMP_ENTRY_BYTES 16u
/* The table starts with 16KB of processor bookkeeping, then one entry per 4KB
 * of system memory from PA 0 (Linux Documentation/arch/x86/amd-memory-encryption.rst,
 * "Reverse Map Table"). */
#define RMP_BOOKKEEPING 0x4000ull
/* RMP_BASE and RMP_END + 1 must be 8KB aligned (same document; the SNP
 * firmware raises this to 1MB, which is the firmware model's business). */
#define RMP_MSR_ALIGN 0x2000ull
#define RMP_ASID_LIMIT 1024u /* the ASID field is 10 bits */

/* Raw entry layout. The format is not architectural: this is the Fam19h one
 * Linux uses (arch/x86/virt/svm/sev.c `struct rmpentry_raw`) and AMD's SNP
 * firmware (`sev_rmp.h`, rmp_quadword1/2). Little-endian, two quadwords.
 * Low quadword: */
#define RMP_LO_ASSIGNED (1ull << 0)
#define RMP_LO_PAGESIZE (1ull << 1)  /* 0 = 4KB, 1 = 2MB */
#define RMP_LO_IMMUTABLE (1ull << 2)
/* bits 11:3 reserved (the firmware keeps a sub-page count there) */
#define RMP_LO_GPA_MASK 0x0007fffffffff000ull /* bits 50:12 hold GPA[50:12] (39 bits) */
#define RMP_LO_ASID_SHIFT 51                  /* bits 60:51, 10 bits */
#define RMP_LO_VMSA (1ull << 61)
#define RMP_LO_VALIDATED (1ull << 62)
/* bit 63 reserved (the firmware's lock bit).
 * High quadword: byte n (bits 8n+7:8n) is the permission mask of VMPL n,
 * n = 0..3 (firmware `vmpl_perm_mask_t`); bits 63:32 reserved. */
#define RMP_PERM_R 0x01   /* read */
#define RMP_PERM_W 0x02   /* write */
#define RMP_PERM_XU 0x04  /* execute at CPL3 */
#define RMP_PERM_XS 0x08  /* execute at CPL0-2 */
#define RMP_PERM_SSS 0x10 /* supervisor shadow stack */
#define RMP_PERM_ALL 0x1f /* VMPL0's mask after RMPUPDATE; bits 7:5 reserved */
#define RMP_VMPLS 4

/* Error-code bits of the faults the check raises. #NPF (EXITINFO1) bits are
 * the APM's, named as Linux/KVM name them (arch/x86/include/asm/kvm_host.h
 * PFERR_*); the host #PF RMP bit is Linux's X86_PF_RMP. */
#define RMP_ERR_P (1ull << 0)       /* the translation was present */
#define RMP_ERR_W (1ull << 1)       /* write access */
#define RMP_ERR_U (1ull << 2)       /* user; guest accesses are user accesses to the NPT */
#define RMP_ERR_ID (1ull << 4)      /* instruction fetch */
#define RMP_ERR_RMP (1ull << 31)    /* RMP check (or VMPL check) failed; #PF and #NPF */
#define RMP_ERR_FINAL (1ull << 32)  /* #NPF on the final GPA, not a guest table walk */
#define RMP_ERR_ENC (1ull << 34)    /* the guest access had C-bit = 1 */
#define RMP_ERR_SIZEM (1ull << 35)  /* page size mismatch */
#define RMP_ERR_VMPL (1ull << 36)   /* VMPL permission check failed */
/* #VC error code (= SW_EXITCODE) for a private access to an unvalidated page. */
#define RMP_VC_PAGE_NOT_VALIDATED 0x404ull

struct rmp_entry {
	bool assigned;    /* guest- or firmware-owned; 0 = hypervisor-owned */
	bool size_2m;     /* a 2MB entry: authoritative for its whole 2MB region */
	bool immutable;   /* firmware-owned; only the firmware changes it */
	bool validated;   /* set and cleared only by the guest's PVALIDATE */
	bool vmsa;        /* the page is a VM save area */
	uint64_t gpa;     /* the one guest page this page may back (4KB aligned, < 2^51) */
	uint32_t asid;    /* owning guest; 0 with assigned = firmware-owned */
	uint8_t vmpl_perm[RMP_VMPLS]; /* RMP_PERM_* per VMPL */
};

/* Routes the table's reads and writes through the platform (caches,
 * counters). Both return 0 or a negative errno. */
struct rmp_io {
	int (*read)(void *ctx, uint64_t pa, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t pa, const void *buf, size_t len);
	void *ctx;
};

/* RMP_BASE / RMP_END MSRs (0xc0010132 / 0xc0010133): first and last byte of
 * the table. mem_top: end of system RAM, which the table must cover. */
struct rmp_config {
	uint64_t base, end;
	uint64_t mem_top;
};

enum rmp_fault {
	RMP_OK = 0,
	RMP_PF_HOST,        /* host write to an assigned page: #PF, error bit 31 */
	RMP_NPF_RMP,        /* #NPF bit 31: not this guest's page, or C-bit disagrees with Assigned */
	RMP_NPF_SIZEM,      /* #NPF bits 31+35: nested mapping size differs from the RMP's */
	RMP_NPF_VMPL,       /* #NPF bits 31+36: the VMPL lacks the permission */
	RMP_VC_UNVALIDATED, /* private access to an unvalidated page: #VC 0x404 in the guest */
	RMP_FAULT_TABLE,    /* invalid RMP_BASE/RMP_END, or the RMP itself unreadable */
};

/* Which rule of the check denied an access (APM vol. 2 15.36.10, in the
 * order the check applies them): what a trace record names, finer than the
 * fault it raises (rmp_check_fault). */
enum rmp_check {
	RMP_CHK_NONE = 0,
	RMP_CHK_HOST_WRITE,     /* host write to an assigned page (#PF) */
	RMP_CHK_SHARED,         /* shared (C-bit 0) guest access to an assigned page */
	RMP_CHK_NO_ENTRY,       /* private access to memory the RMP does not cover */
	RMP_CHK_NOT_ASSIGNED,   /* private access to a hypervisor-owned page */
	RMP_CHK_IMMUTABLE,      /* private access to a firmware-owned (immutable) page */
	RMP_CHK_ASID,           /* the page is assigned to another ASID */
	RMP_CHK_GPA,            /* the page backs another GPA */
	RMP_CHK_SIZE,           /* nested page size differs from the RMP page size */
	RMP_CHK_NOT_VALIDATED,  /* the guest has not validated the page (#VC) */
	RMP_CHK_VMPL,           /* the VMPL lacks a permission the access needs */
	RMP_CHK_TABLE,          /* bad RMP_BASE/RMP_END, or the entry unreadable */
	RMP_CHK_COUNT
};

struct rmp_access {
	uint64_t spa;
	bool write;
	bool host;          /* hypervisor/host access; the guest fields below are ignored */
	uint32_t asid;
	uint64_t gpa;
	bool private_;      /* C-bit set */
	bool large;         /* the nested mapping is 2MB (a 1GB mapping checks as 2MB) */
	uint8_t vmpl;       /* 0..3 */
	uint8_t perm_needed; /* RMP_PERM_*; 0 means RMP_PERM_R, and write adds RMP_PERM_W */
};

/* An access packed into one word, as rmp.fault trace records carry it
 * (docs/outputs.md): flags in bits 7:0, the VMPL in 15:8, the permissions
 * needed in 23:16, the ASID in 63:32. RMP_ACC_DMA is the platform's to set. */
#define RMP_ACC_WRITE 0x01ull
#define RMP_ACC_HOST 0x02ull
#define RMP_ACC_PRIVATE 0x04ull
#define RMP_ACC_LARGE 0x08ull
#define RMP_ACC_DMA 0x10ull
static inline uint64_t rmp_access_word(const struct rmp_access *a)
{
	return (a->write ? RMP_ACC_WRITE : 0) | (a->host ? RMP_ACC_HOST : 0) |
	       (a->private_ ? RMP_ACC_PRIVATE : 0) | (a->large ? RMP_ACC_LARGE : 0) |
	       (uint64_t)a->vmpl << 8 | (uint64_t)a->perm_needed << 16 | (uint64_t)a->asid << 32;
}

struct rmp_result {
	enum rmp_fault fault;
	enum rmp_check check; /* the rule that denied it (RMP_CHK_NONE when fault is RMP_OK) */
	uint64_t error_code; /* #PF / #NPF error code, or the #VC error code */
	unsigned reads;      /* 16-byte entries read */
	struct rmp_entry entry; /* the authoritative entry, once read */
};

/* Return codes (EAX) of RMPUPDATE, PSMASH, PVALIDATE, RMPADJUST (APM vol. 3). */
enum rmp_status {
	RMP_SUCCESS = 0,
	RMP_FAIL_INPUT = 1,
	RMP_FAIL_PERMISSION = 2,
	RMP_FAIL_INUSE = 3,        /* another CPU holds the entry: never, as ccsim is sequential */
	RMP_FAIL_OVERLAP = 4,      /* 4KB and 2MB entries would overlap */
	RMP_FAIL_SIZEMISMATCH = 6,
	RMP_FAIL_BADADDR = 7,      /* PSMASH: not a 2MB assigned entry */
};

/* Outcome of one table operation: either an architectural fault instead of
 * a return code (fault.fault != RMP_OK: #NPF / #VC from a guest instruction,
 * or RMP_FAULT_TABLE), or a status in EAX. */
struct rmp_op_result {
	enum rmp_status status;
	bool cf;           /* PVALIDATE rFLAGS.CF: success, but Validated already had that value */
	bool tlb_flush;    /* the table changed: cached RMP state in every TLB must go */
	unsigned reads, writes; /* entries read and written */
	struct rmp_result fault;
};

/* The guest page a PVALIDATE or RMPADJUST names, after the CPU translated
 * its VA to gpa and the nested tables to spa. */
struct rmp_guest_page {
	uint64_t spa, gpa;
	uint32_t asid;
	uint8_t vmpl;  /* VMPL the instruction runs at */
	bool size_2m;  /* RCX[0]: 2MB page */
};

/* 0, or -EINVAL when RMP_BASE/RMP_END are misaligned, hold no entry, do not
 * cover mem_top, or do not cover the table itself. */
__attribute__((warn_unused_result))
int rmp_config_check(const struct rmp_config *cfg);
/* End of the memory a valid cfg has entries for. */
static inline uint64_t rmp_covered_top(const struct rmp_config *cfg)
{
	return (cfg->end + 1 - cfg->base - RMP_BOOKKEEPING) / RMP_ENTRY_BYTES * RMP_PAGE_4K;
}
/* True if every page of [spa, spa + len) has an entry (len >= 1). */
static inline bool rmp_covers(const struct rmp_config *cfg, uint64_t spa, uint64_t len)
{
	uint64_t top = rmp_covered_top(cfg);
	return spa < top && len <= top - spa;
}
/* The table [base, end] of a machine with pa_bits of physical address
 * space: it covers memory up to what its entries reach (mem_top 0: too
 * small to hold one). */
static inline struct rmp_config rmp_config_of(uint64_t base, uint64_t end, unsigned pa_bits)
{
	struct rmp_config c = { base, end, 1ull << pa_bits };
	if (end + 1 - base < RMP_BOOKKEEPING + RMP_ENTRY_BYTES)
		c.mem_top = 0;
	else if (rmp_covered_top(&c) < c.mem_top)
		c.mem_top = rmp_covered_top(&c); /* the table bounds what it covers */
	return c;
}
/* Where the entry of the 4KB page holding spa lives. */
static inline uint64_t rmp_entry_pa(const struct rmp_config *cfg, uint64_t spa)
{
	return cfg->base + RMP_BOOKKEEPING + RMP_ENTRY_BYTES * (spa / RMP_PAGE_4K);
}

void rmp_entry_encode(const struct rmp_entry *e, uint8_t raw[RMP_ENTRY_BYTES]);
void rmp_entry_decode(const uint8_t raw[RMP_ENTRY_BYTES], struct rmp_entry *e);

/* The entry in spa's own 4KB slot, without the 2MB rule (dumps, firmware).
 * 0, -EINVAL (bad config, spa not covered) or the reader's errno. */
__attribute__((warn_unused_result))
int rmp_entry_read(const struct rmp_config *cfg, const struct rmp_io *io, uint64_t spa,
		   struct rmp_entry *e);
/* Writes spa's own slot with no checks: the SNP firmware (PSP) owns the
 * table and changes Immutable pages this way. */
__attribute__((warn_unused_result))
int rmp_entry_write(const struct rmp_config *cfg, const struct rmp_io *io, uint64_t spa,
		    const struct rmp_entry *e);

/* The authoritative entry for spa (APM 15.36.11: a 2MB entry decides for its
 * whole region): the 2MB-aligned entry is read first; if it is not a 2MB
 * entry and spa is not its page, spa's own entry is read too. cfg must be
 * valid and spa covered (asserted). */
struct rmp_lookup {
	struct rmp_entry entry;
	uint64_t entry_spa; /* first SPA the entry describes; its gpa maps there */
	unsigned reads;
	int err;            /* the reader's errno; entry is zero then */
};
struct rmp_lookup rmp_lookup(const struct rmp_config *cfg, const struct rmp_io *io, uint64_t spa);

/* The RMP check of one access (APM 15.36.10). */
__attribute__((warn_unused_result))
struct rmp_result rmp_check(const struct rmp_config *cfg, const struct rmp_io *io,
			    const struct rmp_access *a);
/* The check of a read and of a write of a's page by a's master, from one
 * table lookup: what the processor caches with a translation it fills
 * (15.36.10; a->write is ignored). rd->reads holds the entries read. */
void rmp_check_rw(const struct rmp_config *cfg, const struct rmp_io *io,
		  const struct rmp_access *a, struct rmp_result *rd, struct rmp_result *wr);

/* RMPUPDATE (hypervisor): write assigned, size, immutable, GPA and ASID for
 * spa; Validated and VMSA clear, VMPL0 gets RMP_PERM_ALL and VMPL1-3 nothing.
 * The other fields of *new are ignored. */
__attribute__((warn_unused_result))
struct rmp_op_result rmp_update(const struct rmp_config *cfg, const struct rmp_io *io,
				uint64_t spa, const struct rmp_entry *new);
/* PSMASH (hypervisor): split the 2MB entry at spa into 512 4KB entries that
 * keep its state, Validated and permissions included. */
__attribute__((warn_unused_result))
struct rmp_op_result rmp_psmash(const struct rmp_config *cfg, const struct rmp_io *io,
				uint64_t spa);
/* PVALIDATE (guest): set or clear Validated. */
__attribute__((warn_unused_result))
struct rmp_op_result rmp_pvalidate(const struct rmp_config *cfg, const struct rmp_io *io,
				   const struct rmp_guest_page *pg, bool validate);
/* RMPADJUST (guest): from pg->vmpl, set target_vmpl's permission mask (and,
 * at VMPL0 only, the VMSA bit). */
__attribute__((warn_unused_result))
struct rmp_op_result rmp_adjust(const struct rmp_config *cfg, const struct rmp_io *io,
				const struct rmp_guest_page *pg, uint8_t target_vmpl, uint8_t perms,
				bool vmsa);

/* Firmware (SNP_INIT) set-up: zero [base, end], then make each page of the
 * table assigned + immutable (firmware-owned), so it protects itself.
 * 0, -EINVAL or the writer's errno. */
__attribute__((warn_unused_result))
int rmp_init_table(const struct rmp_config *cfg, const struct rmp_io *io);

/* "ok", "rmp.pf", "rmp.npf", "rmp.npf_sizem", "rmp.npf_vmpl", "rmp.vc", "rmp.table" */
const char *rmp_fault_name(enum rmp_fault f);
/* The fault a denial by `c` raises (RMP_OK for RMP_CHK_NONE). */
enum rmp_fault rmp_check_fault(enum rmp_check c);
/* "none", "host_write", "shared", "no_entry", "not_assigned", "immutable",
 * "asid", "gpa", "size", "not_validated", "vmpl", "table"; "?" for others */
const char *rmp_check_name(enum rmp_check c);
/* "success", "fail_input", ... ; "?" for others */
const char *rmp_status_name(enum rmp_status s);

#endif
