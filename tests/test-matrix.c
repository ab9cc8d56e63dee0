/* SPDX-License-Identifier: MIT */
/* Matrix files: loading with FILE:LINE:COL diagnostics, expansion into
 * cells, the kernel and VM entries applied to scenarios. */
#include <stdlib.h>
#include <string.h>

#include "kr-test.h"
#include "matrix.h"

static const char *dir;
static char *mfile; /* DIR/m.json */

static void setup(void)
{
	dir = kr_test_tmpdir();
	free(kr_test_write(dir, "k/bzImage-a", "kernel a"));
	free(kr_test_write(dir, "k/bzImage-b", "kernel b"));
	free(kr_test_write(dir, "tree/Makefile", "all:\n"));
	free(kr_test_write(dir, "other-tree/Makefile", "all:\n"));
	free(kr_test_write(dir, "s/img.json",
			   "{\"kradar\": 1, \"name\": \"img\", \"kernel\": {\"image\": "
			   "\"../k/bzImage-a\", \"label\": \"own\"},\n"
			   " \"repro\": {\"sh\": \"true\"}, \"vm\": {\"smp\": 2, \"mem_mb\": 700}}"));
	free(kr_test_write(dir, "s/src.json",
			   "{\"kradar\": 1, \"name\": \"src\", \"kernel\": {\"source\": \"../tree\", "
			   "\"config\": \"tinyconfig\",\n \"fragment\": [\"CONFIG_X=y\"], \"make\": "
			   "[\"V=1\"], \"commit\": \"v1\"},\n \"repro\": {\"sh\": \"true\"}, "
			   "\"runs\": 3}"));
	mfile = kr_path_join(dir, "m.json");
}

static void teardown(void)
{
	free(mfile);
	kr_test_tmpdir_cleanup();
}

static int load(const char *text, struct kr_matrix **m, struct kr_diags *d)
{
	free(kr_test_write(dir, "m.json", text));
	return kr_matrix_load(mfile, m, d);
}

/* Every diagnostic, one per line, without the directory. */
static char *diags_text(const struct kr_diags *d)
{
	struct kr_buf b = KR_BUF_INIT(1 << 20);
	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *line = kr_diag_format(&d->items[i]);
		const char *shown = kr_str_startswith(line, dir) ? line + strlen(dir) + 1 : line;
		kr_buf_printf(&b, "%s\n", shown);
	}
	return kr_buf_steal(&b);
}

static void load_fails(const char *text, const char *want)
{
	struct kr_matrix *m = NULL;
	struct kr_diags d = { 0 };
	ck_assert_int_eq(load(text, &m, &d), -EINVAL);
	ck_assert_ptr_null(m);
	_cleanup_free_ char *got = diags_text(&d);
	/* {dir} stands for the test directory. */
	struct kr_buf w = KR_BUF_INIT(1 << 20);
	for (const char *p = want; *p;) {
		if (kr_str_startswith(p, "{dir}")) {
			kr_buf_adds(&w, dir);
			p += 5;
		} else {
			kr_buf_addc(&w, *p++);
		}
	}
	ck_assert_msg(!strcmp(got, w.data), "got:\n%swant:\n%s", got, w.data);
	kr_buf_free(&w);
	kr_diags_clear(&d);
}

