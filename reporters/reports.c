/* SPDX-License-Identifier: MIT */
#include "reports.h"

#include <string.h>

static bool env_true(const char *name)
{
	const char *v = getenv(name);
	return v && !strcmp(v, "true");
}

void kr_report_files_from_env(struct kr_report_files *f)
{
	if (env_true("GITHUB_ACTIONS")) {
		const char *server = getenv("GITHUB_SERVER_URL");
		const char *repo = getenv("GITHUB_REPOSITORY");
		const char *run = getenv("GITHUB_RUN_ID");
		f->markdown_options.plain_paths = true;
		if (server && repo && run) {
			static char url[1024];
			snprintf(url, sizeof(url), "%s/%s/actions/runs/%s", server, repo, run);
			f->markdown_options.run_url = url;
		}
	} else if (env_true("GITLAB_CI")) {
		f->junit_options.attachment_base = getenv("CI_PROJECT_DIR");
	}
}

static int output(const char *path, const char *data, size_t len, char **err)
{
	if (!strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			int e = errno ? errno : EIO;
			*err = kr_asprintf("cannot write to standard output: %s", strerror(e));
			return -e;
		}
		return 0;
	}
	int r = kr_write_file_atomic(path, data, len, 0644);
	if (r < 0)
		*err = kr_asprintf("cannot write %s: %s", path, strerror(-r));
	return r;
}

int kr_report_files_write(const struct kr_results *r, const struct kr_report_files *f,
			  char **err)
{
	int ret = 0;
	char *e = NULL;
	if (f->junit) {
		_cleanup_free_ char *xml = NULL;
		size_t len = 0;
		int k = kr_junit_render(r, &f->junit_options, &xml, &len, &e);
		if (k == 0)
			k = output(f->junit, xml, len, &e);
		if (k < 0 && !ret) {
			ret = k;
			*err = KR_TAKE_PTR(e);
		}
		free(e);
		e = NULL;
	}
	if (f->markdown) {
		struct kr_markdown_options mo = f->markdown_options;
		_cleanup_free_ char *dir = NULL;
		if (!mo.md_dir && strcmp(f->markdown, "-")) {
			_cleanup_free_ char *abs = kr_path_absolute(NULL, f->markdown);
			mo.md_dir = dir = kr_path_dirname(abs);
		}
		_cleanup_free_ char *md = kr_markdown_render(r, &mo);
		int k = output(f->markdown, md, strlen(md), &e);
		if (k < 0 && !ret) {
			ret = k;
			*err = KR_TAKE_PTR(e);
		}
		free(e);
	}
	return ret;
}

int kr_report_files_write_default(const struct kr_results *r, const char *junit,
				  const char *markdown, char **err)
{
	struct kr_report_files f = { 0 };
	kr_report_files_from_env(&f);
	_cleanup_free_ char *j = junit ? NULL : kr_path_join(r->out_dir, "junit.xml");
	_cleanup_free_ char *m = markdown ? NULL : kr_path_join(r->out_dir, "summary.md");
	f.junit = junit ? junit : j;
	f.markdown = markdown ? markdown : m;
	return kr_report_files_write(r, &f, err);
}
