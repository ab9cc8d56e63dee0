/* SPDX-License-Identifier: MIT */
#include "junit.h"

#include <libxml/tree.h>
#include <string.h>
#include <time.h>

#include "describe.h"
#include "text.h"

#define X(s) ((const xmlChar *)(s))

static void free_doc(xmlDocPtr *d)
{
	if (*d)
		xmlFreeDoc(*d);
}

/* An attribute, in visible one-line form. */
static void attr(xmlNodePtr n, const char *name, const char *value)
{
	_cleanup_free_ char *v = kr_text_visible(value, strlen(value), KR_TEXT_ONE_LINE);
	xmlNewProp(n, X(name), X(v));
}

static void attrf(xmlNodePtr n, const char *name, const char *fmt, ...) KR_PRINTF(3, 4);
static void attrf(xmlNodePtr n, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *v = kr_vasprintf(fmt, ap);
	va_end(ap);
	attr(n, name, v);
}

static void attr_seconds(xmlNodePtr n, double s)
{
	char buf[32];
	attr(n, "time", kr_describe_seconds(s, buf, sizeof(buf)));
}

/* An element with text content; text must already be visible (text.h). */
static xmlNodePtr text_child(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, X(name), X(text));
}

static void property(xmlNodePtr props, const char *prefix, const char *name, const char *value)
{
	if (!value)
		return;
	xmlNodePtr p = xmlNewChild(props, NULL, X("property"), NULL);
	_cleanup_free_ char *full = prefix ? kr_asprintf("%s.%s", prefix, name) : kr_strdup(name);
	attr(p, "name", full);
	attr(p, "value", value);
}

static void properties_of(xmlNodePtr props, const char *test, const struct kr_scenario_result *sr)
{
	property(props, test, "extid", sr->extid);
	property(props, test, "expected", kr_expect_verdict_to_string(sr->expected));
	for (size_t i = 0; sr->expected_titles[i]; i++)
		property(props, test, "expected_title", sr->expected_titles[i]);
	property(props, test, "expected_title_regex", sr->expected_title_regex);
	_cleanup_strv_free_ char **titles = kr_describe_titles(sr);
	for (size_t i = 0; titles[i]; i++)
		property(props, test, "found_title", titles[i]);
	property(props, test, "verdict", kr_verdict_to_string(sr->verdict));
	property(props, test, "outcome", kr_outcome_to_string(sr->outcome));
	_cleanup_free_ char *rate = kr_describe_rate(sr);
	property(props, test, "reproduction_rate", rate);
	_cleanup_free_ char *runs = kr_asprintf("%zu", sr->n_runs);
	property(props, test, "runs", runs);
	_cleanup_free_ char *planned = kr_asprintf("%d", sr->runs_planned);
	property(props, test, "runs_planned", planned);
	_cleanup_free_ char *accels = kr_describe_accels(sr);
	property(props, test, "accelerator", accels);
	property(props, test, "kernel_label", sr->kernel.label);
	property(props, test, "kernel_image", sr->kernel.image);
	property(props, test, "kernel_sha256", sr->kernel.sha256);
	property(props, test, "kernel_source", sr->kernel.source);
	property(props, test, "kernel_tree", sr->kernel.tree);
	property(props, test, "kernel_commit", sr->kernel.commit);
	property(props, test, "kernel_config_sha256", sr->kernel.config_sha256);
	property(props, test, "qemu_version", sr->qemu_version);
	property(props, test, "disk_image", sr->disk);
	property(props, test, "disk_sha256", sr->disk_sha256);
	property(props, test, "scenario_file", sr->file);
	property(props, test, "cell_scenario", sr->cell.scenario);
	property(props, test, "cell_vm", sr->cell.vm);
	if (sr->baseline.change != KR_CHANGE_NONE) {
		property(props, test, "baseline_change", kr_change_to_string(sr->baseline.change));
		if (sr->baseline.change != KR_CHANGE_NEW)
			property(props, test, "baseline_verdict",
				 kr_verdict_to_string(sr->baseline.verdict));
	}
}

