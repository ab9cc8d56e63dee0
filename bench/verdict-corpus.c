/* SPDX-License-Identifier: MIT */
/* How the verdict's frame rule (verdict.h) does on a corpus of annotated
 * console logs (run on demand, not a test):
 *
 *   verdict-corpus [--show N] [CORPUS_DIR]
 *
 * CORPUS_DIR (default $KRADAR_CORPUS, else
 * $KRADAR_SOURCE_ROOT/../shared/corpus/syzkaller-report) holds files of
 * header lines (TITLE:, ALT:, ...), a blank line and a console log, which
 * may be followed by a blank line, "REPORT:" and the expected report. For
 * each file with a TITLE whose log kradar finds a crash in, the first crash
 * is judged against a scenario expecting that TITLE: matched by its title
 * (exact), by the frame rule only, or not at all. Then every crash is
 * judged against every other file's TITLE of the same kind that names
 * another function: a frame-rule match there is a cross match, a
 * different bug taken for the expected one unless the two files are of
 * one bug. Prints the counts and the first N cases of each kind (default
 * 10). Exit 77 when the corpus is missing. */
#include <dirent.h>
#include <getopt.h>
#include <string.h>

#include "scenario.h"
#include "signature.h"
#include "util.h"
#include "verdict.h"

struct entry {
	char *name;
	char *title; /* TITLE: */
	char *crash_title;
	char **alt_titles;
	char *frame;
	char *report;
	size_t report_len;
};

/* The header's TITLE and the log of a corpus file. */
static bool parse(const char *text, size_t len, char **title, const char **log, size_t *log_len)
{
	*title = NULL;
	const char *p = text, *end = text + len;
	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > 7 && !memcmp(p, "TITLE: ", 7)) {
			free(*title);
			*title = kr_strndup(p + 7, (size_t)(le - p - 7));
		}
		p = nl ? nl + 1 : end;
	}
	if (p < end)
		p++;
	*log = p;
	const char *rep = memmem(p, (size_t)(end - p), "\n\nREPORT:\n", 10);
	*log_len = rep ? (size_t)(rep - p) + 1 : (size_t)(end - p);
	return *title != NULL;
}

static bool load(const char *dir, const char *name, struct entry *e)
{
	_cleanup_free_ char *path = kr_path_join(dir, name);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (kr_read_file(path, 64 << 20, &text, &len) < 0)
		return false;
	/* logs keep CR LF; the scanner takes them as they are */
	const char *log;
	size_t log_len;
	_cleanup_free_ char *title = NULL;
	if (!parse(text, len, &title, &log, &log_len))
		return false;
	_cleanup_(kr_scanner_freep) struct kr_scanner *sc = kr_scanner_new();
	kr_scanner_feed(sc, log, log_len);
	kr_scanner_finish(sc);
	if (!kr_scanner_n_crashes(sc))
		return false;
	const struct kr_crash *c = kr_scanner_crash(sc, 0);
	*e = (struct entry){ .name = kr_strdup(name),
			     .title = KR_TAKE_PTR(title),
			     .crash_title = kr_strdup(c->title),
			     .alt_titles = kr_strv_copy(c->alt_titles),
			     .frame = c->frame ? kr_strdup(c->frame) : NULL,
			     .report = kr_malloc(c->report_len + 1),
			     .report_len = c->report_len };
	memcpy(e->report, c->report, c->report_len);
	e->report[c->report_len] = '\0';
	return true;
}

static struct kr_run_facts facts(const struct entry *e)
{
	return (struct kr_run_facts){ .title = e->crash_title, .alt_titles = e->alt_titles,
				      .frame = e->frame, .report = e->report,
				      .report_len = e->report_len };
}

/* "KIND in FUNC" split at its last " in "; false when there is none. */
static bool kind_func(const char *title, size_t *kind_len, const char **func)
{
	const char *in = NULL;
	for (const char *p = title; (p = strstr(p, " in ")); p++)
		in = p;
	if (!in)
		return false;
	*kind_len = (size_t)(in - title);
	*func = in + 4;
	return true;
}

