// SPDX-License-Identifier: GPL-2.0
/*
 * fake_sysfs.so: a test-only LD_PRELOAD shim that shows a program a
 * made-up /sys/kernel/kvm_accel.  With KA_FAKE_SYSFS=DIR in the
 * environment, every path at or under /sys/kernel/kvm_accel that the
 * program opens, stats or lists is looked up under DIR instead (a DIR
 * that does not exist is a module that is not loaded); without it the
 * shim changes nothing.  This lets the loader's error paths and listings
 * be tested anywhere, while libkvmaccel itself knows only the real path.
 *
 *	LD_PRELOAD=$(O)/loader/tests/fake_sysfs.so KA_FAKE_SYSFS=/tmp/x kvm-accel list
 *
 * It covers the calls libkvmaccel and the tool make on that directory
 * (open, stat, access, opendir; statx too, for ls), in each of glibc's
 * symbol spellings.
 * Not shipped: built for the tests only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define REAL_DIR	"/sys/kernel/kvm_accel"

/*
 * The path to use for @path: under $KA_FAKE_SYSFS if @path is the real
 * directory or below it, else @path itself.  NULL (errno set) if the
 * result would not fit.
 */
static const char *redirect(const char *path, char *buf)
{
	const char *fake = getenv("KA_FAKE_SYSFS");
	size_t n = strlen(REAL_DIR);

	if (!fake || !*fake || !path || strncmp(path, REAL_DIR, n) ||
	    (path[n] && path[n] != '/'))
		return path;
	if (snprintf(buf, PATH_MAX, "%s%s", fake, path + n) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

#define REAL(fn) ({							\
	static typeof(&fn) real;					\
	if (!real)							\
		real = (typeof(&fn))dlsym(RTLD_NEXT, #fn);		\
	real;								\
})

/* open(2) and friends: the mode argument only with O_CREAT or O_TMPFILE. */
#define OPEN_MODE(flags, mode) do {					\
	if ((flags) & (O_CREAT | O_TMPFILE)) {				\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
} while (0)

int open(const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	path = redirect(path, buf);
	return path ? REAL(open)(path, flags, mode) : -1;
}

int open64(const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	path = redirect(path, buf);
	return path ? REAL(open64)(path, flags, mode) : -1;
}

/* Absolute paths only: a relative one does not name the real directory. */
int openat(int dirfd, const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	path = redirect(path, buf);
	return path ? REAL(openat)(dirfd, path, flags, mode) : -1;
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	path = redirect(path, buf);
	return path ? REAL(openat64)(dirfd, path, flags, mode) : -1;
}

/* What _FORTIFY_SOURCE builds call. */
int __open_2(const char *path, int flags)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(open)(path, flags) : -1;
}

int __open64_2(const char *path, int flags)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(open64)(path, flags) : -1;
}

int stat(const char *path, struct stat *st)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(stat)(path, st) : -1;
}

int stat64(const char *path, struct stat64 *st)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(stat64)(path, st) : -1;
}

int lstat(const char *path, struct stat *st)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(lstat)(path, st) : -1;
}

int lstat64(const char *path, struct stat64 *st)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(lstat64)(path, st) : -1;
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(fstatat)(dirfd, path, st, flags) : -1;
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(fstatat64)(dirfd, path, st, flags) : -1;
}

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(statx)(dirfd, path, flags, mask, stx) : -1;
}

int access(const char *path, int mode)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(access)(path, mode) : -1;
}

/* glibc's opendir() opens the directory internally: the open above misses it. */
DIR *opendir(const char *path)
{
	char buf[PATH_MAX];

	path = redirect(path, buf);
	return path ? REAL(opendir)(path) : NULL;
}
