/* The trace tools: records decoded by name (text and JSON Lines), errors that
 * name the byte offset, the protobuf encodings and a Perfetto export read
 * back field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "harness/trace/trace_decode.h"
#include "harness/trace/trace_pb.h"
#include "harness/trace/trace_perfetto.h"
#include "models/mmu/fault.h"
#include "models/mmu/pas.h"
#include "models/mmu/rmp.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "sim/sim.h"

#define GHZ 1000000000ull

/* A little trace of what the models emit: monitor calls on the SMC path and
 * the TDX module, a step, a GPC fault, an RMP fault with its entry, exits. */
static void emit_records(struct sim *s)
{
	uint16_t machine = sim_trace_source(s, "machine"), tdx = sim_trace_source(s, "tdx");
	uint16_t scn = sim_trace_source(s, "scenario"), host = sim_trace_source(s, "host");
	uint16_t rmm = sim_trace_source(s, "rmm"), vcpu = sim_trace_source(s, "hv.g0.vcpu");
	struct rmp_entry e = { .assigned = true, .asid = 2, .gpa = 0x4000, .validated = true,
			       .vmpl_perm = { RMP_PERM_ALL } };
	uint8_t raw[RMP_ENTRY_BYTES];
	struct rmp_access a = { .spa = 0x81000, .write = true, .asid = 1, .gpa = 0x4000,
				.private_ = true, .vmpl = 0 };
	rmp_entry_encode(&e, raw);
	sim_set_time(s, 10);
	sim_trace_emit(s, TRACE_STEP, scn, 36, 0, 0, 0, "host.guest_run g0", 17);
	trace_MON_CALL(s, machine, RMI_GRANULE_DELEGATE, 0x90002000, 0, 0);
	sim_set_time(s, 30);
	trace_MON_RET(s, machine, RMI_GRANULE_DELEGATE, 0x104, 0x90002000, 20);
	trace_MON_CALL(s, tdx, 9 /* TDH.MNG.CREATE */, 0x1000, 0, 0);
	trace_MON_RET(s, tdx, 9, 0x8000020000000001ull, 0, 5);
	sim_set_time(s, 40);
	trace_REC_ENTER(s, rmm, 0x90004000, 0, 4, 0);
	trace_GPC_FAULT(s, vcpu, 0x90002000, PAS_NS, FAULT_GPC_GPF, 1);
	sim_trace_emit(s, TRACE_RMP_FAULT, vcpu, 0x81000, 0x4000, rmp_access_word(&a), RMP_CHK_ASID,
		       raw, sizeof(raw));
	trace_GUEST_CALL(s, rmm, RSI_VERSION, 0x10000, 0, 0);
	trace_GUEST_RET(s, rmm, RSI_VERSION, 1, 0, 9);
	trace_GUEST_CALL(s, tdx, 4 /* TDG.MR.REPORT */, 0x2000, 0, 0);
	sim_set_time(s, 45);
	trace_REC_EXIT(s, rmm, RMI_EXIT_IRQ, 0, 0, 5);
	trace_VM_EXIT(s, host, RMI_EXIT_SYNC, 48, 0x3e0, 7); /* a TD exit: EPT violation */
	sim_set_time(s, 3000000000ull);
	sim_trace_emit(s, TRACE_STEP_DONE, scn, 36, 300, 0x7a01, FAULT_RMP_NPF, NULL, 0);
}

/* The trace file of emit_records(); returns its length, *bytes to free(). */
static size_t records_file(char **bytes)
{
	struct sim s;
	size_t len = 0;
	FILE *f = open_memstream(bytes, &len);
	sim_init(&s, 1, GHZ);
	sim_trace_set_file(&s.trace, f, GHZ);
	emit_records(&s);
	assert_false(s.trace.write_error);
	sim_fini(&s);
	fclose(f);
	return len;
}

static char *decode_text(char *bytes, size_t len, int *rc, char *err)
{
	char *text = NULL;
	size_t tlen = 0;
	FILE *in = fmemopen(bytes, len, "r"), *out = open_memstream(&text, &tlen);
	*rc = trace_decode_file(in, "t.bin", out, err, 256);
	fclose(out);
	fclose(in);
	return text;
}

/* Every number with a name reads as the name: RMI, RSI, SEAMCALL and TDCALL functions,
 * statuses (keeping what the name leaves out), PAS, fault kinds, the RMP
 * check and entry, exit reasons; lines and cycles in decimal. */
