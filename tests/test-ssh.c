/* SPDX-License-Identifier: MIT */
/* Image mode's SSH session in the supervisor's loop, against stand-ins:
 * a shell script for QEMU and scripts named ssh and scp first in PATH,
 * told by files in a directory what to do. Real guests are in the image
 * suite (test-image.c). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "guest.h"
#include "initramfs.h"
#include "kr-http.h"
#include "kr-test.h"
#include "qemu.h"
#include "scenario.h"
#include "sha256.h"
#include "ssh.h"

#define TOKEN "feedc0de"

static bool has(char *const *v, const char *word)
{
	for (size_t i = 0; v[i]; i++)
		if (!strcmp(v[i], word))
			return true;
	return false;
}

/* The word after `word` in v. */
static const char *after(char *const *v, const char *word)
{
	for (size_t i = 0; v[i]; i++)
		if (!strcmp(v[i], word))
			return v[i + 1];
	return NULL;
}

START_TEST(ssh_argv)
{
	struct kr_ssh_target t = { .port = 40022, .user = "root", .connect_timeout = 7.4,
				   .keepalive_s = 10, .keepalive_max = 31 };
	_cleanup_strv_free_ char **v = kr_ssh_argv(&t, "sh kradar/run.sh");
	ck_assert_str_eq(v[0], "ssh");
	ck_assert_str_eq(after(v, "-p"), "40022");
	ck_assert_str_eq(after(v, "-F"), "/dev/null");
	ck_assert(has(v, "StrictHostKeyChecking=no"));
	ck_assert(has(v, "UserKnownHostsFile=/dev/null"));
	ck_assert(has(v, "BatchMode=yes"));
	ck_assert(has(v, "IdentitiesOnly=yes"));
	ck_assert(has(v, "ConnectTimeout=7"));
	ck_assert(has(v, "ServerAliveInterval=10"));
	ck_assert(has(v, "ServerAliveCountMax=31"));
	ck_assert(!has(v, "-i"));
	size_t n = kr_strv_len(v);
	ck_assert_str_eq(v[n - 3], "root@127.0.0.1");
	ck_assert_str_eq(v[n - 2], "--");
	ck_assert_str_eq(v[n - 1], "sh kradar/run.sh");

	t.key = "/keys/id_ed25519";
	t.keepalive_s = 0;
	t.user = "kradar";
	_cleanup_strv_free_ char **k = kr_ssh_argv(&t, "true");
	ck_assert_str_eq(after(k, "-i"), "/keys/id_ed25519");
	ck_assert(!has(k, "ServerAliveInterval=10"));
	ck_assert(has(k, "kradar@127.0.0.1"));
}
END_TEST

START_TEST(scp_argv)
{
	struct kr_ssh_target t = { .port = 5555, .user = "root", .connect_timeout = 10 };
	char *src[] = { "/host/run.sh", "/host/repro", NULL };
	_cleanup_strv_free_ char **v = kr_scp_argv(&t, src, "kradar/", false);
	ck_assert_str_eq(v[0], "scp");
	ck_assert(has(v, "-O")); /* the SCP protocol: no SFTP server needed */
	ck_assert(!has(v, "-r"));
	ck_assert_str_eq(after(v, "-P"), "5555");
	size_t n = kr_strv_len(v);
	ck_assert_str_eq(v[n - 4], "--");
	ck_assert_str_eq(v[n - 3], "/host/run.sh");
	ck_assert_str_eq(v[n - 2], "/host/repro");
	ck_assert_str_eq(v[n - 1], "root@127.0.0.1:kradar/");
	_cleanup_strv_free_ char **r = kr_scp_argv(&t, src, "/data", true);
	ck_assert(has(r, "-r"));
}
END_TEST

START_TEST(free_port)
{
	int port = 0;
	ck_assert_int_eq(kr_ssh_free_port(&port), 0);
	ck_assert(port > 0 && port < 65536);
	/* free indeed: it can be bound again */
	_cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
}
END_TEST

