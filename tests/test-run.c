/* SPDX-License-Identifier: MIT */
/* kradar run against real guests: Debian's kernel under TCG, with the
 * kradar_test module for real crashes (prepared, and cached, by
 * ci/prepare-debian-kernel.sh). The qemu suite. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kr-freeze.h"
#include "kr-test.h"
#include "kvm.h"

static char *kernel;
static char *module;

/* Runs the preparer once for the whole suite (in the parent, before the
 * tests fork) and takes the kernel and module paths from its env file. */
static void prepare(void)
{
	kr_test_prepare_debian_kernel();
	kernel = kr_strdup(getenv("KRADAR_DEBIAN_KERNEL"));
	module = kr_strdup(getenv("KRADAR_TEST_MODULE"));
}

/* A scenario on the Debian kernel: body holds the fields after "kernel" (a
 * JSON fragment ending without a comma), usually with VM_TCG. */
#define VM_TCG "\"vm\":{\"kvm\":\"off\",\"smp\":1,\"mem_mb\":512}"
static void scenario(const char *dir, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *body = kr_vasprintf(fmt, ap);
	va_end(ap);
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\":1,\"name\":\"%s\",\"kernel\":{\"image\":\"%s\"},%s}",
		name, kernel, body);
	_cleanup_free_ char *file = kr_asprintf("%s.json", name);
	free(kr_test_write(dir, file, text));
}

/* The repro object that loads the module and runs an action. */
static char *module_repro(const char *action, const char *after)
{
	return kr_asprintf("\"repro\":{\"sh\":[\"insmod /kradar_test.ko\",\"echo %s > "
			   "/proc/kradar_test\"%s%s%s],\"files\":{\"%s\":\"/kradar_test.ko\"}}",
			   action, after ? ",\"" : "", after ? after : "", after ? "\"" : "",
			   module);
}

#define TIMEOUTS(boot, run, silence) \
	"\"timeouts\":{\"boot\":" #boot ",\"run\":" #run ",\"no_output\":" #silence \
	",\"grace\":2,\"tcg_factor\":1}"

static int kradar_run(const char *scenarios, const char *out_dir, char **out, char **err)
{
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", (char *)out_dir,
			 (char *)scenarios, NULL };
	return kr_test_spawn(argv, NULL, 0, out, err, 1500);
}

static char *results(const char *out_dir)
{
	_cleanup_free_ char *path = kr_path_join(out_dir, "results.json");
	char *json = NULL;
	ck_assert_int_eq(kr_read_file(path, 16 << 20, &json, NULL), 0);
	return json;
}

