/* The step table as syntax: every actor kind, the steps it accepts, their
 * arguments, an example and the parse-time checks. The parser validates
 * scenarios against it and `ccsim steps` prints it, so the documentation and
 * the language cannot drift; the runner's handlers (harness/run/steps.h)
 * are keyed by the same (actor, op). Nothing here knows how a step runs. */
#ifndef CCSIM_HARNESS_LANG_STEPS_H
#define CCSIM_HARNESS_LANG_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/lang/scenario.h"

/* Whose status a result holds: the ABI that returned it, which its names
 * come from (steps_status_name). 0 and 1 keep their meaning of run
 * checkpoint formats up to 3, which saved the space in one bit. */
enum steps_status_space {
	STEPS_STATUS_RMI = 0,   /* RMI X0 (host.rmi, a realm's build); a plain guest's 0 */
	STEPS_STATUS_TDX = 1,   /* a TDX module completion status (RAX): its whole 64 bits */
	STEPS_STATUS_RSI,       /* a realm's RSI call: X0 */
	STEPS_STATUS_PSCI,      /* a PSCI call: X0 (a return code, or what the call returns) */
	STEPS_STATUS_SMC,       /* any other SMC: X0 (smc.unknown, SMC_UNKNOWN) */
	STEPS_STATUS_SNP,       /* the SNP firmware's ABI status */
	STEPS_STATUS_SEV,       /* the SEV firmware's API status (SEV, SEV-ES guests) */
	STEPS_STATUS_RMP,       /* an RMP instruction's EAX */
	STEPS_STATUS_VERIFY,    /* the verifier's verdict */
	STEPS_STATUS_UV,        /* an s390 ultravisor call's return code (RC, 16 bits) */
	STEPS_STATUS_SWAP,      /* the host stack's swap steps where no monitor answered */
	STEPS_STATUS_SPACES
};

enum actor_kind { ACTOR_HOST, ACTOR_VM, ACTOR_PHYS, ACTOR_DEV, ACTOR_VERIFIER, ACTOR_KIND_COUNT };
enum step_arg_type { ARG_NUM, ARG_BYTES, ARG_NAME, ARG_NAME_NUM /* a name or a number */ };

struct step_arg_spec {
	const char *name;       /* NULL ends the list; "" is the positional word */
	enum step_arg_type type;
	bool required;
	const char *help;
};

struct step_spec {
	enum actor_kind actor;
	const char *op;
	const char *summary;
	const char *example;
	struct step_arg_spec args[20]; /* ends at the first NULL name (host.snp has 18) */
	/* Extra parse-time check (e.g. the RMI command's own arguments); returns
	 * NULL or a g_malloc'd message, with *col the column to blame. */
	char *(*check)(const struct scn_step *st, int *col);
	/* `ccsim steps`: what it prints after the example (the commands a
	 * step names and their arguments); NULL: nothing. */
	void (*print)(FILE *f);
};

const struct step_spec *step_lookup(enum actor_kind actor, const char *op);
/* The whole table, in `ccsim steps` order: its entries at *all, how many. */
size_t steps_table(const struct step_spec **all);
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

/* The parse-time checks of the steps that name a command of a monitor ABI
 * (steps_check.c): the command exists and takes the arguments given. */
char *steps_rmi_check(const struct scn_step *st, int *col);
char *steps_snp_check(const struct scn_step *st, int *col);
char *steps_sev_check(const struct scn_step *st, int *col);
char *steps_seamcall_check(const struct scn_step *st, int *col);
/* host.uvc / NAME.uvc (steps_check_uv.c): the call exists, takes the
 * fields given; and what `ccsim steps` lists of the calls. */
char *steps_uvc_check(const struct scn_step *st, int *col);
void steps_uvc_print(FILE *f);
/* Parse-time check of host.guest_run's arguments (until= names an exit reason). */
char *steps_guest_run_check(const struct scn_step *st, int *col);
/* `ccsim steps`: the RMI commands / SEAMCALL leaves and their argument names. */
void steps_rmi_print(FILE *f);
void steps_seamcall_print(FILE *f);
/* host.snp launch_update's type=: the PAGE_TYPE byte it names (a number as
 * given; default normal). */
unsigned steps_snp_page_type(const struct scn_step *st);
/* host.snp page_swap_*'s page_type=: data 0, metadata 1, vmsa 2, or the number. */
unsigned steps_snp_swap_page_type(const struct scn_step *st);

/* rmp.unsupported, snp.unsupported, sev.unsupported: the raw status of an
 * RMP instruction or a firmware command on a profile that has no RMP or
 * no such firmware (nothing changes). */
#define STEPS_UNSUPPORTED 0xffull
/* host.seamcall and the other TDX steps off the tdx profile:
 * tdx.unsupported (a code in the range the module's own statuses leave to
 * the simulator). */
#define STEPS_TDX_UNSUPPORTED 0xFFFF00FF00000000ull
/* A status by name, in its space: "rmi.error_rtt" (RMI's index is not part
 * of the name), "rsi.success", "tdx.operand_invalid", "snp.unsupported";
 * "SPACE.?" for a value the space has no name for (PSCI_VERSION's
 * 0x10001, say), which expectations compare by number. */
const char *steps_status_name(enum steps_status_space sp, uint64_t raw);
/* "rmi", "rsi", "tdx", ...: the prefix of the space's names. */
const char *steps_status_space_name(enum steps_status_space sp);
/* The space of an SMC's X0 by its function id: an RMI command's (rmi), an
 * RSI function's (rsi), a PSCI function's (psci), anything else (smc). */
enum steps_status_space steps_smc_space(uint64_t fid);
/* Whether a status is an error a defence answered with (the outcome's
 * "blocked: NAME"): an unsupported call was not tried, SMC_UNKNOWN is no
 * defence. */
bool steps_status_refused(enum steps_status_space sp, uint64_t raw);
/* Whether an expectation may name this status (tdx.* included). */
bool steps_status_known(const char *name);

/* A step's status as one 64-bit code, as the trace's step.done record
 * keeps it (and run checkpoints up to format 3 did): a TDX status, RMI's
 * and the other SMCs' X0 as they are, the small codes of the other spaces
 * tagged with their space. steps_status_decode turns a code back (tdx:
 * the result was known to be a TDX one); a PSCI or SMC X0 comes back as
 * RMI's, as the trace never told them apart. */
#define STEPS_VERIFY_STATUS 0x7e00ull
#define STEPS_RSI_STATUS 0x7d00ull
#define STEPS_RMP_STATUS 0x7b00ull
#define STEPS_SNP_STATUS 0x7a00ull /* = HV_SNP_STATUS */
#define STEPS_SEV_STATUS 0x7900ull /* = HV_SEV_STATUS */
#define STEPS_UV_STATUS 0x7c0000ull /* | the 16-bit RC */
#define STEPS_SWAP_STATUS 0x7800ull /* = HV_SWAP_STATUS */
uint64_t steps_status_code(enum steps_status_space sp, uint64_t raw);
void steps_status_decode(uint64_t code, bool tdx, enum steps_status_space *sp, uint64_t *raw);

#endif
