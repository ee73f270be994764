/* A ccsim binary trace (sim/trace.h) decoded for people and for tools: the
 * numbers models store become names (sources, monitor calls and their
 * statuses, exit reasons, fault kinds, RMP checks), and each record prints as
 * one text line or one JSON object. The kernel stays free of the models'
 * vocabularies: this room knows them. docs/outputs.md lists every record and
 * its fields. */
#ifndef CCSIM_HARNESS_TRACE_DECODE_H
#define CCSIM_HARNESS_TRACE_DECODE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/trace.h"

/* What the trace itself says about how to read it: the names of its sources
 * (from `source` records) and the clock of its cycles. */
struct trace_names {
	GPtrArray *src;   /* char * by source id; NULL where none was named */
	uint64_t freq_hz; /* 0: unknown (a version 1 trace) */
	bool tdx;         /* a "tdx" source: vm.exit's info is a VMX exit reason */
};

void trace_names_init(struct trace_names *n, uint64_t freq_hz);
void trace_names_fini(struct trace_names *n);
/* Take note of a `source` record (any other record is ignored). */
void trace_names_learn(struct trace_names *n, const struct trace_rec *rec);
/* The name of source `id`, or "?" if no record named it. */
const char *trace_names_source(const struct trace_names *n, uint16_t id);
/* Cycles as nanoseconds at freq_hz (rounded down); freq_hz must be set. */
uint64_t trace_names_ns(const struct trace_names *n, uint64_t cycle);

/* One field of a decoded record. An argument (is_arg) keeps its raw value;
 * `text` is what the text view prints: a name where the value has one, else
 * the number in decimal or hex. */
enum trace_field_kind {
	TF_HEX,  /* a number best read in hex: addresses, registers */
	TF_DEC,  /* a count, a line, cycles */
	TF_NAME, /* a name for the raw value */
};
#define TRACE_TEXT_MAX 96
struct trace_field {
	const char *key;
	enum trace_field_kind kind;
	bool is_arg;  /* one of the record's four arguments (else derived from them or the payload) */
	uint64_t raw;
	char text[TRACE_TEXT_MAX];
};
#define TRACE_FIELDS_MAX 16
struct trace_decoded {
	const char *kind;   /* the record type's name, "mon.call" */
	const char *source; /* the source's name, "host" */
	size_t n;
	struct trace_field f[TRACE_FIELDS_MAX];
	bool payload_decoded; /* the payload is in the fields (rmp.fault's entry) */
};

void trace_decode(const struct trace_names *n, const struct trace_rec *rec, struct trace_decoded *d);
/* The field named `key`, or NULL. */
const struct trace_field *trace_decoded_field(const struct trace_decoded *d, const char *key);

/* "     672 machine    mon.call       fid=rmi.granule_delegate x1=0x90002000 ..." */
void trace_print_text(FILE *out, const struct trace_names *n, const struct trace_rec *rec);
/* One JSON object on one line (JSON Lines): cycle, ns (when the clock is
 * known), source, source_id, kind, kind_id, args (raw numbers), decoded
 * (names and derived fields), text or bytes (the payload). */
void trace_print_json(FILE *out, const struct trace_names *n, const struct trace_rec *rec);

/* Read a whole trace once, checking every record and learning the source
 * names into *n (initialised here; trace_names_fini it), calling fn (may be
 * NULL) on each record; then leave *r at the first record again. 0, or -1
 * with a message naming the file and byte offset (n is released then). */
int trace_scan(FILE *f, const char *path, struct trace_reader *r, struct trace_names *n,
	       void (*fn)(void *ctx, const struct trace_rec *rec), void *ctx, char *err,
	       size_t errlen);

/* Whole-file text view (what a run writes as trace.txt). 0, or -1 with a
 * message naming the file and byte offset in err. */
int trace_decode_file(FILE *in, const char *path, FILE *out, char *err, size_t errlen);

#endif
