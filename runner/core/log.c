/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static enum kr_log_level max_level = KR_LOG_NOTICE;
static void (*hook_before)(void *);
static void (*hook_after)(void *);
static void *hook_userdata;

void kr_log_set_hooks(void (*before)(void *), void (*after)(void *), void *userdata)
{
	hook_before = before;
	hook_after = after;
	hook_userdata = userdata;
}

void kr_log_set_level(enum kr_log_level level)
{
	max_level = level;
}

enum kr_log_level kr_log_get_level(void)
{
	return max_level;
}

void kr_log_more_verbose(void)
{
	if (max_level < KR_LOG_DEBUG)
		max_level++;
}

int kr_log_level_parse(const char *name, enum kr_log_level *level)
{
	static const char *const names[] = {
		[KR_LOG_ERROR] = "error",  [KR_LOG_WARNING] = "warning", [KR_LOG_NOTICE] = "notice",
		[KR_LOG_INFO] = "info",    [KR_LOG_DEBUG] = "debug",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(names); i++) {
		if (!strcmp(name, names[i])) {
			*level = (enum kr_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void kr_log(enum kr_log_level level, const char *fmt, ...)
{
	if (level > max_level)
		return;
	static const char *const prefix[] = {
		[KR_LOG_ERROR] = "error: ",
		[KR_LOG_WARNING] = "warning: ",
		[KR_LOG_NOTICE] = "",
		[KR_LOG_INFO] = "",
		[KR_LOG_DEBUG] = "debug: ",
	};
	/* One fprintf per message so that lines from parallel guests' threads
	 * or processes do not interleave mid-line. */
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	if (hook_before)
		hook_before(hook_userdata);
	fprintf(stderr, "kradar: %s%s\n", prefix[level], msg);
	if (hook_after)
		hook_after(hook_userdata);
}
