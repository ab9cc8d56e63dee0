/* SPDX-License-Identifier: MIT */
#include "matrix.h"

#include <fnmatch.h>
#include <glob.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

#include "json-pos.h"
#include "json-read.h"
#include "fragment.h"
#include "shard.h"

/* obj[key] when present and of the wanted type (is), else NULL (reported
 * when present). *path gets the field's path. */
static json_t *field(struct kr_json_reader *rd, json_t *obj, const char *parent, const char *key,
		     int (*is)(const json_t *), const char *want, char **path)
{
	*path = kr_json_path_key(parent, key);
	json_t *v = json_object_get(obj, key);
	if (v && !is(v)) {
		kr_json_report_field(rd, *path, false,
				     "expected %s, got %s", want, kr_json_type_name(v));
		return NULL;
	}
	return v;
}

static int is_string(const json_t *v) { return json_is_string(v); }
static int is_integer(const json_t *v) { return json_is_integer(v); }
static int is_boolean(const json_t *v) { return json_is_boolean(v); }
static int is_array(const json_t *v) { return json_is_array(v); }
static int is_object(const json_t *v) { return json_is_object(v); }

/* A string value with ${VAR} expanded; NULL (reported) when it fails. */
static char *expanded(struct kr_json_reader *rd, const char *path, json_t *v)
{
	char *out = NULL;
	return kr_json_reader_string(rd, path, v, &out) > 0 ? out : NULL;
}

static char *read_string(struct kr_json_reader *rd, json_t *obj, const char *parent,
			 const char *key)
{
	_cleanup_free_ char *path = NULL;
	json_t *v = field(rd, obj, parent, key, is_string, "a string", &path);
	return v ? expanded(rd, path, v) : NULL;
}

/* An existing file or directory (or a URL where allowed), made absolute
 * against the matrix's directory. */
static char *read_path(struct kr_json_reader *rd, json_t *obj, const char *parent, const char *key,
		       bool allow_url)
{
	_cleanup_free_ char *raw = read_string(rd, obj, parent, key);
	if (!raw)
		return NULL;
	_cleanup_free_ char *path = kr_json_path_key(parent, key);
	char *abs = NULL;
	kr_json_reader_path(rd, path, raw, KR_JSON_PATH_ANY, allow_url, &abs);
	return abs;
}

static int read_int(struct kr_json_reader *rd, json_t *obj, const char *parent, const char *key,
		    int min, int max)
{
	_cleanup_free_ char *path = NULL;
	json_t *v = field(rd, obj, parent, key, is_integer, "an integer", &path);
	if (!v)
		return 0;
	json_int_t n = json_integer_value(v);
	if (n < min || n > max) {
		kr_json_report_field(rd, path, false,
				     "%" JSON_INTEGER_FORMAT " is out of range [%d, %d]", n, min, max);
		return 0;
	}
	return (int)n;
}

/* An array of strings, each expanded; NULL when absent or wrong. */
static char **read_strings(struct kr_json_reader *rd, json_t *obj, const char *parent,
			   const char *key)
{
	_cleanup_free_ char *path = NULL;
	json_t *a = field(rd, obj, parent, key, is_array, "an array of strings", &path);
	if (!a)
		return NULL;
	char **v = kr_calloc(1, sizeof(char *));
	size_t i;
	json_t *e;
	json_array_foreach(a, i, e) {
		_cleanup_free_ char *ep = kr_json_path_index(path, i);
		char *s = expanded(rd, ep, e);
		if (s)
			kr_strv_push(&v, s);
	}
	return v;
}

static char *read_label(struct kr_json_reader *rd, json_t *obj, const char *parent)
{
	_cleanup_free_ char *path = kr_json_path_key(parent, "label");
	if (!json_object_get(obj, "label")) {
		kr_json_report_field(rd, parent, false,
				     "\"label\" is missing (a short name for reports and cell "
				     "names)");
		return NULL;
	}
	char *label = read_string(rd, obj, parent, "label");
	if (label && !kr_name_ok(label)) {
		kr_json_report_field(rd, path, false, "\"%s\" must match [A-Za-z0-9._-]+ (not . or ..)",
				     label);
		free(label);
		return NULL;
	}
	return label;
}

