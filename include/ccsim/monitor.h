/* ccsim's trusted-monitor interface: what a monitor (the Arm CCA RMM, the
 * AMD SEV-SNP and SEV firmware, the Intel TDX module), built in or loaded
 * from a shared library, offers the platform (struct ccsim_monitor_ops) and
 * what the platform offers it (struct ccsim_monitor_services). Plain C, no
 * ccsim internals; docs/monitor-api.md describes the contract.
 *
 * Determinism: a monitor reads time only through the services (the
 * simulated clock), draws randomness only from what the platform hands it
 * (the run's seed), and keeps every piece of state that matters in what
 * `save` writes. The services hand it no wall clock and no host randomness. */
#ifndef CCSIM_MONITOR_H
#define CCSIM_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Raised whenever a structure or a table below changes shape or meaning.
 * 2: Arm FEAT_MEC: ccsim_mem_req.mecid, ccsim_guest_regime.mecid (was
 *    reserved), the mec_refresh service.
 * 3: AMD SEV-SNP firmware and Intel TDX module: the rmp_read and
 *    tlbi_core services, CCSIM_MEM_PEEK and CCSIM_MEM_NT,
 *    ccsim_mem_req.core (was reserved), the call_buf op (a call with a
 *    buffer beside its registers), x86 regimes for guest_run
 *    (ccsim_guest_regime grew; ccsim_guest_params.insn_limit was
 *    reserved). */
#define CCSIM_MONITOR_ABI_VERSION 3u

/* A plug-in exports one function by this name:
 *   const struct ccsim_monitor_ops *ccsim_monitor_entry(uint32_t host_abi);
 * host_abi is the platform's CCSIM_MONITOR_ABI_VERSION; the table it returns
 * names its own in abi_version, and the platform refuses any other. */
#define CCSIM_MONITOR_ENTRY "ccsim_monitor_entry"

enum ccsim_monitor_kind {
	CCSIM_MONITOR_RMM = 1, /* Arm CCA Realm Management Monitor: RMI from the host, RSI from realms */
	CCSIM_MONITOR_SNP = 2, /* AMD SEV-SNP firmware (AMD-SP) */
	CCSIM_MONITOR_SEV = 3, /* AMD SEV / SEV-ES firmware */
	CCSIM_MONITOR_TDX = 4, /* Intel TDX module: SEAMCALL from the host, TDCALL from TDs */
};

/* A call's registers: X0..X7 of an SMC (SMCCC), or the firmware command /
 * SEAMCALL's argument registers in the monitor's own order. */
#define CCSIM_MONITOR_REGS 8

/* Physical address spaces, Arm ARM (DDI 0487) D9.1 numbering. */
enum ccsim_pas { CCSIM_PAS_SECURE = 0, CCSIM_PAS_NS = 1, CCSIM_PAS_ROOT = 2, CCSIM_PAS_REALM = 3 };

/* Faults the platform reports for an access (the memory path's verdict). */
enum ccsim_fault_kind {
	CCSIM_FAULT_NONE = 0,
	CCSIM_FAULT_GPC_GPF,       /* the granule's GPI denies the access's PAS */
	CCSIM_FAULT_GPC_WALK,
	CCSIM_FAULT_GPC_ADDR_SIZE,
	CCSIM_FAULT_GPC_EABT,
	CCSIM_FAULT_BUS_RANGE,     /* beyond the physical address space */
	CCSIM_FAULT_POISON,        /* integrity check failed */
	CCSIM_FAULT_MMU_S1,        /* guest stage 1 translation fault */
	CCSIM_FAULT_MMU_S2,        /* guest stage 2 translation fault */
	CCSIM_FAULT_IOMMU,
	CCSIM_FAULT_DMA_KEY,
	CCSIM_FAULT_RMP_PF,
	CCSIM_FAULT_RMP_NPF,
	CCSIM_FAULT_RMP_VC,
	CCSIM_FAULT_VMRUN_INVALID,
	CCSIM_FAULT_GP,
};
struct ccsim_fault {
	uint16_t kind;  /* enum ccsim_fault_kind */
	uint8_t level;  /* table level where a walk stopped */
	uint8_t code;   /* architectural syndrome when reported as an abort */
	uint8_t to_el3;
	uint64_t addr;  /* faulting physical address */
};

