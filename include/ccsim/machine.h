/* ccsim's machine as a component: one platform built from a profile, driven
 * access by access through its whole memory path (granule / RMP checks,
 * caches, the encryption engine, DRAM) with the security attributes a bus
 * transaction carries, for bus-level hosts such as the SystemC TLM-2.0
 * adapter (sysc/, docs/systemc.md). Plain C, no other ccsim header needed.
 *
 * Time: the machine is one blocking master. Each access or call starts at
 * the machine's present and moves it past itself; the cycles it cost are
 * returned. No wall clock is read: the same calls give the same results. */
#ifndef CCSIM_PUBLIC_MACHINE_H
#define CCSIM_PUBLIC_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ccsim_machine;

/* Arm CCA: the physical address space, as a transaction's NS and NSE bits
 * name it (Arm ARM DDI 0487 K.a D9.1; AMBA AXI5 / CHI RME: {NSE, NS} =
 * 00 Secure, 01 Non-secure, 10 Root, 11 Realm). QEMU's ArmSecuritySpace
 * numbers them alike. */
enum ccsim_pas { CCSIM_PAS_SECURE = 0, CCSIM_PAS_NS = 1, CCSIM_PAS_ROOT = 2, CCSIM_PAS_REALM = 3 };

static inline enum ccsim_pas ccsim_pas_of(bool nse, bool ns)
{
	return (enum ccsim_pas)((nse ? 2 : 0) | (ns ? 1 : 0));
}

/* What a transaction says about who makes it. All zero is a host's access
 * in Secure PAS on Arm; set ns = 1 for the normal world. Each architecture
 * reads its own fields and ignores the others:
 *   cca      ns, nse (the PAS)
 *   sev*     c_bit (private / encrypted), guest, asid, gpa, vmpl: a guest's
 *            access names its ASID and the GPA the RMP expects (SEV-SNP);
 *            a host's C-bit selects its own (SME) key, clear the plaintext
 *            path
 *   tdx      keyid (the KeyID in the PA's top bits), td: made in SEAM / TD
 *            mode, the only one that may use a private KeyID
 *   s390-se  guest, asid (the secure configuration's id), gpa: a secure
 *            guest's access, which the ultravisor checks
 *   plain    nothing */
struct ccsim_attrs {
	bool ns, nse;
	bool c_bit, guest;
	uint8_t vmpl;
	uint32_t asid;
	uint64_t gpa;
	uint32_t keyid;
	bool td;
	uint8_t core; /* the physical core whose caches it goes through (0) */
};

/* A fault: kind is ccsim's stable name ("gpc.gpf", "rmp.pf", "rmp.npf",
 * "rmp.vc", "mmu.s1", "mce.poison", "bus.range", ...; docs/outputs.md),
 * detail a finer one (the RMP rule, the GPI, "private_keyid"). */
struct ccsim_fault {
	const char *kind;
	const char *detail;
	uint64_t addr;  /* the faulting physical address */
	uint32_t code;  /* the architecture's syndrome (Arm FSC, RMP fault) */
	uint32_t level; /* table level of a walk fault */
};

struct ccsim_result {
	uint64_t cycles;          /* what the access cost, faulted or not */
	struct ccsim_fault fault; /* kind "none" when it completed */
};

/* Build a machine from a profile name (or a path to a .ini) plus
 * "group.key=value" overrides, as `ccsim run --set` takes them; the
 * simulation's seed (its keys) is 1, a run's default. 0, or -1 with a
 * message naming the file and line in err. */
int ccsim_machine_new(const char *profile, const char *const *sets, size_t nsets,
		      struct ccsim_machine **out, char *err, size_t errlen);
void ccsim_machine_free(struct ccsim_machine *m);

const char *ccsim_machine_profile(const struct ccsim_machine *m); /* its name */
const char *ccsim_machine_arch(const struct ccsim_machine *m);    /* plain, cca, sev-snp, tdx, ... */
uint64_t ccsim_machine_freq_hz(const struct ccsim_machine *m);    /* cycles per second */
uint64_t ccsim_machine_mem_size(const struct ccsim_machine *m);   /* 2^pa_bits bytes */
uint64_t ccsim_machine_now(const struct ccsim_machine *m);        /* the present, in cycles */

/* One access of len bytes (any length; split into cache lines) through the
 * memory path. 0 done; 1 faulted (res->fault says why; lines before the
 * faulting one were moved); -EINVAL for a request the machine cannot take
 * (len 0, a key the engine does not have, a core it does not have),
 * -ENOKEY for a key slot never loaded. res->cycles either way. */
int ccsim_machine_access(struct ccsim_machine *m, uint64_t pa, void *buf, size_t len, bool write,
			 const struct ccsim_attrs *a, struct ccsim_result *res);

/* The physical view: what the DRAM cells hold at pa (ciphertext where the
 * engine encrypts), through the DIMM's address decoder, past every check
 * and cache, with no effect on the run (no time, no statistic, no trace).
 * Lines still dirty in a cache are not there yet (ccsim_machine_wbinvd).
 * 0 or -ERANGE. */
