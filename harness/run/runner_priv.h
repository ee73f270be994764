/* Internals shared by the parts of the runner: runner.c (steps, the run),
 * runner_outcome.c (the observed outcome), runner_expect.c (expectations)
 * and runner_state.c (saved state and checkpoints). Not for use outside harness/run/runner*.c. */
#ifndef CCSIM_HARNESS_RUN_RUNNER_PRIV_H
#define CCSIM_HARNESS_RUN_RUNNER_PRIV_H

#include <glib.h>

#include "harness/run/runner.h"

void run_result_clear(struct step_result *r);
void run_victim_write_add(struct run_ctx *rc, uint32_t vm, uint64_t addr, const uint8_t *d, size_t n);
void run_capture_free(gpointer p);
struct capture *run_capture_find(struct run_ctx *rc, const char *name);
/* The bytes of a value (literal, secret or capture); NULL if absent. */
const uint8_t *run_value_bytes(struct run_ctx *rc, const struct scn_value *v, size_t *len);
bool run_contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m);
/* After each step (runner_outcome.c): what it did to the outcome. */
void run_observe(struct run_ctx *rc, const struct scn_step *st, const struct step_result *r);
void run_victim_write_free(gpointer p);
/* The scenario vm named `name`, and the vm whose guest it is a vCPU of. */
uint32_t run_vm_index(const struct run_ctx *rc, const char *name);
uint32_t run_guest_of_vm(const struct run_ctx *rc, uint32_t vm);
/* One `expect` line, once the run has ended (runner_expect.c). */
void run_eval_expect(struct run_ctx *rc, const struct scn_expect *e, struct expect_result *x);
/* Save the run (opt->checkpoint_path) / resume it (opt->restore_path);
 * 0, or -1 with a message naming the file. */
int run_checkpoint_write(struct run_ctx *rc, const char *path, char *err, size_t errlen);
int run_checkpoint_read(struct run_ctx *rc, char *err, size_t errlen);
/* After a restore: every step event the checkpoint scheduled is the
 * runner's and names a step of this scenario. 0, or -1 with a message. */
int run_restored_events_check(const struct run_ctx *rc, char *err, size_t errlen);
extern const struct sim_model_ops run_model_ops;
extern const struct sim_vmstate run_model_vmstate;

#endif
