/* Worker pool; see sweep_pool.h. One socket pair per worker carries job
 * indices down (8 bytes each) and result records up (index, length,
 * bytes). The parent hands a worker its next job as soon as it answers, so
 * the work stays balanced however uneven the runs are. */
#include "harness/sweep/sweep_pool.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/sweep/sweep_io.h"

struct worker {
	pid_t pid;      /* 0: not running */
	int fd;         /* the parent's end of the socket pair */
	bool busy;
	size_t job;     /* the job it is running, when busy */
};

void sweep_pool_tune_malloc(void)
{
	/* glibc's largest mmap threshold on 64-bit hosts; trimming only past
	 * 256 MiB of free heap. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

static void run_inprocess(const size_t *jobs, size_t n, const struct sweep_pool_ops *ops, void *ctx)
{
	GByteArray *out = g_byte_array_new();
	for (size_t i = 0; i < n; i++) {
		g_byte_array_set_size(out, 0);
		ops->run(ctx, jobs[i], out);
		ops->done(ctx, jobs[i], out->data, out->len, NULL);
	}
	g_byte_array_free(out, TRUE);
}

/* The worker's life: take an index, run it, answer; stop at end of input. */
static G_GNUC_NORETURN void worker_main(int fd, pid_t parent, const struct sweep_pool_ops *ops, void *ctx)
{
	/* Die with the parent (an interrupted sweep leaves no runs behind). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	sweep_pool_tune_malloc();
	GByteArray *out = g_byte_array_new();
	uint64_t idx;
	while (sweep_io_read_all(fd, &idx, sizeof(idx)) == 0) {
		g_byte_array_set_size(out, 0);
		ops->run(ctx, (size_t)idx, out);
		uint64_t hdr[2] = { idx, out->len };
		fflush(NULL);
		if (sweep_io_write_all(fd, hdr, sizeof(hdr)) || sweep_io_write_all(fd, out->data, out->len))
			_exit(3);
	}
	_exit(0);
}

static int worker_start(struct worker *w, struct worker *all, unsigned nall,
			const struct sweep_pool_ops *ops, void *ctx)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	pid_t parent = getpid();
	fflush(NULL);
	pid_t c = fork();
	if (c < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (c == 0) {
		close(sv[0]);
		for (unsigned i = 0; i < nall; i++)
			if (all[i].pid)
				close(all[i].fd);
		worker_main(sv[1], parent, ops, ctx);
	}
	close(sv[1]);
	w->pid = c;
	w->fd = sv[0];
	w->busy = false;
	return 0;
}

/* Close a worker's socket and reap it; describe how it ended in `why`. */
static void worker_stop(struct worker *w, char *why, size_t whylen)
{
	int st = 0;
	close(w->fd);
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		snprintf(why, whylen, "worker process killed by signal %d", WTERMSIG(st));
	else
		snprintf(why, whylen, "worker process exited with status %d", WEXITSTATUS(st));
	w->pid = 0;
	w->busy = false;
}

static int worker_give(struct worker *w, size_t job)
{
	uint64_t idx = job;
	if (sweep_io_write_all(w->fd, &idx, sizeof(idx)))
		return -1;
	w->busy = true;
	w->job = job;
	return 0;
}

/* Read the answer of a busy worker: 0 and the record, or -1 if it died. */
static int worker_answer(struct worker *w, GByteArray *rec)
{
	uint64_t hdr[2];
	if (sweep_io_read_all(w->fd, hdr, sizeof(hdr)) || hdr[0] != w->job || hdr[1] > (1u << 30))
		return -1;
	g_byte_array_set_size(rec, (guint)hdr[1]);
	if (hdr[1] && sweep_io_read_all(w->fd, rec->data, (size_t)hdr[1]))
		return -1;
	w->busy = false;
	return 0;
}

void sweep_pool_run(const size_t *jobs, size_t n, unsigned workers, const struct sweep_pool_ops *ops,
		    void *ctx)
{
	if (workers > n)
		workers = (unsigned)n;
	if (workers <= 1) {
		run_inprocess(jobs, n, ops, ctx);
		return;
	}
	/* A worker that died shows as EPIPE on its socket, not as a SIGPIPE
	 * that ends the sweep; workers inherit this (a worker whose parent
	 * died fails its write and exits). */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigaction(SIGPIPE, &ign, &old);
	struct worker *w = g_new0(struct worker, workers);
	struct pollfd *pfd = g_new0(struct pollfd, workers);
	GByteArray *rec = g_byte_array_new();
	size_t next = 0;
	char why[128];
	for (unsigned i = 0; i < workers; i++)
		worker_start(&w[i], w, workers, ops, ctx);
	for (;;) {
		/* Give every idle worker a job; one that cannot take it has died
		 * before starting it: replace it. */
		for (unsigned i = 0; i < workers && next < n; i++) {
			if (!w[i].pid || w[i].busy)
				continue;
			if (worker_give(&w[i], jobs[next]) == 0) {
				next++;
				continue;
			}
			worker_stop(&w[i], why, sizeof(why));
			worker_start(&w[i], w, workers, ops, ctx);
		}
		unsigned busy = 0;
		for (unsigned i = 0; i < workers; i++) {
			pfd[i] = (struct pollfd){ .fd = w[i].pid && w[i].busy ? w[i].fd : -1, .events = POLLIN };
			busy += w[i].pid && w[i].busy;
		}
		if (!busy)
			break;
		if (poll(pfd, workers, -1) < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			/* Cannot wait for answers: the running jobs are lost. */
			for (unsigned i = 0; i < workers; i++)
				if (pfd[i].fd >= 0) {
					size_t job = w[i].job;
					worker_stop(&w[i], why, sizeof(why));
					ops->done(ctx, job, NULL, 0, g_strerror(e));
				}
			break;
		}
		for (unsigned i = 0; i < workers; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			size_t job = w[i].job;
			if (worker_answer(&w[i], rec) == 0) {
				ops->done(ctx, job, rec->data, rec->len, NULL);
				continue;
			}
			worker_stop(&w[i], why, sizeof(why));
			ops->done(ctx, job, NULL, 0, why);
			if (next < n)
				worker_start(&w[i], w, workers, ops, ctx);
		}
	}
	/* End of input: idle workers exit. */
	for (unsigned i = 0; i < workers; i++)
		if (w[i].pid)
			worker_stop(&w[i], why, sizeof(why));
	/* Jobs no worker could be started for run here. */
	if (next < n)
		run_inprocess(jobs + next, n - next, ops, ctx);
	g_byte_array_free(rec, TRUE);
	g_free(pfd);
	g_free(w);
	sigaction(SIGPIPE, &old, NULL);
}