START_TEST(every_verdict)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	_cleanup_free_ char *warn = module_repro("warn", NULL);
	_cleanup_free_ char *null = module_repro("null", NULL);
	_cleanup_free_ char *fixed = module_repro("deadlock-fixed", "sleep 12");
	scenario(dir, "warn", VM_TCG ",%s,%s,\"expect\":{\"title\":\"WARNING in kradar_test_warn\"}", warn,
		 TIMEOUTS(120, 120, 120));
	scenario(dir, "null", VM_TCG ",%s,%s,\"expect\":{\"title\":\"WARNING in kradar_test_warn\"}", null,
		 TIMEOUTS(120, 120, 120));
	scenario(dir, "clean", VM_TCG ",\"repro\":{\"sh\":\"echo nothing to see\"},%s,"
			       "\"expect\":{\"verdict\":\"clean\"}",
		 TIMEOUTS(120, 120, 120));
	scenario(dir, "fixed", VM_TCG ",%s,%s,\"sysctl\":{\"kernel.hung_task_timeout_secs\":5},"
			       "\"expect\":{\"verdict\":\"fixed\",\"title_regex\":\"^INFO: task hung\"}",
		 fixed, TIMEOUTS(120, 120, 120));
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kradar_run(dir, out, &o, &e);
	ck_assert_msg(rc == 1, "exit %d (a scenario failed: 1)\n%s\n%s", rc, o, e);
	_cleanup_free_ char *json = results(out);
	KR_ASSERT_HAS(json, "\"version\": 1");
	_cleanup_free_ char *w = kr_test_results_scenario(json, "warn");
	KR_ASSERT_HAS(w, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(w, "\"outcome\": \"met\"");
	KR_ASSERT_HAS(w, "\"title\": \"WARNING in kradar_test_warn\"");
	KR_ASSERT_HAS(w, "\"accel\": \"tcg\"");
	_cleanup_free_ char *n = kr_test_results_scenario(json, "null");
	KR_ASSERT_HAS(n, "\"verdict\": \"other-crash\"");
	KR_ASSERT_HAS(n, "\"outcome\": \"failed\"");
	KR_ASSERT_HAS(n, "NULL pointer dereference");
	_cleanup_free_ char *c = kr_test_results_scenario(json, "clean");
	KR_ASSERT_HAS(c, "\"verdict\": \"clean\"");
	KR_ASSERT_HAS(c, "\"outcome\": \"met\"");
	_cleanup_free_ char *f = kr_test_results_scenario(json, "fixed");
	KR_ASSERT_HAS(f, "\"verdict\": \"fixed\"");
	/* the table */
	KR_ASSERT_HAS(o, "SCENARIO");
	KR_ASSERT_HAS(o, "other-crash");

	/* the artifacts of a run */
	const char *files[] = { "console.log", "console.times", "report.txt", "result.json",
				"qemu.cmdline", "repro.sh", "init.sh" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = kr_asprintf("%s/warn/run-1/%s", out, files[i]);
		ck_assert_msg(access(p, R_OK) == 0, "missing %s", p);
	}
	_cleanup_free_ char *cmdline = NULL, *report = NULL;
	_cleanup_free_ char *cp = kr_asprintf("%s/warn/run-1/qemu.cmdline", out);
	ck_assert_int_eq(kr_read_file(cp, 1 << 20, &cmdline, NULL), 0);
	KR_ASSERT_HAS(cmdline, "-accel tcg");
	KR_ASSERT_HAS(cmdline, kernel);
	_cleanup_free_ char *rp = kr_asprintf("%s/warn/run-1/report.txt", out);
	ck_assert_int_eq(kr_read_file(rp, 1 << 20, &report, NULL), 0);
	KR_ASSERT_HAS(report, "kradar_test_warn");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(infra_errors_and_stop_on_hit)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	_cleanup_free_ char *warn = module_repro("warn", NULL);
	/* three runs planned, the first reproduces: one run made */
	scenario(dir, "hit", VM_TCG ",%s,%s,\"runs\":3,\"expect\":{\"title\":\"WARNING in kradar_test_warn\"}",
		 warn, TIMEOUTS(120, 120, 120));
	/* the kernel panics at boot: no init, no root */
	scenario(dir, "boot-panic", "\"repro\":{\"sh\":\"true\"},%s,"
				    "\"vm\":{\"kvm\":\"off\",\"smp\":1,\"mem_mb\":512,"
				    "\"cmdline\":\"rdinit=/nonexistent\"}",
		 TIMEOUTS(120, 120, 120));
	/* QEMU starts with its CPU stopped (-S): the guest prints nothing */
	scenario(dir, "silent", "\"repro\":{\"sh\":\"true\"},%s,"
				"\"vm\":{\"kvm\":\"off\",\"smp\":1,\"mem_mb\":512,\"args\":[\"-S\"]}",
		 TIMEOUTS(5, 120, 120));
	/* a kernel file that is no kernel: QEMU refuses it */
	_cleanup_free_ char *junk = kr_test_write(tmp, "not-a-kernel", "this is no bzImage\n");
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\":1,\"name\":\"bad-kernel\",\"kernel\":{\"image\":\"%s\"},"
		"\"repro\":{\"sh\":\"true\"},%s,%s}", junk, VM_TCG, TIMEOUTS(120, 120, 120));
	free(kr_test_write(dir, "bad-kernel.json", text));

	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kradar_run(dir, out, &o, &e);
	ck_assert_msg(rc == 3, "exit %d (inconclusive: 3)\n%s\n%s", rc, o, e);
	_cleanup_free_ char *json = results(out);
	_cleanup_free_ char *h = kr_test_results_scenario(json, "hit");
	KR_ASSERT_HAS(h, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(h, "\"runs_planned\": 3");
	ck_assert_ptr_null(strstr(h, "\"run\": 2"));
	_cleanup_free_ char *bp = kr_test_results_scenario(json, "boot-panic");
	KR_ASSERT_HAS(bp, "\"verdict\": \"infra-error\"");
	KR_ASSERT_HAS(bp, "crashed before the reproducer started");
	_cleanup_free_ char *s = kr_test_results_scenario(json, "silent");
	KR_ASSERT_HAS(s, "\"verdict\": \"infra-error\"");
	KR_ASSERT_HAS(s, "no output from the kernel within 5 s");
	_cleanup_free_ char *bk = kr_test_results_scenario(json, "bad-kernel");
	KR_ASSERT_HAS(bk, "\"verdict\": \"infra-error\"");
	KR_ASSERT_HAS(bk, "QEMU exited");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(run_and_silence_timeouts)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	scenario(dir, "ticking", VM_TCG ",\"repro\":{\"sh\":\"while :; do echo tick; sleep 1; done\"},%s,"
				 "\"expect\":{\"verdict\":\"clean\"}",
		 TIMEOUTS(120, 8, 120));
	scenario(dir, "silent-repro", VM_TCG ",\"repro\":{\"sh\":\"sleep 600\"},%s,"
				      "\"expect\":{\"title\":\"no output from test machine\"}",
		 TIMEOUTS(120, 300, 5));
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kradar_run(dir, out, &o, &e);
	ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, o, e);
	_cleanup_free_ char *json = results(out);
	_cleanup_free_ char *t = kr_test_results_scenario(json, "ticking");
	KR_ASSERT_HAS(t, "\"verdict\": \"clean\"");
	/* a looping reproducer: the run timeout, then the settle period */
	KR_ASSERT_HAS(t, "no crash: the reproducer ran for the run timeout (8 s), then ");
	KR_ASSERT_HAS(t, " s of settling\"");
	KR_ASSERT_HAS(t, "\"settle_planned_s\": 24");
	_cleanup_free_ char *s = kr_test_results_scenario(json, "silent-repro");
	KR_ASSERT_HAS(s, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(s, "\"title\": \"no output from test machine\"");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(c_and_syz_reproducers)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	free(kr_test_write(dir, "hello.c",
			   "#include <pthread.h>\n#include <stdio.h>\n"
			   "static void *t(void *a) { puts(\"hello from a C thread\"); return a; }\n"
			   "int main(void) { pthread_t p; pthread_create(&p, 0, t, 0);\n"
			   "  pthread_join(p, 0); return 0; }\n"));
	free(kr_test_write(dir, "broken.c", "int main(void) { return missing; }\n"));
	/* syz-execprog stand-in: a guest shell script that shows its flags */
	_cleanup_free_ char *bin = kr_path_join(tmp, "syzbin");
	_cleanup_free_ char *execprog = kr_test_write(bin, "syz-execprog",
						      "#!/bin/sh\necho \"execprog $*\"\n");
	_cleanup_free_ char *executor = kr_test_write(bin, "syz-executor", "#!/bin/sh\n");
	ck_assert_int_eq(chmod(execprog, 0755), 0);
	ck_assert_int_eq(chmod(executor, 0755), 0);
	free(kr_test_write(dir, "repro.syz",
			   "# {\"threaded\":true,\"repeat\":true,\"procs\":2,\"sandbox\":\"none\"}\n"
			   "r0 = openat(0xffffffffffffff9c, &(0x7f0000000000)='./file0\\x00', 0x0, 0x0)\n"));
	scenario(dir, "c", VM_TCG ",\"repro\":{\"c\":\"hello.c\"},%s,"
			   "\"watch\":[\"^hello from a C thread\"],\"expect\":{\"title\":"
			   "\"hello from a C thread\"}",
		 TIMEOUTS(120, 120, 120));
	scenario(dir, "c-broken", VM_TCG ",\"repro\":{\"c\":\"broken.c\"},%s", TIMEOUTS(120, 120, 120));
	scenario(dir, "syz", VM_TCG ",\"repro\":{\"syz\":\"repro.syz\"},\"execprog\":{\"bin\":\"%s\"},"
			     "%s,\"expect\":{\"verdict\":\"clean\"}",
		 bin, TIMEOUTS(120, 120, 120));
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kradar_run(dir, out, &o, &e);
	ck_assert_msg(rc == 3, "exit %d (c-broken is an infra error)\n%s\n%s", rc, o, e);
	_cleanup_free_ char *json = results(out);
	_cleanup_free_ char *c = kr_test_results_scenario(json, "c");
	KR_ASSERT_HAS(c, "\"verdict\": \"reproduced\"");
	_cleanup_free_ char *cb = kr_test_results_scenario(json, "c-broken");
	KR_ASSERT_HAS(cb, "\"verdict\": \"infra-error\"");
	KR_ASSERT_HAS(cb, "does not compile");
	KR_ASSERT_HAS(cb, "missing");
	_cleanup_free_ char *sz = kr_test_results_scenario(json, "syz");
	KR_ASSERT_HAS(sz, "\"verdict\": \"clean\"");
	KR_ASSERT_HAS(sz, "\"execprog_log\": \"execprog.log\"");
	_cleanup_free_ char *lp = kr_asprintf("%s/syz/run-1/execprog.log", out);
	_cleanup_free_ char *log = NULL;
	ck_assert_int_eq(kr_read_file(lp, 1 << 20, &log, NULL), 0);
	KR_ASSERT_HAS(log, "execprog -executor=/kradar/syz-executor");
	KR_ASSERT_HAS(log, "-procs=2");
	KR_ASSERT_HAS(log, "-threaded=true");
	KR_ASSERT_HAS(log, "-slowdown=10"); /* TCG */
	KR_ASSERT_HAS(log, "/kradar/repro.syz");
	_cleanup_free_ char *rp = kr_asprintf("%s/c/run-1/repro.c", out);
	ck_assert_int_eq(access(rp, R_OK), 0);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Bugs that fire after the reproducer has exited: the deadlock action run
 * in the background (its two workers block for good; the hung task
 * detector reports them 5 s later) by a shell and by a C reproducer. The
 * settle period sees them; without one (timeouts.settle 0) the run ends at
 * the end marker, clean, as it did before settling existed. */
START_TEST(crashes_after_the_reproducer_exits)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	free(kr_test_write(dir, "late.c",
			   "#include <fcntl.h>\n#include <stdlib.h>\n#include <unistd.h>\n"
			   "int main(void) {\n"
			   "  if (system(\"insmod /kradar_test.ko\")) return 1;\n"
			   "  if (fork() == 0) {\n"
			   "    int fd = open(\"/proc/kradar_test\", O_WRONLY);\n"
			   "    write(fd, \"deadlock\", 8);\n"
			   "    _exit(0);\n"
			   "  }\n"
			   "  return 0; /* before the workers are reported */\n"
			   "}\n"));
	_cleanup_free_ char *sh = kr_asprintf(
		"\"repro\":{\"sh\":[\"insmod /kradar_test.ko\",\"echo deadlock > /proc/kradar_test &\","
		"\"echo the reproducer exits\"],\"files\":{\"%s\":\"/kradar_test.ko\"}}",
		module);
	_cleanup_free_ char *c = kr_asprintf(
		"\"repro\":{\"c\":\"late.c\",\"files\":{\"%s\":\"/kradar_test.ko\"}}", module);
	const char *hung = "\"sysctl\":{\"kernel.hung_task_timeout_secs\":5},"
			   "\"expect\":{\"title_regex\":\"^INFO: task hung in \"}";
	scenario(dir, "sh-late", VM_TCG ",%s,%s,%s", sh, hung, TIMEOUTS(120, 120, 120));
	scenario(dir, "c-late", VM_TCG ",%s,%s,%s", c, hung, TIMEOUTS(120, 120, 120));
	scenario(dir, "sh-late-unsettled", VM_TCG ",%s,%s,"
		 "\"timeouts\":{\"boot\":120,\"run\":120,\"no_output\":120,\"grace\":2,"
		 "\"settle\":0,\"tcg_factor\":1}",
		 sh, hung);
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kradar_run(dir, out, &o, &e);
	ck_assert_msg(rc == 1, "exit %d (sh-late-unsettled fails: 1)\n%s\n%s", rc, o, e);
	_cleanup_free_ char *json = results(out);
	const char *late[] = { "sh-late", "c-late" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(late); i++) {
		_cleanup_free_ char *r = kr_test_results_scenario(json, late[i]);
		KR_ASSERT_HAS(r, "\"verdict\": \"reproduced\"");
		KR_ASSERT_HAS(r, "\"title\": \"INFO: task hung in ");
		/* 5 s + 5 s for a hung task, 21 s for an RCU stall, + 3 */
		KR_ASSERT_HAS(r, "\"settle_planned_s\": 24");
		KR_ASSERT_HAS(r, "\"kernel.hung_task_timeout_secs=5 (scenario)\"");
		KR_ASSERT_HAS(r, "\"kernel.hung_task_check_interval_secs=5 (kradar)\"");
		KR_ASSERT_HAS(r, "\"detectors\": \"detectors.txt\"");
		ck_assert_ptr_null(strstr(r, "\"settle_s\": null"));
	}
	_cleanup_free_ char *u = kr_test_results_scenario(json, "sh-late-unsettled");
	KR_ASSERT_HAS(u, "\"verdict\": \"clean\"");
	KR_ASSERT_HAS(u, "\"reason\": \"no crash: the reproducer finished (status 0)\"");
	KR_ASSERT_HAS(u, "\"settle_s\": null");
	KR_ASSERT_HAS(u, "\"settle_planned_s\": 0");
	/* the guest's script set the check interval and the RCU stall timeout */
	_cleanup_free_ char *ip = kr_asprintf("%s/sh-late/run-1/init.sh", out);
	_cleanup_free_ char *init = NULL;
	ck_assert_int_eq(kr_read_file(ip, 1 << 20, &init, NULL), 0);
	KR_ASSERT_HAS(init, "kr_set /sys/module/rcupdate/parameters/rcu_cpu_stall_timeout 21\n");
	_cleanup_free_ char *cp = kr_asprintf("%s/sh-late/run-1/console.log", out);
	_cleanup_free_ char *console = NULL;
	ck_assert_int_eq(kr_read_file(cp, 16 << 20, &console, NULL), 0);
	ck_assert_ptr_null(strstr(console, "kradar: cannot set"));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Starts kradar run in the background, its output in tmp/kradar.log;
 * killed if the test dies. */
static pid_t start_kradar(const char *tmp, const char *scenarios, const char *out_dir)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_cleanup_free_ char *log = kr_path_join(tmp, "kradar.log");
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(kr_test_kradar(), "kradar", "run", "--out", out_dir, scenarios, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Processes whose command line mentions needle. */
static int processes_with(const char *needle)
{
	return (int)kr_test_pids_with(needle, NULL, 0);
}

START_TEST(sigint_leaves_nothing_behind)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	_cleanup_free_ char *private_tmp = kr_path_join(tmp, "private-tmp");
	ck_assert_int_eq(kr_mkdir_p(private_tmp, 0755), 0);
	scenario(dir, "long", VM_TCG ",\"repro\":{\"sh\":\"echo started; sleep 600\"},%s",
		 TIMEOUTS(120, 600, 600));
	setenv("TMPDIR", private_tmp, 1); /* kradar's (this test's own is made) */
	pid_t pid = start_kradar(tmp, dir, out);
	/* Wait (bounded) until the reproducer runs inside the guest. */
	_cleanup_free_ char *console = kr_asprintf("%s/long/run-1/console.log.part", out);
	if (kr_test_wait_for_text(console, "started\r\n", 120) < 0) {
		_cleanup_free_ char *log = kr_path_join(tmp, "kradar.log");
		_cleanup_free_ char *text = NULL;
		kr_read_file(log, 1 << 20, &text, NULL);
		kill(pid, SIGKILL);
		ck_abort_msg("the guest did not start within 120 s:\n%s", text ? text : "");
	}
	ck_assert_int_ge(processes_with(out), 1); /* QEMU, with its -initrd in out */
	ck_assert_int_eq(kill(pid, SIGINT), 0);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 130);
	ck_assert_int_eq(processes_with(out), 0);
	/* the private temp dir is gone, the results are whole */
	DIR *d = opendir(private_tmp);
	ck_assert_ptr_nonnull(d);
	struct dirent *de;
	int entries = 0;
	while ((de = readdir(d)))
		entries += de->d_name[0] != '.';
	closedir(d);
	ck_assert_int_eq(entries, 0);
	_cleanup_free_ char *json = results(out);
	KR_ASSERT_HAS(json, "\"interrupted\": true");
	KR_ASSERT_HAS(json, "\"exit_code\": 130");
	KR_ASSERT_HAS(json, "interrupted by SIGINT");
	_cleanup_free_ char *log = kr_asprintf("%s/long/run-1/console.log", out);
	ck_assert_int_eq(access(log, R_OK), 0);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(kvm_fallback)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	/* A QEMU that, under KVM, hangs after the firmware like this host's
	 * KVM does, and is the real one otherwise. */
	_cleanup_free_ char *wrapper = kr_test_write(
		tmp, "qemu-hangs-under-kvm",
		"#!/bin/sh\n"
		"case \" $* \" in *' -accel kvm '*) echo 'Probing EDD... ok'; exec sleep 600;; esac\n"
		"exec qemu-system-x86_64 \"$@\"\n");
	ck_assert_int_eq(chmod(wrapper, 0755), 0);
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *name = kr_asprintf("auto-%d", i);
		scenario(dir, name, "\"repro\":{\"sh\":\"true\"},%s,\"expect\":{\"verdict\":\"clean\"},"
				    "\"vm\":{\"kvm\":\"auto\",\"smp\":1,\"mem_mb\":512,\"qemu\":\"%s\"}",
			 TIMEOUTS(120, 120, 120), wrapper);
	}
	scenario(dir, "on", "\"repro\":{\"sh\":\"true\"},%s,"
			    "\"vm\":{\"kvm\":\"on\",\"smp\":1,\"mem_mb\":512,\"qemu\":\"%s\"}",
		 TIMEOUTS(120, 120, 120), wrapper);

	/* 1: a device that is no KVM (the test needs no /dev/kvm at all) */
	setenv("KRADAR_KVM_DEVICE", "/dev/null", 1);
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kradar_run(dir, out, &o, &e);
	ck_assert_msg(rc == 3, "exit %d\n%s\n%s", rc, o, e);
	_cleanup_free_ char *json = results(out);
	_cleanup_free_ char *a0 = kr_test_results_scenario(json, "auto-0");
	KR_ASSERT_HAS(a0, "\"verdict\": \"clean\"");
	KR_ASSERT_HAS(a0, "\"accel\": \"tcg\"");
	_cleanup_free_ char *on = kr_test_results_scenario(json, "on");
	KR_ASSERT_HAS(on, "\"verdict\": \"infra-error\"");
	KR_ASSERT_HAS(on, "vm.kvm is on but KVM is not usable");
	const char *said = strstr(e, "): using TCG");
	ck_assert_msg(said, "%s", e);
	ck_assert_msg(!strstr(said + 1, "): using TCG"), "said twice:\n%s", e);

	/* 2: a device that answers, and guests that hang (this host's /dev/kvm
	 * when it is there) */
	_cleanup_free_ char *why = NULL;
	unsetenv("KRADAR_KVM_DEVICE");
	if (kr_kvm_check_device("/dev/kvm", &why) == 0) {
		_cleanup_free_ char *out2 = kr_path_join(tmp, "out2");
		_cleanup_free_ char *a1 = kr_path_join(dir, "auto-1.json");
		_cleanup_free_ char *o2 = NULL, *e2 = NULL;
		uint64_t t0 = kr_now_ns();
		rc = kradar_run(a1, out2, &o2, &e2);
		ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, o2, e2);
		KR_ASSERT_HAS(e2, "printed no kernel line within 5 s");
		_cleanup_free_ char *j2 = results(out2);
		KR_ASSERT_HAS(j2, "\"accel\": \"tcg\"");
		/* the probe is bounded: a few seconds, not a boot timeout */
		ck_assert_uint_lt(kr_now_ns() - t0, 110 * 1000000000ull);
	}
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A guest that keeps RCU waiting on CPU 1, its vCPU starved by the test:
 * CPU 1 spins in user space (never idle, so RCU needs its quiescent state)
 * and hosts RCU's grace-period kthread; CPU 0 forks and closes files, which
 * keeps grace periods coming. The stall timeout is 3 s. */
