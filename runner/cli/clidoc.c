/* SPDX-License-Identifier: MIT */
#include "clidoc.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "util.h"

/* ----- reading a usage text ----- */

static char *trimmed(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return kr_strndup(s, len);
}

/* The paragraph's text after its heading ("Exit status: ..."), lines
 * joined by spaces. */
static char *after_heading(const char *para, size_t heading_len)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX);
	for (const char *p = para + heading_len; *p;) {
		size_t len = strcspn(p, "\n");
		_cleanup_free_ char *line = trimmed(p, len);
		if (*line) {
			if (b.len)
				kr_buf_addc(&b, ' ');
			kr_buf_adds(&b, line);
		}
		p += len + (p[len] == '\n');
	}
	return kr_buf_steal(&b);
}

static bool valid_name(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return len > 0;
}

/* "  -o, --out DIR   where results go": the spec before two spaces. */
static int parse_option(const char *line, struct kr_clidoc_option *o)
{
	const char *p = line;
	while (*p == ' ')
		p++;
	const char *gap = strstr(p, "  ");
	if (!gap)
		return -EINVAL;
	_cleanup_free_ char *spec = kr_strndup(p, (size_t)(gap - p));
	char *s = spec;
	if (s[0] == '-' && s[1] != '-') {
		if (!isalnum((unsigned char)s[1]) || strncmp(s + 2, ", ", 2))
			return -EINVAL;
		o->short_name = kr_strndup(s, 2);
		s += 4;
	}
	if (strncmp(s, "--", 2))
		return -EINVAL;
	size_t name_len = strcspn(s, " ");
	if (!valid_name(s + 2, name_len - 2))
		return -EINVAL;
	o->long_name = kr_strndup(s, name_len);
	if (s[name_len]) {
		const char *arg = s + name_len + 1;
		if (!*arg || strchr(arg, ' '))
			return -EINVAL;
		o->arg = kr_strdup(arg);
	}
	o->text = trimmed(gap, strlen(gap));
	return 0;
}

static void option_clear(struct kr_clidoc_option *o)
{
	free(o->short_name);
	free(o->long_name);
	free(o->arg);
	free(o->text);
}

static int parse_options(const char *para, struct kr_clidoc *doc, char **err)
{
	const char *p = strchr(para, '\n');
	while (p && *p) {
		p++;
		size_t len = strcspn(p, "\n");
		_cleanup_free_ char *line = kr_strndup(p, len);
		p += len;
		size_t indent = strspn(line, " ");
		if (!line[indent])
			continue;
		if (line[indent] != '-') {
			/* the previous option's text goes on */
			if (!doc->n_options) {
				*err = kr_asprintf("'%s': not an option line", line);
				return -EINVAL;
			}
			struct kr_clidoc_option *o = &doc->options[doc->n_options - 1];
			char *text = kr_asprintf("%s %s", o->text, line + indent);
			free(o->text);
			o->text = text;
			continue;
		}
		doc->options = kr_realloc(doc->options, (doc->n_options + 1) * sizeof(*doc->options));
		struct kr_clidoc_option *o = &doc->options[doc->n_options++];
		*o = (struct kr_clidoc_option){ 0 };
		if (parse_option(line, o) < 0) {
			*err = kr_asprintf("'%s': not \"  -x, --name ARG  text\"", line);
			return -EINVAL;
		}
	}
	return 0;
}

int kr_clidoc_parse(const char *usage, struct kr_clidoc *doc, char **err)
{
	*doc = (struct kr_clidoc){ 0 };
	*err = NULL;
	static const char usage_prefix[] = "Usage: kradar ";
	if (strncmp(usage, usage_prefix, strlen(usage_prefix))) {
		*err = kr_strdup("the text does not start with \"Usage: kradar \"");
		return -EINVAL;
	}
	int r = 0;
	bool first = true;
	for (const char *p = usage; *p && r == 0;) {
		const char *end = strstr(p, "\n\n");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		_cleanup_free_ char *para = kr_strndup(p, len);
		p += len;
		while (*p == '\n')
			p++;
		if (!*para)
			continue;
		if (first) {
			doc->synopsis = after_heading(para, strlen(usage_prefix));
			first = false;
		} else if (kr_str_startswith(para, "Options:\n")) {
			r = parse_options(para, doc, err);
		} else if (kr_str_startswith(para, "Environment:")) {
			doc->environment = after_heading(para, strlen("Environment:"));
		} else if (kr_str_startswith(para, "Exit status:")) {
			doc->exit_status = after_heading(para, strlen("Exit status:"));
		} else {
			size_t l = strlen(para);
			while (l && para[l - 1] == '\n')
				para[--l] = '\0';
			kr_strv_push(&doc->description, KR_TAKE_PTR(para));
		}
	}
	if (r < 0)
		kr_clidoc_clear(doc);
	return r;
}