START_TEST(diagnostics)
{
	load_fails("{\"kradar_matrix\": 1,", "m.json:1:20: invalid JSON: string or '}' expected "
		   "near end of file\n");
	load_fails("[]", "m.json:1:1: a matrix file holds an object, got an array\n");
	load_fails("{\"scenarios\": [\"s\"]}", "m.json:1:1: \"kradar_matrix\" is missing\n");
	load_fails("{\"kradar_matrix\": 2, \"scenarios\": [\"s\"]}",
		   "m.json:1:19: kradar_matrix: version 2 is not 1, the version this kradar reads\n");
	load_fails("{\"kradar_matrix\": 1}", "m.json:1:1: \"scenarios\" is missing\n");
	load_fails("{\"kradar_matrix\": 1, \"scenarios\": []}", "m.json:1:35: scenarios: no scenarios\n");
	load_fails("{\"kradar_matrix\": 1, \"scenarios\": [\"s\"],\n \"kernel\": [], \"x-note\": 1}",
		   "m.json:2:2: kernel: unknown field (did you mean \"kernels\"?)\n");
	load_fails("{\"kradar_matrix\": 1, \"scenarios\": [\"s\"],\n"
		   " \"vm\": [{\"label\": \"..\", \"smp\": 1}]}",
		   "m.json:2:19: vm[0].label: \"..\" must match [A-Za-z0-9._-]+ (not . or ..)\n");
	load_fails("{\"kradar_matrix\": 1, \"scenarios\": [\"s\"],\n"
		   " \"kernels\": [{\"image\": \"k/bzImage-a\"},\n"
		   "  {\"label\": \"a b\", \"image\": \"k/bzImage-a\", \"commit\": \"x\"},\n"
		   "  {\"label\": \"c\", \"image\": \"k/none\", \"source\": \"tree\"},\n"
		   "  {\"label\": \"d\", \"vmlinux\": \"k/bzImage-a\", \"fragment\": [\"X=y\"], "
		   "\"make\": [\"nope\"]},\n"
		   "  {\"label\": \"d\", \"smp\": 2}, 7]}",
		   "m.json:2:14: kernels[0]: \"label\" is missing (a short name for reports and cell names)\n"
		   "m.json:3:13: kernels[1].label: \"a b\" must match [A-Za-z0-9._-]+ (not . or ..)\n"
		   "m.json:3:44: kernels[1].commit: applies to a kernel built from source only\n"
		   "m.json:4:37: kernels[2].source: image and source are mutually exclusive\n"
		   "m.json:4:27: kernels[2].image: {dir}/k/none: No such file or directory\n"
		   "m.json:5:18: kernels[3].vmlinux: applies to image only (a source build makes its own)\n"
		   "m.json:5:57: kernels[3].fragment[0]: expected CONFIG_X=value or \"# CONFIG_X is not set\", got \"X=y\"\n"
		   "m.json:5:74: kernels[3].make[0]: expected VAR=value, got \"nope\"\n"
		   "m.json:6:18: kernels[4].smp: unknown field\n"
		   "m.json:6:3: kernels[4]: label \"d\" is already kernels[3]'s\n"
		   "m.json:6:29: kernels[5]: expected an object, got an integer\n");
	/* A scenario's rules: a value after '=', a make variable's name of
	 * letters, digits and _ (the build would refuse them unplaced). */
	load_fails("{\"kradar_matrix\": 1, \"scenarios\": [\"s\"],\n"
		   " \"kernels\": [{\"label\": \"e\", \"source\": \"tree\", "
		   "\"fragment\": [\"CONFIG_X=\", \"# CONFIG_Y\"], \"make\": [\"A-B=1\"]}]}",
		   "m.json:2:60: kernels[0].fragment[0]: expected CONFIG_X=value or \"# CONFIG_X is not "
		   "set\", got \"CONFIG_X=\"\n"
		   "m.json:2:73: kernels[0].fragment[1]: expected CONFIG_X=value or \"# CONFIG_X is not "
		   "set\", got \"# CONFIG_Y\"\n"
		   "m.json:2:97: kernels[0].make[0]: expected VAR=value, got \"A-B=1\"\n");
	load_fails("{\"kradar_matrix\": 1, \"scenarios\": [\"s\"],\n"
		   " \"vm\": [{\"label\": \"a\", \"smp\": 0, \"mem_mb\": \"1G\", \"kvm\": \"maybe\"}],\n"
		   " \"baseline\": \"${KRADAR_TEST_UNSET_VARIABLE}\"}",
		   "m.json:2:31: vm[0].smp: 0 is out of range [1, 256]\n"
		   "m.json:2:44: vm[0].mem_mb: expected an integer, got a string\n"
		   "m.json:2:57: vm[0].kvm: \"maybe\" is not one of auto, on, off\n"
		   "m.json:3:14: baseline: environment variable KRADAR_TEST_UNSET_VARIABLE is not set\n");
}
END_TEST

