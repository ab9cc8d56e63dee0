/* SPDX-License-Identifier: MIT */
/* Kernels built from source: the steps of one build (kr_kbuild_get), its
 * children and their logs, cancellation. The cache layout is described in
 * kbuild-internal.h. */
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

void kb_progress(struct kb *b, const char *fmt, ...)
{
	if (!b->o->progress)
		return;
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	b->o->progress(b->o->userdata, msg);
}

int kb_fail(struct kb *b, int r, const char *fmt, ...)
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

bool kb_cancelled(const struct kb *b)
{
	if (b->o->cancel_fd <= 0)
		return false;
	struct pollfd pfd = { .fd = b->o->cancel_fd, .events = POLLIN };
	return poll(&pfd, 1, 0) > 0;
}

void kb_count_compiles(struct kb_compile_counter *cc, const char *data, size_t len)
{
	static const char mark[5] = { ' ', ' ', 'C', 'C', ' ' };
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n') {
			cc->col = 0;
			continue;
		}
		if (cc->col < sizeof(cc->head)) {
			cc->head[cc->col++] = data[i];
			if (cc->col == sizeof(cc->head) && !memcmp(cc->head, mark, sizeof(mark)))
				cc->compiled++;
		}
	}
}

/* make's output (read from rd) into the build log, its compiles counted
 * for the caller. Returns false at the end of it. */
