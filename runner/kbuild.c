/* SPDX-License-Identifier: MIT */
/* Kernels built from source, cached by what determines them.
 *
 * Cache layout (CACHE = options' cache_dir or ${XDG_CACHE_HOME}/kradar):
 *   kernels/<key>/   bzImage vmlinux config build.log meta.json: a finished
 *                    entry, renamed into place whole, never changed after
 *   inputs/<ikey>    "key <key>" and the fragment check of one set of
 *                    inputs, so that unchanged inputs need no olddefconfig
 *   trees/tar-<sha256>, trees/git-<commit>   unpacked or exported sources
 *   hashes/          stat caches for tarball and directory content hashes
 *   locks/<name>.lock   flock(LOCK_EX) per kernel key and per tree
 *   work/<random>/   one build in progress, with work/<random>.lock held
 *                    by its process: a lock nobody holds marks a build that
 *                    died, and its directory is removed
 *   failed/<key>.log    the log of the last failed build of a key
 * <key> is the sha256 of the tree identity, the final .config's hash, the
 * compiler and linker versions and the make variables; <ikey> the sha256 of
 * the inputs as given (tree, base config, fragment, make variables,
 * compiler). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json-writer.h"
#include "kbuild.h"
#include "kconfig.h"
#include "process.h"
#include "sha256.h"

#ifndef KRADAR_VERSION
#define KRADAR_VERSION "unknown"
#endif

#define KEY_VERSION "kradar-kbuild 1"
#define CAPTURE_MAX (1 << 20)
#define CONFIG_MAX (64 << 20)
#define STALE_WORK_S 60

struct kb {
	const struct kr_scenario *s;
	const struct kr_kbuild_options *o;
	char **err;
	char *cache;
	int jobs;

	/* the tree */
	char *srctree; /* the kernel's top directory */
	char *tree_id;
	char *commit;
	char *tree_name; /* for derived labels */

	/* the toolchain and make */
	char **make_vars;
	char *cc_version;
	char *ld_version;

	/* this build's work directory */
	char *work;
	int work_lock;
	char *log;
	int log_fd;

	struct kr_kconfig_fragment frag;
	char *config_id; /* "target:NAME" or "file:<sha256>" */
	char *fragment_sha;
};

static void progress(struct kb *b, const char *fmt, ...) KR_PRINTF(2, 3);
static void progress(struct kb *b, const char *fmt, ...)
{
	if (!b->o->progress)
		return;
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	b->o->progress(b->o->userdata, msg);
}

static int fail(struct kb *b, int r, const char *fmt, ...) KR_PRINTF(3, 4);
static int fail(struct kb *b, int r, const char *fmt, ...)
{
	if (b->err && !*b->err) {
		va_list ap;
		va_start(ap, fmt);
		*b->err = kr_vasprintf(fmt, ap);
		va_end(ap);
	}
	return r;
}

/* Absolute, since make runs in the tree (make -C) with O= in the cache. */
static char *cache_root(const char *dir)
{
	if (!dir)
		return kr_cache_dir();
	char cwd[4096];
	return kr_path_absolute(getcwd(cwd, sizeof(cwd)) ? cwd : "/", dir);
}

static int cpus_allowed(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* ----- cancellation ----- */

static bool cancelled(const struct kb *b)
{
	if (b->o->cancel_fd <= 0)
		return false;
	struct pollfd pfd = { .fd = b->o->cancel_fd, .events = POLLIN };
	return poll(&pfd, 1, 0) > 0;
}

/* Waits for p to exit, or stops its group when the build is cancelled. */
static int wait_child(struct kb *b, struct kr_process *p, const char *what, int *status)
{
	struct pollfd pfd[2] = {
		{ .fd = kr_process_pidfd(p), .events = POLLIN },
		{ .fd = b->o->cancel_fd > 0 ? b->o->cancel_fd : -1, .events = POLLIN },
	};
	for (;;) {
		int n = poll(pfd, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(b, -errno, "waiting for %s: %s", what, strerror(errno));
		if (pfd[1].revents) {
			kr_process_stop(p, 5);
			return fail(b, -ECANCELED, "interrupted while running %s", what);
		}
		if (pfd[0].revents)
			break;
	}
	int r = kr_process_wait(p, -1, status);
	if (r < 0)
		return fail(b, r, "waiting for %s: %s", what, strerror(-r));
	return 0;
}

/* ----- locks ----- */

/* Opens (creating) and flocks a lock file; blocks unless nonblock.
 * Returns the fd, -EWOULDBLOCK when held elsewhere, or -errno. */
static int lock_file(const struct kb *b, const char *path, bool nonblock)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | (nonblock ? LOCK_NB : 0)) < 0) {
		if (errno == EINTR && !(b && cancelled(b)))
			continue;
		if (errno == EINTR)
			errno = ECANCELED;
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int lock_named(struct kb *b, const char *name, const char *what)
{
	_cleanup_free_ char *file = kr_asprintf("%s/locks/%s.lock", b->cache, name);
	int fd = lock_file(b, file, true);
	if (fd == -EWOULDBLOCK) {
		progress(b, "waiting for another kradar process %s", what);
		fd = lock_file(b, file, false);
	}
	if (fd < 0)
		return fail(b, fd, "cannot lock %s: %s", file, strerror(-fd));
	return fd;
}

/* Removes the work directories of builds whose process is gone: their lock
 * is free. Young ones are left alone, since their owner may not yet have
 * taken its lock. */
static void clean_stale_work(const char *cache)
{
	_cleanup_free_ char *dir = kr_path_join(cache, "work");
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!kr_str_endswith(de->d_name, ".lock"))
			continue;
		_cleanup_free_ char *lock = kr_path_join(dir, de->d_name);
		struct stat st;
		if (stat(lock, &st) < 0 || st.st_mtime > time(NULL) - STALE_WORK_S)
			continue;
		_cleanup_close_ int fd = lock_file(NULL, lock, true);
		if (fd < 0)
			continue;
		_cleanup_free_ char *work = kr_strndup(lock, strlen(lock) - strlen(".lock"));
		kr_rm_rf(work);
		unlink(lock);
	}
	closedir(d);
}

/* A fresh work directory, locked for as long as this process holds it. */
static int work_dir_new(struct kb *b, char **dir, int *lock_fd)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		char name[32];
		snprintf(name, sizeof(name), "%08lx%08x", (unsigned long)getpid(),
			 (unsigned)(kr_now_ns() ^ ((uint64_t)rand() << 16)));
		_cleanup_free_ char *lock = kr_asprintf("%s/work/%s.lock", b->cache, name);
		int fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0 || flock(fd, LOCK_EX) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return fail(b, -e, "cannot create %s: %s", lock, strerror(e));
		}
		char *d = kr_asprintf("%s/work/%s", b->cache, name);
		if (mkdir(d, 0755) < 0) {
			int e = errno;
			free(d);
			unlink(lock);
			close(fd);
			return fail(b, -e, "cannot create a work directory in %s/work: %s", b->cache,
				    strerror(e));
		}
		*dir = d;
		*lock_fd = fd;
		return 0;
	}
	return fail(b, -EEXIST, "cannot create a work directory in %s/work", b->cache);
}

