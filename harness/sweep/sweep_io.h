/* File and pipe I/O of the sweep machinery: whole reads and writes across
 * short transfers and signals, and replacing a file in one step. */
#ifndef CCSIM_HARNESS_SWEEP_IO_H
#define CCSIM_HARNESS_SWEEP_IO_H

#include <stddef.h>

/* Read exactly len bytes; -1 on error or end of file first. */
int sweep_io_read_all(int fd, void *buf, size_t len);
/* Write all of buf; -1 on error. */
int sweep_io_write_all(int fd, const void *buf, size_t len);
/* Replace `path` with `text`: a temporary file beside it, synced, renamed
 * over it, so a reader sees the old file or the new one, never a part. */
int sweep_io_replace_file(const char *path, const char *text, size_t len, char *err, size_t errlen);

#endif
