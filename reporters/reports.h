/* SPDX-License-Identifier: MIT */
/* Writes the report files of a kradar run (junit.xml, summary.md) from the
 * results in memory: what `kradar run` does at its end and `kradar report`
 * does from a results.json. */
#pragma once

#include "junit.h"
#include "markdown.h"
#include "results.h"

struct kr_report_files {
	const char *junit;    /* a path, "-" for standard output, NULL: none */
	const char *markdown;
	struct kr_junit_options junit_options;
	struct kr_markdown_options markdown_options;
};

/* Sets the options the CI that runs kradar wants (the paths are left
 * alone): under GitHub Actions, summary.md shows artifact paths without
 * links and links the run's page; under GitLab CI, JUnit attachments are
 * relative to the project directory. */
void kr_report_files_from_env(struct kr_report_files *f);

/* Writes each requested file atomically (a file is written whole or not
 * at all). Returns 0, or the first error as -errno with *err (one line
 * naming the file); the other files are still written. */
int kr_report_files_write(const struct kr_results *r, const struct kr_report_files *f,
			  char **err);

/* The reports of kradar run and kradar merge: junit and markdown where
 * given, else junit.xml and summary.md in r->out_dir, with the options of
 * the CI that runs kradar (kr_report_files_from_env()). */
int kr_report_files_write_default(const struct kr_results *r, const char *junit,
				  const char *markdown, char **err);
