/* SPDX-License-Identifier: MIT */
/* repro.syz with the real syz-execprog and syz-executor (kr_test_syzkaller_bin:
 * $KRADAR_SYZKALLER_BIN or ../shared/syzkaller/linux_amd64; skipped, saying
 * why, without them) in initramfs mode on Debian's kernel under TCG. The
 * qemu suite.
 *
 * The crashing program loads the kradar_test module from bytes in the
 * program (init_module) and writes "warn" to /proc/kradar_test. It cannot
 * name /proc/kradar_test itself: syz-execprog drops, without a word, a call
 * whose file name is absolute or leaves the executor's directory ("sandbox
 * escaping file name"); so it mounts proc on ./file0 and opens
 * ./file0/kradar_test. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kr-test.h"
#include "util.h"

#define TITLE "WARNING in kradar_test_warn"
#define EXPECT_WARN "{\"title\":\"" TITLE "\"}"
#define VM_TCG "\"vm\":{\"kvm\":\"off\",\"smp\":1,\"mem_mb\":512}"
#define TIMEOUTS "\"timeouts\":{\"boot\":300,\"run\":300,\"no_output\":200,\"grace\":2," \
		 "\"tcg_factor\":1}"
/* The program's data: the module from its start, its arguments here. */
#define MODULE_MAX (8u << 20)

/* The options lines: a minimal one, and one as syzbot writes them, with
 * wifi and ieee802154 on (features this guest lacks). */
#define OPTIONS_PLAIN                                                              \
	"#{\"threaded\":false,\"repeat\":false,\"procs\":1,\"slowdown\":1,\"sandbox\":" \
	"\"none\"}\n"
#define OPTIONS_SYZBOT                                                                       \
	"#{\"threaded\":true,\"repeat\":true,\"procs\":2,\"slowdown\":1,\"sandbox\":\"none\"," \
	"\"sandbox_arg\":0,\"tun\":false,\"netdev\":false,\"resetnet\":false,\"cgroups\":false," \
	"\"binfmt_misc\":false,\"close_fds\":false,\"usb\":false,\"vhci\":false,\"wifi\":true,"   \
	"\"ieee802154\":true,\"sysctl\":true,\"swap\":false,\"tmpdir\":true,\"segv\":true}\n"

/* Threaded, run once: a call that blocks is left behind, the program ends. */
#define OPTIONS_THREADED_ONCE                                                     \
	"#{\"threaded\":true,\"repeat\":false,\"procs\":1,\"slowdown\":1,\"sandbox\":" \
	"\"none\"}\n"

static char *kernel;
static char *bin;       /* the real binaries */
static char *module_hex; /* kradar_test.ko in hex */
static size_t module_len;

static void prepare(void)
{
	kr_test_prepare_debian_kernel();
	kernel = kr_strdup(getenv("KRADAR_DEBIAN_KERNEL"));
	_cleanup_free_ char *ko = NULL;
	ck_assert_int_eq(kr_read_file(getenv("KRADAR_TEST_MODULE"), MODULE_MAX, &ko, &module_len),
			 0);
	module_hex = kr_malloc(2 * module_len + 1);
	for (size_t i = 0; i < module_len; i++)
		snprintf(module_hex + 2 * i, 3, "%02x", (unsigned char)ko[i]);
}

/* The program that writes action to the module, after options. */
static char *action_program(const char *options, const char *action)
{
	return kr_asprintf(
		"# kradar's qemu suite: load kradar_test, write it an action\n"
		"%s"
		"init_module(&(0x7f0000000000)=\"%s\", 0x%zx, &(0x7f0000800000)='\\x00')\n"
		"mkdir(&(0x7f0000900000)='./file0\\x00', 0x1ff)\n"
		"mount(0x0, &(0x7f0000900000)='./file0\\x00', &(0x7f0000900040)='proc\\x00', 0x0, "
		"0x0)\n"
		"r0 = openat(0xffffffffffffff9c, &(0x7f0000900080)='./file0/kradar_test\\x00', "
		"0x1, 0x0)\n"
		"write(r0, &(0x7f0000900100)='%s', 0x%zx)\n",
		options, module_hex, module_len, action, strlen(action));
}

static char *warn_program(const char *options)
{
	return action_program(options, "warn");
}

/* A scenario running program (file name.syz) with the real binaries;
 * execprog: more fields of the execprog object, with its leading comma (or
 * ""); expect: the expect object; extra: more top-level fields, each with
 * its leading comma (or ""). */
