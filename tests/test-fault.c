/* SPDX-License-Identifier: MIT */
/* kradar under faults: killed with SIGKILL at several points, a full or
 * read-only output disk, a second run on the same --out, two processes on
 * a cold download cache, hostile servers on 127.0.0.1. What must hold: no
 * QEMU and no temporary directory of a killed run survive the next run,
 * results.json is absent or valid, failures are loud and name the file.
 *
 * Most cases use a fake QEMU (a script, as in test-cmd-run.c) so that they
 * take seconds; the last ones kill runs of Debian's kernel under TCG
 * (ci/prepare-debian-kernel.sh). Cases that need to mount a tmpfs run in
 * their own mount namespace and are skipped (with a message) without the
 * privilege. */
#include <dirent.h>
#include <dlfcn.h>
#include <link.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetch.h"
#include "kr-http.h"
#include "kr-test.h"
#include "results.h"
#include "util.h"

/* ----- helpers ----- */

/* What a fake QEMU ends in: a sleep that no other process runs, so that a
 * survivor can be found by its command line. */
static const char *sleeper(void)
{
	static char s[48];
	snprintf(s, sizeof(s), "sleep 600.%d", (int)getpid());
	return s;
}

/* A fake QEMU: the kernel's first line, BOOT (shell lines), the start
 * marker, RUN (shell lines); then the end marker unless RUN ends in exec. */
static char *fake_qemu(const char *dir, const char *name, const char *boot, const char *run)
{
	_cleanup_free_ char *script = kr_asprintf(
		"#!/bin/sh\n"
		"[ \"$1\" = --version ] && { echo 'QEMU emulator version 7.2.0 (fake)'; exit 0; }\n"
		"while [ $# -gt 0 ]; do [ \"$1\" = -initrd ] && initrd=$2; shift; done\n"
		"token=$(grep -a -o 'KRADAR-START [0-9a-f]*' \"$initrd\" | head -n 1 | cut -d' ' -f2)\n"
		"echo 'Linux version 6.1.0-fake'\n"
		"%s\n"
		"echo \"KRADAR-START $token\"\n"
		"%s\n"
		"echo \"KRADAR-END $token rc=0\"\n"
		"exec %s\n",
		boot ? boot : "", run ? run : "", sleeper());
	char *path = kr_test_write(dir, name, script);
	ck_assert_int_eq(chmod(path, 0755), 0);
	return path;
}

static void scenario(const char *dir, const char *name, const char *qemu)
{
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\":1,\"name\":\"%s\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"repro\":{\"sh\":\"true\"},\"vm\":{\"kvm\":\"off\",\"qemu\":\"%s\"},"
		"\"timeouts\":{\"boot\":120,\"run\":120,\"no_output\":120,\"grace\":1,"
		"\"tcg_factor\":1},\"expect\":{\"verdict\":\"clean\"}}",
		name, qemu);
	_cleanup_free_ char *file = kr_asprintf("%s.json", name);
	free(kr_test_write(dir, file, text));
	free(kr_test_write(dir, "bzImage", "not a kernel: the fake QEMU does not care"));
}

/* A private TMPDIR for the kradar processes of this test. */
static const char *private_tmp(void)
{
	static char *tmp;
	free(tmp);
	tmp = kr_path_join(kr_test_tmpdir(), "tmp");
	ck_assert_int_eq(kr_mkdir_p(tmp, 0755), 0);
	setenv("TMPDIR", tmp, 1);
	setenv("KRADAR_BUSYBOX", "/bin/sh", 1); /* packed, never run */
	return tmp;
}

static size_t leftovers(const char *tmp)
{
	size_t n = 0;
	DIR *d = opendir(tmp);
	ck_assert_ptr_nonnull(d);
	struct dirent *de;
	while ((de = readdir(d)))
		if (kr_str_startswith(de->d_name, "kradar-"))
			n++;
	closedir(d);
	return n;
}

