/* SPDX-License-Identifier: MIT */
/* summary.md: a Markdown summary of a kradar run for $GITHUB_STEP_SUMMARY
 * (or any Markdown viewer): a table of scenarios with verdicts, rates,
 * titles and links to artifacts, then the details of each scenario that
 * did not meet its expectation. Text from the guest is escaped (no
 * Markdown or HTML from a console reaches the page), and the whole stays
 * under max_bytes (GitHub takes at most 1 MiB per step), whatever the
 * results: what does not fit is left out with a visible note. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "results.h"

/* 1 MiB less room for the rest of a step's summary. */
#define KR_MARKDOWN_MAX ((1u << 20) - (64u << 10))

struct kr_markdown_options {
	/* Where artifacts are linked: link_base + "/" + the path inside OUT
	 * when link_base is set (a CI artifact browser); else relative to
	 * md_dir (the summary's directory; NULL: OUT). With plain_paths,
	 * paths are shown without links (GitHub's summary page has no file
	 * behind a relative link). */
	const char *link_base;
	const char *md_dir;
	bool plain_paths;
	/* A page with the run's artifacts (the CI run), linked in the header. */
	const char *run_url;
	size_t max_bytes; /* 0: KR_MARKDOWN_MAX; at least 4096 */
};

/* The summary; o may be NULL. Artifacts (crash reports) are read from
 * r->out_dir. */
char *kr_markdown_render(const struct kr_results *r, const struct kr_markdown_options *o);