/* ----- kernels ----- */

static void read_kernel(struct kr_json_reader *rd, json_t *o, const char *path,
			struct kr_matrix_kernel *k)
{
	static const char *const keys[] = { "label", "image", "vmlinux", "source", "commit",
					    "config", "fragment", "strict_fragment", "make", NULL };
	struct kr_json_pos p = kr_json_pos_value(rd->pos, path);
	*k = (struct kr_matrix_kernel){ .strict_fragment = -1, .line = p.line, .column = p.column };
	kr_json_reader_check_keys(rd, o, path, keys);
	k->label = read_label(rd, o, path);
	bool image = json_object_get(o, "image"), source = json_object_get(o, "source");
	if (image && source) {
		_cleanup_free_ char *sp = kr_json_path_key(path, "source");
		kr_json_report_field(rd, sp, true, "image and source are mutually exclusive");
	}
	if (image) {
		k->image = read_path(rd, o, path, "image", true);
		k->vmlinux = read_path(rd, o, path, "vmlinux", true);
		static const char *const source_only[] = { "commit", "config", "fragment",
							   "strict_fragment", "make", NULL };
		for (const char *const *f = source_only; *f; f++) {
			if (!json_object_get(o, *f))
				continue;
			_cleanup_free_ char *fp = kr_json_path_key(path, *f);
			kr_json_report_field(rd, fp, true,
					     "applies to a kernel built from source only");
		}
		return;
	}
	if (json_object_get(o, "vmlinux")) {
		_cleanup_free_ char *fp = kr_json_path_key(path, "vmlinux");
		kr_json_report_field(rd, fp, true,
				     "applies to image only (a source build makes its own)");
	}
	if (source)
		k->source = read_path(rd, o, path, "source", false);
	k->commit = read_string(rd, o, path, "commit");
	_cleanup_free_ char *config = read_string(rd, o, path, "config");
	if (config && kr_config_is_make_target(config))
		k->config_target = KR_TAKE_PTR(config);
	else if (config)
		k->config_file = read_path(rd, o, path, "config", false);
	_cleanup_free_ char *fpath = kr_json_path_key(path, "fragment");
	json_t *frag = json_object_get(o, "fragment");
	if (json_is_string(frag)) {
		k->fragment_file = read_path(rd, o, path, "fragment", false);
	} else if (frag) {
		k->fragment = read_strings(rd, o, path, "fragment");
		for (size_t i = 0; k->fragment && k->fragment[i]; i++) {
			const char *line = k->fragment[i];
			if (kr_kconfig_line_valid(line))
				continue;
			_cleanup_free_ char *lp = kr_json_path_index(fpath, i);
			kr_json_report_field(rd, lp, false,
					     "expected CONFIG_X=value or \"# CONFIG_X is not set\", "
					     "got \"%s\"", line);
		}
	}
	_cleanup_free_ char *spath = NULL;
	json_t *strict = field(rd, o, path, "strict_fragment", is_boolean, "a boolean", &spath);
	if (strict)
		k->strict_fragment = json_is_true(strict);
	k->make_vars = read_strings(rd, o, path, "make");
	for (size_t i = 0; k->make_vars && k->make_vars[i]; i++) {
		if (kr_make_var_valid(k->make_vars[i]))
			continue;
		_cleanup_free_ char *mp = kr_json_path_key(path, "make");
		_cleanup_free_ char *ip = kr_json_path_index(mp, i);
		kr_json_report_field(rd, ip, false,
				     "expected VAR=value, got \"%s\"", k->make_vars[i]);
	}
}

