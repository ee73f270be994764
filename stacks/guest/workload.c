/* The guest kernel's workloads: the ops a scenario gives a guest
 * (NAME.op KIND ...), assembled in order after its boot. */
#include <stdio.h>
#include <string.h>

#include "models/monitor/rmm/rmm_abi.h"
#include "sim/buf.h"
#include "stacks/guest/gasm.h"

int gasm_workload(struct gasm *g, const struct guest_kernel_config *cfg, char *err, size_t errlen,
		  size_t *bad_op)
{
	for (size_t i = 0; i < cfg->nops; i++) {
		const struct guest_op *o = &cfg->ops[i];
		bool ram_op = o->kind == GOP_STORE || o->kind == GOP_LOAD;
		uint64_t len = o->kind == GOP_STORE ? o->len : o->b;
		if (ram_op && (o->a < GUEST_FREE || o->a + len > cfg->ram_size || o->a + len < o->a)) {
			*bad_op = i;
			snprintf(err, errlen,
				 "op %zu (%s): [0x%llx, +%llu) is not in the workload's RAM "
				 "[0x%llx, 0x%llx)", i + 1, guest_op_name(o->kind),
				 (unsigned long long)o->a, (unsigned long long)len,
				 (unsigned long long)GUEST_FREE, (unsigned long long)cfg->ram_size);
			return -1;
		}
		switch (o->kind) {
		case GOP_WORK:
			emit(g, ISA_WORK, 0, 0, 0, 0, o->a);
			break;
		case GOP_STORE:
			for (size_t k = 0; k < o->len; k += 8) {
				uint64_t v = 0;
				size_t n = MIN(8, o->len - k);
				for (size_t j = 0; j < n; j++)
					v |= (uint64_t)o->data[k + j] << (8 * j);
				movi(g, 2, o->a + k);
				if (n == 8 || n == 4 || n == 2 || n == 1) {
					movi(g, 1, v);
					st(g, 1, 2, 0, (unsigned)n);
					continue;
				}
				for (size_t j = 0; j < n; j++) { /* an odd tail, byte by byte */
					movi(g, 1, o->data[k + j]);
					st(g, 1, 2, (int32_t)j, 1);
				}
			}
			break;
		case GOP_LOAD:
			for (uint64_t k = 0; k < o->b; k += 8) {
				movi(g, 2, o->a + k);
				ld(g, 1, 2, 0, o->b - k >= 8 ? 8 : 1);
			}
			break;
		case GOP_LOOP:
			if (g->loop_sp >= GUEST_MAX_LOOP_DEPTH) {
				*bad_op = i;
				snprintf(err, errlen, "op %zu: loops nest deeper than %d", i + 1,
					 GUEST_MAX_LOOP_DEPTH);
				return -1;
			}
			movi(g, GUEST_LOOP_REG0 + (unsigned)g->loop_sp, o->a);
			g->loop_op[g->loop_sp] = i;
			g->loop_top[g->loop_sp++] = here(g);
			break;
		case GOP_END: {
			if (g->loop_sp == 0) {
				*bad_op = i;
				snprintf(err, errlen, "op %zu: end without a loop", i + 1);
				return -1;
			}
			unsigned r = GUEST_LOOP_REG0 + (unsigned)--g->loop_sp;
			emit(g, ISA_ADDI, r, r, 0, 0, (uint64_t)-1);
			emit(g, ISA_BC, r, ISA_XZR, ISA_NE, 0, g->loop_top[g->loop_sp]);
			break;
		}
		case GOP_WFI:
			emit(g, ISA_WFI, 0, 0, 0, 0, 0);
			break;
		case GOP_MMIO_WRITE:
			movi(g, 1, o->b);
			st(g, 1, R_DEV, (int32_t)o->a, 8);
			break;
		case GOP_MMIO_READ:
			ld(g, 1, R_DEV, (int32_t)o->a, 8);
			break;
		case GOP_HOST_CALL:
			if (g->realm) {
				movi(g, 1, o->a);
				movi(g, 2, GUEST_HOSTCALL);
				st(g, 1, 2, RSI_HOST_CALL_IMM, 2);
				movi(g, 0, RSI_HOST_CALL);
				emit(g, ISA_MOV, 1, 2, 0, 0, 0);
				call(g);
			} else {
				movi(g, 0, 0xC6000000ull | (o->a & 0xffff)); /* a vendor hypercall */
				callx(g, 1, 1);
			}
			break;
		case GOP_SEND:
			if (o->len > GUEST_BOUNCE_SIZE) {
				*bad_op = i;
				snprintf(err, errlen, "op %zu (send): %zu bytes, the bounce buffer holds %llu",
					 i + 1, o->len, (unsigned long long)GUEST_BOUNCE_SIZE);
				return -1;
			}
			for (size_t k = 0; k < o->len; k++) {
				movi(g, 1, o->data[k]);
				st(g, 1, R_BNC, (int32_t)k, 1);
			}
			movi(g, 1, o->len);
			st(g, 1, R_DEV, GUEST_DEV_SEND, 8);
			break;
		case GOP_EXTEND:
			if (!g->realm)
				break; /* nothing to extend outside a realm */
			if (o->len > 64 || o->a < 1 || o->a > 4) {
				*bad_op = i;
				snprintf(err, errlen, "op %zu (extend): REM 1..4 and up to 64 bytes", i + 1);
				return -1;
			}
			movi(g, 0, RSI_MEASUREMENT_EXTEND);
			movi(g, 1, o->a);
			movi(g, 2, o->len);
			for (unsigned w = 0; w < 8; w++) {
				uint64_t v = 0;
				for (unsigned j = 0; j < 8 && w * 8 + j < o->len; j++)
					v |= (uint64_t)o->data[w * 8 + j] << (8 * j);
				movi(g, 3 + w, v);
			}
			call(g);
			break;
		case GOP_CALL:
			if (o->len % 8 || o->len > 8 * GUEST_CALL_MAX_ARGS || o->b < 1 ||
			    o->b > GUEST_CALL_MAX_RESULTS) {
				*bad_op = i;
				snprintf(err, errlen, "op %zu (call): up to %d argument registers and "
					 "1 to %d results", i + 1, GUEST_CALL_MAX_ARGS,
					 GUEST_CALL_MAX_RESULTS);
				return -1;
			}
			/* the call as written (SMC in a realm, HVC in an ordinary VM),
			 * then X0..X(b-1) reported to the device, after the op's index */
			movi(g, 0, o->a);
			for (size_t w = 0; w < o->len / 8; w++)
				movi(g, 1 + (unsigned)w, sim_le64_load(o->data + 8 * w));
			callx(g, 1 + (unsigned)(o->len / 8), (unsigned)o->b);
			movi(g, R_T0, i);
			st(g, R_T0, R_DEV, GUEST_DEV_RESULT_OP, 8);
			for (unsigned r = 0; r < o->b; r++)
				st(g, r, R_DEV, GUEST_DEV_RESULT, 8);
			break;
		case GOP_REGS:
			if (o->a < 1 || o->a > GUEST_CALL_MAX_RESULTS) {
				*bad_op = i;
				snprintf(err, errlen, "op %zu (regs): 1 to %d registers", i + 1,
					 GUEST_CALL_MAX_RESULTS);
				return -1;
			}
			movi(g, R_T0, i);
			st(g, R_T0, R_DEV, GUEST_DEV_RESULT_OP, 8);
			for (unsigned r = 0; r < o->a; r++)
				st(g, r, R_DEV, GUEST_DEV_RESULT, 8);
			break;
		case GOP_KIND_COUNT:
			break;
		}
	}
	if (g->loop_sp) {
		*bad_op = g->loop_op[g->loop_sp - 1];
		snprintf(err, errlen, "op %zu (loop) has no end", *bad_op + 1);
		return -1;
	}
	return 0;
}

