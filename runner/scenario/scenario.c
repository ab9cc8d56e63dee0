/* SPDX-License-Identifier: MIT */
#include "scenario.h"

#include <jansson.h>
#include <limits.h>
#include <string.h>

#include "json-pos.h"
#include "json-read.h"
#include "fragment.h"
#include "regex.h"
#include "syzbot.h"
#include "syzprog.h"

static void wrong_type(struct kr_json_reader *l, const char *path, const json_t *v,
		       const char *want)
{
	kr_json_report_field(l, path, false, "expected %s, got %s", want, kr_json_type_name(v));
}

/* ----- typed readers: each returns 1 when the field was read, 0 when it is
 * absent (out untouched), -1 when it is present but wrong (reported). ----- */

static int read_string(struct kr_json_reader *l, json_t *obj, const char *parent, const char *key,
		       char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	_cleanup_free_ char *path = kr_json_path_key(parent, key);
	_cleanup_free_ char *s = NULL;
	int r = kr_json_reader_string(l, path, v, &s);
	if (r > 0) {
		free(*out);
		*out = KR_TAKE_PTR(s);
	}
	return r;
}

/* A string that must be one of names[]; *out gets its index. */
static int read_enum(struct kr_json_reader *l, json_t *obj, const char *parent, const char *key,
		     const char *const *names, size_t n_names, int *out)
{
	_cleanup_free_ char *v = NULL;
	int r = read_string(l, obj, parent, key, &v);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < n_names; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 1;
		}
	}
	struct kr_buf list = KR_BUF_INIT(4096);
	for (size_t i = 0; i < n_names; i++)
		kr_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
	_cleanup_free_ char *path = kr_json_path_key(parent, key);
	kr_json_report_field(l, path, false, "\"%s\" is not one of %s", v, list.data);
	kr_buf_free(&list);
	return -1;
}

static int read_bool(struct kr_json_reader *l, json_t *obj, const char *parent, const char *key,
		     bool *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v)) {
		_cleanup_free_ char *path = kr_json_path_key(parent, key);
		wrong_type(l, path, v, "a boolean");
		return -1;
	}
	*out = json_is_true(v);
	return 1;
}

static int read_int(struct kr_json_reader *l, json_t *obj, const char *parent, const char *key,
		    long long min, long long max, long long *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	_cleanup_free_ char *path = kr_json_path_key(parent, key);
	if (!json_is_integer(v)) {
		wrong_type(l, path, v, "an integer");
		return -1;
	}
	long long n = json_integer_value(v);
	if (n < min || n > max) {
		kr_json_report_field(l, path, false,
				     "%lld is out of range [%lld, %lld]", n, min, max);
		return -1;
	}
	*out = n;
	return 1;
}

static int read_seconds(struct kr_json_reader *l, json_t *obj, const char *parent, const char *key,
			double min, double max, double *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	_cleanup_free_ char *path = kr_json_path_key(parent, key);
	if (!json_is_number(v)) {
		wrong_type(l, path, v, "a number");
		return -1;
	}
	double d = json_number_value(v);
	if (!(d >= min && d <= max)) {
		kr_json_report_field(l, path, false, "%g is out of range [%g, %g]", d, min, max);
		return -1;
	}
	*out = d;
	return 1;
}

/* An array of strings (or one string where allow_single) into *vout. */
static int read_strings(struct kr_json_reader *l, json_t *obj, const char *parent, const char *key,
			bool allow_single, char ***vout)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	_cleanup_free_ char *path = kr_json_path_key(parent, key);
	_cleanup_strv_free_ char **list = kr_calloc(1, sizeof(char *));
	if (allow_single && json_is_string(v)) {
		char *s = NULL;
		if (kr_json_reader_string(l, path, v, &s) < 0)
			return -1;
		kr_strv_push(&list, s);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;
		int bad = 0;
		json_array_foreach(v, i, e) {
			_cleanup_free_ char *ep = kr_json_path_index(path, i);
			char *s = NULL;
			if (kr_json_reader_string(l, ep, e, &s) < 0) {
				bad = 1;
				continue;
			}
			kr_strv_push(&list, s);
		}
		if (bad)
			return -1;
	} else {
		wrong_type(l, path, v, allow_single ? "a string or an array of strings" :
						      "an array of strings");
		return -1;
	}
	kr_strv_free(*vout);
	*vout = KR_TAKE_PTR(list);
	return 1;
}

