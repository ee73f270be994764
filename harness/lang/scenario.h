/* Scenario files: one statement per line, run by named actors (host, phys,
 * each declared vm). The grammar is documented in docs/scenarios.md; this
 * parser checks everything it can before a run starts (unknown steps and
 * arguments, bad numbers, undefined captures and profiles) and reports
 * file:line:column. */
#ifndef CCSIM_HARNESS_LANG_SCENARIO_H
#define CCSIM_HARNESS_LANG_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stacks/guest/kernel.h"

enum scn_val_kind {
	SV_NUM,   /* 42, 0x1000, 4K */
	SV_BYTES, /* "text", hex:00ff */
	SV_REF,   /* $name: a secret or a capture */
	SV_NAME,  /* a bare word: gpc.gpf, rmi.success, leaked, granule_delegate */
	SV_EXPR,  /* $c.x1 + 0x1000: a number from earlier results, known when the step runs */
};

/* One term of an SV_EXPR: a number, or a field of a capture's latest result,
 * and the operator before it ('+' for the first): * and / bind tighter than
 * + and -, each left to right, in unsigned 64-bit arithmetic (wrapping; /
 * rounds down, by 0 is a run-time error). */
struct scn_term {
	char op;           /* '+', '-', '*' or '/' */
	char *capture;     /* NULL: the number num */
	char *field;       /* with capture: status, cycles, x1, ... */
	uint64_t num;
	int col;
};

struct scn_value {
	enum scn_val_kind kind;
	uint64_t num;
	uint8_t *bytes;
	size_t len;
	char *name;        /* SV_REF, SV_NAME; SV_EXPR: the text as written */
	struct scn_term *terms; /* SV_EXPR: evaluated as scn_term says */
	size_t nterms;
	int col;
};

struct scn_arg {
	char *key; /* NULL for a positional word */
	struct scn_value v;
	int col;
};

struct step_spec;

struct scn_step {
	const char *file;
	int line, col;
	char *text;        /* the statement as written (after ${param} expansion) */
	char *actor;       /* "host", "phys", or a vm name */
	char *op;
	const struct step_spec *spec;
	struct scn_arg *args;
	size_t nargs;
	char *capture;     /* -> name, or NULL */
	bool has_at;
	uint64_t at;       /* at CYCLE: not before this cycle */
	uint64_t repeat;   /* repeat N: run N times (>= 1) */
	/* `until COND`, the statement closing a `loop N [-> NAME]` block (its
	 * capture is NAME): the steps from loop_first to here run again while
	 * COND does not hold, at most loop_max times in all. NULL for a step. */
	struct scn_expect *until;
	size_t loop_first;
	uint64_t loop_max;
};

enum scn_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_CONTAINS,
	       CMP_NOT_CONTAINS, /* not contains */
	       CMP_IN };         /* in LO..HI: LO <= value <= HI */

struct scn_expect {
	const char *file;
	int line, col;
	char *text;
	char *subject;     /* capture name, or "outcome" */
	char *field;       /* NULL (bytes), or a field scn_field_kind knows */
	enum scn_cmp cmp;
	struct scn_value rhs;    /* CMP_IN: rhs.num is LO */
	uint64_t hi;             /* CMP_IN: HI */
	char **profiles;   /* NULL: every profile */
};

/* The fields of a capture (NAME.FIELD): status (the raw X0 / RAX /
 * firmware status, compared with a number or a name of its space), fault
 * (a name), cycles, the result registers x1..x8 and, on a TDX result, the
 * same registers by their TDX names rcx, rdx, r8..r13 (a SEAMCALL's RCX,
 * RDX, R8..R11, a TDCALL's RCX, RDX, R8..R13). Expectations and step
 * arguments that read a capture both ask here. */
#define SCN_RESULT_REGS 8
enum scn_field_kind {
	SCN_FIELD_NONE,    /* not a field */
	SCN_FIELD_NUM,     /* a number: cycles, x1.., rcx.. */
	SCN_FIELD_STATUS,  /* a number, also named (rmi.success) */
	SCN_FIELD_FAULT,   /* a name (gpc.gpf, none) */
};
enum scn_field_kind scn_field_kind(const char *field);
/* A register field's register: 1..SCN_RESULT_REGS for x1.. or its TDX
 * name (*tdx_name then true); 0 for any other field. */
unsigned scn_field_reg(const char *field, bool *tdx_name);
/* "fault, status, cycles, x1..x8, rcx, rdx, r8..r13": for messages. */
const char *scn_field_names(void);

