/* The guest kernel's workloads: the ops a scenario gives a guest
 * (NAME.op KIND ...), assembled in order after its boot. */
#include <stdio.h>
#include <string.h>

#include "models/monitor/rmm/rmm_abi.h"
#include "sim/buf.h"
#include "stacks/guest/gasm.h"

/* ---- generators: loops of a few instructions over guest memory ----
 * They use x0..x10 (the workload's scratch registers) and leave the loop
 * counters x11..x15 to the enclosing `loop` ops. */

/* for (x2 = base; x2 < base + bytes; x2 += stride) body; `passes` times */
static void stream(struct gasm *g, uint64_t bytes, uint64_t stride, uint64_t base, uint64_t passes,
		   bool write)
{
	movi(g, 7, passes);
	movi(g, 5, stride);
	movi(g, 3, 0);
	uint64_t pass = here(g);
	movi(g, 2, base);
	movi(g, 4, base + bytes);
	uint64_t loop = here(g);
	if (write) {
		st(g, 5, 2, 0, 8);
	} else {
		ld(g, 1, 2, 0, 8);
		emit(g, ISA_ADD, 3, 3, 1, 0, 0); /* the data is used: a sum */
	}
	emit(g, ISA_ADD, 2, 2, 5, 0, 0);
	emit(g, ISA_BC, 2, 4, ISA_LTU, 0, loop);
	emit(g, ISA_ADDI, 7, 7, 0, 0, (uint64_t)-1);
	emit(g, ISA_BC, 7, ISA_XZR, ISA_NE, 0, pass);
}

/* dst[i] = src[i], 8-byte elements (a compiler's scalar copy loop) */
static void copy_loop(struct gasm *g, uint64_t bytes, uint64_t src, uint64_t dst, uint64_t passes)
{
	movi(g, 7, passes);
	uint64_t pass = here(g);
	movi(g, 2, src);
	movi(g, 6, dst);
	movi(g, 4, src + bytes);
	uint64_t loop = here(g);
	ld(g, 1, 2, 0, 8);
	st(g, 1, 6, 0, 8);
	emit(g, ISA_ADDI, 2, 2, 0, 0, 8);
	emit(g, ISA_ADDI, 6, 6, 0, 0, 8);
	emit(g, ISA_BC, 2, 4, ISA_LTU, 0, loop);
	emit(g, ISA_ADDI, 7, 7, 0, 0, (uint64_t)-1);
	emit(g, ISA_BC, 7, ISA_XZR, ISA_NE, 0, pass);
}

/* memcpy(dst, src, bytes) as calls of `block` bytes each: REP MOVS, with
 * non-temporal stores if asked (what a C library does past its
 * non-temporal threshold) */
static void memcpy_blocks(struct gasm *g, uint64_t bytes, uint64_t src, uint64_t dst, bool nt,
			  uint64_t block)
{
	movi(g, 2, src);
	movi(g, 6, dst);
	movi(g, 4, src + bytes);
	movi(g, 5, block);
	uint64_t loop = here(g);
	emit(g, ISA_MOV, 3, 5, 0, 0, 0);
	emit(g, ISA_MOVS, 6, 2, 3, nt ? ISA_MOVS_NT : 0, 0);
	emit(g, ISA_BC, 2, 4, ISA_LTU, 0, loop);
}

/* `n` block requests of `bytes` each from sector `sector` on, one at a
 * time (queue depth 1, as fio's latency jobs): the descriptor goes into the
 * shared queue page, a notify to the device (an exit; through #VC and the
 * GHCB on SEV-ES / SNP), then the vCPU waits (WFI: halts) until the used
 * count moves, the completion interrupt waking it. A confidential guest's
 * device cannot reach its private memory: with `bounce` the data goes
 * through the shared bounce buffer and the guest copies it (swiotlb). */