void kr_clidoc_clear(struct kr_clidoc *doc)
{
	free(doc->synopsis);
	kr_strv_free(doc->description);
	for (size_t i = 0; i < doc->n_options; i++)
		option_clear(&doc->options[i]);
	free(doc->options);
	free(doc->environment);
	free(doc->exit_status);
	*doc = (struct kr_clidoc){ 0 };
}

/* ----- man pages ----- */

/* Text for roff: backslashes and minus signs escaped, a control character
 * at the start of a line made literal. */
static void roff(struct kr_buf *b, const char *s)
{
	bool bol = !b->len || b->data[b->len - 1] == '\n';
	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			kr_buf_adds(b, "\\&");
		if (*s == '\\')
			kr_buf_adds(b, "\\e");
		else if (*s == '-')
			kr_buf_adds(b, "\\-");
		else
			kr_buf_addc(b, *s);
		bol = *s == '\n';
	}
}

static void roff_line(struct kr_buf *b, const char *macro, const char *text)
{
	kr_buf_adds(b, macro);
	roff(b, text);
	kr_buf_addc(b, '\n');
}

static void page_header(struct kr_buf *b, const char *name, const char *summary,
			const char *version)
{
	_cleanup_free_ char *title = kr_strdup(name);
	for (char *p = title; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	kr_buf_printf(b, ".TH %s 1 \"\" \"kradar %s\" \"kradar manual\"\n.nh\n", title, version);
	kr_buf_adds(b, ".SH NAME\n");
	roff(b, name);
	kr_buf_adds(b, " \\- ");
	roff(b, summary);
	kr_buf_addc(b, '\n');
}

/* A paragraph of the help text: filled, or as written when a line of it is
 * indented (a list). */
static void paragraph(struct kr_buf *b, const char *text)
{
	bool preformatted = text[0] == ' ' || strstr(text, "\n ");
	kr_buf_adds(b, preformatted ? ".PP\n.nf\n" : ".PP\n");
	roff(b, text);
	kr_buf_adds(b, preformatted ? "\n.fi\n" : "\n");
}

static void command_page(struct kr_buf *b, const struct kr_command *cmd,
			 const struct kr_clidoc *doc, const char *version)
{
	_cleanup_free_ char *name = kr_asprintf("kradar-%s", cmd->name);
	page_header(b, name, cmd->summary, version);
	kr_buf_adds(b, ".SH SYNOPSIS\n.B kradar\n");
	roff_line(b, "", doc->synopsis);
	kr_buf_adds(b, ".SH DESCRIPTION\n");
	for (size_t i = 0; doc->description && doc->description[i]; i++)
		paragraph(b, doc->description[i]);
	if (!doc->description)
		roff_line(b, "", cmd->summary);
	if (doc->n_options)
		kr_buf_adds(b, ".SH OPTIONS\n");
	for (size_t i = 0; i < doc->n_options; i++) {
		const struct kr_clidoc_option *o = &doc->options[i];
		kr_buf_adds(b, ".TP\n");
		if (o->short_name) {
			kr_buf_adds(b, "\\fB");
			roff(b, o->short_name);
			kr_buf_adds(b, "\\fR, ");
		}
		kr_buf_adds(b, "\\fB");
		roff(b, o->long_name);
		kr_buf_adds(b, "\\fR");
		if (o->arg) {
			kr_buf_adds(b, " \\fI");
			roff(b, o->arg);
			kr_buf_adds(b, "\\fR");
		}
		kr_buf_addc(b, '\n');
		roff_line(b, "", o->text);
	}
	if (doc->environment) {
		kr_buf_adds(b, ".SH ENVIRONMENT\n");
		roff_line(b, "", doc->environment);
	}
	if (doc->exit_status) {
		kr_buf_adds(b, ".SH EXIT STATUS\n");
		roff_line(b, "", doc->exit_status);
	}
	kr_buf_adds(b, ".SH SEE ALSO\n.BR kradar (1)\n");
}

static void overview_page(struct kr_buf *b, const char *version)
{
	page_header(b, "kradar", "turn syzbot reproducers into CI tests", version);
	kr_buf_adds(b, ".SH SYNOPSIS\n.B kradar\n");
	roff_line(b, "", "[-v] COMMAND [options] [arguments]");
	kr_buf_adds(b, ".SH DESCRIPTION\n");
	paragraph(b, kr_cli_about);
	roff_line(b, ".PP\n", "Every command takes -h (--help) and -v (--verbose, repeatable: "
			      "info, then debug lines); -v may come before the command too.");
	kr_buf_adds(b, ".SH COMMANDS\n");
	for (const struct kr_command *c = kr_commands; c->name; c++) {
		kr_buf_adds(b, ".TP\n.B ");
		roff(b, c->name);
		kr_buf_addc(b, '\n');
		roff(b, c->summary);
		kr_buf_adds(b, "; see\n.BR kradar\\-");
		roff(b, c->name);
		kr_buf_adds(b, " (1).\n");
	}
	kr_buf_adds(b, ".SH ENVIRONMENT\n.TP\n.B KRADAR_LOG\n");
	roff_line(b, "", "the log level to start from: error, warning, notice (the default), "
			 "info or debug; each -v raises it by one.");
	kr_buf_adds(b, ".SH EXIT STATUS\n");
	roff_line(b, "", "0 ok, 1 expectation not met, 2 bad input, 3 inconclusive, 4 host "
			 "error; 130 or 143 when interrupted by SIGINT or SIGTERM.");
	kr_buf_adds(b, ".SH SEE ALSO\n");
	for (const struct kr_command *c = kr_commands; c->name; c++) {
		kr_buf_adds(b, ".BR kradar\\-");
		roff(b, c->name);
		kr_buf_adds(b, c[1].name ? " (1),\n" : " (1)\n");
	}
}

int kr_clidoc_man(const struct kr_command *cmd, const char *version, char **page, char **err)
{
	*page = NULL;
	*err = NULL;
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX);
	if (cmd) {
		_cleanup_(kr_clidoc_clear) struct kr_clidoc doc = { 0 };
		int r = kr_clidoc_parse(cmd->usage, &doc, err);
		if (r < 0)
			return r;
		command_page(&b, cmd, &doc, version);
	} else {
		overview_page(&b, version);
	}
	*page = kr_buf_steal(&b);
	return 0;
}

