/* SPDX-License-Identifier: MIT */
/* kradar verify-fix SCENARIO --bad KERNEL --fixed KERNEL: the reproducer N
 * times on each kernel, and whether the fix holds (verify.h). */
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "json-writer.h"
#include "log.h"
#include "run.h"
#include "verify.h"

struct side {
	const char *name;   /* "bad", "fixed" */
	const char *kernel; /* --bad/--fixed */
	char **env;         /* --bad-env/--fixed-env K=V */
};

/* Loads the scenario with the side's environment overrides in place (its
 * ${VAR}s expand at load), then restores the environment. */
static int load_side(const char *file, const struct side *side, struct kr_scenario **out,
		     struct kr_diags *diags)
{
	size_t n = kr_strv_len(side->env);
	char **saved = kr_calloc(n + 1, sizeof(char *));
	bool *had = kr_calloc(n + 1, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *name = kr_strndup(side->env[i], strcspn(side->env[i], "="));
		const char *old = getenv(name);
		had[i] = old != NULL;
		saved[i] = kr_strdup(old);
		setenv(name, strchr(side->env[i], '=') + 1, 1);
	}
	int r = kr_scenario_load(file, out, diags);
	for (size_t i = n; i-- > 0;) {
		_cleanup_free_ char *name = kr_strndup(side->env[i], strcspn(side->env[i], "="));
		if (had[i])
			setenv(name, saved[i], 1);
		else
			unsetenv(name);
		free(saved[i]);
	}
	free(saved);
	free(had);
	return r;
}

/* KERNEL is an image (an existing file, or image:PATH) or a commit of the
 * scenario's kernel.source (commit:REV, or anything that is not a file). */
static int apply_kernel(const struct side *side, struct kr_scenario *s, char **err)
{
	const char *k = side->kernel;
	struct stat st;
	bool image = kr_str_startswith(k, "image:") ||
		     (!kr_str_startswith(k, "commit:") && stat(k, &st) == 0 && S_ISREG(st.st_mode));
	const char *value = kr_str_startswith(k, "image:") ? k + 6 :
			    kr_str_startswith(k, "commit:") ? k + 7 : k;
	if (!*value) {
		*err = kr_asprintf("--%s: empty kernel", side->name);
		return -EINVAL;
	}
	char cwd[4096];
	_cleanup_free_ char *abs = kr_path_absolute(getcwd(cwd, sizeof(cwd)) ? cwd : "/", value);
	struct kr_matrix_kernel mk = { .strict_fragment = -1 };
	if (image) {
		if (access(abs, R_OK) < 0) {
			*err = kr_asprintf("--%s: %s: %s", side->name, abs, strerror(errno));
			return -EINVAL;
		}
		mk.image = abs;
	} else {
		if (s->kernel.kind != KR_KERNEL_SOURCE) {
			*err = kr_asprintf("--%s: %s is not a file, and %s has no kernel.source to "
					   "build a commit of", side->name, value, s->file);
			return -EINVAL;
		}
		mk.commit = (char *)value;
	}
	return kr_matrix_kernel_apply(&mk, s, err);
}

static struct kr_json *number(double v)
{
	return isnan(v) ? kr_json_null() : kr_json_real(v);
}

static struct kr_json *side_json(const struct kr_scenario_result *sr)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "cell", kr_json_string(sr->name));
	kr_json_set(o, "kernel", kr_json_string(sr->kernel.label));
	kr_json_set(o, "image", kr_json_string(sr->kernel.image));
	kr_json_set(o, "commit", kr_json_string(sr->kernel.commit));
	kr_json_set(o, "runs", kr_json_int((long long)sr->n_runs));
	struct kr_json *counts = kr_json_object();
	for (int v = 0; v < KR_RUN_VERDICTS; v++)
		kr_json_set(counts, kr_verdict_to_string((enum kr_verdict)v),
			    kr_json_int(sr->counts[v]));
	kr_json_set(o, "counts", counts);
	return o;
}

