/* Running one scenario on one profile: build the machine, schedule the steps
 * on the event queue, record what each step did, derive the observed attack
 * outcome, check the expectations, and write the results folder. */
#ifndef CCSIM_HARNESS_RUN_RUNNER_H
#define CCSIM_HARNESS_RUN_RUNNER_H

#include <stdbool.h>
#include <glib.h>
#include <stdint.h>

#include "harness/lang/scenario.h"
#include "harness/run/steps.h"
#include "models/cpu/cpu.h"
#include "models/platform/machine.h"
#include "models/platform/profile.h"
#include "sim/sim.h"
#include "stacks/host/hv.h"

struct capture {
	char *name;
	struct step_result r;
};

struct expect_result {
	const struct scn_expect *e;
	bool applies;     /* false: limited to other profiles */
	bool pass;
	char observed[160];
};

/* Bytes a victim stored: a later load by the same victim that returns other
 * bytes, without a fault, saw its memory changed under it. */
struct victim_write {
	uint32_t vm;
	uint64_t addr;
	GBytes *data;
};

/* What the attack achieved, observed from the steps (never declared). */
struct outcome {
	bool leaked;          /* an attacker read returned a secret's bytes */
	int leak_line;
	char leak_secret[64];
	bool corrupted;       /* a victim read returned attacker-written bytes */
	int corrupt_line;
	bool detected;        /* integrity checking poisoned data */
	int detect_line;
	bool blocked;         /* an attacker step faulted or was refused */
	int block_line;
	char block_mech[64];
	/* Derived at the end of the run from its saved state (run_outcome_finish),
	 * so a restored run derives them alike; not saved themselves. */
	bool not_attack;      /* kind conformance / workload: no attack outcome */
	bool inferred;        /* an attacker's host.guess named a secret */
	int infer_line;
	bool dos;             /* a guest died (panic, TD made fatal) after an attacker step */
	bool hijacked;        /* a guest took an event the host injected: its handler ran at
				 the host's choice (host.guest_run's x3) */
};

struct run_ctx;

struct run_options {
	uint64_t seed;
	const char *outdir;           /* NULL: write nothing */
	char **profile_sets;          /* group.key=value overrides */
	size_t nprofile_sets;
	uint64_t checkpoint_after;    /* save after this many steps (0: never) */
	const char *checkpoint_path;
	const char *checkpoint_dir;   /* not NULL: save DIR/step-N.ckpt after every step N */
	const char *restore_path;     /* resume from a checkpoint */
	const uint8_t *restore_data;  /* not NULL: the checkpoint's bytes, named restore_path */
	size_t restore_len;
	bool quiet;
	bool no_invariants;           /* skip the machine's invariants after each step */
	/* Called with the finished run's statistics before the simulation is
	 * torn down (a sweep reads its counters here); NULL: none. */
	void (*stats_hook)(const struct sim *s, void *arg);
	void *stats_arg;
	/* Called once the expectations are evaluated (xr: one per scenario
	 * expectation, in its order), before the run is torn down: ccsim run
	 * --record reads the captures here. NULL: none. */
	void (*end_hook)(struct run_ctx *rc, const struct expect_result *xr, void *arg);
	void *end_arg;
};

/* The runner's own saved state, a model like any other (base first). */
struct runner_model {
	struct sim_model base;
	struct run_ctx *rc;
	uint64_t next_step;           /* index of the next step to run */
	uint64_t steps_done;
	uint64_t end_cycle;
};

struct run_ctx {
	const struct scenario *sc;
	struct platform_config cfg;
	const struct run_options *opt;
	struct sim sim;
	struct machine machine;
	struct cpu host;
	struct cpu *vms;              /* one per scenario vm */
	struct hv_tdx_bare *tdx_vms;  /* tdx: each vm's TD */
	uint64_t *se_confs;           /* s390-se: each se=1 vm's configuration handle (0: none) */
	struct hv_guest **guests;     /* one host stack per scenario guest */
	uint16_t src_runner, src_phys;
	struct runner_model model;
	GPtrArray *captures;          /* struct capture *, in first-capture order */
	GPtrArray *attacker_data;     /* GBytes * written by attacker steps */
	GPtrArray *victim_writes;     /* struct victim_write *: what each vm stored, in order */
	struct outcome out;
	struct step_result *results;  /* last result of each step */
	bool *ran;
	bool vm_ran;                /* a vm actor's step has run (derived from ran[]) */
	int error;                    /* a step reported a scenario error */
	bool invariant_broken;        /* ... or broke one of the machine's invariants */
	bool monitor_diverged;        /* ... or the two monitors of --diff-monitor diverged */
	struct machine_inv inv;       /* their state between steps */
	struct machine_inv_secret *inv_secrets; /* the scenario's secrets, as they take them */
	char errmsg[768];
};

/* A failed expectation as a report names it: where it is, what it says and
 * what the run saw instead. Fixed-size, so a result can cross a pipe. */
struct run_failure {
	char where[256];              /* file:line */
	char text[256];
	char observed[160];
};

/* How many failed expectations a result keeps (expects_failed counts all). */
#define RUN_FAILURES_KEPT 8

struct run_result {
	bool pass;
	size_t expects_total, expects_failed, expects_skipped;
	char outcome[128];
	char digest[65];
	uint64_t cycles;
	uint64_t ns;                  /* simulated time at the profile's frequency */
	struct run_failure failures[RUN_FAILURES_KEPT]; /* the first failed, in file order */
	bool invariant_broken;        /* the run stopped on a broken invariant (exit status 3) */
	bool monitor_diverged;        /* ... on the differential mode's first divergence (4) */
};

/* Run `sc` on the profile in `cfg`. Returns 0 (expectations evaluated: see
 * res->pass), or -1 with a message for bad input or an unusable output
 * folder (exit status 2), or for a broken invariant (res->invariant_broken:
 * a defect of the model or of a plugged-in monitor; exit status 3), or
 * when the monitors of the differential mode diverged (res->monitor_diverged,
 * the message naming the step; exit status 4). */
int run_scenario(const struct scenario *sc, const struct platform_config *cfg,
		 const struct run_options *opt, struct run_result *res, char *err, size_t errlen);

/* Helpers the step handlers use. */
struct cpu *run_actor_cpu(struct run_ctx *rc, const struct scn_step *st);
/* Bytes of an argument (literal, secret or capture); NULL if absent. */
const uint8_t *run_arg_bytes(struct run_ctx *rc, const struct scn_step *st, const char *key,
			     size_t *len);
uint64_t run_arg_num(const struct scn_step *st, const char *key, uint64_t def);
/* The latest result captured under `name`; NULL if none yet. */
const struct step_result *run_capture(struct run_ctx *rc, const char *name);
/* Set (or replace) a capture: a step's own, or one a guest's call op names. */
void run_capture_set(struct run_ctx *rc, const char *name, const struct step_result *r);
void outcome_text(const struct outcome *o, char *buf, size_t len);
/* Derive the outcome's end-of-run parts (kind, guesses, a dead guest). */
void run_outcome_finish(struct run_ctx *rc);

#endif