static void test_text_names(void **state)
{
	(void)state;
	char *b, err[256] = "";
	int rc;
	size_t len = records_file(&b);
	char *text = decode_text(b, len, &rc, err);
	assert_int_equal(rc, 0);
	const char *want[] = {
		"          10 scenario   step           line=36 index=0 addr=0x0 len=0 \"host.guest_run g0\"\n",
		"          10 machine    mon.call       fid=rmi.granule_delegate x1=0x90002000 x2=0x0 x3=0x0\n",
		"          30 machine    mon.ret        fid=rmi.granule_delegate x0=rmi.error_rtt(0x104) "
		"x1=0x90002000 cycles=20\n",
		"          30 tdx        mon.call       fid=tdh.mng.create x1=0x1000 x2=0x0 x3=0x0\n",
		"          30 tdx        mon.ret        fid=tdh.mng.create x0=tdx.operand_busy(0x8000020000000001) "
		"x1=0x0 cycles=5\n",
		"          40 hv.g0.vcpu gpc.fault      pa=0x90002000 pas=ns kind=gpc.gpf level=1\n",
		"          40 hv.g0.vcpu rmp.fault      pa=0x81000 gpa=0x4000 access=guest,write,private,vmpl=0,"
		"asid=1 check=asid fault=rmp.npf entry.assigned=1 entry.asid=2 entry.gpa=0x4000 "
		"entry.validated=1 entry.size=4k entry.immutable=0 entry.vmsa=0 entry.perms=0x1f\n",
		"          40 rmm        guest.call     fid=rsi.version x1=0x10000 x2=0x0 x3=0x0\n",
		"          40 rmm        guest.ret      fid=rsi.version x0=rsi.error_input x1=0x0 cycles=9\n",
		"          40 tdx        guest.call     fid=tdg.mr.report x1=0x2000 x2=0x0 x3=0x0\n",
		"          45 rmm        rec.exit       reason=irq esr=0x0 hpfar=0x0 cycles=5\n",
		"          45 host       vm.exit        reason=sync info=ept_violation pc=0x3e0 cycles=7\n",
		"  3000000000 scenario   step.done      line=36 cycles=300 status=snp.invalid_platform_state "
		"fault=rmp.npf\n",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		if (!strstr(text, want[i]))
			fail_msg("missing line %zu:\n%s", i, want[i]);
	free(text);
	free(b);
}

/* JSON Lines: raw arguments as exact numbers, names under "decoded", the
 * time in ns from the header's clock, the payload as text. */
static void test_json_line(void **state)
{
	(void)state;
	char *b, err[256], *out = NULL;
	size_t len = records_file(&b), olen = 0;
	struct trace_reader r;
	struct trace_names n;
	struct trace_rec rec;
	FILE *in = fmemopen(b, len, "r"), *o = open_memstream(&out, &olen);
	assert_int_equal(trace_scan(in, "t.bin", &r, &n, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(n.freq_hz, GHZ);
	while (trace_reader_next(&r, &rec, err, sizeof(err)) == 1)
		if (rec.type == TRACE_MON_RET || rec.type == TRACE_STEP)
			trace_print_json(o, &n, &rec);
	fclose(o);
	fclose(in);
	trace_names_fini(&n);
	assert_non_null(strstr(out, "{\"cycle\": 10, \"ns\": 10, \"source\": \"scenario\", \"source_id\": 2, "
				    "\"kind\": \"step\", \"kind_id\": 2, \"args\": {\"line\": 36, \"index\": 0, "
				    "\"addr\": 0, \"len\": 0}, \"decoded\": {}, \"text\": \"host.guest_run g0\"}\n"));
	assert_non_null(strstr(out, "\"args\": {\"fid\": 9, \"x0\": 9223374235878031361, \"x1\": 0, "
				    "\"cycles\": 5}, \"decoded\": {\"fid\": \"tdh.mng.create\", "
				    "\"x0\": \"tdx.operand_busy(0x8000020000000001)\"}}\n"));
	free(out);
	free(b);
}

/* A cut or corrupt file fails naming the byte offset of the bad record. */
static void test_malformed(void **state)
{
	(void)state;
	char *b, err[256];
	int rc;
	size_t len = records_file(&b);
	free(decode_text(b, TRACE_HEADER_LEN + 55 + 20, &rc, err)); /* "machine": 48 + 7 */
	assert_int_equal(rc, -1);
	assert_string_equal(err, "t.bin: offset 71: truncated record header (20 of 48 bytes)");
	b[TRACE_HEADER_LEN + 8] = 99; /* the first record's type */
	free(decode_text(b, len, &rc, err));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "t.bin: offset 16: unknown record type 99"));
	free(b);
}

/* Varints group 7 bits at a time, low first; a key is field << 3 | wire. */
static void test_pb_encoding(void **state)
{
	(void)state;
	GByteArray *b = g_byte_array_new();
	pb_varint(b, 0);
	pb_varint(b, 127);
	pb_varint(b, 128);
	pb_varint(b, 300);
	pb_varint(b, UINT64_MAX);
	static const uint8_t v[] = { 0x00, 0x7f, 0x80, 0x01, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff, 0x01 };
	assert_int_equal(b->len, sizeof(v));
	assert_memory_equal(b->data, v, sizeof(v));
	g_byte_array_set_size(b, 0);
	pb_uint(b, PF_PACKET_TRACK_DESCRIPTOR, 5); /* 60 << 3 = 480: two bytes */
	pb_str(b, PF_TRACK_NAME, "host");
	static const uint8_t k[] = { 0xe0, 0x03, 0x05, 0x12, 0x04, 'h', 'o', 's', 't' };
	assert_int_equal(b->len, sizeof(k));
	assert_memory_equal(b->data, k, sizeof(k));
	g_byte_array_free(b, TRUE);
}

/* --- reading the export back --- */

static uint64_t rd_varint(const uint8_t *p, size_t n, size_t *i)
{
	uint64_t v = 0;
	for (unsigned s = 0; *i < n && s < 64; s += 7) {
		uint8_t c = p[(*i)++];
		v |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80))
			return v;
	}
	fail_msg("bad varint at %zu", *i);
	return 0;
}

