/* SPDX-License-Identifier: MIT */
#include "cpio.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

struct kr_cpio {
	FILE *f;
	int error;       /* first error, sticky */
	unsigned long ino;
	char **dirs;     /* directories already in the archive */
};

int kr_cpio_open(const char *path, struct kr_cpio **out)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int r = -errno;
		close(fd);
		return r;
	}
	struct kr_cpio *c = kr_calloc(1, sizeof(*c));
	c->f = f;
	c->dirs = kr_calloc(1, sizeof(char *));
	*out = c;
	return 0;
}

static void put(struct kr_cpio *c, const void *data, size_t len)
{
	if (c->error || len == 0)
		return;
	if (fwrite(data, 1, len, c->f) != len)
		c->error = errno ? -errno : -EIO;
}

static void pad4(struct kr_cpio *c)
{
	static const char zeros[4];
	long pos = ftell(c->f);
	if (pos < 0) {
		if (!c->error)
			c->error = -errno;
		return;
	}
	put(c, zeros, (size_t)((4 - pos % 4) % 4));
}

/* One header and name; the caller writes the data and pads it. */
static void header(struct kr_cpio *c, const char *name, mode_t mode, size_t size,
		   unsigned long nlink, unsigned rmajor, unsigned rminor)
{
	char h[111];
	size_t namesize = strlen(name) + 1;
	unsigned fields[13] = {
		(unsigned)++c->ino, (unsigned)mode, 0, 0, (unsigned)nlink, 0, (unsigned)size, 0, 0,
		rmajor, rminor, (unsigned)namesize, 0,
	};
	memcpy(h, "070701", 6);
	for (int i = 0; i < 13; i++)
		snprintf(h + 6 + 8 * i, 9, "%08X", fields[i]);
	put(c, h, 110);
	put(c, name, namesize);
	pad4(c);
}

/* "/a//b/" -> "a/b"; NULL for an empty name. */
static char *archive_name(const char *name)
{
	while (*name == '/')
		name++;
	char *n = kr_strdup(name);
	char *w = n;
	for (const char *r = n; *r; r++) {
		if (*r == '/' && (r[1] == '/' || r[1] == '\0'))
			continue;
		*w++ = *r;
	}
	*w = '\0';
	if (!*n) {
		free(n);
		return NULL;
	}
	return n;
}

static bool have_dir(struct kr_cpio *c, const char *name)
{
	for (size_t i = 0; c->dirs[i]; i++)
		if (!strcmp(c->dirs[i], name))
			return true;
	return false;
}

static void add_parents(struct kr_cpio *c, const char *name)
{
	_cleanup_free_ char *p = kr_strdup(name);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (!have_dir(c, p)) {
			header(c, p, S_IFDIR | 0755, 0, 2, 0, 0);
			kr_strv_push(&c->dirs, kr_strdup(p));
		}
		*s = '/';
	}
}

/* An entry's parents and header; the caller writes its data and pads
 * it. 1 for a directory that is already in the archive. */
static int begin_entry(struct kr_cpio *c, const char *name, mode_t mode, uint64_t size,
		       unsigned rmajor, unsigned rminor)
{
	_cleanup_free_ char *n = archive_name(name);
	if (!n)
		return -EINVAL;
	if (size > 0xffffffffu)
		return -EFBIG;
	add_parents(c, n);
	if (S_ISDIR(mode)) {
		if (have_dir(c, n))
			return 1;
		kr_strv_push(&c->dirs, kr_strdup(n));
	}
	header(c, n, mode, (size_t)size, S_ISDIR(mode) ? 2 : 1, rmajor, rminor);
	return 0;
}

static int entry(struct kr_cpio *c, const char *name, mode_t mode, const void *data, size_t len,
		 unsigned rmajor, unsigned rminor)
{
	int r = begin_entry(c, name, mode, len, rmajor, rminor);
	if (r < 0)
		return r;
	if (r == 0) {
		put(c, data, len);
		pad4(c);
	}
	return c->error;
}

int kr_cpio_add_dir(struct kr_cpio *c, const char *name, mode_t mode)
{
	return entry(c, name, S_IFDIR | (mode & 07777), NULL, 0, 0, 0);
}

int kr_cpio_add_file(struct kr_cpio *c, const char *name, mode_t mode, const void *data,
		     size_t len)
{
	return entry(c, name, S_IFREG | (mode & 07777), data, len, 0, 0);
}

int kr_cpio_add_symlink(struct kr_cpio *c, const char *name, const char *target)
{
	return entry(c, name, S_IFLNK | 0777, target, strlen(target), 0, 0);
}

int kr_cpio_add_node(struct kr_cpio *c, const char *name, mode_t type, mode_t mode,
		     unsigned major, unsigned minor)
{
	if (type != S_IFCHR && type != S_IFBLK)
		return -EINVAL;
	return entry(c, name, type | (mode & 07777), NULL, 0, major, minor);
}

static int add_host_file(struct kr_cpio *c, const char *name, const char *host,
			 const struct stat *st)
{
	_cleanup_close_ int fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = begin_entry(c, name, S_IFREG | (st->st_mode & 07777), (uint64_t)st->st_size, 0, 0);
	if (r < 0)
		return r;
	/* Stream it: busybox or a reproducer's data files can be large. */
	char buf[65536];
	off_t left = st->st_size;
	while (left > 0 && !c->error) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->error = n < 0 ? -errno : -EIO; /* shrank while we read */
			break;
		}
		if (n > left)
			n = (ssize_t)left; /* grew: take the size we announced */
		put(c, buf, (size_t)n);
		left -= n;
	}
	pad4(c);
	return c->error;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kr_cpio_add_host(struct kr_cpio *c, const char *name, const char *host_path)
{
	struct stat st;
	if (lstat(host_path, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode))
		return add_host_file(c, name, host_path, &st);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(host_path, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		return kr_cpio_add_symlink(c, name, target);
	}
	if (!S_ISDIR(st.st_mode))
		return -EINVAL;
	int r = kr_cpio_add_dir(c, name, st.st_mode);
	if (r < 0)
		return r;
	DIR *d = opendir(host_path);
	if (!d)
		return -errno;
	/* Sorted, so that the archive does not depend on readdir order. */
	_cleanup_strv_free_ char **names = kr_calloc(1, sizeof(char *));
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			kr_strv_push(&names, kr_strdup(de->d_name));
	closedir(d);
	size_t n = kr_strv_len(names);
	qsort(names, n, sizeof(char *), cmp_names);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *child_name = kr_asprintf("%s/%s", name, names[i]);
		_cleanup_free_ char *child_host = kr_path_join(host_path, names[i]);
		r = kr_cpio_add_host(c, child_name, child_host);
		if (r < 0)
			return r;
	}
	return 0;
}

int kr_cpio_finish(struct kr_cpio *c)
{
	header(c, "TRAILER!!!", 0, 0, 1, 0, 0);
	int r = c->error;
	if (fflush(c->f) != 0 && !r)
		r = -errno;
	if (fclose(c->f) != 0 && !r)
		r = -errno;
	c->f = NULL;
	kr_cpio_free(c);
	return r;
}

void kr_cpio_free(struct kr_cpio *c)
{
	if (!c)
		return;
	if (c->f)
		fclose(c->f);
	kr_strv_free(c->dirs);
	free(c);
}