int main(int argc, char **argv)
{
	int show = 10;
	static const struct option opts[] = { { "show", required_argument, NULL, 's' },
					      { NULL, 0, NULL, 0 } };
	for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		if (c != 's') {
			fprintf(stderr, "usage: verdict-corpus [--show N] [CORPUS_DIR]\n");
			return 2;
		}
		show = atoi(optarg);
	}
	_cleanup_free_ char *dir = NULL;
	if (optind < argc)
		dir = kr_strdup(argv[optind]);
	else if (getenv("KRADAR_CORPUS"))
		dir = kr_strdup(getenv("KRADAR_CORPUS"));
	else
		dir = kr_asprintf("%s/../shared/corpus/syzkaller-report",
				  getenv("KRADAR_SOURCE_ROOT") ? getenv("KRADAR_SOURCE_ROOT") : ".");
	DIR *d = opendir(dir);
	if (!d) {
		printf("SKIP: no corpus at %s (give CORPUS_DIR or set KRADAR_CORPUS)\n", dir);
		return 77;
	}
	struct entry *es = NULL;
	size_t n = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		es = kr_realloc(es, (n + 1) * sizeof(*es));
		if (load(dir, de->d_name, &es[n]))
			n++;
	}
	closedir(d);

	size_t exact = 0, frame = 0, none = 0, shown_frame = 0, shown_none = 0;
	for (size_t i = 0; i < n; i++) {
		char *titles[] = { es[i].title, NULL };
		struct kr_scenario s = { 0 };
		s.expect.titles = titles;
		struct kr_run_facts f = facts(&es[i]);
		struct kr_title_match m;
		bool ok = kr_crash_expected(&s, &f, &m);
		if (ok && m.rule == KR_MATCH_EXACT) {
			exact++;
		} else if (ok) {
			frame++;
			if (shown_frame++ < (size_t)show)
				printf("frame: %s: \"%s\" for \"%s\" through %s at depth %d\n",
				       es[i].name, es[i].crash_title, es[i].title, m.frame, m.depth);
		} else {
			none++;
			if (shown_none++ < (size_t)show)
				printf("none: %s: \"%s\" for \"%s\"\n", es[i].name, es[i].crash_title,
				       es[i].title);
		}
		kr_title_match_clear(&m);
	}

	size_t pairs = 0, cross = 0, shown_cross = 0;
	for (size_t i = 0; i < n; i++) {
		size_t ki;
		const char *fi;
		if (!kind_func(es[i].title, &ki, &fi))
			continue;
		struct kr_run_facts f = facts(&es[i]);
		for (size_t j = 0; j < n; j++) {
			size_t kj;
			const char *fj;
			if (j == i || !kind_func(es[j].title, &kj, &fj) || kj != ki ||
			    memcmp(es[i].title, es[j].title, ki) || !strcmp(fi, fj) ||
			    !strcmp(fj, "corrupted"))
				continue;
			char *titles[] = { es[j].title, NULL };
			struct kr_scenario s = { 0 };
			s.expect.titles = titles;
			s.expect.match = KR_EXPECT_MATCH_FRAME;
			struct kr_title_match m;
			pairs++;
			if (kr_crash_expected(&s, &f, &m) && m.rule == KR_MATCH_FRAME) {
				cross++;
				if (shown_cross++ < (size_t)show)
					printf("cross: %s (\"%s\") taken for \"%s\" (%s) through %s "
					       "at depth %d\n",
					       es[i].name, es[i].title, es[j].title, es[j].name,
					       m.frame, m.depth);
			}
			kr_title_match_clear(&m);
		}
	}
	printf("%zu files with a title and a crash: %zu exact, %zu by the frame rule only, "
	       "%zu neither\n",
	       n, exact, frame, none);
	printf("%zu pairs of one kind and two functions: %zu cross matches (%.2f%%)\n", pairs,
	       cross, pairs ? 100.0 * (double)cross / (double)pairs : 0.0);
	for (size_t i = 0; i < n; i++) {
		free(es[i].name);
		free(es[i].title);
		free(es[i].crash_title);
		kr_strv_free(es[i].alt_titles);
		free(es[i].frame);
		free(es[i].report);
	}
	free(es);
	return 0;
}