/* The next field of p[0, n) from *i: its number; *v its varint, or sub and sublen its bytes. */
static unsigned rd_field(const uint8_t *p, size_t n, size_t *i, uint64_t *v, const uint8_t **sub,
			 size_t *sublen)
{
	uint64_t key = rd_varint(p, n, i);
	switch (key & 7) {
	case PB_VARINT:
		*v = rd_varint(p, n, i);
		break;
	case PB_LEN:
		*sublen = rd_varint(p, n, i);
		assert_true(*i + *sublen <= n);
		*sub = p + *i;
		*i += *sublen;
		break;
	default:
		fail_msg("wire type %u", (unsigned)(key & 7));
	}
	return (unsigned)(key >> 3);
}

struct pf_summary {
	unsigned packets, descriptors, begins, ends, instants, unsequenced, first_flags;
	char names[512];  /* the track names, ';'-separated */
	char slices[512]; /* begin names, ';'-separated */
};

static void read_event(const uint8_t *p, size_t n, struct pf_summary *s)
{
	uint64_t v = 0;
	const uint8_t *sub = NULL;
	size_t len = 0, i = 0;
	unsigned type = 0;
	char name[128] = "";
	while (i < n) {
		unsigned f = rd_field(p, n, &i, &v, &sub, &len);
		if (f == PF_EVENT_TYPE)
			type = (unsigned)v;
		else if (f == PF_EVENT_NAME)
			snprintf(name, sizeof(name), "%.*s", (int)len, (const char *)sub);
	}
	s->begins += type == PF_TYPE_SLICE_BEGIN;
	s->ends += type == PF_TYPE_SLICE_END;
	s->instants += type == PF_TYPE_INSTANT;
	if (type == PF_TYPE_SLICE_BEGIN)
		g_strlcat(s->slices, name, sizeof(s->slices)), g_strlcat(s->slices, ";", sizeof(s->slices));
}

static void read_export(const char *path, struct pf_summary *s)
{
	gchar *data;
	gsize n;
	size_t i = 0;
	assert_true(g_file_get_contents(path, &data, &n, NULL));
	memset(s, 0, sizeof(*s));
	const uint8_t *p = (const uint8_t *)data;
	while (i < n) {
		uint64_t v = 0, seq = 0;
		const uint8_t *pkt = NULL, *sub = NULL;
		size_t plen = 0, len = 0, j = 0;
		assert_int_equal(rd_field(p, n, &i, &v, &pkt, &plen), PF_TRACE_PACKET);
		s->packets++;
		while (j < plen) {
			unsigned f = rd_field(pkt, plen, &j, &v, &sub, &len);
			if (f == PF_PACKET_SEQUENCE_ID)
				seq = v;
			else if (f == PF_PACKET_SEQUENCE_FLAGS && s->packets == 1)
				s->first_flags = (unsigned)v;
			else if (f == PF_PACKET_TRACK_EVENT)
				read_event(sub, len, s);
			else if (f == PF_PACKET_TRACK_DESCRIPTOR) {
				size_t k = 0;
				const uint8_t *nm = NULL;
				size_t nlen = 0;
				s->descriptors++;
				while (k < len)
					if (rd_field(sub, len, &k, &v, &nm, &nlen) == PF_TRACK_NAME) {
						char t[64];
						snprintf(t, sizeof(t), "%.*s;", (int)nlen, (const char *)nm);
						g_strlcat(s->names, t, sizeof(s->names));
					}
			}
		}
		s->unsequenced += seq != PF_SEQUENCE;
	}
	g_free(data);
}