START_TEST(progress_lines)
{
	const char *l1 = "2024/01/02 10:00:00 executed programs: 42";
	ck_assert_int_eq(kr_ssh_execprog_progress(l1, strlen(l1)), 42);
	const char *l2 = "executed programs: 0";
	ck_assert_int_eq(kr_ssh_execprog_progress(l2, strlen(l2)), 0);
	const char *l3 = "2024/01/02 10:00:00 parsed 1 programs";
	ck_assert_int_eq(kr_ssh_execprog_progress(l3, strlen(l3)), -1);
	const char *l4 = "executed programs: x";
	ck_assert_int_eq(kr_ssh_execprog_progress(l4, strlen(l4)), -1);
	const char *l5 = "executed programs: 99999999999999999999";
	ck_assert_int_eq(kr_ssh_execprog_progress(l5, strlen(l5)), -1);
	/* only the line's bytes count */
	ck_assert_int_eq(kr_ssh_execprog_progress(l1, strlen(l1) - 1), 4);
}
END_TEST

static struct kr_scenario *load(const char *json)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "bzImage", "x"));
	free(kr_test_write(dir, "disk,1.raw", "raw bytes"));
	free(kr_test_write(dir, "disk.qcow2", "QFI\xfb\x00\x00\x00\x03"));
	free(kr_test_write(dir, "repro.syz", "r0 = openat(0x0, 0x0, 0x0, 0x0)\n"));
	return kr_test_scenario(json);
}