static void work_dir_remove(char **dir, int *lock_fd)
{
	if (!*dir)
		return;
	kr_rm_rf(*dir);
	_cleanup_free_ char *lock = kr_asprintf("%s.lock", *dir);
	unlink(lock);
	if (*lock_fd >= 0)
		close(*lock_fd);
	*lock_fd = -1;
	free(*dir);
	*dir = NULL;
}

/* ----- children ----- */

static void log_line(struct kb *b, const char *fmt, ...) KR_PRINTF(2, 3);
static void log_line(struct kb *b, const char *fmt, ...)
{
	if (b->log_fd < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *s = kr_vasprintf(fmt, ap);
	va_end(ap);
	_cleanup_free_ char *line = kr_asprintf("%s\n", s);
	if (write(b->log_fd, line, strlen(line)) < 0) {
		/* the build itself reports a full disk */
	}
}

static char *argv_text(char *const argv[])
{
	struct kr_buf t = KR_BUF_INIT(SIZE_MAX);
	for (size_t i = 0; argv[i]; i++)
		kr_buf_printf(&t, "%s%s", i ? " " : "", argv[i]);
	return kr_buf_steal(&t);
}

static struct kr_process *child_new(char *const argv[], const char *cwd)
{
	struct kr_process *p = kr_process_new(argv);
	kr_process_set_cwd(p, cwd);
	/* English messages, so that the error lines can be found; no make
	 * state from a make that runs kradar. */
	kr_process_setenv(p, "LC_ALL", "C");
	kr_process_setenv(p, "MAKEFLAGS", "");
	kr_process_setenv(p, "MFLAGS", "");
	return p;
}

static int missing_tool(struct kb *b, const char *tool, int r)
{
	if (r == -ENOENT)
		return fail(b, r, "'%s' is not installed (or not in PATH)", tool);
	return fail(b, r, "cannot run %s: %s", tool, strerror(-r));
}

/* Runs argv with its output appended to the build log. */
static int run_logged(struct kb *b, char *const argv[], const char *cwd, int *status)
{
	_cleanup_free_ char *text = argv_text(argv);
	log_line(b, "$ %s", text);
	_cleanup_process_free_ struct kr_process *p = child_new(argv, cwd);
	kr_process_set_stdout(p, b->log_fd);
	kr_process_set_stderr(p, b->log_fd);
	int r = kr_process_start(p);
	if (r < 0)
		return missing_tool(b, argv[0], r);
	r = wait_child(b, p, argv[0], status);
	if (r < 0)
		return r;
	if (*status)
		log_line(b, "kradar: %s exited with status %d", argv[0], *status);
	return 0;
}

/* Runs argv and captures its standard output. */
static int run_capture(struct kb *b, char *const argv[], const char *cwd, char **out,
		       int *status)
{
	_cleanup_process_free_ struct kr_process *p = child_new(argv, cwd);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return fail(b, -errno, "pipe: %s", strerror(errno));
	_cleanup_close_ int rd = fds[0];
	_cleanup_close_ int wr = fds[1];
	kr_process_set_stdout(p, wr);
	int r = kr_process_start(p);
	if (r < 0)
		return missing_tool(b, argv[0], r);
	close(KR_TAKE_FD(wr));
	struct kr_buf buf = KR_BUF_INIT(CAPTURE_MAX);
	char chunk[4096];
	ssize_t n;
	while ((n = read(rd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || kr_buf_add(&buf, chunk, (size_t)n) < 0) {
			kr_buf_free(&buf);
			return fail(b, -EIO, "reading the output of %s failed", argv[0]);
		}
	}
	r = kr_process_wait(p, -1, status);
	if (r < 0) {
		kr_buf_free(&buf);
		return fail(b, r, "waiting for %s: %s", argv[0], strerror(-r));
	}
	*out = kr_buf_steal(&buf);
	return 0;
}

/* ----- the tree ----- */

static bool is_hex_prefix(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static bool is_hex(const char *s, size_t n)
{
	return strlen(s) == n && is_hex_prefix(s, n);
}

/* The content hash of a file, through a stat cache in CACHE/hashes so
 * that an unchanged tarball is not read again. */
static int file_sha(struct kb *b, const char *path, char hex[KR_SHA256_HEX_SIZE])
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	char id[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(path, strlen(path), id);
	_cleanup_free_ char *cache = kr_asprintf("%s/hashes/file-%s", b->cache, id);
	_cleanup_free_ char *want = kr_asprintf(
		"%llu %llu %lld %lld.%09ld %lld.%09ld ", (unsigned long long)st.st_dev,
		(unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	_cleanup_free_ char *have = NULL;
	size_t len;
	if (kr_read_file(cache, 4096, &have, &len) == 0 && kr_str_startswith(have, want) &&
	    len == strlen(want) + 64 && is_hex(have + strlen(want), 64)) {
		memcpy(hex, have + strlen(want), KR_SHA256_HEX_SIZE);
		return 0;
	}
	int r = kr_sha256_file(path, hex);
	if (r < 0)
		return r;
	_cleanup_free_ char *line = kr_asprintf("%s%s", want, hex);
	kr_write_file_atomic(cache, line, strlen(line), 0644); /* only a cache */
	return 0;
}

/* ----- directory trees: a content hash with a stat cache ----- */

/* A file's hash and the stat fields that say it has not changed since. */
struct dent {
	char *path;
	unsigned long long ino, size;
	long long mt_s, mt_ns, ct_s, ct_ns;
	char sha[KR_SHA256_HEX_SIZE];
};

struct dtree {
	struct dent *e;
	size_t n, alloc;
	size_t cursor;   /* old: where the walk is expected next (same order) */
	size_t rehashed; /* new: files that were read again */
	struct dent **sorted; /* old: by path, made on the first out-of-order lookup */
};

static struct dent *dtree_add(struct dtree *t)
{
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 4096;
		t->e = kr_realloc(t->e, t->alloc * sizeof(*t->e));
	}
	struct dent *d = &t->e[t->n++];
	*d = (struct dent){ 0 };
	return d;
}

static void dtree_free(struct dtree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].path);
	free(t->e);
	free(t->sorted);
}

static int dent_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(struct dent *const *)a)->path, (*(struct dent *const *)b)->path);
}

/* The old entry for path: the next one in walk order (the cache was
 * written by the same walk), else a binary search. */
