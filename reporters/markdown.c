/* SPDX-License-Identifier: MIT */
#include "markdown.h"

#include <math.h>
#include <string.h>

#include "baseline.h"
#include "describe.h"
#include "text.h"

/* Per-cell and per-section limits keep one scenario from eating the page. */
#define TITLE_MAX 200
#define REASON_MAX 300
#define DETAIL_REPORT_HEAD 3072
#define DETAIL_REPORT_TAIL 1024
#define DETAIL_RUNS_MAX 20
/* Kept free for the note that says what was left out. */
#define NOTE_RESERVE 512

/* Inline text: visible, one line, cut to max bytes, with every character
 * that Markdown or HTML could act on escaped. */
static void add_inline(struct kr_buf *b, const char *s, size_t max)
{
	if (!s)
		return;
	_cleanup_free_ char *cut = kr_text_truncate(s, max);
	_cleanup_free_ char *v = kr_text_visible(cut, strlen(cut), KR_TEXT_ONE_LINE);
	for (const char *p = v; *p; p++) {
		if (strchr("\\`*_{}[]<>()#+!|~@&:", *p))
			kr_buf_addc(b, '\\');
		kr_buf_addc(b, *p);
	}
}

static void add_duration(struct kr_buf *b, double s)
{
	if (!(s >= 0) || !isfinite(s))
		s = 0;
	if (s < 60)
		kr_buf_printf(b, "%.1f s", s);
	else if (s < 3600)
		kr_buf_printf(b, "%d min %d s", (int)s / 60, (int)s % 60);
	else
		kr_buf_printf(b, "%d h %d min", (int)s / 3600, (int)s % 3600 / 60);
}

static const char *mark(enum kr_outcome o)
{
	switch (o) {
	case KR_OUTCOME_MET:
		return "\u2705"; /* white heavy check mark */
	case KR_OUTCOME_FAILED:
		return "\u274c"; /* cross mark */
	case KR_OUTCOME_INCONCLUSIVE:
		return "\u26a0\ufe0f"; /* warning sign */
	case KR_OUTCOME_SKIPPED:
		return "\u23ed\ufe0f"; /* next track: skipped */
	}
	return "";
}

struct ctx {
	const struct kr_results *r;
	struct kr_markdown_options o;
	char *md_dir;
};

/* A link (or a plain path) to a run's artifact, labelled label. */
static void add_artifact(struct kr_buf *b, const struct ctx *c, const struct kr_run_result *run,
			 const char *file, const char *label)
{
	_cleanup_free_ char *abs = kr_describe_artifact(c->r, run, file);
	if (!abs)
		return;
	_cleanup_free_ char *inside = kr_path_relative(c->r->out_dir, abs);
	_cleanup_free_ char *target = c->o.link_base ? kr_asprintf("%s/%s", c->o.link_base, inside) :
				      kr_path_relative(c->md_dir, abs);
	if (c->o.plain_paths) {
		kr_buf_adds(b, label);
		kr_buf_adds(b, ": ");
		add_inline(b, inside, 512);
		return;
	}
	/* Link destinations in <...> may hold anything but <, > and line
	 * ends, which kradar's paths do not; visible form keeps it so. */
	_cleanup_free_ char *dest = kr_text_visible(target, strlen(target), KR_TEXT_ONE_LINE);
	kr_buf_printf(b, "[%s](<", label);
	for (const char *p = dest; *p; p++)
		if (*p == '<' || *p == '>')
			kr_buf_printf(b, "%%%02X", (unsigned char)*p);
		else
			kr_buf_addc(b, *p);
	kr_buf_adds(b, ">)");
}

static void add_row(struct kr_buf *b, const struct ctx *c, size_t i)
{
	const struct kr_scenario_result *sr = c->r->scenarios[i];
	_cleanup_free_ char *name = kr_describe_name(c->r, i);
	kr_buf_printf(b, "| %s | ", mark(sr->outcome));
	add_inline(b, name, 256);
	if (sr->extid) {
		kr_buf_adds(b, " ([syzbot](https://syzkaller.appspot.com/bug?extid=");
		add_inline(b, sr->extid, 64);
		kr_buf_adds(b, "))");
	}
	kr_buf_printf(b, " | %s | %s | %zu/%d | ", kr_expect_verdict_to_string(sr->expected),
		      kr_verdict_to_string(sr->verdict), sr->n_runs, sr->runs_planned);
	_cleanup_free_ char *rate = kr_describe_rate(sr);
	add_inline(b, rate, 64);
	kr_buf_adds(b, " | ");
	_cleanup_strv_free_ char **titles = kr_describe_titles(sr);
	if (titles[0]) {
		add_inline(b, titles[0], TITLE_MAX);
		size_t more = kr_strv_len(titles) - 1;
		if (more)
			kr_buf_printf(b, " (and %zu other title%s)", more, more == 1 ? "" : "s");
	} else if (sr->outcome != KR_OUTCOME_MET && sr->reason) {
		add_inline(b, sr->reason, REASON_MAX);
	} else {
		kr_buf_adds(b, "\u2014"); /* em dash: none */
	}
	kr_buf_adds(b, " | ");
	const struct kr_run_result *main = kr_describe_main_run(sr);
	if (main) {
		size_t before = b->len;
		add_artifact(b, c, main, main->console_log, "console");
		if (main->report) {
			if (b->len > before)
				kr_buf_adds(b, " \u00b7 ");
			add_artifact(b, c, main, main->report, "report");
		}
	}
	kr_buf_adds(b, " |\n");
}