/* The body of a failure or error: the verdict, each run, evidence, and
 * the crash report of the main run. */
static char *problem_text(const struct kr_results *r, const struct kr_scenario_result *sr,
			  size_t report_max)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	_cleanup_free_ char *verdict = kr_describe_verdict(sr);
	kr_buf_printf(&b, "%s\n", verdict);
	if (sr->reason)
		kr_buf_printf(&b, "%s\n", sr->reason);
	kr_buf_adds(&b, "\n");
	for (size_t i = 0; i < sr->n_runs; i++) {
		const struct kr_run_result *run = sr->runs[i];
		_cleanup_free_ char *line = kr_describe_run(sr, run);
		kr_buf_printf(&b, "%s\n", line);
		if (run->title && run->reason && run->verdict != KR_VERDICT_INFRA_ERROR)
			kr_buf_printf(&b, "  %s\n", run->reason);
		for (size_t k = 0; run->evidence[k]; k++)
			kr_buf_printf(&b, "  evidence: %s\n", run->evidence[k]);
	}
	const struct kr_run_result *main = kr_describe_main_run(sr);
	_cleanup_free_ char *path = main ? kr_describe_artifact(r, main, main->report) : NULL;
	_cleanup_free_ char *report = NULL;
	if (path && kr_text_file_excerpt(path, report_max * 7 / 8, report_max / 8, &report) == 0)
		kr_buf_printf(&b, "\n%s of run %d:\n%s", main->report, main->index, report);
	/* Everything but the report came from the results: make it all
	 * visible once (the report already is, and stays so). */
	_cleanup_free_ char *raw = kr_buf_steal(&b);
	return kr_text_visible(raw, strlen(raw), 0);
}


static char *attachment_line(const char *path, const char *base)
{
	const char *shown = path;
	size_t n = base ? strlen(base) : 0;
	while (n > 1 && base[n - 1] == '/')
		n--;
	if (n && !strncmp(path, base, n) && path[n] == '/')
		shown = path + n + 1;
	_cleanup_free_ char *v = kr_text_visible(shown, strlen(shown), KR_TEXT_ONE_LINE);
	return kr_asprintf("[[ATTACHMENT|%s]]\n", v);
}

static char *attachment(const struct kr_results *r, const struct kr_run_result *run,
			const char *base)
{
	_cleanup_free_ char *path = kr_describe_artifact(r, run, run->console_log);
	return path ? attachment_line(path, base) : NULL;
}

/* The run whose console stands for the scenario: the main run, else (an
 * inconclusive main run that never had a console, QEMU did not start) the
 * first run that has one. NULL: no run has a console. */
static const struct kr_run_result *console_run(const struct kr_scenario_result *sr)
{
	const struct kr_run_result *main = kr_describe_main_run(sr);
	if (main && main->console_log)
		return main;
	for (size_t i = 0; i < sr->n_runs; i++)
		if (sr->runs[i]->console_log)
			return sr->runs[i];
	return NULL;
}

/* The scenario's facts, a line each, where a reader of one test case sees
 * them (the Jenkins schema allows no properties on a test case). */
