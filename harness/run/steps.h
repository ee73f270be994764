/* The step handlers: what each step of the table (harness/lang/steps.h)
 * does on the machine, found by the same (actor, op), and the result it
 * leaves for captures and expectations. */
#ifndef CCSIM_HARNESS_RUN_STEPS_H
#define CCSIM_HARNESS_RUN_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/lang/steps.h"
#include "models/memenc/memenc.h"

/* What a step did: kept under its capture name and checked by expectations. */
struct step_result {
	bool faulted;
	uint16_t fault;         /* enum cc_fault_kind */
	bool has_status;
	uint8_t status_space;   /* enum steps_status_space: the ABI that returned it */
	uint64_t status;        /* raw: X0, RAX, the firmware's or the verifier's status */
	uint8_t nregs;          /* result registers returned: x[0..nregs-1] */
	uint64_t x[SCN_RESULT_REGS]; /* x1.. (X1.., RCX, RDX, R8..) */
	uint64_t cycles;
	uint8_t *bytes;         /* owned; data read */
	size_t len;
	bool has_raw;           /* phys.capture: the whole line as the DIMM holds it */
	struct memenc_raw_line raw;
};

/* Result register k (1-based: x1 is 1) is v; the registers up to k count
 * as returned. */
void steps_res_x(struct step_result *res, unsigned k, uint64_t v);
/* The step returned status raw in space sp. */
void steps_res_status(struct step_result *res, enum steps_status_space sp, uint64_t raw);

/* A field of a result, as captures are read (NAME.FIELD: lang's
 * scn_field_kind names them): status (the raw value), fault (enum
 * cc_fault_kind, 0 none), cycles, x1.. and their TDX names. 0 with *out;
 * -ENOENT when the result has none (no status; a register the call did
 * not return; a TDX name on another result); -EINVAL for no such field. */
int run_result_field(const struct step_result *r, const char *field, uint64_t *out);
/* What a user reads when run_result_field found nothing: "the step returns
 * no status", "the step returns x1..x2 only", ... */
void run_result_field_why(const struct step_result *r, const char *field, char *buf, size_t len);

struct run_ctx;
struct cpu;
struct cc_fault;

/* A step's handler: returns 0 (the step ran; faults are results), or -1
 * with a message naming what was wrong in the scenario. */
typedef int step_run_fn(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			char *err, size_t errlen);

struct step_handler {
	enum actor_kind actor;
	const char *op;
	step_run_fn *run;
};

/* The handler of a step table entry; NULL if it has none (a ccsim defect
 * run/tests/test_step_handlers.c rules out). */
step_run_fn *step_handler(const struct step_spec *spec);
/* Every handler: its entries at *all, how many. */
size_t step_handlers(const struct step_handler **all);

/* The step faulted (kind: enum cc_fault_kind): no bytes. */
void steps_res_fault(struct step_result *res, uint16_t kind);

/* s390 Secure Execution (steps_uv.c): ultravisor calls, SE images, the
 * owner's attestation request and expected measurement. */
int steps_uvc(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	      size_t errlen);
int steps_se_image(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen);
int steps_se_unpack(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen);
int steps_se_arcb(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		  char *err, size_t errlen);
int steps_se_measure(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen);
/* RMP instructions (steps_sev.c) and the SNP and SEV firmware commands. */
int steps_sev(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	      size_t errlen);
int steps_snp(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	      size_t errlen);
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
/* host.seamcall (steps_tdx.c): one SEAMCALL by leaf name. */
int steps_seamcall(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen);
/* host.tdx_shared_eptp and host.tdx_quote (steps_tdx.c): a TD vCPU's shared
 * EPT root, and the host's quoting service for a GetQuote buffer. */
int steps_tdx_shared_eptp(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			  char *err, size_t errlen);
int steps_tdx_quote(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen);
/* On tdx a vm is a bare TD the host builds before the scenario
 * (stacks/host/hv_tdx_bare.c) whose vCPU the vm drives (steps_tdx.c);
 * host.tdx_aug adds a page to it, VM.accept accepts it. */
int steps_tdx_vm_setup(struct run_ctx *rc, size_t i, char *err, size_t errlen);
/* s390-se: vm i (se=1) is the secure CPU of a configuration the host
 * builds before the scenario starts (steps_uv.c); its accesses import a
 * page that is not secure, as KVM serves PGM 0x3e. */
int steps_uv_vm_setup(struct run_ctx *rc, size_t i, char *err, size_t errlen);
int steps_uv_vm_access(struct run_ctx *rc, struct cpu *c, uint64_t addr, uint64_t gpa, bool write,
		       void *buf, uint32_t len, struct cc_fault *f, uint64_t *cycles);
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
/* steps_guest.c: host.guest_* (every one through this handler). */
int steps_guest(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen);
/* host.guest_swap_out / guest_swap_in (steps_swap.c). */
int steps_guest_swap(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen);
int steps_stat(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	       size_t errlen);
int steps_guess(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
		size_t errlen);
/* verifier.measure (steps_guest.c): the launch measurement a guest's
 * owner expects of its image, computed by the verifier (TDX: MRTD). */
int steps_measure(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		  char *err, size_t errlen);
/* verifier.verify (steps_guest.c): check attestation evidence. */
int steps_verify(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		 char *err, size_t errlen);
/* A result's status by name, in the space it belongs to (tdx.* for a
 * SEAMCALL, rsi.* for a realm's call); whether it is an error a defence
 * answered with; its code in the trace (steps_status_code). */
const char *steps_result_status_name(const struct step_result *r);
bool steps_result_status_refused(const struct step_result *r);
uint64_t steps_result_status_code(const struct step_result *r);

#endif
