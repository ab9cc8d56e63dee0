/* SPDX-License-Identifier: MIT */
/* The JUnit XML report (junit.xml) of a kradar run, for Jenkins, GitLab and
 * GitHub test reporters. It follows the Jenkins JUnit schema (the de-facto
 * one): testsuites > testsuite per scenario directory > testcase per
 * scenario, with failure (expectation not met), error (inconclusive) or
 * skipped (not run), properties on the testsuite, and in system-out the
 * console log as an attachment and an excerpt of it. Every text from the
 * guest is escaped visibly (text.h), so any console makes well-formed XML.
 * The layout is documented in docs/reports.md. This is the only module
 * that uses libxml2. */
#pragma once

#include <stddef.h>

#include "results.h"

struct kr_junit_options {
	/* Attachment paths are made relative to this directory when they are
	 * inside it (GitLab resolves them from the project directory); NULL:
	 * absolute paths (Jenkins). */
	const char *attachment_base;
	/* Bytes of the console log kept in system-out (head and tail) and of
	 * a crash report in a failure; 0: the defaults below. */
	size_t console_head;
	size_t console_tail;
	size_t report_max;
};

#define KR_JUNIT_CONSOLE_HEAD (4u << 10)
#define KR_JUNIT_CONSOLE_TAIL (60u << 10)
#define KR_JUNIT_REPORT_MAX (64u << 10)

/* The document (UTF-8, ending with a newline) in *xml, its size in *len.
 * Artifacts (crash reports, console logs) are read from r->out_dir; a
 * missing one is left out. o may be NULL. Returns 0, or -ENOMEM/-EIO when
 * libxml2 fails, with *err. */
int kr_junit_render(const struct kr_results *r, const struct kr_junit_options *o, char **xml,
		    size_t *len, char **err);