START_TEST(image_qemu_command_line)
{
	_cleanup_scenario_free_ struct kr_scenario *s = load(
		"{\"kradar\":1,\"name\":\"t\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"disk\":{\"image\":\"disk,1.raw\",\"root\":\"/dev/sda2\"},"
		"\"repro\":{\"sh\":\"true\"},\"vm\":{\"cmdline\":\"quiet\"}}");
	_cleanup_free_ char *disk = kr_path_join(kr_test_tmpdir(), "disk,1.raw");
	struct kr_qemu_guest g = { .s = s, .kernel = "/k/bzImage", .accel = KR_ACCEL_TCG,
				   .disk = disk, .ssh_port = 40123 };
	_cleanup_strv_free_ char **argv = kr_qemu_argv(&g);
	_cleanup_free_ char *line = kr_qemu_format_argv(argv);
	_cleanup_free_ char *drive = kr_asprintf(
		" -drive file=%s/disk,,1.raw,format=raw,if=ide,index=0,media=disk -snapshot ",
		kr_test_tmpdir());
	const char *want[] = {
		drive, " -device e1000,netdev=net0 ",
		" -netdev user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:40123-:22",
		/* root= before the scenario's own arguments, which may override it */
		" no_timer_check root=/dev/sda2 rw quiet'",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(want); i++)
		ck_assert_msg(strstr(line, want[i]), "no '%s' in %s", want[i], line);
	ck_assert_ptr_null(strstr(line, "-initrd"));

	_cleanup_free_ char *qcow = kr_path_join(kr_test_tmpdir(), "disk.qcow2");
	ck_assert_str_eq(kr_qemu_disk_format(qcow), "qcow2");
	ck_assert_str_eq(kr_qemu_disk_format(disk), "raw");
	ck_assert_str_eq(kr_qemu_disk_format("/nonexistent"), "raw");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(image_script)
{
	_cleanup_scenario_free_ struct kr_scenario *s = load(
		"{\"kradar\":1,\"name\":\"t\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"disk\":\"disk,1.raw\",\"repro\":{\"syz\":\"repro.syz\"},"
		"\"sysctl\":{\"kernel.hung_task_timeout_secs\":20}}");
	char *flags[] = { "-procs=2", "-slowdown=10", NULL };
	const char prog[] = "r0 = openat(0x0)\n";
	struct kr_initramfs ir = { .s = s, .token = "tok", .syz_program = prog,
				   .syz_program_len = sizeof(prog) - 1, .execprog_flags = flags };
	_cleanup_free_ char *script = kr_initramfs_ssh_script(&ir);
	const char *want[] = {
		"#!/bin/sh\n",
		"exec 2>&1\n",
		"d=$(cd \"$(dirname \"$0\")\" && pwd)\n",
		"kr_sysctl 'kernel/hung_task_timeout_secs' '20'\n",
		/* syz-execprog's output stays on stdout, the SSH session's */
		"echo 'KRADAR-START tok'\n\"$d\"/syz-execprog -executor=\"$d\"/syz-executor "
		"'-procs=2' '-slowdown=10' \"$d\"/repro.syz </dev/null\nrc=$?\n",
		"fi\necho \"KRADAR-END tok rc=$rc\"\n",
		/* kmemleak's report goes to the console when it may */
		"[ -e $km ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n"
		"con=/dev/console\n[ -w $con ] || con=/dev/stdout\n",
		"kr_set /sys/module/rcupdate/parameters/rcu_cpu_stall_timeout 21\n",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(want); i++)
		ck_assert_msg(strstr(script, want[i]), "no '%s' in\n%s", want[i], script);
	ck_assert_ptr_null(strstr(script, "ttyS1"));
	ck_assert_ptr_null(strstr(script, "poweroff"));
	ck_assert_str_eq(KR_GUEST_SSH_SCRIPT, KR_GUEST_SSH_DIR "/run.sh");
	kr_test_tmpdir_cleanup();
}
END_TEST

/* ----- the session against stand-ins ----- */

/* ssh: a connection attempt ("mkdir -p ...") fails with 255 while the
 * attempts so far are at most $dir/fail (saying $dir/fail.msg on stderr);
 * the run ("sh kradar/run.sh") executes $dir/run. scp exits with
 * $dir/scp.status. Every call is appended to $dir/calls. */
static const char fake_ssh[] =
	"#!/bin/sh\n"
	"d=$FAKE_SSH_DIR\n"
	"for a; do last=$a; done\n"
	"echo \"ssh $*\" >>\"$d/calls\"\n"
	"case $last in\n"
	"mkdir*)\n"
	"\tn=$(($(cat \"$d/attempts\" 2>/dev/null || echo 0) + 1))\n"
	"\techo $n >\"$d/attempts\"\n"
	"\tif [ $n -le \"$(cat \"$d/fail\" 2>/dev/null || echo 0)\" ]; then\n"
	"\t\tcat \"$d/fail.msg\" >&2 2>/dev/null\n"
	"\t\texit 255\n"
	"\tfi\n"
	"\texit 0 ;;\n"
	"*) exec sh \"$d/run\" ;;\n"
	"esac\n";
static const char fake_scp[] =
	"#!/bin/sh\n"
	"d=$FAKE_SSH_DIR\n"
	"echo \"scp $*\" >>\"$d/calls\"\n"
	"exit $(cat \"$d/scp.status\" 2>/dev/null || echo 0)\n";

struct fake {
	char *dir;       /* FAKE_SSH_DIR */
	char *out_path;  /* the session's output */
	char *log_path;
	struct kr_guest_result res;
	struct kr_ssh_stats stats;
	char *output;
	char *log;
	char *calls;
	struct kr_buf seen;
};

static void fake_file(struct fake *f, const char *name, const char *text)
{
	free(kr_test_write(f->dir, name, text));
}

static void fake_setup(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	const char *tmp = kr_test_tmpdir();
	f->dir = kr_path_join(tmp, "fake");
	_cleanup_free_ char *bin = kr_path_join(tmp, "bin");
	_cleanup_free_ char *ssh = kr_test_write(bin, "ssh", fake_ssh);
	_cleanup_free_ char *scp = kr_test_write(bin, "scp", fake_scp);
	chmod(ssh, 0755);
	chmod(scp, 0755);
	kr_mkdir_p(f->dir, 0755);
	_cleanup_free_ char *path = kr_asprintf("%s:%s", bin, getenv("PATH"));
	setenv("PATH", path, 1);
	setenv("FAKE_SSH_DIR", f->dir, 1);
	f->out_path = kr_path_join(tmp, "execprog.log");
	f->log_path = kr_path_join(tmp, "ssh.log");
	f->seen = KR_BUF_INIT(1 << 20);
}

static int feed(void *ud, const char *data, size_t len)
{
	return kr_buf_add(ud, data, len);
}

/* A crash is "BUG:" on the console. */
static bool hit(void *ud)
{
	struct kr_buf *b = ud;
	return b->data && strstr(b->data, "BUG:");
}

/* Runs the "guest" (qemu_script) with a session; no_output and lost_wait
 * in seconds; boot: the boot timeout, 0 for 20 s. */
static void fake_run_boot(struct fake *f, const char *qemu_script, bool execprog,
			  double no_output, double lost_wait, double boot)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *console = kr_path_join(tmp, "console.log");
	_cleanup_free_ char *qerr = kr_path_join(tmp, "qemu.stderr");
	char *argv[] = { "sh", "-c", (char *)qemu_script, NULL };
	char *dirs[] = { "kradar", NULL };
	char *src[] = { "/host/run.sh", "/host/repro", NULL };
	struct kr_ssh_copy copies[] = { { .sources = src, .dest = "kradar/" } };
	struct kr_ssh_session_config sc = {
		.target = { .port = 1, .user = "root", .connect_timeout = 5 },
		.dirs = dirs, .copies = copies, .n_copies = 1, .command = "sh kradar/run.sh",
		.token = TOKEN, .execprog = execprog, .output_path = f->out_path,
		.log_path = f->log_path, .retry_s = 0.05, .step_timeout = 10,
		.lost_wait = lost_wait,
	};
	_cleanup_ssh_session_free_ struct kr_ssh_session *s = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_ssh_session_new(&sc, &s, &err), 0);
	struct kr_guest_config gc = {
		.argv = argv, .console_path = console, .stderr_path = qerr,
		.boot_timeout = boot ? boot : 20,
		.run_timeout = 30, .no_output_timeout = no_output, .grace = 0.5, .feed = feed,
		.hit = hit, .userdata = &f->seen, .interrupt_fd = -1,
		.session = kr_ssh_session_hooks(s),
	};
	ck_assert_int_eq(kr_guest_run(&gc, &f->res), 0);
	kr_ssh_session_stats(s, &f->stats);
	kr_read_file(f->out_path, 1 << 20, &f->output, NULL);
	kr_read_file(f->log_path, 1 << 20, &f->log, NULL);
	_cleanup_free_ char *calls = kr_path_join(f->dir, "calls");
	kr_read_file(calls, 1 << 20, &f->calls, NULL);
}

