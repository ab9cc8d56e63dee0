/* SPDX-License-Identifier: MIT */
/* kradar symbolize --vmlinux F [--module F.ko...] LOG|- */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "symbolize.h"

#define LOG_MAX ((size_t)1 << 30)
#define CHUNK (1024 * 1024)

static int read_all(int fd, struct kr_buf *b)
{
	_cleanup_free_ char *chunk = kr_malloc(CHUNK);
	for (;;) {
		ssize_t n = read(fd, chunk, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		int r = kr_buf_add(b, chunk, (size_t)n);
		if (r < 0)
			return r;
	}
}

int kr_cmd_symbolize(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("symbolize");
	static const struct option opts[] = {
		{ "vmlinux", required_argument, NULL, 'V' },
		{ "module", required_argument, NULL, 'm' },
		{ 0 },
	};
	_cleanup_symbolizer_free_ struct kr_symbolizer *s = kr_symbolizer_new();
	int c;
	while ((c = kr_cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c == 'V')
			kr_symbolizer_set_vmlinux(s, optarg);
		else if (c == 'm')
			kr_symbolizer_add_module(s, optarg);
	}
	if (optind >= argc)
		return kr_cli_usage_error(self, "no log given (use - for standard input)");
	if (optind + 1 < argc)
		return kr_cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
	if (!kr_symbolizer_has_files(s))
		return kr_cli_usage_error(self, "no --vmlinux or --module given");
	const char *path = argv[optind];

	_cleanup_close_ int fd = -1;
	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			kr_error("%s: %s", path, strerror(errno));
			return KR_EXIT_USAGE;
		}
	}
	struct kr_buf in = KR_BUF_INIT(LOG_MAX);
	int r = read_all(fd >= 0 ? fd : STDIN_FILENO, &in);
	if (r < 0) {
		kr_buf_free(&in);
		kr_error("%s: %s", fd >= 0 ? path : "standard input",
			 r == -E2BIG ? "larger than 1 GiB" : strerror(-r));
		return KR_EXIT_USAGE;
	}
	_cleanup_free_ char *out = NULL;
	size_t out_len = 0;
	kr_symbolizer_text(s, in.data ? in.data : "", in.len, NULL, &out, &out_len, NULL);
	kr_buf_free(&in);
	_cleanup_strv_free_ char **warnings = kr_symbolizer_take_warnings(s);
	for (size_t i = 0; warnings && warnings[i]; i++)
		kr_warning("%s", warnings[i]);
	if (fwrite(out, 1, out_len, stdout) != out_len || fflush(stdout) != 0) {
		kr_error("writing the result: %s", strerror(errno));
		return KR_EXIT_ENVIRONMENT;
	}
	return KR_EXIT_OK;
}