static const struct dent *dtree_find(struct dtree *old, const char *path)
{
	if (old->cursor < old->n && !strcmp(old->e[old->cursor].path, path))
		return &old->e[old->cursor++];
	if (!old->n)
		return NULL;
	if (!old->sorted) {
		old->sorted = kr_malloc(old->n * sizeof(*old->sorted));
		for (size_t i = 0; i < old->n; i++)
			old->sorted[i] = &old->e[i];
		qsort(old->sorted, old->n, sizeof(*old->sorted), dent_ptr_cmp);
	}
	struct dent key = { .path = (char *)path }, *kp = &key;
	struct dent **hit = bsearch(&kp, old->sorted, old->n, sizeof(*old->sorted), dent_ptr_cmp);
	if (!hit)
		return NULL;
	old->cursor = (size_t)(*hit - old->e) + 1;
	return *hit;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct walk {
	const char *root;
	struct dtree *old, *now;
	struct kr_sha256 tree;
	struct kr_buf path; /* relative path of the directory being walked */
};

/* Walks the directory open at fd (path w->path), sorted by name. */
static int walk_dir(struct walk *w, int fd)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!w->path.len && !strcmp(de->d_name, ".git"))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			names = kr_realloc(names, alloc * sizeof(char *));
		}
		names[n++] = kr_strdup(de->d_name);
	}
	if (n)
		qsort(names, n, sizeof(char *), name_cmp);
	int r = 0;
	size_t base = w->path.len;
	for (size_t i = 0; i < n && r == 0; i++) {
		w->path.len = base;
		if (base)
			kr_buf_addc(&w->path, '/');
		kr_buf_adds(&w->path, names[i]);
		const char *rel = w->path.data;
		struct stat st;
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			break;
		}
		char sha[KR_SHA256_HEX_SIZE];
		char kind;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			r = sub < 0 ? -errno : walk_dir(w, sub);
			continue;
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlinkat(dirfd(d), names[i], target, sizeof(target));
			if (len < 0) {
				r = -errno;
				break;
			}
			kr_sha256_hex(target, (size_t)len, sha);
			kind = 'l';
		} else if (S_ISREG(st.st_mode)) {
			const struct dent *o = dtree_find(w->old, rel);
			if (o && o->ino == st.st_ino && o->size == (unsigned long long)st.st_size &&
			    o->mt_s == st.st_mtim.tv_sec && o->mt_ns == st.st_mtim.tv_nsec &&
			    o->ct_s == st.st_ctim.tv_sec && o->ct_ns == st.st_ctim.tv_nsec) {
				memcpy(sha, o->sha, sizeof(sha));
			} else {
				_cleanup_free_ char *full = kr_path_join(w->root, rel);
				if ((r = kr_sha256_file(full, sha)) < 0)
					break;
				w->now->rehashed++;
			}
			if (!strchr(rel, '\n')) {
				struct dent *e = dtree_add(w->now);
				e->path = kr_strdup(rel);
				e->ino = st.st_ino;
				e->size = (unsigned long long)st.st_size;
				e->mt_s = st.st_mtim.tv_sec;
				e->mt_ns = st.st_mtim.tv_nsec;
				e->ct_s = st.st_ctim.tv_sec;
				e->ct_ns = st.st_ctim.tv_nsec;
				memcpy(e->sha, sha, sizeof(sha));
			}
			kind = st.st_mode & 0111 ? 'x' : 'f';
		} else {
			continue; /* sockets, fifos: not part of a kernel tree */
		}
		kr_sha256_update(&w->tree, rel, strlen(rel) + 1);
		kr_sha256_update(&w->tree, &kind, 1);
		kr_sha256_update(&w->tree, sha, 64);
	}
	w->path.len = base;
	if (w->path.data)
		w->path.data[base] = '\0';
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}

/* Reads a stat cache: "SHA INO SIZE MTIME_S.NS CTIME_S.NS PATH" lines. */
static void dtree_load(const char *file, struct dtree *t)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (kr_read_file(file, 1 << 30, &text, &len) < 0)
		return;
	char *next;
	for (char *line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strlen(line) < 66 || line[64] != ' ')
			continue;
		char *p = line + 65, *end;
		unsigned long long ino = strtoull(p, &end, 10), size;
		long long v[4];
		bool ok = *end == ' ';
		size = strtoull(end + 1, &end, 10);
		ok = ok && *end == ' ';
		for (int i = 0; i < 4 && ok; i++) {
			v[i] = strtoll(end + 1, &end, 10);
			ok = *end == (i % 2 == 0 ? '.' : ' ');
		}
		if (!ok || !is_hex_prefix(line, 64))
			continue;
		struct dent *d = dtree_add(t);
		memcpy(d->sha, line, 64);
		d->sha[64] = '\0';
		d->path = kr_strdup(end + 1);
		d->ino = ino;
		d->size = size;
		d->mt_s = v[0];
		d->mt_ns = v[1];
		d->ct_s = v[2];
		d->ct_ns = v[3];
	}
}

static int dir_sha(struct kb *b, const char *root, char hex[KR_SHA256_HEX_SIZE])
{
	char id[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(root, strlen(root), id);
	_cleanup_free_ char *cache = kr_asprintf("%s/hashes/dir-%s", b->cache, id);
	struct dtree old = { 0 }, now = { 0 };
	dtree_load(cache, &old);
	struct walk w = { .root = root, .old = &old, .now = &now, .path = KR_BUF_INIT(SIZE_MAX) };
	kr_sha256_init(&w.tree);
	kr_buf_adds(&w.path, ""); /* data is never NULL */
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 ? -errno : walk_dir(&w, fd);
	kr_buf_free(&w.path);
	if (r == 0)
		kr_sha256_final_hex(&w.tree, hex);
	kr_sha256_clear(&w.tree);
	if (r == 0 && (now.rehashed || now.n != old.n)) {
		struct kr_buf text = KR_BUF_INIT(SIZE_MAX);
		for (size_t i = 0; i < now.n; i++) {
			const struct dent *d = &now.e[i];
			kr_buf_printf(&text, "%s %llu %llu %lld.%09lld %lld.%09lld %s\n", d->sha, d->ino,
				      d->size, d->mt_s, d->mt_ns, d->ct_s, d->ct_ns, d->path);
		}
		kr_write_file_atomic(cache, text.data ? text.data : "", text.len, 0644);
		kr_buf_free(&text);
	}
	dtree_free(&old);
	dtree_free(&now);
	return r;
}

/* The kernel's top directory inside an unpacked tarball: the directory
 * itself or its only subdirectory. */
static char *tree_top(const char *dir)
{
	_cleanup_free_ char *makefile = kr_path_join(dir, "Makefile");
	if (access(makefile, F_OK) == 0)
		return kr_strdup(dir);
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char *top = NULL;
	int subdirs = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = kr_path_join(dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && ++subdirs == 1)
			top = KR_TAKE_PTR(p);
	}
	closedir(d);
	if (subdirs != 1) {
		free(top);
		return NULL;
	}
	_cleanup_free_ char *mf = kr_path_join(top, "Makefile");
	if (access(mf, F_OK) != 0) {
		free(top);
		return NULL;
	}
	return top;
}

