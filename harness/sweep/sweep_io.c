/* Sweep I/O helpers; see sweep_io.h. */
#include "harness/sweep/sweep_io.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <unistd.h>

int sweep_io_read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int sweep_io_write_all(int fd, const void *buf, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, (const char *)buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int sweep_io_replace_file(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	gchar *tmp = g_strdup_printf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc = fd < 0 || sweep_io_write_all(fd, text, len) || fsync(fd) ? -1 : 0;
	if (fd >= 0 && close(fd))
		rc = -1;
	if (rc == 0 && rename(tmp, path))
		rc = -1;
	if (rc) {
		snprintf(err, errlen, "%s: cannot write: %s", path, g_strerror(errno));
		unlink(tmp);
	}
	g_free(tmp);
	return rc;
}
