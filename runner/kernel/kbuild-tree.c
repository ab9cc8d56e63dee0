/* SPDX-License-Identifier: MIT */
/* The kernel source tree of a build: a tarball unpacked or a git commit
 * exported into the cache, a directory used in place, and the content hash
 * that identifies it (with a stat cache, so that an unchanged tree is not
 * read again). */
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

#include "kbuild-internal.h"

/* ----- the tree ----- */

static bool is_hex_prefix(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

bool kb_is_hex(const char *s, size_t n)
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
	    len == strlen(want) + 64 && kb_is_hex(have + strlen(want), 64)) {
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
	_cleanup_close_ int lock = kb_lock_named(b, lockname, what);
	if (lock < 0)
		return lock;
	if (access(final, F_OK) == 0) {
		*out = KR_TAKE_PTR(final);
		return 0;
	}
	kb_progress(b, "%s", what);
	_cleanup_free_ char *work = NULL;
	int r = kb_work_dir_new(b, &work);
	if (r < 0)
		return r;
	_cleanup_free_ char *dir = kr_path_join(work, "tree");
	_cleanup_free_ char *log = kr_path_join(work, "log");
	_cleanup_close_ int log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (log_fd < 0 || mkdir(dir, 0755) < 0) {
		r = kb_fail(b, -errno, "cannot create %s: %s", dir, strerror(errno));
	} else {
		r = fill(b, dir, log_fd);
		if (r == 0 && rename(dir, final) < 0)
			r = kb_fail(b, -errno, "cannot rename %s to %s: %s", dir, final, strerror(errno));
	}
	kb_work_dir_remove(&work);
	if (r < 0)
		return r;
	*out = KR_TAKE_PTR(final);
	return 0;
}

/* The first lines of a log that look like errors, else its last lines. */
static int unpack_tarball(struct kb *b, const char *dir, int log_fd)
{
	char *argv[] = { "tar", "-xf", b->s->kernel.source, "-C", (char *)dir, "--no-same-owner", NULL };
	_cleanup_process_free_ struct kr_process *p = kb_child_new(argv, NULL);
	kr_process_set_stdout(p, log_fd);
	kr_process_set_stderr(p, log_fd);
	int r = kr_process_start(p), status = 0;
	if (r < 0)
		return kb_missing_tool(b, "tar", r);
	r = kb_wait_child(b, p, "tar", &status);
	if (r < 0)
		return r;
	if (status) {
		_cleanup_free_ char *log = kr_asprintf("/proc/self/fd/%d", log_fd);
		_cleanup_free_ char *errs = kb_log_errors(log);
		return kb_fail(b, -EINVAL, "kernel.source: cannot unpack %s (tar exited with %d):\n%s",
			    b->s->kernel.source, status, errs);
	}
	return 0;
}

static int export_git(struct kb *b, const char *dir, int log_fd)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return kb_fail(b, -errno, "pipe: %s", strerror(errno));
	_cleanup_close_ int rd = fds[0];
	_cleanup_close_ int wr = fds[1];
	char *git_argv[] = { "git", "-C", b->s->kernel.source, "archive", "--format=tar",
			     b->commit, NULL };
	char *tar_argv[] = { "tar", "-xf", "-", "-C", (char *)dir, NULL };
	_cleanup_process_free_ struct kr_process *git = kb_child_new(git_argv, NULL);
	_cleanup_process_free_ struct kr_process *tar = kb_child_new(tar_argv, NULL);
	kr_process_set_stdout(git, wr);
	kr_process_set_stderr(git, log_fd);
	kr_process_set_stdin(tar, rd);
	kr_process_set_stdout(tar, log_fd);
	kr_process_set_stderr(tar, log_fd);
	int r = kr_process_start(git);
	if (r < 0)
		return kb_missing_tool(b, "git", r);
	r = kr_process_start(tar);
	if (r < 0)
		return kb_missing_tool(b, "tar", r);
	close(KR_TAKE_FD(wr));
	close(KR_TAKE_FD(rd));
	int gs = 0, ts = 0;
	r = kb_wait_child(b, tar, "tar", &ts);
	if (r < 0)
		return r; /* git is stopped by its free */
	r = kb_wait_child(b, git, "git archive", &gs);
	if (r < 0)
		return r;
	if (gs || ts) {
		_cleanup_free_ char *log = kr_asprintf("/proc/self/fd/%d", log_fd);
		_cleanup_free_ char *errs = kb_log_errors(log);
		return kb_fail(b, -EIO, "exporting %s from %s failed (git %d, tar %d):\n%s", b->commit,
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

int kb_resolve_tree(struct kb *b)
{
	const char *src = b->s->kernel.source;
	struct stat st;
	if (stat(src, &st) < 0)
		return kb_fail(b, -EINVAL, "kernel.source: %s: %s", src, strerror(errno));
	if (S_ISDIR(st.st_mode) && b->s->kernel.commit) {
		_cleanup_free_ char *rev = kr_asprintf("%s^{commit}", b->s->kernel.commit);
		char *argv[] = { "git", "-C", (char *)src, "rev-parse", "--verify", "--quiet",
				 "--end-of-options", rev, NULL };
		_cleanup_free_ char *out = NULL;
		int status = 0;
		int r = kb_run_capture(b, argv, NULL, &out, &status);
		if (r < 0)
			return r;
		out[strcspn(out, "\n")] = '\0';
		if (status || !(kb_is_hex(out, 40) || kb_is_hex(out, 64))) {
			char *top_argv[] = { "git", "-C", (char *)src, "rev-parse", "--git-dir", NULL };
			_cleanup_free_ char *ignored = NULL;
			int st2 = 0;
			if (kb_run_capture(b, top_argv, NULL, &ignored, &st2) == 0 && st2)
				return kb_fail(b, -EINVAL,
					    "kernel.commit: %s is not a git checkout, so commit \"%s\" cannot be built",
					    src, b->s->kernel.commit);
			return kb_fail(b, -EINVAL, "kernel.commit: \"%s\" names no commit in %s",
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
			return kb_fail(b, -EINVAL, "kernel.source: %s has no Makefile: not a kernel tree", src);
		char hex[KR_SHA256_HEX_SIZE];
		int r = dir_sha(b, src, hex);
		if (r < 0)
			return kb_fail(b, r, "kernel.source: cannot read %s: %s", src, strerror(-r));
		b->srctree = kr_strdup(src);
		b->tree_id = kr_asprintf("dir:%s", hex);
		b->tree_name = label_part(src);
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return kb_fail(b, -EINVAL, "kernel.source: %s is neither a directory nor a tarball", src);
	if (b->s->kernel.commit)
		return kb_fail(b, -EINVAL,
			    "kernel.commit: %s is a tarball, not a git checkout, so commit \"%s\" cannot be built",
			    src, b->s->kernel.commit);
	char hex[KR_SHA256_HEX_SIZE];
	int r = file_sha(b, src, hex);
	if (r < 0)
		return kb_fail(b, r, "kernel.source: cannot read %s: %s", src, strerror(-r));
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
		return kb_fail(b, -EINVAL, "kernel.source: %s holds no kernel tree (no top-level Makefile)",
			    src);
	return 0;
}