/* --- the monitor's own memory accesses --- */

/* Through the caches and every access-control check, as the monitor's
 * loads and stores go (default), or past the caches at the memory
 * controller as the AMD-SP's DMA does (CCSIM_MEM_DRAM: `key` names the
 * engine key slot, and no access-control check applies). */
#define CCSIM_MEM_DRAM 0x1u
/* The simulator's look, for a monitor's own invariant checks (query
 * CCSIM_QUERY_INVARIANT): a read of what a core would read now, coherent
 * with the caches, under `key` (>= 0), taking no time, changing no cache
 * and checking nothing. `cycles` may be NULL. */
#define CCSIM_MEM_PEEK 0x2u
/* A non-temporal access (x86 MOVNTI / MOVDIR64B: the TDX module's page
 * initialisation): the line goes to memory rather than staying cached. */
#define CCSIM_MEM_NT 0x4u
struct ccsim_mem_req {
	uint64_t pa;
	uint64_t len;   /* any length: the platform splits it into lines */
	uint32_t write; /* 0: read into buf, 1: write buf */
	uint32_t pas;   /* enum ccsim_pas (Arm): one the monitor's world may use */
	int32_t key;    /* engine key slot; -1: the PAS's (Arm) */
	uint32_t flags; /* CCSIM_MEM_* */
	/* Arm FEAT_MEC: the MECID a Realm-PAS access carries (the RMM's
	 * MECID_P*_EL2 / MECID_A*_EL2 for the mapping it uses): with key -1 it
	 * selects the engine's key for that memory encryption context. 0: the
	 * default MECID, the PAS's own key; ignored for other PASes and on a
	 * machine without FEAT_MEC. A MECID past the machine's is -EINVAL. */
	uint32_t mecid;
	/* ABI 3: the core (x86 logical processor) the access is made on: its
	 * private caches; 0 for a monitor with one PE (the RMM). */
	uint16_t core;
	uint16_t reserved; /* 0 */
};

/* --- guest code the monitor runs (the RMM's REC entry) --- */

#define CCSIM_VCPU_NREGS 31
#define CCSIM_VCPU_NLRS 4      /* GICv3 list registers */
#define CCSIM_INSN_BYTES 16    /* one instruction of ccsim's guest ISA */
/* A vCPU's architectural state, which the monitor owns and keeps where it
 * likes (the RMM: in the REC granule). */
struct ccsim_vcpu {
	uint64_t x[CCSIM_VCPU_NREGS];
	uint64_t pc;
	uint64_t daif;
	uint64_t elr, esr, far, vbar;
	uint64_t saved_daif;
	uint64_t cntv_ctl, cntv_cval;
	uint64_t lr[CCSIM_VCPU_NLRS];
	uint64_t work_left, saved_work;
	uint64_t insns;        /* instructions retired */
	uint64_t ttbr, ghcb;
};
/* How its addresses translate: stage 1 off (IPA = VA), the monitor's
 * stage 2 tables in `pas`, the TLB entries tagged with the monitor's world
 * and `vmid`. `fmt` CCSIM_REGIME_ARM: Arm VMSAv8-64 stage 2 tables, on
 * core 0. CCSIM_REGIME_X86_EPT (ABI 3): x86 nested paging as a TDX module
 * runs a TD vCPU, on core `core`: s2_root an EPT root (the Secure EPT of
 * the TD's private GPAs), shared_root the EPT of the GPAs with the shared
 * bit, entries' addresses `pa_bits` wide, every access and walk under
 * KeyID `key` (the TD's HKID), its TLB entries tagged `vmid` and `asid`. */