static void scenario_with(const char *dir, const char *name, const char *program,
			  const char *execprog, const char *expect, const char *extra)
{
	_cleanup_free_ char *syz = kr_asprintf("%s.syz", name);
	free(kr_test_write(dir, syz, program));
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\":1,\"name\":\"%s\",\"kernel\":{\"image\":\"%s\"},"
		"\"repro\":{\"syz\":\"%s\"},\"execprog\":{\"bin\":\"%s\"%s}," VM_TCG "," TIMEOUTS
		",\"expect\":%s%s}",
		name, kernel, syz, bin, execprog, expect, extra);
	_cleanup_free_ char *file = kr_asprintf("%s.json", name);
	free(kr_test_write(dir, file, text));
}

static void scenario(const char *dir, const char *name, const char *program,
		     const char *execprog, const char *expect)
{
	scenario_with(dir, name, program, execprog, expect, "");
}

struct run {
	int status;
	char *out, *err, *json;
	char *out_dir;
};

static void run_clear(struct run *r)
{
	free(r->out);
	free(r->err);
	free(r->json);
	free(r->out_dir);
}

static void kradar_run(const char *scenarios, struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->out_dir = kr_path_join(kr_test_tmpdir(), "out");
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", r->out_dir, (char *)scenarios,
			 NULL };
	r->status = kr_test_spawn(argv, NULL, 0, &r->out, &r->err, 1500);
	_cleanup_free_ char *path = kr_path_join(r->out_dir, "results.json");
	ck_assert_msg(kr_read_file(path, 16 << 20, &r->json, NULL) == 0,
		      "no results.json; kradar run exited with %d:\n%s\n%s", r->status, kr_test_tail(r->out),
		      kr_test_tail(r->err));
}

/* A file of scenario name's first run ("" when missing). */
static char *artifact(const struct run *r, const char *name, const char *file)
{
	_cleanup_free_ char *path = kr_asprintf("%s/%s/run-1/%s", r->out_dir, name, file);
	char *text = NULL;
	if (kr_read_file(path, 64 << 20, &text, NULL) < 0)
		return kr_strdup("");
	return text;
}