struct scn_vm {
	char *name;
	const char *file;
	int line;
	int core_col;      /* column of core=, for run-time errors */
	uint64_t core;     /* physical core it runs on (core=N, default 0) */
	uint64_t vmpl;     /* SEV-SNP privilege level (vmpl=N, default 0) */
	uint64_t asid;     /* SEV: asid=N, the guest's ASID (0: the next free one) */
	int same_as;       /* guest=OTHER: another vCPU / VMPL of that vm's guest (its
			      index; -1: a guest of its own) */
	bool se;           /* se=1: on s390-se, a secure CPU the host builds first */
	uint64_t mecid;    /* Arm FEAT_MEC: mecid=N, the MECID its Realm-PAS accesses carry
			      (default 0; ignored on a profile without FEAT_MEC) */
	int mecid_col;
};

/* A guest built by the guest kernel (stacks/guest) and run by the host
 * stack (stacks/host): `guest NAME ...` plus its `NAME.op ...` lines. */
struct scn_guest {
	char *name;
	const char *file;
	int line;
	uint64_t ram, tick, pool, vcpus, smp_work;
	bool attest, trap_wfi;
	uint8_t challenge[64];
	uint8_t mkey[64];         /* s390-se: the owner's measurement key (mkey=) */
	struct guest_op *ops;     /* data owned */
	int *op_lines, *op_cols;  /* where each op was written (file: the guest's) */
	const char **op_files;
	char **op_captures;       /* per op: the capture a call's results go to, or NULL */
	size_t nops;
	char **phases;            /* the phases it marks: the kernel's (boot, workload,
				     shutdown), then its `phase` ops' names; NULL-terminated */
	size_t nphases;
};

struct scn_secret {
	char *name;
	uint8_t *bytes;
	size_t len;
};

struct scn_param {
	char *name;
	char *value;
};

/* What a scenario is (`kind`): an attack has an outcome; a conformance
 * or workload scenario's outcome is `not-attack`. */
enum scn_kind { SCN_ATTACK, SCN_CONFORMANCE, SCN_WORKLOAD };

struct scenario {
	char *path;
	char *title;
	enum scn_kind kind;
	char **profiles;          /* NULL-terminated */
	struct scn_param *params;
	size_t nparams;
	struct scn_vm *vms;
	size_t nvms;
	struct scn_guest *guests;
	size_t nguests;
	struct scn_secret *secrets;
	size_t nsecrets;
	struct scn_step *steps;
	size_t nsteps;
	struct scn_expect *expects;
	size_t nexpects;
	char **files;             /* every file read (includes), owned */
	size_t nfiles;
	bool per_profile;         /* a param takes its value per profile ... */
	char *read_for;           /* ... chosen for this profile (NULL: no such param) */
};

/* Parse `path`. `overrides` are NAME=VALUE strings (from --set) replacing
 * param defaults; an override naming no param is an error. Returns the
 * scenario, or NULL with "file:line:col: message" in err. */
struct scenario *scenario_load(const char *path, char **overrides, size_t noverrides, char *err,
			       size_t errlen);
/* The same, read for `profile`: a param with values per profile (`param
 * NAME cca=1 sev*=2`) takes that profile's value (NULL: the first declared
 * profile's); the scenario records it in read_for, and a run on another
 * profile is refused. */
struct scenario *scenario_load_for(const char *path, const char *profile, char **overrides,
				   size_t noverrides, char *err, size_t errlen);
/* The same for `len` bytes of scenario text at `text`, named `path` in
 * messages; its includes are read relative to the folder of `path`. */
struct scenario *scenario_load_buf(const char *path, const char *text, size_t len,
				   char **overrides, size_t noverrides, char *err, size_t errlen);
/* scenario_load_buf read for `profile` (see scenario_load_for), without
 * overrides: ccsim run --record reads the text it will edit. */
struct scenario *scenario_load_buf_for(const char *path, const char *profile, const char *text,
				       size_t len, char *err, size_t errlen);
void scenario_free(struct scenario *sc);
bool scenario_has_profile(const struct scenario *sc, const char *profile);
const struct scn_secret *scenario_secret(const struct scenario *sc, const char *name);
const struct scn_guest *scenario_guest(const struct scenario *sc, const char *name);
const char *scn_cmp_text(enum scn_cmp c);

/* A number as scenarios write them (decimal, 0x hex, _ separators, K / M / G
 * suffixes; a leading 0 is still decimal): 0, or -1. The command line's
 * numbers use it too. */
int scenario_number(const char *s, uint64_t *out);

#endif
