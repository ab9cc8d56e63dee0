/* SPDX-License-Identifier: MIT */
/* syzkaller programs (repro.syz): the options comment at the top, the
 * scenario's edits to it, and the syz-execprog flags that run it.
 *
 * A syzbot repro.syz starts with comment lines, one of which carries the
 * options the reproducer was found with:
 *
 *   # See https://goo.gl/kgGztJ for information about syzkaller reproducers.
 *   #{"threaded":true,"repeat":true,"procs":6,"sandbox":"none","wifi":true,...}
 *
 * (older ones use the legacy form #{Threaded:true Collide:true Repeat:true
 * Procs:8 Sandbox:namespace ...}). kr_syzprog_prepare() reads that line,
 * applies the scenario's execprog.options overrides (giving the edited
 * program that users used to make by hand), and maps the result, with the
 * scenario's explicit execprog fields on top, to syz-execprog flags.
 *
 * Precedence, per value: execprog.procs/threaded/repeat/sandbox/enable/
 * disable, then execprog.options, then the options line, then the default
 * (procs 1, threaded false, repeat 1, sandbox none, every feature on). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

struct kr_syzprog {
	/* The program to run: the file's text with its options line rewritten
	 * (JSON form) when execprog.options changed anything; otherwise the
	 * file's text unchanged. */
	char *program;
	size_t program_len;
	bool edited;        /* program differs from the file */
	bool has_options;   /* the file had an options line */

	/* Effective settings, for reports. */
	int procs;
	bool threaded;
	long repeat;   /* 0: forever */
	char *sandbox; /* none, setuid, namespace or android */

	/* syz-execprog flags, NULL-terminated, without the binary, -executor
	 * and the program file, e.g. {"-procs=6", "-threaded=true",
	 * "-repeat=0", "-sandbox=none", "-enable=tun,net_dev,...", NULL}.
	 * The caller runs: syz-execprog -executor=PATH FLAGS... PROGRAM. */
	char **flags;
};

/* Reads s->repro.file (a repro.syz scenario) and fills *out. Errors:
 * -errno when the file cannot be read; -EINVAL for a malformed options line
 * ("FILE:LINE:COL: options line: ...") or an override of the wrong type
 * ("execprog.options.wifi: expected a boolean, got an integer"), with the
 * message in *err (the caller frees it). */
int kr_syzprog_prepare(const struct kr_scenario *s, struct kr_syzprog **out, char **err);

/* The same from a program in memory; file names it in messages. s supplies
 * execprog.options and the explicit execprog fields (NULL: none of them). */
int kr_syzprog_prepare_text(const char *file, const char *text, size_t len,
			    const struct kr_scenario *s, struct kr_syzprog **out, char **err);

/* What syz-execprog's output says went wrong, or NULL when nothing did.
 * syz-execprog drops a program it cannot parse without saying why, prints
 * "parsed 0 programs" and exits with status 0: a run of an unparsable
 * repro.syz would end like a clean one. It gives up on other errors with a
 * "[FATAL] ..." line and status 1. log: its whole output (console line
 * ends "\r\n" allowed); status: its exit status, -1 when unknown. Returns
 * the reason, for an infra error (the caller frees it). */
char *kr_syzprog_output_problem(const char *log, size_t len, int status);

void kr_syzprog_free(struct kr_syzprog *p);
KR_DEFINE_CLEANUP(struct kr_syzprog, kr_syzprog_free)
#define _cleanup_syzprog_free_ _cleanup_(kr_syzprog_freep)

/* NULL when an execprog.options value has the type that option takes (or
 * the option is not one kradar knows: those pass through unchecked);
 * otherwise a static description of the wanted type ("a boolean"). For
 * validation. */
const char *kr_syzprog_option_type_error(const struct kr_setting *opt);
