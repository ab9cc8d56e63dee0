/* SPDX-License-Identifier: MIT */
/* What determines a kernel besides its tree: the toolchain, make
 * variables, the config fragment, and the cache keys and inputs file made
 * of them. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kbuild-internal.h"

/* ----- toolchain, make variables, inputs ----- */

const char *kb_make_var(struct kb *b, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;
	for (size_t i = 0; b->make_vars[i]; i++)
		if (!strncmp(b->make_vars[i], name, n) && b->make_vars[i][n] == '=')
			v = b->make_vars[i] + n + 1;
	return v;
}

static int tool_version(struct kb *b, const char *tool, bool required, char **out)
{
	char *argv[] = { (char *)tool, "--version", NULL };
	_cleanup_free_ char *text = NULL;
	int status = 0;
	int r = kb_run_capture(b, argv, NULL, &text, &status);
	if (r < 0 && !required) {
		free(*b->err);
		*b->err = NULL;
		*out = kr_asprintf("%s: not found", tool);
		return 0;
	}
	if (r < 0)
		return r;
	if (status && required)
		return kb_fail(b, -ENOENT, "'%s --version' failed (status %d)", tool, status);
	text[strcspn(text, "\n")] = '\0';
	*out = kr_strdup(text);
	return 0;
}

int kb_toolchain(struct kb *b)
{
	const char *arch = kb_make_var(b, "ARCH");
	if (arch && strcmp(arch, "x86_64") && strcmp(arch, "x86") && strcmp(arch, "i386"))
		return kb_fail(b, -EINVAL, "kernel.make: ARCH=%s: kradar builds x86 kernels only", arch);
	const char *cross = kb_make_var(b, "CROSS_COMPILE");
	const char *llvm = kb_make_var(b, "LLVM");
	const char *cc = kb_make_var(b, "CC"), *ld = kb_make_var(b, "LD");
	_cleanup_free_ char *cc_default = NULL, *ld_default = NULL;
	if (!cc) {
		if (llvm && strcmp(llvm, "0") && *llvm) {
			/* LLVM=1, LLVM=-15 (suffix) or LLVM=/usr/lib/llvm-15/bin/ (prefix) */
			cc_default = llvm[0] == '-' ? kr_asprintf("clang%s", llvm) :
				     llvm[strlen(llvm) - 1] == '/' ? kr_asprintf("%sclang", llvm) :
								     kr_strdup("clang");
		} else {
			cc_default = kr_asprintf("%sgcc", cross ? cross : "");
		}
		cc = cc_default;
	}
	if (!ld) {
		ld_default = llvm && strcmp(llvm, "0") && *llvm ?
				     (llvm[0] == '-' ? kr_asprintf("ld.lld%s", llvm) :
				      llvm[strlen(llvm) - 1] == '/' ? kr_asprintf("%sld.lld", llvm) :
								      kr_strdup("ld.lld")) :
				     kr_asprintf("%sld", cross ? cross : "");
		ld = ld_default;
	}
	int r = tool_version(b, cc, true, &b->cc_version);
	if (r < 0)
		return r;
	return tool_version(b, ld, false, &b->ld_version);
}

int kb_load_fragment(struct kb *b)
{
	const struct kr_scenario *s = b->s;
	if (s->kernel.fragment_file) {
		_cleanup_free_ char *text = NULL;
		size_t len;
		int r = kr_read_file(s->kernel.fragment_file, CONFIG_MAX, &text, &len);
		if (r < 0)
			return kb_fail(b, -EINVAL, "kernel.fragment: %s: %s", s->kernel.fragment_file,
				    strerror(-r));
		r = kr_kconfig_fragment_parse(text, s->kernel.fragment_file, &b->frag, b->err);
		if (r < 0)
			return r;
	}
	int r = kr_kconfig_fragment_add_lines(&b->frag, s->kernel.fragment, "kernel.fragment", b->err);
	if (r < 0)
		return r;
	_cleanup_free_ char *text = kr_kconfig_fragment_text(&b->frag);
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(text, strlen(text), hex);
	b->fragment_sha = kr_strdup(hex);

	if (s->kernel.config_file) {
		r = kr_sha256_file(s->kernel.config_file, hex);
		if (r < 0)
			return kb_fail(b, -EINVAL, "kernel.config: %s: %s", s->kernel.config_file,
				    strerror(-r));
		b->config_id = kr_asprintf("file:%s", hex);
	} else {
		b->config_id = kr_asprintf("target:%s", s->kernel.config_target);
	}
	return 0;
}