/* load_fails with {dir} in want replaced by the test directory. */
START_TEST(missing_scenarios)
{
	struct kr_matrix *m = NULL;
	struct kr_diags d = { 0 };
	ck_assert_int_eq(load("{\"kradar_matrix\": 1,\n \"scenarios\": [\"nope\", 3, \"s/*.yaml\"]}",
			      &m, &d),
			 -EINVAL);
	_cleanup_free_ char *got = diags_text(&d);
	_cleanup_free_ char *want = kr_asprintf(
		"m.json:2:16: scenarios[0]: %s/nope: No such file or directory\n"
		"m.json:2:24: scenarios[1]: expected a string, got an integer\n"
		"m.json:2:27: scenarios[2]: %s/s/*.yaml matches no file\n", dir, dir);
	ck_assert_msg(!strcmp(got, want), "got:\n%swant:\n%s", got, want);
	kr_diags_clear(&d);

	/* A matrix names files beside it, never the host's "/" or /etc. */
	load_fails("{\"kradar_matrix\": 1, \"scenarios\": [\"s\", \"/\"]}",
		   "m.json:1:41: scenarios[1]: \"/\" is an absolute path: write it relative to the "
		   "matrix file\n");
}
END_TEST

static const struct kr_cell *find(const struct kr_cell *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].s->name, name))
			return &c[i];
	ck_abort_msg("no cell %s", name);
	return NULL;
}

START_TEST(cells)
{
	struct kr_matrix *m = NULL;
	struct kr_diags d = { 0 };
	int r = load("{\"kradar_matrix\": 1, \"description\": \"nightly\",\n"
		     " \"scenarios\": [\"s/*.json\", \"s\"],\n"
		     " \"kernels\": [{\"label\": \"b\", \"image\": \"k/bzImage-b\", \"vmlinux\": \"k/bzImage-a\"},\n"
		     "   {\"label\": \"t\", \"source\": \"other-tree\"}],\n"
		     " \"vm\": [{\"label\": \"small\", \"smp\": 1, \"mem_mb\": 512}, {\"label\": \"tcg\", \"kvm\": \"off\"}],\n"
		     " \"baseline\": \"last/results.json\"}",
		     &m, &d);
	_cleanup_free_ char *text = diags_text(&d);
	ck_assert_msg(r == 0, "%s", kr_test_tail(text));
	_cleanup_free_ char *base = kr_path_join(dir, "last/results.json");
	ck_assert_str_eq(m->baseline, base);
	/* The glob and the directory name the same files: each once. */
	ck_assert_uint_eq(kr_strv_len(m->scenario_files), 2);
	struct kr_cell *c = NULL;
	size_t n = 0;
	r = kr_matrix_cells(m, &c, &n, &d);
	_cleanup_free_ char *text2 = diags_text(&d);
	ck_assert_msg(r == 0, "%s", kr_test_tail(text2));
	ck_assert_uint_eq(n, 8);
	static const char *const order[] = { "img@b@small", "img@b@tcg", "img@t@small", "img@t@tcg",
					     "src@b@small", "src@b@tcg", "src@t@small", "src@t@tcg" };
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(c[i].s->name, order[i]);

	const struct kr_cell *x = find(c, n, "img@b@small");
	ck_assert_str_eq(x->scenario, "img");
	ck_assert_str_eq(x->kernel, "b");
	ck_assert_str_eq(x->vm, "small");
	ck_assert_int_eq(x->s->kernel.kind, KR_KERNEL_IMAGE);
	ck_assert(kr_str_endswith(x->s->kernel.image, "/k/bzImage-b"));
	ck_assert(kr_str_endswith(x->s->kernel.vmlinux, "/k/bzImage-a"));
	ck_assert_str_eq(x->s->kernel.label, "b");
	ck_assert_int_eq(x->s->vm.smp, 1);
	ck_assert_int_eq(x->s->vm.mem_mb, 512);
	ck_assert_int_eq(x->s->vm.kvm, KR_KVM_AUTO);

	x = find(c, n, "img@t@tcg");
	ck_assert_int_eq(x->s->kernel.kind, KR_KERNEL_SOURCE);
	ck_assert(kr_str_endswith(x->s->kernel.source, "/other-tree"));
	ck_assert_ptr_null(x->s->kernel.image);
	ck_assert_str_eq(x->s->kernel.config_target, "defconfig");
	ck_assert_int_eq(x->s->vm.smp, 2); /* the scenario's */
	ck_assert_int_eq(x->s->vm.mem_mb, 700);
	ck_assert_int_eq(x->s->vm.kvm, KR_KVM_OFF);

	/* Another tree: the scenario's commit, config, fragment and make go. */
	x = find(c, n, "src@t@small");
	ck_assert_ptr_null(x->s->kernel.commit);
	ck_assert_str_eq(x->s->kernel.config_target, "defconfig");
	ck_assert_ptr_null(x->s->kernel.fragment[0]);
	ck_assert_ptr_null(x->s->kernel.make_vars[0]);
	ck_assert_int_eq(x->s->runs, 3);
	x = find(c, n, "src@b@tcg");
	ck_assert_int_eq(x->s->kernel.kind, KR_KERNEL_IMAGE);
	ck_assert_ptr_null(x->s->kernel.source);
	ck_assert_ptr_null(x->s->kernel.config_target);
	kr_cells_free(c, n);
	kr_matrix_free(m);
	kr_diags_clear(&d);
}
END_TEST

