/* SPDX-License-Identifier: MIT */
/* The command table and the option handling shared by all commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clidoc.h"
#include "log.h"
#include "util.h"

#ifndef KRADAR_VERSION
#define KRADAR_VERSION "unknown"
#endif

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

const struct kr_command kr_commands[] = {
	{ "validate", "check scenario files and report every problem", kr_cmd_validate,
	  "Usage: kradar validate [options] FILE|DIR...\n"
	  "\n"
	  "Loads every scenario (*.json, searched recursively in directories) and checks\n"
	  "types, ranges, mutually exclusive fields, referenced files and regexes.\n"
	  "Each problem is printed as FILE:LINE:COL: field.path: message.\n"
	  "\n"
	  "Options:\n"
	  "  -q, --quiet     print problems only, not the final count\n"
	  "  -v, --verbose   more log lines (repeatable: info, then debug)\n"
	  "  -h, --help      show this help\n"
	  "\n"
	  "Exit status: 0 when every scenario is valid, 2 otherwise.\n" },
	{ "classify", "find the crashes in a console log and title them", kr_cmd_classify,
	  "Usage: kradar classify [options] LOG|-\n"
	  "\n"
	  "Reads a kernel console log (a file, or standard input for -) and reports\n"
	  "every crash in it, titled the way syzbot titles bugs (\"WARNING in foo\",\n"
	  "\"INFO: task hung in bar\", ...), and the lines showing that the (virtual)\n"
	  "CPU was starved (hrtimer, RCU kthread starvation, clocksource, RT throttling).\n"
	  "\n"
	  "The summary prints one \"crash: TITLE\" line (\"then: TITLE\" for later ones)\n"
	  "with its type, frame, flags and byte range, \"also:\" lines for alternative\n"
	  "titles, and \"starvation:\" lines; or \"no crash\".\n"
	  "With --json, one object: crashed, title, alt_titles, type, frame, corrupted,\n"
	  "suppressed, is_stall (of the first crash), reports (every crash, with start\n"
	  "and end offsets and its text) and starvation (kind, value, unit, line, offset).\n"
	  "\n"
	  "Options:\n"
	  "      --json      print the result as JSON\n"
	  "  -e, --explain   for each crash, the frames looked at for its title and why\n"
	  "                  each was skipped (skip list, kernel family) or taken\n"
	  "                  (\"explain:\" lines; with --json, each report's \"explain\")\n"
	  "  -v, --verbose   more log lines (repeatable: info, then debug)\n"
	  "  -h, --help      show this help\n"
	  "\n"
	  "Exit status: 0 whether or not a crash is found, 2 when the log cannot be read.\n" },
	{ "symbolize", "add source files and lines (and inline frames) to a report's frames",
	  kr_cmd_symbolize,
	  "Usage: kradar symbolize --vmlinux FILE [--module FILE.ko]... LOG|-\n"
	  "\n"
	  "Reads a kernel report or console log (a file, or standard input for -) and\n"
	  "prints it with every frame func+0xOFF/0xSIZE [mod] symbolized the way syzbot\n"
	  "does: \" file:line\" appended, and a \"func file:line [inline]\" line before\n"
	  "it for each inlined call, innermost first. Frames are resolved by name in\n"
	  "vmlinux or in the module's .ko (named by its file: foo-bar.ko is [foo_bar]),\n"
	  "so the load addresses in the log do not matter. A file that is missing,\n"
	  "has no debug info or does not match the log (no function of that name and\n"
	  "size) is a warning on standard error; its frames stay as they were.\n"
	  "\n"
	  "Options:\n"
	  "      --vmlinux FILE  the kernel's vmlinux (with debug info)\n"
	  "      --module FILE   a module's .ko (repeatable)\n"
	  "  -v, --verbose       more log lines (repeatable: info, then debug)\n"
	  "  -h, --help          show this help\n"
	  "\n"
	  "Exit status: 0 done (also with warnings), 2 the log cannot be read or no\n"
	  "file was given.\n" },
	{ "build", "build the kernel of kernel.source scenarios (or find it in the cache)",
	  kr_cmd_build,
	  "Usage: kradar build [options] SCENARIO...\n"
	  "\n"
	  "Builds each scenario's kernel.source kernel without running the scenario:\n"
	  "the tree (at kernel.commit), kernel.config, kernel.fragment merged in,\n"
	  "olddefconfig, then make -j bzImage out of tree. Fragment lines the kernel\n"
	  "dropped or changed are warnings (errors with kernel.strict_fragment).\n"
	  "Kernels are cached by tree, final .config, compiler and make variables,\n"
	  "so unchanged inputs are never built twice. Prints the kernel's identity\n"
	  "(label, cache key, tree, commit, config hash) and the bzImage path.\n"
	  "\n"
	  "Options:\n"
	  "  -C, --cache DIR     cache directory (default:\n"
	  "                      ${XDG_CACHE_HOME:-~/.cache}/kradar)\n"
	  "  -j, --jobs N        parallel make jobs (default: the CPUs kradar may use)\n"
	  "      --config-only   stop after configuring and checking the fragment\n"
	  "      --log FILE      copy the build log to FILE (one scenario only)\n"
	  "  -v, --verbose       more log lines (repeatable: info, then debug)\n"
	  "  -h, --help          show this help\n"
	  "\n"
	  "Exit status: 0 built or cached, 2 bad input (scenario, config target,\n"
	  "strict fragment), 3 the kernel did not compile (the first error lines are\n"
	  "shown), 4 host problem (a missing tool, disk full), 130/143 interrupted by\n"
	  "SIGINT/SIGTERM (make's whole process group is stopped; nothing is cached).\n" },
	{ "fetch", "download a syzbot bug and write a ready scenario", kr_cmd_fetch,
	  "Usage: kradar fetch [options] EXTID|URL\n"
	  "\n"
	  "Asks the syzbot dashboard for the bug (GET /bug?extid=EXTID&json=1), shows its\n"
	  "status (open, fixed by which commit, invalid), picks the first crash with a\n"
	  "reproducer and downloads repro.syz, repro.c, the kernel config, the crash\n"
	  "report and log, and the assets (disk image, bzImage, vmlinux; .xz is\n"
	  "decompressed) that the bug's page (GET /bug?extid=EXTID) lists for that crash,\n"
	  "unless --asset names them. Writes DIR/scenario.json (expect.title = the bug's\n"
	  "title) and DIR/meta.json (status, fix commits, URLs and sha256 of every file,\n"
	  "where each asset's link came from).\n"
	  "\n"
	  "Downloads go through one cache (each file is fetched once), are resumed when\n"
	  "cut short and retried on transient errors; the dashboard gets at most one\n"
	  "request a second.\n"
	  "\n"
	  "Options:\n"
	  "  -o, --out DIR        output directory (default: ./NAME)\n"
	  "      --name NAME      the scenario's name (default: syzbot-EXTID)\n"
	  "      --repro KIND     auto (C when the crash has one, else syz), syz or c\n"
	  "      --crash N        use the bug's crash N (default: the first with a reproducer)\n"
	  "      --asset [TYPE=]URL  an asset to download (repeatable), instead of the bug\n"
	  "                       page's of its kind; TYPE is disk, kernel or vmlinux, else\n"
	  "                       the file name tells (disk-*, bzImage-*, vmlinux-*);\n"
	  "                       relative URLs are on the dashboard\n"
	  "      --base-url URL   the dashboard (default: https://syzkaller.appspot.com)\n"
	  "      --cache DIR      download cache (default:\n"
	  "                       ${XDG_CACHE_HOME:-~/.cache}/kradar/downloads)\n"
	  "      --offline        use only the cache; make no request\n"
	  "  -q, --quiet          no progress bar or notices\n"
	  "  -v, --verbose        more log lines (repeatable: info, then debug)\n"
	  "  -h, --help           show this help\n"
	  "\n"
	  "Exit status: 0 done; 2 bad input or answer (unknown bug, malformed or oversized\n"
	  "answer, no reproducer, HTTP 4xx); 4 the download failed (network, server\n"
	  "errors after the retries, not in the cache with --offline) or a file could not\n"
	  "be written.\n" },
	{ "run", "run scenarios in fresh QEMU guests and give each a verdict", kr_cmd_run,
	  "Usage: kradar run [options] SCENARIO|DIR...|MATRIX\n"
	  "\n"
	  "Runs every scenario (*.json, searched recursively in directories), or every\n"
	  "cell of a matrix file (docs/matrix.md): each run\n"
	  "in a fresh QEMU guest, the console watched for crashes, a verdict per run\n"
	  "(reproduced, other-crash, artifact-stall, clean, infra-error) and per\n"
	  "scenario, and a table of verdicts at the end. Progress goes to standard\n"
	  "error: a live status line on a terminal, else a line per event; under\n"
	  "GitHub Actions or GitLab CI (GITHUB_ACTIONS/GITLAB_CI=true), a log group\n"
	  "per scenario and an annotation per unmet expectation.\n"
	  "\n"
	  "Options:\n"
	  "  -o, --out DIR         where results go (default: kradar-results):\n"
	  "                        DIR/results.json, DIR/junit.xml, DIR/summary.md and\n"
	  "                        DIR/<scenario>/run-<n>/ with the console and report\n"
	  "      --junit FILE      the JUnit XML report there instead of DIR/junit.xml\n"
	  "      --markdown FILE   the Markdown summary there instead of DIR/summary.md\n"
	  "  -q, --quiet           no progress lines, only the table (CI annotations stay)\n"
	  "  -C, --cache DIR       kernel.source builds' cache (default:\n"
	  "                        ${XDG_CACHE_HOME:-~/.cache}/kradar)\n"
	  "  -j, --jobs N          guests at once at most, and make -j for kernel.source\n"
	  "                        builds (default: the CPUs kradar may use); running\n"
	  "                        guests never need more vCPUs or memory than the host can\n"
	  "                        give\n"
	  "      --shard K/N       run shard K of N (the others' cells are skipped); auto:\n"
	  "                        from CI_NODE_INDEX/CI_NODE_TOTAL (GitLab),\n"
	  "                        SLURM_ARRAY_TASK_* (Slurm), JOB_COMPLETION_INDEX\n"
	  "                        (Kubernetes, with --shard-total N or KRADAR_SHARD_TOTAL)\n"
	  "      --baseline FILE   compare with a previous results.json: regressions and\n"
	  "                        new fixes are reported apart\n"
	  "      --runs N          N runs of every scenario, all of them (overrides runs\n"
	  "                        and stop_on_hit)\n"
	  "      --filter GLOB     only the scenarios or cells whose name matches GLOB\n"
	  "                        (fnmatch; repeatable, or a comma list); a GLOB that\n"
	  "                        matches nothing is an error\n"
	  "      --format FMT      text (default) or json: the table of verdicts as JSON on\n"
	  "                        standard output (the other lines on standard error)\n"
	  "      --warm-start      every scenario as with vm.warm_start: runs restore a\n"
	  "                        snapshot of the guest booted to its ready point\n"
	  "                        (initramfs mode)\n"
	  "      --bisect          for git bisect run: one scenario, exit 0 when clean\n"
	  "                        (good), 1 when it reproduced (bad), 125 otherwise (skip:\n"
	  "                        other crash, infra error, artifact stall), 128 on bad\n"
	  "                        input or a host error (stops the bisection)\n"
	  "  -v, --verbose         more log lines (repeatable: info, then debug)\n"
	  "  -h, --help            show this help\n"
	  "\n"
	  "Environment: KRADAR_KVM_DEVICE (default /dev/kvm), KRADAR_KVM_PROBE_TIMEOUT\n"
	  "(seconds, default 5), KRADAR_BUSYBOX (default /bin/busybox), TMPDIR,\n"
	  "KRADAR_CPUS and KRADAR_MEM_MB (the budget guests share, instead of the\n"
	  "detected one).\n"
	  "\n"
	  "Exit status: 0 every scenario met its expectation, 1 some did not, 2 bad\n"
	  "input, 3 inconclusive (infra errors or artifact stalls) and none failed,\n"
	  "4 host error, 130/143 interrupted by SIGINT/SIGTERM (results written).\n" },
	{ "verify-fix", "run a reproducer on a bad and a fixed kernel: is the bug fixed?",
	  kr_cmd_verify_fix,
	  "Usage: kradar verify-fix [options] SCENARIO --bad KERNEL --fixed KERNEL\n"
	  "\n"
	  "Runs the scenario's reproducer N times on each kernel (every run, no stop at\n"
	  "the first hit), several guests at once as kradar run does, and judges:\n"
	  "  fixed                    the bad kernel reproduced, the fixed one stayed clean\n"
	  "  still-reproduces         the fixed kernel reproduced the bug\n"
	  "  not-reproducible-on-bad  the bad kernel did not reproduce it: no evidence\n"
	  "  inconclusive             no conclusive runs, or --confidence not reached\n"
	  "With p the bad kernel's reproduction rate (conservatively: the lower bound of\n"
	  "its Wilson 95% interval) and n clean runs on the fixed kernel, a kernel that\n"
	  "still had the bug would look fixed with probability (1-p)^n; the clean runs\n"
	  "needed for confidence c are ceil(ln(1-c)/ln(1-p)). Results as kradar run's,\n"
	  "cells SCENARIO@bad and SCENARIO@fixed, plus DIR/verify-fix.json.\n"
	  "\n"
	  "KERNEL is a kernel image (a file, or image:PATH), or a commit of the\n"
	  "scenario's kernel.source tree (commit:REV, or anything that is not a file),\n"
	  "built and cached as kradar build does.\n"
	  "\n"
	  "Options:\n"
	  "      --bad KERNEL        the kernel with the bug\n"
	  "      --fixed KERNEL      the kernel with the fix\n"
	  "      --runs N            runs on each kernel (default: the scenario's runs)\n"
	  "      --confidence C      judge fixed only when P(wrong) <= 1-C (0 < C < 1)\n"
	  "      --bad-env NAME=VAL  set NAME while loading the scenario for the bad side\n"
	  "      --fixed-env NAME=VAL  the same for the fixed side (repeatable; the\n"
	  "                          scenario's ${NAME}s then differ between the sides)\n"
	  "  -o, --out DIR           where results go (default: kradar-results)\n"
	  "  -C, --cache DIR         kernel cache\n"
	  "  -j, --jobs N            guests at once at most (default: the CPUs)\n"
	  "  -q, --quiet             no progress lines\n"
	  "  -v, --verbose           more log lines (repeatable: info, then debug)\n"
	  "  -h, --help              show this help\n"
	  "\n"
	  "Exit status: 0 fixed, 1 still-reproduces, 2 bad input, 3 not-reproducible-on-bad\n"
	  "or inconclusive, 4 host error, 130/143 interrupted.\n" },
	{ "matrix", "list a matrix's cells and shards, or emit a CI job matrix; runs nothing",
	  kr_cmd_matrix,
	  "Usage: kradar matrix [options] MATRIX|SCENARIO|DIR...\n"
	  "\n"
	  "Expands a matrix file (docs/matrix.md), or scenarios, into the cells kradar\n"
	  "run would make, and lists them with their kernel, vCPUs, runs, expected cost\n"
	  "(runs x ((boot + run timeouts) x tcg_factor + settle)) and, with --shards N,\n"
	  "the shard each falls into: the split kradar run --shard K/N makes on every\n"
	  "machine.\n"
	  "\n"
	  "Options:\n"
	  "      --emit list       the table (default)\n"
	  "      --emit github     {\"include\":[{\"shard\":\"1/N\",\"cells\":C},...]} for a\n"
	  "                        GitHub Actions strategy.matrix (N at most the cells)\n"
	  "      --shards N        split into N shards\n"
	  "      --shard K/N       list shard K's cells only\n"
	  "  -v, --verbose         more log lines (repeatable: info, then debug)\n"
	  "  -h, --help            show this help\n"
	  "\n"
	  "Exit status: 0, or 2 for bad input.\n" },
	{ "merge", "merge the results of shards into one results.json and its reports",
	  kr_cmd_merge,
	  "Usage: kradar merge [options] DIR|RESULTS.json...\n"
	  "\n"
	  "Reads the results.json of each shard (kradar run --shard K/N) and writes one\n"
	  "results.json, junit.xml and summary.md: each cell as the shard that ran it\n"
	  "reported it, with its run directories copied along (hard links where\n"
	  "possible). A cell that no shard ran stays skipped; a cell that two ran is an\n"
	  "error (results of two runs of the matrix). Missing shards are warnings.\n"
	  "\n"
	  "Options:\n"
	  "  -o, --out DIR         where the merged results go (default: kradar-results)\n"
	  "      --baseline FILE   compare with a previous results.json (regressions,\n"
	  "                        new fixes); the shards' own comparisons are kept otherwise\n"
	  "      --junit FILE      the JUnit report (default: DIR/junit.xml)\n"
	  "  -m, --markdown FILE   the Markdown summary (default: DIR/summary.md)\n"
	  "  -v, --verbose         more log lines (repeatable: info, then debug)\n"
	  "  -h, --help            show this help\n"
	  "\n"
	  "Exit status: as kradar run's for the merged results (0 every cell met its\n"
	  "expectation or was skipped, 1 some failed, 3 inconclusive), 2 bad input (an\n"
	  "unreadable results.json, shards of different runs), 4 host error.\n" },
	{ "report", "write the reports of a finished run again, from its results.json",
	  kr_cmd_report,
	  "Usage: kradar report [options] RESULTS.json\n"
	  "\n"
	  "Reads the results.json of a 'kradar run' and writes its reports again. With\n"
	  "no option, junit.xml and summary.md are written next to RESULTS.json.\n"
	  "\n"
	  "Options:\n"
	  "      --junit FILE      write the JUnit XML report to FILE ('-': standard output)\n"
	  "  -m, --markdown FILE   write the Markdown summary to FILE ('-': standard output)\n"
	  "      --link-base URL   link artifacts in the summary as URL/PATH\n"
	  "      --github          print each scenario as a GitHub Actions log group, with\n"
	  "                        an ::error:: annotation for each unmet expectation\n"
	  "      --gitlab          print each scenario as a GitLab CI log section\n"
	  "  -v, --verbose         more log lines (repeatable: info, then debug)\n"
	  "  -h, --help            show this help\n"
	  "\n"
	  "Exit status: 0 when the reports were written (whatever the verdicts), 2 for a\n"
	  "bad results.json or option, 4 when a report cannot be written.\n" },
	{ "version", "print kradar's version", cmd_version,
	  "Usage: kradar version\n" },
	{ "help", "show help for kradar or for a command", cmd_help,
	  "Usage: kradar help [options] [COMMAND]\n"
	  "\n"
	  "Prints kradar's usage, or a command's (as kradar COMMAND --help does). The\n"
	  "man pages and the shell completion meson installs are made from the same\n"
	  "texts.\n"
	  "\n"
	  "Options:\n"
	  "      --man            the command's man page (roff; kradar(1) without COMMAND)\n"
	  "      --completion SHELL  completion for bash or zsh\n"
	  "  -v, --verbose        more log lines (repeatable: info, then debug)\n"
	  "  -h, --help           show this help\n" },
	{ 0 },
};

const char kr_cli_about[] = "Turns syzbot reproducers into CI tests: runs scenario files in fresh QEMU\n"
			   "guests and reports a verdict for each.\n";

void kr_cli_print_usage(FILE *f)
{
	fprintf(f, "Usage: kradar COMMAND [options] [arguments]\n"
		   "\n"
		   "%s"
		   "\n"
		   "Commands:\n",
		kr_cli_about);
	for (const struct kr_command *c = kr_commands; c->name; c++)
		fprintf(f, "  %-12s %s\n", c->name, c->summary);
	fprintf(f, "\n"
		   "Run 'kradar COMMAND --help' for a command's options.\n"
		   "Exit status: 0 ok, 1 expectation not met, 2 bad input, 3 inconclusive,\n"
		   "4 host error.\n");
}

int kr_cli_verbose_flag(const char *arg)
{
	if (!strcmp(arg, "--verbose"))
		return 1;
	if (arg[0] != '-' || arg[1] != 'v')
		return 0;
	int n = 0;
	for (arg++; *arg == 'v'; arg++)
		n++;
	return *arg ? 0 : n;
}

int kr_cli_split_list(const char *arg, char ***v)
{
	for (const char *p = arg;; p++) {
		size_t len = strcspn(p, ",");
		if (!len)
			return -EINVAL;
		kr_strv_push(v, kr_strndup(p, len));
		p += len;
		if (!*p)
			return 0;
	}
}

const struct kr_command *kr_cli_find(const char *name)
{
	for (const struct kr_command *c = kr_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int kr_cli_usage_error(const struct kr_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "kradar %s: %s (try 'kradar %s --help')\n", cmd->name, msg, cmd->name);
	return KR_EXIT_USAGE;
}

int kr_cli_getopt(const struct kr_command *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts)
{
	/* Every command gets --help; build the merged tables once per call
	 * (the tables are tiny). The leading ':' makes getopt report a
	 * missing argument as ':' instead of '?'. */
	size_t n = 0;
	while (longopts && longopts[n].name)
		n++;
	struct option merged[40];
	if (n > KR_ARRAY_SIZE(merged) - 3)
		abort(); /* a programming error: raise the limit */
	for (size_t i = 0; i < n; i++)
		merged[i] = longopts[i];
	merged[n] = (struct option){ "help", no_argument, NULL, 'h' };
	merged[n + 1] = (struct option){ "verbose", no_argument, NULL, 'v' };
	merged[n + 2] = (struct option){ 0 };
	/* On the stack: exit() below would skip cleanup attributes. Options
	 * may follow arguments (GNU argument permutation). */
	char shorts[64];
	if ((size_t)snprintf(shorts, sizeof(shorts), ":hv%s", shortopts ? shortopts : "") >= sizeof(shorts))
		abort(); /* a programming error: raise the limit */

	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shorts, merged, NULL)) == 'v')
		kr_log_more_verbose();
	if (c == 'h') {
		fputs(cmd->usage, stdout);
		exit(KR_EXIT_OK);
	}
	if (c == '?' || c == ':') {
		/* After a failed option, getopt has moved optind past it. A
		 * long option is named as written (optopt holds its value,
		 * which need not be a short option), a short one by optopt
		 * (it may sit in a group such as -qz). */
		const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
		const char *what = c == '?' ? "unknown option" : "option needs an argument:";
		if (kr_str_startswith(arg, "--") || !optopt) {
			size_t len = strcspn(arg, "=");
			kr_cli_usage_error(cmd, "%s '%.*s'", what, (int)len, arg);
		} else {
			kr_cli_usage_error(cmd, "%s '-%c'", what, optopt);
		}
		exit(KR_EXIT_USAGE);
	}
	return c;
}