enum ccsim_regime_fmt { CCSIM_REGIME_ARM = 0, CCSIM_REGIME_X86_EPT = 1 };
struct ccsim_guest_regime {
	uint64_t s2_root;
	uint32_t start_level;
	uint32_t in_bits;      /* IPA width */
	uint32_t shared_bit;   /* the IPA bit that makes an address unprotected */
	uint32_t vmid;
	uint32_t pas;          /* enum ccsim_pas of the tables and of protected memory */
	uint32_t mecid;        /* Arm FEAT_MEC: VMECID_P_EL2, the MECID of the guest's
				  Realm-PAS accesses and stage 2 walks (0: the default) */
	/* ABI 3 */
	uint32_t fmt;          /* enum ccsim_regime_fmt */
	uint32_t core;         /* x86: the logical processor it runs on */
	uint64_t shared_root;  /* x86: the shared EPT root (0: none) */
	uint32_t pa_bits;      /* x86: address width of the tables' entries */
	int32_t key;           /* x86: KeyID of its accesses and walks */
	uint32_t asid;         /* x86: TLB tag beside vmid (a TD vCPU's index) */
	uint32_t reserved;     /* 0 */
};
struct ccsim_guest_params {
	uint64_t at;           /* cycles into the call: when execution starts */
	uint64_t budget;       /* stop after this many cycles (0: no limit) */
	uint32_t trap_wfi;     /* WFI stops execution even if a timer would wake it */
	/* ABI 3: stop (CCSIM_STOP_BUDGET) once this many instructions retired,
	 * as the VMX monitor trap flag does after one (0: no limit) */
	uint32_t insn_limit;
};
enum ccsim_guest_stop_why {
	CCSIM_STOP_CALL = 0,   /* SMC or HVC: x0.. hold the call; pc is past it */
	CCSIM_STOP_WFI,        /* pc is past it */
	CCSIM_STOP_ABORT,      /* a fetch or data access faulted; pc is at it */
	CCSIM_STOP_TIMER,      /* the virtual timer fired */
	CCSIM_STOP_BUDGET,     /* the budget ran out */
	CCSIM_STOP_VMGEXIT,
	CCSIM_STOP_TRAP,       /* an intercepted instruction (`trap`); pc is at it */
};
/* Trapped instructions (struct ccsim_guest_stop.trap). */
enum ccsim_trap { CCSIM_TRAP_CPUID = 0x19, CCSIM_TRAP_RDMSR = 0x1a, CCSIM_TRAP_WRMSR = 0x1b,
		  CCSIM_TRAP_IN = 0x1c, CCSIM_TRAP_OUT = 0x1d };
struct ccsim_guest_stop {
	uint32_t why;          /* enum ccsim_guest_stop_why */
	uint32_t trap;         /* CCSIM_STOP_TRAP: enum ccsim_trap */
	uint8_t hvc;           /* CCSIM_STOP_CALL: HVC rather than SMC */
	uint8_t fetch, write, size, reg; /* CCSIM_STOP_ABORT: the access */
	uint8_t reserved[3];
	uint64_t addr;         /* the address accessed (with stage 1 off, the IPA) */
	uint64_t value;        /* a store's data */
	struct ccsim_fault fault;
};

/* --- what the platform offers the monitor --- */

/* Every service takes the `host` pointer create was given. "cycles" is
 * the running total of the call being served: a service that takes time
 * starts at the call's issue cycle plus *cycles and adds what it took.
 * Trace records carry the present, which moves with each such service and
 * with `sync`. */
struct ccsim_monitor_services {
	uint32_t abi_version;  /* CCSIM_MONITOR_ABI_VERSION of the platform */
	uint32_t kind;         /* enum ccsim_monitor_kind of the slot */

	/* A profile key by its name ("gpc.delegable_base", "rmm.timer" as an
	 * index of its values, booleans 0 / 1), or one of the run's facts:
	 * "sim.seed" its seed, "machine.wbinvd" the WBINVDs over every core so
	 * far. 0, or -1 if there is no such key. */
	int (*param)(void *host, const char *key, uint64_t *value);

	/* Memory as the monitor's world reaches it: 0, 1 on a fault (*fault
	 * filled; lines before it were moved), or a negative errno for a
	 * malformed request. */
	int (*mem)(void *host, const struct ccsim_mem_req *req, void *buf, struct ccsim_fault *fault,
		   uint64_t *cycles);