int ccsim_machine_phys_read(struct ccsim_machine *m, uint64_t pa, void *buf, size_t len);
int ccsim_machine_phys_write(struct ccsim_machine *m, uint64_t pa, const void *buf, size_t len);

/* Write back and invalidate every cache (WBINVD). 0 or -EIO. */
int ccsim_machine_wbinvd(struct ccsim_machine *m, uint64_t *cycles);

/* --- monitor and firmware calls, to set up state --- */

/* An SMC from the world of the PAS a->ns / a->nse name: SMCCC function id
 * in regs[0], arguments after it; the answer comes back in regs (Arm CCA:
 * RMI calls reach the RMM, e.g. RMI_GRANULE_DELEGATE = 0xc4000151). */
void ccsim_machine_smc(struct ccsim_machine *m, const struct ccsim_attrs *a, uint64_t regs[8],
		       uint64_t *cycles);

/* SEV-SNP. RMPUPDATE (the hypervisor's instruction, APM vol. 3): assign
 * the 4 KB page at spa to asid at gpa (asid 0 and !immutable: back to the
 * hypervisor). PVALIDATE (the guest's): set or clear Validated. Each
 * returns the instruction's status (0 success, APM's FAIL_* codes), or -1
 * with *fault set when it faulted, or -ENODEV without an RMP. */
int ccsim_machine_rmpupdate(struct ccsim_machine *m, uint64_t spa, uint32_t asid, uint64_t gpa,
			    bool immutable, struct ccsim_fault *fault, uint64_t *cycles);
int ccsim_machine_pvalidate(struct ccsim_machine *m, uint64_t spa, uint32_t asid, uint64_t gpa,
			    bool validate, struct ccsim_fault *fault, uint64_t *cycles);
/* An SNP firmware command (SEV-SNP Firmware ABI, AMD 56860) by name:
 * "init", "launch_start" (args: gctx, policy), "activate" (gctx, asid: loads
 * the guest's key), "launch_update" (gctx, spa, gpa, page type),
 * "launch_finish" (gctx), "decommission" (gctx), "df_flush". Returns the
 * firmware's status (0 success), -ENODEV without the SNP firmware, -EINVAL
 * for an unknown command. */
int ccsim_machine_snp(struct ccsim_machine *m, const char *cmd, const uint64_t args[4],
		      uint64_t *cycles);

/* Load a fresh key into engine slot `slot` (a KeyID, an ASID): what a
 * TDX module's key configuration or an MKTME PCONFIG does. private_: a TDX
 * private KeyID (owner bit and MAC checked on its reads). 0 or -EINVAL. */
int ccsim_machine_key_program(struct ccsim_machine *m, unsigned slot, bool encrypt, bool private_);

/* --- what may bypass the memory path (TLM DMI) --- */

/* Grows whenever the set of pages whose checks give another answer may
 * have changed: a GPT change (delegation, undelegation), an RMP entry
 * written, a key slot loaded. Compare it to decide whether a grant made
 * earlier still holds. */
uint64_t ccsim_machine_generation(const struct ccsim_machine *m);
/* fn(ctx, generation) after any call on m that moved the generation. One
 * listener; fn NULL removes it. */
void ccsim_machine_on_change(struct ccsim_machine *m, void (*fn)(void *ctx, uint64_t generation),
			     void *ctx);

/* Direct access to the DRAM cells of the page holding pa, for a master
 * with attributes a, when no access of it could be refused, translated
 * or transformed there: the key a's accesses use does not encrypt (no
 * per-line metadata), the GPC (if any) grants a's PAS, the RMP (if any)
 * lets the access through, the page reaches its own cells (no decoder
 * alias). 1 granted (*d filled; the page is first cleaned from every
 * cache, so the cells are current; keep the grant while
 * ccsim_machine_generation is unchanged and no ordinary access touched the
 * page), 0 refused (d->reason says why). */
struct ccsim_dmi {
	uint8_t *ptr;      /* the cells of [start, end] */
	uint64_t start, end;
	bool read, write;
	uint64_t generation;
	const char *reason;
};
int ccsim_machine_dmi(struct ccsim_machine *m, uint64_t pa, const struct ccsim_attrs *a,
		      struct ccsim_dmi *d);
/* Would ccsim_machine_dmi grant the page of pa to a now (TLM's DMI hint)?
 * Peeks only. */
bool ccsim_machine_dmi_possible(struct ccsim_machine *m, uint64_t pa, const struct ccsim_attrs *a);
/* Does grant d (for attributes a) still give exactly its rights after the
 * generation moved? Peeks only: no effect on the run. */
bool ccsim_machine_dmi_holds(struct ccsim_machine *m, const struct ccsim_dmi *d,
			     const struct ccsim_attrs *a);

/* --- statistics --- */

/* A counter by its full name ("machine.gpc.faults", "memenc.decrypts",
 * "llc.misses"); -1 (all ones) if there is none. */
uint64_t ccsim_machine_stat(const struct ccsim_machine *m, const char *name);
/* Every statistic as nested JSON. */
void ccsim_machine_stats_json(const struct ccsim_machine *m, FILE *f);

#ifdef __cplusplus
}
#endif

#endif
