/* SPDX-License-Identifier: MIT */
/* kradar build SCENARIO...: builds (or finds in the cache) the kernel of
 * kernel.source scenarios without running them. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kbuild.h"
#include "log.h"
#include "scenario.h"

/* SIGINT/SIGTERM write here; the builder watches the read end and stops
 * make's whole process group instead of leaving compilers running. */
static int cancel_pipe[2] = { -1, -1 };

/* 128 + the signal, as a shell (and kradar run) reports it. */
static int interrupted_exit(void)
{
	unsigned char sig = SIGINT;
	if (read(cancel_pipe[0], &sig, 1) != 1)
		sig = SIGINT;
	return 128 + sig;
}


static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	if (write(cancel_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a cancel is already pending */
	}
	errno = saved;
}

static int catch_signals(void)
{
	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking wait for another build's lock must end. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return cancel_pipe[0];
}

/* make's count, a line at most every 30 s (kradar run draws it with the
 * guests, reporters/progress.h). */
struct make_count {
	const char *name;
	double said;
};

static void show_progress(void *userdata, const char *message)
{
	const struct make_count *m = userdata;
	kr_notice("%s: %s", m->name, message);
}

static void show_make_progress(void *userdata, long compiled, long estimated)
{
	struct make_count *m = userdata;
	double now = kr_now_s();
	if (now - m->said < 30)
		return;
	m->said = now;
	if (estimated > 0)
		kr_notice("%s: compiled %ld of about %ld files", m->name, compiled,
			  compiled > estimated ? compiled : estimated);
	else
		kr_notice("%s: compiled %ld files", m->name, compiled);
}

static int build_one(const char *file, const struct kr_kbuild_options *base)
{
	struct kr_diags diags = { 0 };
	_cleanup_scenario_free_ struct kr_scenario *s = NULL;
	if (kr_scenario_load(file, &s, &diags) < 0) {
		kr_diags_print(&diags, stderr);
		kr_diags_clear(&diags);
		return KR_EXIT_USAGE;
	}
	if (s->kernel.kind != KR_KERNEL_SOURCE) {
		kr_error("%s: kernel: the scenario uses a prebuilt kernel.image; nothing to build",
			 file);
		return KR_EXIT_USAGE;
	}
	struct kr_kbuild_options o = *base;
	struct make_count count = { .name = s->name, .said = kr_now_s() };
	o.progress = show_progress;
	o.make_progress = show_make_progress;
	o.userdata = &count;
	_cleanup_kernel_free_ struct kr_kernel *k = NULL;
	_cleanup_free_ char *err = NULL;
	int r = kr_kbuild_get(s, &o, &k, &err);
	if (r < 0) {
		kr_error("%s: %s", file, err ? err : strerror(-r));
		if (r == -EINVAL)
			return KR_EXIT_USAGE;
		if (r == -ENOEXEC)
			return KR_EXIT_INCONCLUSIVE;
		if (r == -ECANCELED)
			return interrupted_exit();
		return KR_EXIT_ENVIRONMENT;
	}
	for (size_t i = 0; i < k->n_mismatches; i++)
		kr_warning("%s: %s", file, k->mismatches[i].message);
	printf("scenario  %s\n", s->name);
	printf("kernel    %s\n", k->label);
	if (k->key)
		printf("key       %s\n", k->key);
	printf("tree      %s\n", k->tree);
	if (k->commit)
		printf("commit    %s\n", k->commit);
	printf("config    %s %s\n", k->config_hash, k->config);
	printf("compiler  %s\n", k->compiler);
	if (k->bzimage) {
		printf("bzImage   %s\n", k->bzimage);
		printf("vmlinux   %s\n", k->vmlinux);
		printf("log       %s\n", k->build_log);
		printf("cached    %s (%.2f s)\n", k->cache_hit ? "yes" : "no, built", k->seconds);
	}
	fflush(stdout);
	return KR_EXIT_OK;
}

int kr_cmd_build(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("build");
	static const struct option opts[] = {
		{ "cache", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "config-only", no_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ 0 },
	};
	struct kr_kbuild_options o = { 0 };
	int c;
	while ((c = kr_cli_getopt(self, argc, argv, "C:j:", opts)) != -1) {
		long n;
		switch (c) {
		case 'C':
			if (!*optarg)
				return kr_cli_usage_error(self, "--cache: an empty directory name");
			o.cache_dir = optarg;
			break;
		case 'j':
			if (kr_parse_long(optarg, &n) < 0 || n < 1 || n > 4096)
				return kr_cli_usage_error(self, "--jobs: expected 1..4096, got '%s'", optarg);
			o.jobs = (int)n;
			break;
		case 'c':
			o.config_only = true;
			break;
		case 'l':
			o.log_copy = optarg;
			break;
		}
	}
	if (optind >= argc)
		return kr_cli_usage_error(self, "no scenario file given");
	if (o.log_copy && argc - optind > 1)
		return kr_cli_usage_error(self, "--log takes one scenario");
	o.cancel_fd = catch_signals();
	int worst = KR_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		int r = build_one(argv[i], &o);
		if (r > 128)
			return r; /* interrupted: no more builds */
		if (r > worst)
			worst = r;
	}
	return worst;
}
