/* SPDX-License-Identifier: MIT */
#include "merge.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "json-writer.h"

/* A scenario result copied through its JSON form, which the results
 * module writes and reads back whole (runs and all). */
static struct kr_scenario_result *copy_scenario(struct kr_results *into,
						const struct kr_scenario_result *sr, char **err)
{
	_cleanup_results_free_ struct kr_results *one = kr_results_new(into->out_dir);
	struct kr_json *doc = kr_results_to_json(one);
	struct kr_json *list = kr_json_array();
	kr_json_append(list, kr_scenario_result_to_json(sr));
	kr_json_set(doc, "scenarios", list);
	_cleanup_free_ char *text = kr_json_dump(doc, false);
	kr_json_free(doc);
	_cleanup_results_free_ struct kr_results *back = NULL;
	if (kr_results_load_text("(merge)", text, strlen(text), &back, err) < 0)
		return NULL;
	struct kr_scenario_result *copy = back->scenarios[0];
	back->n_scenarios = 0;
	into->scenarios = kr_realloc(into->scenarios,
				     (into->n_scenarios + 1) * sizeof(*into->scenarios));
	into->scenarios[into->n_scenarios++] = copy;
	return copy;
}

/* The part (index) that ran the scenario named name; -1 if none did;
 * -2 (with *err) when two did. */
static int runner_of(struct kr_results *const *parts, size_t n, const char *name, char **err)
{
	int found = -1;
	for (size_t p = 0; p < n; p++) {
		for (size_t i = 0; i < parts[p]->n_scenarios; i++) {
			const struct kr_scenario_result *sr = parts[p]->scenarios[i];
			if (strcmp(sr->name, name) || sr->verdict == KR_VERDICT_SKIPPED)
				continue;
			if (found >= 0) {
				*err = kr_asprintf("%s ran in both %s and %s: merge the shards of "
						   "one run of the matrix", name,
						   parts[found]->out_dir, parts[p]->out_dir);
				return -2;
			}
			found = (int)p;
		}
	}
	return found;
}

static const struct kr_scenario_result *find(const struct kr_results *r, const char *name)
{
	for (size_t i = 0; i < r->n_scenarios; i++)
		if (!strcmp(r->scenarios[i]->name, name))
			return r->scenarios[i];
	return NULL;
}

int kr_results_merge(struct kr_results *const *parts, size_t n, const char *out_dir,
		     struct kr_results **out, char ***warnings, char **err)
{
	*out = NULL;
	*warnings = kr_calloc(1, sizeof(char *));
	_cleanup_results_free_ struct kr_results *m = kr_results_new(out_dir);
	double start = INFINITY, end = 0;
	int total = 0;
	const char *total_from = NULL; /* the part that set total */
	_cleanup_free_ bool *have = NULL;
	for (size_t p = 0; p < n; p++) {
		const struct kr_results *r = parts[p];
		if (r->started_at > 0 && r->started_at < start)
			start = r->started_at;
		if (r->started_at > 0 && r->duration_s > 0 && r->started_at + r->duration_s > end)
			end = r->started_at + r->duration_s;
		if (r->interrupted && !m->interrupted) {
			m->interrupted = true;
			m->signal = r->signal;
		}
		if (!m->kradar_version && r->kradar_version)
			m->kradar_version = kr_strdup(r->kradar_version);
		if (!m->baseline_file && r->baseline_file)
			m->baseline_file = kr_strdup(r->baseline_file);
		if (r->shard_total && !total) {
			total = r->shard_total;
			total_from = r->out_dir;
			have = kr_calloc((size_t)total + 1, sizeof(bool));
		}
		if (r->shard_total && r->shard_total != total) {
			*err = kr_asprintf("%s is shard %d/%d, but %s is of %d shards: merge the "
					   "shards of one run of the matrix", r->out_dir,
					   r->shard_index, r->shard_total, total_from, total);
			return -EINVAL;
		}
		if (r->shard_total && r->shard_index >= 1 && r->shard_index <= total) {
			if (have[r->shard_index])
				kr_strv_pushf(warnings, "shard %d/%d appears twice (%s)",
					      r->shard_index, total, r->out_dir);
			have[r->shard_index] = true;
		}
	}
	m->started_at = isfinite(start) ? start : kr_wall_s();
	m->duration_s = end > m->started_at ? end - m->started_at : 0;
	for (int k = 1; k <= total; k++)
		if (!have[k])
			kr_strv_pushf(warnings, "shard %d/%d is missing: its cells stay skipped", k,
				      total);

