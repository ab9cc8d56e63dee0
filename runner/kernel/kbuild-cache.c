/* SPDX-License-Identifier: MIT */
/* The kernel cache's locks, work directories and finished entries. */
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

/* ----- locks ----- */

/* Opens (creating) and flocks a lock file; blocks unless nonblock.
 * Returns the fd, -EWOULDBLOCK when held elsewhere, or -errno. */
static int lock_file(const struct kb *b, const char *path, bool nonblock)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | (nonblock ? LOCK_NB : 0)) < 0) {
		if (errno == EINTR && !(b && kb_cancelled(b)))
			continue;
		if (errno == EINTR)
			errno = ECANCELED;
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int kb_lock_named(struct kb *b, const char *name, const char *what)
{
	_cleanup_free_ char *file = kr_asprintf("%s/locks/%s.lock", b->cache, name);
	int fd = lock_file(b, file, true);
	if (fd == -EWOULDBLOCK) {
		kb_progress(b, "waiting for another kradar process %s", what);
		fd = lock_file(b, file, false);
	}
	if (fd < 0)
		return kb_fail(b, fd, "cannot lock %s: %s", file, strerror(-fd));
	return fd;
}

/* Removes the work directories of builds whose process is gone: their lock
 * is free. Young ones are left alone, since their owner may not yet have
 * taken its lock. */
void kb_clean_stale_work(const char *cache)
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
int kb_work_dir_new(struct kb *b, char **dir, int *lock_fd)
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
			return kb_fail(b, -e, "cannot create %s: %s", lock, strerror(e));
		}
		char *d = kr_asprintf("%s/work/%s", b->cache, name);
		if (mkdir(d, 0755) < 0) {
			int e = errno;
			free(d);
			unlink(lock);
			close(fd);
			return kb_fail(b, -e, "cannot create a work directory in %s/work: %s", b->cache,
				    strerror(e));
		}
		*dir = d;
		*lock_fd = fd;
		return 0;
	}
	return kb_fail(b, -EEXIST, "cannot create a work directory in %s/work", b->cache);
}

void kb_work_dir_remove(char **dir, int *lock_fd)
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

/* ----- kernels ----- */

char *kb_entry_path(struct kb *b, const char *key, const char *file)
{
	return file ? kr_asprintf("%s/kernels/%s/%s", b->cache, key, file) :
		      kr_asprintf("%s/kernels/%s", b->cache, key);
}

bool kb_entry_complete(struct kb *b, const char *key)
{
	_cleanup_free_ char *meta = kb_entry_path(b, key, "meta.json");
	return access(meta, F_OK) == 0;
}

int kb_copy_file(const char *from, const char *to)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r = kr_read_file(from, 1u << 31, &data, &len);
	if (r < 0)
		return r;
	return kr_write_file_atomic(to, data, len, 0644);
}

/* Fills k from the entry of k->key. */
int kb_fill_from_entry(struct kb *b, struct kr_kernel *k)
{
	k->bzimage = kb_entry_path(b, k->key, "bzImage");
	k->vmlinux = kb_entry_path(b, k->key, "vmlinux");
	k->config = kb_entry_path(b, k->key, "config");
	k->build_log = kb_entry_path(b, k->key, "build.log");
	char hex[KR_SHA256_HEX_SIZE];
	int r = kr_sha256_file(k->config, hex);
	if (r < 0)
		return kb_fail(b, r, "cannot read %s: %s", k->config, strerror(-r));
	k->config_hash = kr_strdup(hex);
	return 0;
}

void kb_fill_identity(struct kb *b, struct kr_kernel *k)
{
	k->tree = kr_strdup(b->tree_id);
	k->commit = b->commit ? kr_strdup(b->commit) : NULL;
	k->compiler = kr_strdup(b->cc_version);
}

void kb_finish_label(struct kb *b, struct kr_kernel *k)
{
	if (b->s->kernel.label)
		k->label = kr_strdup(b->s->kernel.label);
	else
		k->label = kr_asprintf("%s-%.8s", b->tree_name, k->config_hash);
}

int kb_write_meta(struct kb *b, const char *dir, const struct kr_kernel *k, double seconds,
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
		return kb_fail(b, r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}