static void fake_run(struct fake *f, const char *qemu_script, bool execprog, double no_output,
		     double lost_wait)
{
	fake_run_boot(f, qemu_script, execprog, no_output, lost_wait, 0);
}

static void fake_clear(struct fake *f)
{
	kr_guest_result_clear(&f->res);
	free(f->dir);
	free(f->out_path);
	free(f->log_path);
	free(f->output);
	free(f->log);
	free(f->calls);
	kr_buf_free(&f->seen);
	kr_test_tmpdir_cleanup();
}

#define QEMU_QUIET "echo 'Linux version 6.1'; sleep 1000"

START_TEST(session_runs_the_reproducer)
{
	struct fake f;
	fake_setup(&f);
	fake_file(&f, "fail", "2\n");
	fake_file(&f, "fail.msg", "ssh: connect to host 127.0.0.1 port 1: Connection refused\n");
	fake_file(&f, "run",
		  "echo 'KRADAR-START " TOKEN "'\n"
		  "echo '2024/01/02 10:00:00 executed programs: 0'\n"
		  "echo '2024/01/02 10:00:05 executed programs: 3'\n"
		  "printf 'KRADAR-END " TOKEN " rc=7\\n'\n"
		  "sleep 1000\n");
	fake_run(&f, QEMU_QUIET, true, 30, 5);
	ck_assert_int_eq(f.res.end, KR_GUEST_END_MARKER);
	ck_assert(f.res.started);
	ck_assert_int_eq(f.res.repro_status, 7);
	ck_assert_uint_eq(f.stats.attempts, 3);
	ck_assert(f.stats.ready_s >= 0);
	ck_assert(f.stats.copied_s >= f.stats.ready_s);
	ck_assert_int_eq(f.stats.programs, 3);
	/* everything the command printed, markers included */
	ck_assert_ptr_nonnull(strstr(f.output, "executed programs: 3\nKRADAR-END " TOKEN " rc=7\n"));
	/* the log: ssh's words and kradar's steps */
	ck_assert_ptr_nonnull(strstr(f.log, "Connection refused"));
	ck_assert_ptr_nonnull(strstr(f.log, "SSH works after 3 attempts"));
	ck_assert_ptr_nonnull(strstr(f.log, "the reproducer ended with status 7"));
	/* three attempts that create the directory, one scp, one run */
	ck_assert_ptr_nonnull(strstr(f.calls, "-- mkdir -p 'kradar'\n"));
	ck_assert_ptr_nonnull(strstr(f.calls, "scp -O -q"));
	ck_assert_ptr_nonnull(strstr(f.calls, "-- /host/run.sh /host/repro root@127.0.0.1:kradar/\n"));
	ck_assert_ptr_nonnull(strstr(f.calls, "-- sh kradar/run.sh\n"));
	fake_clear(&f);
}
END_TEST

