/* SPDX-License-Identifier: MIT */
/* Results for the reporters' tests, built in C with fixed times: one
 * scenario per outcome (met, failed, inconclusive, skipped), a matrix pair
 * (one name, two kernels) in a second directory, and run artifacts
 * (console logs, crash reports) written under out_dir. The failed
 * scenario's console and report are hostile: ESC sequences, NUL, CR,
 * invalid UTF-8, "]]>", workflow commands and GitLab section markers. */
#pragma once

#include "results.h"

/* The results, with their artifacts under out_dir (which must exist). */
struct kr_results *kr_fixture_results(const char *out_dir);

/* A console log holding every byte value, ESC sequences, "]]>", CR LF,
 * invalid UTF-8 and CI commands, about size bytes long. */
char *kr_fixture_hostile_console(size_t size, size_t *len);

/* Lines a hostile console tries to slip into a CI log. */
extern const char *const kr_fixture_injections[];