/* ----- completion ----- */

/* What an option's argument is, for completion: a directory, a fixed set
 * of words (an option written once per value, "--emit list", "--emit
 * github"), or a file (anything else in capitals that names a path). */
static bool arg_is_dir(const char *arg)
{
	return arg && strstr(arg, "DIR");
}

static bool arg_is_word(const char *arg)
{
	return arg && islower((unsigned char)arg[0]);
}

static bool arg_is_path(const char *arg)
{
	static const char *const paths[] = { "FILE", "LOG", "URL", "KERNEL", NULL };
	for (size_t i = 0; arg && paths[i]; i++)
		if (strstr(arg, paths[i]))
			return true;
	return false;
}

/* The words an option takes ("list github" for --emit), space-separated;
 * NULL when it takes no fixed words. */
static char *option_words(const struct kr_clidoc *doc, const char *long_name)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX);
	for (size_t i = 0; i < doc->n_options; i++) {
		const struct kr_clidoc_option *o = &doc->options[i];
		if (!strcmp(o->long_name, long_name) && arg_is_word(o->arg))
			kr_buf_printf(&b, "%s%s", b.len ? " " : "", o->arg);
	}
	return kr_buf_steal(&b);
}

/* Has an earlier option of doc the same long name? (--emit list, --emit
 * github: one option for completion.) */
static bool seen_before(const struct kr_clidoc *doc, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(doc->options[j].long_name, doc->options[i].long_name))
			return true;
	return false;
}

/* "validate classify ...": the commands, space-separated. */
static void command_names(struct kr_buf *b)
{
	for (const struct kr_command *c = kr_commands; c->name; c++)
		kr_buf_printf(b, "%s%s", c->name, c[1].name ? " " : "");
}