static char *join_lines(char **v, const char *sep)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			kr_buf_adds(&b, sep);
		kr_buf_adds(&b, v[i]);
	}
	return kr_buf_steal(&b);
}

static int read_path(struct kr_json_reader *l, json_t *obj, const char *parent, const char *key,
		     enum kr_json_path_kind kind, bool allow_url, char **out)
{
	_cleanup_free_ char *raw = NULL;
	int r = read_string(l, obj, parent, key, &raw);
	if (r <= 0)
		return r;
	_cleanup_free_ char *path = kr_json_path_key(parent, key);
	char *abs = NULL;
	r = kr_json_reader_path(l, path, raw, kind, allow_url, &abs);
	if (r > 0) {
		free(*out);
		*out = abs;
	}
	return r;
}

/* An object member that must itself be an object; returns NULL (reported
 * when present but of another type) otherwise. */
static json_t *get_object(struct kr_json_reader *l, json_t *obj, const char *parent,
			  const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return NULL;
	if (!json_is_object(v)) {
		_cleanup_free_ char *path = kr_json_path_key(parent, key);
		wrong_type(l, path, v, "an object");
		return NULL;
	}
	return v;
}

static void missing(struct kr_json_reader *l, const char *parent, const char *key)
{
	_cleanup_free_ char *path = kr_json_path_key(parent, key);
	kr_json_report(l, kr_json_pos_value(l->pos, parent), path, "missing required field");
}

static int compile_check(struct kr_json_reader *l, const char *path, const char *pattern)
{
	struct kr_regex *re = NULL;
	_cleanup_free_ char *err = NULL;
	if (kr_regex_new(pattern, 0, &re, &err) < 0) {
		kr_json_report_field(l, path, false, "invalid regular expression: %s", err);
		return -1;
	}
	kr_regex_free(re);
	return 0;
}

/* ----- sections ----- */