void kr_matrix_kernel_clear(struct kr_matrix_kernel *k)
{
	free(k->label);
	free(k->image);
	free(k->vmlinux);
	free(k->source);
	free(k->commit);
	free(k->config_file);
	free(k->config_target);
	free(k->fragment_file);
	kr_strv_free(k->fragment);
	kr_strv_free(k->make_vars);
	*k = (struct kr_matrix_kernel){ .strict_fragment = -1 };
}

/* ----- VM variants ----- */

static void read_vm(struct kr_json_reader *rd, json_t *o, const char *path, struct kr_matrix_vm *v)
{
	static const char *const keys[] = { "label", "smp", "mem_mb", "kvm", NULL };
	*v = (struct kr_matrix_vm){ .kvm = -1 };
	kr_json_reader_check_keys(rd, o, path, keys);
	v->label = read_label(rd, o, path);
	v->smp = read_int(rd, o, path, "smp", 1, 256);
	v->mem_mb = read_int(rd, o, path, "mem_mb", 64, 1 << 20);
	_cleanup_free_ char *kvm = read_string(rd, o, path, "kvm");
	if (!kvm)
		return;
	for (int m = KR_KVM_AUTO; m <= KR_KVM_OFF; m++)
		if (!strcmp(kvm, kr_kvm_mode_to_string((enum kr_kvm_mode)m)))
			v->kvm = m;
	if (v->kvm < 0) {
		_cleanup_free_ char *kp = kr_json_path_key(path, "kvm");
		kr_json_report_field(rd, kp, false, "\"%s\" is not one of auto, on, off", kvm);
	}
}

/* ----- scenarios ----- */

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Expands one scenarios[] entry into files (via kr_scenario_find for
 * directories). */
static void expand_scenarios(struct kr_json_reader *rd, const char *path, const char *entry,
			     char ***files)
{
	/* entries name files beside the matrix: a matrix from elsewhere (a
	 * fork's pull request, say) does not name the host's own files */
	if (entry[0] == '/') {
		kr_json_report_field(rd, path, false,
				     "\"%s\" is an absolute path: write it relative to the matrix file",
				     entry);
		return;
	}
	_cleanup_free_ char *abs = kr_path_absolute(rd->dir, entry);
	_cleanup_strv_free_ char **matches = kr_calloc(1, sizeof(char *));
	if (has_glob(entry)) {
		glob_t g;
		int r = glob(abs, GLOB_ERR, NULL, &g);
		if (r == GLOB_NOMATCH) {
			kr_json_report_field(rd, path, false, "%s matches no file", abs);
			return;
		}
		if (r != 0) {
			kr_json_report_field(rd, path, false, "%s: cannot be expanded", abs);
			return;
		}
		for (size_t i = 0; i < g.gl_pathc; i++)
			kr_strv_push(&matches, kr_strdup(g.gl_pathv[i]));
		globfree(&g);
	} else {
		struct stat st;
		if (stat(abs, &st) < 0) {
			kr_json_report_field(rd, path, false, "%s: %s", abs, strerror(errno));
			return;
		}
		kr_strv_push(&matches, KR_TAKE_PTR(abs));
	}
	struct kr_diags problems = { 0 };
	_cleanup_strv_free_ char **found = NULL;
	if (kr_scenario_find(matches, &found, &problems) == -E2BIG) {
		kr_json_report_field(rd, path, false,
				     "%s: more than %d files below it: not a directory of scenarios",
				     entry, KR_SCENARIO_FIND_MAX);
		kr_diags_clear(&problems);
		return;
	}
	kr_diags_clear(&problems);
	if (!found || !found[0]) {
		kr_json_report_field(rd, path, false, "no scenario files (*.json) in %s", entry);
		return;
	}
	for (size_t i = 0; found[i]; i++) {
		bool dup = false;
		for (size_t k = 0; (*files)[k] && !dup; k++)
			dup = !strcmp((*files)[k], found[i]);
		if (!dup)
			kr_strv_push(files, kr_strdup(found[i]));
	}
}