START_TEST(session_lost_connection)
{
	struct fake f;
	fake_setup(&f);
	fake_file(&f, "run", "echo 'KRADAR-START " TOKEN "'\necho 'Connection closed' >&2\nexit 255\n");
	fake_run(&f, QEMU_QUIET, false, 30, 0.3);
	ck_assert_int_eq(f.res.end, KR_GUEST_END_LOST);
	ck_assert(f.res.started);
	ck_assert_ptr_nonnull(strstr(f.res.message, "lost (ssh status 255) before the reproducer "
						    "finished"));
	ck_assert_int_eq(f.stats.status, 255);
	fake_clear(&f);
}
END_TEST

/* The crash that cut the connection shows on the console a moment later:
 * the crash decides. */
START_TEST(session_lost_then_crash)
{
	struct fake f;
	fake_setup(&f);
	fake_file(&f, "run", "echo 'KRADAR-START " TOKEN "'\nexit 255\n");
	fake_run(&f, "echo 'Linux version 6.1'; sleep 1; echo 'BUG: kernel NULL pointer'; sleep 1000",
		 false, 30, 10);
	ck_assert_int_eq(f.res.end, KR_GUEST_END_HIT);
	ck_assert(f.res.hit);
	ck_assert(f.res.started);
	ck_assert(f.res.duration_s < 10);
	fake_clear(&f);
}
END_TEST

/* syz-execprog's counter stops: no output and no progress for no_output,
 * and the message says how far it got. Lines that are not progress do not
 * count. */
START_TEST(session_no_progress)
{
	struct fake f;
	fake_setup(&f);
	fake_file(&f, "run",
		  "echo 'KRADAR-START " TOKEN "'\n"
		  "echo 'executed programs: 0'\necho 'executed programs: 1'\n"
		  "i=0; while [ $i -lt 40 ]; do echo 'still alive'; sleep 0.1; i=$((i+1)); done\n"
		  "sleep 1000\n");
	fake_run(&f, QEMU_QUIET, true, 1.5, 5);
	ck_assert_int_eq(f.res.end, KR_GUEST_END_NO_OUTPUT);
	ck_assert_ptr_nonnull(strstr(f.res.message, "no progress of the reproducer for 2 s"));
	ck_assert_ptr_nonnull(strstr(f.res.message, "executed programs: 1"));
	ck_assert_int_eq(f.stats.programs, 1);
	fake_clear(&f);
}
END_TEST

/* Progress keeps a silent console's run alive past no_output. */
START_TEST(session_progress_resets_silence)
{
	struct fake f;
	fake_setup(&f);
	fake_file(&f, "run",
		  "echo 'KRADAR-START " TOKEN "'\n"
		  "i=0; while [ $i -lt 12 ]; do echo \"executed programs: $i\"; sleep 0.25; "
		  "i=$((i+1)); done\n"
		  "echo 'KRADAR-END " TOKEN " rc=0'\n");
	fake_run(&f, QEMU_QUIET, true, 1, 5);
	ck_assert_int_eq(f.res.end, KR_GUEST_END_MARKER);
	ck_assert_int_eq(f.stats.programs, 11);
	ck_assert(f.res.duration_s > 2.5);
	fake_clear(&f);
}
END_TEST

START_TEST(session_copy_fails)
{
	struct fake f;
	fake_setup(&f);
	fake_file(&f, "scp.status", "1\n");
	fake_file(&f, "run", "echo 'not reached' >&2\n");
	fake_run(&f, QEMU_QUIET, false, 30, 0.2);
	ck_assert_int_eq(f.res.end, KR_GUEST_END_ERROR);
	ck_assert(!f.res.started);
	ck_assert_ptr_nonnull(strstr(f.res.message, "copying /host/run.sh to the guest's kradar/ "
						    "failed (scp status 1)"));
	ck_assert_ptr_null(strstr(f.calls, "run.sh\nssh"));
	fake_clear(&f);
}
END_TEST

