/* spool.c — anonymous files for large uploads (see spool.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "http/spool.h"

static char dir[PATH_MAX];

int http_spool_init(void)
{
	const char *tmp = getenv("TMPDIR");
	if (snprintf(dir, sizeof dir, "%s/linli-upload-XXXXXX", tmp && *tmp ? tmp : "/tmp") >= (int)sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(dir) ? 0 : -1; /* mkdtemp makes it 0700 */
}

void http_spool_cleanup(void)
{
	if (dir[0])
		rmdir(dir);
}

int http_spool_open(void)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/up-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC); /* mode 0600 */
	if (fd >= 0)
		unlink(path);
	return fd;
}