/* Makes CACHE/trees/NAME with fill(), once: under a lock, in a work
 * directory first, renamed into place when complete. */
static int tree_once(struct kb *b, const char *name, const char *what,
		     int (*fill)(struct kb *b, const char *dir, int log_fd), char **out)
{
	_cleanup_free_ char *final = kr_asprintf("%s/trees/%s", b->cache, name);
	if (access(final, F_OK) == 0) {
		*out = KR_TAKE_PTR(final);
		return 0;
	}
	_cleanup_free_ char *lockname = kr_asprintf("tree-%s", name);
	_cleanup_close_ int lock = lock_named(b, lockname, what);
	if (lock < 0)
		return lock;
	if (access(final, F_OK) == 0) {
		*out = KR_TAKE_PTR(final);
		return 0;
	}
	progress(b, "%s", what);
	_cleanup_free_ char *work = NULL;
	int work_lock = -1;
	int r = work_dir_new(b, &work, &work_lock);
	if (r < 0)
		return r;
	_cleanup_free_ char *dir = kr_path_join(work, "tree");
	_cleanup_free_ char *log = kr_path_join(work, "log");
	_cleanup_close_ int log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (log_fd < 0 || mkdir(dir, 0755) < 0) {
		r = fail(b, -errno, "cannot create %s: %s", dir, strerror(errno));
	} else {
		r = fill(b, dir, log_fd);
		if (r == 0 && rename(dir, final) < 0)
			r = fail(b, -errno, "cannot rename %s to %s: %s", dir, final, strerror(errno));
	}
	work_dir_remove(&work, &work_lock);
	if (r < 0)
		return r;
	*out = KR_TAKE_PTR(final);
	return 0;
}

/* The first lines of a log that look like errors, else its last lines. */
static char *error_lines(const char *text, size_t max_lines)
{
	static const char *const marks[] = { "error:", "Error ", "ERROR:", "*** ", "undefined reference",
					     "No rule to make target", "fatal:", NULL };
	struct kr_buf out = KR_BUF_INIT(SIZE_MAX);
	size_t found = 0;
	const char *line = text;
	while (*line && found < max_lines) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		for (const char *const *m = marks; *m; m++) {
			if (memmem(line, len, *m, strlen(*m))) {
				kr_buf_printf(&out, "  %.*s\n", (int)len, line);
				found++;
				break;
			}
		}
		line += len + (end ? 1 : 0);
	}
	if (!found) {
		/* The last lines, then. */
		size_t total = strlen(text), n = total, lines = 0;
		while (n > 0 && lines <= max_lines)
			if (text[--n] == '\n' && n + 1 < total)
				lines++;
		for (const char *p = text + n; *p;) {
			const char *end = strchr(p, '\n');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			if (len)
				kr_buf_printf(&out, "  %.*s\n", (int)len, p);
			p += len + (end ? 1 : 0);
		}
	}
	if (out.len)
		out.data[--out.len] = '\0'; /* no final newline */
	return kr_buf_steal(&out);
}

static char *log_errors(const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (kr_read_file(path, 256 << 20, &text, &len) < 0)
		return kr_strdup("  (the log cannot be read)");
	return error_lines(text, 12);
}

static int unpack_tarball(struct kb *b, const char *dir, int log_fd)
{
	char *argv[] = { "tar", "-xf", b->s->kernel.source, "-C", (char *)dir, "--no-same-owner", NULL };
	_cleanup_process_free_ struct kr_process *p = child_new(argv, NULL);
	kr_process_set_stdout(p, log_fd);
	kr_process_set_stderr(p, log_fd);
	int r = kr_process_start(p), status = 0;
	if (r < 0)
		return missing_tool(b, "tar", r);
	r = wait_child(b, p, "tar", &status);
	if (r < 0)
		return r;
	if (status) {
		_cleanup_free_ char *log = kr_asprintf("/proc/self/fd/%d", log_fd);
		_cleanup_free_ char *errs = log_errors(log);
		return fail(b, -EINVAL, "kernel.source: cannot unpack %s (tar exited with %d):\n%s",
			    b->s->kernel.source, status, errs);
	}
	return 0;
}

static int export_git(struct kb *b, const char *dir, int log_fd)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return fail(b, -errno, "pipe: %s", strerror(errno));
	_cleanup_close_ int rd = fds[0];
	_cleanup_close_ int wr = fds[1];
	char *git_argv[] = { "git", "-C", b->s->kernel.source, "archive", "--format=tar",
			     b->commit, NULL };
	char *tar_argv[] = { "tar", "-xf", "-", "-C", (char *)dir, NULL };
	_cleanup_process_free_ struct kr_process *git = child_new(git_argv, NULL);
	_cleanup_process_free_ struct kr_process *tar = child_new(tar_argv, NULL);
	kr_process_set_stdout(git, wr);
	kr_process_set_stderr(git, log_fd);
	kr_process_set_stdin(tar, rd);
	kr_process_set_stdout(tar, log_fd);
	kr_process_set_stderr(tar, log_fd);
	int r = kr_process_start(git);
	if (r < 0)
		return missing_tool(b, "git", r);
	r = kr_process_start(tar);
	if (r < 0)
		return missing_tool(b, "tar", r);
	close(KR_TAKE_FD(wr));
	close(KR_TAKE_FD(rd));
	int gs = 0, ts = 0;
	r = wait_child(b, tar, "tar", &ts);
	if (r < 0)
		return r; /* git is stopped by its free */
	r = wait_child(b, git, "git archive", &gs);
	if (r < 0)
		return r;
	if (gs || ts) {
		_cleanup_free_ char *log = kr_asprintf("/proc/self/fd/%d", log_fd);
		_cleanup_free_ char *errs = log_errors(log);
		return fail(b, -EIO, "exporting %s from %s failed (git %d, tar %d):\n%s", b->commit,
			    b->s->kernel.source, gs, ts, errs);
	}
	return 0;
}

static char *label_part(const char *name)
{
	_cleanup_free_ char *base = kr_strdup(strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
	static const char *const exts[] = { ".tar.xz", ".tar.gz", ".tar.bz2", ".tar.zst", ".tgz",
					    ".tar", NULL };
	for (const char *const *e = exts; *e; e++)
		if (kr_str_endswith(base, *e)) {
			base[strlen(base) - strlen(*e)] = '\0';
			break;
		}
	for (char *p = base; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("._-", *p)))
			*p = '_';
	return KR_TAKE_PTR(base);
}

