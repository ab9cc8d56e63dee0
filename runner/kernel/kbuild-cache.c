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
#include "stale.h"

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

/* Removes the work directories of builds whose process is gone. */
void kb_clean_stale_work(const char *cache)
{
	_cleanup_free_ char *work = kr_path_join(cache, "work");
	kr_stale_sweep(work, "");
	/* entries and inputs a killed build was writing (kernels/KEY/...) */
	kr_stale_sweep_tmp(cache, 2);
}

/* A fresh work directory, named after this process so that a later
 * kradar can remove it once the process is gone. */
int kb_work_dir_new(struct kb *b, char **dir)
{
	_cleanup_free_ char *parent = kr_path_join(b->cache, "work");
	int r = kr_stale_mkdtemp(parent, "", dir);
	if (r < 0)
		return kb_fail(b, r, "cannot create a work directory in %s: %s", parent, strerror(-r));
	return 0;
}

void kb_work_dir_remove(char **dir)
{
	if (!*dir)
		return;
	kr_rm_rf(*dir);
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