/* A kernel entry without image or source: the scenario's own tree, with
 * the entry's commit (and what else it gives) replacing the scenario's. */
START_TEST(same_tree_other_commit)
{
	struct kr_matrix *m = NULL;
	struct kr_diags d = { 0 };
	int r = load("{\"kradar_matrix\": 1, \"scenarios\": [\"s/src.json\"],\n"
		     " \"kernels\": [{\"label\": \"old\", \"commit\": \"v0.9\", \"make\": [\"CC=clang\"]},\n"
		     "   {\"label\": \"cfg\", \"config\": \"defconfig\", \"fragment\": [\"# CONFIG_Y is not set\"],"
		     " \"strict_fragment\": true}]}",
		     &m, &d);
	_cleanup_free_ char *text = diags_text(&d);
	ck_assert_msg(r == 0, "%s", kr_test_tail(text));
	struct kr_cell *c = NULL;
	size_t n = 0;
	ck_assert_int_eq(kr_matrix_cells(m, &c, &n, &d), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(c[0].s->name, "src@old");
	ck_assert_ptr_null(c[0].vm);
	ck_assert_str_eq(c[0].s->kernel.commit, "v0.9");
	ck_assert_str_eq(c[0].s->kernel.config_target, "tinyconfig");
	ck_assert_str_eq(c[0].s->kernel.fragment[0], "CONFIG_X=y");
	ck_assert_str_eq(c[0].s->kernel.make_vars[0], "CC=clang");
	ck_assert_ptr_null(c[0].s->kernel.make_vars[1]);
	ck_assert(!c[0].s->kernel.strict_fragment);
	ck_assert_str_eq(c[1].s->kernel.commit, "v1");
	ck_assert_str_eq(c[1].s->kernel.config_target, "defconfig");
	ck_assert_str_eq(c[1].s->kernel.fragment[0], "# CONFIG_Y is not set");
	ck_assert_str_eq(c[1].s->kernel.make_vars[0], "V=1");
	ck_assert(c[1].s->kernel.strict_fragment);
	kr_cells_free(c, n);
	kr_matrix_free(m);

	/* The same entry for a scenario with an image has nothing to build. */
	ck_assert_int_eq(load("{\"kradar_matrix\": 1, \"scenarios\": [\"s/img.json\"],\n"
			      " \"kernels\": [{\"label\": \"old\", \"commit\": \"v0.9\"}]}",
			      &m, &d),
			 0);
	ck_assert_int_eq(kr_matrix_cells(m, &c, &n, &d), -EINVAL);
	ck_assert_ptr_null(c);
	_cleanup_free_ char *text2 = diags_text(&d);
	ck_assert_str_eq(text2, "m.json:2:14: kernels: kernel \"old\" has neither image nor source, "
				"and scenario img has no kernel.source to build\n");
	kr_matrix_free(m);
	kr_diags_clear(&d);
}
END_TEST

/* Without kernels and VMs each scenario is one cell under its own name;
 * two scenario files with one name are an error. */
START_TEST(plain_and_duplicates)
{
	struct kr_matrix *m = NULL;
	struct kr_diags d = { 0 };
	ck_assert_int_eq(load("{\"kradar_matrix\": 1, \"scenarios\": [\"s\"]}", &m, &d), 0);
	struct kr_cell *c = NULL;
	size_t n = 0;
	ck_assert_int_eq(kr_matrix_cells(m, &c, &n, &d), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(c[0].s->name, "img");
	ck_assert_str_eq(c[0].scenario, "img");
	ck_assert_ptr_null(c[0].kernel);
	ck_assert_str_eq(c[0].s->kernel.label, "own");
	kr_cells_free(c, n);
	kr_matrix_free(m);

	free(kr_test_write(dir, "t/img2.json",
			   "{\"kradar\": 1, \"name\": \"img\", \"kernel\": {\"image\": \"../k/bzImage-a\"},\n"
			   " \"repro\": {\"sh\": \"true\"}}"));
	ck_assert_int_eq(load("{\"kradar_matrix\": 1, \"scenarios\": [\"s\", \"t\"]}", &m, &d), 0);
	ck_assert_int_eq(kr_matrix_cells(m, &c, &n, &d), -EINVAL);
	_cleanup_free_ char *text = diags_text(&d);
	_cleanup_free_ char *want = kr_asprintf("t/img2.json:1:23: name: \"img\" is already the name "
						"of %s/s/img.json\n", dir);
	ck_assert_msg(!strcmp(text, want), "got %s", kr_test_tail(text));
	kr_matrix_free(m);
	kr_diags_clear(&d);
}
END_TEST

START_TEST(is_matrix)
{
	free(kr_test_write(dir, "m.json", "{\"kradar_matrix\": 1}"));
	ck_assert(kr_matrix_file_is_matrix(mfile));
	_cleanup_free_ char *s = kr_path_join(dir, "s/img.json");
	ck_assert(!kr_matrix_file_is_matrix(s));
	_cleanup_free_ char *none = kr_path_join(dir, "none.json");
	ck_assert(!kr_matrix_file_is_matrix(none));
	_cleanup_free_ char *name = kr_cell_name("a", NULL, "v");
	ck_assert_str_eq(name, "a@v");
}
END_TEST

/* kradar matrix: for many K/N, the cells listed for the N shards are every
 * cell, each exactly once; the GitHub strategy.matrix has one job per shard. */
START_TEST(command_shards)
{
	free(kr_test_write(dir, "s/third.json",
			   "{\"kradar\": 1, \"name\": \"third\", \"kernel\": {\"image\": "
			   "\"../k/bzImage-a\"}, \"repro\": {\"sh\": \"true\"}, \"runs\": 5}"));
	free(kr_test_write(dir, "m.json",
			   "{\"kradar_matrix\": 1, \"scenarios\": [\"s\"],\n"
			   " \"kernels\": [{\"label\": \"a\", \"image\": \"k/bzImage-a\"}, "
			   "{\"label\": \"b\", \"image\": \"k/bzImage-b\"}],\n"
			   " \"vm\": [{\"label\": \"one\", \"smp\": 1}, {\"label\": \"tcg\", "
			   "\"kvm\": \"off\", \"smp\": 2}]}"));
	const size_t n_cells = 12;
	for (int n = 1; n <= 7; n++) {
		_cleanup_strv_free_ char **seen = kr_calloc(1, sizeof(char *));
		for (int k = 1; k <= n; k++) {
			char shard[32];
			snprintf(shard, sizeof(shard), "%d/%d", k, n);
			char *argv[] = { (char *)kr_test_kradar(), "matrix", "--shard", shard, mfile, NULL };
			_cleanup_free_ char *o = NULL, *e = NULL;
			int rc = kr_test_spawn(argv, NULL, 0, &o, &e, 60);
			ck_assert_msg(rc == 0, "%s: rc %d: %s", shard, rc, e);
			for (char *line = strtok(o, "\n"); line; line = strtok(NULL, "\n")) {
				if (kr_str_startswith(line, "CELL ") || kr_str_startswith(line, "shard "))
					continue;
				_cleanup_free_ char *name = kr_strndup(line, strcspn(line, " "));
				ck_assert_msg(strstr(line, shard), "%s listed for %s", line, shard);
				for (size_t i = 0; seen[i]; i++)
					ck_assert_msg(strcmp(seen[i], name), "%s twice (N=%d)", name, n);
				kr_strv_push(&seen, KR_TAKE_PTR(name));
			}
		}
		ck_assert_msg(kr_strv_len(seen) == n_cells, "N=%d: %zu cells", n, kr_strv_len(seen));
	}
	char *argv[] = { (char *)kr_test_kradar(), "matrix", "--emit", "github", "--shards", "3",
			 mfile, NULL };
	_cleanup_free_ char *o = NULL, *e = NULL;
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, &o, &e, 60), 0);
	/* By cost (third: 5 runs, src: 3, img: 1), each shard gets 4 cells. */
	ck_assert_str_eq(o, "{\"include\":[{\"shard\":\"1/3\",\"cells\":4},"
			    "{\"shard\":\"2/3\",\"cells\":4},{\"shard\":\"3/3\",\"cells\":4}]}\n");
	char *argv2[] = { (char *)kr_test_kradar(), "matrix", "--emit", "github", mfile, NULL };
	free(o);
	free(e);
	ck_assert_int_eq(kr_test_spawn(argv2, NULL, 0, &o, &e, 60), 2);
	ck_assert_msg(strstr(e, "--emit github needs --shards N"), "%s", e);
}
END_TEST

