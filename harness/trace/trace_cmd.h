/* `ccsim trace`: a binary trace decoded as text or JSON Lines, filtered by
 * source, kind, cycles or guest; `ccsim trace export --perfetto` writes it
 * as a Perfetto timeline. */
#ifndef CCSIM_HARNESS_TRACE_CMD_H
#define CCSIM_HARNESS_TRACE_CMD_H

/* argv holds the arguments after "trace". Exit status: 0, or 2 for bad
 * usage, a file that cannot be read or a malformed trace. */
int trace_cmd_main(int argc, char **argv);

#endif