static void blk_requests(struct gasm *g, uint64_t n, uint64_t sector, uint64_t buf, uint64_t bytes,
			 bool bounce, bool write, bool net)
{
	/* the buffer is memory the driver owns: backed before the device uses it */
	for (uint64_t p = buf & ~0xfffull; p < buf + bytes; p += 0x1000) {
		movi(g, 2, p < buf ? buf : p);
		st(g, ISA_XZR, 2, 0, 1);
	}
	movi(g, 7, n);
	movi(g, 8, sector);
	uint64_t next = here(g);
	if (bounce && write) { /* the data into the shared buffer first */
		emit(g, ISA_MOV, 6, R_BNC, 0, 0, 0);
		movi(g, 2, buf);
		movi(g, 3, bytes);
		emit(g, ISA_MOVS, 6, 2, 3, 0, 0);
	}
	st(g, 8, R_BNC, GUEST_BLK_QUEUE + GUEST_BLK_SECTOR, 8);
	if (bounce) {
		emit(g, ISA_MOV, 1, R_BNC, 0, 0, 0);
	} else {
		movi(g, 1, buf);
	}
	st(g, 1, R_BNC, GUEST_BLK_QUEUE + GUEST_BLK_BUF, 8);
	movi(g, 1, bytes | (write ? GUEST_BLK_WRITE : 0) | (net ? GUEST_BLK_NET : 0));
	st(g, 1, R_BNC, GUEST_BLK_QUEUE + GUEST_BLK_LEN, 8);
	ld(g, 9, R_BNC, GUEST_BLK_QUEUE + GUEST_BLK_USED, 8);
	st(g, 1, R_DEV, GUEST_DEV_BLK_KICK, 8);
	uint64_t wait = here(g);
	ld(g, 10, R_BNC, GUEST_BLK_QUEUE + GUEST_BLK_USED, 8);
	size_t done = emit(g, ISA_BC, 10, 9, ISA_NE, 0, 0);
	emit(g, ISA_WFI, 0, 0, 0, 0, 0);
	emit(g, ISA_B, 0, 0, 0, 0, wait);
	patch_target(g, done, here(g));
	if (bounce && !write) { /* out of the shared buffer into private memory */
		movi(g, 6, buf);
		emit(g, ISA_MOV, 2, R_BNC, 0, 0, 0);
		movi(g, 3, bytes);
		emit(g, ISA_MOVS, 6, 2, 3, 0, 0);
	}
	emit(g, ISA_ADDI, 8, 8, 0, 0, (bytes + 511) / 512);
	emit(g, ISA_ADDI, 7, 7, 0, 0, (uint64_t)-1);
	emit(g, ISA_BC, 7, ISA_XZR, ISA_NE, 0, next);
}

/* n loads at random 8-byte words of [base, base + bytes): a 64-bit LCG
 * (Knuth's MMIX constants), its high bits as the index */
static void random_loads(struct gasm *g, uint64_t bytes, uint64_t n, uint64_t base, uint64_t seed)
{
	unsigned bits = (unsigned)__builtin_ctzll(bytes / 8);
	movi(g, 7, n);
	movi(g, 8, seed);
	movi(g, 9, 6364136223846793005ull);
	movi(g, 10, base);
	movi(g, 3, 0);
	uint64_t loop = here(g);
	emit(g, ISA_MUL, 8, 8, 9, 0, 0);
	emit(g, ISA_ADDI, 8, 8, 0, 0, 1442695040888963407ull);
	emit(g, ISA_LSRI, 1, 8, 0, 0, 64 - bits);
	movi(g, 2, 3);
	emit(g, ISA_LSLV, 1, 1, 2, 0, 0);
	emit(g, ISA_ADD, 1, 1, 10, 0, 0);
	ld(g, 1, 1, 0, 8);
	emit(g, ISA_ADD, 3, 3, 1, 0, 0);
	emit(g, ISA_ADDI, 7, 7, 0, 0, (uint64_t)-1);
	emit(g, ISA_BC, 7, ISA_XZR, ISA_NE, 0, loop);
}

/* Replay a compiled trace (harness/memtrace/memtrace.h): each 8-byte word of
 * [recs, recs + bytes) is an address, bit 0 set for a store; a load's
 * data is summed (it is used), a store writes the word itself. About seven
 * instructions per access: they stand for the program's own. */
