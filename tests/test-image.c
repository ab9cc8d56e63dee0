/* SPDX-License-Identifier: MIT */
/* The image suite: image mode against real guests. A minimal Debian disk
 * (tests/image/make-disk.sh: debootstrap, OpenSSH's server, root without a
 * password, user "kradar" with a key) booted with a kernel built from
 * Debian's linux-source-6.1 (tinyconfig with scenarios/fragments/
 * bootable-tiny.config and bootable-disk.config: disk, ext4 and e1000 built
 * in, LKDTM for real crashes), both cached in the user's kradar cache. The
 * reproducers run over SSH; syz reproducers with the stand-in syz-execprog
 * of tests/image/syz-stand-in, or with real binaries from
 * KRADAR_SYZKALLER_BIN or ../shared/syzkaller/linux_amd64 (the binary's
 * --real-syzkaller mode, skipped with a reason without them). And kradar fetch against a local dashboard, whose
 * scenarios kradar validate accepts and kradar run executes, in image mode
 * and in initramfs mode. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initramfs.h"
#include "kbuild.h"
#include "kr-http.h"
#include "kr-test.h"
#include "sha256.h"

#define TARBALL "/usr/src/linux-source-6.1.tar.xz"
/* A cold cache builds the kernel and the disk: minutes on two shared cores. */
#define SETUP_TIMEOUT_S 3600
#define RUN_TIMEOUT_S 900
/* The guests' timeouts: generous for a loaded machine, and tcg_factor 1 so
 * that they are what they say. */
#define TIMEOUTS "\"timeouts\":{\"boot\":300,\"run\":300,\"no_output\":120,\"grace\":3," \
		 "\"tcg_factor\":1}"
#define VM "\"vm\":{\"kvm\":\"off\",\"smp\":1,\"mem_mb\":512}"
#define LKDTM "/sys/kernel/debug/provoke-crash/DIRECT"

static char *kernel; /* bzImage */
static char *disk_dir;
static char *disk;   /* disk.raw */
static char *key;    /* id_ed25519 of the user kradar */

static char *source_path(const char *rel)
{
	const char *root = getenv("KRADAR_SOURCE_ROOT");
	ck_assert_ptr_nonnull(root);
	return kr_path_join(root, rel);
}

/* The last line of text. */
static char *last_line(const char *text)
{
	size_t len = strlen(text);
	while (len && text[len - 1] == '\n')
		len--;
	const char *bol = text + len;
	while (bol > text && bol[-1] != '\n')
		bol--;
	return kr_strndup(bol, (size_t)(text + len - bol));
}

/* The suites' bootable fragment as a JSON array's elements. */
static char *fragment_json(void)
{
	struct kr_buf b = KR_BUF_INIT(1 << 20);
	_cleanup_strv_free_ char **lines = kr_test_bootable_fragment();
	for (size_t i = 0; lines[i]; i++)
		kr_buf_printf(&b, "%s\"%s\"", i ? "," : "", lines[i]);
	return kr_buf_steal(&b);
}

/* The kernel: kradar build (the cache's, after the first time). */
static void prepare_kernel(void)
{
	const char *cache = getenv("KRADAR_TEST_CACHE");
	_cleanup_free_ char *cache_dir = cache && *cache ? kr_strdup(cache) :
							     kr_cache_dir();
	_cleanup_free_ char *frag = fragment_json();
	_cleanup_free_ char *json = kr_asprintf(
		"{\"kradar\":1,\"name\":\"image-suite-kernel\",\"kernel\":{\"source\":\"%s\","
		"\"config\":\"tinyconfig\",\"fragment\":[%s],\"strict_fragment\":true},"
		"\"repro\":{\"sh\":\"true\"}}",
		TARBALL, frag);
	_cleanup_free_ char *scenario = kr_test_write(kr_test_tmpdir(), "kernel.json", json);
	char *argv[] = { (char *)kr_test_kradar(), "build", "--cache", cache_dir, scenario, NULL };
	_cleanup_free_ char *out = NULL, *err = NULL;
	int st = kr_test_spawn(argv, NULL, 0, &out, &err, SETUP_TIMEOUT_S);
	ck_assert_msg(st == 0, "kradar build exited with %d:\n%s\n%s", st, kr_test_tail(out), kr_test_tail(err));
	const char *p = strstr(out, "\nbzImage ");
	ck_assert_msg(p != NULL, "no bzImage line in:\n%s", kr_test_tail(out));
	p += strlen("\nbzImage ");
	while (*p == ' ')
		p++;
	kernel = kr_strndup(p, strcspn(p, "\n"));
}