static int write_verdict(const char *out, const struct kr_results *r,
			 const struct kr_fix_evidence *e, const struct kr_fix_verdict *v)
{
	_cleanup_json_free_ struct kr_json *o = kr_json_object();
	kr_json_set(o, "version", kr_json_int(1));
	kr_json_set(o, "scenario", kr_json_string(r->scenarios[0]->cell.scenario));
	kr_json_set(o, "verdict", kr_json_string(kr_fix_result_to_string(v->result)));
	kr_json_set(o, "reason", kr_json_string(v->reason));
	kr_json_set(o, "bad", side_json(r->scenarios[0]));
	kr_json_set(o, "fixed", side_json(r->scenarios[1]));
	kr_json_set(o, "rate", number(v->rate));
	kr_json_set(o, "rate_low", number(v->rate_low));
	kr_json_set(o, "rate_bound", kr_json_string("Wilson score interval, 95%, lower bound"));
	kr_json_set(o, "p_wrong", number(v->p_wrong));
	kr_json_set(o, "p_wrong_observed_rate", number(v->p_wrong_observed));
	kr_json_set(o, "confidence", e->confidence > 0 ? kr_json_real(e->confidence) :
							 kr_json_null());
	kr_json_set(o, "runs_needed", v->runs_needed > 0 ? kr_json_int(v->runs_needed) :
							   kr_json_null());
	_cleanup_free_ char *path = kr_path_join(out, "verify-fix.json");
	return kr_json_write_file(o, path);
}

static void print_verdict(const struct kr_fix_evidence *e, const struct kr_fix_verdict *v)
{
	printf("\nverify-fix: %s: %s\n", kr_fix_result_to_string(v->result), v->reason);
	if (!isnan(v->rate))
		printf("  bad kernel: reproduced in %d of %d conclusive runs, rate %.2f, at least "
		       "%.3f (Wilson 95%% lower bound)\n",
		       e->bad_reproduced, e->bad_conclusive, v->rate, v->rate_low);
	printf("  fixed kernel: %d clean, %d reproduced, %d other crash%s, %d inconclusive\n",
	       e->fixed_clean, e->fixed_reproduced, e->fixed_other, e->fixed_other == 1 ? "" : "es",
	       e->fixed_inconclusive);
	if (!isnan(v->p_wrong))
		printf("  P(the fix is not real, yet %d clean runs) <= (1 - %.3f)^%d = %.3g "
		       "(%.3g at the observed rate)\n",
		       e->fixed_clean, v->rate_low, e->fixed_clean, v->p_wrong, v->p_wrong_observed);
	if (v->runs_needed > 0)
		printf("  clean runs on the fixed kernel for %.3g confidence: %ld\n",
		       e->confidence > 0 ? e->confidence : 0.95, v->runs_needed);
	fflush(stdout);
}

