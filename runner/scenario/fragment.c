/* SPDX-License-Identifier: MIT */
/* Config fragment lines as scenarios and matrices give them: their syntax,
 * parsing, and the fragment as config text. Merging a fragment into a
 * kernel's config and checking the result is kernel/kconfig.c's job. */
#include <ctype.h>
#include <string.h>

#include "fragment.h"

/* ----- fragments ----- */

static bool is_symbol_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

/* Parses one config line into name/value; false when it is not one. */
static bool parse_config_line(const char *line, char **name, char **value)
{
	if (kr_str_startswith(line, "CONFIG_")) {
		const char *eq = strchr(line, '=');
		if (!eq || !is_symbol_name(line, (size_t)(eq - line)) || !eq[1])
			return false;
		*name = kr_strndup(line, (size_t)(eq - line));
		*value = kr_strdup(eq + 1);
		return true;
	}
	static const char unset[] = " is not set";
	if (kr_str_startswith(line, "# CONFIG_") && kr_str_endswith(line, unset)) {
		size_t n = strlen(line) - 2 - (sizeof(unset) - 1);
		if (!is_symbol_name(line + 2, n))
			return false;
		*name = kr_strndup(line + 2, n);
		*value = kr_strdup("n");
		return true;
	}
	return false;
}

bool kr_kconfig_line_valid(const char *line)
{
	char *name, *value;
	if (!parse_config_line(line, &name, &value))
		return false;
	free(name);
	free(value);
	return true;
}

static void fragment_add(struct kr_kconfig_fragment *frag, char *name, char *value)
{
	frag->lines = kr_realloc(frag->lines, (frag->n + 1) * sizeof(*frag->lines));
	frag->lines[frag->n++] = (struct kr_kconfig_line){ name, value };
}


int kr_kconfig_fragment_parse(const char *text, const char *file,
			      struct kr_kconfig_fragment *frag, char **err)
{
	_cleanup_free_ char *copy = kr_strdup(text);
	char *save = NULL;
	int lineno = 0;
	/* strtok_r would skip empty lines and so miscount; split by hand. */
	for (char *line = copy; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		char *l = kr_strstrip(line);
		char *name, *value;
		if (parse_config_line(l, &name, &value)) {
			fragment_add(frag, name, value);
			continue;
		}
		if (*l == '\0' || (*l == '#' && !kr_str_startswith(l, "# CONFIG_")))
			continue;
		*err = kr_asprintf("%s:%d: expected CONFIG_X=y|m|n|value or \"# CONFIG_X is not set\", got \"%s\"",
				   file, lineno, l);
		return -EINVAL;
	}
	return 0;
}

int kr_kconfig_fragment_add_lines(struct kr_kconfig_fragment *frag, char *const *lines,
				  const char *field, char **err)
{
	for (size_t i = 0; lines && lines[i]; i++) {
		_cleanup_free_ char *l = kr_strdup(lines[i]);
		char *name, *value;
		if (!parse_config_line(kr_strstrip(l), &name, &value)) {
			*err = kr_asprintf("%s[%zu]: expected CONFIG_X=y|m|n|value or \"# CONFIG_X is not set\", got \"%s\"",
					   field, i, lines[i]);
			return -EINVAL;
		}
		fragment_add(frag, name, value);
	}
	return 0;
}

void kr_kconfig_fragment_clear(struct kr_kconfig_fragment *frag)
{
	for (size_t i = 0; i < frag->n; i++) {
		free(frag->lines[i].name);
		free(frag->lines[i].value);
	}
	free(frag->lines);
	frag->lines = NULL;
	frag->n = 0;
}

/* The last value given for the line's symbol; NULL when line i is not the
 * first line of its symbol. */
const char *kr_kconfig_fragment_value(const struct kr_kconfig_fragment *frag, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(frag->lines[k].name, frag->lines[i].name) == 0)
			return NULL;
	const char *v = frag->lines[i].value;
	for (size_t k = i + 1; k < frag->n; k++)
		if (strcmp(frag->lines[k].name, frag->lines[i].name) == 0)
			v = frag->lines[k].value;
	return v;
}

static void add_config_line(struct kr_buf *b, const char *name, const char *value)
{
	if (strcmp(value, "n") == 0)
		kr_buf_printf(b, "# %s is not set\n", name);
	else
		kr_buf_printf(b, "%s=%s\n", name, value);
}

char *kr_kconfig_fragment_text(const struct kr_kconfig_fragment *frag)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX);
	for (size_t i = 0; i < frag->n; i++) {
		const char *v = kr_kconfig_fragment_value(frag, i);
		if (v)
			add_config_line(&b, frag->lines[i].name, v);
	}
	return kr_buf_steal(&b);
}
