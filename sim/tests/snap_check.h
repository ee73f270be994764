/* Snapshot assertions shared by the model tests: take a snapshot, restore
 * one expecting success, and compare snapshot bytes. Include after
 * <cmocka.h> and "sim/sim.h". */
#ifndef CCSIM_SIM_TESTS_SNAP_CHECK_H
#define CCSIM_SIM_TESTS_SNAP_CHECK_H

/* Initialise `out` and save `s` into it. */
static inline void snap_take(const struct sim *s, struct sim_buf *out)
{
	sim_buf_init(out);
	assert_int_equal(sim_save(s, out), 0);
}

/* Restore `snap` into `s`; it must succeed without a message. */
static inline void snap_restore_ok(struct sim *s, const struct sim_buf *snap)
{
	char err[256] = "";
	assert_int_equal(sim_restore(s, snap->data, snap->len, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

/* Saving `s` now gives exactly the bytes of `want`. */
static inline void snap_assert_bytes(const struct sim *s, const struct sim_buf *want)
{
	struct sim_buf now;
	snap_take(s, &now);
	assert_int_equal(now.len, want->len);
	assert_memory_equal(now.data, want->data, want->len);
	sim_buf_free(&now);
}

/* `a` and `b` save byte-identical snapshots. */
static inline void snap_assert_same(const struct sim *a, const struct sim *b)
{
	struct sim_buf sa;
	snap_take(a, &sa);
	snap_assert_bytes(b, &sa);
	sim_buf_free(&sa);
}

#endif