int kr_cmd_verify_fix(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("verify-fix");
	enum { OPT_BAD = 256, OPT_FIXED, OPT_BAD_ENV, OPT_FIXED_ENV, OPT_CONFIDENCE, OPT_RUNS };
	static const struct option opts[] = {
		{ "bad", required_argument, NULL, OPT_BAD },
		{ "fixed", required_argument, NULL, OPT_FIXED },
		{ "bad-env", required_argument, NULL, OPT_BAD_ENV },
		{ "fixed-env", required_argument, NULL, OPT_FIXED_ENV },
		{ "runs", required_argument, NULL, OPT_RUNS },
		{ "confidence", required_argument, NULL, OPT_CONFIDENCE },
		{ "out", required_argument, NULL, 'o' },
		{ "cache", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ 0 },
	};
	struct side sides[2] = { { .name = "bad" }, { .name = "fixed" } };
	_cleanup_strv_free_ char **bad_env = kr_calloc(1, sizeof(char *));
	_cleanup_strv_free_ char **fixed_env = kr_calloc(1, sizeof(char *));
	struct kr_run_options ro = { .out = "kradar-results" };
	long runs = 0, jobs = 0;
	double confidence = 0;
	int o;
	while ((o = kr_cli_getopt(self, argc, argv, "o:C:j:q", opts)) != -1) {
		char *end = NULL;
		switch (o) {
		case OPT_BAD:
			sides[0].kernel = optarg;
			break;
		case OPT_FIXED:
			sides[1].kernel = optarg;
			break;
		case OPT_BAD_ENV:
		case OPT_FIXED_ENV: {
			size_t nl = strcspn(optarg, "=");
			_cleanup_free_ char *name = kr_strndup(optarg, nl);
			if (!optarg[nl] || !kr_str_in_charset(name, "_"))
				return kr_cli_usage_error(self, "--%s: expected NAME=value, got '%s'",
							  o == OPT_BAD_ENV ? "bad-env" : "fixed-env",
							  optarg);
			kr_strv_push(o == OPT_BAD_ENV ? &bad_env : &fixed_env, kr_strdup(optarg));
			break;
		}
		case OPT_RUNS:
			if (kr_parse_long(optarg, &runs) < 0 || runs < 1 || runs > 100000)
				return kr_cli_usage_error(self, "--runs: expected 1..100000, got '%s'",
							  optarg);
			break;
		case OPT_CONFIDENCE:
			confidence = strtod(optarg, &end);
			if (!end || *end || !(confidence > 0 && confidence < 1))
				return kr_cli_usage_error(self, "--confidence: expected a number in "
							  "(0, 1) such as 0.95, got '%s'", optarg);
			break;
		case 'o':
			ro.out = optarg;
			break;
		case 'C':
			ro.cache = optarg;
			break;
		case 'j':
			if (kr_parse_long(optarg, &jobs) < 0 || jobs < 1 || jobs > 4096)
				return kr_cli_usage_error(self, "--jobs: expected 1..4096, got '%s'",
							  optarg);
			break;
		case 'q':
			ro.quiet = true;
			break;
		}
	}
	ro.jobs = (int)jobs;
	if (optind >= argc)
		return kr_cli_usage_error(self, "no scenario given");
	if (optind + 1 < argc)
		return kr_cli_usage_error(self, "one scenario at a time (got %d)", argc - optind);
	if (!sides[0].kernel || !sides[1].kernel)
		return kr_cli_usage_error(self, "--bad and --fixed are both needed");
	sides[0].env = bad_env;
	sides[1].env = fixed_env;
	const char *file = argv[optind];

	struct kr_cell cells[2] = { 0 };
	struct kr_diags diags = { 0 };
	_cleanup_free_ char *err = NULL;
	int r = 0;
	for (int i = 0; i < 2 && r == 0; i++) {
		struct kr_scenario *s = NULL;
		if ((r = load_side(file, &sides[i], &s, &diags)) < 0)
			break;
		cells[i] = (struct kr_cell){ .s = s, .scenario = kr_strdup(s->name),
					     .kernel = kr_strdup(sides[i].name) };
		if ((r = apply_kernel(&sides[i], s, &err)) < 0)
			break;
		if (runs)
			s->runs = (int)runs;
		/* Every run counts: the bad kernel's rate, the fixed one's clean runs. */
		s->stop_on_hit = false;
		s->expect.verdict = i == 0 ? KR_EXPECT_REPRODUCED : KR_EXPECT_FIXED;
		char *name = kr_cell_name(s->name, sides[i].name, NULL);
		free(s->name);
		s->name = name;
	}
	kr_diags_print(&diags, stderr);
	kr_diags_clear(&diags);
	_cleanup_engine_free_ struct kr_engine *engine = kr_engine_new(&ro);
	int ret = r < 0 ? (err ? kr_cli_usage_error(self, "%s", err) : KR_EXIT_USAGE) :
			  kr_engine_run(engine, cells, 2);
	if (r == 0 && ret == KR_ENGINE_DONE)
		ret = kr_cli_show_run(&ro, engine);
	const struct kr_results *results = r == 0 ? kr_engine_results(engine) : NULL;
	for (int k = 0; k < 2; k++) {
		kr_scenario_free(cells[k].s);
		free(cells[k].scenario);
		free(cells[k].kernel);
	}
	if (!results || results->interrupted)
		return ret;
	const struct kr_scenario_result *bad = results->scenarios[0], *fixed = results->scenarios[1];
	struct kr_fix_evidence e = {
		.bad_reproduced = bad->counts[KR_VERDICT_REPRODUCED],
		.bad_conclusive = bad->rate.trials,
		.fixed_reproduced = fixed->counts[KR_VERDICT_REPRODUCED],
		.fixed_other = fixed->counts[KR_VERDICT_OTHER_CRASH],
		.fixed_clean = fixed->counts[KR_VERDICT_CLEAN],
		.fixed_inconclusive = fixed->counts[KR_VERDICT_INFRA_ERROR] +
				      fixed->counts[KR_VERDICT_ARTIFACT_STALL],
		.confidence = confidence,
	};
	struct kr_fix_verdict v;
	kr_fix_judge(&e, &v);
	print_verdict(&e, &v);
	char cwd[4096];
	_cleanup_free_ char *abs_out = kr_path_absolute(getcwd(cwd, sizeof(cwd)) ? cwd : "/",
							ro.out);
	if ((r = write_verdict(abs_out, results, &e, &v)) < 0) {
		kr_error("cannot write %s/verify-fix.json: %s", abs_out, strerror(-r));
		ret = KR_EXIT_ENVIRONMENT;
	} else {
		static const int status[] = { [KR_FIX_FIXED] = KR_EXIT_OK,
					      [KR_FIX_STILL_REPRODUCES] = KR_EXIT_FAILED,
					      [KR_FIX_NOT_REPRODUCIBLE_ON_BAD] = KR_EXIT_INCONCLUSIVE,
					      [KR_FIX_INCONCLUSIVE] = KR_EXIT_INCONCLUSIVE };
		ret = status[v.result];
	}
	kr_fix_verdict_clear(&v);
	return ret;
}