/* kradar ARGS in the background, its standard error to err_path. */
static pid_t start_kradar(char *const args[], const char *err_path)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_RDWR);
		if (fd < 0 || null < 0 || dup2(fd, 2) < 0 || dup2(null, 1) < 0 || dup2(null, 0) < 0)
			_exit(127);
		char *argv[16] = { (char *)kr_test_kradar() };
		for (size_t i = 0; args[i] && i < 14; i++)
			argv[i + 1] = args[i];
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Waits (on pidfds, at most timeout_s) until no process has needle in its
 * command line; the number left. */
static size_t wait_gone(const char *needle, double timeout_s)
{
	int pids[64];
	size_t n = kr_test_pids_with(needle, pids, 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		int fd = (int)syscall(SYS_pidfd_open, pids[i], 0);
		if (fd < 0)
			continue;
		struct pollfd p = { fd, POLLIN, 0 };
		poll(&p, 1, (int)(timeout_s * 1000));
		close(fd);
	}
	/* a zombie has an empty command line: it does not count */
	return kr_test_pids_with(needle, NULL, 0);
}

/* results.json of out is absent or reads back; whether it is there. */
static bool results_valid_or_absent(const char *out)
{
	_cleanup_free_ char *path = kr_path_join(out, "results.json");
	if (access(path, F_OK) < 0)
		return false;
	struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_load(path, &r, &err) == 0, "%s is not valid: %s", path, kr_test_tail(err));
	kr_results_free(r);
	return true;
}

/* A tmpfs of the given options on dir, in a mount namespace of this test
 * process alone (kradar children inherit it; it goes with the process).
 * False (and a message) when this process may not mount. */
static bool private_tmpfs(const char *dir, const char *options, unsigned long flags)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("kradar-fault", dir, "tmpfs", flags, options) < 0) {
		printf("# skipped: cannot mount a tmpfs on %s (%s): needs root\n", dir, strerror(errno));
		return false;
	}
	return true;
}

/* ----- kill -9 ----- */

/* Kills kradar with SIGKILL once its console has text, then checks what
 * is left and that the next run sweeps it. */
static void kill_when(const char *boot, const char *run, const char *wait_text)
{
	const char *dir = kr_test_tmpdir();
	const char *tmp = private_tmp();
	_cleanup_free_ char *sdir = kr_path_join(dir, "s");
	_cleanup_free_ char *q = fake_qemu(dir, "qemu-killed", boot, run);
	scenario(sdir, "killed", q);
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	_cleanup_free_ char *errf = kr_path_join(dir, "err");
	char *args[] = { "run", "--out", out, sdir, NULL };
	pid_t pid = start_kradar(args, errf);
	_cleanup_free_ char *console = kr_path_join(out, "killed/run-1/console.log.part");
	ck_assert_int_eq(kr_test_wait_for_text(console, wait_text, 120), 0);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(reap(pid), 128 + SIGKILL);
	ck_assert_uint_eq(wait_gone(sleeper(), 10), 0);
	ck_assert_uint_eq(leftovers(tmp), 1); /* what the next run must remove */
	results_valid_or_absent(out);

	/* the next run, on another scenario and output */
	_cleanup_free_ char *s2 = kr_path_join(dir, "s2");
	_cleanup_free_ char *q2 = fake_qemu(dir, "qemu-next", NULL, NULL);
	scenario(s2, "next", q2);
	_cleanup_free_ char *out2 = kr_path_join(dir, "out2");
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", out2, s2, NULL };
	_cleanup_free_ char *so = NULL, *se = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &so, &se, 300);
	ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, so, se);
	ck_assert_uint_eq(leftovers(tmp), 0);
	ck_assert(results_valid_or_absent(out2));
	/* and the killed run's output can be used again at once */
	char *again[] = { (char *)kr_test_kradar(), "run", "--out", out, s2, NULL };
	free(so);
	free(se);
	so = se = NULL;
	rc = kr_test_spawn(again, NULL, 0, &so, &se, 300);
	ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, so, se);
	ck_assert(results_valid_or_absent(out));
	ck_assert_uint_eq(wait_gone(sleeper(), 10), 0);
}

START_TEST(kill_during_boot)
{
	_cleanup_free_ char *boot = kr_asprintf("echo booting; exec %s", sleeper());
	kill_when(boot, NULL, "booting");
}
END_TEST