	/* EL3 (Arm): move a granule NS -> Realm (delegate) or Realm -> NS
	 * (undelegate), with the cache maintenance and TLBI RPALOS TF-A's
	 * gpt_delegate_pas / gpt_undelegate_pas do. 0, -EPERM (not in the
	 * expected PAS) or -EINVAL (outside the delegable range). */
	int (*el3_delegate)(void *host, uint64_t pa, uint64_t *cycles);
	int (*el3_undelegate)(void *host, uint64_t pa, uint64_t *cycles);
	/* AMD: write the RMP entry of the page at pa (16 bytes as the table
	 * holds it), flushing cached RMP verdicts. 0 or a negative errno. */
	int (*rmp_write)(void *host, uint64_t pa, const uint8_t entry[16], uint64_t *cycles);
	/* Program engine key slot `slot` for `owner` (flags: 1 encrypt, 2
	 * private / integrity-tagged). 0 or a negative errno. */
	int (*key_program)(void *host, uint32_t slot, uint32_t owner, uint32_t flags);

	/* Maintenance. tlbi_vmid: every core's TLB entries of the monitor's
	 * world tagged `vmid` (TLBI VMALLS12E1IS). cache_flush: clean and
	 * invalidate [pa, pa + len) in every cache (0 or -EIO); wbinvd: the
	 * whole hierarchy. */
	void (*tlbi_vmid)(void *host, uint32_t vmid, uint64_t *cycles);
	int (*cache_flush)(void *host, uint64_t pa, uint64_t len, uint64_t *cycles);
	int (*wbinvd)(void *host, uint64_t *cycles);

	/* Run guest code on the monitor's PE until it stops (*stop says why);
	 * *spent gets the cycles it ran. 0, or a negative errno if it cannot
	 * run (a malformed access, a regime the machine cannot run). The
	 * markers the guest passes (its scenario phases) go where the
	 * platform routes the core's (the host that entered it). */
	int (*guest_run)(void *host, const struct ccsim_guest_regime *g, struct ccsim_vcpu *v,
			 const struct ccsim_guest_params *p, struct ccsim_guest_stop *stop,
			 uint64_t *spent);

	/* Time: the cycle the call being served was issued at; sync moves the
	 * present to that cycle plus `cycles` (never backwards). */
	uint64_t (*call_start)(void *host);
	void (*sync)(void *host, uint64_t cycles);

	/* Trace: a record type by its name ("note", "rec.enter", ...: ccsim
	 * trace --list-types), -1 if unknown; then records of it, stamped
	 * with the present and the monitor's source. */
	int (*trace_type)(void *host, const char *name);
	void (*trace)(void *host, int type, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		      const void *payload, uint32_t len);
	/* A fault kind's stable name ("gpc.gpf"), as traces and scenarios spell it. */
	const char *(*fault_name)(void *host, uint32_t kind);

	/* Arm FEAT_MEC (ABI 2): EL3's MECID refresh. The engine's key for
	 * memory encryption context `mecid` is replaced by a fresh one, so
	 * what was written under the old key no longer decrypts (TF-RMM asks
	 * it when it assigns or releases a MECID). 0, -EINVAL (MECID 0 or past
	 * the machine's) or -ENODEV (no FEAT_MEC: profile key mec.enabled). */
	int (*mec_refresh)(void *host, uint32_t mecid, uint64_t *cycles);

	/* AMD (ABI 3): read the RMP entry of the page at pa (16 bytes as the
	 * table holds it) as the AMD-SP reads the table, in time; with cycles
	 * NULL the simulator's look (no time, no cache effect), for invariant
	 * checks. 0 or a negative errno (-ENODEV: no RMP; -EINVAL: pa past
	 * what the table covers). */
	int (*rmp_read)(void *host, uint64_t pa, uint8_t entry[16], uint64_t *cycles);
	/* ABI 3: core `core`'s TLB entries of the monitor's world tagged
	 * `vmid` (the TDX module's TLB tracking at TD entry: the LP's own);
	 * the cost of tlbi_vmid. */
	void (*tlbi_core)(void *host, uint32_t core, uint32_t vmid, uint64_t *cycles);
};