/* SSH never works: the boot timeout says what ssh said last. */
START_TEST(session_never_connects)
{
	struct fake f;
	fake_setup(&f);
	fake_file(&f, "fail", "1000000\n");
	fake_file(&f, "fail.msg", "root@127.0.0.1: Permission denied (publickey).\n");
	fake_file(&f, "run", "exit 0\n");
	fake_run_boot(&f, QEMU_QUIET, false, 30, 1, 1.5);
	ck_assert_int_eq(f.res.end, KR_GUEST_END_BOOT_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(f.res.message, "did not start the reproducer within 2 s"));
	ck_assert_ptr_nonnull(strstr(f.res.message, "Permission denied (publickey)"));
	ck_assert_uint_gt(f.stats.attempts, 2);
	ck_assert(f.stats.ready_s < 0);
	fake_clear(&f);
}
END_TEST

/* The session's ssh is stopped with the run: nothing outlives it. */
START_TEST(session_stops_its_ssh)
{
	struct fake f;
	fake_setup(&f);
	_cleanup_free_ char *pidfile = kr_path_join(f.dir, "pid");
	_cleanup_free_ char *run = kr_asprintf("echo $$ >%s\necho 'KRADAR-START " TOKEN "'\n"
					       "exec sleep 1000\n",
					       pidfile);
	fake_file(&f, "run", run);
	fake_run(&f, "echo 'Linux version 6.1'; sleep 2; echo 'BUG: oops'; sleep 1000", false, 30,
		 5);
	ck_assert_int_eq(f.res.end, KR_GUEST_END_HIT);
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_read_file(pidfile, 64, &text, NULL), 0);
	pid_t pid = atoi(text);
	ck_assert(pid > 0);
	ck_assert_int_eq(kill(pid, 0), -1); /* gone (and reaped) */
	fake_clear(&f);
}
END_TEST

/* kradar run in image mode against the stand-ins, with a QEMU stand-in
 * whose first start finds its port taken: QEMU again with another port,
 * then the reproducer over "SSH", a clean run and the artifacts. */
static const char fake_qemu[] =
	"#!/bin/sh\n"
	"d=$FAKE_SSH_DIR\n"
	"[ \"$1\" != --version ] || { echo 'QEMU emulator version 7.2.0 (stand-in)'; exit 0; }\n"
	"for a; do case $a in user,*) echo \"$a\" >>\"$d/netdevs\" ;; esac; done\n"
	"if [ ! -e \"$d/qemu.once\" ]; then\n"
	"\t: >\"$d/qemu.once\"\n"
	"\techo \"qemu: -netdev $(tail -n 1 \"$d/netdevs\"): Could not set up host forwarding "
	"rule 'tcp:...'\" >&2\n"
	"\texit 1\n"
	"fi\n"
	"echo '[    0.000000] Linux version 6.1'\n"
	"exec sleep 1000\n";

/* kradar run in image mode with the stand-ins: kernel and disk as given
 * (JSON strings), the user "tester"; *out_dir gets the results. Returns
 * kradar's stderr. */
static char *run_fake_image(struct fake *f, const char *kernel, const char *disk,
			    const char *cache, char **out_dir)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *qemu = kr_test_write(tmp, "qemu", fake_qemu);
	chmod(qemu, 0755);
	fake_file(f, "fail", "1\n");
	/* the run: the script kradar copied would do this in a guest */
	fake_file(f, "run",
		  "echo \"KRADAR-START $(cat \"$FAKE_SSH_DIR/token\")\"\n"
		  "echo 'hello from the guest'\n"
		  "echo \"KRADAR-END $(cat \"$FAKE_SSH_DIR/token\") rc=0\"\n");
	/* the token is kradar's secret: scp (the stand-in) finds it in run.sh */
	const char scp[] =
		"#!/bin/sh\n"
		"d=$FAKE_SSH_DIR\n"
		"echo \"scp $*\" >>\"$d/calls\"\n"
		"for a; do case $a in */run.sh) sed -n \"s/^echo 'KRADAR-START \\(.*\\)'$/\\1/p\" "
		"\"$a\" >\"$d/token\" ;; esac; done\n";
	_cleanup_free_ char *bin = kr_path_join(tmp, "bin");
	free(kr_test_write(bin, "scp", scp));
	_cleanup_free_ char *json = kr_asprintf(
		"{\"kradar\":1,\"name\":\"img\",\"kernel\":{\"image\":\"%s\"},"
		"\"disk\":{\"image\":\"%s\",\"ssh_user\":\"tester\"},"
		"\"repro\":{\"sh\":\"echo hello\"},\"vm\":{\"kvm\":\"off\",\"qemu\":\"%s\"},"
		"\"timeouts\":{\"boot\":30,\"run\":30,\"settle\":1,\"tcg_factor\":1},"
		"\"expect\":{\"verdict\":\"clean\"}}",
		kernel, disk, qemu);
	_cleanup_free_ char *scenario = kr_test_write(tmp, "img.json", json);
	*out_dir = kr_path_join(tmp, "out");
	char *argv[] = { (char *)kr_test_kradar(), "run", "-o", *out_dir, "--cache",
			 (char *)cache, scenario, NULL };
	char *out = NULL, *err = NULL;
	int st = kr_test_spawn(argv, NULL, 0, &out, &err, 120);
	ck_assert_msg(st == 0, "kradar run: %d\n%s\n%s", st, kr_test_tail(out), kr_test_tail(err));
	free(out);
	return err;
}