static void bash_command(struct kr_buf *b, const struct kr_command *cmd,
			 const struct kr_clidoc *doc)
{
	kr_buf_printf(b, "\t%s)\n\t\topts=\"", cmd->name);
	for (size_t i = 0; i < doc->n_options; i++) {
		const struct kr_clidoc_option *o = &doc->options[i];
		if (seen_before(doc, i))
			continue;
		if (o->short_name)
			kr_buf_printf(b, "%s ", o->short_name);
		kr_buf_printf(b, "%s%s", o->long_name, i + 1 < doc->n_options ? " " : "");
	}
	kr_buf_adds(b, "\"\n\t\tcase $prev in\n");
	for (size_t i = 0; i < doc->n_options; i++) {
		const struct kr_clidoc_option *o = &doc->options[i];
		if (!o->arg || seen_before(doc, i))
			continue;
		kr_buf_printf(b, "\t\t%s%s%s)\n", o->short_name ? o->short_name : "",
			      o->short_name ? "|" : "", o->long_name);
		_cleanup_free_ char *words = option_words(doc, o->long_name);
		if (*words)
			kr_buf_printf(b, "\t\t\tmapfile -t COMPREPLY < <(compgen -W \"%s\" -- \"$cur\")\n",
				      words);
		else if (arg_is_dir(o->arg))
			kr_buf_adds(b, "\t\t\tmapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n");
		else if (arg_is_path(o->arg))
			kr_buf_adds(b, "\t\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n");
		kr_buf_adds(b, "\t\t\treturn\n\t\t\t;;\n");
	}
	kr_buf_adds(b, "\t\tesac\n");
	if (!strcmp(cmd->name, "help"))
		kr_buf_adds(b, "\t\t[[ $cur == -* ]] || words=$commands\n");
	kr_buf_adds(b, "\t\t;;\n");
}

static int bash_script(struct kr_buf *b, char **err)
{
	kr_buf_adds(b, "# bash completion for kradar (made by 'kradar help --completion bash'\n"
		       "# from the commands' help texts)\n"
		       "_kradar()\n{\n"
		       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
		       "\tlocal commands=\"");
	command_names(b);
	kr_buf_adds(b, "\"\n"
		       "\tlocal cmd=\"\" i opts=\"\" words=\"\"\n"
		       "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
		       "\t\tcase ${COMP_WORDS[i]} in\n"
		       "\t\t-*) ;;\n"
		       "\t\t*) cmd=${COMP_WORDS[i]}; break ;;\n"
		       "\t\tesac\n"
		       "\tdone\n"
		       "\tif [[ -z $cmd ]]; then\n"
		       "\t\tmapfile -t COMPREPLY < <(compgen -W \"$commands -h --help -v --verbose "
		       "--version\" -- \"$cur\")\n"
		       "\t\treturn\n"
		       "\tfi\n"
		       "\tcase $cmd in\n");
	for (const struct kr_command *c = kr_commands; c->name; c++) {
		_cleanup_(kr_clidoc_clear) struct kr_clidoc doc = { 0 };
		int r = kr_clidoc_parse(c->usage, &doc, err);
		if (r < 0)
			return r;
		bash_command(b, c, &doc);
	}
	kr_buf_adds(b, "\tesac\n"
		       "\tif [[ $cur == -* ]]; then\n"
		       "\t\tmapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")\n"
		       "\telif [[ -n $words ]]; then\n"
		       "\t\tmapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$cur\")\n"
		       "\telse\n"
		       "\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
		       "\tfi\n"
		       "}\n"
		       "complete -o filenames -F _kradar kradar\n");
	return 0;
}

/* Text inside a zsh single-quoted _arguments or _describe item: quotes
 * closed and reopened, brackets and colons (the item's syntax) replaced or
 * escaped. */
static void zsh_text(struct kr_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			kr_buf_adds(b, "'\\''");
		else if (*s == '\\')
			kr_buf_adds(b, "\\\\");
		else if (*s == '[' || *s == ']')
			kr_buf_addc(b, *s == '[' ? '(' : ')');
		else if (*s == ':')
			kr_buf_adds(b, "\\:");
		else
			kr_buf_addc(b, *s);
	}
}