static void load_kernel(struct kr_json_reader *l, json_t *root, struct kr_scenario *s)
{
	static const char *const keys[] = { "image", "vmlinux", "source", "commit", "config",
					    "fragment", "strict_fragment", "make", "label", "modules",
					    NULL };
	json_t *k = get_object(l, root, "", "kernel");
	if (!k) {
		if (!json_object_get(root, "kernel"))
			missing(l, "", "kernel");
		return;
	}
	kr_json_reader_check_keys(l, k, "kernel", keys);

	bool has_image = json_object_get(k, "image"), has_source = json_object_get(k, "source");
	if (has_image && has_source) {
		kr_json_report_field(l, "kernel.source", true,
				     "kernel.image and kernel.source are mutually exclusive");
	} else if (!has_image && !has_source) {
		kr_json_report_field(l, "kernel", false, "needs kernel.image or kernel.source");
	}

	if (has_image && !has_source) {
		s->kernel.kind = KR_KERNEL_IMAGE;
		read_path(l, k, "kernel", "image", KR_JSON_PATH_FILE, true, &s->kernel.image);
		read_path(l, k, "kernel", "vmlinux", KR_JSON_PATH_FILE, true, &s->kernel.vmlinux);
		static const char *const source_only[] = { "commit", "config", "fragment",
							   "strict_fragment", "make", NULL };
		for (const char *const *f = source_only; *f; f++) {
			if (!json_object_get(k, *f))
				continue;
			_cleanup_free_ char *p = kr_json_path_key("kernel", *f);
			kr_json_report_field(l, p, true, "applies to kernel.source only");
		}
	} else if (has_source && !has_image) {
		s->kernel.kind = KR_KERNEL_SOURCE;
		read_path(l, k, "kernel", "source", KR_JSON_PATH_ANY, false, &s->kernel.source);
		if (read_string(l, k, "kernel", "commit", &s->kernel.commit) > 0 &&
		    !kr_str_in_charset(s->kernel.commit, "._-/^~")) {
			kr_json_report_field(l, "kernel.commit", false,
					     "\"%s\" is not a git revision", s->kernel.commit);
		}
		_cleanup_free_ char *config = NULL;
		if (read_string(l, k, "kernel", "config", &config) > 0) {
			/* A bare make target (defconfig, tinyconfig, ...) or a
			 * file; "./defconfig" names a file called defconfig. */
			if (kr_config_is_make_target(config))
				s->kernel.config_target = KR_TAKE_PTR(config);
			else
				kr_json_reader_path(l, "kernel.config", config, KR_JSON_PATH_FILE, false,
					     &s->kernel.config_file);
		} else if (!json_object_get(k, "config")) {
			s->kernel.config_target = kr_strdup("defconfig");
		}
		json_t *frag = json_object_get(k, "fragment");
		if (json_is_string(frag)) {
			read_path(l, k, "kernel", "fragment", KR_JSON_PATH_FILE, false,
				  &s->kernel.fragment_file);
		} else if (frag && read_strings(l, k, "kernel", "fragment", false,
						&s->kernel.fragment) > 0) {
			for (size_t i = 0; s->kernel.fragment[i]; i++) {
				const char *line = s->kernel.fragment[i];
				if (kr_kconfig_line_valid(line))
					continue;
				_cleanup_free_ char *p = kr_json_path_index("kernel.fragment", i);
				kr_json_report_field(l, p, false,
						     "expected CONFIG_X=y|m|n|value or \"# CONFIG_X is not set\", got \"%s\"",
						     line);
			}
		}
		read_bool(l, k, "kernel", "strict_fragment", &s->kernel.strict_fragment);
		if (read_strings(l, k, "kernel", "make", false, &s->kernel.make_vars) > 0) {
			for (size_t i = 0; s->kernel.make_vars[i]; i++) {
				if (kr_make_var_valid(s->kernel.make_vars[i]))
					continue;
				_cleanup_free_ char *p = kr_json_path_index("kernel.make", i);
				kr_json_report_field(l, p, false, "expected VAR=value, got \"%s\"",
						     s->kernel.make_vars[i]);
			}
		}
		if (json_object_get(k, "vmlinux"))
			kr_json_report_field(l, "kernel.vmlinux", true,
					     "applies to kernel.image only (a source build makes its own)");
	}
	/* .ko files with debug info: their frames in reports get source lines */
	_cleanup_strv_free_ char **modules = NULL;
	if (read_strings(l, k, "kernel", "modules", false, &modules) > 0) {
		for (size_t i = 0; modules[i]; i++) {
			_cleanup_free_ char *p = kr_json_path_index("kernel.modules", i);
			char *abs = NULL;
			if (kr_json_reader_path(l, p, modules[i], KR_JSON_PATH_FILE, false, &abs) > 0)
				kr_strv_push(&s->kernel.modules, abs);
		}
	}
	if (read_string(l, k, "kernel", "label", &s->kernel.label) > 0 &&
	    !kr_name_ok(s->kernel.label))
		kr_json_report_field(l, "kernel.label", false,
				     "\"%s\" must match [A-Za-z0-9._-]+ (not . or ..)", s->kernel.label);
}

static void load_disk(struct kr_json_reader *l, json_t *root, struct kr_scenario *s)
{
	json_t *d = json_object_get(root, "disk");
	if (!d)
		return;
	if (json_is_string(d)) {
		read_path(l, root, "", "disk", KR_JSON_PATH_FILE, true, &s->disk.image);
		return;
	}
	if (!json_is_object(d)) {
		wrong_type(l, "disk", d, "a string or an object");
		return;
	}
	static const char *const keys[] = { "image", "root", "ssh_user", "ssh_key", NULL };
	kr_json_reader_check_keys(l, d, "disk", keys);
	if (!json_object_get(d, "image"))
		missing(l, "disk", "image");
	read_path(l, d, "disk", "image", KR_JSON_PATH_FILE, true, &s->disk.image);
	read_string(l, d, "disk", "root", &s->disk.root);
	read_string(l, d, "disk", "ssh_user", &s->disk.ssh_user);
	read_path(l, d, "disk", "ssh_key", KR_JSON_PATH_FILE, false, &s->disk.ssh_key);
}