static struct kr_cell test_cell(const char *name, const char *scenario)
{
	/* loaded as a plain scenario, then named as the cell */
	_cleanup_free_ char *json = kr_asprintf(
		"{\"kradar\":1,\"name\":\"%s\",\"kernel\":{\"image\":\"/bin/sh\"},"
		"\"repro\":{\"sh\":\"true\"},\"runs\":3,\"expect\":{\"verdict\":\"reproduced\"}}",
		scenario ? scenario : name);
	struct kr_cell cell = { .s = kr_test_scenario(json),
				.scenario = scenario ? kr_strdup(scenario) : NULL };
	free(cell.s->name);
	cell.s->name = kr_strdup(name);
	return cell;
}

/* --filter matches a cell's name or its scenario's; a pattern without a
 * match leaves the cells as they were. --runs sets every cell's runs and
 * turns stop_on_hit off. */
START_TEST(filter_and_runs)
{
	size_t n = 4;
	struct kr_cell *cv = kr_calloc(n, sizeof(*cv));
	cv[0] = test_cell("warn@v6.1", "warn");
	cv[1] = test_cell("warn@v6.6", "warn");
	cv[2] = test_cell("hang@v6.1", "hang");
	cv[3] = test_cell("plain", NULL);
	_cleanup_free_ char *err = NULL;
	char *nothing[] = { "warn", "nope*", NULL };
	ck_assert_int_eq(kr_cells_filter(cv, &n, nothing, &err), -ENOENT);
	ck_assert_str_eq(err, "'nope*' matches no scenario or cell (of 4)");
	ck_assert_int_eq(n, 4);
	free(err);
	err = NULL;
	char *some[] = { "warn", "*@v6.1", "pla?n", NULL };
	ck_assert_int_eq(kr_cells_filter(cv, &n, some, &err), 0);
	ck_assert_int_eq(n, 4);
	char *two[] = { "w*", NULL };
	ck_assert_int_eq(kr_cells_filter(cv, &n, two, &err), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(cv[0].s->name, "warn@v6.1");
	ck_assert_str_eq(cv[1].s->name, "warn@v6.6");
	ck_assert(cv[0].s->stop_on_hit);
	kr_cells_set_runs(cv, n, 20);
	ck_assert_int_eq(cv[1].s->runs, 20);
	ck_assert(!cv[1].s->stop_on_hit);
	kr_cells_free(cv, n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("matrix");
	TCase *tc = tcase_create("matrix");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, diagnostics);
	tcase_add_test(tc, missing_scenarios);
	tcase_add_test(tc, cells);
	tcase_add_test(tc, same_tree_other_commit);
	tcase_add_test(tc, plain_and_duplicates);
	tcase_add_test(tc, is_matrix);
	tcase_add_test(tc, command_shards);
	tcase_add_test(tc, filter_and_runs);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
