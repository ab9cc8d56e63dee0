/* SPDX-License-Identifier: MIT */
/* Configuring (base config, fragment merge, olddefconfig, the fragment
 * check) and building a kernel with make, and the error lines of a failed
 * build. */
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

char *kb_log_errors(const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (kr_read_file(path, 256 << 20, &text, &len) < 0)
		return kr_strdup("  (the log cannot be read)");
	return error_lines(text, 12);
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
	bool copied = b->o->log_copy && kb_copy_file(b->log, b->o->log_copy) == 0;
	bool saved = kb_copy_file(b->log, kept) == 0;
	if (copied)
		return kr_strdup(b->o->log_copy);
	return saved ? KR_TAKE_PTR(kept) : kr_strdup(b->log);
}

static int make_step(struct kb *b, const char *build_dir, bool jobs, const char *target,
		     int bad_input_r, const char *what)
{
	_cleanup_strv_free_ char **argv = make_argv(b, build_dir, jobs, target);
	int status = 0;
	int r = kb_run_logged(b, argv, NULL, &status);
	if (r < 0)
		return r;
	if (status == 0)
		return 0;
	_cleanup_free_ char *errs = kb_log_errors(b->log);
	_cleanup_free_ char *name = kr_asprintf("%.16s-%s", b->tree_id + 4, target);
	_cleanup_free_ char *kept = keep_failed_log(b, name);
	return kb_fail(b, bad_input_r, "%s: 'make %s' failed (exit status %d); log: %s\n%s", what,
		    target, status, kept, errs);
}

/* Base config, fragment, olddefconfig, check. Leaves BUILD/.config. */
int kb_configure(struct kb *b, const char *build_dir, struct kr_kernel *k)
{
	const struct kr_scenario *s = b->s;
	_cleanup_free_ char *config = kr_path_join(build_dir, ".config");
	int r;
	if (s->kernel.config_target) {
		kb_progress(b, "configuring: make %s", s->kernel.config_target);
		r = make_step(b, build_dir, false, s->kernel.config_target, -EINVAL, "kernel.config");
		if (r < 0)
			return r;
	} else {
		r = kb_copy_file(s->kernel.config_file, config);
		if (r < 0)
			return kb_fail(b, -EINVAL, "kernel.config: %s: %s", s->kernel.config_file,
				    strerror(-r));
	}
	_cleanup_free_ char *base = NULL;
	size_t len;
	r = kr_read_file(config, CONFIG_MAX, &base, &len);
	if (r < 0)
		return kb_fail(b, r, "cannot read %s: %s", config, strerror(-r));
	if (b->frag.n) {
		_cleanup_free_ char *merged = kr_kconfig_merge(base, &b->frag);
		r = kr_write_file_atomic(config, merged, strlen(merged), 0644);
		if (r < 0)
			return kb_fail(b, r, "cannot write %s: %s", config, strerror(-r));
	}
	kb_progress(b, "configuring: merging %zu fragment line%s, make olddefconfig", b->frag.n,
		 b->frag.n == 1 ? "" : "s");
	r = make_step(b, build_dir, false, "olddefconfig", -ENOEXEC, "configuring the kernel");
	if (r < 0)
		return r;
	_cleanup_free_ char *final = NULL;
	r = kr_read_file(config, CONFIG_MAX, &final, &len);
	if (r < 0)
		return kb_fail(b, r, "cannot read %s: %s", config, strerror(-r));
	const char *arch = kb_make_var(b, "ARCH");
	/* $(ARCH) in Kconfig: the make variable, else the kernel Makefile's
	 * SUBARCH, which is "x86" on an x86_64 host. */
	const char *env_arch = arch ? arch : "x86";
	k->n_mismatches = kr_kconfig_check(final, &b->frag, b->srctree, "x86", env_arch,
					   &k->mismatches);
	for (size_t i = 0; i < k->n_mismatches; i++)
		kb_log_line(b, "kradar: %s", k->mismatches[i].message);
	if (k->n_mismatches && s->kernel.strict_fragment) {
		struct kr_buf t = KR_BUF_INIT(SIZE_MAX);
		for (size_t i = 0; i < k->n_mismatches; i++)
			kr_buf_printf(&t, "\n  %s", k->mismatches[i].message);
		_cleanup_free_ char *list = kr_buf_steal(&t);
		return kb_fail(b, -EINVAL,
			    "kernel.strict_fragment: %zu fragment line%s not kept by the kernel's config:%s",
			    k->n_mismatches, k->n_mismatches == 1 ? " was" : "s were", list);
	}
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(final, strlen(final), hex);
	k->config_hash = kr_strdup(hex);
	return 0;
}