static void replay(struct gasm *g, uint64_t recs, uint64_t bytes, uint64_t passes)
{
	movi(g, 7, passes);
	movi(g, 8, 0);
	uint64_t pass = here(g);
	movi(g, 2, recs);
	movi(g, 4, recs + bytes);
	uint64_t loop = here(g);
	ld(g, 1, 2, 0, 8);
	emit(g, ISA_ADDI, 2, 2, 0, 0, 8);
	emit(g, ISA_ANDI, 3, 1, 0, 0, ~7ull);
	emit(g, ISA_ANDI, 5, 1, 0, 0, 1);
	size_t to_store = emit(g, ISA_BC, 5, ISA_XZR, ISA_NE, 0, 0);
	ld(g, 6, 3, 0, 8);
	emit(g, ISA_ADD, 8, 8, 6, 0, 0);
	emit(g, ISA_BC, 2, 4, ISA_LTU, 0, loop);
	size_t to_next = emit(g, ISA_B, 0, 0, 0, 0, 0);
	patch_target(g, to_store, here(g));
	st(g, 1, 3, 0, 8);
	emit(g, ISA_BC, 2, 4, ISA_LTU, 0, loop);
	patch_target(g, to_next, here(g));
	emit(g, ISA_ADDI, 7, 7, 0, 0, (uint64_t)-1);
	emit(g, ISA_BC, 7, ISA_XZR, ISA_NE, 0, pass);
}

/* A ring of pointers through every line of [base, base + bytes), line i
 * holding the address of line (i + step) mod lines, then `steps` loads
 * following it: each load's address is the previous one's data */
static void chase(struct gasm *g, uint64_t bytes, uint64_t steps, uint64_t base, uint64_t step)
{
	uint64_t lines = bytes / 64;
	movi(g, 2, 0);                 /* i */
	movi(g, 4, lines);
	movi(g, 5, step);
	movi(g, 9, 6);
	movi(g, 10, base);
	uint64_t build = here(g);
	emit(g, ISA_ADD, 6, 2, 5, 0, 0); /* j = i + step, modulo lines */
	size_t in_range = emit(g, ISA_BC, 6, 4, ISA_LTU, 0, 0);
	emit(g, ISA_SUB, 6, 6, 4, 0, 0);
	patch_target(g, in_range, here(g));
	emit(g, ISA_LSLV, 6, 6, 9, 0, 0);
	emit(g, ISA_ADD, 6, 6, 10, 0, 0);
	emit(g, ISA_LSLV, 1, 2, 9, 0, 0);
	emit(g, ISA_ADD, 1, 1, 10, 0, 0);
	st(g, 6, 1, 0, 8);
	emit(g, ISA_ADDI, 2, 2, 0, 0, 1);
	emit(g, ISA_BC, 2, 4, ISA_LTU, 0, build);
	movi(g, 7, steps);
	movi(g, 1, base);
	uint64_t walk = here(g);
	ld(g, 1, 1, 0, 8);
	emit(g, ISA_ADDI, 7, 7, 0, 0, (uint64_t)-1);
	emit(g, ISA_BC, 7, ISA_XZR, ISA_NE, 0, walk);
}

/* The largest odd stride below lines / 2 that shares no factor with a
 * power-of-two ring: consecutive steps land far apart (no stream). */
static uint64_t chase_step(uint64_t lines)
{
	uint64_t s = lines / 2 + 1;
	return s | 1;
}

static bool pow2(uint64_t v) { return v && !(v & (v - 1)); }

/* The memory an op touches, for the range check: [*lo, *hi). */
static bool op_range(const struct guest_op *o, uint64_t *lo, uint64_t *hi)
{
	switch (o->kind) {
	case GOP_STORE: *lo = o->a; *hi = o->a + o->len; return true;
	case GOP_LOAD: *lo = o->a; *hi = o->a + o->b; return true;
	case GOP_STREAM_READ:
	case GOP_STREAM_WRITE:
	case GOP_RANDOM:
	case GOP_CHASE: *lo = o->c; *hi = o->c + o->a; return true;
	case GOP_TOUCH: *lo = o->b; *hi = o->b + o->a; return true;
	case GOP_BLK_READ:
	case GOP_BLK_WRITE: *lo = o->c; *hi = o->c + o->d; return true;
	case GOP_NET_SEND:
	case GOP_NET_RECV: *lo = o->b; *hi = o->b + o->c; return true;
	case GOP_REPLAY: *lo = o->a; *hi = o->a + o->e * 4096; return true;
	case GOP_COPY:
	case GOP_MEMCPY: {
		uint64_t dst = o->c ? o->c : o->b + o->a;
		*lo = MIN(o->b, dst);
		*hi = MAX(o->b, dst) + o->a;
		return true;
	}
	default: return false;
	}
}