/* A fenced code block that no backtick run in text can close. */
static void add_code_block(struct kr_buf *b, const char *text)
{
	size_t longest = 0, run = 0;
	for (const char *p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t fence = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < fence; i++)
		kr_buf_addc(b, '`');
	kr_buf_adds(b, "text\n");
	kr_buf_adds(b, text);
	if (*text && text[strlen(text) - 1] != '\n')
		kr_buf_addc(b, '\n');
	for (size_t i = 0; i < fence; i++)
		kr_buf_addc(b, '`');
	kr_buf_addc(b, '\n');
}

static void add_details(struct kr_buf *b, const struct ctx *c, size_t i)
{
	const struct kr_scenario_result *sr = c->r->scenarios[i];
	_cleanup_free_ char *name = kr_describe_name(c->r, i);
	_cleanup_free_ char *verdict = kr_describe_verdict(sr);
	kr_buf_printf(b, "### %s ", mark(sr->outcome));
	add_inline(b, name, 256);
	kr_buf_adds(b, "\n\n");
	add_inline(b, verdict, 256);
	if (sr->reason) {
		kr_buf_adds(b, ": ");
		add_inline(b, sr->reason, REASON_MAX);
	}
	kr_buf_adds(b, "\n\n");
	for (size_t k = 0; k < sr->n_runs && k < DETAIL_RUNS_MAX; k++) {
		_cleanup_free_ char *line = kr_describe_run(sr, sr->runs[k]);
		kr_buf_adds(b, "- ");
		add_inline(b, line, TITLE_MAX + 100);
		kr_buf_addc(b, '\n');
	}
	if (sr->n_runs > DETAIL_RUNS_MAX)
		kr_buf_printf(b, "- (%zu more runs in results.json)\n", sr->n_runs - DETAIL_RUNS_MAX);
	const struct kr_run_result *main = kr_describe_main_run(sr);
	_cleanup_free_ char *path = main ? kr_describe_artifact(c->r, main, main->report) : NULL;
	_cleanup_free_ char *report = NULL;
	if (path && kr_text_file_excerpt(path, DETAIL_REPORT_HEAD, DETAIL_REPORT_TAIL, &report) == 0) {
		kr_buf_printf(b, "\n<details><summary>crash report of run %d</summary>\n\n",
			      main->index);
		add_code_block(b, report);
		kr_buf_adds(b, "\n</details>\n");
	}
	kr_buf_addc(b, '\n');
}

/* Regressions and new fixes against the baseline, each in a line of its
 * own above the table (at most BASELINE_NAMES names each). */
#define BASELINE_NAMES 50
static void add_baseline(struct kr_buf *b, const struct ctx *c)
{
	const struct kr_results *r = c->r;
	int n[KR_CHANGE_NOT_COMPARABLE + 1];
	kr_baseline_count(r, n);
	kr_buf_adds(b, "Compared with the baseline ");
	add_inline(b, r->baseline_file, 256);
	kr_buf_printf(b, ": %d regression%s, %d new fix%s, %d unchanged, %d changed, %d new, %d "
			 "not comparable\n\n",
		      n[KR_CHANGE_REGRESSION], n[KR_CHANGE_REGRESSION] == 1 ? "" : "s",
		      n[KR_CHANGE_NEW_FIX], n[KR_CHANGE_NEW_FIX] == 1 ? "" : "es",
		      n[KR_CHANGE_UNCHANGED], n[KR_CHANGE_CHANGED], n[KR_CHANGE_NEW],
		      n[KR_CHANGE_NOT_COMPARABLE]);
	static const struct {
		enum kr_change change;
		const char *head;
	} lists[] = {
		{ KR_CHANGE_REGRESSION, "**Regressions** (clean or fixed before, reproduced now)" },
		{ KR_CHANGE_NEW_FIX, "**New fixes** (reproduced before, clean or fixed now)" },
	};
	for (size_t l = 0; l < KR_ARRAY_SIZE(lists); l++) {
		if (!n[lists[l].change])
			continue;
		kr_buf_printf(b, "%s: ", lists[l].head);
		int shown = 0;
		for (size_t i = 0; i < r->n_scenarios && shown < BASELINE_NAMES; i++) {
			const struct kr_scenario_result *sr = r->scenarios[i];
			if (sr->baseline.change != lists[l].change)
				continue;
			_cleanup_free_ char *name = kr_describe_name(r, i);
			kr_buf_adds(b, shown++ ? ", " : "");
			add_inline(b, name, 256);
			kr_buf_printf(b, " (was %s)", kr_verdict_to_string(sr->baseline.verdict));
		}
		if (n[lists[l].change] > shown)
			kr_buf_printf(b, " and %d more", n[lists[l].change] - shown);
		kr_buf_adds(b, "\n\n");
	}
}