/* The disk: tests/image/make-disk.sh (the cache's, after the first time). */
static void prepare_disk(void)
{
	_cleanup_free_ char *script = source_path("tests/image/make-disk.sh");
	char *argv[] = { script, NULL };
	_cleanup_free_ char *out = NULL, *err = NULL;
	int st = kr_test_spawn(argv, NULL, 0, &out, &err, SETUP_TIMEOUT_S);
	ck_assert_msg(st == 0, "make-disk.sh exited with %d:\n%s", st, kr_test_tail(err));
	disk_dir = last_line(out);
	disk = kr_path_join(disk_dir, "disk.raw");
	key = kr_path_join(disk_dir, "id_ed25519");
	ck_assert_int_eq(access(disk, R_OK), 0);
}

static void prepare(void)
{
	prepare_disk();
	prepare_kernel();
	kr_test_tmpdir_cleanup();
}

/* A scenario file in dir: name, then the fields after "kradar" and "name". */
static char *scenario(const char *dir, const char *name, const char *fmt, ...)
	KR_PRINTF(3, 4);
static char *scenario(const char *dir, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *body = kr_vasprintf(fmt, ap);
	va_end(ap);
	_cleanup_free_ char *text = kr_asprintf("{\"kradar\":1,\"name\":\"%s\",%s}", name, body);
	_cleanup_free_ char *file = kr_asprintf("%s.json", name);
	return kr_test_write(dir, file, text);
}

struct run {
	int status;       /* kradar run's exit status */
	char *out, *err;  /* its output */
	char *results;    /* results.json */
	char *dir;        /* the run's directory */
};

static void run_clear(struct run *r)
{
	free(r->out);
	free(r->err);
	free(r->results);
	free(r->dir);
}

/* kradar run on file; the results of scenario name's first run. */
static void kradar_run(const char *file, const char *name, struct run *r)
{
	memset(r, 0, sizeof(*r));
	_cleanup_free_ char *out_dir = kr_path_join(kr_test_tmpdir(), "results");
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", out_dir, (char *)file, NULL };
	r->status = kr_test_spawn(argv, NULL, 0, &r->out, &r->err, RUN_TIMEOUT_S);
	_cleanup_free_ char *rj = kr_path_join(out_dir, "results.json");
	ck_assert_msg(kr_read_file(rj, 1 << 20, &r->results, NULL) == 0,
		      "no results.json; kradar run exited with %d:\n%s\n%s", r->status, kr_test_tail(r->out),
		      kr_test_tail(r->err));
	r->dir = kr_asprintf("%s/%s/run-1", out_dir, name);
}

/* The run's artifact name (empty string when missing). */
static char *artifact(const struct run *r, const char *name)
{
	_cleanup_free_ char *path = kr_path_join(r->dir, name);
	char *text = NULL;
	if (kr_read_file(path, 64 << 20, &text, NULL) < 0)
		return kr_strdup("");
	return text;
}

/* A syz reproducer (program) with the stand-in syz-execprog, run to a
 * result that met its expectation; disk holds the disk object's fields
 * after "image", rest the scenario's fields after "execprog". */
static void run_stand_in(const char *name, const char *program, const char *disk_fields,
			 const char *rest, struct run *r)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "repro.syz", program));
	_cleanup_free_ char *bin = source_path("tests/image/syz-stand-in");
	_cleanup_free_ char *file = scenario(
		dir, name,
		"\"kernel\":{\"image\":\"%s\"},\"disk\":{\"image\":\"%s\"%s},"
		"\"repro\":{\"syz\":\"repro.syz\"},\"execprog\":{\"bin\":\"%s\"}," VM ",%s",
		kernel, disk, disk_fields, bin, rest);
	kradar_run(file, name, r);
	ck_assert_msg(r->status == 0, "exit %d:\n%s\n%s", r->status, kr_test_tail(r->out), kr_test_tail(r->err));
}

