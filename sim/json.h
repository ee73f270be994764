/* Minimal JSON output helpers for summaries, matrices and benchmarks. */
#ifndef CCSIM_SIM_JSON_H
#define CCSIM_SIM_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A JSON string literal, quotes included. */
void json_str(FILE *f, const char *s);
/* Bytes as a JSON string: printable ASCII as text, else "hex:..." */
void json_bytes(FILE *f, const uint8_t *p, size_t n);

#endif