/* ----- the document ----- */

static void read_root(struct kr_json_reader *rd, json_t *root, struct kr_matrix *m)
{
	static const char *const keys[] = { "kradar_matrix", "description", "scenarios", "kernels",
					    "vm", "baseline", NULL };
	kr_json_reader_check_keys(rd, root, "", keys);
	_cleanup_free_ char *vpath = NULL;
	json_t *version = field(rd, root, "", "kradar_matrix", is_integer, "an integer", &vpath);
	if (!json_object_get(root, "kradar_matrix"))
		kr_json_report_field(rd, "", false, "\"kradar_matrix\" is missing");
	else if (version && json_integer_value(version) != KR_MATRIX_VERSION)
		kr_json_report_field(rd, vpath, false,
				     "version %" JSON_INTEGER_FORMAT " is not %d, the version "
				     "this kradar reads", json_integer_value(version), KR_MATRIX_VERSION);
	free(read_string(rd, root, "", "description"));

	_cleanup_free_ char *spath = NULL;
	json_t *scen = field(rd, root, "", "scenarios", is_array, "an array of strings", &spath);
	if (!json_object_get(root, "scenarios"))
		kr_json_report_field(rd, "", false, "\"scenarios\" is missing");
	else if (scen && json_array_size(scen) == 0)
		kr_json_report_field(rd, spath, false, "no scenarios");
	size_t i;
	json_t *e;
	json_array_foreach(scen, i, e) {
		_cleanup_free_ char *ep = kr_json_path_index(spath, i);
		_cleanup_free_ char *s = expanded(rd, ep, e);
		if (s)
			expand_scenarios(rd, ep, s, &m->scenario_files);
	}

	_cleanup_free_ char *kpath = NULL;
	json_t *kernels = field(rd, root, "", "kernels", is_array, "an array of objects", &kpath);
	m->kernels = kr_calloc(json_array_size(kernels) + 1, sizeof(*m->kernels));
	json_array_foreach(kernels, i, e) {
		_cleanup_free_ char *ep = kr_json_path_index(kpath, i);
		if (!is_object(e)) {
			kr_json_report_field(rd, ep, false,
					     "expected an object, got %s", kr_json_type_name(e));
			continue;
		}
		struct kr_matrix_kernel *k = &m->kernels[m->n_kernels++];
		read_kernel(rd, e, ep, k);
		for (size_t j = 0; k->label && j + 1 < m->n_kernels; j++)
			if (kr_streq_ptr(m->kernels[j].label, k->label))
				kr_json_report_field(rd, ep, false,
						     "label \"%s\" is already kernels[%zu]'s", k->label, j);
	}
	if (kernels && !json_array_size(kernels))
		kr_json_report_field(rd, kpath, false,
				     "no kernels (leave the field out to use each scenario's own)");

	_cleanup_free_ char *vmpath = NULL;
	json_t *vms = field(rd, root, "", "vm", is_array, "an array of objects", &vmpath);
	m->vms = kr_calloc(json_array_size(vms) + 1, sizeof(*m->vms));
	json_array_foreach(vms, i, e) {
		_cleanup_free_ char *ep = kr_json_path_index(vmpath, i);
		if (!is_object(e)) {
			kr_json_report_field(rd, ep, false,
					     "expected an object, got %s", kr_json_type_name(e));
			continue;
		}
		struct kr_matrix_vm *v = &m->vms[m->n_vms++];
		read_vm(rd, e, ep, v);
		for (size_t j = 0; v->label && j + 1 < m->n_vms; j++)
			if (kr_streq_ptr(m->vms[j].label, v->label))
				kr_json_report_field(rd, ep, false,
						     "label \"%s\" is already vm[%zu]'s", v->label, j);
	}
	if (vms && !json_array_size(vms))
		kr_json_report_field(rd, vmpath, false,
				     "no VM variants (leave the field out to use each "
				     "scenario's own)");

	/* The baseline may not exist yet: the first nightly run has none. */
	_cleanup_free_ char *baseline = read_string(rd, root, "", "baseline");
	if (baseline && *baseline)
		m->baseline = kr_path_absolute(rd->dir, baseline);
}