static void facts(struct kr_buf *out, const struct kr_scenario_result *sr)
{
	struct kr_buf raw = KR_BUF_INIT(SIZE_MAX), *b = &raw;
	const struct kr_kernel_identity *k = &sr->kernel;
	if (k->label || k->image)
		kr_buf_printf(b, "kernel: %s%s%s%s%.12s%s\n", k->label ? k->label : "",
			      k->label && k->image ? " " : "", k->image ? k->image : "",
			      k->sha256 ? " (sha256 " : "", k->sha256 ? k->sha256 : "",
			      k->sha256 ? ")" : "");
	_cleanup_free_ char *accels = kr_describe_accels(sr);
	if (accels && *accels)
		kr_buf_printf(b, "accelerator: %s\n", accels);
	kr_buf_printf(b, "runs: %zu of %d\n", sr->n_runs, sr->runs_planned);
	_cleanup_free_ char *rate = kr_describe_rate(sr);
	if (rate)
		kr_buf_printf(b, "reproduction rate: %s\n", rate);
	if (sr->qemu_version)
		kr_buf_printf(b, "qemu: %s\n", sr->qemu_version);
	kr_buf_adds(b, "\n");
	/* from the results: made visible as guest text is */
	_cleanup_free_ char *visible = kr_text_visible(raw.data, raw.len, 0);
	kr_buf_free(&raw);
	kr_buf_adds(out, visible);
}

/* Attachment lines for every run's console (the one that stands for the
 * scenario first, at most a few), the scenario's facts, then an excerpt of
 * that console. A scenario with no console at all attaches what its main
 * run left (QEMU's command line, the SSH and reproducer logs) and says why
 * there is no console. NULL: nothing ran. */
static char *system_out(const struct kr_results *r, const struct kr_scenario_result *sr,
			const struct kr_junit_options *o)
{
	const struct kr_run_result *main = console_run(sr);
	const struct kr_run_result *any = kr_describe_main_run(sr);
	if (!any || !any->dir)
		return NULL;
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	if (!main) {
		const char *left[] = { any->qemu_cmdline, any->ssh_log, any->repro_log,
				       any->execprog_log };
		for (size_t i = 0; i < KR_ARRAY_SIZE(left); i++) {
			_cleanup_free_ char *path = kr_describe_artifact(r, any, left[i]);
			_cleanup_free_ char *a = path ? attachment_line(path, o->attachment_base) : NULL;
			if (a)
				kr_buf_adds(&b, a);
		}
		facts(&b, sr);
		_cleanup_free_ char *why = kr_asprintf("run %d has no console log: %s\n", any->index,
						       any->reason ? any->reason : "no guest ran");
		_cleanup_free_ char *v = kr_text_visible(why, strlen(why), 0);
		kr_buf_adds(&b, v);
		return kr_buf_steal(&b);
	}
	_cleanup_free_ char *first = attachment(r, main, o->attachment_base);
	kr_buf_adds(&b, first);
	size_t listed = 1;
	for (size_t i = 0; i < sr->n_runs && listed < 20; i++) {
		if (sr->runs[i] == main)
			continue;
		_cleanup_free_ char *a = attachment(r, sr->runs[i], o->attachment_base);
		if (a) {
			kr_buf_adds(&b, a);
			listed++;
		}
	}
	facts(&b, sr);
	_cleanup_free_ char *path = kr_describe_artifact(r, main, main->console_log);
	_cleanup_free_ char *excerpt = NULL;
	int e = kr_text_file_excerpt(path, o->console_head, o->console_tail, &excerpt);
	if (e == 0)
		kr_buf_printf(&b, "%s of run %d:\n%s", main->console_log, main->index, excerpt);
	else
		kr_buf_printf(&b, "%s of run %d cannot be read: %s\n", main->console_log,
			      main->index, strerror(-e));
	return kr_buf_steal(&b);
}

