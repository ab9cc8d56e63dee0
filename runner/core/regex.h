/* SPDX-License-Identifier: MIT */
/* Regular expressions (PCRE2 syntax, JIT-compiled where the CPU allows).
 * The only module that talks to libpcre2. A kr_regex holds its own match
 * scratch space, so one object must not be used by two threads at once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum {
	KR_REGEX_CASELESS = 1 << 0,
	KR_REGEX_MULTILINE = 1 << 1, /* ^ and $ match at line breaks */
	KR_REGEX_NO_JIT = 1 << 2,    /* skip JIT compilation: for patterns matched
				      * a few times on short subjects, where
				      * compiling costs more than it saves */
};

#define KR_REGEX_MAX_GROUPS 16
#define KR_REGEX_UNSET ((size_t)-1)

struct kr_regex;

struct kr_regex_match {
	/* Offsets into the subject; group 0 is the whole match. Groups that
	 * did not take part are KR_REGEX_UNSET. */
	size_t start[KR_REGEX_MAX_GROUPS];
	size_t end[KR_REGEX_MAX_GROUPS];
	int groups; /* number of entries filled */
};

/* Compiles pattern. On failure returns -EINVAL and, when err is not NULL,
 * a message with the offending position in *err (to be freed). */
int kr_regex_new(const char *pattern, unsigned flags, struct kr_regex **out, char **err);
void kr_regex_free(struct kr_regex *re);

/* Searches subject[offset..len). Returns 1 on a match (filling m when it is
 * not NULL), 0 when there is none, a negative errno on a matching error. */
int kr_regex_search(struct kr_regex *re, const char *subject, size_t len, size_t offset,
		    struct kr_regex_match *m);
bool kr_regex_matches(struct kr_regex *re, const char *subject, size_t len);