static void load_repro(struct kr_json_reader *l, json_t *root, struct kr_scenario *s)
{
	static const char *const keys[] = { "syz", "c", "sh", "files", NULL };
	json_t *r = get_object(l, root, "", "repro");
	if (!r) {
		if (!json_object_get(root, "repro"))
			missing(l, "", "repro");
		return;
	}
	kr_json_reader_check_keys(l, r, "repro", keys);

	/* Exactly one kind; the first in document order wins and every
	 * further one is reported at its key. */
	static const char *const kinds[] = { "syz", "c", "sh" };
	const char *chosen = NULL;
	struct kr_json_pos chosen_pos = { 0, 0 };
	for (size_t i = 0; i < KR_ARRAY_SIZE(kinds); i++) {
		if (!json_object_get(r, kinds[i]))
			continue;
		_cleanup_free_ char *p = kr_json_path_key("repro", kinds[i]);
		struct kr_json_pos pos = kr_json_pos_key(l->pos, p);
		if (!chosen || pos.line < chosen_pos.line ||
		    (pos.line == chosen_pos.line && pos.column < chosen_pos.column)) {
			chosen = kinds[i];
			chosen_pos = pos;
		}
	}
	if (!chosen) {
		kr_json_report_field(l, "repro", false,
				     "needs one of repro.syz, repro.c, repro.sh");
	}
	for (size_t i = 0; chosen && i < KR_ARRAY_SIZE(kinds); i++) {
		if (kinds[i] == chosen || !json_object_get(r, kinds[i]))
			continue;
		_cleanup_free_ char *p = kr_json_path_key("repro", kinds[i]);
		kr_json_report_field(l, p, true,
				     "repro.%s and repro.%s are mutually exclusive: give one",
				     chosen, kinds[i]);
	}
	if (chosen && !strcmp(chosen, "syz")) {
		s->repro.kind = KR_REPRO_SYZ;
		read_path(l, r, "repro", "syz", KR_JSON_PATH_FILE, false, &s->repro.file);
	} else if (chosen && !strcmp(chosen, "c")) {
		s->repro.kind = KR_REPRO_C;
		read_path(l, r, "repro", "c", KR_JSON_PATH_FILE, false, &s->repro.file);
	} else if (chosen) {
		s->repro.kind = KR_REPRO_SH;
		_cleanup_strv_free_ char **lines = NULL;
		if (read_strings(l, r, "repro", "sh", true, &lines) > 0)
			s->repro.sh = join_lines(lines, "\n");
	}

	json_t *files = json_object_get(r, "files");
	if (files && !json_is_object(files)) {
		wrong_type(l, "repro.files", files, "an object (host file -> guest path)");
	} else if (files) {
		s->repro.files = kr_calloc(json_object_size(files) + 1, sizeof(*s->repro.files));
		const char *key;
		json_t *v;
		json_object_foreach(files, key, v) {
			_cleanup_free_ char *p = kr_json_path_key("repro.files", key);
			_cleanup_free_ char *host = NULL, *host_abs = NULL, *guest = NULL;
			if (kr_json_reader_expand(l, p, key, &host) < 0 ||
			    kr_json_reader_string(l, p, v, &guest) < 0)
				continue;
			if (guest[0] != '/' || !kr_relpath_ok(guest + 1)) {
				kr_json_report_field(l, p, false,
						     "guest path \"%s\" must be absolute, without "
						     "\".\", \"..\" or empty parts", guest);
				continue;
			}
			if (kr_json_reader_path(l, p, host, KR_JSON_PATH_ANY, false, &host_abs) < 0)
				continue;
			s->repro.files[s->repro.n_files++] = (struct kr_file_copy){
				KR_TAKE_PTR(host_abs), KR_TAKE_PTR(guest)
			};
		}
	}
}

