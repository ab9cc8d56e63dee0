/* SPDX-License-Identifier: MIT */
#include "util.h"
#include "stale.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

static void die_oom(void)
{
	fputs("kradar: out of memory\n", stderr);
	abort();
}

void *kr_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

void *kr_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom();
	return p;
}

void *kr_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

char *kr_strdup(const char *s)
{
	return s ? kr_strndup(s, strlen(s)) : NULL;
}

char *kr_strndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		die_oom();
	return p;
}

char *kr_vasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		die_oom();
	return s;
}

char *kr_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = kr_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

static int buf_grow(struct kr_buf *b, size_t extra)
{
	if (extra > b->cap || b->len > b->cap - extra)
		return -E2BIG;
	size_t need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	if (b->cap < SIZE_MAX && n > b->cap + 1) /* SIZE_MAX: no cap */
		n = b->cap + 1;
	b->data = kr_realloc(b->data, n);
	b->alloc = n;
	return 0;
}

int kr_buf_add(struct kr_buf *b, const void *data, size_t len)
{
	int r = buf_grow(b, len);
	if (r < 0)
		return r;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int kr_buf_adds(struct kr_buf *b, const char *s)
{
	return kr_buf_add(b, s, strlen(s));
}

int kr_buf_addc(struct kr_buf *b, char c)
{
	return kr_buf_add(b, &c, 1);
}

int kr_buf_printf(struct kr_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *s = kr_vasprintf(fmt, ap);
	va_end(ap);
	return kr_buf_adds(b, s);
}

void kr_buf_reset(struct kr_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void kr_buf_free(struct kr_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

char *kr_buf_steal(struct kr_buf *b)
{
	char *d = b->data ? b->data : kr_strdup("");
	b->data = NULL;
	b->len = b->alloc = 0;
	return d;
}

size_t kr_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void kr_strv_push(char ***v, char *s)
{
	size_t n = kr_strv_len(*v);
	*v = kr_realloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

void kr_strv_pushf(char ***v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kr_strv_push(v, kr_vasprintf(fmt, ap));
	va_end(ap);
}

char **kr_strv_copy(char *const *v)
{
	size_t n = kr_strv_len(v);
	char **c = kr_calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		c[i] = kr_strdup(v[i]);
	return c;
}

void kr_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

bool kr_strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

bool kr_str_in_charset(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(extra, *p)))
			return false;
	return true;
}

bool kr_str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool kr_str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

size_t kr_utf8_seq(const unsigned char *s, size_t left, uint32_t *cp_out)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t min, cp;
	if (c < 0x80) {
		n = 1;
		min = 0;
		cp = c;
	} else if ((c & 0xE0) == 0xC0) {
		n = 2;
		min = 0x80;
		cp = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3;
		min = 0x800;
		cp = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4;
		min = 0x10000;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	if (cp_out)
		*cp_out = cp;
	return n;
}

bool kr_streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

char *kr_path_join(const char *dir, const char *name)
{
	if (!dir || !*dir || name[0] == '/')
		return kr_strdup(name);
	size_t n = strlen(dir);
	return kr_asprintf("%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
}

char *kr_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return kr_strdup(".");
	if (slash == path)
		return kr_strdup("/");
	return kr_strndup(path, (size_t)(slash - path));
}

char *kr_path_absolute(const char *base, const char *path)
{
	_cleanup_free_ char *joined = NULL;
	if (path[0] == '/') {
		joined = kr_strdup(path);
	} else {
		_cleanup_free_ char *abs_base = NULL;
		if (!base || base[0] != '/') {
			char cwd[PATH_MAX];
			if (!getcwd(cwd, sizeof(cwd)))
				strcpy(cwd, "/");
			abs_base = base ? kr_path_join(cwd, base) : kr_strdup(cwd);
		} else {
			abs_base = kr_strdup(base);
		}
		joined = kr_path_join(abs_base, path);
	}
	/* Fold "." and ".." lexically. */
	size_t n = strlen(joined);
	char *out = kr_malloc(n + 2);
	size_t o = 0;
	const char *p = joined;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchrnul(p, '/');
		size_t len = (size_t)(e - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* skip */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

char *kr_path_relative(const char *from_dir, const char *path)
{
	_cleanup_free_ char *from = kr_path_absolute(NULL, from_dir);
	_cleanup_free_ char *to = kr_path_absolute(NULL, path);
	/* Skip the whole components both share. */
	size_t i = 0, common = 0;
	while (from[i] && from[i] == to[i]) {
		i++;
		if (from[i - 1] == '/')
			common = i;
	}
	if ((!from[i] && (!to[i] || to[i] == '/')) || (!to[i] && from[i] == '/'))
		common = i; /* one is the other's parent */
	const char *rest_from = from + common, *rest_to = to + common;
	rest_from += *rest_from == '/';
	rest_to += *rest_to == '/';
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	for (const char *p = rest_from; *p;) {
		const char *e = strchrnul(p, '/');
		if (e > p)
			kr_buf_adds(&b, "../");
		p = *e ? e + 1 : e;
	}
	kr_buf_adds(&b, rest_to);
	if (b.len && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	if (!b.len)
		kr_buf_adds(&b, ".");
	return kr_buf_steal(&b);
}

bool kr_path_is_url(const char *s)
{
	return kr_str_startswith(s, "http://") || kr_str_startswith(s, "https://");
}

bool kr_name_ok(const char *s)
{
	return s && kr_str_in_charset(s, "._-") && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

bool kr_relpath_ok(const char *s)
{
	if (!s || !*s || *s == '/')
		return false;
	for (const char *p = s;;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

int kr_open_beneath(const char *root, const char *rel, int flags, mode_t mode)
{
	if (!kr_relpath_ok(rel))
		return -EINVAL;
	_cleanup_close_ int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};
	long fd = syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dfd, rel, flags | O_CLOEXEC | O_NOFOLLOW, mode);
	return fd < 0 ? -errno : (int)fd;
}

int kr_mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = kr_strdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	struct stat st;
	if (stat(p, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int rm_rf_at(int parent_fd, const char *name)
{
	if (unlinkat(parent_fd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int r = -errno;
		close(fd);
		return r;
	}
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int k = rm_rf_at(dirfd(d), de->d_name);
		if (k < 0 && r == 0)
			r = k;
	}
	closedir(d);
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

int kr_rm_rf(const char *path)
{
	return rm_rf_at(AT_FDCWD, path);
}

char *kr_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/')
		return kr_path_join(xdg, "kradar");
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return kr_asprintf("%s/.cache/kradar", home);
	return kr_strdup("/tmp/kradar-cache");
}

int kr_read_file(const char *path, size_t max, char **data, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct kr_buf b = KR_BUF_INIT(max);
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int r = -errno;
			kr_buf_free(&b);
			return r;
		}
		if (n == 0)
			break;
		if (kr_buf_add(&b, chunk, (size_t)n) < 0) {
			kr_buf_free(&b);
			return -EFBIG;
		}
	}
	if (len)
		*len = b.len;
	*data = kr_buf_steal(&b);
	return 0;
}

int kr_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	if (len > 0 && !data)
		return -EINVAL;
	/* named after this process, so that if it dies before the rename a
	 * later kradar removes the file (kr_stale_sweep_tmp) */
	_cleanup_free_ char *tmp = kr_stale_tmp_template(path);
	if (!tmp)
		tmp = kr_asprintf("%s.tmp-XXXXXX", path);
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	const char *p = data;
	size_t left = len;
	int r = 0;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	/* close() may be where a network filesystem reports the error */
	if (r == 0 && close(KR_TAKE_FD(fd)) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	/* the rename itself survives a crash once the directory is synced */
	_cleanup_free_ char *dir = kr_path_dirname(path);
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fsync(dfd) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

uint64_t kr_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double kr_now_s(void)
{
	return (double)kr_now_ns() / 1e9;
}

double kr_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int kr_parse_long(const char *s, long *out)
{
	if (!s || !*s)
		return -EINVAL;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int kr_expand_env(const char *in, char **out, char **missing_var)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	for (const char *p = in; *p;) {
		if (p[0] == '$' && p[1] == '$') {
			kr_buf_addc(&b, '$');
			p += 2;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			kr_buf_addc(&b, *p++);
			continue;
		}
		const char *close = strchr(p + 2, '}');
		if (!close) {
			kr_buf_free(&b);
			return -EINVAL;
		}
		_cleanup_free_ char *inner = kr_strndup(p + 2, (size_t)(close - p - 2));
		char *def = strstr(inner, ":-");
		if (def) {
			*def = '\0';
			def += 2;
		}
		const char *val = getenv(inner);
		if (!val || (def && !*val))
			val = def;
		if (!val) {
			if (missing_var)
				*missing_var = kr_strdup(inner);
			kr_buf_free(&b);
			return -ENOENT;
		}
		kr_buf_adds(&b, val);
		p = close + 1;
	}
	*out = kr_buf_steal(&b);
	return 0;
}

char *kr_strstrip(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}
