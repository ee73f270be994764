/* The step table: every actor kind, the steps it accepts, their arguments
 * and handlers. The parser validates scenarios against it and `ccsim steps`
 * prints it, so the documentation and the implementation cannot drift. */
#ifndef CCSIM_HARNESS_STEPS_H
#define CCSIM_HARNESS_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/scenario.h"
#include "models/memenc/memenc.h"

/* Whose status a result holds: the small tagged codes steps_status_name
 * names (RMI, RSI, SNP, ...), or a TDX module completion status, whose
 * whole 64-bit range (TDX_SUCCESS = 0 included) is the ABI's. */
enum steps_status_space { STEPS_STATUS_DEFAULT = 0, STEPS_STATUS_TDX = 1 };

enum actor_kind { ACTOR_HOST, ACTOR_VM, ACTOR_PHYS, ACTOR_DEV, ACTOR_VERIFIER, ACTOR_KIND_COUNT };
enum step_arg_type { ARG_NUM, ARG_BYTES, ARG_NAME, ARG_NAME_NUM /* a name or a number */ };

struct step_arg_spec {
	const char *name;       /* NULL ends the list; "" is the positional word */
	enum step_arg_type type;
	bool required;
	const char *help;
};

/* What a step did: kept under its capture name and checked by expectations. */
struct step_result {
	bool faulted;
	uint16_t fault;         /* enum cc_fault_kind */
	bool has_status;
	uint8_t status_space;   /* enum steps_status_space: whose names .status takes */
	uint64_t status;        /* monitor X0 */
	uint64_t x1, x2;
	uint64_t cycles;
	uint8_t *bytes;         /* owned; data read */
	size_t len;
	bool has_raw;           /* phys.capture: the whole line as the DIMM holds it */
	struct memenc_raw_line raw;
};

struct run_ctx;
struct cpu;
struct cc_fault;

struct step_spec {
	enum actor_kind actor;
	const char *op;
	const char *summary;
	const char *example;
	struct step_arg_spec args[12]; /* ends at the first NULL name */
	/* Returns 0 (the step ran; faults are results), or -1 with a message
	 * naming what was wrong in the scenario. */
	int (*run)(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen);
	/* Extra parse-time check (e.g. the RMI command's own arguments); returns
	 * NULL or a g_malloc'd message, with *col the column to blame. */
	char *(*check)(const struct scn_step *st, int *col);
};

const struct step_spec *step_lookup(enum actor_kind actor, const char *op);
/* The step faulted (kind: enum cc_fault_kind): no bytes. */
void steps_res_fault(struct step_result *res, uint16_t kind);
const char *actor_kind_name(enum actor_kind a);
/* Print every actor and step with arguments and an example. */
void steps_print(FILE *f);
/* Find an argument by key; NULL if absent. Positional: key "". */
const struct scn_arg *step_arg(const struct scn_step *st, const char *key);
/* "unknown WHAT \"word\" (implemented: a, b, ...)", g_malloc'd: the names
 * of a command table's n entries (each stride bytes, its name a const
 * char * at name_off), for a step's parse-time check. */
char *steps_unknown_command(const char *what, const char *word, const void *table, size_t n,
			    size_t stride, size_t name_off);

/* steps_guest.c: host.guest_* (every one through this handler) and
 * verifier.verify; steps_status.c: status names. Verifier statuses are STEPS_VERIFY_STATUS | code. */
#define STEPS_VERIFY_STATUS 0x7e00ull
/* A guest's RSI call (NAME.op rsi): its X0 as STEPS_RSI_STATUS | code (rsi.*). */
/* RMP instructions (steps_sev.c): EAX as STEPS_RMP_STATUS | code (rmp.*);
 * rmp.unsupported on a profile without an RMP. */