static void load_settings(struct kr_json_reader *l, json_t *obj, const char *path,
			  bool (*key_ok)(const char *),
			  const char *key_rule, struct kr_setting **out, size_t *n_out)
{
	*out = kr_calloc(json_object_size(obj) + 1, sizeof(**out));
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		_cleanup_free_ char *p = kr_json_path_key(path, key);
		if (!key_ok(key)) {
			kr_json_report_field(l, p, true, "invalid name: %s", key_rule);
			continue;
		}
		struct kr_setting st = { .key = kr_strdup(key) };
		if (json_is_boolean(v)) {
			st.type = KR_VALUE_BOOL;
			st.b = json_is_true(v);
			st.s = kr_strdup(st.b ? "true" : "false");
		} else if (json_is_integer(v)) {
			st.type = KR_VALUE_INT;
			st.i = json_integer_value(v);
			st.s = kr_asprintf("%lld", st.i);
		} else if (json_is_string(v)) {
			st.type = KR_VALUE_STRING;
			if (kr_json_reader_string(l, p, v, &st.s) < 0) {
				free(st.key);
				continue;
			}
		} else {
			wrong_type(l, p, v, "a boolean, an integer or a string");
			free(st.key);
			continue;
		}
		(*out)[(*n_out)++] = st;
	}
}

static bool option_key_ok(const char *k)
{
	return kr_str_in_charset(k, "_");
}

static bool sysctl_key_ok(const char *k)
{
	return kr_str_in_charset(k, "_./-") && k[0] != '.' && k[0] != '/' && !strstr(k, "..");
}

static void load_execprog(struct kr_json_reader *l, json_t *root, struct kr_scenario *s)
{
	static const char *const keys[] = { "procs",  "threaded", "repeat", "sandbox", "enable",
					    "disable", "bin",     "options", NULL };
	json_t *e = get_object(l, root, "", "execprog");
	if (!e)
		return;
	kr_json_reader_check_keys(l, e, "execprog", keys);
	if (s->repro.kind != KR_REPRO_SYZ && json_object_get(root, "repro") &&
	    json_object_size(e) > 0)
		kr_json_report_field(l, "execprog", true, "applies to repro.syz only");

	long long n;
	if (read_int(l, e, "execprog", "procs", 1, 64, &n) > 0)
		s->execprog.procs = (int)n;
	bool b;
	if (read_bool(l, e, "execprog", "threaded", &b) > 0)
		s->execprog.threaded = b;
	if (read_int(l, e, "execprog", "repeat", 0, 1000000000, &n) > 0)
		s->execprog.repeat = (long)n;
	static const char *const sandboxes[] = { "none", "setuid", "namespace", "android" };
	int sandbox;
	if (read_enum(l, e, "execprog", "sandbox", sandboxes, KR_ARRAY_SIZE(sandboxes), &sandbox) > 0)
		s->execprog.sandbox = kr_strdup(sandboxes[sandbox]);
	static const char *const lists[] = { "enable", "disable" };
	for (size_t k = 0; k < 2; k++) {
		char ***v = k == 0 ? &s->execprog.enable : &s->execprog.disable;
		if (read_strings(l, e, "execprog", lists[k], false, v) <= 0)
			continue;
		for (size_t i = 0; (*v)[i]; i++) {
			if (kr_str_in_charset((*v)[i], "_"))
				continue;
			_cleanup_free_ char *lp = kr_json_path_key("execprog", lists[k]);
			_cleanup_free_ char *p = kr_json_path_index(lp, i);
			kr_json_report_field(l, p, false, "\"%s\" is not a feature name", (*v)[i]);
		}
	}
	read_path(l, e, "execprog", "bin", KR_JSON_PATH_DIR, false, &s->execprog.bin);
	json_t *opts = json_object_get(e, "options");
	if (opts && !json_is_object(opts))
		wrong_type(l, "execprog.options", opts, "an object");
	else if (opts)
		load_settings(l, opts, "execprog.options", option_key_ok, "letters, digits and _",
			      &s->execprog.options, &s->execprog.n_options);
	/* Options kradar knows must have their type (syzprog.h). */
	for (size_t i = 0; i < s->execprog.n_options; i++) {
		const char *want = kr_syzprog_option_type_error(&s->execprog.options[i]);
		if (!want)
			continue;
		_cleanup_free_ char *p = kr_json_path_key("execprog.options",
							  s->execprog.options[i].key);
		kr_json_report_field(l, p, false, "expected %s", want);
	}
}

