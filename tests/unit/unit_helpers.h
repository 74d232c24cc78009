/*
 * unit_helpers.h — small shared pieces of the cmocka unit tests: temporary
 * directories, UTC timestamps, and running a piece of code in a child
 * process (for code that is expected to crash or leak while a bug is open,
 * so one failure does not take the whole test program down with it).
 *
 * Everything is static inline so a test file that does not use a helper
 * does not trip -Wunused-function.
 */
#ifndef LINLI_UNIT_HELPERS_H
#define LINLI_UNIT_HELPERS_H

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define UNIT_HAVE_LSAN 1
#else
#define UNIT_HAVE_LSAN 0
#endif

/* Creates a fresh private directory under $TMPDIR (or /tmp); returns a
 * malloc'd path or NULL. */
static inline char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/linli-unit-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		return NULL;
	return strdup(tmpl);
}

/* Removes the regular files directly inside dir, then dir itself. The test
 * directories are flat (a database, its -wal/-shm, backups). */
static inline void unit_rmdir(const char *dir)
{
	if (!dir)
		return;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char p[4096];
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

static inline bool unit_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Seconds since the epoch of a UTC calendar time. */
static inline int64_t unit_utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

/*
 * Runs fn(arg) in a forked child and returns its wait status. The child
 * restores default signal dispositions (cmocka installs handlers that would
 * longjmp back into the parent's test loop) and leaves with _exit(fn's
 * return value), so a crash, an ASan/UBSan abort or a non-zero return all
 * show up as a status that is not "exited with 0".
 */
static inline int unit_run_child(int (*fn)(void *), void *arg)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		int rc = fn(arg);
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		;
	return status;
}

/* Human-readable summary of a wait status, for assertion messages. */
static inline const char *unit_status_text(int status, char *buf, size_t cap)
{
	if (WIFEXITED(status))
		snprintf(buf, cap, "exited with %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, cap, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, cap, "status %d", status);
	return buf;
}

/* Non-zero when LeakSanitizer finds unreachable heap blocks right now
 * (0 when built without ASan). For use inside unit_run_child children. */
static inline int unit_leak_check(void)
{
#if UNIT_HAVE_LSAN
	return __lsan_do_recoverable_leak_check();
#else
	return 0;
#endif
}

#endif