int kr_matrix_load_text(const char *file, const char *text, size_t len,
			struct kr_matrix **out, struct kr_diags *diags)
{
	*out = NULL;
	_cleanup_(kr_matrix_freep) struct kr_matrix *m = kr_calloc(1, sizeof(*m));
	m->file = kr_path_absolute(NULL, file);
	m->dir = kr_path_dirname(m->file);
	m->scenario_files = kr_calloc(1, sizeof(char *));
	struct kr_json_reader rd;
	json_t *root = kr_json_reader_parse(&rd, file, m->dir, text, len, diags);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root))
		kr_json_report_field(&rd, "", false, "a matrix file holds an object, got %s",
				     kr_json_type_name(root));
	else
		read_root(&rd, root, m);
	json_decref(root);
	kr_json_reader_clear(&rd);
	if (rd.errors)
		return -EINVAL;
	*out = KR_TAKE_PTR(m);
	return 0;
}

int kr_matrix_load(const char *path, struct kr_matrix **out, struct kr_diags *diags)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = kr_diags_read_input(diags, path, &text, &len);
	if (r < 0) {
		*out = NULL;
		return r;
	}
	return kr_matrix_load_text(path, text, len, out, diags);
}

bool kr_matrix_file_is_matrix(const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (kr_read_file(path, KR_INPUT_MAX_BYTES, &text, &len) < 0)
		return false;
	json_t *root = json_loadb(text, len, 0, NULL);
	bool is = json_is_object(root) && json_object_get(root, "kradar_matrix");
	json_decref(root);
	return is;
}

void kr_matrix_free(struct kr_matrix *m)
{
	if (!m)
		return;
	free(m->file);
	free(m->dir);
	kr_strv_free(m->scenario_files);
	for (size_t i = 0; i < m->n_kernels; i++)
		kr_matrix_kernel_clear(&m->kernels[i]);
	free(m->kernels);
	for (size_t i = 0; i < m->n_vms; i++)
		free(m->vms[i].label);
	free(m->vms);
	free(m->baseline);
	free(m);
}

/* ----- cells ----- */

static void replace(char **field, const char *value)
{
	free(*field);
	*field = kr_strdup(value);
}

static void replace_strv(char ***field, char *const *value)
{
	kr_strv_free(*field);
	*field = value ? kr_strv_copy(value) : kr_calloc(1, sizeof(char *));
}