static void testcase(xmlNodePtr suite, const struct kr_results *r, size_t i, const char *test,
		     const struct kr_junit_options *o)
{
	const struct kr_scenario_result *sr = r->scenarios[i];
	xmlNodePtr tc = xmlNewChild(suite, NULL, X("testcase"), NULL);
	attr(tc, "name", test);
	if (sr->extid)
		attrf(tc, "classname", "syzbot.%s", sr->extid);
	else
		attrf(tc, "classname", "kradar.%s", sr->name ? sr->name : "unnamed");
	attr_seconds(tc, sr->duration_s);

	_cleanup_free_ char *verdict = kr_describe_verdict(sr);
	xmlNodePtr p = NULL;
	switch (sr->outcome) {
	case KR_OUTCOME_MET:
		break;
	case KR_OUTCOME_FAILED:
	case KR_OUTCOME_INCONCLUSIVE: {
		_cleanup_free_ char *body = problem_text(r, sr, o->report_max);
		p = text_child(tc, sr->outcome == KR_OUTCOME_FAILED ? "failure" : "error", body);
		attr(p, "type", kr_verdict_to_string(sr->verdict));
		attr(p, "message", verdict);
		break;
	}
	case KR_OUTCOME_SKIPPED:
		p = xmlNewChild(tc, NULL, X("skipped"), NULL);
		attr(p, "message", sr->reason ? sr->reason : verdict);
		break;
	}
	_cleanup_free_ char *out = system_out(r, sr, o);
	if (out)
		text_child(tc, "system-out", out);
}

/* ----- suites: one per scenario directory ----- */

struct suite {
	char *dir;     /* the scenario files' directory ("" when unknown) */
	char *name;
	size_t *members;
	size_t n;
};

static char *dir_of(const struct kr_scenario_result *sr)
{
	return sr->file ? kr_path_dirname(sr->file) : kr_strdup("");
}

/* Length of the longest common leading run of whole path components. */
static size_t common_dir_len(const char *a, const char *b)
{
	size_t i = 0, last = 0;
	while (a[i] && a[i] == b[i]) {
		if (a[i] == '/')
			last = i;
		i++;
	}
	if ((!a[i] || a[i] == '/') && (!b[i] || b[i] == '/'))
		last = i;
	return last;
}

/* Suite names: one directory is named by its last component; several by
 * their paths from the parent they share, starting with its name
 * ("scenarios/net", "scenarios/fs"). */
static void name_suites(struct suite *s, size_t n)
{
	size_t common = strlen(s[0].dir);
	for (size_t i = 1; i < n; i++) {
		size_t c = common_dir_len(s[0].dir, s[i].dir);
		if (c < common)
			common = c;
	}
	for (size_t i = 0; i < n; i++) {
		const char *d = s[i].dir;
		const char *from = d;
		/* Back up to the start of the shared parent's last component. */
		size_t k = n > 1 ? common : strlen(d);
		while (k > 0 && d[k - 1] == '/')
			k--;
		while (k > 0 && d[k - 1] != '/')
			k--;
		from = d + k;
		s[i].name = kr_strdup(*from ? from : "kradar");
	}
}

static size_t group_suites(const struct kr_results *r, struct suite **out)
{
	struct suite *s = NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->n_scenarios; i++) {
		_cleanup_free_ char *d = dir_of(r->scenarios[i]);
		size_t k = 0;
		while (k < n && strcmp(s[k].dir, d))
			k++;
		if (k == n) {
			s = kr_realloc(s, (n + 1) * sizeof(*s));
			s[n++] = (struct suite){ .dir = KR_TAKE_PTR(d) };
		}
		s[k].members = kr_realloc(s[k].members, (s[k].n + 1) * sizeof(size_t));
		s[k].members[s[k].n++] = i;
	}
	if (n)
		name_suites(s, n);
	*out = s;
	return n;
}

static void free_suites(struct suite *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].dir);
		free(s[i].name);
		free(s[i].members);
	}
	free(s);
}