/* A generator's own rule, or NULL. */
static const char *op_invalid(const struct guest_op *o)
{
	switch (o->kind) {
	case GOP_STREAM_READ:
	case GOP_STREAM_WRITE:
		if (!o->a || !o->b || o->b % 8 || !o->d)
			return "size > 0, stride a multiple of 8, passes > 0";
		return NULL;
	case GOP_COPY:
	case GOP_MEMCPY: {
		uint64_t dst = o->c ? o->c : o->b + o->a;
		if (o->b < dst ? o->b + o->a > dst : dst + o->a > o->b)
			return "source and destination overlap";
		if (o->kind == GOP_COPY)
			return !o->a || o->a % 8 || !o->d ? "size a multiple of 8, passes > 0" : NULL;
		return !o->a || (o->e && o->a % o->e) ? "size > 0, a multiple of block" : NULL;
	}
	case GOP_RANDOM:
		return !pow2(o->a) || o->a < 8 || !o->b || o->c % 8 ? "size a power of two, n > 0, base 8-aligned" : NULL;
	case GOP_CHASE:
		return !pow2(o->a) || o->a < 128 || !o->b || o->c % 64 ||
				       (o->d && (o->d % 2 == 0 || o->d >= o->a / 64))
			       ? "size a power of two (at least 2 lines), n > 0, base line-aligned, "
				 "step odd and below size / 64"
			       : NULL;
	case GOP_TOUCH:
		return !o->a || !o->c || o->c % 8 ? "size > 0, stride a multiple of 8" : NULL;
	case GOP_BLK_READ:
	case GOP_BLK_WRITE:
		return !o->a || !o->d || o->d > GUEST_BLK_MAX || o->d % 512 || o->e > 2
			       ? "n > 0, size a multiple of 512 up to 4096, bounce 0, 1 or 2" : NULL;
	case GOP_NET_SEND:
	case GOP_NET_RECV:
		return !o->a || !o->c || o->c > GUEST_BLK_MAX || o->d > 2
			       ? "n > 0, size 1 to 4096, bounce 0, 1 or 2" : NULL;
	case GOP_REPLAY:
		return !o->b || o->a % 4096 || !o->len || o->len % 8 ? "passes > 0, base 4 KiB aligned"
								      : NULL;
	case GOP_PIO_IN:
	case GOP_PIO_OUT: {
		uint64_t size = o->kind == GOP_PIO_IN ? o->b : o->c;
		return o->a > 0xffff || (size != 1 && size != 2 && size != 4)
			       ? "port 0..0xffff, size 1, 2 or 4" : NULL;
	}
	default:
		return NULL;
	}
}

static uint64_t page_up(uint64_t v) { return (v + 4095) & ~4095ull; }

/* Where op i's words start in the data segment: after the earlier replay
 * ops' words, or where an earlier op with the same words put them (a
 * trace replayed twice is loaded once). *size: the segment's size. */
static uint64_t data_offset(const struct guest_kernel_config *cfg, size_t i, uint64_t *size)
{
	uint64_t end = 0, at = UINT64_MAX;
	for (size_t j = 0; j < cfg->nops; j++) {
		const struct guest_op *p = &cfg->ops[j];
		if (p->kind != GOP_REPLAY)
			continue;
		uint64_t pat = end;
		for (size_t k = 0; k < j; k++) /* the first op with the same words */
			if (cfg->ops[k].kind == GOP_REPLAY && cfg->ops[k].len == p->len &&
			    memcmp(cfg->ops[k].data, p->data, p->len) == 0) {
				pat = UINT64_MAX;
				break;
			}
		if (pat != UINT64_MAX)
			end += p->len;
		if (j == i)
			at = pat;
	}
	*size = end;
	if (i < cfg->nops && at == UINT64_MAX) { /* a repeat: the earlier op's place */
		for (size_t k = 0; k < i; k++)
			if (cfg->ops[k].kind == GOP_REPLAY && cfg->ops[k].len == cfg->ops[i].len &&
			    memcmp(cfg->ops[k].data, cfg->ops[i].data, cfg->ops[i].len) == 0)
				return data_offset(cfg, k, size);
	}
	return at;
}