static void add_common_key_lines(struct kb *b, struct kr_buf *t)
{
	for (size_t i = 0; b->make_vars[i]; i++)
		kr_buf_printf(t, "make %s\n", b->make_vars[i]);
	kr_buf_printf(t, "cc %s\nld %s\n", b->cc_version, b->ld_version);
}

char *kb_inputs_key(struct kb *b)
{
	struct kr_buf t = KR_BUF_INIT(SIZE_MAX);
	kr_buf_printf(&t, "%s inputs\ntree %s\nconfig %s\nfragment %s\n", KEY_VERSION, b->tree_id,
		      b->config_id, b->fragment_sha);
	add_common_key_lines(b, &t);
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(t.data, t.len, hex);
	kr_buf_free(&t);
	return kr_strdup(hex);
}

char *kb_kernel_key(struct kb *b, const char *config_hash)
{
	struct kr_buf t = KR_BUF_INIT(SIZE_MAX);
	kr_buf_printf(&t, "%s\ntree %s\nconfig-sha256 %s\n", KEY_VERSION, b->tree_id, config_hash);
	add_common_key_lines(b, &t);
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(t.data, t.len, hex);
	kr_buf_free(&t);
	return kr_strdup(hex);
}

/* ----- the inputs file: key and fragment check ----- */

static void one_line(struct kr_buf *t, const char *s)
{
	for (; s && *s; s++)
		kr_buf_addc(t, *s == '\t' || *s == '\n' ? ' ' : *s);
	if (!s)
		kr_buf_adds(t, "-");
	kr_buf_addc(t, '\t');
}

int kb_write_inputs(struct kb *b, const char *ikey, const struct kr_kernel *k)
{
	struct kr_buf t = KR_BUF_INIT(SIZE_MAX);
	kr_buf_printf(&t, "key %s\n", k->key);
	for (size_t i = 0; i < k->n_mismatches; i++) {
		const struct kr_kbuild_mismatch *m = &k->mismatches[i];
		kr_buf_adds(&t, "mismatch\t");
		one_line(&t, m->option);
		one_line(&t, m->requested);
		one_line(&t, m->actual);
		one_line(&t, m->reason);
		one_line(&t, m->message);
		t.data[t.len - 1] = '\n';
	}
	_cleanup_free_ char *path = kr_asprintf("%s/inputs/%s", b->cache, ikey);
	int r = kr_write_file_atomic(path, t.data, t.len, 0644);
	kr_buf_free(&t);
	if (r < 0)
		return kb_fail(b, r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

/* Reads inputs/<ikey>; false when absent or unreadable. */
bool kb_read_inputs(struct kb *b, const char *ikey, struct kr_kernel *k)
{
	_cleanup_free_ char *path = kr_asprintf("%s/inputs/%s", b->cache, ikey);
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (kr_read_file(path, 16 << 20, &text, &len) < 0 || !kr_str_startswith(text, "key "))
		return false;
	char *next;
	for (char *line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (kr_str_startswith(line, "key ") && kb_is_hex(line + 4, 64)) {
			free(k->key);
			k->key = kr_strdup(line + 4);
		} else if (kr_str_startswith(line, "mismatch\t")) {
			char *f[5] = { 0 };
			char *p = line + strlen("mismatch\t");
			for (size_t i = 0; i < 5 && p; i++) {
				f[i] = p;
				p = strchr(p, '\t');
				if (p)
					*p++ = '\0';
			}
			if (!f[4])
				return false;
			k->mismatches = kr_realloc(k->mismatches,
						   (k->n_mismatches + 1) * sizeof(*k->mismatches));
			k->mismatches[k->n_mismatches++] = (struct kr_kbuild_mismatch){
				.option = kr_strdup(f[0]),
				.requested = kr_strdup(f[1]),
				.actual = kr_strdup(f[2]),
				.reason = strcmp(f[3], "-") ? kr_strdup(f[3]) : NULL,
				.message = kr_strdup(f[4]),
			};
		}
	}
	return k->key != NULL;
}