#define STEPS_RMP_STATUS 0x7b00ull
#define STEPS_RMP_UNSUPPORTED (STEPS_RMP_STATUS | 0xff)
/* SNP firmware commands (host.snp): STEPS_SNP_STATUS | the ABI status (snp.*). */
#define STEPS_SNP_STATUS 0x7a00ull /* = HV_SNP_STATUS */
#define STEPS_SNP_UNSUPPORTED (STEPS_SNP_STATUS | 0xff)
/* SEV firmware commands (host.sev): STEPS_SEV_STATUS | the API status (sev.*). */
#define STEPS_SEV_STATUS 0x7900ull /* = HV_SEV_STATUS */
#define STEPS_SEV_UNSUPPORTED (STEPS_SEV_STATUS | 0xff)
int steps_sev(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	      size_t errlen);
char *steps_sev_check(const struct scn_step *st, int *col);
int steps_snp(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	      size_t errlen);
char *steps_snp_check(const struct scn_step *st, int *col);
int steps_rmpupdate(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen);
int steps_tlb_shootdown(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			char *err, size_t errlen);
int steps_psmash(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		 char *err, size_t errlen);
int steps_pvalidate(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen);
int steps_rmpadjust(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen);
#define STEPS_RSI_STATUS 0x7d00ull
/* host.seamcall (steps_tdx.c): RAX, the completion status (tdx.*), in
 * STEPS_STATUS_TDX; tdx.unsupported off the tdx profile (a code in the
 * range the module's own statuses leave to the simulator). */
#define STEPS_TDX_UNSUPPORTED 0xFFFF00FF00000000ull
int steps_seamcall(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen);
char *steps_seamcall_check(const struct scn_step *st, int *col);
/* host.tdx_shared_eptp and host.tdx_quote (steps_tdx.c): a TD vCPU's shared
 * EPT root, and the host's quoting service for a GetQuote buffer. */
int steps_tdx_shared_eptp(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			  char *err, size_t errlen);
int steps_tdx_quote(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen);
/* `ccsim steps`: the leaves and their argument names. */
void steps_seamcall_print(FILE *f);
/* On tdx a vm is a bare TD the host builds before the scenario
 * (stacks/host/hv_tdx_bare.c) whose vCPU the vm drives (steps_tdx.c);
 * host.tdx_aug adds a page to it, VM.accept accepts it. */
int steps_tdx_vm_setup(struct run_ctx *rc, size_t i, char *err, size_t errlen);
/* A vm's load or store on tdx: gpa through its TD's Secure EPT (shared:
 * GPA.SHARED, the host's shared EPT). A private GPA the TD has not mapped
 * is an EPT violation the host serves as KVM does, with TDH.MEM.PAGE.AUG
 * of the page addr names, which the TD accepts (Linux's lazy accept);
 * when the module refuses the AUG the access stays faulted and res gets
 * the refusal as its status. 0, 1 (faulted) or -1. */
int steps_tdx_vm_access(struct run_ctx *rc, struct cpu *c, uint64_t addr, uint64_t gpa, bool shared,
			bool write, void *buf, uint32_t len, struct cc_fault *f, uint64_t *cycles,
			struct step_result *res);
int steps_tdx_aug(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		  char *err, size_t errlen);
int steps_tdx_accept(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen);
int steps_guest(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen);
/* Parse-time check of host.guest_run's arguments (until= names an exit reason). */
char *steps_guest_run_check(const struct scn_step *st, int *col);
int steps_stat(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	       size_t errlen);
/* verifier.measure (steps_guest.c): the launch measurement a guest's
 * owner expects of its image, computed by the verifier (TDX: MRTD). */
int steps_measure(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		  char *err, size_t errlen);
int steps_verify(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		 char *err, size_t errlen);
/* A status by name: verify.* for the verifier, rsi.* for a guest's RSI
 * call, else rmi_status_name. */
const char *steps_status_name(uint64_t x0);
/* A result's status by name, in the space it belongs to (tdx.* for a
 * SEAMCALL); whether it is an error a defence answered with. */
const char *steps_result_status_name(const struct step_result *r);
bool steps_result_status_refused(const struct step_result *r);
bool steps_status_known(const char *name);

#endif