START_TEST(run_image_mode)
{
	struct fake f;
	fake_setup(&f);
	const char *tmp = kr_test_tmpdir();
	free(kr_test_write(tmp, "bzImage", "x"));
	free(kr_test_write(tmp, "disk.raw", "x"));
	_cleanup_free_ char *cache = kr_path_join(tmp, "cache");
	_cleanup_free_ char *out_dir = NULL;
	_cleanup_free_ char *err = run_fake_image(&f, "bzImage", "disk.raw", cache, &out_dir);
	ck_assert_msg(strstr(err, "was taken before QEMU could forward it"), "%s", kr_test_tail(err));
	/* two QEMUs, each with its own port */
	_cleanup_free_ char *nd_path = kr_path_join(f.dir, "netdevs");
	_cleanup_free_ char *netdevs = NULL;
	ck_assert_int_eq(kr_read_file(nd_path, 4096, &netdevs, NULL), 0);
	int p1 = 0, p2 = 0;
	ck_assert_int_eq(sscanf(netdevs,
				"user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:%d-:22\n"
				"user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:%d-:22\n",
				&p1, &p2),
			 2);
	ck_assert_int_ne(p1, p2);
	_cleanup_free_ char *calls = kr_path_join(f.dir, "calls");
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_read_file(calls, 1 << 20, &text, NULL), 0);
	_cleanup_free_ char *user = kr_asprintf("-p %d tester@127.0.0.1 -- sh kradar/run.sh\n", p2);
	ck_assert_msg(strstr(text, user), "%s", kr_test_tail(text));

	_cleanup_free_ char *results = kr_path_join(out_dir, "results.json");
	_cleanup_free_ char *rj = NULL;
	ck_assert_int_eq(kr_read_file(results, 1 << 20, &rj, NULL), 0);
	/* the guest kept for the settle period after the SSH command ended */
	const char *want[] = { "\"verdict\": \"clean\"", "\"repro_log\": \"repro.log\"",
			       "\"ssh_log\": \"ssh.log\"", "\"repro\": \"repro.sh\"",
			       "the reproducer finished (status 0), then 1 s of settling\"",
			       "\"settle_planned_s\": 1", "\"detectors\": \"detectors.txt\"" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(want); i++)
		ck_assert_msg(strstr(rj, want[i]), "no %s in %s", want[i], rj);
	_cleanup_free_ char *log_path = kr_path_join(out_dir, "img/run-1/repro.log");
	_cleanup_free_ char *log = NULL;
	ck_assert_int_eq(kr_read_file(log_path, 4096, &log, NULL), 0);
	ck_assert_ptr_nonnull(strstr(log, "hello from the guest\n"));
	_cleanup_free_ char *script_path = kr_path_join(out_dir, "img/run-1/run.sh");
	ck_assert_int_eq(access(script_path, R_OK), 0);
	fake_clear(&f);
}
END_TEST

/* kernel.image and disk as URLs: downloaded once into the cache (.xz by
 * content decompressed), QEMU gets the cache's files, and the results name
 * the URL with the sha256 of what was booted. */