#define BUSY_GUEST                                                                               \
	"\"vm\":{\"kvm\":\"off\",\"smp\":2,\"mem_mb\":512,"                                   \
	"\"cmdline\":\"rcupdate.rcu_cpu_stall_timeout=3\","                                  \
	"\"args\":[\"-name\",\"starved,debug-threads=on\"]},"                                 \
	"\"repro\":{\"sh\":[\"taskset -p 2 $(pidof rcu_preempt)\","                         \
	"\"taskset 2 sh -c 'while :; do :; done' &\","                                       \
	"\"taskset 1 sh -c 'while :; do cat /proc/version >/dev/null; done' &\","             \
	"\"echo kradar-starve: ready\",\"sleep 300\"]}"

/* The product's promise: a stall caused by a starved emulator is told
 * from the bug. QEMU's thread for vCPU 1 is stopped (ptrace, kr-freeze.h)
 * as an overloaded host would deschedule it, until RCU reports the stall
 * and 3 s more: the kernel says its grace-period kthread was starved, or
 * the NMI that asks vCPU 1 for a backtrace goes unanswered, or both (which
 * depends on the timing: on a loaded host one may be missing). */
START_TEST(starved_vcpu_is_an_artifact)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	scenario(dir, "starved",
		 BUSY_GUEST ",\"timeouts\":{\"boot\":120,\"run\":120,\"no_output\":120,\"grace\":6,"
			    "\"tcg_factor\":1},\"expect\":{\"title\":\"WARNING in kradar_test_warn\"}");
	pid_t pid = start_kradar(tmp, dir, out);
	_cleanup_free_ char *console = kr_path_join(out, "starved/run-1/console.log.part");
	struct kr_freeze_plan plan = {
		.qemu_needle = out, .thread = "CPU 1/TCG", .console = console,
		.ready = "kradar-starve: ready", .until = "detected stall",
		.hold_s = 3, .max_s = 25, .timeout_s = 150, .attempts = 3,
	};
	struct kr_freeze_report rep;
	_cleanup_free_ char *why = NULL;
	int r = kr_freeze_vcpu(&plan, &rep, &why);
	int status;
	if (r < 0)
		kill(pid, SIGINT);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	_cleanup_free_ char *log_path = kr_path_join(tmp, "kradar.log");
	_cleanup_free_ char *log = NULL;
	kr_read_file(log_path, 1 << 20, &log, NULL);
	ck_assert_msg(r == 0, "%s\n%s", why, log ? log : "");
	ck_assert_msg(rep.until_s >= 0, "no stall within %.0f s of stopping vCPU 1, %d times:\n%s",
		      rep.stopped_s, rep.attempts, log ? log : "");
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) == 3, "exit %d (inconclusive: 3)\n%s",
		      WEXITSTATUS(status), log ? log : "");
	_cleanup_free_ char *json = results(out);
	_cleanup_free_ char *st = kr_test_results_scenario(json, "starved");
	KR_ASSERT_HAS(st, "\"verdict\": \"artifact-stall\"");
	KR_ASSERT_HAS(st, "\"outcome\": \"inconclusive\"");
	KR_ASSERT_HAS(st, "\"crash_type\": \"HANG\"");
	/* the kernel's own word: rcu_preempt kthread starved for N jiffies,
	 * or its timer wakeup did not happen. RCU says so only when its
	 * kthread has been idle over 2 s (rcu_is_gp_kthread_starving()): a
	 * grace period that began before the stop can time out sooner, with
	 * the kthread still fresh, and then only the unanswered NMI tells. */
	if (rep.until_s > 2.5)
		ck_assert_msg(strstr(st, "rcu: rcu_preempt kthread starved for ") ||
				      strstr(st, "rcu: rcu_preempt kthread timer wakeup didn't happen for "),
			      "no kthread starvation line %.1f s after the stop in:\n%s", rep.until_s,
			      st);
	/* and whatever the timing, some of the evidence is the guest's own:
	 * the unanswered NMI, or RCU's word on its kthread */
	ck_assert_msg(strstr(st, "\"NMI backtrace request unanswered for ") ||
			      strstr(st, "rcu: rcu_preempt kthread starved for ") ||
			      strstr(st, "rcu: rcu_preempt kthread timer wakeup didn't happen for "),
		      "no unanswered NMI and no kthread starvation line in:\n%s", st);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The controls: genuine stalls, unstarved, give no evidence. A soft lockup
 * that is the bug is reproduced. An RCU stall of CPU 1 spinning with
 * interrupts off, with RCU's grace-period kthread pinned there too, is not
 * the bug: the other CPU reports it and gets CPU 1's backtrace by NMI at
 * once (stamped with a printk time 3 s old), and the kernel says that its
 * kthread starved, which it did, genuinely; another crash. */
