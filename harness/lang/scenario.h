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
};

struct scn_value {
	enum scn_val_kind kind;
	uint64_t num;
	uint8_t *bytes;
	size_t len;
	char *name;
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
};

enum scn_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_CONTAINS };

struct scn_expect {
	const char *file;
	int line, col;
	char *text;
	char *subject;     /* capture name, or "outcome" */
	char *field;       /* NULL (bytes), "fault", "status", "cycles", "x1", "x2" */
	enum scn_cmp cmp;
	struct scn_value rhs;
	char **profiles;   /* NULL: every profile */
};

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

struct scenario {
	char *path;
	char *title;
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
};

/* Parse `path`. `overrides` are NAME=VALUE strings (from --set) replacing
 * param defaults; an override naming no param is an error. Returns the
 * scenario, or NULL with "file:line:col: message" in err. */
struct scenario *scenario_load(const char *path, char **overrides, size_t noverrides, char *err,
			       size_t errlen);
/* The same for `len` bytes of scenario text at `text`, named `path` in
 * messages; its includes are read relative to the folder of `path`. */
struct scenario *scenario_load_buf(const char *path, const char *text, size_t len,
				   char **overrides, size_t noverrides, char *err, size_t errlen);
void scenario_free(struct scenario *sc);
bool scenario_has_profile(const struct scenario *sc, const char *profile);
const struct scn_secret *scenario_secret(const struct scenario *sc, const char *name);
const struct scn_guest *scenario_guest(const struct scenario *sc, const char *name);
const char *scn_cmp_text(enum scn_cmp c);
/* Is `name` a status an expectation may compare .status with (rmi.success,
 * smc.unknown, tdx.*, ...)? */
bool scenario_status_known(const char *name);

/* A number as scenarios write them (decimal, 0x hex, _ separators, K / M / G
 * suffixes; a leading 0 is still decimal): 0, or -1. The command line's
 * numbers use it too. */
int scenario_number(const char *s, uint64_t *out);

#endif