/* --- what the monitor offers the platform --- */

/* Statistic kinds for `stats`. */
enum ccsim_stat_kind { CCSIM_STAT_COUNT = 0, CCSIM_STAT_CYCLES = 1 };
typedef void ccsim_stat_fn(void *ctx, const char *name, uint32_t kind, const uint64_t *value,
			   const char *desc);
typedef void ccsim_write_fn(void *ctx, const void *bytes, size_t len);

/* Narrow questions the platform's invariant checks and host stacks ask
 * (`query`); a monitor answers those of its kind and returns -1 for others,
 * so a new question leaves CCSIM_MONITOR_ABI_VERSION as it is. */
enum ccsim_monitor_query {
	/* RMM: the granule states (DEN0137 A2.2, RMI numbering: 0
	 * UNDELEGATED, 1 DELEGATED, 2 RD, 3 REC, 4 REC_AUX, 5 DATA, 6 RTT) of
	 * `len` granules from PA `arg`, one byte each, into out. */
	CCSIM_QUERY_GRANULE_STATES = 1,
	/* RMM: the first command since create that failed but changed state
	 * (DEN0137 B1.6 RDDGDW: it must not): out = uint64_t[2] {fid, status},
	 * {0, 0} if none. */
	CCSIM_QUERY_ABORTED = 2,
	/* Calls guest code made to the monitor so far (RSI, TDCALL): out = uint64_t. */
	CCSIM_QUERY_GUEST_CALLS = 3,
	/* How many result registers (X0 first) call `arg` returns: out =
	 * uint64_t; what the differential mode compares. */
	CCSIM_QUERY_CALL_RESULTS = 4,
	/* Its platform state: AMD firmware (SEV API: 0 UNINIT, 1 INIT, 2
	 * WORKING), the TDX module (its initialisation: 0 UNINIT, 1
	 * INITIALIZED, 2 CONFIGURED, 3 KEYS_CONFIGURED, 4 READY, 5 DISABLED):
	 * out = uint64_t. */
	CCSIM_QUERY_PLATFORM_STATE = 5,
	/* AMD firmware: the guests holding ASID `arg`: out = uint64_t[3] {how
	 * many, the handle of the first, of the second}. */
	CCSIM_QUERY_ASID_GUESTS = 6,
	/* AMD firmware: was ASID `arg` deactivated and not yet DF_FLUSHed?
	 * out = uint64_t 0 / 1. */
	CCSIM_QUERY_ASID_FLUSH_PENDING = 7,
	/* Work the monitor has done so far (calls, guest calls, guest
	 * entries): out = uint64_t. The platform checks CCSIM_QUERY_INVARIANT
	 * again only when it moved. */
	CCSIM_QUERY_ACTIVITY = 8,
	/* The monitor's own invariant over the structures it keeps in memory,
	 * read without side effects (TDX: the PAMT and every TD's Secure EPT
	 * agree): out = char[len], "" if it holds, else what disagrees. */
	CCSIM_QUERY_INVARIANT = 9,
	/* Has the monitor disabled itself (TDX: a machine check in SEAM root
	 * mode)? Then no call reaches it and no guest runs: out = uint64_t 0 / 1. */
	CCSIM_QUERY_DISABLED = 10,
	/* TDX: is the 4 KB page at PA `arg` free for the host to hand to the
	 * module (PAMT PT_NDA)? out = uint64_t 0 / 1. */
	CCSIM_QUERY_PAGE_FREE = 11,
	/* TDX: is vector `arg & 0xff` still waiting for the vCPU whose TDVPR
	 * is at `arg & ~0xfff` (posted and not processed, or pending in its
	 * virtual APIC)? The simulator's view for a run's outcome: out =
	 * uint64_t 0 / 1. */
	CCSIM_QUERY_VIRQ_WAITING = 12,
	/* TDX: its KeyIDs: out = uint64_t[3] {the first private KeyID, how
	 * many KeyIDs there are, its global private KeyID (0 before
	 * TDH.SYS.CONFIG)}. */
	CCSIM_QUERY_KEYIDS = 13,
	/* TDX: is KeyID `arg` free for a new TD (its Key Ownership Table
	 * entry HKID_FREE)? out = uint64_t 0 / 1. */
	CCSIM_QUERY_KEYID_FREE = 14,
	/* SNP firmware: does a report's MEASUREMENT equal what the firmware
	 * measured at launch for the guest its REPORT_ID names (its own record,
	 * never the context page's digest)? The simulator's view, for a run's
	 * outcome: out holds the report (len = its 0x4A0 bytes) on entry, and
	 * on return its first 8 bytes a uint64_t 1 (yes), 0 (no: a forged
	 * report) or UINT64_MAX (no such guest now). */
	CCSIM_QUERY_REPORT_MEASURED = 15,
};