static int resolve_tree(struct kb *b)
{
	const char *src = b->s->kernel.source;
	struct stat st;
	if (stat(src, &st) < 0)
		return fail(b, -EINVAL, "kernel.source: %s: %s", src, strerror(errno));
	if (S_ISDIR(st.st_mode) && b->s->kernel.commit) {
		_cleanup_free_ char *rev = kr_asprintf("%s^{commit}", b->s->kernel.commit);
		char *argv[] = { "git", "-C", (char *)src, "rev-parse", "--verify", "--quiet",
				 "--end-of-options", rev, NULL };
		_cleanup_free_ char *out = NULL;
		int status = 0;
		int r = run_capture(b, argv, NULL, &out, &status);
		if (r < 0)
			return r;
		out[strcspn(out, "\n")] = '\0';
		if (status || !(is_hex(out, 40) || is_hex(out, 64))) {
			char *top_argv[] = { "git", "-C", (char *)src, "rev-parse", "--git-dir", NULL };
			_cleanup_free_ char *ignored = NULL;
			int st2 = 0;
			if (run_capture(b, top_argv, NULL, &ignored, &st2) == 0 && st2)
				return fail(b, -EINVAL,
					    "kernel.commit: %s is not a git checkout, so commit \"%s\" cannot be built",
					    src, b->s->kernel.commit);
			return fail(b, -EINVAL, "kernel.commit: \"%s\" names no commit in %s",
				    b->s->kernel.commit, src);
		}
		b->commit = kr_strdup(out);
		b->tree_id = kr_asprintf("git:%s", out);
		b->tree_name = kr_strndup(out, 12);
		_cleanup_free_ char *name = kr_asprintf("git-%s", out);
		_cleanup_free_ char *what = kr_asprintf("exporting %.12s from %s into the cache", out, src);
		return tree_once(b, name, what, export_git, &b->srctree);
	}
	if (S_ISDIR(st.st_mode)) {
		_cleanup_free_ char *makefile = kr_path_join(src, "Makefile");
		if (access(makefile, F_OK) != 0)
			return fail(b, -EINVAL, "kernel.source: %s has no Makefile: not a kernel tree", src);
		char hex[KR_SHA256_HEX_SIZE];
		int r = dir_sha(b, src, hex);
		if (r < 0)
			return fail(b, r, "kernel.source: cannot read %s: %s", src, strerror(-r));
		b->srctree = kr_strdup(src);
		b->tree_id = kr_asprintf("dir:%s", hex);
		b->tree_name = label_part(src);
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return fail(b, -EINVAL, "kernel.source: %s is neither a directory nor a tarball", src);
	if (b->s->kernel.commit)
		return fail(b, -EINVAL,
			    "kernel.commit: %s is a tarball, not a git checkout, so commit \"%s\" cannot be built",
			    src, b->s->kernel.commit);
	char hex[KR_SHA256_HEX_SIZE];
	int r = file_sha(b, src, hex);
	if (r < 0)
		return fail(b, r, "kernel.source: cannot read %s: %s", src, strerror(-r));
	b->tree_id = kr_asprintf("tar:%s", hex);
	b->tree_name = label_part(src);
	_cleanup_free_ char *name = kr_asprintf("tar-%s", hex);
	_cleanup_free_ char *what = kr_asprintf("unpacking %s into the cache", src);
	_cleanup_free_ char *dir = NULL;
	r = tree_once(b, name, what, unpack_tarball, &dir);
	if (r < 0)
		return r;
	b->srctree = tree_top(dir);
	if (!b->srctree)
		return fail(b, -EINVAL, "kernel.source: %s holds no kernel tree (no top-level Makefile)",
			    src);
	return 0;
}

/* ----- toolchain, make variables, inputs ----- */

static const char *make_var(struct kb *b, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;
	for (size_t i = 0; b->make_vars[i]; i++)
		if (!strncmp(b->make_vars[i], name, n) && b->make_vars[i][n] == '=')
			v = b->make_vars[i] + n + 1;
	return v;
}

static int tool_version(struct kb *b, const char *tool, bool required, char **out)
{
	char *argv[] = { (char *)tool, "--version", NULL };
	_cleanup_free_ char *text = NULL;
	int status = 0;
	int r = run_capture(b, argv, NULL, &text, &status);
	if (r < 0 && !required) {
		free(*b->err);
		*b->err = NULL;
		*out = kr_asprintf("%s: not found", tool);
		return 0;
	}
	if (r < 0)
		return r;
	if (status && required)
		return fail(b, -ENOENT, "'%s --version' failed (status %d)", tool, status);
	text[strcspn(text, "\n")] = '\0';
	*out = kr_strdup(text);
	return 0;
}

static int toolchain(struct kb *b)
{
	const char *arch = make_var(b, "ARCH");
	if (arch && strcmp(arch, "x86_64") && strcmp(arch, "x86") && strcmp(arch, "i386"))
		return fail(b, -EINVAL, "kernel.make: ARCH=%s: kradar builds x86 kernels only", arch);
	const char *cross = make_var(b, "CROSS_COMPILE");
	const char *llvm = make_var(b, "LLVM");
	const char *cc = make_var(b, "CC"), *ld = make_var(b, "LD");
	_cleanup_free_ char *cc_default = NULL, *ld_default = NULL;
	if (!cc) {
		if (llvm && strcmp(llvm, "0") && *llvm) {
			/* LLVM=1, LLVM=-15 (suffix) or LLVM=/usr/lib/llvm-15/bin/ (prefix) */
			cc_default = llvm[0] == '-' ? kr_asprintf("clang%s", llvm) :
				     llvm[strlen(llvm) - 1] == '/' ? kr_asprintf("%sclang", llvm) :
								     kr_strdup("clang");
		} else {
			cc_default = kr_asprintf("%sgcc", cross ? cross : "");
		}
		cc = cc_default;
	}
	if (!ld) {
		ld_default = llvm && strcmp(llvm, "0") && *llvm ?
				     (llvm[0] == '-' ? kr_asprintf("ld.lld%s", llvm) :
				      llvm[strlen(llvm) - 1] == '/' ? kr_asprintf("%sld.lld", llvm) :
								      kr_strdup("ld.lld")) :
				     kr_asprintf("%sld", cross ? cross : "");
		ld = ld_default;
	}
	int r = tool_version(b, cc, true, &b->cc_version);
	if (r < 0)
		return r;
	return tool_version(b, ld, false, &b->ld_version);
}

static int load_fragment(struct kb *b)
{
	const struct kr_scenario *s = b->s;
	if (s->kernel.fragment_file) {
		_cleanup_free_ char *text = NULL;
		size_t len;
		int r = kr_read_file(s->kernel.fragment_file, CONFIG_MAX, &text, &len);
		if (r < 0)
			return fail(b, -EINVAL, "kernel.fragment: %s: %s", s->kernel.fragment_file,
				    strerror(-r));
		r = kr_kconfig_fragment_parse(text, s->kernel.fragment_file, &b->frag, b->err);
		if (r < 0)
			return r;
	}
	int r = kr_kconfig_fragment_add_lines(&b->frag, s->kernel.fragment, "kernel.fragment", b->err);
	if (r < 0)
		return r;
	_cleanup_free_ char *text = kr_kconfig_fragment_text(&b->frag);
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(text, strlen(text), hex);
	b->fragment_sha = kr_strdup(hex);

	if (s->kernel.config_file) {
		r = kr_sha256_file(s->kernel.config_file, hex);
		if (r < 0)
			return fail(b, -EINVAL, "kernel.config: %s: %s", s->kernel.config_file,
				    strerror(-r));
		b->config_id = kr_asprintf("file:%s", hex);
	} else {
		b->config_id = kr_asprintf("target:%s", s->kernel.config_target);
	}
	return 0;
}

static void add_common_key_lines(struct kb *b, struct kr_buf *t)
{
	for (size_t i = 0; b->make_vars[i]; i++)
		kr_buf_printf(t, "make %s\n", b->make_vars[i]);
	kr_buf_printf(t, "cc %s\nld %s\n", b->cc_version, b->ld_version);
}

static char *inputs_key(struct kb *b)
{
	struct kr_buf t = KR_BUF_INIT(SIZE_MAX);
	kr_buf_printf(&t, "%s inputs\ntree %s\nconfig %s\nfragment %s\n", KEY_VERSION, b->tree_id,
		      b->config_id, b->fragment_sha);
	add_common_key_lines(b, &t);
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(t.data, t.len, hex);
	kr_buf_free(&t);
	return kr_strdup(hex);
}

static char *kernel_key(struct kb *b, const char *config_hash)
{
	struct kr_buf t = KR_BUF_INIT(SIZE_MAX);
	kr_buf_printf(&t, "%s\ntree %s\nconfig-sha256 %s\n", KEY_VERSION, b->tree_id, config_hash);
	add_common_key_lines(b, &t);
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(t.data, t.len, hex);
	kr_buf_free(&t);
	return kr_strdup(hex);
}

/* ----- the inputs file: key and fragment check ----- */

static void one_line(struct kr_buf *t, const char *s)
{
	for (; s && *s; s++)
		kr_buf_addc(t, *s == '\t' || *s == '\n' ? ' ' : *s);
	if (!s)
		kr_buf_adds(t, "-");
	kr_buf_addc(t, '\t');
}

static int write_inputs(struct kb *b, const char *ikey, const struct kr_kernel *k)
{
	struct kr_buf t = KR_BUF_INIT(SIZE_MAX);
	kr_buf_printf(&t, "key %s\n", k->key);
	for (size_t i = 0; i < k->n_mismatches; i++) {
		const struct kr_kbuild_mismatch *m = &k->mismatches[i];
		kr_buf_adds(&t, "mismatch\t");
		one_line(&t, m->option);
		one_line(&t, m->requested);
		one_line(&t, m->actual);
		one_line(&t, m->reason);
		one_line(&t, m->message);
		t.data[t.len - 1] = '\n';
	}
	_cleanup_free_ char *path = kr_asprintf("%s/inputs/%s", b->cache, ikey);
	int r = kr_write_file_atomic(path, t.data, t.len, 0644);
	kr_buf_free(&t);
	if (r < 0)
		return fail(b, r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

/* Reads inputs/<ikey>; false when absent or unreadable. */
static bool read_inputs(struct kb *b, const char *ikey, struct kr_kernel *k)
{
	_cleanup_free_ char *path = kr_asprintf("%s/inputs/%s", b->cache, ikey);
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (kr_read_file(path, 16 << 20, &text, &len) < 0 || !kr_str_startswith(text, "key "))
		return false;
	char *next;
	for (char *line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (kr_str_startswith(line, "key ") && is_hex(line + 4, 64)) {
			free(k->key);
			k->key = kr_strdup(line + 4);
		} else if (kr_str_startswith(line, "mismatch\t")) {
			char *f[5] = { 0 };
			char *p = line + strlen("mismatch\t");
			for (size_t i = 0; i < 5 && p; i++) {
				f[i] = p;
				p = strchr(p, '\t');
				if (p)
					*p++ = '\0';
			}
			if (!f[4])
				return false;
			k->mismatches = kr_realloc(k->mismatches,
						   (k->n_mismatches + 1) * sizeof(*k->mismatches));
			k->mismatches[k->n_mismatches++] = (struct kr_kbuild_mismatch){
				.option = kr_strdup(f[0]),
				.requested = kr_strdup(f[1]),
				.actual = kr_strdup(f[2]),
				.reason = strcmp(f[3], "-") ? kr_strdup(f[3]) : NULL,
				.message = kr_strdup(f[4]),
			};
		}
	}
	return k->key != NULL;
}

/* ----- kernels ----- */

static char *entry_path(struct kb *b, const char *key, const char *file)
{
	return file ? kr_asprintf("%s/kernels/%s/%s", b->cache, key, file) :
		      kr_asprintf("%s/kernels/%s", b->cache, key);
}

static bool entry_complete(struct kb *b, const char *key)
{
	_cleanup_free_ char *meta = entry_path(b, key, "meta.json");
	return access(meta, F_OK) == 0;
}

static int copy_file(const char *from, const char *to)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r = kr_read_file(from, 1u << 31, &data, &len);
	if (r < 0)
		return r;
	return kr_write_file_atomic(to, data, len, 0644);
}

/* Fills k from the entry of k->key. */
static int fill_from_entry(struct kb *b, struct kr_kernel *k)
{
	k->bzimage = entry_path(b, k->key, "bzImage");
	k->vmlinux = entry_path(b, k->key, "vmlinux");
	k->config = entry_path(b, k->key, "config");
	k->build_log = entry_path(b, k->key, "build.log");
	char hex[KR_SHA256_HEX_SIZE];
	int r = kr_sha256_file(k->config, hex);
	if (r < 0)
		return fail(b, r, "cannot read %s: %s", k->config, strerror(-r));
	k->config_hash = kr_strdup(hex);
	return 0;
}

static void fill_identity(struct kb *b, struct kr_kernel *k)
{
	k->tree = kr_strdup(b->tree_id);
	k->commit = b->commit ? kr_strdup(b->commit) : NULL;
	k->compiler = kr_strdup(b->cc_version);
}

static void finish_label(struct kb *b, struct kr_kernel *k)
{
	if (b->s->kernel.label)
		k->label = kr_strdup(b->s->kernel.label);
	else
		k->label = kr_asprintf("%s-%.8s", b->tree_name, k->config_hash);
}

static int write_meta(struct kb *b, const char *dir, const struct kr_kernel *k, double seconds,
		      int jobs)
{
	_cleanup_json_free_ struct kr_json *o = kr_json_object();
	kr_json_set(o, "key", kr_json_string(k->key));
	kr_json_set(o, "tree", kr_json_string(k->tree));
	kr_json_set(o, "commit", kr_json_string(k->commit));
	kr_json_set(o, "source", kr_json_string(b->s->kernel.source));
	kr_json_set(o, "config_sha256", kr_json_string(k->config_hash));
	kr_json_set(o, "base_config", kr_json_string(b->s->kernel.config_target ?
							     b->s->kernel.config_target :
							     b->s->kernel.config_file));
	_cleanup_free_ char *frag = kr_kconfig_fragment_text(&b->frag);
	kr_json_set(o, "fragment", kr_json_string(frag));
	kr_json_set(o, "make", kr_json_strv(b->make_vars));
	kr_json_set(o, "compiler", kr_json_string(b->cc_version));
	kr_json_set(o, "linker", kr_json_string(b->ld_version));
	kr_json_set(o, "jobs", kr_json_int(jobs));
	kr_json_set(o, "build_seconds", kr_json_real(seconds));
	kr_json_set(o, "built_at", kr_json_int((long long)kr_wall_s()));
	kr_json_set(o, "kradar", kr_json_string(KRADAR_VERSION));
	_cleanup_free_ char *path = kr_path_join(dir, "meta.json");
	int r = kr_json_write_file(o, path);
	if (r < 0)
		return fail(b, r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

static char **make_argv(struct kb *b, const char *build_dir, bool jobs, const char *target)
{
	char **argv = kr_calloc(1, sizeof(char *));
	kr_strv_push(&argv, kr_strdup("make"));
	kr_strv_push(&argv, kr_strdup("-C"));
	kr_strv_push(&argv, kr_strdup(b->srctree));
	kr_strv_pushf(&argv, "O=%s", build_dir);
	if (jobs)
		kr_strv_pushf(&argv, "-j%d", b->jobs);
	for (size_t i = 0; b->make_vars[i]; i++)
		kr_strv_push(&argv, kr_strdup(b->make_vars[i]));
	kr_strv_push(&argv, kr_strdup(target));
	return argv;
}

/* Keeps the log of a failed build (CACHE/failed/<name>.log and the
 * caller's copy) and says where it is. */
static char *keep_failed_log(struct kb *b, const char *name)
{
	_cleanup_free_ char *kept = kr_asprintf("%s/failed/%s.log", b->cache, name);
	bool copied = b->o->log_copy && copy_file(b->log, b->o->log_copy) == 0;
	bool saved = copy_file(b->log, kept) == 0;
	if (copied)
		return kr_strdup(b->o->log_copy);
	return saved ? KR_TAKE_PTR(kept) : kr_strdup(b->log);
}

static int make_step(struct kb *b, const char *build_dir, bool jobs, const char *target,
		     int bad_input_r, const char *what)
{
	_cleanup_strv_free_ char **argv = make_argv(b, build_dir, jobs, target);
	int status = 0;
	int r = run_logged(b, argv, NULL, &status);
	if (r < 0)
		return r;
	if (status == 0)
		return 0;
	_cleanup_free_ char *errs = log_errors(b->log);
	_cleanup_free_ char *name = kr_asprintf("%.16s-%s", b->tree_id + 4, target);
	_cleanup_free_ char *kept = keep_failed_log(b, name);
	return fail(b, bad_input_r, "%s: 'make %s' failed (exit status %d); log: %s\n%s", what,
		    target, status, kept, errs);
}

/* Base config, fragment, olddefconfig, check. Leaves BUILD/.config. */
static int configure(struct kb *b, const char *build_dir, struct kr_kernel *k)
{
	const struct kr_scenario *s = b->s;
	_cleanup_free_ char *config = kr_path_join(build_dir, ".config");
	int r;
	if (s->kernel.config_target) {
		progress(b, "configuring: make %s", s->kernel.config_target);
		r = make_step(b, build_dir, false, s->kernel.config_target, -EINVAL, "kernel.config");
		if (r < 0)
			return r;
	} else {
		r = copy_file(s->kernel.config_file, config);
		if (r < 0)
			return fail(b, -EINVAL, "kernel.config: %s: %s", s->kernel.config_file,
				    strerror(-r));
	}
	_cleanup_free_ char *base = NULL;
	size_t len;
	r = kr_read_file(config, CONFIG_MAX, &base, &len);
	if (r < 0)
		return fail(b, r, "cannot read %s: %s", config, strerror(-r));
	if (b->frag.n) {
		_cleanup_free_ char *merged = kr_kconfig_merge(base, &b->frag);
		r = kr_write_file_atomic(config, merged, strlen(merged), 0644);
		if (r < 0)
			return fail(b, r, "cannot write %s: %s", config, strerror(-r));
	}
	progress(b, "configuring: merging %zu fragment line%s, make olddefconfig", b->frag.n,
		 b->frag.n == 1 ? "" : "s");
	r = make_step(b, build_dir, false, "olddefconfig", -ENOEXEC, "configuring the kernel");
	if (r < 0)
		return r;
	_cleanup_free_ char *final = NULL;
	r = kr_read_file(config, CONFIG_MAX, &final, &len);
	if (r < 0)
		return fail(b, r, "cannot read %s: %s", config, strerror(-r));
	const char *arch = make_var(b, "ARCH");
	/* $(ARCH) in Kconfig: the make variable, else the kernel Makefile's
	 * SUBARCH, which is "x86" on an x86_64 host. */
	const char *env_arch = arch ? arch : "x86";
	k->n_mismatches = kr_kconfig_check(final, &b->frag, b->srctree, "x86", env_arch,
					   &k->mismatches);
	for (size_t i = 0; i < k->n_mismatches; i++)
		log_line(b, "kradar: %s", k->mismatches[i].message);
	if (k->n_mismatches && s->kernel.strict_fragment) {
		struct kr_buf t = KR_BUF_INIT(SIZE_MAX);
		for (size_t i = 0; i < k->n_mismatches; i++)
			kr_buf_printf(&t, "\n  %s", k->mismatches[i].message);
		_cleanup_free_ char *list = kr_buf_steal(&t);
		return fail(b, -EINVAL,
			    "kernel.strict_fragment: %zu fragment line%s not kept by the kernel's config:%s",
			    k->n_mismatches, k->n_mismatches == 1 ? " was" : "s were", list);
	}
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(final, strlen(final), hex);
	k->config_hash = kr_strdup(hex);
	return 0;
}

/* Compiles in BUILD and moves the results into kernels/<key>. */
static int build_and_store(struct kb *b, const char *build_dir, struct kr_kernel *k)
{
	progress(b, "building kernel %.12s with make -j%d (log: %s)", k->key, b->jobs, b->log);
	double t0 = kr_now_s();
	int r = make_step(b, build_dir, true, "bzImage", -ENOEXEC, "the kernel did not build");
	if (r < 0)
		return r;
	double seconds = kr_now_s() - t0;
	log_line(b, "kradar: built in %.0f s", seconds);

	_cleanup_free_ char *entry = kr_path_join(b->work, "entry");
	if (mkdir(entry, 0755) < 0)
		return fail(b, -errno, "cannot create %s: %s", entry, strerror(errno));
	static const char *const moves[][2] = {
		{ "arch/x86/boot/bzImage", "bzImage" },
		{ "vmlinux", "vmlinux" },
		{ ".config", "config" },
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(moves); i++) {
		_cleanup_free_ char *from = kr_path_join(build_dir, moves[i][0]);
		_cleanup_free_ char *to = kr_path_join(entry, moves[i][1]);
		if (rename(from, to) < 0)
			return fail(b, -errno, "the build made no %s: %s", moves[i][0], strerror(errno));
	}
	_cleanup_free_ char *log_to = kr_path_join(entry, "build.log");
	r = copy_file(b->log, log_to);
	if (r < 0)
		return fail(b, r, "cannot write %s: %s", log_to, strerror(-r));
	r = write_meta(b, entry, k, seconds, b->jobs);
	if (r < 0)
		return r;
	_cleanup_free_ char *final = entry_path(b, k->key, NULL);
	if (rename(entry, final) < 0 && !entry_complete(b, k->key))
		return fail(b, -errno, "cannot rename %s to %s: %s", entry, final, strerror(errno));
	return 0;
}

static int setup_cache(struct kb *b)
{
	static const char *const subdirs[] = { "kernels", "inputs", "trees", "hashes", "locks",
					       "work", "failed" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(subdirs); i++) {
		_cleanup_free_ char *d = kr_path_join(b->cache, subdirs[i]);
		int r = kr_mkdir_p(d, 0755);
		if (r < 0)
			return fail(b, r, "cannot create the cache directory %s: %s", d, strerror(-r));
	}
	clean_stale_work(b->cache);
	return 0;
}

static void kb_clear(struct kb *b)
{
	work_dir_remove(&b->work, &b->work_lock);
	if (b->log_fd >= 0)
		close(b->log_fd);
	free(b->log);
	free(b->cache);
	free(b->srctree);
	free(b->tree_id);
	free(b->commit);
	free(b->tree_name);
	free(b->cc_version);
	free(b->ld_version);
	free(b->config_id);
	free(b->fragment_sha);
	kr_kconfig_fragment_clear(&b->frag);
}

static int get(struct kb *b, struct kr_kernel *k)
{
	int r = setup_cache(b);
	if (r < 0)
		return r;
	if ((r = resolve_tree(b)) < 0 || (r = toolchain(b)) < 0 || (r = load_fragment(b)) < 0)
		return r;
	fill_identity(b, k);

	_cleanup_free_ char *ikey = inputs_key(b);
	if (!b->o->config_only && read_inputs(b, ikey, k) && entry_complete(b, k->key)) {
		k->cache_hit = true;
		return fill_from_entry(b, k);
	}
	kr_kbuild_mismatches_free(k->mismatches, k->n_mismatches);
	k->mismatches = NULL;
	k->n_mismatches = 0;
	free(k->key);
	k->key = NULL;

	r = work_dir_new(b, &b->work, &b->work_lock);
	if (r < 0)
		return r;
	b->log = kr_path_join(b->work, "build.log");
	b->log_fd = open(b->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (b->log_fd < 0)
		return fail(b, -errno, "cannot create %s: %s", b->log, strerror(errno));
	log_line(b, "kradar: building %s (%s)", b->s->kernel.source, b->tree_id);
	log_line(b, "kradar: compiler %s; linker %s", b->cc_version, b->ld_version);
	_cleanup_free_ char *build_dir = kr_path_join(b->work, "build");
	if (mkdir(build_dir, 0755) < 0)
		return fail(b, -errno, "cannot create %s: %s", build_dir, strerror(errno));

	r = configure(b, build_dir, k);
	if (r < 0)
		return r;
	if (b->o->config_only) {
		/* The config outlives the work directory: a temporary file. */
		_cleanup_free_ char *from = kr_path_join(build_dir, ".config");
		const char *tmp = getenv("TMPDIR");
		char *path = kr_asprintf("%s/kradar-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		int fd = mkostemp(path, O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			free(path);
			return fail(b, r, "cannot create a temporary file: %s", strerror(-r));
		}
		close(fd);
		k->config = path;
		k->config_is_temp = true;
		r = copy_file(from, path);
		if (r < 0)
			return fail(b, r, "cannot write %s: %s", path, strerror(-r));
		if (b->o->log_copy)
			copy_file(b->log, b->o->log_copy);
		return 0;
	}

	k->key = kernel_key(b, k->config_hash);
	if (!entry_complete(b, k->key)) {
		_cleanup_free_ char *what = kr_asprintf("building kernel %.12s", k->key);
		_cleanup_close_ int lock = lock_named(b, k->key, what);
		if (lock < 0)
			return lock;
		if (!entry_complete(b, k->key)) {
			r = build_and_store(b, build_dir, k);
			if (r < 0)
				return r;
		} else {
			k->cache_hit = true;
		}
	} else {
		k->cache_hit = true;
	}
	r = write_inputs(b, ikey, k);
	if (r < 0)
		return r;
	free(k->config_hash);
	k->config_hash = NULL;
	return fill_from_entry(b, k);
}

int kr_kbuild_get(const struct kr_scenario *s, const struct kr_kbuild_options *opts,
		  struct kr_kernel **out, char **err)
{
	static const struct kr_kbuild_options defaults = { 0 };
	const struct kr_kbuild_options *o = opts ? opts : &defaults;
	*out = NULL;
	if (err)
		*err = NULL;
	_cleanup_free_ char *ignored_err = NULL;
	struct kb b = {
		.s = s,
		.o = o,
		.err = err ? err : &ignored_err,
		.cache = cache_root(o->cache_dir),
		.jobs = o->jobs > 0 ? o->jobs : cpus_allowed(),
		.work_lock = -1,
		.log_fd = -1,
		.make_vars = s->kernel.make_vars,
	};
	if (s->kernel.kind != KR_KERNEL_SOURCE || !s->kernel.source) {
		kb_clear(&b);
		return fail(&b, -EINVAL, "kernel.source: the scenario builds no kernel from source");
	}
	double t0 = kr_now_s();
	_cleanup_kernel_free_ struct kr_kernel *k = kr_calloc(1, sizeof(*k));
	int r = get(&b, k);
	if (r == 0) {
		finish_label(&b, k);
		if (o->log_copy && k->build_log && !o->config_only) {
			int c = copy_file(k->build_log, o->log_copy);
			if (c < 0)
				r = fail(&b, c, "cannot write %s: %s", o->log_copy, strerror(-c));
		}
	}
	kb_clear(&b);
	if (r < 0)
		return r;
	k->seconds = kr_now_s() - t0;
	*out = KR_TAKE_PTR(k);
	return 0;
}

void kr_kernel_free(struct kr_kernel *k)
{
	if (!k)
		return;
	if (k->config_is_temp && k->config)
		unlink(k->config);
	free(k->bzimage);
	free(k->vmlinux);
	free(k->config);
	free(k->build_log);
	free(k->key);
	free(k->tree);
	free(k->commit);
	free(k->config_hash);
	free(k->compiler);
	free(k->label);
	kr_kbuild_mismatches_free(k->mismatches, k->n_mismatches);
	free(k);
}