START_TEST(real_stalls_are_not_artifacts)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	_cleanup_free_ char *soft = module_repro("softlockup", NULL);
	_cleanup_free_ char *irqoff = kr_asprintf(
		"\"repro\":{\"sh\":[\"taskset -p 2 $(pidof rcu_preempt)\",\"insmod /kradar_test.ko\","
		"\"taskset 2 sh -c 'echo rcu-stall-irqoff > /proc/kradar_test'\"],"
		"\"files\":{\"%s\":\"/kradar_test.ko\"}}",
		module);
	scenario(dir, "softlockup", "\"vm\":{\"kvm\":\"off\",\"smp\":2,\"mem_mb\":512,"
				    "\"cmdline\":\"watchdog_thresh=2\"},%s,%s,"
				    "\"expect\":{\"title\":\"BUG: soft lockup in kradar_test_softlockup_spin\"}",
		 soft, TIMEOUTS(120, 120, 120));
	scenario(dir, "irqoff", "\"vm\":{\"kvm\":\"off\",\"smp\":2,\"mem_mb\":512,"
				"\"cmdline\":\"rcupdate.rcu_cpu_stall_timeout=3\"},%s,%s,"
				"\"expect\":{\"title\":\"WARNING in kradar_test_warn\"}",
		 irqoff, TIMEOUTS(120, 120, 120));
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kradar_run(dir, out, &o, &e);
	ck_assert_msg(rc == 1, "exit %d (irqoff failed: 1)\n%s\n%s", rc, o, e);
	_cleanup_free_ char *json = results(out);
	_cleanup_free_ char *sl = kr_test_results_scenario(json, "softlockup");
	KR_ASSERT_HAS(sl, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(sl, "\"title\": \"BUG: soft lockup in kradar_test_softlockup_spin\"");
	KR_ASSERT_HAS(sl, "\"evidence\": []");
	_cleanup_free_ char *io = kr_test_results_scenario(json, "irqoff");
	KR_ASSERT_HAS(io, "\"verdict\": \"other-crash\"");
	KR_ASSERT_HAS(io, "\"crash_type\": \"HANG\"");
	_cleanup_free_ char *rp = kr_path_join(out, "irqoff/run-1/report.txt");
	_cleanup_free_ char *report = NULL;
	ck_assert_int_eq(kr_read_file(rp, 1 << 20, &report, NULL), 0);
	/* the case the control is about */
	KR_ASSERT_HAS(report, "NMI backtrace for cpu 1");
	KR_ASSERT_HAS(report, "rcu_preempt kthread starved for ");
	KR_ASSERT_HAS(io, "\"evidence\": []");
	kr_test_tmpdir_cleanup();
}
END_TEST

