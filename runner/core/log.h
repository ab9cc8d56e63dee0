/* SPDX-License-Identifier: MIT */
/* User-facing messages on stderr. Modules return negative errno values and
 * fill message buffers; only the top level (a command) logs an error, once. */
#pragma once

#include "util.h"

enum kr_log_level {
	KR_LOG_ERROR,
	KR_LOG_WARNING,
	KR_LOG_NOTICE,
	KR_LOG_INFO,
	KR_LOG_DEBUG,
};

void kr_log_set_level(enum kr_log_level level);
enum kr_log_level kr_log_get_level(void);
/* One level more (-v, --verbose), up to debug. */
void kr_log_more_verbose(void);
/* A level's name as KRADAR_LOG takes it: error, warning, notice (the
 * default), info, debug; -EINVAL for any other. */
int kr_log_level_parse(const char *name, enum kr_log_level *level);
void kr_log(enum kr_log_level level, const char *fmt, ...) KR_PRINTF(2, 3);

/* Called around every message written (NULL: none): a live progress line
 * on the terminal is cleared before and drawn again after. */
void kr_log_set_hooks(void (*before)(void *), void (*after)(void *), void *userdata);

#define kr_error(...) kr_log(KR_LOG_ERROR, __VA_ARGS__)
#define kr_warning(...) kr_log(KR_LOG_WARNING, __VA_ARGS__)
#define kr_notice(...) kr_log(KR_LOG_NOTICE, __VA_ARGS__)
#define kr_info(...) kr_log(KR_LOG_INFO, __VA_ARGS__)
#define kr_debug(...) kr_log(KR_LOG_DEBUG, __VA_ARGS__)
