/* SPDX-License-Identifier: MIT */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <errno.h>
#include <pcre2.h>
#include <string.h>

#include "util.h"

struct kr_regex {
	pcre2_code *code;
	pcre2_match_data *md;
};

int kr_regex_new(const char *pattern, unsigned flags, struct kr_regex **out, char **err)
{
	uint32_t opts = 0;
	if (flags & KR_REGEX_CASELESS)
		opts |= PCRE2_CASELESS;
	if (flags & KR_REGEX_MULTILINE)
		opts |= PCRE2_MULTILINE;
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code,
				       &off, NULL);
	if (!re) {
		if (err) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(code, msg, sizeof(msg));
			*err = kr_asprintf("%s at offset %zu", (char *)msg, (size_t)off);
		}
		return -EINVAL;
	}
	/* JIT is an optimisation only: without it matching still works. */
	if (!(flags & KR_REGEX_NO_JIT))
		(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	struct kr_regex *r = kr_calloc(1, sizeof(*r));
	r->code = re;
	r->md = pcre2_match_data_create(KR_REGEX_MAX_GROUPS, NULL);
	if (!r->md) {
		pcre2_code_free(re);
		free(r);
		return -ENOMEM;
	}
	*out = r;
	return 0;
}

void kr_regex_free(struct kr_regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}

int kr_regex_search(struct kr_regex *re, const char *subject, size_t len, size_t offset,
		    struct kr_regex_match *m)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, offset, 0, re->md, NULL);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return rc == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -EINVAL;
	if (m) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
		int n = rc == 0 ? KR_REGEX_MAX_GROUPS : rc;
		if (n > KR_REGEX_MAX_GROUPS)
			n = KR_REGEX_MAX_GROUPS;
		m->groups = n;
		for (int i = 0; i < KR_REGEX_MAX_GROUPS; i++) {
			bool set = i < n && ov[2 * i] != PCRE2_UNSET;
			m->start[i] = set ? ov[2 * i] : KR_REGEX_UNSET;
			m->end[i] = set ? ov[2 * i + 1] : KR_REGEX_UNSET;
		}
	}
	return 1;
}

bool kr_regex_matches(struct kr_regex *re, const char *subject, size_t len)
{
	return kr_regex_search(re, subject, len, 0, NULL) == 1;
}