/* A shell reproducer as root, without a password: sysctls, repro.files and
 * a clean end; the disk image is left as it was (-snapshot). */
START_TEST(clean_run_over_ssh)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *marker = kr_test_write(dir, "data/marker.txt", "the marker file\n");
	char hex_before[KR_SHA256_HEX_SIZE], hex_after[KR_SHA256_HEX_SIZE];
	ck_assert_int_eq(kr_sha256_file(disk, hex_before), 0);
	_cleanup_free_ char *file = scenario(
		dir, "image-clean",
		"\"kernel\":{\"image\":\"%s\"},\"disk\":\"%s\","
		"\"repro\":{\"sh\":[\"id -un\",\"cat /proc/sys/kernel/hung_task_timeout_secs\","
		"\"cat /srv/data/marker.txt\",\"touch /kradar-was-here\"],"
		"\"files\":{\"data\":\"/srv/data\"}},"
		"\"sysctl\":{\"kernel.hung_task_timeout_secs\":33},"
		"\"expect\":{\"verdict\":\"clean\"}," VM "," TIMEOUTS,
		kernel, disk);
	struct run r;
	kradar_run(file, "image-clean", &r);
	ck_assert_msg(r.status == 0, "exit %d:\n%s\n%s", r.status, kr_test_tail(r.out), kr_test_tail(r.err));
	KR_ASSERT_HAS(r.results, "\"verdict\": \"clean\"");
	KR_ASSERT_HAS(r.results, "no crash: the reproducer finished (status 0)");
	KR_ASSERT_HAS(r.results, "\"repro_log\": \"repro.log\"");
	KR_ASSERT_HAS(r.results, "\"ssh_log\": \"ssh.log\"");
	_cleanup_free_ char *log = artifact(&r, "repro.log");
	KR_ASSERT_HAS(log, "\nroot\n33\nthe marker file\n");
	_cleanup_free_ char *ssh = artifact(&r, "ssh.log");
	KR_ASSERT_HAS(ssh, "SSH works after");
	KR_ASSERT_HAS(ssh, "the reproducer ended with status 0");
	_cleanup_free_ char *cmdline = artifact(&r, "qemu.cmdline");
	KR_ASSERT_HAS(cmdline, " -snapshot ");
	KR_ASSERT_HAS(cmdline, " root=/dev/sda1 rw");
	KR_ASSERT_HAS(cmdline, "hostfwd=tcp:127.0.0.1:");
	_cleanup_free_ char *script = artifact(&r, "run.sh");
	KR_ASSERT_HAS(script, "kr_sysctl 'kernel/hung_task_timeout_secs' '33'\n");
	ck_assert_int_eq(kr_sha256_file(disk, hex_after), 0);
	ck_assert_str_eq(hex_before, hex_after);
	run_clear(&r);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The stand-in syz-execprog makes progress, then a real WARNING (LKDTM)
 * while connected: the connection drops with the guest, and the console's
 * crash is the verdict. */