struct ccsim_monitor_ops {
	uint32_t abi_version;   /* CCSIM_MONITOR_ABI_VERSION it was built against */
	uint32_t kind;          /* enum ccsim_monitor_kind it implements */
	const char *name;       /* "rmm": its trace source, the prefix of its statistics */
	const char *description;
	uint32_t state_version; /* of the blob save writes */

	/* A new instance; NULL with a message in err if it cannot run on this
	 * machine. The services table and host outlive it. */
	void *(*create)(const struct ccsim_monitor_services *svc, void *host, char *err,
			size_t errlen);
	void (*destroy)(void *mon);
	/* Power-on state (the platform calls it before a run's first step). */
	void (*reset)(void *mon);

	/* Does the monitor answer this call (an SMC FID, a command id)? */
	int (*owns_call)(void *mon, uint64_t fid);
	/* One call from the host (RMI SMC, firmware command, SEAMCALL):
	 * regs[0] is the function id on entry and the status on exit. */
	void (*call)(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles);
	/* One call from guest code the platform runs itself (TDCALL from a
	 * TD, a GHCB request); NULL when the monitor runs its guests' code
	 * itself (the RMM handles RSI inside REC entry). Returns what the
	 * guest's vCPU does next (0: resume). */
	int (*guest_call)(void *mon, uint64_t vcpu, uint64_t regs[CCSIM_MONITOR_REGS],
			  uint64_t *cycles);

	/* Checkpoints: every byte of state that matters, through write; and
	 * back from such a blob (written with state_version `version`).
	 * 0, or -1 (restore: the blob is not one it can read). */
	int (*save)(void *mon, ccsim_write_fn *write, void *ctx);
	int (*restore)(void *mon, uint32_t version, const void *blob, size_t len);
	/* Its statistics, each by full name; `value` stays valid (and is read
	 * when the platform reports) until destroy. Called once, after create. */
	void (*stats)(void *mon, ccsim_stat_fn *emit, void *ctx);
	/* 0 with the answer in out (`len` bytes), or -1: see enum ccsim_monitor_query. */
	int (*query)(void *mon, uint32_t what, uint64_t arg, void *out, size_t len);

	/* ABI 3: a call whose inputs or outputs do not fit the registers: as
	 * call, with `buf` (`len` bytes) read and written in place. The AMD-SP's
	 * command buffer where the registers cannot carry its fields (SNP
	 * LAUNCH_FINISH's ID block, GUEST_REQUEST's report); the TDX module's
	 * TDH.VP.ENTER, whose TD GPRs take all sixteen x86 registers. The
	 * buffer's transfer takes no simulated time. NULL when no call of the
	 * monitor takes one. */
	void (*call_buf)(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], void *buf, size_t len,
			 uint64_t *cycles);
};

typedef const struct ccsim_monitor_ops *ccsim_monitor_entry_fn(uint32_t host_abi);

/* What a plug-in defines (and the only symbol it needs to export when
 * built with -fvisibility=hidden). */
#if defined(__GNUC__)
#define CCSIM_MONITOR_EXPORT __attribute__((visibility("default")))
#else
#define CCSIM_MONITOR_EXPORT
#endif
CCSIM_MONITOR_EXPORT const struct ccsim_monitor_ops *ccsim_monitor_entry(uint32_t host_abi);

#ifdef __cplusplus
}
#endif

#endif