static int cmd_version(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("version");
	while (kr_cli_getopt(self, argc, argv, "", NULL) != -1)
		;
	if (optind < argc)
		return kr_cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	printf("kradar %s\n", KRADAR_VERSION);
	return KR_EXIT_OK;
}

/* kradar help --man [COMMAND], kradar help --completion SHELL. */
static int print_doc(const struct kr_command *self, const char *name, const char *shell)
{
	const struct kr_command *c = name ? kr_cli_find(name) : NULL;
	if (name && !c)
		return kr_cli_usage_error(self, "unknown command '%s'", name);
	if (shell && strcmp(shell, "bash") && strcmp(shell, "zsh"))
		return kr_cli_usage_error(self, "--completion: expected bash or zsh, got '%s'",
					  shell);
	_cleanup_free_ char *text = NULL, *err = NULL;
	int r = shell ? kr_clidoc_completion(shell, &text, &err) :
			kr_clidoc_man(c, KRADAR_VERSION, &text, &err);
	if (r < 0) {
		kr_error("help: %s", err ? err : strerror(-r));
		return KR_EXIT_ENVIRONMENT;
	}
	fputs(text, stdout);
	return KR_EXIT_OK;
}

static int cmd_help(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("help");
	enum { OPT_MAN = 256, OPT_COMPLETION };
	static const struct option opts[] = {
		{ "man", no_argument, NULL, OPT_MAN },
		{ "completion", required_argument, NULL, OPT_COMPLETION },
		{ 0 },
	};
	bool man = false;
	const char *shell = NULL;
	int o;
	while ((o = kr_cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (o == OPT_MAN)
			man = true;
		else if (o == OPT_COMPLETION)
			shell = optarg;
	}
	if (optind + 1 < argc)
		return kr_cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
	if (man || shell)
		return print_doc(self, man ? argv[optind] : NULL, shell);
	if (optind >= argc) {
		kr_cli_print_usage(stdout);
		return KR_EXIT_OK;
	}
	const struct kr_command *c = kr_cli_find(argv[optind]);
	if (!c)
		return kr_cli_usage_error(self, "unknown command '%s'", argv[optind]);
	fputs(c->usage, stdout);
	return KR_EXIT_OK;
}

