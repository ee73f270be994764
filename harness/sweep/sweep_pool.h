/* A fixed pool of long-lived worker processes for many independent runs
 * (matrix cells, sweep configurations). Each worker is forked once, pulls
 * job indices from the parent one at a time and sends each result back as
 * one record, so set-up costs (library initialisation, a warm heap) are paid
 * once per worker rather than once per run. */
#ifndef CCSIM_HARNESS_SWEEP_POOL_H
#define CCSIM_HARNESS_SWEEP_POOL_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

struct sweep_pool_ops {
	/* In a worker (or in-process with one worker): run job `index` and
	 * append its result record to `out`. */
	void (*run)(void *ctx, size_t index, GByteArray *out);
	/* In the parent, in completion order: job `index` finished with the
	 * record `data`; or its worker died (data NULL, `why` says how). */
	void (*done)(void *ctx, size_t index, const uint8_t *data, size_t len, const char *why);
};

/* Run jobs[0..n) (indices handed to `run`, in this order) on `workers`
 * processes; with one worker, or if no process can be started, in this
 * process. Returns when every job is done. */
void sweep_pool_run(const size_t *jobs, size_t n, unsigned workers, const struct sweep_pool_ops *ops,
		    void *ctx);

/* Keep freed memory in the process instead of returning it to the kernel:
 * consecutive runs reuse the same pages instead of faulting in fresh zeroed
 * ones (a run builds and frees a whole machine). */
void sweep_pool_tune_malloc(void);

#endif