	for (size_t p = 0; p < n; p++) {
		for (size_t i = 0; i < parts[p]->n_scenarios; i++) {
			const char *name = parts[p]->scenarios[i]->name;
			if (find(m, name))
				continue;
			int who = runner_of(parts, n, name, err);
			if (who == -2)
				return -EINVAL;
			const struct kr_scenario_result *src = who >= 0 ? find(parts[who], name) :
									 parts[p]->scenarios[i];
			if (who < 0)
				kr_strv_pushf(warnings, "%s was run by no shard", name);
			if (!copy_scenario(m, src, err))
				return -EINVAL;
		}
	}
	*out = KR_TAKE_PTR(m);
	return 0;
}

/* ----- artifacts ----- */

static int copy_file(const char *from, const char *to, mode_t mode)
{
	if (link(from, to) == 0)
		return 0;
	if (errno == EEXIST) {
		unlink(to);
		if (link(from, to) == 0)
			return 0;
	}
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	unlink(to);
	_cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				       mode & 0777);
	if (out < 0)
		return -errno;
	char buf[65536];
	ssize_t got;
	while ((got = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < got;) {
			ssize_t w = write(out, buf + off, (size_t)(got - off));
			if (w < 0)
				return -errno;
			off += w;
		}
	}
	if (got < 0 || fsync(out) < 0 || close(KR_TAKE_FD(out)) < 0)
		return -errno;
	return 0;
}

static int copy_tree(const char *from, const char *to, char **err)
{
	int r = kr_mkdir_p(to, 0755);
	if (r < 0) {
		*err = kr_asprintf("cannot create %s: %s", to, strerror(-r));
		return r;
	}
	DIR *d = opendir(from);
	if (!d) {
		r = -errno;
		*err = kr_asprintf("cannot read %s: %s", from, strerror(errno));
		return r;
	}
	struct dirent *de;
	r = 0;
	while (r == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *src = kr_path_join(from, de->d_name);
		_cleanup_free_ char *dst = kr_path_join(to, de->d_name);
		struct stat st;
		if (lstat(src, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			r = copy_tree(src, dst, err);
		} else if (S_ISREG(st.st_mode) && (r = copy_file(src, dst, st.st_mode)) < 0) {
			*err = kr_asprintf("cannot copy %s to %s: %s", src, dst, strerror(-r));
		}
	}
	closedir(d);
	return r;
}

int kr_results_merge_artifacts(const struct kr_results *merged, struct kr_results *const *parts,
			       size_t n, char **err)
{
	for (size_t i = 0; i < merged->n_scenarios; i++) {
		const struct kr_scenario_result *sr = merged->scenarios[i];
		if (sr->verdict == KR_VERDICT_SKIPPED)
			continue;
		int who = runner_of(parts, n, sr->name, err);
		if (who < 0) {
			if (who == -2)
				return -EINVAL;
			continue;
		}
		for (size_t k = 0; k < sr->n_runs; k++) {
			const char *dir = sr->runs[k]->dir;
			if (!kr_relpath_ok(dir))
				continue; /* only directories inside a results directory */
			_cleanup_free_ char *from = kr_path_join(parts[who]->out_dir, dir);
			_cleanup_free_ char *to = kr_path_join(merged->out_dir, dir);
			if (!strcmp(from, to))
				continue;
			/* neither side may lead out of its directory through a symlink */
			_cleanup_close_ int src = kr_open_beneath(parts[who]->out_dir, dir,
								  O_PATH | O_DIRECTORY, 0);
			if (src == -ENOENT)
				continue;
			_cleanup_free_ char *to_parent = kr_path_dirname(dir);
			_cleanup_close_ int dst = strcmp(to_parent, ".") ?
				kr_open_beneath(merged->out_dir, to_parent, O_PATH | O_DIRECTORY, 0) :
				-ENOENT;
			if (src < 0 || (dst < 0 && dst != -ENOENT)) {
				int r = src < 0 ? src : dst;
				*err = kr_asprintf("%s: not copied: %s (a symlink out of the results' "
						   "directory?)", src < 0 ? from : to, strerror(-r));
				return r;
			}
			kr_rm_rf(to);
			int r = copy_tree(from, to, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}