START_TEST(kill_during_the_reproducer)
{
	_cleanup_free_ char *run = kr_asprintf("echo reproducing; exec %s", sleeper());
	kill_when(NULL, run, "reproducing");
}
END_TEST

/* ----- full and read-only disks ----- */

START_TEST(full_disk_ends_the_run)
{
	const char *dir = kr_test_tmpdir();
	const char *tmp = private_tmp();
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	ck_assert_int_eq(mkdir(out, 0755), 0);
	if (!private_tmpfs(out, "size=2m", 0))
		return;
	_cleanup_free_ char *sdir = kr_path_join(dir, "s");
	_cleanup_free_ char *q1 = fake_qemu(dir, "qemu-small", NULL, NULL);
	_cleanup_free_ char *q2 = fake_qemu(dir, "qemu-flood", NULL,
					    "head -c 8000000 /dev/zero | tr '\\0' x; echo");
	scenario(sdir, "a-small", q1);
	scenario(sdir, "b-flood", q2);
	scenario(sdir, "c-never", q1);
	char *argv[] = { (char *)kr_test_kradar(), "run", "--jobs", "1", "--out", out, sdir, NULL };
	_cleanup_free_ char *so = NULL, *se = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &so, &se, 300);
	/* 3 when results.json could still be written, else 4 */
	ck_assert_msg(rc == 3 || rc == 4, "exit %d\n%s\n%s", rc, so, se);
	KR_ASSERT_HAS(se, "b-flood/run-1/console.log.part: No space left on device");
	if (rc == 4)
		KR_ASSERT_HAS(se, "results.json: No space left on device");
	/* results.json of the first scenario stays valid, and no later run began */
	ck_assert(results_valid_or_absent(out));
	_cleanup_free_ char *never = kr_path_join(out, "c-never/run-1");
	ck_assert_int_eq(access(never, F_OK), -1);
	ck_assert_uint_eq(wait_gone(sleeper(), 10), 0);
	ck_assert_uint_eq(leftovers(tmp), 0);
	/* no temporary file of an atomic write is left */
	_cleanup_free_ char *so2 = NULL;
	char *find[] = { "find", out, "-name", "*.tmp-*", NULL };
	ck_assert_int_eq(kr_test_spawn(find, NULL, 0, &so2, NULL, 30), 0);
	ck_assert_str_eq(so2, "");
}
END_TEST

START_TEST(unwritable_run_directory_is_an_infra_error)
{
	const char *dir = kr_test_tmpdir();
	private_tmp();
	_cleanup_free_ char *sdir = kr_path_join(dir, "s");
	_cleanup_free_ char *q = fake_qemu(dir, "qemu", NULL, NULL);
	scenario(sdir, "blocked", q);
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	/* a file where the scenario's directory goes */
	free(kr_test_write(out, "blocked", "in the way"));
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", out, sdir, NULL };
	_cleanup_free_ char *so = NULL, *se = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &so, &se, 300);
	ck_assert_msg(rc == 3, "exit %d\n%s\n%s", rc, so, se);
	KR_ASSERT_HAS(se, "blocked/run-1");
	ck_assert(results_valid_or_absent(out));
	_cleanup_free_ char *json = NULL;
	_cleanup_free_ char *path = kr_path_join(out, "results.json");
	ck_assert_int_eq(kr_read_file(path, 1 << 20, &json, NULL), 0);
	KR_ASSERT_HAS(json, "\"verdict\": \"infra-error\"");
}
END_TEST

START_TEST(read_only_output_is_refused)
{
	const char *dir = kr_test_tmpdir();
	private_tmp();
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	ck_assert_int_eq(mkdir(out, 0755), 0);
	if (!private_tmpfs(out, "size=1m", MS_RDONLY))
		return;
	_cleanup_free_ char *sdir = kr_path_join(dir, "s");
	_cleanup_free_ char *q = fake_qemu(dir, "qemu", NULL, NULL);
	scenario(sdir, "ro", q);
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", out, sdir, NULL };
	_cleanup_free_ char *so = NULL, *se = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &so, &se, 300);
	ck_assert_msg(rc == 4, "exit %d\n%s\n%s", rc, so, se);
	KR_ASSERT_HAS(se, "Read-only file system");
	KR_ASSERT_HAS(se, out);
}
END_TEST