static uint64_t data_size(const struct guest_kernel_config *cfg)
{
	uint64_t size;
	(void)data_offset(cfg, SIZE_MAX, &size);
	return size;
}

uint64_t guest_data_ipa(const struct guest_kernel_config *cfg)
{
	uint64_t bytes = page_up(data_size(cfg));
	return bytes < cfg->ram_size ? cfg->ram_size - bytes : 0;
}

void guest_kernel_data(const struct guest_kernel_config *cfg, uint8_t **data, size_t *len,
		       uint64_t *ipa)
{
	*ipa = guest_data_ipa(cfg);
	*len = data_size(cfg);
	*data = *len ? g_malloc(*len) : NULL;
	for (size_t i = 0; *len && i < cfg->nops; i++)
		if (cfg->ops[i].kind == GOP_REPLAY) {
			uint64_t size, at = data_offset(cfg, i, &size);
			memcpy(*data + at, cfg->ops[i].data, cfg->ops[i].len);
		}
}

int gasm_workload(struct gasm *g, const struct guest_kernel_config *cfg, char *err, size_t errlen,
		  size_t *bad_op)
{
	/* the workload's RAM ends where the data segment begins */
	uint64_t top = guest_data_ipa(cfg);
	if (top < GUEST_FREE + 4096) {
		*bad_op = SIZE_MAX;
		snprintf(err, errlen, "the traces' records (%llu bytes) leave no RAM for the "
			 "workload: raise ram", (unsigned long long)(cfg->ram_size - top));
		return -1;
	}
	for (size_t i = 0; i < cfg->nops; i++) {
		const struct guest_op *o = &cfg->ops[i];
		uint64_t lo, hi;
		const char *why = op_invalid(o);
		if (why) {
			*bad_op = i;
			snprintf(err, errlen, "op %zu (%s): %s", i + 1, guest_op_name(o->kind), why);
			return -1;
		}
		if (op_range(o, &lo, &hi) && (lo < GUEST_FREE || hi > top || hi <= lo)) {
			*bad_op = i;
			snprintf(err, errlen,
				 "op %zu (%s): [0x%llx, 0x%llx) is not in the workload's RAM "
				 "[0x%llx, 0x%llx)%s", i + 1, guest_op_name(o->kind),
				 (unsigned long long)lo, (unsigned long long)hi,
				 (unsigned long long)GUEST_FREE, (unsigned long long)top,
				 top < cfg->ram_size ? " (the traces' records take the rest: raise ram)"
						     : "");
			return -1;
		}
		if (g->s390 && o->kind >= GOP_CPUID && o->kind <= GOP_PIO_OUT) {
			*bad_op = i;
			snprintf(err, errlen, "op %zu (%s): no such instruction on s390 (z/Architecture has "
				 "no CPUID, MSRs or port I/O)", i + 1, guest_op_name(o->kind));
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
			/* 8-byte loads, then the tail in the widest pieces that fit
			 * (a 4-byte load is one 4-byte access); X1 keeps the last */
			for (uint64_t k = 0; k < o->b;) {
				unsigned n = o->b - k >= 8 ? 8 : o->b - k >= 4 ? 4 : o->b - k >= 2 ? 2 : 1;
				movi(g, 2, o->a + k);
				ld(g, 1, 2, 0, n);
				k += n;
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
			if (!g->realm && !g->tdx)
				break; /* nothing to extend outside a realm or a TD */
			if (o->len > (g->tdx ? TD_RTMR_EXTEND_MAX : 64) || o->a < 1 || o->a > 4) {
				*bad_op = i;
				snprintf(err, errlen, "op %zu (extend): REM 1..4 and up to 64 bytes "
					 "(a TD's RTMR 0..3 as rem=1..4, up to %u bytes)", i + 1,
					 TD_RTMR_EXTEND_MAX);
				return -1;
			}
			if (g->tdx) {
				td_rtmr_extend(g, (unsigned)o->a - 1, o->data, o->len);
				break;
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
		case GOP_STREAM_READ:
		case GOP_STREAM_WRITE:
			stream(g, o->a, o->b, o->c, o->d, o->kind == GOP_STREAM_WRITE);
			break;
		case GOP_COPY:
			copy_loop(g, o->a, o->b, o->c ? o->c : o->b + o->a, o->d);
			break;
		case GOP_MEMCPY:
			memcpy_blocks(g, o->a, o->b, o->c ? o->c : o->b + o->a, o->d != 0,
				      o->e ? o->e : o->a);
			break;
		case GOP_RANDOM:
			random_loads(g, o->a, o->b, o->c, o->d);
			break;
		case GOP_CHASE:
			chase(g, o->a, o->b, o->c, o->d ? o->d : chase_step(o->a / 64));
			break;
		case GOP_TOUCH:
			movi(g, 2, o->b);
			movi(g, 4, o->b + o->a);
			movi(g, 5, o->c);
			{
				uint64_t loop = here(g);
				st(g, ISA_XZR, 2, 0, 8);
				emit(g, ISA_ADD, 2, 2, 5, 0, 0);
				emit(g, ISA_BC, 2, 4, ISA_LTU, 0, loop);
			}
			break;
		case GOP_CPUID:
			movi(g, 0, o->a);
			movi(g, 2, o->b);
			emit(g, ISA_CPUID, 0, 0, 0, 0, 0);
			break;
		case GOP_RDMSR:
			movi(g, 1, o->a);
			emit(g, ISA_RDMSR, 0, 0, 0, 0, 0);
			break;
		case GOP_WRMSR:
			movi(g, 1, o->a);
			movi(g, 0, o->b);
			emit(g, ISA_WRMSR, 0, 0, 0, 0, 0);
			break;
		case GOP_PIO_IN:
		case GOP_PIO_OUT: {
			bool rd = o->kind == GOP_PIO_IN;
			unsigned size = (unsigned)(rd ? o->b : o->c);
			if (g->realm) { /* no port I/O on Arm: the device's MMIO window */
				if (rd)
					ld(g, 1, R_DEV, GUEST_DEV_PORT, size);
				else {
					movi(g, 1, o->b);
					st(g, 1, R_DEV, GUEST_DEV_PORT, size);
				}
				break;
			}
			if (!rd)
				movi(g, 1, o->b);
			emit(g, rd ? ISA_IN : ISA_OUT, 1, 0, size, (int32_t)o->a, 0);
			break;
		}
		case GOP_PHASE:
			if (o->a >= cfg->nphases) {
				*bad_op = i;
				snprintf(err, errlen, "op %zu (phase): no phase %llu", i + 1,
					 (unsigned long long)o->a);
				return -1;
			}
			emit(g, ISA_MARK, 0, 0, 0, (int32_t)o->a, 0);
			break;
		case GOP_BLK_READ:
		case GOP_BLK_WRITE:
		case GOP_NET_SEND:
		case GOP_NET_RECV: {
			bool cvm = g->realm || g->sev || g->tdx || g->s390;
			bool net = o->kind == GOP_NET_SEND || o->kind == GOP_NET_RECV;
			uint64_t buf = net ? o->b : o->c, size = net ? o->c : o->d;
			uint64_t bounce = net ? o->d : o->e;
			blk_requests(g, o->a, net ? 0 : o->b, buf, size, bounce == 2 ? cvm : bounce == 1,
				     o->kind == GOP_BLK_WRITE || o->kind == GOP_NET_SEND, net);
			break;
		}
		case GOP_REPLAY: {
			uint64_t end;
			replay(g, top + data_offset(cfg, i, &end), o->len, o->b);
			break;
		}
		case GOP_TDCALL:
			if (o->len % 8 || o->len > 80) {
				*bad_op = i;
				snprintf(err, errlen, "op %zu (tdcall): up to 10 argument registers", i + 1);
				return -1;
			}
			if (g->tdx) /* a TDCALL means nothing outside a TD */
				td_tdcall_op(g, o, i);
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

