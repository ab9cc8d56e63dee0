/* SPDX-License-Identifier: MIT */
/* Small shared helpers: cleanup attributes, a size-capped buffer, string
 * vectors, paths and atomic file writes. Every function that can fail returns
 * a negative errno; none of them prints anything. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define KR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define KR_UNUSED __attribute__((unused))

/* _cleanup_ helpers in the systemd style: the variable is released when it
 * goes out of scope, so early returns cannot leak. */
#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void kr_freep(void *p) { free(*(void **)p); }
static inline void kr_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void kr_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_free_ _cleanup_(kr_freep)
#define _cleanup_close_ _cleanup_(kr_closep)
#define _cleanup_fclose_ _cleanup_(kr_fclosep)

/* Declares name##p(type **) that calls func on a non-NULL pointer. */
#define KR_DEFINE_CLEANUP(type, func)                                          \
	static inline void func##p(type **p)                                  \
	{                                                                      \
		if (*p)                                                        \
			func(*p);                                              \
	}

/* Hand the value out of a cleanup-managed variable. */
#define KR_TAKE_PTR(p)                                                         \
	__extension__({                                                                     \
		__typeof__(p) _taken = (p);                                    \
		(p) = NULL;                                                    \
		_taken;                                                        \
	})
#define KR_TAKE_FD(fd)                                                         \
	__extension__({                                                                     \
		int _taken = (fd);                                             \
		(fd) = -1;                                                     \
		_taken;                                                        \
	})

/* xmalloc-style allocation: kradar treats out-of-memory as fatal, because
 * every caller would only propagate it to exit anyway. */
void *kr_malloc(size_t n);
void *kr_calloc(size_t n, size_t size);
void *kr_realloc(void *p, size_t n);
char *kr_strdup(const char *s);
char *kr_strndup(const char *s, size_t n);
char *kr_asprintf(const char *fmt, ...) KR_PRINTF(1, 2);
char *kr_vasprintf(const char *fmt, va_list ap) KR_PRINTF(1, 0);

/* A growable byte buffer with a hard size cap: appending beyond the cap
 * fails with -E2BIG and leaves the buffer as it was. data is always
 * NUL-terminated (the terminator is not counted in len). */
struct kr_buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;
};
#define KR_BUF_INIT(max) ((struct kr_buf){ .cap = (max) })
int kr_buf_add(struct kr_buf *b, const void *data, size_t len);
int kr_buf_adds(struct kr_buf *b, const char *s);
int kr_buf_addc(struct kr_buf *b, char c);
int kr_buf_printf(struct kr_buf *b, const char *fmt, ...) KR_PRINTF(2, 3);
void kr_buf_reset(struct kr_buf *b);
void kr_buf_free(struct kr_buf *b);
/* Returns the data (never NULL) and resets b to empty. */
char *kr_buf_steal(struct kr_buf *b);

/* NULL-terminated string vectors. */
size_t kr_strv_len(char *const *v);
void kr_strv_push(char ***v, char *s); /* takes ownership of s */
void kr_strv_pushf(char ***v, const char *fmt, ...) KR_PRINTF(2, 3);
char **kr_strv_copy(char *const *v);
void kr_strv_free(char **v);
bool kr_strv_contains(char *const *v, const char *s);
KR_DEFINE_CLEANUP(char *, kr_strv_free)
#define _cleanup_strv_free_ _cleanup_(kr_strv_freep)

bool kr_str_startswith(const char *s, const char *prefix);
/* Removes leading and trailing white space in place; returns the start. */
char *kr_strstrip(char *s);
/* s is not empty and holds only ASCII letters, digits and characters of
 * extra ("._-" for names). */
bool kr_str_in_charset(const char *s, const char *extra);
/* Length (1..4) of the valid UTF-8 sequence at s (left bytes available), or
 * 0 when it is not one: overlong forms, surrogates and code points above
 * U+10FFFF are invalid. *cp gets the code point when cp is not NULL. */
size_t kr_utf8_seq(const unsigned char *s, size_t left, uint32_t *cp);
bool kr_str_endswith(const char *s, const char *suffix);
bool kr_streq_ptr(const char *a, const char *b);

/* Paths. */
char *kr_path_join(const char *dir, const char *name);
/* dir part of path ("." when there is none). */
char *kr_path_dirname(const char *path);
/* An absolute form of path, interpreted relative to base when relative.
 * Lexical only: the file need not exist. "." and ".." are folded. */
char *kr_path_absolute(const char *base, const char *path);
/* A relative path that leads from directory from_dir to path (both made
 * absolute first, lexically): "run-1/console.log", "../out/x", ".". */
char *kr_path_relative(const char *from_dir, const char *path);
bool kr_path_is_url(const char *s);
/* Names from outside (scenarios, matrices, results.json, server answers)
 * before they become file names: one component of [A-Za-z0-9._-], not "."
 * nor ".."; a relative path of non-empty components, none "." or "..". */
bool kr_name_ok(const char *s);
bool kr_relpath_ok(const char *s);
/* openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) of rel below root: no
 * "..", absolute path or symlink may lead out (-EXDEV, -ELOOP, or -EINVAL
 * for a path that kr_relpath_ok() rejects). flags as open()'s (O_CLOEXEC
 * is added); a kernel without openat2 gets O_NOFOLLOW on the last
 * component only. */
int kr_open_beneath(const char *root, const char *rel, int flags, mode_t mode);
int kr_mkdir_p(const char *path, mode_t mode);
/* rm -rf without following symlinks. Missing path is fine. */
int kr_rm_rf(const char *path);

/* kradar's cache root: $XDG_CACHE_HOME/kradar when XDG_CACHE_HOME is an
 * absolute path (the XDG rule: a relative one is ignored), else
 * $HOME/.cache/kradar, else /tmp/kradar-cache. Kernels, downloads and test
 * fixtures live below it. */
char *kr_cache_dir(void);

/* Reads a whole file (up to max bytes, -EFBIG beyond). */
int kr_read_file(const char *path, size_t max, char **data, size_t *len);
/* Writes data to path atomically: a temporary file in the same directory
 * (PATH.tmp-XXXXXX), fsync, close, rename over path, then fsync of the
 * directory. Readers see the old or the new content, never a half-written
 * file; on any error (ENOSPC, EIO, EROFS...) path is left as it was and the
 * temporary file removed. */
int kr_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Monotonic clock in nanoseconds and in seconds. */
uint64_t kr_now_ns(void);
double kr_now_s(void);
/* Wall clock in seconds since the epoch. */
double kr_wall_s(void);

/* Expands ${VAR} and ${VAR:-default} from the environment; "$$" stands for
 * "$". Returns -ENOENT with the name of the unset variable in *missing, or
 * -EINVAL for an unterminated ${. */
int kr_expand_env(const char *in, char **out, char **missing);

/* Parses a base-10 integer that must fill the whole string. */
int kr_parse_long(const char *s, long *out);