int kr_matrix_kernel_apply(const struct kr_matrix_kernel *k, struct kr_scenario *s, char **err)
{
	if (k->image) {
		s->kernel.kind = KR_KERNEL_IMAGE;
		replace(&s->kernel.image, k->image);
		replace(&s->kernel.vmlinux, k->vmlinux);
		replace(&s->kernel.source, NULL);
		replace(&s->kernel.commit, NULL);
		replace(&s->kernel.config_file, NULL);
		replace(&s->kernel.config_target, NULL);
		replace(&s->kernel.fragment_file, NULL);
		replace_strv(&s->kernel.fragment, NULL);
		replace_strv(&s->kernel.make_vars, NULL);
		replace_strv(&s->kernel.modules, NULL); /* built for the scenario's kernel */
		s->kernel.strict_fragment = false;
		replace(&s->kernel.label, k->label);
		return 0;
	}
	if (!k->source && s->kernel.kind != KR_KERNEL_SOURCE) {
		*err = kr_asprintf("kernel \"%s\" has neither image nor source, and scenario %s "
				   "has no kernel.source to build", k->label ? k->label : "?",
				   s->name);
		return -EINVAL;
	}
	if (k->source) {
		/* Another tree: nothing of the scenario's build carries over. */
		s->kernel.kind = KR_KERNEL_SOURCE;
		replace(&s->kernel.image, NULL);
		replace(&s->kernel.vmlinux, NULL);
		replace(&s->kernel.source, k->source);
		replace(&s->kernel.commit, k->commit);
		replace(&s->kernel.config_file, k->config_file);
		replace(&s->kernel.config_target,
			k->config_file ? NULL : k->config_target ? k->config_target : "defconfig");
		replace(&s->kernel.fragment_file, k->fragment_file);
		replace_strv(&s->kernel.fragment, k->fragment);
		replace_strv(&s->kernel.make_vars, k->make_vars);
		replace_strv(&s->kernel.modules, NULL);
		s->kernel.strict_fragment = k->strict_fragment > 0;
	} else {
		if (k->commit)
			replace(&s->kernel.commit, k->commit);
		if (k->config_file || k->config_target) {
			replace(&s->kernel.config_file, k->config_file);
			replace(&s->kernel.config_target, k->config_target);
		}
		if (k->fragment_file || k->fragment) {
			replace(&s->kernel.fragment_file, k->fragment_file);
			replace_strv(&s->kernel.fragment, k->fragment);
		}
		if (k->make_vars)
			replace_strv(&s->kernel.make_vars, k->make_vars);
		if (k->strict_fragment >= 0)
			s->kernel.strict_fragment = k->strict_fragment;
	}
	replace(&s->kernel.label, k->label);
	return 0;
}

void kr_matrix_vm_apply(const struct kr_matrix_vm *v, struct kr_scenario *s)
{
	if (v->smp)
		s->vm.smp = v->smp;
	if (v->mem_mb)
		s->vm.mem_mb = v->mem_mb;
	if (v->kvm >= 0)
		s->vm.kvm = (enum kr_kvm_mode)v->kvm;
}

char *kr_cell_name(const char *scenario, const char *kernel, const char *vm)
{
	return kr_asprintf("%s%s%s%s%s", scenario, kernel ? "@" : "", kernel ? kernel : "",
			   vm ? "@" : "", vm ? vm : "");
}

static void push_cell(struct kr_cell **cells, size_t *n, struct kr_cell c)
{
	*cells = kr_realloc(*cells, (*n + 1) * sizeof(**cells));
	(*cells)[(*n)++] = c;
}

static void cell_free(struct kr_cell *cell)
{
	kr_scenario_free(cell->s);
	free(cell->scenario);
	free(cell->kernel);
	free(cell->vm);
}

void kr_cells_free(struct kr_cell *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cell_free(&cells[i]);
	free(cells);
}

static bool cell_matches(const struct kr_cell *cell, const char *pattern)
{
	return fnmatch(pattern, cell->s->name, 0) == 0 ||
	       (cell->scenario && fnmatch(pattern, cell->scenario, 0) == 0);
}

int kr_cells_filter(struct kr_cell *cells, size_t *n, char *const *patterns, char **err)
{
	*err = NULL;
	for (size_t p = 0; patterns && patterns[p]; p++) {
		bool any = false;
		for (size_t i = 0; i < *n && !any; i++)
			any = cell_matches(&cells[i], patterns[p]);
		if (!any) {
			*err = kr_asprintf("'%s' matches no scenario or cell (of %zu)", patterns[p], *n);
			return -ENOENT;
		}
	}
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		bool keep = false;
		for (size_t p = 0; patterns && patterns[p] && !keep; p++)
			keep = cell_matches(&cells[i], patterns[p]);
		if (keep)
			cells[kept++] = cells[i];
		else
			cell_free(&cells[i]);
	}
	*n = kept;
	return 0;
}

void kr_cells_set_runs(struct kr_cell *cells, size_t n, int runs)
{
	for (size_t i = 0; i < n; i++) {
		cells[i].s->runs = runs;
		cells[i].s->stop_on_hit = false;
	}
}

