/* Unit tests for the two halves of a step: the table the parser reads
 * (harness/lang/steps.c) and the handlers the runner calls
 * (harness/run/steps.c) name the same (actor, op) pairs, each once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness/lang/steps.h"
#include "harness/run/steps.h"

/* Every step the language accepts runs: one handler each, found by lookup. */
static void test_every_step_has_one_handler(void **state)
{
	(void)state;
	const struct step_spec *specs;
	const struct step_handler *hs;
	size_t n = steps_table(&specs), nh = step_handlers(&hs);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		size_t found = 0;
		for (size_t k = 0; k < nh; k++)
			found += hs[k].actor == specs[i].actor && strcmp(hs[k].op, specs[i].op) == 0;
		if (found != 1)
			fail_msg("%s.%s: %zu handlers", actor_kind_name(specs[i].actor), specs[i].op, found);
		assert_non_null(step_handler(&specs[i]));
	}
}

/* Every handler is reachable: the table has its step, once. */
static void test_every_handler_has_its_step(void **state)
{
	(void)state;
	const struct step_spec *specs;
	const struct step_handler *hs;
	size_t n = steps_table(&specs), nh = step_handlers(&hs);
	assert_int_equal(nh, n);
	for (size_t k = 0; k < nh; k++) {
		const struct step_spec *s = step_lookup(hs[k].actor, hs[k].op);
		if (!s)
			fail_msg("handler %s.%s: no such step", actor_kind_name(hs[k].actor), hs[k].op);
		assert_non_null(hs[k].run);
	}
	for (size_t i = 0; i < n; i++) /* no step is listed twice */
		assert_ptr_equal(step_lookup(specs[i].actor, specs[i].op), &specs[i]);
}

/* A step the table does not have has no handler: lookup says so. */
static void test_unknown_step_has_none(void **state)
{
	(void)state;
	const struct step_spec load_as_dev = { ACTOR_DEV, "load" };
	assert_null(step_lookup(ACTOR_DEV, "load"));
	assert_null(step_handler(&load_as_dev));
	assert_non_null(step_handler(step_lookup(ACTOR_HOST, "load")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_step_has_one_handler),
		cmocka_unit_test(test_every_handler_has_its_step),
		cmocka_unit_test(test_unknown_step_has_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