static bool copy_output(struct kb *b, int rd, struct kb_compile_counter *cc)
{
	char chunk[8192];
	ssize_t n = read(rd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (write(b->log_fd, chunk, (size_t)n) < 0) {
		/* the build itself reports a full disk */
	}
	long before = cc->compiled;
	kb_count_compiles(cc, chunk, (size_t)n);
	if (cc->compiled != before)
		b->o->make_progress(b->o->userdata, cc->compiled, b->compiles_estimated);
	return true;
}

/* Waits for p to exit, or stops its group when the build is cancelled;
 * with rd >= 0, copies its output from there (copy_output). */
static int wait_child(struct kb *b, struct kr_process *p, const char *what, int *status, int rd)
{
	struct kb_compile_counter cc = { 0 };
	struct pollfd pfd[3] = {
		{ .fd = kr_process_pidfd(p), .events = POLLIN },
		{ .fd = b->o->cancel_fd > 0 ? b->o->cancel_fd : -1, .events = POLLIN },
		{ .fd = rd, .events = POLLIN },
	};
	for (;;) {
		int n = poll(pfd, 3, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kb_fail(b, -errno, "waiting for %s: %s", what, strerror(errno));
		if (pfd[1].revents) {
			kr_process_stop(p, 5);
			return kb_fail(b, -ECANCELED, "interrupted while running %s", what);
		}
		if (pfd[2].revents && !copy_output(b, rd, &cc))
			pfd[2].fd = -1;
		if (pfd[0].revents)
			break;
	}
	/* What is left in the pipe (rd does not block). */
	while (pfd[2].fd >= 0 && copy_output(b, rd, &cc)) {
		struct pollfd more = { .fd = rd, .events = POLLIN };
		if (poll(&more, 1, 0) <= 0)
			break;
	}
	int r = kr_process_wait(p, -1, status);
	if (r < 0)
		return kb_fail(b, r, "waiting for %s: %s", what, strerror(-r));
	return 0;
}

int kb_wait_child(struct kb *b, struct kr_process *p, const char *what, int *status)
{
	return wait_child(b, p, what, status, -1);
}

/* ----- children ----- */

void kb_log_line(struct kb *b, const char *fmt, ...)
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

struct kr_process *kb_child_new(char *const argv[], const char *cwd)
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

int kb_missing_tool(struct kb *b, const char *tool, int r)
{
	if (r == -ENOENT)
		return kb_fail(b, r, "'%s' is not installed (or not in PATH)", tool);
	return kb_fail(b, r, "cannot run %s: %s", tool, strerror(-r));
}

/* Runs argv with its output appended to the build log. */
int kb_run_logged(struct kb *b, char *const argv[], const char *cwd, int *status)
{
	_cleanup_free_ char *text = argv_text(argv);
	kb_log_line(b, "$ %s", text);
	_cleanup_process_free_ struct kr_process *p = kb_child_new(argv, cwd);
	/* Counted: through a pipe into the log; otherwise straight into it. */
	_cleanup_close_ int rd = -1;
	_cleanup_close_ int wr = -1;
	if (b->count_compiles && b->o->make_progress) {
		int fds[2];
		if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
			return kb_fail(b, -errno, "pipe: %s", strerror(errno));
		rd = fds[0];
		wr = fds[1];
		/* make's side blocks as a file would */
		fcntl(wr, F_SETFL, 0);
	}
	kr_process_set_stdout(p, wr >= 0 ? wr : b->log_fd);
	kr_process_set_stderr(p, wr >= 0 ? wr : b->log_fd);
	int r = kr_process_start(p);
	if (r < 0)
		return kb_missing_tool(b, argv[0], r);
	if (wr >= 0)
		close(KR_TAKE_FD(wr));
	r = wait_child(b, p, argv[0], status, rd);
	if (r < 0)
		return r;
	if (*status)
		kb_log_line(b, "kradar: %s exited with status %d", argv[0], *status);
	return 0;
}

/* Runs argv and captures its standard output. */
int kb_run_capture(struct kb *b, char *const argv[], const char *cwd, char **out,
		       int *status)
{
	_cleanup_process_free_ struct kr_process *p = kb_child_new(argv, cwd);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return kb_fail(b, -errno, "pipe: %s", strerror(errno));
	_cleanup_close_ int rd = fds[0];
	_cleanup_close_ int wr = fds[1];
	kr_process_set_stdout(p, wr);
	int r = kr_process_start(p);
	if (r < 0)
		return kb_missing_tool(b, argv[0], r);
	close(KR_TAKE_FD(wr));
	struct kr_buf buf = KR_BUF_INIT(CAPTURE_MAX);
	char chunk[4096];
	ssize_t n;
	while ((n = read(rd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || kr_buf_add(&buf, chunk, (size_t)n) < 0) {
			kr_buf_free(&buf);
			return kb_fail(b, -EIO, "reading the output of %s failed", argv[0]);
		}
	}
	r = kr_process_wait(p, -1, status);
	if (r < 0) {
		kr_buf_free(&buf);
		return kb_fail(b, r, "waiting for %s: %s", argv[0], strerror(-r));
	}
	*out = kr_buf_steal(&buf);
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
			return kb_fail(b, r, "cannot create the cache directory %s: %s", d, strerror(-r));
	}
	kb_clean_stale_work(b->cache);
	return 0;
}

static void kb_clear(struct kb *b)
{
	kb_work_dir_remove(&b->work);
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
	if ((r = kb_resolve_tree(b)) < 0 || (r = kb_toolchain(b)) < 0 || (r = kb_load_fragment(b)) < 0)
		return r;
	kb_fill_identity(b, k);

	_cleanup_free_ char *ikey = kb_inputs_key(b);
	if (!b->o->config_only && kb_read_inputs(b, ikey, k) && kb_entry_complete(b, k->key)) {
		k->cache_hit = true;
		return kb_fill_from_entry(b, k);
	}
	kr_kbuild_mismatches_free(k->mismatches, k->n_mismatches);
	k->mismatches = NULL;
	k->n_mismatches = 0;
	free(k->key);
	k->key = NULL;

	r = kb_work_dir_new(b, &b->work);
	if (r < 0)
		return r;
	b->log = kr_path_join(b->work, "build.log");
	b->log_fd = open(b->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (b->log_fd < 0)
		return kb_fail(b, -errno, "cannot create %s: %s", b->log, strerror(errno));
	kb_log_line(b, "kradar: building %s (%s)", b->s->kernel.source, b->tree_id);
	kb_log_line(b, "kradar: compiler %s; linker %s", b->cc_version, b->ld_version);
	_cleanup_free_ char *build_dir = kr_path_join(b->work, "build");
	if (mkdir(build_dir, 0755) < 0)
		return kb_fail(b, -errno, "cannot create %s: %s", build_dir, strerror(errno));

	r = kb_configure(b, build_dir, k);
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
			return kb_fail(b, r, "cannot create a temporary file: %s", strerror(-r));
		}
		close(fd);
		k->config = path;
		k->config_is_temp = true;
		r = kb_copy_file(from, path);
		if (r < 0)
			return kb_fail(b, r, "cannot write %s: %s", path, strerror(-r));
		if (b->o->log_copy)
			kb_copy_file(b->log, b->o->log_copy);
		return 0;
	}

	k->key = kb_kernel_key(b, k->config_hash);
	if (!kb_entry_complete(b, k->key)) {
		_cleanup_free_ char *what = kr_asprintf("building kernel %.12s", k->key);
		_cleanup_close_ int lock = kb_lock_named(b, k->key, what);
		if (lock < 0)
			return lock;
		if (!kb_entry_complete(b, k->key)) {
			r = kb_build_and_store(b, build_dir, k);
			if (r < 0)
				return r;
		} else {
			k->cache_hit = true;
		}
	} else {
		k->cache_hit = true;
	}
	r = kb_write_inputs(b, ikey, k);
	if (r < 0)
		return r;
	free(k->config_hash);
	k->config_hash = NULL;
	return kb_fill_from_entry(b, k);
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
		.log_fd = -1,
		.make_vars = s->kernel.make_vars,
	};
	if (s->kernel.kind != KR_KERNEL_SOURCE || !s->kernel.source) {
		kb_clear(&b);
		return kb_fail(&b, -EINVAL, "kernel.source: the scenario builds no kernel from source");
	}
	double t0 = kr_now_s();
	_cleanup_kernel_free_ struct kr_kernel *k = kr_calloc(1, sizeof(*k));
	int r = get(&b, k);
	if (r == 0) {
		kb_finish_label(&b, k);
		if (o->log_copy && k->build_log && !o->config_only) {
			int c = kb_copy_file(k->build_log, o->log_copy);
			if (c < 0)
				r = kb_fail(&b, c, "cannot write %s: %s", o->log_copy, strerror(-c));
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
