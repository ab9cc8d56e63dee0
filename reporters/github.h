/* SPDX-License-Identifier: MIT */
/* GitHub Actions workflow commands: log groups, annotations, and a guard
 * for untrusted text. The runner acts on any log line that starts with
 * "::command" (and on "##[command]" anywhere in a line); a guest's console
 * could print such lines. Untrusted text is therefore echoed between
 * ::stop-commands::TOKEN and ::TOKEN:: with a fresh random token (GitHub's
 * documented way to stop command processing), and the values kradar puts
 * into its own commands are escaped as the runner unescapes them. */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* A command's message: %, CR and LF percent-encoded. */
char *kr_github_escape_data(const char *s);
/* A property value (title=, file=): also ':' and ','. */
char *kr_github_escape_property(const char *s);

void kr_github_group(FILE *f, const char *title);
void kr_github_endgroup(FILE *f);

/* ::LEVEL title=TITLE[,file=FILE]::MESSAGE with level "error", "warning"
 * or "notice". Every value is made visible (text.h) and escaped. */
void kr_github_annotation(FILE *f, const char *level, const char *title, const char *file,
			  const char *message);

/* A token for stop-commands: 32 random hex digits (getrandom), or one
 * derived from fixed (tests) that does not occur in avoid. */
char *kr_github_token(const char *fixed, const char *avoid);
void kr_github_stop_commands(FILE *f, const char *token);
void kr_github_resume_commands(FILE *f, const char *token);

/* Writes text (made visible, text.h) so that no line of it can act as a
 * workflow command: wrapped in stop-commands with a fresh token when
 * fixed_token is NULL. */
void kr_github_echo(FILE *f, const char *text, size_t len, const char *fixed_token);