/* A syz program that crashes the guest: reproduced, with the title. */
START_TEST(program_crashes_guest)
{
	_cleanup_free_ char *dir = kr_path_join(kr_test_tmpdir(), "scenarios");
	_cleanup_free_ char *program = warn_program(OPTIONS_PLAIN);
	scenario(dir, "real-warn", program, "", EXPECT_WARN);
	struct run r;
	kradar_run(dir, &r);
	ck_assert_msg(r.status == 0, "exit %d:\n%s\n%s", r.status, kr_test_tail(r.out), kr_test_tail(r.err));
	_cleanup_free_ char *s = kr_test_results_scenario(r.json, "real-warn");
	KR_ASSERT_HAS(s, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(s, "\"title\": \"" TITLE "\"");
	KR_ASSERT_HAS(s, "\"execprog_log\": \"execprog.log\"");
	_cleanup_free_ char *log = artifact(&r, "real-warn", "execprog.log");
	KR_ASSERT_HAS(log, "parsed 1 programs");
	_cleanup_free_ char *init = artifact(&r, "real-warn", "init.sh");
	KR_ASSERT_HAS(init, "/kradar/syz-execprog -executor=/kradar/syz-executor '-procs=1' "
			    "'-threaded=false' '-repeat=1' '-sandbox=none' '-enable=close_fds' "
			    "'-slowdown=10' /kradar/repro.syz");
	_cleanup_free_ char *console = artifact(&r, "real-warn", "console.log");
	KR_ASSERT_HAS(console, "Comm: syz-executor");
	run_clear(&r);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* syzbot's options line, with wifi and ieee802154 on: syz-execprog finds
 * them missing in this guest and goes on; and the edit users make by hand
 * (execprog.options turning them off). Both run the program. */
START_TEST(syzbot_options_line)
{
	_cleanup_free_ char *dir = kr_path_join(kr_test_tmpdir(), "scenarios");
	_cleanup_free_ char *program = warn_program(OPTIONS_SYZBOT);
	scenario(dir, "real-syzbot", program, "", EXPECT_WARN);
	scenario(dir, "real-edited", program, ",\"options\":{\"wifi\":false,\"ieee802154\":false}",
		 EXPECT_WARN);
	struct run r;
	kradar_run(dir, &r);
	ck_assert_msg(r.status == 0, "exit %d:\n%s\n%s", r.status, kr_test_tail(r.out), kr_test_tail(r.err));
	_cleanup_free_ char *s = kr_test_results_scenario(r.json, "real-syzbot");
	KR_ASSERT_HAS(s, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(s, "\"title\": \"" TITLE "\"");
	_cleanup_free_ char *init = artifact(&r, "real-syzbot", "init.sh");
	KR_ASSERT_HAS(init, "'-procs=2' '-threaded=true' '-repeat=0' '-sandbox=none' "
			    "'-enable=wifi,ieee802154,sysctl' '-slowdown=10'");
	_cleanup_free_ char *log = artifact(&r, "real-syzbot", "execprog.log");
	KR_ASSERT_HAS(log, "parsed 1 programs");
	ck_assert_msg(!strstr(log, "[FATAL]"), "syz-execprog gave up:\n%s", kr_test_tail(log));

	_cleanup_free_ char *e = kr_test_results_scenario(r.json, "real-edited");
	KR_ASSERT_HAS(e, "\"verdict\": \"reproduced\"");
	_cleanup_free_ char *einit = artifact(&r, "real-edited", "init.sh");
	KR_ASSERT_HAS(einit, "'-enable=sysctl'");
	_cleanup_free_ char *esyz = artifact(&r, "real-edited", "repro.syz");
	KR_ASSERT_HAS(esyz, "\"wifi\":false,\"ieee802154\":false");
	run_clear(&r);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A bug that fires after the program has ended: "deadlock" leaves two
 * module threads blocked on each other's mutex for good. The writing call
 * waits for them (killably); in threaded mode syz-executor leaves it behind
 * after its call timeout and the program, run once, ends; the hung task
 * detector reports the threads 5 to 10 s later, in the settle period. */
START_TEST(program_exits_before_its_bug_fires)
{
	_cleanup_free_ char *dir = kr_path_join(kr_test_tmpdir(), "scenarios");
	_cleanup_free_ char *program = action_program(OPTIONS_THREADED_ONCE, "deadlock");
	scenario_with(dir, "real-late", program, "", "{\"title_regex\":\"^INFO: task hung in \"}",
		      ",\"sysctl\":{\"kernel.hung_task_timeout_secs\":5}");
	struct run r;
	kradar_run(dir, &r);
	ck_assert_msg(r.status == 0, "exit %d:\n%s\n%s", r.status, kr_test_tail(r.out), kr_test_tail(r.err));
	_cleanup_free_ char *s = kr_test_results_scenario(r.json, "real-late");
	KR_ASSERT_HAS(s, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(s, "\"title\": \"INFO: task hung in kradar_test_deadlock_worker_");
	/* the crash came while settling: syz-execprog had ended */
	ck_assert_msg(strstr(s, "\"settle_s\": null") == NULL, "no settling before the crash:\n%s", s);
	_cleanup_free_ char *log = artifact(&r, "real-late", "execprog.log");
	KR_ASSERT_HAS(log, "parsed 1 programs");
	run_clear(&r);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A program syz-execprog cannot parse (calls this syzkaller does not
 * know, as in a newer syzkaller's program): it says "parsed 0 programs" and
 * exits 0; the run is an infra error that says so, not clean. (It drops
 * an unknown call, or a broken line, and runs the rest when there is a
 * rest.) */
START_TEST(unparsable_program)
{
	_cleanup_free_ char *dir = kr_path_join(kr_test_tmpdir(), "scenarios");
	scenario(dir, "real-unparsable",
		 OPTIONS_PLAIN "r0 = kradar_no_such_call$open(0x0)\n"
		 "kradar_no_such_call$close(r0)\n", "",
		 "{\"verdict\":\"clean\"}");
	struct run r;
	kradar_run(dir, &r);
	ck_assert_msg(r.status == 3, "exit %d (an infra error: 3):\n%s\n%s", r.status, kr_test_tail(r.out),
		      kr_test_tail(r.err));
	_cleanup_free_ char *s = kr_test_results_scenario(r.json, "real-unparsable");
	KR_ASSERT_HAS(s, "\"verdict\": \"infra-error\"");
	KR_ASSERT_HAS(s, "syz-execprog could not parse the program");
	_cleanup_free_ char *log = artifact(&r, "real-unparsable", "execprog.log");
	KR_ASSERT_HAS(log, "parsed 0 programs");
	run_clear(&r);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	_cleanup_free_ char *why = NULL;
	bin = kr_test_syzkaller_bin(&why);
	if (!bin) {
		printf("1..0 # SKIP %s\n", why);
		return 0;
	}
	Suite *s = suite_create("syzkaller");
	TCase *tc = tcase_create("syzkaller");
	tcase_add_unchecked_fixture(tc, prepare, NULL);
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, program_crashes_guest);
	tcase_add_test(tc, syzbot_options_line);
	tcase_add_test(tc, unparsable_program);
	tcase_add_test(tc, program_exits_before_its_bug_fires);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
