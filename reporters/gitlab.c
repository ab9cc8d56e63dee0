/* SPDX-License-Identifier: MIT */
#include "gitlab.h"

#include <string.h>

#include "text.h"
#include "util.h"

char *kr_gitlab_section_name(const char *s)
{
	char *n = kr_strdup(*s ? s : "section");
	for (char *p = n; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *p))
			*p = '_';
	return n;
}

void kr_gitlab_section_start(FILE *f, const char *name, const char *header, bool collapsed,
			     time_t now)
{
	_cleanup_free_ char *n = kr_gitlab_section_name(name);
	_cleanup_free_ char *h = kr_text_visible(header, strlen(header), KR_TEXT_ONE_LINE);
	fprintf(f, "\033[0Ksection_start:%lld:%s%s\r\033[0K%s\n", (long long)now, n,
		collapsed ? "[collapsed=true]" : "", h);
}

void kr_gitlab_section_end(FILE *f, const char *name, time_t now)
{
	_cleanup_free_ char *n = kr_gitlab_section_name(name);
	fprintf(f, "\033[0Ksection_end:%lld:%s\r\033[0K\n", (long long)now, n);
}