/* Appends piece when it fits with room left for the closing note. */
static bool add_if_fits(struct kr_buf *b, struct kr_buf *piece, size_t max)
{
	bool fits = b->len + piece->len + NOTE_RESERVE <= max;
	if (fits)
		kr_buf_add(b, piece->data, piece->len);
	kr_buf_reset(piece);
	return fits;
}

char *kr_markdown_render(const struct kr_results *r, const struct kr_markdown_options *opts)
{
	struct ctx c = { .r = r, .o = opts ? *opts : (struct kr_markdown_options){ 0 } };
	if (!c.o.max_bytes)
		c.o.max_bytes = KR_MARKDOWN_MAX;
	if (c.o.max_bytes < 4096)
		c.o.max_bytes = 4096;
	c.md_dir = kr_strdup(c.o.md_dir ? c.o.md_dir : r->out_dir);
	size_t max = c.o.max_bytes;

	int n[KR_OUTCOME_SKIPPED + 1] = { 0 };
	size_t runs = 0;
	for (size_t i = 0; i < r->n_scenarios; i++) {
		n[r->scenarios[i]->outcome]++;
		runs += r->scenarios[i]->n_runs;
	}
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	kr_buf_adds(&b, "## kradar: ");
	const char *sep = "";
	static const enum kr_outcome order[] = { KR_OUTCOME_FAILED, KR_OUTCOME_INCONCLUSIVE,
						 KR_OUTCOME_MET, KR_OUTCOME_SKIPPED };
	for (size_t k = 0; k < KR_ARRAY_SIZE(order); k++) {
		if (!n[order[k]])
			continue;
		kr_buf_printf(&b, "%s%d %s", sep, n[order[k]], kr_outcome_to_string(order[k]));
		sep = ", ";
	}
	if (!r->n_scenarios)
		kr_buf_adds(&b, "no scenarios");
	kr_buf_printf(&b, "\n\n%zu scenario%s, %zu run%s in ", r->n_scenarios,
		      r->n_scenarios == 1 ? "" : "s", runs, runs == 1 ? "" : "s");
	add_duration(&b, r->duration_s);
	kr_buf_adds(&b, " \u00b7 kradar ");
	add_inline(&b, r->kradar_version ? r->kradar_version : KRADAR_VERSION, 64);
	if (r->interrupted)
		kr_buf_adds(&b, " \u00b7 **interrupted**: the results hold what was done");
	if (c.o.run_url) {
		_cleanup_free_ char *url = kr_text_visible(c.o.run_url, strlen(c.o.run_url),
							   KR_TEXT_ONE_LINE);
		kr_buf_adds(&b, " \u00b7 [artifacts](<");
		for (const char *p = url; *p; p++)
			if (*p != '<' && *p != '>')
				kr_buf_addc(&b, *p);
		kr_buf_adds(&b, ">)");
	}
	kr_buf_adds(&b, "\n\n");
	if (r->baseline_file)
		add_baseline(&b, &c);

	struct kr_buf piece = KR_BUF_INIT(SIZE_MAX / 2);
	size_t shown = 0;
	if (r->n_scenarios) {
		kr_buf_adds(&b, "| | scenario | expected | verdict | runs | rate (95% CI) | "
				"title | artifacts |\n"
				"| :-: | --- | --- | --- | --: | --- | --- | --- |\n");
		for (; shown < r->n_scenarios; shown++) {
			add_row(&piece, &c, shown);
			if (!add_if_fits(&b, &piece, max))
				break;
		}
		if (shown < r->n_scenarios)
			kr_buf_printf(&b, "\n**%zu more scenario%s not shown** (the summary is "
					  "limited to %zu bytes): see results.json and junit.xml.\n",
				      r->n_scenarios - shown, r->n_scenarios - shown == 1 ? "" : "s",
				      max);
		kr_buf_addc(&b, '\n');
	}
	size_t left_out = 0;
	for (size_t i = 0; i < r->n_scenarios; i++) {
		const struct kr_scenario_result *sr = r->scenarios[i];
		if (sr->outcome != KR_OUTCOME_FAILED && sr->outcome != KR_OUTCOME_INCONCLUSIVE)
			continue;
		if (left_out) {
			left_out++;
			continue;
		}
		add_details(&piece, &c, i);
		if (!add_if_fits(&b, &piece, max))
			left_out++;
	}
	if (left_out)
		kr_buf_printf(&b, "**Details of %zu more scenario%s not shown** (size limit): see "
				  "junit.xml.\n",
			      left_out, left_out == 1 ? "" : "s");
	kr_buf_free(&piece);
	free(c.md_dir);
	return kr_buf_steal(&b);
}