static void iso_time(double t, char *buf, size_t size)
{
	time_t secs = (time_t)t;
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct tally {
	int tests, failures, errors, skipped;
	double time;
};

static void count(struct tally *t, const struct kr_scenario_result *sr)
{
	t->tests++;
	t->failures += sr->outcome == KR_OUTCOME_FAILED;
	t->errors += sr->outcome == KR_OUTCOME_INCONCLUSIVE;
	t->skipped += sr->outcome == KR_OUTCOME_SKIPPED;
	if (sr->duration_s > 0)
		t->time += sr->duration_s;
}

static void suite_node(xmlNodePtr root, const struct kr_results *r, const struct suite *s,
		       size_t id, const struct kr_junit_options *o)
{
	struct tally t = { 0 };
	double start = 0;
	for (size_t k = 0; k < s->n; k++) {
		const struct kr_scenario_result *sr = r->scenarios[s->members[k]];
		count(&t, sr);
		for (size_t i = 0; i < sr->n_runs; i++)
			if (sr->runs[i]->started_at > 0 &&
			    (start == 0 || sr->runs[i]->started_at < start))
				start = sr->runs[i]->started_at;
	}
	if (start == 0)
		start = r->started_at;
	xmlNodePtr suite = xmlNewChild(root, NULL, X("testsuite"), NULL);
	attr(suite, "name", s->name);
	attrf(suite, "tests", "%d", t.tests);
	attrf(suite, "failures", "%d", t.failures);
	attrf(suite, "errors", "%d", t.errors);
	attrf(suite, "skipped", "%d", t.skipped);
	attr_seconds(suite, t.time);
	char ts[64];
	iso_time(start, ts, sizeof(ts));
	attr(suite, "timestamp", ts);
	attrf(suite, "id", "%zu", id);
	if (*s->dir)
		attr(suite, "file", s->dir);

	xmlNodePtr props = xmlNewChild(suite, NULL, X("properties"), NULL);
	property(props, NULL, "kradar_version",
		 r->kradar_version ? r->kradar_version : KRADAR_VERSION);
	if (r->interrupted)
		property(props, NULL, "interrupted", "true");
	char **names = kr_calloc(s->n + 1, sizeof(char *));
	for (size_t k = 0; k < s->n; k++) {
		names[k] = kr_describe_name(r, s->members[k]);
		properties_of(props, names[k], r->scenarios[s->members[k]]);
	}
	for (size_t k = 0; k < s->n; k++)
		testcase(suite, r, s->members[k], names[k], o);
	kr_strv_free(names);
}

int kr_junit_render(const struct kr_results *r, const struct kr_junit_options *opts, char **xml,
		    size_t *len, char **err)
{
	struct kr_junit_options o = opts ? *opts : (struct kr_junit_options){ 0 };
	if (!o.console_head)
		o.console_head = KR_JUNIT_CONSOLE_HEAD;
	if (!o.console_tail)
		o.console_tail = KR_JUNIT_CONSOLE_TAIL;
	if (!o.report_max)
		o.report_max = KR_JUNIT_REPORT_MAX;

	_cleanup_(free_doc) xmlDocPtr doc = xmlNewDoc(X("1.0"));
	if (!doc)
		goto oom;
	xmlNodePtr root = xmlNewNode(NULL, X("testsuites"));
	if (!root)
		goto oom;
	xmlDocSetRootElement(doc, root);
	struct tally t = { 0 };
	for (size_t i = 0; i < r->n_scenarios; i++)
		count(&t, r->scenarios[i]);
	attr(root, "name", "kradar");
	attrf(root, "tests", "%d", t.tests);
	attrf(root, "failures", "%d", t.failures);
	attrf(root, "errors", "%d", t.errors);
	attr_seconds(root, r->duration_s > 0 ? r->duration_s : t.time);

	struct suite *suites = NULL;
	size_t n = group_suites(r, &suites);
	for (size_t i = 0; i < n; i++)
		suite_node(root, r, &suites[i], i, &o);
	free_suites(suites, n);

	xmlChar *mem = NULL;
	int size = 0;
	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	if (!mem || size <= 0) {
		xmlFree(mem);
		*err = kr_strdup("libxml2 could not serialise the JUnit report");
		return -EIO;
	}
	*xml = kr_strndup((const char *)mem, (size_t)size);
	*len = (size_t)size;
	xmlFree(mem);
	return 0;
oom:
	*err = kr_strdup("out of memory building the JUnit report");
	return -ENOMEM;
}