long kb_estimate_compiles(struct kb *b)
{
	_cleanup_free_ char *kernels = kr_path_join(b->cache, "kernels");
	DIR *d = opendir(kernels);
	if (!d)
		return 0;
	_cleanup_free_ char *newest = NULL;
	struct timespec newest_t = { 0 };
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		_cleanup_free_ char *log = kr_asprintf("%s/%s/build.log", kernels, e->d_name);
		struct stat st;
		if (stat(log, &st) < 0)
			continue;
		if (!newest || st.st_mtim.tv_sec > newest_t.tv_sec ||
		    (st.st_mtim.tv_sec == newest_t.tv_sec && st.st_mtim.tv_nsec > newest_t.tv_nsec)) {
			free(newest);
			newest = KR_TAKE_PTR(log);
			newest_t = st.st_mtim;
		}
	}
	closedir(d);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (!newest || kr_read_file(newest, 256 << 20, &text, &len) < 0)
		return 0;
	struct kb_compile_counter cc = { 0 };
	kb_count_compiles(&cc, text, len);
	return cc.compiled;
}

/* Compiles in BUILD and moves the results into kernels/<key>. */
int kb_build_and_store(struct kb *b, const char *build_dir, struct kr_kernel *k)
{
	kb_progress(b, "building kernel %.12s with make -j%d (log: %s)", k->key, b->jobs, b->log);
	double t0 = kr_now_s();
	if (b->o->make_progress)
		b->compiles_estimated = kb_estimate_compiles(b);
	b->count_compiles = true;
	int r = make_step(b, build_dir, true, "bzImage", -ENOEXEC, "the kernel did not build");
	b->count_compiles = false;
	if (r < 0)
		return r;
	double seconds = kr_now_s() - t0;
	kb_log_line(b, "kradar: built in %.0f s", seconds);

	_cleanup_free_ char *entry = kr_path_join(b->work, "entry");
	if (mkdir(entry, 0755) < 0)
		return kb_fail(b, -errno, "cannot create %s: %s", entry, strerror(errno));
	static const char *const moves[][2] = {
		{ "arch/x86/boot/bzImage", "bzImage" },
		{ "vmlinux", "vmlinux" },
		{ ".config", "config" },
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(moves); i++) {
		_cleanup_free_ char *from = kr_path_join(build_dir, moves[i][0]);
		_cleanup_free_ char *to = kr_path_join(entry, moves[i][1]);
		if (rename(from, to) < 0)
			return kb_fail(b, -errno, "the build made no %s: %s", moves[i][0], strerror(errno));
	}
	_cleanup_free_ char *log_to = kr_path_join(entry, "build.log");
	r = kb_copy_file(b->log, log_to);
	if (r < 0)
		return kb_fail(b, r, "cannot write %s: %s", log_to, strerror(-r));
	r = kb_write_meta(b, entry, k, seconds, b->jobs);
	if (r < 0)
		return r;
	_cleanup_free_ char *final = kb_entry_path(b, k->key, NULL);
	if (rename(entry, final) < 0 && !kb_entry_complete(b, k->key))
		return kb_fail(b, -errno, "cannot rename %s to %s: %s", entry, final, strerror(errno));
	return 0;
}