static void load_vm(struct kr_json_reader *l, json_t *root, struct kr_scenario *s)
{
	static const char *const keys[] = { "kvm",  "smp",	  "mem_mb", "cmdline",
					    "qemu", "args", "warm_start", NULL };
	json_t *v = get_object(l, root, "", "vm");
	if (!v)
		return;
	kr_json_reader_check_keys(l, v, "vm", keys);
	static const char *const kvm_modes[] = { [KR_KVM_AUTO] = "auto", [KR_KVM_ON] = "on",
						  [KR_KVM_OFF] = "off" };
	int mode;
	if (read_enum(l, v, "vm", "kvm", kvm_modes, KR_ARRAY_SIZE(kvm_modes), &mode) > 0)
		s->vm.kvm = (enum kr_kvm_mode)mode;
	long long n;
	if (read_int(l, v, "vm", "smp", 1, 256, &n) > 0)
		s->vm.smp = (int)n;
	if (read_int(l, v, "vm", "mem_mb", 64, 1 << 20, &n) > 0)
		s->vm.mem_mb = (int)n;
	_cleanup_strv_free_ char **cmdline = NULL;
	if (read_strings(l, v, "vm", "cmdline", true, &cmdline) > 0) {
		free(s->vm.cmdline);
		s->vm.cmdline = join_lines(cmdline, " ");
	}
	read_string(l, v, "vm", "qemu", &s->vm.qemu);
	read_strings(l, v, "vm", "args", false, &s->vm.args);
	read_bool(l, v, "vm", "warm_start", &s->vm.warm_start);
}

static void load_timeouts(struct kr_json_reader *l, json_t *root, struct kr_scenario *s)
{
	static const char *const keys[] = { "boot", "run", "no_output", "grace", "settle",
					    "tcg_factor", NULL };
	json_t *t = get_object(l, root, "", "timeouts");
	if (!t)
		return;
	kr_json_reader_check_keys(l, t, "timeouts", keys);
	const double week = 7 * 86400;
	read_seconds(l, t, "timeouts", "boot", 1, week, &s->timeouts.boot);
	read_seconds(l, t, "timeouts", "run", 1, week, &s->timeouts.run);
	read_seconds(l, t, "timeouts", "no_output", 1, week, &s->timeouts.no_output);
	read_seconds(l, t, "timeouts", "grace", 0, 600, &s->timeouts.grace);
	read_seconds(l, t, "timeouts", "settle", 0, week, &s->timeouts.settle);
	read_seconds(l, t, "timeouts", "tcg_factor", 1, 100, &s->timeouts.tcg_factor);
}

static void load_expect(struct kr_json_reader *l, json_t *root, struct kr_scenario *s)
{
	static const char *const keys[] = { "verdict", "title", "titles", "title_regex", "match",
					    NULL };
	json_t *e = get_object(l, root, "", "expect");
	if (!e)
		return;
	kr_json_reader_check_keys(l, e, "expect", keys);
	static const char *const verdicts[] = { [KR_EXPECT_REPRODUCED] = "reproduced",
						 [KR_EXPECT_CLEAN] = "clean",
						 [KR_EXPECT_FIXED] = "fixed" };
	int verdict;
	if (read_enum(l, e, "expect", "verdict", verdicts, KR_ARRAY_SIZE(verdicts), &verdict) > 0)
		s->expect.verdict = (enum kr_expect_verdict)verdict;
	_cleanup_free_ char *title = NULL;
	if (read_string(l, e, "expect", "title", &title) > 0) {
		if (!*title)
			kr_json_report_field(l, "expect.title", false, "empty title");
		else
			kr_strv_push(&s->expect.titles, KR_TAKE_PTR(title));
	}
	_cleanup_strv_free_ char **titles = NULL;
	if (read_strings(l, e, "expect", "titles", false, &titles) > 0)
		for (size_t i = 0; titles[i]; i++)
			kr_strv_push(&s->expect.titles, kr_strdup(titles[i]));
	if (read_string(l, e, "expect", "title_regex", &s->expect.title_regex) > 0)
		compile_check(l, "expect.title_regex", s->expect.title_regex);
	static const char *const matches[] = { [KR_EXPECT_MATCH_FRAME] = "frame",
						[KR_EXPECT_MATCH_EXACT] = "exact" };
	int match;
	if (read_enum(l, e, "expect", "match", matches, KR_ARRAY_SIZE(matches), &match) > 0)
		s->expect.match = (enum kr_expect_match)match;
}