/* ----- two runs, one output ----- */

START_TEST(second_run_on_the_same_output_is_refused)
{
	const char *dir = kr_test_tmpdir();
	const char *tmp = private_tmp();
	_cleanup_free_ char *sdir = kr_path_join(dir, "s");
	_cleanup_free_ char *wait = kr_asprintf("echo waiting; exec %s", sleeper());
	_cleanup_free_ char *q = fake_qemu(dir, "qemu-first", NULL, wait);
	scenario(sdir, "first", q);
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	_cleanup_free_ char *errf = kr_path_join(dir, "err");
	char *args[] = { "run", "--out", out, sdir, NULL };
	pid_t pid = start_kradar(args, errf);
	_cleanup_free_ char *console = kr_path_join(out, "first/run-1/console.log.part");
	ck_assert_int_eq(kr_test_wait_for_text(console, "waiting", 120), 0);

	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", out, sdir, NULL };
	_cleanup_free_ char *so = NULL, *se = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &so, &se, 300);
	ck_assert_msg(rc == 4, "exit %d\n%s\n%s", rc, so, se);
	_cleanup_free_ char *want = kr_asprintf("in use by another kradar run (pid %d)", (int)pid);
	KR_ASSERT_HAS(se, want);
	/* the first run went on untouched */
	ck_assert_int_eq(kill(pid, 0), 0);
	ck_assert(kr_test_file_has(console, "waiting"));

	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(reap(pid), 128 + SIGTERM);
	ck_assert(results_valid_or_absent(out));
	ck_assert_uint_eq(wait_gone(sleeper(), 10), 0);
	ck_assert_uint_eq(leftovers(tmp), 0);
}
END_TEST

/* ----- downloads ----- */

/* A child that fetches url into cache: it writes "s" when it is about to
 * call kr_fetch(), then (with hold) "p" at its first progress and waits for
 * a byte on go before it goes on; at the end the sha256 on report. */
struct racer {
	pid_t pid;
	int report; /* read end */
	int go;     /* write end */
};

static void hold_progress(void *userdata, const char *name, uint64_t now, uint64_t total,
			  bool done)
{
	(void)name;
	(void)total;
	(void)done;
	int *fds = userdata;
	if (fds[1] < 0 || now == 0)
		return;
	char c = 'p';
	if (write(fds[0], &c, 1) != 1 || read(fds[1], &c, 1) != 1)
		_exit(3);
	fds[1] = -1;
}

static struct racer fetch_in_child(const char *cache, const char *url, bool hold)
{
	int rep[2], go[2];
	ck_assert_int_eq(pipe(rep), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(rep[0]);
		close(go[1]);
		int fds[2] = { rep[1], hold ? go[0] : -1 };
		struct kr_fetch_config cfg = { .cache_dir = cache, .backoff_initial_s = 0.05,
					       .progress = hold_progress, .userdata = fds };
		struct kr_fetcher *f = NULL;
		char *err = NULL;
		struct kr_fetch_result res;
		char c = 's';
		if (kr_fetcher_new(&cfg, &f, &err) < 0 || write(rep[1], &c, 1) != 1 ||
		    kr_fetch(f, url, 64 << 20, 0, &res, &err) < 0)
			_exit(1);
		if (write(rep[1], res.sha256, KR_SHA256_HEX_SIZE) != KR_SHA256_HEX_SIZE)
			_exit(2);
		_exit(0);
	}
	close(rep[1]);
	close(go[0]);
	return (struct racer){ .pid = pid, .report = rep[0], .go = go[1] };
}

static void expect_byte(int fd, char want)
{
	char c = 0;
	ck_assert_int_eq(read(fd, &c, 1), 1);
	ck_assert_int_eq(c, want);
}

