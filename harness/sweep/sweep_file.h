/* Sweep files (*.sweep): a study in a few lines, so a bundled what-if is
 * one command (`ccsim sweep studies/NAME.sweep`). One statement a line,
 * words separated by spaces, "double quotes" around a word with spaces,
 * # to the end of the line a comment:
 *
 *   scenario ../scenarios/guests/timer-tick.scn   # relative to this file
 *   profiles cca cca-rmm-timer
 *   set memenc.aes_latency=40,80                   # a machine key
 *   set period=100000,300000                       # a scenario param
 *   counter hv.g0.* rmm.rec.timer_injects
 *   seed 1
 *
 * docs/sweeps.md is the reference. Errors name file:line:column. */
#ifndef CCSIM_HARNESS_SWEEP_FILE_H
#define CCSIM_HARNESS_SWEEP_FILE_H

#include <stdio.h>

#include "harness/sweep/sweep_spec.h"

/* Read `path` into `s` (initialised by the caller). Returns 0, or -1 with
 * "file:line:col: message". */
int sweep_file_load(const char *path, struct sweep_spec *s, char *err, size_t errlen);
/* Write `s` in the same format (paths as they are in `s`), after a
 * comment line of `comment` if not NULL. */
void sweep_file_write(FILE *f, const struct sweep_spec *s, const char *comment);

#endif