START_TEST(run_image_mode_urls)
{
	struct fake f;
	fake_setup(&f);
	const char *tmp = kr_test_tmpdir();
	fake_file(&f, "qemu.once", ""); /* no port trouble this time */
	const char plain_disk[] = "a disk image, compressed by xz\n";
	_cleanup_free_ char *disk_file = kr_test_write(tmp, "disk.raw", plain_disk);
	char *xz[] = { "xz", "-0", "-f", disk_file, NULL };
	ck_assert_int_eq(kr_test_spawn(xz, NULL, 0, NULL, NULL, 60), 0);
	_cleanup_free_ char *xz_path = kr_asprintf("%s.xz", disk_file);
	_cleanup_free_ char *disk_xz = NULL;
	size_t disk_xz_len = 0;
	ck_assert_int_eq(kr_read_file(xz_path, 1 << 20, &disk_xz, &disk_xz_len), 0);
	struct kr_http_route routes[] = {
		{ .target = "/assets/bzImage-1", .body = "kernel bytes\n" },
		{ .target = "/assets/disk-1.raw.xz", .body = disk_xz, .body_len = disk_xz_len },
		{ 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	_cleanup_free_ char *kernel = kr_asprintf("%s/assets/bzImage-1", kr_http_url(h));
	_cleanup_free_ char *disk = kr_asprintf("%s/assets/disk-1.raw.xz", kr_http_url(h));
	_cleanup_free_ char *cache = kr_path_join(tmp, "cache");
	_cleanup_free_ char *out_dir = NULL;
	_cleanup_free_ char *err = run_fake_image(&f, kernel, disk, cache, &out_dir);
	kr_http_stop(h);
	ck_assert_uint_eq(routes[0].hits, 1);
	ck_assert_uint_eq(routes[1].hits, 1);

	_cleanup_free_ char *cmdline_path = kr_path_join(out_dir, "img/run-1/qemu.cmdline");
	_cleanup_free_ char *cmdline = NULL;
	ck_assert_int_eq(kr_read_file(cmdline_path, 1 << 20, &cmdline, NULL), 0);
	_cleanup_free_ char *downloads = kr_asprintf(" -kernel %s/downloads/", cache);
	ck_assert_msg(strstr(cmdline, downloads), "%s", cmdline);
	const char *file = strstr(cmdline, "-drive file=");
	ck_assert_ptr_nonnull(file);
	file += strlen("-drive file=");
	_cleanup_free_ char *booted = kr_strndup(file, strcspn(file, ","));
	ck_assert(kr_str_startswith(booted, cache));
	ck_assert(kr_str_endswith(booted, ".unxz"));
	_cleanup_free_ char *content = NULL;
	ck_assert_int_eq(kr_read_file(booted, 1 << 20, &content, NULL), 0);
	ck_assert_str_eq(content, plain_disk);

	char hex[KR_SHA256_HEX_SIZE];
	ck_assert_int_eq(kr_sha256_file(booted, hex), 0);
	_cleanup_free_ char *results_path = kr_path_join(out_dir, "results.json");
	_cleanup_free_ char *results = NULL;
	ck_assert_int_eq(kr_read_file(results_path, 1 << 20, &results, NULL), 0);
	_cleanup_free_ char *want_disk = kr_asprintf(
		"\"disk\": {\n        \"image\": \"%s\",\n        \"sha256\": \"%s\"", disk, hex);
	ck_assert_msg(strstr(results, want_disk), "%s", kr_test_tail(results));
	ck_assert_ptr_nonnull(strstr(results, "\"verdict\": \"clean\""));
	fake_clear(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ssh");
	TCase *tc = tcase_create("ssh");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ssh_argv);
	tcase_add_test(tc, scp_argv);
	tcase_add_test(tc, free_port);
	tcase_add_test(tc, progress_lines);
	tcase_add_test(tc, image_qemu_command_line);
	tcase_add_test(tc, image_script);
	tcase_add_test(tc, session_runs_the_reproducer);
	tcase_add_test(tc, session_lost_connection);
	tcase_add_test(tc, session_lost_then_crash);
	tcase_add_test(tc, session_no_progress);
	tcase_add_test(tc, session_progress_resets_silence);
	tcase_add_test(tc, session_copy_fails);
	tcase_add_test(tc, session_never_connects);
	tcase_add_test(tc, session_stops_its_ssh);
	tcase_add_test(tc, run_image_mode);
	tcase_add_test(tc, run_image_mode_urls);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kr_test_main(suite());
}
