/* The host stack with the guest kernel, on plain and cca: what a guest
 * sends through its bounce buffer reaches the host intact even when the
 * host backed the buffer's pages out of order (they are touched at
 * different times, with other pages populated in between). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "models/platform/machine.h"
#include "stacks/host/hv.h"
#include "stacks/host/tests/hv_fixture.h"

static void send_across_pages(const char *profile)
{
	struct hfx *f = hfx_new(profile);
	static uint8_t big[4200];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + i / 251);
	const struct guest_op ops[] = {
		{ .kind = GOP_SEND, .data = (const uint8_t *)"A", .len = 1 }, /* backs page 0 */
		{ .kind = GOP_STORE, .a = GUEST_FREE, .data = (const uint8_t *)"zzzzzzzz", .len = 8 },
		{ .kind = GOP_SEND, .data = big, .len = sizeof(big) }, /* page 1 backed last */
	};
	struct hv_guest_config c = { .k = { .ram_size = GUEST_MIN_RAM, .ops = ops, .nops = 3 },
				     .pool = HV_POOL_DEFAULT, .vmid = 1, .max_exits = 100000 };
	char err[256];
	struct hv_result r;
	struct hv_guest *g = hv_guest_new(&f->sim, &f->m, &f->host, "g0", &c, err, sizeof(err));
	assert_non_null(g);
	assert_int_equal(hv_guest_load(g, &r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_create(g, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(hv_guest_run(g, 0, RMI_EXIT_COUNT, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(g->state, HV_OFF);
	assert_int_equal(g->out->len, 1 + sizeof(big));
	assert_int_equal(g->out->data[0], 'A');
	assert_memory_equal(g->out->data + 1, big, sizeof(big));
	hfx_free(f);
}

static void test_send_plain(void **state)
{
	(void)state;
	send_across_pages("plain");
}

static void test_send_cca(void **state)
{
	(void)state;
	send_across_pages("cca");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_plain),
		cmocka_unit_test(test_send_cca),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