/* The export: a descriptor per source and per REC the monitor ran, steps
 * and monitor calls as balanced slices named by what they are, every packet
 * on the one sequence, the first clearing its incremental state. */
static void test_perfetto_export(void **state)
{
	(void)state;
	char *b, err[256];
	size_t len = records_file(&b);
	gchar *dir = g_dir_make_tmp("ccsim-trace-XXXXXX", NULL);
	gchar *out = g_build_filename(dir, "t.pftrace", NULL);
	FILE *in = fmemopen(b, len, "r");
	assert_int_equal(trace_perfetto_export(in, "t.bin", out, 0, err, sizeof(err)), 0);
	fclose(in);
	struct pf_summary s;
	read_export(out, &s);
	assert_int_equal(s.unsequenced, 0);
	assert_int_equal(s.first_flags, PF_SEQ_INCREMENTAL_STATE_CLEARED);
	assert_int_equal(s.descriptors, 7);
	assert_string_equal(s.names, "machine;tdx;scenario;host;rmm;hv.g0.vcpu;rmm rec 0x90004000;");
	assert_string_equal(s.slices, "host.guest_run g0;rmi.granule_delegate;tdh.mng.create;run;"
				      "rsi.version;tdg.mr.report;");
	assert_int_equal(s.begins, 6);
	assert_int_equal(s.ends, 6); /* tdg.mr.report never returned: it ends with the trace */
	assert_int_equal(s.instants, 4); /* gpc.fault, rmp.fault, the REC's exit, vm.exit */

	/* a version 1 trace names no clock: refused unless given one */
	memcpy(b + 8, TRACE_MAGIC_V1, 8);
	in = fmemopen(b + 8, len - 8, "r");
	assert_int_equal(trace_perfetto_export(in, "v1.bin", out, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "v1.bin: the header names no clock frequency (a version 1 trace)"));
	rewind(in);
	assert_int_equal(trace_perfetto_export(in, "v1.bin", out, 3 * GHZ, err, sizeof(err)), 0);
	fclose(in);
	/* a cut trace leaves OUT as it was */
	in = fmemopen(b + 8, len - 30, "r");
	assert_int_equal(trace_perfetto_export(in, "cut.bin", out, GHZ, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cut.bin: offset "));
	fclose(in);
	read_export(out, &s);
	assert_int_equal(s.descriptors, 7);
	g_remove(out);
	g_rmdir(dir);
	g_free(out);
	g_free(dir);
	free(b);
}

/* A trace that starts mid-call (its returns have no call): the returns stay,
 * as named instants, and no slice ends that never began. */
static void test_perfetto_ends_without_begins(void **state)
{
	(void)state;
	struct sim s;
	char *b = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&b, &len);
	sim_init(&s, 1, GHZ);
	sim_trace_set_file(&s.trace, f, GHZ);
	uint16_t machine = sim_trace_source(&s, "machine"), rmm = sim_trace_source(&s, "rmm");
	trace_MON_RET(&s, machine, RMI_GRANULE_DELEGATE, 0, 0, 20);
	trace_REC_EXIT(&s, rmm, RMI_EXIT_IRQ, 0, 0, 5);
	sim_fini(&s);
	fclose(f);
	gchar *dir = g_dir_make_tmp("ccsim-trace-XXXXXX", NULL);
	gchar *out = g_build_filename(dir, "t.pftrace", NULL);
	FILE *in = fmemopen(b, len, "r");
	assert_int_equal(trace_perfetto_export(in, "t.bin", out, 0, err, sizeof(err)), 0);
	fclose(in);
	struct pf_summary sum;
	read_export(out, &sum);
	assert_int_equal(sum.begins, 0);
	assert_int_equal(sum.ends, 0);
	assert_int_equal(sum.instants, 2); /* mon.ret, and the REC's exit */
	g_remove(out);
	g_rmdir(dir);
	g_free(out);
	g_free(dir);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_names),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_pb_encoding),
		cmocka_unit_test(test_perfetto_export),
		cmocka_unit_test(test_perfetto_ends_without_begins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