static void load_root(struct kr_json_reader *l, json_t *root, struct kr_scenario *s)
{
	static const char *const keys[] = { "kradar", "name",     "extid",   "description",
					    "kernel", "disk",     "repro",   "execprog",
					    "vm",     "sysctl",   "timeouts", "expect",
					    "watch",  "runs",     "stop_on_hit", NULL };
	kr_json_reader_check_keys(l, root, "", keys);

	long long version;
	json_t *kv = json_object_get(root, "kradar");
	if (!kv) {
		missing(l, "", "kradar");
	} else if (read_int(l, root, "", "kradar", LLONG_MIN, LLONG_MAX, &version) > 0) {
		if (version != 1)
			kr_json_report_field(l, "kradar", false,
					     "unsupported format version %lld (this kradar reads version 1)",
					     version);
		s->version = (int)version;
	}

	struct kr_json_pos name_pos = kr_json_pos_value(l->pos, "name");
	s->name_line = name_pos.line;
	s->name_column = name_pos.column;
	if (!json_object_get(root, "name"))
		missing(l, "", "name");
	else if (read_string(l, root, "", "name", &s->name) > 0 && !kr_name_ok(s->name))
		kr_json_report_field(l, "name", false, "\"%s\" must match [A-Za-z0-9._-]+ (not . or ..)",
				     s->name);
	if (read_string(l, root, "", "extid", &s->extid) > 0 &&
	    !kr_syzbot_is_extid(s->extid, strlen(s->extid)))
		kr_json_report_field(l, "extid", false,
				     "\"%s\" is not a syzbot extid (20 lowercase hex digits)", s->extid);
	read_string(l, root, "", "description", &s->description);

	load_kernel(l, root, s);
	load_disk(l, root, s);
	load_repro(l, root, s);
	load_execprog(l, root, s);
	load_vm(l, root, s);
	json_t *sysctl = json_object_get(root, "sysctl");
	if (sysctl && !json_is_object(sysctl))
		wrong_type(l, "sysctl", sysctl, "an object (name -> value)");
	else if (sysctl)
		load_settings(l, sysctl, "sysctl", sysctl_key_ok,
			      "a /proc/sys name such as kernel.hung_task_timeout_secs", &s->sysctl,
			      &s->n_sysctl);
	load_timeouts(l, root, s);
	load_expect(l, root, s);

	if (read_strings(l, root, "", "watch", false, &s->watch) > 0)
		for (size_t i = 0; s->watch[i]; i++) {
			_cleanup_free_ char *p = kr_json_path_index("watch", i);
			compile_check(l, p, s->watch[i]);
		}
	long long runs;
	if (read_int(l, root, "", "runs", 1, 100000, &runs) > 0)
		s->runs = (int)runs;
	read_bool(l, root, "", "stop_on_hit", &s->stop_on_hit);
}

static struct kr_scenario *scenario_new(const char *file)
{
	struct kr_scenario *s = kr_calloc(1, sizeof(*s));
	s->file = kr_path_absolute(NULL, file);
	s->dir = kr_path_dirname(s->file);
	s->description = kr_strdup("");
	s->kernel.fragment = kr_calloc(1, sizeof(char *));
	s->kernel.make_vars = kr_calloc(1, sizeof(char *));
	s->kernel.modules = kr_calloc(1, sizeof(char *));
	s->disk.root = kr_strdup("/dev/sda1");
	s->disk.ssh_user = kr_strdup("root");
	s->execprog.procs = -1;
	s->execprog.threaded = -1;
	s->execprog.repeat = -1;
	s->execprog.enable = kr_calloc(1, sizeof(char *));
	s->execprog.disable = kr_calloc(1, sizeof(char *));
	s->vm.kvm = KR_KVM_AUTO;
	s->vm.smp = 2;
	s->vm.mem_mb = 1024;
	s->vm.cmdline = kr_strdup("");
	s->vm.qemu = kr_strdup("qemu-system-x86_64");
	s->vm.args = kr_calloc(1, sizeof(char *));
	s->timeouts.boot = 120;
	s->timeouts.run = 600;
	s->timeouts.no_output = 300;
	s->timeouts.grace = 5;
	s->timeouts.settle = -1; /* from the detectors (detectors.h) */
	s->timeouts.tcg_factor = 3;
	s->expect.verdict = KR_EXPECT_REPRODUCED;
	s->expect.titles = kr_calloc(1, sizeof(char *));
	s->watch = kr_calloc(1, sizeof(char *));
	s->runs = 1;
	s->stop_on_hit = true;
	return s;
}