void kr_cells_shard(const struct kr_cell *cells, size_t n, int total, int *shard_of)
{
	_cleanup_free_ struct kr_shard_item *items = kr_calloc(n + 1, sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i] = (struct kr_shard_item){ cells[i].s->name, kr_shard_cost(cells[i].s) };
	kr_shard_split(items, n, total, shard_of);
}

void kr_cells_from_scenarios(struct kr_scenario **v, struct kr_cell **cells, size_t *n)
{
	*cells = NULL;
	*n = 0;
	for (size_t i = 0; v && v[i]; i++)
		push_cell(cells, n, (struct kr_cell){ .s = v[i] });
	free(v);
}

int kr_matrix_cells(const struct kr_matrix *m, struct kr_cell **out, size_t *n_out,
		    struct kr_diags *diags)
{
	size_t before = diags->n;
	struct kr_cell *cells = NULL;
	size_t n = 0;
	size_t nk = m->n_kernels ? m->n_kernels : 1, nv = m->n_vms ? m->n_vms : 1;
	for (size_t f = 0; m->scenario_files[f]; f++) {
		/* Each cell loads the file anew: a scenario of its own. */
		for (size_t k = 0; k < nk; k++) {
			for (size_t v = 0; v < nv; v++) {
				struct kr_scenario *s = NULL;
				if (kr_scenario_load(m->scenario_files[f], &s, diags) < 0)
					goto next_file;
				const struct kr_matrix_kernel *ke = m->n_kernels ? &m->kernels[k] : NULL;
				const struct kr_matrix_vm *ve = m->n_vms ? &m->vms[v] : NULL;
				_cleanup_free_ char *err = NULL;
				if (ke && kr_matrix_kernel_apply(ke, s, &err) < 0) {
					kr_diags_add(diags, m->file, ke->line, ke->column,
						     "kernels", "%s", err);
					kr_scenario_free(s);
					continue;
				}
				if (ve)
					kr_matrix_vm_apply(ve, s);
				struct kr_cell c = { .s = s, .scenario = kr_strdup(s->name),
						     .kernel = kr_strdup(ke ? ke->label : NULL),
						     .vm = kr_strdup(ve ? ve->label : NULL) };
				char *name = kr_cell_name(c.scenario, c.kernel, c.vm);
				free(s->name);
				s->name = name;
				for (size_t i = 0; i < n; i++) {
					if (strcmp(cells[i].scenario, c.scenario) || k || v)
						continue;
					kr_diags_add(diags, s->file, s->name_line, s->name_column,
						     "name", "\"%s\" is already the name of %s",
						     c.scenario, cells[i].s->file);
					break;
				}
				push_cell(&cells, &n, c);
			}
		}
next_file:;
	}
	if (diags->n > before) {
		kr_cells_free(cells, n);
		*out = NULL;
		*n_out = 0;
		return -EINVAL;
	}
	*out = cells;
	*n_out = n;
	return 0;
}

int kr_cells_load(char *const *args, struct kr_cell **cells, size_t *n,
		  struct kr_matrix **matrix, struct kr_diags *diags)
{
	*cells = NULL;
	*n = 0;
	*matrix = NULL;
	if (args[0] && !args[1] && kr_matrix_file_is_matrix(args[0])) {
		int r = kr_matrix_load(args[0], matrix, diags);
		return r < 0 ? r : kr_matrix_cells(*matrix, cells, n, diags);
	}
	for (size_t i = 0; args[i]; i++) {
		if (!kr_matrix_file_is_matrix(args[i]))
			continue;
		kr_diags_add(diags, args[i], 1, 1, "", "a matrix file runs alone, without other "
			     "scenarios or matrices on the command line");
		return -EINVAL;
	}
	struct kr_scenario **scenarios = NULL;
	int r = kr_scenario_load_all(args, &scenarios, diags);
	kr_cells_from_scenarios(scenarios, cells, n);
	return r;
}
