/* SPDX-License-Identifier: MIT */
/* kradar classify [--json] [--explain] LOG|- */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json-writer.h"
#include "log.h"
#include "signature.h"

#define CHUNK (1024 * 1024)

static struct kr_json *crash_json(const struct kr_crash *c)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "title", kr_json_string(c->title));
	kr_json_set(o, "alt_titles", kr_json_strv(c->alt_titles));
	kr_json_set(o, "type", kr_json_string(c->type));
	kr_json_set(o, "frame", kr_json_string(c->frame));
	kr_json_set(o, "frames", kr_json_strv(c->frames));
	kr_json_set(o, "corrupted", kr_json_bool(c->corrupted));
	kr_json_set(o, "suppressed", kr_json_bool(c->suppressed));
	kr_json_set(o, "is_stall", kr_json_bool(c->is_stall));
	kr_json_set(o, "start", kr_json_int((long long)c->start));
	kr_json_set(o, "end", kr_json_int((long long)c->end));
	kr_json_set(o, "report", kr_json_string_len(c->report, c->report_len));
	if (c->explain)
		kr_json_set(o, "explain", kr_json_string(c->explain));
	return o;
}

static struct kr_json *starvation_json(const struct kr_starvation *st)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "kind", kr_json_string(st->kind));
	kr_json_set(o, "value", kr_json_real(st->value));
	kr_json_set(o, "unit", kr_json_string(st->unit));
	kr_json_set(o, "line", kr_json_string(st->line));
	kr_json_set(o, "offset", kr_json_int((long long)st->offset));
	return o;
}

static int print_json(const struct kr_scanner *s)
{
	_cleanup_(kr_json_freep) struct kr_json *o = kr_json_object();
	size_t n = kr_scanner_n_crashes(s);
	const struct kr_crash *first = n ? kr_scanner_crash(s, 0) : NULL;
	kr_json_set(o, "crashed", kr_json_bool(first != NULL));
	kr_json_set(o, "title", kr_json_string(first ? first->title : NULL));
	kr_json_set(o, "alt_titles", kr_json_strv(first ? first->alt_titles : NULL));
	kr_json_set(o, "type", kr_json_string(first ? first->type : NULL));
	kr_json_set(o, "frame", kr_json_string(first ? first->frame : NULL));
	kr_json_set(o, "corrupted", kr_json_bool(first && first->corrupted));
	kr_json_set(o, "suppressed", kr_json_bool(first && first->suppressed));
	kr_json_set(o, "is_stall", kr_json_bool(first && first->is_stall));
	struct kr_json *reports = kr_json_array();
	for (size_t i = 0; i < n; i++)
		kr_json_append(reports, crash_json(kr_scanner_crash(s, i)));
	kr_json_set(o, "reports", reports);
	kr_json_set(o, "reports_dropped", kr_json_int((long long)kr_scanner_n_dropped(s)));
	struct kr_json *starv = kr_json_array();
	for (size_t i = 0; i < kr_scanner_n_starvation(s); i++)
		kr_json_append(starv, starvation_json(kr_scanner_starvation(s, i)));
	kr_json_set(o, "starvation", starv);
	_cleanup_free_ char *text = kr_json_dump(o, false);
	fputs(text, stdout);
	return 0;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_summary(const struct kr_scanner *s)
{
	size_t n = kr_scanner_n_crashes(s);
	if (!n)
		printf("no crash\n");
	for (size_t i = 0; i < n; i++) {
		const struct kr_crash *c = kr_scanner_crash(s, i);
		printf("%s: %s\n", i ? "then" : "crash", c->title);
		printf("  type %s, frame %s, corrupted %s, suppressed %s, stall %s, bytes %zu-%zu\n",
		       c->type, c->frame ? c->frame : "-", yes_no(c->corrupted), yes_no(c->suppressed),
		       yes_no(c->is_stall), c->start, c->end);
		for (size_t k = 0; c->alt_titles[k]; k++)
			printf("  also: %s\n", c->alt_titles[k]);
		/* --explain: how the frame was chosen, one indented line each */
		for (const char *p = c->explain; p && *p;) {
			size_t len = strcspn(p, "\n");
			printf("  explain: %.*s\n", (int)len, p);
			p += len + (p[len] == '\n');
		}
	}
	if (kr_scanner_n_dropped(s))
		printf("(%zu more reports not kept)\n", kr_scanner_n_dropped(s));
	for (size_t i = 0; i < kr_scanner_n_starvation(s); i++) {
		const struct kr_starvation *st = kr_scanner_starvation(s, i);
		printf("starvation: %s %.15g%s%s at byte %zu\n", st->kind, st->value, *st->unit ? " " : "",
		       st->unit, st->offset);
	}
}

int kr_cmd_classify(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("classify");
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "explain", no_argument, NULL, 'e' },
		{ 0 },
	};
	bool json = false, explain = false;
	int c;
	while ((c = kr_cli_getopt(self, argc, argv, "e", opts)) != -1) {
		if (c == 'J')
			json = true;
		else if (c == 'e')
			explain = true;
	}
	if (optind >= argc)
		return kr_cli_usage_error(self, "no log given (use - for standard input)");
	if (optind + 1 < argc)
		return kr_cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
	const char *path = argv[optind];

	_cleanup_close_ int fd = -1;
	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			kr_error("%s: %s", path, strerror(errno));
			return KR_EXIT_USAGE;
		}
	}
	int in = fd >= 0 ? fd : STDIN_FILENO;
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = kr_scanner_new();
	if (explain)
		kr_scanner_explain(s);
	_cleanup_free_ char *buf = kr_malloc(CHUNK);
	for (;;) {
		ssize_t n = read(in, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kr_error("%s: %s", fd >= 0 ? path : "standard input", strerror(errno));
			return KR_EXIT_USAGE;
		}
		if (n == 0)
			break;
		kr_scanner_feed(s, buf, (size_t)n);
	}
	kr_scanner_finish(s);
	if (json)
		print_json(s);
	else
		print_summary(s);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		kr_error("writing the result: %s", strerror(errno));
		return KR_EXIT_ENVIRONMENT;
	}
	return KR_EXIT_OK;
}
