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

struct step_spec {
	enum actor_kind actor;
	const char *op;
	const char *summary;
	const char *example;
	struct step_arg_spec args[12]; /* ends at the first NULL name */
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
/* Parse-time check of host.guest_run's arguments (until= names an exit reason). */
char *steps_guest_run_check(const struct scn_step *st, int *col);
/* `ccsim steps`: the RMI commands / SEAMCALL leaves and their argument names. */
void steps_rmi_print(FILE *f);
void steps_seamcall_print(FILE *f);
/* host.snp launch_update's type=: the PAGE_TYPE byte it names (a number as
 * given; default normal). */
unsigned steps_snp_page_type(const struct scn_step *st);

/* The status codes a capture's .status holds and the names expectations
 * compare them by. Verifier statuses (verifier.verify) are
 * STEPS_VERIFY_STATUS | code. */
#define STEPS_VERIFY_STATUS 0x7e00ull
/* A guest's RSI call (NAME.op rsi): its X0 as STEPS_RSI_STATUS | code (rsi.*). */
#define STEPS_RSI_STATUS 0x7d00ull
/* RMP instructions: EAX as STEPS_RMP_STATUS | code (rmp.*);
 * rmp.unsupported on a profile without an RMP. */
#define STEPS_RMP_STATUS 0x7b00ull
#define STEPS_RMP_UNSUPPORTED (STEPS_RMP_STATUS | 0xff)
/* SNP firmware commands (host.snp): STEPS_SNP_STATUS | the ABI status (snp.*). */
#define STEPS_SNP_STATUS 0x7a00ull /* = HV_SNP_STATUS */
#define STEPS_SNP_UNSUPPORTED (STEPS_SNP_STATUS | 0xff)
/* SEV firmware commands (host.sev): STEPS_SEV_STATUS | the API status (sev.*). */
#define STEPS_SEV_STATUS 0x7900ull /* = HV_SEV_STATUS */
#define STEPS_SEV_UNSUPPORTED (STEPS_SEV_STATUS | 0xff)
/* host.seamcall: RAX, the completion status (tdx.*), in
 * STEPS_STATUS_TDX; tdx.unsupported off the tdx profile (a code in the
 * range the module's own statuses leave to the simulator). */
#define STEPS_TDX_UNSUPPORTED 0xFFFF00FF00000000ull
/* A status by name: verify.* for the verifier, rsi.* for a guest's RSI
 * call, else rmi_status_name. */
const char *steps_status_name(uint64_t x0);
/* Whether an expectation may name this status (tdx.* included). */
bool steps_status_known(const char *name);

#endif
