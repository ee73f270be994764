/* A ccsim binary trace as a Perfetto trace (a Trace message of
 * TracePackets carrying TrackDescriptors and TrackEvents) to open at
 * ui.perfetto.dev or load into trace_processor. Field numbers are those of
 * Perfetto's protos/perfetto/trace/trace.proto, trace_packet.proto and
 * track_event/{track_event,track_descriptor,debug_annotation}.proto. */
#ifndef CCSIM_HARNESS_TRACE_PERFETTO_H
#define CCSIM_HARNESS_TRACE_PERFETTO_H

#include <stdint.h>
#include <stdio.h>

/* Trace: packet = 1 */
#define PF_TRACE_PACKET 1
/* TracePacket */
#define PF_PACKET_TIMESTAMP 8
#define PF_PACKET_SEQUENCE_ID 10 /* trusted_packet_sequence_id */
#define PF_PACKET_TRACK_EVENT 11
#define PF_PACKET_SEQUENCE_FLAGS 13
#define PF_PACKET_TRACK_DESCRIPTOR 60
#define PF_SEQ_INCREMENTAL_STATE_CLEARED 1
/* TrackDescriptor */
#define PF_TRACK_UUID 1
#define PF_TRACK_NAME 2
#define PF_TRACK_PARENT_UUID 5
/* TrackEvent */
#define PF_EVENT_DEBUG_ANNOTATIONS 4
#define PF_EVENT_TYPE 9
#define PF_EVENT_TRACK_UUID 11
#define PF_EVENT_CATEGORIES 22
#define PF_EVENT_NAME 23
#define PF_TYPE_SLICE_BEGIN 1
#define PF_TYPE_SLICE_END 2
#define PF_TYPE_INSTANT 3
/* DebugAnnotation */
#define PF_ANN_UINT 3
#define PF_ANN_STRING 6
#define PF_ANN_POINTER 7
#define PF_ANN_NAME 10

/* The one packet sequence the export writes. */
#define PF_SEQUENCE 1

/* Write trace `in` (named path in messages) to the stream out as a Perfetto
 * trace; freq_hz as below. 0, or -1 with a message in err. */
int trace_perfetto_write(FILE *in, const char *path, FILE *out, uint64_t freq_hz, char *err,
			 size_t errlen);
/* Write trace `in` (named path in messages) to out_path as a Perfetto
 * trace. freq_hz, if not 0, is the clock that turns cycles into
 * nanoseconds; else the trace's header names it. out_path is written whole
 * or left as it was. 0, or -1 with a message in err. */
int trace_perfetto_export(FILE *in, const char *path, const char *out_path, uint64_t freq_hz,
			  char *err, size_t errlen);

#endif
