/* SPDX-License-Identifier: MIT */
/* Scenario files found in the arguments (files, and folders searched in
 * name order) and loaded all at once, names checked unique (scenario.h). */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A walk for scenario files stays on the argument's filesystem, does not
 * follow symlinked directories and gives up after max entries: a
 * directory argument such as "/" (from a matrix file, say) must not walk
 * /proc or the whole disk. */
struct find {
	dev_t dev;
	size_t seen, max;
	bool too_many;
};

static void find_in_dir(struct find *f, const char *dir, char ***files, int depth)
{
	if (depth > 32 || f->too_many)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	_cleanup_strv_free_ char **found = kr_calloc(1, sizeof(char *));
	struct dirent *de;
	while ((de = readdir(d))) {
		if (++f->seen > f->max) {
			f->too_many = true;
			break;
		}
		/* meta.json is kradar fetch's record beside its scenario. */
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "meta.json"))
			continue;
		_cleanup_free_ char *p = kr_path_join(dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && st.st_dev == f->dev) {
			kr_strv_push(&found, KR_TAKE_PTR(p));
			continue;
		}
		/* a symlink counts for a scenario file, not for a directory */
		if (S_ISLNK(st.st_mode) && stat(p, &st) < 0)
			continue;
		if (S_ISREG(st.st_mode) && kr_str_endswith(de->d_name, ".json"))
			kr_strv_push(&found, KR_TAKE_PTR(p));
	}
	closedir(d);
	qsort(found, kr_strv_len(found), sizeof(char *), cmp_str);
	for (size_t i = 0; found[i]; i++) {
		struct stat st;
		if (lstat(found[i], &st) == 0 && S_ISDIR(st.st_mode))
			find_in_dir(f, found[i], files, depth + 1);
		else
			kr_strv_push(files, kr_strdup(found[i]));
	}
}

int kr_scenario_find_capped(char *const *args, size_t max_entries, char ***files,
			    struct kr_diags *diags)
{
	int r = 0;
	char **list = kr_calloc(1, sizeof(char *));
	for (size_t i = 0; args && args[i]; i++) {
		struct stat st;
		if (stat(args[i], &st) < 0) {
			kr_diags_add(diags, args[i], 1, 1, "", "%s", strerror(errno));
			r = -ENOENT;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			kr_strv_push(&list, kr_strdup(args[i]));
			continue;
		}
		struct find f = { .dev = st.st_dev, .max = max_entries };
		find_in_dir(&f, args[i], &list, 0);
		if (f.too_many) {
			kr_diags_add(diags, args[i], 1, 1, "",
				     "more than %zu files below: not a directory of scenarios",
				     max_entries);
			r = -E2BIG;
		}
	}
	*files = list;
	return r;
}

int kr_scenario_load_all(char *const *args, struct kr_scenario ***out, struct kr_diags *diags)
{
	size_t before = diags->n;
	_cleanup_strv_free_ char **files = NULL;
	kr_scenario_find(args, &files, diags);
	struct kr_scenario **v = kr_calloc(kr_strv_len(files) + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; files && files[i]; i++) {
		struct kr_scenario *s = NULL;
		if (kr_scenario_load(files[i], &s, diags) < 0)
			continue;
		bool dup = false;
		for (size_t k = 0; k < n; k++) {
			if (strcmp(v[k]->name, s->name) != 0)
				continue;
			kr_diags_add(diags, files[i], s->name_line, s->name_column, "name",
				     "\"%s\" is already the name of %s", s->name, v[k]->file);
			dup = true;
		}
		if (dup)
			kr_scenario_free(s);
		else
			v[n++] = s;
	}
	if (kr_strv_len(files) == 0 && diags->n == before)
		kr_diags_add(diags, args[0], 1, 1, "", "no scenario files (*.json) found");
	*out = v;
	return diags->n > before ? -EINVAL : 0;
}

void kr_scenarios_free(struct kr_scenario **v)
{
	for (size_t i = 0; v && v[i]; i++)
		kr_scenario_free(v[i]);
	free(v);
}