START_TEST(crash_while_connected)
{
	struct run r;
	run_stand_in("image-crash",
		     "# kradar-stand-in: write=" LKDTM ":WARNING after=2\n"
		     "#{\"threaded\":true,\"repeat\":true,\"procs\":2,\"slowdown\":1,"
		     "\"sandbox\":\"none\",\"tun\":true}\n"
		     "getpid()\n",
		     ",\"root\":\"/dev/sda1\"",
		     "\"expect\":{\"title\":\"WARNING in lkdtm_WARNING\"}," TIMEOUTS, &r);
	KR_ASSERT_HAS(r.results, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(r.results, "\"title\": \"WARNING in lkdtm_WARNING\"");
	KR_ASSERT_HAS(r.results, "\"execprog_log\": \"execprog.log\"");
	_cleanup_free_ char *log = artifact(&r, "execprog.log");
	/* the flags kradar passed, -slowdown raised for TCG */
	KR_ASSERT_HAS(log, " -procs=2 -threaded=true -repeat=0 -sandbox=none -enable=tun");
	KR_ASSERT_HAS(log, " -slowdown=10 ");
	KR_ASSERT_HAS(log, "running as root");
	KR_ASSERT_HAS(log, "executed programs: 2\n");
	_cleanup_free_ char *ssh = artifact(&r, "ssh.log");
	KR_ASSERT_HAS(ssh, "the reproducer started");
	ck_assert_ptr_null(strstr(ssh, "the reproducer ended"));
	_cleanup_free_ char *report = artifact(&r, "report.txt");
	KR_ASSERT_HAS(report, "lkdtm_WARNING");
	run_clear(&r);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The user "kradar" logs in with its key only (a copy that others may
 * read, as a checkout leaves it: ssh would refuse it, kradar copies it);
 * the stand-in stops making progress: the run is reported silent with how
 * far it got. */
START_TEST(no_progress_with_key)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	ck_assert_int_eq(kr_read_file(key, 1 << 20, &text, &len), 0);
	_cleanup_free_ char *open_key = kr_path_join(kr_test_tmpdir(), "id_ed25519");
	ck_assert_int_eq(kr_write_file_atomic(open_key, text, len, 0644), 0);
	_cleanup_free_ char *user =
		kr_asprintf(",\"ssh_user\":\"kradar\",\"ssh_key\":\"%s\"", open_key);
	struct run r;
	run_stand_in("image-stall",
		     "# kradar-stand-in: stall after=1\n"
		     "#{\"repeat\":true,\"procs\":1,\"sandbox\":\"none\"}\n"
		     "getpid()\n",
		     user,
		     "\"expect\":{\"title\":\"no output from test machine\"},"
		     "\"timeouts\":{\"boot\":300,\"run\":300,\"no_output\":15,\"tcg_factor\":1}",
		     &r);
	KR_ASSERT_HAS(r.results, "\"title\": \"no output from test machine\"");
	KR_ASSERT_HAS(r.results, "no console output and no progress of the reproducer for 15 s "
			      "(syz-execprog: executed programs: 1");
	_cleanup_free_ char *log = artifact(&r, "execprog.log");
	/* in the directory the files were copied to, below its home */
	const char *as = strstr(log, "running as kradar in /");
	ck_assert_msg(as, "no 'running as kradar' in:\n%s", kr_test_tail(log));
	const char *eol = strchr(as, '\n');
	ck_assert(eol != NULL);
	_cleanup_free_ char *line = kr_strndup(as, (size_t)(eol - as));
	ck_assert_msg(kr_str_endswith(line, "/" KR_GUEST_SSH_DIR), "not in ~/%s: %s",
		      KR_GUEST_SSH_DIR, line);
	KR_ASSERT_HAS(log, "stalling");
	run_clear(&r);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* ----- kradar fetch end to end ----- */

#define EXTID_DISK "00000000000000000001"
#define EXTID_INITRAMFS "00000000000000000002"
#define TITLE "WARNING in lkdtm_WARNING"

/* A C reproducer that makes LKDTM warn. */
static const char repro_c[] =
	"// a reproducer as syzbot serves them, for kradar's image suite\n"
	"#include <fcntl.h>\n#include <unistd.h>\n"
	"int main(void)\n{\n"
	"\tint fd = open(\"" LKDTM "\", O_WRONLY);\n"
	"\tif (fd < 0)\n\t\treturn 1;\n"
	"\treturn write(fd, \"WARNING\", 7) == 7 ? 0 : 2;\n}\n";

/* The dashboard's answer for a bug whose crash has a C reproducer and, with
 * a disk, the disk and kernel assets (without: only the kernel). */
static char *bug_json(bool with_disk)
{
	return kr_asprintf(
		"{\"version\":1,\"title\":\"" TITLE "\",\"id\":\"%s\",\"status\":\"open\","
		"\"crashes\":[{\"title\":\"" TITLE "\",\"c-reproducer\":\"/text?tag=ReproC\","
		"\"kernel-source-commit\":\"0000000000000000000000000000000000000000\","
		"\"architecture\":\"amd64\",\"assets\":[%s"
		"{\"type\":\"kernel_image\",\"link\":\"/assets/bzImage-kradar\"}]}]}",
		with_disk ? "1111" : "2222",
		with_disk ? "{\"type\":\"bootable_disk\",\"link\":\"/assets/disk-kradar.raw.xz\"}," :
			    "");
}

static int fetch(const struct kr_http *h, const char *extid, const char *out, const char *cache,
		 char **stdout_text, char **stderr_text)
{
	char *argv[] = { (char *)kr_test_kradar(), "fetch", (char *)extid, "--base-url",
			 (char *)kr_http_url(h), "--out", (char *)out, "--cache", (char *)cache,
			 NULL };
	return kr_test_spawn(argv, NULL, 0, stdout_text, stderr_text, RUN_TIMEOUT_S);
}

/* Fetched, validated and run: the scenario fetch wrote, without edits
 * (VM settings and timeouts come from the environment's defaults, so the
 * run takes the scenario's defaults). */
static void fetch_validate_run(bool with_disk)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *xz_path = kr_path_join(disk_dir, "disk.raw.xz");
	_cleanup_free_ char *disk_xz = NULL, *bz = NULL;
	size_t disk_xz_len = 0, bz_len = 0;
	if (with_disk)
		ck_assert_int_eq(kr_read_file(xz_path, 1ull << 30, &disk_xz, &disk_xz_len), 0);
	ck_assert_int_eq(kr_read_file(kernel, 64 << 20, &bz, &bz_len), 0);
	_cleanup_free_ char *bug = bug_json(with_disk);
	const char *extid = with_disk ? EXTID_DISK : EXTID_INITRAMFS;
	_cleanup_free_ char *bug_target = kr_asprintf("/bug?extid=%s&json=1", extid);
	struct kr_http_route routes[] = {
		{ .target = bug_target, .body = bug, .content_type = "application/json" },
		{ .target = "/text?tag=ReproC", .body = repro_c },
		{ .target = "/assets/bzImage-kradar", .body = bz, .body_len = bz_len },
		{ .target = "/assets/disk-kradar.raw.xz", .body = disk_xz ? disk_xz : "",
		  .body_len = disk_xz_len },
		{ 0 },
	};
	setenv("KRADAR_FETCH_INTERVAL", "0", 1);
	struct kr_http *h = kr_http_start(routes);
	_cleanup_free_ char *out_dir = kr_path_join(tmp, "bug");
	_cleanup_free_ char *cache = kr_path_join(tmp, "cache");
	_cleanup_free_ char *out = NULL, *err = NULL;
	int st = fetch(h, extid, out_dir, cache, &out, &err);
	kr_http_stop(h);
	ck_assert_msg(st == 0, "kradar fetch exited with %d:\n%s\n%s", st, kr_test_tail(out), kr_test_tail(err));
	_cleanup_free_ char *scen = kr_path_join(out_dir, "scenario.json");
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_read_file(scen, 1 << 20, &text, NULL), 0);
	if (with_disk)
		KR_ASSERT_HAS(text, "\"disk\"");
	else
		ck_assert_ptr_null(strstr(text, "\"disk\""));

	char *validate[] = { (char *)kr_test_kradar(), "validate", out_dir, NULL };
	_cleanup_free_ char *vout = NULL, *verr = NULL;
	st = kr_test_spawn(validate, NULL, 0, &vout, &verr, 60);
	ck_assert_msg(st == 0, "kradar validate exited with %d:\n%s\n%s", st, vout, kr_test_tail(verr));

	/* Under TCG with the scenario's default timeouts and VM. */
	setenv("KRADAR_KVM_DEVICE", "/nonexistent", 1);
	_cleanup_free_ char *name = NULL;
	const char *n = strstr(text, "\"name\": \"");
	ck_assert_ptr_nonnull(n);
	n += strlen("\"name\": \"");
	name = kr_strndup(n, strcspn(n, "\""));
	struct run r;
	kradar_run(scen, name, &r);
	ck_assert_msg(r.status == 0, "exit %d:\n%s\n%s", r.status, kr_test_tail(r.out), kr_test_tail(r.err));
	KR_ASSERT_HAS(r.results, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(r.results, "\"title\": \"" TITLE "\"");
	KR_ASSERT_HAS(r.results, with_disk ? "\"ssh_log\": \"ssh.log\"" : "\"console_log\"");
	run_clear(&r);
	kr_test_tmpdir_cleanup();
}

START_TEST(fetch_run_image_mode)
{
	fetch_validate_run(true);
}
END_TEST

START_TEST(fetch_run_initramfs_mode)
{
	fetch_validate_run(false);
}
END_TEST

/* ----- real syzkaller binaries (kr_test_syzkaller_bin) ----- */

static char *syzkaller_bin;

/* A program that runs and ends, and one that makes LKDTM warn. The latter
 * mounts debugfs on ./file0: syz-execprog drops, without a word, a call
 * whose file name is absolute ("sandbox escaping file name"). */
START_TEST(real_execprog)
{
	const char *bin = syzkaller_bin;
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "clean.syz",
			   "#{\"threaded\":false,\"repeat\":false,\"procs\":1,\"sandbox\":\"none\"}\n"
			   "getpid()\n"));
	_cleanup_free_ char *clean = scenario(
		dir, "real-clean",
		"\"kernel\":{\"image\":\"%s\"},\"disk\":\"%s\",\"repro\":{\"syz\":\"clean.syz\"},"
		"\"execprog\":{\"bin\":\"%s\"},\"expect\":{\"verdict\":\"clean\"}," VM "," TIMEOUTS,
		kernel, disk, bin);
	struct run r;
	kradar_run(clean, "real-clean", &r);
	ck_assert_msg(r.status == 0, "exit %d:\n%s\n%s", r.status, kr_test_tail(r.out), kr_test_tail(r.err));
	_cleanup_free_ char *log = artifact(&r, "execprog.log");
	KR_ASSERT_HAS(log, "parsed 1 programs");
	run_clear(&r);
	kr_test_tmpdir_cleanup();

	dir = kr_test_tmpdir();
	free(kr_test_write(dir, "crash.syz",
			   "#{\"threaded\":false,\"repeat\":true,\"procs\":1,\"sandbox\":\"none\"}\n"
			   "mkdir(&(0x7f0000000000)='./file0\\x00', 0x1ff)\n"
			   "mount(0x0, &(0x7f0000000000)='./file0\\x00', "
			   "&(0x7f0000000040)='debugfs\\x00', 0x0, 0x0)\n"
			   "r0 = openat(0xffffffffffffff9c, "
			   "&(0x7f0000000080)='./file0/provoke-crash/DIRECT\\x00', 0x1, 0x0)\n"
			   "write(r0, &(0x7f00000000c0)='WARNING', 0x7)\n"));
	_cleanup_free_ char *crash = scenario(
		dir, "real-crash",
		"\"kernel\":{\"image\":\"%s\"},\"disk\":\"%s\",\"repro\":{\"syz\":\"crash.syz\"},"
		"\"execprog\":{\"bin\":\"%s\"},\"expect\":{\"title\":\"" TITLE "\"}," VM "," TIMEOUTS,
		kernel, disk, bin);
	kradar_run(crash, "real-crash", &r);
	ck_assert_msg(r.status == 0, "exit %d:\n%s\n%s", r.status, kr_test_tail(r.out), kr_test_tail(r.err));
	KR_ASSERT_HAS(r.results, "\"verdict\": \"reproduced\"");
	run_clear(&r);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(int argc, char **argv)
{
	bool real = argc > 1 && !strcmp(argv[1], "--real-syzkaller");
	_cleanup_free_ char *why = NULL;
	if (real && !(syzkaller_bin = kr_test_syzkaller_bin(&why))) {
		printf("1..0 # SKIP %s; the stand-in's tests ran instead\n", why);
		return 0;
	}
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("image");
	/* The first test waits for the disk and the kernel when the cache
	 * has neither. */
	tcase_set_timeout(tc, SETUP_TIMEOUT_S);
	/* Once for the whole suite, in the parent before the tests fork. */
	tcase_add_unchecked_fixture(tc, prepare, NULL);
	if (real) {
		tcase_add_test(tc, real_execprog);
	} else {
		tcase_add_test(tc, clean_run_over_ssh);
		tcase_add_test(tc, crash_while_connected);
		tcase_add_test(tc, no_progress_with_key);
		tcase_add_test(tc, fetch_run_image_mode);
		tcase_add_test(tc, fetch_run_initramfs_mode);
	}
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