static int cmp_position(const void *a, const void *b)
{
	const struct kr_diag *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return strcmp(x->path, y->path);
}

int kr_scenario_load_text(const char *file, const char *text, size_t len,
			  struct kr_scenario **out, struct kr_diags *diags)
{
	_cleanup_scenario_free_ struct kr_scenario *s = scenario_new(file);
	size_t first = diags->n;
	struct kr_json_reader l;
	json_t *root = kr_json_reader_parse(&l, file, s->dir, text, len, diags);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root))
		kr_json_report_field(&l, "", false, "a scenario is a JSON object, got %s",
				     kr_json_type_name(root));
	else
		load_root(&l, root, s);
	json_decref(root);
	kr_json_reader_clear(&l);
	/* Checks run section by section; report in document order. */
	if (diags->n > first)
		qsort(diags->items + first, diags->n - first, sizeof(*diags->items), cmp_position);
	if (l.errors)
		return -EINVAL;
	*out = KR_TAKE_PTR(s);
	return 0;
}

int kr_scenario_load(const char *path, struct kr_scenario **out, struct kr_diags *diags)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = kr_diags_read_input(diags, path, &text, &len);
	if (r < 0)
		return r;
	return kr_scenario_load_text(path, text, len, out, diags);
}

static void settings_free(struct kr_setting *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].s);
	}
	free(v);
}

void kr_scenario_free(struct kr_scenario *s)
{
	if (!s)
		return;
	free(s->file);
	free(s->dir);
	free(s->name);
	free(s->extid);
	free(s->description);
	free(s->kernel.image);
	free(s->kernel.vmlinux);
	free(s->kernel.source);
	free(s->kernel.commit);
	free(s->kernel.config_file);
	free(s->kernel.config_target);
	free(s->kernel.fragment_file);
	kr_strv_free(s->kernel.fragment);
	kr_strv_free(s->kernel.make_vars);
	kr_strv_free(s->kernel.modules);
	free(s->kernel.label);
	free(s->disk.image);
	free(s->disk.root);
	free(s->disk.ssh_user);
	free(s->disk.ssh_key);
	free(s->repro.file);
	free(s->repro.sh);
	for (size_t i = 0; i < s->repro.n_files; i++) {
		free(s->repro.files[i].host);
		free(s->repro.files[i].guest);
	}
	free(s->repro.files);
	free(s->execprog.sandbox);
	kr_strv_free(s->execprog.enable);
	kr_strv_free(s->execprog.disable);
	free(s->execprog.bin);
	settings_free(s->execprog.options, s->execprog.n_options);
	free(s->vm.cmdline);
	free(s->vm.qemu);
	kr_strv_free(s->vm.args);
	settings_free(s->sysctl, s->n_sysctl);
	kr_strv_free(s->expect.titles);
	free(s->expect.title_regex);
	kr_strv_free(s->watch);
	free(s);
}

bool kr_config_is_make_target(const char *value)
{
	return kr_str_endswith(value, "config") && kr_str_in_charset(value, "_") &&
	       strpbrk(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == NULL;
}

bool kr_make_var_valid(const char *v)
{
	const char *eq = strchr(v, '=');
	if (!eq)
		return false;
	_cleanup_free_ char *name = kr_strndup(v, (size_t)(eq - v));
	return kr_str_in_charset(name, "_");
}

const char *kr_kvm_mode_to_string(enum kr_kvm_mode m)
{
	static const char *const names[] = { "auto", "on", "off" };
	return names[m];
}

const char *kr_expect_verdict_to_string(enum kr_expect_verdict v)
{
	static const char *const names[] = { "reproduced", "clean", "fixed" };
	return names[v];
}