static void zsh_command(struct kr_buf *b, const struct kr_command *cmd,
			const struct kr_clidoc *doc)
{
	kr_buf_printf(b, "\t%s)\n\t\t_arguments -s", cmd->name);
	for (size_t i = 0; i < doc->n_options; i++) {
		const struct kr_clidoc_option *o = &doc->options[i];
		if (seen_before(doc, i))
			continue;
		bool repeat = strstr(o->text, "repeatable") != NULL;
		kr_buf_adds(b, " \\\n\t\t\t");
		if (repeat)
			kr_buf_adds(b, "'*'");
		else if (o->short_name)
			kr_buf_printf(b, "'(%s %s)'", o->short_name, o->long_name);
		if (o->short_name)
			kr_buf_printf(b, "{%s,%s}'", o->short_name, o->long_name);
		else
			kr_buf_printf(b, "'%s", o->long_name);
		kr_buf_addc(b, '[');
		/* up to the first ';' is enough */
		_cleanup_free_ char *first = kr_strndup(o->text, strcspn(o->text, ";"));
		size_t l = strlen(first);
		while (l && first[l - 1] == ' ')
			first[--l] = '\0';
		zsh_text(b, first);
		kr_buf_addc(b, ']');
		if (o->arg) {
			kr_buf_addc(b, ':');
			zsh_text(b, o->arg);
			_cleanup_free_ char *words = option_words(doc, o->long_name);
			if (*words)
				kr_buf_printf(b, ":(%s)", words);
			else if (arg_is_dir(o->arg))
				kr_buf_adds(b, ":_files -/");
			else if (arg_is_path(o->arg))
				kr_buf_adds(b, ":_files");
			else
				kr_buf_adds(b, ": ");
		}
		kr_buf_addc(b, '\'');
	}
	if (!strcmp(cmd->name, "help"))
		kr_buf_adds(b, " \\\n\t\t\t'1:command:($commands_names)'");
	else if (strcmp(cmd->name, "version"))
		kr_buf_adds(b, " \\\n\t\t\t'*:file:_files'");
	kr_buf_adds(b, "\n\t\t;;\n");
}

static int zsh_script(struct kr_buf *b, char **err)
{
	kr_buf_adds(b, "#compdef kradar\n"
		       "# zsh completion for kradar (made by 'kradar help --completion zsh' from\n"
		       "# the commands' help texts)\n"
		       "_kradar() {\n"
		       "\tlocal -a commands\n"
		       "\tlocal commands_names\n"
		       "\tcommands=(\n");
	for (const struct kr_command *c = kr_commands; c->name; c++) {
		kr_buf_adds(b, "\t\t'");
		zsh_text(b, c->name);
		kr_buf_addc(b, ':');
		zsh_text(b, c->summary);
		kr_buf_adds(b, "'\n");
	}
	kr_buf_adds(b, "\t)\n\tcommands_names=\"");
	command_names(b);
	kr_buf_adds(b, "\"\n"
		       "\tlocal i=2\n"
		       "\twhile (( i < CURRENT )) && [[ ${words[i]} == -* ]]; do\n"
		       "\t\t(( i++ ))\n"
		       "\tdone\n"
		       "\tif (( CURRENT <= i )); then\n"
		       "\t\t_describe -t commands 'kradar command' commands\n"
		       "\t\treturn\n"
		       "\tfi\n"
		       "\tlocal cmd=${words[i]}\n"
		       "\tshift $(( i - 1 )) words\n"
		       "\t(( CURRENT -= i - 1 ))\n"
		       "\tcase $cmd in\n");
	for (const struct kr_command *c = kr_commands; c->name; c++) {
		_cleanup_(kr_clidoc_clear) struct kr_clidoc doc = { 0 };
		int r = kr_clidoc_parse(c->usage, &doc, err);
		if (r < 0)
			return r;
		zsh_command(b, c, &doc);
	}
	kr_buf_adds(b, "\tesac\n}\n_kradar \"$@\"\n");
	return 0;
}

int kr_clidoc_completion(const char *shell, char **script, char **err)
{
	*script = NULL;
	*err = NULL;
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX);
	int r = !strcmp(shell, "bash") ? bash_script(&b, err) :
		!strcmp(shell, "zsh")  ? zsh_script(&b, err) :
					 -EINVAL;
	if (r < 0) {
		kr_buf_free(&b);
		return r;
	}
	*script = kr_buf_steal(&b);
	return 0;
}