START_TEST(two_processes_on_a_cold_download_cache)
{
	const char *dir = kr_test_tmpdir();
	size_t len = 4 << 20;
	char *body = kr_malloc(len);
	for (size_t i = 0; i < len; i++)
		body[i] = (char)(i * 7 + i / 4096);
	struct kr_http_route routes[] = {
		{ .target = "/big.img", .body = body, .body_len = len },
		{ 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	_cleanup_free_ char *url = kr_asprintf("%s/big.img", kr_http_url(h));
	_cleanup_free_ char *cache = kr_path_join(dir, "cache");
	/* A downloads and stops at its first bytes; B starts then, and must
	 * wait for A's lock on the entry rather than download it too. */
	struct racer a = fetch_in_child(cache, url, true);
	expect_byte(a.report, 's');
	expect_byte(a.report, 'p');
	struct racer b = fetch_in_child(cache, url, false);
	expect_byte(b.report, 's');
	ck_assert_int_eq(write(a.go, "g", 1), 1);
	char sa[KR_SHA256_HEX_SIZE], sb[KR_SHA256_HEX_SIZE];
	ck_assert_int_eq(read(a.report, sa, sizeof(sa)), (ssize_t)sizeof(sa));
	ck_assert_int_eq(read(b.report, sb, sizeof(sb)), (ssize_t)sizeof(sb));
	ck_assert_int_eq(reap(a.pid), 0);
	ck_assert_int_eq(reap(b.pid), 0);
	ck_assert_str_eq(sa, sb);
	/* one download; the other process waited for it and found it whole */
	ck_assert_uint_eq(routes[0].hits, 1);
	_cleanup_free_ char *so = NULL;
	char *find[] = { "find", cache, "-name", "*.part", NULL };
	ck_assert_int_eq(kr_test_spawn(find, NULL, 0, &so, NULL, 30), 0);
	ck_assert_str_eq(so, "");
	kr_http_stop(h);
	free(body);
}
END_TEST

static int fetch_once(const char *cache, const char *url, uint64_t max, double total_s,
		      char **err)
{
	struct kr_fetch_config cfg = { .cache_dir = cache, .backoff_initial_s = 0.05,
				       .backoff_max_s = 0.1, .max_attempts = 1000,
				       .total_timeout_s = total_s };
	_cleanup_fetcher_free_ struct kr_fetcher *f = NULL;
	ck_assert_int_eq(kr_fetcher_new(&cfg, &f, err), 0);
	struct kr_fetch_result res;
	int r = kr_fetch(f, url, max, 0, &res, err);
	kr_fetch_result_clear(&res);
	return r;
}

START_TEST(hostile_servers)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *cache = kr_path_join(dir, "cache");
	struct kr_http_route routes[] = {
		{ .target = "/to-file", .status = 302, .headers = "Location: file:///etc/passwd\r\n" },
		{ .target = "/to-ftp", .status = 301, .headers = "Location: ftp://127.0.0.1/x\r\n" },
		{ .target = "/loop", .status = 302, .headers = "Location: /loop\r\n" },
		{ .target = "/huge", .body = "x", .no_length = false, .fail_times = 0 },
		{ .target = "/always-busy", .fail_times = 1000, .fail_status = 503 },
		{ 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	const char *base = kr_http_url(h);

	_cleanup_free_ char *u1 = kr_asprintf("%s/to-file", base);
	_cleanup_free_ char *e1 = NULL;
	ck_assert_int_lt(fetch_once(cache, u1, 1 << 20, 60, &e1), 0);
	ck_assert_msg(strstr(e1, "to-file"), "%s", e1);

	_cleanup_free_ char *u2 = kr_asprintf("%s/to-ftp", base);
	_cleanup_free_ char *e2 = NULL;
	ck_assert_int_lt(fetch_once(cache, u2, 1 << 20, 60, &e2), 0);

	_cleanup_free_ char *u3 = kr_asprintf("%s/loop", base);
	_cleanup_free_ char *e3 = NULL;
	ck_assert_int_lt(fetch_once(cache, u3, 1 << 20, 60, &e3), 0);
	ck_assert_uint_le(routes[2].hits, 11);

	/* larger than the cap: refused, nothing kept */
	static char big[1 << 16];
	memset(big, 'y', sizeof(big));
	routes[3].body = big;
	routes[3].body_len = sizeof(big);
	_cleanup_free_ char *u4 = kr_asprintf("%s/huge", base);
	_cleanup_free_ char *e4 = NULL;
	ck_assert_int_eq(fetch_once(cache, u4, 1000, 60, &e4), -EFBIG);

	/* a server that is never ready: the total time cap ends the retries */
	_cleanup_free_ char *u5 = kr_asprintf("%s/always-busy", base);
	_cleanup_free_ char *e5 = NULL;
	ck_assert_int_eq(fetch_once(cache, u5, 1 << 20, 1, &e5), -ETIMEDOUT);
	KR_ASSERT_HAS(e5, "no complete answer within 1 s");

	_cleanup_free_ char *so = NULL;
	char *find[] = { "find", cache, "-name", "*.part", NULL };
	ck_assert_int_eq(kr_test_spawn(find, NULL, 0, &so, NULL, 30), 0);
	ck_assert_str_eq(so, "");
	ck_assert_int_eq(access("/etc/passwd", F_OK), 0);
	kr_http_stop(h);
}
END_TEST

START_TEST(xz_bomb_stops_with_a_clear_error)
{
	const char *dir = kr_test_tmpdir();
	/* 64 MiB of zeros, about 10 KiB as .xz */
	_cleanup_free_ char *bomb_path = kr_path_join(dir, "bomb.xz");
	char *xz[] = { "sh", "-c", "head -c 67108864 /dev/zero | xz -1 -T1 -c > \"$0\"", bomb_path,
		       NULL };
	ck_assert_int_eq(kr_test_spawn(xz, NULL, 0, NULL, NULL, 300), 0);
	_cleanup_free_ char *bomb = NULL;
	size_t len;
	ck_assert_int_eq(kr_read_file(bomb_path, 1 << 20, &bomb, &len), 0);
	struct kr_http_route routes[] = {
		{ .target = "/bzImage.xz", .body = bomb, .body_len = len },
		{ 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	_cleanup_free_ char *url = kr_asprintf("%s/bzImage.xz", kr_http_url(h));
	_cleanup_free_ char *cache = kr_path_join(dir, "cache");
	struct kr_fetch_config cfg = { .cache_dir = cache };
	_cleanup_fetcher_free_ struct kr_fetcher *f = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetcher_new(&cfg, &f, &err), 0);
	struct kr_fetch_result res;
	ck_assert_int_eq(kr_fetch(f, url, 1 << 20, 0, &res, &err), 0);
	struct kr_fetch_plain plain;
	ck_assert_int_eq(kr_fetch_plain(f, &res, 16 << 20, &plain, &err), -EFBIG);
	ck_assert_ptr_nonnull(err);
	KR_ASSERT_HAS(err, "more than 16777216 bytes");
	_cleanup_free_ char *unxz = kr_asprintf("%s.unxz", res.path);
	ck_assert_int_eq(access(unxz, F_OK), -1);
	kr_fetch_result_clear(&res);
	kr_http_stop(h);
}
END_TEST

/* ----- kill -9 of real runs (Debian's kernel under TCG) ----- */

static void prepare_kernel(void)
{
	kr_test_prepare_debian_kernel();
}

static void kill_real_run(const char *wait_text)
{
	const char *dir = kr_test_tmpdir();
	const char *tmp = private_tmp();
	unsetenv("KRADAR_BUSYBOX");
	_cleanup_free_ char *sdir = kr_path_join(dir, "s");
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\":1,\"name\":\"real\",\"kernel\":{\"image\":\"%s\"},"
		"\"repro\":{\"sh\":\"echo reproducing; sleep 600\"},"
		"\"vm\":{\"kvm\":\"off\",\"smp\":1,\"mem_mb\":512},"
		"\"timeouts\":{\"boot\":600,\"run\":900,\"no_output\":900,\"grace\":1,"
		"\"tcg_factor\":1}}",
		getenv("KRADAR_DEBIAN_KERNEL"));
	free(kr_test_write(sdir, "real.json", text));
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	_cleanup_free_ char *errf = kr_path_join(dir, "err");
	char *args[] = { "run", "--out", out, sdir, NULL };
	pid_t pid = start_kradar(args, errf);
	_cleanup_free_ char *console = kr_path_join(out, "real/run-1/console.log.part");
	ck_assert_int_eq(kr_test_wait_for_text(console, wait_text, 900), 0);
	ck_assert_uint_ge(kr_test_pids_with(out, NULL, 0), 1); /* QEMU, named by its initrd */
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(reap(pid), 128 + SIGKILL);
	ck_assert_uint_eq(wait_gone(out, 30), 0);
	ck_assert_uint_eq(leftovers(tmp), 1);
	results_valid_or_absent(out);
	/* the next kradar (any run) removes the killed run's temporary directory */
	_cleanup_free_ char *s2 = kr_path_join(dir, "s2");
	setenv("KRADAR_BUSYBOX", "/bin/sh", 1);
	_cleanup_free_ char *q2 = fake_qemu(dir, "qemu-next", NULL, NULL);
	scenario(s2, "next", q2);
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", out, s2, NULL };
	_cleanup_free_ char *so = NULL, *se = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &so, &se, 300);
	ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, so, se);
	ck_assert_uint_eq(leftovers(tmp), 0);
	ck_assert(results_valid_or_absent(out));
}

START_TEST(kill_a_real_run_during_boot)
{
	kill_real_run("Linux version");
}
END_TEST

START_TEST(kill_a_real_run_during_the_reproducer)
{
	kill_real_run("reproducing");
}
END_TEST

/* ----- a missing library ----- */

/* libcurl is loaded by the commands that download (fetch.c): without it
 * `kradar fetch` says so in one line and exits 4, and the commands that
 * do not download work. The library is hidden by mounting /dev/null over
 * its file in a mount namespace of this test process alone. */
START_TEST(missing_libcurl_fails_fetch_and_spares_classify)
{
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(h != NULL, "libcurl.so.4: %s", dlerror());
	struct link_map *lm = NULL;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
	char lib[PATH_MAX];
	ck_assert_ptr_nonnull(realpath(lm->l_name, lib));
	dlclose(h);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("/dev/null", lib, NULL, MS_BIND, NULL) < 0) {
		printf("# skipped: cannot hide %s (%s): needs root\n", lib, strerror(errno));
		return;
	}
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *out = kr_path_join(dir, "bug");
	char *fetch[] = { (char *)kr_test_kradar(), "fetch", "--base-url", "http://127.0.0.1:9",
			  "0123456789abcdef0123", "--out", out, NULL };
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_test_spawn(fetch, NULL, 0, NULL, &err, 60), 4);
	ck_assert_msg(strstr(err, "cannot load libcurl.so.4") && strchr(err, '\n') == err + strlen(err) - 1,
		      "not one line naming the library:\n%s", err);
	ck_assert_int_eq(access(out, F_OK), -1);

	_cleanup_free_ char *log = kr_path_join(getenv("KRADAR_TEST_DATA"), "titles/x86-int3.log");
	char *classify[] = { (char *)kr_test_kradar(), "classify", log, NULL };
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_test_spawn(classify, NULL, 0, &text, NULL, 60), 0);
	ck_assert_msg(kr_str_startswith(text, "crash: int3 in "), "classify said:\n%s", text);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("fake-qemu");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, kill_during_boot);
	tcase_add_test(tc, kill_during_the_reproducer);
	tcase_add_test(tc, full_disk_ends_the_run);
	tcase_add_test(tc, unwritable_run_directory_is_an_infra_error);
	tcase_add_test(tc, read_only_output_is_refused);
	tcase_add_test(tc, second_run_on_the_same_output_is_refused);
	tcase_add_test(tc, missing_libcurl_fails_fetch_and_spares_classify);
	suite_add_tcase(s, tc);
	TCase *net = tcase_create("downloads");
	tcase_set_timeout(net, 300);
	tcase_add_test(net, two_processes_on_a_cold_download_cache);
	tcase_add_test(net, hostile_servers);
	tcase_add_test(net, xz_bomb_stops_with_a_clear_error);
	suite_add_tcase(s, net);
	TCase *qemu = tcase_create("qemu");
	tcase_set_timeout(qemu, 1200);
	tcase_add_unchecked_fixture(qemu, prepare_kernel, NULL);
	tcase_add_test(qemu, kill_a_real_run_during_boot);
	tcase_add_test(qemu, kill_a_real_run_during_the_reproducer);
	suite_add_tcase(s, qemu);
	return kr_test_main(s);
}
