/* SPDX-License-Identifier: MIT */
#include "github.h"

#include <string.h>
#include <sys/random.h>

#include "text.h"

static char *escape(const char *s, const char *specials)
{
	_cleanup_free_ char *v = kr_text_visible(s, strlen(s), 0);
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	for (const char *p = v; *p; p++)
		if (*p == '%' || *p == '\r' || *p == '\n' || strchr(specials, *p))
			kr_buf_printf(&b, "%%%02X", (unsigned char)*p);
		else
			kr_buf_addc(&b, *p);
	return kr_buf_steal(&b);
}

char *kr_github_escape_data(const char *s)
{
	return escape(s, "");
}

char *kr_github_escape_property(const char *s)
{
	return escape(s, ":,");
}

void kr_github_group(FILE *f, const char *title)
{
	_cleanup_free_ char *t = kr_text_visible(title, strlen(title), KR_TEXT_ONE_LINE);
	fprintf(f, "::group::%s\n", t);
}

void kr_github_endgroup(FILE *f)
{
	fputs("::endgroup::\n", f);
}

void kr_github_annotation(FILE *f, const char *level, const char *title, const char *file,
			  const char *message)
{
	_cleanup_free_ char *t = kr_github_escape_property(title);
	_cleanup_free_ char *m = kr_github_escape_data(message);
	_cleanup_free_ char *fl = file ? kr_github_escape_property(file) : NULL;
	fprintf(f, "::%s title=%s%s%s::%s\n", level, t, fl ? ",file=" : "", fl ? fl : "", m);
}

char *kr_github_token(const char *fixed, const char *avoid)
{
	if (!fixed) {
		unsigned char rnd[16];
		char *t = kr_malloc(2 * sizeof(rnd) + 1);
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			/* No entropy: the time still makes a token a console
			 * printed before this moment cannot know. */
			uint64_t now = kr_now_ns() ^ ((uint64_t)getpid() << 32);
			memcpy(rnd, &now, sizeof(now));
			memcpy(rnd + 8, &now, sizeof(now));
		}
		for (size_t i = 0; i < sizeof(rnd); i++)
			snprintf(t + 2 * i, 3, "%02x", rnd[i]);
		return t;
	}
	/* A fixed token must still not occur in the text it guards. */
	char *t = kr_strdup(fixed);
	for (int i = 1; avoid && strstr(avoid, t); i++) {
		free(t);
		t = kr_asprintf("%s-%d", fixed, i);
	}
	return t;
}

void kr_github_stop_commands(FILE *f, const char *token)
{
	fprintf(f, "::stop-commands::%s\n", token);
}

void kr_github_resume_commands(FILE *f, const char *token)
{
	fprintf(f, "::%s::\n", token);
}

void kr_github_echo(FILE *f, const char *text, size_t len, const char *fixed_token)
{
	_cleanup_free_ char *v = kr_text_visible(text, len, 0);
	_cleanup_free_ char *token = kr_github_token(fixed_token, v);
	kr_github_stop_commands(f, token);
	fputs(v, f);
	if (*v && v[strlen(v) - 1] != '\n')
		fputc('\n', f);
	kr_github_resume_commands(f, token);
}