/* kradar run -j 2 on a terminal with two guests at once: one block holds
 * a line for each, then the total bar; an ETA once a run has finished. */
START_TEST(terminal_shows_each_guest)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	_cleanup_free_ char *warn = module_repro("warn", NULL);
	scenario(dir, "first", VM_TCG ",%s,%s", warn, TIMEOUTS(120, 120, 120));
	scenario(dir, "second", VM_TCG ",%s,%s", warn, TIMEOUTS(120, 120, 120));
	setenv("KRADAR_CPUS", "2", 1); /* two 1-vCPU guests fit, whatever the host */
	char *argv[] = { (char *)kr_test_kradar(), "run", "-j", "2", "--out", out, dir, NULL };
	_cleanup_free_ char *text = NULL;
	int rc = kr_test_spawn_pty(argv, 120, 30, &text);
	size_t len = strlen(text);
	const char *tail = text + (len > 2000 ? len - 2000 : 0); /* check's messages are short */
	ck_assert_msg(rc == 0, "exit %d\n%s", rc, tail);
	/* Some block (the first may come before the second guest started). */
	bool both = false;
	for (const char *f = text; !both && (f = strstr(f, "\033[K  [1/2] first  run 1/1  ")); f++) {
		const char *next = strstr(f, "\r\n");
		both = next && kr_str_startswith(next + 2, "  [2/2] second  run 1/1  ");
	}
	ck_assert_msg(both, "no block with both guests:\n%s", tail);
	ck_assert_msg(strstr(text, "kradar: [....................] 0/2 cells, 0/2 runs\r"), "%s",
		      tail);
	ck_assert_msg(strstr(text, " cells, 1/2 runs, ETA "), "%s", tail);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("run");
	tcase_add_unchecked_fixture(tc, prepare, NULL);
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, every_verdict);
	tcase_add_test(tc, infra_errors_and_stop_on_hit);
	tcase_add_test(tc, run_and_silence_timeouts);
	tcase_add_test(tc, c_and_syz_reproducers);
	tcase_add_test(tc, sigint_leaves_nothing_behind);
	tcase_add_test(tc, kvm_fallback);
	suite_add_tcase(s, tc);
	/* CK_RUN_CASE=starve runs these alone */
	TCase *starve = tcase_create("starve");
	tcase_add_unchecked_fixture(starve, prepare, NULL);
	tcase_set_timeout(starve, 600);
	tcase_add_test(starve, starved_vcpu_is_an_artifact);
	tcase_add_test(starve, real_stalls_are_not_artifacts);
	suite_add_tcase(s, starve);
	/* CK_RUN_CASE=settle runs this alone */
	TCase *settle = tcase_create("settle");
	tcase_add_unchecked_fixture(settle, prepare, NULL);
	tcase_set_timeout(settle, 900);
	tcase_add_test(settle, crashes_after_the_reproducer_exits);
	suite_add_tcase(s, settle);
	/* CK_RUN_CASE=progress runs this alone */
	TCase *progress = tcase_create("progress");
	tcase_add_unchecked_fixture(progress, prepare, NULL);
	tcase_set_timeout(progress, 600);
	tcase_add_test(progress, terminal_shows_each_guest);
	suite_add_tcase(s, progress);
	return kr_test_main(s);
}
