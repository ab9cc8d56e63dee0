/* SPDX-License-Identifier: MIT */
#include "stale.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

/* Field 22 (starttime) of /proc/PID/stat: counted after the command's
 * closing parenthesis, since the command may hold spaces and parentheses. */
static int read_start(pid_t pid, uint64_t *start)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_free_ char *data = NULL;
	int r = kr_read_file(path, 4096, &data, NULL);
	if (r < 0)
		return r;
	const char *p = strrchr(data, ')');
	if (!p)
		return -EBADMSG;
	p++;
	/* p is before field 3; starttime is field 22. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EBADMSG;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(p + 1, &end, 10);
	if (errno || end == p + 1)
		return -EBADMSG;
	*start = v;
	return 0;
}

static uint64_t read_pidns(const char *proc_dir)
{
	_cleanup_free_ char *path = kr_asprintf("%s/ns/pid", proc_dir);
	struct stat st;
	return stat(path, &st) < 0 ? 0 : (uint64_t)st.st_ino;
}

int kr_owner_self(struct kr_owner *o)
{
	o->pid = getpid();
	o->pidns = read_pidns("/proc/self");
	return read_start(o->pid, &o->start);
}

bool kr_owner_alive(const struct kr_owner *o)
{
	if (o->pid <= 0)
		return true;
	uint64_t ns = read_pidns("/proc/self");
	if (!ns || !o->pidns || ns != o->pidns)
		return true; /* another namespace's PID: cannot tell */
	uint64_t start;
	int r = read_start(o->pid, &start);
	if (r == -ENOENT || r == -ESRCH)
		return false;
	if (r < 0)
		return true;
	return start == o->start;
}

char *kr_owner_tag(const struct kr_owner *o)
{
	return kr_asprintf("%d-%" PRIu64 "-%" PRIu64, (int)o->pid, o->start, o->pidns);
}

static bool parse_u64(const char **s, char stop, uint64_t *v)
{
	const char *p = *s;
	if (*p < '0' || *p > '9')
		return false;
	uint64_t n = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (*p != stop)
		return false;
	*v = n;
	*s = stop ? p + 1 : p;
	return true;
}

bool kr_owner_parse_tag(const char *s, struct kr_owner *o, const char **end)
{
	uint64_t pid, start, ns;
	const char *p = s;
	if (!parse_u64(&p, '-', &pid) || pid == 0 || pid > INT32_MAX ||
	    !parse_u64(&p, '-', &start))
		return false;
	/* the last number ends the string, or is followed by '-' when the
	 * caller takes what comes after */
	if (!parse_u64(&p, end ? '-' : '\0', &ns))
		return false;
	if (end)
		*end = p;
	*o = (struct kr_owner){ .pid = (pid_t)pid, .start = start, .pidns = ns };
	return true;
}

int kr_stale_mkdtemp(const char *parent, const char *prefix, char **out)
{
	struct kr_owner self;
	int r = kr_owner_self(&self);
	if (r < 0)
		return r;
	_cleanup_free_ char *tag = kr_owner_tag(&self);
	_cleanup_free_ char *path = kr_asprintf("%s/%s%s-XXXXXX", parent, prefix, tag);
	if (!mkdtemp(path))
		return -errno;
	*out = KR_TAKE_PTR(path);
	return 0;
}

int kr_stale_sweep(const char *parent, const char *prefix)
{
	_cleanup_close_ int dfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	DIR *d = fdopendir(dfd);
	if (!d)
		return 0;
	dfd = -1; /* owned by d now */
	int removed = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!kr_str_startswith(de->d_name, prefix))
			continue;
		struct kr_owner o;
		const char *rest;
		if (!kr_owner_parse_tag(de->d_name + strlen(prefix), &o, &rest) ||
		    strlen(rest) != 6)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != getuid() || kr_owner_alive(&o))
			continue;
		_cleanup_free_ char *path = kr_path_join(parent, de->d_name);
		if (kr_rm_rf(path) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

char *kr_stale_tmp_template(const char *path)
{
	struct kr_owner self;
	if (kr_owner_self(&self) < 0)
		return NULL;
	_cleanup_free_ char *tag = kr_owner_tag(&self);
	return kr_asprintf("%s.tmp-%s-XXXXXX", path, tag);
}

/* NAME.tmp-TAG-XXXXXX of a dead owner. */
static bool tmp_file_stale(const char *name)
{
	const char *p = strstr(name, ".tmp-");
	for (; p; p = strstr(p + 1, ".tmp-")) {
		struct kr_owner o;
		const char *rest;
		if (kr_owner_parse_tag(p + strlen(".tmp-"), &o, &rest) &&
		    strlen(rest) == 6)
			return !kr_owner_alive(&o);
	}
	return false;
}

static int sweep_tmp_at(int dfd, dev_t dev, int depth, int max_depth)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	int removed = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_uid != getuid())
			continue;
		if (S_ISREG(st.st_mode) && tmp_file_stale(de->d_name)) {
			if (unlinkat(dirfd(d), de->d_name, 0) == 0)
				removed++;
		} else if (S_ISDIR(st.st_mode) && st.st_dev == dev && depth < max_depth) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				removed += sweep_tmp_at(sub, dev, depth + 1, max_depth);
		}
	}
	closedir(d);
	return removed;
}

int kr_stale_sweep_tmp(const char *dir, int max_depth)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	struct stat st;
	if (fstat(dfd, &st) < 0) {
		close(dfd);
		return 0;
	}
	return sweep_tmp_at(dfd, st.st_dev, 0, max_depth);
}

int kr_owner_lock(const char *path, struct kr_owner *holder)
{
	if (holder)
		*holder = (struct kr_owner){ 0 };
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		char buf[128];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (holder && n > 0) {
			buf[n] = '\0';
			unsigned long long pid, start, ns;
			if (sscanf(buf, "%llu %llu %llu", &pid, &start, &ns) == 3 && pid &&
			    pid <= INT32_MAX)
				*holder = (struct kr_owner){ .pid = (pid_t)pid, .start = start,
							     .pidns = ns };
		}
		return e == EWOULDBLOCK ? -EWOULDBLOCK : -e;
	}
	struct kr_owner self;
	int r = kr_owner_self(&self);
	if (r < 0)
		return r;
	char line[96];
	int len = snprintf(line, sizeof(line), "%d %" PRIu64 " %" PRIu64 "\n", (int)self.pid,
			   self.start, self.pidns);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, line, (size_t)len, 0) != len)
		return errno ? -errno : -EIO;
	return KR_TAKE_FD(fd);
}

int kr_stale_sweep_parts(const char *dir, double max_age_s)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int removed = 0;
	double now = kr_wall_s();
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!kr_str_endswith(de->d_name, ".part"))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || (double)st.st_mtime > now - max_age_s)
			continue;
		size_t stem = strlen(de->d_name) - strlen(".part");
		_cleanup_free_ char *lock = kr_asprintf("%s/%.*s.lock", dir, (int)stem, de->d_name);
		_cleanup_close_ int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		/* under the entry's lock: no download is writing it; one may
		 * have resumed it since the first look */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (double)st.st_mtime > now - max_age_s)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
